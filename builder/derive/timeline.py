"""Timeline: the events of every article merged into one dated list.

Input: an `Archive`.
Output: `Timeline`: entries grouped by year, month and day. Reports that share an
`event_id` become ONE `TimelineEntry` listing every source, with a corroboration count and a
note when the sources give different dates. Approximate dates (month or year only, or a
label such as "late summer") form their own group before the exact days of their period.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby
from types import MappingProxyType

from builder.index import Archive, consensus_date, event_anchor
from builder.model import Event, FuzzyDate


@dataclass(frozen=True, slots=True)
class ActorLink:
    actor_id: str
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class EventReport:
    """One article's report of an event."""

    event: Event
    outlet: str
    article_title: str
    article_url: str
    passage_url: str
    date_text: str


@dataclass(frozen=True, slots=True)
class ReportedDate:
    """One date that sources give for an event, with the reports that give it."""

    date: FuzzyDate
    date_text: str
    reports: tuple[EventReport, ...]  # oldest article first


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    event_id: str
    anchor: str  # the entry's id on its timeline page
    url: str  # site-relative link to the entry
    date: FuzzyDate  # the date the entry is filed under (see `consensus_date`)
    date_text: str
    title: str
    reports: tuple[EventReport, ...]  # oldest article first
    actors: tuple[ActorLink, ...]  # union over the reports, in first-seen order
    dates_differ: bool  # some two reports give dates that cannot name the same day
    is_approximate: bool
    place: str | None  # the first report's place that the source states, if any
    # Each distinct date with its sources, in date order; shown when `dates_differ`.
    reported_dates: tuple[ReportedDate, ...] = ()

    @property
    def source_count(self) -> int:
        return len(self.reports)


@dataclass(frozen=True, slots=True)
class DayGroup:
    heading: str  # "26 November 2016", or "Day not given" for approximate dates
    anchor: str
    entries: tuple[TimelineEntry, ...]


@dataclass(frozen=True, slots=True)
class MonthGroup:
    heading: str  # "November 2016", or "2016" for the events dated only by their year
    anchor: str
    days: tuple[DayGroup, ...]
    url: str  # the first timeline page holding this month
    entry_count: int  # in the whole month, on every page


@dataclass(frozen=True, slots=True)
class YearGroup:
    year: int
    url: str  # the year's page: its months, and its events dated only by the year
    months: tuple[MonthGroup, ...]
    entry_count: int


@dataclass(frozen=True, slots=True)
class TimelinePage:
    """One page of the timeline: the whole of a small one, else one page of one month (or of
    the events a year's page holds), with the other pages of that period for the pager."""

    url: str
    heading: str  # "Timeline", "Timeline: 2016", "Timeline: November 2016"
    year: YearGroup | None  # the year this page belongs to; None for a one-page timeline
    months: tuple[MonthGroup, ...]  # the entries on this page, by month and day
    page_urls: tuple[str, ...]  # every page of this page's period, in order
    number: int  # this page's place in `page_urls`, from 1

    @property
    def entries(self) -> tuple[TimelineEntry, ...]:
        return tuple(e for m in self.months for d in m.days for e in d.entries)


@dataclass(frozen=True, slots=True)
class Timeline:
    years: tuple[YearGroup, ...]
    entries: tuple[TimelineEntry, ...]  # date order
    entry_by_id: Mapping[str, TimelineEntry]
    split_by_year: bool  # an index of years and months, with a page per month
    pages: tuple[TimelinePage, ...] = ()


def build_timeline(archive: Archive) -> Timeline:
    """All events, merged by event id, in date order and grouped by year, month and day."""
    entries = sorted(
        (merge_reports(archive, reports) for reports in archive.reports_by_event.values()),
        key=lambda e: (e.date.sort_key(), e.event_id),
    )
    years = tuple(
        group_year(archive, year, tuple(group))
        for year, group in groupby(entries, key=lambda e: e.date.year)
    )
    split = archive.timeline_split_by_year
    return Timeline(
        years=years,
        entries=tuple(entries),
        entry_by_id=MappingProxyType({e.event_id: e for e in entries}),
        split_by_year=split,
        pages=tuple(split_pages(archive, years)) if split else (one_page(years),),
    )


def one_page(years: tuple[YearGroup, ...]) -> TimelinePage:
    months = tuple(m for y in years for m in y.months)
    return TimelinePage("timeline/", "Timeline", None, months, ("timeline/",), 1)


