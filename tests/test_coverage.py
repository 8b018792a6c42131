"""`check --coverage`: the number and date recogniser, the coverage sweep, the CLI report.

The recogniser is tested on news sentences written for this test, not taken from the seeds,
so that it is not merely tuned to the five shipped texts.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from builder.__main__ import main
from builder.build import load_archive
from builder.check.coverage import (
    LineIndex,
    context_around,
    measure_coverage,
    uncovered_expressions,
)
from builder.check.expressions import (
    EXPRESSIONS,
    FIRST_WORDS,
    Expression,
    ExpressionKind,
    alternation,
    find_expressions,
    is_pronoun_one,
)
from builder.model import Passage
from tests.fixtures import SEED, make_project, replace_in

# (sentence, every number and date expression in it, in order)
RECOGNISER_CASES: list[tuple[str, list[tuple[ExpressionKind, str]]]] = [
    (
        "At least 1,200 people were killed and 3,500 wounded in the fighting, the ministry "
        "said on Tuesday.",
        [("number", "1,200"), ("number", "3,500"), ("date", "Tuesday")],
    ),
    (
        "The storm displaced an estimated 2.3 million residents, roughly 40% of the province.",
        [("number", "2.3 million"), ("number", "40%")],
    ),
    (
        "Forty-two migrants drowned off the coast of Lampedusa early on Sunday.",
        [("number", "Forty-two"), ("date", "Sunday")],
    ),
    (
        "The ceasefire, agreed on Feb. 27, 2016, lasted barely three weeks.",
        [("date", "Feb. 27, 2016"), ("number", "three")],
    ),
    (
        "Nearly two-thirds of the city's hospitals have closed since mid-March.",
        [("number", "two-thirds"), ("date", "mid-March")],
    ),
    (
        "Tens of thousands of protesters gathered in the capital last weekend.",
        [("number", "Tens of thousands"), ("date", "last weekend")],
    ),
    (
        "The vote is scheduled for 10:30 a.m. on 14 July.",
        [("date", "10:30 a.m."), ("date", "14 July")],
    ),
    (
        "Officials said dozens of fighters had surrendered in recent weeks.",
        [("number", "dozens"), ("date", "recent weeks")],
    ),
    (
        "May 5 was the deadline, but the talks may resume in May.",
        [("date", "May 5"), ("date", "May")],
    ),
    (
        "Half of the 600 families returned two days ago.",
        [("number", "Half"), ("number", "600"), ("date", "two days ago")],
    ),
    ("Two F-16 jets and a Su-24 were seen over the city.", [("number", "Two")]),
    ("No one was hurt, one official said, in one of the quietest nights.", [("number", "one")]),
    (
        "Unemployment rose to 12.5 per cent in the third quarter of 2015.",
        [("number", "12.5 per cent"), ("date", "2015")],
    ),
    (
        "The UN says hundreds of thousands remain without power this winter.",
        [("number", "hundreds of thousands"), ("date", "this winter")],
    ),
    (
        "Some 15 percent of voters had not decided by late October, a poll showed.",
        [("number", "15 percent"), ("date", "late October")],
    ),
    (
        "The 1990s saw a wave of emigration; by 2010 it had slowed.",
        [("date", "1990s"), ("date", "2010")],
    ),
    (
        "Police arrested several hundred demonstrators overnight.",
        [("number", "several hundred"), ("date", "overnight")],
    ),
    (
        "The bill costs $4.5 billion over the next decade.",
        [("number", "$4.5 billion"), ("date", "next decade")],
    ),
    (
        "Three-quarters of the aid convoys were blocked last month, a third of them near the "
        "border.",
        [("number", "Three-quarters"), ("date", "last month"), ("number", "a third")],
    ),
    (
        "Talks resumed yesterday and will continue tomorrow.",
        [("date", "yesterday"), ("date", "tomorrow")],
    ),
    (
        "Flight MH17 was shot down on 17 July 2014, killing all 298 people on board.",
        [("date", "17 July 2014"), ("number", "298")],
    ),
    (
        "A 7-year-old girl was among the eleven wounded, the hospital said Thursday night.",
        [("number", "7"), ("number", "eleven"), ("date", "Thursday")],
    ),
    (
        "The army said it had retaken 12 of the 16 districts by Dec 9.",
        [("number", "12"), ("number", "16"), ("date", "Dec 9")],
    ),
    ("The curfew starts at 9 pm and ends at dawn.", [("date", "9 pm")]),
    (
        "The death toll rose to 1,023 on Thursday, up from 987 a day earlier.",
        [("number", "1,023"), ("date", "Thursday"), ("number", "987"), ("date", "a day earlier")],
    ),
    (
        "A fortnight ago, on the 9th of May, nearly 70pc of the 2.4m residents left.",
        [
            ("date", "A fortnight ago"),
            ("date", "9th of May"),
            ("number", "70pc"),
            ("number", "2.4m"),
        ],
    ),
    (
        "In December 2016, on Nov. 26-27, a million people fled.",
        [("date", "December 2016"), ("date", "Nov. 26-27"), ("number", "a million")],
    ),
    (
        "The town has been cut off for weeks, and aid could run out within days.",
        [("date", "weeks"), ("date", "days")],
    ),
    ("Covid-19 cases doubled over the past 24 hours.", [("date", "past 24 hours")]),
    ("The prime minister, Theresa May, said the deal was one of the best.", []),
    (
        "By mid-2016 the post-2011 order of the Arab Spring was gone; MiG-29 and Su-24 jets "
        "flew, and Covid-19 came later.",
        [("date", "2016"), ("date", "2011")],
    ),
    (
        "Security forces detained tens of men aged 18 to 40 in Homs on Sept. 11, the day "
        "before the vote on Resolution 2254.",
        [
            ("number", "tens"),
            ("number", "18"),
            ("number", "40"),
            ("date", "Sept. 11"),
            ("date", "day before"),
            ("number", "2254"),
        ],
    ),
    (
        "A couple of days later, between 100,000-120,000 people had returned.",
        [("date", "A couple of days later"), ("number", "100,000"), ("number", "120,000")],
    ),
    (
        "He served two hundred and fifty days of a 5-year sentence imposed in 2019-2020.",
        [
            ("number", "two hundred and fifty"),
            ("number", "5"),
            ("date", "2019"),
            ("date", "2020"),
        ],
    ),
]


@pytest.mark.parametrize(("sentence", "expected"), RECOGNISER_CASES)
def test_recogniser_finds_every_number_and_date(
    sentence: str, expected: list[tuple[ExpressionKind, str]]
) -> None:
    found = find_expressions(sentence)
    assert [(e.kind, e.text) for e in found] == expected
    assert all(sentence[e.start : e.end] == e.text for e in found), "spans are verbatim"


def test_recogniser_ignores_ordinal_words_pronoun_one_and_vague_words() -> None:
    sentence = "For the second time, no one knew how many of the few remaining fighters left."
    assert find_expressions(sentence) == ()


def test_scanning_from_expression_starts_finds_what_a_full_scan_finds(
    project_root: Path,
) -> None:
    # `find_expressions` tries the pattern only where an expression can begin (for speed);
    # a plain scan of the pattern at every position is the oracle.
    texts = [path.read_text(encoding="utf-8") for path in sorted(project_root.glob("seeds/*"))]
    texts += [sentence for sentence, _ in RECOGNISER_CASES]
    for text in texts:
        full_scan = [
            (m.start(), m.end())
            for m in EXPRESSIONS.finditer(text)
            if not (m["word"] and is_pronoun_one(text, m.start(), m.end()))
        ]
        assert [(e.start, e.end) for e in find_expressions(text)] == full_scan


def test_an_alternation_matches_its_words_only_and_a_longer_word_before_its_prefix() -> None:
    words = [*FIRST_WORDS, "a", "an", "and", "seven", "seventeen", "seventy", "x.y", ""]
    pattern = re.compile(alternation(words))
    for word in words:
        assert pattern.fullmatch(word), word
        longest = pattern.match(word + "?")  # the longest word that matches
        assert longest is not None
        assert longest.group(0) == word
    for other in ("ap", "seve", "seventee", "sevens", "xzy", "thousand", "Monday"):
        assert not pattern.fullmatch(other), other
    assert alternation(["april", "an", "a"]) == "a(?:n|pril)?"


def passage(start: int, end: int) -> Passage:
    return Passage("seed.txt", start, end, "x" * (end - start))


def expression(start: int, end: int) -> Expression:
    return Expression("number", start, end, "9" * (end - start))


def test_an_expression_is_covered_only_inside_one_passage() -> None:
    inside, straddling, across_two, outside, nested = (
        expression(12, 14),
        expression(18, 22),
        expression(29, 32),
        expression(50, 52),
        expression(5, 6),
    )
    passages = [passage(0, 20), passage(10, 15), passage(25, 30), passage(30, 40)]
    uncovered = uncovered_expressions([outside, across_two, straddling, inside, nested], passages)
    assert uncovered == [straddling, across_two, outside]


def test_line_numbers_and_context_come_from_the_seed_itself() -> None:
    text = "Title\n\nThe army said 52 trucks were stopped at the crossing near the old post.\n"
    found = find_expressions(text)
    assert [e.text for e in found] == ["52"]
    assert LineIndex(text).line(found[0].start) == 3
    assert context_around(text, found[0]) == "The army said 52 trucks were stopped at the…"


UNCOVERED_LINE = "Aid workers said 52 trucks were still waiting at the border crossing.\n"
SKIPPED_52 = """\
skipped:
  - quote: "52 trucks"
    reason: trucks are not counted by any metric of this archive
