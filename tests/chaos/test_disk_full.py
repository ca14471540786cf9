"""Disk full, on a real small filesystem: a tmpfs of a few MB mounted for the test (skipped, with
the reason, where the machine does not allow mounting).

A real iamd keeps its data directory on it; the test fills the filesystem with a filler file
and keeps calling. What must hold (issue 11, "Bounded resources"):

- a write is refused with a clear, retryable ServiceUnavailable (gRPC UNAVAILABLE, ErrorInfo
  reason ServiceUnavailable), never INTERNAL or UNKNOWN, and the process keeps serving;
- durable audit (the default, --audit-durability sync): a call whose record cannot be stored is
  refused the same way, so every call answered OK has its record;
- async audit: Authorize and reads keep answering, and the records that could not be stored are
  counted (GetProjectionStatus.audit_write_failures);
- nothing acknowledged before (or during) the disk-full spell is lost, across a restart;
- when space returns (the filler deleted), calls succeed again without a restart.
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
import random
import resource
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from iamd.v1 import audit_pb2
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb

from .harness import (ACCOUNT, ALL_VARIANTS, IN_DOUBT, WRITERS, Clients, IamdProcess, Outcome, audit_records, call, env_int,
                      policy)
from .load import CLOUDTRAIL_NAMES, Ledger, Writer, setup_policies, verify_audit, verify_keys_sign, verify_state

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

FS_SIZE = os.environ.get("IAMD_CHAOS_FS_SIZE", "") or "16m"
PRESSURE = env_int("IAMD_CHAOS_FULL_CALLS", 20)  # calls of each kind made while the disk is full
MAX_WRITES_UNTIL_FULL = 5000  # SQLite's WAL may hold free room of its own: write until it is gone
RESUME_ATTEMPTS = 300  # 0.1 s apart
FULL_LOAD_CHECKS = 50  # 0.2 s apart: how long the load may meet the full disk at most
POLL_GUARD = 30.0  # seconds: the longest a poll for what the server does asynchronously waits before failing


def _mount_refusal() -> str | None:
    """Why a small tmpfs cannot be mounted here (None: it can)."""
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root (CAP_SYS_ADMIN)"
    with tempfile.TemporaryDirectory() as probe:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe],
                                 capture_output=True, text=True)
        if mounted.returncode != 0:
            return f"this machine does not allow mounting a tmpfs: {mounted.stderr.strip() or mounted.returncode}"
        subprocess.run(["umount", probe], capture_output=True)
    return None


class Space:
    """Where the data directory lives, and how its room runs out and comes back."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def exhaust(self, server: IamdProcess) -> dict[str, Any]:
        raise NotImplementedError

    def restore(self, server: IamdProcess) -> None:
        raise NotImplementedError

    def reapply(self, server: IamdProcess) -> None:
        """After a restart on the exhausted space: keep it exhausted for the new process."""


class Tmpfs(Space):
    """A real small filesystem, filled up by a filler file; space returns when it is deleted."""

    filler: Path | None = None

    def exhaust(self, server: IamdProcess) -> dict[str, Any]:
        self.filler = fill(self.root)
        return {"space": "tmpfs", "fs_size": FS_SIZE, "filler_bytes": self.filler.stat().st_size}

    def restore(self, server: IamdProcess) -> None:
        assert self.filler is not None
        self.filler.unlink()


class FileSizeLimit(Space):
    """Where no small filesystem can be mounted: the running iamd's RLIMIT_FSIZE lowered to the
    size its database has (prlimit, unprivileged for one's own child), so that SQLite's writes
    past it fail with EFBIG as they would with ENOSPC; raised again for space to return. The
    product is not touched: the operating system refuses its writes."""

    def exhaust(self, server: IamdProcess) -> dict[str, Any]:
        assert server.process is not None
        database = server.data_dir / "events.db"
        limit = database.stat().st_size
        _, hard = resource.prlimit(server.process.pid, resource.RLIMIT_FSIZE)
        resource.prlimit(server.process.pid, resource.RLIMIT_FSIZE, (limit, hard))
        return {"space": "RLIMIT_FSIZE", "limit_bytes": limit}

    def reapply(self, server: IamdProcess) -> None:
        self.exhaust(server)  # a limit belongs to a process: the new one starts without it

    def restore(self, server: IamdProcess) -> None:
        assert server.process is not None
        _, hard = resource.prlimit(server.process.pid, resource.RLIMIT_FSIZE)
        resource.prlimit(server.process.pid, resource.RLIMIT_FSIZE, (hard, hard))


