"""The data downloads: the whole archive as JSON (with its JSON Schema) and four CSV tables.

Input: the `Archive` (the disagreements are derived from it here, as the pages derive them).
Output: {"data/archive.json", "data/archive.schema.json", "data/figures.csv",
"data/events.csv", "data/quotes.csv", "data/disagreements.csv"} as bytes.

The schema in builder/schema/archive.schema.json is the reusers' documentation; a test
validates every build against it, so a field added here without documentation fails the
suite. URLs are site-relative ("articles/x/#p12-40"): prefix `site.base_url` to make them
absolute. Passage offsets count Unicode code points in the seed text.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import secrets
import tempfile
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial
from io import BufferedRandom
from operator import attrgetter
from pathlib import Path
from typing import Any

from builder.derive.figures import ClaimView, Disagreement, compare_figures
from builder.derive.wording import format_value
from builder.index import Archive
from builder.model import (
    Actor,
    Article,
    Event,
    Figure,
    FuzzyDate,
    Inference,
    License,
    Metric,
    Passage,
    Period,
    Quote,
    SourceRef,
)
from builder.render.views import DISAGREEMENTS_URL, claim_permalink, quote_permalink
from builder.write.cache import FileStamps, load_pickle, write_pickle

# Bump the major part when a field is removed or changes meaning, the minor part on additions.
SCHEMA_VERSION = "1.2"
GENERATOR = "factsheet-archive"
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schema" / "archive.schema.json"

# The columns every fact row shares: its source sentence and the article it came from.
SOURCE_COLUMNS = (
    "source_sentence",
    "article_slug",
    "article_title",
    "outlet",
    "published",
    "seed",
    "passage_start",
    "passage_end",
    "article_url",
    "passage_url",
)
FIGURE_COLUMNS = (
    *("figure_id", "metric_id", "metric_label", "unit", "metric_kind", "low", "high", "vague"),
    *("qualifier", "value_text", "as_of", "as_of_precision"),
    *("period_start", "period_end", "period_text", "period_precision", "part", "part_of_id"),
    *("claimant_id", "claimant_name", "projected", "note"),
    *SOURCE_COLUMNS,
    *("figure_url", "fact_sheet_url"),
)
QUOTE_COLUMNS = (
    *("quote_id", "speaker_id", "speaker_name"),
    *SOURCE_COLUMNS,
    *("quote_url", "speaker_url"),
)
# One row per flagged pair; each side's columns repeat with a first_/second_ prefix.
SIDE_COLUMNS = (
    *("figure_id", "metric_id", "value_text", "as_of", "period_text", "claimant_id"),
    *("claimant_name", "outlet", "article_slug", "source_sentence", "passage_url"),
)
DISAGREEMENT_COLUMNS = (
    *("disagreement_id", "severity", "rule", "reason", "same_claimant"),
    *(f"first_{column}" for column in SIDE_COLUMNS),
    *(f"second_{column}" for column in SIDE_COLUMNS),
    "disagreement_url",
)
EVENT_COLUMNS = (
    *("event_id", "date", "date_precision", "date_label", "title", "actor_ids", "place"),
    *SOURCE_COLUMNS,
    "timeline_url",
)

JsonObject = dict[str, Any]
# The CSV columns that hold site-relative URLs, given absolute in the CSV files.
SITE_URL_COLUMNS = frozenset(
    column
    for columns in (FIGURE_COLUMNS, QUOTE_COLUMNS, DISAGREEMENT_COLUMNS, EVENT_COLUMNS)
    for column in columns
    if column.endswith("_url")
)


def render_data(
    archive: Archive, disagreements: Sequence[Disagreement] | None = None
) -> dict[str, bytes]:
    """archive.json, its schema, and one CSV row per figure, event report, quote and flag.
    The build passes the disagreements derive found; without them they are found here."""
    spooled = spool_data_files(archive, disagreements)
    return {path: spooled[path] for path in spooled}


class SpooledFiles(Mapping[str, bytes]):
    """The data files, written once to files and read back only when asked for (the build
    copies them into the site without holding them), with their descriptions for the data
    page. Without a cache the files have no name: the system reclaims them when the process
    ends, however it ends; with one, they are its chunk files (`DownloadsCache`)."""

    def __init__(self, streams: dict[str, BufferedRandom], described: dict[str, DataFile]) -> None:
        self.streams = streams
        self.described = described

    def __getitem__(self, path: str) -> bytes:
        return self.stream(path).read()

    def __iter__(self) -> Iterator[str]:
        return iter(self.streams)

    def __len__(self) -> int:
        return len(self.streams)

    def stream(self, path: str) -> BufferedRandom:
        """The spooled file `path`, open for reading from its start."""
        stream = self.streams[path]
        stream.seek(0)
        return stream


def absolute_urls(rows: Iterable[JsonObject], base_url: str) -> Iterator[JsonObject]:
    """The rows with `base_url` before every site-relative URL (`SITE_URL_COLUMNS`):
    a spreadsheet can open an absolute link, not one relative to a page it never saw.
    archive.json keeps them relative, as its schema documents."""
    for row in rows:
        yield {
            key: base_url + value if key in SITE_URL_COLUMNS and value is not None else value
            for key, value in row.items()
        }


@dataclass(frozen=True)
class DataFile:
    """A download as the data page describes it."""

    path: str  # site-relative, "data/figures.csv"
    size_bytes: int
    rows: int | None  # data rows of a CSV file (the header not counted); None for JSON


def describe_data_files(outputs: Mapping[str, bytes]) -> dict[str, DataFile]:
    """Each of `render_data`'s files with its size and, for a CSV file, its row count
    (read back with the csv module: a quoted cell may hold a line break)."""
    if isinstance(outputs, SpooledFiles):
        return dict(outputs.described)
    return {
        path: DataFile(path, len(content), csv_rows(io.StringIO(content.decode())))
        if path.endswith(".csv")
        else DataFile(path, len(content), None)
        for path, content in outputs.items()
    }


def csv_rows(text: Iterable[str]) -> int:
    """The data rows of a CSV text (its header not counted)."""
    return sum(1 for _ in csv.reader(text)) - 1


def human_size(size_bytes: int) -> str:
    """The size in words, "812 bytes", "14.2 kB" or "3.1 MB": decimal units, as file
    managers show them."""
    if size_bytes < 1000:
        return f"{size_bytes} bytes"
    for power, unit in ((1, "kB"), (2, "MB")):
        # 999,950 bytes would round up to "1000.0 kB": that is "1.0 MB".
        if round(size_bytes / 1000**power, 1) < 1000:
            return f"{size_bytes / 1000**power:.1f} {unit}"
    return f"{size_bytes / 1000**3:.1f} GB"


# ---- archive.json ---------------------------------------------------------------------------


def archive_document(archive: Archive, flags: Sequence[Disagreement]) -> JsonObject:
    """The whole model and its flags as plain JSON values; every list sorted by its id."""
    return {
        key: section_values(archive, value)
        if isinstance(value, Section)
        else [disagreement_json(flag) for flag in value.flags]
        if isinstance(value, FlagList)
        else value
        for key, value in archive_fields(archive, flags)
    }


def archive_fields(archive: Archive, flags: Sequence[Disagreement]) -> Iterator[tuple[str, Any]]:
    """`archive_document`'s keys and values in order; the lists the articles contribute to
    as their `Section` and the flags as a `FlagList`, so that the JSON can be written item
    by item, each unchanged item taken from the last build's file (`write_json`)."""
    site = archive.site
    yield "$schema", "archive.schema.json"
    yield "schema_version", SCHEMA_VERSION
    yield "generator", GENERATOR
    yield (
        "site",
        {
            "title": site.title,
            "description": site.description,
            "language": site.language,
            "base_url": site.base_url,
            "license": license_json(site.license),
        },
    )
    yield (
        "counts",
        {
            "articles": len(archive.articles),
            "actors": len(archive.actors),
            "metrics": len(archive.metrics),
            "events": len(archive.reports_by_event),
            "event_reports": len(archive.events),
            "figures": len(archive.figures),
            "quotes": len(archive.quotes),
            "disagreements": len(flags),
        },
    )
    yield (
        "metrics",
        [metric_json(archive, m) for m in sorted_by(archive.metrics.values(), "metric_id")],
    )
    yield "actors", [actor_json(archive, a) for a in sorted_by(archive.actors.values(), "actor_id")]
    yield "articles", ARTICLES_SECTION
    yield "events", EVENTS_SECTION
    yield "figures", FIGURES_SECTION
    yield "quotes", QUOTES_SECTION
    yield "disagreements", FlagList(tuple(flags))


