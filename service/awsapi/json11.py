"""The AWS JSON 1.1 protocol (CloudTrail, Organizations): a JSON body in, a JSON body out, the
operation named by the `X-Amz-Target` header, both driven by botocore's models.

The server-side inverse of botocore's JSON serializer and parser: timestamps travel as epoch
seconds, blobs as base64, member names verbatim; an error is `{"__type": code, "message": ...}`.
Pure: besides loading botocore's bundled model data, no I/O.

Errors for requests the protocol cannot accept (JsonError.field names the member at fault):
`UnknownOperationException` (a target no model has), `SerializationException` (a body that is not
JSON, or a value of the wrong type), `ValidationException` (a member the shape does not have, a
required one absent, a bound exceeded).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from iamd.service.domain.errors import FieldProblem, IamError, InvalidInputError, validation_errors

from . import constraints, models

# botocore's service name -> the X-Amz-Target prefix its model declares.
TARGET_PREFIXES = {"cloudtrail": "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101",
                   "organizations": "AWSOrganizationsV20161128"}
CONTENT_TYPE = "application/x-amz-json-1.1"
MAX_DEPTH = 10
MAX_ITEMS = 1000


class JsonError(Exception):
    def __init__(self, code: str, message: str, field: str = "", parsed: dict[str, Any] | None = None,
                 refusal: IamError | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        # A well-formed input outside the model's min/max: what was read and the service's own
        # refusal, answered once the call has passed the gate (as query.QueryError's).
        self.parsed = parsed
        self.refusal = refusal
        self.field = field


def service_model(service: str) -> ServiceModel:
    if service not in TARGET_PREFIXES:
        raise ValueError(f"no JSON 1.1 service `{service}`: expected one of {sorted(TARGET_PREFIXES)}")
    return models.service_model(service)


def operation_for(target: str) -> tuple[str, OperationModel]:
    """(service, operation) named by an `X-Amz-Target` header such as `…CloudTrail_20131101.LookupEvents`."""
    prefix, _, name = target.rpartition(".")
    for service, expected in TARGET_PREFIXES.items():
        if prefix == expected and name in service_model(service).operation_names:
            return service, service_model(service).operation_model(name)
    raise JsonError("UnknownOperationException", f"Unknown operation {target[:128]}", "X-Amz-Target")


def parse_json(operation: OperationModel, body: bytes) -> dict[str, Any]:
    """The operation's input from the request body (an empty body is `{}`)."""
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: "[[[[..." nested past Python's stack
        raise JsonError("SerializationException", "The request body is not valid JSON") from None
    shape = operation.input_shape
    if shape is None:
        if data not in ({}, None):
            raise JsonError("ValidationException", f"{operation.name} takes no input")
        return {}
    parsed = _read_structure(shape, data, "", 0)
    broken = constraints.violations(shape, parsed)
    if broken:
        refusal = _constraint_error(operation.service_model.service_name, broken)
        raise JsonError("ValidationException", refusal.message, broken[0][0], parsed, refusal)
    return parsed


def _constraint_error(service: str, broken: list[tuple[str, Any, str]]) -> IamError:
    """The service's answer to an input outside the model's min/max: Organizations' InvalidInputException
    with the Reason its model gives for the first violation; CloudTrail's exception for the parameter
    (service_error); AWS's validator's message either way."""
    rule = broken[0][2]
    reason = ""
    if service == "organizations":
        reason = ("INVALID_LIST_MEMBER" if rule.startswith("Member must satisfy constraint")
                  else f"{'MIN' if 'greater' in rule else 'MAX'}_{'VALUE' if ' value ' in rule else 'LENGTH'}_EXCEEDED")
    return InvalidInputError(validation_errors(broken).message, reason=reason,
                             problems=[FieldProblem(path, rule) for path, _, rule in broken])


def _read(shape: Shape, value: Any, path: str, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise JsonError("ValidationException", f"{path} is nested more than {MAX_DEPTH} levels deep", path)
    kind = shape.type_name
    if kind == "structure":
        return _read_structure(shape, value, path, depth + 1)
    if kind == "list":
        _expect(isinstance(value, list), path, "a list")
        if len(value) > MAX_ITEMS:
            raise JsonError("ValidationException", f"{path} has more than {MAX_ITEMS} items", path)
        return [_read(shape.member, item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value)]
    if kind == "map":
        _expect(isinstance(value, dict), path, "an object")
        if len(value) > MAX_ITEMS:
            raise JsonError("ValidationException", f"{path} has more than {MAX_ITEMS} entries", path)
        return {_read(shape.key, k, f"{path}.key", depth + 1): _read(shape.value, v, f"{path}.{k}", depth + 1)
                for k, v in value.items()}
    if kind == "string":
        _expect(isinstance(value, str) and _is_unicode(value), path, "a string")
        return value
    if kind == "boolean":
        _expect(isinstance(value, bool), path, "a boolean")
        return value
    if kind in ("integer", "long"):
        bits = 31 if kind == "integer" else 63
        _expect(isinstance(value, int) and not isinstance(value, bool) and -(2 ** bits) <= value < 2 ** bits, path,
                f"a {bits + 1}-bit integer")
        return value
    if kind in ("float", "double"):
        _expect(isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value), path,
                "a number")
        return float(value)
    if kind == "timestamp":
        return _read_timestamp(value, path)
    if kind == "blob":
        _expect(isinstance(value, str), path, "base64 text")
        try:
            return base64.b64decode(value, validate=True)
        except binascii.Error:
            raise JsonError("SerializationException", f"{path} is not valid base64", path) from None
    raise JsonError("SerializationException", f"{path}: unsupported shape {kind}", path)


