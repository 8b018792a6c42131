"""Timeline navigation: the jump list and the filters of each timeline page, and the filtered
timeline pages that make the place and corroboration filters work without JavaScript.

Input: the `Timeline` and the `Archive`.
Output: `JumpYear`s (years, months and days to jump to), `FilterGroup`s (links by actor,
source, place and corroboration) and `FilteredTimeline`s (the no-JavaScript pages).

Without JavaScript every filter is a plain link: a place or a corroboration level to its own
filtered timeline (`timeline/place/<slug>/`, `timeline/corroborated/`,
`timeline/single-source/`, paginated like the month pages), an actor to the events section of
its actor page and a source to the events section of its fact sheet, which list exactly those
events already. So an archive of any size adds one copy of the timeline (split by
corroboration) plus one per place, and no page per actor or article. With JavaScript
(static/timeline.js) the same links filter the entries of the page in place: each entry
carries its keys (`EntryKeys`) and each link its key and value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby
from types import MappingProxyType

from builder.derive.timeline import (
    MonthGroup,
    Timeline,
    TimelineEntry,
    TimelinePage,
    YearGroup,
    group_year,
)
from builder.english import slugify
from builder.index import TIMELINE_ENTRIES_PER_PAGE, Archive, paged_url

# Actors and sources listed in a page's filters; the rest are a link away (the actors index,
# the sources page), and a page holds at most TIMELINE_ENTRIES_PER_PAGE entries anyway.
FILTER_LINKS_PER_GROUP = 40
CORROBORATION_PAGES = (
    ("multiple", "Reported by 2 or more sources", "timeline/corroborated/"),
    ("single", "Reported by 1 source", "timeline/single-source/"),
)


@dataclass(frozen=True)
class JumpLink:
    label: str
    url: str  # site-relative, with the fragment of its heading


@dataclass(frozen=True)
class JumpMonth:
    label: str
    url: str
    count: int
    current: bool  # the month of a split timeline that this page shows
    days: tuple[JumpLink, ...]  # its days on this page (none for months on other pages)


@dataclass(frozen=True)
class JumpYear:
    year: int
    url: str  # "" when the year has no page of its own (a one-page timeline)
    count: int
    months: tuple[JumpMonth, ...]


@dataclass(frozen=True)
class FilterLink:
    key: str  # "actor" | "source" | "place" | "corroboration": the query parameter of the JS
    value: str  # an actor id, an article slug, a place slug, "multiple" or "single"
    label: str
    count: int
    url: str  # where the link goes without JavaScript


@dataclass(frozen=True)
class FilterGroup:
    key: str
    heading: str
    links: tuple[FilterLink, ...]
    more_url: str  # where the links left off are listed ("" when none is)
    more: int  # how many were left off


@dataclass(frozen=True)
class EntryKeys:
    """What an entry is filtered by, as the space-separated values of its data-* attributes."""

    actors: str
    sources: str
    place: str
    corroboration: str


@dataclass(frozen=True)
class FilteredTimeline:
    """The entries one filter lets through, cut into pages of the month pages' size."""

    link: FilterLink
    heading: str
    pages: tuple[TimelinePage, ...]


def place_slug(place: str) -> str:
    """ "east Aleppo" -> "east-aleppo"; spellings that differ only in case or accents share one."""
    return slugify(place, max_words=12)


def place_url(slug: str) -> str:
    return f"timeline/place/{slug}/"


def corroboration(entry: TimelineEntry) -> str:
    return corroboration_of(entry.source_count)


def corroboration_of(reports: int) -> str:
    """The corroboration filter an event of this many reports falls under."""
    return "multiple" if reports > 1 else "single"


def entry_keys(entry: TimelineEntry) -> EntryKeys:
    sources = dict.fromkeys(r.event.article_slug for r in entry.reports)
    return EntryKeys(
        actors=" ".join(a.actor_id for a in entry.actors),
        sources=" ".join(sources),
        place=place_slug(entry.place) if entry.place else "",
        corroboration=corroboration(entry),
    )


