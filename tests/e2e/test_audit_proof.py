"""The audit proof holds against what issue 11 found: each hole, tampered on the real SQLite file of
a real server, is named by `iamctl audit validate`, which then exits non-zero."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import sqlite3
import uuid
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from iamd.client import cli
from iamd.v1 import audit_pb2, audit_pb2_grpc
from iamd.v1 import identity_pb2 as ipb
from iamd.service.audit.digest import REASON_CADENCE, SigningKey, build_digest, canonical, validate
from iamd.service.audit.digester import witness_path

from .conftest import Iamd, start_iamd, stop_iamd

pytestmark = pytest.mark.e2e

DIGESTS = "auditdigest-chain"


async def iamctl(target: str, *argv: str) -> tuple[int, dict, str]:
    """iamctl in a thread (its client is synchronous; the server runs on this loop): exit code,
    the JSON it printed, what it said on stderr."""

    def run() -> tuple[int, dict, str]:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = cli.main(["--endpoint", target, *argv])
        return code, json.loads(out.getvalue()) if out.getvalue().strip() else {}, err.getvalue()

    return await asyncio.to_thread(run)


@pytest.fixture(autouse=True)
def _root_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(tmp_path / "d" / "root-credentials"))
    for var in ("IAMD_ACCESS_KEY_ID", "IAMD_SECRET_ACCESS_KEY", "IAMD_SESSION_TOKEN", "IAMD_PROFILE"):
        monkeypatch.delenv(var, raising=False)


async def first_start(tmp_path: Path) -> tuple[Iamd, Path]:
    """A server on a fresh data dir, and the auditor's copy of its digest public key (pinned)."""
    server = await start_iamd(tmp_path / "d")
    pinned = tmp_path / "pinned.pem"
    shutil.copy(tmp_path / "d" / "keys" / "audit-digest.pub.pem", pinned)
    return server, pinned


async def some_calls(server: Iamd, *names: str) -> None:
    for name in names:
        await server.iam.CreateUser(ipb.CreateUserRequest(user_name=name))


async def create_digest(server: Iamd) -> audit_pb2.CreateDigestResponse:
    return await audit_pb2_grpc.AuditServiceStub(server.channel).CreateDigest(audit_pb2.CreateDigestRequest())


def db(server_or_dir: Iamd | Path) -> sqlite3.Connection:
    data_dir = server_or_dir.data_dir if isinstance(server_or_dir, Iamd) else server_or_dir
    return sqlite3.connect(data_dir / "events.db", timeout=10)


def chain(conn: sqlite3.Connection) -> list[tuple[int, dict]]:
    rows = conn.execute("SELECT position, data FROM events WHERE stream = ? ORDER BY version", (DIGESTS,)).fetchall()
    return [(p, json.loads(d)) for p, d in rows]


def audit_rows(conn: sqlite3.Connection) -> list[tuple[int, str, dict]]:
    rows = conn.execute("SELECT position, stream, data FROM events WHERE stream LIKE 'audit-%' ORDER BY position")
    return [(p, s, json.loads(d)) for p, s, d in rows.fetchall()]


def insert_record(conn: sqlite3.Connection, like: dict, stream: str, event_time: str) -> str:
    """What an attacker with the file slips in: a record of a call that never happened."""
    forged_id = str(uuid.uuid4())
    forged = dict(like, eventID=forged_id, requestID=str(uuid.uuid4()), eventName="DeleteUser", eventTime=event_time)
    version = conn.execute("SELECT MAX(version) FROM events WHERE stream = ?", (stream,)).fetchone()[0] + 1
    conn.execute("INSERT INTO events (id, stream, version, type, schema_version, data, metadata, recorded_at) "
                 "VALUES (?, ?, ?, 'AuditRecord', 1, ?, ?, 0)",
                 (forged_id, stream, version, json.dumps(forged).encode(), b"{}"))
    conn.commit()
    return forged_id


