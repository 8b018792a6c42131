"""The build cache: what the last good build of an output read and wrote, so that the next
build does only what changed.

Input: the project folder, the output folder and the options that shape the site.
Output: `BuildCache` records in <project>/.factsheets-cache/, one per output folder:
- every input file (content/, seeds/, templates/, the packaged theme, the builder's own
  code) by its size, modification time and content digest;
- the live version folder that build wrote, with the digest of each of its files (an
  unchanged file of the next version is hard-linked from it) and of its searchable pages
  (a search shard whose pages are all unchanged is reused);
- the spare: the version that build retired, with the digest of each of its files (the next
  build recycles it: builder/write/version.py);
- the dependency key, links and searchability of each page whose key can be named
  (builder/render/page_cache.py): a page whose key is unchanged is linked, not rendered;
- the summary that build printed.

When every input and option is as recorded and the output is still that version,
`unchanged_summary` returns the summary and the build has nothing to do. A cache that is
missing, corrupt, from another version of the builder or for another output is ignored
(the build is then a full one), never an error; so is a cache folder that cannot be written.

This module imports nothing heavy: the nothing-changed path runs before the pipeline loads.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import sys
import time
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG

from builder.errors import ContentWarning

CACHE_DIR = ".factsheets-cache"
# Bump when what a record holds, or what it means, changes: older records are then ignored.
CACHE_FORMAT = 6
INPUT_FOLDERS = ("content", "seeds", "templates")
# The builder package: its own code is an input of every build.
BUILDER_DIR = Path(__file__).resolve().parents[1]
# A file changed this close to the moment it was recorded may change again within the same
# modification time: its stat is not trusted next time, its digest is compared (as git does
# for "racily clean" entries).
RACY_SECONDS = 2.0

# path -> (size, modification time in ns, or -1 when not to be trusted; content digest)
FileStamps = dict[str, tuple[int, int, str]]


@dataclass(frozen=True)
class BuildSummary:
    """What `build` reports, kept so that a build with nothing to do can report it too."""

    counts: str  # "5 articles, 12 events, ..."
    pages: int
    files: int
    coverage: str
    drafts: int
    warnings: tuple[ContentWarning, ...] = ()


# Ends each link in `PackedLinks`: a NUL cannot stand in an HTML attribute.
LINK_END = "\0"


@dataclass(frozen=True, slots=True)
class PackedLinks:
    """The links a page makes (as `RenderedPage.links`: every distinct link, in order), as
    one compressed blob. The build keeps them for every page, and the cache records them:
    as tuples of strings they were the largest thing the build held (150 MB at 10,000
    articles, most of it in links that differ only in their fragment), and pickling them
    the slowest part of writing the cache. Compressed, a page's links take a fifth of their
    text (the same folders and slugs recur), and equal links pack to equal bytes; the check
    unpacks them once."""

    packed: bytes

    @classmethod
    def of(cls, links: Sequence[str]) -> PackedLinks:
        text = "".join(link + LINK_END for link in links)
        if text.count(LINK_END) != len(links):
            raise ValueError(f"a link holds a NUL: {links!r}")
        return cls(zlib.compress(text.encode("utf-8"), 1))

    def unpacked(self) -> tuple[str, ...]:
        return tuple(zlib.decompress(self.packed).decode("utf-8").split(LINK_END)[:-1])

    def __iter__(self) -> Iterator[str]:
        return iter(self.unpacked())


@dataclass(frozen=True)
class VersionRecord:
    """A version folder beside the output: its name, and the digest of each of its files."""

    name: str
    outputs: Mapping[str, str]  # output path -> content digest


@dataclass(frozen=True)
class BuildCache:
    """The record of the last good build of one output folder."""

    options: tuple[object, ...]
    inputs: FileStamps
    version: str  # the version folder's name
    outputs: dict[str, str]  # output path -> content digest
    search_key: tuple[str, ...]  # per search shard: digest of its pages (builder/search_bundle)
    summary: BuildSummary
    # Page path -> its dependency key, links and searchability (builder/render/page_cache.py), for
    # the pages whose key can be named: such a page, its key unchanged, is not rendered.
    pages: Mapping[str, object] = field(default_factory=dict)
    spare: VersionRecord | None = None  # the version retired by this build's swap, kept
    builder: tuple[object, ...] = field(default_factory=lambda: builder_identity())


@dataclass(frozen=True)
class CacheBody:
    """The bulk of a `BuildCache`, kept in a file of its own (`read_cache`)."""

    version: str  # the head's: a body goes with the head of the same build only
    outputs: dict[str, str]
    search_key: tuple[str, ...]
    pages: Mapping[str, object]
    spare: VersionRecord | None


def builder_identity() -> tuple[object, ...]:
    return (CACHE_FORMAT, sys.version, sys.implementation.name)


def options_key(base_url: str | None, drafts: bool, strict: bool) -> tuple[object, ...]:
    """The options that change what a build writes (not --jobs: the site is the same)."""
    return (base_url, drafts, strict)


def cache_file(project_dir: Path, out_dir: Path) -> Path:
    """Where the record for `out_dir` lives: one per output folder, so that `serve`'s preview
    and `build`'s site do not overwrite each other's."""
    return project_dir / CACHE_DIR / f"output-{output_name(out_dir)}.pickle"


def body_file(project_dir: Path, out_dir: Path) -> Path:
    return project_dir / CACHE_DIR / f"output-{output_name(out_dir)}.body.pickle"


def output_name(out_dir: Path) -> str:
    return hashlib.blake2b(os.fsencode(os.path.abspath(out_dir)), digest_size=8).hexdigest()


def read_cache(project_dir: Path, out_dir: Path, *, whole: bool = True) -> BuildCache | None:
    """The record for `out_dir`, or None when there is none this builder can trust. Only
    its head (inputs, options, version, summary) unless `whole`: the nothing-changed check
    needs no more, and the body (every output's digest, every page's links) is most of it."""
    head = load_pickle(cache_file(project_dir, out_dir))
    if not isinstance(head, BuildCache) or head.builder != builder_identity():
        return None
    if not whole:
        return head
    body = load_pickle(body_file(project_dir, out_dir))
    if not isinstance(body, CacheBody) or body.version != head.version:
        return None  # a body of another build: written, then its head never was
    return dataclasses.replace(
        head, outputs=body.outputs, search_key=body.search_key, pages=body.pages, spare=body.spare
    )


def load_pickle(path: Path) -> object:
    try:
        with path.open("rb") as stream:
            return pickle.load(stream)
    except Exception:  # missing, truncated, foreign, from an older builder: start afresh
        return None


def write_cache(project_dir: Path, out_dir: Path, cache: BuildCache) -> None:
    """Store the record (atomically: a reader sees the old one or the new one), the body
    first: a head always names a body that was written whole. A folder that cannot be
    written only costs the next build its head start."""
    body = CacheBody(cache.version, cache.outputs, cache.search_key, cache.pages, cache.spare)
    head = dataclasses.replace(cache, outputs={}, search_key=(), pages={}, spare=None)
    for target, record in (
        (body_file(project_dir, out_dir), body),
        (cache_file(project_dir, out_dir), head),
    ):
        if not write_pickle(target, record):
            return


def write_pickle(target: Path, record: object) -> bool:
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(exist_ok=True)
        with temporary.open("wb") as stream:
            pickle.dump(record, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, target)
    except OSError:
        temporary.unlink(missing_ok=True)
        return False
    return True


def forget_cache(project_dir: Path, out_dir: Path) -> None:
    """Drop the record (for `--no-cache`: the build that follows is a clean one)."""
    cache_file(project_dir, out_dir).unlink(missing_ok=True)
    body_file(project_dir, out_dir).unlink(missing_ok=True)


def input_roots(project_dir: Path) -> list[Path]:
    """The folders whose files decide the site: the project's, the packaged theme's and the
    builder's own code (an upgraded builder may write a different site)."""
    roots = [project_dir / name for name in INPUT_FOLDERS]
    return [*roots, BUILDER_DIR, BUILDER_DIR.parent / "templates"]


