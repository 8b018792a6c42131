"""A failed build, run as a user runs it: exit code 1, `path:line:` messages, no traceback,
and the previous `_site/` still complete, byte for byte."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures import replace_in
from tests.test_validate import BROKEN_INPUTS


def run_build(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "builder",
            "build",
            "--project",
            str(root),
            "--out",
            str(root / "_site"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.mark.parametrize(
    ("path", "old", "new", "expected"),
    [case[1:] for case in BROKEN_INPUTS],
    ids=[case[0] for case in BROKEN_INPUTS],
)
def test_broken_input_fails_cleanly_and_keeps_the_old_site(
    project: Path, path: str, old: str, new: str, expected: str
) -> None:
    before = snapshot(project / "_site")
    beside_before = sorted(p.name for p in project.iterdir())  # the live version, the lock
    assert "index.html" in before and any(p.startswith("articles/") for p in before)
    replace_in(project, path, old, new)
    result = run_build(project)
    assert result.returncode == 1
    assert expected in result.stderr.splitlines()
    assert "Traceback" not in result.stderr + result.stdout
    assert snapshot(project / "_site") == before
    assert sorted(p.name for p in project.iterdir()) == beside_before


def test_a_broken_link_in_a_summary_fails_check_and_build_at_its_line(project: Path) -> None:
    before = snapshot(project / "_site")
    sheet = "content/articles/sample-article.md"
    replace_in(
        project,
        sheet,
        "Government forces took Hanano;",
        "See [the timeline](../../timelin/). Government forces took Hanano;",
    )
    lines = (project / sheet).read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, start=1) if "timelin/" in text)
    expected = (
        f"{sheet}:{line}: broken link '../../timelin/' in the summary: no file "
        "timelin/index.html (links are relative to the page the summary is shown on, "
        "articles/sample-article/)"
    )
    check = subprocess.run(
        [sys.executable, "-m", "builder", "check", "--project", str(project)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    for result in (check, run_build(project)):
        assert result.returncode == 1
        assert result.stderr.splitlines()[0] == expected
        assert "Traceback" not in result.stderr
    assert snapshot(project / "_site") == before


def test_raw_html_and_script_in_content_never_reach_the_page(project: Path) -> None:
    replace_in(
        project,
        "content/articles/sample-article.md",
        "Government forces took Hanano;",
        "<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) Hanano;",
    )
    replace_in(project, "content/articles/sample-article.md", "title: Rebels", "title: <b>Rebels")
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    page = (project / "_site/articles/sample-article/index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<img src=x" not in page
    assert 'href="javascript:' not in page and "<b>Rebels" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
