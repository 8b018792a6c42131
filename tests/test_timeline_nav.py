"""The timeline's jump list and filters, on the real build: the built HTML parsed, and the same
links followed in Chromium with JavaScript off (plain links and filtered pages) and on
(filtering in place).

The expected entries come from the model (`build_timeline`), not from the pages under test.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from builder import index
from builder.build import BuildReport, load_archive
from builder.derive.timeline import Timeline, TimelineEntry, build_timeline
from builder.render.site import render_pages
from builder.render.theme import Theme
from builder.render.timeline_nav import place_slug
from tests.browser import watch_errors
from tests.htmlparse import Element, parse_html, parse_page, resolve_link
from tests.sample_archive import make_archive

TIMELINE = "timeline/index.html"
DAY_ANCHOR = "d2016-12-07"  # the day the issue names: a link to it must land in view
FILTER_ACTOR = "lavrov"
FILTER_PLACE = "Geneva"


@pytest.fixture(scope="module")
def timeline(build_report: BuildReport) -> Timeline:
    return build_timeline(build_report.archive)


@cache
def page_at(path: str) -> Element:
    return parse_page(Path(path))


def page(site: Path, rel: str) -> Element:
    return page_at(str(site / rel))


def entry_ids(doc: Element) -> set[str]:
    return {e.get("id") for e in doc.find_all("article", class_="entry")}


def anchors(entries: Iterator[TimelineEntry] | tuple[TimelineEntry, ...]) -> set[str]:
    return {e.anchor for e in entries}


def filter_links(doc: Element, key: str) -> dict[str, Element]:
    """value -> the filter link of that key in the page's filter panel."""
    panel = doc.find("details", class_="timeline-filters")
    assert panel is not None
    return {a.get("data-value"): a for a in panel.find_all("a") if a.get("data-filter") == key}


# ---- the built HTML --------------------------------------------------------------------------


def test_the_jump_list_links_every_month_and_day_heading_of_the_timeline(built_site: Path) -> None:
    doc = page(built_site, TIMELINE)
    jump = doc.find("nav", class_="timeline-jump")
    assert jump is not None
    targets = {href.partition("#")[2] for href in jump.hrefs()}
    headings = {h.get("id") for h in doc.select("section", "h2") + doc.select("section", "h3")}
    # Every day and month heading is a jump away (a month of one day group needs no day link).
    months = {h.get("id") for h in doc.select("section", "h2")}
    assert months <= targets and DAY_ANCHOR in targets
    assert targets <= headings, targets - headings
    assert all(href.startswith("#") for href in jump.hrefs()), "a one-page timeline jumps in place"


def test_corroboration_filters_are_pages_holding_exactly_the_matching_entries(
    built_site: Path, timeline: Timeline
) -> None:
    links = filter_links(page(built_site, TIMELINE), "corroboration")
    expected = {
        "multiple": anchors(e for e in timeline.entries if e.source_count > 1),
        "single": anchors(e for e in timeline.entries if e.source_count == 1),
    }
    assert set(links) == set(expected)
    for value, link in links.items():
        target, _ = resolve_link(TIMELINE, link.get("href"))
        assert entry_ids(page(built_site, target)) == expected[value], value
        assert expected[value], f"the real archive has no {value}-source event"


def test_place_filters_are_pages_holding_exactly_the_events_at_that_place(
    built_site: Path, timeline: Timeline
) -> None:
    links = filter_links(page(built_site, TIMELINE), "place")
    places = {place_slug(e.place) for e in timeline.entries if e.place}
    assert set(links) == places and place_slug(FILTER_PLACE) in places
    for slug, link in links.items():
        target, _ = resolve_link(TIMELINE, link.get("href"))
        assert target == f"timeline/place/{slug}/index.html"
        expected = anchors(e for e in timeline.entries if e.place and place_slug(e.place) == slug)
        doc = page(built_site, target)
        assert entry_ids(doc) == expected, slug
        # The page says what it shows and leads back to every event.
        assert doc.find("h1").text() == f"Timeline: {link.text()}"  # type: ignore[union-attr]
        assert "../../" in doc.find("p", class_="lede").hrefs()  # type: ignore[union-attr]


