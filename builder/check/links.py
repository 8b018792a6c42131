"""Check: the finished output tree -> every internal link and anchor resolves, or the build fails.

Input: the staging folder, before it is swapped in.
Output: nothing; raises `ContentErrors` naming the link that is broken (missing file, or
missing `#fragment` on an existing page) where it was written: in the content file when
`source_of` knows it (a summary's link), else at the page and line of the output.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from builder.errors import ContentError, ContentErrors

LINK_ATTRIBUTES = {"href", "src"}
# A start tag and its attributes. A regex scanner rather than html.parser: it is ~10x faster
# on large archives, and the pages it reads are our own serialised output. The Nu Html
# Checker, run in the tests, is what vouches for the markup itself.
START_TAG = re.compile(
    r"<([a-zA-Z][\w-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*/?>"
)
ATTRIBUTE = re.compile(r"([^\s=>/]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+)))?")
# Text in which a tag-like string is not a tag.
RAW_TEXT = re.compile(r"<!--.*?-->|<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)

# An id as our templates write it, when whitespace precedes it. Only pages that a
# `#fragment` points into are scanned. The pattern starts with a literal, which the regex
# engine finds ~5x faster than one starting with `\s`.
ID_ATTRIBUTE = re.compile(rb'id="([^"]*)"')


@dataclass
class PageLinks:
    ids: set[str] = field(default_factory=set)
    links: list[tuple[int, str]] = field(default_factory=list)  # (line, url)


def collect_links(page: str) -> PageLinks:
    """The ids (and `<a name>`s) a page defines and the href/src values it links to."""
    found = PageLinks()
    newlines = [m.start() for m in re.finditer("\n", page)]
    skipped = [(m.start(), m.end()) for m in RAW_TEXT.finditer(page)]
    for tag in START_TAG.finditer(page):
        inside = bisect.bisect_right(skipped, (tag.start(), len(page))) - 1
        # The opening <script> itself is a real tag (its src counts); its body is not.
        if inside >= 0 and skipped[inside][0] < tag.start() < skipped[inside][1]:
            continue
        name = tag.group(1).lower()
        line = bisect.bisect_left(newlines, tag.start()) + 1
        for attribute in ATTRIBUTE.finditer(tag.group(2)):
            key = attribute.group(1).lower()
            raw = attribute.group(2) or attribute.group(3) or attribute.group(4)
            if raw is None:
                continue
            value = html.unescape(raw)
            if key == "id" or (key == "name" and name == "a"):
                found.ids.add(value)
            elif key in LINK_ATTRIBUTES:
                found.links.append((line, value))
    return found


class SiteFiles(Protocol):
    """What a link check asks of a site: its files, folders and each page's ids."""

    def is_file(self, path: str) -> bool: ...

    def is_dir(self, path: str) -> bool: ...

    def ids(self, page: str) -> set[str]: ...


@dataclass(frozen=True)
class WrittenSite:
    """A site on disk, its pages already read and parsed."""

    root: Path
    pages: dict[str, PageLinks]

    def is_file(self, path: str) -> bool:
        return path in self.pages or (self.root / path).is_file()

    def is_dir(self, path: str) -> bool:
        return (self.root / path).is_dir()

    def ids(self, page: str) -> set[str]:
        return self.pages[page].ids


class RenderedFiles:
    """A site still in memory: every output file, and the rendered pages' HTML."""

    def __init__(self, files: Mapping[str, bytes]) -> None:
        self.files = files
        self.known_ids: dict[str, set[str]] = {}

    @cached_property
    def folders(self) -> set[str]:
        """Listed only when a link to a missing file is checked (to say why)."""
        return {folder for name in self.files for folder in parent_folders(name)}

    def is_file(self, path: str) -> bool:
        return path in self.files

    def is_dir(self, path: str) -> bool:
        return path in self.folders

    def ids(self, page: str) -> set[str]:
        """Read off the page only when a link asks for one of its fragments."""
        if page not in self.known_ids:
            self.known_ids[page] = page_ids(self.files[page])
        return self.known_ids[page]


def page_ids(data: bytes) -> set[str]:
    """The ids a page of our own output defines (see ID_ATTRIBUTE)."""
    return {
        html.unescape(found.group(1).decode("utf-8"))
        for found in ID_ATTRIBUTE.finditer(data)
        if data[found.start() - 1 : found.start()].isspace()
    }


