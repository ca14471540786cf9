"""Invitations (AWS's handshakes, action INVITE) as AWS Organizations has them (API reference:
InviteAccountToOrganization, AcceptHandshake, DeclineHandshake, CancelHandshake; the Handshake
structure's states). Given events, when a command at a moment, then events or an error; the
state machine OPEN -> ACCEPTED | DECLINED | CANCELED, and EXPIRED read from the clock."""

from __future__ import annotations

import json

import pytest

from iamd.service.domain import organizations as o
from iamd.service.domain import organizations_handshakes as h
from iamd.service.domain.errors import (
    DuplicateHandshakeError,
    HandshakeAlreadyInStateError,
    HandshakeConstraintViolationError,
    HandshakeNotFoundError,
    InvalidHandshakeTransitionError,
    InvalidInputError,
    OrganizationsNotInUseError,
)
from iamd.service.domain.events import HandshakeAccepted, HandshakeOpened, OrganizationResourceTagged

NOW = "2026-01-01T00:00:00Z"
DAY_14, DAY_15 = "2026-01-15T00:00:00Z", "2026-01-16T00:00:00Z"  # before, at the expiry
ROOT, GUEST, MANAGEMENT = "r-abcd", "333333333333", "111111111111"
HID = "h-abcdefghij"
DENY_S3 = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})


def _org() -> o.OrganizationState:
    """An organization with SCPs enabled and a deny-s3 SCP at its root."""
    state = o.fold(o.create(o.OrganizationState(), organization_id="o-abcdefghij", root_id=ROOT,
                            management_account_id=MANAGEMENT, now=NOW))
    o.fold(o.enable_policy_type(state, root_id=ROOT, policy_type=o.SCP), state)
    o.fold(o.create_policy(state, policy_id="p-denys3aa", name="deny-s3", policy_type=o.SCP, content=DENY_S3), state)
    o.fold(o.attach(state, policy_id="p-denys3aa", target_id=ROOT), state)
    return state


def _invite(state: o.OrganizationState, *, handshake_id: str = HID, target_type: str = "ACCOUNT",
            target_id: str = GUEST, known: bool = True, in_org: bool = False, now: str = NOW,
            tags: tuple[tuple[str, str], ...] = ()) -> list[object]:
    return h.invite(state, handshake_id=handshake_id, target_type=target_type, target_id=target_id, notes="hi",
                    tags=tags, account_known=known, in_an_organization=in_org, now=now)


def _invited(**kwargs: object) -> o.OrganizationState:
    state = _org()
    o.fold(_invite(state, **kwargs), state)  # type: ignore[arg-type]
    return state


def _accept(state: o.OrganizationState, *, now: str = NOW, account: str = GUEST, in_org: bool = False) -> list:
    return h.accept(state, handshake_id=HID, account_id=account, in_an_organization=in_org, name=account,
                    email="", now=now)


def test_an_invitation_is_open_for_15_days_then_expired() -> None:
    [opened] = _invite(_org())
    assert isinstance(opened, HandshakeOpened) and opened.expires_at == DAY_15
    state = _invited()
    assert h.state_of(state.handshakes[HID], DAY_14) == "OPEN"
    assert h.state_of(state.handshakes[HID], DAY_15) == "EXPIRED"
    assert h.arn_of(state, HID) == f"arn:aws:organizations::{MANAGEMENT}:handshake/o-abcdefghij/invite/{HID}"


@pytest.mark.parametrize(("kwargs", "error", "reason"), [
    ({"target_type": "EMAIL", "target_id": "guest@example.com"}, InvalidInputError, "INVALID_PARTY_TYPE_TARGET"),
    ({"target_type": "ORGANIZATION", "target_id": "o-abcdefghij"}, InvalidInputError, "INVALID_PARTY_TYPE_TARGET"),
    ({"target_id": "12345"}, InvalidInputError, "INVALID_PATTERN"),
    ({"known": False}, InvalidInputError, ""),
    ({"in_org": True}, HandshakeConstraintViolationError, "ALREADY_IN_AN_ORGANIZATION"),
    ({"target_id": MANAGEMENT}, HandshakeConstraintViolationError, "ALREADY_IN_AN_ORGANIZATION"),
])
def test_what_cannot_be_invited(kwargs: dict[str, object], error: type[Exception], reason: str) -> None:
    with pytest.raises(error) as caught:
        _invite(_org(), **kwargs)  # type: ignore[arg-type]
    if reason:
        assert caught.value.reason == reason  # type: ignore[attr-defined]


