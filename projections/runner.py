"""Keeps a projection up to date with the log, waits for positions, snapshots it to disk.

The runner catches up from the projection's position (a snapshot's, or 0), then follows the
live subscription. ``wait_for(position)`` is the read-your-writes primitive: it returns once the
projection has applied that position, or raises TimeoutError. ``head()`` is the last position the
projection's filter matches in the log now: waiting for it makes the projection fresh.

How far the runner knows the log (``known``) is the last event it applied or the last checkpoint
its subscription reported (KurrentDB: every match up to it was delivered), whichever is later.
Nothing the filter matches lies between the projection's position and ``known``, so the head is
searched for only after ``known``: on KurrentDB, a few dozen events at most behind the log's end
while the subscription is live, instead of every audit record since the last identity event.

A live subscription can end: a KurrentDB node restarts, a leader is elected, a connection drops
(with an error, or with a clean end of the stream). The runner then resubscribes from the last
position it applied, with backoff, and says meanwhile that it is not following (``stalled_for``,
``on_following``): whoever decides on the projection must not do so silently on stale state.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import heapq
import itertools
import marshal
import math
import os
import signal
import sys
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import structlog

from iamd.service.eventstore.errors import EventStoreError
from iamd.service.eventstore.port import EventFilter, EventStore, RecordedEvent, follow_live

log = structlog.get_logger(__name__)


class Projection(Protocol):
    position: int
    events_applied: int

    def apply(self, event: RecordedEvent) -> None: ...

    def to_snapshot(self) -> dict[str, Any]: ...


class SnapshotFile:
    """A projection snapshot in one file, replaced atomically (write, fsync, rename).

    The file is a header line and the snapshot in Python's marshal format, which decodes twice as
    fast as JSON (a start from a snapshot of 100k users spent most of its time decoding). marshal
    is Python's own format for plain data, not a portable one: the header names the marshal and
    Python versions that wrote it and the CRC-32 of what follows, and a snapshot that does not
    match them, or is damaged, is not loaded (the log rebuilds the state; a snapshot is only a
    shortcut). The file is as private as the log (owner-only, in the data directory).

    `log_id` names the log the snapshot was taken from (the id of its first event): a snapshot of
    another log (a KurrentDB cluster recreated, an events.db restored from elsewhere) is never
    loaded, even when that log has grown past the snapshot's position."""

    MAGIC = b"iamd-snapshot"

    def __init__(self, path: Path, log_id: str = "") -> None:
        self.path = path
        self.log_id = log_id

    @staticmethod
    def _format() -> bytes:
        return b"marshal %d python %d.%d" % (marshal.version, *sys.version_info[:2])

    def _unfinished(self) -> list[Path]:
        """Files a writer left half-written (each writes its own, named after its process)."""
        return [*self.path.parent.glob(f"{self.path.name}.*.tmp"), self.path.with_suffix(".tmp")]

    def load(self) -> dict[str, Any] | None:
        # Called once, at start, before this process writes any: what a killed writer (or a
        # child forked by a server that was killed) left half-written goes, 100 MB each at 100k users.
        for unfinished in self._unfinished():
            with contextlib.suppress(OSError):
                unfinished.unlink()
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        end_of_header = data.find(b"\n")
        header, payload = data[:max(end_of_header, 0)], memoryview(data)[end_of_header + 1:]  # not a copy
        magic, _, rest = header.partition(b" ")
        written_by, _, crc = rest.rpartition(b" crc32 ")
        if magic != self.MAGIC or written_by != self._format() or crc != b"%08x" % zlib.crc32(payload):
            log.warning("snapshot_unreadable", path=str(self.path),
                        reason="damaged, or written in another format or by another Python version")
            return None
        # Decoding makes millions of objects, all kept: the cyclic garbage collector, left on,
        # would rescan them again and again for nothing (it doubled the load time); and frozen
        # they stay out of its later scans too (as what a catch-up builds, see _follow).
        paused = gc.isenabled()
        gc.disable()
        try:
            try:
                snapshot = marshal.loads(payload)
            except (ValueError, EOFError, TypeError):
                log.warning("snapshot_unreadable", path=str(self.path), reason="undecodable")
                return None
            taken_from = snapshot.get("log_id", "") if isinstance(snapshot, dict) else ""
            if taken_from and self.log_id and taken_from != self.log_id:
                log.warning("snapshot_of_another_log", path=str(self.path), snapshot_log=taken_from,
                            log=self.log_id)
                return None
            gc.freeze()
            return snapshot
        finally:
            if paused:
                gc.enable()

    def save(self, snapshot: dict[str, Any]) -> None:
        payload = marshal.dumps({**snapshot, "log_id": self.log_id} if self.log_id else snapshot)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Its own file per writer: a child forked by a server killed meanwhile may still be writing
        # when the next server's first snapshot starts.
        tmp = self.tmp_path(os.getpid())
        try:
            with open(tmp, "wb", opener=lambda name, flags: os.open(name, flags, 0o600)) as f:
                os.fchmod(f.fileno(), 0o600)  # owner-only, whatever the umask or a leftover file's mode
                f.write(b"%s %s crc32 %08x\n" % (self.MAGIC, self._format(), zlib.crc32(payload)))
                f.write(payload)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):  # ~100 MB at 100k users: not left on a disk that is full
                tmp.unlink()
            raise

    def tmp_path(self, pid: int) -> Path:
        """Where the writer of process `pid` writes before the atomic rename."""
        return self.path.with_name(f"{self.path.name}.{pid}.tmp")


