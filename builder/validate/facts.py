"""Read one article's events, figures and quotes, each located in the article's seed.

Input: the YAML nodes of the `events`, `figures`, `quotes` and `skipped` lists, and the seed text.
Output: `Event`, `Figure`, `Quote` and `Skipped` model objects carrying their `Passage`;
problems are recorded on the article's `Checker`.

Figure and quote ids are stable: an explicit `id:`, else a hash of the fact's content (metric,
quoted passage and value; speaker and words), so inserting a fact changes no other permalink.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import yaml

from builder.errors import did_you_mean
from builder.model import (
    QUALIFIERS,
    Event,
    Figure,
    Inference,
    Metric,
    Passage,
    Quote,
    Skipped,
)
from builder.validate.fields import (
    EVENT_FIELDS,
    FIGURE_FIELDS,
    INFERENCE_FIELDS,
    QUOTE_FIELDS,
    SKIPPED_FIELDS,
    Checker,
)
from builder.validate.figure_values import (
    content_hash,
    read_figure_period,
    read_value,
    value_key,
)
from builder.validate.provenance import find_quote, fold, nearest_passage

T = TypeVar("T")


@dataclass
class FactReader:
    """Reads the events, figures and quotes of one article against its seed."""

    check: Checker
    slug: str
    seed: str
    seed_text: str
    actors: dict[str, None]  # every actor id
    metrics: dict[str, Metric | None]  # every declared metric id; None: the metric is broken
    event_ids: set[str] = field(default_factory=set)
    # Figure and quote ids of this article -> the line that first used one, for duplicates.
    claim_lines: dict[str, int] = field(default_factory=dict)
    # Local explicit figure id -> the figure, and part figures -> their `of` node.
    local_figures: dict[str, Figure] = field(default_factory=dict)
    of_nodes: dict[str, tuple[yaml.Node, str]] = field(default_factory=dict)

    def read_all(
        self, node: yaml.Node | None, name: str, read: Callable[[yaml.Node, int], T | None]
    ) -> list[T]:
        if node is None:
            return []
        items = [read(item, n) for n, item in enumerate(self.check.sequence(node, name), start=1)]
        return [item for item in items if item is not None]

    def passage(
        self, node: yaml.Node, name: str = "quote", occurrence_node: yaml.Node | None = None
    ) -> Passage | None:
        """The quote's span in the seed: its only occurrence, or the one `occurrence` names."""
        quote = self.check.text(node, name)
        if quote is None:
            return None
        found = find_quote(quote, self.seed, self.seed_text)
        if not found:
            nearest = nearest_passage(fold(quote), self.seed_text)
            self.check.fail(
                node,
                f"{name} not found in seeds/{self.seed}",
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

    def claim_id(
        self, fields: dict[str, yaml.Node], node: yaml.Node, kind: str, content: tuple[str, ...]
    ) -> str | None:
        """`{slug}-{id}` for an explicit id, else `{slug}-{kind}-{content hash}`; unique."""
        if "id" in fields:
            local = self.check.identifier(fields["id"], "id")
            if local is None:
                return None
            claim_id = f"{self.slug}-{local}"
            duplicate = f"duplicate id '{local}' in this article"
            hint = "each figure and quote of an article needs its own id"
        else:
            claim_id = f"{self.slug}-{kind}-{content_hash(*content)}"
            duplicate = f"this {'figure' if kind == 'fig' else kind} repeats the one at line"
            hint = "if both are meant, give each an explicit 'id:' to tell them apart"
        if claim_id in self.claim_lines:
            first = self.claim_lines[claim_id]
            message = duplicate if "id" in fields else f"{duplicate} {first}"
            self.check.fail(fields.get("id", node), message, hint)
            return None
        self.claim_lines[claim_id] = self.check.line(fields.get("id", node))
        return claim_id

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
            self.passage(fields["quote"], occurrence_node=fields.get("occurrence"))
            if "quote" in fields
            else None
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
        bounds = read_value(check, fields["value"]) if "value" in fields else None
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
        part = check.text(fields["part"], "part") if "part" in fields else None
        passage = (
            self.passage(fields["quote"], occurrence_node=fields.get("occurrence"))
            if "quote" in fields
            else None
        )
        metric = self.metrics.get(metric_id) if metric_id is not None else None
        percent = metric is not None and metric.unit == "percent"
        if percent and bounds is not None and bounds.high > 100:
            check.fail(
                fields["value"],
                f"{bounds.high:g} percent is more than 100",
                "check the value or the metric",
            )
            bounds = None
        period = (
            read_figure_period(check, metric, fields, node, as_of) if metric is not None else None
        )
        if "of" in fields and "part" not in fields:
            check.fail(
                fields["of"],
                "'of' names the whole of a part, but this figure has no 'part'",
                "add part: with the source's words for the part, or remove 'of'",
            )
        figure_id = None
        if metric_id is not None and bounds is not None and passage is not None:
            content = (metric_id, passage.text, value_key(bounds.low, bounds.high, bounds.vague))
            figure_id = self.claim_id(fields, node, "fig", content)
        if (
            metric is None
            or None in (metric_id, bounds, qualifier, as_of, projected, passage, figure_id)
            or ("claimant" in fields and claimant is None)
            or ("part" in fields and part is None)
            or period is False
            or ("of" in fields and "part" not in fields)
        ):
            return None
        of_node = fields.get("of")
        of_text = check.text(of_node, "of") if of_node is not None else None
        figure = Figure(
            figure_id=figure_id,  # type: ignore[arg-type]
            article_slug=self.slug,
            metric_id=metric_id,  # type: ignore[arg-type]
            low=bounds.low,  # type: ignore[union-attr]
            high=bounds.high,  # type: ignore[union-attr]
            qualifier=qualifier,  # type: ignore[arg-type]
            as_of=as_of,  # type: ignore[arg-type]
            claimant_id=claimant,
            projected=bool(projected),
            note=note,
            passage=passage,  # type: ignore[arg-type]
            source=check.source(node),
            period=period,  # type: ignore[arg-type]
            part=part,
            part_of_id=f"{self.slug}-{of_text}" if of_text is not None else None,
            vague=bounds.vague,  # type: ignore[union-attr]
        )
        if "id" in fields:
            self.local_figures[str(fields["id"].value)] = figure
        if of_node is not None and of_text is not None:
            self.of_nodes[figure.figure_id] = (of_node, of_text)
        return figure

    def check_wholes(self, figures: list[Figure]) -> None:
        """Each `of` names a figure of this article with an explicit id, of the same metric,
        that is not itself a part."""
        by_id = {f.figure_id: f for f in figures}
        for figure_id, (node, local) in self.of_nodes.items():
            part = by_id.get(figure_id)
            whole = self.local_figures.get(local)
            if part is None:
                continue
            if whole is None:
                self.check.fail(
                    node,
                    f"unknown figure '{local}' in 'of'",
                    did_you_mean(local, self.local_figures)
                    + "; the whole needs an explicit 'id:' in this article",
                )
            elif whole.metric_id != part.metric_id or whole.part is not None:
                self.check.fail(
                    node,
                    f"figure '{local}' is not a whole of metric '{part.metric_id}'",
                    "'of' names a figure of the same metric that has no 'part'",
                )

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
            self.passage(fields["quote"], occurrence_node=fields.get("occurrence"))
            if "quote" in fields
            else None
        )
        if speaker is None or passage is None:
            return None
        quote_id = self.claim_id(fields, node, "quote", (speaker, passage.text))
        if quote_id is None:
            return None
        return Quote(quote_id, self.slug, speaker, passage, check.source(node))

    def inference(self, node: yaml.Node, name: str) -> Inference | None:
        """`outlet_inferred` / `published_inferred`: a reason and seed passages as evidence."""
        fields = self.check.mapping(node, INFERENCE_FIELDS, f"'{name}'")
        if fields is None:
            return None
        reason = self.check.text(fields["reason"], "reason") if "reason" in fields else None
        evidence_nodes = (
            self.check.sequence(fields["evidence"], "evidence") if "evidence" in fields else []
        )
        evidence = [self.passage(n, "evidence") for n in evidence_nodes]
        if reason is None or None in evidence:
            return None
        return Inference(reason, tuple(p for p in evidence if p is not None))

    def skipped(self, node: yaml.Node, number: int) -> Skipped | None:
        """A seed passage with a number or date deliberately left unrecorded, and why."""
        fields = self.check.mapping(node, SKIPPED_FIELDS, f"skipped {number}")
        if fields is None:
            return None
        passage = self.passage(fields["quote"]) if "quote" in fields else None
        reason = self.check.text(fields["reason"], "reason") if "reason" in fields else None
        if passage is None or reason is None:
            return None
        return Skipped(passage, reason, self.check.source(node))
