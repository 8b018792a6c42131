"""Figure comparison: every claim per metric, with disagreements flagged and explained.

Input: an `Archive`.
Output: `FigureComparison`, one `MetricComparison` per metric: its claims as display-ready
`ClaimView`s in as-of order, the latest current value, the pairs of claims that disagree, and
the related metrics that are shown side by side but never compared.

Two claims disagree when they are about the SAME metric (scope is part of a metric), both are
current-state claims or both are projections, their as-of dates are exact days at most
`DISAGREEMENT_WINDOW_DAYS` apart, and the intervals their qualifiers imply do not overlap.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from builder.index import Archive
from builder.model import Figure, FuzzyDate, Metric, Qualifier

# Claims further apart than this describe different moments, so a change is not a disagreement.
DISAGREEMENT_WINDOW_DAYS = 7

# The metric the home page charts when the archive has it.
HEADLINE_METRIC_ID = "east-aleppo-government-share"

QUALIFIER_WORDS: Mapping[Qualifier, str] = MappingProxyType(
    {
        "exact": "",
        "about": "about",
        "more-than": "more than",
        "at-least": "at least",
        "up-to": "up to",
    }
)

# "about" is read as within ten percent either way.
ABOUT_TOLERANCE = 0.1


@dataclass(frozen=True)
class Interval:
    """The set of values a claim allows; an open end excludes its bound."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False


@dataclass(frozen=True)
class ClaimView:
    """One figure as every page shows it; URLs are site-relative."""

    figure: Figure
    metric_label: str
    value_text: str  # "more than 52%", "100,000–200,000 people"
    number_text: str  # the value without qualifier or unit: "52", "100,000–200,000"
    claimant_name: str | None
    claimant_url: str | None
    attribution: str  # "Russian defence ministry" or "unattributed (stated by ABC News)"
    reporter_phrase: str  # "ABC News reports the UN’s" or "ABC News states"
    outlet: str
    article_title: str
    article_url: str
    as_of_text: str
    passage_url: str
    figure_url: str
    metric_url: str


@dataclass(frozen=True)
class Disagreement:
    first: ClaimView  # the earlier claim
    second: ClaimView
    reason: str  # "these ranges do not overlap"


@dataclass(frozen=True)
class MetricComparison:
    metric: Metric
    url: str  # the metric's page
    claims: tuple[ClaimView, ...]  # as-of order
    latest: ClaimView | None  # the most recent current-state claim
    disagreements: tuple[Disagreement, ...]
    disputed_ids: tuple[str, ...]  # figure ids that take part in a disagreement
    related_ids: tuple[str, ...]  # metrics shown alongside, never compared


@dataclass(frozen=True)
class FigureComparison:
    metrics: tuple[MetricComparison, ...]  # by metric id
    by_metric: Mapping[str, MetricComparison]
    headline_metric_id: str | None


def compare_figures(archive: Archive) -> FigureComparison:
    """Every metric's claims, latest value, disagreements and related metrics."""
    comparisons = tuple(compare_metric(archive, metric) for metric in archive.metrics.values())
    return FigureComparison(
        metrics=comparisons,
        by_metric=MappingProxyType({c.metric.metric_id: c for c in comparisons}),
        headline_metric_id=choose_headline_metric(archive),
    )


def compare_metric(archive: Archive, metric: Metric) -> MetricComparison:
    claims = tuple(describe_claim(archive, f) for f in archive.figures_by_metric[metric.metric_id])
    current = [c for c in claims if not c.figure.projected]
    disagreements = tuple(
        Disagreement(a, b, reason)
        for a, b in candidate_pairs(claims)
        if (reason := disagreement_reason(a.figure, b.figure)) is not None
    )
    disputed = {d.first.figure.figure_id for d in disagreements}
    disputed |= {d.second.figure.figure_id for d in disagreements}
    return MetricComparison(
        metric=metric,
        url=archive.url_metric(metric.metric_id),
        claims=claims,
        latest=current[-1] if current else None,
        disagreements=disagreements,
        disputed_ids=tuple(sorted(disputed)),
        related_ids=related_metrics(archive, metric),
    )


def candidate_pairs(claims: tuple[ClaimView, ...]) -> Iterator[tuple[ClaimView, ClaimView]]:
    """Pairs of exact-dated claims at most the window apart, earlier first.

    Claims come in as-of order, so each is paired only with the few that follow it within
    the window: linear in the number of claims for a metric reported every day for years.
    """
    exact = [c for c in claims if c.figure.as_of.is_exact]
    for n, first in enumerate(exact):
        start = first.figure.as_of.start()
        for second in exact[n + 1 :]:
            if (second.figure.as_of.start() - start).days > DISAGREEMENT_WINDOW_DAYS:
                break
            yield first, second


