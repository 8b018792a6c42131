"""No page grows with the archive: every listing is paginated or capped and every chart is
aggregated, so the largest page of a generated corpus stays the same size as the corpus grows
(and under 300 KB, the limit at 10,000 articles; `bench/make_corpus.py` makes the corpus)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from builder.build import load_archive
from builder.render import render_pages
from builder.theme import Theme

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from make_corpus import make_corpus, write_project  # noqa: E402

PAGE_LIMIT = 300_000
# Two sizes past the point where every listing fills its first pages (timeline months,
# metric tables, aggregated charts, actor lists): a page that grew with the corpus would be
# much larger at the second.
SMALL, LARGE = 120, 360


def largest_page(tmp_path: Path, articles: int) -> tuple[int, str]:
    project = write_project(make_corpus(articles), tmp_path / f"corpus-{articles}")
    pages = render_pages(load_archive(project), Theme((project / "templates",), ("templates",)))
    return max((len(html), path) for path, html in pages.items() if path.endswith(".html"))


@pytest.fixture(scope="module")
def sizes(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[int, str]]:
    tmp = tmp_path_factory.mktemp("page-size")
    return {n: largest_page(tmp, n) for n in (SMALL, LARGE)}


def test_no_page_is_over_the_limit(sizes: dict[int, tuple[int, str]]) -> None:
    for size, path in sizes.values():
        assert size < PAGE_LIMIT, f"{path} is {size} bytes"


def test_the_largest_page_does_not_grow_with_the_archive(
    sizes: dict[int, tuple[int, str]],
) -> None:
    small, large = sizes[SMALL][0], sizes[LARGE][0]
    assert large < small * 1.15, f"{sizes[LARGE][1]}: {large} bytes against {small}"
