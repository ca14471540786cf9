"""An append whose answer is lost is resolved by reading back, not guessed (issue 15, item 7).

A write that times out on the client may still commit on the cluster. The adapter used to report
it as "unavailable", which callers take as "not written": a retried CreateUser then found its own
user and answered EntityAlreadyExists. Over the fake, which commits such appends and then fails
the call with DEADLINE_EXCEEDED, the adapter now reads the stream's tail back by event id.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from iamd.service.eventstore import EventCodec
from iamd.service.eventstore.errors import EventStoreUnavailable
from iamd.service.eventstore.kurrentdb import KurrentDbEventStore
from iamd.service.eventstore.port import NewEvent, StreamState
from tests.fakes.kurrentdb_fake import FakeKurrentDb, running_fake

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def fake() -> AsyncIterator[FakeKurrentDb]:
    async with running_fake() as server:
        yield server


@pytest.fixture
async def store(fake: FakeKurrentDb) -> AsyncIterator[KurrentDbEventStore]:
    adapter = KurrentDbEventStore(fake.uri, EventCodec())
    yield adapter
    await adapter.close()


@pytest.mark.parametrize("expected", [StreamState.NO_STREAM, 0, StreamState.ANY])
async def test_a_committed_append_whose_answer_was_lost_is_reported_committed(
        fake: FakeKurrentDb, store: KurrentDbEventStore, expected: StreamState | int) -> None:
    if expected != StreamState.NO_STREAM:
        await store.append("user-1-alice", [NewEvent("UserCreated", {"n": 0})], StreamState.NO_STREAM)
    fake.lose_append_answers(1)
    result = await store.append("user-1-alice", [NewEvent("Tagged", {"n": 1}), NewEvent("Tagged", {"n": 2})],
                                expected)
    events = await store.read_stream("user-1-alice")
    assert [e.data.get("n") for e in events][-2:] == [1, 2]  # written once, not twice
    assert result.version == events[-1].version
    assert result.position == events[-1].position


async def test_an_append_that_did_not_land_is_still_an_outage(fake: FakeKurrentDb,
                                                              store: KurrentDbEventStore) -> None:
    await fake.stop()  # nothing answers, nothing commits
    with pytest.raises(EventStoreUnavailable):
        await store.append("user-1-bob", [NewEvent("UserCreated", {})], StreamState.NO_STREAM)
