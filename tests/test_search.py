"""The search step: Pagefind indexes the pages that opt in, deterministically, and fails loudly.

Small hand-made sites exercise `run_pagefind`; the real build checks the bundle the search
page loads. (That the search box finds things in a browser: tests/test_browser.py.)
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from builder.search import pagefind as search
from builder.search.pagefind import SEARCH_BUNDLE_DIR, run_pagefind

PAGE = """<!doctype html><html lang="en"><head><title>{title}</title></head>
<body><nav>Menu words everywhere</nav><main{body}><h1>{title}</h1><p>{text}</p></main></body></html>
"""


def write_page(site: Path, path: str, title: str, text: str, searchable: bool = True) -> None:
    target = site / path / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    body = " data-pagefind-body" if searchable else ""
    target.write_text(PAGE.format(title=title, text=text, body=body), "utf-8")


def make_site(site: Path) -> Path:
    write_page(site, "actors/lavrov", "Sergei Lavrov", "Russian foreign minister")
    write_page(site, "articles/geneva", "Kerry and Lavrov meet", "They met in Geneva on Friday.")
    write_page(site, "search", "Search", "Type to search", searchable=False)
    return site


def indexed_page_count(site: Path) -> int:
    entry = json.loads((site / SEARCH_BUNDLE_DIR / "pagefind-entry.json").read_text("utf-8"))
    return sum(language["page_count"] for language in entry["languages"].values())


def bundle_files(site: Path) -> dict[str, bytes]:
    bundle = site / SEARCH_BUNDLE_DIR
    return {
        p.relative_to(bundle).as_posix(): p.read_bytes() for p in bundle.rglob("*") if p.is_file()
    }


def test_pagefind_writes_the_bundle_for_opted_in_pages(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    run_pagefind(site)
    for name in ("pagefind-ui.js", "pagefind-ui.css", "pagefind.js", "pagefind-entry.json"):
        assert (site / SEARCH_BUNDLE_DIR / name).is_file(), name
    assert indexed_page_count(site) == 2, "the search page itself has no data-pagefind-body"


def test_pagefind_output_is_deterministic(tmp_path: Path) -> None:
    first = make_site(tmp_path / "first")
    second = tmp_path / "second"
    shutil.copytree(first, second)
    run_pagefind(first)
    run_pagefind(second)
    assert bundle_files(first) == bundle_files(second)


def test_missing_site_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="not a folder"):
        run_pagefind(tmp_path / "nowhere")


def test_pagefind_failure_reports_exit_code_and_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing = [sys.executable, "-c", "import sys; sys.stderr.write('index exploded'); sys.exit(3)"]
    monkeypatch.setattr(search, "pagefind_command", lambda site_dir: failing)
    with pytest.raises(RuntimeError, match=r"exit code 3[^\n]*\n.*index exploded"):
        run_pagefind(make_site(tmp_path / "site"))


def test_pagefind_runs_from_this_interpreter() -> None:
    command = search.pagefind_command(Path("site"))
    assert command[:3] == [sys.executable, "-m", "pagefind"]
    assert command[command.index("--site") + 1] == "site"


def test_real_build_indexes_every_searchable_page(built_site: Path) -> None:
    searchable = [
        p for p in built_site.rglob("*.html") if "data-pagefind-body" in p.read_text("utf-8")
    ]
    assert len(searchable) > 10
    assert indexed_page_count(built_site) == len(searchable)


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


def test_a_site_under_the_shard_size_is_one_bundle(built_site: Path) -> None:
    assert json.loads((built_site / SEARCH_BUNDLE_DIR / "shards.json").read_bytes()) == []
    assert not list((built_site / SEARCH_BUNDLE_DIR).glob("shard-*"))
