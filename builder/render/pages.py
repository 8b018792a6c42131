"""Page contexts: one typed, frozen context per page kind, built from the Archive and its
derivations. Templates receive exactly these (as `page`) plus `meta`, `site` and `nav`.

Input: `Derived` (the Archive with its timeline, figure comparison and actor relations).
Output: `*Context` dataclasses. Every URL in them is site-relative; templates pass it through
the `rel` filter. JSON-LD lives in `builder.render.structured`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from types import MappingProxyType
from typing import Protocol, TypeVar
from urllib.parse import urlsplit

from markupsafe import Markup

from builder.derive.actors import KIND_HEADINGS, ActorRelations, KindGroup
from builder.derive.figures import (
    ClaimView,
    FigureComparison,
    MetricComparison,
)
from builder.derive.timeline import (
    ActorLink,
    Timeline,
    TimelineEntry,
    TimelinePage,
    YearGroup,
    describe_report,
    link_actor,
)
from builder.index import (
    ARTICLES_PER_SOURCES_PAGE,
    METRIC_CLAIMS_PER_PAGE,
    Archive,
    event_anchor,
    page_path,
    page_total,
    paged_url,
)
from builder.model import Actor, Article
from builder.render import cite, og_image, structured
from builder.render.cite import CiteFormats
from builder.render.data_export import (
    DownloadsCache,
    SpooledFiles,
    describe_data_files,
    human_size,
    spool_data_files,
)
from builder.render.timeline_nav import (
    EntryKeys,
    FilteredTimeline,
    FilterGroup,
    FilterLink,
    JumpYear,
    filter_groups,
    filtered_timelines,
    jump_list,
    keys_by_entry,
)
from builder.render.views import (
    DISAGREEMENTS_URL,
    FLAGS_PER_PAGE,
    KIND_TEXT,
    NONE_DESCRIBED,
    OUTLET_INFERRED_ANCHOR,
    PUBLISHED_INFERRED_ANCHOR,
    ActorCount,
    ArticleEvent,
    ArticleItem,
    ClaimItem,
    FlagView,
    InferenceView,
    MetricFamily,
    Pager,
    QuoteView,
    describe_article,
    describe_claim_items,
    describe_flag,
    describe_inference,
    describe_quote,
    flags_by_figure,
    metric_families,
    paginate,
    part_of_chain,
    relation_detail,
    render_markdown,
)

T = TypeVar("T")
LATEST_ARTICLES_ON_HOME = 5
LATEST_CLAIMS_ON_HOME = 10  # in the home chart's data table; the metric page lists them all
LATEST_CLAIMS_IN_FAMILY = 20  # in a family's table on the figures page
FLAGS_ON_METRIC_CARD = 5
FLAGS_ON_METRIC_PAGE = 20
# An actor's page is paginated: page n shows the n-th slice of each of its lists.
ACTOR_ARTICLES_PER_PAGE = 30
ACTOR_EVENTS_PER_PAGE = 20
ACTOR_FIGURES_PER_PAGE = 20
ACTOR_QUOTES_PER_PAGE = 15
ACTOR_PAGE_SIZES = (
    ACTOR_ARTICLES_PER_PAGE,
    ACTOR_EVENTS_PER_PAGE,
    ACTOR_FIGURES_PER_PAGE,
    ACTOR_QUOTES_PER_PAGE,
)
NAV = (
    ("home", "Home", ""),
    ("timeline", "Timeline", "timeline/"),
    ("figures", "Figures", "figures/"),
    ("disagreements", "Disagreements", DISAGREEMENTS_URL),
    ("actors", "Actors", "actors/"),
    ("sources", "Sources", "sources/"),
    ("search", "Search", "search/"),
    ("about", "About", "about/"),
)


@dataclass(frozen=True)
class Derived:
    archive: Archive
    timeline: Timeline
    figures: FigureComparison
    relations: ActorRelations
    flags: tuple[FlagView, ...]  # every disagreement, in `figures.disagreements` order
    flags_by_figure: Mapping[str, tuple[FlagView, ...]]
    flag_by_id: Mapping[str, FlagView]
    # Figure id -> its claim as derive described it (`describe_claim`), for every page.
    claim_by_id: Mapping[str, ClaimView]
    # The data downloads, made once and kept on disk until written (some 200 MB at 10,000
    # articles): the data page shows their sizes and row counts, and the build copies them.
    data_files: SpooledFiles

    def metric_flags(self, comparison: MetricComparison) -> tuple[FlagView, ...]:
        """The flags involving a metric's claims, in the archive's flag order."""
        return tuple(self.flag_by_id[d.disagreement_id] for d in comparison.disagreements)


def derive(
    archive: Archive,
    timeline: Timeline,
    figures: FigureComparison,
    relations: ActorRelations,
    downloads: DownloadsCache | None = None,
) -> Derived:
    """The derivations together, with every flag described once for all pages, and the data
    downloads (`downloads`: where the last build's are, to take unchanged articles' from)."""
    flags = tuple(describe_flag(archive, d, n) for n, d in enumerate(figures.disagreements))
    return Derived(
        archive,
        timeline,
        figures,
        relations,
        flags,
        MappingProxyType(flags_by_figure(flags)),
        MappingProxyType({f.flag.disagreement_id: f for f in flags}),
        MappingProxyType({c.figure.figure_id: c for m in figures.metrics for c in m.claims}),
        spool_data_files(archive, figures.disagreements, downloads),
    )


@dataclass(frozen=True)
class PageMeta:
    path: str  # output file, "articles/x/index.html"
    title: str
    description: str
    canonical: str  # absolute, from base_url
    base_url: str
    section: str  # the nav item this page belongs to
    og_type: str = "website"
    # data-pagefind-body, and indexed: the pages people search for (fact sheets, actors,
    # metrics, disagreements). Listings, the timeline included, only repeat their text.
    searchable: bool = False
    json_ld: Markup | None = None
    absolute_links: bool = False  # the 404 page is served at any depth
    og_image: str = og_image.SITE_IMAGE  # site-relative: the share card (builder.render.og_image)
    og_image_alt: str = ""  # what the card shows, in words

    @property
    def og_image_url(self) -> str:
        """Absolute, as Open Graph and Twitter require."""
        return self.base_url + self.og_image


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


class PageContext(Protocol):
    @property
    def meta(self) -> PageMeta: ...


@dataclass(frozen=True)
class HomeContext:
    meta: PageMeta
    counts: tuple[tuple[str, int, str], ...]  # (label, count, url)
    latest: tuple[ArticleItem, ...]
    headline: MetricComparison | None
    headline_flags: tuple[FlagView, ...]  # the flags the headline's latest claim is part of
    chart: Markup | None
    latest_claims: MetricComparison | None  # the headline with only its latest claims
    span_text: str


@dataclass(frozen=True)
class ArticleContext:
    meta: PageMeta
    item: ArticleItem
    original_host: str  # the host of the article's `url`, as its link text ("" without one)
    outlet_inferred: InferenceView | None
    published_inferred: InferenceView | None
    summary_html: Markup
    figures: tuple[ClaimItem, ...]
    events: tuple[ArticleEvent, ...]
    actors: tuple[ActorCount, ...]
    quotes: tuple[QuoteView, ...]
    source_html: Markup
    passage_numbers: Mapping[str, int]  # passage URL → its footnote number in print
    cite: CiteView | None = None  # how to cite the fact sheet and each of its claims


@dataclass(frozen=True)
class TimelineContext:
    meta: PageMeta
    heading: str
    page: TimelinePage | None  # the entries shown; None on the index of a split timeline
    year_index: tuple[YearGroup, ...]  # links to years and months: all on the index, else
    # the page's own year
    entry_count: int  # in the whole timeline, or in the page's year or month
    pager: Pager | None
    jump: tuple[JumpYear, ...]  # the years, months and days to jump to
    filters: tuple[FilterGroup, ...]
    active_filter: FilterLink | None  # the filter a filtered timeline page applies
    # Event id -> what its entry is filtered by (data-* attributes for static/timeline.js).
    entry_keys: Mapping[str, EntryKeys]


@dataclass(frozen=True)
class FiguresContext:
    meta: PageMeta
    families: tuple[MetricFamily, ...]  # related metrics side by side
    flags_by_metric: Mapping[str, tuple[FlagView, ...]]
    flag_count: int
    flags_shown: int  # on each metric's card


@dataclass(frozen=True)
class DisagreementsContext:
    meta: PageMeta
    conflicts: tuple[FlagView, ...]  # on this page
    tensions: tuple[FlagView, ...]
    conflict_count: int  # in the archive
    tension_count: int
    pager: Pager
    starts: tuple[int, int]  # the number of this page's first conflict and first tension


@dataclass(frozen=True)
class MetricContext:
    meta: PageMeta
    comparison: MetricComparison
    flags: tuple[FlagView, ...]  # every flag involving this metric's claims
    compared: tuple[MetricComparison, ...]  # related metrics whose claims are compared
    side_by_side: tuple[MetricComparison, ...]  # related metrics shown, never compared
    chart: Markup  # on the first page only (empty on the others)
    window_days: int
    kind_text: str
    table: MetricComparison  # the comparison with only this page's rows of the table
    pager: Pager
    flag_count: int  # `flags` holds the first FLAGS_ON_METRIC_PAGE
    cite: CiteView | None = None  # how to cite the metric page; links to each claim's


@dataclass(frozen=True)
class ActorsContext:
    meta: PageMeta
    kinds: tuple[tuple[KindGroup, tuple[ActorCount, ...]], ...]


@dataclass(frozen=True)
class ActorContext:
    meta: PageMeta
    actor: Actor
    kind_heading: str
    summary_html: Markup  # empty past the first page, which alone shows it
    part_of: tuple[ActorLink, ...]  # the whole chain upwards, nearest first
    members: tuple[ActorLink, ...]
    articles: tuple[tuple[ArticleItem, int], ...]
    entries: tuple[TimelineEntry, ...]
    figures: tuple[ClaimItem, ...]
    quotes: tuple[QuoteView, ...]
    related: tuple[ActorCount, ...]  # on the first page only
    pager: Pager
    # Of the whole lists: (articles, events, figures, quotes).
    totals: tuple[int, int, int, int]
    # The number of the first item on this page of each list (1-based).
    firsts: tuple[int, int, int, int]


@dataclass(frozen=True)
class OutletLink:
    name: str
    count: int
    url: str  # the sources page where its articles start


@dataclass(frozen=True)
class SourcesContext:
    meta: PageMeta
    outlets: tuple[tuple[str, tuple[ArticleItem, ...]], ...]  # on this page
    outlet_index: tuple[OutletLink, ...]
    article_count: int
    pager: Pager


@dataclass(frozen=True)
class InfoContext:
    """About, search, data and 404: mostly fixed text with a few numbers."""

    meta: PageMeta
    window_days: int
    about_percent: int
    downloads: tuple[structured.Download, ...]
    # Two scopes of this archive's metrics, for the about page's example of figures that are
    # never compared ("the east against the whole city"); empty with fewer than two.
    scope_example: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClaimCite:
    anchor: str  # the id of the citation on the fact sheet
    formats: CiteFormats


@dataclass(frozen=True)
class CiteView:
    page: CiteFormats
    claims: Mapping[str, ClaimCite] = dataclasses.field(default_factory=dict)  # by figure id
    # figure id -> the claim's citation on its fact sheet (site-relative), for a table row
    claim_links: Mapping[str, str] = dataclasses.field(default_factory=dict)


def article_cite(
    archive: Archive, article: Article, described: Mapping[str, ClaimView] = NONE_DESCRIBED
) -> CiteView:
    """The fact sheet's citation and one for each of its claims (described as `described`
    has them, by figure id, where it has them)."""
    return CiteView(
        cite.cite_formats(cite.fact_sheet_citation(archive, article)),
        MappingProxyType(
            {
                figure.figure_id: ClaimCite(
                    cite.claim_cite_anchor(figure.figure_id),
                    cite.cite_formats(cite.claim_citation(archive, figure, described)),
                )
                for figure in article.figures
            }
        ),
    )


def metric_cite(archive: Archive, metric_id: str, shown: Iterable[ClaimView]) -> CiteView:
    """The metric page's citation; each claim shown links to its citation on its fact sheet
    (in full there, so that 100 rows do not carry 100 citations)."""
    links = {
        claim.figure.figure_id: archive.url_article(claim.figure.article_slug)
        + "#"
        + cite.claim_cite_anchor(claim.figure.figure_id)
        for claim in shown
    }
    return CiteView(
        cite.cite_formats(cite.metric_citation(archive, metric_id)),
        claim_links=MappingProxyType(links),
    )


@dataclass(frozen=True)
class DownloadView:
    download: structured.Download
    size_text: str  # "14.2 kB"
    rows: int | None  # data rows of a CSV file; None for JSON


@dataclass(frozen=True)
class DataContext:
    """The data page: each download with its size and row count."""

    meta: PageMeta
    downloads: tuple[DownloadView, ...]


def data_context(derived: Derived) -> DataContext:
    """The data page; its sizes and row counts are those of the files this build writes."""
    archive = derived.archive
    meta = make_meta(
        archive,
        "data/",
        "Data downloads",
        "The whole archive as JSON and CSV, documented.",
        "data",  # no nav item: the data page is linked from the footer and the about page
        json_ld=structured.dataset_json_ld(archive),
    )
    files = describe_data_files(derived.data_files)
    views = tuple(
        DownloadView(d, human_size(files[d.path].size_bytes), files[d.path].rows)
        for d in structured.DOWNLOADS
    )
    return DataContext(meta, views)


# ---- helpers -------------------------------------------------------------------------------


def make_meta(
    archive: Archive, url: str, title: str, description: str, section: str, **kw: object
) -> PageMeta:
    base = archive.site.base_url
    kw.setdefault("og_image_alt", og_image.site_image_alt(archive.site))
    return PageMeta(page_path(url), title, description, base + url, base, section, **kw)  # type: ignore[arg-type]


def og_image_meta(path: str, card: og_image.Card) -> dict[str, str]:
    """`make_meta` arguments for a page with a share card of its own."""
    return {"og_image": path, "og_image_alt": card.alt}


def nav_items(meta: PageMeta) -> tuple[NavItem, ...]:
    return tuple(NavItem(label, url, key == meta.section) for key, label, url in NAV)


# ---- contexts ------------------------------------------------------------------------------


def home_context(derived: Derived, chart: Markup | None) -> HomeContext:
    archive = derived.archive
    entries = derived.timeline.entries
    counts = (
        ("fact sheets", len(archive.articles), "sources/"),
        ("timeline events", len(entries), "timeline/"),
        ("figures", len(archive.figures), "figures/"),
        ("disagreements", len(derived.flags), DISAGREEMENTS_URL),
        ("quotes", len(archive.quotes), "actors/"),
        ("actors", len(archive.actors), "actors/"),
    )
    span = f"{entries[0].date_text} to {entries[-1].date_text}" if entries else ""
    headline_id = derived.figures.headline_metric_id
    headline = derived.figures.by_metric[headline_id] if headline_id else None
    latest = headline.latest if headline else None
    return HomeContext(
        meta=make_meta(
            archive,
            "",
            archive.site.title,
            archive.site.description,
            "home",
            json_ld=structured.home_json_ld(archive),
        ),
        counts=counts,
        latest=tuple(
            describe_article(archive, a) for a in archive.articles[:LATEST_ARTICLES_ON_HOME]
        ),
        headline=headline,
        headline_flags=derived.flags_by_figure.get(latest.figure.figure_id, ()) if latest else (),
        chart=chart,
        span_text=span,
        latest_claims=(
            dataclasses.replace(headline, claims=headline.claims[-LATEST_CLAIMS_ON_HOME:])
            if headline
            else None
        ),
    )


def article_context(derived: Derived, article: Article, source_html: Markup) -> ArticleContext:
    archive = derived.archive
    item = describe_article(archive, article)
    entries = derived.timeline.entry_by_id
    mention_counts: dict[str, int] = {}
    for mention in archive.mentions[article.slug]:
        mention_counts[mention.actor_id] = mention_counts.get(mention.actor_id, 0) + 1
    actors = sorted(mention_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    url = archive.url_article(article.slug)
    description = f"Fact sheet on “{article.title}” ({article.outlet}, {item.published_text})."
    return ArticleContext(
        meta=make_meta(
            archive,
            url,
            article.title,
            description,
            "sources",
            og_type="article",
            searchable=True,
            json_ld=structured.article_json_ld(archive, article),
            **og_image_meta(
                og_image.article_image(article.slug), og_image.article_card(archive, article)
            ),
        ),
        item=item,
        original_host=urlsplit(article.url).netloc if article.url else "",
        outlet_inferred=describe_inference(
            archive, article.slug, OUTLET_INFERRED_ANCHOR, article.outlet_inferred
        ),
        published_inferred=describe_inference(
            archive, article.slug, PUBLISHED_INFERRED_ANCHOR, article.published_inferred
        ),
        summary_html=render_markdown(article.summary_md),
        figures=describe_claim_items(
            archive, article.figures, derived.flags_by_figure, derived.claim_by_id
        ),
        events=tuple(
            ArticleEvent(describe_report(archive, e), entries[e.event_id], event_anchor(e.event_id))
            for e in article.events
        ),
        actors=tuple(ActorCount(link_actor(archive, a), n) for a, n in actors),
        quotes=tuple(describe_quote(archive, q) for q in article.quotes),
        source_html=source_html,
        passage_numbers=number_passages(url, source_html),
        cite=article_cite(archive, article, derived.claim_by_id),
    )


MARK_ID = re.compile(r'<mark id="([^"]+)"')


def number_passages(article_url: str, source_html: str) -> Mapping[str, int]:
    """Each marked passage's URL → its number (1, 2, …) in source-text order: the order in which
    the print stylesheet's counter numbers the marks, so a printed figure can cite "[3]"."""
    mark_ids = dict.fromkeys(MARK_ID.findall(source_html))
    numbers = {f"{article_url}#{mark_id}": n for n, mark_id in enumerate(mark_ids, start=1)}
    return MappingProxyType(numbers)


