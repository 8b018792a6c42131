"""Fact candidates for `draft`: events, figures and quotes found sentence by sentence.

Input: the seed's sentences, the publication date, and the archive's actors and metrics.
Output: `EventDraft`, `FigureDraft` and `QuoteDraft` values, each with its verbatim sentence
(or quoted words) and the review notes an editor needs. Nothing here writes YAML.

Guesses: actors come from the archive's alias matcher (the same one that links mentions on
the site); a figure's metric is the one of matching unit whose label and description share
the most words with the sentence, words near the number counting more; the claimant is the
actor named by an attribution ("according to X", "X said", "said X", "citing X").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from builder.draft.dates import DateExpression, find_date_expressions
from builder.draft.metrics import NumberContext, ProposedMetric, propose_metric, rank_metrics
from builder.draft.numbers import NumberExpression, find_numbers
from builder.draft.text import Sentence, quoted_spans
from builder.index import Mention
from builder.model import Actor, FuzzyDate, Metric, Qualifier


@dataclass(frozen=True)
class EventDraft:
    date: FuzzyDate | None  # None: the text gives no date that can be resolved
    title: str
    actor_ids: tuple[str, ...]
    quote: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class DraftPeriod:
    """The window a count covers, as the claims issue's `period:` field has it."""

    start: FuzzyDate | None
    end: FuzzyDate | None
    text: str  # the source's words
    precision: str  # "exact" | "approximate"


@dataclass(frozen=True)
class FigureDraft:
    metric_id: str | None  # None: no metric fits; the draft comments the candidate out
    low: float
    high: float
    vague: str | None  # "tens of thousands": low and high are its bounds
    value_text: str  # the source's words for the value
    unit: str
    proposed_metric: ProposedMetric | None  # when no metric fits: a sketch of a new one
    period: DraftPeriod | None
    qualifier: Qualifier
    as_of: FuzzyDate
    claimant_id: str | None
    projected: bool
    quote: str
    notes: tuple[str, ...]
    # A count in a period must say which; the draft proposes the as-of day, to be reviewed.
    needs_period: bool = False


@dataclass(frozen=True)
class QuoteDraft:
    speaker_id: str | None  # None: nobody identified; the draft comments it out
    quote: str
    notes: tuple[str, ...]


ATTRIBUTION_BEFORE = re.compile(
    r"\b(?:said|says|say|estimates?|estimated|told|claimed|claims|stated|believes|reported|"
    r"reports|announced|confirmed|wrote|warned|added|called|urged|demanded)\b"
)
SOURCE_AFTER = re.compile(r"\b(?:according to|citing|said|says|told)\s+(?:a |an |the )?", re.I)
PRONOUN_ATTRIBUTION = re.compile(r"\b(?:he|she)\s+(?:said|says|told|wrote|added)\b", re.I)
SAME_DAY = re.compile(r"\b(?:later|earlier) (?:in|that) (?:the )?day\b|\b(?:that|the same) day\b")
FORECAST = re.compile(r"\b(?:expects?|expected|will|plans? to|hopes? to)\b", re.I)
QUOTED = re.compile(r"[\"“]([^\"“”]{12,}?)[,.]?[\"”]")


