"""`init`: a new archive that passes `check` and builds at once, with the packaged default
theme alone and with one template overridden; and the wheel really ships that theme.

The sites built here are also checked by the project's own gates: the link check (part of
every build), the Nu Html Checker and axe-core in Chromium.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder.check.links import check_links
from tests.browser import (
    AXE_SCRIPT,
    VNU_JAR,
    java_available,
    launch_chromium,
    require_tool,
    serve_folder,
    watch_errors,
)
from tests.htmlparse import parse_html

PROJECT_ROOT = Path(__file__).resolve().parent.parent
OVERRIDE_HEADING = "How this archive is made"


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "builder", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env=env,
    )


def init_and_build(parent: Path, name: str, override: bool) -> Path:
    """`init NAME`, optionally one template and one static file of its own, then `build`."""
    result = run_cli("init", name, "--title", "Riverton test archive", cwd=parent)
    assert result.returncode == 0, result.stderr
    project = parent / name
    if override:
        about = (PROJECT_ROOT / "templates" / "about.html").read_text(encoding="utf-8")
        assert "<h1>About the method</h1>" in about
        (project / "templates" / "static").mkdir(parents=True)
        (project / "templates" / "about.html").write_text(
            about.replace("<h1>About the method</h1>", f"<h1>{OVERRIDE_HEADING}</h1>"), "utf-8"
        )
        (project / "templates" / "static" / "extra.txt").write_text("mine\n", "utf-8")
    check = run_cli("check", cwd=project)
    assert check.returncode == 0, check.stderr
    build = run_cli("build", cwd=project)
    assert build.returncode == 0, build.stderr
    assert "Traceback" not in build.stderr
    return project / "_site"


@pytest.fixture(scope="module")
def init_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two new archives, built: the packaged theme alone, and one template overridden."""
    parent = tmp_path_factory.mktemp("init")
    return {
        "packaged": init_and_build(parent, "plain", override=False),
        "override": init_and_build(parent, "custom", override=True),
    }