async def save_in_child(snapshots: SnapshotFile, projection: Projection, timeout: float = 300.0) -> None:
    """Write `projection`'s snapshot from a child process forked for it; raise if it could not.

    Encoding a large read model is one call that holds the GIL throughout (0.5-0.7 s for the
    benchmark's 100k users): in a thread of the serving process it stopped every call for that
    long, at every snapshot. A forked child has the projection as it was at the fork (copy-on-write:
    consistent at one position without stopping anyone), encodes and writes it, and exits; the
    server pauses only for the fork (10-20 ms at 500 MiB). What the child touches is copied
    meanwhile: up to the read model's size again, for about a second.

    Forking a process that runs threads is safe only for a child that does next to nothing, and
    even then CPython's own after-fork work can fail in it: a child that crashes, or is killed
    after `timeout` s, fails this snapshot alone (the caller logs it; the next one is due as before).
    Only iamd's own process snapshots this way (server.serve), never a process of many servers."""
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except BaseException:
        os.close(read_end)
        os.close(write_end)
        raise
    if pid == 0:  # the child: the snapshot and nothing else, then out without the parent's exit handlers
        status = 1
        try:
            gc.disable()  # no finalizer of the server's garbage runs here, and fewer pages are copied
            # Nothing of the server's stays open here (its sockets, the log, the data directory's
            # lock): a child outliving a killed server must not hold what the next one needs.
            os.closerange(3, write_end)
            os.closerange(write_end + 1, os.sysconf("SC_OPEN_MAX"))  # the limit now, raised or not
            with contextlib.suppress(ValueError):  # not the main thread: no wake-up fd to undo
                signal.set_wakeup_fd(-1)  # a signal to the child must not wake the parent's loop
            for number in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
                with contextlib.suppress(ValueError):
                    signal.signal(number, signal.SIG_DFL)
            signal.alarm(max(1, math.ceil(timeout)))  # ends it even when no parent is left to
            with contextlib.suppress(OSError):  # short of memory, the kernel kills the child, not the server
                with open("/proc/self/oom_score_adj", "w") as score:
                    score.write("1000")
            snapshots.save(projection.to_snapshot())
            status = 0
        except BaseException as e:  # noqa: BLE001 — told to the parent through the pipe
            with contextlib.suppress(BaseException):
                os.write(write_end, f"{type(e).__name__}: {e}".encode()[:2000])
        finally:
            os._exit(status)
    os.close(write_end)
    status: int | None = None
    try:
        status = await _exit_status(pid, timeout)
        why = os.read(read_end, 4096).decode(errors="replace")  # the child has exited: all is there
    except ChildProcessError:  # reaped by someone else (SIGCHLD ignored): how it ended is unknown
        raise RuntimeError(f"the snapshot writer (pid {pid}) was reaped by another: its outcome is unknown") from None
    except BaseException:  # cancelled (a stop that failed before the runner's): no child left behind
        await _killed(pid)
        raise
    finally:
        os.close(read_end)
        if status != 0:
            with contextlib.suppress(OSError):
                snapshots.tmp_path(pid).unlink()  # what a child that failed or was killed mid-write left
    if status is None:
        raise RuntimeError(f"the snapshot writer (pid {pid}) did not finish in {timeout:g} s and was killed")
    if status != 0:
        ended = (f"was killed by signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
                 else f"exited with status {os.waitstatus_to_exitcode(status)}")
        raise RuntimeError(f"the snapshot writer (pid {pid}) {ended}" + (f": {why}" if why else ""))


