"""The `min`/`max` constraints of botocore's shapes, as AWS's validator checks them before an
operation runs: a string's, blob's, list's or map's length, a number's value. Both codecs (Query,
JSON 1.1) check them, because iamd's RPCs cannot tell a zero or an empty string that was sent from
a member left out (proto3 has no presence). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from botocore.model import Shape

from iamd.service.audit.record import SECRET_FIELDS
from iamd.service.domain.errors import WITHHELD

_NUMBERS = ("integer", "long", "float", "double")


def violated(shape: Shape, value: Any) -> str:
    """AWS's rule that `value` breaks of its shape's `min`/`max`, or ""."""
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is None and high is None or isinstance(value, (bool, datetime)):
        return ""
    measure, size = ("value", value) if isinstance(value, (int, float)) else ("length", len(value))
    if low is not None and size < low:
        return f"Member must have {measure} greater than or equal to {low}"
    if high is not None and size > high:
        return f"Member must have {measure} less than or equal to {high}"
    return ""


def list_rule(item: Shape) -> str:
    """AWS's rule for a list whose items break their bounds: one violation of the list, naming
    every bound of the item shape (max, then min)."""
    measure = "value" if item.type_name in _NUMBERS else "length"
    rules = []
    if item.metadata.get("max") is not None:
        rules.append(f"Member must have {measure} less than or equal to {item.metadata['max']}")
    if item.metadata.get("min") is not None:
        rules.append(f"Member must have {measure} greater than or equal to {item.metadata['min']}")
    return f"Member must satisfy constraint: [{', '.join(rules)}]"


def is_secret(shape: Shape, member_name: str) -> bool:
    """Whether a message must not repeat a member's value: the model marks it sensitive, or iamd
    keeps it out of audit records (an MFA code the model does not mark: TokenCode, ...)."""
    return bool(shape.metadata.get("sensitive")) or member_name[:1].lower() + member_name[1:] in SECRET_FIELDS


def violations(shape: Shape, value: Any, path: str = "") -> list[tuple[str, Any, str]]:
    """Every (path as AWS's validator names it, value or WITHHELD, rule) that a parsed input breaks,
    in the order of its members: `tags.1.member.key`."""
    found: list[tuple[str, Any, str]] = []
    _walk(shape, value, path, path.rsplit(".", 1)[-1], found)
    return found


def _walk(shape: Shape, value: Any, path: str, name: str, found: list[tuple[str, Any, str]]) -> None:
    rule = violated(shape, value)
    if rule:
        found.append((path, WITHHELD if is_secret(shape, name) else value, rule))
    kind = shape.type_name
    if kind == "structure" and isinstance(value, Mapping):
        for member, member_shape in shape.members.items():
            if member in value:
                child = member[:1].lower() + member[1:]
                _walk(member_shape, value[member], f"{path}.{child}" if path else child, member, found)
    elif kind == "list" and isinstance(value, list):
        item = shape.member
        if item.type_name in ("structure", "list", "map"):
            for i, element in enumerate(value, 1):
                _walk(item, element, f"{path}.{i}.member", name, found)
        elif any(violated(item, element) for element in value):
            found.append((path, WITHHELD if is_secret(item, name) else value, list_rule(item)))
