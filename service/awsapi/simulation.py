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

# iamd's policy types and verdicts in AWS's words.
_DECISIONS = {1: "allowed", 2: "explicitDeny", 3: "implicitDeny"}  # apb.Decision
_RESTRICTIVENESS = {"allowed": 0, "implicitDeny": 1, "explicitDeny": 2}
_VERDICTS = {"Allowed": "allowed", "AllowedForAccount": "allowed", "ExplicitlyDenied": "explicitDeny",
             "ImplicitlyDenied": "implicitDeny", "DeniedForAccount": "implicitDeny"}
_INPUT_LISTS = {"policyInputList": "PolicyInputList",
                "permissionsBoundaryPolicyInputList": "PermissionsBoundaryPolicyInputList",
                "resourcePolicy": "ResourcePolicy"}
_ARN_KINDS = {"user": "user", "group": "group", "role": "role"}


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
    per_action = max(len(resources), 1)  # the RPC answers each action for every resource in turn
    pairs = list(r.evaluation_results)
    caller = _account_of(aws_input.get("CallerArn") or aws_input.get("PolicySourceArn") or "")
    owner = _account_of(aws_input.get("ResourceOwner") or "")
    results = [_evaluation_result(pairs[i:i + per_action], bool(resources), caller, owner)
               for i in range(0, len(pairs), per_action)]
    offset = _page_offset(aws_input)
    size = aws_input.get("MaxItems") or DEFAULT_MAX_ITEMS
    out: dict[str, Any] = {"EvaluationResults": results[offset:offset + size],
                           "IsTruncated": offset + size < len(results)}
    if out["IsTruncated"]:
        out["Marker"] = _marker(aws_input, offset + size)
    return out


def _account_of(arn_or_id: str) -> str:
    if arn_or_id.isdigit():
        return arn_or_id
    parts = arn_or_id.split(":")
    return parts[4] if len(parts) > 5 else ""


def _evaluation_result(pairs: list[Any], resources_given: bool, caller: str, owner: str) -> dict[str, Any]:
    decisions = [_DECISIONS[p.eval_decision] for p in pairs]
    decision = max(decisions, key=_RESTRICTIVENESS.__getitem__)
    first = pairs[0]
    result: dict[str, Any] = {
        "EvalActionName": first.eval_action_name,
        # AWS: the ARN format of the simulated resource type, or "*" (see the RPC's resource_type_arn)
        "EvalResourceName": next((p.resource_type_arn for p in pairs if p.resource_type_arn), "*")
        if resources_given else "*",
        "EvalDecision": decision,
        # the statements that made the reported decision, on any resource
        "MatchedStatements": _unique([s for p, d in zip(pairs, decisions, strict=True) if d == decision
                                      for s in _statements(p)]),
        "MissingContextValues": [] if resources_given else list(first.missing_context_values),
    }
    _guardrails(result, [p.results_by_policy_type for p in pairs], organizations=True)
    details = _decision_details(pairs, caller, owner, resources_given)
    if details is not None:
        result["EvalDecisionDetails"] = details
    if resources_given:
        result["ResourceSpecificResults"] = [_resource_result(p, d, caller, owner)
                                             for p, d in zip(pairs, decisions, strict=True)]
    return result


def _resource_result(pair: Any, decision: str, caller: str, owner: str) -> dict[str, Any]:
    result: dict[str, Any] = {"EvalResourceName": pair.eval_resource_name, "EvalResourceDecision": decision,
                              "MatchedStatements": _statements(pair),
                              "MissingContextValues": list(pair.missing_context_values)}
    details = _decision_details([pair], caller, owner, True)
    if details is not None:
        result["EvalDecisionDetails"] = details
    _guardrails(result, [pair.results_by_policy_type], organizations=False)
    return result


def _guardrails(result: dict[str, Any], verdicts: list[Mapping[str, str]], *, organizations: bool) -> None:
    """PermissionsBoundaryDecisionDetail (and OrganizationsDecisionDetail) when a boundary (an SCP)
    was evaluated: whether it allowed the request on every resource."""
    boundary = [v["boundary"] for v in verdicts if v.get("boundary") in _VERDICTS]
    if boundary:
        result["PermissionsBoundaryDecisionDetail"] = {
            "AllowedByPermissionsBoundary": all(_VERDICTS[v] == "allowed" for v in boundary)}
    scp = [v["scp"] for v in verdicts if v.get("scp") in _VERDICTS]
    if organizations and scp:
        result["OrganizationsDecisionDetail"] = {"AllowedByOrganizations": all(_VERDICTS[v] == "allowed" for v in scp)}


def _decision_details(pairs: list[Any], caller: str, owner: str, resources_given: bool) -> dict[str, str] | None:
    """AWS: absent for a same-account simulation of "*", empty for a same-account one of resources,
    and for a cross-account one each policy type's verdict (the most restrictive over the resources).
    AWS does not document the map's keys: iamd names the types as its explanations do (identity,
    resource, boundary, session, scp, rcp)."""
    cross = any(caller and (owner or _account_of(p.eval_resource_name)) not in ("", caller) for p in pairs)
    if not cross:
        return {} if resources_given else None
    details: dict[str, str] = {}
    for p in pairs:
        for policy_type, verdict in p.results_by_policy_type.items():
            if verdict in _VERDICTS:
                worst = max(details.get(policy_type, "allowed"), _VERDICTS[verdict], key=_RESTRICTIVENESS.__getitem__)
                details[policy_type] = worst
    return details


def _statements(pair: Any) -> list[dict[str, Any]]:
    """AWS's Statement for each matched statement of an identity or resource policy (AWS leaves out
    SCPs'; iamd also boundaries' and session policies', which AWS's types do not name)."""
    out = []
    for s in pair.matched_statements:
        if s.policy_type not in ("identity", "resource"):
            continue
        statement: dict[str, Any] = {"SourcePolicyId": _policy_id(s.policy_id),
                                     "SourcePolicyType": _policy_source_type(s.policy_type, s.policy_id)}
        if s.HasField("start_position"):
            # AWS's columns, as its examples show them: the start one past the statement's `{`
            # counted from 1, the end just past its `}` counted from 1.
            statement["StartPosition"] = {"Line": s.start_position.line, "Column": s.start_position.column + 2}
            statement["EndPosition"] = {"Line": s.end_position.line, "Column": s.end_position.column + 1}
        out.append(statement)
    return out


def _unique(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen, out = set(), []
    for s in statements:
        key = json.dumps(s, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


def _policy_id(policy_id: str) -> str:
    """AWS's SourcePolicyId: a stored policy's name, a given one's place (`PolicyInputList.1`)."""
    if "#" in policy_id:
        return policy_id.split("#", 1)[1]
    if policy_id.startswith("arn:"):
        return policy_id.rsplit("/", 1)[-1]
    field, _, index = policy_id.partition(".")
    if field == "resourcePolicy":
        return "ResourcePolicy"
    return f"{_INPUT_LISTS.get(field, field)}.{index}" if index else policy_id


def _policy_source_type(policy_type: str, policy_id: str) -> str:
    if policy_type == "resource":
        return "resource"
    if "#" in policy_id:  # an inline policy of a user, group or role
        return _ARN_KINDS.get(policy_id.split(":", 5)[-1].split("/", 1)[0], "none")
    if policy_id.startswith("arn:aws:iam::aws:policy/"):
        return "aws-managed"
    if policy_id.startswith("arn:"):
        return "user-managed"
    return "none"  # a policy given with the request


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
