"""Turns a finished gRPC call into its CloudTrail record and hands it to the audit writer."""

from __future__ import annotations

import dataclasses
import uuid
from contextvars import ContextVar
from typing import Any

from google.protobuf.json_format import MessageToDict

from service.app.authenticate import Caller
from service.app.ports import Clock, iso8601
from service.audit.record import CallFacts, build_record, is_read_only
from service.audit.writer import AuditWriter

_CALLER_FIELDS = dataclasses.fields(Caller)
# Set by a servicer that has more to record than its response shows (Authorize's decision).
AUDIT_EXTRA: ContextVar[dict[str, Any] | None] = ContextVar("audit_extra", default=None)

_RESOURCE_TYPES = {"user": "AWS::IAM::User", "group": "AWS::IAM::Group", "role": "AWS::IAM::Role",
                   "policy": "AWS::IAM::Policy", "mfa": "AWS::IAM::MFADevice", "assumed-role": "AWS::STS::AssumedRole"}


def resource_entry(arn: str) -> dict[str, str] | None:
    """CloudTrail's `resources` entry for an ARN (None for `*`)."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return None
    kind = parts[5].split("/", 1)[0]
    return {"ARN": arn, "accountId": parts[4], "type": _RESOURCE_TYPES.get(kind, "AWS::IAM::Unknown")}


class CallAuditor:
    def __init__(self, writer: AuditWriter, clock: Clock) -> None:
        self.writer = writer
        self.clock = clock

    async def record(self, *, method: str, request: Any, response: Any, error_code: str, error_message: str,
                     caller: Caller | None, request_id: str, source_ip: str, user_agent: str,
                     resources: list[str]) -> None:
        service, _, rpc = method.removeprefix("/iamd.v1.").partition("/")
        entries = [e for arn in dict.fromkeys(resources) if (e := resource_entry(arn)) is not None]
        facts = CallFacts(
            event_id=str(uuid.uuid4()), request_id=request_id, event_time=iso8601(self.clock.now()),
            service=service, rpc=rpc, source_ip=source_ip, user_agent=user_agent,
            # A read-only call's response is not recorded (CloudTrail's rule): don't convert it.
            request=MessageToDict(request),
            response=MessageToDict(response) if response is not None and not is_read_only(rpc) else None,
            error_code=error_code, error_message=error_message,
            # Shallow: the record builder only reads the caller (asdict would deep-copy the session).
            caller={f.name: getattr(caller, f.name) for f in _CALLER_FIELDS} if caller is not None else None,
            resources=entries, additional=AUDIT_EXTRA.get())
        await self.writer.write(build_record(facts))
