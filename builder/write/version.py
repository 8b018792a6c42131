"""Write: rendered outputs -> the output folder, swapped in whole or not at all.

Input: output files one by one into a `staged_version` (or `{output path: bytes}` all at
once to `write_site`), and the digest of each file of the live version.
Output: the output folder replaced by the new site in one atomic step. A file whose bytes
are those of the live version's file is hard-linked from it rather than written. If anything fails
before the swap (a check, a bad path, a full disk, a kill), the old site is left exactly as
it was, and whatever the failed build left behind is removed by the next build.

Double buffering: the version a swap retires is kept as the spare, and the build cache records
the digest of each of its files. The next build recycles it rather than making a new folder:
files whose bytes it already holds are left alone, the others replaced (linked from the live
version, or written as new files: never written into, since versions share files by hard
links), files the new site lacks deleted. So a one-page edit costs a few file operations, not a
link for every unchanged file and the deletion of a whole old version. The spare is renamed to a
new version name before it is touched: a build killed while recycling leaves a leftover that no
record names, never a spare the next build would trust. Whatever is uncertain (no record, a
record of another live version, a spare gone) makes the build start from a new folder.
The builder trusts its version folders to hold what it recorded (as it trusts the live one for
the files it links); a file edited by hand inside one is not noticed: `--no-cache` starts afresh.

Layout beside the output, for `--out _site`:

    _site                   a symbolic link to the live version; a swap renames a new link
                            over it, so a reader sees the old site or the new one, never none
    ._site.build-<token>/   the live version, the spare (the one live before it) and, while a
                            build writes, the next one (the spare, renamed, or a new folder)
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
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import BinaryIO

from builder.errors import ContentError, ContentErrors
from builder.write.cache import VersionRecord

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

    def is_version(self, name: str) -> bool:
        """Whether `name` is that of a version folder of this output."""
        return (
            re.fullmatch(rf"\.{re.escape(self.out_dir.name)}\.build-[0-9a-f]{{16}}", name)
            is not None
        )

    def live_version(self) -> Path | None:
        """The version folder `out_dir` links to, if it is a link this builder made."""
        if not self.out_dir.is_symlink():
            return None
        target = os.readlink(self.out_dir)
        return self.out_dir.with_name(target) if self.is_version(target) else None

    def spare_version(self, live: Path, spare: VersionRecord | None) -> Path | None:
        """The spare version folder the record names, when it is there to be recycled."""
        if spare is None or not self.is_version(spare.name) or spare.name == live.name:
            return None
        folder = self.out_dir.with_name(spare.name)
        return folder if folder.is_dir() and not folder.is_symlink() else None

    def leftovers(self, spare: Path | None = None) -> list[Path]:
        """Everything a killed or finished build left beside the output, the live version
        and the `spare` excepted: safe to delete while holding the lock."""
        kept = {path.name for path in (self.live_version(), spare) if path is not None}
        pattern = self.leftover_pattern()
        parent = self.out_dir.parent
        return sorted(
            parent / name
            for name in os.listdir(parent)
            if pattern.fullmatch(name) and name not in kept
        )


@dataclass(frozen=True)
class Recorded:
    """What the build cache recorded of the versions beside the output (for the live version
    it names; nothing when it names another)."""

    live: Mapping[str, str] = field(default_factory=dict)  # the live version: path -> digest
    spare: VersionRecord | None = None  # the version live before it


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
    return Path(output_file(os.fspath(root), relative))


def output_file(root: str, relative: str) -> str:
    """`safe_output_path` as a string: string operations only, for the per-file hot path."""
    if not relative or relative[0] == "/" or (".." in relative and ".." in relative.split("/")):
        raise ValueError(f"unsafe output path: {relative!r}")
    return f"{root}/{relative}"


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
        files = [*outputs.items(), *static_outputs(static_dir)]
        write_files(version, files, halfway=partial(pause_point, "writing"))
        for check in before_swap:
            check(version.root)
    return version.files


def static_outputs(static_dir: Path | None) -> list[tuple[str, bytes]]:
    """The files under `static_dir`, as output files under static/."""
    if static_dir is None or not static_dir.is_dir():
        return []
    return [
        (f"static/{path.relative_to(static_dir).as_posix()}", path.read_bytes())
        for path in sorted(static_dir.rglob("*"))
        if path.is_file()
    ]


class VersionWriter:
    """The version being written, into a new folder or a recycled one (the spare, whose
    files not yet placed `held` names by digest). A file the folder already holds with the
    same bytes is left alone; one the live version holds (`previous` names their digests) is
    hard-linked from it; any other is written as a new file. A file is never written into:
    it may be hard-linked into the live version."""

    def __init__(
        self,
        root: Path,
        live: Path | None,
        previous: Mapping[str, str],
        held: Mapping[str, str] | None = None,
    ) -> None:
        self.root = root
        self.live = live
        self.previous = previous if live is not None else {}
        self.held = dict(held or {})  # the recycled folder's files not placed yet -> digest
        self.digests: dict[str, str] = {}  # every file placed so far -> its digest
        self.files = 0  # set once the version is complete
        # The version retired by the swap and kept as the next build's spare (set after it).
        self.spare: VersionRecord | None = None
        # As strings: these are joined once per output file.
        self.base = os.fspath(root)
        self.live_base = os.fspath(live) if live is not None else ""

    def write(self, relative: str, data: bytes) -> str:
        """Write (or link) one file; returns its digest. A path written twice is a bug."""
        return self.place(relative, content_digest(data), len(data), lambda out: out.write(data))

    def copy(self, relative: str, source: io.BufferedIOBase) -> str:
        """`write` for a file open for reading at its start, copied (or linked from the
        live version) without being held in memory; returns its digest."""
        start = source.tell()
        digest = hashlib.file_digest(source, lambda: hashlib.blake2b(digest_size=16))
        size = source.tell() - start

        def put(copied: BinaryIO) -> None:
            source.seek(start)
            shutil.copyfileobj(source, copied)

        return self.place(relative, digest.hexdigest(), size, put)

    def place(
        self, relative: str, digest: str, size: int, put: Callable[[BinaryIO], object]
    ) -> str:
        """Leave the file alone when the recycled folder holds these bytes (`digest`), else
        link the live version's file when it has them (and `size`), else `put` them into a
        new file; returns the digest."""
        if relative in self.digests:
            raise ValueError(f"two outputs claim the same path: {relative}")
        target = output_file(self.base, relative)
        if not self.holds(relative, target, digest):
            same = self.previous.get(relative) == digest
            if not (same and self.link_from_live(relative, target, size)):
                with new_file(target) as stream:
                    put(stream)
        self.digests[relative] = digest
        return digest

    def reuse(self, relative: str) -> bool:
        """Give `relative` the live version's bytes, its digest as recorded (left alone when
        the folder holds them, else hard-linked); False when there is none to link."""
        digest = self.previous.get(relative)
        if digest is None or relative in self.digests:
            return False
        target = output_file(self.base, relative)
        if not self.holds(relative, target, digest) and not self.link_from_live(relative, target):
            return False
        self.digests[relative] = digest
        return True

    def holds(self, relative: str, target: str, digest: str) -> bool:
        """Whether the recycled folder's file at `relative` (`target`) has these bytes; if
        it has others, that file is deleted. Either way it is no longer held."""
        held = self.held.pop(relative, None)
        if held is None or held == digest:
            return held is not None
        remove_file(target)
        return False

    def link_from_live(self, relative: str, target: str, size: int | None = None) -> bool:
        """Hard-link the live version's file; False when it is gone, has another size
        than the `size` expected (someone changed it) or cannot be linked."""
        source = output_file(self.live_base, relative)
        try:
            if size is not None and os.stat(source).st_size != size:
                return False
            new_link(source, target)
        except OSError:  # gone, or a file system without hard links: write it instead
            return False
        return True

    def discard_unplaced(self) -> None:
        """Delete the recycled folder's files that this version did not place, then the
        folders that leaves empty."""
        folders: set[str] = set()
        for relative in self.held:
            remove_file(output_file(self.base, relative))
            folder = os.path.dirname(relative)
            while folder and folder not in folders:
                folders.add(folder)
                folder = os.path.dirname(folder)
        self.held = {}
        for folder in sorted(folders, key=lambda name: name.count("/"), reverse=True):
            with suppress(OSError):  # not empty: the new version has files in it
                os.rmdir(f"{self.base}/{folder}")

    def read(self, relative: str) -> bytes:
        with open(output_file(self.base, relative), "rb") as stream:
            return stream.read()


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
    recorded: Callable[[Path], Recorded] = lambda live: Recorded(),
    after_swap: Callable[[VersionWriter], None] = lambda version: None,
    notice: Callable[[str], None] = say_on_stderr,
) -> Iterator[VersionWriter]:
    """The next version to write into beside `out_dir`: the spare recycled, or a new folder;
    swapped in when the block ends without an exception, deleted when it raises (the live
    version untouched either way). `recorded` gives, for the live version, what the build
    cache recorded of it and of the spare. `after_swap` is called once the version is live,
    the output still locked; the retired live version is then `version.spare` (kept when its
    files were recorded, else deleted)."""
    # Absolute, so that the names beside it are right for "--out ." or "--out ../site" too;
    # not resolved, so that the link itself is what gets replaced.
    layout = OutputLayout(Path(os.path.abspath(out_dir)))
    refuse_foreign_folder(layout, out_dir)
    layout.out_dir.parent.mkdir(parents=True, exist_ok=True)
    with held_lock(layout.lock, out_dir, notice):
        pause_point("locked")
        live = layout.live_version()
        known = recorded(live) if live is not None else Recorded()
        spare = layout.spare_version(live, known.spare) if live and known.live else None
        remove_all(layout.leftovers(spare))
        staging = layout.new_version()
        try:
            held = recycle(spare, known.spare, staging)
            version = VersionWriter(staging, live, known.live, held)
            yield version
            version.discard_unplaced()
            with new_file(f"{version.base}/{BUILD_MARKER}") as marker:
                marker.write(b"built by python -m builder\n")
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        version.files = len(version.digests) + 1  # every file is placed by the writer
        pause_point("staged")
        retired = swap_in(staging, layout)
        pause_point("swapped")
        if live is not None and known.live and retired == [live]:
            version.spare = VersionRecord(live.name, known.live)
            retired = []
        after_swap(version)
        remove_all(retired)


def recycle(spare: Path | None, record: VersionRecord | None, staging: Path) -> Mapping[str, str]:
    """Make `staging` the next version's folder: the spare renamed, when there is one (its
    files as recorded are returned), else a new folder."""
    if spare is not None and record is not None:
        try:
            # Renamed before anything in it changes: from here on no record names it, so a
            # build killed while recycling leaves a leftover, not a spare to be trusted.
            os.rename(spare, staging)
        except OSError:
            pass
        else:
            return record.outputs
    staging.mkdir()
    return {}


def new_file(path: str) -> BinaryIO:
    """A new file at `path`, open for writing, its folder made when missing. A file already
    there is unlinked first, never written into: it may be hard-linked into the live version."""
    try:
        return open(path, "xb")
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
    except FileExistsError:
        os.unlink(path)
    return open(path, "xb")


def new_link(source: str, target: str) -> None:
    """Hard-link `source` at `target` (no file there), its folder made when missing."""
    try:
        os.link(source, target)
    except FileNotFoundError:  # the folder, or the source: if the source, this raises again
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.link(source, target)


def remove_file(path: str) -> None:
    with suppress(FileNotFoundError):
        os.unlink(path)


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
    into: Path | VersionWriter,
    files: Iterable[tuple[str, bytes]],
    halfway: Callable[[], None] = lambda: None,
) -> None:
    """Every file into a folder, or a version being written; `halfway` is called once half
    of them are written."""
    write = into.write if isinstance(into, VersionWriter) else partial(write_new, os.fspath(into))
    files = list(files)
    for number, (relative, data) in enumerate(files, start=1):
        write(relative, data)
        if number == len(files) // 2:
            halfway()


def write_new(root: str, relative: str, data: bytes) -> None:
    with new_file(output_file(root, relative)) as stream:
        stream.write(data)


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
