"""Raw storage baselines, each in its own process like iamd, printing one JSON line:

    python -m tests.bench.raw_store replay DB             # plain sqlite3 + orjson over every row
    python -m tests.bench.raw_store append DB --concurrency 16 --calls 500
                                                           # 1-event appends through iamd's adapter
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import time
from pathlib import Path

import orjson

from iamd.service.domain.events import USER, UserCreated, event_type
from iamd.service.domain.names import entity_arn, stream_name
from iamd.service.eventstore import EventCodec, NewEvent, SqliteEventStore, StreamState

ACCOUNT = "123456789012"
NOW = "2026-12-01T00:00:00Z"


def replay(db: Path) -> dict:
    """What no event store can beat: read every row of the file and decode its payload."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    loads = orjson.loads
    started = time.perf_counter()
    count = 0
    for _position, _stream, _type, data in connection.execute(
            "SELECT position, stream, type, data FROM events ORDER BY position"):
        loads(data)
        count += 1
    seconds = time.perf_counter() - started
    connection.close()
    return {"events": count, "seconds": round(seconds, 3), "events_per_s": round(count / seconds)}


def _user_created(name: str) -> NewEvent:
    event = UserCreated(name=name, id=f"AIDA{abs(hash(name)) % 10**17:017d}",
                        arn=entity_arn(ACCOUNT, USER, "/", name), path="/", created_at=NOW)
    metadata = {"request_id": name, "actor": f"arn:aws:iam::{ACCOUNT}:root", "source_ip": "127.0.0.1",
                "user_agent": "bench", "time": NOW, "operation": "CreateUser"}
    return NewEvent(event_type(USER, event), event.to_data(), metadata)


async def append(db: Path, concurrency: int, calls: int, prefix: str) -> dict:
    """`calls` appends of one UserCreated each to a new stream, `concurrency` at once."""
    store = SqliteEventStore(db, EventCodec())
    numbers = iter(range(calls))

    async def appender() -> None:
        for n in numbers:
            name = f"{prefix}-{n}"
            await store.append(stream_name(USER, ACCOUNT, name), [_user_created(name)], StreamState.NO_STREAM)

    try:
        started = time.perf_counter()
        await asyncio.gather(*(appender() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    finally:
        await store.close()
    return {"concurrency": concurrency, "calls": calls, "seconds": round(seconds, 4),
            "calls_per_s": round(calls / seconds, 1)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["replay", "append"])
    parser.add_argument("db", type=Path)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--prefix", default="raw")
    args = parser.parse_args(argv)
    if args.what == "replay":
        result = replay(args.db)
    else:
        result = asyncio.run(append(args.db, args.concurrency, args.calls, args.prefix))
    sys.stdout.buffer.write(orjson.dumps(result) + b"\n")


if __name__ == "__main__":
    main()
