"""XML Encryption (W3C XML Encryption 1.1) of a SAML assertion: an `EncryptedAssertion` opened with
a SAML provider's private keys.

Pure (no I/O): `cryptography` for the primitives, lxml elements in, the assertion's bytes out.
Only the algorithms AWS names for IAM's SAML providers (the IAM API reference: the private key
"uses AES-GCM or AES-CBC encryption algorithm to decrypt SAML assertions"), with the assertion's
key transported by RSA-OAEP, and nothing weaker:

- the assertion: AES-GCM (`xmlenc11#aes128-gcm`, `aes192-gcm`, `aes256-gcm`) or AES-CBC
  (`xmlenc#aes128-cbc`, `aes192-cbc`, `aes256-cbc`);
- its key: RSA-OAEP (`xmlenc#rsa-oaep-mgf1p`, or `xmlenc11#rsa-oaep` with its MGF), with a
  SHA-1 or SHA-2 digest, in an `EncryptedKey` inside the `EncryptedData`'s `KeyInfo` or beside
  the `EncryptedData` in the `EncryptedAssertion` (SAML 2.0 core, 6.2).

Everything else (RSA PKCS#1 v1.5 key transport, triple DES, key agreement, key wrapping, a
`CipherReference` to fetch, content rather than element encryption) is refused, naming it
(UnsupportedEncryptionError), before any private key is used.

INVARIANT: every failure to open the ciphertext (no EncryptedKey opens under any key, a key of the
wrong length, a GCM tag or CBC padding that does not check) raises the same DecryptionFailedError
with no detail. AES-CBC is malleable and RSA-OAEP decryption has known padding oracles, so a
refusal that said why would let an attacker decrypt assertions one query at a time (Jager and
Somorovsky, "How to Break XML Encryption", 2011). The caller answers a decrypted assertion whose
signature does not verify with that same refusal, for the same reason.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any

XENC = "http://www.w3.org/2001/04/xmlenc#"
XENC11 = "http://www.w3.org/2009/xmlenc11#"
DS = "http://www.w3.org/2000/09/xmldsig#"
DSMORE = "http://www.w3.org/2001/04/xmldsig-more#"
ELEMENT = XENC + "Element"

# Data encryption: algorithm URI -> (mode, key bytes).
BLOCK_ALGORITHMS: dict[str, tuple[str, int]] = {
    XENC + "aes128-cbc": ("cbc", 16), XENC + "aes192-cbc": ("cbc", 24), XENC + "aes256-cbc": ("cbc", 32),
    XENC11 + "aes128-gcm": ("gcm", 16), XENC11 + "aes192-gcm": ("gcm", 24), XENC11 + "aes256-gcm": ("gcm", 32),
}
RSA_OAEP_MGF1P = XENC + "rsa-oaep-mgf1p"  # MGF1 with SHA-1, always
RSA_OAEP = XENC11 + "rsa-oaep"  # MGF named by an xenc11:MGF child (default MGF1 with SHA-1)
KEY_TRANSPORTS = (RSA_OAEP_MGF1P, RSA_OAEP)
_DIGESTS = {DS + "sha1": "SHA1", DSMORE + "sha224": "SHA224", XENC + "sha256": "SHA256",
            DSMORE + "sha384": "SHA384", XENC + "sha512": "SHA512"}
_MGFS = {XENC11 + "mgf1sha1": "SHA1", XENC11 + "mgf1sha224": "SHA224", XENC11 + "mgf1sha256": "SHA256",
         XENC11 + "mgf1sha384": "SHA384", XENC11 + "mgf1sha512": "SHA512"}
# An assertion for AWS needs one EncryptedKey; a few tolerate IdPs that add one per recipient. The
# bound on an unauthenticated call's work: each is tried with each of the provider's keys (at most
# 2, of at most 4096 bits), so at most 8 RSA-OAEP decryptions; more are refused before any.
MAX_ENCRYPTED_KEYS = 4
_GCM_IV, _GCM_TAG, _CBC_IV = 12, 16, 16


class EncryptionError(ValueError):
    """An EncryptedAssertion iamd will not open; the message names the problem, never a secret."""


class UnsupportedEncryptionError(EncryptionError):
    """An algorithm (or a form of XML Encryption) outside what iamd accepts."""


class MalformedEncryptionError(EncryptionError):
    """Not an EncryptedAssertion iamd can read (a missing element, a CipherValue not base64)."""


class DecryptionFailedError(EncryptionError):
    """The ciphertext did not open with any of the keys; deliberately without detail."""


def decrypt(encrypted_assertion: Any, private_keys: Sequence[Any]) -> bytes:
    """The plaintext (the serialized Assertion element) of an `EncryptedAssertion` element,
    opened with one of `private_keys` (cryptography RSA private keys)."""
    data_elements = encrypted_assertion.findall(f"{{{XENC}}}EncryptedData")
    if len(data_elements) != 1:
        raise MalformedEncryptionError("an EncryptedAssertion must hold exactly one xenc:EncryptedData")
    data = data_elements[0]
    if data.get("Type") not in (None, ELEMENT):
        raise UnsupportedEncryptionError(f"unsupported EncryptedData Type `{data.get('Type')}` (only {ELEMENT})")
    mode, key_size = _block_algorithm(data)
    ciphertext = _cipher_value(data)
    encrypted_keys = (data.findall(f"{{{DS}}}KeyInfo/{{{XENC}}}EncryptedKey")
                      + encrypted_assertion.findall(f"{{{XENC}}}EncryptedKey"))
    if not encrypted_keys:
        raise MalformedEncryptionError("the EncryptedAssertion carries no xenc:EncryptedKey")
    if len(encrypted_keys) > MAX_ENCRYPTED_KEYS:
        raise MalformedEncryptionError(f"the EncryptedAssertion carries more than {MAX_ENCRYPTED_KEYS} EncryptedKeys")
    # Every algorithm is checked before any private key is used.
    wrapped = [(_key_transport(k), _cipher_value(k)) for k in encrypted_keys]
    for transport, wrapped_key in wrapped:
        for private_key in private_keys:
            try:
                content_key = private_key.decrypt(wrapped_key, transport)
            except ValueError:
                continue
            if len(content_key) != key_size:
                continue
            try:
                return _open(mode, content_key, ciphertext)
            except ValueError:
                continue
    raise DecryptionFailedError("the SAML assertion could not be decrypted")


def _algorithm(element: Any, what: str) -> str:
    method = element.find(f"{{{XENC}}}EncryptionMethod")
    algorithm = method.get("Algorithm") if method is not None else None
    if not algorithm:
        raise MalformedEncryptionError(f"the {what} has no xenc:EncryptionMethod Algorithm")
    return str(algorithm)


def _block_algorithm(data: Any) -> tuple[str, int]:
    algorithm = _algorithm(data, "EncryptedData")
    if algorithm not in BLOCK_ALGORITHMS:
        raise UnsupportedEncryptionError(
            f"unsupported data encryption algorithm `{algorithm}` (AES-GCM or AES-CBC: "
            + ", ".join(sorted(BLOCK_ALGORITHMS)) + ")")
    return BLOCK_ALGORITHMS[algorithm]


def _key_transport(encrypted_key: Any) -> Any:
    """The RSA-OAEP padding an EncryptedKey's EncryptionMethod names."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    algorithm = _algorithm(encrypted_key, "EncryptedKey")
    if algorithm not in KEY_TRANSPORTS:
        raise UnsupportedEncryptionError(f"unsupported key transport algorithm `{algorithm}` (RSA-OAEP: "
                                         f"{RSA_OAEP_MGF1P} or {RSA_OAEP})")
    method = encrypted_key.find(f"{{{XENC}}}EncryptionMethod")
    digest_element = method.find(f"{{{DS}}}DigestMethod")
    digest_uri = digest_element.get("Algorithm", "") if digest_element is not None else DS + "sha1"
    if digest_uri not in _DIGESTS:
        raise UnsupportedEncryptionError(f"unsupported RSA-OAEP digest `{digest_uri}`")
    mgf_name = "SHA1"
    mgf_element = method.find(f"{{{XENC11}}}MGF")
    if mgf_element is not None:
        if algorithm != RSA_OAEP or mgf_element.get("Algorithm", "") not in _MGFS:
            raise UnsupportedEncryptionError(f"unsupported RSA-OAEP mask generation `{mgf_element.get('Algorithm')}`")
        mgf_name = _MGFS[mgf_element.get("Algorithm")]
    label = None
    params = method.find(f"{{{XENC}}}OAEPparams")
    if params is not None and (params.text or "").strip():
        label = _base64(params.text, "OAEPparams")
    return padding.OAEP(mgf=padding.MGF1(getattr(hashes, mgf_name)()),
                        algorithm=getattr(hashes, _DIGESTS[digest_uri])(), label=label)


