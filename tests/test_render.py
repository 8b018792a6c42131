"""Render on a hand-made archive: relative links, page set, escaping, JSON-LD, determinism."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from builder import index
from builder.build import BuildOptions, build_site
from builder.derive.figures import compare_figures, describe_claim
from builder.index import Archive, page_path
from builder.model import Inference, Period
from builder.render.charts import render_chart
from builder.render.pages import PageMeta
from builder.render.site import derive, make_environment, relative_url, render_pages, render_site
from builder.render.theme import Theme
from builder.render.views import FlagView
from tests.fixtures import make_project
from tests.htmlparse import parse_html, resolve_link
from tests.sample_archive import (
    SEED_A,
    default_actors,
    default_articles,
    fuzzy,
    make_archive,
    passage,
)

TEMPLATES = Theme((Path(__file__).resolve().parent.parent / "templates",), ("templates",))


@pytest.fixture(scope="module")
def pages() -> dict[str, bytes]:
    return render_pages(make_archive(), TEMPLATES)


@pytest.mark.parametrize(
    ("from_page", "target", "expected"),
    [
        ("actors/lavrov/index.html", "articles/x/#p12-40", "../../articles/x/#p12-40"),
        ("index.html", "articles/x/", "articles/x/"),
        ("articles/x/index.html", "", "../../"),
        ("index.html", "", "./"),
        ("articles/x/index.html", "articles/x/#p1-2", "#p1-2"),
        ("articles/x/index.html", "articles/y/", "../y/"),
        ("timeline/index.html", "static/site.css", "../static/site.css"),
        ("404.html", "search/", "search/"),
    ],
)
def test_relative_url(from_page: str, target: str, expected: str) -> None:
    assert relative_url(from_page, target) == expected
    # The link really leads back to the target's output file.
    assert resolve_link(from_page, expected)[0] == page_path(target.partition("#")[0])


def test_every_page_kind_is_rendered(pages: dict[str, bytes]) -> None:
    expected = {
        "index.html", "404.html", "about/index.html", "search/index.html", "data/index.html",
        "sources/index.html", "timeline/index.html", "figures/index.html", "actors/index.html",
        "articles/alpha/index.html", "articles/beta/index.html", "figures/trapped/index.html",
        "figures/east-share/index.html", "figures/city-share/index.html",
        "actors/lavrov/index.html", "actors/russia/index.html", "actors/un/index.html",
        "actors/army/index.html", "disagreements/index.html",
        # The timeline's corroboration filters without JavaScript (its events name no place).
        "timeline/corroborated/index.html", "timeline/single-source/index.html",
    }  # fmt: skip
    assert set(pages) == expected


def test_every_internal_link_resolves_to_a_rendered_page_and_id(pages: dict[str, bytes]) -> None:
    docs = {path: parse_html(html.decode()) for path, html in pages.items()}
    for path, doc in docs.items():
        if path == "404.html":
            continue
        for href in doc.hrefs():
            if (
                href.startswith(("http", "static/", "../static/", "../../static/"))
                or "pagefind" in href
            ):
                continue
            if href.endswith(("feed.xml", ".json", ".csv", "site.css")):
                continue
            target, fragment = resolve_link(path, href)
            assert target in docs, f"{path}: {href} -> {target}"
            if fragment:
                assert docs[target].by_id(fragment) is not None, f"{path}: {href}"


def test_404_links_are_absolute_from_base_url(pages: dict[str, bytes]) -> None:
    doc = parse_html(pages["404.html"].decode())
    main = doc.find("main")
    assert main is not None
    assert all(h.startswith("https://example.org/archive/") for h in main.hrefs())


def test_untrusted_text_is_escaped() -> None:
    actors = default_actors()
    actors[0] = dataclasses.replace(actors[0], name="<script>alert(1)</script>")
    html = render_pages(make_archive(actors=actors), TEMPLATES)["actors/russia/index.html"].decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html


def test_json_ld_is_valid_and_cannot_close_its_script(pages: dict[str, bytes]) -> None:
    doc = parse_html(pages["articles/alpha/index.html"].decode())
    script = doc.find("script", type="application/ld+json")
    assert script is not None
    data = json.loads(script.raw_text())
    assert data["@type"] == "NewsArticle"
    assert data["datePublished"] == "2016-12-04"
    assert data["publisher"]["name"] == "ABC News"
    actors = default_actors()
    actors[0] = dataclasses.replace(actors[0], name="</script><b>x")
    html = render_pages(make_archive(actors=actors), TEMPLATES)["actors/russia/index.html"].decode()
    assert "</script><b>" not in html


def test_rendering_is_deterministic(pages: dict[str, bytes]) -> None:
    assert render_pages(make_archive(), TEMPLATES) == pages


def test_every_claim_is_described_once_by_derive_for_every_page() -> None:
    """Fact sheets and actor pages take their claims' views from derive's
    (`Derived.claim_by_id`): one for every figure, as `describe_claim` has it."""
    archive = make_archive()
    described = derive(archive).claim_by_id
    assert described == {f.figure_id: describe_claim(archive, f) for f in archive.figures}


def test_chart_is_an_accessible_svg_with_a_point_per_claim() -> None:
    comparison = compare_figures(make_archive()).by_metric["trapped"]
    doc = parse_html(str(render_chart(comparison)))
    svg = doc.find("svg", class_="chart")
    assert svg is not None and svg.get("role") == "img"
    assert svg.find("title") is not None and svg.find("desc") is not None
    assert len(doc.find_all("g", class_="point")) == len(comparison.claims) == 2
    points = doc.find_all("g", class_="point")
    # The range 100,000–200,000 is a band, "about 275,000" a whisker; they disagree: ringed.
    assert [len(p.find_all("rect", class_="band")) for p in points] == [0, 1]
    assert [len(p.find_all("g", class_="whisker")) for p in points] == [1, 0]
    assert all("disputed" in p.classes and p.find("circle", class_="ring") for p in points)
    caption = doc.find("figcaption")
    assert caption is not None and "United Nations" in caption.text()
    key = [li.text().split(":")[0] for li in caption.find("ul", class_="chart-key").find_all("li")]  # type: ignore[union-attr]
    assert key == ["band", "whisker", "ringed mark"]


def test_chart_key_names_only_the_marks_it_uses() -> None:
    comparison = compare_figures(make_archive()).by_metric["east-share"]
    doc = parse_html(str(render_chart(comparison)))
    key = [li.text().split(":")[0] for li in doc.find("ul", class_="chart-key").find_all("li")]  # type: ignore[union-attr]
    assert key == ["dashed line up", "hollow mark"]  # "more than 52" and a projection
    hollow = [p for p in doc.find_all("g", class_="point") if "projected" in p.classes]
    assert len(hollow) == 1 and "projected" in hollow[0].find("title").text()  # type: ignore[union-attr]
    assert doc.find("line", class_="open") is not None


def test_pagefind_body_only_on_content_pages(pages: dict[str, bytes]) -> None:
    searchable = {p for p, html in pages.items() if b"data-pagefind-body" in html}
    assert "articles/alpha/index.html" in searchable
    assert "actors/lavrov/index.html" in searchable
    assert "figures/trapped/index.html" in searchable
    assert "disagreements/index.html" in searchable
    listings = {"index.html", "figures/index.html", "actors/index.html", "timeline/index.html"}
    assert not searchable & (listings | {"sources/index.html", "404.html", "about/index.html"})


def test_a_long_timeline_has_a_year_and_month_index_and_paged_months(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(index, "TIMELINE_ONE_PAGE_LIMIT", 0)
    monkeypatch.setattr(index, "TIMELINE_ENTRIES_PER_PAGE", 1)
    archive = make_archive()
    split = render_pages(archive, TEMPLATES)
    event_url = archive.url_event("hanano")
    page_url_, _, anchor = event_url.partition("#")
    assert page_url_.startswith("timeline/2016/") and anchor == "event-hanano"
    assert {"timeline/index.html", "timeline/2016/index.html", page_path(page_url_)} <= set(split)
    month_first_page = "/".join(page_url_.split("/")[:3]) + "/"
    months = parse_html(split["timeline/index.html"].decode()).find("main").hrefs()  # type: ignore[union-attr]
    assert "2016/" in months and month_first_page.removeprefix("timeline/") in months
    month = parse_html(split[page_path(page_url_)].decode())
    assert month.by_id(anchor) is not None
    assert len(month.find_all("article", class_="entry")) == 1
    article = parse_html(split["articles/alpha/index.html"].decode())
    assert f"../../{event_url}" in article.hrefs()


def test_shared_fragment_is_reused_only_where_its_links_come_out_the_same(
    tmp_path: Path,
) -> None:
    (tmp_path / "page.html").write_text(
        '{{ shared_fragment("part.html", item, item=item, level=2) }}|{{ "actors/a/" | rel }}'
    )
    (tmp_path / "part.html").write_text(
        '<h{{ level }}>{{ item }}</h{{ level }}><a href="{{ "articles/x/#p1-2" | rel }}">s</a>'
    )
    env = make_environment(Theme((tmp_path,), ("templates",)))
    template = env.get_template("page.html")

    def render_at(path: str, item: str = "<T>") -> str:
        meta = PageMeta(path, "t", "d", "https://x.test/" + path, "https://x.test/", "")
        return template.render(meta=meta, item=item)

    part = '<h2>&lt;T&gt;</h2><a href="{}articles/x/#p1-2">s</a>'
    assert render_at("actors/a/index.html") == part.format("../../") + "|./"
    # Same links from a sibling folder: the cached fragment, and the page's own link still right.
    assert render_at("actors/b/index.html") == part.format("../../") + "|../a/"
    # Different links from another depth: rendered afresh, not taken from the cache.
    assert render_at("timeline/index.html") == part.format("../") + "|../actors/a/"
    assert render_at("articles/x/index.html") == part.format("").replace('"articles/x/', '"') + (
        "|../../actors/a/"
    )
    assert (
        render_at("actors/b/index.html", "U")
        == '<h2>U</h2><a href="../../articles/x/#p1-2">s</a>|../a/'
    )


# ---- claims: disputes, provenance metadata, periods, parts and vague values -----------------


def render_variant(**site_changes: object) -> dict[str, object]:
    """The sample archive rendered with other site settings; pages parsed."""
    archive = make_archive()
    archive = dataclasses.replace(archive, site=dataclasses.replace(archive.site, **site_changes))
    return {
        path: parse_html(html.decode()) for path, html in render_pages(archive, TEMPLATES).items()
    }


def test_home_headline_says_when_its_latest_claim_is_disputed_and_links_the_flag() -> None:
    disputed = render_variant(headline_metric="trapped")
    home = disputed["index.html"]
    note = home.find("div", class_="headline-disputed")  # type: ignore[attr-defined]
    assert note is not None
    assert "disputed" in note.text() and "about 275,000 people" in note.text()
    (href,) = [h for h in note.hrefs() if "disagreements/" in h]
    target, entry_id = resolve_link("index.html", href)
    entry = disputed[target].by_id(entry_id)  # type: ignore[attr-defined]
    assert entry is not None and "flag-entry" in entry.classes
    assert entry_id == "beta-fig-1--alpha-fig-2"
    # The share's latest claim ("more than 52%") is not disputed: no note.
    quiet = render_variant(headline_metric="east-share")["index.html"]
    assert quiet.find("div", class_="headline-disputed") is None  # type: ignore[attr-defined]


def claims_variant() -> dict[str, bytes]:
    """Alpha with a URL, an inferred outlet, a figure over a period, a part of a whole and
    a vague value."""
    alpha, beta = default_articles()
    trapped = alpha.figures[1]  # 100,000 to 200,000 people (alpha-fig-2)
    period = Period(fuzzy("2016-12-03"), fuzzy("2016-12-04"), "over the weekend", "exact")
    part = dataclasses.replace(
        trapped,
        figure_id="alpha-fig-3",
        low=20000,
        high=99999,
        vague="tens of thousands",
        part="from one area alone",
        part_of_id=trapped.figure_id,
        period=period,
    )
    evidence = passage("a.txt", SEED_A, "Russia said")
    alpha = dataclasses.replace(
        alpha,
        url="https://example.com/news/alpha",
        outlet_inferred=Inference("the dateline is its house style", (evidence,)),
        figures=(*alpha.figures, part),
    )
    return render_pages(make_archive(articles=[alpha, beta]), TEMPLATES)


def test_fact_sheet_shows_url_inference_period_part_and_vague_value() -> None:
    doc = parse_html(claims_variant()["articles/alpha/index.html"].decode())
    original = doc.find("a", rel="external")
    assert original is not None and original.get("href") == "https://example.com/news/alpha"
    assert "example.com" in original.text()
    inferred = doc.by_id("inferred-outlet")
    assert inferred is not None and "house style" in inferred.text()
    assert "inferred" in doc.find("p", class_="byline").text()  # type: ignore[union-attr]
    (evidence_href,) = inferred.hrefs()
    mark = doc.by_id(evidence_href.lstrip("#"))
    assert mark is not None and mark.tag == "mark" and mark.text() == "Russia said"
    part = doc.by_id("alpha-fig-3")
    assert part is not None
    assert part.find("span", class_="value").text() == "tens of thousands of people"  # type: ignore[union-attr]
    assert "over the weekend, 3–4 Dec 2016" in part.text()
    assert "A part (from one area alone) of 100,000–200,000 people" in part.text()
    assert "#alpha-fig-2" in part.hrefs()
    whole = doc.by_id("alpha-fig-2")
    assert whole is not None
    assert "Of which from one area alone: tens of thousands of people" in whole.text()
    assert "#alpha-fig-3" in whole.hrefs()


def test_figures_index_names_the_flagged_claims(pages: dict[str, bytes]) -> None:
    doc = parse_html(pages["figures/index.html"].decode())
    card = next(
        c for c in doc.find_all("article", class_="metric-card") if "Civilians trapped" in c.text()
    )
    (flag,) = card.find("ul", class_="flagged-claims").find_all("li")  # type: ignore[union-attr]
    assert "conflict" in flag.text()
    assert "about 275,000 people (United Nations" in flag.text()
    assert "100,000–200,000 people (United Nations" in flag.text()
    assert flag.hrefs() == ["../disagreements/#beta-fig-1--alpha-fig-2"]


def test_paged_listings_hold_every_permalink_on_the_page_it_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from builder.render import pages, views

    # The URL helpers and the page contexts must agree on the page sizes.
    for module in (index, pages):
        monkeypatch.setattr(module, "METRIC_CLAIMS_PER_PAGE", 1)
    for module in (views, pages):
        monkeypatch.setattr(module, "FLAGS_PER_PAGE", 1)
    archive = make_archive()
    rendered = render_pages(archive, TEMPLATES)
    targets = [archive.url_figure(f) for f in archive.figures]
    targets += [flag.url for flag in views_of_flags(archive)]
    assert any("/page/2/" in t for t in targets)
    for target in targets:
        url, _, anchor = target.partition("#")
        assert parse_html(rendered[page_path(url)].decode()).by_id(anchor) is not None, target
    second = parse_html(rendered["figures/trapped/page/2/index.html"].decode())
    pager = second.find("nav", class_="pager")
    assert pager is not None and "../../" in pager.hrefs()  # previous: the first page


def views_of_flags(archive: Archive) -> list[FlagView]:
    return list(derive(archive).flags)


def test_render_logs_every_link_a_page_makes_shared_fragments_included() -> None:
    """The link check reads links from this log, not from the HTML: each page's log holds
    every href (and script src) its HTML makes through `rel`, whether rendered afresh or reused."""
    rendered = render_site(derive(make_archive()), TEMPLATES)
    for path in ("timeline/index.html", "actors/lavrov/index.html", "articles/alpha/index.html"):
        doc = parse_html(rendered.pages[path].decode())
        # Links and the scripts a page loads (the timeline's filters).
        hrefs = set(doc.hrefs()) | {e.attrs["src"] for e in doc.iter() if "src" in e.attrs}
        logged = set(rendered.links[path])
        assert logged and logged <= hrefs
        # What the log leaves out is an in-page anchor or a link off the site.
        assert all(h.startswith(("#", "http")) for h in hrefs - logged), hrefs - logged


def test_a_project_claim_template_of_the_earlier_theme_still_builds_the_same_pages(
    tmp_path: Path,
) -> None:
    """Project templates written against an earlier theme import the `source_sentence`
    macro from `_partials/passage_link.html`; the default theme now calls a global of that
    name, and keeps the partial so that such overrides build, and build the same links."""
    current = make_project(tmp_path / "current")
    earlier = make_project(tmp_path / "earlier")
    claim = earlier / "templates" / "_partials" / "claim.html"
    claim.write_text(
        '{% from "_partials/passage_link.html" import source_sentence with context %}\n'
        + claim.read_text("utf-8"),
        "utf-8",
    )
    sites = {
        root: build_site(BuildOptions(root, root / "_site", cache=False)).out_dir
        for root in (current, earlier)
    }
    sheets = sorted(p.relative_to(sites[current]) for p in sites[current].glob("articles/*/*.html"))
    assert sheets
    for sheet in sheets:
        page = (sites[earlier] / sheet).read_text("utf-8")
        assert page == (sites[current] / sheet).read_text("utf-8"), sheet
        assert "source sentence</a>" in page
