"""The organization's resource policy: AWS Organizations' delegation policy.

The management account puts one resource-based policy on its organization (PutResourcePolicy; one
per organization, `rp-...`, replaced in place by a later put, DeleteResourcePolicy to remove it).
Its statements name member accounts (Principal AWS: an account id or an ARN in the account) and
the Organizations actions they may call (User Guide, "Delegated administrator for AWS
Organizations"): any read-only action (Describe*, List*) and the policy-management actions
(CreatePolicy, UpdatePolicy, DeletePolicy, AttachPolicy, DetachPolicy, EnablePolicyType,
DisablePolicyType, TagResource, UntagResource), on the organization's resources. A call of such
an account is cross-account (the organization's resources are the management account's), so, as
AWS combines a resource-based policy with the caller's identity policies across accounts, both its
identity policies and this policy must allow it; an explicit Deny in either refuses it.

A member account registered as a delegated administrator for a service (RegisterDelegatedAdministrator)
may make the read-only calls without a statement of its own (AWS: registering "grants read-only
access to Organizations service data"): `delegation_document` adds that grant as a statement,
so that a Deny of the resource policy still applies to it.

Checks beyond the policy grammar (AWS's, as its documentation gives them): NotAction and
NotResource are refused (not permitted in delegation policies since June 30, 2026); principals are
AWS accounts or IAM principals (not `*`, not a service or federated provider: INVALID_PRINCIPAL);
each action is an Organizations action this policy can delegate (an action pattern is accepted
only when every action it can match is delegable: `organizations:List*` is, `organizations:*` is
not).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from .errors import FieldProblem, InvalidInputError, ResourcePolicyNotFoundError
from .events import Event, OrganizationResourcePolicyDeleted, OrganizationResourcePolicyPut, OrganizationResourceTagged
from .organizations import OrganizationState, check_new_tags, require

MAX_CONTENT = 40_000  # the model's ResourcePolicyContent
RESOURCE_POLICY_ID = re.compile(r"rp-[0-9a-zA-Z_]{4,128}")  # the model's ResourcePolicyId
# The write actions a delegation policy may grant (User Guide, "Resource-based policy examples":
# policy CRUD, attach and detach, tags; policy types), besides the read-only Describe*/List*.
POLICY_MANAGEMENT = frozenset({
    "CreatePolicy", "UpdatePolicy", "DeletePolicy", "AttachPolicy", "DetachPolicy", "EnablePolicyType",
    "DisablePolicyType", "TagResource", "UntagResource"})
_DELEGABLE_LOWER = frozenset(a.lower() for a in POLICY_MANAGEMENT)
_READ_PREFIXES = ("describe", "list")
# The reads a member account makes about itself whatever any policy of the organization says
# (any account may describe its organization, list the invitations it received): never delegated.
OWN_READS = frozenset({"describeorganization", "listhandshakesforaccount"})
_NOT_FOUND = "We can't find a resource policy request with the parameter that you specified."


def is_delegable(action: str) -> bool:
    """Whether an Organizations action (`organizations:ListAccounts`, any case) is one a delegation
    policy can grant: a read (Describe*, List*) or a policy-management action."""
    service, _, name = action.partition(":")
    name = name.lower()
    return service.lower() == "organizations" and (name.startswith(_READ_PREFIXES) or name in _DELEGABLE_LOWER)


def _pattern_is_delegable(pattern: str) -> bool:
    """An action pattern every match of which is delegable: a delegable action itself, or a pattern
    whose literal part before its first wildcard already makes every match a read."""
    service, _, name = pattern.partition(":")
    if service.lower() != "organizations" or not name:
        return False
    cut = min((i for i in (name.find("*"), name.find("?")) if i >= 0), default=-1)
    if cut < 0:
        return is_delegable(pattern)
    return name[:cut].lower().startswith(_READ_PREFIXES)


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def check_content(content: str) -> list[FieldProblem]:
    """The delegation-specific problems of a resource policy the policy grammar accepts (see the
    module's docstring); [] when there are none."""
    problems: list[FieldProblem] = []
    statements = json.loads(content).get("Statement", [])
    for i, statement in enumerate(_listed(statements)):
        where = f"content:Statement[{i}]"
        for element in ("NotAction", "NotResource", "NotPrincipal"):
            if element in statement:
                problems.append(FieldProblem(f"{where}.{element}", f"{element} is not permitted in a delegation "
                                                                   "policy: list what it allows"))
        principal = statement.get("Principal")
        if principal == "*" or not isinstance(principal, dict) or set(principal) != {"AWS"} or "*" in _listed(
                principal.get("AWS")):
            problems.append(FieldProblem(f"{where}.Principal", "AWS accounts or IAM principals of member accounts "
                                                               "(not *, a service or a federated provider)",
                                         "INVALID_PRINCIPAL"))
        for action in _listed(statement.get("Action", [])):
            if isinstance(action, str) and not _pattern_is_delegable(action):
                problems.append(FieldProblem(f"{where}.Action", f"`{action}` is not an Organizations action a "
                                                                "delegation policy can grant (Describe*, List*, or "
                                                                + ", ".join(sorted(POLICY_MANAGEMENT)) + ")"))
    return problems


def refusal(problems: Sequence[FieldProblem]) -> InvalidInputError:
    """AWS's InvalidInputException for a resource policy it does not accept, every problem listed;
    the Reason INVALID_PRINCIPAL when a principal is at fault."""
    first = problems[0]
    reason = "INVALID_PRINCIPAL" if any(p.hint == "INVALID_PRINCIPAL" for p in problems) else ""
    message = ("You specified an invalid principal element in the policy." if reason else
               f"The resource policy is not valid: {first.field.removeprefix('content:')}: {first.message}")
    return InvalidInputError(message, reason=reason,
                             problems=[FieldProblem(p.field, p.message) for p in problems])


def put(state: OrganizationState, *, resource_policy_id: str, content: str, now: str,
        tags: Sequence[tuple[str, str]] = ()) -> list[Event]:
    """AWS's PutResourcePolicy: the policy created (with its tags) or its content replaced (its id
    kept; tags are given only at creation, as AWS's TagResource changes them later). The content
    was checked (grammar and `check_content`)."""
    require(state)
    held = state.resource_policy
    if held is None:
        new_tags = check_new_tags(tags)
        return [OrganizationResourcePolicyPut(resource_policy_id, content, now),
                *([OrganizationResourceTagged(resource_policy_id, new_tags)] if new_tags else [])]
    if tags:
        check_new_tags(tags)
        raise InvalidInputError("Tags can be given only when the resource policy is created: use TagResource to "
                                "change the tags of an existing one.",
                                problems=[FieldProblem("tags", "none, or TagResource on the resource policy's id")])
    if held["content"] == content:
        return []
    return [OrganizationResourcePolicyPut(held["id"], content, now)]


def delete(state: OrganizationState, *, now: str) -> list[Event]:
    """AWS's DeleteResourcePolicy; ResourcePolicyNotFoundException when there is none."""
    return [OrganizationResourcePolicyDeleted(describe(state)["id"], now)]


def describe(state: OrganizationState) -> dict[str, Any]:
    """The organization's resource policy (ResourcePolicyNotFoundException when it has none)."""
    require(state)
    if state.resource_policy is None:
        raise ResourcePolicyNotFoundError(_NOT_FOUND, resource_type="resource policy",
                                          resource_name=state.organization_id)
    return state.resource_policy


def arn_of(state: OrganizationState, resource_policy_id: str) -> str:
    """`arn:aws:organizations::MANAGEMENT:resourcepolicy/o-.../rp-...` (AWS's resourcepolicy resource type)."""
    return (f"arn:aws:organizations::{state.management_account_id}:resourcepolicy/{state.organization_id}/"
            f"{resource_policy_id}")


def is_delegated(state: OrganizationState, account_id: str) -> bool:
    """Whether a member account is delegated anything: named by an Allow statement of the
    resource policy, or a delegated administrator for a service (its reads)."""
    return account_id != state.management_account_id and (
        bool(state.delegated_admins.get(account_id))
        or (state.resource_policy is not None and account_id in state.resource_policy["accounts"]))


def is_policy_manager(state: OrganizationState, account_id: str) -> bool:
    """Whether a member account may call the policy-management actions at all (which of them, on
    what, its identity policies and the resource policy decide): named by the resource policy."""
    return state.resource_policy is not None and account_id in state.resource_policy["accounts"]


def delegation_document(state: OrganizationState) -> str | None:
    """The resource-based policy a delegated member account's Organizations calls are decided
    against: the resource policy's statements, and an Allow of the read-only actions for the
    delegated administrators of services. None when there is nothing of either."""
    statements: list[Any] = []
    if state.resource_policy is not None:
        statements += _listed(json.loads(state.resource_policy["content"]).get("Statement", []))
    admins = sorted(state.delegated_admins)
    if admins:
        statements.append({"Sid": "DelegatedAdministratorsOfServicesRead", "Effect": "Allow",
                           "Principal": {"AWS": [f"arn:aws:iam::{a}:root" for a in admins]},
                           "Action": ["organizations:Describe*", "organizations:List*"], "Resource": "*"})
    if not statements:
        return None
    return json.dumps({"Version": "2012-10-17", "Statement": statements})
