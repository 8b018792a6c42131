"""The whole build, top to bottom: the stages in `STAGES`, in that order.

Input: a project folder (content/, seeds/, templates/).
Output: the site in the output folder, swapped in whole; or `ContentErrors` and the old
output folder untouched. What the build reused and what it wrote is recorded for the next
one (builder/write/cache.py).
"""

from __future__ import annotations

import dataclasses
import gc
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from builder.allocator import large_blocks_returned
from builder.check.coverage_cache import remembered_coverage
from builder.check.link_record import check_changed_links, link_record_file
from builder.cli_output import archive_counts
from builder.derive.reuse import DeriveCache
from builder.errors import ContentErrors, ContentWarning
from builder.index import Archive, build_archive, no_known_mentions
from builder.load.project import RawProject, load_project
from builder.model import Actor, Article, Metric, Site
from builder.render.data_export import DownloadsCache, stamped_inputs
from builder.render.feeds import render_feeds
from builder.render.og_image import render_og_images
from builder.render.page_cache import PageRecord, render_plan, site_wide_key
from builder.render.pages import Derived
from builder.render.site import derive, render_stream
from builder.render.summary_links import check_summary_links
from builder.render.theme import Theme, project_theme
from builder.search.bundle import search_bundle_started
from builder.validate.record_cache import (
    ReusedArticles,
    restored_articles,
    reusable_articles,
    reused_warnings,
    store_records,
)
from builder.validate.records import validate_project
from builder.write.cache import (
    CACHE_DIR,
    BuildCache,
    BuildSummary,
    FileStamps,
    PackedLinks,
    options_key,
    output_name,
    read_cache,
    stamp_inputs,
    write_cache,
)
from builder.write.version import (
    Recorded,
    VersionWriter,
    merge_outputs,
    pause_point,
    staged_version,
)

# The pipeline (DESIGN.md "Pipeline"). The progress output, `build -v`'s timings and the
# benchmark all name the stages from this one list. Search overlaps: Pagefind starts once
# the pages are rendered and indexes while render writes the rest and check measures the
# coverage; the time reported for search is what the build still waits for it then (timed
# inside check, and not counted in check's), so the times reported add up to the build's.
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
    # Reuse what the last build of this output left (builder.write.cache); False: a clean
    # build, which leaves a fresh record for the next.
    cache: bool = True
    # Keep what render worked from for the report (`serve` starts its previews from it);
    # `build` lets it go once the pages are rendered, for the memory it takes.
    keep_derived: bool = True


@dataclass(frozen=True)
class BuildReport:
    archive: Archive
    kept_derived: Derived | None  # under `BuildOptions.keep_derived`, else None
    out_dir: Path
    pages: int  # HTML pages written
    files: int  # every file written, search index included
    seconds: float
    drafts: int = 0  # sheets marked `status: draft`: included with --drafts, else left out
    warnings: tuple[ContentWarning, ...] = ()  # accepted, but probably mistakes
    summary: BuildSummary | None = None  # what the command line reports

    @property
    def derived(self) -> Derived:
        """What render worked from: `serve` keeps it for its previews."""
        if self.kept_derived is None:
            raise ValueError("built with keep_derived=False: the derived model was let go")
        return self.kept_derived


@dataclass(frozen=True)
class CheckedProject:
    archive: Archive  # what `build` (without --drafts) publishes
    drafts: tuple[Article, ...]  # sheets marked `status: draft`, validated but not published
    warnings: tuple[ContentWarning, ...] = ()  # accepted, but probably mistakes
    # Sheet path -> `fact_digest` of its article, where the validated-record cache knew it.
    fact_digests: Mapping[str, str | None] = dataclasses.field(default_factory=dict)


def check_project(
    project_dir: Path,
    base_url: str | None = None,
    *,
    drafts: bool = False,
    strict: bool = False,
    clock: StageClock | None = None,
    stamps: FileStamps | None = None,
    jobs: int = 1,
) -> CheckedProject:
    """Load, validate and index the content, drafts included only when `drafts`; raises
    `ContentErrors` listing every problem (and, under `strict`, every warning). Every draft
    is validated either way. Given the input `stamps` (a build), the sheets validated by an
    earlier build and unchanged since are reused, not read again
    (builder/validate/record_cache.py). Many sheets to read are read by `jobs` processes."""
    clock = clock or StageClock(None)
    found: list[ContentWarning] = []
    # Load and validate allocate millions of YAML nodes and model objects and free none of
    # them: the collector would walk them again and again for nothing (14 of the 15 s of
    # load at 10,000 articles). Reference counting still frees what is dropped.
    with collector_paused():
        with clock.stage(LOAD):
            reused = reusable_articles(project_dir, stamps, base_url) if stamps else None
            raw = load_project(project_dir, reused.skips if reused else None)
        with clock.stage(VALIDATE):
            site, metrics, actors, articles, fresh = validate_records(
                raw, base_url, found, reused, jobs
            )
            del raw  # the YAML nodes: the typed model now holds all they said
        warnings = tuple(sorted(found))
        if strict and warnings:
            raise ContentErrors([], warnings)
        # Index too only allocates (half its time at 10,000 articles went to the collector).
        with clock.stage(INDEX):
            published = [a for a in articles if drafts or a.status == "published"]
            known = reused.known_mentions if reused else no_known_mentions
            archive = build_archive(site, metrics, actors, published, known)
            digests = (
                store_records(reused, fresh[0], fresh[1], archive.mention_key, archive.mentions)
                if reused
                else {}
            )
            # Checks on the model that `build` would otherwise meet only in the rendered pages.
            problems = check_summary_links(archive)
    if problems:
        raise ContentErrors(problems, warnings)
    drafts_found = tuple(a for a in articles if a.status == "draft")
    return CheckedProject(archive, drafts_found, warnings, digests)


