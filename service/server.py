"""The composition root: the only module that picks concrete adapters and wires iamd together."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import shutil
import signal
import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING
from pathlib import Path

import grpc
import structlog
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection

from iamd.projections.audit_index import AuditIndex
from iamd.projections.identity import IDENTITY_STREAMS, ForeignEventError, IdentityProjection
from iamd.projections.principals import PrincipalPolicyCache
from iamd.projections.runner import ProjectionRunner, SnapshotFile
from iamd.v1 import (
    audit_pb2,
    authorization_pb2,
    identity_pb2,
    organizations_pb2,
    sts_pb2,
)
from iamd.service.app.access_advisor import AccessAdvisor
from iamd.service.app.authenticate import Authenticator
from iamd.service.app.audit import AuditLookup
from iamd.service.app.authorize import Authorizer
from iamd.service.app.denial_messages import DenialMessages
from iamd.service.app.aws_policies import AwsManagedPolicies
from iamd.service.app.account_alias import AccountAliasCommands
from iamd.service.app.oidc import OidcProviderCommands
from iamd.service.app.outbound_federation import OutboundFederation
from iamd.service.app.password_policy import PasswordPolicyCommands
from iamd.service.app.reports import AccountReports
from iamd.service.app.bootstrap import bootstrap_account, ensure_root_credentials
from iamd.service.app.credentials import CredentialCommands
from iamd.service.app.keys import check_keyring, open_keyring
from iamd.service.audit.digest import SigningKey
from iamd.service.audit.digester import Digester
from iamd.service.audit.recovery import (
    RECORDS_COMPLETE,
    RECORDS_COMPLETE_THROUGH,
    Recovery,
    log_head,
    recover_missing_records,
    stopped_complete,
    write_refused_later,
)
from iamd.service.audit.writer import AuditWriter
from iamd.service.auth import authorization_messages
from iamd.service.auth.keyring import KeyringError
from iamd.service.app.history import TimeTravel
from iamd.service.app.identity import IdentityCommands
from iamd.service.app.ports import Clock, RandomIds, SystemClock
from iamd.service.app.queries import IdentityQueries
from iamd.service.app.mfa import MfaCommands
from iamd.service.app.organizations import OrganizationCommands
from iamd.service.app.repository import Repository
from iamd.service.app.resources import ResourceCommands
from iamd.service.app.policy_validation import PolicyValidator, read_package_data
from iamd.service.app.simulate import Simulator
from iamd.service.app.sts import StsCommands
from iamd.service.policy.catalogue import Catalogue
from iamd.service.config import Settings, StartRefusedError, serves_only_loopback
from iamd.service.domain.events import UPCASTERS
from iamd.service.eventstore import EventCodec, open_event_store
from iamd.service.eventstore.port import EventStore
from iamd.service.eventstore.sqlite import SqliteEventStore
from iamd.service.rpc.authorization import AuthorizationServicer
from iamd.service.rpc.audit_service import AuditServicer
from iamd.service.rpc.caller import CallerResolver
from iamd.service.rpc.guard import CallGuard
from iamd.service.rpc.organizations import OrganizationsServicer
from iamd.service.rpc.sts import SecurityTokenServicer
from iamd.service.rpc.identity import IdentityServicer
from iamd.service.rpc.gateway import CallGateway, MessageDecoder


if TYPE_CHECKING:
    from iamd.service.http.endpoint import QueryEndpoint
    from iamd.service.metrics import Metrics, MetricsEndpoint
    from iamd.service.tracing import Tracing

log = structlog.get_logger(__name__)

IDENTITY = identity_pb2.DESCRIPTOR.services_by_name["IdentityService"]
AUTHORIZATION = authorization_pb2.DESCRIPTOR.services_by_name["AuthorizationService"]
STS = sts_pb2.DESCRIPTOR.services_by_name["SecurityTokenService"]
AUDIT = audit_pb2.DESCRIPTOR.services_by_name["AuditService"]
ORGANIZATIONS = organizations_pb2.DESCRIPTOR.services_by_name["OrganizationsService"]
SERVICES = (IDENTITY, AUTHORIZATION, STS, AUDIT, ORGANIZATIONS)
SERVICE_NAMES = tuple(s.full_name for s in SERVICES)


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
    audit: AuditWriter
    digester: Digester
    recovering: asyncio.Task[None] | None = None  # records a full disk refused at start, retried
    http: QueryEndpoint | None = None  # the AWS-compatible HTTP endpoint, when --http-listen is given
    gateway: CallGateway | None = None
    metrics: Metrics | None = None  # when --metrics-listen is given
    metrics_endpoint: MetricsEndpoint | None = None
    stopped: bool = False
    retention: asyncio.Task[None] | None = None  # audit retention, with --audit-retention-hours
    tracing: Tracing | None = None  # when --otel-endpoint is given (or a test's span exporter)
    sharing: asyncio.Task[None] | None = None  # the projection's equal strings made one, after start
    outbound: OutboundFederation | None = None  # outbound identity federation (its issuers' base URL)

    @property
    def metrics_port(self) -> int:
        """The port /metrics is served on (0: not served)."""
        return self.metrics_endpoint.port if self.metrics_endpoint is not None else 0

    async def _recover_before_stop(self) -> int | None:
        """Rebuild the records of calls that committed events and left none (cancelled mid-call,
        or refused at start and not yet retried); the log's head the recovery covered when none is
        missing now, else None."""
        try:
            head = await log_head(self.store)
            recovery = await recover_missing_records(self.store, self.audit)
        except Exception as e:  # noqa: BLE001 — the next start recovers instead; the stop goes on
            log.error("audit_recovery_at_stop_failed", exc_info=e)
            return None
        if recovery.rebuilt:
            log.warning("audit_records_recovered", count=recovery.rebuilt, when="stop")
        return None if recovery.refused else head

    async def stop(self) -> None:
        """Graceful shutdown: NOT_SERVING, let in-flight calls finish, snapshot, flush the store."""
        if self.stopped:
            return
        self.stopped = True
        await self.health.enter_graceful_shutdown()
        if self.metrics is not None:
            self.metrics.serving.set(0)
        if self.http is not None:
            await self.http.stop()
        await self.server.stop(self.grace)
        # What recovery has not written yet, the next start rebuilds; an interrupted retention
        # run is finished by the next one; sharing strings only saves memory.
        for task in (self.recovering, self.retention, self.sharing):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        # A call cancelled after its events committed left no record: rebuilt now, so that the
        # final digest can vouch that none is missing and the next start reads nothing back.
        await self.audit.flush()  # records still queued (asynchronous durability) are not missing
        failed = self.audit.failed
        head = await self._recover_before_stop()
        await self.audit.stop()  # every record of every finished call is committed
        # The final digest vouches for what the recovery saw (not for calls another replica commits
        # after it), and only when the store took every record since (a queued one may be refused).
        complete = head is not None and self.audit.failed == failed
        await self.digester.stop({RECORDS_COMPLETE: True, RECORDS_COMPLETE_THROUGH: head}
                                 if complete else None)  # and a last signed digest
        await self.runner.stop()
        await self.store.close()
        if self.metrics_endpoint is not None:  # scraped until the end: NOT_SERVING, the last commits
            await self.metrics_endpoint.stop()
        if self.tracing is not None:  # the last spans exported (waited for 3 s at most)
            await self.tracing.close()
        log.info("iamd_stopped")


async def _log_id(store: EventStore) -> str:
    """The id of the log's first event: which log this is (bootstrap has written one by now)."""
    async with contextlib.aclosing(store.read_all(limit=1)) as events:
        async for first in events:
            return first.id
    return ""


