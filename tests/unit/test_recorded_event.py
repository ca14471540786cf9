"""RecordedEvent as adapters build it on a replay (raw metadata bytes, epoch seconds) reads as the port says."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import orjson
import pytest

from iamd.service.eventstore import EventCodec
from iamd.service.eventstore.port import LazyMetadata, RecordedEvent

METADATA = {"request_id": "r-1", "operation": "CreateUser", "nested": {"hops": [1, 2]}}
MOMENT = datetime(2026, 11, 23, 10, 0, 0, 250000, tzinfo=UTC)


def _as_replayed() -> RecordedEvent:
    """What the sqlite adapter makes: one tuple.__new__, metadata as stored, time as epoch seconds."""
    return tuple.__new__(RecordedEvent, ("e-1", "user-1-alice", 0, 7, "UserCreated", 1, {"name": "alice"},
                                         orjson.dumps(METADATA), MOMENT.timestamp()))


def _as_constructed() -> RecordedEvent:
    return RecordedEvent(id="e-1", stream="user-1-alice", version=0, position=7, type="UserCreated",
                         schema_version=1, data={"name": "alice"}, metadata=METADATA, recorded_at=MOMENT)


def test_a_replayed_event_reads_like_one_built_from_its_fields() -> None:
    replayed, constructed = _as_replayed(), _as_constructed()

    assert replayed == constructed and not replayed != constructed
    assert replayed.recorded_at == MOMENT and replayed.recorded_at.tzinfo is not None
    assert isinstance(replayed.metadata, LazyMetadata) and replayed.metadata == METADATA
    assert replayed.metadata["request_id"] == "r-1" and replayed.metadata.get("absent") is None
    assert dict(replayed.metadata) == METADATA and {**replayed.metadata} == METADATA
    assert replayed._asdict() == constructed._asdict()
    assert repr(replayed) == repr(constructed)
    assert pickle.loads(pickle.dumps(replayed)) == constructed


def test_events_differ_by_any_field() -> None:
    other = tuple.__new__(RecordedEvent, (*_as_replayed()[:7], orjson.dumps({"request_id": "r-2"}),
                                          MOMENT.timestamp()))
    assert other != _as_constructed()
    assert _as_replayed() != _as_replayed()[:]  # a plain tuple of the same fields is not an event


def test_an_event_is_immutable() -> None:
    with pytest.raises(AttributeError):
        _as_replayed().type = "Other"  # type: ignore[misc]


def test_read_metadata_encodes_again_as_the_object_it_was() -> None:
    assert orjson.loads(EventCodec().encode(_as_replayed().metadata)) == METADATA


def test_new_ids_are_time_ordered_version_7_uuids() -> None:
    """Event ids grow with time (the log's unique index on them then grows at its end) and stay
    unique and valid UUIDs: version 7, RFC variant, the current millisecond in their first 48 bits."""
    import time
    import uuid

    from iamd.service.eventstore.port import new_id

    before_ms = time.time_ns() // 1_000_000
    first = new_id()
    time.sleep(0.002)
    ids = [new_id() for _ in range(2000)]
    after_ms = time.time_ns() // 1_000_000
    parsed = uuid.UUID(first)
    assert (parsed.version, parsed.variant) == (7, uuid.RFC_4122)
    assert str(parsed) == first
    assert before_ms <= parsed.int >> 80 <= after_ms
    assert all(first < later for later in ids)  # a later millisecond sorts after, as text too
    assert len(set(ids)) == len(ids)
    assert all(uuid.UUID(i).version == 7 for i in ids)