def input_files(project_dir: Path) -> Iterator[tuple[str, os.stat_result]]:
    """Every input file (as a path string) with its stat, in a fixed order. Hidden folders,
    byte-code caches and this cache are not inputs."""
    for root in input_roots(project_dir):
        for folder, subfolders, names in os.walk(root, followlinks=True):
            subfolders[:] = sorted(
                name for name in subfolders if not name.startswith(".") and name != "__pycache__"
            )
            for name in sorted(names):
                if name.endswith((".pyc", ".tmp")):
                    continue
                path = os.path.join(folder, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                yield path, stat


def file_digest(path: str, stat: os.stat_result) -> str:
    """The digest of a regular file's bytes; "" for anything else (a pipe would block the
    read; loading the project reports it)."""
    if not S_ISREG(stat.st_mode):
        return ""
    try:
        with open(path, "rb") as stream:
            return hashlib.file_digest(stream, "blake2b").hexdigest()[:32]
    except OSError:  # unreadable: loading the project reports it
        return ""


def stamp_inputs(project_dir: Path, known: FileStamps | None = None) -> FileStamps:
    """Every input file's stamp; a digest is computed only for a file whose size or time
    differs from `known` (the last build's stamps)."""
    known = known or {}
    now = time.time_ns()
    stamps: FileStamps = {}
    for path, stat in input_files(project_dir):
        before = known.get(path)
        if before and before[0] == stat.st_size and before[1] == stat.st_mtime_ns:
            digest = before[2]
        else:
            digest = file_digest(path, stat)
        racy = now - stat.st_mtime_ns < RACY_SECONDS * 1e9
        stamps[path] = (stat.st_size, -1 if racy else stat.st_mtime_ns, digest)
    return stamps


def inputs_unchanged(project_dir: Path, known: FileStamps) -> bool:
    """Whether every input file is the one `known` records (same set, same bytes)."""
    count = 0
    for path, stat in input_files(project_dir):
        before = known.get(path)
        if before is None or before[0] != stat.st_size:
            return False
        if before[1] != stat.st_mtime_ns and before[2] != file_digest(path, stat):
            return False
        count += 1
    return count == len(known)


def live_version_name(out_dir: Path) -> str | None:
    """The version folder the output link names, if it is a link to a folder."""
    try:
        target = os.readlink(out_dir)
    except OSError:
        return None
    return target if os.path.isdir(out_dir.with_name(target)) else None


def unchanged_summary(
    project_dir: Path, out_dir: Path, options: tuple[object, ...]
) -> BuildSummary | None:
    """The last build's summary, when every input and option is unchanged and `out_dir`
    still shows what that build wrote; else None (there is work to do)."""
    cache = read_cache(project_dir, out_dir, whole=False)
    if cache is None or cache.options != options:
        return None
    if live_version_name(out_dir) != cache.version:
        return None
    return cache.summary if inputs_unchanged(project_dir, cache.inputs) else None


def search_key(searchable: Mapping[str, str]) -> str:
    """A digest of the searchable pages (path -> content digest): equal keys, equal index."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(searchable):
        digest.update(f"{path}\0{searchable[path]}\n".encode())
    return digest.hexdigest()
