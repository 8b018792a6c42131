"""Write: rendered outputs -> the output folder, swapped in whole or not at all.

Input: output files one by one into a `staged_version` (or `{output path: bytes}` all at
once to `write_site`), and the digest of each file of the live version.
Output: the output folder replaced by the new site in one atomic step. A file whose bytes
are those of the live version's file is hard-linked from it rather than written. If anything fails
before the swap (a check, a bad path, a full disk, a kill), the old site is left exactly as
it was, and whatever the failed build left behind is removed by the next build.

Layout beside the output, for `--out _site`:

    _site                   a symbolic link to the live version; a swap renames a new link
                            over it, so a reader sees the old site or the new one, never none
    ._site.build-<token>/   the live version (and, while a build writes, the next one)
    ._site.lock             held by the build that is writing; a second build waits for it

Where symbolic links are not available, the output is a real folder swapped by two renames.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import io
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath

from builder.errors import ContentError, ContentErrors

# Written into every output folder; an existing folder without it is never replaced,
# so a mistyped --out cannot delete someone's files.
BUILD_MARKER = ".factsheet-build"

# Test hook: FACTSHEET_TEST_PAUSE=<point>[:<seconds>] makes the build stop at that point
# (announced on stderr) so that a test can kill it or race it there. Points: "locked",
# "writing" (half the files written), "staged" (checked, not yet swapped), "swapped".
PAUSE_VARIABLE = "FACTSHEET_TEST_PAUSE"


@dataclass(frozen=True)
class OutputLayout:
    """The names a build uses beside `out_dir` (see the module docstring)."""

    out_dir: Path

    @property
    def lock(self) -> Path:
        return self.sibling("lock")

    def sibling(self, suffix: str) -> Path:
        return self.out_dir.with_name(f".{self.out_dir.name}.{suffix}")

    def new_version(self) -> Path:
        return self.sibling(f"build-{secrets.token_hex(8)}")

    def leftover_pattern(self) -> re.Pattern[str]:
        """Names only a build of this output makes: versions, temporary links, and the
        `.new-<pid>`/`.old-<pid>` folders of the two-rename swap (and of older builders)."""
        name = re.escape(self.out_dir.name)
        return re.compile(rf"\.{name}\.(?:(?:build|link)-[0-9a-f]{{16}}|(?:new|old)-[0-9]+)")

    def live_version(self) -> Path | None:
        """The version folder `out_dir` links to, if it is a link this builder made."""
        if not self.out_dir.is_symlink():
            return None
        target = os.readlink(self.out_dir)
        ours = re.fullmatch(rf"\.{re.escape(self.out_dir.name)}\.build-[0-9a-f]{{16}}", target)
        return self.out_dir.with_name(target) if ours else None

    def leftovers(self) -> list[Path]:
        """Everything a killed or finished build left beside the output, the live version
        excepted: safe to delete while holding the lock."""
        live = self.live_version()
        pattern = self.leftover_pattern()
        parent = self.out_dir.parent
        return sorted(
            parent / name
            for name in os.listdir(parent)
            if pattern.fullmatch(name) and (live is None or name != live.name)
        )


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


def say_on_stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def write_site(
    outputs: Mapping[str, bytes],
    out_dir: Path,
    static_dir: Path | None = None,
    before_swap: Sequence[Callable[[Path], None]] = (),
    notice: Callable[[str], None] = say_on_stderr,
) -> int:
    """Write a fresh tree beside out_dir, check it, swap it in; returns the file count.

    `notice` is told when the build has to wait for another build of the same output."""
    with staged_version(out_dir, notice=notice) as version:
        write_files(version.root, outputs.items(), halfway=partial(pause_point, "writing"))
        if static_dir is not None and static_dir.is_dir():
            shutil.copytree(static_dir, version.root / "static")
        for check in before_swap:
            check(version.root)
    return version.files


class VersionWriter:
    """The version being written: each file is written, or, when the live version holds
    the same bytes under the same path (`previous` names their digests), hard-linked from
    it, so that an unchanged file costs neither a write nor disk space."""

    def __init__(self, root: Path, live: Path | None, previous: Mapping[str, str]) -> None:
        self.root = root
        self.live = live
        self.previous = previous if live is not None else {}
        self.digests: dict[str, str] = {}  # every file written so far -> its digest
        self.files = 0  # set once the version is complete

    def write(self, relative: str, data: bytes) -> str:
        """Write (or link) one file; returns its digest. A path written twice is a bug."""
        return self.place(relative, content_digest(data), len(data), lambda t: t.write_bytes(data))

    def copy(self, relative: str, source: io.BufferedIOBase) -> str:
        """`write` for a file open for reading at its start, copied (or linked from the
        live version) without being held in memory; returns its digest."""
        start = source.tell()
        digest = hashlib.file_digest(source, lambda: hashlib.blake2b(digest_size=16))
        size = source.tell() - start

        def put(target: Path) -> None:
            source.seek(start)
            with target.open("wb") as copied:
                shutil.copyfileobj(source, copied)

        return self.place(relative, digest.hexdigest(), size, put)

    def place(self, relative: str, digest: str, size: int, put: Callable[[Path], object]) -> str:
        """Link the live version's file when it has these bytes (`digest`, `size`), else
        `put` them at the target; returns the digest."""
        if relative in self.digests:
            raise ValueError(f"two outputs claim the same path: {relative}")
        target = safe_output_path(self.root, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        same = self.previous.get(relative) == digest
        if not (same and self.link_from_live(relative, target, size)):
            put(target)
        self.digests[relative] = digest
        return digest

    def reuse(self, relative: str) -> bool:
        """Link the live version's file at `relative`, its digest as recorded; False when
        there is none to link."""
        digest = self.previous.get(relative)
        if digest is None or relative in self.digests:
            return False
        target = safe_output_path(self.root, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not self.link_from_live(relative, target):
            return False
        self.digests[relative] = digest
        return True

    def link_from_live(self, relative: str, target: Path, size: int | None = None) -> bool:
        """Hard-link the live version's file; False when it is gone, has another size
        than the `size` expected (someone changed it) or cannot be linked."""
        assert self.live is not None
        source = safe_output_path(self.live, relative)
        try:
            if size is not None and source.stat().st_size != size:
                return False
            os.link(source, target)
        except OSError:  # gone, or a file system without hard links: write it instead
            return False
        return True

    def read(self, relative: str) -> bytes:
        return safe_output_path(self.root, relative).read_bytes()


class StagedFiles(Mapping[str, bytes]):
    """The files of the version being written, read from disk only when asked for (the
    link check reads the pages a `#fragment` points into, for their ids)."""

    def __init__(self, version: VersionWriter) -> None:
        self.version = version

    def __getitem__(self, path: str) -> bytes:
        if path not in self.version.digests:
            raise KeyError(path)
        return self.version.read(path)

    def __iter__(self) -> Iterator[str]:
        return iter(self.version.digests)

    def __len__(self) -> int:
        return len(self.version.digests)

    def __contains__(self, path: object) -> bool:
        return path in self.version.digests


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@contextmanager
def staged_version(
    out_dir: Path,
    previous: Callable[[Path], Mapping[str, str]] = lambda live: {},
    after_swap: Callable[[VersionWriter], None] = lambda version: None,
    notice: Callable[[str], None] = say_on_stderr,
) -> Iterator[VersionWriter]:
    """A new version folder beside `out_dir` to write into; swapped in when the block ends
    without an exception, deleted when it raises (the live version untouched either way).
    `previous` gives, for the live version, the digest of each of its files: those whose
    bytes come out the same are hard-linked rather than written. `after_swap` is called
    once the version is live, the output still locked."""
    # Absolute, so that the names beside it are right for "--out ." or "--out ../site" too;
    # not resolved, so that the link itself is what gets replaced.
    layout = OutputLayout(Path(os.path.abspath(out_dir)))
    refuse_foreign_folder(layout, out_dir)
    layout.out_dir.parent.mkdir(parents=True, exist_ok=True)
    with held_lock(layout.lock, out_dir, notice):
        pause_point("locked")
        remove_all(layout.leftovers())
        staging = layout.new_version()
        live = layout.live_version()
        try:
            staging.mkdir()
            version = VersionWriter(staging, live, previous(live) if live else {})
            yield version
            (staging / BUILD_MARKER).write_text("built by python -m builder\n", encoding="utf-8")
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        version.files = sum(1 for path in staging.rglob("*") if path.is_file())
        pause_point("staged")
        retired = swap_in(staging, layout)
        pause_point("swapped")
        after_swap(version)
        remove_all(retired)


def refuse_foreign_folder(layout: OutputLayout, shown: Path) -> None:
    """Only replace an output this builder wrote: a folder with the marker, or its link.
    `shown` is the output as the user named it, for the message."""
    out_dir = layout.out_dir
    if out_dir.is_symlink():
        if layout.live_version() is None:
            raise refusal(shown, "refusing to replace this link: it was not made by this builder")
        return
    if out_dir == out_dir.parent:
        raise refusal(shown, "refusing to replace the root folder", "choose another --out folder")
    if out_dir.exists() and not out_dir.is_dir():
        raise refusal(shown, "refusing to replace this file", "choose another --out folder")
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / BUILD_MARKER).exists():
        raise refusal(shown, "refusing to replace this folder: it was not written by this builder")


def refusal(
    out_dir: Path, message: str, hint: str = "choose another --out folder, or empty this one first"
) -> ContentErrors:
    return ContentErrors([ContentError(out_dir.as_posix(), 0, message, hint)])


@contextmanager
def held_lock(lock_file: Path, out_dir: Path, notice: Callable[[str], None]) -> Iterator[None]:
    """An exclusive lock on `lock_file` for the block; waits, saying so, if another build holds
    it. The kernel releases it when the process ends, so a killed build never blocks the next."""
    descriptor = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            notice(f"waiting for another build of {out_dir}/ to finish ...")
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def pause_point(point: str) -> None:
    """The test hook described at PAUSE_VARIABLE; does nothing unless it names `point`."""
    wanted, _, seconds = os.environ.get(PAUSE_VARIABLE, "").partition(":")
    if wanted == point:
        say_on_stderr(f"paused at {point}")
        time.sleep(float(seconds or 3600))


def write_files(
    root: Path, files: Iterable[tuple[str, bytes]], halfway: Callable[[], None] = lambda: None
) -> None:
    """Every file under `root`; `halfway` is called once half of them are written."""
    files = list(files)
    for number, (relative, data) in enumerate(files, start=1):
        target = safe_output_path(root, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if number == len(files) // 2:
            halfway()


def swap_in(staging: Path, layout: OutputLayout) -> list[Path]:
    """Make `staging` the output in one step; returns what was live before, to delete."""
    out_dir = layout.out_dir
    link = layout.sibling(f"link-{secrets.token_hex(8)}")
    try:
        os.symlink(staging.name, link)  # relative: the pair can be moved or copied together
    except OSError:  # no symbolic links here (a FAT stick, Windows without the right)
        return swap_by_renames(staging, layout)
    previous = layout.live_version()
    if out_dir.is_symlink() or not out_dir.exists():
        os.replace(link, out_dir)  # rename(2) over a link or nothing: atomic
        return [previous] if previous else []
    # A real folder (a first build after upgrading, or an empty folder): exchange it with the
    # link in one step where the kernel can; the old folder then sits at the link's name.
    if exchange(link, out_dir):
        return [link]
    return swap_by_renames(link, layout)


def swap_by_renames(new: Path, layout: OutputLayout) -> list[Path]:
    """The portable fallback: two renames (POSIX cannot rename over a non-empty folder), so
    for a moment there is no output folder."""
    out_dir = layout.out_dir
    retired = layout.sibling(f"old-{os.getpid()}")
    if out_dir.is_symlink():
        out_dir.unlink()
    elif out_dir.exists():
        out_dir.rename(retired)
    new.rename(out_dir)
    return [retired]


RENAME_EXCHANGE = 2  # <linux/fs.h>
AT_FDCWD = -100


def exchange(first: Path, second: Path) -> bool:
    """Swap two names atomically with Linux's renameat2(RENAME_EXCHANGE); False where the
    platform, the C library or the file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except AttributeError:  # glibc before 2.28, or another C library
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    renameat2.restype = ctypes.c_int
    status = renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE)
    if status == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def remove_all(paths: Iterable[Path]) -> None:
    for path in paths:
        if path.is_symlink():
            path.unlink()
        else:
            shutil.rmtree(path, ignore_errors=True)
