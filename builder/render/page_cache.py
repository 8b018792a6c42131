"""The rendered-page cache: which pages of the last build can be taken as they are.

Input: the derived model, the input stamps of this build (builder/write/cache.py) and the
page records the last build left in its `BuildCache`.
Output: `RenderPlan`, a dependency key for each page whose inputs can be named cheaply, and
the answer to "may this page be linked from the live version instead of rendered?".

A page's key is a digest of everything it shows, named without rendering it: the site-wide
inputs (site.yaml, metrics.yaml, every actor file, the templates, the builder's code and
the build options), the page's own inputs, and the cross-article structures it reads. For a
fact sheet these are its file and its seed, the metric-table rows its figures link to, the
flags of its figures (named by the inputs of both sheets, their page on the disagreements
listing and their rows) and the timeline entries of its events (named by the inputs of the
sheets reporting them and their timeline page). Hashing whole page contexts (or even the
flags and entries) was measured slower than rendering them, so keys are made from input
digests and URLs only.

Every other page (listings, actor and metric pages, the timeline, home...) reads more of
the archive. Its key is "<listing key>|<fine key>": the listing key is made of the
site-wide inputs and every sheet's facts (all but its summary, which only its own page
shows), and the fine key names what the page itself shows, by kind (`listing_fine_keys`):
a metric page its rows, latest claim and citation (the first page its chart of every
claim and its flags), an actor page its slice of the actor's articles, events, claims and
quotes, a timeline page the timeline's outline and its entries, a page of flags or of
sources its own items and the listing's counts. A summary edit leaves the listing key
unchanged, so that every such page is linked without working out a fine key; any other
edit compares the fine keys, and renders again only the pages that show what it changed
(at 2,000 articles, a figure edit renders 52 of 1,303 such pages). The home page and the
figures and actors indexes, which read the whole archive, have the listing key alone;
the data page adds the downloads' sizes to it.

A fact sheet's key is written in three parts, "<listing key>|<own inputs>|<fine key>"
(`RenderPlan`): when the first two are as recorded, the fine key (which follows from them)
is not worked out at all, and the sheets' facts come as digests kept with the validated
records (builder/validate/record_cache.py), not hashed again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from builder.derive.timeline import TimelineEntry, TimelinePage
from builder.index import (
    ARTICLES_PER_SOURCES_PAGE,
    METRIC_CLAIMS_PER_PAGE,
    page_path,
    paged_url,
)
from builder.model import Article, Figure
from builder.render import cite, pages
from builder.render.data_export import describe_data_files
from builder.render.pages import Derived
from builder.render.timeline_nav import filtered_timelines
from builder.render.views import DISAGREEMENTS_URL, FLAGS_PER_PAGE, FlagView
from builder.validate.record_cache import fact_digest, stamp_key
from builder.write.cache import FileStamps, PackedLinks
from builder.write.version import VersionWriter

# Folders whose files are some pages' own inputs; every other input file is site-wide.
PER_PAGE_FOLDERS = ("content/articles", "seeds")
# The one listing whose content follows the summaries too (`pages.data_context`).
DATA_PAGE = page_path("data/")
# The pages that show site-wide inputs alone (`pages.fixed_contexts`, but the data page).
FIXED_PAGES = (page_path("about/"), page_path("search/"), page_path("404.html"))
# Between the parts of a fact sheet's key: "<listing key>|<own inputs>|<fine key>".
KEY_PARTS = "|"


@dataclass(frozen=True)
class PageRecord:
    """What the build must know of a page it links from the live version, not renders."""

    key: str
    links: PackedLinks  # `RenderedPage.links`, packed
    searchable: bool


@dataclass
class RenderPlan:
    """The keys of this build's pages, and the pages reused from the live version.

    A fact sheet's key has three parts: the listing key, its own inputs and its fine key
    (`fact_sheet_key`). The fine key is a function of the other two (the listing key names
    every input but the sheets' summaries, the own inputs name the sheet's summary), so a
    sheet whose first two parts are as recorded is reused without working out its fine key:
    after a summary edit, that is every sheet but the edited one. Otherwise the fine keys
    are compared, so that an edit re-renders only the sheets that show what it changed.

    Every other page's key is "<listing key>|<fine key>" (`listing_fine_keys`), or the
    listing key alone for the few pages that read the whole archive (home, the figures and
    actors indexes): the same shortcut, one part shorter. The data page's key is exact."""

    sheets: Mapping[str, Article]  # fact sheet path -> its article
    # The key every other page starts with (None: unknown, so they are always rendered).
    listing_key: str | None
    previous: Mapping[str, PageRecord]  # the last build's records (of the live version)
    own_inputs: Callable[[Article], str | None]  # `article_inputs`
    fine_key: Callable[[Article, str], str | None]  # `fact_sheet_key`
    # The fine keys of the other pages (`listing_fine_keys`), worked out when first needed.
    listing_fine_keys: Callable[[], Mapping[str, str]] = dict
    keys: dict[str, str] = field(default_factory=dict)  # pages with exact keys of their own
    reused: dict[str, PageRecord] = field(default_factory=dict)
    rendered: dict[str, PageRecord] = field(default_factory=dict)
    fine_keys: Mapping[str, str] | None = None  # `listing_fine_keys()`, once asked

    def sheet_key(self, article: Article) -> str | None:
        """A fact sheet's whole key; None when its inputs are not all known."""
        own = self.own_inputs(article)
        fine = self.fine_key(article, own) if own is not None else None
        if own is None or fine is None:
            return None
        return KEY_PARTS.join((self.listing_key or "", own, fine))

    def sheet_unchanged(self, article: Article, recorded: str) -> str | None:
        """The sheet's key, when it shows what it showed when its key was `recorded`."""
        own = self.own_inputs(article)
        if own is None:
            return None
        listings = self.listing_key
        if listings is not None and recorded.startswith(KEY_PARTS.join((listings, own, ""))):
            return recorded
        key = self.sheet_key(article)
        if key is None or key.rpartition(KEY_PARTS)[2] != recorded.rpartition(KEY_PARTS)[2]:
            return None
        return key

    def listing_page_key(self, path: str) -> str | None:
        """The key of a page that is neither a fact sheet nor one with an exact key."""
        if self.listing_key is None:
            return None
        if self.fine_keys is None:
            self.fine_keys = self.listing_fine_keys()
        fine = self.fine_keys.get(path)
        return self.listing_key if fine is None else KEY_PARTS.join((self.listing_key, fine))

    def listing_unchanged(self, path: str, recorded: str) -> str | None:
        """The page's key, when it shows what it showed when its key was `recorded`: its
        listing key is as recorded (then its fine key, which follows, is not worked out),
        or its fine key is."""
        listings = self.listing_key
        if listings is None:
            return None
        if recorded == listings or recorded.startswith(listings + KEY_PARTS):
            return recorded
        key = self.listing_page_key(path)
        if key is None or KEY_PARTS not in key or KEY_PARTS not in recorded:
            return None  # a page on the listing key alone, which changed
        return key if key.rpartition(KEY_PARTS)[2] == recorded.rpartition(KEY_PARTS)[2] else None

    def reuse_listings(self, version: VersionWriter) -> bool:
        """Link every page but the fact sheets from the live version, when the listing key
        is as recorded (so the pages are those of the last build, and none of their fine
        keys changed) and the live version still holds them all; True when done (then
        only fact sheets are to be rendered)."""
        listings = self.listing_key
        if listings is None or version.live is None:
            return False
        others = {
            path: record
            for path, record in self.previous.items()
            if path not in self.sheets and path not in self.keys
        }
        if not others or not all(
            record.key == listings or record.key.startswith(listings + KEY_PARTS)
            for record in others.values()
        ):
            return False
        if not all(os.path.isfile(version.live / path) for path in others):
            return False
        linked: list[str] = []
        for path in others:
            if not version.reuse(path):  # vanished meanwhile: take none, render them all
                for done in linked:
                    os.unlink(version.root / done)
                    del version.digests[done]
                return False
            linked.append(path)
        self.reused.update(others)
        return True

    def reuse_with(self, link_from_live: Callable[[str], bool]) -> Callable[[str], bool]:
        """`render_stream`'s `reuse`: a page whose key is as recorded is linked from the
        live version (by `link_from_live`) and not rendered."""

        def reuse(path: str) -> bool:
            if path in self.reused:  # linked with the other listings
                return True
            record = self.previous.get(path)
            if record is None:
                return False
            article = self.sheets.get(path)
            if article is not None:
                key = self.sheet_unchanged(article, record.key)
            elif path in self.keys:
                key = self.keys[path] if self.keys[path] == record.key else None
            else:
                key = self.listing_unchanged(path, record.key)
            if key is None or not link_from_live(path):
                return False
            self.reused[path] = (
                record if key == record.key else dataclasses.replace(record, key=key)
            )
            return True

        return reuse

    def record(self, path: str, links: PackedLinks, searchable: bool) -> None:
        """Note a rendered page, for the next build."""
        article = self.sheets.get(path)
        if article is not None:
            key = self.sheet_key(article)
        elif path in self.keys:
            key = self.keys[path]
        else:
            key = self.listing_page_key(path)
        if key is not None:
            self.rendered[path] = PageRecord(key, links, searchable)

    def records(self) -> dict[str, PageRecord]:
        """Every page record of this build: reused and rendered."""
        return {**self.reused, **self.rendered}


