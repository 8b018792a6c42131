"""Time the share cards (builder/render/og_image.py) on a generated corpus: drawing every card
with an empty cache, then taking every card from the cache, and the data files the data page
measures.

    .venv/bin/python bench/og_cards.py 1000 [JOBS]

Prints wall and CPU time; on a shared machine the CPU figures are the ones to compare.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import make_corpus, write_project

from builder.build import load_archive
from builder.render.data_export import make_data_files
from builder.render.og_image import render_og_images

T = TypeVar("T")


def timed(work: Callable[[], T]) -> tuple[T, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    articles = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    folder = Path(tempfile.mkdtemp(prefix="og-cards-"))
    try:
        project = write_project(make_corpus(articles), folder / "project")
        archive = load_archive(project)
        cards, wall, cpu = timed(lambda: render_og_images(archive, project, jobs))
        per_card = cpu / len(cards) * 1000
        print(f"{articles} articles, {len(cards)} cards, {jobs} job(s)")
        # With several jobs the drawing's CPU time is spent in the child processes.
        where = "in this process" if jobs > 1 else f"({per_card:.1f} ms a card)"
        print(f"  empty cache: {wall:.1f} s wall, {cpu:.1f} s CPU {where}")
        _, wall, cpu = timed(lambda: render_og_images(archive, project, jobs))
        print(
            f"  all cached:  {wall:.2f} s wall, {cpu:.2f} s CPU ({cpu / len(cards) * 1000:.2f} ms)"
        )
        largest = max(len(png) for png in cards.values())
        print(f"  largest card {largest:,} bytes, all {sum(map(len, cards.values())) / 1e6:.1f} MB")
        _, wall, cpu = timed(lambda: make_data_files(archive))
        print(f"  data files:  {wall:.2f} s wall, {cpu:.2f} s CPU")
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
