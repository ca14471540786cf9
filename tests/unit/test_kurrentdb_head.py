"""The identity head on KurrentDB without scanning audit records (issue 15, item 4).

`head_position(IDENTITY_STREAMS)` searched $all backwards from its end, past every audit record
written since the last identity event, on every quota check and status call. The runner now knows
the log up to its subscription's last checkpoint (KurrentDB sends them on filtered subscriptions;
the fake sends them at the server's interval) and the head is searched for only after that, on the
leader. These tests run the real adapter and runner over the in-process fake, which counts the
records $all reads examine (`records_read`): the search must not grow with the audit records, and
read-your-writes must hold between two runners (two iamd processes' worth) on one cluster.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from iamd.projections.identity import IDENTITY_STREAMS
from iamd.projections.runner import ProjectionRunner
from iamd.service.eventstore import EventCodec, KurrentDbEventStore
from iamd.service.eventstore.kurrentdb import CHECKPOINT_INTERVAL_MULTIPLIER
from iamd.service.eventstore.port import NewEvent, RecordedEvent, StreamState
from tests.fakes.kurrentdb_fake import FakeKurrentDb, running_fake

pytestmark = pytest.mark.asyncio

# kurrentdbclient's search window (DEFAULT_WINDOW_SIZE) times the adapter's multiplier: events of
# $all between two checkpoints of a live filtered subscription.
INTERVAL = 30 * CHECKPOINT_INTERVAL_MULTIPLIER
AUDIT_RECORDS = 3_000  # after the last identity event: a hundred checkpoint intervals


class Folded:
    """A projection that only records what it applied (the runner needs no more)."""

    def __init__(self) -> None:
        self.position = 0
        self.events_applied = 0
        self.streams: list[str] = []

    def apply(self, event: RecordedEvent) -> None:
        if event.position <= self.position:
            return
        self.position = event.position
        self.events_applied += 1
        self.streams.append(event.stream)

    def to_snapshot(self) -> dict[str, Any]:
        return {"position": self.position}


def _event(n: int = 0) -> NewEvent:
    return NewEvent(id=str(uuid.uuid4()), type="ThingHappened", data={"n": n})


async def _audit(store: KurrentDbEventStore, count: int) -> list[int]:
    """`count` audit records, a hundred per append as the audit writer batches them; their positions."""
    positions = []
    for start in range(0, count, 100):
        batch = [_event(n) for n in range(start, min(start + 100, count))]
        stream = f"audit-{uuid.uuid4().hex[:8]}"
        await store.append(stream, batch, StreamState.NO_STREAM)
        positions += [event.position for event in await store.read_stream(stream)]
    return positions


# Waits over the fake's gRPC subscriptions are bounded only so that a broken build fails instead of
# hanging; a loaded machine may take seconds for what takes milliseconds here.
GUARD = 30.0


async def _until(check: Callable[[], bool | Awaitable[bool]], timeout: float = GUARD) -> None:
    deadline = time.monotonic() + timeout
    while True:
        outcome = check()
        if await outcome if isinstance(outcome, Awaitable) else outcome:
            return
        assert time.monotonic() < deadline, "the condition never held"
        await asyncio.sleep(0.01)


@pytest.fixture
async def fake() -> AsyncIterator[FakeKurrentDb]:
    async with running_fake() as server:
        yield server


@pytest.fixture
async def stores(fake: FakeKurrentDb) -> AsyncIterator[Callable[[str], KurrentDbEventStore]]:
    opened: list[KurrentDbEventStore] = []

    def open_store(uri: str = fake.uri) -> KurrentDbEventStore:
        store = KurrentDbEventStore(uri, EventCodec())
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        await store.close()


async def _runner(store: KurrentDbEventStore) -> ProjectionRunner:
    runner = ProjectionRunner(store, Folded(), IDENTITY_STREAMS)
    await runner.start()
    await _until(lambda: runner.following)
    return runner


async def test_the_identity_head_is_found_without_reading_the_audit_records(
        fake: FakeKurrentDb, stores: Callable[..., KurrentDbEventStore]) -> None:
    store = stores()
    runner = await _runner(store)
    try:
        user = await store.append("user-123456789012-alice", [_event()], StreamState.NO_STREAM)
        audit = await _audit(store, AUDIT_RECORDS)
        # The subscription's live checkpoints (one every INTERVAL events of $all) reach the last
        # interval of the log; nothing else moves the runner past the user's event.
        await _until(lambda: runner.known >= audit[-INTERVAL])
        assert runner.projection.position == user.position

        fake.records_read = 0
        assert await runner.head() == user.position
        searched = fake.records_read
        assert searched <= INTERVAL + 1, f"the head search read {searched} records of $all"
        await runner.wait_for(user.position, 1.0)  # applied already: no wait
        status = await runner.status()
        assert (status["head_position"], status["lag"]) == (user.position, 0)

        # What the search from the end (head_position without `after`) costs: every audit record.
        fake.records_read = 0
        assert await store.head_position(IDENTITY_STREAMS) == user.position
        assert fake.records_read > AUDIT_RECORDS
    finally:
        await runner.stop()


async def test_a_write_acknowledged_to_another_runner_is_in_the_head_at_once(
        fake: FakeKurrentDb, stores: Callable[..., KurrentDbEventStore]) -> None:
    """Read-your-writes between two iamd processes on one cluster: a write acknowledged to one is
    within the head the other computes right after, whether or not its own subscription has
    delivered it yet (the head is searched on the leader, past what the runner knows), and waiting
    for that head makes the other's projection hold it. The second process reads from a follower
    node, as `NodePreference=follower` makes it."""
    follower = FakeKurrentDb(leader=fake)
    await follower.start()
    try:
        writer = stores()
        reader_store = stores(f"{follower.uri}&NodePreference=follower")
        first, second = await _runner(writer), await _runner(reader_store)
        try:
            for round_ in range(3):
                await _audit(writer, 500)
                created = await writer.append(f"user-123456789012-u{round_}", [_event()], StreamState.NO_STREAM)
                await _audit(writer, 200)
                fake.records_read = 0
                head = await second.head()  # the "create" call on the other process
                assert head >= created.position
                await second.wait_for(head, GUARD)
                assert second.projection.position >= created.position
                assert f"user-123456789012-u{round_}" in second.projection.streams
                # And on the writer's own runner too.
                await first.wait_for(await first.head(), GUARD)
                assert first.projection.position >= created.position
        finally:
            await second.stop()
            await first.stop()
    finally:
        await follower.stop()


async def test_a_checkpoint_releases_a_wait_for_a_position_that_is_no_identity_event(
        stores: Callable[..., KurrentDbEventStore]) -> None:
    """min_position may be any position of the log: once the subscription has searched past it
    (a checkpoint), the projection has applied everything up to it, with no identity event after."""
    store = stores()
    runner = await _runner(store)
    try:
        audit = await _audit(store, 3 * INTERVAL)
        await runner.wait_for(audit[0], GUARD)
        assert runner.known >= audit[0] and runner.projection.position == 0
    finally:
        await runner.stop()


async def test_a_search_from_a_position_that_is_no_records_searches_from_the_end(
        stores: Callable[..., KurrentDbEventStore]) -> None:
    """A checkpoint's position is a record's on the server; should one not be (InvalidPosition), the
    head is still found, by the search from the end."""
    store = stores()
    user = await store.append("user-123456789012-alice", [_event()], StreamState.NO_STREAM)
    await _audit(store, 10)
    assert await store.head_position(IDENTITY_STREAMS, after=user.position - 1) == user.position
    assert await store.head_position(IDENTITY_STREAMS, after=user.position + 1) == 0
