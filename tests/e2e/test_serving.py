"""The serving path's bounds, over a real server on loopback: in-flight work, request sizes,
unauthenticated records, and an audit trail that holds exactly one record per answered call."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest

from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import authorization_pb2_grpc
from iamd.v1 import identity_pb2 as ipb
from iamd.service.app.ports import SystemClock
from iamd.service.eventstore.port import EventFilter
from iamd.service.rpc.gateway import CallGateway
from iamd.service.server import AUTHORIZATION

from .conftest import ACCOUNT, Iamd, start_iamd, stop_iamd
from .helpers import field_violations, refused

pytestmark = pytest.mark.e2e
AUDIT = EventFilter(stream_prefixes=("audit-",))


async def _stored_records(iamd: Iamd) -> list[tuple[dict, int]]:
    """Every stored audit record with the size of its stored JSON."""
    import orjson

    await iamd.running.audit.flush()  # a command's record is committed just after its answer
    return [(dict(e.data), len(orjson.dumps(dict(e.data)))) async for e in iamd.running.store.read_all(filter=AUDIT)]


async def test_past_the_in_flight_bound_calls_are_throttled_and_then_served_again() -> None:
    """A gateway allowing one call at a time, around a servicer whose Authorize waits to be released."""
    entered, release = asyncio.Event(), asyncio.Event()

    class SlowServicer:
        async def Authorize(self, request, context):  # noqa: N802 — the RPC's name
            entered.set()
            await release.wait()
            return apb.AuthorizeResponse(decision=apb.DECISION_ALLOW)

        def __getattr__(self, name):  # the service's other methods: not called here
            if name.startswith("__"):
                raise AttributeError(name)

            async def unused(request, context):
                raise NotImplementedError(name)
            return unused

    server = grpc.aio.server()
    CallGateway(None, None, SystemClock(), max_in_flight=1).register(server, SlowServicer(), AUTHORIZATION)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = authorization_pb2_grpc.AuthorizationServiceStub(channel)
            first = asyncio.ensure_future(stub.Authorize(apb.AuthorizeRequest()))
            # The first call holds the only slot once it is being served: waited for, not assumed
            # after a pause (a slow machine could let the second call reach the servicer first).
            await asyncio.wait_for(entered.wait(), 30)
            error = await refused(stub.Authorize(apb.AuthorizeRequest()), grpc.StatusCode.RESOURCE_EXHAUSTED,
                                  "Throttling")
            assert "retry" in (error.details() or "")
            release.set()
            assert (await first).decision == apb.DECISION_ALLOW
            assert (await stub.Authorize(apb.AuthorizeRequest())).decision == apb.DECISION_ALLOW
    finally:
        await server.stop(None)


async def test_a_request_larger_than_its_rpc_accepts_is_refused_before_parsing(iamd: Iamd) -> None:
    error = await refused(iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="u" * 70_000)),
                          grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")
    assert field_violations(error) == ["request"]
    records = await _stored_records(iamd)
    assert records[-1][0]["errorCode"] == "InvalidInput"
    assert records[-1][0]["request"]["omitted"] is True and records[-1][1] < 4096


async def test_unauthenticated_calls_are_recorded_in_a_few_kilobytes(tmp_path: Path) -> None:
    iamd = await start_iamd(tmp_path / "d")
    try:
        async with grpc.aio.insecure_channel(iamd.target) as unsigned:
            stub = authorization_pb2_grpc.AuthorizationServiceStub(unsigned)
            big = apb.AuthorizeRequest(principal_arn=f"arn:aws:iam::{ACCOUNT}:user/x", action="s3:GetObject",
                                       resource="*", resource_policy="x" * 200_000)
            for _ in range(5):
                await refused(stub.Authorize(big), grpc.StatusCode.UNAUTHENTICATED, "MissingAuthenticationToken")
            await refused(stub.Authorize(apb.AuthorizeRequest(resource_policy="x" * 300_000)),
                          grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")
        records = await _stored_records(iamd)
        unsigned_records = [(r, size) for r, size in records if r.get("userIdentity") is None]
        assert len(unsigned_records) == 6
        assert all(size < 4096 and r["request"]["omitted"] for r, size in unsigned_records)
    finally:
        await stop_iamd(iamd)


async def test_after_a_concurrent_load_authorize_records_equal_answered_calls(iamd: Iamd) -> None:
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="load"))
    principal = f"arn:aws:iam::{ACCOUNT}:user/load"
    single = apb.AuthorizeRequest(principal_arn=principal, action="s3:GetObject", resource="*")
    batch = apb.AuthorizeBatchRequest(requests=[single] * 25)

    async def caller(n: int) -> int:
        decisions = 0
        for i in range(n):
            if i % 5 == 4:
                decisions += len((await iamd.authz.AuthorizeBatch(batch)).responses)
            else:
                await iamd.authz.Authorize(single)
                decisions += 1
        return decisions

    answered = sum(await asyncio.gather(*(caller(20) for _ in range(16))))
    records = [r for r, _ in await _stored_records(iamd) if r["eventName"] in ("Authorize", "AuthorizeBatch")]
    recorded = sum(len(r["decisions"]) if r["eventName"] == "AuthorizeBatch" else 1 for r in records)
    assert answered == recorded == 16 * (16 + 4 * 25)
    assert all(not r.get("errorCode") for r in records)


async def test_audit_lookup_renders_the_compact_record_as_cloudtrail(iamd: Iamd) -> None:
    from iamd.v1 import audit_pb2, audit_pb2_grpc
    import json

    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="shown", tags=[]))
    await iamd.authz.AuthorizeBatch(apb.AuthorizeBatchRequest(requests=[apb.AuthorizeRequest(
        principal_arn=f"arn:aws:iam::{ACCOUNT}:user/shown", action="s3:GetObject", resource="arn:aws:s3:::b/k",
        context={"s3:prefix": apb.ContextValue(values=["a"])})] * 2))
    page = await audit_pb2_grpc.AuditServiceStub(iamd.channel).LookupEvents(audit_pb2.LookupEventsRequest(
        lookup_attributes=[audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value="AuthorizeBatch")]))
    record = json.loads(page.events[0].cloud_trail_event)
    assert record["eventSource"] == "iamd.amazonaws.com" and record["readOnly"] is True
    assert record["userIdentity"]["type"] == "Root" and record["responseElements"] is None
    decisions = record["additionalEventData"]["decisions"]
    assert [d["decision"] for d in decisions] == ["DECISION_IMPLICIT_DENY"] * 2
    assert decisions[0]["requestContext"] == {"s3:prefix": {"values": ["a"], "multivalued": False}}
    assert record["requestParameters"]["requests"][0]["action"] == "s3:GetObject"
    # The stored fact is compact: no CloudTrail boilerplate, the request as bytes.
    [stored] = [r for r, _ in await _stored_records(iamd) if r["eventName"] == "AuthorizeBatch"]
    assert "eventVersion" not in stored and isinstance(stored["request"], str)


async def test_a_signature_over_the_deterministic_encoding_is_accepted(iamd: Iamd) -> None:
    """The client signs deterministic bytes; a message with a map may travel in another order."""
    request = apb.AuthorizeRequest(principal_arn=f"arn:aws:iam::{ACCOUNT}:root", action="s3:GetObject",
                                   resource="*", context={f"k{i}": apb.ContextValue(values=[str(i)]) for i in range(20)})
    answer = await iamd.authz.Authorize(request)
    assert answer.decision == apb.DECISION_ALLOW


async def test_a_stored_policy_that_does_not_compile_fails_only_its_principal(iamd: Iamd) -> None:
    """An older iamd stored `null` as a policy document: Authorize about that principal names the
    policy; every other principal is decided as before."""
    from iamd.service.eventstore.port import NewEvent

    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="old"))
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="fine"))
    stream = f"user-{ACCOUNT}-old"
    [*_, last] = await iamd.running.store.read_stream(stream)
    written = await iamd.running.store.append(stream, [NewEvent("UserInlinePolicyPut", {
        "policy_name": "legacy", "document": "null"})], last.version)
    ask = lambda who: apb.AuthorizeRequest(principal_arn=f"arn:aws:iam::{ACCOUNT}:user/{who}",  # noqa: E731
                                           action="s3:GetObject", resource="*", min_position=written.position)
    error = await refused(iamd.authz.Authorize(ask("old")), grpc.StatusCode.INVALID_ARGUMENT,
                          "MalformedPolicyDocument")
    assert "legacy" in (error.details() or "") and "user/old" in (error.details() or "")
    assert (await iamd.authz.Authorize(ask("fine"))).decision == apb.DECISION_IMPLICIT_DENY


async def test_a_remembered_permission_of_the_caller_ends_with_the_event_that_revokes_it(iamd: Iamd) -> None:
    """iamd remembers a caller's own iamd:Authorize permission between calls; removing the policy
    that grants it refuses the very next call."""
    from iamd.v1 import common_pb2 as cpb

    from .helpers import allow, user_with_key

    service = await user_with_key(iamd, "svc")
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=cpb.EntityRef(kind=cpb.ENTITY_KIND_USER, name="svc"), policy_name="ask",
        policy_document=allow("iamd:Authorize")))
    channel = iamd.connect(service)
    try:
        stub = authorization_pb2_grpc.AuthorizationServiceStub(channel)
        ask = apb.AuthorizeRequest(principal_arn=f"arn:aws:iam::{ACCOUNT}:user/svc", action="s3:GetObject",
                                   resource="*")
        for _ in range(3):
            assert (await stub.Authorize(ask)).decision == apb.DECISION_IMPLICIT_DENY
        await iamd.iam.DeleteInlinePolicy(ipb.DeleteInlinePolicyRequest(
            target=cpb.EntityRef(kind=cpb.ENTITY_KIND_USER, name="svc"), policy_name="ask"))
        await refused(stub.Authorize(ask), grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    finally:
        await channel.close()
