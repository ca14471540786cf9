"""Audit review: LookupEvents paging and time travel against what the live service did."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from iamd.v1 import audit_pb2, audit_pb2_grpc
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import authorization_pb2_grpc as apb_grpc
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb

from .conftest import ACCOUNT, Iamd, start_iamd, stop_iamd
from .helpers import allow

pytestmark = pytest.mark.e2e


async def _all_pages(audit: audit_pb2_grpc.AuditServiceStub, size: int) -> list[str]:
    """Every mutating call's event id, newest first, read `size` at a time (the lookups' own records,
    written as the pages are read, are read-only and not asked for)."""
    ids: list[str] = []
    token = ""
    writes = [audit_pb2.LookupAttribute(attribute_key="ReadOnly", attribute_value="false")]
    while True:
        page = await audit.LookupEvents(audit_pb2.LookupEventsRequest(lookup_attributes=writes, max_results=size,
                                                                      next_token=token))
        ids += [e.event_id for e in page.events]
        token = page.next_token
        if not token:
            return ids


async def test_paging_returns_a_record_rebuilt_after_a_crash_once(tmp_path) -> None:
    """A record rebuilt at restart is dated when its call ran (before records already in the log)
    but lands at a later log position: paging newest first must still return it, exactly once."""
    from iamd.service.eventstore.port import NewEvent, StreamState

    server = await start_iamd(tmp_path / "d")
    for name in ("u1", "u2", "u3"):
        await server.iam.CreateUser(ipb.CreateUserRequest(user_name=name))
    # A call whose events committed a few seconds earlier and whose record died with the process.
    earlier = (datetime.now(UTC) - timedelta(seconds=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
    await server.running.store.append(f"group-{ACCOUNT}-orphans", [NewEvent("GroupCreated", {
        "name": "orphans", "id": "AGPAORPHANS", "arn": f"arn:aws:iam::{ACCOUNT}:group/orphans", "path": "/",
        "created_at": earlier}, {"request_id": "req-lost", "operation": "CreateGroup",
                                 "actor": f"arn:aws:iam::{ACCOUNT}:root", "source_ip": "10.9.9.9",
                                 "time": earlier})], StreamState.NO_STREAM)
    await stop_iamd(server)
    restarted = await start_iamd(tmp_path / "d")
    try:
        audit = audit_pb2_grpc.AuditServiceStub(restarted.channel)
        whole = await _all_pages(audit, 50)
        assert len(whole) == len(set(whole))
        assert await _all_pages(audit, 1) == whole
        assert await _all_pages(audit, 2) == whole
    finally:
        await stop_iamd(restarted)


ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"


async def test_a_decision_as_of_a_past_moment_is_decided_at_that_moment(iamd: Iamd) -> None:
    """aws:CurrentTime of a decision as of a past time (and of an ExplainEvent) is that time, not
    the time the question is asked: a grant that has expired since was in force then."""
    from google.protobuf.timestamp_pb2 import Timestamp

    until = (iamd.clock.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="alice"))
    put = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="alice"), policy_name="until",
        policy_document=allow("s3:GetObject", Condition={"DateLessThan": {"aws:CurrentTime": until}})))
    question = dict(principal_arn=ALICE, action="s3:GetObject", resource="*")
    live = await iamd.authz.Authorize(apb.AuthorizeRequest(**question, min_position=put.position))
    assert live.decision == apb.DECISION_ALLOW
    # A whole second after the policy was stored (as_of times are whole seconds of the log's clock).
    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    await asyncio.sleep((moment - datetime.now(UTC)).total_seconds() + 0.05)
    then = Timestamp()
    then.FromDatetime(moment)
    iamd.clock.offset = 2 * 3600  # two hours on: the grant has expired
    later = iamd.connect(iamd.root)  # signing on the server's clock
    authz = apb_grpc.AuthorizationServiceStub(later)
    assert (await authz.Authorize(apb.AuthorizeRequest(**question))).decision == apb.DECISION_IMPLICIT_DENY

    past = await authz.Authorize(apb.AuthorizeRequest(**question, as_of=apb.AsOf(time=then)))
    assert past.decision == apb.DECISION_ALLOW

    audit = audit_pb2_grpc.AuditServiceStub(later)
    decisions = await audit.LookupEvents(audit_pb2.LookupEventsRequest(lookup_attributes=[
        audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value="Authorize")]))
    first = decisions.events[-1]  # the live Allow, the oldest decision
    explained = await audit.ExplainEvent(audit_pb2.ExplainEventRequest(event_id=first.event_id))
    assert explained.recorded_decision == "DECISION_ALLOW"
    assert explained.reevaluated.decision == apb.DECISION_ALLOW
    await later.close()


async def test_a_backdated_record_that_claims_to_be_rebuilt_after_a_crash_is_named_inserted(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a record rebuilt for a call whose events are in the log may be late. A record slipped
    into the store dated in the past, with a rebuilt record's `addendum`, is inserted, not late: on
    the server, and for an auditor validating with the pinned key (the digest covering it says so)."""
    import io
    import json
    import shutil
    import sqlite3
    import uuid
    from contextlib import redirect_stderr, redirect_stdout

    from iamd.client import cli

    data_dir = tmp_path / "d"
    first = await start_iamd(data_dir)
    pinned = tmp_path / "pinned.pem"
    shutil.copy(data_dir / "keys" / "audit-digest.pub.pem", pinned)
    await first.iam.CreateUser(ipb.CreateUserRequest(user_name="ann"))
    await stop_iamd(first)  # the final digest covers every record

    db = sqlite3.connect(data_dir / "events.db")
    stream, data = next((s, json.loads(d)) for s, d in db.execute(
        "SELECT stream, data FROM events WHERE stream LIKE 'audit-%' ORDER BY position") if b"CreateUser" in d)
    forged_id, request_id = str(uuid.uuid4()), str(uuid.uuid4())
    moment = datetime.fromisoformat(data["eventTime"].replace("Z", "+00:00")) - timedelta(minutes=5)
    forged = dict(data, eventID=forged_id, eventName="DeleteUser", requestID=request_id,
                  eventTime=moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
                  addendum={"reason": "SERVICE_OUTAGE", "updatedFields": None, "originalRequestID": request_id,
                            "originalEventID": forged_id})
    version = db.execute("SELECT MAX(version) FROM events WHERE stream = ?", (stream,)).fetchone()[0] + 1
    db.execute("INSERT INTO events (id, stream, version, type, schema_version, data, metadata, recorded_at) "
               "VALUES (?, ?, ?, 'AuditRecord', 1, ?, ?, 0)", (forged_id, stream, version, json.dumps(forged).encode(),
                                                                 b"{}"))
    db.commit()
    db.close()

    monkeypatch.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(data_dir / "root-credentials"))
    for var in ("IAMD_ACCESS_KEY_ID", "IAMD_SECRET_ACCESS_KEY", "IAMD_SESSION_TOKEN", "IAMD_PROFILE"):
        monkeypatch.delenv(var, raising=False)

    def pinned_validation(target: str) -> tuple[int, dict]:
        out = io.StringIO()
        with redirect_stdout(out), redirect_stderr(io.StringIO()):
            code = cli.main(["--endpoint", target, "audit", "validate", "--public-key", str(pinned)])
        return code, json.loads(out.getvalue())

    server = await start_iamd(data_dir)  # its start digest covers the forged record
    try:
        report = await audit_pb2_grpc.AuditServiceStub(server.channel).ValidateAuditTrail(
            audit_pb2.ValidateAuditTrailRequest())
        code, pinned_report = await asyncio.to_thread(pinned_validation, server.target)
    finally:
        await stop_iamd(server)
    assert not report.valid
    assert forged_id in report.inserted_event_ids and forged_id not in report.late_event_ids
    assert code == 1 and pinned_report["Status"] == "INVALID"
    assert forged_id in pinned_report["InsertedEventIds"] and forged_id not in pinned_report.get("LateEventIds", [])