TIMELINE_DESCRIPTION = "Every event in the archive in date order, merged across sources."


def timeline_contexts(
    derived: Derived, wanted: Callable[[str], bool] = lambda path: True
) -> Iterator[Callable[[], TimelineContext]]:
    """One page; or an index of years and months, a page per year (its months, and the
    events dated only by the year) and the pages of each month. Then the filtered timelines
    (see `builder.render.timeline_nav`). Only the pages whose output path is `wanted`, each
    as the function that works out its context: a thousand timeline pages' contexts are
    not held at once."""
    timeline = derived.timeline
    filtered = filtered_timelines(derived.archive, timeline)
    if timeline.split_by_year and wanted(page_path("timeline/")):
        yield partial(timeline_index_context, derived, filtered)
    for page in timeline.pages:
        if wanted(page_path(page.url)):
            yield partial(timeline_page_context, derived, filtered, page)
    for one_filter in filtered:
        for page in one_filter.pages:
            if wanted(page_path(page.url)):
                yield partial(filtered_page_context, derived, filtered, one_filter, page)


def timeline_index_context(
    derived: Derived, filtered: tuple[FilteredTimeline, ...]
) -> TimelineContext:
    """The index of a timeline split by year: its years and months."""
    archive = derived.archive
    timeline = derived.timeline
    meta = make_meta(archive, "timeline/", "Timeline", TIMELINE_DESCRIPTION, "timeline")
    return TimelineContext(
        meta,
        "Timeline",
        None,
        timeline.years,
        len(timeline.entries),
        None,
        jump_list(archive, timeline, None),
        filter_groups(archive, filtered, ()),
        None,
        MappingProxyType({}),
    )


