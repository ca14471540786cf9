"""PolicyIndex: the statements of several compiled policies, bucketed by action service prefix.

Built once per principal (or per resource, per organisation level) and reused for many
decisions. A decision for `sqs:SendMessage` scans only statements whose Action can name an
`sqs:` action plus those that can match any service (`*`, `s*:Get*`, every NotAction).
"""

from __future__ import annotations

from collections.abc import Iterable

from .compiler import CompiledPolicy, CompiledStatement


class PolicyIndex:
    """Statements of a set of policies, indexed by the service prefixes their actions match."""

    __slots__ = ("policies", "_by_service", "_any_service", "statement_count")

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

    def candidates(self, service: str) -> tuple[CompiledStatement, ...]:
        """Statements that can match an action of `service` (lower-cased prefix)."""
        return self._by_service.get(service, self._any_service)

    def __len__(self) -> int:
        return len(self.policies)

    def __repr__(self) -> str:
        return f"PolicyIndex({len(self.policies)} policies, {self.statement_count} statements)"


EMPTY_INDEX = PolicyIndex(())
