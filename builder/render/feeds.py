"""Feeds for machines: the Atom feed, the sitemap and robots.txt.

Input: the `Archive` and the output paths of every HTML page ("articles/x/index.html").
Output: {"feed.xml": ..., "sitemap.xml": ..., "robots.txt": ...} as bytes.

These are the only files besides canonical links that carry absolute URLs, all built from
`site.base_url`. Dates come from the content (an article's publication date), never from the
clock, so two builds are byte-identical.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence

from builder.index import Archive, page_url
from builder.model import Article, FuzzyDate
from builder.render.markup import MARKDOWN

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# The sitemap protocol allows at most 50,000 URLs per file; beyond that we write an index.
SITEMAP_MAX_URLS = 50_000
# Atom needs *some* `updated` even for an empty archive; a fixed date keeps builds identical.
EMPTY_FEED_UPDATED = "1970-01-01T00:00:00Z"
EXCLUDED_PAGES = frozenset({"404.html"})
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
# Readers poll the feed; the newest fact sheets are what they need, the archive has the rest.
FEED_MAX_ENTRIES = 100

# XML 1.0 forbids most control characters; untrusted content must not make the feed unparsable.
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render_feeds(archive: Archive, page_paths: Sequence[str]) -> dict[str, bytes]:
    """feed.xml (Atom 1.0), sitemap.xml (or a sitemap index and its parts) and robots.txt."""
    outputs = {"feed.xml": render_atom(archive)}
    outputs.update(render_sitemaps(archive, page_paths))
    outputs["robots.txt"] = render_robots(archive.site.base_url)
    return outputs


# ---- Atom -------------------------------------------------------------------------------


def render_atom(archive: Archive) -> bytes:
    """The newest fact sheets, newest first, as an Atom 1.0 feed (RFC 4287)."""
    site = archive.site
    base = site.base_url
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": clean_text(site.language)})
    add_text(feed, "id", base)
    add_text(feed, "title", site.title)
    add_text(feed, "subtitle", site.description)
    newest = archive.articles[0].published if archive.articles else None
    add_text(feed, "updated", atom_datetime(newest) if newest else EMPTY_FEED_UPDATED)
    ET.SubElement(
        feed, "link", {"rel": "self", "type": "application/atom+xml", "href": base + "feed.xml"}
    )
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": base})
    author = ET.SubElement(feed, "author")
    add_text(author, "name", site.title)
    add_text(author, "uri", base)
    add_text(feed, "generator", "factsheet-archive")
    for article in archive.articles[:FEED_MAX_ENTRIES]:
        feed.append(atom_entry(archive, article))
    return serialise(feed)


def atom_entry(archive: Archive, article: Article) -> ET.Element:
    """One fact sheet: its absolute URL doubles as the entry id (stable while base_url is)."""
    url = archive.site.base_url + archive.url_article(article.slug)
    entry = ET.Element("entry")
    add_text(entry, "id", url)
    add_text(entry, "title", article.title)
    stamp = atom_datetime(article.published)
    add_text(entry, "published", stamp)
    add_text(entry, "updated", stamp)
    ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": url})
    # The outlet is the source, not the author: the fact sheet is the archive's own work.
    source_line = f"Fact sheet on an article by {article.outlet}, {article.published.human()}."
    summary = markdown_to_text(article.summary_md)
    add_text(entry, "summary", f"{source_line}\n\n{summary}" if summary else source_line)
    for term in entry_categories(archive, article):
        ET.SubElement(entry, "category", {"term": clean_text(term)})
    return entry


def entry_categories(archive: Archive, article: Article) -> list[str]:
    """The outlet, then the metrics the article gives figures for, without repeats."""
    terms = [article.outlet]
    for figure in article.figures:
        label = archive.metrics[figure.metric_id].label
        if label not in terms:
            terms.append(label)
    return terms


def atom_datetime(date: FuzzyDate) -> str:
    """RFC 3339 at midnight UTC of the date's first day (Atom requires a full timestamp)."""
    return date.start().isoformat() + "T00:00:00Z"


def markdown_to_text(markdown: str) -> str:
    """The plain text of an editor's Markdown: paragraphs kept, markup and links dropped.

    Plain text, because relative links in a summary would break in a feed reader.
    """
    blocks: list[str] = []
    for token in MARKDOWN.parse(markdown):
        if token.type == "inline" and token.children is not None:
            parts = [
                child.content if child.type in ("text", "code_inline") else " "
                for child in token.children
                if child.type in ("text", "code_inline", "softbreak", "hardbreak")
            ]
            blocks.append("".join(parts).strip())
    return "\n\n".join(block for block in blocks if block)


# ---- sitemap and robots -------------------------------------------------------------------


