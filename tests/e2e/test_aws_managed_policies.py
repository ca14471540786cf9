"""AWS managed policies (issue 12): read, attached, decided on, counted, and read-only.

`arn:aws:iam::aws:policy/...` come from the pinned data package the Makefile installs
(service/app/aws_policies.py); a real iamd on a loopback port serves them.
"""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest

from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.service.app.aws_policies import AwsManagedPolicies

from .conftest import ACCOUNT, Iamd, start_iamd, stop_iamd

pytestmark = pytest.mark.asyncio

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
LAMBDA_ROLE = "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"

if not AwsManagedPolicies().installed:  # `make` installs them; CI runs `make test`
    pytest.fail("AWS managed policies are not installed: run `make` (the Makefile's AWS_POLICIES)",
                pytrace=False)


def user(name: str) -> pb.EntityRef:
    return pb.EntityRef(kind=pb.ENTITY_KIND_USER, name=name)


async def decide(iamd: Iamd, name: str, action: str, resource: str, position: int) -> int:
    answer = await iamd.authz.Authorize(apb.AuthorizeRequest(
        principal_arn=f"arn:aws:iam::{ACCOUNT}:user/{name}", action=action, resource=resource,
        min_position=position))
    return answer.decision


async def test_aws_managed_policies_are_read_attached_decided_on_and_read_only(iamd: Iamd) -> None:
    admin = (await iamd.iam.GetPolicy(ipb.GetPolicyRequest(policy_arn=ADMIN))).policy
    assert (admin.policy_name, admin.path, admin.default_version_id) == ("AdministratorAccess", "/", "v1")
    assert admin.policy_id.startswith("ANPA") and admin.attachment_count == 0 and admin.is_attachable
    lambda_role = (await iamd.iam.GetPolicy(ipb.GetPolicyRequest(policy_arn=LAMBDA_ROLE))).policy
    assert lambda_role.path == "/service-role/"
    version = (await iamd.iam.GetPolicyVersion(ipb.GetPolicyVersionRequest(policy_arn=ADMIN, version_id="v1"))).policy_version
    assert '"Action":"*"' in version.document and version.is_default_version

    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="reader"))
    attached = await iamd.iam.AttachPolicy(ipb.AttachPolicyRequest(target=user("reader"), policy_arn=READ_ONLY))
    bucket_object = "arn:aws:s3:::some-bucket/key"
    assert await decide(iamd, "reader", "s3:GetObject", bucket_object, attached.position) == apb.DECISION_ALLOW
    assert await decide(iamd, "reader", "s3:PutObject", bucket_object, attached.position) == apb.DECISION_IMPLICIT_DENY

    listed = await iamd.iam.ListAttachedPolicies(ipb.ListAttachedPoliciesRequest(target=user("reader")))
    assert [p.policy_arn for p in listed.attached_policies] == [READ_ONLY]
    assert (await iamd.iam.GetPolicy(ipb.GetPolicyRequest(policy_arn=READ_ONLY))).policy.attachment_count == 1
    holders = await iamd.iam.ListEntitiesForPolicy(ipb.ListEntitiesForPolicyRequest(policy_arn=READ_ONLY))
    assert [u.name for u in holders.policy_users] == ["reader"]
    aws_only = await iamd.iam.ListPolicies(ipb.ListPoliciesRequest(scope=ipb.POLICY_SCOPE_AWS, only_attached=True))
    assert [p.arn for p in aws_only.policies] == [READ_ONLY]
    everything = await iamd.iam.ListPolicies(ipb.ListPoliciesRequest(scope=ipb.POLICY_SCOPE_AWS,
                                                                     page=ipb.Page(max_items=1000)))
    assert len(everything.policies) == 1000 and everything.is_truncated
    local = await iamd.iam.ListPolicies(ipb.ListPoliciesRequest(scope=ipb.POLICY_SCOPE_LOCAL))
    assert not local.policies

    # As a permissions boundary: the user's own grants are capped by it.
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=user("reader"), policy_name="all",
        policy_document='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'))
    bounded = await iamd.iam.PutPermissionsBoundary(ipb.PutPermissionsBoundaryRequest(
        target=user("reader"), permissions_boundary=READ_ONLY))
    assert await decide(iamd, "reader", "s3:PutObject", bucket_object, bounded.position) == apb.DECISION_IMPLICIT_DENY
    assert await decide(iamd, "reader", "s3:GetObject", bucket_object, bounded.position) == apb.DECISION_ALLOW

    detached = await iamd.iam.DetachPolicy(ipb.DetachPolicyRequest(target=user("reader"), policy_arn=READ_ONLY))
    assert (await iamd.iam.GetPolicy(ipb.GetPolicyRequest(policy_arn=READ_ONLY))).policy.attachment_count == 0
    assert await decide(iamd, "reader", "s3:GetObject", bucket_object, detached.position) == apb.DECISION_ALLOW  # inline *

    # Nobody changes AWS's policies, the root user included; an ARN AWS does not have is none.
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await iamd.iam.CreatePolicyVersion(ipb.CreatePolicyVersionRequest(
            policy_arn=ADMIN, policy_document='{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}'))
    assert refused.value.code() in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.NOT_FOUND)
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await iamd.iam.AttachPolicy(ipb.AttachPolicyRequest(target=user("reader"),
                                                            policy_arn="arn:aws:iam::aws:policy/NoSuchThing"))
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND


async def test_holders_of_aws_policies_survive_a_restart(tmp_path: Path) -> None:
    iamd = await start_iamd(tmp_path / "data")
    await iamd.iam.CreateRole(ipb.CreateRoleRequest(
        role_name="ops", assume_role_policy_document='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}'))
    await iamd.iam.AttachPolicy(ipb.AttachPolicyRequest(target=pb.EntityRef(kind=pb.ENTITY_KIND_ROLE, name="ops"),
                                                        policy_arn=ADMIN))
    await stop_iamd(iamd)  # a graceful stop writes the snapshot the next start loads
    again = await start_iamd(tmp_path / "data")
    try:
        assert (await again.iam.GetPolicy(ipb.GetPolicyRequest(policy_arn=ADMIN))).policy.attachment_count == 1
        answer = await again.authz.Authorize(apb.AuthorizeRequest(
            principal_arn=f"arn:aws:iam::{ACCOUNT}:role/ops", action="ec2:RunInstances", resource="*"))
        assert answer.decision == apb.DECISION_ALLOW
    finally:
        await stop_iamd(again)
