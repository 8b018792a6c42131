"""The command line's rough edges, each run as a user runs it (a real child process):
--version, global flags on either side of the command, did-you-mean for a command, serve's
busy port, --port 0, --bind and local links on its 404 page, and template mistakes reported
at the template's line. Each asserts the exact message and the exit code."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder.__main__ import package_version
from tests.htmlparse import parse_html

PROG = "python -m builder"


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "builder", *args],
        cwd=cwd, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new archive from `init` (the packaged theme only)."""
    parent = tmp_path_factory.mktemp("cli")
    assert run_cli("init", "archive", cwd=parent).returncode == 0
    return parent / "archive"


def test_version(tmp_path: Path) -> None:
    result = run_cli("--version", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        f"{PROG} {package_version()}\n",
        "",
    )
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", package_version())


@pytest.mark.parametrize(
    "args",
    [
        ["-q", "--project", "{p}", "check"],
        ["--project", "{p}", "check", "-q"],
        ["check", "-q", "--project", "{p}"],
        ["-q", "check", "--project", "{p}"],
    ],
)
def test_global_flags_work_before_or_after_the_command(
    project: Path, tmp_path: Path, args: list[str]
) -> None:
    result = run_cli(*(a.replace("{p}", str(project)) for a in args), cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    loud = run_cli("-v", "check", "--project", str(project), cwd=tmp_path)
    assert loud.stdout.startswith("OK: 1 article")


def test_quiet_before_and_verbose_after_is_misuse(project: Path) -> None:
    result = run_cli("-q", "check", "-v", cwd=project)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"{PROG}: error: argument -v/--verbose: not allowed with argument -q/--quiet"
    )


@pytest.mark.parametrize(
    ("typed", "hint"),
    [("biuld", "did you mean 'build'?"), ("serv", "did you mean 'serve'?"),
     ("publish", "known: build, check, draft, init, serve")],
)  # fmt: skip
def test_a_mistyped_command_gets_a_did_you_mean(tmp_path: Path, typed: str, hint: str) -> None:
    result = run_cli(typed, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == f"{PROG}: error: unknown command '{typed}' ({hint})"


def test_a_busy_port_is_one_line_and_exit_2(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port), cwd=project)
    assert result.returncode == 2
    assert result.stderr == (
        f"error: port {port} is already in use (127.0.0.1:{port}); "
        "stop the other server, or use --port 0 for a free port\n"
    )
    assert not (project / "_site").exists(), "nothing is built when the server cannot start"


def test_an_address_that_is_not_this_machines_is_one_line_and_exit_2(project: Path) -> None:
    result = run_cli("serve", "--bind", "203.0.113.7", "--port", "0", cwd=project)
    assert result.returncode == 2
    assert re.fullmatch(
        r"error: cannot listen on 203\.0\.113\.7:0: .+ \(check --bind and --port\)\n",
        result.stderr,
    ), result.stderr


