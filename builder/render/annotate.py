"""Annotate a seed text: paragraphs, with quoted passages marked and actor mentions linked.

Input: the seed text, its marks (quoted spans) and actor mentions (from `index`), a
function giving each actor's link, and for each mark the claims it supports.
Output: safe HTML: one `<p>` per non-empty line; `<mark id=...>` around every quoted
passage, `<a href=...>` around every actor mention, and after each mark a small link back
to every claim (figure, event, quote) the passage supports.

Spans may overlap without nesting (a figure and an event may quote overlapping sentences,
an actor name may straddle a mark's edge). The text is cut at every span boundary and the
open elements are closed and reopened as needed, so the HTML always nests properly. A
mark's id sits on its first piece; later pieces carry `class="cont"` instead. A mark's
back-links follow its last piece, outside any actor link (links cannot nest): where an actor
name straddles the mark's end, they wait until the name ends.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from builder.index import Mark, Mention
from builder.render.markup import escape_text


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    tag: str  # "mark" or "a"
    attribute: str  # the mark's id, or the link's href

    def sort_key(self) -> tuple[int, int, int]:
        # Earlier-starting, then longer spans open first; a mark encloses a link of the same extent.
        return (self.start, -self.end, 0 if self.tag == "mark" else 1)


@dataclass(frozen=True)
class ClaimRef:
    """A link from a marked passage back to one claim it supports."""

    href: str  # "#<claim id>": the claim on the same fact sheet
    kind: str  # "figure", "event" or "quote": the visible link text
    description: str  # for screen readers and the tooltip: "more than 52%, Russia"


def annotate_seed(
    text: str,
    marks: Sequence[Mark],
    mentions: Sequence[Mention],
    actor_href: Callable[[str], str],
    claim_refs: Mapping[str, Sequence[ClaimRef]] | None = None,
) -> Markup:
    """The seed as HTML paragraphs with marks, actor links and back-links, properly nested.

    `claim_refs` maps a mark id to the claims its passage supports, in fact-sheet order.
    """
    # A seed names the same few actors again and again: each one's link is made once.
    hrefs = {actor_id: actor_href(actor_id) for actor_id in {m.actor_id for m in mentions}}
    spans = [Span(m.start, m.end, "mark", m.mark_id) for m in marks]
    spans += [Span(m.start, m.end, "a", hrefs[m.actor_id]) for m in mentions]
    spans.sort(key=Span.sort_key)
    refs_by_end: dict[int, list[str]] = {}
    for mark in marks:
        refs = (claim_refs or {}).get(mark.mark_id, ())
        if refs:
            refs_by_end.setdefault(mark.end, []).append(back_links(refs))
    bounds = paragraph_bounds(text)
    opened_marks: set[str] = set()
    paragraphs = []
    for n, (start, end) in enumerate(bounds):
        # A mark ending in the blank run after this paragraph gets its links here.
        next_start = bounds[n + 1][0] if n + 1 < len(bounds) else len(text) + 1
        trailing = [r for p, refs in refs_by_end.items() if end < p <= next_start for r in refs]
        paragraphs.append(
            render_paragraph(text, start, end, spans, opened_marks, refs_by_end, trailing)
        )
    return Markup("\n".join(paragraphs))


def back_links(refs: Sequence[ClaimRef]) -> str:
    """The links after a mark: "[figure] [event]", each named in full for screen readers."""
    links = "".join(
        f'<a class="claim-ref" href="{escape_text(ref.href)}" '
        f'title="{escape_text(ref.description)}">{escape_text(ref.kind)}'
        f'<span class="visually-hidden">: {escape_text(ref.description)}</span></a>'
        for ref in refs
    )
    return f'<span class="claim-refs">{links}</span>'


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
    text: str,
    start: int,
    end: int,
    spans: Sequence[Span],
    opened_marks: set[str],
    refs_by_end: Mapping[int, Sequence[str]],
    trailing: Sequence[str],
) -> str:
    """One paragraph; `refs_by_end` holds back-links by the seed offset where their mark ends,
    `trailing` those of marks ending after the paragraph's last visible character."""
    inside = [s for s in spans if s.start < end and s.end > start]
    if not inside:  # most paragraphs quote nothing and name no one
        return "".join(
            ["<p>", escape_text(text[start:end]), *refs_by_end.get(end, ()), *trailing, "</p>"]
        )
    cuts = sorted({start, end} | {p for s in inside for p in (s.start, s.end) if start < p < end})
    html: list[str] = ["<p>"]
    stack: list[Span] = []
    pending: list[str] = []
    for left, right in itertools.pairwise(cuts):
        if left > start:
            pending.extend(refs_by_end.get(left, ()))
        wanted = [s for s in inside if s.start <= left and s.end >= right]
        keep = 0
        # `wanted` keeps the order of `inside`, so a span still open is the same object.
        while keep < min(len(stack), len(wanted)) and stack[keep] is wanted[keep]:
            keep += 1
        while len(stack) > keep:
            html.append(f"</{stack.pop().tag}>")
        # Not inside an actor's name, even one the mark's end has cut in two.
        if pending and not any(span.tag == "a" and span.start < left for span in wanted):
            html.extend(pending)
            pending.clear()
        for span in wanted[keep:]:
            html.append(open_tag(span, opened_marks))
            stack.append(span)
        html.append(escape_text(text[left:right]))
    html.extend(f"</{span.tag}>" for span in reversed(stack))
    html.extend([*pending, *refs_by_end.get(end, ()), *trailing, "</p>"])
    return "".join(html)


def open_tag(span: Span, opened_marks: set[str]) -> str:
    if span.tag == "a":
        return f'<a href="{escape_text(span.attribute)}">'
    if span.attribute in opened_marks:
        return '<mark class="cont">'
    opened_marks.add(span.attribute)
    return f'<mark id="{escape_text(span.attribute)}">'
