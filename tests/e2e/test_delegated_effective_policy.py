"""A member account the organization's resource policy delegates DescribeEffectivePolicy to may
ask about another account's effective policy (issue 12): AWS lets the management account and a
delegated administrator ask about any account, and a member account the delegation policy names
is a delegated administrator for AWS Organizations."""

from __future__ import annotations

import json

import pytest

from .conftest import ACCOUNT, Iamd
from .test_aws_query import _client
from .test_organization_authorization import _member_credentials
from .test_organization_resource_policy import TAG_CONTENT, TAG_POLICY, _call, _delegation

pytestmark = pytest.mark.e2e


async def test_a_delegated_member_describes_another_accounts_effective_policy(iamd_http: Iamd) -> None:
    org = _client(iamd_http, "organizations")
    await _call(org.create_organization, FeatureSet="ALL")
    [root] = (await _call(org.list_roots))["Roots"]
    await _call(org.enable_policy_type, RootId=root["Id"], PolicyType=TAG_POLICY)
    policy = (await _call(org.create_policy, Name="cost", Type=TAG_POLICY, Content=TAG_CONTENT,
                          Description=""))["Policy"]["PolicySummary"]
    await _call(org.attach_policy, PolicyId=policy["Id"], TargetId=root["Id"])
    admin = await _member_credentials(iamd_http, org)
    as_member = _client(iamd_http, "organizations", admin)
    member = [a["Id"] for a in (await _call(org.list_accounts))["Accounts"] if a["Id"] != ACCOUNT][0]
    await _call(org.put_resource_policy, Content=_delegation(
        member, {"Action": "organizations:DescribeEffectivePolicy", "Resource": "*"}))
    answer = (await _call(as_member.describe_effective_policy, PolicyType=TAG_POLICY,
                          TargetId=ACCOUNT))["EffectivePolicy"]
    assert answer["TargetId"] == ACCOUNT and json.loads(answer["PolicyContent"])["tags"]
