"""The event store and the projection runner, found in review."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest

from iamd.projections.runner import ProjectionRunner
from iamd.service.eventstore import EventCodec, SqliteEventStore
from iamd.service.eventstore.port import EventFilter, NewEvent, RecordedEvent, StreamState

pytestmark = pytest.mark.asyncio

IDENTITY = EventFilter(stream_prefixes=("user-",))


class Folded:
    """A projection that only records what it applied (the runner needs no more)."""

    def __init__(self) -> None:
        self.position = 0
        self.events_applied = 0

    def apply(self, event: RecordedEvent) -> None:
        if event.position <= self.position:
            return
        self.position = event.position
        self.events_applied += 1

    def to_snapshot(self) -> dict[str, Any]:
        return {"position": self.position}


def _event() -> NewEvent:
    return NewEvent(id=str(uuid.uuid4()), type="ThingHappened", data={})


async def test_waiting_for_a_position_past_the_last_match_returns_once_every_match_is_applied(tmp_path: Path) -> None:
    """wait_for's position need not be a match's: an audit record's position, after the last identity
    event, is reached once that identity event is applied. On SQLite (no checkpoints) the wait hung
    until another identity event came, or timed out on a quiet log."""
    store = SqliteEventStore(tmp_path / "events.db", EventCodec())
    runner = ProjectionRunner(store, Folded(), IDENTITY)
    try:
        await store.append("user-1", [_event()], StreamState.NO_STREAM)
        await runner.start()
        identity = (await store.append("user-1", [_event()], 0)).position
        audit = (await store.append("audit-1", [_event()], StreamState.NO_STREAM)).position
        assert audit > identity
        await runner.wait_for(audit, timeout=2.0)
        assert runner.projection.position == identity
    finally:
        await runner.stop()
        await store.close()


async def test_a_subscription_sees_another_process_commits_while_its_own_process_writes_other_streams(
        tmp_path: Path) -> None:
    """Several processes share one SQLite file: a subscription learns of the other's commits by polling.
    Its own process's commits of streams it does not read (audit records, with every call) must not
    put the poll off for good: it then never read the log again, and the other process's identity
    writes stayed unseen for as long as this one kept serving calls."""
    ours = SqliteEventStore(tmp_path / "events.db", EventCodec(), poll_interval=0.05)
    theirs = SqliteEventStore(tmp_path / "events.db", EventCodec(), poll_interval=0.05)
    subscription = ours.subscribe_all(filter=IDENTITY)
    seen: asyncio.Queue[RecordedEvent] = asyncio.Queue()

    async def follow() -> None:
        async for event in subscription:
            seen.put_nowait(event)

    async def serve_calls() -> None:  # an audit record every 10 ms, as calls come
        for n in range(1_000):
            await ours.append(f"audit-{n}", [_event()], StreamState.NO_STREAM)
            await asyncio.sleep(0.01)

    following = asyncio.create_task(follow())
    serving = asyncio.create_task(serve_calls())
    try:
        await asyncio.sleep(0.2)  # the subscription waits, the audit records flow
        written = await theirs.append("user-1", [_event()], StreamState.NO_STREAM)
        event = await asyncio.wait_for(seen.get(), timeout=2.0)
        assert event.position == written.position
    finally:
        serving.cancel()
        following.cancel()
        await asyncio.gather(serving, following, return_exceptions=True)
        await subscription.aclose()
        await theirs.close()
        await ours.close()
