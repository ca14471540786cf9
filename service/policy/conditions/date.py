"""Date condition operators: DateEquals/NotEquals, DateLessThan(Equals), DateGreaterThan(Equals).

Both sides may be W3C ISO 8601 dates (`2024-06-01`, `2024-06-01T12:00:00Z`, with fractions or an
offset) or epoch seconds (`1717243200`), as AWS documents; they are compared as instants.
A date without a time zone is taken as UTC.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import datetime, timezone

from .base import MATCH, NO_MATCH, UNKNOWN, ConditionOperator, Context, ValueMatcher

_EPOCH = re.compile(r"-?\d+(?:\.\d+)?")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_date(text: str) -> float | None:
    """Seconds since the epoch, or None when the text is not a date."""
    text = text.strip()
    if _EPOCH.fullmatch(text):
        return float(text)
    year_month = _YEAR_MONTH.fullmatch(text)
    if year_month:
        text = f"{text}-01"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def check_date(text: str) -> str | None:
    if parse_date(text) is None:
        return f"`{text}` is not an ISO 8601 date or epoch time"
    return None


def _builder(compare: Callable[[float, float], bool]) -> Callable[[tuple[str, ...], bool], ValueMatcher]:
    def build(values: tuple[str, ...], _variables: bool) -> ValueMatcher:
        instants = tuple(d for d in (parse_date(v) for v in values) if d is not None)

        def match(rv: str, _ctx: Context, _missing: list[str] | None) -> int:
            request = parse_date(rv)
            if request is None:
                return UNKNOWN
            for instant in instants:
                if compare(request, instant):
                    return MATCH
            return NO_MATCH

        return match

    return build


def _op(name: str, negated: bool, compare: Callable[[float, float], bool]) -> ConditionOperator:
    return ConditionOperator(name, "Date", negated, False, False, check_date, _builder(compare))


# The request value is on the left: DateLessThan means request < policy value.
OPERATORS = (
    _op("DateEquals", False, operator.eq),
    _op("DateNotEquals", True, operator.eq),
    _op("DateLessThan", False, operator.lt),
    _op("DateLessThanEquals", False, operator.le),
    _op("DateGreaterThan", False, operator.gt),
    _op("DateGreaterThanEquals", False, operator.ge),
)
