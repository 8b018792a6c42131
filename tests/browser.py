"""Shared helpers for the real-client tests: a plain static server and Debian's Chromium.

Input: a folder to serve; the installed /usr/bin/chromium (browser downloads do not work here).
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
    from playwright.sync_api import Browser

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
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


@contextmanager
def launch_chromium() -> Iterator[Browser]:
    """Debian's headless Chromium driven by Playwright; skipped (or failed in CI) if missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_tool(False, "the Python package playwright")
    require_tool(CHROMIUM.is_file(), f"Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def java_available() -> bool:
    return shutil.which("java") is not None
