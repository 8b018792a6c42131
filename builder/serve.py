"""`serve`: build, serve the output on 127.0.0.1, rebuild on every change, reload the browser.

Input: `ServeOptions`: the project and output folders, the address and port (0: any free
one), and whether drafts are shown (by default they are).
Output: a local web server until Ctrl-C. HTML responses (and only responses: the built files
are never touched) get one script tag that polls `/__build-status`: a new good build reloads
the page; a failed build shows its errors in a fixed panel over the last good site, which
stays served (a failed build never touches the output folder). Absolute links to the site's
`base_url` (the 404 page's, the canonical URL) are rewritten to this server, so that every
page is styled and every link stays local.

Threads: the HTTP server answers in its own threads; the main thread watches content/, seeds/
and templates/ with watchfiles and rebuilds. `BuildStatus` is the only shared state.
"""

from __future__ import annotations

import errno
import json
import signal
import threading
import traceback
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import watchfiles

from builder.build import BuildOptions, build_site
from builder.cli_output import Reporter, archive_counts
from builder.errors import ContentErrors

STATUS_PATH = "/__build-status"
SCRIPT_PATH = "/__live-reload.js"
SCRIPT_TAG = f'<script src="{SCRIPT_PATH}"></script>'.encode()
WATCHED = ("content", "seeds", "templates")

# Served as a file (not inline), so a strict Content-Security-Policy still allows it.
# The panel is built with textContent only: error messages quote untrusted content.
LIVE_RELOAD_JS = """\
(function () {
  "use strict";
  var seen = null;
  var panel = null;
  function show(errors) {
    if (!errors.length) {
      if (panel) { panel.remove(); panel = null; }
      return;
    }
    if (!panel) {
      panel = document.createElement("section");
      panel.setAttribute("role", "alert");
      panel.setAttribute("aria-label", "Build errors");
      panel.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:50vh;" +
        "overflow:auto;margin:0;padding:1em;background:#fff4f4;color:#600;" +
        "border-top:3px solid #c00;font:14px/1.4 monospace;z-index:2147483647";
      document.body.appendChild(panel);
    }
    panel.textContent = "";
    var heading = document.createElement("strong");
    heading.textContent = "The last build failed; this is the last good site. " +
      "Fix these and save:";
    panel.appendChild(heading);
    var list = document.createElement("ul");
    errors.forEach(function (message) {
      var item = document.createElement("li");
      item.textContent = message;
      list.appendChild(item);
    });
    panel.appendChild(list);
  }
  function poll() {
    fetch("__STATUS__", { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (seen === null) { seen = status.build; }
        else if (status.build !== seen) { location.reload(); return; }
        show(status.ok ? [] : status.errors);
      })
      .catch(function () { /* the server is restarting: try again */ })
      .then(function () { setTimeout(poll, 400); });
  }
  poll();
})();
""".replace("__STATUS__", STATUS_PATH)


@dataclass
class BuildStatus:
    """The last build's outcome. `build` counts good builds: a new value means reload."""

    build: int = 0
    ok: bool = True
    errors: list[str] = field(default_factory=list)
    base_url: str = ""  # the last good build's, rewritten to this server in every page
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, ok: bool, errors: list[str], base_url: str | None = None) -> None:
        with self.lock:
            self.build += 1 if ok else 0
            self.ok, self.errors = ok, errors
            self.base_url = self.base_url if base_url is None else base_url

    def as_json(self) -> bytes:
        with self.lock:
            return json.dumps({"build": self.build, "ok": self.ok, "errors": self.errors}).encode()


def rebuild(options: BuildOptions, status: BuildStatus, reporter: Reporter) -> None:
    """One build; content errors and builder bugs are reported, never raised."""
    try:
        report = build_site(options)
    except ContentErrors as problems:
        reporter.content_errors(problems.errors)
        status.record(False, [str(error) for error in problems.errors])
        return
    except Exception:  # a builder bug: keep serving the last good site, show the traceback
        text = traceback.format_exc()
        reporter.error(text)
        status.record(False, [f"the builder crashed (a bug, not your content):\n{text}"])
        return
    reporter.result(
        f"Built {archive_counts(report.archive)} in {report.seconds:.1f} s "
        f"(build {status.build + 1})"
    )
    status.record(True, [], report.archive.site.base_url)


