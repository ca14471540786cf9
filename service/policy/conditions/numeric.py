"""Numeric condition operators: NumericEquals/NotEquals, LessThan(Equals), GreaterThan(Equals).

Values are integers or decimals. A request value that is not a number never satisfies a
numeric condition, negated or not.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable

from .base import MATCH, NO_MATCH, UNKNOWN, ConditionOperator, Context, ValueMatcher

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def parse_number(text: str) -> int | float | None:
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        return None
    if "." in text:
        return float(text)
    return int(text)


def check_number(text: str) -> str | None:
    if parse_number(text) is None:
        return f"`{text}` is not a number"
    return None


def _builder(compare: Callable[[float, float], bool]) -> Callable[[tuple[str, ...], bool], ValueMatcher]:
    def build(values: tuple[str, ...], _variables: bool) -> ValueMatcher:
        numbers = tuple(n for n in (parse_number(v) for v in values) if n is not None)

        def match(rv: str, _ctx: Context, _missing: list[str] | None) -> int:
            request = parse_number(rv)
            if request is None:
                return UNKNOWN
            for number in numbers:
                if compare(request, number):
                    return MATCH
            return NO_MATCH

        return match

    return build


def _op(name: str, negated: bool, compare: Callable[[float, float], bool]) -> ConditionOperator:
    return ConditionOperator(name, "Numeric", negated, False, False, check_number, _builder(compare))


# The request value is on the left: NumericLessThan means request < policy value.
OPERATORS = (
    _op("NumericEquals", False, operator.eq),
    _op("NumericNotEquals", True, operator.eq),
    _op("NumericLessThan", False, operator.lt),
    _op("NumericLessThanEquals", False, operator.le),
    _op("NumericGreaterThan", False, operator.gt),
    _op("NumericGreaterThanEquals", False, operator.ge),
)
