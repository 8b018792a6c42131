"""Numbers of substance in a sentence, for `draft`: value or range, qualifier and unit.

Input: one sentence (and, for context, the sentence before it).
Output: `NumberExpression`s in sentence order. A number counts when it measures something:
a percentage or a share ("three-quarters of", "half of"), an amount of money ("$1.2m"),
people (or a word for people: civilians, aid workers, ...), or any countable noun
("13 facilities"). Numbers may be digits ("1,500", "450.000", "5.5 million", "1.2m"),
words of any size ("forty", "three million", "a dozen"), ranges ("100,000-200,000",
"between 10 and 20") or vague quantities ("tens of thousands of people"), which keep their
words and carry the documented bounds of the value model (`VAGUE_QUANTITIES`).
Dates, times, years, ages, durations and distances ("5-year-old", "seven-day truce",
"two weeks", "50 kilometers") are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from builder.english import MONTH_PATTERN, TENS, UNITS
from builder.model import Qualifier
from builder.validate.scalars import VAGUE_QUANTITIES

WORD_VALUES = {word: n for n, word in enumerate(UNITS)} | {
    word: 20 + 10 * n for n, word in enumerate(TENS)
}
WORD_VALUES |= {"a": 1, "an": 1, "dozen": 12}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
ABBREVIATED_SCALES = {"k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000}

FRACTIONS = {"half": 0.5, "third": 1 / 3, "quarter": 0.25, "fifth": 0.2, "tenth": 0.1}

# The phrase right before a number, and the qualifier it means.
QUALIFIER_PHRASES: tuple[tuple[str, Qualifier], ...] = (
    ("as many as", "up-to"),
    ("as high as", "up-to"),
    ("up to", "up-to"),
    ("nearly", "up-to"),
    ("almost", "up-to"),
    ("fewer than", "up-to"),
    ("less than", "up-to"),
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
    "patients", "rebels", "soldiers", "troops", "workers", "defenders", "militants",
    "migrants", "victims", "detainees", "prisoners", "protesters", "students", "journalists",
    "volunteers", "personnel", "individuals", "adults", "infants", "babies", "girls", "boys",
    "nationals", "survivors", "inhabitants", "displaced", "staff", "doctors", "nurses",
    "policemen", "officers", "youths", "villagers", "worshippers", "pilgrims", "hostages",
))
# fmt: on
# Countable things a metric may measure in, spelled as the metric unit they map to.
COUNT_NOUNS = {
    "neighborhood": "neighbourhoods",
    "neighborhoods": "neighbourhoods",
    "neighbourhood": "neighbourhoods",
    "neighbourhoods": "neighbourhoods",
}
CURRENCIES = {"$": "US dollars", "us$": "US dollars", "€": "euros", "£": "pounds"}
# fmt: off
DURATIONS = frozenset((
    "second", "seconds", "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks",
    "month", "months", "year", "years", "decade", "decades", "am", "pm", "a.m", "p.m",
    "night", "nights",
))
MEASURES = frozenset((
    "meter", "meters", "metre", "metres", "kilometer", "kilometers", "kilometre", "kilometres",
    "km", "miles", "mile", "feet", "foot", "kg", "kilograms", "tons", "tonnes", "degrees",
    "square", "hectares", "acres", "times", "percentage",
))
# Words after a number that end the search for its noun.
NOUN_STOPS = frozenset((
    "of", "and", "or", "to", "in", "from", "on", "at", "had", "have", "has", "were", "was",
    "are", "is", "who", "that", "which", "for", "by", "with", "as", "than", "said", "says",
    "will", "would", "could", "may", "might", "since", "after", "before", "last", "this",
    "next", "a", "an", "the",
))
NOT_NOUNS = frozenset((
    "this", "its", "has", "was", "is", "as", "us", "across", "less", "unless", "thus", "plus",
    "says", "remains", "needs", "lives", "always", "perhaps", "towards", "afterwards",
    "besides", "whereas", "various", "serious", "previous", "numerous", "famous", "news",
))
# fmt: on
PEOPLE_CONTEXT = re.compile(
    r"\b(?:people|persons|civilians|evacuat\w*|fled|flee\w*|displaced|killed|died|trapped|"
    r"homeless|homes|lives|left|refuge|sheltering|shelter)\b",
    re.I,
)

NUMBER_WORD = "|".join(sorted([*WORD_VALUES, *SCALES], key=len, reverse=True))
WORD_RUN = rf"(?:{NUMBER_WORD})(?:(?:[- ]|\s+and\s+)(?:{NUMBER_WORD}))*"
DIGITS = r"\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?:\.\d{3})+(?![\d,]|\.\d)|\d+(?:\.\d+)?"
# A digit may follow a hyphen only inside a range ("7,000-8,000"), not "Covid-19".
DIGITS_START = r"(?:^|(?<=[\s(\[“\"'‘$€£~])|(?<=\d-)|(?<=\d–))"
NUMBER = re.compile(
    rf"(?P<currency>US\$|\$|€|£)?\s?"
    rf"(?:{DIGITS_START}(?P<digits>{DIGITS})(?P<abbr>k|m|mn|bn)?(?![\w])"
    rf"|(?<![\w-])(?P<word>(?i:{WORD_RUN}))(?![\w-]))"
    rf"(?:\s+(?P<scale>(?i:hundred|thousand|million|billion))\b)?"
)
FRACTION = re.compile(
    r"(?<![\w-])(?P<count>(?i:a|an|one|two|three|four|nine))?[- ]?"
    r"(?P<part>(?i:half|third|quarter|fifth|tenth))s?\s+of\b"
)
VAGUE = re.compile(
    r"(?<![\w-])(?P<lead>(?i:a\s+few|few|many|several)\s+)?"
    r"(?P<amount>(?i:tens\s+of\s+thousands|hundreds\s+of\s+thousands|thousands|hundreds|"
    r"dozens|scores|millions|thousand|hundred))\b"
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
    unit: str  # "percent", "people", a currency, or the counted noun ("facilities")
    guessed_unit: bool = False  # no unit word: "people" inferred from the sentence
    vague: str | None = None  # "tens of thousands": low and high are its bounds
    text: str = ""  # the source's words for the value ("7,000-8,000", "a few thousand")


@dataclass(frozen=True)
class RawNumber:
    start: int
    end: int
    value: float  # scale included
    scale: float  # 1, or 1000 for "thousand", ...
    is_word: bool
    currency: str | None = None


def words_value(text: str) -> float:
    """ "forty-five" -> 45, "three hundred thousand" -> 300000, "a dozen" -> 12."""
    total, current = 0.0, 0.0
    for word in re.split(r"[\s-]+", text.lower()):
        if word == "and" or not word:
            continue
        if word == "hundred":
            current = max(current, 1) * 100
        elif word in SCALES:
            total += max(current, 1) * SCALES[word]
            current = 0
        elif word == "dozen":
            current = max(current, 1) * 12
        else:
            current += WORD_VALUES[word]
    return total + current


def parse_number(match: re.Match[str]) -> tuple[float, float]:
    """(value, scale): `1,500` -> 1500, `450.000` -> 450000 (a thousands dot),
    `12 million` -> 12000000, `1.2m` -> 1200000, `forty` -> 40."""
    scale = 1.0
    if match["word"]:
        value = words_value(match["word"])
        last = match["word"].lower().split()[-1]
        scale = float(SCALES.get(last, 1)) if last != "hundred" else 1.0
    else:
        digits = match["digits"]
        if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", digits):
            value = float(re.sub(r"[,.]", "", digits))
        else:
            value = float(digits)
        if match["abbr"]:
            scale = float(ABBREVIATED_SCALES[match["abbr"]])
            value *= scale
    if match["scale"]:
        scale = float(SCALES[match["scale"].lower()])
        value *= scale
    return value, scale


def is_single_article(match: re.Match[str]) -> bool:
    """ "a", "an", "one of": not a count ("a million", "one thousand", "a dozen" are)."""
    word = match["word"]
    return bool(word and re.match(r"(?i)(?:a|an|one)\b", word)) and not re.search(
        r"(?i)hundred|thousand|million|billion|dozen", match.group(0)
    )


def find_raw_numbers(sentence: str) -> list[RawNumber]:
    found = []
    for match in NUMBER.finditer(sentence):
        if is_single_article(match):
            continue
        value, scale = parse_number(match)
        currency = CURRENCIES.get((match["currency"] or "").lower())
        start = match.start(
            "currency" if match["currency"] else "digits" if match["digits"] else "word"
        )
        found.append(RawNumber(start, match.end(), value, scale, bool(match["word"]), currency))
    return found


def find_numbers(sentence: str, context: str = "") -> list[NumberExpression]:
    """Every number of substance in the sentence, ranges merged, in order.

    `context` (the sentence before) helps decide that a bare number counts people.
    """
    found = find_shares(sentence) + find_vague(sentence)
    taken = [(n.start, n.end) for n in found]
    raw = [r for r in find_raw_numbers(sentence) if not overlaps(r.start, r.end, taken)]
    index = 0
    while index < len(raw):
        first = last = raw[index]
        index += 1
        if index < len(raw) and is_range(sentence, first, raw[index]):
            last = raw[index]
            index += 1
        expression = number_expression(sentence, first, last, context)
        if expression is not None:
            found.append(expression)
    return sorted(found, key=lambda n: n.start)


def overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end in spans)


def qualifier_before(before: str) -> Qualifier:
    phrase = QUALIFIER_BEFORE.search(before)
    return dict(QUALIFIER_PHRASES)[phrase["phrase"].lower()] if phrase else "exact"


def find_shares(sentence: str) -> list[NumberExpression]:
    """ "half of the city" -> 50 percent, "three-quarters of", "just over a third of"."""
    shares = []
    for match in FRACTION.finditer(sentence):
        count = match["count"]
        if count is None and match["part"].lower() != "half":
            continue  # "third of" alone is an ordinal ("the third of five convoys")
        times = 1.0 if count is None or count.lower() in {"a", "an", "one"} else words_value(count)
        percent = round(100 * times * FRACTIONS[match["part"].lower()], 1)
        qualifier = qualifier_before(sentence[: match.start()])
        shares.append(
            NumberExpression(
                match.start(),
                match.end(),
                percent,
                percent,
                qualifier,
                "percent",
                text=match.group(0).removesuffix(" of").strip(),
            )
        )
    return shares


def find_vague(sentence: str) -> list[NumberExpression]:
    """ "tens of thousands of people", "a few thousand remaining civilians": vague values."""
    vague = []
    for match in VAGUE.finditer(sentence):
        amount = re.sub(r"\s+", " ", match["amount"].lower())
        if amount in {"thousand", "hundred"}:
            if not match["lead"]:
                continue  # "thousand" alone is a scale word, read with its number
            amount += "s"
        if amount == "several" or re.match(
            r"\s*(?:\d|[A-Z]?[a-z]+ (?:thousand|million))", sentence[match.end() :]
        ):
            continue
        after = re.sub(r"^\s+of\s+(?:the\s+)?", " ", sentence[match.end() :])
        unit = unit_after(after)
        if unit is None or unit == "percent":
            continue
        # The value model's own bounds, so drafts propose values the comparison rules read.
        low, high = VAGUE_QUANTITIES[amount]
        vague.append(
            NumberExpression(
                match.start(),
                match.end(),
                float(low),
                float(high),
                "about",
                unit,
                vague=amount,
                text=match.group(0),
            )
        )
    return vague


def is_range(sentence: str, first: RawNumber, second: RawNumber) -> bool:
    """`between 100,000 and 200,000`, `18-35`, `10 to 20`."""
    joiner = sentence[first.end : second.start]
    if not RANGE_JOINER.fullmatch(joiner):
        return False
    if second.currency and first.currency != second.currency:
        return False
    if "and" in joiner:
        return bool(re.search(r"\bbetween\s+$", sentence[: first.start], re.I))
    return True


def number_expression(
    sentence: str, first: RawNumber, last: RawNumber, context: str = ""
) -> NumberExpression | None:
    """The number with its qualifier and unit, or None when it is not a figure."""
    before, after = sentence[: first.start], sentence[last.end :]
    if DATE_NEIGHBOUR.search(before) or re.match(
        rf"\s*(?:{MONTH_PATTERN})\b|\s*:\d|(?:st|nd|rd|th)\b", after
    ):
        return None  # a date or a time of day
    if is_duration_or_measure(after):
        return None  # a duration, an age or a distance: "5-year-old", "two weeks", "50 km"
    unit = first.currency or unit_after(after)
    guessed = False
    if unit is None:
        if first.is_word or last.value < 100 or not PEOPLE_CONTEXT.search(f"{context} {sentence}"):
            return None
        unit, guessed = "people", True
    if unit != "percent" and 1900 <= last.value < 2100 and last.scale == 1 and not first.currency:
        return None  # a year
    low = first.value
    if first.scale == 1 and first is not last:
        low *= last.scale  # "between 1 and 2 million"
    qualifier: Qualifier = "exact"
    if first is last:
        qualifier = qualifier_before(before)
    text = sentence[first.start : last.end]
    return NumberExpression(
        first.start, last.end, low, last.value, qualifier, unit, guessed, None, text
    )


def is_duration_or_measure(after: str) -> bool:
    """ "-year-old", " days", " two-week", " kilometers": the number is not a count."""
    if re.match(r"-[a-z]", after):
        return True
    words = re.match(r"\s*(?:-|–)?\s*(?:(?!last\b|next\b|this\b)\w+[- ])?([\w.]+)", after)
    if words is None:
        return False
    return words.group(1).lower().rstrip(".") in DURATIONS | MEASURES


def unit_after(after: str) -> str | None:
    """The unit named right after a number: percent, people, or the counted noun."""
    if re.match(r"\s*(?:%|percent\b|per cent\b)", after, re.I):
        return "percent"
    words = []
    for word in re.findall(r"[A-Za-z][A-Za-z’'.-]*", after)[:4]:
        folded = word.lower().strip("’'.").removesuffix("’s").removesuffix("'s")
        if folded in NOUN_STOPS:
            break
        words.append((word, folded))
    # Known nouns first: "two keys neighbourhood" counts neighbourhoods.
    for word, folded in words:
        if folded in PEOPLE_NOUNS or re.fullmatch(r"[A-Z][a-z]+(?:ians|ans|is|ese)", word):
            return "people"
        if folded in COUNT_NOUNS:
            return COUNT_NOUNS[folded]
    return next((folded for _, folded in words if is_plural_noun(folded)), None)


def is_plural_noun(word: str) -> bool:
    """A lower-case word that looks like a plural noun ("facilities", "attempts")."""
    return (
        len(word) > 3
        and word.isalpha()
        and word.endswith("s")
        and not word.endswith(("ss", "us", "is", "ous"))
        and word not in NOT_NOUNS
        and word not in DURATIONS | MEASURES
    )
