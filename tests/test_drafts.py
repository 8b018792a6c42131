"""`status: draft`: a sheet that is validated but stays out of every published output until
reviewed; `build --drafts` shows it with a banner; `check` lists its `# REVIEW:` markers and
refuses them in a published sheet. Run as a user runs it (the real CLI)."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from tests.htmlparse import parse_html

DRAFT_SLUG = "2025-03-06-zorblatt-ferry"
DRAFT_WORD = "Zorblatt"  # appears nowhere but in the draft and its seed
DRAFT_SEED = """\
Ferry service resumes in Riverton

The Zorblatt ferry resumed service on Thursday while the harbour bridge is closed.
"""
DRAFT_SHEET = """\
---
title: Zorblatt ferry resumes service  # REVIEW: the first line of the text
outlet: Example Gazette  # REVIEW: guessed
published: 2025-03-06
seed: zorblatt.txt
status: draft
events:
  - date: 2025-03-06  # REVIEW: "on Thursday", resolved against the publication date
    title: Zorblatt ferry resumes service
    quote: "The Zorblatt ferry resumed service on Thursday"
---
The Zorblatt ferry runs again while the bridge is closed.
"""


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "builder", *args],
        cwd=cwd, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip


def new_project(parent: Path) -> Path:
    assert run_cli("init", "archive", cwd=parent).returncode == 0
    project = parent / "archive"
    (project / "seeds" / "zorblatt.txt").write_text(DRAFT_SEED, "utf-8")
    (project / "content" / "articles" / f"{DRAFT_SLUG}.md").write_text(DRAFT_SHEET, "utf-8")
    return project


def output_texts(site: Path) -> dict[str, str]:
    """Every text output of a build, the search index's fragments decompressed."""
    texts = {
        p.relative_to(site).as_posix(): p.read_text("utf-8")
        for p in site.rglob("*")
        if p.suffix in {".html", ".xml", ".json", ".csv", ".txt"} and "pagefind" not in p.parts
    }
    for fragment in sorted((site / "pagefind" / "fragment").glob("*.pf_fragment")):
        texts[f"pagefind/fragment/{fragment.name}"] = gzip.decompress(fragment.read_bytes()).decode(
            "utf-8", "replace"
        )
    return texts


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    project = new_project(tmp_path_factory.mktemp("drafts"))
    sites = {}
    for name, extra, says in (
        ("published", (), "1 draft left out (--drafts to include)"),
        ("drafts", ("--drafts",), "1 draft included"),
    ):
        out = project.parent / f"site-{name}"
        result = run_cli("build", "--out", str(out), *extra, cwd=project)
        assert result.returncode == 0, result.stderr
        assert result.stdout.rstrip().endswith(f" numbers and dates; {says}"), result.stdout
        sites[name] = out
    return sites


OUTPUT_KINDS = {
    "page": lambda path: path.endswith(".html"),
    "feed": lambda path: path == "feed.xml",
    "sitemap": lambda path: path.startswith("sitemap"),
    "search index": lambda path: path.startswith("pagefind/fragment/"),
    "data file": lambda path: path.startswith("data/"),
}


@pytest.mark.parametrize("kind", sorted(OUTPUT_KINDS))
def test_a_draft_is_in_no_output_of_build_and_in_every_kind_with_drafts(
    builds: dict[str, Path], kind: str
) -> None:
    def mentions(site: Path) -> list[str]:
        return sorted(
            path
            for path, text in output_texts(site).items()
            if OUTPUT_KINDS[kind](path) and (DRAFT_WORD in text or DRAFT_SLUG in text)
        )

    assert mentions(builds["published"]) == []
    assert mentions(builds["drafts"]), f"no {kind} of `build --drafts` has the draft"


def test_the_draft_page_has_a_banner_and_published_pages_have_none(
    builds: dict[str, Path],
) -> None:
    draft_page = builds["drafts"] / "articles" / DRAFT_SLUG / "index.html"
    banner = parse_html(draft_page.read_text("utf-8")).find(class_="draft-banner")
    assert banner is not None and banner.text().startswith("Draft: this fact sheet is not")
    assert not (builds["published"] / "articles" / DRAFT_SLUG).exists()
    for site in builds.values():
        example = site / "articles" / "2025-03-05-example-riverton-bridge" / "index.html"
        assert "draft-banner" not in example.read_text("utf-8")


def test_check_lists_review_markers_of_drafts(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    result = run_cli("check", cwd=project)
    assert result.returncode == 0, result.stderr
    sheet = f"content/articles/{DRAFT_SLUG}.md"
    assert result.stdout.splitlines() == [
        f"{sheet}:2: REVIEW: the first line of the text",
        f"{sheet}:3: REVIEW: guessed",
        f'{sheet}:8: REVIEW: "on Thursday", resolved against the publication date',
        "OK: 1 article, 1 event, 0 figures, 1 quote, 2 actors; "
        "1 draft left out of the site, 3 REVIEW markers to resolve",
    ]


def test_a_published_sheet_with_review_markers_is_refused_at_each_marker(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    sheet = project / "content" / "articles" / f"{DRAFT_SLUG}.md"
    sheet.write_text(sheet.read_text("utf-8").replace("status: draft", "status: published"))
    path = f"content/articles/{DRAFT_SLUG}.md"
    hint = (
        "(check it against the source, then delete the marker; or mark the sheet 'status: draft')"
    )
    for command in ("check", "build"):
        result = run_cli(command, cwd=project)
        assert result.returncode == 1
        assert result.stderr.splitlines() == [
            f"{path}:2: '# REVIEW:' marker left in a published fact sheet: "
            f"the first line of the text {hint}",
            f"{path}:3: '# REVIEW:' marker left in a published fact sheet: guessed {hint}",
            f"{path}:8: '# REVIEW:' marker left in a published fact sheet: "
            f'"on Thursday", resolved against the publication date {hint}',
            "3 content problems; nothing was written",
        ]
    assert not (project / "_site").exists()


def test_an_unknown_status_gets_a_did_you_mean(tmp_path: Path) -> None:
    project = new_project(tmp_path)
    sheet = project / "content" / "articles" / f"{DRAFT_SLUG}.md"
    sheet.write_text(sheet.read_text("utf-8").replace("status: draft", "status: drafts"))
    result = run_cli("check", cwd=project)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"content/articles/{DRAFT_SLUG}.md:6: unknown status 'drafts' (did you mean 'draft'?)"
    )


@pytest.mark.browser
def test_the_draft_banner_passes_axe(builds: dict[str, Path]) -> None:
    from tests.browser import AXE_SCRIPT, launch_chromium, require_tool, serve_folder
    from tests.test_browser import AXE_RUN, AXE_TAGS, BLOCKING_IMPACTS, format_violations

    require_tool(AXE_SCRIPT.is_file(), f"axe-core at {AXE_SCRIPT} (npm ci --ignore-scripts)")
    with launch_chromium() as browser, serve_folder(builds["drafts"]) as url:
        for scheme in ("light", "dark"):
            context = browser.new_context(color_scheme=scheme)
            page = context.new_page()
            page.goto(f"{url}articles/{DRAFT_SLUG}/")
            assert page.locator(".draft-banner").is_visible()
            page.add_script_tag(path=str(AXE_SCRIPT))
            violations = page.evaluate(AXE_RUN, AXE_TAGS)
            context.close()
            blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
            assert not blocking, f"{scheme}:\n{format_violations(blocking)}"