def guess_claimant(
    sentence: Sentence,
    at: int,
    mentions: Sequence[Mention],
    actors: Mapping[str, Actor],
    prefer_person: bool = False,
) -> tuple[str | None, str | None]:
    """(actor id, the attribution wording) for something said at offset `at` of the sentence.

    The attribution nearest to `at` wins; "citing X" beats all (the report cites the source),
    and for quotations a person beats an institution (people speak, ministries issue figures).
    """
    text = sentence.text
    local = [m for m in mentions if sentence.start <= m.start < sentence.end]
    candidates: list[tuple[int, str, str]] = []  # (distance to `at`, actor, wording)
    for cue in ATTRIBUTION_BEFORE.finditer(text):
        subject = [
            m
            for m in local
            if 0 <= cue.start() - (m.end - sentence.start) <= 40
            and not is_affiliation(text, m.start - sentence.start)
        ]
        if prefer_person:
            subject = [m for m in subject if actors[m.actor_id].kind == "person"] or subject
        if subject:
            words = text[subject[-1].start - sentence.start : cue.end()]
            candidates.append((abs(cue.start() - at), subject[-1].actor_id, words))
    for cue in SOURCE_AFTER.finditer(text):
        named = [m for m in local if 0 <= m.start - sentence.start - cue.end() <= 20]
        if named:
            words = text[cue.start() : named[0].end - sentence.start]
            weight = -1000 if cue.group(0).lower().startswith("citing") else 0
            candidates.append((abs(cue.start() - at) + weight, named[0].actor_id, words))
    if not candidates:
        return None, None
    if prefer_person:
        people = [c for c in candidates if actors[c[1]].kind == "person"]
        candidates = people or candidates
    _, actor_id, words = min(candidates)
    return actor_id, words


ATTRIBUTION_AFTER_QUOTE = re.compile(
    r"\s*(?:(?P<pronoun>[Hh]e|[Ss]he|[Tt]hey)\s+(?:said|says|added|told|wrote|stated)\b"
    r"|(?P<subject>[A-Z][^.!?\n]{0,80}?)\s+(?:said|says|added|told|wrote|stated)\b"
    r"|(?:said|says|added)\s+(?P<object>[A-Z][^.!?\n,]{0,80}))"
)


def quote_attribution(
    at: int, sources: Sources, prefer_person: bool = False
) -> tuple[str | None, str | None]:
    """(actor id, wording) for seed offset `at` inside a quotation attributed after it closes:
    "... . ... ," she said. / "...," the UN said. / "...," said Egeland."""
    span = next((s for s in quoted_spans(sources.text) if s[0] <= at < s[1]), None)
    if span is None:
        return None, None
    after = ATTRIBUTION_AFTER_QUOTE.match(sources.text, span[1])
    if after is None:
        return None, None
    if after["pronoun"]:
        person = last_person_before(span[0], sources.mentions, sources.actors)
        return person, f"{after.group(0).strip()} (the last person named before)"
    named = [m for m in sources.mentions if after.start() <= m.start < after.end()]
    if prefer_person:
        named = [m for m in named if sources.actors[m.actor_id].kind == "person"] or named
    if not named:
        return None, None
    return named[0].actor_id, after.group(0).strip()


def is_affiliation(text: str, at: int) -> bool:
    """The actor at offset `at` is only whom the speaker belongs to or where it is:
    "Foreign Minister Cavusoglu of Turkey said" is said by Cavusoglu (not yet an actor), and
    "the coalition in Iraq says" by the coalition, not by Turkey or Iraq."""
    before = text[max(at - 60, 0) : at]
    return bool(
        re.search(r"[A-Z][\w’'-]+,?\s+of\s+(?:the\s+)?$", before)
        or re.search(r"\b(?:in|at|from|near|inside|outside|across)\s+(?:the\s+)?$", before)
    )


def last_person_before(
    at: int, mentions: Sequence[Mention], actors: Mapping[str, Actor]
) -> str | None:
    """The person most recently named before seed offset `at` (for "he said")."""
    people = [m for m in mentions if m.end <= at and actors[m.actor_id].kind == "person"]
    return people[-1].actor_id if people else None


def actors_in(sentence: Sentence, mentions: Sequence[Mention]) -> tuple[str, ...]:
    """Actor ids named in the sentence, in order of first mention."""
    ids: list[str] = []
    for mention in mentions:
        if sentence.start <= mention.start < sentence.end and mention.actor_id not in ids:
            ids.append(mention.actor_id)
    return tuple(ids)


def sentence_quotes(sentence: Sentence, text: str) -> list[tuple[int, int]]:
    """The quotation spans of the seed that overlap the sentence, in sentence offsets."""
    return [
        (max(start, sentence.start) - sentence.start, min(end, sentence.end) - sentence.start)
        for start, end in quoted_spans(text)
        if start < sentence.end and sentence.start < end
    ]


