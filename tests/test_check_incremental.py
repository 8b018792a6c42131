"""The incremental check stage (builder/check/link_record.py, builder/check/coverage_cache.py):
after a summary edit only the changed pages' links are checked and only the changed seed's
coverage is measured, with the same guarantees: a file gone that an unchanged page links
to, or an id gone that it points at, still fails the build at that page and line; a cold
build, --no-cache, a deleted article and a template edit check every page."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from urllib.parse import unquote

import pytest

from builder import build as build_module
from builder.build import BuildOptions, build_site
from builder.check import coverage_cache, link_record
from builder.check.coverage import SeedCoverage, measure_coverage, seed_coverage
from builder.check.coverage_cache import CoverageStore, coverage_file, remembered_coverage
from builder.check.link_record import vouched_pages
from builder.check.links import LinkTargets, check_rendered_links, collect_links, resolve
from builder.errors import ContentErrors
from builder.model import Article
from builder.render.site import RenderedPage, render_stream
from builder.write.cache import stamp_inputs, write_pickle
from tests.test_build import tree
from tests.test_incremental import article_files, corpus  # noqa: F401 (a fixture)
from tests.test_incremental import build as build_tree

SITE = "_site"


@dataclasses.dataclass(frozen=True)
class Checked:
    pages: set[str]  # every page of the build
    resolved: set[str]  # those whose links the check resolved


def checked_pages(monkeypatch: pytest.MonkeyPatch) -> list[Checked]:
    """For each build from now on, its pages and those whose links its check resolved."""
    checked: list[Checked] = []
    original = check_rendered_links

    def spy(
        links: Mapping[str, Iterable[str]],
        files: Mapping[str, bytes],
        shown_as: str,
        vouched: Collection[str] = frozenset(),
    ) -> LinkTargets:
        checked.append(Checked(set(links), set(links) - set(vouched)))
        return original(links, files, shown_as, vouched)

    monkeypatch.setattr(link_record, "check_rendered_links", spy)
    return checked


def append_to_summary(article: Path) -> None:
    with article.open("a", encoding="utf-8") as stream:
        stream.write("\nOne more sentence.\n")


def sheet_page(article: Path) -> str:
    return f"articles/{article.stem}/index.html"


def test_a_summary_edit_checks_only_the_pages_it_changed(
    corpus: Path,  # noqa: F811 (the fixture)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked = checked_pages(monkeypatch)
    cold = tree(build_site(BuildOptions(corpus, corpus / SITE)).out_dir)
    assert checked[0].resolved == checked[0].pages  # a cold build checks every page
    article = article_files(corpus)[2]
    append_to_summary(article)
    edited = build_tree(corpus, SITE)
    assert edited != cold
    # The sheet (and the data page, when the downloads' sizes it shows came out otherwise).
    assert sheet_page(article) in checked[1].resolved
    assert checked[1].resolved <= {sheet_page(article), "data/index.html"}
    assert edited == build_tree(corpus, "clean", cache=False)
    assert checked[2].resolved == checked[2].pages == checked[1].pages  # --no-cache: all


def test_a_deleted_article_checks_every_page(
    corpus: Path,  # noqa: F811 (the fixture)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build_tree(corpus, SITE)
    checked = checked_pages(monkeypatch)
    deleted = article_files(corpus)[4]
    deleted.unlink()
    result = build_tree(corpus, SITE)
    assert sheet_page(deleted) not in result
    assert checked[0].resolved == checked[0].pages  # its page gone: every page checked
    assert result == build_tree(corpus, "clean", cache=False)
    append_to_summary(article_files(corpus)[0])
    build_tree(corpus, SITE)
    assert len(checked[2].resolved) <= 2  # the record is exact again: incremental again


def broken_links(caught: pytest.ExceptionInfo[ContentErrors]) -> list[str]:
    return [str(error) for error in caught.value.errors]


def test_a_file_gone_that_unchanged_pages_link_to_fails_the_build(
    corpus: Path,  # noqa: F811 (the fixture)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = build_tree(corpus, SITE)
    gone = "static/timeline.js"  # the timeline's script: the fact sheets do not load it
    original = build_module.static_files
    monkeypatch.setattr(
        build_module,
        "static_files",
        lambda theme: {path: data for path, data in original(theme).items() if path != gone},
    )
    append_to_summary(article_files(corpus)[1])
    with pytest.raises(ContentErrors) as caught:
        build_site(BuildOptions(corpus, corpus / SITE))
    # The timeline is not rendered again (a summary edit), yet its link is found broken.
    timeline = collect_links((corpus / SITE / "timeline/index.html").read_text("utf-8"))
    line, url = next((line, url) for line, url in timeline.links if url.endswith(gone))
    assert (
        f"{SITE}/timeline/index.html:{line}: broken link {url!r}: no file {gone} "
        "(fix the template or content that produced it)"
    ) in broken_links(caught)
    assert tree(corpus / SITE) == before


def anchors_into(site: Path, target: str) -> Iterator[tuple[str, int, str, str]]:
    """(page, line, url, fragment) of every link from another page into `target`'s ids."""
    for path in sorted(site.rglob("*.html")):
        page = path.relative_to(site).as_posix()
        for line, url in collect_links(path.read_text("utf-8")).links:
            address, _, fragment = url.partition("#")
            linked = resolve(page, unquote(address)) if address else page
            if fragment and ":" not in url and linked == target:
                yield page, line, url, fragment


