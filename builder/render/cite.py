"""Citations: how to cite a fact sheet, a metric page or one claim, as plain text, BibTeX
and CSL-JSON.

Input: the `Archive` and the fact sheet, metric or figure to cite.
Output: `CiteFormats`, three strings ready to show in a page (the templates escape them).

A citation names this archive's page (its absolute permalink, from `site.base_url`) and,
for a fact sheet or a claim, the original article it rests on (title, outlet, publication
date and URL when known). The date is the article's publication date, or for a metric page
the newest publication date among its claims' articles: never the build time, so builds
stay byte-identical. The access date is the reader's to fill in: "[date]" in the plain text
and the BibTeX note; CSL-JSON has no `accessed`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from builder.derive.figures import ClaimView
from builder.index import Archive
from builder.model import Article, Figure, FuzzyDate
from builder.render.views import NONE_DESCRIBED, claim_permalink, claim_view

ACCESS_PLACEHOLDER = "[date]"
# BibTeX's special characters; braces are escaped so that a title can never unbalance them.
BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}
BIBTEX_SPECIAL = re.compile("[" + re.escape("".join(BIBTEX_ESCAPES)) + "]")
BIBTEX_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_:.-]")
# What a `url` field keeps as it is: printable ASCII but the braces and the backslash.
BIBTEX_URL_SAFE = "".join(chr(c) for c in range(33, 127) if chr(c) not in "{}\\")
# `json.dumps(value, ensure_ascii=False)`, without making an encoder for every value.
JSON_VALUE = json.JSONEncoder(ensure_ascii=False)
# What that encoder does with a `str` (most values of a citation), called directly.
json_string: Callable[[str], str] = json.encoder.encode_basestring


@dataclass(frozen=True)
class OriginalArticle:
    """The news article a fact sheet or claim rests on."""

    title: str
    outlet: str
    published: FuzzyDate
    url: str | None


@dataclass(frozen=True)
class Citation:
    key: str  # the BibTeX key and CSL id
    csl_type: str  # "webpage" or "dataset"
    title: str
    archive_title: str  # the publisher: this archive
    url: str  # absolute permalink
    issued: FuzzyDate
    language: str
    original: OriginalArticle | None = None


@dataclass(frozen=True)
class CiteFormats:
    text: str
    bibtex: str
    csl_json: str


# ---- what is cited --------------------------------------------------------------------------


def original_article(article: Article) -> OriginalArticle:
    return OriginalArticle(article.title, article.outlet, article.published, article.url)


def fact_sheet_citation(archive: Archive, article: Article) -> Citation:
    site = archive.site
    return Citation(
        key=f"factsheet-{article.slug}",
        csl_type="webpage",
        title=f"Fact sheet: {article.title}",
        archive_title=site.title,
        url=site.base_url + archive.url_article(article.slug),
        issued=article.published,
        language=site.language,
        original=original_article(article),
    )


def claim_citation(
    archive: Archive, figure: Figure, described: Mapping[str, ClaimView] = NONE_DESCRIBED
) -> Citation:
    """One figure: what it says, as of when and according to whom, on its fact sheet (its
    `describe_claim` from `described`, by figure id, where it is there)."""
    site = archive.site
    claim = claim_view(archive, figure, described)
    article = archive.article_by_slug[figure.article_slug]
    label = archive.metrics[figure.metric_id].label
    claimed_by = (
        f"according to {claim.claimant_name}"
        if claim.claimant_name
        else f"stated by {claim.outlet}"  # the outlet's own figure
    )
    return Citation(
        key=f"claim-{figure.figure_id}",
        csl_type="webpage",
        title=f"{label}: {claim.value_text}, as of {claim.as_of_text}, {claimed_by}",
        archive_title=site.title,
        url=site.base_url + claim_permalink(archive, figure),
        issued=article.published,
        language=site.language,
        original=original_article(article),
    )


def metric_citation(archive: Archive, metric_id: str) -> Citation:
    """A metric's page: every claim about it, dated by the newest article that makes one."""
    site = archive.site
    slugs = (figure.article_slug for figure in archive.figures_by_metric.get(metric_id, ()))
    issued = newest_published(archive, slugs) or FuzzyDate(1970)
    return Citation(
        key=f"metric-{metric_id}",
        csl_type="dataset",
        title=f"{archive.metrics[metric_id].label}: every claim",
        archive_title=site.title,
        url=site.base_url + archive.url_metric(metric_id),
        issued=issued,
        language=site.language,
    )


def claim_cite_anchor(figure_id: str) -> str:
    """The id of a claim's citation on its fact sheet."""
    return f"cite-{figure_id}"


