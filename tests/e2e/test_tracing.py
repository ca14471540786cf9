"""Tracing (issue 13): a real iamd on a loopback port, its spans caught by the SDK's in-memory
exporter (the test hook of build_server), and the OTLP/gRPC export to a collector stub served here.

Never timings: what spans exist, what they say, whose children they are, and what they never say.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import botocore.session
import grpc
import pytest
from botocore.config import Config
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from iamd.client.credentials import Credentials, signing_interceptors
from iamd.service.config import Settings, parse_settings
from iamd.service.server import build_server
from iamd.v1 import audit_pb2, audit_pb2_grpc
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import authorization_pb2_grpc, identity_pb2_grpc, sts_pb2_grpc
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import sts_pb2 as stspb

from .conftest import ACCOUNT, Iamd, OffsetClock, root_credentials, start_iamd, stop_iamd
from .helpers import refused

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]

CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c"
CALLER_SPAN = "b7ad6b7169203331"
TRACEPARENT = f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"
MALFORMED = ("00-not-a-trace-01", f"00-{'0' * 32}-{CALLER_SPAN}-01", "garbage", f"ff-{CALLER_TRACE}-{CALLER_SPAN}-01")
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
# A policy whose text would be recognised anywhere it leaked.
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "TracingMarkerAllow", "Effect": "Allow",
     "Action": ["s3:GetObject", "sts:GetSessionToken", "sts:GetCallerIdentity"], "Resource": "*"},
    {"Sid": "TracingMarkerDeny", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]})


async def _start_traced(data_dir: Path, exporter: InMemorySpanExporter | None, **overrides: Any) -> Iamd:
    """start_iamd, with every span handed to `exporter` (tracing on whatever the settings)."""
    settings = Settings(listen="127.0.0.1:0", data_dir=data_dir, account_id=ACCOUNT, shutdown_grace=2.0,
                        **overrides)
    clock = OffsetClock()
    running = await build_server(settings, clock=clock, trace_exporter=exporter)
    root = root_credentials(data_dir)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}", interceptors=signing_interceptors(root))
    return Iamd(running, channel, identity_pb2_grpc.IdentityServiceStub(channel),
                authorization_pb2_grpc.AuthorizationServiceStub(channel),
                sts_pb2_grpc.SecurityTokenServiceStub(channel), data_dir, root, clock)


class _SentMetadata(grpc.aio.UnaryUnaryClientInterceptor):
    """Keeps the metadata each call was sent with (after signing): its signature, its token."""

    def __init__(self) -> None:
        self.sent: list[tuple[tuple[str, str], ...]] = []

    async def intercept_unary_unary(self, continuation, client_call_details, request):  # type: ignore[no-untyped-def]
        self.sent.append(tuple(client_call_details.metadata or ()))
        return await continuation(client_call_details, request)


def _server_spans(spans: Iterable[ReadableSpan], rpc: str) -> list[ReadableSpan]:
    return [s for s in spans if s.kind.name == "SERVER" and s.attributes.get("rpc.method") == rpc]


def _children(spans: Iterable[ReadableSpan], parent: ReadableSpan) -> list[ReadableSpan]:
    return [s for s in spans if s.parent is not None and s.parent.span_id == parent.context.span_id]


def _everything_said(span: ReadableSpan) -> str:
    """Every string a span carries to a collector."""
    parts = [span.name, span.status.description or "", *map(str, span.attributes.values()),
             *map(str, span.resource.attributes.values())]
    for event in span.events:
        parts += [event.name, *map(str, event.attributes.values())]
    return "\n".join(parts)


async def test_a_span_per_call_its_attributes_parents_children_and_never_a_secret(tmp_path: Path) -> None:
    exporter = InMemorySpanExporter()
    iamd = await _start_traced(tmp_path / "data", exporter, http_listen="127.0.0.1:0")
    sent = _SentMetadata()
    alice_channel = session_channel = None
    try:
        iam, authz = iamd.iam, iamd.authz
        await iam.CreateUser(ipb.CreateUserRequest(user_name="alice"), metadata=(("traceparent", TRACEPARENT),))
        await iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(target=pb.EntityRef(kind=pb.ENTITY_KIND_USER,
                                                                                 name="alice"),
                                                             policy_name="p", policy_document=POLICY))
        key = (await iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="alice"))).access_key
        alice = Credentials(key.access_key_id, key.secret_access_key)
        alice_channel = iamd.connect(alice)
        token = (await sts_pb2_grpc.SecurityTokenServiceStub(alice_channel).GetSessionToken(
            stspb.GetSessionTokenRequest(duration_seconds=900))).credentials
        session = Credentials(token.access_key_id, token.secret_access_key, token.session_token)
        # The session's calls, their signatures kept as sent.
        session_channel = grpc.aio.insecure_channel(iamd.target, interceptors=[*signing_interceptors(session),
                                                                               sent])
        who = await sts_pb2_grpc.SecurityTokenServiceStub(session_channel).GetCallerIdentity(
            stspb.GetCallerIdentityRequest(), metadata=(("traceparent", TRACEPARENT),
                                                        ("tracestate", "vendor=opaque")))
        assert who.arn == ALICE
        await refused(identity_pb2_grpc.IdentityServiceStub(session_channel).CreateUser(
            ipb.CreateUserRequest(user_name="mallory")), grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
        # Authorize's three decisions.
        decisions = {}
        for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"):
            answer = await authz.Authorize(apb.AuthorizeRequest(principal_arn=ALICE, action=action,
                                                                resource="arn:aws:s3:::b/k"))
            decisions[action] = apb.Decision.Name(answer.decision)
        assert decisions == {"s3:GetObject": "DECISION_ALLOW", "s3:PutObject": "DECISION_IMPLICIT_DENY",
                             "s3:DeleteObject": "DECISION_EXPLICIT_DENY"}
        # A malformed traceparent is ignored: the call is answered, in a trace of its own.
        for malformed in MALFORMED:
            got = await iam.GetUser(ipb.GetUserRequest(user_name="alice"),
                                    metadata=(("traceparent", malformed), ("tracestate", "x=y")))
            assert got.user.arn == ALICE
        # The AWS-compatible HTTP endpoint: the same gateway, the same span; traceparent as a header
        # added after signing (it is not signed, and need not be).
        assert iamd.running.http is not None
        client = botocore.session.get_session().create_client(
            "iam", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{iamd.running.http.port}",
            aws_access_key_id=iamd.root.access_key_id, aws_secret_access_key=iamd.root.secret_access_key,
            config=Config(retries={"max_attempts": 1}))
        client.meta.events.register("before-send.iam.GetUser",
                                    lambda request, **_: request.headers.__setitem__("traceparent", TRACEPARENT))
        over_http = await asyncio.to_thread(client.get_user, UserName="alice")
        assert over_http["User"]["Arn"] == ALICE
        # A server-streaming call: its span lasts until the stream ends (here: the caller leaves).
        feed = audit_pb2_grpc.AuditServiceStub(iamd.channel).WatchIdentityEvents(
            audit_pb2.WatchIdentityEventsRequest(), metadata=(("traceparent", TRACEPARENT),))
        assert (await feed.read()).position > 0
        feed.cancel()
    finally:
        for channel in (alice_channel, session_channel):
            if channel is not None:
                await channel.close()
        await stop_iamd(iamd)

    spans = exporter.get_finished_spans()
    server = [s for s in spans if s.kind.name == "SERVER"]
    # One server span per call: 3 by root, GetSessionToken, 2 by the session, 3 Authorize, 4 GetUser
    # with a malformed traceparent, 1 over HTTP, 1 stream.
    assert len(server) == 15, [s.name for s in server]

    created = _server_spans(spans, "CreateUser")[0]
    assert created.name == "iamd.v1.IdentityService/CreateUser"
    assert dict(created.attributes) == {
        "rpc.system": "grpc", "rpc.service": "iamd.v1.IdentityService", "rpc.method": "CreateUser",
        "rpc.grpc.status_code": 0, "iamd.request_id": created.attributes["iamd.request_id"],
        "client.address": "127.0.0.1", "iamd.caller.arn": f"arn:aws:iam::{ACCOUNT}:root"}
    assert re.fullmatch(r"[0-9a-f-]{36}", str(created.attributes["iamd.request_id"]))
    # A child of the caller's span, in the caller's trace.
    assert format(created.context.trace_id, "032x") == CALLER_TRACE
    assert created.parent is not None and format(created.parent.span_id, "016x") == CALLER_SPAN
    assert created.parent.is_remote
    assert created.resource.attributes["service.name"] == "iamd"
    # Its appends are spans of it; its record rides in its events, so it is not waited for.
    appends = [s for s in _children(spans, created) if s.name == "eventstore.append"]
    assert appends and all(s.attributes["iamd.eventstore.stream_kind"] == "identity" for s in appends)
    assert all(s.attributes["iamd.eventstore.result"] == "ok" and s.attributes["db.system.name"] == "sqlite"
               for s in appends)
    assert [s.name for s in _children(spans, created) if s.name.startswith("audit.")] == []

    identity = _server_spans(spans, "GetCallerIdentity")[0]
    assert identity.name == "iamd.v1.SecurityTokenService/GetCallerIdentity"
    assert identity.attributes["iamd.caller.arn"] == ALICE
    assert format(identity.context.trace_id, "032x") == CALLER_TRACE
    assert identity.parent is not None and identity.parent.trace_state.get("vendor") == "opaque"

    denied = [s for s in _server_spans(spans, "CreateUser") if s is not created]
    assert len(denied) == 1
    assert denied[0].attributes["iamd.error.code"] == "AccessDenied"
    assert denied[0].attributes["rpc.grpc.status_code"] == grpc.StatusCode.PERMISSION_DENIED.value[0]
    assert denied[0].attributes["iamd.caller.arn"] == ALICE
    assert denied[0].status.status_code.name == "UNSET"  # a refusal is the server working
    assert denied[0].parent is None  # no traceparent: a trace of its own

    authorized = _server_spans(spans, "Authorize")
    assert [s.attributes["iamd.authz.decision"] for s in authorized] == ["Allow", "ImplicitDeny", "ExplicitDeny"]
    assert authorized[0].name == "iamd.v1.AuthorizationService/Authorize"
    # A read-only call's record is waited for (durable mode): that wait is a span of the call.
    for span in authorized:
        waits = [s for s in _children(spans, span) if s.name == "audit.commit_wait"]
        assert len(waits) == 1

    got_user = [s for s in _server_spans(spans, "GetUser") if s.attributes["rpc.system"] == "grpc"]
    assert len(got_user) == len(MALFORMED)
    for span in got_user:
        assert span.parent is None and format(span.context.trace_id, "032x") != CALLER_TRACE
        assert span.attributes["rpc.grpc.status_code"] == 0

    http = [s for s in _server_spans(spans, "GetUser") if s.attributes["rpc.system"] == "aws-api"]
    assert len(http) == 1
    assert http[0].name == "iamd.v1.IdentityService/GetUser"
    assert http[0].attributes["rpc.service"] == "iamd.v1.IdentityService"
    assert http[0].attributes["iamd.caller.arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert http[0].parent is not None and format(http[0].parent.span_id, "016x") == CALLER_SPAN

    watched = _server_spans(spans, "WatchIdentityEvents")
    assert len(watched) == 1 and watched[0].name == "iamd.v1.AuditService/WatchIdentityEvents"
    assert watched[0].attributes["rpc.grpc.status_code"] == grpc.StatusCode.CANCELLED.value[0]
    assert watched[0].attributes["iamd.caller.arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert watched[0].parent is not None and format(watched[0].parent.span_id, "016x") == CALLER_SPAN

    # Never a secret: the secret keys, the session token, the signatures sent, the policy.
    signatures = [m.group(1) for metadata in sent.sent for name, value in metadata
                  for m in [re.search(r"Signature=([0-9a-f]{64})", value)] if m]
    tokens = [value for metadata in sent.sent for name, value in metadata if name == "x-amz-security-token"]
    assert len(signatures) == 2 and tokens == [session.session_token] * 2
    secrets = [alice.secret_access_key, session.secret_access_key, session.session_token, iamd.root.secret_access_key,
               *signatures, "TracingMarker", POLICY]
    for span in spans:
        said = _everything_said(span)
        for secret in secrets:
            assert secret not in said, (span.name, secret[:8])


async def test_a_caller_s_sampling_decision_is_followed(tmp_path: Path) -> None:
    exporter = InMemorySpanExporter()
    iamd = await _start_traced(tmp_path / "data", exporter, otel_sample_ratio=0.0)
    try:
        await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="kept"), metadata=(("traceparent", TRACEPARENT),))
        await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="dropped"))
        await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="unsampled"),
                                  metadata=(("traceparent", TRACEPARENT[:-2] + "00"),))
    finally:
        await stop_iamd(iamd)
    spans = exporter.get_finished_spans()
    server = [s for s in spans if s.kind.name == "SERVER"]
    assert len(server) == 1 and format(server[0].context.trace_id, "032x") == CALLER_TRACE
    # Only the kept call's children: nothing is traced for a call whose span is not recorded.
    assert {s.context.trace_id for s in spans} == {server[0].context.trace_id}
    assert _children(spans, server[0])


class _Collector(trace_service_pb2_grpc.TraceServiceServicer):
    """The smallest OTLP/gRPC trace collector: keeps what it is sent."""

    def __init__(self) -> None:
        self.requests: list[trace_service_pb2.ExportTraceServiceRequest] = []

    async def Export(self, request: trace_service_pb2.ExportTraceServiceRequest,  # noqa: N802
                     context: grpc.aio.ServicerContext) -> trace_service_pb2.ExportTraceServiceResponse:
        self.requests.append(request)
        return trace_service_pb2.ExportTraceServiceResponse()


async def test_otlp_export_to_a_collector_and_nothing_at_all_when_tracing_is_off(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    collector = _Collector()
    server = grpc.aio.server()
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(collector, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    endpoint = f"http://127.0.0.1:{port}"
    # OpenTelemetry's own variable, set for every process of a host, does not turn iamd's tracing on.
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
    try:
        assert parse_settings(["--data-dir", str(tmp_path / "x")]).otel_endpoint == ""
        off = await start_iamd(tmp_path / "off")
        try:
            assert off.running.tracing is None and off.running.gateway is not None
            assert off.running.gateway.tracer is None
            assert "invoke" not in vars(off.running.gateway)  # the untraced path, unchanged
            await off.iam.CreateUser(ipb.CreateUserRequest(user_name="alice"),
                                     metadata=(("traceparent", TRACEPARENT),))
        finally:
            await stop_iamd(off)
        assert collector.requests == []

        on = await start_iamd(tmp_path / "on", otel_endpoint=endpoint, otel_service_name="iamd-test")
        try:
            await on.iam.CreateUser(ipb.CreateUserRequest(user_name="alice"),
                                    metadata=(("traceparent", TRACEPARENT),))
        finally:
            await stop_iamd(on)  # the last batch is exported before stop returns
    finally:
        await server.stop(None)
    exported = [(resource, span) for request in collector.requests for resource in request.resource_spans
                for scope in resource.scope_spans for span in scope.spans]
    names = {span.name for _, span in exported}
    assert "iamd.v1.IdentityService/CreateUser" in names and "eventstore.append" in names
    created = next(span for _, span in exported if span.name == "iamd.v1.IdentityService/CreateUser")
    assert created.trace_id.hex() == CALLER_TRACE and created.parent_span_id.hex() == CALLER_SPAN
    assert created.kind == created.SPAN_KIND_SERVER
    attributes = {a.key: a.value for a in created.attributes}
    assert attributes["rpc.system"].string_value == "grpc"
    assert attributes["rpc.method"].string_value == "CreateUser"
    service_names = {a.value.string_value for resource, _ in exported for a in resource.resource.attributes
                     if a.key == "service.name"}
    assert service_names == {"iamd-test"}


def test_settings_flags_variables_and_refusals() -> None:
    given = parse_settings(["--otel-endpoint", "https://collector:4317", "--otel-sample-ratio", "0.25"], env={})
    assert (given.otel_endpoint, given.otel_sample_ratio, given.otel_service_name) == \
        ("https://collector:4317", 0.25, "iamd")
    from_env = parse_settings([], env={"IAMD_OTEL_ENDPOINT": "http://localhost:4317", "OTEL_SERVICE_NAME": "authz",
                                       "IAMD_OTEL_SAMPLE_RATIO": "0.5"})
    assert (from_env.otel_endpoint, from_env.otel_sample_ratio, from_env.otel_service_name) == \
        ("http://localhost:4317", 0.5, "authz")
    assert parse_settings([], env={"OTEL_SERVICE_NAME": "a", "IAMD_OTEL_SERVICE_NAME": "b"}).otel_service_name == "b"
    assert parse_settings([], env={}).otel_endpoint == ""  # off by default
    for bad in (["--otel-endpoint", "collector:4317"], ["--otel-sample-ratio", "1.5"]):
        with pytest.raises(SystemExit):
            parse_settings(bad, env={})


def test_tracing_without_its_packages_refuses_to_start_saying_what_to_install(tmp_path: Path) -> None:
    hide = ("import sys; sys.modules['opentelemetry'] = None; "  # as if `iamd[tracing]` were not installed
            "from iamd.service.__main__ import main; sys.exit(main(sys.argv[1:]))")
    done = subprocess.run([sys.executable, "-c", hide, "--data-dir", str(tmp_path / "data"),
                           "--otel-endpoint", "http://127.0.0.1:4317"],
                          capture_output=True, text=True, timeout=60, cwd=ROOT, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 78, done.stderr[-2000:]
    assert "pip install 'iamd[tracing]'" in done.stderr and "--otel-endpoint" in done.stderr
    assert not (tmp_path / "data" / "events.db").exists()  # refused before the log was opened
