"""AssumeRoleWithSAML's assertion checks and the SAML provider's metadata (service/domain/saml.py):
Responses built here, signed with signxml's signer by a key and certificate of the test's own."""

from __future__ import annotations

import base64
import copy
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from iamd.service.domain import saml
from iamd.service.domain.errors import (
    ExpiredWebIdentityTokenError,
    IdpRejectedClaimError,
    InvalidIdentityTokenError,
    InvalidInputError,
    ValidationError,
)
from tests.fakes.saml_idp import ATTR, SAML, SamlIdp

ROLE = "arn:aws:iam::123456789012:role/SamlRole"
PROVIDER = "arn:aws:iam::123456789012:saml-provider/MyIdP"


@pytest.fixture(scope="module")
def idp() -> SamlIdp:
    return SamlIdp()


def _verify(idp: SamlIdp, assertion: str, now: datetime | None = None) -> saml.VerifiedAssertion:
    metadata = saml.parse_metadata(idp.metadata())
    return saml.verify(assertion, entity_id=metadata.entity_id, certificates=metadata.certificates,
                       now=now or datetime.now(UTC))


def test_metadata_gives_the_entity_id_and_signing_certificate(idp: SamlIdp) -> None:
    metadata = saml.parse_metadata(idp.metadata())
    assert metadata.entity_id == idp.entity_id
    assert metadata.certificates == [idp.cert_b64]


@pytest.mark.parametrize("document", [
    "<not xml" + " " * 1000,
    '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>' + " " * 1000,
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><d>&e;</d>' + " " * 1000,
])
def test_metadata_that_is_not_an_idp_with_a_certificate_is_refused(document: str) -> None:
    with pytest.raises(InvalidInputError, match="Could not parse metadata"):
        saml.parse_metadata(document)


def test_metadata_shorter_than_the_model_allows_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="greater than or equal to 1000"):
        saml.parse_metadata("<x/>")


