"""The organization's resource policy (AWS's delegation policy) against a real iamd, with boto3 over
HTTP: PutResourcePolicy / DescribeResourcePolicy / DeleteResourcePolicy as AWS answers them (shapes,
ResourcePolicyNotFound, the content's checks, tags at creation), and its effect: a member account it
names may make the reads and policy changes it grants, on the resources it grants, when the
caller's own identity policies allow them too; nothing once it is deleted."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from iamd.v1 import audit_pb2, audit_pb2_grpc

from .conftest import ACCOUNT, Credentials, Iamd
from .helpers import iamctl_json
from .test_aws_query import _client, _refused
from .test_organization_authorization import MANAGEMENT_ONLY, _member_credentials

pytestmark = pytest.mark.e2e

TAG_POLICY = "TAG_POLICY"
TAG_CONTENT = json.dumps({"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"}}}})


def _call(method: Any, **kwargs: Any) -> Any:
    return asyncio.to_thread(method, **kwargs)


async def _denied(method: Any, **kwargs: Any) -> Any:
    """AccessDeniedException (its HTTP status is the endpoint's concern, not this test's)."""
    with pytest.raises(ClientError) as caught:
        await _call(method, **kwargs)
    assert caught.value.response["Error"]["Code"] == "AccessDeniedException", caught.value.response
    return caught.value


def _delegation(member: str, *statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{member}:root"}, **s} for s in statements]})


async def test_put_describe_and_delete_the_resource_policy_as_aws_answers_them(iamd_http: Iamd) -> None:
    org = _client(iamd_http, "organizations")
    organization = (await _call(org.create_organization, FeatureSet="ALL"))["Organization"]
    await _refused(org.describe_resource_policy, "ResourcePolicyNotFoundException", 400)
    await _refused(org.delete_resource_policy, "ResourcePolicyNotFoundException", 400)

    # The content as AWS checks it: a resource-based policy, AWS principals, delegable actions only.
    for content, reason in (("{not json", ""),
                            (_delegation("111122223333", {"Action": "organizations:ListAccounts"}), ""),  # no Resource
                            (json.dumps({"Version": "2012-10-17", "Statement": [{
                                "Effect": "Allow", "Principal": "*", "Action": "organizations:ListAccounts",
                                "Resource": "*"}]}), "INVALID_PRINCIPAL"),
                            (_delegation("111122223333", {"Action": "organizations:CreateAccount", "Resource": "*"}),
                             ""),
                            (_delegation("111122223333", {"Action": "organizations:*", "Resource": "*"}), ""),
                            (_delegation("111122223333", {"NotAction": "organizations:CreateAccount",
                                                          "Resource": "*"}), "")):
        error = (await _refused(org.put_resource_policy, "InvalidInputException", 400, Content=content)).response
        assert error.get("Reason", "") == reason, (content, error)
    await _refused(org.describe_resource_policy, "ResourcePolicyNotFoundException", 400)  # nothing was kept

    content = _delegation("111122223333", {"Action": ["organizations:Describe*", "organizations:List*"],
                                           "Resource": "*"})
    put = (await _call(org.put_resource_policy, Content=content, Tags=[{"Key": "team", "Value": "sec"}]))
    policy = put["ResourcePolicy"]
    summary = policy["ResourcePolicySummary"]
    assert summary["Id"].startswith("rp-") and policy["Content"] == content
    assert summary["Arn"] == (f"arn:aws:organizations::{ACCOUNT}:resourcepolicy/{organization['Id']}/"
                              f"{summary['Id']}")
    assert (await _call(org.describe_resource_policy))["ResourcePolicy"] == policy
    assert (await _call(org.list_tags_for_resource, ResourceId=summary["Id"]))["Tags"] == [
        {"Key": "team", "Value": "sec"}]
    # Replaced in place (same id); tags only at creation.
    narrower = _delegation("111122223333", {"Action": "organizations:ListAccounts", "Resource": "*"})
    again = (await _call(org.put_resource_policy, Content=narrower))["ResourcePolicy"]
    assert (again["ResourcePolicySummary"], again["Content"]) == (summary, narrower)
    await _refused(org.put_resource_policy, "InvalidInputException", 400, Content=content,
                   Tags=[{"Key": "a", "Value": "b"}])

    await _call(org.delete_resource_policy)
    await _refused(org.describe_resource_policy, "ResourcePolicyNotFoundException", 400)
    await _refused(org.list_tags_for_resource, "TargetNotFoundException", 400, ResourceId=summary["Id"])

    audit = audit_pb2_grpc.AuditServiceStub(iamd_http.channel)
    for name in ("PutResourcePolicy", "DescribeResourcePolicy", "DeleteResourcePolicy"):
        events = (await audit.LookupEvents(audit_pb2.LookupEventsRequest(lookup_attributes=[
            audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value=name)]))).events
        assert any(json.loads(e.cloud_trail_event)["eventSource"] == "organizations.amazonaws.com" for e in events)


async def _member_user(iamd: Iamd, admin: Credentials, name: str, actions: list[str]) -> Any:
    """An IAM user of the member account allowed only `actions`, as an Organizations client."""
    iam = _client(iamd, "iam", admin)
    await _call(iam.create_user, UserName=name)
    await _call(iam.put_user_policy, UserName=name, PolicyName="org", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}))
    key = (await _call(iam.create_access_key, UserName=name))["AccessKey"]
    return _client(iamd, "organizations", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))


async def test_a_member_account_the_policy_names_may_do_what_it_and_its_own_policies_allow(iamd_http: Iamd) -> None:
    org = _client(iamd_http, "organizations")
    organization = (await _call(org.create_organization, FeatureSet="ALL"))["Organization"]
    [root] = (await _call(org.list_roots))["Roots"]
    await _call(org.enable_policy_type, RootId=root["Id"], PolicyType=TAG_POLICY)
    ou = (await _call(org.create_organizational_unit, ParentId=root["Id"], Name="team"))["OrganizationalUnit"]
    admin = await _member_credentials(iamd_http, org)
    as_member = _client(iamd_http, "organizations", admin)  # the member's administrator: its policies allow all
    member = [a["Id"] for a in (await _call(org.list_accounts))["Accounts"] if a["Id"] != ACCOUNT][0]
    error = await _denied(as_member.list_accounts)
    assert error.response["Error"]["Message"] == MANAGEMENT_ONLY  # nothing delegates to it yet

    # AWS's examples: the reads, tag policies' CRUD, and attaching them to one OU only.
    tag_policies = f"arn:aws:organizations::{ACCOUNT}:policy/{organization['Id']}/tag_policy/*"
    await _call(org.put_resource_policy, Content=_delegation(
        member,
        {"Action": ["organizations:Describe*", "organizations:ListAccounts", "organizations:ListRoots",
                    "organizations:ListPolicies", "organizations:ListPoliciesForTarget"], "Resource": "*"},
        {"Action": ["organizations:CreatePolicy", "organizations:UpdatePolicy", "organizations:DeletePolicy"],
         "Resource": "*", "Condition": {"StringEquals": {"organizations:PolicyType": TAG_POLICY}}},
        {"Action": ["organizations:AttachPolicy", "organizations:DetachPolicy"],
         "Resource": [ou["Arn"], tag_policies]}))

    assert {a["Id"] for a in (await _call(as_member.list_accounts))["Accounts"]} == {ACCOUNT, member}
    assert (await _call(as_member.list_roots))["Roots"][0]["Id"] == root["Id"]
    assert (await _call(as_member.describe_resource_policy))["ResourcePolicy"]["ResourcePolicySummary"]["Id"]
    created = (await _call(as_member.create_policy, Name="cost", Type=TAG_POLICY, Content=TAG_CONTENT,
                           Description=""))["Policy"]["PolicySummary"]
    await _call(as_member.attach_policy, PolicyId=created["Id"], TargetId=ou["Id"])
    assert [p["Id"] for p in (await _call(org.list_policies_for_target, TargetId=ou["Id"],
                                          Filter=TAG_POLICY))["Policies"]] == [created["Id"]]
    # What the policy does not grant: another target, another policy type, another action, and the
    # calls no delegation policy can grant.
    await _denied(as_member.attach_policy, PolicyId=created["Id"],
                   TargetId=root["Id"])
    await _denied(as_member.create_policy, Name="scp",
                   Type="SERVICE_CONTROL_POLICY", Content=json.dumps({
                       "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*",
                                                               "Resource": "*"}]}), Description="")
    await _denied(as_member.list_children, ParentId=root["Id"], ChildType="ACCOUNT")
    for method, kwargs in ((as_member.create_account, {"AccountName": "x", "Email": "x@example.com"}),
                           (as_member.put_resource_policy, {"Content": "{}"}),
                           (as_member.delete_resource_policy, {})):
        await _denied(method, **kwargs)

    # Its own identity policies must allow the call too (cross-account: both must).
    reader = await _member_user(iamd_http, admin, "reader", ["organizations:ListAccounts"])
    assert len((await _call(reader.list_accounts))["Accounts"]) == 2
    await _denied(reader.list_roots)  # the resource policy allows, it does not

    # A Deny of the resource policy refuses even a delegated administrator's reads.
    await _call(org.enable_aws_service_access, ServicePrincipal="config.amazonaws.com")
    await _call(org.register_delegated_administrator, AccountId=member, ServicePrincipal="config.amazonaws.com")
    await _call(org.put_resource_policy, Content=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": {"AWS": member}, "Resource": "*",
         "Action": ["organizations:ListRoots", "organizations:DescribeEffectivePolicy"]}]}))
    assert (await _call(as_member.list_accounts))["Accounts"]  # the registration's reads
    await _denied(as_member.list_roots)
    # About itself an account asks on its own policies alone (any account may); about another, not.
    await _refused(as_member.describe_effective_policy, "EffectivePolicyNotFoundException", 400,
                   PolicyType=TAG_POLICY)
    await _denied(as_member.describe_effective_policy, PolicyType=TAG_POLICY, TargetId=ACCOUNT)
    await _denied(as_member.detach_policy, PolicyId=created["Id"],
                   TargetId=ou["Id"])  # no longer delegated

    await _call(org.deregister_delegated_administrator, AccountId=member, ServicePrincipal="config.amazonaws.com")
    await _call(org.delete_resource_policy)
    await _denied(as_member.list_accounts)


async def test_iamctl_resource_policy_commands(iamd: Iamd, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from iamd.v1 import organizations_pb2 as opb
    from iamd.v1 import organizations_pb2_grpc

    await organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel).CreateOrganization(
        opb.CreateOrganizationRequest())
    monkeypatch.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(iamd.data_dir / "root-credentials"))
    iamctl = iamctl_json(iamd, capsys, "organizations")
    content = _delegation("111122223333", {"Action": "organizations:ListAccounts", "Resource": "*"})
    put = await asyncio.to_thread(iamctl, "put-resource-policy", "--content", content, "--tags", "Key=a,Value=b")
    assert put["ResourcePolicy"]["ResourcePolicySummary"]["Id"].startswith("rp-")
    assert (await asyncio.to_thread(iamctl, "describe-resource-policy"))["ResourcePolicy"]["Content"] == content
    await asyncio.to_thread(iamctl, "delete-resource-policy")


async def test_enable_all_features_and_create_gov_cloud_account_are_refused_as_aws_refuses_them(
        iamd_http: Iamd) -> None:
    """iamd's organizations have all features from their creation, and it has no GovCloud partition:
    AWS's answers for such an organization and such a management account."""
    org = _client(iamd_http, "organizations")
    await _refused(org.enable_all_features, "AWSOrganizationsNotInUseException", 400)
    await _call(org.create_organization, FeatureSet="ALL")
    error = (await _refused(org.enable_all_features, "HandshakeConstraintViolationException", 400)).response
    assert error["Reason"] == "ORGANIZATION_ALREADY_HAS_ALL_FEATURES"
    assert (await _call(org.describe_organization))["Organization"]["FeatureSet"] == "ALL"
    assert (await _call(org.list_handshakes_for_organization))["Handshakes"] == []  # none was opened

    error = (await _refused(org.create_gov_cloud_account, "ConstraintViolationException", 400,
                            AccountName="gov", Email="gov@example.com", IamUserAccessToBilling="DENY")).response
    assert error["Reason"] == "MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED"
    # Its input is checked first, as CreateAccount's.
    error = (await _refused(org.create_gov_cloud_account, "InvalidInputException", 400,
                            AccountName="gov", Email="not-an-email")).response
    assert "email" in error["Error"]["Message"]
    error = (await _refused(org.create_gov_cloud_account, "InvalidInputException", 400, AccountName="gov",
                            Email="gov@example.com", RoleName="bad role")).response
    assert error["Reason"] == "INVALID_ROLE_NAME"
    assert [a["Id"] for a in (await _call(org.list_accounts))["Accounts"]] == [ACCOUNT]  # nothing was created

    # A member account's call is the management account's to make.
    as_member = _client(iamd_http, "organizations", await _member_credentials(iamd_http, org))
    await _denied(as_member.enable_all_features)
    await _denied(as_member.create_gov_cloud_account, AccountName="gov", Email="gov@example.com")
