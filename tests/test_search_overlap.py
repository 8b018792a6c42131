"""The search stage runs while the build goes on (builder/search/bundle.py
`search_bundle_started`): a failure on either side still fails the build with the old site
intact, and leaves no Pagefind process or indexing thread behind."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from builder import build as build_module
from builder.build import BuildOptions, build_site
from builder.errors import ContentError, ContentErrors
from builder.search import service
from tests.test_build_errors import snapshot

ARTICLE = "content/articles/sample-article.md"


def edit_summary(project: Path) -> None:
    """A searchable page changes: its shard is indexed again."""
    with (project / ARTICLE).open("a", encoding="utf-8") as stream:
        stream.write("\nOne more sentence for the search index.\n")


def slow_pagefind(folder: Path, then: str) -> Path:
    """A Pagefind that records its process id and waits a little before `then` (a shell
    command line): the build is well into its check by the time it answers."""
    script = folder / "pagefind"
    script.write_text(f'#!/bin/sh\necho $$ >> "{folder}/pids"\nsleep 1\n{then}\n')
    script.chmod(0o755)
    return script


def indexing_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("search")]


def pagefind_running(folder: Path) -> bool:
    """Whether the (slow) Pagefind recording its id in `folder` is running now: waits a
    little for it to start, since the indexing thread may not have reached it yet."""
    pids = folder / "pids"
    deadline = time.monotonic() + 10
    while not pids.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        os.kill(int(pids.read_text().split()[-1]), 0)
    except (FileNotFoundError, IndexError, ProcessLookupError):
        return False
    return True


def assert_no_pagefind_left(folder: Path) -> None:
    pids = [int(line) for line in (folder / "pids").read_text().split()]
    assert pids, "Pagefind was started"
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


@contextmanager
def old_site_kept(project: Path, pagefind_folder: Path) -> Iterator[None]:
    """Around a build that fails: the old site is as it was, nothing new is left beside it,
    and no indexing thread or Pagefind process (recorded in `pagefind_folder`) lives on."""
    before = snapshot(project / "_site")
    beside_before = sorted(p.name for p in project.iterdir())
    yield
    assert snapshot(project / "_site") == before
    assert sorted(p.name for p in project.iterdir()) == beside_before
    assert not indexing_threads()
    assert_no_pagefind_left(pagefind_folder)


def test_pagefind_failing_while_the_build_goes_on_keeps_the_old_site(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_summary(project)
    failing = slow_pagefind(tmp_path, "echo 'index exploded' >&2; exit 3")
    monkeypatch.setattr(service, "get_executable", lambda: failing)
    with (
        old_site_kept(project, tmp_path),
        pytest.raises(RuntimeError, match=r"exit code 3[^\n]*\n.*index exploded"),
    ):
        build_site(BuildOptions(project, project / "_site"))


def test_the_check_failing_while_pagefind_indexes_keeps_the_old_site(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_summary(project)
    real = service.pagefind_executable()
    slow = slow_pagefind(tmp_path, f'exec "{real}" "$@"')
    monkeypatch.setattr(service, "get_executable", lambda: slow)
    broken = ContentErrors([ContentError(ARTICLE, 1, "a broken link")])

    def failing_check(*_: object, **__: object) -> None:
        assert pagefind_running(tmp_path), "the check runs while Pagefind indexes"
        raise broken

    monkeypatch.setattr(build_module, "remembered_coverage", failing_check)
    with old_site_kept(project, tmp_path), pytest.raises(ContentErrors) as raised:
        build_site(BuildOptions(project, project / "_site"))
    assert raised.value is broken


def test_a_stage_timed_inside_another_is_not_counted_twice() -> None:
    reported: list[tuple[str, float | None]] = []
    clock = build_module.StageClock(lambda stage, seconds: reported.append((stage, seconds)))
    with clock.stage(build_module.CHECK):
        time.sleep(0.05)
        with clock.stage(build_module.SEARCH):
            time.sleep(0.2)
    assert [stage for stage, seconds in reported if seconds is not None] == ["search", "check"]
    times = {stage: seconds for stage, seconds in reported if seconds is not None}
    assert times["search"] >= 0.2
    assert 0.05 <= times["check"] < 0.2, "the wait inside is the search stage's alone"