def split_pages(archive: Archive, years: tuple[YearGroup, ...]) -> Iterator[TimelinePage]:
    """A page per year, then the pages of each of its months; the entries of a period are
    cut into pages where `Archive.url_event` says (see `index.timeline_urls`)."""
    for year in years:
        year_only = [m for m in year.months if m.anchor.endswith("-00")]
        chunks = list(page_chunks(year_only[0])) if year_only else [((), year.url)]
        urls = tuple(url for _, url in chunks)
        for number, (days, url) in enumerate(chunks, start=1):
            months = (dataclasses.replace(year_only[0], days=days),) if days else ()
            yield TimelinePage(url, f"Timeline: {year.year}", year, months, urls, number)
        for month in year.months:
            if month in year_only:
                continue
            chunks = list(page_chunks(month))
            urls = tuple(url for _, url in chunks)
            for number, (days, url) in enumerate(chunks, start=1):
                single = (dataclasses.replace(month, days=days),)
                yield TimelinePage(url, f"Timeline: {month.heading}", year, single, urls, number)


def page_chunks(month: MonthGroup) -> Iterator[tuple[tuple[DayGroup, ...], str]]:
    """The month's days cut where its entries' pages change (a day may continue over two)."""
    entries = [e for d in month.days for e in d.entries]
    for url, on_page in groupby(entries, key=lambda e: e.url.partition("#")[0]):
        yield group_days(tuple(on_page)), url


def merge_reports(archive: Archive, reports: Iterable[Event]) -> TimelineEntry:
    """One entry for every report of an event; the first (oldest) report gives the title."""
    reports = tuple(reports)
    first = reports[0]
    date = consensus_date(reports)
    actor_ids = list(dict.fromkeys(a for r in reports for a in r.actor_ids))
    described = tuple(describe_report(archive, r) for r in reports)
    return TimelineEntry(
        event_id=first.event_id,
        anchor=event_anchor(first.event_id),
        url=archive.url_event(first.event_id),
        date=date,
        date_text=date.human(),
        title=first.title,
        reports=described,
        actors=tuple(link_actor(archive, a) for a in actor_ids),
        dates_differ=any(not dates_agree(a.date, b.date) for a in reports for b in reports),
        is_approximate=any(not r.date.is_exact or r.date.label is not None for r in reports),
        place=next((r.place for r in reports if r.place is not None), None),
        reported_dates=group_by_date(described),
    )


def group_by_date(reports: tuple[EventReport, ...]) -> tuple[ReportedDate, ...]:
    """The distinct dates the reports give, in date order, each with its reports."""
    dates = sorted({r.event.date for r in reports}, key=lambda d: d.sort_key())
    return tuple(
        ReportedDate(d, d.human(), tuple(r for r in reports if r.event.date == d)) for d in dates
    )


def dates_agree(a: FuzzyDate, b: FuzzyDate) -> bool:
    """Whether two dates can name the same day: "September 2016" agrees with "mid-September
    2016" and with "15 September 2016", but not with "16 September 2016"."""
    return (
        a.year == b.year
        and (a.month is None or b.month is None or a.month == b.month)
        and (a.day is None or b.day is None or a.day == b.day)
    )


def describe_report(archive: Archive, event: Event) -> EventReport:
    article = archive.article_by_slug[event.article_slug]
    return EventReport(
        event=event,
        outlet=article.outlet,
        article_title=article.title,
        article_url=archive.url_article(article.slug),
        passage_url=archive.url_passage(article.slug, event.passage),
        date_text=event.date.human(),
    )


def link_actor(archive: Archive, actor_id: str) -> ActorLink:
    return ActorLink(actor_id, archive.actors[actor_id].name, archive.url_actor(actor_id))


def group_year(archive: Archive, year: int, entries: tuple[TimelineEntry, ...]) -> YearGroup:
    months = []
    for month, grouped in groupby(entries, key=lambda e: e.date.month):
        in_month = tuple(grouped)
        months.append(
            MonthGroup(
                heading=FuzzyDate(year, month).human() if month else str(year),
                anchor=f"m{year:04d}-{month or 0:02d}",
                days=group_days(in_month),
                url=in_month[0].url.partition("#")[0],
                entry_count=len(in_month),
            )
        )
    return YearGroup(year, archive.url_timeline_page(year), tuple(months), len(entries))


def group_days(entries: tuple[TimelineEntry, ...]) -> tuple[DayGroup, ...]:
    """Exact days get their own group; approximate dates of the month share one, first."""
    groups = []
    for date_key, in_day in groupby(entries, key=lambda e: (e.date.month, e.date.day)):
        month, day = date_key
        sample = FuzzyDate(entries[0].date.year, month, day)
        heading = (
            sample.human() if day else ("Day not given" if month else "Only the year is given")
        )
        groups.append(
            DayGroup(
                heading, f"d{sample.iso()}" if day else f"d{sample.iso()}-approx", tuple(in_day)
            )
        )
    return tuple(groups)
