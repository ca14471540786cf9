"""A SAML 2.0 identity provider for tests: its own RSA key and self-signed certificate
(cryptography), its metadata document, Responses signed with signxml's signer, and their
Assertions encrypted (XML Encryption, with cryptography) for a SAML provider's private key."""

from __future__ import annotations

import base64
import copy
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner
from signxml.algorithms import CanonicalizationMethod

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
AWS = "https://signin.aws.amazon.com/saml"
ATTR = "https://aws.amazon.com/SAML/Attributes/"
XENC = "http://www.w3.org/2001/04/xmlenc#"
XENC11 = "http://www.w3.org/2009/xmlenc11#"
DS = "http://www.w3.org/2000/09/xmldsig#"
RSA_OAEP_MGF1P = XENC + "rsa-oaep-mgf1p"
RSA_OAEP = XENC11 + "rsa-oaep"
AES256_GCM, AES128_GCM = XENC11 + "aes256-gcm", XENC11 + "aes128-gcm"
AES256_CBC, AES128_CBC = XENC + "aes256-cbc", XENC + "aes128-cbc"


def new_private_key() -> rsa.RSAPrivateKey:
    """A SAML provider's decryption key (what AddPrivateKey uploads)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def unchecked_key_pem(bits: int) -> str:
    """A PEM RSA private key of `bits` bits whose "primes" are random odd numbers: generating a real
    8192-bit key takes the better part of a minute, and iamd must refuse a key past its size bound
    before anything (checking the primes, a decryption) could tell the difference."""
    import secrets
    from math import gcd

    half = bits // 2
    while True:
        p, q = (secrets.randbits(half) | (3 << (half - 2)) | 1 for _ in range(2))
        if p != q and gcd(p, q) == 1:
            break
    n = p * q
    assert n.bit_length() == bits
    d = secrets.randbits(bits - 8) | 1
    numbers = rsa.RSAPrivateNumbers(p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p),
                                    rsa.RSAPublicNumbers(65537, n))
    return private_key_pem(numbers.private_key(unsafe_skip_rsa_key_validation=True))


def private_key_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


def encrypt_assertion(response: etree._Element, public_key: rsa.RSAPublicKey, *, data_algorithm: str = AES256_GCM,
                      key_transport: str = RSA_OAEP_MGF1P, digest: str = DS + "sha1", mgf: str = "",
                      key_beside_data: bool = False) -> etree._Element:
    """The Response with its (signed) Assertion replaced by an EncryptedAssertion for `public_key`:
    a fresh AES key encrypts the Assertion's bytes (GCM: IV || ciphertext || tag; CBC: IV ||
    ciphertext with XML Encryption's padding), RSA-OAEP wraps that key. The algorithm URIs are
    written as given, so that a test can name one iamd must refuse."""
    response = copy.deepcopy(response)
    assertion = response.find(f"{{{SAML}}}Assertion")
    plaintext = etree.tostring(assertion)
    size = {"128": 16, "192": 24, "256": 32}.get(data_algorithm.rsplit("#aes", 1)[-1][:3], 32)
    key = os.urandom(size)
    if data_algorithm.endswith("-gcm"):
        iv = os.urandom(12)
        blob = iv + AESGCM(key).encrypt(iv, plaintext, None)
    else:
        iv = os.urandom(16)
        pad = 16 - len(plaintext) % 16
        padded = plaintext + os.urandom(pad - 1) + bytes([pad])
        encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
        blob = iv + encryptor.update(padded) + encryptor.finalize()
    hash_of = {"sha1": hashes.SHA1, "sha256": hashes.SHA256, "sha512": hashes.SHA512}
    digest_hash = hash_of.get(digest.rsplit("#", 1)[-1], hashes.SHA1)
    mgf_hash = hash_of.get(mgf.rsplit("#mgf1", 1)[-1], hashes.SHA1) if mgf else hashes.SHA1
    wrapped = public_key.encrypt(key, padding.OAEP(mgf=padding.MGF1(mgf_hash()), algorithm=digest_hash(), label=None))
    mgf_xml = f'<xenc11:MGF xmlns:xenc11="{XENC11}" Algorithm="{mgf}"/>' if mgf else ""
    encrypted_key = f"""<xenc:EncryptedKey xmlns:xenc="{XENC}" xmlns:ds="{DS}">
      <xenc:EncryptionMethod Algorithm="{key_transport}"><ds:DigestMethod Algorithm="{digest}"/>{mgf_xml}</xenc:EncryptionMethod>
      <xenc:CipherData><xenc:CipherValue>{base64.b64encode(wrapped).decode()}</xenc:CipherValue></xenc:CipherData>
    </xenc:EncryptedKey>"""
    inner, beside = ("", encrypted_key) if key_beside_data else (encrypted_key, "")
    xml = f"""<saml:EncryptedAssertion xmlns:saml="{SAML}">
  <xenc:EncryptedData xmlns:xenc="{XENC}" xmlns:ds="{DS}" Type="{XENC}Element">
    <xenc:EncryptionMethod Algorithm="{data_algorithm}"/>
    <ds:KeyInfo>{inner}</ds:KeyInfo>
    <xenc:CipherData><xenc:CipherValue>{base64.b64encode(blob).decode()}</xenc:CipherValue></xenc:CipherData>
  </xenc:EncryptedData>{beside}
