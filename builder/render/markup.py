"""The one Markdown parser for editor-written text (summaries), shared by pages and feeds,
and the escaping of text into HTML where render builds HTML itself.

markdown-it-py's `js-default` preset: CommonMark with raw HTML off and unsafe link schemes
(javascript:, vbscript:, most data:) refused, since all content is untrusted.
"""

from collections.abc import Callable

import markupsafe
from markdown_it import MarkdownIt

MARKDOWN = MarkdownIt("js-default")


def escape_output(value: object) -> str:
    """What `{{ value }}` writes under autoescape, as markupsafe's `escape` has it, but a
    plain `str`: the output of a template is joined into one string and never escaped
    again, so wrapping each of the ~800 values of a page in a `Markup` (a Python-level
    constructor, a fifth of render's time) is wasted."""
    if type(value) is str:
        return escape_text(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return escape_text(str(value))


def markupsafe_escape_text(text: str) -> str:
    return str(markupsafe.escape(text))


# markupsafe's C escaper of a plain `str` (private, hence the fallback).
escape_text: Callable[[str], str] = getattr(markupsafe, "_escape_inner", markupsafe_escape_text)
