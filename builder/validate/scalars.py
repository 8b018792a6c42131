"""Scalar parsing shared by `validate` and `draft`: dates and numbers, with a reason on failure.

Input: the text of one YAML scalar (or a node, for numbers, whose tag says how YAML read it).
Output: `(value, None)` or `(None, problem)`; the caller adds the file, line and hint.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from types import MappingProxyType

import yaml

from builder.model import FuzzyDate

DATE_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
# The largest figure value accepted: a quadrillion is past any count or sum a news text
# reports, and far below where floats lose whole numbers or chart scaling overflows.
MAX_VALUE = 1e15


def parse_date(text: str, label: str | None = None) -> tuple[FuzzyDate | None, str | None]:
    """`2016-12-04`, `2016-09` or `2016` as a FuzzyDate; impossible dates are refused."""
    match = DATE_PATTERN.match(text.strip())
    if match is None:
        return None, "not a date"
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    if year < 1:
        return None, "impossible date: years run from 1 to 9999, there is no year 0"
    if month is not None and not 1 <= month <= 12:
        return None, f"impossible date: there is no month {month}"
    if month is not None and day is not None:
        days = calendar.monthrange(year, month)[1]
        if not 1 <= day <= days:
            name = calendar.month_name[month]
            return None, f"impossible date: {name} {year} has {days} days"
    return FuzzyDate(year, month, day, label), None


def parse_number(node: yaml.ScalarNode) -> tuple[float | None, str | None]:
    """A YAML number as a float; quoted text such as "52" or 100,000 is refused."""
    if node.tag not in NUMBER_TAGS:
        return None, f"text {node.value!r}"
    try:
        value = float(str(node.value).replace("_", ""))
    except ValueError:
        return None, f"text {node.value!r}"
    if value != value or value in (float("inf"), float("-inf")):
        return None, f"{node.value!r}"
    if value < 0:
        return None, f"a negative number ({node.value})"
    return value, None


# Vague quantities, recorded as the source words them and compared through these inclusive
# bounds. "Tens of thousands" starts at 20,000 because "ten thousand" would be said as such;
# the README documents the same table.
VAGUE_QUANTITIES: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "several": (3, 9),
        "dozens": (24, 99),
        "scores": (40, 99),
        "hundreds": (200, 999),
        "thousands": (2_000, 9_999),
        "tens of thousands": (20_000, 99_999),
        "hundreds of thousands": (200_000, 999_999),
        "millions": (2_000_000, 9_999_999),
    }
)


def parse_vague(text: str) -> tuple[tuple[float, float] | None, str | None]:
    """The bounds of a vague quantity such as "tens of thousands", or a problem."""
    bounds = VAGUE_QUANTITIES.get(" ".join(text.lower().split()))
    if bounds is None:
        return None, f"unknown vague quantity {text!r}"
    return bounds, None


def magnitude_problem(value: float) -> str | None:
    """Why a parsed figure value is out of range, or None (0 to MAX_VALUE is accepted)."""
    if value > MAX_VALUE:
        return f"{value:g} is larger than {MAX_VALUE:g}, the largest value accepted"
    return None


def has_foreign_digits(text: str) -> bool:
    """True when `text` holds digits other than ASCII 0-9 (e.g. Arabic-Indic ٢٠١٦)."""
    return any(character.isdigit() and not character.isascii() for character in text)
