"""Provenance: find a fact's quote in its seed text, or the nearest passage when it is not there.

Input: the quote as the editor wrote it, and the seed text.
Output: a `Passage` (the span in the seed, with the seed's own wording), or None and the
nearest passage to show in the error message.

Matching forgives only differences in whitespace and in straight versus curly quotes: the
quote and the seed are both folded (straight quote marks, each whitespace run one space) and
the folded quote is searched for as plain text in the folded seed. An offset map takes each
hit back to its span in the seed itself, so the seed is never rewritten. (A regular
expression per quote found the same spans, but compiling ten thousand of them was most of
the validate stage.)

A quote that occurs more than once is ambiguous; `find_quote` returns every occurrence so
that the fact can say which one it means. The nearest-passage search for a missing quote
ranks whole sentences only in seeds of ordinary size; in a large seed it first narrows the
text to the neighbourhoods of the quote's rarest words, so that it stays fast.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import itertools
import re
from dataclasses import dataclass

from builder.model import Passage

QUOTE_FOLD_PAIRS = (("‘", "'"), ("’", "'"), ("“", '"'), ("”", '"'))
QUOTE_FOLDS = str.maketrans(dict(QUOTE_FOLD_PAIRS))
SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+|\n+")
WHITESPACE = re.compile(r"\s+")
OTHER_WHITESPACE = re.compile(r"[^\S ]")  # whitespace but the plain space
SPACE_RUN = re.compile(" {2,}")
WORD = re.compile(r"\w{3,}")
# Up to this size every sentence of the seed is ranked; past it, only the neighbourhoods
# of the quote's rarest words (ranking is quadratic-ish per sentence, and slow in bulk).
FULL_SCAN_CHARACTERS = 1_000_000
RARE_WORDS = 3  # how many of the quote's rarest words to look around
NEIGHBOURHOODS_PER_WORD = 50
# Occurrences counted before a quote is called ambiguous; more are not worth counting.
MAX_OCCURRENCES = 100


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
    needle = " ".join(quote.translate(QUOTE_FOLDS).split())
    if not needle:
        return []
    seed = folded_seed(seed_text)
    found: list[Passage] = []
    at = seed.text.find(needle)
    while at >= 0 and len(found) < MAX_OCCURRENCES:
        # The needle starts and ends with a character that is not whitespace, so both ends
        # map to single characters of the seed.
        start, end = seed.original(at), seed.original(at + len(needle) - 1) + 1
        found.append(Passage(seed_name, start, end, seed_text[start:end]))
        at = seed.text.find(needle, at + len(needle))
    return found


@dataclass(frozen=True)
class FoldedSeed:
    """A seed with straight quote marks and each whitespace run one space, and the way back."""

    text: str
    run_ends: list[int]  # in `text`: the index just after each whitespace run's one space
    dropped: list[int]  # seed characters dropped by the folding up to that run, inclusive

    def original(self, index: int) -> int:
        """The seed index of the folded text's character at `index` (not a run's space)."""
        runs_before = bisect.bisect_right(self.run_ends, index)
        return index + (self.dropped[runs_before - 1] if runs_before else 0)


@functools.lru_cache(maxsize=16)
def folded_seed(seed_text: str) -> FoldedSeed:
    """Folded once per seed: an article's quotes are all located in the same seed."""
    # Each whitespace character a space and each quote mark straight: one character for
    # one, so only the runs of two or more spaces move offsets, and a seed has few.
    spaced = OTHER_WHITESPACE.sub(" ", seed_text)
    for curly, straight in QUOTE_FOLD_PAIRS:  # str.replace: many times faster than translate
        spaced = spaced.replace(curly, straight)
    runs = [run.span() for run in SPACE_RUN.finditer(spaced)]
    run_ends: list[int] = []
    dropped: list[int] = []
    removed = 0
    for start, end in runs:
        run_ends.append(start - removed + 1)
        removed += end - start - 1
        dropped.append(removed)
    return FoldedSeed(SPACE_RUN.sub(" ", spaced), run_ends, dropped)


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
