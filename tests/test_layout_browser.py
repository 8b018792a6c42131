"""The layout in a real browser: every page kind at phone, tablet and desktop widths, both schemes.

At each width and colour scheme, every page kind is checked for: no sideways page scroll, no
clipped table caption, every table cell inside its box (or a visible scroll cue), a one-line
navigation and a header search box; and axe finds no serious or critical violation. Then the
pieces that need a click or a medium: sorting a table, the header search reaching Pagefind, the
sticky side column, and the passage numbers of a printed fact sheet.

One browser, one page per width and scheme, reused across the page kinds, to stay fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from builder.build import BuildReport
from tests.browser import (
    AXE_SCRIPT,
    require_tool,
    serve_base_url_locally,
    watch_errors,
)
from tests.test_browser import (
    AXE_RUN,
    AXE_TAGS,
    BLOCKING_IMPACTS,
    PAGE_KINDS,
    format_violations,
    sample_page_path,
)

pytestmark = pytest.mark.browser

WIDTHS = (360, 390, 768, 1280)
SCHEMES = ("light", "dark")
LAYOUT_KINDS = (*PAGE_KINDS, "data")
# axe runs at every width in both schemes: the layout (cards, the one-line navigation, the
# side column) and so what axe sees (target sizes, scrollable regions) change with the width.
WIDE = 1280
BIG_METRIC = "people-fled"  # the metric with the most claims: a table worth sorting

# Everything that can be wrong with a page's layout at this width, as sentences.
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const width = window.innerWidth;
  const scroller = document.scrollingElement;
  if (scroller.scrollWidth > width) {
    problems.push(`the page scrolls sideways: ${scroller.scrollWidth}px in ${width}px`);
  }
  const name = (e) => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '');
  const shown = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
  const clippers = (e) => {
    const found = [];
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') found.push(a);
    }
    return found;
  };
  const inside = (rect, box) => rect.left >= box.left - 1 && rect.right <= box.right + 1;
  for (const caption of document.querySelectorAll('caption')) {
    if (!shown(caption)) continue;
    if (caption.scrollWidth > caption.clientWidth + 1) {
      problems.push(`caption "${caption.textContent.slice(0, 40)}" overflows its box`);
    }
    const rect = caption.getBoundingClientRect();
    for (const box of clippers(caption)) {
      if (!inside(rect, box.getBoundingClientRect())) {
        problems.push(`caption "${caption.textContent.slice(0, 40)}" is cut by ${name(box)}`);
      }
    }
  }
  for (const table of document.querySelectorAll('table')) {
    if (!shown(table)) continue;
    const boxes = [...clippers(table)].map((b) => b.getBoundingClientRect());
    boxes.push({left: 0, right: width});
    const cut = [...table.querySelectorAll('tbody td, tbody th')]
      .filter((cell) => shown(cell))
      .filter((cell) => boxes.some((box) => !inside(cell.getBoundingClientRect(), box)));
    const cue = table.closest('.table-scroll')?.querySelector('.scroll-cue');
    if (cut.length && !(cue && shown(cue))) {
      problems.push(`table "${table.caption?.textContent.slice(0, 40) ?? ''}": ` +
        `${cut.length} cells off-screen with no scroll cue`);
    }
  }
  const navItems = [...document.querySelectorAll('.site-nav li')];
  if (!navItems.length) problems.push('no main navigation');
  if (new Set(navItems.map((li) => li.offsetTop)).size > 1) {
    problems.push('the main navigation takes more than one line');
  }
  const search = document.querySelector('.site-header form[role=search] input[name=q]');
  if (!search || !shown(search)) problems.push('no search box in the header');
  return problems;
}"""


def open_page(browser: Browser, report: BuildReport, width: int, scheme: str) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": 800}, color_scheme=scheme, device_scale_factor=1
    )
    serve_base_url_locally(context, report.archive.site.base_url, report.out_dir)
    return context.new_page()


