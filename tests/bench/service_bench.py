"""The service benchmark: iamd measured as a user meets it, against baselines in the same run.

A real `iamd` process (durable audit), the trivial grpc.aio echo server of `echo_server.py` and
the raw SQLite baselines of `raw_store.py`, each driven by a client in its own process; rounds
interleaved (echo, durable echo, iamd, echo, ...), medians, min–max and ratios. The durable echo
(`echo_server.py --durable-db`) commits one row per call before answering: the ratio to it shows
what iamd costs beyond the durability its audit promises. Server CPU per call is
read from /proc. Nothing here is timed in-process. Timings are printed, never asserted.

Sized by environment variables (defaults in brackets):

    IAMD_BENCH_ROUNDS [5]             rounds per target and concurrency (Authorize)
    IAMD_BENCH_CALLS [2000]           Authorize calls per round
    IAMD_BENCH_BATCH_MESSAGES [100]   AuthorizeBatch messages (of 100 requests) per round
    IAMD_BENCH_COMMAND_ROUNDS [3]     rounds of CreateUser (raw appends, iamd, ...)
    IAMD_BENCH_COMMAND_CALLS [300]    CreateUser calls per round (one account holds 5,000 users)
    IAMD_BENCH_EVENTS [1000000]       events in the log started from
    IAMD_BENCH_USERS [100000], IAMD_BENCH_ROLES [10000], IAMD_BENCH_POLICIES [20000]
                                      the identity in that log
    IAMD_BENCH_USERS_PER_TEAM [20]    users sharing attachments and groups (1: all distinct)
    IAMD_BENCH_SWEEP [1]              0: skip evaluating every principal (the memory figure)
    IAMD_BENCH_PHASES [serving,start] which phases to run
    IAMD_BENCH_DIR [a temporary dir]  where data directories go (kept when given)

Run alone: `python -m tests.bench.service_bench` (`make bench-service`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import orjson

from iamd.client.credentials import signing_interceptors
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import authorization_pb2_grpc
from tests.bench import prepare
from tests.bench.procs import (
    Server,
    code_version,
    first_answer,
    root_credentials,
    rss_bytes,
    run_json,
    start_echo,
    start_iamd,
    stop_all,
)

MiB = 1024 * 1024


def _env(name: str, default: int) -> int:
    return int(os.environ.get(f"IAMD_BENCH_{name}", default))


@dataclass(frozen=True)
class Sizes:
    rounds: int = field(default_factory=lambda: _env("ROUNDS", 5))
    calls: int = field(default_factory=lambda: _env("CALLS", 2000))
    batch_messages: int = field(default_factory=lambda: _env("BATCH_MESSAGES", 100))
    command_rounds: int = field(default_factory=lambda: _env("COMMAND_ROUNDS", 3))
    command_calls: int = field(default_factory=lambda: _env("COMMAND_CALLS", 300))
    identity: prepare.IdentitySize = field(default_factory=lambda: prepare.IdentitySize(
        users=_env("USERS", 100_000), roles=_env("ROLES", 10_000), policies=_env("POLICIES", 20_000),
        events=_env("EVENTS", 1_000_000), users_per_team=_env("USERS_PER_TEAM", 20)))
    sweep: bool = field(default_factory=lambda: bool(_env("SWEEP", 1)))
    unary_concurrency: tuple[int, ...] = (1, 8, 64)
    batch_concurrency: tuple[int, ...] = (1, 8)
    command_concurrency: tuple[int, ...] = (1, 16, 64)


def spread(values: list[float], digits: int = 1) -> dict[str, float]:
    return {"median": round(statistics.median(values), digits), "min": round(min(values), digits),
            "max": round(max(values), digits)}


def ratio(a: float, b: float) -> float:
    return round(a / b, 3) if b else float("nan")


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- starting servers --------------------------------------------------------------------------
async def wait_for_file(path: Path, server: Server, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if server.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{server.name} wrote no {path}")
        await asyncio.sleep(0.01)


async def start_fresh_iamd(data_dir: Path) -> Server:
    """iamd on an empty data directory: it creates the account, the keys and root's access key."""
    iamd = start_iamd(data_dir)
    await wait_for_file(data_dir / "root-credentials", iamd)
    await asyncio.sleep(0.05)  # written in one go, but let the writer close it
    root = f"arn:aws:iam::{prepare.ACCOUNT}:root"
    await first_answer(iamd, apb.AuthorizeRequest(principal_arn=root, action="s3:GetObject", resource="*"),
                       root_credentials(data_dir))
    return iamd


