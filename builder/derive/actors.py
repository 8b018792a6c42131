"""Actor relations: who appears together with whom, and how the actors group by kind.

Input: an `Archive`.
Output: `ActorRelations`: for every actor, the other actors named in the same articles
(through alias mentions in the seed texts) or listed on the same events, with counts, most
frequent first; plus the actors grouped by kind, in the model's kind order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations
from types import MappingProxyType

from builder.index import Archive
from builder.model import ACTOR_KINDS, Actor, ActorKind


@dataclass(frozen=True)
class RelatedActor:
    actor_id: str
    shared_articles: int  # articles whose seed names both
    shared_events: int  # distinct events that list both

    @property
    def weight(self) -> int:
        return self.shared_articles + self.shared_events


@dataclass(frozen=True)
class KindGroup:
    kind: ActorKind
    heading: str  # "People", "States", ...
    actors: tuple[Actor, ...]  # by name


@dataclass(frozen=True)
class ActorRelations:
    related: Mapping[str, tuple[RelatedActor, ...]]  # actor id -> co-occurring actors
    kinds: tuple[KindGroup, ...]  # only kinds that have actors


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
