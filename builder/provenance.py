"""Provenance: find a fact's quote in its seed text, or the nearest passage when it is not there.

Input: the quote as the editor wrote it, and the seed text.
Output: a `Passage` (the span in the seed, with the seed's own wording), or None and the
nearest passage to show in the error message.

Matching forgives only differences in whitespace and in straight versus curly quotes.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import re

from builder.model import Passage

QUOTE_FOLDS = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})
SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+|\n+")


def fold(text: str) -> tuple[str, list[int]]:
    """Text with straight quotes and single spaces, and the seed index of each character."""
    folded: list[str] = []
    origin: list[int] = []
    in_space = False
    for index, char in enumerate(text):
        if char.isspace():
            if not in_space:
                folded.append(" ")
                origin.append(index)
            in_space = True
            continue
        in_space = False
        folded.append(char.translate(QUOTE_FOLDS))
        origin.append(index)
    return "".join(folded), origin


@functools.lru_cache(maxsize=64)
def fold_seed(seed_text: str) -> tuple[str, list[int]]:
    """`fold` of a whole seed, computed once per seed rather than once per quote."""
    return fold(seed_text)


def locate_quote(quote: str, seed_name: str, seed_text: str) -> tuple[Passage | None, str]:
    """The quote's first occurrence in the seed, or (None, the nearest passage)."""
    needle, _ = fold(quote.strip())
    haystack, origin = fold_seed(seed_text)
    position = haystack.find(needle) if needle.strip() else -1
    if position < 0:
        return None, nearest_passage(needle, seed_text)
    start = origin[position]
    end = origin[position + len(needle) - 1] + 1
    return Passage(seed_name, start, end, seed_text[start:end]), ""


def nearest_passage(needle: str, seed_text: str, width: int = 160) -> str:
    """The seed sentence (or run of sentences) most like the quote, cut to `width` characters."""
    sentences = [s.strip() for s in SENTENCE_END.split(seed_text) if s.strip()]
    candidates = sentences + [f"{a} {b}" for a, b in itertools.pairwise(sentences)]
    if not candidates:
        return ""
    best = max(candidates, key=lambda s: difflib.SequenceMatcher(None, needle, fold(s)[0]).ratio())
    return best if len(best) <= width else best[: width - 1] + "…"
