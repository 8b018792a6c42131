"""Index: the validated model -> `Archive`, the cross-index every page is rendered from.

Input: site, metrics, actors and articles from `validate`.
Output: an immutable `Archive` with lookups (actor -> events/figures/quotes/articles,
metric -> figures, event id -> reports), the marks and actor mentions of each seed text,
and every page's URL, worked out once here so that templates never build paths.

URLs are site-relative paths without a leading slash ("articles/x/", "articles/x/#p120-188");
`render` turns them into links relative to the page being rendered.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from types import MappingProxyType
from typing import overload

from builder.model import Actor, Article, Event, Figure, FuzzyDate, Metric, Passage, Quote, Site

# Up to this many events the whole timeline is one page; above it, the timeline is an index
# of years and months, with one page per month (and per year for the events dated only by
# their year), each continued on further pages past `TIMELINE_ENTRIES_PER_PAGE` entries.
TIMELINE_ONE_PAGE_LIMIT = 120
TIMELINE_ENTRIES_PER_PAGE = 60
# Rows per page of a metric's table of claims; the chart shows them all, aggregated.
METRIC_CLAIMS_PER_PAGE = 100
ARTICLES_PER_SOURCES_PAGE = 100  # the sources page, by outlet


@dataclass(frozen=True, slots=True)  # a million of them at 10,000 articles
class Mention:
    """An actor named in a seed text at seed[start:end]."""

    actor_id: str
    start: int
    end: int


# Machine integers of 4 bytes: a seed's offsets, and an actor's number among a seed's.
PACKED_INTEGER = "I"
MENTION_BYTES = 3 * array(PACKED_INTEGER).itemsize


@dataclass(frozen=True, slots=True)
class Mentions(Sequence[Mention]):
    """The actor mentions of one seed text, in seed order, packed: the actors named, and for
    each mention its actor's number among them, its start and its end, as machine integers.
    As `Mention` objects they took some 110 bytes each (35 MB at 10,000 articles, in the
    build and in every render process); here 12, and a `Mention` is made when read."""

    actor_ids: tuple[str, ...]
    packed: bytes  # (actor number, start, end) per mention

    @classmethod
    def of(cls, mentions: Iterable[Mention]) -> Mentions:
        numbers: dict[str, int] = {}
        values = array(PACKED_INTEGER)
        for mention in mentions:
            number = numbers.setdefault(mention.actor_id, len(numbers))
            values.extend((number, mention.start, mention.end))
        return cls(tuple(numbers), values.tobytes())

    def __iter__(self) -> Iterator[Mention]:
        values = iter(array(PACKED_INTEGER, self.packed))
        actor_ids = self.actor_ids
        for number, start, end in zip(values, values, values, strict=True):
            yield Mention(actor_ids[number], start, end)

    def __len__(self) -> int:
        return len(self.packed) // MENTION_BYTES

    @overload
    def __getitem__(self, index: int) -> Mention: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Mention]: ...

    def __getitem__(self, index: int | slice) -> Mention | Sequence[Mention]:
        return tuple(self)[index]


@dataclass(frozen=True, slots=True)  # a million of them at 10,000 articles
class Mark:
    """A marked passage of a seed: `<mark id=mark_id>`; several facts may share one."""

    mark_id: str
    start: int
    end: int


@dataclass(frozen=True)
class Archive:
    site: Site
    metrics: Mapping[str, Metric]  # ordered by metric id
    actors: Mapping[str, Actor]  # ordered by actor id
    articles: tuple[Article, ...]  # newest first, then by slug
    article_by_slug: Mapping[str, Article]
    article_positions: Mapping[str, int]  # slug -> its place in `articles`
    events: tuple[Event, ...]  # every report of every event, in date order
    figures: tuple[Figure, ...]  # in as-of order
    quotes: tuple[Quote, ...]
    marks: Mapping[str, tuple[Mark, ...]]  # slug -> marks in seed order
    mentions: Mapping[str, Mentions]  # slug -> actor mentions in seed order
    reports_by_event: Mapping[
        str, tuple[Event, ...]
    ]  # event id -> its reports, oldest article first
    figures_by_metric: Mapping[str, tuple[Figure, ...]]
    figure_by_id: Mapping[str, Figure]  # e.g. a part's whole (`Figure.part_of_id`)
    members_by_actor: Mapping[str, tuple[str, ...]]  # actor id -> ids of actors part_of it
    timeline_split_by_year: bool  # an index of years and months rather than one page
    event_urls: Mapping[str, str]  # event id -> its merged entry on its timeline page
    figure_positions: Mapping[str, int]  # figure id -> its row in `figures_by_metric`
    # A digest of what the actor mentions were found with (`matcher_key`): mentions found
    # under the same key in the same seed text are the same.
    mention_key: str = ""

    # ---- URLs ----------------------------------------------------------------------------
    def url_article(self, slug: str) -> str:
        return f"articles/{slug}/"

    def url_passage(self, slug: str, passage: Passage) -> str:
        """The marked sentence in the article's source text."""
        return f"articles/{slug}/#{passage_mark_id(passage)}"

    def url_actor(self, actor_id: str) -> str:
        return f"actors/{actor_id}/"

    def url_metric(self, metric_id: str) -> str:
        return f"figures/{metric_id}/"

    def url_figure(self, figure: Figure) -> str:
        """The claim's row on its metric page (the page of the table that holds it)."""
        number = self.figure_positions[figure.figure_id] // METRIC_CLAIMS_PER_PAGE + 1
        return f"{paged_url(self.url_metric(figure.metric_id), number)}#{figure.figure_id}"

    def url_timeline_page(self, year: int | None = None, month: int | None = None) -> str:
        """The timeline, a year's page (its months, and the events dated only by the year)
        or a month's first page."""
        if year is None or not self.timeline_split_by_year:
            return "timeline/"
        return f"timeline/{year}/" if month is None else f"timeline/{year}/{month:02d}/"

    def url_event(self, event_id: str) -> str:
        """The merged timeline entry of an event."""
        return self.event_urls[event_id]


