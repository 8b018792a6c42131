"""The built site works under a sub-path (/archive/), as on GitHub Pages project sites.

The site is copied into tmp/archive/ and tmp/ is served by a plain static server. A crawler
follows every internal href and src from /archive/; a browser checks styles and search there.
"""

from __future__ import annotations

import re
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from playwright.sync_api import Browser

from builder.build import BuildReport
from tests.browser import search_result_links, serve_folder, watch_errors

SUB_PATH = "archive/"
# Entry points a visitor can land on without following a link.
ENTRY_PAGES = ("", "404.html")
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
LINK_ATTRIBUTES = {"href", "src", "poster", "data"}


class LinkParser(HTMLParser):
    """Collects every href/src/srcset target and every id of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.icons: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "link" and "icon" in (attributes.get("rel") or "").split():
            self.icons.append(attributes.get("href") or "")
        for name, value in attrs:
            if value is None:
                continue
            if name in LINK_ATTRIBUTES:
                self.links.append(value)
            elif name == "srcset":
                self.links += [part.split()[0] for part in value.split(",") if part.strip()]
            elif name == "id":
                self.ids.add(value)


@dataclass
class Crawl:
    """What a crawl found: fetched URLs, each page's ids, and every (page, link) pair."""

    fetched: dict[str, int] = field(default_factory=dict)  # url -> HTTP status
    ids: dict[str, set[str]] = field(default_factory=dict)  # html page url -> its ids
    links: list[tuple[str, str]] = field(default_factory=list)  # (from page, absolute link)


