"""docs/errors.md is the error table as the code defines it: regenerate it with `make docs`."""

from __future__ import annotations

from pathlib import Path

from iamd.service.rpc.error_catalogue import catalogue_markdown
from iamd.service.rpc.errors import STATUS_BY_ERROR

DOC = Path(__file__).resolve().parents[2] / "docs" / "errors.md"


def test_docs_errors_md_is_what_the_error_table_says() -> None:
    assert DOC.read_text() == catalogue_markdown(), "docs/errors.md is stale: run `make docs`"


def test_every_code_says_when_it_is_answered() -> None:
    undocumented = [cls.code for cls in STATUS_BY_ERROR if cls.__doc__ is None]
    assert undocumented == []
