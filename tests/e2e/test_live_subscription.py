"""iamd on the KurrentDB adapter survives what a cluster does to its live subscription (issue 15).

A real iamd serves over gRPC on the KurrentDB fake (tests/fakes/kurrentdb_fake.py), which ends the
live $all subscription on command (with an error, or with a clean end of the stream) and can
refuse new ones for a while, as a node does while it restarts or a leader is elected. The
projection must resubscribe from its last applied position and never decide silently on stale
state: past --max-staleness the calls are refused with ServiceUnavailable, health is NOT_SERVING,
GetProjectionStatus says why, and everything comes back by itself.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from tests.e2e.conftest import ACCOUNT, Iamd, start_iamd, stop_iamd
from tests.fakes.kurrentdb_fake import FakeKurrentDb, running_fake

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def fake() -> AsyncIterator[FakeKurrentDb]:
    async with running_fake() as server:
        yield server


@pytest.fixture
async def iamd_on_fake(tmp_path: Path, fake: FakeKurrentDb) -> AsyncIterator[Iamd]:
    server = await start_iamd(tmp_path / "data", store_uri=fake.uri, max_staleness=0.5)
    yield server
    await stop_iamd(server)


# Every wait below is on a real server over the fake's gRPC subscriptions, which are dropped and
# replaced after a pause growing to 5 s (RESUBSCRIBE_MAX_PAUSE): bounded only so that a broken
# build fails instead of hanging, with room for a loaded machine. Nothing is timed.
GUARD = 30.0


@pytest.fixture(autouse=True)
def _patient_min_position(monkeypatch: pytest.MonkeyPatch) -> None:
    """Authorize's wait for min_position (5 s in the service) as long as the other waits here:
    `_user_seen` relies on that wait to see a write through a subscription just replaced."""
    from iamd.service.app import authorize
    monkeypatch.setattr(authorize, "WAIT_TIMEOUT", GUARD)


async def _until(check, timeout: float = GUARD) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "the condition never held"
        await asyncio.sleep(0.05)


async def _health(iamd: Iamd) -> int:
    async with grpc.aio.insecure_channel(iamd.target) as channel:  # health is unsigned, as for load balancers
        return (await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())).status


async def _user_seen(iamd: Iamd, name: str, position: int) -> bool:
    """Authorize waits (min_position) for the projection to apply the user's creation."""
    answer = await iamd.authz.Authorize(apb.AuthorizeRequest(
        principal_arn=f"arn:aws:iam::{ACCOUNT}:user/{name}", action="s3:GetObject", resource="*",
        min_position=position))
    return answer.decision == apb.DECISION_IMPLICIT_DENY  # the user exists: no policy, implicit deny


async def _second_replica(first: Iamd, data_dir: Path, store_uri: str, **settings: object) -> Iamd:
    """Another server on `first`'s log, as deploy/ sets a replica up: the same KEK, digest key
    and root key as the first, its own data directory."""
    data_dir.mkdir(mode=0o700)
    shutil.copy(first.data_dir / "root-credentials", data_dir / "root-credentials")
    return await start_iamd(data_dir, store_uri=store_uri, kek_file=str(first.data_dir / "keys" / "kek"),
                            digest_key_file=str(first.data_dir / "keys" / "audit-digest.pem"), **settings)


GRANT_GET_OBJECT = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",'
                    '"Resource":"*"}]}')


@pytest.mark.parametrize("drop", [grpc.StatusCode.UNAVAILABLE, None], ids=["dropped-with-error", "ended-cleanly"])
async def test_a_dropped_subscription_is_replaced_and_nothing_is_missed(
        iamd_on_fake: Iamd, fake: FakeKurrentDb, drop: grpc.StatusCode | None) -> None:
    iamd = iamd_on_fake
    before = await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="before"))
    assert await _user_seen(iamd, "before", before.position)

    fake.drop_subscriptions(drop)
    # Written right after the drop: only a new subscription can deliver it.
    after = await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="after"))
    assert await _user_seen(iamd, "after", after.position)

    async def following_again() -> bool:
        status = await iamd.authz.GetProjectionStatus(apb.GetProjectionStatusRequest())
        return status.following and status.resubscriptions >= 1
    await _until(following_again)
    assert await _health(iamd) == health_pb2.HealthCheckResponse.SERVING
    # Revoking still takes effect: the new subscription is live, not a one-off read.
    await iamd.iam.DeleteUser(ipb.DeleteUserRequest(user_name="after"))
    gone = await iamd.authz.Authorize(apb.AuthorizeRequest(
        principal_arn=f"arn:aws:iam::{ACCOUNT}:user/after", action="s3:GetObject", resource="*",
        min_position=(await iamd.authz.GetProjectionStatus(apb.GetProjectionStatusRequest())).head_position))
    assert gone.decision == apb.DECISION_IMPLICIT_DENY
    status = await iamd.authz.GetProjectionStatus(apb.GetProjectionStatusRequest())
    assert status.following and status.stalled_seconds == 0 and not status.stall_reason


