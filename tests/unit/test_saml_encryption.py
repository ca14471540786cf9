"""Encrypted SAML assertions (service/domain/saml_encryption.py, and their place in
service/domain/saml.py's verification): EncryptedAssertions built here with cryptography (RSA-OAEP
key transport, AES-GCM and AES-CBC), opened, tampered with, sent to the wrong key or with
algorithms iamd refuses; the provider's AssertionEncryptionMode (Required, Allowed) and its
private keys as the registry's rules keep them."""

from __future__ import annotations

import base64
import copy
import os
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from iamd.service.domain import saml, saml_encryption
from iamd.service.domain.errors import (
    InvalidIdentityTokenError,
    InvalidInputError,
    LimitExceededError,
    NoSuchEntityError,
    ValidationError,
)
from iamd.service.domain.events import (
    SAMLProviderAssertionEncryptionModeSet,
    SAMLProviderPrivateKeyAdded,
    SAMLProviderPrivateKeyRemoved,
)
from tests.fakes.saml_idp import (
    AES128_CBC,
    AES128_GCM,
    AES256_CBC,
    AES256_GCM,
    DS,
    RSA_OAEP,
    RSA_OAEP_MGF1P,
    SAML,
    XENC,
    XENC11,
    SamlIdp,
    encrypt_assertion,
    new_private_key,
    private_key_pem,
    unchecked_key_pem,
)

ROLE = "arn:aws:iam::123456789012:role/SamlRole"
PROVIDER = "arn:aws:iam::123456789012:saml-provider/MyIdP"


@pytest.fixture(scope="module")
def idp() -> SamlIdp:
    return SamlIdp()


@pytest.fixture(scope="module")
def sp_key():  # the SAML provider's decryption key
    return new_private_key()


def _pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _verify(idp: SamlIdp, assertion: str, keys=(), mode: str = "") -> saml.VerifiedAssertion:
    metadata = saml.parse_metadata(idp.metadata())
    return saml.verify(assertion, entity_id=metadata.entity_id, certificates=metadata.certificates,
                       now=datetime.now(UTC), encryption_mode=mode, private_keys=lambda: [_pem(k) for k in keys])


def _encrypted(idp: SamlIdp, key, **options) -> etree._Element:
    signed = idp.sign_assertion(idp.response_xml(role_arn=ROLE, provider_arn=PROVIDER))
    return encrypt_assertion(signed, key.public_key(), **options)


# --- decryption --------------------------------------------------------------------------------------
@pytest.mark.parametrize("data_algorithm", [AES256_GCM, AES128_GCM, AES256_CBC, AES128_CBC,
                                            XENC + "aes192-cbc", XENC11 + "aes192-gcm"])
@pytest.mark.parametrize("key_transport", [RSA_OAEP_MGF1P, RSA_OAEP])
def test_an_encrypted_signed_assertion_is_decrypted_and_read(idp: SamlIdp, sp_key, data_algorithm: str,
                                                             key_transport: str) -> None:
    response = _encrypted(idp, sp_key, data_algorithm=data_algorithm, key_transport=key_transport)
    verified = _verify(idp, idp.encode(response), keys=[sp_key])
    assert verified.subject == "alice@example.com" and verified.role_pairs == ((ROLE, PROVIDER),)


def test_sha256_digest_and_mgf_and_a_key_beside_the_data_are_read(idp: SamlIdp, sp_key) -> None:
    response = _encrypted(idp, sp_key, key_transport=RSA_OAEP, digest=XENC + "sha256", mgf=XENC11 + "mgf1sha256",
                          key_beside_data=True)
    assert _verify(idp, idp.encode(response), keys=[sp_key]).session_name == "alice"


def test_either_of_two_keys_decrypts(idp: SamlIdp, sp_key) -> None:
    response = _encrypted(idp, sp_key)
    assert _verify(idp, idp.encode(response), keys=[new_private_key(), sp_key]).subject == "alice@example.com"


