"""Cite and share in Chromium: the copy buttons copy each citation exactly, and the data
page and a fact sheet with its citations open fit a phone's width."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from builder.build import BuildReport
from tests.browser import watch_errors

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


def test_each_copy_button_copies_its_citation(
    browser: Browser, site_url: str, build_report: BuildReport
) -> None:
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url[:-1])
    page = context.new_page()
    errors = watch_errors(page)
    article = build_report.archive.articles[0]
    page.goto(site_url + build_report.archive.url_article(article.slug))
    section = page.locator("section.cite")
    for selector, label in (
        (".cite-text", "Copy plain text"),
        (".cite-bibtex", "Copy BibTeX"),
        (".cite-csl", "Copy CSL-JSON"),
    ):
        section.get_by_role("button", name=label).click()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == section.locator(selector).text_content().strip()  # type: ignore[union-attr]
        assert section.get_by_role("button", name=label.replace("Copy", "Copied")).count() == 1
    assert errors == []
    context.close()


@pytest.mark.parametrize("width", [360, 390])
@pytest.mark.parametrize("path", ["data/", "articles/"])
def test_pages_with_citations_fit_a_phone(
    browser: Browser, site_url: str, build_report: BuildReport, width: int, path: str
) -> None:
    if path == "articles/":
        path = build_report.archive.url_article(build_report.archive.articles[0].slug)
    page = browser.new_page(viewport={"width": width, "height": 740})
    page.goto(site_url + path)
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    page.close()