def site_wide_key(project_dir: Path, stamps: FileStamps, options: tuple[object, ...]) -> str:
    """A digest of every input that is no page's own, and of the build options."""
    own = tuple(str(project_dir / folder) + os.sep for folder in PER_PAGE_FOLDERS)
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr(options).encode())
    for path in sorted(stamps):
        if not path.startswith(own):
            digest.update(f"{path}\0{stamps[path][2]}\n".encode())
    return digest.hexdigest()


def fact_sheet_key(
    derived: Derived, site_key: str, facts: Mapping[str, str | None], article: Article, own: str
) -> str | None:
    """A digest of what a fact sheet shows: its `own` inputs (`article_inputs`) and more;
    None when a sheet it names is not known.

    Besides its own inputs, a sheet shows: for each of its figures, the row of the metric
    table it links to ("compare claims": the row's page depends on the other claims of the
    metric) and its flags (each a function of the two claims' sheets, with its page on the
    disagreements listing and the rows of both claims); for each of its events, the
    timeline entry (a function of the sheets that report it, with its timeline page).
    Other sheets are named by their `facts` (not their summaries, which they alone show)."""
    archive = derived.archive
    entries = derived.timeline.entry_by_id
    inputs = facts
    if any(inputs[slug] is None for slug in referenced_sheets(derived, article)):
        return None  # a sheet read outside the stamps: no key, rendered every time
    shown: list[object] = [site_key, own]
    for figure in article.figures:
        shown.append(archive.url_figure(figure))
        for view in derived.flags_by_figure.get(figure.figure_id, ()):
            sides = (view.flag.first, view.flag.second)
            shown.append((view.url, [(s.figure_url, inputs[s.figure.article_slug]) for s in sides]))
    for event in article.events:
        entry = entries[event.event_id]
        reports = [inputs[report.event.article_slug] for report in entry.reports]
        shown.append((entry.url, reports))
    return hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()


