"""Every HTML page of the real build is valid under the Nu Html Checker (npm vnu-jar).

One JVM call checks all pages at once, which keeps this test to a few seconds.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.browser import VNU_JAR, java_available, require_tool

pytestmark = pytest.mark.vnu


def run_vnu(files: list[Path]) -> list[dict[str, object]]:
    """The checker's error messages (JSON format) for `files`."""
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *map(str, files)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=300,
    )
    # vnu writes its JSON report to stderr, and exits 1 when it found errors.
    report = json.loads(result.stderr or "{}")
    messages: list[dict[str, object]] = report.get("messages", [])
    if result.returncode not in (0, 1) or (result.returncode == 1 and not messages):
        raise RuntimeError(f"vnu failed ({result.returncode}): {result.stderr[-2000:]}")
    return messages


def describe_message(message: dict[str, object], site: Path) -> str:
    url = str(message.get("url", ""))
    path = url.removeprefix("file:").removeprefix(str(site)).lstrip("/")
    line = message.get("lastLine", "?")
    extract = str(message.get("extract", "")).strip()
    return f"{path}:{line}: {message.get('type')}: {message.get('message')}\n    {extract}"


KNOWN_BAD_PAGE = "<!doctype html>\n<html lang=en><title>x</title>\n<p><div>no</p>\n"


@pytest.fixture(scope="module")
def vnu_report(
    built_site: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[Path], Path, list[dict[str, object]]]:
    """One checker run over every built page plus one known-bad page (proving the gate works)."""
    require_tool(java_available(), "java (apt-get install default-jre-headless)")
    require_tool(VNU_JAR.is_file(), f"the Nu Html Checker at {VNU_JAR} (npm ci --ignore-scripts)")
    bad = tmp_path_factory.mktemp("vnu") / "bad.html"
    bad.write_text(KNOWN_BAD_PAGE, "utf-8")
    pages = sorted(built_site.rglob("*.html"))
    return pages, bad, run_vnu([*pages, bad])


def test_every_page_is_valid_html(
    built_site: Path, vnu_report: tuple[list[Path], Path, list[dict[str, object]]]
) -> None:
    pages, bad, messages = vnu_report
    assert pages, "the build wrote no HTML pages"
    errors = [
        m
        for m in messages
        if m.get("type") in {"error", "non-document-error"}
        and not str(m.get("url")).endswith(bad.name)
    ]
    report = "\n".join(describe_message(m, built_site) for m in errors)
    assert not errors, f"{len(errors)} HTML errors in {len(pages)} pages:\n{report}"


def test_checker_catches_an_invalid_page(
    vnu_report: tuple[list[Path], Path, list[dict[str, object]]],
) -> None:
    """The gate itself works: a page with a broken structure is reported with its line."""
    _, bad, messages = vnu_report
    assert any(
        m.get("type") == "error" and str(m.get("url")).endswith(bad.name) and m.get("lastLine") == 3
        for m in messages
    ), messages
