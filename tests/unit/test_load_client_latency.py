"""tests/bench/load_client.py latency_us: nearest-rank percentiles of what callers waited."""

from __future__ import annotations

from tests.bench.load_client import latency_us


def test_one_stall_in_a_hundred_calls_is_the_slowest_not_the_p99() -> None:
    waits = [(0.001, float(i)) for i in range(99)] + [(1.0, 99.0)]
    figures = latency_us(waits, 0.0)
    assert figures["latency_p50_us"] == figures["latency_p99_us"] == 1000.0
    assert figures["latency_max_us"] == 1_000_000.0 and figures["latency_max_sent_at_s"] == 99.0


def test_no_answered_call_has_no_latency() -> None:
    assert set(latency_us([], 0.0).values()) == {None}
