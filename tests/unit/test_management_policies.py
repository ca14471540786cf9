"""Management policies (tag, backup, AI services opt-out), as the Organizations User Guide has
them ("Management policy syntax and inheritance", "Inheritance operators"): their syntax refused as
AWS refuses it, the effective policy an account inherits from its root, OUs and itself, and that
they never reach an authorization decision (only SCPs and RCPs do)."""

from __future__ import annotations

import json

import pytest

from iamd.service.domain import management_policies as m
from iamd.service.domain import organizations as o
from iamd.service.domain.errors import (
    AccessDeniedError,
    ConstraintViolationError,
    InvalidInputError,
    MalformedPolicyDocumentError,
    PolicyTypeNotEnabledError,
)

NOW = "2026-01-01T00:00:00Z"
ROOT, OU, MEMBER, MANAGEMENT, OTHER = "r-abcd", "ou-abcd-aaaaaaaa", "222222222222", "111111111111", "333333333333"


def _tag(key: str, **operators: object) -> dict[str, object]:
    return {"tags": {key: {"tag_key": {"@@assign": key}, "tag_value": dict(operators)}}}


# --- syntax -----------------------------------------------------------------------------------


@pytest.mark.parametrize("policy_type, document", [
    (m.TAG, {"tags": {"CostCenter": {"tag_key": {"@@assign": "CostCenter"},
                                      "tag_value": {"@@assign": ["100", "200"]},
                                      "enforced_for": {"@@assign": ["ec2:instance"]}}}}),
    (m.AI_OPT_OUT, {"services": {"@@operators_allowed_for_child_policies": ["@@none"],
                                 "default": {"opt_out_policy": {"@@assign": "optOut",
                                                                "@@operators_allowed_for_child_policies": ["@@none"]}}}}),
    (m.BACKUP, {"plans": {"daily": {"regions": {"@@append": ["us-east-1"]},
                                    "rules": {"r": {"schedule_expression": {"@@assign": "cron(0 5 ? * * *)"}}},
                                    "@@operators_allowed_for_child_policies": ["@@assign", "@@append"]}}}),
])
def test_documents_of_the_syntax_are_accepted(policy_type: str, document: dict[str, object]) -> None:
    assert m.parse(policy_type, json.dumps(document)) == document


@pytest.mark.parametrize("policy_type, content, fragment", [
    (m.TAG, "{not json", "not JSON"),
    (m.TAG, "[]", "JSON object"),
    (m.TAG, json.dumps({"services": {}}), "`tags`"),
    (m.TAG, json.dumps({"tags": {}, "Version": "2012-10-17"}), "`Version`"),
    (m.TAG, json.dumps({"tags": {"k": {"tag_key": "k"}}}), "must be an object"),
    (m.TAG, json.dumps({"tags": {"k": {"tag_key": {"@@set": "k"}}}}), "unknown operator `@@set`"),
    (m.TAG, json.dumps({"tags": {"k": {"tag_value": {"@@append": "a"}}}}), "only to a list"),
    (m.TAG, json.dumps({"tags": {"k": {"tag_value": {"@@assign": {"a": 1}}}}}), "a value or a list"),
    (m.TAG, json.dumps({"tags": {"k": {"@@assign": "x", "tag_key": {"@@assign": "k"}}}}), "beside @@assign"),
    (m.AI_OPT_OUT, json.dumps({"services": {"@@operators_allowed_for_child_policies": "@@none"}}), "non-empty list"),
    (m.AI_OPT_OUT, json.dumps({"services": {"@@operators_allowed_for_child_policies": ["@@all", "@@assign"]}}),
     "stand alone"),
    (m.AI_OPT_OUT, json.dumps({"services": {"@@operators_allowed_for_child_policies": ["@@merge"]}}), "`@@merge`"),
])
def test_malformed_documents_are_refused(policy_type: str, content: str, fragment: str) -> None:
    with pytest.raises(MalformedPolicyDocumentError) as refused:
        m.parse(policy_type, content)
    assert fragment in str(refused.value)


