"""The event-store port: what iamd needs from an append-only log, whatever stores it.

Streams hold ordered events (versions 0, 1, 2, ...). Every stored event also has a global
``position`` in the whole log: positive, strictly increasing in commit order, opaque otherwise
(SQLite uses its row id, KurrentDB its commit position). A position returned by ``append`` is a
read-your-writes token: once a subscriber has seen it, it has seen the write.
"""

from __future__ import annotations

import asyncio
import enum
import os
import random
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol, runtime_checkable

import orjson

from .errors import EventStoreUnavailable


class StreamState(enum.Enum):
    """Expected-version modes that are not an exact version number."""

    NO_STREAM = "no_stream"  # the stream must not exist yet
    ANY = "any"  # no concurrency check
    EXISTS = "exists"  # the stream must have at least one event


# An exact expected version is the version of the stream's last event (0 after one event).
ExpectedVersion = StreamState | int


# Event and request ids need to be unique, not secret: a PRNG seeded from the OS gives them
# without a system call each (a call that releases the GIL, and under load waits to get it back).
_ids = random.Random(os.urandom(32))
os.register_at_fork(after_in_child=lambda: _ids.seed(os.urandom(32)))


_V7_MARKS = (0x7 << 76) | (0b10 << 62)  # RFC 9562: version 7, variant 10
_LOW_62 = (1 << 62) - 1


