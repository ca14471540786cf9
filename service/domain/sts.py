"""STS rules that need no I/O: AssumeRole's, GetSessionToken's, GetFederationToken's and
GetScopedCredentials' parameters, durations, tags.

Limits from REFERENCE.md C6 (botocore's AssumeRoleRequest) and AWS's error wording.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import names
from .errors import (
    AccessDeniedError,
    FieldProblem,
    InsufficientSessionLifetimeError,
    InvalidInputError,
    InvalidSubjectCredentialsError,
    LimitExceededError,
    ValidationError,
    validation_error,
)

MIN_DURATION, MAX_DURATION, DEFAULT_DURATION = 900, 43200, 3600
CHAINED_MAX_DURATION = 3600  # role chaining caps a session at one hour
SESSION_TOKEN_MAX_DURATION = {"user": 129600, "root": 3600}  # GetSessionToken
FEDERATION_MAX_DURATION, FEDERATION_DEFAULT_DURATION, FEDERATION_ROOT_DURATION = 129600, 43200, 3600
MAX_SESSION_POLICY_CHARS = 2048
MAX_POLICY_ARNS = 10
MAX_SESSION_TAGS = 50
SCOPED_MAX_DURATION = 129600  # GetScopedCredentials' DurationSeconds: 1-129600 (36 hours)
MAX_SCOPE_DOWN_POLICIES = 3  # scope-down policy layers one session may carry (ScopedPoliciesCount)

_NAME_CHARS = re.compile(r"[\w+=,.@-]*", re.ASCII)
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)
_SOURCE_IDENTITY = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
_SERIAL = re.compile(r"[\w+=/:,.@-]{9,256}", re.ASCII)
_SCOPED_DESCRIPTION = re.compile(r"[\t\n\r\x20-\x7e\xa1-\xff]*")


def _check_name(field: str, name: str, longest: int) -> str:
    """AWS's validation of a session or federated name: length first, then the pattern, each
    with its own wording (the model's min/max and pattern constraints)."""
    if len(name) > longest:
        raise validation_error(field, name, f"Member must have length less than or equal to {longest}")
    if len(name) < 2:
        raise validation_error(field, name, "Member must have length greater than or equal to 2")
    if not _NAME_CHARS.fullmatch(name):
        raise validation_error(field, name, r"Member must satisfy regular expression pattern: [\w+=,.@-]*")
    return name


def check_session_name(name: str) -> str:
    return _check_name("roleSessionName", name, 64)


def check_federated_name(name: str) -> str:
    return _check_name("name", name, 32)


def _check_range(field: str, seconds: int, low: int, high: int) -> None:
    """AWS's wording for a number out of the model's range (one bound named, as AWS does)."""
    if seconds < low:
        raise validation_error(field, str(seconds), f"Member must have value greater than or equal to {low}")
    if seconds > high:
        raise validation_error(field, str(seconds), f"Member must have value less than or equal to {high}")


def check_federation_duration(seconds: int, *, caller_kind: str) -> int:
    """GetFederationToken's lifetime: 900-129600 s, 12 h by default; a root caller's session is
    cut to one hour rather than refused (AWS's documented behaviour)."""
    seconds = seconds or FEDERATION_DEFAULT_DURATION
    _check_range("durationSeconds", seconds, MIN_DURATION, FEDERATION_MAX_DURATION)
    return min(seconds, FEDERATION_ROOT_DURATION) if caller_kind == "root" else seconds


def check_duration(seconds: int, *, role_max: int, chained: bool) -> int:
    """The session's lifetime: AssumeRole's DurationSeconds rules, chaining included."""
    seconds = seconds or DEFAULT_DURATION
    _check_range("durationSeconds", seconds, MIN_DURATION, MAX_DURATION)
    if chained and seconds > CHAINED_MAX_DURATION:
        raise ValidationError(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
            problems=[FieldProblem("durationSeconds", "at most 3600 when chaining roles")])
    if seconds > role_max:
        raise ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                              problems=[FieldProblem("durationSeconds", f"at most {role_max} for this role")])
    return seconds


