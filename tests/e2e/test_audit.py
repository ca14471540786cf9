"""Every call and every decision leaves exactly one CloudTrail-shaped record, secrets redacted."""

from __future__ import annotations

import grpc
import pytest

from iamd.client.credentials import Credentials
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import identity_pb2_grpc
from iamd.service.audit.record import HIDDEN
from iamd.service.eventstore.port import EventFilter

from iamd.service.audit.record import render
from iamd.service.rpc.gateway import MessageDecoder
from iamd.service.server import SERVICES

from .conftest import ACCOUNT, Iamd

pytestmark = pytest.mark.e2e
AUDIT = EventFilter(stream_prefixes=("audit-",))


async def records(iamd: Iamd) -> list[dict]:
    """Every audit record in the log, rendered as LookupEvents and export show it."""
    decode = MessageDecoder(SERVICES)
    await iamd.running.audit.flush()  # a command's record is committed just after its answer
    return [render(e.data, decode) async for e in iamd.running.store.read_all(filter=AUDIT)]


async def test_allowed_denied_and_failed_calls_are_each_recorded_once(iamd: Iamd) -> None:
    created = await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="alice"))
    key = (await iamd.iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="alice"))).access_key
    with pytest.raises(grpc.aio.AioRpcError):
        await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="ALICE"))
    alice = iamd.connect(Credentials(key.access_key_id, key.secret_access_key))
    with pytest.raises(grpc.aio.AioRpcError):
        await identity_pb2_grpc.IdentityServiceStub(alice).CreateUser(ipb.CreateUserRequest(user_name="eve"))
    await alice.close()
    await iamd.authz.Authorize(apb.AuthorizeRequest(principal_arn=f"arn:aws:iam::{ACCOUNT}:user/alice",
                                                    action="s3:GetObject", resource="arn:aws:s3:::b/k",
                                                    context={"aws:SourceIp": apb.ContextValue(values=["10.0.0.1"])}))

    log = await records(iamd)
    names = [r["eventName"] for r in log]
    assert names == ["CreateUser", "CreateAccessKey", "CreateUser", "CreateUser", "Authorize"]
    first, key_record, duplicate, refused, decision = log
    assert len({r["eventID"] for r in log}) == len(log) and len({r["requestID"] for r in log}) == len(log)

    assert first["userIdentity"]["type"] == "Root" and first["userIdentity"]["accountId"] == ACCOUNT
    assert first["eventSource"] == "iam.amazonaws.com" and first["readOnly"] is False
    assert first["requestParameters"] == {"userName": "alice"}
    assert first["responseElements"]["user"]["arn"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert first["resources"] == [{"ARN": f"arn:aws:iam::{ACCOUNT}:user/alice", "accountId": ACCOUNT,
                                   "type": "AWS::IAM::User"}]
    assert first["additionalEventData"]["logPosition"] == str(created.position)
    for field in ("eventVersion", "eventTime", "awsRegion", "sourceIPAddress", "userAgent", "eventType",
                  "managementEvent", "eventCategory", "recipientAccountId"):
        assert field in first

    # The secret of the new key is in no record.
    assert key_record["responseElements"]["accessKey"]["secretAccessKey"] == HIDDEN
    assert key.secret_access_key not in str(log)

    assert duplicate["errorCode"] == "EntityAlreadyExists" and duplicate["responseElements"] is None
    assert refused["errorCode"] == "AccessDenied"
    assert refused["userIdentity"]["type"] == "IAMUser" and refused["userIdentity"]["userName"] == "alice"
    assert refused["userIdentity"]["accessKeyId"] == key.access_key_id

    extra = decision["additionalEventData"]
    assert decision["readOnly"] is True and decision["eventSource"] == "iamd.amazonaws.com"
    assert extra["decision"] == "DECISION_IMPLICIT_DENY"
    assert extra["evaluatedAtPosition"] > 0
    assert extra["requestContext"]["aws:SourceIp"]["values"] == ["10.0.0.1"]


async def test_unauthenticated_calls_are_recorded_too(iamd: Iamd) -> None:
    anonymous = iamd.connect(None)
    with pytest.raises(grpc.aio.AioRpcError):
        await identity_pb2_grpc.IdentityServiceStub(anonymous).ListUsers(ipb.ListUsersRequest())
    await anonymous.close()
    [record] = await records(iamd)
    assert record["errorCode"] == "MissingAuthenticationToken"
    assert record["userIdentity"] == {"type": "Unknown"}


async def test_lookup_events_like_cloudtrail_and_more(iamd: Iamd) -> None:
    from iamd.v1 import audit_pb2, audit_pb2_grpc

    for name in ("u1", "u2", "u3"):
        await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name=name))
    with pytest.raises(grpc.aio.AioRpcError):
        await iamd.iam.DeleteUser(ipb.DeleteUserRequest(user_name="ghost"))
    await iamd.authz.Authorize(apb.AuthorizeRequest(principal_arn=f"arn:aws:iam::{ACCOUNT}:user/u1",
                                                    action="s3:GetObject", resource="*"))
    lookup = audit_pb2_grpc.AuditServiceStub(iamd.channel)

    by_name = await lookup.LookupEvents(audit_pb2.LookupEventsRequest(lookup_attributes=[
        audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value="CreateUser")]))
    assert [json_of(e)["requestParameters"]["userName"] for e in by_name.events] == ["u3", "u2", "u1"]
    assert by_name.events[0].username == "root" and by_name.events[0].resources[0].resource_type == "AWS::IAM::User"

    first = await lookup.LookupEvents(audit_pb2.LookupEventsRequest(max_results=2))
    assert len(first.events) == 2 and first.next_token
    rest = await lookup.LookupEvents(audit_pb2.LookupEventsRequest(max_results=2, next_token=first.next_token))
    seen = [e.event_id for e in first.events] + [e.event_id for e in rest.events]
    assert len(set(seen)) == 4
    with pytest.raises(grpc.aio.AioRpcError):
        await lookup.LookupEvents(audit_pb2.LookupEventsRequest(max_results=2, next_token=first.next_token,
                                                                error_code="AccessDenied"))
    with pytest.raises(grpc.aio.AioRpcError):
        await lookup.LookupEvents(audit_pb2.LookupEventsRequest(max_results=51))

    errors = await lookup.LookupEvents(audit_pb2.LookupEventsRequest(error_code="NoSuchEntity"))
    assert [e.event_name for e in errors.events] == ["DeleteUser"]
    decisions = await lookup.LookupEvents(audit_pb2.LookupEventsRequest(decision="DECISION_IMPLICIT_DENY"))
    assert [e.event_name for e in decisions.events] == ["Authorize"]
    both = await lookup.LookupEvents(audit_pb2.LookupEventsRequest(lookup_attributes=[
        audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value="CreateUser"),
        audit_pb2.LookupAttribute(attribute_key="ResourceName", attribute_value=f"arn:aws:iam::{ACCOUNT}:user/u2")]))
    assert len(both.events) == 1


