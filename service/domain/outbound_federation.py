"""IAM's outbound identity federation (IAM User Guide, "Outbound identity federation"; IAM's
Enable/DisableOutboundWebIdentityFederation and GetOutboundWebIdentityFederationInfo, STS's
GetWebIdentityToken): an account's IAM principals get short-lived JWTs asserting who they are,
which an external service verifies as an OIDC relying party does, with the issuer's published keys.

The feature is a small aggregate of the account (stream `account-ACCOUNT-outboundfederation`):
the first enabling creates the account's issuer id and its signing keys (one per algorithm AWS
offers, RS256 and ES384; the private halves sealed under the key-encryption key by the caller,
never in clear); disabling stops new tokens and keeps both, so that tokens issued before stay
verifiable and enabling again answers the same issuer URL.

The issuer URL is `{base}/outbound-federation/{issuer id}`, where `base` is where external
services reach iamd's HTTP endpoint; the OpenID discovery document and the JWKS are below it at
AWS's paths (`/.well-known/openid-configuration`, `/.well-known/jwks.json`).

Pure: keys are made, sealed and used by the caller; this module decides and builds the claims.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import names
from .errors import (
    FeatureDisabledError,
    FeatureEnabledError,
    FieldProblem,
    JWTPayloadSizeExceededError,
    OutboundWebIdentityFederationDisabledError,
    SessionDurationEscalationError,
    ValidationError,
    validation_error,
)
from .events import (
    Event,
    OutboundWebIdentityFederationDisabled,
    OutboundWebIdentityFederationEnabled,
    OutboundWebIdentitySigningKeyCreated,
    OutboundWebIdentitySigningKeyReencrypted,
)

ALGORITHMS = ("RS256", "ES384")  # AWS's SigningAlgorithm values, in its order
MIN_DURATION, MAX_DURATION, DEFAULT_DURATION = 60, 3600, 300
MAX_AUDIENCES, MAX_AUDIENCE_CHARS = 10, 1000
SUBJECT_MODES = ("AWSIdentity", "OriginIdentity")
CLAIMS_NAMESPACE = "https://sts.amazonaws.com/"
# The largest payload (the claims' JSON, UTF-8) iamd signs. AWS documents a maximum without its
# number; this one holds the largest request AWS's model allows (ten 1000-character audiences, 50
# request tags of the longest keys and values) for a principal with 50 such tags, in ASCII: only
# tags of many multi-byte characters can reach it.
MAX_PAYLOAD_BYTES = 64 * 1024
ISSUER_PATH = "/outbound-federation/"
DISCOVERY_PATH = "/.well-known/openid-configuration"
JWKS_PATH = "/.well-known/jwks.json"
_ISSUER_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class SigningKey:
    kid: str
    algorithm: str
    public_jwk: dict[str, Any]
    private_key_ciphertext: str


@dataclass
class OutboundFederationState:
    issuer_id: str = ""  # "" until the first enabling
    enabled: bool = False
    keys: list[SigningKey] = field(default_factory=list)

    def key(self, algorithm: str) -> SigningKey | None:
        return next((k for k in self.keys if k.algorithm == algorithm), None)


def stream(account_id: str) -> str:
    return f"account-{account_id}-outboundfederation"


def fold(events: Iterable[Event], state: OutboundFederationState | None = None) -> OutboundFederationState:
    """The feature after `events`, folded onto `state` (changed in place) or a new one."""
    state = state if state is not None else OutboundFederationState()
    for event in events:
        match event:
            case OutboundWebIdentityFederationEnabled(issuer_id=issuer_id):
                state.issuer_id, state.enabled = issuer_id, True
            case OutboundWebIdentityFederationDisabled():
                state.enabled = False
            case OutboundWebIdentitySigningKeyCreated(kid=kid, algorithm=algorithm, public_jwk=jwk,
                                                      private_key_ciphertext=ciphertext):
                state.keys.append(SigningKey(kid, algorithm, json.loads(jwk), ciphertext))
            case OutboundWebIdentitySigningKeyReencrypted(kid=kid, private_key_ciphertext=ciphertext):
                for key in state.keys:
                    if key.kid == kid:
                        key.private_key_ciphertext = ciphertext
            case _:
                raise ValueError(f"{type(event).__name__} does not apply to outbound identity federation")
    return state


def is_issuer_id(text: str) -> bool:
    return bool(_ISSUER_ID.fullmatch(text))


def issuer_url(base: str, issuer_id: str) -> str:
    """The account's issuer: `base` (iamd's HTTP endpoint as others reach it) and its id."""
    return f"{base.rstrip('/')}{ISSUER_PATH}{issuer_id}"


def issuer_id_in(url: str) -> str:
    """The issuer id an iamd issuer URL ends with ("" for any other URL)."""
    head, sep, tail = url.rstrip("/").rpartition(ISSUER_PATH)
    return tail if sep and head and is_issuer_id(tail) else ""


# --- IAM: enable, disable, info ------------------------------------------------------------------

def enable(state: OutboundFederationState, issuer_id: str,
           new_keys: Callable[[], Sequence[OutboundWebIdentitySigningKeyCreated]], now: str) -> list[Event]:
    """The first enabling creates the issuer (`issuer_id`) and its keys (`new_keys()`, called only
    then); a later one (after a disable) turns the same issuer on again."""
    if state.enabled:
        raise FeatureEnabledError(
            "Outbound identity federation is already enabled for your account. To fetch the current "
            "configuration (including the issuer URL), use GetOutboundWebIdentityFederationInfo.")
    if state.issuer_id:
        return [OutboundWebIdentityFederationEnabled(state.issuer_id, now)]
    keys = list(new_keys())
    # INVARIANT: an issuer has one key per algorithm from its creation on.
    assert sorted(k.algorithm for k in keys) == sorted(ALGORITHMS), [k.algorithm for k in keys]
    return [OutboundWebIdentityFederationEnabled(issuer_id, now), *keys]


def disable(state: OutboundFederationState, now: str) -> list[Event]:
    if not state.enabled:
        raise FeatureDisabledError("Outbound identity federation is already disabled for your account.")
    return [OutboundWebIdentityFederationDisabled(now)]


def check_known(state: OutboundFederationState | None) -> OutboundFederationState:
    """GetOutboundWebIdentityFederationInfo: an account that never enabled it has no issuer."""
    if state is None or not state.issuer_id:
        raise FeatureDisabledError("Outbound identity federation is not enabled for your account: it has no "
                                   "issuer URL yet (EnableOutboundWebIdentityFederation creates it).")
    return state


# --- the issuer's OpenID discovery document and keys ---------------------------------------------

def discovery_document(issuer: str) -> dict[str, Any]:
    """What `{issuer}/.well-known/openid-configuration` answers (OpenID Connect Discovery 1.0)."""
    return {"issuer": issuer, "jwks_uri": issuer + JWKS_PATH, "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": list(ALGORITHMS),
            "claims_supported": ["iss", "sub", "aud", "exp", "iat", "jti", CLAIMS_NAMESPACE]}


def jwks(state: OutboundFederationState) -> dict[str, Any]:
    """What `{issuer}/.well-known/jwks.json` answers: the public keys, never anything sealed."""
    return {"keys": [dict(k.public_jwk) for k in state.keys]}


# --- STS GetWebIdentityToken --------------------------------------------------------------------

@dataclass(frozen=True)
class TokenRequest:
    audiences: tuple[str, ...]
    algorithm: str
    duration: int
    tags: dict[str, str]


def check_request(audiences: Sequence[str], algorithm: str, duration_seconds: int, tags: Sequence[tuple[str, str]],
                  subject_mode: str = "", scope: str = "") -> TokenRequest:
    """GetWebIdentityToken's parameters as AWS's model bounds them; ValidationError naming the field."""
    if not audiences:
        raise validation_error("audience", "null", "Member must not be null")
    if len(audiences) > MAX_AUDIENCES:
        raise validation_error("audience", f"{len(audiences)} audiences",
                               f"Member must have length less than or equal to {MAX_AUDIENCES}")
    for i, audience in enumerate(audiences, start=1):
        if not audience:
            raise validation_error(f"audience.{i}.member", "", "Member must have length greater than or equal to 1")
        if len(audience) > MAX_AUDIENCE_CHARS:
            raise validation_error(f"audience.{i}.member", audience[:64] + "...",
                                   f"Member must have length less than or equal to {MAX_AUDIENCE_CHARS}")
    if not algorithm:
        raise validation_error("signingAlgorithm", "null", "Member must not be null")
    if algorithm not in ALGORITHMS:
        raise validation_error("signingAlgorithm", algorithm[:64], "Member must satisfy enum value set: [RS256, ES384]")
    if duration_seconds and not MIN_DURATION <= duration_seconds <= MAX_DURATION:
        rule = (f"Member must have value greater than or equal to {MIN_DURATION}" if duration_seconds < MIN_DURATION
                else f"Member must have value less than or equal to {MAX_DURATION}")
        raise validation_error("durationSeconds", str(duration_seconds), rule)
    if subject_mode and subject_mode not in SUBJECT_MODES:
        raise validation_error("subjectMode", subject_mode[:64], "Member must satisfy enum value set: [AWSIdentity, "
                                                                 "OriginIdentity]")
    if subject_mode == "OriginIdentity":
        # AWS: the calling session's trusted identity propagation context must hold
        # aws:OriginIdentity/Subject; iamd's sessions never carry one.
        raise ValidationError("SubjectMode OriginIdentity needs the calling session's trusted identity propagation "
                              "context to hold aws:OriginIdentity/Subject, and this session has none.",
                              problems=[FieldProblem("subjectMode", "the session has no origin identity")])
    if scope:
        raise ValidationError("Scope can be specified only when SubjectMode is OriginIdentity and exactly one "
                              "audience is requested.", problems=[FieldProblem("scope", "needs OriginIdentity")])
    return TokenRequest(tuple(audiences), algorithm, duration_seconds or DEFAULT_DURATION,
                        names.check_tags("tags", tags))


def check_enabled(state: OutboundFederationState | None, account_id: str) -> OutboundFederationState:
    if state is None or not state.enabled:
        raise OutboundWebIdentityFederationDisabledError(
            f"Outbound identity federation is not enabled for the account {account_id}. Enable it with IAM's "
            "EnableOutboundWebIdentityFederation.")
    return state


def check_within_session(issued_at: int, duration: int, session_expires_at: int | None) -> None:
    """A session's token never outlives the session (SessionDurationEscalation)."""
    if session_expires_at is not None and issued_at + duration > session_expires_at:
        raise SessionDurationEscalationError(
            f"The requested token duration ({duration} seconds) would extend the session beyond its original "
            f"expiration time (in {max(session_expires_at - issued_at, 0)} seconds).",
            problems=[FieldProblem("durationSeconds", "longer than the calling session has left")])