def timeline_page_context(
    derived: Derived, filtered: tuple[FilteredTimeline, ...], page: TimelinePage
) -> TimelineContext:
    """A page of the timeline: the whole, a year's or a month's."""
    archive = derived.archive
    timeline = derived.timeline
    entries = page.entries
    title = page_title(page)
    meta = make_meta(
        archive,
        page.url,
        title,
        TIMELINE_DESCRIPTION,
        "timeline",
        json_ld=structured.timeline_json_ld(archive, entries),
    )
    month = page.months[0] if page.year and page.months else None
    if page.year is None:
        count = len(timeline.entries)
    elif month is not None and not month.anchor.endswith("-00"):
        count = month.entry_count
    else:
        count = page.year.entry_count
    years = (page.year,) if page.year else ()
    return TimelineContext(
        meta,
        title,
        page,
        years,
        count,
        Pager(page.page_urls, page.number),
        jump_list(archive, timeline, page),
        filter_groups(archive, filtered, entries),
        None,
        keys_by_entry(entries),
    )


def page_title(page: TimelinePage) -> str:
    return page.heading if page.number == 1 else f"{page.heading}, page {page.number}"


def filtered_page_context(
    derived: Derived,
    filtered: tuple[FilteredTimeline, ...],
    one_filter: FilteredTimeline,
    page: TimelinePage,
) -> TimelineContext:
    """A page of one filtered timeline: not searched (the timeline's entries are there
    already), and without JSON-LD of its own."""
    archive = derived.archive
    link = one_filter.link
    description = f"The events of the archive's timeline: {link.label.lower()}, in date order."
    entries = page.entries
    meta = make_meta(archive, page.url, page_title(page), description, "timeline")
    return TimelineContext(
        meta,
        page_title(page),
        page,
        (),
        link.count,
        Pager(page.page_urls, page.number),
        jump_list(archive, derived.timeline, page),
        filter_groups(archive, filtered, entries),
        link,
        keys_by_entry(entries),
    )