def json_of(event) -> dict:
    import json

    return json.loads(event.cloud_trail_event)


async def _group_without_record(server: Iamd, name: str, request_id: str) -> None:
    """What a call leaves when its record is lost after its events committed: a CreateGroup's
    event, carrying the call's facts, and no record."""
    from iamd.service.eventstore.port import NewEvent, StreamState

    await server.running.store.append(f"group-{ACCOUNT}-{name}", [NewEvent("GroupCreated", {
        "name": name, "id": f"AGPA{name.upper()}", "arn": f"arn:aws:iam::{ACCOUNT}:group/{name}", "path": "/",
        "created_at": "2026-11-23T00:00:00Z"}, {"request_id": request_id, "operation": "CreateGroup",
                                                  "actor": f"arn:aws:iam::{ACCOUNT}:root", "source_ip": "10.9.9.9",
                                                  "time": "2026-11-23T00:00:00Z"})], StreamState.NO_STREAM)


async def test_a_call_whose_record_was_lost_in_a_crash_gets_one_at_restart(tmp_path) -> None:
    from .conftest import start_iamd, stop_iamd

    server = await start_iamd(tmp_path / "d")
    # What a crash between a command's events and its record leaves: the events, no record.
    await _group_without_record(server, "orphans", "req-lost")
    await stop_iamd(server)
    restarted = await start_iamd(tmp_path / "d")
    try:
        rebuilt = [r for r in await records(restarted) if r["requestID"] == "req-lost"]
        assert len(rebuilt) == 1
        assert rebuilt[0]["eventName"] == "CreateGroup" and rebuilt[0]["addendum"]["reason"] == "SERVICE_OUTAGE"
        assert rebuilt[0]["sourceIPAddress"] == "10.9.9.9"
    finally:
        await stop_iamd(restarted)
    again = await start_iamd(tmp_path / "d")  # idempotent: one record, not one per restart
    try:
        assert len([r for r in await records(again) if r["requestID"] == "req-lost"]) == 1
    finally:
        await stop_iamd(again)


