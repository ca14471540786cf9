"""Bounds on what grows with time: sessions are forgotten a day after they expire (projections/
identity.py), on the events' own times, so that memory and snapshots hold what can still be used and
a replay and a start from a snapshot forget alike; the authenticator's decrypted secrets are bounded;
the digester reads only the log's tail to check records rebuilt after a crash."""

from __future__ import annotations

import marshal

from iamd.projections.identity import IdentityProjection
from iamd.service.domain.events import UPCASTERS, SessionIssued
from iamd.service.eventstore import EventCodec
from iamd.service.eventstore.memory import InMemoryEventStore
from iamd.service.eventstore.port import NewEvent, StreamState

ACCOUNT = "123456789012"


async def _issue(store: InMemoryEventStore, key_id: str, issued_at: str, expires_at: str) -> None:
    event = SessionIssued("user", key_id, "ciphertext", key_id.lower().ljust(64, "0")[:64],
                          f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT, "", issued_at, expires_at,
                          f"arn:aws:iam::{ACCOUNT}:root")
    await store.append(f"session-{ACCOUNT}-{key_id.lower()}", [NewEvent("SessionIssued", event.to_data(), {})],
                       StreamState.NO_STREAM)


async def _replay(store: InMemoryEventStore, upto: int | None = None,
                  start: IdentityProjection | None = None) -> IdentityProjection:
    projection = start or IdentityProjection()
    async for event in store.read_all():
        if upto is None or event.position <= upto:
            projection.apply(event)
    return projection


async def test_a_session_is_forgotten_a_day_after_it_expired_and_not_before() -> None:
    store = InMemoryEventStore(EventCodec(UPCASTERS))
    await _issue(store, "ASIAOLD", "2026-12-01T00:00:00Z", "2026-12-01T01:00:00Z")
    await _issue(store, "ASIALONG", "2026-12-01T00:30:00Z", "2026-12-02T12:00:00Z")  # 36 hours
    await _issue(store, "ASIADAYLATER", "2026-12-02T00:59:59Z", "2026-12-02T01:59:59Z")  # a day less a second on
    projection = await _replay(store)
    assert set(projection.sessions) == {"ASIAOLD", "ASIALONG", "ASIADAYLATER"}
    await _issue(store, "ASIANEXT", "2026-12-02T01:00:01Z", "2026-12-02T02:00:01Z")  # past a day after OLD expired
    projection = await _replay(store)
    assert set(projection.sessions) == {"ASIALONG", "ASIADAYLATER", "ASIANEXT"}
    assert set(projection.session_keys_by_token.values()) == set(projection.sessions)
    assert all(projection.sessions_by_principal.values())  # no empty sets left behind


async def test_a_start_from_a_snapshot_forgets_at_the_same_events_as_a_replay() -> None:
    store = InMemoryEventStore(EventCodec(UPCASTERS))
    times = [("2026-12-01T00:00:00Z", "2026-12-01T00:15:00Z"), ("2026-12-02T00:10:00Z", "2026-12-02T01:10:00Z"),
             ("2026-12-02T00:20:00Z", "2026-12-02T00:35:00Z"), ("2026-12-03T00:30:00Z", "2026-12-03T01:30:00Z"),
             ("2026-12-03T00:40:00Z", "2026-12-03T01:40:00Z"), ("2026-12-04T02:00:00Z", "2026-12-04T03:00:00Z")]
    for i, (issued, expires) in enumerate(times):
        await _issue(store, f"ASIA{i:04d}", issued, expires)
    replayed = await _replay(store)
    for cut in range(1, len(times)):
        snapshot = marshal.loads(marshal.dumps((await _replay(store, upto=cut)).to_snapshot()))
        resumed = await _replay(store, start=IdentityProjection.from_snapshot(snapshot))
        assert resumed.sessions == replayed.sessions, cut
        assert resumed.sessions_forgotten_hour == replayed.sessions_forgotten_hour
    assert set(replayed.sessions) == {"ASIA0005"}


def test_the_authenticators_decrypted_secrets_are_bounded(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from iamd.service.app import authenticate
    from iamd.service.app.ports import SystemClock
    from iamd.service.auth.keyring import Keyring

    monkeypatch.setattr(authenticate, "MAX_SECRETS_CACHED", 3)
    keyring = Keyring.generate()
    authenticator = authenticate.Authenticator(IdentityProjection(), keyring, SystemClock())
    for i in range(10):
        key_id = f"ASIA{i:016d}"
        assert authenticator._secret(key_id, keyring.encrypt(f"s{i}".encode(), context=key_id)) == f"s{i}"
        assert len(authenticator._secrets) <= 3


async def test_the_digester_reads_only_the_tail_recovery_rebuilds_from(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A record rebuilt after a crash is checked against its call's events, which recovery found among
    the last RECENT_EVENTS identity events before it: the digester reads no further back (it read the
    whole identity log, which made the first digest after a crash as slow as a cold start)."""
    from types import SimpleNamespace

    from iamd.service.audit import digester
    from iamd.service.audit.digest import AuditEntry

    monkeypatch.setattr(digester, "RECENT_EVENTS", 10)
    store = InMemoryEventStore(EventCodec(UPCASTERS))
    for i in range(60):
        await store.append(f"user-{ACCOUNT}-u{i}", [NewEvent("UserCreated", {"name": f"u{i}"},
                                                              {"request_id": f"r{i}", "time": f"t{i}"})],
                           StreamState.ANY)
    read = 0
    backwards = store.read_all_backwards

    async def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal read
        async for event in backwards(*args, **kwargs):
            read += 1
            yield event

    store.read_all_backwards = counted  # type: ignore[method-assign]
    rebuilt = [AuditEntry(61, "e1", "t55", {"requestID": "r55", "addendum": {}}),
               AuditEntry(62, "e2", "t2", {"requestID": "r2", "addendum": {}})]  # a call far back: not one recovery rebuilds
    calls = await digester.Digester._calls_rebuilt(SimpleNamespace(store=store), rebuilt)  # type: ignore[arg-type]
    assert calls == {("r55", "t55")}
    assert read <= 10 + 1


async def test_keyed_locks_exclude_per_key_and_keep_no_key_after() -> None:
    import asyncio

    from iamd.service.app.repository import KeyedLocks

    locks = KeyedLocks()
    inside: list[str] = []
    overlaps: list[str] = []

    async def hold(key: str) -> None:
        async with locks.hold(key):
            if key in inside:
                overlaps.append(key)
            inside.append(key)
            await asyncio.sleep(0.01)
            inside.remove(key)

    await asyncio.gather(*(hold(k) for k in ["a", "b", "a", "c", "a", "b"]))
    assert overlaps == []  # one holder per key at a time
    assert len(locks) == 0  # the keys come from callers: none is kept once nobody holds or waits
