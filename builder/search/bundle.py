"""Search, reused: the live version's Pagefind bundle when no searchable page changed, else a
new one over the searchable pages of the version being written.

Input: the `VersionWriter` of the new version, its searchable pages already written.
Output: pagefind/... in the new version (linked from the live version, or written).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from builder.search.pagefind import SEARCH_BUNDLE_DIR, index_pages
from builder.write.version import VersionWriter, safe_output_path

BUNDLE_PREFIX = f"{SEARCH_BUNDLE_DIR}/"


def reuse_search_bundle(version: VersionWriter) -> bool:
    """Link the live version's search bundle into the new one; False when it has none."""
    bundle = [path for path in version.previous if path.startswith(BUNDLE_PREFIX)]
    return bool(bundle) and all(version.reuse(path) for path in bundle)


def write_search_bundle(version: VersionWriter, searchable: list[str]) -> None:
    """Index the searchable pages of the new version (see `search.index_pages`: listings are
    neither read nor indexed) and write the bundle into the version. Whatever a failed reuse
    linked of the old bundle is replaced."""
    for path in [p for p in version.digests if p.startswith(BUNDLE_PREFIX)]:
        safe_output_path(version.root, path).unlink()
        del version.digests[path]
    pages = WrittenPages(version.root)
    for path, data in index_pages(pages, searchable).items():
        version.write(path, data)


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
