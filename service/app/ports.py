"""Ports the use cases depend on, besides the event store: time, ids and the caller's identity."""

from __future__ import annotations

import base64
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from iamd.service.eventstore.port import new_id


class Clock(Protocol):
    def now(self) -> datetime: ...


class IdFactory(Protocol):
    def unique_id(self, prefix: str) -> str:
        """An AWS-style unique id: the 4-letter prefix (AIDA, AGPA, AROA, ANPA...) and 17 characters."""
        ...

    def request_id(self) -> str: ...

    def access_key_id(self, prefix: str = "AKIA") -> str:
        """`AKIA` (long-term) or `ASIA` (temporary) and 16 characters: 20 in all, as AWS."""
        ...

    def secret(self) -> str:
        """A 40-character secret access key."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _random_text(length: int) -> str:
    """`length` characters of _ID_ALPHABET, uniformly, from one read of the CSPRNG (not one per
    character): bytes beyond the largest multiple of the alphabet's size are rejected."""
    size = len(_ID_ALPHABET)
    limit = 256 - 256 % size
    out: list[str] = []
    while len(out) < length:
        out += [_ID_ALPHABET[b % size] for b in secrets.token_bytes(length * 2) if b < limit]
    return "".join(out[:length])


class RandomIds:
    """Unpredictable ids from the OS's CSPRNG."""

    def unique_id(self, prefix: str) -> str:
        return prefix + _random_text(17)

    def request_id(self) -> str:
        return new_id()

    def access_key_id(self, prefix: str = "AKIA") -> str:
        return prefix + _random_text(16)

    def secret(self) -> str:
        return base64.b64encode(secrets.token_bytes(30)).decode()


_last_iso8601: tuple[int, str] = (0, "1970-01-01T00:00:00Z")  # (Unix second, its text)


def iso8601(moment: datetime) -> str:
    """`2026-11-22T10:00:00Z`, the timestamp form of IAM responses and of our events.

    Every call's audit record asks for it: formatting costs more than a decision, so the last
    second's text is kept (one tuple, replaced whole: safe between threads)."""
    global _last_iso8601
    second = math.floor(moment.timestamp())
    last = _last_iso8601
    if last[0] == second:
        return last[1]
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    _last_iso8601 = (second, text)
    return text


class AuditCarrier:
    """A call's audit fact (its event id, caller and redacted request), carried in the metadata of
    the events the call appends: the call's record is then committed with its events, in the same
    append, and a crash before the rendered record is stored leaves it rebuildable from them."""

    __slots__ = ("fact", "committed")

    def __init__(self, fact: Mapping[str, Any]) -> None:
        self.fact = fact
        self.committed = False  # an append carrying the fact was committed


@dataclass(frozen=True, slots=True)
class CallContext:
    """Who is calling and on which request: goes into every event's metadata."""

    request_id: str
    account_id: str
    actor_arn: str
    source_ip: str = ""
    user_agent: str = ""
    operation: str = ""  # the API call (CreateUser, ...): lets a lost audit record be rebuilt
    audit: AuditCarrier | None = None

    def metadata(self, time: str) -> dict[str, Any]:
        metadata: dict[str, Any] = {"request_id": self.request_id, "actor": self.actor_arn,
                                    "source_ip": self.source_ip, "user_agent": self.user_agent, "time": time,
                                    "operation": self.operation}
        if self.audit is not None:
            metadata["audit"] = self.audit.fact
        return metadata

    def committed(self) -> None:
        """An append with this context's metadata was committed (its audit fact with it)."""
        if self.audit is not None:
            self.audit.committed = True
