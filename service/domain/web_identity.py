"""AssumeRoleWithWebIdentity's token rules: what makes an OpenID Connect ID token acceptable.

Pure (no I/O): the keys come in as a JWKS document, the time as a number. The signature is
checked by PyJWT (with `cryptography`); the claims by AWS's rules (REFERENCE-AWS-WIRE.md 6):

- a JWT signed with RS256/384/512 or ES256/384/512 (`none`, HMAC and anything else refused);
- `iss` names an OIDC provider of the role's account (`https://` added when the issuer has no
  scheme, as Google's `accounts.google.com`);
- `aud` (a string or a list), or `azp` when the token has one, is one of the provider's client ids;
- `exp` in the future, allowing AWS's five minutes of clock skew; `iat` and `nbf` not in the
  future beyond the same skew; timestamps are integers; `sub` is present.

Errors carry AWS's codes and, where AWS's wording is known, its message. None of them quotes the
token: it is a credential.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jwt
from jwt.exceptions import InvalidTokenError, PyJWKError

from .errors import ExpiredWebIdentityTokenError, FieldProblem, InvalidIdentityTokenError, ValidationError

ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")
CLOCK_SKEW_SECONDS = 300  # AWS accepts a token up to five minutes after its `exp`
MIN_TOKEN_CHARS, MAX_TOKEN_CHARS = 4, 20000  # the STS model's WebIdentityToken bounds
# The claim a provider puts session tags in (IAM User Guide, "Passing session tags using
# AssumeRoleWithWebIdentity").
TAGS_CLAIM = "https://aws.amazon.com/tags"

NOT_A_JWT = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
WRONG_AUDIENCE = "Incorrect token audience"


def no_provider(issuer_url: str) -> InvalidIdentityTokenError:
    return InvalidIdentityTokenError(f"No OpenIDConnect provider found in your account for {issuer_url}")


@dataclass(frozen=True)
class UnverifiedToken:
    """What a token says before its signature is checked: only good for finding its provider."""

    header: Mapping[str, Any]
    claims: Mapping[str, Any]
    issuer_url: str  # `iss`, with https:// when it had no scheme


@dataclass(frozen=True)
class VerifiedToken:
    issuer: str  # `iss` as the token has it: AWS's `Provider` in the answer
    subject: str
    audience: str  # the client id the token was accepted for
    amr: tuple[str, ...] = ()
    session_tags: Mapping[str, str] = field(default_factory=dict)
    transitive_tag_keys: tuple[str, ...] = ()


def check_token_length(token: str) -> None:
    if not MIN_TOKEN_CHARS <= len(token) <= MAX_TOKEN_CHARS:
        # AWS's validation wording, without quoting the value: it is a credential.
        rule = (f"Member must have length greater than or equal to {MIN_TOKEN_CHARS}" if len(token) < MIN_TOKEN_CHARS
                else f"Member must have length less than or equal to {MAX_TOKEN_CHARS}")
        raise ValidationError(f"1 validation error detected: Value at 'webIdentityToken' failed to satisfy "
                              f"constraint: {rule}", problems=[FieldProblem("webIdentityToken", rule)])


def parse(token: str) -> UnverifiedToken:
    """The token's header and claims, unverified; InvalidIdentityToken when it is not a JWT."""
    check_token_length(token)
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except (InvalidTokenError, ValueError, TypeError):
        raise InvalidIdentityTokenError(NOT_A_JWT) from None
    if not isinstance(claims, dict):
        raise InvalidIdentityTokenError(NOT_A_JWT)
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not issuer:
        raise InvalidIdentityTokenError("Missing a required claim: iss")
    return UnverifiedToken(header, claims, issuer if "://" in issuer else f"https://{issuer}")


class UnknownSigningKey(Exception):
    """No key of the JWKS has the token's `kid` (the provider may have rotated: fetch again)."""


def verify(token: str, unverified: UnverifiedToken, jwks: Mapping[str, Any], client_ids: Sequence[str],
           now: float) -> VerifiedToken:
    """The token checked against the provider's keys and client ids at time `now` (epoch seconds).

    Raises UnknownSigningKey when no key matches its `kid`, else AWS's errors."""
    algorithm = unverified.header.get("alg")
    if algorithm not in ALGORITHMS:
        raise InvalidIdentityTokenError(
            f"The token's signing algorithm {str(algorithm)[:20]!s} is not supported; it must be one of "
            f"{', '.join(ALGORITHMS)}")
    kid = unverified.header.get("kid")
    keys = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(keys, list):
        raise InvalidIdentityTokenError("The identity provider's JWKS has no keys")
    candidates = [k for k in keys if isinstance(k, dict) and k.get("use", "sig") == "sig"
                  and (kid is None or k.get("kid") == kid)]
    if not candidates:
        raise UnknownSigningKey(kid)
    claims = None
    # A key that names its algorithm is for that algorithm only (RFC 7517, 4.4 "alg"): a token may
    # not pick another one for it.
    for candidate in (k for k in candidates if k.get("alg", algorithm) == algorithm):
        try:
            key = jwt.PyJWK(candidate, algorithm=algorithm).key
            claims = jwt.decode(token, key, algorithms=[algorithm], options={
                "verify_aud": False, "verify_iss": False, "verify_exp": False, "verify_nbf": False,
                "verify_iat": False, "require": []})
            break
        except (PyJWKError, InvalidTokenError, ValueError, TypeError):
            continue
    if claims is None:
        raise InvalidIdentityTokenError("The web identity token's signature could not be verified with "
                                        "the identity provider's keys")
    return _check_claims(claims, client_ids, now)


