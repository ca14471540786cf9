"""The root user and resource-based policies (issue 12): a resource policy's explicit Deny
applies to the account's root user as to anyone (which is why S3 and SQS let the owner's root user
repair a policy that denies everyone: only GetBucketPolicy, PutBucketPolicy and DeleteBucketPolicy
pass it), and a resource policy granting another account lets that account's root user in."""

from __future__ import annotations

import json

import pytest

from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import identity_pb2 as ipb
from iamd.service.app.authorize import AuthorizeQuery

from .conftest import ACCOUNT, Iamd

pytestmark = pytest.mark.e2e

ROOT = f"arn:aws:iam::{ACCOUNT}:root"
OTHER_ROOT = "arn:aws:iam::210987654321:root"
BUCKET = "arn:aws:s3:::locked"


async def test_a_bucket_policys_deny_applies_to_the_owners_root_user(iamd: Iamd) -> None:
    put = await iamd.iam.PutResourcePolicy(ipb.PutResourcePolicyRequest(resource_arn=BUCKET, policy_document=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                                "Resource": [BUCKET, f"{BUCKET}/*"]}]})))
    await iamd.running.runner.wait_for(put.position, 5)

    async def decision(action: str, resource: str = BUCKET, **more: str) -> str:
        answer = await iamd.authz.Authorize(apb.AuthorizeRequest(principal_arn=ROOT, action=action, resource=resource,
                                                                 resource_account=ACCOUNT, **more))
        return apb.Decision.Name(answer.decision)

    assert await decision("s3:GetObject", BUCKET) == "DECISION_EXPLICIT_DENY"
    assert await decision("s3:DeleteBucket") == "DECISION_EXPLICIT_DENY"
    for action in ("s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"):
        assert await decision(action) == "DECISION_ALLOW", action
    # An inline resource policy too; and a resource without any policy is the root user's.
    queue = f"arn:aws:sqs:us-east-1:{ACCOUNT}:q"
    deny_all = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": queue}]})
    assert await decision("sqs:SendMessage", queue, resource_policy=deny_all) == "DECISION_EXPLICIT_DENY"
    assert await decision("sqs:SetQueueAttributes", queue, resource_policy=deny_all) == "DECISION_ALLOW"
    assert await decision("s3:GetObject", "arn:aws:s3:::open/key") == "DECISION_ALLOW"


async def test_a_resource_policy_granting_another_account_lets_its_root_user_in(iamd: Iamd) -> None:
    authorizer = iamd.running.gateway.guard.authorizer  # type: ignore[union-attr]
    queue = f"arn:aws:sqs:us-east-1:{ACCOUNT}:shared"
    grant = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "210987654321"}, "Action": "sqs:SendMessage", "Resource": queue}]})

    def decided(action: str, policy: str = grant) -> str:
        return authorizer.authorize_now(AuthorizeQuery(OTHER_ROOT, action, queue, resource_policy=policy)
                                        ).decision.decision.name

    assert decided("sqs:SendMessage") == "ALLOW"
    assert decided("sqs:DeleteQueue") == "IMPLICIT_DENY"
    assert decided("sqs:SendMessage", "") == "IMPLICIT_DENY"  # no policy: another account's queue


async def test_a_registered_resource_belongs_to_the_account_that_registered_it(iamd: Iamd) -> None:
    """A registered resource whose ARN names no account (a bucket) is its registering account's:
    another account's principal asking without resourceAccount is asked about across accounts (its
    own policies do not suffice, and the owner's root-user exemption is not its own)."""
    from iamd.v1 import organizations_pb2 as opb
    from iamd.v1 import organizations_pb2_grpc

    from .test_organization_delegation import _member_with_a_user

    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    await org.CreateOrganization(opb.CreateOrganizationRequest())
    dev, channel = await _member_with_a_user(iamd, org)  # the member's user, allowed s3:*
    await channel.close()
    member_root = f"arn:aws:iam::{dev.split(':')[4]}:root"
    bucket = "arn:aws:s3:::owned"
    put = await iamd.iam.PutResourcePolicy(ipb.PutResourcePolicyRequest(resource_arn=bucket, policy_document=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "s3:*", "Resource": [bucket, f"{bucket}/*"]},
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*Policy", "Resource": bucket,
             "Condition": {"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT}}}]})))
    await iamd.running.runner.wait_for(put.position, 5)
    authorizer = iamd.running.gateway.guard.authorizer  # type: ignore[union-attr]

    def decided(principal: str, action: str, resource: str = bucket) -> str:
        return authorizer.authorize_now(AuthorizeQuery(principal, action, resource)).decision.decision.name

    assert decided(dev, "s3:ListBucket") == "IMPLICIT_DENY"  # the bucket grants its own account only
    assert decided(member_root, "s3:PutBucketPolicy") == "EXPLICIT_DENY"  # not the owner's root user
    assert decided(member_root, "s3:ListBucket") == "IMPLICIT_DENY"
    assert decided(ROOT, "s3:PutBucketPolicy") == "ALLOW"  # the owner's
    assert decided(dev, "s3:GetObject", "arn:aws:s3:::unregistered/key") == "ALLOW"  # the principal's, as before


async def test_a_member_accounts_rcps_apply_to_its_root_user(iamd: Iamd) -> None:
    """RCPs limit what anyone may do with a member account's resources, its own root user
    included; only the management account's resources are outside them (AWS Organizations,
    "Resource control policies"). With RCPs enabled and SCPs not, the root user's shortcut skipped them."""
    from iamd.v1 import organizations_pb2 as opb
    from iamd.v1 import organizations_pb2_grpc

    from .helpers import create_organization

    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    created = await create_organization(org, ("RESOURCE_CONTROL_POLICY",))
    member = (await org.CreateAccount(opb.CreateAccountRequest(account_name="m", email="m@example.com"))).account_id
    rcp = (await org.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
        name="no-s3", type="RESOURCE_CONTROL_POLICY", content=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]})))).policy_id
    attached = await org.AttachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(policy_id=rcp,
                                                                                      target_id=created.root_id))
    await iamd.running.runner.wait_for(attached.position, 5)
    authorizer = iamd.running.gateway.guard.authorizer  # type: ignore[union-attr]

    def decided(principal: str, account: str) -> str:
        return authorizer.authorize_now(AuthorizeQuery(principal, "s3:GetObject", "arn:aws:s3:::b/k",
                                                       resource_account=account)).decision.decision.name

    assert decided(f"arn:aws:iam::{member}:root", member) == "EXPLICIT_DENY"
    assert decided(ROOT, ACCOUNT) == "ALLOW"  # the management account's resources: no RCP applies
