"""The content model: frozen dataclasses that every stage after `validate` works with.

Input: nothing (this module only defines types).
Output: `Site`, `Metric`, `Actor`, `Article`, `Event`, `Figure`, `Quote`, `Passage`, `FuzzyDate`,
and their parts (`ComparisonSettings`, `MetricRelation`, `Period`, `Inference`, `Skipped`).

Every class has slots: an archive of 10,000 articles holds over a million of these objects.

Every fact (event, figure, quote) carries the `Passage` it was quoted from: the verbatim text
and its character span in the seed, so that any page can link to the marked sentence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

ActorKind = Literal["person", "state", "government-body", "armed-group", "organisation", "media"]
ACTOR_KINDS: tuple[ActorKind, ...] = (
    "person",
    "state",
    "government-body",
    "armed-group",
    "organisation",
    "media",
)

# English, as `strftime("%B")` gives them in the C locale, without a call per date (render
# writes some 400,000 dates at 10,000 articles).
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
Status = Literal["draft", "published"]
STATUSES: tuple[Status, ...] = ("draft", "published")

Qualifier = Literal["exact", "about", "more-than", "at-least", "up-to"]
QUALIFIERS: tuple[Qualifier, ...] = ("exact", "about", "more-than", "at-least", "up-to")

# What a metric measures decides how its claims are compared (see derive/compare.py):
# a stock at a moment, a cumulative count since a start that cannot fall, or a count over a window.
MetricKind = Literal["level", "running-total", "count-in-period"]
METRIC_KINDS: tuple[MetricKind, ...] = ("level", "running-total", "count-in-period")

PeriodPrecision = Literal["exact", "approximate"]
PERIOD_PRECISIONS: tuple[PeriodPrecision, ...] = ("exact", "approximate")


@dataclass(frozen=True, order=True, slots=True)
class FuzzyDate:
    """A calendar date that may be known only to the month or the year.

    `month` and `day` are None when unknown. `label` is the source's own wording for an
    approximate date ("mid-September", "late summer"), shown instead of the bare month.
    Ordering sorts an approximate date before the exact days of its period.
    """

    year: int
    month: int | None = None
    day: int | None = None
    label: str | None = None

    @property
    def precision(self) -> Literal["day", "month", "year"]:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    @property
    def is_exact(self) -> bool:
        return self.day is not None

    def iso(self) -> str:
        """`2016-12-04`, `2016-09` or `2016`."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def start(self) -> dt.date:
        """The first day of the period, for sorting and for distances between dates."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def sort_key(self) -> tuple[int, int, int, int]:
        return (self.year, self.month or 0, self.day or 0, 0 if self.label is None else 1)

    def human(self) -> str:
        """`4 December 2016`, `September 2016` or `mid-September 2016`."""
        if self.label is not None:
            return f"{self.label} {self.year}" if str(self.year) not in self.label else self.label
        if self.month is None:
            return str(self.year)
        month_name = MONTH_NAMES[self.month - 1]
        if self.day is None:
            return f"{month_name} {self.year}"
        return f"{self.day} {month_name} {self.year}"


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a value came from in the content: file and 1-based line (for error messages)."""

    path: str
    line: int


@dataclass(frozen=True, slots=True)
class ComparisonSettings:
    """How claims are compared: levels further apart than `window_days` describe different
    moments; "about" widens a value by `about_tolerance` (a fraction) either way."""

    window_days: int = 7
    about_tolerance: float = 0.1


@dataclass(frozen=True, slots=True)
class License:
    """The terms the archive's content and data may be reused under."""

    name: str  # "CC BY 4.0"
    url: str  # the licence text, absolute http(s)


@dataclass(frozen=True, slots=True)
class Site:
    title: str
    description: str
    language: str
    base_url: str  # absolute, ends with "/"; used only for feed, sitemap and canonical URLs
    source: SourceRef
    headline_metric: str | None = None  # None: the metric with most claims
    comparison: ComparisonSettings = ComparisonSettings()
    license: License | None = None  # None: no licence is stated, and the pages say so


@dataclass(frozen=True, slots=True)
class MetricRelation:
    """Another metric shown with this one: compared by the rules (`compare`, the same
    population in other words) or only side by side (a different scope)."""

    metric_id: str
    compare: bool


@dataclass(frozen=True, slots=True)
class Metric:
    metric_id: str
    label: str
    unit: str  # "percent", "people", "neighbourhoods", ...
    description: str
    scope: str  # what the metric counts over, e.g. "the besieged east" or "the whole city"
    source: SourceRef
    kind: MetricKind = "level"
    window_days: int | None = None  # levels: overrides the site's comparison window
    related: tuple[MetricRelation, ...] = ()  # symmetric: declared on either side, held on both


