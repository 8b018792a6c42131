"""The command line: help, exit codes (0, 1, 2), error lines, summaries, colour and loudness."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from builder.__main__ import main
from builder.cli_output import Reporter
from builder.errors import ContentError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

COMMANDS = ("build", "check", "serve", "draft")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command in a child process (exit code and streams as a user sees them)."""
    return subprocess.run(
        [sys.executable, "-m", "builder", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def project_copy(tmp_path: Path, project_root: Path) -> Path:
    project = tmp_path / "project"
    for folder in ("content", "seeds", "templates"):
        shutil.copytree(project_root / folder, project / folder)
    return project


@pytest.mark.parametrize("command", COMMANDS)
def test_help_of_each_command_has_examples(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert f"usage: python -m builder {command}" in text
    assert "examples:" in text
    assert f"python -m builder {command}" in text.split("examples:", 1)[1]
    assert "--project DIR" in text


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["publish"],
        ["build", "--no-such-option"],
        ["draft"],
        ["draft", "seeds/x.txt", "--published", "4 December"],
        ["check", "--quiet", "--verbose"],
    ],
)
def test_misuse_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_project_without_content_is_misuse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--project", str(tmp_path)]) == 2
    assert "no content/ folder" in capsys.readouterr().err


def test_check_reports_counts(project_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--project", str(project_root)]) == 0
    out = capsys.readouterr().out
    assert re.fullmatch(
        r"OK: 5 articles, \d+ events, \d+ figures, \d+ quotes, \d+ actors\n", out
    ), out


def test_content_errors_exit_1_with_every_error_and_no_traceback(project_copy: Path) -> None:
    sheet = project_copy / "content" / "articles" / "2016-12-04-abc-russia-52-percent.md"
    text = sheet.read_text(encoding="utf-8")
    broken = text.replace("actors: [kerry, lavrov]", "actors: [kerry, lavrovv]", 1)
    broken = broken.replace("metric: neighbourhoods-taken", "metric: neighbourhoods", 1)
    assert broken.count("lavrovv") == 1 and "metric: neighbourhoods\n" in broken
    sheet.write_text(broken, encoding="utf-8")
    out_dir = project_copy / "_site"
    for command in (["check"], ["build", "--out", str(out_dir)]):
        result = run_cli(*command, "--project", str(project_copy))
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        lines = result.stderr.splitlines()
        assert lines[-1] == "2 content problems; nothing was written"
        path = re.escape("content/articles/2016-12-04-abc-russia-52-percent.md")
        assert len(lines) == 3
        assert re.fullmatch(
            rf"{path}:\d+: unknown actor 'lavrovv' in 'actors' \(did you mean 'lavrov'\?\)",
            lines[0],
        )
        assert re.fullmatch(
            rf"{path}:\d+: unknown metric 'neighbourhoods' in 'metric' "
            r"\(did you mean 'neighbourhoods-taken'\?\)",
            lines[1],
        )
        assert "\033[" not in result.stderr, "no colour when stderr is not a terminal"
    assert not out_dir.exists(), "a failed build writes nothing"


def test_build_prints_stages_and_one_summary_line(project_copy: Path) -> None:
    out_dir = project_copy / "public"
    result = run_cli("build", "--project", str(project_copy), "--out", str(out_dir), "-v")
    assert result.returncode == 0, result.stderr
    *stages, summary = result.stdout.splitlines()
    # Each stage of the pipeline once it is done, with its time, in the pipeline's order.
    assert [re.sub(r"\s+\d+\.\d\d s$", "", line) for line in stages] == [
        f"  {stage}"
        for stage in ("load", "validate", "index", "derive", "render", "search", "check", "write")
    ]
    assert all(re.search(r" \d+\.\d\d s$", line) for line in stages), stages
    assert re.fullmatch(
        r"Built 5 articles, \d+ events, \d+ figures, \d+ quotes, \d+ actors, \d+ pages "
        rf"into {re.escape(str(out_dir))}/ in \d+\.\d s, coverage \d+/\d+ numbers and dates",
        summary,
    ), summary
    assert (out_dir / "index.html").is_file()


def test_quiet_build_with_base_url_override(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = project_copy / "_site"
    code = main(
        ["build", "--project", str(project_copy), "--out", str(out_dir), "-q",
         "--base-url", "https://preview.example.org/x/"]
    )  # fmt: skip
    assert code == 0
    assert capsys.readouterr() == ("", "")
    assert "https://preview.example.org/x/" in (out_dir / "sitemap.xml").read_text("utf-8")


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = ContentError("content/x.md", 3, "bad", "fix it")
    monkeypatch.delenv("NO_COLOR", raising=False)
    terminal, pipe = FakeTerminal(), io.StringIO()
    Reporter(err=terminal).content_errors([problem])
    Reporter(err=pipe).content_errors([problem])
    assert terminal.getvalue().startswith("\033[31mcontent/x.md:3:\033[0m bad (fix it)\n")
    assert pipe.getvalue() == (
        "content/x.md:3: bad (fix it)\n1 content problem; nothing was written\n"
    )
    monkeypatch.setenv("NO_COLOR", "1")
    plain = FakeTerminal()
    Reporter(err=plain).content_errors([problem])
    assert plain.getvalue() == pipe.getvalue()


def test_progress_shows_on_a_terminal_and_times_when_verbose() -> None:
    for out, verbose, expected in (
        (FakeTerminal(), False, "\033[2m  render ...\033[0m\n"),
        (io.StringIO(), False, ""),
        (io.StringIO(), True, f"  {'render':<22}   1.25 s\n"),
    ):
        reporter = Reporter(verbose=verbose, out=out)
        reporter.progress("render", None)
        reporter.progress("render", 1.25)
        assert out.getvalue() == expected


def test_draft_misuse_exits_2(project_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seeds = project_copy / "seeds"
    undated = seeds / "000_4ac99ab6956333ad.txt"
    (
        project_copy / "content" / "articles" / "2016-12-05-inquisitr-russia-assad-50-percent.md"
    ).unlink()
    assert main(["draft", str(undated), "--project", str(project_copy)]) == 2
    assert "pass --published YYYY-MM-DD" in capsys.readouterr().err

    owned = seeds / "001_f96556120f84f444.txt"  # already has a hand-written fact sheet
    assert main(["draft", str(owned), "--project", str(project_copy)]) == 2
    assert "already has a fact sheet: content/articles/2016-12-04-abc-russia-52-percent.md" in (
        capsys.readouterr().err
    )

    outside = project_copy / "elsewhere.txt"
    outside.write_text("Title\n", encoding="utf-8")
    assert main(["draft", str(outside), "--project", str(project_copy)]) == 2
    assert "must be a file in" in capsys.readouterr().err

    args = ["draft", str(undated), "--project", str(project_copy), "--published", "2016-12-05"]
    assert main(args) == 0
    assert "Drafted " in capsys.readouterr().out
    assert main(args) == 2, "an existing draft is not overwritten"
    assert "--force" in capsys.readouterr().err
    assert main([*args, "--force", "--outlet", "The Inquisitr"]) == 0
    written = next((project_copy / "content" / "articles").glob("2016-12-05-aleppo-*.md"))
    assert 'outlet: "The Inquisitr"  # given with --outlet' in written.read_text("utf-8")
    assert main(["check", "--project", str(project_copy), "-q"]) == 0


def test_draft_finds_a_relative_seed_in_the_given_project(project_copy: Path) -> None:
    # run_cli works in the repository, whose own seeds/ holds the same file name: the seed
    # named relative to --project must win, so the draft lands in that project.
    sheet = (
        project_copy / "content" / "articles" / "2016-12-10-inquisitr-rebels-continue-fighting.md"
    )
    sheet.unlink()
    result = run_cli(
        "draft",
        "seeds/002_34e66573e4d0fa9a.txt",
        "--published",
        "2016-12-10",
        "--project",
        str(project_copy),
    )
    assert result.returncode == 0, result.stderr
    drafts = sorted((project_copy / "content" / "articles").glob("2016-12-10-*.md"))
    assert [d.name for d in drafts] == ["2016-12-10-aleppo-rebels-continue-fighting-as-syrian.md"]
    assert run_cli("check", "--project", str(project_copy)).returncode == 0
