"""End to end with botocore's IAM client (what boto3 and the aws CLI are built on) against a real
iamd's HTTP endpoint: users' SSH public keys and signing certificates, server certificates, their
AWS errors, authorization and audit, and a server certificate's private key kept out of every
answer, audit record and event."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from iamd.client.credentials import Credentials
from iamd.v1 import audit_pb2, audit_pb2_grpc

from .conftest import Iamd
from .test_aws_query import _call, _client, _refused, iamd_http  # noqa: F401  (the fixture)

pytestmark = pytest.mark.e2e

_KEYS = [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(6)]


def _ssh(key: Any) -> str:
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def _pem_public(key: Any) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _certificate(key: Any = None, *, cn: str = "iamd.test", days: int = 365, start: int = -1,
                 issuer: tuple[Any, str] | None = None) -> str:
    """A PEM certificate for `key` (self-signed, or signed by `issuer`: its key and common name)."""
    key = key or _KEYS[0]
    now = datetime.now(UTC)
    signer, issuer_cn = issuer or (key, cn)
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_cn)]))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now + timedelta(days=start)).not_valid_after(now + timedelta(days=start + days))
            .sign(signer, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


async def _records(iamd: Iamd, name: str) -> list[dict[str, Any]]:
    lookup = audit_pb2_grpc.AuditServiceStub(iamd.channel)
    found = await lookup.LookupEvents(audit_pb2.LookupEventsRequest(lookup_attributes=[
        audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value=name)]))
    return [json.loads(e.cloud_trail_event) for e in found.events]


async def test_ssh_public_keys_of_a_user_as_aws_keeps_them(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="dev")
    await _refused(iam.upload_ssh_public_key, "NoSuchEntity", 404, UserName="nobody",
                   SSHPublicKeyBody=_ssh(_KEYS[0]))
    key = (await _call(iam.upload_ssh_public_key, UserName="dev",
                       SSHPublicKeyBody=_ssh(_KEYS[0]) + " dev@laptop"))["SSHPublicKey"]
    blob = base64.b64decode(_ssh(_KEYS[0]).split()[1])
    assert key["Fingerprint"] == ":".join(f"{b:02x}" for b in hashlib.md5(blob).digest())
    assert key["SSHPublicKeyId"].startswith("APKA") and len(key["SSHPublicKeyId"]) == 21
    assert (key["UserName"], key["Status"], key["SSHPublicKeyBody"]) == ("dev", "Active", _ssh(_KEYS[0]))
    key_id = key["SSHPublicKeyId"]

    # The same key again (here in PEM), and what AWS does not take.
    await _refused(iam.upload_ssh_public_key, "DuplicateSSHPublicKey", 400, UserName="dev",
                   SSHPublicKeyBody=_pem_public(_KEYS[0]))
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    await _refused(iam.upload_ssh_public_key, "InvalidPublicKey", 400, UserName="dev", SSHPublicKeyBody=_ssh(small))
    await _refused(iam.upload_ssh_public_key, "InvalidPublicKey", 400, UserName="dev",
                   SSHPublicKeyBody=_ssh(ed25519.Ed25519PrivateKey.generate()))
    await _refused(iam.upload_ssh_public_key, "UnrecognizedPublicKeyEncoding", 400, UserName="dev",
                   SSHPublicKeyBody="not a key at all")
    for k in _KEYS[1:5]:  # PEM is accepted too
        await _call(iam.upload_ssh_public_key, UserName="dev", SSHPublicKeyBody=_pem_public(k))
    error = await _refused(iam.upload_ssh_public_key, "LimitExceeded", 409, UserName="dev",
                           SSHPublicKeyBody=_ssh(_KEYS[5]))
    assert error.response["Error"]["Message"] == "Cannot exceed quota for SSHPublicKeysPerUser: 5"

    # Get in either encoding; list (paged); update; delete.
    pem = (await _call(iam.get_ssh_public_key, UserName="dev", SSHPublicKeyId=key_id, Encoding="PEM"))["SSHPublicKey"]
    assert pem["SSHPublicKeyBody"] == _pem_public(_KEYS[0]) and pem["Fingerprint"] == key["Fingerprint"]
    ssh = (await _call(iam.get_ssh_public_key, UserName="dev", SSHPublicKeyId=key_id, Encoding="SSH"))["SSHPublicKey"]
    assert ssh["SSHPublicKeyBody"] == _ssh(_KEYS[0])
    await _refused(iam.get_ssh_public_key, "NoSuchEntity", 404, UserName="dev", SSHPublicKeyId="APKA" + "X" * 17,
                   Encoding="SSH")
    first = await _call(iam.list_ssh_public_keys, UserName="dev", MaxItems=2)
    assert first["IsTruncated"] and len(first["SSHPublicKeys"]) == 2
    rest = await _call(iam.list_ssh_public_keys, UserName="dev", Marker=first["Marker"])
    assert len(rest["SSHPublicKeys"]) == 3 and not rest["IsTruncated"]
    assert key_id in {k["SSHPublicKeyId"] for k in first["SSHPublicKeys"] + rest["SSHPublicKeys"]}
    assert "SSHPublicKeyBody" not in rest["SSHPublicKeys"][0]
    await _call(iam.update_ssh_public_key, UserName="dev", SSHPublicKeyId=key_id, Status="Inactive")
    listed = (await _call(iam.list_ssh_public_keys, UserName="dev"))["SSHPublicKeys"]
    assert {k["SSHPublicKeyId"]: k["Status"] for k in listed}[key_id] == "Inactive"

    # DeleteUser refused while the user holds a key, as AWS.
    error = await _refused(iam.delete_user, "DeleteConflict", 409, UserName="dev")
    assert error.response["Error"]["Message"] == "Cannot delete entity, must delete SSH public keys first."
    for k in listed:
        await _call(iam.delete_ssh_public_key, UserName="dev", SSHPublicKeyId=k["SSHPublicKeyId"])
    await _refused(iam.delete_ssh_public_key, "NoSuchEntity", 404, UserName="dev", SSHPublicKeyId=key_id)
    await _call(iam.delete_user, UserName="dev")

    [upload] = [r for r in await _records(iamd_http, "UploadSSHPublicKey") if not r.get("errorCode")][:1]
    assert upload["requestParameters"]["userName"] == "dev"


async def test_a_user_lists_its_own_ssh_keys_and_needs_permission_for_others(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="me")
    await _call(iam.create_user, UserName="other")
    await _call(iam.put_user_policy, UserName="me", PolicyName="own", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:*SSHPublicKey*"],
                                                "Resource": "arn:aws:iam::*:user/me"}]}))
    created = (await _call(iam.create_access_key, UserName="me"))["AccessKey"]
    mine = _client(iamd_http, "iam", Credentials(created["AccessKeyId"], created["SecretAccessKey"]))
    await _call(mine.upload_ssh_public_key, UserName="me", SSHPublicKeyBody=_ssh(_KEYS[0]))
    assert len((await _call(mine.list_ssh_public_keys))["SSHPublicKeys"]) == 1  # no UserName: the caller's
    await _refused(mine.upload_ssh_public_key, "AccessDenied", 403, UserName="other", SSHPublicKeyBody=_ssh(_KEYS[1]))
    assert (await _call(iam.list_ssh_public_keys))["SSHPublicKeys"] == []  # the root user has none


async def test_signing_certificates_of_a_user_as_aws_keeps_them(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="signer")
    await _call(iam.create_user, UserName="someone")
    body = _certificate(cn="one")
    created = (await _call(iam.upload_signing_certificate, UserName="signer", CertificateBody=body))["Certificate"]
    assert (created["UserName"], created["Status"], created["CertificateBody"]) == ("signer", "Active", body.strip())
    assert len(created["CertificateId"]) >= 24 and created["CertificateId"].isalnum()
    cert_id = created["CertificateId"]
    # The same certificate again, for this user or another of the account; what AWS does not take.
    await _refused(iam.upload_signing_certificate, "DuplicateCertificate", 409, UserName="signer", CertificateBody=body)
    await _refused(iam.upload_signing_certificate, "DuplicateCertificate", 409, UserName="someone", CertificateBody=body)
    await _refused(iam.upload_signing_certificate, "MalformedCertificate", 400, UserName="signer",
                   CertificateBody="-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")
    await _refused(iam.upload_signing_certificate, "MalformedCertificate", 400, UserName="signer",
                   CertificateBody=_certificate(cn="old", start=-30, days=10))
    await _refused(iam.upload_signing_certificate, "InvalidCertificate", 400, UserName="signer",
                   CertificateBody=_certificate(ec.generate_private_key(ec.SECP256R1()), cn="ec"))
    await _refused(iam.upload_signing_certificate, "NoSuchEntity", 404, UserName="nobody",
                   CertificateBody=_certificate(cn="x"))
    await _call(iam.upload_signing_certificate, UserName="signer", CertificateBody=_certificate(cn="two"))
    error = await _refused(iam.upload_signing_certificate, "LimitExceeded", 409, UserName="signer",
                           CertificateBody=_certificate(cn="three"))
    assert error.response["Error"]["Message"] == "Cannot exceed quota for SigningCertificatesPerUser: 2"

    listed = (await _call(iam.list_signing_certificates, UserName="signer"))["Certificates"]
    assert len(listed) == 2 and cert_id in {c["CertificateId"] for c in listed}
    await _call(iam.update_signing_certificate, UserName="signer", CertificateId=cert_id, Status="Inactive")
    listed = (await _call(iam.list_signing_certificates, UserName="signer"))["Certificates"]
    assert {c["CertificateId"]: c["Status"] for c in listed}[cert_id] == "Inactive"
    await _refused(iam.update_signing_certificate, "NoSuchEntity", 404, UserName="signer",
                   CertificateId="X" * 32, Status="Active")

    error = await _refused(iam.delete_user, "DeleteConflict", 409, UserName="signer")
    assert error.response["Error"]["Message"] == "Cannot delete entity, must delete signing certificates first."
    for c in listed:
        await _call(iam.delete_signing_certificate, UserName="signer", CertificateId=c["CertificateId"])
    await _refused(iam.delete_signing_certificate, "NoSuchEntity", 404, UserName="signer", CertificateId=cert_id)
    await _call(iam.delete_user, UserName="signer")
    # Deleted, the certificate may be uploaded again (for another user).
    await _call(iam.upload_signing_certificate, UserName="someone", CertificateBody=body)
    assert (await _call(iam.list_signing_certificates))["Certificates"] == []  # the root user's: none kept
