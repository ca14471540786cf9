"""A SAML 2.0 identity provider for tests: its own RSA key and self-signed certificate
(cryptography), its metadata document, and Responses signed with signxml's signer."""

from __future__ import annotations

import base64
import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner
from signxml.algorithms import CanonicalizationMethod

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
AWS = "https://signin.aws.amazon.com/saml"
ATTR = "https://aws.amazon.com/SAML/Attributes/"


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
