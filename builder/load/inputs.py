"""Inputs: which files under the project may be read, and reading them as UTF-8 text.

Input: the project folder and a path under it (a seed, a content file, a template or a
static asset).
Output: the file's text, or a `ContentError` saying why it cannot be read. Nothing is
ever opened before it is known to be a regular file: a FIFO would block forever.

The rule: every input is a regular file (or, for the theme, a folder) that lies inside the
project. A symlink is followed only when its target is inside the project too, so that a
link can never publish `/etc/passwd`; a link that leaves the project, a broken link, a
link loop, a FIFO, a socket or a device is refused with a one-line reason.
"""

from __future__ import annotations

import os
import stat
from codecs import BOM_UTF8
from collections.abc import Iterator
from pathlib import Path

from builder.errors import ContentError

# A seed larger than this is refused: the provenance search and the page holding the whole
# source text are built for news articles, and 100 MB is far past the longest one.
MAX_INPUT_BYTES = 100_000_000
# A content file (YAML or a fact sheet) larger than this is refused before it is parsed.
MAX_CONTENT_BYTES = 2_000_000
LINK_HINT = "copy the file into the project; symlinks are followed only inside it"


def relative_path(project_dir: Path, path: Path) -> str:
    """`path` relative to the project, with forward slashes (as messages show it)."""
    try:
        return path.relative_to(project_dir).as_posix()
    except ValueError:
        return path.as_posix()


def file_kind(mode: int) -> str:
    """What a file is, in words (for messages about the wrong kind)."""
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def location_problem(project_dir: Path, path: Path) -> ContentError | None:
    """Why `path` cannot be an input: missing, a link that leaves the project or loops."""
    rel = relative_path(project_dir, path)
    try:
        resolved = path.resolve(strict=True)
    except FileNotFoundError:
        if path.is_symlink():
            return ContentError(rel, 0, "broken symlink: its target does not exist", LINK_HINT)
        return ContentError(rel, 0, "file is missing", "create it; see README.md")
    except (RuntimeError, OSError):  # ELOOP: Python 3.11 raises RuntimeError or OSError
        return ContentError(rel, 0, "symlink loop", "replace the link with the file itself")
    if not resolved.is_relative_to(project_dir.resolve()):
        return ContentError(rel, 0, "symlink to a file outside the project", LINK_HINT)
    return None


def input_problem(project_dir: Path, path: Path, *, folder: bool = False) -> ContentError | None:
    """Why `path` cannot be read as an input file (or folder); None when it can."""
    problem = location_problem(project_dir, path)
    if problem is not None:
        return problem
    rel = relative_path(project_dir, path)
    mode = path.stat().st_mode  # follows a link, which now stays inside the project
    expected = stat.S_ISDIR(mode) if folder else stat.S_ISREG(mode)
    if not expected:
        kind = file_kind(mode)
        want = "a folder" if folder else "a regular file"
        return ContentError(rel, 0, f"is {kind}, not {want}", "replace it, or move it elsewhere")
    return None


def read_input_text(
    project_dir: Path, path: Path, errors: list[ContentError], limit: int = MAX_INPUT_BYTES
) -> str | None:
    """The file's text (UTF-8, a leading BOM dropped), or None after recording why not."""
    problem = input_problem(project_dir, path)
    if problem is not None:
        errors.append(problem)
        return None
    rel = relative_path(project_dir, path)
    size = path.stat().st_size
    if size > limit:
        errors.append(
            ContentError(
                rel,
                0,
                f"file is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB",
                "keep only the article itself; see the limits in README.md",
            )
        )
        return None
    data = path.read_bytes()
    try:
        return utf8_text(data)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start : error.start + 1].hex()
        errors.append(
            ContentError(
                rel, line, f"not UTF-8 text: byte 0x{byte} ({error.reason})", "save it as UTF-8"
            )
        )
        return None


def read_folder_texts(
    project_dir: Path, folder: Path, suffix: str, errors: list[ContentError]
) -> dict[str, str]:
    """File name -> text of every file in `folder` whose name ends in `suffix`, in name
    order, each as `read_input_text` reads it. A plain file (not a link) in a folder that
    lies inside the project is read at once: that it is a regular file inside the project
    is then known without resolving its path (10,000 seeds took seconds so)."""
    try:
        entries = sorted(
            (entry for entry in os.scandir(folder) if entry.name.endswith(suffix)),
            key=lambda entry: entry.name,
        )
    except OSError:
        return {}
    inside = location_problem(project_dir, folder) is None
    texts: dict[str, str] = {}
    for entry in entries:
        text = read_plain_text(entry) if inside else None
        if text is None:  # a link, another kind of file, too large, not UTF-8: say why
            text = read_input_text(project_dir, Path(entry.path), errors)
        if text is not None:
            texts[entry.name] = text
    return texts


def read_plain_text(entry: os.DirEntry[str]) -> str | None:
    """The text of a regular file (not a link) within `MAX_INPUT_BYTES`; else None."""
    try:
        info = entry.stat(follow_symlinks=False)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_INPUT_BYTES:
            return None
        with open(entry.path, "rb") as stream:
            return utf8_text(stream.read())
    except (OSError, UnicodeDecodeError):
        return None


def utf8_text(data: bytes) -> str:
    """`data.decode("utf-8-sig")` (a leading BOM dropped), by the plain UTF-8 codec: the
    "utf-8-sig" one is written in Python, and took a fifth of reading 10,000 seeds."""
    return data[len(BOM_UTF8) :].decode() if data.startswith(BOM_UTF8) else data.decode()


def tree_problems(project_dir: Path, folder: Path) -> list[ContentError]:
    """Every entry under `folder` that is not a regular file or folder inside the project."""
    problems: list[ContentError] = []
    for path in walk_tree(project_dir, folder, frozenset(), problems):
        problem = input_problem(project_dir, path, folder=path.is_dir())
        if problem is not None:
            problems.append(problem)
    return problems


def walk_tree(
    project_dir: Path, folder: Path, ancestors: frozenset[Path], problems: list[ContentError]
) -> Iterator[Path]:
    """Every path under `folder`, into linked folders too; a link to an ancestor is a loop."""
    inside = ancestors | {folder.resolve()}
    for entry in sorted(folder.iterdir()):
        yield entry
        if not entry.is_dir() or location_problem(project_dir, entry) is not None:
            continue
        if entry.resolve() in inside:
            rel = relative_path(project_dir, entry)
            hint = "replace the link with the folder itself"
            problems.append(ContentError(rel, 0, "symlink loop", hint))
            continue
        yield from walk_tree(project_dir, entry, inside, problems)
