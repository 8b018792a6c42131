"""Provenance: find a fact's quote in its seed text, or the nearest passage when it is not there.

Input: the quote as the editor wrote it, and the seed text.
Output: a `Passage` (the span in the seed, with the seed's own wording), or None and the
nearest passage to show in the error message.

Matching forgives only differences in whitespace and in straight versus curly quotes: the
quote becomes a regular expression in which each whitespace run matches any whitespace run
and each quote mark matches its straight and curly forms. Searching the seed with it gives
the span in the seed itself, so the seed is never rewritten.

A quote that occurs more than once is ambiguous; `find_quote` returns every occurrence so
that the fact can say which one it means. The nearest-passage search for a missing quote
ranks whole sentences only in seeds of ordinary size; in a large seed it first narrows the
text to the neighbourhoods of the quote's rarest words, so that it stays fast.
"""

from __future__ import annotations

import difflib
import itertools
import re

from builder.model import Passage

QUOTE_CLASSES = {
    "'": "['‘’]",
    "‘": "['‘’]",
    "’": "['‘’]",
    '"': '["“”]',
    "“": '["“”]',
    "”": '["“”]',
}
QUOTE_CLASS_TABLE = str.maketrans(QUOTE_CLASSES)
QUOTE_FOLDS = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})
SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+|\n+")
WHITESPACE = re.compile(r"\s+")
WORD = re.compile(r"\w{3,}")
# Up to this size every sentence of the seed is ranked; past it, only the neighbourhoods
# of the quote's rarest words (ranking is quadratic-ish per sentence, and slow in bulk).
FULL_SCAN_CHARACTERS = 1_000_000
RARE_WORDS = 3  # how many of the quote's rarest words to look around
NEIGHBOURHOODS_PER_WORD = 50
# Occurrences counted before a quote is called ambiguous; more are not worth counting.
MAX_OCCURRENCES = 100


def quote_pattern(quote: str) -> re.Pattern[str]:
    """A pattern matching the quote with any whitespace run and either style of quote marks."""
    # re.escape leaves quote marks alone (Python 3.7+), so they can be swapped for classes.
    words = (re.escape(word).translate(QUOTE_CLASS_TABLE) for word in quote.split())
    return re.compile(r"\s+".join(words))


def fold(text: str) -> str:
    """Straight quotes and single spaces: how two texts are compared when ranking passages."""
    return WHITESPACE.sub(" ", text.translate(QUOTE_FOLDS)).strip()


def locate_quote(quote: str, seed_name: str, seed_text: str) -> tuple[Passage | None, str]:
    """The quote's first occurrence in the seed, or (None, the nearest passage)."""
    if not quote.strip():
        return None, ""
    found = find_quote(quote, seed_name, seed_text)
    if found:
        return found[0], ""
    return None, nearest_passage(fold(quote), seed_text)


def find_quote(quote: str, seed_name: str, seed_text: str) -> list[Passage]:
    """Every occurrence of the quote in the seed (up to MAX_OCCURRENCES), in seed order."""
    stripped = quote.strip()
    if not stripped:
        return []
    matches = itertools.islice(quote_pattern(stripped).finditer(seed_text), MAX_OCCURRENCES)
    return [Passage(seed_name, m.start(), m.end(), m.group(0)) for m in matches]


def nearest_passage(needle: str, seed_text: str, width: int = 160) -> str:
    """The seed sentence (or run of sentences) most like the quote, cut to `width` characters."""
    regions = (
        [seed_text] if len(seed_text) <= FULL_SCAN_CHARACTERS else neighbourhoods(needle, seed_text)
    )
    sentences = [s.strip() for region in regions for s in SENTENCE_END.split(region) if s.strip()]
    candidates = sentences + [f"{a} {b}" for a, b in itertools.pairwise(sentences)]
    if not candidates:
        return ""
    best = max(candidates, key=lambda s: difflib.SequenceMatcher(None, needle, fold(s)).ratio())
    return best if len(best) <= width else best[: width - 1] + "…"


def neighbourhoods(needle: str, seed_text: str) -> list[str]:
    """Stretches of a large seed around the needle's rarest words (its start if none occur)."""
    folded = seed_text.lower()  # lower, not casefold: many times faster on ASCII text
    if len(folded) != len(seed_text):  # lowering changed lengths: positions would drift
        folded = seed_text
    counts = {word: folded.count(word) for word in set(WORD.findall(needle.lower()))}
    rare = sorted((count, word) for word, count in counts.items() if count)[:RARE_WORDS]
    reach = 2 * len(needle) + 200
    regions: list[str] = []
    for _, word in rare:
        start = folded.find(word)
        for _ in range(NEIGHBOURHOODS_PER_WORD):
            if start < 0:
                break
            regions.append(seed_text[max(0, start - reach) : start + reach])
            start = folded.find(word, start + len(word))
    return regions or [seed_text[:FULL_SCAN_CHARACTERS]]
