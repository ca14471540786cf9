"""End to end over real gRPC: identity commands, AWS's rules and errors, queries, Authorize."""

from __future__ import annotations

import grpc
import pytest

from iamd.projections.identity import IDENTITY_STREAMS
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb

from .conftest import ACCOUNT, Iamd
from .helpers import TRUST_EC2, allow, deny, field_violations, refused

pytestmark = pytest.mark.e2e

USER = pb.ENTITY_KIND_USER
GROUP = pb.ENTITY_KIND_GROUP
ROLE = pb.ENTITY_KIND_ROLE
POLICY = pb.ENTITY_KIND_POLICY


def user_arn(name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{ACCOUNT}:user{path}{name}"


async def decide(iamd: Iamd, principal: str, action: str, resource: str, position: int = 0,
                 **context: str) -> apb.AuthorizeResponse:
    return await iamd.authz.Authorize(apb.AuthorizeRequest(
        principal_arn=principal, action=action, resource=resource, min_position=position, explain=True,
        context={k.replace("__", ":"): apb.ContextValue(values=[v]) for k, v in context.items()}))


async def test_user_lifecycle_and_case_insensitive_uniqueness(iamd: Iamd) -> None:
    created = await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="Alice", path="/eng/"))
    assert created.user.arn == user_arn("Alice", "/eng/")
    assert created.user.user_id.startswith("AIDA") and len(created.user.user_id) == 21
    assert created.position > 0

    head = await iamd.running.store.head_position(IDENTITY_STREAMS)
    await refused(iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="alice")),
                       grpc.StatusCode.ALREADY_EXISTS, "EntityAlreadyExists")
    assert await iamd.running.store.head_position(IDENTITY_STREAMS) == head, "a rejected command left an event behind"

    got = await iamd.iam.GetUser(ipb.GetUserRequest(user_name="ALICE"))
    assert got.user.user_name == "Alice"
    listed = await iamd.iam.ListUsers(ipb.ListUsersRequest(path_prefix="/eng/"))
    assert [u.user_name for u in listed.users] == ["Alice"]
    assert not (await iamd.iam.ListUsers(ipb.ListUsersRequest(path_prefix="/ops/"))).users

    await iamd.iam.DeleteUser(ipb.DeleteUserRequest(user_name="alice"))
    await refused(iamd.iam.GetUser(ipb.GetUserRequest(user_name="Alice")),
                       grpc.StatusCode.NOT_FOUND, "NoSuchEntity")
    again = await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="alice"))
    assert again.user.user_id != created.user.user_id, "a recreated user is a new entity"


async def test_invalid_names_and_paths_name_the_field(iamd: Iamd) -> None:
    error = await refused(iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="bad name!")),
                               grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")
    assert "userName" in field_violations(error)
    error = await refused(iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="x" * 65)),
                               grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")
    error = await refused(iamd.iam.CreateGroup(ipb.CreateGroupRequest(group_name="g", path="nope")),
                               grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")
    assert "path" in field_violations(error)
    assert await iamd.running.store.head_position(IDENTITY_STREAMS) == iamd.running.projection.position


async def test_malformed_policy_reports_every_problem_and_writes_nothing(iamd: Iamd) -> None:
    head = await iamd.running.store.head_position(IDENTITY_STREAMS)
    document = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", '
                '"Resource": "*", "Condition": {"StringLikee": {"aws:username": "a"}}}, '
                '{"Effect": "Permit", "Action": "s3:*", "Resource": "*"}]}')
    error = await refused(
        iamd.iam.CreatePolicy(ipb.CreatePolicyRequest(policy_name="P", policy_document=document)),
        grpc.StatusCode.INVALID_ARGUMENT, "MalformedPolicyDocument")
    fields = field_violations(error)
    assert len(fields) >= 2, fields
    assert any("Statement[0].Condition" in f for f in fields), fields
    assert any("Statement[1]" in f for f in fields), fields
    assert await iamd.running.store.head_position(IDENTITY_STREAMS) == head


