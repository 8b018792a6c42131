"""The comparison rules on tiny fixtures: each test asserts the exact severity and reason."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from builder.build import load_archive
from builder.derive.compare import Finding, Judge
from builder.derive.figures import compare_figures
from builder.derive.timeline import build_timeline
from builder.index import Archive, build_archive
from builder.model import (
    Article,
    ComparisonSettings,
    Event,
    Figure,
    FuzzyDate,
    Metric,
    MetricRelation,
    Passage,
    Period,
    Qualifier,
)
from tests.sample_archive import REF, SITE, default_actors, fuzzy

SEED = "A seed text long enough to hold a passage for every claim in these tests.\n"
PASSAGE = Passage("a.txt", 0, 6, "A seed")

TRAPPED = Metric("trapped", "People trapped", "people", "", "east Aleppo", REF, kind="level")
TAKEN = Metric(
    "taken", "Neighbourhoods taken", "neighbourhoods", "", "east Aleppo", REF, kind="running-total"
)
FLED = Metric("fled", "People who fled", "people", "", "east Aleppo", REF, kind="count-in-period")
KILLED = Metric("killed", "People killed", "people", "", "west Aleppo", REF, kind="count-in-period")
METRICS = {m.metric_id: m for m in (TRAPPED, TAKEN, FLED, KILLED)}
JUDGE = Judge(ComparisonSettings())


def claim(
    figure_id: str,
    metric_id: str,
    low: float,
    high: float | None = None,
    *,
    qualifier: Qualifier = "exact",
    as_of: str = "2016-12-04",
    claimant_id: str | None = None,
    period: Period | None = None,
    part: str | None = None,
    vague: str | None = None,
    projected: bool = False,
) -> Figure:
    return Figure(
        figure_id=figure_id,
        article_slug="a",
        metric_id=metric_id,
        low=low,
        high=low if high is None else high,
        qualifier=qualifier,
        as_of=fuzzy(as_of),
        claimant_id=claimant_id,
        projected=projected,
        note=None,
        passage=PASSAGE,
        source=REF,
        period=period,
        part=part,
        vague=vague,
    )


def window(start: str, end: str | None, text: str, exact: bool = True) -> Period:
    return Period(
        fuzzy(start), fuzzy(end) if end else None, text, "exact" if exact else "approximate"
    )


def judge(a: Figure, b: Figure) -> Finding | None:
    return JUDGE.compare(a, b, METRICS[a.metric_id], METRICS[b.metric_id])


def archive_of(figures: list[Figure], metrics: list[Metric]) -> Archive:
    article = Article(
        "a", "A report", "ABC News", fuzzy("2016-12-08"), "a.txt", SEED.encode(), "Summary.", (),
        tuple(figures), (), REF,
    )  # fmt: skip
    return build_archive(SITE, metrics, default_actors(), [article])


# ---- levels -----------------------------------------------------------------------------


def test_level_claims_that_cannot_both_hold_conflict() -> None:
    about = claim("a1", "trapped", 275000, qualifier="about", as_of="2016-11-27")
    ranged = claim("a2", "trapped", 100000, 200000, as_of="2016-12-04")
    assert judge(about, ranged) == Finding(
        "conflict",
        "level",
        "these estimates cannot both hold: about 275,000 people on 27 Nov and "
        "100,000–200,000 on 4 Dec, 7 days apart",
    )


def test_level_ranges_touching_at_one_bound_are_in_tension() -> None:
    up_to = claim("a1", "trapped", 100000, qualifier="up-to")
    ranged = claim("a2", "trapped", 100000, 200000)
    assert judge(up_to, ranged) == Finding(
        "tension",
        "level",
        "these ranges meet only at 100,000: up to 100,000 people and 100,000–200,000, "
        "both on 4 Dec",
    )
    # A single value at the end of a range fits it: no tension.
    assert judge(claim("a3", "trapped", 100000), ranged) is None


def test_levels_further_apart_than_the_window_are_not_compared() -> None:
    early = claim("a1", "trapped", 275000, as_of="2016-11-26")
    late = claim("a2", "trapped", 100000, as_of="2016-12-04")
    assert judge(early, late) is None
    wide = Judge(ComparisonSettings(window_days=8))
    assert wide.compare(early, late, TRAPPED, TRAPPED) is not None
    own_window = replace(TRAPPED, window_days=8)
    assert JUDGE.compare(early, late, own_window, own_window) is not None


def test_vague_values_are_compared_through_their_bounds() -> None:
    hundreds = claim("a1", "trapped", 200, 999, vague="hundreds")
    thousands = claim("a2", "trapped", 2000, 9999, vague="thousands")
    assert judge(hundreds, thousands) == Finding(
        "conflict",
        "level",
        "these estimates cannot both hold: hundreds of people and thousands, both on 4 Dec",
    )
    up_to = claim("a0", "trapped", 200, qualifier="up-to")
    assert judge(up_to, hundreds) == Finding(
        "tension",
        "level",
        "these ranges meet only at 200: up to 200 people and hundreds, both on 4 Dec",
    )
    assert judge(claim("a3", "trapped", 50), claim("a4", "trapped", 24, 99, vague="dozens")) is None


def test_projections_are_never_compared_with_present_claims() -> None:
    forecast = claim("a1", "trapped", 900000, projected=True)
    present = claim("a2", "trapped", 100000)
    assert judge(forecast, present) is None
    assert judge(forecast, claim("a3", "trapped", 5, projected=True)) is not None


# ---- running totals ---------------------------------------------------------------------


def test_a_growing_running_total_is_not_flagged() -> None:
    five = claim("a1", "taken", 5, as_of="2016-11-27")
    thirty = claim("a2", "taken", 30, as_of="2016-12-04")
    assert judge(five, thirty) is None


def test_a_falling_running_total_conflicts() -> None:
    thirty = claim("a1", "taken", 30, as_of="2016-12-04")
    twelve = claim("a2", "taken", 12, as_of="2016-12-06")
    assert judge(thirty, twelve) == Finding(
        "conflict",
        "running-total",
        "a running total cannot fall: 30 neighbourhoods on 4 Dec, 12 on 6 Dec",
    )
    # Within the qualifiers' tolerance it is no fall, and totals since other starts differ.
    assert judge(replace(thirty, qualifier="about"), replace(twelve, low=28, high=28)) is None
    since_a = replace(thirty, period=window("2016-11-15", None, "since the offensive began"))
    since_b = replace(twelve, period=window("2016-12-01", None, "since Thursday"))
    assert judge(since_a, since_b) is None


# ---- counts in a period -----------------------------------------------------------------

WEEKEND = window("2016-11-26", "2016-11-27", "over the weekend")


def test_counts_over_the_same_window_are_compared_as_levels() -> None:
    five_hundred = claim("a1", "fled", 500, as_of="2016-11-27", period=WEEKEND)
    nine_hundred = claim("a2", "fled", 900, as_of="2016-11-27", period=WEEKEND)
    assert judge(five_hundred, nine_hundred) == Finding(
        "conflict",
        "same-window",
        "counts over the same period cannot both hold: 500 people and 900, "
        "both over the weekend (26–27 Nov)",
    )
    at_most = claim("a3", "fled", 500, qualifier="up-to", as_of="2016-11-27", period=WEEKEND)
    at_least = claim("a4", "fled", 500, qualifier="at-least", as_of="2016-11-27", period=WEEKEND)
    assert judge(at_most, at_least) == Finding(
        "tension",
        "same-window",
        "these counts meet only at 500: up to 500 people and at least 500, "
        "both over the weekend (26–27 Nov)",
    )


def test_a_count_inside_an_exact_larger_window_cannot_exceed_it() -> None:
    wednesday = claim(
        "a1",
        "killed",
        14,
        as_of="2016-12-07",
        period=window("2016-12-07", "2016-12-07", "on Wednesday"),
    )
    week = claim(
        "a2",
        "killed",
        9,
        as_of="2016-12-10",
        period=window("2016-12-05", "2016-12-11", "this week"),
    )
    assert judge(wednesday, week) == Finding(
        "conflict",
        "nested-window",
        "a count within a period cannot exceed the count for the whole period: "
        "14 people on Wednesday (7 Dec) vs 9 this week (5–11 Dec)",
    )
    assert judge(wednesday, replace(week, low=20, high=20)) is None


def test_a_nested_window_that_rests_on_approximate_words_is_a_tension_naming_it() -> None:
    wednesday = claim(
        "a1",
        "killed",
        14,
        as_of="2016-12-07",
        period=window("2016-12-07", "2016-12-07", "on Wednesday"),
    )
    recent = claim(
        "a2",
        "killed",
        9,
        as_of="2016-12-10",
        period=window("2016-12-06", "2016-12-10", "in recent days", exact=False),
    )
    assert judge(wednesday, recent) == Finding(
        "tension",
        "nested-window",
        "a count within a period cannot exceed the count for the whole period: "
        "14 people on Wednesday (7 Dec) vs 9 in recent days (6–10 Dec); "
        "a conflict only if 'in recent days' includes Wednesday 7 Dec",
    )


def test_counts_over_different_windows_are_not_compared() -> None:
    weekend = claim("a1", "fled", 500, as_of="2016-11-27", period=WEEKEND)
    week = claim(
        "a2",
        "fled",
        30000,
        qualifier="at-least",
        as_of="2016-12-04",
        period=window("2016-11-28", "2016-12-04", "in the past week"),
    )
    overlapping = claim(
        "a3",
        "fled",
        5,
        as_of="2016-11-28",
        period=window("2016-11-27", "2016-11-28", "since Sunday"),
    )
    assert judge(weekend, week) is None
    assert judge(weekend, overlapping) is None  # overlapping, neither inside the other


def test_a_part_cannot_exceed_the_whole() -> None:
    whole = claim("a1", "fled", 500, as_of="2016-11-27", period=WEEKEND)
    part = claim(
        "a2",
        "fled",
        900,
        qualifier="more-than",
        as_of="2016-11-27",
        period=WEEKEND,
        part="from one area alone",
    )
    assert judge(whole, part) == Finding(
        "conflict",
        "part-of-whole",
        "a part cannot exceed the whole: more than 900 people from one area alone over the "
        "weekend (26–27 Nov) vs 500 in all of east Aleppo over the weekend (26–27 Nov)",
    )
    # A smaller part is fine, and two parts may be different parts.
    assert judge(whole, replace(part, low=90, high=90)) is None
    assert judge(replace(whole, part="from Hanano"), part) is None


# ---- across the archive -----------------------------------------------------------------


def test_same_claimant_flags_say_so_and_the_archive_lists_conflicts_first() -> None:
    figures = [
        claim("a1", "trapped", 275000, qualifier="about", as_of="2016-11-27", claimant_id="un"),
        claim("a2", "trapped", 100000, 200000, as_of="2016-12-04", claimant_id="un"),
        claim("a3", "trapped", 100000, qualifier="up-to", as_of="2016-12-05", claimant_id="un"),
        claim("a4", "trapped", 90000, 110000, as_of="2016-11-27", claimant_id="russia"),
    ]
    comparison = compare_figures(archive_of(figures, [TRAPPED]))
    flags = comparison.disagreements
    assert [(d.disagreement_id, d.severity) for d in flags] == [
        ("a1--a2", "conflict"),
        ("a1--a4", "conflict"),
        ("a2--a3", "tension"),
    ]
    assert not flags[1].same_claimant  # Russia against the UN
    assert flags[0].same_claimant
    assert flags[0].reason == (
        "these estimates cannot both hold: about 275,000 people on 27 Nov and "
        "100,000–200,000 on 4 Dec, 7 days apart; United Nations’ own estimates differ"
    )
    trapped = comparison.by_metric["trapped"]
    assert trapped.disagreements == flags
    assert trapped.disputed_ids == ("a1", "a2", "a3", "a4")


def test_related_metrics_with_compare_true_are_compared_across_metrics() -> None:
    threatened = Metric(
        "threatened", "People threatened", "people", "", "east Aleppo", REF, kind="level",
        related=(MetricRelation("trapped", compare=True),),
    )  # fmt: skip
    trapped = replace(TRAPPED, related=(MetricRelation("threatened", compare=True),))
    figures = [
        claim("a1", "trapped", 100000, 200000, as_of="2016-12-04", claimant_id="un"),
        claim("a2", "threatened", 250000, as_of="2016-12-08", claimant_id="lavrov"),
    ]
    comparison = compare_figures(archive_of(figures, [trapped, threatened]))
    (flag,) = comparison.disagreements
    assert (flag.severity, flag.rule, flag.reason) == (
        "conflict",
        "level",
        "these estimates cannot both hold: 100,000–200,000 people on 4 Dec and 250,000 on "
        "8 Dec, 4 days apart",
    )
    assert comparison.by_metric["trapped"].disagreements == (flag,)
    assert comparison.by_metric["threatened"].disagreements == (flag,)
    assert comparison.by_metric["trapped"].compared_ids == ("threatened",)


def test_related_metrics_with_compare_false_are_never_compared() -> None:
    city = Metric(
        "city-trapped", "People trapped in the city", "people", "", "the whole city", REF,
        kind="level", related=(MetricRelation("trapped", compare=False),),
    )  # fmt: skip
    trapped = replace(TRAPPED, related=(MetricRelation("city-trapped", compare=False),))
    figures = [
        claim("a1", "trapped", 100000, 200000, as_of="2016-12-04"),
        claim("a2", "city-trapped", 900000, as_of="2016-12-04"),
    ]
    comparison = compare_figures(archive_of(figures, [trapped, city]))
    assert comparison.disagreements == ()
    assert comparison.by_metric["trapped"].related_ids == ("city-trapped",)
    assert comparison.by_metric["trapped"].compared_ids == ()


def test_vague_values_are_shown_in_the_source_words() -> None:
    figures = [claim("a1", "fled", 20000, 99999, vague="tens of thousands", period=WEEKEND)]
    (view,) = compare_figures(archive_of(figures, [FLED])).by_metric["fled"].claims
    assert view.value_text == "tens of thousands of people"
    assert view.number_text == "tens of thousands"
    assert view.period_text == "over the weekend, 26–27 Nov 2016"


def test_the_headline_metric_comes_from_the_site_settings() -> None:
    figures = [claim("a1", "trapped", 5), claim("a2", "trapped", 6), claim("a3", "taken", 7)]
    metrics = [TRAPPED, TAKEN]
    assert compare_figures(archive_of(figures, metrics)).headline_metric_id == "trapped"
    archive = archive_of(figures, metrics)
    chosen = replace(archive, site=replace(SITE, headline_metric="taken"))
    assert compare_figures(chosen).headline_metric_id == "taken"


# ---- dates that disagree ----------------------------------------------------------------


def test_reports_giving_different_dates_are_one_entry_listing_each_date_and_source() -> None:
    def report(slug: str, outlet: str, day: str) -> Article:
        event = Event(
            "offensive-begins", slug, fuzzy(day), "The offensive begins", (), PASSAGE, REF
        )
        return Article(
            slug, f"{outlet} report", outlet, fuzzy("2016-12-08"), "a.txt", SEED.encode(), "S.",
            (event,), (), (), REF,
        )  # fmt: skip

    articles = [report("a", "ABC News", "2016-11-15"), report("b", "Inquisitr", "2016-11-16")]
    archive = build_archive(SITE, [TRAPPED], default_actors(), articles)
    (entry,) = build_timeline(archive).entries
    assert entry.dates_differ
    assert [(d.date_text, [r.outlet for r in d.reports]) for d in entry.reported_dates] == [
        ("15 November 2016", ["ABC News"]),
        ("16 November 2016", ["Inquisitr"]),
    ]
    assert entry.reported_dates[0].reports[0].article_url == "articles/a/"
    assert entry.date == FuzzyDate(2016, 11, 15)


# ---- the shipped archive ----------------------------------------------------------------


def test_the_shipped_archive_flags_only_what_cannot_both_hold(project_root: Path) -> None:
    comparison = compare_figures(load_archive(project_root))
    flagged_metrics = {
        metric_id
        for d in comparison.disagreements
        for metric_id in (d.first.figure.metric_id, d.second.figure.metric_id)
    }
    # Growth of a running total, counts over different weekends and weeks, and territory
    # taken over days of a fast offensive are not disagreements.
    assert "neighbourhoods-taken" not in flagged_metrics
    assert "east-aleppo-government-share" not in flagged_metrics
    fled = [d for d in comparison.disagreements if d.first.figure.metric_id == "people-fled"]
    assert [(d.severity, d.rule) for d in fled] == [
        ("conflict", "part-of-whole"),
        ("tension", "nested-window"),  # "thousands" after 26 Nov vs at least 30,000 in a week
    ]
    assert fled[0].reason.startswith("a part cannot exceed the whole: more than 900 people")
    assert fled[1].reason.endswith(
        "a conflict only if 'after the start of the assault' includes 28 Nov–4 Dec"
    )
    (wednesday,) = comparison.by_metric["people-killed-west-aleppo"].disagreements
    assert (wednesday.severity, wednesday.rule) == ("tension", "nested-window")
    assert wednesday.reason.endswith("a conflict only if 'in recent days' includes Wednesday 7 Dec")
    trapped = [
        d
        for d in comparison.by_metric["people-trapped"].disagreements
        if d.first.figure.metric_id == d.second.figure.metric_id == "people-trapped"
    ]
    assert trapped and all(d.same_claimant for d in trapped)
    assert all(d.reason.endswith("United Nations’ own estimates differ") for d in trapped)
    # Egeland speaks for the UN (`part_of: [un]`): his 150,000 against the UN's own figures
    # is still the UN's estimates differing, and the reason says through whom.
    threatened = [
        d
        for d in comparison.by_metric["people-threatened"].disagreements
        if {d.first.figure.claimant_id, d.second.figure.claimant_id} == {"un", "egeland"}
    ]
    assert len(threatened) == 2 and not any(d.same_claimant for d in threatened)
    assert all(
        d.reason.endswith("United Nations’ own estimates differ (Jan Egeland is part of it)")
        for d in threatened
    )
    assert [d.severity for d in comparison.disagreements] == sorted(
        (d.severity for d in comparison.disagreements), key=["conflict", "tension"].index
    )


def test_a_part_links_to_its_whole() -> None:
    whole = claim("a1", "fled", 500, as_of="2016-11-27", period=WEEKEND)
    part = replace(whole, figure_id="a2", low=90, high=90, part="from Hanano", part_of_id="a1")
    claims = compare_figures(archive_of([whole, part], [FLED])).by_metric["fled"].claims
    assert [c.whole_url for c in claims] == [None, "figures/fled/#a1"]
