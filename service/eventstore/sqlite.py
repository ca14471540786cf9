"""SQLite event store, the embedded default: one database file, WAL mode, synchronous=FULL.

Writes: one writer thread owns the only write connection and group-commits. Appends from the
event loop are queued; the writer takes everything pending into one ``BEGIN IMMEDIATE``
transaction, applies each append on its own (several events under a SAVEPOINT), so that a
conflicting append fails alone, commits once, and only then resolves the callers' futures:
an acknowledged write is durable. ``BEGIN IMMEDIATE`` plus a busy timeout lets several iamd
processes share one file.

Reads: rows are fetched in pages on a small pool of worker threads, each with its own read
connection, and decoded into events as the caller iterates. The global position is the
table's integer primary key, assigned in commit order because there is one writer at a time.

Subscriptions: catch up in pages, then wait. The in-process writer wakes them right after each
commit; a poll every ``poll_interval`` seconds picks up commits made by other processes.
"""

from __future__ import annotations

import asyncio
from collections import deque
import itertools
import os
import queue
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import orjson

from .codec import EventCodec
from .errors import EventStoreError, EventStoreUnavailable, WrongExpectedVersion
from .memory import check_append_arguments, is_expected_version
from .port import AppendResult, EventFilter, ExpectedVersion, NewEvent, RecordedEvent, ReplayedEvent

_T = TypeVar("_T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    position       INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT    NOT NULL UNIQUE,
    stream         TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    type           TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    data           BLOB    NOT NULL,
    metadata       BLOB    NOT NULL,
    recorded_at    REAL    NOT NULL,  -- seconds since the Unix epoch: cheap to store and to convert
    -- The index behind this constraint is also the stream-read index: it serves
    -- `WHERE stream = ? AND version >= ? ORDER BY version` and `MAX(version) WHERE stream = ?`.
    UNIQUE (stream, version)
)
"""
# How many removals (remove_streams) the log has seen, by any process: a search that remembered a
# filter's last match (see _select_filtered_head) trusts it only while this count is unchanged.
_REMOVALS_SCHEMA = "CREATE TABLE IF NOT EXISTS removals (id INTEGER PRIMARY KEY CHECK (id = 1), count INTEGER NOT NULL)"
_COUNT_REMOVAL = "INSERT INTO removals (id, count) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET count = count + 1"

_COLUMNS = "position, id, stream, version, type, schema_version, data, metadata, recorded_at"
_REPLAY_COLUMNS = "position, stream, type, schema_version, data"  # what a ReplayedEvent holds
_INSERT = (
    "INSERT INTO events (id, stream, version, type, schema_version, data, metadata, recorded_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
# One selected row, in _COLUMNS order.
_Row = tuple[int, str, str, int, str, int, bytes, bytes, float]

# Rows per read page: large enough that thread hops are noise during a full replay, small
# enough that a page of decoded events stays a few megabytes.
_PAGE_SIZE = 5_000
# Events per read_all_batches batch.
_BATCH_SIZE = 256
# Upper bound on appends committed together, so one transaction never grows without limit.
_MAX_GROUP = 1_000
_READ_THREADS = 2
# Small indexed reads (a stream, the head, the few events a subscription follows) run on the
# caller's thread: a hop to a read thread costs more than they do (a task switch, and the GIL
# won back from threads that hold it). Large pages (a catch-up) stay on the read threads, where
# SQLite's work overlaps the decoding.
_INLINE_QUERIES = frozenset({"_select_stream", "_select_head", "_select_filtered_head", "_select_page"})
_INLINE_BUSY_TIMEOUT_MS = 20


def _make_private(path: str) -> None:
    """Create the database file owner-only (0600), or make an existing one (and its -wal, -shm) so."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600))
    except OSError:
        return  # SQLite's own open reports what is wrong with the path
    for name in (path, f"{path}-wal", f"{path}-shm"):
        try:
            if os.stat(name).st_mode & 0o077:
                os.chmod(name, 0o600)
        except OSError:
            pass  # absent, or not ours to change


