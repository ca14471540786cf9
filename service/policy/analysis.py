"""What one policy type (or one SCP/RCP level) says about a request: the statements that apply,
with the rank of their principal match, and that type's verdict."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .model import Decision, StatementRef
from .principals import ACCOUNT, EVERYONE, EXACT, SESSION_ROLE

if TYPE_CHECKING:
    from .compiler import CompiledStatement

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

    __slots__ = ("allows", "denies", "verdict", "allow_refs", "granted")

    def __init__(
        self,
        allows: Sequence[tuple[CompiledStatement, int]] = (),
        denies: Sequence[tuple[CompiledStatement, int]] = (),
        allow_refs: tuple[StatementRef, ...] | None = None,
    ) -> None:
        self.allows = allows
        self.denies = denies
        # The verdict of a policy type without principals (identity, boundary, session, SCP).
        self.verdict = EXPLICITLY_DENIED if denies else ALLOWED if allows else IMPLICITLY_DENIED
        # The refs of `allows`, when made in advance (see `alone`); None: not made.
        self.allow_refs = allow_refs
        # The decision of a request these identity statements grant on their own, once
        # decision.py has made it (see there); None until then.
        self.granted: Decision | None = None

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
NOTHING = Analysis(allow_refs=())


def alone(statements: Sequence[CompiledStatement], is_allow: bool) -> Analysis:
    """The analysis where only these statements apply, matched with rank EXACT (a policy type
    without principals, or one naming the caller): the same for every such request, so a plan
    makes it once (index.CheckGroup) instead of each decision."""
    paired = tuple((st, EXACT) for st in statements)
    if is_allow:
        return Analysis(paired, (), tuple(st.ref for st in statements))
    return Analysis((), paired)
