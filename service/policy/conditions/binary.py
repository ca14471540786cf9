"""The BinaryEquals condition operator: base-64 values compared as the bytes they encode."""

from __future__ import annotations

import base64
import binascii

from .base import MATCH, NO_MATCH, ConditionOperator, Context, ValueMatcher


def _decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def check_base64(text: str) -> str | None:
    if _decode(text) is None:
        return f"`{text}` is not base-64 encoded"
    return None


def build_binary(values: tuple[str, ...], _variables: bool) -> ValueMatcher:
    wanted = frozenset(d for d in (_decode(v) for v in values) if d is not None)
    raw = frozenset(values)

    def match(rv: str, _ctx: Context, _missing: list[str] | None) -> int:
        if rv in raw:
            return MATCH
        decoded = _decode(rv)
        return MATCH if decoded is not None and decoded in wanted else NO_MATCH

    return match


OPERATORS = (
    ConditionOperator("BinaryEquals", "Binary", False, False, False, check_base64, build_binary),
)