# The pass that shares the read model's equal strings runs after a start that folded at least
# this many events (a snapshot's strings are shared already, and a short tail adds few).
SHARE_STRINGS_AFTER_EVENTS = 10_000
SHARE_STRINGS_DELAY_SECONDS = 1.0  # after start: the first calls go first


async def _share_equal_strings(projection: IdentityProjection) -> None:
    """After start, between calls: the views' equal strings made one object (about a third of
    the read model's memory on a large identity; see IdentityProjection.share_equal_strings).

    It waits a second, so that the first calls after a start are not slowed, then goes in small
    chunks (a millisecond or two each) with a pause between them: a call waits at most one chunk
    at each of its await points."""
    await asyncio.sleep(SHARE_STRINGS_DELAY_SECONDS)
    for _ in projection.share_equal_strings(chunk=250):
        await asyncio.sleep(0.001)


def load_projection(snapshots: SnapshotFile) -> IdentityProjection:
    snapshot = snapshots.load()
    if snapshot is None:
        return IdentityProjection()
    try:
        return IdentityProjection.from_snapshot(snapshot)
    except (ValueError, KeyError, TypeError) as e:
        log.warning("snapshot_discarded", reason=str(e))
        return IdentityProjection()


async def build_server(settings: Settings, *, clock: Clock | None = None,
                       audit_writer: AuditWriter | None = None, serve_http: bool = True,
                       trace_exporter: object | None = None) -> RunningServer:
    """Open the store, catch the projection up, and start serving on settings.listen.

    `clock` is for tests that need time to pass (session expiry); iamd itself uses the system's.
    `audit_writer` replaces the store-backed writer, for the benchmark's no-op baseline only.
    `trace_exporter` (an OpenTelemetry SpanExporter, tests only) turns tracing on and is handed
    every span as it ends, instead of the OTLP export to settings.otel_endpoint.
    """
    tracing = None
    if settings.otel_endpoint or trace_exporter is not None:  # imported only when on, as metrics
        from iamd.service.tracing import Tracing  # refuses the start when the packages are missing

        tracing = Tracing.from_settings(settings, trace_exporter)  # type: ignore[arg-type]
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # the log and snapshots live here
    development_key = settings.data_dir / DEVELOPMENT_KEY_MARKER
    if development_key.exists() and not serves_only_loopback(settings):
        raise StartRefusedError(f"this log's root key was fixed for development (--dev-root-key; {development_key}): "
                         "iamd serves it on loopback only")
    clock, ids = clock or SystemClock(), RandomIds()
    metrics = None
    if settings.metrics_listen:  # imported only when served, as the HTTP endpoint
        from iamd.service.metrics import Metrics

        metrics = Metrics()
    store = open_event_store(settings.event_store_uri, EventCodec(UPCASTERS))
    # Appends timed at the port's boundary; the adapter itself knows nothing of metrics.
    dense_positions = isinstance(store, SqliteEventStore)  # see the digester below
    if metrics is not None:
        store = metrics.timed(store, IDENTITY_STREAMS)  # type: ignore[assignment]
    if tracing is not None:  # appends inside a traced call are spans of it; the adapter knows nothing
        store = tracing.traced_store(store, IDENTITY_STREAMS)  # type: ignore[assignment]
    try:  # the KEK is created only for an empty log; any other that cannot open the log's secrets is refused
        keyring = await open_keyring(store, settings.kek_path)
        account_id = await bootstrap_account(store, clock, settings.account_id, keyring)
        await check_keyring(store, clock, keyring, settings.kek_path)
    except KeyringError:
        await store.close()
        raise
    fixed_key = tuple(settings.dev_root_key.split(":", 1)) if settings.dev_root_key else None
    if fixed_key:
        log.warning("DEVELOPMENT_ROOT_KEY", access_key_id=fixed_key[0],
                    note="a first start creates this fixed root key: never use --dev-root-key in production")
    created = await ensure_root_credentials(store, clock, ids, keyring, account_id, settings.credentials_path,
                                            fixed_key)  # type: ignore[arg-type]
    if created and fixed_key:  # a well-known key lives in this log from now on, flag or no flag
        development_key.write_text(f"root key {fixed_key[0]} was fixed by --dev-root-key\n")

    snapshots = SnapshotFile(settings.data_dir / "snapshots" / "identity.snapshot", log_id=await _log_id(store))
    projection = load_projection(snapshots)
    if projection.position > await store.head_position():
        log.warning("snapshot_ahead_of_log", snapshot_position=projection.position)  # another log: rebuild
        projection = IdentityProjection()
    aws_policies = AwsManagedPolicies()  # read on first use (service/app/aws_policies.py)
    principals = PrincipalPolicyCache(projection, aws_policies.get)
    runner = ProjectionRunner(store, projection, IDENTITY_STREAMS, snapshots=snapshots,
                              snapshot_every_events=settings.snapshot_every_events)
    loaded_events = projection.events_applied  # what the snapshot held (0 without one)
    try:
        await runner.start()
    except ForeignEventError as e:  # another application's events in iamd's streams: refuse the log
        await store.close()
        raise StartRefusedError(str(e)) from e

    authorizer = Authorizer(principals, runner, clock)
    time_travel = TimeTravel(store, clock, runner, aws_policies.get)
    authenticator = Authenticator(projection, keyring, clock)
    credentials = CredentialCommands(store, clock, ids, keyring, projection)
    guard = CallGuard(authenticator, authorizer, projection, credentials)
    audit_writer = audit_writer or AuditWriter(store, durable=settings.audit_durable)
    audit_writer.start()
    # Before serving: no call without its record (nothing to do after a graceful stop that vouched).
    recovery = Recovery(0, []) if await stopped_complete(store) else await recover_missing_records(store, audit_writer)
    if recovery.rebuilt:
        log.warning("audit_records_recovered", count=recovery.rebuilt)
    # A full disk refused some: serve anyway (their facts are in the events) and retry them.
    retrying = (asyncio.create_task(write_refused_later(audit_writer, recovery.refused), name="audit-recovery")
                if recovery.refused else None)
    digest_key = SigningKey.load_or_create(settings.digest_key_path)
    if digest_key.created:  # the auditor pins this key (iamctl audit validate --public-key)
        log.warning("audit_digest_key_created", fingerprint=digest_key.fingerprint, path=str(settings.digest_key_path))
    # Appends to SQLite take consecutive positions: the writer can tell the digester where each
    # record landed, instead of the digester reading every record back to learn it.
    digester = Digester(store, digest_key, clock, settings.digest_interval, key_path=settings.digest_key_path,
                        watch=not dense_positions)
    if dense_positions:
        audit_writer.on_commit.append(digester.note_committed)
    await digester.start()  # a start digest (naming a truncated tail, if any), then the cadence
    # Built by the first lookup and brought up to date by each one: reading a large audit trail
    # at start would delay serving by as long (33-43 s for 1M records).
    audit_index = AuditIndex()
    server = grpc.aio.server()
    # With tracing, the gateway's writes of call records are spans (the durable commit wait).
    gateway = CallGateway(guard, tracing.traced_writer(audit_writer) if tracing is not None else audit_writer,
                          clock, tls=bool(settings.tls_cert), tracer=tracing.calls if tracing is not None else None,
                          max_in_flight=settings.max_in_flight, stalled_for=runner.stalled_for,
                          max_staleness=settings.max_staleness, observer=metrics,
                          # A level above info drops the lines: then not even built (~2 µs a call).
                          access_log=settings.access_log and _logs_at_info(settings.log_level))
    if metrics is not None:
        metrics.watch(runner=runner, audit=audit_writer, digester=digester, gateway=gateway, clock=clock)
    caller = CallerResolver()
    commands = IdentityCommands(store, clock, ids, projection, runner, aws_policies)
    mfa = MfaCommands(Repository(store), clock, keyring, projection)
    catalogue = Catalogue(read_package_data)
    # Access advisor's jobs read the attempts the audit index gathers (its records flushed first).
    access_advisor = AccessAdvisor(projection, audit_index, store, audit_writer.flush, catalogue, aws_policies, clock)
    # Outbound identity federation's issuers live at iamd's HTTP endpoint: their base URL is known
    # once it listens (or given by --public-url).
    outbound = OutboundFederation(Repository(store), clock, projection, keyring, settings.public_url)
    gateway.register(server, IdentityServicer(commands, credentials, mfa, IdentityQueries(projection, aws_policies), caller,
                                              ResourceCommands(Repository(store), clock, projection),
                                              AccountReports(projection, clock),
                                              PasswordPolicyCommands(Repository(store), clock, projection),
                                              AccountAliasCommands(Repository(store), clock, projection),
                                              OidcProviderCommands(Repository(store), clock, projection),
                                              access_advisor=access_advisor, outbound=outbound), IDENTITY)
    # Encoded authorization failure messages (Authorize's encode_denial, STS DecodeAuthorizationMessage):
    # a key of their own derived from the KEK, so every replica sharing the KEK reads every message.
    message_codec = authorization_messages.AuthorizationMessageCodec(
        keyring.derive(authorization_messages.PURPOSE), keyring.key_id)
    gateway.register(server, AuthorizationServicer(authorizer, authenticator,
                                                   Simulator(principals, runner, clock, catalogue),
                                                   runner, caller, time_travel, audit_writer,
                                                   PolicyValidator(catalogue), DenialMessages(message_codec, projection)),
                     AUTHORIZATION)
    gateway.register(server, OrganizationsServicer(OrganizationCommands(store, Repository(store), clock, projection,
                                                                        commands), commands, caller), ORGANIZATIONS)
    gateway.register(server, SecurityTokenServicer(StsCommands(store, clock, ids, keyring, principals, authorizer, mfa,
                                                               authorization_messages=message_codec),
                                                   caller, commands.settle, outbound), STS)
    lookup = AuditLookup(audit_index, store, MessageDecoder(SERVICES), audit_writer.flush)
    gateway.register(server, AuditServicer(lookup, digester, store, time_travel, projection, caller), AUDIT)
    health = HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    reflection.enable_server_reflection(
        (*SERVICE_NAMES, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME),
        server)

    if settings.tls_cert:
        client_ca = Path(settings.tls_client_ca).read_bytes() if settings.tls_client_ca else None
        credentials = grpc.ssl_server_credentials(
            [(Path(settings.tls_key).read_bytes(), Path(settings.tls_cert).read_bytes())],
            root_certificates=client_ca, require_client_auth=client_ca is not None)
        port = server.add_secure_port(settings.listen, credentials)
    else:
        port = server.add_insecure_port(settings.listen)
    await server.start()
    running = RunningServer(server, port, account_id, store, runner, projection, health, settings.shutdown_grace,
                            audit_writer, digester, retrying, None, gateway, metrics)
    running.tracing = tracing
    running.outbound = outbound
    if projection.events_applied - loaded_events >= SHARE_STRINGS_AFTER_EVENTS:  # a snapshot's are shared already
        running.sharing = asyncio.create_task(_share_equal_strings(projection), name="share-strings")
    if settings.audit_retention_hours:  # hourly: archive and remove the audit hours past the age
        from iamd.service.audit.retention import keep_retention

        running.retention = asyncio.create_task(
            keep_retention(store, digester, settings.audit_archive_path, clock, settings.audit_retention_hours),
            name="audit-retention")
    try:  # an address already in use: nothing stays open behind the error
        if settings.http_listen and serve_http:  # a development reset keeps the endpoint it has
            # Imported only when served: aiohttp and botocore's models cost a start ~0.2 s.
            from iamd.service.http.endpoint import QueryEndpoint

            running.http = QueryEndpoint(gateway, secure=bool(settings.tls_cert))
            await running.http.start(settings.http_listen, _http_tls(settings))
            running.http.outbound = outbound
            outbound.issuer_base = settings.public_url or running.http.base_url(settings.http_listen)
        if metrics is not None:
            from iamd.service.metrics import MetricsEndpoint

            running.metrics_endpoint = MetricsEndpoint(metrics.registry)
            await running.metrics_endpoint.start(settings.metrics_listen, _http_tls(settings))
    except BaseException:
        await running.stop()
        raise
    # A projection that stops following its log (a dropped subscription) is NOT_SERVING until it
    # follows again, so that a load balancer sends calls to a replica that is up to date.
    runner.on_following.append(lambda following: None if running.stopped else _set_health(health, following, metrics))
    # SERVING only now: the projection has caught up with the log (runner.start above; the port
    # was not open before), and only once it follows the live log (at once on SQLite; a KurrentDB
    # subscription not established yet turns it SERVING through the listener above).
    for name in ("", *SERVICE_NAMES):  # read each time: a change meanwhile is the listener's too
        await health.set(name, health_pb2.HealthCheckResponse.SERVING if runner.following
                         else health_pb2.HealthCheckResponse.NOT_SERVING)
    if metrics is not None:
        metrics.serving.set(1 if runner.following else 0)
    log.info("iamd_started", listen=settings.listen, port=port, account_id=account_id,
             store=settings.event_store_uri.split("?")[0], position=projection.position)
    return running