def referenced_sheets(derived: Derived, article: Article) -> set[str]:
    """The slugs of the sheets on the other side of its flags and among its events'
    reports (which its key names by their inputs)."""
    slugs = {
        side.figure.article_slug
        for figure in article.figures
        for view in derived.flags_by_figure.get(figure.figure_id, ())
        for side in (view.flag.first, view.flag.second)
    }
    entries = derived.timeline.entry_by_id
    slugs.update(
        report.event.article_slug
        for event in article.events
        for report in entries[event.event_id].reports
    )
    return slugs


def article_inputs(project_dir: Path, stamps: FileStamps, article: Article) -> str | None:
    """The digests of a sheet's file and of its seed; None when either is not stamped."""
    sheet = stamps.get(stamp_key(project_dir, article.source.path))
    seed = stamps.get(stamp_key(project_dir, f"seeds/{article.seed}"))
    if sheet is None or seed is None or not sheet[2] or not seed[2]:
        return None
    return f"{sheet[2]}:{seed[2]}"


def sheet_facts(
    derived: Derived,
    project_dir: Path,
    stamps: FileStamps,
    known: Mapping[str, str | None],
) -> dict[str, str | None]:
    """Slug -> a digest of all a published sheet holds but its summary (its seed by its
    digest); None when its inputs are not known. `known`: sheet path -> `fact_digest` of
    its article, worked out by validate (the rest are worked out here)."""
    facts: dict[str, str | None] = {}
    for article in derived.archive.articles:
        inputs = article_inputs(project_dir, stamps, article)
        path = article.source.path
        shown = known[path] if path in known else fact_digest(article)
        if inputs is None or shown is None:
            facts[article.slug] = None
            continue
        seed = inputs.rpartition(":")[2]
        facts[article.slug] = hashlib.blake2b(
            f"{seed}\0{shown}".encode(), digest_size=16
        ).hexdigest()
    return facts


