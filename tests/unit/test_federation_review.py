"""Review of inbound federation (AssumeRoleWithWebIdentity, AssumeRoleWithSAML): the defects found,
each shown against the real checks."""

from __future__ import annotations

import time

import jwt
import pytest

from iamd.service.domain import oidc, web_identity
from iamd.service.domain.errors import InvalidIdentityTokenError, InvalidInputError
from tests.fakes.oidc_issuer import OidcIssuer


@pytest.fixture(scope="module")
def issuer() -> OidcIssuer:
    made = OidcIssuer()
    made.port = 8443
    made.add_key("k1")
    return made


@pytest.mark.parametrize("principal_tags", [["Department"], "Department=Engineering", 7])
def test_session_tags_that_are_not_an_object_are_an_invalid_identity_token(issuer: OidcIssuer,
                                                                            principal_tags: object) -> None:
    """`principal_tags` of another JSON type than an object made verify() raise AttributeError:
    an internal error (500) for a token AWS refuses as InvalidIdentityToken."""
    token = issuer.token(extra={web_identity.TAGS_CLAIM: {"principal_tags": principal_tags}})
    with pytest.raises(InvalidIdentityTokenError):
        web_identity.verify(token, web_identity.parse(token), issuer.jwks(), ["sts.amazonaws.com"], time.time())


@pytest.mark.parametrize("url", ["https://example.com/?tenant=a", "https://example.com/id?x", "https://example.com/#f",
                                 "https://example.com/id/1#"])
def test_an_oidc_provider_url_with_a_query_or_fragment_is_refused(url: str) -> None:
    """The IAM API reference (CreateOpenIDConnectProvider, Url): "Per the OIDC standard, path
    components are allowed but query parameters are not." iamd registered such a URL (and then
    fetched `<url>/.well-known/openid-configuration` with the query in the middle)."""
    with pytest.raises(InvalidInputError, match="Invalid Open ID Connect Provider URL"):
        oidc.check_url(url)
    assert oidc.check_url("https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE")


def test_a_key_is_used_only_with_the_algorithm_its_jwk_names(issuer: OidcIssuer) -> None:
    """The JWKS says k1 is an RS256 key ("alg": "RS256"); a token signed with it under RS512 was
    accepted: PyJWK was handed the token's algorithm, which overrides the key's own (RFC 7517,
    4.4: "alg" identifies the algorithm intended for use with the key)."""
    claims = {"iss": issuer.url, "sub": "system:serviceaccount:default:orders", "aud": "sts.amazonaws.com",
              "iat": int(time.time()), "exp": int(time.time()) + 600}
    token = jwt.encode(claims, issuer.keys["k1"], algorithm="RS512", headers={"kid": "k1"})
    assert issuer.jwks()["keys"][0]["alg"] == "RS256"
    with pytest.raises(InvalidIdentityTokenError, match="signature"):
        web_identity.verify(token, web_identity.parse(token), issuer.jwks(), ["sts.amazonaws.com"], time.time())
    same = jwt.encode(claims, issuer.keys["k1"], algorithm="RS256", headers={"kid": "k1"})  # as the JWK says
    assert web_identity.verify(same, web_identity.parse(same), issuer.jwks(), ["sts.amazonaws.com"], time.time())
