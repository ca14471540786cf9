"""No mutating call without its record, even across a crash between the two writes.

A command's events are appended first and its audit record right after. If the process dies in
between, the events carry what the record needs (request id, operation, actor, source, time):
at start, every recent identity event whose request has no record gets one rebuilt from them,
marked with CloudTrail's `addendum` (reason SERVICE_OUTAGE), before iamd serves again. When the
store refuses them (its disk is full), iamd starts anyway and keeps retrying them in the
background: their facts are safe in the events' metadata, and a start that fails on a full disk
would lock out even the reads that need no space.

A graceful stop runs the same recovery after its last call and marks its final digest
(RECORDS_COMPLETE, through the log's head that recovery saw): a start that finds that digest at
the end of the log, with no identity event after that head, has nothing to recover and reads nothing more (a restart after a busy hour would otherwise read its last minute of
records back).

Only the log's tail is read, since a crash can only orphan the calls in flight when it happened:
the identity events newest first, back to the last RECENT_EVENTS of them or IN_FLIGHT before the
newest one; then the audit records from there on, only until every one of those calls has been
found (records land right after their call's events, so that is a few records past the newest
call, unless one really is missing). A start reads a few thousand events, not the whole log.
"""

from __future__ import annotations

import asyncio
import uuid
from contextlib import aclosing
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import structlog

from iamd.projections.audit_index import AUDIT_STREAMS
from iamd.projections.identity import IDENTITY_STREAMS
from iamd.service.eventstore.errors import EventStoreUnavailable
from iamd.service.eventstore.port import EventStore, RecordedEvent

from .digest import DIGEST_TYPE
from .record import EVENT_SOURCES, EVENT_VERSION, REGION, call_fact
from .writer import AuditWriter

log = structlog.get_logger(__name__)

RECENT_EVENTS = 10_000  # a crash can only orphan the calls in flight: the log's tail
# How long before the newest command a call may still have been in flight when the process died
# (its events committed, its record not yet): far longer than a call's audit record ever waits.
IN_FLIGHT = timedelta(minutes=1)


RETRY_FIRST, RETRY_MOST = 0.5, 30.0  # seconds between attempts while the store refuses them


class Recovery(NamedTuple):
    rebuilt: int  # records written
    refused: list[dict[str, Any]]  # rebuilt records the store refused, for `write_refused_later`


# Set in the final digest of a graceful stop that recovered every record before it (see stopped_complete),
# with the log's head when that recovery looked: it vouches for the calls committed up to there only.
RECORDS_COMPLETE = "callRecordsComplete"
RECORDS_COMPLETE_THROUGH = "callRecordsCompleteThrough"


async def log_head(store: EventStore) -> int:
    """The position of the log's last event (0: the log is empty)."""
    async with aclosing(store.read_all_backwards(limit=1)) as tail:
        async for last in tail:
            return last.position
    return 0


async def stopped_complete(store: EventStore) -> bool:
    """Whether the log ends with the final digest of a graceful stop that left no call without its
    record: nothing was appended since (by this process or any other), and no identity event after
    the head its recovery saw (another replica sharing the log may have committed a call's events
    in between and died before its record; a digest without that head vouches for nothing)."""
    async with aclosing(store.read_all_backwards(limit=1)) as tail:
        last = None
        async for last in tail:
            break
    if last is None or last.type != DIGEST_TYPE:
        return False
    digest = last.data.get("digest") or {}
    through = digest.get(RECORDS_COMPLETE_THROUGH)
    if digest.get(RECORDS_COMPLETE) is not True or isinstance(through, bool) or not isinstance(through, int):
        return False
    # Only what was appended after that head is read (a few records), never back through the log.
    async with aclosing(store.read_all(after=through, filter=IDENTITY_STREAMS, limit=1)) as calls:
        async for _ in calls:
            return False  # committed after the stop's recovery looked: it vouched for nothing of it
    return True


async def recover_missing_records(store: EventStore, writer: AuditWriter) -> Recovery:
    """Write the records of recent identity events whose calls left none."""
    records = [_rebuilt(request_id, event) for request_id, event in (await _missing(store)).items()]
    for i, record in enumerate(records):
        try:
            await writer.write(record)
        except EventStoreUnavailable as e:
            log.error("audit_record_rebuild_deferred", pending=len(records) - i, reason=str(e))
            return Recovery(i, records[i:])
        log.warning("audit_record_rebuilt", request_id=record["requestID"], operation=record["eventName"])
    return Recovery(len(records), [])


