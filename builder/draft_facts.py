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

from builder.draft_dates import DateExpression, find_date_expressions
from builder.draft_numbers import NumberExpression, find_numbers
from builder.draft_text import Sentence
from builder.index import Mention
from builder.model import Actor, FuzzyDate, Metric, Qualifier


@dataclass(frozen=True)
class EventDraft:
    date: FuzzyDate
    title: str
    actor_ids: tuple[str, ...]
    quote: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class FigureDraft:
    metric_id: str | None  # None: no metric fits; the draft comments the candidate out
    low: float
    high: float
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

# fmt: off
STOPWORDS = frozenset((
    "a", "an", "the", "of", "in", "on", "at", "to", "by", "for", "from", "and", "or", "but",
    "as", "is", "are", "was", "were", "be", "been", "has", "have", "had", "that", "this",
    "these", "those", "it", "its", "their", "his", "her", "they", "them", "who", "whom",
    "which", "what", "than", "then", "there", "with", "without", "into", "over", "under",
    "about", "more", "most", "some", "all", "any", "each", "now", "still", "also", "not", "no",
))
# fmt: on
# Different words for one thing, folded before metrics and sentences are compared.
SYNONYMS = {
    "left": "fled",
    "flee": "fled",
    "fleeing": "fled",
    "leave": "fled",
    "died": "death",
    "dead": "death",
    "deaths": "death",
    "killed": "death",
    "lives": "death",
    "evacuated": "evacuation",
    "evacuate": "evacuation",
    "evacuations": "evacuation",
    "homes": "home",
    "homeless": "home",
    "injured": "wounded",
    "neighborhoods": "neighbourhood",
    "neighbourhoods": "neighbourhood",
    "neighborhood": "neighbourhood",
    "eastern": "east",
    "western": "west",
    "opposition-held": "rebel-held",
    "syrians": "syrian",
    "percentage": "percent",
}  # fmt: skip
NEAR_WINDOW = 40  # characters either side of a number whose words weigh more


