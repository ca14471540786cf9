"""A FAKE KurrentDB server, for tests only: never a substitute for the real database.

No KurrentDB server can be installed on the development machines, so this module serves the
part of the KurrentDB gRPC API that ``kurrentdbclient``'s asyncio client uses for
``KurrentDbEventStore``, over real gRPC on a loopback port, built on the generated protobuf
modules that kurrentdbclient ships (``kurrentdbclient.protos.v1``):

- ``event_store.client.streams.Streams/BatchAppend``: appends with the server's expected-version
  rules (no stream, any, stream exists, exact revision) and its error details;
- ``event_store.client.streams.Streams/Read``: stream reads (forwards and backwards), $all reads
  (from start, end or a position; forwards inclusive of the position, backwards exclusive;
  filtered by stream-name or event-type regex or prefixes) and catch-up subscriptions to $all
  (confirmation, events after the position, caught-up, then live events);
- ``event_store.client.gossip.Gossip/Read``: a one-node cluster whose leader is this server, so
  ``kurrentdb+discover://`` connection strings work too;
- appends that commit but whose answer is lost (``lose_append_answers``), and the server's
  idempotent write: the same event ids appended again where they already are succeed, with no
  position in the answer;
- the server's maximum append size (``max_append_bytes``, MaximumAppendSizeExceeded beyond it);
- checkpoints in filtered $all subscriptions, at the server's interval (see ``_Checkpoints``);
  ``records_read`` counts the records $all reads examine, which is what a search costs the server;
- on command, what a cluster does to live subscriptions: ``drop_subscriptions`` ends them (with
  an error status or a clean end of the stream), ``refuse_subscriptions`` makes new ones fail
  with UNAVAILABLE "Server Is Not Ready" as a node does while it starts or elects a leader.

The client connects with ``kurrentdb://127.0.0.1:<port>?Tls=false`` (see ``FakeKurrentDb.uri``).
The log is in memory. Commit positions grow by each record's size, with gaps, as the real
server's log offsets do, and a few system events (``$``-prefixed streams and types) are
recorded at start-up, as a real server's are, so clients have to filter them.

- ``event_store.client.streams.Streams/Delete`` (a soft delete) and ``$tb`` (truncate before) in
  stream metadata (``$$<stream>``, as ``set_stream_metadata`` appends it): as KurrentDB does, a
  read of the stream then starts at ``$tb`` (a soft delete sets it past the last event, and the
  read answers StreamNotFound), appends continue the stream's revisions, and $all still returns
  the removed events, because only a scavenge takes them out of the log (KurrentDB docs,
  "Deleting streams and events": "When reading a stream, the index checks the stream's
  metadata"; the fake never scavenges).

Not emulated: the v2 streams API (``kurrent.rpc``, multi-stream appends), the v1 unary
``Append`` (the asyncio client uses BatchAppend), stream subscriptions, hard deletes (tombstones), scavenges,
links,
persistent subscriptions, projections, authentication and TLS.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
import grpc.aio
from google.protobuf import any_pb2, empty_pb2
from kurrentdbclient.protos.google.rpc import code_pb2
from kurrentdbclient.protos.v1 import (
    gossip_pb2,
    gossip_pb2_grpc,
    shared_pb2,
    status_pb2,
    streams_pb2,
    streams_pb2_grpc,
)

_ReadOptions = streams_pb2.ReadReq.Options
_RecordedEventMessage = streams_pb2.ReadResp.ReadEvent.RecordedEvent

# A real log starts with its own records; user events are never at position 0.
_FIRST_POSITION = 4_096
# Bytes a real record spends on headers beside the event's own data and metadata.
_RECORD_OVERHEAD = 120


@dataclass(frozen=True, slots=True)
class _Record:
    """One event in the fake's log."""

    position: int
    stream: str
    revision: int
    id: str
    type: str
    content_type: str
    data: bytes
    metadata: bytes
    created_ticks: int  # 100-nanosecond ticks since the Unix epoch, as the server reports them


