"""Review of the identity lifecycle: AWS's rules the earlier tests did not pin down."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from iamd.projections.identity import IDENTITY_STREAMS
from iamd.service.app.aws_policies import AwsManagedPolicies
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb

from .conftest import ACCOUNT, Iamd
from .helpers import TRUST_EC2, allow, error_reason, field_violations, refused

pytestmark = pytest.mark.e2e

USER = pb.ENTITY_KIND_USER
GROUP = pb.ENTITY_KIND_GROUP
ROLE = pb.ENTITY_KIND_ROLE
POLICY = pb.ENTITY_KIND_POLICY


async def test_a_rename_that_changes_only_case_keeps_the_entity(iamd: Iamd) -> None:
    """UpdateUser/UpdateGroup to the same name in another case is a rename in the same stream:
    the entity must stay changeable, deletable, and its name taken."""
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="alice"))
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=USER, name="alice"), policy_name="p", policy_document=allow("s3:GetObject")))
    await iamd.iam.UpdateUser(ipb.UpdateUserRequest(user_name="alice", new_user_name="Alice", new_path="/x/"))
    got = (await iamd.iam.GetUser(ipb.GetUserRequest(user_name="alice"))).user
    assert (got.user_name, got.arn) == ("Alice", f"arn:aws:iam::{ACCOUNT}:user/x/Alice")
    await refused(iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="ALICE")),
                  grpc.StatusCode.ALREADY_EXISTS, "EntityAlreadyExists")
    await refused(iamd.iam.DeleteUser(ipb.DeleteUserRequest(user_name="Alice")),
                  grpc.StatusCode.FAILED_PRECONDITION, "DeleteConflict")
    await iamd.iam.DeleteInlinePolicy(ipb.DeleteInlinePolicyRequest(
        target=pb.EntityRef(kind=USER, name="Alice"), policy_name="p"))
    await iamd.iam.DeleteUser(ipb.DeleteUserRequest(user_name="Alice"))

    await iamd.iam.CreateGroup(ipb.CreateGroupRequest(group_name="devs"))
    await iamd.iam.UpdateGroup(ipb.UpdateGroupRequest(group_name="devs", new_group_name="Devs"))
    await refused(iamd.iam.CreateGroup(ipb.CreateGroupRequest(group_name="devs")),
                  grpc.StatusCode.ALREADY_EXISTS, "EntityAlreadyExists")
    await iamd.iam.DeleteGroup(ipb.DeleteGroupRequest(group_name="DEVS"))
    await refused(iamd.iam.GetGroup(ipb.GetGroupRequest(group_name="Devs")), grpc.StatusCode.NOT_FOUND,
                  "NoSuchEntity")


async def test_aws_service_role_policies_are_not_attachable_to_the_accounts_entities(iamd: Iamd) -> None:
    """AWS's service role policies (`policy/aws-service-role/...`) attach to their service-linked
    role only: PolicyNotAttachable for a user, group or role, and as a boundary (API reference,
    PolicyNotAttachable), with nothing written."""
    if not AwsManagedPolicies().installed:
        pytest.skip("AWS managed policies not installed (make)")
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="u"))
    await iamd.iam.CreateGroup(ipb.CreateGroupRequest(group_name="g"))
    await iamd.iam.CreateRole(ipb.CreateRoleRequest(role_name="r", assume_role_policy_document=TRUST_EC2))
    service_role = "arn:aws:iam::aws:policy/aws-service-role/APIGatewayServiceRolePolicy"
    head = await iamd.running.store.head_position(IDENTITY_STREAMS)
    for kind, name in ((USER, "u"), (GROUP, "g"), (ROLE, "r")):
        await refused(iamd.iam.AttachPolicy(ipb.AttachPolicyRequest(
            target=pb.EntityRef(kind=kind, name=name), policy_arn=service_role)),
            grpc.StatusCode.INVALID_ARGUMENT, "PolicyNotAttachable")
    for kind, name in ((USER, "u"), (ROLE, "r")):
        await refused(iamd.iam.PutPermissionsBoundary(ipb.PutPermissionsBoundaryRequest(
            target=pb.EntityRef(kind=kind, name=name), permissions_boundary=service_role)),
            grpc.StatusCode.INVALID_ARGUMENT, "PolicyNotAttachable")
    await refused(iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="v", permissions_boundary=service_role)),
                  grpc.StatusCode.INVALID_ARGUMENT, "PolicyNotAttachable")
    assert await iamd.running.store.head_position(IDENTITY_STREAMS) == head, "a refused command left an event"


async def test_a_managed_policys_path_and_description_follow_their_own_shapes(iamd: Iamd) -> None:
    """CreatePolicy's Path is policyPathType, ((/[A-Za-z0-9\\.,\\+@=_-]+)*)/ ("You cannot use an
    asterisk (*) in the path name"), narrower than a user's; its Description is
    policyDescriptionType, bounded in length only (botocore iam/2010-05-08)."""
    for path in ("/a*b/", "/a~b/", "//"):
        await refused(iamd.iam.CreatePolicy(ipb.CreatePolicyRequest(
            policy_name="P", path=path, policy_document=allow("s3:*"))),
            grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")
    ok = await iamd.iam.CreatePolicy(ipb.CreatePolicyRequest(
        policy_name="P", path="/team.a/b-c/", description="Grants €uro reports – read only",
        policy_document=allow("s3:*")))
    assert ok.policy.arn == f"arn:aws:iam::{ACCOUNT}:policy/team.a/b-c/P"
    await refused(iamd.iam.CreatePolicy(ipb.CreatePolicyRequest(
        policy_name="Q", description="x" * 1001, policy_document=allow("s3:*"))),
        grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")


async def test_delete_policy_refuses_while_non_default_versions_remain(iamd: Iamd) -> None:
    """DeletePolicy (API reference): "you must delete all the policy's versions" first, with
    DeletePolicyVersion; only the default version goes with the policy. DeleteConflict otherwise."""
    arn = (await iamd.iam.CreatePolicy(ipb.CreatePolicyRequest(
        policy_name="Versioned", policy_document=allow("s3:GetObject")))).policy.arn
    await iamd.iam.CreatePolicyVersion(ipb.CreatePolicyVersionRequest(policy_arn=arn, policy_document=allow("s3:*")))
    head = await iamd.running.store.head_position(IDENTITY_STREAMS)
    await refused(iamd.iam.DeletePolicy(ipb.DeletePolicyRequest(policy_arn=arn)),
                  grpc.StatusCode.FAILED_PRECONDITION, "DeleteConflict")
    assert await iamd.running.store.head_position(IDENTITY_STREAMS) == head
    await iamd.iam.DeletePolicyVersion(ipb.DeletePolicyVersionRequest(policy_arn=arn, version_id="v2"))
    await iamd.iam.DeletePolicy(ipb.DeletePolicyRequest(policy_arn=arn))


async def test_another_accounts_policy_is_no_such_entity_not_unattachable(iamd: Iamd) -> None:
    """PolicyNotAttachable means a service role policy offered to an entity other than its
    service-linked role (API reference, Common errors of AttachUserPolicy); a policy ARN of another
    account names no policy the caller's account has: NoSuchEntity, as for an unknown policy."""
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="u"))
    foreign = "arn:aws:iam::210987654321:policy/Theirs"
    await refused(iamd.iam.AttachPolicy(ipb.AttachPolicyRequest(
        target=pb.EntityRef(kind=USER, name="u"), policy_arn=foreign)), grpc.StatusCode.NOT_FOUND, "NoSuchEntity")
    await refused(iamd.iam.PutPermissionsBoundary(ipb.PutPermissionsBoundaryRequest(
        target=pb.EntityRef(kind=USER, name="u"), permissions_boundary=foreign)),
        grpc.StatusCode.NOT_FOUND, "NoSuchEntity")


