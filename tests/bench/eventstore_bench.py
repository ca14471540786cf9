"""Event-store benchmark: append and replay rates of the sqlite adapter, with the in-memory
adapter measured in the same run as a baseline. Returns numbers; asserts nothing.

Run on its own with ``.venv/bin/python -m tests.bench.eventstore_bench [n_rebuild]``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import pathlib
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from typing import Any

from iamd.service.eventstore import (
    EventCodec,
    EventStore,
    InMemoryEventStore,
    NewEvent,
    SqliteEventStore,
    StreamState,
)

# Shaped like iamd's events: an entity payload and request metadata.
_PAYLOAD = {
    "user_name": "alice",
    "user_id": "AIDAEXAMPLE1234567890",
    "account_id": "123456789012",
    "path": "/engineering/",
    "arn": "arn:aws:iam::123456789012:user/engineering/alice",
    "tags": {"team": "platform", "cost-center": "42"},
}
_METADATA = {
    "request_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
    "actor": "arn:aws:iam::123456789012:user/admin",
    "source_ip": "10.1.2.3",
    "user_agent": "iamctl/0.1",
}

_SINGLE_APPENDS = 2_000
_SINGLE_APPENDERS = 50
_BATCH_APPENDS = 200
_BATCH_SIZE = 100
_BATCH_APPENDERS = 10
# Bulk load for the replay: large appends from a few concurrent writers.
_LOAD_BATCH_SIZE = 1_000
_LOAD_APPENDERS = 4


async def run_eventstore_bench(tmpdir: pathlib.Path, *, n_rebuild: int = 1_000_000) -> dict[str, Any]:
    """Measure events/s for 1-event appends, 100-event appends and a full read_all replay."""
    tmpdir.mkdir(parents=True, exist_ok=True)
    codec = EventCodec()
    results: dict[str, Any] = {"n_rebuild": n_rebuild}
    stores: dict[str, Callable[[str], EventStore]] = {
        "sqlite": lambda name: SqliteEventStore(tmpdir / f"{name}.db", codec),
        "memory": lambda name: InMemoryEventStore(codec),
    }
    for adapter, open_store in stores.items():
        store = open_store("appends")
        try:
            results[f"{adapter}_append_1_events_per_s"] = await _append_rate(
                store, appends=_SINGLE_APPENDS, batch_size=1, appenders=_SINGLE_APPENDERS
            )
            results[f"{adapter}_append_100_events_per_s"] = await _append_rate(
                store, appends=_BATCH_APPENDS, batch_size=_BATCH_SIZE, appenders=_BATCH_APPENDERS
            )
        finally:
            await store.close()

        store = open_store("replay")
        try:
            results[f"{adapter}_bulk_load_events_per_s"] = await _bulk_load(store, n_rebuild)
            results[f"{adapter}_read_all_events_per_s"] = await _replay_rate(store, n_rebuild)
        finally:
            await store.close()

    for operation in ("append_1", "append_100", "read_all"):
        memory_rate = results[f"memory_{operation}_events_per_s"]
        results[f"sqlite_vs_memory_{operation}"] = results[f"sqlite_{operation}_events_per_s"] / memory_rate
    return results


async def _append_rate(store: EventStore, *, appends: int, batch_size: int, appenders: int) -> float:
    """Events/s when ``appenders`` tasks share ``appends`` appends of ``batch_size`` new events."""
    # Events are built before the clock starts: this measures the store, not uuid4().
    batches = [
        [NewEvent("UserCreated", _PAYLOAD, _METADATA) for _ in range(batch_size)] for _ in range(appends)
    ]
    run = uuid.uuid4().hex[:8]
    next_batch = iter(enumerate(batches))

    async def appender() -> None:
        for index, events in next_batch:
            await store.append(f"user-{run}-{index}", events, StreamState.NO_STREAM)

    started = time.perf_counter()
    await asyncio.gather(*(appender() for _ in range(appenders)))
    return appends * batch_size / (time.perf_counter() - started)


async def _bulk_load(store: EventStore, count: int) -> float:
    """Fill the store with ``count`` events as fast as the adapter allows; returns events/s."""
    # Monotonic ids keep SQLite's unique id index append-only; random uuid4 ids would make every
    # commit rewrite pages all over that index, which is not what this part sets out to measure.
    id_base = uuid.uuid4().int & ~((1 << 64) - 1)
    ids = (str(uuid.UUID(int=id_base + n)) for n in itertools.count())
    batch_sizes = [min(_LOAD_BATCH_SIZE, count - start) for start in range(0, count, _LOAD_BATCH_SIZE)]
    next_batch = iter(enumerate(batch_sizes))

    async def loader() -> None:
        for index, size in next_batch:
            events = [NewEvent("UserCreated", _PAYLOAD, _METADATA, id=next(ids)) for _ in range(size)]
            await store.append(f"user-bulk-{index}", events, StreamState.NO_STREAM)

    started = time.perf_counter()
    await asyncio.gather(*(loader() for _ in range(_LOAD_APPENDERS)))
    return count / (time.perf_counter() - started)


async def _replay_rate(store: EventStore, expected: int) -> float:
    """Events/s of one full read_all, decoding every event as a projection rebuild would."""
    started = time.perf_counter()
    replayed = 0
    async for _event in store.read_all():
        replayed += 1
    elapsed = time.perf_counter() - started
    if replayed != expected:
        raise RuntimeError(f"replayed {replayed} events, expected {expected}")
    return replayed / elapsed


def main() -> None:
    n_rebuild = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory(prefix="iamd-eventstore-bench-") as tmpdir:
        results = asyncio.run(run_eventstore_bench(pathlib.Path(tmpdir), n_rebuild=n_rebuild))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