def metric_json(archive: Archive, metric: Metric) -> JsonObject:
    return {
        "metric_id": metric.metric_id,
        "label": metric.label,
        "unit": metric.unit,
        "scope": metric.scope,
        "kind": metric.kind,
        "window_days": metric.window_days,
        "related": [
            {"metric_id": r.metric_id, "compare": r.compare}
            for r in sorted(metric.related, key=lambda r: r.metric_id)
        ],
        "description": metric.description,
        "figure_ids": sorted(f.figure_id for f in archive.figures_by_metric[metric.metric_id]),
        "url": archive.url_metric(metric.metric_id),
    }


def actor_json(archive: Archive, actor: Actor) -> JsonObject:
    return {
        "actor_id": actor.actor_id,
        "name": actor.name,
        "kind": actor.kind,
        "aliases": list(actor.aliases),
        "part_of": list(actor.part_of),
        "members": list(archive.members_by_actor[actor.actor_id]),
        "summary_md": actor.summary_md,
        "url": archive.url_actor(actor.actor_id),
    }


def article_json(archive: Archive, article: Article) -> JsonObject:
    return {
        "slug": article.slug,
        "title": article.title,
        "outlet": article.outlet,
        "outlet_inferred": inference_json(archive, article.slug, article.outlet_inferred),
        "published": date_json(article.published),
        "published_inferred": inference_json(archive, article.slug, article.published_inferred),
        "original_url": article.url,
        "seed": article.seed,
        "seed_sha256": hashlib.sha256(article.seed_text.encode()).hexdigest(),
        "summary_md": article.summary_md,
        "event_ids": sorted({e.event_id for e in article.events}),
        "figure_ids": sorted(f.figure_id for f in article.figures),
        "quote_ids": sorted(q.quote_id for q in article.quotes),
        "mentioned_actor_ids": sorted({m.actor_id for m in archive.mentions[article.slug]}),
        "url": archive.url_article(article.slug),
        "content_source": source_json(article.source),
    }


def event_json(archive: Archive, event: Event) -> JsonObject:
    return {
        "event_id": event.event_id,
        "article_slug": event.article_slug,
        "date": date_json(event.date),
        "title": event.title,
        "actor_ids": list(event.actor_ids),
        "place": event.place,
        "passage": passage_json(archive, event.article_slug, event.passage),
        "url": archive.url_event(event.event_id),
        "content_source": source_json(event.source),
    }


