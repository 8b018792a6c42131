"""Validation of the claim model's fields: metric kinds and relations, comparison settings,
periods, parts, vague values, stable ids, and article provenance (url, inferences, skipped).

Each broken input gives exactly one `path:line: message (hint)`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.errors import ContentErrors
from builder.index import marks_of
from builder.load.project import load_project
from builder.model import Article, FuzzyDate, Inference, Metric, MetricRelation, Period
from builder.validate.records import validate_project
from tests.fixtures import make_project, replace_in

ARTICLE = "content/articles/sample-article.md"
METRICS = "content/metrics.yaml"
SITE = "content/site.yaml"
FIRST_FIGURE = "  - metric: civilians-trapped\n    value: 100000"
SHARE = "share:\n  label: S\n  unit: percent\n  description: D.\n  scope: east\n  kind: level"
FIGURE_END = "    claimant: un\n"


def problems(root: Path) -> list[str]:
    with pytest.raises(ContentErrors) as caught:
        validate_project(load_project(root))
    return [str(error) for error in caught.value.errors]


def valid(root: Path) -> tuple[list[Metric], Article]:
    _, metrics, _, (article,) = validate_project(load_project(root))
    return metrics, article


def edited(tmp_path: Path, *edits: tuple[str, str, str]) -> Path:
    root = make_project(tmp_path)
    for path, old, new in edits:
        replace_in(root, path, old, new)
    return root


def with_period(kind: str, start: str, end: str | None, text: str) -> list[tuple[str, str, str]]:
    """Edits making the fixture's metric of `kind`, its figure with this period."""
    lines = f"    period:\n      from: {start}\n"
    lines += f"      to: {end}\n" if end else ""
    lines += f"      text: {text}\n"
    return [(METRICS, "kind: level", f"kind: {kind}"), (ARTICLE, FIGURE_END, FIGURE_END + lines)]


def count_metric(tmp_path: Path, period: str) -> Path:
    """The fixture's metric as a count in a period, its figure with the given period lines."""
    return edited(
        tmp_path,
        (METRICS, "kind: level", "kind: count-in-period"),
        (ARTICLE, FIGURE_END, FIGURE_END + period),
    )


