"""End to end: encrypted SAML assertions against a real iamd. boto3 over the AWS Query protocol
creates a SAML provider with a private key and AssertionEncryptionMode, rotates the key (add, then
remove), and exchanges encrypted assertions (AES-GCM, AES-CBC, RSA-OAEP) for credentials; a
plain assertion is refused while the mode is Required; the same over gRPC; the key survives a
KEK rotation; and the private key is in no event, no audit record, no answer (the SQLite file
read here). Providers, roles and assertions come from test_saml.py's helpers and
tests/fakes/saml_idp.py."""

from __future__ import annotations

import asyncio
import functools
import json
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import rsa

from iamd.client.credentials import RequestSigner
from iamd.client.iam import IamdClient
from iamd.service.app.sts import SAML_VERIFICATIONS_AT_ONCE
from iamd.service.auth.keyring import Keyring
from iamd.service.domain import saml
from iamd.v1 import identity_pb2, sts_pb2, sts_pb2_grpc
from tests.fakes.saml_idp import (
    AES128_CBC,
    AES256_GCM,
    RSA_OAEP,
    SamlIdp,
    new_private_key,
    private_key_pem,
    unchecked_key_pem,
)

from .conftest import ACCOUNT, Iamd, start_iamd, stop_iamd
from .helpers import iamctl_json
from .test_keys import _rotate
from .test_saml import _call, _client, _setup, _unsigned_sts

pytestmark = pytest.mark.e2e
GUARD = 60  # seconds: only so that a broken build fails instead of hanging; nothing is timed


@pytest.fixture(scope="module")
def idp() -> SamlIdp:
    return SamlIdp()


