"""Search that knows what it finds, in Chromium on the real build with its Pagefind bundle:
results filtered by page type and by actor, a fact sheet first for words of its own summary,
each result's kind shown, and the site's typeface; and, with the site indexed in shards, the
shards merged into one search.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from builder.build import BuildOptions, BuildReport, build_site
from builder.search import pagefind as search_stage
from builder.search.pagefind import SEARCH_BUNDLE_DIR
from tests.browser import PROJECT_ROOT, serve_folder, watch_errors
from tests.test_search_index import read_fragment

pytestmark = pytest.mark.browser

BROAD_TERM = "Aleppo"  # on every searchable page of the real archive
FILTER_ACTOR = "lavrov"
# A result's own link: its sub-results (the headings it matched under) link to fragments.
RESULT_LINK = ".pagefind-ui__result-link:not([href*='#'])"


@contextmanager
def open_search_page(browser: Browser, site_url: str) -> Iterator[Page]:
    """The search page of the site at `site_url`, at desktop width; any console or request
    error while it was open fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(site_url + "search/")
    yield page
    context.close()
    assert not errors, "\n".join(errors)


@pytest.fixture
def search_page(browser: Browser, site_url: str) -> Iterator[Page]:
    with open_search_page(browser, site_url) as page:
        yield page


def wait_for_results(page: Page) -> None:
    page.wait_for_selector(RESULT_LINK, timeout=15_000)
    page.wait_for_selector(".pagefind-ui__message:has-text('result')", timeout=15_000)
    page.wait_for_timeout(300)  # Pagefind re-renders once its filters have loaded


def result_urls(page: Page) -> list[str]:
    """The site paths of every result (not sub-result), all pages of results loaded."""
    wait_for_results(page)
    more = page.locator(".pagefind-ui__button")
    for _ in range(50):  # "Load more results" shows 5 more each time
        if not more.count() or not more.first.is_visible():
            break
        more.first.click()
    links = page.locator(RESULT_LINK)
    hrefs = [links.nth(n).get_attribute("href") or "" for n in range(links.count())]
    return [href.lstrip("/") for href in hrefs]


def search(page: Page, term: str) -> None:
    page.fill(".pagefind-ui__search-input", term)
    wait_for_results(page)


def check_filter(page: Page, group: str, value: str) -> None:
    """Tick `value` in the filter group `group` (opening the group first)."""
    block = page.locator(".pagefind-ui__filter-block", has_text=group).first
    if block.get_attribute("open") is None:
        block.locator("summary").click()
    label = block.locator(".pagefind-ui__filter-label", has_text=re.compile(f"^{value}"))
    label.first.click()
    page.wait_for_timeout(500)


def test_results_filter_by_page_type(search_page: Page, build_report: BuildReport) -> None:
    search(search_page, BROAD_TERM)
    everything = result_urls(search_page)
    assert any(u.startswith("actors/") for u in everything), everything
    check_filter(search_page, "Type", "Fact sheet")
    sheets = result_urls(search_page)
    expected = {build_report.archive.url_article(a.slug) for a in build_report.archive.articles}
    assert set(sheets) == expected
    tags = search_page.locator(".pagefind-ui__result-tag")
    assert tags.count() and all("Fact sheet" in t for t in tags.all_inner_texts() if "Type" in t)


def test_results_filter_by_actor(search_page: Page, build_report: BuildReport) -> None:
    archive = build_report.archive
    actor = archive.actors[FILTER_ACTOR]
    search(search_page, BROAD_TERM)
    check_filter(search_page, "Actor", actor.name)
    naming = {
        archive.url_article(slug)
        for slug, mentions in archive.mentions.items()
        if any(m.actor_id == FILTER_ACTOR for m in mentions)
    }
    assert naming, f"no fact sheet names {FILTER_ACTOR}; pick another actor"
    assert set(result_urls(search_page)) == naming | {archive.url_actor(FILTER_ACTOR)}


def summary_phrase(summary_md: str) -> str:
    """Seven words from the second to the eighth of the summary's first sentence."""
    words = re.findall(r"[A-Za-z]+", summary_md.split(". ")[0])
    return " ".join(words[1:8])


def test_a_fact_sheet_comes_first_for_words_of_its_summary_and_shows_its_kind(
    search_page: Page, build_report: BuildReport
) -> None:
    archive = build_report.archive
    for article in archive.articles:
        phrase = summary_phrase(article.summary_md)
        search(search_page, phrase)
        first = search_page.locator(".pagefind-ui__result").first
        href = first.locator(RESULT_LINK).first.get_attribute("href") or ""
        assert href.lstrip("/") == archive.url_article(article.slug), phrase
        assert "Type: Fact sheet" in first.locator(".pagefind-ui__result-tags").inner_text()


def test_results_use_the_site_typeface(search_page: Page) -> None:
    search(search_page, BROAD_TERM)
    font = "(selector) => getComputedStyle(document.querySelector(selector)).fontFamily"
    assert search_page.evaluate(font, RESULT_LINK) == search_page.evaluate(font, "body")
    assert search_page.evaluate(font, ".pagefind-ui__search-input") == search_page.evaluate(
        font, "body"
    )


def test_a_query_in_the_address_fills_the_search_box(search_page: Page, site_url: str) -> None:
    search_page.goto(site_url + f"search/?q={BROAD_TERM}")
    wait_for_results(search_page)
    assert search_page.input_value(".pagefind-ui__search-input") == BROAD_TERM


# ---- a site indexed in shards: the search page merges every shard's bundle ---------------------
SMALL_SHARD = 30  # the shipped site's 80 searchable pages make three shards


@pytest.fixture(scope="module")
def sharded_report(tmp_path_factory: pytest.TempPathFactory) -> BuildReport:
    out_dir = tmp_path_factory.mktemp("sharded") / "_site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_stage, "SHARD_PAGES", SMALL_SHARD)
        return build_site(BuildOptions(project_dir=PROJECT_ROOT, out_dir=out_dir))


@pytest.fixture
def sharded_page(browser: Browser, sharded_report: BuildReport) -> Iterator[Page]:
    with serve_folder(sharded_report.out_dir) as url, open_search_page(browser, url) as page:
        yield page


def last_shard_paths(site: Path) -> list[str]:
    """The site paths of the pages the last shard indexes, read from its fragments."""
    bundle = site / SEARCH_BUNDLE_DIR
    last = json.loads((bundle / "shards.json").read_bytes())[-1]
    urls = [read_fragment(f.read_bytes())["url"] for f in (bundle / last / "fragment").iterdir()]
    return [url.lstrip("/") for url in urls]


def test_a_sharded_site_finds_pages_of_its_last_shard_and_filters_across_shards(
    sharded_page: Page, sharded_report: BuildReport
) -> None:
    archive = sharded_report.archive
    site = sharded_report.out_dir
    assert len(json.loads((site / SEARCH_BUNDLE_DIR / "shards.json").read_bytes())) == 2
    in_last = set(last_shard_paths(site))
    article = next(a for a in archive.articles if archive.url_article(a.slug) in in_last)
    search(sharded_page, summary_phrase(article.summary_md))
    assert result_urls(sharded_page)[0] == archive.url_article(article.slug)

    search(sharded_page, BROAD_TERM)
    everything = set(result_urls(sharded_page))
    assert everything - in_last, "the other shards' pages should be found too"
    check_filter(sharded_page, "Type", "Fact sheet")
    expected = {archive.url_article(a.slug) for a in archive.articles}
    assert set(result_urls(sharded_page)) == expected, "every shard's results filtered"
