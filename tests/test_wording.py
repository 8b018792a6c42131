"""Reader-facing wording and spacing on the real build: what a reader sees, copies or finds.

Internal words ("seed") stay out of every page's text and the attributes a reader is shown, and
a badge never runs into the word before it ("2011approximate date") in the text content that
copy-paste and the search index take.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.htmlparse import Element, parse_html, parse_page

# Attributes whose values a reader sees or hears (tooltips, labels, alternatives, meta text).
SHOWN_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder", "content", "value")
INTERNAL_WORD = re.compile(r"\bseeds?\b", re.IGNORECASE)
HIDDEN_TEXT_TAGS = frozenset({"script", "style"})


def site_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.relative_to(site).parts)


def shown_text(element: Element) -> str:
    """The text a reader can see or copy: everything but scripts and styles."""
    if element.tag in HIDDEN_TEXT_TAGS:
        return ""
    return "".join(c if isinstance(c, str) else shown_text(c) for c in element.children)


def shown_attribute_values(element: Element) -> list[str]:
    return [e.attrs[name] for e in element.iter() for name in SHOWN_ATTRIBUTES if name in e.attrs]


def internal_words(page: Element) -> list[str]:
    """Every phrase around an internal word in a page's text or shown attributes."""
    texts = [shown_text(page), *shown_attribute_values(page)]
    return [
        text[max(0, hit.start() - 40) : hit.end() + 40]
        for text in texts
        for hit in INTERNAL_WORD.finditer(text)
    ]


def test_no_page_shows_a_reader_the_word_seed(built_site: Path) -> None:
    pages = site_pages(built_site)
    assert len(pages) > 10
    found = {
        page.relative_to(built_site).as_posix(): words
        for page in pages
        if (words := internal_words(parse_page(page)))
    }
    assert not found, f"say 'source text', not 'seed': {found}"


def test_the_wording_check_catches_a_seed() -> None:
    page = parse_html('<p>The seed says <abbr title="seed text">so</abbr></p><script>seed</script>')
    assert len(internal_words(page)) == 2


def badges_glued_to_text(page: Element) -> list[str]:
    """Badges whose text runs straight on from the text before them, as copy-paste gives it."""
    glued = []
    for badge in page.find_all(class_="badge"):
        parent = badge.parent
        assert parent is not None
        before = parent.children[: parent.children.index(badge)]
        text_before = "".join(c if isinstance(c, str) else c.raw_text() for c in before)
        if text_before and not text_before[-1].isspace() and text_before[-1] not in "([":
            glued.append(f"{text_before[-20:]!r} + {badge.text()!r}")
    return glued


def test_badges_are_set_off_by_a_space_in_the_text(built_site: Path) -> None:
    kinds = ("timeline/index.html", "actors/lavrov/index.html", "figures/index.html")
    pages = [built_site / kind for kind in kinds] + site_pages(built_site / "articles")
    found = {
        page.relative_to(built_site).as_posix(): glued
        for page in pages
        if (glued := badges_glued_to_text(parse_page(page)))
    }
    assert not found, f"badges run into the text before them: {found}"
