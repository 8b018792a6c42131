"""Derive's cross-article structures taken from the last build when what they read is unchanged.

Input: an `Archive` and a `DeriveCache` (where the last build's structures are kept, a digest
of every input but the sheets and seeds, and what is known of each sheet's facts and seed).
Output: the timeline, the figure comparison and the actor relations, each either read back
from the cache folder or worked out afresh (and stored for the next build).

Each structure has a key: the site-wide context, and for every published article in the
archive's order a digest of exactly what the structure reads of it (`Part.reads`): the
timeline its events and the title and outlet their reports show, the comparison its figures
(and title and outlet), the relations its events, its figures' and quotes' actors and its
seed's actor mentions. A summary edit changes none of them; a figure edit only the
comparison's. An article's three digests are kept with the state they were worked out in
(its `fact_digest` and its seed's digest), so an unchanged sheet is not read again.

A stored structure holds the model objects it points to (articles, events, figures, quotes,
actors, metrics) by their ids, and takes this build's objects when read back: those are
equal to the last build's in all that the key covers, and are the ones a fresh derivation
would point to in all else (a summary, say).
"""

from __future__ import annotations

import copyreg
import dataclasses
import hashlib
import os
import pickle
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from types import MappingProxyType
from typing import Any, BinaryIO

from builder.derive.actors import ActorFacts, ActorRelations, KindGroup, RelatedActor, relate_actors
from builder.derive.compare import Finding
from builder.derive.figures import (
    ClaimView,
    Disagreement,
    FigureComparison,
    GroupFindings,
    MetricComparison,
    PairFinding,
    compare_figures,
    compared_metrics,
)
from builder.derive.timeline import (
    ActorLink,
    DayGroup,
    EventReport,
    MonthGroup,
    ReportedDate,
    Timeline,
    TimelineEntry,
    TimelinePage,
    YearGroup,
    build_timeline,
)
from builder.index import Archive
from builder.model import Actor, Article, Event, Figure, FuzzyDate, Metric, Quote
from builder.write.cache import load_pickle, write_pickle

# Bump when what a stored structure holds, or what a key covers, changes. (The builder's
# code is in the context too: any change to it starts afresh.)
REUSE_FORMAT = 2
DIGESTS_FILE = "articles.pickle"
FINDINGS_FILE = "findings.pickle"
# How `repr` shows an object without a dataclass repr: its address, different every build.
UNSTABLE_REPR = " at 0x"


@dataclass(frozen=True)
class Part:
    """One cross-article structure: how it is worked out, and what it reads of an article
    (in a form whose `repr` is stable; the archive's order of the articles is in the key)."""

    name: str
    # How it is worked out; the figure comparison takes the findings an earlier build found.
    compute: Callable[[Archive, GroupFindings], Any]
    reads: Callable[[Article, str, str], object]  # (article, seed digest, repr of its events)


def timeline_reads(article: Article, seed: str, events: str) -> object:
    """The events, and the article's title and outlet that their reports show."""
    return (article.slug, article.title, article.outlet, events)


def comparison_reads(article: Article, seed: str, events: str) -> object:
    """The figures (by `claims_by_metric`, worked out before), and the article's title and
    outlet that their claims show."""
    return (article.slug, article.title, article.outlet)


def relations_reads(article: Article, seed: str, events: str) -> object:
    """The events' actors, who claimed each figure and said each quote (with what orders
    them), and the seed the actor mentions are found in."""
    claimed = tuple(
        (f.figure_id, f.metric_id, f.claimant_id, f.as_of.sort_key()) for f in article.figures
    )
    said = tuple((q.quote_id, q.speaker_id) for q in article.quotes)
    return (article.slug, events, claimed, said, seed)


def timeline_of(archive: Archive, findings: GroupFindings) -> Timeline:
    return build_timeline(archive)


def relations_of(archive: Archive, findings: GroupFindings) -> ActorRelations:
    return relate_actors(archive)


PARTS = (
    Part("timeline", timeline_of, timeline_reads),
    Part("comparison", compare_figures, comparison_reads),
    Part("relations", relations_of, relations_reads),
)
COMPARISON = 1  # PARTS' index of the figure comparison


@dataclass(frozen=True)
class DeriveCache:
    """Where one output's derived structures are kept, and what names their inputs."""

    folder: Path
    context: str  # every input but the sheets and seeds, the builder's code, the options
    # Sheet path -> `fact_digest` of its article (all a sheet holds but its summary), where
    # validate worked it out; a sheet not named here is read afresh.
    fact_digests: Mapping[str, str | None]
    # "<sheet digest>:<seed digest>" of an article (None: not stamped), as
    # builder/render/data_export.py's `stamped_inputs` gives it.
    article_inputs: Callable[[Article], str | None]


