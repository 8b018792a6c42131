"""Shared fixtures: the project root, and the real content built once per test session.

Page tests parse `built_site` (the shipped content, built like a user builds it). Edge cases
write small content trees of their own with `make_project` (see tests/fixtures.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.build import BuildOptions, BuildReport, build_site

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