def newest_published(archive: Archive, slugs: Iterable[str]) -> FuzzyDate | None:
    """The latest publication date among these articles; None for none."""
    dates = [archive.article_by_slug[slug].published for slug in slugs]
    return max(dates, key=lambda date: date.sort_key()) if dates else None


# ---- formats -------------------------------------------------------------------------------


def cite_formats(citation: Citation) -> CiteFormats:
    return CiteFormats(cite_text(citation), cite_bibtex(citation), cite_csl_json(citation))


def original_phrase(original: OriginalArticle, url: str | None) -> str:
    """ "“Title”, Outlet, 4 December 2016, URL" (URL as given, for the format to wrap)."""
    parts = [f"“{original.title}”", original.outlet, original.published.human()]
    return ", ".join([*parts, url] if url else parts)


def cite_text(citation: Citation) -> str:
    """One line, in the order of common reference styles; the reader adds the access date."""
    text = (
        f"{citation.archive_title}. “{citation.title}.” {citation.issued.human()}. "
        f"{citation.url} (accessed {ACCESS_PLACEHOLDER})."
    )
    if citation.original is not None:
        text += f" Based on {original_phrase(citation.original, citation.original.url)}."
    return text


def cite_bibtex(citation: Citation) -> str:
    """A @misc entry (classic BibTeX and biblatex both read it); the archive is a corporate
    author, in double braces so that it is never split into given and family names."""
    note = ""
    if citation.original is not None:
        original = citation.original
        pieces = [f"``{bibtex_escape(original.title)}''", bibtex_escape(original.outlet)]
        pieces.append(bibtex_escape(original.published.human()))
        if original.url:
            pieces.append(f"\\url{{{latex_url(original.url)}}}")
        note = f"Based on {', '.join(pieces)}. "
    note += f"Accessed {ACCESS_PLACEHOLDER}"
    date = citation.issued
    fields = [
        ("author", f"{{{bibtex_escape(citation.archive_title)}}}"),
        ("title", f"{{{bibtex_escape(citation.title)}}}"),
        ("howpublished", f"\\url{{{latex_url(citation.url)}}}"),
        ("url", bibtex_url(citation.url)),
        ("year", str(date.year)),
        *([("month", str(date.month))] if date.month is not None else []),
        ("date", date.iso()),
        ("language", bibtex_escape(citation.language)),
        ("note", note),
    ]
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields)
    return f"@misc{{{bibtex_key(citation.key)},\n{body}}}"


def bibtex_escape(text: str) -> str:
    return BIBTEX_SPECIAL.sub(lambda match: BIBTEX_ESCAPES[match.group()], text)


def bibtex_url(url: str) -> str:
    """A URL for a `url` field, which biblatex reads verbatim: braces, backslashes and
    spaces percent-encoded, since they would unbalance the entry (and are not valid in a
    URL anyway)."""
    return quote(url, safe=BIBTEX_URL_SAFE)


def latex_url(url: str) -> str:
    """A URL inside \\url{} within other text, where LaTeX reads "%" and "#" as commands."""
    return bibtex_url(url).replace("%", r"\%").replace("#", r"\#")


def bibtex_key(key: str) -> str:
    return BIBTEX_KEY_UNSAFE.sub("-", key)


def csl_date(date: FuzzyDate) -> dict[str, list[list[int]]]:
    """CSL's date-parts: as precise as the source, never more."""
    parts = [date.year, *(n for n in (date.month, date.day) if n is not None)]
    return {"date-parts": [parts]}


def cite_csl_json(citation: Citation) -> str:
    """A CSL-JSON array of one item (the form citation managers import), keys sorted."""
    item: dict[str, object] = {
        "id": citation.key,
        "type": citation.csl_type,
        "title": citation.title,
        "container-title": citation.archive_title,
        "publisher": citation.archive_title,
        "URL": citation.url,
        "issued": csl_date(citation.issued),
        "language": citation.language,
    }
    original = citation.original
    if original is not None:
        item["original-title"] = original.title
        item["original-publisher"] = original.outlet
        item["original-date"] = csl_date(original.published)
        item["note"] = f"Based on {original_phrase(original, original.url)}."
    # One key a line, each value on its line: readable, and a third of json.dumps(indent=2)
    # with its date-parts spread over nine lines.
    lines = (f"    {json_key(key)}: {json_value(value)}" for key, value in sorted(item.items()))
    return "[\n  {\n" + ",\n".join(lines) + "\n  }\n]"


def json_value(value: object) -> str:
    return json_string(value) if type(value) is str else JSON_VALUE.encode(value)


@lru_cache(maxsize=64)  # the dozen keys of CSL-JSON, each encoded for every claim
def json_key(key: str) -> str:
    return json.dumps(key)
