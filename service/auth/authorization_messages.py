"""Encoded authorization failure messages, as AWS services give a refused caller.

A denied Authorize asked with `encode_denial` answers, beside the decision, an opaque text the
calling service passes on to its user ("Encoded authorization failure message: ..."). Only a
principal allowed `sts:DecodeAuthorizationMessage` can read it back (STS
DecodeAuthorizationMessage): the details of a refusal (which statements, which condition values)
are for the account's administrators, not for the refused caller.

Pure: no I/O. The key is handed in by the composition root.

**The key.** 32 bytes derived from iamd's key-encryption key with HKDF-SHA256 and the purpose
label `PURPOSE` (service/auth/keyring.py, `Keyring.derive`): every replica holding the same KEK
encodes and decodes the same messages, and the key opens nothing else (secrets at rest stay under
the KEK's own AES-GCM key).

**The format** (version 1), base64url without padding of::

    version (1 byte, 0x01) || key id (8 bytes) || nonce (12 bytes) || AES-256-GCM(plaintext) || tag (16 bytes)

- the key id is the KEK's fingerprint (the 16 hex digits the log's `KeyEncryptionKeyRecorded`
  events name, not secret), so a message encoded under another KEK is refused naming both keys;
- the associated data is `b"iamd-authorization-message:" + version || key id + b":" + account`,
  the account being the one the message is for (the refused principal's, else the resource's):
  a message decodes only for a caller of that account, and a message altered anywhere (one byte,
  truncated, its header changed) fails authentication;
- the plaintext is the decoded message's JSON text (UTF-8), at most `MAX_PLAINTEXT_BYTES`; the
  encoded text is therefore at most `MAX_ENCODED_CHARS`. Not compressed: the refused caller
  chooses part of the plaintext (its context values), and compression would let the length tell
  it about the rest.

**Rotation.** A KEK rotation (`iamd rotate-kek`) replaces the key: messages encoded before it are
refused (`InvalidAuthorizationMessage` naming the key they were encoded under and the one iamd
holds). They are answers to one refused request, meant to be read soon after it; keeping the old
KEK around to read them would outlive the rotation's purpose. Ask the decision again.

**What a message holds** (AWS's decoded message): `allowed`, `explicitDeny`, `matchedStatements`
(the statements that decided: policy id and type, version, sid, index, effect; never the policy
documents), `failures` (the policy types that turned an allow into a deny), and `context`:
`principal` (id, ARN), `action`, `resource`, `conditions` (the request's context keys and values).
Never a session token, a signature or a secret: the builder takes only those fields.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PURPOSE = "iamd/authorization-message/v1"  # the HKDF label of the message key
VERSION = 1
KEY_BYTES = 32
_KEY_ID_BYTES = 8
_NONCE_BYTES = 12
_TAG_BYTES = 16
_HEADER_BYTES = 1 + _KEY_ID_BYTES
_AAD_PREFIX = b"iamd-authorization-message:"
MAX_PLAINTEXT_BYTES = 16 * 1024
# base64url without padding of the longest message: what DecodeAuthorizationMessage accepts.
MAX_ENCODED_CHARS = -(-(_HEADER_BYTES + _NONCE_BYTES + MAX_PLAINTEXT_BYTES + _TAG_BYTES) * 4 // 3)
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+", re.ASCII)
_KEY_ID = re.compile(r"[0-9a-f]{16}", re.ASCII)

# Bounds of what a message holds (then, past MAX_PLAINTEXT_BYTES, less: see `decoded_message`).
MAX_TEXT = 1024  # any one string (an ARN, an action, a context value)
MAX_STATEMENTS = 8
MAX_CONDITION_KEYS = 64
MAX_CONDITION_VALUES = 16


class InvalidAuthorizationMessage(Exception):
    """The text is not a message this key encoded for this account; the message says why,
    never what the text holds."""


@dataclass(frozen=True)
class MatchedStatement:
    """A statement that decided the request (from the decision's explanation)."""

    policy_id: str
    policy_type: str  # identity, resource, trust, boundary, session, scp or rcp
    version_id: str
    sid: str
    index: int
    effect: str  # Allow or Deny


@dataclass(frozen=True)
class DeniedRequest:
    """What a message tells: the decision and the request it was about, as plain values."""

    allowed: bool
    explicit_deny: bool
    matched: Sequence[MatchedStatement]
    failures: Sequence[str]  # policy types that blocked an otherwise allowed request
    principal_id: str
    principal_arn: str
    action: str
    resource: str
    conditions: Mapping[str, str | Sequence[str]]  # the request's context keys


def _cut(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[:limit]


def _items(values: Sequence[object]) -> dict[str, list[object]]:
    return {"items": list(values)}


def decoded_message(request: DeniedRequest) -> str:
    """The decoded message's JSON text (AWS's shape), at most MAX_PLAINTEXT_BYTES of UTF-8.

    Each string is cut at MAX_TEXT characters, at most MAX_STATEMENTS statements and
    MAX_CONDITION_KEYS keys of MAX_CONDITION_VALUES values are kept; when the whole would still be
    too long, condition values are shortened, then the conditions dropped, then statements, and
    `"truncated": true` says that something was left out."""
    statements = [{"statementId": _cut(s.sid), "effect": s.effect.upper(), "policyId": _cut(s.policy_id),
                   "policyType": s.policy_type, "policyVersionId": _cut(s.version_id, 128),
                   "statementIndex": s.index} for s in request.matched]
    conditions = []
    for key in sorted(request.conditions)[:MAX_CONDITION_KEYS]:
        value = request.conditions[key]
        values = [value] if isinstance(value, str) else list(value)
        conditions.append((_cut(key, 256), [_cut(str(v)) for v in values[:MAX_CONDITION_VALUES]]))
    truncated = len(statements) > MAX_STATEMENTS or len(request.conditions) > MAX_CONDITION_KEYS or any(
        not isinstance(v, str) and len(v) > MAX_CONDITION_VALUES for v in request.conditions.values())
    statements = statements[:MAX_STATEMENTS]
    attempts = (
        (statements, conditions, truncated),
        (statements, [(k, [_cut(v, 64) for v in vs[:2]]) for k, vs in conditions], True),
        (statements, [], True),
        (statements[:1], [], True),
    )
    for kept_statements, kept_conditions, cut in attempts:
        text = _json(request, kept_statements, kept_conditions, cut)
        if len(text.encode("utf-8")) <= MAX_PLAINTEXT_BYTES:
            return text
    return _json(request, [], [], True)  # unreachable with the bounds above; never past the bound


def _json(request: DeniedRequest, statements: list[dict[str, object]],
          conditions: list[tuple[str, list[str]]], truncated: bool) -> str:
    message: dict[str, object] = {
        "allowed": request.allowed,
        "explicitDeny": request.explicit_deny,
        "matchedStatements": _items(statements),
        "failures": _items([{"policyType": t, "reason": f"no {t} policy allows the request"}
                            for t in request.failures[:8]]),
        "context": {
            "principal": {"id": _cut(request.principal_id), "arn": _cut(request.principal_arn)},
            "action": _cut(request.action),
            "resource": _cut(request.resource),
            "conditions": _items([{"key": k, "values": _items([{"value": v} for v in vs])}
                                  for k, vs in conditions]),
        },
    }
    if truncated:
        message["truncated"] = True
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


class AuthorizationMessageCodec:
    """Encodes and decodes messages under one derived key (see the module's docstring)."""

    __slots__ = ("_aead", "_key_id", "key_id")

    def __init__(self, key: bytes, key_id: str) -> None:
        if not isinstance(key, (bytes, bytearray)) or len(key) != KEY_BYTES:
            raise ValueError(f"the message key must be {KEY_BYTES} bytes")
        if not _KEY_ID.fullmatch(key_id):
            raise ValueError("the key id must be 16 lower-case hex digits")
        self._aead = AESGCM(bytes(key))
        self.key_id = key_id
        self._key_id = bytes.fromhex(key_id)

    def __repr__(self) -> str:
        return f"AuthorizationMessageCodec(key_id={self.key_id!r})"

    def encode(self, decoded: str, account_id: str) -> str:
        """`decoded` (a `decoded_message` text) sealed for callers of `account_id`."""
        plaintext = decoded.encode("utf-8")
        if len(plaintext) > MAX_PLAINTEXT_BYTES:
            raise ValueError(f"a decoded message is at most {MAX_PLAINTEXT_BYTES} bytes")
        header = bytes((VERSION,)) + self._key_id
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext, _aad(header, account_id))
        return base64.urlsafe_b64encode(header + nonce + sealed).rstrip(b"=").decode("ascii")

    def decode(self, encoded: str, account_id: str) -> str:
        """The decoded message's JSON text; InvalidAuthorizationMessage for anything else."""
        if not isinstance(encoded, str) or not encoded:
            raise InvalidAuthorizationMessage("The encoded message is empty.")
        if len(encoded) > MAX_ENCODED_CHARS:
            raise InvalidAuthorizationMessage(
                f"The encoded message is longer than an iamd authorization message can be ({MAX_ENCODED_CHARS} "
                f"characters).")
        text = encoded.strip()
        if not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
            raise InvalidAuthorizationMessage("The encoded message is not an iamd authorization message.")
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            raise InvalidAuthorizationMessage("The encoded message is not an iamd authorization message.") from None
        if len(raw) < _HEADER_BYTES + _NONCE_BYTES + _TAG_BYTES or raw[0] != VERSION:
            raise InvalidAuthorizationMessage("The encoded message is not an iamd authorization message.")
        header, key_id = raw[:_HEADER_BYTES], raw[1:_HEADER_BYTES]
        if key_id != self._key_id:
            raise InvalidAuthorizationMessage(
                f"The message was encoded under key-encryption key {key_id.hex()}; this iamd holds "
                f"{self.key_id}. A message encoded before a key rotation cannot be decoded: ask for the "
                f"decision again.")
        nonce, sealed = raw[_HEADER_BYTES:_HEADER_BYTES + _NONCE_BYTES], raw[_HEADER_BYTES + _NONCE_BYTES:]
        try:
            plaintext = self._aead.decrypt(nonce, sealed, _aad(header, account_id))
        except InvalidTag:
            raise InvalidAuthorizationMessage(
                "The encoded message is not valid: it was altered or truncated, or it is not for this "
                "account.") from None
        return plaintext.decode("utf-8")


def _aad(header: bytes, account_id: str) -> bytes:
    return _AAD_PREFIX + header + b":" + account_id.encode("utf-8")