async def test_past_the_staleness_bound_calls_are_refused_until_it_follows_again(
        iamd_on_fake: Iamd, fake: FakeKurrentDb) -> None:
    iamd = iamd_on_fake
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="alice"))
    fake.refuse_subscriptions()
    fake.drop_subscriptions(grpc.StatusCode.UNAVAILABLE)

    async def not_serving() -> bool:
        return await _health(iamd) == health_pb2.HealthCheckResponse.NOT_SERVING
    await _until(not_serving)
    await asyncio.sleep(0.6)  # past --max-staleness (0.5 s)

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await iamd.iam.GetUser(ipb.GetUserRequest(user_name="alice"))
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "stopped following" in (refused.value.details() or "")
    with pytest.raises(grpc.aio.AioRpcError) as refused_decision:
        await iamd.authz.Authorize(apb.AuthorizeRequest(
            principal_arn=f"arn:aws:iam::{ACCOUNT}:user/alice", action="s3:GetObject", resource="*"))
    assert refused_decision.value.code() == grpc.StatusCode.UNAVAILABLE
    # The operator's view is answered, and says why.
    status = await iamd.authz.GetProjectionStatus(apb.GetProjectionStatusRequest())
    assert not status.following and status.stalled_seconds > 0.5
    assert "Server Is Not Ready" in status.stall_reason or "dropped" in status.stall_reason

    fake.refuse_subscriptions(False)  # the node is ready again: iamd recovers by itself

    async def serving() -> bool:
        return await _health(iamd) == health_pb2.HealthCheckResponse.SERVING
    await _until(serving)
    assert (await iamd.iam.GetUser(ipb.GetUserRequest(user_name="alice"))).user.user_name == "alice"
    status = await iamd.authz.GetProjectionStatus(apb.GetProjectionStatusRequest())
    assert status.following and status.resubscriptions >= 1


async def test_two_replicas_on_one_store_see_each_others_writes_and_recover_alone(
        tmp_path: Path, fake: FakeKurrentDb) -> None:
    """Issue 15: two iamd processes' worth of serving (two servers, one KurrentDB) share the log,
    the key-encryption key and the root key; a write through one is decided on by the other with
    min_position; a store that stops serving subscriptions turns both NOT_SERVING, and both come
    back by themselves."""
    first = await start_iamd(tmp_path / "a", store_uri=fake.uri, max_staleness=0.5)
    second = await _second_replica(first, tmp_path / "b", fake.uri, max_staleness=0.5)
    try:
        created = await first.iam.CreateUser(ipb.CreateUserRequest(user_name="shared"))
        # `second` signs with the root key `first` created: both serve the same account.
        seen = await second.authz.Authorize(apb.AuthorizeRequest(
            principal_arn=f"arn:aws:iam::{ACCOUNT}:user/shared", action="s3:GetObject", resource="*",
            min_position=created.position))
        assert seen.decision == apb.DECISION_IMPLICIT_DENY  # known to the other replica: no policy yet
        attached = await second.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
            target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="shared"), policy_name="read",
            policy_document=GRANT_GET_OBJECT))
        allowed = await first.authz.Authorize(apb.AuthorizeRequest(
            principal_arn=f"arn:aws:iam::{ACCOUNT}:user/shared", action="s3:GetObject", resource="*",
            min_position=attached.position))
        assert allowed.decision == apb.DECISION_ALLOW

        fake.refuse_subscriptions()
        fake.drop_subscriptions(grpc.StatusCode.UNAVAILABLE)
        for replica in (first, second):
            async def not_serving(replica: Iamd = replica) -> bool:
                return await _health(replica) == health_pb2.HealthCheckResponse.NOT_SERVING
            await _until(not_serving)
        fake.refuse_subscriptions(False)
        for replica in (first, second):
            async def serving(replica: Iamd = replica) -> bool:
                return await _health(replica) == health_pb2.HealthCheckResponse.SERVING
            await _until(serving)
        revoked = await first.iam.DeleteInlinePolicy(ipb.DeleteInlinePolicyRequest(
            target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="shared"), policy_name="read"))
        denied = await second.authz.Authorize(apb.AuthorizeRequest(
            principal_arn=f"arn:aws:iam::{ACCOUNT}:user/shared", action="s3:GetObject", resource="*",
            min_position=revoked.position))
        assert denied.decision == apb.DECISION_IMPLICIT_DENY  # the revocation reached the other replica
    finally:
        await stop_iamd(second)
        await stop_iamd(first)


