"""The comparison rules: whether two claims can both hold, by the kind of their metric.

Input: two figures (the earlier first), their metrics and the site's `ComparisonSettings`.
Output: a `Finding` (severity, rule and a reason in plain words naming the rule, with both
values and dates) or None when the claims are compatible or not comparable.

- Projections are never compared with present claims.
- level: claims at most the window apart whose intervals (widened by their qualifiers; vague
  words by their bounds) are disjoint conflict; intervals meeting at one point are in tension.
- running-total: it cannot fall; a later interval entirely below an earlier one conflicts
  (only when both count from the same start, or a start is unknown).
- count-in-period: compared as levels over the same window; a count over a window inside
  another cannot exceed it (a tension when that nesting rests on an approximate window).
  Counts over other windows are not compared.
- part-of-whole: a part ("from one area alone") cannot exceed the whole over the same window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from builder.derive.wording import (
    days_text,
    format_number,
    format_value,
    short_date,
    short_value,
    span_text,
    weekday_date,
)
from builder.model import ComparisonSettings, Figure, FuzzyDate, Metric, Period

Severity = Literal["conflict", "tension"]
Rule = Literal["level", "running-total", "same-window", "nested-window", "part-of-whole"]
SEVERITY_ORDER: dict[Severity, int] = {"conflict": 0, "tension": 1}


@dataclass(frozen=True, slots=True)
class Finding:
    severity: Severity
    rule: Rule
    reason: str


@dataclass(frozen=True, slots=True)
class Interval:
    """The set of values a claim allows; an open end excludes its bound."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False

    @property
    def is_point(self) -> bool:
        return self.low == self.high


@dataclass(frozen=True, slots=True)
class Window:
    """A count's window as exact days, with whether the source's words fix it exactly."""

    start: FuzzyDate
    end: FuzzyDate
    period: Period

    def contains(self, other: Window) -> bool:
        return self.start.start() <= other.start.start() and other.end.start() <= self.end.start()

    def same_days(self, other: Window) -> bool:
        return self.start == other.start and self.end == other.end


def claim_interval(figure: Figure, about_tolerance: float = 0.1) -> Interval:
    """The values a claim allows, by qualifier (a range or vague word reads as [low, high])."""
    low, high = figure.low, figure.high
    match figure.qualifier:
        case "about":
            return Interval(low * (1 - about_tolerance), high * (1 + about_tolerance))
        case "more-than":
            return Interval(low, math.inf, low_open=True)
        case "at-least":
            return Interval(low, math.inf)
        case "up-to":
            return Interval(0.0, high)
        case _:
            return Interval(low, high)


def intervals_overlap(a: Interval, b: Interval) -> bool:
    low = max(a.low, b.low)
    high = min(a.high, b.high)
    if low < high:
        return True
    if low > high:
        return False
    # They touch at one point: it belongs to both only if neither interval excludes it.
    low_open = (a.low_open and a.low == low) or (b.low_open and b.low == low)
    high_open = (a.high_open and a.high == high) or (b.high_open and b.high == high)
    return not (low_open or high_open)


def meeting_point(a: Interval, b: Interval) -> float | None:
    """The one value two ranges share, when they share exactly one at their ends.

    A single value at the end of a range is no tension ("100,000" fits "100,000–200,000"):
    both claims must allow more than that one value."""
    if a.is_point or b.is_point or not intervals_overlap(a, b):
        return None
    low, high = max(a.low, b.low), min(a.high, b.high)
    return low if low == high else None


def entirely_below(a: Interval, b: Interval) -> bool:
    """Every value `a` allows is below every value `b` allows."""
    return a.high < b.low or (a.high == b.low and (a.high_open or b.low_open))


def days_apart(a: FuzzyDate, b: FuzzyDate) -> int | None:
    """Distance in days between two exact dates; None when either is only a month or year."""
    if not (a.is_exact and b.is_exact):
        return None
    return abs((a.start() - b.start()).days)


