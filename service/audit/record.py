"""CloudTrail-shaped audit records (REFERENCE.md B1, B2): one per RPC and per Authorize decision.

What the hot path stores is a compact *fact* (`call_fact`): the call's identifiers, the caller's
userIdentity, the request (and a mutating call's response) as redacted protobuf bytes, the
outcome, and for Authorize the decision in a few short fields. The CloudTrail record users read
is rendered from it on lookup and export (`render`), deterministically, so digests cover the
stored bytes. Records written before facts existed (and those recovery rebuilds) are stored
whole and render as themselves.

Pure: the caller hands in plain data and a decoder for the protobuf bytes. Secrets are replaced
before anything is kept: access-key secrets, session tokens, MFA seeds and codes, and request
signatures never reach a record.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

EVENT_VERSION = "1.11"
REGION = "us-east-1"
HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"
# Field names (as protobuf's JSON mapping spells them) whose values are secrets.
SECRET_FIELDS = frozenset({
    "secretAccessKey", "sessionToken", "tokenCode", "authenticationCode1", "authenticationCode2",
    "base32StringSeed", "provisioningUri", "headers", "body",
    "qRCodePNG", "QRCodePNG",  # a virtual MFA device's QR code: a picture of its otpauth:// URI, seed included
    "webIdentityToken",  # AssumeRoleWithWebIdentity's credential
    "samlAssertion", "sAMLAssertion",  # AssumeRoleWithSAML's (the gRPC field's JSON name; CloudTrail's)
    "password", "oldPassword", "newPassword",  # console passwords (login profiles)
    "privateKey",  # UploadServerCertificate's private key
    "addPrivateKey",  # Create/UpdateSAMLProvider's private key for encrypted assertions
    "servicePassword",  # a service-specific credential's password (Create/ResetServiceSpecificCredential)
})
EVENT_SOURCES = {"IdentityService": "iam.amazonaws.com", "SecurityTokenService": "sts.amazonaws.com",
                 "AuthorizationService": "iamd.amazonaws.com", "AuditService": "cloudtrail.amazonaws.com",
                 "OrganizationsService": "organizations.amazonaws.com"}
# Calls that are another AWS service's operation, whatever iamd service serves them.
EVENT_SOURCES_BY_RPC = {"ValidatePolicy": "access-analyzer.amazonaws.com",
                        **{rpc: "iam.amazonaws.com" for rpc in (  # IAM's operations, served beside Authorize
                            "SimulateCustomPolicy", "SimulatePrincipalPolicy", "GetContextKeysForCustomPolicy",
                            "GetContextKeysForPrincipalPolicy")}}
READ_ONLY_PREFIXES = ("Get", "List", "Lookup", "Simulate", "Authorize", "Describe")
# DecodeAuthorizationMessage reads: its answer (a refusal's details) is not kept in the record.
READ_ONLY_RPCS = frozenset({"ValidatePolicy", "DecodeAuthorizationMessage"})


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
    return rpc.startswith(READ_ONLY_PREFIXES) or rpc in READ_ONLY_RPCS


def source_of(service: str, rpc: str) -> str:
    """CloudTrail's eventSource of a call: the AWS service whose operation it is."""
    return EVENT_SOURCES_BY_RPC.get(rpc) or EVENT_SOURCES.get(service, "iamd.amazonaws.com")


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
        if ":oidc-provider/" in session.get("federated_provider", ""):  # a session from AssumeRoleWithWebIdentity
            context["webIdFederationData"] = {"federatedProvider": session["federated_provider"], "attributes": {}}
        if session["kind"] == "root":  # a privileged session of STS AssumeRoot (centralized root access)
            context["assumedRoot"] = "true"
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


