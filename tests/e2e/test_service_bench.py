"""The service benchmark's machinery end to end at a tiny size: real iamd, echo server, load
clients and raw-store baselines in their own processes. Figures are checked for presence and
sense, never for speed: the machines are shared and noisy."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bench.prepare import IdentitySize
from tests.bench.service_bench import Sizes, run_service_bench

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

TINY = Sizes(rounds=2, calls=100, batch_messages=5, command_rounds=1, command_calls=20,
             identity=IdentitySize(users=200, roles=20, policies=40, events=3000), sweep=True,
             unary_concurrency=(1, 8), batch_concurrency=(2,), command_concurrency=(4,))


async def test_a_tiny_service_bench_runs_every_phase_and_reports_every_target(tmp_path: Path) -> None:
    summary = await run_service_bench(tmp_path, TINY)

    assert not [key for key in summary if key.endswith("_failed")], summary
    serving, start = summary["serving"], summary["start_and_memory"]
    for key in ("authorize_unary_1", "authorize_unary_8", "authorize_batch100_2"):
        figures = serving[key]
        assert figures["errors"] == 0, figures
        assert figures["ratio"] > 0 and figures["iamd_server_cpu_us_per_call"]["median"] > 0
        # CPU comes from /proc in 10 ms ticks: a baseline's tiny round can read 0.
        assert figures["ratio_to_durable_echo"] > 0 and figures["durable_echo_server_cpu_us_per_call"]["median"] >= 0
        for target in ("echo", "durable_echo", "iamd"):  # what each call made its caller wait, µs
            p50, p99, slowest = (figures[f"{target}_latency_{p}_us"]["median"] for p in ("p50", "p99", "max"))
            assert 0 < p50 <= p99 <= slowest, (target, p50, p99, slowest)
    commands = serving["create_user_4"]
    assert commands["errors"] == 0 and commands["iamd_calls_per_s"]["median"] > 0
    assert commands["raw_append_calls_per_s"]["median"] > 0

    # The log holds the identity, padded to the events asked for (and what bootstrap wrote).
    assert start["identity"]["events_in_log"] >= 3000 and start["raw_sqlite_orjson_replay_events_per_s"] > 0
    assert start["cold_start_to_first_answer_s"] > 0 and start["snapshot_start_to_first_answer_s"] > 0
    assert start["sweep"]["answered"] == start["sweep"]["principals"] == 220
    assert start["sweep"]["allowed"] > 0  # the projection folded the written attachments
    assert start["rss_mib_after_every_principal_once"] > 0

    names = [t["target"] for t in summary["targets"]]
    assert any("Authorize unary 8" in n for n in names) and any("AuthorizeBatch" in n for n in names)
    assert any("snapshot" in n for n in names) and any("RSS" in n for n in names)
    assert all(set(t) == {"target", "value", "goal", "met"} for t in summary["targets"])
