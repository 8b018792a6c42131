"""Provenance: find a fact's quote in its seed text, or the nearest passage when it is not there.

Input: the quote as the editor wrote it, and the seed text.
Output: a `Passage` (the span in the seed, with the seed's own wording), or None and the
nearest passage to show in the error message.

Matching forgives only differences in whitespace and in straight versus curly quotes: the
quote becomes a regular expression in which each whitespace run matches any whitespace run
and each quote mark matches its straight and curly forms. Searching the seed with it gives
the span in the seed itself, so the seed is never rewritten.
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
QUOTE_FOLDS = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})
SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+|\n+")
WHITESPACE = re.compile(r"\s+")


def quote_pattern(quote: str) -> re.Pattern[str]:
    """A pattern matching the quote with any whitespace run and either style of quote marks."""
    parts = []
    for is_space, run in itertools.groupby(quote.strip(), key=str.isspace):
        if is_space:
            parts.append(r"\s+")
        else:
            parts.extend(QUOTE_CLASSES.get(char) or re.escape(char) for char in run)
    return re.compile("".join(parts))


def fold(text: str) -> str:
    """Straight quotes and single spaces: how two texts are compared when ranking passages."""
    return WHITESPACE.sub(" ", text.translate(QUOTE_FOLDS)).strip()


def locate_quote(quote: str, seed_name: str, seed_text: str) -> tuple[Passage | None, str]:
    """The quote's first occurrence in the seed, or (None, the nearest passage)."""
    stripped = quote.strip()
    if not stripped:
        return None, ""
    position = seed_text.find(stripped)  # most quotes are pasted verbatim: skip the regex
    if position >= 0:
        end = position + len(stripped)
        return Passage(seed_name, position, end, stripped), ""
    match = quote_pattern(stripped).search(seed_text)
    if match is None:
        return None, nearest_passage(fold(quote), seed_text)
    return Passage(seed_name, match.start(), match.end(), match.group(0)), ""


def nearest_passage(needle: str, seed_text: str, width: int = 160) -> str:
    """The seed sentence (or run of sentences) most like the quote, cut to `width` characters."""
    sentences = [s.strip() for s in SENTENCE_END.split(seed_text) if s.strip()]
    candidates = sentences + [f"{a} {b}" for a, b in itertools.pairwise(sentences)]
    if not candidates:
        return ""
    best = max(candidates, key=lambda s: difflib.SequenceMatcher(None, needle, fold(s)).ratio())
    return best if len(best) <= width else best[: width - 1] + "…"
