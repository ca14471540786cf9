"""IAM errors raised by domain rules and use cases: an IAM error code plus the fields at fault.

Messages follow AWS's wording where AWS has one. They never carry secrets or stack traces.
The gRPC mapping of each class lives in one table in service/rpc/errors.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One problem with one request field (or a JSON path inside a policy document)."""

    field: str
    message: str
    hint: str | None = None


# What an error may quote back. Its message and details travel in gRPC trailers, which clients
# refuse beyond 8 KB (16 KB at most): an error that quoted a 70,000-character name in full would
# reach the caller as RESOURCE_EXHAUSTED without its IAM code. Limits in UTF-8 bytes.
MAX_MESSAGE_BYTES = 600
MAX_QUOTED_BYTES = 300  # a resource name, a blocker, one part of a field problem
MAX_PROBLEMS_BYTES = 3500  # all field problems together; the rest are counted


def clip(text: str, limit: int) -> str:
    """`text` shortened to at most `limit` UTF-8 bytes (then ending in "...")."""
    if len(text) * 4 <= limit or len(text.encode("utf-8", "replace")) <= limit:
        return text
    cut = text.encode("utf-8", "replace")[: limit - 3].decode("utf-8", "ignore")
    return cut + "..."


def _bounded_problems(problems: Sequence[FieldProblem]) -> tuple[FieldProblem, ...]:
    shown: list[FieldProblem] = []
    used = 0
    for p in problems:
        clipped = FieldProblem(clip(p.field, MAX_QUOTED_BYTES), clip(p.message, MAX_QUOTED_BYTES),
                               clip(p.hint, MAX_QUOTED_BYTES) if p.hint else p.hint)
        size = sum(len(t.encode("utf-8", "replace")) for t in (clipped.field, clipped.message, clipped.hint or ""))
        if used + size > MAX_PROBLEMS_BYTES:
            shown.append(FieldProblem("", f"{len(problems) - len(shown)} more problems not shown"))
            break
        shown.append(clipped)
        used += size
    return tuple(shown)


class IamError(Exception):
    """Base of every error that reaches a caller with an IAM error code.

    What it quotes from the request is bounded (see MAX_MESSAGE_BYTES and the limits beside it)."""

    code = "ServiceFailure"

    def __init__(
        self,
        message: str,
        *,
        problems: Sequence[FieldProblem] = (),
        resource_type: str = "",
        resource_name: str = "",
        quota: str = "",
        blockers: Sequence[str] = (),
        reason: str = "",
    ) -> None:
        message = clip(message, MAX_MESSAGE_BYTES)
        super().__init__(message)
        self.message = message
        self.problems = _bounded_problems(problems)
        self.resource_type = resource_type
        self.resource_name = clip(resource_name, MAX_QUOTED_BYTES)
        self.quota = quota
        self.blockers = tuple(clip(b, MAX_QUOTED_BYTES) for b in blockers[:20])
        # AWS's machine-readable reason where its error has one (Organizations' InvalidInputException
        # Reason, e.g. INVALID_NEXT_TOKEN): ErrorInfo metadata over gRPC, `Reason` over JSON 1.1.
        self.reason = reason


class NoSuchEntityError(IamError):
    """The user, group, role, policy, key or other entity named does not exist."""

    code = "NoSuchEntity"


class EntityAlreadyExistsError(IamError):
    """An entity of that name (case-insensitive) already exists."""

    code = "EntityAlreadyExists"


class MalformedPolicyDocumentError(IamError):
    """The policy document is not valid: AWS's message, iamd's detail and path in the field violations."""

    code = "MalformedPolicyDocument"


class InvalidInputError(IamError):
    """A parameter's value is not acceptable (named in the field violations)."""

    code = "InvalidInput"


class ValidationError(IamError):
    """AWS's code for a parameter that fails its pattern or length constraint."""

    code = "ValidationError"


_QUOTED_VALUE_CHARS = 16  # of a value a validation message quotes at least, however many violations it tells
WITHHELD = object()  # a violating value a message must not repeat (a password): AWS's "Value at 'FIELD'"


