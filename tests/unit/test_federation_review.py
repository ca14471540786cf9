"""Review of inbound federation (AssumeRoleWithWebIdentity, AssumeRoleWithSAML): the defects found,
each shown against the real checks."""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
import pytest
from aiohttp import web

from iamd.service.app.oidc_keys import OidcKeyFetcher
from iamd.service.domain import oidc, saml, web_identity
from iamd.service.domain.errors import IdpCommunicationError, InvalidIdentityTokenError, InvalidInputError
from tests.fakes.oidc_issuer import ISSUER_PATH, OidcIssuer, self_signed_certificate
from tests.fakes.saml_idp import SAML, SamlIdp

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


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


@asynccontextmanager
async def _provider(tmp_path: Path, issuer: OidcIssuer, discovery: Handler, keys: Handler) -> AsyncIterator[str]:
    """`issuer` served over TLS on a free port by these two handlers; its certificate's thumbprint."""
    cert, key, thumbprint = self_signed_certificate(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    app = web.Application()
    app.router.add_get(f"{ISSUER_PATH}/.well-known/openid-configuration", discovery)
    app.router.add_get(f"{ISSUER_PATH}/keys", keys)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    issuer.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield thumbprint
    finally:
        await runner.cleanup()


async def test_a_jwks_that_arrives_in_pieces_is_read_whole(tmp_path: Path) -> None:
    """The fetcher read the body with one `content.read(n)`, which answers what has arrived so far,
    not the whole body: a provider whose JWKS came in more than one piece (any network slower
    than loopback, or a document past a TLS record) was IDPCommunicationError, the keys cut short."""
    issuer = OidcIssuer()
    issuer.add_key("k1")

    async def trickle(request: web.Request, document: dict[str, Any]) -> web.StreamResponse:
        body = json.dumps(document).encode()
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        for start in range(0, len(body), 200):  # as a slow network delivers it
            await response.write(body[start:start + 200])
            await asyncio.sleep(0.01)
        await response.write_eof()
        return response

    async def discovery(request: web.Request) -> web.StreamResponse:
        return await trickle(request, {"issuer": issuer.url, "jwks_uri": f"{issuer.url}/keys"})

    async def keys(request: web.Request) -> web.StreamResponse:
        return await trickle(request, issuer.jwks())

    async with _provider(tmp_path, issuer, discovery, keys) as thumbprint:
        jwks = await OidcKeyFetcher().keys(issuer.url, [thumbprint])
    assert [k["kid"] for k in jwks["keys"]] == ["k1"]


async def test_a_jwks_past_the_bound_is_still_refused(tmp_path: Path) -> None:
    issuer = await OidcIssuer().start(tmp_path)
    keys = issuer.jwks
    issuer.jwks = lambda: {"keys": keys()["keys"] + [{"kty": "RSA", "use": "enc", "n": "A" * 600 * 1024, "e": "AQAB"}]}
    try:
        with pytest.raises(IdpCommunicationError):
            await OidcKeyFetcher().keys(issuer.url, [issuer.thumbprint])
    finally:
        await issuer.stop()


async def test_a_jwks_nested_past_the_parsers_depth_is_an_idp_communication_error(tmp_path: Path) -> None:
    """json.loads raises RecursionError, not ValueError, for a document nested a few thousand
    levels deep: such a JWKS (well under the size bound) made AssumeRoleWithWebIdentity fail with
    an internal error instead of AWS's IDPCommunicationError."""
    issuer = OidcIssuer()

    async def discovery(request: web.Request) -> web.Response:
        return web.json_response({"issuer": issuer.url, "jwks_uri": f"{issuer.url}/keys"})

    async def keys(request: web.Request) -> web.Response:
        return web.Response(body=b'{"keys": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
                            content_type="application/json")

    async with _provider(tmp_path, issuer, discovery, keys) as thumbprint:
        with pytest.raises(IdpCommunicationError):
            await OidcKeyFetcher().keys(issuer.url, [thumbprint])


# --- SAML ----------------------------------------------------------------------------------------

SAML_ROLE = "arn:aws:iam::123456789012:role/SamlRole"
SAML_PROVIDER = "arn:aws:iam::123456789012:saml-provider/MyIdP"


@pytest.fixture(scope="module")
def idp() -> SamlIdp:
    return SamlIdp()


@pytest.mark.parametrize(("element", "attribute"), [("Conditions", "NotOnOrAfter"), ("Conditions", "NotBefore"),
                                                    ("AuthnStatement", "SessionNotOnOrAfter")])
def test_a_saml_time_bound_that_is_not_a_time_is_refused(idp: SamlIdp, element: str, attribute: str) -> None:
    """A Conditions NotBefore/NotOnOrAfter or a SessionNotOnOrAfter that does not parse as a
    dateTime was read as absent: the assertion's validity window (or the session's end the IdP
    set) silently dropped instead of the assertion refused."""
    response = idp.response_xml(role_arn=SAML_ROLE, provider_arn=SAML_PROVIDER)
    response.find(f"{{{SAML}}}Assertion/{{{SAML}}}{element}").set(attribute, "not-a-time")
    metadata = saml.parse_metadata(idp.metadata())
    with pytest.raises(InvalidIdentityTokenError):
        saml.verify(idp.encode(idp.sign_assertion(response)), entity_id=metadata.entity_id,
                    certificates=metadata.certificates, now=datetime.now(UTC))
