"""The audit writer: group-commits records to hourly audit streams of the event store.

Records queue up (bounded: a full queue makes callers wait, which is the back-pressure), and one
task appends everything pending in one append per hour-partition. With `durable` set, a caller's
`write` returns only once its record is committed, so a decision is answered only after its
record is safe; a failed append fails those calls rather than dropping records silently.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

import orjson
import structlog

from iamd.service.eventstore.port import EventStore, NewEvent, StreamState

log = structlog.get_logger(__name__)

AUDIT_STREAM_PREFIX = "audit-"
_STOP: dict[str, Any] = {}  # the sentinel that ends the writer after what was queued before it
_FLUSH: dict[str, Any] = {}  # a barrier: its future is done once everything queued before it is
RECORD_TYPE = "AuditRecord"
_ENVELOPE_BYTES = 256  # what an append adds to a record's JSON: its metadata, type and id
_Item = tuple[dict[str, Any], "asyncio.Future[None] | None"]


def partition_stream(event_time: str) -> str:
    """`audit-2026112314` for a record of 2026-11-23T14:..Z: retention can drop whole hours."""
    return AUDIT_STREAM_PREFIX + event_time[:13].replace("-", "").replace("T", "")


def _plain(value: Any) -> Any:
    """What orjson cannot encode itself, for measuring a record: a Mapping as a dict, else text."""
    return dict(value) if isinstance(value, Mapping) else str(value)


class AuditWriter:
    def __init__(self, store: EventStore, *, durable: bool = True, max_queue: int = 10_000,
                 max_batch: int = 1000) -> None:
        self.store = store
        self.durable = durable
        self.max_batch = max_batch
        self._queue: asyncio.Queue[tuple[dict[str, Any], asyncio.Future[None] | None]] = asyncio.Queue(max_queue)
        self._task: asyncio.Task[None] | None = None
        self.written = 0
        self.failed = 0
        # Told the log positions of each committed append's records; only for a store whose
        # appends take consecutive positions (the composition root knows which ones do).
        self.on_commit: list[Callable[[range], None]] = []
        self.on_batch: list[Callable[[float], None]] = []  # told the seconds each batch's commit took

    @property
    def queue_depth(self) -> int:
        return self._queue.qsize()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="audit-writer")

    async def write(self, record: dict[str, Any], *, wait: bool = True) -> None:
        """Queue a record; when durable, return once it is committed (raises if it could not be).

        `wait=False`: the record's facts are already durable elsewhere (in the metadata of the
        events its call committed), so the caller need not wait even in durable mode."""
        future = asyncio.get_running_loop().create_future() if self.durable and wait else None
        await self._queue.put((record, future))  # waits while the queue is full: back-pressure
        if future is not None:
            await future

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            stopping = batch[-1][0] is _STOP
            records = [item for item in batch if item[0] is not _STOP and item[0] is not _FLUSH]
            if records:
                started = time.perf_counter()
                try:
                    await self._commit(records)
                except Exception as e:  # noqa: BLE001 — the one writer task must outlive anything:
                    # were it to end, every caller waiting on a record would wait forever.
                    for _, future in records:
                        if future is not None and not future.done():
                            future.set_exception(e)
                for listener in self.on_batch:
                    listener(time.perf_counter() - started)
            for record, future in batch:  # barriers: what was queued before them is now settled
                if record is _FLUSH and future is not None and not future.done():
                    future.set_result(None)
            if stopping:
                return

    async def _commit(self, batch: list[tuple[dict[str, Any], asyncio.Future[None] | None]]) -> None:
        by_stream: dict[str, list[tuple[dict[str, Any], asyncio.Future[None] | None]]] = defaultdict(list)
        for item in batch:
            by_stream[partition_stream(item[0]["eventTime"])].append(item)
        for stream, records in by_stream.items():
            for items in self._fitting(records):
                await self._append(stream, items)

    def _fitting(self, items: list[_Item]) -> list[list[_Item]]:
        """`items` in appends the store takes: a store with a maximum append size (KurrentDB) gets
        as many records per append as fit in it, with room for each record's envelope."""
        limit = getattr(self.store, "max_append_bytes", None)
        if limit is None:
            return [items]
        chunks: list[list[_Item]] = [[]]
        size = 0
        for item in items:
            item_size = len(orjson.dumps(item[0], default=_plain)) + _ENVELOPE_BYTES
            if chunks[-1] and size + item_size > limit:
                chunks.append([])
                size = 0
            chunks[-1].append(item)
            size += item_size
        return chunks

    async def _append(self, stream: str, items: list[_Item]) -> None:
        """One append of records; its callers learn the outcome, a failure is counted and logged."""
        try:
            result = await self.store.append(stream, [NewEvent(RECORD_TYPE, record, {}, id=record["eventID"])
                                                      for record, _ in items], StreamState.ANY)
            self.written += len(items)
            error: BaseException | None = None
            for listener in self.on_commit:
                listener(range(result.position - len(items) + 1, result.position + 1))
        except Exception as e:  # noqa: BLE001 — reported to every waiting caller and counted
            self.failed += len(items)
            error = e
            # Never raises, even with the log's disk full too (service/log_config.py).
            log.error("audit_write_failed", records=len(items), exc_info=e)
        for _, future in items:
            if future is not None and not future.done():
                if error is None:
                    future.set_result(None)
                else:
                    future.set_exception(error)

    async def flush(self) -> None:
        """Return once every record queued so far was committed (or failed and was counted): what a
        lookup reads then includes every call answered before it."""
        if self._task is None or self._task.done():
            return
        future = asyncio.get_running_loop().create_future()
        await self._queue.put((_FLUSH, future))
        await future

    async def stop(self) -> None:
        """Commit everything queued, then stop."""
        if self._task is None:
            return
        await self._queue.put((_STOP, None))  # behind every record already queued
        await self._task
        self._task = None