@dataclass(frozen=True)
class Principal:
    """Who the token is for: `arn` (a role session: its role's ARN) and its account's context."""

    arn: str
    account_id: str
    organization_id: str = ""
    ou_path: str = ""  # the account's aws:PrincipalOrgPaths entry ("o-.../r-.../ou-.../")
    tags: Mapping[str, str] = field(default_factory=dict)


def claims(issuer: str, principal: Principal, request: TokenRequest, issued_at: int, jti: str,
           region: str = "") -> dict[str, Any]:
    """The token's claims, as AWS's token claims page shows them: the standard ones, then AWS's
    under the `https://sts.amazonaws.com/` namespace (those that apply), the request's tags last."""
    aws: dict[str, Any] = {"aws_account": principal.account_id}
    if region:
        aws["source_region"] = region
    if principal.organization_id:
        aws["org_id"] = principal.organization_id
        if principal.ou_path:
            aws["ou_path"] = principal.ou_path
    aws["principal_id"] = principal.arn
    if principal.tags:
        aws["principal_tags"] = dict(principal.tags)
    if request.tags:
        aws["request_tags"] = dict(request.tags)
    audience: str | list[str] = request.audiences[0] if len(request.audiences) == 1 else list(request.audiences)
    return {"iss": issuer, "aud": audience, "sub": principal.arn, "iat": issued_at,
            "exp": issued_at + request.duration, "jti": jti, CLAIMS_NAMESPACE: aws}


def check_payload_size(claims: Mapping[str, Any]) -> None:
    size = len(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        raise JWTPayloadSizeExceededError(
            f"The requested token payload size ({size} bytes) exceeds the maximum allowed size "
            f"({MAX_PAYLOAD_BYTES} bytes). Reduce the number of request tags.",
            problems=[FieldProblem("tags", "too many or too long for the token")])


def condition_keys(request_audiences: Sequence[str], algorithm: str, duration_seconds: int) -> dict[str, Any]:
    """sts:IdentityTokenAudience (multivalued), sts:SigningAlgorithm and sts:DurationSeconds of a
    request (the Service Authorization Reference's keys for sts:GetWebIdentityToken), as given."""
    keys: dict[str, Any] = {}
    if request_audiences:
        keys["sts:IdentityTokenAudience"] = list(request_audiences)
    if algorithm:
        keys["sts:SigningAlgorithm"] = algorithm
    keys["sts:DurationSeconds"] = str(duration_seconds or DEFAULT_DURATION)
    return keys
