"""The validation of effective management policies (AWS's ListAccountsWithInvalidEffectivePolicy and
ListEffectivePolicyValidationErrors): which merged policies iamd finds invalid, with which code,
where, and which attached policies contributed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from iamd.service.domain import management_policies as m
from iamd.service.domain import organizations as o
from iamd.service.domain.errors import AccountNotFoundError, EffectivePolicyNotFoundError, InvalidInputError

NOW = "2026-01-01T00:00:00Z"
ROOT, MEMBER, OTHER, MANAGEMENT = "r-abcd", "222222222222", "333333333333", "111111111111"
PLAN = {"regions": {"@@assign": ["us-east-1"]},
        "rules": {"daily": {"schedule_expression": {"@@assign": "cron(0 5 ? * * *)"},
                            "target_backup_vault_name": {"@@assign": "Default"}}},
        "selections": {"tags": {"all": {"iam_role_arn": {"@@assign": "arn:aws:iam::$account:role/backup"},
                                        "tag_key": {"@@assign": "backup"}, "tag_value": {"@@assign": ["yes"]}}}}}


def _org() -> o.OrganizationState:
    state = o.fold(o.create(o.OrganizationState(), organization_id="o-abcdefghij", root_id=ROOT,
                            management_account_id=MANAGEMENT, now=NOW))
    for account in (MEMBER, OTHER):
        o.fold(o.join(state, account_id=account, name=account, email=f"{account}@example.com", now=NOW), state)
    for policy_type in m.MANAGEMENT_POLICY_TYPES:
        o.fold(o.enable_policy_type(state, root_id=ROOT, policy_type=policy_type), state)
    return state


def _attach(state: o.OrganizationState, policy_id: str, policy_type: str, document: dict[str, Any],
            target: str) -> None:
    o.fold(o.create_policy(state, policy_id=policy_id, name=policy_id, policy_type=policy_type,
                           content=json.dumps(document)), state)
    o.fold(o.attach(state, policy_id=policy_id, target_id=target), state)


@pytest.mark.parametrize(("policy_type", "document", "expected"), [
    (m.TAG, {"tags": {"cc": {"tag_key": "CostCenter", "tag_value": ["a", "b"]}}}, []),
    (m.TAG, {"tags": {"cc": {"tag_key": ["CostCenter", "costcenter"]}}},
     [(m.TOO_MANY, ("tags", "cc", "tag_key"))]),
    (m.AI_OPT_OUT, {"services": {"default": {"opt_out_policy": ["optOut", "optIn"]}}},
     [(m.TOO_MANY, ("services", "default", "opt_out_policy"))]),
    (m.BACKUP, {"plans": {"p": {"regions": ["us-east-1"], "rules": {"r": {"target_backup_vault_name": "Default"}},
                                "selections": {"tags": {"s": {"iam_role_arn": "arn"}}}}}}, []),
    (m.BACKUP, {"plans": {"p": {"rules": {"r": {"target_backup_vault_name": ["A", "B"]}},
                                "selections": {"tags": {"s": {"tag_key": "x"}}}}}},
     [(m.MISSING, ("plans", "p", "regions")), (m.TOO_MANY, ("plans", "p", "rules", "r", "target_backup_vault_name")),
      (m.MISSING, ("plans", "p", "selections", "tags", "s", "iam_role_arn"))]),
])
def test_validation_errors(policy_type: str, document: dict[str, Any], expected: list[tuple[str, tuple[str, ...]]]
                           ) -> None:
    assert [(code, path) for code, _, path in m.validation_errors(policy_type, document)] == expected


def test_an_append_below_makes_the_accounts_effective_tag_policy_invalid_naming_both_policies() -> None:
    state = _org()
    _attach(state, "p-rootkey1", m.TAG, {"tags": {"cc": {"tag_key": {"@@assign": "CostCenter"}}}}, ROOT)
    assert o.accounts_with_invalid_effective_policy(state, policy_type=m.TAG, now=NOW) == []
    _attach(state, "p-appendk1", m.TAG, {"tags": {"cc": {"tag_key": {"@@append": ["costcenter"]}}}}, MEMBER)
    assert o.accounts_with_invalid_effective_policy(state, policy_type=m.TAG, now=NOW) == [MEMBER]
    path, [error] = o.effective_policy_validation_errors(state, account_id=MEMBER, policy_type=m.TAG, now=NOW)
    assert path == f"o-abcdefghij/{ROOT}/{MEMBER}/"
    assert (error["error_code"], error["path_to_error"], error["contributing_policies"]) == (
        m.TOO_MANY, "tags.cc.tag_key", ["p-rootkey1", "p-appendk1"])
    assert o.effective_policy_validation_errors(state, account_id=OTHER, policy_type=m.TAG, now=NOW)[1] == []


def test_a_complete_backup_plan_at_the_root_is_valid_and_an_account_that_unsets_its_regions_is_not() -> None:
    state = _org()
    _attach(state, "p-backup01", m.BACKUP, {"plans": {"daily": PLAN}}, ROOT)
    assert o.accounts_with_invalid_effective_policy(state, policy_type=m.BACKUP, now=NOW) == []
    _attach(state, "p-noregion", m.BACKUP, {"plans": {"daily": {"regions": {"@@remove": ["us-east-1"]}}}}, OTHER)
    assert o.accounts_with_invalid_effective_policy(state, policy_type=m.BACKUP, now=NOW) == [OTHER]
    _, [error] = o.effective_policy_validation_errors(state, account_id=OTHER, policy_type=m.BACKUP, now=NOW)
    assert (error["error_code"], error["path_to_error"]) == (m.MISSING, "plans.daily.regions")


def test_the_errors_of_the_listing() -> None:
    state = _org()
    with pytest.raises(EffectivePolicyNotFoundError):
        o.effective_policy_validation_errors(state, account_id=MEMBER, policy_type=m.TAG, now=NOW)
    with pytest.raises(AccountNotFoundError):
        o.effective_policy_validation_errors(state, account_id="999999999999", policy_type=m.TAG, now=NOW)
    for policy_type in ("SERVICE_CONTROL_POLICY", "NOPE"):
        with pytest.raises(InvalidInputError) as caught:
            o.accounts_with_invalid_effective_policy(state, policy_type=policy_type, now=NOW)
        assert caught.value.reason == "INVALID_ENUM"
    assert o.accounts_with_invalid_effective_policy(state, policy_type="CHATBOT_POLICY", now=NOW) == []
