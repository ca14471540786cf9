"""Authentication: who signed this request? Verifies an iamd signature against the access keys.

Pure of gRPC: it receives the method path, the request's bytes and the call's metadata, and
answers with the Caller or an authentication error in AWS's codes. Secrets are decrypted from
the projection's ciphertext on first use and kept in memory only (never logged).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from iamd.projections.identity import IdentityProjection
from iamd.client import signing
from iamd.service.auth.keyring import Keyring, KeyringError
from iamd.service.domain.errors import (
    ExpiredTokenError,
    IncompleteSignatureError,
    InvalidClientTokenIdError,
    MissingAuthenticationTokenError,
    RequestExpiredError,
    SignatureDoesNotMatchError,
)

from .ports import Clock


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated principal of a call."""

    arn: str
    account_id: str
    kind: str  # "root", "user", "assumed-role" or "federated-user"
    name: str  # user name, "root", for a role session the role's name, or the federated user's name
    principal_id: str  # AIDA... for users, the account id for root, AROA...:session for role sessions,
    #                    ACCOUNT:name for federated users
    access_key_id: str
    session: Mapping[str, Any] | None = None  # temporary credentials' session, if any

    @property
    def is_root(self) -> bool:
        return self.kind == "root"


@dataclass(frozen=True, slots=True)
class SignedCall:
    """What a caller's signature must cover, as the signer saw the request. On gRPC: POST to the
    method path with the message bytes (`alternative_body`, if given, is another encoding of the
    same message the client may have signed instead, computed only if needed). On the HTTP
    endpoint: the HTTP method, canonical URI and query, and the body, for service iam or sts."""

    path: str
    body: bytes
    http_method: str = signing.HTTP_METHOD
    query: str = ""
    services: tuple[str, ...] = (signing.SERVICE,)
    alternative_body: Callable[[], bytes] | None = None
    required_signed: tuple[str, ...] = ()  # headers the signature must cover beyond SigV4's own (x-amz-target)
    # A presigned HTTP request's query parameters, where its signature is (`query` then leaves out
    # X-Amz-Signature); None for a request signed in its headers.
    presigned: Mapping[str, str] | None = None


_INVALID_KEY = "The security token included in the request is invalid."
MAX_SECRETS_CACHED = 65536  # decrypted secrets of access keys and sessions kept for signature checks
_MISMATCH = ("The request signature we calculated does not match the signature you provided. "
             "Check your Secret Access Key and signing method.")


def _verify(signed: signing.SignedRequest, call: SignedCall, secret: str) -> None:
    if signing.signature_matches(signed, method=call.path, body=call.body, secret_access_key=secret,
                                 http_method=call.http_method, query=call.query):
        return
    if call.alternative_body is not None:
        other = call.alternative_body()
        if other != call.body and signing.signature_matches(signed, method=call.path, body=other,
                                                            secret_access_key=secret):
            return
    raise SignatureDoesNotMatchError(_MISMATCH)


def _check_time(signed: signing.SignedRequest, now: datetime) -> None:
    if signing.is_within_skew(signed, now):
        return
    when = signing.format_timestamp(signed.timestamp)
    if signed.presigned_for:
        raise RequestExpiredError(f"Request has expired: it was presigned at {when} for {signed.presigned_for} "
                                  f"seconds, and it is now {signing.format_timestamp(now)}.")
    raise RequestExpiredError(f"Signature expired: {when} is now earlier or later than "
                              f"{signing.format_timestamp(now)} by more than "
                              f"{signing.MAX_CLOCK_SKEW_SECONDS // 60} minutes.")


