"""Writes go to the leader whatever the URI prefers for reads (issue 15, item 9).

A node preference other than leader (offered in iamd.env.example), or a URI naming one node
that is a follower, made every append fail with NotLeader. Over a fake cluster of a leader and a
follower sharing one log, answering as KurrentDB's classic gRPC API does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from iamd.service.eventstore import EventCodec
from iamd.service.eventstore.kurrentdb import KurrentDbEventStore
from iamd.service.eventstore.port import NewEvent, StreamState
from tests.fakes.kurrentdb_fake import FakeKurrentDb

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def cluster() -> AsyncIterator[tuple[FakeKurrentDb, FakeKurrentDb]]:
    leader = FakeKurrentDb()
    follower = FakeKurrentDb(leader=leader)
    await leader.start()
    await follower.start()
    try:
        yield leader, follower
    finally:
        await follower.stop()
        await leader.stop()


def event(n: int) -> NewEvent:
    return NewEvent("Noted", {"n": n}, {})


async def test_a_uri_naming_a_follower_writes_through_the_leader(cluster: tuple[FakeKurrentDb, FakeKurrentDb]) -> None:
    _leader, follower = cluster
    store = KurrentDbEventStore(f"{follower.uri}&NodePreference=follower", EventCodec({}))
    try:
        first = await store.append("note-a", [event(1)], StreamState.NO_STREAM)
        second = await store.append("note-a", [event(2)], first.version)
        assert (first.version, second.version) == (0, 1) and second.position > first.position
        assert [e.data["n"] for e in await store.read_stream("note-a")] == [1, 2]  # read on the follower
    finally:
        await store.close()


async def test_a_follower_preference_discovers_and_still_writes_to_the_leader(
        cluster: tuple[FakeKurrentDb, FakeKurrentDb]) -> None:
    leader, _follower = cluster
    store = KurrentDbEventStore(f"{leader.discover_uri}&NodePreference=follower", EventCodec({}))
    try:
        written = await store.append("note-b", [event(1), event(2)], StreamState.NO_STREAM)
        assert written.version == 1
        assert [e.data["n"] async for e in store.read_all() if e.stream == "note-b"] == [1, 2]
    finally:
        await store.close()


async def test_after_an_election_writes_follow_the_new_leader(cluster: tuple[FakeKurrentDb, FakeKurrentDb]) -> None:
    leader, follower = cluster
    store = KurrentDbEventStore(f"{leader.uri}&NodePreference=follower", EventCodec({}))
    try:
        first = await store.append("note-c", [event(1)], StreamState.NO_STREAM)
        follower.promote()  # the old leader is a follower now, and says who leads
        second = await store.append("note-c", [event(2)], first.version)
        assert second.version == 1
        assert [e.data["n"] for e in await store.read_stream("note-c")] == [1, 2]
    finally:
        await store.close()


async def test_when_the_leader_written_to_dies_writes_find_the_new_one() -> None:
    """Found in review: the writer stayed pinned to a leader that had died, and every append
    failed until a restart."""
    leader = FakeKurrentDb()
    first_follower, second_follower = FakeKurrentDb(leader=leader), FakeKurrentDb(leader=leader)
    for node in (leader, first_follower, second_follower):
        await node.start()
    store = KurrentDbEventStore(f"{first_follower.discover_uri}&NodePreference=follower", EventCodec({}))
    try:
        written = await store.append("note-d", [event(1)], StreamState.NO_STREAM)
        await leader.stop()
        second_follower.promote()  # an election after the leader's death
        for n in (2, 3):
            written = await store.append("note-d", [event(n)], written.version)
        assert [e.data["n"] for e in await store.read_stream("note-d")] == [1, 2, 3]
    finally:
        await store.close()
        for node in (first_follower, second_follower):
            await node.stop()
