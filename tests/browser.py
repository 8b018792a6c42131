"""Shared helpers for the real-client tests: a plain static server and Debian's Chromium.

Input: a folder to serve; an installed Chromium, /usr/bin/chromium or $CHROMIUM_PATH (Playwright's
own browser downloads are not used).
Output: context managers yielding the server's base URL and a launched Playwright browser,
plus `require_tool`, which skips a test locally but fails it in CI when a tool is missing.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Route

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Debian's chromium here and in CI; a hosted Ubuntu runner has Google Chrome instead.
CHROMIUM_CANDIDATES = (Path("/usr/bin/chromium"), Path("/usr/bin/google-chrome"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NODE_MODULES = PROJECT_ROOT / "node_modules"
AXE_SCRIPT = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_tool(available: bool, what: str) -> None:
    """Skip when a tool is missing on a developer's machine; in CI a missing tool fails."""
    if available:
        return
    message = f"{what} is missing (run `bash .ci/run`, or see README: Tests)"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A plain static file handler, as a simple host would serve the site, minus the log."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 at a free port; yields the base URL ending in '/'."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def find_chromium() -> Path | None:
    """$CHROMIUM_PATH if set, else the first installed candidate; None when there is none."""
    configured = os.environ.get("CHROMIUM_PATH")
    candidates = (Path(configured),) if configured else CHROMIUM_CANDIDATES
    return next((path for path in candidates if path.is_file()), None)


@contextmanager
def launch_chromium() -> Iterator[Browser]:
    """Debian's headless Chromium driven by Playwright; skipped (or failed in CI) if missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_tool(False, "the Python package playwright")
    chromium = find_chromium()
    require_tool(chromium is not None, "Chromium (apt-get install chromium)")
    assert chromium is not None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def java_available() -> bool:
    return shutil.which("java") is not None


def watch_errors(page: Page) -> list[str]:
    """Collect console errors, uncaught exceptions and failed requests of `page`."""
    errors: list[str] = []
    page.on("console", lambda m: record_console_error(m, errors))
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    # An aborted request is Chromium dropping a fetch the page no longer needs (a favicon
    # still loading when a link is followed); a missing file shows as an HTTP status below.
    page.on(
        "requestfailed",
        lambda r: (
            None
            if r.failure == "net::ERR_ABORTED"
            else errors.append(f"request failed: {r.url} {r.failure}")
        ),
    )
    page.on(
        "response",
        lambda r: errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
    )
    return errors


def record_console_error(message: ConsoleMessage, errors: list[str]) -> None:
    """Append a console error with where it came from.

    Chromium's own request for /favicon.ico (made only when a page declares no icon, and
    not on every load) is left out so that the check is stable; tests/test_subpath.py
    asserts the icon is declared instead.
    """
    where = message.location.get("url", "")
    if message.type == "error" and not where.endswith("/favicon.ico"):
        errors.append(f"console: {message.text} (at {where or 'unknown'})")


def serve_base_url_locally(context: BrowserContext, base_url: str, site: Path) -> None:
    """Answer requests for the absolute `base_url` (used by 404.html) from the built files.

    404.html links with absolute URLs, since a host serves it at any depth; this lets a
    test load it as if the site were deployed at `base_url`.
    """

    def fulfil(route: Route) -> None:
        relative = route.request.url.removeprefix(base_url).split("#")[0].split("?")[0]
        target = site / relative
        if relative == "" or relative.endswith("/"):
            target = target / "index.html"
        if target.is_file():
            route.fulfill(path=target)
        else:
            route.fulfill(status=404, body="not found")

    context.route(f"{base_url}**", fulfil)


def search_result_links(page: Page, term: str) -> list[str]:
    """Type `term` into the Pagefind UI and return every result's href, all pages loaded."""
    page.fill(".pagefind-ui__search-input", term)
    page.wait_for_selector(".pagefind-ui__result-link", timeout=15_000)
    page.wait_for_selector(".pagefind-ui__message:has-text('result')", timeout=15_000)
    more = page.locator(".pagefind-ui__button")
    for _ in range(50):  # "Load more results" pages through 5 results at a time
        if not more.count() or not more.first.is_visible():
            break
        more.first.click()
    links = page.locator(".pagefind-ui__result-link")
    return [links.nth(n).get_attribute("href") or "" for n in range(links.count())]
