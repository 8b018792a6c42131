"""The validated-record cache: each fact sheet's typed `Article`, kept from the last build, so
that load and validate read and check only the files that changed.

Input: the input stamps of this build (builder/write/cache.py `stamp_inputs`: every file's
content digest, computed there anyway) and the record store the last build left.
Output: `ReusedArticles`, the articles whose file, seed and validation context are as
recorded (load skips them, validate adds them back); after index, the new store.

The store is `RECORD_SHARDS` files under .factsheets-cache/records/, a sheet's shard chosen
by a digest of its path, so one edit rewrites one shard. Each shard names the validation
context and builder it was written for (`ShardHeader`). A record also keeps the sheet's
`fact_digest` (for render's page keys) and the actor mentions index found in its seed, with
a digest of the alias forms they were found under: a reused sheet is not searched again
while the actors' aliases are the same.

A record is reused only when all that its validation read is unchanged: the sheet's bytes,
its seed's bytes, and the context every sheet is checked against (site.yaml, metrics.yaml,
the set of actor ids, the builder's code and identity). Only sheets that validated without
an error are recorded, so a broken file is read and reported again on every build. The
warnings a sheet gave are kept with it and reported again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from stat import S_ISREG
from typing import Any

from builder.errors import ContentWarning
from builder.index import Mentions
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
RECORD_FORMAT = 3
RECORDS_FOLDER = "records"
# The store is split by a digest of each sheet's path, so that one edited sheet rewrites
# one shard (some 150 records at 10,000 sheets), not the whole store.
RECORD_SHARDS = 64


@dataclass(frozen=True)
class ArticleRecord:
    """One fact sheet as validated, with the digests of what its validation read."""

    file_digest: str
    seed_digest: str
    article: Article  # its `seed_utf8` emptied: the seed is read anyway, and it is large
    warnings: tuple[ContentWarning, ...]
    facts: str | None  # `fact_digest` of the article, worked out once when it was validated
    # The actor mentions index found in its seed text, with the `matcher_key` they were
    # found under (None: not indexed, a draft).
    mentions: tuple[str, Mentions] | None = None


@dataclass(frozen=True)
class ShardHeader:
    """What a shard was written for: records are reused only under the same header."""

    context: str  # `validation_context` of the build that wrote it
    builder: tuple[object, ...] = dataclasses.field(default_factory=lambda: builder_identity())
    format: int = RECORD_FORMAT


@dataclass(frozen=True)
class ReusedArticles:
    """The records this build can take as they are, and what it needs to record the rest."""

    context: str
    stamps: FileStamps
    project_dir: Path
    records: dict[str, ArticleRecord]  # path relative to the project -> record
    # Shard number -> the paths its file holds in this context (absent: written for
    # another context, or missing): a shard whose paths change is written again.
    stored: dict[int, frozenset[str]]

    def skips(self, relative: str) -> bool:
        """Whether load can leave the file at `relative` (to the project) unread: its
        record is reused."""
        return relative in self.records

    def known_mentions(self, key: str, article: Article) -> Mentions | None:
        """`build_archive`'s `known_mentions`: those recorded with a reused sheet."""
        record = self.records.get(article.source.path)
        if record is None or record.mentions is None or record.mentions[0] != key:
            return None
        return record.mentions[1]

    def fact_digests(self) -> dict[str, str | None]:
        """Sheet path -> `fact_digest` of its reused article."""
        return {relative: record.facts for relative, record in self.records.items()}


def shard_file(project_dir: Path, shard: int) -> Path:
    return project_dir / CACHE_DIR / RECORDS_FOLDER / f"{shard:02x}.pickle"


def shard_of(relative: str) -> int:
    """The shard a sheet's record is kept in (stable across builds and machines)."""
    return hashlib.blake2b(relative.encode(), digest_size=2).digest()[0] % RECORD_SHARDS


def stamp_key(project_dir: Path, relative: str) -> str:
    """The key `stamp_inputs` files a project file under (`relative` is normalised, as
    `as_posix` of a relative path gives it): as `project_dir / relative` prints, without
    making the Path (a tenth of the time, on 20,000 look-ups)."""
    folder = os.fspath(project_dir)
    return relative if folder == os.curdir else os.path.join(folder, relative)


