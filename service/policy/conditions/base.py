"""The contract every condition operator fulfils, and the tri-state answer of a value matcher.

An operator is data: its name, family, flags and two functions. `check_value` validates one
literal policy value at write time; `build` turns a condition's policy values into a matcher
`(request_value, context, missing) -> MATCH | NO_MATCH | UNKNOWN | UNRESOLVED` that answers the operator's
*positive* question ("does any policy value match this request value?"). Negated operators
(`StringNotEquals`, `NotIpAddress`, …) reuse the positive matcher and invert it outside,
together with IfExists, ForAllValues/ForAnyValue and missing keys (see `compiled.py`).

UNKNOWN means the comparison could not be made: the request value is not of the operator's type
(a non-numeric value for NumericEquals, a non-ARN for ArnLike). It never satisfies a condition,
negated or not.

UNRESOLVED means no policy value matched and at least one could not be compared because a policy
variable in it has no value in the request (and no default). Such a value matches nothing, so a
positive operator does not hold, and a negated one holds as it does for a value that does not
match: the documented rule for negated operators ("If the policy condition requires that the key
is not matched, such as StringNotLike or ArnNotLike, ... the condition is true", IAM User Guide,
"IAM JSON policy elements: Condition operators").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

MATCH = 1
NO_MATCH = 0
UNKNOWN = -1
UNRESOLVED = -2

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