"""


def project_with_a_new_seed_line(root: Path, front_matter_extra: str = "") -> Path:
    """The minimal project whose seed has a fifth line with a number that no fact quotes."""
    project = make_project(root, {"seeds/sample.txt": SEED + UNCOVERED_LINE})
    if front_matter_extra:
        replace_in(
            project,
            "content/articles/sample-article.md",
            "quotes:\n",
            front_matter_extra + "quotes:\n",
        )
    return project


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "builder", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_coverage_reports_an_uncovered_number_at_its_seed_line(tmp_path: Path) -> None:
    project = project_with_a_new_seed_line(tmp_path)
    result = run_cli("check", "--coverage", "--project", str(project))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "seeds/sample.txt:5: uncovered number '52' in \"Aid workers said 52 trucks were "
        'still waiting at…" (record it as a figure, event or quote, or add a skipped: entry '
        "with a reason)"
    ]
    assert result.stdout == "Coverage: 2 of 3 numbers and dates covered in 1 seed\n"


def test_a_skipped_entry_explains_the_number(tmp_path: Path) -> None:
    project = project_with_a_new_seed_line(tmp_path, SKIPPED_52)
    result = run_cli("check", "--coverage", "--project", str(project))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "Coverage: 3 of 3 numbers and dates covered in 1 seed\n"


def test_inferred_metadata_evidence_explains_the_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evidence = """\
published_inferred:
  reason: the trucks were reported waiting on the day of publication
  evidence: ["52 trucks were still waiting"]