def test_a_page_that_lost_an_id_unchanged_pages_point_at_fails_the_build(
    corpus: Path,  # noqa: F811 (the fixture)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = build_tree(corpus, SITE)
    article = article_files(corpus)[0]
    sheet = sheet_page(article)
    anchors = list(anchors_into(corpus / SITE, sheet))
    own = {fragment for page, _, _, fragment in anchors if page == sheet}
    # An id that only other pages point at: the sheet's own links stay whole.
    page, line, url, fragment = next(a for a in anchors if a[0] != sheet and a[3] not in own)
    original = render_stream

    def render_losing_the_id(*args: object, **kwargs: object) -> Iterator[RenderedPage]:
        for rendered in original(*args, **kwargs):  # type: ignore[arg-type]
            if rendered.path == sheet:
                html = rendered.html.replace(f'id="{fragment}"'.encode(), b'id="renamed"')
                assert html != rendered.html
                rendered = dataclasses.replace(rendered, html=html)
            yield rendered

    monkeypatch.setattr(build_module, "render_stream", render_losing_the_id)
    append_to_summary(article)
    with pytest.raises(ContentErrors) as caught:
        build_site(BuildOptions(corpus, corpus / SITE))
    assert (
        f"{SITE}/{page}:{line}: broken link {url!r}: no element with id '{fragment}' in "
        f"{sheet} (fix the template or content that produced it)"
    ) in broken_links(caught)
    assert tree(corpus / SITE) == before


def test_a_template_edit_with_a_broken_link_fails_the_incremental_build(
    corpus: Path,  # noqa: F811 (the fixture)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = build_tree(corpus, SITE)
    checked = checked_pages(monkeypatch)
    template = corpus / "templates" / "sources.html"
    template.write_text(
        template.read_text("utf-8").replace(
            "{% block main %}", '{% block main %}<a href="{{ "nowhere/" | rel }}">x</a>', 1
        ),
        "utf-8",
    )
    with pytest.raises(ContentErrors) as caught:
        build_site(BuildOptions(corpus, corpus / SITE))
    assert [(error.path, error.message) for error in caught.value.errors] == [
        (
            f"{SITE}/sources/index.html",
            "broken link '../nowhere/': no file nowhere/index.html",
        )
    ]
    # Every page is rendered again; those that came out as before are vouched for.
    assert checked[0].resolved == {"sources/index.html"}
    assert tree(corpus / SITE) == before


TARGETS = LinkTargets(frozenset({"a/index.html", "i.png"}), frozenset({"a/index.html"}))
BEFORE = {"index.html": "1", "a/index.html": "2", "b/index.html": "3", "i.png": "4"}
LINKS = {"index.html": ("a/#m1",), "a/index.html": ("../i.png",), "b/index.html": ()}


def vouched(
    after: Mapping[str, str],
    known: LinkTargets | None = TARGETS,
    ids_before: set[str] | None = None,
    ids_after: set[str] | None = None,
    links: Mapping[str, tuple[str, ...]] = LINKS,
) -> frozenset[str]:
    return vouched_pages(
        links,
        LINKS,
        known,
        BEFORE,
        after,
        lambda page: {"m1"} if ids_before is None else ids_before,
        lambda page: {"m1", "m2"} if ids_after is None else ids_after,
    )


def test_unchanged_pages_are_vouched_for_only_while_what_they_point_at_holds() -> None:
    changed_b = {**BEFORE, "b/index.html": "new"}
    assert vouched(changed_b) == {"index.html", "a/index.html"}
    changed_a = {**BEFORE, "a/index.html": "new"}
    assert vouched(changed_a) == {"index.html", "b/index.html"}  # its ids: a superset
    assert vouched({**changed_b, "new.html": "5"}) == {"index.html", "a/index.html"}
    # It lost an id: the pages linking to it are checked (only its own id counts).
    assert vouched(changed_a, ids_after=set()) == {"b/index.html"}
    assert vouched(changed_a, ids_before={"m1", "m3"}) == {"index.html", "b/index.html"}
    linking_m3 = {**LINKS, "b/index.html": ("../a/#m3",)}
    lost_m3 = vouched_pages(
        linking_m3, linking_m3, TARGETS, BEFORE, changed_a, lambda p: {"m3"}, lambda p: set()
    )
    assert lost_m3 == {"index.html"}
    assert vouched({k: v for k, v in BEFORE.items() if k != "i.png"}) == frozenset()  # gone
    b_gone = {k: v for k, v in BEFORE.items() if k != "b/index.html"}
    assert vouched(b_gone) == {"index.html", "a/index.html"}  # nothing pointed at it
    assert vouched(changed_b, known=None) == frozenset()  # no record of the live version
    # The same bytes, but render logged another link (one the page does not show).
    other_links = {**LINKS, "b/index.html": ("nowhere/",)}
    assert vouched(BEFORE, links=other_links) == {"index.html", "a/index.html"}
    new_page = {**LINKS, "c/index.html": ()}
    assert vouched({**BEFORE, "c/index.html": "5"}, links=new_page) == set(LINKS)


def test_unreadable_ids_of_a_changed_page_check_every_page() -> None:
    after = {**BEFORE, "a/index.html": "x"}
    result = vouched_pages(LINKS, LINKS, TARGETS, BEFORE, after, lambda p: None, lambda p: set())
    assert result == frozenset()


def test_the_coverage_of_unchanged_seeds_is_taken_from_the_last_build(
    corpus: Path,  # noqa: F811 (the fixture)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    archive = build_site(BuildOptions(corpus, corpus / SITE)).archive
    measured: list[str] = []
    original = seed_coverage

    def counted(article: Article) -> SeedCoverage:
        measured.append(article.slug)
        return original(article)

    monkeypatch.setattr(coverage_cache, "seed_coverage", counted)
    stamps = stamp_inputs(corpus)
    fresh = measure_coverage(archive.articles)
    assert remembered_coverage(archive.articles, corpus, stamps, reuse=True) == fresh
    assert measured == []  # every seed's part stored by the build
    # A covering passage dropped: that seed is measured again, its expression uncovered.
    first = next(article for article in archive.articles if article.figures)
    moved = dataclasses.replace(first, figures=first.figures[1:])
    articles = [moved if article is first else article for article in archive.articles]
    report = remembered_coverage(articles, corpus, stamps, reuse=True)
    assert measured == [first.slug]
    assert report == measure_coverage(articles) != fresh
    measured.clear()
    assert remembered_coverage(articles, corpus, stamps, reuse=False) == report
    assert len(measured) == len(articles)


def test_a_coverage_store_of_other_code_or_damaged_is_not_used(
    corpus: Path,  # noqa: F811 (the fixture)
) -> None:
    report = build_site(BuildOptions(corpus, corpus / SITE))
    articles = report.archive.articles
    stamps = stamp_inputs(corpus)
    fresh = measure_coverage(articles)
    stored = coverage_cache.read_parts(corpus, coverage_cache.code_key(stamps))
    assert len(stored) == len(articles)
    nothing = SeedCoverage(0, 0, (), ())
    lying = {key: nothing for key in stored}
    write_pickle(coverage_file(corpus), CoverageStore("other code", lying))
    assert remembered_coverage(articles, corpus, stamps, reuse=True) == fresh
    coverage_file(corpus).write_bytes(b"not a pickle")
    assert remembered_coverage(articles, corpus, stamps, reuse=True) == fresh
    code = coverage_cache.code_key(stamps)
    write_pickle(coverage_file(corpus), CoverageStore(code, lying))
    # The store is trusted for its own code: what it holds is what is reported.
    assert remembered_coverage(articles, corpus, stamps, reuse=True).found == 0


def test_seeds_measured_in_processes_give_the_same_report_and_store(
    corpus: Path,  # noqa: F811 (the fixture)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    articles = build_site(BuildOptions(corpus, corpus / SITE)).archive.articles
    stamps = stamp_inputs(corpus)
    code = coverage_cache.code_key(stamps)
    in_one = remembered_coverage(articles, corpus, stamps, reuse=False)
    stored = coverage_cache.read_parts(corpus, code)
    coverage_file(corpus).unlink()
    monkeypatch.setattr(coverage_cache, "MIN_SEEDS_PER_PROCESS", 1)
    monkeypatch.setattr(coverage_cache, "SEEDS_PER_CHUNK", 2)
    assert len(articles) > 4  # more than one chunk for each process
    assert remembered_coverage(articles, corpus, stamps, reuse=False, jobs=2) == in_one
    assert in_one == measure_coverage(articles)
    assert coverage_cache.read_parts(corpus, code) == stored
