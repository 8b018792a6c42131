"""`serve`: a real server process on a free port, against a temporary copy of the project.

One module-scoped server goes through the whole story: the page is served with the reload
script (the built file is not), an edit shows up, a broken edit keeps the last good page
and reports the error at /__build-status, the fix recovers, and SIGINT exits with 0.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from builder.serve import SCRIPT_PATH, SCRIPT_TAG, inject_script

# Seconds an edit may take to show: the watcher's debounce plus one build (whose time the
# server prints), plus this margin.
MARGIN = 2.0
# The promise to editors: a saved edit shows in the served page within this many seconds.
EDIT_VISIBLE_WITHIN = 2.0


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    project: Path
    build_seconds: float

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def status(self) -> dict[str, Any]:
        return json.loads(self.get("/__build-status")[1])

    def wait_for(self, condition: Callable[[], bool]) -> float:
        """Seconds until `condition` held; fails after one build plus the margin."""
        started = time.monotonic()
        deadline = started + self.build_seconds + MARGIN
        while time.monotonic() < deadline:
            if condition():
                return time.monotonic() - started
            time.sleep(0.05)
        pytest.fail(f"not within {self.build_seconds + MARGIN:.1f} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Iterator[Server]:
    project = tmp_path_factory.mktemp("serve") / "project"
    for folder in ("content", "seeds", "templates"):
        shutil.copytree(project_root / folder, project / folder)
    process = subprocess.Popen(
        [sys.executable, "-m", "builder", "serve", "--project", str(project), "--port", "0"],
        cwd=project_root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    build_seconds, url = 0.0, None
    for line in process.stdout:  # the first build, then the address
        found = re.search(r" in ([\d.]+) s", line)
        build_seconds = float(found.group(1)) if found else build_seconds
        address = re.search(r"at (http://127\.0\.0\.1:\d+)/", line)
        if address:
            url = address.group(1)
            break
    assert url is not None, "the server never said where it listens"
    yield Server(process, url, project, build_seconds)
    if process.poll() is None:
        process.kill()
        process.wait()


ARTICLE = "articles/2016-12-04-abc-russia-52-percent"


def test_inject_script_goes_before_body_end() -> None:
    assert inject_script(b"<p>x</p></body></html>") == b"<p>x</p>" + SCRIPT_TAG + b"</body></html>"
    assert inject_script(b"<p>x</p>") == b"<p>x</p>" + SCRIPT_TAG


@pytest.mark.browser
def test_browser_reloads_and_shows_errors_in_a_panel(server: Server) -> None:
    """In Chromium: a good edit reloads the page by itself; a broken one shows a panel."""
    from tests.browser import launch_chromium, watch_errors

    sheet = server.project / "content" / "articles" / f"{Path(ARTICLE).name}.md"
    original = sheet.read_text(encoding="utf-8")
    with launch_chromium() as browser:
        page = browser.new_page()
        errors = watch_errors(page)
        page.goto(f"{server.url}/{ARTICLE}/")
        page.wait_for_timeout(500)  # the script has seen the current build
        sheet.write_text(original.replace("title: Assad", "title: Reloaded Assad", 1), "utf-8")
        page.wait_for_function("document.title.includes('Reloaded Assad')", timeout=15_000)

        sheet.write_text(original.replace("[kerry, lavrov]", "[kerry, lavrovv]", 1), "utf-8")
        panel = page.locator("[role=alert][aria-label='Build errors']")
        panel.wait_for(timeout=15_000)
        assert "unknown actor 'lavrovv'" in panel.inner_text()
        assert "Reloaded Assad" in page.title(), "the last good page stays"

        sheet.write_text(original, encoding="utf-8")
        page.wait_for_function("!document.title.includes('Reloaded')", timeout=15_000)
        assert panel.count() == 0
        assert errors == []


def test_serve_edit_break_fix_and_stop(server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    code, page = server.get(f"/{ARTICLE}/")
    assert code == 200
    assert page.count(SCRIPT_TAG.decode()) == 1
    built = server.project / "_site" / ARTICLE / "index.html"
    assert SCRIPT_PATH not in built.read_text(encoding="utf-8"), "built files stay clean"
    assert server.get(SCRIPT_PATH)[0] == 200
    first = server.status()["build"]  # 1, or more after the browser test
    assert server.status() == {"build": first, "ok": True, "errors": []}
    missing_code, missing_page = server.get("/no/such/page/")
    assert missing_code == 404
    assert SCRIPT_TAG.decode() in missing_page

    sheet = server.project / "content" / "articles" / f"{Path(ARTICLE).name}.md"
    original = sheet.read_text(encoding="utf-8")
    edited = original.replace("title: Assad Troops", "title: Edited Assad Troops", 1)
    assert edited != original
    sheet.write_text(edited, encoding="utf-8")
    seconds_edit = server.wait_for(lambda: "Edited Assad Troops" in server.get(f"/{ARTICLE}/")[1])
    assert seconds_edit < EDIT_VISIBLE_WITHIN, f"edit took {seconds_edit:.2f} s to show"
    server.wait_for(lambda: server.status()["build"] == first + 1)  # recorded after the swap

    broken = edited.replace("actors: [kerry, lavrov]", "actors: [kerry, lavrovv]", 1)
    assert broken != edited
    sheet.write_text(broken, encoding="utf-8")
    server.wait_for(lambda: not server.status()["ok"])
    status = server.status()
    assert status["build"] == first + 1
    assert len(status["errors"]) == 1
    assert re.fullmatch(
        r"content/articles/2016-12-04-abc-russia-52-percent\.md:\d+: unknown actor 'lavrovv'.*",
        status["errors"][0],
    )
    assert "Edited Assad Troops" in server.get(f"/{ARTICLE}/")[1], "the last good page stays"

    sheet.write_text(original, encoding="utf-8")
    good = {"build": first + 2, "ok": True, "errors": []}
    seconds_fix = server.wait_for(lambda: server.status() == good)
    assert "Edited Assad Troops" not in server.get(f"/{ARTICLE}/")[1]
    with capsys.disabled():
        print(
            f"\nserve: edit visible after {seconds_edit:.2f} s, fix after {seconds_fix:.2f} s "
            f"(one build takes {server.build_seconds:.1f} s)"
        )

    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=10) == 0
    assert server.process.stdout is not None
    assert "Stopped." in server.process.stdout.read()
