"""An organization: its root, nested OUs, member accounts, the SCPs and RCPs attached to them,
the policy types enabled at its root and the AWS services given trusted access.

One stream per organization (`org-MANAGEMENT_ACCOUNT-organization`), so every rule that spans the
tree (an OU's parent exists, a policy is attached once, the management account stays put) is
decided on one consistent state. AWS's rules for policy types (Organizations User Guide,
"Enabling a policy type" and "Disabling a policy type"; API reference, EnablePolicyType,
DisablePolicyType, AttachPolicy): a new organization's root has none enabled; a policy can be
attached only while its type is enabled (PolicyTypeNotEnabledException); enabling SCPs attaches
FullAWSAccess (an SCP allowing everything) to the root and every OU and account, and while they
stay enabled to every OU and account that appears; disabling a type detaches every policy of the
type everywhere (the policies stay), and its policies no longer apply. RCPFullAWSAccess is
implicit wherever RCPs are enabled. Organizations created before policy types could be enabled
(their OrganizationCreated has no enabled_policy_types) have SCPs and RCPs enabled, as then.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .errors import (
    AccessDeniedError,
    AccountAlreadyClosedError,
    AccountAlreadyRegisteredError,
    AccountNotFoundError,
    AccountNotRegisteredError,
    AlreadyInOrganizationError,
    ConflictError,
    ConstraintViolationError,
    DestinationParentNotFoundError,
    DuplicateAccountError,
    DuplicateOrganizationalUnitError,
    DuplicatePolicyAttachmentError,
    DuplicatePolicyError,
    EffectivePolicyNotFoundError,
    FieldProblem,
    HandshakeConstraintViolationError,
    InvalidInputError,
    MasterCannotLeaveOrganizationError,
    OrganizationalUnitNotEmptyError,
    OrganizationalUnitNotFoundError,
    OrganizationNotEmptyError,
    OrganizationsNotInUseError,
    ParentNotFoundError,
    PolicyInUseError,
    PolicyNotAttachedError,
    PolicyNotFoundError,
    PolicyTypeAlreadyEnabledError,
    PolicyTypeNotAvailableForOrganizationError,
    PolicyTypeNotEnabledError,
    RootNotFoundError,
    SourceParentNotFoundError,
    TargetNotFoundError,
)
from . import management_policies
from .events import (
    AccountClosed,
    AccountCreationFailed,
    AccountCreationRequested,
    AccountJoined,
    AccountMoved,
    AccountRemoved,
    AWSServiceAccessDisabled,
    AWSServiceAccessEnabled,
    DelegatedAdministratorDeregistered,
    DelegatedAdministratorRegistered,
    Event,
    HandshakeAccepted,
    HandshakeCanceled,
    HandshakeDeclined,
    HandshakeOpened,
    OrganizationalUnitCreated,
    OrganizationCreated,
    OrganizationDeleted,
    OrganizationPolicyAttached,
    OrganizationPolicyCreated,
    OrganizationPolicyDeleted,
    OrganizationPolicyDetached,
    OrganizationPolicyUpdated,
    OrganizationResourcePolicyDeleted,
    OrganizationResourcePolicyPut,
    OrganizationalUnitDeleted,
    OrganizationalUnitRenamed,
    OrganizationResourceTagged,
    OrganizationResourceUntagged,
    PolicyTypeDisabled,
    PolicyTypeEnabled,
)

# The events of an organization's stream, by stored type name (the projection routes them here).
EVENT_TYPES = frozenset(cls.__name__ for cls in (
    OrganizationCreated, OrganizationalUnitCreated, OrganizationalUnitRenamed, OrganizationalUnitDeleted,
    AccountJoined, AccountMoved, AccountRemoved, OrganizationPolicyCreated, OrganizationPolicyUpdated, OrganizationPolicyDeleted,
    OrganizationPolicyAttached, OrganizationPolicyDetached, AccountCreationRequested, AccountCreationFailed,
    OrganizationResourceTagged, OrganizationResourceUntagged, PolicyTypeEnabled, PolicyTypeDisabled,
    AWSServiceAccessEnabled, AWSServiceAccessDisabled, DelegatedAdministratorRegistered,
    DelegatedAdministratorDeregistered, OrganizationDeleted, HandshakeOpened, HandshakeAccepted, HandshakeDeclined,
    HandshakeCanceled, AccountClosed, OrganizationResourcePolicyPut, OrganizationResourcePolicyDeleted))
FULL_AWS_ACCESS_ID = "p-FullAWSAccess"
FULL_AWS_ACCESS = json.dumps({"Version": "2012-10-17",
                              "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
SCP, RCP = "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"
# RCPFullAWSAccess is attached to every root, OU and account and cannot be detached: it is kept
# implicit (an RCP level allows what no RCP denies) and shown wherever AWS lists it.
RCP_FULL_AWS_ACCESS_ID = "p-RCPFullAWSAccess"
RCP_FULL_AWS_ACCESS = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]})
_RCP_FULL_AWS_ACCESS = {"name": "RCPFullAWSAccess", "type": RCP, "content": RCP_FULL_AWS_ACCESS}
AWS_MANAGED = frozenset({FULL_AWS_ACCESS_ID, RCP_FULL_AWS_ACCESS_ID})
# The policy types of iamd's organizations, and the order ListRoots shows them in: the
# authorization policies (SCPs, RCPs: guardrail_levels) and the management policies
# (management_policies: tag, backup, AI services opt-out), which take no part in a decision.
POLICY_TYPES = (SCP, RCP, *management_policies.MANAGEMENT_POLICY_TYPES)
# Every policy type AWS Organizations has (the model's PolicyType enum): the others exist in AWS
# but not in iamd (PolicyTypeNotAvailableForOrganizationException).
AWS_POLICY_TYPES = frozenset({
    SCP, RCP, "TAG_POLICY", "BACKUP_POLICY", "AISERVICES_OPT_OUT_POLICY", "CHATBOT_POLICY", "DECLARATIVE_POLICY_EC2",
    "SECURITYHUB_POLICY", "SECURITYHUB_CSPM_POLICY", "INSPECTOR_POLICY", "UPGRADE_ROLLOUT_POLICY", "BEDROCK_POLICY",
    "S3_POLICY", "NETWORK_SECURITY_DIRECTOR_POLICY", "GUARDDUTY_POLICY"})
# What OrganizationCreated events without enabled_policy_types meant: both enabled.
_LEGACY_POLICY_TYPES = (SCP, RCP)


@dataclass
class OrganizationState:
    exists: bool = False
    organization_id: str = ""
    root_id: str = ""
    management_account_id: str = ""
    parents: dict[str, str] = field(default_factory=dict)  # OU or account id -> parent id
    ou_names: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    attachments: dict[str, list[str]] = field(default_factory=dict)  # target id -> policy ids
    # CreateAccount requests by id (car-...), oldest first: account_name, email, state, requested_at,
    # completed_at, account_id, failure_reason.
    account_requests: dict[str, dict[str, str]] = field(default_factory=dict)
    # Tags of the root, OUs, accounts and policies, by resource id: key -> value.
    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    # The policy types enabled at the root, in the order they were enabled.
    policy_types: list[str] = field(default_factory=list)
    # AWS services with trusted access: service principal -> when it was enabled.
    service_access: dict[str, str] = field(default_factory=dict)
    # Delegated administrators: member account -> service principal -> when it was registered.
    delegated_admins: dict[str, dict[str, str]] = field(default_factory=dict)
    # Invitations (handshakes h-...), oldest first: target (account id), state (OPEN, ACCEPTED,
    # DECLINED, CANCELED: EXPIRED is read from the clock, organizations_handshakes.state_of),
    # requested_at, expires_at, notes, tags.
    handshakes: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The organization's resource policy (its delegation policy), when it has one: id (rp-...),
    # content, and the member accounts its Allow statements name (organizations_delegation).
    resource_policy: dict[str, Any] | None = None


def _new_node(state: OrganizationState, node_id: str) -> None:
    """A root, OU or account appears: FullAWSAccess attached when SCPs are enabled."""
    state.attachments[node_id] = [FULL_AWS_ACCESS_ID] if SCP in state.policy_types else []


def _nodes(state: OrganizationState) -> list[str]:
    return [state.root_id, *state.ou_names, *state.accounts]


def fold(events: Iterable[Event], state: OrganizationState | None = None) -> OrganizationState:
    """The organization after `events`, folded onto `state` (changed in place) or a new one."""
    state = state if state is not None else OrganizationState()
    for event in events:
        match event:
            case OrganizationCreated():
                state = OrganizationState(True, event.organization_id, event.root_id, event.management_account_id)
                state.policy_types = list(_LEGACY_POLICY_TYPES if event.enabled_policy_types is None
                                          else event.enabled_policy_types)
                state.policies[FULL_AWS_ACCESS_ID] = {"name": "FullAWSAccess", "type": SCP, "content": FULL_AWS_ACCESS}
                # AWS shows the management account as INVITED, joined when the organization was created.
                state.accounts[event.management_account_id] = {"name": "management", "email": "", "joined_at": event.created_at,
                                                               "joined_method": "INVITED"}
                state.parents[event.management_account_id] = event.root_id
                _new_node(state, event.root_id)
                _new_node(state, event.management_account_id)
            case OrganizationalUnitCreated():
                state.parents[event.ou_id] = event.parent_id
                state.ou_names[event.ou_id] = event.name
                _new_node(state, event.ou_id)
            case AccountJoined():
                state.accounts[event.account_id] = {"name": event.name, "email": event.email,
                                                    "joined_at": event.joined_at, "joined_method": "CREATED"}
                state.parents[event.account_id] = state.root_id
                _new_node(state, event.account_id)
                if event.request_id:
                    state.account_requests.setdefault(event.request_id, {
                        "account_name": event.name, "email": event.email, "requested_at": event.joined_at}).update(
                        state="SUCCEEDED", completed_at=event.joined_at, account_id=event.account_id)
            case AccountCreationRequested():
                state.account_requests[event.request_id] = {
                    "account_name": event.account_name, "email": event.email, "state": "IN_PROGRESS",
                    "requested_at": event.requested_at, "account_id": event.account_id}
            case AccountCreationFailed():
                state.account_requests.setdefault(event.request_id, {}).update(
                    account_name=event.account_name, state="FAILED", requested_at=event.requested_at,
                    completed_at=event.failed_at, failure_reason=event.failure_reason, account_id="")
            case AccountRemoved():
                del state.accounts[event.account_id], state.parents[event.account_id]
                state.attachments.pop(event.account_id, None)
                state.tags.pop(event.account_id, None)
                state.delegated_admins.pop(event.account_id, None)
            case AccountMoved():
                state.parents[event.account_id] = event.destination_parent_id
            case AccountClosed():
                state.accounts[event.account_id]["closed_at"] = event.closed_at
            case OrganizationResourcePolicyPut():
                state.resource_policy = {"id": event.resource_policy_id, "content": event.content,
                                         "accounts": allowed_accounts(event.content)}
            case OrganizationResourcePolicyDeleted():
                state.resource_policy = None
                state.tags.pop(event.resource_policy_id, None)
            case OrganizationPolicyCreated():
                state.policies[event.policy_id] = {"name": event.name, "type": event.policy_type,
                                                   "content": event.content, "description": event.description}
            case OrganizationPolicyAttached():
                state.attachments.setdefault(event.target_id, []).append(event.policy_id)
            case OrganizationPolicyDetached():
                state.attachments[event.target_id].remove(event.policy_id)
            case OrganizationalUnitRenamed():
                state.ou_names[event.ou_id] = event.name
            case OrganizationalUnitDeleted():
                del state.ou_names[event.ou_id], state.parents[event.ou_id], state.attachments[event.ou_id]
                state.tags.pop(event.ou_id, None)
            case OrganizationPolicyUpdated():
                state.policies[event.policy_id].update(name=event.name, content=event.content,
                                                       description=event.description)
            case OrganizationPolicyDeleted():
                del state.policies[event.policy_id]
                state.tags.pop(event.policy_id, None)
            case OrganizationResourceTagged():
                state.tags.setdefault(event.resource_id, {}).update(event.tags)
            case OrganizationResourceUntagged():
                held = state.tags.get(event.resource_id, {})
                for key in event.tag_keys:
                    held.pop(key, None)
                if not held:
                    state.tags.pop(event.resource_id, None)
            case PolicyTypeEnabled():
                state.policy_types.append(event.policy_type)
                if event.policy_type == SCP:  # FullAWSAccess everywhere (nothing else of the type is attached)
                    for node in _nodes(state):
                        held = state.attachments.setdefault(node, [])
                        if FULL_AWS_ACCESS_ID not in held:
                            held.append(FULL_AWS_ACCESS_ID)
            case PolicyTypeDisabled():
                state.policy_types.remove(event.policy_type)
                for node, held in state.attachments.items():
                    held[:] = [p for p in held if state.policies[p]["type"] != event.policy_type]
            case AWSServiceAccessEnabled():
                state.service_access[event.service_principal] = event.enabled_at
            case AWSServiceAccessDisabled():
                state.service_access.pop(event.service_principal, None)
            case DelegatedAdministratorRegistered():
                state.delegated_admins.setdefault(event.account_id, {})[event.service_principal] = event.registered_at
            case DelegatedAdministratorDeregistered():
                services = state.delegated_admins.get(event.account_id, {})
                services.pop(event.service_principal, None)
                if not services:
                    state.delegated_admins.pop(event.account_id, None)
            case HandshakeOpened():
                state.handshakes[event.handshake_id] = {
                    "target": event.target_account_id, "state": "OPEN", "requested_at": event.requested_at,
                    "expires_at": event.expires_at, "notes": event.notes, "tags": dict(event.tags)}
            case HandshakeAccepted():
                state.handshakes[event.handshake_id]["state"] = "ACCEPTED"
                state.accounts[event.account_id] = {"name": event.name, "email": event.email,
                                                    "joined_at": event.accepted_at, "joined_method": "INVITED"}
                state.parents[event.account_id] = state.root_id
                _new_node(state, event.account_id)
            case HandshakeDeclined():
                state.handshakes[event.handshake_id]["state"] = "DECLINED"
            case HandshakeCanceled():
                state.handshakes[event.handshake_id]["state"] = "CANCELED"
            case OrganizationDeleted():
                state = OrganizationState()  # nothing of it remains; the stream may create another one
            case _:
                raise ValueError(f"{type(event).__name__} does not apply to an organization")
    return state


def require(state: OrganizationState) -> OrganizationState:
    if not state.exists:
        raise OrganizationsNotInUseError("Your account is not a member of an organization.")
    return state


def create(state: OrganizationState, *, organization_id: str, root_id: str, management_account_id: str,
           now: str) -> list[Event]:
    if state.exists:
        raise AlreadyInOrganizationError("The AWS account is already a member of an organization.")
    return [OrganizationCreated(organization_id, root_id, management_account_id, now, enabled_policy_types=[])]


def _require_parent(state: OrganizationState, parent_id: str, field_name: str) -> None:
    if parent_id != state.root_id and parent_id not in state.ou_names:
        error = DestinationParentNotFoundError if field_name == "destinationParentId" else ParentNotFoundError
        raise error(f"We can't find a root or OU with the ParentId that you specified: {parent_id}",
                    resource_type="parent", resource_name=parent_id,
                    problems=[FieldProblem(field_name, "no such root or OU")])


# AWS Organizations quotas, "Maximum size of a policy document": SCPs and RCPs 5,120 characters.
# Through the API the content is stored as given, so whitespace counts.
MAX_POLICY_CONTENT_CHARS = {SCP: 5120, RCP: 5120}


def check_policy_content_size(policy_type: str, content: str) -> None:
    """Refuse SCP/RCP content beyond its quota, as AWS does (POLICY_CONTENT_LIMIT_EXCEEDED)."""
    limit = MAX_POLICY_CONTENT_CHARS.get(policy_type)
    if limit is not None and len(content) > limit:
        raise ConstraintViolationError(
            f"You have exceeded the maximum policy size: a {policy_type} may have at most {limit} characters, "
            f"this one has {len(content)}. (Reason: POLICY_CONTENT_LIMIT_EXCEEDED)",
            quota="POLICY_CONTENT_LIMIT_EXCEEDED",
            problems=[FieldProblem("content", f"at most {limit} characters, whitespace included")])


# CreateAccount (AWS Organizations API reference): AccountName 1-50 printable ASCII characters,
# Email 6-64 characters of the pattern [^\s@]+@[^\s@]+\.[^\s@]+.
_ACCOUNT_NAME = re.compile(r"[\x20-\x7e]{1,50}")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")


def check_new_account(account_name: str, email: str) -> None:
    if not _ACCOUNT_NAME.fullmatch(account_name):
        raise InvalidInputError("1 validation error detected: Value at 'accountName' failed to satisfy constraint: "
                                r"Member must have length between 1 and 50 of the characters [\u0020-\u007E]",
                                problems=[FieldProblem("accountName", "1-50 printable ASCII characters")])
    if not (6 <= len(email) <= 64 and email.isascii() and _EMAIL.fullmatch(email)):
        raise InvalidInputError("1 validation error detected: Value at 'email' failed to satisfy constraint: Member "
                                r"must have length between 6 and 64 and satisfy [^\s@]+@[^\s@]+\.[^\s@]+",
                                problems=[FieldProblem("email", "an email address, 6-64 ASCII characters")])


def _check_name(name: str, field_name: str) -> None:
    if not 1 <= len(name) <= 128:
        raise InvalidInputError(f"1 validation error detected: Value at '{field_name}' failed to satisfy "
                                "constraint: Member must have length between 1 and 128",
                                problems=[FieldProblem(field_name, "1-128 characters")])


# API reference, CreateOrganizationalUnit: "The number of levels deep that you can nest OUs is
# dependent upon the policy types enabled for that root. For service control policies, the limit
# is five." (User Guide quotas: "OU maximum nesting in a root: five levels of OUs deep under a root".)
MAX_OU_DEPTH = 5


def create_ou(state: OrganizationState, *, ou_id: str, name: str, parent_id: str,
              tags: Sequence[tuple[str, str]] = ()) -> list[Event]:
    _check_name(name, "name")
    new_tags = check_new_tags(tags)
    _require_parent(state, parent_id, "parentId")
    if len(path_of(state, parent_id)) > MAX_OU_DEPTH:  # the root and the parent's OUs: the new OU one deeper
        raise ConstraintViolationError(
            f"You attempted to create an OU tree that is too many levels deep: OUs nest at most {MAX_OU_DEPTH} "
            "levels under the root.", reason="OU_DEPTH_LIMIT_EXCEEDED", quota="OU_DEPTH_LIMIT_EXCEEDED",
            problems=[FieldProblem("parentId", f"a root or an OU less than {MAX_OU_DEPTH} levels deep")])
    if any(state.parents.get(o) == parent_id and n == name for o, n in state.ou_names.items()):
        raise DuplicateOrganizationalUnitError(f"An OU with the same name `{name}` already exists under the parent.")
    return [OrganizationalUnitCreated(ou_id, name, parent_id), *_tagged(ou_id, new_tags)]


def request_account(state: OrganizationState, *, request_id: str, account_id: str, name: str, email: str,
                    now: str, email_taken_elsewhere: bool) -> list[Event]:
    """A CreateAccount request: accepted (IN_PROGRESS), or failed at once with AWS's reason. An
    email is an account's own (EMAIL_ALREADY_EXISTS: a member of this organization, or an account
    elsewhere in the deployment, has it); a request for an email another request is still
    creating is CONCURRENT_ACCOUNT_MODIFICATION, as AWS answers a repeated request."""
    require(state)  # the organization may have been deleted since the caller was found in it
    wanted = email.casefold()
    reason = ""
    if email_taken_elsewhere or any(a["email"].casefold() == wanted for a in state.accounts.values() if a["email"]):
        reason = "EMAIL_ALREADY_EXISTS"
    elif any(r.get("state") == "IN_PROGRESS" and r.get("email", "").casefold() == wanted
             for r in state.account_requests.values()):
        reason = "CONCURRENT_ACCOUNT_MODIFICATION"
    if reason:
        return [AccountCreationFailed(request_id, name, reason, now, now)]
    return [AccountCreationRequested(request_id, account_id, name, email, now)]


def fail_request(state: OrganizationState, *, request_id: str, reason: str, now: str) -> list[Event]:
    """A request in progress that could not complete (INTERNAL_FAILURE)."""
    request = state.account_requests.get(request_id)
    if request is None or request.get("state") != "IN_PROGRESS":
        return []
    return [AccountCreationFailed(request_id, request["account_name"], reason, request["requested_at"], now)]


def join(state: OrganizationState, *, account_id: str, name: str, email: str, now: str,
         request_id: str = "", tags: Sequence[tuple[str, str]] = ()) -> list[Event]:
    """The account in the organization, with the tags CreateAccount gave (checked before the
    request was made: an invalid tag fails the request, no account is created)."""
    require(state)
    if account_id in state.accounts:
        raise DuplicateAccountError(f"account {account_id} is already in the organization")
    return [AccountJoined(account_id, name, email, now, request_id), *_tagged(account_id, check_new_tags(tags))]


def email_in_use(state: OrganizationState, email: str) -> bool:
    """Whether a member account of the organization, or a request in progress, has this email."""
    wanted = email.casefold()
    return any(a["email"].casefold() == wanted for a in state.accounts.values() if a["email"]) or any(
        r.get("state") == "IN_PROGRESS" and r.get("email", "").casefold() == wanted
        for r in state.account_requests.values())


def remove_account(state: OrganizationState, *, account_id: str, now: str) -> list[Event]:
    """AWS's RemoveAccountFromOrganization: the account becomes standalone (no SCPs, no RCPs, no
    aws:PrincipalOrgID); the management account cannot leave this way, nor a closed account (it
    has not what a standalone account needs; AWS removes it after its post-closure period)."""
    if account_id not in state.accounts or is_departed(state, account_id, now):
        raise AccountNotFoundError(f"We can't find an AWS account with the AccountId that you specified: {account_id}",
                                   resource_type="account", resource_name=account_id)
    if account_id == state.management_account_id:
        raise ConstraintViolationError("You can't remove the management account from its organization.",
                                       reason="ACCOUNT_CANNOT_LEAVE_ORGANIZATION", blockers=["management account"])
    if is_closed(state, account_id):
        raise ConstraintViolationError(
            "You can't remove a closed account from the organization: it stays in it, SUSPENDED, for the 90-day "
            "post-closure period, after which it is no longer a member.",
            reason="ACCOUNT_CANNOT_LEAVE_ORGANIZATION", blockers=["closed account"],
            problems=[FieldProblem("accountId", "an account that is not closed")])
    _require_not_delegated(state, account_id)
    return [AccountRemoved(account_id, now)]


# --- closing a member account (API reference, CloseAccount; User Guide, "Closing a member account",
# "Monitor the state of your accounts"; Service Quotas, "Member accounts you can concurrently close") --
# The management account closes a member account: PENDING_CLOSURE while AWS closes it ("wait a few
# minutes"), then Status SUSPENDED, State CLOSED, for the 90-day post-closure period, after which AWS
# no longer shows it in the organization. iamd denies the account's principals from the request on;
# the status is read from the clock (no event, no timer): PENDING_CLOSURE for CLOSURE_SECONDS.
CLOSURE_SECONDS = 60
POST_CLOSURE_DAYS = 90
# Within a rolling 30 days, "the higher of either 250 or 20% of the member accounts in your
# organization, up to a maximum of 1,000" (the CloseAccount documentation of the model iamd serves);
# at most 3 closures in progress at once (a quota AWS does not let you raise).
CLOSE_QUOTA_DAYS = 30
CLOSE_QUOTA_FLOOR, CLOSE_QUOTA_PERCENT, CLOSE_QUOTA_CEILING = 250, 20, 1000
MAX_CONCURRENT_CLOSURES = 3


def _moment(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def is_closed(state: OrganizationState, account_id: str) -> bool:
    """Whether the account was closed (CloseAccount), whatever its closure's progress."""
    account = state.accounts.get(account_id)
    return account is not None and bool(account.get("closed_at"))


