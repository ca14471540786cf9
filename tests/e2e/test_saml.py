"""End to end: SAML providers and AssumeRoleWithSAML with boto3 against a real iamd
(`endpoint_url`): the provider created from its IdP's metadata, a role trusting it, a signed
SAML Response exchanged for credentials (unsigned, as AWS takes it), which then work; the
refusals AWS gives; the audit trail's SAMLUser without the assertion; the same over gRPC."""

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

from iamd.service.domain.saml import name_qualifier
from iamd.v1 import sts_pb2, sts_pb2_grpc
from tests.fakes.saml_idp import ATTR, SamlIdp

from .conftest import ACCOUNT, Iamd, start_iamd, stop_iamd

pytestmark = pytest.mark.e2e


@pytest.fixture
async def iamd(tmp_path: Path) -> AsyncIterator[Iamd]:
    running = await start_iamd(tmp_path / "data", http_listen="127.0.0.1:0")
    try:
        yield running
    finally:
        await stop_iamd(running)


@pytest.fixture(scope="module")
def idp() -> SamlIdp:
    return SamlIdp()


def _client(iamd: Iamd, service: str, **credentials: Any) -> Any:
    assert iamd.running.http is not None
    if not credentials:
        credentials = {"aws_access_key_id": iamd.root.access_key_id,
                       "aws_secret_access_key": iamd.root.secret_access_key}
    return boto3.session.Session(region_name="us-east-1", **credentials).client(
        service, endpoint_url=f"http://127.0.0.1:{iamd.running.http.port}", config=Config(retries={"max_attempts": 1}))


def _unsigned_sts(iamd: Iamd) -> Any:
    assert iamd.running.http is not None
    return boto3.session.Session(region_name="us-east-1").client(
        "sts", endpoint_url=f"http://127.0.0.1:{iamd.running.http.port}",
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}))


async def _call(method: Any, **kwargs: Any) -> Any:
    return await asyncio.to_thread(method, **kwargs)


async def _setup(iamd: Iamd, idp: SamlIdp) -> tuple[str, str]:
    iam = _client(iamd, "iam")
    created = await _call(iam.create_saml_provider, Name="Corp", SAMLMetadataDocument=idp.metadata(),
                          Tags=[{"Key": "team", "Value": "sso"}])
    provider_arn = created["SAMLProviderArn"]
    assert provider_arn == f"arn:aws:iam::{ACCOUNT}:saml-provider/Corp"
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml",
                                       "saml:sub_type": "persistent"},
                      "StringLike": {"saml:sub": "*@example.com"}}}]}
    role = (await _call(iam.create_role, RoleName="sso-readers", AssumeRolePolicyDocument=json.dumps(trust)))["Role"]
    await _call(iam.put_role_policy, RoleName="sso-readers", PolicyName="read", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"},
            {"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*", "Condition": {"StringEquals": {
                "saml:sub": "alice@example.com", "aws:FederatedProvider": provider_arn}}}]}))
    return provider_arn, role["Arn"]


async def test_the_saml_provider_registry(iamd: Iamd, idp: SamlIdp) -> None:
    iam = _client(iamd, "iam")
    provider_arn, _ = await _setup(iamd, idp)
    got = await _call(iam.get_saml_provider, SAMLProviderArn=provider_arn)
    assert got["SAMLMetadataDocument"] == idp.metadata() and got["Tags"] == [{"Key": "team", "Value": "sso"}]
    assert len(got["SAMLProviderUUID"]) >= 22 and "CreateDate" in got
    listed = await _call(iam.list_saml_providers)
    assert [p["Arn"] for p in listed["SAMLProviderList"]] == [provider_arn]
    rotated = SamlIdp(entity_id=idp.entity_id)
    assert (await _call(iam.update_saml_provider, SAMLProviderArn=provider_arn,
                        SAMLMetadataDocument=rotated.metadata()))["SAMLProviderArn"] == provider_arn
    await _call(iam.tag_saml_provider, SAMLProviderArn=provider_arn, Tags=[{"Key": "env", "Value": "prod"}])
    await _call(iam.untag_saml_provider, SAMLProviderArn=provider_arn, TagKeys=["team"])
    assert (await _call(iam.list_saml_provider_tags, SAMLProviderArn=provider_arn))["Tags"] == [
        {"Key": "env", "Value": "prod"}]
    with pytest.raises(ClientError) as again:
        await _call(iam.create_saml_provider, Name="Corp", SAMLMetadataDocument=idp.metadata())
    assert again.value.response["Error"]["Code"] == "EntityAlreadyExists"
    with pytest.raises(ClientError) as bad:
        await _call(iam.create_saml_provider, Name="Bad", SAMLMetadataDocument="<x>" + "y" * 1000 + "</x>")
    assert bad.value.response["Error"]["Code"] == "InvalidInput"
    await _call(iam.delete_saml_provider, SAMLProviderArn=provider_arn)
    with pytest.raises(ClientError) as gone:
        await _call(iam.get_saml_provider, SAMLProviderArn=provider_arn)
    assert gone.value.response["Error"]["Code"] == "NoSuchEntity"
    assert (await _call(iam.list_saml_providers))["SAMLProviderList"] == []


