"""The incremental build (builder/write/cache.py): after any sequence of edits, a build that
reuses the last one's cache writes byte for byte what a clean build writes; unchanged files
are linked, not written; Pagefind runs only when a searchable page changed; a build with
nothing changed says so; a damaged cache is ignored."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from jinja2 import Environment

from builder import index as index_module
from builder.build import BuildOptions, build_site
from builder.errors import ContentErrors
from builder.model import Article, Site
from builder.render import data_export, page_cache, summary_links, timeline_nav
from builder.render import pages as pages_module
from builder.render import site as render_module
from builder.render import views as views_module
from builder.render.pages import ArticleContext, Derived, PageContext
from builder.render.site import RenderedPage
from builder.search import pagefind as search
from builder.validate.record_cache import stamp_key, validation_context
from builder.write.cache import BUILDER_DIR, CACHE_DIR, cache_file, stamp_inputs
from builder.write.version import BUILD_MARKER
from tests.test_build import tree
from tests.test_jobs import bench_module

ARTICLES = 10
SMALL_SHARD = 8  # the corpus's searchable pages make several search shards


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
    bump_figure(project, article)
    return f"figure in {article.name}"


def bump_figure(project: Path, article: Path, quoted: str = "") -> None:
    """Add one to the value of the sheet's first single-valued figure (or of the one whose
    quote starts with `quoted`), in the YAML and in the seed sentence it quotes."""
    text = article.read_text("utf-8")
    found = re.search(rf"  value: (\d+)\n(?:  \w+: .*\n)*?  quote: ({re.escape(quoted)}.*)\n", text)
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


def edit_title(project: Path, rng: random.Random) -> str:
    """The title, shown wherever the sheet is listed or its claims, events and quotes are."""
    article = rng.choice(article_files(project))
    text = article.read_text("utf-8")
    number = rng.randrange(1000)
    text = re.sub(
        r"^title: '?(.*?)'?$", rf"title: 'Retitled {number}: \1'", text, count=1, flags=re.M
    )
    article.write_text(text, "utf-8")
    return f"title of {article.name}"


def edit_event_title(project: Path, rng: random.Random) -> str:
    """An event's title: its timeline entry (not its figures) changes."""
    article = rng.choice(article_files(project))
    text = article.read_text("utf-8")
    number = rng.randrange(1000)
    edited = re.sub(r"^(  title: )(.*)$", rf"\1\2 (revised {number})", text, count=1, flags=re.M)
    assert edited != text, article
    article.write_text(edited, "utf-8")
    return f"event title in {article.name}"


def edit_template(project: Path, rng: random.Random) -> str:
    name = rng.choice(["base.html", "sources.html", "_partials/claim.html"])
    template = project / "templates" / name
    with template.open("a", encoding="utf-8") as stream:
        stream.write(f"\n{{# edited {rng.randrange(1000)} #}}<!-- edit -->\n")
    return f"template {name}"


EDITS: tuple[Callable[[Path, random.Random], str], ...] = (
    edit_summary,
    edit_figure,
    edit_title,
    add_article,
    delete_article,
    add_alias,
    edit_template,
    edit_event_title,
)


def build(project: Path, out: str, *, cache: bool = True) -> dict[str, bytes]:
    report = build_site(BuildOptions(project, project / out, cache=cache))
    site = tree(report.out_dir)
    assert report.files == len(site)  # counted as placed, not by walking the folder
    return site


