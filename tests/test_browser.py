"""The real build in a real browser: accessibility, console errors, search and narrow screens.

Debian's headless Chromium (driven by Playwright) loads the built site from a plain static
server. One browser and one server serve the whole module to keep it fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext

from builder.build import BuildReport
from tests.browser import (
    AXE_SCRIPT,
    require_tool,
    search_result_links,
    serve_base_url_locally,
    watch_errors,
)
from tests.sample_archive import quotes_by

pytestmark = pytest.mark.browser

SCHEMES = ("light", "dark")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")
NARROW_WIDTH = 360
SEARCH_TERM = "Lavrov"
SEARCH_ACTOR = "lavrov"

# Resolved against the built site: the first article, metric and actor stand for their kind.
PAGE_KINDS = (
    "home",
    "article",
    "timeline",
    "figures",
    "metric",
    "disagreements",
    "actors",
    "actor",
    "sources",
    "about",
    "search",
    "404",
)


def first_page_under(site: Path, folder: str) -> str:
    """The site path of the first page one level below `folder`, e.g. 'articles/x/'."""
    pages = sorted(p.parent for p in (site / folder).glob("*/index.html"))
    assert pages, f"the build has no page under {folder}/"
    return f"{pages[0].relative_to(site).as_posix()}/"


def sample_page_path(site: Path, kind: str) -> str:
    """One page of each kind, as a path relative to the site root."""
    fixed = {
        "home": "",
        "timeline": "timeline/",
        "figures": "figures/",
        "disagreements": "disagreements/",
        "actors": "actors/",
        "actor": f"actors/{SEARCH_ACTOR}/",
        "sources": "sources/",
        "about": "about/",
        "search": "search/",
        "404": "404.html",
    }
    path = fixed.get(kind)
    if path is None:
        path = first_page_under(site, {"article": "articles", "metric": "figures"}[kind])
    target = site / path / "index.html" if path == "" or path.endswith("/") else site / path
    assert target.is_file(), f"the build has no {kind} page at {path or '/'}"
    return path


@pytest.fixture(scope="module")
def contexts(browser: Browser, build_report: BuildReport) -> Iterator[dict[str, BrowserContext]]:
    """One browser context per colour scheme, plus a narrow phone-sized one."""
    made = {scheme: browser.new_context(color_scheme=scheme) for scheme in SCHEMES}
    made["narrow"] = browser.new_context(
        viewport={"width": NARROW_WIDTH, "height": 740}, device_scale_factor=1
    )
    for context in made.values():
        serve_base_url_locally(context, build_report.archive.site.base_url, build_report.out_dir)
    yield made
    for context in made.values():
        context.close()


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {node['target']}: {node['html'][:200]}")
            lines.append(f"      {node['summary']}")
    return "\n".join(lines)


AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html,
                              summary: n.failureSummary}))}));
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_axe_finds_no_serious_violations(
    built_site: Path, site_url: str, contexts: dict[str, BrowserContext], kind: str, scheme: str
) -> None:
    require_tool(AXE_SCRIPT.is_file(), f"axe-core at {AXE_SCRIPT} (npm ci --ignore-scripts)")
    page = contexts[scheme].new_page()
    try:
        page.goto(site_url + sample_page_path(built_site, kind))
        page.add_script_tag(path=str(AXE_SCRIPT))
        violations = page.evaluate(AXE_RUN, AXE_TAGS)
    finally:
        page.close()
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{kind} page ({scheme}):\n{format_violations(blocking)}"


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_page_loads_without_console_errors(
    built_site: Path, site_url: str, contexts: dict[str, BrowserContext], kind: str
) -> None:
    page = contexts["light"].new_page()
    errors = watch_errors(page)
    try:
        response = page.goto(site_url + sample_page_path(built_site, kind), wait_until="load")
        page.wait_for_load_state("networkidle")
        assert response is not None and response.status == 200
        assert page.title().strip(), f"{kind} page has an empty <title>"
    finally:
        page.close()
    assert not errors, f"{kind} page:\n" + "\n".join(errors)


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_narrow_screen_has_no_horizontal_overflow(
    built_site: Path, site_url: str, contexts: dict[str, BrowserContext], kind: str
) -> None:
    page = contexts["narrow"].new_page()
    try:
        page.goto(site_url + sample_page_path(built_site, kind))
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(WIDEST_ELEMENTS, NARROW_WIDTH)
    finally:
        page.close()
    assert width <= NARROW_WIDTH, f"{kind} page is {width}px wide at {NARROW_WIDTH}px: {wide}"


# Names the elements that stick out, so a failure says what to fix.
WIDEST_ELEMENTS = """(limit) => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > limit + 0.5)
  .slice(0, 5)
  .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}` +
            `${e.className && typeof e.className === 'string' ? '.' + e.className : ''}` +
            ` (right edge ${Math.round(e.getBoundingClientRect().right)}px)`)"""


def test_search_finds_actor_and_quoting_articles(
    build_report: BuildReport, site_url: str, contexts: dict[str, BrowserContext]
) -> None:
    archive = build_report.archive
    quoting = sorted({q.article_slug for q in quotes_by(archive, SEARCH_ACTOR)})
    assert quoting, f"no article quotes {SEARCH_ACTOR}; pick another search actor"
    page = contexts["light"].new_page()
    errors = watch_errors(page)
    try:
        page.goto(site_url + "search/")
        hrefs = search_result_links(page, SEARCH_TERM)
        actor_url = archive.url_actor(SEARCH_ACTOR)
        wanted = [actor_url] + [archive.url_article(slug) for slug in quoting]
        missing = [url for url in wanted if not any(h.endswith("/" + url) for h in hrefs)]
        assert not missing, f"search for {SEARCH_TERM!r} misses {missing}; found {hrefs}"

        actor_link = page.locator(f".pagefind-ui__result-link[href$='/{actor_url}']").first
        actor_link.click()
        page.wait_for_url(f"**/{actor_url}")
        assert page.url == site_url + actor_url
        heading = page.locator("h1").first.inner_text()
        assert archive.actors[SEARCH_ACTOR].name in heading
    finally:
        page.close()
    assert not errors, "search page:\n" + "\n".join(errors)


def test_axe_reports_a_known_violation(site_url: str, contexts: dict[str, BrowserContext]) -> None:
    """The accessibility gate itself works: an image without alt text is a critical failure."""
    require_tool(AXE_SCRIPT.is_file(), f"axe-core at {AXE_SCRIPT} (npm ci --ignore-scripts)")
    page = contexts["light"].new_page()
    try:
        page.goto(site_url)
        page.evaluate("document.body.append(Object.assign(new Image(), {src: 'data:,'}))")
        page.add_script_tag(path=str(AXE_SCRIPT))
        violations = page.evaluate(AXE_RUN, AXE_TAGS)
    finally:
        page.close()
    assert any(v["id"] == "image-alt" and v["impact"] == "critical" for v in violations)


IN_VIEW = """(e) => { const r = e.getBoundingClientRect();
  return r.bottom > 0 && r.top < window.innerHeight &&
         r.right > 0 && r.left < window.innerWidth; }"""


def test_clicking_a_marked_passage_back_link_lands_on_its_claim(
    build_report: BuildReport, site_url: str, contexts: dict[str, BrowserContext]
) -> None:
    archive = build_report.archive
    article = next(a for a in archive.articles if a.figures and a.quotes)
    page = contexts["light"].new_page()
    errors = watch_errors(page)
    try:
        for claim_id in (article.figures[-1].figure_id, article.quotes[-1].quote_id):
            page.goto(site_url + archive.url_article(article.slug))
            link = page.locator(f".source-text a.claim-ref[href='#{claim_id}']").first
            claim = page.locator(f"[id='{claim_id}']")
            link.scroll_into_view_if_needed()
            assert not claim.evaluate(IN_VIEW), "the claim must start out of view"
            link.click()
            page.wait_for_url(f"**#{claim_id}")
            assert page.evaluate("document.querySelector(':target')?.id") == claim_id
            assert claim.evaluate(IN_VIEW), f"#{claim_id} is not in view after the click"
            assert "link to this" in claim.inner_text()
    finally:
        page.close()
    assert not errors, "fact sheet:\n" + "\n".join(errors)
