"""LookupEvents: CloudTrail's search over the audit records, plus the filters CloudTrail lacks.

CloudTrail allows one lookup attribute; iamd accepts several (all must match) and also filters
by decision, error code and principal ARN. Pages hold 1-50 events, newest first, and the
NextToken is opaque and bound to the parameters it was issued for.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from iamd.projections.audit_index import LOOKUP_KEYS, AuditIndex, IndexEntry
from iamd.service.audit.record import Decoder, render
from iamd.service.domain.errors import FieldProblem, InvalidInputError, ValidationError
from iamd.service.eventstore.port import EventStore


@dataclass(frozen=True)
class LookupQuery:
    attributes: Sequence[tuple[str, str]] = ()
    start_time: str = ""
    end_time: str = ""
    max_results: int = 0
    next_token: str = ""
    decision: str = ""
    error_code: str = ""
    principal_arn: str = ""


@dataclass(frozen=True)
class LookupPage:
    events: list[tuple[IndexEntry, dict[str, Any]]]
    next_token: str


def _fingerprint(q: LookupQuery) -> str:
    params = [sorted(q.attributes), q.start_time, q.end_time, q.decision, q.error_code, q.principal_arn]
    return hashlib.sha256(orjson.dumps(params)).hexdigest()[:16]


def _check(q: LookupQuery) -> int:
    problems = []
    for i, (key, value) in enumerate(q.attributes):
        if key not in LOOKUP_KEYS:
            problems.append(FieldProblem(f"lookupAttributes.{i + 1}.attributeKey",
                                         f"one of {', '.join(LOOKUP_KEYS)}"))
        if not 1 <= len(value) <= 2000:
            problems.append(FieldProblem(f"lookupAttributes.{i + 1}.attributeValue", "1 to 2000 characters"))
    if q.start_time and q.end_time and q.start_time > q.end_time:
        raise InvalidInputError("Start time must be before end time.",
                                problems=[FieldProblem("startTime", "after endTime")])
    max_results = q.max_results or 50
    if not 1 <= max_results <= 50:
        problems.append(FieldProblem("maxResults", "between 1 and 50"))
    if problems:
        raise ValidationError(f"{problems[0].field}: {problems[0].message}", problems=problems)
    return max_results


class AuditLookup:
    def __init__(self, index: AuditIndex, store: EventStore, decode: Decoder,
                 flush: Callable[[], Awaitable[None]] | None = None) -> None:
        self.index = index
        self.store = store
        self.decode = decode  # the stored fact's request/response bytes back into data
        # Commits the records still queued: a command's record is written after its answer (its
        # facts rode in its events), and a lookup must see every call answered before it.
        self.flush = flush

    async def lookup(self, q: LookupQuery) -> LookupPage:
        max_results = _check(q)
        if self.flush is not None:
            await self.flush()
        await self.index.refresh(self.store)  # every record committed so far is searchable
        resume_before: tuple[str, int] | None = None
        if q.next_token:
            try:
                fingerprint, position, time = base64.urlsafe_b64decode(q.next_token.encode()).decode().split(":", 2)
                resume_before = (time, int(position))
            except (ValueError, UnicodeDecodeError):
                raise InvalidInputError("Invalid NextToken.", problems=[FieldProblem("nextToken", "not a token")]) from None
            if fingerprint != _fingerprint(q):
                raise InvalidInputError("NextToken must be used with the same parameters it was issued for.",
                                        problems=[FieldProblem("nextToken", "other parameters")])
        found: list[IndexEntry] = []
        more = False
        for entry in self.index.newest_first(q.start_time, q.end_time):
            # The index is in (time, position) order, not position order: a record rebuilt after a
            # crash lands late in the log with its call's earlier time. Resume by both, or it is lost.
            if resume_before is not None and (entry.event_time, entry.position) >= resume_before:
                continue
            if not self._matches(entry, q):
                continue
            if len(found) == max_results:
                more = True
                break
            found.append(entry)
        token = ""
        if more:
            last = found[-1]
            token = base64.urlsafe_b64encode(f"{_fingerprint(q)}:{last.position}:{last.event_time}".encode()).decode()
        # A record audit retention archived is no longer in its stream: the page goes without it.
        records = [(entry, record) for entry in found if (record := await self._record(entry)) is not None]
        return LookupPage(records, token)

    @staticmethod
    def _matches(entry: IndexEntry, q: LookupQuery) -> bool:
        if any(value not in entry.value_of(key) for key, value in q.attributes):
            return False
        if q.decision and entry.decision != q.decision:
            return False
        if q.error_code and entry.error_code != q.error_code:
            return False
        return not q.principal_arn or entry.principal_arn == q.principal_arn

    async def _record(self, entry: IndexEntry) -> dict[str, Any] | None:
        events = await self.store.read_stream(entry.stream, entry.version, limit=1)
        if not events or events[0].version != entry.version:
            return None
        return render(events[0].data, self.decode)