def test_the_wrong_key_is_refused_without_detail(idp: SamlIdp, sp_key) -> None:
    response = _encrypted(idp, sp_key)
    with pytest.raises(InvalidIdentityTokenError) as e:
        _verify(idp, idp.encode(response), keys=[new_private_key()])
    assert e.value.message == saml.NOT_DECRYPTED


def _cipher_values(response: etree._Element) -> list[etree._Element]:
    return response.findall(f".//{{{XENC}}}CipherValue")


def _flip(element: etree._Element, at: int) -> None:
    raw = bytearray(base64.b64decode(element.text))
    raw[at] ^= 0x01
    element.text = base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize("data_algorithm", [AES256_GCM, AES256_CBC])
@pytest.mark.parametrize("which, at", [("data", 40), ("data", -1), ("data", 0), ("key", 5)])
def test_a_tampered_ciphertext_is_refused_with_one_message(idp: SamlIdp, sp_key, data_algorithm: str, which: str,
                                                           at: int) -> None:
    # CBC's padding, a CBC block that no longer parses, GCM's tag, the wrapped key: one answer for all.
    response = _encrypted(idp, sp_key, data_algorithm=data_algorithm)
    wrapped_key, data = _cipher_values(response)
    _flip(data if which == "data" else wrapped_key, at)
    with pytest.raises(InvalidIdentityTokenError) as e:
        _verify(idp, idp.encode(response), keys=[sp_key])
    assert e.value.message == saml.NOT_DECRYPTED


def test_an_encrypted_assertion_someone_else_signed_is_refused(idp: SamlIdp, sp_key) -> None:
    forger = SamlIdp(entity_id=idp.entity_id)
    signed = forger.sign_assertion(forger.response_xml(role_arn=ROLE, provider_arn=PROVIDER))
    response = encrypt_assertion(signed, sp_key.public_key())
    with pytest.raises(InvalidIdentityTokenError) as e:
        _verify(idp, idp.encode(response), keys=[sp_key])
    assert e.value.message == saml.NOT_DECRYPTED


def test_an_encrypted_unsigned_assertion_is_refused(idp: SamlIdp, sp_key) -> None:
    response = encrypt_assertion(idp.response_xml(role_arn=ROLE, provider_arn=PROVIDER), sp_key.public_key())
    with pytest.raises(InvalidIdentityTokenError, match="signature"):
        _verify(idp, idp.encode(response), keys=[sp_key])


def test_a_signed_response_covers_an_encrypted_unsigned_assertion(idp: SamlIdp, sp_key) -> None:
    # Encrypt, then sign the Response: the signature covers the ciphertext, read from the signed copy.
    response = encrypt_assertion(idp.response_xml(role_arn=ROLE, provider_arn=PROVIDER), sp_key.public_key())
    signed = idp.sign_response(response)
    assert _verify(idp, idp.encode(signed), keys=[sp_key]).subject == "alice@example.com"
    tampered = copy.deepcopy(signed)
    _flip(_cipher_values(tampered)[1], 30)
    with pytest.raises(InvalidIdentityTokenError, match=saml.SIGNATURE_INVALID):
        _verify(idp, idp.encode(tampered), keys=[sp_key])


@pytest.mark.parametrize("where, algorithm", [
    ("data", XENC + "tripledes-cbc"),
    ("data", "http://www.w3.org/2001/04/xmlenc#kw-aes256"),
    ("key", XENC + "rsa-1_5"),
    ("key", "http://www.w3.org/2009/xmlenc11#ECDH-ES"),
])
def test_an_unsupported_algorithm_is_refused_naming_it(idp: SamlIdp, sp_key, where: str, algorithm: str) -> None:
    response = _encrypted(idp, sp_key)
    methods = response.findall(f".//{{{XENC}}}EncryptionMethod")  # the EncryptedKey's first, in KeyInfo
    (methods[1] if where == "data" else methods[0]).set("Algorithm", algorithm)
    with pytest.raises(InvalidIdentityTokenError) as e:
        _verify(idp, idp.encode(response), keys=[sp_key])
    assert algorithm in e.value.message and "unsupported" in e.value.message


