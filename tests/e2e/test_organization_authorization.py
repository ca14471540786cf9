"""How iamd authorizes AWS Organizations calls, against a real iamd with boto3 as AWS does:
organizations:PolicyType in the request context of the calls on organization policies (the
stored policy's type for one that exists), the resource ARNs of the Service Authorization
Reference (AttachPolicy on the policy and on the target, both), and the operations only the
management account may call (a member account gets AWS's AccessDeniedException)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from .conftest import Credentials, Iamd
from .test_aws_query import _client, _refused

pytestmark = pytest.mark.e2e

SCP, RCP = "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"
MANAGEMENT_ONLY = "You don't have permissions to access this resource."


def _call(method: Any, **kwargs: Any) -> Any:
    return asyncio.to_thread(method, **kwargs)


async def _organization(iamd: Iamd) -> tuple[Any, dict[str, Any]]:
    """An organization with SCPs and RCPs enabled: (the management root's client, its root)."""
    org = _client(iamd, "organizations")
    await _call(org.create_organization, FeatureSet="ALL")
    [root] = (await _call(org.list_roots))["Roots"]
    for policy_type in (SCP, RCP):
        await _call(org.enable_policy_type, RootId=root["Id"], PolicyType=policy_type)
    return org, root


async def _operator(iamd: Iamd, *statements: dict[str, Any]) -> Any:
    """An organizations client signed by a management-account user with these statements only."""
    iam = _client(iamd, "iam")
    await _call(iam.create_user, UserName="operator")
    await _call(iam.put_user_policy, UserName="operator", PolicyName="organizations",
                PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))
    key = (await _call(iam.create_access_key, UserName="operator"))["AccessKey"]
    return _client(iamd, "organizations", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))


def _content(policy_type: str) -> str:
    """A policy of the type denying s3:* (an RCP names its principals)."""
    statement = {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}
    if policy_type == RCP:
        statement["Principal"] = "*"
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


async def _policy(org: Any, name: str, policy_type: str) -> dict[str, Any]:
    created = await _call(org.create_policy, Name=name, Type=policy_type, Description="",
                          Content=_content(policy_type))
    return created["Policy"]["PolicySummary"]


async def test_a_deny_on_the_policy_type_applies_to_the_calls_on_policies(iamd_http: Iamd) -> None:
    org, root = await _organization(iamd_http)
    ou = (await _call(org.create_organizational_unit, ParentId=root["Id"], Name="apps"))["OrganizationalUnit"]
    scp, rcp = await _policy(org, "no-s3", SCP), await _policy(org, "no-s3-rcp", RCP)
    operator = await _operator(
        iamd_http,
        {"Effect": "Allow", "Action": "organizations:*", "Resource": "*"},
        {"Effect": "Deny", "Action": ["organizations:AttachPolicy", "organizations:DescribePolicy",
                                      "organizations:TagResource"], "Resource": "*",
         "Condition": {"StringEquals": {"organizations:PolicyType": SCP}}},
        {"Effect": "Deny", "Action": ["organizations:ListPolicies", "organizations:CreatePolicy"], "Resource": "*",
         "Condition": {"StringEquals": {"organizations:PolicyType": RCP}}})

    # AttachPolicy: the stored policy's type, whatever the target.
    error = await _refused(operator.attach_policy, "AccessDeniedException", 400, PolicyId=scp["Id"],
                           TargetId=ou["Id"])
    assert "organizations:AttachPolicy" in str(error) and "explicit deny" in str(error)
    await _refused(operator.attach_policy, "AccessDeniedException", 400, PolicyId="p-FullAWSAccess",
                   TargetId=ou["Id"])  # AWS managed: an SCP too
    await _call(operator.attach_policy, PolicyId=rcp["Id"], TargetId=ou["Id"])
    targets = (await _call(org.list_targets_for_policy, PolicyId=scp["Id"]))["Targets"]
    assert targets == []  # the refused attachment did not happen

    # The other calls on a policy, its listing by type, its creation by type, tagging a policy.
    await _refused(operator.describe_policy, "AccessDeniedException", 400, PolicyId=scp["Id"])
    assert (await _call(operator.describe_policy, PolicyId=rcp["Id"]))["Policy"]["PolicySummary"]["Type"] == RCP
    await _refused(operator.list_policies, "AccessDeniedException", 400, Filter=RCP)
    assert {p["Id"] for p in (await _call(operator.list_policies, Filter=SCP))["Policies"]} >= {scp["Id"]}
    await _refused(operator.create_policy, "AccessDeniedException", 400, Name="x", Type=RCP, Description="",
                   Content=_content(RCP))
    await _call(operator.create_policy, Name="y", Type=SCP, Description="", Content=_content(SCP))
    await _refused(operator.tag_resource, "AccessDeniedException", 400, ResourceId=scp["Id"],
                   Tags=[{"Key": "k", "Value": "v"}])
    await _call(operator.tag_resource, ResourceId=rcp["Id"], Tags=[{"Key": "k", "Value": "v"}])
    await _call(operator.tag_resource, ResourceId=ou["Id"], Tags=[{"Key": "k", "Value": "v"}])  # no policy: no key


