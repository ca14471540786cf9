"""Invitations: how an existing account joins an organization (AWS's handshakes, action INVITE).

The management account invites an account (InviteAccountToOrganization): a handshake h-... in the
organization's stream, OPEN for 15 days. The invited account accepts it (AcceptHandshake: it joins
under the root, JoinedMethod INVITED) or declines it (DeclineHandshake); the management account
may cancel it while it is open (CancelHandshake). Past its ExpirationTimestamp an open handshake
is EXPIRED: read from the clock by `state_of`, no event or timer. AWS's rules (API reference, each
operation's Errors): a handshake already in the state asked for is HandshakeAlreadyInState; one
whose state does not allow the change InvalidHandshakeTransition; an account already in an
organization cannot be invited nor accept (HandshakeConstraintViolation
ALREADY_IN_AN_ORGANIZATION); one open invitation per account and organization
(DuplicateHandshake).

iamd's accounts have no email address of their own (CreateAccount's is the organization's record
of its member), so a Target of type EMAIL names nothing iamd could deliver an invitation to: it is
refused (InvalidInput INVALID_PARTY_TYPE_TARGET) and accounts are invited by id (type ACCOUNT).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from .errors import (
    DuplicateHandshakeError,
    FieldProblem,
    HandshakeAlreadyInStateError,
    HandshakeConstraintViolationError,
    HandshakeNotFoundError,
    InvalidHandshakeTransitionError,
    InvalidInputError,
)
from .events import (
    Event,
    HandshakeAccepted,
    HandshakeCanceled,
    HandshakeDeclined,
    HandshakeOpened,
    OrganizationResourceTagged,
)
from .organizations import OrganizationState, check_new_tags, require

INVITATION_DAYS = 15  # AWS: "the invitation expires after 15 days"
HANDSHAKE_ID = re.compile(r"h-[0-9a-z]{8,32}")  # the model's HandshakeId
_ACCOUNT_ID = re.compile(r"\d{12}")
MAX_NOTES = 1024  # the model's HandshakeNotes
# AWS's ActionType values (the model's enum); iamd's handshakes are all INVITE.
ACTION_TYPES = ("INVITE", "ENABLE_ALL_FEATURES", "APPROVE_ALL_FEATURES", "ADD_ORGANIZATIONS_SERVICE_LINKED_ROLE")
_NOT_FOUND = "We can't find a handshake with the HandshakeId that you specified."
_ALREADY = "The specified handshake is already in the requested state."
_TRANSITION = "You can't perform the operation on the handshake in its current state."
_IN_AN_ORGANIZATION = ("The handshake request is invalid because the invited account is already a member of an "
                       "organization.")


def _moment(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def state_of(handshake: dict[str, Any], now: str) -> str:
    """AWS's HandshakeState: as recorded, but EXPIRED once an open one is past its expiry."""
    if handshake["state"] == "OPEN" and _moment(now) >= _moment(handshake["expires_at"]):
        return "EXPIRED"
    return str(handshake["state"])


def arn_of(state: OrganizationState, handshake_id: str) -> str:
    """`arn:aws:organizations::MANAGEMENT:handshake/o-.../invite/h-...` (AWS's handshake resource type)."""
    return f"arn:aws:organizations::{state.management_account_id}:handshake/{state.organization_id}/invite/{handshake_id}"


def check_handshake_id(handshake_id: str) -> None:
    if not HANDSHAKE_ID.fullmatch(handshake_id):
        raise InvalidInputError("You provided a value that doesn't match the required pattern.",
                                reason="INVALID_PATTERN",
                                problems=[FieldProblem("handshakeId", "h- and 8-32 lowercase letters or digits")])


