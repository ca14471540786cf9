"""PolicyIndex: the statements of several compiled policies, bucketed by action service prefix.

Built once per principal (or per resource, per organisation level) and reused for many
decisions. A decision for `sqs:SendMessage` scans only statements whose Action can name an
`sqs:` action plus those that can match any service (`*`, `s*:Get*`, every NotAction).
The statements whose Action/NotAction matches a given action are also remembered per action
(a bounded memo), since matching an action depends on nothing but the action. Within that, the
statements that can match the request's resource are remembered per ARN service: a statement
whose Resource names only `arn:aws:sqs:` resources is never tried against an S3 object, and
for resource `*` only statements that can match `*` are kept.

What is remembered is a `Plan`: those statements grouped by the checks they make. Statements
whose resource checks, principal and conditions are the same shared matchers (policies repeat
them: one `aws:RequestedRegion` guard in every policy, one owner-scoped resource in many) are
one `CheckGroup`, checked once per decision.
"""

from __future__ import annotations

from collections.abc import Iterable

from .compiler import CompiledPolicy, CompiledStatement
from .conditions import Holds
from .matching import ResourceMatcher, matches_any_resource
from .principals import EXACT, PrincipalMatcher

# One applicable statement, the literal prefixes the resource must start with (None: any),
# and the resource matcher still to call after that (None: none needed).
Applicable = tuple[CompiledStatement, "tuple[str, ...] | None", "ResourceMatcher | None"]


# Applicable statements of one effect that make the same checks, in document order: a statement
# applies when the resource starts with one of the prefixes (None: no such test), the resource
# matcher holds (None: no call needed), the principal matcher names the caller (None: the
# policy type has no principals) and every condition holds. Then come the statements, each
# paired with EXACT (the rank of a type without principals), and their places in the plan's
# document order. A plain tuple: unpacking one is a single step, a NamedTuple's is not.
CheckGroup = tuple[
    tuple[str, ...] | None,  # prefixes
    ResourceMatcher | None,  # matches_resource
    PrincipalMatcher | None,  # principal_rank
    bool,  # is_not_principal
    bool,  # is_allow
    tuple[Holds, ...],  # conditions
    tuple[tuple[CompiledStatement, int], ...],  # exact_pairs
    tuple[int, ...],  # positions
]
# The check groups of one action and kind of resource, then the prefixes of every group that
# has some (the gate) and the groups without prefixes: a resource starting with none of the
# gate's prefixes (most requests name one resource among the many a policy set names) is
# tried only against the latter, after one `str.startswith`.
Plan = tuple[tuple[CheckGroup, ...], tuple[str, ...], tuple[CheckGroup, ...]]


