"""Read the values of a figure: its number, range or vague word, and its period.

Input: YAML nodes of one figure, with the article's `Checker` and the figure's metric.
Output: `Bounds` and `Period`; problems are recorded on the checker.

A figure's id hashes its value (`value_key`), so the value's canonical text lives here too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import yaml

from builder.model import PERIOD_PRECISIONS, FuzzyDate, Metric, Period
from builder.validate.fields import PERIOD_FIELDS, Checker
from builder.validate.scalars import VAGUE_QUANTITIES, magnitude_problem, parse_vague

STR_TAG = "tag:yaml.org,2002:str"


def content_hash(*parts: str) -> str:
    """Eight hex digits of the SHA-1 of the parts joined by NUL: stable across builds."""
    return hashlib.sha1("\0".join(parts).encode("utf-8")).hexdigest()[:8]


def value_key(low: float, high: float, vague: str | None) -> str:
    """The value as hashed into a figure id: "275000", "100000-200000" or "tens of thousands"."""
    if vague is not None:
        return vague
    numbers = [str(int(v)) if v == int(v) else repr(v) for v in (low, high)]
    return numbers[0] if low == high else "-".join(numbers)


@dataclass(frozen=True)
class Bounds:
    low: float
    high: float
    vague: str | None = None


def read_value(check: Checker, node: yaml.Node) -> Bounds | None:
    """A number, a [low, high] range, or a vague word with its bounds."""
    if isinstance(node, yaml.SequenceNode):
        if len(node.value) != 2:
            check.fail(node, "a range must have exactly two numbers", "write [low, high]")
            return None
        low, high = (read_number(check, n) for n in node.value)
        if low is None or high is None:
            return None
        if low >= high:
            check.fail(
                node,
                f"range [{low:g}, {high:g}] is not increasing",
                "write [low, high] with low < high",
            )
            return None
        return Bounds(low, high)
    if isinstance(node, yaml.ScalarNode) and node.tag == STR_TAG:
        bounds, _ = parse_vague(str(node.value))
        if bounds is not None:
            return Bounds(*bounds, vague=" ".join(str(node.value).lower().split()))
        if not any(ch.isdigit() for ch in str(node.value)):
            check.fail(
                node,
                f"'value' {node.value!r} is not a number nor a known vague quantity",
                "vague quantities: " + ", ".join(VAGUE_QUANTITIES),
            )
            return None
    number = read_number(check, node)
    return None if number is None else Bounds(number, number)


def read_number(check: Checker, node: yaml.Node) -> float | None:
    value = check.number(node, "value", "write digits without separators, e.g. 100000 or 52.5")
    too_large = None if value is None else magnitude_problem(value)
    if too_large:
        check.fail(node, f"'value' {too_large}", "check the number and its unit")
        return None
    return value


def read_figure_period(
    check: Checker,
    metric: Metric,
    fields: dict[str, yaml.Node],
    node: yaml.Node,
    as_of: FuzzyDate | None,
) -> Period | bool | None:
    """The figure's period as its metric's kind requires; False after a problem."""
    if "period" not in fields:
        if metric.kind == "count-in-period":
            check.fail(
                node,
                f"missing 'period' for a count in a period ('{metric.metric_id}')",
                "add period: with from, to and the source's words in text",
            )
            return False
        return None
    period_node = fields["period"]
    if metric.kind == "level":
        check.fail(
            period_node,
            f"'period' does not apply to '{metric.metric_id}', a level (a stock at one moment)",
            "remove 'period', or make the metric a running-total or count-in-period",
        )
        return False
    period, period_fields = read_period(check, period_node)
    if period is None:
        return False
    if metric.kind == "running-total" and period.end is not None:
        check.fail(
            period_fields["to"],
            f"a running total ('{metric.metric_id}') counts up to its as_of date",
            "remove 'to'; 'from' says since when it counts",
        )
        return False
    if metric.kind == "count-in-period" and period.start is None:
        check.fail(
            period_node,
            "missing 'from' in the period of a count in a period",
            "write the first day counted, YYYY-MM-DD",
        )
        return False
    if metric.kind == "count-in-period" and period.end is None:
        period = Period(period.start, as_of, period.text, period.precision)
    end = period.end
    if period.start is not None and end is not None and end.start() < period.start.start():
        check.fail(
            period_fields["from"],
            f"the period starts ({period.start.iso()}) after as_of ({end.iso()})",
            "write 'to' for the last day counted, or correct 'from'",
        )
        return False
    return period


def read_period(check: Checker, node: yaml.Node) -> tuple[Period | None, dict[str, yaml.Node]]:
    """The period as written, with its field nodes for later messages."""
    errors_before = len(check.errors)
    fields = check.mapping(node, PERIOD_FIELDS, "period")
    if fields is None:
        return None, {}
    start = check.date(fields["from"], "from") if "from" in fields else None
    end = check.date(fields["to"], "to") if "to" in fields else None
    text = check.text(fields["text"], "text") if "text" in fields else None
    precision = (
        check.choice(fields["precision"], "precision", PERIOD_PRECISIONS)
        if "precision" in fields
        else "exact"
    )
    if start is not None and end is not None and end.start() < start.start():
        check.fail(
            fields["to"],
            f"the period ends ({end.iso()}) before it starts ({start.iso()})",
            "swap 'from' and 'to'",
        )
    if len(check.errors) > errors_before or text is None or precision is None:
        return None, fields
    return Period(start, end, text, precision), fields  # type: ignore[arg-type]
