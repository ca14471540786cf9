"""IAM error codes to gRPC statuses (declared in protos/iamd/v1/errors.proto), and the rich details.

Every IamError reaches the caller as its mapped status with a google.rpc.Status carrying an
ErrorInfo (reason = the IAM code, domain = iamd.v1) and, where it helps, BadRequest field
violations, a QuotaFailure, a PreconditionFailure, a ResourceInfo or a RetryInfo.
"""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2, duration_pb2
# Not google.rpc.code_pb2: kurrentdbclient registers its own copy of google.rpc.Code, and
# importing both fails; grpc.StatusCode carries the same numbers.
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from iamd.v1 import errors_pb2
from iamd.service.domain import errors as e

ERROR_DOMAIN = "iamd.v1"

# Each IAM code's gRPC status, as protos/iamd/v1/errors.proto declares it (the one declaration the
# SDK's exception classes derive from too).
STATUS_BY_CODE: dict[str, grpc.StatusCode] = {
    value.GetOptions().Extensions[errors_pb2.iam_code]:
        grpc.StatusCode[value.GetOptions().Extensions[errors_pb2.grpc_status]]
    for value in errors_pb2.ErrorCode.DESCRIPTOR.values if value.number
}
STATUS_BY_ERROR: dict[type[e.IamError], grpc.StatusCode] = {cls: STATUS_BY_CODE[cls.code] for cls in e.ALL_ERRORS}

_RETRY_AFTER = {e.ConcurrentModificationError: 0.1, e.ServiceUnavailableError: 1.0, e.ThrottlingError: 0.1}


def _pack(message: object) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)  # type: ignore[arg-type]
    return packed


def to_grpc_status(error: e.IamError, request_id: str) -> grpc.Status:
    """The status (code, message, packed details) that carries an IamError to the caller."""
    code = STATUS_BY_ERROR[type(error)]
    details = [_pack(error_details_pb2.ErrorInfo(
        reason=error.code, domain=ERROR_DOMAIN,
        metadata={"request_id": request_id, **({"reason": error.reason} if error.reason else {})}))]
    if error.problems:
        details.append(_pack(error_details_pb2.BadRequest(field_violations=[
            error_details_pb2.BadRequest.FieldViolation(
                field=p.field, description=p.message + (f" ({p.hint})" if p.hint else ""))
            for p in error.problems])))
    if error.quota:
        details.append(_pack(error_details_pb2.QuotaFailure(violations=[
            error_details_pb2.QuotaFailure.Violation(subject=error.quota, description=error.message)])))
    if error.blockers:
        details.append(_pack(error_details_pb2.PreconditionFailure(violations=[
            error_details_pb2.PreconditionFailure.Violation(type="DeleteConflict", subject=error.resource_name,
                                                            description=b) for b in error.blockers])))
    if error.resource_type and not error.blockers:
        details.append(_pack(error_details_pb2.ResourceInfo(resource_type=error.resource_type,
                                                            resource_name=error.resource_name)))
    retry = _RETRY_AFTER.get(type(error))
    if retry is not None:
        details.append(_pack(error_details_pb2.RetryInfo(
            retry_delay=duration_pb2.Duration(nanos=int(retry * 1e9) % 1_000_000_000, seconds=int(retry)))))
    status = status_pb2.Status(code=code.value[0], message=error.message, details=details)
    return rpc_status.to_status(status)
