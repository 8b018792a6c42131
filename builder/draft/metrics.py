"""Which metric a drafted figure belongs to, or none, for `draft`.

Input: the sentence of a number (with the sentences before it and the whole text), the
number, and the archive's metrics.
Output: the metrics that fit, best first, with their scores; an empty list means that no
metric fits, and `propose_metric` then sketches a new entry for the editor.

A metric fits only when all of these hold:
- its unit is the number's unit (people, percent, neighbourhoods, ...);
- a word of what it counts (its label without unit, place and generic words: "trapped",
  "fled", "killed") stands near the number, after folding synonyms ("left" = "fled");
- the places of its scope (or else of its label, or else of its description: "east Mosul"
  -> Mosul, "Syria" -> Syria or Syrian) are named in
  the sentence or the two before it; a direction of its scope that its description also
  names ("east") is named in the text (lower case, or right before the place: "Middle East"
  is not east), and the sentence does not name the opposite direction alone;
- a metric of government control is not given a number the sentence says the other side
  holds ("rebels control 60 percent").
Among those, the one whose label and description share the most words with the sentence wins,
words near the number counting more.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from builder.draft.numbers import NumberExpression
from builder.model import Metric

# fmt: off
STOPWORDS = frozenset((
    "a", "an", "the", "of", "in", "on", "at", "to", "by", "for", "from", "and", "or", "but",
    "as", "is", "are", "was", "were", "be", "been", "has", "have", "had", "that", "this",
    "these", "those", "it", "its", "their", "his", "her", "they", "them", "who", "whom",
    "which", "what", "than", "then", "there", "with", "without", "into", "over", "under",
    "about", "more", "most", "some", "all", "any", "each", "now", "still", "also", "not", "no",
))
# Label words that say nothing about what is counted.
GENERIC = frozenset((
    "people", "number", "share", "area", "areas", "part", "city", "whole", "war", "conflict",
    "fighting", "offensive", "percent", "percentage", "civilian", "syrian", "already", "before",
    "after", "during", "since",
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
    "seized": "control",
    "seize": "control",
    "captured": "control",
    "capture": "control",
    "taken": "control",
    "took": "control",
    "retaken": "control",
    "retake": "control",
}  # fmt: skip
DIRECTIONS = {"east": "west", "west": "east", "north": "south", "south": "north"}
# "rebels control 60 percent": the other side holds it ("rebel-held areas" does not count).
OTHER_SIDE_HOLDS = re.compile(
    r"\b(?:rebels?|opposition|insurgents?|militants?|jihadists?)\s+(?:\w+\s+){0,2}?"
    r"(?:control|controls|controlled|hold|holds|held|seized|captured|took|taken)\b",
    re.I,
)
NEAR_WINDOW = 40  # characters either side of a number whose words weigh more
CONCEPT_WINDOW = 80  # characters either side of a number where what it counts must be named


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


@dataclass(frozen=True)
class MetricTerms:
    """What a metric's wording requires of a sentence before one of its figures fits it."""

    concept: frozenset[str]  # stems: one must stand near the number
    places: tuple[str, ...]  # lower-case place names of the scope
    directions: tuple[str, ...]  # "east", ... named in the scope
    government_control: bool  # a share held by the government side


def place_names(text: str) -> tuple[str, ...]:
    """Lower-cased capitalised words, except a sentence's first ("People killed in ...")."""
    return tuple(w.lower() for w in re.findall(r"(?<=[^\s.] )[A-Z][a-z]+", text))


def metric_terms(metric: Metric) -> MetricTerms:
    places = next(
        # A scope is a phrase ("Syria", "east Aleppo"): its first word counts too.
        (
            found
            for text in (f"in {metric.scope}", metric.label, metric.description)
            if (found := place_names(text))
        ),
        (),
    )
    # A direction binds only when the description names it too: a description that speaks
    # of "the rebel-held neighbourhoods" instead leaves the part to the keywords.
    directions = tuple(
        d
        for d in DIRECTIONS
        if re.search(rf"\b{d}(?:ern)?\b", metric.scope, re.I)
        and re.search(rf"\b{d}(?:ern)?\b", metric.description, re.I)
    )
    excluded = {stem(w) for w in (*places, *directions, *GENERIC)}
    excluded |= {stem(SYNONYMS.get(w, w)) for w in metric.unit.lower().split()}
    label_words = {word for _, word in words_of(metric.label)}
    concept = frozenset(w for w in label_words if w not in excluded and not w.startswith(places))
    control = "control" in label_words and "government" in label_words
    return MetricTerms(concept, places, directions, control)


def metric_vocabulary(metric: Metric) -> dict[str, int]:
    """Word -> weight: the label counts most, since descriptions also name what is excluded."""
    vocabulary = {word: 1 for _, word in words_of(f"{metric.description} {metric.scope}")}
    vocabulary.update({word: 3 for _, word in words_of(metric.label)})
    return vocabulary