async def test_an_mfa_code_a_validation_error_quotes_is_not_kept_in_the_record(iamd_http: Iamd) -> None:
    """Over the AWS wire, a code of the wrong length is refused with AWS's validation message, which
    quotes the value given: the caller sees it, the audit record must not keep it (a mistyped code
    holds the real one)."""
    import json

    import botocore.session
    from botocore.config import Config
    from botocore.exceptions import ClientError

    from iamd.service.eventstore.port import EventFilter

    assert iamd_http.running.http is not None

    def client(service: str):  # noqa: ANN202 — botocore's dynamic client
        return botocore.session.get_session().create_client(
            service, region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{iamd_http.running.http.port}",
            aws_access_key_id=iamd_http.root.access_key_id, aws_secret_access_key=iamd_http.root.secret_access_key,
            config=Config(retries={"max_attempts": 1}, parameter_validation=False))

    await iamd_http.iam.CreateUser(ipb.CreateUserRequest(user_name="u"))
    serial = f"arn:aws:iam::{ACCOUNT}:mfa/u"
    calls = [(client("sts").get_session_token, {"SerialNumber": serial, "TokenCode": "3141592"}),
             (client("iam").enable_mfa_device, {"UserName": "u", "SerialNumber": serial,
                                                "AuthenticationCode1": "2718281", "AuthenticationCode2": "1414213"})]
    for method, kwargs in calls:
        with pytest.raises(ClientError) as refused:
            await asyncio.to_thread(method, **kwargs)
        assert refused.value.response["Error"]["Code"] == "ValidationError"
    await iamd_http.running.audit.flush()
    stored = [e.data async for e in iamd_http.running.store.read_all(filter=EventFilter(stream_prefixes=("audit-",)))]
    refusals = [r for r in stored if r.get("errorCode") == "ValidationError"]
    assert len(refusals) == 2
    assert all("at 'tokenCode'" in r["errorMessage"] or "at 'authenticationCode1'" in r["errorMessage"]
               for r in refusals)
    for code in ("3141592", "2718281", "1414213"):
        assert code not in json.dumps(stored)
    page = await audit_pb2_grpc.AuditServiceStub(iamd_http.channel).LookupEvents(audit_pb2.LookupEventsRequest())
    assert not any(code in e.cloud_trail_event for e in page.events for code in ("3141592", "2718281", "1414213"))


