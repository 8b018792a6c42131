"""Figure comparison: every claim per metric, with disagreements flagged and explained.

Input: an `Archive`.
Output: `FigureComparison`: one `MetricComparison` per metric (its claims as display-ready
`ClaimView`s in as-of order, the latest current value, the flags that involve it, and its
related metrics), plus every flag of the archive in one list, conflicts first.

Which claims are compared, and how, is `derive/compare.py`'s job: claims of the same metric,
and claims of two metrics that `metrics.yaml` relates with `compare: true`. Metrics related
with `compare: false` are only shown side by side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import combinations
from types import MappingProxyType

from builder.derive.compare import (
    SEVERITY_ORDER,
    Finding,
    Judge,
    Rule,
    Severity,
    claim_interval,
)
from builder.derive.wording import (
    format_number,
    format_number_range,
    format_value,
    period_text,
    possessive,
)
from builder.index import Archive
from builder.model import Figure, Metric

# Re-exported for the chart and page modules, which word and draw values with them.
__all__ = ["claim_interval", "format_number", "format_value"]


@dataclass(frozen=True, slots=True)
class ClaimView:
    """One figure as every page shows it; URLs are site-relative."""

    figure: Figure
    metric_label: str
    value_text: str  # "more than 52%", "100,000–200,000 people", "tens of thousands of people"
    number_text: str  # the value without qualifier or unit: "52", "100,000–200,000", "hundreds"
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
    period_text: str | None = None  # "over the weekend, 26–27 Nov 2016"
    whole_url: str | None = None  # a part's whole (`of`), on its metric page


@dataclass(frozen=True, slots=True)
class Disagreement:
    """Two claims that cannot both hold (conflict) or only just can (tension)."""

    disagreement_id: str  # f"{first figure id}--{second figure id}": stable, usable as anchor
    first: ClaimView  # the earlier claim (ties: figure id)
    second: ClaimView
    severity: Severity
    rule: Rule
    reason: str  # plain words naming the rule, with both values and dates
    same_claimant: bool  # both from one claimant; the reason then says so

    @property
    def figure_ids(self) -> tuple[str, str]:
        return (self.first.figure.figure_id, self.second.figure.figure_id)


@dataclass(frozen=True, slots=True)
class MetricComparison:
    metric: Metric
    url: str  # the metric's page
    claims: tuple[ClaimView, ...]  # as-of order
    latest: ClaimView | None  # the most recent current-state claim
    disagreements: tuple[Disagreement, ...]  # every flag involving this metric's claims
    disputed_ids: tuple[str, ...]  # figure ids that take part in one of those flags
    related_ids: tuple[str, ...]  # every related metric, compared or side by side
    compared_ids: tuple[str, ...] = ()  # the related metrics whose claims are compared


@dataclass(frozen=True, slots=True)
class FigureComparison:
    metrics: tuple[MetricComparison, ...]  # by metric id
    by_metric: Mapping[str, MetricComparison]
    headline_metric_id: str | None
    disagreements: tuple[Disagreement, ...] = ()  # archive-wide: conflicts first, then date


# What the rules found on a pair of claims: (earlier figure id, later figure id, finding).
PairFinding = tuple[str, str, Finding]
# Given a metric id and how to work out the findings on the pairs it is compared on (its own
# claims, and with the metrics it is compared with), those findings: worked out, or as an
# earlier build found them on the same claims (builder/derive/reuse.py).
GroupFindings = Callable[[str, Callable[[], tuple[PairFinding, ...]]], tuple[PairFinding, ...]]


def worked_out(
    metric_id: str, find: Callable[[], tuple[PairFinding, ...]]
) -> tuple[PairFinding, ...]:
    return find()


def compare_figures(
    archive: Archive, group_findings: GroupFindings = worked_out
) -> FigureComparison:
    """Every metric's claims, latest value and related metrics, and every flag."""
    views = {f.figure_id: describe_claim(archive, f) for f in archive.figures}
    flags = sorted(find_disagreements(archive, views, group_findings), key=disagreement_order)
    flags_by_metric: dict[str, list[Disagreement]] = {}
    for flag in flags:  # one pass, not one scan of every flag per metric
        for metric_id in dict.fromkeys((flag.first.figure.metric_id, flag.second.figure.metric_id)):
            flags_by_metric.setdefault(metric_id, []).append(flag)
    comparisons = tuple(
        compare_metric(archive, metric, views, flags_by_metric.get(metric.metric_id, ()))
        for metric in archive.metrics.values()
    )
    return FigureComparison(
        metrics=comparisons,
        by_metric=MappingProxyType({c.metric.metric_id: c for c in comparisons}),
        headline_metric_id=choose_headline_metric(archive),
        disagreements=tuple(flags),
    )


def disagreement_order(flag: Disagreement) -> tuple[int, tuple[int, int, int, int], str]:
    return (
        SEVERITY_ORDER[flag.severity],
        flag.first.figure.as_of.sort_key(),
        flag.disagreement_id,
    )


def compare_metric(
    archive: Archive,
    metric: Metric,
    views: Mapping[str, ClaimView],
    own_flags: Sequence[Disagreement],  # the flags with a claim of this metric, in flag order
) -> MetricComparison:
    claims = tuple(views[f.figure_id] for f in archive.figures_by_metric[metric.metric_id])
    current = [c for c in claims if not c.figure.projected]
    own = tuple(own_flags)
    disputed = sorted({figure_id for flag in own for figure_id in flag.figure_ids})
    return MetricComparison(
        metric=metric,
        url=archive.url_metric(metric.metric_id),
        claims=claims,
        latest=current[-1] if current else None,
        disagreements=own,
        disputed_ids=tuple(disputed),
        related_ids=tuple(r.metric_id for r in metric.related),
        compared_ids=tuple(r.metric_id for r in metric.related if r.compare),
    )


