"""`draft`: a raw seed text -> a starter fact sheet in content/articles/<slug>.md.

Input: a seed under seeds/, the project's actors and metrics (through `load_archive`), and
optionally the publication date, outlet and slug.
Output: a Markdown file with YAML front matter that passes `check` unedited, marked as a
draft (`status: draft`). Every guess carries a `# REVIEW:` comment; candidates that cannot be
made valid are written commented out, so that nothing wrong is published silently: a figure
no metric fits (with a proposed metrics.yaml entry), a quote with no speaker found, an event
whose date cannot be resolved from the text (never guessed).

Reading the text is split by concern: draft_text (sentences, title, outlet, dates stated,
slugs), draft_numbers (quantities), draft_dates (date expressions), draft_metrics (which
metric, or none), draft_facts (events, figures, quotes, attribution), draft_names (names
that may be missing actors). tests/test_draft_quality.py measures them on unseen articles.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from builder.build import load_archive
from builder.draft.facts import (
    DraftPeriod,
    EventDraft,
    FigureDraft,
    QuoteDraft,
    Sources,
    draft_events,
    draft_figures,
    draft_quotes,
)
from builder.draft.metrics import ProposedMetric
from builder.draft.names import actor_candidates
from builder.draft.text import (
    find_outlet,
    find_stated_date,
    split_sentences,
    title_of,
)
from builder.english import slugify
from builder.index import Archive, alias_matcher, find_mentions
from builder.model import Event
from builder.validate.provenance import find_quote

SUMMARY_PLACEHOLDER = (
    "*Draft, not yet reviewed.* The editor's summary of this article is still to be written: "
    "two to four sentences on what it reports."
)


class DraftProblem(Exception):
    """A misuse of `draft` (missing date, existing file): the CLI prints it and exits 2."""


@dataclass(frozen=True)
class DraftOptions:
    project_dir: Path
    seed_path: Path
    published: dt.date | None = None
    outlet: str | None = None
    slug: str | None = None
    force: bool = False


@dataclass(frozen=True)
class Draft:
    seed: str
    title: str
    outlet: str
    outlet_note: str
    published: dt.date
    published_note: str
    actor_counts: tuple[tuple[str, int], ...]  # actor id, mentions; most mentioned first
    unknown_names: tuple[str, ...]
    events: tuple[EventDraft, ...]
    event_merge_hints: tuple[str | None, ...]  # one per event
    figures: tuple[FigureDraft, ...]
    quotes: tuple[QuoteDraft, ...]
    repeated_quotes: frozenset[str] = frozenset()  # quotes found more than once in the seed


def write_draft(options: DraftOptions) -> tuple[Path, Draft]:
    """Write the draft fact sheet; returns its path and the draft. Raises `DraftProblem`."""
    seeds_dir = (options.project_dir / "seeds").resolve()
    seed_path = options.seed_path.resolve()
    in_project = (options.project_dir / options.seed_path).resolve()
    if not options.seed_path.is_absolute() and in_project.is_file():
        # `draft seeds/x.txt --project DIR` names the seed inside that project.
        seed_path = in_project
    if seed_path.parent != seeds_dir or not seed_path.is_file():
        raise DraftProblem(f"{options.seed_path}: the seed must be a file in {seeds_dir}/")
    archive = load_archive(options.project_dir)
    owner = next((a for a in archive.articles if a.seed == seed_path.name), None)
    text = seed_path.read_text(encoding="utf-8")
    draft = make_draft(seed_path.name, text, archive, options.published, options.outlet)
    slug = options.slug or f"{draft.published.isoformat()}-{slugify(draft.title, 6)}"
    target = options.project_dir / "content" / "articles" / f"{slug}.md"
    if owner is not None and owner.slug != slug:
        raise DraftProblem(
            f"seeds/{seed_path.name} already has a fact sheet: content/articles/{owner.slug}.md "
            f"(edit that one, or pass --slug {owner.slug} --force to replace it)"
        )
    if target.exists() and not options.force:
        raise DraftProblem(f"{target} exists (pass --force to overwrite it, or --slug)")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_draft(draft), encoding="utf-8")
    return target, draft


def make_draft(
    seed: str,
    text: str,
    archive: Archive,
    published: dt.date | None = None,
    outlet: str | None = None,
) -> Draft:
    """Every candidate fact of the seed text, with its review notes."""
    published_note = "given with --published"
    if published is None:
        published = find_stated_date(text)
        if published is None:
            raise DraftProblem(
                f"seeds/{seed}: no publication date found in the text; pass --published YYYY-MM-DD"
            )
        published_note = "REVIEW: the first date stated in the text"
    outlet, outlet_note = resolve_outlet(text, outlet, archive)
    mentions = find_mentions(text, alias_matcher(archive.actors.values()))
    sentences = split_sentences(text)
    title = title_of(text)
    body = [s for s in sentences if s.text != title] or sentences
    counts = Counter(m.actor_id for m in mentions)
    sources = Sources(text, published, mentions, archive.actors, archive.metrics)
    events = draft_events(body, sources)
    figures = draft_figures(body, sources)
    quotes = draft_quotes(body, sources)
    return Draft(
        seed=seed,
        title=title,
        outlet=outlet,
        outlet_note=outlet_note,
        published=published,
        published_note=published_note,
        actor_counts=tuple(sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))),
        unknown_names=tuple(unknown_names(text.replace(title, " ", 1), archive)),
        events=tuple(events),
        event_merge_hints=tuple(merge_hint(e, archive.events) for e in events),
        figures=tuple(figures),
        quotes=tuple(quotes),
        repeated_quotes=repeated_quotes([*events, *figures, *quotes], seed, text),
    )


# House styles that identify an outlet although the text never names it.
HOUSE_STYLES = (("— -- ", "ABC News"),)


def resolve_outlet(text: str, given: str | None, archive: Archive) -> tuple[str, str]:
    """(outlet name, note): --outlet, a byline or credit in the text, a house style, or unknown."""
    if given:
        return given, "given with --outlet"
    found = find_outlet(text)
    if found:
        matcher = alias_matcher(a for a in archive.actors.values() if a.kind == "media")
        named = find_mentions(found, matcher)
        name = archive.actors[named[0].actor_id].name if named else found
        return name, f"REVIEW: found in the text as {found!r}"
    for marker, name in HOUSE_STYLES:
        if marker in text:
            return name, f"REVIEW: guessed from the house style {marker.strip()!r}"
    return "Unknown outlet", "REVIEW: the text names no outlet; write it here (or use --outlet)"


def unknown_names(text: str, archive: Archive) -> list[str]:
    """Capitalised names in the text that no actor's name or alias covers."""
    matcher = alias_matcher(archive.actors.values())
    return [name for name in actor_candidates(text) if not find_mentions(name, matcher)]


