"""An IAM resource's own tags decide IAM's tag conditions, whatever else is registered under its ARN.

iamd's registry of other services' resources (iamd:TagResource, iamd:PutResourcePolicy) refuses the
ARNs of IAM, STS and Organizations, whose tags and policies are their own; a log from before that
refusal may still hold such registrations. Neither is the role's: AWS decides an IAM action on a
role with the role's own tags (aws:ResourceTag/*, iam:ResourceTag/*), so a registration must
neither hide them (and with them a Deny that protects the role) nor add any."""

from __future__ import annotations

import json

import grpc
import pytest

from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import identity_pb2_grpc

from .conftest import ACCOUNT, Iamd
from .helpers import TRUST_EC2, refused, user_with_key

pytestmark = pytest.mark.e2e

ROLE = f"arn:aws:iam::{ACCOUNT}:role/kept"


async def _registered_before(iamd: Iamd, arn: str, tags: dict[str, str] | None = None, policy: str = "") -> int:
    """What a log written before registrations of IAM, STS and Organizations ARNs were refused may
    hold: tags (or a policy) registered under `arn` by its account. Returns the position."""
    from iamd.service.domain import resources
    from iamd.service.domain.events import ResourcePolicyPut, ResourceTagged
    from iamd.service.eventstore.port import NewEvent, StreamState

    event = ResourcePolicyPut(arn, policy) if policy else ResourceTagged(arn, tags or {})
    result = await iamd.running.store.append(resources.stream(ACCOUNT, arn), [
        NewEvent(type(event).__name__, event.to_data(), {"request_id": "older", "operation": "TagResource",
                                                          "time": "2026-11-23T00:00:00Z"})], StreamState.ANY)
    await iamd.running.runner.wait_for(result.position, 5)
    return result.position


async def _ops(iamd: Iamd, *statements: dict) -> grpc.aio.Channel:
    """A channel signed as a new user `ops` whose only policy holds these statements."""
    key = await user_with_key(iamd, "ops")
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="ops"), policy_name="ops",
        policy_document=json.dumps({"Version": "2012-10-17", "Statement": list(statements)})))
    return iamd.connect(key)


