"""The KEK recorded in the log (service/app/keys.py) over the in-memory store: what is recorded when,
which keys are refused and how the refusal reads, and rotation by appended events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from iamd.projections.identity import IDENTITY_STREAMS, IdentityProjection
from iamd.service.app.bootstrap import bootstrap_account, ensure_root_credentials
from iamd.service.app.keys import (
    DEPLOYMENT_STREAM,
    KeyCheckFailed,
    check_keyring,
    key_id_of,
    live_secrets,
    open_keyring,
    read_kek_record,
    rotate_kek,
)
from iamd.service.app.ports import RandomIds, SystemClock
from iamd.service.auth.keyring import Keyring
from iamd.service.domain.events import UPCASTERS, SessionIssued
from iamd.service.eventstore import EventCodec
from iamd.service.eventstore.kurrentdb import KurrentDbEventStore
from iamd.service.eventstore.memory import InMemoryEventStore
from iamd.service.eventstore.port import EventStore, NewEvent, StreamState
from iamd.service.eventstore.sqlite import SqliteEventStore
from tests.fakes.kurrentdb_fake import FakeKurrentDb

ACCOUNT = "123456789012"
CLOCK = SystemClock()


def _memory() -> InMemoryEventStore:
    return InMemoryEventStore(EventCodec(UPCASTERS))


@pytest.fixture(params=["memory", "sqlite", "kurrentdb-fake"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[EventStore]:
    """An empty log on each adapter (KurrentDB's over its fake): nothing here may rely on one store."""
    fake = None
    if request.param == "memory":
        opened: EventStore = _memory()
    elif request.param == "sqlite":
        opened = SqliteEventStore(tmp_path / "events.db", EventCodec(UPCASTERS))
    else:
        fake = FakeKurrentDb()
        await fake.start()
        opened = KurrentDbEventStore(fake.uri, EventCodec(UPCASTERS))
    yield opened
    await opened.close()
    if fake is not None:
        await fake.stop()


async def _start(store: EventStore, kek: Path, tmp_path: Path) -> Keyring:
    """What build_server does with the keys, up to the root credentials."""
    keyring = await open_keyring(store, kek)
    account = await bootstrap_account(store, CLOCK, ACCOUNT, keyring)
    await check_keyring(store, CLOCK, keyring, kek)
    await ensure_root_credentials(store, CLOCK, RandomIds(), keyring, account, tmp_path / "root-credentials")
    return keyring


async def test_the_first_start_creates_and_records_the_key_and_later_starts_need_it(store: EventStore,
                                                                                   tmp_path: Path) -> None:
    kek = tmp_path / "keys" / "kek"
    keyring = await _start(store, kek, tmp_path)
    record = await read_kek_record(store)
    assert record.key_id == keyring.key_id and record.account_id == ACCOUNT and record.rotating is None
    assert await _start(store, kek, tmp_path) is not None  # the same key again: fine

    other = tmp_path / "other"
    Keyring.load_or_create(other)
    with pytest.raises(KeyCheckFailed) as refused:
        await _start(store, other, tmp_path)
    message = str(refused.value)
    assert keyring.key_id in message and str(other) in message and Keyring.from_file(other).key_id in message

    missing = tmp_path / "nowhere" / "kek"
    with pytest.raises(KeyCheckFailed, match=f"fingerprint {keyring.key_id}.*`{missing}` does not exist"):
        await open_keyring(store, missing)
    assert not missing.exists()  # never invented for a log that has a key


async def test_an_unreadable_key_file_is_refused_with_the_needed_fingerprint(store: EventStore, tmp_path: Path) -> None:
    kek = tmp_path / "kek"
    keyring = await _start(store, kek, tmp_path)
    kek.chmod(0o644)
    with pytest.raises(KeyCheckFailed, match=f"{keyring.key_id}.*mode 0644"):
        await open_keyring(store, kek)


async def test_replicas_racing_on_an_empty_log_with_their_own_keys_one_wins_the_other_is_refused(
        store: EventStore, tmp_path: Path) -> None:
    results = await asyncio.gather(_start(store, tmp_path / "a", tmp_path / "ra"),
                                   _start(store, tmp_path / "b", tmp_path / "rb"), return_exceptions=True)
    refused = [r for r in results if isinstance(r, KeyCheckFailed)]
    started = [r for r in results if isinstance(r, Keyring)]
    assert len(refused) == 1 and len(started) == 1
    assert started[0].key_id in str(refused[0])
    assert (await read_kek_record(store)).key_id == started[0].key_id


async def _older_log(store: EventStore, tmp_path: Path) -> tuple[EventStore, Keyring, Path]:
    """A log as iamd wrote it before fingerprints were recorded: no KeyEncryptionKeyRecorded."""
    kek = tmp_path / "kek"
    keyring, _ = Keyring.load_or_create(kek)
    await bootstrap_account(store, CLOCK, ACCOUNT)
    await ensure_root_credentials(store, CLOCK, RandomIds(), keyring, ACCOUNT, tmp_path / "root-credentials")
    return store, keyring, kek


async def test_an_older_log_is_verified_by_opening_the_root_key_then_recorded(store: EventStore,
                                                                             tmp_path: Path) -> None:
    store, keyring, kek = await _older_log(store, tmp_path)
    other = tmp_path / "other"
    wrong, _ = Keyring.load_or_create(other)
    with pytest.raises(KeyCheckFailed, match=f"fingerprint {keyring.key_id}.*cannot decrypt"):
        await check_keyring(store, CLOCK, wrong, other)
    assert (await read_kek_record(store)).key_id == ""  # nothing recorded for a refused key

    await check_keyring(store, CLOCK, keyring, kek)
    events = await store.read_stream(DEPLOYMENT_STREAM)
    assert events[-1].type == "KeyEncryptionKeyRecorded" and events[-1].data["reason"] == "verified"
    assert events[-1].data["key_id"] == keyring.key_id
    await check_keyring(store, CLOCK, keyring, kek)
    assert len(await store.read_stream(DEPLOYMENT_STREAM)) == len(events)  # recorded once


async def test_an_older_log_without_its_key_file_names_the_key_from_a_ciphertext(store: EventStore,
                                                                                 tmp_path: Path) -> None:
    store, keyring, kek = await _older_log(store, tmp_path)
    kek.unlink()
    with pytest.raises(KeyCheckFailed, match=f"fingerprint {keyring.key_id}"):
        await open_keyring(store, kek)


async def _session(store: EventStore, keyring: Keyring, key_id: str = "ASIAEXAMPLE000000001") -> None:
    event = SessionIssued("user", key_id, keyring.encrypt(b"session-secret", context=key_id), "0" * 64,
                          f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT, "", "2026-12-01T00:00:00Z",
                          "2026-12-01T01:00:00Z", f"arn:aws:iam::{ACCOUNT}:root")
    await store.append(f"session-{ACCOUNT}-{key_id.lower()}", [NewEvent("SessionIssued", event.to_data(), {})],
                       StreamState.NO_STREAM)


async def _projection(store: EventStore) -> IdentityProjection:
    projection = IdentityProjection()
    async for event in store.read_all(filter=IDENTITY_STREAMS):
        projection.apply(event)
    return projection


async def test_rotation_reencrypts_every_live_secret_by_appending_and_records_the_new_key(store: EventStore,
                                                                                         tmp_path: Path) -> None:
    old = await _start(store, tmp_path / "kek", tmp_path)
    await _session(store, old)
    before = [(e.id, e.type, dict(e.data)) async for e in store.read_all()]
    new = Keyring.generate()

    report = await rotate_kek(store, CLOCK, old, new)
    assert report.reencrypted == {"access key": 1, "session": 1} and not report.resumed
    after = [(e.id, e.type, dict(e.data)) async for e in store.read_all()]
    assert after[:len(before)] == before
    appended = [t for _, t, _ in after[len(before):]]
    assert appended[0] == "KeyEncryptionKeyRotationStarted" and appended[-1] == "KeyEncryptionKeyRecorded"
    assert sorted(appended[1:-1]) == ["AccountAccessKeySecretReencrypted", "SessionSecretReencrypted"]
    record = await read_kek_record(store)
    assert record.key_id == new.key_id and record.rotating is None

    projection = await _projection(store)  # what the server folds: only the new key's ciphertexts
    secrets, _ = await live_secrets(store)
    assert {key_id_of(s.ciphertext) for s in secrets} == {new.key_id}
    session = projection.sessions["ASIAEXAMPLE000000001"]
    assert new.decrypt(session["secret_ciphertext"], context="ASIAEXAMPLE000000001") == b"session-secret"

    with pytest.raises(KeyCheckFailed, match=new.key_id):  # the old key no longer starts
        await check_keyring(store, CLOCK, old, tmp_path / "kek")
    await check_keyring(store, CLOCK, new, tmp_path / "new")
    with pytest.raises(KeyCheckFailed, match="records the key-encryption key"):
        await rotate_kek(store, CLOCK, old, Keyring.generate())  # a second rotation starts from the new key


async def test_rotation_writes_nothing_when_a_secret_cannot_be_opened(store: EventStore, tmp_path: Path) -> None:
    old = await _start(store, tmp_path / "kek", tmp_path)
    await _session(store, Keyring.generate())  # sealed by some other key: already unusable
    head = await store.head_position()
    with pytest.raises(KeyCheckFailed, match="1 secret.*cannot be opened.*ASIAEXAMPLE000000001"):
        await rotate_kek(store, CLOCK, old, Keyring.generate())
    assert await store.head_position() == head


async def test_rotation_to_the_same_key_or_of_an_empty_log_is_refused(store: EventStore, tmp_path: Path) -> None:
    old = await _start(store, tmp_path / "kek", tmp_path)
    with pytest.raises(KeyCheckFailed, match="current key"):
        await rotate_kek(store, CLOCK, old, Keyring(Path(tmp_path / "kek").read_bytes()))
    with pytest.raises(KeyCheckFailed, match="empty"):
        await rotate_kek(_memory(), CLOCK, old, Keyring.generate())


async def test_rotation_reencrypts_a_server_certificates_private_key(store: EventStore, tmp_path: Path) -> None:
    from iamd.service.domain.events import ServerCertificateUploaded

    old = await _start(store, tmp_path / "kek", tmp_path)
    sealed = old.encrypt(b"-----BEGIN PRIVATE KEY-----...", context="ASCAEXAMPLE0000000001")
    uploaded = ServerCertificateUploaded("www", "ASCAEXAMPLE0000000001",
                                         f"arn:aws:iam::{ACCOUNT}:server-certificate/www", "/", "BODY", "", sealed,
                                         "2026-12-01T00:00:00Z", "2027-12-01T00:00:00Z")
    await store.append(f"servercertificate-{ACCOUNT}-www",
                       [NewEvent("ServerCertificateUploaded", uploaded.to_data(), {})], StreamState.NO_STREAM)
    new = Keyring.generate()
    report = await rotate_kek(store, CLOCK, old, new)
    assert report.reencrypted["server certificate"] == 1
    certificate = (await _projection(store)).server_certificates[f"{ACCOUNT}/www"]
    assert key_id_of(certificate["private_key_ciphertext"]) == new.key_id
    assert new.decrypt(certificate["private_key_ciphertext"],
                       context="ASCAEXAMPLE0000000001") == b"-----BEGIN PRIVATE KEY-----..."
