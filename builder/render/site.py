"""Render: the Archive and its derivations -> every HTML page of the site, as bytes.

Input: an `Archive` and the templates folder.
Output: {output path: bytes}, e.g. "articles/<slug>/index.html", "timeline/index.html", "404.html".

Each page kind has one render function and one typed context (in `builder.render.pages`); the
templates only loop and branch. Links are site-relative URLs from the Archive, made relative
to the page being rendered by the `rel` filter (`relative_url`), so the site works at a domain
root, under a sub-path and from a plain static server. Only the 404 page, which is served at
arbitrary depths, links through absolute `base_url` URLs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from functools import lru_cache, partial
from types import CodeType
from typing import Any

from jinja2 import Environment, StrictUndefined, Template, TemplateError, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from builder.allocator import default_large_blocks
from builder.derive.figures import MetricComparison
from builder.derive.reuse import DeriveCache, derive_structures
from builder.errors import ContentError, ContentErrors
from builder.forked import chunk_results
from builder.index import Archive, page_path, paged_url
from builder.model import Article, Site
from builder.render import pages
from builder.render.annotate import annotate_seed
from builder.render.charts import render_chart
from builder.render.data_export import DownloadsCache
from builder.render.markup import escape_output
from builder.render.pages import Derived, PageMeta
from builder.render.theme import Theme
from builder.render.views import DISAGREEMENTS_URL, fact_sheet_refs


@dataclass(frozen=True)
class RenderedPage:
    path: str
    html: bytes
    links: tuple[str, ...]  # every distinct link made through `rel`, as it is in the HTML
    searchable: bool


def relative_url(from_page_path: str, target: str) -> str:
    """A link from the page at `from_page_path` to the site-relative URL `target`.

    "articles/x/#p12-40" from "actors/lavrov/index.html" -> "../../articles/x/#p12-40";
    from "index.html" -> "articles/x/". A link to the page itself keeps only its fragment.
    """
    path, hash_sign, fragment = target.partition("#")
    link = relative_path(from_page_path.rpartition("/")[0], path)
    if link:
        return link + hash_sign + fragment
    return "#" + fragment if hash_sign else "./"


@lru_cache(maxsize=65536)  # the pages of one folder link to the same targets
def relative_path(from_dir: str, path: str) -> str:
    """The relative form of the site-relative `path` from the folder `from_dir` ("" at the
    root); "" for the folder's own index."""
    if not from_dir:
        return path
    from_parts = from_dir.split("/")
    # Most links leave the page's section ("actors/x" -> "articles/y/"): climb to the root.
    if not path.startswith(from_parts[0] + "/"):
        return "../" * len(from_parts) + path
    *to_dir, to_name = path.split("/")
    common = 0
    while common < min(len(from_parts), len(to_dir)) and from_parts[common] == to_dir[common]:
        common += 1
    return "/".join([".."] * (len(from_parts) - common) + to_dir[common:] + [to_name])


def link_for(meta: PageMeta, target: str) -> str:
    """The href for the site-relative `target` on the page `meta` describes."""
    if meta.absolute_links:
        return meta.base_url + target
    return relative_url(meta.path, target)


class PageLinks:
    """The links one page (or one shared fragment) makes through `rel`: each target's href
    worked out once per page, and the log of every target linked to."""

    def __init__(self, meta: PageMeta) -> None:
        self.meta = meta
        self.hrefs: dict[str, str] = {}  # target -> its href on this page, in link order
        folder = meta.path.rpartition("/")[0]
        # Most links leave the page's section ("actors/x/" -> "articles/y/#p1-2"): they only
        # climb to the root (as `relative_path` has it), which needs no parsing.
        self.climb = "" if meta.absolute_links or not folder else "../" * (folder.count("/") + 1)
        self.section = folder.partition("/")[0] + "/"

    def href(self, target: str) -> str:
        href = self.hrefs.get(target)
        if href is None:
            if self.climb and not target.startswith(self.section):
                href = self.climb + target
            else:
                href = link_for(self.meta, target)
            self.hrefs[target] = href
        return href


@pass_context
def rel_filter(context: Context, target: str) -> str:
    # The page's links are a render argument, so they sit in the context's parent dict: a
    # plain lookup there is much cheaper than `context[...]`, on 200,000 links.
    variables = context.parent
    page_links: PageLinks | None = variables.get(LINK_LOG)
    if page_links is None:  # a template rendered on its own, in a test
        return link_for(variables["meta"], target)
    return page_links.href(target)


