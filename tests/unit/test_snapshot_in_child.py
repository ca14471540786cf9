"""projections/runner.py save_in_child: a snapshot is written by a forked child, so encoding a large
read model (one call holding the GIL for most of a second) never stops the serving loop."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from iamd.projections.runner import ProjectionRunner, SnapshotFile, save_in_child
from iamd.service.eventstore import EventCodec, InMemoryEventStore
from iamd.service.eventstore.port import EventFilter, NewEvent, RecordedEvent, StreamState

pytestmark = [pytest.mark.asyncio,
              pytest.mark.skipif(not hasattr(os, "fork"), reason="snapshots in a child need os.fork")]


class Counted:
    """A stand-in projection for these tests: counts what it applied. `hold` makes its
    to_snapshot (run in the child) wait until the parent has created that file, so a test can
    tell that the parent went on while the child encoded; `fail` makes it fail as told."""

    def __init__(self, hold: Path | None = None, fail: str = "") -> None:
        self.position = 0
        self.events_applied = 0
        self.hold = hold
        self.fail = fail

    def apply(self, event: RecordedEvent) -> None:
        self.position = event.position
        self.events_applied += 1

    def to_snapshot(self) -> dict[str, Any]:
        if self.fail == "raise":
            raise ValueError("the read model could not be encoded")
        if self.fail == "killed":
            os.kill(os.getpid(), signal.SIGKILL)
        deadline = time.monotonic() + 20
        while self.hold is not None and not self.hold.exists():
            if time.monotonic() > deadline:
                raise TimeoutError("the parent never went on while the child encoded")
            time.sleep(0.005)
        return {"position": self.position, "events_applied": self.events_applied}


async def test_the_child_writes_the_projection_as_it_was_at_the_fork(tmp_path: Path) -> None:
    projection = Counted()
    projection.position, projection.events_applied = 41, 40
    file = SnapshotFile(tmp_path / "snapshots" / "identity.snapshot", log_id="log-1")
    await save_in_child(file, projection)
    assert file.load() == {"position": 41, "events_applied": 40, "log_id": "log-1"}
    assert os.stat(file.path).st_mode & 0o777 == 0o600


async def test_the_parents_loop_runs_while_the_child_encodes(tmp_path: Path) -> None:
    # The child's encoding waits for a file only the parent's loop creates, after the fork: had
    # the encoding run on the loop (or held the loop's GIL in a thread), it would never finish.
    marker = tmp_path / "the parent ran"
    file = SnapshotFile(tmp_path / "identity.snapshot")
    writing = asyncio.create_task(save_in_child(file, Counted(hold=marker)))
    await asyncio.sleep(0.05)
    assert not writing.done()
    marker.touch()
    await asyncio.wait_for(writing, 30)
    assert file.load() == {"position": 0, "events_applied": 0}


@pytest.mark.parametrize(("fail", "said"), [("raise", "ValueError: the read model could not be encoded"),
                                            ("killed", "was killed by signal 9")])
async def test_a_child_that_fails_says_so_and_leaves_the_last_snapshot(tmp_path: Path, fail: str, said: str) -> None:
    file = SnapshotFile(tmp_path / "identity.snapshot")
    file.save({"position": 7, "events_applied": 7})
    with pytest.raises(RuntimeError, match=said):
        await save_in_child(file, Counted(fail=fail))
    assert file.load() == {"position": 7, "events_applied": 7}
    assert not list(tmp_path.glob("*.tmp"))


async def test_the_runner_applies_events_while_a_snapshot_is_written(tmp_path: Path) -> None:
    store = InMemoryEventStore(EventCodec())
    marker = tmp_path / "released"
    projection = Counted(hold=marker)
    file = SnapshotFile(tmp_path / "identity.snapshot")
    runner = ProjectionRunner(store, projection, EventFilter(), snapshots=file, snapshot_every_events=3,
                              fork_snapshots=True)
    await runner.start()
    for i in range(3):  # the third makes a snapshot due: its child waits for the marker
        await store.append(f"s-{i}", [NewEvent("Happened", {"i": i})], StreamState.ANY)
    await runner.wait_for(await runner.head(), 10)
    later = await store.append("s-later", [NewEvent("Happened", {"i": 3})], StreamState.ANY)
    await runner.wait_for(later.position, 10)  # applied while the child still waits
    assert projection.events_applied == 4 and not file.path.exists()
    marker.touch()
    await runner.stop()  # waits for the child, then writes the final snapshot
    assert file.load() == {"position": later.position, "events_applied": 4}


async def test_a_failed_snapshot_is_retried_after_a_pause_not_at_every_event(tmp_path: Path) -> None:
    store = InMemoryEventStore(EventCodec())
    projection = Counted(fail="raise")
    file = SnapshotFile(tmp_path / "identity.snapshot")
    runner = ProjectionRunner(store, projection, EventFilter(), snapshots=file, snapshot_every_events=2,
                              snapshot_every_seconds=0.5, fork_snapshots=True)
    await runner.start()

    async def applied(i: int) -> None:
        written = await store.append(f"s-{i}", [NewEvent("Happened", {"i": i})], StreamState.ANY)
        await runner.wait_for(written.position, 10)

    for i in range(2):
        await applied(i)
    deadline = time.monotonic() + 20
    while runner.snapshot_failures == 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    projection.fail = ""
    for i in range(2, 6):  # still due, but within the pause: no snapshot is tried
        await applied(i)
    await asyncio.sleep(0.05)
    assert runner.snapshot_failures == 1 and not file.path.exists()
    await asyncio.sleep(0.5)
    await applied(6)  # after the pause the snapshot still due is written
    while not file.path.exists() and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert file.load() == {"position": projection.position, "events_applied": 7}
    assert not list(tmp_path.glob("*.tmp"))
    await runner.stop()


async def test_a_child_that_does_not_finish_is_killed(tmp_path: Path) -> None:
    never = tmp_path / "never created"
    with pytest.raises(RuntimeError, match="did not finish in 0.3 s and was killed"):
        await save_in_child(SnapshotFile(tmp_path / "identity.snapshot"), Counted(hold=never), timeout=0.3)
    assert not (tmp_path / "identity.snapshot").exists()


async def test_the_child_holds_none_of_the_servers_files(tmp_path: Path) -> None:
    # The data directory's lock as the server holds it (service/admin.py): once the server lets
    # go of it, nothing holds it, even while a child it forked is still writing.
    import fcntl

    lock = tmp_path / "iamd.lock"
    held = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    fcntl.flock(held, fcntl.LOCK_SH)
    marker = tmp_path / "released"
    writing = asyncio.create_task(save_in_child(SnapshotFile(tmp_path / "identity.snapshot"), Counted(hold=marker)))
    await asyncio.sleep(0.05)
    os.close(held)
    # The child inherits the lock at the fork and lets go of it as its first step; on a loaded
    # machine that step can come late, so the lock is tried until a deadline well short of the
    # 20 s the child waits for the marker: a child that kept it would hold it all that time.
    other = os.open(lock, os.O_RDWR)
    deadline = time.monotonic() + 10
    try:
        while True:
            try:
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise AssertionError("the child kept the data directory's lock") from None
                await asyncio.sleep(0.01)
        assert not writing.done(), "the child was still writing when the lock was free"
    finally:
        os.close(other)
        marker.touch()
        await asyncio.wait_for(writing, 30)



async def test_a_cancelled_snapshot_kills_and_reaps_its_child(tmp_path: Path) -> None:
    never = tmp_path / "never created"
    listed = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    before = set(listed.read_text().split())
    writing = asyncio.create_task(save_in_child(SnapshotFile(tmp_path / "identity.snapshot"), Counted(hold=never)))
    await asyncio.sleep(0.1)
    children = set(listed.read_text().split()) - before
    assert children, "the child is running"
    writing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await writing
    for pid in children:
        with pytest.raises(ChildProcessError):  # reaped: no zombie left
            os.waitpid(int(pid), os.WNOHANG)


async def test_a_cancelled_snapshot_leaves_no_half_written_file(tmp_path: Path) -> None:
    class Writing(Counted):
        """Starts its file, then waits: what a child killed mid-write leaves."""

        def to_snapshot(self) -> dict[str, Any]:
            Path(tmp_path / f"identity.snapshot.{os.getpid()}.tmp").write_bytes(b"half a snapshot")
            return super().to_snapshot()

    writing = asyncio.create_task(save_in_child(SnapshotFile(tmp_path / "identity.snapshot"),
                                                Writing(hold=tmp_path / "never created")))
    deadline = time.monotonic() + 20
    while not list(tmp_path.glob("*.tmp")) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    writing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await writing
    assert not list(tmp_path.glob("*.tmp"))


async def test_a_stop_writes_no_snapshot_when_nothing_was_applied_since_the_last(tmp_path: Path) -> None:
    store = InMemoryEventStore(EventCodec())
    for i in range(3):
        await store.append(f"s-{i}", [NewEvent("Happened", {"i": i})], StreamState.ANY)
    file = SnapshotFile(tmp_path / "identity.snapshot")
    saves: list[int] = []
    save = file.save
    file.save = lambda snapshot: (saves.append(snapshot["position"]), save(snapshot))[1]  # type: ignore[method-assign]
    first = ProjectionRunner(store, Counted(), EventFilter(), snapshots=file)
    await first.start()
    await first.stop()  # three events applied: written
    assert len(saves) == 1
    loaded = Counted()
    loaded.position, loaded.events_applied = file.load()["position"], 3  # type: ignore[index]
    second = ProjectionRunner(store, loaded, EventFilter(), snapshots=file)
    await second.start()
    await second.stop()  # nothing since the snapshot it started from: not written again
    assert len(saves) == 1