def figures_context(derived: Derived) -> FiguresContext:
    description = (
        "Every figure in the archive by metric, with disagreements between sources flagged."
    )
    meta = make_meta(derived.archive, "figures/", "Figures", description, "figures")
    flags_by_metric = {c.metric.metric_id: derived.metric_flags(c) for c in derived.figures.metrics}
    families = tuple(
        dataclasses.replace(f, claims=f.claims[-LATEST_CLAIMS_IN_FAMILY:])
        for f in metric_families(derived.figures)
    )
    return FiguresContext(
        meta, families, MappingProxyType(flags_by_metric), len(derived.flags), FLAGS_ON_METRIC_CARD
    )


def disagreements_context(derived: Derived, number: int = 1) -> DisagreementsContext:
    """The flags, conflicts first, FLAGS_PER_PAGE to a page (see `views.describe_flag`)."""
    archive = derived.archive
    description = (
        "Every pair of claims in the archive that cannot both be true, or only just can: "
        "conflicts first, each with both sides, the rule and both source sentences."
    )
    conflict_count = sum(1 for f in derived.flags if f.flag.severity == "conflict")
    pagers = paginate(DISAGREEMENTS_URL, len(derived.flags), FLAGS_PER_PAGE)
    pager = pagers[number - 1]
    url = pager.urls[pager.number - 1]
    first = (pager.number - 1) * FLAGS_PER_PAGE
    on_page = derived.flags[first : first + FLAGS_PER_PAGE]
    title = "Disagreements" + (f", page {pager.number}" if pager.number > 1 else "")
    meta = make_meta(
        archive,
        url,
        title,
        description,
        "disagreements",
        searchable=pager.number == 1,
        json_ld=structured.disagreements_json_ld(archive, url, [f.flag for f in on_page]),
    )
    return DisagreementsContext(
        meta,
        conflicts=tuple(f for f in on_page if f.flag.severity == "conflict"),
        tensions=tuple(f for f in on_page if f.flag.severity == "tension"),
        conflict_count=conflict_count,
        tension_count=len(derived.flags) - conflict_count,
        pager=pager,
        starts=(first + 1, max(first - conflict_count, 0) + 1),
    )


