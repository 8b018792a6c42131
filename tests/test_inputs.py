"""Which files may be inputs: regular files inside the project; links only when they stay in."""

from __future__ import annotations

import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder.errors import ContentError
from builder.load.inputs import input_problem, read_input_text, tree_problems, utf8_text


@pytest.fixture
def short_root() -> Iterator[Path]:
    """A project folder with a short path: a UNIX socket path must fit in 107 bytes."""
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:
        yield Path(folder)


def test_a_socket_is_not_an_input(short_root: Path) -> None:
    path = short_root / "s.txt"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        problem = input_problem(short_root, path)
    assert problem is not None
    assert (
        str(problem)
        == "s.txt:0: is a socket, not a regular file (replace it, or move it elsewhere)"
    )


def test_a_link_to_a_device_outside_the_project_is_refused(short_root: Path) -> None:
    (short_root / "null.txt").symlink_to("/dev/null")
    problem = input_problem(short_root, short_root / "null.txt")
    assert problem is not None and problem.message == "symlink to a file outside the project"


def test_a_project_reached_through_a_link_still_reads_its_own_files(short_root: Path) -> None:
    real = short_root / "real"
    (real / "seeds").mkdir(parents=True)
    (real / "seeds" / "a.txt").write_text("text\n", encoding="utf-8")
    (short_root / "alias").symlink_to(real, target_is_directory=True)
    errors: list[ContentError] = []
    project = short_root / "alias"
    assert read_input_text(project, project / "seeds" / "a.txt", errors) == "text\n"
    assert errors == []


def test_a_link_back_to_an_ancestor_folder_is_a_loop(short_root: Path) -> None:
    static = short_root / "templates" / "static"
    static.mkdir(parents=True)
    (static / "site.css").write_text("", encoding="utf-8")
    (static / "again").symlink_to("..", target_is_directory=True)
    (static / "css").symlink_to(".", target_is_directory=True)
    assert [str(p) for p in tree_problems(short_root, short_root / "templates")] == [
        "templates/static/again:0: symlink loop (replace the link with the folder itself)",
        "templates/static/css:0: symlink loop (replace the link with the folder itself)",
    ]


def test_a_linked_folder_inside_the_project_is_walked(short_root: Path) -> None:
    (short_root / "shared").mkdir()
    (short_root / "shared" / "pipe").symlink_to("/etc/hostname")
    static = short_root / "templates" / "static"
    static.mkdir(parents=True)
    (static / "shared").symlink_to("../../shared", target_is_directory=True)
    assert [p.path for p in tree_problems(short_root, short_root / "templates")] == [
        "templates/static/shared/pipe"
    ]


@pytest.mark.parametrize(
    "data",
    [b"", b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbfa", "h\u00e9\n".encode(), b"a\xef\xbb\xbf"],
)
def test_utf8_text_drops_one_leading_bom_as_utf_8_sig(data: bytes) -> None:
    assert utf8_text(data) == data.decode("utf-8-sig")


@pytest.mark.parametrize("data", [b"\xff", b"\xef\xbb\xbfab\xc3", b"ok\n\xe9"])
def test_utf8_text_fails_where_utf_8_sig_fails(data: bytes) -> None:
    with pytest.raises(UnicodeDecodeError) as ours:
        utf8_text(data)
    with pytest.raises(UnicodeDecodeError) as theirs:
        data.decode("utf-8-sig")
    assert (ours.value.start, ours.value.reason) == (theirs.value.start, theirs.value.reason)
