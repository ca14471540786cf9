"""Policy types and trusted access against a real iamd, over gRPC and over HTTP with boto3:
EnablePolicyType / DisablePolicyType (a new organization has none enabled; attaching a policy of a
disabled type is PolicyTypeNotEnabledException; disabling detaches every policy of the type and
they stop applying in Authorize), EnableAWSServiceAccess / DisableAWSServiceAccess /
ListAWSServiceAccessForOrganization; AWS's errors, authorization on the root's ARN, CloudTrail's
names in the audit trail, iamctl; and an organization from an old log keeping SCPs and RCPs."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any

import grpc
import pytest

from iamd.client.credentials import RequestSigner
from iamd.client.iam import IamdClient
from iamd.service.eventstore.port import NewEvent, StreamState
from iamd.v1 import audit_pb2, audit_pb2_grpc, authorization_pb2_grpc, organizations_pb2_grpc
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import organizations_pb2 as opb

from .conftest import ACCOUNT, Credentials, Iamd
from .helpers import allow, create_organization, deny, iamctl_json, refused, user_allowed
from .test_aws_query import _client, _refused

pytestmark = pytest.mark.e2e

SCP, RCP = "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"


def _call(method: Any, **kwargs: Any) -> Any:
    return asyncio.to_thread(method, **kwargs)


async def _member_user(iamd: Iamd, org: Any, ou: str) -> tuple[str, Any]:
    """A member account in `ou` with a user allowed s3:* and sqs:*; (its ARN, an Authorize stub
    of the member account)."""
    member = await org.CreateAccount(opb.CreateAccountRequest(account_name="dev", email="dev@example.com"))
    root_id = (await org.DescribeOrganization(opb.DescribeOrganizationRequest())).root_id
    await org.MoveAccount(opb.MoveAccountRequest(account_id=member.account_id, source_parent_id=root_id,
                                                 destination_parent_id=ou))
    # The management account's admin assumes the member's OrganizationAccountAccessRole.
    key = await user_allowed(iamd, "admin", allow("sts:AssumeRole"))
    from iamd.v1 import sts_pb2, sts_pb2_grpc
    channel = iamd.connect(key)
    c = (await sts_pb2_grpc.SecurityTokenServiceStub(channel).AssumeRole(sts_pb2.AssumeRoleRequest(
        role_arn=member.access_role_arn, role_session_name="admin"))).credentials
    await channel.close()
    member_channel = iamd.connect(Credentials(c.access_key_id, c.secret_access_key, c.session_token))
    from iamd.v1 import identity_pb2_grpc
    member_iam = identity_pb2_grpc.IdentityServiceStub(member_channel)
    await member_iam.CreateUser(ipb.CreateUserRequest(user_name="dev"))
    put = await member_iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="dev"), policy_name="broad",
        policy_document=allow(["s3:*", "sqs:*"])))
    await iamd.running.runner.wait_for(put.position, 5)
    return f"arn:aws:iam::{member.account_id}:user/dev", authorization_pb2_grpc.AuthorizationServiceStub(member_channel)


async def test_policy_types_over_grpc_decide_what_applies(iamd: Iamd) -> None:
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    created = await org.CreateOrganization(opb.CreateOrganizationRequest())
    root_id = created.root_id
    ou = (await org.CreateOrganizationalUnit(opb.CreateOrganizationalUnitRequest(parent_id=root_id, name="eng"))).id
    [root] = (await org.ListRoots(opb.ListRootsRequest())).roots
    assert list(root.policy_types) == []  # AWS: a new organization's root has no policy type enabled
    # AWS's deprecated AvailablePolicyTypes: SCPs alone, ENABLED for the organization whatever the root has.
    assert [(t.type, t.status) for t in created.organization.available_policy_types] == [(SCP, "ENABLED")]
    dev_user, authz = await _member_user(iamd, org, ou)

    async def decide(action: str, position: int = 0, resource: str = "*") -> str:
        answer = await authz.Authorize(apb.AuthorizeRequest(principal_arn=dev_user, action=action,
                                                            resource=resource, min_position=position))
        return apb.Decision.Name(answer.decision)

    no_s3 = (await org.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
        name="no-s3", type=SCP, content=deny("s3:*")))).policy_id  # creating needs no enabled type
    error = await refused(org.AttachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(
        policy_id=no_s3, target_id=ou)), grpc.StatusCode.FAILED_PRECONDITION, "PolicyTypeNotEnabledException")
    assert SCP in error.details()
    attached = await org.ListPoliciesForTarget(opb.ListPoliciesForTargetRequest(target_id=ou, filter=SCP))
    assert list(attached.policies) == []
    assert await decide("s3:GetObject") == "DECISION_ALLOW"  # no SCP applies

    enabled = await org.EnablePolicyType(opb.EnablePolicyTypeRequest(root_id=root_id, policy_type=SCP))
    assert (enabled.root.id, [(t.type, t.status) for t in enabled.root.policy_types]) == \
        (root_id, [(SCP, "ENABLED")])
    for target in (root_id, ou, ACCOUNT):  # FullAWSAccess everywhere
        listed = await org.ListPoliciesForTarget(opb.ListPoliciesForTargetRequest(target_id=target, filter=SCP))
        assert [p.id for p in listed.policies] == ["p-FullAWSAccess"]
    position = (await org.AttachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(
        policy_id=no_s3, target_id=ou))).position
    assert await decide("s3:GetObject", position) == "DECISION_EXPLICIT_DENY"
    assert await decide("sqs:SendMessage") == "DECISION_ALLOW"
    await refused(org.EnablePolicyType(opb.EnablePolicyTypeRequest(root_id=root_id, policy_type=SCP)),
                  grpc.StatusCode.ALREADY_EXISTS, "PolicyTypeAlreadyEnabledException")

    # An RCP: refused until RCPs are enabled, then it applies to the member's resources.
    no_purge = (await org.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
        name="no-purge", type=RCP, content=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "sqs:PurgeQueue", "Resource": "*"}]})))).policy_id
    await refused(org.AttachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(policy_id=no_purge, target_id=ou)),
                  grpc.StatusCode.FAILED_PRECONDITION, "PolicyTypeNotEnabledException")
    both = await org.EnablePolicyType(opb.EnablePolicyTypeRequest(root_id=root_id, policy_type=RCP))
    assert [t.type for t in both.root.policy_types] == [SCP, RCP]
    position = (await org.AttachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(
        policy_id=no_purge, target_id=ou))).position
    queue = f"arn:aws:sqs:us-east-1:{dev_user.split(':')[4]}:orders"
    assert await decide("sqs:PurgeQueue", position, queue) == "DECISION_EXPLICIT_DENY"

    # Disabling SCPs detaches every SCP everywhere; they stop applying; the policies stay.
    disabled = await org.DisablePolicyType(opb.DisablePolicyTypeRequest(root_id=root_id, policy_type=SCP))
    assert [t.type for t in disabled.root.policy_types] == [RCP]
    assert await decide("s3:GetObject", disabled.position) == "DECISION_ALLOW"
    assert await decide("sqs:PurgeQueue", 0, queue) == "DECISION_EXPLICIT_DENY"  # RCPs still apply
    for policy_id in (no_s3, "p-FullAWSAccess"):
        targets = await org.ListTargetsForPolicy(opb.OrganizationPolicyRequest(policy_id=policy_id))
        assert list(targets.targets) == []
    assert (await org.DescribeOrganizationPolicy(opb.OrganizationPolicyRequest(policy_id=no_s3))).policy.content
    await refused(org.DisablePolicyType(opb.DisablePolicyTypeRequest(root_id=root_id, policy_type=SCP)),
                  grpc.StatusCode.FAILED_PRECONDITION, "PolicyTypeNotEnabledException")
    disabled = await org.DisablePolicyType(opb.DisablePolicyTypeRequest(root_id=root_id, policy_type=RCP))
    assert list(disabled.root.policy_types) == []
    assert await decide("sqs:PurgeQueue", disabled.position, queue) == "DECISION_ALLOW"

    # Enabled again: FullAWSAccess alone, the earlier attachments are gone (User Guide).
    again = await org.EnablePolicyType(opb.EnablePolicyTypeRequest(root_id=root_id, policy_type=SCP))
    listed = await org.ListPoliciesForTarget(opb.ListPoliciesForTargetRequest(target_id=ou, filter=SCP))
    assert [p.id for p in listed.policies] == ["p-FullAWSAccess"]
    assert await decide("s3:GetObject", again.position) == "DECISION_ALLOW"

    await refused(org.EnablePolicyType(opb.EnablePolicyTypeRequest(root_id="r-0000", policy_type=RCP)),
                  grpc.StatusCode.NOT_FOUND, "RootNotFoundException")
    await refused(org.EnablePolicyType(opb.EnablePolicyTypeRequest(root_id=root_id, policy_type="CHATBOT_POLICY")),
                  grpc.StatusCode.FAILED_PRECONDITION, "PolicyTypeNotAvailableForOrganizationException")
    await refused(org.EnablePolicyType(opb.EnablePolicyTypeRequest(root_id=root_id, policy_type="MOTO")),
                  grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")


async def test_policy_types_and_trusted_access_with_boto3(iamd_http: Iamd) -> None:
    org = _client(iamd_http, "organizations")
    await _refused(org.enable_policy_type, "AWSOrganizationsNotInUseException", 400, RootId="r-abcd",
                   PolicyType=SCP)
    organization = (await _call(org.create_organization, FeatureSet="ALL"))["Organization"]
    [root] = (await _call(org.list_roots))["Roots"]
    assert root["PolicyTypes"] == []
    policy = (await _call(org.create_policy, Name="no-s3", Type=SCP, Description="", Content=deny("s3:*")))["Policy"]
    error = await _refused(org.attach_policy, "PolicyTypeNotEnabledException", 400,
                           PolicyId=policy["PolicySummary"]["Id"], TargetId=root["Id"])
    assert isinstance(error, org.exceptions.PolicyTypeNotEnabledException)

    answered = (await _call(org.enable_policy_type, RootId=root["Id"], PolicyType=SCP))["Root"]
    assert answered == {"Id": root["Id"], "Arn": root["Arn"], "Name": "Root",
                        "PolicyTypes": [{"Type": SCP, "Status": "ENABLED"}]}
    assert root["Arn"] == f"arn:aws:organizations::{ACCOUNT}:root/{organization['Id']}/{root['Id']}"
    await _call(org.attach_policy, PolicyId=policy["PolicySummary"]["Id"], TargetId=root["Id"])
    await _refused(org.enable_policy_type, "PolicyTypeAlreadyEnabledException", 400, RootId=root["Id"],
                   PolicyType=SCP)
    await _refused(org.enable_policy_type, "RootNotFoundException", 400, RootId="r-0000", PolicyType=SCP)
    await _refused(org.enable_policy_type, "PolicyTypeNotAvailableForOrganizationException", 400,
                   RootId=root["Id"], PolicyType="CHATBOT_POLICY")
    error = (await _refused(org.enable_policy_type, "InvalidInputException", 400, RootId=root["Id"],
                            PolicyType="MOTO")).response
    assert (error["Error"]["Message"], error["Reason"]) == ("You specified an invalid value.", "INVALID_ENUM")
    # CreatePolicy of a type that is none of AWS's is refused as its enum refuses it (moto's
    # test_create_policy_errors); a type AWS has and iamd has not keeps iamd's own message.
    error = (await _refused(org.create_policy, "InvalidInputException", 400, Name="moto", Type="MOTO",
                            Description="", Content=deny("s3:*"))).response
    assert (error["Error"]["Message"], error["Reason"]) == ("You specified an invalid value.", "INVALID_ENUM")
    error = (await _refused(org.create_policy, "InvalidInputException", 400, Name="chatbot", Type="CHATBOT_POLICY",
                            Description="", Content="{}")).response
    assert "CHATBOT_POLICY" in error["Error"]["Message"]
    error = (await _refused(org.disable_policy_type, "InvalidInputException", 400, RootId="root",
                            PolicyType=SCP)).response
    assert error["Reason"] == "INVALID_PATTERN"
    await _refused(org.disable_policy_type, "PolicyTypeNotEnabledException", 400, RootId=root["Id"], PolicyType=RCP)
    answered = (await _call(org.disable_policy_type, RootId=root["Id"], PolicyType=SCP))["Root"]
    assert answered["PolicyTypes"] == []
    targets = await _call(org.list_targets_for_policy, PolicyId=policy["PolicySummary"]["Id"])
    assert targets["Targets"] == []

    # Trusted access.
    assert (await _call(org.list_aws_service_access_for_organization))["EnabledServicePrincipals"] == []
    await _call(org.enable_aws_service_access, ServicePrincipal="config.amazonaws.com")
    [config] = (await _call(org.list_aws_service_access_for_organization))["EnabledServicePrincipals"]
    assert config["ServicePrincipal"] == "config.amazonaws.com" and isinstance(config["DateEnabled"], datetime)
    await _call(org.enable_aws_service_access, ServicePrincipal="config.amazonaws.com")  # again: unchanged
    await _call(org.enable_aws_service_access, ServicePrincipal="ram.amazonaws.com")
    enabled = (await _call(org.list_aws_service_access_for_organization))["EnabledServicePrincipals"]
    assert [s["ServicePrincipal"] for s in enabled] == ["config.amazonaws.com", "ram.amazonaws.com"]
    assert enabled[0] == config
    page = await _call(org.list_aws_service_access_for_organization, MaxResults=1)
    assert len(page["EnabledServicePrincipals"]) == 1 and page["NextToken"]
    rest = await _call(org.list_aws_service_access_for_organization, NextToken=page["NextToken"])
    assert [s["ServicePrincipal"] for s in rest["EnabledServicePrincipals"]] == ["ram.amazonaws.com"]
    for method in (org.enable_aws_service_access, org.disable_aws_service_access):
        error = (await _refused(method, "InvalidInputException", 400, ServicePrincipal="moto.amazonaws.com")).response
        assert error["Reason"] == "UNRECOGNIZED_SERVICE_PRINCIPAL"
    await _call(org.disable_aws_service_access, ServicePrincipal="config.amazonaws.com")
    await _call(org.disable_aws_service_access, ServicePrincipal="config.amazonaws.com")  # again: nothing to do
    enabled = (await _call(org.list_aws_service_access_for_organization))["EnabledServicePrincipals"]
    assert [s["ServicePrincipal"] for s in enabled] == ["ram.amazonaws.com"]

    # Authorized as organizations:EnablePolicyType on the root's ARN; trusted access on "*".
    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="operator")
    await _call(iam.put_user_policy, UserName="operator", PolicyName="rcp-only", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "organizations:EnablePolicyType", "Resource": root["Arn"],
             "Condition": {"StringEquals": {"organizations:PolicyType": RCP}}},
            {"Effect": "Allow", "Action": "organizations:ListAWSServiceAccessForOrganization", "Resource": "*"},
            {"Effect": "Allow", "Action": "organizations:DisableAWSServiceAccess", "Resource": "*",
             "Condition": {"StringEquals": {"organizations:ServicePrincipal": "ram.amazonaws.com"}}}]}))
    key = (await _call(iam.create_access_key, UserName="operator"))["AccessKey"]
    as_operator = _client(iamd_http, "organizations", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    await _refused(as_operator.enable_policy_type, "AccessDeniedException", 400, RootId=root["Id"],
                   PolicyType=SCP)  # organizations:PolicyType is RCP only
    await _call(as_operator.enable_policy_type, RootId=root["Id"], PolicyType=RCP)
    error = await _refused(as_operator.disable_policy_type, "AccessDeniedException", 400, RootId=root["Id"],
                           PolicyType=RCP)
    assert "organizations:DisablePolicyType" in str(error) and root["Arn"] in str(error)
    await _refused(as_operator.enable_aws_service_access, "AccessDeniedException", 400,
                   ServicePrincipal="sso.amazonaws.com")
    assert len((await _call(as_operator.list_aws_service_access_for_organization))["EnabledServicePrincipals"]) == 1
    await _refused(as_operator.disable_aws_service_access, "AccessDeniedException", 400,
                   ServicePrincipal="sso.amazonaws.com")  # organizations:ServicePrincipal is ram's only
    await _call(as_operator.disable_aws_service_access, ServicePrincipal="ram.amazonaws.com")
    assert (await _call(as_operator.list_aws_service_access_for_organization))["EnabledServicePrincipals"] == []

    # CloudTrail's names, from organizations.amazonaws.com, with AWS's parameter shapes.
    audit = audit_pb2_grpc.AuditServiceStub(iamd_http.channel)
    for name, parameters in (("EnablePolicyType", {"rootId": root["Id"], "policyType": RCP}),
                             ("DisablePolicyType", {"rootId": root["Id"], "policyType": SCP}),
                             ("EnableAWSServiceAccess", {"servicePrincipal": "ram.amazonaws.com"}),
                             ("DisableAWSServiceAccess", {"servicePrincipal": "config.amazonaws.com"})):
        events = (await audit.LookupEvents(audit_pb2.LookupEventsRequest(lookup_attributes=[
            audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value=name)]))).events
        records = [json.loads(e.cloud_trail_event) for e in events]
        assert any(r["eventSource"] == "organizations.amazonaws.com" and r["requestParameters"] == parameters
                   and not r.get("errorCode") for r in records), (name, records)


async def test_iamctl_mirrors_the_aws_cli(iamd: Iamd, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    root_id = (await org.CreateOrganization(opb.CreateOrganizationRequest())).root_id
    monkeypatch.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(iamd.data_dir / "root-credentials"))

    iamctl = iamctl_json(iamd, capsys, "organizations")

    # As the aws CLI prints them, plus iamd's Position (the read-your-writes token every command prints).
    enabled = await asyncio.to_thread(iamctl, "enable-policy-type", "--root-id", root_id, "--policy-type", SCP)
    assert enabled == {"Root": {"Id": root_id, "Arn": enabled["Root"]["Arn"], "Name": "Root",
                                "PolicyTypes": [{"Type": SCP, "Status": "ENABLED"}]}, "Position": enabled["Position"]}
    disabled = await asyncio.to_thread(iamctl, "disable-policy-type", "--root-id", root_id, "--policy-type", SCP)
    assert disabled["Root"]["PolicyTypes"] == []
    assert list(await asyncio.to_thread(iamctl, "enable-aws-service-access", "--service-principal",
                                        "sso.amazonaws.com")) == ["Position"]  # the aws CLI prints nothing
    listed = await asyncio.to_thread(iamctl, "list-aws-service-access-for-organization")
    assert [s["ServicePrincipal"] for s in listed["EnabledServicePrincipals"]] == ["sso.amazonaws.com"]
    assert list(await asyncio.to_thread(iamctl, "disable-aws-service-access", "--service-principal",
                                        "sso.amazonaws.com")) == ["Position"]
    assert (await asyncio.to_thread(iamctl, "list-aws-service-access-for-organization")) == \
        {"EnabledServicePrincipals": []}

    # The SDK: one method per RPC, from keyword arguments.
    sdk = IamdClient(iamd.target, metadata_provider=RequestSigner(iamd.root))
    try:
        answered = await asyncio.to_thread(sdk.enable_policy_type, root_id=root_id, policy_type=RCP)
        await asyncio.to_thread(sdk.enable_awsservice_access, service_principal="ram.amazonaws.com")
        listed = await asyncio.to_thread(sdk.list_awsservice_access_for_organization)
    finally:
        sdk.close()
    assert [t.type for t in answered.root.policy_types] == [RCP]
    assert [s.service_principal for s in listed.enabled_service_principals] == ["ram.amazonaws.com"]


async def test_an_organization_of_an_old_log_keeps_its_scps_and_rcps(iamd: Iamd) -> None:
    """An OrganizationCreated written before policy types could be enabled (no enabled_policy_types
    in its payload): SCPs and RCPs stay enabled, FullAWSAccess attached, attaching needs no
    EnablePolicyType, and disabling works as for a new organization."""
    appended = await iamd.running.store.append(f"org-{ACCOUNT}-organization", [NewEvent(
        "OrganizationCreated", {"organization_id": "o-abcdefghij", "root_id": "r-abcd",
                                "management_account_id": ACCOUNT, "created_at": "2026-01-01T00:00:00Z"})],
        StreamState.NO_STREAM)
    await iamd.running.runner.wait_for(appended.position, 5)
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    [root] = (await org.ListRoots(opb.ListRootsRequest())).roots
    assert [(t.type, t.status) for t in root.policy_types] == [(SCP, "ENABLED"), (RCP, "ENABLED")]
    ou = (await org.CreateOrganizationalUnit(opb.CreateOrganizationalUnitRequest(parent_id="r-abcd", name="x"))).id
    for kind, ids in ((SCP, ["p-FullAWSAccess"]), (RCP, ["p-RCPFullAWSAccess"])):
        listed = await org.ListPoliciesForTarget(opb.ListPoliciesForTargetRequest(target_id=ou, filter=kind))
        assert [p.id for p in listed.policies] == ids
    policy_id = (await org.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
        name="no-s3", type=SCP, content=deny("s3:*")))).policy_id
    await org.AttachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(policy_id=policy_id, target_id=ou))
    disabled = await org.DisablePolicyType(opb.DisablePolicyTypeRequest(root_id="r-abcd", policy_type=SCP))
    assert [t.type for t in disabled.root.policy_types] == [RCP]


async def test_the_shared_helper_enables_both_types(iamd: Iamd) -> None:
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    await create_organization(org)
    [root] = (await org.ListRoots(opb.ListRootsRequest())).roots
    assert [t.type for t in root.policy_types] == [SCP, RCP]
