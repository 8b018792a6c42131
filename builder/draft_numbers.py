"""Numbers of substance in a sentence, for `draft`: value or range, qualifier and unit.

Input: one sentence.
Output: `NumberExpression`s in sentence order. A number counts when it has a unit the
archive measures in: a percentage, people (or a word for people: civilians, children, ...),
or a countable noun such as neighbourhoods. Dates, times, years, ages and durations
("5-year-old", "seven-day truce", "two weeks") are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from builder.draft_text import MONTH_PATTERN
from builder.model import Qualifier

WORD_NUMBERS = {
    word: value
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}

# The phrase right before a number, and the qualifier it means.
QUALIFIER_PHRASES: tuple[tuple[str, Qualifier], ...] = (
    ("as many as", "up-to"),
    ("as high as", "up-to"),
    ("up to", "up-to"),
    ("nearly", "up-to"),
    ("almost", "up-to"),
    ("at least", "at-least"),
    ("more than", "more-than"),
    ("over", "more-than"),
    ("an estimated", "about"),
    ("approximately", "about"),
    ("roughly", "about"),
    ("around", "about"),
    ("about", "about"),
    ("some", "about"),
)
QUALIFIER_BEFORE = re.compile(
    r"\b(?P<phrase>" + "|".join(p for p, _ in QUALIFIER_PHRASES) + r")\s+$", re.I
)

# fmt: off
PEOPLE_NOUNS = frozenset((
    "people", "persons", "civilians", "children", "residents", "citizens", "syrians", "men",
    "women", "fighters", "refugees", "others", "wounded", "dead", "casualties", "families",
    "patients", "rebels", "soldiers", "troops",
))
# fmt: on
# Countable things metrics may measure in; the key is the metric unit it maps to.
COUNT_NOUNS = {
    "neighborhood": "neighbourhoods",
    "neighborhoods": "neighbourhoods",
    "neighbourhood": "neighbourhoods",
    "neighbourhoods": "neighbourhoods",
    "districts": "districts",
    "hospitals": "hospitals",
}
# fmt: off
DURATIONS = frozenset((
    "second", "seconds", "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks",
    "month", "months", "year", "years", "am", "pm", "a.m", "p.m",
))
# fmt: on
PEOPLE_CONTEXT = re.compile(
    r"\b(?:people|civilians|evacuat\w*|fled|flee\w*|displaced|killed|died|trapped|homeless|homes|lives|left)\b",
    re.I,
)

NUMBER = re.compile(
    r"(?<![\w.,:/-])(?:(?P<digits>\d{1,3}(?:[,.]\d{3})+(?!\d)|\d+(?:\.\d+)?)"
    r"|(?P<word>(?i:" + "|".join(WORD_NUMBERS) + r"))\b)"
    r"(?:\s+(?P<scale>million|thousand|billion)\b)?"
)
RANGE_JOINER = re.compile(r"\s*(?:-|–|to)\s*|\s+and\s+")
DATE_NEIGHBOUR = re.compile(rf"(?:{MONTH_PATTERN})\.?\s*$")


@dataclass(frozen=True)
class NumberExpression:
    start: int  # offsets in the sentence
    end: int
    low: float
    high: float
    qualifier: Qualifier
    unit: str  # "percent", "people" or a COUNT_NOUNS unit
    guessed_unit: bool = False  # no unit word: "people" inferred from the sentence


@dataclass(frozen=True)
class RawNumber:
    start: int
    end: int
    value: float  # scale included
    scale: float  # 1, or 1000 for "thousand", ...
    is_word: bool


def parse_number(match: re.Match[str]) -> float:
    """`1,500` -> 1500, `450.000` -> 450000 (a thousands dot), `12 million` -> 12000000."""
    if match["word"]:
        value = float(WORD_NUMBERS[match["word"].lower()])
    elif re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", match["digits"]):
        value = float(re.sub(r"[,.]", "", match["digits"]))
    else:
        value = float(match["digits"])
    if match["scale"]:
        value *= SCALES[match["scale"].lower()]
    return value


def find_raw_numbers(sentence: str) -> list[RawNumber]:
    return [
        RawNumber(
            m.start(),
            m.end(),
            parse_number(m),
            SCALES[m["scale"].lower()] if m["scale"] else 1.0,
            bool(m["word"]),
        )
        for m in NUMBER.finditer(sentence)
    ]


def find_numbers(sentence: str) -> list[NumberExpression]:
    """Every number of substance in the sentence, ranges merged, in order."""
    raw = find_raw_numbers(sentence)
    found: list[NumberExpression] = []
    index = 0
    while index < len(raw):
        first = last = raw[index]
        index += 1
        if index < len(raw) and is_range(sentence, first, raw[index]):
            last = raw[index]
            index += 1
        expression = number_expression(sentence, first, last)
        if expression is not None:
            found.append(expression)
    return found


def is_range(sentence: str, first: RawNumber, second: RawNumber) -> bool:
    """`between 100,000 and 200,000`, `18-35`, `10 to 20`."""
    joiner = sentence[first.end : second.start]
    if not RANGE_JOINER.fullmatch(joiner):
        return False
    if "and" in joiner:
        return bool(re.search(r"\bbetween\s+$", sentence[: first.start], re.I))
    return True


def number_expression(sentence: str, first: RawNumber, last: RawNumber) -> NumberExpression | None:
    """The number with its qualifier and unit, or None when it is not a figure."""
    before, after = sentence[: first.start], sentence[last.end :]
    if DATE_NEIGHBOUR.search(before) or re.match(rf"\s*(?:{MONTH_PATTERN})\b|\s*:\d", after):
        return None  # a date or a time of day
    if re.match(r"-\w|\s*(?:-|–)?\s*(?:\w+[- ])?(?:" + "|".join(DURATIONS) + r")\b", after, re.I):
        return None  # a duration or an age: "5-year-old", "seven-day", "two weeks"
    unit = unit_after(after)
    guessed = False
    if unit is None:
        if first.is_word or last.value < 100 or not PEOPLE_CONTEXT.search(sentence):
            return None
        unit, guessed = "people", True
    if unit != "percent" and 1900 <= last.value < 2100 and last.scale == 1:
        return None  # a year
    low = first.value
    if first.scale == 1 and first is not last:
        low *= last.scale  # "between 1 and 2 million"
    qualifier: Qualifier = "exact"
    phrase = QUALIFIER_BEFORE.search(before)
    if phrase and first is last:
        qualifier = dict(QUALIFIER_PHRASES)[phrase["phrase"].lower()]
    return NumberExpression(first.start, last.end, low, last.value, qualifier, unit, guessed)


def unit_after(after: str) -> str | None:
    """The unit named right after a number: percent, people or a countable noun."""
    if re.match(r"\s*(?:%|percent\b|per cent\b)", after, re.I):
        return "percent"
    for word in re.findall(r"[A-Za-z’']+", after)[:3]:
        word = word.lower().strip("’'")
        if word in PEOPLE_NOUNS:
            return "people"
        if word in COUNT_NOUNS:
            return COUNT_NOUNS[word]
        if word in {"of", "and", "to", "in", "from", "on", "at", "had", "have", "has", "were"}:
            break
    return None
