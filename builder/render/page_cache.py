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
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from builder.index import page_path
from builder.model import Article
from builder.render.pages import Derived
from builder.validate.record_cache import stamp_key
from builder.write.cache import FileStamps
from builder.write.version import VersionWriter

# Folders whose files are some pages' own inputs; every other input file is site-wide.
PER_PAGE_FOLDERS = ("content/articles", "seeds")
# What a sheet holds besides its summary (shown on its own page only) and its seed's text
# (its digest stands for it); the line of the summary only places error messages.
FACT_FIELDS = tuple(
    item.name
    for item in dataclasses.fields(Article)
    if item.name not in ("summary_md", "summary_line", "seed_text")
)
# The one listing whose content follows the summaries too (`pages.data_context`).
DATA_PAGE = page_path("data/")
# How `repr` shows an object without a dataclass repr: its address, different every build.
UNSTABLE_REPR = " at 0x"


@dataclass(frozen=True)
class PageRecord:
    """What the build must know of a page it links from the live version, not renders."""

    key: str
    links: tuple[str, ...]  # as `RenderedPage.links`
    searchable: bool


@dataclass
class RenderPlan:
    """The keys of this build's pages, and the pages reused from the live version."""

    keys: dict[str, str]  # fact sheet path -> dependency key
    sheets: frozenset[str]  # every fact sheet's path, with a key or not
    # The key every other page shares (None: unknown, so they are always rendered).
    listing_key: str | None
    previous: Mapping[str, PageRecord]  # the last build's records (of the live version)
    reused: dict[str, PageRecord] = field(default_factory=dict)
    rendered: dict[str, PageRecord] = field(default_factory=dict)

    def reuse_listings(self, version: VersionWriter) -> bool:
        """Link every page but the fact sheets from the live version, when the listing key
        is as recorded and the live version still holds them all; True when done (then
        only fact sheets are to be rendered)."""
        if self.listing_key is None or version.live is None:
            return False
        listings = {
            path: record
            for path, record in self.previous.items()
            if record.key == self.listing_key and path not in self.sheets | self.keys.keys()
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
            key = self.keys.get(path)
            record = self.previous.get(path)
            if key is None or record is None or record.key != key:
                return False
            if not link_from_live(path):
                return False
            self.reused[path] = record
            return True

        return reuse

    def record(self, path: str, links: tuple[str, ...], searchable: bool) -> None:
        """Note a rendered page, for the next build."""
        key = self.keys.get(path, None if path in self.sheets else self.listing_key)
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


def fact_sheet_keys(
    derived: Derived,
    project_dir: Path,
    stamps: FileStamps,
    site_key: str,
    facts: Mapping[str, str | None],
) -> dict[str, str]:
    """Fact sheet path -> its dependency key, for every sheet whose inputs are known.

    Besides its own inputs, a sheet shows: for each of its figures, the row of the metric
    table it links to ("compare claims": the row's page depends on the other claims of the
    metric) and its flags (each a function of the two claims' sheets, with its page on the
    disagreements listing and the rows of both claims); for each of its events, the
    timeline entry (a function of the sheets that report it, with its timeline page).
    Other sheets are named by their `facts` (not their summaries, which they alone show)."""
    archive = derived.archive
    entries = derived.timeline.entry_by_id
    inputs = facts
    keys: dict[str, str] = {}
    for article in archive.articles:
        own = article_inputs(project_dir, stamps, article)
        if own is None:
            continue
        if any(inputs[slug] is None for slug in referenced_sheets(derived, article)):
            continue  # a sheet read outside the stamps: no key, rendered every time
        shown: list[object] = [site_key, own]
        for figure in article.figures:
            shown.append(archive.url_figure(figure))
            for view in derived.flags_by_figure.get(figure.figure_id, ()):
                sides = (view.flag.first, view.flag.second)
                shown.append(
                    (view.url, [(s.figure_url, inputs[s.figure.article_slug]) for s in sides])
                )
        for event in article.events:
            entry = entries[event.event_id]
            reports = [inputs[report.event.article_slug] for report in entry.reports]
            shown.append((entry.url, reports))
        keys[page_path(archive.url_article(article.slug))] = hashlib.blake2b(
            repr(shown).encode(), digest_size=16
        ).hexdigest()
    return keys


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


def sheet_facts(derived: Derived, project_dir: Path, stamps: FileStamps) -> dict[str, str | None]:
    """Slug -> a digest of all a published sheet holds but its summary (its seed by its
    digest); None when its inputs are not known."""
    facts: dict[str, str | None] = {}
    for article in derived.archive.articles:
        inputs = article_inputs(project_dir, stamps, article)
        shown = repr([getattr(article, name) for name in FACT_FIELDS])
        if inputs is None or UNSTABLE_REPR in shown:
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
) -> RenderPlan:
    site_key = site_wide_key(project_dir, stamps, options)
    archive = derived.archive
    facts = sheet_facts(derived, project_dir, stamps)
    keys = fact_sheet_keys(derived, project_dir, stamps, site_key, facts)
    listings = listing_key(site_key, facts)
    if listings is not None:
        keys[DATA_PAGE] = data_page_key(derived, listings)
    return RenderPlan(
        keys,
        frozenset(page_path(archive.url_article(article.slug)) for article in archive.articles),
        listings,
        previous,
    )
