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
import os
import signal
import threading
import traceback
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

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


# Names a browser may use for this server; anything else in Host is a DNS-rebinding attempt
# (a web page whose own domain now resolves to 127.0.0.1) and gets 403.
LOCAL_HOST_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
# Escaped in log lines, as the standard library does: a URL may carry terminal escapes.
CONTROL_CHARACTERS = {code: rf"\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}
# A rebuild deletes the version it replaced; a request that missed a file there asks again.
ATTEMPTS = 3


class PreviewServer(ThreadingHTTPServer):
    """One thread per request, and a real listen backlog (the standard library's is 5)."""

    request_queue_size = 128
    daemon_threads = True


@dataclass(frozen=True)
class Answer:
    code: HTTPStatus
    file: Path | None = None  # what was read, to pick the content type; None for a redirect
    body: bytes = b""


class BadRequest(ValueError):
    """A URL path no file can have: undecodable, or with control characters."""


def url_segments(url_path: str) -> tuple[str, ...]:
    """The path's segments below the site root; '.', '..' and empty ones are dropped, so the
    result never leaves the root."""
    try:
        decoded = unquote(url_path, errors="strict")
    except UnicodeDecodeError as error:
        raise BadRequest("the path is not UTF-8") from error
    if any(ord(char) < 32 or ord(char) == 127 for char in decoded):
        raise BadRequest("the path has control characters")
    return tuple(part for part in decoded.split("/") if part not in ("", ".", ".."))


def site_answer(root: Path, segments: tuple[str, ...], wants_folder: bool) -> Answer:
    """What the site at `root` has at `segments`: the file, a redirect to the slash URL of a
    folder, or the site's 404 page."""
    local = root.joinpath(*segments)
    try:
        if local.is_dir():
            if not wants_folder:
                return Answer(HTTPStatus.MOVED_PERMANENTLY)
            local = local / "index.html"
        return Answer(HTTPStatus.OK, local, local.read_bytes())
    except OSError:  # missing, a folder without index.html, a name too long for the disk
        pass
    try:
        missing_page = root / "404.html"
        return Answer(HTTPStatus.NOT_FOUND, missing_page, missing_page.read_bytes())
    except OSError:
        return Answer(HTTPStatus.NOT_FOUND)


def allowed_host_names(bind: str) -> frozenset[str] | None:
    """The Host names a request may carry: this machine's, and the bound address. Bound to
    every address (`--bind 0.0.0.0`), the editor chose to serve other machines: any Host."""
    if bind in ("0.0.0.0", "::", ""):
        return None
    return LOCAL_HOST_NAMES | {bind.lower()}


def host_name(header: str) -> str:
    """'LocalHost:8000' -> 'localhost', '[::1]:8000' -> '::1'."""
    name = header.strip().lower()
    if name.startswith("["):
        return name[1:].partition("]")[0]
    return name.rpartition(":")[0] if name.count(":") == 1 else name


class LiveReloadHandler(SimpleHTTPRequestHandler):
    """Serves the output folder; adds the reload script to HTML, answers the status URL.

    Each request reads one version of the site: the output link is resolved once, and every
    file of the answer is read below that version's folder."""

    status: BuildStatus
    reporter: Reporter
    site_dir: Path
    host_names: frozenset[str] | None  # None: any Host (serving to other machines)

    def __init__(
        self,
        *args: Any,
        site_dir: Path,
        status: BuildStatus,
        reporter: Reporter,
        host_names: frozenset[str] | None = LOCAL_HOST_NAMES,
        **kwargs: Any,
    ) -> None:
        self.site_dir = site_dir
        self.host_names = host_names
        self.status = status
        self.reporter = reporter
        super().__init__(*args, directory=str(site_dir), **kwargs)

    def do_GET(self) -> None:
        if not self.host_allowed():
            self.send_error(HTTPStatus.FORBIDDEN, "unknown Host: open the address serve printed")
            return
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == STATUS_PATH:
            self.send_bytes(HTTPStatus.OK, "application/json", self.status.as_json())
            return
        if path == SCRIPT_PATH:
            self.send_bytes(HTTPStatus.OK, "text/javascript", LIVE_RELOAD_JS.encode())
            return
        try:
            segments = url_segments(path)
        except BadRequest as problem:
            self.send_error(HTTPStatus.BAD_REQUEST, str(problem))
            return
        answer = self.site_answer(segments, path.endswith("/"))
        if answer is None:
            self.send_error(HTTPStatus.SERVICE_UNAVAILABLE, "rebuilding, reload in a moment")
        elif answer.code == HTTPStatus.MOVED_PERMANENTLY:
            self.send_response(answer.code)
            self.send_header("Location", path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif answer.file is None:
            self.send_error(answer.code, "no such page")
        elif answer.file.suffix == ".html":
            page = localise_links(answer.body, self.status.base_url)
            self.send_bytes(answer.code, "text/html; charset=utf-8", inject_script(page))
        else:
            self.send_bytes(answer.code, self.guess_type(answer.file), answer.body)

    do_HEAD = do_GET  # send_bytes leaves the body out for HEAD

    def site_answer(self, segments: tuple[str, ...], wants_folder: bool) -> Answer | None:
        """The answer from the live version. A file read whole is right even if a rebuild
        retired its version meanwhile; a miss is only believed if the version is still live,
        since a retired one is being deleted. None if rebuilds kept getting in the way."""
        for _ in range(ATTEMPTS):
            root = os.path.realpath(self.site_dir)
            answer = site_answer(Path(root), segments, wants_folder)
            if answer.code != HTTPStatus.NOT_FOUND or os.path.realpath(self.site_dir) == root:
                return answer
        return None

    def host_allowed(self) -> bool:
        return self.host_names is None or host_name(self.headers.get("Host", "")) in self.host_names

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
        self.reporter.detail("  " + (format % args).translate(CONTROL_CHARACTERS))


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
    watched = [str(project_dir / name) for name in WATCHED if (project_dir / name).is_dir()]
    # A short debounce: an editor's save is one burst; 2 s round trips are the goal. Every
    # 100 ms without a change yields an empty set, so the first `next` returns once watching
    # has started: a save during the first build, or just after it, is never missed.
    saves = watchfiles.watch(
        *watched, debounce=200, step=50, rust_timeout=100, yield_on_timeout=True
    )
    handler = partial(
        LiveReloadHandler,
        site_dir=out_dir,
        status=status,
        reporter=reporter,
        host_names=allowed_host_names(options.bind),
    )
    # Listen before the first build: a busy port is reported at once, not after a build.
    try:
        server = PreviewServer((options.bind, options.port), handler)
    except OSError as error:
        reporter.error(listen_problem(options, error))
        return 2
    next(saves)  # anything changed so far is in the first build
    rebuild(build_options, status, reporter)
    thread = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    thread.start()
    host, actual_port = server.server_address[:2]
    reporter.result(f"Serving {out_dir}/ at http://{host!s}:{actual_port}/ (Ctrl-C to stop)")
    try:
        for changes in saves:
            if not changes:
                continue
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
