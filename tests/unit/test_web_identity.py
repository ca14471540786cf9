"""AssumeRoleWithWebIdentity's token checks (service/domain/web_identity.py) and the fetch of a
provider's keys over HTTPS with its thumbprint (service/app/oidc_keys.py)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from iamd.service.app.oidc_keys import THUMBPRINT_MISMATCH, OidcKeyFetcher
from iamd.service.domain import web_identity
from iamd.service.domain.errors import (
    ExpiredWebIdentityTokenError,
    IdpCommunicationError,
    InvalidIdentityTokenError,
    ValidationError,
)
from tests.fakes.oidc_issuer import OidcIssuer

CLIENT_IDS = ["sts.amazonaws.com"]


@pytest.fixture(scope="module")
def issuer() -> OidcIssuer:
    """Keys and tokens only (no server): the pure checks need the JWKS document alone."""
    made = OidcIssuer()
    made.port = 8443
    made.add_key("k1")
    made.add_key("k2", kind="EC")
    return made


def _verify(issuer: OidcIssuer, token: str, now: float | None = None, client_ids: list[str] = CLIENT_IDS
            ) -> web_identity.VerifiedToken:
    return web_identity.verify(token, web_identity.parse(token), issuer.jwks(), client_ids,
                               time.time() if now is None else now)


def test_a_kubernetes_service_account_token_is_accepted(issuer: OidcIssuer) -> None:
    token = issuer.token(sub="system:serviceaccount:payments:api")
    checked = _verify(issuer, token)
    assert (checked.subject, checked.audience, checked.issuer) == (
        "system:serviceaccount:payments:api", "sts.amazonaws.com", issuer.url)
    assert _verify(issuer, issuer.token(kid="k2")).subject  # ES256 too
    keys = web_identity.condition_keys("localhost:8443/id/X", "arn:aws:iam::111122223333:oidc-provider/x", checked)
    assert keys["localhost:8443/id/X:sub"] == "system:serviceaccount:payments:api"
    assert keys["localhost:8443/id/X:aud"] == "sts.amazonaws.com"


def test_a_bad_signature_is_an_invalid_identity_token(issuer: OidcIssuer) -> None:
    forged = issuer.token(key=rsa.generate_private_key(public_exponent=65537, key_size=2048))  # kid k1, wrong key
    with pytest.raises(InvalidIdentityTokenError, match="signature"):
        _verify(issuer, forged)
    header, payload, signature = issuer.token().split(".")
    tampered = jwt.utils.base64url_encode(  # the claims changed after signing
        jwt.utils.base64url_decode(payload).replace(b"orders", b"admins")).decode()
    with pytest.raises(InvalidIdentityTokenError):
        _verify(issuer, f"{header}.{tampered}.{signature}")


def test_a_wrong_audience_is_refused(issuer: OidcIssuer) -> None:
    with pytest.raises(InvalidIdentityTokenError, match="^Incorrect token audience$"):
        _verify(issuer, issuer.token(aud="vault"))
    assert _verify(issuer, issuer.token(aud=["vault", "sts.amazonaws.com"])).audience == "sts.amazonaws.com"


def test_an_expired_token_is_refused_after_aws_five_minutes_of_skew(issuer: OidcIssuer) -> None:
    issued = time.time() - 7200
    token = issuer.token(issued=issued, lifetime=3600)  # expired an hour ago
    with pytest.raises(ExpiredWebIdentityTokenError, match="Token expired: current date/time"):
        _verify(issuer, token)
    just_expired = issuer.token(issued=issued, lifetime=7200 - 120)  # two minutes past exp: within the skew
    assert _verify(issuer, just_expired).subject
    with pytest.raises(InvalidIdentityTokenError, match="iat"):
        _verify(issuer, issuer.token(issued=time.time() + 3600))  # issued in the future


def test_an_unknown_kid_asks_for_fresh_keys(issuer: OidcIssuer) -> None:
    issuer.add_key("rotated", served=False)
    with pytest.raises(web_identity.UnknownSigningKey):
        _verify(issuer, issuer.token(kid="rotated"))


def test_malformed_tokens_and_algorithms(issuer: OidcIssuer) -> None:
    with pytest.raises(InvalidIdentityTokenError, match="not a valid JWT"):
        web_identity.parse("????")
    with pytest.raises(ValidationError, match="webIdentityToken"):
        web_identity.parse("abc")
    unsigned = jwt.encode({"iss": issuer.url, "sub": "x", "aud": "sts.amazonaws.com", "iat": int(time.time()),
                           "exp": int(time.time()) + 60}, None, algorithm="none")
    with pytest.raises(InvalidIdentityTokenError, match="algorithm"):
        _verify(issuer, unsigned)
    hmac = jwt.encode({"iss": issuer.url, "sub": "x"}, "secret-secret-secret-secret-secret", algorithm="HS256")
    with pytest.raises(InvalidIdentityTokenError, match="algorithm"):
        _verify(issuer, hmac)
    no_sub = issuer.token(extra={"sub": ""})
    with pytest.raises(InvalidIdentityTokenError, match="sub"):
        _verify(issuer, no_sub)
    with pytest.raises(InvalidIdentityTokenError, match="exp"):
        _verify(issuer, issuer.token(extra={"exp": "tomorrow"}))


def test_the_issuer_names_the_provider(issuer: OidcIssuer) -> None:
    """The provider is found by `iss`: a token from another issuer is checked against nothing of
    this provider's (the use case answers "No OpenIDConnect provider found ...")."""
    assert web_identity.parse(issuer.token(iss="https://evil.example")).issuer_url == "https://evil.example"
    assert web_identity.parse(issuer.token(iss="accounts.google.com")).issuer_url == "https://accounts.google.com"
    assert str(web_identity.no_provider("https://evil.example")) == \
        "No OpenIDConnect provider found in your account for https://evil.example"


