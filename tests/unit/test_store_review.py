"""The event store and the projection runner, found in review."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any


from iamd.projections.runner import ProjectionRunner
from iamd.service.eventstore import EventCodec, SqliteEventStore
from iamd.service.eventstore.port import EventFilter, NewEvent, RecordedEvent, StreamState

IDENTITY = EventFilter(stream_prefixes=("user-",))


class Folded:
    """A projection that only records what it applied (the runner needs no more)."""

    def __init__(self) -> None:
        self.position = 0
        self.events_applied = 0

    def apply(self, event: RecordedEvent) -> None:
        if event.position <= self.position:
            return
        self.position = event.position
        self.events_applied += 1

    def to_snapshot(self) -> dict[str, Any]:
        return {"position": self.position}


def _event() -> NewEvent:
    return NewEvent(id=str(uuid.uuid4()), type="ThingHappened", data={})


async def test_waiting_for_a_position_past_the_last_match_returns_once_every_match_is_applied(tmp_path: Path) -> None:
    """wait_for's position need not be a match's: an audit record's position, after the last identity
    event, is reached once that identity event is applied. On SQLite (no checkpoints) the wait hung
    until another identity event came, or timed out on a quiet log."""
    store = SqliteEventStore(tmp_path / "events.db", EventCodec())
    runner = ProjectionRunner(store, Folded(), IDENTITY)
    try:
        await store.append("user-1", [_event()], StreamState.NO_STREAM)
        await runner.start()
        identity = (await store.append("user-1", [_event()], 0)).position
        audit = (await store.append("audit-1", [_event()], StreamState.NO_STREAM)).position
        assert audit > identity
        await runner.wait_for(audit, timeout=2.0)
        assert runner.projection.position == identity
    finally:
        await runner.stop()
        await store.close()


async def test_a_subscription_sees_another_process_commits_while_its_own_process_writes_other_streams(
        tmp_path: Path) -> None:
    """Several processes share one SQLite file: a subscription learns of the other's commits by polling.
    Its own process's commits of streams it does not read (audit records, with every call) must not
    put the poll off for good: it then never read the log again, and the other process's identity
    writes stayed unseen for as long as this one kept serving calls."""
    ours = SqliteEventStore(tmp_path / "events.db", EventCodec(), poll_interval=0.05)
    theirs = SqliteEventStore(tmp_path / "events.db", EventCodec(), poll_interval=0.05)
    subscription = ours.subscribe_all(filter=IDENTITY)
    seen: asyncio.Queue[RecordedEvent] = asyncio.Queue()

    async def follow() -> None:
        async for event in subscription:
            seen.put_nowait(event)

    async def serve_calls() -> None:  # an audit record every 10 ms, as calls come
        for n in range(1_000):
            await ours.append(f"audit-{n}", [_event()], StreamState.NO_STREAM)
            await asyncio.sleep(0.01)

    following = asyncio.create_task(follow())
    serving = asyncio.create_task(serve_calls())
    try:
        await asyncio.sleep(0.2)  # the subscription waits, the audit records flow
        written = await theirs.append("user-1", [_event()], StreamState.NO_STREAM)
        event = await asyncio.wait_for(seen.get(), timeout=2.0)
        assert event.position == written.position
    finally:
        serving.cancel()
        following.cancel()
        await asyncio.gather(serving, following, return_exceptions=True)
        await subscription.aclose()
        await theirs.close()
        await ours.close()


async def test_guardrails_of_an_account_that_moved_to_another_organization_are_the_new_ones() -> None:
    """The compiled SCP levels (and organization keys) of an account were cached by account and the
    number of events of its organization: an account that left one organization and joined another
    whose stream has as many events as the first had was governed by the first one's SCPs, and
    answered aws:PrincipalOrgID with the first's id, until a restart (which compiles afresh)."""
    from iamd.projections.identity import IdentityProjection
    from iamd.projections.principals import PrincipalPolicyCache
    from iamd.service.domain import organizations as o
    from iamd.service.domain.events import OrganizationResourceTagged
    from iamd.service.eventstore.port import ReplayedEvent

    now, member = "2026-01-01T00:00:00Z", "333333333333"
    deny_s3 = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}'
    projection = IdentityProjection()
    cache = PrincipalPolicyCache(projection)
    states: dict[str, o.OrganizationState] = {}

    def record(management: str, events: list[Any]) -> None:
        for event in events:
            projection.apply(ReplayedEvent(projection.position + 1, f"org-{management}-organization",
                                           type(event).__name__, event.to_data()))
        states[management] = o.fold(events, states.get(management))

    def organization(management: str, suffix: str) -> None:
        record(management, o.create(o.OrganizationState(), organization_id=f"o-{suffix}", root_id=f"r-{suffix[:4]}",
                                    management_account_id=management, now=now))
        record(management, o.enable_policy_type(states[management], root_id=f"r-{suffix[:4]}", policy_type=o.SCP))
        record(management, o.join(states[management], account_id=member, name="dev", email="d@x.io", now=now))

    def levels() -> list[list[list[str]]]:
        return [[p.policy_id for p in level.policies] for level in cache.guardrail_levels(member, o.SCP)]

    organization("111111111111", "aaaaaaaaaa")
    record("111111111111", o.create_policy(states["111111111111"], policy_id="p-denys3aa", name="deny-s3",
                                           policy_type=o.SCP, content=deny_s3))
    record("111111111111", o.attach(states["111111111111"], policy_id="p-denys3aa", target_id="r-aaaa"))
    governed_by_a = levels()
    assert any("p-denys3aa" in level for level in governed_by_a)
    a_keys = dict(cache.organization_keys(member, "Principal"))
    held = len(projection.organization_events["111111111111"])
    record("111111111111", o.remove_account(states["111111111111"], account_id=member, now=now))

    organization("222222222222", "bbbbbbbbbb")
    while len(projection.organization_events["222222222222"]) < held:  # as many events as the first had
        record("222222222222", [OrganizationResourceTagged("r-bbbb", {"n": str(projection.position)})])
    assert projection.organization_of_account[member] == "222222222222"

    fresh = PrincipalPolicyCache(projection)  # what a restart has
    assert levels() == [[p.policy_id for p in level.policies] for level in fresh.guardrail_levels(member, o.SCP)]
    assert dict(cache.organization_keys(member, "Principal")) == dict(fresh.organization_keys(member, "Principal"))
    assert dict(cache.organization_keys(member, "Principal")) != a_keys


