"""Summary links are checked on the model, before rendering: the set of pages the model
predicts is exactly the set the build renders, and each broken link is found at its line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from builder.build import BuildReport
from builder.index import page_url
from builder.render.summary_links import site_page_urls, summary_links


def test_the_model_predicts_exactly_the_pages_the_build_renders(
    build_report: BuildReport, built_site: Path
) -> None:
    rendered = {
        page_url(path.relative_to(built_site).as_posix())
        for path in built_site.rglob("*.html")
        if "pagefind" not in path.parts
    }
    assert site_page_urls(build_report.archive) == rendered


def test_summary_links_are_found_with_their_line() -> None:
    summary = "First [a](../x/) line.\n\n- item [b](#p1-2)\n\nThird [c](https://e.org/)\n"
    assert list(summary_links(summary)) == [
        (0, "../x/"),
        (2, "#p1-2"),
        (4, "https://e.org/"),
    ]


def test_a_broken_link_in_an_actor_summary_is_reported_at_its_line(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "builder", *args],
            cwd=tmp_path, capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip

    assert run("init", "archive").returncode == 0
    actor = tmp_path / "archive" / "content" / "actors" / "ana-ruiz.yaml"
    text = actor.read_text("utf-8")
    actor.write_text(
        text.replace("summary: Leader", "summary: |\n  Leader [council](../riverton/) of"),
        "utf-8",
    )
    line = actor.read_text("utf-8").splitlines().index("summary: |") + 2
    for command in ("check", "build"):
        result = run(command, "--project", "archive")
        assert result.returncode == 1
        assert result.stderr.splitlines()[0] == (
            f"content/actors/ana-ruiz.yaml:{line}: broken link '../riverton/' in the summary: "
            "no file actors/riverton/index.html (links are relative to the page the summary "
            "is shown on, actors/ana-ruiz/)"
        )
