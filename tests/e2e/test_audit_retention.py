"""Audit retention end to end: a real server on loopback writes records and digests, `iamd
archive-audit` (a process of its own, the server stopped) archives the old hours, the archive
validates offline with nothing but the pinned key, the restarted server's live trail validates
across the archived gap, and the identity state is exactly what it was."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from iamd.projections.identity import IDENTITY_STREAMS
from iamd.service.audit.retention import RETENTION_STREAM
from iamd.v1 import identity_pb2_grpc
from iamd.v1 import identity_pb2 as ipb

from .conftest import OffsetClock, start_iamd, stop_iamd
from .test_audit_proof import iamctl

pytestmark = pytest.mark.e2e

DAY = 86_400.0  # digests a day apart at most: the test's three hours are one cadence


@pytest.fixture(autouse=True)
def _root_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(tmp_path / "d" / "root-credentials"))
    for var in ("IAMD_ACCESS_KEY_ID", "IAMD_SECRET_ACCESS_KEY", "IAMD_SESSION_TOKEN", "IAMD_PROFILE"):
        monkeypatch.delenv(var, raising=False)


async def identity_state(server) -> tuple[list, list]:
    events = [(e.stream, e.version, e.position, e.type)
              async for e in server.running.store.read_all(filter=IDENTITY_STREAMS)]
    users = sorted(u.user_name for u in (await server.iam.ListUsers(ipb.ListUsersRequest())).users)
    return events, users


async def test_old_hours_are_archived_and_both_the_archive_and_the_live_trail_validate(tmp_path: Path) -> None:
    data = tmp_path / "d"
    clock = OffsetClock()
    clock.offset = -3 * 3600.0  # the server lives three hours ago: its records are old enough
    server = await start_iamd(data, clock=clock, digest_interval=DAY)
    pinned = tmp_path / "pinned.pem"
    shutil.copy(data / "keys" / "audit-digest.pub.pem", pinned)
    channel = server.connect(server.root)  # signed on the server's clock
    try:
        iam = identity_pb2_grpc.IdentityServiceStub(channel)
        for name in ("alice", "bob", "carol"):
            await iam.CreateUser(ipb.CreateUserRequest(user_name=name))
        # The cadence's digest (an RPC's would leave its own record of this hour for the next one).
        await server.running.digester.write_digest()
        clock.offset = 0.0
        # A read of the current hour: the log's newest identity events are now the archived hours'
        # calls, whose records a restart must not take for lost.
        await iam.ListUsers(ipb.ListUsersRequest())
        events_before, users_before = await identity_state(server)
    finally:
        await channel.close()
        await stop_iamd(server)
    assert users_before == ["alice", "bob", "carol"]

    done = subprocess.run(
        [sys.executable, "-m", "iamd.service", "archive-audit", "--older-than-hours", "1", "--data-dir", str(data),
         "--to", str(tmp_path / "archive"), "--digest-interval", str(DAY)],
        capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "IAMD_LOG_LEVEL": "error"})
    assert done.returncode == 0, done.stderr
    archived = json.loads(done.stdout)
    archive = Path(archived["location"])
    assert archive.parent == tmp_path / "archive" and archived["recordCount"] >= 3
    assert all(stream.startswith("audit-") for stream in archived["streams"])
    assert "secret" not in (archive / "manifest.json").read_text().lower()

    code, offline, _ = await iamctl("127.0.0.1:9", "audit", "validate", "--export", str(archive),
                                    "--public-key", str(pinned))
    assert (code, offline["Status"]) == (0, "VALID"), offline.get("Problems")
    assert offline["ValidRecords"] >= 3

    server = await start_iamd(data, digest_interval=DAY)
    try:
        assert await identity_state(server) == (events_before, users_before)
        for stream in archived["streams"]:
            assert await server.running.store.read_stream(stream) == []
        [statement] = await server.running.store.read_stream(RETENTION_STREAM)
        assert statement.data["sha256"] == archived["sha256"]
        rebuilt = [e async for e in server.running.store.read_all() if e.stream.startswith("audit-")
                   and "addendum" in e.data]
        assert rebuilt == []  # recovery took no archived call for one without a record
        code, live, _ = await iamctl(server.target, "audit", "validate", "--public-key", str(pinned))
        assert (code, live["Status"]) == (0, "VALID"), live.get("Problems")
        assert any("was archived" in note for note in live["Notes"])
    finally:
        await stop_iamd(server)
