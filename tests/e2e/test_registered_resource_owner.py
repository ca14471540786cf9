"""A registered resource whose ARN names no account (a bucket) is its first registrant's (issue
12): another account can neither replace nor delete its policy, nor change its tags, which the
decisions about it read, whatever that policy grants (AWS: only the bucket owner's account may put
a bucket's policy; another account gets 405 Method Not Allowed even when allowed)."""

from __future__ import annotations

import json

import grpc
import pytest

from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import identity_pb2_grpc
from iamd.v1 import organizations_pb2 as opb
from iamd.v1 import organizations_pb2_grpc

from .conftest import ACCOUNT, Iamd
from .helpers import refused
from .test_organization_delegation import _member_with_a_user

pytestmark = pytest.mark.e2e

BUCKET = "arn:aws:s3:::owned-by-the-first"
# Public, carelessly: every action of every service to everyone (iamd's own registry actions too).
OWNERS_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": BUCKET},
    {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", "Resource": BUCKET,
     "Condition": {"StringNotEquals": {"aws:PrincipalAccount": ACCOUNT}}}]})
INTRUDERS_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": BUCKET}]})


async def test_another_account_cannot_replace_a_registered_resources_policy_or_tags(iamd: Iamd) -> None:
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    await org.CreateOrganization(opb.CreateOrganizationRequest())
    _dev, channel = await _member_with_a_user(iamd, org)  # the member account's administrator session
    other = identity_pb2_grpc.IdentityServiceStub(channel)
    try:
        await iamd.iam.PutResourcePolicy(ipb.PutResourcePolicyRequest(resource_arn=BUCKET,
                                                                      policy_document=OWNERS_POLICY))
        await iamd.iam.TagResource(ipb.TagResourceRequest(resource_arn=BUCKET, tags=[pb.Tag(key="stage", value="prod")]))
        await refused(other.PutResourcePolicy(ipb.PutResourcePolicyRequest(
            resource_arn=BUCKET, policy_document=INTRUDERS_POLICY)), grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
        await refused(other.DeleteResourcePolicy(ipb.DeleteResourcePolicyRequest(resource_arn=BUCKET)),
                      grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
        await refused(other.TagResource(ipb.TagResourceRequest(resource_arn=BUCKET, tags=[
            pb.Tag(key="stage", value="dev")])), grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
        got = await iamd.iam.GetResourcePolicy(ipb.GetResourcePolicyRequest(resource_arn=BUCKET))
        assert json.loads(got.policy_document) == json.loads(OWNERS_POLICY)
        assert iamd.running.runner.projection.resources[BUCKET]["tags"] == {"stage": "prod"}
        # A bucket nobody registered yet is the member's to register.
        await other.PutResourcePolicy(ipb.PutResourcePolicyRequest(resource_arn="arn:aws:s3:::members",
                                                                   policy_document=INTRUDERS_POLICY.replace(
                                                                       BUCKET, "arn:aws:s3:::members")))
    finally:
        await channel.close()


async def test_anonymous_and_service_requests_find_a_registered_resources_owner(iamd: Iamd) -> None:
    """A service principal or an anonymous request on a registered bucket needs no resourceAccount:
    the bucket is its registrant's, whose RCPs then apply (as a principal's request finds it)."""
    from iamd.v1 import authorization_pb2 as apb

    public = "arn:aws:s3:::public-registered"
    put = await iamd.iam.PutResourcePolicy(ipb.PutResourcePolicyRequest(resource_arn=public, policy_document=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": public},
            {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:GetBucketAcl",
             "Resource": public}]})))
    await iamd.running.runner.wait_for(put.position, 5)
    anonymous = await iamd.authz.Authorize(apb.AuthorizeRequest(anonymous=True, action="s3:ListBucket",
                                                                resource=public))
    service = await iamd.authz.Authorize(apb.AuthorizeRequest(service_principal="logging.s3.amazonaws.com",
                                                              action="s3:GetBucketAcl", resource=public))
    assert (anonymous.decision, service.decision) == (apb.DECISION_ALLOW, apb.DECISION_ALLOW)
    # Nobody registered this one: its owner must still be given.
    await refused(iamd.authz.Authorize(apb.AuthorizeRequest(anonymous=True, action="s3:ListBucket",
                                                            resource="arn:aws:s3:::unknown")),
                  grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")


async def test_a_registration_by_another_account_does_not_apply_to_the_owners_resource(iamd: Iamd) -> None:
    """The calling service says whose bucket it is (resourceAccount): a policy another account
    registered for that ARN first (it names no account, so anyone may register it) is not that
    bucket's policy, and cannot let its registrant's principals in."""
    from iamd.service.app.authorize import AuthorizeQuery

    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    await org.CreateOrganization(opb.CreateOrganizationRequest())
    dev, channel = await _member_with_a_user(iamd, org)  # the member's user, allowed s3:*
    squatted = "arn:aws:s3:::the-managements-data"
    try:
        put = await identity_pb2_grpc.IdentityServiceStub(channel).PutResourcePolicy(ipb.PutResourcePolicyRequest(
            resource_arn=squatted, policy_document=json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": dev.split(":")[4]}, "Action": "s3:*", "Resource": squatted}]})))
    finally:
        await channel.close()
    await iamd.running.runner.wait_for(put.position, 5)
    authorizer = iamd.running.gateway.guard.authorizer  # type: ignore[union-attr]
    mine = authorizer.authorize_now(AuthorizeQuery(dev, "s3:ListBucket", squatted)).decision.decision.name
    theirs = authorizer.authorize_now(AuthorizeQuery(dev, "s3:ListBucket", squatted, resource_account=ACCOUNT)
                                      ).decision.decision.name
    assert (mine, theirs) == ("ALLOW", "IMPLICIT_DENY")