def shifted(t: str, seconds: float) -> str:
    moment = datetime.fromisoformat(t.replace("Z", "+00:00")) + timedelta(seconds=seconds)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_a_clean_trail_validates_against_the_pinned_key_and_exits_0(tmp_path: Path) -> None:
    server, pinned = await first_start(tmp_path)
    try:
        await some_calls(server, "ann", "ben")
        await create_digest(server)
        code, out, err = await iamctl(server.target, "audit", "validate", "--public-key", str(pinned))
        assert (code, out["Status"], out["Valid"], out["KeyPinned"]) == (0, "VALID", True, True), out
        assert out["ValidRecords"] >= 2 and not out["Problems"]
        code, out, err = await iamctl(server.target, "audit", "validate")  # the server's own key: said so
        assert (code, out["Status"], out["KeyPinned"]) == (0, "VALID", False) and "pin" in out["Notes"][-1]
        key = await audit_pb2_grpc.AuditServiceStub(server.channel).GetDigestPublicKey(
            audit_pb2.GetDigestPublicKeyRequest())
        assert key.public_key_pem == pinned.read_text() and key.digest_interval_seconds == 3600
    finally:
        await stop_iamd(server)


async def test_deleting_the_last_digest_is_a_truncated_tail(tmp_path: Path) -> None:
    server, pinned = await first_start(tmp_path)
    await some_calls(server, "ann", "ben")
    await stop_iamd(server)  # the final digest covers both calls
    conn = db(tmp_path / "d")
    position, final = chain(conn)[-1]
    assert final["digest"]["digestReason"] == "final"
    conn.execute("DELETE FROM events WHERE position = ?", (position,))
    conn.commit()
    conn.close()

    server = await start_iamd(tmp_path / "d")
    try:
        code, out, _ = await iamctl(server.target, "audit", "validate", "--public-key", str(pinned))
        assert (code, out["Status"]) == (1, "INVALID")
        assert final["digest"]["digestId"] in out["MissingDigestIds"]
        assert any("truncated" in p for p in out["Problems"]), out["Problems"]
    finally:
        await stop_iamd(server)
    server = await start_iamd(tmp_path / "d")  # and it stays named: the start digest recorded it, signed
    try:
        code, out, _ = await iamctl(server.target, "audit", "validate", "--public-key", str(pinned))
        assert code == 1 and final["digest"]["digestId"] in out["MissingDigestIds"]
    finally:
        await stop_iamd(server)


async def test_deleting_the_last_digest_with_its_records_is_a_truncated_tail(tmp_path: Path) -> None:
    server, pinned = await first_start(tmp_path)
    await some_calls(server, "ann")
    await create_digest(server)
    await some_calls(server, "ben", "cid", "dee")
    await stop_iamd(server)
    conn = db(tmp_path / "d")
    position, final = chain(conn)[-1]
    low, high = final["digest"]["digestStartPosition"], final["digest"]["digestEndPosition"]
    gone = conn.execute("DELETE FROM events WHERE stream LIKE 'audit-%' AND position > ? AND position <= ?",
                        (low, high)).rowcount
    conn.execute("DELETE FROM events WHERE position = ?", (position,))
    conn.commit()
    conn.close()
    assert gone >= 3

    server = await start_iamd(tmp_path / "d")
    try:
        code, out, _ = await iamctl(server.target, "audit", "validate", "--public-key", str(pinned))
        assert (code, out["Status"]) == (1, "INVALID")
        assert final["digest"]["digestId"] in out["MissingDigestIds"]
    finally:
        await stop_iamd(server)


async def test_records_removed_after_the_last_digest_are_named(tmp_path: Path) -> None:
    server, pinned = await first_start(tmp_path)
    try:
        await create_digest(server)
        await some_calls(server, "ann", "ben")
        # Their records are committed just after the answers, and the digester is told of each
        # commit: waited for (the audit writer's queue drained), not assumed after a pause.
        await server.running.audit.flush()
        conn = db(server)
        last_end = chain(conn)[-1][1]["digest"]["digestEndPosition"]
        doomed = [(p, r["eventID"]) for p, _, r in audit_rows(conn) if p > last_end and r["eventName"] == "CreateUser"]
        conn.execute(f"DELETE FROM events WHERE position IN ({','.join(str(p) for p, _ in doomed)})")
        conn.commit()
        conn.close()
        assert len(doomed) == 2

        code, out, _ = await iamctl(server.target, "audit", "validate")  # at once, on the server
        assert (code, out["Status"]) == (1, "INVALID")
        assert {f"position:{p}" for p, _ in doomed} <= set(out["DeletedEventIds"])
        code, out, _ = await iamctl(server.target, "audit", "validate", "--public-key", str(pinned))  # and here
        assert code == 1 and {f"position:{p}" for p, _ in doomed} <= set(out["DeletedEventIds"])
        await create_digest(server)  # and signed into the chain by the next digest
        code, out, _ = await iamctl(server.target, "audit", "validate", "--public-key", str(pinned))
        assert code == 1 and {f"position:{p}" for p, _ in doomed} <= set(out["DeletedEventIds"])
    finally:
        await stop_iamd(server)


