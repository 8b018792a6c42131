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
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from io import BufferedRandom
from pathlib import Path
from typing import Any

from builder.derive.figures import ClaimView, Disagreement, compare_figures, describe_claim
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
    return {
        path: "".join(chunks).encode() for path, chunks in data_file_chunks(archive, disagreements)
    }


def data_file_chunks(
    archive: Archive, disagreements: Sequence[Disagreement] | None = None
) -> Iterator[tuple[str, Iterator[str]]]:
    """Each data file as the text pieces it is made of, produced as they are read: at
    10,000 articles the files are some 200 MB, too much to hold while the site renders."""
    if disagreements is None:
        disagreements = compare_figures(archive).disagreements
    flags = sorted(disagreements, key=lambda d: d.disagreement_id)
    base = archive.site.base_url
    yield "data/archive.json", json_chunks(archive_fields(archive, flags))
    yield "data/archive.schema.json", iter((SCHEMA_PATH.read_text(encoding="utf-8"),))
    yield "data/figures.csv", csv_chunks(FIGURE_COLUMNS, absolute_urls(figure_rows(archive), base))
    yield "data/events.csv", csv_chunks(EVENT_COLUMNS, absolute_urls(event_rows(archive), base))
    yield "data/quotes.csv", csv_chunks(QUOTE_COLUMNS, absolute_urls(quote_rows(archive), base))
    yield (
        "data/disagreements.csv",
        csv_chunks(DISAGREEMENT_COLUMNS, absolute_urls(disagreement_rows(flags), base)),
    )


class SpooledFiles(Mapping[str, bytes]):
    """The data files, written once to anonymous temporary files and read back only when
    asked for (the build copies them into the site without holding them). Their
    descriptions for the data page are worked out once they are written. The files have
    no name: the system reclaims them when the process ends, however it ends."""

    def __init__(self, files: Iterable[tuple[str, Iterator[str]]]) -> None:
        self.streams: dict[str, BufferedRandom] = {}
        self.described: dict[str, DataFile] = {}
        for path, chunks in files:
            stream = tempfile.TemporaryFile()  # noqa: SIM115 (kept open: it is the storage)
            for chunk in chunks:
                stream.write(chunk.encode())
            self.streams[path] = stream
            self.described[path] = describe_spooled(path, stream)

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


def describe_spooled(path: str, stream: BufferedRandom) -> DataFile:
    """A spooled data file described as `describe_data_files` describes one in memory."""
    size = stream.seek(0, os.SEEK_END)
    if not path.endswith(".csv"):
        return DataFile(path, size, None)
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    rows = csv_rows(text)
    text.detach()  # the spooled file stays open
    return DataFile(path, size, rows)


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
        key: list(value) if isinstance(value, Iterator) else value
        for key, value in archive_fields(archive, flags)
    }


def archive_fields(archive: Archive, flags: Sequence[Disagreement]) -> Iterator[tuple[str, Any]]:
    """`archive_document`'s keys and values in order; its long lists as iterators, so that
    the JSON can be written item by item (`json_chunks`)."""
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
    yield "articles", (article_json(archive, a) for a in sorted_by(archive.articles, "slug"))
    yield "events", (event_json(archive, e) for e in sorted_events(archive.events))
    yield "figures", (figure_json(archive, f) for f in sorted_by(archive.figures, "figure_id"))
    yield "quotes", (quote_json(archive, q) for q in sorted_by(archive.quotes, "quote_id"))
    yield "disagreements", (disagreement_json(flag) for flag in flags)


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
    return sorted(items, key=lambda item: getattr(item, key))


def sorted_events(events: Iterable[Event]) -> list[Event]:
    """Event reports have no id of their own: (event id, article slug) is their key."""
    return sorted(events, key=lambda e: (e.event_id, e.article_slug))


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
    for figure in sorted_by(archive.figures, "figure_id"):
        metric = archive.metrics[figure.metric_id]
        claimant = archive.actors[figure.claimant_id] if figure.claimant_id else None
        yield {
            "figure_id": figure.figure_id,
            "metric_id": figure.metric_id,
            "metric_label": metric.label,
            "unit": metric.unit,
            "metric_kind": metric.kind,
            "low": plain_number(figure.low),
            "high": plain_number(figure.high),
            "vague": figure.vague,
            "qualifier": figure.qualifier,
            "value_text": describe_claim(archive, figure).value_text,
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
    return (
        {
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
        for event in sorted_events(archive.events)
    )


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
    return (
        {
            "quote_id": quote.quote_id,
            "speaker_id": quote.speaker_id,
            "speaker_name": archive.actors[quote.speaker_id].name,
            "quote_url": quote_permalink(archive, quote),
            "speaker_url": archive.url_actor(quote.speaker_id),
            **article_columns(archive, quote.article_slug, quote.passage),
        }
        for quote in sorted_by(archive.quotes, "quote_id")
    )


def disagreement_rows(flags: Sequence[Disagreement]) -> Iterator[JsonObject]:
    """One row per flagged pair, in disagreement id order, with both sides in full."""
    return (
        {
            "disagreement_id": flag.disagreement_id,
            "severity": flag.severity,
            "rule": flag.rule,
            "reason": flag.reason,
            "same_claimant": flag.same_claimant,
            **side_columns("first", flag.first),
            **side_columns("second", flag.second),
            "disagreement_url": disagreement_url(flag),
        }
        for flag in flags
    )


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