def listing_key(site_key: str, facts: Mapping[str, str | None]) -> str | None:
    """The key of every page but the fact sheets: the site-wide inputs and every published
    sheet's facts (all it holds but its summary, which only its own page shows). None when
    a sheet's inputs are not known. (Not the data downloads: they hold the summaries. The
    data page, which shows their sizes, has a key of its own.)"""
    if None in facts.values():
        return None
    return hashlib.blake2b(
        f"{site_key}\0{sorted(facts.items())}".encode(), digest_size=16
    ).hexdigest()


# ---- the fine keys of the pages that are not fact sheets -----------------------------------
#
# Each is a digest of what the page shows, named as a fact sheet's is: by the sheets it
# shows something of (their `sheet_facts`), the URLs that follow from other sheets (a
# claim's row on its metric page, a flag's and a timeline entry's page) and the counts and
# page numbers of the listing it belongs to. The home page and the figures and actors
# indexes read the whole archive: they have none (the listing key alone is theirs).


@dataclass
class Names:
    """Names what pages show, as short strings: a sheet by its facts (`sheet_facts`), a
    claim, a flag and a timeline entry by what they follow from. Each claim, flag and entry
    is named once (most are shown on several pages)."""

    derived: Derived
    facts: Mapping[str, str]
    figures: dict[str, str] = field(default_factory=dict)
    flags: dict[str, str] = field(default_factory=dict)
    entries: dict[str, str] = field(default_factory=dict)

    def figure(self, figure: Figure) -> str:
        """A claim: its sheet's facts, its row and its whole's row (the rows follow from
        the other claims of their metrics)."""
        name = self.figures.get(figure.figure_id)
        if name is None:
            archive = self.derived.archive
            whole = archive.figure_by_id.get(figure.part_of_id) if figure.part_of_id else None
            whole_row = archive.url_figure(whole) if whole is not None else ""
            name = f"{self.facts[figure.article_slug]} {archive.url_figure(figure)} {whole_row}"
            self.figures[figure.figure_id] = name
        return name

    def flag(self, view: FlagView) -> str:
        """A flag: its place on the disagreements pages and its two claims (its severity
        and reason follow from them and the site-wide rules)."""
        flag = view.flag
        name = self.flags.get(flag.disagreement_id)
        if name is None:
            name = f"{view.url} {self.figure(flag.first.figure)} {self.figure(flag.second.figure)}"
            self.flags[flag.disagreement_id] = name
        return name

    def entry(self, entry: TimelineEntry) -> str:
        """A timeline entry: its place on the timeline and the sheets reporting it (its
        date, title, place and actors follow from their events)."""
        name = self.entries.get(entry.event_id)
        if name is None:
            reports = " ".join(self.facts[r.event.article_slug] for r in entry.reports)
            name = self.entries[entry.event_id] = f"{entry.url} {entry.event_id} {reports}"
        return name

    def claim_item(self, figure: Figure) -> str:
        """A claim in a list (`views.describe_claim_items`): with its flags and its parts."""
        archive = self.derived.archive
        parts = (
            archive.url_figure(f)
            for f in archive.article_by_slug[figure.article_slug].figures
            if f.part_of_id == figure.figure_id
        )
        flags = (self.flag(view) for view in self.derived.flags_by_figure.get(figure.figure_id, ()))
        return f"{self.figure(figure)} [{' '.join(parts)}] [{'; '.join(flags)}]"


# What one page shows, as `Names` names it: one string a line.
Shown = list[str]