@pytest.fixture(params=["tmpfs", "fsize"])
def space(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Space]:
    refusal = _mount_refusal()
    if request.param == "fsize":
        if refusal is None and not ALL_VARIANTS:
            pytest.skip("a real tmpfs is used on this machine; the RLIMIT_FSIZE variant runs where mounting is "
                        "not allowed, and in make test-chaos (IAMD_CHAOS_ALL=1)")
        yield FileSizeLimit(tmp_path / "disk")
        return
    if refusal is not None:
        pytest.skip(f"disk full on a real small filesystem: {refusal} (the RLIMIT_FSIZE variant runs instead)")
    mount_point = tmp_path / "fs"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={FS_SIZE},mode=0700", "tmpfs", str(mount_point)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"disk full needs a small filesystem; mounting a tmpfs failed: {mounted.stderr.strip()}")
    try:
        yield Tmpfs(mount_point)
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def fill(directory: Path) -> Path:
    """Write a filler file until the filesystem has no room left; returns it."""
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for size in (1 << 20, 1 << 16, 1 << 12, 1 << 9, 1):
            block = b"\0" * size
            while True:
                try:
                    os.write(fd, block)
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    break
    finally:
        os.close(fd)
    return filler


def _user(name: str) -> ipb.CreateUserRequest:
    return ipb.CreateUserRequest(user_name=name)


def _authorize(name: str) -> apb.AuthorizeRequest:
    return apb.AuthorizeRequest(principal_arn=f"arn:aws:iam::{ACCOUNT}:user/{name}", action="svc:Do",
                                resource="*")


def assert_unavailable(operation: str, outcome: Outcome) -> None:
    """A refusal on a full disk: UNAVAILABLE with ErrorInfo ServiceUnavailable, an answer (not a hang)."""
    assert outcome.status != IN_DOUBT, f"{operation}: no answer on a full disk ({outcome.grpc_code.name}: " \
                                       f"{outcome.details})"
    assert (outcome.grpc_code, outcome.code) == (grpc.StatusCode.UNAVAILABLE, "ServiceUnavailable"), \
        f"{operation} on a full disk answered {outcome.grpc_code.name} {outcome.code}: {outcome.details}"