async def test_the_record_of_a_largest_authorize_batch_is_bounded_and_stored(tmp_path) -> None:
    """A batch at every limit (1,000 requests, 2,048-character resources) is a valid call: its record
    must stay bounded and fit the store's largest append (KurrentDB's 1 MiB), or the call is refused
    for ever with "retry"."""
    import json

    from iamd.service.eventstore.port import EventFilter
    from tests.fakes.kurrentdb_fake import running_fake

    async with running_fake() as fake:
        server = await start_iamd(tmp_path / "data", store_uri=fake.uri)
        try:
            items = [apb.AuthorizeRequest(principal_arn=f"arn:aws:iam::{ACCOUNT}:root", action="s3:GetObject",
                                          resource=f"arn:aws:s3:::b/{i:04d}" + "k" * 2029) for i in range(1000)]
            answer = await server.authz.AuthorizeBatch(apb.AuthorizeBatchRequest(requests=items))
            assert len(answer.responses) == 1000
            await server.running.audit.flush()
            [record] = [e.data async for e in server.running.store.read_all(
                filter=EventFilter(stream_prefixes=("audit-",))) if e.data.get("eventName") == "AuthorizeBatch"]
            assert len(json.dumps(record)) < 1024 * 1024
            page = await audit_pb2_grpc.AuditServiceStub(server.channel).LookupEvents(audit_pb2.LookupEventsRequest(
                lookup_attributes=[audit_pb2.LookupAttribute(attribute_key="EventName",
                                                             attribute_value="AuthorizeBatch")]))
            shown = json.loads(page.events[0].cloud_trail_event)["additionalEventData"]
            kept = shown["decisions"]
            assert 0 < len(kept) < 1000 and shown["decisionsOmitted"] == 1000 - len(kept)
            assert kept[0]["resource"] == items[0].resource and kept[0]["decision"] == "DECISION_ALLOW"
        finally:
            await stop_iamd(server)


async def test_lookup_events_refusals_over_the_aws_wire_are_cloudtrails_exceptions(iamd_http: Iamd) -> None:
    """CloudTrail's LookupEvents API reference: InvalidTimeRangeException (start after end),
    InvalidMaxResultsException (MaxResults outside 1-50), InvalidNextTokenException (a token not
    issued, or for other parameters), InvalidLookupAttributesException (an attribute key unknown)."""
    import botocore.session
    from botocore.config import Config
    from botocore.exceptions import ClientError

    assert iamd_http.running.http is not None
    cloudtrail = botocore.session.get_session().create_client(
        "cloudtrail", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{iamd_http.running.http.port}",
        aws_access_key_id=iamd_http.root.access_key_id, aws_secret_access_key=iamd_http.root.secret_access_key,
        config=Config(retries={"max_attempts": 1}, parameter_validation=False))
    now = datetime.now(UTC)
    cases = [({"StartTime": now, "EndTime": now - timedelta(hours=1)}, "InvalidTimeRangeException"),
             ({"MaxResults": 51}, "InvalidMaxResultsException"),
             ({"NextToken": "not-a-token"}, "InvalidNextTokenException"),
             ({"LookupAttributes": [{"AttributeKey": "Nope", "AttributeValue": "x"}]},
              "InvalidLookupAttributesException")]
    codes = []
    for kwargs, _ in cases:
        try:
            await asyncio.to_thread(cloudtrail.lookup_events, **kwargs)
            codes.append("answered")
        except ClientError as e:
            codes.append(e.response["Error"]["Code"])
    assert codes == [code for _, code in cases]


async def test_a_change_is_in_force_as_of_the_time_its_history_shows(iamd: Iamd) -> None:
    """Times are whole seconds, in entity history as in the audit trail: a change shown at T happened
    at or before T, so a decision as of T sees it (LookupEvents' EndTime is inclusive alike)."""
    from google.protobuf.timestamp_pb2 import Timestamp

    user = pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="alice")
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="alice"))
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(target=user, policy_name="p",
                                                              policy_document=allow("s3:GetObject")))
    history = await audit_pb2_grpc.AuditServiceStub(iamd.channel).GetEntityHistory(
        audit_pb2.GetEntityHistoryRequest(target=user))
    put = history.events[-1]
    assert put.type == "UserPolicyPut" or "Polic" in put.type
    shown = Timestamp()
    shown.FromDatetime(datetime.fromisoformat(put.time.replace("Z", "+00:00")))
    answer = await iamd.authz.Authorize(apb.AuthorizeRequest(principal_arn=ALICE, action="s3:GetObject", resource="*",
                                                             as_of=apb.AsOf(time=shown)))
    assert answer.decision == apb.DECISION_ALLOW
    assert answer.evaluated_at_position >= put.position
