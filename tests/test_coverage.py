"""`check --coverage`: the number and date recogniser, the coverage sweep, the CLI report.

The recogniser is tested on news sentences written for this test, not taken from the seeds,
so that it is not merely tuned to the five shipped texts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.coverage_expressions import (
    EXPRESSIONS,
    ExpressionKind,
    find_expressions,
    is_pronoun_one,
)

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
    ("Covid-19 cases doubled over the past 24 hours.", [("date", "past 24 hours")]),
    ("The prime minister, Theresa May, said the deal was one of the best.", []),
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