def _read_structure(shape: Shape, value: Any, path: str, depth: int) -> dict[str, Any]:
    _expect(isinstance(value, dict), path or "the request body", "an object")
    out: dict[str, Any] = {}
    for name, item in value.items():
        member = shape.members.get(name)
        where = f"{path}.{name}" if path else name
        if member is None:
            raise JsonError("ValidationException", f"Unknown parameter {where[:128]}", where)
        if item is not None:
            out[name] = _read(member, item, where, depth)
    missing = [name for name in shape.required_members if name not in out]
    if missing:
        where = f"{path}.{missing[0]}" if path else missing[0]
        raise JsonError("ValidationException", f"Missing required parameter {where}", where)
    return out


def _read_timestamp(value: Any, path: str) -> datetime:
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return _in_range(datetime.fromtimestamp(value, tz=UTC))
        if isinstance(value, str):
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return _in_range(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    except (OverflowError, OSError, ValueError):
        pass
    raise JsonError("SerializationException", f"{path} is not a timestamp (epoch seconds or ISO 8601)", path)


def _in_range(moment: datetime) -> datetime:
    """A moment every consumer can hold (protobuf's Timestamp: years 1-9999 in UTC)."""
    utc = moment.astimezone(UTC)
    if not 1 <= utc.year <= 9999 or utc.year == 9999 and utc.month == 12 and utc.day == 31 and utc.hour >= 23:
        raise ValueError("out of range")
    return utc


def _is_unicode(text: str) -> bool:
    """No lone surrogates: text that UTF-8 (and so the log and protobuf) can carry."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _expect(ok: bool, path: str, what: str) -> None:
    if not ok:
        raise JsonError("SerializationException", f"{path} must be {what}", path)


def serialize_json(operation: OperationModel, output: Mapping[str, Any]) -> bytes:
    """The response body: the output's members in their JSON forms (an operation without output: `{}`)."""
    shape = operation.output_shape
    return json.dumps(_write(shape, output) if shape is not None else {}, separators=(",", ":")).encode()


def _write(shape: Shape, value: Any) -> Any:
    kind = shape.type_name
    if kind == "structure":
        unknown = set(value) - set(shape.members)
        if unknown:
            raise ValueError(f"{shape.name} has no members {sorted(unknown)}")
        return {name: _write(shape.members[name], item) for name, item in value.items() if item is not None}
    if kind == "list":
        return [_write(shape.member, item) for item in value]
    if kind == "map":
        return {str(k): _write(shape.value, v) for k, v in value.items()}
    if kind == "timestamp":
        if isinstance(value, str):
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return value.timestamp()
    if kind == "blob":
        return base64.b64encode(value).decode()
    return value


def serialize_json_error(code: str, message: str, reason: str = "") -> bytes:
    body = {"__type": code, "message": message}
    if reason:
        body["Reason"] = reason
    return json.dumps(body, separators=(",", ":")).encode()


# Organizations' names for the codes iamd's errors shared with IAM carry (its Organizations
# errors, AccountNotFoundException and the like, are already named as Organizations names them):
# boto3 raises `client.exceptions.<name>` only for names in the service's model.
_ORGANIZATIONS_CODES = {
    "InvalidInput": "InvalidInputException", "ValidationError": "InvalidInputException",
    "AccessDenied": "AccessDeniedException", "Throttling": "TooManyRequestsException",
    "ServiceFailure": "ServiceException", "ServiceUnavailable": "ServiceException",
    "ConcurrentModification": "ConcurrentModificationException",
    "MalformedPolicyDocument": "MalformedPolicyDocumentException",
    # The signature's refusals, as AWS's JSON services name them.
    "InvalidClientTokenId": "UnrecognizedClientException", "SignatureDoesNotMatch": "InvalidSignatureException",
    "ExpiredToken": "ExpiredTokenException",  # AWS's Common Errors: HTTP 403
}
_SERVER_FAULTS = frozenset({"ServiceException", "InternalFailure"})


# CloudTrail's LookupEvents answers a bad parameter with an exception of its own (API reference,
# LookupEvents, Errors), where iamd's use case names the parameter at fault.
_CLOUDTRAIL_BY_FIELD = {"startTime": "InvalidTimeRangeException", "endTime": "InvalidTimeRangeException",
                        "maxResults": "InvalidMaxResultsException", "nextToken": "InvalidNextTokenException",
                        "lookupAttributes": "InvalidLookupAttributesException"}


def service_error(service: str, code: str, reason: str = "", field: str = "") -> tuple[str, str, int | None]:
    """(code, Reason, HTTP status or None for the caller's default) of an iamd error answered by
    `service`: Organizations' exception names, with AWS's Reason where the model's exception has
    one and knows the value, and AWS's status for them. The model gives no status; Organizations'
    API Reference gives every exception of its operations HTTP 400 but ServiceException's 500:
    AccessDeniedException too, unlike IAM's AccessDenied (403), and ConcurrentModificationException
    unlike IAM's ConcurrentModification (409). A code outside the model (a signature's refusal)
    keeps the caller's default. CloudTrail's invalid parameters are its exceptions for `field`."""
    if service == "cloudtrail" and code in ("InvalidInput", "ValidationError"):
        mapped = _CLOUDTRAIL_BY_FIELD.get(field.split(".", 1)[0])
        return (mapped, "", 400) if mapped else (code, "", None)
    if service != "organizations":
        return code, "", None
    code = _ORGANIZATIONS_CODES.get(code, code)
    model = service_model(service)
    shape = next((s for s in model.error_shapes if s.name == code), None)
    reason_shape = shape.members.get("Reason") if shape is not None else None
    if reason_shape is None or reason not in (reason_shape.enum or ()):
        reason = ""
    if shape is None:
        return code, reason, 500 if code in _SERVER_FAULTS else None
    return code, reason, 500 if code in _SERVER_FAULTS else 400
