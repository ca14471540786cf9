"""Review of entity history and ExplainEvent: secrets, completeness, access."""

from __future__ import annotations

import pytest

from iamd.v1 import audit_pb2, audit_pb2_grpc
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb

from .conftest import Iamd

pytestmark = pytest.mark.e2e


async def test_history_of_a_renamed_user_shows_no_password_hash(iamd: Iamd) -> None:
    """A rename's NameClaimed carries the user's state (login profile with its password hash) into the
    new name's stream: the history must leave the hash out there too, not only at the top level."""
    audit = audit_pb2_grpc.AuditServiceStub(iamd.channel)
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="frank"))
    await iamd.iam.CreateLoginProfile(ipb.CreateLoginProfileRequest(user_name="frank", password="First-pass-1"))
    await iamd.iam.UpdateLoginProfile(ipb.UpdateLoginProfileRequest(user_name="frank", password="Second-pass-2"))
    await iamd.iam.UpdateUser(ipb.UpdateUserRequest(user_name="frank", new_user_name="francis"))
    history = await audit.GetEntityHistory(audit_pb2.GetEntityHistoryRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="francis")))
    assert "UserNameClaimed" in [e.type for e in history.events]
    for event in history.events:
        assert "$scrypt$" not in event.data_json
        assert "password_hash" not in event.data_json and "previous_hashes" not in event.data_json


async def test_history_of_a_renamed_user_holds_its_changes_before_the_rename(iamd: Iamd) -> None:
    """`iamctl audit history`: every event that changed the user. Asked under its new name, the
    history held only the claim of the name: its creation, tags, keys before the rename were lost.
    The old name, created again since, belongs to another user: that one's events are not shown."""
    audit = audit_pb2_grpc.AuditServiceStub(iamd.channel)
    ref = pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="francis")
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="frank"))
    await iamd.iam.TagEntity(ipb.TagEntityRequest(target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="frank"),
                                                  tags=[pb.Tag(key="team", value="a")]))
    await iamd.iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="frank"))
    await iamd.iam.UpdateUser(ipb.UpdateUserRequest(user_name="frank", new_user_name="francis"))
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="frank"))  # another user, the old name
    await iamd.iam.TagEntity(ipb.TagEntityRequest(target=ref, tags=[pb.Tag(key="team", value="b")]))
    history = await audit.GetEntityHistory(audit_pb2.GetEntityHistoryRequest(target=ref))
    assert [e.type for e in history.events] == ["UserCreated", "UserTagged", "UserAccessKeyCreated",
                                                "UserNameClaimed", "UserRenamed", "UserTagged"]
    positions = [e.position for e in history.events]
    assert positions == sorted(positions)


async def test_explain_of_a_decision_asked_as_of_a_time_decides_at_that_time(iamd: Iamd) -> None:
    """Authorize with as_of.time decides with that moment's aws:CurrentTime (the clock stopped there).
    ExplainEvent re-decided it at the record's eventTime instead: a grant that had expired by then
    read as denied, an explanation of another decision than the one recorded."""
    import json
    from datetime import UTC, datetime, timedelta

    from google.protobuf.timestamp_pb2 import Timestamp

    from iamd.v1 import authorization_pb2 as apb
    from iamd.v1 import authorization_pb2_grpc as apb_grpc

    from .conftest import ACCOUNT
    from .helpers import allow

    audit = audit_pb2_grpc.AuditServiceStub(iamd.channel)
    ref = pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="alice")
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="alice"))
    until = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=ref, policy_name="p",
        policy_document=allow("s3:GetObject", Condition={"DateLessThan": {"aws:CurrentTime": until}})))
    moment = Timestamp()
    moment.FromDatetime(datetime.now(UTC) + timedelta(seconds=2))
    iamd.clock.offset = 2 * 3600  # the server's now: the grant has expired
    channel = iamd.connect(iamd.root)
    authz = apb_grpc.AuthorizationServiceStub(channel)
    audit = audit_pb2_grpc.AuditServiceStub(channel)
    answer = await authz.Authorize(apb.AuthorizeRequest(
        principal_arn=f"arn:aws:iam::{ACCOUNT}:user/alice", action="s3:GetObject", resource="*",
        as_of=apb.AsOf(time=moment)))
    assert answer.decision == apb.DECISION_ALLOW  # as of then, the grant was in force
    decisions = await audit.LookupEvents(audit_pb2.LookupEventsRequest(lookup_attributes=[
        audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value="Authorize")]))
    explained = await audit.ExplainEvent(audit_pb2.ExplainEventRequest(event_id=decisions.events[0].event_id))
    assert explained.recorded_decision == "DECISION_ALLOW"
    assert json.loads(explained.cloud_trail_event)["eventName"] == "Authorize"
    assert explained.reevaluated.decision == apb.DECISION_ALLOW
    await channel.close()