def test_actor_and_source_filters_lead_to_pages_listing_exactly_their_events(
    built_site: Path, build_report: BuildReport, timeline: Timeline
) -> None:
    doc = page(built_site, TIMELINE)
    actors = filter_links(doc, "actor")
    assert FILTER_ACTOR in actors
    for actor_id, link in actors.items():
        target, fragment = resolve_link(TIMELINE, link.get("href"))
        assert (target, fragment) == (f"actors/{actor_id}/index.html", "events")
        events = page(built_site, target).by_id("events")
        assert events is not None
        listed = {h.partition("#")[2] for h in events.parent.hrefs() if "#event-" in h}  # type: ignore[union-attr]
        expected = anchors(
            e for e in timeline.entries if actor_id in {a.actor_id for a in e.actors}
        )
        assert listed == expected, actor_id
        assert link.parent.find("span", class_="count").text() == f"({len(expected)})"  # type: ignore[union-attr]
    sources = filter_links(doc, "source")
    assert set(sources) == {a.slug for a in build_report.archive.articles if a.events}
    for slug, link in sources.items():
        target, fragment = resolve_link(TIMELINE, link.get("href"))
        assert (target, fragment) == (f"articles/{slug}/index.html", "events")
        sheet = page(built_site, target)
        listed = {li.get("id") for li in sheet.find_all("li", class_="event")}
        article = build_report.archive.article_by_slug[slug]
        assert listed == {f"event-{e.event_id}" for e in article.events}, slug


def test_every_timeline_entry_carries_the_keys_the_script_filters_by(
    built_site: Path, timeline: Timeline
) -> None:
    doc = page(built_site, TIMELINE)
    by_anchor = {e.anchor: e for e in timeline.entries}
    for element in doc.find_all("article", class_="entry"):
        entry = by_anchor[element.get("id")]
        assert element.get("data-actors").split() == [a.actor_id for a in entry.actors]
        assert element.get("data-place") == (place_slug(entry.place) if entry.place else "")
        sources = {r.event.article_slug for r in entry.reports}
        assert set(element.get("data-sources").split()) == sources
        corroboration = "multiple" if entry.source_count > 1 else "single"
        assert element.get("data-corroboration") == corroboration


def test_a_split_timeline_jumps_between_month_pages_and_within_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(index, "TIMELINE_ONE_PAGE_LIMIT", 0)
    templates = Theme((Path(__file__).resolve().parent.parent / "templates",), ("templates",))
    pages = render_pages(make_archive(), templates)
    month_pages = sorted(p for p in pages if p.count("/") == 3 and p.startswith("timeline/2"))
    assert month_pages, sorted(pages)
    index_jump = parse_html(pages[TIMELINE].decode()).find("nav", class_="timeline-jump")
    assert index_jump is not None
    # The index links each month's page (as the pages it has), and no day.
    linked = {resolve_link(TIMELINE, h)[0] for h in index_jump.hrefs()}
    assert set(month_pages) <= linked and not any("#" in h for h in index_jump.hrefs())
    for path in month_pages:
        doc = parse_html(pages[path].decode())
        jump = doc.find("nav", class_="timeline-jump")
        assert jump is not None
        current = [a for a in jump.find_all("a") if a.get("aria-current") == "page"]
        assert len(current) == 1 and resolve_link(path, current[0].get("href"))[0] == path
        days = doc.find_all("ul", class_="day-index")
        day_targets = {h.partition("#")[2] for ul in days for h in ul.hrefs()}
        day_headings = {h.get("id") for h in doc.select("section", "h3")}
        assert day_targets == (day_headings if len(day_headings) > 1 else set()), path