def find_disagreements(
    archive: Archive, views: Mapping[str, ClaimView], group_findings: GroupFindings = worked_out
) -> Iterator[Disagreement]:
    """Every flag: pairs within each metric, then across each compared relation (once)."""
    judge = Judge(archive.site.comparison)
    for metric in archive.metrics.values():
        find = partial(metric_findings, archive, judge, metric)
        for first_id, second_id, finding in group_findings(metric.metric_id, find):
            yield make_disagreement(archive, views[first_id], views[second_id], finding)


def compared_metrics(archive: Archive, metric: Metric) -> tuple[str, ...]:
    """The metrics whose claims `metric`'s are compared with, each relation once (from the
    metric with the smaller id)."""
    return tuple(
        relation.metric_id
        for relation in metric.related
        if relation.compare
        and relation.metric_id in archive.metrics
        and metric.metric_id < relation.metric_id
    )


def metric_findings(archive: Archive, judge: Judge, metric: Metric) -> tuple[PairFinding, ...]:
    """The findings on the pairs of `metric`'s claims, and of its claims with those of the
    metrics it is compared with, in pair order."""
    own = archive.figures_by_metric[metric.metric_id]
    others = [
        f for other in compared_metrics(archive, metric) for f in archive.figures_by_metric[other]
    ]
    found = []
    for first, second in candidate_pairs(judge, metric, own, others):
        finding = judge.compare(
            first, second, archive.metrics[first.metric_id], archive.metrics[second.metric_id]
        )
        if finding is not None:
            found.append((first.figure_id, second.figure_id, finding))
    return tuple(found)


def candidate_pairs(
    judge: Judge, metric: Metric, own: Sequence[Figure], others: Sequence[Figure]
) -> Iterator[tuple[Figure, Figure]]:
    """Pairs of `own` claims, and of an `own` with an `others` claim, earlier first.

    Levels further apart than the window are never compared, so for levels each claim is
    paired only with the few that follow it within the window: linear in the number of claims
    for a metric reported every day for years. Other kinds pair every two claims.
    """
    ordered = sorted((*own, *others), key=claim_order)
    own_ids = {f.figure_id for f in own}
    if metric.kind != "level":
        for first, second in combinations(ordered, 2):
            if first.figure_id in own_ids or second.figure_id in own_ids:
                yield first, second
        return
    window = judge.window_days(metric)
    exact = [f for f in ordered if f.as_of.is_exact]
    for n, first in enumerate(exact):
        start = first.as_of.start()
        for second in exact[n + 1 :]:
            if (second.as_of.start() - start).days > window:
                break
            if first.figure_id in own_ids or second.figure_id in own_ids:
                yield first, second


def claim_order(figure: Figure) -> tuple[tuple[int, int, int, int], str]:
    return (figure.as_of.sort_key(), figure.figure_id)


def make_disagreement(
    archive: Archive, first: ClaimView, second: ClaimView, finding: Finding
) -> Disagreement:
    claimant = first.figure.claimant_id
    same = claimant is not None and claimant == second.figure.claimant_id
    reason = finding.reason
    kind = archive.metrics[first.figure.metric_id].kind
    what = "estimates" if kind == "level" else "counts"
    if same and claimant is not None:
        reason = f"{reason}; {possessive(archive.actors[claimant].name)} own {what} differ"
    elif (shared := shared_source(archive, first.figure, second.figure)) is not None:
        # One claimant speaks within the other (`part_of`): still one source's own figures.
        member, whole = (archive.actors[i].name for i in shared)
        reason = f"{reason}; {possessive(whole)} own {what} differ ({member} is part of it)"
    return Disagreement(
        disagreement_id=f"{first.figure.figure_id}--{second.figure.figure_id}",
        first=first,
        second=second,
        severity=finding.severity,
        rule=finding.rule,
        reason=reason,
        same_claimant=same,
    )


def shared_source(archive: Archive, a: Figure, b: Figure) -> tuple[str, str] | None:
    """(member, whole) when one claimant is, through `part_of`, part of the other."""
    if a.claimant_id is None or b.claimant_id is None:
        return None
    for member, whole in ((a.claimant_id, b.claimant_id), (b.claimant_id, a.claimant_id)):
        if whole in part_of_closure(archive, member):
            return member, whole
    return None


def part_of_closure(archive: Archive, actor_id: str) -> set[str]:
    """Every actor that `actor_id` is part of, directly or not (cycles end the walk)."""
    found: set[str] = set()
    todo = list(archive.actors[actor_id].part_of)
    while todo:
        other = todo.pop()
        if other not in found and other in archive.actors:
            found.add(other)
            todo.extend(archive.actors[other].part_of)
    return found


def choose_headline_metric(archive: Archive) -> str | None:
    """The site's headline metric if set, else the one with most claims (ties: by id)."""
    if archive.site.headline_metric in archive.metrics:
        return archive.site.headline_metric
    counted = sorted(archive.figures_by_metric.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return counted[0][0] if counted and counted[0][1] else None


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
        number_text=figure.vague or format_number_range(figure.low, figure.high),
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
        period_text=period_text(figure.period),
        whole_url=whole_url(archive, figure),
    )


def whole_url(archive: Archive, figure: Figure) -> str | None:
    whole = archive.figure_by_id.get(figure.part_of_id) if figure.part_of_id else None
    return archive.url_figure(whole) if whole is not None else None