def listing_fine_keys(
    derived: Derived, site_key: str, facts: Mapping[str, str | None]
) -> dict[str, str]:
    """Page path -> its fine key, for every page but the fact sheets and the three that
    read the whole archive. `facts` must all be known (else there is no listing key). What
    each page shows is hashed as it is named, not held for all pages at once."""
    names = Names(derived, {slug: digest or "" for slug, digest in facts.items()})
    shown: Iterator[tuple[str, Shown]] = ((path, []) for path in FIXED_PAGES)  # site-wide alone
    kinds = (disagreements_shown, metric_shown, actor_shown, sources_shown, timeline_shown)
    return {
        path: hashlib.blake2b(
            "\n".join((site_key, path, *what)).encode(), digest_size=16
        ).hexdigest()
        for path, what in itertools.chain(shown, *(kind(names) for kind in kinds))
    }


def disagreements_shown(names: Names) -> Iterator[tuple[str, Shown]]:
    """A page of flags: its flags, and the counts of all."""
    derived = names.derived
    flags = derived.flags
    per_page = FLAGS_PER_PAGE
    conflicts = sum(1 for view in flags if view.flag.severity == "conflict")
    for n in range(1, pages.disagreements_page_count(derived) + 1):
        yield (
            page_path(paged_url(DISAGREEMENTS_URL, n)),
            [
                f"{len(flags)} {conflicts}",
                *(names.flag(view) for view in flags[(n - 1) * per_page :][:per_page]),
            ],
        )


def metric_shown(names: Names) -> Iterator[tuple[str, Shown]]:
    """A metric's pages: each its rows, the latest claim, the count and the citation (and
    the share card: the last claim by as-of date); the first its chart of every claim, its
    flags and the latest claims of related metrics."""
    derived = names.derived
    archive = derived.archive
    by_metric = derived.figures.by_metric
    per_page = METRIC_CLAIMS_PER_PAGE
    for comparison in derived.figures.metrics:
        metric_id = comparison.metric.metric_id
        claims = [names.figure(c.figure) for c in comparison.claims]
        disputed = set(comparison.disputed_ids)
        latest = comparison.latest
        card = archive.figures_by_metric.get(metric_id, ())
        every_page = [
            repr(cite.metric_citation(archive, metric_id)),
            f"{len(claims)} {len(card)}",
            names.figure(latest.figure) if latest else "",
            names.figure(card[-1]) if card else "",
        ]
        url = archive.url_metric(metric_id)
        for n in range(1, pages.metric_page_count(comparison) + 1):
            first = (n - 1) * per_page
            rows = zip(claims[first:][:per_page], comparison.claims[first:][:per_page], strict=True)
            page = [
                *every_page,
                *(f"{name} {c.figure.figure_id in disputed}" for name, c in rows),
            ]
            if n == 1:
                flags = derived.metric_flags(comparison)
                related = (by_metric[r].latest for r in comparison.related_ids)
                page += [
                    "chart",
                    *claims,
                    " ".join(comparison.disputed_ids),
                    f"flags {len(flags)}",
                    *(names.flag(view) for view in flags[: pages.FLAGS_ON_METRIC_PAGE]),
                    "related",
                    *(names.figure(other.figure) if other else "" for other in related),
                ]
            yield page_path(paged_url(url, n)), page


def actor_shown(names: Names) -> Iterator[tuple[str, Shown]]:
    """An actor's pages: each its slice of the actor's articles (with its mentions),
    events, figures (with their flags and parts) and quotes, and the lists' lengths; the
    first its related actors."""
    derived = names.derived
    archive = derived.archive
    facts = names.facts
    entries = derived.timeline.entry_by_id
    sizes = pages.ACTOR_PAGE_SIZES
    for actor_id in archive.actors:
        actor = derived.relations.facts[actor_id]
        lists = (actor.articles, actor.event_ids, actor.figures, actor.quotes)
        counts = " ".join(str(len(items)) for items in lists)
        url = archive.url_actor(actor_id)
        for n in range(1, pages.actor_page_count(derived, actor_id) + 1):
            firsts = [(n - 1) * size for size in sizes]
            ends = [first + size for first, size in zip(firsts, sizes, strict=True)]
            page = [
                counts,
                *(f"{a.slug} {facts[a.slug]} {k}" for a, k in actor.articles[firsts[0] : ends[0]]),
                "events",
                *(names.entry(entries[e]) for e in actor.event_ids[firsts[1] : ends[1]]),
                "figures",
                *(names.claim_item(f) for f in actor.figures[firsts[2] : ends[2]]),
                "quotes",
                *(
                    f"{q.quote_id} {facts[q.article_slug]}"
                    for q in actor.quotes[firsts[3] : ends[3]]
                ),
            ]
            if n == 1:
                page += [
                    "related",
                    *(
                        f"{r.actor_id} {r.shared_articles} {r.shared_events}"
                        for r in derived.relations.related[actor_id]
                    ),
                ]
            yield page_path(paged_url(url, n)), page


