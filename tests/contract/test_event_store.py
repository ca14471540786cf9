"""The event-store contract: one suite, run against every adapter (see conftest.py).

Followed by the few behaviours only one adapter has: the SQLite file's durability, locking and
sharing between stores, the kurrentdb adapter's cluster discovery and unreachable server, and
``open_event_store``'s URIs.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import aclosing
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from iamd.service.eventstore import (
    AppendResult,
    CodecError,
    EventCodec,
    EventFilter,
    EventStore,
    EventStoreError,
    EventStoreUnavailable,
    InMemoryEventStore,
    InvalidPosition,
    KurrentDbEventStore,
    NewEvent,
    RecordedEvent,
    SqliteEventStore,
    StreamState,
    WrongExpectedVersion,
    open_event_store,
)
from tests.fakes.kurrentdb_fake import FakeKurrentDb

if TYPE_CHECKING:
    from tests.contract.conftest import Backend

# Upper bound on waiting for a subscription to deliver; a healthy store takes milliseconds, a
# loaded machine (CI: two shared cores under the whole suite) may take seconds. Only catches hangs.
DELIVERY_TIMEOUT = 30.0


def event(n: int, event_type: str = "ThingHappened") -> NewEvent:
    return NewEvent(type=event_type, data={"n": n})


async def collect(events: AsyncIterator[RecordedEvent]) -> list[RecordedEvent]:
    return [e async for e in events]


async def next_event(subscription: AsyncIterator[RecordedEvent]) -> RecordedEvent:
    return await asyncio.wait_for(anext(subscription), DELIVERY_TIMEOUT)


def payload_numbers(events: list[RecordedEvent]) -> list[int]:
    return [e.data["n"] for e in events]


# -- expected versions -----------------------------------------------------------------------


async def test_no_stream_creates_the_stream(store: EventStore, ns: str) -> None:
    result = await store.append(f"{ns}-user-alice", [event(0), event(1)], StreamState.NO_STREAM)

    assert result.version == 1
    assert result.position > 0
    assert payload_numbers(await store.read_stream(f"{ns}-user-alice")) == [0, 1]


async def test_no_stream_conflicts_when_the_stream_exists(store: EventStore, ns: str) -> None:
    stream = f"{ns}-user-alice"
    await store.append(stream, [event(0), event(1)], StreamState.NO_STREAM)

    with pytest.raises(WrongExpectedVersion) as conflict:
        await store.append(stream, [event(2)], StreamState.NO_STREAM)

    assert conflict.value.stream == stream
    assert conflict.value.actual == 1
    assert payload_numbers(await store.read_stream(stream)) == [0, 1]


async def test_any_appends_whether_or_not_the_stream_exists(store: EventStore, ns: str) -> None:
    stream = f"{ns}-user-alice"

    first = await store.append(stream, [event(0)], StreamState.ANY)
    second = await store.append(stream, [event(1), event(2)], StreamState.ANY)

    assert (first.version, second.version) == (0, 2)
    assert second.position > first.position
    assert payload_numbers(await store.read_stream(stream)) == [0, 1, 2]


async def test_exists_needs_the_stream(store: EventStore, ns: str) -> None:
    stream = f"{ns}-user-alice"
    with pytest.raises(WrongExpectedVersion) as conflict:
        await store.append(stream, [event(0)], StreamState.EXISTS)
    assert conflict.value.stream == stream
    assert conflict.value.actual is None
    assert await store.read_stream(stream) == []

    await store.append(stream, [event(0)], StreamState.NO_STREAM)
    result = await store.append(stream, [event(1)], StreamState.EXISTS)

    assert result.version == 1
    assert payload_numbers(await store.read_stream(stream)) == [0, 1]


async def test_exact_version_appends_after_that_version(store: EventStore, ns: str) -> None:
    stream = f"{ns}-user-alice"
    await store.append(stream, [event(0), event(1)], StreamState.NO_STREAM)

    result = await store.append(stream, [event(2), event(3)], 1)

    assert result.version == 3
    assert payload_numbers(await store.read_stream(stream)) == [0, 1, 2, 3]


@pytest.mark.parametrize("expected", [0, 2, 7])
async def test_wrong_exact_version_conflicts(store: EventStore, ns: str, expected: int) -> None:
    stream = f"{ns}-user-alice"
    await store.append(stream, [event(0), event(1)], StreamState.NO_STREAM)

    with pytest.raises(WrongExpectedVersion) as conflict:
        await store.append(stream, [event(9)], expected)

    assert conflict.value.stream == stream
    assert conflict.value.actual == 1
    assert payload_numbers(await store.read_stream(stream)) == [0, 1]


async def test_exact_version_conflicts_when_the_stream_is_missing(store: EventStore, ns: str) -> None:
    with pytest.raises(WrongExpectedVersion) as conflict:
        await store.append(f"{ns}-user-alice", [event(0)], 0)

    assert conflict.value.actual is None
    assert await store.read_stream(f"{ns}-user-alice") == []


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([], StreamState.ANY),
        ([event(0)], -1),
        ([NewEvent(type="ThingHappened", data={}, metadata={"$correlationId": "x"})], StreamState.ANY),
    ],
    ids=["no-events", "negative-version", "reserved-metadata-key"],
)
async def test_append_rejects_meaningless_arguments(
    store: EventStore, ns: str, events: list[NewEvent], expected: Any
) -> None:
    with pytest.raises(ValueError):
        await store.append(f"{ns}-user-alice", events, expected)


@pytest.mark.parametrize("expected", [StreamState.NO_STREAM, 0], ids=["no-stream", "exact"])
async def test_concurrent_appends_with_one_expected_version_have_one_winner(
    store: EventStore, ns: str, expected: Any
) -> None:
    stream = f"{ns}-user-alice"
    if expected == 0:
        await store.append(stream, [event(0)], StreamState.NO_STREAM)
    before = payload_numbers(await store.read_stream(stream))

    outcomes = await asyncio.gather(
        store.append(stream, [event(100)], expected),
        store.append(stream, [event(200)], expected),
        return_exceptions=True,
    )

    winners = [o for o in outcomes if isinstance(o, AppendResult)]
    losers = [o for o in outcomes if isinstance(o, WrongExpectedVersion)]
    assert (len(winners), len(losers)) == (1, 1), outcomes
    winner_number = 100 if isinstance(outcomes[0], AppendResult) else 200
    assert payload_numbers(await store.read_stream(stream)) == [*before, winner_number]


async def test_a_conflicting_append_fails_alone_among_concurrent_appends(store: EventStore, ns: str) -> None:
    await store.append(f"{ns}-user-taken", [event(0)], StreamState.NO_STREAM)

    outcomes = await asyncio.gather(
        *(store.append(f"{ns}-user-{i}", [event(i), event(i)], StreamState.NO_STREAM) for i in range(10)),
        store.append(f"{ns}-user-taken", [event(99)], StreamState.NO_STREAM),
        return_exceptions=True,
    )

    assert all(isinstance(o, AppendResult) for o in outcomes[:10]), outcomes
    assert isinstance(outcomes[10], WrongExpectedVersion)
    for i in range(10):
        assert payload_numbers(await store.read_stream(f"{ns}-user-{i}")) == [i, i]
    assert payload_numbers(await store.read_stream(f"{ns}-user-taken")) == [0]


async def test_a_conflicting_batch_writes_none_of_its_events(store: EventStore, ns: str) -> None:
    stream = f"{ns}-user-alice"
    await store.append(stream, [event(0)], StreamState.NO_STREAM)
    head = await store.head_position()

    with pytest.raises(WrongExpectedVersion):
        await store.append(stream, [event(1), event(2), event(3)], 5)

    assert payload_numbers(await store.read_stream(stream)) == [0]
    assert await collect(store.read_all(after=head, filter=EventFilter(stream_prefixes=(ns,)))) == []


async def test_a_batch_that_cannot_be_encoded_writes_nothing(store: EventStore, ns: str) -> None:
    stream = f"{ns}-user-alice"
    unencodable = NewEvent(type="ThingHappened", data={"n": 1, "when": object()})

    with pytest.raises(CodecError):
        await store.append(stream, [event(0), unencodable, event(2)], StreamState.ANY)

    assert await store.read_stream(stream) == []
    await store.append(stream, [event(0)], StreamState.NO_STREAM)  # the store is still usable
    assert payload_numbers(await store.read_stream(stream)) == [0]


# -- reading one stream ----------------------------------------------------------------------


async def test_read_stream_returns_events_in_version_order(store: EventStore, ns: str) -> None:
    stream = f"{ns}-user-alice"
    await store.append(stream, [event(0), event(1)], StreamState.NO_STREAM)
    await store.append(f"{ns}-user-bob", [event(50)], StreamState.NO_STREAM)
    await store.append(stream, [event(2), event(3), event(4)], 1)

    events = await store.read_stream(stream)

    assert [e.version for e in events] == [0, 1, 2, 3, 4]
    assert payload_numbers(events) == [0, 1, 2, 3, 4]
    assert {e.stream for e in events} == {stream}


async def test_read_stream_from_a_version_with_a_limit(store: EventStore, ns: str) -> None:
    stream = f"{ns}-user-alice"
    await store.append(stream, [event(n) for n in range(6)], StreamState.NO_STREAM)

    assert [e.version for e in await store.read_stream(stream, from_version=2)] == [2, 3, 4, 5]
    assert [e.version for e in await store.read_stream(stream, from_version=1, limit=3)] == [1, 2, 3]
    assert [e.version for e in await store.read_stream(stream, limit=2)] == [0, 1]
    assert await store.read_stream(stream, from_version=6) == []


async def test_reading_a_missing_stream_returns_nothing(store: EventStore, ns: str) -> None:
    assert await store.read_stream(f"{ns}-user-nobody") == []


# -- reading the whole log -------------------------------------------------------------------


async def test_a_fresh_store_is_empty(backend: Backend, store: EventStore) -> None:
    if not backend.starts_empty:
        pytest.skip("a real server's log already holds other runs' events")

    assert await store.head_position() == 0
    assert await collect(store.read_all()) == []


async def test_read_all_returns_events_in_commit_order(store: EventStore, ns: str) -> None:
    start = await store.head_position()
    results = [
        await store.append(f"{ns}-user-alice", [event(0), event(1)], StreamState.NO_STREAM),
        await store.append(f"{ns}-user-bob", [event(2)], StreamState.NO_STREAM),
        await store.append(f"{ns}-user-alice", [event(3)], 1),
        await store.append(f"{ns}-group-admins", [event(4), event(5), event(6)], StreamState.NO_STREAM),
    ]

    events = await collect(store.read_all(after=start, filter=EventFilter(stream_prefixes=(ns,))))

    assert payload_numbers(events) == [0, 1, 2, 3, 4, 5, 6]
    positions = [e.position for e in events]
    assert all(p > 0 for p in positions)
    assert positions == sorted(set(positions)), "positions must increase strictly"
    # Each append reports the position and version of its last event.
    last_of_each_append = [events[1], events[2], events[3], events[6]]
    assert [(r.version, r.position) for r in results] == [(e.version, e.position) for e in last_of_each_append]


async def test_read_all_after_a_position_excludes_that_position(store: EventStore, ns: str) -> None:
    start = await store.head_position()
    await store.append(f"{ns}-user-alice", [event(n) for n in range(4)], StreamState.NO_STREAM)
    mine = EventFilter(stream_prefixes=(ns,))
    events = await collect(store.read_all(after=start, filter=mine))

    after_second = await collect(store.read_all(after=events[1].position, filter=mine))

    assert payload_numbers(after_second) == [2, 3]
    assert await collect(store.read_all(after=events[-1].position, filter=mine)) == []


async def test_read_all_filters_by_stream_prefix_and_event_type(store: EventStore, ns: str) -> None:
    start = await store.head_position()
    await store.append(f"{ns}-user-alice", [event(0, "UserCreated"), event(1, "UserTagged")], StreamState.NO_STREAM)
    await store.append(f"{ns}-group-admins", [event(2, "GroupCreated")], StreamState.NO_STREAM)
    await store.append(f"{ns}-user-bob", [event(3, "UserCreated")], StreamState.NO_STREAM)
    await store.append(f"{ns}-role-ops", [event(4, "RoleCreated")], StreamState.NO_STREAM)

    async def numbers(event_filter: EventFilter) -> list[int]:
        return payload_numbers(await collect(store.read_all(after=start, filter=event_filter)))

    assert await numbers(EventFilter(stream_prefixes=(f"{ns}-user-",))) == [0, 1, 3]
    assert await numbers(EventFilter(stream_prefixes=(f"{ns}-group-", f"{ns}-role-"))) == [2, 4]
    assert await numbers(EventFilter(stream_prefixes=(f"{ns}-user-alice",))) == [0, 1]
    mine = (ns,)
    assert await numbers(EventFilter(stream_prefixes=mine, event_types=("UserCreated",))) == [0, 3]
    assert await numbers(EventFilter(stream_prefixes=mine, event_types=("GroupCreated", "RoleCreated"))) == [2, 4]
    assert await numbers(EventFilter(stream_prefixes=(f"{ns}-user-",), event_types=("UserTagged",))) == [1]
    assert await numbers(EventFilter(stream_prefixes=(f"{ns}-nothing-",))) == []


async def test_read_all_filters_by_event_type_alone(store: EventStore, ns: str) -> None:
    start = await store.head_position()
    # Event types unique to this test, since this filter spans every stream of the log.
    created, tagged = f"{ns}.UserCreated", f"{ns}.UserTagged"
    await store.append(f"{ns}-user-alice", [event(0, created), event(1, tagged)], StreamState.NO_STREAM)
    await store.append(f"{ns}-user-bob", [event(2, created)], StreamState.NO_STREAM)

    events = await collect(store.read_all(after=start, filter=EventFilter(event_types=(created,))))

    assert payload_numbers(events) == [0, 2]


async def test_read_all_stops_at_the_limit(store: EventStore, ns: str) -> None:
    start = await store.head_position()
    await store.append(f"{ns}-user-alice", [event(n) for n in range(5)], StreamState.NO_STREAM)
    mine = EventFilter(stream_prefixes=(ns,))

    assert payload_numbers(await collect(store.read_all(after=start, filter=mine, limit=3))) == [0, 1, 2]
    assert await collect(store.read_all(after=start, filter=mine, limit=0)) == []


async def test_read_all_batches_hands_over_what_read_all_reads(store: EventStore, ns: str) -> None:
    start = await store.head_position()
    for n in range(0, 6_000, 500):  # more events than one batch of any adapter
        await store.append(f"{ns}-user-u{n}", [event(i) for i in range(n, n + 500)], StreamState.NO_STREAM)
        await store.append(f"{ns}-audit-{n}", [event(-1)], StreamState.NO_STREAM)
    users = EventFilter(stream_prefixes=(f"{ns}-user-",))

    batches = [batch async for batch in store.read_all_batches(after=start, filter=users)]

    assert all(batches) and len(batches) > 1
    flat = [e for batch in batches for e in batch]
    assert payload_numbers(flat) == list(range(6_000))
    assert flat == await collect(store.read_all(after=start, filter=users))
    after_some = [e async for batch in store.read_all_batches(after=flat[1_233].position, filter=users) for e in batch]
    assert payload_numbers(after_some) == list(range(1_234, 6_000))
    assert [b async for b in store.read_all_batches(after=flat[-1].position, filter=users)] == []


async def test_replay_batches_hand_over_the_facts_a_fold_reads(store: EventStore, ns: str) -> None:
    start = await store.head_position()
    for n in range(0, 3_000, 500):
        await store.append(f"{ns}-user-u{n}", [event(i) for i in range(n, n + 500)], StreamState.NO_STREAM)
        await store.append(f"{ns}-audit-{n}", [event(-1)], StreamState.NO_STREAM)
    users = EventFilter(stream_prefixes=(f"{ns}-user-",))
    facts = lambda events: [(e.position, e.stream, e.type, e.data) for e in events]  # noqa: E731

    batches = [batch async for batch in store.replay_batches(after=start, filter=users)]

    assert all(batches) and len(batches) > 1
    flat = [e for batch in batches for e in batch]
    assert facts(flat) == facts(await collect(store.read_all(after=start, filter=users)))
    after_some = [e async for batch in store.replay_batches(after=flat[999].position, filter=users) for e in batch]
    assert payload_numbers(after_some) == list(range(1_000, 3_000))


async def test_read_all_backwards_returns_the_newest_events_first(store: EventStore, ns: str) -> None:
    start = await store.head_position()  # a record's position: a read may start after it on any store
    await store.append(f"{ns}-user-alice", [event(0), event(1)], StreamState.NO_STREAM)
    await store.append(f"{ns}-audit-1", [event(2)], StreamState.NO_STREAM)
    await store.append(f"{ns}-user-bob", [event(3), event(4)], StreamState.NO_STREAM)
    mine = EventFilter(stream_prefixes=(ns,))

    newest_first = await collect(store.read_all_backwards(filter=mine))

    assert payload_numbers(newest_first) == [4, 3, 2, 1, 0]
    forwards = await collect(store.read_all(after=start, filter=mine))
    assert newest_first == forwards[::-1], "the same events, positions included, in reverse"


async def test_a_read_or_subscription_from_a_position_that_is_none_is_refused_or_well_defined(
        store: EventStore, ns: str) -> None:
    """A real KurrentDB refuses a commit position that is no record's; SQLite and memory positions
    are dense integers, any of which bounds a read. Either way, never an outage."""
    await store.append(f"{ns}-user-alice", [event(0), event(1)], StreamState.NO_STREAM)
    newer, older = await collect(store.read_all_backwards(filter=EventFilter(stream_prefixes=(ns,)), limit=2))
    between = older.position + 1  # after the older event, before the newer one
    if between == newer.position:  # dense positions: nothing lies between two records
        assert [e.position for e in await collect(store.read_all(after=older.position))] == [newer.position]
        return
    with pytest.raises(InvalidPosition) as refused:
        await collect(store.read_all(after=between))
    assert refused.value.position == between
    with pytest.raises(InvalidPosition):
        async with aclosing(store.subscribe_all(after=between)) as live:
            await anext(live)


async def test_read_all_backwards_reads_only_the_tail_it_asks_for(store: EventStore, ns: str) -> None:
    await store.append(f"{ns}-user-alice", [event(n) for n in range(5)], StreamState.NO_STREAM)
    await store.append(f"{ns}-audit-1", [event(5)], StreamState.NO_STREAM)
    users = EventFilter(stream_prefixes=(f"{ns}-user-",))

    last_two = await collect(store.read_all_backwards(filter=users, limit=2))
    assert payload_numbers(last_two) == [4, 3]
    # Before a position excludes that position: the tail can be read on from where a page ended.
    older = await collect(store.read_all_backwards(before=last_two[-1].position, filter=users, limit=2))
    assert payload_numbers(older) == [2, 1]
    assert await collect(store.read_all_backwards(filter=users, limit=0)) == []
    typed = EventFilter(stream_prefixes=(ns,), event_types=("Other",))
    assert await collect(store.read_all_backwards(filter=typed)) == []


async def test_read_all_backwards_on_nothing_matching_is_empty(store: EventStore, ns: str) -> None:
    assert await collect(store.read_all_backwards(filter=EventFilter(stream_prefixes=(f"{ns}-nothing-",)))) == []
    await store.append(f"{ns}-user-alice", [event(0)], StreamState.NO_STREAM)
    [alice] = await collect(store.read_all_backwards(filter=EventFilter(stream_prefixes=(ns,))))
    assert await collect(store.read_all_backwards(before=alice.position, filter=EventFilter(stream_prefixes=(ns,)))) == []


async def test_head_position_is_the_position_of_the_last_event(store: EventStore, ns: str) -> None:
    await store.append(f"{ns}-user-alice", [event(0)], StreamState.NO_STREAM)
    last = await store.append(f"{ns}-user-bob", [event(1), event(2)], StreamState.NO_STREAM)

    # A real server may be written to by others meanwhile, hence >=.
    assert await store.head_position() >= last.position
    tail = await collect(store.read_all(after=last.position, filter=EventFilter(stream_prefixes=(ns,))))
    assert tail == []


async def test_head_position_of_a_filter_is_its_last_matching_event(store: EventStore, ns: str) -> None:
    alice = await store.append(f"{ns}-user-alice", [event(0)], StreamState.NO_STREAM)
    await store.append(f"{ns}-audit-1", [event(1), event(2)], StreamState.NO_STREAM)
    assert await store.head_position(EventFilter(stream_prefixes=(f"{ns}-user-",))) == alice.position
    assert await store.head_position(EventFilter(stream_prefixes=(f"{ns}-nothing-",))) == 0
    typed = EventFilter(stream_prefixes=(f"{ns}-user-",), event_types=("ThingHappened",))
    assert await store.head_position(typed) == alice.position
    other_type = EventFilter(stream_prefixes=(f"{ns}-user-",), event_types=("SomethingElse",))
    assert await store.head_position(other_type) == 0


async def test_head_position_of_several_prefixes_counts_only_streams_that_start_with_one(
        store: EventStore, ns: str) -> None:
    """Issue 15: the prefixes were once sent as `^a.*|b.*|c.*$`, whose middle alternatives match
    anywhere in a name (a KurrentDB user's `$user-<login>` stream, another application's)."""
    alice = await store.append(f"{ns}-user-alice", [event(0)], StreamState.NO_STREAM)
    await store.append(f"x{ns}-org-1", [event(1)], StreamState.NO_STREAM)  # contains a prefix, starts with none
    await store.append(f"x{ns}-group-1", [event(2)], StreamState.NO_STREAM)
    prefixes = EventFilter(stream_prefixes=(f"{ns}-user-", f"{ns}-group-", f"{ns}-org-"))
    assert await store.head_position(prefixes) == alice.position


async def test_head_position_asked_again_and_again_follows_the_log(store: EventStore, ns: str) -> None:
    """A store may remember how far it searched for a filter (SQLite does): asked again after
    events that do not match, after ones that do, for two filters in turn, the answer is each
    time the last match in the whole log."""
    users, groups = EventFilter(stream_prefixes=(f"{ns}-user-",)), EventFilter(stream_prefixes=(f"{ns}-group-",))
    last = {"user": 0, "group": 0}
    n = 0
    for step in ["user", "audit", "audit", "group", "audit", "user", "user", "audit", "group", "audit"]:
        n += 1
        written = await store.append(f"{ns}-{step}-{n}", [event(n)], StreamState.NO_STREAM)
        if step != "audit":
            last[step] = written.position
        assert await store.head_position(users) == last["user"], step
        assert await store.head_position(groups) == last["group"], step


async def test_head_position_after_a_position_is_the_last_match_after_it(store: EventStore, ns: str) -> None:
    """Issue 15, item 4: a runner that knows the log up to a position asks only for what follows
    (on KurrentDB a search forwards from there, instead of backwards over every skipped event)."""
    mine = EventFilter(stream_prefixes=(f"{ns}-user-",))
    alice = await store.append(f"{ns}-user-alice", [event(0)], StreamState.NO_STREAM)
    audit = await store.append(f"{ns}-audit-1", [event(n) for n in range(1, 6)], StreamState.NO_STREAM)
    bob = await store.append(f"{ns}-user-bob", [event(6)], StreamState.NO_STREAM)
    await store.append(f"{ns}-audit-2", [event(7)], StreamState.NO_STREAM)
    assert await store.head_position(mine, after=alice.position) == bob.position
    assert await store.head_position(mine, after=audit.position) == bob.position  # a skipped event's position
    assert await store.head_position(mine, after=bob.position) == 0
    typed = EventFilter(stream_prefixes=(f"{ns}-user-",), event_types=("ThingHappened",))
    assert await store.head_position(typed, after=alice.position) == bob.position
    assert await store.head_position(EventFilter(stream_prefixes=(f"{ns}-nothing-",)), after=alice.position) == 0


# -- subscriptions ---------------------------------------------------------------------------


async def test_subscription_delivers_past_then_live_events(store: EventStore, ns: str) -> None:
    start = await store.head_position()
    await store.append(f"{ns}-user-alice", [event(0), event(1)], StreamState.NO_STREAM)

    async with aclosing(store.subscribe_all(after=start, filter=EventFilter(stream_prefixes=(ns,)))) as subscription:
        past = [await next_event(subscription), await next_event(subscription)]
        waiting = asyncio.ensure_future(next_event(subscription))
        live_append = await store.append(f"{ns}-user-bob", [event(2)], StreamState.NO_STREAM)
        live = await waiting
        later_append = await store.append(f"{ns}-user-alice", [event(3)], 1)
        later = await next_event(subscription)

    assert payload_numbers([*past, live, later]) == [0, 1, 2, 3]
    assert (live.stream, live.position) == (f"{ns}-user-bob", live_append.position)
    assert later.position == later_append.position


async def test_a_filtered_subscription_checkpoints_only_past_what_it_delivered(
        backend: Backend, store: EventStore, ns: str) -> None:
    """Issue 15, item 4: a checkpoint says every match up to it was delivered, which is what lets a
    runner search for its head only past it. KurrentDB sends one every window x multiplier events
    of $all, matching or not (30 with the adapter's settings); other stores never need to."""
    mine = EventFilter(stream_prefixes=(f"{ns}-user-",))
    start = await store.head_position()
    checkpoints: list[tuple[int, int]] = []  # (position, matches delivered when it came)
    delivered: list[RecordedEvent] = []
    subscription = store.subscribe_all(after=start, filter=mine,
                                       on_checkpoint=lambda position: checkpoints.append((position, len(delivered))))
    async with aclosing(subscription):
        alice = await store.append(f"{ns}-user-alice", [event(0)], StreamState.NO_STREAM)
        delivered.append(await next_event(subscription))
        for n in range(4):  # 200 events the filter skips
            await store.append(f"{ns}-audit-{n}", [event(k) for k in range(50)], StreamState.NO_STREAM)
        bob = await store.append(f"{ns}-user-bob", [event(1)], StreamState.NO_STREAM)
        delivered.append(await next_event(subscription))

    assert [e.position for e in delivered] == [alice.position, bob.position]
    for position, matches_delivered in checkpoints:
        assert matches_delivered >= sum(1 for e in (alice, bob) if e.position <= position)
    if backend.name.startswith("kurrentdb"):
        assert any(alice.position <= position < bob.position for position, _ in checkpoints)


async def test_subscription_resumes_after_a_position_without_duplicates(store: EventStore, ns: str) -> None:
    start = await store.head_position()
    await store.append(f"{ns}-user-alice", [event(n) for n in range(3)], StreamState.NO_STREAM)
    mine = EventFilter(stream_prefixes=(ns,))
    checkpoint = (await collect(store.read_all(after=start, filter=mine)))[1].position

    async with aclosing(store.subscribe_all(after=checkpoint, filter=mine)) as subscription:
        resumed = await next_event(subscription)
        await store.append(f"{ns}-user-alice", [event(3)], 2)
        live = await next_event(subscription)

    assert payload_numbers([resumed, live]) == [2, 3]
    assert checkpoint < resumed.position < live.position


async def test_subscription_applies_its_filter_to_live_events(store: EventStore, ns: str) -> None:
    start = await store.head_position()
    users_created = EventFilter(stream_prefixes=(f"{ns}-user-",), event_types=("UserCreated",))

    async with aclosing(store.subscribe_all(after=start, filter=users_created)) as subscription:
        waiting = asyncio.ensure_future(next_event(subscription))
        await store.append(f"{ns}-group-admins", [event(0, "UserCreated")], StreamState.NO_STREAM)
        await store.append(f"{ns}-user-alice", [event(1, "UserTagged"), event(2, "UserCreated")], StreamState.ANY)
        first = await waiting
        await store.append(f"{ns}-user-bob", [event(3, "UserCreated")], StreamState.NO_STREAM)
        second = await next_event(subscription)

    assert payload_numbers([first, second]) == [2, 3]


# -- encoding --------------------------------------------------------------------------------


async def test_events_round_trip_through_the_codec(store: EventStore, ns: str) -> None:
    stream = f"{ns}-user-zoë"
    data = {
        "name": "Zoë 山田 🚀",
        "path": "/eng/\u00e9quipe/",
        "nested": {"tags": [{"key": "team", "value": "platform"}], "quota": 5, "ratio": 0.25},
        "flags": [True, False, None],
        "big": 2**53,
    }
    metadata = {"request_id": "req-1", "actor_arn": "arn:aws:iam::123456789012:user/zoë", "hops": [1, 2]}
    new = NewEvent(type="UserCreated", data=data, metadata=metadata, schema_version=3)
    before = datetime.now(UTC)
    start = await store.head_position()

    result = await store.append(stream, [new], StreamState.NO_STREAM)
    [read] = await store.read_stream(stream)

    assert read.id == new.id
    assert (read.stream, read.version, read.position) == (stream, 0, result.position)
    assert (read.type, read.schema_version) == ("UserCreated", 3)
    assert read.data == data
    assert read.metadata == metadata
    assert read.recorded_at.tzinfo is not None
    # Checks the clock units, not timing: seconds, not ticks or milliseconds, since the epoch.
    assert before - timedelta(minutes=5) <= read.recorded_at <= datetime.now(UTC) + timedelta(minutes=5)
    [from_all] = await collect(store.read_all(after=start, filter=EventFilter(stream_prefixes=(ns,))))
    assert from_all == read


async def test_read_metadata_is_there_for_whoever_asks_and_can_be_written_again(store: EventStore, ns: str) -> None:
    metadata = {"request_id": "req-1", "operation": "CreateUser", "nested": {"hops": [1, 2]}}
    start = await store.head_position()
    await store.append(f"{ns}-user-alice", [NewEvent("UserCreated", {"n": 0}, metadata)], StreamState.NO_STREAM)
    mine = EventFilter(stream_prefixes=(ns,))

    [forwards] = await collect(store.read_all(after=start, filter=mine))
    [backwards] = await collect(store.read_all_backwards(filter=mine))
    [from_stream] = await store.read_stream(f"{ns}-user-alice")

    for read in (forwards, backwards, from_stream):
        m = read.metadata
        assert m == metadata and metadata == m
        assert (m["request_id"], m.get("operation"), m.get("absent", "-"), "nested" in m) == ("req-1", "CreateUser", "-", True)
        assert dict(m) == metadata and sorted(m) == sorted(metadata) and len(m) == 3
    # A read event's metadata goes back into a new event as it is (a copy or a migration does that).
    await store.append(f"{ns}-user-copy", [NewEvent("UserCreated", {"n": 1}, forwards.metadata)], StreamState.NO_STREAM)
    [copied] = await store.read_stream(f"{ns}-user-copy")
    assert copied.metadata == metadata


async def test_old_schema_versions_are_upcast_on_every_read(backend: Backend, ns: str) -> None:
    def split_name(old: dict[str, Any]) -> dict[str, Any]:
        first, last = old["name"].split(" ")
        return {"first_name": first, "last_name": last}

    store = backend.open(EventCodec({("UserCreated", 1): split_name}))
    stream = f"{ns}-user-ada"
    start = await store.head_position()
    await store.append(
        stream,
        [
            NewEvent(type="UserCreated", data={"name": "Ada Lovelace"}, schema_version=1),
            NewEvent(type="UserCreated", data={"first_name": "Grace", "last_name": "Hopper"}, schema_version=2),
        ],
        StreamState.NO_STREAM,
    )
    expected = [
        ({"first_name": "Ada", "last_name": "Lovelace"}, 2),
        ({"first_name": "Grace", "last_name": "Hopper"}, 2),
    ]
    mine = EventFilter(stream_prefixes=(ns,))

    from_stream = await store.read_stream(stream)
    from_all = await collect(store.read_all(after=start, filter=mine))
    async with aclosing(store.subscribe_all(after=start, filter=mine)) as subscription:
        from_subscription = [await next_event(subscription), await next_event(subscription)]

    for events in (from_stream, from_all, from_subscription):
        assert [(dict(e.data), e.schema_version) for e in events] == expected


async def test_a_closed_store_refuses_calls(store: EventStore, ns: str) -> None:
    await store.close()

    with pytest.raises(EventStoreUnavailable):
        await store.append(f"{ns}-user-alice", [event(0)], StreamState.ANY)
    with pytest.raises(EventStoreUnavailable):
        await store.read_stream(f"{ns}-user-alice")
    with pytest.raises(EventStoreUnavailable):
        await collect(store.read_all())
    with pytest.raises(EventStoreUnavailable):
        await store.head_position()
    with pytest.raises(EventStoreUnavailable):
        await next_event(store.subscribe_all())


async def test_closing_the_store_ends_a_waiting_subscription(store: EventStore, ns: str) -> None:
    start = await store.head_position()
    await store.append(f"{ns}-user-alice", [event(0)], StreamState.NO_STREAM)

    async with aclosing(store.subscribe_all(after=start, filter=EventFilter(stream_prefixes=(ns,)))) as subscription:
        await next_event(subscription)  # the subscription is established and caught up
        waiting = asyncio.ensure_future(next_event(subscription))
        await store.close()

        with pytest.raises(EventStoreUnavailable):
            await waiting


# -- sqlite only -----------------------------------------------------------------------------


@pytest.fixture
async def sqlite_stores(tmp_path) -> AsyncIterator[list[SqliteEventStore]]:
    """Stores opened by a test on tmp_path/events.db, closed afterwards; append to open more."""
    stores: list[SqliteEventStore] = []
    yield stores
    for store in stores:
        await store.close()


def open_sqlite(stores: list[SqliteEventStore], tmp_path, codec: EventCodec | None = None) -> SqliteEventStore:
    store = SqliteEventStore(tmp_path / "events.db", codec or EventCodec())
    stores.append(store)
    return store


def count_rows(tmp_path) -> int:
    with sqlite3.connect(tmp_path / "events.db") as connection:
        return connection.execute("SELECT COUNT(*) FROM events").fetchone()[0]


async def test_sqlite_data_survives_close_and_reopen(sqlite_stores: list[SqliteEventStore], tmp_path) -> None:
    first = open_sqlite(sqlite_stores, tmp_path)
    appended = await first.append("user-alice", [event(0), event(1)], StreamState.NO_STREAM)
    before = await collect(first.read_all())
    await first.close()

    reopened = open_sqlite(sqlite_stores, tmp_path)

    assert await collect(reopened.read_all()) == before
    assert await reopened.head_position() == appended.position
    more = await reopened.append("user-alice", [event(2)], 1)
    assert (more.version, more.position) == (2, appended.position + 1)


async def test_sqlite_close_commits_appends_already_queued(sqlite_stores: list[SqliteEventStore], tmp_path) -> None:
    store = open_sqlite(sqlite_stores, tmp_path)
    appends = [store.append(f"user-{i}", [event(i)], StreamState.NO_STREAM) for i in range(20)]

    # gather starts its tasks in order, so every append is queued before close() begins.
    *results, _ = await asyncio.gather(*appends, store.close())

    assert all(isinstance(result, AppendResult) for result in results)
    assert count_rows(tmp_path) == 20


async def test_sqlite_stores_on_one_file_see_each_others_appends(
    sqlite_stores: list[SqliteEventStore], tmp_path
) -> None:
    # Two stores on one file behave like two iamd processes: separate writers and readers, no
    # in-process wake-up between them, so the subscription relies on polling the file.
    watcher = open_sqlite(sqlite_stores, tmp_path)
    writer = open_sqlite(sqlite_stores, tmp_path)

    async with aclosing(watcher.subscribe_all()) as subscription:
        waiting = asyncio.ensure_future(next_event(subscription))
        result = await writer.append("user-alice", [event(0)], StreamState.NO_STREAM)
        seen = await waiting

    assert (seen.stream, seen.position) == ("user-alice", result.position)
    assert payload_numbers(await watcher.read_stream("user-alice")) == [0]
    assert await watcher.head_position() == result.position


async def test_sqlite_subscription_is_woken_by_commits_in_its_own_process(tmp_path) -> None:
    # Polling is off (once an hour), so only the writer's wake-up can deliver the live event.
    store = SqliteEventStore(tmp_path / "events.db", EventCodec(), poll_interval=3600)
    try:
        await store.append("user-alice", [event(0)], StreamState.NO_STREAM)
        async with aclosing(store.subscribe_all()) as subscription:
            await next_event(subscription)  # caught up: the next event can only come live
            waiting = asyncio.ensure_future(next_event(subscription))
            result = await store.append("user-alice", [event(1)], 0)
            live = await waiting
    finally:
        await store.close()

    assert live.position == result.position


async def test_sqlite_stores_on_one_file_serialize_conflicting_appends(
    sqlite_stores: list[SqliteEventStore], tmp_path
) -> None:
    one, other = open_sqlite(sqlite_stores, tmp_path), open_sqlite(sqlite_stores, tmp_path)

    outcomes = await asyncio.gather(
        *(
            store.append(f"user-{i}", [event(n)], StreamState.NO_STREAM)
            for i in range(10)
            for n, store in enumerate((one, other))
        ),
        return_exceptions=True,
    )

    assert sum(isinstance(o, AppendResult) for o in outcomes) == 10, outcomes
    assert sum(isinstance(o, WrongExpectedVersion) for o in outcomes) == 10, outcomes
    assert count_rows(tmp_path) == 10


async def test_sqlite_a_rejected_append_leaves_no_row(sqlite_stores: list[SqliteEventStore], tmp_path) -> None:
    store = open_sqlite(sqlite_stores, tmp_path)
    stored = NewEvent(type="ThingHappened", data={"n": 0})
    await store.append("user-alice", [stored], StreamState.NO_STREAM)

    with pytest.raises(WrongExpectedVersion):
        await store.append("user-alice", [event(1), event(2)], StreamState.NO_STREAM)
    # The third event reuses a stored id, so the insert fails after two rows went in.
    reused_id = NewEvent(type="ThingHappened", data={"n": 3}, id=stored.id)
    with pytest.raises(EventStoreError):
        await store.append("user-bob", [event(1), event(2), reused_id], StreamState.NO_STREAM)

    assert count_rows(tmp_path) == 1
    assert await store.read_stream("user-bob") == []


async def test_sqlite_append_fails_as_unavailable_while_another_writer_holds_the_file(tmp_path) -> None:
    store = SqliteEventStore(tmp_path / "events.db", EventCodec(), busy_timeout=0.05)
    other_process = sqlite3.connect(tmp_path / "events.db", isolation_level=None)
    try:
        other_process.execute("BEGIN IMMEDIATE")  # holds the write lock past the busy timeout
        with pytest.raises(EventStoreUnavailable):
            await store.append("user-alice", [event(0)], StreamState.NO_STREAM)
        other_process.execute("ROLLBACK")

        result = await store.append("user-alice", [event(0)], StreamState.NO_STREAM)  # the writer lives on
        assert result.version == 0
    finally:
        other_process.close()
        await store.close()


async def test_sqlite_file_is_in_wal_mode(sqlite_stores: list[SqliteEventStore], tmp_path) -> None:
    open_sqlite(sqlite_stores, tmp_path)

    with sqlite3.connect(tmp_path / "events.db") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# -- kurrentdb only --------------------------------------------------------------------------


async def test_kurrentdb_discovers_the_leader_through_gossip() -> None:
    fake = FakeKurrentDb()
    await fake.start()
    store = KurrentDbEventStore(fake.discover_uri, EventCodec())
    try:
        result = await store.append("user-alice", [event(0)], StreamState.NO_STREAM)
        [read] = await store.read_stream("user-alice")
    finally:
        await store.close()
        await fake.stop()

    assert (read.position, read.data) == (result.position, {"n": 0})


async def test_kurrentdb_unreachable_server_is_unavailable() -> None:
    fake = FakeKurrentDb()
    await fake.start()
    uri = fake.uri
    await fake.stop()  # nothing listens on that port any more
    store = KurrentDbEventStore(uri, EventCodec())
    try:
        with pytest.raises(EventStoreUnavailable):
            await store.append("user-alice", [event(0)], StreamState.NO_STREAM)
    finally:
        await store.close()


# -- choosing an adapter by URI --------------------------------------------------------------


async def test_open_event_store_picks_the_adapter_from_the_uri(tmp_path, monkeypatch) -> None:
    codec = EventCodec()
    monkeypatch.chdir(tmp_path)
    opened = [
        open_event_store("memory://", codec),
        open_event_store(f"sqlite://{tmp_path}/absolute.db", codec),
        open_event_store("sqlite://relative.db", codec),
        open_event_store(f"sqlite:///{tmp_path}/four-slashes.db", codec),
        open_event_store("kurrentdb://127.0.0.1:2113?Tls=false", codec),
        open_event_store("kurrentdb+discover://127.0.0.1:2113?Tls=false", codec),
        open_event_store("esdb://127.0.0.1:2113?Tls=false", codec),
        open_event_store("esdb+discover://127.0.0.1:2113?Tls=false", codec),
    ]
    try:
        assert [type(store) for store in opened] == [
            InMemoryEventStore,
            *[SqliteEventStore] * 3,
            *[KurrentDbEventStore] * 4,
        ]
        assert {"absolute.db", "relative.db", "four-slashes.db"} <= {p.name for p in tmp_path.iterdir()}
    finally:
        for store in opened:
            await store.close()


@pytest.mark.parametrize(
    "uri",
    ["", "postgres://localhost/iamd", "sqlite://", "sqlite:///", "sqlite:///:memory:", "memory://x", "events.db"],
)
def test_open_event_store_rejects_other_uris(uri: str) -> None:
    with pytest.raises(ValueError):
        open_event_store(uri, EventCodec())


def test_kurrentdb_connections_keep_alive_unless_the_uri_says_otherwise() -> None:
    """Issue 15: kurrentdbclient pings nothing by default, so a crashed node or a partition left a
    subscription waiting forever; iamd turns keepalive on and keeps what a URI sets itself."""
    from iamd.service.eventstore import EventCodec
    from iamd.service.eventstore.kurrentdb import KurrentDbEventStore

    def options(uri: str):  # type: ignore[no-untyped-def]
        return KurrentDbEventStore(uri, EventCodec())._client.connection_spec.options

    default = options("kurrentdb://127.0.0.1:2113?Tls=false")
    assert (default.keep_alive_interval, default.keep_alive_timeout) == (10_000, 10_000)
    own = options("kurrentdb://127.0.0.1:2113?Tls=false&keepaliveinterval=3000")
    assert (own.keep_alive_interval, own.keep_alive_timeout) == (3_000, 10_000)
    bare = options("kurrentdb://admin:changeit@a:2113,b:2113")
    assert bare.keep_alive_interval == 10_000
