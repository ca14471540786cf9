"""SAML 2.0 identity providers and AssumeRoleWithSAML's assertion rules.

Pure (no I/O). Two halves:

- **The registry** (CreateSAMLProvider and the rest): a provider is a name in an account and the
  IdP's metadata document, of which iamd keeps the IdP's entity id, its signing certificates and
  its `validUntil`; and, for encrypted assertions, up to two RSA private keys of 2048 to 4096
  bits (sealed under the key-encryption key by the app layer before they reach an event: this
  module sees only their ciphertexts) and the `AssertionEncryptionMode` (`Required`: encrypted
  assertions only; `Allowed`, or never set: both). One stream per provider
  (`samlprovider-ACCOUNT-NAME`).
- **The assertion** (AssumeRoleWithSAML): the base64 of a SAML `Response`, whose XML signature
  (on the Response or on its one Assertion) is checked by `signxml` against the provider's
  certificates. Everything iamd reads afterwards is read from the element signxml answers as
  signed (its canonical bytes re-parsed), never from the document as it came: a wrapped
  signature (a signed element moved aside, an unsigned one put where a reader looks) can only
  ever show iamd what was signed. An `EncryptedAssertion` (service/domain/saml_encryption.py) is
  decrypted with the provider's keys and then verified exactly as a plain Assertion: its own
  signature, or the Response's (which then covers the ciphertext, decrypted from the signed copy).
  Then AWS's rules (IAM User Guide, "Configure SAML assertions
  for the authentication response"): the Issuer is the provider's entity id; exactly one
  SubjectConfirmation whose SubjectConfirmationData has `NotOnOrAfter` and a `Recipient` that is
  AWS's sign-in endpoint; an AudienceRestriction naming AWS; `NotBefore`/`NotOnOrAfter` with
  five minutes of skew; the `https://aws.amazon.com/SAML/Attributes/Role` attribute naming the
  role and provider pair; a `RoleSessionName`; optional `SessionDuration`,
  `PrincipalTag:*`, `TransitiveTagKeys`, `SourceIdentity`.

`verify` is CPU-bound (XML signature checks; up to saml_encryption.MAX_ENCRYPTED_KEYS x
MAX_PRIVATE_KEYS RSA-OAEP decryptions): the use case (service/app/sts.py) runs it off the event
loop, a bounded number at a time. Errors carry AWS's codes; none quotes the assertion (it is a
credential).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from . import names
from . import saml_encryption
from .errors import (
    EntityAlreadyExistsError,
    ExpiredWebIdentityTokenError,
    FieldProblem,
    IdpRejectedClaimError,
    InvalidIdentityTokenError,
    InvalidInputError,
    LimitExceededError,
    NoSuchEntityError,
    ValidationError,
)
from .events import (
    Event,
    SAMLProviderAssertionEncryptionModeSet,
    SAMLProviderCreated,
    SAMLProviderDeleted,
    SAMLProviderPrivateKeyAdded,
    SAMLProviderPrivateKeyReencrypted,
    SAMLProviderPrivateKeyRemoved,
    SAMLProviderTagged,
    SAMLProviderUpdated,
)

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"

MIN_METADATA_CHARS, MAX_METADATA_CHARS = 1000, 10_000_000  # the IAM model's SAMLMetadataDocumentType
MIN_ASSERTION_CHARS, MAX_ASSERTION_CHARS = 4, 100_000  # the STS model's SAMLAssertionType
MAX_NAME_CHARS = 128
MAX_PER_ACCOUNT = 100  # AWS: SAML providers per account (IAM and AWS STS quotas)
QUOTA = "SAMLProvidersPerAccount"
_NAME = re.compile(r"[\w._-]+")
CLOCK_SKEW = timedelta(minutes=5)

# AWS's audiences and sign-in endpoints (the Recipient, and saml:aud): the global endpoint, the
# regional ones, the `static` one the newer guide shows, and a provider's own /acs/ID form.
AUDIENCE_URN = "urn:amazon:webservices"
_ENDPOINT = re.compile(r"https://(?:[a-z]{2}(?:-[a-z]+)+-\d+\.)?signin\.aws\.amazon\.com/(?:static/)?saml"
                       r"(?:/acs/[A-Za-z0-9-]+)?")
ATTR = "https://aws.amazon.com/SAML/Attributes/"
ROLE_ATTR = ATTR + "Role"
SESSION_NAME_ATTR = ATTR + "RoleSessionName"
DURATION_ATTR = ATTR + "SessionDuration"
SOURCE_IDENTITY_ATTR = ATTR + "SourceIdentity"
TAG_ATTR = ATTR + "PrincipalTag:"
TRANSITIVE_ATTR = ATTR + "TransitiveTagKeys"
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}")
_NAME_FORMATS = {"urn:oasis:names:tc:SAML:2.0:nameid-format:persistent": "persistent",
                 "urn:oasis:names:tc:SAML:2.0:nameid-format:transient": "transient"}

# The attributes AWS maps to trust-policy keys (IAM User Guide, "Mapping SAML attributes to AWS
# trust policy context keys"): attribute Name -> (key, multivalued).
_EDU = "urn:oid:1.3.6.1.4.1.5923."
ATTRIBUTE_KEYS: dict[str, tuple[str, bool]] = {
    _EDU + "1.1.1.1": ("saml:edupersonaffiliation", True), _EDU + "1.1.1.2": ("saml:edupersonnickname", True),
    _EDU + "1.1.1.3": ("saml:edupersonorgdn", False), _EDU + "1.1.1.4": ("saml:edupersonorgunitdn", True),
    _EDU + "1.1.1.5": ("saml:edupersonprimaryaffiliation", False),
    _EDU + "1.1.1.6": ("saml:edupersonprincipalname", False), _EDU + "1.1.1.7": ("saml:edupersonentitlement", True),
    _EDU + "1.1.1.8": ("saml:edupersonprimaryorgunitdn", False),
    _EDU + "1.1.1.9": ("saml:edupersonscopedaffiliation", True), _EDU + "1.1.1.10": ("saml:edupersontargetedid", True),
    _EDU + "1.1.1.11": ("saml:edupersonassurance", True), _EDU + "1.2.1.2": ("saml:eduorghomepageuri", True),
    _EDU + "1.2.1.3": ("saml:eduorgidentityauthnpolicyuri", True), _EDU + "1.2.1.4": ("saml:eduorglegalname", True),
    _EDU + "1.2.1.5": ("saml:eduorgsuperioruri", True), _EDU + "1.2.1.6": ("saml:eduorgwhitepagesuri", True),
    "urn:oid:2.5.4.3": ("saml:cn", True),
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name": ("saml:name", False),
    "http://schemas.xmlsoap.org/claims/CommonName": ("saml:commonName", False),
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname": ("saml:givenName", False),
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname": ("saml:surname", False),
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": ("saml:mail", False),
    "http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid": ("saml:uid", False),
    "2.5.4.3": ("saml:commonName", False), "2.5.4.4": ("saml:surname", False), "2.4.5.42": ("saml:givenName", False),
    "2.5.4.45": ("saml:x500UniqueIdentifier", False), "0.9.2342.19200300100.1.1": ("saml:uid", False),
    "0.9.2342.19200300100.1.3": ("saml:mail", False),
    "0.9.2342.19200300.100.1.45": ("saml:organizationStatus", False),
}
# The keys that stay in a SAML session's own requests (the IAM User Guide lists them for AssumeRole,
# i.e. a role chained from the session).
SESSION_KEYS = ("saml:sub", "saml:sub_type", "saml:namequalifier")

SIGNATURE_INVALID = "Response signature invalid"
NOT_SAML = "Invalid SAML response: not a base64-encoded SAML 2.0 Response"
# One answer for every failure between an encrypted assertion and its verified signature: see the
# INVARIANT of service/domain/saml_encryption.py (a more precise refusal would be an oracle).
NOT_DECRYPTED = "Unable to decrypt the SAML assertion, or the decrypted assertion's signature is invalid"
ENCRYPTION_REQUIRED = "The SAML provider requires encrypted assertions (its AssertionEncryptionMode is Required)"
NO_DECRYPTION_KEY = "The SAML assertion is encrypted, but the SAML provider has no private key to decrypt it"

# Encrypted assertions (the IAM model: assertionEncryptionModeType, privateKeyType, privateKeyIdType,
# privateKeyList).
REQUIRED, ALLOWED = "Required", "Allowed"
ENCRYPTION_MODES = (REQUIRED, ALLOWED)
MAX_PRIVATE_KEYS = 2  # privateKeyList: at most 2 (add the new key, then remove the old: a rotation)
PRIVATE_KEYS_QUOTA = "PrivateKeysPerSAMLProvider"
MIN_PRIVATE_KEY_CHARS, MAX_PRIVATE_KEY_CHARS = 1, 16384
# iamd's bound on a private key's RSA modulus (AWS documents none): 16384 characters of PEM hold a
# key of some 20,000 bits, which takes far more than seconds to check (its primes) and a good part
# of a second for each RSA-OAEP decryption, of which one unauthenticated AssumeRoleWithSAML may ask
# up to saml_encryption.MAX_ENCRYPTED_KEYS x MAX_PRIVATE_KEYS. At 4096 bits a check takes a
# fraction of a second and a decryption a few milliseconds. 2048 bits is the floor NIST SP
# 800-131A sets for RSA key transport.
MIN_PRIVATE_KEY_BITS, MAX_PRIVATE_KEY_BITS = 2048, 4096
_PRIVATE_KEY_CHARS = re.compile(r"[\u0009\u000A\u000D\u0020-\u00FF]+")
_PRIVATE_KEY_ID = re.compile(r"[A-Z0-9]+")
MIN_PRIVATE_KEY_ID_CHARS, MAX_PRIVATE_KEY_ID_CHARS = 22, 64


# --- the registry ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Metadata:
    entity_id: str
    certificates: list[str]  # base64 DER of the IdP's signing certificates
    valid_until: str = ""  # ISO 8601, from the EntityDescriptor's validUntil


@dataclass
class ProviderState:
    exists: bool = False
    arn: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    metadata_document: str = ""
    encryption_mode: str = ""  # "Required", "Allowed", or "" (never set: as Allowed)
    private_keys: dict[str, str] = field(default_factory=dict)  # KeyId -> its ciphertext, oldest first


def check_name(name: str) -> str:
    if not 1 <= len(name) <= MAX_NAME_CHARS or not _NAME.fullmatch(name):
        raise ValidationError(
            f"1 validation error detected: Value '{name[:MAX_NAME_CHARS]}' at 'name' failed to satisfy constraint: "
            + (f"Member must satisfy regular expression pattern: {_NAME.pattern}" if name and len(name) <= MAX_NAME_CHARS
               else f"Member must have length {'greater than or equal to 1' if not name else f'less than or equal to {MAX_NAME_CHARS}'}"),
            problems=[FieldProblem("name", f"1-{MAX_NAME_CHARS} characters of [\\w._-]")])
    return name


def arn_of(account_id: str, name: str) -> str:
    return f"arn:aws:iam::{account_id}:saml-provider/{name}"


def name_of_arn(arn: str, account_id: str) -> str:
    """The provider name an ARN of this account names; NoSuchEntity for any other ARN."""
    prefix = f"arn:aws:iam::{account_id}:saml-provider/"
    name = arn[len(prefix):] if arn.startswith(prefix) else ""
    if not name or not _NAME.fullmatch(name):
        raise not_found(arn)
    return name


def stream(account_id: str, name: str) -> str:
    """One stream per case-insensitive name: `MyIdP` and `myidp` cannot both exist."""
    return names.stream_name("samlprovider", account_id, name)


def _parser() -> Any:
    from lxml import etree  # imported when used: start-up does not need lxml

    # No DTD, no entities, no network: an IdP's document is data, never instructions to fetch.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_comments=True, remove_pis=True)


def _parse_xml(data: bytes) -> Any:
    from lxml import etree

    root = etree.fromstring(data, parser=_parser())
    if root.getroottree().docinfo.doctype:
        raise ValueError("a document type declaration")
    return root


def parse_metadata(document: str, field_name: str = "sAMLMetadataDocument") -> Metadata:
    """The IdP's entity id, signing certificates and validUntil; InvalidInput as AWS when the
    document is not SAML 2.0 IdP metadata with at least one signing certificate."""
    if not MIN_METADATA_CHARS <= len(document) <= MAX_METADATA_CHARS:
        rule = (f"Member must have length greater than or equal to {MIN_METADATA_CHARS}"
                if len(document) < MIN_METADATA_CHARS else
                f"Member must have length less than or equal to {MAX_METADATA_CHARS}")
        raise ValidationError(f"1 validation error detected: Value at '{field_name}' failed to satisfy constraint: {rule}",
                              problems=[FieldProblem(field_name, rule)])
    bad = InvalidInputError("Could not parse metadata", problems=[FieldProblem(
        field_name, "SAML 2.0 metadata: an EntityDescriptor with an IDPSSODescriptor and its signing certificate")])
    try:
        root = _parse_xml(document.encode())
    except Exception:
        raise bad from None
    entity = root
    if root.tag == f"{{{MD}}}EntitiesDescriptor":
        entities = root.findall(f"{{{MD}}}EntityDescriptor")
        if len(entities) != 1:
            raise bad
        entity = entities[0]
    if entity.tag != f"{{{MD}}}EntityDescriptor" or not entity.get("entityID"):
        raise bad
    idp = entity.find(f"{{{MD}}}IDPSSODescriptor")
    if idp is None:
        raise bad
    certificates: list[str] = []
    for descriptor in idp.findall(f"{{{MD}}}KeyDescriptor"):
        if descriptor.get("use", "signing") != "signing":
            continue
        for cert in descriptor.iterfind(f"{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate"):
            der = _certificate(cert.text or "")
            if der is None:
                raise bad
            if der not in certificates:
                certificates.append(der)
    if not certificates:
        raise bad
    valid_until = ""
    for holder in (entity, idp, root):
        if holder.get("validUntil"):
            parsed = _instant(holder.get("validUntil"))
            if parsed is None:
                raise bad
            valid_until = parsed.strftime("%Y-%m-%dT%H:%M:%SZ")
            break
    return Metadata(entity.get("entityID"), certificates, valid_until)


def _certificate(text: str) -> str | None:
    from cryptography import x509

    compact = "".join(text.split())
    try:
        x509.load_der_x509_certificate(base64.b64decode(compact, validate=True))
    except (ValueError, binascii.Error):
        return None
    return compact


def fold(events: Iterable[Event]) -> ProviderState:
    state = ProviderState()
    for event in events:
        match event:
            case SAMLProviderCreated(arn=arn, tags=tags, metadata_document=doc):
                state = ProviderState(True, arn, dict(tags), doc)
            case SAMLProviderUpdated(metadata_document=doc):
                state.metadata_document = doc
            case SAMLProviderTagged(tags=tags):
                state.tags = dict(tags)
            case SAMLProviderAssertionEncryptionModeSet(mode=mode):
                state.encryption_mode = mode
            case SAMLProviderPrivateKeyAdded(private_key_id=key_id, private_key_ciphertext=ciphertext):
                state.private_keys[key_id] = ciphertext
            case SAMLProviderPrivateKeyRemoved(private_key_id=key_id):
                state.private_keys.pop(key_id, None)
            case SAMLProviderPrivateKeyReencrypted(private_key_id=key_id, private_key_ciphertext=ciphertext):
                if key_id in state.private_keys:
                    state.private_keys[key_id] = ciphertext
            case SAMLProviderDeleted():
                state = ProviderState()
            case _:
                raise ValueError(f"{type(event).__name__} does not apply to a SAML provider")
    return state


@dataclass(frozen=True)
class SealedKey:
    """A private key to add, as the app layer sealed it (the key itself never comes here)."""

    key_id: str
    ciphertext: str


@dataclass(frozen=True)
class EncryptionChange:
    """What Create/UpdateSAMLProvider asks of the provider's encrypted assertions."""

    mode: str = ""  # "" leaves it as it is
    add: SealedKey | None = None
    remove: str = ""  # a KeyId

    @property
    def is_empty(self) -> bool:
        return not (self.mode or self.add or self.remove)


