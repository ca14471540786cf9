"""Where the client's credentials come from, and the signer that uses them on every call.

Resolution order, as the AWS CLI does it: explicit values, then the environment
(IAMD_ACCESS_KEY_ID, IAMD_SECRET_ACCESS_KEY, IAMD_SESSION_TOKEN), then a profile (IAMD_PROFILE,
else `default`) in the shared credentials file (IAMD_SHARED_CREDENTIALS_FILE, else
~/.iamd/credentials), an INI file shaped like ~/.aws/credentials. A profile named explicitly
(--profile) is explicit: it wins over the environment's keys, as the AWS CLI's command-line options do.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc

from iamd.client.signing import DEFAULT_HOST, sign_request

DEFAULT_FILE = Path("~/.iamd/credentials")


class CredentialsError(Exception):
    """No usable credentials (missing file, unknown profile, incomplete key pair)."""


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str = ""

    def __repr__(self) -> str:  # never print the secret or the token
        return f"Credentials(access_key_id={self.access_key_id!r})"


def credentials_file(env: Mapping[str, str]) -> Path:
    return Path(env.get("IAMD_SHARED_CREDENTIALS_FILE") or DEFAULT_FILE).expanduser()


def resolve_credentials(profile: str | None = None, env: Mapping[str, str] | None = None) -> Credentials | None:
    """The credentials to sign with, or None when none are configured anywhere."""
    env = os.environ if env is None else env
    key_id, secret = env.get("IAMD_ACCESS_KEY_ID", ""), env.get("IAMD_SECRET_ACCESS_KEY", "")
    if (key_id or secret) and not profile:
        if not (key_id and secret):
            raise CredentialsError("set both IAMD_ACCESS_KEY_ID and IAMD_SECRET_ACCESS_KEY")
        return Credentials(key_id, secret, env.get("IAMD_SESSION_TOKEN", ""))
    profile_name = profile or env.get("IAMD_PROFILE") or "default"
    path = credentials_file(env)
    if not path.exists():
        if profile or env.get("IAMD_PROFILE"):
            raise CredentialsError(f"profile `{profile_name}` not found: {path} does not exist")
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as e:
        # Not the parser's own message: it quotes the offending line, which may hold a secret.
        where = f" (line {e.lineno})" if getattr(e, "lineno", None) else ""
        raise CredentialsError(f"Unable to parse credentials file {path}{where}: expected [profile] "
                               "sections of key = value lines") from None
    if not parser.has_section(profile_name):
        raise CredentialsError(f"profile `{profile_name}` not found in {path}")
    section = parser[profile_name]
    try:
        return Credentials(section["aws_access_key_id"].strip(), section["aws_secret_access_key"].strip(),
                           section.get("aws_session_token", "").strip())
    except KeyError as e:
        raise CredentialsError(f"profile `{profile_name}` in {path} lacks {e.args[0]}") from None


class RequestSigner:
    """A metadata provider for the SDK: signs each call's method and exact body bytes (SigV4)."""

    def __init__(self, credentials: Credentials, region: str = "us-east-1",
                 now: Callable[[], datetime] = lambda: datetime.now(UTC), host: str = DEFAULT_HOST) -> None:
        self.credentials = credentials
        self.region = region
        self.now = now  # the signing clock: the system's, unless a caller knows better
        self.host = host  # the `host` signed and sent; iamd takes it from the metadata as signed

    def __call__(self, method: str, body: bytes) -> list[tuple[str, str]]:
        return sign_request(method=method, body=body, access_key_id=self.credentials.access_key_id,
                            secret_access_key=self.credentials.secret_access_key,
                            moment=self.now(), region=self.region,
                            session_token=self.credentials.session_token, host=self.host)


def write_profile(path: Path, profile: str, credentials: Credentials) -> None:
    """Add or replace a profile in a credentials file, keeping it readable by its owner only."""
    parser = configparser.ConfigParser(interpolation=None)
    if path.exists():
        parser.read(path, encoding="utf-8")
    parser[profile] = {"aws_access_key_id": credentials.access_key_id,
                       "aws_secret_access_key": credentials.secret_access_key}
    if credentials.session_token:
        parser[profile]["aws_session_token"] = credentials.session_token
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode on open: owner-only before the secret is in it
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        parser.write(f)


def _signed_details(signer: RequestSigner, client_call_details, request):  # type: ignore[no-untyped-def]
    method = client_call_details.method
    method = method.decode() if isinstance(method, bytes) else method
    # The bytes gRPC will send: a generated stub's serializer is SerializeToString() as it is (a
    # deterministic serialization orders map entries otherwise, and the signature would not match).
    signed = signer(method, request.SerializeToString())
    metadata = [*(client_call_details.metadata or ()), *signed]
    return grpc.aio.ClientCallDetails(method=client_call_details.method, timeout=client_call_details.timeout,
                                      metadata=metadata, credentials=client_call_details.credentials,
                                      wait_for_ready=client_call_details.wait_for_ready)


class SigningInterceptor(grpc.aio.UnaryUnaryClientInterceptor):
    """Signs every unary call made through a grpc.aio channel, for code that uses raw stubs."""

    def __init__(self, credentials: Credentials, region: str = "us-east-1", **signer: Any) -> None:
        self.signer = RequestSigner(credentials, region, **signer)

    async def intercept_unary_unary(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        return await continuation(_signed_details(self.signer, client_call_details, request), request)


class StreamSigningInterceptor(grpc.aio.UnaryStreamClientInterceptor):
    """Signs every server-streaming call (grpc.aio keeps one interceptor list per call shape)."""

    def __init__(self, credentials: Credentials, region: str = "us-east-1", **signer: Any) -> None:
        self.signer = RequestSigner(credentials, region, **signer)

    async def intercept_unary_stream(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        return await continuation(_signed_details(self.signer, client_call_details, request), request)


def signing_interceptors(credentials: Credentials, region: str = "us-east-1",
                         **signer: Any) -> list[grpc.aio.ClientInterceptor]:
    """What to pass as `interceptors=` to grpc.aio channels so that every call is signed."""
    return [SigningInterceptor(credentials, region, **signer), StreamSigningInterceptor(credentials, region, **signer)]