def merge_hint(event: EventDraft, known: Iterable[Event]) -> str | None:
    """Name an existing event of the same date and a shared actor: maybe the same one."""
    if event.date is None:
        return None
    for other in known:
        if other.date.iso() == event.date.iso() and set(other.actor_ids) & set(event.actor_ids):
            return (
                f"maybe the same event as '{other.event_id}' ({other.article_slug}): "
                f"add 'id: {other.event_id}' to merge them on the timeline"
            )
    return None


# ---- rendering ---------------------------------------------------------------------------


def yaml_text(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def yaml_number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def render_draft(draft: Draft) -> str:
    """The fact-sheet file: front matter with REVIEW comments, then a placeholder summary."""
    lines = [
        "---",
        f"# Draft made by `python -m builder draft` from seeds/{draft.seed}.",
        "# Every '# REVIEW:' line is a guess: check it against the source text, fix or delete",
        "# the item, then delete the comment. Commented-out items could not be made valid.",
        f"title: {yaml_text(draft.title)}  # REVIEW: the first line of the text",
        f"outlet: {yaml_text(draft.outlet)}  # {draft.outlet_note}",
        f"published: {draft.published.isoformat()}  # {draft.published_note}",
        f"seed: {draft.seed}",
        "status: draft  # set to published once no REVIEW marker is left",
        *render_actor_comments(draft.actor_counts, draft.unknown_names),
        *render_items(
            "events",
            [
                render_event(e, h, draft.repeated_quotes)
                for e, h in zip(draft.events, draft.event_merge_hints, strict=True)
            ],
        ),
        *render_items("figures", [render_figure(f, draft.repeated_quotes) for f in draft.figures]),
        *render_items("quotes", [render_quote(q, draft.repeated_quotes) for q in draft.quotes]),
        "---",
        SUMMARY_PLACEHOLDER,
        "",
    ]
    return "\n".join(lines)


def render_actor_comments(counts: Sequence[tuple[str, int]], unknown: Sequence[str]) -> list[str]:
    lines = ["# Actors named in the text, linked on the site through their aliases:"]
    lines += wrap_comment([f"{actor_id} ×{n}" for actor_id, n in counts] or ["(none)"])
    if unknown:
        lines.append(
            "# REVIEW: names that match no actor (add an actor or an alias if they matter):"
        )
        lines += wrap_comment(list(unknown))
    return lines


def wrap_comment(items: Sequence[str], width: int = 96) -> list[str]:
    lines, current = [], "#  "
    for item in items:
        if len(current) + len(item) + 2 > width and current.strip("# "):
            lines.append(current.rstrip(", "))
            current = "#  "
        current += f" {item},"
    lines.append(current.rstrip(", "))
    return lines


def render_items(key: str, items: Sequence[tuple[bool, list[str]]]) -> list[str]:
    """A YAML list; invalid items (valid=False) are written as comments."""
    lines = [f"{key}:"] if any(valid for valid, _ in items) else [f"{key}: []"]
    for valid, item_lines in items:
        notes = [line for line in item_lines if line.startswith("# ")]
        fields = [line for line in item_lines if not line.startswith("# ")]
        lines += [f"  {note}" for note in notes]
        for n, field_line in enumerate(fields):
            prefix = "- " if n == 0 else "  "
            lines.append(f"  {prefix}{field_line}" if valid else f"  # {prefix}{field_line}")
    return lines


def review(notes: Sequence[str]) -> str:
    return "# REVIEW: " + "; ".join(notes)


def repeated_quotes(
    facts: Iterable[EventDraft | FigureDraft | QuoteDraft], seed: str, text: str
) -> frozenset[str]:
    """The facts' quotes that occur in the text more than once (they need `occurrence`)."""
    quotes = {fact.quote for fact in facts}
    return frozenset(quote for quote in quotes if len(find_quote(quote, seed, text)) > 1)


def render_quote_field(quote: str, repeated: frozenset[str]) -> list[str]:
    """The `quote:` line, and `occurrence: 1` when the quote is found more than once."""
    lines = [f"quote: {yaml_text(quote)}"]
    if quote in repeated:
        lines.append("occurrence: 1  # REVIEW: the text repeats this; 1 is the first")
    return lines


def render_event(
    event: EventDraft, hint: str | None, repeated: frozenset[str]
) -> tuple[bool, list[str]]:
    """An event; one whose date cannot be resolved is written commented out, for review."""
    lines = [review([*event.notes, "write a short factual title"] + ([hint] if hint else []))]
    if event.date is None:
        lines.append("date: YYYY-MM-DD  # unresolved: find the date, never guess it")
    else:
        lines.append(f"date: {event.date.iso()}")
    if event.date is not None and event.date.label:
        lines.append(f"date_label: {yaml_text(event.date.label)}")
    lines.append(f"title: {yaml_text(event.title)}")
    lines.append(f"actors: [{', '.join(event.actor_ids)}]")
    lines += render_quote_field(event.quote, repeated)
    return event.date is not None, lines


def render_value(figure: FigureDraft) -> list[str]:
    if figure.vague:
        return [f"value: {figure.vague}"]
    if figure.low == figure.high:
        return [f"value: {yaml_number(figure.low)}"]
    return [f"value: [{yaml_number(figure.low)}, {yaml_number(figure.high)}]"]


def render_period(period: DraftPeriod, as_field: bool) -> list[str]:
    """The window as a field for a count-in-period metric; otherwise a note for the editor,
    since `period` applies only to counts (and, with `from` alone, to running totals)."""
    lines = ["period:"]
    if period.start is not None:
        lines.append(f"  from: {period.start.iso()}")
    if period.end is not None:
        lines.append(f"  to: {period.end.iso()}")
    lines += [f"  text: {yaml_text(period.text)}", f"  precision: {period.precision}"]
    return (
        lines
        if as_field
        else ["# REVIEW: the figure counts over a period:"] + [f"#   {line}" for line in lines]
    )


def render_proposal(proposal: ProposedMetric) -> list[str]:
    """A commented metrics.yaml entry the editor can complete when no metric fits."""
    return [
        "# REVIEW: no metric fits; a new entry for content/metrics.yaml could start as:",
        f"#   {proposal.metric_id}:",
        f"#     label: {proposal.label}",
        f"#     unit: {proposal.unit}",
        "#     description: (what exactly is counted, and what is not)",
        "#     scope: (the place or population it covers)",
        f"#     kind: {proposal.kind}",
    ]


def render_figure(figure: FigureDraft, repeated: frozenset[str]) -> tuple[bool, list[str]]:
    """A figure; one that fits no metric is written commented out, with a proposed metric."""
    lines = [review(figure.notes)]
    if figure.proposed_metric is not None:
        lines += render_proposal(figure.proposed_metric)
    period = render_period(figure.period, figure.needs_period) if figure.period is not None else []
    lines += [line for line in period if line.startswith("# ")]
    lines.append(f"metric: {figure.metric_id or 'METRIC-ID'}")
    lines += render_value(figure)
    lines.append(f"qualifier: {figure.qualifier}")
    lines.append(f"as_of: {figure.as_of.iso()}")
    lines += [line for line in period if not line.startswith("# ")]
    if figure.claimant_id:
        lines.append(f"claimant: {figure.claimant_id}")
    if figure.projected:
        lines.append("projected: true")
    if figure.needs_period and figure.period is None:
        day = figure.as_of.iso()
        lines.append(f"period: {{from: {day}, text: the period, precision: approximate}}")
    lines += render_quote_field(figure.quote, repeated)
    return figure.metric_id is not None, lines


def render_quote(quote: QuoteDraft, repeated: frozenset[str]) -> tuple[bool, list[str]]:
    lines = [review(quote.notes)]
    lines.append(f"speaker: {quote.speaker_id or 'ACTOR-ID'}")
    lines += render_quote_field(quote.quote, repeated)
    return quote.speaker_id is not None, lines
