"""`make bench`: one run, one JSON summary on stdout (progress on stderr).

- `service`: iamd as a user meets it, against the echo server and raw SQLite in the same run
  (see service_bench.py; sized by IAMD_BENCH_* variables);
- `engine_in_process`: the pure policy engine, µs per decision and against cedarpy;
- `targets`: each of issue 10's targets with its value and whether it is met (never asserted).

`python -m tests.bench --in-process` runs the older in-process component benchmarks instead
(event store, projection fold, in-process gRPC server, organizations). Their figures are
labelled in-process: they are not what a user of the service sees.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any


def engine_targets(engine: dict[str, Any]) -> list[dict[str, Any]]:
    from .service_bench import target

    per_decision = engine["request_and_decide_us_100_policies"]
    targets = [target("engine in-process, µs per decision at 100 policies including building the request",
                      per_decision, "<= 5", per_decision <= 5)]
    for key, label in (("iamd_vs_cedarpy_request_and_decide_100", "request built and decided"),
                       ("iamd_vs_cedarpy_100", "decision alone")):
        ratio = engine.get(key)
        targets.append(target(f"engine in-process vs cedarpy at 100 policies, {label}", ratio, ">= 50",
                              None if ratio is None else ratio >= 50))
    return targets


async def service_and_engine() -> dict[str, Any]:
    from .policy_bench import run_policy_bench
    from .service_bench import run_service_bench

    summary: dict[str, Any] = {"service": await run_service_bench()}
    print("[engine] policy engine in-process", file=sys.stderr, flush=True)
    summary["engine_in_process"] = engine = run_policy_bench()
    engine.pop("targets", None)  # an earlier issue's thresholds; issue 10's are below
    summary["targets"] = summary["service"].pop("targets") + engine_targets(engine)
    return summary


async def in_process_components() -> dict[str, Any]:
    from iamd.service.log_config import configure_logging

    configure_logging("warning")
    from .authorize_bench import run_audit_overhead_bench, run_authorize_bench
    from .eventstore_bench import run_eventstore_bench
    from .organization_bench import run_organization_bench
    from .projection_bench import run_projection_bench

    n_events = int(os.environ.get("IAMD_BENCH_EVENTS", "1000000"))
    summary: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="iamd-bench-") as tmp:
        summary["eventstore_in_process"] = await run_eventstore_bench(Path(tmp) / "es",
                                                                      n_rebuild=min(n_events, 200_000))
        summary["projection_fold_in_process"] = await run_projection_bench(Path(tmp), n_events=n_events)
        summary["authorize_grpc_in_process_server"] = await run_authorize_bench(Path(tmp) / "authz")
        summary["audit_overhead_in_process_server"] = await run_audit_overhead_bench(Path(tmp) / "audit")
        (Path(tmp) / "org").mkdir()
        summary["organization_commands_in_process"] = await run_organization_bench(Path(tmp) / "org")
    return summary


def main(argv: list[str]) -> int:
    run = in_process_components if "--in-process" in argv else service_and_engine
    json.dump(asyncio.run(run()), sys.stdout, indent=2, ensure_ascii=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
