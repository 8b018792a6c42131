"""Search, reused: the live version's Pagefind bundle when no searchable page changed, else a
new one over the searchable pages of the version being written.

Input: the `VersionWriter` of the new version, its searchable pages already written.
Output: pagefind/... in the new version (linked from the live version, or written).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from builder.search import SEARCH_BUNDLE_DIR, run_pagefind
from builder.write import VersionWriter, safe_output_path

BUNDLE_PREFIX = f"{SEARCH_BUNDLE_DIR}/"


def reuse_search_bundle(version: VersionWriter) -> bool:
    """Link the live version's search bundle into the new one; False when it has none."""
    bundle = [path for path in version.previous if path.startswith(BUNDLE_PREFIX)]
    return bool(bundle) and all(version.reuse(path) for path in bundle)


def write_search_bundle(version: VersionWriter, searchable: list[str]) -> None:
    """Run Pagefind over the searchable pages (linked from the new version into a scratch
    folder: listings are neither read nor indexed) and write its bundle into the version.
    Whatever a failed reuse linked of the old bundle is replaced."""
    for path in [p for p in version.digests if p.startswith(BUNDLE_PREFIX)]:
        safe_output_path(version.root, path).unlink()
        del version.digests[path]
    with tempfile.TemporaryDirectory(prefix="factsheet-search-") as scratch:
        site_dir = Path(scratch)
        for path in searchable:
            target = safe_output_path(site_dir, path)
            target.parent.mkdir(parents=True, exist_ok=True)
            source = safe_output_path(version.root, path)
            try:
                os.link(source, target)
            except OSError:  # the scratch folder is on another file system
                shutil.copyfile(source, target)
        run_pagefind(site_dir)
        bundle = site_dir / SEARCH_BUNDLE_DIR
        for file in sorted(bundle.rglob("*")):
            if file.is_file():
                version.write(
                    f"{SEARCH_BUNDLE_DIR}/{file.relative_to(bundle).as_posix()}", file.read_bytes()
                )