def validate_records(
    raw: RawProject,
    base_url: str | None,
    found: list[ContentWarning],
    reused: ReusedArticles | None,
    jobs: int = 1,
) -> tuple[
    Site,
    list[Metric],
    list[Actor],
    list[Article],
    tuple[list[Article], list[ContentWarning]],
]:
    """`validate_project`, with the reused sheets given back (and their warnings); also the
    sheets validated afresh and their warnings, to be recorded for the next build (once
    indexed: `store_records`)."""
    if reused is None:
        return (*validate_project(raw, base_url, found, jobs=jobs), ([], []))
    fresh_warnings: list[ContentWarning] = []
    try:
        site, metrics, actors, articles = validate_project(
            raw, base_url, fresh_warnings, restored_articles(reused, raw.seeds), jobs
        )
    except ContentErrors as problems:
        raise ContentErrors(
            problems.errors, [*problems.warnings, *reused_warnings(reused)]
        ) from None
    found.extend([*fresh_warnings, *reused_warnings(reused)])
    fresh = [article for article in articles if article.source.path not in reused.records]
    return site, metrics, actors, articles, (fresh, fresh_warnings)


def load_archive(
    project_dir: Path, base_url: str | None = None, *, drafts: bool = False
) -> Archive:
    """The indexed content (drafts only when asked); raises `ContentErrors` on any problem."""
    return check_project(project_dir, base_url, drafts=drafts).archive