def test_a_month_over_several_pages_links_each_day_on_the_page_that_holds_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At 10,000 articles a month runs over several pages (`page/2/`, ...): every link of
    every timeline page's jump list lands on an element that exists. (It once sent a later
    page's days to the month's first page.)"""
    monkeypatch.setattr(index, "TIMELINE_ONE_PAGE_LIMIT", 0)
    monkeypatch.setattr(index, "TIMELINE_ENTRIES_PER_PAGE", 3)
    root = Path(__file__).resolve().parent.parent
    templates = Theme((root / "templates",), ("templates",))
    pages = render_pages(load_archive(root), templates)  # 20 entries in December 2016
    ids = {path: set(parse_html(html.decode()).ids()) for path, html in pages.items()}
    continued = [p for p in pages if p.startswith("timeline/2") and "/page/" in p]
    assert continued, sorted(pages)  # the case under test: a month continued on a page 2
    broken = []
    for path in (p for p in pages if p.startswith("timeline/")):
        jump = parse_html(pages[path].decode()).find("nav", class_="timeline-jump")
        for href in jump.hrefs() if jump is not None else ():
            target, fragment = resolve_link(path, href)
            if target not in pages or (fragment and fragment not in ids[target]):
                broken.append(f"{path}: {href}")
    assert not broken, broken


# ---- in Chromium, with JavaScript off and on -------------------------------------------------

LANDS_BELOW_STICKY = """(id) => {
  const target = document.getElementById(id);
  const box = target.getBoundingClientRect();
  // A sticky month heading covers what scrolls under it, though not itself.
  const stuck = [...document.querySelectorAll('.month > h2')].filter(h => h !== target)
    .map(h => h.getBoundingClientRect()).filter(r => r.top <= 1 && r.bottom > 0);
  const cover = stuck.length ? Math.max(...stuck.map(r => r.bottom)) : 0;
  return {top: box.top, cover: cover, height: window.innerHeight};
}"""
VISIBLE_ENTRIES = """() => [...document.querySelectorAll('article.entry')]
  .filter(e => e.offsetParent !== null).map(e => e.id)"""


def real_errors(errors: list[str]) -> list[str]:
    """Errors but the requests a navigation cut short (the icon of a page left at once)."""
    return [e for e in errors if not e.endswith("net::ERR_ABORTED")]


def assert_lands_in_view(page: Page, anchor: str) -> None:
    where = page.evaluate(LANDS_BELOW_STICKY, anchor)
    # (Less a pixel: Chromium scrolls to fractional positions.)
    assert where["cover"] - 1 <= where["top"] < where["height"], f"#{anchor} lands at {where}"


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_jump_list_and_filter_links_work_without_javascript(
    browser: Browser, site_url: str, timeline: Timeline, width: int
) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(site_url + "timeline/")
    page.click(f".timeline-jump a[href='#{DAY_ANCHOR}']")
    assert page.url.endswith(f"#{DAY_ANCHOR}")
    assert_lands_in_view(page, DAY_ANCHOR)
    december = page.locator(".timeline-jump a[href='#m2016-12']")
    december.click()
    assert_lands_in_view(page, "m2016-12")

    page.goto(site_url + "timeline/")
    page.click(".timeline-filters summary")
    page.click(".timeline-filters a[data-filter='corroboration'][data-value='multiple']")
    assert page.url == site_url + "timeline/corroborated/"
    multiple = anchors(e for e in timeline.entries if e.source_count > 1)
    assert set(page.evaluate(VISIBLE_ENTRIES)) == multiple

    page.click(f".timeline-filters a[data-value='{place_slug(FILTER_PLACE)}']")
    assert page.url == site_url + f"timeline/place/{place_slug(FILTER_PLACE)}/"
    at_place = anchors(e for e in timeline.entries if e.place == FILTER_PLACE)
    assert set(page.evaluate(VISIBLE_ENTRIES)) == at_place

    page.goto(site_url + "timeline/")
    page.click(".timeline-filters summary")
    page.click(f".timeline-filters a[data-filter='actor'][data-value='{FILTER_ACTOR}']")
    assert page.url == site_url + f"actors/{FILTER_ACTOR}/#events"
    assert_lands_in_view(page, "events")
    context.close()
    assert not real_errors(errors), "\n".join(errors)


@pytest.mark.browser
def test_filters_work_in_place_with_javascript(
    browser: Browser, site_url: str, timeline: Timeline
) -> None:
    every = anchors(timeline.entries)
    with_actor = anchors(
        e for e in timeline.entries if FILTER_ACTOR in {a.actor_id for a in e.actors}
    )
    multiple = anchors(e for e in timeline.entries if e.source_count > 1)
    at_place = anchors(e for e in timeline.entries if e.place == FILTER_PLACE)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(site_url + "timeline/")
    assert set(page.evaluate(VISIBLE_ENTRIES)) == every
    page.click(".timeline-filters summary")

    page.click(f".timeline-filters a[data-filter='actor'][data-value='{FILTER_ACTOR}']")
    assert page.url == site_url + f"timeline/?actor={FILTER_ACTOR}"  # no reload, no page
    assert set(page.evaluate(VISIBLE_ENTRIES)) == with_actor
    status = page.locator(".filter-status")
    assert f"Showing {len(with_actor)} of the {len(every)} events" in status.inner_text()

    page.click(".timeline-filters a[data-filter='corroboration'][data-value='multiple']")
    assert page.url == site_url + "timeline/?corroboration=multiple"
    assert set(page.evaluate(VISIBLE_ENTRIES)) == multiple

    page.go_back()  # the previous filter comes back with the URL
    assert page.url.endswith(f"?actor={FILTER_ACTOR}")
    assert set(page.evaluate(VISIBLE_ENTRIES)) == with_actor

    page.click(".filter-status button")
    assert page.url == site_url + "timeline/"
    assert set(page.evaluate(VISIBLE_ENTRIES)) == every

    # A shared filtered URL opens filtered; the jump list still lands in view.
    page.goto(site_url + f"timeline/?place={place_slug(FILTER_PLACE)}")
    assert set(page.evaluate(VISIBLE_ENTRIES)) == at_place
    page.goto(site_url + "timeline/")
    page.click(f".timeline-jump a[href='#{DAY_ANCHOR}']")
    assert_lands_in_view(page, DAY_ANCHOR)
    context.close()
    assert not real_errors(errors), "\n".join(errors)
