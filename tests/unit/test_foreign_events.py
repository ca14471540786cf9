"""iamd refuses a log whose iamd-named streams hold events iamd did not write (issue 15, item 11).

On a KurrentDB cluster shared with other applications, one that writes `user-42` or
`account-...` streams of its own used to stop the runner with an unpacking error, or, with a
type iamd knows, fold identity nobody granted through iamd. Now the projection names the
event and stops: at start iamd refuses to serve; live, the runner stops following (health
NOT_SERVING, GetProjectionStatus says why). Over the real SQLite adapter.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from iamd.projections.identity import IDENTITY_STREAMS, ForeignEventError, IdentityProjection
from iamd.projections.runner import ProjectionRunner
from iamd.service.domain.events import USER, UserCreated, event_type
from iamd.service.eventstore import EventCodec, NewEvent, SqliteEventStore, StreamState

pytestmark = pytest.mark.asyncio

ACCOUNT = "123456789012"


def user_created(name: str) -> NewEvent:
    event = UserCreated(name=name, id="AIDA" + "1" * 17, arn=f"arn:aws:iam::{ACCOUNT}:user/{name}", path="/",
                        created_at="2026-12-01T00:00:00Z")
    return NewEvent(event_type(USER, event), event.to_data(), {})


@pytest.fixture
async def store(tmp_path: Path):
    s = SqliteEventStore(tmp_path / "events.db", EventCodec())
    yield s
    await s.close()


@pytest.mark.parametrize(("stream", "event"), [
    ("user-42", NewEvent("Registered", {"email": "a@example.com"}, {})),  # another application's
    ("user-42", user_created("mallory")),  # a type iamd knows, in a stream iamd never names so
    (f"user-{ACCOUNT}-mallory", NewEvent("UserCreatedV9", {"name": "mallory"}, {})),  # a newer iamd's
])
async def test_a_foreign_event_at_start_is_refused_naming_it(store: SqliteEventStore, stream: str,
                                                             event: NewEvent) -> None:
    await store.append(f"user-{ACCOUNT}-alice", [user_created("alice")], StreamState.NO_STREAM)
    await store.append(stream, [event], StreamState.ANY)
    projection = IdentityProjection()
    runner = ProjectionRunner(store, projection, IDENTITY_STREAMS)
    with pytest.raises(ForeignEventError) as refused:
        await runner.start()
    assert stream in str(refused.value) and "is not iamd's" in str(refused.value)
    assert projection.account(ACCOUNT).users.get("mallory") is None
    assert not runner.following


async def test_a_foreign_event_while_following_stops_the_runner(store: SqliteEventStore) -> None:
    runner = ProjectionRunner(store, IdentityProjection(), IDENTITY_STREAMS)
    await runner.start()
    await store.append(f"user-{ACCOUNT}-alice", [user_created("alice")], StreamState.NO_STREAM)
    await store.append("role-shop-cart", [NewEvent("CartCreated", {}, {})], StreamState.NO_STREAM)
    # The live subscription delivers it from another thread's commit: polled for up to 30 s (100
    # polls of 20 ms, 2 s, could run out on a loaded machine), failing past that.
    deadline = asyncio.get_running_loop().time() + 30
    while runner.failure is None:
        assert asyncio.get_running_loop().time() < deadline, "the runner never stopped on the foreign event"
        await asyncio.sleep(0.02)
    assert isinstance(runner.failure, ForeignEventError)
    assert not runner.following and "role-shop-cart" in runner.stall_reason
    status = await runner.status()
    assert status["following"] is False and status["caught_up"] is False
    await runner.stop()


async def test_iamds_own_events_of_no_interest_to_the_projection_pass(store: SqliteEventStore) -> None:
    await store.append(f"user-{ACCOUNT}-alice", [user_created("alice")], StreamState.NO_STREAM)
    await store.append(f"account-{ACCOUNT}-reservations", [NewEvent("ReferenceReserved", {"x": 1}, {})],
                       StreamState.ANY)
    projection = IdentityProjection()
    runner = ProjectionRunner(store, projection, IDENTITY_STREAMS)
    await runner.start()
    assert projection.account(ACCOUNT).users["alice"]["name"] == "alice"
    await runner.stop()


async def test_iamd_refuses_to_serve_a_log_holding_foreign_events(tmp_path: Path) -> None:
    from iamd.service.config import Settings, StartRefusedError
    from iamd.service.server import build_server
    from tests.e2e.conftest import start_iamd, stop_iamd

    data = tmp_path / "data"
    await stop_iamd(await start_iamd(data))  # a log iamd made
    other = SqliteEventStore(data / "events.db", EventCodec())  # another application's writer
    await other.append("group-billing", [NewEvent("InvoiceIssued", {"total": 3}, {})], StreamState.NO_STREAM)
    await other.close()
    with pytest.raises(StartRefusedError, match="`group-billing` is not iamd's"):
        await build_server(Settings(listen="127.0.0.1:0", data_dir=data))
