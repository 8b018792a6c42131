"""`serve`: build, serve the output on 127.0.0.1, rebuild on every change, reload the browser.

Input: `ServeOptions`: the project and output folders, the address and port (0: any free
one), and whether drafts are shown (by default they are).
Output: a local web server until Ctrl-C. HTML responses (and only responses: the built files
are never touched) get one script tag that polls `/__build-status`: a new good build (or
preview) reloads the page; a failed build shows its errors in a fixed panel over the last
good site, which stays served (a failed build never touches the output folder). Absolute
links to the site's `base_url` (the 404 page's, the canonical URL) are rewritten to this
server, so that every page is styled and every link stays local.

Resident: the model of the last good build stays in memory (`builder.serve.live`). A save that
only edits fact sheets is previewed at once: the sheets are re-read, re-checked and their
pages re-rendered into memory, served before the output folder (well within half a second
at 10,000 articles). Every save also asks for a full build in the background, which brings
every other page, the search index and the downloads up to date; while it runs, the page
says so. Once it is written, the previews are dropped: what is served is the built site.

Threads: the HTTP server answers in its own threads; the main thread watches content/, seeds/
and templates/ with watchfiles and previews; one `Rebuilder` thread builds. `BuildStatus`,
`LivePages` and the resident model are the shared state.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import watchfiles

from builder.build import BuildOptions, BuildReport, build_site
from builder.cli_output import Reporter, archive_counts
from builder.errors import ContentError, ContentErrors
from builder.index import page_url
from builder.load.inputs import relative_path
from builder.serve.live import Resident, article_edits, preview_articles, resident_model

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
  var notice = null;
  function showRefreshing(refreshing) {
    if (!refreshing) {
      if (notice) { notice.remove(); notice = null; }
      return;
    }
    if (!notice) {
      notice = document.createElement("p");
      notice.setAttribute("role", "status");
      notice.style.cssText = "position:fixed;right:1em;bottom:1em;margin:0;padding:.4em .8em;" +
        "background:#fffbe6;color:#333;border:1px solid #c90;border-radius:4px;" +
        "font:13px/1.4 sans-serif;z-index:2147483646";
      notice.textContent = "Your edit is shown; other pages, search and downloads " +
        "are being refreshed\\u2026";
      document.body.appendChild(notice);
    }
  }
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
        if (seen === null) { seen = status.version; }
        else if (status.version !== seen) { location.reload(); return; }
        show(status.ok ? [] : status.errors);
        showRefreshing(status.ok && status.refreshing);
      })
      .catch(function () { /* the server is restarting: try again */ })
      .then(function () { setTimeout(poll, 400); });
  }
  poll();
})();
""".replace("__STATUS__", STATUS_PATH)


@dataclass
class BuildStatus:
    """What the page's script polls. `build` counts good builds; `version` counts them and
    previews: a new value means reload. `refreshing`: a build is under way or wanted."""

    build: int = 0
    version: int = 0
    ok: bool = True
    errors: list[str] = field(default_factory=list)
    error_files: frozenset[str] = frozenset()  # where the errors are ("": not in a file)
    refreshing: bool = False
    base_url: str = ""  # the last good build's, rewritten to this server in every page
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, ok: bool, base_url: str | None = None, failure: Failure | None = None) -> None:
        with self.lock:
            self.build += 1 if ok else 0
            self.version += 1 if ok else 0
            self.ok = ok
            self.errors = [] if failure is None else failure.lines
            self.error_files = frozenset() if failure is None else failure.files
            self.base_url = self.base_url if base_url is None else base_url

    def count_build(self, base_url: str) -> None:
        """A good build whose content a newer save has already replaced: its pages are
        served (reload), but what it says of errors is left to the next build."""
        with self.lock:
            self.build += 1
            self.version += 1
            self.base_url = base_url

    def previewed(self, files: frozenset[str]) -> None:
        """A preview of `files` is served; if they held every error, they are fixed."""
        with self.lock:
            self.version += 1
            if not self.ok and self.error_files <= files:
                self.ok, self.errors, self.error_files = True, [], frozenset()

    def set_refreshing(self, refreshing: bool) -> None:
        with self.lock:
            self.refreshing = refreshing

    def as_json(self) -> bytes:
        with self.lock:
            return json.dumps(
                {
                    "build": self.build,
                    "version": self.version,
                    "ok": self.ok,
                    "errors": self.errors,
                    "refreshing": self.refreshing,
                }
            ).encode()


