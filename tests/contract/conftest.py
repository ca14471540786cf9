"""Fixtures for the event-store contract suite: every test runs once per adapter.

- ``memory``: InMemoryEventStore;
- ``sqlite``: SqliteEventStore on a real file in ``tmp_path``;
- ``kurrentdb-fake``: the real KurrentDbEventStore, through the real kurrentdbclient over real
  gRPC, against the in-process fake server of tests/fakes/kurrentdb_fake.py;
- ``kurrentdb``: the same against a real server at ``KDB_URI`` (``make test-kurrentdb``);
  skipped unless ``KDB_URI`` is set. The server keeps its data between runs, so every test
  names its streams under a fresh namespace (``ns``) and reads the log through it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from iamd.service.eventstore import (
    EventCodec,
    EventStore,
    InMemoryEventStore,
    KurrentDbEventStore,
    SqliteEventStore,
)
from tests.fakes.kurrentdb_fake import FakeKurrentDb

ADAPTERS = [
    "memory",
    "sqlite",
    "kurrentdb-fake",
    pytest.param("kurrentdb", marks=pytest.mark.kurrentdb),
]


@dataclass(frozen=True)
class Backend:
    """Where one test's stores keep their events."""

    name: str
    # Opens a store with the given codec; sqlite and kurrentdb stores opened by one test share
    # their data (file or server), in-memory stores do not.
    open: Callable[[EventCodec], EventStore]
    # False for a real server, whose log already holds other runs' events.
    starts_empty: bool


@pytest.fixture(params=ADAPTERS)
async def backend(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[Backend]:
    opened: list[EventStore] = []
    fake: FakeKurrentDb | None = None
    name = request.param

    if name == "memory":
        def create(codec: EventCodec) -> EventStore:
            return InMemoryEventStore(codec)
    elif name == "sqlite":
        def create(codec: EventCodec) -> EventStore:
            return SqliteEventStore(tmp_path / "events.db", codec)
    elif name == "kurrentdb-fake":
        fake = FakeKurrentDb()
        await fake.start()
        uri = fake.uri

        def create(codec: EventCodec) -> EventStore:
            return KurrentDbEventStore(uri, codec)
    else:
        real_uri = os.environ.get("KDB_URI")
        if not real_uri:
            pytest.skip("set KDB_URI to run the contract suite against a real KurrentDB server")

        def create(codec: EventCodec) -> EventStore:
            return KurrentDbEventStore(real_uri, codec)

    def open_store(codec: EventCodec) -> EventStore:
        store = create(codec)
        opened.append(store)
        return store

    yield Backend(name=name, open=open_store, starts_empty=name != "kurrentdb")

    for store in opened:
        await store.close()
    if fake is not None:
        await fake.stop()


@pytest.fixture
def store(backend: Backend) -> EventStore:
    return backend.open(EventCodec())


@pytest.fixture
def ns() -> str:
    """A stream-name namespace no other test or run uses: name streams `{ns}-...`."""
    return f"t{uuid.uuid4().hex[:12]}"
