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
    try:
        moment = datetime.fromisoformat(f"{text}-01" if year_month else text)
    except ValueError:
        return _legacy_date(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


# IAM's own (legacy) reading of a date accepts more than ISO 8601's strict form: a year of up to
# nine digits, optional month and day, `t` in any case, an hour without its leading zero, a `+HH`
# offset (`2016-12-13t2:00:00.593194+23`, `01T`, `-292275054`): documents AWS stores, so iamd
# must read them. The pattern is the grammar observed from AWS's answers.
_LEGACY_DATE = re.compile(
    r"(?P<year>-?\d{1,9})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?"
    r"(?:[tT](?P<hour>\d{1,2})?(?::(?P<minute>\d{1,2})(?::(?P<second>\d{1,2})(?:\.(?P<fraction>\d{1,9}))?"
    r"(?:(?P<z>[zZ])|\+(?P<tzh>\d{2})(?::(?P<tzm>\d{2}))?)?)?)?)?"
)
_YEAR_RANGE = (-292275054, 292278993)


def _month_days(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 in the proleptic Gregorian calendar, for any year."""
    year -= month <= 2
    era = year // 400  # Python's // rounds down already (the C original adjusts negative years)
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _legacy_date(text: str) -> float | None:
    m = _LEGACY_DATE.fullmatch(text)
    if m is None or not ("t" in text.lower() or "-" in text):
        return None
    year = int(m["year"])
    month, day = int(m["month"] or 1), int(m["day"] or 1)
    hour, minute, second = int(m["hour"] or 0), int(m["minute"] or 0), int(m["second"] or 0)
    tz_hours, tz_minutes = int(m["tzh"] or 0), int(m["tzm"] or 0)
    if not (_YEAR_RANGE[0] <= year <= _YEAR_RANGE[1] and 1 <= month <= 12 and 1 <= day <= _month_days(year, month)
            and hour <= 23 and minute <= 59 and second <= 59 and tz_hours <= 23 and tz_minutes <= 59):
        return None
    fraction = float("0." + m["fraction"]) if m["fraction"] else 0.0
    days = _days_from_civil(year, month, day)
    return days * 86400 + hour * 3600 + minute * 60 + second + fraction - (tz_hours * 3600 + tz_minutes * 60)


_MAX_EPOCH = 2**63 - 1  # AWS refuses epoch seconds beyond a signed 64-bit integer


def check_date(text: str) -> str | None:
    if text.isdigit() and int(text) > _MAX_EPOCH:
        return f"`{text}` is beyond the largest epoch time AWS accepts"
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
