"""Views shared by several pages: article items, quotes, actor counts, metric families.

Input: the `Archive` (and the derived timeline or figure comparison).
Output: small frozen dataclasses with display strings and site-relative URLs, used by the
page contexts in `builder.pages` so that an article or a quote looks the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from builder.annotate import ClaimRef
from builder.derive.figures import ClaimView, FigureComparison, MetricComparison, describe_claim
from builder.derive.timeline import ActorLink, EventReport, TimelineEntry, link_actor
from builder.index import Archive, event_anchor, passage_mark_id
from builder.markup import MARKDOWN
from builder.model import Article, Quote


@dataclass(frozen=True)
class ArticleItem:
    article: Article
    url: str
    published_iso: str
    published_text: str


@dataclass(frozen=True)
class QuoteView:
    quote_id: str
    speaker: ActorLink
    text: str
    passage_url: str
    speaker_url: str  # the quote on its speaker's page
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


def render_markdown(text: str) -> Markup:
    return Markup(MARKDOWN.render(text))


def describe_article(archive: Archive, article: Article) -> ArticleItem:
    date = article.published
    return ArticleItem(article, archive.url_article(article.slug), date.iso(), date.human())


def describe_quote(archive: Archive, quote: Quote) -> QuoteView:
    article = archive.article_by_slug[quote.article_slug]
    return QuoteView(
        quote_id=quote.quote_id,
        speaker=link_actor(archive, quote.speaker_id),
        text=quote.passage.text,
        passage_url=archive.url_passage(article.slug, quote.passage),
        speaker_url=f"{archive.url_actor(quote.speaker_id)}#{quote.quote_id}",
        source=describe_article(archive, article),
    )


def fact_sheet_refs(archive: Archive, article: Article) -> dict[str, tuple[ClaimRef, ...]]:
    """Mark id -> the claims of the fact sheet that quote its passage, in fact-sheet order.

    The hrefs are the claims' ids on the fact sheet: a figure's and a quote's own id, and an
    event's timeline anchor (an article reports an event once)."""
    refs: dict[str, list[ClaimRef]] = {}

    def add(passage_mark: str, anchor: str, kind: str, description: str) -> None:
        refs.setdefault(passage_mark, []).append(ClaimRef(f"#{anchor}", kind, description))

    for figure in article.figures:
        claim = describe_claim(archive, figure)
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
    return {mark_id: tuple(found) for mark_id, found in refs.items()}


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
        families.append(MetricFamily(members, tuple(claims)))
    return tuple(families)