def test_an_unsupported_digest_and_a_cipher_reference_are_refused(idp: SamlIdp, sp_key) -> None:
    response = _encrypted(idp, sp_key)
    response.find(f".//{{{DS}}}DigestMethod").set("Algorithm", "http://www.w3.org/2001/04/xmldsig-more#md5")
    with pytest.raises(InvalidIdentityTokenError, match="unsupported RSA-OAEP digest"):
        _verify(idp, idp.encode(response), keys=[sp_key])
    response = _encrypted(idp, sp_key)
    data = response.find(f".//{{{XENC}}}EncryptedData/{{{XENC}}}CipherData")
    data.remove(data.find(f"{{{XENC}}}CipherValue"))
    etree.SubElement(data, f"{{{XENC}}}CipherReference", URI="https://attacker.example/payload")
    with pytest.raises(InvalidIdentityTokenError, match="CipherReference"):
        _verify(idp, idp.encode(response), keys=[sp_key])


def test_content_encryption_is_refused(idp: SamlIdp, sp_key) -> None:
    response = _encrypted(idp, sp_key)
    response.find(f".//{{{XENC}}}EncryptedData").set("Type", XENC + "Content")
    with pytest.raises(InvalidIdentityTokenError, match="unsupported EncryptedData Type"):
        _verify(idp, idp.encode(response), keys=[sp_key])


def test_an_encrypted_assertion_needs_a_key_on_the_provider(idp: SamlIdp, sp_key) -> None:
    with pytest.raises(InvalidIdentityTokenError, match="no private key"):
        _verify(idp, idp.encode(_encrypted(idp, sp_key)), keys=[])


def test_a_plain_and_an_encrypted_assertion_together_are_refused(idp: SamlIdp, sp_key) -> None:
    response = _encrypted(idp, sp_key)
    response.append(idp.sign_assertion(idp.response_xml(role_arn=ROLE, provider_arn=PROVIDER)).find(
        f"{{{SAML}}}Assertion"))
    with pytest.raises(InvalidIdentityTokenError, match="exactly one Assertion"):
        _verify(idp, idp.encode(response), keys=[sp_key])


def test_decrypt_refuses_without_saying_which_step_failed(sp_key) -> None:
    element = etree.fromstring(f'<saml:EncryptedAssertion xmlns:saml="{SAML}"/>'.encode())
    with pytest.raises(saml_encryption.MalformedEncryptionError):
        saml_encryption.decrypt(element, [sp_key])


# --- Required and Allowed -------------------------------------------------------------------------
def test_required_refuses_a_plain_assertion_and_accepts_an_encrypted_one(idp: SamlIdp, sp_key) -> None:
    plain = idp.assertion(role_arn=ROLE, provider_arn=PROVIDER)
    with pytest.raises(InvalidIdentityTokenError) as e:
        _verify(idp, plain, keys=[sp_key], mode=saml.REQUIRED)
    assert e.value.message == saml.ENCRYPTION_REQUIRED
    assert _verify(idp, idp.encode(_encrypted(idp, sp_key)), keys=[sp_key], mode=saml.REQUIRED).subject


@pytest.mark.parametrize("mode", [saml.ALLOWED, ""])
def test_allowed_accepts_both(idp: SamlIdp, sp_key, mode: str) -> None:
    assert _verify(idp, idp.assertion(role_arn=ROLE, provider_arn=PROVIDER), keys=[sp_key], mode=mode).subject
    assert _verify(idp, idp.encode(_encrypted(idp, sp_key)), keys=[sp_key], mode=mode).subject


def test_keys_are_asked_for_only_when_an_assertion_is_encrypted(idp: SamlIdp) -> None:
    def no_keys() -> list[bytes]:
        raise AssertionError("a plain assertion needs no private key")

    metadata = saml.parse_metadata(idp.metadata())
    assert saml.verify(idp.assertion(role_arn=ROLE, provider_arn=PROVIDER), entity_id=metadata.entity_id,
                       certificates=metadata.certificates, now=datetime.now(UTC), private_keys=no_keys).subject


