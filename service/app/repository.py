"""Loads aggregates from their streams and appends their new events with optimistic concurrency."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Hashable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from iamd.service.domain import identity, managed_policy
from iamd.service.domain.errors import ConcurrentModificationError
from iamd.service.domain.events import POLICY, Event, ReservationVoided, decode_event, event_type
from iamd.service.domain.names import stream_name
from iamd.service.eventstore.errors import WrongExpectedVersion
from iamd.service.eventstore.port import EventStore, ExpectedVersion, NewEvent, StreamState

from .ports import CallContext, Clock, iso8601

S = TypeVar("S")
MAX_ATTEMPTS = 5  # bounded retries on a concurrent append to the same stream


class KeyedLocks:
    """One lock per key (an account's quota of a kind, an account's membership, an email), held only
    while someone holds or awaits it: the keys come from callers' input, so none is kept after."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}  # key -> (lock, holders and waiters)

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


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
        # Reservations found final (their holder's stream has moved past them): final forever,
        # so a later deletion need not read their holders again. Bounded; a miss only costs a read.
        self._final: dict[str, None] = {}

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
        ctx.committed()
        return result.position


    async def reference(self, referenced_kind: str, referenced: Loaded,
                        reserve: Callable[[str, int], Sequence[Event]], holder_kind: str, holder: Loaded,
                        commit: Callable[[str], Sequence[Event]], ctx: CallContext, now: str) -> int:
        """A reference from `holder` to `referenced` (an attachment, a boundary, a membership, an MFA
        device enabled for a user) in two appends, without a multi-stream transaction:

        1. `reserve(reservation_id, holder_version)` is appended to the referenced aggregate's
           stream at the version it was loaded at: it races that aggregate's deletion there, and
           the referenced aggregate must still exist for the decider to allow it;
        2. `commit(reservation_id)` (the reference itself) is appended to the holder's stream at
           the version it was decided at.

        A crash or a lost race between the two leaves a reservation without its commit: it grants
        nothing (the holder's stream is the only place a reference takes effect), and a deletion of
        the referenced aggregate voids it (`settle_reservations`) before deciding. Both appends
        raise WrongExpectedVersion on a conflict: the caller retries the whole command.
        """
        reservation_id = uuid.uuid4().hex
        events = commit(reservation_id)
        if not events:
            return holder.position  # nothing to reference (already there): no reservation either
        holder_version = -1 if holder.version is None else holder.version
        await self.append(referenced_kind, referenced, reserve(reservation_id, holder_version), ctx, now)
        return await self.append(holder_kind, holder, events, ctx, now)

    async def settle_reservations(self, reservations: Mapping[str, Mapping[str, Any]], ctx: CallContext,
                                  now: str) -> None:
        """Before deleting an aggregate: make every reservation of a reference to it final.

        A reservation is committed or void once its holder's stream has an event at
        `holder_version + 1` (the commit carries the reservation id; anything else voids it).
        Where there is none yet, a ReservationVoided is appended there at the expected version, so
        that a commit still in flight (or one a crash interrupted) can never land. Afterwards every
        committed reference is in the log, before the head the caller then reads: the identity
        projection, caught up to that head, counts them.
        """
        async def settle(reservation_id: str, r: Mapping[str, Any]) -> None:
            if reservation_id in self._final:
                return
            version = int(r["holder_version"])
            if await self.store.read_stream(r["holder_stream"], version + 1, limit=1):
                self._remember_final(reservation_id)
                return
            voided = ReservationVoided(reservation_id)
            try:
                await self.store.append(
                    r["holder_stream"], [NewEvent("ReservationVoided", voided.to_data(), ctx.metadata(now),
                                                  voided.SCHEMA_VERSION)],
                    StreamState.NO_STREAM if version < 0 else version)
            except WrongExpectedVersion:
                pass  # something landed there meanwhile: the commit, or an event that voids it
            self._remember_final(reservation_id)

        await asyncio.gather(*(settle(rid, r) for rid, r in reservations.items()))

    def _remember_final(self, reservation_id: str) -> None:
        if len(self._final) >= 100_000:
            self._final.clear()
        self._final[reservation_id] = None

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