"""
    project = project_with_a_new_seed_line(tmp_path, evidence)
    assert main(["check", "--coverage", "--project", str(project)]) == 0
    assert capsys.readouterr().out == "Coverage: 3 of 3 numbers and dates covered in 1 seed\n"


def test_seeds_without_a_fact_sheet_are_not_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path, {"seeds/unused.txt": UNCOVERED_LINE})
    assert main(["check", "--coverage", "--project", str(project)]) == 0
    assert capsys.readouterr().out == "Coverage: 2 of 2 numbers and dates covered in 1 seed\n"


def test_check_without_coverage_ignores_uncovered_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = project_with_a_new_seed_line(tmp_path)
    assert main(["check", "--project", str(project)]) == 0
    assert capsys.readouterr().out.startswith("OK: 1 article, ")


def test_shipped_seeds_have_no_unexplained_number_or_date(project_root: Path) -> None:
    articles = load_archive(project_root).articles
    if not any(article.skipped for article in articles):
        # Until the content branch (skipped: entries, sub-counts, vague figures) is merged,
        # the shipped sheets predate the check; afterwards this test guards them.
        pytest.skip("the shipped content has no skipped: entries yet (needs branch 'content')")
    report = measure_coverage(articles)
    assert [str(gap) for gap in report.gaps] == []
    assert [str(idle) for idle in report.idle_skips] == []
    assert report.covered == report.found > 0
    assert report.seeds == 5


def test_recogniser_time_is_linear_even_on_adversarial_text(project_root: Path) -> None:
    # Long runs that could make a regex backtrack: separators, repeated starts of
    # expressions, number words, hyphens. About 0.3 us of CPU a character on news text.
    seeds = "".join(path.read_text(encoding="utf-8") for path in project_root.glob("seeds/*"))
    adversarial = "1,000" * 2000 + "a " * 5000 + "the past few " * 1000 + "-" * 10000
    adversarial += "twenty-one hundred and " * 500 + "late mid-early late-" * 500
    started = time.process_time()
    find_expressions(seeds * 10 + adversarial)
    assert time.process_time() - started < 3.0
