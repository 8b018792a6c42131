"""Views shared by several pages: article items, quotes, actor counts, metric families.

Input: the `Archive` (and the derived timeline or figure comparison).
Output: small frozen dataclasses with display strings and site-relative URLs, used by the
page contexts in `builder.render.pages` so that an article or a quote looks the same everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from markupsafe import Markup

from builder.derive.figures import (
    ClaimView,
    Disagreement,
    FigureComparison,
    MetricComparison,
    describe_claim,
)
from builder.derive.timeline import ActorLink, EventReport, TimelineEntry, link_actor
from builder.index import Archive, event_anchor, page_total, paged_url, passage_mark_id
from builder.model import Article, Figure, Inference, MetricKind, Quote
from builder.render.annotate import ClaimRef
from builder.render.markup import MARKDOWN

DISAGREEMENTS_URL = "disagreements/"
FLAGS_PER_PAGE = 50  # disagreements page; the flags are ordered conflicts first
KIND_TEXT: Mapping[MetricKind, str] = MappingProxyType(
    {
        "level": "a level: how many or how much at one moment",
        "running-total": "a running total: counted from a start, so it cannot fall",
        "count-in-period": "a count over a period: compared only over the same period",
    }
)
# The ids of an article's inferred metadata on its fact sheet; their evidence links back.
OUTLET_INFERRED_ANCHOR = "inferred-outlet"
PUBLISHED_INFERRED_ANCHOR = "inferred-date"


@dataclass(frozen=True)
class ArticleItem:
    article: Article
    url: str
    published_iso: str
    published_text: str


@dataclass(frozen=True)
class Evidence:
    text: str  # the seed passage, verbatim
    url: str  # its mark on the fact sheet


@dataclass(frozen=True)
class InferenceView:
    """Metadata the source does not state, why the editors infer it, and the passages."""

    anchor: str  # its id on the fact sheet
    reason: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class FlagView:
    """A disagreement as pages link to it: its entry on the disagreements page."""

    flag: Disagreement
    url: str  # "disagreements/#<disagreement id>"
    metric_labels: str  # one label, or both for a flag across two compared metrics
    first_permalink: str  # each claim on its fact sheet
    second_permalink: str

    def other(self, figure_id: str) -> ClaimView:
        """The claim on the other side from `figure_id`."""
        first = self.flag.first
        return self.flag.second if first.figure.figure_id == figure_id else first


@dataclass(frozen=True)
class ClaimItemLink:
    claim: ClaimView
    permalink_url: str


@dataclass(frozen=True)
class ClaimItem:
    """A figure in a list of claims (fact sheet, actor page): with its permalink, the flags
    it takes part in, and the whole it is a part of or the parts it holds."""

    claim: ClaimView
    permalink_url: str
    flags: tuple[FlagView, ...]
    whole: ClaimItemLink | None
    parts: tuple[ClaimItemLink, ...]


@dataclass(frozen=True)
class QuoteView:
    quote_id: str
    speaker: ActorLink
    text: str
    passage_url: str
    speaker_url: str  # the quotes on its speaker's page
    source: ArticleItem


@dataclass(frozen=True)
class ActorCount:
    actor: ActorLink
    count: int
    detail: str = ""


@dataclass(frozen=True)
class ArticleEvent:
    report: EventReport
    entry: TimelineEntry
    anchor: str  # the event's id on its fact sheet (see `fact_sheet_refs`)


@dataclass(frozen=True)
class Pager:
    """Where a page sits among the pages of one listing, for previous/next and numbered
    links ("x/", "x/page/2/", ...)."""

    urls: tuple[str, ...]
    number: int  # from 1

    @property
    def previous(self) -> str | None:
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.urls[self.number] if self.number < len(self.urls) else None

    @property
    def shown(self) -> tuple[tuple[int, str] | None, ...]:
        """The numbered links: the first, the last and two either side of this page, with
        None where numbers are left out."""
        count = len(self.urls)
        keep = sorted({1, count, *range(max(1, self.number - 2), min(count, self.number + 2) + 1)})
        links: list[tuple[int, str] | None] = []
        for n in keep:
            if links and links[-1] is not None and links[-1][0] != n - 1:
                links.append(None)
            links.append((n, self.urls[n - 1]))
        return tuple(links)


def paginate(url: str, count: int, per_page: int) -> tuple[Pager, ...]:
    """The pagers of a listing of `count` items at `url`, one per page."""
    urls = tuple(paged_url(url, n) for n in range(1, page_total(count, per_page) + 1))
    return tuple(Pager(urls, n) for n in range(1, len(urls) + 1))


def render_markdown(text: str) -> Markup:
    return Markup(MARKDOWN.render(text))


def describe_article(archive: Archive, article: Article) -> ArticleItem:
    date = article.published
    return ArticleItem(article, archive.url_article(article.slug), date.iso(), date.human())


def describe_inference(
    archive: Archive, slug: str, anchor: str, inference: Inference | None
) -> InferenceView | None:
    if inference is None:
        return None
    evidence = tuple(Evidence(p.text, archive.url_passage(slug, p)) for p in inference.evidence)
    return InferenceView(anchor, inference.reason, evidence)


def claim_permalink(archive: Archive, figure: Figure) -> str:
    """A figure on its fact sheet."""
    return f"{archive.url_article(figure.article_slug)}#{figure.figure_id}"


def quote_permalink(archive: Archive, quote: Quote) -> str:
    """A quote on its fact sheet."""
    return f"{archive.url_article(quote.article_slug)}#{quote.quote_id}"


def describe_flag(archive: Archive, flag: Disagreement, position: int = 0) -> FlagView:
    """The flag at `position` in the archive's flag order, on its disagreements page."""
    labels = dict.fromkeys((flag.first.metric_label, flag.second.metric_label))
    page = paged_url(DISAGREEMENTS_URL, position // FLAGS_PER_PAGE + 1)
    return FlagView(
        flag=flag,
        url=f"{page}#{flag.disagreement_id}",
        metric_labels=" / ".join(labels),
        first_permalink=claim_permalink(archive, flag.first.figure),
        second_permalink=claim_permalink(archive, flag.second.figure),
    )


def flags_by_figure(flags: tuple[FlagView, ...]) -> dict[str, tuple[FlagView, ...]]:
    """Figure id -> the flags it takes part in, in the archive's flag order."""
    found: dict[str, list[FlagView]] = {}
    for view in flags:
        for figure_id in view.flag.figure_ids:
            found.setdefault(figure_id, []).append(view)
    return {figure_id: tuple(views) for figure_id, views in found.items()}


def claim_view(archive: Archive, figure: Figure, described: Mapping[str, ClaimView]) -> ClaimView:
    """The figure's `describe_claim`, from `described` (by figure id) where it is there."""
    view = described.get(figure.figure_id)
    return view if view is not None else describe_claim(archive, figure)


NONE_DESCRIBED: Mapping[str, ClaimView] = MappingProxyType({})


def describe_claim_items(
    archive: Archive,
    figures: tuple[Figure, ...],
    flags: Mapping[str, tuple[FlagView, ...]],
    described: Mapping[str, ClaimView] = NONE_DESCRIBED,
) -> tuple[ClaimItem, ...]:
    """List items for `figures`, each with its flags and its part-of-whole links; the
    claims' views from `described` (derive's, by figure id) where they are there."""

    def link(figure: Figure) -> ClaimItemLink:
        return ClaimItemLink(
            claim_view(archive, figure, described), claim_permalink(archive, figure)
        )

    items = []
    for figure in figures:
        article = archive.article_by_slug[figure.article_slug]
        whole = archive.figure_by_id.get(figure.part_of_id) if figure.part_of_id else None
        # A part names its whole in the same article, so the article's figures hold them all.
        parts = tuple(link(f) for f in article.figures if f.part_of_id == figure.figure_id)
        items.append(
            ClaimItem(
                claim=claim_view(archive, figure, described),
                permalink_url=claim_permalink(archive, figure),
                flags=flags.get(figure.figure_id, ()),
                whole=link(whole) if whole is not None else None,
                parts=parts,
            )
        )
    return tuple(items)


def describe_quote(archive: Archive, quote: Quote) -> QuoteView:
    article = archive.article_by_slug[quote.article_slug]
    return QuoteView(
        quote_id=quote.quote_id,
        speaker=link_actor(archive, quote.speaker_id),
        text=quote.passage.text,
        passage_url=archive.url_passage(article.slug, quote.passage),
        speaker_url=f"{archive.url_actor(quote.speaker_id)}#quotes",
        source=describe_article(archive, article),
    )


def fact_sheet_refs(
    archive: Archive, article: Article, described: Mapping[str, ClaimView] = NONE_DESCRIBED
) -> dict[str, tuple[ClaimRef, ...]]:
    """Mark id -> the claims of the fact sheet that quote its passage, in fact-sheet order.

    The hrefs are the claims' ids on the fact sheet: a figure's and a quote's own id, and an
    event's timeline anchor (an article reports an event once). A passage quoted as evidence
    for an inferred outlet or date links to that inference."""
    refs: dict[str, list[ClaimRef]] = {}

    def add(passage_mark: str, anchor: str, kind: str, description: str) -> None:
        refs.setdefault(passage_mark, []).append(ClaimRef(f"#{anchor}", kind, description))

    for figure in article.figures:
        claim = claim_view(archive, figure, described)
        add(
            passage_mark_id(figure.passage),
            figure.figure_id,
            "figure",
            f"{claim.metric_label}: {claim.value_text}, {claim.attribution}",
        )
    for event in article.events:
        add(passage_mark_id(event.passage), event_anchor(event.event_id), "event", event.title)
    for quote in article.quotes:
        speaker = archive.actors[quote.speaker_id].name
        add(passage_mark_id(quote.passage), quote.quote_id, "quote", f"quote by {speaker}")
    inferred = (
        (OUTLET_INFERRED_ANCHOR, "outlet", article.outlet_inferred),
        (PUBLISHED_INFERRED_ANCHOR, "date", article.published_inferred),
    )
    for anchor, what, inference in inferred:
        for evidence in inference.evidence if inference else ():
            add(passage_mark_id(evidence), anchor, f"inferred {what}", inference_note(what))
    return {mark_id: tuple(found) for mark_id, found in refs.items()}


def inference_note(what: str) -> str:
    return f"evidence for the {what} the editors infer"


def part_of_chain(archive: Archive, actor_id: str) -> tuple[ActorLink, ...]:
    """Every actor this one belongs to, directly or through others, nearest first."""
    chain: list[str] = []
    frontier = list(archive.actors[actor_id].part_of)
    while frontier:
        parent = frontier.pop(0)
        if parent not in chain and parent != actor_id:
            chain.append(parent)
            frontier.extend(archive.actors[parent].part_of)
    return tuple(link_actor(archive, a) for a in chain)


def relation_detail(shared_articles: int, shared_events: int) -> str:
    parts = []
    if shared_articles:
        parts.append(f"{shared_articles} article{'s' if shared_articles != 1 else ''}")
    if shared_events:
        parts.append(f"{shared_events} event{'s' if shared_events != 1 else ''}")
    return ", ".join(parts)


@dataclass(frozen=True)
class MetricFamily:
    """Related metrics shown side by side; `claims` merges theirs in as-of order."""

    comparisons: tuple[MetricComparison, ...]
    claims: tuple[ClaimView, ...]
    disputed_ids: frozenset[str]  # claims of the family that take part in a flag
    compared: bool  # some of the metrics are compared with each other (`compare: true`)
    claim_count: int  # of the whole family (`claims` may hold only the latest)


def metric_families(figures: FigureComparison) -> tuple[MetricFamily, ...]:
    """Groups of related metrics (connected by `related_ids`), each in metric-id order."""
    families: list[MetricFamily] = []
    placed: set[str] = set()
    for comparison in figures.metrics:
        if comparison.metric.metric_id in placed:
            continue
        family_ids = [comparison.metric.metric_id]
        for metric_id in family_ids:
            family_ids += [
                r for r in figures.by_metric[metric_id].related_ids if r not in family_ids
            ]
        placed.update(family_ids)
        members = tuple(figures.by_metric[m] for m in sorted(family_ids))
        claims = sorted(
            (c for m in members for c in m.claims),
            key=lambda c: (c.figure.as_of.sort_key(), c.figure.figure_id),
        )
        disputed = frozenset(i for m in members for i in m.disputed_ids)
        compared = any(m.compared_ids for m in members)
        families.append(MetricFamily(members, tuple(claims), disputed, compared, len(claims)))
    return tuple(families)
