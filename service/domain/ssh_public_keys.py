"""SSH public keys of IAM users (AWS CodeCommit's keys), kept in the user's stream so that
DeleteUser's DeleteConflict while a user holds one holds under any concurrency, and a rename keeps
them, as the user's other parts.

AWS's rules (IAM API reference, UploadSSHPublicKey): the key is in ssh-rsa (OpenSSH) format or
PEM format, at least 2048 bits; at most 5 per user (LimitExceeded); the same key twice for a user
is DuplicateSSHPublicKey; a key that is not in a recognised encoding is
UnrecognizedPublicKeyEncoding, one that is but cannot be read (or is not an RSA key of 2048 bits
or more) is InvalidPublicKey. The fingerprint is the MD5 digest of the key's OpenSSH blob, as
colon-separated hex, as AWS reports it. Parsing uses `cryptography`; the deciders are pure.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from .errors import (
    DuplicateSSHPublicKeyError,
    FieldProblem,
    InvalidPublicKeyError,
    LimitExceededError,
    NoSuchEntityError,
    UnrecognizedPublicKeyEncodingError,
    ValidationError,
)
from .events import Event, SSHPublicKeyDeleted, SSHPublicKeyStatusSet, SSHPublicKeyUploaded

ID_PREFIX = "APKA"
MAX_PER_USER = 5  # AWS quota SSHPublicKeysPerUser (cannot be increased)
QUOTA = "SSHPublicKeysPerUser"
MIN_RSA_BITS = 2048
MAX_BODY_LENGTH = 16384  # AWS's publicKeyMaterialType
STATUSES = ("Active", "Inactive")
ENCODINGS = ("SSH", "PEM")
_ID = re.compile(r"[\w]{20,128}")


@dataclass(frozen=True)
class ParsedKey:
    openssh: str  # "ssh-rsa AAAA..." (no comment)
    fingerprint: str  # "aa:bb:..." (MD5 of the key blob)
    bits: int


def _body_problem(field: str, body: str) -> None:
    if not body:
        raise ValidationError(f"1 validation error detected: Value at '{field}' failed to satisfy constraint: "
                              "Member must have length greater than or equal to 1",
                              problems=[FieldProblem(field, "required")])
    if len(body) > MAX_BODY_LENGTH:
        raise ValidationError(f"1 validation error detected: Value at '{field}' failed to satisfy constraint: "
                              f"Member must have length less than or equal to {MAX_BODY_LENGTH}",
                              problems=[FieldProblem(field, f"at most {MAX_BODY_LENGTH} characters")])
    if not all(ch in "\t\n\r" or "\x20" <= ch <= "\xff" for ch in body):
        raise ValidationError(f"1 validation error detected: Value at '{field}' failed to satisfy constraint: "
                              r"Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+",
                              problems=[FieldProblem(field, "characters U+0009, U+000A, U+000D, U+0020-U+00FF only")])


def parse(body: str, field: str = "sSHPublicKeyBody") -> ParsedKey:
    """The key of an UploadSSHPublicKey body (OpenSSH `ssh-rsa AAAA... [comment]`, or PEM:
    `BEGIN PUBLIC KEY` or `BEGIN RSA PUBLIC KEY`), checked as AWS checks it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    _body_problem(field, body)
    text = body.strip()
    try:
        if text.startswith("-----BEGIN"):
            key: Any = serialization.load_pem_public_key(text.encode("latin-1"))
        elif re.match(r"^(ssh-|ecdsa-|sk-)", text):
            key = serialization.load_ssh_public_key(text.encode("latin-1"))
        else:
            raise UnrecognizedPublicKeyEncodingError(
                "The public key encoding format is unsupported or unrecognized: the key must be in ssh-rsa "
                "format or PEM format.", problems=[FieldProblem(field, "not an ssh-rsa or PEM public key")])
    except (ValueError, TypeError, IndexError) as e:
        raise InvalidPublicKeyError(f"The public key is malformed or otherwise invalid: {_why(e)}.",
                                    problems=[FieldProblem(field, "malformed")]) from None
    except Exception as e:  # cryptography's UnsupportedAlgorithm for key types it does not know
        if isinstance(e, UnrecognizedPublicKeyEncodingError):
            raise
        raise InvalidPublicKeyError("The public key is malformed or otherwise invalid: its key type is not "
                                    "supported.", problems=[FieldProblem(field, "unsupported key type")]) from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise InvalidPublicKeyError("The public key is malformed or otherwise invalid: it must be an ssh-rsa key.",
                                    problems=[FieldProblem(field, "not an RSA key")])
    if key.key_size < MIN_RSA_BITS:
        raise InvalidPublicKeyError(f"The public key is malformed or otherwise invalid: the minimum bit-length "
                                    f"of the public key is {MIN_RSA_BITS} bits (this one has {key.key_size}).",
                                    problems=[FieldProblem(field, f"at least {MIN_RSA_BITS} bits")])
    openssh = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    return ParsedKey(openssh, fingerprint(openssh), key.key_size)