def kind_path(site: Path, kind: str) -> str:
    return "data/" if kind == "data" else sample_page_path(site, kind)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE_SCRIPT))
    violations: list[dict[str, Any]] = page.evaluate(AXE_RUN, AXE_TAGS)
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def layout_failures(page: Page, kind: str, scheme: str) -> list[str]:
    """The loaded page checked at every width (a resize reflows it; no reload needed)."""
    failures = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        failures += [f"{kind} at {width}px: {p}" for p in page.evaluate(LAYOUT_PROBLEMS)]
        if blocking := axe_violations(page):
            failures.append(f"{kind} at {width}px: axe\n{format_violations(blocking)}")
    return failures


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_page_kind_fits_every_width_and_passes_axe(
    browser: Browser, build_report: BuildReport, built_site: Path, site_url: str, scheme: str
) -> None:
    require_tool(AXE_SCRIPT.is_file(), f"axe-core at {AXE_SCRIPT} (npm ci --ignore-scripts)")
    page = open_page(browser, build_report, WIDTHS[0], scheme)
    failures: list[str] = []
    try:
        for kind in LAYOUT_KINDS:
            page.goto(site_url + kind_path(built_site, kind), wait_until="load")
            failures += layout_failures(page, kind, scheme)
    finally:
        page.context.close()
    assert not failures, f"{scheme}:\n" + "\n".join(failures)


def test_the_layout_check_sees_a_cut_table_and_a_wide_page(
    browser: Browser, build_report: BuildReport, site_url: str
) -> None:
    """The checks above can fail: a table forced wide in its scroll box, with no cue, is caught."""
    page = open_page(browser, build_report, 360, "light")
    try:
        page.goto(site_url + f"figures/{BIG_METRIC}/")
        assert page.evaluate(LAYOUT_PROBLEMS) == []
        page.add_style_tag(
            content="table.cards * { display: revert !important; } "
            "table { min-width: 900px; } .site-header { width: 500px; }"
        )
        problems = "\n".join(page.evaluate(LAYOUT_PROBLEMS))
    finally:
        page.context.close()
    assert "off-screen with no scroll cue" in problems
    assert "the page scrolls sideways" in problems


def claim_dates(page: Page) -> list[str]:
    cells = page.locator("table.claims tbody td[data-label='As of']")
    return [cells.nth(n).get_attribute("data-sort") or "" for n in range(cells.count())]


@pytest.mark.parametrize("width", (390, WIDE))
def test_claim_tables_sort_by_a_column_and_say_so(
    browser: Browser, build_report: BuildReport, site_url: str, width: int
) -> None:
    page = open_page(browser, build_report, width, "light")
    errors = watch_errors(page)
    try:
        page.goto(site_url + f"figures/{BIG_METRIC}/")
        html_order = claim_dates(page)
        assert html_order == sorted(html_order), "without a click, the HTML order: oldest first"
        header = page.locator("table.claims th", has_text="As of")
        button = header.get_by_role("button")
        assert button.is_visible(), "the sort buttons show at this width"
        button.click()
        assert header.get_attribute("aria-sort") == "ascending"
        button.click()
        assert header.get_attribute("aria-sort") == "descending"
        assert claim_dates(page) == sorted(html_order, reverse=True)
        value = page.locator("table.claims th", has_text="Value")
        value.get_by_role("button").click()
        assert value.get_attribute("aria-sort") == "ascending"
        assert header.get_attribute("aria-sort") is None, "one sorted column at a time"
        cells = page.locator("table.claims tbody td[data-label='Value']")
        values = [
            float(cells.nth(n).get_attribute("data-sort") or "") for n in range(cells.count())
        ]
        assert values == sorted(values)
    finally:
        page.context.close()
    assert not errors, "\n".join(errors)


def test_lists_of_claims_sort_by_value_and_back_to_page_order(
    browser: Browser, build_report: BuildReport, built_site: Path, site_url: str
) -> None:
    page = open_page(browser, build_report, 390, "light")
    errors = watch_errors(page)
    items = page.locator("#key-figures ~ ul.claims-list > li")
    try:
        page.goto(site_url + sample_page_path(built_site, "article"))
        page_order = [items.nth(n).get_attribute("id") for n in range(items.count())]
        controls = page.get_by_role("group", name="Sort the figures")
        controls.get_by_role("button", name="value").click()
        values = [
            float(items.nth(n).get_attribute("data-sort-value") or "") for n in range(items.count())
        ]
        assert values == sorted(values) and len(values) == len(page_order) > 1
        assert controls.get_by_role("button", name="value").get_attribute("aria-pressed") == "true"
        controls.get_by_role("button", name="page order").click()
        assert [items.nth(n).get_attribute("id") for n in range(items.count())] == page_order
    finally:
        page.context.close()
    assert not errors, "\n".join(errors)


