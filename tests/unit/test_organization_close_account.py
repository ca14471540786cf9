"""CloseAccount as AWS Organizations has it (API reference, CloseAccount and
ConstraintViolationException's reasons; User Guide, "Closing a member account", "Monitor the state
of your accounts"): given events, when a command, then events or an error; and what a closed
account is afterwards (its status over time, the listings, RemoveAccountFromOrganization,
MoveAccount, RegisterDelegatedAdministrator, DeleteOrganization)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from iamd.service.domain import organizations as o
from iamd.service.domain.errors import (
    AccountAlreadyClosedError,
    AccountNotFoundError,
    ConflictError,
    ConstraintViolationError,
    InvalidInputError,
    OrganizationNotEmptyError,
)
from iamd.service.domain.events import AccountClosed, AccountMoved

NOW = "2026-01-01T00:00:00Z"
ROOT, MANAGEMENT = "r-abcd", "111111111111"
CONFIG = "config.amazonaws.com"


def _at(seconds: float = 0, *, days: float = 0) -> str:
    return (datetime(2026, 1, 1) + timedelta(seconds=seconds, days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _member(n: int) -> str:
    return f"{200000000000 + n}"


def _org(members: int = 3) -> o.OrganizationState:
    state = o.fold(o.create(o.OrganizationState(), organization_id="o-abcdefghij", root_id=ROOT,
                            management_account_id=MANAGEMENT, now=NOW))
    for n in range(members):
        o.fold(o.join(state, account_id=_member(n), name=f"m{n}", email=f"m{n}@example.com", now=NOW), state)
    return state


def _close(state: o.OrganizationState, account_id: str, now: str = NOW) -> o.OrganizationState:
    return o.fold(o.close_account(state, account_id=account_id, now=now), state)


def test_a_closed_account_is_pending_closure_then_suspended_then_gone_after_90_days() -> None:
    state = _org()
    assert o.close_account(state, account_id=_member(0), now=NOW) == [AccountClosed(_member(0), NOW)]
    _close(state, _member(0))
    assert o.is_closed(state, _member(0)) and not o.is_closed(state, _member(1))
    assert o.account_status(state, _member(1), NOW) == ("ACTIVE", "ACTIVE")
    assert o.account_status(state, _member(0), _at(o.CLOSURE_SECONDS - 1)) == ("PENDING_CLOSURE", "PENDING_CLOSURE")
    assert o.account_status(state, _member(0), _at(o.CLOSURE_SECONDS)) == ("SUSPENDED", "CLOSED")
    # Listed (SUSPENDED) through the 90-day post-closure period, no longer after it.
    assert _member(0) in o.members(state, _at(days=o.POST_CLOSURE_DAYS - 1))
    assert _member(0) not in o.members(state, _at(days=o.POST_CLOSURE_DAYS))
    assert o.is_departed(state, _member(0), _at(days=o.POST_CLOSURE_DAYS))


def test_closing_again_is_conflict_while_in_progress_then_already_closed() -> None:
    state = _close(_org(), _member(0))
    with pytest.raises(ConflictError):
        o.close_account(state, account_id=_member(0), now=_at(1))
    with pytest.raises(AccountAlreadyClosedError):
        o.close_account(state, account_id=_member(0), now=_at(o.CLOSURE_SECONDS))
    with pytest.raises(AccountNotFoundError):  # past its post-closure period it is not in the organization
        o.close_account(state, account_id=_member(0), now=_at(days=o.POST_CLOSURE_DAYS))


@pytest.mark.parametrize(("account_id", "error", "reason"), [
    (MANAGEMENT, ConstraintViolationError, "CANNOT_CLOSE_MANAGEMENT_ACCOUNT"),
    ("999999999999", AccountNotFoundError, ""),
    ("12345", InvalidInputError, "INVALID_PATTERN"),
])
def test_what_cannot_be_closed(account_id: str, error: type[Exception], reason: str) -> None:
    state = _org()
    with pytest.raises(error) as caught:
        o.close_account(state, account_id=account_id, now=NOW)
    assert getattr(caught.value, "reason", "") == reason


def test_at_most_three_closures_are_in_progress_at_once() -> None:
    state = _org(5)
    for n in range(o.MAX_CONCURRENT_CLOSURES):
        _close(state, _member(n), _at(n))
    with pytest.raises(ConstraintViolationError) as caught:
        o.close_account(state, account_id=_member(3), now=_at(10))
    assert caught.value.reason == "CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED"
    # Once the first has closed, another may start.
    assert o.close_account(state, account_id=_member(3), now=_at(o.CLOSURE_SECONDS)) == [
        AccountClosed(_member(3), _at(o.CLOSURE_SECONDS))]


@pytest.mark.parametrize(("member_count", "quota"), [(3, 250), (1250, 250), (1300, 260), (5000, 1000), (9000, 1000)])
def test_the_rolling_quota_is_the_higher_of_250_or_20_percent_at_most_1000(member_count: int, quota: int) -> None:
    assert o.close_quota(member_count) == quota


def test_the_rolling_30_day_quota_refuses_past_it_and_frees_up_after_30_days() -> None:
    state = _org(252)
    for n in range(250):  # one a minute, never more than three in progress
        _close(state, _member(n), _at(n * 60))
    last = _at(250 * 60)
    with pytest.raises(ConstraintViolationError) as caught:
        o.close_account(state, account_id=_member(250), now=last)
    assert caught.value.reason == "CLOSE_ACCOUNT_QUOTA_EXCEEDED"
    # 30 days after the first closure, that one no longer counts.
    assert o.close_account(state, account_id=_member(250), now=_at(1, days=o.CLOSE_QUOTA_DAYS))


def test_a_closed_account_cannot_be_removed_nor_registered_but_can_be_moved() -> None:
    state = _close(_org(), _member(0))
    with pytest.raises(ConstraintViolationError) as caught:
        o.remove_account(state, account_id=_member(0), now=_at(o.CLOSURE_SECONDS))
    assert caught.value.reason == "ACCOUNT_CANNOT_LEAVE_ORGANIZATION"
    o.fold(o.enable_service_access(state, service_principal=CONFIG, now=NOW), state)
    with pytest.raises(ConstraintViolationError) as caught:
        o.register_delegated_admin(state, account_id=_member(0), service_principal=CONFIG, now=NOW)
    assert caught.value.reason == "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR"
    o.fold(o.create_ou(state, ou_id="ou-abcd-closed00", name="closed", parent_id=ROOT), state)
    assert o.move(state, account_id=_member(0), source=ROOT, destination="ou-abcd-closed00") == [
        AccountMoved(_member(0), ROOT, "ou-abcd-closed00")]


def test_a_closed_account_keeps_the_organization_until_its_post_closure_period_ends() -> None:
    state = _org(1)
    _close(state, _member(0))
    with pytest.raises(OrganizationNotEmptyError):
        o.delete(state, now=_at(days=1))
    assert o.delete(state, now=_at(days=o.POST_CLOSURE_DAYS))
