"""The organization's resource policy (AWS's delegation policy) as the domain decides it: which
contents are accepted (organizations_delegation.check_content and the use case's grammar check),
put / describe / delete, tags at creation, who it delegates to, and the resource-based policy a
delegated member account's calls are decided against."""

from __future__ import annotations

import json
from typing import Any

import pytest

from iamd.service.app.organizations import check_resource_policy
from iamd.service.domain import organizations as o
from iamd.service.domain import organizations_delegation as d
from iamd.service.domain.errors import InvalidInputError, OrganizationsNotInUseError, ResourcePolicyNotFoundError
from iamd.service.domain.events import (
    OrganizationResourcePolicyDeleted,
    OrganizationResourcePolicyPut,
    OrganizationResourceTagged,
)

NOW = "2026-01-01T00:00:00Z"
ROOT, MEMBER, OTHER, MANAGEMENT = "r-abcd", "222222222222", "333333333333", "111111111111"


def _org() -> o.OrganizationState:
    state = o.fold(o.create(o.OrganizationState(), organization_id="o-abcdefghij", root_id=ROOT,
                            management_account_id=MANAGEMENT, now=NOW))
    for account in (MEMBER, OTHER):
        o.fold(o.join(state, account_id=account, name=account, email=f"{account}@example.com", now=NOW), state)
    return state


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(principal: Any, action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": resource, **extra}


READS = _policy(_allow({"AWS": f"arn:aws:iam::{MEMBER}:root"}, ["organizations:Describe*", "organizations:List*"]))


@pytest.mark.parametrize("action", ["organizations:ListAccounts", "organizations:describepolicy",
                                    "organizations:CreatePolicy", "organizations:AttachPolicy",
                                    "organizations:EnablePolicyType", "organizations:TagResource"])
def test_delegable_actions(action: str) -> None:
    assert d.is_delegable(action)


@pytest.mark.parametrize("action", ["organizations:CreateAccount", "organizations:CloseAccount",
                                    "organizations:PutResourcePolicy", "organizations:RemoveAccountFromOrganization",
                                    "s3:ListBucket", "organizations:InviteAccountToOrganization"])
def test_actions_no_delegation_policy_can_grant(action: str) -> None:
    assert not d.is_delegable(action)


@pytest.mark.parametrize("content", [
    READS,
    _policy(_allow({"AWS": MEMBER}, "organizations:CreatePolicy",
                   Condition={"StringEquals": {"organizations:PolicyType": "TAG_POLICY"}})),
    _policy(_allow({"AWS": [f"arn:aws:iam::{MEMBER}:role/admin", OTHER]}, "organizations:AttachPolicy",
                   [f"arn:aws:organizations::{MANAGEMENT}:ou/o-abcdefghij/*"]),
            {"Effect": "Deny", "Principal": {"AWS": OTHER}, "Action": "organizations:List*", "Resource": "*"}),
])
def test_accepted_contents(content: str) -> None:
    check_resource_policy(content)


@pytest.mark.parametrize(("content", "reason", "field"), [
    ("", "INPUT_REQUIRED", "content"),
    ("x" * (d.MAX_CONTENT + 1), "MAX_LENGTH_EXCEEDED", "content"),
    ("{not json", "", "content"),
    (_policy({"Effect": "Allow", "Principal": {"AWS": MEMBER}, "Action": "organizations:ListAccounts"}), "",
     "content"),  # a resource-based policy names its resources
    (_policy(_allow("*", "organizations:ListAccounts")), "INVALID_PRINCIPAL", "content:Statement[0].Principal"),
    (_policy(_allow({"Service": "config.amazonaws.com"}, "organizations:ListAccounts")), "INVALID_PRINCIPAL",
     "content:Statement[0].Principal"),
    (_policy(_allow({"AWS": MEMBER}, "organizations:CreateAccount")), "", "content:Statement[0].Action"),
    (_policy(_allow({"AWS": MEMBER}, "organizations:*")), "", "content:Statement[0].Action"),
    (_policy(_allow({"AWS": MEMBER}, "organizations:Create*")), "", "content:Statement[0].Action"),
    (_policy(_allow({"AWS": MEMBER}, "s3:GetObject")), "", "content:Statement[0].Action"),
    (_policy({"Effect": "Allow", "Principal": {"AWS": MEMBER}, "NotAction": "organizations:CreateAccount",
              "Resource": "*"}), "", "content:Statement[0].NotAction"),
    (_policy({"Effect": "Allow", "Principal": {"AWS": MEMBER}, "Action": "organizations:ListAccounts",
              "NotResource": "arn:aws:organizations::111111111111:root/o-abcdefghij/r-abcd"}), "",
     "content:Statement[0].NotResource"),
])
def test_refused_contents(content: str, reason: str, field: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        check_resource_policy(content)
    assert caught.value.reason == reason
    assert caught.value.problems[0].field.startswith(field)


def test_put_creates_with_tags_then_replaces_in_place() -> None:
    state = _org()
    events = d.put(state, resource_policy_id="rp-abcd1234", content=READS, now=NOW, tags=[("team", "sec")])
    assert events == [OrganizationResourcePolicyPut("rp-abcd1234", READS, NOW),
                      OrganizationResourceTagged("rp-abcd1234", {"team": "sec"})]
    o.fold(events, state)
    assert d.describe(state)["id"] == "rp-abcd1234" and o.tags_of(state, "rp-abcd1234") == {"team": "sec"}
    narrower = _policy(_allow({"AWS": MEMBER}, "organizations:ListAccounts"))
    assert d.put(state, resource_policy_id="rp-other999", content=narrower, now=NOW) == [
        OrganizationResourcePolicyPut("rp-abcd1234", narrower, NOW)]
    assert d.put(state, resource_policy_id="rp-other999", content=READS, now=NOW) == []  # unchanged
    with pytest.raises(InvalidInputError):
        d.put(state, resource_policy_id="rp-other999", content=narrower, now=NOW, tags=[("a", "b")])


def test_describe_and_delete_without_one_are_not_found_and_outside_an_organization_not_in_use() -> None:
    state = _org()
    with pytest.raises(ResourcePolicyNotFoundError):
        d.describe(state)
    with pytest.raises(ResourcePolicyNotFoundError):
        d.delete(state, now=NOW)
    with pytest.raises(OrganizationsNotInUseError):
        d.put(o.OrganizationState(), resource_policy_id="rp-abcd1234", content=READS, now=NOW)
    o.fold(d.put(state, resource_policy_id="rp-abcd1234", content=READS, now=NOW, tags=[("a", "b")]), state)
    assert d.delete(state, now=NOW) == [OrganizationResourcePolicyDeleted("rp-abcd1234", NOW)]
    o.fold(d.delete(state, now=NOW), state)
    assert state.resource_policy is None and "rp-abcd1234" not in state.tags


def test_who_it_delegates_to() -> None:
    state = _org()
    assert not d.is_delegated(state, MEMBER) and d.delegation_document(state) is None
    o.fold(d.put(state, resource_policy_id="rp-abcd1234", now=NOW, content=_policy(
        _allow({"AWS": [f"arn:aws:sts::{MEMBER}:assumed-role/admin/s"]}, "organizations:ListAccounts"),
        {"Effect": "Deny", "Principal": {"AWS": OTHER}, "Action": "organizations:ListAccounts", "Resource": "*"})),
        state)
    assert d.is_delegated(state, MEMBER) and d.is_policy_manager(state, MEMBER)
    assert not d.is_delegated(state, OTHER)  # named by a Deny only
    assert not d.is_delegated(state, MANAGEMENT)


def test_a_delegated_administrator_of_a_service_is_granted_the_reads_under_the_policys_denies() -> None:
    state = _org()
    o.fold(o.enable_service_access(state, service_principal="config.amazonaws.com", now=NOW), state)
    o.fold(o.register_delegated_admin(state, account_id=OTHER, service_principal="config.amazonaws.com", now=NOW),
           state)
    assert d.is_delegated(state, OTHER) and not d.is_policy_manager(state, OTHER)
    [grant] = json.loads(d.delegation_document(state) or "{}")["Statement"]
    assert grant["Principal"] == {"AWS": [f"arn:aws:iam::{OTHER}:root"]}
    assert grant["Action"] == ["organizations:Describe*", "organizations:List*"]
    deny = {"Effect": "Deny", "Principal": {"AWS": OTHER}, "Action": "organizations:ListRoots", "Resource": "*"}
    o.fold(d.put(state, resource_policy_id="rp-abcd1234", content=_policy(deny), now=NOW), state)
    assert json.loads(d.delegation_document(state) or "{}")["Statement"][0] == deny