def stem(word: str) -> str:
    """A crude stem, enough to meet "estimates" and "estimated" at "estimat"."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def words_of(text: str) -> list[tuple[int, str]]:
    """(offset, folded stem) pairs; hyphenated words also count by their parts."""
    found = []
    for match in re.finditer(r"[A-Za-z][A-Za-z’'-]*", text):
        word = match.group(0).lower().strip("’'-")
        for part in (word, *word.split("-")) if "-" in word else (word,):
            if part and part not in STOPWORDS:
                found.append((match.start(), stem(SYNONYMS.get(part, part))))
    return found


def metric_vocabulary(metric: Metric) -> dict[str, int]:
    """Word -> weight: the label counts most, since descriptions also name what is excluded."""
    vocabulary = {word: 1 for _, word in words_of(f"{metric.description} {metric.scope}")}
    vocabulary.update({word: 3 for _, word in words_of(metric.label)})
    return vocabulary


def rank_metrics(
    sentence: str,
    number: NumberExpression,
    metrics: Mapping[str, Metric],
    others: Sequence[NumberExpression] = (),
) -> list[tuple[float, str]]:
    """Metrics of the number's unit, best first, with their scores (0 = nothing in common).

    Words nearer to another number of the sentence are left to that number.
    """
    words = [
        (offset, word)
        for offset, word in words_of(sentence)
        if all(distance(offset, number) <= distance(offset, o) for o in others)
    ]
    ranked = []
    for metric in metrics.values():
        if normalise_unit(metric.unit) != number.unit:
            continue
        vocabulary = metric_vocabulary(metric)
        score = 0.0
        for offset, word in words:
            near = number.start - NEAR_WINDOW <= offset <= number.end + NEAR_WINDOW
            score += vocabulary.get(word, 0) * (3 if near else 1)
        ranked.append((score, metric.metric_id))
    return sorted(ranked, key=lambda pair: (-pair[0], pair[1]))


def distance(offset: int, number: NumberExpression) -> int:
    return max(number.start - offset, offset - number.end, 0)


def normalise_unit(unit: str) -> str:
    return unit.lower().replace("neighborhood", "neighbourhood")


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
        subject = [m for m in local if 0 <= cue.start() - (m.end - sentence.start) <= 40]
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


def draft_events(
    sentences: Sequence[Sentence], published: dt.date, mentions: Sequence[Mention]
) -> list[EventDraft]:
    """One event per distinct date in each sentence that states one.

    "later in the day" and "that day" take the last exact day stated before them.
    """
    events = []
    last_day: DateExpression | None = None
    for sentence in sentences:
        seen: set[str] = set()
        expressions = find_date_expressions(sentence.text, published)
        same_day = SAME_DAY.search(sentence.text)
        if same_day and last_day is not None:
            note = f"the day of {last_day.text!r} before it"
            expressions.append(DateExpression(0, 0, same_day.group(0), last_day.date, note))
        last_day = next((e for e in reversed(expressions) if e.date.is_exact), last_day)
        for expression in expressions:
            key = f"{expression.date.iso()}|{expression.date.label}"
            if key in seen or is_dateline(sentence.text, expression.text):
                continue
            seen.add(key)
            notes = [f"date from {expression.text!r}, published {published.isoformat()}"]
            if expression.note:
                notes.append(expression.note)
            events.append(
                EventDraft(
                    expression.date,
                    title_from(sentence.text, expression.text),
                    actors_in(sentence, mentions),
                    sentence.text,
                    tuple(notes),
                )
            )
    return events


def is_dateline(sentence: str, date_text: str) -> bool:
    """A line that is only the date (and time) of publication, not an event."""
    rest = sentence.replace(date_text, "")
    return not re.sub(r"\b(?:AM|PM|GMT|UTC|ET)\b|[\d:,.\s]", "", rest)


def title_from(sentence: str, date_text: str) -> str:
    """A starting point for the editor: the sentence without its date words, cut short."""
    text = re.sub(
        rf"\s*\b(?:[Oo]n|[Ii]n|[Ss]ince|[Bb]y)?\s*{re.escape(date_text)},?", " ", sentence
    )
    text = re.sub(r"^[\W\d]+|\s+", " ", text).strip(' ,.;:—-"“”')
    words = text.split()
    short = " ".join(words[:14]) + (" …" if len(words) > 14 else "")
    return (short[:1].upper() + short[1:]) or sentence


def draft_figures(
    sentences: Sequence[Sentence],
    published: dt.date,
    mentions: Sequence[Mention],
    actors: Mapping[str, Actor],
    metrics: Mapping[str, Metric],
) -> list[FigureDraft]:
    """One figure per number of substance, in text order."""
    figures = []
    for sentence in sentences:
        dates = find_date_expressions(sentence.text, published)
        numbers = find_numbers(sentence.text)
        for number in numbers:
            others = [n for n in numbers if n is not number]
            figures.append(
                draft_figure(sentence, number, others, published, dates, mentions, actors, metrics)
            )
    return figures


def draft_figure(
    sentence: Sentence,
    number: NumberExpression,
    others: Sequence[NumberExpression],
    published: dt.date,
    dates: Sequence[DateExpression],
    mentions: Sequence[Mention],
    actors: Mapping[str, Actor],
    metrics: Mapping[str, Metric],
) -> FigureDraft:
    notes = []
    ranked = rank_metrics(sentence.text, number, metrics, others)
    metric_id = ranked[0][1] if ranked and ranked[0][0] > 0 else None
    if metric_id is None:
        notes.append(f"no metric in content/metrics.yaml fits this {number.unit} figure")
    elif len(ranked) > 1:
        alternatives = ", ".join(m for _, m in ranked[1:4])
        notes.append(f"metric chosen by keywords; others with this unit: {alternatives}")
    if number.guessed_unit:
        notes.append("no unit word: 'people' guessed from the sentence")
    # A date far from the number usually dates something else ("On Friday, Kerry said ...
    # where the U.N. estimates 100,000"): only a nearby one dates the figure.
    day_exact = [d for d in dates if d.date.is_exact and near_span(d, number, 60)]
    if day_exact:
        as_of = day_exact[0].date
        notes.append(f"as_of from {day_exact[0].text!r}")
    else:
        as_of = FuzzyDate(published.year, published.month, published.day)
        notes.append("as_of is the publication date")
    claimant, wording = guess_claimant(sentence, number.start, mentions, actors)
    notes.append(f"claimant from {wording!r}" if claimant else "no claimant found: unattributed")
    projected = bool(FORECAST.search(sentence.text[: number.start]))
    if projected:
        notes.append("looks like a forecast (projected: true)")
    needs_period = metric_id is not None and metrics[metric_id].kind == "count-in-period"
    if needs_period:
        notes.append("a count in a period: write the period the text gives")
    return FigureDraft(
        metric_id,
        number.low,
        number.high,
        number.qualifier,
        as_of,
        claimant,
        projected,
        sentence.text,
        tuple(notes),
        needs_period,
    )


def near_span(date: DateExpression, number: NumberExpression, limit: int) -> bool:
    return max(number.start - date.end, date.start - number.end) <= limit


def draft_quotes(
    sentences: Sequence[Sentence], mentions: Sequence[Mention], actors: Mapping[str, Actor]
) -> list[QuoteDraft]:
    """Direct quotations of a dozen characters or more, with the speaker they are attributed to."""
    quotes = []
    for sentence in sentences:
        for match in QUOTED.finditer(sentence.text):
            speaker, wording = guess_claimant(sentence, match.start(), mentions, actors, True)
            if speaker is None and PRONOUN_ATTRIBUTION.search(sentence.text):
                speaker = last_person_before(sentence.start, mentions, actors)
                wording = "he/she said: the last person named before"
            note = f"speaker from {wording!r}" if speaker else "no speaker found"
            quotes.append(QuoteDraft(speaker, match.group(1), (note,)))
    return quotes