def test_a_snapshot_keeps_which_organization_an_account_is_in_as_the_log_says() -> None:
    """A log written before an account could join only one organization at a time (AcceptHandshake
    racing another) may have it join two: the projection follows the log, the later join wins. A
    start from a snapshot refolded each organization in turn and let the one created last win,
    whatever the order of the joins: its SCPs then governed the account after a restart only."""
    import marshal

    from iamd.projections.identity import IdentityProjection
    from iamd.service.domain import organizations as o
    from iamd.service.eventstore.port import ReplayedEvent

    now, member, first, second = "2026-01-01T00:00:00Z", "333333333333", "111111111111", "222222222222"
    projection = IdentityProjection()
    states: dict[str, o.OrganizationState] = {}

    def record(management: str, events: list[Any]) -> None:
        for event in events:
            projection.apply(ReplayedEvent(projection.position + 1, f"org-{management}-organization",
                                           type(event).__name__, event.to_data()))
        states[management] = o.fold(events, states.get(management))

    for management, suffix in ((first, "aaaaaaaaaa"), (second, "bbbbbbbbbb")):
        record(management, o.create(o.OrganizationState(), organization_id=f"o-{suffix}", root_id=f"r-{suffix[:4]}",
                                    management_account_id=management, now=now))
    record(second, o.join(states[second], account_id=member, name="dev", email="d@x.io", now=now))
    record(first, o.join(states[first], account_id=member, name="dev", email="d@x.io", now=now))  # the later join
    assert projection.organization_of_account[member] == first

    restarted = IdentityProjection.from_snapshot(marshal.loads(marshal.dumps(projection.to_snapshot())))
    assert restarted.organization_of_account == projection.organization_of_account
