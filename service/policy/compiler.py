"""Compilation of validated policy documents into immutable, ready-to-match statements.

Each statement becomes a handful of closures (action, resource, principal, conditions) plus what
lets an index skip it cheaply: the service prefixes its actions can match, and the ARN services
and literal ARN prefixes its resources can match. Compilation happens once, when a policy version is
written or loaded; deciding never parses, never compiles a pattern.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .conditions import Holds, compile_condition
from .document import (
    VERSION_2012,
    condition_values,
    language_version,
    parse_document,
    resource_list,
    statements_of,
    string_list,
)
from .matching import (
    ActionMatcher,
    ResourcePrefixes,
    ResourceMatcher,
    action_services,
    compile_actions,
    compile_resources,
    resource_prefixes,
    resource_services,
)
from .model import MalformedPolicyError, PolicyType, StatementEffect, StatementRef
from .principals import PrincipalMatcher, compile_principal
from .sharing import Shared
from .validate import reported, validate_document


# Matchers are pure functions of what they were compiled from: statements with equal actions,
# resources or conditions share one (see sharing). On the benchmark's 20,000 policies this (with
# matching's shared service sets) cut the memory a sweep over every principal adds from 490 to
# 320 MiB, and compiling by a fifth.
_MATCHERS = Shared(limit=65_536)
_shared = _MATCHERS.get


@dataclass(frozen=True, slots=True, eq=False)
class CompiledStatement:
    """One statement, ready to match. Negations (NotAction, …) are folded into the matchers."""

    ref: StatementRef
    is_allow: bool
    matches_action: ActionMatcher
    matches_resource: ResourceMatcher | None  # None: no Resource element (trust policies)
    # Whether the statement matches request resource "*" (an action without resource-level
    # permissions): Resource lists "*", or NotResource does not.
    resource_star: bool
    principal_rank: PrincipalMatcher | None  # None: the policy type has no Principal element
    is_not_principal: bool
    conditions: tuple[Holds, ...]
    services: frozenset[str] | None  # service prefixes Action can match; None = any service
    # ARN service parts Resource can match; None = any (NotResource, "*", a wildcard service).
    resource_services: frozenset[str] | None = None
    # Literal text any resource Resource matches starts with; None = no such text (see there).
    resource_prefixes: ResourcePrefixes | None = None


@dataclass(frozen=True, slots=True, eq=False)
class CompiledPolicy:
    """An immutable compiled policy version."""

    policy_id: str
    policy_type: PolicyType
    version: str | None  # the policy version id (v1, v2, …), not the language version
    language_version: str
    statements: tuple[CompiledStatement, ...]


def compile_policy(
    text: str, *, policy_id: str, policy_type: PolicyType, version: str | None = None
) -> CompiledPolicy:
    """Validate and compile policy text; raises MalformedPolicyError listing every problem."""
    document, problems = parse_document(text)
    if document is not None:
        problems.extend(validate_document(document, policy_type))
    if problems:
        raise MalformedPolicyError(reported(problems))
    return compile_document(document, policy_id=policy_id, policy_type=policy_type, version=version)


def compile_document(
    document: dict[str, Any], *, policy_id: str, policy_type: PolicyType, version: str | None
) -> CompiledPolicy:
    """Compile an already validated document."""
    lang = language_version(document)
    variables = lang == VERSION_2012
    compiled = tuple(
        _statement(st, index, policy_id, policy_type, version, variables)
        for index, (_path, st) in enumerate(statements_of(document))
    )
    return CompiledPolicy(policy_id, policy_type, version, lang, compiled)


def _statement(
    st: dict[str, Any],
    index: int,
    policy_id: str,
    policy_type: PolicyType,
    version: str | None,
    variables: bool,
) -> CompiledStatement:
    effect = StatementEffect(st["Effect"])
    sid = st.get("Sid") or None
    ref = StatementRef(policy_id, policy_type, version, sid, index, effect)

    if "Action" in st:
        actions = string_list(st["Action"]) or []
        matches_action = _shared(("Action", *actions), lambda: compile_actions(actions))
        services = action_services(actions)
    else:
        not_actions = string_list(st["NotAction"]) or []
        negative = _shared(("Action", *not_actions), lambda: compile_actions(not_actions))
        matches_action = _shared(("NotAction", *not_actions), lambda: _negated(negative))
        services = None  # NotAction can match an action of any service

    matches_resource: ResourceMatcher | None = None
    resource_star = True
    services_of_resources: frozenset[str] | None = None
    prefixes: ResourcePrefixes | None = None
    if "Resource" in st:
        resources = resource_list(st["Resource"]) or []
        matches_resource = _shared(("Resource", variables, *resources),
                                   lambda: compile_resources(resources, variables=variables))
        resource_star = "*" in resources
        services_of_resources = resource_services(resources)
        prefixes = resource_prefixes(resources, variables=variables)
    elif "NotResource" in st:
        not_resources = resource_list(st["NotResource"]) or []
        matches_resource = _shared(("NotResource", variables, *not_resources),
                                   lambda: _excluding(compile_resources(not_resources, variables=variables)))
        resource_star = "*" not in not_resources

    principal_rank: PrincipalMatcher | None = None
    is_not_principal = False
    if "Principal" in st:
        principal_rank = compile_principal(_principal_entries(st["Principal"]), negated=False)
    elif "NotPrincipal" in st:
        principal_rank = compile_principal(_principal_entries(st["NotPrincipal"]), negated=True)
        is_not_principal = True

    conditions: list[Holds] = []
    for op_name, block in (st.get("Condition") or {}).items():
        for key, raw in block.items():
            values = tuple(condition_values(raw) or ())
            conditions.append(_shared(("Condition", op_name, key, variables, *values),
                                      lambda: compile_condition(op_name, key, values, variables=variables)))

    return CompiledStatement(
        ref=ref,
        is_allow=effect is StatementEffect.ALLOW,
        matches_action=matches_action,
        matches_resource=matches_resource,
        resource_star=resource_star,
        principal_rank=principal_rank,
        is_not_principal=is_not_principal,
        conditions=_shared(("Conditions", *map(id, conditions)), lambda: tuple(conditions)),
        services=services,
        resource_services=services_of_resources,
        resource_prefixes=prefixes,
    )


def _negated(matches: ActionMatcher) -> ActionMatcher:
    def matches_action(action: str) -> bool:
        return not matches(action)

    return matches_action


def _excluding(excluded: ResourceMatcher) -> ResourceMatcher:
    def matches_resource(resource: str, ctx: Any, missing: Any) -> bool:
        return not excluded(resource, ctx, missing)

    return matches_resource


def _principal_entries(value: Any) -> dict[str, list[str]] | None:
    if value == "*":
        return None
    return {kind: string_list(entries) or [] for kind, entries in value.items()}