def test_init_writes_a_minimal_archive_with_a_marked_example(tmp_path: Path) -> None:
    result = run_cli("init", "new-archive", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "Wrote a new archive in new-archive/ (8 files)"
    project = tmp_path / "new-archive"
    files = sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file())
    assert files == [
        ".gitignore",
        "README.md",
        "content/actors/ana-ruiz.yaml",
        "content/actors/riverton-council.yaml",
        "content/articles/2025-03-05-example-riverton-bridge.md",
        "content/metrics.yaml",
        "content/site.yaml",
        "seeds/example-riverton-bridge.txt",
    ]
    assert 'title: "New archive"' in (project / "content/site.yaml").read_text("utf-8")
    metrics = (project / "content/metrics.yaml").read_text("utf-8")
    assert all(line.startswith("#") for line in metrics.splitlines()), "no metric is defined"
    for example in (
        "content/articles/2025-03-05-example-riverton-bridge.md",
        "seeds/example-riverton-bridge.txt",
        "content/actors/ana-ruiz.yaml",
        "content/actors/riverton-council.yaml",
    ):
        text = (project / example).read_text("utf-8")
        assert "EXAMPLE" in text and "elete" in text, f"{example} does not say it is an example"
    assert not (project / "templates").exists(), "the packaged theme is used until overridden"


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("keep me", "utf-8")
    result = run_cli("init", "busy", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "error: busy: the folder is not empty; init writes only into a new or empty folder\n"
    )
    assert [p.name for p in (tmp_path / "busy").iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("kind", ["packaged", "override"])
def test_init_site_has_every_page_and_no_broken_link(
    init_sites: dict[str, Path], kind: str
) -> None:
    site = init_sites[kind]
    for page in ("index.html", "articles/2025-03-05-example-riverton-bridge/index.html",
                 "timeline/index.html", "actors/ana-ruiz/index.html", "about/index.html",
                 "figures/index.html", "search/index.html", "404.html"):  # fmt: skip
        assert (site / page).is_file(), page
    check_links(site)  # raises on a broken link or anchor
    assert (site / "static" / "site.css").read_bytes() == (
        PROJECT_ROOT / "templates" / "static" / "site.css"
    ).read_bytes()


def test_a_project_template_overrides_the_packaged_one_file_by_file(
    init_sites: dict[str, Path],
) -> None:
    def heading(site: Path, page: str) -> str:
        return parse_html((site / page).read_text("utf-8")).find("h1").text()

    assert heading(init_sites["packaged"], "about/index.html") == "About the method"
    assert heading(init_sites["override"], "about/index.html") == OVERRIDE_HEADING
    # Every other page still comes from the packaged theme, byte for byte.
    for page in ("index.html", "timeline/index.html", "static/site.css"):
        assert (init_sites["override"] / page).read_bytes() == (
            init_sites["packaged"] / page
        ).read_bytes(), page
    assert (init_sites["override"] / "static" / "extra.txt").read_text("utf-8") == "mine\n"
    assert not (init_sites["packaged"] / "static" / "extra.txt").exists()


def test_the_about_page_takes_its_example_from_the_content(
    init_sites: dict[str, Path], built_site: Path
) -> None:
    """No archive's wording in the generator: the example of scopes never compared comes
    from the metrics (none in a new archive)."""

    def method(site: Path) -> str:
        return (site / "about" / "index.html").read_text("utf-8")

    assert "Metrics over different scopes are shown side by side" in method(init_sites["packaged"])
    assert "(east Aleppo against the whole city, say)" in method(built_site)
    assert "aleppo" not in method(init_sites["packaged"]).lower()


def test_the_wheel_ships_the_theme_and_builds_an_archive_without_the_checkout(
    tmp_path: Path,
) -> None:
    """`pip wheel`, then init and build with only the wheel's files on the path."""
    wheels = tmp_path / "wheels"
    made = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(PROJECT_ROOT), "--no-deps", "-q",
         "-w", str(wheels)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    (wheel,) = wheels.glob("factsheet_archive-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "installed")
    source = PROJECT_ROOT / "templates"
    theme_files = {
        f"builder/default_theme/{p.relative_to(source).as_posix()}"
        for p in source.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert theme_files <= names, sorted(theme_files - names)
    assert any(n.endswith("entry_points.txt") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    with zipfile.ZipFile(wheel) as archive:
        assert "factsheets = builder.__main__:main" in archive.read(entry_points).decode()
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "installed")}
    work = tmp_path / "elsewhere"
    work.mkdir()
    assert run_cli("init", "site", cwd=work, env=env).returncode == 0
    located = subprocess.run(
        [sys.executable, "-c", "import builder.render.theme as t; print(t.packaged_theme_dir())"],
        cwd=work, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert located.stdout.strip() == str(tmp_path / "installed" / "builder" / "default_theme")
    build = run_cli("build", cwd=work / "site", env=env)
    assert build.returncode == 0, build.stderr
    assert (work / "site" / "_site" / "about" / "index.html").is_file()


# ---- the project's own gates on the new archive -------------------------------------------


@pytest.mark.vnu
@pytest.mark.parametrize("kind", ["packaged", "override"])
def test_init_site_is_valid_html(init_sites: dict[str, Path], kind: str) -> None:
    from tests.test_html_valid import describe_message, run_vnu

    require_tool(java_available(), "java (apt-get install default-jre-headless)")
    require_tool(VNU_JAR.is_file(), f"the Nu Html Checker at {VNU_JAR} (npm ci --ignore-scripts)")
    site = init_sites[kind]
    pages = sorted(site.rglob("*.html"))
    errors = [m for m in run_vnu(pages) if m.get("type") in {"error", "non-document-error"}]
    assert not errors, "\n".join(describe_message(m, site) for m in errors)


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    with launch_chromium() as browser:
        yield browser


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["packaged", "override"])
def test_init_site_passes_axe_without_console_errors(
    init_sites: dict[str, Path], chromium: object, kind: str
) -> None:
    from tests.test_browser import AXE_RUN, AXE_TAGS, BLOCKING_IMPACTS, format_violations

    require_tool(AXE_SCRIPT.is_file(), f"axe-core at {AXE_SCRIPT} (npm ci --ignore-scripts)")
    site = init_sites[kind]
    pages = sorted(
        "" if p == site / "index.html" else p.parent.relative_to(site).as_posix() + "/"
        for p in site.rglob("index.html")
        if "pagefind" not in p.parts
    )
    assert len(pages) >= 10
    context = chromium.new_context()  # type: ignore[attr-defined]
    problems = []
    with serve_folder(site) as url:
        for path in pages:
            page = context.new_page()
            errors = watch_errors(page)
            page.goto(url + path, wait_until="load")
            page.wait_for_load_state("networkidle")
            page.add_script_tag(path=str(AXE_SCRIPT))
            blocking = [
                v for v in page.evaluate(AXE_RUN, AXE_TAGS) if v["impact"] in BLOCKING_IMPACTS
            ]
            if blocking:
                problems.append(f"{path or '/'}:\n{format_violations(blocking)}")
            problems.extend(f"{path or '/'}: {error}" for error in errors)
            page.close()
    context.close()
    assert not problems, "\n".join(problems)
