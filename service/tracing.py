"""OpenTelemetry tracing (--otel-endpoint): one server span per call, W3C trace context in, OTLP out.

Off by default, and then nothing of this module is imported: the composition root builds a
`Tracing` only when asked to, and the gateway, the audit writer and the event store know nothing
of OpenTelemetry. It hands them what this module makes, as it hands them the metrics' hooks:

- the gateway a `CallTracer` (its `tracer`): one SERVER span per call, named after the RPC
  (`iamd.v1.AuthorizationService/Authorize`), a child of the caller's trace when the call carries a
  valid W3C `traceparent` (gRPC metadata or HTTP header; `tracestate` with it), a new trace
  otherwise: a malformed one is ignored, never a refusal;
- the gateway's audit writer wrapped (`TracedAuditWrites`): a child span around handing the call's
  record over, which in durable mode is the wait for its group commit;
- the event store wrapped (`TracedAppends`): a child span around every append made inside a traced
  call (the audit writer's and the digester's own tasks append outside any call: no span).

What a span says is listed in docs/operations.md ("Tracing"): the RPC's semantic-convention
attributes, the request id, the caller's ARN once authenticated, the IAM error code of a refusal,
Authorize's decision. Never a request's content, a signature, a key, a token or a policy: nothing
here reads a request, only what the gateway already knows of the call.

Each server gets its own TracerProvider (tests build several in one process); none is installed
as OpenTelemetry's global one.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import grpc
import structlog

from iamd.service.audit.digest import DIGEST_STREAM
from iamd.service.audit.writer import AUDIT_STREAM_PREFIX
from iamd.service.config import Settings, StartRefusedError
from iamd.service.eventstore.errors import WrongExpectedVersion
from iamd.service.eventstore.port import AppendResult, EventFilter, EventStore, ExpectedVersion, NewEvent

try:
    from opentelemetry import context as otel_context
    from opentelemetry import trace
    from opentelemetry.context import Context
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
    from opentelemetry.trace import SpanKind, Status, StatusCode
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
except ImportError as missing:  # the optional extra is not installed
    _MISSING: ImportError | None = missing
else:
    _MISSING = None

if TYPE_CHECKING:
    from iamd.service.audit.record import DecisionFact
    from iamd.service.audit.writer import AuditWriter
    from iamd.service.rpc.messages import Method

log = structlog.get_logger(__name__)

INSTRUMENTATION = "iamd"
DECISIONS = {"DECISION_ALLOW": "Allow", "DECISION_EXPLICIT_DENY": "ExplicitDeny",
             "DECISION_IMPLICIT_DENY": "ImplicitDeny"}
# OpenTelemetry's RPC conventions: a server span's status is Error only for these gRPC codes; a
# refusal of the caller's request (INVALID_ARGUMENT, PERMISSION_DENIED, ...) is the server working.
_SERVER_ERRORS = frozenset({grpc.StatusCode.UNKNOWN, grpc.StatusCode.DEADLINE_EXCEEDED,
                            grpc.StatusCode.UNIMPLEMENTED, grpc.StatusCode.INTERNAL,
                            grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DATA_LOSS})
CLOSE_SECONDS = 3.0  # at a shutdown, the longest the last spans' export is waited for
NOT_INSTALLED = ("tracing (--otel-endpoint / IAMD_OTEL_ENDPOINT) needs the OpenTelemetry packages, which are "
                 "not installed: pip install 'iamd[tracing]' (opentelemetry-api, -sdk, "
                 "-exporter-otlp-proto-grpc), or start without --otel-endpoint")


def require_packages() -> None:
    """Refuse a start that asks for tracing without the packages, saying which to install."""
    if _MISSING is not None:
        raise StartRefusedError(f"{NOT_INSTALLED} ({_MISSING})")


class Tracing:
    """One server's tracer provider, and the hooks the composition root hands out."""

    def __init__(self, processor: SpanProcessor, *, service_name: str = "iamd", sample_ratio: float = 1.0,
                 store_system: str = "") -> None:
        require_packages()
        from importlib.metadata import PackageNotFoundError, version

        try:
            service_version = version("iamd")
        except PackageNotFoundError:  # pragma: no cover — running from a tree that is not installed
            service_version = "unknown"
        # Resource.create also reads OTEL_RESOURCE_ATTRIBUTES (a deployment's own attributes);
        # the service name given here wins over any in it.
        resource = Resource.create({"service.name": service_name, "service.version": service_version})
        # A caller's sampling decision (the traceparent's flag) is followed; a trace iamd starts
        # is kept with the configured probability.
        self.provider = TracerProvider(sampler=ParentBased(TraceIdRatioBased(sample_ratio)), resource=resource,
                                       shutdown_on_exit=False)
        self.provider.add_span_processor(processor)
        self.tracer = self.provider.get_tracer(INSTRUMENTATION, service_version)
        self.calls = CallTracer(self.tracer)
        self.store_system = store_system

    @classmethod
    def from_settings(cls, settings: Settings, exporter: SpanExporter | None = None) -> Tracing:
        """OTLP/gRPC to settings.otel_endpoint, in batches from a thread of the SDK's; or, for
        tests, every span handed to `exporter` as it ends."""
        require_packages()
        if exporter is None:
            try:
                from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
            except ImportError as e:  # the API and SDK without the exporter
                raise StartRefusedError(f"{NOT_INSTALLED} ({e})") from e
            # The endpoint as OTEL_EXPORTER_OTLP_ENDPOINT has it for gRPC (http://: plaintext,
            # https://: TLS); headers, certificates, timeout and compression are OpenTelemetry's
            # own OTEL_EXPORTER_OTLP_* variables, which the exporter reads itself.
            processor: SpanProcessor = BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otel_endpoint))
        else:
            processor = SimpleSpanProcessor(exporter)
        scheme = settings.event_store_uri.split(":", 1)[0]
        return cls(processor, service_name=settings.otel_service_name, sample_ratio=settings.otel_sample_ratio,
                   store_system="sqlite" if scheme == "sqlite" else "memory" if scheme == "memory" else "kurrentdb")

    def traced_store(self, store: EventStore, identity: EventFilter) -> TracedAppends:
        return TracedAppends(store, self.tracer, identity, self.store_system)

    def traced_writer(self, writer: AuditWriter) -> TracedAuditWrites:
        return TracedAuditWrites(writer, self.tracer)

    async def close(self, limit: float = CLOSE_SECONDS) -> None:
        """Export what is pending and stop, waiting at most `limit` seconds: a collector that cannot
        be reached must not hold a shutdown for the exporter's retries. The SDK's shutdown blocks,
        so it runs in a daemon thread of its own (not the loop's executor, which asyncio.run would
        wait for at exit)."""
        loop = asyncio.get_running_loop()
        done = loop.create_future()

        def shut() -> None:
            try:
                self.provider.shutdown()
            finally:
                with contextlib.suppress(RuntimeError):  # the loop is gone: nobody waits any more
                    loop.call_soon_threadsafe(lambda: done.done() or done.set_result(None))

        threading.Thread(target=shut, name="otel-shutdown", daemon=True).start()
        try:
            await asyncio.wait_for(done, limit)
        except TimeoutError:
            log.warning("tracing_spans_not_exported", note=f"the collector did not take the last spans within "
                                                           f"{limit:g} s; they are dropped")


