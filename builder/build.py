"""The whole build, top to bottom: load, validate, index, render, write, check.

Input: a project folder (content/, seeds/, templates/).
Output: the site in the output folder, swapped in whole; or `ContentErrors` and the old
output folder untouched.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from builder.check import check_links
from builder.data_export import render_data
from builder.feeds import render_feeds
from builder.index import Archive, build_archive
from builder.load import load_project
from builder.render import render_pages
from builder.theme import Theme, project_theme
from builder.validate import validate_project
from builder.write import merge_outputs, write_site


@dataclass(frozen=True)
class BuildOptions:
    project_dir: Path
    out_dir: Path
    base_url: str | None = None  # overrides content/site.yaml, e.g. for a preview deploy
    progress: Callable[[str], None] | None = None  # told each stage's name as it starts


@dataclass(frozen=True)
class BuildReport:
    archive: Archive
    out_dir: Path
    pages: int  # HTML pages written
    files: int  # every file written, search index included
    seconds: float


def load_archive(project_dir: Path, base_url: str | None = None) -> Archive:
    """Load, validate and index the content; raises `ContentErrors` listing every problem."""
    raw = load_project(project_dir)
    site, metrics, actors, articles = validate_project(raw, base_url=base_url)
    return build_archive(site, metrics, actors, articles)


def build_site(options: BuildOptions) -> BuildReport:
    """Build the site into `options.out_dir`, or raise and leave the old output untouched."""
    started = time.perf_counter()
    report = options.progress or (lambda stage: None)
    report("load, validate, index")
    archive = load_archive(options.project_dir, options.base_url)
    # Gather every output in memory first: derived pages need the whole archive, and a
    # half-built site must never be written.
    report("render")
    theme = project_theme(options.project_dir)
    pages = render_pages(archive, theme)
    page_paths = sorted(name for name in pages if name.endswith(".html"))
    outputs = merge_outputs(
        pages,
        render_feeds(archive, page_paths),
        render_data(archive),
        read_static_files(theme),
    )
    report("write")
    files = write_site(
        outputs,
        options.out_dir,
        # Pagefind first: the search page links to the index it writes.
        before_swap=[staged(report, "search", index_search), staged(report, "check", check_links)],
    )
    return BuildReport(
        archive, options.out_dir, len(page_paths), files, time.perf_counter() - started
    )


def read_static_files(theme: Theme) -> dict[str, bytes]:
    """The theme's static files under static/, a project's own replacing the default's."""
    return {f"static/{name}": path.read_bytes() for name, path in theme.static_files().items()}


def staged(
    report: Callable[[str], None], stage: str, step: Callable[[Path], None]
) -> Callable[[Path], None]:
    """`step`, announcing `stage` to the progress callback first."""

    def run(site_dir: Path) -> None:
        report(stage)
        step(site_dir)

    return run


def index_search(site_dir: Path) -> None:
    """Pagefind writes its index into site_dir/pagefind/ before the site is swapped in."""
    from builder.search import run_pagefind

    run_pagefind(site_dir)
