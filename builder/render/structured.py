"""Structured data: schema.org JSON-LD for pages, and the list of data downloads.

Input: the `Archive` (and timeline entries or a metric comparison for those pages).
Output: `Markup` holding JSON safe to place inside <script type="application/ld+json">.
JSON-LD is one of the few places with absolute URLs, all built from `site.base_url`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from builder.derive.figures import Disagreement, MetricComparison
from builder.derive.timeline import TimelineEntry
from builder.index import Archive
from builder.model import Actor, Article

CONTEXT = "https://schema.org"
SCHEMA_TYPE_BY_KIND = {"person": "Person", "state": "Country"}  # every other kind: Organization


@dataclass(frozen=True)
class Download:
    path: str  # site-relative
    title: str
    encoding_format: str
    description: str


DOWNLOADS = (
    Download(
        "data/archive.json",
        "The whole archive",
        "application/json",
        "Site, metrics, actors and articles with every event, figure and quote, each with its "
        "passage (verbatim text and character offsets in the source text), and every flagged "
        "disagreement between figures.",
    ),
    Download(
        "data/archive.schema.json",
        "JSON Schema of archive.json",
        "application/schema+json",
        "The JSON Schema that archive.json is validated against at build time.",
    ),
    Download(
        "data/figures.csv",
        "Figures",
        "text/csv",
        "One row per figure: metric and its kind, low and high value (or the source's vague "
        "word), qualifier, as-of date, period, part of a whole, claimant, projected, article "
        "and the quoted passage.",
    ),
    Download(
        "data/events.csv",
        "Events",
        "text/csv",
        "One row per report of an event: event id, date, title, actors, article and passage.",
    ),
    Download(
        "data/quotes.csv",
        "Quotes",
        "text/csv",
        "One row per quote: speaker, the quoted words, article and passage.",
    ),
    Download(
        "data/disagreements.csv",
        "Disagreements",
        "text/csv",
        "One row per flagged pair of figures: severity (conflict or tension), rule, reason, "
        "whether one claimant made both, and each side's figure, value, dates, claimant and "
        "sentence.",
    ),
)


def json_ld(data: Mapping[str, Any]) -> Markup:
    """JSON for a <script> element. "<", ">" and "&" become \\u escapes (still the same JSON),
    so content can neither close the script ("</script>") nor open a comment or script state."""
    text = json.dumps({"@context": CONTEXT, **data}, ensure_ascii=False, indent=1, sort_keys=True)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return Markup(text)


def article_json_ld(archive: Archive, article: Article) -> Markup:
    base = archive.site.base_url
    return json_ld(
        {
            "@type": "NewsArticle",
            "headline": article.title,
            "datePublished": article.published.iso(),
            "publisher": {"@type": "Organization", "name": article.outlet},
            "url": base + archive.url_article(article.slug),
            "isPartOf": {"@type": "WebSite", "name": archive.site.title, "url": base},
        }
    )


def actor_json_ld(archive: Archive, actor: Actor) -> Markup:
    data: dict[str, Any] = {
        "@type": SCHEMA_TYPE_BY_KIND.get(actor.kind, "Organization"),
        "name": actor.name,
        "url": archive.site.base_url + archive.url_actor(actor.actor_id),
    }
    if actor.aliases:
        data["alternateName"] = list(actor.aliases)
    return json_ld(data)


def timeline_json_ld(archive: Archive, entries: Sequence[TimelineEntry]) -> Markup:
    base = archive.site.base_url
    items = [
        {"@type": "ListItem", "position": n, "item": event_json_ld(entry, base)}
        for n, entry in enumerate(entries, start=1)
    ]
    return json_ld({"@type": "ItemList", "name": "Timeline", "itemListElement": items})


def event_json_ld(entry: TimelineEntry, base_url: str) -> dict[str, object]:
    """A schema.org Event; its location only where a source states one, never guessed."""
    event: dict[str, object] = {
        "@type": "Event",
        "name": entry.title,
        "startDate": entry.date.iso(),
        "url": base_url + entry.url,
    }
    if entry.place is not None:
        event["location"] = {"@type": "Place", "name": entry.place}
    return event


def disagreements_json_ld(archive: Archive, page: str, flags: Sequence[Disagreement]) -> Markup:
    """The flagged pairs as an ItemList, each item the pair's entry on the page at `page`."""
    url = archive.site.base_url + page
    items = [
        {
            "@type": "ListItem",
            "position": n,
            "name": f"{flag.severity}: {flag.reason}",
            "url": f"{url}#{flag.disagreement_id}",
        }
        for n, flag in enumerate(flags, start=1)
    ]
    return json_ld(
        {"@type": "ItemList", "name": "Disagreements", "url": url, "itemListElement": items}
    )


def metric_json_ld(archive: Archive, comparison: MetricComparison) -> Markup:
    metric = comparison.metric
    return json_ld(
        {
            "@type": "Dataset",
            "name": metric.label,
            "description": metric.description or f"Claims about {metric.label} ({metric.scope}).",
            "url": archive.site.base_url + archive.url_metric(metric.metric_id),
            "variableMeasured": {
                "@type": "PropertyValue",
                "name": metric.label,
                "unitText": metric.unit,
            },
        }
    )


def dataset_json_ld(archive: Archive) -> Markup:
    return json_ld(dataset_data(archive))


def dataset_data(archive: Archive) -> dict[str, Any]:
    """The archive's downloads as a schema.org Dataset, with its licence when one is set."""
    base = archive.site.base_url
    data: dict[str, Any] = {
        "@type": "Dataset",
        "name": archive.site.title,
        "description": archive.site.description,
        "url": base + "data/",
        "isAccessibleForFree": True,
        "distribution": [
            {
                "@type": "DataDownload",
                "name": d.title,
                "contentUrl": base + d.path,
                "encodingFormat": d.encoding_format,
            }
            for d in DOWNLOADS
        ],
    }
    newest = archive.articles[0].published if archive.articles else None
    if newest is not None:
        data["dateModified"] = newest.iso()  # the content's date, never the build's
    if archive.site.license is not None:
        data["license"] = archive.site.license.url
    return data


def home_json_ld(archive: Archive) -> Markup:
    """The home page: the site (WebSite) and the archive's data (Dataset), in one graph.
    No SearchAction: the search page does not read a query from its URL."""
    site = archive.site
    base = site.base_url
    website: dict[str, Any] = {
        "@type": "WebSite",
        "@id": base + "#website",
        "name": site.title,
        "description": site.description,
        "url": base,
        "inLanguage": site.language,
    }
    dataset = {"@id": base + "data/#dataset", **dataset_data(archive)}
    dataset["isPartOf"] = {"@id": website["@id"]}
    if site.license is not None:
        website["license"] = site.license.url
    return json_ld({"@graph": [website, dataset]})
