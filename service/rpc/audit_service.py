"""AuditService: LookupEvents over the audit index."""

from __future__ import annotations

from datetime import UTC

import grpc
import orjson
from google.protobuf.timestamp_pb2 import Timestamp

from protos.iamd.v1 import audit_pb2, audit_pb2_grpc
from service.app.audit import AuditLookup, LookupQuery
from service.app.ports import iso8601
from service.audit.digest import SIGNATURE_ALGORITHM
from service.audit.digester import Digester

from . import convert


def _time(ts: Timestamp) -> str:
    return iso8601(ts.ToDatetime(tzinfo=UTC))


class AuditServicer(audit_pb2_grpc.AuditServiceServicer):
    def __init__(self, lookup: AuditLookup, digester: Digester) -> None:
        self.lookup = lookup
        self.digester = digester

    async def GetDigestPublicKey(self, r: audit_pb2.GetDigestPublicKeyRequest,
                                 context: grpc.aio.ServicerContext) -> audit_pb2.GetDigestPublicKeyResponse:
        key = self.digester.key
        return audit_pb2.GetDigestPublicKeyResponse(public_key_pem=key.public_pem, fingerprint=key.fingerprint,
                                                    algorithm=SIGNATURE_ALGORITHM)

    async def CreateDigest(self, r: audit_pb2.CreateDigestRequest,
                           context: grpc.aio.ServicerContext) -> audit_pb2.CreateDigestResponse:
        digest = (await self.digester.write_digest())["digest"]
        return audit_pb2.CreateDigestResponse(digest_id=digest["digestId"], records=len(digest["records"]),
                                              end_position=digest["digestEndPosition"])

    async def ValidateAuditTrail(self, r: audit_pb2.ValidateAuditTrailRequest,
                                 context: grpc.aio.ServicerContext) -> audit_pb2.ValidateAuditTrailResponse:
        report = await self.digester.validate(_time(r.start_time) if r.HasField("start_time") else "",
                                              _time(r.end_time) if r.HasField("end_time") else "")
        return audit_pb2.ValidateAuditTrailResponse(
            valid=report.ok, valid_digests=report.valid_digests, valid_records=report.valid_records,
            modified_event_ids=report.modified, deleted_event_ids=report.deleted,
            inserted_event_ids=report.inserted, invalid_digest_ids=report.digests_invalid,
            missing_digest_ids=report.digests_missing,
            valid_ranges=[audit_pb2.TimeRange(oldest_event_time=a, newest_event_time=b) for a, b in report.valid_ranges],
            not_yet_covered=report.uncovered)

    async def LookupEvents(self, r: audit_pb2.LookupEventsRequest,
                           context: grpc.aio.ServicerContext) -> audit_pb2.LookupEventsResponse:
        page = await self.lookup.lookup(LookupQuery(
            attributes=[(a.attribute_key, a.attribute_value) for a in r.lookup_attributes],
            start_time=_time(r.start_time) if r.HasField("start_time") else "",
            end_time=_time(r.end_time) if r.HasField("end_time") else "",
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
