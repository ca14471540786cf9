"""Server certificates (IAM's store of TLS certificates for load balancers and CloudFront): one
stream per certificate (`servercertificate-ACCOUNT-NAME`, names case-folded), folded into its
state; the parsing (with `cryptography`) and the deciders of its commands, with AWS's rules.

The private key is a secret end to end: the use case checks it here (`parse`), seals it under the
key-encryption key (service/auth/keyring.py, bound to the certificate's ASCA... id, as access-key
secrets are bound to their key id) and hands the deciders only the ciphertext. No answer, error
message, log line or audit record holds it (AWS never returns it either).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import names
from .errors import (
    EntityAlreadyExistsError,
    FieldProblem,
    KeyPairMismatchError,
    MalformedCertificateError,
    NoSuchEntityError,
)
from .events import (
    Event,
    ServerCertificateDeleted,
    ServerCertificatePathUpdated,
    ServerCertificatePrivateKeyReencrypted,
    ServerCertificateRenamed,
    ServerCertificateTagged,
    ServerCertificateUploaded,
)
from .signing_certificates import check_pem_text, parse_certificate

SERVER_CERTIFICATE = "servercertificate"  # the stream kind
ID_PREFIX = "ASCA"
MAX_PER_ACCOUNT = 20  # AWS quota ServerCertificatesPerAccount (REFERENCE.md)
QUOTA = "ServerCertificatesPerAccount"
MAX_BODY_LENGTH = 16384  # certificateBodyType, privateKeyType
MAX_CHAIN_LENGTH = 2097152  # certificateChainType


@dataclass
class ServerCertificateState:
    exists: bool = False
    name: str = ""
    id: str = ""
    arn: str = ""
    path: str = "/"
    certificate_body: str = ""
    certificate_chain: str = ""
    private_key_ciphertext: str = ""
    uploaded_at: str = ""
    expiration: str = ""
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ParsedServerCertificate:
    body: str
    chain: str
    expiration: datetime
    private_key_pem: bytes  # the key, PEM (PKCS#8): to be sealed at once, never stored in clear

    def __repr__(self) -> str:  # never the key, even in a traceback's locals
        return f"ParsedServerCertificate(expiration={self.expiration.isoformat()})"


def stream(account_id: str, name: str) -> str:
    return names.stream_name(SERVER_CERTIFICATE, account_id, name)


def arn_of(account_id: str, path: str, name: str) -> str:
    """`arn:aws:iam::123456789012:server-certificate/PATH/NAME`: what IAM actions on it name."""
    return f"arn:aws:iam::{account_id}:server-certificate{path or '/'}{name}"


def check_name(field_name: str, name: str) -> str:
    """1-128 of [\\w+=,.@-], as AWS's serverCertificateNameType."""
    return names.check_name(SERVER_CERTIFICATE, field_name, name)