class SqliteEventStore:
    """EventStore on one SQLite file; safe to share between processes on one host."""

    def __init__(
        self,
        path: str | Path,
        codec: EventCodec,
        *,
        busy_timeout: float = 5.0,
        poll_interval: float = 0.2,
    ) -> None:
        self._path = str(path)
        if self._path in ("", ":memory:") or self._path.startswith("file:"):
            raise ValueError(f"the sqlite event store needs a file path, got `{self._path}`")
        self._codec = codec
        self._busy_timeout = busy_timeout
        self._poll_interval = poll_interval
        self._closed = False
        self._commits = _CommitSignal()
        _make_private(self._path)  # before SQLite creates it: its -wal and -shm take the file's mode
        # Opened synchronously so a bad path fails at startup rather than on the first append.
        self._writer = _GroupCommitWriter(self._open_connection(writer=True), self._commits)
        self._reader_connections: list[sqlite3.Connection] = []
        self._reader_lock = threading.Lock()
        self._reader_local = threading.local()
        self._readers = ThreadPoolExecutor(
            max_workers=_READ_THREADS, thread_name_prefix="iamd-sqlite-read"
        )
        # Per filter (its SQL and parameters): the log head its last search reached, the last match
        # up to there, and the count of removals then (see _select_filtered_head).
        self._filtered_heads: dict[tuple[str, tuple[Any, ...]], tuple[int, int, int]] = {}

    # -- the port ---------------------------------------------------------------------------

    async def append(
        self, stream: str, events: Sequence[NewEvent], expected: ExpectedVersion
    ) -> AppendResult:
        self._check_open()
        check_append_arguments(events, expected)
        # Encoded here, on the caller's side, so a codec error reaches the caller directly
        # and the writer thread only ever sees rows ready to insert.
        encode = self._codec.encode
        rows = [(e.id, e.type, e.schema_version, encode(e.data), encode(e.metadata)) for e in events]
        loop = asyncio.get_running_loop()
        future: asyncio.Future[AppendResult] = loop.create_future()
        self._writer.submit(_PendingAppend(stream, rows, expected, future, loop))
        return await future

    async def read_stream(
        self, stream: str, from_version: int = 0, limit: int | None = None
    ) -> list[RecordedEvent]:
        rows = await self._read(self._select_stream, stream, from_version, limit)
        return list(self._decode_rows(rows))

    async def read_all(
        self,
        after: int | None = None,
        filter: EventFilter | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[RecordedEvent]:
        where, params = _filter_clause(filter)
        # Reads see the log up to its head when they start; subscribe_all follows it further.
        head = await self._read(self._select_head)
        last = after or 0
        remaining = limit
        while last < head and (remaining is None or remaining > 0):
            page_size = _PAGE_SIZE if remaining is None else min(_PAGE_SIZE, remaining)
            # Pages are fetched one after another, not ahead: a prefetching read thread and the
            # decoding caller would contend for the GIL at every row SQLite steps through,
            # which measured slower than taking turns.
            rows, last = await self._read(self._select_page, last, head, where, params, page_size)
            if remaining is not None:
                remaining -= len(rows)
            for event in self._decode_rows(rows):
                yield event

    async def read_all_batches(
        self, after: int | None = None, filter: EventFilter | None = None
    ) -> AsyncIterator[list[RecordedEvent]]:
        where, params = _filter_clause(filter)
        head = await self._read(self._select_head)
        last = after or 0
        while last < head:
            rows, last = await self._read(self._select_page, last, head, where, params, _PAGE_SIZE)
            # Batches smaller than a page: a few hundred events alive at once stay in the CPU's
            # caches, which measured faster than a whole page (see also _decode_rows).
            events = self._decode_rows(rows)
            while batch := list(itertools.islice(events, _BATCH_SIZE)):
                yield batch

    async def replay_batches(
        self, after: int | None = None, filter: EventFilter | None = None
    ) -> AsyncIterator[list[ReplayedEvent]]:
        # read_all_batches reading five columns instead of nine: a third less of a replay.
        where, params = _filter_clause(filter)
        head = await self._read(self._select_head)
        last = after or 0
        if last >= head:
            return
        # The next page is read on a read thread while the caller folds this one: SQLite does
        # not hold the GIL while it steps, so reading and folding overlap instead of alternating.
        pending = self._read_on_thread(self._select_page, last, head, where, params, _PAGE_SIZE, _REPLAY_COLUMNS)
        try:
            while pending is not None:
                rows, last = await self._settled_read(pending)
                pending = (self._read_on_thread(self._select_page, last, head, where, params, _PAGE_SIZE,
                                                _REPLAY_COLUMNS) if last < head else None)
                events = self._decode_replayed(rows)
                while batch := list(itertools.islice(events, _BATCH_SIZE)):
                    yield batch
        finally:
            if pending is not None:  # the caller stopped early: the page read ahead is not wanted
                pending.cancel()

    async def read_all_backwards(
        self,
        before: int | None = None,
        filter: EventFilter | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[RecordedEvent]:
        where, params = _filter_clause(filter)
        last = before if before is not None else await self._read(self._select_head) + 1
        remaining = limit
        while last > 1 and (remaining is None or remaining > 0):
            page_size = _PAGE_SIZE if remaining is None else min(_PAGE_SIZE, remaining)
            rows, last = await self._read(self._select_page_backwards, last, where, params, page_size)
            if remaining is not None:
                remaining -= len(rows)
            for event in self._decode_rows(rows):
                yield event

    async def subscribe_all(
        self, after: int | None = None, filter: EventFilter | None = None,
        *, on_live: Callable[[], None] | None = None,
        on_checkpoint: Callable[[int], None] | None = None,  # never called: every match is yielded
    ) -> AsyncIterator[RecordedEvent]:
        where, params = _filter_clause(filter)
        last = after or 0
        prefixes = filter.stream_prefixes if filter is not None and filter.stream_prefixes and not filter.event_types \
            else None
        while True:
            # Noted before reading, so a commit that lands while we read still wakes us.
            seen_commits = self._commits.count
            polled_at = time.monotonic()
            head = await self._read(self._select_head)
            if on_live is not None:  # the log answered: this subscription is live
                on_live()
                on_live = None
            while last < head:
                rows, last = await self._read(self._select_page, last, head, where, params, _PAGE_SIZE)
                for event in self._decode_rows(rows):
                    yield event
            while True:
                # The poll is due poll_interval after the last read, however many of this process's
                # commits of other streams came meanwhile: waiting a whole interval again after each
                # one put it off for as long as they kept coming (an audit record with every call),
                # and other processes' commits then went unseen.
                remaining = self._poll_interval - (time.monotonic() - polled_at)
                if remaining <= 0:
                    break
                await self._commits.wait_after(seen_commits, timeout=remaining, prefixes=prefixes)
                woken_by = self._commits.count
                if woken_by == seen_commits or not self._commits.nothing_matching_since(seen_commits, filter):
                    break  # a poll (another process may have written) or a commit of interest: read
                seen_commits = woken_by  # only other streams were written in this process: wait on

    async def head_position(self, filter: EventFilter | None = None, *, after: int | None = None) -> int:
        head = await self._head_position(filter)  # as cheap whatever `after` says
        return head if after is None or head > after else 0

    async def _head_position(self, filter: EventFilter | None = None) -> int:
        if filter is None:
            return await self._read(self._select_head)
        where, params = _filter_clause(filter)
        return await self._read(self._select_filtered_head, where, params)

    async def remove_streams(self, streams: Sequence[str], truncate_before: Mapping[str, int] | None = None) -> None:
        """Delete the rows of `streams`, and those of each stream in `truncate_before` below the
        version given, in one transaction on the writer thread (between two group commits).
        AUTOINCREMENT keeps a removed position from ever being given again, and the newest
        version of a truncated stream stays, so appends to it go on from where they were."""
        self._check_open()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()
        self._writer.submit(_PendingRemoval(tuple(streams), dict(truncate_before or {}), future, loop))
        await future

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        # The writer commits everything queued before it stops.
        await asyncio.to_thread(self._writer.stop)
        await asyncio.to_thread(self._readers.shutdown, wait=True)
        with self._reader_lock:
            for connection in self._reader_connections:
                connection.close()
            self._reader_connections.clear()
        self._commits.notify()  # waiting subscriptions wake up and find the store closed

    # -- reads, on the worker threads -------------------------------------------------------

    async def _read(self, query: Callable[..., _T], *args: Any) -> _T:
        """Run ``query(*args)`` on a read thread, failing with the port's errors."""
        self._check_open()
        if query.__name__ in _INLINE_QUERIES and (query.__name__ != "_select_page" or args[1] - args[0] <= 256):
            if getattr(self._reader_local, "connection", None) is None:
                # This thread's connection gives up on a busy database within 20 ms rather than
                # blocking the event loop: that read is then retried on a read thread.
                self._reader_local.connection = connection = self._open_connection(writer=False)
                connection.execute(f"PRAGMA busy_timeout = {_INLINE_BUSY_TIMEOUT_MS}")
                with self._reader_lock:
                    self._reader_connections.append(connection)
            try:
                result = query(*args)
            except sqlite3.OperationalError:
                pass  # busy (a checkpoint, another process): wait for it on a read thread instead
            except sqlite3.Error as e:
                raise EventStoreUnavailable(f"reading `{self._path}` failed: {e}") from e
            else:
                return result
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._readers, query, *args)
        except RuntimeError as e:  # the pool was shut down by a concurrent close()
            raise EventStoreUnavailable("the sqlite event store is closed") from e
        except sqlite3.Error as e:
            raise EventStoreUnavailable(f"reading `{self._path}` failed: {e}") from e

    def _read_on_thread(self, query: Callable[..., _T], *args: Any) -> asyncio.Future[_T]:
        """Start ``query(*args)`` on a read thread now; await it with _settled_read."""
        self._check_open()
        try:
            return asyncio.get_running_loop().run_in_executor(self._readers, query, *args)
        except RuntimeError as e:  # the pool was shut down by a concurrent close()
            raise EventStoreUnavailable("the sqlite event store is closed") from e

    async def _settled_read(self, pending: asyncio.Future[_T]) -> _T:
        try:
            return await pending
        except sqlite3.Error as e:
            raise EventStoreUnavailable(f"reading `{self._path}` failed: {e}") from e

    def _reader(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._reader_local, "connection", None)
        if connection is None:
            connection = self._open_connection(writer=False)
            self._reader_local.connection = connection
            with self._reader_lock:
                self._reader_connections.append(connection)
        return connection

    def _select_head(self) -> int:
        row = self._reader().execute("SELECT MAX(position) FROM events").fetchone()
        return row[0] or 0

    def _select_filtered_head(self, where: str, params: tuple[Any, ...]) -> int:
        """The last position the filter matches. Searched only among the rows appended since the
        previous search for the same filter: the rows up to the head a search saw are final (one
        writer at a time, positions only grow), so a match among them stays the last one there.
        Walking back over every row since the last match instead made each lookup cost as much as
        the rows that do not match since then (audit records: each CreateUser refused at the
        users quota made the next one slower)."""
        connection = self._reader()
        try:
            head, removals = connection.execute(
                "SELECT MAX(position), (SELECT count FROM removals) FROM events").fetchone()
        except sqlite3.OperationalError as e:
            if "no such table" not in str(e):
                raise
            head, removals = self._select_head(), 0  # none yet
        head, removals = head or 0, removals or 0
        searched, found, removals_then = self._filtered_heads.get((where, params), (0, 0, removals))
        if removals_then != removals:  # rows were removed since (by any process): the match may be gone
            searched, found = 0, 0
        if head <= searched:
            return found
        # Walks back from the newest row: cheap when matching events are recent.
        row = connection.execute(
            f"SELECT position FROM events WHERE position > ? AND position <= ?{where} ORDER BY position DESC LIMIT 1",
            (searched, head, *params),
        ).fetchone()
        if row:
            found = row[0]
        if len(self._filtered_heads) >= 64:  # a few filters in practice: bounded all the same
            self._filtered_heads.clear()
        # Two reads may race to store theirs: each is true of the rows up to its head, as they
        # were before its count of removals changed (a removal since makes the next search whole).
        self._filtered_heads[(where, params)] = (head, found, removals)
        return found

    def _select_stream(self, stream: str, from_version: int, limit: int | None) -> list[_Row]:
        return self._reader().execute(
            f"SELECT {_COLUMNS} FROM events WHERE stream = ? AND version >= ? ORDER BY version LIMIT ?",
            (stream, from_version, -1 if limit is None else limit),
        ).fetchall()

    def _select_page(
        self, after: int, head: int, where: str, params: tuple[Any, ...], page_size: int,
        columns: str = _COLUMNS,
    ) -> tuple[list[_Row], int]:
        """Matching rows in (after, head], at most page_size; and the position scanned up to.
        `columns` starts with the position."""
        rows = self._reader().execute(
            f"SELECT {columns} FROM events WHERE position > ? AND position <= ?{where}"
            " ORDER BY position LIMIT ?",
            (after, head, *params, page_size),
        ).fetchall()
        # A short page means every row up to head was examined, matching or not: a filtered
        # subscription then resumes after head instead of rescanning what it skipped.
        scanned_to = rows[-1][0] if len(rows) == page_size else head
        return rows, scanned_to

    def _select_page_backwards(
        self, before: int, where: str, params: tuple[Any, ...], page_size: int
    ) -> tuple[list[_Row], int]:
        """Matching rows before ``before``, newest first, at most page_size; and where to go on from
        (0 once a short page shows that nothing older matches)."""
        rows = self._reader().execute(
            f"SELECT {_COLUMNS} FROM events WHERE position < ?{where} ORDER BY position DESC LIMIT ?",
            (before, *params, page_size),
        ).fetchall()
        return rows, rows[-1][0] if len(rows) == page_size else 0

    # -- decoding, on the caller's thread ---------------------------------------------------

    def _decode_rows(self, rows: list[_Row]) -> Iterator[RecordedEvent]:
        """Decode lazily, one event per step of the caller's iteration.

        Lazily rather than a page at a time on the read thread: a replayed event the caller
        has finished with is freed before the next one exists, so it never reaches the older
        garbage-collector generations, whose full collections cost a quarter of the replay
        time when whole decoded pages stay alive.
        """
        # The replay hot path, hence local names and each RecordedEvent made in one
        # tuple.__new__ with recorded_at left as the stored epoch seconds (see RecordedEvent).
        decode = self._codec.decode
        upcast_types = self._codec.upcast_types
        loads = orjson.loads
        new_tuple = tuple.__new__
        for position, event_id, stream, version, event_type, stored_version, data, metadata, timestamp in rows:
            if event_type in upcast_types or not data:
                payload, schema_version = decode(event_type, stored_version, data)
            else:  # what decode does for a type without upcasters, less a call per event
                try:
                    payload, schema_version = loads(data), stored_version
                except orjson.JSONDecodeError:
                    payload, schema_version = decode(event_type, stored_version, data)  # raises its CodecError
            # metadata stays the stored bytes, decoded only if someone reads it (see RecordedEvent)
            yield new_tuple(RecordedEvent, (event_id, stream, version, position, event_type, schema_version,
                                            payload, metadata, timestamp))

    def _decode_replayed(self, rows: list[Any]) -> Iterator[ReplayedEvent]:
        """_decode_rows for rows of _REPLAY_COLUMNS, making ReplayedEvents."""
        decode = self._codec.decode
        upcast_types = self._codec.upcast_types
        loads = orjson.loads
        new_tuple = tuple.__new__
        for position, stream, event_type, stored_version, data in rows:
            if event_type in upcast_types or not data:
                payload = decode(event_type, stored_version, data)[0]
            else:
                try:
                    payload = loads(data)
                except orjson.JSONDecodeError:
                    payload = decode(event_type, stored_version, data)[0]  # raises its CodecError
            yield new_tuple(ReplayedEvent, (position, stream, event_type, payload))

    # -- connections ------------------------------------------------------------------------

    def _open_connection(self, *, writer: bool) -> sqlite3.Connection:
        try:
            connection = sqlite3.connect(
                self._path,
                timeout=self._busy_timeout,  # SQLite's busy timeout: wait for other writers
                isolation_level=None,  # no implicit transactions; the writer issues BEGIN/COMMIT
                check_same_thread=False,  # used and closed by threads other than the opener
            )
            if writer:
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute("PRAGMA synchronous = FULL")
                connection.execute(_SCHEMA)
                try:
                    connection.execute(_REMOVALS_SCHEMA)
                except sqlite3.OperationalError:
                    pass  # a log from before it, locked by another writer: the first removal creates it
            else:
                connection.execute("PRAGMA query_only = ON")
        except sqlite3.Error as e:
            raise EventStoreUnavailable(f"cannot open the event store `{self._path}`: {e}") from e
        return connection

    def _check_open(self) -> None:
        if self._closed:
            raise EventStoreUnavailable("the sqlite event store is closed")


# INVARIANT: _decode_rows builds RecordedEvents from their fields in this order.
assert RecordedEvent._fields == (
    "id", "stream", "version", "position", "type", "schema_version", "data", "metadata", "recorded_at",
)


def _filter_clause(filter: EventFilter | None) -> tuple[str, tuple[Any, ...]]:
    """SQL conditions (with leading AND) and parameters selecting what ``filter`` matches."""
    if filter is None:
        return "", ()
    conditions = []
    params: list[Any] = []
    if filter.stream_prefixes and "" not in filter.stream_prefixes:  # "" would match every stream
        # Not LIKE, which is case-insensitive and treats % and _ as wildcards. A prefix is the range
        # [prefix, prefix with its last character incremented): in the bytewise order SQLite
        # compares text in, that is exactly the names starting with it, and two comparisons cost
        # far less per row than substr() (a replay evaluates this on every row of the log). The
        # unary + keeps the planner off the stream index, whose order is not the log's.
        alternatives = []
        for prefix in filter.stream_prefixes:
            last = ord(prefix[-1])
            if last in (0xD7FF, 0x10FFFF):  # no next character to bound the range with
                alternatives.append("substr(stream, 1, ?) = ?")
                params += [len(prefix), prefix]
            else:
                alternatives.append("(+stream >= ? AND +stream < ?)")
                params += [prefix, prefix[:-1] + chr(last + 1)]
        conditions.append("(" + " OR ".join(alternatives) + ")")
    if filter.event_types:
        conditions.append("type IN (" + ", ".join("?" for _ in filter.event_types) + ")")
        params += filter.event_types
    return "".join(f" AND {condition}" for condition in conditions), tuple(params)


# -- the writer --------------------------------------------------------------------------------


@dataclass(slots=True)
class _PendingAppend:
    stream: str
    rows: list[tuple[str, str, int, bytes, bytes]]  # (id, type, schema_version, data, metadata)
    expected: ExpectedVersion
    future: asyncio.Future[AppendResult]
    loop: asyncio.AbstractEventLoop


@dataclass(slots=True)
class _PendingRemoval:
    streams: tuple[str, ...]
    truncate_before: dict[str, int]
    future: asyncio.Future[int]
    loop: asyncio.AbstractEventLoop


_STOP = object()


class _GroupCommitWriter:
    """The one thread that writes: many appends per transaction, one SAVEPOINT per append."""

    def __init__(self, connection: sqlite3.Connection, commits: _CommitSignal) -> None:
        self._connection = connection
        self._commits = commits
        self._queue: queue.SimpleQueue[_PendingAppend | _PendingRemoval | object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="iamd-sqlite-writer", daemon=True)
        self._thread.start()

    def submit(self, pending: _PendingAppend | _PendingRemoval) -> None:
        self._queue.put(pending)

    def stop(self) -> None:
        """Commit everything queued so far, then end the thread and close its connection."""
        self._queue.put(_STOP)
        self._thread.join()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            group: list[_PendingAppend] = []
            removal: _PendingRemoval | None = None
            item = self._queue.get()
            while True:
                if item is _STOP:
                    stopping = True
                    break
                if isinstance(item, _PendingRemoval):  # after the appends queued before it
                    removal = item
                    break
                assert isinstance(item, _PendingAppend)
                group.append(item)
                if len(group) >= _MAX_GROUP:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if group:
                self._commit(group)
            if removal is not None:
                self._remove(removal)
        self._connection.close()

    def _remove(self, removal: _PendingRemoval) -> None:
        """Delete the rows of a removal in one transaction; its caller learns how many went."""
        connection = self._connection
        outcome: int | BaseException
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                removed = 0
                for stream in removal.streams:
                    removed += connection.execute("DELETE FROM events WHERE stream = ?", (stream,)).rowcount
                for stream, version in removal.truncate_before.items():
                    removed += connection.execute("DELETE FROM events WHERE stream = ? AND version < ?",
                                                  (stream, version)).rowcount
                connection.execute(_REMOVALS_SCHEMA)  # a log from before it may not have it yet
                connection.execute(_COUNT_REMOVAL)  # in the same transaction (_select_filtered_head)
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
            outcome = removed
        except Exception as e:  # a thread boundary, as in _commit
            outcome = EventStoreUnavailable(f"the event store could not remove streams: {e}")
            outcome.__cause__ = e
        _settle_one(removal.future, removal.loop, outcome)

    def _commit(self, group: list[_PendingAppend]) -> None:
        connection = self._connection
        recorded_at = time.time()
        outcomes: list[AppendResult | EventStoreError] = []
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                for pending in group:
                    outcomes.append(self._apply(pending, recorded_at))
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:  # a failed COMMIT may already have rolled back
                    connection.execute("ROLLBACK")
                raise
        # This is a thread boundary: whatever went wrong must reach the waiting callers rather
        # than kill the writer.
        except Exception as e:
            failure = EventStoreUnavailable(f"the event store could not commit: {e}")
            failure.__cause__ = e
            _settle(group, [failure] * len(group))
            return
        _settle(group, outcomes)
        self._commits.notify(frozenset(pending.stream for pending in group))

    def _apply(self, pending: _PendingAppend, recorded_at: float) -> AppendResult | EventStoreError:
        """Insert one append's events, all or none, without disturbing the rest of the group."""
        connection = self._connection
        # A single INSERT statement is atomic by itself; several need a savepoint to undo the
        # first rows when a later one fails.
        needs_savepoint = len(pending.rows) > 1
        if needs_savepoint:
            connection.execute("SAVEPOINT append")
        try:
            result = self._insert(pending, recorded_at)
        except EventStoreError as rejected:
            if needs_savepoint:
                connection.execute("ROLLBACK TO append")
                connection.execute("RELEASE append")
            return rejected
        if needs_savepoint:
            connection.execute("RELEASE append")
        return result

    def _insert(self, pending: _PendingAppend, recorded_at: float) -> AppendResult:
        connection = self._connection
        stream = pending.stream
        (current,) = connection.execute(
            "SELECT MAX(version) FROM events WHERE stream = ?", (stream,)
        ).fetchone()
        # Checked inside the write transaction, so no other writer can move the stream meanwhile.
        if not is_expected_version(pending.expected, current):
            raise WrongExpectedVersion(stream, pending.expected, current)
        first_version = 0 if current is None else current + 1
        rows = [
            (event_id, stream, version, event_type, schema_version, data, metadata, recorded_at)
            for version, (event_id, event_type, schema_version, data, metadata) in zip(
                itertools.count(first_version), pending.rows
            )
        ]
        try:
            if len(rows) == 1:
                position = connection.execute(_INSERT, rows[0]).lastrowid
            else:
                connection.executemany(_INSERT, rows)
                (position,) = connection.execute("SELECT last_insert_rowid()").fetchone()
        except sqlite3.IntegrityError as e:
            if "events.id" in str(e):
                raise EventStoreError(
                    f"an event id of this append to `{stream}` is already stored"
                ) from e
            # UNIQUE(stream, version): a backstop, as the check above runs under the write lock.
            raise WrongExpectedVersion(stream, pending.expected, current) from e
        return AppendResult(version=first_version + len(rows) - 1, position=position)


def _settle(group: list[_PendingAppend], outcomes: Sequence[AppendResult | BaseException]) -> None:
    """Hand each outcome to its caller's event loop: one wake-up per loop, not per append."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[AppendResult], Any]]] = {}
    for pending, outcome in zip(group, outcomes):
        by_loop.setdefault(pending.loop, []).append((pending.future, outcome))
    for loop, settlements in by_loop.items():
        try:
            loop.call_soon_threadsafe(_resolve_futures, settlements)
        except RuntimeError:  # that loop is closed; nobody is waiting any more
            pass


def _settle_one(future: asyncio.Future[Any], loop: asyncio.AbstractEventLoop, outcome: Any) -> None:
    try:
        loop.call_soon_threadsafe(_resolve_futures, [(future, outcome)])
    except RuntimeError:  # that loop is closed; nobody is waiting any more
        pass


def _resolve_futures(settlements: list[tuple[asyncio.Future[AppendResult], Any]]) -> None:
    for future, outcome in settlements:
        if future.done():  # the caller stopped waiting; the write itself stands
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)


class _CommitSignal:
    """Counts commits and wakes waiting subscriptions, on whatever event loop they run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0
        # (loop, event, the stream prefixes the waiter reads or None for all of them)
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event, tuple[str, ...] | None]] = set()
        # The streams each recent commit wrote (None: unknown), so that a subscriber can tell a
        # commit it has no interest in (an audit record, for the identity projection) from one it has.
        self._recent: deque[tuple[int, frozenset[str] | None]] = deque(maxlen=1024)

    def notify(self, streams: frozenset[str] | None = None) -> None:
        with self._lock:
            self.count += 1
            self._recent.append((self.count, streams))
            waiters = list(self._waiters)
        for loop, event, prefixes in waiters:
            # A commit of streams the waiter does not read (an audit record, for the identity
            # projection) does not wake it: each wake-up costs a task switch on its loop.
            if prefixes is not None and streams is not None and not any(s.startswith(prefixes) for s in streams):
                continue
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # that loop is closed
                pass

    def nothing_matching_since(self, seen: int, event_filter: EventFilter | None) -> bool:
        """True when every commit after `seen` is known to have written no stream the filter wants."""
        if event_filter is None or not event_filter.stream_prefixes or event_filter.event_types:
            return False
        with self._lock:
            newer = []  # from the newest back: a subscriber is usually one commit behind
            for count, streams in reversed(self._recent):
                if count <= seen:
                    break
                newer.append(streams)
            complete = self.count - seen == len(newer)
        return complete and all(streams is not None and not any(s.startswith(event_filter.stream_prefixes)
                                                                for s in streams) for streams in newer)

    async def wait_after(self, seen: int, timeout: float, prefixes: tuple[str, ...] | None = None) -> None:
        """Return once a commit newer than ``seen`` happened (one writing a stream under
        ``prefixes``, when given), or after ``timeout`` seconds."""
        event = asyncio.Event()
        waiter = (asyncio.get_running_loop(), event, prefixes)
        with self._lock:
            if self.count != seen:
                return
            self._waiters.add(waiter)
        try:
            # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a cancellation
            # that arrives as the wait ends, and a cancelled subscriber would then never stop.
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            pass
        finally:
            with self._lock:
                self._waiters.discard(waiter)