def validation_errors(violations: Sequence[tuple[str, Any, str]]) -> ValidationError:
    """AWS's validator's answer, every violated constraint at once: "N validation error(s)
    detected: Value 'V' at 'FIELD' failed to satisfy constraint: RULE; ..." (`V` a list: AWS's
    `[a, b]`; None: `Value null`; WITHHELD: no value). Values are quoted whole, as AWS quotes them,
    when they fit MAX_MESSAGE_BYTES; else each is shortened to its share, so that every violation
    is told."""
    fixed = sum(len(f"Value '...' at '{field}' failed to satisfy constraint: {rule}; ") for field, _, rule in violations)
    share = max(_QUOTED_VALUE_CHARS, (MAX_MESSAGE_BYTES - 40 - fixed) // max(1, len(violations)))
    parts = []
    for field, value, rule in violations:
        if value is WITHHELD:
            parts.append(f"Value at '{field}' failed to satisfy constraint: {rule}")
            continue
        if value is None:
            quoted = "null"
        else:
            text = f"[{', '.join(map(str, value))}]" if isinstance(value, (list, tuple)) else str(value)
            quoted = "'" + (text if len(text) <= share else text[:share] + "...") + "'"
        parts.append(f"Value {quoted} at '{field}' failed to satisfy constraint: {rule}")
    count = len(violations)
    return ValidationError(f"{count} validation error{'s' if count != 1 else ''} detected: " + "; ".join(parts),
                           problems=[FieldProblem(field, rule) for field, _, rule in violations])


def validation_error(field: str, value: str, rule: str, problem: str = "") -> ValidationError:
    """AWS's validator's answer for one violated constraint: "1 validation error detected: Value
    'V' at 'FIELD' failed to satisfy constraint: RULE", `V` quoted as given (callers shorten it);
    the field problem says `problem`, or the rule."""
    return ValidationError(
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {rule}",
        problems=[FieldProblem(field, problem or rule)])


def member_constraints(*rules: str) -> str:
    """AWS's rule for a list whose members break their own constraints (the member shape's, all of
    them): "Member must satisfy constraint: [RULE, RULE]"."""
    return f"Member must satisfy constraint: [{', '.join(rules)}]"


class LimitExceededError(IamError):
    """An IAM quota would be exceeded (the quota is named in QuotaFailure); retrying does not help."""

    code = "LimitExceeded"


class DeleteConflictError(IamError):
    """The entity is still in use (what holds it is in PreconditionFailure)."""

    code = "DeleteConflict"


class PasswordPolicyViolationError(IamError):
    """The password does not meet the account's password policy (AWS's default one when the
    account has none); the rule it fails is in the field violations."""

    code = "PasswordPolicyViolation"


class UnmodifiableEntityError(IamError):
    """The entity is AWS's to change, not the account's: a service-linked role (DeleteRole,
    UpdateAssumeRolePolicy, its policies and boundary)."""

    code = "UnmodifiableEntity"


class InvalidUserTypeError(IamError):
    """The operation is not for this kind of principal (ChangePassword by the root user or a role)."""

    code = "InvalidUserType"


class EntityTemporarilyUnmodifiableError(IamError):
    """The entity cannot be changed now (ChangePassword while the user must reset its password
    through its administrator)."""

    code = "EntityTemporarilyUnmodifiable"


class DuplicateSSHPublicKeyError(IamError):
    """The SSH public key is already associated with the user (UploadSSHPublicKey)."""

    code = "DuplicateSSHPublicKey"


class InvalidPublicKeyError(IamError):
    """The public key is malformed or otherwise invalid (not RSA, under 2048 bits, unreadable)."""

    code = "InvalidPublicKey"


class UnrecognizedPublicKeyEncodingError(IamError):
    """The public key's encoding is unsupported or unrecognized (neither ssh-rsa nor PEM)."""

    code = "UnrecognizedPublicKeyEncoding"


class MalformedCertificateError(IamError):
    """The certificate (or a server certificate's chain or private key) is malformed or expired."""

    code = "MalformedCertificate"


class InvalidCertificateError(IamError):
    """The certificate is invalid (UploadSigningCertificate: not yet valid, or a key that is not RSA)."""

    code = "InvalidCertificate"


class DuplicateCertificateError(IamError):
    """The same signing certificate is already associated with an IAM user in the account."""

    code = "DuplicateCertificate"


class KeyPairMismatchError(IamError):
    """UploadServerCertificate: the public key certificate and the private key do not match."""

    code = "KeyPairMismatch"


class ConcurrentModificationError(IamError):
    """Another change to the same entity won the race; retry."""

    code = "ConcurrentModification"


class PolicyNotAttachableError(IamError):
    """The policy cannot be attached (it is not a managed policy of this account, nor AWS's)."""

    code = "PolicyNotAttachable"


class AccessDeniedError(IamError):
    """The caller's policies do not allow the call's IAM action on its resource."""

    code = "AccessDenied"


class MissingAuthenticationTokenError(IamError):
    """The request carried no signature at all."""

    code = "MissingAuthenticationToken"


class InvalidClientTokenIdError(IamError):
    """The access key id (or session token) does not exist, or the key is inactive."""

    code = "InvalidClientTokenId"


class SignatureDoesNotMatchError(IamError):
    """The SigV4 signature is not the one the secret key makes for this request."""

    code = "SignatureDoesNotMatch"


class IncompleteSignatureError(IamError):
    """The signature metadata is present but malformed."""

    code = "IncompleteSignature"


class RequestExpiredError(IamError):
    """The request's timestamp is more than five minutes from the server's clock."""

    code = "RequestExpired"


class ExpiredTokenError(IamError):
    """The session credentials have expired or were revoked."""

    code = "ExpiredToken"


class InvalidIdentityTokenError(IamError):
    """STS: the web identity token could not be validated (malformed, not signed by the provider's
    keys, an issuer with no OIDC provider in the role's account, an audience not registered)."""

    code = "InvalidIdentityToken"


class ExpiredWebIdentityTokenError(IamError):
    """STS: the web identity token is past its `exp` (beyond the clock skew AWS allows)."""

    code = "ExpiredTokenException"


class IdpRejectedClaimError(IamError):
    """STS: a claim of the web identity token is not acceptable (AWS's IDPRejectedClaim)."""

    code = "IDPRejectedClaim"


class IdpCommunicationError(IamError):
    """STS: the identity provider's keys could not be fetched (unreachable, or not an answer)."""

    code = "IDPCommunicationError"


class InvalidAuthorizationMessageError(IamError):
    """STS DecodeAuthorizationMessage: the message is not one iamd encoded for the caller's account
    (altered, truncated, another account's, or encoded before a key rotation)."""

    code = "InvalidAuthorizationMessageException"


class InvalidAuthenticationCodeError(IamError):
    """EnableMFADevice: the authentication codes were not recognized (IAM API reference: HTTP 403)."""

    code = "InvalidAuthenticationCode"


class ServiceUnavailableError(IamError):
    """iamd cannot serve the call now (its store, its projection falling behind, shutdown); retry."""

    code = "ServiceUnavailable"


class ServiceFailureError(IamError):
    """An internal failure, logged with the request id."""

    code = "ServiceFailure"


class ReportNotPresentError(IamError):
    """GetCredentialReport before GenerateCredentialReport."""

    code = "ReportNotPresent"


class ReportExpiredError(IamError):
    """The credential report is older than four hours: generate it again."""

    code = "ReportExpired"


class ThrottlingError(IamError):
    """Past a bound on in-flight work: retry after a short back-off (AWS's `Throttling`)."""

    code = "Throttling"


# --- AWS Organizations' codes ------------------------------------------------------------------
# The conditions of the IAM classes they extend, named as AWS Organizations names them; a caller
# catching the IAM class (NoSuchEntityError, ...) still catches them.
class OrganizationsNotInUseError(InvalidInputError):
    """Organizations: the account is not in an organization."""

    code = "AWSOrganizationsNotInUseException"


class AlreadyInOrganizationError(EntityAlreadyExistsError):
    """Organizations: the account already belongs to an organization."""

    code = "AlreadyInOrganizationException"


class AccountNotFoundError(NoSuchEntityError):
    """Organizations: no account of the organization has that id."""

    code = "AccountNotFoundException"


class ParentNotFoundError(NoSuchEntityError):
    """Organizations: no root or organizational unit has that id."""

    code = "ParentNotFoundException"


class SourceParentNotFoundError(NoSuchEntityError):
    """Organizations: MoveAccount's source parent does not exist."""

    code = "SourceParentNotFoundException"


class DestinationParentNotFoundError(NoSuchEntityError):
    """Organizations: MoveAccount's destination parent does not exist."""

    code = "DestinationParentNotFoundException"


class OrganizationalUnitNotFoundError(NoSuchEntityError):
    """Organizations: no organizational unit has that id."""

    code = "OrganizationalUnitNotFoundException"


class ChildNotFoundError(NoSuchEntityError):
    """Organizations: the account or OU is not a child of that parent."""

    code = "ChildNotFoundException"


class PolicyNotFoundError(NoSuchEntityError):
    """Organizations: no SCP or RCP has that id."""

    code = "PolicyNotFoundException"


class TargetNotFoundError(NoSuchEntityError):
    """Organizations: no root, OU or account has that id."""

    code = "TargetNotFoundException"


class PolicyNotAttachedError(NoSuchEntityError):
    """Organizations: the policy is not attached to that target."""

    code = "PolicyNotAttachedException"


class DuplicateOrganizationalUnitError(EntityAlreadyExistsError):
    """Organizations: the parent already has an OU of that name."""

    code = "DuplicateOrganizationalUnitException"


class DuplicatePolicyError(EntityAlreadyExistsError):
    """Organizations: a policy of that name already exists."""

    code = "DuplicatePolicyException"


class DuplicatePolicyAttachmentError(EntityAlreadyExistsError):
    """Organizations: the policy is already attached to that target."""

    code = "DuplicatePolicyAttachmentException"


class DuplicateAccountError(EntityAlreadyExistsError):
    """Organizations: the account already exists."""

    code = "DuplicateAccountException"


class OrganizationalUnitNotEmptyError(DeleteConflictError):
    """Organizations: the OU still holds accounts or OUs."""

    code = "OrganizationalUnitNotEmptyException"


class PolicyInUseError(DeleteConflictError):
    """Organizations: the policy is still attached to a target."""

    code = "PolicyInUseException"


class ConstraintViolationError(DeleteConflictError):
    """An organization rule, e.g. a target's last SCP cannot be detached."""

    code = "ConstraintViolationException"


class CreateAccountStatusNotFoundError(NoSuchEntityError):
    """Organizations: no CreateAccount request of the organization has that id."""

    code = "CreateAccountStatusNotFoundException"


class PolicyTypeAlreadyEnabledError(EntityAlreadyExistsError):
    """Organizations: EnablePolicyType of a policy type the root already has enabled."""

    code = "PolicyTypeAlreadyEnabledException"


class PolicyTypeNotEnabledError(InvalidInputError):
    """Organizations: the policy type is not enabled at the root (attaching, or disabling, one)."""

    code = "PolicyTypeNotEnabledException"


class PolicyTypeNotAvailableForOrganizationError(InvalidInputError):
    """Organizations: a policy type the organization cannot use (iamd has SCPs and RCPs)."""

    code = "PolicyTypeNotAvailableForOrganizationException"


class RootNotFoundError(NoSuchEntityError):
    """Organizations: no root of the organization has that id."""

    code = "RootNotFoundException"


class AccountAlreadyRegisteredError(EntityAlreadyExistsError):
    """Organizations: the account is already a delegated administrator for that service."""

    code = "AccountAlreadyRegisteredException"


class AccountNotRegisteredError(NoSuchEntityError):
    """Organizations: the account is not a delegated administrator (for that service)."""

    code = "AccountNotRegisteredException"


class OrganizationNotEmptyError(DeleteConflictError):
    """Organizations: DeleteOrganization while member accounts remain."""

    code = "OrganizationNotEmptyException"


class MasterCannotLeaveOrganizationError(DeleteConflictError):
    """Organizations: LeaveOrganization by the management account."""

    code = "MasterCannotLeaveOrganizationException"



class HandshakeAlreadyInStateError(EntityAlreadyExistsError):
    """Organizations: the handshake is already in the state asked for (an accepted invitation accepted)."""

    code = "HandshakeAlreadyInStateException"


class HandshakeConstraintViolationError(DeleteConflictError):
    """Organizations: the handshake would break a rule of the organization, named in the reason."""

    code = "HandshakeConstraintViolationException"


class DuplicateHandshakeError(EntityAlreadyExistsError):
    """Organizations: an open invitation of the organization to that account already exists."""

    code = "DuplicateHandshakeException"


class HandshakeNotFoundError(NoSuchEntityError):
    """Organizations: no handshake the caller is a party to has that id."""

    code = "HandshakeNotFoundException"


class InvalidHandshakeTransitionError(DeleteConflictError):
    """Organizations: the handshake's state does not allow it (accepting a declined invitation)."""

    code = "InvalidHandshakeTransitionException"


class EffectivePolicyNotFoundError(NoSuchEntityError):
    """Organizations: no management policy of the type applies to the account (DescribeEffectivePolicy)."""

    code = "EffectivePolicyNotFoundException"


class AccountAlreadyClosedError(DeleteConflictError):
    """Organizations: the account is already closed (CloseAccount of a SUSPENDED account)."""

    code = "AccountAlreadyClosedException"


class ConflictError(DeleteConflictError):
    """Organizations: the request conflicts with the resource's state (CloseAccount while the account's
    closure is in progress)."""

    code = "ConflictException"


class ResourcePolicyNotFoundError(NoSuchEntityError):
    """Organizations: the organization has no resource policy."""

    code = "ResourcePolicyNotFoundException"


# --- IAM's centralized root access for member accounts (the IAM API reference's Errors of
# Enable/DisableOrganizationsRoot*, ListOrganizationsFeatures) ---------------------------------
class OrganizationNotFoundError(DeleteConflictError):
    """IAM's centralized root access: the caller's account is in no organization."""

    code = "OrganizationNotFoundException"


class OrganizationNotInAllFeaturesModeError(DeleteConflictError):
    """IAM's centralized root access: the organization does not have all features enabled."""

    code = "OrganizationNotInAllFeaturesModeException"


class ServiceAccessNotEnabledError(DeleteConflictError):
    """IAM's centralized root access: trusted access for iam.amazonaws.com is not enabled."""

    code = "ServiceAccessNotEnabledException"


class AccountNotManagementOrDelegatedAdministratorError(DeleteConflictError):
    """IAM's centralized root access: the caller's account is neither the management account nor a
    delegated administrator for IAM."""

    code = "AccountNotManagementOrDelegatedAdministratorException"


class CallerIsNotManagementAccountError(DeleteConflictError):
    """IAM's centralized root access: only the management account may enable a feature."""

    code = "CallerIsNotManagementAccountException"


ROOT_ACCESS_ERRORS: tuple[type[IamError], ...] = (
    OrganizationNotFoundError, OrganizationNotInAllFeaturesModeError, ServiceAccessNotEnabledError,
    AccountNotManagementOrDelegatedAdministratorError, CallerIsNotManagementAccountError,
)


# --- IAM's outbound identity federation and STS GetWebIdentityToken (the API references' Errors) ---
class FeatureEnabledError(EntityAlreadyExistsError):
    """IAM outbound identity federation: already enabled for the account."""

    code = "FeatureEnabled"


class FeatureDisabledError(DeleteConflictError):
    """IAM outbound identity federation: not enabled for the account."""

    code = "FeatureDisabled"


class OutboundWebIdentityFederationDisabledError(DeleteConflictError):
    """STS GetWebIdentityToken: outbound identity federation is not enabled for the caller's account."""

    code = "OutboundWebIdentityFederationDisabledException"


class SessionDurationEscalationError(InvalidInputError):
    """STS GetWebIdentityToken: the token would outlive the calling session."""

    code = "SessionDurationEscalationException"


class JWTPayloadSizeExceededError(InvalidInputError):
    """STS GetWebIdentityToken: the token's payload would exceed its maximum size (request tags)."""

    code = "JWTPayloadSizeExceededException"


OUTBOUND_FEDERATION_ERRORS: tuple[type[IamError], ...] = (
    FeatureEnabledError, FeatureDisabledError, OutboundWebIdentityFederationDisabledError,
    SessionDurationEscalationError, JWTPayloadSizeExceededError,
)


# --- STS GetScopedCredentials (the API reference's Errors) ---
class InsufficientSessionLifetimeError(InvalidInputError):
    """STS GetScopedCredentials: the requested DurationSeconds is longer than what remains of the
    calling session."""

    code = "InsufficientSessionLifetime"


class InvalidSubjectCredentialsError(InvalidInputError):
    """STS GetScopedCredentials: the caller's credentials are long-term ones (an IAM user's or the
    root user's), not temporary security credentials."""

    code = "InvalidSubjectCredentials"


SCOPED_CREDENTIALS_ERRORS: tuple[type[IamError], ...] = (
    InsufficientSessionLifetimeError, InvalidSubjectCredentialsError,
)


ORGANIZATIONS_ERRORS: tuple[type[IamError], ...] = (
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
)

ALL_ERRORS: tuple[type[IamError], ...] = (
    NoSuchEntityError,
    EntityAlreadyExistsError,
    MalformedPolicyDocumentError,
    InvalidInputError,
    ValidationError,
    LimitExceededError,
    DeleteConflictError,
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
    *ORGANIZATIONS_ERRORS,
    *ROOT_ACCESS_ERRORS,
    *OUTBOUND_FEDERATION_ERRORS,
    *SCOPED_CREDENTIALS_ERRORS,
)