async def test_a_command_s_events_carry_its_audit_fact_and_a_lost_record_comes_back_whole(tmp_path) -> None:
    """The record's facts commit with the command's events; if the process dies before the record
    itself is stored, the restart rebuilds it from them: same event id, the request included."""
    import sqlite3

    from .conftest import start_iamd, stop_iamd

    server = await start_iamd(tmp_path / "d")
    await server.iam.CreateUser(ipb.CreateUserRequest(user_name="carried", path="/team/"))
    [event] = [e async for e in server.running.store.read_all() if e.type == "UserCreated"]
    carried = event.metadata["audit"]
    [record] = [r for r in await records(server) if r["eventName"] == "CreateUser"]
    assert carried["eventID"] == record["eventID"] and carried["userIdentity"]["type"] == "Root"
    assert "secret" not in str(carried).lower()
    await stop_iamd(server)
    # What a crash right after the answer leaves: the events, and no record (nor the final digest
    # of a graceful stop, which vouches that no record is missing).
    db = sqlite3.connect(tmp_path / "d" / "events.db")
    db.execute("DELETE FROM events WHERE stream LIKE 'audit-%' AND json_extract(data, '$.eventID') = ?",
               (record["eventID"],))
    db.execute("DELETE FROM events WHERE position = (SELECT MAX(position) FROM events) AND type = 'AuditDigest'")
    db.commit()
    db.close()
    restarted = await start_iamd(tmp_path / "d")
    try:
        [rebuilt] = [r for r in await records(restarted) if r["requestID"] == record["requestID"]]
        assert rebuilt["eventID"] == record["eventID"] and rebuilt["addendum"]["reason"] == "SERVICE_OUTAGE"
        assert rebuilt["requestParameters"] == {"userName": "carried", "path": "/team/"}
        assert rebuilt["userIdentity"] == record["userIdentity"]
    finally:
        await stop_iamd(restarted)


async def test_a_graceful_stop_rebuilds_what_is_missing_and_its_final_digest_vouches_for_it(tmp_path,
                                                                                          monkeypatch) -> None:
    """A call whose events committed and whose record did not (cancelled mid-call) gets its record
    at a graceful stop, before the final digest, which then says no record is missing: the next
    start reads nothing back. A log that ends otherwise (a crash) is recovered at start."""
    from iamd.service.audit.recovery import RECORDS_COMPLETE, stopped_complete

    from .conftest import start_iamd, stop_iamd

    server = await start_iamd(tmp_path / "d")
    await _group_without_record(server, "cancelled", "req-cancelled")
    store = server.running.store
    await stop_iamd(server)
    import iamd.service.server as composition

    recovered_at_start: list[object] = []
    recover = composition.recover_missing_records

    async def watched(*args: object) -> object:
        recovered_at_start.append(args)
        return await recover(*args)

    monkeypatch.setattr(composition, "recover_missing_records", watched)
    restarted = await start_iamd(tmp_path / "d")
    assert recovered_at_start == []  # the final digest vouched: nothing read back at start
    try:
        assert [r["eventName"] for r in await records(restarted) if r["requestID"] == "req-cancelled"] == ["CreateGroup"]
        [start_digest] = [e async for e in restarted.running.store.read_all_backwards(limit=1)]
        assert start_digest.data["digest"]["digestReason"] == "start"  # the start wrote one after the final
        assert not await stopped_complete(restarted.running.store)
    finally:
        await stop_iamd(restarted)
    del store
    from iamd.service.domain.events import UPCASTERS
    from iamd.service.eventstore import EventCodec, open_event_store

    reopened = open_event_store(f"sqlite:///{tmp_path / 'd' / 'events.db'}", EventCodec(UPCASTERS))
    try:
        [final] = [e async for e in reopened.read_all_backwards(limit=1)]
        assert final.data["digest"]["digestReason"] == "final" and final.data["digest"][RECORDS_COMPLETE] is True
        assert await stopped_complete(reopened)
    finally:
        await reopened.close()