def build_record(facts: CallFacts, identity: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The CloudTrail record of one call, secrets redacted (`identity`: its userIdentity, if known)."""
    read_only = is_read_only(facts.rpc)
    record: dict[str, Any] = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": dict(identity) if identity is not None else user_identity(facts.caller),
        "eventTime": facts.event_time,
        "eventSource": source_of(facts.service, facts.rpc),
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


# --- compact facts ---------------------------------------------------------------------------------

FACT_TYPE = "AuditFact"
FACT_VERSION = 2
# CloudTrail keeps requestParameters and responseElements up to 100 KB; iamd keeps the bytes of a
# request or response up to 64 KiB (their JSON rendering is larger), and of an unauthenticated
# call only 2 KiB: an anonymous caller cannot make the log grow by more than a few KB a call.
MAX_RECORDED_BYTES = 64 * 1024
MAX_UNAUTHENTICATED_BYTES = 2 * 1024
MAX_TEXT = 1024  # userAgent, errorMessage: CloudTrail's 1 KB
# An AuthorizeBatch's decisions (up to 1,000, each naming a principal and a resource of up to
# 2,048 characters): past this the first that fit are kept and the rest counted, so that a record
# stays bounded and fits a store's largest append (KurrentDB's 1 MiB) beside its request.
MAX_DECISIONS_BYTES = 512 * 1024

# decision = (decision name, principal, action, resource, determining statements, blocked by,
#             evaluated at position); a statement = (policy id, type, version, sid, index, effect)
DecisionFact = tuple[str, str, str, str, Sequence[Sequence[Any]], Sequence[str], int]
# rpc name, "request" or "response", bytes -> the message as CloudTrail-style plain data
Decoder = Callable[[str, str, bytes, str], dict[str, Any]]  # (rpc, part, bytes, event name) -> data


def omitted(data: bytes) -> dict[str, Any]:
    """What is kept of bytes not kept: their size and hash."""
    return {"omitted": True, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def bounded_bytes(data: bytes, limit: int) -> str | dict[str, Any]:
    """The bytes as base64, or past `limit` a marker with their size and hash (never the bytes)."""
    return base64.b64encode(data).decode() if len(data) <= limit else omitted(data)


def _text(value: str) -> str:
    return value if len(value) <= MAX_TEXT else value[:MAX_TEXT]


# AWS's validation message quotes what it refuses ("Value 'V' at 'FIELD' failed to satisfy ..."),
# and a secret field's value is a secret whatever its length (a mistyped MFA code holds the code).
_QUOTED_SECRET = re.compile(r"' at '(?:[^']*\.)?(?:" + "|".join(map(re.escape, sorted(SECRET_FIELDS))) + r")'")
_VALUE = "Value '"


def error_text(message: str) -> str:
    """An error message as a record keeps it: bounded, every quoted value of a secret field hidden
    (before the bound, which could cut a value from the field that names it)."""
    kept: list[str] = []
    done = 0
    for m in _QUOTED_SECRET.finditer(message):
        start = message.rfind(_VALUE, done, m.start())
        if start != -1:
            kept += [message[done:start + len(_VALUE)], HIDDEN]
        elif not kept:
            continue
        done = m.start()  # (no new value since the last one hidden: that value went on to here)
    return _text("".join(kept) + message[done:])


def kept(data: bytes, *, authenticated: bool) -> str | dict[str, Any]:
    """Redacted message bytes as a record keeps them: base64 within the bound of the caller's kind."""
    return bounded_bytes(data, MAX_RECORDED_BYTES if authenticated else MAX_UNAUTHENTICATED_BYTES)


def call_fact(*, event_id: str, request_id: str, event_time: str, service: str, rpc: str, source_ip: str,
              user_agent: str, user_identity: Mapping[str, Any] | None, request: str | Mapping[str, Any],
              response: bytes | None = None, error_code: str = "", error_message: str = "",
              resources: Sequence[str] = (), decisions: Sequence[DecisionFact] | None = None,
              batch: bool = False, event_name: str = "") -> dict[str, Any]:
    """The compact fact of one finished call: `request` as kept (see kept() and omitted()),
    `response` as redacted bytes. `event_name` is the AWS operation the call is, when its name is
    not the RPC's (AttachPolicy on a user is AttachUserPolicy): CloudTrail's eventName."""
    fact: dict[str, Any] = {
        "eventID": event_id, "eventTime": event_time, "eventName": event_name or rpc, "requestID": request_id,
        "service": service, "sourceIPAddress": source_ip, "userAgent": _text(user_agent),
        "userIdentity": user_identity, "request": request,
    }
    if event_name and event_name != rpc:
        fact["rpc"] = rpc  # the messages' type, to decode them
    if response is not None and not is_read_only(rpc):
        fact["response"] = kept(response, authenticated=user_identity is not None)
    if error_code:
        fact["errorCode"] = error_code
        fact["errorMessage"] = error_text(error_message)
    if resources:
        fact["resources"] = list(dict.fromkeys(resources))
    if decisions is not None:
        if batch:
            fact["decisions"] = kept_decisions = _bounded(decisions)
            if len(kept_decisions) < len(decisions):
                fact["decisionsOmitted"] = len(decisions) - len(kept_decisions)
        else:
            fact["decision"] = decisions[0]
    return fact


def _bounded(decisions: Sequence[DecisionFact]) -> list[DecisionFact]:
    """The decisions a batch's record keeps: the first whose text fits MAX_DECISIONS_BYTES."""
    try:  # nearly every batch is far under the bound: one C call says so (13 us for 100, not 81 us)
        if len(orjson.dumps(decisions)) <= MAX_DECISIONS_BYTES:
            return list(decisions)
    except TypeError:
        pass  # a value orjson does not take: the estimate below decides
    size = 0
    for i, d in enumerate(decisions):
        size += 64 + len(d[1]) + len(d[2]) + len(d[3]) + sum(16 + sum(len(str(v)) for v in s) for s in d[4])
        if size > MAX_DECISIONS_BYTES:
            return list(decisions[:i])
    return list(decisions)


def is_fact(stored: Mapping[str, Any]) -> bool:
    return "eventVersion" not in stored


def fact_summary(stored: Mapping[str, Any]) -> tuple[Mapping[str, Any], list[str], str]:
    """(userIdentity, resource ARNs, decision) of a stored record, without rendering it."""
    if not is_fact(stored):
        extra = stored.get("additionalEventData") or {}
        return (stored.get("userIdentity") or {}, [r["ARN"] for r in stored.get("resources") or []],
                str(extra.get("decision", "") or ""))
    decision = stored.get("decision")
    return stored.get("userIdentity") or {"type": "Unknown"}, list(stored.get("resources") or ()), \
        str(decision[0]) if decision else ""


def event_source(stored: Mapping[str, Any]) -> str:
    if not is_fact(stored):
        return str(stored["eventSource"])
    return source_of(stored["service"], stored["eventName"])


def is_read_only_record(stored: Mapping[str, Any]) -> bool:
    return bool(stored["readOnly"]) if not is_fact(stored) else is_read_only(stored["eventName"])


def _parameters(value: Any, rpc: str, part: str, decode: Decoder, event_name: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, dict):  # too large to keep: CloudTrail-style marker
        return {"omitted": True, "reason": "larger than iamd records", "size": value["size"],
                "sha256": value["sha256"]}
    return redact(decode(rpc, part, base64.b64decode(value), event_name)) or None


def _decision_data(d: Sequence[Any], context: Mapping[str, Any] | None) -> dict[str, Any]:
    name, principal, action, resource, statements, blocked, position = d[:7]
    entry: dict[str, Any] = {"decision": name, "principalArn": principal or None}
    if len(d) > 7 and d[7]:
        entry.update(d[7])  # servicePrincipal / anonymous
    entry.update({"action": action, "resource": resource,
                  "determiningStatements": [{"policyId": s[0], "policyType": s[1], "versionId": s[2], "sid": s[3],
                                             "statementIndex": s[4], "effect": s[5]} for s in statements],
                  "blockedBy": list(blocked)})
    if context is not None:
        entry["requestContext"] = context
    entry["evaluatedAtPosition"] = position
    return entry


def _context_of(request: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: {"values": list(v.get("values", [])), "multivalued": bool(v.get("multivalued", False))}
            for k, v in ((request or {}).get("context") or {}).items()}


def render(stored: Mapping[str, Any], decode: Decoder) -> dict[str, Any]:
    """The CloudTrail record of a stored fact (a record stored whole is returned as it is)."""
    if not is_fact(stored):
        return dict(stored)
    event_name = stored["eventName"]
    rpc = stored.get("rpc", event_name)
    identity = stored.get("userIdentity")
    request = _parameters(stored.get("request"), rpc, "request", decode, event_name)
    facts = CallFacts(
        event_id=stored["eventID"], request_id=stored["requestID"], event_time=stored["eventTime"],
        service=stored["service"], rpc=event_name, source_ip=stored["sourceIPAddress"],
        user_agent=stored["userAgent"], request=request or {},
        response=_parameters(stored.get("response"), rpc, "response", decode, event_name),
        error_code=stored.get("errorCode", ""), error_message=stored.get("errorMessage", ""),
        recipient_account_id=(identity or {}).get("accountId", ""),
        resources=[e for arn in stored.get("resources") or () if (e := resource_entry(arn)) is not None])
    record = build_record(facts, identity=identity)
    if "addendum" in stored:  # rebuilt after a crash (service/audit/recovery.py)
        record["addendum"] = stored["addendum"]
    stored_response = stored.get("response")
    if isinstance(stored_response, str) and facts.response is not None and "position" not in facts.response:
        # AWS's response shape has no place for it: where the call's events landed in the log.
        position = (_parameters(stored_response, rpc, "response", decode, "") or {}).get("position")
        if position is not None:
            record["additionalEventData"] = {"logPosition": position}
    if "decision" in stored:
        record["additionalEventData"] = _decision_data(stored["decision"], _context_of(request))
    elif "decisions" in stored:
        items = (request or {}).get("requests") or []
        record["additionalEventData"] = {"decisions": [
            _decision_data(d, _context_of(items[i]) if i < len(items) else None)
            for i, d in enumerate(stored["decisions"])]}
        if "decisionsOmitted" in stored:  # the batch's last decisions, past what a record keeps
            record["additionalEventData"]["decisionsOmitted"] = stored["decisionsOmitted"]
    return record


_RESOURCE_TYPES = {"user": "AWS::IAM::User", "group": "AWS::IAM::Group", "role": "AWS::IAM::Role",
                   "policy": "AWS::IAM::Policy", "mfa": "AWS::IAM::MFADevice", "assumed-role": "AWS::STS::AssumedRole"}


def resource_entry(arn: str) -> dict[str, str] | None:
    """CloudTrail's `resources` entry for an ARN (None for `*`)."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return None
    kind = parts[5].split("/", 1)[0]
    return {"ARN": arn, "accountId": parts[4], "type": _RESOURCE_TYPES.get(kind, "AWS::IAM::Unknown")}
