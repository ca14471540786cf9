"""Authorize over real gRPC on loopback against the in-process decision, same principal, same run."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

import grpc

from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import authorization_pb2_grpc, identity_pb2_grpc
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.client.credentials import resolve_credentials, signing_interceptors
from iamd.projections.principals import PrincipalPolicyCache
from iamd.service.app.authorize import Authorizer, AuthorizeQuery
from iamd.service.app.ports import SystemClock
from iamd.service.audit.writer import AuditWriter
from iamd.service.config import Settings
from iamd.service.server import build_server

ACCOUNT = "123456789012"


def root_credentials(data_dir: Path):  # type: ignore[no-untyped-def]
    return resolve_credentials(env={"IAMD_SHARED_CREDENTIALS_FILE": str(data_dir / "root-credentials")})


def _doc(i: int) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": [f"svc{i}:Get*", f"svc{i}:List*"], "Resource": f"arn:aws:svc{i}:::r/*"},
        {"Effect": "Deny", "Action": f"svc{i}:Delete*", "Resource": "*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})


class NoOpAuditWriter(AuditWriter):
    """The benchmark's baseline sink: takes records and keeps none (never used by iamd itself)."""

    def __init__(self) -> None:
        super().__init__(store=None, durable=False)  # type: ignore[arg-type]

    def start(self) -> None:
        pass

    async def write(self, record: dict[str, Any]) -> None:
        self.written += 1

    async def stop(self) -> None:
        pass


async def _throughput(data_dir: Path, writer: AuditWriter | None, calls: int, concurrency: int,
                      durable: bool = True) -> float:
    """Authorize calls per second, `concurrency` callers at once, on a fresh server."""
    running = await build_server(Settings(listen="127.0.0.1:0", data_dir=data_dir, account_id=ACCOUNT,
                                          log_level="warning", audit_durable=durable), audit_writer=writer)
    root = root_credentials(data_dir)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}", interceptors=signing_interceptors(root))
    try:
        iam = identity_pb2_grpc.IdentityServiceStub(channel)
        authz = authorization_pb2_grpc.AuthorizationServiceStub(channel)
        last = await iam.CreateUser(ipb.CreateUserRequest(user_name="bench"))
        request = apb.AuthorizeRequest(principal_arn=f"arn:aws:iam::{ACCOUNT}:user/bench", action="s3:GetObject",
                                       resource="*", min_position=last.position)
        await authz.Authorize(request)

        async def caller() -> None:
            for _ in range(calls // concurrency):
                await authz.Authorize(request)

        started = time.perf_counter()
        await asyncio.gather(*(caller() for _ in range(concurrency)))
        return (calls // concurrency) * concurrency / (time.perf_counter() - started)
    finally:
        await channel.close()
        await running.stop()


async def run_audit_overhead_bench(data_dir: Path, calls: int = 3000, concurrency: int = 16) -> dict[str, Any]:
    """Authorize throughput with durable auditing against a no-op sink, same workload, same run."""
    audited = await _throughput(data_dir / "audited", None, calls, concurrency)
    queued = await _throughput(data_dir / "queued", None, calls, concurrency, durable=False)
    baseline = await _throughput(data_dir / "noop", NoOpAuditWriter(), calls, concurrency)
    return {"concurrency": concurrency, "calls": calls,
            "audited_durable_calls_per_s": round(audited), "audited_async_calls_per_s": round(queued),
            "noop_sink_calls_per_s": round(baseline),
            "durable_vs_noop_ratio": round(audited / baseline, 3), "async_vs_noop_ratio": round(queued / baseline, 3),
            "target_ratio": 0.8}


async def run_authorize_bench(data_dir: Path, calls: int = 2000) -> dict[str, Any]:
    running = await build_server(Settings(listen="127.0.0.1:0", data_dir=data_dir, account_id=ACCOUNT,
                                          log_level="warning"))
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}",
                                        interceptors=signing_interceptors(root_credentials(data_dir)))
    try:
        iam = identity_pb2_grpc.IdentityServiceStub(channel)
        authz = authorization_pb2_grpc.AuthorizationServiceStub(channel)
        await iam.CreateUser(ipb.CreateUserRequest(user_name="bench"))
        for i in range(10):
            arn = (await iam.CreatePolicy(ipb.CreatePolicyRequest(policy_name=f"P{i}",
                                                                  policy_document=_doc(i)))).policy.arn
            last = await iam.AttachPolicy(ipb.AttachPolicyRequest(
                target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="bench"), policy_arn=arn))
        principal = f"arn:aws:iam::{ACCOUNT}:user/bench"
        request = apb.AuthorizeRequest(principal_arn=principal, action="svc7:GetThing",
                                       resource="arn:aws:svc7:::r/x", min_position=last.position)
        assert (await authz.Authorize(request)).decision == apb.DECISION_ALLOW
        request.min_position = 0

        samples = []
        for _ in range(calls):
            started = time.perf_counter()
            await authz.Authorize(request)
            samples.append(time.perf_counter() - started)
        batch = apb.AuthorizeBatchRequest(requests=[request] * 100)
        batch_samples = []
        for _ in range(max(calls // 100, 5)):
            started = time.perf_counter()
            await authz.AuthorizeBatch(batch)
            batch_samples.append((time.perf_counter() - started) / 100)

        # Baseline: the same decision called in-process, on the same projection, no gRPC.
        local = Authorizer(PrincipalPolicyCache(running.projection), running.runner, SystemClock())
        query = AuthorizeQuery(principal_arn=principal, action="svc7:GetThing", resource="arn:aws:svc7:::r/x")
        local.authorize_now(query)
        in_process = []
        for _ in range(calls):
            started = time.perf_counter()
            local.authorize_now(query)
            in_process.append(time.perf_counter() - started)
    finally:
        await channel.close()
        await running.stop()
    unary = statistics.median(samples) * 1e6
    batched = statistics.median(batch_samples) * 1e6
    local_us = statistics.median(in_process) * 1e6
    return {
        "policies_attached": 10,
        "unary_median_us": round(unary, 1),
        "batch100_median_us_per_decision": round(batched, 1),
        "in_process_median_us": round(local_us, 2),
        "unary_vs_in_process_ratio": round(unary / local_us, 1),
        "batch_vs_unary_ratio": round(batched / unary, 3),
    }