def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every paginated listing a few items to a page, so that ten sheets fill several pages
    of each (and an edit moves items across them)."""
    sizes = {
        "METRIC_CLAIMS_PER_PAGE": 2,
        "TIMELINE_ENTRIES_PER_PAGE": 3,
        "ARTICLES_PER_SOURCES_PAGE": 3,
        "FLAGS_PER_PAGE": 2,
    }
    modules = (index_module, pages_module, views_module, timeline_nav, summary_links, page_cache)
    for module in modules:
        for name, size in sizes.items():
            if hasattr(module, name):
                monkeypatch.setattr(module, name, size)
    monkeypatch.setattr(pages_module, "ACTOR_PAGE_SIZES", (2, 2, 2, 2))


@pytest.mark.parametrize("paginated", [False, True], ids=["pages", "small-pages"])
def test_an_incremental_build_after_any_edits_equals_a_clean_build(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, paginated: bool
) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", SMALL_SHARD)  # shards reused, and not
    if paginated:
        small_pages(monkeypatch)
    rng = random.Random(20161204 + paginated)
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
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", SMALL_SHARD)
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
    page = f"articles/{article.stem}/index.html"
    assert page in changed
    shards = len(json.loads((corpus / "_site" / "pagefind" / "shards.json").read_bytes())) + 1
    assert shards > 1
    own = search.shard_number(page, shards)
    reindexed = {search.bundle_shard(name) for name in changed} - {None}
    assert reindexed == {own}, "only the edited page's shard is indexed again"
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


def render_counter(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The slugs of the fact sheets rendered from now on (with one render process)."""
    rendered: list[str] = []
    original = render_module.article_page_context

    def counted(derived: Derived, article: Article) -> ArticleContext:
        rendered.append(article.slug)
        return original(derived, article)

    monkeypatch.setattr(render_module, "article_page_context", counted)
    return rendered


