"""Policy types and trusted access of an organization, as AWS Organizations has them (API reference:
EnablePolicyType, DisablePolicyType, AttachPolicy, EnableAWSServiceAccess, DisableAWSServiceAccess;
User Guide: "Enabling a policy type", "Disabling a policy type"). Given events, when a command,
then events or an error; and what the SCP/RCP levels of an account are."""

from __future__ import annotations

import json

import pytest

from iamd.service.domain import organizations as o
from iamd.service.domain.errors import (
    ConstraintViolationError,
    InvalidInputError,
    PolicyNotAttachedError,
    PolicyNotFoundError,
    PolicyTypeAlreadyEnabledError,
    PolicyTypeNotAvailableForOrganizationError,
    PolicyTypeNotEnabledError,
    RootNotFoundError,
    TargetNotFoundError,
)
from iamd.service.domain.events import OrganizationCreated, PolicyTypeDisabled, PolicyTypeEnabled, decode_event

NOW = "2026-01-01T00:00:00Z"
ROOT, OU, MEMBER, MANAGEMENT = "r-abcd", "ou-abcd-aaaaaaaa", "222222222222", "111111111111"
DENY_S3 = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})
DENY_RCP = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]})


def _org(*enabled: str) -> o.OrganizationState:
    """A new organization (an OU, a member account in it, an SCP and an RCP), then `enabled` types."""
    state = o.fold(o.create(o.OrganizationState(), organization_id="o-abcdefghij", root_id=ROOT,
                            management_account_id=MANAGEMENT, now=NOW))
    o.fold(o.create_ou(state, ou_id=OU, name="eng", parent_id=ROOT), state)
    o.fold(o.join(state, account_id=MEMBER, name="dev", email="dev@example.com", now=NOW), state)
    o.fold(o.move(state, account_id=MEMBER, source=ROOT, destination=OU), state)
    o.fold(o.create_policy(state, policy_id="p-denys3aa", name="deny-s3", policy_type=o.SCP, content=DENY_S3), state)
    o.fold(o.create_policy(state, policy_id="p-denyrcpa", name="deny-rcp", policy_type=o.RCP, content=DENY_RCP),
           state)
    for policy_type in enabled:
        o.fold(o.enable_policy_type(state, root_id=ROOT, policy_type=policy_type), state)
    return state


def test_a_new_organization_has_no_policy_type_enabled_and_no_guardrails() -> None:
    state = _org()
    (created,) = o.create(o.OrganizationState(), organization_id="o-x", root_id=ROOT, management_account_id=MANAGEMENT,
                          now=NOW)
    assert isinstance(created, OrganizationCreated) and created.enabled_policy_types == []
    assert o.enabled_policy_types(state) == []
    assert all(o.attached_to(state, node) == [] for node in (ROOT, OU, MEMBER, MANAGEMENT))
    assert o.targets_of(state, o.FULL_AWS_ACCESS_ID) == [] and o.targets_of(state, o.RCP_FULL_AWS_ACCESS_ID) == []
    assert o.guardrail_levels(state, MEMBER, o.SCP) == [] and o.guardrail_levels(state, MEMBER, o.RCP) == []


def test_an_organization_created_before_policy_types_keeps_scps_and_rcps_enabled() -> None:
    # An OrganizationCreated as stored before the field existed: its payload has no enabled_policy_types.
    state = o.fold([decode_event("OrganizationCreated", {"organization_id": "o-old", "root_id": ROOT,
                                                         "management_account_id": MANAGEMENT, "created_at": NOW})])
    o.fold(o.create_ou(state, ou_id=OU, name="eng", parent_id=ROOT), state)
    o.fold(o.join(state, account_id=MEMBER, name="dev", email="dev@example.com", now=NOW), state)
    assert o.enabled_policy_types(state) == [o.SCP, o.RCP]
    for node in (ROOT, OU, MEMBER, MANAGEMENT):  # as before: FullAWSAccess on every node, RCPFullAWSAccess implicit
        assert o.attached_to(state, node) == [o.FULL_AWS_ACCESS_ID, o.RCP_FULL_AWS_ACCESS_ID]
    o.fold(o.create_policy(state, policy_id="p-denys3aa", name="deny-s3", policy_type=o.SCP, content=DENY_S3), state)
    o.fold(o.attach(state, policy_id="p-denys3aa", target_id=ROOT), state)  # no EnablePolicyType needed
    assert o.guardrail_levels(state, MEMBER, o.SCP) == [
        [(o.FULL_AWS_ACCESS_ID, o.FULL_AWS_ACCESS), ("p-denys3aa", DENY_S3)], [(o.FULL_AWS_ACCESS_ID, o.FULL_AWS_ACCESS)]]
    with pytest.raises(PolicyTypeAlreadyEnabledError):
        o.enable_policy_type(state, root_id=ROOT, policy_type=o.SCP)


