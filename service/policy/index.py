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

from .analysis import Analysis, alone
from .compiler import CompiledPolicy, CompiledStatement
from .matching import ResourceMatcher, matches_any_resource
from .principals import EXACT

# One applicable statement, the literal prefixes the resource must start with (None: any),
# and the resource matcher still to call after that (None: none needed).
Applicable = tuple[CompiledStatement, "tuple[str, ...] | None", "ResourceMatcher | None"]


# Applicable statements that make the same checks: the literal prefixes the resource must start
# with and the resource matcher still to call (as in Applicable), the first statement (whose
# effect, principal and conditions every member shares), and when there are several, every
# member paired with rank EXACT (the rank of a type without principals), in document order.
# None for a lone statement, the usual case: a plan then holds no more than the statement's
# checks. Last, the analysis of the group applying alone with rank EXACT, the usual outcome of
# a policy type that applies at all: made once here rather than per decision. A plain tuple:
# unpacking one is a single step, a NamedTuple's is not.
CheckGroup = tuple[
    tuple[str, ...] | None,
    ResourceMatcher | None,
    CompiledStatement,
    tuple[tuple[CompiledStatement, int], ...] | None,
    Analysis,
]
# The check groups of one action and kind of resource, then:
# - the gate: the prefixes of every group that has some. A resource starting with none of them
#   (most requests name one resource among the many a policy set names) is tried only against
#   the groups without prefixes, after one `str.startswith`;
# - those groups;
# - the layout: each applicable statement's group, in document order, to list the statements
#   of several groups that apply as their authors wrote them.
Plan = tuple[tuple[CheckGroup, ...], tuple[str, ...], tuple[CheckGroup, ...], tuple[CheckGroup, ...]]


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
    # Bounded in bytes too: an action longer than any of AWS's (under 100 characters) is one a
    # caller invented, up to the request's size limit; it is matched, never remembered.
    MAX_REMEMBERED_ACTION_CHARS = 256

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
            if len(self._by_action) < self.MAX_REMEMBERED_ACTIONS and len(action) <= self.MAX_REMEMBERED_ACTION_CHARS:
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
            if len(self._plans) < self.MAX_REMEMBERED_ACTIONS and len(action) <= self.MAX_REMEMBERED_ACTION_CHARS:
                self._plans[action] = by_resource
        found = _plan(self.applicable(service, action, resource, resource_service))
        # Racing threads may both compute it; they compute equal plans.
        if len(by_resource) < self.MAX_REMEMBERED_RESOURCE_SERVICES and (
            key is None or len(key) <= self.MAX_REMEMBERED_ACTION_CHARS  # nor an invented ARN service
        ):
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
    members: dict[tuple[object, ...], list[Applicable]] = {}
    keys: list[tuple[object, ...]] = []
    for st, prefixes, matcher in applicable:
        key = (prefixes, matcher, st.principal_rank, st.is_not_principal, st.is_allow, st.conditions)
        members.setdefault(key, []).append((st, prefixes, matcher))
        keys.append(key)
    group_of: dict[tuple[object, ...], CheckGroup] = {}
    for key, statements in members.items():
        first, prefixes, matcher = statements[0]
        paired = None if len(statements) == 1 else tuple((st, EXACT) for st, _, _ in statements)
        group_of[key] = (prefixes, matcher, first, paired, alone([st for st, _, _ in statements], first.is_allow))
    groups = tuple(group_of.values())
    gate = tuple(prefix for group in groups if group[0] is not None for prefix in group[0])
    # Most plans have no gate, and most groups are one statement each: then the plan holds one
    # tuple of groups, not three.
    ungated = tuple(group for group in groups if group[0] is None) if gate else groups
    layout = groups if len(groups) == len(keys) else tuple(group_of[key] for key in keys)
    return groups, gate, ungated, layout


EMPTY_INDEX = PolicyIndex(())
