"""Work split in chunks over forked processes, the results gathered in order.

Used by the stages that have many independent items (sheets to validate, seeds to measure,
pages to render). The processes are forked after the work is set, so they inherit it, and
the model it reads, instead of receiving them pickled; only each chunk's result crosses back.
The same results come out, in the same order, for any number of processes.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

# The work of the `chunk_results` under way, read by `run_chunk` in the forked processes.
WORK: list[Callable[[int], Any]] = []


def chunk_results(
    work: Callable[[int], T],
    count: int,
    chunk_size: int,
    jobs: int,
    initializer: Callable[[], object] | None = None,
) -> Iterator[T]:
    """`work(start)` for each chunk of `chunk_size` of the `count` items, in order: by
    `jobs` forked processes (each first running `initializer`) when `jobs` > 1, otherwise
    in this process."""
    starts = range(0, count, chunk_size)
    if jobs < 2:
        yield from map(work, starts)
        return
    WORK[:] = [work]
    try:
        with multiprocessing.get_context("fork").Pool(jobs, initializer) as pool:
            yield from pool.imap(run_chunk, starts)
    finally:
        WORK.clear()


def run_chunk(start: int) -> Any:
    """In a forked process: the chunk of the work under way that begins at `start`."""
    return WORK[0](start)
