"""clients/iamd/client/errors.py: gRPC statuses with google.rpc details become typed IAM errors."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest
from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

import iamd.client.errors as client_errors
from iamd.client.errors import (
    ALL_ERRORS,
    AccessDeniedError,
    DeleteConflictError,
    IamClientError,
    LimitExceededError,
    MalformedPolicyDocumentError,
    NoSuchEntityError,
    ServiceFailureError,
    ServiceUnavailableError,
    from_rpc_error,
)
from iamd.client.iam import AsyncIamdClient, IamdClient, method_for
from iamd.service.domain import errors as domain_errors

CLIENTS_DIR = Path(client_errors.__file__).parent


class FakeRpcError(grpc.RpcError):
    """A failed call as grpc raises it: code, details and metadata accessors."""

    def __init__(self, code, details, trailing=(), initial=()):
        super().__init__(details)
        self._code = code
        self._details = details
        self._trailing = tuple(trailing)
        self._initial = tuple(initial)

    def code(self):
        return self._code

    def details(self):
        return self._details

    def trailing_metadata(self):
        return self._trailing

    def initial_metadata(self):
        return self._initial


def _packed(detail) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(detail)
    return packed


def rich_error(code, reason, message, *details, request_id=None, domain="iamd.v1", metadata=()):
    """A FakeRpcError carrying a google.rpc.Status the way the server sends it."""
    packed = [_packed(error_details_pb2.ErrorInfo(reason=reason, domain=domain))]
    packed += [_packed(d) for d in details]
    status = status_pb2.Status(code=code.value[0], message=message, details=packed)
    trailing = list(rpc_status.to_status(status).trailing_metadata) + list(metadata)
    if request_id:
        trailing.append(("x-request-id", request_id))
    return FakeRpcError(code, message, trailing)


# --- completeness -----------------------------------------------------------------------------


def test_every_declared_code_has_one_client_class_and_one_service_error():
    # protos/iamd/v1/errors.proto declares the codes once: the SDK's classes take their codes from
    # it, the server's status table is built from it; each side must cover it exactly.
    assert sorted(cls.code for cls in ALL_ERRORS) == sorted(client_errors.DECLARED_CODES)
    assert sorted(cls.code for cls in domain_errors.ALL_ERRORS) == sorted(client_errors.DECLARED_CODES)


def test_client_error_class_names_equal_the_service_class_names():
    assert {cls.__name__ for cls in ALL_ERRORS} == {
        cls.__name__ for cls in domain_errors.ALL_ERRORS
    }
    for cls in ALL_ERRORS:
        assert getattr(client_errors, cls.__name__) is cls
        assert cls.__name__ in client_errors.__all__


# That clients import nothing of the server but the pure engine: tests/unit/test_architecture.py.


@pytest.mark.parametrize("service_cls", domain_errors.ALL_ERRORS, ids=lambda c: c.code)
def test_every_service_code_becomes_its_client_class(service_cls):
    err = from_rpc_error(rich_error(grpc.StatusCode.INVALID_ARGUMENT, service_cls.code, "boom"))
    assert type(err).__name__ == service_cls.__name__
    assert err.code == service_cls.code
    assert err.message == "boom"
    assert err.has_error_info


# --- details ----------------------------------------------------------------------------------


def test_no_such_entity_with_resource_info_and_request_id():
    rpc_error = rich_error(
        grpc.StatusCode.NOT_FOUND,
        "NoSuchEntity",
        "The user with name bob cannot be found.",
        error_details_pb2.ResourceInfo(resource_type="user", resource_name="bob"),
        request_id="req-123",
    )
    err = from_rpc_error(rpc_error)
    assert isinstance(err, NoSuchEntityError)
    assert isinstance(err, IamClientError)
    assert err.status_code == grpc.StatusCode.NOT_FOUND
    assert err.request_id == "req-123"
    assert (err.resource_type, err.resource_name) == ("user", "bob")
    assert str(err) == "The user with name bob cannot be found."
    assert "NoSuchEntity" in repr(err)


def test_malformed_policy_document_lists_every_field_violation():
    bad = error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(
                field="Statement[0].Effect", description="must be Allow or Deny"
            ),
            error_details_pb2.BadRequest.FieldViolation(
                field="Statement[1].Condition", description="unknown operator `StringLik`"
            ),
        ]
    )
    err = from_rpc_error(
        rich_error(grpc.StatusCode.INVALID_ARGUMENT, "MalformedPolicyDocument", "bad doc", bad)
    )
    assert isinstance(err, MalformedPolicyDocumentError)
    assert err.field_violations == [
        ("Statement[0].Effect", "must be Allow or Deny"),
        ("Statement[1].Condition", "unknown operator `StringLik`"),
    ]


def test_quota_precondition_and_retry_details():
    quota = error_details_pb2.QuotaFailure(
        violations=[
            error_details_pb2.QuotaFailure.Violation(
                subject="policy-versions", description="at most 5"
            )
        ]
    )
    err = from_rpc_error(rich_error(grpc.StatusCode.RESOURCE_EXHAUSTED, "LimitExceeded", "x", quota))
    assert isinstance(err, LimitExceededError)
    assert err.quota_violations == [("policy-versions", "at most 5")]

    blockers = error_details_pb2.PreconditionFailure(
        violations=[
            error_details_pb2.PreconditionFailure.Violation(
                type="ATTACHMENT", subject="arn:aws:iam::1:policy/p", description="attached"
            )
        ]
    )
    err = from_rpc_error(
        rich_error(grpc.StatusCode.FAILED_PRECONDITION, "DeleteConflict", "x", blockers)
    )
    assert isinstance(err, DeleteConflictError)
    assert err.precondition_violations == [("ATTACHMENT", "arn:aws:iam::1:policy/p", "attached")]

    retry = error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=1, nanos=5 * 10**8))
    err = from_rpc_error(rich_error(grpc.StatusCode.UNAVAILABLE, "ServiceUnavailable", "x", retry))
    assert isinstance(err, ServiceUnavailableError)
    assert err.retry_delay == 1.5
    assert err.has_error_info


def test_error_info_metadata_is_kept():
    info = error_details_pb2.ErrorInfo(reason="AccessDenied", domain="iamd.v1")
    info.metadata["action"] = "iam:CreateUser"
    status = status_pb2.Status(
        code=grpc.StatusCode.PERMISSION_DENIED.value[0], message="denied", details=[_packed(info)]
    )
    rpc_error = FakeRpcError(
        grpc.StatusCode.PERMISSION_DENIED, "denied", rpc_status.to_status(status).trailing_metadata
    )
    err = from_rpc_error(rpc_error)
    assert isinstance(err, AccessDeniedError)
    assert err.metadata == {"action": "iam:CreateUser"}


def test_request_id_may_come_in_initial_metadata_and_as_bytes():
    rpc_error = FakeRpcError(
        grpc.StatusCode.INTERNAL, "oops", trailing=(), initial=(("x-request-id", b"req-9"),)
    )
    assert from_rpc_error(rpc_error).request_id == "req-9"


# --- fallbacks --------------------------------------------------------------------------------


def test_connection_failure_without_details_is_service_unavailable():
    err = from_rpc_error(FakeRpcError(grpc.StatusCode.UNAVAILABLE, "failed to connect"))
    assert isinstance(err, ServiceUnavailableError)
    assert not err.has_error_info
    assert err.message == "failed to connect"
    assert err.status_code == grpc.StatusCode.UNAVAILABLE


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (grpc.StatusCode.INTERNAL, ServiceFailureError),
        (grpc.StatusCode.UNKNOWN, ServiceFailureError),
        (grpc.StatusCode.PERMISSION_DENIED, AccessDeniedError),
    ],
)
def test_bare_statuses_with_an_obvious_meaning(status, cls):
    assert type(from_rpc_error(FakeRpcError(status, "x"))) is cls


def test_other_bare_statuses_are_keyed_by_status_name():
    err = from_rpc_error(FakeRpcError(grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded"))
    assert type(err) is IamClientError
    assert err.code == "DeadlineExceeded"
    assert err.status_code == grpc.StatusCode.DEADLINE_EXCEEDED
    err = from_rpc_error(FakeRpcError(grpc.StatusCode.UNIMPLEMENTED, "Method not found"))
    assert err.code == "Unimplemented"


def test_unknown_reason_keeps_its_code_on_the_base_class():
    err = from_rpc_error(
        rich_error(grpc.StatusCode.UNAUTHENTICATED, "SomethingNew", "a code from a newer server")
    )
    assert type(err) is IamClientError
    assert err.code == "SomethingNew"
    assert err.has_error_info


def test_error_info_of_another_domain_is_not_an_iam_code():
    err = from_rpc_error(
        rich_error(grpc.StatusCode.NOT_FOUND, "NoSuchEntity", "x", domain="envoy.example")
    )
    assert type(err) is IamClientError
    assert err.code == "NotFound"
    assert not err.has_error_info


def test_details_are_read_even_when_a_proxy_rewrote_the_message():
    rpc_error = rich_error(grpc.StatusCode.NOT_FOUND, "NoSuchEntity", "original")
    rpc_error._details = "rewritten by a proxy"
    err = from_rpc_error(rpc_error)
    assert isinstance(err, NoSuchEntityError)
    assert err.message == "original"


def test_an_rpc_error_without_call_accessors():
    err = from_rpc_error(grpc.RpcError("plain"))
    assert isinstance(err, ServiceFailureError)
    assert err.status_code == grpc.StatusCode.UNKNOWN


# --- raised by the SDK ------------------------------------------------------------------------


class FailingChannel:
    """A fake channel whose every call fails with the given grpc error."""

    def __init__(self, error):
        self.error = error

    def unary_unary(self, path, request_serializer=None, response_deserializer=None, **_):
        def call(body, timeout=None, metadata=None):
            raise self.error

        return call


class FailingAioChannel(FailingChannel):
    def unary_unary(self, path, request_serializer=None, response_deserializer=None, **_):
        async def call(body, timeout=None, metadata=None):
            raise self.error

        return call


def test_sync_client_raises_typed_errors_chained_to_the_grpc_error():
    rpc_error = rich_error(grpc.StatusCode.NOT_FOUND, "NoSuchEntity", "no user bob")
    client = IamdClient(channel=FailingChannel(rpc_error))
    with pytest.raises(NoSuchEntityError) as caught:
        client.get_user(user_name="bob")
    assert caught.value.__cause__ is rpc_error


async def test_async_client_raises_typed_errors():
    rpc_error = rich_error(grpc.StatusCode.ALREADY_EXISTS, "EntityAlreadyExists", "exists")
    client = AsyncIamdClient(channel=FailingAioChannel(rpc_error))
    with pytest.raises(client_errors.EntityAlreadyExistsError):
        await client.create_user(user_name="alice")
    assert method_for("CreateUser").path == "/iamd.v1.IdentityService/CreateUser"
