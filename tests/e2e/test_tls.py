"""TLS and mutual TLS on a real listener; no plaintext off loopback without --insecure."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest

from clients.credentials import signing_interceptors
from protos.iamd.v1 import sts_pb2, sts_pb2_grpc
from service.config import Settings, parse_settings

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