def window_of(figure: Figure) -> Window | None:
    """A count's window when both of its ends are exact days."""
    period = figure.period
    if period is None or period.start is None or period.end is None:
        return None
    if not (period.start.is_exact and period.end.is_exact):
        return None
    return Window(period.start, period.end, period)


@dataclass(frozen=True, slots=True)
class Judge:
    """Applies the rules with the site's settings; `unit`/`scope` word the reasons."""

    settings: ComparisonSettings

    def compare(self, a: Figure, b: Figure, ma: Metric, mb: Metric) -> Finding | None:
        """The finding on two claims of one metric, or of two metrics compared by relation.

        `a` is the earlier claim (by as-of date, then figure id)."""
        if a.projected != b.projected:
            return None
        if (a.part is None) != (b.part is None):
            part, whole = (a, b) if a.part is not None else (b, a)
            mpart, mwhole = (ma, mb) if a.part is not None else (mb, ma)
            return self.part_of_whole(part, whole, mpart, mwhole)
        if a.part is not None:
            return None  # two parts may be different parts
        match ma.kind:
            case "level":
                return self.level(a, b, ma, mb)
            case "running-total":
                return self.running_total(a, b, ma)
            case _:
                return self.counts(a, b, ma)

    def interval(self, figure: Figure) -> Interval:
        return claim_interval(figure, self.settings.about_tolerance)

    def window_days(self, metric: Metric) -> int:
        return metric.window_days if metric.window_days is not None else self.settings.window_days

    # ---- levels ---------------------------------------------------------------------------

    def level(self, a: Figure, b: Figure, ma: Metric, mb: Metric) -> Finding | None:
        apart = days_apart(a.as_of, b.as_of)
        if apart is None or apart > min(self.window_days(ma), self.window_days(mb)):
            return None
        ia, ib = self.interval(a), self.interval(b)
        pair = dated_pair(a, b, ma.unit, apart)
        if not intervals_overlap(ia, ib):
            return Finding("conflict", "level", f"these estimates cannot both hold: {pair}")
        point = meeting_point(ia, ib)
        if point is not None:
            at = point_text(point, ma.unit)
            return Finding("tension", "level", f"these ranges meet only at {at}: {pair}")
        return None

    # ---- running totals -------------------------------------------------------------------

    def running_total(self, a: Figure, b: Figure, metric: Metric) -> Finding | None:
        if not (a.as_of.is_exact and b.as_of.is_exact):
            return None
        start_a = a.period.start if a.period else None
        start_b = b.period.start if b.period else None
        if start_a is not None and start_b is not None and start_a != start_b:
            return None  # totals since different starts
        if a.as_of == b.as_of:
            return self.level(a, b, metric, metric)  # one moment: two estimates of one total
        if not entirely_below(self.interval(b), self.interval(a)):
            return None
        first = f"{format_value(a, metric.unit)} on {short_date(a.as_of)}"
        second = f"{short_value(b, metric.unit)} on {short_date(b.as_of)}"
        return Finding(
            "conflict", "running-total", f"a running total cannot fall: {first}, {second}"
        )

    # ---- counts in a period ---------------------------------------------------------------

    def counts(self, a: Figure, b: Figure, metric: Metric) -> Finding | None:
        wa, wb = window_of(a), window_of(b)
        if wa is None or wb is None:
            return None
        ia, ib = self.interval(a), self.interval(b)
        if wa.same_days(wb):
            both = f"both {wa.period.text} ({span_text(wa.start, wa.end)})"
            pair = f"{format_value(a, metric.unit)} and {short_value(b, metric.unit)}, {both}"
            if not intervals_overlap(ia, ib):
                reason = f"counts over the same period cannot both hold: {pair}"
                return Finding("conflict", "same-window", reason)
            point = meeting_point(ia, ib)
            if point is not None:
                at = point_text(point, metric.unit)
                return Finding("tension", "same-window", f"these counts meet only at {at}: {pair}")
            return None
        if wa.contains(wb) or wb.contains(wa):
            inner, outer = (b, a) if wa.contains(wb) else (a, b)
            inner_window, outer_window = (wb, wa) if wa.contains(wb) else (wa, wb)
            if not entirely_below(self.interval(outer), self.interval(inner)):
                return None
            reason = (
                "a count within a period cannot exceed the count for the whole period: "
                f"{counted(inner, metric.unit, inner_window)} vs "
                f"{counted(outer, metric.unit, outer_window, first=False)}"
            )
            return self.nested_finding("nested-window", reason, inner_window, outer_window)
        return None

    def nested_finding(self, rule: Rule, reason: str, inner: Window, outer: Window) -> Finding:
        """A conflict when both windows are exact; else a tension naming the assumption."""
        assumption = nesting_assumption(inner, outer)
        if assumption is None:
            return Finding("conflict", rule, reason)
        return Finding("tension", rule, f"{reason}; a conflict only if {assumption}")

    # ---- parts and wholes -----------------------------------------------------------------

    def part_of_whole(
        self, part: Figure, whole: Figure, mpart: Metric, mwhole: Metric
    ) -> Finding | None:
        if not entirely_below(self.interval(whole), self.interval(part)):
            return None
        unit = mpart.unit
        whole_words = f"in all of {mwhole.scope}"
        if mpart.kind == "count-in-period":
            wp, ww = window_of(part), window_of(whole)
            if wp is None or ww is None or not ww.contains(wp):
                return None
            reason = (
                f"a part cannot exceed the whole: {counted(part, unit, wp)} vs "
                f"{short_value(whole, unit)} {whole_words} {window_words(ww)}"
            )
            return self.nested_finding("part-of-whole", reason, wp, ww)
        apart = days_apart(part.as_of, whole.as_of)
        if apart is None:
            return None
        if mpart.kind == "level" and apart > self.window_days(mpart):
            return None
        if mpart.kind == "running-total" and part.as_of.start() > whole.as_of.start():
            return None  # a total grows: a later part may exceed an earlier whole
        reason = (
            f"a part cannot exceed the whole: {format_value(part, unit)} {part.part} "
            f"on {short_date(part.as_of)} vs {short_value(whole, unit)} {whole_words} "
            f"on {short_date(whole.as_of)}"
        )
        return Finding("conflict", "part-of-whole", reason)


