"""Citations: every fact sheet's and claim's BibTeX parses (bibtexparser) and its CSL-JSON
holds to the CSL-JSON schema (tests/schemas/csl-data.json, vendored), and both hold the
permalink, title, outlet and date. Metric pages carry a citation and link each claim to its
citation on its fact sheet."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
from jsonschema import Draft7Validator

from builder.build import BuildReport
from builder.model import Article, FuzzyDate
from builder.render.cite import (
    ACCESS_PLACEHOLDER,
    Citation,
    OriginalArticle,
    bibtex_escape,
    cite_formats,
)
from tests.htmlparse import Element, parse_page

CSL_SCHEMA = Path(__file__).resolve().parent / "schemas" / "csl-data.json"


@cache
def csl_validator() -> Draft7Validator:
    schema = json.loads(CSL_SCHEMA.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def parse_bibtex(text: str) -> dict[str, str]:
    """The one entry's fields (outer braces stripped); fails on any block that does not parse."""
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == [], [b.error for b in library.failed_blocks]
    (entry,) = library.entries
    fields = {name: str(field.value) for name, field in entry.fields_dict.items()}
    return {"key": entry.key, "type": entry.entry_type, **fields}


def parse_csl(text: str) -> dict[str, Any]:
    """The one item of a CSL-JSON array that the schema accepts."""
    document = json.loads(text)
    errors = sorted(csl_validator().iter_errors(document), key=str)
    assert errors == [], [error.message for error in errors]
    (item,) = document
    return dict(item)


def formats_in(element: Element) -> tuple[str, str, str]:
    """(plain text, BibTeX, CSL-JSON) of the citation inside `element`."""
    text, bibtex, csl = (
        element.find(tag, class_=name) for tag, name in (
            ("p", "cite-text"), ("pre", "cite-bibtex"), ("pre", "cite-csl")
        )
    )  # fmt: skip
    assert text is not None and bibtex is not None and csl is not None
    return text.text(), bibtex.raw_text(), csl.raw_text()


def csl_date(date: FuzzyDate) -> dict[str, list[list[int]]]:
    return {"date-parts": [[n for n in (date.year, date.month, date.day) if n is not None]]}


def assert_names_the_article(
    text: str, bibtex: dict[str, str], csl: dict[str, Any], article: Article
) -> None:
    """The original article: outlet and date in all three formats, its title in CSL."""
    for words in (text, bibtex["note"]):
        assert article.outlet in words and article.published.human() in words
    assert csl["original-publisher"] == article.outlet
    assert csl["original-title"] == article.title
    assert csl["original-date"] == csl_date(article.published)
    assert csl["issued"] == csl_date(article.published)
    assert bibtex["date"] == article.published.iso()
    assert bibtex["year"] == str(article.published.year)
    if article.url:
        assert article.url in text and article.url in csl["note"]
    assert f"accessed {ACCESS_PLACEHOLDER}" in text and "accessed" not in csl


def test_every_fact_sheet_cites_itself_and_its_article(
    built_site: Path, build_report: BuildReport
) -> None:
    archive = build_report.archive
    assert archive.articles
    for article in archive.articles:
        permalink = archive.site.base_url + archive.url_article(article.slug)
        page = parse_page(built_site / archive.url_article(article.slug) / "index.html")
        section = page.find("section", class_="cite")
        assert section is not None, article.slug
        text, bibtex_text, csl_text = formats_in(section)
        bibtex, csl = parse_bibtex(bibtex_text), parse_csl(csl_text)
        title = f"Fact sheet: {article.title}"
        assert permalink in text and bibtex["url"] == permalink and csl["URL"] == permalink
        assert title in text and bibtex["title"] == "{" + bibtex_escape(title) + "}"
        assert csl["title"] == title and csl["type"] == "webpage"
        assert archive.site.title in text and csl["publisher"] == archive.site.title
        assert_names_the_article(text, bibtex, csl, article)