def metric_context(
    derived: Derived, comparison: MetricComparison, chart: Markup, number: int = 1
) -> MetricContext:
    """The metric's page, its table of claims METRIC_CLAIMS_PER_PAGE rows to a page (as
    `Archive.url_figure` numbers them); the chart and the flags on the first."""
    archive = derived.archive
    metric = comparison.metric
    description = f"Every claim about {metric.label.lower()} ({metric.scope}), compared over time."
    by_metric = derived.figures.by_metric
    flags = derived.metric_flags(comparison)
    url = archive.url_metric(metric.metric_id)
    pager = paginate(url, len(comparison.claims), METRIC_CLAIMS_PER_PAGE)[number - 1]
    first = (pager.number - 1) * METRIC_CLAIMS_PER_PAGE
    meta = make_meta(
        archive,
        paged_url(url, pager.number),
        metric.label + (f", page {pager.number}" if pager.number > 1 else ""),
        description,
        "figures",
        searchable=pager.number == 1,
        json_ld=structured.metric_json_ld(archive, comparison) if pager.number == 1 else None,
        **og_image_meta(
            og_image.metric_image(metric.metric_id), og_image.metric_card(archive, metric.metric_id)
        ),
    )
    return MetricContext(
        meta,
        comparison,
        flags=flags[:FLAGS_ON_METRIC_PAGE],
        compared=tuple(by_metric[r] for r in comparison.compared_ids),
        side_by_side=tuple(
            by_metric[r] for r in comparison.related_ids if r not in comparison.compared_ids
        ),
        chart=chart,
        window_days=comparison.metric.window_days or archive.site.comparison.window_days,
        kind_text=KIND_TEXT[comparison.metric.kind],
        table=dataclasses.replace(
            comparison, claims=comparison.claims[first : first + METRIC_CLAIMS_PER_PAGE]
        ),
        pager=pager,
        flag_count=len(flags),
        cite=metric_cite(
            archive, metric.metric_id, comparison.claims[first : first + METRIC_CLAIMS_PER_PAGE]
        ),
    )


