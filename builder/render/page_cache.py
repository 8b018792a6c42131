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

Every other page (listings, actor and metric pages, the timeline, home...) reads much of
the archive: they share one key, made of the site-wide inputs, every sheet's facts (all but
its summary, which only its own page shows); the data page adds the downloads' sizes. A
summary edit leaves the shared key unchanged, so that only the edited sheet (and perhaps
the data page) is rendered; any other edit renders them all.

A fact sheet's key is written in three parts, "<listing key>|<own inputs>|<fine key>"
(`RenderPlan`): when the first two are as recorded, the fine key (which follows from them)
is not worked out at all, and the sheets' facts come as digests kept with the validated
records (builder/validate/record_cache.py), not hashed again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from builder.index import page_path
from builder.model import Article
from builder.render.pages import Derived
from builder.validate.record_cache import fact_digest, stamp_key
from builder.write.cache import FileStamps, PackedLinks
from builder.write.version import VersionWriter

# Folders whose files are some pages' own inputs; every other input file is site-wide.
PER_PAGE_FOLDERS = ("content/articles", "seeds")
# The one listing whose content follows the summaries too (`pages.data_context`).
DATA_PAGE = page_path("data/")
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
    are compared, so that an edit re-renders only the sheets that show what it changed."""

    sheets: Mapping[str, Article]  # fact sheet path -> its article
    # The key every other page shares (None: unknown, so they are always rendered).
    listing_key: str | None
    previous: Mapping[str, PageRecord]  # the last build's records (of the live version)
    own_inputs: Callable[[Article], str | None]  # `article_inputs`
    fine_key: Callable[[Article, str], str | None]  # `fact_sheet_key`
    keys: dict[str, str] = field(default_factory=dict)  # other pages with keys of their own
    reused: dict[str, PageRecord] = field(default_factory=dict)
    rendered: dict[str, PageRecord] = field(default_factory=dict)

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

    def reuse_listings(self, version: VersionWriter) -> bool:
        """Link every page but the fact sheets from the live version, when the listing key
        is as recorded and the live version still holds them all; True when done (then
        only fact sheets are to be rendered)."""
        if self.listing_key is None or version.live is None:
            return False
        listings = {
            path: record
            for path, record in self.previous.items()
            if record.key == self.listing_key and path not in self.sheets and path not in self.keys
        }
        if not listings or not all(os.path.isfile(version.live / path) for path in listings):
            return False
        linked: list[str] = []
        for path in listings:
            if not version.reuse(path):  # vanished meanwhile: take none, render them all
                for done in linked:
                    os.unlink(version.root / done)
                    del version.digests[done]
                return False
            linked.append(path)
        self.reused.update(listings)
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
            else:
                key = self.keys.get(path)
                key = key if key == record.key else None
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
        else:
            key = self.keys.get(path, self.listing_key)
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


def data_page_key(derived: Derived, listings: str) -> str:
    """The data page shows the downloads' sizes (their row counts follow from the facts)."""
    sizes = sorted((path, len(data)) for path, data in derived.data_files.items())
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
    )
    if listings is not None:
        plan.keys[DATA_PAGE] = data_page_key(derived, listings)
    return plan
