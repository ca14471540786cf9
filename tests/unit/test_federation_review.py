"""Review of inbound federation (AssumeRoleWithWebIdentity, AssumeRoleWithSAML): the defects found,
each shown against the real checks."""

from __future__ import annotations

import time

import pytest

from iamd.service.domain import web_identity
from iamd.service.domain.errors import InvalidIdentityTokenError
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
