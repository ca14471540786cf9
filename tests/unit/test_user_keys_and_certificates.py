"""SSH public keys, signing certificates and server certificates: parsing with `cryptography` and
the deciders' AWS rules (no event for a refusal). Keys and certificates are made here."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from iamd.service.domain import identity, signing_certificates, ssh_public_keys
from iamd.service.domain.errors import (
    DeleteConflictError,
    DuplicateCertificateError,
    DuplicateSSHPublicKeyError,
    InvalidCertificateError,
    InvalidPublicKeyError,
    LimitExceededError,
    MalformedCertificateError,
    NoSuchEntityError,
    UnrecognizedPublicKeyEncodingError,
    ValidationError,
)
from iamd.service.domain.events import (
    SigningCertificateDeleted,
    SSHPublicKeyDeleted,
    SSHPublicKeyStatusSet,
    UserCreated,
    decode_event,
)

NOW = "2026-12-05T00:00:00Z"
_RSA = [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(6)]


def _openssh(key: object, comment: str = "") -> str:
    text = key.public_key().public_bytes(serialization.Encoding.OpenSSH,  # type: ignore[attr-defined]
                                          serialization.PublicFormat.OpenSSH).decode()
    return f"{text} {comment}".strip()


def _user(*events: object) -> identity.EntityState:
    return identity.fold("user", [UserCreated("alice", "AIDAX", "arn:aws:iam::123456789012:user/alice", "/", NOW),
                                  *events])  # type: ignore[list-item]


# --- SSH public keys ---------------------------------------------------------------------------------
def test_an_ssh_rsa_key_is_parsed_with_awss_md5_fingerprint() -> None:
    body = _openssh(_RSA[0], "alice@laptop")
    parsed = ssh_public_keys.parse(body)
    blob = base64.b64decode(body.split()[1])
    assert parsed.fingerprint == ":".join(f"{b:02x}" for b in hashlib.md5(blob).digest())
    assert len(parsed.fingerprint.split(":")) == 16 and parsed.bits == 2048
    assert parsed.openssh == " ".join(body.split()[:2])  # the comment is not kept


def test_a_pem_key_is_the_same_key_and_get_answers_both_encodings() -> None:
    pem = _RSA[0].public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    pkcs1 = _RSA[0].public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1).decode()
    ssh = ssh_public_keys.parse(_openssh(_RSA[0]))
    assert ssh_public_keys.parse(pem) == ssh == ssh_public_keys.parse(pkcs1)
    assert ssh_public_keys.encoded(ssh.openssh, "PEM") == pem
    assert ssh_public_keys.encoded(ssh.openssh, "SSH") == ssh.openssh
    with pytest.raises(UnrecognizedPublicKeyEncodingError):
        ssh_public_keys.check_encoding("encoding", "DER")


def test_what_aws_refuses_as_a_public_key() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(InvalidPublicKeyError, match="minimum bit-length of the public key is 2048 bits"):
        ssh_public_keys.parse(_openssh(small))
    for other in (ed25519.Ed25519PrivateKey.generate(), ec.generate_private_key(ec.SECP256R1())):
        with pytest.raises(InvalidPublicKeyError, match="ssh-rsa"):
            ssh_public_keys.parse(_openssh(other))
    with pytest.raises(InvalidPublicKeyError):
        ssh_public_keys.parse("ssh-rsa AAAAnot-base64!!")
    with pytest.raises(InvalidPublicKeyError):
        ssh_public_keys.parse("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    with pytest.raises(UnrecognizedPublicKeyEncodingError):
        ssh_public_keys.parse("just some text")
    with pytest.raises(ValidationError):
        ssh_public_keys.parse("")
    with pytest.raises(ValidationError):
        ssh_public_keys.parse("ssh-rsa " + "A" * 17000)


def test_five_keys_per_user_no_duplicate_and_delete_user_refused_while_one_is_left() -> None:
    events: list = []
    for i in range(5):
        events += ssh_public_keys.upload(_user(*events), "alice", key_id=f"APKA{i:017d}",
                                         parsed=ssh_public_keys.parse(_openssh(_RSA[i])), now=NOW)
    state = _user(*events)
    assert len(state.ssh_public_keys) == 5 and {k["status"] for k in state.ssh_public_keys.values()} == {"Active"}
    with pytest.raises(DuplicateSSHPublicKeyError):
        ssh_public_keys.upload(state, "alice", key_id="APKA" + "9" * 17,
                               parsed=ssh_public_keys.parse(_openssh(_RSA[0], "again")), now=NOW)
    with pytest.raises(LimitExceededError, match="Cannot exceed quota for SSHPublicKeysPerUser: 5"):
        ssh_public_keys.upload(state, "alice", key_id="APKA" + "9" * 17,
                               parsed=ssh_public_keys.parse(_openssh(_RSA[5])), now=NOW)
    with pytest.raises(DeleteConflictError, match="must delete SSH public keys first"):
        identity.delete(state)
    first = f"APKA{0:017d}"
    assert ssh_public_keys.update(state, "alice", first, "Active") == []  # no change, no event
    [inactive] = ssh_public_keys.update(state, "alice", first, "Inactive")
    assert inactive == SSHPublicKeyStatusSet(first, "Inactive")
    assert decode_event("SSHPublicKeyStatusSet", inactive.to_data()) == inactive
    assert _user(*events, inactive).ssh_public_keys[first]["status"] == "Inactive"
    with pytest.raises(NoSuchEntityError, match="The Public Key with id APKA0 cannot be found."):
        ssh_public_keys.delete(state, "alice", "APKA0")
    deletions = [SSHPublicKeyDeleted(k) for k in state.ssh_public_keys]
    emptied = _user(*events, *deletions)
    assert emptied.ssh_public_keys == {} and identity.delete(emptied)
    # A rename carries the keys into the new name's stream.
    assert _user(*events).snapshot()["ssh_public_keys"] == state.ssh_public_keys


# --- signing certificates ------------------------------------------------------------------------------
TODAY = datetime(2026, 12, 5, tzinfo=UTC)


def certificate(key: object = None, *, cn: str = "iamd test", days: int = 365, start: int = -1) -> str:
    """A self-signed PEM certificate (RSA unless another key is given)."""
    key = key or _RSA[0]
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())  # type: ignore[attr-defined]
            .not_valid_before(TODAY + timedelta(days=start)).not_valid_after(TODAY + timedelta(days=start + days))
            .sign(key, hashes.SHA256() if not isinstance(key, ed25519.Ed25519PrivateKey) else None))  # type: ignore[arg-type]
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_a_signing_certificate_is_read_and_checked_as_aws_does() -> None:
    parsed = signing_certificates.parse(certificate(), TODAY)
    assert len(parsed.sha256) == 64 and parsed.body.startswith("-----BEGIN CERTIFICATE-----")
    with pytest.raises(MalformedCertificateError, match="Unable to parse certificate"):
        signing_certificates.parse("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", TODAY)
    with pytest.raises(MalformedCertificateError):
        signing_certificates.parse("not a certificate", TODAY)
    with pytest.raises(MalformedCertificateError, match="expired"):
        signing_certificates.parse(certificate(days=10, start=-20), TODAY)
    with pytest.raises(InvalidCertificateError, match="not valid yet"):
        signing_certificates.parse(certificate(start=10), TODAY)
    with pytest.raises(InvalidCertificateError, match="RSA"):
        signing_certificates.parse(certificate(ec.generate_private_key(ec.SECP256R1())), TODAY)
    with pytest.raises(ValidationError):
        signing_certificates.parse("", TODAY)


def test_two_certificates_per_user_no_duplicate_and_delete_user_refused_while_one_exists() -> None:
    first = signing_certificates.parse(certificate(cn="one"), TODAY)
    events = signing_certificates.upload(_user(), "alice", cert_id="A" * 32, parsed=first, now=NOW)
    with pytest.raises(DuplicateCertificateError, match="already associated with an IAM user"):
        signing_certificates.upload(_user(*events), "alice", cert_id="B" * 32, parsed=first, now=NOW)
    events += signing_certificates.upload(_user(*events), "alice", cert_id="B" * 32,
                                          parsed=signing_certificates.parse(certificate(cn="two"), TODAY), now=NOW)
    state = _user(*events)
    with pytest.raises(LimitExceededError, match="Cannot exceed quota for CertificatesPerUser: 2"):
        signing_certificates.upload(state, "alice", cert_id="C" * 32,
                                    parsed=signing_certificates.parse(certificate(cn="three"), TODAY), now=NOW)
    with pytest.raises(DeleteConflictError, match="must delete signing certificates first"):
        identity.delete(state)
    assert signing_certificates.update(state, "alice", "A" * 32, "Active") == []
    [inactive] = signing_certificates.update(state, "alice", "A" * 32, "Inactive")
    assert _user(*events, inactive).signing_certificates["A" * 32]["status"] == "Inactive"
    with pytest.raises(NoSuchEntityError, match="The Certificate with id " + "C" * 32 + " cannot be found."):
        signing_certificates.delete(state, "alice", "C" * 32)
    gone = _user(*events, SigningCertificateDeleted("A" * 32), SigningCertificateDeleted("B" * 32))
    assert gone.signing_certificates == {} and identity.delete(gone)
    assert decode_event("SigningCertificateDeleted", SigningCertificateDeleted("A" * 32).to_data())


# --- server certificates -------------------------------------------------------------------------------
def _key_pem(key: object) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,  # type: ignore[attr-defined]
                             serialization.NoEncryption()).decode()


def test_a_server_certificate_needs_its_own_readable_key_and_a_readable_chain() -> None:
    from iamd.service.domain import server_certificates
    from iamd.service.domain.errors import KeyPairMismatchError

    body, key = certificate(cn="www.example.com"), _key_pem(_RSA[0])
    parsed = server_certificates.parse(body, key, certificate(_RSA[1], cn="CA"), TODAY)
    assert parsed.private_key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert "PRIVATE" not in repr(parsed)  # never the key, even in a traceback
    with pytest.raises(KeyPairMismatchError, match="do not match") as mismatch:
        server_certificates.parse(body, _key_pem(_RSA[1]), "", TODAY)
    assert "PRIVATE KEY" not in str(mismatch.value) and "PRIVATE KEY" not in repr(mismatch.value.problems)
    with pytest.raises(MalformedCertificateError, match="private key") as bad_key:
        server_certificates.parse(body, key.replace("M", "x", 3), "", TODAY)
    assert key[40:80] not in str(bad_key.value)
    with pytest.raises(MalformedCertificateError, match="chain"):
        server_certificates.parse(body, key, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", TODAY)
    with pytest.raises(MalformedCertificateError, match="expired"):
        server_certificates.parse(certificate(days=5, start=-10), key, "", TODAY)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    assert server_certificates.parse(certificate(ec_key), _key_pem(ec_key), "", TODAY)  # ECDSA too


def test_server_certificate_deciders_upload_rename_tag_delete() -> None:
    from iamd.service.domain import server_certificates as sc
    from iamd.service.domain.errors import EntityAlreadyExistsError

    arn = sc.arn_of("123456789012", "/web/", "www")
    assert arn == "arn:aws:iam::123456789012:server-certificate/web/www"
    assert sc.stream("123456789012", "WWW") == "servercertificate-123456789012-www"
    uploaded = sc.upload(sc.ServerCertificateState(), name="www", id="ASCAX", arn=arn, path="/web/", body="B",
                         chain="", private_key_ciphertext="v1:k:sealed", now=NOW, expiration=NOW, tags={"a": "1"})
    state = sc.fold(uploaded)
    assert (state.exists, state.private_key_ciphertext, state.tags) == (True, "v1:k:sealed", {"a": "1"})
    with pytest.raises(EntityAlreadyExistsError, match="The Server Certificate with name www already exists."):
        sc.upload(state, name="www", id="ASCAY", arn=arn, path="/", body="B", chain="", private_key_ciphertext="c",
                   now=NOW, expiration=NOW, tags={})
    # A rename: the whole certificate (sealed key, same id) in the new stream, then gone from the old.
    [moved] = sc.moved_in(sc.ServerCertificateState(), state, name="web2", path="/web/", arn="arn2")
    assert (moved.id, moved.private_key_ciphertext, moved.renamed_from) == ("ASCAX", "v1:k:sealed", "www")
    assert sc.moved_in(sc.fold([moved]), state, name="web2", path="/web/", arn="arn2") == []  # resumed
    other = sc.fold(sc.upload(sc.ServerCertificateState(), name="other", id="ASCAZ", arn="a", path="/", body="B",
                              chain="", private_key_ciphertext="c", now=NOW, expiration=NOW, tags={}))
    with pytest.raises(EntityAlreadyExistsError):  # the new name is another certificate's
        sc.moved_in(state, other, name="www", path="/", arn=arn)
    gone = sc.fold([*uploaded, *sc.moved_out(state, "www", new_name="web2", new_stream="s")])
    assert not gone.exists
    tagged = sc.fold([*uploaded, *sc.tag(state, "www", {"b": "2"})])
    assert tagged.tags == {"a": "1", "b": "2"} and sc.untag(tagged, "www", ["zz"]) == []
    assert sc.update_path(state, "www", path="/web/", arn=arn) == []
    with pytest.raises(NoSuchEntityError, match="The Server Certificate with name www cannot be found."):
        sc.delete(sc.fold([*uploaded, *sc.delete(state, "www")]), "www")
