"""The one registry of condition operators, keyed by lower-cased name, and operator-name parsing.

A full operator name is `[ForAllValues:|ForAnyValue:]<Base>[IfExists]`. Parsing it once at
compile time yields the base operator plus the qualifiers; unknown names get a
"did you mean" hint from the registry's own spellings.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from . import arn, binary, boolean, date, ipaddress, null, numeric, string
from .base import ConditionOperator

OPERATORS: dict[str, ConditionOperator] = {
    op.name.lower(): op
    for family in (string, numeric, date, boolean, binary, ipaddress, arn, null)
    for op in family.OPERATORS
}

SET_ALL = "ForAllValues"
SET_ANY = "ForAnyValue"
_SET_PREFIXES = {SET_ALL.lower() + ":": SET_ALL, SET_ANY.lower() + ":": SET_ANY}
_IF_EXISTS = "ifexists"


@dataclass(frozen=True, slots=True)
class ParsedOperator:
    """A condition operator name resolved against the registry."""

    operator: ConditionOperator
    set_qualifier: str | None  # SET_ALL, SET_ANY or None
    if_exists: bool


class UnknownOperatorError(ValueError):
    """The name is not a condition operator; `hint` suggests the closest valid spelling."""

    def __init__(self, name: str, message: str, hint: str | None) -> None:
        super().__init__(message)
        self.name = name
        self.hint = hint


def _all_spellings() -> list[str]:
    names: list[str] = []
    for op in OPERATORS.values():
        names.append(op.name)
        if op.family != "Null":
            names.append(op.name + "IfExists")
            for prefix in (SET_ALL, SET_ANY):
                names.append(f"{prefix}:{op.name}")
                names.append(f"{prefix}:{op.name}IfExists")
    return names


_SPELLINGS = _all_spellings()
_SPELLINGS_LOWER = {name.lower(): name for name in _SPELLINGS}


def suggest(name: str) -> str | None:
    """The closest valid operator spelling, for a "did you mean" hint."""
    lowered = name.lower()
    if lowered in _SPELLINGS_LOWER:
        return _SPELLINGS_LOWER[lowered]
    close = difflib.get_close_matches(lowered, list(_SPELLINGS_LOWER), n=1, cutoff=0.75)
    return _SPELLINGS_LOWER[close[0]] if close else None


def parse_operator(name: str) -> ParsedOperator:
    """Resolve a full operator name; raises UnknownOperatorError."""
    lowered = name.lower()
    set_qualifier = None
    for prefix, qualifier in _SET_PREFIXES.items():
        if lowered.startswith(prefix):
            set_qualifier = qualifier
            lowered = lowered[len(prefix) :]
            break
    if_exists = False
    operator = OPERATORS.get(lowered)
    if operator is None and lowered.endswith(_IF_EXISTS):
        operator = OPERATORS.get(lowered[: -len(_IF_EXISTS)])
        if_exists = operator is not None
    if operator is None:
        guess = suggest(name)
        raise UnknownOperatorError(
            name,
            f"Syntax errors in policy: unknown condition operator `{name}`",
            f"did you mean `{guess}`?" if guess else None,
        )
    if operator.family == "Null" and (if_exists or set_qualifier):
        raise UnknownOperatorError(
            name,
            f"Syntax errors in policy: `{name}` is not a condition operator; Null takes no "
            "IfExists suffix and no set qualifier",
            "did you mean `Null`?",
        )
    return ParsedOperator(operator, set_qualifier, if_exists)
