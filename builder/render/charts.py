"""Charts: one metric's claims over time as an accessible inline SVG (no JavaScript).

Input: a `MetricComparison`.
Output: `Markup` of a <figure> holding an <svg role="img"> with <title> and <desc>, a legend
of claimants and a key to the marks. Dates run along x, values up y; each claimant has its
own shape and colour class (`s0`..`s5`, coloured by site.css for light and dark mode).

Readable at any number of claims: at most `MAX_SERIES` series (the claimants with most
claims, then one for all others), and past `MAX_POINTS` claims each series is aggregated by
week, month, quarter or year (the shortest that gives at most `MAX_BUCKETS` per series): a
mark at the median, a band from the lowest to the highest bound, a line joining them. The
table next to the chart lists every claim.

The marks say how exact a claim is: a range or a vague quantity ("thousands") is a band
between its bounds; "about" is a whisker over the values it allows; "more than"/"at least"
is a dashed line upwards and "up to" a dashed line down to zero. A projection is hollow, and
a disputed claim (one side of a flagged disagreement) is ringed. The key lists the marks the
chart uses. The data table sits next to the chart in the page.
Output is a pure function of the input: fixed sizes, fixed number formats, no randomness.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup, escape

from builder.derive.figures import ClaimView, MetricComparison, claim_interval, format_number

WIDTH, HEIGHT = 560, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 24, 16, 44
SERIES_CLASSES = 6  # colour classes in site.css; shapes repeat with them
SHAPES = ("circle", "square", "triangle", "diamond", "down", "cross")
MARKER = 6
BAND_HALF_WIDTH = 5
WHISKER_HALF_WIDTH = 5
RING = MARKER + 4  # the radius of the ring around a disputed claim

MAX_SERIES = SERIES_CLASSES  # the last one gathers every other claimant when there are more
OTHER_CLAIMANTS = "all other claimants"
MAX_POINTS = 60  # claims drawn one by one up to this many
MAX_BUCKETS = 40  # periods per series once aggregated
# (name, days): the aggregation periods, shortest first; months and longer follow the calendar.
PERIODS = (("week", 7), ("month", 31), ("quarter", 92), ("year", 366))
AGGREGATE_MARKER = 4.5

MarkKind = Literal["band", "whisker", "open-up", "open-down", "projected", "disputed"]
# The key, in this order; each entry shows its mark and says what it means.
MARK_KEY: tuple[tuple[MarkKind, str], ...] = (
    ("band", "band: a range, or a vague quantity such as “thousands”, between its bounds"),
    ("whisker", "whisker: “about”, the values it allows either way"),
    ("open-up", "dashed line up: “more than” or “at least”"),
    ("open-down", "dashed line down: “up to”"),
    ("projected", "hollow mark: a projection, not a present state"),
    ("disputed", "ringed mark: disputed, one side of a flagged disagreement"),
)


@dataclass(frozen=True)
class Scale:
    """A linear map from data to pixels."""

    lo: float
    hi: float
    px_lo: float
    px_hi: float

    def __call__(self, value: float) -> float:
        span = self.hi - self.lo or 1.0
        return self.px_lo + (value - self.lo) / span * (self.px_hi - self.px_lo)


def render_chart(comparison: MetricComparison) -> Markup:
    """The metric's chart, or a short note when it has no claims."""
    claims = comparison.claims
    metric = comparison.metric
    if not claims:
        return Markup('<p class="chart-empty">No claims to chart yet.</p>')
    series = claimant_series(claims)
    x = date_scale(claims)
    y = value_scale(claims, metric.unit)
    disputed = frozenset(comparison.disputed_ids)
    base_id = f"chart-{metric.metric_id}"
    period = aggregation_period(claims)
    if period is None:
        drawn = [
            draw_claim(
                c, series_index(series, c), x, y, disputed, others_class(series_of(series, c))
            )
            for c in claims
        ]
        used = {kind for c in claims for kind in mark_kinds(c, disputed)}
    else:
        drawn = draw_aggregates(aggregate(claims, series, period), x, y)
        used = set()
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{base_id}-title {base_id}-desc">',
        f'<title id="{base_id}-title">{escape(metric.label)} over time</title>',
        f'<desc id="{base_id}-desc">{escape(describe_chart(comparison, period))}</desc>',
        *y_axis(y, metric.unit),
        *x_axis(x),
        *drawn,
        "</svg>",
    ]
    return Markup(
        '<figure class="chart-figure">\n'
        + "\n".join(parts)
        + "\n<figcaption>"
        + legend(series)
        + aggregation_note(period)
        + mark_key(base_id, [entry for entry in MARK_KEY if entry[0] in used])
        + "</figcaption>\n</figure>"
    )