def invite(state: OrganizationState, *, handshake_id: str, target_type: str, target_id: str, notes: str,
           tags: Sequence[tuple[str, str]], account_known: bool, in_an_organization: bool, now: str) -> list[Event]:
    """AWS's InviteAccountToOrganization: an OPEN handshake to an account iamd knows that is in no
    organization, for 15 days. `account_known` and `in_an_organization` are read by the caller
    from every account and organization of the deployment."""
    require(state)
    if target_type == "EMAIL":
        raise InvalidInputError(
            "iamd accounts have no email address to invite them by: invite the account by its id "
            "(Target Type ACCOUNT).", reason="INVALID_PARTY_TYPE_TARGET",
            problems=[FieldProblem("target.type", "ACCOUNT: iamd invites accounts by id")])
    if target_type != "ACCOUNT":
        raise InvalidInputError("You specified the wrong type of entity (account, organization, or email) as a "
                                "party.", reason="INVALID_PARTY_TYPE_TARGET",
                                problems=[FieldProblem("target.type", "ACCOUNT")])
    if not _ACCOUNT_ID.fullmatch(target_id):
        raise InvalidInputError("You provided a value that doesn't match the required pattern.",
                                reason="INVALID_PATTERN", problems=[FieldProblem("target.id", "an account id: 12 digits")])
    if len(notes) > MAX_NOTES:
        raise InvalidInputError(f"Notes must be at most {MAX_NOTES} characters.", reason="MAX_LENGTH_EXCEEDED",
                                problems=[FieldProblem("notes", f"at most {MAX_NOTES} characters")])
    checked_tags = check_new_tags(tags)
    if not account_known:
        raise InvalidInputError(f"iamd has no account {target_id} to invite.",
                                problems=[FieldProblem("target.id", "an account of this iamd deployment")])
    if target_id in state.accounts or in_an_organization:
        raise HandshakeConstraintViolationError(_IN_AN_ORGANIZATION, reason="ALREADY_IN_AN_ORGANIZATION")
    if any(h["target"] == target_id and state_of(h, now) == "OPEN" for h in state.handshakes.values()):
        raise DuplicateHandshakeError("A handshake with the same action and target already exists.",
                                      resource_type="handshake", resource_name=target_id)
    expires = (_moment(now) + timedelta(days=INVITATION_DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return [HandshakeOpened(handshake_id, target_id, notes, checked_tags, now, expires)]


def _invitation(state: OrganizationState, handshake_id: str) -> dict[str, Any]:
    check_handshake_id(handshake_id)
    handshake = state.handshakes.get(handshake_id)
    if handshake is None:
        raise HandshakeNotFoundError(_NOT_FOUND, resource_type="handshake", resource_name=handshake_id)
    return handshake


def _require_open(handshake: dict[str, Any], now: str, wanted: str) -> None:
    current = state_of(handshake, now)
    if current == wanted:
        raise HandshakeAlreadyInStateError(_ALREADY, resource_type="handshake", resource_name=wanted)
    if current != "OPEN":
        raise InvalidHandshakeTransitionError(f"{_TRANSITION} It is {current}.", blockers=[current])


def accept(state: OrganizationState, *, handshake_id: str, account_id: str, in_an_organization: bool, name: str,
           email: str, now: str) -> list[Event]:
    """AWS's AcceptHandshake, by the invited account: it joins the organization under its root,
    with the tags the invitation carried."""
    handshake = _invitation(state, handshake_id)
    if handshake["target"] != account_id:
        raise HandshakeNotFoundError(_NOT_FOUND, resource_type="handshake", resource_name=handshake_id)
    _require_open(handshake, now, "ACCEPTED")
    if account_id in state.accounts or in_an_organization:
        raise HandshakeConstraintViolationError(_IN_AN_ORGANIZATION, reason="ALREADY_IN_AN_ORGANIZATION")
    tags = dict(handshake["tags"])
    return [HandshakeAccepted(handshake_id, account_id, name, email, now),
            *([OrganizationResourceTagged(account_id, tags)] if tags else [])]


def decline(state: OrganizationState, *, handshake_id: str, account_id: str, now: str) -> list[Event]:
    """AWS's DeclineHandshake, by the invited account."""
    handshake = _invitation(state, handshake_id)
    if handshake["target"] != account_id:
        raise HandshakeNotFoundError(_NOT_FOUND, resource_type="handshake", resource_name=handshake_id)
    _require_open(handshake, now, "DECLINED")
    return [HandshakeDeclined(handshake_id, now)]


def cancel(state: OrganizationState, *, handshake_id: str, now: str) -> list[Event]:
    """AWS's CancelHandshake, by the management account: only while the invitation is open."""
    require(state)
    _require_open(_invitation(state, handshake_id), now, "CANCELED")
    return [HandshakeCanceled(handshake_id, now)]


def check_filter(action_type: str, parent_handshake_id: str) -> None:
    """AWS's HandshakeFilter: at most one of ActionType (of the model's enum) and ParentHandshakeId."""
    if action_type and parent_handshake_id:
        raise InvalidInputError("Specify only one of ActionType or ParentHandshakeId.",
                                problems=[FieldProblem("filter", "ActionType or ParentHandshakeId, not both")])
    if action_type and action_type not in ACTION_TYPES:
        raise InvalidInputError("You specified an invalid value.", reason="INVALID_ENUM",
                                problems=[FieldProblem("filter.actionType", " or ".join(ACTION_TYPES))])
    if parent_handshake_id:
        check_handshake_id(parent_handshake_id)


def matches(action_type: str, parent_handshake_id: str) -> bool:
    """Whether an invitation passes the filter: it is an INVITE and has no parent handshake."""
    return not parent_handshake_id and action_type in ("", "INVITE")
