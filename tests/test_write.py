"""Writing: the new site is swapped in whole; on any failure the old one stays untouched."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from builder.errors import ContentErrors
from builder.write.version import BUILD_MARKER, merge_outputs, safe_output_path, write_site


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def only_the_live_site(out: Path) -> list[str]:
    """What may stay beside the output between builds: the link, its target and the lock."""
    return sorted(["_site", os.readlink(out), "._site.lock"])


def test_swap_replaces_the_whole_site(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    write_site({"index.html": b"one", "old/index.html": b"x"}, out, tmp_path / "none")
    write_site({"index.html": b"two"}, out, tmp_path / "none")
    assert tree(out) == {"index.html": b"two", BUILD_MARKER: tree(out)[BUILD_MARKER]}
    assert sorted(p.name for p in tmp_path.iterdir()) == only_the_live_site(out)


def test_failed_check_leaves_the_old_site_and_no_debris(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    write_site({"index.html": b"good"}, out, tmp_path / "none")
    before = tree(out)

    def failing_check(staging: Path) -> None:
        assert (staging / "index.html").read_bytes() == b"bad"
        raise ContentErrors([])

    with pytest.raises(ContentErrors):
        write_site({"index.html": b"bad"}, out, tmp_path / "none", [failing_check])
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == only_the_live_site(out)


def test_a_folder_not_written_by_the_builder_is_never_replaced(tmp_path: Path) -> None:
    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    with pytest.raises(ContentErrors) as caught:
        write_site({"index.html": b"x"}, precious, tmp_path / "none")
    assert "refusing to replace this folder" in str(caught.value)
    assert (precious / "thesis.txt").read_text() == "years of work"


@pytest.mark.parametrize("bad", ["../escape.html", "/etc/passwd", "a/../../b", ""])
def test_unsafe_output_paths_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError, match="unsafe output path"):
        safe_output_path(tmp_path, bad)


def test_two_outputs_for_one_path_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"index\.html"):
        merge_outputs({"index.html": b"a"}, {"index.html": b"b"})