def test_each_type_has_its_size_quota() -> None:
    padding = " " * (2_500 - len('{"services": {}}'))
    m.parse(m.AI_OPT_OUT, '{"services": {}}' + padding)  # exactly 2,500 characters, whitespace counted
    with pytest.raises(ConstraintViolationError) as over:
        m.parse(m.AI_OPT_OUT, '{"services": {}}' + padding + " ")
    assert over.value.quota == "POLICY_CONTENT_LIMIT_EXCEEDED"
    m.parse(m.TAG, '{"tags": {}}' + " " * 5_000)  # beyond an AI policy's quota, within a tag policy's 10,000
    with pytest.raises(ConstraintViolationError):
        m.parse(m.BACKUP, '{"plans": {}}' + " " * 10_000)


# --- inheritance ------------------------------------------------------------------------------


def test_assign_overwrites_append_adds_remove_takes_out() -> None:
    root = _tag("CostCenter", **{"@@assign": ["100", "200"]})
    ou = _tag("CostCenter", **{"@@append": ["300", "100"]})
    account = _tag("CostCenter", **{"@@remove": ["200"]})
    assert m.effective([[root], [ou], [account]]) == {
        "tags": {"CostCenter": {"tag_key": "CostCenter", "tag_value": ["100", "300"]}}}
    assert m.effective([[root], [_tag("CostCenter", **{"@@assign": ["900"]})], []]) == {
        "tags": {"CostCenter": {"tag_key": "CostCenter", "tag_value": ["900"]}}}


def test_settings_of_separate_policies_are_merged() -> None:
    assert m.effective([[_tag("a", **{"@@assign": ["1"]})], [], [_tag("b", **{"@@assign": ["2"]})]]) == {
        "tags": {"a": {"tag_key": "a", "tag_value": ["1"]}, "b": {"tag_key": "b", "tag_value": ["2"]}}}


def test_none_applies_when_no_policy_of_the_type_is_attached() -> None:
    assert m.effective([[], [], []]) is None


def test_child_control_locks_what_lower_levels_may_change() -> None:
    locked = {"services": {"default": {"opt_out_policy": {
        "@@assign": "optOut", "@@operators_allowed_for_child_policies": ["@@none"]}}}}
    opt_in = {"services": {"default": {"opt_out_policy": {"@@assign": "optIn"}}}}
    assert m.effective([[locked], [opt_in]]) == {"services": {"default": {"opt_out_policy": "optOut"}}}
    # A restriction higher on the path binds every setting below it.
    locked_above = {"services": {"@@operators_allowed_for_child_policies": ["@@none"],
                                 "default": {"opt_out_policy": {"@@assign": "optOut"}}}}
    assert m.effective([[locked_above], [], [opt_in]]) == {"services": {"default": {"opt_out_policy": "optOut"}}}
    # Only @@append allowed: the child's @@append counts, its @@assign and @@remove are ignored.
    parent = {"tags": {"k": {"tag_value": {"@@assign": ["a"],
                                           "@@operators_allowed_for_child_policies": ["@@append"]}}}}
    child = {"tags": {"k": {"tag_value": {"@@append": ["b"]}}}}
    overwrite = {"tags": {"k": {"tag_value": {"@@assign": ["z"], "@@remove": ["a"]}}}}
    assert m.effective([[parent], [child], [overwrite]]) == {"tags": {"k": {"tag_value": ["a", "b"]}}}
    # A policy at the same level does not bind its neighbours; it binds the levels below.
    assert m.effective([[locked, opt_in]]) == {"services": {"default": {"opt_out_policy": "optIn"}}}


# --- in an organization ------------------------------------------------------------------------


def _org(*enabled: str) -> o.OrganizationState:
    state = o.fold(o.create(o.OrganizationState(), organization_id="o-abcdefghij", root_id=ROOT,
                            management_account_id=MANAGEMENT, now=NOW))
    o.fold(o.create_ou(state, ou_id=OU, name="eng", parent_id=ROOT), state)
    for account in (MEMBER, OTHER):
        o.fold(o.join(state, account_id=account, name=account, email=f"{account}@example.com", now=NOW), state)
    o.fold(o.move(state, account_id=MEMBER, source=ROOT, destination=OU), state)
    for policy_type in enabled:
        o.fold(o.enable_policy_type(state, root_id=ROOT, policy_type=policy_type), state)
    return state


