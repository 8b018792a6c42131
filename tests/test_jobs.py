"""`build --jobs N`: render in N processes, and the site comes out byte for byte the same."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from builder.build import BuildOptions, build_site
from builder.check.links import check_links
from builder.render.site import IN_PROCESS_PAGES
from tests.test_build import tree

REPO = Path(__file__).resolve().parent.parent


def bench_module(name: str) -> ModuleType:
    """A module of bench/ (a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def assert_same_tree(first: Path, second: Path) -> None:
    one, other = tree(first), tree(second)
    assert sorted(one) == sorted(other)
    assert [name for name in one if one[name] != other[name]] == []
    assert sum(name.endswith(".html") for name in one) > 10


def test_two_jobs_build_the_shipped_archive_byte_for_byte_as_one(
    built_site: Path, project_root: Path, tmp_path: Path
) -> None:
    two = build_site(BuildOptions(project_root, tmp_path / "_site", jobs=2))
    assert_same_tree(built_site, two.out_dir)


def test_two_jobs_build_a_generated_corpus_byte_for_byte_as_one(tmp_path: Path) -> None:
    corpus = bench_module("make_corpus")
    project = corpus.write_project(corpus.make_corpus(60), tmp_path / "corpus")
    one = build_site(BuildOptions(project, tmp_path / "one", jobs=1))
    two = build_site(BuildOptions(project, tmp_path / "two", jobs=2))
    # Enough pages that two processes render them (fewer are rendered in the build's own).
    assert two.pages > IN_PROCESS_PAGES
    assert_same_tree(one.out_dir, two.out_dir)
    check_links(one.out_dir)  # every href and src read back, beyond those render logs
