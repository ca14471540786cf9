"""The load client, in its own process: drives one target (iamd or the echo server) with signed
calls, `concurrency` in flight on one channel, and prints one JSON line.

Every call is signed with the same signer whatever the target, so client work is equal. The
server's CPU is read from /proc around the timed part only (after the warm-up).

    python -m tests.bench.load_client --target 127.0.0.1:50051 --credentials data/root-credentials \
        --server-pid 1234 --mode unary --concurrency 8 --calls 2000
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import grpc
import orjson

from iamd.client.credentials import resolve_credentials, signing_interceptors
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import authorization_pb2_grpc, identity_pb2_grpc
from iamd.v1 import identity_pb2 as ipb
from tests.bench.procs import cpu_seconds

Call = Callable[[int], Awaitable[object]]  # one call; the argument is the call's number


def make_call(args: argparse.Namespace, channel: grpc.aio.Channel) -> Call:
    authz = authorization_pb2_grpc.AuthorizationServiceStub(channel)
    request = apb.AuthorizeRequest(principal_arn=args.principal, action=args.action, resource=args.resource)
    if args.mode == "unary":
        return lambda n: authz.Authorize(request)
    if args.mode == "batch":
        batch = apb.AuthorizeBatchRequest(requests=[request] * args.batch_size)
        return lambda n: authz.AuthorizeBatch(batch)
    if args.mode == "create-user":
        iam = identity_pb2_grpc.IdentityServiceStub(channel)
        return lambda n: iam.CreateUser(ipb.CreateUserRequest(user_name=f"{args.name_prefix}-{n}"))
    raise ValueError(f"unknown mode {args.mode}")


async def drive(call: Call, first: int, calls: int, concurrency: int, errors: list[str],
                latencies: list[tuple[float, float]] | None = None) -> None:
    """`calls` calls numbered from `first`, never more than `concurrency` in flight; each answered
    call's seconds from sending to its answer, and when it was sent, go to `latencies`."""
    numbers = iter(range(first, first + calls))
    clock = time.perf_counter

    async def caller() -> None:
        for n in numbers:
            started = clock()
            try:
                await call(n)
            except grpc.aio.AioRpcError as e:
                errors.append(f"{e.code().name}: {e.details()}")
                continue
            if latencies is not None:
                latencies.append((clock() - started, started))

    await asyncio.gather(*(caller() for _ in range(concurrency)))


async def run(args: argparse.Namespace) -> dict:
    credentials = resolve_credentials(env={"IAMD_SHARED_CREDENTIALS_FILE": str(args.credentials)})
    assert credentials is not None
    async with grpc.aio.insecure_channel(args.target, interceptors=signing_interceptors(credentials)) as channel:
        call = make_call(args, channel)
        errors: list[str] = []
        await drive(call, 0, args.warmup, args.concurrency, errors)
        warmup_errors, errors = errors, []
        cpu_before = cpu_seconds(args.server_pid) if args.server_pid else 0.0
        latencies: list[tuple[float, float]] = []
        started = time.perf_counter()
        await drive(call, args.warmup, args.calls, args.concurrency, errors, latencies)
        seconds = time.perf_counter() - started
        cpu = (cpu_seconds(args.server_pid) - cpu_before) if args.server_pid else None
    per_call = args.batch_size if args.mode == "batch" else 1
    answered = args.calls - len(errors)
    return {
        "mode": args.mode, "concurrency": args.concurrency, "calls": args.calls, "warmup": args.warmup,
        "seconds": round(seconds, 4),
        "calls_per_s": round(answered / seconds, 1), "decisions_per_s": round(answered * per_call / seconds, 1),
        "server_cpu_us_per_call": None if cpu is None else round(cpu / args.calls * 1e6, 1),
        "errors": len(errors) + len(warmup_errors), "first_error": (warmup_errors + errors or [None])[0],
        **latency_us(latencies, started),
    }


def latency_us(latencies: list[tuple[float, float]], began: float) -> dict[str, float | None]:
    """Median, 99th percentile and slowest of the answered calls, µs (client side: the user's
    wait), and when the slowest was sent, in seconds from the start of the timed calls."""
    if not latencies:
        return {"latency_p50_us": None, "latency_p99_us": None, "latency_max_us": None, "latency_max_sent_at_s": None}
    ordered = sorted(latencies)

    def at(fraction: float) -> float:  # nearest rank
        return round(ordered[max(0, math.ceil(fraction * len(ordered)) - 1)][0] * 1e6, 1)
    slowest, sent = ordered[-1]
    return {"latency_p50_us": at(0.5), "latency_p99_us": at(0.99), "latency_max_us": round(slowest * 1e6, 1),
            "latency_max_sent_at_s": round(sent - began, 3)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--credentials", type=Path, required=True, help="a credentials file (root's)")
    parser.add_argument("--server-pid", type=int, default=0, help="read this process's CPU around the run")
    parser.add_argument("--mode", choices=["unary", "batch", "create-user"], default="unary")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--principal", default="")
    parser.add_argument("--action", default="s3:GetObject")
    parser.add_argument("--resource", default="*")
    parser.add_argument("--name-prefix", default="bench", help="create-user: names are PREFIX-N")
    args = parser.parse_args(argv)
    sys.stdout.buffer.write(orjson.dumps(asyncio.run(run(args))) + b"\n")


if __name__ == "__main__":
    main()