def check_session_token_duration(seconds: int, *, caller_kind: str) -> int:
    """GetSessionToken's lifetime: 900-129600 s, 12 h by default; the root user's session is cut
    to one hour rather than refused (STS API reference, GetSessionToken `DurationSeconds`)."""
    seconds = seconds or 43200
    _check_range("durationSeconds", seconds, MIN_DURATION, SESSION_TOKEN_MAX_DURATION["user"])
    return min(seconds, SESSION_TOKEN_MAX_DURATION["root"]) if caller_kind == "root" else seconds


def check_external_id(external_id: str) -> str:
    if external_id and not _EXTERNAL_ID.fullmatch(external_id):
        raise validation_error("externalId", "***", r"Member must satisfy regular expression pattern: [\w+=,.@:\/-]*")
    return external_id


def check_source_identity(source_identity: str, inherited: str) -> str:
    """A new session's source identity: set once, then carried unchanged through role chains."""
    if source_identity:
        if not _SOURCE_IDENTITY.fullmatch(source_identity) or source_identity.lower().startswith("aws:"):
            raise validation_error(
                "sourceIdentity", source_identity,
                r"Member must satisfy regular expression pattern: [\w+=,.@-]*, not starting with aws:")
        if inherited and source_identity != inherited:
            raise InvalidInputError("the source identity of a session cannot be changed in a role chain",
                                    problems=[FieldProblem("sourceIdentity", f"must be `{inherited}`")])
    return source_identity or inherited


def check_mfa(serial_number: str, token_code: str) -> None:
    if bool(serial_number) != bool(token_code):
        raise InvalidInputError("SerialNumber and TokenCode go together",
                                problems=[FieldProblem("tokenCode" if serial_number else "serialNumber", "required")])
    if serial_number and not _SERIAL.fullmatch(serial_number):
        raise validation_error("serialNumber", serial_number, "Member must have length between 9 and 256")
    if token_code and not (len(token_code) == 6 and token_code.isdigit()):
        raise validation_error("tokenCode", "***", "Member must satisfy regular expression pattern: [\\d]*, length 6")


def check_session_policy_size(inline: str, managed_arns: Sequence[str]) -> int:
    """PackedPolicySize: the percentage of the session-policy allowance used (AWS's own measure)."""
    if len(managed_arns) > MAX_POLICY_ARNS:
        raise validation_error("policyArns", str(len(managed_arns)),
                               f"Member must have length less than or equal to {MAX_POLICY_ARNS}")
    used = len(inline) + sum(len(a) for a in managed_arns)
    if used > MAX_SESSION_POLICY_CHARS:
        raise ValidationError(
            f"1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length "
            f"less than or equal to {MAX_SESSION_POLICY_CHARS}", problems=[FieldProblem("policy", "too long")])
    return (used * 100 + MAX_SESSION_POLICY_CHARS - 1) // MAX_SESSION_POLICY_CHARS


@dataclass(frozen=True)
class SessionTags:
    tags: dict[str, str]
    transitive_keys: list[str]


def merge_session_tags(requested: Sequence[tuple[str, str]], transitive_keys: Sequence[str],
                       inherited_transitive: Mapping[str, str]) -> SessionTags:
    """Session tags of a new session: the caller's transitive tags, then the requested ones.

    A transitive tag from the calling session cannot be overridden (AWS refuses the call), and
    every key named transitive must be one of the request's tags.
    """
    tags = names.check_tags("tags", requested)
    if len(tags) > MAX_SESSION_TAGS:
        raise LimitExceededError(f"Cannot exceed quota for SessionTags: {MAX_SESSION_TAGS}", quota="SessionTags")
    lowered = {k.lower(): k for k in tags}
    for key in inherited_transitive:
        if key.lower() in lowered:
            raise InvalidInputError(f"the tag `{key}` is transitive from the calling session and cannot be changed",
                                    problems=[FieldProblem("tags", f"`{key}` is transitive")])
    if len(transitive_keys) > MAX_SESSION_TAGS:
        raise LimitExceededError("Cannot exceed quota for TransitiveTagKeys: 50", quota="TransitiveTagKeys")
    for i, key in enumerate(transitive_keys, start=1):
        names.check_tag_key(f"transitiveTagKeys.member.{i}", key)
        if key.lower() not in lowered:
            raise InvalidInputError(f"transitive tag key `{key}` is not one of the session tags",
                                    problems=[FieldProblem("transitiveTagKeys", f"`{key}` is not a tag")])
    merged = {**inherited_transitive, **tags}
    transitive = [*inherited_transitive, *(lowered[k.lower()] for k in transitive_keys)]
    return SessionTags(merged, transitive)


