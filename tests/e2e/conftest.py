"""A real iamd on a loopback port over a real SQLite file, and real gRPC stubs to call it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest

from iamd.client.credentials import Credentials, resolve_credentials, signing_interceptors
from iamd.v1 import authorization_pb2_grpc, identity_pb2_grpc, sts_pb2_grpc
from iamd.service.config import Settings
from iamd.service.server import RunningServer, build_server

ACCOUNT = "123456789012"


class OffsetClock:
    """The system clock plus an offset the test controls (to let sessions expire)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.offset)


@dataclass
class Iamd:
    running: RunningServer
    channel: grpc.aio.Channel
    iam: identity_pb2_grpc.IdentityServiceStub
    authz: authorization_pb2_grpc.AuthorizationServiceStub
    sts: sts_pb2_grpc.SecurityTokenServiceStub
    data_dir: Path
    root: Credentials
    clock: OffsetClock

    def connect(self, credentials: Credentials | None) -> grpc.aio.Channel:
        """Another channel to this server, signing as `credentials` (None: unsigned), on the
        server's (test-controlled) clock."""
        interceptors = signing_interceptors(credentials, now=self.clock.now) if credentials else []
        return grpc.aio.insecure_channel(self.target, interceptors=interceptors)

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.running.port}"


async def start_iamd(data_dir: Path, *, clock: OffsetClock | None = None, **overrides: object) -> Iamd:
    """`clock`: the server's clock (a test may start it shifted); a new OffsetClock otherwise."""
    settings = Settings(listen="127.0.0.1:0", data_dir=data_dir, account_id=ACCOUNT, shutdown_grace=2.0,
                        **overrides)  # type: ignore[arg-type]
    clock = clock or OffsetClock()
    running = await build_server(settings, clock=clock)
    root = root_credentials(data_dir)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}", interceptors=signing_interceptors(root))
    return Iamd(running, channel, identity_pb2_grpc.IdentityServiceStub(channel),
                authorization_pb2_grpc.AuthorizationServiceStub(channel),
                sts_pb2_grpc.SecurityTokenServiceStub(channel), data_dir, root, clock)


def root_credentials(data_dir: Path) -> Credentials:
    """The root key the first start wrote, read the way iamctl reads a profile."""
    credentials = resolve_credentials(env={"IAMD_SHARED_CREDENTIALS_FILE": str(data_dir / "root-credentials")})
    assert credentials is not None
    return credentials


async def stop_iamd(iamd: Iamd) -> None:
    """Close the client and stop the server (again: a no-op)."""
    await iamd.channel.close()
    await iamd.running.stop()


@pytest.fixture
async def iamd(tmp_path: Path) -> AsyncIterator[Iamd]:
    server = await start_iamd(tmp_path / "data")
    try:
        yield server
    finally:
        await stop_iamd(server)


@pytest.fixture
async def iamd_http(tmp_path: Path) -> AsyncIterator[Iamd]:
    """iamd with its AWS-compatible HTTP endpoint on an ephemeral loopback port."""
    server = await start_iamd(tmp_path / "data", http_listen="127.0.0.1:0")
    try:
        yield server
    finally:
        await stop_iamd(server)