async def test_a_policy_scoped_to_one_ou_allows_attaching_there_only(iamd_http: Iamd) -> None:
    org, root = await _organization(iamd_http)
    allowed = (await _call(org.create_organizational_unit, ParentId=root["Id"], Name="sandbox"))["OrganizationalUnit"]
    other = (await _call(org.create_organizational_unit, ParentId=root["Id"], Name="prod"))["OrganizationalUnit"]
    scp, rcp = await _policy(org, "no-s3", SCP), await _policy(org, "no-s3-rcp", RCP)
    assert scp["Arn"].startswith("arn:aws:organizations::") and f"/{SCP.lower()}/{scp['Id']}" in scp["Arn"]
    operator = await _operator(
        iamd_http,
        {"Effect": "Allow", "Action": ["organizations:AttachPolicy", "organizations:DetachPolicy"],
         "Resource": [scp["Arn"], allowed["Arn"]]},
        {"Effect": "Allow", "Action": "organizations:ListPoliciesForTarget", "Resource": allowed["Arn"]},
        {"Effect": "Allow", "Action": "organizations:DescribePolicy", "Resource": scp["Arn"]})

    await _call(operator.attach_policy, PolicyId=scp["Id"], TargetId=allowed["Id"])
    listed = await _call(operator.list_policies_for_target, TargetId=allowed["Id"], Filter=SCP)
    assert scp["Id"] in {p["Id"] for p in listed["Policies"]}
    for target in (other, root):  # the policy is allowed, the target is not
        error = await _refused(operator.attach_policy, "AccessDeniedException", 400, PolicyId=scp["Id"],
                               TargetId=target["Id"])
        assert target["Arn"] in str(error), str(error)
    error = await _refused(operator.attach_policy, "AccessDeniedException", 400, PolicyId=rcp["Id"],
                           TargetId=allowed["Id"])  # the target is allowed, the policy is not
    assert rcp["Arn"] in str(error), str(error)
    await _refused(operator.list_policies_for_target, "AccessDeniedException", 400, TargetId=other["Id"],
                   Filter=SCP)
    assert (await _call(operator.describe_policy, PolicyId=scp["Id"]))["Policy"]["PolicySummary"]["Arn"] == scp["Arn"]
    await _refused(operator.describe_policy, "AccessDeniedException", 400, PolicyId=rcp["Id"])
    # AWS managed policies have their own ARN (arn:aws:organizations::aws:policy/...), not allowed here.
    error = await _refused(operator.attach_policy, "AccessDeniedException", 400, PolicyId="p-FullAWSAccess",
                           TargetId=allowed["Id"])
    assert "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess" in str(error)
    await _call(operator.detach_policy, PolicyId=scp["Id"], TargetId=allowed["Id"])
    targets = (await _call(org.list_targets_for_policy, PolicyId=scp["Id"]))["Targets"]
    assert targets == []


async def _member_credentials(iamd: Iamd, org: Any) -> Credentials:
    """A session of a new member account's OrganizationAccountAccessRole (administrator there),
    assumed by a management-account user."""
    status = (await _call(org.create_account, AccountName="dev", Email="dev@example.com"))["CreateAccountStatus"]
    member = (await _call(org.describe_create_account_status,
                          CreateAccountRequestId=status["Id"]))["CreateAccountStatus"]["AccountId"]
    iam = _client(iamd, "iam")
    await _call(iam.create_user, UserName="admin")
    await _call(iam.put_user_policy, UserName="admin", PolicyName="assume", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
    key = (await _call(iam.create_access_key, UserName="admin"))["AccessKey"]
    sts = _client(iamd, "sts", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    c = (await _call(sts.assume_role, RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole",
                     RoleSessionName="admin"))["Credentials"]
    return Credentials(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])


async def test_a_member_account_may_describe_the_organization_and_nothing_else(iamd_http: Iamd) -> None:
    org, root = await _organization(iamd_http)
    as_member = _client(iamd_http, "organizations", await _member_credentials(iamd_http, org))
    organization = (await _call(org.describe_organization))["Organization"]
    assert (await _call(as_member.describe_organization))["Organization"] == organization  # any account may

    # The calls on `*` pass the member's administrator policy and are refused as AWS refuses them.
    for method, kwargs in ((as_member.list_accounts, {}), (as_member.list_roots, {}),
                           (as_member.list_aws_service_access_for_organization, {}),
                           (as_member.list_policies, {"Filter": SCP}), (as_member.list_create_account_status, {})):
        error = await _refused(method, "AccessDeniedException", 400, **kwargs)
        assert error.response["Error"]["Message"] == MANAGEMENT_ONLY, (method, error.response)
    # The calls on the organization's resources are refused too (they are the management account's).
    for method, kwargs in ((as_member.list_children, {"ParentId": root["Id"], "ChildType": "ACCOUNT"}),
                           (as_member.describe_policy, {"PolicyId": "p-FullAWSAccess"}),
                           (as_member.list_tags_for_resource, {"ResourceId": root["Id"]})):
        await _refused(method, "AccessDeniedException", 400, **kwargs)
    # ... and the management account still may.
    assert len((await _call(org.list_accounts))["Accounts"]) == 2
