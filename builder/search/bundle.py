"""Search, reused shard by shard: each shard of the live version's Pagefind bundle whose pages
are unchanged is linked into the new version; only the shards holding a changed, added or
removed searchable page are indexed again.

Input: the `VersionWriter` of the new version, its searchable pages already written (path ->
content digest), and the shard keys the live version's bundle was made from.
Output: pagefind/... in the new version (each shard linked from the live version, or
written), and the shard keys of the new bundle, for the next build.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from importlib.metadata import version as package_version
from pathlib import Path
from queue import Queue
from threading import Event

from builder.search import pagefind as search
from builder.search import service
from builder.search.pagefind import (
    SEARCH_BUNDLE_DIR,
    SHARDS_FILE,
    bundle_files,
    index_shards,
    shard_paths,
    shards_file,
)
from builder.write.cache import search_key
from builder.write.version import VersionWriter, safe_output_path

# What else decides a shard's bundle besides its pages: the Pagefind that indexed it and the
# search stage's own code (what it feeds Pagefind, the excluded selectors, how).
RECIPE = search_key(
    {
        "pagefind": package_version("pagefind"),
        "search.py": hashlib.blake2b(Path(search.__file__).read_bytes()).hexdigest(),
        "service.py": hashlib.blake2b(Path(service.__file__).read_bytes()).hexdigest(),
    }
)


def shard_key(number: int, pages: Mapping[str, str]) -> str:
    """A digest of what shard `number`'s bundle is made from: its pages (path -> digest)."""
    return search_key({"": RECIPE, "shard": str(number), **pages})


def reuse_shard(version: VersionWriter, bundle: list[str]) -> bool:
    """Link a shard's `bundle` (its files' output paths) from the live version; False (and
    nothing linked) when the live version has none or a file of it cannot be linked."""
    if bundle and all(version.reuse(path) for path in bundle):
        return True
    drop_written(version, [path for path in bundle if path in version.digests])
    return False


def drop_written(version: VersionWriter, paths: list[str]) -> None:
    for path in paths:
        safe_output_path(version.root, path).unlink()
        del version.digests[path]


@contextmanager
def search_bundle_started(
    version: VersionWriter, searchable: Mapping[str, str], previous: tuple[str, ...]
) -> Iterator[Callable[[], tuple[str, ...]]]:
    """The search bundle of the new version's `searchable` pages (path -> digest) begun: a
    shard whose key is the one `previous` (the live version's shard keys) records is
    linked at once, the others indexed on a thread of their own (see `search.index_shards`;
    Pagefind runs in processes of its own, so the build goes on meanwhile: the searchable
    pages must all be written already, and stay as they are).
    The block is given what waits for the indexing, writes the indexed shards' files and
    returns the shard keys; it is to be called in the block, on the thread that writes
    the version (the indexing thread reads pages, it writes nothing). Should the block
    end without it (an error), the block's end waits for the indexing to stop first, so
    that no Pagefind process outlives it nor reads a version being removed."""
    shards = shard_paths(searchable, search.SHARD_PAGES)
    keys = tuple(
        shard_key(number, {path: searchable[path] for path in paths})
        for number, paths in enumerate(shards, start=1)
    )
    live_bundles = bundle_files(version.previous)
    stale = {
        number: paths
        for number, paths in enumerate(shards, start=1)
        if previous[number - 1 : number] != keys[number - 1 : number]
        or not reuse_shard(version, live_bundles.get(number, []))
    }
    handed: Queue[tuple[int, dict[str, bytes]] | None] = Queue(maxsize=search.SEARCH_JOBS)
    abandoned = Event()
    received_all = Event()  # the end of the handed bundles was taken

    def index_stale() -> None:
        """On the indexing thread: each stale shard's bundle handed over as it comes, a
        few at most held (a cold build's whole bundle is some 70 MB at 10,000 articles);
        stopped early when the block is left without waiting for it."""
        try:
            for shard in index_shards(WrittenPages(version.root), stale):
                if abandoned.is_set():
                    break
                handed.put(shard)
        finally:
            handed.put(None)

    def finished() -> tuple[str, ...]:
        while (shard := handed.get()) is not None:
            for path, data in sorted(shard[1].items()):
                version.write(path, data)
        received_all.set()
        indexing.result()  # raises what stopped the indexing
        version.write(f"{SEARCH_BUNDLE_DIR}/{SHARDS_FILE}", shards_file(len(shards)))
        return keys

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="search") as pool:
        indexing = pool.submit(index_stale)
        try:
            yield finished
        finally:
            if not received_all.is_set():
                abandoned.set()
                while handed.get() is not None:
                    pass


class WrittenPages(Mapping[str, bytes]):
    """The version's written files by output path, read when asked for: the search stage
    holds one page at a time, not the site."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __getitem__(self, path: str) -> bytes:
        return safe_output_path(self.root, path).read_bytes()

    def __iter__(self) -> Iterator[str]:
        raise NotImplementedError("the written pages are read by path, not listed")

    def __len__(self) -> int:
        raise NotImplementedError("the written pages are read by path, not counted")