async def test_a_saml_user_assumes_the_role_and_uses_the_credentials(iamd: Iamd, idp: SamlIdp) -> None:
    provider_arn, role_arn = await _setup(iamd, idp)
    sts = _unsigned_sts(iamd)
    assertion = idp.assertion(role_arn=role_arn, provider_arn=provider_arn,
                              extra_attributes={ATTR + "PrincipalTag:dept": ["finance"]})
    with pytest.raises(ClientError) as untagged:  # session tags need sts:TagSession in the trust policy
        await _call(sts.assume_role_with_saml, RoleArn=role_arn, PrincipalArn=provider_arn, SAMLAssertion=assertion)
    assert untagged.value.response["Error"]["Code"] == "AccessDenied"
    assertion = idp.assertion(role_arn=role_arn, provider_arn=provider_arn)
    answer = await _call(sts.assume_role_with_saml, RoleArn=role_arn, PrincipalArn=provider_arn,
                         SAMLAssertion=assertion, DurationSeconds=900)
    assert answer["Subject"] == "alice@example.com" and answer["SubjectType"] == "persistent"
    assert answer["Issuer"] == idp.entity_id and answer["Audience"] == "https://signin.aws.amazon.com/saml"
    assert answer["NameQualifier"] == name_qualifier(idp.entity_id, ACCOUNT, "Corp")
    assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/sso-readers/alice"
    creds = answer["Credentials"]
    session = {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
               "aws_session_token": creds["SessionToken"]}
    who = await _call(_client(iamd, "sts", **session).get_caller_identity)
    assert who["Arn"] == answer["AssumedRoleUser"]["Arn"]
    await _call(_client(iamd, "iam", **session).list_users)
    await _call(_client(iamd, "iam", **session).list_roles)  # saml:sub stays in the session's requests
    with pytest.raises(ClientError) as denied:
        await _call(_client(iamd, "iam", **session).create_user, UserName="mallory")
    assert denied.value.response["Error"]["Code"] == "AccessDenied"

    # The trust policy's saml:sub condition refuses another subject.
    with pytest.raises(ClientError) as refused:
        await _call(sts.assume_role_with_saml, RoleArn=role_arn, PrincipalArn=provider_arn,
                    SAMLAssertion=idp.assertion(role_arn=role_arn, provider_arn=provider_arn, subject="eve@evil.test"))
    assert refused.value.response["Error"] == {
        "Type": "Sender", "Code": "AccessDenied", "Message": "Not authorized to perform sts:AssumeRoleWithSAML"}

    await iamd.running.audit.flush()
    found = await _call(_client(iamd, "cloudtrail").lookup_events, LookupAttributes=[
        {"AttributeKey": "EventName", "AttributeValue": "AssumeRoleWithSAML"}])
    records = [json.loads(e["CloudTrailEvent"]) for e in found["Events"]]
    assert len(records) == 3
    ok = next(r for r in records if "errorCode" not in r)
    qualifier = answer["NameQualifier"]
    assert ok["eventSource"] == "sts.amazonaws.com"
    assert ok["userIdentity"] == {"type": "SAMLUser", "principalId": f"{qualifier}:alice@example.com",
                                  "userName": "alice@example.com", "identityProvider": qualifier}
    text = json.dumps(records)
    assert assertion not in text and assertion[:200] not in text
    assert creds["SecretAccessKey"] not in text and creds["SessionToken"] not in text


async def test_assertions_aws_refuses(iamd: Iamd, idp: SamlIdp) -> None:
    provider_arn, role_arn = await _setup(iamd, idp)
    sts = _unsigned_sts(iamd)

    async def refused(assertion: str, principal: str = provider_arn, role: str = role_arn) -> dict[str, str]:
        with pytest.raises(ClientError) as e:
            await _call(sts.assume_role_with_saml, RoleArn=role, PrincipalArn=principal, SAMLAssertion=assertion)
        return e.value.response["Error"]

    good = idp.assertion(role_arn=role_arn, provider_arn=provider_arn)
    unknown = f"arn:aws:iam::{ACCOUNT}:saml-provider/Nobody"
    assert await refused(good, principal=unknown) == {
        "Type": "Sender", "Code": "InvalidIdentityToken", "Message": "Specified provider doesn't exist"}
    forged = SamlIdp(entity_id=idp.entity_id).assertion(role_arn=role_arn, provider_arn=provider_arn)
    assert (await refused(forged))["Message"] == "Response signature invalid"
    other_role = f"arn:aws:iam::{ACCOUNT}:role/admins"
    assert (await refused(good, role=other_role))["Code"] == "IDPRejectedClaim"
    wrong_audience = idp.assertion(role_arn=role_arn, provider_arn=provider_arn, audience="https://app.example.com")
    assert (await refused(wrong_audience))["Code"] == "InvalidIdentityToken"
    from datetime import UTC, datetime, timedelta
    stale = idp.assertion(role_arn=role_arn, provider_arn=provider_arn,
                          now=datetime.now(UTC) - timedelta(hours=1))
    assert (await refused(stale))["Code"] == "ExpiredTokenException"
    assert (await refused("????"))["Code"] == "InvalidIdentityToken"


async def test_over_grpc_unsigned(iamd: Iamd, idp: SamlIdp) -> None:
    provider_arn, role_arn = await _setup(iamd, idp)
    stub = sts_pb2_grpc.SecurityTokenServiceStub(iamd.connect(None))
    answer = await stub.AssumeRoleWithSAML(sts_pb2.AssumeRoleWithSAMLRequest(
        role_arn=role_arn, principal_arn=provider_arn,
        saml_assertion=idp.assertion(role_arn=role_arn, provider_arn=provider_arn, session_name="alice.grpc")))
    assert answer.assumed_role_user.arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/sso-readers/alice.grpc"
    assert answer.credentials.access_key_id.startswith("ASIA") and answer.subject == "alice@example.com"