async def test_attach_policy_then_authorize_allow_and_deny(iamd: Iamd) -> None:
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="alice"))
    policy = (await iamd.iam.CreatePolicy(ipb.CreatePolicyRequest(
        policy_name="ReadOrders", policy_document=allow("sqs:ReceiveMessage", "arn:aws:sqs:*:*:orders")))).policy
    assert policy.arn == f"arn:aws:iam::{ACCOUNT}:policy/ReadOrders"
    assert policy.policy_id.startswith("ANPA")
    attached = await iamd.iam.AttachPolicy(ipb.AttachPolicyRequest(
        target=pb.EntityRef(kind=USER, name="alice"), policy_arn=policy.arn))

    ok = await decide(iamd, user_arn("alice"), "sqs:ReceiveMessage", "arn:aws:sqs:us-east-1:123456789012:orders",
                      attached.position)
    assert ok.decision == apb.DECISION_ALLOW
    assert ok.determining_statements[0].policy_id == policy.arn
    assert ok.evaluated_at_position >= attached.position
    no = await decide(iamd, user_arn("alice"), "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:orders")
    assert no.decision == apb.DECISION_IMPLICIT_DENY

    # An explicit deny in an inline policy wins over the managed allow.
    put = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=USER, name="alice"), policy_name="NoOrders",
        policy_document=deny("sqs:*", "arn:aws:sqs:*:*:orders")))
    denied = await decide(iamd, user_arn("alice"), "sqs:ReceiveMessage",
                          "arn:aws:sqs:us-east-1:123456789012:orders", put.position)
    assert denied.decision == apb.DECISION_EXPLICIT_DENY

    # A principal that does not exist gets no permissions, and the caller learns why.
    ghost = await decide(iamd, user_arn("ghost"), "sqs:ReceiveMessage", "*")
    assert ghost.decision == apb.DECISION_IMPLICIT_DENY


async def test_group_membership_grants_and_revokes(iamd: Iamd) -> None:
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="bob"))
    await iamd.iam.CreateGroup(ipb.CreateGroupRequest(group_name="Readers"))
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=GROUP, name="Readers"), policy_name="read", policy_document=allow("s3:GetObject")))
    added = await iamd.iam.AddUserToGroup(ipb.AddUserToGroupRequest(group_name="readers", user_name="bob"))
    assert (await decide(iamd, user_arn("bob"), "s3:GetObject", "arn:aws:s3:::b/k", added.position)).decision \
        == apb.DECISION_ALLOW
    groups = await iamd.iam.ListGroupsForUser(ipb.ListGroupsForUserRequest(user_name="bob"))
    assert [g.group_name for g in groups.groups] == ["Readers"]
    members = await iamd.iam.GetGroup(ipb.GetGroupRequest(group_name="Readers"))
    assert [u.user_name for u in members.users] == ["bob"]

    await refused(iamd.iam.DeleteGroup(ipb.DeleteGroupRequest(group_name="Readers")),
                       grpc.StatusCode.FAILED_PRECONDITION, "DeleteConflict")
    await refused(iamd.iam.DeleteUser(ipb.DeleteUserRequest(user_name="bob")),
                       grpc.StatusCode.FAILED_PRECONDITION, "DeleteConflict")
    removed = await iamd.iam.RemoveUserFromGroup(ipb.RemoveUserFromGroupRequest(group_name="Readers", user_name="bob"))
    assert (await decide(iamd, user_arn("bob"), "s3:GetObject", "arn:aws:s3:::b/k", removed.position)).decision \
        == apb.DECISION_IMPLICIT_DENY
    await iamd.iam.DeleteUser(ipb.DeleteUserRequest(user_name="bob"))


