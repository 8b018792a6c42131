"""The data downloads: archive.json against its shipped schema, and the two CSV tables."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest

from builder import index as index_module
from builder.derive.figures import Disagreement, compare_figures
from builder.index import Archive
from builder.model import Article
from builder.render import data_export
from builder.render.data_export import (
    DISAGREEMENT_COLUMNS,
    EVENT_COLUMNS,
    FIGURE_COLUMNS,
    QUOTE_COLUMNS,
    SCHEMA_PATH,
    DownloadsCache,
    absolute_urls,
    archive_document,
    describe_data_files,
    disagreement_rows,
    dump_csv,
    dump_json,
    event_rows,
    figure_rows,
    json_chunks,
    quote_rows,
    render_data,
    spool_data_files,
)
from tests.sample_archive import default_articles, make_archive

if TYPE_CHECKING:
    from builder.build import BuildReport


def load_outputs(outputs: dict[str, bytes]) -> tuple[dict[str, Any], dict[str, Any]]:
    document = json.loads(outputs["data/archive.json"])
    schema = json.loads(outputs["data/archive.schema.json"])
    return document, schema


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode(), newline="")))


def schema_properties(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property declared anywhere in the schema, with where it is."""
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            yield f"{path}/{name}", sub
        for key, sub in node.items():
            yield from schema_properties(sub, f"{path}/{key}")
    elif isinstance(node, list):
        for n, sub in enumerate(node):
            yield from schema_properties(sub, f"{path}/{n}")


def assert_matches_archive(document: dict[str, Any], archive: Archive) -> None:
    """Every item of the archive and every flag is in the JSON, and every passage is verbatim
    from its seed."""
    flags = compare_figures(archive).disagreements
    assert [a["slug"] for a in document["articles"]] == sorted(a.slug for a in archive.articles)
    assert [a["actor_id"] for a in document["actors"]] == sorted(archive.actors)
    assert [m["metric_id"] for m in document["metrics"]] == sorted(archive.metrics)
    assert [f["figure_id"] for f in document["figures"]] == sorted(
        f.figure_id for f in archive.figures
    )
    assert [q["quote_id"] for q in document["quotes"]] == sorted(q.quote_id for q in archive.quotes)
    assert sorted((e["event_id"], e["article_slug"]) for e in document["events"]) == sorted(
        (e.event_id, e.article_slug) for e in archive.events
    )
    assert document["counts"] == {
        "articles": len(archive.articles),
        "actors": len(archive.actors),
        "metrics": len(archive.metrics),
        "events": len(archive.reports_by_event),
        "event_reports": len(archive.events),
        "figures": len(archive.figures),
        "quotes": len(archive.quotes),
        "disagreements": len(flags),
    }
    assert document["disagreements"] == [
        {
            "disagreement_id": d.disagreement_id,
            "severity": d.severity,
            "rule": d.rule,
            "reason": d.reason,
            "first_figure_id": d.first.figure.figure_id,
            "second_figure_id": d.second.figure.figure_id,
            "same_claimant": d.same_claimant,
            "url": f"disagreements/#{d.disagreement_id}",
        }
        for d in sorted(flags, key=lambda d: d.disagreement_id)
    ]
    figure_ids = {f["figure_id"] for f in document["figures"]}
    for flag in document["disagreements"]:
        assert {flag["first_figure_id"], flag["second_figure_id"]} <= figure_ids
    for fact in document["events"] + document["figures"] + document["quotes"]:
        passage = fact["passage"]
        seed_text = archive.article_by_slug[fact["article_slug"]].seed_text
        assert seed_text[passage["start"] : passage["end"]] == passage["text"]
        assert (
            passage["url"]
            == f"articles/{fact['article_slug']}/#p{passage['start']}-{passage['end']}"
        )


# ---- the hand-made archive -------------------------------------------------------------------


def test_archive_json_validates_against_its_schema_and_holds_everything() -> None:
    archive = make_archive()
    document, schema = load_outputs(render_data(archive))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
    assert_matches_archive(document, archive)
    assert document["schema_version"] == "1.2"
    assert document["counts"]["disagreements"] >= 1
    assert document["generator"] == "factsheet-archive"


