"""The AWS Query protocol (IAM and STS): form fields in, XML out, both driven by botocore's models.

The server-side inverse of botocore's ``QuerySerializer`` (requests) and ``QueryParser``
(responses): ``parse_query`` reads ``Action=…&Version=…&Tags.member.1.Key=…`` fields into the
operation's input dict, ``serialize_result`` and ``serialize_error`` write the XML that boto3,
the AWS CLI and every other SDK parse. No operation is hand-coded: each walk follows the shapes
of botocore's bundled ``service-2`` model. Pure: besides loading that model data, no I/O.

Error codes for requests the protocol cannot accept (QueryError.field names the parameter):

| code                      | when                                                              |
|---------------------------|-------------------------------------------------------------------|
| ``MissingAction``         | no ``Action``                                                     |
| ``InvalidAction``         | unknown ``Action``, or ``Version`` missing or not the service's   |
| ``InvalidQueryParameter`` | a name the input shape does not have; a malformed list/map name   |
| ``InvalidParameterValue`` | not a boolean/integer/timestamp/base64 value; a bound exceeded    |
| ``ValidationError``       | required members absent (AWS's "Value null at 'userName' …"), or  |
|                           | a value outside its shape's ``min``/``max`` (length or value)     |

``Action``, ``Version`` and SigV4 query fields (``X-Amz-*``) are not part of the input.
"""

from __future__ import annotations

import base64
import binascii
import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, NoReturn
from urllib.parse import quote

from botocore.model import OperationModel, ServiceModel, Shape

from iamd.service.domain.errors import WITHHELD, IamError, validation_errors

from . import constraints, models

SERVICES: dict[str, tuple[str, str]] = {
    "iam": ("2010-05-08", "https://iam.amazonaws.com/doc/2010-05-08/"),
    "sts": ("2011-06-15", "https://sts.amazonaws.com/doc/2011-06-15/"),
}

MAX_FIELDS = 2000  # form fields per request
MAX_ITEMS = 1000  # items per list or entries per map
MAX_DEPTH = 10  # lists, maps and structures nested below the input structure

# Strings of these shapes leave IAM URL-encoded; botocore's `json_decode_policies` handler
# (registered for `after-call.iam`) unquotes and json-loads exactly this shape name.
URL_ENCODED_SHAPES = frozenset({"policyDocumentType"})

# Form fields that belong to the protocol or to request signing, not to the operation's input:
# a presigned or GET request carries its SigV4 fields (X-Amz-Signature, …) among the others.
_PROTOCOL_FIELDS = frozenset({"Action", "Version"})
_SIGNING_PREFIX = "x-amz-"

# HTTP status of the errors every Query service may return (AWS "Common Errors" pages, IAM's
# current list for ExpiredTokenException). Errors a model declares take precedence.
COMMON_ERROR_STATUS: dict[str, int] = {
    "AccessDenied": 403,
    "AccessDeniedException": 403,
    "ExpiredToken": 403,  # a session's expired token, as IAM and STS answer it (their Query code)
    "ExpiredTokenException": 403,
    "IncompleteSignature": 400,
    "InternalFailure": 500,
    "InvalidAction": 400,
    "InvalidClientTokenId": 403,
    "InvalidParameterCombination": 400,
    "InvalidParameterValue": 400,
    "InvalidQueryParameter": 400,
    "MalformedQueryString": 404,
    "MissingAction": 400,
    "MissingAuthenticationToken": 403,
    "MissingParameter": 400,
    "NotAuthorized": 400,
    "OptInRequired": 403,
    "RequestEntityTooLarge": 413,  # iamd's: a body past the endpoint's bound
    "RequestExpired": 400,
    "ServiceFailure": 500,
    "ServiceUnavailable": 503,
    "SignatureDoesNotMatch": 403,
    "Throttling": 400,
    "ThrottlingException": 400,
    "ValidationError": 400,
}

_INT_RANGE = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
_INTEGER = re.compile(r"-?[0-9]+")
_FLOAT = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|-?Infinity|NaN")
_INDEX = re.compile(r"[1-9][0-9]*")  # canonical, so `member.01` cannot alias `member.1`
# Characters XML 1.0 cannot carry at all, not even as character references.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SHOWN = 64  # characters of a rejected value echoed back in a message


