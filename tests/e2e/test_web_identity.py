"""End to end: AssumeRoleWithWebIdentity with boto3 against a real iamd (`endpoint_url`), as a
Kubernetes pod does with IRSA: an OIDC provider registered for the cluster's issuer (served here
over HTTPS with a self-signed certificate whose thumbprint is registered), a role trusting it
for one service account, the service account's token exchanged for credentials, which then work."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from iamd.v1 import sts_pb2, sts_pb2_grpc
from tests.fakes.oidc_issuer import OidcIssuer

from .conftest import ACCOUNT, Iamd, start_iamd, stop_iamd

pytestmark = pytest.mark.e2e

SERVICE_ACCOUNT = "system:serviceaccount:payments:api"


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[tuple[Iamd, OidcIssuer]]:
    issuer = await OidcIssuer().start(tmp_path)
    iamd = await start_iamd(tmp_path / "data", http_listen="127.0.0.1:0")
    try:
        yield iamd, issuer
    finally:
        await stop_iamd(iamd)
        await issuer.stop()


def _client(iamd: Iamd, service: str, **credentials: Any) -> Any:
    assert iamd.running.http is not None
    if not credentials:
        credentials = {"aws_access_key_id": iamd.root.access_key_id,
                       "aws_secret_access_key": iamd.root.secret_access_key}
    return boto3.session.Session(region_name="us-east-1", **credentials).client(
        service, endpoint_url=f"http://127.0.0.1:{iamd.running.http.port}", config=Config(retries={"max_attempts": 1}))


def _unsigned_sts(iamd: Iamd) -> Any:
    """As botocore's web identity provider calls it: no credentials at all."""
    assert iamd.running.http is not None
    return boto3.session.Session(region_name="us-east-1").client(
        "sts", endpoint_url=f"http://127.0.0.1:{iamd.running.http.port}",
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}))


async def _call(method: Any, **kwargs: Any) -> Any:
    return await asyncio.to_thread(method, **kwargs)


async def _setup(iamd: Iamd, issuer: OidcIssuer) -> tuple[str, str]:
    iam = _client(iamd, "iam")
    provider = await _call(iam.create_open_id_connect_provider, Url=issuer.url, ClientIDList=["sts.amazonaws.com"],
                           ThumbprintList=[issuer.thumbprint])
    provider_arn = provider["OpenIDConnectProviderArn"]
    host_path = issuer.url.removeprefix("https://")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{host_path}:aud": "sts.amazonaws.com", f"{host_path}:sub": SERVICE_ACCOUNT}}}]}
    role = (await _call(iam.create_role, RoleName="payments-api",
                        AssumeRolePolicyDocument=json.dumps(trust)))["Role"]
    await _call(iam.put_role_policy, RoleName="payments-api", PolicyName="read-users", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"},
            # The token's keys stay in the session's requests (REFERENCE-AWS-WIRE.md 6).
            {"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*", "Condition": {"StringEquals": {
                f"{host_path}:sub": SERVICE_ACCOUNT, "aws:FederatedProvider": provider_arn}}}]}))
    return provider_arn, role["Arn"]


async def test_a_kubernetes_service_account_assumes_its_role(cluster: tuple[Iamd, OidcIssuer]) -> None:
    iamd, issuer = cluster
    provider_arn, role_arn = await _setup(iamd, issuer)
    sts = _unsigned_sts(iamd)
    token = issuer.token(sub=SERVICE_ACCOUNT)
    answer = await _call(sts.assume_role_with_web_identity, RoleArn=role_arn, RoleSessionName="pod-7f9c",
                         WebIdentityToken=token, DurationSeconds=900)
    assert answer["SubjectFromWebIdentityToken"] == SERVICE_ACCOUNT
    assert answer["Provider"] == issuer.url and answer["Audience"] == "sts.amazonaws.com"
    assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/payments-api/pod-7f9c"
    creds = answer["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")

    # The credentials work, with the role's permissions.
    session = {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
               "aws_session_token": creds["SessionToken"]}
    who = await _call(_client(iamd, "sts", **session).get_caller_identity)
    assert who["Arn"] == answer["AssumedRoleUser"]["Arn"]
    await _call(_client(iamd, "iam", **session).list_users)
    await _call(_client(iamd, "iam", **session).list_roles)
    with pytest.raises(ClientError) as denied:
        await _call(_client(iamd, "iam", **session).create_user, UserName="mallory")
    assert denied.value.response["Error"]["Code"] == "AccessDenied"

    # Another service account of the cluster: the trust policy's :sub condition refuses it.
    with pytest.raises(ClientError) as refused:
        await _call(sts.assume_role_with_web_identity, RoleArn=role_arn, RoleSessionName="pod-other",
                    WebIdentityToken=issuer.token(sub="system:serviceaccount:default:other"))
    assert refused.value.response["Error"] == {
        "Type": "Sender", "Code": "AccessDenied", "Message": "Not authorized to perform sts:AssumeRoleWithWebIdentity"}

    # The audit trail: a WebIdentityUser, and never the token or the secret.
    await iamd.running.audit.flush()
    found = await _call(_client(iamd, "cloudtrail").lookup_events, LookupAttributes=[
        {"AttributeKey": "EventName", "AttributeValue": "AssumeRoleWithWebIdentity"}])
    records = [json.loads(e["CloudTrailEvent"]) for e in found["Events"]]
    assert len(records) == 2
    ok = next(r for r in records if "errorCode" not in r)
    assert ok["eventSource"] == "sts.amazonaws.com"
    assert ok["userIdentity"] == {"type": "WebIdentityUser", "userName": SERVICE_ACCOUNT,
                                  "principalId": f"{provider_arn}:sts.amazonaws.com:{SERVICE_ACCOUNT}",
                                  "identityProvider": provider_arn}
    assert ok["requestParameters"]["roleArn"] == role_arn
    # A call made with the session's credentials names the provider that federated it.
    found = await _call(_client(iamd, "cloudtrail").lookup_events, LookupAttributes=[
        {"AttributeKey": "EventName", "AttributeValue": "ListUsers"}])
    [listed] = [json.loads(e["CloudTrailEvent"]) for e in found["Events"]]
    assert listed["userIdentity"]["type"] == "AssumedRole"
    assert listed["userIdentity"]["sessionContext"]["webIdFederationData"] == {
        "federatedProvider": provider_arn, "attributes": {}}
    text = json.dumps(records)
    assert token not in text and creds["SecretAccessKey"] not in text and creds["SessionToken"] not in text


