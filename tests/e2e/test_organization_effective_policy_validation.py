"""ListAccountsWithInvalidEffectivePolicy and ListEffectivePolicyValidationErrors against a real iamd,
with boto3 over HTTP: an account whose effective tag policy gets a second spelling of its key is
listed, with the error, its place and the policies that made it; the errors AWS gives."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from .conftest import ACCOUNT, Iamd
from .test_aws_query import _client, _refused

pytestmark = pytest.mark.e2e

TAG = "TAG_POLICY"


def _call(method: Any, **kwargs: Any) -> Any:
    return asyncio.to_thread(method, **kwargs)


async def test_an_invalid_effective_tag_policy_is_listed_with_its_errors(iamd_http: Iamd) -> None:
    org = _client(iamd_http, "organizations")
    organization = (await _call(org.create_organization, FeatureSet="ALL"))["Organization"]
    [root] = (await _call(org.list_roots))["Roots"]
    await _call(org.enable_policy_type, RootId=root["Id"], PolicyType=TAG)
    status = (await _call(org.create_account, AccountName="dev", Email="dev@example.com"))["CreateAccountStatus"]
    member = (await _call(org.describe_create_account_status,
                          CreateAccountRequestId=status["Id"]))["CreateAccountStatus"]["AccountId"]
    await _refused(org.list_effective_policy_validation_errors, "EffectivePolicyNotFoundException", 400,
                   AccountId=member, PolicyType=TAG)

    def create(name: str, document: dict[str, Any]) -> Any:
        return _call(org.create_policy, Name=name, Type=TAG, Description="", Content=json.dumps(document))

    key = (await create("key", {"tags": {"cc": {"tag_key": {"@@assign": "CostCenter"}}}}))["Policy"]["PolicySummary"]
    await _call(org.attach_policy, PolicyId=key["Id"], TargetId=root["Id"])
    answer = await _call(org.list_accounts_with_invalid_effective_policy, PolicyType=TAG)
    assert (answer["Accounts"], answer["PolicyType"]) == ([], TAG)
    valid = await _call(org.list_effective_policy_validation_errors, AccountId=member, PolicyType=TAG)
    assert valid["EffectivePolicyValidationErrors"] == [] and valid["AccountId"] == member

    spelling = (await create("spelling", {"tags": {"cc": {"tag_key": {"@@append": ["costcenter"]}}}}))["Policy"][
        "PolicySummary"]
    await _call(org.attach_policy, PolicyId=spelling["Id"], TargetId=member)
    [account] = (await _call(org.list_accounts_with_invalid_effective_policy, PolicyType=TAG))["Accounts"]
    assert (account["Id"], account["Name"], account["Status"]) == (member, "dev", "ACTIVE")
    answer = await _call(org.list_effective_policy_validation_errors, AccountId=member, PolicyType=TAG)
    assert answer["Path"] == f"{organization['Id']}/{root['Id']}/{member}/"
    assert answer["EvaluationTimestamp"].tzinfo is not None
    [error] = answer["EffectivePolicyValidationErrors"]
    assert (error["ErrorCode"], error["PathToError"], error["ContributingPolicies"]) == (
        "ELEMENTS_TOO_MANY", "tags.cc.tag_key", [key["Id"], spelling["Id"]])
    # The management account's own effective policy is fine (the append is the member's).
    assert (await _call(org.list_effective_policy_validation_errors, AccountId=ACCOUNT,
                        PolicyType=TAG))["EffectivePolicyValidationErrors"] == []

    error_answer = (await _refused(org.list_accounts_with_invalid_effective_policy, "InvalidInputException", 400,
                                   PolicyType="SERVICE_CONTROL_POLICY")).response
    assert error_answer["Reason"] == "INVALID_ENUM"
    await _refused(org.list_effective_policy_validation_errors, "AccountNotFoundException", 400,
                   AccountId="999999999999", PolicyType=TAG)