async def test_history_of_a_policy_arn_is_that_policy_not_the_callers_namesake(iamd: Iamd) -> None:
    """GetEntityHistory of a policy ARN read the caller's account's policy of that name, whatever
    the ARN's account: a user allowed iamd:GetEntityHistory on AWS managed policies only
    (arn:aws:iam::aws:policy/*) read the history of the account's own customer policy."""
    import grpc

    from .helpers import allow, user_with_key

    bob = await user_with_key(iamd, "bob")
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="bob"), policy_name="h",
        policy_document=allow("iamd:GetEntityHistory", "arn:aws:iam::aws:policy/*")))
    await iamd.iam.CreatePolicy(ipb.CreatePolicyRequest(policy_name="Secretive", policy_document=allow("s3:*")))
    channel = iamd.connect(bob)
    try:
        as_bob = audit_pb2_grpc.AuditServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await as_bob.GetEntityHistory(audit_pb2.GetEntityHistoryRequest(target=pb.EntityRef(
                kind=pb.ENTITY_KIND_POLICY, name="arn:aws:iam::aws:policy/Secretive")))
        assert refused.value.code() == grpc.StatusCode.NOT_FOUND
    finally:
        await channel.close()


async def test_history_of_a_policy_arn_with_another_path_is_no_such_entity(iamd: Iamd) -> None:
    """The path counts too: allowed iamd:GetEntityHistory under policy/public/*, a caller read the
    history of the account's policy at `/` by naming it under /public/."""
    import grpc

    from .helpers import allow, user_with_key

    bob = await user_with_key(iamd, "bob")
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="bob"), policy_name="h",
        policy_document=allow("iamd:GetEntityHistory", "arn:aws:iam::123456789012:policy/public/*")))
    await iamd.iam.CreatePolicy(ipb.CreatePolicyRequest(policy_name="Secretive", policy_document=allow("s3:*")))
    await iamd.iam.CreatePolicy(ipb.CreatePolicyRequest(policy_name="Open", path="/public/",
                                                        policy_document=allow("s3:*")))
    channel = iamd.connect(bob)
    try:
        as_bob = audit_pb2_grpc.AuditServiceStub(channel)
        shown = await as_bob.GetEntityHistory(audit_pb2.GetEntityHistoryRequest(target=pb.EntityRef(
            kind=pb.ENTITY_KIND_POLICY, name="arn:aws:iam::123456789012:policy/public/Open")))
        assert shown.events
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await as_bob.GetEntityHistory(audit_pb2.GetEntityHistoryRequest(target=pb.EntityRef(
                kind=pb.ENTITY_KIND_POLICY, name="arn:aws:iam::123456789012:policy/public/Secretive")))
        assert refused.value.code() == grpc.StatusCode.NOT_FOUND
    finally:
        await channel.close()


async def test_the_change_feed_shows_no_password_hash_of_a_renamed_user(iamd: Iamd) -> None:
    """WatchIdentityEvents left secrets out at the top level only, as the history did: a rename's
    UserNameClaimed carried the login profile's password hashes to every watcher."""
    audit = audit_pb2_grpc.AuditServiceStub(iamd.channel)
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="frank"))
    await iamd.iam.CreateLoginProfile(ipb.CreateLoginProfileRequest(user_name="frank", password="First-pass-1"))
    await iamd.iam.UpdateUser(ipb.UpdateUserRequest(user_name="frank", new_user_name="francis"))
    feed = audit.WatchIdentityEvents(audit_pb2.WatchIdentityEventsRequest())
    claimed = None
    async for event in feed:
        if event.type == "UserNameClaimed":
            claimed = event
            break
    feed.cancel()
    assert claimed is not None
    assert "$scrypt$" not in claimed.data_json and "password_hash" not in claimed.data_json
