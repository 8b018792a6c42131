"""Content fields and the node checker that `validate` reads every YAML file with.

Input: YAML nodes from `load`, with their document (path and line offset).
Output: plain values converted at the node's own line, or None after recording a
`ContentError` (unknown or missing keys, wrong types, unknown ids with a did-you-mean).

The `*_FIELDS` tables are the single statement of what each content file may contain;
the README's content section and the hints in error messages follow them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TypeVar

import yaml

from builder.errors import ContentError, ContentWarning, did_you_mean
from builder.load.project import RawDocument
from builder.model import (
    ACTOR_KINDS,
    METRIC_KINDS,
    PERIOD_PRECISIONS,
    QUALIFIERS,
    FuzzyDate,
    SourceRef,
)
from builder.validate.scalars import VAGUE_QUANTITIES, has_foreign_digits, parse_date, parse_number

T = TypeVar("T")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Titles are headlines: past this they are surely a paste gone wrong. Every page that lists
# a title pays for each character, Pagefind most (a 1 MB title cost it 4 s, 10 MB 40 s).
MAX_TITLE_CHARACTERS = 500
COUNT_PATTERN = re.compile(r"^[1-9][0-9]{0,5}$")
ID_HINT = "use lowercase letters, digits and single hyphens, e.g. 'russia-defence-ministry'"


@dataclass(frozen=True)
class Field:
    required: bool
    description: str  # shown in "missing field" hints and documented in the README


OCCURRENCE_FIELD = Field(
    False,
    "which occurrence of the quote in the seed is meant, 1 for the first; "
    "required when the quote occurs more than once",
)
SITE_FIELDS = {
    "title": Field(True, "the archive's name"),
    "description": Field(True, "one sentence on what the archive holds"),
    "language": Field(True, "a language tag such as 'en'"),
    "base_url": Field(True, "the absolute URL the site is served from, ending in '/'"),
    "headline_metric": Field(False, "the metric id the home page charts; else the most claimed"),
    "comparison": Field(False, "settings for comparing claims: window_days, about_tolerance"),
    "license": Field(False, "the reuse terms of content and data: name and url"),
}
LICENSE_FIELDS = {
    "name": Field(True, "the licence's short name, e.g. 'CC BY 4.0'"),
    "url": Field(True, "the absolute http(s) URL of the licence text"),
}
COMPARISON_FIELDS = {
    "window_days": Field(False, "levels further apart than this many days are not compared (7)"),
    "about_tolerance": Field(False, "how far 'about' widens a value either way, a fraction (0.1)"),
}
METRIC_FIELDS = {
    "label": Field(True, "a short human name"),
    "unit": Field(True, "what the numbers count: percent, people, neighbourhoods, ..."),
    "description": Field(True, "one sentence saying exactly what is counted"),
    "scope": Field(True, "what it counts over, e.g. 'the besieged east' or 'the whole city'"),
    "kind": Field(True, "one of: " + ", ".join(METRIC_KINDS)),
    "window_days": Field(False, "levels only: overrides the site's comparison window_days"),
    "related": Field(False, "other metrics shown with this one: '- metric: id' and 'compare:'"),
}
RELATED_FIELDS = {
    "metric": Field(True, "the related metric's id"),
    "compare": Field(True, "true: the same population in other words; false: side by side"),
}
ACTOR_FIELDS = {
    "name": Field(True, "the actor's usual name"),
    "kind": Field(True, "one of: " + ", ".join(ACTOR_KINDS)),
    "aliases": Field(False, "surface forms exactly as written in the seeds"),
    "part_of": Field(False, "ids of actors this one belongs to"),
    "summary": Field(True, "a few sentences of Markdown"),
    "not_in": Field(False, "phrases in which an alias names something else, e.g. 'rural Damascus'"),
}
ARTICLE_FIELDS = {
    "title": Field(True, "the headline"),
    "outlet": Field(True, "who published the article"),
    "published": Field(True, "publication date, YYYY-MM-DD"),
    "seed": Field(True, "the raw text's file name under seeds/"),
    "status": Field(False, "draft or published (the default); a draft is built only with --drafts"),
    "events": Field(False, "dated events the article reports"),
    "figures": Field(False, "numbers the article reports"),
    "quotes": Field(False, "notable direct quotations"),
    "url": Field(False, "the original article's http(s) address"),
    "outlet_inferred": Field(False, "present when the outlet is inferred: reason and evidence"),
    "published_inferred": Field(False, "present when the date is inferred: reason and evidence"),
    "skipped": Field(False, "numbers or dates in the seed deliberately not recorded"),
}
INFERENCE_FIELDS = {
    "reason": Field(True, "why the editor infers it, in a sentence"),
    "evidence": Field(False, "verbatim passages of the seed that support it"),
}
SKIPPED_FIELDS = {
    "quote": Field(True, "the seed passage holding the number or date, verbatim"),
    "reason": Field(True, "why it is not recorded, e.g. 'an age, not a count'"),
}
EVENT_FIELDS = {
    "id": Field(False, "kebab-case; the same id in several articles makes one timeline entry"),
    "date": Field(True, "YYYY-MM-DD, or YYYY-MM when only the month is known"),
    "date_label": Field(False, "the source's wording for an approximate date"),
    "title": Field(True, "a short factual title"),
    "actors": Field(False, "ids of the actors involved"),
    "place": Field(False, "where it happened, only as the source states it, e.g. 'Geneva'"),
    "quote": Field(True, "the sentence it comes from, verbatim"),
    "occurrence": OCCURRENCE_FIELD,
}
FIGURE_FIELDS = {
    "id": Field(False, "kebab-case; else the id is derived from the figure's content"),
    "metric": Field(True, "a metric id from content/metrics.yaml"),
    "value": Field(
        True, "a number, [low, high] for a range, or one of: " + ", ".join(VAGUE_QUANTITIES)
    ),
    "qualifier": Field(True, "one of: " + ", ".join(QUALIFIERS)),
    "as_of": Field(True, "the date the figure describes"),
    "claimant": Field(False, "id of the actor who said it (omit if unattributed)"),
    "projected": Field(False, "true for a forecast"),
    "note": Field(False, "a short clarification"),
    "quote": Field(True, "the sentence it comes from, verbatim"),
    "period": Field(False, "the window counted: from, to, text, precision"),
    "part": Field(False, "the part of the metric's scope counted, e.g. 'from one area alone'"),
    "of": Field(False, "the id of the figure for the whole, in the same article"),
    "occurrence": OCCURRENCE_FIELD,
}
PERIOD_FIELDS = {
    "from": Field(False, "the first day counted, YYYY-MM-DD"),
    "to": Field(False, "the last day counted (counts in a period); defaults to as_of"),
    "text": Field(True, "the source's words, e.g. 'over the weekend'"),
    "precision": Field(False, "one of: " + ", ".join(PERIOD_PRECISIONS) + " (default exact)"),
}
QUOTE_FIELDS = {
    "id": Field(False, "kebab-case; else the id is derived from speaker and words"),
    "speaker": Field(True, "id of the actor who said it"),
    "quote": Field(True, "the words, verbatim from the seed"),
    "occurrence": OCCURRENCE_FIELD,
}


@dataclass
class Checker:
    """Collects problems for one document; every reader returns None after recording one."""

    document: RawDocument
    errors: list[ContentError] = field(default_factory=list)
    warnings: list[ContentWarning] = field(default_factory=list)

    def line(self, node: yaml.Node) -> int:
        return node.start_mark.line + self.document.line_offset

    def fail(self, node: yaml.Node | None, message: str, hint: str = "") -> None:
        line = self.line(node) if node is not None else self.document.line_offset
        self.errors.append(ContentError(self.document.path, line, message, hint))

    def warn(self, node: yaml.Node | None, message: str, hint: str = "") -> None:
        line = self.line(node) if node is not None else self.document.line_offset
        self.warnings.append(ContentWarning(self.document.path, line, message, hint))

    def source(self, node: yaml.Node | None) -> SourceRef:
        line = self.line(node) if node is not None else self.document.line_offset
        return SourceRef(self.document.path, line)

    def mapping(
        self, node: yaml.Node | None, fields: dict[str, Field], what: str
    ) -> dict[str, yaml.Node] | None:
        """Keys -> value nodes; reports duplicate, unknown and missing keys."""
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping of 'key: value' lines", _field_list(fields))
            return None
        found: dict[str, yaml.Node] = {}
        misspelt: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in found:
                self.fail(key_node, f"duplicate key '{key}' in {what}", "keep only one of them")
            elif key not in fields:
                hint = did_you_mean(key, fields)
                self.fail(key_node, f"unknown field '{key}' in {what}", hint)
                misspelt.update(name for name in fields if f"'{name}'" in hint)
            else:
                found[key] = value_node
        for name, spec in fields.items():
            # A misspelt field is reported once, as unknown, not again as missing.
            if spec.required and name not in found and name not in misspelt:
                self.fail(node, f"missing required field '{name}' in {what}", spec.description)
        return found

    def text(self, node: yaml.Node, name: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
            self.fail(node, f"'{name}' must be text", "write it on the same line, quoted if needed")
            return None
        value = str(node.value).strip()
        if not value:
            self.fail(node, f"'{name}' is empty", "write the text, or remove the field if optional")
            return None
        return value

    def title(self, node: yaml.Node, name: str) -> str | None:
        """One line of text of at most MAX_TITLE_CHARACTERS characters."""
        value = self.text(node, name)
        if value is not None and len(value) > MAX_TITLE_CHARACTERS:
            self.fail(
                node,
                f"'{name}' is {len(value):,} characters long; the limit is {MAX_TITLE_CHARACTERS}",
                "shorten it to the headline",
            )
            return None
        return value

    def identifier(self, node: yaml.Node, name: str) -> str | None:
        value = self.text(node, name)
        if value is not None and not ID_PATTERN.match(value):
            self.fail(node, f"'{name}' {value!r} is not a valid id", ID_HINT)
            return None
        return value

    def reference(self, node: yaml.Node, name: str, known: dict[str, T], what: str) -> str | None:
        value = self.text(node, name)
        if value is not None and value not in known:
            self.fail(node, f"unknown {what} '{value}' in '{name}'", did_you_mean(value, known))
            return None
        return value

    def sequence(self, node: yaml.Node, name: str) -> list[yaml.Node]:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"'{name}' must be a list", "write '- item' lines, or [a, b]")
            return []
        return list(node.value)

    def date(
        self, node: yaml.Node, name: str, label: str | None = None, *, exact: bool = False
    ) -> FuzzyDate | None:
        value = self.text(node, name)
        if value is None:
            return None
        parsed, problem = parse_date(value, label)
        if problem:
            self.fail(
                node, f"'{name}' {value!r}: {problem}", "write YYYY-MM-DD, or YYYY-MM for a month"
            )
            return None
        if exact and parsed is not None and not parsed.is_exact:
            self.fail(node, f"'{name}' {value!r} must be a full date", "write YYYY-MM-DD")
            return None
        if has_foreign_digits(value):
            self.warn(node, f"'{name}' {value!r} has digits other than 0-9", "write it with 0-9")
        return parsed

    def number(self, node: yaml.Node, name: str, hint: str) -> float | None:
        value, problem = (
            parse_number(node) if isinstance(node, yaml.ScalarNode) else (None, "a list or mapping")
        )
        if problem:
            self.fail(node, f"'{name}' must be a number, not {problem}", hint)
        return value

    def whole_number(self, node: yaml.Node, name: str) -> int | None:
        value = self.number(node, name, "write a whole number of days, e.g. 7")
        if value is not None and value != int(value):
            self.fail(node, f"'{name}' must be a whole number, not {value:g}", "e.g. 7")
            return None
        return None if value is None else int(value)

    def choice(self, node: yaml.Node, name: str, choices: tuple[str, ...]) -> str | None:
        value = self.text(node, name)
        if value is not None and value not in choices:
            self.fail(node, f"unknown {name} '{value}'", did_you_mean(value, choices))
            return None
        return value

    def count(self, node: yaml.Node, name: str) -> int | None:
        """A whole number from 1 up."""
        value = str(node.value) if isinstance(node, yaml.ScalarNode) else ""
        if node.tag != "tag:yaml.org,2002:int" or not COUNT_PATTERN.match(value):
            self.fail(node, f"'{name}' must be a whole number from 1 up", "e.g. 1 or 2")
            return None
        return int(value)

    def boolean(self, node: yaml.Node, name: str) -> bool | None:
        if isinstance(node, yaml.ScalarNode) and node.value in ("true", "false"):
            return bool(node.value == "true")
        self.fail(node, f"'{name}' must be true or false", "write exactly true or false")
        return None


def _field_list(fields: dict[str, Field]) -> str:
    return "fields: " + ", ".join(f"{k}{'' if f.required else '?'}" for k, f in fields.items())
