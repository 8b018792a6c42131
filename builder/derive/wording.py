"""Wording shared by the figure views and the comparison reasons: values, dates and periods.

Input: figures, their metric's unit, dates.
Output: display strings: "more than 52%", "tens of thousands of people", "4 Dec",
"over the weekend, 26–27 November 2016".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType

from builder.model import Figure, FuzzyDate, Period, Qualifier

QUALIFIER_WORDS: Mapping[Qualifier, str] = MappingProxyType(
    {
        "exact": "",
        "about": "about",
        "more-than": "more than",
        "at-least": "at least",
        "up-to": "up to",
    }
)

# Vague words that take their unit directly ("several people"); the rest take "of".
VAGUE_WITHOUT_OF = frozenset({"several"})


def possessive(name: str) -> str:
    return f"{name}’" if name.endswith("s") else f"{name}’s"


def format_number(value: float) -> str:
    """`275,000`, `52`, `52.5`: thousands separated, no trailing `.0`."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def format_number_range(low: float, high: float) -> str:
    if low == high:
        return format_number(low)
    return f"{format_number(low)}–{format_number(high)}"


def format_amount(figure: Figure, unit: str | None) -> str:
    """The number (or the source's vague word) with the unit when given: "275,000 people"."""
    if figure.vague is not None:
        if unit is None:
            return figure.vague
        if unit == "percent":
            return f"{figure.vague} percent"
        joiner = " " if figure.vague in VAGUE_WITHOUT_OF else " of "
        return f"{figure.vague}{joiner}{unit}"
    number = format_number_range(figure.low, figure.high)
    if unit == "percent":
        return f"{number}%"
    return f"{number} {unit}" if unit else number


def format_value(figure: Figure, unit: str | None) -> str:
    """Qualifier words, number or vague word, unit: "more than 52%", "about 275,000 people".

    With `unit` None the unit is left out ("about 275,000"), except a percent sign, which
    belongs to the number."""
    amount = format_amount(figure, unit)
    words = QUALIFIER_WORDS[figure.qualifier]
    return f"{words} {amount}" if words else amount


def short_value(figure: Figure, unit: str) -> str:
    """The value as a reason's second mention: the unit only where it is a sign (%)."""
    return format_value(figure, "percent" if unit == "percent" else None)


def short_date(date: FuzzyDate, with_year: bool = False) -> str:
    """`4 Dec`, `4 Dec 2016`, or for a month or year only, `Dec 2016` / `2016`."""
    if date.month is None:
        return str(date.year)
    month = dt.date(date.year, date.month, 1).strftime("%b")
    if date.day is None:
        return f"{month} {date.year}"
    return f"{date.day} {month} {date.year}" if with_year else f"{date.day} {month}"


def weekday_date(date: FuzzyDate) -> str:
    """`Wednesday 7 Dec` for an exact day, else its short form."""
    if not date.is_exact:
        return short_date(date)
    return f"{date.start().strftime('%A')} {short_date(date)}"


def span_text(start: FuzzyDate, end: FuzzyDate, with_year: bool = False) -> str:
    """`7 Dec`, `3–4 Dec`, `28 Nov–4 Dec` (with `with_year`, the year once at the end)."""
    year = f" {end.year}" if with_year else ""
    if start == end:
        return short_date(start) + year
    if start.year == end.year and start.month == end.month and start.day and end.day:
        return f"{start.day}–{short_date(end)}{year}"
    if start.year != end.year:
        return f"{short_date(start, True)}–{short_date(end, True)}"
    return f"{short_date(start)}–{short_date(end)}{year}"


def period_text(period: Period | None) -> str | None:
    """The source's words with the dates they resolve to: "over the weekend, 26–27 Nov 2016";
    a running total's: "since the offensive began, from 15 Nov 2016"."""
    if period is None:
        return None
    if period.start is not None and period.end is not None:
        return f"{period.text}, {span_text(period.start, period.end, with_year=True)}"
    if period.start is not None:
        return f"{period.text}, from {short_date(period.start, True)}"
    return period.text


def days_text(days: int) -> str:
    return f"{days} day{'' if days == 1 else 's'} apart"