class QueryError(Exception):
    """A request the protocol cannot accept. code is an AWS error code, field the parameter at fault."""

    def __init__(self, code: str, message: str, field: str = "", parsed: dict[str, Any] | None = None,
                 refusal: IamError | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        # A well-formed input outside the model's constraints: what was read (the violating values
        # included) and the refusal to answer once the call has passed the gate (authenticated and
        # audited as any call is); None for a request that is not well formed.
        self.parsed = parsed
        self.refusal = refusal


# --- models ---------------------------------------------------------------------------------


@functools.cache
def service_model(service: str) -> ServiceModel:
    """botocore's bundled model of `service` ("iam" or "sts")."""
    if service not in SERVICES:
        raise ValueError(f"no Query service `{service}`: expected one of {sorted(SERVICES)}")
    return models.service_model(service)


def operation_for(service: str, params: Mapping[str, str]) -> OperationModel:
    """The operation named by params["Action"], for the service's one API version."""
    model = service_model(service)
    action = params.get("Action")
    if not action:
        raise QueryError("MissingAction", "The request must contain the parameter Action", "Action")
    version = params.get("Version") or "NO_VERSION_SPECIFIED"
    # AWS answers both an unknown action and a wrong version with this one message.
    unknown = QueryError("InvalidAction", f"Could not find operation {_shown(action)} for version {_shown(version)}")
    if action not in model.operation_names:
        unknown.field = "Action"
        raise unknown
    if version != SERVICES[service][0]:
        unknown.field = "Version"
        raise unknown
    return model.operation_model(action)


@functools.cache
def _error_statuses(service: str) -> dict[str, int]:
    """Error code -> HTTP status from the model's error shapes, under both code and shape name."""
    statuses: dict[str, int] = {}
    for shape in service_model(service).error_shapes:
        error = shape.metadata.get("error", {})
        status = error.get("httpStatusCode", 400)
        statuses[shape.name] = status
        statuses[error.get("code", shape.name)] = status
    return statuses


def error_status(service: str, code: str) -> int:
    """The HTTP status AWS sends with error `code`: the model's, else the common errors', else 400."""
    return _error_statuses(service).get(code, COMMON_ERROR_STATUS.get(code, 400))


# --- requests: form fields -> input dict ----------------------------------------------------


@dataclass
class _Field:
    """One segment of the dotted field names: the value sent at exactly this name, and the names below."""

    value: str | None = None
    children: dict[str, _Field] = field(default_factory=dict)


def parse_query(operation: OperationModel, params: Mapping[str, str]) -> dict[str, Any]:
    """The operation's input, by the member names of its input shape, from the flat form fields."""
    if len(params) > MAX_FIELDS:
        raise _invalid("", f"The request has {len(params)} parameters; at most {MAX_FIELDS} are allowed")
    root = _Field()
    for name, value in params.items():
        if name in _PROTOCOL_FIELDS or name.lower().startswith(_SIGNING_PREFIX):
            continue
        node = root
        for segment in name.split("."):
            node = node.children.setdefault(segment, _Field())
        node.value = value
    reader = _Reader()
    shape = operation.input_shape
    if shape is None:
        if root.children:
            _reject_children(root, "")
        return {}
    parsed = reader.read_structure(shape, root, "", 0)
    if reader.violations:
        refusal = validation_errors([(_validation_path(path), value, rule) for path, value, rule in reader.violations])
        raise QueryError("ValidationError", refusal.message, reader.violations[0][0], parsed, refusal)
    return parsed


class _Reader:
    """Walks an input shape and the field tree together; collects, in the order of the walk, the
    constraints AWS's validator checks before the operation: absent required members, and values
    outside their shape's `min`/`max`. Those are checked here because the operation behind cannot
    tell an empty string or a zero that was sent from a member left out (proto3 has no presence)."""

    def __init__(self) -> None:
        self.violations: list[tuple[str, Any, str]] = []  # (wire path, value or None, rule)

    def read(self, shape: Shape, node: _Field, path: str, depth: int) -> Any:
        value = self._read_unchecked(shape, node, path, depth)
        rule = constraints.violated(shape, value)
        if rule:
            self.violations.append((path, WITHHELD if _secret(shape, path) else value, rule))
        return value

    def _read_unchecked(self, shape: Shape, node: _Field, path: str, depth: int) -> Any:
        kind = shape.type_name
        if kind in ("structure", "list", "map"):
            if depth >= MAX_DEPTH:
                raise _invalid(path, f"Parameter {path} is nested more than {MAX_DEPTH} levels deep")
            return getattr(self, f"read_{kind}")(shape, node, path, depth + 1)
        return _scalar(shape, node, path)

    def read_structure(self, shape: Shape, node: _Field, path: str, depth: int) -> dict[str, Any]:
        if node.value is not None:
            raise _malformed(path, f"Parameter {path} is a structure: send its members as {path}.Member")
        wire_names = {member.serialization.get("name", name): name for name, member in shape.members.items()}
        for wire in node.children:
            if wire not in wire_names:
                raise _malformed(_join(path, wire), f"Unknown parameter {_shown(_join(path, wire))}")
        parsed = {}
        for wire, name in wire_names.items():
            if wire in node.children:
                parsed[name] = self.read(shape.members[name], node.children[wire], _join(path, wire), depth)
            elif name in shape.required_members:
                self.violations.append((_join(path, wire), None, "Member must not be null"))
        if shape.is_tagged_union and len(parsed) != 1:
            raise _invalid(path, f"Parameter {path} must set exactly one of {', '.join(wire_names)}")
        return parsed

    def read_list(self, shape: Shape, node: _Field, path: str, depth: int) -> list[Any]:
        if _is_empty_container(node, path, "list", "member.N"):
            return []
        item_name = shape.member.serialization.get("name", "member")
        member = shape.member
        items = [self._read_unchecked(member, item, item_path, depth) for item_path, item in _items(node, item_name, path)]
        # AWS's validator tells a list whose items break their bounds as one violation of the list,
        # naming every bound of the item shape: "Member must satisfy constraint: [RULE, RULE]".
        if any(constraints.violated(member, item) for item in items):
            shown = WITHHELD if _secret(member, path) else items
            self.violations.append((path, shown, constraints.list_rule(member)))
        return items

    def read_map(self, shape: Shape, node: _Field, path: str, depth: int) -> dict[Any, Any]:
        if _is_empty_container(node, path, "map", "entry.N.key and .value"):
            return {}
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        parsed: dict[Any, Any] = {}
        for entry_path, entry in _items(node, "entry", path):
            if entry.value is not None or set(entry.children) != {key_name, value_name}:
                raise _malformed(entry_path, f"Parameter {entry_path} must have exactly .{key_name} and .{value_name}")
            key = self.read(shape.key, entry.children[key_name], f"{entry_path}.{key_name}", depth)
            if key in parsed:
                raise _invalid(entry_path, f"Parameter {path} repeats the key {_shown(str(key))}")
            parsed[key] = self.read(shape.value, entry.children[value_name], f"{entry_path}.{value_name}", depth)
        return parsed


def _is_empty_container(node: _Field, path: str, kind: str, form: str) -> bool:
    """True for the empty form `Name=`; raises if a list or map was given any other value."""
    if node.value is None:
        return False
    if node.value == "" and not node.children:
        return True
    raise _malformed(path, f"Parameter {path} is a {kind}: send it as {path}.{form}, or empty as {path}=")


def _items(node: _Field, item_name: str, path: str) -> list[tuple[str, _Field]]:
    """The numbered children under `path.item_name`, in order; indices must run 1..n without gaps."""
    for name in node.children:
        if name != item_name:
            raise _malformed(_join(path, name), f"Unknown parameter {_shown(_join(path, name))}")
    holder, holder_path = node.children[item_name], f"{path}.{item_name}"
    if holder.value is not None:
        raise _malformed(holder_path, f"Parameter {holder_path} needs an index, as in {holder_path}.1")
    by_index: dict[int, _Field] = {}
    for index, item in holder.children.items():
        if not _INDEX.fullmatch(index):
            message = f"Index {_shown(index)} of {holder_path} is not a positive integer"
            raise _malformed(f"{holder_path}.{index}", message)
        if len(index) > len(str(MAX_ITEMS)) or int(index) > MAX_ITEMS:  # length first: int() of 5000 digits fails
            raise _invalid(f"{holder_path}.{index}", f"Parameter {path} has more than {MAX_ITEMS} items")
        by_index[int(index)] = item
    count = len(by_index)
    for index in range(1, count + 1):
        if index not in by_index:
            message = f"Parameter {holder_path}.{index} is missing: indices must run from 1 without gaps"
            raise _malformed(f"{holder_path}.{index}", message)
    return [(f"{holder_path}.{index}", by_index[index]) for index in range(1, count + 1)]


def _scalar(shape: Shape, node: _Field, path: str) -> Any:
    if node.value is None or node.children:  # deeper names were sent, as in `UserName.x=1`
        _reject_children(node, path)
    decode = _SCALAR_READERS.get(shape.type_name)
    if decode is None:
        raise TypeError(f"{shape.name}: the Query codec has no reader for type {shape.type_name}")
    try:
        return decode(shape, node.value)
    except ValueError as e:
        raise _invalid(path, f"Value {_shown(node.value)!r} for parameter {path} is invalid: {e}") from None


def _reject_children(node: _Field, path: str) -> NoReturn:
    name = _join(path, next(iter(node.children)))
    raise _malformed(name, f"Unknown parameter {_shown(name)}")


def _read_boolean(shape: Shape, text: str) -> bool:
    if text not in ("true", "false"):
        raise ValueError("expected true or false")
    return text == "true"


def _read_integer(shape: Shape, text: str) -> int:
    low, high = _INT_RANGE.get(shape.type_name, _INT_RANGE["long"])
    if not _INTEGER.fullmatch(text):
        raise ValueError("expected an integer")
    if len(text.lstrip("-")) > len(str(high)) or not low <= int(text) <= high:
        raise ValueError(f"expected an integer from {low} to {high}")
    return int(text)


def _read_float(shape: Shape, text: str) -> float:
    if not _FLOAT.fullmatch(text):
        raise ValueError("expected a number")
    return float(text)


def _read_timestamp(shape: Shape, text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("expected an ISO 8601 timestamp such as 2026-01-01T00:00:00Z") from None
    # botocore writes UTC with a Z; a time without an offset is read as UTC too, as botocore does.
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _read_blob(shape: Shape, text: str) -> bytes:
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        data = None
    # Only the canonical form (what every encoder writes): no stray padding or trailing bits.
    if data is None or base64.b64encode(data).decode("ascii") != text:
        raise ValueError("expected base64")
    return data


_SCALAR_READERS: dict[str, Callable[[Shape, str], Any]] = {
    "string": lambda shape, text: text,
    "character": lambda shape, text: text,
    "boolean": _read_boolean,
    "integer": _read_integer,
    "long": _read_integer,
    "float": _read_float,
    "double": _read_float,
    "timestamp": _read_timestamp,
    "blob": _read_blob,
}


def _secret(shape: Shape, path: str) -> bool:
    return constraints.is_secret(shape, path.rsplit(".", 1)[-1])


def _validation_path(path: str) -> str:
    """`Tags.member.1.Value` as AWS's validator names it: `tags.1.member.value`."""
    out: list[str] = []
    for segment in path.split("."):
        if segment.isdigit() and out and out[-1] == "member":
            out[-1:] = [segment, "member"]
        else:
            out.append(segment[:1].lower() + segment[1:])
    return ".".join(out)


def _malformed(path: str, message: str) -> QueryError:
    """A parameter name that does not fit the input shape."""
    return QueryError("InvalidQueryParameter", message, path)


def _invalid(path: str, message: str) -> QueryError:
    """A value that does not fit its shape, or a request over a bound."""
    return QueryError("InvalidParameterValue", message, path)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _shown(text: str) -> str:
    """User input echoed in a message, cut short so a huge value cannot bloat the response."""
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


# --- responses: output dict -> XML ----------------------------------------------------------


def serialize_result(operation: OperationModel, output: Mapping[str, Any], request_id: str) -> bytes:
    """The XML success response to `operation`, from its output dict (None members left out)."""
    namespace = operation.service_model.metadata["xmlNamespace"]
    parts = [f'<{operation.name}Response xmlns="{namespace}">']
    shape = operation.output_shape
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper", f"{operation.name}Result")
        _write(parts, shape, output, wrapper, "")
    elif output:
        raise ValueError(f"{operation.name} has no output, but got {sorted(output)}")
    parts.append(f"<ResponseMetadata><RequestId>{_xml_text(request_id)}</RequestId></ResponseMetadata>")
    parts.append(f"</{operation.name}Response>")
    return "".join(parts).encode("utf-8")


def serialize_error(service: str, code: str, message: str, request_id: str, *, sender: bool = True) -> bytes:
    """The XML error response; `sender` False for faults of the service (5xx), reported as Receiver."""
    namespace = SERVICES[service][1]
    return (
        f'<ErrorResponse xmlns="{namespace}"><Error><Type>{"Sender" if sender else "Receiver"}</Type>'
        f"<Code>{_xml_text(code)}</Code><Message>{_xml_text(message)}</Message></Error>"
        f"<RequestId>{_xml_text(request_id)}</RequestId></ErrorResponse>"
    ).encode("utf-8")


def _write(parts: list[str], shape: Shape, value: Any, tag: str, path: str) -> None:
    """Append `<tag>value</tag>` as `shape` says; wrong types are the caller's bug (TypeError/ValueError)."""
    parts.append(f"<{tag}>")
    kind = shape.type_name
    if kind == "structure":
        _write_structure(parts, shape, value, path)
    elif kind == "list":
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            raise TypeError(f"{path}: expected a list, got {type(value).__name__}")
        item_tag = shape.member.serialization.get("name", "member")
        for index, item in enumerate(value, 1):
            _write(parts, shape.member, item, item_tag, f"{path}[{index}]")
    elif kind == "map":
        _require(value, Mapping, path)
        key_tag = shape.key.serialization.get("name", "key")
        value_tag = shape.value.serialization.get("name", "value")
        for key, item in value.items():
            parts.append("<entry>")
            _write(parts, shape.key, key, key_tag, f"{path}.{key}")
            _write(parts, shape.value, item, value_tag, f"{path}.{key}")
            parts.append("</entry>")
    else:
        writer = _SCALAR_WRITERS.get(kind)
        if writer is None:
            raise TypeError(f"{path}: the Query codec has no writer for type {kind}")
        parts.append(_xml_text(writer(shape, value, path)))
    parts.append(f"</{tag}>")


def _write_structure(parts: list[str], shape: Shape, value: Any, path: str) -> None:
    _require(value, Mapping, path)
    unknown = set(value) - set(shape.members)
    if unknown:
        raise ValueError(f"{path or shape.name}: {sorted(unknown)} are not members of {shape.name}")
    for name, member in shape.members.items():
        if value.get(name) is not None:
            _write(parts, member, value[name], member.serialization.get("name", name), _join(path, name))


def _require(value: Any, kind: type | tuple[type, ...], path: str) -> None:
    if not isinstance(value, kind):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        expected = " or ".join(k.__name__ for k in kinds)
        raise TypeError(f"{path or 'output'}: expected {expected}, got {type(value).__name__} {value!r:.40}")


def _write_string(shape: Shape, value: Any, path: str) -> str:
    _require(value, str, path)
    return quote(value, safe="") if shape.name in URL_ENCODED_SHAPES else value


def _write_boolean(shape: Shape, value: Any, path: str) -> str:
    _require(value, bool, path)
    return "true" if value else "false"


def _write_integer(shape: Shape, value: Any, path: str) -> str:
    if isinstance(value, bool):
        raise TypeError(f"{path}: bool is not an integer")
    _require(value, int, path)
    return str(value)


def _write_float(shape: Shape, value: Any, path: str) -> str:
    if isinstance(value, bool):
        raise TypeError(f"{path}: bool is not a number")
    _require(value, (int, float), path)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(float(value))


def _write_timestamp(shape: Shape, value: Any, path: str) -> str:
    """ISO 8601 in UTC with a Z, microseconds only when there are any (as botocore writes them)."""
    if isinstance(value, str):
        return value
    _require(value, datetime, path)
    if value.tzinfo is None:
        raise ValueError(f"{path}: naive datetime {value.isoformat()}: give it a time zone")
    utc = value.astimezone(timezone.utc).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds" if utc.microsecond else "seconds") + "Z"


def _write_blob(shape: Shape, value: Any, path: str) -> str:
    if isinstance(value, str):
        value = value.encode("utf-8")
    _require(value, (bytes, bytearray, memoryview), path)
    return base64.b64encode(value).decode("ascii")


_SCALAR_WRITERS: dict[str, Callable[[Shape, Any, str], str]] = {
    "string": _write_string,
    "character": _write_string,
    "boolean": _write_boolean,
    "integer": _write_integer,
    "long": _write_integer,
    "float": _write_float,
    "double": _write_float,
    "timestamp": _write_timestamp,
    "blob": _write_blob,
}


def _xml_text(text: str) -> str:
    """`text` as XML character data that parses back to itself.

    A carriage return is written as a reference because parsers turn a literal one into a line
    feed. Characters XML cannot carry at all (most C0 controls, lone surrogates) become U+FFFD:
    a response that no client can parse would be worse.
    """
    text = _NOT_XML.sub("\ufffd", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
