"""String condition operators: StringEquals, StringEqualsIgnoreCase, StringLike and their negations.

StringEquals is exact and case-sensitive (`*` is a literal there); IgnoreCase folds case; Like
treats `*` and `?` as wildcards, case-sensitively. Values may hold policy variables. With static
values no matcher answers UNKNOWN, so each operator also offers a plain test (`build_test`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..variables import TemplateGlob, Var, has_vars, parse_template, resolve_text
from ..wildcard import STAR, regex_of_tokens
from .base import (
    MATCH,
    NO_MATCH,
    UNRESOLVED,
    ConditionOperator,
    Context,
    InSet,
    TestValue,
    ValueMatcher,
    no_check,
)


def _identity(text: str) -> str:
    return text


def _static_values(values: tuple[str, ...], variables: bool) -> list[str] | None:
    """The values as literal text, or None when one holds a policy variable."""
    out: list[str] = []
    for value in values:
        template = parse_template(value, variables=variables, wildcards=False)
        if has_vars(template):
            return None
        out.append("".join(template))  # type: ignore[arg-type]
    return out


def _equals_builder(fold: Callable[[str], str]) -> Callable[[tuple[str, ...], bool], ValueMatcher]:
    def build(values: tuple[str, ...], variables: bool) -> ValueMatcher:
        static: set[str] = set()
        dynamic: list[tuple[str | Var, ...]] = []
        for value in values:
            template = parse_template(value, variables=variables, wildcards=False)
            if has_vars(template):
                dynamic.append(template)  # type: ignore[arg-type]
            else:
                static.add(fold("".join(template)))  # type: ignore[arg-type]
        frozen = frozenset(static)

        if not dynamic:

            def match_static(rv: str, _ctx: Context, _missing: list[str] | None) -> int:
                return MATCH if fold(rv) in frozen else NO_MATCH

            return match_static

        def match(rv: str, ctx: Context, missing: list[str] | None) -> int:
            folded = fold(rv)
            if folded in frozen:
                return MATCH
            unresolved = False
            for template in dynamic:
                text = resolve_text(template, ctx, missing)
                if text is None:
                    unresolved = True
                elif fold(text) == folded:
                    return MATCH
            return UNRESOLVED if unresolved else NO_MATCH

        return match

    return build


def build_like(values: tuple[str, ...], variables: bool) -> ValueMatcher:
    static: list[str] = []
    dynamic: list[TemplateGlob] = []
    for value in values:
        template = parse_template(value, variables=variables, wildcards=True)
        if has_vars(template):
            dynamic.append(TemplateGlob(template))
        else:
            static.append(f"(?:{regex_of_tokens(template)})")
    fullmatch = re.compile("|".join(static), re.DOTALL).fullmatch if static else None

    def match(rv: str, ctx: Context, missing: list[str] | None) -> int:
        if fullmatch is not None and fullmatch(rv) is not None:
            return MATCH
        unresolved = False
        for template in dynamic:
            matched = template.match(rv, ctx, missing)
            if matched is None:
                unresolved = True
            elif matched:
                return MATCH
        return UNRESOLVED if unresolved else NO_MATCH

    return match


def _test_equals(values: tuple[str, ...], variables: bool) -> InSet | None:
    static = _static_values(values, variables)
    return None if static is None else InSet(frozenset(static), lower=False)


def _test_equals_ignore_case(values: tuple[str, ...], variables: bool) -> InSet | None:
    static = _static_values(values, variables)
    return None if static is None else InSet(frozenset(v.lower() for v in static), lower=True)


def _test_like(values: tuple[str, ...], variables: bool) -> TestValue | None:
    templates = [parse_template(v, variables=variables, wildcards=True) for v in values]
    if any(has_vars(t) for t in templates):
        return None
    # Exact values (a set), `prefix*` values (`str.startswith`), and the rest (one regex).
    exact: set[str] = set()
    prefixes: list[str] = []
    others: list[str] = []
    for template in templates:
        if all(type(t) is str for t in template):
            exact.add("".join(template))  # type: ignore[arg-type]
        elif template[-1] is STAR and all(type(t) is str for t in template[:-1]):
            prefixes.append("".join(template[:-1]))  # type: ignore[arg-type]
        else:
            others.append(f"(?:{regex_of_tokens(template)})")
    frozen, starts = frozenset(exact), tuple(prefixes)
    fullmatch = re.compile("|".join(others), re.DOTALL).fullmatch if others else None
    if fullmatch is None:
        if not starts:
            return frozen.__contains__
        return lambda rv: rv in frozen or rv.startswith(starts)
    return lambda rv: rv in frozen or rv.startswith(starts) or fullmatch(rv) is not None


_equals = _equals_builder(_identity)
_equals_ignore_case = _equals_builder(str.lower)

OPERATORS = (
    ConditionOperator("StringEquals", "String", False, True, False, no_check, _equals, _test_equals),
    ConditionOperator("StringNotEquals", "String", True, True, False, no_check, _equals, _test_equals),
    ConditionOperator(
        "StringEqualsIgnoreCase",
        "String",
        False,
        True,
        False,
        no_check,
        _equals_ignore_case,
        _test_equals_ignore_case,
    ),
    ConditionOperator(
        "StringNotEqualsIgnoreCase",
        "String",
        True,
        True,
        False,
        no_check,
        _equals_ignore_case,
        _test_equals_ignore_case,
    ),
    ConditionOperator("StringLike", "String", False, True, True, no_check, build_like, _test_like),
    ConditionOperator("StringNotLike", "String", True, True, True, no_check, build_like, _test_like),
)
