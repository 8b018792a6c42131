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
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
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


def check_links(site_dir: Path, shown_as: str | None = None) -> None:
    """Raise ContentErrors listing every internal href/src that does not resolve; pages are
    named under `shown_as` (the output folder the staging folder becomes), or its own name."""
    pages = {
        path.relative_to(site_dir).as_posix(): collect_links(path.read_text(encoding="utf-8"))
        for path in sorted(site_dir.rglob("*.html"))
    }
    errors = [
        ContentError(
            f"{shown_as}/{page}" if shown_as else page,
            line,
            f"broken link {url!r}: {problem}",
            "fix the template or content that produced it",
        )
        for page, links in pages.items()
        for line, url in links.links
        if (problem := link_problem(site_dir, page, url, pages))
    ]
    if errors:
        raise ContentErrors(errors)


def broken_link_error(
    page: str, line: int, url: str, problem: str, source: tuple[str, int] | None
) -> ContentError:
    """At the content file that holds the link, or else at the output page (never at the
    staging folder, which is deleted once the build fails)."""
    if source is not None:
        return ContentError(*source, f"broken link {url!r}: {problem}", "fix the link")
    hint = "fix the template or content that produced it"
    return ContentError(page, line, f"broken link {url!r}: {problem}", hint)


def link_problem(site_dir: Path, page: str, url: str, pages: dict[str, PageLinks]) -> str:
    """Why the link is broken, or '' when it resolves (external links are not followed)."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith("//"):
        return ""
    if url.startswith("/"):
        return "root-absolute links break under a sub-path; use a relative link"
    target = resolve(page, unquote(parts.path)) if parts.path else page
    if target is None:
        return "it leaves the site"
    if target not in pages and not (site_dir / target).is_file():
        if (site_dir / target).is_dir():
            return "a link to a folder must end in '/'"
        return f"no file {target}"
    fragment = unquote(parts.fragment)
    if fragment and target.endswith(".html") and fragment not in pages[target].ids:
        return f"no element with id '{parts.fragment}' in {target}"
    return ""


@lru_cache(maxsize=4096)
def resolve(page: str, path: str) -> str | None:
    """The output file a relative link from `page` points at ('a/' means 'a/index.html')."""
    joined = PurePosixPath(page).parent.joinpath(path).as_posix()
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