def _policy(state: o.OrganizationState, policy_id: str, policy_type: str, document: dict[str, object]) -> None:
    o.fold(o.create_policy(state, policy_id=policy_id, name=policy_id, policy_type=policy_type,
                           content=json.dumps(document)), state)


def test_management_policies_are_enabled_attached_and_inherited_down_the_tree() -> None:
    state = _org(m.TAG)
    _policy(state, "p-tagroot1", m.TAG, _tag("CostCenter", **{"@@assign": ["100"]}))
    _policy(state, "p-tagou001", m.TAG, _tag("CostCenter", **{"@@append": ["200"]}))
    _policy(state, "p-aioptout", m.AI_OPT_OUT, {"services": {"default": {"opt_out_policy": {"@@assign": "optOut"}}}})
    with pytest.raises(PolicyTypeNotEnabledError):
        o.attach(state, policy_id="p-aioptout", target_id=ROOT)
    o.fold(o.attach(state, policy_id="p-tagroot1", target_id=ROOT), state)
    o.fold(o.attach(state, policy_id="p-tagou001", target_id=OU), state)
    assert o.enabled_policy_types(state) == [m.TAG]
    assert o.effective_policy(state, caller_account_id=MANAGEMENT, target_id=MEMBER, policy_type=m.TAG) == (
        MEMBER, {"tags": {"CostCenter": {"tag_key": "CostCenter", "tag_value": ["100", "200"]}}})
    # The management account is governed too (management policies are not SCPs), its own by default.
    assert o.effective_policy(state, caller_account_id=MANAGEMENT, target_id="", policy_type=m.TAG) == (
        MANAGEMENT, {"tags": {"CostCenter": {"tag_key": "CostCenter", "tag_value": ["100"]}}})
    assert o.effective_policy(state, caller_account_id=MANAGEMENT, target_id=MEMBER, policy_type=m.BACKUP) == (
        MEMBER, None)
    # Disabling the type detaches its policies: nothing is effective any more.
    o.fold(o.disable_policy_type(state, root_id=ROOT, policy_type=m.TAG), state)
    assert o.effective_policy(state, caller_account_id=MANAGEMENT, target_id=MEMBER, policy_type=m.TAG) == (
        MEMBER, None)


def test_effective_policy_refusals() -> None:
    state = _org(m.TAG)
    for wrong_type in (o.SCP, o.RCP, "MOTO"):
        with pytest.raises(InvalidInputError) as invalid:
            o.effective_policy(state, caller_account_id=MANAGEMENT, target_id=MEMBER, policy_type=wrong_type)
        assert invalid.value.reason == "INVALID_ENUM"
    for node in (ROOT, OU):
        with pytest.raises(InvalidInputError) as unsupported:
            o.effective_policy(state, caller_account_id=MANAGEMENT, target_id=node, policy_type=m.TAG)
        assert unsupported.value.reason == "TARGET_NOT_SUPPORTED"
    with pytest.raises(AccessDeniedError):  # a member asks about itself only
        o.effective_policy(state, caller_account_id=OTHER, target_id=MEMBER, policy_type=m.TAG)
    assert o.effective_policy(state, caller_account_id=MEMBER, target_id="", policy_type=m.TAG) == (MEMBER, None)


def test_management_policies_never_reach_a_decision() -> None:
    state = _org(o.SCP, m.TAG, m.AI_OPT_OUT)
    _policy(state, "p-tagroot1", m.TAG, _tag("CostCenter", **{"@@assign": ["100"]}))
    o.fold(o.attach(state, policy_id="p-tagroot1", target_id=ROOT), state)
    for level in o.guardrail_levels(state, MEMBER, o.SCP):
        assert [policy_id for policy_id, _ in level] == [o.FULL_AWS_ACCESS_ID]
    assert o.guardrail_levels(state, MEMBER, m.TAG) == []
    assert o.guardrail_levels(state, MEMBER, m.AI_OPT_OUT) == []