def test_the_header_search_box_runs_the_search(
    browser: Browser, build_report: BuildReport, site_url: str
) -> None:
    page = open_page(browser, build_report, 390, "light")
    errors = watch_errors(page)
    try:
        page.goto(site_url + "timeline/")
        page.fill(".site-header input[name=q]", "Lavrov")
        page.press(".site-header input[name=q]", "Enter")
        page.wait_for_url("**/search/?q=Lavrov")
        page.wait_for_selector(".pagefind-ui__result-link", timeout=15_000)
        assert page.input_value(".pagefind-ui__search-input") == "Lavrov"
        assert page.input_value(".site-header input[name=q]") == "Lavrov"
    finally:
        page.context.close()
    assert not errors, "\n".join(errors)


SIDE_COLUMN = """() => {
  const aside = document.querySelector('.page-aside');
  const rect = aside.getBoundingClientRect();
  const overlaps = [...aside.parentElement.children]
    .filter((e) => e !== aside && e.getClientRects().length)
    .map((e) => e.getBoundingClientRect())
    .some((r) => r.right > rect.left + 1 && r.bottom > rect.top && r.top < rect.bottom);
  return {top: rect.top, bottom: rect.bottom, left: rect.left, overlaps,
          height: window.innerHeight, width: window.innerWidth};
}"""


@pytest.mark.parametrize("kind", ("article", "metric", "actor"))
def test_wide_screens_keep_the_on_this_page_list_in_view(
    browser: Browser, build_report: BuildReport, built_site: Path, site_url: str, kind: str
) -> None:
    page = open_page(browser, build_report, WIDE, "light")
    try:
        page.goto(site_url + sample_page_path(built_site, kind))
        at_top = page.evaluate(SIDE_COLUMN)
        assert at_top["left"] > at_top["width"] / 2, "the list sits in a column on the right"
        assert not at_top["overlaps"], "the side column overlaps the text"
        page.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight / 2)")
        scrolled = page.evaluate(SIDE_COLUMN)
        assert scrolled["top"] >= 0 and scrolled["bottom"] <= scrolled["height"], scrolled
        assert page.locator(".page-aside .on-this-page a").first.is_visible()
    finally:
        page.context.close()


PRINTED_REFERENCES = """() => {
  const after = (e) => getComputedStyle(e, '::after').content;
  const before = (e) => getComputedStyle(e, '::before').content;
  const marks = [...document.querySelectorAll('.source-text mark[id]')];
  const numberOf = Object.fromEntries(marks.map((m, n) => [m.id, n + 1]));
  const links = [...document.querySelectorAll('.fact-links a[data-passage-number]')];
  return {
    links: links.map((a) => ({
      visible: a.getClientRects().length > 0 && getComputedStyle(a).fontSize !== '0px',
      shown: after(a), wanted: numberOf[a.hash.slice(1)]})),
    marks: marks.map((m) => ({shown: before(m), counted: getComputedStyle(m).counterIncrement})),
    figures: document.querySelectorAll('#key-figures ~ ul .claim, .claims-list .claim').length,
  };
}"""


def test_a_printed_fact_sheet_ties_each_figure_to_its_numbered_passage(
    browser: Browser, build_report: BuildReport, built_site: Path, site_url: str
) -> None:
    page = open_page(browser, build_report, 800, "light")
    try:
        page.goto(site_url + sample_page_path(built_site, "article"))
        page.emulate_media(media="print")
        printed = page.evaluate(PRINTED_REFERENCES)
        page.emulate_media(media="screen")
        on_screen = page.evaluate(PRINTED_REFERENCES)
    finally:
        page.context.close()
    links, marks = printed["links"], printed["marks"]
    assert links and marks
    assert len(links) >= printed["figures"], "every figure has its numbered source link"
    for link in links:
        assert link["visible"], "the source link is printed, not hidden"
        assert link["shown"] == f'" [{link["wanted"]}]"', link
    # Chromium reports the declared content; the count runs over exactly these marks, in order.
    for mark in marks:
        assert mark == {"shown": '"[" counter(passage) "]\u00a0"', "counted": "passage 1"}, mark
    assert all(link["shown"] == "none" for link in on_screen["links"]), "print only"
