"""The search step: Pagefind indexes the pages that opt in, deterministically, and fails loudly.

Small hand-made sites exercise the Pagefind service; the real build checks the bundle the search
page loads. (That the search box finds things in a browser: tests/test_browser.py.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pagefind
import pytest
from pagefind.service import get_executable

from builder.build import BuildReport
from builder.search import pagefind as search
from builder.search import service
from builder.search.pagefind import SEARCH_BUNDLE_DIR
from builder.search.service import index_documents
from tests.test_search_index import page_file, read_fragment

PAGE = """<!doctype html><html lang="en"><head><title>{title}</title></head>
<body><nav>Menu words everywhere</nav><main{body}><h1>{title}</h1><p>{text}</p></main></body></html>
"""


def page(title: str, text: str, searchable: bool = True) -> bytes:
    body = " data-pagefind-body" if searchable else ""
    return PAGE.format(title=title, text=text, body=body).encode()


SITE = {
    "actors/lavrov/index.html": page("Sergei Lavrov", "Russian foreign minister"),
    "articles/geneva/index.html": page("Kerry and Lavrov meet", "They met in Geneva on Friday."),
    "search/index.html": page("Search", "Type to search", searchable=False),
}


def indexed_page_count(bundle: dict[str, bytes]) -> int:
    entry = json.loads(bundle["pagefind-entry.json"])
    return sum(language["page_count"] for language in entry["languages"].values())


def index_site(pages: dict[str, bytes]) -> dict[str, bytes]:
    """The bundle of one Pagefind service sent `pages` whole, as a folder would give them."""
    return index_documents(
        ((search.page_url(path), html) for path, html in pages.items()), search.INDEX_CONFIG
    )


def test_pagefind_gives_the_bundle_for_opted_in_pages() -> None:
    bundle = index_site(SITE)
    for name in ("pagefind-ui.js", "pagefind-ui.css", "pagefind.js", "pagefind-entry.json"):
        assert name in bundle, name
    assert indexed_page_count(bundle) == 2, "the search page itself has no data-pagefind-body"
    urls = {read_fragment(data)["url"] for name, data in bundle.items() if "fragment/" in name}
    assert urls == {"/actors/lavrov/", "/articles/geneva/"}


def test_pagefind_output_is_deterministic() -> None:
    assert index_site(SITE) == index_site(SITE)


def test_page_urls_are_those_pagefind_gives_a_folder() -> None:
    assert search.page_url("articles/geneva/index.html") == "/articles/geneva/"
    assert search.page_url("index.html") == "/"
    assert search.page_url("about/team.html") == "/about/team.html"


def test_a_pagefind_that_cannot_start_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "get_executable", lambda: None)
    with pytest.raises(RuntimeError, match=r"could not find Pagefind; install it with pip"):
        index_site(SITE)


def test_pagefind_failure_reports_exit_code_and_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing = tmp_path / "pagefind"
    failing.write_text("#!/bin/sh\necho 'index exploded' >&2\nexit 3\n")
    failing.chmod(0o755)
    monkeypatch.setattr(service, "get_executable", lambda: failing)
    with pytest.raises(RuntimeError, match=r"exit code 3[^\n]*\n.*index exploded"):
        index_site(SITE)


def test_an_error_pagefind_answers_is_raised() -> None:
    with service.start_service() as running, pytest.raises(RuntimeError, match="Invalid index"):
        running.send({"type": "GetFiles", "index_id": 7})
        running.receive("GetFiles")


def test_pagefind_runs_from_this_interpreter() -> None:
    command = search.pagefind_command(Path("site"))
    assert command[:3] == [sys.executable, "-m", "pagefind"]
    assert command[command.index("--site") + 1] == "site"
    assert service.pagefind_executable() == get_executable()
    site_packages = Path(pagefind.__file__).parents[1]
    assert service.pagefind_executable().is_relative_to(site_packages), "the venv's own"


def test_real_build_indexes_every_searchable_page(built_site: Path) -> None:
    searchable = [
        p for p in built_site.rglob("*.html") if "data-pagefind-body" in p.read_text("utf-8")
    ]
    assert len(searchable) > 10
    bundle = built_site / SEARCH_BUNDLE_DIR
    entry = {"pagefind-entry.json": (bundle / "pagefind-entry.json").read_bytes()}
    assert indexed_page_count(entry) == len(searchable)


def test_search_page_loads_the_bundle_relatively(built_site: Path) -> None:
    html = (built_site / "search" / "index.html").read_text("utf-8")
    assert 'src="../pagefind/pagefind-ui.js"' in html
    assert 'href="../pagefind/pagefind-ui.css"' in html
    assert "data-pagefind-body" not in html, "the search page should not find itself"


def test_pagefind_reads_only_the_searchable_element_of_a_page() -> None:
    page = (
        b'<!doctype html><html lang="en"><head><title>T</title></head><body>'
        b'<nav><a href="/">Home</a></nav><main data-pagefind-body><p>Said</p></main>'
        b"<footer><div>Foot</div></footer></body></html>"
    )
    document = search.search_document(page)
    assert document.startswith(b'<html lang="en">')
    assert b"Said" in document and b"Home" not in document and b"Foot" not in document
    marker_outside = page.replace(b"<nav>", b'<nav data-pagefind-filter="x">')
    nested = page.replace(b"<p>Said</p>", b"<main>Said</main>")
    for whole in (marker_outside, nested):
        assert search.search_document(whole) == search.spaced_blocks(whole)


def test_what_pagefind_ignores_is_left_out_of_the_search_document() -> None:
    html = (
        b'<main data-pagefind-body><p>Said <span class="fact-links"><a>link</a></span>so.</p>'
        b"<div data-pagefind-ignore><div>aside <div>deep</div></div> more</div><p>Kept</p>"
        b'<details class="x cite-claim" id="c"><summary>Cite</summary></details>'
        b'<p class="cite-text">Cited</p></main>'
    )
    assert search.without_ignored(html) == (
        b'<main data-pagefind-body><p>Said so.</p><p>Kept</p><p class="cite-text">Cited</p></main>'
    )


def test_an_ignored_start_tag_is_found_where_its_pattern_would_find_it() -> None:
    html = (
        b'<p>text with class="cite" and data-pagefind-ignore in it</p>'
        b'<div id="a" class="x pager" title="t">one</div><br data-pagefind-ignore>'
        b'<a href="#">class="fact-links"</a><span class="cite-text">no</span>'
        b'<ul class="on-this-page"><li class="pager">two</li></ul>'
    )
    for position in range(len(html) + 1):
        fast = search.next_ignored_start(html, position)
        slow = search.IGNORED_START.search(html, position)
        assert (fast and fast.span()) == (slow and slow.span()), position


def test_an_ignored_element_pagefind_still_reads_is_kept() -> None:
    kept = [
        b'<p class="kicker" data-pagefind-filter="type" data-pagefind-ignore>Fact sheet</p>',
        b'<div data-pagefind-ignore><span data-pagefind-meta="date">1 May</span></div>',
        b"<div data-pagefind-ignore><h1>The fallback title</h1></div>",
        b'<div class="pager"><img src="a.png" alt="a"></div>',
        b"<br data-pagefind-ignore>",
        b'<div class="pager"><p>never closed</p>',
    ]
    for html in kept:
        assert search.without_ignored(html) == html, html


def test_leaving_out_what_pagefind_ignores_keeps_the_index(
    built_site: Path, build_report: BuildReport
) -> None:
    """The words, filters, metadata and heading anchors Pagefind finds are those of the page
    it would read whole; only anchors the search page never shows (a claim's, its citation
    panel's) differ."""
    archive = build_report.archive
    paths = [
        page_file(url)
        for url in (
            archive.url_article(archive.articles[0].slug),
            archive.url_actor(next(iter(archive.actors))),
        )
    ]
    pages = {path: (built_site / path).read_bytes() for path in paths}
    whole = index_site({path: search.spaced_blocks(html) for path, html in pages.items()})
    cut = index_site({path: search.search_document(html) for path, html in pages.items()})
    assert len(search.search_document(pages[paths[0]])) < len(pages[paths[0]]) / 2

    def index(bundle: dict[str, bytes]) -> dict[str, bytes]:
        return {name: data for name, data in bundle.items() if name.startswith("index/")}

    def shown(bundle: dict[str, bytes]) -> list[dict[str, object]]:
        found = [read_fragment(data) for name, data in bundle.items() if "fragment/" in name]
        for fragment in found:
            fragment["anchors"] = [a for a in fragment["anchors"] if a["element"][0] == "h"]
        return sorted(found, key=lambda fragment: str(fragment["url"]))

    assert index(cut) and index(cut) == index(whole)
    assert shown(cut) == shown(whole)


# ---- shards: a large site is indexed a shard of pages at a time -------------------------------


def test_shards_hold_every_page_once_sorted_and_about_evenly() -> None:
    paths = [f"articles/{n:04}/index.html" for n in range(1000)]
    shards = search.shard_paths(reversed(paths), 250)
    assert len(shards) == 4
    assert sorted(path for shard in shards for path in shard) == paths
    assert all(shard == sorted(shard) for shard in shards)
    assert all(200 <= len(shard) <= 300 for shard in shards), [len(s) for s in shards]
    assert search.shard_paths(paths[:7], 7) == [paths[:7]]
    assert search.shard_paths([], 5) == [[]]


def test_adding_or_removing_a_page_changes_only_its_own_shard() -> None:
    paths = [f"articles/{n:04}/index.html" for n in range(0, 1000, 2)]
    shards = search.shard_paths(paths, 110)
    added = "articles/0501/index.html"
    with_added = search.shard_paths([*paths, added], 110)
    without = search.shard_paths([p for p in paths if p != paths[7]], 110)
    for changed, page in ((with_added, added), (without, paths[7])):
        differ = [n for n, (a, b) in enumerate(zip(shards, changed, strict=True)) if a != b]
        assert differ == [search.shard_number(page, len(shards)) - 1]


def test_each_shard_is_a_bundle_named_in_the_shards_list(monkeypatch: pytest.MonkeyPatch) -> None:
    pages = {
        f"articles/{name}/index.html": PAGE.format(
            title=f"Report {name}", text=f"Unique word {name}word.", body=" data-pagefind-body"
        ).encode()
        for name in ("alpha", "bravo", "charlie", "delta", "echo")
    }
    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    bundle = search.index_pages(pages, pages)
    assert json.loads(bundle["pagefind/shards.json"]) == ["shard-2/", "shard-3/"]
    counts = []
    for folder in ("pagefind/", "pagefind/shard-2/", "pagefind/shard-3/"):
        entry = json.loads(bundle[folder + "pagefind-entry.json"])
        counts.append(sum(language["page_count"] for language in entry["languages"].values()))
        assert folder + "pagefind.js" in bundle
    shards = search.shard_paths(pages, 2)
    assert counts == [len(shard) for shard in shards] and sum(counts) == len(pages)
    assert search.index_pages(pages, pages) == bundle, "the same pages, the same bytes"


def test_each_bundle_file_belongs_to_the_shard_of_its_folder() -> None:
    paths = [
        "pagefind/pagefind.js",
        "pagefind/fragment/en_1.pf_fragment",
        "pagefind/shards.json",
        "pagefind/shard-2/pagefind.js",
        "pagefind/shard-12/index/en_3.pf_index",
        "pagefind/shard-02/pagefind.js",
        "pagefind/shard-x/pagefind.js",
        "pagefind/shard-3",
        "pagefindx/pagefind.js",
        "articles/a/index.html",
    ]
    shards = [search.bundle_shard(path) for path in paths]
    assert shards == [1, 1, None, 2, 12, None, None, None, None, None]
    assert search.bundle_files(reversed(paths)) == {
        12: ["pagefind/shard-12/index/en_3.pf_index"],
        2: ["pagefind/shard-2/pagefind.js"],
        1: ["pagefind/fragment/en_1.pf_fragment", "pagefind/pagefind.js"],
    }


def test_a_site_under_the_shard_size_is_one_bundle(built_site: Path) -> None:
    assert json.loads((built_site / SEARCH_BUNDLE_DIR / "shards.json").read_bytes()) == []
    assert not list((built_site / SEARCH_BUNDLE_DIR).glob("shard-*"))
