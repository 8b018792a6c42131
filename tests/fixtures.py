"""Small content trees for edge-case tests, written into tmp_path from dedented strings.

`make_project(tmp_path, overrides)` writes a minimal valid project (one seed, one article,
two actors, one metric) and then applies `overrides` ({relative path: text, or None to
delete}). Templates are copied from the real project so pages render as they do for users
(a link would leave the project, which the builder refuses).
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

SEED = """\
Rebels Hold Out In The Old City

Government forces took the Hanano district on Saturday, the ministry said.
The UN said “as many as 100,000 people” are still trapped in the east.
"""

MINIMAL_FILES: dict[str, str] = {
    "seeds/sample.txt": SEED,
    "content/site.yaml": """\
        title: Test archive
        description: A tiny archive for tests.
        language: en
        base_url: https://example.org/archive/
        """,
    "content/metrics.yaml": """\
        civilians-trapped:
          label: Civilians trapped
          unit: people
          description: People trapped in the besieged area.
          scope: east of the city
          kind: level
        """,
    "content/actors/un.yaml": """\
        name: United Nations
        kind: organisation
        aliases: [UN]
        summary: The United Nations.
        """,
    "content/actors/ministry.yaml": """\
        name: Defence ministry
        kind: government-body
        aliases: [the ministry]
        summary: A defence ministry.
        """,
    "content/articles/sample-article.md": """\
        ---
        title: Rebels Hold Out In The Old City
        outlet: Test Times
        published: 2016-11-27   # a Sunday
        seed: sample.txt
        events:
          - id: hanano-captured
            date: 2016-11-26   # "on Saturday"
            title: Government forces take Hanano
            actors: [ministry]
            quote: "Government forces took the Hanano district on Saturday, the ministry said."
        figures:
          - metric: civilians-trapped
            value: 100000
            qualifier: up-to
            as_of: 2016-11-27
            claimant: un
            quote: "The UN said “as many as 100,000 people” are still trapped in the east."
        quotes:
          - speaker: un
            quote: "as many as 100,000 people"
        ---
        Government forces took Hanano; the UN says up to 100,000 people are trapped.
        """,
}


def make_project(root: Path, overrides: dict[str, str | None] | None = None) -> Path:
    """A minimal valid project under root, with overrides applied; returns root."""
    files: dict[str, str | None] = {**MINIMAL_FILES, **(overrides or {})}
    for relative, text in files.items():
        if text is None:
            continue
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        body = text if relative.startswith("seeds/") else textwrap.dedent(text)
        path.write_text(body, encoding="utf-8")
    (root / "content" / "actors").mkdir(parents=True, exist_ok=True)
    (root / "content" / "articles").mkdir(parents=True, exist_ok=True)
    if not (root / "templates").exists():
        shutil.copytree(PROJECT_ROOT / "templates", root / "templates")
    return root


def replace_in(root: Path, relative: str, old: str, new: str) -> None:
    """Edit one file of a project made by make_project; the old text must be there."""
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