@dataclass(frozen=True)
class Failure:
    """What the panel shows of a failed build or preview."""

    lines: list[str]
    files: frozenset[str]  # the files the problems are in; "" for a builder bug

    @classmethod
    def of(cls, problems: Sequence[ContentError]) -> Failure:
        return cls([str(p) for p in problems], frozenset(p.path for p in problems))


def attempt_build(options: BuildOptions, reporter: Reporter) -> BuildReport | Failure:
    """One build, or the errors to show for it; content errors and builder bugs are
    reported, never raised."""
    try:
        return build_site(options)
    except ContentErrors as problems:
        reporter.content_errors(problems.errors)
        return Failure.of(problems.errors)
    except Exception:  # a builder bug: keep serving the last good site, show the traceback
        text = traceback.format_exc()
        reporter.error(text)
        return Failure([f"the builder crashed (a bug, not your content):\n{text}"], frozenset({""}))


def report_build(report: BuildReport, build: int, reporter: Reporter) -> None:
    reporter.result(
        f"Built {archive_counts(report.archive)} in {report.seconds:.1f} s (build {build})"
    )


class LivePages:
    """Previewed pages by output path, served before the output folder; each page keeps the
    number of the save it shows, so a build drops only what it has caught up with."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pages: dict[str, tuple[int, bytes]] = {}

    def put(self, pages: dict[str, bytes], save: int) -> None:
        with self.lock:
            self.pages = {**self.pages, **{path: (save, html) for path, html in pages.items()}}

    def drop_through(self, save: int) -> None:
        """Forget the previews of saves up to `save`: the output folder now shows them."""
        with self.lock:
            self.pages = {path: page for path, page in self.pages.items() if page[0] > save}

    def answer(self, segments: tuple[str, ...], wants_folder: bool) -> Answer | None:
        """The preview at `segments` (a redirect for a folder's URL without its slash), or
        None when the output folder answers."""
        pages = self.pages  # one version: `put` and `drop_through` replace the dict
        if not pages:
            return None
        path = "/".join(segments)
        index = f"{path}/index.html" if path else "index.html"
        if wants_folder or not path:
            found = pages.get(index)
            return None if found is None else Answer(HTTPStatus.OK, Path(index), found[1])
        if path in pages:
            return Answer(HTTPStatus.OK, Path(path), pages[path][1])
        return Answer(HTTPStatus.MOVED_PERMANENTLY) if index in pages else None


class Rebuilder:
    """The background builder: builds whenever a save asks, one build at a time; saves
    during a build make one more build after it. After a good build it drops the previews
    the build caught up with and hands the new resident model to the main thread."""

    def __init__(
        self,
        options: BuildOptions,
        status: BuildStatus,
        pages: LivePages,
        reporter: Reporter,
        resident: Resident | None,
    ) -> None:
        self.options = options
        self.status = status
        self.pages = pages
        self.reporter = reporter
        self.resident = resident  # None until a good build (and after a crash deriving)
        self.wanted = 0  # the last save that asked for a build
        self.done = 0  # the last save a finished build covered
        self.settle_until = 0.0  # time.monotonic() before which a build does not start
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self.run, name="rebuild", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def request(self, save: int, previewed: bool = False) -> None:
        """Build for `save`; after a preview, only once PREVIEW_SETTLE_SECONDS have passed."""
        with self.changed:
            self.wanted = save
            if previewed:
                self.settle_until = time.monotonic() + PREVIEW_SETTLE_SECONDS
            self.status.set_refreshing(True)
            self.changed.notify()

    def run(self) -> None:
        while True:
            with self.changed:
                while self.wanted == self.done:
                    self.changed.wait()
                while (left := self.settle_until - time.monotonic()) > 0:
                    self.changed.wait(left)
                save = self.wanted
            self.build(save)
            with self.changed:
                self.done = save
                if self.wanted == save:
                    self.status.set_refreshing(False)

    def build(self, save: int) -> None:
        """One build covering every save up to `save`."""
        outcome = attempt_build(self.options, self.reporter)
        superseded = self.wanted != save
        if isinstance(outcome, Failure):
            if not superseded:
                self.status.record(False, failure=outcome)
            return
        self.pages.drop_through(save)
        base_url = outcome.archive.site.base_url
        report_build(outcome, self.status.build + 1, self.reporter)
        if superseded:
            self.status.count_build(base_url)
        else:
            self.status.record(True, base_url)
        self.resident = adopt(self.options.project_dir, outcome, self.reporter)


def adopt(project_dir: Path, report: BuildReport, reporter: Reporter) -> Resident | None:
    """The resident model of a good build; None (no previews, only builds) if making it
    fails, which is a bug, reported."""
    try:
        return resident_model(project_dir, report.derived)
    except Exception:
        reporter.error(traceback.format_exc())
        return None


def preview(
    resident: Resident | None,
    changes: set[Path],
    save: int,
    status: BuildStatus,
    pages: LivePages,
    reporter: Reporter,
) -> Resident | None:
    """Show a save that only edits fact sheets at once: their pages served from memory, or
    their problems in the panel. Returns the model with the edits in it (None: unchanged)."""
    if resident is None:
        return None
    edits = article_edits(changes, resident.project_dir, resident.archive)
    if edits is None:
        return None
    started = time.perf_counter()
    try:
        shown = preview_articles(resident, edits)
    except Exception:  # a bug in the preview: the full build still runs and shows the edit
        reporter.error(traceback.format_exc())
        return None
    if shown is None:
        return None
    if shown.errors:
        reporter.content_errors(shown.errors)
        status.record(False, failure=Failure.of(shown.errors))
        return None
    pages.put(shown.pages, save)
    status.previewed(frozenset(relative_path(resident.project_dir, path) for path in edits))
    urls = ", ".join(page_url(path) for path in shown.pages)
    reporter.result(
        f"Previewed {urls} in {time.perf_counter() - started:.2f} s; "
        "refreshing the rest of the site"
    )
    return shown.resident


# Names a browser may use for this server; anything else in Host is a DNS-rebinding attempt
# (a web page whose own domain now resolves to 127.0.0.1) and gets 403.
LOCAL_HOST_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
# Escaped in log lines, as the standard library does: a URL may carry terminal escapes.
CONTROL_CHARACTERS = {code: rf"\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}
# A rebuild deletes the version it replaced; a request that missed a file there asks again.
ATTEMPTS = 3
# After a preview the background build waits this long before it starts. The build runs in a
# thread, and some of its steps hold the interpreter for a good part of a second at 10,000
# articles (unpickling the cache record, a full pass of the collector over the model): the
# browser's reload of the previewed page must not queue behind them. Saves made meanwhile
# join the same build.
PREVIEW_SETTLE_SECONDS = 1.0


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
    live_pages: LivePages
    host_names: frozenset[str] | None  # None: any Host (serving to other machines)

    def __init__(
        self,
        *args: Any,
        site_dir: Path,
        status: BuildStatus,
        reporter: Reporter,
        live_pages: LivePages | None = None,
        host_names: frozenset[str] | None = LOCAL_HOST_NAMES,
        **kwargs: Any,
    ) -> None:
        self.site_dir = site_dir
        self.host_names = host_names
        self.status = status
        self.reporter = reporter
        self.live_pages = live_pages or LivePages()
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
        wants_folder = path.endswith("/")
        answer = self.live_pages.answer(segments, wants_folder) or self.site_answer(
            segments, wants_folder
        )
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
    live_pages = LivePages()
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
        live_pages=live_pages,
        host_names=allowed_host_names(options.bind),
    )
    # Listen before the first build: a busy port is reported at once, not after a build.
    try:
        server = PreviewServer((options.bind, options.port), handler)
    except OSError as error:
        reporter.error(listen_problem(options, error))
        return 2
    next(saves)  # anything changed so far is in the first build
    rebuilder = Rebuilder(build_options, status, live_pages, reporter, None)
    first = attempt_build(build_options, reporter)
    if isinstance(first, Failure):
        status.record(False, failure=first)
    else:
        report_build(first, 1, reporter)
        status.record(True, first.archive.site.base_url)
        # Before serving: the first save is previewed too.
        rebuilder.resident = adopt(project_dir, first, reporter)
    del first  # the resident model holds what is needed of it
    rebuilder.start()
    thread = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    thread.start()
    host, actual_port = server.server_address[:2]
    reporter.result(f"Serving {out_dir}/ at http://{host!s}:{actual_port}/ (Ctrl-C to stop)")
    try:
        for save, changes in enumerate(filter(None, saves), start=1):
            changed = {Path(path) for _, path in changes}
            names = sorted({path.name for path in changed})
            reporter.info(f"Changed: {', '.join(names[:5])}{' ...' if len(names) > 5 else ''}")
            resident = preview(rebuilder.resident, changed, save, status, live_pages, reporter)
            if resident is not None:
                rebuilder.resident = resident
            rebuilder.request(save, previewed=resident is not None)
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
