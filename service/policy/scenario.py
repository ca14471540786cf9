"""Conversion of one labelled scenario (shared/iam-scenarios/FORMAT.md) into engine inputs.

Pure: the scenario is a parsed JSON object; documents are validated and compiled as the policy
type they play. Used by the corpus tests and, later, by the CLI.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .compiler import CompiledPolicy, compile_policy
from .decision import PolicyInputs
from .index import PolicyIndex
from .model import AuthorizationRequest, PolicyType


def _compile(doc: Mapping[str, Any], policy_id: str, policy_type: PolicyType) -> CompiledPolicy:
    return compile_policy(json.dumps(doc), policy_id=policy_id, policy_type=policy_type)


def _index(docs: Sequence[Mapping[str, Any]], prefix: str, policy_type: PolicyType) -> PolicyIndex:
    return PolicyIndex(_compile(doc, f"{prefix}-{i}", policy_type) for i, doc in enumerate(docs))


def _levels(
    levels: Sequence[Sequence[Mapping[str, Any]]], prefix: str, policy_type: PolicyType
) -> tuple[PolicyIndex, ...]:
    return tuple(_index(docs, f"{prefix}-L{n}", policy_type) for n, docs in enumerate(levels))


def _is_trust_policy(doc: Mapping[str, Any]) -> bool:
    statements = doc.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list):
        return False
    return not any(
        isinstance(st, Mapping) and ("Resource" in st or "NotResource" in st) for st in statements
    )


def scenario_to_inputs(scenario: Mapping[str, Any]) -> tuple[AuthorizationRequest, PolicyInputs]:
    """The request and the indexed policies of one scenario; raises MalformedPolicyError."""
    req = scenario["request"]
    request = AuthorizationRequest(
        principal=req["principal"],
        action=req["action"],
        resource=req["resource"],
        resource_account=req.get("resourceAccount"),
        context=req.get("context") or {},
    )
    identity = _index(scenario.get("identityPolicies") or [], "identity", PolicyType.IDENTITY)
    boundaries = scenario.get("permissionBoundaries") or []
    # Several boundary documents are treated as one policy: the union of their statements.
    boundary = _index(boundaries, "boundary", PolicyType.BOUNDARY) if boundaries else None
    session_doc = scenario.get("sessionPolicy")
    session = (
        PolicyIndex([_compile(session_doc, "session", PolicyType.SESSION)])
        if session_doc is not None
        else None
    )
    resource_doc = scenario.get("resourcePolicy")
    resource = None
    if resource_doc is not None:
        # A role's trust policy is the one resource-based policy without Resource elements.
        policy_type = PolicyType.TRUST if _is_trust_policy(resource_doc) else PolicyType.RESOURCE
        resource = PolicyIndex([_compile(resource_doc, policy_type.value, policy_type)])
    inputs = PolicyInputs(
        identity=identity,
        boundary=boundary,
        session=session,
        resource=resource,
        scp_levels=_levels(scenario.get("scps") or [], "scp", PolicyType.SCP),
        rcp_levels=_levels(scenario.get("rcps") or [], "rcp", PolicyType.RCP),
    )
    return request, inputs


def expected_decision(scenario: Mapping[str, Any]) -> str:
    """The label to compare with: `expected`, or the documented decision where they disagree."""
    doc_check = scenario.get("docCheck") or {}
    if doc_check.get("status") == "disagrees":
        return str(doc_check["docDecision"])
    return str(scenario["expected"])