def create(state: ProviderState, arn: str, name: str, document: str, metadata: Metadata, uuid: str,
           tags: Mapping[str, str], now: str, encryption: EncryptionChange = EncryptionChange()) -> list[Event]:
    if state.exists:
        raise EntityAlreadyExistsError(f"SAMLProvider {name} already exists", resource_type="saml-provider",
                                       resource_name=arn)
    created = SAMLProviderCreated(arn, name, uuid, document, metadata.entity_id, list(metadata.certificates),
                                  metadata.valid_until, now, dict(tags))
    return [created, *_encryption_events(ProviderState(True, arn), arn, encryption, now)]


def check_encryption_mode(mode: str) -> str:
    if mode and mode not in ENCRYPTION_MODES:
        raise ValidationError(
            f"1 validation error detected: Value '{mode[:32]}' at 'assertionEncryptionMode' failed to satisfy "
            f"constraint: Member must satisfy enum value set: [{', '.join(ENCRYPTION_MODES)}]",
            problems=[FieldProblem("assertionEncryptionMode", " or ".join(ENCRYPTION_MODES))])
    return mode


def check_private_key_id(key_id: str) -> str:
    """RemovePrivateKey's KeyId: 22-64 of [A-Z0-9] (the IAM model's privateKeyIdType)."""
    if not MIN_PRIVATE_KEY_ID_CHARS <= len(key_id) <= MAX_PRIVATE_KEY_ID_CHARS:
        rule = (f"Member must have length greater than or equal to {MIN_PRIVATE_KEY_ID_CHARS}"
                if len(key_id) < MIN_PRIVATE_KEY_ID_CHARS else
                f"Member must have length less than or equal to {MAX_PRIVATE_KEY_ID_CHARS}")
    elif not _PRIVATE_KEY_ID.fullmatch(key_id):
        rule = f"Member must satisfy regular expression pattern: {_PRIVATE_KEY_ID.pattern}"
    else:
        return key_id
    raise ValidationError(f"1 validation error detected: Value '{key_id[:MAX_PRIVATE_KEY_ID_CHARS]}' at "
                          f"'removePrivateKey' failed to satisfy constraint: {rule}",
                          problems=[FieldProblem("removePrivateKey", rule)])


