"""End to end with botocore's IAM client (what boto3 and the aws CLI are built on) against a real
iamd's HTTP endpoint: users' SSH public keys and signing certificates, server certificates, their
AWS errors, authorization and audit, and a server certificate's private key kept out of every
answer, audit record and event."""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
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
from .test_aws_query import _call, _client, _refused

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
    assert key["SSHPublicKeyId"].startswith("APKA") and len(key["SSHPublicKeyId"]) == 20
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
    assert (created["UserName"], created["Status"], created["CertificateBody"]) == ("signer", "Active", body)
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
    assert error.response["Error"]["Message"] == "Cannot exceed quota for CertificatesPerUser: 2"

    listed = (await _call(iam.list_signing_certificates, UserName="signer"))["Certificates"]
    assert len(listed) == 2 and cert_id in {c["CertificateId"] for c in listed}
    await _call(iam.generate_credential_report)
    report = (await _call(iam.get_credential_report))["Content"].decode().splitlines()
    columns = report[0].split(",")
    [row] = [dict(zip(columns, line.split(","), strict=True)) for line in report[1:] if line.startswith("signer,")]
    assert (row["cert_1_active"], row["cert_2_active"]) == ("true", "true") and row["cert_1_last_rotated"] != "N/A"
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


def _private_pem(key: Any) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


def _der_body(pem: str) -> str:
    """The base64 lines of a PEM, joined: what a leak of it would contain whatever the line breaks."""
    return "".join(line for line in pem.strip().splitlines() if not line.startswith("-----"))