def test_an_edit_renders_only_the_fact_sheets_it_changes(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(corpus, "_site")
    rendered = render_counter(monkeypatch)
    article = article_files(corpus)[3]
    with article.open("a", encoding="utf-8") as stream:
        stream.write("\nOne more sentence.\n")
    assert build(corpus, "_site") == build(corpus, "clean", cache=False)
    assert rendered.count(article.stem) == 2  # the incremental build's and the clean one's
    assert len(rendered) == ARTICLES + 1


def page_counter(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the pages rendered from now on (with one render process)."""
    rendered: list[str] = []
    original = render_module.render_page

    def counted(env: Environment, template: str, context: PageContext, site: Site) -> RenderedPage:
        rendered.append(context.meta.path)
        return original(env, template, context, site)

    monkeypatch.setattr(render_module, "render_page", counted)
    return rendered


def test_a_figure_edit_renders_only_the_listing_pages_that_show_its_sheet(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each listing page has a key of its own: the metric page holding the claim's row is
    rendered again, actor and timeline pages that show nothing of the edited sheet are not."""
    small_pages(monkeypatch)
    report = build_site(BuildOptions(corpus, corpus / "_site"))
    article = article_files(corpus)[0]
    figure = report.derived.archive.article_by_slug[article.stem].figures[0]
    row_page = index_module.page_path(report.derived.archive.url_figure(figure).partition("#")[0])
    rendered = page_counter(monkeypatch)
    bump_figure(corpus, article)
    incremental = build(corpus, "_site")
    pages = [name for name in incremental if name.endswith(".html")]
    assert row_page in rendered
    for section in ("actors/", "timeline/", "sources/"):
        shown = [name for name in pages if name.startswith(section)]
        again = [name for name in rendered if name.startswith(section)]
        assert len(shown) > 1 and len(again) < len(shown), section
    assert incremental == build(corpus, "clean", cache=False)


def test_a_summary_edit_renders_no_page_but_its_fact_sheet(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(corpus, "_site")
    rendered = page_counter(monkeypatch)
    article = article_files(corpus)[1]
    with article.open("a", encoding="utf-8") as stream:
        stream.write("\nOne more sentence.\n")
    build(corpus, "_site")
    # The data page shows the size of the downloads, which hold the summaries.
    assert sorted(rendered) == [f"articles/{article.stem}/index.html", "data/index.html"]


def test_a_summary_edit_reads_no_download_back_whole(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data page's key takes the downloads' sizes as described: reading them back was
    a 100 MB spike at 10,000 articles. (They are copied into the site as streams.)"""
    build(corpus, "_site")

    def read_whole(files: data_export.SpooledFiles, path: str) -> bytes:
        raise AssertionError(f"{path} read back whole")

    monkeypatch.setattr(data_export.SpooledFiles, "__getitem__", read_whole)
    article = article_files(corpus)[1]
    with article.open("a", encoding="utf-8") as stream:
        stream.write("\nOne more sentence.\n")
    incremental = build(corpus, "_site")
    monkeypatch.undo()
    assert incremental == build(corpus, "clean", cache=False)


def test_a_figure_edit_renders_again_the_other_sheet_of_its_disagreement(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other side's fact sheet shows the flag (its values, its reason): it is rendered
    again although its own file did not change."""
    report = build_site(BuildOptions(corpus, corpus / "_site"))
    sides = [
        (flag.first.figure, flag.second.figure)
        for flag in report.derived.figures.disagreements
        if flag.first.figure.article_slug != flag.second.figure.article_slug
    ]
    edited, other = next(
        (figure, other)
        for pair in sides
        for figure, other in (pair, pair[::-1])
        if figure.low == figure.high
        and f"  quote: {figure.passage.text}\n"
        in (corpus / "content" / "articles" / f"{figure.article_slug}.md").read_text("utf-8")
    )
    before = tree(corpus / "_site")
    rendered = render_counter(monkeypatch)
    bump_figure(
        corpus,
        corpus / "content" / "articles" / f"{edited.article_slug}.md",
        edited.passage.text,
    )
    incremental = build(corpus, "_site")
    assert other.article_slug in rendered
    sheet = f"articles/{other.article_slug}/index.html"
    assert incremental[sheet] != before[sheet]
    assert incremental == build(corpus, "clean", cache=False)


def test_a_site_config_edit_renders_every_page_again(corpus: Path) -> None:
    build(corpus, "_site")
    site = corpus / "content" / "site.yaml"
    text = site.read_text("utf-8")
    title = re.search(r"^title: (.*)$", text, re.M)
    assert title
    site.write_text(text.replace(title.group(0), "title: A Renamed Archive", 1), "utf-8")
    incremental = build(corpus, "_site")
    assert incremental == build(corpus, "clean", cache=False)
    sheet = next(name for name in incremental if name.startswith("articles/"))
    assert "A Renamed Archive" in incremental[sheet].decode()


def test_an_unchanged_broken_sheet_is_reported_on_every_build(corpus: Path) -> None:
    build(corpus, "_site")
    broken = article_files(corpus)[2]
    broken.write_text(broken.read_text("utf-8").replace("outlet:", "outlett:", 1), "utf-8")
    errors = []
    for _ in range(2):
        with pytest.raises(ContentErrors) as raised:
            build(corpus, "_site")
        errors.append([str(error) for error in raised.value.errors])
    assert errors[0] == errors[1]
    assert errors[0] and all(e.startswith(f"content/articles/{broken.name}:") for e in errors[0])


def test_a_deleted_article_moves_the_metric_rows_other_fact_sheets_link_to(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fact sheet's "compare claims" links name the page of the metric table that holds
    each of its claims; a claim removed from the metric moves rows to other pages. (Metric
    tables two rows a page, and no flags: a flag names the rows of its two claims too, so
    with flags a moved row would reach the key that way as well. Byte-identical to a clean
    build.)"""
    for module in (index_module, pages_module, page_cache):
        monkeypatch.setattr(module, "METRIC_CLAIMS_PER_PAGE", 2)
    monkeypatch.setattr(pages_module, "flags_by_figure", lambda flags: {})
    build(corpus, "_site")
    article_files(corpus)[0].unlink()  # the earliest sheet: every later row moves up one
    assert build(corpus, "_site") == build(corpus, "clean", cache=False)


def test_a_change_to_any_builder_module_invalidates_the_validated_records(tmp_path: Path) -> None:
    """The validation context names the whole builder's code, not only validate/'s: a
    changed model or loader may validate a sheet differently."""
    for module in ("model.py", "load/project.py", "validate/records.py"):
        path = str(BUILDER_DIR / module)
        before = validation_context(tmp_path, {path: (1, 1, "a")}, None)
        assert validation_context(tmp_path, {path: (1, 1, "b")}, None) != before, module


def test_the_stamp_key_of_a_sheet_is_the_key_its_stamp_is_filed_under(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However the project folder is named (the command line passes "." or a relative
    path): else no record is found, and every build validates and renders everything."""
    monkeypatch.chdir(corpus)
    for project in (Path("."), corpus, Path("..") / corpus.name):
        stamps = stamp_inputs(project)
        for sheet in article_files(project):
            relative = sheet.relative_to(project).as_posix()
            assert stamp_key(project, relative) in stamps, (project, relative)