async def test_a_record_backdated_by_under_a_minute_is_named(tmp_path: Path) -> None:
    server, pinned = await first_start(tmp_path)
    try:
        await some_calls(server, "ann")
        await create_digest(server)
        conn = db(server)
        cut = chain(conn)[-1][1]["digest"]["digestEndTime"]
        _, stream, like = audit_rows(conn)[-1]
        forged = insert_record(conn, like, stream, shifted(cut, -20))  # 20 s before the digest was cut
        conn.close()
        code, out, _ = await iamctl(server.target, "audit", "validate", "--public-key", str(pinned))
        assert (code, out["Status"]) == (1, "INVALID")
        assert out["BackdatedEventIds"] == [forged] and forged in out["InsertedEventIds"]
    finally:
        await stop_iamd(server)

    # Slipped in while iamd was stopped: the next start digest covers it, and it is still named.
    conn = db(tmp_path / "d")
    cut = chain(conn)[-1][1]["digest"]["digestEndTime"]
    _, stream, like = audit_rows(conn)[-1]
    later = insert_record(conn, like, stream, shifted(cut, -5))
    conn.close()
    server = await start_iamd(tmp_path / "d")
    try:
        code, out, _ = await iamctl(server.target, "audit", "validate", "--public-key", str(pinned))
        assert code == 1 and set(out["BackdatedEventIds"]) == {forged, later}
    finally:
        await stop_iamd(server)


async def test_a_chain_re_signed_with_a_replaced_key_fails_against_the_pinned_key(tmp_path: Path) -> None:
    server, pinned = await first_start(tmp_path)
    await some_calls(server, "ann", "ben")
    await stop_iamd(server)

    # The attacker replaces the key file and re-signs the whole chain, links included.
    key_file = tmp_path / "d" / "keys" / "audit-digest.pem"
    key_file.unlink()
    stranger = SigningKey.load_or_create(key_file)
    conn = db(tmp_path / "d")
    previous = None
    for position, entry in chain(conn):
        digest = dict(entry["digest"], digestPublicKeyFingerprint=stranger.fingerprint,
                      digestPublicKey=stranger.public_pem)
        if previous is not None:
            import hashlib

            digest["previousDigestHashValue"] = hashlib.sha256(canonical(previous["digest"])).hexdigest()
            digest["previousDigestSignature"] = previous["signature"]
        previous = {"digest": digest, "signature": stranger.sign(digest)}
        conn.execute("UPDATE events SET data = ? WHERE position = ?", (json.dumps(previous).encode(), position))
    conn.commit()
    conn.close()

    server = await start_iamd(tmp_path / "d")
    try:
        code, out, _ = await iamctl(server.target, "audit", "validate")
        assert code == 0  # the server's own key vouches for anything it signed: why the auditor pins
        code, out, _ = await iamctl(server.target, "audit", "validate", "--public-key", str(pinned))
        assert (code, out["Status"]) == (1, "INVALID") and out["InvalidDigestIds"]
        assert any(stranger.fingerprint in p for p in out["Problems"])
        server_side = await audit_pb2_grpc.AuditServiceStub(server.channel).ValidateAuditTrail(
            audit_pb2.ValidateAuditTrailRequest(public_key_pem=pinned.read_text()))
        assert not server_side.valid and server_side.key_pinned
    finally:
        await stop_iamd(server)