def render_sitemaps(archive: Archive, page_paths: Sequence[str]) -> dict[str, bytes]:
    """sitemap.xml listing every page but 404.html; split into parts past 50,000 URLs."""
    entries = sitemap_entries(archive, page_paths)
    if len(entries) <= SITEMAP_MAX_URLS:
        return {"sitemap.xml": sitemap_urlset(entries)}
    outputs: dict[str, bytes] = {}
    for n, first in enumerate(range(0, len(entries), SITEMAP_MAX_URLS), start=1):
        outputs[f"sitemap-{n}.xml"] = sitemap_urlset(entries[first : first + SITEMAP_MAX_URLS])
    index = ET.Element("sitemapindex", {"xmlns": SITEMAP_NS})
    for name in outputs:
        add_text(ET.SubElement(index, "sitemap"), "loc", archive.site.base_url + name)
    outputs["sitemap.xml"] = serialise(index)
    return outputs


def sitemap_entries(archive: Archive, page_paths: Iterable[str]) -> list[tuple[str, str | None]]:
    """(absolute URL, lastmod or None) for each listed page, sorted by URL."""
    lastmods = page_lastmods(archive)
    newest = archive.articles[0].published.iso() if archive.articles else None
    entries = []
    for path in page_paths:
        if path in EXCLUDED_PAGES or not path.endswith(".html"):
            continue
        url = page_url(path)
        # "figures/x/page/2/" changes with "figures/x/": both show the metric's claims.
        section = "/".join(url.split("/")[:2]) + "/"
        entries.append((archive.site.base_url + url, lastmods.get(section, newest)))
    return sorted(set(entries))


def page_lastmods(archive: Archive) -> dict[str, str]:
    """When the content of a fact sheet, a metric's pages and an actor's pages last changed:
    the newest publication date among the articles each shows, so that lastmod is
    deterministic (never the build time). Every other page (home, timeline, listings) shows
    the whole archive, and so changes with its newest article."""
    lastmods = {archive.url_article(a.slug): a.published.iso() for a in archive.articles}
    # The articles are newest first: the newest of some is the one that comes first.
    order = {article.slug: n for n, article in enumerate(archive.articles)}

    def newest(slugs: Iterable[str]) -> str | None:
        first = min((order[slug] for slug in slugs), default=None)
        return None if first is None else archive.articles[first].published.iso()

    for metric_id in archive.metrics:
        figures = archive.figures_by_metric.get(metric_id, ())
        if (date := newest(f.article_slug for f in figures)) is not None:
            lastmods[archive.url_metric(metric_id)] = date
    for actor_id, actor_slugs in actor_articles(archive).items():
        if (date := newest(actor_slugs)) is not None:
            lastmods[archive.url_actor(actor_id)] = date
    return lastmods


def actor_articles(archive: Archive) -> dict[str, set[str]]:
    """Actor id -> the articles its page draws on: those naming it in their text or giving
    it an event, a figure or a quote."""
    slugs: dict[str, set[str]] = {actor_id: set() for actor_id in archive.actors}
    for slug, mentions in archive.mentions.items():
        for actor_id in mentions.actor_ids:  # each named at least once (not every mention)
            slugs[actor_id].add(slug)
    for event in archive.events:
        for actor_id in event.actor_ids:
            slugs[actor_id].add(event.article_slug)
    for figure in archive.figures:
        if figure.claimant_id is not None:
            slugs[figure.claimant_id].add(figure.article_slug)
    for quote in archive.quotes:
        slugs[quote.speaker_id].add(quote.article_slug)
    return slugs


def sitemap_urlset(entries: Sequence[tuple[str, str | None]]) -> bytes:
    """The urlset as `serialise` writes it (indented by two spaces), written as text: for
    every page of the site, ElementTree's tree took a third of a second at 10,000 articles."""
    if not entries:
        return serialise(ET.Element("urlset", {"xmlns": SITEMAP_NS}))
    lines = [f'<urlset xmlns="{SITEMAP_NS}">']
    for loc, lastmod in entries:
        lines.append(f"  <url>\n    <loc>{xml_text(loc)}</loc>")
        if lastmod is not None:
            lines.append(f"    <lastmod>{xml_text(lastmod)}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>")
    return XML_DECLARATION + "\n".join(lines).encode() + b"\n"


def xml_text(text: str) -> str:
    """Text as ElementTree writes it (`add_text`): cleaned, with &, < and > escaped."""
    return clean_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_robots(base_url: str) -> bytes:
    """Allow every crawler everywhere. Crawlers read robots.txt only at a domain root, so under
    a sub-path this file is inert, and the sitemap must be submitted by hand."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {base_url}sitemap.xml\n".encode()


# ---- XML helpers --------------------------------------------------------------------------


def clean_text(text: str) -> str:
    return _XML_INVALID.sub("", text)


def add_text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    """A child element holding text; ElementTree escapes &, < and > on output."""
    child = ET.SubElement(parent, tag)
    child.text = clean_text(text)
    return child


def serialise(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return XML_DECLARATION + f"{body}\n".encode()