async def test_tags_registered_under_a_roles_arn_do_not_hide_the_roles_own(iamd: Iamd) -> None:
    await iamd.iam.CreateRole(ipb.CreateRoleRequest(role_name="kept", assume_role_policy_document=TRUST_EC2,
                                                    tags=[pb.Tag(key="protected", value="yes")]))
    channel = await _ops(iamd,
                         {"Effect": "Allow", "Action": ["iam:GetRole", "iamd:TagResource"], "Resource": "*"},
                         {"Effect": "Deny", "Action": "iam:*", "Resource": "*",
                          "Condition": {"StringEquals": {"iam:ResourceTag/protected": "yes"}}})
    try:
        ops = identity_pb2_grpc.IdentityServiceStub(channel)
        await refused(ops.GetRole(ipb.GetRoleRequest(role_name="kept")), grpc.StatusCode.PERMISSION_DENIED,
                      "AccessDenied")
        # Registering other tags under the role's ARN is refused, and an older registration must
        # not take the role's own away.
        await refused(ops.TagResource(ipb.TagResourceRequest(resource_arn=ROLE, tags=[pb.Tag(key="x", value="y")])),
                      grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")
        position = await _registered_before(iamd, ROLE, {"x": "y"})
        await refused(ops.GetRole(ipb.GetRoleRequest(role_name="kept")), grpc.StatusCode.PERMISSION_DENIED,
                      "AccessDenied")
    finally:
        await channel.close()
    # Authorize decides as iamd's own GetRole does.
    answer = await iamd.authz.Authorize(apb.AuthorizeRequest(
        principal_arn=f"arn:aws:iam::{ACCOUNT}:user/ops", action="iam:GetRole", resource=ROLE,
        min_position=position))
    assert answer.decision == apb.DECISION_EXPLICIT_DENY


async def test_tags_registered_under_a_roles_arn_do_not_add_to_the_roles(iamd: Iamd) -> None:
    await iamd.iam.CreateRole(ipb.CreateRoleRequest(role_name="kept", assume_role_policy_document=TRUST_EC2))
    channel = await _ops(iamd,
                         {"Effect": "Allow", "Action": "iamd:TagResource", "Resource": "*"},
                         {"Effect": "Allow", "Action": "iam:GetRole", "Resource": "*",
                          "Condition": {"StringEquals": {"aws:ResourceTag/team": "ops"}}})
    try:
        ops = identity_pb2_grpc.IdentityServiceStub(channel)
        await refused(ops.GetRole(ipb.GetRoleRequest(role_name="kept")), grpc.StatusCode.PERMISSION_DENIED,
                      "AccessDenied")
        await refused(ops.TagResource(ipb.TagResourceRequest(resource_arn=ROLE,
                                                             tags=[pb.Tag(key="team", value="ops")])),
                      grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")
        await _registered_before(iamd, ROLE, {"team": "ops"})
        await refused(ops.GetRole(ipb.GetRoleRequest(role_name="kept")), grpc.StatusCode.PERMISSION_DENIED,
                      "AccessDenied")
    finally:
        await channel.close()


async def test_a_policy_registered_under_a_roles_arn_grants_no_iam_action_on_it(iamd: Iamd) -> None:
    """IAM roles have no resource-based policy but their trust policy (which governs sts:AssumeRole
    alone): a user allowed only to register resource policies (iamd:PutResourcePolicy) must not
    grant itself IAM actions on a role by registering a policy under the role's ARN."""
    await iamd.iam.CreateRole(ipb.CreateRoleRequest(role_name="kept", assume_role_policy_document=TRUST_EC2))
    ops_arn = f"arn:aws:iam::{ACCOUNT}:user/ops"
    channel = await _ops(iamd, {"Effect": "Allow", "Action": "iamd:PutResourcePolicy", "Resource": "*"})
    try:
        ops = identity_pb2_grpc.IdentityServiceStub(channel)
        await refused(ops.GetRole(ipb.GetRoleRequest(role_name="kept")), grpc.StatusCode.PERMISSION_DENIED,
                      "AccessDenied")
        document = json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ops_arn},
                                                    "Action": "iam:*", "Resource": ROLE}]})
        await refused(ops.PutResourcePolicy(ipb.PutResourcePolicyRequest(resource_arn=ROLE,
                                                                         policy_document=document)),
                      grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")
        await _registered_before(iamd, ROLE, policy=document)  # as an older log may hold it
        await refused(ops.GetRole(ipb.GetRoleRequest(role_name="kept")), grpc.StatusCode.PERMISSION_DENIED,
                      "AccessDenied")
    finally:
        await channel.close()
    answer = await iamd.authz.Authorize(apb.AuthorizeRequest(principal_arn=ops_arn, action="iam:GetRole",
                                                             resource=ROLE))
    assert answer.decision == apb.DECISION_IMPLICIT_DENY


async def test_a_policy_registered_under_a_federated_users_arn_grants_no_sts_action(iamd: Iamd) -> None:
    """The same for STS's own resources: a policy registered under a federated user's ARN is no
    resource policy of GetFederationToken (AWS has none), so it cannot stand in for the caller's
    own permission."""
    from iamd.v1 import sts_pb2, sts_pb2_grpc

    ops_arn = f"arn:aws:iam::{ACCOUNT}:user/ops"
    federated = f"arn:aws:sts::{ACCOUNT}:federated-user/partner"
    channel = await _ops(iamd, {"Effect": "Allow", "Action": "iamd:PutResourcePolicy", "Resource": "*"})
    try:
        ops, ops_sts = identity_pb2_grpc.IdentityServiceStub(channel), sts_pb2_grpc.SecurityTokenServiceStub(channel)
        await refused(ops_sts.GetFederationToken(sts_pb2.GetFederationTokenRequest(name="partner")),
                      grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
        document = json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ops_arn},
                                                    "Action": "sts:GetFederationToken", "Resource": federated}]})
        await refused(ops.PutResourcePolicy(ipb.PutResourcePolicyRequest(resource_arn=federated,
                                                                         policy_document=document)),
                      grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")
        await _registered_before(iamd, federated, policy=document)  # as an older log may hold it
        await refused(ops_sts.GetFederationToken(sts_pb2.GetFederationTokenRequest(name="partner")),
                      grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    finally:
        await channel.close()


async def test_a_policy_registered_under_an_organizations_arn_grants_no_organizations_action(iamd: Iamd) -> None:
    """Organizations' resources (iamd serves Organizations too) have no registrable policy either:
    the management account's user allowed only iamd:PutResourcePolicy must not grant itself
    Organizations actions (creating OUs, moving accounts, detaching SCPs) by registering a policy
    under its organization's root ARN."""
    from iamd.v1 import organizations_pb2 as opb
    from iamd.v1 import organizations_pb2_grpc

    from .helpers import create_organization

    created = await create_organization(organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel))
    root_arn = f"arn:aws:organizations::{ACCOUNT}:root/{created.organization.id}/{created.root_id}"
    ops_arn = f"arn:aws:iam::{ACCOUNT}:user/ops"
    channel = await _ops(iamd, {"Effect": "Allow", "Action": "iamd:PutResourcePolicy", "Resource": "*"})
    try:
        ops = identity_pb2_grpc.IdentityServiceStub(channel)
        ops_org = organizations_pb2_grpc.OrganizationsServiceStub(channel)
        request = opb.CreateOrganizationalUnitRequest(parent_id=created.root_id, name="mine")
        await refused(ops_org.CreateOrganizationalUnit(request), grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
        document = json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ops_arn},
                                                    "Action": "organizations:*", "Resource": root_arn}]})
        await refused(ops.PutResourcePolicy(ipb.PutResourcePolicyRequest(resource_arn=root_arn,
                                                                         policy_document=document)),
                      grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")
        await _registered_before(iamd, root_arn, policy=document)  # as an older log may hold it
        await refused(ops_org.CreateOrganizationalUnit(request), grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    finally:
        await channel.close()
