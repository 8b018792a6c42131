"""Actor relations: who appears together with whom, and how the actors group by kind.

Input: an `Archive`.
Output: `ActorRelations`: for every actor, the other actors named in the same articles
(through alias mentions in the seed texts) or listed on the same events, with counts, most
frequent first; the actors grouped by kind, in the model's kind order; and each actor's
articles, events, figures and quotes (`ActorFacts`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations
from types import MappingProxyType

from builder.index import Archive
from builder.model import ACTOR_KINDS, Actor, ActorKind, Article, Figure, Quote


@dataclass(frozen=True, slots=True)
class RelatedActor:
    actor_id: str
    shared_articles: int  # articles whose seed names both
    shared_events: int  # distinct events that list both

    @property
    def weight(self) -> int:
        return self.shared_articles + self.shared_events


@dataclass(frozen=True, slots=True)
class KindGroup:
    kind: ActorKind
    heading: str  # "People", "States", ...
    actors: tuple[Actor, ...]  # by name


@dataclass(frozen=True, slots=True)
class ActorFacts:
    """What concerns one actor, gathered in a single pass over the archive."""

    articles: tuple[tuple[Article, int], ...]  # articles naming the actor, newest first, counts
    event_ids: tuple[str, ...]  # events listing the actor, in date order
    figures: tuple[Figure, ...]  # figures it claimed, in as-of order
    quotes: tuple[Quote, ...]  # what it said, by quote id


@dataclass(frozen=True, slots=True)
class ActorRelations:
    related: Mapping[str, tuple[RelatedActor, ...]]  # actor id -> co-occurring actors
    kinds: tuple[KindGroup, ...]  # only kinds that have actors
    facts: Mapping[str, ActorFacts]  # actor id -> its articles, events, figures, quotes


KIND_HEADINGS: Mapping[ActorKind, str] = MappingProxyType(
    {
        "person": "People",
        "state": "States",
        "government-body": "Government bodies",
        "armed-group": "Armed groups",
        "organisation": "Organisations",
        "media": "Media",
    }
)


def relate_actors(archive: Archive) -> ActorRelations:
    """Co-occurrence counts per actor pair, and actors grouped by kind."""
    article_pairs: Counter[tuple[str, str]] = Counter()
    for article in archive.articles:
        named = sorted({m.actor_id for m in archive.mentions[article.slug]})
        article_pairs.update(combinations(named, 2))
    event_pairs: Counter[tuple[str, str]] = Counter()
    for reports in archive.reports_by_event.values():
        listed = sorted({a for r in reports for a in r.actor_ids})
        event_pairs.update(combinations(listed, 2))

    related: dict[str, list[RelatedActor]] = {actor_id: [] for actor_id in archive.actors}
    for a, b in sorted(set(article_pairs) | set(event_pairs)):
        shared = (article_pairs[(a, b)], event_pairs[(a, b)])
        related[a].append(RelatedActor(b, *shared))
        related[b].append(RelatedActor(a, *shared))
    return ActorRelations(
        related=MappingProxyType(
            {k: tuple(sorted(v, key=lambda r: (-r.weight, r.actor_id))) for k, v in related.items()}
        ),
        kinds=group_by_kind(archive),
        facts=gather_facts(archive),
    )


def gather_facts(archive: Archive) -> Mapping[str, ActorFacts]:
    """Every actor's articles, events, figures and quotes: one pass over each collection
    instead of one scan per actor, so that 10,000 articles stay fast."""
    articles: dict[str, list[tuple[Article, int]]] = {a: [] for a in archive.actors}
    for article in archive.articles:
        counts = Counter(m.actor_id for m in archive.mentions[article.slug])
        for actor_id in sorted(counts):
            articles[actor_id].append((article, counts[actor_id]))
    events: dict[str, dict[str, None]] = {a: {} for a in archive.actors}
    for event in archive.events:
        for actor_id in event.actor_ids:
            events[actor_id][event.event_id] = None
    figures: dict[str, list[Figure]] = {a: [] for a in archive.actors}
    for figure in archive.figures:
        if figure.claimant_id is not None:
            figures[figure.claimant_id].append(figure)
    quotes: dict[str, list[Quote]] = {a: [] for a in archive.actors}
    for quote in archive.quotes:
        quotes[quote.speaker_id].append(quote)
    return MappingProxyType(
        {
            a: ActorFacts(tuple(articles[a]), tuple(events[a]), tuple(figures[a]), tuple(quotes[a]))
            for a in archive.actors
        }
    )


def group_by_kind(archive: Archive) -> tuple[KindGroup, ...]:
    groups = []
    for kind in ACTOR_KINDS:
        members = sorted(
            (a for a in archive.actors.values() if a.kind == kind),
            key=lambda a: (a.name.casefold(), a.actor_id),
        )
        if members:
            groups.append(KindGroup(kind, KIND_HEADINGS[kind], tuple(members)))
    return tuple(groups)
