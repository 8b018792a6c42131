"""Derivations on small hand-made archives: timeline merging, figure disagreements, relations."""

from __future__ import annotations

import math

from builder.derive.actors import relate_actors
from builder.derive.compare import Interval, Judge, claim_interval, intervals_overlap
from builder.derive.figures import compare_figures, format_value
from builder.derive.timeline import build_timeline, dates_agree
from builder.model import ComparisonSettings, Figure, FuzzyDate
from tests.sample_archive import (
    SEED_B,
    default_articles,
    default_metrics,
    events_of_actor,
    figure,
    figures_claimed_by,
    make_archive,
    mention_counts,
    quotes_by,
)

WINDOW_DAYS = ComparisonSettings().window_days
METRICS = {m.metric_id: m for m in default_metrics()}


def flagged(a: Figure, b: Figure) -> bool:
    """Whether the rules flag two claims (the earlier first), with the default settings."""
    judge = Judge(ComparisonSettings())
    return judge.compare(a, b, METRICS[a.metric_id], METRICS[b.metric_id]) is not None


def test_same_event_id_is_one_entry_with_every_source_and_differing_dates() -> None:
    timeline = build_timeline(make_archive())
    hanano = [e for e in timeline.entries if e.event_id == "hanano"]
    assert len(hanano) == 1
    entry = hanano[0]
    assert entry.source_count == 2
    assert [r.outlet for r in entry.reports] == ["Al Jazeera", "ABC News"]  # oldest article first
    assert entry.dates_differ
    assert entry.anchor == "event-hanano"
    assert [a.actor_id for a in entry.actors] == ["army", "russia"]


def test_approximate_date_is_grouped_before_exact_days_and_labelled() -> None:
    timeline = build_timeline(make_archive())
    assert [e.event_id for e in timeline.entries] == ["siege", "hanano"]
    months = timeline.years[0].months
    assert [m.heading for m in months] == ["August 2016", "November 2016"]
    siege_day = months[0].days[0]
    assert siege_day.heading == "Day not given"
    assert siege_day.entries[0].date_text == "late summer 2016"
    assert siege_day.entries[0].is_approximate
    assert months[1].days[0].heading == "26 November 2016"


def test_interval_semantics_by_qualifier() -> None:
    seed = ("b.txt", SEED_B)

    def interval(qualifier: str, low: float, high: float) -> Interval:
        f = figure(
            "beta", 9, seed, "60 percent", "east-share", low, high, qualifier, "2016-11-28", None
        )  # type: ignore[arg-type]
        return claim_interval(f)

    assert interval("exact", 5, 5) == Interval(5, 5)
    assert interval("about", 100, 100) == Interval(90, 110.00000000000001)
    assert interval("more-than", 52, 52) == Interval(52, math.inf, low_open=True)
    assert interval("at-least", 52, 52) == Interval(52, math.inf)
    assert interval("up-to", 7, 7) == Interval(0, 7)
    assert interval("exact", 1, 3) == Interval(1, 3)


def test_touching_intervals_overlap_only_when_both_include_the_point() -> None:
    assert intervals_overlap(Interval(0, 52), Interval(52, math.inf))
    assert not intervals_overlap(Interval(0, 52), Interval(52, math.inf, low_open=True))
    assert not intervals_overlap(Interval(0, 1), Interval(2, 3))
    assert intervals_overlap(Interval(0, 10), Interval(2, 3))


def test_disjoint_claims_within_the_window_are_flagged_and_explained() -> None:
    comparison = compare_figures(make_archive())
    trapped = comparison.by_metric["trapped"]
    assert len(trapped.disagreements) == 1
    flag = trapped.disagreements[0]
    assert flag.first.value_text == "about 275,000 people"
    assert flag.second.value_text == "100,000–200,000 people"
    assert (flag.severity, flag.rule) == ("conflict", "level")
    assert flag.reason == (
        "these estimates cannot both hold: about 275,000 people on 27 Nov and "
        "100,000–200,000 on 2 Dec, 5 days apart; United Nations’ own estimates differ"
    )
    assert flag.same_claimant
    assert flag.disagreement_id == "beta-fig-1--alpha-fig-2"
    assert trapped.disputed_ids == ("alpha-fig-2", "beta-fig-1")
    assert comparison.disagreements == (flag,)
    assert flag.first.reporter_phrase == "Al Jazeera reports United Nations’"


def test_projection_is_never_compared_with_a_current_claim() -> None:
    comparison = compare_figures(make_archive())
    east = comparison.by_metric["east-share"]
    assert east.disagreements == ()  # 60% projected vs more than 52% current
    assert east.latest is not None and east.latest.figure.figure_id == "alpha-fig-1"


