"""No mutating call without its record, even across a crash between the two writes.

A command's events are appended first and its audit record right after. If the process dies in
between, the events carry what the record needs (request id, operation, actor, source, time):
at start, every recent identity event whose request has no record gets one rebuilt from them,
marked with CloudTrail's `addendum` (reason SERVICE_OUTAGE), before iamd serves again.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import structlog

from projections.identity import IDENTITY_STREAMS
from service.eventstore.port import EventStore, RecordedEvent

from .record import EVENT_SOURCES, EVENT_VERSION, REGION
from .writer import AuditWriter, partition_stream

log = structlog.get_logger(__name__)

RECENT_EVENTS = 10_000  # a crash can only orphan the calls in flight: the log's tail


async def recover_missing_records(store: EventStore, writer: AuditWriter) -> int:
    """Write the records of recent identity events whose calls left none; returns how many."""
    tail: list[RecordedEvent] = []
    async for event in store.read_all(filter=IDENTITY_STREAMS):
        tail.append(event)
        if len(tail) > RECENT_EVENTS:
            tail.pop(0)
    orphans: dict[str, RecordedEvent] = {}
    for event in tail:
        request_id = str(event.metadata.get("request_id", ""))
        if request_id and event.metadata.get("operation") and event.metadata.get("time") and request_id not in orphans:
            orphans[request_id] = event
    if not orphans:
        return 0
    # A call's record lands in the hour partition of its end time: the event's hour or the next.
    hours = set()
    for event in orphans.values():
        moment = datetime.fromisoformat(str(event.metadata.get("time", "")).replace("Z", "+00:00"))
        hours |= {moment, moment + timedelta(hours=1)}
    for hour in hours:
        for record in await store.read_stream(partition_stream(hour.strftime("%Y-%m-%dT%H"))):
            orphans.pop(str(record.data.get("requestID", "")), None)
    for request_id, event in orphans.items():
        await writer.write(_rebuilt(request_id, event))
        log.warning("audit_record_rebuilt", request_id=request_id, operation=event.metadata.get("operation"))
    return len(orphans)


_STS_OPERATIONS = ("AssumeRole", "GetSessionToken", "GetFederationToken")


def _rebuilt(request_id: str, event: RecordedEvent) -> dict[str, Any]:
    m = event.metadata
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
