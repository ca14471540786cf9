"""One compiled condition `(operator, key, values)` as a closure over the request context.

This is where the semantics shared by every operator live, once:
- a key missing from the context: ForAllValues → true, ForAnyValue → false, IfExists → true,
  negated operators → true, any other → false;
- Null answers from key presence alone;
- several policy values for one key are ORed (negated operators: the request value must
  differ from all of them); a value whose policy variable has no value matches nothing, so
  it never satisfies a positive operator and never stops a negated one;
- ForAllValues: every request value satisfies the operator (true for an empty set);
  ForAnyValue: at least one does;
- a multivalued key used without a set qualifier (AWS: "multivalued context keys require a
  condition set operator") cannot be compared, so the condition does not hold, negated or not.
Keys are compared case-insensitively: they are lower-cased here and in the request.
A condition without a set qualifier whose values hold no policy variable (nearly all of them)
uses the operator's plain test (`build_test`) instead of its three-valued matcher.
"""

from __future__ import annotations

from collections.abc import Callable

from .base import MATCH, NO_MATCH, UNRESOLVED, Context, InSet
from .registry import SET_ALL, SET_ANY, parse_operator

Holds = Callable[[Context, "list[str] | None"], bool]

_POSITIVE_SATISFIED = frozenset({MATCH})
_NEGATED_SATISFIED = frozenset({NO_MATCH, UNRESOLVED})


def compile_condition(
    operator_name: str, key: str, values: tuple[str, ...], *, variables: bool
) -> Holds:
    """Closure `(context, missing) -> bool`; `missing` collects keys the condition lacked."""
    parsed = parse_operator(operator_name)
    op = parsed.operator
    key_l = key.lower()

    if op.build is None:  # Null
        wanted = frozenset(v.lower() == "true" for v in values if v.lower() in ("true", "false"))

        def holds_null(ctx: Context, _missing: list[str] | None) -> bool:
            return (key_l not in ctx) in wanted

        return holds_null

    match = op.build(values, variables and op.allows_variables)
    negated = op.negated
    if_exists = parsed.if_exists
    # A satisfied request value: the positive matcher says MATCH; when negated, NO_MATCH or
    # UNRESOLVED (a value whose variable has no value matches nothing; see base.py).
    want = _NEGATED_SATISFIED if negated else _POSITIVE_SATISFIED
    missing_result = if_exists or negated

    test = None
    if op.build_test is not None and parsed.set_qualifier is None:
        test = op.build_test(values, variables and op.allows_variables)
    satisfied = not negated
    if type(test) is InSet:
        # The most common condition of all: a single value looked up in a set, no call made.
        in_set = test.values

        def holds_in_set(ctx: Context, missing: list[str] | None) -> bool:
            value = ctx.get(key_l)
            if type(value) is str:
                return (value in in_set) == satisfied
            if value is None:
                if missing is not None:
                    missing.append(key_l)
                return missing_result
            return False  # a multivalued key without ForAllValues/ForAnyValue

        def holds_in_set_lower(ctx: Context, missing: list[str] | None) -> bool:
            value = ctx.get(key_l)
            if type(value) is str:
                # The set holds lower-cased values: a value found as it is is lower-case already.
                return (value in in_set or value.lower() in in_set) == satisfied
            if value is None:
                if missing is not None:
                    missing.append(key_l)
                return missing_result
            return False  # a multivalued key without ForAllValues/ForAnyValue

        return holds_in_set_lower if test.lower else holds_in_set
    if test is not None:
        # The common single-valued condition on static values: one predicate, no matcher.

        def holds_test(ctx: Context, missing: list[str] | None) -> bool:
            value = ctx.get(key_l)
            if type(value) is str:
                return test(value) == satisfied
            if value is None:
                if missing is not None:
                    missing.append(key_l)
                return missing_result
            return False  # a multivalued key without ForAllValues/ForAnyValue

        return holds_test

    if parsed.set_qualifier == SET_ALL:

        def holds_all(ctx: Context, missing: list[str] | None) -> bool:
            value = ctx.get(key_l)
            if value is None:
                if missing is not None:
                    missing.append(key_l)
                return True
            if type(value) is str:
                return match(value, ctx, missing) in want
            for item in value:
                if match(item, ctx, missing) not in want:
                    return False
            return True

        return holds_all

    if parsed.set_qualifier == SET_ANY:

        def holds_any(ctx: Context, missing: list[str] | None) -> bool:
            value = ctx.get(key_l)
            if value is None:
                if missing is not None:
                    missing.append(key_l)
                return if_exists
            if type(value) is str:
                return match(value, ctx, missing) in want
            for item in value:
                if match(item, ctx, missing) in want:
                    return True
            return False

        return holds_any

    def holds(ctx: Context, missing: list[str] | None) -> bool:
        value = ctx.get(key_l)
        if value is None:
            if missing is not None:
                missing.append(key_l)
            return missing_result
        if type(value) is str:
            return match(value, ctx, missing) in want
        return False  # a multivalued key without ForAllValues/ForAnyValue

    return holds


__all__ = ["Holds", "compile_condition", "SET_ALL", "SET_ANY"]