def test_one_open_invitation_per_account_until_it_ends() -> None:
    state = _invited()
    with pytest.raises(DuplicateHandshakeError):
        _invite(state, handshake_id="h-bbbbbbbbbb")
    assert _invite(state, handshake_id="h-bbbbbbbbbb", now=DAY_15)  # the first one expired
    o.fold(h.cancel(state, handshake_id=HID, now=NOW), state)
    assert _invite(state, handshake_id="h-bbbbbbbbbb")


def test_no_invitation_without_an_organization() -> None:
    with pytest.raises(OrganizationsNotInUseError):
        _invite(o.OrganizationState())


def test_accepting_joins_the_account_and_its_scps_govern_it() -> None:
    state = _invited(tags=(("team", "blue"),))
    assert GUEST not in state.accounts
    events = _accept(state)
    assert isinstance(events[0], HandshakeAccepted)
    assert events[1] == OrganizationResourceTagged(GUEST, {"team": "blue"})
    o.fold(events, state)
    assert state.handshakes[HID]["state"] == "ACCEPTED"
    assert state.accounts[GUEST]["joined_method"] == "INVITED" and state.parents[GUEST] == ROOT
    assert o.guardrail_levels(state, GUEST, o.SCP)[0][-1][0] == "p-denys3aa"
    assert state.tags[GUEST] == {"team": "blue"}


@pytest.mark.parametrize(("ended_by", "accept_error", "decline_error", "cancel_error"), [
    ("accept", HandshakeAlreadyInStateError, InvalidHandshakeTransitionError, InvalidHandshakeTransitionError),
    ("decline", InvalidHandshakeTransitionError, HandshakeAlreadyInStateError, InvalidHandshakeTransitionError),
    ("cancel", InvalidHandshakeTransitionError, InvalidHandshakeTransitionError, HandshakeAlreadyInStateError),
])
def test_an_ended_handshake_takes_no_other_transition(ended_by: str, accept_error: type[Exception],
                                                      decline_error: type[Exception],
                                                      cancel_error: type[Exception]) -> None:
    state = _invited()
    end = {"accept": lambda: _accept(state),
           "decline": lambda: h.decline(state, handshake_id=HID, account_id=GUEST, now=NOW),
           "cancel": lambda: h.cancel(state, handshake_id=HID, now=NOW)}
    o.fold(end[ended_by](), state)
    for command, error in (("accept", accept_error), ("decline", decline_error), ("cancel", cancel_error)):
        with pytest.raises(error):
            end[command]()


def test_an_expired_invitation_cannot_be_accepted_declined_or_canceled() -> None:
    state = _invited()
    for command in (lambda: _accept(state, now=DAY_15),
                    lambda: h.decline(state, handshake_id=HID, account_id=GUEST, now=DAY_15),
                    lambda: h.cancel(state, handshake_id=HID, now=DAY_15)):
        with pytest.raises(InvalidHandshakeTransitionError):
            command()
    assert _accept(state, now=DAY_14)  # the moment before, it could


def test_only_the_invited_account_accepts_and_only_while_in_no_organization() -> None:
    state = _invited()
    with pytest.raises(HandshakeNotFoundError):
        _accept(state, account="444444444444")
    with pytest.raises(HandshakeConstraintViolationError) as caught:
        _accept(state, in_org=True)  # it joined another organization meanwhile
    assert caught.value.reason == "ALREADY_IN_AN_ORGANIZATION"
    with pytest.raises(HandshakeNotFoundError):
        h.cancel(state, handshake_id="h-zzzzzzzzzz", now=NOW)
    with pytest.raises(InvalidInputError):
        h.cancel(state, handshake_id="nope", now=NOW)


def test_the_filter() -> None:
    assert h.matches("", "") and h.matches("INVITE", "")
    assert not h.matches("ENABLE_ALL_FEATURES", "") and not h.matches("", HID)
    with pytest.raises(InvalidInputError):
        h.check_filter("INVITE", HID)
    with pytest.raises(InvalidInputError):
        h.check_filter("JOIN", "")