class CallSpan:
    """The server span of one call, current (a parent of its child spans) until `end`."""

    __slots__ = ("span", "_token")

    def __init__(self, span: Any, token: object | None) -> None:
        self.span = span
        self._token = token

    def end(self, code: grpc.StatusCode, error: str, caller_arn: str | None,
            decisions: Sequence[DecisionFact] | None) -> None:
        span = self.span
        try:
            if span.is_recording():
                said: dict[str, str | int] = {"rpc.grpc.status_code": code.value[0]}
                if caller_arn:
                    said["iamd.caller.arn"] = caller_arn
                if error:
                    said["iamd.error.code"] = error
                if decisions:
                    if len(decisions) == 1:
                        said["iamd.authz.decision"] = DECISIONS.get(decisions[0][0], decisions[0][0])
                    else:  # AuthorizeBatch: how many of each
                        said["iamd.authz.decisions"] = len(decisions)
                        for name, label in DECISIONS.items():
                            said[f"iamd.authz.decisions.{label}"] = sum(1 for d in decisions if d[0] == name)
                span.set_attributes(said)
                if code in _SERVER_ERRORS:
                    span.set_status(Status(StatusCode.ERROR, error or code.name))
            span.end()
        finally:
            if self._token is not None:
                otel_context.detach(self._token)
                structlog.contextvars.unbind_contextvars("trace_id", "span_id")


