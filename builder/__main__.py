"""The command line: `python -m builder build | check | serve | draft SEED`.

Input: argv.
Output: the exit code. 0 success; 1 content errors (each printed as `path:line: message
(hint)`, never a traceback), or warnings under --strict; 2 misuse (argparse, a refused
--out or --slug, a draft that cannot be made); 3 an internal error, which is a bug in the
builder: one line says so and where its traceback was written (--debug prints it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import textwrap
import traceback
from collections.abc import Sequence
from pathlib import Path

from builder.cli_output import Reporter, archive_counts, count_phrase
from builder.errors import ContentErrors
from builder.fields import ID_HINT, ID_PATTERN
from builder.values import parse_date

EXIT_OK, EXIT_CONTENT, EXIT_MISUSE, EXIT_BUG = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it

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
    common.add_argument(
        "--debug", action="store_true",
        help="on an internal error (a bug), print the traceback too",
    )  # fmt: skip
    strictness = argparse.ArgumentParser(add_help=False)
    strictness.add_argument(
        "--strict", action="store_true",
        help="fail on warnings (short aliases, part_of cycles, YAML tags, odd digits)",
    )  # fmt: skip

    parser = argparse.ArgumentParser(
        prog="python -m builder",
        description="Build a fact-sheet archive: every figure and date traced to its sentence.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str, *extra: argparse.ArgumentParser) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            parents=[common, *extra],
            help=help_text,
            description=help_text,
            epilog=textwrap.dedent(EXAMPLES[name]),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    build = add(
        "build", "build the site into the output folder and report counts and time", strictness
    )
    add_out_option(build)
    build.add_argument(
        "--base-url", metavar="URL",
        help="absolute URL the site is served from (overrides content/site.yaml)",
    )  # fmt: skip

    add("check", "load and validate the content only; print every problem", strictness)

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
    try:
        return run_command(args, reporter)
    except ContentErrors as problems:
        reporter.content_errors(problems.errors, problems.warnings)
        return EXIT_CONTENT
    except KeyboardInterrupt:  # Ctrl-C: the user's choice, not a bug; the old site stays
        reporter.error("interrupted")
        return EXIT_INTERRUPTED
    except Exception as error:  # anything else is a bug: say so, and keep its traceback
        return report_bug(error, reporter, debug=args.debug)


def run_command(args: argparse.Namespace, reporter: Reporter) -> int:
    project = args.project
    if not (project / "content").is_dir():
        reporter.error(f"{project}: no content/ folder here (use --project DIR)")
        return EXIT_MISUSE
    misuse = misuse_problem(args)
    if misuse is not None:
        reporter.error(misuse)
        return EXIT_MISUSE
    if args.command == "build":
        return run_build(args, reporter)
    if args.command == "check":
        return run_check(project, reporter, strict=args.strict)
    if args.command == "serve":
        from builder.serve import serve

        return serve(project, args.out or project / "_site", args.port, reporter)
    return run_draft(args, reporter)


def misuse_problem(args: argparse.Namespace) -> str | None:
    """Why the arguments cannot be used (an --out that is not ours, a bad --slug), or None."""
    if getattr(args, "slug", None) is not None and not ID_PATTERN.match(args.slug):
        return f"--slug {args.slug!r} is not a plain lowercase slug ({ID_HINT})"
    if args.command in ("build", "serve"):
        return out_dir_problem(args.out or args.project / "_site")
    return None


def out_dir_problem(out_dir: Path) -> str | None:
    """Why `out_dir` cannot be (re)placed by a build: a file, or a folder someone else wrote."""
    from builder.write import refuse_foreign_folder

    for path in (out_dir, *out_dir.parents):
        if path.exists() or path.is_symlink():
            if not path.is_dir():
                what = "" if path == out_dir else f": {path}"
                return f"--out {out_dir}{what} is not a folder (choose a folder for the site)"
            break
    try:
        refuse_foreign_folder(out_dir)
    except ContentErrors as refused:
        return f"--out {refused.errors[0].path}: {refused.errors[0].explanation}"
    return None


def report_bug(error: Exception, reporter: Reporter, *, debug: bool) -> int:
    """One line saying it is a bug, and where its traceback went; exit code 3."""
    trace = traceback.format_exc()
    if debug:
        print(trace, file=reporter.err, end="", flush=True)
    where = "printed above"
    try:
        with tempfile.NamedTemporaryFile(
            "w", prefix="builder-crash-", suffix=".log", delete=False, encoding="utf-8"
        ) as log:
            log.write(trace)
        where = f"written to {log.name}" + ("" if debug else " (or rerun with --debug)")
    except OSError:
        where = where if debug else "lost (rerun with --debug to see it)"
    summary = str(error).splitlines()[0][:200] if str(error) else ""
    reporter.error(
        f"internal error, a bug in the builder: {type(error).__name__}: {summary}; "
        f"the traceback is {where}"
    )
    return EXIT_BUG


def run_build(args: argparse.Namespace, reporter: Reporter) -> int:
    from builder.build import BuildOptions, build_site

    out_dir: Path = args.out or args.project / "_site"
    report = build_site(
        BuildOptions(
            args.project, out_dir, args.base_url, progress=reporter.progress, strict=args.strict
        )
    )
    reporter.content_warnings(report.warnings)
    reporter.result(
        f"Built {archive_counts(report.archive)}, {count_phrase(report.pages, 'page')} "
        f"into {out_dir}/ in {report.seconds:.1f} s"
    )
    return 0


def run_check(project: Path, reporter: Reporter, *, strict: bool) -> int:
    from builder.build import load_content

    loaded = load_content(project, strict=strict)
    reporter.content_warnings(loaded.warnings)
    reporter.result(f"OK: {archive_counts(loaded.archive)}")
    return EXIT_OK


def run_draft(args: argparse.Namespace, reporter: Reporter) -> int:
    from builder.draft import DraftOptions, DraftProblem, write_draft

    options = DraftOptions(
        args.project, args.seed, args.published, args.outlet, args.slug, args.force
    )
    try:
        path, draft = write_draft(options)
    except DraftProblem as problem:
        reporter.error(str(problem))
        return EXIT_MISUSE
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
