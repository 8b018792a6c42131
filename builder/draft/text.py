"""Reading a raw seed text for `draft`: sentences, the title, the outlet, the publication date.

Input: the seed text as a string.
Output: `Sentence` spans (verbatim slices of the seed, so a draft's quotes pass the provenance
check), the first line as title, an outlet name where the text states one, and a stated date.

Everything here is a small pure function over strings; `draft.py` puts the pieces together.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from builder.english import MONTH_PATTERN, MONTHS

# Words that end with a full stop without ending a sentence. Single capital letters
# ("John F. Kennedy") are handled separately.
# fmt: off
ABBREVIATIONS = frozenset((
    "u.s", "u.n", "u.k", "e.u", "mr", "mrs", "ms", "dr", "gen", "lt", "col", "maj", "sgt",
    "capt", "st", "jr", "sr", "no", "vs", "etc", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec",
))
# fmt: on


@dataclass(frozen=True)
class Sentence:
    """seed[start:end] == text, with no leading or trailing whitespace."""

    start: int
    end: int
    text: str


# A candidate boundary: sentence-final punctuation, optional closing quotes or brackets,
# then whitespace. Whether it really ends a sentence is decided in `is_sentence_end`.
BOUNDARY = re.compile(r"[.!?][\"”’')\]]*(?=\s+)")


def split_sentences(text: str) -> list[Sentence]:
    """The text's sentences in order; line breaks always end a sentence (titles, captions)."""
    sentences: list[Sentence] = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for match in BOUNDARY.finditer(line.group(0)):
            end = line.start() + match.end()
            if is_sentence_end(text, end, line.end()):
                sentences.extend(trimmed_sentence(text, start, end))
                start = end
        sentences.extend(trimmed_sentence(text, start, line.end()))
    return sentences


def is_sentence_end(text: str, end: int, line_end: int) -> bool:
    """False after an abbreviation or an initial, or when the next word starts in lower case."""
    following = text[end:line_end].lstrip()
    if not following:
        return True
    if following[0].islower():
        return False
    punctuation_at = text.rfind(".", 0, end)
    if punctuation_at == -1 or text[punctuation_at:end].strip(".\"”’')]"):
        return True  # "!" or "?", not a full stop
    word = re.search(r"([\w.]+)\.$", text[: punctuation_at + 1])
    if word is None:
        return True
    token = word.group(1).lower()
    return not (token in ABBREVIATIONS or re.fullmatch(r"[a-z]", token))


def trimmed_sentence(text: str, start: int, end: int) -> list[Sentence]:
    """The span without surrounding whitespace, or nothing when it is blank."""
    chunk = text[start:end]
    stripped = chunk.strip().lstrip("—–- ")  # wire-copy lead-ins such as "— -- "
    if not stripped:
        return []
    first = start + chunk.index(stripped)
    return [Sentence(first, first + len(stripped), stripped)]


# Page furniture that opens many saved pages before the headline.
FURNITURE_LINES = re.compile(
    r"(?i)^(?:accessibility links|breaking news|skip to .*|share|listen\s*/?|advertisement"
    r"|global perspective human stories|.*\s/\s.*)$"
)


