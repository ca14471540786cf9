"""Keeps a projection up to date with the log, waits for positions, snapshots it to disk.

The runner catches up from the projection's position (a snapshot's, or 0), then follows the
live subscription. ``wait_for(position)`` is the read-your-writes primitive: it returns once the
projection has applied that position, or raises TimeoutError.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import heapq
import itertools
import os
import time
from pathlib import Path
from typing import Any, Protocol

import orjson
import structlog

from service.eventstore.port import EventFilter, EventStore, RecordedEvent

log = structlog.get_logger(__name__)


class Projection(Protocol):
    position: int
    events_applied: int

    def apply(self, event: RecordedEvent) -> None: ...

    def to_snapshot(self) -> dict[str, Any]: ...


class SnapshotFile:
    """A projection snapshot in one JSON file, replaced atomically (write, fsync, rename)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, Any] | None:
        # Decoding makes millions of objects, all kept: the cyclic garbage collector, left on,
        # would rescan them again and again for nothing (it doubled the load time); and frozen
        # they stay out of its later scans too (as what a catch-up builds, see _follow).
        paused = gc.isenabled()
        gc.disable()
        try:
            snapshot = orjson.loads(self.path.read_bytes())
            gc.freeze()
            return snapshot
        except FileNotFoundError:
            return None
        except orjson.JSONDecodeError:
            log.warning("snapshot_unreadable", path=str(self.path))
            return None
        finally:
            if paused:
                gc.enable()

    def save(self, snapshot: dict[str, Any]) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "wb", opener=lambda name, flags: os.open(name, flags, 0o600)) as f:
            os.fchmod(f.fileno(), 0o600)  # owner-only, whatever the umask or a leftover file's mode
            f.write(orjson.dumps(snapshot))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)


class ProjectionRunner:
    """Feeds one projection from a catch-up subscription and tracks its progress."""

    def __init__(
        self,
        store: EventStore,
        projection: Projection,
        event_filter: EventFilter,
        *,
        snapshots: SnapshotFile | None = None,
        snapshot_every_events: int = 50_000,
        snapshot_every_seconds: float = 60.0,
    ) -> None:
        self.store = store
        self.projection = projection
        self.filter = event_filter
        self.snapshots = snapshots
        self.snapshot_every_events = snapshot_every_events
        self.snapshot_every_seconds = snapshot_every_seconds
        self.caught_up = asyncio.Event()
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._tie = itertools.count()
        self._task: asyncio.Task[None] | None = None
        self._last_snapshot_events = projection.events_applied
        self._last_snapshot_time = time.monotonic()
        self.failure: BaseException | None = None

    async def start(self) -> None:
        """Catch up to the head of the log, then keep following it in the background."""
        self._task = asyncio.create_task(self._follow(), name="projection-runner")
        waiter = asyncio.ensure_future(self.caught_up.wait())
        done, _ = await asyncio.wait({waiter, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if self._task in done:
            waiter.cancel()
            self._task.result()  # re-raises what stopped the runner

    async def _follow(self) -> None:
        try:
            # A finite read first, so that "caught up" has a precise moment; then live.
            # The catch-up allocates millions of long-lived view objects: the cyclic garbage
            # collector would rescan them over and over for nothing, so it pauses meanwhile.
            gc.disable()
            try:
                apply = self.projection.apply
                # A batch at a time: an await per event was a fair share of a replay's time.
                async for batch in self.store.read_all_batches(after=self.projection.position or None,
                                                               filter=self.filter):
                    for event in batch:
                        apply(event)
                    if self._waiters:
                        self._release_waiters()
            finally:
                gc.enable()
            gc.freeze()  # what the catch-up built is long-lived: keep it out of future scans
            self.caught_up.set()
            log.info("projection_caught_up", position=self.projection.position,
                     events_applied=self.projection.events_applied)
            async for event in self.store.subscribe_all(after=self.projection.position or None,
                                                        filter=self.filter):
                self._apply(event)
                await self._maybe_snapshot()
        except asyncio.CancelledError:
            raise
        except BaseException as e:  # noqa: BLE001 — reported through status() and start()
            self.failure = e
            log.error("projection_failed", exc_info=e)
            raise

    def _apply(self, event: RecordedEvent) -> None:
        self.projection.apply(event)
        if self._waiters:
            self._release_waiters()

    def _release_waiters(self) -> None:
        position = self.projection.position
        while self._waiters and self._waiters[0][0] <= position:
            _, _, future = heapq.heappop(self._waiters)
            if not future.done():
                future.set_result(None)

    @property
    def pending_waits(self) -> int:
        """How many callers are waiting for a position (read-your-writes) right now."""
        return len(self._waiters)

    async def wait_for(self, position: int, timeout: float) -> None:
        """Return once the projection has applied ``position``; TimeoutError after ``timeout`` s."""
        if position <= self.projection.position:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (position, next(self._tie), future))
        # The filter may skip non-identity events past `position`: the head check covers that.
        self._release_waiters()
        try:
            async with asyncio.timeout(timeout):  # not wait_for: see the note in the sqlite adapter
                await asyncio.shield(future)
        finally:
            if not future.done():
                future.cancel()

    async def _maybe_snapshot(self, force: bool = False) -> None:
        if self.snapshots is None:
            return
        applied = self.projection.events_applied - self._last_snapshot_events
        due = applied >= self.snapshot_every_events or (
            applied and time.monotonic() - self._last_snapshot_time >= self.snapshot_every_seconds
        )
        if force or due:
            snapshot = self.projection.to_snapshot()  # taken on the loop: consistent at one position
            await asyncio.to_thread(self.snapshots.save, snapshot)
            self._last_snapshot_events = self.projection.events_applied
            self._last_snapshot_time = time.monotonic()
            log.info("projection_snapshot_saved", position=snapshot["position"])

    async def status(self) -> dict[str, Any]:
        head = await self.store.head_position(self.filter)
        position = self.projection.position
        return {
            "position": position, "head_position": head, "lag": max(head - position, 0),
            "caught_up": self.caught_up.is_set() and self.failure is None,
            "events_applied": self.projection.events_applied,
        }

    async def stop(self) -> None:
        """Stop following and write a final snapshot."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self._maybe_snapshot(force=True)