async def test_permissions_boundary_caps_identity_policies(iamd: Iamd) -> None:
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="carol"))
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=USER, name="carol"), policy_name="all", policy_document=allow("*")))
    boundary = (await iamd.iam.CreatePolicy(ipb.CreatePolicyRequest(
        policy_name="OnlyS3", policy_document=allow("s3:*")))).policy
    put = await iamd.iam.PutPermissionsBoundary(ipb.PutPermissionsBoundaryRequest(
        target=pb.EntityRef(kind=USER, name="carol"), permissions_boundary=boundary.arn))
    assert (await decide(iamd, user_arn("carol"), "s3:ListBucket", "*", put.position)).decision == apb.DECISION_ALLOW
    blocked = await decide(iamd, user_arn("carol"), "ec2:RunInstances", "*")
    assert blocked.decision == apb.DECISION_IMPLICIT_DENY
    assert "boundary" in [b.lower() for b in blocked.blocked_by] or blocked.results_by_policy_type

    # The boundary's usage is counted, and a policy in use cannot be deleted.
    got = await iamd.iam.GetPolicy(ipb.GetPolicyRequest(policy_arn=boundary.arn))
    assert got.policy.permissions_boundary_usage_count == 1
    await refused(iamd.iam.DeletePolicy(ipb.DeletePolicyRequest(policy_arn=boundary.arn)),
                       grpc.StatusCode.FAILED_PRECONDITION, "DeleteConflict")
    cleared = await iamd.iam.DeletePermissionsBoundary(ipb.DeletePermissionsBoundaryRequest(
        target=pb.EntityRef(kind=USER, name="carol")))
    assert (await decide(iamd, user_arn("carol"), "ec2:RunInstances", "*", cleared.position)).decision \
        == apb.DECISION_ALLOW


async def test_policy_versions_follow_aws_rules(iamd: Iamd) -> None:
    arn = (await iamd.iam.CreatePolicy(ipb.CreatePolicyRequest(
        policy_name="Versioned", policy_document=allow("s3:GetObject")))).policy.arn
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="dave"))
    await iamd.iam.AttachPolicy(ipb.AttachPolicyRequest(target=pb.EntityRef(kind=USER, name="dave"), policy_arn=arn))
    for i in range(2, 6):
        v = await iamd.iam.CreatePolicyVersion(ipb.CreatePolicyVersionRequest(
            policy_arn=arn, policy_document=allow(f"s3:Action{i}")))
        assert v.policy_version.version_id == f"v{i}" and not v.policy_version.is_default_version
    await refused(iamd.iam.CreatePolicyVersion(ipb.CreatePolicyVersionRequest(
        policy_arn=arn, policy_document=allow("s3:Too"))), grpc.StatusCode.RESOURCE_EXHAUSTED, "LimitExceeded")
    await refused(iamd.iam.DeletePolicyVersion(ipb.DeletePolicyVersionRequest(policy_arn=arn, version_id="v1")),
                       grpc.StatusCode.FAILED_PRECONDITION, "DeleteConflict")
    await iamd.iam.DeletePolicyVersion(ipb.DeletePolicyVersionRequest(policy_arn=arn, version_id="v2"))
    v6 = await iamd.iam.CreatePolicyVersion(ipb.CreatePolicyVersionRequest(
        policy_arn=arn, policy_document=allow("s3:PutObject"), set_as_default=True))
    assert v6.policy_version.version_id == "v6" and v6.policy_version.is_default_version

    # The new default takes effect for attached principals immediately.
    assert (await decide(iamd, user_arn("dave"), "s3:PutObject", "*", v6.position)).decision == apb.DECISION_ALLOW
    assert (await decide(iamd, user_arn("dave"), "s3:GetObject", "*")).decision == apb.DECISION_IMPLICIT_DENY
    back = await iamd.iam.SetDefaultPolicyVersion(ipb.SetDefaultPolicyVersionRequest(policy_arn=arn, version_id="v1"))
    assert (await decide(iamd, user_arn("dave"), "s3:GetObject", "*", back.position)).decision == apb.DECISION_ALLOW

    versions = await iamd.iam.ListPolicyVersions(ipb.ListPolicyVersionsRequest(policy_arn=arn))
    assert [v.version_id for v in versions.versions] == ["v6", "v5", "v4", "v3", "v1"]
    got = await iamd.iam.GetPolicyVersion(ipb.GetPolicyVersionRequest(policy_arn=arn, version_id="v1"))
    assert got.policy_version.is_default_version
    entities = await iamd.iam.ListEntitiesForPolicy(ipb.ListEntitiesForPolicyRequest(policy_arn=arn))
    assert [e.name for e in entities.policy_users] == ["dave"]

    await refused(iamd.iam.DeletePolicy(ipb.DeletePolicyRequest(policy_arn=arn)),
                       grpc.StatusCode.FAILED_PRECONDITION, "DeleteConflict")
    await iamd.iam.DetachPolicy(ipb.DetachPolicyRequest(target=pb.EntityRef(kind=USER, name="dave"), policy_arn=arn))
    # Its versions but the default go first (DeletePolicy's API reference); the default goes with it.
    for version_id in ("v6", "v5", "v4", "v3"):
        await iamd.iam.DeletePolicyVersion(ipb.DeletePolicyVersionRequest(policy_arn=arn, version_id=version_id))
    await iamd.iam.DeletePolicy(ipb.DeletePolicyRequest(policy_arn=arn))
    await refused(iamd.iam.GetPolicy(ipb.GetPolicyRequest(policy_arn=arn)), grpc.StatusCode.NOT_FOUND,
                       "NoSuchEntity")


