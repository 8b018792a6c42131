"""The whole build, top to bottom: the stages in `STAGES`, in that order.

Input: a project folder (content/, seeds/, templates/).
Output: the site in the output folder, swapped in whole; or `ContentErrors` and the old
output folder untouched.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from builder.check import check_rendered_links
from builder.data_export import render_data
from builder.errors import ContentErrors, ContentWarning
from builder.feeds import render_feeds
from builder.index import Archive, build_archive
from builder.load import load_project
from builder.model import Article
from builder.og_image import render_og_images
from builder.render import derive, render_site
from builder.search import index_pages
from builder.summary_links import check_summary_links
from builder.theme import Theme, project_theme
from builder.validate import validate_project
from builder.write import merge_outputs, write_site

# The pipeline (DESIGN.md "Pipeline"). The progress output, `build -v`'s timings and the
# benchmark all name the stages from this one list.
STAGES = ("load", "validate", "index", "derive", "render", "search", "check", "write")
LOAD, VALIDATE, INDEX, DERIVE, RENDER, SEARCH, CHECK, WRITE = STAGES

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
    jobs: int = 1  # render processes; the output is the same for any number


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
    project_dir: Path,
    base_url: str | None = None,
    *,
    drafts: bool = False,
    strict: bool = False,
    clock: StageClock | None = None,
) -> CheckedProject:
    """Load, validate and index the content, drafts included only when `drafts`; raises
    `ContentErrors` listing every problem (and, under `strict`, every warning). Every draft
    is validated either way."""
    clock = clock or StageClock(None)
    found: list[ContentWarning] = []
    # Load and validate allocate millions of YAML nodes and model objects and free none of
    # them: the collector would walk them again and again for nothing (14 of the 15 s of
    # load at 10,000 articles). Reference counting still frees what is dropped.
    with collector_paused():
        with clock.stage(LOAD):
            raw = load_project(project_dir)
        with clock.stage(VALIDATE):
            site, metrics, actors, articles = validate_project(raw, base_url, found)
            del raw  # the YAML nodes: the typed model now holds all they said
    warnings = tuple(sorted(found))
    if strict and warnings:
        raise ContentErrors([], warnings)
    with clock.stage(INDEX):
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
    """Build the site into `options.out_dir`, or raise and leave the old output untouched.
    Every output is gathered in memory first: derived pages need the whole archive, and a
    half-built site must never be written."""
    clock = StageClock(options.progress)
    checked = check_project(
        options.project_dir,
        options.base_url,
        drafts=options.drafts,
        strict=options.strict,
        clock=clock,
    )
    archive = checked.archive
    with clock.stage(DERIVE):
        derived = derive(archive)
    with model_frozen(), clock.stage(RENDER):
        theme = project_theme(options.project_dir)
        rendered = render_site(derived, theme, options.jobs)
        page_paths = list(rendered.pages)
        outputs = merge_outputs(
            rendered.pages,
            render_feeds(archive, page_paths),
            render_data(archive),
            render_og_images(archive, options.project_dir, options.jobs),  # cached share cards
            read_static_files(theme),
        )
    with clock.stage(SEARCH):
        # Before the check: the search page links to the bundle Pagefind writes.
        outputs = merge_outputs(outputs, index_pages(rendered.pages, rendered.searchable))
    with clock.stage(CHECK):
        check_rendered_links(rendered.links, outputs, shown_as=options.out_dir.name)
    with clock.stage(WRITE):
        files = write_site(outputs, options.out_dir)
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


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off inside the block (as it was, after)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def model_frozen() -> Iterator[None]:
    """The objects alive now (the archive and what is derived from it) kept out of the
    collector's passes inside the block: render allocates a great deal, and each pass
    would otherwise walk the whole model."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class StageClock:
    """Announces each stage as it starts and reports its time when it ends."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress or (lambda stage, seconds: None)
        self.started = time.perf_counter()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        assert name in STAGES, name
        self.progress(name, None)
        begin = time.perf_counter()
        yield
        self.progress(name, time.perf_counter() - begin)

    def elapsed(self) -> float:
        return time.perf_counter() - self.started