def actors_context(derived: Derived) -> ActorsContext:
    archive = derived.archive
    facts = derived.relations.facts
    kinds = tuple(
        (
            group,
            tuple(
                ActorCount(link_actor(archive, a.actor_id), len(facts[a.actor_id].articles))
                for a in group.actors
            ),
        )
        for group in derived.relations.kinds
    )
    description = "The people, states, bodies and groups named in the archive, by kind."
    return ActorsContext(make_meta(archive, "actors/", "Actors", description, "actors"), kinds)


def actor_context(derived: Derived, actor_id: str, number: int = 1) -> ActorContext:
    """The actor's pages: page n holds the n-th slice of each of its lists."""
    archive = derived.archive
    actor = archive.actors[actor_id]
    entries = derived.timeline.entry_by_id
    facts = derived.relations.facts[actor_id]
    kind_heading = KIND_HEADINGS[actor.kind]
    description = f"{actor.name}: articles, events, figures and quotes in the archive."
    url = archive.url_actor(actor_id)
    sizes = ACTOR_PAGE_SIZES
    totals = (len(facts.articles), len(facts.event_ids), len(facts.figures), len(facts.quotes))
    count = actor_page_count(derived, actor_id)
    pager = paginate(url, count, 1)[number - 1]
    n = pager.number - 1
    firsts = tuple(n * size for size in sizes)

    def page_slice(items: tuple[T, ...], which: int) -> tuple[T, ...]:
        return items[firsts[which] : firsts[which] + sizes[which]]

    # The summary and the related actors show on the first page only: an actor of a large
    # archive has hundreds of related actors and tens of pages.
    first_page = pager.number == 1
    related = (
        tuple(
            ActorCount(
                link_actor(archive, r.actor_id),
                r.weight,
                relation_detail(r.shared_articles, r.shared_events),
            )
            for r in derived.relations.related[actor_id]
        )
        if first_page
        else ()
    )

    meta = make_meta(
        archive,
        paged_url(url, pager.number),
        actor.name + (f", page {pager.number}" if pager.number > 1 else ""),
        description,
        "actors",
        og_type="profile",
        searchable=pager.number == 1,
        json_ld=structured.actor_json_ld(archive, actor) if pager.number == 1 else None,
    )
    return ActorContext(
        meta=meta,
        actor=actor,
        kind_heading=kind_heading,
        summary_html=render_markdown(actor.summary_md) if first_page else Markup(""),
        part_of=part_of_chain(archive, actor_id),
        members=tuple(link_actor(archive, m) for m in archive.members_by_actor[actor_id]),
        articles=tuple((describe_article(archive, a), k) for a, k in page_slice(facts.articles, 0)),
        entries=tuple(entries[e] for e in page_slice(facts.event_ids, 1)),
        figures=describe_claim_items(
            archive, page_slice(facts.figures, 2), derived.flags_by_figure, derived.claim_by_id
        ),
        quotes=tuple(describe_quote(archive, q) for q in page_slice(facts.quotes, 3)),
        related=related,
        pager=pager,
        totals=totals,
        firsts=(firsts[0] + 1, firsts[1] + 1, firsts[2] + 1, firsts[3] + 1),
    )