# --- the registry's rules ----------------------------------------------------------------------------
def _state(*events) -> saml.ProviderState:
    return saml.fold(events)


def _created(**encryption) -> list:
    metadata = saml.parse_metadata(SamlIdp().metadata())
    return saml.create(saml.ProviderState(), PROVIDER, "MyIdP", "doc", metadata, "U" * 26, {}, "2025-01-01T00:00:00Z",
                       saml.EncryptionChange(**encryption))


def _key(n: int) -> saml.SealedKey:
    return saml.SealedKey(f"KEY{n}".ljust(26, "0"), f"v1:kek:sealed{n}")


def test_create_with_a_key_and_required_mode() -> None:
    events = _created(mode=saml.REQUIRED, add=_key(1))
    assert [type(e) for e in events[1:]] == [SAMLProviderPrivateKeyAdded, SAMLProviderAssertionEncryptionModeSet]
    state = _state(*events)
    assert state.encryption_mode == saml.REQUIRED and state.private_keys == {_key(1).key_id: "v1:kek:sealed1"}


def test_required_needs_a_key() -> None:
    with pytest.raises(InvalidInputError, match="Required needs a private key"):
        _created(mode=saml.REQUIRED)
    state = _state(*_created(mode=saml.REQUIRED, add=_key(1)))
    with pytest.raises(InvalidInputError, match="Required needs a private key"):
        saml.update(state, PROVIDER, "", None, saml.EncryptionChange(remove=_key(1).key_id))


def test_at_most_two_keys_and_rotation_in_two_requests() -> None:
    state = _state(*_created(add=_key(1)))
    events = saml.update(state, PROVIDER, "", None, saml.EncryptionChange(add=_key(2)), "2025-01-02T00:00:00Z")
    state = _state(*_created(add=_key(1)), *events)
    assert list(state.private_keys) == [_key(1).key_id, _key(2).key_id]
    with pytest.raises(LimitExceededError):
        saml.update(state, PROVIDER, "", None, saml.EncryptionChange(add=_key(3)))
    with pytest.raises(InvalidInputError, match="separate requests"):
        saml.update(state, PROVIDER, "", None, saml.EncryptionChange(add=_key(3), remove=_key(1).key_id))
    removed = saml.update(state, PROVIDER, "", None, saml.EncryptionChange(remove=_key(1).key_id))
    assert removed == [SAMLProviderPrivateKeyRemoved(PROVIDER, _key(1).key_id)]
    with pytest.raises(NoSuchEntityError):
        saml.update(state, PROVIDER, "", None, saml.EncryptionChange(remove=_key(9).key_id))


def test_setting_the_same_mode_again_changes_nothing() -> None:
    state = _state(*_created(mode=saml.ALLOWED))
    assert saml.update(state, PROVIDER, "", None, saml.EncryptionChange(mode=saml.ALLOWED)) == []


def test_the_model_constraints_of_the_new_members() -> None:
    with pytest.raises(ValidationError, match="enum value set: \\[Required, Allowed\\]"):
        saml.check_encryption_mode("Optional")
    with pytest.raises(ValidationError, match="greater than or equal to 22"):
        saml.check_private_key_id("SHORT")
    with pytest.raises(ValidationError, match="regular expression"):
        saml.check_private_key_id("lowercase" * 3)
    with pytest.raises(ValidationError, match="less than or equal to 16384"):
        saml.parse_private_key("x" * 16385)


def test_a_private_key_must_be_an_unencrypted_rsa_pem_and_is_never_quoted(sp_key) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    assert saml.parse_private_key(private_key_pem(sp_key)).startswith(b"-----BEGIN PRIVATE KEY-----")
    locked = sp_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.BestAvailableEncryption(b"pw")).decode()
    ec_key = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    for pem in (locked, ec_key, private_key_pem(sp_key)[:-80], "not a key"):
        with pytest.raises(InvalidInputError) as e:
            saml.parse_private_key(pem)
        assert len(pem) < 80 or pem[40:80] not in e.value.message