def _timestamp(claims: Mapping[str, Any], name: str, required: bool) -> int | None:
    value = claims.get(name)
    if value is None:
        if required:
            raise InvalidIdentityTokenError(f"Missing a required claim: {name}")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or value != int(value):
        raise InvalidIdentityTokenError(f"The claim {name} must be an integer (seconds since the epoch)")
    return int(value)


def _check_claims(claims: Mapping[str, Any], client_ids: Sequence[str], now: float) -> VerifiedToken:
    expires = _timestamp(claims, "exp", True)
    issued = _timestamp(claims, "iat", True)
    not_before = _timestamp(claims, "nbf", False)
    current = int(now)
    assert expires is not None and issued is not None
    if current > expires + CLOCK_SKEW_SECONDS:
        # AWS's wording, its missing space included.
        raise ExpiredWebIdentityTokenError(
            f"Token expired: current date/time {current} must be before the expiration date/time{expires}")
    if issued > current + CLOCK_SKEW_SECONDS:
        raise InvalidIdentityTokenError(f"Token issued in the future: iat {issued} is after the current "
                                        f"date/time {current}")
    if not_before is not None and not_before > current + CLOCK_SKEW_SECONDS:
        raise InvalidIdentityTokenError(f"Token not yet valid: nbf {not_before} is after the current "
                                        f"date/time {current}")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise InvalidIdentityTokenError("Missing a required claim: sub")
    audiences = claims.get("aud")
    if isinstance(audiences, str):
        audiences = [audiences]
    if not isinstance(audiences, list) or not audiences or not all(isinstance(a, str) for a in audiences):
        raise InvalidIdentityTokenError("Missing a required claim: aud")
    azp = claims.get("azp")
    offered = [azp] if isinstance(azp, str) and azp else audiences  # the authorized party, when named
    registered = set(client_ids)
    audience = next((a for a in offered if a in registered), None)
    if audience is None:
        raise InvalidIdentityTokenError(WRONG_AUDIENCE)
    amr = claims.get("amr")
    amr_values = tuple(a for a in amr if isinstance(a, str)) if isinstance(amr, list) else \
        ((amr,) if isinstance(amr, str) else ())
    tags, transitive = _session_tags(claims.get(TAGS_CLAIM))
    return VerifiedToken(str(claims["iss"]), subject, audience, amr_values, tags, transitive)


def _session_tags(claim: Any) -> tuple[dict[str, str], tuple[str, ...]]:
    """Session tags a provider passes in the token: `principal_tags` (each a one-value list, as AWS
    documents it) and `transitive_tag_keys`."""
    if claim is None:
        return {}, ()
    if not isinstance(claim, dict):
        raise InvalidIdentityTokenError(f"The claim {TAGS_CLAIM} must be an object")
    principal_tags = claim.get("principal_tags") or {}
    if not isinstance(principal_tags, dict):  # the IdP's mistake is the token's fault, not a crash of iamd's
        raise InvalidIdentityTokenError("principal_tags must be an object of tag keys and values")
    tags: dict[str, str] = {}
    for key, value in principal_tags.items():
        values = value if isinstance(value, list) else [value]
        if len(values) != 1 or not isinstance(values[0], str) or not isinstance(key, str):
            raise InvalidIdentityTokenError(f"Session tag {str(key)[:128]} must have exactly one string value")
        tags[key] = values[0]
    transitive = claim.get("transitive_tag_keys") or []
    if not isinstance(transitive, list) or not all(isinstance(k, str) for k in transitive):
        raise InvalidIdentityTokenError("transitive_tag_keys must be a list of tag keys")
    return tags, tuple(transitive)


def condition_keys(provider_path: str, provider_arn: str, token: VerifiedToken) -> dict[str, str | list[str]]:
    """The trust policy's context keys for this token (IAM User Guide, "Available keys for
    AWS OIDC federation"): `<provider>:sub`, `:aud`, `:amr` (multivalued), and
    aws:FederatedProvider, the provider's ARN."""
    keys: dict[str, str | list[str]] = {f"{provider_path}:sub": token.subject, f"{provider_path}:aud": token.audience,
                                        "aws:FederatedProvider": provider_arn}
    if token.amr:
        keys[f"{provider_path}:amr"] = list(token.amr)
    return keys


def user_identity(provider_arn: str, token: VerifiedToken) -> dict[str, str]:
    """CloudTrail's userIdentity of the caller of AssumeRoleWithWebIdentity (a WebIdentityUser)."""
    return {"type": "WebIdentityUser", "principalId": f"{provider_arn}:{token.audience}:{token.subject}",
            "userName": token.subject, "identityProvider": provider_arn}