async def test_a_rotated_key_is_vouched_for_by_the_old_one_and_a_stranger_is_not(tmp_path: Path) -> None:
    from iamd.service.__main__ import main as iamd_main

    server, pinned = await first_start(tmp_path)
    await some_calls(server, "ann")
    await stop_iamd(server)
    assert await asyncio.to_thread(iamd_main, ["rotate-digest-key", "--data-dir", str(tmp_path / "d")]) == 0
    new_public = (tmp_path / "d" / "keys" / "audit-digest.pub.pem").read_text()
    assert new_public != pinned.read_text()

    server = await start_iamd(tmp_path / "d")
    try:
        await some_calls(server, "ben")
        await create_digest(server)
        code, out, _ = await iamctl(server.target, "audit", "validate", "--public-key", str(pinned))
        assert (code, out["Status"]) == (0, "VALID"), out["Problems"]
        assert len(out["TrustedKeyFingerprints"]) == 2
        new_pin = tmp_path / "new.pem"  # pinned to the new key, the old era validates too
        new_pin.write_text(new_public)
        code, out, _ = await iamctl(server.target, "audit", "validate", "--public-key", str(new_pin))
        assert code == 0, out["Problems"]
    finally:
        await stop_iamd(server)

    # A stranger's key put in place without the old key's endorsement is not trusted.
    key_file = tmp_path / "d" / "keys" / "audit-digest.pem"
    key_file.unlink()
    (tmp_path / "d" / "keys" / "audit-digest.pub.pem").unlink()
    server = await start_iamd(tmp_path / "d")
    try:
        await some_calls(server, "cid")
        code, out, _ = await iamctl(server.target, "audit", "validate", "--public-key", str(pinned))
        assert (code, out["Status"]) == (1, "INVALID")
        assert any("without the old key's endorsement" in p or "do not vouch" in p for p in out["Problems"])
    finally:
        await stop_iamd(server)


async def _cadence_digest_written(server: Iamd, guard: float = 30.0) -> None:
    """Poll the chain until the digester has written a digest at its cadence; `guard` only keeps a
    digester that never writes one from hanging the test (nothing is timed)."""
    deadline = asyncio.get_running_loop().time() + guard
    while True:
        conn = db(server)
        try:
            reasons = [d["digest"]["digestReason"] for _, d in chain(conn)]
        finally:
            conn.close()
        if REASON_CADENCE in reasons:
            return
        assert asyncio.get_running_loop().time() < deadline, f"no cadence digest after {guard:g} s: {reasons}"
        await asyncio.sleep(0.1)


async def test_digests_are_expected_at_their_cadence(tmp_path: Path) -> None:
    server = await start_iamd(tmp_path / "d", digest_interval=4.0)  # margin: 2 s
    pinned = tmp_path / "d" / "keys" / "audit-digest.pub.pem"
    try:
        await some_calls(server, "ann")
        await _cadence_digest_written(server)  # cut at 4 s, written a second later (unless the machine is slow)
        code, out, _ = await iamctl(server.target, "audit", "validate", "--public-key", str(pinned))
        assert (code, out["Status"]) == (0, "VALID"), out["Problems"]
        assert out["ValidDigests"] >= 2 and out["DigestIntervalSeconds"] == 4

        digester = server.running.digester  # digests stop coming (what deleting each new one looks like)
        digester._task.cancel()
        await some_calls(server, "ben")
        await asyncio.sleep(7.5)  # more than an interval and its margin, at whole seconds
        code, out, _ = await iamctl(server.target, "audit", "validate", "--public-key", str(pinned))
        assert (code, out["Status"]) == (1, "INVALID")
        assert out["OverdueEventIds"], out["Problems"]
        assert any("more than one interval" in p for p in out["Problems"])

        await create_digest(server)  # covering them late leaves the gap in the chain, named
        code, out, _ = await iamctl(server.target, "audit", "validate", "--public-key", str(pinned))
        assert code == 1 and any("digests are missing" in p for p in out["Problems"])
        assert not out.get("OverdueEventIds")
    finally:
        await stop_iamd(server)


async def test_no_digest_yet_is_said_as_such(tmp_path: Path) -> None:
    key = SigningKey.generate()
    report = validate([], [], [key.public_pem])
    assert report.status == "NO_DIGEST" and not report.ok and report.problems == ["no digest yet: nothing is covered"]

    server, pinned = await first_start(tmp_path)
    try:
        await some_calls(server, "ann")
        conn = db(server)
        conn.execute("DELETE FROM events WHERE stream = ?", (DIGESTS,))  # every digest, the start one included
        conn.commit()
        conn.close()
        code, out, _ = await iamctl(server.target, "audit", "validate", "--public-key", str(pinned))
        assert (code, out["Status"], out["Valid"]) == (1, "NO_DIGEST", False)
        assert out["Problems"][0].startswith("no digest yet") and any("removed" in p for p in out["Problems"])
    finally:
        await stop_iamd(server)


