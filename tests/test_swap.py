"""Swaps, run as a user runs them: a build killed at any point leaves a whole site and no
debris after the next build; two builds at once both succeed; the output is a link that is
swapped in one step, and a real output folder from an older builder is taken over. The
version a swap retires is kept as the spare and recycled by the next build, unless anything
about it is uncertain (a build killed while recycling it, a spare gone, a record of another
live version): the site is always the one a clean build writes.

Builds are stopped at named points with the FACTSHEET_TEST_PAUSE hook (builder/write/version.py).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from builder.errors import ContentErrors
from builder.write import version as write
from builder.write.cache import CACHE_DIR, read_cache
from builder.write.version import BUILD_MARKER, PAUSE_VARIABLE, exchange, write_site
from tests.fixtures import make_project, replace_in

ARTICLE = "content/articles/sample-article.md"
TITLE = "title: Rebels Hold Out In The Old City"


def start_build(root: Path, pause: str = "") -> subprocess.Popen[str]:
    env = {**os.environ, PAUSE_VARIABLE: pause}
    command = ["build", "--project", str(root), "--out", str(root / "_site"), "-q"]
    return subprocess.Popen(
        [sys.executable, "-m", "builder", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def wait_until_paused(build: subprocess.Popen[str], point: str) -> None:
    assert build.stderr is not None
    line = build.stderr.readline()
    assert line == f"paused at {point}\n", line + build.stderr.read()


def finish(build: subprocess.Popen[str]) -> tuple[int, str]:
    _, stderr = build.communicate(timeout=120)
    return build.returncode, stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def beside(root: Path) -> list[str]:
    """What lies beside the output, content folders and the build cache aside."""
    inputs = ("content", "seeds", "templates", CACHE_DIR)
    return sorted(p.name for p in root.iterdir() if p.name not in inputs)


def only_the_live_site(root: Path) -> list[str]:
    """What may stay beside the output between builds: the link, the live version, the lock
    and the spare the build cache names (there, to be recycled)."""
    record = read_cache(root, root / "_site")
    spare = [record.spare.name] if record is not None and record.spare is not None else []
    assert all((root / name).is_dir() for name in spare)
    return sorted(["_site", os.readlink(root / "_site"), "._site.lock", *spare])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "project")
    code, stderr = finish(start_build(root))
    assert code == 0, stderr
    return root


@pytest.mark.parametrize("point", ["locked", "writing", "staged", "swapped"])
def test_a_killed_build_leaves_a_whole_site_and_the_next_build_no_debris(
    project: Path, point: str
) -> None:
    old = snapshot(project / "_site")
    replace_in(project, ARTICLE, TITLE, "title: Rebels Hold Out, Edited")
    build = start_build(project, pause=point)
    wait_until_paused(build, point)
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=10)

    after_kill = snapshot(project / "_site")
    assert BUILD_MARKER in after_kill
    if point == "swapped":  # killed after the swap: the new site is whole
        assert after_kill != old
    else:
        assert after_kill == old
    if point != "locked":
        assert len(beside(project)) > len(only_the_live_site(project)), "debris to clean up"

    code, stderr = finish(start_build(project))
    assert code == 0, stderr
    assert beside(project) == only_the_live_site(project)
    page = (project / "_site" / "articles" / "sample-article" / "index.html").read_text("utf-8")
    assert "Rebels Hold Out, Edited" in page
    if point == "swapped":
        assert snapshot(project / "_site") == after_kill  # the same content, built again


def test_two_builds_at_once_both_succeed(project: Path) -> None:
    builds = [start_build(project), start_build(project)]
    outcomes = [finish(build) for build in builds]
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    assert beside(project) == only_the_live_site(project)
    assert "index.html" in snapshot(project / "_site")


def test_a_second_build_waits_for_the_first_and_says_so(project: Path) -> None:
    # An edit, so that neither build finds nothing to do (that one would take no lock).
    replace_in(project, ARTICLE, TITLE, "title: Rebels Hold Out, Edited")
    first = start_build(project, pause="locked:1.5")
    wait_until_paused(first, "locked")
    second = start_build(project)
    second_code, second_err = finish(second)
    first_code, first_err = finish(first)
    assert (first_code, second_code) == (0, 0), first_err + second_err
    assert f"waiting for another build of {project / '_site'}/ to finish ..." in second_err
    assert beside(project) == only_the_live_site(project)


def test_a_real_output_folder_from_an_older_builder_is_taken_over(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    out.mkdir()
    (out / BUILD_MARKER).write_text("built by python -m builder\n")
    (out / "index.html").write_bytes(b"old")
    for debris in ("._site.new-123", "._site.old-456"):  # killed builds of the old builder
        (tmp_path / debris).mkdir()
    (tmp_path / "._site-notes").mkdir()  # not a name a build makes: kept

    write_site({"index.html": b"new"}, out, tmp_path / "none")
    assert out.is_symlink()
    assert (out / "index.html").read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["_site", os.readlink(out), "._site.lock", "._site-notes"]
    )


def test_without_rename_exchange_a_real_folder_is_swapped_by_two_renames(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "_site"
    out.mkdir()
    (out / BUILD_MARKER).write_text("built by python -m builder\n")
    monkeypatch.setattr(write, "exchange", lambda first, second: False)
    write_site({"index.html": b"new"}, out, tmp_path / "none")
    assert out.is_symlink() and (out / "index.html").read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == only_the_live_site(tmp_path)


def test_rename_exchange_swaps_a_folder_and_a_link(tmp_path: Path) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("renameat2 is Linux's")
    (tmp_path / "folder").mkdir()
    (tmp_path / "link").symlink_to("target")
    assert exchange(tmp_path / "link", tmp_path / "folder")
    assert (tmp_path / "folder").is_symlink() and os.readlink(tmp_path / "folder") == "target"
    assert (tmp_path / "link").is_dir() and not (tmp_path / "link").is_symlink()


def test_a_link_to_somewhere_else_is_never_replaced(tmp_path: Path) -> None:
    elsewhere = tmp_path / "www"
    elsewhere.mkdir()
    (tmp_path / "_site").symlink_to(elsewhere)
    with pytest.raises(ContentErrors, match="not made by this builder"):
        write_site({"index.html": b"x"}, tmp_path / "_site", tmp_path / "none")
    assert os.readlink(tmp_path / "_site") == str(elsewhere)


def test_relative_outputs_get_their_links_and_versions_beside_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "project").mkdir()
    monkeypatch.chdir(tmp_path / "project")
    write_site({"index.html": b"x"}, Path("../public"), Path("none"))
    assert (tmp_path / "public").is_symlink()
    assert (tmp_path / "public" / "index.html").read_bytes() == b"x"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["project", "public", os.readlink(tmp_path / "public"), ".public.lock"]
    )
    assert list((tmp_path / "project").iterdir()) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [("/", "refusing to replace the root folder"), ("a-file", "refusing to replace this file")],
)
def test_the_root_folder_or_a_file_is_never_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a-file").write_text("notes")
    with pytest.raises(ContentErrors, match=message):
        write_site({"index.html": b"x"}, Path(name), tmp_path / "none")
    assert Path("a-file").read_text() == "notes"


def build_now(root: Path) -> None:
    code, stderr = finish(start_build(root))
    assert code == 0, stderr


def clean_build(root: Path) -> dict[str, bytes]:
    """The site a clean build writes from the project as it is now (beside the project)."""
    out = root.parent / "clean"
    command = ["build", "--project", str(root), "--out", str(out), "--no-cache", "-q"]
    subprocess.run([sys.executable, "-m", "builder", *command], check=True, capture_output=True)
    site = snapshot(out)
    del site[BUILD_MARKER]
    return site


def site_of(root: Path) -> dict[str, bytes]:
    site = snapshot(root / "_site")
    del site[BUILD_MARKER]
    return site


def spare_of(root: Path) -> Path:
    record = read_cache(root, root / "_site")
    assert record is not None and record.spare is not None
    return root / record.spare.name


def retitle(root: Path, title: str) -> None:
    path = root / ARTICLE
    text = path.read_text("utf-8")
    current = next(line for line in text.splitlines() if line.startswith("title: "))
    path.write_text(text.replace(current, f"title: {title}", 1), "utf-8")


def test_the_retired_version_is_kept_and_recycled_by_the_next_build(project: Path) -> None:
    first = os.readlink(project / "_site")
    retitle(project, "Rebels Hold Out, Edited")
    build_now(project)
    assert spare_of(project).name == first  # kept: not deleted
    spare_folder = os.stat(spare_of(project)).st_ino
    retitle(project, "Rebels Hold Out, Edited Again")
    build_now(project)
    assert os.stat(project / "_site").st_ino == spare_folder  # the spare, recycled
    assert site_of(project) == clean_build(project)
    assert beside(project) == only_the_live_site(project)


def test_a_build_killed_while_recycling_leaves_the_old_site_and_an_untrusted_spare(
    project: Path,
) -> None:
    retitle(project, "Rebels Hold Out, Edited")
    build_now(project)  # the first version is now the spare, recorded with the old title
    spare = spare_of(project)
    spare_folder = os.stat(spare).st_ino
    old = snapshot(project / "_site")
    retitle(project, "Rebels Hold Out, Edited Again")
    build = start_build(project, pause="writing")
    wait_until_paused(build, "writing")
    spare_there = spare.exists()
    recycling = [p for p in project.iterdir() if p.is_dir() and p.stat().st_ino == spare_folder]
    build.send_signal(signal.SIGKILL)  # before any assertion: a paused build is never left
    build.wait(timeout=10)
    assert not spare_there, "renamed before it is touched"
    assert len(recycling) == 1 and recycling[0] != (project / "_site").resolve()
    assert snapshot(project / "_site") == old

    # Back to the spare's title: a build that trusted the half-recycled folder's record
    # would leave its fact sheet as the killed build wrote it.
    replace_in(project, ARTICLE, "title: Rebels Hold Out, Edited Again", TITLE)
    build_now(project)
    page = (project / "_site" / "articles" / "sample-article" / "index.html").read_text("utf-8")
    assert "Edited Again" not in page
    assert site_of(project) == clean_build(project)
    assert beside(project) == only_the_live_site(project)


@pytest.mark.parametrize("damage", ["spare deleted", "cache deleted", "link set back by hand"])
def test_a_spare_that_is_gone_or_not_recorded_for_the_live_version_is_not_trusted(
    project: Path, damage: str
) -> None:
    retitle(project, "Rebels Hold Out, Edited")
    build_now(project)
    spare = spare_of(project)
    if damage == "spare deleted":
        shutil.rmtree(spare)
    elif damage == "cache deleted":
        shutil.rmtree(project / CACHE_DIR)
    else:  # the old site put back by hand: the record names another live version
        os.remove(project / "_site")
        os.symlink(spare.name, project / "_site")
    retitle(project, "Rebels Hold Out, Edited Again")
    build_now(project)
    assert site_of(project) == clean_build(project)
    assert beside(project) == only_the_live_site(project)
