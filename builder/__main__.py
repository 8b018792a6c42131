"""The command line: `python -m builder build | check | serve | draft SEED`.

Input: argv.
Output: the exit code. 0 success; 1 content errors (each printed as `path:line: message
(hint)`, never a traceback); 2 misuse (argparse, or a draft that cannot be made). Anything
else is a bug in the builder and keeps its traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from builder.cli_output import Reporter, archive_counts, count_phrase
from builder.errors import ContentErrors
from builder.values import parse_date

EXAMPLES = {
    "build": """
        examples:
          python -m builder build
          python -m builder build --out public --base-url https://example.org/archive/
          python -m builder build --project ~/archive --quiet
    """,
    "check": """
        examples:
          python -m builder check             # validate content/ against seeds/, write nothing
          python -m builder check --coverage  # also list numbers and dates no fact records
          python -m builder check --project ~/archive
    """,
    "serve": """
        examples:
          python -m builder serve             # http://127.0.0.1:8000/, rebuilt on every save
          python -m builder serve --port 8080 --out /tmp/preview
    """,
    "draft": """
        examples:
          python -m builder draft seeds/005_new.txt
          python -m builder draft seeds/005_new.txt --published 2016-12-10 --outlet "BBC News"
          python -m builder draft seeds/005_new.txt --slug 2016-12-10-bbc-evacuation --force

        The draft passes `check` as written. Every guess is marked '# REVIEW:'; read the
        source text, fix or delete each item, and write the summary before publishing.
    """,
}


def date_argument(text: str) -> dt.date:
    """A full YYYY-MM-DD date, read by the same rules as dates in the content."""
    date, problem = parse_date(text)
    if date is None or not date.is_exact:
        reason = problem or "a full date is needed"
        raise argparse.ArgumentTypeError(f"{text!r}: {reason}; write YYYY-MM-DD")
    return date.start()


def make_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--project", type=Path, default=Path("."), metavar="DIR",
        help="the project folder with content/, seeds/, templates/ (default: current folder)",
    )  # fmt: skip
    loudness = common.add_mutually_exclusive_group()
    loudness.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    loudness.add_argument("-v", "--verbose", action="store_true", help="print every stage")

    parser = argparse.ArgumentParser(
        prog="python -m builder",
        description="Build a fact-sheet archive: every figure and date traced to its sentence.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            parents=[common],
            help=help_text,
            description=help_text,
            epilog=textwrap.dedent(EXAMPLES[name]),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    build = add("build", "build the site into the output folder and report counts and time")
    add_out_option(build)
    build.add_argument(
        "--base-url", metavar="URL",
        help="absolute URL the site is served from (overrides content/site.yaml)",
    )  # fmt: skip

    check = add("check", "load and validate the content only; print every problem")
    check.add_argument(
        "--coverage", action="store_true",
        help="also list every number and date in the seeds that no event, figure or quote "
        "records and no 'skipped:' entry explains (exit code 1 if there is one)",
    )  # fmt: skip

    serve = add("serve", "build, serve on 127.0.0.1, rebuild on change, reload the browser")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    add_out_option(serve)

    draft = add("draft", "turn a raw seed text into a starter fact sheet to review")
    draft.add_argument("seed", type=Path, metavar="SEED", help="the raw text, a file in seeds/")
    draft.add_argument(
        "--published", type=date_argument, metavar="YYYY-MM-DD",
        help="publication date (default: the first full date stated in the text)",
    )  # fmt: skip
    draft.add_argument("--outlet", metavar="NAME", help="who published it (default: guessed)")
    draft.add_argument(
        "--slug", metavar="SLUG",
        help="file name under content/articles/ (default: date and title words)",
    )  # fmt: skip
    draft.add_argument("--force", action="store_true", help="overwrite an existing fact sheet")
    return parser


def add_out_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, metavar="DIR",
        help="output folder (default: _site in the project folder)",
    )  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    reporter = Reporter(quiet=args.quiet, verbose=args.verbose)
    project = args.project
    if not (project / "content").is_dir():
        reporter.error(f"{project}: no content/ folder here (use --project DIR)")
        return 2
    try:
        if args.command == "build":
            return run_build(args, reporter)
        if args.command == "check":
            return run_check(project, reporter, args.coverage)
        if args.command == "serve":
            from builder.serve import serve

            return serve(project, args.out or project / "_site", args.port, reporter)
        return run_draft(args, reporter)
    except ContentErrors as problems:
        reporter.content_errors(problems.errors)
        return 1


def run_build(args: argparse.Namespace, reporter: Reporter) -> int:
    from builder.build import BuildOptions, build_site
    from builder.coverage import measure_coverage

    out_dir: Path = args.out or args.project / "_site"
    report = build_site(
        BuildOptions(args.project, out_dir, args.base_url, progress=reporter.progress)
    )
    coverage = measure_coverage(report.archive.articles)
    reporter.result(
        f"Built {archive_counts(report.archive)}, {count_phrase(report.pages, 'page')} "
        f"into {out_dir}/ in {report.seconds:.1f} s, {coverage.ratio()}"
    )
    return 0


def run_check(project: Path, reporter: Reporter, coverage: bool = False) -> int:
    """0 when the content is valid (and, with `coverage`, every number and date explained)."""
    from builder.build import load_archive
    from builder.coverage import measure_coverage

    archive = load_archive(project)
    if not coverage:
        reporter.result(f"OK: {archive_counts(archive)}")
        return 0
    report = measure_coverage(archive.articles)
    reporter.problems(report.idle_skips + report.gaps)
    reporter.result(report.summary())
    return 1 if report.gaps or report.idle_skips else 0


def run_draft(args: argparse.Namespace, reporter: Reporter) -> int:
    from builder.draft import DraftOptions, DraftProblem, write_draft

    options = DraftOptions(
        args.project, args.seed, args.published, args.outlet, args.slug, args.force
    )
    try:
        path, draft = write_draft(options)
    except DraftProblem as problem:
        reporter.error(str(problem))
        return 2
    active_figures = sum(1 for f in draft.figures if f.metric_id is not None)
    reporter.result(
        f"Drafted {path}: {count_phrase(len(draft.events), 'event')}, "
        f"{count_phrase(active_figures, 'figure')} "
        f"(+{len(draft.figures) - active_figures} commented out), "
        f"{count_phrase(len(draft.quotes), 'quote')}, "
        f"{count_phrase(len(draft.actor_counts), 'actor')} named"
    )
    reporter.info("Next: review every '# REVIEW:' line, then run `python -m builder check`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