def parent_folders(name: str) -> Iterator[str]:
    """ "a/b/c.html" -> "a", "a/b"."""
    parts = name.split("/")
    for depth in range(1, len(parts)):
        yield "/".join(parts[:depth])


def check_links(site_dir: Path, shown_as: str | None = None) -> None:
    """Raise ContentErrors listing every internal href/src that does not resolve; pages are
    named under `shown_as` (the output folder the staging folder becomes), or its own name."""
    pages = {
        path.relative_to(site_dir).as_posix(): collect_links(path.read_text(encoding="utf-8"))
        for path in sorted(site_dir.rglob("*.html"))
    }
    site = WrittenSite(site_dir, pages)
    errors = [
        broken_link(shown_as, page, line, url, problem)
        for page, links in pages.items()
        for line, url in links.links
        if (problem := link_problem(site, page, url))
    ]
    if errors:
        raise ContentErrors(errors)


@dataclass(frozen=True)
class LinkTargets:
    """What the checked links point at: files, and the pages a `#fragment` points into."""

    files: frozenset[str] = frozenset()
    anchored: frozenset[str] = frozenset()


def check_rendered_links(
    links: Mapping[str, Iterable[str]],
    files: Mapping[str, bytes],
    shown_as: str,
    vouched: Collection[str] = frozenset(),
) -> LinkTargets:
    """The check stage, from what render logged: `links` maps each page to the links it
    makes, as they appear in its HTML; `files` is every output file. Nothing is re-parsed
    but the pages a `#fragment` points into (for their ids), and a page with a broken
    link (for the link's line). The pages in `vouched` are not checked (the caller knows
    their links resolve: builder/check/link_record.py). Returns what the links checked
    point at."""
    checks = LinkChecks(RenderedFiles(files))
    errors: list[ContentError] = []
    targets: set[str] = set()
    anchored: set[str] = set()
    for page, page_links in links.items():
        if page in vouched:
            continue
        scopes = LinkScopes.of(page)
        for url in checks.unchecked(scopes, page_links):
            target, into_page, problem = checks.checked(page, scopes, url)
            if problem:
                errors.append(broken_link(shown_as, page, line_of(files[page], url), url, problem))
            elif target:
                targets.add(target)
                if into_page:
                    anchored.add(target)
    if errors:
        raise ContentErrors(errors)
    return LinkTargets(frozenset(targets), frozenset(anchored))


@dataclass(frozen=True)
class LinkScopes:
    """What `checked_link` of one page's link without a colon or fragment depends on
    besides the link, named so that links from pages with the same scope check out the same:
    the page itself, for a link without a path ("", "?q"); the page's folder depth, for a
    link that climbs all the way to the root first (as `rel` makes most links:
    "../../articles/x/" from any "a/b/index.html"); else the page's folder."""

    page: str
    folder: str
    climb: str | None  # "../" once per folder of the page; None when a folder is odd
    root: str  # the scope of the links that climb to the root

    @classmethod
    def of(cls, page: str) -> LinkScopes:
        folder = page.rpartition("/")[0]
        parts = folder.split("/") if folder else []
        # Climbing out of a folder named "", "." or ".." does not end at the root.
        climb = None if any(part in ("", ".", "..") for part in parts) else "../" * len(parts)
        return cls(f"page {page}", f"folder {folder}", climb, f"root {climb}")

    def scope(self, link: str) -> str:
        if link[:1] in ("", "?"):
            return self.page
        if self.climb is not None and link.startswith(self.climb):
            return self.root
        return self.folder


class LinkChecks:
    """`checked_link` of many pages' links, each check done once per `LinkScopes` scope:
    pages of one folder depth make the same links again and again (~3 a distinct one). A
    link that climbs to the root and resolves is not looked at again from that depth
    (`unchecked`: a set difference); the part before a link's `#fragment` is resolved once
    (then its fragment is looked up in the ids of the page it points into)."""

    # The most links and link parts kept (then all are forgotten): some 20 MB at most.
    MAX_KNOWN = 100_000

    def __init__(self, site: SiteFiles) -> None:
        self.site = site
        self.known: dict[tuple[str, str], tuple[str, bool, str]] = {}  # (scope, link) -> check
        self.passed: dict[str, set[str]] = {}  # root scope -> links that resolve from there
        self.kept = 0  # entries in `known` and `passed`

    def unchecked(self, scopes: LinkScopes, links: Iterable[str]) -> set[str]:
        """The distinct links of a page that are not known to resolve from it."""
        return set(links).difference(self.passed.get(scopes.root, ()))

    def checked(self, page: str, scopes: LinkScopes, url: str) -> tuple[str, bool, str]:
        before_fragment, _, raw_fragment = url.partition("#")
        if not before_fragment or ":" in url:  # into the page itself, or left to a full parse
            return checked_link(self.site, page, url)
        scope = scopes.scope(before_fragment)
        key = (scope, before_fragment)
        checked = self.known.get(key)
        if checked is None:
            checked = self.known[key] = checked_link(self.site, page, before_fragment)
            self.kept += 1
        target, _, problem = checked
        if raw_fragment and target and not problem:
            checked = fragment_checked(self.site, target, raw_fragment)
        if scope == scopes.root and not checked[2]:
            self.passed.setdefault(scope, set()).add(url)
            self.kept += 1
        if self.kept >= self.MAX_KNOWN:  # forget all: memory stays bounded
            self.known.clear()
            self.passed.clear()
            self.kept = 0
        return checked


