"""Read one article's events, figures and quotes, each located in the article's seed.

Input: the YAML nodes of the `events`, `figures` and `quotes` lists, and the seed text.
Output: `Event`, `Figure` and `Quote` model objects carrying their `Passage`; problems are
recorded on the article's `Checker`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import yaml

from builder.errors import did_you_mean
from builder.fields import EVENT_FIELDS, FIGURE_FIELDS, QUOTE_FIELDS, Checker
from builder.model import (
    QUALIFIERS,
    Event,
    Figure,
    Metric,
    Passage,
    Quote,
)
from builder.provenance import find_quote, fold, nearest_passage
from builder.values import magnitude_problem, parse_number

T = TypeVar("T")


@dataclass
class FactReader:
    """Reads the events, figures and quotes of one article against its seed."""

    check: Checker
    slug: str
    seed: str
    seed_text: str
    actors: dict[str, None]  # every actor id
    metrics: dict[str, Metric]
    event_ids: set[str] = field(default_factory=set)

    def read_all(
        self, node: yaml.Node | None, name: str, read: Callable[[yaml.Node, int], T | None]
    ) -> list[T]:
        if node is None:
            return []
        items = [read(item, n) for n, item in enumerate(self.check.sequence(node, name), start=1)]
        return [item for item in items if item is not None]

    def passage(self, node: yaml.Node, occurrence_node: yaml.Node | None = None) -> Passage | None:
        """The quote's span in the seed: its only occurrence, or the one `occurrence` names."""
        quote = self.check.text(node, "quote")
        if quote is None:
            return None
        found = find_quote(quote, self.seed, self.seed_text)
        if not found:
            nearest = nearest_passage(fold(quote), self.seed_text)
            self.check.fail(
                node,
                f"quote not found in seeds/{self.seed}",
                f"nearest passage: {nearest!r}; copy it verbatim",
            )
            return None
        if occurrence_node is None:
            if len(found) == 1:
                return found[0]
            self.check.fail(
                node,
                f"quote occurs {len(found)} times in seeds/{self.seed}",
                f"add 'occurrence: N' (1 to {len(found)}) to say which one is meant",
            )
            return None
        occurrence = self.check.count(occurrence_node, "occurrence")
        if occurrence is not None and occurrence > len(found):
            times = "once" if len(found) == 1 else f"{len(found)} times"
            self.check.fail(
                occurrence_node,
                f"'occurrence' is {occurrence}, but the quote occurs {times} in seeds/{self.seed}",
                f"write a number from 1 to {len(found)}",
            )
            return None
        return None if occurrence is None else found[occurrence - 1]

    def event(self, node: yaml.Node, number: int) -> Event | None:
        check = self.check
        fields = check.mapping(node, EVENT_FIELDS, f"event {number}")
        if fields is None:
            return None
        event_id = (
            check.identifier(fields["id"], "id")
            if "id" in fields
            else f"{self.slug}-event-{number}"
        )
        if event_id is not None and "id" in fields:
            if event_id in self.event_ids:
                check.fail(
                    fields["id"],
                    f"duplicate event id '{event_id}' in this article",
                    "an article reports each event once; give the other a new id",
                )
                event_id = None
            else:
                self.event_ids.add(event_id)
        label = check.text(fields["date_label"], "date_label") if "date_label" in fields else None
        date = check.date(fields["date"], "date", label) if "date" in fields else None
        title = check.title(fields["title"], "title") if "title" in fields else None
        actor_ids = self.actor_list(fields.get("actors"))
        place = check.text(fields["place"], "place") if "place" in fields else None
        passage = (
            self.passage(fields["quote"], fields.get("occurrence")) if "quote" in fields else None
        )
        if (
            event_id is None
            or date is None
            or title is None
            or actor_ids is None
            or passage is None
            or ("place" in fields and place is None)
        ):
            return None
        return Event(
            event_id, self.slug, date, title, actor_ids, passage, check.source(node), place
        )

    def actor_list(self, node: yaml.Node | None) -> tuple[str, ...] | None:
        if node is None:
            return ()
        ids = [
            self.check.reference(n, "actors", self.actors, "actor")
            for n in self.check.sequence(node, "actors")
        ]
        return None if None in ids else tuple(i for i in ids if i is not None)

    def figure(self, node: yaml.Node, number: int) -> Figure | None:
        check = self.check
        fields = check.mapping(node, FIGURE_FIELDS, f"figure {number}")
        if fields is None:
            return None
        metric_id = (
            check.reference(fields["metric"], "metric", self.metrics, "metric")
            if "metric" in fields
            else None
        )
        bounds = self.value(fields["value"]) if "value" in fields else None
        qualifier = check.text(fields["qualifier"], "qualifier") if "qualifier" in fields else None
        if qualifier is not None and qualifier not in QUALIFIERS:
            check.fail(
                fields["qualifier"],
                f"unknown qualifier '{qualifier}'",
                did_you_mean(qualifier, QUALIFIERS),
            )
            qualifier = None
        as_of = check.date(fields["as_of"], "as_of") if "as_of" in fields else None
        claimant = (
            check.reference(fields["claimant"], "claimant", self.actors, "actor")
            if "claimant" in fields
            else None
        )
        projected = (
            check.boolean(fields["projected"], "projected") if "projected" in fields else False
        )
        note = check.text(fields["note"], "note") if "note" in fields else None
        passage = (
            self.passage(fields["quote"], fields.get("occurrence")) if "quote" in fields else None
        )
        if (
            metric_id is not None
            and bounds is not None
            and self.metrics[metric_id].unit == "percent"
            and bounds[1] > 100
        ):
            check.fail(
                fields["value"],
                f"{bounds[1]:g} percent is more than 100",
                "check the value or the metric",
            )
            bounds = None
        if None in (metric_id, bounds, qualifier, as_of, projected, passage) or (
            "claimant" in fields and claimant is None
        ):
            return None
        return Figure(
            figure_id=f"{self.slug}-fig-{number}",
            article_slug=self.slug,
            metric_id=metric_id,  # type: ignore[arg-type]
            low=bounds[0],  # type: ignore[index]
            high=bounds[1],  # type: ignore[index]
            qualifier=qualifier,  # type: ignore[arg-type]
            as_of=as_of,  # type: ignore[arg-type]
            claimant_id=claimant,
            projected=bool(projected),
            note=note,
            passage=passage,  # type: ignore[arg-type]
            source=check.source(node),
        )

    def value(self, node: yaml.Node) -> tuple[float, float] | None:
        check = self.check
        if isinstance(node, yaml.SequenceNode):
            if len(node.value) != 2:
                check.fail(node, "a range must have exactly two numbers", "write [low, high]")
                return None
            low, high = (self.number(n) for n in node.value)
            if low is None or high is None:
                return None
            if low >= high:
                check.fail(
                    node,
                    f"range [{low:g}, {high:g}] is not increasing",
                    "write [low, high] with low < high",
                )
                return None
            return (low, high)
        number = self.number(node)
        return None if number is None else (number, number)

    def number(self, node: yaml.Node) -> float | None:
        value, problem = (
            parse_number(node) if isinstance(node, yaml.ScalarNode) else (None, "a list or mapping")
        )
        if problem:
            self.check.fail(
                node,
                f"'value' must be a number, not {problem}",
                "write digits without separators, e.g. 100000 or 52.5",
            )
        too_large = None if value is None else magnitude_problem(value)
        if too_large:
            self.check.fail(node, f"'value' {too_large}", "check the number and its unit")
            return None
        return value

    def quote(self, node: yaml.Node, number: int) -> Quote | None:
        check = self.check
        fields = check.mapping(node, QUOTE_FIELDS, f"quote {number}")
        if fields is None:
            return None
        speaker = (
            check.reference(fields["speaker"], "speaker", self.actors, "actor")
            if "speaker" in fields
            else None
        )
        passage = (
            self.passage(fields["quote"], fields.get("occurrence")) if "quote" in fields else None
        )
        if speaker is None or passage is None:
            return None
        return Quote(f"{self.slug}-quote-{number}", self.slug, speaker, passage, check.source(node))