async def test_an_export_validates_offline_with_only_the_public_key(tmp_path: Path) -> None:
    server, pinned = await first_start(tmp_path)
    await some_calls(server, "ann", "ben")
    await create_digest(server)
    await some_calls(server, "cid")
    export = tmp_path / "trail"
    code, out, err = await iamctl(server.target, "audit", "export", "--start-time", "2000-01-01T00:00:00Z",
                                  "--end-time", "2100-01-01T00:00:00Z", "--output-dir", str(export))
    assert code == 0, err
    assert out["DigestFiles"] and out["Records"] >= 3
    await stop_iamd(server)  # no server from here on

    offline = ("--endpoint", "127.0.0.1:1")
    code, report, _ = await iamctl(offline[1], "audit", "validate", "--export", str(export),
                                   "--public-key", str(pinned))
    assert (code, report["Status"]) == (0, "VALID"), report["Problems"]
    assert report["ValidRecords"] >= 2
    code, _, err = await iamctl(offline[1], "audit", "validate", "--export", str(export))
    assert code == 252 and "--public-key" in err

    stranger = tmp_path / "stranger.pem"
    stranger.write_text(SigningKey.generate().public_pem)
    code, report, _ = await iamctl(offline[1], "audit", "validate", "--export", str(export),
                                   "--public-key", str(stranger))
    assert code == 1 and report["InvalidDigestIds"]

    log_file = Path(out["Files"][0])
    content = json.loads(log_file.read_text())
    # CloudTrail's shape for readers; the records as stored (what the digests hash) beside them.
    assert content["Records"][0]["eventVersion"] and "userIdentity" in content["Records"][0]
    assert [r["eventID"] for r in content["iamdStoredRecords"]] == [r["eventID"] for r in content["Records"]]
    content["Records"][0]["sourceIPAddress"] = "203.0.113.9"
    log_file.write_text(json.dumps(content))
    code, report, _ = await iamctl(offline[1], "audit", "validate", "--export", str(export),
                                   "--public-key", str(pinned))
    assert code == 1 and report["ModifiedEventIds"] == [content["Records"][0]["eventID"]]

    Path(out["DigestFiles"][-1]).unlink()
    code, report, _ = await iamctl(offline[1], "audit", "validate", "--export", str(export),
                                   "--public-key", str(pinned))
    assert code == 1 and report["MissingDigestIds"]


def test_an_endorsement_binds_the_new_key_to_the_old_one() -> None:
    """Unit: a rotation digest whose endorsement was made by another key does not carry trust."""
    old, new, stranger = SigningKey.generate(), SigningKey.generate(), SigningKey.generate()
    first = build_digest(digest_id="d1", created_at="2026-12-01T00:00:00Z", start_position=0, end_position=1,
                         records=[], previous=None, key=old, interval=3600, reason="start")
    e1 = {"digest": first, "signature": old.sign(first)}
    honest = build_digest(digest_id="d2", created_at="2026-12-01T00:30:00Z", start_position=1, end_position=2,
                          records=[], previous=e1, key=new, interval=3600, reason="rotate", previous_key=old)
    forged = build_digest(digest_id="d2", created_at="2026-12-01T00:30:00Z", start_position=1, end_position=2,
                          records=[], previous=e1, key=new, interval=3600, reason="rotate", previous_key=stranger)
    forged["previousDigestPublicKey"] = old.public_pem  # claims the old key endorsed it
    ok = validate([], [e1, {"digest": honest, "signature": new.sign(honest)}], [old.public_pem])
    assert ok.ok, ok.problems
    bad = validate([], [e1, {"digest": forged, "signature": new.sign(forged)}], [old.public_pem])
    assert not bad.ok and bad.digests_invalid == ["d2"]
    assert witness_path(Path("/k/audit-digest.pem")) == Path("/k/audit-digest.head.json")
