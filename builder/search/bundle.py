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
from collections.abc import Iterator, Mapping
from importlib.metadata import version as package_version
from pathlib import Path

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


def write_search_bundle(
    version: VersionWriter, searchable: Mapping[str, str], previous: tuple[str, ...]
) -> tuple[str, ...]:
    """Write the search bundle of the new version's `searchable` pages (path -> digest);
    a shard whose key is the one `previous` (the live version's shard keys) records is
    linked, the others indexed (see `search.index_shards`). Returns the new shard keys."""
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
    for _, files in index_shards(WrittenPages(version.root), stale):
        for path, data in sorted(files.items()):
            version.write(path, data)
    version.write(f"{SEARCH_BUNDLE_DIR}/{SHARDS_FILE}", shards_file(len(shards)))
    return keys


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