@dataclass
class _FakeLog:
    """The fake's database: one ordered list of records plus an index by stream."""

    records: list[_Record] = field(default_factory=list)
    streams: dict[str, list[_Record]] = field(default_factory=dict)
    next_position: int = _FIRST_POSITION
    # Replaced after every append; live subscriptions wait on the one they saw.
    appended: asyncio.Event = field(default_factory=asyncio.Event)
    # Set (and replaced) by FakeKurrentDb.drop_subscriptions: every live subscription then ends.
    dropped: asyncio.Event = field(default_factory=asyncio.Event)
    drop_status: grpc.StatusCode | None = None  # how they end: this error, or a clean end (None)
    refuse_subscriptions: bool = False  # new subscriptions fail with UNAVAILABLE (a node not ready)
    # KurrentDB's MaxAppendSize: 1 MiB by default up to 25.0 (16 MiB from 25.1); an append whose
    # events' data and metadata are larger is refused with MaximumAppendSizeExceeded.
    max_append_bytes: int = 1_048_576
    # Appends still to commit whose answer is then lost (see FakeKurrentDb.lose_append_answers).
    answers_to_lose: int = 0
    # Records of $all that reads (not subscriptions) have examined, matching or not.
    records_read: int = 0
    # Per stream, the first revision a read returns (`$tb` of its metadata, or a soft delete's).
    truncated_before: dict[str, int] = field(default_factory=dict)
    soft_deleted: set[str] = field(default_factory=set)  # until an append brings them back

    def last_revision(self, stream: str) -> int | None:
        records = self.streams.get(stream)
        return records[-1].revision if records else None

    def append(self, stream: str, proposed: list[Any]) -> list[_Record]:
        """Record proposed messages at the end of ``stream``; the caller has checked versions."""
        stream_records = self.streams.setdefault(stream, [])
        created_ticks = time.time_ns() // 100
        new_records = []
        for message in proposed:
            record = _Record(
                position=self.next_position,
                stream=stream,
                revision=len(stream_records),
                id=message.id.string,
                type=message.metadata["type"],
                content_type=message.metadata.get("content-type", "application/octet-stream"),
                data=message.data,
                metadata=message.custom_metadata,
                created_ticks=created_ticks,
            )
            self.next_position += _RECORD_OVERHEAD + len(stream) + len(record.data) + len(record.metadata)
            stream_records.append(record)
            self.records.append(record)
            new_records.append(record)
            if stream.startswith("$$") and record.type == "$metadata":
                with contextlib.suppress(ValueError, TypeError, AttributeError):
                    tb = json.loads(record.data).get("$tb")
                    if isinstance(tb, int):
                        self.truncated_before[stream[2:]] = tb
        self.soft_deleted.discard(stream)
        self.appended.set()
        self.appended = asyncio.Event()
        return new_records

    def is_boundary(self, position: int) -> bool:
        """Whether a read may start at `position`: the log's start or end, or a record's position."""
        if position <= 0 or position >= self.next_position:
            return True
        index = self.index_from(position)
        return index < len(self.records) and self.records[index].position == position

    def index_from(self, position: int) -> int:
        """Index of the first record at or after ``position``."""
        return bisect.bisect_left(self.records, position, key=lambda record: record.position)