def sources_shown(names: Names) -> Iterator[tuple[str, Shown]]:
    """A page of the sources listing: the outlet of every sheet in listing order (the
    outlet index and which sheets each page holds follow from it) and its own sheets."""
    derived = names.derived
    per_page = ARTICLES_PER_SOURCES_PAGE
    ordered = pages.sources_order(derived.archive)
    outlets = "\n".join(f"{name} {a.slug}" for name, a in ordered)
    index = hashlib.blake2b(outlets.encode(), digest_size=16).hexdigest()
    for n in range(1, pages.sources_page_count(derived) + 1):
        yield (
            page_path(paged_url("sources/", n)),
            [
                index,
                *(names.facts[a.slug] for _, a in ordered[(n - 1) * per_page :][:per_page]),
            ],
        )


def timeline_shown(names: Names) -> Iterator[tuple[str, Shown]]:
    """A timeline page: the timeline's outline (years, months, their pages and counts, the
    filtered timelines with their counts) and its own entries."""
    archive = names.derived.archive
    timeline = names.derived.timeline
    filtered = filtered_timelines(archive, timeline)
    outline = repr(
        [
            timeline.split_by_year,
            len(timeline.entries),
            [
                (
                    year.year,
                    year.url,
                    year.entry_count,
                    [(m.heading, m.anchor, m.url, m.entry_count) for m in year.months],
                )
                for year in timeline.years
            ],
            [(f.link, [page.url for page in f.pages]) for f in filtered],
        ]
    )
    outline_key = hashlib.blake2b(outline.encode(), digest_size=16).hexdigest()

    def page_shown(page: TimelinePage) -> Shown:
        return [
            outline_key,
            f"{page.heading} {page.number} {' '.join(page.page_urls)}",
            *(names.entry(entry) for entry in page.entries),
        ]

    if timeline.split_by_year:
        yield page_path("timeline/"), [outline_key]
    for page in timeline.pages:
        yield page_path(page.url), page_shown(page)
    for one_filter in filtered:
        for page in one_filter.pages:
            yield page_path(page.url), page_shown(page)


def data_page_key(derived: Derived, listings: str) -> str:
    """The data page shows the downloads' sizes (their row counts follow from the facts):
    as described, not read back (some 200 MB at 10,000 articles)."""
    described = describe_data_files(derived.data_files)
    sizes = sorted((path, file.size_bytes) for path, file in described.items())
    return hashlib.blake2b(f"{listings}\0{sizes}".encode(), digest_size=16).hexdigest()


def render_plan(
    derived: Derived,
    project_dir: Path,
    stamps: FileStamps,
    options: tuple[object, ...],
    previous: Mapping[str, PageRecord],
    known_facts: Mapping[str, str | None] | None = None,
) -> RenderPlan:
    """The plan; `known_facts`: sheet path -> `fact_digest`, where validate worked it out."""
    site_key = site_wide_key(project_dir, stamps, options)
    archive = derived.archive
    facts = sheet_facts(derived, project_dir, stamps, known_facts or {})
    listings = listing_key(site_key, facts)
    plan = RenderPlan(
        {page_path(archive.url_article(article.slug)): article for article in archive.articles},
        listings,
        previous,
        partial(article_inputs, project_dir, stamps),
        partial(fact_sheet_key, derived, site_key, facts),
        partial(listing_fine_keys, derived, site_key, facts),
    )
    if listings is not None:
        plan.keys[DATA_PAGE] = data_page_key(derived, listings)
    return plan