class Trace:
    """Every call made and how it ended, for the checks after the restart."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Outcome]] = []  # (operation, phase, outcome)
        self.users_ok: set[str] = set()
        self.users_maybe: set[str] = set()

    async def create_user(self, c: Clients, name: str, phase: str) -> Outcome:
        outcome = await call(c.iam.CreateUser, _user(name))
        self.calls.append(("CreateUser", phase, outcome))
        (self.users_ok if outcome.ok else self.users_maybe).add(name)
        return outcome

    async def other(self, operation: str, method: Any, request: Any, phase: str) -> Outcome:
        outcome = await call(method, request)
        self.calls.append((operation, phase, outcome))
        return outcome

    def count(self, phase: str, ok: bool) -> int:
        return sum(1 for _, p, o in self.calls if p == phase and o.ok == ok)


async def _until_full(c: Clients, trace: Trace) -> int:
    """CreateUser until the store refuses: the first refusals are on the full disk."""
    refused = 0
    for i in range(MAX_WRITES_UNTIL_FULL):
        outcome = await trace.create_user(c, f"fill-{i}", "filling")
        if outcome.ok:
            refused = 0
            continue
        assert_unavailable("CreateUser", outcome)
        refused += 1
        if refused >= 3:
            return i + 1
    raise AssertionError(f"{MAX_WRITES_UNTIL_FULL} CreateUser calls all succeeded on a full filesystem")


async def _on_full_disk(server: IamdProcess, c: Clients, trace: Trace, durable: bool,
                        phase: str = "full") -> dict[str, Any]:
    """Writes, Authorize and reads while the disk stays full."""
    attach = ipb.AttachPolicyRequest(target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="before-0"),
                                     policy_arn=f"arn:aws:iam::{ACCOUNT}:policy/chaos-full")
    writes_refused = 0
    for i in range(PRESSURE):
        # A small write may still fit in room SQLite keeps (a failed transaction's WAL frames):
        # then it is answered OK, and must be stored like any other; else it is refused retryably.
        outcome = await trace.create_user(c, f"{phase.replace(' ', '-')}-{i}", phase)
        if not outcome.ok:
            assert_unavailable("CreateUser", outcome)
            writes_refused += 1
        outcome = await trace.other("AttachPolicy", c.iam.AttachPolicy, attach, phase)
        if not outcome.ok:
            assert_unavailable("AttachPolicy", outcome)
            writes_refused += 1
        for operation, method, request in (
                ("Authorize", c.authz.Authorize, _authorize("before-0")),
                ("GetUser", c.iam.GetUser, ipb.GetUserRequest(user_name="before-1")),
                ("ListUsers", c.iam.ListUsers, ipb.ListUsersRequest(page=ipb.Page(max_items=5)))):
            outcome = await trace.other(operation, method, request, phase)
            if durable:  # answered only with its record stored, else refused retryably
                if not outcome.ok:
                    assert_unavailable(operation, outcome)
            else:
                assert outcome.ok, f"async audit: {operation} on a full disk answered {outcome.grpc_code.name} " \
                                   f"{outcome.code}: {outcome.details}"
                if operation == "Authorize":
                    assert outcome.response.decision == apb.DECISION_ALLOW
    assert server.process is not None and server.process.poll() is None, "iamd died on a full disk"
    assert writes_refused > 0, "no write was refused on the full filesystem: the scenario tested nothing"
    status = await c.status() if not durable else None
    figures: dict[str, Any] = {"writes_refused_on_full_disk": writes_refused}
    if status is not None:
        # Async: the writer counts its failed appends as it makes them, in its own time (polled for
        # up to POLL_GUARD s rather than a count of polls, which assumed a speed).
        deadline = asyncio.get_running_loop().time() + POLL_GUARD
        while status.audit_write_failures == 0 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.1)
            status = await c.status()
        assert status.audit_write_failures > 0, "async audit: records lost on a full disk were not counted"
        figures["audit_write_failures"] = status.audit_write_failures
    return figures


async def _resumes(c: Clients, trace: Trace, durable: bool) -> dict[str, Any]:
    """After the filler is gone: calls succeed again, without a restart."""
    for attempt in range(RESUME_ATTEMPTS):
        outcome = await trace.create_user(c, f"resume-{attempt}", "resuming")
        if outcome.ok:
            break
        assert_unavailable("CreateUser", outcome)
        await asyncio.sleep(0.1)  # polling for recovery, no timing asserted
    else:
        raise AssertionError(f"writes still refused {RESUME_ATTEMPTS} attempts after space returned")
    before = await c.status()
    for i in range(10):
        assert (await trace.create_user(c, f"after-{i}", "after")).ok
        outcome = await trace.other("Authorize", c.authz.Authorize, _authorize("before-0"), "after")
        assert outcome.ok and outcome.response.decision == apb.DECISION_ALLOW, outcome
    assert (await trace.other("AttachPolicy", c.iam.AttachPolicy, ipb.AttachPolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="after-0"),
        policy_arn=f"arn:aws:iam::{ACCOUNT}:policy/chaos-full"), "after")).ok
    after = await c.status()
    # Async: records are committed after the answers (polled for up to POLL_GUARD s).
    deadline = asyncio.get_running_loop().time() + POLL_GUARD
    while after.audit_records_written < before.audit_records_written + 21 \
            and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.1)
        after = await c.status()
    assert after.audit_records_written >= before.audit_records_written + 21, "audit records not written again"
    return {"resume_attempts": attempt + 1, "audit_write_failures_total": after.audit_write_failures}


async def _verify_after_restart(c: Clients, trace: Trace, durable: bool) -> dict[str, Any]:
    users = {u.user.user_name for u in (await c.iam.GetAccountAuthorizationDetails(
        ipb.GetAccountAuthorizationDetailsRequest(filter=[pb.ENTITY_KIND_USER]), timeout=60)).user_detail_list}
    lost = trace.users_ok - users
    assert not lost, f"acknowledged users lost: {sorted(lost)[:20]}"
    unknown = users - trace.users_ok - trace.users_maybe
    assert not unknown, f"users nobody created: {sorted(unknown)[:20]}"
    records = await audit_records(c)
    checked = 0
    for operation, phase, outcome in trace.calls:
        # Durable: every call answered OK has its record. Async: a call answered while the disk
        # was full may have lost its record (counted); the others were stored before the stop.
        if outcome.ok and (durable or phase not in ("full", "filling", "restarted full")):
            checked += 1
            found = records.get(outcome.request_id)
            assert found, f"{operation} answered OK in phase {phase} (request {outcome.request_id}) has no record"
            assert found[0]["eventName"] == CLOUDTRAIL_NAMES.get(operation, operation), found[0]
            assert "errorCode" not in found[0], found[0]
    # Every identity event has its call's record (a refused write whose events landed included)
    missing = []
    for name in sorted(users):
        if name.startswith(("fill-", "full-", "restarted-full-", "resume-", "after-", "before-")):
            history = await c.audit.GetEntityHistory(audit_pb2.GetEntityHistoryRequest(
                target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name=name)), timeout=30)
            missing += [f"{e.type} {name} ({e.request_id})" for e in history.events if e.request_id not in records]
    assert not missing, f"identity events without an audit record: {missing[:10]}"
    return {"users_acknowledged": len(trace.users_ok), "answered_ok_with_record": checked}


@pytest.mark.parametrize("durability", ["sync", "async"])
async def test_disk_full_refuses_retryably_and_resumes(space: Space, tmp_path: Path, durability: str) -> None:
    durable = durability == "sync"
    server = IamdProcess(space.root / "data", tmp_path / "iamd.log", ("--audit-durability", durability))
    trace = Trace()
    figures: dict[str, Any] = {"durability": durability}
    try:
        await server.start()
        c = server.clients()
        await c.iam.CreatePolicy(ipb.CreatePolicyRequest(policy_name="chaos-full", policy_document=policy("svc:Do")),
                                 timeout=20)
        for i in range(5):
            assert (await trace.create_user(c, f"before-{i}", "before")).ok
        assert (await trace.other("AttachPolicy", c.iam.AttachPolicy, ipb.AttachPolicyRequest(
            target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="before-0"),
            policy_arn=f"arn:aws:iam::{ACCOUNT}:policy/chaos-full"), "before")).ok

        figures.update(space.exhaust(server))
        figures["writes_until_refused"] = await _until_full(c, trace)
        figures.update(await _on_full_disk(server, c, trace, durable))
        figures["answered_ok_on_full_disk"] = trace.count("full", ok=True)
        figures["refused_on_full_disk"] = trace.count("full", ok=False)

        # A crash while the disk is full, and a start on the still-full disk
        server.kill9()
        await server.close_channels()
        await server.start()
        space.reapply(server)
        c = server.clients()
        await _on_full_disk(server, c, trace, durable, phase="restarted full")
        figures["answered_ok_after_start_on_full_disk"] = trace.count("restarted full", ok=True)

        space.restore(server)
        figures.update(await _resumes(c, trace, durable))

        if durable:
            server.kill9()  # durable: acknowledged means stored, whatever happens to the process
        else:
            assert await server.stop() == 0  # async: records are committed by the graceful stop
        await server.close_channels()
        await server.start()
        figures.update(await _verify_after_restart(server.clients(), trace, durable))
    except BaseException:
        print(f"iamd stderr tail:\n{server.stderr_tail()}")
        raise
    finally:
        print(json.dumps(figures))
        await server.stop()


@pytest.mark.parametrize("durability", ["sync", "async"])
async def test_disk_fills_under_mixed_load(space: Space, tmp_path: Path, durability: str) -> None:
    """The disk fills while several clients write and authorize, then space returns; iamd answers
    every call throughout (OK or a retryable ServiceUnavailable, never INTERNAL, never a hang), and
    after a restart the state is what the acknowledged calls imply, every answered call has its
    record (bar refusals, and in async mode bar the records iamd counted as lost), and every
    identity event has its call's record."""
    durable = durability == "sync"
    server = IamdProcess(space.root / "data", tmp_path / "iamd.log", ("--audit-durability", durability))
    ledger = Ledger()
    stop = asyncio.Event()
    rng = random.Random()
    figures: dict[str, Any] = {"durability": durability}
    try:
        await server.start()
        await setup_policies(server)
        c = server.clients()
        writers = [Writer(server.clients(), ledger, f"chaos-full{w}", random.Random(rng.random()), stop)
                   for w in range(WRITERS)]
        tasks = [asyncio.create_task(w.run()) for w in writers]
        await asyncio.sleep(0.3)  # some load first
        answered_before_full = len(ledger.answered)
        figures.update(await asyncio.to_thread(space.exhaust, server))
        refusals_before = 0
        for _ in range(FULL_LOAD_CHECKS):  # stay full until the writers have met refusals
            await asyncio.sleep(0.2)
            refusals = sum(1 for a in ledger.answered if a.outcome.code == "ServiceUnavailable")
            if refusals >= 3 * WRITERS and refusals > refusals_before:
                break
            refusals_before = refusals
            if any(t.done() for t in tasks):
                break
        figures["answered_while_full"] = len(ledger.answered) - answered_before_full
        space.restore(server)
        resumed_from = len(ledger.answered)
        for _ in range(RESUME_ATTEMPTS):  # until writes are acknowledged again
            await asyncio.sleep(0.1)
            if any(a.outcome.ok and a.operation in ("CreateUser", "AttachPolicy", "PutInlinePolicy",
                                                    "CreateAccessKey") for a in ledger.answered[resumed_from:]):
                break
            if any(t.done() for t in tasks):
                break
        else:
            raise AssertionError("writes were not acknowledged again after space returned")
        await asyncio.sleep(0.3)  # some load after
        stop.set()
        await asyncio.gather(*tasks)  # a writer's assertion (INTERNAL, a wrong decision) fails here
        assert ledger.in_doubt == 0, f"{ledger.in_doubt} calls got no answer while the disk was full"
        codes: dict[str, int] = {}
        for a in ledger.answered:
            codes[a.outcome.code or "OK"] = codes.get(a.outcome.code or "OK", 0) + 1
        figures["outcomes"] = codes
        assert set(codes) <= {"OK", "ServiceUnavailable", "EntityAlreadyExists"}, codes
        assert codes.get("ServiceUnavailable", 0) > 0, "the full disk refused nothing: the scenario tested nothing"
        status = await c.status()
        figures["audit_write_failures"] = lost = status.audit_write_failures
        assert durable or lost > 0, "async audit: records lost on the full disk were not counted"

        if durable:
            server.kill9()  # acknowledged means stored, whatever happens to the process
        else:
            assert await server.stop() == 0  # async: the graceful stop commits the queued records
        await server.close_channels()
        await server.start()
        c = server.clients()
        figures.update(await verify_state(c, ledger))
        figures["keys_signing"] = await verify_keys_sign(server, ledger, rng)
        replay = await c.audit.CheckReplay(audit_pb2.CheckReplayRequest(), timeout=120)
        assert replay.equal, f"replay differs after the disk-full spell: {list(replay.differences)[:10]}"
        users = [u.user.user_name for u in (await c.iam.GetAccountAuthorizationDetails(
            ipb.GetAccountAuthorizationDetailsRequest(filter=[pb.ENTITY_KIND_USER]), timeout=60)).user_detail_list]
        figures.update(await verify_audit(c, ledger, [u for u in users if u.startswith("chaos-")],
                                          refusals_may_lack_record=True, unstored_allowed=0 if durable else lost))
    except BaseException:
        print(f"iamd stderr tail:\n{server.stderr_tail()}")
        raise
    finally:
        stop.set()
        print(json.dumps(figures))
        await server.stop()