class CallTracer:
    """Starts a call's server span (CallGateway's `tracer`)."""

    def __init__(self, tracer: Any) -> None:
        self.tracer = tracer
        self.propagator = TraceContextTextMapPropagator()
        self._names: dict[str, tuple[str, str]] = {}  # by method path: (span name, rpc.service)

    def start(self, method: Method, metadata: Mapping[str, str], request_id: str, request_keys: Mapping[str, str],
              http: bool, current: bool = True) -> CallSpan:
        """`metadata`: the call's gRPC metadata or HTTP headers, by lower-case name. `current`: make
        the span the parent of what the call does next in this context (not for a stream, whose
        generator may be resumed in other contexts)."""
        names = self._names.get(method.path)
        if names is None:
            name = method.path[1:]
            names = self._names[method.path] = (name, name.rsplit("/", 1)[0])
        # An invalid or absent traceparent gives an empty context: a new trace.
        parent = self.propagator.extract(metadata, Context()) if "traceparent" in metadata else Context()
        span = self.tracer.start_span(names[0], parent, SpanKind.SERVER, {
            # Over the AWS-compatible HTTP endpoint the call is AWS's API; over gRPC, gRPC. Either
            # way rpc.service and rpc.method are the iamd RPC that served it.
            "rpc.system": "aws-api" if http else "grpc",
            "rpc.service": names[1],
            "rpc.method": method.rpc,
            "iamd.request_id": request_id,
            "client.address": request_keys.get("aws:SourceIp", ""),
        })
        token = None
        if current:
            token = otel_context.attach(trace.set_span_in_context(span, parent))
            context = span.get_span_context()
            if context.is_valid:  # every log line of the call names its trace
                structlog.contextvars.bind_contextvars(trace_id=format(context.trace_id, "032x"),
                                                       span_id=format(context.span_id, "016x"))
        return CallSpan(span, token)


def _in_a_traced_call() -> bool:
    return trace.get_current_span().is_recording()


class TracedAuditWrites:
    """The gateway's audit writer, its `write` in a child span of the call when the answer waits
    for the record's group commit (durable mode; a full queue's back-pressure is in it too)."""

    def __init__(self, writer: AuditWriter, tracer: Any) -> None:
        self.inner = writer
        self._tracer = tracer

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def write(self, record: dict[str, Any], *, wait: bool = True) -> None:
        # A record only queued (its call's events carry its facts, or async durability) takes
        # microseconds, less than a span would cost: only a wait for the commit is one.
        if not (wait and self.inner.durable) or not _in_a_traced_call():
            return await self.inner.write(record, wait=wait)
        with self._tracer.start_as_current_span("audit.commit_wait", record_exception=False):
            await self.inner.write(record, wait=wait)


class TracedAppends:
    """An event store whose appends made inside a traced call are child spans of it."""

    def __init__(self, store: EventStore, tracer: Any, identity: EventFilter, system: str) -> None:
        self.inner = store
        self._tracer = tracer
        self._identity = identity.stream_prefixes
        self._system = system

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def append(self, stream: str, events: Sequence[NewEvent], expected: ExpectedVersion) -> AppendResult:
        if not _in_a_traced_call():
            return await self.inner.append(stream, events, expected)
        # The kind of stream, not its name: a stream's name holds an entity's name or id.
        kind = ("identity" if stream.startswith(self._identity) else "audit" if stream.startswith(AUDIT_STREAM_PREFIX)
                else "audit_digest" if stream == DIGEST_STREAM else "other")
        with self._tracer.start_as_current_span(
                "eventstore.append", kind=SpanKind.CLIENT if self._system == "kurrentdb" else SpanKind.INTERNAL,
                attributes={"db.system.name": self._system, "db.operation.name": "append",
                            "iamd.eventstore.stream_kind": kind, "iamd.eventstore.events": len(events)},
                record_exception=False, set_status_on_exception=False) as span:
            try:
                result = await self.inner.append(stream, events, expected)
            except WrongExpectedVersion:  # a concurrent writer: the use case retries
                span.set_attribute("iamd.eventstore.result", "conflict")
                raise
            except BaseException as e:
                span.set_attribute("iamd.eventstore.result", "error")
                span.set_status(Status(StatusCode.ERROR, type(e).__name__))
                raise
            span.set_attribute("iamd.eventstore.result", "ok")
            span.set_attribute("iamd.eventstore.position", result.position)
            return result
