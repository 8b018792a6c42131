"""What Pagefind indexes, read back from the bundle: clean text (no two words run together
where two elements meet), and each page's kind, actors, outlet and date as filters.

The bundle's fragments hold each page's indexed text: gzip'd JSON after a "pagefind_dcd"
signature. A word of that text that is no word of any single text node of the page was glued
together from two of them: "government controlas" from "…control</a><span>as of…".
"""

from __future__ import annotations

import gzip
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from builder.build import BuildReport
from builder.search.pagefind import SEARCH_BUNDLE_DIR, index_pages, read_pagefind, spaced_blocks

FRAGMENT_SIGNATURE = b"pagefind_dcd"
WORD = re.compile(r"\w+")


def read_fragment(data: bytes) -> dict[str, Any]:
    raw = gzip.decompress(data)
    assert raw.startswith(FRAGMENT_SIGNATURE), raw[:20]
    fragment: dict[str, Any] = json.loads(raw[len(FRAGMENT_SIGNATURE) :])
    return fragment


def fragments(bundle: dict[str, bytes]) -> list[dict[str, Any]]:
    prefix = f"{SEARCH_BUNDLE_DIR}/fragment/"
    return [read_fragment(data) for path, data in sorted(bundle.items()) if path.startswith(prefix)]


def site_bundle(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in (site / SEARCH_BUNDLE_DIR / "fragment").iterdir()
    }


