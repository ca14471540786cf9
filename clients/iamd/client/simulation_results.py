"""AWS's EvaluationResult of SimulatePrincipalPolicy/SimulateCustomPolicy, from iamd's Simulate
answer: one result per action, its decision the most restrictive over the resources, with a
ResourceSpecificResults entry per resource given. Pure: the HTTP endpoint answers it (the aws CLI,
boto3) and iamctl prints it, from this one definition.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

# iamd's policy types and verdicts in AWS's words.
_DECISIONS = {1: "allowed", 2: "explicitDeny", 3: "implicitDeny"}  # apb.Decision
_RESTRICTIVENESS = {"allowed": 0, "implicitDeny": 1, "explicitDeny": 2}
_VERDICTS = {"Allowed": "allowed", "AllowedForAccount": "allowed", "ExplicitlyDenied": "explicitDeny",
             "ImplicitlyDenied": "implicitDeny", "DeniedForAccount": "implicitDeny"}
_INPUT_LISTS = {"policyInputList": "PolicyInputList",
                "permissionsBoundaryPolicyInputList": "PermissionsBoundaryPolicyInputList",
                "resourcePolicy": "ResourcePolicy"}
_ARN_KINDS = {"user": "user", "group": "group", "role": "role"}


def evaluation_results(pairs: Sequence[Any], resource_arns: Sequence[str], caller_arn: str = "",
                       resource_owner: str = "") -> list[dict[str, Any]]:
    """AWS's EvaluationResults of a Simulate answer's (action, resource) pairs: the RPC answers each
    action for every resource given in turn (for "*" when none is)."""
    per_action = max(len(resource_arns), 1)
    caller, owner = _account_of(caller_arn), _account_of(resource_owner)
    return [_evaluation_result(list(pairs[i:i + per_action]), bool(resource_arns), caller, owner)
            for i in range(0, len(pairs), per_action)]


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