async def write_refused_later(writer: AuditWriter, records: list[dict[str, Any]]) -> None:
    """Retry the rebuilt records the store refused at start until it takes them (run as a task)."""
    delay = RETRY_FIRST
    while records:
        await asyncio.sleep(delay)
        try:
            await writer.write(records[0])
        except EventStoreUnavailable:
            delay = min(delay * 2, RETRY_MOST)
            continue
        log.warning("audit_record_rebuilt", request_id=records[0]["requestID"], operation=records[0]["eventName"])
        records.pop(0)
        delay = RETRY_FIRST


async def _missing(store: EventStore) -> dict[str, RecordedEvent]:
    """The recent calls whose records are missing, each by its first event, oldest first."""
    orphans, scan_after = await _recent_calls(store)
    if orphans:
        # Calls of hours audit retention archived have their records in the archive, not the log.
        from .retention import archived_before  # a cycle at import time otherwise

        cutoff = _time_of(await archived_before(store))
        if cutoff is not None:
            orphans = {request_id: event for request_id, event in orphans.items()
                       if (_time_of(event.metadata.get("time")) or cutoff) >= cutoff}
    if not orphans:
        return orphans
    # Their records, if written, come after the events (or in the same commit): read the audit
    # streams from just before the oldest of them, and no further than the last one found.
    async with aclosing(store.read_all(after=scan_after, filter=AUDIT_STREAMS)) as records:
        async for record in records:
            if orphans.pop(str(record.data.get("requestID", "")), None) is not None and not orphans:
                break
    return orphans


async def _recent_calls(store: EventStore) -> tuple[dict[str, RecordedEvent], int | None]:
    """The calls of the log's tail that may lack a record, each by its first event, oldest call
    first; and the position of the identity event before them (None: they start the log)."""
    calls: dict[str, RecordedEvent] = {}  # newest first while reading backwards
    newest: datetime | None = None
    read = 0
    before_them: int | None = None
    async with aclosing(store.read_all_backwards(filter=IDENTITY_STREAMS)) as tail:
        async for event in tail:
            metadata = event.metadata
            moment = _time_of(metadata.get("time"))
            if read >= RECENT_EVENTS or (newest is not None and moment is not None and moment < newest - IN_FLIGHT):
                before_them = event.position
                break
            read += 1
            request_id = str(metadata.get("request_id", ""))
            if request_id and metadata.get("operation") and moment is not None:
                newest = newest or moment
                calls[request_id] = event  # read backwards: the last one kept is the call's first event
    return dict(reversed(calls.items())), before_them


def _time_of(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


_STS_OPERATIONS = ("AssumeRole", "GetSessionToken", "GetFederationToken", "AssumeRoot", "GetScopedCredentials")


def _rebuilt(request_id: str, event: RecordedEvent) -> dict[str, Any]:
    m = event.metadata
    addendum = {"reason": "SERVICE_OUTAGE", "updatedFields": None, "originalRequestID": request_id,
                "originalEventID": None}
    carried = m.get("audit")
    if isinstance(carried, dict) and carried.get("eventID"):
        # The call's fact rode in its events: the record is whole but for the response.
        fact = call_fact(event_id=carried["eventID"], request_id=request_id, event_time=str(m.get("time", "")),
                         service=carried["service"], rpc=str(m.get("operation", "")),
                         source_ip=str(m.get("source_ip", "")), user_agent=str(m.get("user_agent", "")),
                         user_identity=carried.get("userIdentity"), request=carried.get("request", ""),
                         event_name=str(carried.get("eventName", "")))
        fact["addendum"] = {**addendum, "originalEventID": carried["eventID"]}
        return fact
    actor = str(m.get("actor", ""))
    account_id = actor.split(":")[4] if actor.count(":") >= 5 else ""
    kind = ("Root" if actor.endswith(":root") else "AssumedRole" if ":assumed-role/" in actor
            else "FederatedUser" if ":federated-user/" in actor else "IAMUser")
    operation = str(m.get("operation", ""))
    return {
        "eventVersion": EVENT_VERSION,
        "userIdentity": {"type": kind, "arn": actor, "accountId": account_id},
        "eventTime": str(m.get("time", "")),
        "eventSource": EVENT_SOURCES["SecurityTokenService" if operation in _STS_OPERATIONS else "IdentityService"],
        "eventName": operation,
        "awsRegion": REGION,
        "sourceIPAddress": str(m.get("source_ip", "")),
        "userAgent": str(m.get("user_agent", "")),
        "requestParameters": None,
        "responseElements": None,
        "requestID": request_id,
        "eventID": str(uuid.uuid4()),
        "readOnly": False,
        "resources": [],
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "eventCategory": "Management",
        "recipientAccountId": account_id,
        # The call took effect (its events are in the log) but its record was lost with the process.
        "addendum": {"reason": "SERVICE_OUTAGE", "updatedFields": None, "originalRequestID": request_id,
                     "originalEventID": None},
    }
