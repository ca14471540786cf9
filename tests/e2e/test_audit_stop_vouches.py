"""Issue 12, review of 14d8975: the final digest of a graceful stop vouches that no call is left
without its record (callRecordsComplete), and the next start then reads nothing back. It must not
vouch for what its recovery did not see: records still queued (asynchronous durability), nor
identity events another replica sharing the log appended after that recovery looked."""

from __future__ import annotations

import pytest

from iamd.v1 import identity_pb2 as ipb

from .conftest import start_iamd, stop_iamd
from .test_audit import _group_without_record, records

pytestmark = pytest.mark.e2e


async def test_records_the_store_refused_at_stop_are_not_vouched_for(tmp_path) -> None:
    """--audit-durability async answers before the record commits, and a rebuilt record is only
    queued: the stop's recovery returning is not proof that the records were stored. If the store
    refuses them at the last flush (a full audit partition, a KurrentDB append refused) while it
    takes the final digest, that digest must not say callRecordsComplete: the next start recovers."""
    from iamd.service.eventstore.errors import EventStoreUnavailable

    server = await start_iamd(tmp_path / "d", audit_durable=False)
    writer = server.running.audit
    store = writer.store

    class RefusingRecords:
        """The store, refusing audit records (and only them)."""

        def __getattr__(self, name: str) -> object:
            return getattr(store, name)

        async def append(self, stream: str, *args: object, **kwargs: object) -> object:
            if stream.startswith("audit-"):
                raise EventStoreUnavailable("the audit partition is full")
            return await store.append(stream, *args, **kwargs)

    writer.store = RefusingRecords()  # type: ignore[assignment]
    await server.iam.CreateUser(ipb.CreateUserRequest(user_name="unrecorded"))  # answered, its record refused
    await stop_iamd(server)

    restarted = await start_iamd(tmp_path / "d")
    try:
        created = [r for r in await records(restarted) if r["eventName"] == "CreateUser"]
        assert len(created) == 1 and created[0]["addendum"]["reason"] == "SERVICE_OUTAGE"
    finally:
        await stop_iamd(restarted)


async def test_a_call_another_replica_committed_after_the_stops_recovery_is_recovered_at_start(
        tmp_path, monkeypatch) -> None:
    """Replicas share a KurrentDB log: another one may commit a call's events after this stop's
    recovery looked and die before its record. This stop's final digest, last in the log, must not
    vouch for that call: the next start recovers it."""
    import iamd.service.server as composition

    server = await start_iamd(tmp_path / "d")
    recover = composition.recover_missing_records

    async def then_another_replica_commits(*args: object) -> object:
        recovery = await recover(*args)
        await _group_without_record(server, "replica", "req-replica")  # its record never written
        return recovery

    monkeypatch.setattr(composition, "recover_missing_records", then_another_replica_commits)
    await stop_iamd(server)
    monkeypatch.undo()

    restarted = await start_iamd(tmp_path / "d")
    try:
        rebuilt = [r for r in await records(restarted) if r["requestID"] == "req-replica"]
        assert [r["eventName"] for r in rebuilt] == ["CreateGroup"]
        assert rebuilt[0]["addendum"]["reason"] == "SERVICE_OUTAGE"
    finally:
        await stop_iamd(restarted)
