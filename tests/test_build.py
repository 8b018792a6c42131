"""The whole build: deterministic output, and a report that matches what was written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from builder.build import BuildOptions, BuildReport, build_site
from builder.check.links import check_links
from builder.write.version import BUILD_MARKER


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


# Each build runs in a process of its own: a hash seed, locale or time zone reaches only a
# fresh interpreter, so an in-process rebuild would never see output that depends on them.
ENVIRONMENTS = (
    {"PYTHONHASHSEED": "1", "LC_ALL": "C.UTF-8", "TZ": "UTC"},
    {"PYTHONHASHSEED": "4242", "LC_ALL": "C", "TZ": "Pacific/Kiritimati"},  # UTC+14
)


def build_in_a_process(project_root: Path, out_dir: Path, environment: dict[str, str]) -> None:
    command = ["build", "--project", str(project_root), "--out", str(out_dir), "-q"]
    result = subprocess.run(
        [sys.executable, "-m", "builder", *command],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_two_builds_of_the_same_content_are_byte_identical(
    built_site: Path, project_root: Path, tmp_path: Path
) -> None:
    """Across processes with different hash seeds, locales and time zones, and in-process."""
    outputs = [tmp_path / f"build-{n}" / "_site" for n in range(len(ENVIRONMENTS))]
    for out_dir, environment in zip(outputs, ENVIRONMENTS, strict=True):
        build_in_a_process(project_root, out_dir, environment)
    first = tree(outputs[0])
    for other in (tree(outputs[1]), tree(built_site)):
        assert sorted(first) == sorted(other)
        differing = [name for name in first if first[name] != other[name]]
        assert differing == []


def test_report_counts_what_was_written(build_report: BuildReport, built_site: Path) -> None:
    files = tree(built_site)
    html = [name for name in files if name.endswith(".html")]
    assert build_report.pages == len(html) - sum(1 for n in html if n.startswith("pagefind/"))
    assert build_report.files == len(files)
    assert BUILD_MARKER in files
    assert len(build_report.archive.articles) == 5
    assert {"index.html", "404.html", "feed.xml", "sitemap.xml", "robots.txt"} <= set(files)
    assert "pagefind/pagefind-ui.js" in files


def test_every_link_in_the_written_html_resolves(built_site: Path) -> None:
    """The build checks the links render logs (every link made through `rel`); this reads
    every href and src back from the written pages, the in-page anchors the templates
    write directly and the actor links in the source texts included."""
    check_links(built_site)


def test_a_build_that_lets_the_derived_model_go_writes_the_same_site(
    build_report: BuildReport, built_site: Path, project_root: Path, tmp_path: Path
) -> None:
    """`build` (keep_derived=False) frees the derived model before search and check."""
    assert build_report.derived.archive is build_report.archive  # kept by default, for serve
    report = build_site(BuildOptions(project_root, tmp_path / "_site", keep_derived=False))
    with pytest.raises(ValueError, match="keep_derived"):
        report.derived  # noqa: B018 (the property raises)
    assert tree(report.out_dir) == tree(built_site)