@pytest.mark.parametrize("policy_type", [o.SCP, o.RCP])
def test_attaching_a_policy_of_a_disabled_type_is_refused(policy_type: str) -> None:
    state = _org()
    policy_id = "p-denys3aa" if policy_type == o.SCP else "p-denyrcpa"
    with pytest.raises(PolicyTypeNotEnabledError) as refused:
        o.attach(state, policy_id=policy_id, target_id=OU)
    assert refused.value.code == "PolicyTypeNotEnabledException"
    o.fold(o.enable_policy_type(state, root_id=ROOT, policy_type=policy_type), state)
    assert o.attach(state, policy_id=policy_id, target_id=OU)  # now it may


def test_creating_a_policy_does_not_need_its_type_enabled() -> None:
    state = _org()  # AWS's CreatePolicy has no PolicyTypeNotEnabledException
    assert o.policy_of(state, "p-denys3aa")["type"] == o.SCP  # type: ignore[index]


def test_enabling_scps_attaches_full_aws_access_everywhere_and_to_what_appears_later() -> None:
    state = _org()
    assert o.enable_policy_type(state, root_id=ROOT, policy_type=o.SCP) == [PolicyTypeEnabled(ROOT, o.SCP)]
    o.fold([PolicyTypeEnabled(ROOT, o.SCP)], state)
    assert o.enabled_policy_types(state) == [o.SCP]
    for node in (ROOT, OU, MEMBER, MANAGEMENT):
        assert o.attached_to(state, node) == [o.FULL_AWS_ACCESS_ID]
    o.fold(o.create_ou(state, ou_id="ou-abcd-bbbbbbbb", name="web", parent_id=OU), state)
    o.fold(o.join(state, account_id="333333333333", name="web", email="web@example.com", now=NOW), state)
    assert o.attached_to(state, "ou-abcd-bbbbbbbb") == [o.FULL_AWS_ACCESS_ID]
    assert o.attached_to(state, "333333333333") == [o.FULL_AWS_ACCESS_ID]
    # SCPs now govern the member account, level by level: root, OU, the account.
    assert o.guardrail_levels(state, MEMBER, o.SCP) == [[(o.FULL_AWS_ACCESS_ID, o.FULL_AWS_ACCESS)]] * 3
    assert o.guardrail_levels(state, MEMBER, o.RCP) == []  # RCPs still disabled
    assert o.guardrail_levels(state, MANAGEMENT, o.SCP) == []  # the management account is exempt


def test_enabling_rcps_makes_rcp_full_aws_access_implicit_everywhere() -> None:
    state = _org(o.RCP)
    assert o.enabled_policy_types(state) == [o.RCP]
    assert all(o.attached_to(state, node) == [o.RCP_FULL_AWS_ACCESS_ID] for node in (ROOT, OU, MEMBER))
    assert o.targets_of(state, o.RCP_FULL_AWS_ACCESS_ID) == sorted([ROOT, OU, MEMBER, MANAGEMENT])
    assert o.guardrail_levels(state, MEMBER, o.RCP) == [[], [], []]  # levels without RCPs: only the implicit one
    with pytest.raises(ConstraintViolationError):
        o.detach(state, policy_id=o.RCP_FULL_AWS_ACCESS_ID, target_id=OU)


def test_disabling_a_type_detaches_its_policies_everywhere_and_they_stop_applying() -> None:
    state = _org(o.SCP, o.RCP)
    o.fold(o.attach(state, policy_id="p-denys3aa", target_id=OU), state)
    o.fold(o.attach(state, policy_id="p-denyrcpa", target_id=MEMBER), state)
    assert ("p-denys3aa", DENY_S3) in o.guardrail_levels(state, MEMBER, o.SCP)[1]
    assert o.disable_policy_type(state, root_id=ROOT, policy_type=o.SCP) == [PolicyTypeDisabled(ROOT, o.SCP)]
    o.fold([PolicyTypeDisabled(ROOT, o.SCP)], state)
    assert o.enabled_policy_types(state) == [o.RCP]
    assert o.targets_of(state, "p-denys3aa") == [] and o.targets_of(state, o.FULL_AWS_ACCESS_ID) == []
    assert o.policy_of(state, "p-denys3aa") is not None  # detached, not deleted
    assert o.guardrail_levels(state, MEMBER, o.SCP) == []
    assert o.attached_to(state, MEMBER) == ["p-denyrcpa", o.RCP_FULL_AWS_ACCESS_ID]  # the RCP stays
    with pytest.raises(PolicyNotAttachedError):
        o.detach(state, policy_id="p-denys3aa", target_id=OU)
    # Enabled again: FullAWSAccess only, the other SCPs' attachments are gone (User Guide).
    o.fold(o.enable_policy_type(state, root_id=ROOT, policy_type=o.SCP), state)
    assert o.enabled_policy_types(state) == [o.SCP, o.RCP]
    assert o.attached_to(state, OU) == [o.FULL_AWS_ACCESS_ID, o.RCP_FULL_AWS_ACCESS_ID]
    o.fold(o.disable_policy_type(state, root_id=ROOT, policy_type=o.RCP), state)
    assert o.attached_to(state, MEMBER) == [o.FULL_AWS_ACCESS_ID]
    assert o.guardrail_levels(state, MEMBER, o.RCP) == []
    with pytest.raises(PolicyNotAttachedError):  # RCPFullAWSAccess is no longer there either
        o.detach(state, policy_id=o.RCP_FULL_AWS_ACCESS_ID, target_id=OU)


