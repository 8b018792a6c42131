"""A seeded fuzz of the real fact sheets' front matter: `check` and `build` must agree.

Each case takes one real fact sheet, mutates its front matter as YAML nodes (structure:
keys dropped, duplicated, renamed, lists emptied or doubled, types swapped; values: edge
numbers, dates, control characters, huge and empty text), and runs `check` and `build`
on it. They must exit alike (0 or 1, never 3: no traceback), print the same problems, and
a build that `check` passed must succeed. Cases run in this process for speed; a few also
run through the real command line. Bounded in time: no new case starts after
`BUDGET_SECONDS`.
"""

from __future__ import annotations

import contextlib
import io
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from builder.__main__ import main

SEED = 20161204
CASES = 60
CLI_CASES = 3  # of which run through `python -m builder` too
BUDGET_SECONDS = 30.0  # no new case starts after this; one case takes a few seconds at most
FENCE = "---\n"

RESOLVER = yaml.resolver.Resolver()
STR = "tag:yaml.org,2002:str"
PLAIN_EDGES = [
    "0", "-1", "0.0", "5.0e-324", "1.0e+15", "1000000000000001", "1.0e+308", ".nan", ".inf",
    "-.inf", "0x1F", "0o17", "1_000", "12:30", "00", "true", "no", "~", "0000-01-01",
    "9999-12-31", "2016-02-30", "2016-13", "2016", "2016-12", "1", "3", "999999",
]  # fmt: skip
TEXT_EDGES = [
    "", " ", "x" * 600, "\x1b[31mred", "line\nbreak", "a\0b", "٢٠١٦-١٢-٠٤", "２０１６-１２-０４",
    "<script>alert(1)</script>", "{{ 7*7 }}", "../../etc/passwd", "U", "UN", "💥", "\u202eevil",
    "'", '"', "-", "#", "—", "kerry", "russia", "east-aleppo-government-share", "2016-12-04",
    "0000", "[1, 2]", "about", "up-to", "001_f96556120f84f444.txt", "=cmd|' /C calc'!A0",
]  # fmt: skip
KEYS = [
    "id", "date", "date_label", "title", "actors", "place", "quote", "occurrence", "metric",
    "value", "qualifier", "as_of", "claimant", "projected", "note", "speaker", "seed",
    "published", "outlet", "events", "figures", "quotes", "unknown", "\x1b[2Jkey",
]  # fmt: skip


def scalar(rng: random.Random) -> yaml.ScalarNode:
    if rng.random() < 0.5:
        value = rng.choice(PLAIN_EDGES)
        return yaml.ScalarNode(RESOLVER.resolve(yaml.ScalarNode, value, (True, False)), value)
    return yaml.ScalarNode(STR, rng.choice(TEXT_EDGES), style='"')


def any_value(rng: random.Random) -> yaml.Node:
    roll = rng.random()
    if roll < 0.7:
        return scalar(rng)
    if roll < 0.8:
        return yaml.SequenceNode("tag:yaml.org,2002:seq", [scalar(rng) for _ in range(2)])
    if roll < 0.9:
        return yaml.SequenceNode("tag:yaml.org,2002:seq", [])
    return yaml.MappingNode("tag:yaml.org,2002:map", [])


def containers(node: yaml.Node) -> list[yaml.Node]:
    """Every mapping and sequence in the tree, the root first."""
    found: list[yaml.Node] = []
    pending = [node]
    while pending:
        current = pending.pop(0)
        if isinstance(current, yaml.MappingNode):
            found.append(current)
            pending.extend(value for _, value in current.value)
        elif isinstance(current, yaml.SequenceNode):
            found.append(current)
            pending.extend(current.value)
    return found


def mutate(root: yaml.MappingNode, rng: random.Random) -> None:
    """One structural or value change somewhere in the front matter."""
    target = rng.choice(containers(root))
    items = target.value
    kind = rng.choice(["replace", "replace", "replace", "delete", "duplicate", "add", "rename"])
    if not items:
        kind = "add"
    index = rng.randrange(len(items)) if items else 0
    if isinstance(target, yaml.MappingNode):
        if kind == "replace":
            items[index] = (items[index][0], any_value(rng))
        elif kind == "delete":
            del items[index]
        elif kind == "duplicate":
            items.append(items[index])
        elif kind == "add":
            items.append((yaml.ScalarNode(STR, rng.choice(KEYS)), any_value(rng)))
        else:
            items[index] = (yaml.ScalarNode(STR, rng.choice(KEYS)), items[index][1])
    elif kind == "replace":
        items[index] = any_value(rng)
    elif kind == "delete":
        del items[index]
    elif kind in ("duplicate", "rename"):
        items.append(items[index])
    else:
        items.append(any_value(rng))


def fuzzed_sheet(original: str, rng: random.Random) -> str:
    """The fact sheet with its front matter mutated one to three times."""
    _, front, body = original.split(FENCE, 2)
    root = yaml.compose(front, Loader=yaml.SafeLoader)
    assert isinstance(root, yaml.MappingNode)
    for _ in range(rng.randint(1, 3)):
        mutate(root, rng)
    text = yaml.serialize(root, Dumper=yaml.SafeDumper, allow_unicode=True, width=10_000)
    return FENCE + text + FENCE + body


def run_main(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(list(args))
    return code, err.getvalue()


def run_cli(*args: str) -> tuple[int, str]:
    result = subprocess.run(
        [sys.executable, "-m", "builder", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode, result.stderr


@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Path:
    project = tmp_path_factory.mktemp("fuzz") / "project"
    for folder in ("content", "seeds", "templates"):
        shutil.copytree(project_root / folder, project / folder)
    return project


def test_check_and_build_agree_on_fuzzed_front_matter(fuzz_project: Path) -> None:
    sheets = sorted((fuzz_project / "content" / "articles").glob("*.md"))
    originals = {path: path.read_text(encoding="utf-8") for path in sheets}
    out = fuzz_project.parent / "_site"
    started = time.monotonic()
    outcomes = {0: 0, 1: 0}
    for case in range(CASES):
        if time.monotonic() - started > BUDGET_SECONDS:
            break
        rng = random.Random(SEED + case)
        sheet = rng.choice(sheets)
        for path, text in originals.items():
            path.write_text(text, encoding="utf-8")
        sheet.write_text(fuzzed_sheet(originals[sheet], rng), encoding="utf-8")
        project = str(fuzz_project)
        checked = run_main("check", "--project", project)
        built = run_main("build", "--project", project, "--out", str(out))
        where = f"case {case} ({sheet.name})"
        assert checked[0] in (0, 1), f"{where}: check crashed: {checked[1]}"
        assert built[0] == checked[0], f"{where}: check {checked}, build {built}"
        assert built[1] == checked[1], f"{where}: check and build print different problems"
        if case < CLI_CASES:
            assert run_cli("build", "--project", project, "--out", str(out)) == built, where
        outcomes[checked[0]] += 1
    # The fuzz reaches both sides: sheets that still build, and sheets with problems.
    assert outcomes[0] > 0 and outcomes[1] > 0, outcomes
