"""Request signing for iamd's gRPC API, in the manner of AWS Signature Version 4.

This module is responsible for producing and checking the signature a caller attaches to every
RPC. It is pure (standard library only, no I/O, no clock) so that the server and the client SDK
can share it; callers pass the current time in.

The scheme, precisely enough to re-implement it elsewhere
=========================================================

All strings are encoded as UTF-8 before hashing. ``SHA256`` is hex-encoded in lower case;
``HMAC(key, msg)`` is HMAC-SHA256 returning raw bytes.

1. **Timestamp.** The signing moment, in UTC, formatted ``YYYYMMDD'T'HHMMSS'Z'``
   (``20261122T235900Z``). Its first eight characters are the *scope date*.
2. **Credential scope.** ``<scope date>/<region>/iamd/iamd4_request``
   (region defaults to ``us-east-1``).
3. **Canonical request.** Five lines joined by ``"\\n"`` (no trailing newline)::

       <full gRPC method path, e.g. /iamd.v1.IdentityService/CreateUser>
       SHA256(<serialized request message bytes>)
       <timestamp>
       <access key id>
       SHA256(<session token>)          # the empty string is hashed when there is no token

4. **String to sign.** Four lines joined by ``"\\n"``::

       IAMD4-HMAC-SHA256
       <timestamp>
       <credential scope>
       SHA256(<canonical request>)

5. **Signing key.** ::

       kDate    = HMAC(("IAMD4" + secret access key).encode(), scope date)
       kRegion  = HMAC(kDate, region)
       kService = HMAC(kRegion, "iamd")
       kSigning = HMAC(kService, "iamd4_request")

6. **Signature.** ``hex(HMAC(kSigning, string to sign))``: 64 lower-case hex digits.
7. **Metadata sent with the call** (gRPC metadata keys are lower case)::

       x-iamd-date:           <timestamp>
       authorization:         IAMD4-HMAC-SHA256 Credential=<access key id>/<credential scope>, Signature=<signature>
       x-iamd-security-token: <session token>      # only for temporary (STS) credentials

Verification (server side): parse the metadata strictly (:func:`parse_signed_request`), check the
timestamp is within ``MAX_CLOCK_SKEW_SECONDS`` of the server clock (:func:`is_within_skew`), look up
the secret for the access key id, recompute the signature over the method and body actually
received and compare in constant time (:func:`signature_matches`).

Access key ids match ``[A-Za-z0-9_]{1,128}`` (AWS's ``[\\w]+``); regions match
``[a-z0-9][a-z0-9-]{0,63}``. :func:`sign_request` refuses anything else, so whatever it produces
parses.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

ALGORITHM = "IAMD4-HMAC-SHA256"
SERVICE = "iamd"
TERMINATOR = "iamd4_request"
DATE_HEADER = "x-iamd-date"
AUTHORIZATION_HEADER = "authorization"
TOKEN_HEADER = "x-iamd-security-token"
MAX_CLOCK_SKEW_SECONDS = 300

_KEY_PREFIX = "IAMD4"
_TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
_TIMESTAMP_RE = re.compile(r"[0-9]{8}T[0-9]{6}Z", re.ASCII)
_ACCESS_KEY_ID_RE = re.compile(r"[A-Za-z0-9_]{1,128}", re.ASCII)
_REGION_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}", re.ASCII)
_DATE_RE = re.compile(r"[0-9]{8}", re.ASCII)
_SIGNATURE_RE = re.compile(r"[0-9a-f]{64}", re.ASCII)
# Longest fragment of caller input quoted back in an error message.
_ECHO_LIMIT = 64


@dataclass(frozen=True)
class SignedRequest:
    """The signature-relevant facts a caller claimed in its metadata, parsed but not yet verified."""

    access_key_id: str
    scope_date: str
    region: str
    # The signature and the session token stay out of repr so that logging a request never
    # leaks a replayable signature or a credential.
    signature: str = field(repr=False)
    timestamp: datetime
    session_token: str = field(default="", repr=False)


class SignatureFormatError(ValueError):
    """The authorization metadata is missing or malformed; `reason` says what is wrong."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def _echo(text: str) -> str:
    """Quote caller input in an error message, truncated so that messages stay bounded."""
    shown = text if len(text) <= _ECHO_LIMIT else text[:_ECHO_LIMIT] + "…"
    return f"`{shown}`"


