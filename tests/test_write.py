"""Writing: the new site is swapped in whole; on any failure the old one stays untouched."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from builder.errors import ContentErrors
from builder.write.version import (
    BUILD_MARKER,
    Recorded,
    VersionWriter,
    merge_outputs,
    safe_output_path,
    staged_version,
    write_site,
)


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


def build_with_records(out: Path, files: dict[str, bytes], records: dict[str, Recorded]) -> None:
    """A build of `files` that records its versions in `records` (by live version), as the
    build cache does."""

    def recorded(live: Path) -> Recorded:
        return records.get(live.name, Recorded())

    def after_swap(version: VersionWriter) -> None:
        records.clear()
        records[version.root.name] = Recorded(dict(version.digests), version.spare)

    with staged_version(out, recorded, after_swap) as version:
        for path, data in files.items():
            version.write(path, data)


def test_the_spare_is_recycled_by_new_files_never_by_writing_into_shared_ones(
    tmp_path: Path,
) -> None:
    out = tmp_path / "_site"
    records: dict[str, Recorded] = {}
    build_with_records(out, {"a.html": b"one", "b/c.html": b"same", "d/e.html": b"x"}, records)
    first = out.resolve()
    build_with_records(out, {"a.html": b"two", "b/c.html": b"same", "d/e.html": b"x"}, records)
    second = out.resolve()
    assert first.is_dir()  # kept as the spare
    assert (first / "b/c.html").stat().st_ino == (second / "b/c.html").stat().st_ino
    retired = tree(second)
    spare_folder = os.stat(first).st_ino

    build_with_records(out, {"a.html": b"three", "b/c.html": b"changed"}, records)
    assert out.resolve().stat().st_ino == spare_folder  # the spare, renamed
    assert not first.exists()
    assert tree(out).keys() - {BUILD_MARKER} == {"a.html", "b/c.html"}
    assert (out / "a.html").read_bytes() == b"three"
    assert (out / "b/c.html").read_bytes() == b"changed"
    assert not (out / "d").exists(), "a folder left empty is removed"
    assert tree(second) == retired, "the files it shared with the recycled one are untouched"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["_site", out.resolve().name, second.name, "._site.lock"]
    )