async def _exit_status(pid: int, timeout: float) -> int | None:
    """The child's wait status once it exits; None when it did not within `timeout` s (then it is
    killed: forking a threaded process can leave the child stuck on a lock another thread held)."""
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() > deadline:
            await _killed(pid)
            return None
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.05)


async def _killed(pid: int) -> None:
    """Kill the child and reap it, without blocking the loop while it dies (a child in the middle
    of an fsync dies only when that returns)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    try:
        while os.waitpid(pid, os.WNOHANG)[0] == 0:
            await asyncio.sleep(0.01)
    except ChildProcessError:  # reaped already
        pass
    except BaseException:  # cancelled again meanwhile: a thread reaps it, so no zombie stays
        threading.Thread(target=_reap, args=(pid,), name="iamd-snapshot-reaper", daemon=True).start()
        raise


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


# How long wait_for waits for a position before it asks the log whether that position lies past the
# last match: a write's position is usually applied within milliseconds, and the question costs reads.
PAST_LAST_MATCH_AFTER = 0.05


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
        fork_snapshots: bool = False,
    ) -> None:
        self.store = store
        self.projection = projection
        self.filter = event_filter
        self.snapshots = snapshots
        self.snapshot_every_events = snapshot_every_events
        self.snapshot_every_seconds = snapshot_every_seconds
        self.caught_up = asyncio.Event()
        # The latest checkpoint of the live subscription (see `known`); 0 before any.
        self._checkpoint = 0
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._tie = itertools.count()
        self._task: asyncio.Task[None] | None = None
        self._last_snapshot_events = projection.events_applied
        self._last_snapshot_time = time.monotonic()
        self._snapshotting: asyncio.Task[None] | None = None
        self._retry_at = 0.0  # monotonic: no due snapshot is tried before (after a failed one)
        self.fork_snapshots = fork_snapshots and hasattr(os, "fork")
        self.snapshot_failures = 0
        self.failure: BaseException | None = None
        # Following the live log: not before the catch-up, nor between a dropped subscription
        # and the new one the store has established (see _follow_live).
        self.following = False
        self._stalled_since: float | None = None  # monotonic time the live subscription ended
        self.stall_reason = ""
        self.resubscriptions = 0
        self.on_following: list[Callable[[bool], None]] = []  # told of every change of `following`

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
                async for batch in self.store.replay_batches(after=self.projection.position or None,
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
            # Stale from here until the store establishes the live subscription (at once on
            # SQLite): one that never does must not leave the projection silently frozen.
            self._stalled_since = time.monotonic()
            self.stall_reason = "the live subscription is not established yet"
            await self._follow_live()
        except asyncio.CancelledError:
            raise
        except BaseException as e:  # noqa: BLE001 — reported through status() and start()
            self.failure = e
            self._set_following(False, f"the projection failed: {e}")
            log.error("projection_failed", exc_info=e)
            raise

    async def _follow_live(self) -> None:
        """Follow the live log for good (follow_live replaces a subscription that ends). Following
        again once the store has established the new subscription: it delivers everything after
        the last applied position, so nothing is missed. An event the projection cannot apply (a
        codec error, say) is not retried: it stops the runner."""
        async for event in follow_live(self.store, self.projection.position, self.filter,
                                       on_ended=self._subscription_ended,
                                       on_live=lambda: self._set_following(True),
                                       on_checkpoint=self._checkpoint_reached):
            self._apply(event)
            await self._maybe_snapshot()

    def _checkpoint_reached(self, position: int) -> None:
        """The subscription has delivered every match up to `position` (all applied by now)."""
        if position > self._checkpoint:
            self._checkpoint = position
            if self._waiters:
                self._release_waiters()

    @property
    def known(self) -> int:
        """The log is known up to here: every event the filter matches at or before it is applied."""
        return max(self.projection.position, self._checkpoint)

    async def head(self) -> int:
        """Position of the last event the filter matches in the log now, known or not (0: none).

        Everything the log held when this was called and the filter matches is at or before it:
        `wait_for(await head())` makes the projection fresh, also for writes made through other
        processes. Searched only after `known` (see the module's docstring)."""
        known = self.known
        later = await self.store.head_position(self.filter, after=known or None)
        return max(later, self.projection.position)

    def _subscription_ended(self, reason: str, pause: float) -> None:
        self._set_following(False, reason)
        self.resubscriptions += 1
        log.warning("projection_subscription_ended", reason=reason, position=self.projection.position,
                    retry_in_s=pause)

    def _set_following(self, following: bool, reason: str = "") -> None:
        if following == self.following:
            if not following:
                self.stall_reason = reason  # the latest attempt's; the stall began at the first
            return
        self.following = following
        if following:
            if self._stalled_since is not None and self.resubscriptions:
                log.info("projection_following_again", position=self.projection.position,
                         stalled_s=round(time.monotonic() - self._stalled_since, 3))
            self._stalled_since = None
            self.stall_reason = ""
        else:
            self._stalled_since = time.monotonic()
            self.stall_reason = reason
        for listener in self.on_following:
            listener(following)

    def stalled_for(self) -> float:
        """Seconds since the projection stopped following the live log (0 while it follows, and
        before the first catch-up, which start() waits for)."""
        since = self._stalled_since
        return 0.0 if since is None else time.monotonic() - since

    def _apply(self, event: RecordedEvent) -> None:
        self.projection.apply(event)
        if self._waiters:
            self._release_waiters()

    def _release_waiters(self) -> None:
        position = self.known
        while self._waiters and self._waiters[0][0] <= position:
            _, _, future = heapq.heappop(self._waiters)
            if not future.done():
                future.set_result(None)

    @property
    def pending_waits(self) -> int:
        """How many callers are waiting for a position (read-your-writes) right now."""
        return len(self._waiters)

    async def wait_for(self, position: int, timeout: float) -> None:
        """Return once the projection has applied ``position`` (every match at or before it; the
        position need not be a match's, see `known`); TimeoutError after ``timeout`` s."""
        if position <= self.known:
            return
        async with asyncio.timeout(timeout):  # not wait_for: see the note in the sqlite adapter
            if await self._reached(position, within=PAST_LAST_MATCH_AFTER):
                return
            # Not reached in a moment: `position` may lie past the last match (an audit record's), and
            # then no later match need ever come to release the wait (a store without checkpoints,
            # SQLite, never moves `known` past the last match). The log's head first: every position
            # up to it is committed, so the filtered head read after it holds every match up to `position`.
            try:
                if position <= await self.store.head_position():
                    position = min(position, await self.head())
            except EventStoreError:
                pass  # the store cannot say now: wait for the position itself
            await self._reached(position, within=None)

    async def _reached(self, position: int, within: float | None) -> bool:
        """Wait until `position` is known (for at most `within` s, None: until cancelled); whether it is."""
        if position <= self.known:
            return True
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (position, next(self._tie), future))
        self._release_waiters()
        try:
            if within is None:
                await asyncio.shield(future)
                return True
            done, _ = await asyncio.wait({future}, timeout=within)
            return bool(done)
        finally:
            if not future.done():
                future.cancel()

    async def _maybe_snapshot(self, force: bool = False) -> None:
        """Write a snapshot when one is due (or `force`d: at stop); one at a time, and a forced one
        after the one in flight. A forked child writes while the runner goes on applying events;
        written from a thread, the runner waits: the snapshot holds the projection's own dicts,
        which the events applied meanwhile would change under it."""
        if self.snapshots is None:
            return
        if self._snapshotting is not None:
            if not force:
                return
            await asyncio.shield(self._snapshotting)
        now = time.monotonic()
        applied = self.projection.events_applied - self._last_snapshot_events
        if force and (applied == 0 or self.failure is not None):
            # Nothing since the last snapshot written (or since the one the start loaded); and a
            # runner that failed may have half-applied an event it did not count: keep the last.
            return
        due = (applied >= self.snapshot_every_events or (
            applied and now - self._last_snapshot_time >= self.snapshot_every_seconds)) and now >= self._retry_at
        if not (force or due):
            return
        previous = self._last_snapshot_events, self._last_snapshot_time
        self._last_snapshot_events = self.projection.events_applied
        self._last_snapshot_time = now
        task = asyncio.create_task(self._snapshot(self.snapshots, previous), name="projection-snapshot")
        self._snapshotting = task
        task.add_done_callback(self._snapshot_done)
        if force or not self.fork_snapshots:
            await asyncio.shield(task)

    async def _snapshot(self, snapshots: SnapshotFile, previous: tuple[int, float]) -> None:
        position = self.projection.position
        try:
            if self.fork_snapshots:
                await save_in_child(snapshots, self.projection)
            else:
                snapshot = self.projection.to_snapshot()  # taken on the loop: consistent at one position
                await asyncio.to_thread(snapshots.save, snapshot)
        except Exception as e:  # noqa: BLE001 — a snapshot is only a shortcut: the log has everything
            # Still due, but not at once: a failure that lasts (a full disk) must not make every
            # event start another snapshot (with a fork, a pause and a copy of the read model each).
            self._last_snapshot_events, self._last_snapshot_time = previous
            self._retry_at = time.monotonic() + self.snapshot_every_seconds
            self.snapshot_failures += 1
            log.warning("projection_snapshot_failed", position=position, error=str(e),
                        retry_in_s=self.snapshot_every_seconds)
            return
        log.info("projection_snapshot_saved", position=position)

    def _snapshot_done(self, task: asyncio.Task[None]) -> None:
        if self._snapshotting is task:
            self._snapshotting = None

    async def status(self) -> dict[str, Any]:
        position = self.projection.position
        try:
            head = await self.head()
        except EventStoreError:  # the store is down: say what is known, which is the point
            head = position
        return {
            "position": position, "head_position": head, "lag": max(head - position, 0),
            "caught_up": self.caught_up.is_set() and self.failure is None,
            "events_applied": self.projection.events_applied,
            "following": self.following, "stalled_seconds": round(self.stalled_for(), 3),
            "stall_reason": self.stall_reason, "resubscriptions": self.resubscriptions,
        }

    async def stop(self) -> None:
        """Stop following and write a final snapshot."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        await self._maybe_snapshot(force=True)