def new_id() -> str:
    """A time-ordered UUID (version 7, RFC 9562), as text: 48 bits of Unix milliseconds, then 74
    random bits. Ordered by time so that the log's unique index on event ids grows at its end:
    random (version 4) ids dirtied a random index page per event, which made each audit record's
    commit cost 2-4 times more on a large log (measured on a 1M-event SQLite log)."""
    random_bits = _ids.getrandbits(74)
    n = ((time.time_ns() // 1_000_000) << 80) | _V7_MARKS | ((random_bits >> 62) << 64) | (random_bits & _LOW_62)
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to append: a stable type name, a schema version and JSON-compatible data."""

    type: str
    data: Mapping[str, Any]
    metadata: Mapping[str, Any] = field(default_factory=dict)
    schema_version: int = 1
    id: str = field(default_factory=new_id)


class LazyMetadata(Mapping[str, Any]):
    """An event's metadata as stored (a JSON object), decoded on first use.

    Most readers never look at metadata (a projection replaying the log reads type and data
    only), so adapters hand it over undecoded and whoever asks pays the one ``orjson.loads``.
    A read-only Mapping: equal to the dict it decodes to, and encodable again by EventCodec.
    """

    # _decoded stays unset until first use, so that an adapter makes one with object.__new__
    # and a single slot assignment (see the sqlite adapter's replay loop).
    __slots__ = ("_raw", "_decoded")

    def __init__(self, raw: bytes | str) -> None:
        self._raw = raw

    def _value(self) -> dict[str, Any]:
        try:
            return self._decoded
        except AttributeError:
            loaded = orjson.loads(self._raw) if self._raw else {}
            # Written by iamd's codec, so an object; anything else reads as no metadata at all
            # rather than failing a reader that only wanted one key.
            self._decoded: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
            return self._decoded

    def __getitem__(self, key: str) -> Any:
        return self._value()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._value().get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._value()

    def __iter__(self) -> Iterator[str]:
        return iter(self._value())

    def __len__(self) -> int:
        return len(self._value())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyMetadata):
            return self._value() == other._value()
        if isinstance(other, Mapping):
            return self._value() == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # like dict: mutable-looking, never a key

    def __repr__(self) -> str:
        return repr(self._value())


class _RecordedEventFields(NamedTuple):
    id: str
    stream: str
    version: int
    position: int
    type: str
    schema_version: int
    data: Mapping[str, Any]
    metadata: Mapping[str, Any]
    recorded_at: datetime  # or, as an adapter may store it, seconds since the Unix epoch (float)


class RecordedEvent(_RecordedEventFields):
    """An event as read back from the log, already upcast to its newest schema version.

    Immutable. A named tuple rather than a dataclass because a replay makes millions of them:
    an adapter builds one from its fields in a single ``tuple.__new__(RecordedEvent, fields)``
    (a third of a frozen dataclass's cost), and may store ``recorded_at`` as epoch seconds,
    turned into a datetime only when read, and ``metadata`` as the stored JSON bytes, read as a
    LazyMetadata: readers who never look at metadata (a projection) never pay for decoding it.
    ``metadata`` is always a Mapping.
    """

    __slots__ = ()

    @property
    def metadata(self) -> Mapping[str, Any]:  # type: ignore[override]
        metadata = tuple.__getitem__(self, 7)
        return LazyMetadata(metadata) if isinstance(metadata, bytes | str) else metadata

    @property
    def recorded_at(self) -> datetime:  # type: ignore[override]
        moment = tuple.__getitem__(self, 8)
        return moment if isinstance(moment, datetime) else datetime.fromtimestamp(moment, UTC)

    def _comparable(self) -> tuple[Any, ...]:
        return (*tuple.__getitem__(self, slice(0, 7)), self.metadata, self.recorded_at)

    def __eq__(self, other: object) -> bool:
        # Never equal to a plain tuple of the same values (which tuple.__eq__ would say it is).
        return isinstance(other, RecordedEvent) and self._comparable() == other._comparable()

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = tuple.__hash__  # as a frozen dataclass: hashable fields hash, a payload dict does not

    def _asdict(self) -> dict[str, Any]:
        return dict(zip(self._fields, self._comparable()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in zip(self._fields, self._comparable()))
        return f"RecordedEvent({fields})"


class ReplayedEvent(NamedTuple):
    """What a projection folds of an event: its position, stream, type and (upcast) data.

    A projection's catch-up reads millions of events and never looks at their ids, versions,
    metadata or times; an adapter may hand it these instead of RecordedEvents (see
    `EventStore.replay_batches`), reading and building a third less. A RecordedEvent has the same
    four attributes, so a fold accepts either.
    """

    position: int
    stream: str
    type: str
    data: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class AppendResult:
    """Where an append landed: the stream version and log position of its last event."""

    version: int
    position: int


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Selects events of the whole log by stream-name prefix and/or event type (empty = all)."""

    stream_prefixes: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()

    def matches(self, stream: str, event_type: str) -> bool:
        if self.stream_prefixes and not stream.startswith(self.stream_prefixes):
            return False
        if self.event_types and event_type not in self.event_types:
            return False
        return True


async def in_batches(events: AsyncIterator[RecordedEvent], size: int) -> AsyncIterator[list[RecordedEvent]]:
    """`events` a batch of `size` at a time (the last one shorter, none empty): read_all_batches
    for an adapter whose reads come one event at a time."""
    batch: list[RecordedEvent] = []
    async for event in events:
        batch.append(event)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@runtime_checkable
class EventStore(Protocol):
    """Append-only log of streams with a total order and a live subscription."""

    async def append(
        self, stream: str, events: Sequence[NewEvent], expected: ExpectedVersion
    ) -> AppendResult:
        """Append all events atomically, or none; raises WrongExpectedVersion on conflict."""
        ...

    async def read_stream(
        self, stream: str, from_version: int = 0, limit: int | None = None
    ) -> list[RecordedEvent]:
        """Events of one stream in version order from ``from_version``; [] if it does not exist."""
        ...

    def read_all(
        self,
        after: int | None = None,
        filter: EventFilter | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[RecordedEvent]:
        """Events of the whole log in position order, strictly after ``after`` (None = start)."""
        ...

    def read_all_batches(
        self, after: int | None = None, filter: EventFilter | None = None
    ) -> AsyncIterator[Sequence[RecordedEvent]]:
        """What read_all reads, handed over a batch at a time (never an empty one).

        For readers of the whole log, a projection's catch-up above all: one await per batch
        instead of one per event, which is a fair share of a replay's time.
        """
        ...

    def replay_batches(
        self, after: int | None = None, filter: EventFilter | None = None
    ) -> AsyncIterator[Sequence[ReplayedEvent | RecordedEvent]]:
        """read_all_batches for a fold: the same events in the same batches, each with at least
        position, stream, type and data (an adapter that can read less hands ReplayedEvents)."""
        ...

    def read_all_backwards(
        self,
        before: int | None = None,
        filter: EventFilter | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[RecordedEvent]:
        """Events of the whole log newest first, strictly before ``before`` (None = from the head).

        What reading a log's tail costs: ``limit`` events, not the whole log before them.
        """
        ...

    def subscribe_all(
        self, after: int | None = None, filter: EventFilter | None = None,
        *, on_live: Callable[[], None] | None = None,
        on_checkpoint: Callable[[int], None] | None = None,
    ) -> AsyncIterator[RecordedEvent]:
        """Like read_all, then waits for and yields new events as they are committed, forever.

        `on_live` is called once the subscription is established (the store answered it), before
        any event: a quiet log delivers nothing that would say so otherwise. A subscription can
        still end, cleanly or with EventStoreUnavailable; the caller resubscribes after the last
        position it processed.

        `on_checkpoint(position)`, where a store reports it (KurrentDB's checkpoints of a filtered
        subscription), says that every event the filter matches at or before `position` has
        been yielded already (and processed: it is called between two events), though the
        events in between that it skipped were never yielded. A store may never call it."""
        ...

    async def head_position(self, filter: EventFilter | None = None, *, after: int | None = None) -> int:
        """Position of the last event in the log, or of the last one the filter matches (0: none).

        With `after` (a position this store gave: an event's, or a subscription's checkpoint),
        that position if it is after `after`, else 0. It is for a caller that already knows the
        log up to `after` (a projection runner, from its subscription): a store whose search
        from the head costs everything the filter skips on the way (KurrentDB, past every audit
        record since the last identity event) searches forwards from `after` instead, so the
        cost is what lies after `after`, not what lies behind the last match."""
        ...

    async def remove_streams(self, streams: Sequence[str], truncate_before: Mapping[str, int] | None = None) -> None:
        """Remove whole `streams`, and the events of each stream in `truncate_before` older than the
        version given, for audit retention: what was archived elsewhere leaves the live log.

        Afterwards `read_stream` no longer returns those events (a stream whose events are all
        removed reads as []; a truncated one starts at the version given) and stream versions go
        on where they were. Positions are never reused. `read_all` no longer returns them either,
        except on a store that reclaims space later (KurrentDB returns them from $all until a
        scavenge): readers of a whole log skip what retention recorded as archived. Removing a
        stream that does not exist is no error. An adapter that cannot remove raises
        EventStoreError saying so; nothing of a refused call is removed.
        """
        ...

    async def close(self) -> None:
        """Flush pending writes and release resources; later calls fail."""
        ...


RESUBSCRIBE_FIRST_PAUSE = 0.05  # seconds before a new subscription replaces one that ended; doubled per failure
RESUBSCRIBE_MAX_PAUSE = 5.0


async def follow_live(store: EventStore, after: int, filter: EventFilter | None, *,
                      on_ended: Callable[[str, float], None],
                      on_live: Callable[[], None] | None = None,
                      on_checkpoint: Callable[[int], None] | None = None) -> AsyncIterator[RecordedEvent]:
    """The live log for good. A subscription the store ends (cleanly, or with EventStoreUnavailable:
    a KurrentDB node restarting, an election, a dropped connection) is replaced by a new one after
    the last event yielded, following a pause that doubles from RESUBSCRIBE_FIRST_PAUSE up to
    RESUBSCRIBE_MAX_PAUSE and starts again once events flow; `on_ended(reason, pause)` is told of
    each end first. `on_live` and `on_checkpoint` are passed to every subscription (see
    subscribe_all). Any other error ends the following."""
    pause = RESUBSCRIBE_FIRST_PAUSE
    while True:
        try:
            # on_checkpoint only when given: stores written before it need not take it.
            more = {"on_checkpoint": on_checkpoint} if on_checkpoint is not None else {}
            async for event in store.subscribe_all(after=after or None, filter=filter, on_live=on_live, **more):
                after = event.position
                pause = RESUBSCRIBE_FIRST_PAUSE
                yield event
            reason = "the store ended the live subscription"
        except EventStoreUnavailable as e:
            reason = f"the live subscription dropped: {e}"
        on_ended(reason, pause)
        await asyncio.sleep(pause)
        pause = min(pause * 2, RESUBSCRIBE_MAX_PAUSE)