async def test_server_certificates_as_aws_keeps_them_and_the_private_key_nowhere_in_clear(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    ca_key, key = _KEYS[1], _KEYS[2]
    chain = _certificate(ca_key, cn="Test CA")
    body = _certificate(key, cn="www.example.com", issuer=(ca_key, "Test CA"))
    secret = _private_pem(key)
    uploaded = await _call(iam.upload_server_certificate, ServerCertificateName="www", Path="/web/",
                           CertificateBody=body, PrivateKey=secret, CertificateChain=chain,
                           Tags=[{"Key": "env", "Value": "prod"}])
    meta = uploaded["ServerCertificateMetadata"]
    assert meta["Arn"] == "arn:aws:iam::123456789012:server-certificate/web/www"
    assert meta["ServerCertificateId"].startswith("ASCA") and meta["Path"] == "/web/"
    assert meta["Expiration"] > meta["UploadDate"] and uploaded["Tags"] == [{"Key": "env", "Value": "prod"}]

    # AWS's refusals.
    await _refused(iam.upload_server_certificate, "EntityAlreadyExists", 409, ServerCertificateName="WWW",
                   CertificateBody=body, PrivateKey=secret)
    error = await _refused(iam.upload_server_certificate, "KeyPairMismatch", 400, ServerCertificateName="other",
                           CertificateBody=body, PrivateKey=_private_pem(_KEYS[3]))
    assert error.response["Error"]["Message"] == "The public key certificate and the private key do not match."
    await _refused(iam.upload_server_certificate, "MalformedCertificate", 400, ServerCertificateName="other",
                   CertificateBody="-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", PrivateKey=secret)
    await _refused(iam.upload_server_certificate, "MalformedCertificate", 400, ServerCertificateName="other",
                   CertificateBody=body, PrivateKey=secret[:60] + "garbage" + secret[80:])
    await _refused(iam.upload_server_certificate, "MalformedCertificate", 400, ServerCertificateName="other",
                   CertificateBody=_certificate(key, cn="old", start=-30, days=10), PrivateKey=secret)
    await _refused(iam.upload_server_certificate, "ValidationError", 400, ServerCertificateName="bad name",
                   CertificateBody=body, PrivateKey=secret)

    # Get (never the key), list, tags, update (path, then name), delete.
    got = (await _call(iam.get_server_certificate, ServerCertificateName="www"))["ServerCertificate"]
    assert got["CertificateBody"] == body and got["CertificateChain"] == chain
    assert got["ServerCertificateMetadata"] == meta and "PrivateKey" not in got
    await _refused(iam.get_server_certificate, "NoSuchEntity", 404, ServerCertificateName="nope")
    await _call(iam.upload_server_certificate, ServerCertificateName="api", CertificateBody=_certificate(_KEYS[4]),
                PrivateKey=_private_pem(_KEYS[4]))
    first = await _call(iam.list_server_certificates, MaxItems=1)
    assert first["IsTruncated"] and [c["ServerCertificateName"] for c in first["ServerCertificateMetadataList"]] == ["api"]
    rest = await _call(iam.list_server_certificates, Marker=first["Marker"])
    assert [c["ServerCertificateName"] for c in rest["ServerCertificateMetadataList"]] == ["www"]
    only_web = await _call(iam.list_server_certificates, PathPrefix="/web/")
    assert [c["ServerCertificateName"] for c in only_web["ServerCertificateMetadataList"]] == ["www"]
    await _call(iam.tag_server_certificate, ServerCertificateName="www", Tags=[{"Key": "team", "Value": "x"}])
    await _call(iam.untag_server_certificate, ServerCertificateName="www", TagKeys=["env"])
    assert (await _call(iam.list_server_certificate_tags, ServerCertificateName="www"))["Tags"] == [
        {"Key": "team", "Value": "x"}]

    await _call(iam.update_server_certificate, ServerCertificateName="www", NewPath="/edge/")
    moved = (await _call(iam.get_server_certificate, ServerCertificateName="www"))["ServerCertificate"]
    assert moved["ServerCertificateMetadata"]["Arn"].endswith(":server-certificate/edge/www")
    await _refused(iam.update_server_certificate, "EntityAlreadyExists", 409, ServerCertificateName="www",
                   NewServerCertificateName="api")
    await _call(iam.update_server_certificate, ServerCertificateName="www", NewServerCertificateName="www2")
    await _refused(iam.get_server_certificate, "NoSuchEntity", 404, ServerCertificateName="www")
    renamed = (await _call(iam.get_server_certificate, ServerCertificateName="www2"))["ServerCertificate"]
    assert renamed["ServerCertificateMetadata"]["ServerCertificateId"] == meta["ServerCertificateId"]
    assert renamed["ServerCertificateMetadata"]["Arn"].endswith(":server-certificate/edge/www2")
    assert renamed["Tags"] == [{"Key": "team", "Value": "x"}]
    summary = (await _call(iam.get_account_summary))["SummaryMap"]
    assert summary["ServerCertificates"] == 2 and summary["ServerCertificatesQuota"] == 20
    await _call(iam.delete_server_certificate, ServerCertificateName="www2")
    await _refused(iam.delete_server_certificate, "NoSuchEntity", 404, ServerCertificateName="www2")
    names = [c["ServerCertificateName"] for c in
             (await _call(iam.list_server_certificates))["ServerCertificateMetadataList"]]
    assert names == ["api"]

    # The private key is nowhere in clear: not in an answer, an audit record or the log.
    records = [r for name in ("UploadServerCertificate", "GetServerCertificate", "UpdateServerCertificate")
               for r in await _records(iamd_http, name)]
    [ok] = [r for r in records if r["eventName"] == "UploadServerCertificate" and not r.get("errorCode")
            and r["requestParameters"]["serverCertificateName"] == "www"]
    assert ok["requestParameters"]["privateKey"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    assert all(r["requestParameters"].get("privateKey", "HIDDEN_DUE_TO_SECURITY_REASONS")
               == "HIDDEN_DUE_TO_SECURITY_REASONS" for r in records)
    secrets = [_der_body(secret), _der_body(_private_pem(_KEYS[3])), _der_body(_private_pem(_KEYS[4]))]
    for pem in (secret, _private_pem(_KEYS[4])):  # the PKCS#8 form iamd sealed, too
        from cryptography.hazmat.primitives.serialization import load_pem_private_key
        secrets.append(_der_body(load_pem_private_key(pem.encode(), None).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()))
    dumped_records = json.dumps(records)
    with sqlite3.connect(iamd_http.data_dir / "events.db") as db:
        dumped_log = "".join(str(row) for table, in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
                             for row in db.execute(f"SELECT * FROM {table}"))
    for s in secrets:
        for piece in (s[:64], s[200:264], s[-64:]):  # any line of the key's base64
            assert piece not in dumped_records and piece not in dumped_log
    assert "PRIVATE KEY" not in dumped_log and "PRIVATE KEY" not in dumped_records
    assert "private_key_ciphertext" in dumped_log and "v1:" in dumped_log  # what the log keeps: the sealed key
    assert body.strip().splitlines()[1] in dumped_log  # (the scan does read the log: the public body is there)