def parse(body: str, private_key: str, chain: str, now: datetime) -> ParsedServerCertificate:
    """The certificate, its chain and its private key as AWS takes them: MalformedCertificate for
    what cannot be read or has expired, KeyPairMismatch when the key is not the certificate's.
    Messages never quote the key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    certificate = parse_certificate(body, "certificateBody")
    if certificate.not_after < now:
        raise MalformedCertificateError(f"Certificate has expired (it was valid until "
                                        f"{certificate.not_after.strftime('%Y-%m-%dT%H:%M:%SZ')}).",
                                        problems=[FieldProblem("certificateBody", "expired")])
    check_pem_text("privateKey", private_key, MAX_BODY_LENGTH)
    try:
        key: Any = serialization.load_pem_private_key(private_key.strip().encode("latin-1"), password=None)
    except Exception:  # noqa: BLE001 - whatever cryptography says, it must not quote the key
        key = None
    if key is None:
        raise MalformedCertificateError("Unable to parse the private key. Please ensure it is a PEM-encoded, "
                                        "unencrypted private key.",
                                        problems=[FieldProblem("privateKey", "not a PEM private key")])
    spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if key.public_key().public_bytes(*spki) != certificate.public_key.public_bytes(*spki):
        raise KeyPairMismatchError("The public key certificate and the private key do not match.",
                                   problems=[FieldProblem("privateKey", "not the certificate's key")])
    if chain:
        check_pem_text("certificateChain", chain, MAX_CHAIN_LENGTH)
        try:
            chained = x509.load_pem_x509_certificates(chain.strip().encode("latin-1"))
        except (ValueError, TypeError):
            chained = []
        if not chained:
            raise MalformedCertificateError("Unable to parse certificate chain. Please ensure the chain is "
                                            "PEM-encoded certificates.",
                                            problems=[FieldProblem("certificateChain", "not PEM certificates")])
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return ParsedServerCertificate(certificate.body, chain.strip(), certificate.not_after, pem)


def fold(events: Iterable[Event]) -> ServerCertificateState:
    state = ServerCertificateState()
    for event in events:
        match event:
            case ServerCertificateUploaded():
                state = ServerCertificateState(True, event.name, event.id, event.arn, event.path,
                                               event.certificate_body, event.certificate_chain,
                                               event.private_key_ciphertext, event.uploaded_at, event.expiration,
                                               dict(event.tags))
            case ServerCertificatePathUpdated(path=path, arn=arn):
                state.path, state.arn = path, arn
            case ServerCertificateTagged(tags=tags):
                state.tags = dict(tags)
            case ServerCertificatePrivateKeyReencrypted(private_key_ciphertext=ciphertext):
                state.private_key_ciphertext = ciphertext
            case ServerCertificateRenamed() | ServerCertificateDeleted():
                state = ServerCertificateState()
            case _:
                raise ValueError(f"{type(event).__name__} does not apply to a server certificate")
    return state


def not_found(name: str) -> NoSuchEntityError:
    return NoSuchEntityError(f"The Server Certificate with name {name} cannot be found.",
                             resource_type="server certificate", resource_name=name)


def already_exists(name: str) -> EntityAlreadyExistsError:
    return EntityAlreadyExistsError(f"The Server Certificate with name {name} already exists.",
                                    resource_type="server certificate", resource_name=name)


def require(state: ServerCertificateState, name: str) -> ServerCertificateState:
    if not state.exists:
        raise not_found(name)
    return state


def upload(state: ServerCertificateState, *, name: str, id: str, arn: str, path: str, body: str, chain: str,
           private_key_ciphertext: str, now: str, expiration: str, tags: Mapping[str, str]) -> list[Event]:
    if state.exists:
        raise already_exists(name)
    return [ServerCertificateUploaded(name, id, arn, path, body, chain, private_key_ciphertext, now, expiration,
                                      dict(tags))]


def moved_in(state: ServerCertificateState, old: ServerCertificateState, *, name: str, path: str,
             arn: str) -> list[Event]:
    """The new name's stream of a rename: the whole certificate (its sealed key too), same id. A
    stream already holding this certificate (an interrupted rename) needs nothing more."""
    if state.exists:
        if state.id == old.id:
            return []
        raise already_exists(name)
    return [ServerCertificateUploaded(name, old.id, arn, path, old.certificate_body, old.certificate_chain,
                                      old.private_key_ciphertext, old.uploaded_at, old.expiration, dict(old.tags),
                                      renamed_from=old.name)]


def moved_out(state: ServerCertificateState, name: str, *, new_name: str, new_stream: str) -> list[Event]:
    require(state, name)
    return [ServerCertificateRenamed(new_name, new_stream)]


def update_path(state: ServerCertificateState, name: str, *, path: str, arn: str) -> list[Event]:
    require(state, name)
    return [] if path == state.path else [ServerCertificatePathUpdated(path, arn)]


def tag(state: ServerCertificateState, name: str, tags: Mapping[str, str]) -> list[Event]:
    merged = names.merge_tags(require(state, name).tags, tags)
    return [ServerCertificateTagged(merged)] if merged != state.tags else []


def untag(state: ServerCertificateState, name: str, keys: Iterable[str]) -> list[Event]:
    remaining = names.without_tags(require(state, name).tags, keys)
    return [ServerCertificateTagged(remaining)] if remaining != state.tags else []


def delete(state: ServerCertificateState, name: str) -> list[Event]:
    """iamd has no load balancer or distribution to use a certificate: never DeleteConflict."""
    require(state, name)
    return [ServerCertificateDeleted()]
