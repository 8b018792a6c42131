"""Live preview: an edited fact sheet re-read, re-checked and re-rendered in a fraction of a
second, against the model `serve` keeps from its last good build (Hugo's fast render mode).

Input: the `Resident` model of the last good build, and the paths of saved article files.
Output: `Preview`: the fact sheets' new pages as bytes, to be served from memory while the
full build brings every other page, the search index and the downloads up to date; or the
problems in those files; or nothing when the change is not one a preview can show exactly
(see `article_edits` and `same_facts`), and only the full build can tell.

A preview re-renders only the edited article's own page. What the rest of the site says
about the article (its title in listings, the timeline, search) is left to the full build,
which `serve` starts at once; its output replaces the preview.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from jinja2 import Environment, TemplateError

from builder.errors import ContentError, ContentWarning
from builder.index import Archive, page_path
from builder.load.project import load_article_file
from builder.model import Article, Metric
from builder.render.pages import Derived
from builder.render.site import (
    RenderedPage,
    SharedFragments,
    article_page_context,
    make_environment,
    render_page,
)
from builder.render.summary_links import FIXED_FILES, link_problem, site_page_urls, summary_links
from builder.render.theme import project_theme
from builder.validate.records import validate_articles

ARTICLES_FOLDER = ("content", "articles")
# The files a project reads (content, seeds, templates and their assets): one of these
# deleted is a change to the site, where another file gone is an editor's temporary file.
CONTENT_SUFFIXES = frozenset({".md", ".yaml", ".yml", ".txt", ".html", ".css", ".js", ".svg"})


@dataclass(frozen=True)
class Resident:
    """What the last good build knew, kept in memory between saves."""

    project_dir: Path
    derived: Derived
    # The site's page files and each fact sheet's marks, for checking a summary's links.
    page_files: set[str]
    marks: dict[str, set[str]]
    # Its templates compiled once: a preview renders one page, compiling takes longer.
    env: Environment

    @property
    def archive(self) -> Archive:
        return self.derived.archive


@dataclass(frozen=True)
class Preview:
    pages: dict[str, bytes]  # output path -> HTML, the edited fact sheets
    errors: tuple[ContentError, ...]  # problems in the edited files; no pages then
    resident: Resident  # the model with the edited articles in it, for the next save


def resident_model(project_dir: Path, derived: Derived) -> Resident:
    """The model a preview starts from: what a good build derived."""
    archive = derived.archive
    env = make_environment(project_theme(project_dir))
    # The fact sheet's templates compiled now, not at the first save.
    render_fact_sheets(env, derived, archive.articles[:1])
    return Resident(
        project_dir,
        derived,
        {page_path(url) for url in site_page_urls(archive)} | set(FIXED_FILES),
        {
            page_path(archive.url_article(slug)): {mark.mark_id for mark in marks}
            for slug, marks in archive.marks.items()
        },
        env,
    )


def article_edits(
    changed: Iterable[Path], project_dir: Path, archive: Archive
) -> tuple[Path, ...] | None:
    """The saved files, when every one is a fact sheet the archive already has (and still
    there); None when anything else changed: a new, deleted or renamed sheet, an actor,
    site.yaml, metrics.yaml, a seed or a template change pages a preview does not render.
    An editor's temporary files, already gone (`sed -i`'s, vim's `4913`), are no change."""
    folder = project_dir.joinpath(*ARTICLES_FOLDER)
    edits: set[Path] = set()
    for path in changed:
        sheet = path.parent == folder and path.suffix == ".md"
        if sheet and path.stem in archive.article_by_slug and path.is_file():
            edits.add(path)
        elif sheet or path.suffix in CONTENT_SUFFIXES or path.exists() or path.is_symlink():
            return None
    return tuple(sorted(edits)) or None


