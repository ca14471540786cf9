"""Audit recovery at start: the calls a crash left without a record get one, reading only the tail."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from iamd.service.audit import recovery
from iamd.service.audit.recovery import recover_missing_records, write_refused_later
from iamd.service.audit.writer import AuditWriter, partition_stream
from iamd.service.eventstore import EventCodec, InMemoryEventStore, NewEvent, StreamState
from iamd.service.eventstore.errors import EventStoreUnavailable
from iamd.service.eventstore.port import EventFilter, RecordedEvent

ACCOUNT = "123456789012"


def _meta(request_id: str, time: str = "2026-11-23T10:00:00Z") -> dict[str, Any]:
    return {"request_id": request_id, "operation": "CreateGroup", "actor": f"arn:aws:iam::{ACCOUNT}:root",
            "source_ip": "10.0.0.1", "user_agent": "test", "time": time}


def _record(request_id: str, time: str = "2026-11-23T10:00:00Z") -> dict[str, Any]:
    return {"eventTime": time, "eventID": f"evt-{request_id}", "requestID": request_id, "eventName": "CreateGroup"}


async def _command(store: InMemoryEventStore, n: int, *, recorded: bool = True,
                   time: str = "2026-11-23T10:00:00Z") -> None:
    """One CreateGroup call: its event, then (unless the process died in between) its record."""
    await store.append(f"group-{ACCOUNT}-g{n}", [NewEvent("GroupCreated", {"n": n}, _meta(f"req-{n}", time))],
                       StreamState.NO_STREAM)
    if recorded:
        await store.append(partition_stream(time), [NewEvent("AuditRecord", _record(f"req-{n}", time))],
                           StreamState.ANY)


async def _records(store: InMemoryEventStore) -> list[dict[str, Any]]:
    return [dict(e.data) async for e in store.read_all(filter=EventFilter(stream_prefixes=("audit-",)))]


class _CountingStore(InMemoryEventStore):
    """Counts the events each read hands out."""

    def __init__(self) -> None:
        super().__init__(EventCodec())
        self.handed_out = 0

    async def _counted(self, events: AsyncIterator[RecordedEvent]) -> AsyncIterator[RecordedEvent]:
        async for event in events:
            self.handed_out += 1
            yield event

    def read_all(self, *args: Any, **kwargs: Any) -> AsyncIterator[RecordedEvent]:  # type: ignore[override]
        return self._counted(super().read_all(*args, **kwargs))

    def read_all_backwards(self, *args: Any, **kwargs: Any) -> AsyncIterator[RecordedEvent]:  # type: ignore[override]
        return self._counted(super().read_all_backwards(*args, **kwargs))

    async def read_stream(self, *args: Any, **kwargs: Any) -> list[RecordedEvent]:
        events = await super().read_stream(*args, **kwargs)
        self.handed_out += len(events)
        return events


async def _recover(store: InMemoryEventStore) -> int:
    writer = AuditWriter(store)
    writer.start()
    try:
        return (await recover_missing_records(store, writer)).rebuilt
    finally:
        await writer.stop()


async def test_the_call_in_flight_at_the_crash_gets_its_record_once() -> None:
    store = InMemoryEventStore(EventCodec())
    for n in range(50):
        await _command(store, n)
    await _command(store, 50, recorded=False)  # the crash

    assert await _recover(store) == 1
    rebuilt = [r for r in await _records(store) if r["requestID"] == "req-50"]
    assert len(rebuilt) == 1 and rebuilt[0]["addendum"]["reason"] == "SERVICE_OUTAGE"
    assert await _recover(store) == 0  # the next start finds it


async def test_a_call_with_several_events_is_rebuilt_from_its_first() -> None:
    store = InMemoryEventStore(EventCodec())
    await _command(store, 0)
    await store.append(f"group-{ACCOUNT}-x", [NewEvent("GroupCreated", {"n": 1}, _meta("req-x")),
                                              NewEvent("GroupTagged", {"n": 2}, _meta("req-x"))],
                       StreamState.NO_STREAM)

    assert await _recover(store) == 1
    [rebuilt] = [r for r in await _records(store) if r["requestID"] == "req-x"]
    assert rebuilt["eventName"] == "CreateGroup"


async def test_start_reads_the_tail_not_the_log() -> None:
    store = _CountingStore()
    # Old history: calls an hour before the last ones, each with its record...
    for n in range(2_000):
        await _command(store, n, time="2026-11-23T09:00:00Z")
    # ...a lost record among them, which a crash long ago left and whose call is out of reach now...
    await _command(store, 2_000, recorded=False, time="2026-11-23T09:00:00Z")
    # ...then the recent calls, the last one in flight at the crash.
    for n in range(2_001, 2_011):
        await _command(store, n)
    await _command(store, 2_011, recorded=False)

    assert await _recover(store) == 1
    # The 12 recent calls and their 11 records, the event that ends the window: not 4,000 events.
    assert store.handed_out < 30, store.handed_out


async def test_no_more_than_the_last_recent_events_are_candidates(monkeypatch) -> None:
    monkeypatch.setattr(recovery, "RECENT_EVENTS", 5)
    store = _CountingStore()
    await _command(store, 0, recorded=False)  # older than the 5 newest identity events
    for n in range(1, 7):
        await _command(store, n)

    assert await _recover(store) == 0
    assert store.handed_out < 15, store.handed_out


async def test_an_empty_log_needs_nothing() -> None:
    assert await _recover(InMemoryEventStore(EventCodec())) == 0


class _FullDiskStore(InMemoryEventStore):
    """Refuses audit appends, as a full disk does, until `space` is set."""

    def __init__(self) -> None:
        super().__init__(EventCodec())
        self.space = False

    async def append(self, stream: str, events: Any, expected: Any) -> Any:  # type: ignore[override]
        if stream.startswith("audit-") and not self.space:
            raise EventStoreUnavailable("the event store could not commit: database or disk is full")
        return await super().append(stream, events, expected)


async def test_records_a_full_disk_refuses_at_start_are_written_once_space_returns(monkeypatch) -> None:
    monkeypatch.setattr(recovery, "RETRY_FIRST", 0.01)
    monkeypatch.setattr(recovery, "RETRY_MOST", 0.02)
    store = _FullDiskStore()
    await _command(store, 0, recorded=False)
    store.space = True
    await _command(store, 1, recorded=False)
    store.space = False
    writer = AuditWriter(store)
    writer.start()
    try:
        result = await recover_missing_records(store, writer)  # does not raise: iamd starts
        assert result.rebuilt == 0 and [r["requestID"] for r in result.refused] == ["req-0", "req-1"]
        retrying = asyncio.create_task(write_refused_later(writer, result.refused))
        await asyncio.sleep(0.1)
        assert not retrying.done() and await _records(store) == []  # still full: still pending
        store.space = True
        await asyncio.wait_for(retrying, 5)
        assert [r["requestID"] for r in await _records(store)] == ["req-0", "req-1"]
    finally:
        await writer.stop()