# --- the keys over HTTPS -----------------------------------------------------------------------

@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[OidcIssuer]:
    issuer = await OidcIssuer().start(tmp_path)
    try:
        yield issuer
    finally:
        await issuer.stop()


async def test_keys_are_fetched_over_https_when_the_thumbprint_matches(served: OidcIssuer) -> None:
    fetcher = OidcKeyFetcher()
    jwks = await fetcher.keys(served.url, [served.thumbprint.upper()])
    assert [k["kid"] for k in jwks["keys"]] == ["k1"]
    assert served.requests == 2  # discovery, then the JWKS
    await fetcher.keys(served.url, [served.thumbprint])
    assert served.requests == 2  # cached
    token = served.token()
    assert web_identity.verify(token, web_identity.parse(token), jwks, CLIENT_IDS, time.time()).subject


async def test_a_thumbprint_mismatch_is_an_invalid_identity_token(served: OidcIssuer) -> None:
    with pytest.raises(InvalidIdentityTokenError) as refused:
        await OidcKeyFetcher().keys(served.url, ["0" * 40])
    assert refused.value.message == THUMBPRINT_MISMATCH
    with pytest.raises(InvalidIdentityTokenError):
        await OidcKeyFetcher().keys(served.url, [])  # no thumbprint, and no trusted CA signed it


async def test_an_unreachable_provider_is_an_idp_communication_error(served: OidcIssuer) -> None:
    with pytest.raises(IdpCommunicationError):
        await OidcKeyFetcher().keys(f"https://localhost:{served.port}/no/such/issuer", [served.thumbprint])
    await served.stop()
    with pytest.raises(IdpCommunicationError):
        await OidcKeyFetcher(timeout=2).keys(served.url, [served.thumbprint])


async def test_a_rotated_key_is_fetched_again_at_most_every_refresh_floor(served: OidcIssuer) -> None:
    now = [0.0]
    fetcher = OidcKeyFetcher(monotonic=lambda: now[0])
    await fetcher.keys(served.url, [served.thumbprint])
    served.add_key("k2")
    await fetcher.keys(served.url, [served.thumbprint], refresh=True)
    assert served.requests == 2  # too soon after the last fetch: the cached keys
    now[0] = 31.0
    jwks = await fetcher.keys(served.url, [served.thumbprint], refresh=True)
    assert {k["kid"] for k in jwks["keys"]} == {"k1", "k2"} and served.requests == 4
