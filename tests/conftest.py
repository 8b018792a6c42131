"""Shared fixtures: the project root, and the real content built once per test session.

Page tests parse `built_site` (the shipped content, built like a user builds it). Edge cases
write small content trees of their own with `make_project` (see tests/fixtures.py).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from builder.build import BuildOptions, BuildReport, build_site
from tests.fixtures import make_project

if TYPE_CHECKING:
    from playwright.sync_api import Browser

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def build_report(tmp_path_factory: pytest.TempPathFactory) -> BuildReport:
    out_dir = tmp_path_factory.mktemp("real") / "_site"
    return build_site(BuildOptions(project_dir=PROJECT_ROOT, out_dir=out_dir))


@pytest.fixture(scope="session")
def built_site(build_report: BuildReport) -> Path:
    """The output folder of the real content: read it, never write to it."""
    return build_report.out_dir


@pytest.fixture(scope="module")
def site_url(built_site: Path) -> Iterator[str]:
    """The shipped site served on 127.0.0.1, for the browser tests."""
    from tests.browser import serve_folder  # playwright only where a browser test runs

    with serve_folder(built_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium, one per test module."""
    from tests.browser import launch_chromium

    with launch_chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def good_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small project with a successful build in its _site/, copied by each test."""
    root = make_project(tmp_path_factory.mktemp("good") / "project")
    result = subprocess.run(
        [sys.executable, "-m", "builder", "build", "--project", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def project(good_project: Path, tmp_path: Path) -> Path:
    """A copy of `good_project`, its built site included, for a test to break."""
    copy = tmp_path / "project"
    shutil.copytree(good_project, copy, symlinks=True)
    return copy