def figure_json(archive: Archive, figure: Figure) -> JsonObject:
    return {
        "figure_id": figure.figure_id,
        "article_slug": figure.article_slug,
        "metric_id": figure.metric_id,
        "low": plain_number(figure.low),
        "high": plain_number(figure.high),
        "vague": figure.vague,
        "qualifier": figure.qualifier,
        "as_of": date_json(figure.as_of),
        "period": period_json(figure.period),
        "part": figure.part,
        "part_of_id": figure.part_of_id,
        "claimant_id": figure.claimant_id,
        "projected": figure.projected,
        "note": figure.note,
        "passage": passage_json(archive, figure.article_slug, figure.passage),
        "url": archive.url_figure(figure),
        "fact_sheet_url": claim_permalink(archive, figure),
        "content_source": source_json(figure.source),
    }


def quote_json(archive: Archive, quote: Quote) -> JsonObject:
    return {
        "quote_id": quote.quote_id,
        "article_slug": quote.article_slug,
        "speaker_id": quote.speaker_id,
        "passage": passage_json(archive, quote.article_slug, quote.passage),
        "url": quote_permalink(archive, quote),
        "content_source": source_json(quote.source),
    }


def disagreement_json(flag: Disagreement) -> JsonObject:
    return {
        "disagreement_id": flag.disagreement_id,
        "severity": flag.severity,
        "rule": flag.rule,
        "reason": flag.reason,
        "first_figure_id": flag.first.figure.figure_id,
        "second_figure_id": flag.second.figure.figure_id,
        "same_claimant": flag.same_claimant,
        "url": disagreement_url(flag),
    }


def disagreement_url(flag: Disagreement) -> str:
    return f"{DISAGREEMENTS_URL}#{flag.disagreement_id}"


def license_json(license: License | None) -> JsonObject | None:
    return None if license is None else {"name": license.name, "url": license.url}


def inference_json(archive: Archive, slug: str, inference: Inference | None) -> JsonObject | None:
    if inference is None:
        return None
    return {
        "reason": inference.reason,
        "evidence": [passage_json(archive, slug, p) for p in inference.evidence],
    }


def period_json(period: Period | None) -> JsonObject | None:
    if period is None:
        return None
    return {
        "start": date_json(period.start) if period.start else None,
        "end": date_json(period.end) if period.end else None,
        "text": period.text,
        "precision": period.precision,
    }


def passage_json(archive: Archive, slug: str, passage: Passage) -> JsonObject:
    return {
        "seed": passage.seed,
        "start": passage.start,
        "end": passage.end,
        "text": passage.text,
        "url": archive.url_passage(slug, passage),
    }


def date_json(date: FuzzyDate) -> JsonObject:
    return {"iso": date.iso(), "precision": date.precision, "label": date.label}


def source_json(source: SourceRef) -> JsonObject:
    return {"path": source.path, "line": source.line}


def plain_number(value: float) -> int | float:
    """52 rather than 52.0: whole numbers stay whole in JSON and CSV."""
    return int(value) if float(value).is_integer() else value


def sorted_by(items: Iterable[Any], key: str) -> list[Any]:
    return sorted(items, key=attrgetter(key))


def sorted_events(events: Iterable[Event]) -> list[Event]:
    """Event reports have no id of their own: (event id, article slug) is their key."""
    return sorted(events, key=attrgetter("event_id", "article_slug"))


def dump_json(document: JsonObject) -> bytes:
    """Compact: `indent` forces the pure-Python encoder, several times slower on a large
    archive. Keys keep the document's own (fixed) order, so the bytes are stable."""
    return "".join(json_chunks(iter(document.items()))).encode()


COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def json_chunks(fields: Iterator[tuple[str, Any]]) -> Iterator[str]:
    """The compact JSON object of `fields`, in pieces: a value given as an iterator is
    written as a list, one item at a time. The bytes are those of one `json.dumps` of the
    whole object with the same settings, plus a final line end."""
    yield "{"
    for number, (key, value) in enumerate(fields):
        yield ("," if number else "") + COMPACT_JSON(key) + ":"
        if isinstance(value, Iterator):
            yield "["
            for position, item in enumerate(value):
                yield ("," if position else "") + COMPACT_JSON(item)
            yield "]"
        else:
            yield COMPACT_JSON(value)
    yield "}\n"


# ---- CSV --------------------------------------------------------------------------------------


def figure_rows(archive: Archive) -> Iterator[JsonObject]:
    """One row per figure, in figure id order, with its source sentence."""
    return (figure_row(archive, f) for f in sorted_by(archive.figures, "figure_id"))


def figure_row(archive: Archive, figure: Figure) -> JsonObject:
    metric = archive.metrics[figure.metric_id]
    claimant = archive.actors[figure.claimant_id] if figure.claimant_id else None
    return {
        "figure_id": figure.figure_id,
        "metric_id": figure.metric_id,
        "metric_label": metric.label,
        "unit": metric.unit,
        "metric_kind": metric.kind,
        "low": plain_number(figure.low),
        "high": plain_number(figure.high),
        "vague": figure.vague,
        "qualifier": figure.qualifier,
        "value_text": format_value(figure, metric.unit),  # as `describe_claim` words it
        "as_of": figure.as_of.iso(),
        "as_of_precision": figure.as_of.precision,
        **period_columns(figure.period),
        "part": figure.part,
        "part_of_id": figure.part_of_id,
        "claimant_id": figure.claimant_id,
        "claimant_name": claimant.name if claimant else None,
        "projected": figure.projected,
        "note": figure.note,
        "figure_url": archive.url_figure(figure),
        "fact_sheet_url": claim_permalink(archive, figure),
        **article_columns(archive, figure.article_slug, figure.passage),
    }


