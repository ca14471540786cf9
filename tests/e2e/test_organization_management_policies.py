"""Management policies (tag, backup, AI services opt-out) against a real iamd, over HTTP with boto3
and over gRPC: enabled and disabled at the root, created, updated, attached, detached and deleted
with their content validated as AWS validates it (their syntax, each type's size quota), and never
part of an authorization decision."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import grpc
import pytest

from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import organizations_pb2 as opb
from iamd.v1 import organizations_pb2_grpc

from .conftest import ACCOUNT, Credentials, Iamd
from .helpers import refused
from .test_aws_query import _client, _refused
from .test_organization_policy_types import _member_user

pytestmark = pytest.mark.e2e

TAG, BACKUP, AI = "TAG_POLICY", "BACKUP_POLICY", "AISERVICES_OPT_OUT_POLICY"
TAGS = {"tags": {"CostCenter": {"tag_key": {"@@assign": "CostCenter"},
                                "tag_value": {"@@assign": ["100", "200", "300"]},
                                "enforced_for": {"@@assign": ["ec2:instance", "s3:bucket"]}}}}
OPT_OUT = {"services": {"@@operators_allowed_for_child_policies": ["@@none"],
                        "default": {"opt_out_policy": {"@@assign": "optOut"}}}}
BACKUPS = {"plans": {"daily": {"regions": {"@@assign": ["us-east-1"]},
                               "rules": {"nightly": {"schedule_expression": {"@@assign": "cron(0 5 ? * * *)"},
                                                     "target_backup_vault_name": {"@@assign": "Default"}}}}}}


def _call(method: Any, **kwargs: Any) -> Any:
    return asyncio.to_thread(method, **kwargs)


async def test_management_policies_with_boto3(iamd_http: Iamd) -> None:
    org = _client(iamd_http, "organizations")
    organization = (await _call(org.create_organization, FeatureSet="ALL"))["Organization"]
    [root] = (await _call(org.list_roots))["Roots"]
    for policy_type in (TAG, AI, BACKUP):
        enabled = (await _call(org.enable_policy_type, RootId=root["Id"], PolicyType=policy_type))["Root"]
    assert enabled["PolicyTypes"] == [{"Type": t, "Status": "ENABLED"} for t in (TAG, BACKUP, AI)]
    await _refused(org.enable_policy_type, "PolicyTypeAlreadyEnabledException", 400, RootId=root["Id"],
                   PolicyType=TAG)
    await _refused(org.enable_policy_type, "PolicyTypeNotAvailableForOrganizationException", 400,
                   RootId=root["Id"], PolicyType="CHATBOT_POLICY")

    created = {}
    for policy_type, document in ((TAG, TAGS), (AI, OPT_OUT), (BACKUP, BACKUPS)):
        policy = (await _call(org.create_policy, Name=policy_type.lower(), Type=policy_type, Description="d",
                              Content=json.dumps(document)))["Policy"]
        summary = policy["PolicySummary"]
        assert (summary["Type"], summary["AwsManaged"], json.loads(policy["Content"])) == (policy_type, False, document)
        assert summary["Arn"] == (f"arn:aws:organizations::{ACCOUNT}:policy/{organization['Id']}/"
                                  f"{policy_type.lower()}/{summary['Id']}")
        created[policy_type] = summary["Id"]
        await _call(org.attach_policy, PolicyId=summary["Id"], TargetId=root["Id"])
        listed = (await _call(org.list_policies_for_target, TargetId=root["Id"], Filter=policy_type))["Policies"]
        assert [p["Id"] for p in listed] == [summary["Id"]]
    assert [t["TargetId"] for t in (await _call(org.list_targets_for_policy, PolicyId=created[TAG]))["Targets"]] \
        == [root["Id"]]

    # Content as AWS validates it: the type's syntax, and its size quota.
    error = (await _refused(org.create_policy, "MalformedPolicyDocumentException", 400, Name="bad", Type=TAG,
                            Description="", Content=json.dumps({"tags": {"k": {"tag_key": {"@@merge": "k"}}}})))
    assert "@@merge" in str(error)
    await _refused(org.create_policy, "MalformedPolicyDocumentException", 400, Name="scp-shaped", Type=AI,
                   Description="", Content=json.dumps({"Version": "2012-10-17", "Statement": []}))
    await _refused(org.create_policy, "MalformedPolicyDocumentException", 400, Name="not-json", Type=BACKUP,
                   Description="", Content="{")
    error = await _refused(org.create_policy, "ConstraintViolationException", 400, Name="big", Type=AI,
                           Description="", Content='{"services": {}}' + " " * 2_500)
    assert error.response["Reason"] == "POLICY_CONTENT_LIMIT_EXCEEDED"
    await _refused(org.update_policy, "MalformedPolicyDocumentException", 400, PolicyId=created[TAG],
                   Content=json.dumps({"services": {}}))
    retagged = {"tags": {"Team": {"tag_key": {"@@assign": "Team"}}}}
    updated = (await _call(org.update_policy, PolicyId=created[TAG], Content=json.dumps(retagged)))["Policy"]
    assert json.loads(updated["Content"]) == retagged

    # Detach and delete; disabling a type detaches its policies and keeps them.
    await _refused(org.delete_policy, "PolicyInUseException", 400, PolicyId=created[TAG])
    await _call(org.detach_policy, PolicyId=created[TAG], TargetId=root["Id"])  # no "last policy" rule
    await _call(org.delete_policy, PolicyId=created[TAG])
    disabled = (await _call(org.disable_policy_type, RootId=root["Id"], PolicyType=AI))["Root"]
    assert disabled["PolicyTypes"] == [{"Type": t, "Status": "ENABLED"} for t in (TAG, BACKUP)]
    assert (await _call(org.list_targets_for_policy, PolicyId=created[AI]))["Targets"] == []
    assert (await _call(org.describe_policy, PolicyId=created[AI]))["Policy"]["PolicySummary"]["Type"] == AI
    await _refused(org.attach_policy, "PolicyTypeNotEnabledException", 400, PolicyId=created[AI],
                   TargetId=root["Id"])


async def test_management_policies_never_decide(iamd: Iamd) -> None:
    """A tag or AI opt-out policy attached everywhere changes no Authorize answer: only SCPs and RCPs
    are guardrails."""
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    root_id = (await org.CreateOrganization(opb.CreateOrganizationRequest())).root_id
    ou = (await org.CreateOrganizationalUnit(opb.CreateOrganizationalUnitRequest(parent_id=root_id, name="eng"))).id
    dev_user, authz = await _member_user(iamd, org, ou)
    position = 0
    for policy_type, document in ((TAG, TAGS), (AI, OPT_OUT)):
        await org.EnablePolicyType(opb.EnablePolicyTypeRequest(root_id=root_id, policy_type=policy_type))
        policy_id = (await org.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
            name=policy_type, type=policy_type, content=json.dumps(document)))).policy_id
        for target in (root_id, ou):
            position = (await org.AttachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(
                policy_id=policy_id, target_id=target))).position
    answer = await authz.Authorize(apb.AuthorizeRequest(principal_arn=dev_user, action="s3:GetObject", resource="*",
                                                        min_position=position))
    assert apb.Decision.Name(answer.decision) == "DECISION_ALLOW"
    await refused(org.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
        name="bad", type=TAG, content=json.dumps({"tags": []}))),
        grpc.StatusCode.INVALID_ARGUMENT, "MalformedPolicyDocument")


async def test_describe_effective_policy_with_boto3(iamd_http: Iamd) -> None:
    org = _client(iamd_http, "organizations")
    await _refused(org.describe_effective_policy, "AWSOrganizationsNotInUseException", 400, PolicyType=TAG)
    await _call(org.create_organization, FeatureSet="ALL")
    [root] = (await _call(org.list_roots))["Roots"]
    await _call(org.enable_policy_type, RootId=root["Id"], PolicyType=TAG)
    ou = (await _call(org.create_organizational_unit, ParentId=root["Id"], Name="eng"))["OrganizationalUnit"]["Id"]
    request = (await _call(org.create_account, AccountName="dev", Email="dev@example.com"))["CreateAccountStatus"]
    member = (await _call(org.describe_create_account_status,
                          CreateAccountRequestId=request["Id"]))["CreateAccountStatus"]["AccountId"]
    await _call(org.move_account, AccountId=member, SourceParentId=root["Id"], DestinationParentId=ou)
    await _refused(org.describe_effective_policy, "EffectivePolicyNotFoundException", 400, PolicyType=TAG,
                   TargetId=member)

    async def attach(target: str, document: dict[str, Any]) -> None:
        policy = (await _call(org.create_policy, Name=f"tags-{target}", Type=TAG, Description="",
                              Content=json.dumps(document)))["Policy"]["PolicySummary"]["Id"]
        await _call(org.attach_policy, PolicyId=policy, TargetId=target)

    await attach(root["Id"], {"tags": {"CostCenter": {"tag_key": {"@@assign": "CostCenter"},
                                                      "tag_value": {"@@assign": ["100", "200"],
                                                                    "@@operators_allowed_for_child_policies": [
                                                                        "@@append"]}}}})
    await attach(ou, {"tags": {"CostCenter": {"tag_value": {"@@append": ["300"]}}}})
    await attach(member, {"tags": {"CostCenter": {"tag_value": {"@@assign": ["999"]}},  # not allowed: ignored
                                   "Team": {"tag_key": {"@@assign": "Team"}}}})
    effective = (await _call(org.describe_effective_policy, PolicyType=TAG, TargetId=member))["EffectivePolicy"]
    assert (effective["TargetId"], effective["PolicyType"]) == (member, TAG)
    assert json.loads(effective["PolicyContent"]) == {"tags": {
        "CostCenter": {"tag_key": "CostCenter", "tag_value": ["100", "200", "300"]},
        "Team": {"tag_key": "Team"}}}
    # The management account's own, by default: the root's alone.
    mine = (await _call(org.describe_effective_policy, PolicyType=TAG))["EffectivePolicy"]
    assert mine["TargetId"] == ACCOUNT
    assert json.loads(mine["PolicyContent"]) == {"tags": {"CostCenter": {"tag_key": "CostCenter",
                                                                         "tag_value": ["100", "200"]}}}
    error = await _refused(org.describe_effective_policy, "InvalidInputException", 400, PolicyType=TAG, TargetId=ou)
    assert error.response["Reason"] == "TARGET_NOT_SUPPORTED"
    await _refused(org.describe_effective_policy, "TargetNotFoundException", 400, PolicyType=TAG,
                   TargetId="999999999999")
    await _refused(org.describe_effective_policy, "EffectivePolicyNotFoundException", 400, PolicyType=BACKUP,
                   TargetId=member)


async def test_a_member_account_asks_about_itself(iamd: Iamd) -> None:
    """DescribeEffectivePolicy is the one Organizations read besides DescribeOrganization that any
    account of the organization may make, about itself (API reference)."""
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    root_id = (await org.CreateOrganization(opb.CreateOrganizationRequest())).root_id
    ou = (await org.CreateOrganizationalUnit(opb.CreateOrganizationalUnitRequest(parent_id=root_id, name="eng"))).id
    await org.EnablePolicyType(opb.EnablePolicyTypeRequest(root_id=root_id, policy_type=AI))
    policy_id = (await org.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
        name="opt-out", type=AI, content=json.dumps(OPT_OUT)))).policy_id
    await org.AttachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(policy_id=policy_id, target_id=ou))
    dev_user, _ = await _member_user(iamd, org, ou)
    member = dev_user.split(":")[4]
    from iamd.v1 import identity_pb2 as ipb
    from iamd.v1 import sts_pb2, sts_pb2_grpc
    key = (await iamd.iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="admin"))).access_key
    channel = iamd.connect(Credentials(key.access_key_id, key.secret_access_key))
    c = (await sts_pb2_grpc.SecurityTokenServiceStub(channel).AssumeRole(sts_pb2.AssumeRoleRequest(
        role_arn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole", role_session_name="me"))).credentials
    await channel.close()
    member_channel = iamd.connect(Credentials(c.access_key_id, c.secret_access_key, c.session_token))
    as_member = organizations_pb2_grpc.OrganizationsServiceStub(member_channel)
    answer = await as_member.DescribeEffectivePolicy(opb.DescribeEffectivePolicyRequest(policy_type=AI))
    assert (answer.effective_policy.target_id, json.loads(answer.effective_policy.policy_content)) == (
        member, {"services": {"default": {"opt_out_policy": "optOut"}}})
    await refused(as_member.DescribeEffectivePolicy(opb.DescribeEffectivePolicyRequest(
        policy_type=AI, target_id=ACCOUNT)), grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    await refused(as_member.ListRoots(opb.ListRootsRequest()), grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    await member_channel.close()