def keys_by_entry(entries: tuple[TimelineEntry, ...]) -> Mapping[str, EntryKeys]:
    return MappingProxyType({e.event_id: entry_keys(e) for e in entries})


# ---- the no-JavaScript pages of the place and corroboration filters --------------------------


def filtered_timelines(archive: Archive, timeline: Timeline) -> tuple[FilteredTimeline, ...]:
    """A filtered timeline per corroboration level and per place that some event names."""
    filters: list[tuple[FilterLink, str, tuple[TimelineEntry, ...]]] = []
    for value, label, url in CORROBORATION_PAGES:
        matching = tuple(e for e in timeline.entries if corroboration(e) == value)
        if matching:
            link = FilterLink("corroboration", value, label, len(matching), url)
            filters.append((link, f"Timeline: {label.lower()}", matching))
    for slug, (name, matching) in sorted(places(timeline.entries).items()):
        link = FilterLink("place", slug, name, len(matching), place_url(slug))
        filters.append((link, f"Timeline: {name}", matching))
    return tuple(
        FilteredTimeline(link, heading, tuple(filtered_pages(archive, link.url, heading, matching)))
        for link, heading, matching in filters
    )


def filter_first_page_urls(archive: Archive) -> tuple[str, ...]:
    """The first page of every filtered timeline, worked out from the reports alone (as
    `filtered_timelines` finds them in the derived timeline): for checking summary links
    before derive."""
    levels: set[str] = set()
    urls: set[str] = set()
    for reports in archive.reports_by_event.values():
        levels.add(corroboration_of(len(reports)))
        place = next((r.place for r in reports if r.place is not None), None)
        if place is not None:
            urls.add(place_url(place_slug(place)))
    levels_urls = (url for value, _, url in CORROBORATION_PAGES if value in levels)
    return (*levels_urls, *sorted(urls))


def places(entries: tuple[TimelineEntry, ...]) -> dict[str, tuple[str, tuple[TimelineEntry, ...]]]:
    """Place slug -> (the place as first written, its entries in date order)."""
    found: dict[str, tuple[str, list[TimelineEntry]]] = {}
    for entry in entries:
        if entry.place:
            found.setdefault(place_slug(entry.place), (entry.place, []))[1].append(entry)
    return {slug: (name, tuple(matching)) for slug, (name, matching) in found.items()}


