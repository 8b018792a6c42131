"""Check: the finished output tree -> every internal link and anchor resolves, or the build fails.

Input: the staging folder, before it is swapped in.
Output: nothing; raises `ContentErrors` naming the page, its line, and the link that is
broken (missing file, or missing `#fragment` on an existing page).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from builder.errors import ContentError, ContentErrors

LINK_ATTRIBUTES = {"href", "src"}


@dataclass
class PageLinks:
    ids: set[str] = field(default_factory=set)
    links: list[tuple[int, str]] = field(default_factory=list)  # (line, url)


class LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = PageLinks()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name") and (name == "id" or tag == "a"):
                self.page.ids.add(value)
            elif name in LINK_ATTRIBUTES:
                self.page.links.append((line, value))


def collect_links(html: str) -> PageLinks:
    parser = LinkCollector()
    parser.feed(html)
    parser.close()
    return parser.page


def check_links(site_dir: Path) -> None:
    """Raise ContentErrors listing every internal href/src that does not resolve."""
    pages = {
        path.relative_to(site_dir).as_posix(): collect_links(path.read_text(encoding="utf-8"))
        for path in sorted(site_dir.rglob("*.html"))
    }
    errors = [
        ContentError(
            f"{site_dir.name}/{page}",
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
