"""Prometheus metrics (--metrics-listen): the instruments, what feeds them, and the /metrics endpoint.

One CollectorRegistry per server, built by the composition root: several iamd servers in one
process (the tests) each export their own, and nothing goes to prometheus_client's global one.
What changes per call (calls, decisions, appends, audit commits) is counted through label
children bound once and kept in dicts; what the service already keeps (the projection's position,
the audit queue, the last digest, ...) is read only when /metrics is scraped. The gateway, the
audit writer and the event store know nothing of Prometheus: the composition root hands them
this module's hooks (CallGateway's `observer`, AuditWriter.on_batch, TimedAppends).
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import grpc
import structlog
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

from iamd.service.audit.digest import DIGEST_STREAM
from iamd.service.audit.writer import AUDIT_STREAM_PREFIX
from iamd.service.eventstore.errors import WrongExpectedVersion
from iamd.service.eventstore.port import AppendResult, EventFilter, EventStore, ExpectedVersion, NewEvent
from iamd.service.log_config import dropped_log_lines

if TYPE_CHECKING:
    from aiohttp import web

    from iamd.projections.runner import ProjectionRunner
    from iamd.service.app.ports import Clock
    from iamd.service.audit.digester import Digester
    from iamd.service.audit.record import DecisionFact
    from iamd.service.audit.writer import AuditWriter
    from iamd.service.rpc.gateway import CallGateway
    from iamd.service.rpc.messages import Method

log = structlog.get_logger(__name__)

# From a cached Authorize (~0.1 ms) to a call waiting out a store outage (~10 s).
LATENCY_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                   1.0, 2.5, 5.0, 10.0)
DECISION_LABELS = {"DECISION_ALLOW": "Allow", "DECISION_EXPLICIT_DENY": "ExplicitDeny",
                   "DECISION_IMPLICIT_DENY": "ImplicitDeny"}
DECIDING_RPCS = ("Authorize", "AuthorizeBatch")
APPEND_RESULTS = ("ok", "conflict", "error")


class Metrics:
    """Every iamd metric of one server, in its own registry."""

    def __init__(self) -> None:
        # No `*_created` series: one more per label set, of use to few queries. A process-wide
        # switch of prometheus_client's; iamd is the process.
        disable_created_metrics()
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self._calls = Counter("iamd_rpc_handled", "Calls answered, by RPC, gRPC status and IAM error code "
                              "(empty when none)", ("service", "method", "code", "error"), registry=r)
        self._latency = Histogram("iamd_rpc_handling_seconds", "Time from a call's arrival at the gateway to its "
                                  "answer, by RPC and gRPC status", ("service", "method", "code"),
                                  buckets=LATENCY_BUCKETS, registry=r)
        decisions = Counter("iamd_authorize_decisions", "Decisions given by Authorize and AuthorizeBatch "
                            "(each item of a batch), by outcome", ("rpc", "decision"), registry=r)
        self._appends = Histogram("iamd_event_store_append_seconds", "Event store appends, by kind of stream and "
                                  "result (ok, conflict: a wrong expected version, error)", ("stream", "result"),
                                  buckets=LATENCY_BUCKETS, registry=r)
        audit_commit = Histogram("iamd_audit_commit_seconds", "Time to commit one batch of audit records (the "
                                 "records queued together, group-committed)", buckets=LATENCY_BUCKETS, registry=r)
        self.audit_commit = audit_commit.observe
        self.serving = Gauge("iamd_serving", "1 while gRPC health says SERVING, else 0", registry=r)
        # INVARIANT: bound once; a call costs two dict lookups, an inc and an observe.
        self._by_method: dict[str, dict[str, tuple[Any, Any]]] = {}
        self._decisions = {rpc: {name: decisions.labels(rpc, label) for name, label in DECISION_LABELS.items()}
                           for rpc in DECIDING_RPCS}
        self._append_children = {kind: {result: self._appends.labels(kind, result) for result in APPEND_RESULTS}
                                 for kind in ("identity", "audit", "audit_digest", "other")}
        self.identity_head = 0  # the highest position this process appended an identity event at
        self.state = _StateCollector(self)
        r.register(self.state)
        ProcessCollector(registry=r)

    # -- hooks, on the hot path --------------------------------------------------------------------

    def call_finished(self, method: Method, code: grpc.StatusCode, error: str, seconds: float) -> None:
        """One call answered (CallGateway's observer)."""
        children = self._by_method.get(method.path)
        if children is None:
            children = self._by_method[method.path] = {}
        # IAM codes (CamelCase) and gRPC status names (UPPER_CASE) never collide.
        bound = children.get(error or code.name)
        if bound is None:
            bound = children[error or code.name] = (
                self._calls.labels(method.service, method.rpc, code.name, error),
                self._latency.labels(method.service, method.rpc, code.name))
        bound[0].inc()
        bound[1].observe(seconds)

    def decided(self, rpc: str, decisions: Sequence[DecisionFact]) -> None:
        """The decisions an answered Authorize or AuthorizeBatch gave (CallGateway's observer)."""
        children = self._decisions.get(rpc)
        if children is None:
            return
        if len(decisions) == 1:
            children[decisions[0][0]].inc()
            return
        counts: dict[str, int] = {}
        for fact in decisions:
            counts[fact[0]] = counts.get(fact[0], 0) + 1
        for name, count in counts.items():
            children[name].inc(count)

    def timed(self, store: EventStore, identity: EventFilter) -> TimedAppends:
        return TimedAppends(store, self, identity)

    def watch(self, *, runner: ProjectionRunner, audit: AuditWriter, digester: Digester, gateway: CallGateway,
              clock: Clock) -> None:
        """The parts read at scrape time."""
        self.state.runner, self.state.audit, self.state.digester = runner, audit, digester
        self.state.gateway, self.state.clock = gateway, clock
        audit.on_batch.append(self.audit_commit)


class TimedAppends:
    """An event store whose appends are timed, everything else being the store's own. Its
    identity appends also tell the projection's head: the newest position this process knows to
    hold an identity event, without reading the store for it."""

    def __init__(self, store: EventStore, metrics: Metrics, identity: EventFilter) -> None:
        self.inner = store
        self._metrics = metrics
        self._identity = identity.stream_prefixes
        self._children = metrics._append_children

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def append(self, stream: str, events: Sequence[NewEvent], expected: ExpectedVersion) -> AppendResult:
        started = time.perf_counter()
        kind = ("identity" if stream.startswith(self._identity) else "audit" if stream.startswith(AUDIT_STREAM_PREFIX)
                else "audit_digest" if stream == DIGEST_STREAM else "other")
        try:
            result = await self.inner.append(stream, events, expected)
        except WrongExpectedVersion:
            self._children[kind]["conflict"].observe(time.perf_counter() - started)
            raise
        except BaseException:
            self._children[kind]["error"].observe(time.perf_counter() - started)
            raise
        self._children[kind]["ok"].observe(time.perf_counter() - started)
        if kind == "identity" and result.position > self._metrics.identity_head:
            self._metrics.identity_head = result.position
        return result


class _StateCollector(Collector):
    """What the service keeps anyway, read when scraped."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self.runner: ProjectionRunner | None = None
        self.audit: AuditWriter | None = None
        self.digester: Digester | None = None
        self.gateway: CallGateway | None = None
        self.clock: Clock | None = None

    def describe(self) -> Iterator[Metric]:
        return iter(())  # not known before the parts are watched; collected on each scrape

    def collect(self) -> Iterator[Metric]:
        if self.gateway is not None:
            yield _gauge("iamd_rpc_in_flight", "Calls being served now", self.gateway.in_flight)
        runner = self.runner
        if runner is not None:
            position = runner.projection.position
            head = max(self.metrics.identity_head, position)
            yield _gauge("iamd_projection_position", "Log position the identity projection has applied", position)
            yield _gauge("iamd_projection_head_position", "Newest log position known to hold an identity event "
                         "(this process's own appends, or what the projection applied)", head)
            yield _gauge("iamd_projection_lag_positions", "Head minus position: log positions not applied yet "
                         "(events on SQLite; commit-position units on KurrentDB)", head - position)
            yield _gauge("iamd_projection_following", "1 while the projection follows the live log", runner.following)
            yield _gauge("iamd_projection_stalled_seconds", "Seconds since the projection stopped following the "
                         "live log (0 while it follows)", runner.stalled_for())
            yield _counter("iamd_projection_events_applied", "Events the projection has applied (a snapshot's "
                           "included)", runner.projection.events_applied)
            yield _counter("iamd_projection_resubscriptions", "Live subscriptions replaced since the start",
                           runner.resubscriptions)
            yield _counter("iamd_projection_snapshot_failures", "Snapshots that could not be written since the "
                           "start (the log still has everything; the next start replays more)",
                           runner.snapshot_failures)
        if self.audit is not None:
            yield _gauge("iamd_audit_queue_depth", "Audit records waiting to be committed", self.audit.queue_depth)
            yield _counter("iamd_audit_records_written", "Audit records committed", self.audit.written)
            yield _counter("iamd_audit_record_failures", "Audit records whose append failed", self.audit.failed)
        if self.digester is not None and self.clock is not None and self.digester.last_digest_time:
            age = (self.clock.now() - datetime.fromisoformat(self.digester.last_digest_time)).total_seconds()
            yield _gauge("iamd_audit_digest_age_seconds", "Seconds since the end time of the newest audit digest "
                         "this process wrote or saw another replica write", max(age, 0.0))
        yield _counter("iamd_log_lines_dropped", "Log lines that could not be written (stderr full or closed)",
                       dropped_log_lines())


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=float(value))


def _counter(name: str, documentation: str, value: float) -> CounterMetricFamily:
    return CounterMetricFamily(name, documentation, value=float(value))


class MetricsEndpoint:
    """GET /metrics over HTTP (HTTPS when iamd has TLS), on the event loop: a scrape renders what
    is there; nothing is read from the store."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self, listen: str, ssl_context: ssl.SSLContext | None = None) -> int:
        """Listen on HOST:PORT (port 0: any free one); returns the port."""
        from aiohttp import web

        from iamd.service.http.listen import serve_app

        app = web.Application()
        app.router.add_get("/metrics", self.handle)
        self._runner, self.port = await serve_app(app, listen, ssl_context)
        log.info("metrics_endpoint_started", listen=listen, port=self.port)
        return self.port

    async def handle(self, request: web.Request) -> web.Response:
        from aiohttp import web

        encode, content_type = choose_encoder(request.headers.get("Accept", ""))
        return web.Response(body=encode(self.registry), headers={"Content-Type": content_type})

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