def claimant_series(claims: tuple[ClaimView, ...]) -> list[str]:
    """One series per claimant (or per unattributed outlet), in order of first claim; past
    `MAX_SERIES`, the claimants with most claims and one series for all the others."""
    in_order = list(dict.fromkeys(c.attribution for c in claims))
    if len(in_order) <= MAX_SERIES:
        return in_order
    counts = Counter(c.attribution for c in claims)
    top = set(sorted(in_order, key=lambda a: -counts[a])[: MAX_SERIES - 1])  # stable on ties
    return [a for a in in_order if a in top] + [OTHER_CLAIMANTS]


def series_of(series: list[str], claim: ClaimView) -> str:
    return series[series_index(series, claim)]


def series_index(series: list[str], claim: ClaimView) -> int:
    """The claim's series: its claimant's, else the last (all other claimants)."""
    try:
        return series.index(claim.attribution)
    except ValueError:
        return len(series) - 1


@dataclass(frozen=True)
class Bucket:
    """The claims of one series in one period, drawn as one mark."""

    series: int
    series_name: str
    start: dt.date
    end: dt.date  # the period's last day
    count: int
    low: float
    high: float
    median: float  # of the claims' midpoints


def aggregation_period(claims: tuple[ClaimView, ...]) -> tuple[str, int] | None:
    """None when every claim is drawn; else the shortest period giving few enough marks."""
    if len(claims) <= MAX_POINTS:
        return None
    days = [c.figure.as_of.start().toordinal() for c in claims]
    span = max(days) - min(days) + 1
    return next((p for p in PERIODS if span / p[1] <= MAX_BUCKETS), PERIODS[-1])