async def test_quotas(iamd: Iamd) -> None:
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="erin"))
    for i in range(10):
        arn = (await iamd.iam.CreatePolicy(ipb.CreatePolicyRequest(
            policy_name=f"P{i}", policy_document=allow(f"s3:A{i}")))).policy.arn
        await iamd.iam.AttachPolicy(ipb.AttachPolicyRequest(target=pb.EntityRef(kind=USER, name="erin"),
                                                            policy_arn=arn))
    extra = (await iamd.iam.CreatePolicy(ipb.CreatePolicyRequest(policy_name="P10",
                                                                  policy_document=allow("s3:B")))).policy.arn
    await refused(iamd.iam.AttachPolicy(ipb.AttachPolicyRequest(
        target=pb.EntityRef(kind=USER, name="erin"), policy_arn=extra)),
        grpc.StatusCode.RESOURCE_EXHAUSTED, "LimitExceeded")
    # Inline policies of a user may total 2,048 non-whitespace characters.
    big = allow([f"s3:Action{i:04d}" for i in range(150)])
    await refused(iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=USER, name="erin"), policy_name="big", policy_document=big)),
        grpc.StatusCode.RESOURCE_EXHAUSTED, "LimitExceeded")


async def test_roles_inline_policies_and_tags(iamd: Iamd) -> None:
    role = (await iamd.iam.CreateRole(ipb.CreateRoleRequest(
        role_name="App", assume_role_policy_document=TRUST_EC2, description="app role",
        tags=[pb.Tag(key="team", value="blue")]))).role
    assert role.role_id.startswith("AROA") and role.max_session_duration == 3600
    await refused(iamd.iam.CreateRole(ipb.CreateRoleRequest(
        role_name="Bad", assume_role_policy_document=allow("s3:*"))),
        grpc.StatusCode.INVALID_ARGUMENT, "MalformedPolicyDocument")
    await refused(iamd.iam.CreateRole(ipb.CreateRoleRequest(
        role_name="Long", assume_role_policy_document=TRUST_EC2, max_session_duration=50000)),
        grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")
    await iamd.iam.UpdateRole(ipb.UpdateRoleRequest(role_name="App", description="new", max_session_duration=7200))
    got = (await iamd.iam.GetRole(ipb.GetRoleRequest(role_name="app"))).role
    assert (got.description, got.max_session_duration) == ("new", 7200)

    target = pb.EntityRef(kind=ROLE, name="App")
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=target, policy_name="tagged", policy_document=allow(
            "s3:GetObject", "arn:aws:s3:::${aws:PrincipalTag/team}/*")))
    names = await iamd.iam.ListInlinePolicies(ipb.ListInlinePoliciesRequest(target=target))
    assert list(names.policy_names) == ["tagged"]
    got_policy = await iamd.iam.GetInlinePolicy(ipb.GetInlinePolicyRequest(target=target, policy_name="tagged"))
    assert "PrincipalTag" in got_policy.policy.policy_document
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/App"
    assert (await decide(iamd, role_arn, "s3:GetObject", "arn:aws:s3:::blue/x")).decision == apb.DECISION_ALLOW
    assert (await decide(iamd, role_arn, "s3:GetObject", "arn:aws:s3:::red/x")).decision == apb.DECISION_IMPLICIT_DENY

    # Retag: the principal tag feeds the policy variable, so the decision follows the tag.
    tagged = await iamd.iam.TagEntity(ipb.TagEntityRequest(target=target, tags=[pb.Tag(key="TEAM", value="red")]))
    tags = await iamd.iam.ListEntityTags(ipb.ListEntityTagsRequest(target=target))
    assert [(t.key, t.value) for t in tags.tags] == [("TEAM", "red")], "tag keys are case-insensitive"
    assert (await decide(iamd, role_arn, "s3:GetObject", "arn:aws:s3:::red/x", tagged.position)).decision \
        == apb.DECISION_ALLOW
    await iamd.iam.UntagEntity(ipb.UntagEntityRequest(target=target, tag_keys=["team"]))
    assert not (await iamd.iam.ListEntityTags(ipb.ListEntityTagsRequest(target=target))).tags

    await refused(iamd.iam.DeleteRole(ipb.DeleteRoleRequest(role_name="App")),
                       grpc.StatusCode.FAILED_PRECONDITION, "DeleteConflict")
    await iamd.iam.DeleteInlinePolicy(ipb.DeleteInlinePolicyRequest(target=target, policy_name="tagged"))
    await iamd.iam.DeleteRole(ipb.DeleteRoleRequest(role_name="App"))
    await refused(iamd.iam.GetRole(ipb.GetRoleRequest(role_name="App")), grpc.StatusCode.NOT_FOUND,
                       "NoSuchEntity")