@pass_context
def source_sentence(context: Context, url: str) -> Markup:
    """The "source sentence" link of a figure, event or quote. On a fact sheet it carries
    the passage's number, which print shows as "[3]" beside the link and after the marked
    passage. A function rather than a macro: a partial shown 100 times on a page would
    import the macro 100 times."""
    numbers: Mapping[str, int] | None = getattr(context.get("page"), "passage_numbers", None)
    number = (
        f' data-passage-number="{escape_output(numbers[url])}"'
        if numbers is not None and url in numbers
        else ""
    )
    href = escape_output(rel_filter(context, url))
    return Markup(f'<a href="{href}"{number}>source sentence</a>')


# A page, and a fragment being rendered for `shared_fragment`, logs the links it makes
# (`PageLinks`) under this name.
LINK_LOG = "_page_links"
Scalar = str | int | bool | None
FragmentKey = tuple[str, Scalar, tuple[tuple[str, Scalar], ...]]


class SharedFragments:
    """`shared_fragment(template, identity, **variables)` for the templates: a partial that
    appears on many pages (a timeline entry on the page of every actor it lists) is rendered
    once and reused wherever all its links come out the same.

    `identity` names the objects among `variables`; scalar variables are part of the key
    too. The partial may use `meta` only through `rel`: its output is then a function of the
    key and of its links, so one rendering per distinct tuple of links is exact. A rendering
    is kept only once its key is asked for a second time, so partials shown once (the
    timeline's own entries) cost no memory; `clear` drops everything at the end of a build.
    """

    def __init__(self, env: Environment) -> None:
        self.env = env
        # key -> (the targets its partial links to, {their links: the rendering})
        self.cache: dict[FragmentKey, tuple[tuple[str, ...], dict[tuple[str, ...], Markup]]] = {}

    @pass_context
    def __call__(
        self, context: Context, template: str, identity: Scalar, **variables: object
    ) -> Markup:
        meta: PageMeta = context.parent["meta"]
        enclosing: PageLinks | None = context.parent.get(LINK_LOG)
        page_links = enclosing if enclosing is not None else PageLinks(meta)
        scalars = tuple(
            (name, value)
            for name, value in sorted(variables.items())
            if value is None or isinstance(value, str | int | bool)
        )
        key = (template, identity, scalars)
        known = self.cache.get(key)
        html = None
        links: tuple[str, ...] = ()
        if known is not None:
            # What the fragment links to, the page (or the fragment around it) links to.
            links = tuple(page_links.href(target) for target in known[0])
            html = known[1].get(links)
        if known is None or html is None:
            own_links = PageLinks(meta)
            html = Markup(
                self.env.get_template(template).render(
                    meta=meta, **{LINK_LOG: own_links}, **variables
                )
            )
            if known is None:
                known = self.cache[key] = (tuple(own_links.hrefs), {})
                for target in known[0]:
                    page_links.href(target)
            else:
                known[1][links] = html
        return html

    def clear(self) -> None:
        self.cache.clear()


class OutputTemplate(Template):
    """A template whose output expressions escape with `escape_output`."""

    @classmethod
    def from_code(
        cls,
        environment: Environment,
        code: CodeType,
        globals: MutableMapping[str, Any],
        uptodate: Callable[[], bool] | None = None,
    ) -> Template:
        template = super().from_code(environment, code, globals, uptodate)
        # The compiled module's functions look `escape` up in its namespace at each call.
        template.root_render_func.__globals__["escape"] = escape_output
        return template