class SeedFolder(dict[str, str]):
    """The seeds/ folder as validation reads it: every seed's name, a text read only when
    asked for (a sheet needs one seed; reading 10,000 to check it would take seconds)."""

    def __init__(self, project_dir: Path, known: dict[str, str]) -> None:
        folder = project_dir / "seeds"
        names = sorted(name for name in os.listdir(folder) if name.endswith(".txt"))
        super().__init__(dict.fromkeys(names, ""))
        self.folder = folder
        self.known = known

    def __getitem__(self, name: str) -> str:
        if name not in self:
            raise KeyError(name)
        if name in self.known:
            return self.known[name]
        return (self.folder / name).read_text(encoding="utf-8")


def preview_articles(resident: Resident, edits: Sequence[Path]) -> Preview | None:
    """The edited fact sheets re-read, re-checked and re-rendered; None when an edit changed
    what other pages derive from the sheet (its facts or seed), so only a full build shows
    it exactly, or when the edited files cannot be read as the full build would."""
    archive = resident.archive
    problems: list[ContentError] = []
    raws = [
        raw
        for path in edits
        if (raw := load_article_file(resident.project_dir, path, problems)) is not None
    ]
    if problems:
        return Preview({}, tuple(sorted(problems)), resident)
    try:
        seeds = SeedFolder(resident.project_dir, {a.seed: a.seed_text for a in archive.articles})
    except OSError:
        return None
    actors = dict.fromkeys(archive.actors)
    metrics: dict[str, Metric | None] = dict(archive.metrics)
    articles = validate_articles(tuple(raws), seeds, actors, metrics, problems)
    errors = tuple(sorted(p for p in problems if not isinstance(p, ContentWarning)))
    if errors:
        return Preview({}, errors, resident)
    if (
        len(articles) != len(raws)
        or not all(same_facts(archive.article_by_slug[a.slug], a) for a in articles)
        or not links_hold(resident, articles)
    ):
        return None
    updated = with_articles(resident, articles)
    pages = render_fact_sheets(updated.env, updated.derived, articles)
    return None if pages is None else Preview(pages, (), updated)


def same_facts(old: Article, new: Article) -> bool:
    """Whether the edit left alone everything other pages derive from the sheet: its seed
    and its facts (events, figures, quotes, skipped passages, all with their lines), and its
    date and status, which order and filter the listings. Its title, outlet, URL and summary
    may change: its own page shows them."""
    return (
        old.seed == new.seed
        and old.events == new.events
        and old.figures == new.figures
        and old.quotes == new.quotes
        and old.skipped == new.skipped
        and old.published == new.published
        and old.status == new.status
        and old.source == new.source
    )


def links_hold(resident: Resident, articles: Iterable[Article]) -> bool:
    """Whether every internal link in the edited summaries leads to a page (and passage) of
    the site; when one does not, the full build says where and why."""
    archive = resident.archive
    return not any(
        link_problem(
            page_path(archive.url_article(a.slug)), url, resident.page_files, resident.marks
        )
        for a in articles
        for _, url in summary_links(a.summary_md)
    )


def with_articles(resident: Resident, articles: Sequence[Article]) -> Resident:
    """The resident model with `articles` in place of the sheets of the same slugs."""
    archive = resident.archive
    replacing = {a.slug: a for a in articles}
    listed = tuple(replacing.get(a.slug, a) for a in archive.articles)
    updated = dataclasses.replace(
        archive,
        articles=listed,
        article_by_slug=MappingProxyType({a.slug: a for a in listed}),
    )
    return dataclasses.replace(
        resident, derived=dataclasses.replace(resident.derived, archive=updated)
    )


def render_fact_sheets(
    env: Environment, derived: Derived, articles: Sequence[Article]
) -> dict[str, bytes] | None:
    """The fact sheets' pages, as the full build renders them; None on a template problem
    (the full build reports it)."""
    fragments = env.globals["shared_fragment"]
    assert isinstance(fragments, SharedFragments)
    try:
        return {
            page.path: page.html
            for page in (render_fact_sheet(env, derived, article) for article in articles)
        }
    except TemplateError:
        return None
    finally:
        fragments.clear()


def render_fact_sheet(env: Environment, derived: Derived, article: Article) -> RenderedPage:
    return render_page(
        env, "article.html", article_page_context(derived, article), derived.archive.site
    )