def _dump_log(data_dir: Path) -> str:
    """Every row of every table of the SQLite file: the event log and the audit records."""
    with sqlite3.connect(data_dir / "events.db") as db:
        tables = [t for t, in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return "".join(str(row) for table in tables for row in db.execute(f"SELECT * FROM {table}"))


def _pieces(pem: str) -> list[str]:
    """Lines of the key's base64 (any of them in a log would be a leak)."""
    lines = [line for line in pem.splitlines() if line and not line.startswith("-----")]
    return [lines[0], lines[len(lines) // 2], lines[-2]]


async def test_encrypted_assertions_with_boto3_required_allowed_and_a_key_rotation(iamd_http: Iamd,
                                                                                   idp: SamlIdp) -> None:
    iam, sts = _client(iamd_http, "iam"), _unsigned_sts(iamd_http)
    provider_arn, role_arn = await _setup(iamd_http, idp)
    first, second = new_private_key(), new_private_key()
    first_pem, second_pem = private_key_pem(first), private_key_pem(second)
    await _call(iam.update_saml_provider, SAMLProviderArn=provider_arn, AssertionEncryptionMode="Required",
                AddPrivateKey=first_pem)
    got = await _call(iam.get_saml_provider, SAMLProviderArn=provider_arn)
    assert got["AssertionEncryptionMode"] == "Required" and got["SAMLMetadataDocument"] == idp.metadata()
    [first_key] = got["PrivateKeyList"]
    assert len(first_key["KeyId"]) >= 22 and first_key["KeyId"].isalnum() and "Timestamp" in first_key
    assert first_pem not in json.dumps(got, default=str)

    async def assume(assertion: str) -> dict:
        return await _call(sts.assume_role_with_saml, RoleArn=role_arn, PrincipalArn=provider_arn,
                           SAMLAssertion=assertion)

    async def refused(assertion: str) -> dict:
        with pytest.raises(ClientError) as e:
            await assume(assertion)
        return e.value.response["Error"]

    plain = idp.assertion(role_arn=role_arn, provider_arn=provider_arn)
    assert await refused(plain) == {"Type": "Sender", "Code": "InvalidIdentityToken",
                                    "Message": saml.ENCRYPTION_REQUIRED}
    for algorithm, transport in ((AES256_GCM, saml.saml_encryption.RSA_OAEP_MGF1P), (AES128_CBC, RSA_OAEP)):
        answer = await assume(idp.encrypted_assertion(first.public_key(), role_arn=role_arn,
                                                      provider_arn=provider_arn, data_algorithm=algorithm,
                                                      key_transport=transport))
        assert answer["Subject"] == "alice@example.com"
        assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/sso-readers/alice"
    creds = answer["Credentials"]
    who = await _call(_client(iamd_http, "sts", aws_access_key_id=creds["AccessKeyId"],
                              aws_secret_access_key=creds["SecretAccessKey"],
                              aws_session_token=creds["SessionToken"]).get_caller_identity)
    assert who["Arn"] == answer["AssumedRoleUser"]["Arn"]
    for_second = idp.encrypted_assertion(second.public_key(), role_arn=role_arn, provider_arn=provider_arn)
    assert (await refused(for_second))["Message"] == saml.NOT_DECRYPTED

    # A rotation: the new key added, then (another request) the old one removed.
    with pytest.raises(ClientError) as both:
        await _call(iam.update_saml_provider, SAMLProviderArn=provider_arn, AddPrivateKey=second_pem,
                    RemovePrivateKey=first_key["KeyId"])
    assert both.value.response["Error"]["Code"] == "InvalidInput"
    await _call(iam.update_saml_provider, SAMLProviderArn=provider_arn, AddPrivateKey=second_pem)
    assert (await assume(for_second))["Subject"] == "alice@example.com"
    with pytest.raises(ClientError) as third:
        await _call(iam.update_saml_provider, SAMLProviderArn=provider_arn,
                    AddPrivateKey=private_key_pem(new_private_key()))
    assert third.value.response["Error"]["Code"] == "LimitExceeded"
    await _call(iam.update_saml_provider, SAMLProviderArn=provider_arn, RemovePrivateKey=first_key["KeyId"])
    keys = (await _call(iam.get_saml_provider, SAMLProviderArn=provider_arn))["PrivateKeyList"]
    assert len(keys) == 1 and keys[0]["KeyId"] != first_key["KeyId"]
    assert (await refused(idp.encrypted_assertion(first.public_key(), role_arn=role_arn,
                                                  provider_arn=provider_arn)))["Message"] == saml.NOT_DECRYPTED
    with pytest.raises(ClientError) as last:  # Required keeps a key
        await _call(iam.update_saml_provider, SAMLProviderArn=provider_arn, RemovePrivateKey=keys[0]["KeyId"])
    assert last.value.response["Error"]["Code"] == "InvalidInput"
    with pytest.raises(ClientError) as gone:
        await _call(iam.update_saml_provider, SAMLProviderArn=provider_arn, RemovePrivateKey=first_key["KeyId"])
    assert gone.value.response["Error"]["Code"] == "NoSuchEntity"
    with pytest.raises(ClientError) as bad:
        await _call(iam.update_saml_provider, SAMLProviderArn=provider_arn, AddPrivateKey="not a key")
    assert bad.value.response["Error"]["Code"] == "InvalidInput"

    # Allowed: plain and encrypted alike.
    await _call(iam.update_saml_provider, SAMLProviderArn=provider_arn, AssertionEncryptionMode="Allowed")
    assert (await _call(iam.get_saml_provider, SAMLProviderArn=provider_arn))["AssertionEncryptionMode"] == "Allowed"
    assert (await assume(plain))["Subject"] == "alice@example.com"
    assert (await assume(for_second))["Subject"] == "alice@example.com"

    # A provider created with its key and mode in one call.
    created = await _call(iam.create_saml_provider, Name="Sealed", SAMLMetadataDocument=idp.metadata(),
                          AssertionEncryptionMode="Required", AddPrivateKey=first_pem)
    sealed = await _call(iam.get_saml_provider, SAMLProviderArn=created["SAMLProviderArn"])
    assert sealed["AssertionEncryptionMode"] == "Required" and len(sealed["PrivateKeyList"]) == 1

    # Neither key is in the log, in an audit record or in what CloudTrail's lookup answers.
    await iamd_http.running.audit.flush()
    found = await _call(_client(iamd_http, "cloudtrail").lookup_events, LookupAttributes=[
        {"AttributeKey": "EventName", "AttributeValue": "UpdateSAMLProvider"}])
    records = [json.loads(e["CloudTrailEvent"]) for e in found["Events"]]
    assert any(r["requestParameters"].get("addPrivateKey") == "HIDDEN_DUE_TO_SECURITY_REASONS" for r in records)
    dumped = _dump_log(iamd_http.data_dir) + json.dumps(records)
    for pem in (first_pem, second_pem):
        for piece in _pieces(pem):
            assert piece not in dumped
    assert "PRIVATE KEY" not in dumped
    assert "SAMLProviderPrivateKeyAdded" in dumped and "private_key_ciphertext" in dumped and "v1:" in dumped


async def test_encrypted_assertions_over_grpc(iamd: Iamd, idp: SamlIdp) -> None:
    key = new_private_key()
    created = await iamd.iam.CreateSAMLProvider(identity_pb2.CreateSAMLProviderRequest(
        name="GrpcIdP", saml_metadata_document=idp.metadata(), add_private_key=private_key_pem(key),
        assertion_encryption_mode=identity_pb2.ASSERTION_ENCRYPTION_MODE_REQUIRED))
    provider_arn = created.saml_provider_arn
    got = await iamd.iam.GetSAMLProvider(identity_pb2.SAMLProviderRequest(saml_provider_arn=provider_arn))
    assert got.assertion_encryption_mode == identity_pb2.ASSERTION_ENCRYPTION_MODE_REQUIRED
    assert len(got.private_key_list) == 1 and got.private_key_list[0].timestamp.seconds > 0
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": provider_arn},
                                                     "Action": "sts:AssumeRoleWithSAML"}]}
    role = await iamd.iam.CreateRole(identity_pb2.CreateRoleRequest(role_name="grpc-sso",
                                                                   assume_role_policy_document=json.dumps(trust)))
    stub = sts_pb2_grpc.SecurityTokenServiceStub(iamd.connect(None))
    answer = await stub.AssumeRoleWithSAML(sts_pb2.AssumeRoleWithSAMLRequest(
        role_arn=role.role.arn, principal_arn=provider_arn,
        saml_assertion=idp.encrypted_assertion(key.public_key(), role_arn=role.role.arn, provider_arn=provider_arn)))
    assert answer.credentials.access_key_id.startswith("ASIA") and answer.subject == "alice@example.com"
    with pytest.raises(Exception) as plain:
        await stub.AssumeRoleWithSAML(sts_pb2.AssumeRoleWithSAMLRequest(
            role_arn=role.role.arn, principal_arn=provider_arn,
            saml_assertion=idp.assertion(role_arn=role.role.arn, provider_arn=provider_arn)))
    assert saml.ENCRYPTION_REQUIRED in str(plain.value)


