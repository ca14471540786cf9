"""X.509 signing certificates of IAM users, kept in the user's stream (so that the limit of 2 per
user holds under any concurrency, DeleteUser's DeleteConflict while one exists holds, and a
rename keeps them). Parsing with `cryptography`; the deciders are pure.

AWS's rules (IAM API reference, UploadSigningCertificate): a PEM-encoded X.509 certificate
(MalformedCertificate when it cannot be read or has expired; InvalidCertificate when it is not
valid yet or its key is not RSA); at most 2 per user (LimitExceeded); the same certificate already
associated with an IAM user of the account is DuplicateCertificate (checked here within the user's
stream, and by the use case across the account's other users).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .errors import (
    DuplicateCertificateError,
    FieldProblem,
    InvalidCertificateError,
    LimitExceededError,
    MalformedCertificateError,
    NoSuchEntityError,
    ValidationError,
)
from .events import Event, SigningCertificateDeleted, SigningCertificateStatusSet, SigningCertificateUploaded

MAX_PER_USER = 2  # AWS quota "Signing certificates assigned to an IAM user"
QUOTA = "CertificatesPerUser"  # the name in AWS's LimitExceeded message
MAX_BODY_LENGTH = 16384  # AWS's certificateBodyType
_ID = re.compile(r"[\w]{24,128}")


@dataclass(frozen=True)
class ParsedCertificate:
    body: str  # the PEM as uploaded (AWS answers it so)
    sha256: str  # of the DER: what a duplicate is recognised by
    not_before: datetime
    not_after: datetime
    public_key: Any  # cryptography's public key object


def check_pem_text(field: str, text: str, max_length: int) -> None:
    """AWS's length and character constraints on a PEM member (never quoting it)."""
    if not text:
        raise ValidationError(f"1 validation error detected: Value at '{field}' failed to satisfy constraint: "
                              "Member must have length greater than or equal to 1",
                              problems=[FieldProblem(field, "required")])
    if len(text) > max_length:
        raise ValidationError(f"1 validation error detected: Value at '{field}' failed to satisfy constraint: "
                              f"Member must have length less than or equal to {max_length}",
                              problems=[FieldProblem(field, f"at most {max_length} characters")])
    if not all(ch in "\t\n\r" or "\x20" <= ch <= "\xff" for ch in text):
        raise ValidationError(f"1 validation error detected: Value at '{field}' failed to satisfy constraint: "
                              r"Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+",
                              problems=[FieldProblem(field, "characters U+0009, U+000A, U+000D, U+0020-U+00FF only")])


def parse_certificate(body: str, field: str = "certificateBody") -> ParsedCertificate:
    """One PEM X.509 certificate; MalformedCertificate when it is not one."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    check_pem_text(field, body, MAX_BODY_LENGTH)
    text = body.strip()
    if text.count("-----BEGIN CERTIFICATE-----") != 1:
        raise MalformedCertificateError("Unable to parse certificate. Please ensure the certificate is in PEM "
                                        "format and holds exactly one certificate.",
                                        problems=[FieldProblem(field, "not one PEM certificate")])
    try:
        cert = x509.load_pem_x509_certificate(text.encode("latin-1"))
        der = cert.public_bytes(serialization.Encoding.DER)
        public_key = cert.public_key()
    except (ValueError, TypeError) as e:  # also UnsupportedAlgorithm (a ValueError subclass? not always)
        raise MalformedCertificateError("Unable to parse certificate. Please ensure the certificate is in PEM "
                                        "format.", problems=[FieldProblem(field, str(e)[:200] or "unreadable")]) from None
    except Exception:  # noqa: BLE001 - cryptography's UnsupportedAlgorithm for a key it does not know
        raise MalformedCertificateError("Unable to parse certificate: its public key algorithm is not supported.",
                                        problems=[FieldProblem(field, "unsupported key algorithm")]) from None
    return ParsedCertificate(body, hashlib.sha256(der).hexdigest(), cert.not_valid_before_utc,
                             cert.not_valid_after_utc, public_key)


def parse(body: str, now: datetime, field: str = "certificateBody") -> ParsedCertificate:
    """A signing certificate as AWS takes it: readable, not expired, valid already, an RSA key."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    parsed = parse_certificate(body, field)
    if parsed.not_after < now:
        raise MalformedCertificateError(f"Certificate has expired (it was valid until "
                                        f"{parsed.not_after.strftime('%Y-%m-%dT%H:%M:%SZ')}).",
                                        problems=[FieldProblem(field, "expired")])
    if parsed.not_before > now:
        raise InvalidCertificateError(f"Certificate is not valid yet (it is valid from "
                                      f"{parsed.not_before.strftime('%Y-%m-%dT%H:%M:%SZ')}).",
                                      problems=[FieldProblem(field, "not valid yet")])
    if not isinstance(parsed.public_key, rsa.RSAPublicKey):
        raise InvalidCertificateError("Certificate is invalid: a signing certificate must hold an RSA public key.",
                                      problems=[FieldProblem(field, "not an RSA key")])
    return parsed


def check_id(field: str, cert_id: str) -> str:
    if not _ID.fullmatch(cert_id):
        raise ValidationError(f"1 validation error detected: Value '{cert_id}' at '{field}' failed to satisfy "
                              r"constraint: Member must satisfy regular expression pattern: [\w]+ (24-128 characters)",
                              problems=[FieldProblem(field, r"24-128 of [\w]")])
    return cert_id


def not_found(cert_id: str, user_name: str) -> NoSuchEntityError:
    return NoSuchEntityError(f"The Certificate with id {cert_id} cannot be found.", resource_type="signing certificate",
                             resource_name=cert_id)


def duplicate() -> DuplicateCertificateError:
    return DuplicateCertificateError("The same certificate is already associated with an IAM user in the account.",
                                     resource_type="signing certificate")


# --- deciders (`state`: the user's EntityState, service/domain/identity.py, which must exist) ------
def upload(state: Any, user_name: str, *, cert_id: str, parsed: ParsedCertificate, now: str) -> list[Event]:
    certificates: dict[str, dict[str, Any]] = state.signing_certificates
    if any(c["sha256"] == parsed.sha256 for c in certificates.values()):
        raise duplicate()
    if len(certificates) >= MAX_PER_USER:
        raise LimitExceededError(f"Cannot exceed quota for {QUOTA}: {MAX_PER_USER}", quota=QUOTA)
    return [SigningCertificateUploaded(cert_id, parsed.body, parsed.sha256, now)]


def update(state: Any, user_name: str, cert_id: str, status: str) -> list[Event]:
    certificate = state.signing_certificates.get(cert_id)
    if certificate is None:
        raise not_found(cert_id, user_name)
    return [] if certificate["status"] == status else [SigningCertificateStatusSet(cert_id, status)]


def delete(state: Any, user_name: str, cert_id: str) -> list[Event]:
    if cert_id not in state.signing_certificates:
        raise not_found(cert_id, user_name)
    return [SigningCertificateDeleted(cert_id)]