def choose_headline_metric(archive: Archive) -> str | None:
    """The headline metric if present, else the one with most claims (ties: by id)."""
    if HEADLINE_METRIC_ID in archive.metrics:
        return HEADLINE_METRIC_ID
    counted = sorted(archive.figures_by_metric.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return counted[0][0] if counted and counted[0][1] else None


def related_metrics(archive: Archive, metric: Metric) -> tuple[str, ...]:
    """Metrics that count the same thing over another scope, in metric-id order."""
    return tuple(
        other.metric_id for other in archive.metrics.values() if metrics_related(metric, other)
    )


def metrics_related(a: Metric, b: Metric) -> bool:
    """Same unit, different scope, and the same id once both scopes' words are removed:
    "east-aleppo-government-share" ~ "aleppo-city-government-share" (scope "the whole city")."""
    if a.metric_id == b.metric_id or a.unit != b.unit or a.scope == b.scope:
        return False
    scope_words = set(a.scope.lower().split()) | set(b.scope.lower().split())
    return id_without(a.metric_id, scope_words) == id_without(b.metric_id, scope_words)


def id_without(metric_id: str, words: set[str]) -> tuple[str, ...]:
    return tuple(part for part in metric_id.split("-") if part not in words)


# ---- intervals and disagreement ---------------------------------------------------------


def claim_interval(figure: Figure) -> Interval:
    """The values a claim allows, by qualifier (a range is read as [low, high])."""
    low, high = figure.low, figure.high
    match figure.qualifier:
        case "about":
            return Interval(low * (1 - ABOUT_TOLERANCE), high * (1 + ABOUT_TOLERANCE))
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


def days_apart(a: FuzzyDate, b: FuzzyDate) -> int | None:
    """Distance in days between two exact dates; None when either is only a month or year."""
    if not (a.is_exact and b.is_exact):
        return None
    return abs((a.start() - b.start()).days)


def disagreement_reason(a: Figure, b: Figure) -> str | None:
    """Why two claims disagree, or None when they are compatible or not comparable."""
    if a.metric_id != b.metric_id or a.projected != b.projected:
        return None
    apart = days_apart(a.as_of, b.as_of)
    if apart is None or apart > DISAGREEMENT_WINDOW_DAYS:
        return None
    if intervals_overlap(claim_interval(a), claim_interval(b)):
        return None
    kinds = "ranges" if a.is_range or b.is_range else "values"
    when = "on the same day" if apart == 0 else f"{apart} day{'s' if apart > 1 else ''} apart"
    return f"these {kinds} do not overlap, though they describe dates {when}"


# ---- display -----------------------------------------------------------------------------


def describe_claim(archive: Archive, figure: Figure) -> ClaimView:
    """Display strings and links for one figure."""
    metric = archive.metrics[figure.metric_id]
    article = archive.article_by_slug[figure.article_slug]
    claimant = archive.actors[figure.claimant_id] if figure.claimant_id else None
    if claimant is None:
        attribution = f"unattributed (stated by {article.outlet})"
        reporter_phrase = f"{article.outlet} states"
    else:
        attribution = claimant.name
        reporter_phrase = f"{article.outlet} reports {possessive(claimant.name)}"
    return ClaimView(
        figure=figure,
        metric_label=metric.label,
        value_text=format_value(figure, metric.unit),
        number_text=format_number_range(figure.low, figure.high),
        claimant_name=claimant.name if claimant else None,
        claimant_url=archive.url_actor(claimant.actor_id) if claimant else None,
        attribution=attribution,
        reporter_phrase=reporter_phrase,
        outlet=article.outlet,
        article_title=article.title,
        article_url=archive.url_article(article.slug),
        as_of_text=figure.as_of.human(),
        passage_url=archive.url_passage(article.slug, figure.passage),
        figure_url=archive.url_figure(figure),
        metric_url=archive.url_metric(metric.metric_id),
    )


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


def format_value(figure: Figure, unit: str) -> str:
    """Qualifier words, number or range, unit: "more than 52%", "about 275,000 people"."""
    number = format_number_range(figure.low, figure.high)
    amount = f"{number}%" if unit == "percent" else f"{number} {unit}".rstrip()
    words = QUALIFIER_WORDS[figure.qualifier]
    return f"{words} {amount}" if words else amount
