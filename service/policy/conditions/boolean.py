"""The Bool condition operator: `true`/`false`, case-insensitive."""

from __future__ import annotations

from .base import MATCH, NO_MATCH, UNKNOWN, ConditionOperator, Context, InSet, ValueMatcher

_BOOLEANS = frozenset({"true", "false"})


def check_bool(text: str) -> str | None:
    if text.lower() not in _BOOLEANS:
        return f"`{text}` is not a boolean (`true` or `false`)"
    return None


def build_bool(values: tuple[str, ...], _variables: bool) -> ValueMatcher:
    wanted = frozenset(v.lower() for v in values) & _BOOLEANS

    def match(rv: str, _ctx: Context, _missing: list[str] | None) -> int:
        folded = rv.lower()
        if folded not in _BOOLEANS:
            return UNKNOWN
        return MATCH if folded in wanted else NO_MATCH

    return match


def test_bool(values: tuple[str, ...], _variables: bool) -> InSet:
    # Bool is never negated, so a non-boolean request value (UNKNOWN) may read as no match.
    return InSet(frozenset(v.lower() for v in values) & _BOOLEANS, lower=True)


OPERATORS = (
    ConditionOperator("Bool", "Bool", False, False, False, check_bool, build_bool, test_bool),
)
