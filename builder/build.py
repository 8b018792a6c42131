"""The whole build, top to bottom: load, validate, index, render, write, check.

Input: a project folder (content/, seeds/, templates/).
Output: the site in the output folder, swapped in whole; or `ContentErrors` and the old
output folder untouched.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from builder.check import check_links
from builder.data_export import render_data
from builder.errors import ContentErrors, ContentWarning
from builder.feeds import render_feeds
from builder.index import Archive, build_archive
from builder.load import load_project
from builder.model import Article
from builder.render import render_pages
from builder.summary_links import check_summary_links
from builder.theme import Theme, project_theme
from builder.validate import validate_project
from builder.write import merge_outputs, write_site

# Told each stage's name as it starts (seconds None), and again with its time once it is done.
Progress = Callable[[str, float | None], None]


@dataclass(frozen=True)
class BuildOptions:
    project_dir: Path
    out_dir: Path
    base_url: str | None = None  # overrides content/site.yaml, e.g. for a preview deploy
    drafts: bool = False  # include sheets marked `status: draft` (with a banner)
    progress: Progress | None = None
    strict: bool = False  # warnings fail the build, as errors do


@dataclass(frozen=True)
class BuildReport:
    archive: Archive
    out_dir: Path
    pages: int  # HTML pages written
    files: int  # every file written, search index included
    seconds: float
    drafts: int = 0  # sheets marked `status: draft`: included with --drafts, else left out
    warnings: tuple[ContentWarning, ...] = ()  # accepted, but probably mistakes


@dataclass(frozen=True)
class CheckedProject:
    archive: Archive  # what `build` (without --drafts) publishes
    drafts: tuple[Article, ...]  # sheets marked `status: draft`, validated but not published
    warnings: tuple[ContentWarning, ...] = ()  # accepted, but probably mistakes


def check_project(
    project_dir: Path, base_url: str | None = None, *, drafts: bool = False, strict: bool = False
) -> CheckedProject:
    """Load, validate and index the content, drafts included only when `drafts`; raises
    `ContentErrors` listing every problem (and, under `strict`, every warning). Every draft
    is validated either way."""
    raw = load_project(project_dir)
    found: list[ContentWarning] = []
    site, metrics, actors, articles = validate_project(raw, base_url, found)
    warnings = tuple(sorted(found))
    if strict and warnings:
        raise ContentErrors([], warnings)
    published = [a for a in articles if drafts or a.status == "published"]
    archive = build_archive(site, metrics, actors, published)
    # Checks on the model that `build` would otherwise meet only in the rendered pages.
    problems = check_summary_links(archive)
    if problems:
        raise ContentErrors(problems, warnings)
    return CheckedProject(archive, tuple(a for a in articles if a.status == "draft"), warnings)


def load_archive(
    project_dir: Path, base_url: str | None = None, *, drafts: bool = False
) -> Archive:
    """The indexed content (drafts only when asked); raises `ContentErrors` on any problem."""
    return check_project(project_dir, base_url, drafts=drafts).archive


def build_site(options: BuildOptions) -> BuildReport:
    """Build the site into `options.out_dir`, or raise and leave the old output untouched."""
    clock = StageClock(options.progress)
    with clock.stage("load, validate, index"):
        checked = check_project(
            options.project_dir, options.base_url, drafts=options.drafts, strict=options.strict
        )
        archive = checked.archive
    # Gather every output in memory first: derived pages need the whole archive, and a
    # half-built site must never be written.
    with clock.stage("render"):
        theme = project_theme(options.project_dir)
        pages = render_pages(archive, theme)
        page_paths = sorted(name for name in pages if name.endswith(".html"))
        outputs = merge_outputs(
            pages,
            render_feeds(archive, page_paths),
            render_data(archive),
            read_static_files(theme),
        )
    with clock.stage("write"):
        files = write_site(
            outputs,
            options.out_dir,
            # Pagefind first: the search page links to the index it writes.
            before_swap=[
                clock.staged("search", index_search),
                clock.staged("check", partial(check_links, shown_as=options.out_dir.name)),
            ],
        )
    return BuildReport(
        archive,
        options.out_dir,
        len(page_paths),
        files,
        clock.elapsed(),
        len(checked.drafts),
        checked.warnings,
    )


def read_static_files(theme: Theme) -> dict[str, bytes]:
    """The theme's static files under static/, a project's own replacing the default's."""
    return {f"static/{name}": path.read_bytes() for name, path in theme.static_files().items()}


class StageClock:
    """Announces each stage as it starts and reports its time when it ends. A stage's time
    leaves out the stages nested in it (search and check run inside write)."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress or (lambda stage, seconds: None)
        self.started = time.perf_counter()
        self.nested: list[float] = []  # time spent in inner stages, per open stage

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self.progress(name, None)
        begin = time.perf_counter()
        self.nested.append(0.0)
        try:
            yield
        finally:
            inner = self.nested.pop()
            total = time.perf_counter() - begin
            if self.nested:
                self.nested[-1] += total
        self.progress(name, total - inner)

    def staged(self, name: str, step: Callable[[Path], None]) -> Callable[[Path], None]:
        """`step` run as the stage `name`."""

        def run(site_dir: Path) -> None:
            with self.stage(name):
                step(site_dir)

        return run

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def index_search(site_dir: Path) -> None:
    """Pagefind writes its index into site_dir/pagefind/ before the site is swapped in."""
    from builder.search import run_pagefind

    run_pagefind(site_dir)