class Authenticator:
    def __init__(self, projection: IdentityProjection, keyring: Keyring, clock: Clock) -> None:
        self.projection = projection
        self.keyring = keyring
        self.clock = clock
        # key id -> (ciphertext it was decrypted from, secret); a rotated ciphertext misses.
        self._secrets: dict[str, tuple[str, str]] = {}

    def authenticate(self, call: SignedCall, metadata: Mapping[str, str]) -> Caller:
        """The caller whose key signed `call`, by the signature in `metadata` (gRPC metadata or
        HTTP headers, lower-case names)."""
        try:
            if signing.AUTHORIZATION_HEADER in metadata:
                signed = signing.parse_signed_request(metadata, call.services, call.required_signed)
            elif call.presigned is not None and not call.required_signed:
                signed = signing.parse_presigned_request(call.presigned, metadata, call.services)
            else:
                raise MissingAuthenticationTokenError("Request is missing Authentication Token")
        except signing.SignatureFormatError as e:
            raise IncompleteSignatureError(f"the request signature is malformed: {e.reason}") from None
        now = self.clock.now()
        if signed.session_token:
            return self._authenticate_session(signed, call, now)
        entry = self.projection.access_keys.get(signed.access_key_id)
        if entry is None or entry["status"] != "Active":
            raise InvalidClientTokenIdError(_INVALID_KEY)
        _check_time(signed, now)
        secret = self._secret(signed.access_key_id, entry["ciphertext"])
        _verify(signed, call, secret)
        return self._caller(signed.access_key_id, entry)

    def _authenticate_session(self, signed: signing.SignedRequest, call: SignedCall, now: datetime) -> Caller:
        session = self._live_session(signed.access_key_id, signed.session_token, now)
        _check_time(signed, now)
        secret = self._secret(signed.access_key_id, session["secret_ciphertext"])
        _verify(signed, call, secret)
        return self._session_caller(session, signed.access_key_id)

    @staticmethod
    def _session_caller(session: Mapping[str, Any], key_id: str) -> Caller:
        account_id = session["account_id"]
        if session["kind"] == "assumed-role":
            role_name = session["role_arn"].rsplit("/", 1)[-1]
            return Caller(session["principal_arn"], account_id, "assumed-role", role_name,
                          session["principal_id"], key_id, session)
        if session["kind"] == "federated-user":
            return Caller(session["principal_arn"], account_id, "federated-user",
                          session["principal_arn"].rsplit("/", 1)[-1], session["principal_id"], key_id, session)
        kind = "root" if session["principal_arn"].endswith(":root") else "user"
        name = "root" if kind == "root" else session["principal_arn"].rsplit("/", 1)[-1]
        return Caller(session["principal_arn"], account_id, kind, name, session["principal_id"], key_id, session)

    def session_by_token(self, session_token: str) -> Caller:
        """The principal of temporary credentials, identified by their session token alone."""
        key_id = self.projection.session_keys_by_token.get(hashlib.sha256(session_token.encode()).hexdigest())
        session = self._live_session(key_id or "", session_token, self.clock.now())
        return self._session_caller(session, session["access_key_id"])

    def _live_session(self, key_id: str, session_token: str, now: datetime) -> Mapping[str, Any]:
        """The session of these temporary credentials, if the token is theirs and still valid."""
        session = self.projection.sessions.get(key_id)
        token_hash = hashlib.sha256(session_token.encode()).hexdigest()
        if session is None or not hmac.compare_digest(token_hash, session["token_sha256"]):
            raise InvalidClientTokenIdError(_INVALID_KEY)
        if now >= datetime.fromisoformat(session["expires_at"].replace("Z", "+00:00")):
            raise ExpiredTokenError("The security token included in the request is expired")
        return session

    def _secret(self, key_id: str, ciphertext: str) -> str:
        cached = self._secrets.get(key_id)
        if cached is not None and cached[0] == ciphertext:
            return cached[1]
        try:
            secret = self.keyring.decrypt(ciphertext, context=key_id).decode()
        except KeyringError:
            # Wrong key-encryption key or a damaged record: the key cannot be used.
            raise InvalidClientTokenIdError(_INVALID_KEY) from None
        if len(self._secrets) >= MAX_SECRETS_CACHED:
            # Bounded: sessions come and go, and a forgotten one's secret must not stay in memory for
            # good. Starting afresh costs one decryption per key in use.
            self._secrets.clear()
        self._secrets[key_id] = (ciphertext, secret)
        return secret

    def _caller(self, key_id: str, entry: Mapping[str, str]) -> Caller:
        account_id = entry["account_id"]
        if entry["kind"] == "account":
            return Caller(f"arn:aws:iam::{account_id}:root", account_id, "root", "root", account_id, key_id)
        user = self.projection.accounts[account_id].users[entry["key"]]
        return Caller(user["arn"], account_id, "user", user["name"], user["id"], key_id)
