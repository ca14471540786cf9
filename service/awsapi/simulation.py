"""AWS's shapes of the policy simulator and of GetAccountAuthorizationDetails, for iamd's RPCs.

Pure: no I/O. What is not mechanical (operations.py does the rest):

- SimulatePrincipalPolicy/SimulateCustomPolicy take `ContextEntries` as a list of typed entries
  (iamd's request: a map of values, multivalued or not) and page with `Marker`/`MaxItems`, which
  iamd's RPC does not: the RPC answers every (action, resource) pair, and the answer is AWS's
  current one: one `EvaluationResult` per action, its decision the most restrictive over the
  resources, with a `ResourceSpecificResults` entry per resource given; then a page of those.
- GetAccountAuthorizationDetails' `Filter` splits managed policies in two (LocalManagedPolicy,
  AWSManagedPolicy), and its details are an entity's fields and its lists side by side.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from google.protobuf import message as pb_message

from iamd.client.simulation_results import evaluation_results

from iamd.service.domain.errors import FieldProblem, InvalidInputError, ValidationError
from iamd.service.policy.conditions.binary import check_base64
from iamd.service.policy.conditions.boolean import check_bool
from iamd.service.policy.conditions.date import check_date
from iamd.service.policy.conditions.ipaddress import check_network
from iamd.service.policy.conditions.numeric import check_number


# The members this module's input hooks turn into the request themselves.
HANDLED_MEMBERS = frozenset({"Marker", "MaxItems", "ContextEntries", "OrderedOrganizationPolicyInputList", "Filter"})
DEFAULT_MAX_ITEMS = 100  # AWS: "If you do not include this parameter, the number of items defaults to 100."

# AWS's ContextKeyType: how iamd checks each value. iamd keeps context values as text and each
# condition operator reads them as its own type, so every type is honoured once its values are
# what the type says; a value that is not is refused (InvalidInput), never guessed at.
_VALUE_CHECKS: dict[str, Callable[[str], str | None]] = {
    "string": lambda v: None, "numeric": check_number, "boolean": check_bool, "date": check_date,
    "ip": check_network, "binary": check_base64}

_CONTEXT_TYPES = [t + suffix for t in _VALUE_CHECKS for suffix in ("", "List")]


# --- SimulatePrincipalPolicy, SimulateCustomPolicy: input ------------------------------------------

def simulation_input(aws_input: Mapping[str, Any], request_class: type[pb_message.Message]) -> pb_message.Message:
    """The iamd request of a simulation: ContextEntries checked by type, the organization policies
    as levels, Marker checked against the request it came from; the rest mechanical."""
    from .operations import _fill  # noqa: PLC0415 — operations.py imports this module

    members = dict(aws_input)
    _page_offset(members)  # a marker of another request is refused before anything runs
    members.pop("Marker", None)
    members.pop("MaxItems", None)
    entries = members.pop("ContextEntries", None) or []
    levels = members.pop("OrderedOrganizationPolicyInputList", None)
    request = request_class()
    _fill(request, members, {}, "")
    if levels is not None:
        for level in levels:
            request.scp_levels.add().policies.extend(level.get("ServiceControlPolicyInputList") or [])  # type: ignore[attr-defined]
    context = request.context_entries  # type: ignore[attr-defined]
    for i, entry in enumerate(entries, 1):
        where = f"ContextEntries.member.{i}"
        name = entry.get("ContextKeyName")
        if not name:
            _refuse(f"{where}.ContextKeyName", "ContextKeyName is required")
        kind = _enum(entry.get("ContextKeyType") or "string", _CONTEXT_TYPES, f"{where}.ContextKeyType")
        values = list(entry.get("ContextKeyValues") or [])
        multivalued = kind.endswith("List")
        if not multivalued and len(values) != 1:
            _refuse(f"{where}.ContextKeyValues",
                    f"the context key {name} of type {kind} takes exactly one value ({kind}List takes several)")
        check = _VALUE_CHECKS[kind.removesuffix("List")]
        for j, value in enumerate(values, 1):
            problem = check(value)
            if problem is not None:
                _refuse(f"{where}.ContextKeyValues.member.{j}",
                        f"the value of the context key {name} is not a {kind.removesuffix('List')}: {problem}")
        if name.lower() in {k.lower() for k in context}:
            _refuse(f"{where}.ContextKeyName", f"the context key {name} is given more than once")
        context[name].values.extend(values)
        context[name].multivalued = multivalued
    return request


def _enum(value: str, allowed: Any, where: str) -> str:
    """AWS's refusal of a value outside a member's enum (the codec leaves enums to the service)."""
    if value not in allowed:
        raise ValidationError(
            f"1 validation error detected: Value '{value}' at '{where}' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(allowed)}]",
            problems=[FieldProblem(where, f"one of {', '.join(allowed)}")])
    return value


def _refuse(field: str, message: str) -> None:
    raise InvalidInputError(message, problems=[FieldProblem(field, message)])


def _request_digest(aws_input: Mapping[str, Any]) -> str:
    """What a marker is bound to: the request without its paging members."""
    rest = {k: v for k, v in aws_input.items() if k not in ("Marker", "MaxItems")}
    return hashlib.sha256(json.dumps(rest, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _marker(aws_input: Mapping[str, Any], offset: int) -> str:
    token = json.dumps({"o": offset, "d": _request_digest(aws_input)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(token).decode()


def _page_offset(aws_input: Mapping[str, Any]) -> int:
    marker = aws_input.get("Marker")
    if not marker:
        return 0
    try:
        token = json.loads(base64.urlsafe_b64decode(marker.encode()))
        offset = token["o"]
        if not isinstance(offset, int) or offset < 0 or token["d"] != _request_digest(aws_input):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise InvalidInputError("Invalid Marker: pass the Marker of the previous page of the same request",
                                problems=[FieldProblem("Marker", "not a marker of this request")]) from None
    return offset


# --- SimulatePrincipalPolicy, SimulateCustomPolicy: output -----------------------------------------

def simulation_output(aws_input: Mapping[str, Any], response: pb_message.Message) -> dict[str, Any]:
    r: Any = response
    resources = list(aws_input.get("ResourceArns") or [])
    results = evaluation_results(list(r.evaluation_results), resources,
                                 aws_input.get("CallerArn") or aws_input.get("PolicySourceArn") or "",
                                 aws_input.get("ResourceOwner") or "")
    offset = _page_offset(aws_input)
    size = aws_input.get("MaxItems") or DEFAULT_MAX_ITEMS
    out: dict[str, Any] = {"EvaluationResults": results[offset:offset + size],
                           "IsTruncated": offset + size < len(results)}
    if out["IsTruncated"]:
        out["Marker"] = _marker(aws_input, offset + size)
    return out


# --- GetAccountAuthorizationDetails ------------------------------------------------------------

_FILTER_KINDS = {"User": "USER", "Role": "ROLE", "Group": "GROUP", "LocalManagedPolicy": "POLICY",
                 "AWSManagedPolicy": "POLICY"}


def account_details_input(aws_input: Mapping[str, Any], request_class: type[pb_message.Message]) -> pb_message.Message:
    from .operations import _fill  # noqa: PLC0415

    members = dict(aws_input)
    filters = members.pop("Filter", None) or []
    request: Any = request_class()
    request.page.SetInParent()  # AWS pages this operation, 100 entries unless MaxItems says otherwise
    _fill(request, members, {}, "")
    kinds = request.DESCRIPTOR.fields_by_name["filter"].enum_type.values_by_name
    for i, value in enumerate(dict.fromkeys(filters), 1):
        _enum(value, list(_FILTER_KINDS), f"Filter.member.{i}")
        number = kinds[f"ENTITY_KIND_{_FILTER_KINDS[value]}"].number
        if number not in request.filter:
            request.filter.append(number)
    request.local_managed_policies = "LocalManagedPolicy" in filters
    request.aws_managed_policies = "AWSManagedPolicy" in filters
    return request


def account_details_output(aws_input: Mapping[str, Any], response: pb_message.Message) -> dict[str, Any]:
    from .models import service_model  # noqa: PLC0415 — botocore's models cost a start ~0.2 s: only when served
    from .operations import _render  # noqa: PLC0415

    r: Any = response
    shape = service_model("iam").operation_model("GetAccountAuthorizationDetails").output_shape
    user_shape, group_shape, role_shape, policy_shape = (
        shape.members[m].member for m in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"))

    def inline(policies: Any) -> list[dict[str, str]]:
        return [{"PolicyName": p.policy_name, "PolicyDocument": p.policy_document} for p in policies]

    def attached(policies: Any) -> list[dict[str, str]]:
        return [{"PolicyName": p.policy_name, "PolicyArn": p.policy_arn} for p in policies]

    out: dict[str, Any] = {
        "UserDetailList": [{**_render(user_shape, u.user), "UserPolicyList": inline(u.user_policy_list),
                            "GroupList": list(u.group_list),
                            "AttachedManagedPolicies": attached(u.attached_managed_policies)}
                           for u in r.user_detail_list],
        "GroupDetailList": [{**_render(group_shape, g.group), "GroupPolicyList": inline(g.group_policy_list),
                             "AttachedManagedPolicies": attached(g.attached_managed_policies)}
                            for g in r.group_detail_list],
        "RoleDetailList": [{**_render(role_shape, ro.role), "RolePolicyList": inline(ro.role_policy_list),
                            "AttachedManagedPolicies": attached(ro.attached_managed_policies),
                            "InstanceProfileList": [_render(role_shape.members["InstanceProfileList"].member, p)
                                                    for p in ro.instance_profile_list]}
                           for ro in r.role_detail_list],
        "Policies": [{**_render(policy_shape, p.policy), "PolicyVersionList": [
            _render(policy_shape.members["PolicyVersionList"].member, v) for v in p.policy_version_list]}
            for p in r.policies],
        "IsTruncated": r.is_truncated,
    }
    if r.marker:
        out["Marker"] = r.marker
    return out