async def test_the_sdk_and_iamctl_manage_the_keys(iamd: Iamd, idp: SamlIdp, tmp_path: Path, monkeypatch: Any,
                                                  capsys: Any) -> None:
    key_file = tmp_path / "sp-key.pem"
    key_file.write_text(private_key_pem(new_private_key()))
    monkeypatch.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(iamd.data_dir / "root-credentials"))

    iamctl = iamctl_json(iamd, capsys, "iam")

    sdk = IamdClient(iamd.target, metadata_provider=RequestSigner(iamd.root))
    try:
        created = await asyncio.to_thread(sdk.create_samlprovider, name="SdkIdP",
                                          saml_metadata_document=idp.metadata(),
                                          assertion_encryption_mode="allowed",
                                          add_private_key=private_key_pem(new_private_key()))
        arn = created.saml_provider_arn
        await asyncio.to_thread(iamctl, "update-saml-provider", "--saml-provider-arn", arn,
                                "--assertion-encryption-mode", "Required", "--add-private-key", f"file://{key_file}")
        shown = await asyncio.to_thread(iamctl, "get-saml-provider", "--saml-provider-arn", arn)
        assert shown["AssertionEncryptionMode"] == "Required" and len(shown["PrivateKeyList"]) == 2
        assert set(shown["PrivateKeyList"][0]) == {"KeyId", "Timestamp"}
        await asyncio.to_thread(iamctl, "update-saml-provider", "--saml-provider-arn", arn,
                                "--remove-private-key", shown["PrivateKeyList"][0]["KeyId"])
        got = await asyncio.to_thread(sdk.get_samlprovider, saml_provider_arn=arn)
        assert [k.key_id for k in got.private_key_list] == [shown["PrivateKeyList"][1]["KeyId"]]
    finally:
        sdk.close()


async def test_a_saml_private_key_is_reencrypted_by_a_kek_rotation(tmp_path: Path, idp: SamlIdp) -> None:
    data = tmp_path / "d"
    key = new_private_key()
    iamd = await start_iamd(data, http_listen="127.0.0.1:0")
    try:
        provider_arn, role_arn = await _setup(iamd, idp)
        await _call(_client(iamd, "iam").update_saml_provider, SAMLProviderArn=provider_arn,
                    AssertionEncryptionMode="Required", AddPrivateKey=private_key_pem(key))
    finally:
        await stop_iamd(iamd)
    new_file = tmp_path / "new-keys" / "kek"
    assert await _rotate(data, new_file) == 0
    new = Keyring.from_file(new_file)
    dumped = _dump_log(data)
    assert "SAMLProviderPrivateKeyReencrypted" in dumped and f"v1:{new.key_id}:" in dumped
    (data / "keys" / "kek").unlink()
    new_file.rename(data / "keys" / "kek")
    rotated = await start_iamd(data, http_listen="127.0.0.1:0")
    try:
        answer = await _call(_unsigned_sts(rotated).assume_role_with_saml, RoleArn=role_arn, PrincipalArn=provider_arn,
                             SAMLAssertion=idp.encrypted_assertion(key.public_key(), role_arn=role_arn,
                                                                   provider_arn=provider_arn))
        assert answer["Subject"] == "alice@example.com"
    finally:
        await stop_iamd(rotated)