def test_enable_and_disable_refusals() -> None:
    state = _org(o.SCP)
    with pytest.raises(PolicyTypeAlreadyEnabledError):
        o.enable_policy_type(state, root_id=ROOT, policy_type=o.SCP)
    with pytest.raises(PolicyTypeNotEnabledError):
        o.disable_policy_type(state, root_id=ROOT, policy_type=o.RCP)
    with pytest.raises(RootNotFoundError) as missing:
        o.enable_policy_type(state, root_id="r-0000", policy_type=o.RCP)
    assert missing.value.code == "RootNotFoundException"
    with pytest.raises(InvalidInputError) as malformed:
        o.disable_policy_type(state, root_id="root", policy_type=o.SCP)
    assert malformed.value.reason == "INVALID_PATTERN"
    with pytest.raises(InvalidInputError) as invalid:
        o.enable_policy_type(state, root_id=ROOT, policy_type="MOTO")
    assert invalid.value.reason == "INVALID_ENUM" and str(invalid.value) == "You specified an invalid value."
    # A type AWS has and iamd has not: refused as not available, never enabled as a stub.
    with pytest.raises(PolicyTypeNotAvailableForOrganizationError):
        o.enable_policy_type(state, root_id=ROOT, policy_type="CHATBOT_POLICY")
    with pytest.raises(PolicyTypeNotEnabledError):
        o.disable_policy_type(state, root_id=ROOT, policy_type="CHATBOT_POLICY")


def test_the_last_scp_of_a_target_still_cannot_be_detached_while_scps_are_enabled() -> None:
    state = _org(o.SCP)
    with pytest.raises(ConstraintViolationError):
        o.detach(state, policy_id=o.FULL_AWS_ACCESS_ID, target_id=OU)


def test_trusted_access_is_enabled_once_and_disabled_idempotently() -> None:
    state = _org()
    (enabled,) = o.enable_service_access(state, service_principal="config.amazonaws.com", now=NOW)
    o.fold([enabled], state)
    assert state.service_access == {"config.amazonaws.com": NOW}
    assert o.enable_service_access(state, service_principal="config.amazonaws.com", now="2027-01-01T00:00:00Z") == []
    (disabled,) = o.disable_service_access(state, service_principal="config.amazonaws.com", now=NOW)
    o.fold([disabled], state)
    assert state.service_access == {}
    assert o.disable_service_access(state, service_principal="config.amazonaws.com", now=NOW) == []


@pytest.mark.parametrize(("principal", "reason"), [
    ("moto.amazonaws.com", "UNRECOGNIZED_SERVICE_PRINCIPAL"),
    ("config.amazonaws.com/x", "INVALID_PATTERN"),
    ("", "INVALID_PATTERN"),
    ("a" * 129, "INVALID_PATTERN"),
])
def test_a_service_principal_is_one_of_a_trusted_service(principal: str, reason: str) -> None:
    state = _org()
    for decide in (o.enable_service_access, o.disable_service_access):
        with pytest.raises(InvalidInputError) as refused:
            decide(state, service_principal=principal, now=NOW)
        assert refused.value.reason == reason


def test_attach_detach_and_listing_check_the_target_as_aws_does() -> None:
    # AWS's PolicyTargetId pattern (InvalidInputException INVALID_PATTERN_TARGET_ID), then
    # TargetNotFoundException (DetachPolicy's too: not PolicyNotAttachedException), PolicyNotFound.
    state = _org(o.SCP)
    for decide in (o.attach, o.detach):
        with pytest.raises(InvalidInputError) as malformed:
            decide(state, policy_id="p-denys3aa", target_id="meaninglessstring")
        assert malformed.value.reason == "INVALID_PATTERN_TARGET_ID"
        for unknown in ("r-xy85", "ou-zx86-z3x4yr2t7", "111619863336"):
            with pytest.raises(TargetNotFoundError):
                decide(state, policy_id="p-denys3aa", target_id=unknown)
        with pytest.raises(PolicyNotFoundError):
            decide(state, policy_id="p-nosuchpol", target_id=OU)
    with pytest.raises(PolicyNotAttachedError):
        o.detach(state, policy_id="p-denys3aa", target_id=OU)
