"""PolicyIndex: the statements of several compiled policies, bucketed by action service prefix.

Built once per principal (or per resource, per organisation level) and reused for many
decisions. A decision for `sqs:SendMessage` scans only statements whose Action can name an
`sqs:` action plus those that can match any service (`*`, `s*:Get*`, every NotAction).
The statements whose Action/NotAction matches a given action are also remembered per action
(a bounded memo), since matching an action depends on nothing but the action.
"""

from __future__ import annotations

from collections.abc import Iterable

from .compiler import CompiledPolicy, CompiledStatement


class PolicyIndex:
    """Statements of a set of policies, indexed by the service prefixes their actions match."""

    __slots__ = ("policies", "_by_service", "_any_service", "statement_count", "_by_action")

    # Distinct actions remembered per index; AWS has about 17,000 actions in all.
    MAX_REMEMBERED_ACTIONS = 4096

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

    def __len__(self) -> int:
        return len(self.policies)

    def __repr__(self) -> str:
        return f"PolicyIndex({len(self.policies)} policies, {self.statement_count} statements)"


EMPTY_INDEX = PolicyIndex(())
