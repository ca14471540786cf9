"""JSON codec for event payloads with upcasting of old schema versions on read.

Stored events are never rewritten: when an event type's schema changes, register an upcaster
from the old version to the next one and every read returns the newest shape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import orjson

from .errors import CodecError

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class EventCodec:
    """Encodes payloads as JSON bytes and decodes them, upcasting to the newest version."""

    def __init__(self, upcasters: Mapping[tuple[str, int], Upcaster] | None = None) -> None:
        # (event type, from_version) -> function giving the payload at from_version + 1
        self._upcasters = dict(upcasters or {})
        # The types with an upcaster: any other type's payload is just its JSON, which is what
        # a replay's decode loop may read directly (see the sqlite adapter).
        self.upcast_types = frozenset(event_type for event_type, _ in self._upcasters)

    def encode(self, data: Mapping[str, Any]) -> bytes:
        try:
            return orjson.dumps(data, default=_other_mapping)
        except TypeError as e:
            raise CodecError(f"event payload is not JSON-compatible: {e}") from e

    def decode(self, event_type: str, schema_version: int, raw: bytes) -> tuple[dict[str, Any], int]:
        """Return (payload, schema version) after applying every registered upcaster in turn."""
        try:
            data = orjson.loads(raw) if raw else {}
        except orjson.JSONDecodeError as e:
            raise CodecError(f"event `{event_type}` has a payload that is not JSON: {e}") from e
        version = schema_version
        while (upcast := self._upcasters.get((event_type, version))) is not None:
            data = upcast(data)
            version += 1
        return data, version


def _other_mapping(value: Any) -> dict[str, Any]:
    """orjson encodes dicts itself; other Mappings (a read event's LazyMetadata) as their dict."""
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")