def test_archive_json_keeps_the_detail_reusers_need() -> None:
    document, _ = load_outputs(render_data(make_archive()))
    lavrov = next(a for a in document["actors"] if a["actor_id"] == "lavrov")
    assert lavrov["part_of"] == ["russia"]
    russia = next(a for a in document["actors"] if a["actor_id"] == "russia")
    assert russia["members"] == ["lavrov"]
    assert russia["summary_md"] == "A **state**."
    trapped = next(f for f in document["figures"] if f["figure_id"] == "alpha-fig-2")
    assert (trapped["low"], trapped["high"]) == (100000, 200000)
    assert isinstance(trapped["low"], int)  # 100000, not 100000.0
    assert trapped["url"] == "figures/trapped/#alpha-fig-2"
    siege = next(e for e in document["events"] if e["event_id"] == "siege")
    assert siege["date"] == {"iso": "2016-08", "precision": "month", "label": "late summer"}
    assert siege["url"] == "timeline/#event-siege"
    alpha = next(a for a in document["articles"] if a["slug"] == "alpha")
    assert alpha["mentioned_actor_ids"] == ["army", "lavrov", "russia", "un"]
    assert re.fullmatch("[0-9a-f]{64}", alpha["seed_sha256"])


def test_every_schema_property_is_documented() -> None:
    _, schema = load_outputs(render_data(make_archive()))
    undocumented = [path for path, sub in schema_properties(schema) if not sub.get("description")]
    assert undocumented == []


def test_schema_rejects_an_undocumented_field() -> None:
    document, schema = load_outputs(render_data(make_archive()))
    document["figures"][0]["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError, match="surprise"):
        jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)


def test_json_is_deterministic_unescaped_and_ends_with_a_newline() -> None:
    alpha, beta = default_articles()
    curly = dataclasses.replace(alpha, title="Assad’s “victory”")
    first = render_data(make_archive(articles=[curly, beta]))
    assert first == render_data(make_archive(articles=[beta, curly]))
    text = first["data/archive.json"].decode()
    assert "Assad’s “victory”" in text  # ensure_ascii=False
    assert text.endswith("}\n") and not text.endswith("\n\n")


def reference_files(archive: Archive) -> dict[str, bytes]:
    """The data files made whole and straight from the model, as the downloads were first
    made: what every way of writing them (in pieces, from a cache) must equal."""
    flags = sorted(compare_figures(archive).disagreements, key=lambda d: d.disagreement_id)
    base = archive.site.base_url
    return {
        "data/archive.json": dump_json(archive_document(archive, flags)),
        "data/archive.schema.json": SCHEMA_PATH.read_bytes(),
        "data/figures.csv": dump_csv(FIGURE_COLUMNS, absolute_urls(figure_rows(archive), base)),
        "data/events.csv": dump_csv(EVENT_COLUMNS, absolute_urls(event_rows(archive), base)),
        "data/quotes.csv": dump_csv(QUOTE_COLUMNS, absolute_urls(quote_rows(archive), base)),
        "data/disagreements.csv": dump_csv(
            DISAGREEMENT_COLUMNS, absolute_urls(disagreement_rows(flags), base)
        ),
    }


def test_spooled_files_hold_the_bytes_and_descriptions_of_the_files_in_memory() -> None:
    # Derived keeps the downloads on disk; they must be exactly what render_data makes,
    # and the data page's sizes and row counts those of the in-memory files.
    archive = make_archive()
    in_memory = render_data(archive)
    assert in_memory == reference_files(archive)
    spooled = spool_data_files(archive)
    assert dict(spooled) == in_memory
    assert {path: spooled.stream(path).read() for path in spooled} == in_memory
    assert describe_data_files(spooled) == describe_data_files(in_memory)
    assert describe_data_files(spooled)["data/events.csv"].rows == len(archive.events)


def model_inputs(article: Article) -> str:
    """A digest of all the article's model holds: the build names its sheet's and seed's."""
    return hashlib.blake2b(repr(article).encode()).hexdigest()


def downloads_cache(folder: Path, context: str = "site") -> DownloadsCache:
    return DownloadsCache(folder, context, model_inputs)