# --- the bounds on the work an (unauthenticated) AssumeRoleWithSAML can ask for ---------------------
@pytest.fixture(scope="module")
def key_4096():
    return rsa.generate_private_key(public_exponent=65537, key_size=4096)


def test_a_private_key_of_2048_to_4096_bits_is_taken(sp_key, key_4096) -> None:
    for key in (sp_key, key_4096):
        pem = saml.parse_private_key(private_key_pem(key))
        taken = serialization.load_pem_private_key(pem, password=None)
        assert isinstance(taken, rsa.RSAPrivateKey) and taken.key_size == key.key_size


def test_a_private_key_under_2048_or_over_4096_bits_is_invalid_input_naming_the_field() -> None:
    small = private_key_pem(rsa.generate_private_key(public_exponent=65537, key_size=1024))
    largest = 8192  # then the largest the model's 16384 characters hold
    while len(unchecked_key_pem(largest + 1024)) <= saml.MAX_PRIVATE_KEY_CHARS:
        largest += 1024
    for pem, bits in ((small, 1024), (unchecked_key_pem(4104), 4104), (unchecked_key_pem(8192), 8192),
                      (unchecked_key_pem(largest), largest)):
        assert len(pem) <= saml.MAX_PRIVATE_KEY_CHARS
        with pytest.raises(InvalidInputError, match=f"{bits}-bit RSA key.* 2048 to 4096 bits") as e:
            saml.parse_private_key(pem)
        assert [p.field for p in e.value.problems] == ["addPrivateKey"]
        assert pem[40:80] not in e.value.message


def test_a_private_key_in_the_bounds_is_still_checked(sp_key) -> None:
    """The size is read without checking the key; a key of a size iamd takes is then checked."""
    with pytest.raises(InvalidInputError, match="not a valid unencrypted PEM-encoded RSA private key"):
        saml.parse_private_key(unchecked_key_pem(2048))


def _with_encrypted_keys(response: etree._Element, count: int) -> etree._Element:
    """The EncryptedAssertion's EncryptedKey, after `count - 1` decoys (its copies, their ciphertext
    random bytes that no key opens)."""
    key_info = response.find(f".//{{{DS}}}KeyInfo")
    real = key_info.find(f"{{{XENC}}}EncryptedKey")
    for _ in range(count - 1):
        decoy = copy.deepcopy(real)
        value = decoy.find(f"{{{XENC}}}CipherData/{{{XENC}}}CipherValue")
        value.text = base64.b64encode(os.urandom(len(base64.b64decode(value.text)))).decode()
        key_info.insert(0, decoy)
    return response


def test_at_most_four_encrypted_keys_are_tried(idp: SamlIdp, sp_key) -> None:
    """An assertion for AWS needs one EncryptedKey; a few are tried (IdPs that add one per
    recipient), each with each of the provider's keys: at most 4 x 2 RSA-OAEP decryptions. A fifth
    is refused before any key is used, naming the bound."""
    assert saml_encryption.MAX_ENCRYPTED_KEYS == 4
    response = _with_encrypted_keys(_encrypted(idp, sp_key), saml_encryption.MAX_ENCRYPTED_KEYS)
    assert _verify(idp, idp.encode(response), keys=[new_private_key(), sp_key]).subject == "alice@example.com"

    used: list[bool] = []

    class Key:  # a private key that notes its use
        def decrypt(self, *_: object) -> bytes:
            used.append(True)
            raise ValueError("no")

    too_many = _with_encrypted_keys(_encrypted(idp, sp_key), saml_encryption.MAX_ENCRYPTED_KEYS + 1)
    with pytest.raises(InvalidIdentityTokenError, match="more than 4 EncryptedKeys"):
        _verify(idp, idp.encode(too_many), keys=[sp_key])
    with pytest.raises(saml_encryption.MalformedEncryptionError, match="more than 4 EncryptedKeys"):
        saml_encryption.decrypt(too_many.find(f"{{{SAML}}}EncryptedAssertion"), [Key()])
    assert used == []
