"""Coverage: which numbers and dates of each seed no fact records and no `skipped:` explains.

Input: the validated articles (each with its seed text and the passages of its facts).
Output: a `CoverageReport`: how many number and date expressions the seeds hold, how many
are covered, one `ContentError` per uncovered expression (at its seed line, in file and
text order), and one per `skipped:` entry that holds no number or date (at its own line).

An expression is covered when its whole span lies inside one passage of the article's fact
sheet: an event, figure or quote, a `skipped:` entry (a passage the editor read and judged
not to be a fact, with the reason), or the evidence of an inferred outlet or date. Seeds
that no fact sheet uses are not checked. The work is linear in the seed (plus sorting its
passages): one regex scan (see `coverage_expressions`), then one sweep over the passages.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from builder.check.expressions import Expression, find_expressions
from builder.errors import ContentError
from builder.model import Article, Passage

CONTEXT_CHARS = 30  # at most this much text shown either side of an uncovered expression
GAP_HINT = "record it as a figure, event or quote, or add a skipped: entry with a reason"
WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class CoverageReport:
    found: int  # number and date expressions in the checked seeds
    covered: int
    seeds: int  # seeds checked: those used by a fact sheet
    gaps: tuple[ContentError, ...]  # one per uncovered expression, by file, line and offset
    idle_skips: tuple[ContentError, ...]  # `skipped:` entries whose passage holds no expression

    def summary(self) -> str:
        """`Coverage: 312 of 312 numbers and dates covered in 5 seeds`."""
        seeds = "seed" if self.seeds == 1 else "seeds"
        return (
            f"Coverage: {self.covered} of {self.found} numbers and dates covered "
            f"in {self.seeds} {seeds}"
        )

    def ratio(self) -> str:
        """`coverage 312/312 numbers and dates`, for the build summary line."""
        return f"coverage {self.covered}/{self.found} numbers and dates"


@dataclass(frozen=True)
class SeedCoverage:
    """One seed's part of a `CoverageReport`."""

    found: int
    covered: int
    gaps: tuple[ContentError, ...]
    idle_skips: tuple[ContentError, ...]


def measure_coverage(
    articles: Iterable[Article], measure: Callable[[Article], SeedCoverage] | None = None
) -> CoverageReport:
    """The coverage of every seed that a fact sheet uses, each seed's part from `measure`
    (by default `seed_coverage`; `remembered_coverage` gives a part measured before)."""
    parts = [(measure or seed_coverage)(a) for a in sorted(articles, key=lambda a: a.seed)]
    return CoverageReport(
        sum(part.found for part in parts),
        sum(part.covered for part in parts),
        len(parts),
        tuple(gap for part in parts for gap in part.gaps),
        tuple(sorted(skip for part in parts for skip in part.idle_skips)),
    )


def seed_coverage(article: Article) -> SeedCoverage:
    """The coverage of one article's seed by its fact sheet."""
    expressions = find_expressions(article.seed_text)
    uncovered = uncovered_expressions(expressions, covering_passages(article))
    lines = LineIndex(article.seed_text)
    return SeedCoverage(
        len(expressions),
        len(expressions) - len(uncovered),
        tuple(gap(article, lines, expression) for expression in uncovered),
        tuple(idle_skipped_entries(article, expressions)),
    )


def covering_passages(article: Article) -> list[Passage]:
    """Every passage of the fact sheet that explains the numbers and dates inside it."""
    inferences = (article.outlet_inferred, article.published_inferred)
    return [
        *(event.passage for event in article.events),
        *(figure.passage for figure in article.figures),
        *(quote.passage for quote in article.quotes),
        *(skipped.passage for skipped in article.skipped),
        *(passage for inference in inferences if inference for passage in inference.evidence),
    ]


def uncovered_expressions(
    expressions: Iterable[Expression], passages: Iterable[Passage]
) -> list[Expression]:
    """The expressions (in text order) that lie inside no single passage."""
    spans = sorted((p.start, p.end) for p in passages)
    uncovered: list[Expression] = []
    reach = -1  # the furthest end of any passage that starts at or before the expression
    next_span = 0
    for expression in sorted(expressions, key=lambda e: e.start):
        while next_span < len(spans) and spans[next_span][0] <= expression.start:
            reach = max(reach, spans[next_span][1])
            next_span += 1
        if reach < expression.end:
            uncovered.append(expression)
    return uncovered


def idle_skipped_entries(
    article: Article, expressions: Sequence[Expression]
) -> Iterator[ContentError]:
    """A problem for each `skipped:` entry that explains nothing: no expression lies inside it.

    Such an entry is a mistake (the passage quoted is not the one with the number) or stale.
    """
    starts = [expression.start for expression in expressions]  # in text order
    for skipped in article.skipped:
        first = bisect.bisect_left(starts, skipped.passage.start)
        if first == len(expressions) or expressions[first].end > skipped.passage.end:
            yield ContentError(
                skipped.source.path,
                skipped.source.line,
                f"skipped passage '{skipped.passage.text}' holds no number or date",
                "quote the passage that holds the number or date, or remove the entry",
            )


class LineIndex:
    """1-based line numbers of offsets in one text, by bisection over the line starts."""

    def __init__(self, text: str) -> None:
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


def gap(article: Article, lines: LineIndex, expression: Expression) -> ContentError:
    """`seeds/<file>:<line>: uncovered number '52' in "…context…" (hint)`."""
    context = context_around(article.seed_text, expression)
    return ContentError(
        f"seeds/{article.seed}",
        lines.line(expression.start),
        f"uncovered {expression.kind} '{expression.text}' in \"{context}\"",
        GAP_HINT,
    )


def context_around(text: str, expression: Expression) -> str:
    """The expression with a few words either side, on one line, cut at word boundaries."""
    line_start = text.rfind("\n", 0, expression.start) + 1
    line_end = text.find("\n", expression.end)
    line_end = len(text) if line_end < 0 else line_end
    start = max(line_start, expression.start - CONTEXT_CHARS)
    end = min(line_end, expression.end + CONTEXT_CHARS)
    if start > line_start:  # begin and end at whole words: drop the cut ones
        space = text.find(" ", start, expression.start)
        start = space + 1 if space >= 0 else expression.start
    if end < line_end:
        space = text.rfind(" ", expression.end, end)
        end = space if space >= 0 else expression.end
    snippet = WHITESPACE.sub(" ", text[start:end]).strip()
    before = "…" if start > line_start else ""
    after = "…" if end < line_end else ""
    return f"{before}{snippet}{after}"
