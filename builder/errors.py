"""Content errors as values: `path:line: message (hint)`.

A content error is a mistake in `content/` or `seeds/` that an editor must fix. It is never a
bug in the builder, so it is reported without a traceback. Stages collect every problem they
find and raise one `ContentErrors` at the end, so a single run lists all of them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

# Characters that could change what a terminal or a CI log shows: C0/C1 controls (ANSI
# escapes, newlines that could forge a `::error` line), line and paragraph separators, and
# the bidirectional overrides and isolates.
UNSAFE_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True, order=True)
class ContentError:
    path: str  # relative to the project root, with forward slashes
    line: int  # 1-based; 0 when the problem concerns a whole file
    message: str
    hint: str = ""

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}:"

    @property
    def explanation(self) -> str:
        """The message and its hint, without the location."""
        return f"{self.message} ({self.hint})" if self.hint else self.message

    def __str__(self) -> str:
        return f"{self.location} {self.explanation}"


class ContentWarning(ContentError):
    """Accepted, but probably a mistake: printed by check and build, an error under --strict."""


class ContentErrors(Exception):
    """Every content problem found in one run, sorted by path and line (and the warnings)."""

    def __init__(
        self, errors: Iterable[ContentError], warnings: Iterable[ContentWarning] = ()
    ) -> None:
        self.errors: tuple[ContentError, ...] = tuple(sorted(set(errors)))
        self.warnings: tuple[ContentWarning, ...] = tuple(sorted(set(warnings)))
        super().__init__("\n".join(str(error) for error in self.errors))


def escape_controls(text: str) -> str:
    """`text` with every control character written as an escape, so it prints as one line."""
    return UNSAFE_CHARACTERS.sub(lambda match: escape_character(match.group(0)), text)


def escape_character(character: str) -> str:
    code = ord(character)
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if character in named:
        return named[character]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """A hint naming the closest choice, or listing a few valid ones when none is close."""
    options = sorted(choices)
    close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if not options:
        return "none are defined yet"
    shown = ", ".join(options[:8])
    more = f", ... ({len(options)} in all)" if len(options) > 8 else ""
    return f"known: {shown}{more}"
