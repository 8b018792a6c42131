"""Validate site.yaml and metrics.yaml: the site settings and every metric with its relations.

Input: the `RawDocument`s of content/site.yaml and content/metrics.yaml.
Output: `Site` and `{metric_id: Metric}`; problems are appended to the caller's error list.

Relations are declared on either side and held on both. A relation that compares two metrics
(`compare: true`) must join metrics of the same unit and kind, since the comparison rules
follow from the kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

import yaml

from builder.errors import ContentError
from builder.load.project import RawDocument
from builder.model import (
    METRIC_KINDS,
    ComparisonSettings,
    License,
    Metric,
    MetricKind,
    MetricRelation,
    Site,
)
from builder.validate.fields import (
    COMPARISON_FIELDS,
    LICENSE_FIELDS,
    METRIC_FIELDS,
    RELATED_FIELDS,
    SITE_FIELDS,
    Checker,
)

T = TypeVar("T")
# A BCP 47 language tag, in the length Pagefind indexes: it names index files after the
# tag plus a hash and panics past about 30 characters (29 usually works, 30 never); 24
# leaves a margin and still fits any real tag ('en', 'pt-BR', 'zh-Hant-TW', 'en-GB-oxendict').
LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{2,8}(?:-[a-zA-Z0-9]{1,8})*$")
MAX_LANGUAGE_CHARACTERS = 24


def collect(document: RawDocument, errors: list[ContentError], build: Callable[[Checker], T]) -> T:
    checker = Checker(document)
    result = build(checker)
    errors.extend([*checker.errors, *checker.warnings])
    return result


def validate_site(
    document: RawDocument,
    base_url: str | None,
    metric_ids: dict[str, Metric | None] | None,
    errors: list[ContentError],
) -> Site | None:
    """The site; `headline_metric` is checked against `metric_ids` unless that is None."""

    def build(check: Checker) -> Site | None:
        fields = check.mapping(document.node, SITE_FIELDS, "site.yaml")
        if fields is None:
            return None
        title, description, language, own_url = (
            check.text(fields[name], name) if name in fields else None
            for name in ("title", "description", "language", "base_url")
        )
        if language is not None and not (
            LANGUAGE_TAG.match(language) and len(language) <= MAX_LANGUAGE_CHARACTERS
        ):
            check.fail(
                fields["language"],
                f"language {language!r} is not a language tag of at most "
                f"{MAX_LANGUAGE_CHARACTERS} characters",
                "write a BCP 47 tag such as 'en', 'pt-BR' or 'zh-Hant'",
            )
            language = None
        url = base_url or own_url
        if url is not None and not re.match(r"^https?://[^/]+", url):
            check.fail(
                fields["base_url"],
                f"base_url {url!r} is not an absolute http(s) URL",
                "e.g. https://user.github.io/archive/",
            )
            return None
        headline = None
        if "headline_metric" in fields:
            node = fields["headline_metric"]
            headline = (
                check.text(node, "headline_metric")
                if metric_ids is None
                else check.reference(node, "headline_metric", metric_ids, "metric")
            )
        comparison = (
            read_comparison(check, fields["comparison"])
            if "comparison" in fields
            else ComparisonSettings()
        )
        license = read_license(check, fields["license"]) if "license" in fields else None
        if None in (title, description, language, url, comparison) or (
            ("headline_metric" in fields and headline is None)
            or ("license" in fields and license is None)
        ):
            return None
        return Site(
            title,  # type: ignore[arg-type]
            description,  # type: ignore[arg-type]
            language,  # type: ignore[arg-type]
            url.rstrip("/") + "/",  # type: ignore[union-attr]
            check.source(document.node),
            headline_metric=headline,
            comparison=comparison,  # type: ignore[arg-type]
            license=license,
        )

    return collect(document, errors, build)


def read_comparison(check: Checker, node: yaml.Node) -> ComparisonSettings | None:
    fields = check.mapping(node, COMPARISON_FIELDS, "comparison")
    if fields is None:
        return None
    defaults = ComparisonSettings()
    window = (
        check.whole_number(fields["window_days"], "window_days")
        if "window_days" in fields
        else defaults.window_days
    )
    tolerance = (
        check.number(fields["about_tolerance"], "about_tolerance", "a fraction such as 0.1")
        if "about_tolerance" in fields
        else defaults.about_tolerance
    )
    if tolerance is not None and tolerance >= 1:
        check.fail(
            fields["about_tolerance"],
            f"about_tolerance {tolerance:g} must be less than 1",
            "a fraction: 0.1 widens 'about' by 10 % either way",
        )
        tolerance = None
    if window is None or tolerance is None:
        return None
    return ComparisonSettings(window, tolerance)


def read_license(check: Checker, node: yaml.Node) -> License | None:
    """`license: {name: ..., url: ...}`; optional, since an archive may state no terms."""
    fields = check.mapping(node, LICENSE_FIELDS, "license")
    if fields is None:
        return None
    name, url = (
        check.text(fields[key], f"license {key}") if key in fields else None
        for key in ("name", "url")
    )
    if url is not None and not re.match(r"^https?://[^/\s]+\S*$", url):
        check.fail(
            fields["url"],
            f"license url {url!r} is not an absolute http(s) URL",
            "link the licence text, e.g. https://creativecommons.org/licenses/by/4.0/",
        )
        return None
    if name is None or url is None:
        return None
    return License(name, url)


def declared_metric_ids(document: RawDocument | None) -> dict[str, None]:
    """Every metric id metrics.yaml names, valid or not: references are checked against these,
    so that one broken metric is reported once rather than again at every figure of it."""
    node = document.node if document is not None else None
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): None for key, _ in node.value if isinstance(key, yaml.ScalarNode)}


@dataclass(frozen=True)
class DeclaredRelation:
    """A `related:` entry as written, kept with its checker and node for later messages."""

    check: Checker
    node: yaml.Node
    owner_id: str
    relation: MetricRelation


def validate_metrics(document: RawDocument, errors: list[ContentError]) -> dict[str, Metric]:
    def build(check: Checker) -> dict[str, Metric]:
        metrics: dict[str, Metric] = {}
        node = document.node
        if node is None:  # only comments, as `init` writes it: no metrics yet
            return {}
        if not isinstance(node, yaml.MappingNode):
            check.fail(
                node,
                "metrics.yaml must map metric ids to their fields",
                "e.g. 'civilians-trapped:' then indented label, unit, description, scope, kind",
            )
            return metrics
        declared: list[DeclaredRelation] = []
        known_ids = declared_metric_ids(document)
        seen: set[str] = set()
        for key_node, value_node in node.value:
            metric_id = check.identifier(key_node, "metric id")
            if metric_id is None:
                continue
            if metric_id in seen:
                check.fail(
                    key_node, f"duplicate metric id '{metric_id}'", "each metric is defined once"
                )
                continue
            seen.add(metric_id)
            metric = read_metric(check, metric_id, key_node, value_node, known_ids, declared)
            if metric is not None:
                metrics[metric_id] = metric
        return relate_metrics(metrics, declared)

    return collect(document, errors, build)


def read_metric(
    check: Checker,
    metric_id: str,
    key_node: yaml.Node,
    value_node: yaml.Node,
    known_ids: dict[str, None],
    declared: list[DeclaredRelation],
) -> Metric | None:
    fields = check.mapping(value_node, METRIC_FIELDS, f"metric '{metric_id}'")
    if fields is None:
        return None
    texts = {
        name: check.text(fields[name], name) if name in fields else None
        for name in ("label", "unit", "description", "scope")
    }
    kind = check.choice(fields["kind"], "metric kind", METRIC_KINDS) if "kind" in fields else None
    window = None
    if "window_days" in fields:
        window = check.whole_number(fields["window_days"], "window_days")
        if window is not None and kind is not None and kind != "level":
            check.fail(
                fields["window_days"],
                f"'window_days' applies to levels only; metric '{metric_id}' is a {kind}",
                "remove it: running totals and counts in a period are compared by their periods",
            )
            window = None
    for item in check.sequence(fields["related"], "related") if "related" in fields else []:
        relation = read_relation(check, item, metric_id, known_ids)
        if relation is not None:
            declared.append(DeclaredRelation(check, item, metric_id, relation))
    if None in texts.values() or kind is None or ("window_days" in fields and window is None):
        return None
    return Metric(
        metric_id,
        source=check.source(key_node),
        kind=kind,  # type: ignore[arg-type]
        window_days=window,
        **texts,  # type: ignore[arg-type]
    )


def read_relation(
    check: Checker, node: yaml.Node, metric_id: str, known_ids: dict[str, None]
) -> MetricRelation | None:
    fields = check.mapping(node, RELATED_FIELDS, f"a relation of metric '{metric_id}'")
    if fields is None:
        return None
    other = (
        check.reference(fields["metric"], "metric", known_ids, "metric")
        if "metric" in fields
        else None
    )
    compare = check.boolean(fields["compare"], "compare") if "compare" in fields else None
    if other == metric_id:
        check.fail(fields["metric"], f"metric '{metric_id}' cannot relate to itself", "remove it")
        return None
    if other is None or compare is None:
        return None
    return MetricRelation(other, compare)


def relate_metrics(
    metrics: dict[str, Metric], declared: list[DeclaredRelation]
) -> dict[str, Metric]:
    """Each metric with its relations from both sides; mismatched comparisons are reported."""
    relations: dict[str, dict[str, MetricRelation]] = {metric_id: {} for metric_id in metrics}
    for item in declared:
        owner, other = metrics.get(item.owner_id), metrics.get(item.relation.metric_id)
        if owner is None or other is None:
            continue  # already reported where the metric itself is broken
        if item.relation.compare and not comparable(owner.kind, owner.unit, other):
            item.check.fail(
                item.node,
                f"metric '{owner.metric_id}' ({owner.kind}, {owner.unit}) cannot be compared "
                f"with '{other.metric_id}' ({other.kind}, {other.unit})",
                "compare: true needs the same unit and kind; write compare: false",
            )
            continue
        earlier = relations[other.metric_id].get(owner.metric_id)
        if earlier is not None and earlier.compare != item.relation.compare:
            item.check.fail(
                item.node,
                f"metrics '{owner.metric_id}' and '{other.metric_id}' are related twice, "
                "once with compare: true and once with compare: false",
                "declare the relation on one side only",
            )
            continue
        relations[owner.metric_id][other.metric_id] = item.relation
        relations[other.metric_id][owner.metric_id] = MetricRelation(
            owner.metric_id, item.relation.compare
        )
    return {
        metric_id: replace(
            metric, related=tuple(relations[metric_id][k] for k in sorted(relations[metric_id]))
        )
        for metric_id, metric in metrics.items()
    }


def comparable(kind: MetricKind, unit: str, other: Metric) -> bool:
    return kind == other.kind and unit == other.unit