class _StreamsServicer(streams_pb2_grpc.StreamsServicer):
    def __init__(self, log: _FakeLog, leader_endpoint: Callable[[], tuple[str, int] | None]) -> None:
        self._log = log
        self._leader_endpoint = leader_endpoint  # None on the leader itself

    async def _refuse_unless_leader(self, context: grpc.aio.ServicerContext) -> None:
        """What a follower answers a call that requires the leader (appends always do; reads do
        unless the client prefers another node): NOT_FOUND "Leader info available", naming the
        leader in the trailers, as KurrentDB's classic gRPC API does."""
        leader = self._leader_endpoint()
        if leader is None:
            return
        requires_leader = dict(context.invocation_metadata() or ()).get("requires-leader") == "true"
        if requires_leader:
            await context.abort(grpc.StatusCode.NOT_FOUND, "Leader info available",
                                trailing_metadata=(("leader-endpoint-host", leader[0]),
                                                   ("leader-endpoint-port", str(leader[1]))))

    async def BatchAppend(  # noqa: N802 - gRPC method name
        self, request_iterator: AsyncIterator[streams_pb2.BatchAppendReq], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[streams_pb2.BatchAppendResp]:
        await self._refuse_unless_leader(context)
        # A batch may arrive in several requests sharing a correlation id; the last is_final.
        pending: dict[str, tuple[streams_pb2.BatchAppendReq.Options, list[Any]]] = {}
        async for request in request_iterator:
            correlation_id = request.correlation_id.string
            if request.HasField("options"):
                pending[correlation_id] = (request.options, [])
            options, proposed = pending[correlation_id]
            proposed.extend(request.proposed_messages)
            if request.is_final:
                del pending[correlation_id]
                response = self._append(request.correlation_id, options, proposed)
                if self._log.answers_to_lose and not response.HasField("error"):
                    self._log.answers_to_lose -= 1  # committed, but the caller never hears so
                    await context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, "the fake lost the append's answer")
                yield response

    def _already_written(self, stream: str, options: streams_pb2.BatchAppendReq.Options, expected_kind: str,
                         proposed: list[Any]) -> int | None:
        """The revision of the last of `proposed` if exactly these events (by id) are already in
        `stream` where this append expected them (anywhere, for `any`); None otherwise."""
        records = self._log.streams.get(stream, [])
        ids = [message.id.string for message in proposed]
        if expected_kind == "stream_position":
            starts = [options.stream_position + 1]
        elif expected_kind == "no_stream":
            starts = [0]
        else:
            starts = list(range(len(records)))
        for start in starts:
            if [r.id for r in records[start:start + len(ids)]] == ids:
                return records[start + len(ids) - 1].revision
        return None

    def _append(
        self, correlation_id: shared_pb2.UUID, options: streams_pb2.BatchAppendReq.Options, proposed: list[Any]
    ) -> streams_pb2.BatchAppendResp:
        stream = options.stream_identifier.stream_name.decode()
        current = self._log.last_revision(stream)
        expected_kind = options.WhichOneof("expected_stream_position")
        accepted = {
            "any": True,
            "no_stream": current is None,
            "stream_exists": current is not None,
            "stream_position": current == options.stream_position,
        }[expected_kind]
        response = streams_pb2.BatchAppendResp(
            correlation_id=correlation_id, stream_identifier=options.stream_identifier
        )
        _copy_expected(options, response)
        size = sum(len(message.data) + len(message.custom_metadata) for message in proposed)
        if size > self._log.max_append_bytes:
            detail = shared_pb2.MaximumAppendSizeExceeded(maxAppendSize=self._log.max_append_bytes)
            packed = any_pb2.Any()
            packed.Pack(detail)
            response.error.CopyFrom(status_pb2.Status(code=code_pb2.RESOURCE_EXHAUSTED,
                                                      message="Maximum Append Size Exceeded", details=packed))
            return response
        written = self._already_written(stream, options, expected_kind, proposed)
        if written is not None:
            # The server's idempotent write: the same event ids where the expected version says
            # they go are a success again, not a conflict, and its answer names no position.
            response.success.current_revision = written
            response.success.no_position.CopyFrom(empty_pb2.Empty())
            return response
        if not accepted:
            response.error.CopyFrom(_wrong_expected_version(options, expected_kind, current))
            return response
        records = self._log.append(stream, proposed)
        last = records[-1]
        response.success.current_revision = last.revision
        response.success.position.commit_position = last.position
        response.success.position.prepare_position = last.position
        return response

    async def Delete(  # noqa: N802 - gRPC method name
        self, request: streams_pb2.DeleteReq, context: grpc.aio.ServicerContext
    ) -> streams_pb2.DeleteResp:
        """A soft delete: the stream reads as not found from here (its `$tb` is past its last
        event), and an append to it continues its revisions; its events stay in $all."""
        await self._refuse_unless_leader(context)
        stream = request.options.stream_identifier.stream_name.decode()
        current = self._log.last_revision(stream)
        expected = request.options.WhichOneof("expected_stream_revision")
        if expected == "revision" and current != request.options.revision or \
                expected == "no_stream" and current is not None or expected == "stream_exists" and current is None:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "Wrong expected version")
        if current is not None:
            self._log.truncated_before[stream] = current + 1
            self._log.soft_deleted.add(stream)
        return streams_pb2.DeleteResp(no_position=shared_pb2.Empty())

    async def Read(  # noqa: N802 - gRPC method name
        self, request: streams_pb2.ReadReq, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[streams_pb2.ReadResp]:
        await self._refuse_unless_leader(context)
        options = request.options
        if options.WhichOneof("stream_option") == "all" and options.all.WhichOneof("all_option") == "position":
            position = options.all.position.commit_position
            if not self._log.is_boundary(position):
                # What KurrentDB answers a read or subscription of $all from a commit position
                # that is no record's (kurrentdbclient: InvalidCommitPositionError).
                await context.abort(grpc.StatusCode.UNKNOWN, "Unexpected FilteredReadAllResult: InvalidPosition")
        if options.WhichOneof("stream_option") == "stream":
            if options.WhichOneof("count_option") == "subscription":
                await context.abort(grpc.StatusCode.UNIMPLEMENTED, "the fake has no stream subscriptions")
            for response in self._read_stream(options):
                yield response
        elif options.WhichOneof("count_option") == "subscription":
            if self._log.refuse_subscriptions:  # what a node answers while it is not ready to serve
                await context.abort(grpc.StatusCode.UNAVAILABLE, "Server Is Not Ready")
            async for response in self._subscribe_all(options):
                if response is None:  # dropped (see FakeKurrentDb.drop_subscriptions)
                    if self._log.drop_status is not None:
                        await context.abort(self._log.drop_status, "the fake dropped the subscription")
                    return
                yield response
        else:
            for response in self._read_all(options):
                yield response

    def _read_stream(self, options: _ReadOptions) -> list[streams_pb2.ReadResp]:
        stream_options = options.stream
        stream = stream_options.stream_identifier.stream_name.decode()
        records = self._log.streams.get(stream)
        if records and stream in self._log.soft_deleted:
            records = None
        if not records:
            not_found = streams_pb2.ReadResp.StreamNotFound(stream_identifier=stream_options.stream_identifier)
            return [streams_pb2.ReadResp(stream_not_found=not_found)]
        backwards = options.read_direction == _ReadOptions.Backwards
        start = stream_options.WhichOneof("revision_option")
        if backwards:
            last = len(records) - 1 if start == "end" else min(stream_options.revision, len(records) - 1)
            selected = records[last::-1] if last >= 0 else []
        else:
            first = 0 if start == "start" else stream_options.revision
            selected = records[first:] if start != "end" else []
        truncated = self._log.truncated_before.get(stream, 0)
        selected = [record for record in selected if record.revision >= truncated]
        return [_event_response(record) for record in selected[: options.count]]

    def _read_all(self, options: _ReadOptions) -> list[streams_pb2.ReadResp]:
        records = self._log.records
        matches = _filter_for(options)
        start = options.all.WhichOneof("all_option")
        if options.read_direction == _ReadOptions.Backwards:
            # Backwards from a position excludes the record at it, as the server does.
            end = len(records) if start != "position" else self._log.index_from(options.all.position.commit_position)
            candidates = reversed(records[:end])
        else:
            first = {
                "start": 0,
                "end": len(records),
                "position": self._log.index_from(options.all.position.commit_position),
            }[start]
            candidates = iter(records[first:])
        selected = []
        for record in candidates:
            if len(selected) >= options.count:
                break
            self._log.records_read += 1
            if matches(record):
                selected.append(_event_response(record))
        return selected

    async def _subscribe_all(self, options: _ReadOptions) -> AsyncIterator[streams_pb2.ReadResp | None]:
        """The subscription's responses; None when the fake drops it."""
        log = self._log
        dropped = log.dropped
        matches = _filter_for(options)
        yield streams_pb2.ReadResp(
            confirmation=streams_pb2.ReadResp.SubscriptionConfirmation(subscription_id=str(uuid.uuid4()))
        )
        start = options.all.WhichOneof("all_option")
        if start == "start":
            next_index = 0
        elif start == "end":
            next_index = len(log.records)
        else:
            # A subscription starts after its position, unlike a read.
            position = options.all.position.commit_position
            next_index = log.index_from(position)
            if next_index < len(log.records) and log.records[next_index].position == position:
                next_index += 1
        caught_up_sent = False
        checkpoints = _Checkpoints.for_(options)
        while True:
            appended = log.appended  # taken before reading, so no append slips between
            while next_index < len(log.records):
                record = log.records[next_index]
                next_index += 1
                if matches(record):
                    yield _event_response(record)
                if checkpoints is not None and checkpoints.count(record):
                    yield checkpoints.response(record.position)
            if not caught_up_sent:
                if checkpoints is not None and next_index > 0:  # going live: the server sends one
                    checkpoints.considered = 0
                    yield checkpoints.response(log.records[next_index - 1].position)
                yield streams_pb2.ReadResp(caught_up=streams_pb2.ReadResp.CaughtUp())
                caught_up_sent = True
            waits = {asyncio.ensure_future(appended.wait()), asyncio.ensure_future(dropped.wait())}
            try:
                await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiting in waits:
                    waiting.cancel()
            if dropped.is_set():
                yield None
                return


class _GossipServicer(gossip_pb2_grpc.GossipServicer):
    def __init__(self, members: Callable[[], list[tuple[str, int, bool]]]) -> None:
        self._members = members  # (host, port, is_leader) of every node of the fake cluster

    async def Read(  # noqa: N802 - gRPC method name
        self, request: shared_pb2.Empty, context: grpc.aio.ServicerContext
    ) -> gossip_pb2.ClusterInfo:
        states = gossip_pb2.MemberInfo.VNodeState
        return gossip_pb2.ClusterInfo(members=[
            gossip_pb2.MemberInfo(
                instance_id=shared_pb2.UUID(string=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{host}:{port}"))),
                time_stamp=time.time_ns() // 100,
                state=states.Leader if is_leader else states.Follower,
                is_alive=True,
                http_end_point=gossip_pb2.EndPoint(address=host, port=port),
            )
            for host, port, is_leader in self._members()
        ])


class FakeKurrentDb:
    """The fake server: ``await start()``, connect with ``uri``, ``await stop()``."""

    def __init__(self, host: str = "127.0.0.1", *, leader: FakeKurrentDb | None = None, port: int = 0) -> None:
        """A one-node cluster; or, with `leader`, a follower of that node's cluster: it shares the
        leader's log, serves reads that do not require the leader, and answers anything else
        with NotLeader naming the leader (see `promote` for an election). `port`: the port to
        listen on (a node restarted where it was); 0 picks a free one."""
        self._host = host
        self._port = port
        self.leader: FakeKurrentDb | None = leader
        self._nodes: list[FakeKurrentDb] = leader._nodes if leader is not None else []
        self._nodes.append(self)
        self._log = leader._log if leader is not None else _FakeLog()
        self._server = grpc.aio.server()
        streams_pb2_grpc.add_StreamsServicer_to_server(_StreamsServicer(self._log, self._leader_endpoint), self._server)
        gossip_pb2_grpc.add_GossipServicer_to_server(_GossipServicer(self._members), self._server)
        if leader is None:
            self._record_system_events()

    def _leader_endpoint(self) -> tuple[str, int] | None:
        return None if self.leader is None else (self.leader._host, self.leader._port)

    def _members(self) -> list[tuple[str, int, bool]]:
        return [(node._host, node._port, node.leader is None) for node in self._nodes]

    def promote(self) -> None:
        """An election: this node becomes the leader of its cluster, every other one a follower."""
        for node in self._nodes:
            node.leader = None if node is self else self

    @property
    def uri(self) -> str:
        """Connection string for kurrentdbclient (insecure, single node)."""
        return f"kurrentdb://{self._host}:{self._port}?Tls=false"

    @property
    def discover_uri(self) -> str:
        """Connection string that discovers the (one-node) cluster through gossip first."""
        return f"kurrentdb+discover://{self._host}:{self._port}?Tls=false"

    async def start(self) -> None:
        self._port = self._server.add_insecure_port(f"{self._host}:{self._port}")
        await self._server.start()

    async def stop(self) -> None:
        # No grace: open subscriptions are endless streams and would hold shutdown up.
        await self._server.stop(grace=None)
        if self in self._nodes:
            self._nodes.remove(self)  # a stopped node leaves its cluster (a restart rejoins it)

    def drop_subscriptions(self, status: grpc.StatusCode | None = grpc.StatusCode.UNAVAILABLE) -> None:
        """End every live $all subscription, as a real cluster does when a node restarts, a leader
        is elected or a connection drops: with an error status (UNAVAILABLE: the client's
        ServiceUnavailableError), or with a clean end of the response stream when `status` is
        None (KurrentDB docs, "Catch-up subscriptions": a subscription can be dropped by the
        server, and the client must resubscribe from its last checkpoint)."""
        self._log.drop_status = status
        self._log.dropped.set()
        self._log.dropped = asyncio.Event()

    def lose_append_answers(self, count: int = 1) -> None:
        """The next `count` appends commit, then their call fails with DEADLINE_EXCEEDED, as when a
        write times out on the client while the cluster still commits it (KurrentDB docs,
        "Appending events": a timed-out append may have been written; idempotent ids resolve it)."""
        self._log.answers_to_lose = count

    @property
    def records_read(self) -> int:
        """Records of $all that reads (not subscriptions) have examined so far, matching their
        filter or not: what the server spends searching. Set it to 0 to start counting."""
        return self._log.records_read

    @records_read.setter
    def records_read(self, value: int) -> None:
        self._log.records_read = value

    def refuse_subscriptions(self, refuse: bool = True) -> None:
        """New $all subscriptions fail with UNAVAILABLE "Server Is Not Ready" while `refuse` holds
        (what a KurrentDB node answers during start-up or an election); reads and appends go on."""
        self._log.refuse_subscriptions = refuse

    def _record_system_events(self) -> None:
        def system_event(event_type: str) -> Any:
            return streams_pb2.BatchAppendReq.ProposedMessage(
                id=shared_pb2.UUID(string=str(uuid.uuid4())),
                metadata={"type": event_type, "content-type": "application/json"},
                data=b"{}",
            )

        self._log.append("$settings", [system_event("$settings")])
        self._log.append("$stats-127.0.0.1:2113", [system_event("$statsCollected")])


@contextlib.asynccontextmanager
async def running_fake() -> AsyncIterator[FakeKurrentDb]:
    """A started fake, stopped on the way out (the fixtures of the tests that drive it)."""
    server = FakeKurrentDb()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def _copy_expected(options: streams_pb2.BatchAppendReq.Options, response: streams_pb2.BatchAppendResp) -> None:
    """Echo the request's expected stream position in the response, as the server does."""
    kind = options.WhichOneof("expected_stream_position")
    if kind == "stream_position":
        response.stream_position = options.stream_position
    else:
        getattr(response, kind).CopyFrom(empty_pb2.Empty())


def _wrong_expected_version(
    options: streams_pb2.BatchAppendReq.Options, expected_kind: str, current: int | None
) -> status_pb2.Status:
    detail = shared_pb2.WrongExpectedVersion()
    if current is None:
        detail.current_no_stream.CopyFrom(empty_pb2.Empty())
    else:
        detail.current_stream_revision = current
    if expected_kind == "stream_position":
        detail.expected_stream_position = options.stream_position
    else:
        field_name = {"no_stream": "expected_no_stream", "any": "expected_any", "stream_exists": "expected_stream_exists"}
        getattr(detail, field_name[expected_kind]).CopyFrom(empty_pb2.Empty())
    packed = any_pb2.Any()
    packed.Pack(detail)
    return status_pb2.Status(code=code_pb2.FAILED_PRECONDITION, message="WrongExpectedVersion", details=packed)


def _filter_for(options: _ReadOptions) -> Callable[[_Record], bool]:
    """The predicate a $all read or subscription applies to each record."""
    if options.WhichOneof("filter_option") != "filter":
        return lambda record: True
    filter_options = options.filter
    on_stream_name = filter_options.WhichOneof("filter") == "stream_identifier"
    expression = filter_options.stream_identifier if on_stream_name else filter_options.event_type
    prefixes = tuple(expression.prefix)
    # The server matches with .NET's Regex.IsMatch, an unanchored search like re.search.
    pattern = re.compile(expression.regex) if expression.regex else None

    def matches(record: _Record) -> bool:
        subject = record.stream if on_stream_name else record.type
        if prefixes:
            return subject.startswith(prefixes)
        return pattern is None or pattern.search(subject) is not None

    return matches


@dataclass
class _Checkpoints:
    """When a filtered $all subscription sends a checkpoint, as KurrentDB does (25.1):

    - the interval is the request's search window times its checkpoint interval multiplier
      (``filter.max`` x ``filter.checkpointIntervalMultiplier``; a window given as ``count``
      is DefaultReadBatchSize, 32): Enumerator.AllSubscriptionFiltered's constructor, and
      DefaultReadBatchSize in Enumerator.cs (src/KurrentDB.Core/Services/Transport/Enumerators/).
      kurrentdbclient sends a window of 30 and a multiplier of 5 unless told otherwise;
    - while catching up, after every `interval` events of $all considered (matching the filter or
      not), at the position reached, and once more when it goes live (AllSubscriptionFiltered
      .CatchUp: "issue a checkpoint when going live"; the server's is the start of its last page
      read, up to a window earlier than the fake's, which is the last record's);
    - live, after every `interval` events committed to $all, matching or not, at that event's
      position (SubscriptionsService.ProcessEventCommited: CheckpointIntervalCurrent counts every
      committed event and sends CheckpointReached at CheckpointInterval).

    An unfiltered subscription gets none (Enumerator.AllSubscription sends no checkpoints)."""

    interval: int
    considered: int = 0

    @classmethod
    def for_(cls, options: _ReadOptions) -> _Checkpoints | None:
        if options.WhichOneof("filter_option") != "filter":
            return None
        window = options.filter.max if options.filter.WhichOneof("window") == "max" else 32
        # The server refuses a multiplier of 0 (ArgumentOutOfRangeException.ThrowIfZero).
        return cls(interval=max(window, 1) * max(options.filter.checkpointIntervalMultiplier, 1))

    def count(self, record: _Record) -> bool:
        """Count one more event considered; True when a checkpoint is due at its position."""
        self.considered += 1
        if self.considered < self.interval:
            return False
        self.considered = 0
        return True

    @staticmethod
    def response(position: int) -> streams_pb2.ReadResp:
        return streams_pb2.ReadResp(checkpoint=streams_pb2.ReadResp.Checkpoint(
            commit_position=position, prepare_position=position))


def _event_response(record: _Record) -> streams_pb2.ReadResp:
    event = _RecordedEventMessage(
        id=shared_pb2.UUID(string=record.id),
        stream_identifier=shared_pb2.StreamIdentifier(stream_name=record.stream.encode()),
        stream_revision=record.revision,
        prepare_position=record.position,
        commit_position=record.position,
        metadata={
            "type": record.type,
            "content-type": record.content_type,
            "created": str(record.created_ticks),
        },
        custom_metadata=record.metadata,
        data=record.data,
    )
    return streams_pb2.ReadResp(
        event=streams_pb2.ReadResp.ReadEvent(event=event, commit_position=record.position)
    )
