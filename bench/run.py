"""Benchmark: build synthetic archives with our builder, Hugo and Pelican; print a table.

Input: corpus sizes (number of articles), e.g. `--sizes 100,1000,10000`.
Output: for each size, a table of tool, HTML pages, wall time, ms per page, CPU time, peak
resident memory and time relative to our full build; then our stage breakdown.

Every tool runs in a fresh child process, timed from spawn to exit (interpreter start-up and
imports included, as a user would see it), and measured with os.wait4, whose rusage gives that
child's own CPU time and peak RSS. Our builder runs in a child too (`--worker`), which times its
own stages in-process with time.perf_counter. Pagefind is a grandchild: its peak RSS is reported
apart, and "ours, no search" is the full build minus the Pagefind stage.

    .venv/bin/pip install -e '.[bench]'       # hugo and pelican, plus `markdown` for Pelican
    .venv/bin/python bench/run.py                     # 100 and 1,000 articles (~2 minutes)
    .venv/bin/python bench/run.py --sizes 100,1000,10000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from make_corpus import REPO, make_corpus, write_project
from peers import hugo_command, pelican_command, write_hugo_site, write_pelican_site

HUGO_ALIAS_MARK = b'http-equiv="refresh"'  # Hugo's redirect stubs (page/1/) are not pages


@dataclass(frozen=True)
class Measurement:
    tool: str
    pages: int
    seconds: float
    cpu_seconds: float
    peak_mb: float
    note: str = ""


def spawn_measured(command: list[str]) -> tuple[float, float, float, str]:
    """(wall s, CPU s, peak RSS MB, stdout): wait4 gives this child's own rusage."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise RuntimeError(f"{command[0]} exited {child.returncode}:\n{err.read()[-3000:]}")
        cpu = usage.ru_utime + usage.ru_stime
        return seconds, cpu, usage.ru_maxrss / 1024, out.read()  # Linux: ru_maxrss in KiB


def count_pages(site_dir: Path) -> int:
    return sum(
        1 for path in site_dir.rglob("*.html") if HUGO_ALIAS_MARK not in path.read_bytes()[:300]
    )


# ---- our builder, run as a worker child -------------------------------------------------------


def build_ours(project_dir: Path, out_dir: Path) -> dict[str, object]:
    """Our full build, stage by stage (the same calls as builder.build.build_site)."""
    sys.path.insert(0, str(REPO))
    from builder.build import index_search, load_archive, read_static_files
    from builder.check import check_links
    from builder.data_export import render_data
    from builder.feeds import render_feeds
    from builder.render import render_pages
    from builder.theme import project_theme
    from builder.write import merge_outputs, write_site

    stages: dict[str, float] = {}

    def timed(name: str, step: Callable[[Path], None]) -> Callable[[Path], None]:
        def run(site_dir: Path) -> None:
            started = time.perf_counter()
            step(site_dir)
            stages[name] = time.perf_counter() - started

        return run

    clock = time.perf_counter()
    archive = load_archive(project_dir)
    stages["load, validate, index"] = time.perf_counter() - clock
    clock = time.perf_counter()
    theme = project_theme(project_dir)
    pages = render_pages(archive, theme)
    stages["render pages"] = time.perf_counter() - clock
    clock = time.perf_counter()
    page_paths = sorted(name for name in pages if name.endswith(".html"))
    outputs = merge_outputs(
        pages, render_feeds(archive, page_paths), render_data(archive), read_static_files(theme)
    )
    stages["feeds and data"] = time.perf_counter() - clock
    clock = time.perf_counter()
    hooks = [timed("search (pagefind)", index_search), timed("check links", check_links)]
    write_site(outputs, out_dir, before_swap=hooks)
    hooked = stages["search (pagefind)"] + stages["check links"]
    stages["write and swap"] = time.perf_counter() - clock - hooked
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "stages": stages,
        "python_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "pagefind_peak_mb": children.ru_maxrss / 1024,
        "pagefind_cpu": children.ru_utime + children.ru_stime,
        "html_outputs": len(page_paths),
    }


