"""The README keeps up with the code: every content field and every command is documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.validate import fields

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
FIELD_TABLES = {name: table for name, table in vars(fields).items() if name.endswith("_FIELDS")}


@pytest.mark.parametrize("table_name", sorted(FIELD_TABLES))
def test_every_content_field_is_in_the_readme(table_name: str) -> None:
    missing = [name for name in FIELD_TABLES[table_name] if f"{name}:" not in README]
    assert missing == [], f"{table_name}: document {missing} in README.md"


@pytest.mark.parametrize("command", ["init", "build", "check", "serve", "draft"])
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"python -m builder {command}" in README
