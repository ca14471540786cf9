"""docs/events.md is the event catalogue as the code defines it: regenerate it with `make docs`."""

from __future__ import annotations

from pathlib import Path

from iamd.service.domain.event_catalogue import catalogue_markdown
from iamd.service.domain.events import EVENT_TYPES

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def test_docs_events_md_is_what_the_event_classes_say() -> None:
    assert DOC.read_text() == catalogue_markdown(), "docs/events.md is stale: run `make docs`"


def test_every_stored_event_type_is_in_the_catalogue() -> None:
    text = catalogue_markdown()
    assert all(f"`{name}`" in text for name in EVENT_TYPES)
