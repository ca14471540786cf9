"""Time travel (as_of), entity history, the change feed, the determinism check, explain."""

from __future__ import annotations

import json

import grpc
import pytest

from iamd.v1 import audit_pb2, audit_pb2_grpc
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb

from .conftest import ACCOUNT, Iamd
from .helpers import allow, deny, error_reason

pytestmark = pytest.mark.e2e
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
USER_REF = pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="alice")


async def test_as_of_decisions_differ_exactly_as_the_change_implies(iamd: Iamd) -> None:
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="alice"))
    granted = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=USER_REF, policy_name="p", policy_document=allow(["s3:GetObject", "s3:PutObject"])))
    narrowed = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=USER_REF, policy_name="p", policy_document=allow("s3:GetObject")))
    denied = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=USER_REF, policy_name="no", policy_document=deny("s3:GetObject")))

    async def decide(action: str, position: int) -> int:
        answer = await iamd.authz.Authorize(apb.AuthorizeRequest(
            principal_arn=ALICE, action=action, resource="*", as_of=apb.AsOf(position=position), explain=True))
        assert answer.evaluated_at_position <= position
        return answer.decision

    assert [await decide("s3:PutObject", p) for p in (granted.position, narrowed.position)] == \
        [apb.DECISION_ALLOW, apb.DECISION_IMPLICIT_DENY]
    assert [await decide("s3:GetObject", p) for p in (granted.position, narrowed.position, denied.position)] == \
        [apb.DECISION_ALLOW, apb.DECISION_ALLOW, apb.DECISION_EXPLICIT_DENY]
    before_user = await decide("s3:GetObject", granted.position - 2)
    assert before_user == apb.DECISION_IMPLICIT_DENY  # alice did not exist yet
    simulated = await iamd.authz.SimulatePrincipalPolicy(apb.SimulatePrincipalPolicyRequest(
        policy_source_arn=ALICE, action_names=["s3:PutObject"], as_of=apb.AsOf(position=granted.position)))
    assert simulated.evaluation_results[0].eval_decision == apb.DECISION_ALLOW


async def test_history_feed_replay_and_explain(iamd: Iamd) -> None:
    audit = audit_pb2_grpc.AuditServiceStub(iamd.channel)
    feed = audit.WatchIdentityEvents(audit_pb2.WatchIdentityEventsRequest())
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="alice"))
    await iamd.iam.TagEntity(ipb.TagEntityRequest(target=USER_REF, tags=[pb.Tag(key="team", value="a")]))
    key = await iamd.iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="alice"))

    history = await audit.GetEntityHistory(audit_pb2.GetEntityHistoryRequest(target=USER_REF))
    assert [e.type for e in history.events] == ["UserCreated", "UserTagged", "UserAccessKeyCreated"]
    assert all(e.actor == f"arn:aws:iam::{ACCOUNT}:root" and e.time and e.request_id for e in history.events)
    assert "secret_ciphertext" not in history.events[2].data_json
    assert key.access_key.secret_access_key not in history.events[2].data_json

    seen = []
    async for event in feed:  # from the start, then live
        seen.append(event.type)
        if event.type == "UserAccessKeyCreated":
            break
    assert [t for t in seen if t.startswith("User")] == ["UserCreated", "UserTagged", "UserAccessKeyCreated"]
    assert seen[:2] == ["AccountCreated", "AccountAccessKeyCreated"], "the feed starts at the beginning"
    feed.cancel()

    replay = await audit.CheckReplay(audit_pb2.CheckReplayRequest())
    assert replay.equal and replay.position == iamd.running.projection.position

    put = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=USER_REF, policy_name="p", policy_document=allow("s3:GetObject")))
    await iamd.authz.Authorize(apb.AuthorizeRequest(principal_arn=ALICE, action="s3:GetObject", resource="*",
                                                    min_position=put.position))
    await iamd.iam.DeleteInlinePolicy(ipb.DeleteInlinePolicyRequest(target=USER_REF, policy_name="p"))
    decisions = await audit.LookupEvents(audit_pb2.LookupEventsRequest(lookup_attributes=[
        audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value="Authorize")]))
    explained = await audit.ExplainEvent(audit_pb2.ExplainEventRequest(event_id=decisions.events[0].event_id))
    # Now alice has no policy, but at the recorded position the decision was Allow, and still is.
    assert explained.recorded_decision == "DECISION_ALLOW"
    assert explained.reevaluated.decision == apb.DECISION_ALLOW
    assert explained.reevaluated.determining_statements[0].policy_id.endswith("user/alice#p")
    assert json.loads(explained.cloud_trail_event)["eventName"] == "Authorize"


async def test_the_change_feed_is_guarded_like_every_call(iamd: Iamd) -> None:
    anonymous = iamd.connect(None)
    feed = audit_pb2_grpc.AuditServiceStub(anonymous).WatchIdentityEvents(audit_pb2.WatchIdentityEventsRequest())
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in feed:
            pass
    assert error_reason(caught.value) == "MissingAuthenticationToken"
    await anonymous.close()