def line_of(page: bytes, url: str) -> int:
    """The line of the first href/src to `url` on the page; 0 if it cannot be found."""
    value = html.escape(url).encode("utf-8")
    for attribute in (b'href="', b'src="'):
        at = page.find(attribute + value + b'"')
        if at >= 0:
            return page.count(b"\n", 0, at) + 1
    return 0


def broken_link(shown_as: str | None, page: str, line: int, url: str, problem: str) -> ContentError:
    """At the output page, named under `shown_as` (the output folder) when given; never at
    the staging folder, which is deleted once the build fails."""
    return ContentError(
        f"{shown_as}/{page}" if shown_as else page,
        line,
        f"broken link {url!r}: {problem}",
        "fix the template or content that produced it",
    )


def link_problem(site: SiteFiles, page: str, url: str) -> str:
    """Why the link is broken, or '' when it resolves (external links are not followed)."""
    return checked_link(site, page, url)[2]


def checked_link(site: SiteFiles, page: str, url: str) -> tuple[str, bool, str]:
    """The output file a link points at ('' for an external link), whether it points into
    a page's `#fragment`, and why it is broken ('' when it resolves)."""
    if url.startswith("//"):
        return "", False, ""
    if ":" in url:  # maybe a scheme: the full parse (a relative link rarely has a colon)
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            return "", False, ""
        path, raw_fragment = parts.path, parts.fragment
    else:  # what urlsplit gives for a URL without a scheme, ~5x faster
        before_fragment, _, raw_fragment = url.partition("#")
        path = before_fragment.partition("?")[0]
    if url.startswith("/"):
        return "", False, "root-absolute links break under a sub-path; use a relative link"
    target = resolve(page, unquote(path)) if path else page
    if target is None:
        return "", False, "it leaves the site"
    if not site.is_file(target):
        if site.is_dir(target):
            return target, False, "a link to a folder must end in '/'"
        return target, False, f"no file {target}"
    return fragment_checked(site, target, raw_fragment)


def fragment_checked(site: SiteFiles, target: str, raw_fragment: str) -> tuple[str, bool, str]:
    """`checked_link` of a link to the existing file `target` with that `#fragment`."""
    fragment = unquote(raw_fragment)
    into_page = bool(fragment) and target.endswith(".html")
    if into_page and fragment not in site.ids(target):
        return target, True, f"no element with id '{raw_fragment}' in {target}"
    return target, into_page, ""


def resolve(page: str, path: str) -> str | None:
    """The output file a relative link from `page` points at ('a/' means 'a/index.html')."""
    folder = page.rpartition("/")[0]
    plain = plain_from_root(folder, path)
    if plain is not None:
        return f"{plain}index.html" if plain.endswith("/") or not plain else plain
    joined = f"{folder}/{path}" if folder else path
    parts: list[str] = []
    for part in joined.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    target = "/".join(parts)
    if path.endswith("/") or not parts:
        target = f"{target}/index.html" if target else "index.html"
    return target


def plain_from_root(folder: str, path: str) -> str | None:
    """The site-relative path of a link that climbs from `folder` to the root and goes down
    without "." or ".." or empty segments, as `rel` makes most links
    ("../../articles/x/" from "actors/a" -> "articles/x/"); None for any other link."""
    climb = "../" * (folder.count("/") + 1) if folder else ""
    if not path.startswith(climb):
        return None
    rest = path[len(climb) :]
    if rest.startswith(("/", "./")) or "//" in rest or "/./" in rest or ".." in rest:
        return None
    if rest == "." or rest.endswith("/."):
        return None
    return rest
