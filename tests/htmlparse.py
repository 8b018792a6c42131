"""A small HTML parser for tests: a page becomes a tree of `Element`s to query.

    page = parse_html(path.read_text())
    page.by_id("event-hanano").text()        # text content, whitespace collapsed
    page.find_all("a", class_="fact-link")   # by tag and attributes (class_ matches one class)
    page.hrefs()                              # every href in document order
    page.select("main", "h2")                 # h2 elements anywhere inside <main>

Stdlib only (html.parser). Void elements never take children; unclosed <p>/<li> are closed by
their parent's end tag, which is enough for the pages this project writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    | {"track", "wbr"}
)


@dataclass(eq=False)  # elements compare and hash by identity, like DOM nodes
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = field(default=None, repr=False)

    def get(self, name: str, default: str = "") -> str:
        return self.attrs.get(name, default)

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(self.get("class").split())

    def iter(self) -> Iterator[Element]:
        """This element and every element below it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def text(self) -> str:
        """The text content with runs of whitespace collapsed to one space."""
        return re.sub(r"\s+", " ", self.raw_text()).strip()

    def raw_text(self) -> str:
        return "".join(c if isinstance(c, str) else c.raw_text() for c in self.children)

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        """Descendants (and self) matching tag and attributes; `class_` matches one class."""
        return [e for e in self.iter() if matches(e, tag, attrs)]

    def find(self, tag: str | None = None, **attrs: str) -> Element | None:
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def select(self, *tags: str) -> list[Element]:
        """Descendant chain: select("main", "section", "h2")."""
        current = [self]
        for tag in tags:
            current = [e for c in current for e in c.find_all(tag) if e is not c]
        return unique(current)

    def by_id(self, element_id: str) -> Element | None:
        return next((e for e in self.iter() if e.get("id") == element_id), None)

    def ids(self) -> list[str]:
        return [e.attrs["id"] for e in self.iter() if "id" in e.attrs]

    def hrefs(self) -> list[str]:
        return [e.attrs["href"] for e in self.iter() if "href" in e.attrs]

    def links(self) -> list[tuple[str, str]]:
        """(href, text) of every <a href>."""
        return [
            (e.attrs["href"], e.text()) for e in self.iter() if e.tag == "a" and "href" in e.attrs
        ]

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


def unique(elements: list[Element]) -> list[Element]:
    return list(dict.fromkeys(elements))


def matches(element: Element, tag: str | None, attrs: dict[str, str]) -> bool:
    if tag is not None and element.tag != tag:
        return False
    for name, value in attrs.items():
        if name == "class_":
            if value not in element.classes:
                return False
        elif element.attrs.get(name.replace("_", "-")) != value:
            return False
    return True


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, parent=self.stack[-1])
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(
            Element(tag, {k: v or "" for k, v in attrs}, parent=self.stack[-1])
        )

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Element:
    """The document root (tag "#document")."""
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def parse_page(path: Path) -> Element:
    return parse_html(path.read_text(encoding="utf-8"))


def resolve_link(from_page: str, href: str) -> tuple[str, str]:
    """A relative href seen on the site page `from_page` ("actors/x/index.html") ->
    (target output file, fragment): ("articles/y/index.html", "p12-40")."""
    path, _, fragment = href.partition("#")
    if not path:
        return from_page, fragment
    parts = from_page.split("/")[:-1]
    for part in path.split("/"):
        if part == "..":
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    target = "/".join(parts)
    if path.endswith("/") or path in (".", "./") or not target:
        target = f"{target}/index.html" if target else "index.html"
    return target, fragment