</saml:EncryptedAssertion>"""
    response.replace(assertion, etree.fromstring(xml.encode()))
    return response


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class SamlIdp:
    entity_id: str = "https://idp.example.com/saml"
    key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537,
                                                                                     key_size=2048))
    cert: x509.Certificate | None = None

    def __post_init__(self) -> None:
        if self.cert is None:
            name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.example.com")])
            now = datetime.now(UTC)
            self.cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                         .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                         .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365))
                         .sign(self.key, hashes.SHA256()))

    @property
    def cert_b64(self) -> str:
        assert self.cert is not None
        return base64.b64encode(self.cert.public_bytes(serialization.Encoding.DER)).decode()

    def metadata(self) -> str:
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{self.entity_id}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data><ds:X509Certificate>{self.cert_b64}</ds:X509Certificate></ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"""

    def response_xml(self, *, role_arn: str, provider_arn: str, subject: str = "alice@example.com",
                     session_name: str = "alice", recipient: str = AWS, audience: str = AWS,
                     now: datetime | None = None, lifetime: timedelta = timedelta(minutes=5),
                     issuer: str | None = None, extra_attributes: dict[str, list[str]] | None = None,
                     name_format: str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent") -> etree._Element:
        now = now or datetime.now(UTC)
        attributes = {ATTR + "Role": [f"{role_arn},{provider_arn}"], ATTR + "RoleSessionName": [session_name],
                      **(extra_attributes or {})}
        attrs = "".join(
            f'<saml:Attribute Name="{name}">' + "".join(f"<saml:AttributeValue>{v}</saml:AttributeValue>"
                                                       for v in values) + "</saml:Attribute>"
            for name, values in attributes.items())
        xml = f"""<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="_resp1" Version="2.0"
    IssueInstant="{_iso(now)}" Destination="{recipient}">
  <saml:Issuer>{issuer or self.entity_id}</saml:Issuer>
  <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
  <saml:Assertion ID="_assert1" Version="2.0" IssueInstant="{_iso(now)}">
    <saml:Issuer>{issuer or self.entity_id}</saml:Issuer>
    <saml:Subject>
      <saml:NameID Format="{name_format}">{subject}</saml:NameID>
      <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <saml:SubjectConfirmationData NotOnOrAfter="{_iso(now + lifetime)}" Recipient="{recipient}"/>
      </saml:SubjectConfirmation>
    </saml:Subject>
    <saml:Conditions NotBefore="{_iso(now - timedelta(seconds=5))}" NotOnOrAfter="{_iso(now + lifetime)}">
      <saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction>
    </saml:Conditions>
    <saml:AuthnStatement AuthnInstant="{_iso(now)}" SessionIndex="_s1">
      <saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>
    </saml:AuthnStatement>
    <saml:AttributeStatement>{attrs}</saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>"""
        return etree.fromstring(xml.encode())

    def sign_assertion(self, response: etree._Element, key: rsa.RSAPrivateKey | None = None,
                       cert: x509.Certificate | None = None) -> etree._Element:
        """The Response with its Assertion signed (enveloped, exclusive c14n, RSA-SHA256)."""
        response = copy.deepcopy(response)
        assertion = response.find(f"{{{SAML}}}Assertion")
        signed = self._signer().sign(assertion, key=key or self.key, cert=[cert or self.cert],
                                     reference_uri=assertion.get("ID"))
        response.replace(assertion, signed)
        return response

    def sign_response(self, response: etree._Element) -> etree._Element:
        return self._signer().sign(copy.deepcopy(response), key=self.key, cert=[self.cert],
                                   reference_uri=response.get("ID"))

    @staticmethod
    def _signer() -> XMLSigner:
        return XMLSigner(c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)

    @staticmethod
    def encode(response: etree._Element) -> str:
        return base64.b64encode(etree.tostring(response)).decode()

    def assertion(self, **kwargs: object) -> str:
        """A signed Response (its Assertion signed), base64-encoded as AssumeRoleWithSAML takes it."""
        return self.encode(self.sign_assertion(self.response_xml(**kwargs)))  # type: ignore[arg-type]

    def encrypted_assertion(self, public_key: rsa.RSAPublicKey, *, data_algorithm: str = AES256_GCM,
                            key_transport: str = RSA_OAEP_MGF1P, **kwargs: object) -> str:
        """A Response whose signed Assertion is encrypted for `public_key`, base64-encoded."""
        return self.encode(encrypt_assertion(self.sign_assertion(self.response_xml(**kwargs)),  # type: ignore[arg-type]
                                             public_key, data_algorithm=data_algorithm, key_transport=key_transport))
