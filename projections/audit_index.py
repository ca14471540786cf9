"""The audit index: what LookupEvents searches, built from the audit streams.

It keeps, per record, the attributes CloudTrail's LookupEvents filters on (and the richer ones
iamd adds: decision, error code, principal ARN) plus where the record lives (stream, version);
the full record is read back from the store only for the records a page returns.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from iamd.service.audit.record import REGION, event_source, fact_summary, is_fact, is_read_only_record, resource_entry
from iamd.service.domain.access_advisor import Attempt, PrincipalKey, caller_key, namespace_of_source, principal_key, \
    region_of
from iamd.service.eventstore.port import EventFilter, EventStore, RecordedEvent

AUDIT_STREAMS = EventFilter(stream_prefixes=("audit-",))
# Where audit retention records what it archived (service/audit/retention.py, which imports this
# module: named here rather than imported from there).
RETENTION_STREAM = "auditretention-log"
LOOKUP_KEYS = ("EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName",
               "EventSource", "AccessKeyId")


@dataclass(frozen=True, slots=True)
class IndexEntry:
    position: int
    stream: str
    version: int
    event_time: str
    event_id: str
    event_name: str
    read_only: str  # "true" / "false", as LookupEvents compares it
    username: str
    event_source: str
    access_key_id: str
    resource_types: tuple[str, ...]
    resource_names: tuple[str, ...]
    error_code: str
    decision: str
    principal_arn: str

    def value_of(self, key: str) -> tuple[str, ...]:
        """The entry's values for a LookupEvents attribute key (several for resources)."""
        match key:
            case "ResourceType":
                return self.resource_types
            case "ResourceName":
                return self.resource_names
        return ({"EventId": self.event_id, "EventName": self.event_name, "ReadOnly": self.read_only,
                 "Username": self.username, "EventSource": self.event_source,
                 "AccessKeyId": self.access_key_id}[key],)


def _username(identity: Mapping[str, Any]) -> str:
    kind = identity.get("type")
    if kind == "Root":
        return "root"
    if kind == "IAMUser":
        return str(identity.get("userName", ""))
    if kind == "AssumedRole":
        return str(identity.get("arn", "")).rsplit("/", 1)[-1]  # the role session's name
    return ""


def entry_of(event: RecordedEvent) -> IndexEntry:
    r = event.data
    identity, arns, decision = fact_summary(r)
    resources = [e for arn in arns if (e := resource_entry(arn)) is not None]
    return IndexEntry(
        position=event.position, stream=event.stream, version=event.version, event_time=r["eventTime"],
        event_id=r["eventID"], event_name=r["eventName"], read_only="true" if is_read_only_record(r) else "false",
        username=_username(identity), event_source=event_source(r),
        access_key_id=str(identity.get("accessKeyId", "")),
        resource_types=tuple(x["type"] for x in resources), resource_names=tuple(x["ARN"] for x in resources),
        error_code=str(r.get("errorCode", "")), decision=decision,
        principal_arn=str(identity.get("arn", "")))


class LastAccessed:
    """Per user and role, its latest attempt at each action (access advisor's source): the
    decisions Authorize was asked for about it, and its own calls to iamd. Bounded by principals
    times the actions each tried, whatever the number of records."""

    def __init__(self) -> None:
        self._by_principal: dict[PrincipalKey, dict[str, Attempt]] = {}

    def attempts(self, key: PrincipalKey) -> Mapping[str, Attempt]:
        """Lower-cased action -> (time, region, action as spelled) of a principal's latest attempts."""
        return self._by_principal.get(key, {})

    def note(self, key: PrincipalKey | None, action: str, time: str, region: str) -> None:
        if key is None or ":" not in action:
            return
        seen = self._by_principal.setdefault(key, {})
        lowered = action.lower()
        if lowered not in seen or time >= seen[lowered][0]:
            seen[lowered] = (time, region, action)

    def apply(self, record: Mapping[str, Any]) -> None:
        time = str(record.get("eventTime", ""))
        if is_fact(record):
            decisions = [record["decision"]] if "decision" in record else list(record.get("decisions") or ())
            for d in decisions:  # (decision, principal, action, resource, ...)
                if d[1]:
                    self.note(principal_key(str(d[1])), str(d[2]), time, region_of(str(d[3])))
        else:  # stored whole (before facts, or rebuilt by recovery)
            extra = record.get("additionalEventData") or {}
            for d in ([extra] if "decision" in extra else list(extra.get("decisions") or ())):
                if d.get("principalArn"):
                    self.note(principal_key(str(d["principalArn"])), str(d.get("action", "")), time,
                              region_of(str(d.get("resource", ""))))
        # The caller's own call: its action is the operation of the service it belongs to.
        self.note(caller_key(record.get("userIdentity")),
                  f"{namespace_of_source(event_source(record))}:{record.get('eventName', '')}", time, REGION)


class AuditIndex:
    """Entries in log order (which is time order, since records are written as calls end)."""

    def __init__(self) -> None:
        self.last_accessed = LastAccessed()
        self.entries: list[IndexEntry] = []
        self._times: list[str] = []
        self.position = 0
        self.events_applied = 0
        self._statements = 0  # retention statements applied (the next version of RETENTION_STREAM)
        self._refreshing = asyncio.Lock()  # one refresh at a time: entries are applied in order

    def apply(self, event: RecordedEvent) -> None:
        if event.position <= self.position:
            return
        entry = entry_of(event)
        self.last_accessed.apply(event.data)
        # Records of one commit group can finish out of time order by a hair: keep times sorted.
        at = bisect.bisect_right(self._times, entry.event_time)
        self.entries.insert(at, entry)
        self._times.insert(at, entry.event_time)
        self.position = event.position
        self.events_applied += 1

    async def refresh(self, store: EventStore) -> None:
        """Index what was recorded since the last refresh. Done when a lookup needs it rather than
        as records are written: the Authorize hot path then pays nothing for the index."""
        async with self._refreshing:
            async for event in store.read_all(after=self.position or None, filter=AUDIT_STREAMS):
                self.apply(event)
            # The hours audit retention archived have left the log, and a restart indexes none of
            # their records: their entries go here too, or the index grew with every record ever
            # written and lookups paged through records that are gone. (Access advisor's latest
            # attempts cannot be taken back record by record: they stay until a restart.)
            statements = await store.read_stream(RETENTION_STREAM, from_version=self._statements)
            if statements:
                self._statements = statements[-1].version + 1
                self.forget({str(s) for e in statements for s in e.data.get("streams", ())})

    def forget(self, streams: set[str]) -> None:
        """Drop the entries of these streams (archived: no longer in the log)."""
        if streams and any(entry.stream in streams for entry in self.entries):
            self.entries = [entry for entry in self.entries if entry.stream not in streams]
            self._times = [entry.event_time for entry in self.entries]

    def newest_first(self, start_time: str, end_time: str) -> Iterator[IndexEntry]:
        """Entries with start_time <= eventTime <= end_time, newest first."""
        low = bisect.bisect_left(self._times, start_time) if start_time else 0
        high = bisect.bisect_right(self._times, end_time) if end_time else len(self._times)
        for i in range(high - 1, low - 1, -1):
            yield self.entries[i]

    def to_snapshot(self) -> dict[str, Any]:
        return {"position": self.position, "events_applied": self.events_applied}  # rebuilt from the log