def effective_principal_tags(role_tags: Mapping[str, str], session_tags: Mapping[str, str]) -> dict[str, str]:
    """aws:PrincipalTag of a role session: session tags override role tags case-insensitively."""
    overridden = {k.lower() for k in session_tags}
    return {**{k: v for k, v in role_tags.items() if k.lower() not in overridden}, **session_tags}


def session_arn(account_id: str, role_name: str, session_name: str) -> str:
    return f"arn:aws:sts::{account_id}:assumed-role/{role_name}/{session_name}"


def federated_user_arn(account_id: str, name: str) -> str:
    return f"arn:aws:sts::{account_id}:federated-user/{name}"


# --- GetScopedCredentials ---------------------------------------------------------------------------

def check_subject_session(session: Mapping[str, object] | None) -> Mapping[str, object]:
    """The calling session GetScopedCredentials scopes down: temporary credentials only (STS API
    reference: "You cannot call it with IAM user credentials or root credentials")."""
    if session is None:
        raise InvalidSubjectCredentialsError(
            "GetScopedCredentials must be called with temporary security credentials; to scope down an IAM "
            "user's credentials, call GetSessionToken first and GetScopedCredentials with its credentials.")
    return session


def check_scoped_request(policy: str, duration_seconds: int, description: str) -> None:
    """GetScopedCredentials' parameters as the model bounds them: Policy or DurationSeconds (at
    least one), DurationSeconds 1-129600, ScopedSessionDescription 2-256 of its pattern."""
    if not policy and not duration_seconds:
        raise ValidationError("A request must provide at least one of Policy or DurationSeconds.",
                              problems=[FieldProblem("policy", "Policy or DurationSeconds is required")])
    if duration_seconds:
        _check_range("durationSeconds", duration_seconds, 1, SCOPED_MAX_DURATION)
    if description:
        if len(description) > 256:
            raise validation_error("scopedSessionDescription", description,
                                   "Member must have length less than or equal to 256")
        if len(description) < 2:
            raise validation_error("scopedSessionDescription", description,
                                   "Member must have length greater than or equal to 2")
        if not _SCOPED_DESCRIPTION.fullmatch(description):
            raise validation_error("scopedSessionDescription", description,
                                   r"Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u007E"
                                   r"\u00A1-\u00FF]*")


def scoped_policies_count(inherited: int, adds_policy: bool, caller_arn: str) -> int:
    """The scope-down layers of the new session: the caller's, and one more for a Policy; a fourth
    is denied (STS API reference, ScopedPoliciesCount: "A maximum of 3 scope down policy layers are
    allowed per session")."""
    if not adds_policy:
        return inherited
    if inherited >= MAX_SCOPE_DOWN_POLICIES:
        raise AccessDeniedError(
            f"User: {caller_arn} is not authorized to perform: sts:GetScopedCredentials: the session already has "
            f"{MAX_SCOPE_DOWN_POLICIES} scope down policies, the most a session may have")
    return inherited + 1


def scoped_expiry(now: datetime, caller_expires: datetime, duration_seconds: int) -> datetime:
    """When the scoped credentials expire: the caller's expiry when no DurationSeconds is given,
    else `now` plus it, which must not pass the caller's expiry (InsufficientSessionLifetime)."""
    if not duration_seconds:
        return caller_expires
    expires = now + timedelta(seconds=duration_seconds)
    if expires > caller_expires:
        remaining = max(0, int((caller_expires - now).total_seconds()))
        raise InsufficientSessionLifetimeError(
            f"The requested DurationSeconds ({duration_seconds}) is greater than the remaining lifetime of the "
            f"calling session ({remaining} seconds). GetScopedCredentials cannot extend a session beyond its "
            f"original expiration.",
            problems=[FieldProblem("durationSeconds", f"at most {remaining}")])
    return expires
