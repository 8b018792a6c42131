"""Search: index the written site with Pagefind, the static full-text search.

Input: the rendered pages (HTML; pages opt in with `data-pagefind-body`) and which of them to
index.
Output: the search bundle in site_dir/pagefind/ (pagefind-ui.js, pagefind-ui.css, the index),
which the search page loads with relative URLs, so it works under any sub-path.

Pagefind holds everything it indexes in memory, so a large site is indexed in shards of about
`SHARD_PAGES` pages, one Pagefind run each: the first shard's bundle is pagefind/, the others
pagefind/shard-2/, pagefind/shard-3/, ..., listed in pagefind/shards.json, which the search
page reads to merge them (PagefindUI's `mergeIndex`). A page's shard follows from its path
alone (`shard_number`), not from its place among the others: adding, removing or editing one
page changes one shard, and the others' bundles can be reused (builder/search/bundle.py).
Hashing also mixes every shard alike (old and new, articles and actors), so each shard's
word statistics, which rank its results, are those of the whole site.

Pagefind reads only what a page says: its copy of a page is the `data-pagefind-body` element
alone (`search_document`), not the navigation, head and footer around it.

Pagefind ships as a binary inside the PyPI wheel `pagefind[bin]`. Each shard is one Pagefind
service process (builder/search/service.py) sent the search documents through a pipe: nothing
is written to a scratch folder for it, and its bundle comes back the same way.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import re
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import cbor2

from builder.search.service import index_documents

SEARCH_BUNDLE_DIR = "pagefind"
# At most this many pages per Pagefind run. Pagefind's memory grows faster than the pages it
# indexes: all 10,000 fact sheets of a synthetic archive at once took 2.5 GB, shards of 1,760
# about 0.8 GB each, shards of 1,000 about 0.3 GB.
# The size is a trade: an edit re-indexes its page's whole shard (Pagefind's CPU time is about
# 4.5 ms a fact sheet: 4.5 s for a shard of 1,000), while the search page loads each shard's
# pagefind.js, WebAssembly, metadata and filters (about 7 requests and 45-70 kB a shard) and
# fetches an index chunk from each for every word searched. Measured at 10,571 searchable
# pages (bench corpus, headless Chromium, local server, a busy machine: load ~12 on 2 cores),
# the first query of a freshly opened search page ("Citadel", 9,670 results):
#     shard size   shards   requests   kB    time to results   an edit's Pagefind CPU
#        1,000       11         85     744     2.2-4.0 s            4.5 s
#          500       22        162    1015     2.1-3.1 s            2.3 s
#          250       43        309    1563     4.0-4.5 s            1.2 s
# 500 halves an edit's search stage for twice the requests of the first query and no
# difference in its time within the noise; 250 makes the reader wait longer.
SHARD_PAGES = 500
# Pagefind runs at once (see `index_shards`). A Pagefind service parses its pages on one
# thread, so two runs fill two cores; each peaks at about 0.3 GB for 1,000 fact sheets, so two
# stay under the 1 GB a build may use for search.
SEARCH_JOBS = 2
# The other shards' bundles, as paths relative to pagefind/, for the search page to merge.
# (Inside pagefind/: Pagefind takes a bundle's site root from the path before "pagefind".)
SHARDS_FILE = "shards.json"
SHARD_FOLDER = "shard-"
SHARD_DIR = SHARD_FOLDER + "{number}"
# Page furniture that is not what a page says: the back-links after each marked passage of a
# source text, a fact's "source sentence · compare claims" links, the on-this-page list and
# the pager. Left in, it clutters snippets and runs into the words around it ("without
# exceptionquote: quote by ..."). Templates mark their own with data-pagefind-ignore.
# The citation panels (each claim's and the sheet's: a citation, BibTeX, CSL-JSON) repeat the
# title, outlet, date and address in machine formats: 40 % of a fact sheet's indexed words,
# and half of Pagefind's time and memory, for snippets like "@misc{claim-...".
EXCLUDED_SELECTORS = (
    ".claim-refs",
    ".fact-links",
    ".on-this-page",
    ".pager",
    ".cite-claim",
    ".cite",
)
# Pagefind joins the text of adjacent elements as it finds it: "<th>As of</th><th>Value</th>"
# is indexed as "As ofValue". A browser separates table cells, list items and blocks; the
# copy Pagefind reads gets a space before each such tag, so snippets keep their words apart.
# (The pattern starts at the "<", not at a lookahead: the regex engine then skips to each "<"
# instead of trying every position, three times faster.)
BLOCK_TAG = re.compile(
    rb"<(?=/?(?:address|article|aside|blockquote|br|caption|dd|details|div|dl|dt|figcaption"
    rb"|figure|footer|h[1-6]|header|hr|li|main|nav|ol|p|section|summary|table|td|th|tr|ul)\b)"
)
# The start tag of an element Pagefind ignores: marked data-pagefind-ignore, or of an excluded
# class. Pagefind still parses what such an element holds, element by element, to throw it
# away at its end tag; the search document leaves it out instead (`without_ignored`): a
# quarter of Pagefind's time on a fact sheet. (The class is checked word by word in
# `ignored_end`: this pattern takes "cite-text" for "cite" too.)
EXCLUDED_CLASSES = frozenset(selector.removeprefix(".").encode() for selector in EXCLUDED_SELECTORS)
IGNORED_MARKER = (
    rb'\sdata-pagefind-ignore\b|\sclass="[^"]*\b(?:' + b"|".join(sorted(EXCLUDED_CLASSES)) + rb")\b"
)
IGNORED_START = re.compile(
    rb"<(?P<tag>[a-z][a-z0-9]*)(?=[\s/>])(?P<attributes>[^<>]*?(?:" + IGNORED_MARKER + rb")[^<>]*)>"
)
# The marker alone, looked for first (`next_ignored_start`): the regex engine skips ahead to
# each whitespace for it, instead of trying IGNORED_START's lazy attributes at every tag.
IGNORED_MARKER_PATTERN = re.compile(IGNORED_MARKER)
CLASS_ATTRIBUTE = re.compile(rb'\sclass="(?P<names>[^"]*)"')
# What Pagefind reads even inside an ignored element: filters, metadata and sort keys
# (data-pagefind-...), the first <h1> and <title> (a page's fallback title) and an image
# after it. An ignored element holding any of them is left in, and so is one with no content.
READ_WHEN_IGNORED = (b"data-pagefind", b"<h1", b"<title", b"<img")
VOID_ELEMENTS = frozenset(b"area base br col embed hr img input link meta source track wbr".split())
# How Pagefind's service is to index (its NewIndex options; see builder/search/service.py).
INDEX_CONFIG = {"exclude_selectors": list(EXCLUDED_SELECTORS)}
# The start tag of the element a page marks as its searchable body, and the page's <html> tag.
BODY_ELEMENT = re.compile(rb"<(?P<tag>[a-z]+)\b[^<>]*\sdata-pagefind-body\b[^<>]*>")
HTML_TAG = re.compile(rb"<html\b[^<>]*>", re.IGNORECASE)


def pagefind_command(site_dir: Path) -> list[str]:
    """The Pagefind command line that indexes the folder `site_dir` into site_dir/pagefind/,
    with this build's settings (bench/run.py runs it on Hugo's site, for comparison)."""
    return [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site_dir),
        "--output-subdir",
        SEARCH_BUNDLE_DIR,
        *(part for selector in EXCLUDED_SELECTORS for part in ("--exclude-selectors", selector)),
        # Errors only: a build prints its own summary, and Pagefind's progress lines would
        # bury it.
        "--silent",
    ]


def spaced_blocks(html: bytes) -> bytes:
    """The page with a space before every block, list and table tag (see `BLOCK_TAG`)."""
    return BLOCK_TAG.sub(b" <", html)


@functools.cache
def same_tag(tag: bytes) -> re.Pattern[bytes]:
    """A start or end tag (group 1: "/" for an end tag) of the element `tag`."""
    return re.compile(rb"<(/?)" + re.escape(tag) + rb"[\s/>]")


def ignored_end(html: bytes, start: re.Match[bytes]) -> int | None:
    """Where the element Pagefind ignores that begins at `start` ends in `html`, or None when
    it is to be left in: not ignored after all, holding what Pagefind reads even there
    (`READ_WHEN_IGNORED`), or with no end tag to be found."""
    attributes = start["attributes"]
    classes = CLASS_ATTRIBUTE.search(attributes)
    marked = b"data-pagefind-ignore" in attributes
    if not marked and (classes is None or EXCLUDED_CLASSES.isdisjoint(classes["names"].split())):
        return None
    if attributes.count(b"data-pagefind") > attributes.count(b"data-pagefind-ignore"):
        return None
    if start["tag"] in VOID_ELEMENTS:
        return None  # nothing inside to save parsing, and Pagefind spaces words at a <br>
    depth = 1
    for tag in same_tag(start["tag"]).finditer(html, start.end()):
        depth += -1 if tag[1] else 1
        if depth == 0:
            end = html.find(b">", tag.end() - 1) + 1
            inside = html[start.end() : end]
            return None if any(read in inside for read in READ_WHEN_IGNORED) else end
    return None


def next_ignored_start(html: bytes, position: int) -> re.Match[bytes] | None:
    """`IGNORED_START.search(html, position)`, tried only at a tag holding its marker: a
    start tag holds no "<", so the tag of a marker is the last "<" before it."""
    marker = position
    while (found := IGNORED_MARKER_PATTERN.search(html, marker)) is not None:
        tag = html.rfind(b"<", position, found.start())
        if tag >= 0 and (start := IGNORED_START.match(html, tag)) is not None:
            return start
        marker = found.start() + 1
    return None


def without_ignored(html: bytes) -> bytes:
    """The page without the elements Pagefind ignores (see `IGNORED_START`): the same index,
    but for the text of the anchors around them (a claim's, without "link to this claim")."""
    kept = []
    start = position = 0
    while (found := next_ignored_start(html, position)) is not None:
        end = ignored_end(html, found)
        if end is None:
            position = found.end()
            continue
        kept.append(html[start : found.start()])
        start = position = end
    kept.append(html[start:])
    return b"".join(kept)


def search_document(html: bytes) -> bytes:
    """What Pagefind reads of a page: its `<html>` tag (the language) and the one element
    marked `data-pagefind-body`, without what Pagefind ignores in it (`without_ignored`),
    blocks spaced. Pagefind indexes nothing else of such a page, so the bundle is the same
    (a fact sheet's whole page costs Pagefind a sixth more time). A page where that element
    cannot be cut out for sure (another of its tag inside, a Pagefind marker outside it) is
    read whole."""
    found = BODY_ELEMENT.search(html)
    root = HTML_TAG.search(html)
    if found is None or root is None:
        return spaced_blocks(without_ignored(html))
    close = b"</" + found["tag"] + b">"
    end = html.find(close, found.end())
    inside = html[found.end() : end]
    outside = html[: found.start()] + html[end:]
    if end < 0 or b"<" + found["tag"] in inside or b"data-pagefind" in outside:
        return spaced_blocks(without_ignored(html))
    body = without_ignored(html[found.start() : end + len(close)])
    return spaced_blocks(root[0] + b'<head><meta charset="utf-8"></head><body>' + body)


def shard_count(pages: int, shard_pages: int) -> int:
    """How many shards hold `pages` pages at about `shard_pages` each (at least one)."""
    return max(1, -(-pages // shard_pages))


def shard_number(path: str, count: int) -> int:
    """The shard (from 1) that holds `path` among `count`: a hash of the path alone."""
    digest = hashlib.blake2b(path.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count + 1


def shard_paths(searchable: Iterable[str], shard_pages: int) -> list[list[str]]:
    """The searchable paths, sorted, in shards of about `shard_pages` (see `shard_number`);
    a shard may be empty."""
    paths = sorted(searchable)
    shards: list[list[str]] = [[] for _ in range(shard_count(len(paths), shard_pages))]
    for path in paths:
        shards[shard_number(path, len(shards)) - 1].append(path)
    return shards


def shard_folder(number: int) -> str:
    """Where shard `number` (from 1) is written, relative to pagefind/ ("" for the first)."""
    return "" if number == 1 else SHARD_DIR.format(number=number) + "/"


def shard_prefix(number: int) -> str:
    """The output path prefix of shard `number`'s bundle files."""
    return f"{SEARCH_BUNDLE_DIR}/{shard_folder(number)}"


def bundle_shard(path: str) -> int | None:
    """The shard (from 1) whose bundle holds the output file `path`; None when no shard's
    does (outside pagefind/, or the shard list). The first's folder holds the others'."""
    rest = path.removeprefix(f"{SEARCH_BUNDLE_DIR}/")
    if rest in (path, SHARDS_FILE):
        return None
    if not rest.startswith(SHARD_FOLDER):
        return 1
    folder, slash, _ = rest.partition("/")
    number = folder.removeprefix(SHARD_FOLDER)
    if not (slash and number.isdigit()) or shard_folder(int(number)) != f"{folder}/":
        return None
    return int(number)


def bundle_files(paths: Iterable[str]) -> dict[int, list[str]]:
    """The output files of each shard's bundle among `paths` (see `bundle_shard`), in order:
    found in one pass, not one per shard."""
    shards: dict[int, list[str]] = {}
    for path in paths:
        if path.startswith(SEARCH_BUNDLE_DIR) and (number := bundle_shard(path)) is not None:
            shards.setdefault(number, []).append(path)
    return shards


def shards_file(count: int) -> bytes:
    """pagefind/shards.json: the folders of the shards after the first."""
    others = [shard_folder(number) for number in range(2, count + 1)]
    return json.dumps(others).encode() + b"\n"


def page_url(path: str) -> str:
    """The URL Pagefind gives the page at output path `path` (as it would reading a folder)."""
    folder, _, name = path.rpartition("/")
    if name == "index.html":
        return f"/{folder}/" if folder else "/"
    return f"/{path}"


def index_shard(pages: Mapping[str, bytes], paths: Iterable[str]) -> dict[str, bytes]:
    """One Pagefind run: its bundle (file name -> bytes) indexing only `paths`, whose search
    documents it is sent one at a time (a copy of each is transient)."""
    documents = ((page_url(path), search_document(pages[path])) for path in paths)
    return stable_filters(index_documents(documents, INDEX_CONFIG))


def index_shards(
    pages: Mapping[str, bytes], shards: Mapping[int, list[str]]
) -> Iterator[tuple[int, dict[str, bytes]]]:
    """Each shard's bundle, its files named by output path, in shard order; `SEARCH_JOBS`
    Pagefind runs at a time, and no more than twice as many bundles held: a run starts
    as a bundle is taken. Closed early, the runs not started yet are not started."""
    with ThreadPoolExecutor(max_workers=SEARCH_JOBS) as pool:
        running: deque[tuple[int, Future[dict[str, bytes]]]] = deque()
        try:
            for number in sorted(shards):
                running.append((number, pool.submit(index_shard, pages, shards[number])))
                if len(running) == 2 * SEARCH_JOBS:
                    yield shard_files(*running.popleft())
            while running:
                yield shard_files(*running.popleft())
        finally:
            for _, future in running:
                future.cancel()


def shard_files(number: int, bundle: Future[dict[str, bytes]]) -> tuple[int, dict[str, bytes]]:
    """Shard `number`'s bundle once indexed, its files named by output path."""
    prefix = shard_prefix(number)
    return number, {prefix + name: data for name, data in bundle.result().items()}


def index_pages(pages: Mapping[str, bytes], searchable: Iterable[str]) -> dict[str, bytes]:
    """The search stage from scratch: the bundles ({"pagefind/...": bytes}) indexing only
    the `searchable` pages, a shard at a time (see the module's docstring), and
    pagefind/shards.json naming the shards after the first."""
    shards = shard_paths(searchable, SHARD_PAGES)
    out: dict[str, bytes] = {}
    for _, files in index_shards(pages, dict(enumerate(shards, start=1))):
        out.update(files)
    out[f"{SEARCH_BUNDLE_DIR}/{SHARDS_FILE}"] = shards_file(len(shards))
    return dict(sorted(out.items()))


# ---- filters in a stable order -----------------------------------------------------------------
# Pagefind writes each filter's values, and the list of filters, in an arbitrary order that
# changes from run to run (its files are named by their content, so the names change too), so
# two builds would differ. The bundle is rewritten with both sorted and the files renamed.
# The formats: pagefind-entry.json names each language's metadata file by its hash;
# "pagefind.<hash>.pf_meta" and "filter/<hash>.pf_filter" are gzip'd CBOR after a signature.
# The metadata is [version, pages, index chunks, filters as [name, hash], sorts, ...]; a filter
# file is [name, [[value, [page numbers]], ...]].
PAGEFIND_SIGNATURE = b"pagefind_dcd"
ENTRY_FILE = "pagefind-entry.json"
META_FILTERS = 3


def read_pagefind(data: bytes) -> Any:
    raw = gzip.decompress(data)
    if not raw.startswith(PAGEFIND_SIGNATURE):
        raise RuntimeError("Pagefind wrote an index file in a format this build does not know")
    return cbor2.loads(raw[len(PAGEFIND_SIGNATURE) :])


def write_pagefind(value: Any) -> bytes:
    return gzip.compress(PAGEFIND_SIGNATURE + cbor2.dumps(value), mtime=0)


def content_hash(language: str, data: bytes, length: int) -> str:
    return f"{language}_{hashlib.sha256(data).hexdigest()[:length]}"


def stable_filters(files: dict[str, bytes]) -> dict[str, bytes]:
    """The bundle (file name -> bytes) with every filter file and its list sorted."""
    if ENTRY_FILE not in files:
        return files
    entry = json.loads(files[ENTRY_FILE])
    out = dict(files)
    for language, info in entry["languages"].items():
        meta_name = f"pagefind.{info['hash']}.pf_meta"
        meta = read_pagefind(out.pop(meta_name))
        filters = []
        for name, old_hash in meta[META_FILTERS]:
            filter_name, values = read_pagefind(out.pop(f"filter/{old_hash}.pf_filter"))
            data = write_pagefind([filter_name, sorted([v, sorted(p)] for v, p in values)])
            new_hash = content_hash(language, data, 7)
            out[f"filter/{new_hash}.pf_filter"] = data
            filters.append([name, new_hash])
        meta[META_FILTERS] = sorted(filters)
        data = write_pagefind(meta)
        info["hash"] = content_hash(language, data, 10)
        out[f"pagefind.{info['hash']}.pf_meta"] = data
    out[ENTRY_FILE] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()
    return dict(sorted(out.items()))
