"""The archive's licence (site.yaml `license:`) and the data page: the licence is validated,
shown on the about and data pages, in the footer, as <link rel="license"> and in
archive.json; the data page gives each download's size and row count, and highlights no
navigation item."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from builder.errors import ContentErrors
from builder.load.project import load_project
from builder.model import License
from builder.render.data_export import describe_data_files, human_size
from builder.validate.records import validate_project
from tests.fixtures import make_project, replace_in
from tests.htmlparse import parse_page

SITE = "content/site.yaml"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"


def site_with(tmp_path: Path, lines: str) -> Path:
    root = make_project(tmp_path)
    replace_in(root, SITE, "language: en", "language: en\n" + lines)
    return root


def problems(root: Path) -> list[str]:
    with pytest.raises(ContentErrors) as caught:
        validate_project(load_project(root))
    return [str(error) for error in caught.value.errors]


def test_a_licence_is_read(tmp_path: Path) -> None:
    root = site_with(tmp_path, f"license:\n  name: CC BY 4.0\n  url: {CC_BY}")
    site, *_ = validate_project(load_project(root))
    assert site.license == License("CC BY 4.0", CC_BY)


def test_without_a_licence_none_is_stated(tmp_path: Path) -> None:
    site, *_ = validate_project(load_project(make_project(tmp_path)))
    assert site.license is None


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            "license:\n  name: CC BY 4.0\n  url: ftp://example.org/cc",
            f"{SITE}:6: license url 'ftp://example.org/cc' is not an absolute http(s) URL "
            "(link the licence text, e.g. https://creativecommons.org/licenses/by/4.0/)",
        ),
        (
            f"license:\n  url: {CC_BY}",
            f"{SITE}:5: missing required field 'name' in license "
            "(the licence's short name, e.g. 'CC BY 4.0')",
        ),
        (
            "license: CC BY 4.0",
            f"{SITE}:4: license must be a mapping of 'key: value' lines (fields: name, url)",
        ),
    ],
)
def test_a_broken_licence_is_one_error_at_its_line(
    tmp_path: Path, lines: str, expected: str
) -> None:
    assert problems(site_with(tmp_path, lines)) == [expected]


def test_the_licence_is_on_the_about_and_data_pages_and_in_every_head(built_site: Path) -> None:
    for page_dir in ("about", "data"):
        page = parse_page(built_site / page_dir / "index.html")
        statement = page.find("p", class_="license")
        assert statement is not None and "CC BY 4.0" in statement.text()
        assert statement.find("a", rel="license", href=CC_BY) is not None
    for path in (
        "index.html",
        "timeline/index.html",
        "articles/2016-12-04-abc-russia-52-percent/index.html",
    ):
        page = parse_page(built_site / path)
        assert page.find("link", rel="license", href=CC_BY) is not None, path
        footer = page.find("footer")
        assert footer is not None and footer.find("a", href=CC_BY) is not None, path


def test_the_licence_is_in_archive_json(built_site: Path) -> None:
    document = json.loads((built_site / "data" / "archive.json").read_bytes())
    assert document["site"]["license"] == {"name": "CC BY 4.0", "url": CC_BY}


def test_the_data_page_gives_sizes_and_row_counts_of_the_files_written(
    built_site: Path,
) -> None:
    page = parse_page(built_site / "data" / "index.html")
    terms = {dt.find("a").get("href"): dt.text() for dt in page.find_all("dt")}  # type: ignore[union-attr]
    for name in ("archive.json", "figures.csv", "events.csv", "quotes.csv", "disagreements.csv"):
        content = (built_site / "data" / name).read_bytes()
        assert human_size(len(content)) in terms[name], name
        if name.endswith(".csv"):
            rows = len(list(csv.reader(io.StringIO(content.decode())))) - 1
            assert f", {rows:,} row" in terms[name], name


def test_the_data_page_highlights_no_navigation_item(built_site: Path) -> None:
    page = parse_page(built_site / "data" / "index.html")
    nav = page.find("nav", **{"aria-label": "Main"})
    assert nav is not None and nav.find(**{"aria-current": "page"}) is None


def test_csv_rows_count_quoted_line_breaks_once() -> None:
    files = describe_data_files({"data/x.csv": b'a,b\n"one\ntwo",2\nthree,3\n'})
    assert files["data/x.csv"].rows == 2 and files["data/x.csv"].size_bytes == 24


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 bytes"), (999, "999 bytes"), (14_234, "14.2 kB"), (999_950, "1.0 MB")],
)
def test_human_sizes(size: int, text: str) -> None:
    assert human_size(size) == text


def test_every_csv_url_is_absolute_under_base_url(built_site: Path) -> None:
    base = json.loads((built_site / "data" / "archive.json").read_bytes())["site"]["base_url"]
    for name in ("figures.csv", "events.csv", "quotes.csv", "disagreements.csv"):
        rows = list(csv.DictReader(io.StringIO((built_site / "data" / name).read_text())))
        urls = [value for row in rows for key, value in row.items() if key.endswith("_url")]
        assert urls and all(url.startswith(base) for url in urls if url), name