def filtered_pages(
    archive: Archive, url: str, heading: str, entries: tuple[TimelineEntry, ...]
) -> Iterator[TimelinePage]:
    per_page = TIMELINE_ENTRIES_PER_PAGE
    urls = tuple(paged_url(url, n + 1) for n in range(-(-len(entries) // per_page)))
    for n, page_url in enumerate(urls):
        chunk = entries[n * per_page : (n + 1) * per_page]
        months = tuple(m for y in group_years(archive, chunk) for m in y.months)
        yield TimelinePage(page_url, heading, None, months, urls, n + 1)


def group_years(archive: Archive, entries: tuple[TimelineEntry, ...]) -> tuple[YearGroup, ...]:
    return tuple(
        group_year(archive, year, tuple(in_year))
        for year, in_year in groupby(entries, key=lambda e: e.date.year)
    )


# ---- the jump list ---------------------------------------------------------------------------


def jump_list(
    archive: Archive, timeline: Timeline, page: TimelinePage | None
) -> tuple[JumpYear, ...]:
    """Years and months to jump to, and the days of the months on this page.

    The index of a split timeline links every year and month page; a month (or year) page
    links the months of its year and its own days; a one-page timeline and a filtered page
    link their months and days by their headings' anchors."""
    if page is None:
        return tuple(year_jump(y, (), "") for y in timeline.years)
    if page.year is not None:
        return (year_jump(page.year, page.months, page.url),)
    return tuple(
        JumpYear(
            y.year, "", y.entry_count, tuple(month_jump(m, page.url, m, False) for m in y.months)
        )
        for y in group_years(archive, page.entries)
    )


def year_jump(year: YearGroup, on_page: tuple[MonthGroup, ...], page_url: str) -> JumpYear:
    """A year of a split timeline: its months' pages, the months on this page (`page_url`)
    current, their days linked on this page (a long month runs over several pages)."""
    own = {m.anchor: m for m in on_page}
    months = tuple(
        month_jump(m, page_url if m.anchor in own else m.url, own.get(m.anchor), m.anchor in own)
        for m in year.months
        if not m.anchor.endswith("-00") or m.anchor in own
    )
    return JumpYear(year.year, year.url, year.entry_count, months)


def month_jump(month: MonthGroup, url: str, on_page: MonthGroup | None, current: bool) -> JumpMonth:
    """A month's link, with its days when this page shows them (then it links its heading)."""
    page_url = url.partition("#")[0]
    days = tuple(
        JumpLink(day_label(d.entries[0]), f"{page_url}#{d.anchor}")
        for d in (on_page.days if on_page else ())
    )
    count = sum(len(d.entries) for d in on_page.days) if on_page else month.entry_count
    label = "month not given" if month.anchor.endswith("-00") else month.heading
    # A month of one day group needs no day links: the month's own link lands there.
    shown = days if len(days) > 1 else ()
    link = f"{page_url}#{month.anchor}" if on_page else url
    return JumpMonth(label, link, count, current, shown)


def day_label(entry: TimelineEntry) -> str:
    date = entry.date
    return str(date.day) if date.day and date.is_exact else "undated"


# ---- the filters of a page -------------------------------------------------------------------


def filter_groups(
    archive: Archive, filtered: tuple[FilteredTimeline, ...], entries: tuple[TimelineEntry, ...]
) -> tuple[FilterGroup, ...]:
    """Corroboration and place (every filtered timeline, counted over the whole timeline);
    actor and source (those of this page's entries, counted on this page). Empty groups go."""

    def pages_of(key: str, heading: str) -> FilterGroup:
        return FilterGroup(
            key, heading, tuple(f.link for f in filtered if f.link.key == key), "", 0
        )

    groups = (
        pages_of("corroboration", "Corroboration"),
        pages_of("place", "Place"),
        capped("actor", "Actor (events on this page)", actor_links(archive, entries), "actors/"),
        capped(
            "source", "Source (events on this page)", source_links(archive, entries), "sources/"
        ),
    )
    return tuple(group for group in groups if group.links)


def capped(key: str, heading: str, links: tuple[FilterLink, ...], more_url: str) -> FilterGroup:
    shown = links[:FILTER_LINKS_PER_GROUP]
    return FilterGroup(key, heading, shown, more_url, len(links) - len(shown))


def actor_links(archive: Archive, entries: tuple[TimelineEntry, ...]) -> tuple[FilterLink, ...]:
    """The actors of the entries, most events first: each to its actor page's events."""
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    for entry in entries:
        for actor in entry.actors:
            counts[actor.actor_id] = counts.get(actor.actor_id, 0) + 1
            names[actor.actor_id] = actor.name
    ranked = sorted(counts, key=lambda a: (-counts[a], names[a].casefold(), a))
    return tuple(
        FilterLink("actor", a, names[a], counts[a], archive.url_actor(a) + "#events")
        for a in ranked
    )


def source_links(archive: Archive, entries: tuple[TimelineEntry, ...]) -> tuple[FilterLink, ...]:
    """The articles reporting the entries, newest first: each to its fact sheet's events."""
    counts: dict[str, int] = {}
    for entry in entries:
        for slug in dict.fromkeys(r.event.article_slug for r in entry.reports):
            counts[slug] = counts.get(slug, 0) + 1
    order = archive.article_positions
    return tuple(
        FilterLink(
            "source",
            slug,
            source_label(archive, slug),
            counts[slug],
            archive.url_article(slug) + "#events",
        )
        for slug in sorted(counts, key=order.__getitem__)
    )


def source_label(archive: Archive, slug: str) -> str:
    article = archive.article_by_slug[slug]
    return f"{article.outlet}, {article.published.human()}"