def period_start(date: dt.date, period: tuple[str, int]) -> dt.date:
    name = period[0]
    if name == "week":
        return date - dt.timedelta(days=date.weekday())
    if name == "month":
        return date.replace(day=1)
    if name == "quarter":
        return dt.date(date.year, (date.month - 1) // 3 * 3 + 1, 1)
    return dt.date(date.year, 1, 1)


def period_end(start: dt.date, period: tuple[str, int]) -> dt.date:
    name = period[0]
    if name == "week":
        return start + dt.timedelta(days=6)
    months = {"month": 1, "quarter": 3}.get(name, 12)
    following = start.month - 1 + months
    return dt.date(start.year + following // 12, following % 12 + 1, 1) - dt.timedelta(days=1)


def aggregate(
    claims: tuple[ClaimView, ...], series: list[str], period: tuple[str, int]
) -> list[Bucket]:
    """The claims grouped by series and period, in series then date order."""
    groups: dict[tuple[int, dt.date], list[ClaimView]] = {}
    for claim in claims:
        start = period_start(claim.figure.as_of.start(), period)
        groups.setdefault((series_index(series, claim), start), []).append(claim)
    return [
        Bucket(
            index,
            series[index],
            start,
            period_end(start, period),
            len(group),
            min(c.figure.low for c in group),
            max(c.figure.high for c in group),
            statistics.median((c.figure.low + c.figure.high) / 2 for c in group),
        )
        for (index, start), group in sorted(groups.items())
    ]


def draw_aggregates(buckets: list[Bucket], x: Scale, y: Scale) -> list[str]:
    """Per series: a line through the medians, then each period's band and mark."""
    lines = []
    indices = sorted({b.series for b in buckets})
    for index in sorted(
        indices, key=lambda i: not others_class(buckets_of(buckets, i)[0].series_name)
    ):
        own = buckets_of(buckets, index)
        points = [(x(min(max(middle(b), x.lo), x.hi)), y(min(b.median, y.hi))) for b in own]
        if len(points) > 1:
            coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            trend = f"trend t{index % SERIES_CLASSES}" + others_class(own[0].series_name)
            lines.append(f'<polyline class="{trend}" points="{coords}"/>')
        for bucket, (px, py) in zip(own, points, strict=True):
            label = (
                f"{bucket.series_name}: {bucket.count} claim{'s' if bucket.count != 1 else ''}"
                f" from {bucket.start:%-d %b %Y} to {bucket.end:%-d %b %Y}, median "
                f"{format_number(bucket.median)}, from {format_number(bucket.low)} to "
                f"{format_number(bucket.high)}"
            )
            shape = SHAPES[index % len(SHAPES)]
            box = band(px, y(bucket.low), y(min(bucket.high, y.hi)), 3) if bucket.count > 1 else ""
            lines.append(
                f'<g class="point s{index % SERIES_CLASSES}{others_class(bucket.series_name)}">'
                f"<title>{escape(label)}</title>"
                f"{box}{marker(shape, px, py, AGGREGATE_MARKER)}</g>"
            )
    return lines


def buckets_of(buckets: list[Bucket], series: int) -> list[Bucket]:
    return [b for b in buckets if b.series == series]


def others_class(series_name: str) -> str:
    """The series of all other claimants is drawn muted, behind the named claimants."""
    return " others" if series_name == OTHER_CLAIMANTS else ""


def middle(bucket: Bucket) -> float:
    return (bucket.start.toordinal() + bucket.end.toordinal()) / 2


def aggregation_note(period: tuple[str, int] | None) -> str:
    if period is None:
        return ""
    return (
        f'<p class="chart-note">Too many claims to draw one by one: each mark is the median of '
        f"a claimant’s claims in one {period[0]}, its band runs from the lowest to the highest "
        f"value they allow, and a line joins the {period[0]}s. The table lists every claim.</p>"
    )


def describe_chart(comparison: MetricComparison, period: tuple[str, int] | None = None) -> str:
    claims = comparison.claims
    first, last = claims[0].as_of_text, claims[-1].as_of_text
    lows = [c.figure.low for c in claims]
    highs = [c.figure.high for c in claims]
    unit = comparison.metric.unit
    return (
        f"{len(claims)} claim{'s' if len(claims) != 1 else ''} from {first} to {last}, "
        f"with values from {format_number(min(lows))} to {format_number(max(highs))} {unit}. "
        f"{len(comparison.disagreements)} disagreement(s) flagged. "
        + (f"Claims are shown as each claimant's median per {period[0]}. " if period else "")
        + "The table lists every claim."
    )


def date_scale(claims: tuple[ClaimView, ...]) -> Scale:
    days = [c.figure.as_of.start().toordinal() for c in claims]
    # A day of padding either side keeps the first and last points off the axes.
    return Scale(min(days) - 1, max(days) + 1, LEFT + 8, WIDTH - RIGHT)


def value_scale(claims: tuple[ClaimView, ...], unit: str) -> Scale:
    if unit == "percent":
        top = 100.0
    else:
        finite = [v for c in claims for v in (c.figure.low, c.figure.high)]
        top = nice_ceiling(max(finite) * 1.15)
    return Scale(0.0, top, HEIGHT - BOTTOM, TOP)


def nice_ceiling(value: float) -> float:
    """The next 1, 1.2, 1.6, 2, 4, 5 or 8 times a power of ten at or above `value` (quarters
    stay round: 30k, 40k, ...); 1.2 and 1.6 keep a top just past a power of ten from leaving
    half the chart empty."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.6, 2, 4, 5, 8, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)


def y_axis(y: Scale, unit: str) -> list[str]:
    suffix = "%" if unit == "percent" else ""
    lines = [
        f'<g class="axis y-axis"><line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}"/>'
    ]
    for n in range(5):
        value = y.hi * n / 4
        py = y(value)
        lines.append(
            f'<line class="grid" x1="{LEFT}" y1="{py:.1f}" x2="{WIDTH - RIGHT}" y2="{py:.1f}"/>'
            f'<text x="{LEFT - 6}" y="{py + 4:.1f}" text-anchor="end">'
            f"{escape(short_number(value))}{suffix}</text>"
        )
    lines.append("</g>")
    return lines


def short_number(value: float) -> str:
    """Axis labels: 200000 -> "200k", 1500000 -> "1.5M"."""
    for limit, letter in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{format_number(round(value / limit, 1))}{letter}"
    return format_number(round(value, 1))


def x_axis(x: Scale) -> list[str]:
    base = HEIGHT - BOTTOM
    lines = [
        f'<g class="axis x-axis"><line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}"/>'
    ]
    first, last = int(x.lo) + 1, int(x.hi) - 1
    years = year_ticks(first, last)
    count = min(4, last - first + 1)
    ticks = years or sorted(
        {first + round(n * (last - first) / max(count - 1, 1)) for n in range(count)}
    )
    previous_year = None
    for ordinal in ticks:
        px = x(ordinal)
        # The last label ends at its tick, so that it is never clipped at the right edge.
        anchor = "end" if ordinal == ticks[-1] and len(ticks) > 1 else "middle"
        date = dt.date.fromordinal(ordinal)
        # Short labels ("4 Dec"); the year only where it starts or changes; over years, the
        # year alone at each 1 January.
        label = f"{date.day} {date:%b}" + (f" {date.year}" if date.year != previous_year else "")
        if years:
            label, anchor = str(date.year), "middle"
        previous_year = date.year
        lines.append(
            f'<line x1="{px:.1f}" y1="{base}" x2="{px:.1f}" y2="{base + 5}"/>'
            f'<text x="{px:.1f}" y="{base + 24}" text-anchor="{anchor}">{label}</text>'
        )
    lines.append("</g>")
    return lines


def year_ticks(first: int, last: int) -> list[int]:
    """Over more than two years: 1 January of every year (or every other, ...) in the span,
    at most six; else none."""
    start, end = dt.date.fromordinal(first), dt.date.fromordinal(last)
    if last - first <= 2 * 365:
        return []
    years = list(range(start.year + 1, end.year + 1))
    step = -(-len(years) // 6)
    return [dt.date(year, 1, 1).toordinal() for year in years[::step]]


def mark_kinds(claim: ClaimView, disputed: Collection[str]) -> tuple[MarkKind, ...]:
    """The marks that say how exact a claim is (see `MARK_KEY`)."""
    figure = claim.figure
    kinds: list[MarkKind] = []
    if figure.is_range:
        kinds.append("band")
    if figure.qualifier == "about":
        kinds.append("whisker")
    elif figure.qualifier in ("more-than", "at-least"):
        kinds.append("open-up")
    elif figure.qualifier == "up-to":
        kinds.append("open-down")
    if figure.projected:
        kinds.append("projected")
    if figure.figure_id in disputed:
        kinds.append("disputed")
    return tuple(kinds)


def draw_claim(
    claim: ClaimView,
    index: int,
    x: Scale,
    y: Scale,
    disputed: Collection[str],
    extra_class: str = "",
) -> str:
    figure = claim.figure
    kinds = mark_kinds(claim, disputed)
    classes = " ".join(
        [f"point s{index % SERIES_CLASSES}{extra_class}"]
        + [k for k in kinds if k in ("projected", "disputed")]
    )
    px = x(figure.as_of.start().toordinal())
    interval = claim_interval(figure)
    low_px, high_px = y(max(interval.low, y.lo)), y(min(interval.high, y.hi))
    marks = []
    if "band" in kinds:
        marks.append(band(px, y(figure.low), y(figure.high)))
    if "whisker" in kinds:
        marks.append(whisker(px, low_px, high_px))
    if "open-up" in kinds or "open-down" in kinds:
        marks.append(f'<line class="bar open" {vertical(px, low_px, high_px)}/>')
    centre = y((figure.low + figure.high) / 2)
    if "disputed" in kinds:
        marks.append(f'<circle class="ring" cx="{px:.1f}" cy="{centre:.1f}" r="{RING}"/>')
    label = f"{claim.attribution}: {claim.value_text}, {claim.as_of_text} ({claim.outlet})"
    if figure.projected:
        label += ", projected"
    if "disputed" in kinds:
        label += ", disputed"
    return (
        f'<g class="{classes}"><title>{escape(label)}</title>{"".join(marks)}'
        f"{marker(SHAPES[index % len(SHAPES)], px, centre)}</g>"
    )


def vertical(px: float, low_px: float, high_px: float) -> str:
    return f'x1="{px:.1f}" y1="{low_px:.1f}" x2="{px:.1f}" y2="{high_px:.1f}"'


def band(px: float, low_px: float, high_px: float, half: float = BAND_HALF_WIDTH) -> str:
    """A translucent box between the bounds (pixel y grows downwards: high_px < low_px)."""
    return (
        f'<rect class="band" x="{px - half:.1f}" y="{high_px:.1f}" '
        f'width="{2 * half:.1f}" height="{max(low_px - high_px, 1.0):.1f}"/>'
    )


def whisker(px: float, low_px: float, high_px: float, half: float = WHISKER_HALF_WIDTH) -> str:
    """A vertical line with a short cap at each end."""
    caps = "".join(
        f'<line class="cap" x1="{px - half:.1f}" y1="{py:.1f}" x2="{px + half:.1f}" y2="{py:.1f}"/>'
        for py in (low_px, high_px)
    )
    return f'<g class="whisker"><line class="bar" {vertical(px, low_px, high_px)}/>{caps}</g>'


def marker(shape: str, cx: float, cy: float, size: float = MARKER) -> str:
    """A marker centred on (cx, cy)."""
    s = size
    if shape == "circle":
        return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{s:.1f}"/>'
    if shape == "square":
        return f'<rect x="{cx - s:.1f}" y="{cy - s:.1f}" width="{2 * s:.1f}" height="{2 * s:.1f}"/>'
    points = {
        "triangle": [(0, -s * 1.2), (s * 1.1, s * 0.8), (-s * 1.1, s * 0.8)],
        "down": [(0, s * 1.2), (s * 1.1, -s * 0.8), (-s * 1.1, -s * 0.8)],
        "diamond": [(0, -s * 1.3), (s * 1.3, 0), (0, s * 1.3), (-s * 1.3, 0)],
        "cross": [(-s, -s / 3), (-s / 3, -s / 3), (-s / 3, -s), (s / 3, -s), (s / 3, -s / 3),
                  (s, -s / 3), (s, s / 3), (s / 3, s / 3), (s / 3, s), (-s / 3, s),
                  (-s / 3, s / 3), (-s, s / 3)],
    }[shape]  # fmt: skip
    coords = " ".join(f"{cx + dx:.1f},{cy + dy:.1f}" for dx, dy in points)
    return f'<polygon points="{coords}"/>'


def legend(series: list[str]) -> str:
    """Who claimed what: one shape and colour per claimant."""
    items = [
        legend_item(
            f"point s{n % SERIES_CLASSES}{others_class(name)}",
            marker(SHAPES[n % len(SHAPES)], 8, 8, 5),
            name,
        )
        for n, name in enumerate(series)
    ]
    return '<ul class="chart-legend">' + "".join(items) + "</ul>"


def mark_key(base_id: str, entries: list[tuple[MarkKind, str]]) -> str:
    """What the marks mean, for the marks this chart uses."""
    if not entries:
        return ""
    items = [legend_item(f"key-{kind}", key_symbol(kind), text) for kind, text in entries]
    return (
        f'<p class="chart-key-heading" id="{base_id}-key">Key to the marks</p>'
        f'<ul class="chart-key" aria-labelledby="{base_id}-key">' + "".join(items) + "</ul>"
    )


def key_symbol(kind: MarkKind) -> str:
    """The mark as drawn on the chart, in a 16×16 box."""
    if kind == "band":
        return band(8, 15, 1, 4)
    if kind == "whisker":
        return whisker(8, 15, 1, 4) + marker("circle", 8, 8, 3)
    if kind == "open-up":
        return f'<line class="bar open" {vertical(8, 8, 0)}/>' + marker("circle", 8, 12, 3)
    if kind == "open-down":
        return f'<line class="bar open" {vertical(8, 8, 16)}/>' + marker("circle", 8, 4, 3)
    if kind == "projected":
        return marker("circle", 8, 8, 5)
    return '<circle class="ring" cx="8" cy="8" r="7"/>' + marker("circle", 8, 8, 3)


def legend_item(symbol_class: str, symbol: str, label: str) -> str:
    return (
        f'<li><svg class="legend-symbol {symbol_class}" width="16" height="16" '
        f'viewBox="0 0 16 16" aria-hidden="true">{symbol}</svg>{escape(label)}</li>'
    )