def test_a_signed_assertion_is_read(idp: SamlIdp) -> None:
    verified = _verify(idp, idp.assertion(role_arn=ROLE, provider_arn=PROVIDER, extra_attributes={
        ATTR + "PrincipalTag:Project": ["Marketing"], ATTR + "TransitiveTagKeys": ["Project"],
        ATTR + "SourceIdentity": ["alice"], ATTR + "SessionDuration": ["1800"],
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.1": ["staff", "member"]}))
    assert (verified.issuer, verified.subject, verified.subject_type) == (idp.entity_id, "alice@example.com",
                                                                          "persistent")
    assert verified.role_pairs == ((ROLE, PROVIDER),) and verified.session_name == "alice"
    assert verified.session_tags == (("Project", "Marketing"),) and verified.transitive_tag_keys == ("Project",)
    assert verified.source_identity == "alice" and verified.session_duration == 1800
    keys = saml.condition_keys(verified, "123456789012", "MyIdP", PROVIDER)
    assert keys["saml:aud"] == "https://signin.aws.amazon.com/saml"
    assert keys["saml:doc"] == "123456789012/MyIdP" and keys["saml:edupersonaffiliation"] == ["staff", "member"]
    saml.check_role_pair(verified, ROLE, PROVIDER)


def test_a_signed_response_is_read(idp: SamlIdp) -> None:
    signed = idp.sign_response(idp.response_xml(role_arn=ROLE, provider_arn=PROVIDER))
    assert _verify(idp, idp.encode(signed)).subject == "alice@example.com"


def test_the_name_qualifier_is_awss_formula() -> None:
    expected = base64.b64encode(hashlib.sha1(b"https://example.com/saml123456789012/MySAMLIdP").digest()).decode()
    assert saml.name_qualifier("https://example.com/saml", "123456789012", "MySAMLIdP") == expected


def test_a_changed_signed_assertion_is_refused(idp: SamlIdp) -> None:
    response = idp.sign_assertion(idp.response_xml(role_arn=ROLE, provider_arn=PROVIDER))
    name_id = response.find(f".//{{{SAML}}}NameID")
    name_id.text = "admin@example.com"
    with pytest.raises(InvalidIdentityTokenError, match="Response signature invalid"):
        _verify(idp, idp.encode(response))


def test_an_assertion_signed_by_another_key_is_refused(idp: SamlIdp) -> None:
    other = SamlIdp(entity_id=idp.entity_id)
    with pytest.raises(InvalidIdentityTokenError, match="Response signature invalid"):
        _verify(idp, other.assertion(role_arn=ROLE, provider_arn=PROVIDER))


def test_an_unsigned_assertion_is_refused(idp: SamlIdp) -> None:
    with pytest.raises(InvalidIdentityTokenError, match="Response signature invalid"):
        _verify(idp, idp.encode(idp.response_xml(role_arn=ROLE, provider_arn=PROVIDER)))


def test_a_wrapped_signature_shows_only_what_was_signed(idp: SamlIdp) -> None:
    """XML signature wrapping: an unsigned assertion naming another role takes the signed one's
    place, the signed one hidden inside it with the signature still pointing at it. What iamd
    reads is the signed assertion, so the other role is never named."""
    response = idp.sign_assertion(idp.response_xml(role_arn=ROLE, provider_arn=PROVIDER, subject="alice"))
    signed = response.find(f"{{{SAML}}}Assertion")
    evil = copy.deepcopy(signed)
    evil.set("ID", "_evil")
    evil.find(f".//{{{SAML}}}NameID").text = "admin"
    for value in evil.iter(f"{{{SAML}}}AttributeValue"):
        if value.text.startswith("arn:"):
            value.text = f"arn:aws:iam::123456789012:role/Admin,{PROVIDER}"
    hidden = copy.deepcopy(signed)
    hidden.remove(hidden.find("{http://www.w3.org/2000/09/xmldsig#}Signature"))
    advice = etree.SubElement(evil, f"{{{SAML}}}Advice")
    advice.append(hidden)
    response.replace(signed, evil)
    try:
        verified = _verify(idp, idp.encode(response))
    except InvalidIdentityTokenError:
        return  # refused outright: as good
    assert verified.subject == "alice"
    assert verified.role_pairs == ((ROLE, PROVIDER),)
    with pytest.raises(IdpRejectedClaimError):
        saml.check_role_pair(verified, "arn:aws:iam::123456789012:role/Admin", PROVIDER)


def test_a_second_unsigned_assertion_beside_the_signed_one_is_refused(idp: SamlIdp) -> None:
    response = idp.sign_assertion(idp.response_xml(role_arn=ROLE, provider_arn=PROVIDER))
    response.append(copy.deepcopy(idp.response_xml(role_arn=ROLE, provider_arn=PROVIDER).find(f"{{{SAML}}}Assertion")))
    with pytest.raises(InvalidIdentityTokenError, match="exactly one Assertion"):
        _verify(idp, idp.encode(response))


def test_a_wrong_audience_is_refused(idp: SamlIdp) -> None:
    with pytest.raises(InvalidIdentityTokenError, match="audience"):
        _verify(idp, idp.assertion(role_arn=ROLE, provider_arn=PROVIDER, audience="https://other.example.com"))


def test_awss_other_audience_is_accepted(idp: SamlIdp) -> None:
    assert _verify(idp, idp.assertion(role_arn=ROLE, provider_arn=PROVIDER, audience="urn:amazon:webservices"))


def test_a_wrong_recipient_is_refused(idp: SamlIdp) -> None:
    with pytest.raises(InvalidIdentityTokenError, match="Recipient"):
        _verify(idp, idp.assertion(role_arn=ROLE, provider_arn=PROVIDER, recipient="https://evil.example.com/saml"))


def test_an_expired_assertion_is_refused_past_the_skew(idp: SamlIdp) -> None:
    issued = datetime.now(UTC) - timedelta(minutes=20)
    with pytest.raises(ExpiredWebIdentityTokenError, match="Token expired"):
        _verify(idp, idp.assertion(role_arn=ROLE, provider_arn=PROVIDER, now=issued))
    # within AWS's five minutes of skew it still passes
    assert _verify(idp, idp.assertion(role_arn=ROLE, provider_arn=PROVIDER, now=issued),
                   now=issued + timedelta(minutes=9))


def test_an_assertion_not_yet_valid_is_refused(idp: SamlIdp) -> None:
    with pytest.raises(InvalidIdentityTokenError, match="not yet valid"):
        _verify(idp, idp.assertion(role_arn=ROLE, provider_arn=PROVIDER,
                                   now=datetime.now(UTC) + timedelta(minutes=30)))


def test_another_issuer_is_refused(idp: SamlIdp) -> None:
    with pytest.raises(InvalidIdentityTokenError, match="Issuer"):
        _verify(idp, idp.assertion(role_arn=ROLE, provider_arn=PROVIDER, issuer="https://other-idp.example.com"))


def test_the_role_attribute_must_name_the_pair(idp: SamlIdp) -> None:
    verified = _verify(idp, idp.assertion(role_arn=ROLE, provider_arn=PROVIDER))
    with pytest.raises(IdpRejectedClaimError):
        saml.check_role_pair(verified, ROLE, "arn:aws:iam::123456789012:saml-provider/Other")
    with pytest.raises(IdpRejectedClaimError):
        saml.check_role_pair(verified, "arn:aws:iam::123456789012:role/Other", PROVIDER)


def test_a_bad_session_name_is_refused(idp: SamlIdp) -> None:
    with pytest.raises(InvalidIdentityTokenError, match="RoleSessionName in AuthnResponse must match"):
        _verify(idp, idp.assertion(role_arn=ROLE, provider_arn=PROVIDER, session_name="John Doe"))


def test_not_base64_or_not_a_response_is_refused(idp: SamlIdp) -> None:
    with pytest.raises(InvalidIdentityTokenError):
        _verify(idp, "????not base64")
    with pytest.raises(InvalidIdentityTokenError):
        _verify(idp, base64.b64encode(b"<hello/>").decode())
    with pytest.raises(ValidationError):
        _verify(idp, "abc")


def test_a_document_type_declaration_is_refused(idp: SamlIdp) -> None:
    xml = etree.tostring(idp.sign_assertion(idp.response_xml(role_arn=ROLE, provider_arn=PROVIDER)))
    doc = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]>' + xml
    with pytest.raises(InvalidIdentityTokenError):
        _verify(idp, base64.b64encode(doc).decode())
