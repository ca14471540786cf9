"""Analysis of one policy type against a request: which statements apply, and that type's verdict.

Each statement is scored on separate facets (action, resource, principal, conditions); a
statement applies when all of them match. Statements that make the same checks are scored
together, once (see `index.CheckGroup`). The combination of the policy types' verdicts
into the final answer lives in `decision.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .compiler import CompiledStatement
from .index import CheckGroup, PolicyIndex
from .principals import ACCOUNT, EVERYONE, EXACT, NO_MATCH, SESSION_ROLE, Caller

# Verdicts of one policy type (the names iam-simulate and the scenario corpus use).
ALLOWED = "Allowed"
EXPLICITLY_DENIED = "ExplicitlyDenied"
IMPLICITLY_DENIED = "ImplicitlyDenied"
ALLOWED_FOR_ACCOUNT = "AllowedForAccount"
DENIED_FOR_ACCOUNT = "DeniedForAccount"
NOT_APPLICABLE = "NotApplicable"


class Analysis:
    """The statements of one policy type (or one SCP/RCP level) that apply to the request,
    each with the rank of its principal match (EXACT where the type has no principals)."""

    __slots__ = ("allows", "denies", "verdict")

    def __init__(
        self,
        allows: Sequence[tuple[CompiledStatement, int]] = (),
        denies: Sequence[tuple[CompiledStatement, int]] = (),
    ) -> None:
        self.allows = allows
        self.denies = denies
        # The verdict of a policy type without principals (identity, boundary, session, SCP).
        self.verdict = EXPLICITLY_DENIED if denies else ALLOWED if allows else IMPLICITLY_DENIED

    @property
    def resource_verdict(self) -> str:
        """Verdict of a resource-based or trust policy, by the strength of the principal match."""
        if self.denies:
            for _, rank in self.denies:
                if rank >= SESSION_ROLE:
                    return EXPLICITLY_DENIED
            return DENIED_FOR_ACCOUNT
        if self.allows:
            for _, rank in self.allows:
                if rank >= SESSION_ROLE:
                    return ALLOWED
            return ALLOWED_FOR_ACCOUNT
        return IMPLICITLY_DENIED

    # The predicates below are plain loops: cheaper than any() over a generator, and they run
    # on every decision that involves a resource policy.

    def allows_directly(self) -> bool:
        """Some Allow applies to the caller itself (named, or `*`), not via its role or account."""
        for _, rank in self.allows:
            if rank >= EVERYONE:
                return True
        return False

    def allows_by_name(self) -> bool:
        """Some Allow names the caller's own ARN."""
        for _, rank in self.allows:
            if rank == EXACT:
                return True
        return False

    def allows_account(self) -> bool:
        """Some Allow trusts the caller's account, delegating to its IAM policies."""
        for _, rank in self.allows:
            if rank == ACCOUNT:
                return True
        return False


# The analysis of a policy type none of whose statements applies. Shared by every decision:
# INVARIANT: its statement lists are empty tuples, so nobody can add to them.
NOTHING = Analysis()


# A check group that applies, and its statements paired with the rank of the principal match.
_Applying = tuple[CheckGroup, Sequence[tuple[CompiledStatement, int]]]


def analyze(
    index: PolicyIndex,
    service: str,
    action: str,
    resource: str,
    resource_service: str | None,
    context: Mapping[str, str | tuple[str, ...]],
    caller: Caller,
    missing: list[str] | None,
    *,
    deny_not_principal_always: bool = False,
) -> Analysis:
    """Statements of `index` that apply to the request.

    `action` is lower-cased; `resource_service` is the service part of the resource ARN (None
    when it is not an ARN). With `deny_not_principal_always`, a Deny+NotPrincipal statement
    applies to the caller whatever it lists: AWS documents that such a statement always
    denies a principal that has a permissions boundary (REFERENCE C2).
    """
    groups, gate, ungated, layout = index.plan(service, action, resource, resource_service)
    if gate and not resource.startswith(gate):
        groups = ungated
    if not groups:
        return NOTHING
    allowing: list[_Applying] = []
    denying: list[_Applying] = []
    for group in groups:
        prefixes, matches_resource, st, members = group
        if prefixes is not None and not resource.startswith(prefixes):
            continue
        if matches_resource is not None and not matches_resource(resource, context, missing):
            continue
        rank = EXACT
        principal_rank = st.principal_rank
        if principal_rank is not None:
            rank = principal_rank(caller)
            if rank == NO_MATCH:
                if deny_not_principal_always and st.is_not_principal and not st.is_allow:
                    rank = EVERYONE
                else:
                    continue
        for holds in st.conditions:
            if not holds(context, missing):
                break
        else:
            if members is None:
                listed: Sequence[tuple[CompiledStatement, int]] = ((st, rank),)
            elif rank == EXACT:
                listed = members
            else:
                listed = tuple((member, rank) for member, _ in members)
            (allowing if st.is_allow else denying).append((group, listed))
    if not allowing and not denying:
        return NOTHING
    # Mostly one group applies, or none: its statements are already in document order.
    return Analysis(
        () if not allowing else allowing[0][1] if len(allowing) == 1 else _in_document_order(allowing, layout),
        () if not denying else denying[0][1] if len(denying) == 1 else _in_document_order(denying, layout),
    )


def _in_document_order(found: list[_Applying], layout: tuple[CheckGroup, ...]) -> list[tuple[CompiledStatement, int]]:
    """The statements of several groups that apply, as their authors wrote them (explanations)."""
    remaining = {id(group): iter(listed) for group, listed in found}
    return [next(remaining[id(group)]) for group in layout if id(group) in remaining]
