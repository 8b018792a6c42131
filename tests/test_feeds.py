"""Atom feed, sitemap and robots.txt: on a hand-made archive, then on the real build."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from builder.index import page_url
from builder.render import feeds
from builder.render.feeds import markdown_to_text, render_feeds
from tests.sample_archive import SITE, default_articles, make_archive

if TYPE_CHECKING:
    from builder.build import BuildReport

A = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = SITE.base_url
PAGES = [
    "404.html",
    "about/index.html",
    "articles/alpha/index.html",
    "articles/beta/index.html",
    "index.html",
    "timeline/index.html",
]


def parse(data: bytes) -> ET.Element:
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n')
    return ET.fromstring(data)


def child_text(element: ET.Element, tag: str) -> str:
    found = element.find(tag)
    assert found is not None, f"<{element.tag}> has no <{tag}>"
    assert found.text, f"<{tag}> is empty"
    return found.text


def assert_valid_atom(feed: ET.Element) -> list[ET.Element]:
    """Every element RFC 4287 requires of a feed and of its entries; returns the entries."""
    assert feed.tag == f"{A}feed"
    for tag in ("id", "title", "updated"):
        child_text(feed, A + tag)
    assert child_text(feed, f"{A}author/{A}name")
    rels = {link.get("rel"): link.get("href") for link in feed.findall(f"{A}link")}
    assert set(rels) == {"self", "alternate"}
    entries = feed.findall(f"{A}entry")
    for entry in entries:
        for tag in ("id", "title", "updated", "summary"):
            child_text(entry, A + tag)
        link = entry.find(f"{A}link[@rel='alternate']")
        assert link is not None
        assert link.get("href") == child_text(entry, f"{A}id")
    return entries


def test_atom_feed_lists_fact_sheets_newest_first_with_absolute_urls() -> None:
    outputs = render_feeds(make_archive(), PAGES)
    feed = parse(outputs["feed.xml"])
    entries = assert_valid_atom(feed)
    assert child_text(feed, f"{A}id") == BASE
    assert feed.find(f"{A}link[@rel='self']").get("href") == BASE + "feed.xml"  # type: ignore[union-attr]
    assert child_text(feed, f"{A}updated") == "2016-12-04T00:00:00Z"  # newest article, not now()
    assert [child_text(e, f"{A}id") for e in entries] == [
        BASE + "articles/alpha/",
        BASE + "articles/beta/",
    ]
    assert [child_text(e, f"{A}updated") for e in entries] == [
        "2016-12-04T00:00:00Z",
        "2016-11-28T00:00:00Z",
    ]
    summary = child_text(entries[0], f"{A}summary")
    assert summary == "Fact sheet on an article by ABC News, 4 December 2016.\n\nSummary alpha."
    terms = [c.get("term") for c in entries[1].findall(f"{A}category")]
    assert terms == ["Al Jazeera", "Civilians trapped", "Government share of east Aleppo"]


def test_feed_keeps_only_the_newest_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feeds, "FEED_MAX_ENTRIES", 1)
    entries = assert_valid_atom(parse(render_feeds(make_archive(), PAGES)["feed.xml"]))
    assert [child_text(e, f"{A}id") for e in entries] == [BASE + "articles/alpha/"]


def test_feed_is_deterministic() -> None:
    assert render_feeds(make_archive(), PAGES) == render_feeds(make_archive(), PAGES)


def test_untrusted_text_is_escaped_and_xml_invalid_characters_dropped() -> None:
    alpha, beta = default_articles()
    hostile = dataclasses.replace(alpha, title='Rocket & <script>\x0b]]> "x"', outlet="A&B")
    feed = parse(render_feeds(make_archive(articles=[hostile, beta]), PAGES)["feed.xml"])
    entry = assert_valid_atom(feed)[0]
    assert child_text(entry, f"{A}title") == 'Rocket & <script>]]> "x"'
    assert entry.find(f"{A}category").get("term") == "A&B"  # type: ignore[union-attr]


def test_empty_archive_still_gives_a_valid_feed() -> None:
    feed = parse(render_feeds(make_archive(articles=[]), ["index.html"])["feed.xml"])
    assert assert_valid_atom(feed) == []
    assert child_text(feed, f"{A}updated") == feeds.EMPTY_FEED_UPDATED


def test_markdown_summary_becomes_plain_text_without_links() -> None:
    text = markdown_to_text("One *two* [three](../x/) `four`.\n\n- five\n\n<b>six</b>")
    assert text == "One two three four.\n\nfive\n\n<b>six</b>"


@pytest.mark.parametrize(
    ("path", "url"),
    [("index.html", ""), ("articles/x/index.html", "articles/x/"), ("x.html", "x.html")],
)
def test_page_paths_become_directory_urls(path: str, url: str) -> None:
    assert page_url(path) == url


def test_sitemap_lists_every_page_but_404_with_the_date_its_content_changed() -> None:
    sitemap = parse(render_feeds(make_archive(), PAGES)["sitemap.xml"])
    assert sitemap.tag == f"{SM}urlset"
    urls = {child_text(u, f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in sitemap}
    # A fact sheet: its article's date; a page of the whole archive: the newest article's.
    assert urls == {
        BASE: "2016-12-04",
        BASE + "about/": "2016-12-04",
        BASE + "articles/alpha/": "2016-12-04",
        BASE + "articles/beta/": "2016-11-28",
        BASE + "timeline/": "2016-12-04",
    }


def test_sitemap_dates_a_metric_or_actor_page_by_the_newest_article_it_draws_on() -> None:
    archive = make_archive()
    pages = []
    expected = {}
    for metric_id, figures in archive.figures_by_metric.items():
        if not figures:
            continue
        url = archive.url_metric(metric_id)
        pages += [url + "index.html", url + "page/2/index.html"]
        newest = max(archive.article_by_slug[f.article_slug].published for f in figures)
        expected[BASE + url] = expected[BASE + url + "page/2/"] = newest.iso()
    for quote in archive.quotes:
        url = archive.url_actor(quote.speaker_id)
        pages.append(url + "index.html")
        # The sample's speakers are named in no other article than their quote's.
        expected[BASE + url] = archive.article_by_slug[quote.article_slug].published.iso()
    sitemap = parse(render_feeds(archive, pages)["sitemap.xml"])
    urls = {child_text(u, f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in sitemap}
    assert urls == expected


def test_sitemap_past_the_url_limit_becomes_an_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feeds, "SITEMAP_MAX_URLS", 2)
    outputs = render_feeds(make_archive(), PAGES)
    index = parse(outputs["sitemap.xml"])
    assert index.tag == f"{SM}sitemapindex"
    parts = [child_text(s, f"{SM}loc") for s in index]
    assert parts == [BASE + f"sitemap-{n}.xml" for n in (1, 2, 3)]
    locs = [u.findtext(f"{SM}loc") for n in (1, 2, 3) for u in parse(outputs[f"sitemap-{n}.xml"])]
    assert len(locs) == 5 == len(set(locs))


def test_robots_allows_all_and_names_the_absolute_sitemap() -> None:
    robots = render_feeds(make_archive(), PAGES)["robots.txt"].decode()
    assert robots == f"User-agent: *\nAllow: /\n\nSitemap: {BASE}sitemap.xml\n"


# ---- the real build ---------------------------------------------------------------------------


def built_page_urls(site_dir: Path) -> set[str]:
    """Every HTML page of the output as its directory URL, 404.html aside."""
    return {
        page_url(path.relative_to(site_dir).as_posix())
        for path in site_dir.rglob("*.html")
        if path.relative_to(site_dir).as_posix() != "404.html"
    }


def test_real_sitemap_lists_exactly_the_built_pages(
    built_site: Path, build_report: BuildReport
) -> None:
    base = build_report.archive.site.base_url
    sitemap = parse((built_site / "sitemap.xml").read_bytes())
    locs = [child_text(u, f"{SM}loc") for u in sitemap]
    assert len(locs) == len(set(locs))
    assert all(loc.startswith(base) for loc in locs)
    assert {loc.removeprefix(base) for loc in locs} == built_page_urls(built_site)


def test_real_feed_has_every_fact_sheet_linking_to_built_pages(
    built_site: Path, build_report: BuildReport
) -> None:
    archive = build_report.archive
    entries = assert_valid_atom(parse((built_site / "feed.xml").read_bytes()))
    newest = archive.articles[: feeds.FEED_MAX_ENTRIES]
    assert len(entries) == len(newest) > 0
    for entry, article in zip(entries, newest, strict=True):
        url = child_text(entry, f"{A}id")
        assert url == archive.site.base_url + f"articles/{article.slug}/"
        assert (built_site / url.removeprefix(archive.site.base_url) / "index.html").is_file()
        assert child_text(entry, f"{A}title") == article.title
    robots = (built_site / "robots.txt").read_text()
    assert f"Sitemap: {archive.site.base_url}sitemap.xml" in robots


def element_tree_urlset(entries: list[tuple[str, str | None]]) -> bytes:
    """The urlset as ElementTree writes it: what feeds.sitemap_urlset's text must equal."""
    urlset = ET.Element("urlset", {"xmlns": feeds.SITEMAP_NS})
    for loc, lastmod in entries:
        url = ET.SubElement(urlset, "url")
        feeds.add_text(url, "loc", loc)
        if lastmod is not None:
            feeds.add_text(url, "lastmod", lastmod)
    return feeds.serialise(urlset)


@pytest.mark.parametrize(
    "entries",
    [
        [],
        [(BASE, "2016-12-04")],
        [(BASE + "a&b/<c>/\"d\"/'e'/", None), (BASE + "x\x00y\x1f/é/", "2016")],
        [(f"{BASE}p{n}/", None if n % 3 else f"2016-0{n % 9 + 1}") for n in range(50)],
    ],
)
def test_the_sitemap_text_is_what_element_tree_writes(
    entries: list[tuple[str, str | None]],
) -> None:
    assert feeds.sitemap_urlset(entries) == element_tree_urlset(entries)