def event_rows(archive: Archive) -> Iterator[JsonObject]:
    """One row per event report (an event told by three articles has three rows)."""
    return (event_row(archive, event) for event in sorted_events(archive.events))


def event_row(archive: Archive, event: Event) -> JsonObject:
    return {
        "event_id": event.event_id,
        "date": event.date.iso(),
        "date_precision": event.date.precision,
        "date_label": event.date.label,
        "title": event.title,
        "actor_ids": ";".join(event.actor_ids),
        "place": event.place,
        "timeline_url": archive.url_event(event.event_id),
        **article_columns(archive, event.article_slug, event.passage),
    }


def period_columns(period: Period | None) -> JsonObject:
    if period is None:
        return dict.fromkeys(("period_start", "period_end", "period_text", "period_precision"))
    return {
        "period_start": period.start.iso() if period.start else None,
        "period_end": period.end.iso() if period.end else None,
        "period_text": period.text,
        "period_precision": period.precision,
    }


def quote_rows(archive: Archive) -> Iterator[JsonObject]:
    """One row per quote, in quote id order, with its sentence and its speaker."""
    return (quote_row(archive, quote) for quote in sorted_by(archive.quotes, "quote_id"))


def quote_row(archive: Archive, quote: Quote) -> JsonObject:
    return {
        "quote_id": quote.quote_id,
        "speaker_id": quote.speaker_id,
        "speaker_name": archive.actors[quote.speaker_id].name,
        "quote_url": quote_permalink(archive, quote),
        "speaker_url": archive.url_actor(quote.speaker_id),
        **article_columns(archive, quote.article_slug, quote.passage),
    }


def disagreement_rows(flags: Sequence[Disagreement]) -> Iterator[JsonObject]:
    """One row per flagged pair, in disagreement id order, with both sides in full."""
    return (disagreement_row(flag) for flag in flags)


def disagreement_row(flag: Disagreement) -> JsonObject:
    return {
        "disagreement_id": flag.disagreement_id,
        "severity": flag.severity,
        "rule": flag.rule,
        "reason": flag.reason,
        "same_claimant": flag.same_claimant,
        **side_columns("first", flag.first),
        **side_columns("second", flag.second),
        "disagreement_url": disagreement_url(flag),
    }


def side_columns(prefix: str, claim: ClaimView) -> JsonObject:
    figure = claim.figure
    side = {
        "figure_id": figure.figure_id,
        "metric_id": figure.metric_id,
        "value_text": claim.value_text,
        "as_of": figure.as_of.iso(),
        "period_text": claim.period_text,
        "claimant_id": figure.claimant_id,
        "claimant_name": claim.claimant_name,
        "outlet": claim.outlet,
        "article_slug": figure.article_slug,
        "source_sentence": figure.passage.text,
        "passage_url": claim.passage_url,
    }
    return {f"{prefix}_{column}": value for column, value in side.items()}


def article_columns(archive: Archive, slug: str, passage: Passage) -> JsonObject:
    """The SOURCE_COLUMNS of a fact row."""
    article = archive.article_by_slug[slug]
    return {
        "source_sentence": passage.text,
        "article_slug": slug,
        "article_title": article.title,
        "outlet": article.outlet,
        "published": article.published.iso(),
        "seed": passage.seed,
        "passage_start": passage.start,
        "passage_end": passage.end,
        "article_url": archive.url_article(slug),
        "passage_url": archive.url_passage(slug, passage),
    }


def dump_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    """RFC 4180 quoting, "\\n" line ends; None is an empty cell, booleans are true/false."""
    return "".join(csv_chunks(columns, rows)).encode()


