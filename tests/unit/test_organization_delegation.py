"""Delegated administrators, DeleteOrganization and LeaveOrganization as AWS Organizations has
them (API reference: RegisterDelegatedAdministrator, DeregisterDelegatedAdministrator,
ListDelegatedServicesForAccount, DeleteOrganization, LeaveOrganization,
RemoveAccountFromOrganization; ConstraintViolationException's reasons). Given events, when a
command, then events or an error; and what governs an account afterwards."""

from __future__ import annotations

import json

import pytest

from iamd.service.domain import organizations as o
from iamd.service.domain.errors import (
    AccountAlreadyRegisteredError,
    AccountNotFoundError,
    AccountNotRegisteredError,
    ConstraintViolationError,
    InvalidInputError,
    MasterCannotLeaveOrganizationError,
    OrganizationNotEmptyError,
    OrganizationsNotInUseError,
)
from iamd.service.domain.events import AccountRemoved, OrganizationDeleted

NOW, LATER = "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"
ROOT, MEMBER, MANAGEMENT = "r-abcd", "222222222222", "111111111111"
CONFIG = "config.amazonaws.com"
DENY_S3 = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})


def _org(*, trusted: bool = True) -> o.OrganizationState:
    """An organization with SCPs enabled, a member account governed by a deny-s3 SCP at the root,
    and (unless not `trusted`) trusted access for AWS Config."""
    state = o.fold(o.create(o.OrganizationState(), organization_id="o-abcdefghij", root_id=ROOT,
                            management_account_id=MANAGEMENT, now=NOW))
    o.fold(o.enable_policy_type(state, root_id=ROOT, policy_type=o.SCP), state)
    o.fold(o.join(state, account_id=MEMBER, name="dev", email="dev@example.com", now=NOW), state)
    o.fold(o.create_policy(state, policy_id="p-denys3aa", name="deny-s3", policy_type=o.SCP, content=DENY_S3), state)
    o.fold(o.attach(state, policy_id="p-denys3aa", target_id=ROOT), state)
    if trusted:
        o.fold(o.enable_service_access(state, service_principal=CONFIG, now=NOW), state)
    return state


def _register(state: o.OrganizationState, account_id: str = MEMBER, service: str = CONFIG) -> o.OrganizationState:
    return o.fold(o.register_delegated_admin(state, account_id=account_id, service_principal=service, now=NOW), state)


def test_a_member_is_registered_for_a_service_with_trusted_access() -> None:
    state = _register(_org())
    assert o.delegated_admins(state) == [MEMBER] == o.delegated_admins(state, CONFIG)
    assert o.delegated_admins(state, "ram.amazonaws.com") == []
    assert o.delegated_services(state, MEMBER) == {CONFIG: NOW}
    assert o.is_delegated_admin(state, MEMBER) and not o.is_delegated_admin(state, MANAGEMENT)
    with pytest.raises(AccountAlreadyRegisteredError):
        _register(state)


@pytest.mark.parametrize(("account_id", "service", "trusted", "error", "reason"), [
    (MEMBER, CONFIG, False, ConstraintViolationError, "SERVICE_ACCESS_NOT_ENABLED"),
    (MANAGEMENT, CONFIG, True, ConstraintViolationError, "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR"),
    ("333333333333", CONFIG, True, AccountNotFoundError, ""),
    ("12", CONFIG, True, InvalidInputError, "INVALID_PATTERN"),
    (MEMBER, "moto.amazonaws.com", True, InvalidInputError, "UNRECOGNIZED_SERVICE_PRINCIPAL"),
])
def test_what_cannot_be_registered(account_id: str, service: str, trusted: bool, error: type[Exception],
                                   reason: str) -> None:
    with pytest.raises(error) as caught:
        _register(_org(trusted=trusted), account_id, service)
    assert caught.value.reason == reason  # type: ignore[attr-defined]


def test_deregistering_and_the_accounts_it_is_not_registered_for() -> None:
    state = _register(_org())
    with pytest.raises(AccountNotRegisteredError):
        o.deregister_delegated_admin(state, account_id=MEMBER, service_principal="ram.amazonaws.com", now=LATER)
    o.fold(o.deregister_delegated_admin(state, account_id=MEMBER, service_principal=CONFIG, now=LATER), state)
    assert o.delegated_admins(state) == [] and not o.is_delegated_admin(state, MEMBER)
    with pytest.raises(AccountNotRegisteredError):
        o.delegated_services(state, MEMBER)


def test_a_delegated_administrator_neither_leaves_nor_is_removed() -> None:
    state = _register(_org())
    for decide in (lambda: o.leave(state, account_id=MEMBER, now=LATER),
                   lambda: o.remove_account(state, account_id=MEMBER, now=LATER)):
        with pytest.raises(ConstraintViolationError) as caught:
            decide()
        assert caught.value.reason == "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG"


def test_a_member_leaves_and_is_governed_by_no_scp() -> None:
    state = _org()
    assert o.guardrail_levels(state, MEMBER, o.SCP)[0][-1][0] == "p-denys3aa"
    with pytest.raises(MasterCannotLeaveOrganizationError):
        o.leave(state, account_id=MANAGEMENT, now=LATER)
    assert o.leave(state, account_id=MEMBER, now=LATER) == [AccountRemoved(MEMBER, LATER)]
    o.fold([AccountRemoved(MEMBER, LATER)], state)
    assert MEMBER not in state.accounts and not any(o.guardrail_levels(state, MEMBER, o.SCP))


def test_an_organization_is_deleted_only_without_members_and_may_be_created_again() -> None:
    state = _org()
    with pytest.raises(OrganizationNotEmptyError) as caught:
        o.delete(state, now=LATER)
    assert caught.value.blockers == (MEMBER,)
    o.fold(o.remove_account(state, account_id=MEMBER, now=LATER), state)
    events = o.delete(state, now=LATER)
    assert events == [OrganizationDeleted(MANAGEMENT, LATER)]
    state = o.fold(events, state)
    assert not state.exists and state.policies == {} and state.accounts == {}
    with pytest.raises(OrganizationsNotInUseError):
        o.delete(state, now=LATER)
    again = o.fold(o.create(state, organization_id="o-bbbbbbbbbb", root_id="r-efgh",
                            management_account_id=MANAGEMENT, now=LATER), state)
    assert again.exists and again.organization_id == "o-bbbbbbbbbb"


def test_the_management_account_cannot_be_removed_as_aws_says() -> None:
    with pytest.raises(ConstraintViolationError) as caught:
        o.remove_account(_org(), account_id=MANAGEMENT, now=LATER)
    assert caught.value.reason == "ACCOUNT_CANNOT_LEAVE_ORGANIZATION"