async def _log_on_full_disk(tmp_path: Path, space: Space, durability: str) -> list[tuple[str, Outcome]]:
    """iamd's stderr is a file on the same filesystem, as with `iamd 2>>/var/log/iamd.log` on a
    full /var: every call made while it is full, then after space returned."""
    if not isinstance(space, Tmpfs):
        pytest.skip("needs a real small filesystem for the log file too (RLIMIT_FSIZE would also cap the "
                    "test's own copy)")
    server = IamdProcess(space.root / "data", space.root / "iamd.log", ("--audit-durability", durability),
                         stderr_to_file=True)
    outcomes: list[tuple[str, Outcome]] = []
    try:
        await server.start()
        c = server.clients()
        for i in range(3):
            assert (await call(c.iam.CreateUser, _user(f"before-{i}"))).ok
        space.exhaust(server)
        for i in range(10):
            outcomes.append(("full CreateUser", await call(c.iam.CreateUser, _user(f"full-{i}"))))
            outcomes.append(("full GetUser", await call(c.iam.GetUser, ipb.GetUserRequest(user_name="before-0"))))
            outcomes.append(("full Authorize", await call(c.authz.Authorize, _authorize("before-0"))))
        space.restore(server)
        for i in range(RESUME_ATTEMPTS):
            outcome = await call(c.iam.CreateUser, _user(f"resume-{i}"))
            outcomes.append(("resuming CreateUser", outcome))
            if outcome.ok:
                break
            await asyncio.sleep(0.1)  # polling for recovery
        for i in range(3):
            outcomes.append(("after GetUser", await call(c.iam.GetUser, ipb.GetUserRequest(user_name="before-0"))))
            outcomes.append(("after Authorize", await call(c.authz.Authorize, _authorize("before-0"))))
            outcomes.append(("after status", await call(c.authz.GetProjectionStatus,
                                                        apb.GetProjectionStatusRequest())))
        assert server.process is not None and server.process.poll() is None, "iamd died with its log on a full disk"
    finally:
        print("\n".join(f"{what}: {o.status} {o.grpc_code.name} {o.code} {o.details[:80]}" for what, o in outcomes))
        await server.stop()
    return outcomes


