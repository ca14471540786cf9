"""The transport floor: a grpc.aio server on the same grpcio as iamd that answers Authorize and
AuthorizeBatch under the same method names and message types, with a fixed answer (the bytes of
a real iamd answer) and no authentication, authorization, decision or audit.

With `--durable-db`, the floor of a durable service instead: each call's request bytes are
committed to a SQLite file (WAL, synchronous=FULL, as iamd's store) by one writer thread that
group-commits whatever is queued, and the call is answered only once its row is committed: what
iamd's durable audit costs at the least, without anything else iamd does.

    python -m tests.bench.echo_server --port 50099 --response-file answer.bin [--durable-db f.db]
"""

from __future__ import annotations

import argparse
import asyncio
import queue
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

import grpc

from iamd.v1 import authorization_pb2 as apb

SERVICE = apb.DESCRIPTOR.services_by_name["AuthorizationService"].full_name
Record = Callable[[bytes], Awaitable[None]]


class DurableRecords:
    """One row per call, group-committed by one thread; `record` returns once its row is durable."""

    def __init__(self, path: Path) -> None:
        self._queue: queue.SimpleQueue[tuple[bytes, asyncio.Future[None], asyncio.AbstractEventLoop]] = \
            queue.SimpleQueue()
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        connection.execute("CREATE TABLE IF NOT EXISTS records (position INTEGER PRIMARY KEY, data BLOB NOT NULL)")
        threading.Thread(target=self._write, args=(connection,), name="echo-writer", daemon=True).start()

    async def record(self, data: bytes) -> None:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.put((data, future, loop))
        await future

    def _write(self, connection: sqlite3.Connection) -> None:
        while True:
            group = [self._queue.get()]
            while True:
                try:
                    group.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            failure: Exception | None = None
            try:
                connection.execute("BEGIN IMMEDIATE")
                connection.executemany("INSERT INTO records (data) VALUES (?)", [(data,) for data, _, _ in group])
                connection.execute("COMMIT")
            except Exception as e:  # noqa: BLE001 — the callers learn it; the thread lives on
                failure = e
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
            group[0][2].call_soon_threadsafe(_settle, [future for _, future, _ in group], failure)


def _settle(futures: list[asyncio.Future[None]], failure: Exception | None) -> None:
    for future in futures:
        if not future.done():
            if failure is None:
                future.set_result(None)
            else:
                future.set_exception(failure)


def handler(answer: apb.AuthorizeResponse, record: Record | None = None) -> grpc.GenericRpcHandler:
    async def authorize(request: apb.AuthorizeRequest, context: grpc.aio.ServicerContext) -> apb.AuthorizeResponse:
        if record is not None:
            await record(request.SerializeToString())
        return answer

    async def authorize_batch(request: apb.AuthorizeBatchRequest,
                              context: grpc.aio.ServicerContext) -> apb.AuthorizeBatchResponse:
        if record is not None:
            await record(request.SerializeToString())
        return apb.AuthorizeBatchResponse(responses=[answer] * len(request.requests))

    # Requests are parsed and answers serialized, as iamd's generated servicer does.
    return grpc.method_handlers_generic_handler(SERVICE, {
        "Authorize": grpc.unary_unary_rpc_method_handler(
            authorize, request_deserializer=apb.AuthorizeRequest.FromString,
            response_serializer=apb.AuthorizeResponse.SerializeToString),
        "AuthorizeBatch": grpc.unary_unary_rpc_method_handler(
            authorize_batch, request_deserializer=apb.AuthorizeBatchRequest.FromString,
            response_serializer=apb.AuthorizeBatchResponse.SerializeToString),
    })


async def serve(port: int, answer: apb.AuthorizeResponse, durable_db: Path | None = None) -> None:
    server = grpc.aio.server()
    record = DurableRecords(durable_db).record if durable_db is not None else None
    server.add_generic_rpc_handlers((handler(answer, record),))
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    await server.wait_for_termination()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--response-file", type=Path, required=True, help="a serialized AuthorizeResponse")
    parser.add_argument("--durable-db", type=Path, help="commit each call's request here before answering")
    args = parser.parse_args()
    answer = apb.AuthorizeResponse.FromString(args.response_file.read_bytes())
    try:
        asyncio.run(serve(args.port, answer, args.durable_db))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
