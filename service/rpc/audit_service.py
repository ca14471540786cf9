"""AuditService: LookupEvents over the audit index."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import orjson
from google.protobuf.timestamp_pb2 import Timestamp

from iamd.v1 import audit_pb2, audit_pb2_grpc
from iamd.projections.identity import IDENTITY_STREAMS, IdentityProjection
from iamd.service.app.audit import AuditLookup, LookupQuery
from iamd.service.app.authorize import AuthorizeQuery
from iamd.service.app.history import AsOf, TimeTravel, entity_history, shown
from iamd.service.domain.errors import FieldProblem, InvalidInputError, NoSuchEntityError
from iamd.service.eventstore.errors import InvalidPosition
from iamd.service.eventstore.port import EventStore
from iamd.service.audit.digest import SIGNATURE_ALGORITHM, ValidationReport
from iamd.service.audit.digester import Digester, iso, read_audit_entries, read_digests
from iamd.service.audit.record import render

from . import convert
from .caller import CallerResolver


MAX_PAGE_BYTES = 3 * 1024 * 1024  # of GetAuditRecords' records, below gRPC's default 4 MB message limit


def _time(ts: Timestamp, field: str = "time") -> str:
    return convert.time_in(ts, field)


def _identity_event(e: dict) -> audit_pb2.IdentityEvent:
    return audit_pb2.IdentityEvent(position=e["position"], stream=e.get("stream", ""), version=e["version"],
                                   type=e["type"], time=e["time"], actor=e["actor"], request_id=e["request_id"],
                                   data_json=orjson.dumps(e["data"]).decode())


def _context_back(recorded: dict) -> dict[str, str | list[str]]:
    """An Authorize record's requestContext back into context values."""
    return {k: (list(v.get("values", [])) if v.get("multivalued") else (v.get("values") or [""])[0])
            for k, v in recorded.items()}


