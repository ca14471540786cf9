"""Repository.load_onto: a long-lived aggregate folded incrementally stays exactly what a fold of
its whole stream gives, also when other writers append between loads or race a change."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from iamd.service.app.organizations import org_stream
from iamd.service.app.ports import CallContext, iso8601
from iamd.service.app.repository import Repository
from iamd.service.domain import organizations
from iamd.service.domain.events import decode_event, event_type
from iamd.service.eventstore.codec import EventCodec
from iamd.service.eventstore.memory import InMemoryEventStore
from iamd.service.eventstore.sqlite import SqliteEventStore
from iamd.service.eventstore.port import NewEvent

MANAGEMENT = "111111111111"
STREAM = org_stream(MANAGEMENT)
CTX = CallContext(request_id="r1", account_id=MANAGEMENT, actor_arn=f"arn:aws:iam::{MANAGEMENT}:root")


class _Clock:
    def now(self) -> datetime:
        return datetime(2026, 11, 23, tzinfo=UTC)


async def _whole_stream(store: InMemoryEventStore | SqliteEventStore) -> organizations.OrganizationState:
    return organizations.fold([decode_event(r.type, dict(r.data)) for r in await store.read_stream(STREAM)])


async def _change(repo: Repository, decide) -> int:  # type: ignore[no-untyped-def]
    return await repo.change("org", STREAM, organizations.fold, CTX, _Clock(), decide, incremental=True)


async def test_incremental_loads_equal_a_fold_of_the_whole_stream() -> None:
    store = InMemoryEventStore(EventCodec())
    repo = Repository(store)
    now = iso8601(_Clock().now())
    await _change(repo, lambda s: organizations.create(s, organization_id="o-abc", root_id="r-ab12",
                                                       management_account_id=MANAGEMENT, now=now))
    for i in range(5):
        await _change(repo, lambda s, i=i: organizations.join(s, account_id=f"22222222222{i}", name=f"a{i}",
                                                              email="a@x.io", now=now))
    # Another writer (a second replica) appends behind this repository's back.
    outsider = organizations.create_ou(await _whole_stream(store), ou_id="ou-ab12-11111111", name="x",
                                       parent_id="r-ab12")
    head = (await store.read_stream(STREAM))[-1].version
    await store.append(STREAM, [NewEvent(event_type("org", e), e.to_data(), CTX.metadata(now)) for e in outsider],
                       head)
    await _change(repo, lambda s: organizations.move(s, account_id="222222222220", source="r-ab12",
                                                     destination="ou-ab12-11111111"))
    loaded = await repo.load_onto(STREAM, organizations.fold)
    assert loaded.state == await _whole_stream(store)
    assert loaded.state.parents["222222222220"] == "ou-ab12-11111111"
    assert loaded.version == (await store.read_stream(STREAM))[-1].version


async def test_racing_changes_on_the_shared_state_are_retried_not_lost(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # SQLite reads on worker threads, so the changes really interleave at every await.
    store = SqliteEventStore(tmp_path / "events.db", EventCodec())
    repo = Repository(store)
    now = iso8601(_Clock().now())
    await _change(repo, lambda s: organizations.create(s, organization_id="o-abc", root_id="r-ab12",
                                                       management_account_id=MANAGEMENT, now=now))
    await asyncio.gather(*(_change(repo, lambda s, i=i: organizations.create_ou(
        s, ou_id=f"ou-ab12-0000000{i}", name=f"ou{i}", parent_id="r-ab12")) for i in range(4)))  # at most MAX_ATTEMPTS racers
    state = await _whole_stream(store)
    assert sorted(state.ou_names) == [f"ou-ab12-0000000{i}" for i in range(4)]
    assert (await repo.load_onto(STREAM, organizations.fold)).state == state
    # Events another writer appended, picked up by several loads at once: folded once.
    head = (await store.read_stream(STREAM))[-1].version
    scp = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}'
    more = organizations.enable_policy_type(state, root_id="r-ab12", policy_type=organizations.SCP)
    more += organizations.create_policy(state, policy_id="p-late", name="late", policy_type=organizations.SCP,
                                        content=scp)
    more += organizations.attach(organizations.fold(more, await _whole_stream(store)), policy_id="p-late",
                                 target_id="r-ab12")  # appending to a list: folded twice, it would show
    await store.append(STREAM, [NewEvent(event_type("org", e), e.to_data(), CTX.metadata(now)) for e in more], head)
    loads = await asyncio.gather(*(repo.load_onto(STREAM, organizations.fold) for _ in range(4)))
    whole = await _whole_stream(store)
    assert all(loaded.state == whole for loaded in loads)
    await store.close()
