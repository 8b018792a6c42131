"""Odd inputs through the real command line (issue 11): one line each, the right exit code.

Each case breaks a copy of a project whose `_site/` was built, runs `python -m builder`
as a user does, and asserts the exact message line, the exit code, that no traceback was
printed and that the previous `_site/` is byte for byte what it was. Content problems are
also run through `check`, which must say the same.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.__main__ import main
from tests.fixtures import replace_in
from tests.test_build_errors import snapshot

ARTICLE = "content/articles/sample-article.md"
LINK_HINT = "(copy the file into the project; symlinks are followed only inside it)"
NOTHING_WRITTEN = "1 content problem; nothing was written"


def run_cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command, *rest = args
    return subprocess.run(
        [sys.executable, "-m", "builder", command, "--project", str(root), *rest],
        capture_output=True,
        text=True,
        timeout=60,  # a FIFO read would block forever: fail instead
        check=False,
    )


def assert_refused(
    root: Path, command: str, expected: str, code: int, *extra: str
) -> subprocess.CompletedProcess[str]:
    """`command` exits with `code`, prints `expected` as one line, and leaves _site/ alone."""
    before = snapshot(root / "_site")
    beside_before = sorted(p.name for p in root.iterdir())  # the live version, the lock
    result = run_cli(root, command, *extra)
    assert result.returncode == code, result.stderr
    assert expected in result.stderr.splitlines(), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert snapshot(root / "_site") == before
    assert sorted(p.name for p in root.iterdir()) == beside_before  # no staging left
    return result


def run_in_process(root: Path, *args: str) -> tuple[int, str]:
    """`main` in this process (faster than a child): its exit code and stderr."""
    command, *rest = args
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main([command, "--project", str(root), *rest])
    return code, err.getvalue()


def assert_content_problem(root: Path, expected: str) -> None:
    """`build` (a child process) and `check` both exit 1 with the same one-line message."""
    build = assert_refused(root, "build", expected, 1)
    assert run_in_process(root, "check") == (1, build.stderr)


def outside_file(root: Path) -> Path:
    """A file beside the project, standing for /etc/passwd."""
    secret = root.parent / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    return secret


def test_a_seed_linked_from_outside_the_project_is_refused(project: Path) -> None:
    seed = project / "seeds" / "sample.txt"
    seed.unlink()
    seed.symlink_to(outside_file(project))
    expected = f"seeds/sample.txt:0: symlink to a file outside the project {LINK_HINT}"
    assert_content_problem(project, expected)


def test_a_static_file_linked_from_outside_the_project_is_refused(project: Path) -> None:
    (project / "templates" / "static" / "leak.css").symlink_to(outside_file(project))
    expected = f"templates/static/leak.css:0: symlink to a file outside the project {LINK_HINT}"
    assert_content_problem(project, expected)


def test_a_linked_folder_that_leaves_the_project_is_refused(project: Path) -> None:
    (project / "templates" / "static" / "etc").symlink_to(project.parent, target_is_directory=True)
    expected = f"templates/static/etc:0: symlink to a file outside the project {LINK_HINT}"
    assert_content_problem(project, expected)


def test_a_link_that_stays_inside_the_project_is_followed(project: Path) -> None:
    archive = project / "archive"
    archive.mkdir()
    (project / "seeds" / "sample.txt").rename(archive / "sample.txt")
    (project / "seeds" / "sample.txt").symlink_to(Path("../archive/sample.txt"))
    (project / "templates" / "static" / "shared").symlink_to(
        Path("../../archive"), target_is_directory=True
    )
    result = run_cli(project, "build")
    assert result.returncode == 0, result.stderr
    assert (project / "_site" / "static" / "shared" / "sample.txt").is_file()


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda seeds: os.mkfifo(seeds / "pipe.txt"),
            "seeds/pipe.txt:0: is a FIFO (named pipe), not a regular file "
            "(replace it, or move it elsewhere)",
        ),
        (
            lambda seeds: (seeds / "gone.txt").symlink_to(seeds / "nowhere.txt"),
            f"seeds/gone.txt:0: broken symlink: its target does not exist {LINK_HINT}",
        ),
        (
            lambda seeds: (
                (seeds / "a.txt").symlink_to("b.txt"),
                (seeds / "b.txt").symlink_to("a.txt"),
            ),
            "seeds/a.txt:0: symlink loop (replace the link with the file itself)",
        ),
        (
            lambda seeds: (seeds / "folder.txt").mkdir(),
            "seeds/folder.txt:0: is a folder, not a regular file "
            "(replace it, or move it elsewhere)",
        ),
        (
            lambda seeds: (seeds.parent / "content" / "articles" / "folder.md").mkdir(),
            "content/articles/folder.md:0: is a folder, not a regular file "
            "(replace it, or move it elsewhere)",
        ),
    ],
    ids=["fifo", "dangling-symlink", "symlink-loop", "folder-named-x.txt", "folder-named-x.md"],
)
def test_file_system_surprises_are_one_line_each(
    project: Path, make: Callable[[Path], object], expected: str
) -> None:
    make(project / "seeds")
    result = assert_refused(project, "build", expected, 1)
    assert result.stderr.splitlines()[-1].endswith("nothing was written")
    assert run_in_process(project, "check") == (1, result.stderr)


def test_a_utf8_byte_order_mark_is_accepted(project: Path) -> None:
    for relative in (ARTICLE, "seeds/sample.txt", "content/site.yaml"):
        path = project / relative
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = run_cli(project, "build")
    assert result.returncode == 0, result.stderr
    page = (project / "_site/articles/sample-article/index.html").read_text(encoding="utf-8")
    assert "\ufeff" not in page


def test_a_seed_that_is_not_utf8_is_reported_at_its_line(project: Path) -> None:
    (project / "seeds" / "latin1.txt").write_bytes(b"First line\nCaf\xe9 au lait\n")
    expected = (
        "seeds/latin1.txt:2: not UTF-8 text: byte 0xe9 (invalid continuation byte) "
        "(save it as UTF-8)"
    )
    assert_content_problem(project, expected)


@pytest.mark.parametrize(
    ("date", "line"),
    [("0000-11-26", 8), ("0000", 8)],
    ids=["full-date", "year-only-with-date-label"],
)
def test_year_zero_is_refused_at_its_line(project: Path, date: str, line: int) -> None:
    replace_in(project, ARTICLE, "date: 2016-11-26", f"date: '{date}'\n    date_label: late summer")
    expected = (
        f"{ARTICLE}:{line}: 'date' '{date}': impossible date: years run from 1 to 9999, "
        "there is no year 0 (write YYYY-MM-DD, or YYYY-MM for a month)"
    )
    assert_content_problem(project, expected)


def test_a_huge_value_is_refused_before_it_reaches_the_chart(project: Path) -> None:
    replace_in(project, ARTICLE, "value: 100000", "value: 1.0e+308")
    expected = (
        f"{ARTICLE}:14: 'value' 1e+308 is larger than 1e+15, the largest value accepted "
        "(check the number and its unit)"
    )
    assert_content_problem(project, expected)


def test_a_nul_byte_is_reported_at_its_true_line_in_one_line(project: Path) -> None:
    replace_in(project, ARTICLE, "outlet: Test Times", "outlet: Test\0Times")
    expected = (
        f"{ARTICLE}:3: malformed YAML: character U+0000 is not allowed "
        "(delete it; control characters cannot appear in YAML)"
    )
    assert_content_problem(project, expected)


def test_control_characters_in_a_key_are_escaped_and_cannot_forge_a_ci_line(
    project: Path,
) -> None:
    replace_in(
        project,
        ARTICLE,
        "outlet: Test Times",
        'outlet: Test Times\n"\\e[31mx\\n::error::forged": 1',
    )
    expected = (
        f"{ARTICLE}:4: unknown field '\\x1b[31mx\\n::error::forged' in front matter "
        "(known: events, figures, outlet, outlet_inferred, published, published_inferred, "
        "quotes, seed, ... (12 in all))"
    )
    result = assert_refused(project, "build", expected, 1)
    assert "\x1b" not in result.stderr
    assert not any(line.startswith("::") for line in result.stderr.splitlines())


def test_a_language_too_long_for_pagefind_is_a_content_error(project: Path) -> None:
    language = "en-" + "x" * 28
    replace_in(project, "content/site.yaml", "language: en", f"language: {language}")
    expected = (
        f"content/site.yaml:3: language '{language}' is not a language tag of at most 24 "
        "characters (write a BCP 47 tag such as 'en', 'pt-BR' or 'zh-Hant')"
    )
    assert_content_problem(project, expected)


def test_a_quote_that_occurs_twice_must_say_which_occurrence(project: Path) -> None:
    seed = project / "seeds" / "sample.txt"
    seed.write_text(
        seed.read_text(encoding="utf-8") + "Again: as many as 100,000 people.\n", encoding="utf-8"
    )
    expected = (
        f"{ARTICLE}:21: quote occurs 2 times in seeds/sample.txt "
        "(add 'occurrence: N' (1 to 2) to say which one is meant)"
    )
    assert_content_problem(project, expected)

    replace_in(
        project,
        ARTICLE,
        '"as many as 100,000 people"\n',
        '"as many as 100,000 people"\n    occurrence: 3\n',
    )
    expected = (
        f"{ARTICLE}:22: 'occurrence' is 3, but the quote occurs 2 times in seeds/sample.txt "
        "(write a number from 1 to 2)"
    )
    assert_content_problem(project, expected)

    replace_in(project, ARTICLE, "occurrence: 3", "occurrence: 2")
    result = run_cli(project, "build")
    assert result.returncode == 0, result.stderr
    second = seed.read_text(encoding="utf-8").rindex("as many as 100,000 people")
    page = (project / "_site/articles/sample-article/index.html").read_text(encoding="utf-8")
    assert f'id="p{second}-{second + len("as many as 100,000 people")}"' in page


WARNING_CASES = [
    (
        "one-letter alias",
        "content/actors/un.yaml",
        "aliases: [UN]",
        "aliases: [UN, U]",
        "content/actors/un.yaml:3: warning: alias 'U' is shorter than 3 characters "
        "(it would link every stray occurrence; write the longer form)",
    ),
    (
        "part_of cycle",
        "content/actors/un.yaml",
        "aliases: [UN]",
        "aliases: [UN]\npart_of: [ministry]\n",
        "content/actors/ministry.yaml:4: warning: part_of cycle: ministry -> un -> ministry "
        "(an actor cannot contain what contains it)",
    ),
    (
        "YAML tag",
        ARTICLE,
        "outlet: Test Times",
        "outlet: !!python/object:os.system Test Times",
        f"{ARTICLE}:3: warning: YAML tag 'tag:yaml.org,2002:python/object:os.system' is "
        "ignored (remove the tag; values are read by their field, never by a tag)",
    ),
    (
        "Arabic-Indic digits in a date",
        ARTICLE,
        "as_of: 2016-11-27",
        "as_of: ٢٠١٦-١١-٢٧",
        f"{ARTICLE}:16: warning: 'as_of' '٢٠١٦-١١-٢٧' has digits other than 0-9 "
        "(write it with 0-9)",
    ),
]


@pytest.mark.parametrize(
    ("path", "old", "new", "expected"),
    [case[1:] for case in WARNING_CASES],
    ids=[case[0] for case in WARNING_CASES],
)
def test_warnings_are_printed_and_fail_under_strict(
    project: Path, path: str, old: str, new: str, expected: str
) -> None:
    if "part_of" in new:
        replace_in(project, "content/actors/ministry.yaml", "summary:", "part_of: [un]\nsummary:")
    replace_in(project, path, old, new)
    strict = assert_refused(project, "build", expected, 1, "--strict")
    assert strict.stderr.splitlines()[-1] == "1 warning under --strict; nothing was written"
    assert run_in_process(project, "check", "--strict") == (1, strict.stderr)
    assert run_in_process(project, "check") == (0, expected + "\n")
    result = run_cli(project, "build")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [expected]


def test_the_real_content_has_no_warnings(project_root: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "builder", "check", "--strict", "--project", str(project_root)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_draft_refuses_a_slug_that_is_not_a_plain_name(project: Path) -> None:
    target = project.parent / "x.md"
    result = assert_refused(
        project, "draft", "error: --slug '../../../x' is not a plain lowercase slug "
        "(use lowercase letters, digits and single hyphens, e.g. 'russia-defence-ministry')",
        2, "seeds/sample.txt", "--published", "2016-11-27", "--slug", "../../../x",
    )  # fmt: skip
    assert len(result.stderr.splitlines()) == 1
    assert not target.exists()
    assert sorted(p.name for p in (project / "content" / "articles").iterdir()) == [
        "sample-article.md"
    ]


def test_a_project_without_templates_builds_with_the_packaged_theme(project: Path) -> None:
    shutil.rmtree(project / "templates")
    result = run_cli(project, "build")
    assert result.returncode == 0, result.stderr
    assert (project / "_site" / "index.html").is_file()


def test_templates_that_is_a_file_is_one_clear_line(project: Path) -> None:
    shutil.rmtree(project / "templates")
    (project / "templates").write_text("not a theme\n", encoding="utf-8")
    assert_content_problem(
        project, "templates:0: is a file, not a folder (replace it, or move it elsewhere)"
    )


def test_out_pointing_at_a_regular_file_is_misuse(project: Path) -> None:
    target = project / "notes.txt"
    target.write_text("keep me\n", encoding="utf-8")
    expected = f"error: --out {target} is not a folder (choose a folder for the site)"
    result = assert_refused(project, "build", expected, 2, "--out", str(target))
    assert len(result.stderr.splitlines()) == 1
    assert target.read_text(encoding="utf-8") == "keep me\n"


def test_out_at_a_folder_the_builder_did_not_write_is_misuse(project: Path) -> None:
    expected = (
        f"error: --out {(project / 'content').as_posix()}: refusing to replace this folder: it "
        "was not written by this builder (choose another --out folder, or empty this one first)"
    )
    assert_refused(project, "build", expected, 2, "--out", str(project / "content"))


def test_an_internal_error_is_one_line_naming_its_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], project: Path
) -> None:
    def broken(*_: object, **__: object) -> int:
        raise KeyError("a bug")

    monkeypatch.setattr("builder.__main__.run_check", broken)
    assert main(["check", "--project", str(project)]) == 3
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("error: internal error, a bug in the builder: KeyError: 'a bug'; ")
    log = Path(line.split("the traceback is written to ")[1].split(" (or rerun")[0])
    assert line.endswith("(or rerun with --debug)")
    assert "Traceback" in log.read_text(encoding="utf-8") and "KeyError" in log.read_text()
    log.unlink()

    assert main(["check", "--debug", "--project", str(project)]) == 3
    err = capsys.readouterr().err
    assert err.startswith("Traceback") and err.splitlines()[-1].startswith("error: internal")
    Path(err.split("the traceback is written to ")[1].split()[0]).unlink()


def test_the_reporter_escapes_every_control_character() -> None:
    from builder.cli_output import Reporter
    from builder.errors import ContentError

    err = io.StringIO()
    reporter = Reporter(out=io.StringIO(), err=err)
    reporter.content_errors([ContentError("a\nb.md", 1, "x\u202ey\r\x1b[2J", "h\x00")])
    assert err.getvalue().splitlines()[0] == "a\\nb.md:1: x\\u202ey\\r\\x1b[2J (h\\x00)"


def test_a_title_past_the_limit_is_refused_at_its_line(project: Path) -> None:
    title = "Rebels hold out " * 40
    replace_in(project, ARTICLE, "title: Rebels Hold Out In The Old City", f"title: {title}")
    expected = (
        f"{ARTICLE}:2: 'title' is {len(title.strip())} characters long; the limit is 500 "
        "(shorten it to the headline)"
    )
    assert_content_problem(project, expected)


def test_a_content_file_past_the_size_limit_is_refused_unread(project: Path) -> None:
    path = project / ARTICLE
    path.write_text(path.read_text(encoding="utf-8") + "x" * 2_100_000, encoding="utf-8")
    expected = (
        f"{ARTICLE}:0: file is 2.1 MB; the limit is 2 MB "
        "(keep only the article itself; see the limits in README.md)"
    )
    assert_content_problem(project, expected)


def test_a_template_syntax_error_is_reported_at_the_template_line(project: Path) -> None:
    path = project / "templates" / "about.html"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([*lines[:2], "{% if %}\n", *lines[2:]]), encoding="utf-8")
    expected = (
        "templates/about.html:3: template error: Expected an expression, got 'end of "
        "statement block' (fix the template; a project's templates/ overrides the default "
        "theme file by file)"
    )
    assert_refused(project, "build", expected, 1)


def test_an_undefined_name_in_a_template_is_reported_at_its_line(project: Path) -> None:
    path = project / "templates" / "about.html"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([*lines[:2], "{{ pgae.title }}\n", *lines[2:]]), encoding="utf-8")
    expected = (
        "templates/about.html:3: template error: 'pgae' is undefined (fix the template; "
        "a project's templates/ overrides the default theme file by file)"
    )
    assert_refused(project, "build", expected, 1)