def _utc(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return moment.astimezone(timezone.utc)


def _scope(scope_date: str, region: str) -> str:
    return f"{scope_date}/{region}/{SERVICE}/{TERMINATOR}"


@functools.lru_cache(maxsize=1024)
def format_timestamp(moment: datetime) -> str:
    """Format an aware datetime as the UTC signing timestamp, e.g. `20261122T235900Z`."""
    return _utc(moment, "signing moment").strftime(_TIMESTAMP_FORMAT)


def canonical_request(method: str, body: bytes, timestamp: str, access_key_id: str,
                      session_token: str = "") -> str:
    """Build the canonical request: method, body hash, timestamp, key id and token hash, one per line."""
    return "\n".join((
        method,
        _sha256_hex(body),
        timestamp,
        access_key_id,
        _sha256_hex(session_token.encode("utf-8")),
    ))


def string_to_sign(timestamp: str, scope: str, canonical: str) -> str:
    """Build the string to sign: algorithm, timestamp, credential scope and canonical-request hash."""
    return "\n".join((ALGORITHM, timestamp, scope, _sha256_hex(canonical.encode("utf-8"))))


@functools.lru_cache(maxsize=4096)
def signing_key(secret_access_key: str, scope_date: str, region: str) -> bytes:
    """Derive the per-day, per-region signing key from a secret access key (SigV4-style HMAC chain).

    Cached per secret, date and region, as AWS caches it: four HMACs per call otherwise."""
    k_date = _hmac((_KEY_PREFIX + secret_access_key).encode("utf-8"), scope_date)
    k_region = _hmac(k_date, region)
    k_service = _hmac(k_region, SERVICE)
    return _hmac(k_service, TERMINATOR)


def _signature(*, method: str, body: bytes, access_key_id: str, secret_access_key: str, timestamp: str,
               region: str, session_token: str) -> str:
    scope_date = timestamp[:8]
    canonical = canonical_request(method, body, timestamp, access_key_id, session_token)
    to_sign = string_to_sign(timestamp, _scope(scope_date, region), canonical)
    key = signing_key(secret_access_key, scope_date, region)
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def sign_request(*, method: str, body: bytes, access_key_id: str, secret_access_key: str, moment: datetime,
                 region: str = "us-east-1", session_token: str = "") -> list[tuple[str, str]]:
    """Sign one RPC and return the gRPC metadata pairs to send with it."""
    if not _ACCESS_KEY_ID_RE.fullmatch(access_key_id):
        raise ValueError(f"access key id {_echo(access_key_id)} must match [A-Za-z0-9_]{{1,128}}")
    if not _REGION_RE.fullmatch(region):
        raise ValueError(f"region {_echo(region)} must match [a-z0-9][a-z0-9-]{{0,63}}")
    timestamp = format_timestamp(moment)
    signature = _signature(method=method, body=body, access_key_id=access_key_id,
                           secret_access_key=secret_access_key, timestamp=timestamp, region=region,
                           session_token=session_token)
    authorization = (f"{ALGORITHM} Credential={access_key_id}/{_scope(timestamp[:8], region)}, "
                     f"Signature={signature}")
    metadata = [(DATE_HEADER, timestamp), (AUTHORIZATION_HEADER, authorization)]
    if session_token:
        metadata.append((TOKEN_HEADER, session_token))
    return metadata


@functools.lru_cache(maxsize=1024)  # a timestamp has one-second resolution: callers repeat it
def _parse_timestamp(value: str) -> datetime:
    if not _TIMESTAMP_RE.fullmatch(value):
        raise SignatureFormatError(f"`{DATE_HEADER}` {_echo(value)} is not of the form YYYYMMDDTHHMMSSZ")
    try:
        return datetime.strptime(value, _TIMESTAMP_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError as e:
        raise SignatureFormatError(f"`{DATE_HEADER}` {_echo(value)} is not a valid date and time") from e


def _parse_fields(rest: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in rest.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureFormatError(f"authorization component {_echo(part.strip())} is not of the form Name=value")
        if name not in ("Credential", "Signature"):
            raise SignatureFormatError(f"unexpected authorization component {_echo(name)}")
        if name in fields:
            raise SignatureFormatError(f"authorization component `{name}` appears more than once")
        fields[name] = value
    for name in ("Credential", "Signature"):
        if name not in fields:
            raise SignatureFormatError(f"authorization is missing `{name}=`")
    return fields


@functools.lru_cache(maxsize=256)
def _is_date(yyyymmdd: str) -> bool:
    try:
        datetime.strptime(yyyymmdd, "%Y%m%d")
    except ValueError:
        return False
    return True


def _parse_credential(credential: str) -> tuple[str, str, str]:
    parts = credential.split("/")
    if len(parts) != 5:
        raise SignatureFormatError(
            f"credential {_echo(credential)} is not of the form <access key id>/<YYYYMMDD>/<region>/{SERVICE}/{TERMINATOR}")
    access_key_id, scope_date, region, service, terminator = parts
    if not _ACCESS_KEY_ID_RE.fullmatch(access_key_id):
        raise SignatureFormatError(f"access key id {_echo(access_key_id)} is malformed")
    if not _DATE_RE.fullmatch(scope_date):
        raise SignatureFormatError(f"credential scope date {_echo(scope_date)} is not of the form YYYYMMDD")
    if not _is_date(scope_date):
        raise SignatureFormatError(f"credential scope date {_echo(scope_date)} is not a valid date")
    if not _REGION_RE.fullmatch(region):
        raise SignatureFormatError(f"credential scope region {_echo(region)} is malformed")
    if service != SERVICE:
        raise SignatureFormatError(f"credential scope service {_echo(service)} should be `{SERVICE}`")
    if terminator != TERMINATOR:
        raise SignatureFormatError(f"credential scope terminator {_echo(terminator)} should be `{TERMINATOR}`")
    return access_key_id, scope_date, region


def parse_signed_request(metadata: Mapping[str, str]) -> SignedRequest:
    """Parse the signing metadata of an incoming call; raise SignatureFormatError if malformed."""
    authorization = metadata.get(AUTHORIZATION_HEADER)
    if not authorization:
        raise SignatureFormatError(f"missing `{AUTHORIZATION_HEADER}` metadata")
    date_value = metadata.get(DATE_HEADER)
    if not date_value:
        raise SignatureFormatError(f"missing `{DATE_HEADER}` metadata")
    algorithm, _, rest = authorization.partition(" ")
    if algorithm != ALGORITHM:
        raise SignatureFormatError(f"unsupported signing algorithm {_echo(algorithm)}, expected `{ALGORITHM}`")
    fields = _parse_fields(rest)
    access_key_id, scope_date, region = _parse_credential(fields["Credential"])
    signature = fields["Signature"]
    if not _SIGNATURE_RE.fullmatch(signature):
        raise SignatureFormatError("signature is not 64 lower-case hex digits")
    timestamp = _parse_timestamp(date_value)
    if date_value[:8] != scope_date:
        raise SignatureFormatError(
            f"credential scope date `{scope_date}` does not match the date of `{DATE_HEADER}` `{date_value}`")
    return SignedRequest(access_key_id=access_key_id, scope_date=scope_date, region=region, signature=signature,
                         timestamp=timestamp, session_token=metadata.get(TOKEN_HEADER) or "")


def expected_signature(signed: SignedRequest, *, method: str, body: bytes, secret_access_key: str) -> str:
    """Recompute the signature the caller should have sent for this method and body."""
    return _signature(method=method, body=body, access_key_id=signed.access_key_id,
                      secret_access_key=secret_access_key, timestamp=format_timestamp(signed.timestamp),
                      region=signed.region, session_token=signed.session_token)


def signature_matches(signed: SignedRequest, *, method: str, body: bytes, secret_access_key: str) -> bool:
    """Tell whether the claimed signature is right for this method and body, in constant time."""
    # The scope date is not re-derived from the timestamp inside the signature, so a hand-built
    # SignedRequest whose scope disagrees with its timestamp must not verify.
    if signed.scope_date != format_timestamp(signed.timestamp)[:8]:
        return False
    expected = expected_signature(signed, method=method, body=body, secret_access_key=secret_access_key)
    return hmac.compare_digest(expected.encode("ascii"), signed.signature.encode("utf-8"))


def is_within_skew(signed: SignedRequest, now: datetime, max_skew_seconds: int = MAX_CLOCK_SKEW_SECONDS) -> bool:
    """Tell whether the request's timestamp is at most `max_skew_seconds` away from `now`, either way."""
    skew = abs((_utc(now, "now") - _utc(signed.timestamp, "request timestamp")).total_seconds())
    return skew <= max_skew_seconds