def _set_health(health: HealthServicer, following: bool, metrics: Metrics | None = None) -> None:
    status = health_pb2.HealthCheckResponse.SERVING if following else health_pb2.HealthCheckResponse.NOT_SERVING
    for name in ("", *SERVICE_NAMES):
        asyncio.ensure_future(health.set(name, status))
    if metrics is not None:
        metrics.serving.set(1 if following else 0)


def _logs_at_info(level: str) -> bool:
    numeric = logging.getLevelName(level.upper())
    return not isinstance(numeric, int) or numeric <= logging.INFO


def _http_tls(settings: Settings) -> ssl.SSLContext | None:
    """The HTTP endpoint's TLS: the gRPC listener's certificate and, for mutual TLS, its CA."""
    if not settings.tls_cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(settings.tls_cert, settings.tls_key)
    if settings.tls_client_ca:
        context.load_verify_locations(settings.tls_client_ca)
        context.verify_mode = ssl.CERT_REQUIRED
    return context


DEVELOPMENT_KEY_MARKER = "DEVELOPMENT-ROOT-KEY"  # in --data-dir: the log's root key is a fixed, public one


class DevReset:
    """--dev-reset: POST /moto-api/reset wipes the embedded log and serves a fresh state, as moto's
    server mode expects between tests. The HTTP endpoint stays up (the reset is answered on it);
    everything behind it is stopped, deleted and built again."""

    def __init__(self, settings: Settings, running: RunningServer) -> None:
        self.settings = settings
        self.running = running
        self._lock = asyncio.Lock()

    async def __call__(self) -> None:
        async with self._lock:
            endpoint, old = self.running.http, self.running
            old.http = None  # kept across the reset
            await old.stop()
            for name in ("events.db", "events.db-wal", "events.db-shm"):
                (self.settings.data_dir / name).unlink(missing_ok=True)
            shutil.rmtree(self.settings.data_dir / "snapshots", ignore_errors=True)
            self.settings.credentials_path.unlink(missing_ok=True)
            self.running = await build_server(self.settings, serve_http=False)
            self.running.runner.fork_snapshots = old.runner.fork_snapshots  # as serve() set it
            self.running.http = endpoint
            if endpoint is not None and self.running.gateway is not None:
                endpoint.use(self.running.gateway)
            if endpoint is not None and self.running.outbound is not None:
                endpoint.outbound = self.running.outbound
                self.running.outbound.issuer_base = (self.settings.public_url
                                                     or endpoint.base_url(self.settings.http_listen))
            log.warning("DEVELOPMENT_RESET", note="the state was wiped (--dev-reset)")


