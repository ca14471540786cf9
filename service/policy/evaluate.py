"""Analysis of one policy type against a request: which statements apply, and that type's verdict.

Each statement is scored on separate facets (action, resource, principal, conditions); a
statement applies when all of them match. Statements that make the same checks are scored
together, once (see `index.CheckGroup`). The combination of the policy types' verdicts
into the final answer lives in `decision.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .analysis import (  # re-exported: the verdicts are named here for the combiner and callers
    ALLOWED,
    ALLOWED_FOR_ACCOUNT,
    DENIED_FOR_ACCOUNT,
    EXPLICITLY_DENIED,
    IMPLICITLY_DENIED,
    NOT_APPLICABLE,
    NOTHING,
    Analysis,
)
from .compiler import CompiledStatement
from .index import CheckGroup, PolicyIndex
from .principals import EVERYONE, EXACT, NO_MATCH, Caller

# A check group that applies, and the rank of its principal match.
_Applying = tuple[CheckGroup, int]


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
        prefixes, matches_resource, st, _members, _alone = group
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
            (allowing if st.is_allow else denying).append((group, rank))
    if not allowing and not denying:
        return NOTHING
    # Mostly one group applies, or none, with rank EXACT: its analysis is made already.
    if len(allowing) + len(denying) == 1:
        group, rank = allowing[0] if allowing else denying[0]
        if rank == EXACT:
            return group[4]
    return Analysis(_statements(allowing, layout), _statements(denying, layout))


def _paired(group: CheckGroup, rank: int) -> Sequence[tuple[CompiledStatement, int]]:
    """The statements of a group that applies, each with the rank of the principal match."""
    members = group[3]
    if members is None:
        return ((group[2], rank),)
    if rank == EXACT:
        return members
    return tuple((member, rank) for member, _ in members)


def _statements(found: list[_Applying], layout: tuple[CheckGroup, ...]) -> Sequence[tuple[CompiledStatement, int]]:
    """The statements of the groups that apply, as their authors wrote them (explanations)."""
    if not found:
        return ()
    if len(found) == 1:  # one group's statements are in document order already
        return _paired(*found[0])
    remaining = {id(group): iter(_paired(group, rank)) for group, rank in found}
    return [next(remaining[id(group)]) for group in layout if id(group) in remaining]


__all__ = [
    "ALLOWED",
    "ALLOWED_FOR_ACCOUNT",
    "DENIED_FOR_ACCOUNT",
    "EXPLICITLY_DENIED",
    "IMPLICITLY_DENIED",
    "NOTHING",
    "NOT_APPLICABLE",
    "Analysis",
    "analyze",
]
