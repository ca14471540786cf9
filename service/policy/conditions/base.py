"""The contract every condition operator fulfils, and the tri-state answer of a value matcher.

An operator is data: its name, family, flags and two functions. `check_value` validates one
literal policy value at write time; `build` turns a condition's policy values into a matcher
`(request_value, context, missing) -> MATCH | NO_MATCH | UNKNOWN` that answers the operator's
*positive* question ("does any policy value match this request value?"). Negated operators
(`StringNotEquals`, `NotIpAddress`, …) reuse the positive matcher and invert it outside,
together with IfExists, ForAllValues/ForAnyValue and missing keys (see `compiled.py`).

UNKNOWN means the comparison could not be made: the request value is not of the operator's type
(a non-numeric value for NumericEquals) or a policy variable in every otherwise-matching value
had no value. UNKNOWN never satisfies a condition, negated or not: AWS documents that a
failed match on a variable without a value makes the statement not apply.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

MATCH = 1
NO_MATCH = 0
UNKNOWN = -1

Context = Mapping[str, "str | tuple[str, ...]"]
ValueMatcher = Callable[[str, Context, "list[str] | None"], int]
TestValue = Callable[[str], bool]


class InSet(NamedTuple):
    """A test that is set membership: the request value (lower-cased when `lower`) is in `values`.

    The most common test (StringEquals, Bool), which `compiled.py` then makes without a call.
    """

    values: frozenset[str]
    lower: bool


@dataclass(frozen=True, slots=True)
class ConditionOperator:
    """One base condition operator (without IfExists or a set qualifier)."""

    name: str
    family: str
    negated: bool
    allows_variables: bool  # policy variables are substituted (String and Arn families only)
    allows_wildcards: bool  # `*` and `?` are wildcards (StringLike, Arn*)
    check_value: Callable[[str], str | None]  # problem with one literal policy value, or None
    build: Callable[[tuple[str, ...], bool], ValueMatcher] | None  # None: handled specially (Null)
    # Optional, for the hot path: `build_test(values, variables)` gives a plain test of the
    # request value (a predicate, or an `InSet`) that is True exactly where `build`'s matcher
    # answers MATCH, or None when the values need the context (they hold policy variables).
    # INVARIANT: offered only by operators whose matcher never answers UNKNOWN for such values,
    # or that are never negated, so that "not MATCH" may be read as NO_MATCH.
    build_test: Callable[[tuple[str, ...], bool], TestValue | InSet | None] | None = None


def no_check(_value: str) -> str | None:
    return None
