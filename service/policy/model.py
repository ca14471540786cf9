"""The engine's public value types: policy types, problems, requests, statement references, decisions.

Everything here is immutable (the per-request types by convention, not frozen: see there). The
request normalises its context once (lower-cased keys) so that a decision only does dictionary
look-ups.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType

from .principals import Caller, classify_caller


class PolicyType(str, Enum):
    """Where a policy document is attached; decides which elements it may hold."""

    IDENTITY = "identity"
    RESOURCE = "resource"
    TRUST = "trust"
    BOUNDARY = "boundary"
    SESSION = "session"
    SCP = "scp"
    RCP = "rcp"


class Effect(str, Enum):
    """The three-state outcome of a decision."""

    ALLOW = "Allow"
    EXPLICIT_DENY = "ExplicitDeny"
    IMPLICIT_DENY = "ImplicitDeny"


class StatementEffect(str, Enum):
    """The `Effect` element of one statement."""

    ALLOW = "Allow"
    DENY = "Deny"


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    """One problem in a policy document: where (JSON path), what (AWS's words) and a hint."""

    path: str
    message: str
    hint: str | None = None


class MalformedPolicyError(Exception):
    """A policy document failed validation; `problems` lists every problem found."""

    def __init__(self, problems: Sequence[PolicyProblem]) -> None:
        self.problems = list(problems)
        first = self.problems[0].message if self.problems else "malformed policy document"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(first + more)


@dataclass(frozen=True, slots=True)
class StatementRef:
    """Names one statement of one policy version, for explanations and audit records."""

    policy_id: str
    policy_type: PolicyType
    version: str | None
    sid: str | None
    index: int  # position in the document's Statement list, from 0
    effect: StatementEffect
    # The same as plain values (policy id, type, version, sid, index, effect), made once at
    # compile time: an audit record carries it for every decision.
    row: tuple[str, str, str | None, str | None, int, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "row", (self.policy_id, self.policy_type.value, self.version, self.sid, self.index,
                                         self.effect.value))


ContextValue = str | tuple[str, ...]
_EMPTY: Mapping[str, ContextValue] = MappingProxyType({})


def _freeze_context(context: Mapping[str, str | Sequence[str]]) -> dict[str, ContextValue]:
    """The context with lower-cased keys, as a new dict (lookups on a dict are the cheapest)."""
    # The common case: string keys and values, no two keys equal but for case. A plain loop: a
    # comprehension is a function call of its own, and this runs for every request.
    fast: dict[str, ContextValue] = {}
    known = _LOWERED_KEYS.get
    for key, value in context.items():
        if type(value) is not str:
            break
        fast[known(key) or _lowered_key(key)] = value
    else:
        if len(fast) == len(context):
            return fast
    lowered: dict[str, ContextValue] = {}
    for key, value in context.items():
        if type(key) is not str:
            raise TypeError(f"context key {key!r} is not a string")
        if type(value) is str:  # the common case first: exact type check is cheapest
            lowered[key.lower()] = value
        elif isinstance(value, str):
            lowered[key.lower()] = str(value)
        elif isinstance(value, Sequence):
            items = tuple(value)
            if not all(isinstance(item, str) for item in items):
                raise TypeError(f"context key `{key}` holds a value that is not a string")
            lowered[key.lower()] = tuple(str(item) for item in items)
        else:
            raise TypeError(f"context key `{key}` must hold a string or a list of strings")
    return lowered


# Context keys as callers write them -> lower-cased and interned. Callers send the same few
# dozen keys (`aws:PrincipalTag/team`) on every request: a look-up is cheaper than lowering.
_LOWERED_KEYS: dict[str, str] = {}
_MAX_LOWERED_KEYS = 4096
# Bounded in bytes too: only keys and actions as long as real ones are remembered (AWS's longest
# condition key with a 128-character tag key is under 200 characters, its longest action under
# 100). A caller may send longer ones, up to the request's size limit: lowered each time instead.
_MAX_REMEMBERED_CHARS = 256


def _lowered_key(key: str) -> str:
    if type(key) is not str:
        raise TypeError(f"context key {key!r} is not a string")
    if len(key) > _MAX_REMEMBERED_CHARS:
        return key.lower()
    if len(_LOWERED_KEYS) >= _MAX_LOWERED_KEYS:
        _LOWERED_KEYS.clear()  # bounded: callers that invent keys only lose the shortcut
    lowered = _LOWERED_KEYS[key] = sys.intern(key.lower())
    return lowered


# Actions as callers write them -> (lower-cased action, its service prefix); bounded as above.
_ACTION_KEYS: dict[str, tuple[str, str]] = {}


def _action_key(action: str) -> tuple[str, str]:
    found = _ACTION_KEYS.get(action)
    if found is None:
        action_key = action.lower()
        found = (action_key, action_key.partition(":")[0])
        if len(action) <= _MAX_REMEMBERED_CHARS:
            if len(_ACTION_KEYS) >= _MAX_LOWERED_KEYS:
                _ACTION_KEYS.clear()
            _ACTION_KEYS[action] = found
    return found


@functools.lru_cache(maxsize=4096)  # a Caller each: the principals asked about most
def _classify(principal: str, role_arn: str | None, federating_user: str | None) -> Caller:
    """classify_caller for the only context key it reads: a principal is classified once."""
    return classify_caller(principal, {"aws:principalarn": role_arn} if role_arn else {}, federating_user)


# Principals classified from their ARN alone (no role session, no federating user): the usual
# caller, found with one dictionary look-up. Bounded as the keys above.
_PLAIN_CALLERS: dict[str, Caller] = {}


def _plain_caller(principal: str) -> Caller:
    caller = _classify(principal, None, None)
    if len(principal) <= 2048:  # the longest an Authorize request may name
        if len(_PLAIN_CALLERS) >= _MAX_LOWERED_KEYS:
            _PLAIN_CALLERS.clear()
        _PLAIN_CALLERS[principal] = caller
    return caller


def lower_context(context: Mapping[str, str | Sequence[str]]) -> Mapping[str, ContextValue]:
    """A context with lower-cased keys, for AuthorizationRequest.derived_context.

    Kept per principal, so its keys are interned: tens of thousands of principals then share one
    `aws:principaltag/team` instead of holding a copy each."""
    return MappingProxyType({sys.intern(k): v for k, v in _freeze_context(context).items()})


# Not frozen, though nothing ever changes a request: a frozen dataclass pays object.__setattr__
# per field, a third of the cost of building a request. INVARIANT: never assigned after __init__.
@dataclass(slots=True, eq=False, init=False)
class AuthorizationRequest:
    """Who asks to do what on which resource, with the complete request context.

    `principal` is an IAM user, role-session, federated-user or root ARN, a service principal
    name (`sns.amazonaws.com`) or `anonymous`. `resource` is an ARN, or `*` for actions without
    resource-level permissions. Context keys are case-insensitive; a multivalued key holds a
    sequence (an empty sequence means present with no values).
    """

    principal: str
    action: str
    resource: str
    resource_account: str | None
    context: Mapping[str, str | Sequence[str]]
    # The IAM user behind a federated-user principal, when known (a service that issued the
    # credentials knows it; the ARN alone does not say, see principals.classify_caller).
    federating_user: str | None
    # Context keys the service derived, already lower-cased (a principal's keys are lowered once
    # when its policy set is built, not on every request); they override `context` on a clash.
    # Taken as it is when `context` is empty: pass a mapping nobody changes afterwards.
    derived_context: Mapping[str, ContextValue] | None = field(repr=False, compare=False)
    # Derived once per request, so that deciding does no string normalisation:
    # INVARIANT: `lowered_context` has lower-cased keys and str or tuple[str, ...] values.
    lowered_context: Mapping[str, ContextValue] = field(init=False, repr=False, compare=False)
    action_key: str = field(init=False, repr=False, compare=False)  # lower-cased action
    service: str = field(init=False, repr=False, compare=False)  # lower-cased service prefix
    caller: Caller = field(init=False, repr=False, compare=False)
    target_account: str | None = field(init=False, repr=False, compare=False)
    # The service part of the resource ARN (None when the resource is not an ARN): statements
    # whose Resource names only other services are skipped without matching.
    resource_service: str | None = field(init=False, repr=False, compare=False)

    # Written out rather than generated with a __post_init__: one call per request, not two.
    def __init__(
        self,
        principal: str,
        action: str,
        resource: str,
        resource_account: str | None = None,
        context: Mapping[str, str | Sequence[str]] | None = None,
        federating_user: str | None = None,
        derived_context: Mapping[str, ContextValue] | None = None,
    ) -> None:
        self.principal = principal
        self.action = action
        self.resource = resource
        self.resource_account = resource_account
        self.context = context if context is not None else {}
        self.federating_user = federating_user
        self.derived_context = derived_context
        lowered: Mapping[str, ContextValue]
        if context:
            lowered = _freeze_context(context)  # a new dict, so the derived keys may go into it
            if derived_context:
                lowered.update(derived_context)
        else:
            lowered = derived_context or _EMPTY  # taken as it is (INVARIANT: never changed)
        self.lowered_context = lowered
        self.action_key, self.service = _ACTION_KEYS.get(action) or _action_key(action)
        if ":assumed-role/" in principal:
            role_arn = lowered.get("aws:principalarn")
            self.caller = _classify(principal, role_arn if isinstance(role_arn, str) else None, federating_user)
        elif federating_user is None:
            self.caller = _PLAIN_CALLERS.get(principal) or _plain_caller(principal)
        else:
            self.caller = _classify(principal, None, federating_user)
        parts = resource.split(":", 5)
        if len(parts) == 6 and parts[0] == "arn":
            self.resource_service = parts[2]
            self.target_account = resource_account or parts[4] or None
        else:
            self.resource_service = None
            self.target_account = resource_account or None


# Not frozen, for the reason AuthorizationRequest is not (a decision is made per request):
# INVARIANT: never assigned after __init__; `results` is never changed either.
@dataclass(slots=True)
class Decision:
    """The answer with its explanation.

    `determining` lists the statements that decided it (the matching Deny statements for an
    explicit deny, the granting Allow statements for an allow). `blocked_by` lists the policy
    types that turned an otherwise-allowed request into a deny. `results` gives each evaluated
    policy type's own verdict (`Allowed`, `ImplicitlyDenied`, `ExplicitlyDenied`,
    `AllowedForAccount`, `DeniedForAccount`, `NotApplicable`).
    """

    decision: Effect
    determining: tuple[StatementRef, ...] = ()
    blocked_by: tuple[PolicyType, ...] = ()
    missing_context_keys: tuple[str, ...] = ()
    results: Mapping[PolicyType, str] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return self.decision is Effect.ALLOW