def build_site(options: BuildOptions) -> BuildReport:
    """Build the site into `options.out_dir`, or raise and leave the old output untouched.

    The pages are written into a new version folder as they are rendered (the HTML of the
    whole site is never held in memory); the version goes live only once search and the
    link check have passed. Files that come out as the live version has them are
    hard-linked from it, and Pagefind runs only when a searchable page changed."""
    clock = StageClock(options.progress)
    large_blocks_returned()
    project = options.project_dir
    key = options_key(options.base_url, options.drafts, options.strict)
    cache = read_cache(project, options.out_dir) if options.cache else None
    if cache is not None and cache.options != key:
        cache = None
    # Stamped before anything is read, so an edit made during the build is seen by the next.
    inputs = stamp_inputs(project, cache.inputs if cache else None)
    checked = check_project(
        project,
        options.base_url,
        drafts=options.drafts,
        strict=options.strict,
        clock=clock,
        stamps=inputs if options.cache else None,
        jobs=options.jobs,
    )
    archive = checked.archive
    downloads = DownloadsCache(
        project / CACHE_DIR / f"downloads-{output_name(options.out_dir)}",
        site_wide_key(project, inputs, key),
        stamped_inputs(project, inputs),
        reuse=options.cache,
    )
    structures = (
        DeriveCache(
            project / CACHE_DIR / f"derived-{output_name(options.out_dir)}",
            downloads.context,
            checked.fact_digests,
            downloads.article_inputs,
        )
        if options.cache
        else None
    )
    with collector_paused(), clock.stage(DERIVE):  # as index: allocation only
        # The social cards are drawn (those not cached yet) before the derived model
        # exists: their processes are forked from this one at its size then, 150 MB less
        # than after render at 10,000 articles. They are read one at a time when written.
        cards = render_og_images(archive, project, options.jobs)
        derived = derive(archive, downloads, structures)

    previous_pages = page_records(cache)  # the last build's, for render and check

    def recorded_versions(live: Path) -> Recorded:
        """What the live version and the spare hold, when the cache recorded that version."""
        if cache is None or live.name != cache.version:
            return Recorded()
        return Recorded(cache.outputs, cache.spare)

    def after_swap(version: VersionWriter) -> None:
        """Record the new version while the output is still locked, so that a build that
        waited for this one finds the record of what it will replace. Written after a
        --no-cache build too: it is as good a record as any."""
        done = dataclasses.replace(summary, files=version.files)
        record = BuildCache(
            key,
            inputs,
            version.root.name,
            version.digests,
            search,
            done,
            records,
            version.spare,
        )
        write_cache(project, options.out_dir, record)

    with (
        model_frozen(),
        staged_version(options.out_dir, recorded_versions, after_swap) as version,
        ExitStack() as running,  # the search stage, once begun (left before the swap)
    ):
        with clock.stage(RENDER):
            # Which pages may come from the live version rather than be rendered.
            plan = render_plan(derived, project, inputs, key, previous_pages, checked.fact_digests)
            theme = project_theme(project)
            links: dict[str, PackedLinks] = {}
            searchable: dict[str, str] = {}
            reuse = plan.reuse_with(version.reuse)
            sheets_only = plan.reuse_listings(version)
            for page in render_stream(derived, theme, options.jobs, reuse, sheets_only):
                digest = version.write(page.path, page.html)
                page_links = PackedLinks.of(page.links)
                links[page.path] = page_links
                if page.searchable:
                    searchable[page.path] = digest
                plan.record(page.path, page_links, page.searchable)
            for path, reused in plan.reused.items():
                links[path] = reused.links
                if reused.searchable:
                    searchable[path] = version.digests[path]
            pause_point("writing")
            page_paths = sorted(links)
            # Pagefind indexes the changed shards in processes of its own, from the pages
            # written, while this process writes the rest and runs the check (until its
            # links into the bundle): see the SEARCH stage below.
            search_bundle = running.enter_context(
                search_bundle_started(version, searchable, cache.search_key if cache else ())
            )
            for path in derived.data_files:  # from disk: too large to hold at once
                version.copy(path, derived.data_files.stream(path))
            for path in cards:
                version.write(path, cards[path])
            others = (render_feeds(archive, page_paths), static_files(theme))
            for path, data in sorted(merge_outputs(*others).items()):
                version.write(path, data)
            records = plan.records()  # for the cache, once the version is live
            # The plan's key functions hold `derived` too.
            del plan, reuse
            kept = derived if options.keep_derived else None
            del derived  # the derived model, if not kept, is freed before search and check
        with clock.stage(CHECK):
            coverage = remembered_coverage(
                archive.articles, project, inputs, reuse=options.cache, jobs=options.jobs
            )
            # Only the time still to wait for Pagefind counts as the search stage's (and
            # not the check's): the stage times add up to the build's.
            with clock.stage(SEARCH):
                # Before the link check: the search page links to the bundle.
                search = search_bundle()
            live_outputs = recorded_versions(version.live).live if version.live else {}
            record = link_record_file(project, options.out_dir)
            links_before = {path: page.links for path, page in previous_pages.items()}
            check_changed_links(
                links, links_before, version, live_outputs, record, options.out_dir.name
            )
        summary = BuildSummary(
            archive_counts(archive),
            len(page_paths),
            0,  # counted once the version is complete
            coverage.ratio(),
            len(checked.drafts),
            checked.warnings,
        )
        clock.progress(WRITE, None)
        write_started = time.perf_counter()
    clock.progress(WRITE, time.perf_counter() - write_started)
    return BuildReport(
        archive,
        kept,
        options.out_dir,
        len(page_paths),
        version.files,
        clock.elapsed(),
        len(checked.drafts),
        checked.warnings,
        dataclasses.replace(summary, files=version.files),
    )


def page_records(cache: BuildCache | None) -> dict[str, PageRecord]:
    """The page records of the last build (of the version it left live)."""
    if cache is None:
        return {}
    return {path: rec for path, rec in cache.pages.items() if isinstance(rec, PageRecord)}


def static_files(theme: Theme) -> dict[str, bytes]:
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
        # What the block made is moved to the oldest generation without a walk (frozen and
        # thawed): else the first pass after it walks all of it (0.8 s of an edit at 10,000
        # articles) to free nothing.
        gc.freeze()
        gc.unfreeze()
        if was_enabled:
            gc.enable()


@contextmanager
def model_frozen() -> Iterator[None]:
    """The objects alive now (the archive and what is derived from it) kept out of the
    collector's passes inside the block: render allocates a great deal, and each pass
    would otherwise walk the whole model. No collection first: the stages before ran with
    the collector paused and leave an acyclic model, so a collection found nothing to free
    (0 objects at 2,000 articles) and cost a walk of it all (0.9 s at 10,000). Should a
    cycle be left all the same, it is freed after the block, once unfrozen."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class StageClock:
    """Announces each stage as it starts and reports its time when it ends. A stage may be
    timed inside another (the search stage's wait, inside the check): its time is then
    not counted in the other's, so that the times reported add up to the build's."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress or (lambda stage, seconds: None)
        self.started = time.perf_counter()
        self.inner: list[float] = []  # per stage under way: the time of the stages inside

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        assert name in STAGES, name
        self.progress(name, None)
        begin = time.perf_counter()
        self.inner.append(0.0)
        try:
            yield
        finally:
            seconds = time.perf_counter() - begin
            seconds_inside = self.inner.pop()
        if self.inner:
            self.inner[-1] += seconds
        self.progress(name, seconds - seconds_inside)

    def elapsed(self) -> float:
        return time.perf_counter() - self.started
