"""KurrentDB (EventStoreDB) event store: production and scale-out, via kurrentdbclient's asyncio client.

Mapping onto KurrentDB:

- an event's ``type`` is the KurrentDB event type and its payload the JSON data
  (content type application/json);
- the KurrentDB event metadata is our metadata JSON object plus the stored schema version under
  ``$schemaVersion`` (and, for an event id that is not a canonical UUID string, the original id
  under ``$iamdEventId``, as KurrentDB ids are UUIDs); callers' keys never start with ``$``;
- ``position`` is the KurrentDB commit position, which increases with every event, with gaps;
- system events (streams or types starting with ``$``) are never returned.

KurrentDB reads $all *from* a position inclusively and subscribes *after* it exclusively;
this adapter makes both exclusive, as the port requires, by skipping positions <= ``after``.
"""

from __future__ import annotations

import asyncio
import re
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import aclosing
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

import kurrentdbclient
import orjson
import structlog
from kurrentdbclient import AsyncKurrentDBClient
from kurrentdbclient.exceptions import (
    AbortedByServerError,
    MaximumAppendSizeExceededError,
    CancelledError,
    ConsumerTooSlowError,
    DeadlineExceededError,
    DiscoveryFailedError,
    FollowerNotFoundError,
    GrpcError,
    InvalidCommitPositionError,
    KurrentDBClientError,
    LeaderNotFoundError,
    NodeIsNotLeaderError,
    NotFoundError,
    ProgrammingError,
    ServiceUnavailableError,
    SubscriptionConfirmationError,
    WrongCurrentVersionError,
)

from .codec import EventCodec
from .errors import CodecError, EventStoreError, EventStoreUnavailable, InvalidPosition, WrongExpectedVersion
from .memory import check_append_arguments
from .port import AppendResult, EventFilter, ExpectedVersion, NewEvent, RecordedEvent, StreamState, in_batches

log = structlog.get_logger(__name__)

SCHEMA_VERSION_KEY = "$schemaVersion"
EVENT_ID_KEY = "$iamdEventId"

_EXPECTED_STATES = {
    StreamState.NO_STREAM: kurrentdbclient.StreamState.NO_STREAM,
    StreamState.ANY: kurrentdbclient.StreamState.ANY,
    StreamState.EXISTS: kurrentdbclient.StreamState.EXISTS,
}

# Errors that mean "the server cannot be reached or did not answer", as opposed to a refusal:
# transient states of a cluster too (an election, a node not ready or no longer leader, a
# subscription the server ended before confirming it or dropped for a slow consumer), which a
# caller retries or resubscribes after instead of treating as a refusal.
_UNAVAILABLE_ERRORS = (
    ServiceUnavailableError,
    DiscoveryFailedError,
    DeadlineExceededError,
    GrpcError,
    CancelledError,
    SubscriptionConfirmationError,
    NodeIsNotLeaderError,
    LeaderNotFoundError,
    FollowerNotFoundError,
    AbortedByServerError,
    ConsumerTooSlowError,
)

# KurrentDB's own streams start with `$`; matched on the server so they never cross the wire.
_SYSTEM_STREAMS_REGEX = r"\$.*"
_BATCH = 1_000  # events per read_all_batches batch
# A head read searches $all on the server: from the end backwards (past every audit record written
# since the last identity event, for the identity streams' head) unless the caller says where it
# already knows the log (head_position's `after`: a runner's checkpoint), then forwards from there.
# Bounded, it fails as "unavailable" (retryable) instead of holding a command up.
HEAD_TIMEOUT = 5.0
# A filtered subscription's checkpoint interval is window (kurrentdbclient: 30) x this multiplier
# events of $all, matching or not (KurrentDB: Enumerator.AllSubscriptionFiltered, SubscriptionsService
# ProcessEventCommited). The client's default multiplier, 5, would leave up to 150 events between
# the last checkpoint and the head; 1 leaves 30, for a message every 30 events of the log.
CHECKPOINT_INTERVAL_MULTIPLIER = 1
_LANDED_LOOKBACK = 64  # events appended by others behind an append whose answer was lost
_LEADER_HOPS = 3  # NotLeader answers followed per call (an election can move the leader again)
_RETIRE_AFTER = 30.0  # seconds a replaced writer stays open for the calls still on it
_T = TypeVar("_T")
_EPOCH = datetime.fromtimestamp(0, UTC)


