"""Tamper with the SQLite file directly, in each way, and `audit validate` names exactly that."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

import grpc
import pytest

from iamd.client.credentials import Credentials
from iamd.v1 import audit_pb2, audit_pb2_grpc
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import identity_pb2_grpc

from .conftest import ACCOUNT, Iamd, start_iamd, stop_iamd

pytestmark = pytest.mark.e2e


async def _mixed_calls(iamd: Iamd) -> None:
    for name in ("ann", "ben", "cid", "dee"):
        await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name=name))
    key = (await iamd.iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="ann"))).access_key
    ann = iamd.connect(Credentials(key.access_key_id, key.secret_access_key))
    with pytest.raises(grpc.aio.AioRpcError):
        await identity_pb2_grpc.IdentityServiceStub(ann).DeleteUser(ipb.DeleteUserRequest(user_name="ben"))
    await ann.close()
    with pytest.raises(grpc.aio.AioRpcError):
        await iamd.iam.GetUser(ipb.GetUserRequest(user_name="nobody"))
    await iamd.authz.Authorize(apb.AuthorizeRequest(principal_arn=f"arn:aws:iam::{ACCOUNT}:user/ann",
                                                    action="s3:GetObject", resource="*"))


def _audit_rows(db: sqlite3.Connection) -> list[tuple[int, str, str, int, dict]]:
    rows = db.execute("SELECT position, id, stream, version, data FROM events WHERE stream LIKE 'audit-%' "
                      "ORDER BY position").fetchall()
    return [(p, i, s, v, json.loads(d)) for p, i, s, v, d in rows]


def _hour_earlier(event_time: str) -> str:
    from datetime import datetime, timedelta

    moment = datetime.fromisoformat(event_time.replace("Z", "+00:00")) - timedelta(hours=1)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


async def _validate(data_dir: Path) -> audit_pb2.ValidateAuditTrailResponse:
    server = await start_iamd(data_dir)
    try:
        return await audit_pb2_grpc.AuditServiceStub(server.channel).ValidateAuditTrail(
            audit_pb2.ValidateAuditTrailRequest())
    finally:
        await stop_iamd(server)


async def test_modified_deleted_and_inserted_records_are_each_named(tmp_path: Path) -> None:
    data_dir = tmp_path / "d"
    first = await start_iamd(data_dir)
    await _mixed_calls(first)
    await stop_iamd(first)  # the last digest covers every record

    clean = await _validate(data_dir)
    assert clean.valid and clean.valid_digests >= 1 and clean.valid_records >= 8
    assert not (clean.modified_event_ids or clean.deleted_event_ids or clean.inserted_event_ids)

    db = sqlite3.connect(data_dir / "events.db")
    rows = _audit_rows(db)
    covered = [r for r in rows if r[4]["eventName"] in ("CreateUser", "DeleteUser", "GetUser")]
    modified, deleted = covered[1], covered[2]
    tampered = dict(modified[4], sourceIPAddress="203.0.113.9")  # hide where a call came from
    db.execute("UPDATE events SET data = ? WHERE position = ?", (json.dumps(tampered).encode(), modified[0]))
    db.execute("DELETE FROM events WHERE position = ?", (deleted[0],))
    forged_id = str(uuid.uuid4())
    # A record slipped in after the fact, dated an hour back: a call that "happened" earlier.
    forged = dict(covered[0][4], eventID=forged_id, eventName="DeleteUser", requestID=str(uuid.uuid4()),
                  eventTime=_hour_earlier(covered[0][4]["eventTime"]))
    version = db.execute("SELECT MAX(version) FROM events WHERE stream = ?", (covered[0][2],)).fetchone()[0] + 1
    db.execute("INSERT INTO events (id, stream, version, type, schema_version, data, metadata, recorded_at) "
               "VALUES (?, ?, ?, 'AuditRecord', 1, ?, ?, 0)",
               (forged_id, covered[0][2], version, json.dumps(forged).encode(), b"{}"))
    db.commit()
    db.close()

    report = await _validate(data_dir)
    assert not report.valid
    assert list(report.modified_event_ids) == [modified[4]["eventID"]]
    assert list(report.deleted_event_ids) == [deleted[4]["eventID"]]
    assert list(report.inserted_event_ids) == [forged_id]
    assert not report.invalid_digest_ids and not report.missing_digest_ids


async def test_a_tampered_or_deleted_digest_is_caught(tmp_path: Path) -> None:
    data_dir = tmp_path / "d"
    server = await start_iamd(data_dir)
    audit = audit_pb2_grpc.AuditServiceStub(server.channel)
    await _mixed_calls(server)
    first = await audit.CreateDigest(audit_pb2.CreateDigestRequest())
    await server.iam.CreateUser(ipb.CreateUserRequest(user_name="eve"))
    second = await audit.CreateDigest(audit_pb2.CreateDigestRequest())
    await server.iam.CreateUser(ipb.CreateUserRequest(user_name="fay"))
    await stop_iamd(server)

    db = sqlite3.connect(data_dir / "events.db")
    rows = db.execute("SELECT position, data FROM events WHERE stream = 'auditdigest-chain' ORDER BY version").fetchall()
    by_id = {json.loads(d)["digest"]["digestId"]: (p, json.loads(d)) for p, d in rows}
    position, entry = by_id[first.digest_id]
    entry["digest"]["records"] = entry["digest"]["records"][1:]  # pretend a record never existed
    db.execute("UPDATE events SET data = ? WHERE position = ?", (json.dumps(entry).encode(), position))
    db.commit()
    report = await _validate(data_dir)
    assert list(report.invalid_digest_ids) == [first.digest_id]
    assert not report.inserted_event_ids  # its records are unproven, not inserted: the digest is the problem

    db.execute("DELETE FROM events WHERE position = ?", (by_id[second.digest_id][0],))
    db.commit()
    db.close()
    report = await _validate(data_dir)
    assert second.digest_id in report.missing_digest_ids
    assert report.status == "INVALID" and len(report.overdue_event_ids) >= 1  # eve's: in no digest's range now
