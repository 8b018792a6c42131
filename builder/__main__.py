"""The command line: `python -m builder init DIR | build | check | serve | draft SEED`, also
installed as the `factsheets` command.

Input: argv.
Output: the exit code. 0 success; 1 content errors (each printed as `path:line: message
(hint)`, never a traceback), or warnings under --strict; 2 misuse (argparse, a refused
--out or --slug, a draft that cannot be made); 3 an internal error, which is a bug in the
builder: one line says so and where its traceback was written (--debug prints it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import os
import re
import sys
import tempfile
import textwrap
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from builder.cli_output import Reporter, archive_counts, count_phrase
from builder.errors import ContentErrors, did_you_mean
from builder.validate.fields import ID_HINT, ID_PATTERN
from builder.validate.scalars import parse_date

EXIT_OK, EXIT_CONTENT, EXIT_MISUSE, EXIT_BUG = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it

EXAMPLES = {
    "init": """
        examples:
          python -m builder init my-archive
          python -m builder init my-archive --title "Flood relief 2024 fact sheets"

        The new archive holds one example fact sheet on a made-up text; delete it
        (see the README it writes) once your first real sheet is in place.
    """,
    "build": """
        examples:
          python -m builder build
          python -m builder build --out public --base-url https://example.org/archive/
          python -m builder build --project ~/archive --quiet
          python -m builder build --drafts     # include sheets marked 'status: draft'
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
          python -m builder serve --port 0     # any free port
          python -m builder serve --bind 0.0.0.0 --no-drafts
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


class CommandParser(argparse.ArgumentParser):
    """argparse, with a did-you-mean for a mistyped command."""

    def error(self, message: str) -> NoReturn:
        wrong = re.search(r"invalid choice: '([^']*)'", message)
        if wrong and message.startswith("argument COMMAND"):
            hint = did_you_mean(wrong.group(1), COMMANDS)
            message = f"unknown command '{wrong.group(1)}' ({hint})"
        super().error(message)


COMMANDS = ("init", "build", "check", "serve", "draft")


def add_global_options(parser: argparse.ArgumentParser, *, in_command: bool) -> None:
    """--project, -q and -v, accepted before the command and after it. After it, their
    defaults are suppressed so that they never undo a value given before it."""

    def default(value: object) -> object:
        return argparse.SUPPRESS if in_command else value

    parser.add_argument(
        "--project", type=Path, default=default(Path(".")), metavar="DIR",
        help="the project folder with content/, seeds/, templates/ (default: current folder)",
    )  # fmt: skip
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument(
        "-q", "--quiet", action="store_true", default=default(False), help="print errors only"
    )
    loudness.add_argument(
        "-v", "--verbose", action="store_true", default=default(False),
        help="print every stage with its time",
    )  # fmt: skip
    parser.add_argument(
        "--debug", action="store_true", default=default(False),
        help="on an internal error (a bug), print the traceback too",
    )  # fmt: skip


CONSOLE_SCRIPT = "factsheets"  # [project.scripts] in pyproject.toml


def program_name() -> str:
    """`factsheets` when run as the console script, else `python -m builder`."""
    called_as = Path(sys.argv[0]).stem if sys.argv and sys.argv[0] else ""
    return CONSOLE_SCRIPT if called_as == CONSOLE_SCRIPT else "python -m builder"


def make_parser(prog: str = "python -m builder") -> argparse.ArgumentParser:
    parser = CommandParser(
        prog=prog,
        description="Build a fact-sheet archive: every figure and date traced to its sentence.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    add_global_options(parser, in_command=False)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        command = commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=textwrap.dedent(EXAMPLES[name]).replace("python -m builder", prog),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        add_global_options(command, in_command=True)
        return command

    init = add("init", "write a new, minimal archive that builds at once")
    init.add_argument("directory", type=Path, metavar="DIR", help="an empty or new folder")
    init.add_argument("--title", help="the archive's name (default: from the folder name)")

    build = add("build", "build the site into the output folder and report counts and time")
    add_strict_option(build)
    add_out_option(build)
    build.add_argument(
        "--base-url", metavar="URL",
        help="absolute URL the site is served from (overrides content/site.yaml)",
    )  # fmt: skip
    build.add_argument(
        "--drafts", action="store_true",
        help="include fact sheets marked 'status: draft', each with a draft banner",
    )  # fmt: skip
    build.add_argument(
        "--jobs", type=positive_int, metavar="N", default=len(os.sched_getaffinity(0)),
        help="render with N processes (default: the CPU count); the site is the same for any N",
    )  # fmt: skip
    build.add_argument(
        "--no-cache", action="store_true",
        help="build everything afresh, ignoring what the last build left in .factsheets-cache/",
    )  # fmt: skip

    check = add("check", "validate the content as build does, write nothing; list REVIEW markers")
    check.add_argument(
        "--coverage", action="store_true",
        help="also list every number and date in the seeds that no event, figure or quote "
        "records and no 'skipped:' entry explains (exit code 1 if there is one)",
    )  # fmt: skip
    add_strict_option(check)

    serve = add("serve", "build, serve on 127.0.0.1, rebuild on change, reload the browser")
    serve.add_argument(
        "--port", type=int, default=8000,
        help="port to listen on (default: 8000; 0 picks a free one)",
    )  # fmt: skip
    serve.add_argument(
        "--bind", default="127.0.0.1", metavar="ADDRESS",
        help="address to listen on (default: 127.0.0.1, this computer only)",
    )  # fmt: skip
    serve.add_argument(
        "--drafts", action=argparse.BooleanOptionalAction, default=True,
        help="include fact sheets marked 'status: draft' (default: yes)",
    )  # fmt: skip
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


def package_version() -> str:
    try:
        return importlib.metadata.version("factsheet-archive")
    except importlib.metadata.PackageNotFoundError:  # a source checkout, not installed
        return "unknown"


def add_strict_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--strict", action="store_true",
        help="fail on warnings (short aliases, part_of cycles, YAML tags, odd digits)",
    )  # fmt: skip


