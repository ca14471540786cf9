"""service/eventstore/sqlite.py: the last position a filter matches is searched for only among the
rows appended since the last search, so its cost does not grow with the rows that do not match
(each CreateUser refused at the users quota added an audit record the next one walked back over)."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path

import pytest

from iamd.service.eventstore import EventCodec
from iamd.service.eventstore.port import EventFilter, NewEvent, StreamState
from iamd.service.eventstore.sqlite import SqliteEventStore

pytestmark = pytest.mark.asyncio

USERS = EventFilter(stream_prefixes=("user-",))


def traced(store: SqliteEventStore) -> list[str]:
    """The statements the store's read connections run, with their parameters bound."""
    statements: list[str] = []
    opened = store._open_connection

    def open_traced(*, writer: bool) -> sqlite3.Connection:
        connection = opened(writer=writer)
        if not writer:
            connection.set_trace_callback(statements.append)
        return connection

    store._open_connection = open_traced  # type: ignore[method-assign]
    return statements


def searched_after(statements: list[str]) -> list[int]:
    """The lower bound of each search for the last match (`position > N AND position <= M`)."""
    return [int(m.group(1)) for s in statements if (m := re.search(r"WHERE position > (\d+) AND position <=", s))]


async def append(store: SqliteEventStore, stream: str, count: int = 1) -> int:
    result = await store.append(stream, [NewEvent("ThingHappened", {"n": i}) for i in range(count)], StreamState.ANY)
    return result.position


async def test_a_second_search_reads_only_what_was_appended_since_the_first(tmp_path: Path) -> None:
    store = SqliteEventStore(tmp_path / "events.db", EventCodec())
    statements = traced(store)
    try:
        alice = await append(store, "user-alice")
        head = await append(store, "audit-1", 500)
        assert await store.head_position(USERS) == alice
        later_head = await append(store, "audit-2", 300)
        assert await store.head_position(USERS) == alice
        assert await store.head_position(USERS) == alice  # nothing new: not searched at all
        assert searched_after(statements) == [0, head]
        bob = await append(store, "user-bob")
        assert await store.head_position(USERS) == bob
        assert searched_after(statements) == [0, head, later_head]
    finally:
        await store.close()


async def test_another_processes_appends_are_found(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    mine, theirs = SqliteEventStore(path, EventCodec()), SqliteEventStore(path, EventCodec())
    try:
        alice = await append(mine, "user-alice")
        await append(mine, "audit-1", 20)
        assert await mine.head_position(USERS) == alice
        bob = await append(theirs, "user-bob")
        await append(theirs, "audit-2", 5)
        assert await mine.head_position(USERS) == bob
    finally:
        await mine.close()
        await theirs.close()


async def test_removed_rows_are_not_remembered_as_the_last_match(tmp_path: Path) -> None:
    store = SqliteEventStore(tmp_path / "events.db", EventCodec())
    try:
        alice = await append(store, "user-alice")
        await append(store, "user-bob")
        await append(store, "audit-1", 3)
        assert await store.head_position(USERS) > alice
        await store.remove_streams(["user-bob"])
        assert await store.head_position(USERS) == alice
    finally:
        await store.close()


AUDIT = EventFilter(stream_prefixes=("audit-",))


async def test_another_processes_removal_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    mine, theirs = SqliteEventStore(path, EventCodec()), SqliteEventStore(path, EventCodec())
    try:
        first = await append(mine, "audit-0000000001")
        second = await append(mine, "audit-0000000002")
        await append(mine, "user-alice")
        assert await mine.head_position(AUDIT) == second
        await theirs.remove_streams(["audit-0000000002"])  # a retention run in another process
        await append(mine, "user-bob")
        assert await mine.head_position(AUDIT) == first
    finally:
        await mine.close()
        await theirs.close()


async def test_a_removal_committed_after_its_caller_gave_up_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    store = SqliteEventStore(path, EventCodec())
    try:
        first = await append(store, "audit-0000000001")
        second = await append(store, "audit-0000000002")
        await append(store, "user-alice")
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock: the removal waits its turn
        removing = asyncio.create_task(store.remove_streams(["audit-0000000002"]))
        await asyncio.sleep(0.1)
        removing.cancel()  # a stop cancelling the retention task: the removal stays queued
        with pytest.raises(asyncio.CancelledError):
            await removing
        assert await store.head_position(AUDIT) == second  # not removed yet: remembered
        blocker.execute("ROLLBACK")
        blocker.close()
        # The queued removal commits once the lock is free: polled for up to 30 s (200 polls of
        # 20 ms ran out silently after 4 s), failing past that.
        deadline = asyncio.get_running_loop().time() + 30
        while await store.read_stream("audit-0000000002"):
            assert asyncio.get_running_loop().time() < deadline, "the queued removal never committed"
            await asyncio.sleep(0.02)
        await append(store, "user-bob")
        assert await store.head_position(AUDIT) == first
    finally:
        await store.close()


async def test_a_log_from_before_the_removals_count_opens_beside_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    store = SqliteEventStore(path, EventCodec())
    await append(store, "audit-0000000001")
    await store.close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("DROP TABLE removals")  # as a log written before it was counted
    other.execute("BEGIN IMMEDIATE")  # another process in a write transaction
    try:
        reopened = SqliteEventStore(path, EventCodec(), busy_timeout=0.2)
    finally:
        other.execute("ROLLBACK")
        other.close()
    try:
        user = await append(reopened, "user-alice")
        assert await reopened.head_position(USERS) == user  # no table yet: no removal yet
        await reopened.remove_streams(["audit-0000000001"])  # the first removal creates it
        assert await reopened.head_position(AUDIT) == 0
    finally:
        await reopened.close()
