"""The rendered-page cache: which pages of the last build can be taken as they are.

Input: the derived model, the input stamps of this build (builder/incremental.py) and the
page records the last build left in its `BuildCache`.
Output: `RenderPlan`, a dependency key for each page whose inputs can be named cheaply, and
the answer to "may this page be linked from the live version instead of rendered?".

A page's key is a digest of everything it shows, named without rendering it: the site-wide
inputs (site.yaml, metrics.yaml, every actor file, the templates, the builder's code and
the build options), the page's own inputs, and the cross-article structures it reads. For a
fact sheet these are its file and its seed, the flags of its figures (each names the other
side and the disagreements page it sits on) and the timeline entries of its events (their
sources, date conflicts and timeline page). Hashing whole page contexts was measured slower
than rendering them, so keys are made from digests and small structures only.

Pages without a key are rendered every time: they read much of the archive.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from builder.incremental import FileStamps
from builder.index import page_path
from builder.model import Article
from builder.pages import Derived
from builder.record_cache import stamp_key

# Folders whose files are some pages' own inputs; every other input file is site-wide.
PER_PAGE_FOLDERS = ("content/articles", "seeds")
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

    keys: dict[str, str]  # page path -> dependency key
    previous: Mapping[str, PageRecord]  # the last build's records (of the live version)
    reused: dict[str, PageRecord] = field(default_factory=dict)
    rendered: dict[str, PageRecord] = field(default_factory=dict)

    def reuse_with(self, link_from_live: Callable[[str], bool]) -> Callable[[str], bool]:
        """`render_stream`'s `reuse`: a page whose key is as recorded is linked from the
        live version (by `link_from_live`) and not rendered."""

        def reuse(path: str) -> bool:
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
        key = self.keys.get(path)
        if key is not None:
            self.reused.pop(path, None)
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
    derived: Derived, project_dir: Path, stamps: FileStamps, site_key: str
) -> dict[str, str]:
    """Fact sheet path -> its dependency key, for every sheet whose inputs are known."""
    archive = derived.archive
    entries = derived.timeline.entry_by_id
    keys: dict[str, str] = {}
    for article in archive.articles:
        inputs = article_inputs(project_dir, stamps, article)
        if inputs is None:
            continue
        flags = [derived.flags_by_figure.get(figure.figure_id, ()) for figure in article.figures]
        shown = repr((flags, [entries[event.event_id] for event in article.events]))
        if UNSTABLE_REPR in shown:
            continue
        digest = hashlib.blake2b(digest_size=16)
        digest.update(f"{site_key}\0{inputs}\0".encode())
        digest.update(shown.encode())
        keys[page_path(archive.url_article(article.slug))] = digest.hexdigest()
    return keys


def article_inputs(project_dir: Path, stamps: FileStamps, article: Article) -> str | None:
    """The digests of a sheet's file and of its seed; None when either is not stamped."""
    sheet = stamps.get(stamp_key(project_dir, article.source.path))
    seed = stamps.get(stamp_key(project_dir, f"seeds/{article.seed}"))
    if sheet is None or seed is None or not sheet[2] or not seed[2]:
        return None
    return f"{sheet[2]}:{seed[2]}"


def render_plan(
    derived: Derived,
    project_dir: Path,
    stamps: FileStamps,
    options: tuple[object, ...],
    previous: Mapping[str, PageRecord],
) -> RenderPlan:
    site_key = site_wide_key(project_dir, stamps, options)
    return RenderPlan(fact_sheet_keys(derived, project_dir, stamps, site_key), previous)
