"""Load: project folders -> raw records, each YAML value still a node that knows its line.

Input: content/site.yaml, content/metrics.yaml, content/actors/*.yaml,
content/articles/*.md (YAML front matter + Markdown), seeds/*.txt.
Output: `RawProject`. Nothing is interpreted here beyond YAML syntax: values stay
`yaml.Node`s so that `validate` can convert each one itself and name its exact line
(PyYAML's own conversion loses positions, rejects `2016-02-30` without one, and turns
`no` into False). YAML syntax errors are collected, not raised. The fact sheets are read
and parsed one by one as `validate` iterates over them (`ArticleFiles`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from builder.errors import ContentError, ContentWarning
from builder.load.inputs import (
    MAX_CONTENT_BYTES,
    input_problem,
    read_folder_texts,
    read_input_text,
    relative_path,
    tree_problems,
)

FRONT_MATTER_FENCE = "---"
# A `# REVIEW:` comment, as `draft` writes them: at a line's start or after a space (so the
# draft's own instruction "Every '# REVIEW:' line ..." is not one).
REVIEW_MARKER = re.compile(r"(?:^|\s)#\s*REVIEW:\s*(.*?)\s*$")
# libyaml's safe loader where PyYAML was built with it (about 10x faster); both are safe
# and both keep node positions.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class RawDocument:
    """One YAML document. Node lines are 0-based within the YAML text; add `line_offset`."""

    path: str  # relative to the project, forward slashes
    node: yaml.Node | None  # None for an empty document
    line_offset: int  # 1 + lines before the YAML text (so node line + offset is 1-based)
    stem: str  # file name without extension: an actor id or article slug
    # Every YAML tag starts with "!": a text without one has none, and its nodes need no walk.
    may_have_tags: bool = True


@dataclass(frozen=True)
class RawArticle:
    document: RawDocument  # the front matter
    body: str  # the editor's summary, Markdown
    body_line: int  # 1-based line of the body's first line
    review_markers: tuple[tuple[int, str], ...] = ()  # (1-based line, note) of each marker


class ArticleFiles:
    """The fact-sheet files, each read and parsed only as the iteration reaches it, so that
    `validate` holds one front matter's nodes at a time (all of them at once took some
    400 MB at 10,000 articles). What parsing finds wrong (syntax, YAML tags) is appended to
    `problems` as the files are read."""

    def __init__(self, project_dir: Path, paths: Iterable[Path]) -> None:
        self.project_dir = project_dir
        self.paths = tuple(paths)
        self.problems: list[ContentError] = []

    def __iter__(self) -> Iterator[RawArticle]:
        for path in self.paths:
            article = load_article_file(self.project_dir, path, self.problems)
            if article is not None:
                self.problems.extend(tag_warnings(article.document))
                yield article

    def __len__(self) -> int:
        return len(self.paths)


@dataclass(frozen=True)
class RawProject:
    site: RawDocument | None
    metrics: RawDocument | None
    actors: tuple[RawDocument, ...]
    articles: ArticleFiles  # parsed when iterated; their problems in `articles.problems`
    seeds: dict[str, str]  # file name -> text
    errors: tuple[ContentError, ...]  # syntax and file-level problems found while loading
    warnings: tuple[ContentWarning, ...] = ()  # e.g. YAML tags, which are read as plain text


def load_project(
    project_dir: Path, skip_article: Callable[[str], bool] | None = None
) -> RawProject:
    """Read every content file and seed; YAML syntax problems are returned, not raised.
    Fact sheets for which `skip_article` is true of their path relative to the project
    (`content/articles/x.md`) are left unread (their validated records are reused:
    builder/validate/record_cache.py)."""
    errors: list[ContentError] = []
    content = project_dir / "content"
    site = load_yaml_file(project_dir, content / "site.yaml", errors, required=True)
    metrics = load_yaml_file(project_dir, content / "metrics.yaml", errors, required=True)
    actor_entries = folder_entries(content / "actors")
    actors = tuple(
        document
        for entry in actor_entries
        if entry.name.endswith(".yaml")
        and (document := load_yaml_file(project_dir, Path(entry.path), errors)) is not None
    )
    article_entries = folder_entries(content / "articles")
    articles = ArticleFiles(
        project_dir,
        [
            content / "articles" / entry.name
            for entry in article_entries
            if entry.name.endswith(".md")
            and not (skip_article and skip_article(f"content/articles/{entry.name}"))
        ],
    )
    report_stray_files(project_dir, {"actors": actor_entries, "articles": article_entries}, errors)
    seeds = read_folder_texts(project_dir, project_dir / "seeds", ".txt", errors)
    errors.extend(theme_problems(project_dir))
    documents = [site, metrics, *actors]
    warnings = tuple(
        warning for document in documents if document for warning in tag_warnings(document)
    )
    return RawProject(site, metrics, actors, articles, seeds, tuple(errors), warnings)


def folder_entries(folder: Path) -> list[os.DirEntry[str]]:
    """The entries of `folder`, hidden ones too, in name order; none when it cannot be
    listed. One listing serves both the files read and the stray files reported: at 10,000
    sheets a `Path` per entry, and a stat per `is_file`, took half a second."""
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda entry: entry.name)
    except OSError:
        return []


def theme_problems(project_dir: Path) -> list[ContentError]:
    """A project's own templates/, when it has one, must be a folder of regular files inside
    the project; without one, the packaged default theme is used."""
    templates = project_dir / "templates"
    if not templates.exists() and not templates.is_symlink():
        return []
    problem = input_problem(project_dir, templates, folder=True)
    if problem is not None:
        return [problem]
    return tree_problems(project_dir, templates)


def load_yaml_file(
    project_dir: Path, path: Path, errors: list[ContentError], *, required: bool = False
) -> RawDocument | None:
    rel = relative_path(project_dir, path)
    if not required and not path.exists() and not path.is_symlink():
        return None
    text = read_input_text(project_dir, path, errors, MAX_CONTENT_BYTES)
    if text is None:
        return None
    return compose_yaml(text, rel, 1, path.stem, errors)


def load_article_file(
    project_dir: Path, path: Path, errors: list[ContentError]
) -> RawArticle | None:
    rel = relative_path(project_dir, path)
    text = read_input_text(project_dir, path, errors, MAX_CONTENT_BYTES)
    if text is None:
        return None
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        errors.append(
            ContentError(
                rel,
                1,
                "no YAML front matter",
                "start the file with a line '---', the fields, "
                "then another '---' line and the summary",
            )
        )
        return None
    closing = next(
        (n for n in range(1, len(lines)) if lines[n].strip() == FRONT_MATTER_FENCE), None
    )
    if closing is None:
        errors.append(
            ContentError(
                rel, 1, "front matter is never closed", "add a line '---' after the fields"
            )
        )
        return None
    front = "".join(lines[1:closing])
    document = compose_yaml(front, rel, 2, path.stem, errors)
    if document is None:
        return None
    body = "".join(lines[closing + 1 :])
    return RawArticle(document, body, closing + 2, find_review_markers(lines))


def find_review_markers(lines: list[str]) -> tuple[tuple[int, str], ...]:
    """(line, note) of every `# REVIEW:` comment in a fact-sheet file."""
    return tuple(
        (number, found.group(1))
        for number, line in enumerate(lines, start=1)
        if (found := REVIEW_MARKER.search(line))
    )


def compose_yaml(
    text: str, rel: str, line_offset: int, stem: str, errors: list[ContentError]
) -> RawDocument | None:
    """Parse one YAML document safely into nodes (no tags, no objects are constructed)."""
    try:
        node = yaml.compose(text, Loader=SAFE_LOADER)
    except yaml.reader.ReaderError as error:
        # A character YAML forbids (NUL, other control characters): report the line it is
        # on, in one line (PyYAML's own message spans two and counts from the YAML text).
        character = chr(error.character) if isinstance(error.character, int) else "?"
        found = text.find(character)
        position = found if found >= 0 else error.position
        errors.append(
            ContentError(
                rel,
                text.count("\n", 0, position) + line_offset,
                f"malformed YAML: character U+{ord(character):04X} is not allowed",
                "delete it; control characters cannot appear in YAML",
            )
        )
        return None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = (mark.line + line_offset) if mark is not None else line_offset
        problem = error.problem or error.context or "invalid YAML"
        errors.append(
            ContentError(
                rel,
                line,
                f"malformed YAML: {problem}",
                "check indentation, colons and quotes; quote text that contains ': ' or '#'",
            )
        )
        return None
    except yaml.YAMLError as error:
        errors.append(ContentError(rel, line_offset, f"malformed YAML: {error}", "fix the syntax"))
        return None
    return RawDocument(rel, node, line_offset, stem, may_have_tags="!" in text)


def tag_warnings(document: RawDocument) -> list[ContentWarning]:
    """A warning for every explicit YAML tag (`!!python/object`, `!foo`, `!!str 5`).

    Tags are never acted on (values are converted from the nodes here, by field), so a tag
    only hides what the value really is.
    """
    resolver = yaml.resolver.Resolver()
    warnings: list[ContentWarning] = []
    pending = [document.node] if document.node is not None and document.may_have_tags else []
    seen: set[int] = set()  # anchors can share (or loop back to) a node
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            plain = node.style in (None, "")
            implicit = (plain, not plain)
            untagged = resolver.resolve(yaml.ScalarNode, node.value, implicit)  # type: ignore[no-untyped-call]
        elif isinstance(node, yaml.SequenceNode):
            untagged = resolver.DEFAULT_SEQUENCE_TAG
            pending.extend(node.value)
        else:
            untagged = resolver.DEFAULT_MAPPING_TAG
            pending.extend(item for pair in node.value for item in pair)
        if node.tag != untagged:
            warnings.append(
                ContentWarning(
                    document.path,
                    node.start_mark.line + document.line_offset,
                    f"YAML tag {node.tag!r} is ignored",
                    "remove the tag; values are read by their field, never by a tag",
                )
            )
    return warnings


def report_stray_files(
    project_dir: Path, listed: Mapping[str, list[os.DirEntry[str]]], errors: list[ContentError]
) -> None:
    """Files that look like content but would be silently ignored are mistakes. `listed`:
    content/actors/ and content/articles/, by folder name, as `folder_entries` gives them."""
    for folder, expected in (("actors", ".yaml"), ("articles", ".md")):
        for entry in listed[folder]:
            name = entry.name
            if not name.endswith(expected) and not name.startswith(".") and entry.is_file():
                errors.append(
                    ContentError(
                        f"content/{folder}/{name}",
                        0,
                        f"ignored file: only *{expected} files belong in content/{folder}/",
                        f"rename it to end in {expected}, or move it elsewhere",
                    )
                )
