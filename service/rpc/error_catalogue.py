"""Every IAM error code iamd answers with, its gRPC status, its HTTP status on the AWS endpoint
and its retry hint, as markdown (docs/errors.md).

Generated from the tables themselves (service/rpc/errors.py, service/domain/errors.py, the AWS
models' error statuses), so it cannot drift: `make docs` writes it, and a test fails when the file
differs from what this renders.
"""

from __future__ import annotations

import inspect

from iamd.service.awsapi.query import error_status
from iamd.service.domain import errors as e

from .errors import _RETRY_AFTER, STATUS_BY_ERROR

_HEADER = """# Error codes

Every failed call answers with one IAM error code. Over gRPC it is the `reason` of the
`google.rpc.ErrorInfo` (domain `iamd.v1`) in the status details, beside the gRPC status below and,
where they help, `BadRequest` field violations, a `QuotaFailure`, a `PreconditionFailure`, a
`ResourceInfo` or a `RetryInfo`; the Python SDK raises the exception class of the same name
(`clients/iamd/client/errors.py`). On the AWS-compatible HTTP endpoint it is the `Code` of AWS's error
document, with the HTTP status below. The codes and their gRPC statuses are declared once, in
`protos/iamd/v1/errors.proto` (enum `ErrorCode`, options `iam_code` and `grpc_status`), which
clients in any language can generate from. This page is generated from the code (`make docs`);
retry guidance for clients is in [clients.md](clients.md).

| code | gRPC status | HTTP status | retry after | when |
|---|---|---|---|---|
"""


def catalogue_markdown() -> str:
    rows = []
    for cls, status in sorted(STATUS_BY_ERROR.items(), key=lambda item: item[0].code):
        doc = inspect.getdoc(cls) or ""
        if cls.__doc__ is None or doc == inspect.getdoc(cls.__mro__[1]):
            doc = ""  # inherited: says nothing of this code
        when = " ".join(doc.split()) or "—"
        retry = _RETRY_AFTER.get(cls)
        rows.append(f"| `{cls.code}` | {status.name} | {error_status('iam', cls.code)} | "
                    f"{f'{retry:g} s' if retry else '—'} | {when} |")
    return _HEADER + "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(catalogue_markdown(), end="")