@dataclass(frozen=True)
class ArticleDigests:
    """What each part reads of one article (`Part.reads`, digested; None: no stable form),
    worked out when the article's facts and seed were `state`."""

    state: str
    parts: tuple[str | None, ...]
    # Metric id -> a digest of the article's claims of that metric: what the rules read
    # of it (`FindingsStore`). None: no stable form.
    claims: Mapping[str, str | None] = dataclasses.field(default_factory=dict)


def derive_structures(
    archive: Archive, cache: DeriveCache | None
) -> tuple[Timeline, FigureComparison, ActorRelations]:
    """The timeline, the figure comparison and the actor relations (see the module's
    docstring); without a cache, all worked out afresh."""
    if cache is None:
        return build_timeline(archive), compare_figures(archive), relate_actors(archive)
    digests = article_digests(archive, cache)
    lookup = ModelLookup(archive)  # for every structure read back
    findings = FindingsStore(lookup, cache, digests)
    found = [
        reused_or_computed(lookup, cache, part, part_key(archive, cache, digests, n), findings)
        for n, part in enumerate(PARTS)
    ]
    findings.store()
    timeline, comparison, relations = found
    assert isinstance(timeline, Timeline)
    assert isinstance(comparison, FigureComparison)
    assert isinstance(relations, ActorRelations)
    return timeline, comparison, relations


def article_digests(archive: Archive, cache: DeriveCache) -> dict[str, ArticleDigests | None]:
    """Slug -> its parts' digests: the last build's where the article's state is the same,
    else worked out (and the store written again). None: the article's seed is not known."""
    stored = load_pickle(cache.folder / DIGESTS_FILE)
    header = (REUSE_FORMAT, cache.context)
    last: Mapping[str, ArticleDigests] = (
        stored[1] if isinstance(stored, tuple) and stored[0] == header else {}
    )
    digests: dict[str, ArticleDigests | None] = {}
    for article in archive.articles:
        inputs = cache.article_inputs(article)
        if inputs is None:
            digests[article.slug] = None
            continue
        seed = inputs.rpartition(":")[2]
        fact = cache.fact_digests.get(article.source.path)
        state = f"{fact}:{seed}" if fact is not None else None
        known = last.get(article.slug)
        if state is not None and known is not None and known.state == state:
            digests[article.slug] = known
            continue
        events = repr(article.events)  # read by two parts: shown once
        claims = claims_by_metric(article)
        parts = [stable_digest(p.reads(article, seed, events)) for p in PARTS]
        # The comparison reads the figures too: by their digests, each worked out once.
        shown = parts[COMPARISON]
        parts[COMPARISON] = (
            None
            if shown is None or None in claims.values()
            else stable_digest((shown, tuple(claims.items())))
        )
        digests[article.slug] = ArticleDigests(state or "", tuple(parts), claims)
    kept = {slug: d for slug, d in digests.items() if d is not None and d.state}
    if kept != last:
        write_pickle(cache.folder / DIGESTS_FILE, (header, kept))
    return digests


def claims_by_metric(article: Article) -> dict[str, str | None]:
    """Metric id -> a digest of the article's figures of that metric."""
    claims: dict[str, list[Figure]] = {}
    for figure in article.figures:
        claims.setdefault(figure.metric_id, []).append(figure)
    return {metric_id: stable_digest(tuple(own)) for metric_id, own in sorted(claims.items())}


def stable_digest(value: object) -> str | None:
    """A digest of `value`'s repr; None when the repr shows an address."""
    shown = repr(value)
    if UNSTABLE_REPR in shown:
        return None
    return hashlib.blake2b(shown.encode(), digest_size=16).hexdigest()


