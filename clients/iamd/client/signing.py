"""Request signing for iamd's gRPC API: AWS Signature Version 4, unchanged.

This module produces and checks the signature a caller attaches to every RPC. It is pure
(standard library only, no I/O, no clock) so that the server and the client SDK can share it;
callers pass the current time in. Because the scheme is genuine SigV4, any stock signer produces
valid signatures: botocore's ``SigV4Auth``, the AWS SDKs' ``SignatureV4`` classes, ``aws-sigv4``
in Rust, and so on. docs/signing.md says how to drive one against iamd.

The scheme, precisely enough to re-implement it elsewhere
=========================================================

A gRPC call is treated as the HTTP/2 request it is: ``POST`` to the method's path with the
serialized request message as the body. All strings are UTF-8; ``SHA256`` is hex in lower case;
``HMAC(key, msg)`` is HMAC-SHA256 returning raw bytes.

1. **Timestamp.** The signing moment in UTC, ``YYYYMMDD'T'HHMMSS'Z'`` (``20261122T235900Z``),
   sent as the ``x-amz-date`` metadata. Its first eight characters are the *scope date*.
2. **Credential scope.** ``<scope date>/<region>/iamd/aws4_request`` (any region; the SDK uses
   ``us-east-1``). The service name is ``iamd``.
3. **Canonical request.** Six parts joined by ``"\\n"``::

       POST
       /iamd.v1.IdentityService/CreateUser       # the full gRPC method path
                                                 # the empty query string
       host:<host>\\n x-amz-date:<timestamp>\\n ...  # each signed header: lower-case name,
                                                 # ":", value trimmed with inner runs of
                                                 # spaces collapsed, "\\n"; sorted by name
       host;x-amz-date                           # the signed header names, sorted, ";"-joined
       SHA256(<serialized request message bytes>)

   The signed headers must include ``host`` and ``x-amz-date``, and ``x-amz-security-token`` when
   a session token is sent. Every signed header travels as gRPC metadata of the same name: iamd
   cannot see the HTTP/2 ``:authority``, so the ``host`` that was signed is sent as ``host``
   metadata (any value; the service's address is the natural one).
4. **String to sign.** ``AWS4-HMAC-SHA256``, the timestamp, the credential scope and
   ``SHA256(<canonical request>)``, joined by ``"\\n"``.
5. **Signing key.** ``HMAC(HMAC(HMAC(HMAC("AWS4" + secret, scope date), region), "iamd"),
   "aws4_request")``.
6. **Signature.** ``hex(HMAC(signing key, string to sign))``: 64 lower-case hex digits.
7. **Metadata sent with the call**::

       host:                 <the host that was signed>
       x-amz-date:           <timestamp>
       x-amz-security-token: <session token>     # only for temporary (STS) credentials
       authorization:        AWS4-HMAC-SHA256 Credential=<access key id>/<credential scope>,
                             SignedHeaders=<signed header names>, Signature=<signature>

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
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "iamd"
TERMINATOR = "aws4_request"
HTTP_METHOD = "POST"  # every gRPC call is an HTTP/2 POST
HOST_HEADER = "host"
DATE_HEADER = "x-amz-date"
AUTHORIZATION_HEADER = "authorization"
TOKEN_HEADER = "x-amz-security-token"
DEFAULT_HOST = "iamd"  # what the SDK signs as `host` unless told the service's address
MAX_CLOCK_SKEW_SECONDS = 300
# A presigned request (the signature in the query string, as `generate_presigned_url` writes it):
# its fields, and how long it lives. AWS's IAM and STS take it for 15 minutes from X-Amz-Date
# whatever X-Amz-Expires says (only S3 honours longer); a shorter X-Amz-Expires is honoured here.
PRESIGNED_SIGNATURE = "X-Amz-Signature"
PRESIGNED_LIFETIME_SECONDS = 900
MAX_PRESIGNED_EXPIRES = 604800  # SigV4's bound on X-Amz-Expires (seven days)
MAX_SIGNED_HEADERS = 16  # a stock signer signs a handful; more is an attempt to make us hash a lot
MAX_SIGNED_HEADER_BYTES = 8192  # the signed headers' values together (a session token is ~1 KB)

_KEY_PREFIX = "AWS4"
_REQUIRED_SIGNED = (HOST_HEADER, DATE_HEADER)
_TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
_TIMESTAMP_RE = re.compile(r"[0-9]{8}T[0-9]{6}Z", re.ASCII)
_ACCESS_KEY_ID_RE = re.compile(r"[A-Za-z0-9_]{1,128}", re.ASCII)
_REGION_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}", re.ASCII)
_DATE_RE = re.compile(r"[0-9]{8}", re.ASCII)
_SIGNATURE_RE = re.compile(r"[0-9a-f]{64}", re.ASCII)
# The authorization's components as every stock signer writes them (in this order, separated by
# ", "): what _parse_fields would find in them, found in one match.
_USUAL_FIELDS_RE = re.compile(r"Credential=([^,\s]+), ?SignedHeaders=([^,\s]+), ?Signature=([^,\s]+)", re.ASCII)
_HEADER_NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,127}", re.ASCII)  # gRPC metadata keys, lower case
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
    # (name, value) of each signed header, sorted by name, as found in the metadata. Out of repr:
    # it holds the token when one is signed.
    signed_headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    service: str = SERVICE  # the credential scope's: `iamd` on gRPC, `iam`/`sts` on the HTTP endpoint
    # A presigned request's lifetime in seconds from `timestamp`; 0 for a request signed in headers.
    presigned_for: int = 0


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
    if moment.tzinfo is timezone.utc:  # the usual case: nothing to convert
        return moment
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return moment.astimezone(timezone.utc)


def _scope(scope_date: str, region: str, service: str = SERVICE) -> str:
    return f"{scope_date}/{region}/{service}/{TERMINATOR}"


def _header_value(value: str) -> str:
    """SigV4's canonical header value, as botocore builds it: runs of whitespace collapsed to one
    space, none at either end."""
    return " ".join(value.split())


@functools.lru_cache(maxsize=1024)
def format_timestamp(moment: datetime) -> str:
    """Format an aware datetime as the UTC signing timestamp, e.g. `20261122T235900Z`."""
    return _utc(moment, "signing moment").strftime(_TIMESTAMP_FORMAT)


def canonical_request(path: str, body: bytes, headers: tuple[tuple[str, str], ...], *,
                      http_method: str = HTTP_METHOD, query: str = "") -> str:
    """SigV4's canonical request: for a gRPC call POST, the method path, no query; the signed
    headers (sorted (name, value) pairs) and the SHA-256 of the body."""
    canonical_headers = "".join(f"{name}:{_header_value(value)}\n" for name, value in headers)
    return "\n".join((http_method, path, query, canonical_headers, ";".join(name for name, _ in headers),
                      _sha256_hex(body)))


def canonical_uri(raw_path: str) -> str:
    """An HTTP request's canonical URI as AWS's signers build it for services other than S3: the
    path as sent (percent-encoded), with dot segments removed, percent-encoded once more."""
    segments: list[str] = []
    for segment in raw_path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment not in (".", ""):
            segments.append(segment)
    path = "/" + "/".join(segments) + ("/" if raw_path.endswith("/") and segments else "")
    return urllib.parse.quote(path, safe="/~")


def canonical_query(raw_query: str, without: str = "") -> str:
    """An HTTP request's canonical query string: each name and value percent-encoded (RFC 3986
    unreserved characters kept), sorted by name then value, `&`-joined; the parameter named
    `without` left out (a presigned request's own signature)."""
    pairs = urllib.parse.parse_qsl(raw_query, keep_blank_values=True)
    return "&".join(f"{urllib.parse.quote(k, safe='-_.~')}={urllib.parse.quote(v, safe='-_.~')}"
                    for k, v in sorted(pairs) if k != without or not without)


def string_to_sign(timestamp: str, scope: str, canonical: str) -> str:
    """Build the string to sign: algorithm, timestamp, credential scope and canonical-request hash."""
    return "\n".join((ALGORITHM, timestamp, scope, _sha256_hex(canonical.encode("utf-8"))))


@functools.lru_cache(maxsize=4096)
def signing_key(secret_access_key: str, scope_date: str, region: str, service: str = SERVICE) -> bytes:
    """Derive the per-day, per-region, per-service signing key from a secret access key (SigV4's
    HMAC chain). Cached, as AWS caches it: four HMACs per call otherwise."""
    k_date = _hmac((_KEY_PREFIX + secret_access_key).encode("utf-8"), scope_date)
    k_region = _hmac(k_date, region)
    k_service = _hmac(k_region, service)
    return _hmac(k_service, TERMINATOR)


def _signature(*, method: str, body: bytes, headers: tuple[tuple[str, str], ...], secret_access_key: str,
               timestamp: str, region: str, service: str = SERVICE, http_method: str = HTTP_METHOD,
               query: str = "") -> str:
    scope_date = timestamp[:8]
    canonical = canonical_request(method, body, headers, http_method=http_method, query=query)
    to_sign = string_to_sign(timestamp, _scope(scope_date, region, service), canonical)
    key = signing_key(secret_access_key, scope_date, region, service)
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def sign_request(*, method: str, body: bytes, access_key_id: str, secret_access_key: str, moment: datetime,
                 region: str = "us-east-1", session_token: str = "",
                 host: str = DEFAULT_HOST) -> list[tuple[str, str]]:
    """Sign one RPC and return the gRPC metadata pairs to send with it."""
    if not _ACCESS_KEY_ID_RE.fullmatch(access_key_id):
        raise ValueError(f"access key id {_echo(access_key_id)} must match [A-Za-z0-9_]{{1,128}}")
    if not _REGION_RE.fullmatch(region):
        raise ValueError(f"region {_echo(region)} must match [a-z0-9][a-z0-9-]{{0,63}}")
    if not host or host != host.strip() or any(c in host for c in "\r\n"):
        raise ValueError(f"host {_echo(host)} must be non-empty, without surrounding spaces or line breaks")
    timestamp = format_timestamp(moment)
    metadata = [(HOST_HEADER, host), (DATE_HEADER, timestamp)]
    if session_token:
        metadata.append((TOKEN_HEADER, session_token))
    headers = tuple(metadata)  # already in name order: host < x-amz-date < x-amz-security-token
    signature = _signature(method=method, body=body, headers=headers, secret_access_key=secret_access_key,
                           timestamp=timestamp, region=region)
    metadata.append((AUTHORIZATION_HEADER,
                     f"{ALGORITHM} Credential={access_key_id}/{_scope(timestamp[:8], region)}, "
                     f"SignedHeaders={';'.join(name for name, _ in headers)}, Signature={signature}"))
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
        if name not in ("Credential", "SignedHeaders", "Signature"):
            raise SignatureFormatError(f"unexpected authorization component {_echo(name)}")
        if name in fields:
            raise SignatureFormatError(f"authorization component `{name}` appears more than once")
        fields[name] = value
    for name in ("Credential", "SignedHeaders", "Signature"):
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


@functools.lru_cache(maxsize=1024)  # a key sends the same credential all day
def _parse_credential(credential: str, services: tuple[str, ...]) -> tuple[str, str, str, str]:
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
    if service not in services:
        raise SignatureFormatError(f"credential scope service {_echo(service)} should be "
                                   + " or ".join(f"`{s}`" for s in services))
    if terminator != TERMINATOR:
        raise SignatureFormatError(f"credential scope terminator {_echo(terminator)} should be `{TERMINATOR}`")
    return access_key_id, scope_date, region, service


@functools.lru_cache(maxsize=256)  # callers send the same list on every call
def _parse_signed_header_names(value: str, required: tuple[str, ...] = _REQUIRED_SIGNED) -> tuple[str, ...]:
    names = tuple(value.split(";"))
    if len(names) > MAX_SIGNED_HEADERS:
        raise SignatureFormatError(f"more than {MAX_SIGNED_HEADERS} signed headers")
    for name in names:
        if not _HEADER_NAME_RE.fullmatch(name):
            raise SignatureFormatError(f"signed header name {_echo(name)} is not a lower-case metadata key")
    if list(names) != sorted(set(names)):
        raise SignatureFormatError("signed headers are not sorted by name, or repeat one")
    for name in required:
        if name not in names:
            raise SignatureFormatError(f"`{name}` is not among the signed headers")
    return names


def parse_signed_request(metadata: Mapping[str, str], services: tuple[str, ...] = (SERVICE,),
                         required: tuple[str, ...] = ()) -> SignedRequest:
    """Parse the signing metadata (or HTTP headers, lower-case names) of an incoming call, signed
    for one of `services` and covering the `required` headers besides SigV4's own; raise
    SignatureFormatError if malformed."""
    authorization = metadata.get(AUTHORIZATION_HEADER)
    if not authorization:
        raise SignatureFormatError(f"missing `{AUTHORIZATION_HEADER}` metadata")
    date_value = metadata.get(DATE_HEADER)
    if not date_value:
        raise SignatureFormatError(f"missing `{DATE_HEADER}` metadata")
    algorithm, _, rest = authorization.partition(" ")
    if algorithm != ALGORITHM:
        raise SignatureFormatError(f"unsupported signing algorithm {_echo(algorithm)}, expected `{ALGORITHM}`")
    usual = _USUAL_FIELDS_RE.fullmatch(rest)
    if usual is not None:
        credential, signed_header_names, signature = usual.groups()
    else:  # anything else is parsed strictly, to say exactly what is wrong
        fields = _parse_fields(rest)
        credential, signed_header_names, signature = fields["Credential"], fields["SignedHeaders"], fields["Signature"]
    access_key_id, scope_date, region, service = _parse_credential(credential, services)
    names = _parse_signed_header_names(signed_header_names)
    for name in required:
        if name not in names:
            raise SignatureFormatError(f"`{name}` is not among the signed headers")
    if not _SIGNATURE_RE.fullmatch(signature):
        raise SignatureFormatError("signature is not 64 lower-case hex digits")
    timestamp = _parse_timestamp(date_value)
    if date_value[:8] != scope_date:
        raise SignatureFormatError(
            f"credential scope date `{scope_date}` does not match the date of `{DATE_HEADER}` `{date_value}`")
    session_token = metadata.get(TOKEN_HEADER) or ""
    if not session_token.isascii():
        raise SignatureFormatError(f"`{TOKEN_HEADER}` is not ASCII")
    if session_token and TOKEN_HEADER not in names:
        raise SignatureFormatError(f"`{TOKEN_HEADER}` is sent but not among the signed headers")
    return SignedRequest(access_key_id=access_key_id, scope_date=scope_date, region=region, signature=signature,
                         timestamp=timestamp, session_token=session_token,
                         signed_headers=_signed_header_values(names, metadata), service=service)


def _signed_header_values(names: tuple[str, ...], metadata: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    headers = []
    size = 0
    for name in names:
        value = metadata.get(name)
        if value is None:
            raise SignatureFormatError(f"signed header `{name}` is not in the request's metadata")
        if not value.isascii():  # what HTTP carries undecoded (latin-1, lone surrogates) cannot be signed
            raise SignatureFormatError(f"signed header `{name}` is not ASCII")
        size += len(value)
        headers.append((name, value))
    if size > MAX_SIGNED_HEADER_BYTES:
        raise SignatureFormatError(f"the signed headers' values exceed {MAX_SIGNED_HEADER_BYTES} bytes")
    return tuple(headers)


def is_presigned(query: Mapping[str, str]) -> bool:
    """Whether an HTTP request's query parameters carry a presigned request's signature."""
    return PRESIGNED_SIGNATURE in query


def parse_presigned_request(query: Mapping[str, str], headers: Mapping[str, str],
                            services: tuple[str, ...]) -> SignedRequest:
    """Parse a presigned request: SigV4's fields in the query parameters (`X-Amz-Algorithm`,
    `-Credential`, `-Date`, `-Expires`, `-SignedHeaders`, `-Signature`, `-Security-Token`), the
    signed headers (at least `host`) in `headers`; raise SignatureFormatError if malformed."""
    def field_of(name: str) -> str:
        value = query.get(name)
        if not value:
            raise SignatureFormatError(f"a presigned request needs the `{name}` query parameter")
        return value

    algorithm = field_of("X-Amz-Algorithm")
    if algorithm != ALGORITHM:
        raise SignatureFormatError(f"unsupported signing algorithm {_echo(algorithm)}, expected `{ALGORITHM}`")
    access_key_id, scope_date, region, service = _parse_credential(field_of("X-Amz-Credential"), services)
    date_value = field_of("X-Amz-Date")
    timestamp = _parse_timestamp(date_value)
    if date_value[:8] != scope_date:
        raise SignatureFormatError(
            f"credential scope date `{scope_date}` does not match the date of `X-Amz-Date` `{date_value}`")
    expires = field_of("X-Amz-Expires")
    if not (expires.isascii() and expires.isdigit() and len(expires) <= 6
            and 1 <= int(expires) <= MAX_PRESIGNED_EXPIRES):
        raise SignatureFormatError(f"`X-Amz-Expires` {_echo(expires)} is not a number of seconds from 1 to "
                                   f"{MAX_PRESIGNED_EXPIRES}")
    names = _parse_signed_header_names(field_of("X-Amz-SignedHeaders"), (HOST_HEADER,))
    signature = field_of(PRESIGNED_SIGNATURE)
    if not _SIGNATURE_RE.fullmatch(signature):
        raise SignatureFormatError("signature is not 64 lower-case hex digits")
    session_token = query.get("X-Amz-Security-Token") or ""
    if not session_token.isascii():
        raise SignatureFormatError("`X-Amz-Security-Token` is not ASCII")
    return SignedRequest(access_key_id=access_key_id, scope_date=scope_date, region=region, signature=signature,
                         timestamp=timestamp, session_token=session_token,
                         signed_headers=_signed_header_values(names, headers), service=service,
                         presigned_for=min(int(expires), PRESIGNED_LIFETIME_SECONDS))


def expected_signature(signed: SignedRequest, *, method: str, body: bytes, secret_access_key: str,
                       http_method: str = HTTP_METHOD, query: str = "") -> str:
    """Recompute the signature the caller should have sent for this method (a gRPC method path, or
    an HTTP request's canonical URI with its method and canonical query) and body."""
    return _signature(method=method, body=body, headers=signed.signed_headers, secret_access_key=secret_access_key,
                      timestamp=format_timestamp(signed.timestamp), region=signed.region, service=signed.service,
                      http_method=http_method, query=query)


def signature_matches(signed: SignedRequest, *, method: str, body: bytes, secret_access_key: str,
                      http_method: str = HTTP_METHOD, query: str = "") -> bool:
    """Tell whether the claimed signature is right for this request, in constant time."""
    # The scope date is not re-derived from the timestamp inside the signature, so a hand-built
    # SignedRequest whose scope disagrees with its timestamp must not verify.
    if signed.scope_date != format_timestamp(signed.timestamp)[:8]:
        return False
    if signed.presigned_for:
        # The date, the expiry and the token are parameters of the signed query, and the payload
        # hash is the empty body's (S3 alone presigns UNSIGNED-PAYLOAD): only a request without a
        # body is taken.
        if body:
            return False
        expected = expected_signature(signed, method=method, body=b"", secret_access_key=secret_access_key,
                                      http_method=http_method, query=query)
        return hmac.compare_digest(expected.encode("ascii"), signed.signature.encode("utf-8"))
    # Nor may one whose signed headers lost the date or the token it claims.
    signed_values = dict(signed.signed_headers)
    if signed_values.get(DATE_HEADER) != format_timestamp(signed.timestamp) or any(
            name not in signed_values for name in _REQUIRED_SIGNED):
        return False
    if signed.session_token and signed_values.get(TOKEN_HEADER) != signed.session_token:
        return False
    expected = expected_signature(signed, method=method, body=body, secret_access_key=secret_access_key,
                                  http_method=http_method, query=query)
    return hmac.compare_digest(expected.encode("ascii"), signed.signature.encode("utf-8"))


def is_within_skew(signed: SignedRequest, now: datetime, max_skew_seconds: int = MAX_CLOCK_SKEW_SECONDS) -> bool:
    """Tell whether the request's timestamp is at most `max_skew_seconds` away from `now`, either way;
    for a presigned request, whether `now` is within its lifetime (after a timestamp at most
    `max_skew_seconds` ahead of `now`)."""
    elapsed = (_utc(now, "now") - _utc(signed.timestamp, "request timestamp")).total_seconds()
    if signed.presigned_for:
        return -max_skew_seconds <= elapsed <= signed.presigned_for
    return abs(elapsed) <= max_skew_seconds