class TextNodeWords(HTMLParser):
    """The words of each text node on its own."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: set[str] = set()

    def handle_data(self, data: str) -> None:
        self.words.update(w.casefold() for w in WORD.findall(data))


def run_together_words(html: str, indexed_text: str) -> list[str]:
    """Each indexed word that no single text node of `html` holds, with its context."""
    parser = TextNodeWords()
    parser.feed(html)
    return [
        f"{m.group()!r} in …{indexed_text[max(0, m.start() - 30) : m.end() + 10]}…"
        for m in WORD.finditer(indexed_text)
        if m.group().casefold() not in parser.words
    ]


def page_file(url: str) -> str:
    return url.lstrip("/") + ("index.html" if url.endswith("/") else "")


def test_no_indexed_text_runs_two_words_together(built_site: Path) -> None:
    indexed = fragments(site_bundle(built_site))
    assert len(indexed) > 10
    problems = [
        f"{fragment['url']}: {word}"
        for fragment in indexed
        for word in run_together_words(
            (built_site / page_file(fragment["url"])).read_text("utf-8"), fragment["content"]
        )
    ]
    assert not problems, "\n".join(problems)


def test_a_planted_run_together_word_is_caught(built_site: Path, build_report: BuildReport) -> None:
    """Remove the line break between a claim's metric and its date, as the template once
    did: the scan must fail on the word that makes."""
    article = build_report.archive.articles[0]
    path = f"articles/{article.slug}/index.html"
    html = (built_site / path).read_text("utf-8")
    planted = re.sub(r"</a>\s+(<span class=\"claim-meta\">)", r"</a>\1", html)
    assert planted != html, "no claim with its metric on the first fact sheet"
    bundle = index_pages({path: planted.encode()}, [path])
    (fragment,) = fragments(bundle)
    found = run_together_words(planted, fragment["content"])
    assert found and all(re.match(r"'\w+as'", word) for word in found), found
    # And the page as built is clean.
    bundle = index_pages({path: html.encode()}, [path])
    assert not run_together_words(html, fragments(bundle)[0]["content"])


def test_blocks_are_spaced_for_the_index_and_inline_text_is_not() -> None:
    html = b"<table><tr><th>As of</th><th>Value</th></tr></table><p>Al<em>ep</em>po</p><br>x"
    assert spaced_blocks(html) == (
        b" <table> <tr> <th>As of </th> <th>Value </th> </tr> </table> <p>Al<em>ep</em>po </p>"
        b" <br>x"
    )
    assert spaced_blocks(b"<pre>a</pre><thead>") == b"<pre>a</pre><thead>"


def test_each_indexed_page_has_its_kind_and_filters(
    built_site: Path, build_report: BuildReport
) -> None:
    archive = build_report.archive
    by_url = {f["url"].lstrip("/"): f for f in fragments(site_bundle(built_site))}
    for article in archive.articles:
        fragment = by_url[archive.url_article(article.slug)]
        filters, meta = fragment["filters"], fragment["meta"]
        assert filters["type"] == ["Fact sheet"] and meta["type"] == "Fact sheet"
        assert filters["outlet"] == [article.outlet] and meta["outlet"] == article.outlet
        assert filters["month"] == [article.published.iso()[:7]]
        named = {archive.actors[m.actor_id].name for m in archive.mentions[article.slug]}
        assert set(filters["actor"]) == named
        assert meta["date"] == article.published.human()
    for actor_id, actor in archive.actors.items():
        actor_page = by_url.get(archive.url_actor(actor_id))
        if actor_page is not None:
            assert actor_page["filters"] == {"type": ["Actor"], "actor": [actor.name]}
    kinds = {f["filters"]["type"][0] for f in by_url.values()}
    assert kinds == {"Fact sheet", "Actor", "Metric", "Disagreements"}
    kind_by_section = {
        "articles": "Fact sheet",
        "actors": "Actor",
        "figures": "Metric",
        "disagreements": "Disagreements",
    }
    for url, fragment in by_url.items():
        assert fragment["filters"]["type"] == [kind_by_section[url.split("/")[0]]], url


def test_filters_are_written_in_a_stable_order() -> None:
    """Pagefind alone writes filter values in an order that changes from run to run (three
    runs of this site gave three different bundles); the search stage sorts them."""
    pages = {
        f"p{n}/index.html": (
            f'<html lang="en"><body><main data-pagefind-body><h1>Page {n}</h1>'
            f'<p data-pagefind-filter="type:{"AB"[n % 2]}"></p>'
            + "".join(f'<a data-pagefind-filter="actor">Actor {k}</a> ' for k in range(n % 5 + 1))
            + "</main></body></html>"
        ).encode()
        for n in range(12)
    }
    bundles = [index_pages(pages, pages) for _ in range(3)]
    assert bundles[0] == bundles[1] == bundles[2]
    (actor_filter,) = [
        read_pagefind(data)
        for name, data in bundles[0].items()
        if name.endswith(".pf_filter")
        if read_pagefind(data)[0] == "actor"
    ]
    assert [value for value, _ in actor_filter[1]] == [f"Actor {k}" for k in range(5)]


def test_an_actor_page_indexes_its_header_and_background_only(
    built_site: Path, build_report: BuildReport
) -> None:
    """Its fact sheets index the articles, events, figures and quotes it lists."""
    archive = build_report.archive
    actors = {
        fragment["url"].lstrip("/"): fragment["content"]
        for fragment in fragments(site_bundle(built_site))
        if fragment["url"].lstrip("/").startswith("actors/")
    }
    article_titles = [article.title for article in archive.articles]
    for actor_id, actor in archive.actors.items():
        content = actors[archive.url_actor(actor_id)]
        assert actor.name in content
        assert "Articles that name" not in content
        assert "Named together with" not in content
        assert not [title for title in article_titles if title in content], actor_id


def test_citation_panels_are_not_indexed_but_what_the_sheet_says_is(
    built_site: Path, build_report: BuildReport
) -> None:
    archive = build_report.archive
    by_url = {f["url"]: f for f in fragments(site_bundle(built_site))}
    article = archive.articles[0]
    sheet = (built_site / page_file(archive.url_article(article.slug))).read_text("utf-8")
    assert "@misc{" in sheet and "CSL-JSON" in sheet, "the page offers its citations"
    content = by_url["/" + archive.url_article(article.slug)]["content"]
    assert article.title in content
    for text in ("@misc{", "CSL-JSON", "BibTeX", "Cite this"):
        assert not any(text in fragment["content"] for fragment in by_url.values()), text
