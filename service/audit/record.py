"""CloudTrail-shaped audit records (REFERENCE.md B1, B2): one per RPC and per Authorize decision.

Pure: the interceptor hands in what it knows of a call (already converted to plain data) and
gets back the record. Secrets are replaced before anything is kept: access-key secrets, session
tokens, MFA seeds and codes, and request signatures never reach a record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

EVENT_VERSION = "1.11"
REGION = "us-east-1"
HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"
# Field names (as protobuf's JSON mapping spells them) whose values are secrets.
SECRET_FIELDS = frozenset({
    "secretAccessKey", "sessionToken", "tokenCode", "authenticationCode1", "authenticationCode2",
    "base32StringSeed", "provisioningUri", "headers", "body",
})
EVENT_SOURCES = {"IdentityService": "iam.amazonaws.com", "SecurityTokenService": "sts.amazonaws.com",
                 "AuthorizationService": "iamd.amazonaws.com", "AuditService": "cloudtrail.amazonaws.com",
                 "OrganizationsService": "organizations.amazonaws.com"}
READ_ONLY_PREFIXES = ("Get", "List", "Lookup", "Simulate", "Authorize", "Describe")


def redact(value: Any) -> Any:
    """A copy of request/response data with every secret field's value hidden."""
    if isinstance(value, Mapping):
        return {k: (HIDDEN if k in SECRET_FIELDS and v not in ("", None) else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


@dataclass(frozen=True)
class CallFacts:
    """What the interceptor knows of one finished call."""

    event_id: str
    request_id: str
    event_time: str  # ISO 8601 UTC, when the call completed
    service: str  # "IdentityService", ...
    rpc: str  # "CreateUser", ...
    source_ip: str
    user_agent: str
    request: Mapping[str, Any]
    response: Mapping[str, Any] | None = None
    error_code: str = ""
    error_message: str = ""
    caller: Mapping[str, Any] | None = None  # arn, account_id, kind, name, principal_id, access_key_id, session
    recipient_account_id: str = ""
    resources: list[dict[str, str]] = field(default_factory=list)
    additional: Mapping[str, Any] | None = None  # Authorize: decision, statements, context, position


def is_read_only(rpc: str) -> bool:
    return rpc.startswith(READ_ONLY_PREFIXES)


def user_identity(caller: Mapping[str, Any] | None) -> dict[str, Any]:
    """CloudTrail's userIdentity for an authenticated caller (or an unauthenticated one)."""
    if caller is None:
        return {"type": "Unknown"}
    kind, account_id = caller["kind"], caller["account_id"]
    identity: dict[str, Any] = {"principalId": caller["principal_id"], "arn": caller["arn"],
                                "accountId": account_id, "accessKeyId": caller["access_key_id"]}
    session = caller.get("session")
    if kind == "root":
        identity = {"type": "Root", **identity}
    elif kind == "user":
        identity = {"type": "IAMUser", **identity, "userName": caller["name"]}
    elif kind == "federated-user":
        identity = {"type": "FederatedUser", **identity}
    else:
        identity = {"type": "AssumedRole", **identity}
    if session is not None:
        context: dict[str, Any] = {"attributes": {
            "creationDate": session["issued_at"],
            "mfaAuthenticated": "true" if session["mfa_authenticated"] else "false"}}
        if session.get("source_identity"):
            context["sourceIdentity"] = session["source_identity"]
        if kind == "assumed-role":
            role_arn = session["role_arn"]
            context["sessionIssuer"] = {"type": "Role", "principalId": session["principal_id"].split(":")[0],
                                        "arn": role_arn, "accountId": account_id,
                                        "userName": role_arn.rsplit("/", 1)[-1]}
        elif kind == "federated-user":  # the IAM user (or root) that federated it
            issuer = session["issued_to"]
            context["sessionIssuer"] = {"type": "Root" if issuer.endswith(":root") else "IAMUser",
                                        "principalId": session.get("issued_to_id", ""), "arn": issuer,
                                        "accountId": account_id}
            if not issuer.endswith(":root"):
                context["sessionIssuer"]["userName"] = issuer.rsplit("/", 1)[-1]
        identity["sessionContext"] = context
    return identity


def build_record(facts: CallFacts) -> dict[str, Any]:
    """The CloudTrail record of one call, secrets redacted."""
    read_only = is_read_only(facts.rpc)
    record: dict[str, Any] = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": user_identity(facts.caller),
        "eventTime": facts.event_time,
        "eventSource": EVENT_SOURCES.get(facts.service, "iamd.amazonaws.com"),
        "eventName": facts.rpc,
        "awsRegion": REGION,
        "sourceIPAddress": facts.source_ip,
        "userAgent": facts.user_agent,
        "requestParameters": redact(dict(facts.request)) or None,
        # CloudTrail keeps responses of mutating calls only.
        "responseElements": None if read_only or facts.response is None else redact(dict(facts.response)),
        "requestID": facts.request_id,
        "eventID": facts.event_id,
        "readOnly": read_only,
        "resources": facts.resources,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "eventCategory": "Management",
        "recipientAccountId": facts.recipient_account_id or (facts.caller or {}).get("account_id", ""),
    }
    if facts.error_code:
        record["errorCode"] = facts.error_code
        record["errorMessage"] = facts.error_message
    if facts.additional:
        record["additionalEventData"] = redact(dict(facts.additional))
    return record
