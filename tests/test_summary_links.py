"""Summary links are checked on the model, before rendering: the set of pages the model
predicts is exactly the set the build renders, and each broken link is found at its line."""

from __future__ import annotations

from pathlib import Path

from builder.build import BuildReport
from builder.index import page_url
from builder.summary_links import site_page_urls, summary_links


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