@pytest.mark.parametrize("durability", ["sync", "async"])
async def test_log_on_the_full_disk_never_stalls_the_service(space: Space, tmp_path: Path, durability: str) -> None:
    """A log line that cannot be written must not stop the audit writer: when it did (its
    `audit_write_failed` line raised ENOSPC out of the writer task), every later Authorize and read
    in durable mode waited forever, even after space returned (fixed in service/audit/writer.py)."""
    outcomes = await _log_on_full_disk(tmp_path, space, durability)
    hung = [what for what, o in outcomes if o.grpc_code == grpc.StatusCode.DEADLINE_EXCEEDED]
    assert not hung, f"calls got no answer: {hung}"
    after = [(what, o) for what, o in outcomes if what.startswith("after")]
    assert after and all(o.ok for _, o in after), [(w, o.grpc_code.name, o.details) for w, o in after]


@pytest.mark.parametrize("durability", ["sync", "async"])
async def test_log_on_the_full_disk_still_answers_service_unavailable(space: Space, tmp_path: Path,
                                                                      durability: str) -> None:
    """With its log on the full disk too, iamd still refuses with ServiceUnavailable: the gateway's
    error-path log lines used to raise ENOSPC out of the handler, and grpc answered UNKNOWN
    "Unexpected <class 'OSError'>: [Errno 28] No space left on device"."""
    outcomes = await _log_on_full_disk(tmp_path, space, durability)
    for what, outcome in outcomes:
        if not outcome.ok:
            assert_unavailable(what, outcome)
