"""Operators' view (issue 13): Prometheus metrics scraped over HTTP from a real iamd, the access
log a real iamd process writes, and the settings that turn them on and off."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from prometheus_client.parser import text_string_to_metric_families

from iamd.client.credentials import Credentials, SigningInterceptor, StreamSigningInterceptor
from iamd.projections.runner import ProjectionRunner
from iamd.v1 import audit_pb2 as aupb
from iamd.v1 import audit_pb2_grpc
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import authorization_pb2_grpc, identity_pb2_grpc
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import sts_pb2 as stspb
from iamd.v1 import sts_pb2_grpc
from iamd.service.config import Settings, parse_settings
from iamd.service.server import build_server

from .conftest import ACCOUNT, OffsetClock, root_credentials, start_iamd, stop_iamd
from .helpers import allow, deny, refused

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def _scrape(port: int) -> Samples:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def _until(check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "the condition never held"
        await asyncio.sleep(0.05)  # polling what another task does, not waiting for our own work


def _call(method: str, code: str, error: str = "", service: str = "IdentityService") -> dict[str, str]:
    return {"service": service, "method": method, "code": code, "error": error}


async def test_metrics_move_with_calls_decisions_appends_and_state(tmp_path: Path) -> None:
    iamd = await start_iamd(tmp_path / "data", metrics_listen="127.0.0.1:0")
    try:
        port = iamd.running.metrics_port
        assert port > 0
        before = await _scrape(port)
        assert _value(before, "iamd_serving") == 1.0
        assert _value(before, "iamd_projection_following") == 1.0
        assert _value(before, "iamd_authorize_decisions_total", rpc="Authorize", decision="Allow") == 0.0

        await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="alice"))
        await refused(iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="alice")),
                      grpc.StatusCode.ALREADY_EXISTS, "EntityAlreadyExists")
        async with iamd.connect(None) as unsigned:
            get_user = identity_pb2_grpc.IdentityServiceStub(unsigned).GetUser(ipb.GetUserRequest(user_name="alice"))
            await refused(get_user, grpc.StatusCode.UNAUTHENTICATED, "MissingAuthenticationToken")
            with pytest.raises(grpc.aio.AioRpcError) as stream_refused:
                async for _ in audit_pb2_grpc.AuditServiceStub(unsigned).WatchIdentityEvents(
                        aupb.WatchIdentityEventsRequest()):
                    pass
            assert stream_refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
        for name, document in (("read", allow("s3:GetObject")), ("no-delete", deny("s3:DeleteObject"))):
            policy = await iamd.iam.CreatePolicy(ipb.CreatePolicyRequest(policy_name=name, policy_document=document))
            attached = await iamd.iam.AttachPolicy(ipb.AttachPolicyRequest(
                target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="alice"), policy_arn=policy.policy.arn))

        def ask(action: str) -> apb.AuthorizeRequest:
            return apb.AuthorizeRequest(principal_arn=ALICE, action=action, resource="*",
                                        min_position=attached.position)
        assert (await iamd.authz.Authorize(ask("s3:GetObject"))).decision == apb.DECISION_ALLOW
        assert (await iamd.authz.Authorize(ask("s3:PutObject"))).decision == apb.DECISION_IMPLICIT_DENY
        batch = await iamd.authz.AuthorizeBatch(apb.AuthorizeBatchRequest(requests=[
            ask("s3:GetObject"), ask("s3:DeleteObject"), ask("s3:DeleteObject")]))
        assert [r.decision for r in batch.responses] == [apb.DECISION_ALLOW, apb.DECISION_EXPLICIT_DENY,
                                                         apb.DECISION_EXPLICIT_DENY]
        # A live stream the caller ends: counted when it ends, as CANCELLED.
        watch = audit_pb2_grpc.AuditServiceStub(iamd.channel).WatchIdentityEvents(aupb.WatchIdentityEventsRequest())
        await watch.read()
        watch.cancel()

        async def stream_counted() -> bool:
            samples = await _scrape(port)
            return _value(samples, "iamd_rpc_handled_total",
                          **_call("WatchIdentityEvents", "CANCELLED", service="AuditService")) == 1.0
        await _until(stream_counted)
        after = await _scrape(port)

        assert _value(after, "iamd_rpc_handled_total", **_call("CreateUser", "OK")) == 1.0
        assert _value(after, "iamd_rpc_handled_total",
                      **_call("CreateUser", "ALREADY_EXISTS", "EntityAlreadyExists")) == 1.0
        assert _value(after, "iamd_rpc_handled_total",
                      **_call("GetUser", "UNAUTHENTICATED", "MissingAuthenticationToken")) == 1.0
        assert _value(after, "iamd_rpc_handled_total", **_call(
            "WatchIdentityEvents", "UNAUTHENTICATED", "MissingAuthenticationToken", "AuditService")) == 1.0
        assert _value(after, "iamd_rpc_handled_total", **_call("Authorize", "OK", service="AuthorizationService")) == 2
        latency = {"service": "IdentityService", "method": "CreateUser", "code": "OK"}
        assert _value(after, "iamd_rpc_handling_seconds_count", **latency) == 1.0
        assert _value(after, "iamd_rpc_handling_seconds_sum", **latency) > 0
        assert _value(after, "iamd_rpc_handling_seconds_bucket", **latency, le="+Inf") == 1.0
        assert _value(after, "iamd_rpc_handling_seconds_count", service="IdentityService", method="CreateUser",
                      code="ALREADY_EXISTS") == 1.0

        decisions = {(rpc, d): _value(after, "iamd_authorize_decisions_total", rpc=rpc, decision=d)
                     for rpc in ("Authorize", "AuthorizeBatch") for d in ("Allow", "ExplicitDeny", "ImplicitDeny")}
        assert decisions == {("Authorize", "Allow"): 1, ("Authorize", "ExplicitDeny"): 0,
                             ("Authorize", "ImplicitDeny"): 1, ("AuthorizeBatch", "Allow"): 1,
                             ("AuthorizeBatch", "ExplicitDeny"): 2, ("AuthorizeBatch", "ImplicitDeny"): 0}

        position = iamd.running.projection.position
        assert position >= attached.position
        assert _value(after, "iamd_projection_position") == position
        assert _value(after, "iamd_projection_head_position") == position
        assert _value(after, "iamd_projection_lag_positions") == 0
        assert _value(after, "iamd_projection_stalled_seconds") == 0
        assert _value(after, "iamd_projection_events_applied_total") == iamd.running.projection.events_applied
        # Identity appends (the user, the policies, the attachments) and audit appends, all timed.
        assert _value(after, "iamd_event_store_append_seconds_count", stream="identity", result="ok") >= 5
        assert _value(after, "iamd_event_store_append_seconds_count", stream="audit", result="ok") >= 1
        assert _value(after, "iamd_audit_commit_seconds_count") >= 1
        assert _value(after, "iamd_audit_records_written_total") == iamd.running.audit.written > 0
        assert _value(after, "iamd_audit_queue_depth") == 0
        assert 0 <= _value(after, "iamd_audit_digest_age_seconds") < 120  # the start digest
        assert ("iamd_rpc_in_flight", frozenset()) in after
        assert _value(after, "iamd_serving") == 1.0

        # A projection that stops following: the gauges say so, and that iamd is not serving.
        iamd.running.runner._set_following(False, "a test stopped it")
        stalled = await _scrape(port)
        assert _value(stalled, "iamd_projection_following") == 0
        assert _value(stalled, "iamd_projection_stalled_seconds") > 0
        assert _value(stalled, "iamd_serving") == 0
        iamd.running.runner._set_following(True)
        assert _value(await _scrape(port), "iamd_serving") == 1
    finally:
        await stop_iamd(iamd)
    assert iamd.running.metrics is not None
    assert iamd.running.metrics.serving._value.get() == 0  # stopped: not serving


async def test_two_servers_in_one_process_keep_their_own_metrics(tmp_path: Path) -> None:
    first = await start_iamd(tmp_path / "one", metrics_listen="127.0.0.1:0")
    second = await start_iamd(tmp_path / "two", metrics_listen="127.0.0.1:0", http_listen="127.0.0.1:0")
    try:
        await first.iam.CreateUser(ipb.CreateUserRequest(user_name="only-here"))
        assert _value(await _scrape(first.running.metrics_port), "iamd_rpc_handled_total",
                      **_call("CreateUser", "OK")) == 1
        # The AWS-compatible HTTP endpoint's calls pass the same gate: counted the same way.
        assert second.running.http is not None
        async with aiohttp.ClientSession() as session, session.post(
                f"http://127.0.0.1:{second.running.http.port}/", data="Action=CreateUser&Version=2010-05-08&UserName=x",
                headers={"Content-Type": "application/x-www-form-urlencoded"}) as response:
            assert response.status == 403
        samples = await _scrape(second.running.metrics_port)
        assert _value(samples, "iamd_rpc_handled_total", **_call("CreateUser", "OK")) == 0
        assert _value(samples, "iamd_rpc_handled_total",
                      **_call("CreateUser", "UNAUTHENTICATED", "MissingAuthenticationToken")) == 1
    finally:
        await stop_iamd(second)
        await stop_iamd(first)


async def test_without_metrics_listen_nothing_is_served_or_counted(tmp_path: Path) -> None:
    iamd = await start_iamd(tmp_path / "data")
    try:
        assert iamd.running.metrics is None and iamd.running.metrics_port == 0
        assert iamd.running.gateway is not None and iamd.running.gateway.observer is None
        assert iamd.running.gateway.access_log  # on by default, at the default level (info)
    finally:
        await stop_iamd(iamd)
    # A level that drops info lines: the access log's are not even built.
    iamd = await start_iamd(tmp_path / "data", log_level="warning")
    try:
        assert iamd.running.gateway is not None and not iamd.running.gateway.access_log
    finally:
        await stop_iamd(iamd)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_not_serving_until_the_projection_has_caught_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = await start_iamd(tmp_path / "data")
    await first.iam.CreateUser(ipb.CreateUserRequest(user_name="alice"))
    await stop_iamd(first)

    catching_up, release = asyncio.Event(), asyncio.Event()
    catch_up = ProjectionRunner.start

    async def slow_catch_up(runner: ProjectionRunner) -> None:
        catching_up.set()
        await release.wait()
        await catch_up(runner)
    monkeypatch.setattr(ProjectionRunner, "start", slow_catch_up)
    port = _free_port()
    settings = Settings(listen=f"127.0.0.1:{port}", data_dir=tmp_path / "data", account_id=ACCOUNT,
                        shutdown_grace=2.0, metrics_listen="127.0.0.1:0")
    starting = asyncio.create_task(build_server(settings, clock=OffsetClock()))
    await catching_up.wait()
    check = health_pb2.HealthCheckRequest(service="iamd.v1.AuthorizationService")
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        with pytest.raises(grpc.aio.AioRpcError) as not_yet:  # the port is not open: nothing is served
            await health_pb2_grpc.HealthStub(channel).Check(check, timeout=1)
        assert not_yet.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
    release.set()
    running = await starting
    try:
        assert running.runner.caught_up.is_set() and running.runner.following
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:  # past the refused connection's backoff
            reply = await health_pb2_grpc.HealthStub(channel).Check(check, wait_for_ready=True, timeout=10)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
        assert _value(await _scrape(running.metrics_port), "iamd_serving") == 1
    finally:
        await running.stop()


def test_a_metrics_address_off_loopback_needs_tls_or_insecure() -> None:
    with pytest.raises(ValueError, match="without TLS"):
        Settings(metrics_listen="0.0.0.0:9464").check()
    with pytest.raises(ValueError, match="HOST:PORT"):
        Settings(metrics_listen="127.0.0.1").check()
    Settings(metrics_listen="0.0.0.0:9464", insecure=True).check()
    Settings(metrics_listen="[::1]:9464").check()
    Settings(metrics_listen="0.0.0.0:9464", tls_cert="c.pem", tls_key="k.pem").check()


def test_the_settings_come_from_flags_and_environment() -> None:
    assert parse_settings([], env={}).metrics_listen == "" and parse_settings([], env={}).access_log
    settings = parse_settings([], env={"IAMD_METRICS_LISTEN": "127.0.0.1:9464", "IAMD_ACCESS_LOG": "0"})
    assert settings.metrics_listen == "127.0.0.1:9464" and not settings.access_log
    assert parse_settings(["--access-log"], env={"IAMD_ACCESS_LOG": "false"}).access_log
    assert not parse_settings(["--no-access-log"], env={}).access_log
    with pytest.raises(SystemExit):
        parse_settings(["--metrics-listen", "0.0.0.0:9464"], env={})


# --- the access log, as a real iamd process writes it ----------------------------------------------

class _Recorded:
    """A request signer that remembers every header value it produced (the signatures)."""

    def __init__(self, signer: Callable[[str, bytes], list[tuple[str, str]]], seen: list[str]) -> None:
        self.signer = signer
        self.seen = seen

    def __call__(self, method: str, body: bytes) -> list[tuple[str, str]]:
        headers = self.signer(method, body)
        self.seen.extend(value for _, value in headers)
        return headers


def _recording_channel(target: str, credentials: Credentials, seen: list[str]) -> grpc.aio.Channel:
    interceptors: list[grpc.aio.ClientInterceptor] = [SigningInterceptor(credentials),
                                                      StreamSigningInterceptor(credentials)]
    for interceptor in interceptors:
        interceptor.signer = _Recorded(interceptor.signer, seen)  # type: ignore[attr-defined]
    return grpc.aio.insecure_channel(target, interceptors=interceptors)


def _spawn(data_dir: Path, port: int, log: Path, **env: str) -> subprocess.Popen[bytes]:
    with open(log, "ab") as stderr:
        return subprocess.Popen([sys.executable, "-m", "iamd.service", "--listen", f"127.0.0.1:{port}",
                                 "--data-dir", str(data_dir)], cwd=ROOT,
                                env={**os.environ, "IAMD_ACCOUNT_ID": ACCOUNT, "IAMD_LOG_LEVEL": "info", **env},
                                stdout=subprocess.DEVNULL, stderr=stderr)


async def _serving(target: str, proc: subprocess.Popen[bytes]) -> None:
    async with grpc.aio.insecure_channel(target) as channel:
        for _ in range(300):
            assert proc.poll() is None, "iamd exited"
            try:
                reply = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.aio.AioRpcError:
                pass
            await asyncio.sleep(0.1)  # polling a starting process
    raise AssertionError("iamd did not start")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0


def _access_lines(log: Path) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == "call_answered"]


async def test_one_access_log_line_per_call_without_secrets(tmp_path: Path) -> None:
    data, log, port = tmp_path / "data", tmp_path / "iamd.log", _free_port()
    target = f"127.0.0.1:{port}"
    proc = _spawn(data, port, log)
    signatures: list[str] = []
    try:
        await _serving(target, proc)
        root = root_credentials(data)
        async with _recording_channel(target, root, signatures) as channel:
            iam = identity_pb2_grpc.IdentityServiceStub(channel)
            await iam.CreateUser(ipb.CreateUserRequest(user_name="alice"))
            key = (await iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="alice"))).access_key
            await refused(iam.GetUser(ipb.GetUserRequest(user_name="nobody")), grpc.StatusCode.NOT_FOUND,
                          "NoSuchEntity")
        alice = Credentials(key.access_key_id, key.secret_access_key)
        async with _recording_channel(target, alice, signatures) as channel:  # alice has no policy
            session = (await sts_pb2_grpc.SecurityTokenServiceStub(channel).GetSessionToken(
                stspb.GetSessionTokenRequest())).credentials
            await refused(identity_pb2_grpc.IdentityServiceStub(channel).ListUsers(ipb.ListUsersRequest()),
                          grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
        temporary = Credentials(session.access_key_id, session.secret_access_key, session.session_token)
        async with _recording_channel(target, temporary, signatures) as channel:  # the token in the metadata
            await refused(identity_pb2_grpc.IdentityServiceStub(channel).ListUsers(ipb.ListUsersRequest()),
                          grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
        async with _recording_channel(target, root, signatures) as channel:  # the token in the request
            decided = await authorization_pb2_grpc.AuthorizationServiceStub(channel).Authorize(apb.AuthorizeRequest(
                session_token=session.session_token, action="s3:GetObject", resource="*"))
            assert decided.decision == apb.DECISION_IMPLICIT_DENY
        async with grpc.aio.insecure_channel(target) as channel:
            await refused(authorization_pb2_grpc.AuthorizationServiceStub(channel).Authorize(
                apb.AuthorizeRequest(principal_arn=ALICE, action="s3:GetObject", resource="*")),
                grpc.StatusCode.UNAUTHENTICATED, "MissingAuthenticationToken")
    finally:
        _stop(proc)

    lines = _access_lines(log)
    assert [(line["rpc"], line["code"], line["error"]) for line in lines] == [
        ("CreateUser", "OK", ""), ("CreateAccessKey", "OK", ""), ("GetUser", "NOT_FOUND", "NoSuchEntity"),
        ("GetSessionToken", "OK", ""), ("ListUsers", "PERMISSION_DENIED", "AccessDenied"),
        ("ListUsers", "PERMISSION_DENIED", "AccessDenied"), ("Authorize", "OK", ""),
        ("Authorize", "UNAUTHENTICATED", "MissingAuthenticationToken")]
    root_arn = f"arn:aws:iam::{ACCOUNT}:root"
    assert [line["caller"] for line in lines] == [root_arn] * 3 + [ALICE] * 3 + [root_arn, "unauthenticated"]
    for line in lines:
        assert set(line) == {"event", "rpc", "caller", "code", "error", "duration_ms", "request_id", "source_ip",
                             "level", "timestamp"}, line
        assert line["level"] == "info" and line["source_ip"] == "127.0.0.1"
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
        assert isinstance(line["request_id"], str) and len(line["request_id"]) == 36
    assert len({line["request_id"] for line in lines}) == len(lines)
    everything = log.read_text()
    signed = [value.rsplit("Signature=", 1)[1] for value in signatures if "Signature=" in value]
    assert len(signed) == 7  # the signed calls'
    secrets = [root.secret_access_key, key.secret_access_key, session.secret_access_key, session.session_token,
               *signed]
    for secret in secrets:
        assert secret not in everything

    # Turned off: no line, whatever the calls.
    quiet = tmp_path / "quiet.log"
    proc = _spawn(data, port, quiet, IAMD_ACCESS_LOG="0")
    try:
        await _serving(target, proc)
        async with _recording_channel(target, root, []) as channel:
            await identity_pb2_grpc.IdentityServiceStub(channel).GetUser(ipb.GetUserRequest(user_name="alice"))
    finally:
        _stop(proc)
    assert "iamd_started" in quiet.read_text() and _access_lines(quiet) == []