# gRPC keepalive pings, as KurrentDB's own clients default to (10 s, 10 s): without them a crashed
# node or a network partition leaves a live subscription waiting forever with no error.
KEEPALIVE_DEFAULTS = (("KeepAliveInterval", "10000"), ("KeepAliveTimeout", "10000"))


def with_keepalive(uri: str) -> str:
    """`uri` with keepalive on unless it sets its own (kurrentdbclient sets none by default)."""
    base, _, query = uri.partition("?")
    given = {pair.partition("=")[0].lower() for pair in query.split("&") if pair}
    added = [f"{name}={value}" for name, value in KEEPALIVE_DEFAULTS if name.lower() not in given]
    if not added:
        return uri
    return f"{base}?{'&'.join(filter(None, [query, *added]))}"


class _Client(AsyncKurrentDBClient):
    """kurrentdbclient, reading the URI's user and password percent-decoded.

    A URI writes reserved characters of its userinfo percent-encoded (RFC 3986 3.2.1; a password
    with `@`, `:` or `/` cannot be written otherwise), but kurrentdbclient sends them as written,
    so the server refuses them.
    """

    def construct_call_credentials(self, username: str | None, password: str | None) -> Any:
        return super().construct_call_credentials(
            unquote(username) if username else username, unquote(password) if password else password
        )


