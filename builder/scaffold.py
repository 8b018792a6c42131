"""`init`: a new, minimal archive that passes `check` and builds at once.

Input: a folder (new, or empty) and optionally the archive's title.
Output: content/site.yaml, an empty content/metrics.yaml, one example fact sheet on a
made-up seed (with its two actors), a README stub and a .gitignore. The example is marked
as an example to delete everywhere it appears. No templates are written: the packaged
default theme is used until the project adds its own templates/ files.
"""

from __future__ import annotations

import re
from pathlib import Path

EXAMPLE_SEED = "example-riverton-bridge.txt"
EXAMPLE_SLUG = "2025-03-05-example-riverton-bridge"


class ScaffoldProblem(Exception):
    """The folder cannot take a new archive (misuse, exit code 2)."""


def default_title(directory: Path) -> str:
    """`flood-relief_2024` -> `Flood relief 2024`."""
    words = re.sub(r"[-_]+", " ", directory.resolve().name).strip()
    return (words[:1].upper() + words[1:]) if words else "Fact-sheet archive"


def yaml_quoted(text: str) -> str:
    """A double-quoted YAML scalar (JSON string syntax is valid YAML)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def archive_files(title: str) -> dict[str, str]:
    """Relative path -> text of every file of a new archive."""
    return {
        "content/site.yaml": SITE_YAML.replace("TITLE", yaml_quoted(title)),
        "content/metrics.yaml": METRICS_YAML,
        f"content/articles/{EXAMPLE_SLUG}.md": EXAMPLE_SHEET,
        "content/actors/riverton-council.yaml": EXAMPLE_COUNCIL,
        "content/actors/ana-ruiz.yaml": EXAMPLE_PERSON,
        f"seeds/{EXAMPLE_SEED}": EXAMPLE_SEED_TEXT,
        "README.md": README.replace("TITLE", title),
        ".gitignore": "_site/\n.factsheets-cache/\n",
    }


def write_new_archive(directory: Path, title: str | None = None) -> list[Path]:
    """Write a new archive into `directory` (created if missing); returns the files written.
    Refuses a folder that already holds anything, so nothing is ever overwritten."""
    if directory.exists() and not directory.is_dir():
        raise ScaffoldProblem(f"{directory}: not a folder")
    if directory.is_dir() and any(directory.iterdir()):
        raise ScaffoldProblem(
            f"{directory}: the folder is not empty; init writes only into a new or empty folder"
        )
    written = []
    for relative, text in archive_files(title or default_title(directory)).items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


SITE_YAML = """\
title: TITLE
description: Figures, dates and quotations from news reports, each traced to its source sentence.
language: en
# Where the site will be published; used for the feed, the sitemap and canonical links.
base_url: https://example.org/
# The terms your fact sheets and data downloads may be reused under, shown on the about and
# data pages and in the footer. Pick your own, or remove these lines to state none.
license:
  name: CC BY 4.0
  url: https://creativecommons.org/licenses/by/4.0/
"""

METRICS_YAML = """\
# What the figures in your fact sheets measure: one entry per metric, for example
#
# people-displaced:
#   label: People displaced by the floods
#   unit: people
#   description: Number of people forced from their homes, as the claimant counts them.
#   scope: the whole region
#
# A fact sheet's figures then name a metric: `metric: people-displaced`.
"""

EXAMPLE_SEED_TEXT = """\
EXAMPLE ONLY: a made-up text to show how a fact sheet works. Delete this file.

Riverton council closes the old harbour bridge

By Example Gazette staff, 5 March 2025

The town council of Riverton voted on Monday to close the old harbour bridge to traffic,
after engineers reported cracks in two of its supports.

"We cannot take the risk," said council leader Ana Ruiz. She said repairs would take about
six months.
"""

EXAMPLE_SHEET = f"""\
---
# EXAMPLE: a made-up fact sheet that shows the format. Delete this file, its seed
# (seeds/{EXAMPLE_SEED}) and the two example actors (content/actors/) once your first
# real fact sheet is in place.
title: "Example: Riverton council closes the old harbour bridge"
outlet: Example Gazette
published: 2025-03-05
seed: {EXAMPLE_SEED}
status: published  # or draft: left out of the site until reviewed
events:
  - id: riverton-bridge-vote
    date: 2025-03-03  # "on Monday", resolved against the publication date
    title: Riverton council votes to close the harbour bridge
    actors: [riverton-council]
    quote: "The town council of Riverton voted on Monday to close the old harbour bridge to traffic"
quotes:
  - speaker: ana-ruiz
    quote: "We cannot take the risk"
skipped:  # numbers and dates that are not facts; `check --coverage` lists any left unexplained
  - quote: "By Example Gazette staff, 5 March 2025"
    reason: the dateline, recorded as published
  - quote: "engineers reported cracks in two of its supports"
    reason: a detail that no metric tracks
  - quote: "She said repairs would take about six months"
    reason: a forecast duration, not a count
---
An **example** fact sheet on a made-up text. The council of Riverton voted to close the old
harbour bridge after engineers found cracks in two of its supports; its leader expects the
repairs to take about six months. Delete it once your first real fact sheet is in place.
"""

EXAMPLE_COUNCIL = """\
# EXAMPLE: an actor of the example fact sheet; delete it with the example.
name: Riverton town council
kind: government-body
aliases: [town council of Riverton]
summary: The council of the made-up town of Riverton, in the example fact sheet.
"""

EXAMPLE_PERSON = """\
# EXAMPLE: an actor of the example fact sheet; delete it with the example.
name: Ana Ruiz
kind: person
part_of: [riverton-council]
summary: Leader of the made-up Riverton town council, in the example fact sheet.
"""

README = """\
# TITLE

A fact-sheet archive: each fact sheet sits on one source article, and every figure, date and
quotation on the site links to the sentence it was taken from.

## Start here

- `content/articles/2025-03-05-example-riverton-bridge.md` is an EXAMPLE on a made-up text.
  Read it, then delete it together with `seeds/example-riverton-bridge.txt` and the two
  example actors in `content/actors/`.
- Put each source text, unedited, in `seeds/`. Start its fact sheet with
  `factsheets draft seeds/<file>.txt` (or `python -m builder draft ...`): the draft is marked
  `status: draft` and stays out of the site until you resolve every `# REVIEW:` line and
  set `status: published`.
- Define what your figures measure in `content/metrics.yaml`.

## Commands

    factsheets check      # validate everything, list the REVIEW markers left in drafts
    factsheets serve      # preview at http://127.0.0.1:8000/, drafts included
    factsheets build      # the site in _site/, drafts left out

The look comes from the packaged default theme. To change a page, copy that one template
into `templates/` (same name): your file replaces the default one, file by file.
"""