def parse_private_key(pem: str) -> bytes:
    """AddPrivateKey checked: the IAM model's constraints (1-16384 characters of tab, newlines and
    U+0020-U+00FF), then an unencrypted PEM RSA private key (RSA-OAEP carries the assertion's key)
    of 2048 to 4096 bits (InvalidInput naming `addPrivateKey` otherwise; its size is read before
    anything of it is checked). Returns it as unencrypted PKCS#8 PEM, for the app layer to seal at
    once. No message quotes it. CPU-bound (checking a 4096-bit key's primes takes a fraction of a
    second): the app layer calls it off the event loop."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    if not MIN_PRIVATE_KEY_CHARS <= len(pem) <= MAX_PRIVATE_KEY_CHARS:
        rule = (f"Member must have length greater than or equal to {MIN_PRIVATE_KEY_CHARS}"
                if len(pem) < MIN_PRIVATE_KEY_CHARS else
                f"Member must have length less than or equal to {MAX_PRIVATE_KEY_CHARS}")
    elif not _PRIVATE_KEY_CHARS.fullmatch(pem):
        rule = f"Member must satisfy regular expression pattern: {_PRIVATE_KEY_CHARS.pattern}"
    else:
        rule = ""
    if rule:
        raise ValidationError(f"1 validation error detected: Value at 'addPrivateKey' failed to satisfy constraint: "
                              f"{rule}", problems=[FieldProblem("addPrivateKey", rule)])
    bad = InvalidInputError("The private key is not a valid unencrypted PEM-encoded RSA private key",
                            problems=[FieldProblem("addPrivateKey", "an unencrypted PEM RSA private key (.pem)")])
    data = pem.encode("latin-1")
    try:  # read first without checking the key (its primes): that costs the more the larger it is
        key = serialization.load_pem_private_key(data, password=None, unsafe_skip_rsa_key_validation=True)
    except (ValueError, TypeError, UnicodeError):
        raise bad from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise bad
    check_private_key_size(key.key_size)
    try:  # then checked, its size bounded now
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise bad from None
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def check_private_key_size(bits: int) -> None:
    """AddPrivateKey's RSA modulus: MIN_PRIVATE_KEY_BITS to MAX_PRIVATE_KEY_BITS (iamd's bound)."""
    if not MIN_PRIVATE_KEY_BITS <= bits <= MAX_PRIVATE_KEY_BITS:
        raise InvalidInputError(
            f"The private key is a {bits}-bit RSA key; a SAML provider's private key must be an RSA key of "
            f"{MIN_PRIVATE_KEY_BITS} to {MAX_PRIVATE_KEY_BITS} bits",
            problems=[FieldProblem("addPrivateKey",
                                   f"an RSA key of {MIN_PRIVATE_KEY_BITS} to {MAX_PRIVATE_KEY_BITS} bits")])


def _encryption_events(state: ProviderState, arn: str, change: EncryptionChange, now: str) -> list[Event]:
    if change.add is not None and change.remove:
        raise InvalidInputError("Add the new private key and remove the old one in separate requests",
                                problems=[FieldProblem("removePrivateKey", "not with addPrivateKey")])
    events: list[Event] = []
    keys = list(state.private_keys)
    if change.remove:
        if change.remove not in state.private_keys:
            raise NoSuchEntityError(f"The private key {change.remove} does not exist on the SAML provider {arn}",
                                    resource_type="saml-provider-private-key", resource_name=change.remove)
        keys.remove(change.remove)
        events.append(SAMLProviderPrivateKeyRemoved(arn, change.remove))
    if change.add is not None:
        if len(keys) >= MAX_PRIVATE_KEYS:
            raise LimitExceededError(f"Cannot exceed quota for {PRIVATE_KEYS_QUOTA}: {MAX_PRIVATE_KEYS}",
                                     quota=PRIVATE_KEYS_QUOTA)
        keys.append(change.add.key_id)
        events.append(SAMLProviderPrivateKeyAdded(arn, change.add.key_id, change.add.ciphertext, now))
    mode = change.mode or state.encryption_mode
    if mode == REQUIRED and not keys:
        raise InvalidInputError("AssertionEncryptionMode Required needs a private key to decrypt assertions with",
                                problems=[FieldProblem("assertionEncryptionMode" if change.mode else "removePrivateKey",
                                                       "a private key while the mode is Required")])
    if change.mode and change.mode != state.encryption_mode:
        events.append(SAMLProviderAssertionEncryptionModeSet(arn, change.mode))
    return events


def _existing(state: ProviderState, arn: str) -> ProviderState:
    if not state.exists or state.arn != arn:
        raise not_found(arn)
    return state


def update(state: ProviderState, arn: str, document: str, metadata: Metadata | None,
           encryption: EncryptionChange = EncryptionChange(), now: str = "") -> list[Event]:
    """A new metadata document (when given) and the encryption change, in one append."""
    _existing(state, arn)
    events: list[Event] = []
    if metadata is not None:
        events.append(SAMLProviderUpdated(arn, document, metadata.entity_id, list(metadata.certificates),
                                          metadata.valid_until))
    return events + _encryption_events(state, arn, encryption, now)


def tag(state: ProviderState, arn: str, tags: Mapping[str, str]) -> list[Event]:
    merged = names.merge_tags(_existing(state, arn).tags, tags)
    return [SAMLProviderTagged(arn, merged)] if merged != state.tags else []


def untag(state: ProviderState, arn: str, keys: Iterable[str]) -> list[Event]:
    remaining = names.without_tags(_existing(state, arn).tags, keys)
    return [SAMLProviderTagged(arn, remaining)] if remaining != state.tags else []


def delete(state: ProviderState, arn: str) -> list[Event]:
    return [SAMLProviderDeleted(_existing(state, arn).arn)]


def not_found(arn: str) -> NoSuchEntityError:
    return NoSuchEntityError(f"Manifest not found for arn {arn}", resource_type="saml-provider", resource_name=arn)


# --- the assertion --------------------------------------------------------------------------------
@dataclass(frozen=True)
class VerifiedAssertion:
    """What a signed assertion says, read from the signed element only."""

    issuer: str
    subject: str
    subject_type: str  # persistent, transient, or the NameID Format URI
    recipient: str  # saml:aud
    role_pairs: tuple[tuple[str, str], ...]  # (role ARN, provider ARN)
    session_name: str
    session_duration: int = 0  # the SessionDuration attribute (seconds), 0 when absent
    session_not_on_or_after: datetime | None = None
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    session_tags: tuple[tuple[str, str], ...] = ()
    transitive_tag_keys: tuple[str, ...] = ()
    source_identity: str = ""
    assertion_id: str = ""


def check_assertion_length(assertion: str) -> None:
    if not MIN_ASSERTION_CHARS <= len(assertion) <= MAX_ASSERTION_CHARS:
        rule = (f"Member must have length greater than or equal to {MIN_ASSERTION_CHARS}"
                if len(assertion) < MIN_ASSERTION_CHARS else
                f"Member must have length less than or equal to {MAX_ASSERTION_CHARS}")
        raise ValidationError(f"1 validation error detected: Value at 'sAMLAssertion' failed to satisfy constraint: "
                              f"{rule}", problems=[FieldProblem("sAMLAssertion", rule)])


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _bound(element: Any, attribute: str) -> datetime | None:
    """An optional time bound of the assertion: None when absent; one that is not a dateTime
    refuses the assertion (read as absent, it would drop the bound the IdP set)."""
    text = element.get(attribute) if element is not None else None
    if text is None:
        return None
    value = _instant(text)
    if value is None:
        raise InvalidIdentityTokenError(f"Invalid SAML response: {attribute} is not a dateTime")
    return value


def decode(assertion: str) -> bytes:
    check_assertion_length(assertion)
    try:
        return base64.b64decode("".join(assertion.split()), validate=True)
    except (ValueError, binascii.Error):
        raise InvalidIdentityTokenError(NOT_SAML) from None


def _verified(raw: bytes, certificates: Sequence[str], location: str) -> Any | None:
    """The element signxml answers as signed by one of the certificates (one signature, at
    `location`, with one reference), or None when none verifies it."""
    from signxml import SignatureConfiguration, XMLVerifier

    config = SignatureConfiguration(location=location, expect_references=1)
    for pem in certificates:
        try:
            result = XMLVerifier().verify(raw, x509_cert=pem, expect_config=config)
        except Exception:  # noqa: BLE001 - any failure with this certificate: try the next
            continue
        return result.signed_xml  # type: ignore[union-attr]
    return None


def _decrypted(encrypted: Any, private_keys: Sequence[bytes]) -> Any:
    """The Assertion element an EncryptedAssertion holds; InvalidIdentityToken otherwise (NOT_DECRYPTED
    for anything that depends on the keys or the ciphertext, see saml_encryption)."""
    from cryptography.hazmat.primitives import serialization

    if not private_keys:
        raise InvalidIdentityTokenError(NO_DECRYPTION_KEY)
    # Each key was checked when it was added (parse_private_key) and comes out of the keyring's
    # authenticated encryption: checking its primes again would cost more than the decryption (a
    # fraction of a second for a 4096-bit key), on every call. A key past the size bound (stored
    # before the bound was) is not used: the work an unauthenticated call can cause stays bounded.
    loaded = [serialization.load_pem_private_key(pem, password=None, unsafe_skip_rsa_key_validation=True)
              for pem in private_keys]
    keys = [k for k in loaded if k.key_size <= MAX_PRIVATE_KEY_BITS]  # type: ignore[union-attr]
    del loaded
    try:
        plaintext = saml_encryption.decrypt(encrypted, keys)
    except saml_encryption.DecryptionFailedError:
        raise InvalidIdentityTokenError(NOT_DECRYPTED) from None
    except saml_encryption.EncryptionError as e:  # the algorithms and the form, as the sender chose them
        raise InvalidIdentityTokenError(f"Invalid SAML response: {e}") from None
    finally:
        del keys
    try:
        assertion = _parse_xml(plaintext)
    except Exception:
        raise InvalidIdentityTokenError(NOT_DECRYPTED) from None
    if assertion.tag != f"{{{SAML}}}Assertion":
        raise InvalidIdentityTokenError(NOT_DECRYPTED)
    return assertion


def _signed_element(raw: bytes, certificates: Sequence[str], *, encryption_mode: str = "",
                    private_keys: Callable[[], Sequence[bytes]] = lambda: ()) -> Any:
    """The element the IdP signed (the Response, or its one Assertion), as signxml gives it back:
    its canonical bytes re-parsed, nothing of the document outside the signature's reach.

    An EncryptedAssertion (`private_keys` gives the provider's keys, PEM, when one is met) is
    decrypted and verified as a plain Assertion: under the Response's signature, decrypted from
    the signed copy; otherwise by its own signature, checked on the decrypted Assertion alone."""
    try:
        root = _parse_xml(raw)
    except Exception:
        raise InvalidIdentityTokenError(NOT_SAML) from None
    if root.tag != f"{{{SAMLP}}}Response":
        raise InvalidIdentityTokenError(NOT_SAML)
    plain = root.findall(f"{{{SAML}}}Assertion")
    encrypted = root.findall(f"{{{SAML}}}EncryptedAssertion")
    if len(plain) + len(encrypted) != 1:
        raise InvalidIdentityTokenError("The SAML response must contain exactly one Assertion")
    if plain and encryption_mode == REQUIRED:
        raise InvalidIdentityTokenError(ENCRYPTION_REQUIRED)
    assertion_tag = f"{{{SAML}}}EncryptedAssertion" if encrypted else f"{{{SAML}}}Assertion"
    if root.find(f"{{{DS}}}Signature") is not None:
        signed = _verified(raw, certificates, "./")
        if signed is not None and not encrypted and signed.tag == f"{{{SAML}}}Assertion":
            return signed  # the Response's signature referencing its Assertion
        if signed is None or signed.tag != f"{{{SAMLP}}}Response":
            raise InvalidIdentityTokenError(SIGNATURE_INVALID)  # or a signature over something else
        inside = signed.findall(assertion_tag)
        other = signed.findall(f"{{{SAML}}}Assertion" if encrypted else f"{{{SAML}}}EncryptedAssertion")
        if len(inside) != 1 or other:
            raise InvalidIdentityTokenError(SIGNATURE_INVALID)
        return _decrypted(inside[0], private_keys()) if encrypted else inside[0]
    if not encrypted:
        signed = _verified(raw, certificates, f"./{{{SAML}}}Assertion/")
        if signed is None or signed.tag != f"{{{SAML}}}Assertion":
            raise InvalidIdentityTokenError(SIGNATURE_INVALID)
        return signed
    from lxml import etree

    assertion = _decrypted(encrypted[0], private_keys())
    signed = _verified(etree.tostring(assertion), certificates, "./")
    if signed is None or signed.tag != f"{{{SAML}}}Assertion":
        raise InvalidIdentityTokenError(NOT_DECRYPTED)
    return signed


def _text(element: Any) -> str:
    return (element.text or "").strip() if element is not None else ""


def verify(assertion_b64: str, *, entity_id: str, certificates: Sequence[str], now: datetime,
           encryption_mode: str = "", private_keys: Callable[[], Sequence[bytes]] = lambda: ()) -> VerifiedAssertion:
    """The assertion checked: decrypted when encrypted (with the keys `private_keys` answers, PEM,
    asked only then), its signature against the provider's certificates, then AWS's rules.
    Everything read comes from the signed element. A plain assertion is refused when the
    provider's `encryption_mode` is Required."""
    raw = decode(assertion_b64)
    assertion = _signed_element(raw, certificates, encryption_mode=encryption_mode, private_keys=private_keys)
    q = f"{{{SAML}}}"

    issuer = _text(assertion.find(q + "Issuer"))
    if issuer != entity_id:
        raise InvalidIdentityTokenError("Issuer of the SAML assertion does not match the SAML provider's metadata")

    subject = assertion.find(q + "Subject")
    name_id = subject.find(q + "NameID") if subject is not None else None
    if name_id is None or not _text(name_id):
        raise InvalidIdentityTokenError("The SAML assertion has no Subject NameID")
    confirmations = subject.findall(q + "SubjectConfirmation")
    data = [c.find(q + "SubjectConfirmationData") for c in confirmations]
    if len(confirmations) != 1 or data[0] is None:
        raise InvalidIdentityTokenError("The SAML assertion must have exactly one SubjectConfirmation with "
                                        "SubjectConfirmationData")
    confirmation = data[0]
    recipient = confirmation.get("Recipient") or ""
    if not _ENDPOINT.fullmatch(recipient):
        raise InvalidIdentityTokenError("Invalid SAML response: the SubjectConfirmationData Recipient must be AWS's "
                                        "sign-in endpoint (https://signin.aws.amazon.com/saml)")
    expires = _instant(confirmation.get("NotOnOrAfter"))
    if expires is None:
        raise InvalidIdentityTokenError("The SAML assertion's SubjectConfirmationData has no NotOnOrAfter")

    conditions = assertion.find(q + "Conditions")
    audiences = [_text(a) for r in (conditions.findall(q + "AudienceRestriction") if conditions is not None else ())
                 for a in r.findall(q + "Audience")]
    if not any(a == AUDIENCE_URN or _ENDPOINT.fullmatch(a) for a in audiences):
        raise InvalidIdentityTokenError("Incorrect SAML assertion audience: https://signin.aws.amazon.com/saml or "
                                        "urn:amazon:webservices expected")
    not_before = _bound(conditions, "NotBefore")
    not_after = _bound(conditions, "NotOnOrAfter")
    if not_before is not None and now + CLOCK_SKEW < not_before:
        raise InvalidIdentityTokenError("The SAML assertion is not yet valid (Conditions NotBefore)")
    for deadline in (expires, not_after):
        if deadline is not None and now - CLOCK_SKEW >= deadline:
            raise session_ended(deadline, now)

    attributes: dict[str, tuple[str, ...]] = {}
    for statement in assertion.findall(q + "AttributeStatement"):
        for attribute in statement.findall(q + "Attribute"):
            key = attribute.get("Name") or ""
            values = tuple(_text(v) for v in attribute.findall(q + "AttributeValue"))
            attributes[key] = attributes.get(key, ()) + values

    pairs: list[tuple[str, str]] = []
    for value in attributes.get(ROLE_ATTR, ()):
        parts = [p.strip() for p in value.split(",")]
        if len(parts) == 2:
            role, provider = (parts if ":role/" in parts[0] else parts[::-1])
            pairs.append((role, provider))
    session_names = attributes.get(SESSION_NAME_ATTR, ())
    if not session_names:
        raise InvalidIdentityTokenError("RoleSessionName is required in AuthnResponse")
    session_name = session_names[0]
    if not _SESSION_NAME.fullmatch(session_name):
        raise InvalidIdentityTokenError("RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}")
    duration = 0
    if attributes.get(DURATION_ATTR):
        try:
            duration = int(attributes[DURATION_ATTR][0])
        except ValueError:
            raise InvalidIdentityTokenError("SessionDuration in AuthnResponse must be a number of seconds") from None
        if not 900 <= duration <= 43200:
            raise InvalidIdentityTokenError("SessionDuration in AuthnResponse must be between 900 and 43200 seconds")
    session_end = _bound(assertion.find(q + "AuthnStatement"), "SessionNotOnOrAfter")
    tags = tuple((k.removeprefix(TAG_ATTR), v[0]) for k, v in attributes.items() if k.startswith(TAG_ATTR) and v)
    name_format = name_id.get("Format") or "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
    source = attributes.get(SOURCE_IDENTITY_ATTR, ())
    return VerifiedAssertion(
        issuer=issuer, subject=_text(name_id), subject_type=_NAME_FORMATS.get(name_format, name_format),
        recipient=recipient, role_pairs=tuple(pairs), session_name=session_name, session_duration=duration,
        session_not_on_or_after=session_end, attributes=attributes, session_tags=tags,
        transitive_tag_keys=attributes.get(TRANSITIVE_ATTR, ()), source_identity=source[0] if source else "",
        assertion_id=assertion.get("ID") or "")


def session_ended(deadline: datetime, now: datetime) -> ExpiredWebIdentityTokenError:
    return ExpiredWebIdentityTokenError(
        f"Token expired: current date/time {now.strftime('%Y-%m-%dT%H:%M:%SZ')} must be before the "
        f"expiration date/time {deadline.strftime('%Y-%m-%dT%H:%M:%SZ')}")


def check_role_pair(verified: VerifiedAssertion, role_arn: str, provider_arn: str) -> None:
    """AWS: the Role attribute must name the requested role and provider together."""
    if (role_arn, provider_arn) not in verified.role_pairs:
        raise IdpRejectedClaimError("The SAML assertion's https://aws.amazon.com/SAML/Attributes/Role attribute does "
                                    "not name the requested role and SAML provider pair")


def name_qualifier(issuer: str, account_id: str, provider_name: str) -> str:
    """AWS's NameQualifier: BASE64(SHA1(issuer + account id + "/" + provider name))."""
    return base64.b64encode(hashlib.sha1(f"{issuer}{account_id}/{provider_name}".encode()).digest()).decode()


def condition_keys(verified: VerifiedAssertion, account_id: str, provider_name: str,
                   provider_arn: str) -> dict[str, str | list[str]]:
    """The trust policy's context keys for this assertion (IAM User Guide, "Available keys for
    SAML-based AWS STS federation"): saml:aud (the Recipient), saml:iss, saml:sub, saml:sub_type,
    saml:namequalifier, saml:doc, the mapped attributes, and aws:FederatedProvider."""
    keys: dict[str, str | list[str]] = {
        "saml:aud": verified.recipient, "saml:iss": verified.issuer, "saml:sub": verified.subject,
        "saml:sub_type": verified.subject_type,
        "saml:namequalifier": name_qualifier(verified.issuer, account_id, provider_name),
        "saml:doc": f"{account_id}/{provider_name}", "aws:FederatedProvider": provider_arn}
    for name, (key, multivalued) in ATTRIBUTE_KEYS.items():
        values = verified.attributes.get(name)
        if values and key not in keys:
            keys[key] = list(values) if multivalued else values[0]
    return keys


def user_identity(verified: VerifiedAssertion, qualifier: str) -> dict[str, str]:
    """CloudTrail's userIdentity of the caller of AssumeRoleWithSAML (a SAMLUser)."""
    return {"type": "SAMLUser", "principalId": f"{qualifier}:{verified.subject}", "userName": verified.subject,
            "identityProvider": qualifier}