def title_of(text: str) -> str:
    """The first line that reads as a headline: three to twenty words, no closing full stop or
    exclamation ("Make a donation!" is a banner), not page furniture ("Breaking News",
    "News / Middle East"); else the first non-blank line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        headline = not line.endswith((".", "!", "?", "”", '"'))
        if headline and 3 <= len(line.split()) <= 20 and not FURNITURE_LINES.match(line):
            return line
    return lines[0] if lines else ""


STATED_DATE = re.compile(
    rf"\b(?P<month>{MONTH_PATTERN})\.?\s+(?P<day>\d{{1,2}}),\s+(?P<year>(?:19|20)\d\d)\b"
    rf"|\b(?P<day2>\d{{1,2}})\s+(?P<month2>{MONTH_PATTERN})\.?,?\s+(?P<year2>(?:19|20)\d\d)\b"
)


def find_stated_date(text: str) -> dt.date | None:
    """The first full date stated in the text: "December 4, 2016", "Dec. 4, 2016", "4 Dec 2016"."""
    for match in STATED_DATE.finditer(text):
        month = MONTHS[(match["month"] or match["month2"]).lower()]
        day = int(match["day"] or match["day2"])
        year = int(match["year"] or match["year2"])
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    return None


# How texts name their outlet. The first group is the outlet's name.
OUTLET_NAME = r"[A-Z][\w&.]*(?: [A-Z][\w&.]*){0,3}"
OUTLET_PATTERNS = (
    re.compile(rf"^\s*By\s*(?P<name>{OUTLET_NAME})\s*$", re.M),
    re.compile(rf"\b(?:reported|written) by (?:the )?(?P<name>{OUTLET_NAME})"),
    re.compile(rf"^More from (?:the )?(?P<name>{OUTLET_NAME})\s*$", re.M),
    # "by VOA News", "Source: UN News", or a credit line of its own: "VOA News".
    re.compile(r"\b[Bb]y (?:the )?(?P<name>(?:[A-Z][\w&.]* ){0,2}News)\b"),
    re.compile(rf"\bSource: (?P<name>{OUTLET_NAME})"),
    re.compile(r"^\s*(?P<name>(?!Breaking )(?:[A-Z][\w&.]* ){1,2}News)\s*$", re.M),
)


def find_outlet(text: str) -> str | None:
    """The outlet the text names as its own ("ByABC News", "reported by the Inquisitr")."""
    for pattern in OUTLET_PATTERNS:
        match = pattern.search(text)
        if match:
            return match["name"].strip()
    return None


# Capitalised runs that are not actors: sentence starters, months, weekdays, and so on.
# fmt: off
NOT_NAMES = frozenset((
    "a", "an", "the", "this", "that", "these", "those", "it", "its", "he", "she", "they", "we",
    "i", "in", "on", "at", "by", "for", "from", "of", "and", "but", "or", "as", "after",
    "before", "since", "during", "with", "without", "if", "when", "while", "what", "which",
    "who", "where", "how", "some", "many", "most", "all", "any", "each", "more", "no", "not",
    "there", "here", "our", "their", "his", "her", "related", "topics", "photo", "image",
    "featured", "share", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december", "dec", "nov", "sept", "oct",
))
# fmt: on


def find_capitalised_names(text: str) -> list[str]:
    """Runs of capitalised words ("Jabha Shamiya", "Staffan de Mistura"), in first-seen order.

    A single word at the start of a sentence is left out (it is capitalised anyway), and so
    are single-word nationality adjectives ("Syrian", "European").
    """
    names: list[str] = []
    connector = r"(?:al|de|del|bin|ibn|el|von|van|of|the)[- \t]+"
    pattern = re.compile(rf"\b[A-Z][\w’'-]*(?:[ \t]+(?:{connector})*[A-Z][\w’'-]*)*")
    for match in pattern.finditer(text):
        words = match.group(0).split()
        while words and words[0].lower().strip("’'") in NOT_NAMES:
            words = words[1:]
        name = re.sub(r"[’']s$", "", " ".join(words))
        sentence_start = re.search(r"(?:^|[.!?:\"“”]\s*|\n)\s*$", text[: match.start()])
        if len(words) == 1 and (sentence_start or re.search(r"(?:ian|ean|ese|ish)$", name)):
            continue
        if len(name) > 2 and name.lower() not in NOT_NAMES and name not in names:
            names.append(name)
    return names


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation: from an opening quote mark to its closing one, across
    sentences. Curly quotes pair by direction; straight double quotes pair in order within a
    paragraph. An unclosed quotation ends with its paragraph."""
    spans = []
    for paragraph in re.finditer(r"[^\n]+", text):
        opened: int | None = None
        for mark in re.finditer(r"[“”\"]", paragraph.group(0)):
            at = paragraph.start() + mark.start()
            closing = mark.group(0) == "”" or (mark.group(0) == '"' and opened is not None)
            if opened is None and not closing:
                opened = at
            elif opened is not None and closing:
                spans.append((opened, at + 1))
                opened = None
        if opened is not None:
            spans.append((opened, paragraph.end()))
    return spans
