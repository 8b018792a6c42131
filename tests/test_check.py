"""The link check: every internal href/src and #fragment must resolve, or the build fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.check.links import (
    LinkChecks,
    RenderedFiles,
    check_links,
    check_rendered_links,
    checked_link,
    resolve,
)
from builder.errors import ContentErrors


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_resolve_relative_links() -> None:
    assert resolve("articles/a/index.html", "../../timeline/") == "timeline/index.html"
    assert resolve("index.html", "static/site.css") == "static/site.css"
    assert resolve("index.html", "./") == "index.html"
    assert resolve("index.html", "../x/") is None


@pytest.mark.parametrize(
    ("page", "link", "expected"),
    [
        # The links `rel` makes: climb to the root, then down (resolved without parsing).
        ("actors/a/index.html", "../../articles/x/", "articles/x/index.html"),
        ("actors/a/index.html", "../../", "index.html"),
        ("actors/a/index.html", "../../static/site.css", "static/site.css"),
        # Anything else takes the segment-by-segment way.
        ("actors/a/index.html", "../b/", "actors/b/index.html"),
        ("actors/a/index.html", "../../articles/./x/", "articles/x/index.html"),
        ("actors/a/index.html", "../../articles//x/../y/", "articles/y/index.html"),
        ("actors/a/index.html", "../../articles/.", "articles"),
        ("actors/a/index.html", "../../../x/", None),
        ("actors/a/index.html", "../..//x", "x"),
    ],
)
def test_resolve_gives_the_same_file_by_either_way(
    page: str, link: str, expected: str | None
) -> None:
    assert resolve(page, link) == expected


def test_good_links_pass(tmp_path: Path) -> None:
    site = write(
        tmp_path,
        {
            "index.html": '<a href="a/#m1">x</a><a href="https://e.org/">e</a><img src="i.png">'
            '<a href="#top" id="top">t</a>',
            "a/index.html": '<mark id="m1">m</mark><a href="../">home</a>',
            "i.png": "",
        },
    )
    check_links(site)


def test_broken_links_name_page_line_and_link(tmp_path: Path) -> None:
    site = write(
        tmp_path,
        {
            "index.html": '<p>\n<a href="a/#nope">x</a>\n<a href="missing/">y</a>'
            '<a href="/abs/">z</a><a href="a">f</a>',
            "a/index.html": "<p>a</p>",
        },
    )
    with pytest.raises(ContentErrors) as caught:
        check_links(site)
    messages = [str(error) for error in caught.value.errors]
    # The page's path in the site: the staging folder it was checked in is deleted on failure.
    assert messages == [
        "index.html:2: broken link 'a/#nope': no element with id 'nope' in a/index.html "
        "(fix the template or content that produced it)",
        "index.html:3: broken link '/abs/': root-absolute links break under a sub-path; "
        "use a relative link (fix the template or content that produced it)",
        "index.html:3: broken link 'a': a link to a folder must end in '/' "
        "(fix the template or content that produced it)",
        "index.html:3: broken link 'missing/': no file missing/index.html "
        "(fix the template or content that produced it)",
    ]


def test_tag_like_text_in_scripts_and_comments_is_not_a_link(tmp_path: Path) -> None:
    site = write(
        tmp_path,
        {
            "index.html": '<script src="s.js">var a = \'<a href="nowhere/">\';</script>\n'
            '<!-- <a href="gone/"> -->\n<p title="a &gt; b" id=top><a href=\'#top\'>t</a>'
            '<a href="a/?q=1&amp;r=2#m1">q</a>',
            "s.js": "",
            "a/index.html": '<mark id="m1">m</mark>',
        },
    )
    check_links(site)


def test_the_check_of_rendered_links_gives_the_same_errors_without_reading_files() -> None:
    page = (
        '<p>\n<a href="a/#nope">x</a>\n<a href="missing/">y</a><a href="/abs/">z</a>'
        '<a href="a">f</a>'
    )
    files = {"index.html": page.encode(), "a/index.html": b'<p id="m1">a</p>', "i.png": b""}
    links = {
        "index.html": ["a/#nope", "missing/", "/abs/", "a", "a/#m1", "i.png", "https://e.org/"]
    }
    with pytest.raises(ContentErrors) as caught:
        check_rendered_links(links, files, shown_as="_site")
    assert [str(error) for error in caught.value.errors] == [
        "_site/index.html:2: broken link 'a/#nope': no element with id 'nope' in a/index.html "
        "(fix the template or content that produced it)",
        "_site/index.html:3: broken link '/abs/': root-absolute links break under a sub-path; "
        "use a relative link (fix the template or content that produced it)",
        "_site/index.html:3: broken link 'a': a link to a folder must end in '/' "
        "(fix the template or content that produced it)",
        "_site/index.html:3: broken link 'missing/': no file missing/index.html "
        "(fix the template or content that produced it)",
    ]
    check_rendered_links({"index.html": ["a/#m1", "i.png", "./"]}, files, shown_as="_site")


def naive_link_check(
    links: dict[str, list[str]], files: dict[str, bytes]
) -> tuple[list[tuple[str, str, str]], set[str], set[str]]:
    """Every link of every page checked on its own: what the shared checks must equal.
    The broken links as (page, link, problem)."""
    site = RenderedFiles(files)
    problems, targets, anchored = [], set(), set()
    for page, page_links in links.items():
        for url in sorted(set(page_links)):
            target, into_page, problem = checked_link(site, page, url)
            if problem:
                problems.append((page, url, problem))
            elif target:
                targets.add(target)
                if into_page:
                    anchored.add(target)
    return problems, targets, anchored


@pytest.mark.parametrize("max_known", [1, 3, 100_000])
def test_links_checked_once_per_scope_check_out_as_each_on_its_own(
    monkeypatch: pytest.MonkeyPatch, max_known: int
) -> None:
    # The same link text from pages in other folders, at the same or another depth, in
    # folders that climbing out of does not leave at the root, with and without fragments.
    files = {
        "index.html": b'<p id="top">',
        "a/x/index.html": b'<p id="m1"> <p id="m%2">',
        "a/z/index.html": b'<p id="m1">',
        "b/y/index.html": b'<p id="m3">',
        "b/index.html": b"",
        "c/./d/index.html": b'<p id="m1">',
        "i.png": b"",
    }
    urls = [
        "../z/", "../z/#m1", "../z/#m3", "../../a/z/#m1", "../../a/x/#m%252", "../../a/x/#m%2",
        "../../b/y/#m3", "../../b/y/#m1", "../../", "../../#top", "../../#none", "#m1", "#m3",
        "?q#m1", "../../i.png", "../../i.png#m1", "../../b", "../../../x", "x:y", "https://e/",
        "//e/", "/abs/", "../../c/./d/#m1", "../d/", ".", "./#m1", "../../a/x/?q=1#m1",
    ]  # fmt: skip
    links = {page: urls for page in files if page.endswith(".html")}
    monkeypatch.setattr(LinkChecks, "MAX_KNOWN", max_known)
    problems, targets, anchored = naive_link_check(links, files)
    assert problems  # the case holds broken links and good ones
    assert anchored
    with pytest.raises(ContentErrors) as caught:
        check_rendered_links(links, files, shown_as="_site")
    assert sorted((error.path, error.message) for error in caught.value.errors) == sorted(
        (f"_site/{page}", f"broken link {url!r}: {problem}") for page, url, problem in problems
    )
    broken = {(page, url) for page, url, _ in problems}
    good = {page: [url for url in urls if (page, url) not in broken] for page in links}
    checked = check_rendered_links(good, files, shown_as="_site")
    assert (set(checked.files), set(checked.anchored)) == (targets, anchored)
