"""remove_streams, the port's one way to take events out of the log (audit retention), against
every adapter: whole streams removed, a stream truncated before a version, everything else
untouched, versions going on where they were and positions never given twice."""

from __future__ import annotations

from typing import TYPE_CHECKING

from iamd.service.eventstore import EventFilter, EventStore, NewEvent, StreamState

if TYPE_CHECKING:
    from tests.contract.conftest import Backend


def event(n: int) -> NewEvent:
    return NewEvent(type="ThingHappened", data={"n": n})


async def numbers(store: EventStore, stream: str) -> list[int]:
    return [e.data["n"] for e in await store.read_stream(stream)]


async def test_removed_streams_read_as_absent_and_others_stay_whole(backend: Backend, store: EventStore,
                                                                    ns: str) -> None:
    old, kept, identity = f"{ns}audit-2026112314", f"{ns}audit-2026112315", f"{ns}user-alice"
    await store.append(identity, [event(1), event(2)], StreamState.NO_STREAM)
    await store.append(old, [event(10), event(11)], StreamState.NO_STREAM)
    await store.append(kept, [event(20)], StreamState.NO_STREAM)
    await store.append(identity, [event(3)], 1)
    before = [(e.stream, e.version, e.position) for e in await _all(store, ns) if e.stream != old]

    await store.remove_streams([old])

    assert await store.read_stream(old) == []
    assert await numbers(store, kept) == [20]
    assert await numbers(store, identity) == [1, 2, 3]
    after = [(e.stream, e.version, e.position) for e in await _all(store, ns)]
    if backend.name.startswith("kurrentdb"):
        # $all keeps a soft-deleted stream's events until a scavenge (the port says so).
        assert [row for row in after if row[0] != old] == before
    else:
        assert after == before  # the rest of the log, at the same positions


async def test_truncated_stream_reads_from_the_version_and_appends_go_on(store: EventStore, ns: str) -> None:
    chain, other = f"{ns}auditdigest-chain", f"{ns}user-bob"
    await store.append(chain, [event(0), event(1), event(2), event(3)], StreamState.NO_STREAM)
    await store.append(other, [event(9)], StreamState.NO_STREAM)

    await store.remove_streams([], truncate_before={chain: 2})

    remaining = await store.read_stream(chain)
    assert [(e.version, e.data["n"]) for e in remaining] == [(2, 2), (3, 3)]
    assert [e.data["n"] for e in await store.read_stream(chain, from_version=3)] == [3]
    appended = await store.append(chain, [event(4)], 3)  # the expected version is the stream's as before
    assert appended.version == 4
    assert appended.position > remaining[-1].position
    assert await numbers(store, other) == [9]


async def test_removing_what_is_not_there_is_no_error(store: EventStore, ns: str) -> None:
    await store.append(f"{ns}user-carol", [event(1)], StreamState.NO_STREAM)
    await store.remove_streams([f"{ns}audit-2001010100"], truncate_before={f"{ns}nothing": 3})
    await store.remove_streams([f"{ns}audit-2001010100"])  # twice: a removal finished again
    assert await numbers(store, f"{ns}user-carol") == [1]


async def test_a_removed_newest_position_is_never_given_again(backend: Backend, store: EventStore, ns: str) -> None:
    await store.append(f"{ns}user-dave", [event(1)], StreamState.NO_STREAM)
    last = await store.append(f"{ns}audit-2026010100", [event(2), event(3)], StreamState.NO_STREAM)
    await store.remove_streams([f"{ns}audit-2026010100"])
    again = await store.append(f"{ns}user-dave", [event(4)], 0)
    assert again.position > last.position


async def _all(store: EventStore, ns: str) -> list:
    return [e async for e in store.read_all(filter=EventFilter(stream_prefixes=(ns,)))]
