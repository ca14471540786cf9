"""End to end: restarts rebuild exactly the state that was there; health, reflection, shutdown."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import authorization_pb2_grpc, identity_pb2_grpc
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb

from iamd.client.credentials import signing_interceptors

from .conftest import ACCOUNT, Iamd, root_credentials, start_iamd, stop_iamd
from .helpers import allow

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


async def _populate(iam: identity_pb2_grpc.IdentityServiceStub) -> int:
    await iam.CreateUser(ipb.CreateUserRequest(user_name="alice", tags=[pb.Tag(key="team", value="a")]))
    await iam.CreateGroup(ipb.CreateGroupRequest(group_name="g"))
    await iam.AddUserToGroup(ipb.AddUserToGroupRequest(group_name="g", user_name="alice"))
    arn = (await iam.CreatePolicy(ipb.CreatePolicyRequest(policy_name="P",
                                                          policy_document=allow("s3:GetObject")))).policy.arn
    return (await iam.AttachPolicy(ipb.AttachPolicyRequest(target=pb.EntityRef(kind=pb.ENTITY_KIND_GROUP, name="g"),
                                                           policy_arn=arn))).position


async def _state(iam: identity_pb2_grpc.IdentityServiceStub, authz: authorization_pb2_grpc.AuthorizationServiceStub,
                 position: int = 0) -> tuple:
    details = await iam.GetAccountAuthorizationDetails(ipb.GetAccountAuthorizationDetailsRequest())
    decisions = []
    for action in ("s3:GetObject", "s3:PutObject"):
        r = await authz.Authorize(apb.AuthorizeRequest(principal_arn=f"arn:aws:iam::{ACCOUNT}:user/alice",
                                                       action=action, resource="*", min_position=position))
        decisions.append(r.decision)
    return details.SerializeToString(deterministic=True), decisions


async def test_restart_from_snapshot_and_from_log_gives_the_same_state(tmp_path: Path) -> None:
    first = await start_iamd(tmp_path / "d")
    position = await _populate(first.iam)
    before = await _state(first.iam, first.authz, position)
    assert before[1] == [apb.DECISION_ALLOW, apb.DECISION_IMPLICIT_DENY]
    await stop_iamd(first)  # graceful: writes a snapshot
    snapshot = tmp_path / "d" / "snapshots" / "identity.snapshot"
    assert snapshot.exists()

    second = await start_iamd(tmp_path / "d")
    try:
        assert second.running.projection.position == position
        assert await _state(second.iam, second.authz) == before
    finally:
        await stop_iamd(second)

    snapshot.unlink()  # no snapshot: the whole state comes back from the log alone
    third = await start_iamd(tmp_path / "d")
    try:
        assert await _state(third.iam, third.authz) == before
    finally:
        await stop_iamd(third)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _wait_serving(target: str, proc: subprocess.Popen, data_dir: Path) -> grpc.aio.Channel:
    """Poll the (unsigned) health service, then return a channel signing as the root user."""
    health_channel = grpc.aio.insecure_channel(target)
    for _ in range(300):
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "iamd exited"
        try:
            reply = await health_pb2_grpc.HealthStub(health_channel).Check(health_pb2.HealthCheckRequest(),
                                                                           timeout=1)
            if reply.status == health_pb2.HealthCheckResponse.SERVING:
                await health_channel.close()
                return grpc.aio.insecure_channel(target, interceptors=signing_interceptors(root_credentials(data_dir)))
        except grpc.aio.AioRpcError:
            pass
        await asyncio.sleep(0.1)  # polling a starting process, not waiting for our own work
    raise AssertionError("iamd did not start")


def _spawn(data_dir: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "IAMD_ACCOUNT_ID": ACCOUNT, "IAMD_LOG_LEVEL": "warning"}
    return subprocess.Popen([sys.executable, "-m", "iamd.service", "--listen", f"127.0.0.1:{port}",
                             "--data-dir", str(data_dir)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def test_kill_9_loses_no_acknowledged_write(tmp_path: Path) -> None:
    port = _free_port()
    proc = _spawn(tmp_path / "d", port)
    try:
        channel = await _wait_serving(f"127.0.0.1:{port}", proc, tmp_path / "d")
        iam = identity_pb2_grpc.IdentityServiceStub(channel)
        authz = authorization_pb2_grpc.AuthorizationServiceStub(channel)
        position = await _populate(iam)
        before = await _state(iam, authz, position)
        await channel.close()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

    proc = _spawn(tmp_path / "d", port)
    try:
        channel = await _wait_serving(f"127.0.0.1:{port}", proc, tmp_path / "d")
        after = await _state(identity_pb2_grpc.IdentityServiceStub(channel),
                             authorization_pb2_grpc.AuthorizationServiceStub(channel))
        await channel.close()
        assert after == before
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0, "SIGTERM should shut iamd down cleanly"


async def test_health_and_reflection(iamd: Iamd) -> None:
    health = health_pb2_grpc.HealthStub(iamd.channel)
    for service in ("", "iamd.v1.IdentityService", "iamd.v1.AuthorizationService"):
        reply = await health.Check(health_pb2.HealthCheckRequest(service=service))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
    stub = reflection_pb2_grpc.ServerReflectionStub(iamd.channel)
    responses = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    async for response in responses:
        names = {s.name for s in response.list_services_response.service}
        assert {"iamd.v1.IdentityService", "iamd.v1.AuthorizationService", "grpc.health.v1.Health"} <= names
        break


GUARD = 30.0  # seconds: only so that a broken build fails instead of hanging; nothing is timed


async def _waiting_with_the_new_poll_interval(store: Any, subscribed: Any) -> None:
    """Return once the projection's subscription waits with the store's current poll interval:
    each subscription's wait began after it was set (a new wait registers a new event). Sleeping
    past the old interval instead assumed the subscription would have started its next wait by
    then; on a loaded machine it could still be reading, see the other process's write first,
    and the Authorize below would then never wait."""
    prefixes = subscribed.stream_prefixes if subscribed.stream_prefixes and not subscribed.event_types else None
    signal_ = store._commits
    with signal_._lock:
        before = {event for _, event, _ in signal_._waiters}
    deadline = asyncio.get_running_loop().time() + GUARD
    while True:
        with signal_._lock:
            waiters = list(signal_._waiters)
        if waiters and all(event not in before for _, event, _ in waiters) \
                and any(p == prefixes for _, _, p in waiters):
            return
        assert asyncio.get_running_loop().time() < deadline, "the subscription never began a new wait"
        await asyncio.sleep(0.01)


async def test_graceful_shutdown_goes_not_serving_and_finishes_in_flight_calls(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from iamd.service.app import authorize
    from iamd.service.domain.events import UPCASTERS
    from iamd.service.eventstore import EventCodec
    from iamd.service.eventstore.port import NewEvent, StreamState
    from iamd.service.eventstore.sqlite import SqliteEventStore

    # The grace only bounds the drain (a stop returns once the calls are done): the default 2 s
    # could run out on a loaded machine before the in-flight call below is answered.
    server = await start_iamd(tmp_path / "d")
    server.running.grace = GUARD
    # Likewise the in-flight Authorize's own wait for its position (5 s): it must last until this
    # test's write below wakes the projection, however slowly the steps before it run.
    monkeypatch.setattr(authorize, "WAIT_TIMEOUT", GUARD)
    await server.iam.CreateUser(ipb.CreateUserRequest(user_name="alice"))
    # Another process sharing the log writes a group; this server learns of it only by polling,
    # which is slowed down here so that an Authorize waiting for that write is certainly in flight.
    store = server.running.store
    store._poll_interval = 60.0
    await _waiting_with_the_new_poll_interval(store, server.running.runner.filter)
    other = SqliteEventStore(str(tmp_path / "d" / "events.db"), EventCodec(UPCASTERS))
    written = await other.append("group-123456789012-late", [NewEvent("GroupCreated", {
        "name": "late", "id": "AGPALATE", "arn": f"arn:aws:iam::{ACCOUNT}:group/late", "path": "/",
        "created_at": "2026-11-22T00:00:00Z"})], StreamState.NO_STREAM)
    await other.close()
    head = written.position - 1
    in_flight = asyncio.ensure_future(server.authz.Authorize(apb.AuthorizeRequest(
        principal_arn=f"arn:aws:iam::{ACCOUNT}:user/alice", action="s3:GetObject", resource="*",
        min_position=written.position)))
    deadline = asyncio.get_running_loop().time() + GUARD
    while server.running.runner.pending_waits == 0:
        assert not in_flight.done(), f"the Authorize did not wait for the other process's write: {in_flight}"
        assert asyncio.get_running_loop().time() < deadline, "the Authorize never waited for its position"
        await asyncio.sleep(0.01)
    stopping = asyncio.ensure_future(server.running.stop())
    # Once stopping, the server refuses new calls, so ask its health servicer in-process.
    servicer = server.running.health
    deadline = asyncio.get_running_loop().time() + GUARD
    while (await servicer.Check(health_pb2.HealthCheckRequest(), None)).status \
            == health_pb2.HealthCheckResponse.SERVING:
        assert asyncio.get_running_loop().time() < deadline, "a stopping server still says SERVING"
        await asyncio.sleep(0.01)
    # A write of this server's own while it drains wakes its projection, which then sees both.
    await server.running.store.append("group-123456789012-later", [NewEvent("GroupCreated", {
        "name": "later", "id": "AGPALATER", "arn": f"arn:aws:iam::{ACCOUNT}:group/later", "path": "/",
        "created_at": "2026-11-22T00:00:00Z"})], StreamState.NO_STREAM)
    answer = await in_flight
    assert answer.decision == apb.DECISION_IMPLICIT_DENY and answer.evaluated_at_position > head
    await stopping
    await server.channel.close()
    restarted = await start_iamd(tmp_path / "d")
    try:
        got = await restarted.iam.GetGroup(ipb.GetGroupRequest(group_name="late"))
        assert got.group.group_id == "AGPALATE"
    finally:
        await stop_iamd(restarted)
