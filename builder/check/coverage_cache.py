"""The coverage cache: each seed's coverage, kept from the last build, so that a build
measures again only the seeds whose text or fact sheet changed (the build summary prints the
coverage of the whole archive; at 10,000 articles measuring it all took ~5 s).

Input: the published articles, the input stamps of this build (builder/write/cache.py: the
builder's code by its digests) and the store the last build left.
Output: the `CoverageReport` that `measure_coverage` gives, and the store for the next build.

A seed's part is filed under a digest of all that `seed_coverage` reads of its article: the
seed's name and text, the spans of the passages that cover, and each `skipped:` entry
(passage, file and line, for its message). The store as a whole holds for one state of the
builder's code only; another state starts it afresh. It is shared by every output folder:
what it holds follows from the content alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from builder.check.coverage import (
    CoverageReport,
    SeedCoverage,
    covering_passages,
    measure_coverage,
    seed_coverage,
)
from builder.forked import chunk_results
from builder.model import Article
from builder.write.cache import (
    BUILDER_DIR,
    CACHE_DIR,
    FileStamps,
    builder_identity,
    load_pickle,
    write_pickle,
)

COVERAGE_FILE = "coverage.pickle"
# Bump when what a part holds, or what its key names, changes.
COVERAGE_FORMAT = 1


@dataclass(frozen=True)
class CoverageStore:
    code: str  # `code_key` of the builder that measured the parts
    parts: dict[str, SeedCoverage] = field(default_factory=dict)  # `coverage_key` -> part


def coverage_file(project_dir: Path) -> Path:
    return project_dir / CACHE_DIR / COVERAGE_FILE


def code_key(stamps: FileStamps) -> str:
    """A digest of the builder's code (every module under builder/, by its stamp digest)
    and identity: the parts measured by other code are not reused."""
    package = str(BUILDER_DIR)
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((builder_identity(), COVERAGE_FORMAT)).encode())
    for path in sorted(path for path in stamps if path.startswith(package)):
        digest.update(f"{path}\0{stamps[path][2]}\n".encode())
    return digest.hexdigest()


def coverage_key(article: Article) -> str:
    """A digest of everything `seed_coverage` reads of the article."""
    spans = sorted((passage.start, passage.end) for passage in covering_passages(article))
    skipped = [
        (s.source.path, s.source.line, s.passage.start, s.passage.end, s.passage.text)
        for s in article.skipped
    ]
    digest = hashlib.blake2b(repr((article.seed, spans, skipped)).encode(), digest_size=16)
    digest.update(b"\0")
    digest.update(article.seed_utf8)  # the text's own bytes: decoding them took half the time
    return digest.hexdigest()


def read_parts(project_dir: Path, code: str) -> dict[str, SeedCoverage]:
    """The stored parts, when the store is of this code; else none."""
    store = load_pickle(coverage_file(project_dir))  # None: measure afresh
    if not isinstance(store, CoverageStore) or store.code != code:
        return {}
    return store.parts


def remembered_coverage(
    articles: Iterable[Article],
    project_dir: Path,
    stamps: FileStamps,
    *,
    reuse: bool,
    jobs: int = 1,
) -> CoverageReport:
    """`measure_coverage`, each seed's part taken from the store when its key is there (only
    when `reuse`); the store is then rewritten with this build's parts, if they differ.
    Many seeds to measure (a cold build) are measured by `jobs` processes."""
    code = code_key(stamps)
    known = read_parts(project_dir, code) if reuse else {}
    articles = list(articles)
    keys = {article.slug: coverage_key(article) for article in articles}
    unknown = [article for article in articles if keys[article.slug] not in known]
    measured = dict(
        zip([keys[a.slug] for a in unknown], measured_parts(unknown, jobs), strict=True)
    )
    parts: dict[str, SeedCoverage] = {}

    def measure(article: Article) -> SeedCoverage:
        key = keys[article.slug]
        parts[key] = known[key] if key in known else measured[key]
        return parts[key]

    report = measure_coverage(articles, measure)
    if parts.keys() != known.keys():
        write_pickle(coverage_file(project_dir), CoverageStore(code, parts))
    return report


# Below this many seeds to measure per process, a process pool costs more than it saves.
MIN_SEEDS_PER_PROCESS = 250
SEEDS_PER_CHUNK = 100  # handed to a measuring process at a time


def measured_parts(articles: list[Article], jobs: int) -> list[SeedCoverage]:
    """`seed_coverage` of each article, in order; by `jobs` forked processes when there
    are many (the same parts for any number)."""
    if len(articles) < MIN_SEEDS_PER_PROCESS * 2:
        jobs = 1

    def measure_chunk(start: int) -> list[SeedCoverage]:
        return [seed_coverage(a) for a in articles[start : start + SEEDS_PER_CHUNK]]

    chunks = chunk_results(measure_chunk, len(articles), SEEDS_PER_CHUNK, jobs)
    return [part for chunk in chunks for part in chunk]