class KurrentDbEventStore:
    """EventStore on a KurrentDB node or cluster, addressed by a kurrentdb:// or esdb:// URI."""

    # The largest append every supported server takes (MaxAppendSize: 1 MiB by default up to
    # KurrentDB 25.0, 16 MiB from 25.1): writers of independent events (the audit writer) split
    # their batches to fit. An atomic append beyond it is refused by the server.
    max_append_bytes = 1_048_576

    def __init__(
        self, uri: str, codec: EventCodec, *, root_certificates: str | bytes | None = None
    ) -> None:
        # Connecting is lazy: the client dials on its first call (and redials after failures).
        self._uri = with_keepalive(uri)
        self._root_certificates = root_certificates
        self._client = _Client(self._uri, root_certificates=root_certificates)
        # Appends, and what reads one back, go to the leader whatever the URI prefers for reads
        # (a follower preference, or one host that is a follower): the client it uses follows the
        # leader a NotLeader answer names (see _on_leader).
        self._writer = self._client
        self._retiring: set[asyncio.Task[None]] = set()  # writers being closed (see _retire)
        self._codec = codec
        self._closed = False

    async def append(
        self, stream: str, events: Sequence[NewEvent], expected: ExpectedVersion
    ) -> AppendResult:
        self._check_open()
        check_append_arguments(events, expected)
        new_events = [self._encode(event) for event in events]
        current_version = _EXPECTED_STATES[expected] if isinstance(expected, StreamState) else expected
        try:
            position = await self._on_leader(
                lambda writer: writer.append_to_stream(stream, events=new_events, current_version=current_version)
            )
        except WrongCurrentVersionError as e:
            # The client retries an append whose answer it lost: a conflict with our own events,
            # committed by the first attempt, is that append's success.
            landed = await self._landed(stream, new_events)
            if landed is not None:
                return landed
            actual = e.actual_version
            raise WrongExpectedVersion(stream, expected, actual if isinstance(actual, int) else None) from e
        except MaximumAppendSizeExceededError as e:
            raise EventStoreError(f"kurrentdb refused appending to `{stream}`: {len(events)} events are more "
                                  f"than one append may hold ({e})") from e
        except _UNAVAILABLE_ERRORS as e:
            # No answer is not "not written": a timed-out or cut-off append may have committed.
            # Its events' ids say: read the stream's tail back before reporting an outage.
            landed = await self._landed(stream, new_events)
            if landed is None:
                raise _translate(e, f"appending to `{stream}`") from e
            log.warning("kurrentdb_append_resolved", stream=stream, outcome="committed", error=str(e))
            return landed
        except KurrentDBClientError as e:
            raise _translate(e, f"appending to `{stream}`") from e

        if not position:  # an idempotent write's answer names no position: read it back
            landed = await self._landed(stream, new_events)
            if landed is None:
                raise EventStoreError(f"kurrentdb answered the append to `{stream}` without a position, "
                                      "and its events are not at the stream's end")
            return landed
        if isinstance(expected, int):
            version = expected + len(events)
        elif expected is StreamState.NO_STREAM:
            version = len(events) - 1
        else:
            version = await self._version_at(position, stream, new_events[-1].id)
        return AppendResult(version=version, position=position)

    async def read_stream(
        self, stream: str, from_version: int = 0, limit: int | None = None
    ) -> list[RecordedEvent]:
        self._check_open()
        if limit == 0:
            return []
        try:
            recorded = await self._client.get_stream(
                stream,
                stream_position=max(from_version, 0),
                limit=sys.maxsize if limit is None else limit,
            )
        except NotFoundError:
            return []
        except KurrentDBClientError as e:
            raise _translate(e, f"reading `{stream}`") from e
        return [self._decode(event) for event in recorded]

    async def read_all(
        self,
        after: int | None = None,
        filter: EventFilter | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[RecordedEvent]:
        self._check_open()
        if limit is not None and limit <= 0:
            return
        after = after or 0
        server_filter = _ServerFilter.for_(filter)
        try:
            response = await self._client.read_all(
                commit_position=after or None, **server_filter.arguments
            )
        except KurrentDBClientError as e:
            raise _translate(e, "reading $all", after) from e
        async for event in self._drain(response, lambda recorded: recorded.commit_position <= after,
                                       server_filter, limit, "reading $all", after):
            yield event

    async def read_all_batches(
        self, after: int | None = None, filter: EventFilter | None = None
    ) -> AsyncIterator[list[RecordedEvent]]:
        # The client streams events one by one: batches only spare the caller its awaits.
        async with aclosing(self.read_all(after=after, filter=filter)) as events:
            async for batch in in_batches(events, _BATCH):
                yield batch

    def replay_batches(
        self, after: int | None = None, filter: EventFilter | None = None
    ) -> AsyncIterator[list[RecordedEvent]]:
        return self.read_all_batches(after=after, filter=filter)  # nothing cheaper to read here

    async def read_all_backwards(
        self,
        before: int | None = None,
        filter: EventFilter | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[RecordedEvent]:
        self._check_open()
        if (limit is not None and limit <= 0) or (before is not None and before <= 0):
            return
        server_filter = _ServerFilter.for_(filter)
        try:
            # From the end, or from `before`; positions >= before are skipped here, whether or not
            # the server includes the one it starts from.
            response = await self._client.read_all(
                commit_position=before, backwards=True, **server_filter.arguments
            )
        except KurrentDBClientError as e:
            raise _translate(e, "reading $all backwards") from e
        async for event in self._drain(
                response, lambda recorded: before is not None and recorded.commit_position >= before,
                server_filter, limit, "reading $all backwards"):
            yield event

    async def _drain(self, response: Any, outside: Callable[[Any], bool], server_filter: _ServerFilter,
                     limit: int | None, what: str, position: int | None = None) -> AsyncIterator[RecordedEvent]:
        """A read of $all, decoded: events `outside` the range asked for or the filter skipped, at
        most `limit` of them; the read is stopped however the caller leaves."""
        yielded = 0
        try:
            async for recorded in response:
                if outside(recorded) or not server_filter.admits(recorded):
                    continue
                yield self._decode(recorded)
                yielded += 1
                if limit is not None and yielded >= limit:
                    return
        except KurrentDBClientError as e:
            raise _translate(e, what, position) from e
        finally:
            await response.stop()

    async def subscribe_all(
        self, after: int | None = None, filter: EventFilter | None = None,
        *, on_live: Callable[[], None] | None = None,
        on_checkpoint: Callable[[int], None] | None = None,
    ) -> AsyncIterator[RecordedEvent]:
        self._check_open()
        after = after or 0
        server_filter = _ServerFilter.for_(filter)
        # The server's checkpoints (the subscription is always filtered: system streams at least)
        # say how far it has searched $all; asked for only by a caller that uses them.
        checkpoints = {} if on_checkpoint is None else {
            "include_checkpoints": True, "checkpoint_interval_multiplier": CHECKPOINT_INTERVAL_MULTIPLIER}
        try:
            subscription = await self._client.subscribe_to_all(
                commit_position=after or None, **server_filter.arguments, **checkpoints
            )
        except KurrentDBClientError as e:
            raise _translate(e, "subscribing to $all", after) from e
        if on_live is not None:  # the server confirmed the subscription
            on_live()
        # A dropped subscription surfaces as EventStoreUnavailable: the caller resumes from the
        # position of the last event it processed, which is what its checkpoint is for.
        try:
            async for recorded in subscription:
                if isinstance(recorded, kurrentdbclient.Checkpoint):
                    # Every match up to it was yielded (and processed: we are asked for the next).
                    if on_checkpoint is not None and recorded.commit_position > after:
                        on_checkpoint(recorded.commit_position)
                    continue
                if recorded.commit_position <= after or not server_filter.admits(recorded):
                    continue
                yield self._decode(recorded)
        except KurrentDBClientError as e:
            raise _translate(e, "subscribing to $all", after) from e
        finally:
            await subscription.stop()

    async def head_position(self, filter: EventFilter | None = None, *, after: int | None = None) -> int:
        self._check_open()
        if after:
            try:
                return await self._last_match_after(after, filter)
            except InvalidPosition:  # a checkpoint's position is a record's; should it not be
                log.warning("kurrentdb_head_searched_from_the_end", after=after)
        head = await self._head_from_the_end(filter)
        return head if not after or head > after else 0

    async def _last_match_after(self, after: int, filter: EventFilter | None) -> int:
        """The last event `filter` matches after `after` (0: none), searched forwards from there:
        the server reads what lies after `after`, whatever lies behind it.

        On the leader (the writer), which holds every event acknowledged to anyone before this
        call; a follower may not hold them yet."""
        server_filter = _ServerFilter.for_(filter)
        last = 0
        try:
            response = await self._writer.read_all(
                commit_position=after, timeout=HEAD_TIMEOUT, **server_filter.arguments)
            try:
                async for recorded in response:
                    if recorded.commit_position > after and server_filter.admits(recorded):
                        last = recorded.commit_position
            finally:
                await response.stop()
        except KurrentDBClientError as e:
            raise _translate(e, "searching $all forwards for the head", after) from e
        return last

    async def _head_from_the_end(self, filter: EventFilter | None = None) -> int:
        # On the leader (the writer), as _last_match_after: a head must hold every write another
        # replica was acknowledged (min_position checks against it), which a follower may lack.
        try:
            if filter is not None and filter.stream_prefixes and not filter.event_types:
                # One alternation group: the client anchors a list as `^a|b$`, whose middle
                # alternatives would match anywhere in a name (`$user-<login>`, say).
                alternatives = "|".join(f"{re.escape(p)}.*" for p in filter.stream_prefixes)
                return await self._writer.get_commit_position(
                    filter_include=(f"(?:{alternatives})",), filter_exclude=(), filter_by_stream_name=True,
                    timeout=HEAD_TIMEOUT,
                )
            if filter is not None:
                # Types, or prefixes and types together: the server filters one or the other.
                last = 0
                async for event in self.read_all(filter=filter):
                    last = event.position
                return last
            return await self._writer.get_commit_position(
                filter_exclude=(_SYSTEM_STREAMS_REGEX,), filter_by_stream_name=True, timeout=HEAD_TIMEOUT,
            )
        except KurrentDBClientError as e:
            raise _translate(e, "reading the head of $all") from e

    async def remove_streams(self, streams: Sequence[str], truncate_before: Mapping[str, int] | None = None) -> None:
        """KurrentDB's own ways: a soft delete of each whole stream (Streams/Delete; reads of it
        then answer StreamNotFound, and appends continue its versions), and `$tb` (truncate
        before) in the metadata of a stream cut at a version. The server reclaims the space at its
        next scavenge; until then $all still returns those events (see the port). Not atomic
        across streams: an interrupted removal is finished by running it again."""
        self._check_open()
        for stream in streams:
            try:
                await self._on_leader(lambda writer, s=stream: writer.delete_stream(
                    s, current_version=kurrentdbclient.StreamState.ANY))
            except NotFoundError:
                pass  # already gone
            except KurrentDBClientError as e:
                raise _translate(e, f"deleting `{stream}`") from e
        for stream, version in (truncate_before or {}).items():
            try:
                try:
                    metadata, _ = await self._client.get_stream_metadata(stream)
                except NotFoundError:
                    metadata = {}
                if int(metadata.get("$tb") or 0) >= version:
                    continue
                await self._on_leader(lambda writer, s=stream, m=metadata: writer.set_stream_metadata(
                    s, metadata={**m, "$tb": version}, current_version=kurrentdbclient.StreamState.ANY))
            except KurrentDBClientError as e:
                raise _translate(e, f"truncating `{stream}` before version {version}") from e

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for task in list(self._retiring):
            task.cancel()
        if self._writer is not self._client:
            await _close_client(self._writer)
        await _close_client(self._client)

    # -- mapping ----------------------------------------------------------------------------

    def _encode(self, event: NewEvent) -> kurrentdbclient.NewEvent:
        metadata: dict[str, Any] = {**event.metadata, SCHEMA_VERSION_KEY: event.schema_version}
        try:
            event_uuid = uuid.UUID(event.id)
        except ValueError:
            event_uuid = uuid.uuid5(uuid.NAMESPACE_URL, f"iamd:event:{event.id}")
        if str(event_uuid) != event.id:  # keep the caller's exact id, which a UUID cannot carry
            metadata[EVENT_ID_KEY] = event.id
        return kurrentdbclient.NewEvent(
            type=event.type,
            data=self._codec.encode(event.data),
            metadata=self._codec.encode(metadata),
            content_type="application/json",
            id=event_uuid,
        )

    def _decode(self, recorded: kurrentdbclient.RecordedEvent) -> RecordedEvent:
        try:
            metadata = orjson.loads(recorded.metadata) if recorded.metadata else {}
        except orjson.JSONDecodeError as e:
            raise CodecError(f"event `{recorded.id}` has metadata that is not JSON: {e}") from e
        if not isinstance(metadata, dict):  # written by something other than iamd
            raise CodecError(f"event `{recorded.id}` has metadata that is not a JSON object")
        stored_version = metadata.pop(SCHEMA_VERSION_KEY, 1)
        event_id = metadata.pop(EVENT_ID_KEY, None) or str(recorded.id)
        data, schema_version = self._codec.decode(recorded.type, stored_version, recorded.data)
        return RecordedEvent(
            id=event_id,
            stream=recorded.stream_name,
            version=recorded.stream_position,
            position=recorded.commit_position,
            type=recorded.type,
            schema_version=schema_version,
            data=data,
            metadata=metadata,
            recorded_at=recorded.recorded_at or _EPOCH,
        )

    async def _landed(self, stream: str, new_events: list[kurrentdbclient.NewEvent]) -> AppendResult | None:
        """The result of an append whose answer was lost, if its events are in the stream (an
        append is atomic: its last event there means all of them are); None if they are not, or
        if the stream cannot be read either (the outcome stays unknown, and is reported so)."""
        try:
            # A little past the append's own events: others may have appended behind it since.
            tail = await self._on_leader(
                lambda writer: writer.get_stream(stream, backwards=True, limit=len(new_events) + _LANDED_LOOKBACK)
            )
        except KurrentDBClientError:  # NotFoundError among them: no stream, nothing landed
            return None
        last_id = new_events[-1].id
        for recorded in tail:
            if recorded.id == last_id:
                return AppendResult(version=recorded.stream_position, position=recorded.commit_position or 0)
        return None

    async def _version_at(self, position: int, stream: str, event_id: uuid.UUID) -> int:
        """Stream version of the event just appended at ``position`` (ANY/EXISTS appends).

        KurrentDB reports the new stream revision in its append response, but the client
        returns only the commit position, so read that one event back from $all.
        """
        try:
            response = await self._writer.read_all(commit_position=position, limit=1, filter_exclude=())
            try:
                async for recorded in response:
                    if recorded.id == event_id and recorded.stream_name == stream:
                        return recorded.stream_position
            finally:
                await response.stop()
        except KurrentDBClientError as e:
            raise _translate(e, f"reading back the append to `{stream}`") from e
        raise EventStoreError(f"the event appended to `{stream}` is not at position {position}")

    async def _on_leader(self, call: Callable[[AsyncKurrentDBClient], Awaitable[_T]]) -> _T:
        """`call` on the writer client, moved to the leader a NotLeader answer names.

        kurrentdbclient follows the leader itself only for a URI that prefers the leader and
        names several nodes (or discovers them); for any other, the writer becomes a client of
        the named leader, with the URI's user and options, and the call is made again. A writer
        pinned to a leader that then cannot be reached (it died; another was elected) is dropped
        for the URI's own client, which finds the cluster again, and the call is made once more.
        """
        for _ in range(_LEADER_HOPS):
            writer = self._writer
            try:
                return await call(writer)
            except NodeIsNotLeaderError as e:
                if not (e.host and e.port):
                    raise
                if self._writer is writer:  # concurrent calls: the first to hear it moves the writer
                    self._writer = _Client(leader_uri(self._uri, e.host, e.port),
                                           root_certificates=self._root_certificates)
                    log.warning("kurrentdb_writing_to_leader", leader=f"{e.host}:{e.port}")
                    self._retire(writer)
            except _UNAVAILABLE_ERRORS:
                if writer is self._client:
                    raise
                if self._writer is writer:
                    self._writer = self._client
                    log.warning("kurrentdb_leader_unreachable", note="writing through the URI's client again")
                    self._retire(writer)
        return await call(self._writer)

    def _retire(self, client: AsyncKurrentDBClient) -> None:
        """Close a writer no longer used, once calls still on it have had time to finish."""
        if client is self._client:
            return

        async def later() -> None:
            await asyncio.sleep(_RETIRE_AFTER)
            await _close_client(client)

        task = asyncio.get_running_loop().create_task(later())
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)

    def _check_open(self) -> None:
        if self._closed:
            raise EventStoreUnavailable("the kurrentdb event store is closed")


class _ServerFilter:
    """Splits an EventFilter into what KurrentDB filters on the server and what is checked here.

    The server filters on stream name *or* event type, not both: stream prefixes go to the
    server (they are what partitions replicas by account) and event types are then checked here.
    """

    def __init__(self, arguments: dict[str, Any], event_filter: EventFilter | None) -> None:
        self.arguments = arguments
        self._filter = event_filter

    @classmethod
    def for_(cls, event_filter: EventFilter | None) -> _ServerFilter:
        if event_filter is not None and event_filter.stream_prefixes:
            arguments = {
                "filter_include": event_filter.stream_prefixes,
                "filter_by_stream_name": True,
                "filter_by_prefix": True,
            }
        elif event_filter is not None and event_filter.event_types:
            # One alternation, since the client anchors a list as `^a|b$`, which binds wrongly.
            alternatives = "|".join(re.escape(t) for t in event_filter.event_types)
            arguments = {"filter_include": (f"(?:{alternatives})",)}
        else:
            arguments = {"filter_exclude": (_SYSTEM_STREAMS_REGEX,), "filter_by_stream_name": True}
        return cls(arguments, event_filter)

    def admits(self, recorded: kurrentdbclient.RecordedEvent) -> bool:
        if recorded.stream_name.startswith("$") or recorded.type.startswith("$"):
            return False
        return self._filter is None or self._filter.matches(recorded.stream_name, recorded.type)


async def _close_client(client: AsyncKurrentDBClient) -> None:
    try:
        await client.close()
    except ProgrammingError:  # it never connected, so there is nothing to close
        pass


def leader_uri(uri: str, host: str, port: int) -> str:
    """A URI of the one node `host:port` (the leader), with `uri`'s user and options and no node
    preference: writes go there whatever the original URI preferred."""
    parts = urlsplit(uri)
    userinfo, at, _hosts = parts.netloc.rpartition("@")
    options = [pair for pair in parts.query.split("&")
               if pair and pair.partition("=")[0].lower() != "nodepreference"]
    return urlunsplit(("kurrentdb", f"{userinfo}{at}{host}:{port}", "", "&".join(options), ""))


def _translate(error: KurrentDBClientError, doing: str, position: int | None = None) -> EventStoreError:
    if isinstance(error, InvalidCommitPositionError) and position is not None:
        return InvalidPosition(position, f"kurrentdb refused {doing}: not a record's commit position")
    if isinstance(error, _UNAVAILABLE_ERRORS):
        return EventStoreUnavailable(f"kurrentdb is unavailable while {doing}: {error}")
    return EventStoreError(f"kurrentdb refused {doing}: {error!r}")
