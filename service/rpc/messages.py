"""The iamd.v1 methods as data: message classes by RPC name, and stored message bytes back into
the plain data CloudTrail records show. Protobuf only (no gRPC): iamctl renders exports with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from google.protobuf import descriptor as pb_descriptor
from google.protobuf import message as pb_message
from google.protobuf import message_factory
from google.protobuf.json_format import MessageToDict

# The largest request each RPC accepts, from AWS's quotas: an IAM call carries at most a 10 KB
# policy document and 50 tags; Authorize an inline resource policy (S3's 20 KB) and a forwarded
# signed request; a batch up to 1,000 of those. Past it: InvalidInput, before anything is parsed.
DEFAULT_MAX_REQUEST_BYTES = 64 * 1024
# ValidatePolicy carries one document of any policy type: the largest AWS stores (a KMS key
# policy's 32 KB) with room for JSON escapes; its findings are answered 1,000 at most a page.
MAX_REQUEST_BYTES = {"Authorize": 256 * 1024, "SimulateCustomPolicy": 256 * 1024,
                     "SimulatePrincipalPolicy": 256 * 1024, "AuthorizeBatch": 4 * 1024 * 1024,
                     "GetContextKeysForCustomPolicy": 256 * 1024, "GetContextKeysForPrincipalPolicy": 256 * 1024,
                     "ValidatePolicy": 64 * 1024}


class Method:
    """One iamd.v1 RPC: its path, message classes and the servicer's behavior."""

    __slots__ = ("path", "service", "rpc", "request_class", "response_class", "streaming", "max_request_bytes")

    def __init__(self, service: pb_descriptor.ServiceDescriptor, method: pb_descriptor.MethodDescriptor) -> None:
        self.path = f"/{service.full_name}/{method.name}"
        self.service = service.name
        self.rpc = method.name
        self.request_class = message_factory.GetMessageClass(method.input_type)
        self.response_class = message_factory.GetMessageClass(method.output_type)
        self.streaming = method.server_streaming
        self.max_request_bytes = MAX_REQUEST_BYTES.get(method.name, DEFAULT_MAX_REQUEST_BYTES)


class MessageDecoder:
    """Renders stored request/response bytes back into CloudTrail-style data, by RPC name."""

    def __init__(self, services: Iterable[pb_descriptor.ServiceDescriptor]) -> None:
        self._methods = {m.name: Method(s, m) for s in services for m in s.methods}

    def __call__(self, rpc: str, part: str, data: bytes, event_name: str = "") -> dict[str, Any]:
        """The data of a stored request or response; for a call that is an AWS operation
        (`event_name`), in AWS's member names and shapes as CloudTrail shows them."""
        method = self._methods.get(rpc)
        if method is None:
            return {}
        cls = method.request_class if part == "request" else method.response_class
        try:
            message = cls.FromString(data)
            aws = _aws_shaped(rpc, event_name, part, message) if event_name else None
            return aws if aws is not None else MessageToDict(message)
        # A record too short to decode, or a value JSON cannot show (a Timestamp out of range):
        # say so, keep the rest of the record.
        except Exception:  # noqa: BLE001 — json_format wraps what it cannot show in its own errors
            return {"undecodable": True, "size": len(data)}


def _aws_shaped(rpc: str, event_name: str, part: str, message: pb_message.Message) -> dict[str, Any] | None:
    """CloudTrail's requestParameters / responseElements of an AWS operation, from botocore's model."""
    from iamd.service.awsapi.operations import OPERATIONS_BY_RPC_AND_NAME, from_request, lower_camel, to_output
    from iamd.service.awsapi.models import service_model

    op = OPERATIONS_BY_RPC_AND_NAME.get((rpc, event_name))
    if op is None:
        return None
    model = service_model(op.service).operation_model(op.name)
    if part == "request":
        return lower_camel(from_request(op, message, model.input_shape))
    if op.output is not None:  # assembled from the request too: shown as iamd has it
        return None
    return lower_camel(to_output(op, {}, message, model.output_shape))


def iamd_services() -> tuple[pb_descriptor.ServiceDescriptor, ...]:
    """Every iamd.v1 service, from the generated descriptors."""
    from iamd.v1 import audit_pb2, authorization_pb2, identity_pb2, organizations_pb2, sts_pb2

    return tuple(service for module in (identity_pb2, authorization_pb2, sts_pb2, audit_pb2, organizations_pb2)
                 for service in module.DESCRIPTOR.services_by_name.values())
