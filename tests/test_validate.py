"""Validation: every broken input gives one `path:line: message (hint)`, and all are reported."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from builder.errors import ContentErrors, ContentWarning
from builder.load.project import load_project
from builder.model import Actor, Article, FuzzyDate, Metric, Site
from builder.validate import records
from builder.validate.records import validate_project
from tests.fixtures import make_project, replace_in

ARTICLE = "content/articles/sample-article.md"


def problems(root: Path) -> list[str]:
    with pytest.raises(ContentErrors) as caught:
        validate_project(load_project(root))
    return [str(error) for error in caught.value.errors]


def test_minimal_project_is_valid(tmp_path: Path) -> None:
    site, metrics, actors, articles = validate_project(load_project(make_project(tmp_path)))
    (article,) = articles
    assert site.base_url == "https://example.org/archive/"
    assert [m.metric_id for m in metrics] == ["civilians-trapped"]
    assert sorted(a.actor_id for a in actors) == ["ministry", "un"]
    assert article.published == FuzzyDate(2016, 11, 27)
    (figure,) = article.figures
    assert (figure.low, figure.high, figure.qualifier, figure.claimant_id) == (
        100000,
        100000,
        "up-to",
        "un",
    )
    # The passage keeps the seed's own curly quotes although the content may use either.
    assert figure.passage.text.startswith("The UN said “as many as")
    assert article.seed_text[figure.passage.start : figure.passage.end] == figure.passage.text


# (what is broken, file, old text, new text, the one expected message)
BROKEN_INPUTS = [
    (
        "malformed YAML",
        ARTICLE,
        "title: Rebels Hold Out In The Old City",
        "title: [unclosed",
        # libyaml's wording: PyYAML's wheels ship it, and load.py prefers it.
        f"{ARTICLE}:3: malformed YAML: did not find expected ',' or ']' "
        "(check indentation, colons and quotes; quote text that contains ': ' or '#')",
    ),
    (
        "missing required field",
        ARTICLE,
        "outlet: Test Times\n",
        "",
        f"{ARTICLE}:2: missing required field 'outlet' in front matter (who published the article)",
    ),
    (
        "unknown actor id",
        ARTICLE,
        "actors: [ministry]",
        "actors: [minstry]",
        f"{ARTICLE}:10: unknown actor 'minstry' in 'actors' (did you mean 'ministry'?)",
    ),
    (
        "unknown metric",
        ARTICLE,
        "metric: civilians-trapped",
        "metric: civilians-traped",
        f"{ARTICLE}:13: unknown metric 'civilians-traped' in 'metric' "
        "(did you mean 'civilians-trapped'?)",
    ),
    (
        "quote not in the seed",
        ARTICLE,
        'quote: "Government forces took the Hanano district on Saturday, the ministry said."',
        'quote: "Government forces took the Hanano district on Sunday, the ministry said."',
        f"{ARTICLE}:11: quote not found in seeds/sample.txt (nearest passage: 'Government forces "
        "took the Hanano district on Saturday, the ministry said.'; copy it verbatim)",
    ),
    (
        "impossible date",
        ARTICLE,
        "date: 2016-11-26",
        "date: 2016-02-30",
        f"{ARTICLE}:8: 'date' '2016-02-30': impossible date: February 2016 has 29 days "
        "(write YYYY-MM-DD, or YYYY-MM for a month)",
    ),
    (
        "duplicate id",
        ARTICLE,
        "figures:",
        "  - id: hanano-captured\n    date: 2016-11-26\n    title: Again\n"
        '    quote: "the ministry said."\nfigures:',
        f"{ARTICLE}:12: duplicate event id 'hanano-captured' in this article "
        "(an article reports each event once; give the other a new id)",
    ),
    (
        "missing seed file",
        ARTICLE,
        "seed: sample.txt",
        "seed: sampel.txt",
        f"{ARTICLE}:5: seed file 'seeds/sampel.txt' does not exist (did you mean 'sample.txt'?)",
    ),
    (
        "value of the wrong type",
        ARTICLE,
        "value: 100000",
        'value: "100,000"',
        f"{ARTICLE}:14: 'value' must be a number, not text '100,000' "
        "(write digits without separators, e.g. 100000 or 52.5)",
    ),
    (
        "unknown field (a typo)",
        ARTICLE,
        "qualifier: up-to",
        "qualifer: up-to",
        f"{ARTICLE}:15: unknown field 'qualifer' in figure 1 (did you mean 'qualifier'?)",
    ),
    (
        "yes/no is not a boolean",
        ARTICLE,
        "claimant: un",
        "claimant: un\n    projected: no",
        f"{ARTICLE}:18: 'projected' must be true or false (write exactly true or false)",
    ),
    (
        "wrong actor kind",
        "content/actors/un.yaml",
        "kind: organisation",
        "kind: organization",
        "content/actors/un.yaml:2: unknown actor kind 'organization' "
        "(did you mean 'organisation'?)",
    ),
    (
        "percent above 100",
        "content/metrics.yaml",
        "unit: people",
        "unit: percent",
        f"{ARTICLE}:14: 100000 percent is more than 100 (check the value or the metric)",
    ),
]


@pytest.mark.parametrize(
    ("path", "old", "new", "expected"),
    [case[1:] for case in BROKEN_INPUTS],
    ids=[case[0] for case in BROKEN_INPUTS],
)
def test_broken_input_gives_one_clear_message(
    tmp_path: Path, path: str, old: str, new: str, expected: str
) -> None:
    root = make_project(tmp_path)
    replace_in(root, path, old, new)
    assert problems(root) == [expected]


def test_a_slug_differing_only_in_case_is_refused(tmp_path: Path) -> None:
    # Slugs are lowercase file names, so two fact sheets can never claim one URL, even on a
    # host that folds case.
    root = make_project(tmp_path)
    text = (root / ARTICLE).read_text(encoding="utf-8")
    (root / "content/articles/Sample-Article.md").write_text(text, encoding="utf-8")
    found = problems(root)
    assert any("is not a valid slug" in p for p in found)
    expected = "content/articles/Sample-Article.md:2: article file name 'Sample-Article'"
    assert any(p.startswith(f"{expected} is not a valid slug") for p in found)


def test_two_fact_sheets_for_one_seed_are_refused(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    text = (root / ARTICLE).read_text(encoding="utf-8")
    (root / "content/articles/sample-copy.md").write_text(text, encoding="utf-8")
    assert problems(root) == [
        "content/articles/sample-copy.md:2: seed 'sample.txt' already has a fact sheet: "
        f"{ARTICLE} (one fact sheet per seed; merge the two)"
    ]


def test_duplicate_metric_key_is_refused(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    metrics = (root / "content/metrics.yaml").read_text(encoding="utf-8")
    (root / "content/metrics.yaml").write_text(metrics + metrics, encoding="utf-8")
    assert problems(root) == [
        "content/metrics.yaml:7: duplicate metric id 'civilians-trapped' "
        "(each metric is defined once)"
    ]


def test_alias_shared_by_two_actors_is_refused(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    replace_in(root, "content/actors/ministry.yaml", "[the ministry]", "[the ministry, UN]")
    assert problems(root) == [
        "content/actors/un.yaml:1: alias 'UN' is also used by actor 'ministry' "
        "(content/actors/ministry.yaml) (an alias must name one actor only; remove it from one "
        "of them)"
    ]


def test_every_problem_is_reported_in_one_run_sorted(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    replace_in(root, ARTICLE, "actors: [ministry]", "actors: [nobody]")
    replace_in(root, ARTICLE, "metric: civilians-trapped", "metric: nothing")
    replace_in(root, "content/actors/un.yaml", "kind: organisation", "kind: club")
    found = problems(root)
    assert len(found) == 3
    assert found == sorted(found, key=lambda p: (p.split(":")[0], int(p.split(":")[1])))


def test_yaml_tags_are_not_executed(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    replace_in(root, ARTICLE, "outlet: Test Times", "outlet: !!python/object/apply:os.system [ls]")
    (found,) = problems(root)
    assert "'outlet' must be text" in found or "malformed YAML" in found


def test_quote_matching_forgives_only_whitespace_and_quote_style(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    replace_in(
        root,
        ARTICLE,
        'quote: "as many as 100,000 people"',
        'quote: "said  \\"as many as\n      100,000 people\\""',
    )
    validate_project(load_project(root))  # straight quotes and a line break still match
    replace_in(root, ARTICLE, "100,000 people", "100,000 People")
    assert "quote not found" in problems(root)[0]


def test_part_of_cycles_are_reported_once_per_knot_from_its_smallest_id() -> None:
    from builder.validate.records import part_of_cycles

    links = {"a": ["b"], "b": ["c", "a"], "c": ["a"], "d": ["d"], "e": ["a"], "x": ["y"]}
    links |= {"y": ["z"], "z": ["x"], "f": []}
    # One knot {a, b, c} (its shortest cycle a -> b -> a), one {x, y, z}; d's self-link is
    # an error of its own, e only leads in.
    assert part_of_cycles(links) == [("a", "b"), ("x", "y", "z")]


def test_a_dense_part_of_graph_is_checked_in_linear_time() -> None:
    from builder.validate.records import part_of_cycles

    ids = [f"actor-{n:03}" for n in range(300)]
    links = {actor: [other for other in ids if other != actor] for actor in ids}
    assert part_of_cycles(links) == [("actor-000", "actor-001")]


def test_stray_files_are_reported_and_skipped_sheets_left_unread(tmp_path: Path) -> None:
    """A file that looks like content but is not read is a mistake, said once per file, in
    name order; hidden files and folders are not. A sheet `skip_article` names (by its
    path relative to the project) is left unread."""
    root = make_project(tmp_path)
    for stray in ("content/articles/notes.txt", "content/articles/b.MD", "content/actors/x.yml"):
        (root / stray).write_text("stray\n", encoding="utf-8")
    (root / "content/articles/.DS_Store").write_text("hidden\n", encoding="utf-8")
    (root / "content/articles/old").mkdir()
    raw = load_project(root)
    assert [str(error) for error in raw.errors] == [
        "content/actors/x.yml:0: ignored file: only *.yaml files belong in content/actors/"
        " (rename it to end in .yaml, or move it elsewhere)",
        "content/articles/b.MD:0: ignored file: only *.md files belong in content/articles/"
        " (rename it to end in .md, or move it elsewhere)",
        "content/articles/notes.txt:0: ignored file: only *.md files belong in content/articles/"
        " (rename it to end in .md, or move it elsewhere)",
    ]
    assert [path.name for path in raw.articles.paths] == ["sample-article.md"]
    skipped = load_project(root, lambda relative: relative == ARTICLE)
    assert skipped.articles.paths == ()


Model = tuple[Site, list[Metric], list[Actor], list[Article]]


def validated_model(root: Path, jobs: int) -> tuple[Model, list[ContentWarning]]:
    """What `validate_project` gives with `jobs` processes, and its warnings."""
    warnings: list[ContentWarning] = []
    return validate_project(load_project(root), None, warnings, jobs=jobs), warnings


def validation_problems(root: Path, jobs: int) -> ContentErrors:
    """What `validate_project` raises with `jobs` processes."""
    with pytest.raises(ContentErrors) as caught:
        validate_project(load_project(root), None, jobs=jobs)
    return caught.value


def test_sheets_read_in_processes_come_out_as_read_in_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same articles, errors and warnings, in the same order, from 2 processes, with
    sheets broken in each way a process meets: YAML syntax, a tag, a bad field, a seed
    another sheet has."""
    monkeypatch.setattr(records, "MIN_SHEETS_PER_PROCESS", 1)
    monkeypatch.setattr(records, "SHEETS_PER_CHUNK", 2)
    root = make_project(tmp_path)
    sheet = (root / ARTICLE).read_text(encoding="utf-8")
    for n in range(6):
        (root / f"content/articles/copy-{n}.md").write_text(sheet, encoding="utf-8")
    replace_in(root, "content/articles/copy-1.md", "title:", "title: !shout")
    replace_in(root, "content/articles/copy-3.md", "title:", "title: [")
    replace_in(root, "content/articles/copy-4.md", "published:", "published: 2016-02-30 #")
    clashing = validation_problems(root, jobs=2)
    in_one = validation_problems(root, jobs=1)
    assert (clashing.errors, clashing.warnings) == (in_one.errors, in_one.warnings)
    errors, warnings = clashing.errors, clashing.warnings
    wrong = {error.path for error in errors if "already has a fact sheet" not in error.message}
    assert wrong == {"content/articles/copy-3.md", "content/articles/copy-4.md"}
    assert [warning.path for warning in warnings] == ["content/articles/copy-1.md"]
    for n in range(6):
        (root / f"content/articles/copy-{n}.md").unlink()
    for n in range(4):  # sheets that pass: each its own seed
        shutil.copy(root / "seeds/sample.txt", root / f"seeds/sample-{n}.txt")
        (root / f"content/articles/copy-{n}.md").write_text(
            sheet.replace("seed: sample.txt", f"seed: sample-{n}.txt"), encoding="utf-8"
        )
    valid = validated_model(root, jobs=2)
    assert valid == validated_model(root, jobs=1)
    articles = valid[0][3]
    assert len(articles) == 5
    assert [article.seed_utf8 for article in articles] == [
        (root / "seeds" / article.seed).read_bytes() for article in articles
    ]


def test_a_date_names_its_month_in_english_as_strftime_does_in_the_c_locale() -> None:
    for month in range(1, 13):
        expected = dt.date(2016, month, 4).strftime("%B 2016")
        assert FuzzyDate(2016, month).human() == expected
        assert FuzzyDate(2016, month, 4).human() == "4 " + expected