class BuildEnvironment(Environment):
    """An Environment whose templates, once loaded, are found by name in a plain dict: an
    `{% include %}` in a loop asks for its template at every turn (100,000 times a build),
    and Jinja2's own cache takes a lock and makes a weak reference at each ask. It never
    reloads a template (as `auto_reload=False`): one build reads each template once."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.loaded: dict[str, Template] = {}

    def get_template(
        self,
        name: str | Template,
        parent: str | None = None,
        globals: MutableMapping[str, Any] | None = None,
    ) -> Template:
        if globals is not None or not isinstance(name, str):
            return super().get_template(name, parent, globals)
        if parent is not None:
            name = self.join_path(name, parent)
        template = self.loaded.get(name)
        if template is None:
            template = self.loaded[name] = super().get_template(name)
        return template


def make_environment(theme: Theme) -> Environment:
    """One per build: it holds the compiled templates and the shared-fragment cache."""
    env = BuildEnvironment(
        loader=theme.loader(),
        autoescape=True,
        undefined=StrictUndefined,
        # One build reads each template once; re-checking its mtime on every include was
        # a stat() call per timeline entry.
        auto_reload=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.template_class = OutputTemplate
    env.filters["rel"] = rel_filter
    env.globals["source_sentence"] = source_sentence
    env.globals["shared_fragment"] = SharedFragments(env)
    return env


PageRenderer = Callable[[], RenderedPage]


@dataclass(frozen=True)
class RenderedSite:
    pages: dict[str, bytes]  # output path -> HTML, sorted by path
    # Output path -> the links the page makes through `rel` (shared fragments included), as
    # they appear in its HTML: the link check need not re-read them from the HTML.
    links: dict[str, tuple[str, ...]]
    searchable: frozenset[str]  # the pages Pagefind indexes (`PageMeta.searchable`)


def derive(
    archive: Archive,
    downloads: DownloadsCache | None = None,
    structures: DeriveCache | None = None,
) -> Derived:
    """The derive stage: timeline, figure comparisons and actor relations, for every page
    (from the last build's where `structures` holds them unchanged), and the data downloads
    (from the last build's where `downloads` names them)."""
    return pages.derive(archive, *derive_structures(archive, structures), downloads)


def render_pages(archive: Archive, theme: Theme) -> dict[str, bytes]:
    """Every HTML page of the archive (derive and render together, for tests and tools)."""
    return render_site(derive(archive), theme).pages


def render_site(derived: Derived, theme: Theme, jobs: int = 1) -> RenderedSite:
    """Every HTML page of the site, with the links each makes, gathered in memory (for tests
    and tools; `build` streams them with `render_stream`)."""
    output: dict[str, bytes] = {}
    links: dict[str, tuple[str, ...]] = {}
    searchable: set[str] = set()
    for page in render_stream(derived, theme, jobs):
        if page.path in output:
            raise ValueError(f"two pages claim the output path {page.path!r}")
        output[page.path] = page.html
        links[page.path] = page.links
        if page.searchable:
            searchable.add(page.path)
    return RenderedSite(dict(sorted(output.items())), links, frozenset(searchable))


# Pages handed to a render process at a time: small enough that few pages are held in
# memory at once, large enough that handing them out costs little.
PAGES_PER_CHUNK = 32
# Up to this many pages (an edit's), render processes would take longer to start than the
# pages take to render: they are rendered in this one.
IN_PROCESS_PAGES = 2 * PAGES_PER_CHUNK


def render_stream(
    derived: Derived,
    theme: Theme,
    jobs: int = 1,
    reuse: Callable[[str], bool] | None = None,
    sheets_only: bool = False,
) -> Iterator[RenderedPage]:
    """Every HTML page of the site, one at a time in a fixed order, rendered by `jobs`
    processes (the same bytes for any number). A mistake in a template raises
    `ContentErrors` at the template's file and line. A page for which `reuse(path)` is
    true is left out, and with `sheets_only` every page but the fact sheets and the fixed
    pages (the build took them from its last version: builder/render/page_cache.py)."""
    env = make_environment(theme)
    fragments = env.globals["shared_fragment"]
    assert isinstance(fragments, SharedFragments)
    renderers = list(page_renderers(env, derived, reuse or never, sheets_only))
    if len(renderers) <= IN_PROCESS_PAGES:
        jobs = 1

    def render_chunk(start: int) -> RenderedChunk:
        """The pages from number `start` on, `PAGES_PER_CHUNK` of them, or the problem met."""
        try:
            return [render() for render in renderers[start : start + PAGES_PER_CHUNK]]
        except TemplateError as error:
            return theme.template_problem(error)

    try:
        chunks = chunk_results(
            render_chunk, len(renderers), PAGES_PER_CHUNK, jobs, default_large_blocks
        )
        for chunk in chunks:
            yield from chunk_pages(chunk)
    finally:
        fragments.clear()  # the Environment's reference cycles outlive us


# A chunk's pages, or the template problem met (an error value: it crosses processes).
RenderedChunk = list[RenderedPage] | ContentError


def chunk_pages(chunk: RenderedChunk) -> list[RenderedPage]:
    if isinstance(chunk, ContentError):
        raise ContentErrors([chunk])
    return chunk


def never(path: str) -> bool:
    return False


def page_renderers(
    env: Environment,
    derived: Derived,
    reuse: Callable[[str], bool] = never,
    sheets_only: bool = False,
) -> Iterator[PageRenderer]:
    """One renderer per page, in a fixed order; a page's context is worked out only when
    its renderer is called, so a process skips the pages of others cheaply. Pages that
    `reuse` takes elsewhere (asked by path, known before the context) get none; with
    `sheets_only`, only fact sheets and fixed pages get one."""
    archive = derived.archive

    def render(template: str, context: Callable[[], pages.PageContext]) -> PageRenderer:
        return lambda: render_page(env, template, context(), archive.site)

    def given(context: pages.PageContext) -> Callable[[], pages.PageContext]:
        return lambda: context

    def wanted(url: str) -> bool:
        return not reuse(page_path(url))

    if not sheets_only and wanted(""):
        yield render(
            "home.html", lambda: pages.home_context(derived, render_headline_chart(derived))
        )
    for article in archive.articles:
        if wanted(archive.url_article(article.slug)):
            yield render("article.html", partial(article_page_context, derived, article))
    if sheets_only:  # but the fixed pages, which the build may not have taken
        for template, info_context in pages.fixed_contexts(derived):
            if not reuse(info_context.meta.path):
                yield render(template, given(info_context))
        return
    for timeline_context in pages.timeline_contexts(derived, lambda path: not reuse(path)):
        yield render("timeline.html", timeline_context)
    if wanted("figures/"):
        yield render("figures.html", partial(pages.figures_context, derived))
    for n in range(1, pages.disagreements_page_count(derived) + 1):
        if wanted(paged_url(DISAGREEMENTS_URL, n)):
            yield render("disagreements.html", partial(pages.disagreements_context, derived, n))
    for comparison in derived.figures.metrics:
        for n in range(1, pages.metric_page_count(comparison) + 1):
            if wanted(paged_url(archive.url_metric(comparison.metric.metric_id), n)):
                yield render("metric.html", partial(metric_page_context, derived, comparison, n))
    if wanted("actors/"):
        yield render("actors.html", partial(pages.actors_context, derived))
    for actor_id in archive.actors:
        for n in range(1, pages.actor_page_count(derived, actor_id) + 1):
            if wanted(paged_url(archive.url_actor(actor_id), n)):
                yield render("actor.html", partial(pages.actor_context, derived, actor_id, n))
    for n in range(1, pages.sources_page_count(derived) + 1):
        if wanted(paged_url("sources/", n)):
            yield render("sources.html", partial(pages.sources_context, derived, n))
    for template, info_context in pages.fixed_contexts(derived):
        if not reuse(info_context.meta.path):
            yield render(template, given(info_context))


def article_page_context(derived: Derived, article: Article) -> pages.ArticleContext:
    article_path = page_path(derived.archive.url_article(article.slug))
    source_html = article_source_html(derived, article, article_path)
    return pages.article_context(derived, article, source_html)


def metric_page_context(
    derived: Derived, comparison: MetricComparison, number: int = 1
) -> pages.MetricContext:
    # The chart shows on the first page only (of many, for a metric of thousands of claims).
    chart = render_chart(comparison) if number == 1 else Markup("")
    return pages.metric_context(derived, comparison, chart, number)


def render_headline_chart(derived: Derived) -> Markup | None:
    metric_id = derived.figures.headline_metric_id
    return render_chart(derived.figures.by_metric[metric_id]) if metric_id else None


def render_page(
    env: Environment, template: str, context: pages.PageContext, site: Site
) -> RenderedPage:
    meta = context.meta
    page_links = PageLinks(meta)
    html = env.get_template(template).render(
        page=context, meta=meta, site=site, nav=pages.nav_items(meta), **{LINK_LOG: page_links}
    )
    links = tuple(sorted(set(page_links.hrefs.values())))
    return RenderedPage(meta.path, html.encode("utf-8"), links, meta.searchable)


def article_source_html(derived: Derived, article: Article, from_path: str) -> Markup:
    """The seed text with every quoted passage marked, each mark followed by links to the
    claims it supports, and every actor mention linked."""
    archive = derived.archive
    return annotate_seed(
        article.seed_text,
        archive.marks[article.slug],
        archive.mentions[article.slug],
        lambda actor_id: relative_url(from_path, archive.url_actor(actor_id)),
        fact_sheet_refs(archive, article, derived.claim_by_id),
    )
