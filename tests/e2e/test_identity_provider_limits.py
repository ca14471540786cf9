"""End to end: AWS's quotas of identity providers per account (100 SAML, 100 OIDC) and
CreateOpenIDConnectProvider's every broken constraint in one ValidationError, through botocore's IAM
client against a real iamd (the providers filled in over gRPC, the same application layer)."""

from __future__ import annotations

import pytest

from iamd.v1 import identity_pb2 as ipb
from tests.fakes.saml_idp import SamlIdp

from .conftest import Iamd
from .test_aws_query import _call, _client, _refused

pytestmark = pytest.mark.e2e


async def test_a_hundred_saml_providers_per_account(iamd_http: Iamd) -> None:
    metadata = SamlIdp().metadata()
    for i in range(100):
        await iamd_http.iam.CreateSAMLProvider(ipb.CreateSAMLProviderRequest(name=f"idp-{i}",
                                                                             saml_metadata_document=metadata))
    iam = _client(iamd_http, "iam")
    error = await _refused(iam.create_saml_provider, "LimitExceeded", 409, Name="one-more", SAMLMetadataDocument=metadata)
    assert error.response["Error"]["Message"] == "Cannot exceed quota for SAMLProvidersPerAccount: 100"
    await _call(iam.delete_saml_provider, SAMLProviderArn="arn:aws:iam::123456789012:saml-provider/idp-0")
    await _call(iam.create_saml_provider, Name="one-more", SAMLMetadataDocument=metadata)


async def test_a_hundred_oidc_providers_per_account(iamd_http: Iamd) -> None:
    for i in range(100):
        await iamd_http.iam.CreateOpenIDConnectProvider(ipb.CreateOpenIDConnectProviderRequest(
            url=f"https://idp-{i}.example.com", client_id_list=["sts.amazonaws.com"]))
    iam = _client(iamd_http, "iam")
    error = await _refused(iam.create_open_id_connect_provider, "LimitExceeded", 409, Url="https://more.example.com",
                           ClientIDList=["sts.amazonaws.com"])
    assert error.response["Error"]["Message"] == "Cannot exceed quota for OpenIdConnectProvidersPerAccount: 100"


async def test_every_broken_constraint_of_an_oidc_provider_in_one_answer(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    error = await _refused(iam.create_open_id_connect_provider, "ValidationError", 400, Url="b" * 256,
                           ThumbprintList=["b" * 41], ClientIDList=["b" * 256])
    message = error.response["Error"]["Message"]
    assert message.startswith("3 validation errors detected: ")
    for part in ("at 'url' failed to satisfy constraint: Member must have length less than or equal to 255",
                 "at 'clientIDList' failed to satisfy constraint: Member must satisfy constraint: [Member must have "
                 "length less than or equal to 255, Member must have length greater than or equal to 1]",
                 "at 'thumbprintList' failed to satisfy constraint: Member must satisfy constraint: [Member must "
                 "have length less than or equal to 40, Member must have length greater than or equal to 40]"):
        assert part in message
    assert (await _call(iam.list_open_id_connect_providers))["OpenIDConnectProviderList"] == []