async def serve(settings: Settings) -> None:
    """Run until SIGTERM/SIGINT, then shut down gracefully."""
    running = await build_server(settings)
    reset = None
    if settings.dev_reset and running.http is not None:
        log.warning("DEVELOPMENT_RESET_ENABLED", note="POST /moto-api/reset wipes all state: never in production")
        reset = DevReset(settings, running)
        running.http.reset = reset
    # What start-up built (the projection, compiled sets) lives as long as the process: keep it out
    # of the collector's full passes, which would otherwise walk it every few hundred calls.
    # (Only here, in the process's own entry: tests build many servers in one process.)
    gc.collect()
    gc.freeze()
    # Snapshots are written by a forked child, so their encoding never stops the serving loop
    # (projections/runner.py, save_in_child); again only here, in a process of one server.
    running.runner.fork_snapshots = hasattr(os, "fork")
    if running.runner.fork_snapshots:  # ignored (inherited so), the kernel would reap each child unseen
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    print(f"iamd listening on {settings.listen.rsplit(':', 1)[0]}:{running.port} "
          f"(account {running.account_id}, data in {settings.data_dir})\n"
          f"root credentials: {settings.credentials_path} (written on the first start, mode 0600)\n"
          f"  export IAMD_SHARED_CREDENTIALS_FILE={settings.credentials_path.resolve()}\n"
          f"audit digest key fingerprint: {running.digester.key.fingerprint} "
          f"(public key to pin: {running.digester.public_key_file})"
          + (f"\nAWS-compatible HTTP endpoint (IAM, STS, Organizations, CloudTrail, Access Analyzer ValidatePolicy): "
             f"aws --endpoint-url {'https' if settings.tls_cert else 'http'}://"
             f"{settings.http_listen.rsplit(':', 1)[0]}:{running.http.port}"
             if running.http is not None else "")
          + (f"\nPrometheus metrics: {'https' if settings.tls_cert else 'http'}://"
             f"{settings.metrics_listen.rsplit(':', 1)[0]}:{running.metrics_port}/metrics"
             if running.metrics_endpoint is not None else ""), flush=True)
    await stop.wait()
    log.info("iamd_stopping")
    await (reset.running if reset is not None else running).stop()