def normalise_unit(unit: str) -> str:
    return unit.lower().replace("neighborhood", "neighbourhood")


def names_place(text: str, place: str) -> bool:
    """ "Syria" is named by "Syria", "Syrian" or "Syrians"."""
    return bool(re.search(rf"\b{re.escape(place)}\w*", text, re.I))


def names_direction(text: str, direction: str, place: str | None = None) -> bool:
    """A direction in lower case ("the rebel-held east"), or capitalised before the place
    ("East Mosul"); "Middle East" names no direction."""
    if re.search(rf"\b{direction}(?:ern)?\b", text):
        return True
    capital = direction.capitalize()
    return place is not None and bool(re.search(rf"\b{capital}(?:ern)? {place}", text, re.I))


@dataclass(frozen=True)
class NumberContext:
    """Where a number stands: its sentence, the sentences just before it, the whole text."""

    sentence: str
    before: str  # the two sentences before
    text: str


def fits(terms: MetricTerms, number: NumberExpression, context: NumberContext) -> bool:
    sentence = context.sentence
    low, high = max(number.start - CONCEPT_WINDOW, 0), number.end + CONCEPT_WINDOW
    near = {word for _, word in words_of(sentence[low:high])}
    if terms.concept and not terms.concept & near:
        return False
    window = f"{context.before} {sentence}"
    if terms.places and not any(names_place(window, p) for p in terms.places):
        return False
    place = terms.places[0] if terms.places else None
    for direction in terms.directions:
        if not names_direction(context.text, direction, place):
            return False
        opposite = DIRECTIONS[direction]
        if names_direction(sentence, opposite, place) and not names_direction(
            sentence, direction, place
        ):
            return False
    nearby = sentence[max(number.start - NEAR_WINDOW, 0) : number.end + NEAR_WINDOW]
    return not (terms.government_control and OTHER_SIDE_HOLDS.search(nearby))


def rank_metrics(
    context: NumberContext,
    number: NumberExpression,
    metrics: Mapping[str, Metric],
    others: Sequence[NumberExpression] = (),
) -> list[tuple[float, str]]:
    """The metrics that fit the number, best first, with their scores.

    Words nearer to another number of the sentence are left to that number.
    """
    words = [
        (offset, word)
        for offset, word in words_of(context.sentence)
        if all(distance(offset, number) <= distance(offset, o) for o in others)
    ]
    ranked = []
    for metric in metrics.values():
        if normalise_unit(metric.unit) != number.unit:
            continue
        if not fits(metric_terms(metric), number, context):
            continue
        vocabulary = metric_vocabulary(metric)
        score = 0.0
        for offset, word in words:
            near = number.start - NEAR_WINDOW <= offset <= number.end + NEAR_WINDOW
            score += vocabulary.get(word, 0) * (3 if near else 1)
        if score > 0:
            ranked.append((score, metric.metric_id))
    return sorted(ranked, key=lambda pair: (-pair[0], pair[1]))


def distance(offset: int, number: NumberExpression) -> int:
    return max(number.start - offset, offset - number.end, 0)


# Verbs that say what a count is of, and the kind of metric they suggest.
COUNT_VERBS = (
    (r"killed|died|dead|deaths|executed", "killed", "count-in-period"),
    (r"wounded|injured", "wounded", "count-in-period"),
    (r"fled|flee\w*|left|escaped", "fled", "count-in-period"),
    (r"displaced|forced from their homes", "displaced", "level"),
    (r"evacuated|evacuation", "evacuated", "count-in-period"),
    (r"trapped|besieged", "trapped", "level"),
    (r"refugees?", "refugees", "level"),
    (r"control\w*|held", "controlled", "level"),
    (r"assistance|aid|funding", "assistance", "running-total"),
)


@dataclass(frozen=True)
class ProposedMetric:
    metric_id: str
    label: str
    unit: str
    kind: str


def propose_metric(sentence: str, number: NumberExpression) -> ProposedMetric:
    """A starting point for a new metrics.yaml entry when none fits: the editor names it."""
    near = sentence[max(number.start - CONCEPT_WINDOW, 0) : number.end + CONCEPT_WINDOW]
    what, kind = "counted", "level"
    for pattern, word, suggested in COUNT_VERBS:
        if re.search(rf"\b(?:{pattern})\b", near, re.I):
            what, kind = word, suggested
            break
    unit = number.unit
    noun = "share" if unit == "percent" else unit.split()[-1]
    metric_id = re.sub(r"[^a-z0-9]+", "-", f"{noun} {what}".lower()).strip("-")
    label = f"{noun.capitalize()} {what}" if unit != "percent" else f"Share {what}"
    return ProposedMetric(metric_id, label, unit, kind)
