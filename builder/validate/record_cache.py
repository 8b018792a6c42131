"""The validated-record cache: each fact sheet's typed `Article`, kept from the last build, so
that load and validate read and check only the files that changed.

Input: the input stamps of this build (builder/write/cache.py `stamp_inputs`: every file's
content digest, computed there anyway) and the record store the last build left.
Output: `ReusedArticles`, the articles whose file, seed and validation context are as
recorded (load skips them, validate adds them back); after validation, the new store.

A record is reused only when all that its validation read is unchanged: the sheet's bytes,
its seed's bytes, and the context every sheet is checked against (site.yaml, metrics.yaml,
the set of actor ids, the builder's code and identity). Only sheets that validated without
an error are recorded, so a broken file is read and reported again on every build. The
warnings a sheet gave are kept with it and reported again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG

from builder.errors import ContentWarning
from builder.model import Article
from builder.write.cache import (
    BUILDER_DIR,
    CACHE_DIR,
    FileStamps,
    builder_identity,
    load_pickle,
    write_pickle,
)

# Bump when what a record holds, or what it means, changes.
RECORD_FORMAT = 1
RECORDS_FILE = "records.pickle"


@dataclass(frozen=True)
class ArticleRecord:
    """One fact sheet as validated, with the digests of what its validation read."""

    file_digest: str
    seed_digest: str
    article: Article  # its `seed_text` emptied: the seed is read anyway, and it is large
    warnings: tuple[ContentWarning, ...]


@dataclass(frozen=True)
class RecordStore:
    context: str  # `validation_context` of the build that wrote it
    articles: dict[str, ArticleRecord]  # path relative to the project -> record
    builder: tuple[object, ...] = dataclasses.field(default_factory=lambda: builder_identity())
    format: int = RECORD_FORMAT


@dataclass(frozen=True)
class ReusedArticles:
    """The records this build can take as they are, and what it needs to record the rest."""

    context: str
    stamps: FileStamps
    project_dir: Path
    records: dict[str, ArticleRecord]  # path relative to the project -> record
    stored: int  # records in the store read (in this context), -1 when there was none

    def skips(self, path: Path) -> bool:
        """Whether load can leave the file at `path` unread (its record is reused)."""
        return self.project_dir_relative(path) in self.records

    def project_dir_relative(self, path: Path) -> str:
        return path.relative_to(self.project_dir).as_posix()


def records_file(project_dir: Path) -> Path:
    return project_dir / CACHE_DIR / RECORDS_FILE


def stamp_key(project_dir: Path, relative: str) -> str:
    """The key `stamp_inputs` files a project file under."""
    folder, _, name = relative.rpartition("/")
    return os.path.join(str(project_dir / folder), name)


def validation_context(project_dir: Path, stamps: FileStamps, base_url: str | None) -> str:
    """A digest of what every sheet is validated against: site.yaml, metrics.yaml, the actor
    ids (a reference is checked against the actor files there are), the builder's code."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((builder_identity(), RECORD_FORMAT, base_url)).encode())
    actors_folder = str(project_dir / "content" / "actors")
    package = str(BUILDER_DIR)
    for path in sorted(stamps):
        folder, name = os.path.split(path)
        if path in (
            stamp_key(project_dir, "content/site.yaml"),
            stamp_key(project_dir, "content/metrics.yaml"),
        ) or path.startswith(package + os.sep):
            digest.update(f"{path}\0{stamps[path][2]}\n".encode())
        elif folder == actors_folder and name.endswith(".yaml"):
            digest.update(f"actor\0{name}\n".encode())
    return digest.hexdigest()


def read_store(project_dir: Path) -> RecordStore | None:
    store = load_pickle(records_file(project_dir))  # None: validate afresh
    if (
        not isinstance(store, RecordStore)
        or store.builder != builder_identity()
        or store.format != RECORD_FORMAT
    ):
        return None
    return store


def reusable_articles(
    project_dir: Path, stamps: FileStamps, base_url: str | None
) -> ReusedArticles:
    """The recorded sheets whose bytes, seed and validation context are unchanged."""
    context = validation_context(project_dir, stamps, base_url)
    store = read_store(project_dir)
    records: dict[str, ArticleRecord] = {}
    stored = -1
    if store is not None and store.context == context:
        stored = len(store.articles)
        for relative, record in store.articles.items():
            stamp = stamps.get(stamp_key(project_dir, relative))
            seed = stamps.get(stamp_key(project_dir, f"seeds/{record.article.seed}"))
            if (
                stamp is not None
                and seed is not None
                and stamp[2] == record.file_digest
                and seed[2] == record.seed_digest
                and plain_file(project_dir / relative)
            ):
                records[relative] = record
    return ReusedArticles(context, stamps, project_dir, records, stored)


def plain_file(path: Path) -> bool:
    """A regular file, not a link: load's checks on where a file leads then hold as before."""
    try:
        return S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def restored_articles(reused: ReusedArticles, seeds: Mapping[str, str]) -> list[Article]:
    """The reused sheets as validate made them, their seed text put back."""
    return [
        dataclasses.replace(record.article, seed_text=seeds[record.article.seed])
        for record in reused.records.values()
        if record.article.seed in seeds
    ]


def reused_warnings(reused: ReusedArticles) -> list[ContentWarning]:
    return [warning for record in reused.records.values() for warning in record.warnings]


def store_records(
    reused: ReusedArticles,
    fresh: Iterable[Article],
    warnings: Iterable[ContentWarning],
) -> None:
    """Record the freshly validated sheets (with their warnings) beside the reused ones, and
    forget sheets that are gone. Nothing is written when nothing changed; a folder that
    cannot be written only costs the next build its head start."""
    fresh = list(fresh)
    stamps, project_dir = reused.stamps, reused.project_dir
    live = {
        relative: record
        for relative, record in reused.records.items()
        if stamp_key(project_dir, relative) in stamps
    }
    if not fresh and len(live) == reused.stored:
        return
    by_path: dict[str, list[ContentWarning]] = {}
    for warning in warnings:
        by_path.setdefault(warning.path, []).append(warning)
    for article in fresh:
        relative = article.source.path
        stamp = stamps.get(stamp_key(project_dir, relative))
        seed = stamps.get(stamp_key(project_dir, f"seeds/{article.seed}"))
        if stamp is None or seed is None or not stamp[2] or not seed[2]:
            continue  # read outside the stamps (a link, a file that vanished): not recorded
        live[relative] = ArticleRecord(
            stamp[2],
            seed[2],
            dataclasses.replace(article, seed_text=""),
            tuple(sorted(by_path.get(relative, ()))),
        )
    write_store(project_dir, RecordStore(reused.context, dict(sorted(live.items()))))


def write_store(project_dir: Path, store: RecordStore) -> None:
    write_pickle(records_file(project_dir), store)
