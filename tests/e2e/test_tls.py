"""TLS and mutual TLS on a real listener; no plaintext off loopback without --insecure."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest

from iamd.client.credentials import signing_interceptors
from iamd.v1 import sts_pb2, sts_pb2_grpc
from iamd.service.config import Settings, parse_settings

from .conftest import start_iamd
from .tls_certs import make_pki

pytestmark = pytest.mark.e2e


async def _who(channel: grpc.aio.Channel) -> str:
    reply = await sts_pb2_grpc.SecurityTokenServiceStub(channel).GetCallerIdentity(
        sts_pb2.GetCallerIdentityRequest(), timeout=5)
    return reply.arn


async def test_tls_and_mutual_tls(tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    server = await start_iamd(tmp_path / "d", tls_cert=str(pki.server_cert), tls_key=str(pki.server_key),
                              tls_client_ca=str(pki.ca))
    target = f"localhost:{server.running.port}"
    signer = signing_interceptors(server.root)
    try:
        with_client_cert = grpc.ssl_channel_credentials(pki.ca.read_bytes(), pki.client_key.read_bytes(),
                                                        pki.client_cert.read_bytes())
        async with grpc.aio.secure_channel(target, with_client_cert, interceptors=signer) as channel:
            assert (await _who(channel)).endswith(":root")
        no_client_cert = grpc.ssl_channel_credentials(pki.ca.read_bytes())
        async with grpc.aio.secure_channel(target, no_client_cert, interceptors=signer) as channel:
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await _who(channel)
            assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
        async with grpc.aio.insecure_channel(target, interceptors=signer) as channel:
            with pytest.raises(grpc.aio.AioRpcError):
                await _who(channel)
    finally:
        await server.channel.close()
        await server.running.stop()


def test_plaintext_is_refused_off_loopback_without_insecure() -> None:
    with pytest.raises(ValueError, match="without TLS"):
        Settings(listen="0.0.0.0:50051").check()
    Settings(listen="0.0.0.0:50051", insecure=True).check()
    Settings(listen="127.0.0.1:50051").check()
    Settings(listen="[::1]:50051").check()
    with pytest.raises(SystemExit):
        parse_settings(["--listen", "10.1.2.3:50051"], env={})
    with pytest.raises(ValueError, match="mutual TLS"):
        Settings(tls_client_ca="ca.pem").check()


async def test_the_http_endpoint_serves_https_with_the_same_certificate_and_client_ca(tmp_path: Path) -> None:
    """--http-listen follows gRPC's TLS rules: botocore reaches it over HTTPS with a client
    certificate (mutual TLS), and without one the handshake fails."""
    import asyncio

    import botocore.session
    from botocore.config import Config
    from botocore.exceptions import ConnectionClosedError, SSLError

    pki = make_pki(tmp_path)
    server = await start_iamd(tmp_path / "d", tls_cert=str(pki.server_cert), tls_key=str(pki.server_key),
                              tls_client_ca=str(pki.ca), http_listen="127.0.0.1:0")
    assert server.running.http is not None
    url = f"https://localhost:{server.running.http.port}"

    def sts(client_cert: tuple[str, str] | None):  # type: ignore[no-untyped-def]
        return botocore.session.get_session().create_client(
            "sts", region_name="us-east-1", endpoint_url=url, verify=str(pki.ca),
            aws_access_key_id=server.root.access_key_id, aws_secret_access_key=server.root.secret_access_key,
            config=Config(client_cert=client_cert, retries={"max_attempts": 1}))
    try:
        who = await asyncio.to_thread(sts((str(pki.client_cert), str(pki.client_key))).get_caller_identity)
        assert who["Arn"].endswith(":root")
        with pytest.raises((SSLError, ConnectionClosedError)):  # TLS 1.3 refuses after the handshake
            await asyncio.to_thread(sts(None).get_caller_identity)
    finally:
        await server.channel.close()
        await server.running.stop()


def test_the_http_endpoint_refuses_plaintext_off_loopback() -> None:
    with pytest.raises(ValueError, match="refusing to listen on `0.0.0.0:50080` without TLS"):
        Settings(http_listen="0.0.0.0:50080").check()
    Settings(http_listen="0.0.0.0:50080", insecure=True).check()
    Settings(http_listen="127.0.0.1:50080").check()
