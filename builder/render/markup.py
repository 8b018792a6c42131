"""The one Markdown parser for editor-written text (summaries), shared by pages and feeds.

markdown-it-py's `js-default` preset: CommonMark with raw HTML off and unsafe link schemes
(javascript:, vbscript:, most data:) refused, since all content is untrusted.
"""

from markdown_it import MarkdownIt

MARKDOWN = MarkdownIt("js-default")
