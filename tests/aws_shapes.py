"""Whether an answer printed as the aws CLI prints it (`--output json`) fits an AWS operation's
output shape, from the service models botocore ships.

The aws CLI prints the parsed response without `ResponseMetadata`: exactly the model's member
names; strings, numbers and booleans as JSON's; timestamps as ISO 8601 text; blobs as base64
text; and, for IAM, the members of the `policyDocumentType` shape as the JSON objects botocore's
`json_decode_policies` handler makes of them. A list command gathers every page and drops the
paging members (`IsTruncated`, `Marker`, `NextToken`); `--max-items` adds `NextToken`.

    problems = output_mismatches(operation_model("iam", "GetUser"), json.loads(printed))
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from collections.abc import Collection
from functools import cache
from typing import Any

import botocore.session
from botocore.model import OperationModel, Shape

# The string shape botocore decodes into a JSON object in IAM's answers (handlers.json_decode_policies).
POLICY_DOCUMENT_SHAPE = "policyDocumentType"


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def operation_model(service: str, operation: str) -> OperationModel:
    return _session().get_service_model(service).operation_model(operation)


@cache
def operation_names(service: str) -> dict[str, str]:
    """The aws CLI's command names of a service's operations: {"list-users": "ListUsers", ...}
    (botocore's xform_name, which is how the aws CLI names its commands)."""
    from botocore import xform_name

    return {xform_name(name, "-"): name for name in _session().get_service_model(service).operation_names}


def output_mismatches(operation: OperationModel, printed: Any, *, allowed_top: frozenset[str] = frozenset()) -> list[str]:
    """Every way `printed` (the parsed JSON the CLI wrote) departs from what the aws CLI prints for
    `operation`: a path and what is wrong there, empty when it fits. `allowed_top` names top-level
    keys the caller tolerates beyond the model's (a deliberate, documented addition)."""
    problems: list[str] = []
    shape = operation.output_shape
    if not isinstance(printed, dict):
        return [f"the answer is {type(printed).__name__}, not a JSON object"]
    printed = {k: v for k, v in printed.items() if k not in allowed_top}
    if shape is None:
        if printed:
            problems.append(f"{operation.name} has no output, but {sorted(printed)} printed")
        return problems
    paging = _paging_members(operation)
    if paging:
        # Gathered pages: the paging members are dropped; NextToken says where --max-items stopped.
        paging.discard("NextToken")
        printed = {k: v for k, v in printed.items() if k != "NextToken"}
        for member in paging & set(printed):
            problems.append(f"{member}: a paging member, which the aws CLI drops after gathering the pages")
    _check(shape, printed, "", problems, decode_documents=operation.service_model.service_name == "iam",
           skip_required=paging)
    return problems


def _paging_members(operation: OperationModel) -> set[str]:
    """The members a paginated operation's pages are chained by, which the aws CLI drops."""
    service = operation.service_model
    try:
        config = _session().get_paginator_model(service.service_name, service.api_version)
        paginator = config.get_paginator(operation.name)
    except Exception:  # no paginators file, or the operation is not paginated
        return set()
    members: set[str] = set()
    for key in ("output_token", "more_results"):
        value = paginator.get(key)
        for token in ([value] if isinstance(value, str) else value or []):
            members.add(token.split(".")[0])
    return members


def _check(shape: Shape, value: Any, path: str, problems: list[str], *, decode_documents: bool,
           skip_required: Collection[str] = ()) -> None:
    where = path or "(top)"
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"{where}: {type(value).__name__}, not a structure ({shape.name})")
            return
        for key, item in value.items():
            member = shape.members.get(key)
            if member is None:
                problems.append(f"{_join(path, key)}: not a member of {shape.name}")
                continue
            _check(member, item, _join(path, key), problems, decode_documents=decode_documents)
        for required in shape.required_members:
            if required not in value and required not in skip_required:
                problems.append(f"{_join(path, required)}: required by {shape.name}, missing")
    elif kind == "list":
        if not isinstance(value, list):
            problems.append(f"{where}: {type(value).__name__}, not a list ({shape.name})")
            return
        for i, item in enumerate(value):
            _check(shape.member, item, f"{path}[{i}]", problems, decode_documents=decode_documents)
    elif kind == "map":
        if not isinstance(value, dict):
            problems.append(f"{where}: {type(value).__name__}, not a map ({shape.name})")
            return
        for key, item in value.items():
            _check(shape.key, key, f"{path}{{key {key!r}}}", problems, decode_documents=decode_documents)
            _check(shape.value, item, f"{path}[{key!r}]", problems, decode_documents=decode_documents)
    else:
        problem = _scalar_problem(shape, value, decode_documents)
        if problem:
            problems.append(f"{where}: {problem}")


def _scalar_problem(shape: Shape, value: Any, decode_documents: bool) -> str:
    kind = shape.type_name
    if kind == "string":
        if decode_documents and shape.name == POLICY_DOCUMENT_SHAPE:
            return "" if isinstance(value, dict) else f"{value!r}: a policy document the aws CLI prints as a JSON object"
        if not isinstance(value, str):
            return f"{value!r}: not a string ({shape.name})"
        if shape.enum and value not in shape.enum:
            return f"{value!r}: not one of {shape.name}'s values {shape.enum}"
        return ""
    if kind in ("integer", "long"):
        return "" if isinstance(value, int) and not isinstance(value, bool) else f"{value!r}: not an integer"
    if kind in ("float", "double"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return "" if ok else f"{value!r}: not a number"
    if kind == "boolean":
        return "" if isinstance(value, bool) else f"{value!r}: not a boolean"
    if kind == "timestamp":
        if not isinstance(value, str):
            return f"{value!r}: not a timestamp's ISO 8601 text"
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return f"{value!r}: not ISO 8601"
        return "" if parsed.tzinfo is not None else f"{value!r}: ISO 8601 without a time zone"
    if kind == "blob":
        if not isinstance(value, str):
            return f"{value!r}: not a blob's base64 text"
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return f"{value[:40]!r}: not base64, as the aws CLI prints a blob"
        return ""
    return f"{value!r}: a {kind} shape this checker does not know"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
