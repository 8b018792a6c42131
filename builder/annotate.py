"""Annotate a seed text: paragraphs, with quoted passages marked and actor mentions linked.

Input: the seed text, its marks (quoted spans) and actor mentions (from `index`), and a
function giving each actor's link.
Output: safe HTML: one `<p>` per non-empty line; `<mark id=...>` around every quoted
passage and `<a href=...>` around every actor mention.

Spans may overlap without nesting (a figure and an event may quote overlapping sentences,
an actor name may straddle a mark's edge). The text is cut at every span boundary and the
open elements are closed and reopened as needed, so the HTML always nests properly. A
mark's id sits on its first piece; later pieces carry `class="cont"` instead.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from builder.index import Mark, Mention


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    tag: str  # "mark" or "a"
    attribute: str  # the mark's id, or the link's href

    def sort_key(self) -> tuple[int, int, int]:
        # Earlier-starting, then longer spans open first; a mark encloses a link of the same extent.
        return (self.start, -self.end, 0 if self.tag == "mark" else 1)


def annotate_seed(
    text: str,
    marks: Sequence[Mark],
    mentions: Sequence[Mention],
    actor_href: Callable[[str], str],
) -> Markup:
    """The seed as HTML paragraphs with marks and actor links, properly nested."""
    spans = [Span(m.start, m.end, "mark", m.mark_id) for m in marks]
    spans += [Span(m.start, m.end, "a", actor_href(m.actor_id)) for m in mentions]
    spans.sort(key=Span.sort_key)
    opened_marks: set[str] = set()
    paragraphs = [
        render_paragraph(text, start, end, spans, opened_marks)
        for start, end in paragraph_bounds(text)
    ]
    return Markup("\n".join(paragraphs))


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank line, without its surrounding whitespace."""
    bounds = []
    position = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped:
            start = position + line.index(stripped[0])
            bounds.append((start, start + len(stripped)))
        position += len(line)
    return bounds


def render_paragraph(
    text: str, start: int, end: int, spans: Sequence[Span], opened_marks: set[str]
) -> str:
    inside = [s for s in spans if s.start < end and s.end > start]
    cuts = sorted({start, end} | {p for s in inside for p in (s.start, s.end) if start < p < end})
    html: list[str] = ["<p>"]
    stack: list[Span] = []
    for left, right in itertools.pairwise(cuts):
        wanted = [s for s in inside if s.start <= left and s.end >= right]
        keep = 0
        while keep < min(len(stack), len(wanted)) and stack[keep] == wanted[keep]:
            keep += 1
        while len(stack) > keep:
            html.append(f"</{stack.pop().tag}>")
        for span in wanted[keep:]:
            html.append(open_tag(span, opened_marks))
            stack.append(span)
        html.append(str(escape(text[left:right])))
    html.extend(f"</{span.tag}>" for span in reversed(stack))
    html.append("</p>")
    return "".join(html)


def open_tag(span: Span, opened_marks: set[str]) -> str:
    if span.tag == "a":
        return f'<a href="{escape(span.attribute)}">'
    if span.attribute in opened_marks:
        return '<mark class="cont">'
    opened_marks.add(span.attribute)
    return f'<mark id="{escape(span.attribute)}">'