def test_every_claim_on_a_fact_sheet_has_its_own_citation(
    built_site: Path, build_report: BuildReport
) -> None:
    archive = build_report.archive
    for figure in archive.figures:
        article = archive.article_by_slug[figure.article_slug]
        page = parse_page(built_site / archive.url_article(article.slug) / "index.html")
        claim = page.by_id(figure.figure_id)
        assert claim is not None
        details = claim.find("details", class_="cite-claim")
        assert details is not None and details.get("id") == f"cite-{figure.figure_id}"
        text, bibtex_text, csl_text = formats_in(details)
        bibtex, csl = parse_bibtex(bibtex_text), parse_csl(csl_text)
        permalink = f"{archive.site.base_url}articles/{article.slug}/#{figure.figure_id}"
        assert csl["URL"] == permalink and bibtex["url"] == permalink and permalink in text
        assert archive.metrics[figure.metric_id].label in csl["title"]
        assert_names_the_article(text, bibtex, csl, article)


def test_metric_pages_cite_themselves_and_link_each_claim_to_its_citation(
    built_site: Path, build_report: BuildReport
) -> None:
    archive = build_report.archive
    for metric_id, figures in archive.figures_by_metric.items():
        url = archive.url_metric(metric_id)
        page = parse_page(built_site / url / "index.html")
        section = page.find("section", class_="cite")
        assert section is not None, metric_id
        _, bibtex_text, csl_text = formats_in(section)
        csl = parse_csl(csl_text)
        assert parse_bibtex(bibtex_text)["url"] == csl["URL"] == archive.site.base_url + url
        assert csl["type"] == "dataset"
        newest = max(archive.article_by_slug[f.article_slug].published for f in figures)
        assert csl["issued"] == csl_date(newest)
        cite_links = {href for href, label in page.links() if label == "cite"}
        assert len(cite_links) == len(figures)  # fewer than 100: one page
        for href in cite_links:
            assert href.startswith("../../articles/") and "#cite-" in href


HOSTILE = "50% {of} the \\east & #1 $~^_ “quoted”"


def hostile_citation(title: str) -> Citation:
    return Citation(
        key="claim-x{y} z",
        csl_type="webpage",
        title=title,
        archive_title="Archive {A}",
        url="https://example.org/a b/{x}/#frag%20",
        issued=FuzzyDate(2016, 12),
        language="en",
        original=OriginalArticle("T}", "O&O", FuzzyDate(2016, 12, 4), "https://o.org/x?a=1&b={2}"),
    )


def test_special_characters_cannot_break_the_bibtex_or_the_csl() -> None:
    formats = cite_formats(hostile_citation(HOSTILE))
    bibtex = parse_bibtex(formats.bibtex)
    assert bibtex["key"] == "claim-x-y--z"
    assert bibtex["title"] == "{" + bibtex_escape(HOSTILE) + "}"
    assert "{" not in bibtex["url"] and " " not in bibtex["url"]
    csl = parse_csl(formats.csl_json)
    assert csl["title"] == HOSTILE and csl["issued"] == {"date-parts": [[2016, 12]]}


@pytest.mark.parametrize(
    "fault",
    [
        lambda text: text.replace(r"\{of\}", "{of"),  # an unbalanced, unescaped brace
        lambda text: text.replace("},\n}", "}\n"),  # an entry never closed
    ],
)
def test_a_planted_bibtex_fault_fails_the_parse(fault: Any) -> None:
    broken = fault(cite_formats(hostile_citation(HOSTILE)).bibtex)
    with pytest.raises(AssertionError):
        parse_bibtex(broken)


@pytest.mark.parametrize(
    "fault",
    [
        lambda item: item | {"issued": "4 December 2016"},  # not a CSL date
        lambda item: item | {"issued": {"date-parts": [["2016", 12, 4, 1]]}},  # four parts
        lambda item: item | {"title": ["a list"]},  # a wrong type
        lambda item: item | {"accessed-on": "x"},  # no such CSL variable
        lambda item: {k: v for k, v in item.items() if k != "type"},  # a required key missing
    ],
)
def test_a_planted_csl_fault_fails_the_schema(fault: Any) -> None:
    (item,) = json.loads(cite_formats(hostile_citation(HOSTILE)).csl_json)
    with pytest.raises(AssertionError):
        parse_csl(json.dumps([fault(item)]))
