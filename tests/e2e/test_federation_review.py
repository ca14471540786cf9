"""Review of inbound federation (AssumeRoleWithWebIdentity, AssumeRoleWithSAML): the defects found,
each shown against a real iamd."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.fakes.oidc_issuer import OidcIssuer

from .conftest import Iamd
from .test_web_identity import SERVICE_ACCOUNT, _call, _client, _unsigned_sts, cluster  # noqa: F401 (a fixture)

pytestmark = pytest.mark.e2e


async def _setup(iamd: Iamd, issuer: OidcIssuer) -> str:
    iam = _client(iamd, "iam")
    provider = await _call(iam.create_open_id_connect_provider, Url=issuer.url, ClientIDList=["sts.amazonaws.com"],
                           ThumbprintList=[issuer.thumbprint])
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider["OpenIDConnectProviderArn"]},
        "Action": "sts:AssumeRoleWithWebIdentity"}]}
    role = (await _call(iam.create_role, RoleName="payments-api", AssumeRolePolicyDocument=json.dumps(trust)))["Role"]
    return role["Arn"]


async def test_trailing_slashes_on_iss_do_not_make_iamd_fetch_the_providers_keys_again(
        cluster: tuple[Iamd, OidcIssuer]) -> None:
    """An unsigned caller, with no key of the provider, sends tokens whose `iss` is the provider's
    URL with 1, 2, 3... trailing slashes: each named the same registered provider, yet each was a
    key of its own in the fetcher's cache (and its never-emptied lock table), so each call made
    iamd read the provider's discovery document and JWKS afresh (the 5-minute cache bypassed: a
    request flood relayed to the IdP, and memory that grew with every variant)."""
    iamd, issuer = cluster
    role_arn = await _setup(iamd, issuer)
    sts = _unsigned_sts(iamd)
    await _call(sts.assume_role_with_web_identity, RoleArn=role_arn, RoleSessionName="first",
                WebIdentityToken=issuer.token(sub=SERVICE_ACCOUNT))
    fetched = issuer.requests
    assert fetched == 2  # discovery, then the JWKS
    for slashes in range(1, 6):
        try:
            await _call(sts.assume_role_with_web_identity, RoleArn=role_arn, RoleSessionName="again",
                        WebIdentityToken=issuer.token(sub=SERVICE_ACCOUNT, iss=issuer.url + "/" * slashes))
        except ClientError:
            pass  # accepted or not, what matters here is what it cost the provider
    assert issuer.requests == fetched  # the keys cached for the provider served every one
