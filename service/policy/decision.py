"""The decision: combine each policy type's verdict into Allow, ExplicitDeny or ImplicitDeny.

Order (REFERENCE C1-C5, iam-scenarios/FORMAT.md):
1. `sts:GetCallerIdentity` is always allowed.
2. An applicable Deny in any policy type (SCP, RCP, resource/trust, identity, boundary,
   session) is final: ExplicitDeny.
3. The core grant, from identity and resource-based policies:
   - service principals and anonymous callers: only the resource policy can grant;
   - same account: a resource policy naming the caller (or its role, or its federating user)
     grants on its own; identity policies grant when the service trusts the account's IAM
     policies (always by default; STS trust policies and KMS key policies must trust the
     account explicitly, see `SERVICE_RULES`);
   - cross account: the resource policy must allow the caller or its account AND the caller's
     identity policies must allow.
4. Guardrails can only take a grant away: every SCP level must allow; a permissions boundary
   must allow (unless, in the same account, a resource policy names the user or session
   itself); a session policy must allow (same exception for a role or federated-user session
   named directly); a federated-user session without a session policy has no permissions.
   RCP levels implicitly include RCPFullAWSAccess, so only their Deny statements matter.
The combiner only moves downward: Allow → ImplicitDeny → ExplicitDeny.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from .evaluate import (
    ALLOWED,
    ALLOWED_FOR_ACCOUNT,
    DENIED_FOR_ACCOUNT,
    EXPLICITLY_DENIED,
    IMPLICITLY_DENIED,
    NOT_APPLICABLE,
    NOTHING,
    Analysis,
    analyze,
)
from .index import PolicyIndex
from .model import AuthorizationRequest, Decision, Effect, PolicyType, StatementRef
from .principals import Caller

_ALWAYS_ALLOWED_ACTIONS = frozenset({"sts:getcalleridentity"})
_BOUNDARY_BYPASS_KINDS = frozenset({"user", "role-session", "federated-user"})
_SESSION_BYPASS_KINDS = frozenset({"role-session", "federated-user"})
_ALWAYS_ALLOW = Decision(Effect.ALLOW, results=MappingProxyType({}))
# Enum members bound once: looking them up on the class costs more than the lookups they key.
_IDENTITY, _RESOURCE, _TRUST = PolicyType.IDENTITY, PolicyType.RESOURCE, PolicyType.TRUST
_BOUNDARY, _SESSION, _SCP, _RCP = (
    PolicyType.BOUNDARY,
    PolicyType.SESSION,
    PolicyType.SCP,
    PolicyType.RCP,
)
_ALLOW, _EXPLICIT_DENY, _IMPLICIT_DENY = Effect.ALLOW, Effect.EXPLICIT_DENY, Effect.IMPLICIT_DENY


@dataclass(slots=True)  # not frozen (nothing changes it): frozen pays object.__setattr__ per field, per request
class PolicyInputs:
    """The policies that apply to one request, grouped by type, each already indexed.

    `boundary` and `session` are None when the principal has none; an empty index there is a
    boundary or session policy that allows nothing. Several boundary documents in one index
    act as one policy (the union of their statements).
    """

    identity: PolicyIndex | None = None
    boundary: PolicyIndex | None = None
    session: PolicyIndex | None = None
    resource: PolicyIndex | None = None  # the resource's policy, or the role's trust policy
    scp_levels: Sequence[PolicyIndex] = field(default_factory=tuple)  # root → OUs → account
    rcp_levels: Sequence[PolicyIndex] = field(default_factory=tuple)
    # GetScopedCredentials' scope-down policies, oldest first: each must allow (they intersect
    # with everything the session has), and no resource-based policy gets past them.
    scope_down: Sequence[PolicyIndex] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class ServiceRule:
    """How a service treats identity-based policies next to its resource-based policy."""

    name: str
    # (same_account, resource analysis or None, request) -> do identity policies count?
    identity_counts: Callable[[bool, Analysis | None, AuthorizationRequest], bool]
    # A refusal independent of any policy (AWS-managed IAM policies are read-only).
    refuses: Callable[[AuthorizationRequest], bool] | None = None


def _default_identity_counts(
    same_account: bool, resource: Analysis | None, _request: AuthorizationRequest
) -> bool:
    return same_account or (resource is not None and resource.allows_account())


def _sts_identity_counts(
    same_account: bool, resource: Analysis | None, _request: AuthorizationRequest
) -> bool:
    # A role trust policy must trust the caller explicitly; naming the account delegates to
    # the caller's identity policies (REFERENCE C5). Without a trust policy (GetSessionToken,
    # GetFederationToken) the caller's own account decides.
    if resource is None:
        return same_account
    return resource.allows_account()


def _kms_identity_counts(
    same_account: bool, resource: Analysis | None, request: AuthorizationRequest
) -> bool:
    # A KMS key policy must allow; trusting the account root enables IAM policies. Actions
    # without a key (CreateKey, ListKeys) are governed by IAM policies alone, and so is an alias:
    # it has no key policy, "kms:CreateAlias for the alias" is granted "in an IAM policy"
    # (AWS KMS Developer Guide, "Controlling access to aliases"); the key is a separate request.
    if same_account and (request.resource == "*" or
                         (request.action_key in _KMS_ALIAS_ACTIONS and _is_kms_alias(request.resource))):
        return True
    return resource is not None and resource.allows_account()


# The alias operations, whose alias resource has no key policy. Any other action on an alias ARN
# (kms:Decrypt naming an alias, say) is about the key behind it, which its key policy governs.
_KMS_ALIAS_ACTIONS = frozenset({"kms:createalias", "kms:updatealias", "kms:deletealias"})


def _is_kms_alias(resource: str) -> bool:
    # arn:partition:kms:region:account:alias/name
    parts = resource.split(":", 5)
    return len(parts) == 6 and parts[2] == "kms" and parts[5].startswith("alias/")


_AWS_MANAGED_POLICY_WRITES = frozenset(
    {
        "iam:createpolicy",
        "iam:createpolicyversion",
        "iam:deletepolicy",
        "iam:deletepolicyversion",
        "iam:setdefaultpolicyversion",
        "iam:tagpolicy",
        "iam:untagpolicy",
    }
)


def _iam_refuses(request: AuthorizationRequest) -> bool:
    # AWS managed policies (arn:aws:iam::aws:policy/...) cannot be changed by any customer.
    return request.action_key in _AWS_MANAGED_POLICY_WRITES and ":iam::aws:policy/" in request.resource


DEFAULT_RULE = ServiceRule("default", _default_identity_counts)
# Service-specific rules, keyed by lower-cased service prefix.
SERVICE_RULES: dict[str, ServiceRule] = {
    "sts": ServiceRule("sts", _sts_identity_counts),
    "kms": ServiceRule("kms", _kms_identity_counts),
    "iam": ServiceRule("iam", _default_identity_counts, _iam_refuses),
}


def decide(request: AuthorizationRequest, inputs: PolicyInputs) -> Decision:
    """Evaluate one request against its policies."""
    action = request.action_key
    if action in _ALWAYS_ALLOWED_ACTIONS:
        return _ALWAYS_ALLOW
    # Everything `analyze` needs, read from the request once.
    service = request.service
    resource = request.resource
    resource_service = request.resource_service
    ctx = request.lowered_context
    caller = request.caller
    kind = caller.kind
    missing: list[str] = []
    verdicts: dict[PolicyType, str] = {}
    same_account = caller.account is not None and caller.account == request.target_account

    # --- each policy type on its own -------------------------------------------------------
    identity = NOTHING
    if inputs.identity is not None:
        identity = analyze(inputs.identity, service, action, resource, resource_service, ctx, caller, missing)
        # The usual request: one group of the caller's identity statements grants it and
        # nothing else takes part (no boundary, session, resource or guardrail policy, a
        # service with the default rule, no missing key, the caller's own account). Its
        # decision is the same for every such request: made once (`_granted_by_identity`).
        if (identity.allow_refs and not missing and same_account and kind not in _GRANTED_KINDS_EXCLUDED
                and inputs.boundary is None and inputs.session is None and inputs.resource is None
                and not inputs.scp_levels and not inputs.rcp_levels and not inputs.scope_down
                and service not in SERVICE_RULES):
            return identity.granted or _granted_by_identity(identity)
    identity_verdict = identity.verdict
    if kind == "root" and identity_verdict == IMPLICITLY_DENIED:
        identity_verdict = ALLOWED  # the root user has full access to its own account
    verdicts[_IDENTITY] = identity_verdict

    # INVARIANT: None means "no boundary"; an index without policies is a boundary that
    # allows nothing (e.g. its managed policy was deleted), never the absence of one.
    boundary: Analysis | None = None
    boundary_verdict: str | None = None
    if inputs.boundary is not None:
        boundary = analyze(inputs.boundary, service, action, resource, resource_service, ctx, caller, missing)
        boundary_verdict = verdicts[_BOUNDARY] = boundary.verdict

    session: Analysis | None = None
    session_verdict: str | None = None
    if inputs.session is not None:
        session = analyze(inputs.session, service, action, resource, resource_service, ctx, caller, missing)
        session_verdict = session.verdict
    elif kind == "federated-user":
        session_verdict = IMPLICITLY_DENIED  # GetFederationToken without a policy grants nothing
    scope_down: list[Analysis] | tuple[()] = ()
    scope_verdict = ALLOWED
    if inputs.scope_down:
        scope_down, scope_verdict = _every_level(inputs.scope_down, service, action, resource, resource_service, ctx,
                                                 caller, missing)
    if session_verdict is not None or scope_down:
        # Scope-down policies are session policies: one verdict, the stricter of the two.
        verdicts[_SESSION] = (EXPLICITLY_DENIED if EXPLICITLY_DENIED in (session_verdict, scope_verdict) else
                              IMPLICITLY_DENIED if IMPLICITLY_DENIED in (session_verdict, scope_verdict) else
                              ALLOWED)

    scp_levels: list[Analysis] | tuple[()] = ()
    scp_verdict = ALLOWED
    if not inputs.scp_levels:
        verdicts[_SCP] = ALLOWED
    elif kind == "service" or kind == "anonymous":
        # SCPs "are principal-centric controls" that limit "principals in your member accounts"
        # (AWS Organizations User Guide, "Authorization policies in AWS Organizations"): an
        # anonymous caller or a service principal belongs to no account and is never limited.
        verdicts[_SCP] = NOT_APPLICABLE
    else:
        # root → OUs → account: every level from the root down must allow
        scp_levels, scp_verdict = _every_level(inputs.scp_levels, service, action, resource, resource_service, ctx,
                                               caller, missing)
        verdicts[_SCP] = scp_verdict

    rcp_levels: list[Analysis] | tuple[()] = ()
    rcp_verdict = ALLOWED
    if inputs.rcp_levels:
        rcp_levels = []
        for index in inputs.rcp_levels:
            level = analyze(index, service, action, resource, resource_service, ctx, caller, missing)
            rcp_levels.append(level)
            if level.denies:
                rcp_verdict = EXPLICITLY_DENIED
    verdicts[_RCP] = rcp_verdict

    resource_analysis: Analysis | None = None
    resource_type = _RESOURCE
    resource_verdict = NOT_APPLICABLE
    if inputs.resource is not None:
        resource_analysis = analyze(
            inputs.resource,
            service,
            action,
            resource,
            resource_service,
            ctx,
            caller,
            missing,
            deny_not_principal_always=boundary is not None,
        )
        resource_verdict = resource_analysis.resource_verdict
        policies = inputs.resource.policies
        if policies and policies[0].policy_type is _TRUST:
            resource_type = _TRUST
    verdicts[resource_type] = resource_verdict
    missing_keys = tuple(sorted(set(missing))) if missing else ()

    # --- the core grant from identity and resource-based policies --------------------------
    rule = SERVICE_RULES.get(service)  # None: the default rule (see DEFAULT_RULE)
    identity_used = False
    resource_used = False
    if kind == "service" or kind == "anonymous":
        resource_used = core = resource_verdict == ALLOWED
    elif same_account:
        resource_used = resource_verdict == ALLOWED
        # By default identity policies count in their own account: no call to ask.
        identity_used = identity_verdict == ALLOWED and (
            rule is None or rule.identity_counts(True, resource_analysis, request)
        )
        core = resource_used or identity_used
    else:
        resource_used = resource_verdict == ALLOWED or resource_verdict == ALLOWED_FOR_ACCOUNT
        identity_used = identity_verdict == ALLOWED
        core = resource_used and identity_used

    # Guardrails only matter for a request some policy grants, and only when one says no.
    blockers: tuple[PolicyType, ...] = ()
    if core and (
        scp_verdict != ALLOWED
        or rcp_verdict != ALLOWED
        or resource_verdict == EXPLICITLY_DENIED
        or resource_verdict == DENIED_FOR_ACCOUNT
        or identity_verdict == EXPLICITLY_DENIED
        or (boundary_verdict is not None and boundary_verdict != ALLOWED)
        or (session_verdict is not None and session_verdict != ALLOWED)
        or scope_verdict != ALLOWED
    ):
        blockers = _blockers(
            scp_verdict,
            rcp_verdict,
            resource_verdict,
            resource_type,
            resource_analysis,
            identity_verdict,
            boundary_verdict,
            session_verdict,
            scope_verdict,
            same_account,
            kind,
        )

    # Each verdict says whether its type holds an applicable Deny, so the statements are only
    # gathered for an explicit deny.
    if (
        EXPLICITLY_DENIED
        in (identity_verdict, boundary_verdict, session_verdict, scope_verdict, scp_verdict, rcp_verdict,
            resource_verdict)
        or resource_verdict == DENIED_FOR_ACCOUNT
    ):
        denies: list[StatementRef] = []
        for analysis in (identity, boundary, session, *scope_down, resource_analysis, *scp_levels, *rcp_levels):
            if analysis is not None:
                denies.extend([st.ref for st, _ in analysis.denies])
        return Decision(_EXPLICIT_DENY, tuple(denies), blockers, missing_keys, verdicts)
    if not core or (rule is not None and rule.refuses is not None and rule.refuses(request)):
        return Decision(_IMPLICIT_DENY, (), (), missing_keys, verdicts)
    if blockers:
        return Decision(_IMPLICIT_DENY, (), blockers, missing_keys, verdicts)

    # Mostly the identity policies' statements alone, whose refs an analysis may hold already.
    determining: tuple[StatementRef, ...] = ()
    if identity_used:
        refs = identity.allow_refs
        determining = refs if refs is not None else tuple([st.ref for st, _ in identity.allows])
    if ((resource_used and resource_analysis is not None) or boundary is not None or session is not None
            or scope_down or scp_levels):
        more = list(determining)
        if resource_used and resource_analysis is not None:
            for st, _ in resource_analysis.allows:
                more.append(st.ref)
        if boundary is not None:
            for st, _ in boundary.allows:
                more.append(st.ref)
        if session is not None:
            for st, _ in session.allows:
                more.append(st.ref)
        for layer in scope_down:
            for st, _ in layer.allows:
                more.append(st.ref)
        for level in scp_levels:
            for st, _ in level.allows:
                more.append(st.ref)
        determining = tuple(more)
    return Decision(_ALLOW, determining, (), missing_keys, verdicts)


def _every_level(
    indexes: Sequence[PolicyIndex],
    service: str,
    action: str,
    resource: str,
    resource_service: str | None,
    ctx: Mapping[str, str | tuple[str, ...]],
    caller: Caller,
    missing: list[str],
) -> tuple[list[Analysis], str]:
    """Policies that each must allow (SCP levels, scope-down layers): their analyses, and the
    verdict: a Deny in any is final, a level that allows nothing denies implicitly."""
    levels = []
    verdict = ALLOWED
    for index in indexes:
        level = analyze(index, service, action, resource, resource_service, ctx, caller, missing)
        levels.append(level)
        if verdict != EXPLICITLY_DENIED:
            if level.denies:
                verdict = EXPLICITLY_DENIED
            elif not level.allows:
                verdict = IMPLICITLY_DENIED
    return levels, verdict


# Callers for whom identity policies alone never decide: service principals and anonymous callers
# (only a resource policy grants them) and federated users (their session policy must allow).
_GRANTED_KINDS_EXCLUDED = frozenset({"service", "anonymous", "federated-user"})
# The verdicts of such a request, in the order `decide` records them. Shared, so read-only.
_GRANTED_BY_IDENTITY_RESULTS = MappingProxyType(
    {_IDENTITY: ALLOWED, _SCP: ALLOWED, _RCP: ALLOWED, _RESOURCE: NOT_APPLICABLE}
)


def _granted_by_identity(identity: Analysis) -> Decision:
    """What `decide` answers when `identity` (an analysis a plan made, see analysis.alone)
    grants the request and nothing else takes part; kept with the analysis for the next."""
    assert identity.allow_refs  # INVARIANT: an Allow group's analysis, with its refs
    granted = identity.granted = Decision(_ALLOW, identity.allow_refs, (), (), _GRANTED_BY_IDENTITY_RESULTS)
    return granted


def _blockers(
    scp_verdict: str,
    rcp_verdict: str,
    resource_verdict: str,
    resource_type: PolicyType,
    resource_analysis: Analysis | None,
    identity_verdict: str,
    boundary_verdict: str | None,
    session_verdict: str | None,
    scope_verdict: str,
    same_account: bool,
    kind: str,
) -> tuple[PolicyType, ...]:
    """The policy types that stand in the way of a grant, in evaluation order."""
    blockers: list[PolicyType] = []
    if scp_verdict != ALLOWED:
        blockers.append(_SCP)
    if rcp_verdict != ALLOWED:
        blockers.append(_RCP)
    if resource_verdict == EXPLICITLY_DENIED or resource_verdict == DENIED_FOR_ACCOUNT:
        blockers.append(resource_type)
    if identity_verdict == EXPLICITLY_DENIED:
        blockers.append(_IDENTITY)
    if boundary_verdict is not None and boundary_verdict != ALLOWED:
        # A same-account resource policy granting the user or session itself (by name or to
        # everyone) is not limited by the boundary's implicit deny; one naming the role or
        # the account is (REFERENCE C2).
        if not (
            boundary_verdict == IMPLICITLY_DENIED
            and same_account
            and kind in _BOUNDARY_BYPASS_KINDS
            and resource_analysis is not None
            and resource_analysis.allows_directly()
        ):
            blockers.append(_BOUNDARY)
    if session_verdict is not None and session_verdict != ALLOWED:
        # "A resource-based policy can specify the ARN of the session as a principal ... The
        # resource-based policy permissions are not limited by the session policy" (IAM user
        # guide, session policies). Naming the role, the account or everyone does not do that.
        if not (
            session_verdict == IMPLICITLY_DENIED
            and same_account
            and kind in _SESSION_BYPASS_KINDS
            and resource_analysis is not None
            and resource_analysis.allows_by_name()
        ):
            blockers.append(_SESSION)
    if scope_verdict != ALLOWED and _SESSION not in blockers:
        # Scope-down policies intersect with everything, a resource policy naming the session too
        # (STS API reference, GetScopedCredentials): nothing gets past them.
        blockers.append(_SESSION)
    return tuple(blockers)


__all__ = ["DEFAULT_RULE", "SERVICE_RULES", "PolicyInputs", "ServiceRule", "decide"]
