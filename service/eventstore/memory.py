"""In-memory event store for unit tests: the EventStore port with no I/O and no durability.

Payloads are still encoded on append and decoded on every read, so codec failures and
upcasting behave exactly as they do with the durable adapters. Positions are 1, 2, 3, ...

As the reference adapter it also holds the append rules that every adapter applies:
``check_append_arguments`` and ``is_expected_version``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from .codec import EventCodec
from .errors import EventStoreError, EventStoreUnavailable, WrongExpectedVersion
from .port import AppendResult, EventFilter, ExpectedVersion, NewEvent, RecordedEvent, StreamState, in_batches

# Long reads hand control back to the event loop this often, so a replay of a big log
# does not starve other tasks.
_YIELD_EVERY = 1_000


@dataclass(frozen=True, slots=True)
class _StoredEvent:
    position: int
    id: str
    stream: str
    version: int
    type: str
    schema_version: int
    data: bytes
    metadata: bytes
    recorded_at: datetime


class InMemoryEventStore:
    """EventStore kept in a Python list; subscribers are woken by an asyncio.Event per append."""

    def __init__(self, codec: EventCodec) -> None:
        self._codec = codec
        # INVARIANT: self._log[i].position == i + 1; a removed event (remove_streams) stays as None
        self._log: list[_StoredEvent | None] = []
        self._streams: dict[str, list[_StoredEvent]] = {}
        self._truncated: dict[str, int] = {}  # stream -> the first version still readable
        self._ids: set[str] = set()
        # Replaced after every append: waiting subscribers hold the old one, which is set.
        self._appended = asyncio.Event()
        self._closed = False

    async def append(
        self, stream: str, events: Sequence[NewEvent], expected: ExpectedVersion
    ) -> AppendResult:
        self._check_open()
        check_append_arguments(events, expected)
        stream_events = self._streams.get(stream, [])
        current = len(stream_events) - 1 if stream_events else None
        if not is_expected_version(expected, current):
            raise WrongExpectedVersion(stream, expected, current)
        # Encode and validate everything before touching the log, so a failing batch writes nothing.
        encoded = [(e, self._codec.encode(e.data), self._codec.encode(e.metadata)) for e in events]
        batch_ids = [e.id for e in events]
        if len(set(batch_ids)) != len(batch_ids) or not self._ids.isdisjoint(batch_ids):
            raise EventStoreError(f"an event id of this append to `{stream}` is already stored")

        recorded_at = datetime.now(UTC)
        version = -1 if current is None else current
        for event, data, metadata in encoded:
            version += 1
            stored = _StoredEvent(
                position=len(self._log) + 1,
                id=event.id,
                stream=stream,
                version=version,
                type=event.type,
                schema_version=event.schema_version,
                data=data,
                metadata=metadata,
                recorded_at=recorded_at,
            )
            self._log.append(stored)
            stream_events.append(stored)
            self._ids.add(event.id)
        self._streams[stream] = stream_events
        self._wake_subscribers()
        return AppendResult(version=version, position=len(self._log))

    async def read_stream(
        self, stream: str, from_version: int = 0, limit: int | None = None
    ) -> list[RecordedEvent]:
        self._check_open()
        selected = self._streams.get(stream, [])[max(from_version, self._truncated.get(stream, 0), 0) :]
        if limit is not None:
            selected = selected[:limit]
        return [self._decode(stored) for stored in selected]

    async def read_all(
        self,
        after: int | None = None,
        filter: EventFilter | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[RecordedEvent]:
        self._check_open()
        # Reads see the log as it was when they started; subscribe_all follows it further.
        async for event in self._scan(range(after or 0, len(self._log)), filter, limit):
            yield event

    async def read_all_batches(
        self, after: int | None = None, filter: EventFilter | None = None
    ) -> AsyncIterator[list[RecordedEvent]]:
        async for batch in in_batches(self.read_all(after=after, filter=filter), _YIELD_EVERY):
            yield batch

    def replay_batches(
        self, after: int | None = None, filter: EventFilter | None = None
    ) -> AsyncIterator[list[RecordedEvent]]:
        return self.read_all_batches(after=after, filter=filter)  # nothing cheaper to read here

    async def read_all_backwards(
        self,
        before: int | None = None,
        filter: EventFilter | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[RecordedEvent]:
        self._check_open()
        # Position p is at index p - 1: start at the event just before `before`.
        start = len(self._log) if before is None else min(max(before - 1, 0), len(self._log))
        async for event in self._scan(range(start - 1, -1, -1), filter, limit):
            yield event

    async def _scan(self, indexes: range, filter: EventFilter | None, limit: int | None) -> AsyncIterator[RecordedEvent]:
        """The matching events at these log indexes, in their order, at most `limit` of them."""
        yielded = 0
        for index in indexes:
            if limit is not None and yielded >= limit:
                return
            stored = self._log[index]
            if stored is not None and (filter is None or filter.matches(stored.stream, stored.type)):
                yield self._decode(stored)
                yielded += 1
            if index % _YIELD_EVERY == 0:
                await asyncio.sleep(0)

    async def subscribe_all(
        self, after: int | None = None, filter: EventFilter | None = None,
        *, on_live: Callable[[], None] | None = None,
        on_checkpoint: Callable[[int], None] | None = None,  # never called: every match is yielded
    ) -> AsyncIterator[RecordedEvent]:
        next_index = after or 0
        self._check_open()
        if on_live is not None:
            on_live()
        while True:
            self._check_open()
            # Taken before reading, so an append made while we yield still wakes us.
            appended = self._appended
            while next_index < len(self._log):
                stored = self._log[next_index]
                next_index += 1
                if stored is not None and (filter is None or filter.matches(stored.stream, stored.type)):
                    yield self._decode(stored)
            await appended.wait()

    async def head_position(self, filter: EventFilter | None = None, *, after: int | None = None) -> int:
        head = await self._head_position(filter)  # as cheap whatever `after` says
        return head if after is None or head > after else 0

    async def _head_position(self, filter: EventFilter | None = None) -> int:
        self._check_open()
        if filter is None:
            return len(self._log)
        for index in range(len(self._log) - 1, -1, -1):
            stored = self._log[index]
            if stored is not None and filter.matches(stored.stream, stored.type):
                return index + 1
        return 0

    async def remove_streams(self, streams: Sequence[str], truncate_before: Mapping[str, int] | None = None) -> None:
        self._check_open()
        for stream in streams:
            for stored in self._streams.pop(stream, []):
                self._log[stored.position - 1] = None
                self._ids.discard(stored.id)
            self._truncated.pop(stream, None)
        for stream, version in (truncate_before or {}).items():
            stream_events = self._streams.get(stream, [])
            first = self._truncated.get(stream, 0)
            for stored in stream_events[first:max(version, first)]:
                self._log[stored.position - 1] = None
                self._ids.discard(stored.id)
            self._truncated[stream] = max(first, min(version, len(stream_events)))

    async def close(self) -> None:
        self._closed = True
        self._wake_subscribers()

    def _decode(self, stored: _StoredEvent) -> RecordedEvent:
        data, schema_version = self._codec.decode(stored.type, stored.schema_version, stored.data)
        return RecordedEvent(
            id=stored.id,
            stream=stored.stream,
            version=stored.version,
            position=stored.position,
            type=stored.type,
            schema_version=schema_version,
            data=data,
            metadata=stored.metadata,  # the stored JSON: decoded when read (see RecordedEvent)
            recorded_at=stored.recorded_at,
        )

    def _wake_subscribers(self) -> None:
        self._appended.set()
        self._appended = asyncio.Event()

    def _check_open(self) -> None:
        if self._closed:
            raise EventStoreUnavailable("the in-memory event store is closed")


# The two rules below are the port's append semantics; the durable adapters import them from
# here so that every adapter judges arguments and expected versions identically.


def check_append_arguments(events: Sequence[NewEvent], expected: ExpectedVersion) -> None:
    """Reject an empty batch, an expected version that is neither a StreamState nor >= 0, and
    metadata keys starting with `$`, which KurrentDB reserves (the kurrentdb adapter stores the
    schema version there), so that a batch one adapter accepts every adapter accepts."""
    if not events:
        raise ValueError("append needs at least one event")
    if not isinstance(expected, StreamState) and (isinstance(expected, bool) or expected < 0):
        raise ValueError(f"expected version must be a StreamState or a version >= 0, not {expected!r}")
    for event in events:
        for key in event.metadata:
            if key.startswith("$"):
                raise ValueError(f"metadata key `{key}` is reserved: keys starting with `$` are the store's")


def is_expected_version(expected: ExpectedVersion, current: int | None) -> bool:
    """Whether a stream whose last version is ``current`` (None: no stream) meets ``expected``."""
    if expected is StreamState.ANY:
        return True
    if expected is StreamState.NO_STREAM:
        return current is None
    if expected is StreamState.EXISTS:
        return current is not None
    return current == expected