async def test_rename_user_keeps_its_policies_and_frees_the_old_name(iamd: Iamd) -> None:
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="frank"))
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=USER, name="frank"), policy_name="p", policy_document=allow("s3:GetObject")))
    user_id = (await iamd.iam.GetUser(ipb.GetUserRequest(user_name="frank"))).user.user_id
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="taken"))
    await refused(iamd.iam.UpdateUser(ipb.UpdateUserRequest(user_name="frank", new_user_name="TAKEN")),
                       grpc.StatusCode.ALREADY_EXISTS, "EntityAlreadyExists")

    renamed = await iamd.iam.UpdateUser(ipb.UpdateUserRequest(user_name="frank", new_user_name="francis",
                                                              new_path="/x/"))
    got = (await iamd.iam.GetUser(ipb.GetUserRequest(user_name="francis"))).user
    assert (got.user_id, got.arn) == (user_id, user_arn("francis", "/x/"))
    await refused(iamd.iam.GetUser(ipb.GetUserRequest(user_name="frank")), grpc.StatusCode.NOT_FOUND,
                       "NoSuchEntity")
    assert (await decide(iamd, user_arn("francis", "/x/"), "s3:GetObject", "*", renamed.position)).decision \
        == apb.DECISION_ALLOW
    assert (await decide(iamd, user_arn("frank"), "s3:GetObject", "*")).decision == apb.DECISION_IMPLICIT_DENY
    # Commands reach the renamed user through its new name; the old name can be reused.
    await iamd.iam.DeleteInlinePolicy(ipb.DeleteInlinePolicyRequest(
        target=pb.EntityRef(kind=USER, name="francis"), policy_name="p"))
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="frank"))