def validation_context(project_dir: Path, stamps: FileStamps, base_url: str | None) -> str:
    """A digest of what every sheet is validated against: site.yaml, metrics.yaml, the actor
    ids (a reference is checked against the actor files there are), the builder's code."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((builder_identity(), RECORD_FORMAT, base_url)).encode())
    actors_folder = stamp_key(project_dir, "content/actors")
    settings = (
        stamp_key(project_dir, "content/site.yaml"),
        stamp_key(project_dir, "content/metrics.yaml"),
    )
    package = str(BUILDER_DIR) + os.sep
    # Filtered before sorting: the stamps name every sheet and seed too.
    for path in sorted(
        path
        for path in stamps
        if path.startswith((package, actors_folder + os.sep)) or path in settings
    ):
        folder, name = os.path.split(path)
        if path in settings or path.startswith(package):
            digest.update(f"{path}\0{stamps[path][2]}\n".encode())
        elif folder == actors_folder and name.endswith(".yaml"):
            digest.update(f"actor\0{name}\n".encode())
    return digest.hexdigest()


# What a sheet holds besides its summary (and the line it starts on, which only places
# error messages) and its seed's text (the seed's digest stands for it).
FACT_FIELDS = tuple(
    item.name
    for item in dataclasses.fields(Article)
    if item.name not in ("summary_md", "summary_line", "seed_utf8")
)
# How `repr` shows an object without a dataclass repr: its address, different every build.
UNSTABLE_REPR = " at 0x"


def fact_digest(article: Article) -> str | None:
    """A digest of all a sheet holds but its summary and its seed's text; None when that
    cannot be told by its `repr` (an object without a dataclass repr)."""
    shown = repr([getattr(article, name) for name in FACT_FIELDS])
    if UNSTABLE_REPR in shown:
        return None
    return hashlib.blake2b(shown.encode(), digest_size=16).hexdigest()


def read_shard(project_dir: Path, shard: int, context: str) -> dict[str, ArticleRecord] | None:
    """A shard's records, when it was written in `context` by this builder; else None."""
    data = load_pickle(shard_file(project_dir, shard))  # None: validate afresh
    try:
        header, records = pickle.loads(data) if isinstance(data, bytes) else (None, None)
    except Exception:  # truncated, foreign, from an older builder: validate afresh
        return None
    if header != ShardHeader(context) or not isinstance(records, dict):
        return None
    return records


def reusable_articles(
    project_dir: Path, stamps: FileStamps, base_url: str | None
) -> ReusedArticles:
    """The recorded sheets whose bytes, seed and validation context are unchanged."""
    context = validation_context(project_dir, stamps, base_url)
    records: dict[str, ArticleRecord] = {}
    stored: dict[int, frozenset[str]] = {}
    for shard in range(RECORD_SHARDS):
        shard_records = read_shard(project_dir, shard, context)
        if shard_records is None:
            continue
        stored[shard] = frozenset(shard_records)
        for relative, record in shard_records.items():
            stamp = stamps.get(stamp_key(project_dir, relative))
            seed = stamps.get(stamp_key(project_dir, f"seeds/{record.article.seed}"))
            if (
                stamp is not None
                and seed is not None
                and stamp[2] == record.file_digest
                and seed[2] == record.seed_digest
                and plain_file(stamp_key(project_dir, relative))
            ):
                records[relative] = record
    return ReusedArticles(context, stamps, project_dir, records, stored)


def plain_file(path: str) -> bool:
    """A regular file, not a link: load's checks on where a file leads then hold as before."""
    try:
        return S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def restored_articles(reused: ReusedArticles, seeds: Mapping[str, str]) -> list[Article]:
    """The reused sheets as validate made them, their seed text put back."""
    return [
        with_seed(record.article, seeds[record.article.seed].encode("utf-8"))
        for record in reused.records.values()
        if record.article.seed in seeds
    ]


ARTICLE_FIELDS = tuple(item.name for item in dataclasses.fields(Article))
ARTICLE_VALUES = attrgetter(*ARTICLE_FIELDS)
SEED_FIELD = ARTICLE_FIELDS.index("seed_utf8")