def paged_url(url: str, number: int) -> str:
    """Page `number` of a listing at `url`, as Hugo's pagers name them: "x/", "x/page/2/"."""
    return url if number == 1 else f"{url}page/{number}/"


def page_total(count: int, per_page: int) -> int:
    """How many pages `count` items fill (one, even when empty)."""
    return max(1, -(-count // per_page))


def consensus_date(reports: tuple[Event, ...]) -> FuzzyDate:
    """The date an event is filed under: the date most reports give, preferring exact days,
    then the earliest. Only dates in the first report's year qualify."""
    if len(reports) == 1:  # most events (no count needed: 20,000 of them at 10,000 sheets)
        return reports[0].date
    year = reports[0].date.year
    counts = Counter(r.date for r in reports if r.date.year == year)
    return min(counts, key=lambda d: (not d.is_exact, -counts[d], d.sort_key()))


def timeline_urls(reports_by_event: Mapping[str, tuple[Event, ...]]) -> dict[str, str]:
    """Event id -> its entry's URL: one page for a small timeline; else the page of its
    month (or of its year, for an event dated by the year only), numbered in date order."""
    filed = {event_id: consensus_date(reports) for event_id, reports in reports_by_event.items()}
    order = sorted(filed, key=lambda e: (filed[e].sort_key(), e))
    if len(order) <= TIMELINE_ONE_PAGE_LIMIT:
        return {e: f"timeline/#{event_anchor(e)}" for e in order}
    urls: dict[str, str] = {}
    for (year, month), in_period in groupby(order, key=lambda e: (filed[e].year, filed[e].month)):
        first = f"timeline/{year}/" if month is None else f"timeline/{year}/{month:02d}/"
        for n, event_id in enumerate(in_period):
            page = paged_url(first, n // TIMELINE_ENTRIES_PER_PAGE + 1)
            urls[event_id] = f"{page}#{event_anchor(event_id)}"
    return urls


def page_path(url: str) -> str:
    """The output file of a site-relative URL: "articles/x/" -> "articles/x/index.html"."""
    return f"{url}index.html" if url == "" or url.endswith("/") else url


def page_url(path: str) -> str:
    """The inverse: "articles/x/index.html" -> "articles/x/"; "index.html" -> ""; "x.html" stays."""
    if path == "index.html":
        return ""
    if path.endswith("/index.html"):
        return path[: -len("index.html")]
    return path


def passage_mark_id(passage: Passage) -> str:
    """Stable forever, since seeds are never edited: the span's offsets in the seed."""
    return f"p{passage.start}-{passage.end}"


def event_anchor(event_id: str) -> str:
    return f"event-{event_id}"


# Mentions found earlier in an article's seed text under the given `matcher_key`, or None.
KnownMentions = Callable[[str, Article], "Mentions | None"]


def no_known_mentions(key: str, article: Article) -> Mentions | None:
    return None


def build_archive(
    site: Site,
    metrics: Iterable[Metric],
    actors: Iterable[Actor],
    articles: Iterable[Article],
    known_mentions: KnownMentions = no_known_mentions,
) -> Archive:
    """The cross-indexed archive; pure, deterministic (every collection has a stable order).
    The actor mentions of a seed text that `known_mentions` gives (found by an earlier
    build in the same text with the same matcher) are taken, not searched for again."""
    metric_map = {m.metric_id: m for m in sorted(metrics, key=lambda m: m.metric_id)}
    actor_map = {a.actor_id: a for a in sorted(actors, key=lambda a: a.actor_id)}
    article_list = sorted(articles, key=lambda a: a.slug)
    article_list.sort(key=lambda a: a.published.sort_key(), reverse=True)
    article_order = {a.slug: n for n, a in enumerate(reversed(article_list))}

    events = sorted(
        (e for a in article_list for e in a.events),
        key=lambda e: (e.date.sort_key(), e.event_id, article_order[e.article_slug]),
    )
    figures = sorted(
        (f for a in article_list for f in a.figures),
        key=lambda f: (f.as_of.sort_key(), f.metric_id, f.figure_id),
    )
    quotes = sorted((q for a in article_list for q in a.quotes), key=lambda q: q.quote_id)

    reports: dict[str, list[Event]] = defaultdict(list)
    for event in sorted(events, key=lambda e: article_order[e.article_slug]):
        reports[event.event_id].append(event)
    by_metric: dict[str, list[Figure]] = {metric_id: [] for metric_id in metric_map}
    for figure in figures:
        by_metric[figure.metric_id].append(figure)
    members: dict[str, list[str]] = {actor_id: [] for actor_id in actor_map}
    for actor in actor_map.values():
        for parent in actor.part_of:
            members[parent].append(actor.actor_id)

    reports_by_event = MappingProxyType({k: tuple(v) for k, v in sorted(reports.items())})
    matcher = alias_matcher(actor_map.values())
    mention_key = matcher_key(matcher)
    return Archive(
        site=site,
        metrics=MappingProxyType(metric_map),
        actors=MappingProxyType(actor_map),
        articles=tuple(article_list),
        article_by_slug=MappingProxyType({a.slug: a for a in article_list}),
        article_positions=MappingProxyType({a.slug: n for n, a in enumerate(article_list)}),
        events=tuple(events),
        figures=tuple(figures),
        quotes=tuple(quotes),
        marks=MappingProxyType({a.slug: marks_of(a) for a in article_list}),
        mentions=MappingProxyType(
            {
                a.slug: known
                if (known := known_mentions(mention_key, a)) is not None
                else Mentions.of(find_mentions(a.seed_text, matcher))
                for a in article_list
            }
        ),
        reports_by_event=reports_by_event,
        figures_by_metric=MappingProxyType({k: tuple(v) for k, v in by_metric.items()}),
        figure_by_id=MappingProxyType({f.figure_id: f for f in figures}),
        members_by_actor=MappingProxyType({k: tuple(sorted(v)) for k, v in members.items()}),
        timeline_split_by_year=len(reports) > TIMELINE_ONE_PAGE_LIMIT,
        event_urls=MappingProxyType(timeline_urls(reports_by_event)),
        figure_positions=MappingProxyType(
            {f.figure_id: n for in_metric in by_metric.values() for n, f in enumerate(in_metric)}
        ),
        mention_key=mention_key,
    )


def marks_of(article: Article) -> tuple[Mark, ...]:
    """One mark per distinct quoted span, in seed order (outer spans before inner ones)."""
    passages = [f.passage for f in article.figures]
    passages += [e.passage for e in article.events]
    passages += [q.passage for q in article.quotes]
    # Evidence for an inferred outlet or date is marked too, so the page can point to it.
    for inference in (article.outlet_inferred, article.published_inferred):
        passages += inference.evidence if inference is not None else ()
    spans = sorted({(p.start, p.end) for p in passages}, key=lambda s: (s[0], -s[1]))
    return tuple(Mark(f"p{start}-{end}", start, end) for start, end in spans)


@dataclass(frozen=True)
class AliasMatcher:
    pattern: re.Pattern[str] | None  # over the text with its apostrophes folded
    actor_by_form: Mapping[str, str | None]  # None: a `not_in` phrase, matched to be skipped


def alias_matcher(actors: Iterable[Actor]) -> AliasMatcher:
    """One regex over every actor's name and aliases, on word boundaries, shaped as a trie
    of the forms: at each letter one branch is tried, not every alias in turn, so its cost
    does not grow with the number of actors. Longer forms are tried first.

    Curly and straight apostrophes are treated alike, since seeds mix them. An actor's
    `not_in` phrases are matched too (being longer, they win over the alias inside them)
    and then dropped, so the alias is not linked there.
    """
    actor_by_form: dict[str, str | None] = {}
    for actor in actors:
        for phrase in actor.not_in:
            actor_by_form[fold_apostrophes(phrase)] = None
    for actor in actors:
        for form in (actor.name, *actor.aliases):
            actor_by_form.setdefault(fold_apostrophes(form), actor.actor_id)
    if not actor_by_form:
        return AliasMatcher(None, actor_by_form)
    trie = trie_pattern(sorted(actor_by_form))
    pattern = re.compile(rf"(?<![\w'-]){trie}(?![\w-])")
    return AliasMatcher(pattern, MappingProxyType(actor_by_form))


def matcher_key(matcher: AliasMatcher) -> str:
    """A digest of all that `find_mentions` finds with: every form and the actor it names."""
    forms = repr(sorted(matcher.actor_by_form.items(), key=lambda item: item[0]))
    return hashlib.blake2b(forms.encode(), digest_size=16).hexdigest()


def trie_pattern(forms: list[str]) -> str:
    """A regex matching exactly `forms` (sorted, none empty), by shared prefixes; where one
    form continues another, the continuation is tried first, so the longest match wins."""
    branches: dict[str, list[str]] = defaultdict(list)
    ends_here = False
    for form in forms:
        if form:
            branches[form[0]].append(form[1:])
        else:
            ends_here = True
    alternatives = [re.escape(char) + trie_pattern(rest) for char, rest in branches.items()]
    if not alternatives:
        return ""
    group = alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"
    return f"(?:{group})?" if ends_here else group


def fold_apostrophes(text: str) -> str:
    return text.replace("’", "'")


def find_mentions(text: str, matcher: AliasMatcher) -> tuple[Mention, ...]:
    """Non-overlapping actor mentions; at each position the longest alias wins."""
    if matcher.pattern is None:
        return ()
    mentions = []
    # Folding keeps the length, so the offsets are the text's own.
    for match in matcher.pattern.finditer(fold_apostrophes(text)):
        actor_id = matcher.actor_by_form[match.group(0)]
        if actor_id is not None:
            mentions.append(Mention(actor_id, match.start(), match.end()))
    return tuple(mentions)