def account_status(state: OrganizationState, account_id: str, now: str) -> tuple[str, str]:
    """AWS's (Status, State) of a member account: (ACTIVE, ACTIVE); (PENDING_CLOSURE,
    PENDING_CLOSURE) while its closure is in progress; (SUSPENDED, CLOSED) once closed."""
    closed_at = state.accounts[account_id].get("closed_at")
    if not closed_at:
        return "ACTIVE", "ACTIVE"
    if _moment(now) < _moment(closed_at) + timedelta(seconds=CLOSURE_SECONDS):
        return "PENDING_CLOSURE", "PENDING_CLOSURE"
    return "SUSPENDED", "CLOSED"


def is_departed(state: OrganizationState, account_id: str, now: str) -> bool:
    """A closed account past its 90-day post-closure period: AWS no longer has it in the
    organization (it is neither listed nor found), though its principals stay denied."""
    closed_at = state.accounts.get(account_id, {}).get("closed_at")
    return bool(closed_at) and _moment(now) >= _moment(closed_at) + timedelta(days=POST_CLOSURE_DAYS)


def members(state: OrganizationState, now: str) -> list[str]:
    """The accounts of the organization as AWS lists them (closed ones past their post-closure
    period left out), sorted."""
    return sorted(a for a in state.accounts if not is_departed(state, a, now))


