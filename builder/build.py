"""The whole build, top to bottom: load, validate, index, render, write, check.

Input: a project folder (content/, seeds/, templates/).
Output: the site in the output folder, swapped in whole; or `ContentErrors` and the old
output folder untouched.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jinja2

from builder.check import check_links
from builder.data_export import render_data
from builder.errors import ContentError, ContentErrors, ContentWarning
from builder.feeds import render_feeds
from builder.index import Archive, build_archive, page_path
from builder.load import load_project
from builder.render import render_pages
from builder.validate import validate_project
from builder.write import merge_outputs, write_site


@dataclass(frozen=True)
class BuildOptions:
    project_dir: Path
    out_dir: Path
    base_url: str | None = None  # overrides content/site.yaml, e.g. for a preview deploy
    progress: Callable[[str], None] | None = None  # told each stage's name as it starts
    strict: bool = False  # warnings fail the build, as errors do


@dataclass(frozen=True)
class BuildReport:
    archive: Archive
    out_dir: Path
    pages: int  # HTML pages written
    files: int  # every file written, search index included
    seconds: float
    warnings: tuple[ContentWarning, ...] = ()


@dataclass(frozen=True)
class LoadedContent:
    archive: Archive
    warnings: tuple[ContentWarning, ...]  # accepted, but probably mistakes


def load_archive(project_dir: Path, base_url: str | None = None) -> Archive:
    """Load, validate and index the content; raises `ContentErrors` listing every problem."""
    return load_content(project_dir, base_url).archive


def load_content(
    project_dir: Path, base_url: str | None = None, *, strict: bool = False
) -> LoadedContent:
    """The archive and its warnings; under `strict`, warnings are raised as errors."""
    raw = load_project(project_dir)
    warnings: list[ContentWarning] = []
    site, metrics, actors, articles = validate_project(raw, base_url, warnings)
    if strict and warnings:
        raise ContentErrors([], warnings)
    return LoadedContent(build_archive(site, metrics, actors, articles), tuple(sorted(warnings)))


def build_site(options: BuildOptions) -> BuildReport:
    """Build the site into `options.out_dir`, or raise and leave the old output untouched."""
    started = time.perf_counter()
    report = options.progress or (lambda stage: None)
    report("load, validate, index")
    loaded = load_content(options.project_dir, options.base_url, strict=options.strict)
    archive = loaded.archive
    # Gather every output in memory first: derived pages need the whole archive, and a
    # half-built site must never be written.
    report("render")
    pages = render_theme(archive, options.project_dir)
    page_paths = sorted(name for name in pages if name.endswith(".html"))
    outputs = merge_outputs(
        pages,
        render_feeds(archive, page_paths),
        render_data(archive),
    )
    report("write")
    files = write_site(
        outputs,
        options.out_dir,
        static_dir=options.project_dir / "templates" / "static",
        # Pagefind first: the search page links to the index it writes.
        before_swap=[
            staged(report, "search", index_search),
            staged(report, "check", link_checker(archive, options.project_dir)),
        ],
    )
    return BuildReport(
        archive,
        options.out_dir,
        len(page_paths),
        files,
        time.perf_counter() - started,
        loaded.warnings,
    )


def render_theme(archive: Archive, project_dir: Path) -> dict[str, bytes]:
    """The pages; a missing or broken template is a content error at its file and line."""
    try:
        return render_pages(archive, project_dir / "templates")
    except jinja2.TemplateSyntaxError as error:
        path = f"templates/{error.name}" if error.name else "templates"
        raise ContentErrors(
            [
                ContentError(
                    path, error.lineno, f"template syntax: {error.message}", "fix the template"
                )
            ]
        ) from None
    except jinja2.TemplateNotFound as error:
        name = error.name if isinstance(error.name, str) else "?"
        raise ContentErrors(
            [ContentError(f"templates/{name}", 0, "template is missing", "restore it")]
        ) from None
    except jinja2.TemplateError as error:  # e.g. an undefined name: a theme's typo
        path, line = template_frame(error, project_dir)
        message = f"template error: {error.message or type(error).__name__}"
        raise ContentErrors([ContentError(path, line, message, "fix the template")]) from None


def template_frame(error: Exception, project_dir: Path) -> tuple[str, int]:
    """The template file and line an error was raised at (Jinja puts them in the traceback)."""
    templates = (project_dir / "templates").resolve()
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        path = Path(frame.filename).resolve()
        if path.is_relative_to(templates):
            return f"templates/{path.relative_to(templates).as_posix()}", frame.lineno or 0
    return "templates", 0


def link_checker(archive: Archive, project_dir: Path) -> Callable[[Path], None]:
    """`check_links`, reporting a broken link in a summary at its content file and line."""
    sources = {
        page_path(archive.url_article(article.slug)): article.source.path
        for article in archive.articles
    } | {
        page_path(archive.url_actor(actor_id)): a.source.path
        for actor_id, a in archive.actors.items()
    }

    def source_of(page: str, url: str) -> tuple[str, int] | None:
        path = sources.get(page)
        if path is None:
            return None
        text = (project_dir / path).read_text(encoding="utf-8-sig")
        position = text.find(f"]({url}")
        return None if position < 0 else (path, text.count("\n", 0, position) + 1)

    return lambda site_dir: check_links(site_dir, source_of)


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