def add_out_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, metavar="DIR",
        help="output folder (default: _site in the project folder)",
    )  # fmt: skip


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    prog = program_name()
    args = make_parser(prog).parse_args(argv)
    if args.quiet and args.verbose:  # one given before the command, one after it
        make_parser(prog).error("argument -v/--verbose: not allowed with argument -q/--quiet")
    reporter = Reporter(quiet=args.quiet, verbose=args.verbose)
    try:
        return run_command(args, reporter, prog)
    except ContentErrors as problems:
        reporter.content_errors(problems.errors, problems.warnings)
        return EXIT_CONTENT
    except KeyboardInterrupt:  # Ctrl-C: the user's choice, not a bug; the old site stays
        reporter.error("interrupted")
        return EXIT_INTERRUPTED
    except Exception as error:  # anything else is a bug: say so, and keep its traceback
        return report_bug(error, reporter, debug=args.debug)


def run_command(args: argparse.Namespace, reporter: Reporter, prog: str) -> int:
    if args.command == "init":
        return run_init(args, reporter, prog)
    project = args.project
    if not (project / "content").is_dir():
        reporter.error(
            f"{project}: no content/ folder here (use --project DIR, or `{prog} init DIR`)"
        )
        return EXIT_MISUSE
    misuse = misuse_problem(args)
    if misuse is not None:
        reporter.error(misuse)
        return EXIT_MISUSE
    if args.command == "build":
        return run_build(args, reporter)
    if args.command == "check":
        return run_check(project, reporter, coverage=args.coverage, strict=args.strict)
    if args.command == "serve":
        from builder.serve.server import ServeOptions, serve

        out_dir = args.out or project / "_site"
        return serve(ServeOptions(project, out_dir, args.bind, args.port, args.drafts), reporter)
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
    from builder.write.version import OutputLayout, refuse_foreign_folder

    for path in (out_dir, *out_dir.parents):
        if path.exists() or path.is_symlink():
            if not path.is_dir():
                what = "" if path == out_dir else f": {path}"
                return f"--out {out_dir}{what} is not a folder (choose a folder for the site)"
            break
    try:
        refuse_foreign_folder(OutputLayout(Path(os.path.abspath(out_dir))), out_dir)
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


def run_init(args: argparse.Namespace, reporter: Reporter, prog: str) -> int:
    from builder.scaffold import ScaffoldProblem, write_new_archive

    try:
        written = write_new_archive(args.directory, args.title)
    except ScaffoldProblem as problem:
        reporter.error(str(problem))
        return 2
    reporter.result(
        f"Wrote a new archive in {args.directory}/ ({count_phrase(len(written), 'file')})"
    )
    reporter.info(f"Next: cd {args.directory} && {prog} build   (or {prog} serve to preview)")
    return 0


def run_build(args: argparse.Namespace, reporter: Reporter) -> int:
    from builder.write.cache import options_key, unchanged_summary

    out_dir: Path = args.out or args.project / "_site"
    started = time.perf_counter()
    key = options_key(args.base_url, args.drafts, args.strict)
    # Nothing changed since the last build of this output: say so without loading anything.
    summary = None if args.no_cache else unchanged_summary(args.project, out_dir, key)
    unchanged = summary is not None
    seconds = time.perf_counter() - started
    if summary is None:
        from builder.build import BuildOptions, build_site

        report = build_site(
            BuildOptions(
                args.project,
                out_dir,
                args.base_url,
                drafts=args.drafts,
                progress=reporter.progress,
                strict=args.strict,
                jobs=args.jobs,
                cache=not args.no_cache,
                keep_derived=False,
            )
        )
        assert report.summary is not None
        summary, seconds = report.summary, report.seconds
    reporter.content_warnings(summary.warnings)
    drafts = ""
    if summary.drafts:
        what = "included" if args.drafts else "left out (--drafts to include)"
        drafts = f"; {count_phrase(summary.drafts, 'draft')} {what}"
    reporter.result(
        f"Built {summary.counts}, {count_phrase(summary.pages, 'page')} into {out_dir}/ "
        f"in {seconds:.1f} s, {summary.coverage}{drafts}"
        + ("; nothing changed" if unchanged else "")
    )
    return 0


def run_check(project: Path, reporter: Reporter, *, coverage: bool, strict: bool) -> int:
    """0 when the content is valid (and, with `coverage`, every number and date explained)."""
    from builder.build import check_project
    from builder.check.coverage import measure_coverage

    checked = check_project(project, strict=strict)
    reporter.content_warnings(checked.warnings)
    for draft in checked.drafts:
        for marker in draft.review_markers:
            reporter.info(f"{marker.source.path}:{marker.source.line}: REVIEW: {marker.note}")
    markers = sum(len(draft.review_markers) for draft in checked.drafts)
    drafts = (
        f"; {count_phrase(len(checked.drafts), 'draft')} left out of the site, "
        f"{count_phrase(markers, 'REVIEW marker')} to resolve"
        if checked.drafts
        else ""
    )
    if not coverage:
        reporter.result(f"OK: {archive_counts(checked.archive)}{drafts}")
        return 0
    report = measure_coverage(checked.archive.articles)
    reporter.problems(report.idle_skips + report.gaps)
    reporter.result(report.summary() + drafts)
    return 1 if report.gaps or report.idle_skips else 0


def run_draft(args: argparse.Namespace, reporter: Reporter) -> int:
    from builder.draft.sheet import DraftOptions, DraftProblem, write_draft

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
