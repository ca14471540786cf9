"""Audit records are split into appends the store takes (issue 15, item 5).

KurrentDB refuses an append larger than its MaxAppendSize (1 MiB by default up to 25.0): one
append of a thousand queued records made every durable caller in it fail. The writer now splits
a batch by encoded size on a store that has a maximum, here the real adapter over the fake.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from iamd.service.audit.writer import AuditWriter
from iamd.service.eventstore import EventCodec
from iamd.service.eventstore.errors import EventStoreError
from iamd.service.eventstore.kurrentdb import KurrentDbEventStore
from iamd.service.eventstore.port import EventFilter, NewEvent, StreamState
from tests.fakes.kurrentdb_fake import running_fake

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def store() -> AsyncIterator[KurrentDbEventStore]:
    async with running_fake() as fake:
        adapter = KurrentDbEventStore(fake.uri, EventCodec())
        yield adapter
        await adapter.close()


def _record(n: int) -> dict[str, object]:
    return {"eventID": f"00000000-0000-4000-8000-{n:012d}", "eventTime": "2026-12-05T05:00:00Z",
            "eventName": "CreatePolicy", "request": "x" * 60_000}


async def test_a_batch_larger_than_one_append_is_committed_in_several(store: KurrentDbEventStore) -> None:
    writer = AuditWriter(store, durable=True)
    writer.start()
    # 40 records of ~60 KB queued at once: one batch of ~2.4 MB, more than a 1 MiB append.
    await asyncio.gather(*(writer.write(_record(n)) for n in range(40)))
    await writer.stop()
    assert (writer.written, writer.failed) == (40, 0)
    stored = [e async for e in store.read_all(filter=EventFilter(stream_prefixes=("audit-",)))]
    assert sorted(e.id for e in stored) == sorted(str(_record(n)["eventID"]) for n in range(40))
    assert len({e.position for e in stored}) == 40


async def test_an_atomic_append_beyond_the_maximum_is_a_clear_refusal(store: KurrentDbEventStore) -> None:
    with pytest.raises(EventStoreError, match="more than one append may hold"):
        await store.append("thing-1", [NewEvent("Big", {"blob": "y" * 600_000}) for _ in range(2)],
                           StreamState.NO_STREAM)