class LiveReloadHandler(SimpleHTTPRequestHandler):
    """Serves the output folder; adds the reload script to HTML, answers the status URL."""

    status: BuildStatus
    reporter: Reporter

    def __init__(self, *args: Any, status: BuildStatus, reporter: Reporter, **kwargs: Any) -> None:
        self.status = status
        self.reporter = reporter
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == STATUS_PATH:
            self.send_bytes(HTTPStatus.OK, "application/json", self.status.as_json())
            return
        if path == SCRIPT_PATH:
            self.send_bytes(HTTPStatus.OK, "text/javascript", LIVE_RELOAD_JS.encode())
            return
        html_file = self.html_file_for(path)
        if html_file is None:
            super().do_GET()
            return
        if html_file.name == "404.html" and not path.endswith("404.html"):
            self.send_html(HTTPStatus.NOT_FOUND, html_file)
        else:
            self.send_html(HTTPStatus.OK, html_file)

    def html_file_for(self, url_path: str) -> Path | None:
        """The HTML file a URL shows, the site's 404 page for a missing one, or None."""
        local = Path(self.translate_path(url_path))
        if local.is_dir():
            if not url_path.endswith("/"):
                return None  # the base class redirects to the slash URL
            local = local / "index.html"
        if local.suffix == ".html" and local.is_file():
            return local
        if local.exists():
            return None
        missing_page = Path(self.directory) / "404.html"
        return missing_page if missing_page.is_file() else None

    def send_html(self, code: HTTPStatus, html_file: Path) -> None:
        try:
            body = html_file.read_bytes()
        except OSError:  # swapped away mid-request by a rebuild
            self.send_error(HTTPStatus.SERVICE_UNAVAILABLE, "rebuilding, reload in a moment")
            return
        local = localise_links(body, self.status.base_url)
        self.send_bytes(code, "text/html; charset=utf-8", inject_script(local))

    def send_bytes(self, code: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def end_headers(self) -> None:
        # A preview must never show a cached page from before the last build.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        self.reporter.detail("  " + format % args)


def localise_links(html: bytes, base_url: str) -> bytes:
    """The page with absolute links to `base_url` made root-relative: they then lead to this
    server, which serves the site at its root."""
    if not base_url:
        return html
    return html.replace(base_url.encode(), b"/")


def inject_script(html: bytes) -> bytes:
    """The page with the reload script before </body> (or at the end)."""
    at = html.rfind(b"</body>")
    return html + SCRIPT_TAG if at == -1 else html[:at] + SCRIPT_TAG + html[at:]


@dataclass(frozen=True)
class ServeOptions:
    project_dir: Path
    out_dir: Path
    bind: str = "127.0.0.1"
    port: int = 8000  # 0: any free port
    drafts: bool = True  # an editor previews drafts; `build` leaves them out


def serve(options: ServeOptions, reporter: Reporter) -> int:
    """Build, serve and rebuild on change until Ctrl-C; returns the exit code (0, or 2 when
    the address cannot be listened on)."""
    # Ctrl-C and a service manager's SIGTERM both stop the server cleanly.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    project_dir, out_dir = options.project_dir, options.out_dir
    build_options = BuildOptions(
        project_dir, out_dir, drafts=options.drafts, progress=reporter.progress
    )
    status = BuildStatus()
    handler = partial(LiveReloadHandler, directory=str(out_dir), status=status, reporter=reporter)
    # Listen before the first build: a busy port is reported at once, not after a build.
    try:
        server = ThreadingHTTPServer((options.bind, options.port), handler)
    except OSError as error:
        reporter.error(listen_problem(options, error))
        return 2
    rebuild(build_options, status, reporter)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    thread.start()
    host, actual_port = server.server_address[:2]
    reporter.result(f"Serving {out_dir}/ at http://{host!s}:{actual_port}/ (Ctrl-C to stop)")
    watched = [str(project_dir / name) for name in WATCHED if (project_dir / name).is_dir()]
    try:
        # A short debounce: an editor's save is one burst; 2 s round trips are the goal.
        for changes in watchfiles.watch(*watched, debounce=200, step=50):
            names = sorted({Path(path).name for _, path in changes})
            reporter.info(f"Changed: {', '.join(names[:5])}{' ...' if len(names) > 5 else ''}")
            rebuild(build_options, status, reporter)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
    reporter.info("Stopped.")
    return 0


def listen_problem(options: ServeOptions, error: OSError) -> str:
    """One line on why the server cannot listen, and what to do."""
    where = f"{options.bind}:{options.port}"
    if error.errno == errno.EADDRINUSE:
        return (
            f"port {options.port} is already in use ({where}); "
            "stop the other server, or use --port 0 for a free port"
        )
    # An unknown host name (socket.gaierror), an address not on this machine, a port
    # below 1024 without privileges.
    return f"cannot listen on {where}: {error.strerror or error} (check --bind and --port)"