def fetch(url: str) -> tuple[int, str, bytes]:
    """Status, content type and body of `url`; errors are returned, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, "", b""


def links_in(body: bytes, content_type: str) -> tuple[list[str], set[str]]:
    """The raw link targets and ids found in an HTML page or a stylesheet."""
    text = body.decode("utf-8", errors="replace")
    if content_type == "text/html":
        parser = LinkParser()
        parser.feed(text)
        return parser.links, parser.ids
    if content_type == "text/css":
        return CSS_URL.findall(text), set()
    return [], set()


def crawl_site(root_url: str) -> Crawl:
    """Breadth-first over every internal link below `root_url`; each URL fetched once."""
    crawl = Crawl()
    queue = [root_url + entry for entry in ENTRY_PAGES]
    host = urlsplit(root_url).netloc
    while queue:
        url = queue.pop(0)
        if url in crawl.fetched:
            continue
        status, content_type, body = fetch(url)
        crawl.fetched[url] = status
        if status != 200:
            continue
        raw_links, ids = links_in(body, content_type)
        if content_type == "text/html":
            crawl.ids[url] = ids
        for raw in raw_links:
            absolute = urljoin(url, raw.strip())
            if urlsplit(absolute).scheme not in {"http", "https"}:
                continue  # mailto:, data:, javascript:
            if urlsplit(absolute).netloc != host:
                continue  # external, or the absolute base_url of canonical/og:url
            crawl.links.append((url, absolute))
            target, _ = urldefrag(absolute)
            if target.startswith(root_url) and target not in crawl.fetched:
                queue.append(target)
    return crawl


def broken_links(crawl: Crawl, root_url: str) -> list[str]:
    """Links that leave the sub-path, do not load, or point at a missing anchor."""
    problems = []
    for page, link in crawl.links:
        target, fragment = urldefrag(link)
        if not target.startswith(root_url):
            problems.append(f"{page}: {link} leaves {root_url}")
        elif crawl.fetched.get(target) != 200:
            problems.append(f"{page}: {link} -> HTTP {crawl.fetched.get(target)}")
        elif fragment and target in crawl.ids and fragment not in crawl.ids[target]:
            problems.append(f"{page}: {link} -> no element with id '{fragment}'")
    return sorted(set(problems))


def page_url_of(root_url: str, html_file: Path, site: Path) -> str:
    """The URL a static server gives an HTML file: folders end in '/', index.html dropped."""
    relative = html_file.relative_to(site).as_posix()
    return root_url + relative.removesuffix("index.html")


@pytest.fixture(scope="module")
def archive_url(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    served = tmp_path_factory.mktemp("subpath")
    shutil.copytree(built_site, served / SUB_PATH)
    with serve_folder(served) as url:
        yield url + SUB_PATH


@pytest.fixture(scope="module")
def crawl(archive_url: str) -> Crawl:
    return crawl_site(archive_url)


def test_crawl_finds_no_broken_links(crawl: Crawl, archive_url: str) -> None:
    problems = broken_links(crawl, archive_url)
    assert not problems, f"{len(problems)} broken links under /{SUB_PATH}:\n" + "\n".join(problems)


def test_crawl_reaches_every_html_page(crawl: Crawl, archive_url: str, built_site: Path) -> None:
    expected = {page_url_of(archive_url, f, built_site) for f in built_site.rglob("*.html")}
    reached = {url for url, status in crawl.fetched.items() if status == 200}
    unreached = sorted(expected - reached)
    assert not unreached, f"{len(unreached)} pages no link leads to:\n" + "\n".join(unreached)


@pytest.mark.parametrize(
    "resource", ["pagefind/pagefind-ui.js", "pagefind/pagefind-ui.css", "pagefind/pagefind.js"]
)
def test_search_bundle_loads(archive_url: str, resource: str) -> None:
    status, _, body = fetch(archive_url + resource)
    assert status == 200 and body, f"/{SUB_PATH}{resource}: HTTP {status}"


def test_crawl_loads_stylesheets_and_scripts(crawl: Crawl) -> None:
    """Each page's CSS was reached and loaded; so was the search page's Pagefind script."""
    loaded = [url for url, status in crawl.fetched.items() if status == 200]
    assert any(url.endswith(".css") for url in loaded), "no stylesheet was linked and loaded"
    assert any(url.endswith("pagefind/pagefind-ui.js") for url in loaded), loaded


def test_home_declares_an_icon_inside_the_sub_path(archive_url: str) -> None:
    """Without a declared icon, browsers ask for /favicon.ico, outside the sub-path: a 404."""
    status, _, body = fetch(archive_url)
    parser = LinkParser()
    parser.feed(body.decode("utf-8"))
    assert status == 200 and parser.icons, "the home page declares no <link rel=icon>"
    for icon in parser.icons:
        url = urljoin(archive_url, icon)
        assert url.startswith(("data:", archive_url)), f"icon {icon} is outside /{SUB_PATH}"
        assert url.startswith("data:") or fetch(url)[0] == 200, f"icon {url} does not load"


def test_crawler_reports_broken_links(tmp_path: Path) -> None:
    """The crawler itself works: a missing page, a link leaving the sub-path, a missing anchor
    and a missing image in a stylesheet are all reported; an orphan page is not reached."""
    site = tmp_path / SUB_PATH
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_text(
        '<h1 id="top">x</h1><a href="a/">a</a><a href="gone/">g</a><a href="../../up/">u</a>'
        '<link rel="stylesheet" href="s.css"><a href="mailto:x@example.org">m</a>',
        "utf-8",
    )
    (site / "a" / "index.html").write_text('<a href="../#top">ok</a><a href="../#nope">n</a>')
    (site / "s.css").write_text("body { background: url('img/none.png') }", "utf-8")
    (site / "orphan.html").write_text("<p>no link leads here</p>", "utf-8")
    with serve_folder(tmp_path) as url:
        crawl = crawl_site(url + SUB_PATH)
        root = url + SUB_PATH
    problems = broken_links(crawl, root)
    expected = ["gone/ -> HTTP 404", "/up/ leaves", "#nope -> no element", "none.png -> HTTP 404"]
    for fragment in expected:
        assert sum(fragment in problem for problem in problems) == 1, (fragment, problems)
    assert len(problems) == len(expected), problems
    assert root + "orphan.html" not in crawl.fetched


@pytest.mark.browser
def test_home_under_sub_path_is_styled(browser: Browser, archive_url: str) -> None:
    page = browser.new_page()
    errors = watch_errors(page)
    page.set_content("<!doctype html><html><body><main><h1>x</h1></main></body></html>")
    unstyled = page.evaluate(COMPUTED_STYLE)
    page.goto(archive_url)
    styled = page.evaluate(COMPUTED_STYLE)
    sheets = page.evaluate(LOADED_SHEETS)
    page.close()
    assert any(s.startswith(archive_url) for s in sheets), f"no stylesheet loaded: {sheets}"
    assert styled != unstyled, f"the home page looks unstyled under /{SUB_PATH}: {styled}"
    assert not errors, "\n".join(errors)


COMPUTED_STYLE = """() => {
  const body = getComputedStyle(document.body);
  const h1 = getComputedStyle(document.querySelector('h1'));
  return [body.fontFamily, body.margin, body.color, body.backgroundColor, h1.fontSize,
          h1.fontFamily];
}"""
LOADED_SHEETS = """() => [...document.styleSheets]
  .filter(s => s.href && s.cssRules.length > 0).map(s => s.href)"""


@pytest.mark.browser
def test_search_under_sub_path_finds_actor(
    browser: Browser, build_report: BuildReport, archive_url: str
) -> None:
    actor_url = build_report.archive.url_actor("lavrov")
    page = browser.new_page()
    errors = watch_errors(page)
    page.goto(archive_url + "search/")
    hrefs = search_result_links(page, "Lavrov")
    page.close()
    wanted = urlsplit(archive_url).path + actor_url
    assert wanted in hrefs, f"no result links to {wanted}: {hrefs}"
    assert not errors, "\n".join(errors)