# --- rounds ------------------------------------------------------------------------------------
async def load(server: Server, credentials: Path, mode: str, concurrency: int, calls: int,
               request: apb.AuthorizeRequest | None = None, **extra: str) -> dict[str, Any]:
    args = ["--target", server.target, "--credentials", str(credentials), "--server-pid", str(server.pid),
            "--mode", mode, "--concurrency", str(concurrency), "--calls", str(calls),
            "--warmup", str(max(concurrency, min(200, calls // 10)))]
    if request is not None:
        args += ["--principal", request.principal_arn, "--action", request.action, "--resource", request.resource]
    for name, value in extra.items():
        args += [f"--{name.replace('_', '-')}", value]
    return await run_json("tests.bench.load_client", *args)


def answered(runs: list[dict]) -> int:
    """Calls the server answered in these load-client runs, warm-up included."""
    return sum(r["calls"] + r["warmup"] - r["errors"] for r in runs)


def latencies(name: str, rounds: list[dict]) -> dict[str, Any]:
    """The rounds' latency figures: medians and min-max of each, and, round by round, when the
    slowest call was sent (a stall shows as one late in a round, a cold start as one at 0)."""
    result: dict[str, Any] = {}
    for figure in ("latency_p50_us", "latency_p99_us", "latency_max_us"):
        values = [r[figure] for r in rounds if r.get(figure) is not None]
        if values:
            result[f"{name}_{figure}"] = spread(values)
    if any(r.get("latency_max_sent_at_s") is not None for r in rounds):
        result[f"{name}_latency_max_sent_at_s"] = [r.get("latency_max_sent_at_s") for r in rounds]
    return result


def compare(echo: list[dict], iamd: list[dict], rate: str, durable_echo: list[dict] | None = None) -> dict[str, Any]:
    """Medians, min–max and iamd/echo ratios of interleaved rounds (and iamd/durable echo's)."""
    result: dict[str, Any] = {
        f"echo_{rate}": spread([r[rate] for r in echo]), f"iamd_{rate}": spread([r[rate] for r in iamd]),
        "echo_server_cpu_us_per_call": spread([r["server_cpu_us_per_call"] for r in echo]),
        "iamd_server_cpu_us_per_call": spread([r["server_cpu_us_per_call"] for r in iamd]),
        "errors": sum(r["errors"] for r in echo + iamd), "iamd_calls_answered": answered(iamd),
    }
    # Per call, as the caller waits (a batch's is the whole message's); medians of the rounds'.
    for name, rounds in (("echo", echo), ("durable_echo", durable_echo or []), ("iamd", iamd)):
        result.update(latencies(name, rounds))
    result["ratio"] = ratio(result[f"iamd_{rate}"]["median"], result[f"echo_{rate}"]["median"])
    result["cpu_ratio"] = ratio(result["iamd_server_cpu_us_per_call"]["median"],
                                result["echo_server_cpu_us_per_call"]["median"])
    # Each iamd round against the echo round just before it: what noise does to the ratio.
    result["ratio_by_round"] = spread([i[rate] / e[rate] for e, i in zip(echo, iamd)], digits=3)
    if durable_echo:
        result[f"durable_echo_{rate}"] = spread([r[rate] for r in durable_echo])
        result["durable_echo_server_cpu_us_per_call"] = spread([r["server_cpu_us_per_call"] for r in durable_echo])
        result["ratio_to_durable_echo"] = ratio(result[f"iamd_{rate}"]["median"],
                                                result[f"durable_echo_{rate}"]["median"])
        result["cpu_ratio_to_durable_echo"] = ratio(result["iamd_server_cpu_us_per_call"]["median"],
                                                    result["durable_echo_server_cpu_us_per_call"]["median"])
        result["errors"] += sum(r["errors"] for r in durable_echo)
    errors = [r["first_error"] for r in echo + (durable_echo or []) + iamd if r["first_error"]]
    if errors:
        result["first_error"] = errors[0]
    return result


async def interleaved(echo: Server, durable_echo: Server, iamd: Server, credentials: Path, mode: str,
                      concurrency: int, calls: int, rounds: int, request: apb.AuthorizeRequest) -> dict[str, Any]:
    by_target: dict[str, list[dict]] = {"echo": [], "durable_echo": [], "iamd": []}
    for _ in range(rounds):
        for server in (echo, durable_echo, iamd):
            by_target[server.name].append(await load(server, credentials, mode, concurrency, calls, request))
    rate = "decisions_per_s" if mode == "batch" else "calls_per_s"
    shape = {"requests_per_call": 100} if mode == "batch" else {}  # server CPU is per call (message)
    return {"concurrency": concurrency, "calls_per_round": calls, "rounds": rounds, **shape,
            **compare(by_target["echo"], by_target["iamd"], rate, by_target["durable_echo"])}


async def commands(iamd: Server, credentials: Path, raw_db: Path, concurrency: int, sizes: Sizes) -> dict:
    """CreateUser over gRPC against 1-event appends through the adapter, same concurrency, interleaved."""
    raw, served = [], []
    for r in range(sizes.command_rounds):
        prefix = f"c{concurrency}r{r}"
        raw.append(await run_json("tests.bench.raw_store", "append", str(raw_db), "--concurrency", str(concurrency),
                                  "--calls", str(sizes.command_calls), "--prefix", prefix))
        served.append(await load(iamd, credentials, "create-user", concurrency, sizes.command_calls,
                                 name_prefix=prefix))
    result = {"concurrency": concurrency, "calls_per_round": sizes.command_calls, "rounds": sizes.command_rounds,
              "raw_append_calls_per_s": spread([r["calls_per_s"] for r in raw]),
              "iamd_calls_per_s": spread([r["calls_per_s"] for r in served]),
              "iamd_server_cpu_us_per_call": spread([r["server_cpu_us_per_call"] for r in served]),
              "errors": sum(r["errors"] for r in served), "iamd_calls_answered": answered(served),
              **latencies("iamd", served)}
    result["ratio"] = ratio(result["iamd_calls_per_s"]["median"], result["raw_append_calls_per_s"]["median"])
    if result["errors"]:
        result["first_error"] = next(r["first_error"] for r in served if r["first_error"])
    return result


async def audit_counts(iamd: Server, data_dir: Path, serving: dict[str, Any]) -> dict[str, Any]:
    """What iamd says it audited, next to what the load clients had answered (a batch is one call)."""
    async with grpc.aio.insecure_channel(
            iamd.target, interceptors=signing_interceptors(root_credentials(data_dir))) as channel:
        status = await authorization_pb2_grpc.AuthorizationServiceStub(channel).GetProjectionStatus(
            apb.GetProjectionStatusRequest())
    return {"records_written": status.audit_records_written, "write_failures": status.audit_write_failures,
            "queue_depth": status.audit_queue_depth,
            "calls_answered_to_load_clients": sum(figures.get("iamd_calls_answered", 0)
                                                  for figures in serving.values() if isinstance(figures, dict)),
            "note": "records also cover the set-up commands and start-up probes (a few hundred)"}


async def bench_serving(work: Path, sizes: Sizes) -> dict[str, Any]:
    """Authorize (unary and batch) and CreateUser against iamd and their baselines."""
    data_dir = work / "serving"
    iamd = await start_fresh_iamd(data_dir)
    echo: Server | None = None
    durable_echo: Server | None = None
    credentials = data_dir / "root-credentials"
    try:
        async with grpc.aio.insecure_channel(
                iamd.target, interceptors=signing_interceptors(root_credentials(data_dir))) as channel:
            request, position = await prepare.prepare_principal(channel)
            waited = apb.AuthorizeRequest()
            waited.CopyFrom(request)
            waited.min_position = position
            answer = await authorization_pb2_grpc.AuthorizationServiceStub(channel).Authorize(waited)
        assert answer.decision == apb.DECISION_ALLOW, answer
        (work / "answer.bin").write_bytes(answer.SerializeToString())
        echo = start_echo(work / "answer.bin", work / "echo.log")
        echo_start, _ = await first_answer(echo, request, root_credentials(data_dir))
        durable_echo = start_echo(work / "answer.bin", work / "durable-echo.log", work / "durable-echo.db")
        await first_answer(durable_echo, request, root_credentials(data_dir))
        # The floor of any start: a Python gRPC process, imports and all, answering its first call.
        result: dict[str, Any] = {"principal_policies": 101,
                                  "audit_durability": "sync (answer once the record is committed)",
                                  "echo_start_to_first_answer_s": round(echo_start, 2)}
        for c in sizes.unary_concurrency:
            log(f"Authorize unary, {c} in flight")
            result[f"authorize_unary_{c}"] = await interleaved(echo, durable_echo, iamd, credentials, "unary", c,
                                                               sizes.calls, sizes.rounds, request)
        for c in sizes.batch_concurrency:
            log(f"AuthorizeBatch of 100, {c} in flight")
            result[f"authorize_batch100_{c}"] = await interleaved(echo, durable_echo, iamd, credentials, "batch",
                                                                  c, sizes.batch_messages, sizes.rounds, request)
        for c in sizes.command_concurrency:
            log(f"CreateUser, {c} in flight")
            result[f"create_user_{c}"] = await commands(iamd, credentials, work / "raw-appends.db", c, sizes)
        result["audit_records"] = await audit_counts(iamd, data_dir, result)
        return result
    finally:
        for baseline in (echo, durable_echo):
            if baseline is not None:
                baseline.stop()
        iamd.stop()


# --- start-up and memory -----------------------------------------------------------------------
def count_events(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        return connection.execute("SELECT COUNT(*) FROM events").fetchone()[0]


async def sweep(iamd: Server, data_dir: Path, size: prepare.IdentitySize, in_flight: int = 4) -> dict:
    """Evaluate every principal once, 100 to an AuthorizeBatch message."""
    arns = list(size.principal_arns())
    batches = iter(range(0, len(arns), 100))
    answered = allowed = 0

    async def caller(stub: authorization_pb2_grpc.AuthorizationServiceStub) -> None:
        nonlocal answered, allowed
        for start in batches:
            batch = apb.AuthorizeBatchRequest(requests=[
                apb.AuthorizeRequest(principal_arn=arn, action=prepare.ACTION, resource=prepare.RESOURCE)
                for arn in arns[start:start + 100]])
            response = await stub.AuthorizeBatch(batch, timeout=600)
            answered += len(response.responses)
            allowed += sum(r.decision == apb.DECISION_ALLOW for r in response.responses)

    started = time.monotonic()
    async with grpc.aio.insecure_channel(iamd.target,
                                         interceptors=signing_interceptors(root_credentials(data_dir))) as channel:
        stub = authorization_pb2_grpc.AuthorizationServiceStub(channel)
        await asyncio.gather(*(caller(stub) for _ in range(in_flight)))
    return {"principals": len(arns), "answered": answered, "allowed": allowed,
            "seconds": round(time.monotonic() - started, 1)}


async def timed_start(data_dir: Path, request: apb.AuthorizeRequest) -> tuple[Server, float]:
    iamd = start_iamd(data_dir)
    seconds, answer = await first_answer(iamd, request, root_credentials(data_dir))
    assert answer.decision == apb.DECISION_ALLOW, answer
    return iamd, seconds


async def bench_start_and_memory(work: Path, sizes: Sizes) -> dict[str, Any]:
    data_dir = work / "large"
    size = sizes.identity
    (await start_fresh_iamd(data_dir)).stop()
    shutil.rmtree(data_dir / "snapshots", ignore_errors=True)  # the next start replays the whole log
    log(f"writing {size}")
    started = time.monotonic()
    written = await prepare.write_identity_log(data_dir, size)
    # The log was just written: hundreds of MB of dirty pages the kernel would write back during
    # the timed starts below. A restarted deployment's log has long been on disk: flush it first.
    log("flushing the written log to disk (os.sync)")
    os.sync()
    events = count_events(data_dir / "events.db")
    result: dict[str, Any] = {"identity": {"users": size.users, "roles": size.roles, "policies": size.policies,
                                           "groups": size.groups, "users_per_team": size.users_per_team,
                                           "events_in_log": events},
                              "log_written_in_s": round(time.monotonic() - started, 1), "events_written": written}
    raw = await run_json("tests.bench.raw_store", "replay", str(data_dir / "events.db"))
    result["raw_sqlite_orjson_replay_events_per_s"] = raw["events_per_s"]

    request = apb.AuthorizeRequest(principal_arn=next(size.principal_arns()), action=prepare.ACTION,
                                   resource=prepare.RESOURCE)
    log("cold start (no snapshot)")
    iamd, seconds = await timed_start(data_dir, request)
    try:
        result["cold_start_to_first_answer_s"] = round(seconds, 2)
        result["cold_start_events_per_s"] = round(events / seconds)
        result["cold_start_vs_raw_replay_ratio"] = ratio(events / seconds, raw["events_per_s"])
        result["rss_mib_after_start"] = round(rss_bytes(iamd.pid) / MiB, 1)
        if sizes.sweep:
            log("evaluating every principal once")
            result["sweep"] = await sweep(iamd, data_dir, size)
            result["rss_mib_after_every_principal_once"] = round(rss_bytes(iamd.pid) / MiB, 1)
            result["sweep_again"] = await sweep(iamd, data_dir, size)  # flat over time?
            result["rss_mib_after_every_principal_twice"] = round(rss_bytes(iamd.pid) / MiB, 1)
    finally:
        stopping = time.monotonic()
        result["stopped_gracefully"] = iamd.stop()  # graceful: writes the snapshot the next start loads
        result["graceful_stop_s"] = round(time.monotonic() - stopping, 2)
    log("start from the snapshot")
    result["events_in_log_at_snapshot_start"] = count_events(data_dir / "events.db")
    iamd, seconds = await timed_start(data_dir, request)
    try:
        result["snapshot_start_to_first_answer_s"] = round(seconds, 2)
        result["rss_mib_after_snapshot_start"] = round(rss_bytes(iamd.pid) / MiB, 1)
    finally:
        iamd.stop()
    return result


# --- the targets -----------------------------------------------------------------------
def target(name: str, value: float | None, goal: str, met: bool | None) -> dict[str, Any]:
    return {"target": name, "value": value, "goal": goal, "met": met}


def service_targets(summary: dict[str, Any]) -> list[dict[str, Any]]:
    serving, start = summary.get("serving", {}), summary.get("start_and_memory", {})
    targets = []
    for key, figures in serving.items():
        if key.startswith("authorize_unary_"):
            c = figures["concurrency"]
            targets.append(target(f"Authorize unary {c} in flight, iamd/echo calls/s", figures["ratio"], ">= 0.8",
                                  figures["ratio"] >= 0.8))
            targets.append(target(f"Authorize unary {c} in flight, server CPU per call iamd/echo",
                                  figures["cpu_ratio"], "<= 1.5", figures["cpu_ratio"] <= 1.5))
            if "ratio_to_durable_echo" in figures:  # no goal of its own: where the durability floor is
                targets.append(target(f"Authorize unary {c} in flight, iamd/durable echo calls/s (CPU)",
                                      [figures["ratio_to_durable_echo"], figures["cpu_ratio_to_durable_echo"]],
                                      "(the floor of an answer after a commit)", None))
        elif key.startswith("authorize_batch100_"):
            c, rate = figures["concurrency"], figures["iamd_decisions_per_s"]["median"]
            targets.append(target(f"AuthorizeBatch 100/message {c} in flight, iamd/echo decisions/s",
                                  figures["ratio"], ">= 0.5", figures["ratio"] >= 0.5))
            targets.append(target(f"AuthorizeBatch 100/message {c} in flight, decisions/s", rate,
                                  ">= 50000 (stretch 100000)", rate >= 50_000))
        elif key == "create_user_64":
            rate = figures["iamd_calls_per_s"]["median"]
            targets.append(target("CreateUser 64 in flight, per s", rate, ">= 5000", rate >= 5000))
    if start:
        events = start["identity"]["events_in_log"]
        at_scale = events >= 1_000_000
        rate, seconds = start["cold_start_events_per_s"], start["cold_start_to_first_answer_s"]
        targets.append(target(f"start to first answer on a {events}-event log, events/s", rate, ">= 200000",
                              rate >= 200_000))
        targets.append(target(f"start to first answer on a {events}-event log, s", seconds,
                              "<= 5 (1M events)", seconds <= 5 if at_scale else None))
        snapshot = start["snapshot_start_to_first_answer_s"]
        targets.append(target("start from a snapshot to first answer, s", snapshot, "<= 1.5 (1M events)",
                              snapshot <= 1.5 if at_scale else None))
        if "rss_mib_after_every_principal_once" in start:
            identity = start["identity"]
            full = identity["users"] >= 100_000 and identity["roles"] >= 10_000 and identity["policies"] >= 20_000
            rss = start["rss_mib_after_every_principal_once"] * MiB / 1e6
            targets.append(target(
                f"RSS MB, {identity['users']} users / {identity['roles']} roles / {identity['policies']} policies, "
                "every principal evaluated once", round(rss, 1), "<= 600 (at 100k/10k/20k)",
                rss <= 600 if full else None))
    return targets


async def run_service_bench(work: Path | None = None, sizes: Sizes | None = None) -> dict[str, Any]:
    sizes = sizes or Sizes()
    keep = work is not None or "IAMD_BENCH_DIR" in os.environ
    work = work or Path(os.environ.get("IAMD_BENCH_DIR") or tempfile.mkdtemp(prefix="iamd-service-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    machine = {"cpus": os.cpu_count(), "python": sys.version.split()[0], "grpcio": grpc.__version__,
               "load_average": load_average()}
    summary: dict[str, Any] = {"machine": machine,
                               "code": code_version(), "sizes": dataclasses.asdict(sizes)}
    try:
        wanted = os.environ.get("IAMD_BENCH_PHASES", "serving,start").split(",")
        for name, phase in (("serving", bench_serving), ("start_and_memory", bench_start_and_memory)):
            if name.split("_")[0] not in wanted:
                continue
            try:
                summary[name] = await phase(work, sizes)
            except Exception as e:  # one failed phase must not lose the other's figures
                log(f"{name} failed: {e!r}")
                summary[f"{name}_failed"] = repr(e)
    finally:
        stop_all()  # no server outlives the benchmark, whatever failed
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    machine["load_average_at_end"] = load_average()  # others' work shares this machine
    summary["targets"] = service_targets(summary)
    return summary


def main() -> None:
    sys.stdout.buffer.write(orjson.dumps(asyncio.run(run_service_bench()), option=orjson.OPT_INDENT_2) + b"\n")


if __name__ == "__main__":
    main()