def _why(e: Exception) -> str:
    text = str(e).strip().rstrip(".")
    return text[:200] if text else "it cannot be read"


def fingerprint(openssh: str) -> str:
    """AWS's fingerprint: the MD5 digest of the key blob (the base64 part), colon-separated hex."""
    blob = base64.b64decode(openssh.split()[1])
    return ":".join(f"{b:02x}" for b in hashlib.md5(blob, usedforsecurity=False).digest())


def encoded(openssh: str, encoding: str) -> str:
    """GetSSHPublicKey's body: the OpenSSH form ("SSH") or a PEM SubjectPublicKeyInfo ("PEM")."""
    from cryptography.hazmat.primitives import serialization

    if encoding == "SSH":
        return openssh
    key = serialization.load_ssh_public_key(openssh.encode())
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def check_encoding(field: str, encoding: str) -> str:
    if encoding not in ENCODINGS:
        raise UnrecognizedPublicKeyEncodingError(
            f"The encoding {encoding or '(none)'} is unsupported or unrecognized: use SSH or PEM.",
            problems=[FieldProblem(field, "SSH or PEM")])
    return encoding


def check_status(field: str, status: str) -> str:
    if status not in STATUSES:
        raise ValidationError(f"1 validation error detected: Value '{status}' at '{field}' failed to satisfy "
                              "constraint: Member must satisfy enum value set: [Active, Inactive]",
                              problems=[FieldProblem(field, "Active or Inactive")])
    return status


def check_id(field: str, key_id: str) -> str:
    if not _ID.fullmatch(key_id):
        raise ValidationError(f"1 validation error detected: Value '{key_id}' at '{field}' failed to satisfy "
                              r"constraint: Member must satisfy regular expression pattern: [\w]+ (20-128 characters)",
                              problems=[FieldProblem(field, r"20-128 of [\w]")])
    return key_id


def not_found(key_id: str, user_name: str) -> NoSuchEntityError:
    return NoSuchEntityError(f"The Public Key with id {key_id} cannot be found.", resource_type="SSH public key",
                             resource_name=key_id)


# --- deciders (`state`: the user's EntityState, service/domain/identity.py, which must exist) ------
def upload(state: Any, user_name: str, *, key_id: str, parsed: ParsedKey, now: str) -> list[Event]:
    keys: dict[str, dict[str, Any]] = state.ssh_public_keys
    if any(k["fingerprint"] == parsed.fingerprint for k in keys.values()):
        raise DuplicateSSHPublicKeyError("The SSH public key is already associated with the specified IAM user.",
                                         resource_type="SSH public key", resource_name=parsed.fingerprint)
    if len(keys) >= MAX_PER_USER:
        raise LimitExceededError(f"Cannot exceed quota for {QUOTA}: {MAX_PER_USER}", quota=QUOTA)
    return [SSHPublicKeyUploaded(key_id, parsed.openssh, parsed.fingerprint, now)]


def update(state: Any, user_name: str, key_id: str, status: str) -> list[Event]:
    key = state.ssh_public_keys.get(key_id)
    if key is None:
        raise not_found(key_id, user_name)
    return [] if key["status"] == status else [SSHPublicKeyStatusSet(key_id, status)]


def delete(state: Any, user_name: str, key_id: str) -> list[Event]:
    if key_id not in state.ssh_public_keys:
        raise not_found(key_id, user_name)
    return [SSHPublicKeyDeleted(key_id)]
