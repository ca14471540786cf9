"""The event store: the EventStore port, its errors and codec, the three adapters, and
``open_event_store``, which picks an adapter from a URI (the composition root's one entry point).

| URI                                                  | adapter              |
|------------------------------------------------------|----------------------|
| ``memory://``                                        | InMemoryEventStore   |
| ``sqlite:///abs/path.db``, ``sqlite://relative.db``  | SqliteEventStore     |
| (``sqlite:////abs/path.db`` is read as absolute too) |                      |
| ``kurrentdb://``, ``kurrentdb+discover://``,         | KurrentDbEventStore  |
| ``esdb://``, ``esdb+discover://`` (passed through)   |                      |
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .codec import EventCodec, Upcaster
from .errors import CodecError, EventStoreError, EventStoreUnavailable, InvalidPosition, WrongExpectedVersion
from .memory import InMemoryEventStore
from .port import (
    AppendResult,
    EventFilter,
    EventStore,
    ExpectedVersion,
    NewEvent,
    RecordedEvent,
    ReplayedEvent,
    StreamState,
)
from .sqlite import SqliteEventStore

if TYPE_CHECKING:
    from .kurrentdb import KurrentDbEventStore


def __getattr__(name: str) -> Any:
    # The KurrentDB client is imported when first used, not by every start on SQLite (~40 ms).
    if name == "KurrentDbEventStore":
        from .kurrentdb import KurrentDbEventStore

        return KurrentDbEventStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "AppendResult",
    "CodecError",
    "EventCodec",
    "EventFilter",
    "EventStore",
    "EventStoreError",
    "EventStoreUnavailable",
    "InvalidPosition",
    "ExpectedVersion",
    "InMemoryEventStore",
    "KurrentDbEventStore",
    "NewEvent",
    "RecordedEvent",
    "ReplayedEvent",
    "SqliteEventStore",
    "StreamState",
    "Upcaster",
    "WrongExpectedVersion",
    "open_event_store",
]

_KURRENTDB_SCHEMES = ("kurrentdb", "kurrentdb+discover", "esdb", "esdb+discover")


def open_event_store(uri: str, codec: EventCodec) -> EventStore:
    """Build the event-store adapter that ``uri`` names; raises ValueError for anything else."""
    scheme, _, rest = uri.partition("://")
    scheme = scheme.lower()
    if scheme == "memory":
        if rest:
            raise ValueError(f"event store URI `{uri}`: write `memory://`, with nothing after it")
        return InMemoryEventStore(codec)
    if scheme == "sqlite":
        parts = urlsplit(uri)
        if parts.query or parts.fragment:
            raise ValueError(f"event store URI `{uri}`: sqlite URIs take no query or fragment")
        # sqlite:///abs/path.db has an empty host and an absolute path; sqlite://relative.db
        # (or sqlite://dir/file.db) carries the relative path's first segment as the host.
        path = parts.netloc + parts.path
        if path.startswith("//"):  # sqlite:////abs/path.db, SQLAlchemy's spelling, is absolute too
            path = "/" + path.lstrip("/")
        if not path or path.endswith("/") or path.lstrip("/") == ":memory:":
            raise ValueError(
                f"event store URI `{uri}`: name a database file, as in `sqlite:///var/lib/iamd/events.db`"
            )
        return SqliteEventStore(path, codec)
    if scheme in _KURRENTDB_SCHEMES:
        from .kurrentdb import KurrentDbEventStore

        return KurrentDbEventStore(uri, codec)
    raise ValueError(
        f"event store URI `{uri}` is not supported: use memory://, sqlite:///path/to/file.db,"
        " kurrentdb://host:port, kurrentdb+discover://host:port, esdb:// or esdb+discover://"
    )