async def test_a_private_key_past_iamds_size_bound_is_invalid_input(iamd_http: Iamd, idp: SamlIdp) -> None:
    """RSA keys of 2048 to 4096 bits (iamd's bound: AWS documents none), on create and update."""
    iam = _client(iamd_http, "iam")
    small = private_key_pem(rsa.generate_private_key(public_exponent=65537, key_size=1024))
    for pem, bits in ((small, 1024), (unchecked_key_pem(8192), 8192)):
        with pytest.raises(ClientError) as created:
            await _call(iam.create_saml_provider, Name="Big", SAMLMetadataDocument=idp.metadata(), AddPrivateKey=pem)
        error = created.value.response["Error"]
        assert error["Code"] == "InvalidInput" and f"{bits}-bit RSA key" in error["Message"]
    provider_arn, _ = await _setup(iamd_http, idp)
    with pytest.raises(ClientError) as updated:
        await _call(iam.update_saml_provider, SAMLProviderArn=provider_arn, AddPrivateKey=unchecked_key_pem(8192))
    assert updated.value.response["Error"]["Code"] == "InvalidInput"
    assert (await _call(iam.get_saml_provider, SAMLProviderArn=provider_arn)).get("PrivateKeyList", []) == []
    names = [p["Arn"] for p in (await _call(iam.list_saml_providers))["SAMLProviderList"]]
    assert names == [provider_arn]


async def test_verifications_past_the_bound_are_throttled_and_the_loop_keeps_serving(
        iamd_http: Iamd, idp: SamlIdp, monkeypatch: pytest.MonkeyPatch) -> None:
    """iamd (in this process) with a verification that waits for the test: while as many encrypted
    assertions as iamd verifies at once (SAML_VERIFICATIONS_AT_ONCE) are held in verification, the
    event loop goes on serving (GetSAMLProvider answers) and one more assertion is answered at once
    with AWS's retryable Throttling, not queued; released, the held ones get their credentials.
    Ordering only, nothing timed (GUARD only keeps a broken build from hanging)."""
    iam, sts = _client(iamd_http, "iam"), _unsigned_sts(iamd_http)
    provider_arn, role_arn = await _setup(iamd_http, idp)
    key = new_private_key()
    await _call(iam.update_saml_provider, SAMLProviderArn=provider_arn, AddPrivateKey=private_key_pem(key))
    real_verify, entered, release = saml.verify, threading.Semaphore(0), threading.Event()

    def held_verify(*args: Any, **kwargs: Any) -> saml.VerifiedAssertion:
        entered.release()
        assert release.wait(GUARD), "the test never released the verification"
        return real_verify(*args, **kwargs)

    monkeypatch.setattr(saml, "verify", held_verify)
    loop, clients = asyncio.get_running_loop(), ThreadPoolExecutor(SAML_VERIFICATIONS_AT_ONCE + 2)

    def call(method: Any, **kwargs: Any) -> Any:  # boto3 in threads of the test's own
        return loop.run_in_executor(clients, functools.partial(method, **kwargs))

    def assume() -> Any:
        assertion = idp.encrypted_assertion(key.public_key(), role_arn=role_arn, provider_arn=provider_arn)
        return call(sts.assume_role_with_saml, RoleArn=role_arn, PrincipalArn=provider_arn, SAMLAssertion=assertion)

    try:
        held = [assume() for _ in range(SAML_VERIFICATIONS_AT_ONCE)]
        for _ in held:
            assert await asyncio.to_thread(entered.acquire, True, GUARD)
        read = await call(iam.get_saml_provider, SAMLProviderArn=provider_arn)
        assert len(read["PrivateKeyList"]) == 1
        with pytest.raises(ClientError) as throttled:
            await assume()
        assert throttled.value.response["Error"]["Code"] == "Throttling"
        assert throttled.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        release.set()
        for answer in await asyncio.gather(*held):
            assert answer["Subject"] == "alice@example.com"
        assert (await assume())["Subject"] == "alice@example.com"  # the slots are free again
    finally:
        release.set()
        clients.shutdown(wait=True)