def csv_chunks(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """`dump_csv`'s text a few hundred rows at a time."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="raise")
    writer.writeheader()
    for number, row in enumerate(rows, start=1):
        writer.writerow({key: csv_cell(value) for key, value in row.items()})
        if number % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


CSV_ROWS_PER_CHUNK = 500


def csv_cell(value: Any) -> str:
    if value.__class__ is str:  # most cells: tested first (65 per row, millions at 10,000)
        return spreadsheet_safe(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return spreadsheet_safe(value)
    return str(value)


# A spreadsheet reads a cell that starts with one of these as a formula, which can run
# commands or send the sheet's data away (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet shows as text: a leading apostrophe before a formula start, as
    OWASP advises. Only the CSV files do this; archive.json keeps the exact text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# ---- writing the files, reusing what each unchanged article contributed -------------------


@dataclass(frozen=True)
class Section:
    """A list of archive.json, or a CSV file's rows, that each article contributes items to:
    its items are written one by one, each taken from the last build's file when the
    article that contributes it is unchanged (`DownloadsCache`)."""

    name: str  # archive.json's key, or the CSV file's path
    contributed: Callable[[Article], Sequence[Any]]  # one article's items, in its own order
    ordered: Callable[[Archive], list[Any]]  # every item, in the file's order
    value: Callable[[Archive, Any], JsonObject]  # an item as a JSON object or a CSV row
    columns: tuple[str, ...] = ()  # a CSV file's; none for a list of archive.json

    def text(self, archive: Archive, item: Any) -> str:
        value = self.value(archive, item)
        if self.columns:
            return csv_line(self.columns, value, archive.site.base_url)
        return COMPACT_JSON(value)

    @property
    def separator(self) -> str:
        return "" if self.columns else ","


def own_article(article: Article) -> tuple[Article]:
    return (article,)


def article_events(article: Article) -> tuple[Event, ...]:
    return article.events


def article_figures(article: Article) -> tuple[Figure, ...]:
    return article.figures


def article_quotes(article: Article) -> tuple[Quote, ...]:
    return article.quotes


def articles_in_order(archive: Archive) -> list[Article]:
    return sorted_by(archive.articles, "slug")


def events_in_order(archive: Archive) -> list[Event]:
    return sorted_events(archive.events)


def figures_in_order(archive: Archive) -> list[Figure]:
    return sorted_by(archive.figures, "figure_id")


def quotes_in_order(archive: Archive) -> list[Quote]:
    return sorted_by(archive.quotes, "quote_id")


ARTICLES_SECTION = Section("articles", own_article, articles_in_order, article_json)
EVENTS_SECTION = Section("events", article_events, events_in_order, event_json)
FIGURES_SECTION = Section("figures", article_figures, figures_in_order, figure_json)
QUOTES_SECTION = Section("quotes", article_quotes, quotes_in_order, quote_json)
CSV_SECTIONS = {
    "data/figures.csv": Section(
        "data/figures.csv", article_figures, figures_in_order, figure_row, FIGURE_COLUMNS
    ),
    "data/events.csv": Section(
        "data/events.csv", article_events, events_in_order, event_row, EVENT_COLUMNS
    ),
    "data/quotes.csv": Section(
        "data/quotes.csv", article_quotes, quotes_in_order, quote_row, QUOTE_COLUMNS
    ),
}
# Every section, in the order an article's item offsets are recorded (`ArticleChunks`).
SECTIONS: tuple[Section, ...] = (
    *(ARTICLES_SECTION, EVENTS_SECTION, FIGURES_SECTION, QUOTES_SECTION),
    *CSV_SECTIONS.values(),
)
ARCHIVE_JSON = "data/archive.json"
FLAGS_CSV = "data/disagreements.csv"
CACHED_FILES = (ARCHIVE_JSON, *CSV_SECTIONS, FLAGS_CSV)  # the files made of items


def section_values(archive: Archive, section: Section) -> list[JsonObject]:
    return [section.value(archive, item) for item in section.ordered(archive)]


class LastLine:
    """A file for `csv.writer` that keeps what it was last given: the writer writes a row
    in one call, so that is the row's line."""

    line = ""

    def write(self, text: str) -> int:
        self.line = text
        return len(text)


LINE = LastLine()
CSV_WRITER = csv.writer(LINE, lineterminator="\n")


def csv_line(columns: Sequence[str], row: Mapping[str, Any], base_url: str) -> str:
    """One row as `dump_csv` writes it, with `absolute_urls`' URLs: one line (or more, when a
    quoted cell holds a line break)."""
    if len(row) != len(columns):
        raise ValueError(f"row and columns differ: {sorted(row)} {columns}")
    values = [row[column] for column in columns]
    for number in url_positions(columns):
        if values[number] is not None:
            values[number] = base_url + values[number]
    # `csv_cell` of each value, its commonest case (text that starts no formula) inline:
    # some 65 cells a row, millions at 10,000 articles.
    CSV_WRITER.writerow(
        [
            value
            if value.__class__ is str and not value.startswith(FORMULA_STARTS)
            else csv_cell(value)
            for value in values
        ]
    )
    return LINE.line


@cache
def url_positions(columns: Sequence[str]) -> tuple[int, ...]:
    """Where the columns that hold a site-relative URL (`SITE_URL_COLUMNS`) are."""
    return tuple(n for n, column in enumerate(columns) if column in SITE_URL_COLUMNS)


def csv_header(columns: Sequence[str]) -> str:
    CSV_WRITER.writerow(columns)
    return LINE.line


# Bump when what a chunk index records, or the text of an item, changes.
CHUNK_FORMAT = 1
# Bytes copied from the last build's file at a time.
COPY_BLOCK = 1 << 24


class DataWriter:
    """One data file being written: text as given, or byte runs of the last build's file of
    the same path (`reuse`), consecutive runs copied as one."""

    def __init__(self, stream: BufferedRandom, last: int | None) -> None:
        self.stream = stream
        self.last = last  # the last build's file, open (a descriptor), when there is one
        self.position = 0  # bytes written, the pending run included
        self.run_start = self.run_end = 0  # the pending run, in the last build's file

    def text(self, text: str) -> tuple[int, int]:
        """Write `text`; its offset and length in bytes."""
        if self.run_end != self.run_start:
            self.flush()
        data = text.encode()
        self.stream.write(data)
        offset = self.position
        self.position += len(data)
        return offset, len(data)

    def reuse(self, offset: int, length: int, separator: str) -> tuple[int, int]:
        """Write the last build's bytes at `offset` after `separator`. When they follow the
        pending run's with just that separator between (the next item of the same list in
        the last file), they join the run. Their new offset and length."""
        gap = len(separator.encode())
        if self.run_end != self.run_start and offset == self.run_end + gap:
            self.position += gap
        else:
            self.flush()
            if separator:
                self.text(separator)
        new_offset = self.position
        if self.run_end == self.run_start:
            self.run_start = offset
        self.run_end = offset + length
        self.position += length
        return new_offset, length

    def flush(self) -> None:
        """Copy the pending run: within the kernel where it can (no copy through Python,
        and no copy at all on a file system that shares blocks)."""
        if self.run_end == self.run_start:
            return
        assert self.last is not None
        self.stream.flush()
        target = self.position - (self.run_end - self.run_start)
        while self.run_start < self.run_end:
            size = min(COPY_BLOCK, self.run_end - self.run_start)
            copied = copy_range(self.last, self.stream.fileno(), size, self.run_start, target)
            if not copied:
                raise OSError(f"the chunk file ended before offset {self.run_start}")
            self.run_start += copied
            target += copied
        self.stream.seek(target)
        self.run_start = self.run_end = 0


def copy_range(source: int, target: int, size: int, offset: int, target_offset: int) -> int:
    """Copy up to `size` bytes of `source` at `offset` into `target` at `target_offset`;
    how many were copied (0: the source ended)."""
    try:
        return os.copy_file_range(source, target, size, offset, target_offset)
    except OSError:  # not supported here (another file system, an old kernel)
        block = os.pread(source, size, offset)
        return os.pwrite(target, block, target_offset)


@dataclass(frozen=True)
class ChunkIndex:
    """What a build's data files are made of: the cache `DownloadsCache` reads."""

    files: dict[str, tuple[str, int]]  # data path -> (chunk file name, size in bytes)
    # Slug (disagreement id) -> the key of all its items show (`article_key`, `flag_key`)
    # and the index of its first pair in `article_pairs` (`flag_pairs`): `Written`.
    articles: dict[str, tuple[str, int]]
    flags: dict[str, tuple[str, int]]
    article_pairs: array[int]
    flag_pairs: array[int]
    format: int = CHUNK_FORMAT


@dataclass(frozen=True)
class DownloadsCache:
    """Where the data files of one output's builds are kept, and what names the inputs of
    an article's items, so that a build writes afresh only the items of the articles that
    changed (a summary edit: one article's rows) and copies the rest from the last files.

    An article's items show its sheet and seed (`article_inputs`: their digests), the site,
    metrics and actors (`context`: every input but the sheets and seeds, with the builder's
    code and the build options) and, of the other articles, only where its figures and
    events are listed: the metric page its figure's row is on, its event's timeline page
    (both named in `article_key`). The disagreements are written afresh every build."""

    folder: Path
    context: str
    article_inputs: Callable[[Article], str | None]
    reuse: bool = True  # False: write the files and their index, but read no last ones


INDEX_FILE = "index.pickle"
# A chunk file no index names (left by a build that raced another) is removed once this old.
ORPHAN_SECONDS = 600


def stamped_inputs(project_dir: Path, stamps: FileStamps) -> Callable[[Article], str | None]:
    """`DownloadsCache.article_inputs` of a build: the digests of a sheet's file and of its
    seed, as builder/render/page_cache.py's `article_inputs` names them, with each folder's
    path made once rather than once a sheet (a third of a second at 2,000 articles)."""
    folders: dict[str, str] = {}

    def stamp(relative: str) -> str:
        folder, _, name = relative.rpartition("/")
        if folder not in folders:
            folders[folder] = str(project_dir / folder)
        digest = stamps.get(os.path.join(folders[folder], name))
        return digest[2] if digest is not None else ""

    known: dict[tuple[str, str], str | None] = {}

    def inputs(article: Article) -> str | None:
        # Asked for by the downloads and by derive's structures: each looked up once.
        names = (article.source.path, article.seed)
        if names not in known:
            sheet, seed = stamp(names[0]), stamp(f"seeds/{names[1]}")
            known[names] = f"{sheet}:{seed}" if sheet and seed else None
        return known[names]

    return inputs


def article_key(archive: Archive, article: Article, cache: DownloadsCache) -> str | None:
    """A digest of all that the article's items show (None: its inputs are not known)."""
    inputs = cache.article_inputs(article)
    if inputs is None:
        return None
    shown = [
        f"{CHUNK_FORMAT}\0{cache.context}\0{inputs}\0",
        *(f"{archive.url_figure(figure)}\0" for figure in article.figures),
        *(f"{archive.url_event(event.event_id)}\0" for event in article.events),
    ]
    return hashlib.blake2b("".join(shown).encode(), digest_size=16).hexdigest()


def spool_data_files(
    archive: Archive,
    disagreements: Sequence[Disagreement] | None = None,
    cache: DownloadsCache | None = None,
) -> SpooledFiles:
    """The data files written to disk (`render_data`'s bytes): with a cache, into its folder,
    the items of each unchanged article and flag copied from the last build's files."""
    if disagreements is None:
        disagreements = compare_figures(archive).disagreements
    flags = FlagList(tuple(sorted(disagreements, key=lambda d: d.disagreement_id)))
    keys = {a.slug: article_key(archive, a, cache) for a in archive.articles} if cache else {}
    flag_keys = {f.disagreement_id: flag_key(f, keys) for f in flags.flags} if cache else {}
    previous = last_chunks(cache) if cache is not None else None
    last_files = open_chunk_files(cache, previous) if cache and cache.reuse else {}
    bases = {a.slug: section_bases(a) for a in archive.articles}
    written = Written(
        new_pairs((slug, counts[-1]) for slug, counts in bases.items()),
        new_pairs((f.disagreement_id, 2) for f in flags.flags),
        bases,
    )
    last = Written(Pairs({}, array("q")), Pairs({}, array("q")), {})
    if previous is not None and last_files:
        last = Written(
            unchanged(previous.articles, keys, previous.article_pairs),
            unchanged(previous.flags, flag_keys, previous.flag_pairs),
            {},
        )
    fresh = FreshFiles(cache)
    streams: dict[str, BufferedRandom] = {}
    described: dict[str, DataFile] = {}
    orders: ItemOrders = {}
    try:
        for path in (ARCHIVE_JSON, "data/archive.schema.json", *CSV_SECTIONS, FLAGS_CSV):
            stream = fresh.open(path)
            out = DataWriter(stream, last_files.get(path))
            rows = None
            if path == ARCHIVE_JSON:
                write_json(out, archive, flags, written, last, orders)
            elif path in CSV_SECTIONS:
                out.text(csv_header(CSV_SECTIONS[path].columns))
                rows = write_section(out, archive, CSV_SECTIONS[path], written, last, orders)
                del orders[CSV_SECTIONS[path].contributed]  # its last file
            elif path == FLAGS_CSV:
                out.text(csv_header(DISAGREEMENT_COLUMNS))
                rows = write_flags(out, archive, flags, written, last, csv=True)
            else:
                out.text(SCHEMA_PATH.read_text(encoding="utf-8"))
            out.flush()
            stream.flush()
            streams[path] = stream
            described[path] = DataFile(path, out.position, rows)
    finally:
        for descriptor in last_files.values():
            os.close(descriptor)
    if cache is not None:
        index = ChunkIndex(
            fresh.names_and_sizes(described),
            owned(keys, written.articles),
            owned(flag_keys, written.flags),
            written.articles.flat,
            written.flags.flat,
        )
        fresh.record(previous, index)
    return SpooledFiles(streams, described)


@dataclass(frozen=True)
class FlagList:
    """archive.json's flags, in disagreement id order (a list written as the sections are:
    each flag's object taken from the last file when the flag is unchanged)."""

    flags: tuple[Disagreement, ...]


@dataclass(frozen=True)
class Pairs:
    """An (offset, length) pair per item in the files, in one flat array (one object to
    pickle, not one per owner); each owner's pairs from its start."""

    starts: Mapping[str, int]  # owner (slug, disagreement id) -> the index of its first pair
    flat: array[int]


@dataclass(frozen=True)
class Written:
    """Where the items of each article and flag are (or were, the last build) in the files:
    an article's section by section (`SECTIONS` order, from `bases`), a flag's object in
    archive.json, then its row in disagreements.csv."""

    articles: Pairs
    flags: Pairs
    bases: Mapping[str, tuple[int, ...]]  # slug -> where each section's pairs start


def new_pairs(counts: Iterable[tuple[str, int]]) -> Pairs:
    """Room for each owner's pairs (`counts`: owner, number of items)."""
    starts: dict[str, int] = {}
    total = 0
    for owner, count in counts:
        starts[owner] = total
        total += count
    return Pairs(starts, array("q", bytes(16 * total)))


def unchanged(
    last: Mapping[str, tuple[str, int]], keys: Mapping[str, str | None], flat: array[int]
) -> Pairs:
    """The places of the last build's items whose owner's key is the same now."""
    return Pairs(
        {owner: start for owner, (key, start) in last.items() if keys.get(owner) == key}, flat
    )


def owned(keys: Mapping[str, str | None], pairs: Pairs) -> dict[str, tuple[str, int]]:
    """Each owner's key and the start of its pairs, for the next build."""
    return {owner: (key, pairs.starts[owner]) for owner, key in keys.items() if key is not None}


def flag_key(flag: Disagreement, article_keys: Mapping[str, str | None]) -> str | None:
    """A digest of all a flag's object and row show: its own words, and the articles of its
    two claims (whose keys name all the claims show)."""
    first = article_keys.get(flag.first.figure.article_slug)
    second = article_keys.get(flag.second.figure.article_slug)
    if first is None or second is None:
        return None
    words = (flag.disagreement_id, flag.severity, flag.rule, flag.reason, flag.same_claimant)
    digest = hashlib.blake2b(f"{first}\0{second}\0{words!r}".encode(), digest_size=16)
    return digest.hexdigest()


def open_chunk_files(cache: DownloadsCache, index: ChunkIndex | None) -> dict[str, int]:
    """The last build's files, open for reading (all of them, or none)."""
    opened: dict[str, int] = {}
    if index is None:
        return opened
    try:
        for path, (name, _) in index.files.items():
            opened[path] = os.open(cache.folder / name, os.O_RDONLY)
    except OSError:  # removed meanwhile by a build of the same output
        for descriptor in opened.values():
            os.close(descriptor)
        return {}
    return opened


def section_bases(article: Article) -> tuple[int, ...]:
    bases = [0]
    for section in SECTIONS:
        bases.append(bases[-1] + len(section.contributed(article)))
    return tuple(bases)


def write_items(
    out: DataWriter,
    items: Sequence[Any],
    places: Sequence[tuple[str, int]],  # each item's owner and the index of its pair
    text: Callable[[Any], str],
    separator: str,
    written: Pairs,
    last: Pairs,
) -> int:
    """Every item, each copied from the last file when its owner's are (`last`), else
    written; where each went recorded in `written`. How many there were."""
    last_starts, last_flat = last.starts, last.flat
    starts, flat = written.starts, written.flat
    gap = len(separator.encode())
    for position, (item, (owner, place)) in enumerate(zip(items, places, strict=True)):
        before = last_starts.get(owner)
        between = separator if position else ""
        if before is not None:
            pair = 2 * (before + place)
            offset, length = last_flat[pair], last_flat[pair + 1]
            if out.run_end != out.run_start and offset == out.run_end + gap and position:
                # `out.reuse`'s commonest case inline: the next item of the last file's
                # list joins the pending run (some 200,000 items at 10,000 articles).
                out.run_end = offset + length
                offset = out.position + gap
                out.position = offset + length
            else:
                offset, length = out.reuse(offset, length, between)
        else:
            offset, length = out.text(between + text(item))
            offset, length = offset + len(between), length - len(between)
        pair = 2 * (starts[owner] + place)
        flat[pair] = offset
        flat[pair + 1] = length
    return len(items)


# Per kind of item (`Section.contributed`): every item in the file's order, with its owner
# and its place among the owner's items of that kind. archive.json's list and the CSV file
# of the same items share them: sorted and placed once.
ItemOrders = dict[Callable[[Article], Sequence[Any]], tuple[list[Any], list[tuple[str, int]]]]


def item_order(archive: Archive, section: Section) -> tuple[list[Any], list[tuple[str, int]]]:
    """`section`'s items in the file's order, and each one's owner and place (see
    `ItemOrders`)."""
    place: dict[int, tuple[str, int]] = {}
    for article in archive.articles:
        for n, item in enumerate(section.contributed(article)):
            place[id(item)] = (article.slug, n)
    items = section.ordered(archive)
    return items, [place[id(item)] for item in items]


def write_section(
    out: DataWriter,
    archive: Archive,
    section: Section,
    written: Written,
    last: Written,
    orders: ItemOrders,
) -> int:
    """The items the articles contribute to `section`, in the file's order."""
    if section.contributed not in orders:
        orders[section.contributed] = item_order(archive, section)
    items, owned = orders[section.contributed]
    number = SECTIONS.index(section)
    bases = written.bases
    places = [(owner, bases[owner][number] + n) for owner, n in owned]
    return write_items(
        out,
        items,
        places,
        partial(section.text, archive),
        section.separator,
        written.articles,
        last.articles,
    )


def write_flags(
    out: DataWriter,
    archive: Archive,
    flags: FlagList,
    written: Written,
    last: Written,
    *,
    csv: bool,
) -> int:
    """The flags' objects of archive.json, or their rows of disagreements.csv."""
    places = [(flag.disagreement_id, int(csv)) for flag in flags.flags]
    if csv:
        base = archive.site.base_url

        def text(flag: Disagreement) -> str:
            return csv_line(DISAGREEMENT_COLUMNS, disagreement_row(flag), base)

        separator = ""
    else:

        def text(flag: Disagreement) -> str:
            return COMPACT_JSON(disagreement_json(flag))

        separator = ","
    return write_items(out, flags.flags, places, text, separator, written.flags, last.flags)


def write_json(
    out: DataWriter,
    archive: Archive,
    flags: FlagList,
    written: Written,
    last: Written,
    orders: ItemOrders,
) -> None:
    """archive.json, as `json_chunks` writes `archive_document`."""
    out.text("{")
    for number, (key, value) in enumerate(archive_fields(archive, flags.flags)):
        out.text(("," if number else "") + COMPACT_JSON(key) + ":")
        if isinstance(value, Section):
            out.text("[")
            write_section(out, archive, value, written, last, orders)
            out.text("]")
        elif isinstance(value, FlagList):
            out.text("[")
            write_flags(out, archive, value, written, last, csv=False)
            out.text("]")
        else:
            out.text(COMPACT_JSON(value))
    out.text("}\n")


def last_chunks(cache: DownloadsCache) -> ChunkIndex | None:
    """The index the last build left, when its files are all there as it wrote them."""
    index = load_pickle(cache.folder / INDEX_FILE)
    if not isinstance(index, ChunkIndex) or index.format != CHUNK_FORMAT:
        return None
    for name, size in index.files.values():
        try:
            if os.stat(cache.folder / name).st_size != size:
                return None
        except OSError:
            return None
    return index


class FreshFiles:
    """The files this build writes: named chunk files in the cache's folder (one token for
    the build), or nameless temporary files without a cache or when it cannot be written."""

    def __init__(self, cache: DownloadsCache | None) -> None:
        self.folder = cache.folder if cache is not None else None
        self.token = secrets.token_hex(8)
        self.names: dict[str, str] = {}
        if self.folder is not None:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
            except OSError:
                self.folder = None

    def open(self, path: str) -> BufferedRandom:
        if self.folder is not None and path in CACHED_FILES:
            name = f"{self.token}-{path.rpartition('/')[2]}"
            try:
                stream = (self.folder / name).open("w+b")
            except OSError:
                pass
            else:
                self.names[path] = name
                return stream
        return tempfile.TemporaryFile()

    def names_and_sizes(self, described: Mapping[str, DataFile]) -> dict[str, tuple[str, int]]:
        return {path: (name, described[path].size_bytes) for path, name in self.names.items()}

    def record(self, last: ChunkIndex | None, index: ChunkIndex) -> None:
        """Write the index of this build's files, and remove the last build's (unless the
        index could not be written: then nothing refers to this build's files)."""
        if self.folder is None or set(self.names) != set(CACHED_FILES):
            return
        if not write_pickle(self.folder / INDEX_FILE, index):
            return
        kept = {name for name, _ in index.files.values()}
        replaced = {name for name, _ in last.files.values()} if last is not None else set()
        now = time.time()
        for entry in os.scandir(self.folder):
            if entry.name in kept or not entry.name.endswith(CHUNK_SUFFIXES):
                continue
            try:
                if entry.name in replaced or now - entry.stat().st_mtime > ORPHAN_SECONDS:
                    os.unlink(entry.path)
            except OSError:
                continue


CHUNK_SUFFIXES = tuple(f"-{path.rpartition('/')[2]}" for path in CACHED_FILES)