@dataclass(frozen=True, slots=True)
class Actor:
    actor_id: str
    name: str
    kind: ActorKind
    aliases: tuple[str, ...]  # surface forms as written in the seeds; `name` is matched too
    part_of: tuple[str, ...]  # actor ids
    summary_md: str
    source: SourceRef
    # Phrases in which an alias names something else ("rural Damascus" is a place, not the
    # government); a mention inside one of them is not linked.
    not_in: tuple[str, ...] = ()
    summary_line: int = 0  # 1-based line of the summary's first line in the file


@dataclass(frozen=True, slots=True)
class Passage:
    """A verbatim span of a seed text: seed[start:end] == text (modulo quote/space folding)."""

    seed: str  # file name under seeds/
    start: int
    end: int
    text: str  # exactly as it stands in the seed


@dataclass(frozen=True, slots=True)
class Period:
    """The window a count covers, resolved from the source's words (`text`).

    A count-in-period figure has both ends; a running total has at most `start` (it counts up
    to its as-of date). `approximate` marks a window such as "in recent days" whose ends are
    the editor's reading, not the source's.
    """

    start: FuzzyDate | None
    end: FuzzyDate | None
    text: str  # the source's words: "over the weekend", "on Wednesday", "in recent days"
    precision: PeriodPrecision = "exact"

    @property
    def is_exact(self) -> bool:
        return self.precision == "exact"


@dataclass(frozen=True, slots=True)
class Inference:
    """Metadata the source does not state: why the editor infers it, with seed passages."""

    reason: str
    evidence: tuple[Passage, ...]


@dataclass(frozen=True, slots=True)
class Skipped:
    """A number or date in the seed deliberately not recorded, and why ("an age, not a count")."""

    passage: Passage
    reason: str
    source: SourceRef


@dataclass(frozen=True, slots=True)
class Event:
    event_id: str  # shared across articles: the same id = one timeline entry
    article_slug: str
    date: FuzzyDate
    title: str
    actor_ids: tuple[str, ...]
    passage: Passage
    source: SourceRef
    place: str | None = None  # where it happened, only as the source states it


@dataclass(frozen=True, slots=True)
class Figure:
    # Unique in the archive and stable under edits: f"{article_slug}-{id}" for an explicit id,
    # else f"{article_slug}-fig-{hash of metric, quote and value}" (see validate_facts).
    figure_id: str
    article_slug: str
    metric_id: str
    low: float  # low == high for a single value
    high: float
    qualifier: Qualifier
    as_of: FuzzyDate
    claimant_id: str | None  # None: unattributed, stated by the outlet itself
    projected: bool  # a forecast ("expect to retake 60 percent"), never a current state
    note: str | None
    passage: Passage
    source: SourceRef
    period: Period | None = None  # count-in-period: its window; running total: since when
    part: str | None = None  # counts a part of the metric's scope: "from one area alone"
    part_of_id: str | None = None  # the figure id of the whole this part belongs to
    vague: str | None = None  # the source's word ("tens of thousands"); low/high hold its bounds

    @property
    def is_range(self) -> bool:
        return self.low != self.high


@dataclass(frozen=True, slots=True)
class Quote:
    quote_id: str  # unique and stable, like `Figure.figure_id`: f"{article_slug}-quote-{hash}"
    article_slug: str
    speaker_id: str
    passage: Passage
    source: SourceRef


@dataclass(frozen=True, slots=True)
class ReviewMarker:
    """A `# REVIEW:` comment left in a fact sheet: a guess an editor has yet to check."""

    source: SourceRef
    note: str  # the text after "REVIEW:"


@dataclass(frozen=True, slots=True)
class Article:
    slug: str  # file stem of content/articles/<slug>.md
    title: str
    outlet: str
    published: FuzzyDate
    seed: str  # file name under seeds/
    # The seed's text, in UTF-8 (`seed_text`): a str holding one character beyond Latin-1
    # (a curly quote) takes 2 bytes for every character, and 10,000 seeds took 55 MB.
    seed_utf8: bytes
    summary_md: str
    events: tuple[Event, ...]
    figures: tuple[Figure, ...]
    quotes: tuple[Quote, ...]
    source: SourceRef
    # A draft is validated like any sheet but left out of the site unless built with --drafts.
    status: Status = "published"
    review_markers: tuple[ReviewMarker, ...] = ()
    summary_line: int = 0  # 1-based line of the summary's first line in the file
    url: str | None = None  # the original article, http(s)
    outlet_inferred: Inference | None = None  # set: the outlet is the editor's inference
    published_inferred: Inference | None = None  # likewise for the publication date
    skipped: tuple[Skipped, ...] = ()

    @property
    def seed_text(self) -> str:
        return self.seed_utf8.decode("utf-8")
