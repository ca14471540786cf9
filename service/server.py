"""The composition root: the only module that picks concrete adapters and wires iamd together."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from dataclasses import dataclass
from pathlib import Path

import grpc
import structlog
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection

from projections.identity import IDENTITY_STREAMS, IdentityProjection
from projections.principals import PrincipalPolicyCache
from projections.runner import ProjectionRunner, SnapshotFile
from protos.iamd.v1 import authorization_pb2, authorization_pb2_grpc, identity_pb2, identity_pb2_grpc
from service.app.authorize import Authorizer
from service.app.bootstrap import bootstrap_account
from service.app.identity import IdentityCommands
from service.app.ports import RandomIds, SystemClock
from service.app.queries import IdentityQueries
from service.app.simulate import Simulator
from service.config import Settings
from service.domain.events import UPCASTERS
from service.eventstore import EventCodec, open_event_store
from service.eventstore.port import EventStore
from service.rpc.authorization import AuthorizationServicer
from service.rpc.caller import CallerResolver
from service.rpc.identity import IdentityServicer
from service.rpc.interceptors import RequestInterceptor

log = structlog.get_logger(__name__)

SERVICE_NAMES = (
    identity_pb2.DESCRIPTOR.services_by_name["IdentityService"].full_name,
    authorization_pb2.DESCRIPTOR.services_by_name["AuthorizationService"].full_name,
)


@dataclass
class RunningServer:
    """A started iamd: the gRPC server, its port, and what must be closed on shutdown."""

    server: grpc.aio.Server
    port: int
    account_id: str
    store: EventStore
    runner: ProjectionRunner
    projection: IdentityProjection
    health: HealthServicer
    grace: float

    async def stop(self) -> None:
        """Graceful shutdown: NOT_SERVING, let in-flight calls finish, snapshot, flush the store."""
        await self.health.enter_graceful_shutdown()
        await self.server.stop(self.grace)
        await self.runner.stop()
        await self.store.close()
        log.info("iamd_stopped")


def load_projection(snapshots: SnapshotFile) -> IdentityProjection:
    snapshot = snapshots.load()
    if snapshot is None:
        return IdentityProjection()
    try:
        return IdentityProjection.from_snapshot(snapshot)
    except (ValueError, KeyError, TypeError) as e:
        log.warning("snapshot_discarded", reason=str(e))
        return IdentityProjection()


async def build_server(settings: Settings) -> RunningServer:
    """Open the store, catch the projection up, and start serving on settings.listen."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    clock, ids = SystemClock(), RandomIds()
    store = open_event_store(settings.event_store_uri, EventCodec(UPCASTERS))
    account_id = await bootstrap_account(store, clock, settings.account_id)

    snapshots = SnapshotFile(settings.data_dir / "snapshots" / "identity.json")
    projection = load_projection(snapshots)
    if projection.position > await store.head_position():
        log.warning("snapshot_ahead_of_log", snapshot_position=projection.position)  # another log: rebuild
        projection = IdentityProjection()
    principals = PrincipalPolicyCache(projection)
    runner = ProjectionRunner(store, projection, IDENTITY_STREAMS, snapshots=snapshots,
                              snapshot_every_events=settings.snapshot_every_events)
    await runner.start()

    server = grpc.aio.server(interceptors=[RequestInterceptor()])
    caller = CallerResolver(account_id)
    identity_pb2_grpc.add_IdentityServiceServicer_to_server(
        IdentityServicer(IdentityCommands(store, clock, ids, projection, runner), IdentityQueries(projection), caller),
        server)
    authorization_pb2_grpc.add_AuthorizationServiceServicer_to_server(
        AuthorizationServicer(Authorizer(principals, runner, clock), Simulator(principals, runner, clock), runner,
                              caller), server)
    health = HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    reflection.enable_server_reflection(
        (*SERVICE_NAMES, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME),
        server)

    if settings.tls_cert:
        credentials = grpc.ssl_server_credentials(
            [(Path(settings.tls_key).read_bytes(), Path(settings.tls_cert).read_bytes())])
        port = server.add_secure_port(settings.listen, credentials)
    else:
        port = server.add_insecure_port(settings.listen)
    await server.start()
    for name in ("", *SERVICE_NAMES):
        await health.set(name, health_pb2.HealthCheckResponse.SERVING)
    log.info("iamd_started", listen=settings.listen, port=port, account_id=account_id,
             store=settings.event_store_uri.split("?")[0], position=projection.position)
    return RunningServer(server, port, account_id, store, runner, projection, health, settings.shutdown_grace)


async def serve(settings: Settings) -> None:
    """Run until SIGTERM/SIGINT, then shut down gracefully."""
    running = await build_server(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    print(f"iamd listening on {settings.listen.rsplit(':', 1)[0]}:{running.port} "
          f"(account {running.account_id}, data in {settings.data_dir})", flush=True)
    await stop.wait()
    log.info("iamd_stopping")
    await running.stop()
