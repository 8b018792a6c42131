"""Derive's structures taken from the last build (builder/derive/reuse.py): read back only
under the same key, equal to a fresh derivation, worked out again when an article they
read changed (the whole builds' equality is tests/test_incremental.py's property test)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from builder.build import check_project
from builder.derive import figures as figures_module
from builder.derive import reuse
from builder.derive.compare import Judge
from builder.derive.figures import GroupFindings, PairFinding, compared_metrics
from builder.derive.reuse import PARTS, DeriveCache, derive_structures
from builder.index import Archive, build_archive
from builder.model import Article, Metric
from builder.render.data_export import stamped_inputs
from builder.write.cache import stamp_inputs
from tests.test_jobs import bench_module

ARTICLES = 6


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    make_corpus = bench_module("make_corpus")
    folder = tmp_path_factory.mktemp("reuse") / "corpus"
    return Path(make_corpus.write_project(make_corpus.make_corpus(ARTICLES), folder))


def cache_for(project: Path, folder: Path, digests: dict[str, str | None]) -> DeriveCache:
    stamps = stamp_inputs(project, None)
    return DeriveCache(folder, "context", digests, stamped_inputs(project, stamps))


def loaded(project: Path) -> tuple[Archive, dict[str, str | None]]:
    checked = check_project(project, stamps=stamp_inputs(project, None))
    return checked.archive, dict(checked.fact_digests)


def computed_parts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the parts worked out afresh from now on (not read back)."""
    names: list[str] = []

    def counting(part: reuse.Part) -> Callable[[Archive, GroupFindings], Any]:
        def compute(archive: Archive, findings: GroupFindings) -> Any:
            names.append(part.name)
            return part.compute(archive, findings)

        return compute

    counted = tuple(dataclasses.replace(part, compute=counting(part)) for part in PARTS)
    monkeypatch.setattr(reuse, "PARTS", counted)
    return names


def test_unchanged_structures_are_read_back_equal_to_fresh_ones(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive, digests = loaded(project)
    assert digests and None not in digests.values()
    cache = cache_for(project, tmp_path, digests)
    fresh = derive_structures(archive, None)
    computed = computed_parts(monkeypatch)
    assert derive_structures(archive, cache) == fresh
    assert computed == ["timeline", "comparison", "relations"]
    again = derive_structures(archive, cache)
    assert computed == ["timeline", "comparison", "relations"]  # none worked out again
    assert again == fresh
    # The model objects are this build's, not copies.
    assert again[0].entries[0].reports[0].event in archive.events
    figure = again[1].metrics[0].claims[0].figure
    assert archive.figure_by_id[figure.figure_id] is figure
    # Equal strings of the structures read back are one object (the pickler writes them by
    # value), where the fresh ones were made anew: an article's link in each of its claims.
    fresh_links = [claim.article_url for m in fresh[1].metrics for claim in m.claims]
    read_links = [claim.article_url for m in again[1].metrics for claim in m.claims]
    assert len(set(read_links)) < len(read_links)
    assert len({id(link) for link in fresh_links}) == len(fresh_links)
    assert len({id(link) for link in read_links}) == len(set(read_links))


def test_another_context_works_every_structure_out_again(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive, digests = loaded(project)
    derive_structures(archive, cache_for(project, tmp_path, digests))
    computed = computed_parts(monkeypatch)
    other = dataclasses.replace(cache_for(project, tmp_path, digests), context="another")
    assert derive_structures(archive, other) == derive_structures(archive, None)
    assert computed == ["timeline", "comparison", "relations"]


def edited_article(archive: Archive, slug: str, **changes: Any) -> Archive:
    """The archive with one article's fields replaced."""
    articles = [
        dataclasses.replace(a, **changes) if a.slug == slug else a for a in archive.articles
    ]
    return build_archive(archive.site, archive.metrics.values(), archive.actors.values(), articles)


def stored_then_edited(
    project: Path, folder: Path, article: Article, **changes: Any
) -> tuple[Archive, DeriveCache]:
    """The structures of the archive stored in `folder`; then the archive with `article`'s
    fields replaced, and a derive cache that knows its sheet changed."""
    archive, digests = loaded(project)
    derive_structures(archive, cache_for(project, folder, digests))
    edited = edited_article(archive, article.slug, **changes)
    changed = {**digests, article.source.path: "the edited sheet's facts"}
    return edited, cache_for(project, folder, changed)


def test_a_title_edit_works_out_the_timeline_and_comparison_again_not_the_relations(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = loaded(project)[0].articles[2]
    edited, cache = stored_then_edited(project, tmp_path, article, title="A title of its own")
    computed = computed_parts(monkeypatch)
    derived = derive_structures(edited, cache)
    assert computed == ["timeline", "comparison"]
    assert derived == derive_structures(edited, None)
    titles = {r.article_title for e in derived[0].entries for r in e.reports}
    assert "A title of its own" in titles


def test_an_unknown_seed_leaves_nothing_stored(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive, digests = loaded(project)
    unknown = dataclasses.replace(
        cache_for(project, tmp_path, digests), article_inputs=lambda article: None
    )
    computed = computed_parts(monkeypatch)
    derive_structures(archive, unknown)
    derive_structures(archive, unknown)
    assert computed == ["timeline", "comparison", "relations"] * 2
    assert not [p.name for p in PARTS if (tmp_path / f"{p.name}.pickle").exists()]


def test_a_figure_edit_finds_again_only_the_flags_of_its_metric(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = loaded(project)[0].articles[1]
    claim = article.figures[0]
    bumped = dataclasses.replace(claim, low=claim.low * 3 + 7, high=claim.high * 3 + 7)
    figures = tuple(bumped if f is claim else f for f in article.figures)
    edited, cache = stored_then_edited(project, tmp_path, article, figures=figures)
    searched: list[str] = []
    find = figures_module.metric_findings

    def counted(archive: Archive, judge: Judge, metric: Metric) -> tuple[PairFinding, ...]:
        searched.append(metric.metric_id)
        return find(archive, judge, metric)

    monkeypatch.setattr(figures_module, "metric_findings", counted)
    computed = computed_parts(monkeypatch)
    derived = derive_structures(edited, cache)
    assert computed == ["comparison"]
    compared = {
        m.metric_id
        for m in edited.metrics.values()
        if claim.metric_id in (m.metric_id, *compared_metrics(edited, m))
    }
    assert set(searched) == compared and len(searched) < len(edited.metrics)
    assert derived == derive_structures(edited, None)
