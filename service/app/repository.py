"""Loads aggregates from their streams and appends their new events with optimistic concurrency."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from service.domain import identity, managed_policy
from service.domain.errors import ConcurrentModificationError
from service.domain.events import POLICY, Event, decode_event, event_type
from service.domain.names import stream_name
from service.eventstore.errors import WrongExpectedVersion
from service.eventstore.port import EventStore, ExpectedVersion, NewEvent, StreamState

from .ports import CallContext, Clock, iso8601

S = TypeVar("S")
MAX_ATTEMPTS = 5  # bounded retries on a concurrent append to the same stream


class Loaded:
    """A folded state with the stream's version and the position of its last event."""

    __slots__ = ("state", "stream", "version", "position")

    def __init__(self, state: object, stream: str, version: int | None, position: int) -> None:
        self.state = state
        self.stream = stream
        self.version = version  # None: the stream has no events
        self.position = position

    @property
    def expected(self) -> ExpectedVersion:
        return StreamState.NO_STREAM if self.version is None else self.version


class Repository:
    def __init__(self, store: EventStore) -> None:
        self.store = store
        # Long-lived aggregates folded so far (stream -> Loaded), brought forward incrementally.
        self._folded: dict[str, Loaded] = {}
        self._fold_locks: dict[str, asyncio.Lock] = {}

    async def load(self, stream: str, fold: Callable[[list[Event]], object]) -> Loaded:
        """A stream folded into its aggregate's state, with the version to append at."""
        recorded = await self.store.read_stream(stream)
        events = [decode_event(r.type, dict(r.data)) for r in recorded]
        last = recorded[-1] if recorded else None
        return Loaded(fold(events), stream, last.version if last else None, last.position if last else 0)

    async def load_onto(self, stream: str, fold_onto: Callable[[list[Event], Any], object]) -> Loaded:
        """A long-lived aggregate (an organization's stream grows with every account, OU and
        policy): the state folded last time, brought forward with only the events since.

        `fold_onto(events, state)` folds onto `state` in place (a new state when None). The state
        is shared between loads: a caller that decides on it after a later load moved it on
        appends at its own, older version and is refused, then retries; never stale, never lost.
        """
        async with self._fold_locks.setdefault(stream, asyncio.Lock()):
            cached = self._folded.get(stream)
            start = 0 if cached is None or cached.version is None else cached.version + 1
            recorded = await self.store.read_stream(stream, from_version=start)
            if cached is not None and not recorded:
                return cached  # never changed in place: a later load replaces it
            try:
                state = fold_onto([decode_event(r.type, dict(r.data)) for r in recorded],
                                  cached.state if cached is not None else None)
            except Exception:
                self._folded.pop(stream, None)  # half-applied: fold from the start next time
                raise
            last = recorded[-1] if recorded else None
            loaded = Loaded(state, stream, last.version if last else None, last.position if last else 0)
            self._folded[stream] = loaded
            return loaded

    async def load_entity(self, kind: str, account_id: str, name: str) -> Loaded:
        return await self.load(stream_name(kind, account_id, name), lambda ev: identity.fold(kind, ev))

    async def load_policy(self, account_id: str, name: str) -> Loaded:
        return await self.load(stream_name(POLICY, account_id, name), managed_policy.fold)

    async def append(self, kind: str, loaded: Loaded, events: Sequence[Event], ctx: CallContext,
                     now: str) -> int:
        """Append a decider's events at the version they were decided on; returns the position."""
        if not events:
            return loaded.position
        metadata = ctx.metadata(now)
        new = [NewEvent(event_type(kind, e), e.to_data(), metadata, e.SCHEMA_VERSION) for e in events]
        result = await self.store.append(loaded.stream, new, loaded.expected)
        return result.position


    async def change(self, kind: str, stream: str, fold: Callable[[list[Event]], object], ctx: CallContext,
                     clock: Clock, decide: Callable[[Any], Sequence[Event]], *, incremental: bool = False) -> int:
        """Load → decide → append one stream's aggregate, retried when another writer got there first.
        `incremental`: `fold` takes (events, state) and the stream is loaded with `load_onto`."""

        async def attempt() -> int:
            loaded = await (self.load_onto(stream, fold) if incremental else self.load(stream, fold))
            return await self.append(kind, loaded, decide(loaded.state), ctx, iso8601(clock.now()))

        return await with_retries(attempt)


async def with_retries(attempt: Callable[[], object]) -> int:
    """Run load → decide → append again when another writer changed the stream meanwhile."""
    for _ in range(MAX_ATTEMPTS):
        try:
            return await attempt()  # type: ignore[misc]
        except WrongExpectedVersion:
            continue
    raise ConcurrentModificationError(
        "The request was rejected because multiple requests to change this object were submitted "
        "simultaneously. Wait a few minutes and submit your request again."
    )
