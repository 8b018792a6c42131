"""Write: rendered outputs -> the output folder, swapped in whole or not at all.

Input: `{output path: bytes}` from the render stages, the static assets folder, and the
checks to run on the finished tree before it goes live.
Output: the output folder replaced by the new site. If anything fails before the swap
(a check, a bad path, a full disk), the temporary tree is removed and the old site is
left exactly as it was.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath

from builder.errors import ContentError, ContentErrors

# Written into every output folder; an existing folder without it is never replaced,
# so a mistyped --out cannot delete someone's files.
BUILD_MARKER = ".factsheet-build"


def merge_outputs(*outputs: Mapping[str, bytes]) -> dict[str, bytes]:
    """One mapping of every output file; two producers claiming one path is a bug."""
    merged: dict[str, bytes] = {}
    for output in outputs:
        for path, data in output.items():
            if path in merged:
                raise ValueError(f"two outputs claim the same path: {path}")
            merged[path] = data
    return dict(sorted(merged.items()))


def safe_output_path(root: Path, relative: str) -> Path:
    """root/relative, refusing absolute paths and any '..' that would leave root."""
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
        raise ValueError(f"unsafe output path: {relative!r}")
    return root.joinpath(*parts)


def write_site(
    outputs: Mapping[str, bytes],
    out_dir: Path,
    static_dir: Path | None = None,
    before_swap: Sequence[Callable[[Path], None]] = (),
) -> int:
    """Write a fresh tree beside out_dir, check it, swap it in; returns the file count."""
    refuse_foreign_folder(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.with_name(f".{out_dir.name}.new-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir()
        write_files(staging, outputs.items())
        if static_dir is not None and static_dir.is_dir():
            shutil.copytree(static_dir, staging / "static")
        (staging / BUILD_MARKER).write_text("built by python -m builder\n", encoding="utf-8")
        for check in before_swap:
            check(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_in(staging, out_dir)
    return sum(1 for path in out_dir.rglob("*") if path.is_file())


def refuse_foreign_folder(out_dir: Path) -> None:
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / BUILD_MARKER).exists():
        raise ContentErrors(
            [
                ContentError(
                    out_dir.as_posix(),
                    0,
                    "refusing to replace this folder: it was not written by this builder",
                    "choose another --out folder, or empty this one first",
                )
            ]
        )


def write_files(root: Path, files: Iterable[tuple[str, bytes]]) -> None:
    for relative, data in files:
        target = safe_output_path(root, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def swap_in(staging: Path, out_dir: Path) -> None:
    """Two renames (POSIX cannot rename over a non-empty folder), then drop the old tree."""
    retired = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    shutil.rmtree(retired, ignore_errors=True)
    if out_dir.exists():
        out_dir.rename(retired)
    staging.rename(out_dir)
    shutil.rmtree(retired, ignore_errors=True)