def sources_context(derived: Derived, number: int = 1) -> SourcesContext:
    """Every fact sheet by outlet (outlets by name, newest first within each), a hundred to
    a page, after an index of the outlets."""
    archive = derived.archive
    ordered = sources_order(archive)
    by_outlet: dict[str, list[Article]] = {}
    for name, article in ordered:
        by_outlet.setdefault(name, []).append(article)
    names = list(by_outlet)
    per_page = ARTICLES_PER_SOURCES_PAGE
    starts: dict[str, int] = {}
    for position, (name, _) in enumerate(ordered):
        starts.setdefault(name, position)
    index = tuple(
        OutletLink(name, len(by_outlet[name]), paged_url("sources/", starts[name] // per_page + 1))
        for name in names
    )
    description = "The outlets whose articles the fact sheets are built on."
    pager = paginate("sources/", len(ordered), per_page)[number - 1]
    on_page = ordered[(pager.number - 1) * per_page :][:per_page]
    outlets: dict[str, list[ArticleItem]] = {}
    for name, article in on_page:
        outlets.setdefault(name, []).append(describe_article(archive, article))
    title = "Sources" + (f", page {pager.number}" if pager.number > 1 else "")
    meta = make_meta(archive, paged_url("sources/", pager.number), title, description, "sources")
    return SourcesContext(
        meta,
        tuple((name, tuple(items)) for name, items in outlets.items()),
        index,
        len(ordered),
        pager,
    )


def sources_order(archive: Archive) -> list[tuple[str, Article]]:
    """Every fact sheet with its outlet, as the sources pages list them: outlets by name,
    newest first within each."""
    by_outlet: dict[str, list[Article]] = {}
    for article in archive.articles:
        by_outlet.setdefault(article.outlet, []).append(article)
    return [(name, a) for name in sorted(by_outlet, key=str.casefold) for a in by_outlet[name]]


# ---- the pages of each paginated listing: page 1 is the listing's own URL ------------------


def disagreements_page_count(derived: Derived) -> int:
    return page_total(len(derived.flags), FLAGS_PER_PAGE)


def metric_page_count(comparison: MetricComparison) -> int:
    return page_total(len(comparison.claims), METRIC_CLAIMS_PER_PAGE)


def actor_page_count(derived: Derived, actor_id: str) -> int:
    facts = derived.relations.facts[actor_id]
    totals = (len(facts.articles), len(facts.event_ids), len(facts.figures), len(facts.quotes))
    return max(page_total(t, size) for t, size in zip(totals, ACTOR_PAGE_SIZES, strict=True))


def sources_page_count(derived: Derived) -> int:
    return page_total(len(derived.archive.articles), ARTICLES_PER_SOURCES_PAGE)


def scope_example(archive: Archive) -> tuple[str, ...]:
    """Two scopes of the archive's metrics, for the about page's example of figures never
    compared: the first pair declared side by side only (`compare: false`) over different
    scopes, else the two scopes most metrics are over; the more common scope first. Empty
    with fewer than two scopes."""
    metrics = archive.metrics
    counts: dict[str, int] = {}
    for metric in metrics.values():
        counts[metric.scope] = counts.get(metric.scope, 0) + 1
    ranked = sorted(counts, key=lambda scope: -counts[scope])  # stable: ties keep id order
    for metric in metrics.values():
        for relation in metric.related:
            other = metrics.get(relation.metric_id)
            if not relation.compare and other is not None and other.scope != metric.scope:
                return tuple(sorted((metric.scope, other.scope), key=ranked.index))
    return tuple(ranked[:2]) if len(ranked) >= 2 else ()


def fixed_contexts(derived: Derived) -> Iterator[tuple[str, PageContext]]:
    """About, search, data and 404, with the template each uses."""
    archive = derived.archive
    site = archive.site

    def info(meta: PageMeta) -> InfoContext:
        settings = site.comparison
        return InfoContext(
            meta,
            settings.window_days,
            round(settings.about_tolerance * 100),
            structured.DOWNLOADS,
            scope_example(archive),
        )

    yield (
        "about.html",
        info(
            make_meta(
                archive,
                "about/",
                "About the method",
                "How the fact sheets are made and checked.",
                "about",
            )
        ),
    )
    yield (
        "search.html",
        info(make_meta(archive, "search/", "Search", f"Search {site.title}.", "search")),
    )
    yield "data.html", data_context(derived)
    yield (
        "404.html",
        info(
            make_meta(
                archive,
                "404.html",
                "Page not found",
                "This page does not exist.",
                "",
                absolute_links=True,
            )
        ),
    )
