"""Every number and every date expression in a text, with its character span.

Input: a seed text.
Output: `Expression`s in text order, each a number ("275,000", "52 percent", "five",
"three-quarters", "tens of thousands", "several") or a date ("Dec. 4, 2016", "mid-September",
"last month", "Wednesday", "recent days", "2012", "6:19 PM", "for months").

One compiled alternation (`EXPRESSIONS`), tried left to right wherever an expression can
begin: a digit or one of `FIRST_WORDS`. Date patterns come first, so that "November 26 and
27", "two days ago" or "past 24 hours" are one date rather than a date and loose numbers.
What is deliberately NOT an expression: ordinals written as words ("the second time"), "one"
as a pronoun ("one of the", "no one"), the vague "a few" and "many", and digits that are part
of a name ("F-16", "Su-24", "COVID-19").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from builder.english import MONTHS, WEEKDAYS
from builder.english import TENS as TEN_WORDS
from builder.english import UNITS as WORD_NUMBERS

ExpressionKind = Literal["number", "date"]


@dataclass(frozen=True)
class Expression:
    kind: ExpressionKind
    start: int  # text[start:end] == text
    end: int
    text: str


def alternation(words: Iterable[str]) -> str:
    """A pattern matching any of the words, a longer one before a word that is its prefix
    (so that a prefix never wins over the whole word). Written as a trie ("a(?:n|pril)?"),
    not as "april|an|a": at each character the regex engine then rejects the other words
    by their next letter, instead of trying every word in turn (finding expressions
    takes a third less time)."""
    trie: dict[str, dict[str, Any]] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here
    return trie_pattern(trie)


def trie_pattern(node: dict[str, dict[str, Any]]) -> str:
    """The words under a trie node (an empty word when "" is a key): the longer words
    first, since a greedy "?" tries what follows before it tries the word ending."""
    branches = [
        re.escape(char) + trie_pattern(child) for char, child in sorted(node.items()) if char
    ]
    either = "|".join(branches)
    if "" not in node:
        return either if len(branches) == 1 else f"(?:{either})"
    if not branches:
        return ""
    return f"{either}?" if len(either) == 1 else f"(?:{either})?"


# --- numbers ---------------------------------------------------------------------------------
TENS = alternation(TEN_WORDS)
SMALL = alternation(WORD_NUMBERS)
SCALE = r"(?:hundred|thousand|million|billion|trillion)"
UNDER_HUNDRED = rf"(?:(?:{TENS})(?:[- ](?:{SMALL}))?|{SMALL})"
# "nine", "twenty-five", "two hundred and fifty thousand", "a million"
WORD_NUMBER = rf"(?:{UNDER_HUNDRED}|an?(?= {SCALE}))(?:[- ]{SCALE}(?: and {UNDER_HUNDRED})?)*"
FRACTION_WORD = r"(?:halve|half|third|quarter|fifth|sixth|eighth|tenth)s?"
# "a third of" is a fraction; "a third time" is an ordinal.
FRACTION = (
    rf"\b(?:(?:{SMALL})[- ]{FRACTION_WORD}|an?[- ]{FRACTION_WORD}(?= of\b))\b"
    r"|\bhalf\b|[½⅓⅔¼¾]|(?<![\w/])\d+/\d+(?![\w/])"
)
VAGUE = (
    r"(?:tens|hundreds) of (?:thousands|millions)|tens(?= of\b)"
    r"|(?:several|a few|many) (?:hundred|thousand|million)s?"
    r"|(?:a )?dozens?|scores(?= of\b)|hundreds"
    r"|thousands|millions|billions|several|a handful|a couple(?= of\b)"
)
DIGITS = (
    r"[$£€]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
    r"(?:[a-z]{1,3}\b)?"  # ordinals, decades and units: "10th", "1990s", "1.5m", "5km"
    r"(?:\s?%|\s(?i:percent|per cent)\b|\s(?i:hundred|thousand|million|billion)\b)?"
)

# --- dates -----------------------------------------------------------------------------------
FULL_MONTHS = alternation(n.capitalize() for n in MONTHS if len(n) > 4 or n in ("june", "july"))
SHORT_MONTHS = alternation(n.capitalize() for n in MONTHS if len(n) <= 4 and n != "may")
# "May" is a month only next to a day or year, or after a word that introduces a date; the
# bare word is the verb "may" or a name.
MAY = (
    r"(?:May(?=,? \d)|(?:(?<=in )|(?<=of )|(?<=since )|(?<=until )|(?<=by )|(?<=from )"
    r"|(?<=early )|(?<=late )|(?<=mid-)|(?<=last )|(?<=next )|(?<=this ))May\b)"
)
MONTH = rf"(?:(?:{FULL_MONTHS})\b|{MAY}|(?:{SHORT_MONTHS})(?:\.|\b(?= \d)))"
DAY = r"\d{1,2}(?:st|nd|rd|th)?"
DAYS = rf"{DAY}(?:\s?(?:-|–|and|to)\s?{DAY})?"
YEAR = r"(?:1[89]\d\d|20\d\d)"
PART = r"(?:(?:early|mid|late)[- ]|(?:start|beginning|end|middle) of )"
CALENDAR_DATE = rf"(?:{PART})?(?:{DAYS} (?:of )?{MONTH}|{MONTH}(?: {DAYS}\b)?)(?:,? {YEAR}\b)?"
# A four-digit number counting people or percent is not a year.
BARE_YEAR = rf"{YEAR}s?\b(?!\s?%|\s(?i:percent|per cent|people|civilians|residents|troops)\b)"
WEEKDAY = rf"(?:{alternation(w.capitalize() for w in WEEKDAYS)})s?\b"
SEASON = r"(?:spring|summer|autumn|winter)"
UNIT = r"(?:hours?|days?|nights?|weeks?|weekends?|fortnights?|months?|years?|decades?)"
COUNT = rf"(?:an?|few|a few|several|a couple of|couple of|\d+|{WORD_NUMBER})"
RELATIVE = "|".join(
    (
        r"(?:yesterday|today|tonight|tomorrow|overnight)\b",
        rf"(?:last|next|this|past|coming|previous|following|recent|same) (?:{COUNT} )?"
        rf"(?:{UNIT}|morning|afternoon|evening|{SEASON}|fall)\b",
        rf"{COUNT} {UNIT} (?:ago|later|earlier|after|before)\b",
        r"(?:earlier|later) (?:this|that|last|next|in the) (?:day|week|month|year|weekend)\b",
        r"(?:day|night|week) (?:before|after)\b|(?<=that )(?:day|night|week)\b|weekend\b",
        # A vague span of time: "under siege for months", "within weeks".
        r"(?:(?<=for )|(?<=within ))(?:hours|days|weeks|months|years|decades)\b",
        rf"{PART}(?:this |the |last |next )?(?:week|month|year|{SEASON}|fall)\b",
    )
)
# Digits after a hyphenated name are part of it ("F-16", "Su-24", "Covid-19", "COVID-19");
# after a lowercase prefix they are a number or year ("mid-2016", "post-2011").
NOT_IN_A_NAME = (
    r"(?<![\w.,/])"
    + "".join(rf"(?<![A-Z]{lower}-)" for lower in ("", "[a-z]", "[a-z]{2}", "[a-z]{3}", "[a-z]{4}"))
    + r"(?<![A-Z]{2}-)"
)
TIME = r"\d{1,2}(?::\d{2})?\s?(?:[ap]\.m\.|[AaPp][Mm]\b)|\d{1,2}:\d{2}\b"
NUMERIC_DATE = r"\d{4}-\d{2}-\d{2}\b|\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})\b"

EXPRESSIONS = re.compile(
    "|".join(
        (
            # Dates first: at one position, the longer date beats the number inside it.
            rf"(?P<date>{NOT_IN_A_NAME}(?:{NUMERIC_DATE}|{TIME}|{CALENDAR_DATE}|{BARE_YEAR})"
            rf"|\b(?:(?:last|next|this|early|late) )?{WEEKDAY}"
            # A bare season in lower case only: "the Arab Spring" is not a date.
            rf"|\b{SEASON}\b"
            rf"|\b(?i:{RELATIVE}))",
            rf"(?P<fraction>(?i:{FRACTION}))",
            rf"(?P<vague>\b(?i:{VAGUE})\b)",
            # Digits glued to a name are not a number: "F-16", "COVID-19", "G20".
            rf"(?P<digits>{NOT_IN_A_NAME}{DIGITS}(?!\w))",
            rf"(?P<word>\b(?i:{WORD_NUMBER})\b)",
        )
    )
)
# Every word an expression can begin with, lowercase. Trying the whole pattern at every
# position costs about 2 microseconds a character; trying it only where one of these words
# (or a digit) begins is about five times faster and finds the same expressions (tested).
FIRST_WORDS = (
    *MONTHS,
    *WEEKDAYS,
    *(f"{weekday}s" for weekday in WEEKDAYS),
    *WORD_NUMBERS,
    *TEN_WORDS,
    *("a", "an", "this", "last", "next", "past", "coming", "previous", "day", "night", "week"),
    *("hours", "days", "weeks", "months", "years", "decades"),
    *("following", "recent", "same", "early", "mid", "late", "start", "beginning", "end"),
    *("middle", "yesterday", "today", "tonight", "tomorrow", "overnight", "earlier", "later"),
    *("few", "several", "couple", "many", "tens", "hundreds", "thousands", "millions"),
    *("billions", "dozen", "dozens", "scores", "half", "weekend"),
    *("spring", "summer", "autumn", "winter"),
)
EXPRESSION_START = re.compile(rf"[0-9]+|[$£€½⅓⅔¼¾]|\b(?:{alternation(FIRST_WORDS)})\b")
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

# "one" that is a pronoun, not a count: "no one", "one of the", "one another".
PRONOUN_ONE_BEFORE = re.compile(r"(?i:\b(?:no|any|every|each|the|this|that|which)\s+)$")
PRONOUN_ONE_AFTER = re.compile(
    r"(?i:\s+(?:of\b|another\b|or (?:the )?other\b|by one\b|day\b)|-(?:sided|time|off)\b)"
)


def find_expressions(text: str) -> tuple[Expression, ...]:
    """Every number and date expression in `text`, in order, never overlapping."""
    found: list[Expression] = []
    scanned_to = 0
    # The same leftmost, non-overlapping matches as EXPRESSIONS.finditer(text), tried only
    # where an expression can begin.
    for start in EXPRESSION_START.finditer(lower_case(text)):
        if start.start() < scanned_to:
            continue
        match = EXPRESSIONS.match(text, start.start())
        if match is None or (match["word"] and is_pronoun_one(text, match.start(), match.end())):
            continue
        kind: ExpressionKind = "date" if match["date"] else "number"
        found.append(Expression(kind, match.start(), match.end(), match.group(0)))
        scanned_to = match.end()
    return tuple(found)


def lower_case(text: str) -> str:
    """The text in lower case, each character at its own offset."""
    lowered = text.lower()  # fast, but a few characters lengthen: "İ" becomes "i̇"
    return lowered if len(lowered) == len(text) else text.translate(ASCII_LOWER)


def is_pronoun_one(text: str, start: int, end: int) -> bool:
    if text[start:end].lower() != "one":
        return False
    before = text[max(0, start - 12) : start]
    return bool(PRONOUN_ONE_BEFORE.search(before) or PRONOUN_ONE_AFTER.match(text, end))
