"""No page grows with the archive: every listing is paginated or capped and every chart is
aggregated, so the largest page of a generated corpus stays the same size as the corpus grows
(and under 300 KB, the limit at 10,000 articles; `bench/make_corpus.py` makes the corpus)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from builder.build import load_archive
from builder.render.charts import MAX_BUCKETS, MAX_POINTS, MAX_SERIES, WIDTH
from builder.render.site import render_pages
from builder.render.theme import Theme

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from make_corpus import make_corpus, write_project  # noqa: E402

from tests.htmlparse import parse_html  # noqa: E402

PAGE_LIMIT = 300_000
# Two sizes past the point where every listing fills its first pages (timeline months,
# metric tables, aggregated charts, actor lists): a page that grew with the corpus would be
# much larger at the second.
SMALL, LARGE = 120, 360


def render_corpus(tmp_path: Path, articles: int) -> dict[str, bytes]:
    project = write_project(make_corpus(articles), tmp_path / f"corpus-{articles}")
    return render_pages(load_archive(project), Theme((project / "templates",), ("templates",)))


def largest(pages: dict[str, bytes]) -> tuple[int, str]:
    return max((len(html), path) for path, html in pages.items() if path.endswith(".html"))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict[str, bytes]]:
    tmp = tmp_path_factory.mktemp("page-size")
    return {n: render_corpus(tmp, n) for n in (SMALL, LARGE)}


def test_no_page_is_over_the_limit(rendered: dict[int, dict[str, bytes]]) -> None:
    for pages in rendered.values():
        size, path = largest(pages)
        assert size < PAGE_LIMIT, f"{path} is {size} bytes"


def test_the_largest_page_does_not_grow_with_the_archive(
    rendered: dict[int, dict[str, bytes]],
) -> None:
    (small, _), (large, path) = largest(rendered[SMALL]), largest(rendered[LARGE])
    assert large < small * 1.15, f"{path}: {large} bytes against {small}"


def test_a_dense_chart_has_few_series_and_aggregated_marks_inside_its_box(
    rendered: dict[int, dict[str, bytes]],
) -> None:
    metric = parse_html(rendered[LARGE]["figures/metric-001/index.html"].decode())
    chart = metric.find("svg", class_="chart")
    assert chart is not None
    lede = metric.find("p", class_="lede")
    assert lede is not None and int(lede.text().split(" claim")[0].split()[-1]) > MAX_POINTS
    legend = metric.find("ul", class_="chart-legend")
    assert legend is not None and len(legend.find_all("li")) <= MAX_SERIES
    assert metric.find("p", class_="chart-note") is not None  # says how claims are aggregated
    marks = chart.find_all("g", class_="point")
    assert 0 < len(marks) <= MAX_SERIES * MAX_BUCKETS
    for label in chart.select("g", "text"):
        x, anchor = float(label.attrs["x"]), label.attrs.get("text-anchor", "start")
        room = WIDTH - x if anchor == "start" else 2 * (WIDTH - x) if anchor == "middle" else x
        assert room >= 7 * len(label.text()), f"{label.text()!r} at x={x} may be clipped"
