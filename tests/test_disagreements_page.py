"""The disagreements page on the shipped archive: which pairs are flagged, how, and in what order.

Each entry is read from the built HTML; its two claims are identified by the permalinks it
links to (`articles/<slug>/#<figure id>`) and looked up in the archive, so that the
assertions name figures by metric and value rather than by id. The issue's outcomes:
growth of a running total, counts over different periods and an offensive's progress are
not flagged; the Wednesday-versus-recent-days pair is a tension naming its assumption; the
UN's estimates of people trapped are flagged against one another; a part cannot exceed the
whole; and the start of the offensive is one timeline entry with its two dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from builder.build import BuildReport
from builder.derive.figures import compare_figures
from builder.index import Archive
from builder.model import Figure
from tests.htmlparse import Element, parse_page, resolve_link

PAGE = "disagreements/index.html"


@dataclass(frozen=True)
class Entry:
    """One flagged pair as the page shows it."""

    element: Element
    entry_id: str
    severity: str
    rule: str
    reason: str
    first: Figure
    second: Figure

    @property
    def figures(self) -> tuple[Figure, Figure]:
        return (self.first, self.second)


@cache
def parse(path: str) -> Element:
    return parse_page(Path(path))


def page(site: Path, rel: str) -> Element:
    return parse(str(site / rel))


def read_entries(site: Path, archive: Archive) -> list[Entry]:
    """Every entry of the disagreements page, in page order."""
    figures = {f.figure_id: f for f in archive.figures}
    entries = []
    for item in page(site, PAGE).find_all("li", class_="flag-entry"):
        sides = item.find_all("div", class_="flag-side")
        assert len(sides) == 2, item.get("id")
        ids = []
        for side in sides:
            (permalink,) = [a for a in side.find_all("a") if "fact sheet" in a.text()]
            ids.append(resolve_link(PAGE, permalink.get("href"))[1])
        severity = next(c for c in item.classes if c in ("conflict", "tension"))
        reason_line = item.find("p", class_="flag-reason")
        assert reason_line is not None
        badges = [b.text() for b in reason_line.find_all("span", class_="badge")]
        rule = next(b.removeprefix("rule: ") for b in badges if b.startswith("rule: "))
        entries.append(
            Entry(
                item,
                item.get("id"),
                severity,
                rule,
                reason_line.text(),
                figures[ids[0]],
                figures[ids[1]],
            )
        )
    return entries


@pytest.fixture(scope="module")
def entries(built_site: Path, build_report: BuildReport) -> list[Entry]:
    return read_entries(built_site, build_report.archive)


def find_figure(archive: Archive, metric_id: str, value: float, **fields: object) -> Figure:
    """The one figure of `metric_id` whose low value is `value` (and that has `fields`)."""
    found = [
        f
        for f in archive.figures
        if f.metric_id == metric_id
        and f.low == value
        and all(getattr(f, k) == v for k, v in fields.items())
    ]
    assert len(found) == 1, f"{metric_id} {value}: {[f.figure_id for f in found]}"
    return found[0]


def pair_entries(entries: Iterable[Entry], a: Figure, b: Figure) -> list[Entry]:
    return [
        e for e in entries if {e.first.figure_id, e.second.figure_id} == {a.figure_id, b.figure_id}
    ]


def one_entry(entries: Iterable[Entry], a: Figure, b: Figure) -> Entry:
    found = pair_entries(entries, a, b)
    assert len(found) == 1, f"{a.figure_id} and {b.figure_id} are flagged {len(found)} times"
    return found[0]


# ---- the page itself -------------------------------------------------------------------------


def test_every_flag_is_listed_once_conflicts_first_then_by_date(
    entries: list[Entry], build_report: BuildReport
) -> None:
    flags = compare_figures(build_report.archive).disagreements
    assert [e.entry_id for e in entries] == [d.disagreement_id for d in flags]
    assert entries, "the shipped archive has flags"
    severities = [e.severity for e in entries]
    assert severities == sorted(severities, key=("conflict", "tension").index)
    for severity in ("conflict", "tension"):
        dates = [e.first.as_of.sort_key() for e in entries if e.severity == severity]
        assert dates == sorted(dates)
    for entry, flag in zip(entries, flags, strict=True):
        assert (entry.severity, entry.rule) == (flag.severity, flag.rule)
        assert flag.reason in entry.reason
        assert ("same claimant" in entry.reason) == flag.same_claimant


def test_each_entry_shows_both_sides_and_links_to_both_sentences_and_claims(
    built_site: Path, entries: list[Entry], build_report: BuildReport
) -> None:
    archive = build_report.archive
    for entry in entries:
        sides = entry.element.find_all("div", class_="flag-side")
        for side, figure in zip(sides, entry.figures, strict=True):
            text = side.text()
            claimant = archive.actors[figure.claimant_id].name if figure.claimant_id else None
            assert (claimant or "unattributed") in text
            assert figure.as_of.human() in text
            if figure.period is not None:
                assert figure.period.text in text
            assert figure.passage.text in text
            links = {a.text(): a.get("href") for a in side.find_all("a")}
            target, mark_id = resolve_link(PAGE, links["source sentence"])
            mark = page(built_site, target).by_id(mark_id)
            assert mark is not None and mark.tag == "mark"
            assert figure.passage.text.startswith(mark.text()[:20])
            target, claim_id = resolve_link(PAGE, links["the claim on its fact sheet"])
            claim = page(built_site, target).by_id(claim_id)
            assert claim is not None and claim.tag == "li" and claim_id == figure.figure_id
            target, row_id = resolve_link(PAGE, links["compare claims"])
            row = page(built_site, target).by_id(row_id)
            assert row is not None and row.tag == "tr" and "disputed" in row.classes


def test_the_page_is_linked_from_home_and_the_navigation(built_site: Path) -> None:
    home = page(built_site, "index.html")
    assert "disagreements/" in home.find("section", aria_labelledby="ways-in").hrefs()  # type: ignore[union-attr]
    nav = {a.text(): a.get("href") for a in home.select("header", "nav", "a")}
    assert nav["Disagreements"] == "disagreements/"
    current = page(built_site, PAGE).find("a", aria_current="page")
    assert current is not None and current.text() == "Disagreements"


# ---- which pairs are flagged on the shipped archive ------------------------------------------


def test_growth_progress_and_different_periods_are_not_flagged(
    entries: list[Entry], build_report: BuildReport
) -> None:
    archive = build_report.archive
    neighbourhoods = [
        find_figure(archive, "neighbourhoods-taken", n, claimant_id="russia-defence-ministry")
        for n in (5, 30)
    ]
    fled = [
        find_figure(archive, "people-fled", 500),
        find_figure(archive, "people-fled", 30000),
    ]
    share = [
        find_figure(archive, "east-aleppo-government-share", n, qualifier="about") for n in (50, 80)
    ]
    for first, second in (neighbourhoods, fled, share):
        assert pair_entries(entries, first, second) == [], (first.figure_id, second.figure_id)
    # A running total that only grows is never flagged at all.
    assert not [e for e in entries if e.rule == "running-total"]


def test_wednesday_against_recent_days_is_a_tension_naming_its_assumption(
    entries: list[Entry], build_report: BuildReport
) -> None:
    archive = build_report.archive
    wednesday = find_figure(archive, "people-killed-west-aleppo", 14)
    recent = find_figure(archive, "people-killed-west-aleppo", 9)
    entry = one_entry(entries, wednesday, recent)
    assert (entry.severity, entry.rule) == ("tension", "nested-window")
    assert "a conflict only if" in entry.reason
    assert "in recent days" in entry.reason and "Wednesday" in entry.reason


def test_the_un_trapped_estimates_are_flagged_against_one_another(
    entries: list[Entry], build_report: BuildReport
) -> None:
    archive = build_report.archive
    about = find_figure(archive, "people-trapped", 275000)
    ranged = find_figure(archive, "people-trapped", 100000, qualifier="exact")
    up_to = find_figure(archive, "people-trapped", 100000, qualifier="up-to")
    conflict = one_entry(entries, about, ranged)
    assert (conflict.severity, conflict.rule) == ("conflict", "level")
    assert "cannot both hold" in conflict.reason
    touching = one_entry(entries, ranged, up_to)
    assert (touching.severity, touching.rule) == ("tension", "level")
    assert "meet only at 100,000" in touching.reason
    for entry in (conflict, touching):
        assert "United Nations’ own estimates differ" in entry.reason


def test_the_un_estimates_far_apart_and_the_threatened_figure_are_compared(
    built_site: Path, entries: list[Entry], build_report: BuildReport
) -> None:
    """A two-week window for population estimates, and
    people-threatened related to people-trapped with `compare: true`."""
    archive = build_report.archive
    about = find_figure(archive, "people-trapped", 275000)
    up_to = find_figure(archive, "people-trapped", 100000, qualifier="up-to")
    threatened = find_figure(archive, "people-threatened", 150000)
    far_apart = one_entry(entries, about, up_to)
    assert far_apart.severity == "conflict" and "8 days apart" in far_apart.reason
    threatened_vs_up_to = one_entry(entries, up_to, threatened)
    assert threatened_vs_up_to.severity == "conflict"
    metrics = {f.metric_id for f in threatened_vs_up_to.figures}
    assert metrics == {"people-trapped", "people-threatened"}
    # One entry here, listed on both metrics' pages.
    for metric_id in metrics:
        rel = f"figures/{metric_id}/index.html"
        section = page(built_site, rel).by_id("disagreements").parent  # type: ignore[union-attr]
        targets = {resolve_link(rel, h) for h in section.hrefs()}  # type: ignore[union-attr]
        assert (PAGE, threatened_vs_up_to.entry_id) in targets, metric_id


def test_a_part_cannot_exceed_the_whole(entries: list[Entry], build_report: BuildReport) -> None:
    archive = build_report.archive
    whole = find_figure(archive, "people-fled", 500)
    part = find_figure(archive, "people-fled", 900)
    assert part.part == "from one area alone" and whole.part is None
    entry = one_entry(entries, whole, part)
    assert (entry.severity, entry.rule) == ("conflict", "part-of-whole")
    assert "a part cannot exceed the whole" in entry.reason
    assert "from one area alone" in entry.reason and "over the weekend" in entry.reason
    sides = entry.element.find_all("div", class_="flag-side")
    claimants = [s.find("dd").text() for s in sides]  # type: ignore[union-attr]
    assert sorted(claimants) == [
        "Russian Ministry of Defence",
        "Syrian Observatory for Human Rights",
    ]


def test_the_offensive_start_is_one_timeline_entry_with_both_dates_and_their_sources(
    built_site: Path, build_report: BuildReport
) -> None:
    """The reports of the offensive's start share one event id."""
    archive = build_report.archive
    starts = [
        event_id
        for event_id, reports in archive.reports_by_event.items()
        if "offensive" in reports[0].title.lower()
        and any(word in reports[0].title.lower() for word in ("begin", "start", "began"))
    ]
    assert len(starts) == 1, f"one entry for the start of the offensive, not {starts}"
    reports = archive.reports_by_event[starts[0]]
    dates = {r.date.iso() for r in reports}
    assert len(reports) >= 2 and len(dates) >= 2
    timeline = page(built_site, "timeline/index.html")
    entry = timeline.by_id(f"event-{starts[0]}")
    assert entry is not None
    differ = entry.find("div", class_="dates-differ")
    assert differ is not None and "different dates" in differ.text()
    listed = differ.find_all("li")
    assert sorted(li.find("time").get("datetime") for li in listed) == sorted(dates)  # type: ignore[union-attr]
    for li in listed:
        date = li.find("time").get("datetime")  # type: ignore[union-attr]
        outlets = {r.article_slug for r in reports if r.date.iso() == date}
        links = li.find_all("a")
        assert len(links) == len(outlets)
        for link in links:
            target, mark_id = resolve_link("timeline/index.html", link.get("href"))
            assert target.removeprefix("articles/").split("/")[0] in outlets
            mark = page(built_site, target).by_id(mark_id)
            assert mark is not None and mark.tag == "mark"