async def test_concurrent_creations_cannot_exceed_an_account_quota(iamd: Iamd) -> None:
    """GroupsPerAccount is 300 (REFERENCE.md C7): creations racing for the last slots take them
    and no more; the others are LimitExceeded."""
    for i in range(298):
        await iamd.iam.CreateGroup(ipb.CreateGroupRequest(group_name=f"g{i}"))
    results = await asyncio.gather(*(iamd.iam.CreateGroup(ipb.CreateGroupRequest(group_name=f"racer{i}"))
                                     for i in range(6)), return_exceptions=True)
    refusals = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(results) - len(refusals) == 2, results
    assert {(e.code(), error_reason(e)) for e in refusals} == {(grpc.StatusCode.RESOURCE_EXHAUSTED, "LimitExceeded")}
    assert len(iamd.running.projection.account(ACCOUNT).groups) == 300


async def test_policy_version_ids_follow_the_models_pattern(iamd: Iamd) -> None:
    """VersionId is policyVersionIdType, v[1-9][0-9]*(\\.[A-Za-z0-9-]*)? (API reference,
    DeletePolicyVersion): `v01` or `v0` is a ValidationError naming versionId; `v1.a` is well
    formed and names no version (NoSuchEntity)."""
    arn = (await iamd.iam.CreatePolicy(ipb.CreatePolicyRequest(
        policy_name="V", policy_document=allow("s3:GetObject")))).policy.arn
    for bad in ("v01", "v0", "1", "V1"):
        error = await refused(iamd.iam.SetDefaultPolicyVersion(ipb.SetDefaultPolicyVersionRequest(
            policy_arn=arn, version_id=bad)), grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")
        assert "versionId" in field_violations(error)
        await refused(iamd.iam.DeletePolicyVersion(ipb.DeletePolicyVersionRequest(policy_arn=arn, version_id=bad)),
                      grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")
    await refused(iamd.iam.DeletePolicyVersion(ipb.DeletePolicyVersionRequest(policy_arn=arn, version_id="v1.a")),
                  grpc.StatusCode.NOT_FOUND, "NoSuchEntity")
