"""Audit retention (service/audit/retention.py): what a run selects, the archive it writes, and the
validator across the archived gap, on the in-memory store with a clock the test sets."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from iamd.client.cli import validate_export
from iamd.service.audit.digest import DIGEST_STREAM, REASON_CADENCE, SigningKey
from iamd.service.audit.digester import Digester
from iamd.service.audit.retention import (
    RETENTION_STREAM,
    archive_and_remove,
    check_age,
    plan,
)
from iamd.service.audit.writer import partition_stream
from iamd.service.domain.errors import InvalidInputError
from iamd.service.eventstore import EventCodec, InMemoryEventStore, NewEvent, StreamState


class Clock:
    def __init__(self, at: str) -> None:
        self.at = at

    def now(self) -> datetime:
        return datetime.fromisoformat(self.at.replace("Z", "+00:00")).astimezone(UTC)


async def record(store: InMemoryEventStore, event_id: str, at: str) -> None:
    data = {"eventVersion": "1.08", "eventID": event_id, "eventTime": at, "eventName": "GetUser",
            "recipientAccountId": "123456789012", "requestParameters": {"password": "HIDDEN_DUE_TO_SECURITY_REASONS"}}
    await store.append(partition_stream(at), [NewEvent("AuditRecord", data, id=event_id)], StreamState.ANY)


async def identity(store: InMemoryEventStore, n: int) -> None:
    await store.append("user-alice", [NewEvent("UserCreated" if n == 0 else "UserTagged", {"n": n})], StreamState.ANY)


async def digest(digester: Digester, clock: Clock, at: str) -> dict[str, Any]:
    clock.at = at
    return (await digester.write_digest(REASON_CADENCE, settle=0.0))["digest"]


@pytest.fixture
async def trail() -> tuple[InMemoryEventStore, Digester, Clock, list[dict[str, Any]]]:
    """Hours 10, 11, 12 of 2026-11-23 with identity events between; digests at :40/:20 straddling hours."""
    store = InMemoryEventStore(EventCodec())
    clock = Clock("2026-11-23T10:29:00Z")
    digester = Digester(store, SigningKey.generate(), clock, 86_400.0, settle_seconds=0.0, watch=False)
    digests = [await digest(digester, clock, "2026-11-23T10:29:00Z")]
    await identity(store, 0)
    await record(store, "r1", "2026-11-23T10:30:00Z")
    await record(store, "r2", "2026-11-23T10:31:00Z")
    digests.append(await digest(digester, clock, "2026-11-23T10:40:00Z"))
    await record(store, "r3", "2026-11-23T10:50:00Z")
    await identity(store, 1)
    await record(store, "r4", "2026-11-23T11:10:00Z")
    digests.append(await digest(digester, clock, "2026-11-23T11:20:00Z"))  # straddles hours 10 and 11
    await record(store, "r5", "2026-11-23T11:30:00Z")
    await record(store, "r6", "2026-11-23T12:10:00Z")
    digests.append(await digest(digester, clock, "2026-11-23T12:20:00Z"))  # straddles 11 and 12
    return store, digester, clock, digests


async def ids(store: InMemoryEventStore, stream: str) -> list[str]:
    return [e.data["eventID"] for e in await store.read_stream(stream)]


async def test_the_age_is_whole_hours_from_one() -> None:
    for bad in (0, -3, 1.5, True, "2"):
        with pytest.raises(InvalidInputError) as refused:
            check_age(bad)
        assert refused.value.problems[0].field == "olderThanHours"
    assert check_age(1) == 1


async def test_plan_takes_the_digest_prefix_of_old_hours_and_the_hours_no_kept_digest_lists(trail) -> None:
    store, digester, clock, digests = trail
    chosen = await plan(store, digester.key, Clock("2026-11-23T14:05:00Z").now(), 1)
    # Cut-off 13:00: digests 0-2 list only hours 10-11; digest 3, the newest, stays. Hour 11 is
    # also listed by digest 3, which stays: only hour 10 is removed.
    assert [d["digest"]["digestId"] for d in chosen.digests] == [d["digestId"] for d in digests[:3]]
    assert chosen.streams == ["audit-2026112310"]
    assert chosen.end_position == digests[2]["digestEndPosition"]


async def test_plan_never_takes_the_current_hour_nor_a_young_one(trail) -> None:
    store, digester, _, _ = trail
    assert (await plan(store, digester.key, Clock("2026-11-23T12:59:00Z").now(), 2)).empty  # cut-off 10:00
    only_ten = await plan(store, digester.key, Clock("2026-11-23T12:05:00Z").now(), 1)  # cut-off 11:00
    assert [d["digestId"] for d in (e["digest"] for e in only_ten.digests)] and only_ten.streams == []
    assert only_ten.limit_stream <= "audit-2026112310"


async def test_an_uncovered_record_of_an_old_hour_holds_its_hour_back(trail) -> None:
    store, digester, _, _ = trail
    await record(store, "late", "2026-11-23T10:59:00Z")  # after the newest digest: no digest covers it
    chosen = await plan(store, digester.key, Clock("2026-11-23T14:05:00Z").now(), 1)
    assert chosen.empty  # every digest lists a record of hour 10 or later


async def test_a_modified_record_refuses_the_run(trail) -> None:
    store, digester, _, _ = trail
    stored = store._streams["audit-2026112310"][0]
    store._log[stored.position - 1] = type(stored)(**{**{f: getattr(stored, f) for f in stored.__slots__},
                                                      "data": b'{"eventID":"r1","eventTime":"x"}'})
    with pytest.raises(Exception, match="is not as digest"):
        await plan(store, digester.key, Clock("2026-11-23T14:05:00Z").now(), 1)


async def test_a_run_archives_records_removes_the_hour_and_the_live_trail_still_validates(trail, tmp_path: Path):
    store, digester, clock, digests = trail
    clock.at = "2026-11-23T14:05:00Z"
    statement = await archive_and_remove(store, digester, tmp_path / "archive", clock.now(), 1)
    assert statement is not None
    assert statement["streams"] == ["audit-2026112310"] and statement["recordCount"] == 3
    assert (statement["firstEventId"], statement["lastEventId"]) == ("r1", "r3")
    assert statement["lastRemovedDigestId"] == digests[2]["digestId"]
    assert await ids(store, "audit-2026112310") == []
    assert await ids(store, "audit-2026112311") == ["r4", "r5"]  # listed by the kept digest too
    assert [e.data["n"] for e in await store.read_stream("user-alice")] == [0, 1]
    [recorded] = await store.read_stream(RETENTION_STREAM)
    assert recorded.data["sha256"] == statement["sha256"]

    archive = Path(statement["location"])
    assert json.loads((archive / "manifest.json").read_text())["records"] == 4  # r1-r4
    import hashlib
    assert hashlib.sha256((archive / "manifest.json").read_bytes()).hexdigest() == statement["sha256"]
    offline = validate_export(archive, digester.key.public_pem)
    assert offline.status == "VALID", offline.problems
    assert offline.valid_records == 4

    live = await digester.validate(public_pem=digester.key.public_pem)
    assert live.status == "VALID", live.problems
    assert any("was archived" in note for note in live.notes)

    # A second run takes the rest of hour 11 and hour 12; the live trail still validates.
    clock.at = "2026-11-23T16:05:00Z"
    again = await archive_and_remove(store, digester, tmp_path / "archive", clock.now(), 1)
    assert again is not None and again["streams"] == ["audit-2026112311", "audit-2026112312"]
    assert (await digester.validate(public_pem=digester.key.public_pem)).status == "VALID"
    assert validate_export(Path(again["location"]), digester.key.public_pem).status == "VALID"


async def test_digests_removed_beyond_what_was_recorded_are_still_missing(trail, tmp_path: Path) -> None:
    store, digester, clock, digests = trail
    clock.at = "2026-11-23T14:05:00Z"
    await archive_and_remove(store, digester, tmp_path / "archive", clock.now(), 1)
    chain = await store.read_stream(DIGEST_STREAM)
    await store.remove_streams([], truncate_before={DIGEST_STREAM: chain[1].version})  # one more, unrecorded
    report = await digester.validate(public_pem=digester.key.public_pem)
    assert report.status == "INVALID"
    assert digests[3]["digestId"] in report.digests_missing


async def test_records_removed_without_a_statement_are_deleted_records(trail) -> None:
    store, digester, _, digests = trail
    await store.remove_streams(["audit-2026112310"])
    report = await digester.validate(public_pem=digester.key.public_pem)
    assert report.status == "INVALID"
    assert {"r1", "r2", "r3"} <= set(report.deleted)


async def test_on_kurrentdb_removed_records_stay_in_all_and_the_live_trail_still_validates(tmp_path: Path) -> None:
    """Over the fake KurrentDB (soft deletes and $tb, $all unchanged until a scavenge)."""
    from iamd.service.eventstore import KurrentDbEventStore
    from tests.fakes.kurrentdb_fake import FakeKurrentDb

    fake = FakeKurrentDb()
    await fake.start()
    store = KurrentDbEventStore(fake.uri, EventCodec())
    try:
        clock = Clock("2026-11-23T10:29:00Z")
        digester = Digester(store, SigningKey.generate(), clock, 86_400.0, settle_seconds=0.0, watch=False)
        await digest(digester, clock, "2026-11-23T10:29:00Z")
        await record(store, "r1", "2026-11-23T10:30:00Z")
        await digest(digester, clock, "2026-11-23T10:40:00Z")
        await record(store, "r2", "2026-11-23T11:10:00Z")
        await digest(digester, clock, "2026-11-23T11:20:00Z")
        clock.at = "2026-11-23T14:05:00Z"
        statement = await archive_and_remove(store, digester, tmp_path / "archive", clock.now(), 1)
        assert statement is not None and statement["streams"] == ["audit-2026112310"]
        assert await store.read_stream("audit-2026112310") == []
        assert len(await store.read_stream(DIGEST_STREAM)) == 2  # the kept digest and the statement's
        report = await digester.validate(public_pem=digester.key.public_pem)
        assert report.status == "VALID", report.problems
        assert validate_export(Path(statement["location"]), digester.key.public_pem).status == "VALID"
    finally:
        await store.close()
        await fake.stop()