def draft_events(sentences: Sequence[Sentence], sources: Sources) -> list[EventDraft]:
    """One event per distinct date in each sentence that states one; dates that cannot be
    resolved give an event without a date, for the editor.

    "later in the day" and "that day" take the last day stated before them (unresolved when
    that one is).
    """
    events = []
    published = sources.published
    last_day: DateExpression | None = None
    for sentence in sentences:
        seen: set[str] = set()
        quoted = sentence_quotes(sentence, sources.text)
        expressions = find_date_expressions(sentence.text, published, quoted)
        same_day = SAME_DAY.search(sentence.text)
        if same_day:
            before = [e for e in expressions if e.end <= same_day.start()]
            reference = before[-1] if before else last_day
            if reference is not None:
                note = f"the day of {reference.text!r} before it"
                expressions.append(
                    DateExpression(0, 0, same_day.group(0), reference.date, reference.note or note)
                )
        last_day = next(
            (e for e in reversed(expressions) if e.date is None or e.date.is_exact), last_day
        )
        for expression in expressions:
            date = expression.date
            key = f"{date.iso()}|{date.label}" if date else f"?{expression.text}"
            if key in seen or is_dateline(sentence.text, expression.text):
                continue
            seen.add(key)
            notes = [f"date from {expression.text!r}, published {published.isoformat()}"]
            if expression.note:
                notes.append(expression.note)
            events.append(
                EventDraft(
                    date,
                    title_from(sentence.text, expression.text),
                    actors_in(sentence, sources.mentions),
                    sentence.text,
                    tuple(notes),
                )
            )
    return events


def is_dateline(sentence: str, date_text: str) -> bool:
    """A line that is only the date (and time, and place) of publication, not an event:
    "December 4, 2016, 6:19 PM", "(Baghdad, 22 December 2016)", "Geneva, 15 December 2016"."""
    rest = sentence.replace(date_text, "")
    rest = re.sub(r"\b(?:AM|PM|GMT|UTC|ET|EST|EDT)\b|[\d:,.\s()–—-]", " ", rest)
    return not rest.strip() or bool(re.fullmatch(r"\s*(?:[A-Z][\w’'-]*\s*){1,3}", rest))


def title_from(sentence: str, date_text: str) -> str:
    """A starting point for the editor: the sentence without its date words, cut short."""
    text = re.sub(
        rf"\s*\b(?:[Oo]n|[Ii]n|[Ss]ince|[Bb]y)?\s*{re.escape(date_text)},?", " ", sentence
    )
    text = re.sub(r"^[\W\d]+|\s+", " ", text).strip(' ,.;:—-"“”')
    words = text.split()
    short = " ".join(words[:14]) + (" …" if len(words) > 14 else "")
    return (short[:1].upper() + short[1:]) or sentence


@dataclass(frozen=True)
class Sources:
    """What every figure of one text is read against."""

    text: str  # the whole seed
    published: dt.date
    mentions: Sequence[Mention]
    actors: Mapping[str, Actor]
    metrics: Mapping[str, Metric]


def draft_figures(sentences: Sequence[Sentence], sources: Sources) -> list[FigureDraft]:
    """One figure per number of substance, in text order."""
    figures = []
    for index, sentence in enumerate(sentences):
        before = " ".join(s.text for s in sentences[max(index - 2, 0) : index])
        context = NumberContext(sentence.text, before, sources.text)
        dates = find_date_expressions(
            sentence.text, sources.published, sentence_quotes(sentence, sources.text)
        )
        numbers = find_numbers(sentence.text, before)
        for number in numbers:
            others = [n for n in numbers if n is not number]
            attribution = quote_attribution(sentence.start + number.start, sources)
            figures.append(
                draft_figure(sentence, context, number, others, dates, attribution, sources)
            )
    return figures


