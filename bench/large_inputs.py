"""Benchmark: large inputs from issue 11, timed as a user runs them.

Input: `seed` or `title` (default: both).
Output: one line each: the command, its exit code, its wall time and its last message.

- `seed`: a 50 MB seed (the sample seed plus generated sentences) and a quote that is not in
  it; `check` must report the nearest passage quickly (it used to take minutes).
- `title`: a 10 MB title; `build` must refuse it at once (the file is past the 2 MB content
  limit; a title of 501 to 2 MB characters is refused by the 500-character title limit).

    .venv/bin/python bench/large_inputs.py
    .venv/bin/python bench/large_inputs.py seed
"""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fixtures import SEED, make_project, replace_in

ARTICLE = "content/articles/sample-article.md"
WORDS = [
    "the",
    "of",
    "and",
    "forces",
    "city",
    "said",
    "people",
    "aid",
    "rebel",
    "east",
    "government",
    "civilians",
    "were",
    "have",
]


def large_seed(root: Path, size: int = 50_000_000) -> str:
    rng = random.Random(1)
    chunks, total = [], 0
    while total < size:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 25)))
        chunks.append(sentence.capitalize() + ". ")
        total += len(chunks[-1])
    (root / "seeds" / "sample.txt").write_text(SEED + "".join(chunks), encoding="utf-8")
    replace_in(root, ARTICLE, '"as many as 100,000 people"', '"as many as 100,001 people"')
    return "check"


def large_title(root: Path) -> str:
    old = "title: Rebels Hold Out In The Old City"
    replace_in(root, ARTICLE, old, "title: " + "Rebels hold out " * 655_360)
    return "build"


def child_cpu_seconds() -> float:
    """User + system time of every finished child (Pagefind included), so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(kinds: list[str]) -> None:
    for kind in kinds:
        root = make_project(Path(tempfile.mkdtemp()) / "project")
        command = large_seed(root) if kind == "seed" else large_title(root)
        started = time.perf_counter()
        cpu_before = child_cpu_seconds()
        result = subprocess.run(
            [sys.executable, "-m", "builder", command, "--project", str(root)],
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        cpu = child_cpu_seconds() - cpu_before
        last = (result.stderr or result.stdout).strip().splitlines()[0][:160]
        print(
            f"{kind}: {command} exit {result.returncode}, {seconds:.1f} s ({cpu:.1f} s CPU): {last}"
        )


if __name__ == "__main__":
    main(sys.argv[1:] or ["seed", "title"])
