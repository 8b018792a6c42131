"""What the command line prints: results, progress, errors; colour only on a terminal.

Input: the streams to write to and the user's --quiet/--verbose choice.
Output: lines on stdout (results, progress) and stderr (errors). Colour is used only when
the stream is a TTY and NO_COLOR is unset (https://no-color.org), so logs and pipes get
plain text. Every message is one line: control characters from the content (ANSI escapes,
newlines in a YAML key) are printed as escapes, so they can neither paint the terminal nor
forge a CI annotation such as `::error`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TextIO

from builder.errors import ContentError, ContentWarning, escape_controls
from builder.index import Archive

RED, GREEN, YELLOW, DIM, RESET = "\033[31m", "\033[32m", "\033[33m", "\033[2m", "\033[0m"


def wants_colour(stream: TextIO) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ


@dataclass
class Reporter:
    """Prints for one command run. `quiet` keeps only errors; `verbose` adds progress lines."""

    quiet: bool = False
    verbose: bool = False
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)

    def paint(self, stream: TextIO, colour: str, text: str) -> str:
        """`text` made safe to print (one line, no control characters), coloured on a TTY."""
        safe = escape_controls(text)
        return f"{colour}{safe}{RESET}" if wants_colour(stream) else safe

    def result(self, text: str) -> None:
        """The one-line outcome of a command."""
        if not self.quiet:
            print(self.paint(self.out, GREEN, text), file=self.out, flush=True)

    def info(self, text: str) -> None:
        if not self.quiet:
            print(escape_controls(text), file=self.out, flush=True)

    def progress(self, stage: str, seconds: float | None = None) -> None:
        """A build stage: on a terminal, its name as it starts; with --verbose, its name and
        time once it is done."""
        if self.quiet:
            return
        if seconds is None and self.out.isatty() and not self.verbose:
            print(self.paint(self.out, DIM, f"  {stage} ..."), file=self.out, flush=True)
        elif seconds is not None and self.verbose:
            print(f"  {stage:<22} {seconds:6.2f} s", file=self.out, flush=True)

    def detail(self, text: str) -> None:
        if self.verbose and not self.quiet:
            print(escape_controls(text), file=self.out, flush=True)

    def warning(self, text: str) -> None:
        label = self.paint(self.err, YELLOW, "warning:")
        print(f"{label} {escape_controls(text)}", file=self.err, flush=True)

    def error(self, text: str) -> None:
        print(
            f"{self.paint(self.err, RED, 'error:')} {escape_controls(text)}",
            file=self.err,
            flush=True,
        )

    def content_warnings(self, warnings: Sequence[ContentWarning]) -> None:
        """Every warning as `path:line: warning: message (hint)`, as compilers print them."""
        for warning in warnings:
            location = self.paint(self.err, YELLOW, f"{warning.location} warning:")
            print(f"{location} {escape_controls(warning.explanation)}", file=self.err, flush=True)

    def problems(self, errors: Sequence[ContentError]) -> None:
        """Every problem as `path:line: message (hint)`, one a line, in the order given."""
        # Exactly `path:line: message (hint)` at the start of the line, as compilers print
        # it, so that editors and CI annotators can jump to the place.
        for problem in errors:
            location = self.paint(self.err, RED, problem.location)
            print(f"{location} {escape_controls(problem.explanation)}", file=self.err, flush=True)

    def content_errors(
        self, errors: Sequence[ContentError], warnings: Sequence[ContentWarning] = ()
    ) -> None:
        """Every warning and problem as `path:line: message (hint)`, then how many."""
        self.content_warnings(warnings)
        self.problems(errors)
        if errors:
            noun = "problem" if len(errors) == 1 else "problems"
            summary = f"{len(errors)} content {noun}; nothing was written"
        else:
            summary = (
                f"{count_phrase(len(warnings), 'warning')} under --strict; nothing was written"
            )
        print(self.paint(self.err, RED, summary), file=self.err, flush=True)


def count_phrase(count: int, noun: str) -> str:
    """`1 article`, `5 articles`, `1 quote`."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def archive_counts(archive: Archive) -> str:
    """`5 articles, 48 events, 30 figures, 27 quotes, 55 actors`."""
    return ", ".join(
        (
            count_phrase(len(archive.articles), "article"),
            count_phrase(len(archive.events), "event"),
            count_phrase(len(archive.figures), "figure"),
            count_phrase(len(archive.quotes), "quote"),
            count_phrase(len(archive.actors), "actor"),
        )
    )