class PolicyIndex:
    """Statements of a set of policies, indexed by the service prefixes their actions match."""

    __slots__ = (
        "policies",
        "_by_service",
        "_any_service",
        "statement_count",
        "_by_action",
        "_plans",
    )

    # Distinct actions remembered per index; AWS has about 17,000 actions in all.
    MAX_REMEMBERED_ACTIONS = 4096
    # Resource keys remembered per action: an action's resources belong to one service or a
    # few (iam:PassRole: iam; ec2:RunInstances: ec2), plus `*` and non-ARNs.
    MAX_REMEMBERED_RESOURCE_SERVICES = 16

    def __init__(self, policies: Iterable[CompiledPolicy]) -> None:
        self.policies: tuple[CompiledPolicy, ...] = tuple(policies)
        ordered: list[CompiledStatement] = [
            st for policy in self.policies for st in policy.statements
        ]
        self.statement_count = len(ordered)
        services: set[str] = set()
        for st in ordered:
            if st.services is not None:
                services.update(st.services)
        # INVARIANT: each bucket keeps document order (any-service statements included), so
        # explanations list statements in the order their authors wrote them.
        self._by_service: dict[str, tuple[CompiledStatement, ...]] = {
            service: tuple(st for st in ordered if st.services is None or service in st.services)
            for service in services
        }
        self._any_service: tuple[CompiledStatement, ...] = tuple(
            st for st in ordered if st.services is None
        )
        self._by_action: dict[str, tuple[CompiledStatement, ...]] = {}
        # action -> resource key (see `plan`) -> plan
        self._plans: dict[str, dict[str | None, Plan]] = {}

    def candidates(self, service: str) -> tuple[CompiledStatement, ...]:
        """Statements that can match an action of `service` (lower-cased prefix)."""
        return self._by_service.get(service, self._any_service)

    def matching_action(self, service: str, action: str) -> tuple[CompiledStatement, ...]:
        """Statements whose Action/NotAction matches `action` (lower-cased), in document order."""
        found = self._by_action.get(action)
        if found is None:
            found = tuple(st for st in self.candidates(service) if st.matches_action(action))
            # Racing threads may both compute it; they compute the same tuple.
            if len(self._by_action) < self.MAX_REMEMBERED_ACTIONS:
                self._by_action[action] = found
        return found

    def applicable(
        self, service: str, action: str, resource: str, resource_service: str | None
    ) -> tuple[Applicable, ...]:
        """`matching_action` less the statements that cannot match the resource, in document
        order, each with the resource checks still to make (see `Applicable`).

        `resource_service` is the service part of `resource` when it is an ARN, else None.
        """
        statements = self.matching_action(service, action)
        if resource == "*":
            # INVARIANT: resource "*" (an action without resource-level permissions) is matched
            # only by Resource "*" or by a NotResource that does not list "*".
            return tuple(
                (st, None, None)
                for st in statements
                if st.matches_resource is None or st.resource_star
            )
        return tuple(
            _resource_checks(st)
            for st in statements
            # A resource that is not an ARN: only the matchers can tell.
            if resource_service is None or st.resource_services is None or resource_service in st.resource_services
        )

    def plan(self, service: str, action: str, resource: str, resource_service: str | None) -> Plan:
        """The `applicable` statements as check groups, remembered per action and resource key
        (the resource's ARN service, `*`, or None for a resource that is not an ARN)."""
        key = _STAR if resource == "*" else resource_service
        by_resource = self._plans.get(action)
        if by_resource is not None:
            found = by_resource.get(key)
            if found is not None:
                return found
        else:
            by_resource = {}
            if len(self._plans) < self.MAX_REMEMBERED_ACTIONS:
                self._plans[action] = by_resource
        found = _plan(self.applicable(service, action, resource, resource_service))
        # Racing threads may both compute it; they compute equal plans.
        if len(by_resource) < self.MAX_REMEMBERED_RESOURCE_SERVICES:
            by_resource[key] = found
        return found

    def __len__(self) -> int:
        return len(self.policies)

    def __repr__(self) -> str:
        return f"PolicyIndex({len(self.policies)} policies, {self.statement_count} statements)"


# The resource key of request resource `*`; an ARN's service part never holds a colon.
_STAR = ":*"


def _resource_checks(st: CompiledStatement) -> Applicable:
    matcher = st.matches_resource
    if matcher is None or matcher is matches_any_resource:
        return (st, None, None)
    prefixes = st.resource_prefixes
    if prefixes is None:
        return (st, None, matcher)
    return (st, prefixes.prefixes, None if prefixes.decisive else matcher)


def _plan(applicable: tuple[Applicable, ...]) -> Plan:
    # Matchers are shared between statements with equal inputs (compiler), so equal checks are
    # the same objects: grouping by identity is exact, and costs no comparison of their text.
    members: dict[tuple[object, ...], list[tuple[int, CompiledStatement]]] = {}
    for position, (st, prefixes, matcher) in enumerate(applicable):
        key = (prefixes, matcher, st.principal_rank, st.is_not_principal, st.is_allow, st.conditions)
        members.setdefault(key, []).append((position, st))
    groups: tuple[CheckGroup, ...] = tuple(
        (*checks, tuple((st, EXACT) for _, st in statements), tuple(position for position, _ in statements))
        for checks, statements in members.items()
    )
    gate = tuple(prefix for group in groups if group[0] is not None for prefix in group[0])
    return groups, gate, tuple(group for group in groups if group[0] is None)


EMPTY_INDEX = PolicyIndex(())
