"""The incremental build (builder/write/cache.py): after any sequence of edits, a build that
reuses the last one's cache writes byte for byte what a clean build writes; unchanged files
are linked, not written; Pagefind runs only when a searchable page changed; a build with
nothing changed says so; a damaged cache is ignored."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.build import BuildOptions, build_site
from builder.write.cache import CACHE_DIR, cache_file
from builder.write.version import BUILD_MARKER
from tests.test_build import tree
from tests.test_jobs import bench_module

ARTICLES = 10


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    make_corpus = bench_module("make_corpus")
    return Path(make_corpus.write_project(make_corpus.make_corpus(ARTICLES), tmp_path / "corpus"))


def article_files(project: Path) -> list[Path]:
    return sorted((project / "content" / "articles").glob("*.md"))


def edit_summary(project: Path, rng: random.Random) -> str:
    article = rng.choice(article_files(project))
    with article.open("a", encoding="utf-8") as stream:
        stream.write(f"\nOne more sentence, number {rng.randrange(1000)}.\n")
    return f"summary of {article.name}"


def edit_figure(project: Path, rng: random.Random) -> str:
    """A figure's value in the YAML, and the seed sentence it quotes, changed together."""
    article = rng.choice(article_files(project))
    text = article.read_text("utf-8")
    found = re.search(r"  value: (\d+)\n(?:  \w+: .*\n)*?  quote: (.*)\n", text)
    assert found, article
    value, quote = int(found.group(1)), found.group(2)
    assert f"{value:,}" in quote, quote
    new_quote = quote.replace(f"{value:,}", f"{value + 1:,}", 1)
    new_block = found.group(0).replace(f"value: {value}\n", f"value: {value + 1}\n", 1)
    article.write_text(text.replace(found.group(0), new_block.replace(quote, new_quote)), "utf-8")
    seed_name = re.search(r"^seed: (.*)$", text, re.M)
    assert seed_name
    seed = project / "seeds" / seed_name.group(1)
    seed_text = seed.read_text("utf-8")
    assert quote in seed_text
    seed.write_text(seed_text.replace(quote, new_quote, 1), "utf-8")
    return f"figure in {article.name}"


def add_article(project: Path, rng: random.Random) -> str:
    source = rng.choice(article_files(project))
    number = rng.randrange(10_000, 99_999)
    text = source.read_text("utf-8")
    seed_name = re.search(r"^seed: (.*)$", text, re.M)
    assert seed_name
    new_seed = f"{number}_copy.txt"
    (project / "seeds" / new_seed).write_bytes(
        (project / "seeds" / seed_name.group(1)).read_bytes()
    )
    text = text.replace(f"seed: {seed_name.group(1)}", f"seed: {new_seed}")
    text = re.sub(r"^title: '?(.*?)'?$", rf"title: 'Copy {number}: \1'", text, count=1, flags=re.M)
    target = source.with_name(f"{source.stem}-copy-{number}.md")
    target.write_text(text, "utf-8")
    return f"new article {target.name}"


def delete_article(project: Path, rng: random.Random) -> str:
    article = rng.choice(article_files(project))
    article.unlink()
    return f"deleted {article.name}"


def add_alias(project: Path, rng: random.Random) -> str:
    """An alias that the seeds use ("Residents of ..."), so that mentions change."""
    actor = rng.choice(sorted((project / "content" / "actors").glob("*.yaml")))
    text = actor.read_text("utf-8")
    if "aliases:" not in text:
        actor.write_text(text + "aliases:\n- Residents\n", "utf-8")
    return f"alias of {actor.name}"


def edit_template(project: Path, rng: random.Random) -> str:
    name = rng.choice(["base.html", "sources.html", "_partials/claim.html"])
    template = project / "templates" / name
    with template.open("a", encoding="utf-8") as stream:
        stream.write(f"\n{{# edited {rng.randrange(1000)} #}}<!-- edit -->\n")
    return f"template {name}"


EDITS: tuple[Callable[[Path, random.Random], str], ...] = (
    edit_summary,
    edit_figure,
    add_article,
    delete_article,
    add_alias,
    edit_template,
)


def build(project: Path, out: str, *, cache: bool = True) -> dict[str, bytes]:
    report = build_site(BuildOptions(project, project / out, cache=cache))
    return tree(report.out_dir)


def test_an_incremental_build_after_any_edits_equals_a_clean_build(corpus: Path) -> None:
    rng = random.Random(20161204)
    build(corpus, "_site")
    # Every kind of edit once, in a random order, and some more at random.
    edits = [*rng.sample(EDITS, len(EDITS)), *rng.choices(EDITS, k=2)]
    for edit in edits:
        what = edit(corpus, rng)
        incremental = build(corpus, "_site")
        clean = build(corpus, "clean", cache=False)
        assert sorted(incremental) == sorted(clean), what
        assert [name for name in clean if incremental[name] != clean[name]] == [], what


def inodes(folder: Path) -> dict[str, int]:
    root = folder.resolve()
    return {
        path.relative_to(root).as_posix(): path.stat().st_ino
        for path in root.rglob("*")
        if path.is_file()
    }


def test_only_changed_files_are_written_and_search_reruns_only_for_searchable_pages(
    corpus: Path,
) -> None:
    build(corpus, "_site")
    before = inodes(corpus / "_site")
    article = article_files(corpus)[0]
    sources = corpus / "templates" / "sources.html"
    listing = sources.read_text("utf-8").replace(
        "{% block main %}\n", "{% block main %}\n<!---->", 1
    )
    sources.write_text(listing, "utf-8")
    build(corpus, "_site")
    after = inodes(corpus / "_site")
    changed = sorted(n for n in after if after[n] != before.get(n) and n != BUILD_MARKER)
    assert changed and all(name.startswith("sources/") for name in changed), changed
    assert any(name.startswith("pagefind/") for name in after)

    with article.open("a", encoding="utf-8") as stream:
        stream.write("\nA sentence for the search index.\n")
    build(corpus, "_site")
    edited = inodes(corpus / "_site")
    changed = sorted(n for n in edited if edited[n] != after.get(n))
    assert f"articles/{article.stem}/index.html" in changed
    assert any(name.startswith("pagefind/") for name in changed)  # indexed again
    assert edited["about/index.html"] == after["about/index.html"]


def run_build(project: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "builder", "build", "--project", str(project), *options],
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_build_with_nothing_changed_says_so_and_writes_nothing(corpus: Path) -> None:
    first = run_build(corpus)
    assert first.returncode == 0, first.stderr
    version = os.readlink(corpus / "_site")
    seed = sorted((corpus / "seeds").iterdir())[0]
    os.utime(seed)  # touched, not changed
    again = run_build(corpus)
    assert again.returncode == 0, again.stderr
    assert again.stdout.endswith("; nothing changed\n"), again.stdout
    assert first.stdout.split(" in ")[0] == again.stdout.split(" in ")[0]  # the same counts
    assert os.readlink(corpus / "_site") == version

    forced = run_build(corpus, "--no-cache")
    assert forced.returncode == 0, forced.stderr
    assert "nothing changed" not in forced.stdout
    assert os.readlink(corpus / "_site") != version


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05K\x01."])
def test_a_damaged_cache_is_ignored_and_rebuilt(corpus: Path, damage: bytes) -> None:
    clean = build(corpus, "_site")
    record = cache_file(corpus, corpus / "_site")
    assert record.parent.name == CACHE_DIR
    record.write_bytes(damage)
    assert build(corpus, "_site") == clean
    assert record.read_bytes() != damage