def rewritten_items(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The items (a JSON object or a CSV row) written afresh rather than copied."""
    written: list[str] = []
    original = data_export.Section.text

    def counted(section: data_export.Section, archive: Archive, item: Any) -> str:
        written.append(section.name)
        return original(section, archive, item)

    monkeypatch.setattr(data_export.Section, "text", counted)
    return written


def test_cached_downloads_are_copied_for_unchanged_articles_and_equal_a_clean_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alpha, beta = default_articles()
    first = make_archive(articles=[alpha, beta])
    in_memory = render_data(first)
    assert dict(spool_data_files(first, None, downloads_cache(tmp_path))) == in_memory
    written = rewritten_items(monkeypatch)
    again = spool_data_files(first, None, downloads_cache(tmp_path))
    assert dict(again) == reference_files(first)
    assert written == []  # every item copied
    assert describe_data_files(again) == describe_data_files(in_memory)
    edited = make_archive(articles=[dataclasses.replace(alpha, summary_md="Edited."), beta])
    spooled = spool_data_files(edited, None, downloads_cache(tmp_path))
    assert dict(spooled) == reference_files(edited)
    # Only the edited article's items: its own, its events, figures and quotes, twice.
    assert written.count("articles") == 1
    assert written.count("data/figures.csv") == len(alpha.figures)
    assert len(written) == 1 + 2 * (len(alpha.events) + len(alpha.figures) + len(alpha.quotes))
    # A flag's row shows its claims' outlets: its words are the same, its row is not.
    outlet = make_archive(articles=[dataclasses.replace(alpha, outlet="Other Wire"), beta])
    flags = compare_figures(outlet).disagreements
    assert any("Other Wire" in (f.first.outlet, f.second.outlet) for f in flags)
    spooled = spool_data_files(outlet, None, downloads_cache(tmp_path))
    assert dict(spooled) == reference_files(outlet)
    # The chunk files of the builds before are removed; one set is left.
    assert len([p for p in tmp_path.iterdir() if p.name.endswith(".csv")]) == 4


def test_a_cached_article_is_written_again_when_only_another_moves_its_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An article's figure rows name the metric page their claim is listed on: a claim of
    # another article, earlier in the metric, moves them to the next page. Their sheet and
    # seed are unchanged; the copied rows would still name the old page.
    monkeypatch.setattr(index_module, "METRIC_CLAIMS_PER_PAGE", 1)
    alpha, beta = default_articles()
    first = make_archive(articles=[alpha])
    spool_data_files(first, None, downloads_cache(tmp_path))
    both = make_archive(articles=[alpha, beta])
    moved = [f for f in alpha.figures if first.url_figure(f) != both.url_figure(f)]
    assert moved  # the test means something
    assert dict(spool_data_files(both, None, downloads_cache(tmp_path))) == reference_files(both)


def test_cached_downloads_are_not_read_when_the_context_changes_or_reuse_is_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = make_archive()
    spool_data_files(archive, None, downloads_cache(tmp_path))
    written = rewritten_items(monkeypatch)
    spool_data_files(archive, None, downloads_cache(tmp_path, context="other site"))
    assert written.count("articles") == len(archive.articles)
    written.clear()
    cache = dataclasses.replace(downloads_cache(tmp_path, "other site"), reuse=False)
    assert dict(spool_data_files(archive, None, cache)) == reference_files(archive)
    assert written.count("articles") == len(archive.articles)


@pytest.mark.parametrize("damage", ["truncate", "remove", "index"])
def test_damaged_cached_downloads_are_written_afresh(tmp_path: Path, damage: str) -> None:
    archive = make_archive()
    spool_data_files(archive, None, downloads_cache(tmp_path))
    chunk = next(p for p in tmp_path.iterdir() if p.name.endswith("-figures.csv"))
    if damage == "truncate":
        chunk.write_bytes(chunk.read_bytes()[:-10])
    elif damage == "remove":
        chunk.unlink()
    else:
        (tmp_path / "index.pickle").write_bytes(b"not a pickle")
    assert dict(spool_data_files(archive, None, downloads_cache(tmp_path))) == reference_files(
        archive
    )


def test_json_written_in_pieces_is_one_compact_dump() -> None:
    document = {"a": [1, 2.5, {"é": None}], "b": [], "c": "x\ny"}
    whole = json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
    assert dump_json(document) == whole.encode()
    # Lists given as iterators are written item by item, to the same text.
    fields = iter([("a", iter(document["a"])), ("b", iter([])), ("c", document["c"])])
    assert "".join(json_chunks(fields)) == whole


def test_figures_csv_has_one_row_per_figure_with_its_sentence() -> None:
    archive = make_archive()
    rows = read_csv(render_data(archive)["data/figures.csv"])
    assert tuple(rows[0]) == FIGURE_COLUMNS
    assert [r["figure_id"] for r in rows] == sorted(f.figure_id for f in archive.figures)
    row = next(r for r in rows if r["figure_id"] == "beta-fig-2")
    assert row["source_sentence"] == "60 percent"
    assert (row["low"], row["high"], row["projected"]) == ("60", "60", "true")
    assert row["claimant_name"] == "Syrian army"
    assert row["note"] == ""
    # Absolute, so that a spreadsheet can open them.
    assert row["article_url"] == archive.site.base_url + "articles/beta/"
    assert row["passage_url"].startswith(archive.site.base_url + "articles/beta/#p")


def test_events_csv_has_one_row_per_report_and_survives_commas_quotes_newlines() -> None:
    alpha, beta = default_articles()
    event = dataclasses.replace(alpha.events[0], title='Troops, "again"\nin Hanano')
    archive = make_archive(articles=[dataclasses.replace(alpha, events=(event,)), beta])
    data = render_data(archive)["data/events.csv"]
    assert b"\r\n" not in data
    rows = read_csv(data)
    assert tuple(rows[0]) == EVENT_COLUMNS
    assert len(rows) == len(archive.events) == 3
    hanano = [r for r in rows if r["event_id"] == "hanano"]
    assert [r["article_slug"] for r in hanano] == ["alpha", "beta"]
    assert hanano[0]["title"] == 'Troops, "again"\nin Hanano'
    assert hanano[1]["actor_ids"] == "army;russia"
    assert hanano[1]["source_sentence"] == "Government forces captured Hanano on Sunday"


# ---- the real build ---------------------------------------------------------------------------


def test_real_archive_json_validates_and_holds_all_the_content(
    built_site: Path, build_report: BuildReport
) -> None:
    archive = build_report.archive
    document = json.loads((built_site / "data" / "archive.json").read_bytes())
    schema = json.loads((built_site / "data" / "archive.schema.json").read_bytes())
    jsonschema.validate(document, schema, cls=jsonschema.Draft202012Validator)
    assert_matches_archive(document, archive)
    assert len(document["articles"]) == len(archive.articles) > 0


def test_real_passage_urls_point_at_marks_in_built_pages(built_site: Path) -> None:
    document = json.loads((built_site / "data" / "archive.json").read_bytes())
    for fact in document["events"] + document["figures"] + document["quotes"]:
        page, anchor = fact["passage"]["url"].split("#")
        html = (built_site / page / "index.html").read_text()
        assert f'id="{anchor}"' in html, fact["passage"]["url"]


def test_real_csvs_have_a_row_per_figure_and_event_report(
    built_site: Path, build_report: BuildReport
) -> None:
    archive = build_report.archive
    figures = read_csv((built_site / "data" / "figures.csv").read_bytes())
    events = read_csv((built_site / "data" / "events.csv").read_bytes())
    assert len(figures) == len(archive.figures) > 0
    assert len(events) == len(archive.events) > 0
    for row in figures + events:
        seed_text = archive.article_by_slug[row["article_slug"]].seed_text
        start, end = int(row["passage_start"]), int(row["passage_end"])
        assert seed_text[start:end] == row["source_sentence"]


# ---- quotes.csv and disagreements.csv, row by row against the derived model ---------------


def expected_quote_row(archive: Archive, quote_id: str) -> dict[str, str]:
    quote = next(q for q in archive.quotes if q.quote_id == quote_id)
    article = archive.article_by_slug[quote.article_slug]
    passage = quote.passage
    base = archive.site.base_url
    return {
        "quote_id": quote.quote_id,
        "speaker_id": quote.speaker_id,
        "speaker_name": archive.actors[quote.speaker_id].name,
        "source_sentence": passage.text,
        "article_slug": article.slug,
        "article_title": article.title,
        "outlet": article.outlet,
        "published": article.published.iso(),
        "seed": article.seed,
        "passage_start": str(passage.start),
        "passage_end": str(passage.end),
        "article_url": base + f"articles/{article.slug}/",
        "passage_url": base + f"articles/{article.slug}/#p{passage.start}-{passage.end}",
        "quote_url": base + f"articles/{article.slug}/#{quote.quote_id}",
        "speaker_url": base + f"actors/{quote.speaker_id}/",
    }


def expected_flag_row(flag: Disagreement, base: str) -> dict[str, str]:
    """The CSV row of a flag; its URLs absolute under `base`."""
    row = {
        "disagreement_id": flag.disagreement_id,
        "severity": flag.severity,
        "rule": flag.rule,
        "reason": flag.reason,
        "same_claimant": "true" if flag.same_claimant else "false",
        "disagreement_url": base + f"disagreements/#{flag.disagreement_id}",
    }
    for prefix, claim in (("first", flag.first), ("second", flag.second)):
        figure = claim.figure
        row |= {
            f"{prefix}_figure_id": figure.figure_id,
            f"{prefix}_metric_id": figure.metric_id,
            f"{prefix}_value_text": claim.value_text,
            f"{prefix}_as_of": figure.as_of.iso(),
            f"{prefix}_period_text": claim.period_text or "",
            f"{prefix}_claimant_id": figure.claimant_id or "",
            f"{prefix}_claimant_name": claim.claimant_name or "",
            f"{prefix}_outlet": claim.outlet,
            f"{prefix}_article_slug": figure.article_slug,
            f"{prefix}_source_sentence": figure.passage.text,
            f"{prefix}_passage_url": base + claim.passage_url,
        }
    return row


def assert_quote_and_flag_rows(outputs: dict[str, bytes], archive: Archive) -> None:
    quotes = read_csv(outputs["data/quotes.csv"])
    assert quotes and tuple(quotes[0]) == QUOTE_COLUMNS
    assert [r["quote_id"] for r in quotes] == sorted(q.quote_id for q in archive.quotes)
    for row in quotes:
        assert row == expected_quote_row(archive, row["quote_id"])
    flags = sorted(compare_figures(archive).disagreements, key=lambda d: d.disagreement_id)
    rows = read_csv(outputs["data/disagreements.csv"])
    assert rows and tuple(rows[0]) == DISAGREEMENT_COLUMNS
    assert len(rows) == len(flags)
    for row, flag in zip(rows, flags, strict=True):
        assert row == expected_flag_row(flag, archive.site.base_url)


def test_quotes_and_disagreements_csv_match_the_model_row_by_row() -> None:
    archive = make_archive()
    assert_quote_and_flag_rows(render_data(archive), archive)


def test_real_quotes_and_disagreements_csv_match_the_model_row_by_row(
    built_site: Path, build_report: BuildReport
) -> None:
    outputs = {
        f"data/{name}": (built_site / "data" / name).read_bytes()
        for name in ("quotes.csv", "disagreements.csv")
    }
    assert_quote_and_flag_rows(outputs, build_report.archive)


def test_real_archive_json_carries_the_claim_model(
    built_site: Path, build_report: BuildReport
) -> None:
    archive = build_report.archive
    document = json.loads((built_site / "data" / "archive.json").read_bytes())
    metrics = {m["metric_id"]: m for m in document["metrics"]}
    for metric in archive.metrics.values():
        exported = metrics[metric.metric_id]
        assert exported["kind"] == metric.kind
        assert exported["related"] == [
            {"metric_id": r.metric_id, "compare": r.compare}
            for r in sorted(metric.related, key=lambda r: r.metric_id)
        ]
    figures = {f["figure_id"]: f for f in document["figures"]}
    for figure in archive.figures:
        exported = figures[figure.figure_id]
        assert exported["vague"] == figure.vague
        assert exported["part"] == figure.part and exported["part_of_id"] == figure.part_of_id
        if figure.period is None:
            assert exported["period"] is None
        else:
            assert exported["period"]["text"] == figure.period.text
            assert exported["period"]["precision"] == figure.period.precision
        assert exported["fact_sheet_url"] == f"articles/{figure.article_slug}/#{figure.figure_id}"
    articles = {a["slug"]: a for a in document["articles"]}
    for article in archive.articles:
        exported = articles[article.slug]
        assert exported["original_url"] == article.url
        for key, inference in (
            ("outlet_inferred", article.outlet_inferred),
            ("published_inferred", article.published_inferred),
        ):
            if inference is None:
                assert exported[key] is None
            else:
                assert exported[key]["reason"] == inference.reason
                assert [e["text"] for e in exported[key]["evidence"]] == [
                    p.text for p in inference.evidence
                ]
    assert document["counts"]["disagreements"] == len(document["disagreements"]) > 0
    assert len(document["disagreements"]) == len(compare_figures(archive).disagreements)


def test_real_csvs_are_listed_on_the_data_page(built_site: Path) -> None:
    html = (built_site / "data" / "index.html").read_text()
    for name in ("quotes.csv", "disagreements.csv"):
        assert f'href="{name}"' in html or f'href="../data/{name}"' in html


def test_cached_downloads_are_copied_where_the_kernel_cannot_copy_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unsupported(*args: object) -> int:
        raise OSError("cross-device link")

    monkeypatch.setattr(os, "copy_file_range", unsupported)
    archive = make_archive()
    spool_data_files(archive, None, downloads_cache(tmp_path))
    written = rewritten_items(monkeypatch)
    assert dict(spool_data_files(archive, None, downloads_cache(tmp_path))) == reference_files(
        archive
    )
    assert written == []