async def test_rename_group_keeps_members(iamd: Iamd) -> None:
    await iamd.iam.CreateGroup(ipb.CreateGroupRequest(group_name="devs"))
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="gina"))
    await iamd.iam.AddUserToGroup(ipb.AddUserToGroupRequest(group_name="devs", user_name="gina"))
    await iamd.iam.UpdateGroup(ipb.UpdateGroupRequest(group_name="devs", new_group_name="engineers"))
    members = await iamd.iam.GetGroup(ipb.GetGroupRequest(group_name="engineers"))
    assert [u.user_name for u in members.users] == ["gina"]
    groups = await iamd.iam.ListGroupsForUser(ipb.ListGroupsForUserRequest(user_name="gina"))
    assert [g.group_name for g in groups.groups] == ["engineers"]


async def test_pagination_and_account_details(iamd: Iamd) -> None:
    for i in range(5):
        await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name=f"u{i}"))
    first = await iamd.iam.ListUsers(ipb.ListUsersRequest(page=ipb.Page(max_items=2)))
    assert [u.user_name for u in first.users] == ["u0", "u1"] and first.is_truncated
    second = await iamd.iam.ListUsers(ipb.ListUsersRequest(page=ipb.Page(max_items=2, marker=first.marker)))
    assert [u.user_name for u in second.users] == ["u2", "u3"]
    details = await iamd.iam.GetAccountAuthorizationDetails(ipb.GetAccountAuthorizationDetailsRequest())
    assert len(details.user_detail_list) == 5


async def test_authorize_refuses_caller_supplied_principal_keys(iamd: Iamd) -> None:
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="henry"))
    await refused(decide(iamd, user_arn("henry"), "s3:GetObject", "*", aws__username="root"),
                       grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")
    batch = await iamd.authz.AuthorizeBatch(apb.AuthorizeBatchRequest(requests=[
        apb.AuthorizeRequest(principal_arn=f"arn:aws:iam::{ACCOUNT}:root", action="iam:CreateUser", resource="*"),
        apb.AuthorizeRequest(principal_arn=user_arn("henry"), action="iam:CreateUser", resource="*"),
    ]))
    assert [r.decision for r in batch.responses] == [apb.DECISION_ALLOW, apb.DECISION_IMPLICIT_DENY]
    status = await iamd.authz.GetProjectionStatus(apb.GetProjectionStatusRequest())
    assert status.caught_up and status.position == status.head_position and status.lag == 0
    assert status.audit_records_written >= 3 and status.audit_write_failures == 0


async def test_authorize_refuses_names_longer_than_aws_evaluates_before_deciding(iamd: Iamd) -> None:
    """AWS's own bounds (its simulator's ActionNameType 128, ResourceNameType 2048, ContextKeyNameType
    256): past them a request is refused with the field at fault, before any cache keeps it."""
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="ivy"))
    ivy = user_arn("ivy")
    error = await refused(decide(iamd, ivy, "s3:" + "G" * 126, "*"), grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")
    assert "action" in field_violations(error)
    error = await refused(decide(iamd, ivy, "s3:GetObject", "arn:aws:s3:::b/" + "k" * 2040),
                          grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")
    assert "resource" in field_violations(error)
    long_key = "s3:" + "x" * 254
    await refused(iamd.authz.Authorize(apb.AuthorizeRequest(
        principal_arn=ivy, action="s3:GetObject", resource="*",
        context={long_key: apb.ContextValue(values=["v"])})), grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")
    # At the bounds themselves, decided as usual.
    at_bounds = await iamd.authz.Authorize(apb.AuthorizeRequest(
        principal_arn=ivy, action="s3:" + "G" * 125, resource="arn:aws:s3:::b/" + "k" * 2033,
        context={"s3:" + "x" * 253: apb.ContextValue(values=["v"])}))
    assert at_bounds.decision == apb.DECISION_IMPLICIT_DENY