def part_key(
    archive: Archive, cache: DeriveCache, digests: Mapping[str, ArticleDigests | None], n: int
) -> str | None:
    """A digest of all that part `n` reads; None when an article's cannot be told."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{REUSE_FORMAT}\0{PARTS[n].name}\0{cache.context}\0".encode())
    digest.update(f"{archive.mention_key}\0".encode())
    for article in archive.articles:
        known = digests[article.slug]
        own = known.parts[n] if known is not None else None
        if own is None:
            return None
        digest.update(f"{article.slug}\0{own}\n".encode())
    return digest.hexdigest()


def reused_or_computed(
    lookup: ModelLookup,
    cache: DeriveCache,
    part: Part,
    key: str | None,
    findings: GroupFindings,
) -> Any:
    """The part as the last build stored it under `key`, else worked out and stored."""
    target = cache.folder / f"{part.name}.pickle"
    if key is not None:
        stored = read_part(target, key, lookup)
        if stored is not None:
            return stored
    value = part.compute(lookup.archive, findings)
    if key is not None:
        write_part(target, key, value)
    else:
        target.unlink(missing_ok=True)
    return value


class FindingsStore:
    """`compare_figures`' `group_findings`: a metric's findings as the last build found them
    when the claims they were found on (the metric's and those of the metrics it is compared
    with, each article's by `ArticleDigests.claims`) are the same, else worked out; all of
    them kept for the next build (`store`). A figure edit works out one metric's again."""

    def __init__(
        self,
        lookup: ModelLookup,
        cache: DeriveCache,
        digests: Mapping[str, ArticleDigests | None],
    ) -> None:
        self.target = cache.folder / FINDINGS_FILE
        self.header = f"{REUSE_FORMAT}\0{cache.context}"
        self.keys = findings_keys(lookup.archive, self.header, digests)
        self.lookup = lookup
        self.last: dict[str, tuple[str, tuple[PairFinding, ...]]] | None = None
        self.found: dict[str, tuple[str, tuple[PairFinding, ...]]] = {}

    def __call__(
        self, metric_id: str, find: Callable[[], tuple[PairFinding, ...]]
    ) -> tuple[PairFinding, ...]:
        if self.last is None:
            self.last = read_part(self.target, self.header, self.lookup) or {}
        key = self.keys[metric_id]
        known = self.last.get(metric_id)
        findings = known[1] if key is not None and known is not None and known[0] == key else find()
        if key is not None:
            self.found[metric_id] = (key, findings)
        return findings

    def store(self) -> None:
        """Keep what this build found, when the figures were compared at all and it differs."""
        if self.last is not None and self.found != self.last:
            write_part(self.target, self.header, self.found)


def findings_keys(
    archive: Archive, header: str, digests: Mapping[str, ArticleDigests | None]
) -> dict[str, str | None]:
    """Metric id -> a digest of the claims its findings are found on (its own and those of
    the metrics it is compared with); None when an article's cannot be told. (The rules, the
    metrics' definitions and the settings are in the context.)"""
    claimed = metric_claims(archive, digests)
    if claimed is None:
        return dict.fromkeys(archive.metrics)
    keys: dict[str, str | None] = {}
    for metric in archive.metrics.values():
        compared = (metric.metric_id, *compared_metrics(archive, metric))
        found_on = tuple((metric_id, claimed.get(metric_id, "")) for metric_id in compared)
        unknown = any(claims is None for _, claims in found_on)
        keys[metric.metric_id] = None if unknown else stable_digest((header, found_on))
    return keys


def metric_claims(
    archive: Archive, digests: Mapping[str, ArticleDigests | None]
) -> dict[str, str | None] | None:
    """Metric id -> a digest of every article's claims of it (`ArticleDigests.claims`, in
    the archive's order; None: an article's cannot be told), worked out in one pass over
    the articles; None when an article's digests are not known."""
    listed: dict[str, list[str]] = {}
    unknown: set[str] = set()
    for article in archive.articles:
        known = digests[article.slug]
        if known is None:
            return None
        for metric_id, claims in known.claims.items():
            if claims is None:
                unknown.add(metric_id)
            else:
                listed.setdefault(metric_id, []).append(f"{article.slug}\0{claims}\n")
    claimed: dict[str, str | None] = {
        metric_id: hashlib.blake2b("".join(lines).encode(), digest_size=16).hexdigest()
        for metric_id, lines in listed.items()
    }
    claimed.update(dict.fromkeys(unknown))
    return claimed


@dataclass(frozen=True)
class StoredHeader:
    """The first pickle of a part's file (read alone, to tell whether the rest is wanted):
    the structure that follows, with its model objects by id, is for this key."""

    key: str
    format: int = REUSE_FORMAT


def read_part(target: Path, key: str, lookup: ModelLookup) -> Any:
    """The structure stored in `target` for `key`, its model objects this build's; None when
    there is none (or it cannot be read)."""
    try:
        with target.open("rb") as stream:
            if pickle.load(stream) != StoredHeader(key):
                return None
            token = READING.set(lookup)
            try:
                return pickle.load(stream)
            finally:
                READING.reset(token)
    except Exception:  # missing, truncated, foreign, from an older builder: afresh
        return None


def write_part(target: Path, key: str, value: object) -> None:
    """Store `value` after its header, atomically (a folder that cannot be written costs
    only the next build its head start)."""
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as stream:
            pickle.dump(StoredHeader(key), stream, protocol=pickle.HIGHEST_PROTOCOL)
            ModelRefPickler(stream).dump(value)
        os.replace(temporary, target)
    except OSError:
        temporary.unlink(missing_ok=True)


# ---- model objects by id ------------------------------------------------------------------


class ModelLookup:
    """This build's model objects by the ids a stored structure names them by."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.events = {(e.event_id, e.article_slug): e for e in archive.events}
        self.quotes = {q.quote_id: q for q in archive.quotes}


# The model objects that the ids in a structure being read are looked up in.
READING: ContextVar[ModelLookup] = ContextVar("READING")


def model_article(slug: str) -> Article:
    return READING.get().archive.article_by_slug[slug]


def model_event(event_id: str, article_slug: str) -> Event:
    return READING.get().events[(event_id, article_slug)]


def model_figure(figure_id: str) -> Figure:
    return READING.get().archive.figure_by_id[figure_id]


def model_quote(quote_id: str) -> Quote:
    return READING.get().quotes[quote_id]


def model_actor(actor_id: str) -> Actor:
    return READING.get().archive.actors[actor_id]


def model_metric(metric_id: str) -> Metric:
    return READING.get().archive.metrics[metric_id]


def read_only(mapping: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(mapping)


def by_fields(cls: type) -> Callable[[Any], tuple[type, tuple[Any, ...]]]:
    """A dataclass written as its class and its fields' values, and read back by calling
    the class: for frozen dataclasses with slots several times faster than pickle's own way
    (their `__setstate__` looks their fields up again for every object)."""
    names = [item.name for item in dataclasses.fields(cls)]
    assert all(item.init for item in dataclasses.fields(cls)), cls
    assert not hasattr(cls, "__post_init__"), cls
    values = attrgetter(*names)
    if len(names) == 1:
        return lambda obj: (cls, (values(obj),))
    return lambda obj: (cls, values(obj))


# The derived structures' own classes, by their fields (`by_fields`).
DERIVED_CLASSES = (
    *(Timeline, YearGroup, MonthGroup, DayGroup, TimelinePage, TimelineEntry, ReportedDate),
    *(EventReport, ActorLink, FuzzyDate),
    *(FigureComparison, MetricComparison, Disagreement, ClaimView, Finding),
    *(ActorRelations, ActorFacts, RelatedActor, KindGroup),
)
# A model object is written as the function that looks it up and its id; a read-only
# mapping (which pickle cannot write) as its items.
BY_ID: dict[type, Callable[[Any], Any]] = {
    **copyreg.dispatch_table,
    **{cls: by_fields(cls) for cls in DERIVED_CLASSES},
    Article: lambda a: (model_article, (a.slug,)),
    Event: lambda e: (model_event, (e.event_id, e.article_slug)),
    Figure: lambda f: (model_figure, (f.figure_id,)),
    Quote: lambda q: (model_quote, (q.quote_id,)),
    Actor: lambda a: (model_actor, (a.actor_id,)),
    Metric: lambda m: (model_metric, (m.metric_id,)),
    MappingProxyType: lambda m: (read_only, (dict(m),)),
}


class ModelRefPickler(pickle.Pickler):
    """Pickles model objects as their ids (looked up again by `read_part`), and the strings
    of a derived object by value: equal strings as one (pickle's memo knows objects, not
    values). When a structure is worked out, a link or a date equal to another is often
    made anew: read back, those copies took some 36 MB at 10,000 articles, and reading
    fewer strings is faster."""

    def __init__(self, stream: BinaryIO) -> None:
        # Each string value -> the one object that stands for it.
        self.canonical: dict[str, str] = {}
        # Set before the pickler is initialised: it looks its dispatch table up then.
        self.dispatch_table = {
            **BY_ID,
            **{cls: self.derived_reducer(cls) for cls in DERIVED_CLASSES},
        }
        super().__init__(stream, protocol=pickle.HIGHEST_PROTOCOL)

    def derived_reducer(self, cls: type) -> Callable[[Any], tuple[type, tuple[Any, ...]]]:
        """`by_fields`, each string (and each string in a tuple) its value's one object."""
        fields = by_fields(cls)
        canonical = self.canonical

        def one(value: Any) -> Any:
            if type(value) is str:
                return canonical.setdefault(value, value)
            if type(value) is tuple and value and type(value[0]) is str:
                return tuple([one(item) for item in value])
            return value

        def reduce(obj: Any) -> tuple[type, tuple[Any, ...]]:
            _, values = fields(obj)
            return cls, tuple([one(value) for value in values])

        return reduce