class AuditServicer(audit_pb2_grpc.AuditServiceServicer):
    def __init__(self, lookup: AuditLookup, digester: Digester, store: EventStore, time_travel: TimeTravel,
                 projection: IdentityProjection, caller: CallerResolver) -> None:
        self.lookup = lookup
        self.digester = digester
        self.store = store
        self.time_travel = time_travel
        self.projection = projection
        self.caller = caller

    async def GetEntityHistory(self, r: audit_pb2.GetEntityHistoryRequest,
                               context: grpc.aio.ServicerContext) -> audit_pb2.GetEntityHistoryResponse:
        kind, name = convert.entity_ref(r.target)
        history = await entity_history(self.store, self.caller(context).account_id, kind, name)
        return audit_pb2.GetEntityHistoryResponse(events=[_identity_event(e) for e in history])

    async def WatchIdentityEvents(self, r: audit_pb2.WatchIdentityEventsRequest,
                                  context: grpc.aio.ServicerContext) -> AsyncIterator[audit_pb2.IdentityEvent]:
        async for e in _positioned(self.store.subscribe_all(after=r.after_position or None, filter=IDENTITY_STREAMS),
                                   "afterPosition"):
            yield audit_pb2.IdentityEvent(
                position=e.position, stream=e.stream, version=e.version, type=e.type,
                time=str(e.metadata.get("time", "")), actor=str(e.metadata.get("actor", "")),
                request_id=str(e.metadata.get("request_id", "")),
                data_json=orjson.dumps(shown(e.data)).decode())

    async def CheckReplay(self, r: audit_pb2.CheckReplayRequest,
                          context: grpc.aio.ServicerContext) -> audit_pb2.CheckReplayResponse:
        equal, position, differences = await self.time_travel.replay_matches_live(self.projection)
        return audit_pb2.CheckReplayResponse(equal=equal, position=position, differences=differences)

    async def ExplainEvent(self, r: audit_pb2.ExplainEventRequest,
                           context: grpc.aio.ServicerContext) -> audit_pb2.ExplainEventResponse:
        page = await self.lookup.lookup(LookupQuery(attributes=[("EventId", r.event_id)], max_results=1))
        if not page.events:
            raise NoSuchEntityError(f"no audit record with event id {r.event_id}", resource_type="audit record",
                                    resource_name=r.event_id)
        _, record = page.events[0]
        extra = record.get("additionalEventData") or {}
        if record["eventName"] != "Authorize" or not extra.get("principalArn"):
            raise InvalidInputError("only Authorize decisions about a principal named by ARN can be re-evaluated",
                                    problems=[FieldProblem("eventId", "not such a decision")])
        # Re-decided on the state at the recorded position, at the moment it was decided at: the
        # as_of time asked for (the live decision's clock was stopped there), else the record's time.
        asked = ((record.get("requestParameters") or {}).get("asOf") or {}).get("time")
        past = await self.time_travel.authorizer_at(AsOf(position=int(extra["evaluatedAtPosition"])),
                                                    moment=asked if isinstance(asked, str) and asked
                                                    else record["eventTime"])
        outcome = past.authorize_now(AuthorizeQuery(principal_arn=extra["principalArn"], action=extra["action"],
                                                    resource=extra["resource"],
                                                    context=_context_back(extra.get("requestContext") or {})))
        return audit_pb2.ExplainEventResponse(recorded_decision=str(extra.get("decision", "")),
                                              reevaluated=convert.decision(outcome.decision, outcome.position, True),
                                              cloud_trail_event=orjson.dumps(record).decode())

    async def GetDigestPublicKey(self, r: audit_pb2.GetDigestPublicKeyRequest,
                                 context: grpc.aio.ServicerContext) -> audit_pb2.GetDigestPublicKeyResponse:
        key, witness = self.digester.key, self.digester.witness()
        return audit_pb2.GetDigestPublicKeyResponse(
            public_key_pem=key.public_pem, fingerprint=key.fingerprint, algorithm=SIGNATURE_ALGORITHM,
            digest_interval_seconds=self.digester.interval, server_time=iso(self.digester.clock.now()),
            last_written_digest_json=orjson.dumps(witness).decode() if witness else "",
            committed_since_last_digest=self.digester.committed_since_last_digest())

    async def CreateDigest(self, r: audit_pb2.CreateDigestRequest,
                           context: grpc.aio.ServicerContext) -> audit_pb2.CreateDigestResponse:
        digest = (await self.digester.write_digest())["digest"]
        return audit_pb2.CreateDigestResponse(digest_id=digest["digestId"], records=len(digest["records"]),
                                              end_position=digest["digestEndPosition"])

    async def ListDigests(self, r: audit_pb2.ListDigestsRequest,
                          context: grpc.aio.ServicerContext) -> audit_pb2.ListDigestsResponse:
        limit = r.max_results if 0 < r.max_results <= 1000 else 100
        chain = (await read_digests(self.store))[max(0, r.after_index):]
        page, size = [], 0
        for entry in chain[:limit]:
            text = orjson.dumps(entry).decode()
            if page and size + len(text) > _PAGE_BYTES:
                break
            page.append(text)
            size += len(text)
        more = len(page) < len(chain)
        return audit_pb2.ListDigestsResponse(digest_json=page,
                                             next_index=max(0, r.after_index) + len(page) if more else 0)

    async def GetAuditRecords(self, r: audit_pb2.GetAuditRecordsRequest,
                               context: grpc.aio.ServicerContext) -> audit_pb2.GetAuditRecordsResponse:
        limit = r.max_results if 0 < r.max_results <= 1000 else 1000
        page: list[audit_pb2.AuditRecordEntry] = []
        next_position = 0
        if self.lookup.flush is not None:
            await self.lookup.flush()  # every call answered before this one is in the log
        try:
            entries = await read_audit_entries(self.store, after=r.after_position or None,
                                               up_to=r.up_to_position or None, limit=limit + 1)
        except InvalidPosition as e:
            raise _position_refused(e, "afterPosition") from None
        size = 0
        for entry in entries[:limit]:
            stored = orjson.dumps(dict(entry.data)).decode()
            shown = orjson.dumps(render(entry.data, self.lookup.decode)).decode()
            if page and size + len(stored) + len(shown) > MAX_PAGE_BYTES:
                break  # a page any client accepts (gRPC's default limit is 4 MB): the rest on the next
            size += len(stored) + len(shown)
            page.append(audit_pb2.AuditRecordEntry(position=entry.position, event_id=entry.event_id,
                                                   record_json=stored, cloud_trail_event=shown))
        if len(entries) > len(page):
            next_position = page[-1].position
        return audit_pb2.GetAuditRecordsResponse(records=page, next_position=next_position)

    async def ValidateAuditTrail(self, r: audit_pb2.ValidateAuditTrailRequest,
                                 context: grpc.aio.ServicerContext) -> audit_pb2.ValidateAuditTrailResponse:
        report = await self.digester.validate(_time(r.start_time, "startTime") if r.HasField("start_time") else "",
                                              _time(r.end_time, "endTime") if r.HasField("end_time") else "",
                                              public_pem=r.public_key_pem)
        return validation_response(report, key_pinned=bool(r.public_key_pem))

    async def LookupEvents(self, r: audit_pb2.LookupEventsRequest,
                           context: grpc.aio.ServicerContext) -> audit_pb2.LookupEventsResponse:
        page = await self.lookup.lookup(LookupQuery(
            attributes=[(a.attribute_key, a.attribute_value) for a in r.lookup_attributes],
            start_time=_time(r.start_time, "startTime") if r.HasField("start_time") else "",
            end_time=_time(r.end_time, "endTime") if r.HasField("end_time") else "",
            max_results=r.max_results, next_token=r.next_token, decision=r.decision, error_code=r.error_code,
            principal_arn=r.principal_arn))
        return audit_pb2.LookupEventsResponse(events=[
            audit_pb2.Event(event_id=e.event_id, event_name=e.event_name, read_only=e.read_only,
                            access_key_id=e.access_key_id, event_time=convert.timestamp(e.event_time),
                            event_source=e.event_source, username=e.username,
                            resources=[audit_pb2.EventResource(resource_type=t, resource_name=n)
                                       for t, n in zip(e.resource_types, e.resource_names)],
                            cloud_trail_event=orjson.dumps(record).decode())
            for e, record in page.events], next_token=page.next_token)


