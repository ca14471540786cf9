"""`make bench`: one run, one JSON summary with medians and ratios against in-process baselines.

Timings are printed, never asserted: the machines are shared and noisy.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path


async def _main() -> dict:
    from service.log_config import configure_logging

    configure_logging("warning")
    from .authorize_bench import run_audit_overhead_bench, run_authorize_bench
    from .eventstore_bench import run_eventstore_bench
    from .organization_bench import run_organization_bench
    from .policy_bench import run_policy_bench
    from .projection_bench import run_projection_bench

    n_rebuild = int(os.environ.get("IAMD_BENCH_EVENTS", "1000000"))
    summary: dict = {}
    with tempfile.TemporaryDirectory(prefix="iamd-bench-") as tmp:
        summary["eventstore"] = await run_eventstore_bench(Path(tmp) / "es", n_rebuild=min(n_rebuild, 200_000))
        summary["projection_rebuild"] = await run_projection_bench(Path(tmp), n_events=n_rebuild)
        summary["policy"] = run_policy_bench()
        summary["authorize_grpc"] = await run_authorize_bench(Path(tmp) / "authz")
        summary["audit_overhead"] = await run_audit_overhead_bench(Path(tmp) / "audit")
        (Path(tmp) / "org").mkdir()
        summary["organization_commands"] = await run_organization_bench(Path(tmp) / "org")
    return summary


def main() -> int:
    summary = asyncio.run(_main())
    json.dump(summary, sys.stdout, indent=2, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
