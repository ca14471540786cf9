"""An OpenID Connect issuer for tests: a local HTTPS server with a self-signed certificate that
serves `/.well-known/openid-configuration` and its JWKS, and mints ID tokens (a Kubernetes
service account's, by default) signed with its keys.

Register it in iamd as an OIDC provider with `url` and `thumbprint` (the SHA-1 of its certificate,
what IAM checks for a provider whose certificate no trusted CA signed).
"""

from __future__ import annotations

import hashlib
import json
import ssl
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import jwt
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

ISSUER_PATH = "/id/EXAMPLED539D4633E53DE1B71EXAMPLE"


def self_signed_certificate(directory: Path) -> tuple[Path, Path, str]:
    """(certificate, key, thumbprint) for localhost and 127.0.0.1, signed by itself."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "oidc.test")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(IPv4Address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "oidc.pem", directory / "oidc.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    thumbprint = hashlib.sha1(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
    return cert_path, key_path, thumbprint


@dataclass
class OidcIssuer:
    """Call `await start()` in a running loop; `stop()` when done."""

    keys: dict[str, Any] = field(default_factory=dict)  # kid -> private key
    served_kids: list[str] = field(default_factory=list)  # the kids the JWKS shows
    requests: int = 0
    port: int = 0
    thumbprint: str = ""
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"https://localhost:{self.port}{ISSUER_PATH}"

    def add_key(self, kid: str, kind: str = "RSA", served: bool = True) -> None:
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048) if kind == "RSA" \
            else ec.generate_private_key(ec.SECP256R1())
        if served:
            self.served_kids.append(kid)

    def jwks(self) -> dict[str, Any]:
        out = []
        for kid in self.served_kids:
            key = self.keys[kid]
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()) if isinstance(key, rsa.RSAPrivateKey)
                             else jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
            out.append({**jwk, "kid": kid, "use": "sig",
                        "alg": "RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256"})
        return {"keys": out}

    def token(self, *, kid: str = "k1", sub: str = "system:serviceaccount:default:orders",
              aud: str | list[str] = "sts.amazonaws.com", iss: str | None = None, lifetime: int = 3600,
              issued: float | None = None, extra: dict[str, Any] | None = None, key: Any = None) -> str:
        """A Kubernetes service account token (projected, for IRSA) unless told otherwise."""
        now = int(time.time() if issued is None else issued)
        claims: dict[str, Any] = {"iss": iss or self.url, "sub": sub, "aud": aud, "iat": now, "nbf": now,
                                  "exp": now + lifetime,
                                  "kubernetes.io": {"namespace": sub.split(":")[2] if sub.count(":") >= 3 else "",
                                                    "serviceaccount": {"name": sub.rsplit(":", 1)[-1]}}}
        claims.update(extra or {})
        signing = key or self.keys[kid]
        algorithm = "RS256" if isinstance(signing, rsa.RSAPrivateKey) else "ES256"
        return jwt.encode(claims, signing, algorithm=algorithm, headers={"kid": kid})

    async def start(self, directory: Path | None = None) -> OidcIssuer:
        if not self.keys:
            self.add_key("k1")
        directory = directory or Path(tempfile.mkdtemp(prefix="oidc-issuer-"))
        cert, key, self.thumbprint = self_signed_certificate(directory)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)

        async def discovery(request: web.Request) -> web.Response:
            self.requests += 1
            return web.json_response({"issuer": self.url, "jwks_uri": f"{self.url}/keys",
                                      "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                                      "response_types_supported": ["id_token"],
                                      "subject_types_supported": ["public"]})

        async def keys(request: web.Request) -> web.Response:
            self.requests += 1
            return web.json_response(self.jwks())

        app = web.Application()
        app.router.add_get(f"{ISSUER_PATH}/.well-known/openid-configuration", discovery)
        app.router.add_get(f"{ISSUER_PATH}/keys", keys)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