async def test_a_snapshot_of_another_log_is_not_loaded(tmp_path: Path) -> None:
    """Issue 15, item 10: a replica whose store was recreated (a new cluster) must not fold the new
    log's tail onto the old log's snapshot, even once the new log is longer than the snapshot."""
    kek = tmp_path / "kek"
    async with running_fake() as old_log, running_fake() as new_log:
        first = await start_iamd(tmp_path / "replica", store_uri=old_log.uri, kek_file=str(kek))
        await first.iam.CreateUser(ipb.CreateUserRequest(user_name="only-in-the-old-log"))
        await stop_iamd(first)  # writes its snapshot
        assert (tmp_path / "replica" / "snapshots" / "identity.snapshot").exists()

        other = await start_iamd(tmp_path / "other", store_uri=new_log.uri, kek_file=str(kek))
        for n in range(5):  # the new log grows past the old snapshot's position
            await other.iam.CreateUser(ipb.CreateUserRequest(user_name=f"new-{n}"))
        await stop_iamd(other)
        shutil.copy(tmp_path / "other" / "root-credentials", tmp_path / "replica" / "root-credentials")

        again = await start_iamd(tmp_path / "replica", store_uri=new_log.uri, kek_file=str(kek))
        try:
            users = await again.iam.ListUsers(ipb.ListUsersRequest())
            assert sorted(u.user_name for u in users.users) == [f"new-{n}" for n in range(5)]
        finally:
            await stop_iamd(again)


async def test_a_replica_whose_node_goes_away_stops_serving_alone_and_recovers(
        tmp_path: Path, fake: FakeKurrentDb) -> None:
    """Issue 15: killing the store connection of one replica (its node, a follower, goes away)
    turns that replica NOT_SERVING while the other, on the leader, serves on; the first comes back
    by itself once its node is back, and has missed nothing."""
    follower = FakeKurrentDb(leader=fake)
    await follower.start()
    first = await start_iamd(tmp_path / "a", store_uri=fake.uri, max_staleness=0.5)
    # Reads and subscriptions on the follower; appends go to the leader (NotLeader names it).
    second = await _second_replica(first, tmp_path / "b", f"{follower.uri}&NodePreference=follower",
                                   max_staleness=0.5)
    try:
        created = await second.iam.CreateUser(ipb.CreateUserRequest(user_name="through-b"))
        assert await _user_seen(first, "through-b", created.position)

        port = int(follower.uri.split(":")[2].split("?")[0])
        await follower.stop()

        async def b_not_serving() -> bool:
            return await _health(second) == health_pb2.HealthCheckResponse.NOT_SERVING
        await _until(b_not_serving)
        assert await _health(first) == health_pb2.HealthCheckResponse.SERVING
        # Written while the second replica is cut off: it must catch up on it.
        meanwhile = await first.iam.CreateUser(ipb.CreateUserRequest(user_name="meanwhile"))

        follower = FakeKurrentDb(leader=fake, port=port)  # the node restarts where it was
        await follower.start()

        async def b_serving() -> bool:
            return await _health(second) == health_pb2.HealthCheckResponse.SERVING
        await _until(b_serving)
        assert await _user_seen(second, "meanwhile", meanwhile.position)
    finally:
        await stop_iamd(second)
        await stop_iamd(first)
        await follower.stop()


async def test_two_replicas_on_one_sqlite_file_see_each_others_writes(tmp_path: Path) -> None:
    """Issue 15: two servers on one SQLite file (one host), sharing its KEK and root key: a write
    through either is decided on by the other with min_position."""
    first = await start_iamd(tmp_path / "a")
    second = await _second_replica(first, tmp_path / "b", f"sqlite:///{(tmp_path / 'a' / 'events.db').resolve()}")
    try:
        created = await first.iam.CreateUser(ipb.CreateUserRequest(user_name="shared"))
        assert await _user_seen(second, "shared", created.position)
        granted = await second.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
            target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="shared"), policy_name="read",
            policy_document=GRANT_GET_OBJECT))
        allowed = await first.authz.Authorize(apb.AuthorizeRequest(
            principal_arn=f"arn:aws:iam::{ACCOUNT}:user/shared", action="s3:GetObject", resource="*",
            min_position=granted.position))
        assert allowed.decision == apb.DECISION_ALLOW
    finally:
        await stop_iamd(second)
        await stop_iamd(first)


async def test_a_position_that_is_none_is_answered_invalid_input(iamd_on_fake: Iamd) -> None:
    """Issue 15, item 10: a real KurrentDB refuses a commit position that is no record's; a
    client's afterPosition that is none is its mistake (InvalidInput naming the field), never an
    outage. The fake answers as the server does."""
    from iamd.v1 import audit_pb2, audit_pb2_grpc

    iamd = iamd_on_fake
    created = await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="alice"))
    audit = audit_pb2_grpc.AuditServiceStub(iamd.channel)
    feed = audit.WatchIdentityEvents(audit_pb2.WatchIdentityEventsRequest(after_position=created.position - 1))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await feed.read()
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "afterPosition" in (refused.value.details() or "")
    with pytest.raises(grpc.aio.AioRpcError) as refused_page:
        await audit.GetAuditRecords(audit_pb2.GetAuditRecordsRequest(after_position=created.position - 1))
    assert refused_page.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    # A position the log has is served.
    feed = audit.WatchIdentityEvents(audit_pb2.WatchIdentityEventsRequest(after_position=created.position))
    following = await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="bob"))
    seen = []
    while not seen or seen[-1].position < following.position:  # key-use events come and go too
        seen.append(await feed.read())
    assert seen[0].position > created.position
    assert (seen[-1].position, seen[-1].type) == (following.position, "UserCreated")
    feed.cancel()