def close_quota(member_count: int) -> int:
    """How many member accounts may be closed within a rolling 30 days."""
    return min(CLOSE_QUOTA_CEILING, max(CLOSE_QUOTA_FLOOR, member_count * CLOSE_QUOTA_PERCENT // 100))


def close_account(state: OrganizationState, *, account_id: str, now: str) -> list[Event]:
    """AWS's CloseAccount: a member account (the management account cannot be closed with it:
    ConstraintViolation CANNOT_CLOSE_MANAGEMENT_ACCOUNT), not already closed (AccountAlreadyClosed;
    ConflictException while its closure is in progress), within AWS's quotas
    (CLOSE_ACCOUNT_QUOTA_EXCEEDED over the rolling 30 days, CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED past 3
    closures in progress)."""
    require(state)
    _require_member(state, account_id)
    if is_departed(state, account_id, now):
        raise AccountNotFoundError(f"We can't find an AWS account with the AccountId that you specified: {account_id}",
                                   resource_type="account", resource_name=account_id,
                                   problems=[FieldProblem("accountId", "no such account in the organization")])
    if account_id == state.management_account_id:
        raise ConstraintViolationError(
            "You attempted to close the management account. To close the management account for the organization, "
            "you must first either remove or close all member accounts in the organization.",
            reason="CANNOT_CLOSE_MANAGEMENT_ACCOUNT",
            problems=[FieldProblem("accountId", "a member account, not the management account")])
    if is_closed(state, account_id):
        if account_status(state, account_id, now)[0] == "PENDING_CLOSURE":
            raise ConflictError(f"The account {account_id} is already being closed (PENDING_CLOSURE).",
                                resource_type="account", resource_name=account_id)
        raise AccountAlreadyClosedError("You attempted to close an account that is already closed.",
                                        resource_type="account", resource_name=account_id)
    closures = [a for a in state.accounts if is_closed(state, a)]
    in_progress = [a for a in closures if account_status(state, a, now)[0] == "PENDING_CLOSURE"]
    if len(in_progress) >= MAX_CONCURRENT_CLOSURES:
        raise ConstraintViolationError(
            f"You attempted to exceed the number of accounts that you can close at a time: at most "
            f"{MAX_CONCURRENT_CLOSURES} closures may be in progress, and {len(in_progress)} are.",
            reason="CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED", quota="CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED",
            blockers=sorted(in_progress))
    window_start = _moment(now) - timedelta(days=CLOSE_QUOTA_DAYS)
    recent = [a for a in closures if _moment(state.accounts[a]["closed_at"]) > window_start]
    quota = close_quota(sum(1 for a in state.accounts if a != state.management_account_id))
    if len(recent) >= quota:
        raise ConstraintViolationError(
            f"You have exceeded close account quota for the past {CLOSE_QUOTA_DAYS} days: {quota} member accounts "
            f"(the higher of {CLOSE_QUOTA_FLOOR} or {CLOSE_QUOTA_PERCENT}% of the member accounts, at most "
            f"{CLOSE_QUOTA_CEILING}), and {len(recent)} were closed.",
            reason="CLOSE_ACCOUNT_QUOTA_EXCEEDED", quota="CLOSE_ACCOUNT_QUOTA_EXCEEDED")
    return [AccountClosed(account_id, now)]


def _require_not_delegated(state: OrganizationState, account_id: str) -> None:
    """AWS: an account leaves (or is removed) only once it is no delegated administrator."""
    services = sorted(state.delegated_admins.get(account_id, {}))
    if services:
        raise ConstraintViolationError(
            "You attempted to remove an account that is registered as a delegated administrator for a service "
            "integrated with your organization. To complete this operation, you must first deregister this account "
            "as a delegated administrator.", reason="CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
            blockers=services)


def leave(state: OrganizationState, *, account_id: str, now: str) -> list[Event]:
    """AWS's LeaveOrganization, called by the member account itself: it becomes standalone, as
    RemoveAccountFromOrganization makes it (AccountRemoved). The management account cannot leave
    (MasterCannotLeaveOrganizationException: it deletes the organization instead), nor a delegated
    administrator (ConstraintViolation CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG)."""
    require(state)
    if account_id == state.management_account_id:
        raise MasterCannotLeaveOrganizationError(
            "You can't remove a management account from an organization. If you want the management account to "
            "become a member account in another organization, you must first delete the current organization of "
            "the management account.")
    if account_id not in state.accounts:
        raise AccountNotFoundError(f"We can't find an AWS account with the AccountId that you specified: {account_id}",
                                   resource_type="account", resource_name=account_id)
    _require_not_delegated(state, account_id)
    return [AccountRemoved(account_id, now)]


def delete(state: OrganizationState, *, now: str) -> list[Event]:
    """AWS's DeleteOrganization: only with no member accounts left (OrganizationNotEmptyException);
    its OUs and policies are deleted with it, the management account is standalone after it."""
    require(state)
    remaining = [a for a in members(state, now) if a != state.management_account_id]
    # An account CreateAccount is creating joins when its request completes: deleting the
    # organization under it would leave the account joined to a deleted organization.
    remaining += [r for r, request in state.account_requests.items() if request.get("state") == "IN_PROGRESS"]
    if remaining:
        raise OrganizationNotEmptyError("The organization isn't empty. To delete an organization, you must first "
                                        "remove all accounts except the management account.", blockers=remaining)
    return [OrganizationDeleted(state.management_account_id, now)]


def move(state: OrganizationState, *, account_id: str, source: str, destination: str) -> list[Event]:
    if account_id not in state.accounts:
        raise AccountNotFoundError(f"We can't find an AWS account with the AccountId that you specified: {account_id}",
                                resource_type="account", resource_name=account_id)
    if state.parents[account_id] != source:
        raise SourceParentNotFoundError(f"We can't find a source root or OU with the ParentId that you specified: {source}",
                                resource_type="parent", resource_name=source)
    _require_parent(state, destination, "destinationParentId")
    if destination == source:  # AWS's DuplicateAccountException: no move, no event
        raise DuplicateAccountError("That account is already present in the specified destination.",
                                    resource_type="account", resource_name=account_id)
    return [AccountMoved(account_id, source, destination)]


MAX_POLICY_DESCRIPTION = 512  # AWS Organizations' policy Description


def _check_description(description: str) -> None:
    if len(description) > MAX_POLICY_DESCRIPTION:
        raise InvalidInputError("1 validation error detected: Value at 'description' failed to satisfy "
                                f"constraint: Member must have length less than or equal to {MAX_POLICY_DESCRIPTION}",
                                problems=[FieldProblem("description", f"at most {MAX_POLICY_DESCRIPTION} characters")])


def create_policy(state: OrganizationState, *, policy_id: str, name: str, policy_type: str, content: str,
                  description: str = "", tags: Sequence[tuple[str, str]] = ()) -> list[Event]:
    require(state)  # deleted since the caller was found in it: nothing is created in no organization
    if policy_type not in POLICY_TYPES:
        raise InvalidInputError(f"policy type `{policy_type}` is not one of iamd's: {', '.join(POLICY_TYPES)}",
                                problems=[FieldProblem("type", " or ".join(POLICY_TYPES))])
    _check_name(name, "name")
    _check_description(description)
    new_tags = check_new_tags(tags)
    if any(p["name"] == name for p in state.policies.values()):
        raise DuplicatePolicyError(f"A policy with the name `{name}` already exists.")
    return [OrganizationPolicyCreated(policy_id, name, policy_type, content, description),
            *_tagged(policy_id, new_tags)]


# The model's PolicyTargetId: a root, an account or an OU id.
_TARGET_ID = re.compile(r"r-[0-9a-z]{4,32}|\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}")


def require_target(state: OrganizationState, target_id: str) -> None:
    """A root, OU or account of the organization: InvalidInputException INVALID_PATTERN_TARGET_ID for
    an id of no such form, TargetNotFoundException for one the organization has not."""
    if not _TARGET_ID.fullmatch(target_id):
        raise InvalidInputError("You specified a policy target ID that doesn't match the required pattern.",
                                reason="INVALID_PATTERN_TARGET_ID",
                                problems=[FieldProblem("targetId", "a root (r-), OU (ou-) or account id")])
    if target_id not in state.accounts and target_id != state.root_id and target_id not in state.ou_names:
        raise TargetNotFoundError(f"We can't find a target root, OU, or account with the TargetId that you "
                                  f"specified: {target_id}", resource_type="target", resource_name=target_id,
                                  problems=[FieldProblem("targetId", "no such root, OU or account")])


def attach(state: OrganizationState, *, policy_id: str, target_id: str) -> list[Event]:
    policy = require_policy(state, policy_id)
    require_target(state, target_id)
    if policy["type"] not in state.policy_types:
        raise PolicyTypeNotEnabledError(
            f"The specified policy type isn't currently enabled in this root: {policy['type']}. You can't attach "
            "policies of the specified type to entities in a root until you enable that type in the root.",
            resource_type="policy type", resource_name=policy["type"],
            problems=[FieldProblem("policyId", f"a {policy['type']}, not enabled at the root (EnablePolicyType)")])
    if policy_id in attached_to(state, target_id):
        raise DuplicatePolicyAttachmentError("The selected policy is already attached to the specified target.")
    return [OrganizationPolicyAttached(policy_id, target_id)]


def detach(state: OrganizationState, *, policy_id: str, target_id: str) -> list[Event]:
    require_policy(state, policy_id)
    require_target(state, target_id)  # AWS's DetachPolicy: TargetNotFoundException, not PolicyNotAttached
    if policy_id == RCP_FULL_AWS_ACCESS_ID and RCP in state.policy_types:
        raise ConstraintViolationError("You cannot detach RCPFullAWSAccess: AWS keeps it on every root, OU and "
                                       "account.", blockers=[RCP_FULL_AWS_ACCESS_ID])
    if policy_id not in state.attachments.get(target_id, []):
        raise PolicyNotAttachedError("The specified policy isn't attached to the specified target.",
                                     resource_type="policy attachment", resource_name=policy_id)
    policy = state.policies[policy_id]
    others = [p for p in state.attachments[target_id] if p != policy_id and state.policies[p]["type"] == SCP]
    if policy["type"] == SCP and not others:
        # AWS: every root, OU and account keeps at least one SCP, or nothing could be allowed there.
        # AWS's Reason for it (ConstraintViolationException): MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED.
        raise ConstraintViolationError("You can't detach the last SCP from a target; attach another one first.",
                                       reason="MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
                                       blockers=["last SCP of the target"])
    return [OrganizationPolicyDetached(policy_id, target_id)]


# --- policy types (API reference: EnablePolicyType, DisablePolicyType, ListRoots, Root) --------------
_ROOT_ID = re.compile(r"r-[0-9a-z]{4,32}")  # the model's RootId pattern


def _check_policy_type(policy_type: str) -> None:
    if policy_type not in AWS_POLICY_TYPES:
        raise InvalidInputError("You specified an invalid value.", reason="INVALID_ENUM",  # AWS's message
                                problems=[FieldProblem("policyType", " or ".join(POLICY_TYPES))])


def require_root(state: OrganizationState, root_id: str) -> None:
    """The organization's root (RootNotFoundException for any other id)."""
    if not _ROOT_ID.fullmatch(root_id):
        raise InvalidInputError("You provided a value that doesn't match the required pattern.",
                                reason="INVALID_PATTERN",
                                problems=[FieldProblem("rootId", "r- and 4-32 lowercase letters or digits")])
    if root_id != state.root_id:
        raise RootNotFoundError(f"We can't find a root with the RootId that you specified: {root_id}",
                                resource_type="root", resource_name=root_id,
                                problems=[FieldProblem("rootId", "no such root")])


def enable_policy_type(state: OrganizationState, *, root_id: str, policy_type: str) -> list[Event]:
    """AWS's EnablePolicyType: SCPs or RCPs may be attached from now on, and apply."""
    _check_policy_type(policy_type)
    require_root(state, root_id)
    if policy_type not in POLICY_TYPES:
        raise PolicyTypeNotAvailableForOrganizationError(
            f"You can't use the specified policy type with this organization: iamd's organizations have "
            f"{', '.join(POLICY_TYPES)}, not {policy_type}.", resource_type="policy type", resource_name=policy_type,
            problems=[FieldProblem("policyType", " or ".join(POLICY_TYPES))])
    if policy_type in state.policy_types:
        raise PolicyTypeAlreadyEnabledError(
            f"The specified policy type is already enabled in the specified root: {policy_type}",
            resource_type="policy type", resource_name=policy_type)
    return [PolicyTypeEnabled(root_id, policy_type)]


def disable_policy_type(state: OrganizationState, *, root_id: str, policy_type: str) -> list[Event]:
    """AWS's DisablePolicyType: every policy of the type is detached everywhere and stops applying."""
    _check_policy_type(policy_type)
    require_root(state, root_id)
    if policy_type not in state.policy_types:
        raise PolicyTypeNotEnabledError(
            f"The specified policy type isn't currently enabled in this root: {policy_type}",
            resource_type="policy type", resource_name=policy_type)
    return [PolicyTypeDisabled(root_id, policy_type)]


def enabled_policy_types(state: OrganizationState) -> list[str]:
    """The policy types enabled at the root, as ListRoots shows them (SCPs first)."""
    return [t for t in POLICY_TYPES if t in state.policy_types]


# --- trusted access (API reference: EnableAWSServiceAccess, DisableAWSServiceAccess,
# ListAWSServiceAccessForOrganization) --------------------------------------------------------------
# A ServicePrincipal is 1-128 characters of [\w+=,.@-] (the model's ServicePrincipal). AWS refuses a
# principal of no service that supports trusted access with InvalidInputException
# UNRECOGNIZED_SERVICE_PRINCIPAL: these are the principals of the services the Organizations User
# Guide lists as supporting trusted access ("AWS services that you can use with AWS Organizations").
_SERVICE_PRINCIPAL = re.compile(r"[\w+=,.@-]{1,128}", re.ASCII)
TRUSTED_SERVICES = frozenset({
    "access-analyzer.amazonaws.com", "account.amazonaws.com", "auditmanager.amazonaws.com",
    "aws-artifact-account-sync.amazonaws.com", "backup.amazonaws.com", "cloudtrail.amazonaws.com",
    "compute-optimizer.amazonaws.com", "config.amazonaws.com", "config-multiaccountsetup.amazonaws.com",
    "controltower.amazonaws.com", "detective.amazonaws.com", "devops-guru.amazonaws.com", "ds.amazonaws.com",
    "fms.amazonaws.com", "guardduty.amazonaws.com", "malware-protection.guardduty.amazonaws.com",
    "health.amazonaws.com", "iam.amazonaws.com", "inspector2.amazonaws.com", "ipam.amazonaws.com",
    "license-manager.amazonaws.com", "license-manager.member-account.amazonaws.com",
    "license-manager-linux-subscriptions.amazonaws.com", "license-management.marketplace.amazonaws.com",
    "macie.amazonaws.com", "member.org.stacksets.cloudformation.amazonaws.com", "mgn.amazonaws.com",
    "ram.amazonaws.com", "reporting.trustedadvisor.amazonaws.com",
    "reachabilityanalyzer.networkinsights.amazonaws.com", "resource-explorer-2.amazonaws.com",
    "securityhub.amazonaws.com", "securitylake.amazonaws.com", "servicecatalog.amazonaws.com",
    "servicequotas.amazonaws.com", "ssm.amazonaws.com", "sso.amazonaws.com", "storage-lens.s3.amazonaws.com",
    "tagpolicies.tag.amazonaws.com", "wellarchitected.amazonaws.com", "cost-optimization-hub.bcm.amazonaws.com",
    "ssm-quicksetup.amazonaws.com", "user-subscriptions.amazonaws.com",
})


def check_service_principal(service_principal: str) -> None:
    if not _SERVICE_PRINCIPAL.fullmatch(service_principal):
        raise InvalidInputError("You provided a value that doesn't match the required pattern.",
                                reason="INVALID_PATTERN",
                                problems=[FieldProblem("servicePrincipal", r"1-128 characters of [\w+=,.@-]")])
    if service_principal not in TRUSTED_SERVICES:
        raise InvalidInputError(f"You specified a service principal that isn't recognized: {service_principal}",
                                reason="UNRECOGNIZED_SERVICE_PRINCIPAL",
                                problems=[FieldProblem("servicePrincipal",
                                                       "the principal of a service that supports trusted access")])


def enable_service_access(state: OrganizationState, *, service_principal: str, now: str) -> list[Event]:
    """AWS's EnableAWSServiceAccess; already enabled: nothing changes (it keeps its DateEnabled)."""
    require(state)
    check_service_principal(service_principal)
    if service_principal in state.service_access:
        return []
    return [AWSServiceAccessEnabled(service_principal, now)]


def disable_service_access(state: OrganizationState, *, service_principal: str, now: str) -> list[Event]:
    """AWS's DisableAWSServiceAccess; not enabled: nothing to do."""
    require(state)
    check_service_principal(service_principal)
    if service_principal not in state.service_access:
        return []
    return [AWSServiceAccessDisabled(service_principal, now)]


# --- delegated administrators (API reference: RegisterDelegatedAdministrator,
# DeregisterDelegatedAdministrator, ListDelegatedAdministrators, ListDelegatedServicesForAccount) ----
# A member account (never the management account: ConstraintViolation
# CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR) is registered for a service that has trusted
# access (SERVICE_ACCESS_NOT_ENABLED otherwise: "Call the EnableAWSServiceAccess API first"). A
# delegated administrator may call the organization's reads; it cannot leave or be removed before
# it is deregistered (CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG).
_ACCOUNT_ID = re.compile(r"\d{12}")  # the model's AccountId


def _require_member(state: OrganizationState, account_id: str) -> None:
    if not _ACCOUNT_ID.fullmatch(account_id):
        raise InvalidInputError("You provided a value that doesn't match the required pattern.",
                                reason="INVALID_PATTERN", problems=[FieldProblem("accountId", "12 digits")])
    if account_id not in state.accounts:
        raise AccountNotFoundError(f"We can't find an AWS account with the AccountId that you specified: {account_id}",
                                   resource_type="account", resource_name=account_id,
                                   problems=[FieldProblem("accountId", "no such account in the organization")])


def register_delegated_admin(state: OrganizationState, *, account_id: str, service_principal: str,
                             now: str) -> list[Event]:
    check_service_principal(service_principal)
    _require_member(state, account_id)
    if account_id == state.management_account_id:
        raise ConstraintViolationError(
            "You attempted to register the management account of the organization as a delegated administrator "
            "for an AWS service integrated with Organizations. You can designate only a member account as a "
            "delegated administrator.", reason="CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
            problems=[FieldProblem("accountId", "a member account, not the management account")])
    if is_closed(state, account_id):
        raise ConstraintViolationError(
            "You cannot register a suspended account as a delegated administrator.",
            reason="CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR",
            problems=[FieldProblem("accountId", "an account that is not closed")])
    if service_principal not in state.service_access:
        raise ConstraintViolationError(
            "You attempted to register a delegated administrator before you enabled service access. Call the "
            "EnableAWSServiceAccess API first.", reason="SERVICE_ACCESS_NOT_ENABLED",
            problems=[FieldProblem("servicePrincipal", "a service with trusted access (EnableAWSServiceAccess)")])
    if service_principal in state.delegated_admins.get(account_id, {}):
        raise AccountAlreadyRegisteredError(
            "The provided account is already a delegated administrator for your organization.",
            resource_type="delegated administrator", resource_name=account_id)
    return [DelegatedAdministratorRegistered(account_id, service_principal, now)]


def deregister_delegated_admin(state: OrganizationState, *, account_id: str, service_principal: str,
                               now: str) -> list[Event]:
    check_service_principal(service_principal)
    _require_member(state, account_id)
    if service_principal not in state.delegated_admins.get(account_id, {}):
        raise AccountNotRegisteredError(
            "The provided account is not a registered delegated administrator for your organization.",
            resource_type="delegated administrator", resource_name=account_id)
    return [DelegatedAdministratorDeregistered(account_id, service_principal, now)]


def delegated_admins(state: OrganizationState, service_principal: str = "") -> list[str]:
    """The delegated administrators, by account id; only those for `service_principal` if given."""
    if service_principal:
        check_service_principal(service_principal)
    return sorted(a for a, services in state.delegated_admins.items()
                  if not service_principal or service_principal in services)


def delegated_services(state: OrganizationState, account_id: str) -> dict[str, str]:
    """The services an account is a delegated administrator for: principal -> when registered
    (AccountNotRegisteredException when it is none's)."""
    _require_member(state, account_id)
    services = state.delegated_admins.get(account_id)
    if not services:
        raise AccountNotRegisteredError(
            "The provided account is not a registered delegated administrator for your organization.",
            resource_type="delegated administrator", resource_name=account_id)
    return dict(services)


def delegation_date(state: OrganizationState, account_id: str) -> str:
    """When an account first became a delegated administrator (AWS's DelegationEnabledDate)."""
    return min(state.delegated_admins[account_id].values())


def is_delegated_admin(state: OrganizationState, account_id: str) -> bool:
    """A delegated administrator: registered for a service (RegisterDelegatedAdministrator), or a
    member account the organization's resource policy delegates to (AWS calls both delegated
    administrators; what each call may do, the call's authorization decided)."""
    return bool(state.delegated_admins.get(account_id)) or (
        state.resource_policy is not None and account_id != state.management_account_id
        and account_id in state.resource_policy["accounts"])


def _require_ou(state: OrganizationState, ou_id: str) -> None:
    if ou_id not in state.ou_names:
        raise OrganizationalUnitNotFoundError(
            f"We can't find an OU with the OrganizationalUnitId that you specified: {ou_id}",
            resource_type="organizational unit", resource_name=ou_id,
            problems=[FieldProblem("organizationalUnitId", "no such OU")])


def policy_of(state: OrganizationState, policy_id: str) -> dict[str, Any] | None:
    """A policy of the organization (name, type, content), AWS's implicit RCPFullAWSAccess included."""
    if policy_id == RCP_FULL_AWS_ACCESS_ID and state.exists:
        return _RCP_FULL_AWS_ACCESS
    return state.policies.get(policy_id)


def policy_ids(state: OrganizationState) -> list[str]:
    return sorted([*state.policies, RCP_FULL_AWS_ACCESS_ID])


def attached_to(state: OrganizationState, target_id: str) -> list[str]:
    """The policies attached to a root, OU or account, in attachment order, RCPFullAWSAccess last
    (while RCPs are enabled)."""
    implicit = [RCP_FULL_AWS_ACCESS_ID] if RCP in state.policy_types else []
    return [*state.attachments.get(target_id, []), *implicit]


def require_policy(state: OrganizationState, policy_id: str) -> dict[str, Any]:
    policy = policy_of(state, policy_id)
    if policy is None:
        raise PolicyNotFoundError(f"We can't find a policy with the PolicyId that you specified: {policy_id}",
                                  resource_type="policy", resource_name=policy_id,
                                  problems=[FieldProblem("policyId", "no such policy")])
    return policy


def _require_customer_managed(policy_id: str) -> None:
    if policy_id in AWS_MANAGED:  # AWS managed policies belong to AWS: InvalidInputException IMMUTABLE_POLICY
        raise InvalidInputError(f"You specified a policy that is managed by AWS and can't be modified: {policy_id}",
                                reason="IMMUTABLE_POLICY", problems=[FieldProblem("policyId", "an AWS managed policy")])


def rename_ou(state: OrganizationState, *, ou_id: str, name: str) -> list[Event]:
    """A new name (empty: unchanged, as AWS's UpdateOrganizationalUnit without --name)."""
    _require_ou(state, ou_id)
    if not name:
        return []
    _check_name(name, "name")
    parent = state.parents[ou_id]
    if any(o != ou_id and state.parents.get(o) == parent and n == name for o, n in state.ou_names.items()):
        raise DuplicateOrganizationalUnitError(f"An OU with the same name `{name}` already exists under the parent.")
    return [OrganizationalUnitRenamed(ou_id, name)] if state.ou_names[ou_id] != name else []


def delete_ou(state: OrganizationState, *, ou_id: str) -> list[Event]:
    """AWS deletes only an empty OU (OrganizationalUnitNotEmptyException otherwise)."""
    _require_ou(state, ou_id)
    children = sorted(child for child, parent in state.parents.items() if parent == ou_id)
    if children:
        raise OrganizationalUnitNotEmptyError("The specified OU is not empty. Move all accounts to another root or "
                                              "to other OUs, remove all child OUs, and try the operation again.",
                                              blockers=children)
    return [OrganizationalUnitDeleted(ou_id)]


def update_policy(state: OrganizationState, *, policy_id: str, name: str, content: str,
                  description: str | None = None) -> list[Event]:
    """New name, content and/or description (empty name or content, None description: unchanged).
    The content was validated for the policy's type."""
    policy = require_policy(state, policy_id)
    _require_customer_managed(policy_id)
    if name:
        _check_name(name, "name")
    if description is not None:
        _check_description(description)
    name, content = name or policy["name"], content or policy["content"]
    description = policy.get("description", "") if description is None else description
    if any(p != policy_id and v["name"] == name for p, v in state.policies.items()):
        raise DuplicatePolicyError(f"A policy with the name `{name}` already exists.")
    if (name, content, description) == (policy["name"], policy["content"], policy.get("description", "")):
        return []
    return [OrganizationPolicyUpdated(policy_id, name, content, description)]


def delete_policy(state: OrganizationState, *, policy_id: str) -> list[Event]:
    """AWS deletes only a policy attached nowhere (PolicyInUseException otherwise)."""
    require_policy(state, policy_id)
    _require_customer_managed(policy_id)
    targets = targets_of(state, policy_id)
    if targets:
        raise PolicyInUseError("The policy is attached to one or more entities. You must detach it from all "
                                  "roots, OUs, and accounts before performing this operation.", blockers=targets)
    return [OrganizationPolicyDeleted(policy_id)]


def targets_of(state: OrganizationState, policy_id: str) -> list[str]:
    if policy_id == RCP_FULL_AWS_ACCESS_ID:
        return sorted(_nodes(state)) if RCP in state.policy_types else []
    return sorted(target for target, policies in state.attachments.items() if policy_id in policies)


def children_of(state: OrganizationState, parent_id: str) -> tuple[list[str], list[str]]:
    """(accounts, OUs) directly under a root or OU, each sorted."""
    _require_parent(state, parent_id, "parentId")
    children = [child for child, parent in state.parents.items() if parent == parent_id]
    return sorted(c for c in children if c in state.accounts), sorted(c for c in children if c in state.ou_names)


def node_kind(state: OrganizationState, node_id: str) -> tuple[str, str]:
    """(type, name) of a root, OU or account as AWS Organizations lists them: ROOT,
    ORGANIZATIONAL_UNIT or ACCOUNT."""
    if node_id == state.root_id:
        return "ROOT", "Root"
    if node_id in state.accounts:
        return "ACCOUNT", state.accounts[node_id]["name"]
    return "ORGANIZATIONAL_UNIT", state.ou_names[node_id]


def arn_of(state: OrganizationState, node_id: str) -> str:
    """The ARN of the organization's root, an OU or a member account."""
    base = f"arn:aws:organizations::{state.management_account_id}"
    if node_id == state.root_id:
        return f"{base}:root/{state.organization_id}/{node_id}"
    kind = "account" if node_id in state.accounts else "ou"
    return f"{base}:{kind}/{state.organization_id}/{node_id}"


def organization_arn(state: OrganizationState) -> str:
    return f"arn:aws:organizations::{state.management_account_id}:organization/{state.organization_id}"


def policy_arn(state: OrganizationState, policy_id: str) -> str:
    kind = policy_of(state, policy_id)["type"].lower()  # type: ignore[index]
    if policy_id in AWS_MANAGED:
        return f"arn:aws:organizations::aws:policy/{kind}/{policy_id}"
    return f"arn:aws:organizations::{state.management_account_id}:policy/{state.organization_id}/{kind}/{policy_id}"


def path_of(state: OrganizationState, node_id: str) -> list[str]:
    """Root first, down to the node itself: [r-..., ou-..., ..., node]."""
    chain = [node_id]
    while chain[-1] in state.parents:
        chain.append(state.parents[chain[-1]])
    return list(reversed(chain))


def guardrail_levels(state: OrganizationState, account_id: str, policy_type: str) -> list[list[tuple[str, str]]]:
    """The SCPs (or RCPs) that govern an account, level by level from the root down to the
    account itself, each as (policy id, content); none for the management account, which AWS
    exempts from both, and none while the type is disabled at the root: its policies do not apply."""
    if policy_type not in (SCP, RCP):  # management policies never take part in a decision
        return []
    if account_id == state.management_account_id or policy_type not in state.policy_types:
        return []
    return [[(policy_id, state.policies[policy_id]["content"]) for policy_id in state.attachments.get(node, [])
             if state.policies[policy_id]["type"] == policy_type]
            for node in path_of(state, account_id)]


# The model's EffectivePolicyType: the management policy types (iamd has TAG, BACKUP and AI
# services opt-out policies; of the others none can be attached, so none is ever effective).
EFFECTIVE_POLICY_TYPES = frozenset(AWS_POLICY_TYPES - {SCP, RCP})


def effective_policy(state: OrganizationState, *, caller_account_id: str, target_id: str,
                     policy_type: str) -> tuple[str, dict[str, Any] | None]:
    """AWS's DescribeEffectivePolicy: (account, effective policy) of the management policy type for
    an account (the caller's own when target_id is empty; the management account's too, management
    policies are not SCPs), from the policies attached to its root, OUs and itself. A member account
    that is no delegated administrator may ask only about itself (AccessDenied); a root or OU is
    InvalidInputException TARGET_NOT_SUPPORTED. None when no policy of the type is attached on the
    account's path (AWS's EffectivePolicyNotFoundException)."""
    if policy_type not in EFFECTIVE_POLICY_TYPES:
        raise InvalidInputError("You specified an invalid value.", reason="INVALID_ENUM",
                                problems=[FieldProblem("policyType", "a management policy type: "
                                                       + " or ".join(management_policies.MANAGEMENT_POLICY_TYPES))])
    target_id = target_id or caller_account_id
    require_target(state, target_id)
    if target_id not in state.accounts:
        raise InvalidInputError("You can't perform the specified operation on that target entity: an effective "
                                "policy is an account's.", reason="TARGET_NOT_SUPPORTED",
                                problems=[FieldProblem("targetId", "an account id (not a root or OU)")])
    if (target_id != caller_account_id and caller_account_id != state.management_account_id
            and not is_delegated_admin(state, caller_account_id)):
        raise AccessDeniedError("You don't have permissions to access this resource.")
    levels = [[json.loads(state.policies[policy_id]["content"]) for policy_id in state.attachments.get(node, [])
               if state.policies[policy_id]["type"] == policy_type]
              for node in path_of(state, target_id)]
    return target_id, management_policies.effective(levels)


def _check_effective_type(policy_type: str) -> None:
    if policy_type not in EFFECTIVE_POLICY_TYPES:
        raise InvalidInputError("You specified an invalid value.", reason="INVALID_ENUM",
                                problems=[FieldProblem("policyType", "a management policy type: "
                                                       + " or ".join(management_policies.MANAGEMENT_POLICY_TYPES))])


def _effective_of(state: OrganizationState, account_id: str,
                  policy_type: str) -> tuple[dict[str, Any] | None, list[tuple[str, dict[str, Any]]]]:
    """(the account's effective policy of the type or None, the (policy id, document) of each
    policy of the type on its path, root first)."""
    levels = [[(policy_id, json.loads(state.policies[policy_id]["content"]))
               for policy_id in state.attachments.get(node, []) if state.policies[policy_id]["type"] == policy_type]
              for node in path_of(state, account_id)]
    effective = management_policies.effective([[document for _, document in level] for level in levels])
    return effective, [entry for level in levels for entry in level]


def accounts_with_invalid_effective_policy(state: OrganizationState, *, policy_type: str, now: str) -> list[str]:
    """AWS's ListAccountsWithInvalidEffectivePolicy: the accounts (by id) whose effective policy of
    the management policy type fails validation (management_policies.validation_errors)."""
    _check_effective_type(policy_type)
    return [account for account in members(state, now)
            if (found := _effective_of(state, account, policy_type)[0]) is not None
            and management_policies.validation_errors(policy_type, found)]


def effective_policy_validation_errors(state: OrganizationState, *, account_id: str, policy_type: str,
                                       now: str) -> tuple[str, list[dict[str, Any]]]:
    """AWS's ListEffectivePolicyValidationErrors: (the account's path in the organization,
    o-.../r-.../ou-.../ACCOUNT/, and its effective policy's validation errors: ErrorCode, ErrorMessage,
    PathToError, ContributingPolicies, the policies on its path that set the element). None
    when no policy of the type applies to the account (EffectivePolicyNotFoundException)."""
    _check_effective_type(policy_type)
    _require_member(state, account_id)
    if is_departed(state, account_id, now):
        raise AccountNotFoundError(f"We can't find an AWS account with the AccountId that you specified: {account_id}",
                                   resource_type="account", resource_name=account_id)
    found, policies = _effective_of(state, account_id, policy_type)
    if found is None:
        raise EffectivePolicyNotFoundError(
            f"We can't find an effective policy of type {policy_type} for the account {account_id}: no policy of "
            "the type is attached to it, its OUs or the root.", resource_type="effective policy",
            resource_name=f"{account_id}/{policy_type}")
    path = "/".join([state.organization_id, *path_of(state, account_id)]) + "/"
    errors = [{"error_code": code, "error_message": message, "path_to_error": ".".join(where),
               "contributing_policies": [p for p, document in policies if management_policies.touches(document, where)]}
              for code, message, where in management_policies.validation_errors(policy_type, found)]
    return path, errors


def organization_context(state: OrganizationState, account_id: str, side: str) -> dict[str, str | list[str]]:
    """aws:PrincipalOrgID/Paths (side "Principal") or aws:ResourceOrgID/Paths ("Resource") of an
    account: the organization's id and the path of OUs down to the account's parent."""
    path = "/".join([state.organization_id, *path_of(state, account_id)[:-1]]) + "/"
    return {f"aws:{side}OrgID": state.organization_id, f"aws:{side}OrgPaths": [path]}


# --- tags (AWS Organizations API reference: TagResource, UntagResource, ListTagsForResource, Tag) ---
# Taggable: the root, OUs, accounts and policies. Tag Key 1-128 and Value 0-256 characters of
# [\p{L}\p{Z}\p{N}_.:/=+\-@]; the aws: prefix is AWS's (InvalidInputException
# INVALID_SYSTEM_TAGS_PARAMETER); a key given twice is DUPLICATE_TAG_KEY; past 50 tags on a
# resource (AWS's tags-per-resource quota) ConstraintViolationException MAX_TAG_LIMIT_EXCEEDED.
# Keys are case-sensitive, as AWS's tags are (IAM's are the exception).
MAX_TAGS = 50
MAX_TAG_KEY, MAX_TAG_VALUE = 128, 256
# AWS's TaggableResourceId pattern (the rt- ids are responsibility transfers, which iamd has not).
_TAGGABLE_ID = re.compile(r"r-[0-9a-z]{4,32}|\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|p-[0-9a-zA-Z_]{8,128}"
                          r"|rp-[0-9a-zA-Z_]{4,128}")


def _tag_text(text: str) -> bool:
    return all(unicodedata.category(c)[0] in "LZN" or c in "_.:/=+-@" for c in text)


_TAG_PATTERN_RULE = r"Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$"
_TAG_PATTERN_HINT = r"letters, digits, spaces and _.:/=+-@"


def _tag_violation(where: str, rule: str, reason: str, hint: str) -> InvalidInputError:
    """AWS's one-constraint validation message for a tag's key or value, with the Reason."""
    return InvalidInputError(f"1 validation error detected: Value at '{where}' failed to satisfy constraint: {rule}",
                             reason=reason, problems=[FieldProblem(where, hint)])


def _check_tag_key(key: str, where: str) -> None:
    if not key:
        raise _tag_violation(where, "Member must have length greater than or equal to 1", "MIN_LENGTH_EXCEEDED",
                             "1-128 characters")
    if len(key) > MAX_TAG_KEY:
        raise _tag_violation(where, f"Member must have length less than or equal to {MAX_TAG_KEY}",
                             "MAX_LENGTH_EXCEEDED", "1-128 characters")
    if not _tag_text(key):
        raise _tag_violation(where, _TAG_PATTERN_RULE, "INVALID_PATTERN", _TAG_PATTERN_HINT)
    if key[:4].casefold() == "aws:":
        raise InvalidInputError("You specified a tag key that is a system tag: the aws: prefix is reserved for AWS "
                                "use.", reason="INVALID_SYSTEM_TAGS_PARAMETER",
                                problems=[FieldProblem(where, "not beginning with aws:")])


def check_new_tags(tags: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Tags as given to TagResource or a create call, each checked: key -> value, in order."""
    checked: dict[str, str] = {}
    for i, (key, value) in enumerate(tags, 1):
        _check_tag_key(key, f"tags.{i}.member.key")
        where = f"tags.{i}.member.value"
        if len(value) > MAX_TAG_VALUE:
            raise _tag_violation(where, f"Member must have length less than or equal to {MAX_TAG_VALUE}",
                                 "MAX_LENGTH_EXCEEDED", "0-256 characters")
        if not _tag_text(value):
            raise _tag_violation(where, _TAG_PATTERN_RULE, "INVALID_PATTERN", _TAG_PATTERN_HINT)
        if key in checked:
            raise InvalidInputError("Tag keys must be unique among the tags attached to the same entity: "
                                    f"`{key}` is given twice.", reason="DUPLICATE_TAG_KEY",
                                    problems=[FieldProblem(f"tags.{i}.member.key", "a key given once")])
        checked[key] = value
    _check_tag_count(len(checked))
    return checked


def _check_tag_count(count: int) -> None:
    if count > MAX_TAGS:
        raise ConstraintViolationError(f"You have exceeded the number of tags allowed on this resource: at most "
                                       f"{MAX_TAGS}, this request would leave {count}.",
                                       reason="MAX_TAG_LIMIT_EXCEEDED", quota="MAX_TAG_LIMIT_EXCEEDED",
                                       problems=[FieldProblem("tags", f"at most {MAX_TAGS} on a resource")])


def _tagged(resource_id: str, tags: dict[str, str]) -> list[Event]:
    return [OrganizationResourceTagged(resource_id, tags)] if tags else []


def require_taggable(state: OrganizationState, resource_id: str) -> None:
    """A root, OU, account or policy of the organization (TargetNotFoundException otherwise)."""
    if not _TAGGABLE_ID.fullmatch(resource_id):
        raise InvalidInputError("You provided a value that doesn't match the required pattern.",
                                reason="INVALID_PATTERN",
                                problems=[FieldProblem("resourceId", "an account, OU (ou-), root (r-), policy (p-) or "
                                                                     "resource policy (rp-) id")])
    if (resource_id != state.root_id and resource_id not in state.ou_names and resource_id not in state.accounts
            and policy_of(state, resource_id) is None
            and (state.resource_policy is None or state.resource_policy["id"] != resource_id)):
        raise TargetNotFoundError(f"We can't find a root, OU, account, or policy with the TargetId that you "
                                  f"specified: {resource_id}", resource_type="target", resource_name=resource_id,
                                  problems=[FieldProblem("resourceId", "no such root, OU, account or policy")])


def _require_changeable_tags(state: OrganizationState, resource_id: str) -> None:
    require_taggable(state, resource_id)
    if resource_id in AWS_MANAGED:
        raise InvalidInputError(f"You specified a policy that is managed by AWS and can't be modified: {resource_id}",
                                reason="IMMUTABLE_POLICY", problems=[FieldProblem("resourceId", "an AWS managed policy")])


def tag(state: OrganizationState, *, resource_id: str, tags: Sequence[tuple[str, str]]) -> list[Event]:
    """AWS's TagResource: the tags added, a key already there taking the new value; all or none."""
    _require_changeable_tags(state, resource_id)
    if not tags:
        raise InvalidInputError("You must include a value for all required parameters: Tags.", reason="INPUT_REQUIRED",
                                problems=[FieldProblem("tags", "at least one tag")])
    new = check_new_tags(tags)
    held = state.tags.get(resource_id, {})
    _check_tag_count(len(held.keys() | new.keys()))
    changed = {k: v for k, v in new.items() if held.get(k) != v}
    return _tagged(resource_id, changed)


def untag(state: OrganizationState, *, resource_id: str, tag_keys: Sequence[str]) -> list[Event]:
    """AWS's UntagResource: the tags with these keys removed (keys it does not have: nothing to do)."""
    _require_changeable_tags(state, resource_id)
    for i, key in enumerate(tag_keys, 1):
        _check_tag_key(key, f"tagKeys.{i}.member")
    held = state.tags.get(resource_id, {})
    gone = [k for k in dict.fromkeys(tag_keys) if k in held]
    return [OrganizationResourceUntagged(resource_id, gone)] if gone else []


def tags_of(state: OrganizationState, resource_id: str) -> dict[str, str]:
    """The tags of a root, OU, account or policy (TargetNotFoundException when there is no such one)."""
    require_taggable(state, resource_id)
    return dict(state.tags.get(resource_id, {}))


# --- the organization's resource policy (organizations_delegation has its rules) -----------------
_ACCOUNT_OF_PRINCIPAL = re.compile(r"(\d{12})|arn:aws:(?:iam|sts)::(\d{12}):.*")


def allowed_accounts(content: str) -> frozenset[str]:
    """The accounts the Allow statements of a resource policy name as AWS principals (an account
    id, or an ARN in the account): those the policy may delegate to. Read once, when it is put."""
    try:
        statements = json.loads(content).get("Statement", [])
    except (ValueError, AttributeError, RecursionError):
        return frozenset()
    accounts: set[str] = set()
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        named = principal.get("AWS", []) if isinstance(principal, dict) else []
        for value in [named] if isinstance(named, str) else named:
            m = _ACCOUNT_OF_PRINCIPAL.fullmatch(value) if isinstance(value, str) else None
            if m:
                accounts.add(m.group(1) or m.group(2))
    return frozenset(accounts)


# --- the feature set and GovCloud (API reference: EnableAllFeatures, CreateGovCloudAccount) --------
# iamd's organizations have all features from their creation (CreateOrganization refuses
# CONSOLIDATED_BILLING): there is never a consolidated-billing organization to migrate, so AWS's
# answer for an organization that has all features is the only one. iamd runs no AWS GovCloud (US)
# partition, so no management account of it is paired with a GovCloud account, which AWS requires.
IAM_USER_ACCESS_TO_BILLING = ("ALLOW", "DENY")  # the model's IAMUserAccessToBilling


def enable_all_features(state: OrganizationState) -> list[Event]:
    """AWS's EnableAllFeatures: HandshakeConstraintViolationException
    ORGANIZATION_ALREADY_HAS_ALL_FEATURES, since every organization of iamd has them."""
    require(state)
    raise HandshakeConstraintViolationError(
        "The handshake request is invalid because the organization has already enabled all features.",
        reason="ORGANIZATION_ALREADY_HAS_ALL_FEATURES",
        problems=[FieldProblem("featureSet", "ALL already: iamd's organizations have all features from their "
                                             "creation")])


def create_gov_cloud_account(state: OrganizationState, *, account_name: str, email: str, role_name: str,
                             iam_user_access_to_billing: str, tags: Sequence[tuple[str, str]]) -> list[Event]:
    """AWS's CreateGovCloudAccount: the request checked as CreateAccount's, then
    ConstraintViolationException MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED: the management account has no
    associated account in the AWS GovCloud (US) Region (iamd has no GovCloud partition)."""
    require(state)
    check_new_account(account_name, email)
    if role_name and not re.fullmatch(r"[\w+=,.@-]{1,64}", role_name, re.ASCII):
        raise InvalidInputError("You provided a role name that isn't valid. Role names must be 1-64 characters "
                                r"of [\w+=,.@-].", reason="INVALID_ROLE_NAME",
                                problems=[FieldProblem("roleName", r"1-64 characters of [\w+=,.@-]")])
    if iam_user_access_to_billing and iam_user_access_to_billing not in IAM_USER_ACCESS_TO_BILLING:
        raise InvalidInputError("You specified an invalid value.", reason="INVALID_ENUM",
                                problems=[FieldProblem("iamUserAccessToBilling", "ALLOW or DENY")])
    check_new_tags(tags)
    raise ConstraintViolationError(
        "To complete this operation, the management account must have an associated account in the AWS GovCloud "
        "(US-West) Region: iamd has no GovCloud partition, so no account of it is paired with one.",
        reason="MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED",
        problems=[FieldProblem("managementAccount", "paired with an AWS GovCloud (US) account")])