def _cipher_value(element: Any) -> bytes:
    cipher_data = element.find(f"{{{XENC}}}CipherData")
    if cipher_data is None:
        raise MalformedEncryptionError("an xenc:CipherData is missing")
    if cipher_data.find(f"{{{XENC}}}CipherReference") is not None:
        raise UnsupportedEncryptionError("unsupported xenc:CipherReference (iamd fetches nothing an assertion names)")
    value = cipher_data.find(f"{{{XENC}}}CipherValue")
    if value is None or not (value.text or "").strip():
        raise MalformedEncryptionError("an xenc:CipherValue is missing")
    return _base64(value.text, "CipherValue")


def _base64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (ValueError, binascii.Error):
        raise MalformedEncryptionError(f"the {what} is not base64") from None


def _open(mode: str, key: bytes, blob: bytes) -> bytes:
    """AES-GCM: IV (12 bytes) || ciphertext || tag (16); AES-CBC: IV (16) || ciphertext, with XML
    Encryption's padding (the last byte counts the padding bytes). ValueError if it does not open."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if mode == "gcm":
        if len(blob) < _GCM_IV + _GCM_TAG:
            raise ValueError("short")
        try:
            return AESGCM(key).decrypt(blob[:_GCM_IV], blob[_GCM_IV:], None)
        except InvalidTag:
            raise ValueError("tag") from None
    body = blob[_CBC_IV:]
    if len(blob) < 2 * _CBC_IV or len(body) % _CBC_IV:
        raise ValueError("length")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(blob[:_CBC_IV])).decryptor()
    plaintext = decryptor.update(body) + decryptor.finalize()
    pad = plaintext[-1]
    if not 1 <= pad <= _CBC_IV:
        raise ValueError("padding")
    return plaintext[:-pad]