def with_seed(article: Article, seed_utf8: bytes) -> Article:
    """`dataclasses.replace(article, seed_utf8=seed_utf8)` in a tenth of its time (which
    looks the fields up for every call: 0.3 s of an edit at 10,000 articles)."""
    values = list(ARTICLE_VALUES(article))
    values[SEED_FIELD] = seed_utf8
    return Article(*values)


def reused_warnings(reused: ReusedArticles) -> list[ContentWarning]:
    return [warning for record in reused.records.values() for warning in record.warnings]


def store_records(
    reused: ReusedArticles,
    fresh: Iterable[Article],
    warnings: Iterable[ContentWarning],
    mention_key: str,
    mentions: Mapping[str, Mentions],
) -> dict[str, str | None]:
    """Record the freshly validated sheets (with their warnings and the `mentions` index
    found in them, by slug, under `mention_key`) beside the reused ones, and forget sheets
    that are gone; only the shards whose records changed are written. A folder that cannot
    be written only costs the next build its head start. Returns the `fact_digest` of
    every sheet, fresh and reused, by path."""
    fresh = list(fresh)
    stamps, project_dir = reused.stamps, reused.project_dir
    live: dict[str, ArticleRecord] = {}
    changed: set[int] = set()
    for relative, record in reused.records.items():
        if stamp_key(project_dir, relative) not in stamps:
            continue
        found = mentions.get(record.article.slug)
        if found is not None and record.mentions != (mention_key, found):
            record = dataclasses.replace(record, mentions=(mention_key, found))
            changed.add(shard_of(relative))  # the actors' aliases changed
        live[relative] = record
    by_path: dict[str, list[ContentWarning]] = {}
    for warning in warnings:
        by_path.setdefault(warning.path, []).append(warning)
    digests = reused.fact_digests()
    for article in fresh:
        relative = article.source.path
        digests[relative] = fact_digest(article)
        stamp = stamps.get(stamp_key(project_dir, relative))
        seed = stamps.get(stamp_key(project_dir, f"seeds/{article.seed}"))
        if stamp is None or seed is None or not stamp[2] or not seed[2]:
            continue  # read outside the stamps (a link, a file that vanished): not recorded
        live[relative] = ArticleRecord(
            stamp[2],
            seed[2],
            dataclasses.replace(article, seed_utf8=b""),
            tuple(sorted(by_path.get(relative, ()))),
            digests[relative],
            (mention_key, found) if (found := mentions.get(article.slug)) is not None else None,
        )
        changed.add(shard_of(relative))
    shards: dict[int, dict[str, ArticleRecord]] = {}
    for relative in sorted(live):
        shards.setdefault(shard_of(relative), {})[relative] = live[relative]
    for shard in range(RECORD_SHARDS):
        records = shards.get(shard, {})
        if shard in changed or reused.stored.get(shard, frozenset()) != records.keys():
            write_shard(project_dir, shard, (ShardHeader(reused.context), records))
    return digests


def write_shard(
    project_dir: Path, shard: int, content: tuple[ShardHeader, dict[str, ArticleRecord]]
) -> None:
    """The shard, pickled by `RecordPickler` and stored (atomically) as bytes."""
    target = shard_file(project_dir, shard)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    data = io.BytesIO()
    RecordPickler(data, protocol=pickle.HIGHEST_PROTOCOL).dump(content)
    write_pickle(target, data.getvalue())


# Class -> its fields as `RecordPickler` passes them (None: pickled as usual).
FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


class RecordPickler(pickle.Pickler):
    """Pickles a slotted dataclass as a call of its class with its field values: read back
    several times faster than the dataclass's own `__setstate__` (which asks `fields()` for
    every object), and a little smaller."""

    def reducer_override(self, obj: object) -> Any:
        cls = type(obj)
        names = FIELD_NAMES.get(cls, ())
        if names == ():
            names = FIELD_NAMES[cls] = init_fields(cls)
        if names is None:
            return NotImplemented
        return (cls, tuple([getattr(obj, name) for name in names]))


def init_fields(cls: type) -> tuple[str, ...] | None:
    """The fields of a slotted dataclass whose every field is an `__init__` argument."""
    if not dataclasses.is_dataclass(cls) or "__slots__" not in vars(cls):
        return None
    fields = dataclasses.fields(cls)
    if not fields or not all(item.init for item in fields):
        return None
    return tuple(item.name for item in fields)