def dated_pair(a: Figure, b: Figure, unit: str, apart: int) -> str:
    """ "about 275,000 people on 27 Nov and 100,000–200,000 on 4 Dec, 7 days apart"."""
    first, second = format_value(a, unit), short_value(b, unit)
    if apart == 0:
        return f"{first} and {second}, both on {short_date(a.as_of)}"
    return (
        f"{first} on {short_date(a.as_of)} and {second} on {short_date(b.as_of)}, "
        f"{days_text(apart)}"
    )


def counted(figure: Figure, unit: str, window: Window, first: bool = True) -> str:
    """ "14 people on Wednesday (7 Dec)": value (with the unit on first mention), the part if
    any, and the source's words for the window with the days they resolve to."""
    value = format_value(figure, unit) if first else short_value(figure, unit)
    part = f" {figure.part}" if figure.part else ""
    return f"{value}{part} {window_words(window)}"


def window_words(window: Window) -> str:
    """ "over the weekend (26–27 Nov)"."""
    return f"{window.period.text} ({span_text(window.start, window.end)})"


def point_text(point: float, unit: str) -> str:
    return f"{format_number(point)}%" if unit == "percent" else format_number(point)


def nesting_assumption(inner: Window, outer: Window) -> str | None:
    """What must hold for the inner window to lie inside the outer one, when either window is
    the editor's reading of approximate words; None when both are exact."""
    inner_exact, outer_exact = inner.period.is_exact, outer.period.is_exact
    if inner_exact and outer_exact:
        return None
    if inner_exact:
        days = (
            weekday_date(inner.start)
            if inner.start == inner.end
            else span_text(inner.start, inner.end)
        )
        return f"'{outer.period.text}' includes {days}"
    if outer_exact:
        return f"'{inner.period.text}' falls within {span_text(outer.start, outer.end)}"
    return f"'{inner.period.text}' falls within '{outer.period.text}'"
