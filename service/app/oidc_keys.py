"""The signing keys of an OpenID Connect provider, fetched as AWS fetches them.

AWS reads `<issuer>/.well-known/openid-configuration`, then the JWKS at its `jwks_uri`, over
HTTPS, and trusts the server's certificate when it chains to a root CA it trusts or, for a
provider outside those, when its thumbprint is one the provider has registered (IAM User Guide,
"Obtain the thumbprint for an OpenID Connect identity provider"). iamd does the same: the
system's trusted CAs first; failing those, the SHA-1 thumbprint of the certificate the server
presents must be one of the provider's (a self-signed server's certificate, as a cluster's
own issuer often has). Python's ssl module shows only the server's own certificate, not the
chain it sent, so a thumbprint of an intermediate CA cannot be matched: register the thumbprint
of the server's certificate instead (docs/aws-compatibility.md).

Keys are cached per provider for a few minutes; a token whose `kid` is not among them makes one
fresh fetch, at most every REFRESH_FLOOR seconds (a provider rotating its keys). Only providers
registered in an account are ever fetched: a token naming another issuer is refused before any
I/O, so an unsigned caller cannot make iamd reach an address of its choosing.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import ssl
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import structlog

from iamd.service.domain.errors import IdpCommunicationError, InvalidIdentityTokenError

if TYPE_CHECKING:
    import aiohttp

log = structlog.get_logger(__name__)

CACHE_SECONDS = 300.0
REFRESH_FLOOR = 30.0
TIMEOUT_SECONDS = 5.0
MAX_DOCUMENT_BYTES = 512 * 1024
# AWS's wording for a provider it could not read keys from (IDPCommunicationError), and for a
# certificate that matches no registered thumbprint (InvalidIdentityToken).
UNREACHABLE = ("Couldn't retrieve verification key from your identity provider,  please reference "
               "AssumeRoleWithWebIdentity documentation for requirements")
THUMBPRINT_MISMATCH = "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint"
DISCOVERY_PATH = "/.well-known/openid-configuration"


def thumbprint(der: bytes) -> str:
    """The thumbprint IAM registers for a certificate: the SHA-1 of its DER bytes, in hex."""
    return hashlib.sha1(der, usedforsecurity=False).hexdigest()


class OidcKeyFetcher:
    def __init__(self, *, cache_seconds: float = CACHE_SECONDS, refresh_floor: float = REFRESH_FLOOR,
                 timeout: float = TIMEOUT_SECONDS, trusted: ssl.SSLContext | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.cache_seconds = cache_seconds
        self.refresh_floor = refresh_floor
        self.timeout = timeout
        self.trusted = trusted or ssl.create_default_context()  # the system's root CAs
        self.monotonic = monotonic
        self._cache: dict[tuple[str, tuple[str, ...]], tuple[float, dict[str, Any]]] = {}
        self._locks: dict[tuple[str, tuple[str, ...]], asyncio.Lock] = {}
        self.fetches = 0  # documents fetched (tests read it)

    async def keys(self, issuer_url: str, thumbprints: Sequence[str], *, refresh: bool = False) -> dict[str, Any]:
        """The provider's JWKS; `refresh` asks for a fresh copy (a `kid` not in the cached one)."""
        # One entry per provider: `iss` with trailing slashes names the same provider (its ARN drops
        # them), and a caller who varies them must not get a fresh fetch, and a new entry, each time.
        key = (issuer_url.rstrip("/"), tuple(sorted(t.lower() for t in thumbprints)))
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached = self._cache.get(key)
            age = self.monotonic() - cached[0] if cached else None
            if cached and age is not None and (age < self.refresh_floor or (not refresh and age < self.cache_seconds)):
                return cached[1]
            jwks = await self._fetch(key[0], key[1])
            if len(self._cache) >= 1000:
                self._cache.clear()
                self._locks = {k: held for k, held in self._locks.items() if held.locked()}  # bounded too
            self._cache[key] = (self.monotonic(), jwks)
            return jwks

    async def _fetch(self, issuer_url: str, thumbprints: tuple[str, ...]) -> dict[str, Any]:
        discovery = await self._get_json(issuer_url.rstrip("/") + DISCOVERY_PATH, thumbprints)
        jwks_uri = discovery.get("jwks_uri")
        if not isinstance(jwks_uri, str) or urlsplit(jwks_uri).scheme != "https":
            log.info("oidc_discovery_without_https_jwks_uri", issuer=issuer_url)
            raise IdpCommunicationError(UNREACHABLE)
        return await self._get_json(jwks_uri, thumbprints)

    async def _get_json(self, url: str, thumbprints: tuple[str, ...]) -> dict[str, Any]:
        # Imported when a provider is first asked: aiohttp costs every start ~0.15 s otherwise.
        import aiohttp  # noqa: PLC0415

        try:
            body = await self._get(url, self.trusted)
        except aiohttp.ClientConnectorCertificateError:
            # Not signed by a CA the system trusts: the provider's thumbprints decide. The
            # certificate whose SHA-1 matched is then pinned (by its SHA-256) for the fetch itself.
            der = await self._peer_certificate(url)
            if der is None or thumbprint(der) not in thumbprints:
                log.info("oidc_thumbprint_mismatch", url=url)
                raise InvalidIdentityTokenError(THUMBPRINT_MISMATCH) from None
            body = await self._get(url, aiohttp.Fingerprint(hashlib.sha256(der).digest()))
        try:
            document = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):  # nested past the parser's depth
            log.info("oidc_document_not_json", url=url)
            raise IdpCommunicationError(UNREACHABLE) from None
        if not isinstance(document, dict):
            raise IdpCommunicationError(UNREACHABLE)
        return document

    async def _peer_certificate(self, url: str) -> bytes | None:
        """The DER bytes of the certificate the server at `url` presents (not verified)."""
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port or 443
        unverified = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        unverified.check_hostname = False
        unverified.verify_mode = ssl.CERT_NONE
        try:
            _, writer = await asyncio.wait_for(
                asyncio.open_connection(host, port, ssl=unverified, server_hostname=host), self.timeout)
        except (OSError, asyncio.TimeoutError, ssl.SSLError) as e:
            log.info("oidc_fetch_failed", url=url, error=type(e).__name__)
            raise IdpCommunicationError(UNREACHABLE) from None
        try:
            ssl_object = writer.get_extra_info("ssl_object")
            return ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _get(self, url: str, verification: ssl.SSLContext | aiohttp.Fingerprint) -> bytes:
        if urlsplit(url).scheme != "https":
            raise IdpCommunicationError(UNREACHABLE)
        self.fetches += 1
        import aiohttp  # noqa: PLC0415 — see _get_json

        try:
            timeout = aiohttp.ClientTimeout(total=self.timeout)
            async with aiohttp.ClientSession(timeout=timeout) as session, \
                    session.get(url, ssl=verification, allow_redirects=False,
                                headers={"Accept": "application/json"}) as response:
                if response.status != 200:
                    log.info("oidc_fetch_refused", url=url, status=response.status)
                    raise IdpCommunicationError(UNREACHABLE)
                # read(n) answers what has arrived so far: read to the end, bounded as it comes.
                body = bytearray()
                async for chunk in response.content.iter_chunked(64 * 1024):
                    body += chunk
                    if len(body) > MAX_DOCUMENT_BYTES:
                        log.info("oidc_document_too_large", url=url)
                        raise IdpCommunicationError(UNREACHABLE)
                return bytes(body)
        except aiohttp.ClientConnectorCertificateError:
            raise
        except aiohttp.ServerFingerprintMismatch:
            log.info("oidc_thumbprint_mismatch", url=url)
            raise InvalidIdentityTokenError(THUMBPRINT_MISMATCH) from None
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as e:
            log.info("oidc_fetch_failed", url=url, error=type(e).__name__)
            raise IdpCommunicationError(UNREACHABLE) from None