_PAGE_BYTES = 2 * 1024 * 1024


def validation_response(report: ValidationReport, *, key_pinned: bool) -> audit_pb2.ValidateAuditTrailResponse:
    return audit_pb2.ValidateAuditTrailResponse(
        valid=report.ok, valid_digests=report.valid_digests, valid_records=report.valid_records,
        modified_event_ids=report.modified, deleted_event_ids=report.deleted,
        inserted_event_ids=report.inserted, invalid_digest_ids=report.digests_invalid,
        missing_digest_ids=report.digests_missing,
        valid_ranges=[audit_pb2.TimeRange(oldest_event_time=a, newest_event_time=b) for a, b in report.valid_ranges],
        not_yet_covered=report.uncovered, status=report.status, backdated_event_ids=report.backdated,
        overdue_event_ids=report.overdue, late_event_ids=report.late, problems=report.problems, notes=report.notes,
        newest_digest_time=report.newest_digest_time, digest_interval_seconds=report.interval,
        trusted_key_fingerprints=report.trusted_fingerprints, key_pinned=key_pinned)


def _position_refused(error: InvalidPosition, member: str) -> InvalidInputError:
    return InvalidInputError(f"{member} {error.position} is not a position of the log: use one a write, "
                             "a read or an event returned", problems=[FieldProblem(member, "not a position of the log")])


async def _positioned(events: AsyncIterator[Any], member: str) -> AsyncIterator[Any]:
    """`events`, a position the store refuses answered InvalidInput naming `member`."""
    try:
        async for event in events:
            yield event
    except InvalidPosition as e:
        raise _position_refused(e, member) from None