# (what is broken, [(file, old, new)], the one expected message)
BROKEN = [
    (
        "metric without kind",
        [(METRICS, "  kind: level\n", "")],
        f"{METRICS}:2: missing required field 'kind' in metric 'civilians-trapped' "
        "(one of: level, running-total, count-in-period)",
    ),
    (
        "unknown metric kind",
        [(METRICS, "kind: level", "kind: levels")],
        f"{METRICS}:6: unknown metric kind 'levels' (did you mean 'level'?)",
    ),
    (
        "window_days on a running total",
        [(METRICS, "kind: level", "kind: running-total\n  window_days: 3")],
        f"{METRICS}:7: 'window_days' applies to levels only; metric 'civilians-trapped' is a "
        "running-total (remove it: running totals and counts in a period are compared by "
        "their periods)",
    ),
    (
        "window_days not whole",
        [(METRICS, "kind: level", "kind: level\n  window_days: 2.5")],
        f"{METRICS}:7: 'window_days' must be a whole number, not 2.5 (e.g. 7)",
    ),
    (
        "related metric unknown",
        [(METRICS, "kind: level", "kind: level\n  related:\n    - metric: civilians-trapt\n"
          "      compare: true")],
        f"{METRICS}:8: unknown metric 'civilians-trapt' in 'metric' "
        "(did you mean 'civilians-trapped'?)",
    ),
    (
        "compare: true across units",
        [(METRICS, "kind: level", "kind: level\n  related:\n    - metric: share\n"
          f"      compare: true\n{SHARE}")],
        f"{METRICS}:8: metric 'civilians-trapped' (level, people) cannot be compared with "
        "'share' (level, percent) (compare: true needs the same unit and kind; "
        "write compare: false)",
    ),
    (
        "unknown headline metric",
        [(SITE, "language: en", "language: en\nheadline_metric: civilian-trapped")],
        f"{SITE}:4: unknown metric 'civilian-trapped' in 'headline_metric' "
        "(did you mean 'civilians-trapped'?)",
    ),
    (
        "about tolerance of 150 %",
        [(SITE, "language: en", "language: en\ncomparison:\n  about_tolerance: 1.5")],
        f"{SITE}:5: about_tolerance 1.5 must be less than 1 "
        "(a fraction: 0.1 widens 'about' by 10 % either way)",
    ),
    (
        "a period on a level",
        [(ARTICLE, FIGURE_END, FIGURE_END + "    period:\n      from: 2016-11-26\n"
          "      text: over the weekend\n")],
        f"{ARTICLE}:19: 'period' does not apply to 'civilians-trapped', a level (a stock at "
        "one moment) (remove 'period', or make the metric a running-total or count-in-period)",
    ),
    (
        "a count without its period",
        [(METRICS, "kind: level", "kind: count-in-period")],
        f"{ARTICLE}:13: missing 'period' for a count in a period ('civilians-trapped') "
        "(add period: with from, to and the source's words in text)",
    ),
    (
        "a running total with an end",
        with_period("running-total", "2016-11-20", "2016-11-26", "since the offensive began"),
        f"{ARTICLE}:20: a running total ('civilians-trapped') counts up to its as_of date "
        "(remove 'to'; 'from' says since when it counts)",
    ),
    (
        "a period ending before it starts",
        with_period("count-in-period", "2016-11-27", "2016-11-26", "over the weekend"),
        f"{ARTICLE}:20: the period ends (2016-11-26) before it starts (2016-11-27) "
        "(swap 'from' and 'to')",
    ),
    (
        "a count starting after its as_of date",
        with_period("count-in-period", "2016-11-28", None, "over the weekend"),
        f"{ARTICLE}:19: the period starts (2016-11-28) after as_of (2016-11-27) "
        "(write 'to' for the last day counted, or correct 'from')",
    ),
    (
        "an unknown vague word",
        [(ARTICLE, "value: 100000", "value: lots")],
        f"{ARTICLE}:14: 'value' 'lots' is not a number nor a known vague quantity (vague "
        "quantities: several, dozens, scores, hundreds, thousands, tens of thousands, "
        "hundreds of thousands, millions)",
    ),
    (
        "'of' without 'part'",
        [(ARTICLE, FIGURE_END, FIGURE_END + "    of: whole\n")],
        f"{ARTICLE}:18: 'of' names the whole of a part, but this figure has no 'part' "
        "(add part: with the source's words for the part, or remove 'of')",
    ),
    (
        "'of' naming no figure",
        [(ARTICLE, FIGURE_END, FIGURE_END + "    part: from one area\n    of: whole\n")],
        f"{ARTICLE}:19: unknown figure 'whole' in 'of' (none are defined yet; the whole "
        "needs an explicit 'id:' in this article)",
    ),
    (
        "duplicate explicit ids",
        [(ARTICLE, FIRST_FIGURE, "  - id: same\n" + FIRST_FIGURE[2:].replace("- ", "    ")),
         (ARTICLE, "  - speaker: un", "  - id: same\n    speaker: un")],
        f"{ARTICLE}:21: duplicate id 'same' in this article "
        "(each figure and quote of an article needs its own id)",
    ),
    (
        "two figures with the same content",
        [(ARTICLE, "figures:\n", "figures:\n  - metric: civilians-trapped\n    value: 100000\n"
          "    qualifier: exact\n    as_of: 2016-11-26\n"
          "    quote: \"The UN said “as many as 100,000 people” are still trapped\"\n"),
         (ARTICLE, " are still trapped in the east.\"", " are still trapped\"")],
        f"{ARTICLE}:18: this figure repeats the one at line 13 "
        "(if both are meant, give each an explicit 'id:' to tell them apart)",
    ),
    (
        "a url that is not http(s)",
        [(ARTICLE, "seed: sample.txt", "seed: sample.txt\nurl: ftp://example.org/a")],
        f"{ARTICLE}:6: url 'ftp://example.org/a' is not an http(s) address "
        "(e.g. https://abcnews.go.com/...)",
    ),
    (
        "inference evidence not in the seed",
        [(ARTICLE, "seed: sample.txt", "seed: sample.txt\noutlet_inferred:\n  reason: style\n"
          "  evidence: [\"Rebels Hold Out In The New City\"]")],
        f"{ARTICLE}:8: evidence not found in seeds/sample.txt (nearest passage: "
        "'Rebels Hold Out In The Old City'; copy it verbatim)",
    ),
    (
        "inference without a reason",
        [(ARTICLE, "seed: sample.txt", "seed: sample.txt\npublished_inferred:\n"
          "  evidence: [\"on Saturday\"]")],
        f"{ARTICLE}:7: missing required field 'reason' in 'published_inferred' "
        "(why the editor infers it, in a sentence)",
    ),
    (
        "skipped passage not in the seed",
        [(ARTICLE, "seed: sample.txt", "seed: sample.txt\nskipped:\n  - quote: \"on Sunday\"\n"
          "    reason: a day")],
        f"{ARTICLE}:7: quote not found in seeds/sample.txt (nearest passage: "
        "'Rebels Hold Out In The Old City'; copy it verbatim)",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("edits", "expected"), [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN]
)
def test_broken_claim_field_gives_one_clear_message(
    tmp_path: Path, edits: list[tuple[str, str, str]], expected: str
) -> None:
    assert problems(edited(tmp_path, *edits)) == [expected]


def test_comparison_settings_and_headline_are_read(tmp_path: Path) -> None:
    root = edited(
        tmp_path,
        (SITE, "language: en", "language: en\nheadline_metric: civilians-trapped\n"
         "comparison:\n  window_days: 3\n  about_tolerance: 0.2"),
    )  # fmt: skip
    site, *_ = validate_project(load_project(root))
    assert site.headline_metric == "civilians-trapped"
    assert (site.comparison.window_days, site.comparison.about_tolerance) == (3, 0.2)


def test_relations_are_read_on_both_sides(tmp_path: Path) -> None:
    root = edited(
        tmp_path,
        (METRICS, "kind: level", "kind: level\n  window_days: 14\n  related:\n"
         f"    - metric: share\n      compare: false\n{SHARE}"),
    )  # fmt: skip
    metrics, _ = valid(root)
    by_id = {m.metric_id: m for m in metrics}
    assert by_id["civilians-trapped"].related == (MetricRelation("share", compare=False),)
    assert by_id["share"].related == (MetricRelation("civilians-trapped", compare=False),)
    assert by_id["civilians-trapped"].window_days == 14


def test_a_count_period_ends_on_as_of_unless_given(tmp_path: Path) -> None:
    root = count_metric(
        tmp_path,
        "    period:\n      from: 2016-11-26\n      text: over the weekend\n"
        "      precision: approximate\n    part: from one area\n",
    )
    _, article = valid(root)
    (figure,) = article.figures
    start, end = FuzzyDate(2016, 11, 26), FuzzyDate(2016, 11, 27)
    assert figure.period == Period(start, end, "over the weekend", "approximate")
    assert figure.part == "from one area"


def test_a_part_names_its_whole_by_explicit_id(tmp_path: Path) -> None:
    whole = (
        "  - id: whole\n    metric: civilians-trapped\n    value: 200000\n    qualifier: exact\n"
        '    as_of: 2016-11-27\n    quote: "still trapped in the east"\n'
    )
    root = edited(
        tmp_path,
        (ARTICLE, "figures:\n", "figures:\n" + whole),
        (ARTICLE, FIGURE_END, FIGURE_END + "    part: in the old city\n    of: whole\n"),
    )
    _, article = valid(root)
    whole_figure, part_figure = article.figures
    assert whole_figure.figure_id == "sample-article-whole"
    assert part_figure.part_of_id == "sample-article-whole"


def test_a_vague_value_keeps_its_words_and_bounds(tmp_path: Path) -> None:
    root = edited(tmp_path, (ARTICLE, "value: 100000", 'value: "Tens of  thousands"'))
    _, article = valid(root)
    (figure,) = article.figures
    assert (figure.vague, figure.low, figure.high) == ("tens of thousands", 20000, 99999)


def test_ids_come_from_content_and_survive_an_inserted_figure(tmp_path: Path) -> None:
    _, before = valid(make_project(tmp_path / "before"))
    inserted = (
        "figures:\n  - metric: civilians-trapped\n    value: hundreds\n    qualifier: exact\n"
        '    as_of: 2016-11-27\n    quote: "still trapped in the east"\n'
    )
    _, after = valid(edited(tmp_path / "after", (ARTICLE, "figures:\n", inserted)))
    assert before.figures[0].figure_id == "sample-article-fig-8f098255"
    assert after.figures[1].figure_id == before.figures[0].figure_id
    assert before.quotes[0].quote_id == "sample-article-quote-4a4dfef3"


def test_explicit_ids_are_prefixed_with_the_slug(tmp_path: Path) -> None:
    root = edited(
        tmp_path,
        (ARTICLE, FIRST_FIGURE, "  - id: un-trapped\n" + FIRST_FIGURE[2:].replace("- ", "    ")),
        (ARTICLE, "  - speaker: un", "  - id: un-words\n    speaker: un"),
    )
    _, article = valid(root)
    assert article.figures[0].figure_id == "sample-article-un-trapped"
    assert article.quotes[0].quote_id == "sample-article-un-words"


def test_provenance_fields_are_read_and_verified(tmp_path: Path) -> None:
    root = edited(
        tmp_path,
        (ARTICLE, "seed: sample.txt", "seed: sample.txt\nurl: https://example.org/a\n"
         "published_inferred:\n  reason: the text says Saturday of the 26th\n"
         "  evidence: [\"on Saturday\"]\nskipped:\n  - quote: \"Old City\"\n"
         "    reason: no number here, only a test"),
    )  # fmt: skip
    _, article = valid(root)
    assert article.url == "https://example.org/a"
    assert article.outlet_inferred is None
    inference = article.published_inferred
    assert isinstance(inference, Inference)
    assert [p.text for p in inference.evidence] == ["on Saturday"]
    (skipped,) = article.skipped
    assert article.seed_text[skipped.passage.start : skipped.passage.end] == "Old City"
    assert skipped.reason == "no number here, only a test"
    # The evidence is marked in the source text; a skipped passage is not.
    (evidence,) = inference.evidence
    marks = {(m.start, m.end) for m in marks_of(article)}
    assert (evidence.start, evidence.end) in marks
    assert (skipped.passage.start, skipped.passage.end) not in marks
