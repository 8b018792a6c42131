"""Summary links: every internal link in an editor's Markdown summary resolves, checked on
the model before anything is rendered.

Input: an `Archive`.
Output: a `ContentError` for each broken link, at its line in the content file, so that
`check` and `build` both report it where the editor wrote it (the link check after
rendering would only name the built page).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

from builder.check.links import resolve
from builder.errors import ContentError
from builder.index import (
    ARTICLES_PER_SOURCES_PAGE,
    Archive,
    page_path,
    page_total,
    page_url,
    paged_url,
)
from builder.render.markup import MARKDOWN
from builder.render.structured import DOWNLOADS
from builder.render.timeline_nav import filter_first_page_urls

# Pages with a fixed URL in every archive (see pages.NAV and pages.fixed_contexts).
# The pages after the first of the disagreements and of each actor depend on derived data and
# are not listed: a summary link to them is reported broken.
FIXED_PAGES = (
    "",
    "figures/",
    "actors/",
    "about/",
    "search/",
    "data/",
    "404.html",
    "disagreements/",
)
FIXED_FILES = ("feed.xml", "sitemap.xml", "robots.txt", *(d.path for d in DOWNLOADS))
# Published by the theme and by Pagefind: their files are checked after rendering.
UNLISTED_FOLDERS = ("static/", "pagefind/")
MARK_ID = re.compile(r"^p\d+-\d+$")


def site_page_urls(archive: Archive) -> frozenset[str]:
    """The site-relative URL of every HTML page the build renders."""
    years = {event.date.year for event in archive.events}
    return frozenset(
        (
            *FIXED_PAGES,
            archive.url_timeline_page(),
            *filter_first_page_urls(archive),
            *(archive.url_timeline_page(year) for year in years),
            *(url.partition("#")[0] for url in archive.event_urls.values()),
            *(archive.url_article(article.slug) for article in archive.articles),
            *(archive.url_actor(actor_id) for actor_id in archive.actors),
            *(archive.url_metric(metric_id) for metric_id in archive.figures_by_metric),
            *(archive.url_figure(figure).partition("#")[0] for figure in archive.figures),
            *(
                paged_url("sources/", n)
                for n in range(1, page_total(len(archive.articles), ARTICLES_PER_SOURCES_PAGE) + 1)
            ),
        )
    )


def check_summary_links(archive: Archive) -> list[ContentError]:
    """Every broken internal link in an article's or actor's summary, at its line."""
    files = {page_path(url) for url in site_page_urls(archive)} | set(FIXED_FILES)
    marks = {
        page_path(archive.url_article(slug)): {mark.mark_id for mark in article_marks}
        for slug, article_marks in archive.marks.items()
    }
    summaries = [
        (a.source.path, a.summary_line, page_path(archive.url_article(a.slug)), a.summary_md)
        for a in archive.articles
    ] + [
        (a.source.path, a.summary_line, page_path(archive.url_actor(a.actor_id)), a.summary_md)
        for a in archive.actors.values()
    ]
    return [
        ContentError(
            path,
            first_line + offset,
            f"broken link {url!r} in the summary: {problem}",
            f"links are relative to the page the summary is shown on, {page_url(page) or './'}",
        )
        for path, first_line, page, summary in summaries
        for offset, url in summary_links(summary)
        if (problem := link_problem(page, url, files, marks))
    ]


def summary_links(summary_md: str) -> Iterator[tuple[int, str]]:
    """(0-based line within the summary, href) of each link in the Markdown."""
    if "[" not in summary_md and "<" not in summary_md:
        return  # no link can be written without one ("js-default" does not linkify)
    for block in MARKDOWN.parse(summary_md):
        line = block.map[0] if block.map else 0
        for token in block.children or ():
            if token.type == "link_open":
                yield line, str(token.attrGet("href") or "")


def link_problem(page: str, url: str, files: set[str], marks: dict[str, set[str]]) -> str:
    """Why a link from `page` is broken, or '' (external links are not followed)."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith("//"):
        return ""
    if url.startswith("/"):
        return "root-absolute links break under a sub-path; use a relative link"
    target = resolve(page, unquote(parts.path)) if parts.path else page
    if target is None:
        return "it leaves the site"
    if target.startswith(UNLISTED_FOLDERS):
        return ""
    if target not in files:
        return f"no file {target}"
    fragment = unquote(parts.fragment)
    if MARK_ID.match(fragment) and fragment not in marks.get(target, set()):
        return f"no passage '{fragment}' is marked on {target}"
    return ""
