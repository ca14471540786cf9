"""The projection runner says when it is not following its log, from the start (issue 15)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from iamd.projections.identity import IdentityProjection
from iamd.projections.runner import ProjectionRunner
from iamd.service.eventstore import EventCodec, InMemoryEventStore
from iamd.service.eventstore.port import EventFilter, RecordedEvent

pytestmark = pytest.mark.asyncio


class NeverLiveStore(InMemoryEventStore):
    """A store that answers reads but never establishes a live subscription (a node that stays
    "not ready" for subscriptions): a stand-in written for this test, not an adapter."""

    async def subscribe_all(self, after: int | None = None, filter: EventFilter | None = None,
                            *, on_live: Callable[[], None] | None = None,
                            on_checkpoint: Callable[[int], None] | None = None) -> AsyncIterator[RecordedEvent]:
        await asyncio.Event().wait()  # never confirmed, never an event
        yield  # type: ignore[misc]  # pragma: no cover


async def test_a_subscription_never_established_counts_as_stalled_from_the_catch_up() -> None:
    runner = ProjectionRunner(NeverLiveStore(EventCodec()), IdentityProjection(), EventFilter())
    await runner.start()
    await asyncio.sleep(0.2)
    assert not runner.following and runner.stalled_for() >= 0.2
    assert "not established" in runner.stall_reason
    await runner.stop()


async def test_an_established_subscription_is_following() -> None:
    runner = ProjectionRunner(InMemoryEventStore(EventCodec()), IdentityProjection(), EventFilter())
    await runner.start()
    await asyncio.sleep(0.05)
    assert runner.following and runner.stalled_for() == 0.0
    await runner.stop()
