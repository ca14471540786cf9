"""Typed IAM errors for SDK callers: one exception class per IAM error code the service reports.

The service sends every failure as a gRPC status carrying a `google.rpc.Status` whose details
start with `ErrorInfo(reason=<IAM code>, domain="iamd.v1")`, optionally followed by BadRequest,
QuotaFailure, PreconditionFailure, ResourceInfo or RetryInfo. `from_rpc_error` turns such a
status into the matching `IamClientError` subclass, keyed by `ErrorInfo.reason`, the way
temporalio's client turns gRPC details into typed errors. The codes are declared once, in
protos/iamd/v1/errors.proto (the server's code-to-status table comes from there too); each class
here takes its code from that declaration, and a unit test requires a class for every code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from iamd.v1 import errors_pb2

ERROR_DOMAIN = "iamd.v1"
REQUEST_ID_METADATA_KEY = "x-request-id"
_STATUS_DETAILS_METADATA_KEY = "grpc-status-details-bin"


def _declared(value: int) -> str:
    """The IAM code an ErrorCode value declares (protos/iamd/v1/errors.proto, where every code the
    service answers with is declared once, with its gRPC status)."""
    return errors_pb2.ErrorCode.DESCRIPTOR.values_by_number[value].GetOptions().Extensions[errors_pb2.iam_code]


DECLARED_CODES: frozenset[str] = frozenset(
    value.GetOptions().Extensions[errors_pb2.iam_code] for value in errors_pb2.ErrorCode.DESCRIPTOR.values
    if value.number)


class IamClientError(Exception):
    """A failed iamd call: its IAM error code, AWS-style message and the details sent with it."""

    code = _declared(errors_pb2.ERROR_CODE_SERVICE_FAILURE)

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status_code: grpc.StatusCode = grpc.StatusCode.UNKNOWN,
        field_violations: Iterable[tuple[str, str]] = (),
        request_id: str | None = None,
        metadata: Mapping[str, str] | None = None,
        resource_type: str = "",
        resource_name: str = "",
        quota_violations: Iterable[tuple[str, str]] = (),
        precondition_violations: Iterable[tuple[str, str, str]] = (),
        retry_delay: float | None = None,
        has_error_info: bool = False,
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.status_code = status_code
        self.field_violations: list[tuple[str, str]] = list(field_violations)
        self.request_id = request_id
        # ErrorInfo.metadata, e.g. the quota name or the conflicting entity.
        self.metadata: dict[str, str] = dict(metadata or {})
        self.resource_type = resource_type
        self.resource_name = resource_name
        # (subject, description) per QuotaFailure violation.
        self.quota_violations: list[tuple[str, str]] = list(quota_violations)
        # (type, subject, description) per PreconditionFailure violation (DeleteConflict blockers).
        self.precondition_violations: list[tuple[str, str, str]] = list(precondition_violations)
        # Seconds to wait before retrying, from RetryInfo.
        self.retry_delay = retry_delay
        # False when the status carried no iamd ErrorInfo (transport failure, proxy, old server).
        self.has_error_info = has_error_info

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class NoSuchEntityError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_NO_SUCH_ENTITY)


class EntityAlreadyExistsError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_ENTITY_ALREADY_EXISTS)


class MalformedPolicyDocumentError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_MALFORMED_POLICY_DOCUMENT)


class InvalidInputError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_INVALID_INPUT)


class ValidationError(IamClientError):
    """A parameter failed its pattern or length constraint."""

    code = _declared(errors_pb2.ERROR_CODE_VALIDATION_ERROR)


class LimitExceededError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_LIMIT_EXCEEDED)


class DeleteConflictError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_DELETE_CONFLICT)


class PasswordPolicyViolationError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_PASSWORD_POLICY_VIOLATION)


class UnmodifiableEntityError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_UNMODIFIABLE_ENTITY)


class InvalidUserTypeError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_INVALID_USER_TYPE)


class EntityTemporarilyUnmodifiableError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_ENTITY_TEMPORARILY_UNMODIFIABLE)


class DuplicateSSHPublicKeyError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_DUPLICATE_SSH_PUBLIC_KEY)


class InvalidPublicKeyError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_INVALID_PUBLIC_KEY)


class UnrecognizedPublicKeyEncodingError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_UNRECOGNIZED_PUBLIC_KEY_ENCODING)


class MalformedCertificateError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_MALFORMED_CERTIFICATE)


class InvalidCertificateError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_INVALID_CERTIFICATE)


class DuplicateCertificateError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_DUPLICATE_CERTIFICATE)


class KeyPairMismatchError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_KEY_PAIR_MISMATCH)


class ConcurrentModificationError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_CONCURRENT_MODIFICATION)


class PolicyNotAttachableError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_POLICY_NOT_ATTACHABLE)


class AccessDeniedError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_ACCESS_DENIED)


class MissingAuthenticationTokenError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_MISSING_AUTHENTICATION_TOKEN)


class InvalidClientTokenIdError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_INVALID_CLIENT_TOKEN_ID)


class SignatureDoesNotMatchError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_SIGNATURE_DOES_NOT_MATCH)


class IncompleteSignatureError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_INCOMPLETE_SIGNATURE)


class RequestExpiredError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_REQUEST_EXPIRED)


class ExpiredTokenError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_EXPIRED_TOKEN)


class InvalidIdentityTokenError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_INVALID_IDENTITY_TOKEN)


class ExpiredWebIdentityTokenError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_EXPIRED_TOKEN_EXCEPTION)


class IdpRejectedClaimError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_IDP_REJECTED_CLAIM)


class IdpCommunicationError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_IDP_COMMUNICATION_ERROR)


class InvalidAuthorizationMessageError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_INVALID_AUTHORIZATION_MESSAGE)


class InvalidAuthenticationCodeError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_INVALID_AUTHENTICATION_CODE)


class ServiceUnavailableError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_SERVICE_UNAVAILABLE)


class ServiceFailureError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_SERVICE_FAILURE)


class ThrottlingError(IamClientError):
    """Too much in-flight work on the server: retry after a short back-off."""

    code = _declared(errors_pb2.ERROR_CODE_THROTTLING)


class ReportNotPresentError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_REPORT_NOT_PRESENT)


class ReportExpiredError(IamClientError):
    code = _declared(errors_pb2.ERROR_CODE_REPORT_EXPIRED)


# AWS Organizations' codes, each a kind of the IAM error it extends (as on the service side).
class OrganizationsNotInUseError(InvalidInputError):
    code = _declared(errors_pb2.ERROR_CODE_AWS_ORGANIZATIONS_NOT_IN_USE)


class AlreadyInOrganizationError(EntityAlreadyExistsError):
    code = _declared(errors_pb2.ERROR_CODE_ALREADY_IN_ORGANIZATION)


class AccountNotFoundError(NoSuchEntityError):
    code = _declared(errors_pb2.ERROR_CODE_ACCOUNT_NOT_FOUND)


class CreateAccountStatusNotFoundError(NoSuchEntityError):
    code = _declared(errors_pb2.ERROR_CODE_CREATE_ACCOUNT_STATUS_NOT_FOUND)


class ParentNotFoundError(NoSuchEntityError):
    code = _declared(errors_pb2.ERROR_CODE_PARENT_NOT_FOUND)


class SourceParentNotFoundError(NoSuchEntityError):
    code = _declared(errors_pb2.ERROR_CODE_SOURCE_PARENT_NOT_FOUND)


class DestinationParentNotFoundError(NoSuchEntityError):
    code = _declared(errors_pb2.ERROR_CODE_DESTINATION_PARENT_NOT_FOUND)


class OrganizationalUnitNotFoundError(NoSuchEntityError):
    code = _declared(errors_pb2.ERROR_CODE_ORGANIZATIONAL_UNIT_NOT_FOUND)


class ChildNotFoundError(NoSuchEntityError):
    code = _declared(errors_pb2.ERROR_CODE_CHILD_NOT_FOUND)


class PolicyNotFoundError(NoSuchEntityError):
    code = _declared(errors_pb2.ERROR_CODE_POLICY_NOT_FOUND)


class TargetNotFoundError(NoSuchEntityError):
    code = _declared(errors_pb2.ERROR_CODE_TARGET_NOT_FOUND)


class PolicyNotAttachedError(NoSuchEntityError):
    code = _declared(errors_pb2.ERROR_CODE_POLICY_NOT_ATTACHED)


class DuplicateOrganizationalUnitError(EntityAlreadyExistsError):
    code = _declared(errors_pb2.ERROR_CODE_DUPLICATE_ORGANIZATIONAL_UNIT)


class DuplicatePolicyError(EntityAlreadyExistsError):
    code = _declared(errors_pb2.ERROR_CODE_DUPLICATE_POLICY)


class DuplicatePolicyAttachmentError(EntityAlreadyExistsError):
    code = _declared(errors_pb2.ERROR_CODE_DUPLICATE_POLICY_ATTACHMENT)


class DuplicateAccountError(EntityAlreadyExistsError):
    code = _declared(errors_pb2.ERROR_CODE_DUPLICATE_ACCOUNT)


class OrganizationalUnitNotEmptyError(DeleteConflictError):
    code = _declared(errors_pb2.ERROR_CODE_ORGANIZATIONAL_UNIT_NOT_EMPTY)


class PolicyInUseError(DeleteConflictError):
    code = _declared(errors_pb2.ERROR_CODE_POLICY_IN_USE)


class ConstraintViolationError(DeleteConflictError):
    code = _declared(errors_pb2.ERROR_CODE_CONSTRAINT_VIOLATION)


class PolicyTypeAlreadyEnabledError(EntityAlreadyExistsError):
    code = _declared(errors_pb2.ERROR_CODE_POLICY_TYPE_ALREADY_ENABLED)


class PolicyTypeNotEnabledError(InvalidInputError):
    code = _declared(errors_pb2.ERROR_CODE_POLICY_TYPE_NOT_ENABLED)


class PolicyTypeNotAvailableForOrganizationError(InvalidInputError):
    code = _declared(errors_pb2.ERROR_CODE_POLICY_TYPE_NOT_AVAILABLE_FOR_ORGANIZATION)


class RootNotFoundError(NoSuchEntityError):
    code = _declared(errors_pb2.ERROR_CODE_ROOT_NOT_FOUND)


class AccountAlreadyRegisteredError(EntityAlreadyExistsError):
    code = _declared(errors_pb2.ERROR_CODE_ACCOUNT_ALREADY_REGISTERED)


class AccountNotRegisteredError(NoSuchEntityError):
    code = _declared(errors_pb2.ERROR_CODE_ACCOUNT_NOT_REGISTERED)


class OrganizationNotEmptyError(DeleteConflictError):
    code = _declared(errors_pb2.ERROR_CODE_ORGANIZATION_NOT_EMPTY)


class MasterCannotLeaveOrganizationError(DeleteConflictError):
    code = _declared(errors_pb2.ERROR_CODE_MASTER_CANNOT_LEAVE_ORGANIZATION)



class HandshakeAlreadyInStateError(EntityAlreadyExistsError):
    code = _declared(errors_pb2.ERROR_CODE_HANDSHAKE_ALREADY_IN_STATE)


class HandshakeConstraintViolationError(DeleteConflictError):
    code = _declared(errors_pb2.ERROR_CODE_HANDSHAKE_CONSTRAINT_VIOLATION)


class DuplicateHandshakeError(EntityAlreadyExistsError):
    code = _declared(errors_pb2.ERROR_CODE_DUPLICATE_HANDSHAKE)


class HandshakeNotFoundError(NoSuchEntityError):
    code = _declared(errors_pb2.ERROR_CODE_HANDSHAKE_NOT_FOUND)


class InvalidHandshakeTransitionError(DeleteConflictError):
    code = _declared(errors_pb2.ERROR_CODE_INVALID_HANDSHAKE_TRANSITION)


class EffectivePolicyNotFoundError(NoSuchEntityError):
    code = _declared(errors_pb2.ERROR_CODE_EFFECTIVE_POLICY_NOT_FOUND)


class AccountAlreadyClosedError(DeleteConflictError):
    code = _declared(errors_pb2.ERROR_CODE_ACCOUNT_ALREADY_CLOSED)


class ConflictError(DeleteConflictError):
    code = _declared(errors_pb2.ERROR_CODE_CONFLICT)


class ResourcePolicyNotFoundError(NoSuchEntityError):
    code = _declared(errors_pb2.ERROR_CODE_RESOURCE_POLICY_NOT_FOUND)


class OrganizationNotFoundError(DeleteConflictError):
    code = _declared(errors_pb2.ERROR_CODE_ORGANIZATION_NOT_FOUND)


class OrganizationNotInAllFeaturesModeError(DeleteConflictError):
    code = _declared(errors_pb2.ERROR_CODE_ORGANIZATION_NOT_IN_ALL_FEATURES_MODE)


class ServiceAccessNotEnabledError(DeleteConflictError):
    code = _declared(errors_pb2.ERROR_CODE_SERVICE_ACCESS_NOT_ENABLED)


class AccountNotManagementOrDelegatedAdministratorError(DeleteConflictError):
    code = _declared(errors_pb2.ERROR_CODE_ACCOUNT_NOT_MANAGEMENT_OR_DELEGATED_ADMINISTRATOR)


class CallerIsNotManagementAccountError(DeleteConflictError):
    code = _declared(errors_pb2.ERROR_CODE_CALLER_IS_NOT_MANAGEMENT_ACCOUNT)


class FeatureEnabledError(EntityAlreadyExistsError):
    code = _declared(errors_pb2.ERROR_CODE_FEATURE_ENABLED)


class FeatureDisabledError(DeleteConflictError):
    code = _declared(errors_pb2.ERROR_CODE_FEATURE_DISABLED)


class OutboundWebIdentityFederationDisabledError(DeleteConflictError):
    code = _declared(errors_pb2.ERROR_CODE_OUTBOUND_WEB_IDENTITY_FEDERATION_DISABLED)


class SessionDurationEscalationError(InvalidInputError):
    code = _declared(errors_pb2.ERROR_CODE_SESSION_DURATION_ESCALATION)


class JWTPayloadSizeExceededError(InvalidInputError):
    code = _declared(errors_pb2.ERROR_CODE_JWT_PAYLOAD_SIZE_EXCEEDED)


class InsufficientSessionLifetimeError(InvalidInputError):
    code = _declared(errors_pb2.ERROR_CODE_INSUFFICIENT_SESSION_LIFETIME)


class InvalidSubjectCredentialsError(InvalidInputError):
    code = _declared(errors_pb2.ERROR_CODE_INVALID_SUBJECT_CREDENTIALS)


ALL_ERRORS: tuple[type[IamClientError], ...] = (
    NoSuchEntityError,
    PasswordPolicyViolationError,
    UnmodifiableEntityError,
    InvalidUserTypeError,
    EntityTemporarilyUnmodifiableError,
    DuplicateSSHPublicKeyError,
    InvalidPublicKeyError,
    UnrecognizedPublicKeyEncodingError,
    MalformedCertificateError,
    InvalidCertificateError,
    DuplicateCertificateError,
    KeyPairMismatchError,
    EntityAlreadyExistsError,
    MalformedPolicyDocumentError,
    InvalidInputError,
    ValidationError,
    LimitExceededError,
    DeleteConflictError,
    ConcurrentModificationError,
    PolicyNotAttachableError,
    AccessDeniedError,
    MissingAuthenticationTokenError,
    InvalidClientTokenIdError,
    SignatureDoesNotMatchError,
    IncompleteSignatureError,
    RequestExpiredError,
    ExpiredTokenError,
    InvalidIdentityTokenError,
    ExpiredWebIdentityTokenError,
    IdpRejectedClaimError,
    IdpCommunicationError,
    InvalidAuthorizationMessageError,
    InvalidAuthenticationCodeError,
    ServiceUnavailableError,
    ServiceFailureError,
    ThrottlingError,
    ReportNotPresentError,
    ReportExpiredError,
    OrganizationsNotInUseError, AlreadyInOrganizationError, AccountNotFoundError, ParentNotFoundError,
    SourceParentNotFoundError, DestinationParentNotFoundError, OrganizationalUnitNotFoundError, ChildNotFoundError,
    PolicyNotFoundError, TargetNotFoundError, PolicyNotAttachedError, DuplicateOrganizationalUnitError,
    DuplicatePolicyError, DuplicatePolicyAttachmentError, DuplicateAccountError, OrganizationalUnitNotEmptyError,
    PolicyInUseError, ConstraintViolationError, CreateAccountStatusNotFoundError, PolicyTypeAlreadyEnabledError,
    PolicyTypeNotEnabledError, PolicyTypeNotAvailableForOrganizationError, RootNotFoundError,
    AccountAlreadyRegisteredError, AccountNotRegisteredError, OrganizationNotEmptyError,
    MasterCannotLeaveOrganizationError, HandshakeAlreadyInStateError, HandshakeConstraintViolationError,
    DuplicateHandshakeError, HandshakeNotFoundError, InvalidHandshakeTransitionError, EffectivePolicyNotFoundError,
    AccountAlreadyClosedError, ConflictError, ResourcePolicyNotFoundError,
    OrganizationNotFoundError, OrganizationNotInAllFeaturesModeError, ServiceAccessNotEnabledError,
    AccountNotManagementOrDelegatedAdministratorError, CallerIsNotManagementAccountError,
    FeatureEnabledError, FeatureDisabledError, OutboundWebIdentityFederationDisabledError,
    SessionDurationEscalationError, JWTPayloadSizeExceededError,
    InsufficientSessionLifetimeError, InvalidSubjectCredentialsError,
)

ERRORS_BY_CODE: dict[str, type[IamClientError]] = {cls.code: cls for cls in ALL_ERRORS}

# Statuses that arrive without an ErrorInfo (connection refused, deadline, a proxy in between)
# but whose meaning is unambiguous. Any other bare status becomes an IamClientError whose code
# is the status name in PascalCase ("DeadlineExceeded", "Unimplemented", ...).
_BY_BARE_STATUS: dict[grpc.StatusCode, type[IamClientError]] = {
    grpc.StatusCode.UNAVAILABLE: ServiceUnavailableError,
    grpc.StatusCode.INTERNAL: ServiceFailureError,
    grpc.StatusCode.UNKNOWN: ServiceFailureError,
    grpc.StatusCode.PERMISSION_DENIED: AccessDeniedError,
}


def from_rpc_error(e: grpc.RpcError) -> IamClientError:
    """Turn a failed call into the IamClientError subclass named by its ErrorInfo reason."""
    status_code = _call_attr(e, "code", grpc.StatusCode.UNKNOWN) or grpc.StatusCode.UNKNOWN
    details = _call_attr(e, "details", None) or ""
    trailing = _metadata_pairs(_call_attr(e, "trailing_metadata", None))
    rich = _rich_status(e, trailing)
    message = (rich.message if rich is not None and rich.message else details) or str(status_code)

    fields: dict[str, Any] = {
        "status_code": status_code,
        "request_id": _request_id(e, trailing),
    }
    error_info: error_details_pb2.ErrorInfo | None = None
    for packed in rich.details if rich is not None else ():
        _unpack_detail(packed, fields)
        if error_info is None and packed.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            packed.Unpack(info)
            # Another domain's ErrorInfo (a proxy's, say) does not name an IAM code.
            if info.domain in (ERROR_DOMAIN, ""):
                error_info = info

    if error_info is not None and error_info.reason:
        cls = ERRORS_BY_CODE.get(error_info.reason)
        fields["metadata"] = dict(error_info.metadata)
        fields["has_error_info"] = True
        if cls is None:
            # A code newer than this client: keep the code, use the base class.
            return IamClientError(message, code=error_info.reason, **fields)
        return cls(message, **fields)

    bare = _BY_BARE_STATUS.get(status_code)
    if bare is not None:
        return bare(message, **fields)
    return IamClientError(message, code=_pascal_status(status_code), **fields)


def _call_attr(e: object, name: str, default: Any) -> Any:
    getter = getattr(e, name, None)
    if getter is None:
        return default
    try:
        return getter()
    except Exception:  # a half-built error object must not hide the original failure
        return default


def _metadata_pairs(metadata: Any) -> list[tuple[str, Any]]:
    if not metadata:
        return []
    return [(item[0], item[1]) for item in metadata]


def _rich_status(e: grpc.RpcError, trailing: list[tuple[str, Any]]) -> status_pb2.Status | None:
    try:
        return rpc_status.from_call(e)
    except (ValueError, AttributeError, TypeError):
        pass
    # from_call refuses a Status whose code or message differs from the call's (a proxy may
    # rewrite the message); the details are still the service's, so read them directly.
    for key, value in trailing:
        if key == _STATUS_DETAILS_METADATA_KEY:
            try:
                return status_pb2.Status.FromString(value)
            except Exception:
                return None
    return None


def _request_id(e: grpc.RpcError, trailing: list[tuple[str, Any]]) -> str | None:
    initial = _metadata_pairs(_call_attr(e, "initial_metadata", None))
    for key, value in [*trailing, *initial]:
        if key == REQUEST_ID_METADATA_KEY:
            return value.decode() if isinstance(value, bytes) else str(value)
    return None


def _unpack_detail(packed: any_pb2.Any, fields: dict[str, Any]) -> None:
    if packed.Is(error_details_pb2.BadRequest.DESCRIPTOR):
        bad = error_details_pb2.BadRequest()
        packed.Unpack(bad)
        fields.setdefault("field_violations", []).extend(
            (v.field, v.description) for v in bad.field_violations
        )
    elif packed.Is(error_details_pb2.QuotaFailure.DESCRIPTOR):
        quota = error_details_pb2.QuotaFailure()
        packed.Unpack(quota)
        fields.setdefault("quota_violations", []).extend(
            (v.subject, v.description) for v in quota.violations
        )
    elif packed.Is(error_details_pb2.PreconditionFailure.DESCRIPTOR):
        failure = error_details_pb2.PreconditionFailure()
        packed.Unpack(failure)
        fields.setdefault("precondition_violations", []).extend(
            (v.type, v.subject, v.description) for v in failure.violations
        )
    elif packed.Is(error_details_pb2.ResourceInfo.DESCRIPTOR):
        info = error_details_pb2.ResourceInfo()
        packed.Unpack(info)
        fields["resource_type"] = info.resource_type
        fields["resource_name"] = info.resource_name
    elif packed.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
        retry = error_details_pb2.RetryInfo()
        packed.Unpack(retry)
        fields["retry_delay"] = retry.retry_delay.ToTimedelta().total_seconds()


def _pascal_status(status_code: grpc.StatusCode) -> str:
    return "".join(word.capitalize() for word in status_code.name.split("_"))


__all__ = [
    "ALL_ERRORS",
    "ERRORS_BY_CODE",
    "ERROR_DOMAIN",
    "REQUEST_ID_METADATA_KEY",
    "IamClientError",
    "from_rpc_error",
    *(cls.__name__ for cls in ALL_ERRORS),
]
