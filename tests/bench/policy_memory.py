"""What compiled policies hold: tracemalloc over the benchmark's managed policies, compiled.

`python -m tests.bench.policy_memory [N]` compiles N (20,000) of `policy_bench.identity_document`
(the documents the service benchmark's identity attaches) as the projection does, one
CompiledPolicy each, and prints the MiB they hold and where (by file, then by line). Compiled
matchers are shared between statements and policies (service/policy/sharing.py), so this is the
memory of a set of policies, not N times one. In-process and not timed: a measure of memory only.
"""

from __future__ import annotations

import gc
import json
import sys
import time
import tracemalloc

from iamd.service.policy import PolicyType, compile_policy

from .policy_bench import ACCOUNT, identity_document


def measure(count: int) -> tuple[dict[str, object], tracemalloc.Snapshot, tracemalloc.Snapshot]:
    texts = [json.dumps(identity_document(k)) for k in range(count)]
    gc.collect()
    tracemalloc.start(1)
    before = tracemalloc.take_snapshot()
    started = time.perf_counter()
    compiled = [compile_policy(text, policy_id=f"arn:aws:iam::{ACCOUNT}:policy/policy{k:06d}",
                               policy_type=PolicyType.IDENTITY, version="v1")
                for k, text in enumerate(texts)]
    elapsed = time.perf_counter() - started
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    held = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    summary = {"policies": len(compiled), "compiled_mib": round(held / 2**20, 1),
               "compile_us_per_policy_traced": round(elapsed / count * 1e6)}
    return summary, before, after


def main(argv: list[str]) -> int:
    summary, before, after = measure(int(argv[0]) if argv else 20_000)
    print(json.dumps(summary))
    for key, top in (("filename", 8), ("lineno", 16)):
        for stat in after.compare_to(before, key)[:top]:
            frame = stat.traceback[0]
            where = frame.filename if key == "filename" else f"{frame.filename}:{frame.lineno}"
            print(f"  {stat.size_diff / 2**20:8.1f} MiB  {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