def draft_figure(
    sentence: Sentence,
    context: NumberContext,
    number: NumberExpression,
    others: Sequence[NumberExpression],
    dates: Sequence[DateExpression],
    attribution: tuple[str | None, str | None],
    sources: Sources,
) -> FigureDraft:
    notes = []
    ranked = rank_metrics(context, number, sources.metrics, others)
    metric_id = ranked[0][1] if ranked else None
    proposal = None
    if metric_id is None:
        proposal = propose_metric(sentence.text, number)
        notes.append(f"no metric in content/metrics.yaml fits this {number.unit} figure")
    elif len(ranked) > 1:
        alternatives = ", ".join(m for _, m in ranked[1:4])
        notes.append(f"metric chosen by keywords; others that fit: {alternatives}")
    if number.guessed_unit:
        notes.append("no unit word: 'people' guessed from the sentence")
    if number.vague:
        notes.append(f"a vague value: {number.text!r}")
    # A date far from the number usually dates something else ("On Friday, Kerry said ...
    # where the U.N. estimates 100,000"): only a nearby one dates the figure.
    day_exact = [
        d for d in dates if d.date is not None and d.date.is_exact and near_span(d, number, 60)
    ]
    if day_exact and day_exact[0].date is not None:
        as_of = day_exact[0].date
        notes.append(f"as_of from {day_exact[0].text!r}")
    else:
        published = sources.published
        as_of = FuzzyDate(published.year, published.month, published.day)
        notes.append("as_of is the publication date")
    period = period_of(number, dates)
    if period is not None:
        notes.append(f"counted over {period.text!r}")
    claimant, wording = guess_claimant(sentence, number.start, sources.mentions, sources.actors)
    if claimant is None:
        claimant, wording = attribution
    notes.append(f"claimant from {wording!r}" if claimant else "no claimant found: unattributed")
    projected = bool(FORECAST.search(sentence.text[: number.start]))
    if projected:
        notes.append("looks like a forecast (projected: true)")
    needs_period = metric_id is not None and sources.metrics[metric_id].kind == "count-in-period"
    if needs_period:
        notes.append("a count in a period: write the period the text gives")
    return FigureDraft(
        metric_id,
        number.low,
        number.high,
        number.vague,
        number.text,
        number.unit,
        proposal,
        period,
        number.qualifier,
        as_of,
        claimant,
        projected,
        sentence.text,
        tuple(notes),
        needs_period,
    )


def period_of(number: NumberExpression, dates: Sequence[DateExpression]) -> DraftPeriod | None:
    """The window of a count: "in the past 72 hours" (from, to), "since June" (from only)."""
    for date in dates:
        if not near_span(date, number, 60) or date.date is None:
            continue
        if date.period_start is not None:
            return DraftPeriod(date.period_start, date.date, date.text, "exact")
        if date.text.lower().startswith("since "):
            return DraftPeriod(date.date, None, date.text, "exact")
    return None


def near_span(date: DateExpression, number: NumberExpression, limit: int) -> bool:
    return max(number.start - date.end, date.start - number.end) <= limit


def draft_quotes(sentences: Sequence[Sentence], sources: Sources) -> list[QuoteDraft]:
    """Direct quotations of a dozen characters or more, with the speaker they are attributed to."""
    quotes = []
    for sentence in sentences:
        for match in QUOTED.finditer(sentence.text):
            speaker, wording = guess_claimant(
                sentence, match.start(), sources.mentions, sources.actors, True
            )
            if speaker is None:
                at = sentence.start + match.start()
                speaker, wording = quote_attribution(at, sources, prefer_person=True)
            if speaker is None and PRONOUN_ATTRIBUTION.search(sentence.text):
                speaker = last_person_before(sentence.start, sources.mentions, sources.actors)
                wording = "he/she said: the last person named before"
            note = f"speaker from {wording!r}" if speaker else "no speaker found"
            quotes.append(QuoteDraft(speaker, match.group(1), (note,)))
    return quotes
