"""Page tests on the real built site: parse the HTML and assert on content and links."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from builder.build import BuildReport
from tests.htmlparse import Element, parse_page, resolve_link

SHARE_METRICS = ("east-aleppo-government-share", "aleppo-city-government-share")


@pytest.fixture(scope="module")
def site(built_site: Path) -> Path:
    return built_site


@cache
def page_at(path: str) -> Element:
    return parse_page(Path(path))


def page(site: Path, rel: str) -> Element:
    return page_at(str(site / rel))


def html_pages(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if not p.relative_to(site).as_posix().startswith("pagefind/")
    )


def test_every_page_has_the_shared_frame(site: Path) -> None:
    for rel in html_pages(site):
        doc = page(site, rel)
        assert doc.find("html").get("lang") == "en", rel  # type: ignore[union-attr]
        assert doc.find("meta", name="viewport") is not None, rel
        assert doc.find("link", rel="canonical").get("href").startswith("http"), rel  # type: ignore[union-attr]
        assert doc.find("meta", property="og:title") is not None, rel
        skip = doc.find("a", class_="skip-link")
        assert skip is not None and skip.get("href") == "#main", rel
        assert doc.by_id("main") is not None, rel
        nav = [a.text() for a in doc.select("header", "nav", "a")]
        assert nav == [
            "Home", "Timeline", "Figures", "Disagreements", "Actors", "Sources", "Search", "About"
        ], rel  # fmt: skip


def test_hanano_capture_is_one_timeline_entry_with_two_sources(site: Path) -> None:
    doc = page(site, "timeline/index.html")
    titles = {e: e.find("h4").text() for e in doc.find_all("article", class_="entry")}  # type: ignore[union-attr]
    captures = [e for e, title in titles.items() if "capture the Hanano" in title]
    assert len(captures) == 1
    entry = captures[0]
    assert entry.get("id") == "event-hanano-captured"
    assert entry.find("time").get("datetime") == "2016-11-26"  # type: ignore[union-attr]
    assert "2 sources" in entry.text()
    assert len(entry.find_all("a", class_="fact-link")) == 2
    day = next(a for a in entry.ancestors() if a.tag == "section" and "day" in a.classes)
    assert day.find("h3").text() == "26 November 2016"  # type: ignore[union-attr]
    month = next(a for a in day.ancestors() if a.tag == "section" and "month" in a.classes)
    assert month.find("h2").text() == "November 2016"  # type: ignore[union-attr]


def test_timeline_is_in_date_order_with_approximate_dates_marked(site: Path) -> None:
    doc = page(site, "timeline/index.html")
    dates = [e.find("time").get("datetime") for e in doc.find_all("article", class_="entry")]  # type: ignore[union-attr]
    assert dates == sorted(dates, key=lambda d: [int(p) for p in d.split("-")])
    siege = doc.by_id("event-east-aleppo-under-total-siege")
    assert siege is not None and "late summer 2016" in siege.text()
    assert "approximate date" in siege.text()


def test_figures_page_lists_the_government_control_claims_in_date_order(site: Path) -> None:
    doc = page(site, "figures/index.html")
    family = next(
        s for s in doc.find_all("section", class_="family") if "east Aleppo under" in s.text()
    )
    rows = family.find("tbody").find_all("tr")  # type: ignore[union-attr]
    assert len(rows) == 4
    dates = [r.find("time").get("datetime") for r in rows]  # type: ignore[union-attr]
    assert dates == sorted(dates)
    values = [r.find("span", class_="value").text() for r in rows]  # type: ignore[union-attr]
    assert values == ["more than 52%", "about 50%", "about 80%", "93%"]
    assert "never compared" in family.text()


def test_trapped_civilians_are_flagged_as_disagreeing(site: Path) -> None:
    doc = page(site, "figures/people-trapped/index.html")
    flags = doc.by_id("disagreements")
    assert flags is not None
    section = flags.parent
    assert section is not None
    text = section.text()
    assert "about 275,000 people" in text and "100,000–200,000 people" in text
    assert "cannot both hold" in text
    rel = "figures/people-trapped/index.html"
    for item in section.find("ul").find_all("li"):  # type: ignore[union-attr]
        assert item.find("span", class_="badge").text() in ("conflict", "tension")  # type: ignore[union-attr]
        claims = [h for h in item.hrefs() if "#" in h and "disagreements/" not in h]
        assert len(claims) == 2
        for href in claims:
            target, fragment = resolve_link(rel, href)
            row = page(site, target).by_id(fragment)
            assert row is not None and "disputed" in row.classes, href
        (full,) = [h for h in item.hrefs() if "disagreements/" in h]
        target, fragment = resolve_link(rel, full)
        assert target == "disagreements/index.html"
        assert page(site, target).by_id(fragment) is not None


def test_claims_table_rows_carry_figure_ids_and_the_chart_is_accessible(site: Path) -> None:
    doc = page(site, "figures/east-aleppo-government-share/index.html")
    ids = [r.get("id") for r in doc.find("tbody").find_all("tr")]  # type: ignore[union-attr]
    assert len(ids) == 3 and all("-fig-" in i for i in ids)
    svg = doc.find("svg", class_="chart")
    assert svg is not None and svg.get("role") == "img"
    assert svg.find("title") is not None and svg.find("desc") is not None
    home_chart = page(site, "index.html").find("svg", class_="chart")
    assert home_chart is not None and "east Aleppo" in home_chart.find("title").text()  # type: ignore[union-attr]


def test_lavrov_page_shows_quotes_and_links_to_russia(site: Path) -> None:
    doc = page(site, "actors/lavrov/index.html")
    part_of = doc.find("p", class_="part-of")
    assert part_of is not None and ("../russia/", "Russia") in part_of.links()
    quotes = doc.by_id("quotes").parent  # type: ignore[union-attr]
    assert len(quotes.find_all("li", class_="quote")) == 5  # type: ignore[union-attr]
    assert "destroyed" in quotes.text()  # type: ignore[union-attr]
    russia = page(site, "actors/russia/index.html")
    assert "../lavrov/" in russia.by_id("members").parent.hrefs()  # type: ignore[union-attr]


def test_article_page_is_a_fact_sheet_with_marked_source_text(site: Path) -> None:
    doc = page(site, "articles/2016-12-04-abc-russia-52-percent/index.html")
    assert doc.find("time").get("datetime") == "2016-12-04"  # type: ignore[union-attr]
    figures = doc.by_id("key-figures").parent  # type: ignore[union-attr]
    assert "more than 52%" in figures.text()  # type: ignore[union-attr]
    marks = {m.get("id") for m in doc.find_all("mark")}
    for href in figures.hrefs():  # type: ignore[union-attr]
        if href.startswith("#p"):
            assert href[1:] in marks
    data = json.loads(doc.find("script", type="application/ld+json").raw_text())  # type: ignore[union-attr]
    assert data["@type"] == "NewsArticle" and data["publisher"]["name"] == "ABC News"


def test_every_fact_link_on_every_page_reaches_its_mark(site: Path) -> None:
    checked = 0
    for rel in html_pages(site):
        if rel == "404.html":
            continue
        for href in page(site, rel).hrefs():
            if href.startswith("http") or "/articles/" not in f"/{resolve_link(rel, href)[0]}":
                continue
            target, fragment = resolve_link(rel, href)
            if fragment.startswith("p"):
                mark = page(site, target).by_id(fragment)
                assert mark is not None and mark.tag == "mark", f"{rel}: {href}"
                checked += 1
    assert checked > 200


def test_searchable_pages_and_search_page(site: Path) -> None:
    def searchable(rel: str) -> bool:
        return "data-pagefind-body" in page(site, rel).find("main").attrs  # type: ignore[union-attr]

    assert searchable("articles/2016-12-04-abc-russia-52-percent/index.html")
    assert searchable("actors/lavrov/index.html") and searchable("disagreements/index.html")
    # Listings only repeat the text of the pages they list: search finds those instead.
    assert not searchable("figures/index.html") and not searchable("index.html")
    assert not searchable("timeline/index.html") and not searchable("sources/index.html")
    search = page(site, "search/index.html")
    assert search.by_id("search") is not None
    assert "../pagefind/pagefind-ui.js" in [s.get("src") for s in search.find_all("script")]
    assert search.find("noscript") is not None


def test_data_page_describes_downloads_with_dataset_json_ld(site: Path) -> None:
    doc = page(site, "data/index.html")
    hrefs = doc.find("main").hrefs()  # type: ignore[union-attr]
    names = ("archive.json", "archive.schema.json", "figures.csv", "events.csv")
    for name in (*names, "quotes.csv", "disagreements.csv"):
        assert f"../data/{name}" in hrefs or f"{name}" in hrefs
        assert (site / "data" / name).exists()
    data = json.loads(doc.find("script", type="application/ld+json").raw_text())  # type: ignore[union-attr]
    assert data["@type"] == "Dataset" and len(data["distribution"]) == 6


def fact_sheet_claims(doc: Element) -> list[Element]:
    """The figure, event and quote items of a fact sheet (outside its source text)."""
    lists = doc.find_all("ul", class_="facts") + doc.find_all("ul", class_="quotes")
    return [li for ul in lists for li in ul.children if isinstance(li, Element) and li.tag == "li"]


def test_every_claim_on_a_fact_sheet_has_a_visible_permalink(site: Path) -> None:
    checked = 0
    for rel in html_pages(site):
        if not rel.startswith("articles/"):
            continue
        doc = page(site, rel)
        for claim in fact_sheet_claims(doc):
            claim_id = claim.get("id")
            assert claim_id and doc.by_id(claim_id) is claim, f"{rel}: {claim.text()[:60]}"
            permalink = claim.find("a", class_="permalink")
            assert permalink is not None, f"{rel}: #{claim_id}"
            assert permalink.get("href") == f"#{claim_id}"
            assert permalink.text().startswith("link to this ")
            checked += 1
    assert checked >= 27 + 24  # every figure and quote, and the events


def test_every_marked_passage_links_back_to_each_claim_it_supports(site: Path) -> None:
    """Both ways: a claim's "source sentence" leads to a mark, and right after that mark's
    last piece a back-link leads to the claim; every back-link lands on a claim."""
    pairs = 0
    for rel in html_pages(site):
        if not rel.startswith("articles/"):
            continue
        doc = page(site, rel)
        order = {element: n for n, element in enumerate(doc.iter())}
        source = doc.find("div", class_="source-text")
        assert source is not None
        all_refs = source.find_all("a", class_="claim-ref")
        refs = [r for r in all_refs if not r.text().startswith("inferred")]
        claims = fact_sheet_claims(doc)
        assert sorted(r.get("href") for r in refs) == sorted(f"#{c.get('id')}" for c in claims)
        for ref in all_refs:
            if ref in refs:
                continue
            # Evidence for an inferred outlet or date leads to the inference, which cites it.
            inferred = doc.by_id(ref.get("href")[1:])
            assert inferred is not None and "inferred" in inferred.classes, rel
            cited = {resolve_link(rel, h)[1] for h in inferred.hrefs()}
            mark = next(m for m in doc.find_all("mark") if m.get("id") in cited)
            assert order[mark] < order[ref]
        for ref in refs:
            claim = doc.by_id(ref.get("href")[1:])
            assert claim in claims, f"{rel}: {ref.get('href')}"
            sentence = next(a for a in claim.find_all("a") if a.text() == "source sentence")
            target, fragment = resolve_link(rel, sentence.get("href"))
            assert target == rel
            mark = doc.by_id(fragment)
            assert mark is not None and mark.tag == "mark"
            assert order[mark] < order[ref], f"{rel}: {ref.get('href')} comes before its mark"
            assert ref.text().split(":")[0] in ("figure", "event", "quote")
            pairs += 1
    assert pairs >= 27 + 24


def test_actor_summaries_and_metric_descriptions_are_labelled_as_editors_background(
    site: Path, build_report: BuildReport
) -> None:
    archive = build_report.archive
    shown = [
        (f"actors/{a.actor_id}/index.html", a.summary_md.split("\n")[0][:40])
        for a in archive.actors.values()
        if a.summary_md
    ]
    shown += [
        (f"figures/{m.metric_id}/index.html", m.description[:40])
        for m in archive.metrics.values()
        if m.description
    ]
    assert len(shown) > 20
    for rel, start in shown:
        doc = page(site, rel)
        section = doc.find("section", class_="background")
        assert section is not None, rel
        label = section.find("p", class_="background-label")
        assert label is not None and "Editors’ background" in label.text(), rel
        assert "not taken from the archive’s sources" in label.text(), rel
        plain = start.replace("*", "").replace("[", "").split("](")[0][:20]
        assert plain in section.text(), rel


def test_metric_charts_mark_disputed_claims_and_carry_a_key(
    site: Path, build_report: BuildReport
) -> None:
    key_texts: set[str] = set()
    for metric_id, figures in build_report.archive.figures_by_metric.items():
        if not figures:
            continue
        doc = page(site, f"figures/{metric_id}/index.html")
        rows = doc.find("table", class_="claims").find("tbody").find_all("tr")  # type: ignore[union-attr]
        points = doc.find("svg", class_="chart").find_all("g", class_="point")  # type: ignore[union-attr]
        assert len(points) == len(rows) == len(figures)
        disputed_rows = sorted("disputed" in r.classes for r in rows)
        disputed_points = sorted("disputed" in p.classes for p in points)
        assert disputed_points == disputed_rows, metric_id
        for point in points:
            ringed = point.find("circle", class_="ring") is not None
            assert ringed == ("disputed" in point.classes)
            assert ringed == point.find("title").text().endswith(", disputed")  # type: ignore[union-attr]
        key = doc.find("ul", class_="chart-key")
        kinds = {li.text().split(":")[0] for li in key.find_all("li")} if key else set()
        if any(f.qualifier == "about" for f in figures):
            assert "whisker" in kinds, metric_id
        if any(f.is_range for f in figures):
            assert "band" in kinds, metric_id
        if any(f.projected for f in figures):
            assert "hollow mark" in kinds, metric_id
        if any(disputed_rows):
            assert "ringed mark" in kinds, metric_id
        key_texts |= kinds
    assert {"band", "whisker", "dashed line up", "dashed line down", "ringed mark"} <= key_texts


def test_metric_pages_split_compared_from_side_by_side_metrics(
    site: Path, build_report: BuildReport
) -> None:
    archive = build_report.archive
    seen_side_by_side = False
    for metric in archive.metrics.values():
        doc = page(site, f"figures/{metric.metric_id}/index.html")
        listed = {}
        for heading_id in ("compared-heading", "related-heading"):
            heading = doc.by_id(heading_id)
            hrefs = heading.parent.find("ul").hrefs() if heading else []  # type: ignore[union-attr]
            listed[heading_id] = sorted(h.strip("./").removesuffix("/") for h in hrefs)
        compared = sorted(r.metric_id for r in metric.related if r.compare)
        side = sorted(r.metric_id for r in metric.related if not r.compare)
        assert listed == {"compared-heading": compared, "related-heading": side}, metric.metric_id
        if side:
            seen_side_by_side = True
            section = doc.by_id("related-heading").parent  # type: ignore[union-attr]
            assert "never compared" in section.text()  # type: ignore[union-attr]
    assert seen_side_by_side