DRAFT_SLUG = "2025-03-05-example-draft"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`serve --bind 127.0.0.1 --port 0` on a new archive with one draft: the URL it says
    it listens at."""
    parent = tmp_path_factory.mktemp("serve")
    assert run_cli("init", "archive", cwd=parent).returncode == 0
    project = parent / "archive"
    articles = project / "content" / "articles"
    example = (articles / "2025-03-05-example-riverton-bridge.md").read_text("utf-8")
    (articles / f"{DRAFT_SLUG}.md").write_text(
        example.replace("seed: example", "seed: draft")
        .replace("status: published", "status: draft")
        .replace("riverton-bridge-vote", "riverton-vote-draft"),
        "utf-8",
    )
    seed = project / "seeds" / "example-riverton-bridge.txt"
    (project / "seeds" / "draft-riverton-bridge.txt").write_bytes(seed.read_bytes())
    process = subprocess.Popen(
        [sys.executable, "-m", "builder", "serve", "--bind", "127.0.0.1", "--port", "0",
         "--out", str(project.parent / "preview")],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    url = None
    for line in process.stdout:
        found = re.search(r"at (http://127\.0\.0\.1:(\d+))/ \(Ctrl-C to stop\)", line)
        if found:
            assert found.group(2) != "0", "port 0 means: a free port, chosen by the system"
            url = found.group(1)
            break
    assert url is not None
    yield url
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def test_serve_rewrites_base_url_links_so_the_404_page_is_styled(served: str) -> None:
    status, html = fetch(served + "/no/such/page/")
    assert status == 404
    assert "https://example.org/" not in html, "base_url links point at this server"
    stylesheets = [
        link.get("href")
        for link in parse_html(html).find_all("link")
        if link.get("rel") == "stylesheet"
    ]
    assert stylesheets == ["/static/site.css"]
    css_status, css = fetch(served + "/static/site.css")
    assert css_status == 200 and ":root" in css
    home_status, home = fetch(served + "/")
    assert home_status == 200 and "https://example.org/" not in home
    canonical = [
        link.get("href")
        for link in parse_html(home).find_all("link")
        if link.get("rel") == "canonical"
    ]
    assert canonical == ["/"]


def test_serve_shows_drafts_with_their_banner(served: str) -> None:
    status, html = fetch(f"{served}/articles/{DRAFT_SLUG}/")
    assert status == 200
    banner = parse_html(html).find(class_="draft-banner")
    assert banner is not None and banner.text().startswith("Draft:")


TEMPLATE_MISTAKES = {
    "syntax": (
        '{% extends "base.html" %}\n{% block main %}\n{% if page %}\n<h1>x</h1>\n{% endblock %}\n',
        "templates/about.html:5: template error: Encountered unknown tag 'endblock'.",
    ),
    "undefined": (
        '{% extends "base.html" %}\n{% block main %}\n<h1>About</h1>\n{{ page.no_such }}\n'
        "{% endblock %}\n",
        "templates/about.html:4: template error: "
        "'builder.render.pages.InfoContext object' has no attribute 'no_such'",
    ),
    "missing include": (
        '{% extends "base.html" %}\n{% block main %}\n{% include "_partials/none.html" %}\n'
        "{% endblock %}\n",
        "templates/about.html:3: template error: no template named '_partials/none.html' "
        "in templates or builder/default_theme",
    ),
}


@pytest.mark.parametrize("mistake", sorted(TEMPLATE_MISTAKES))
def test_a_template_mistake_is_reported_at_its_line(tmp_path: Path, mistake: str) -> None:
    assert run_cli("init", "archive", cwd=tmp_path).returncode == 0
    project = tmp_path / "archive"
    (project / "templates").mkdir()
    text, expected = TEMPLATE_MISTAKES[mistake]
    (project / "templates" / "about.html").write_text(text, "utf-8")
    result = run_cli("build", cwd=project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    first, last = result.stderr.splitlines()[0], result.stderr.splitlines()[-1]
    assert first.startswith(expected), first
    assert last == "1 content problem; nothing was written"
    assert not (project / "_site").exists()


def test_a_broken_link_made_by_a_template_names_the_output_page_not_a_temporary_folder(
    tmp_path: Path,
) -> None:
    assert run_cli("init", "archive", cwd=tmp_path).returncode == 0
    project = tmp_path / "archive"
    (project / "templates").mkdir()
    (project / "templates" / "about.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n<h1>About</h1>\n'
        "<p><a href=\"{{ 'nowhere/' | rel }}\">x</a></p>\n{% endblock %}\n",
        "utf-8",
    )
    result = run_cli("build", cwd=project)
    assert result.returncode == 1
    first = result.stderr.splitlines()[0]
    assert re.fullmatch(
        r"_site/about/index\.html:\d+: broken link '\.\./nowhere/': no file "
        r"nowhere/index\.html \(fix the template or content that produced it\)",
        first,
    ), first
    assert not (project / "_site").exists()
    hidden = sorted(p.name for p in project.iterdir() if p.name.startswith("."))
    # No staging folder left (the build cache is no debris).
    assert set(hidden) <= {"._site.lock", ".gitignore", ".factsheets-cache"}