def test_claims_outside_the_window_or_of_other_metrics_are_not_compared() -> None:
    seed = ("b.txt", SEED_B)
    far = figure("beta", 3, seed, "60 percent", "trapped", 1, 1, "exact", "2016-10-01", None)
    other = figure("beta", 4, seed, "60 percent", "city-share", 10, 10, "exact", "2016-12-04", None)
    archive = make_archive(articles=default_articles([far, other]))
    figures = {f.figure_id: f for f in archive.figures}
    assert not flagged(figures["beta-fig-3"], figures["alpha-fig-2"])
    flagged_ids = {i for d in compare_figures(archive).disagreements for i in d.figure_ids}
    assert "beta-fig-4" not in flagged_ids  # city share vs east share: side by side only
    near = figure("beta", 5, seed, "60 percent", "trapped", 1, 1, "exact", "2016-11-20", None)
    assert (figures["beta-fig-1"].as_of.start() - near.as_of.start()).days == WINDOW_DAYS
    assert flagged(near, figures["beta-fig-1"])


def test_month_precision_dates_are_not_compared() -> None:
    seed = ("b.txt", SEED_B)
    vague = figure("beta", 3, seed, "60 percent", "trapped", 1, 1, "exact", "2016-11", None)
    exact = figure("beta", 4, seed, "60 percent", "trapped", 9, 9, "exact", "2016-11-01", None)
    assert not flagged(vague, exact)


def test_related_metrics_sit_side_by_side_and_headline_falls_back() -> None:
    comparison = compare_figures(make_archive())
    assert comparison.by_metric["east-share"].related_ids == ("city-share",)
    assert comparison.by_metric["trapped"].related_ids == ()
    assert comparison.headline_metric_id in {"east-share", "trapped"}
    assert comparison.headline_metric_id == "east-share"  # 2 claims, ties broken by id


def test_value_formatting_uses_qualifier_words_and_unit() -> None:
    archive = make_archive()
    by_id = {f.figure_id: f for f in archive.figures}
    assert format_value(by_id["alpha-fig-1"], "percent") == "more than 52%"
    assert format_value(by_id["alpha-fig-2"], "people") == "100,000–200,000 people"


def test_related_actors_count_shared_articles_and_events() -> None:
    relations = relate_actors(make_archive())
    army = {r.actor_id: r for r in relations.related["army"]}
    assert army["russia"].shared_events == 1
    assert army["russia"].shared_articles == 1  # only seed A names both Russia and troops
    assert [g.kind for g in relations.kinds] == ["person", "state", "armed-group", "organisation"]


def test_actor_facts_match_the_archive_lookups() -> None:
    archive = make_archive()
    facts = relate_actors(archive).facts
    for actor_id in archive.actors:
        assert facts[actor_id].articles == mention_counts(archive, actor_id)
        assert facts[actor_id].figures == figures_claimed_by(archive, actor_id)
        assert facts[actor_id].quotes == quotes_by(archive, actor_id)
        events = tuple(dict.fromkeys(e.event_id for e in events_of_actor(archive, actor_id)))
        assert facts[actor_id].event_ids == events


def test_the_archive_flags_are_exactly_the_flagged_pairs() -> None:
    seed = ("b.txt", SEED_B)
    extra = [
        figure("beta", n, seed, "60 percent", "trapped", v, v, "exact", day, None)
        for n, (v, day) in enumerate(
            [(1, "2016-11-20"), (900000, "2016-11-21"), (5, "2016-12-20"), (7, "2016-11")], start=3
        )
    ]
    archive = make_archive(articles=default_articles(extra))
    found = {
        (d.first.figure.figure_id, d.second.figure.figure_id)
        for d in compare_figures(archive).by_metric["trapped"].disagreements
    }
    claims = archive.figures_by_metric["trapped"]
    expected = {
        (a.figure_id, b.figure_id)
        for i, a in enumerate(claims)
        for b in claims[i + 1 :]
        if flagged(a, b)
    }
    assert found == expected and len(expected) >= 3


def test_dates_agree_when_one_is_a_vaguer_form_of_the_other() -> None:
    assert dates_agree(FuzzyDate(2016, 9), FuzzyDate(2016, 9, label="mid-September"))
    assert dates_agree(FuzzyDate(2016, 9), FuzzyDate(2016, 9, 15))
    assert not dates_agree(FuzzyDate(2016, 9, 15), FuzzyDate(2016, 9, 16))
    assert not dates_agree(FuzzyDate(2016, 9), FuzzyDate(2016, 10))
