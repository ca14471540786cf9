"""Condition operators: one registry of operator data (`registry.OPERATORS`) and the compiler
that turns `(operator, key, values)` into a closure over the request context."""

from .base import MATCH, NO_MATCH, UNKNOWN, ConditionOperator
from .compiled import Holds, compile_condition
from .registry import (
    OPERATORS,
    SET_ALL,
    SET_ANY,
    ParsedOperator,
    UnknownOperatorError,
    parse_operator,
    suggest,
)

__all__ = [
    "MATCH",
    "NO_MATCH",
    "UNKNOWN",
    "OPERATORS",
    "SET_ALL",
    "SET_ANY",
    "ConditionOperator",
    "Holds",
    "ParsedOperator",
    "UnknownOperatorError",
    "compile_condition",
    "parse_operator",
    "suggest",
]
