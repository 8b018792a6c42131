"""The whole build: deterministic output, and a report that matches what was written."""

from __future__ import annotations

from pathlib import Path

from builder.build import BuildOptions, BuildReport, build_site
from builder.check import check_links
from builder.write import BUILD_MARKER


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_two_builds_of_the_same_content_are_byte_identical(
    built_site: Path, project_root: Path, tmp_path: Path
) -> None:
    again = build_site(BuildOptions(project_dir=project_root, out_dir=tmp_path / "_site"))
    first, second = tree(built_site), tree(again.out_dir)
    assert sorted(first) == sorted(second)
    differing = [name for name in first if first[name] != second[name]]
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