async def test_tokens_aws_refuses(cluster: tuple[Iamd, OidcIssuer]) -> None:
    iamd, issuer = cluster
    _, role_arn = await _setup(iamd, issuer)
    sts = _unsigned_sts(iamd)

    async def refused(token: str) -> dict[str, str]:
        with pytest.raises(ClientError) as e:
            await _call(sts.assume_role_with_web_identity, RoleArn=role_arn, RoleSessionName="s1",
                        WebIdentityToken=token)
        return e.value.response["Error"]

    assert (await refused("????"))["Code"] == "InvalidIdentityToken"
    other = await refused(issuer.token(sub=SERVICE_ACCOUNT, iss="https://oidc.other.example/id/1"))
    assert other == {"Type": "Sender", "Code": "InvalidIdentityToken",
                     "Message": "No OpenIDConnect provider found in your account for https://oidc.other.example/id/1"}
    assert (await refused(issuer.token(sub=SERVICE_ACCOUNT, aud="vault")))["Message"] == "Incorrect token audience"
    expired = await refused(issuer.token(sub=SERVICE_ACCOUNT, issued=0, lifetime=60))
    assert expired["Code"] == "ExpiredTokenException"
    issuer.add_key("not-served", served=False)
    assert (await refused(issuer.token(kid="not-served", sub=SERVICE_ACCOUNT)))["Code"] == "InvalidIdentityToken"


async def test_over_grpc_unsigned_and_the_thumbprint(cluster: tuple[Iamd, OidcIssuer]) -> None:
    """The same use case over gRPC, unsigned; a provider whose thumbprint is not the server's
    certificate's is refused as AWS refuses it."""
    iamd, issuer = cluster
    _, role_arn = await _setup(iamd, issuer)
    anonymous = iamd.connect(None)  # unsigned
    stub = sts_pb2_grpc.SecurityTokenServiceStub(anonymous)
    answer = await stub.AssumeRoleWithWebIdentity(sts_pb2.AssumeRoleWithWebIdentityRequest(
        role_arn=role_arn, role_session_name="grpc", web_identity_token=issuer.token(sub=SERVICE_ACCOUNT)))
    assert answer.subject_from_web_identity_token == SERVICE_ACCOUNT and answer.credentials.access_key_id
    iam = _client(iamd, "iam")
    provider_arn = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{issuer.url.removeprefix('https://')}"
    await _call(iam.update_open_id_connect_provider_thumbprint, OpenIDConnectProviderArn=provider_arn,
                ThumbprintList=["0" * 40])
    with pytest.raises(ClientError) as e:
        await _call(_unsigned_sts(iamd).assume_role_with_web_identity, RoleArn=role_arn, RoleSessionName="s2",
                    WebIdentityToken=issuer.token(sub=SERVICE_ACCOUNT))
    assert e.value.response["Error"]["Message"] == \
        "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint"
    await anonymous.close()


async def test_iamctl_exchanges_a_token_file_without_credentials(
        cluster: tuple[Iamd, OidcIssuer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """`iamctl sts assume-role-with-web-identity`, as a pod runs `aws sts ...` with the token
    file Kubernetes mounts and no credentials at all: the token is the credential."""
    from iamd.client import cli

    iamd, issuer = cluster
    _, role_arn = await _setup(iamd, issuer)
    token_file = tmp_path / "token"
    token_file.write_text(issuer.token(sub=SERVICE_ACCOUNT))
    for name in ("IAMD_ACCESS_KEY_ID", "IAMD_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-such-file"))
    capsys.readouterr()
    code = await asyncio.to_thread(cli.main, [
        "--endpoint", iamd.target, "sts", "assume-role-with-web-identity", "--role-arn", role_arn,
        "--role-session-name", "pod-cli", "--web-identity-token", f"file://{token_file}"])
    out, err = capsys.readouterr()
    assert code == 0, err
    answer = json.loads(out)
    assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/payments-api/pod-cli"
    assert answer["SubjectFromWebIdentityToken"] == SERVICE_ACCOUNT and answer["Credentials"]["AccessKeyId"]
    # Any other command still needs credentials: exit 253, as the aws CLI.
    assert await asyncio.to_thread(cli.main, ["--endpoint", iamd.target, "sts", "get-caller-identity"]) == 253