def measure_ours(project_dir: Path) -> tuple[Measurement, Measurement, dict[str, float]]:
    out_dir = project_dir / "_site"
    command = [sys.executable, __file__, "--worker", str(project_dir), str(out_dir)]
    seconds, cpu, _, stdout = spawn_measured(command)
    report = json.loads(stdout)
    stages = report["stages"]
    pages = count_pages(out_dir)
    search = stages["search (pagefind)"]
    python_cpu = cpu - report["pagefind_cpu"]  # wait4 folds waited grandchildren in
    full = Measurement(
        "ours",
        pages,
        seconds,
        cpu,
        max(report["python_peak_mb"], report["pagefind_peak_mb"]),
        f"Pagefind peak {report['pagefind_peak_mb']:.0f} MB",
    )
    bare = Measurement(
        "ours, no search", pages, seconds - search, python_cpu, report["python_peak_mb"]
    )
    return full, bare, stages


def measure_peer(tool: str, command: list[str], out_dir: Path) -> Measurement:
    try:
        seconds, cpu, peak, _ = spawn_measured(command)
    except (OSError, RuntimeError, ImportError) as error:
        return Measurement(tool, 0, 0, 0, 0, f"could not run: {error}".splitlines()[0])
    return Measurement(tool, count_pages(out_dir), seconds, cpu, peak)


# ---- the table ---------------------------------------------------------------------------------


def format_table(size: int, rows: list[Measurement], ours: Measurement) -> str:
    columns = ("pages", "total s", "ms/page", "cpu s", "peak MB", "vs ours", "cpu vs")
    header = f"{'tool':<16}" + "".join(f"{column:>9}" for column in columns)
    lines = [f"\n{size:,} articles", header, "-" * len(header)]
    for row in rows:
        if row.pages == 0:
            lines.append(f"{row.tool:<16} {row.note}")
            continue
        ratio = row.seconds / ours.seconds
        ms_per_page = 1000 * row.seconds / row.pages
        cells = f"{row.pages:>9}{row.seconds:>9.2f}{ms_per_page:>9.2f}{row.cpu_seconds:>9.2f}"
        cells += f"{row.peak_mb:>9.0f}{ratio:>8.2f}x{row.cpu_seconds / ours.cpu_seconds:>8.2f}x"
        lines.append(f"{row.tool:<16}{cells}" + (f"  ({row.note})" if row.note else ""))
    return "\n".join(lines)


def run_size(size: int, work_dir: Path, tools: list[str]) -> str:
    clock = time.perf_counter()
    corpus = make_corpus(size)
    project = write_project(corpus, work_dir / f"ours-{size}")
    hugo_dir = write_hugo_site(corpus, work_dir / f"hugo-{size}")
    pelican_dir = write_pelican_site(corpus, work_dir / f"pelican-{size}")
    print(f"corpus of {size:,} articles written in {time.perf_counter() - clock:.1f} s", flush=True)
    full, bare, stages = measure_ours(project)
    rows = [full, bare]
    if "hugo" in tools:
        rows.append(measure_peer("hugo", hugo_command(hugo_dir), hugo_dir / "public"))
    if "pelican" in tools:
        rows.append(measure_peer("pelican", pelican_command(pelican_dir), pelican_dir / "output"))
    breakdown = "  ".join(f"{name} {seconds:.2f}s" for name, seconds in stages.items())
    return format_table(size, rows, full) + f"\nour stages: {breakdown}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="100,1000", help="article counts, comma-separated (default 100,1000)"
    )
    parser.add_argument(
        "--tools", default="hugo,pelican", help="peers to run (default hugo,pelican)"
    )
    parser.add_argument(
        "--keep", type=Path, help="work in this folder and keep it (default: a temp folder)"
    )
    parser.add_argument(
        "--worker", nargs=2, type=Path, metavar=("PROJECT", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(build_ours(*args.worker)))
        return
    sizes = [int(size) for size in args.sizes.split(",")]
    tools = args.tools.split(",")
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs", flush=True)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            print(run_size(size, args.keep, tools), flush=True)
        return
    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        for size in sizes:
            print(run_size(size, Path(work), tools), flush=True)


if __name__ == "__main__":
    main()
