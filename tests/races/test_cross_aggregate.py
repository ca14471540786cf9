"""Invariants across aggregates under concurrency (docs/invariants.md): every pair of commands
where one refers to an aggregate the other deletes is raced, on SQLite and on the KurrentDB
adapter (over its in-process fake, through real gRPC). Never may both succeed; afterwards the
live state equals the state a restart folds from the log (projection and compiled policy sets),
and it holds no dangling reference.

Iterations per pair: IAMD_RACE_ITERATIONS (default 50).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
import pytest

from iamd.projections.identity import IDENTITY_STREAMS, IdentityProjection
from iamd.projections.principals import PrincipalPolicyCache
from iamd.projections.runner import ProjectionRunner
from iamd.service.app.credentials import CredentialCommands
from iamd.service.app.identity import IdentityCommands
from iamd.service.app.instance_profiles import InstanceProfileCommands
from iamd.service.app.mfa import MfaCommands
from iamd.service.app.organizations import OrganizationCommands
from iamd.service.app.ports import CallContext, RandomIds, SystemClock, iso8601
from iamd.service.app.repository import Repository
from iamd.service.auth import totp
from iamd.service.auth.keyring import Keyring
from iamd.service.domain import managed_policy
from iamd.service.domain.errors import IamError
from iamd.service.domain.events import AccountCreated, ReferenceReserved, event_type
from iamd.service.domain.names import stream_name
from iamd.service.eventstore import EventCodec, EventStore, KurrentDbEventStore, SqliteEventStore
from iamd.service.eventstore.errors import WrongExpectedVersion
from iamd.service.eventstore.port import NewEvent, StreamState
from tests.fakes.kurrentdb_fake import FakeKurrentDb

ITERATIONS = int(os.environ.get("IAMD_RACE_ITERATIONS", "50"))
DELAY = 0.004  # seconds: each side of a race starts after a random delay up to this
ACCOUNT = "123456789012"
MEMBER_NAME = "member"
DOC = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                          "Resource": "*"}]})
SCP = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})

pytestmark = pytest.mark.timeout(120)


def _ctx(account: str = ACCOUNT) -> CallContext:
    return CallContext(uuid.uuid4().hex, account, f"arn:aws:iam::{account}:root", operation="race")


@dataclass
class App:
    """The write side and the projection of one iamd process over `store`."""

    store: EventStore
    projection: IdentityProjection
    principals: PrincipalPolicyCache
    runner: ProjectionRunner
    identity: IdentityCommands
    mfa: MfaCommands
    orgs: OrganizationCommands
    credentials: CredentialCommands
    instance_profiles: InstanceProfileCommands

    @classmethod
    async def start(cls, store: EventStore) -> App:
        clock, ids = SystemClock(), RandomIds()
        _instrument(store)
        projection = IdentityProjection()
        principals = PrincipalPolicyCache(projection)
        runner = ProjectionRunner(store, projection, IDENTITY_STREAMS)
        await runner.start()
        identity = IdentityCommands(store, clock, ids, projection, runner)
        keyring = Keyring.generate()
        mfa = MfaCommands(Repository(store), clock, keyring, projection)
        orgs = OrganizationCommands(store, Repository(store), clock, projection, identity)
        credentials = CredentialCommands(store, clock, ids, keyring, projection)
        profiles = InstanceProfileCommands(Repository(store), clock, ids, projection)
        return cls(store, projection, principals, runner, identity, mfa, orgs, credentials, profiles)

    async def caught_up(self) -> IdentityProjection:
        await self.runner.wait_for(await self.store.head_position(IDENTITY_STREAMS), 10)
        return self.projection

    async def stop(self) -> None:
        await self.runner.stop()


Opener = Callable[[], EventStore]
COUNTS: dict[str, int] = {}


def _instrument(store: EventStore) -> None:
    """Count the appends refused for a stale expected version, by stream kind; and make the
    window between a reservation and its commit wider at random (a slow or dying process), so
    that deletions meet references in flight, not only ones already committed or refused."""
    if getattr(store, "_race_instrumented", False):
        return
    append = store.append

    async def instrumented(stream: str, events: Any, expected: Any) -> Any:
        try:
            result = await append(stream, events, expected)
        except WrongExpectedVersion:
            kind = stream.split("-", 1)[0]
            COUNTS[f"conflicts on {kind} streams"] = COUNTS.get(f"conflicts on {kind} streams", 0) + 1
            raise
        if events and events[0].type == "ReferenceReserved" and random.random() < 0.5:
            await asyncio.sleep(random.random() * DELAY)
        return result

    store.append = instrumented  # type: ignore[method-assign]
    store._race_instrumented = True  # type: ignore[attr-defined]


@pytest.fixture(params=["sqlite", "kurrentdb-fake"])
async def opener(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[Opener]:  # type: ignore[no-untyped-def]
    opened: list[EventStore] = []
    fake: FakeKurrentDb | None = None
    if request.param == "sqlite":
        def create() -> EventStore:
            return SqliteEventStore(tmp_path / "events.db", EventCodec())
    else:
        fake = FakeKurrentDb()
        await fake.start()
        uri = fake.uri

        def create() -> EventStore:
            return KurrentDbEventStore(uri, EventCodec())

    def open_store() -> EventStore:
        store = create()
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        await store.close()
    if fake is not None:
        await fake.stop()


@pytest.fixture
async def app(opener: Opener) -> AsyncIterator[App]:
    store = opener()
    created = AccountCreated(ACCOUNT, iso8601(SystemClock().now()))
    await store.append(f"account-{ACCOUNT}-root", [NewEvent(event_type("account", created), created.to_data())],
                       StreamState.NO_STREAM)
    started = await App.start(store)
    yield started
    await started.stop()


async def _outcome(call: Awaitable[Any]) -> bool:
    """Whether a command succeeded; an IAM error (a conflict, a missing entity) is a refusal."""
    await asyncio.sleep(random.random() * DELAY)  # vary which one gets there first, and by how much
    try:
        await call
        return True
    except IamError:
        return False


async def race(first: Callable[[], Awaitable[Any]], second: Callable[[], Awaitable[Any]]) -> tuple[bool, bool]:
    a, b = await asyncio.gather(_outcome(first()), _outcome(second()))
    return a, b


Tally = dict[str, list[int]]  # pair -> [first only, second only, neither]


def _count(tally: Tally, pair: str, outcome: tuple[bool, bool]) -> None:
    assert outcome != (True, True), f"{pair}: both succeeded"
    row = tally.setdefault(pair, [0, 0, 0])
    row[0 if outcome[0] else 1 if outcome[1] else 2] += 1


async def assert_restart_equal(app: App, opener: Opener) -> None:
    """The live projection and compiled policy sets equal a fold of the log by a fresh process,
    and no reference dangles."""
    live = await app.caught_up()
    for account in live.accounts.values():  # compile the live sets (the cache the issue saw go stale)
        for kind in ("user", "role"):
            for key in list(account.by_kind(kind)):
                app.principals.get(account.account_id, kind, key)
    restarted = await App.start(opener())
    try:
        rebuilt = await restarted.caught_up()
        assert rebuilt.position == live.position
        assert orjson.loads(orjson.dumps(rebuilt.to_snapshot())) == orjson.loads(orjson.dumps(live.to_snapshot()))
        assert live.dangling_references() == [] and rebuilt.dangling_references() == []
        for account in live.accounts.values():
            for kind in ("user", "role"):
                for key in account.by_kind(kind):
                    mine = app.principals.get(account.account_id, kind, key)
                    theirs = restarted.principals.get(account.account_id, kind, key)
                    assert mine is not None and theirs is not None
                    assert [p.policy_id for p in mine.policies] == [p.policy_id for p in theirs.policies], key
                    assert (mine.boundary is None) == (theirs.boundary is None), key
    finally:
        await restarted.stop()


def _arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:policy/{name}"


# --- IAM: references to managed policies, groups and users ----------------------------------
async def test_iam_references_never_dangle_under_races(app: App, opener: Opener) -> None:
    cmd, ctx = app.identity, _ctx()
    tally: Tally = {}
    started = time.monotonic()
    for i in range(ITERATIONS):
        user, group, role = f"u{i}", f"g{i}", f"r{i}"
        await cmd.create_user(ctx, user_name=user)
        await cmd.create_group(ctx, group_name=group)
        await cmd.create_role(ctx, role_name=role, assume_role_policy_document=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ACCOUNT},
                                                   "Action": "sts:AssumeRole"}]}))
        for kind, name in (("user", user), ("group", group), ("role", role)):
            p = f"attach-{kind}-{i}"
            await cmd.create_policy(ctx, policy_name=p, policy_document=DOC)
            outcome = await race(lambda: cmd.attach_policy(ctx, kind=kind, name=name, policy_arn=_arn(p)),
                                 lambda: cmd.delete_policy(ctx, policy_arn=_arn(p)))
            _count(tally, f"Attach{kind.title()}Policy/DeletePolicy", outcome)
            if outcome[0]:  # leave the entity deletable
                await cmd.detach_policy(ctx, kind=kind, name=name, policy_arn=_arn(p))
        for kind, name in (("user", user), ("role", role)):
            p = f"boundary-{kind}-{i}"
            await cmd.create_policy(ctx, policy_name=p, policy_document=DOC)
            outcome = await race(
                lambda: cmd.put_permissions_boundary(ctx, kind=kind, name=name, permissions_boundary=_arn(p)),
                lambda: cmd.delete_policy(ctx, policy_arn=_arn(p)))
            _count(tally, f"Put{kind.title()}PermissionsBoundary/DeletePolicy", outcome)
            if outcome[0]:
                await cmd.delete_permissions_boundary(ctx, kind=kind, name=name)
        p = f"created-boundary-{i}"
        await cmd.create_policy(ctx, policy_name=p, policy_document=DOC)
        outcome = await race(lambda: cmd.create_user(ctx, user_name=f"bounded{i}", permissions_boundary=_arn(p)),
                             lambda: cmd.delete_policy(ctx, policy_arn=_arn(p)))
        _count(tally, "CreateUser(boundary)/DeletePolicy", outcome)
        # Attaching (reserving in the policy's stream) races version changes: both may succeed,
        # and the default version can never be deleted.
        p = f"versions-{i}"
        await cmd.create_policy(ctx, policy_name=p, policy_document=DOC)
        await cmd.create_policy_version(ctx, policy_arn=_arn(p), policy_document=DOC)
        outcome = await race(lambda: cmd.set_default_policy_version(ctx, policy_arn=_arn(p), version_id="v2"),
                             lambda: cmd.delete_policy_version(ctx, policy_arn=_arn(p), version_id="v2"))
        _count(tally, "SetDefaultPolicyVersion/DeletePolicyVersion", outcome)
        await cmd.create_policy_version(ctx, policy_arn=_arn(p), policy_document=DOC)  # v3, not the default
        attached, deleted = await race(
            lambda: cmd.attach_policy(ctx, kind="user", name=user, policy_arn=_arn(p)),
            lambda: cmd.delete_policy_version(ctx, policy_arn=_arn(p), version_id="v3"))
        tally.setdefault("AttachUserPolicy/DeletePolicyVersion (both may succeed)", [0, 0, 0])[
            0 if attached and deleted else 1 if attached or deleted else 2] += 1
        if attached:
            await cmd.detach_policy(ctx, kind="user", name=user, policy_arn=_arn(p))
        # Memberships: the group's stream guards them against DeleteGroup, the user's against DeleteUser.
        outcome = await race(lambda: cmd.add_user_to_group(ctx, group_name=group, user_name=user),
                             lambda: cmd.delete_group(ctx, group_name=group))
        _count(tally, "AddUserToGroup/DeleteGroup", outcome)
        if outcome[0]:
            await cmd.remove_user_from_group(ctx, group_name=group, user_name=user)
        other = f"g{i}b"
        await cmd.create_group(ctx, group_name=other)
        outcome = await race(lambda: cmd.add_user_to_group(ctx, group_name=other, user_name=user),
                             lambda: cmd.delete_user(ctx, user_name=user))
        _count(tally, "AddUserToGroup/DeleteUser", outcome)
        if outcome[0]:
            await cmd.remove_user_from_group(ctx, group_name=other, user_name=user)
            await cmd.delete_user(ctx, user_name=user)
        # Access keys live in the user's own stream: DeleteUser is decided at the version that has them.
        keyed = f"keyed{i}"
        await cmd.create_user(ctx, user_name=keyed)
        outcome = await race(lambda: app.credentials.create_access_key(ctx, None, keyed),
                             lambda: cmd.delete_user(ctx, user_name=keyed))
        _count(tally, "CreateAccessKey/DeleteUser", outcome)
        # An MFA device enabled for a user refers to the user: DeleteUser races the enabling.
        victim = f"mfa-user{i}"
        await cmd.create_user(ctx, user_name=victim)
        device, _ = await app.mfa.create_virtual_mfa_device(ctx, name=f"dev{i}")
        await app.caught_up()
        now = time.time()
        step = totp.time_step(now)
        code1, code2 = totp.hotp(device.base32_seed, step - 1), totp.hotp(device.base32_seed, step)
        outcome = await race(lambda: app.mfa.enable_mfa_device(ctx, user_name=victim, serial_number=device.serial_number,
                                                              code1=code1, code2=code2),
                             lambda: cmd.delete_user(ctx, user_name=victim))
        _count(tally, "EnableMFADevice/DeleteUser", outcome)
        # A role deleted and created again is another role (its id): nothing of the old one comes back.
        outcome = await race(lambda: cmd.attach_policy(ctx, kind="role", name=role, policy_arn=_arn(p)),
                             lambda: cmd.delete_role(ctx, role_name=role))
        _count(tally, "AttachRolePolicy/DeleteRole", outcome)
        # An instance profile holding a role refers to it: DeleteRole races the adding.
        held, profile = f"ip-role{i}", f"ip{i}"
        await cmd.create_role(ctx, role_name=held, assume_role_policy_document=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                   "Action": "sts:AssumeRole"}]}))
        await app.instance_profiles.create(ctx, name=profile)
        outcome = await race(lambda: app.instance_profiles.add_role(ctx, profile, held),
                             lambda: cmd.delete_role(ctx, role_name=held))
        _count(tally, "AddRoleToInstanceProfile/DeleteRole", outcome)
    elapsed = time.monotonic() - started
    await assert_restart_equal(app, opener)
    # How often a deletion met a reference still in flight (the window of the original bug).
    types = [e.type async for e in app.store.read_all(filter=IDENTITY_STREAMS)]
    tally["reservations (total, voided by a deletion)"] = [types.count("ReferenceReserved"),
                                                           types.count("ReservationVoided"), 0]
    tally.update({k: [v, 0, 0] for k, v in sorted(COUNTS.items())})
    COUNTS.clear()
    print(f"\n{ITERATIONS} iterations in {elapsed:.1f}s:", json.dumps(tally))


async def test_a_recreated_policy_is_another_policy(app: App, opener: Opener) -> None:
    """The issue's scenario made deterministic: an attachment reserved, the process 'crashes'
    before committing it, DeletePolicy voids it, the commit can then never land, and a policy
    created again under the same ARN is attached to nobody, live and after a restart."""
    cmd, ctx = app.identity, _ctx()
    await cmd.create_user(ctx, user_name="alice")
    await cmd.create_policy(ctx, policy_name="P", policy_document=DOC)
    policy = await cmd.repo.load_policy(ACCOUNT, "P")
    user = await cmd.repo.load_entity("user", ACCOUNT, "alice")
    reserved = ReferenceReserved("r1", "attached", user.stream, user.state.id, user.version)  # type: ignore[attr-defined]
    await cmd.repo.append("policy", policy, [reserved], ctx, "t")  # ... and the process dies here
    assert (await app.caught_up()).account(ACCOUNT).users["alice"]["attached"] == []  # type: ignore[union-attr]
    await assert_restart_equal(app, opener)  # a reservation alone grants and shows nothing
    await cmd.delete_policy(ctx, policy_arn=_arn("P"))
    from iamd.service.domain.identity import attach_policy
    with pytest.raises(WrongExpectedVersion):  # the interrupted attach cannot complete any more
        await cmd.repo.append("user", user, attach_policy(user.state, _arn("P"), policy.state.id, "r1"), ctx, "t")  # type: ignore[arg-type]
    await cmd.create_policy(ctx, policy_name="P", policy_document=DOC)
    projection = await app.caught_up()
    assert projection.account(ACCOUNT).users["alice"]["attached"] == []  # type: ignore[union-attr]
    assert projection.account(ACCOUNT).policies["p"]["attached_to"] == {}  # type: ignore[union-attr]
    await assert_restart_equal(app, opener)


@pytest.mark.parametrize("commit_lands", [True, False])
async def test_a_reservation_follows_its_group_through_a_rename(app: App, opener: Opener, commit_lands: bool) -> None:
    """A membership reserved in a group's stream, then the group renamed before the membership
    is committed: the reservation moves with the group's state, so DeleteGroup under the new name
    still settles it (refused if the commit landed; voiding it otherwise)."""
    from iamd.service.domain.errors import DeleteConflictError
    from iamd.service.domain.identity import add_user_to_group

    cmd, ctx = app.identity, _ctx()
    await cmd.create_user(ctx, user_name="carol")
    await cmd.create_group(ctx, group_name="old")
    group = await cmd.repo.load_entity("group", ACCOUNT, "old")
    user = await cmd.repo.load_entity("user", ACCOUNT, "carol")
    reserved = ReferenceReserved("r1", "member", user.stream, user.state.id, user.version)  # type: ignore[attr-defined]
    await cmd.repo.append("group", group, [reserved], ctx, "t")
    await cmd.update_group(ctx, group_name="old", new_group_name="new")
    commit = add_user_to_group(user.state, group.state.id, "old", "r1")  # type: ignore[arg-type, attr-defined]
    if commit_lands:
        await cmd.repo.append("user", user, commit, ctx, "t")
        with pytest.raises(DeleteConflictError):
            await cmd.delete_group(ctx, group_name="new")
        assert (await app.caught_up()).account(ACCOUNT).groups["new"]["members"] == {"carol": True}  # type: ignore[union-attr]
    else:
        await cmd.delete_group(ctx, group_name="new")
        with pytest.raises(WrongExpectedVersion):
            await cmd.repo.append("user", user, commit, ctx, "t")
    await assert_restart_equal(app, opener)


async def test_replay_check_names_a_dangling_reference(app: App) -> None:
    """A log written before the guard (an attachment committed after its policy's deletion):
    the projection keeps it aside (no revival by a later policy of that ARN), and CheckReplay's
    integrity check names it."""
    from iamd.service.app.history import TimeTravel
    from iamd.service.domain.events import PolicyAttached

    cmd, ctx = app.identity, _ctx()
    await cmd.create_user(ctx, user_name="bob")
    _, _ = await cmd.create_policy(ctx, policy_name="Old", policy_document=DOC)
    policy_id = (await cmd.repo.load_policy(ACCOUNT, "Old")).state.id  # type: ignore[attr-defined]
    await cmd.delete_policy(ctx, policy_arn=_arn("Old"))
    user = await cmd.repo.load_entity("user", ACCOUNT, "bob")
    await cmd.repo.append("user", user, [PolicyAttached(_arn("Old"), policy_id)], ctx, "t")  # the old race's effect
    await cmd.create_policy(ctx, policy_name="Old", policy_document=DOC)
    projection = await app.caught_up()
    assert projection.account(ACCOUNT).users["bob"]["attached"] == []  # type: ignore[union-attr]
    assert [p.policy_id for p in app.principals.get(ACCOUNT, "user", "bob").policies] == []  # type: ignore[union-attr]
    equal, _, differences = await TimeTravel(app.store, SystemClock(), app.runner).replay_matches_live(projection)
    assert not equal and any("dangling reference" in d and "Old" in d for d in differences), differences


async def test_assume_role_racing_delete_role_leaves_no_live_session(app: App, opener: Opener) -> None:
    """A session refers to its role by the role's unique id. Both may succeed (AssumeRole, then
    DeleteRole ends the session); but AssumeRole answers with credentials only when its session
    was issued before the deletion in the log, a session issued after it is dead from the start,
    and a role created again under the name is another role: no session of a deleted role lives."""
    from iamd.service.app.authenticate import Caller
    from iamd.service.app.authorize import Authorizer
    from iamd.service.app.sts import AssumeRoleParams, StsCommands

    cmd, ctx = app.identity, _ctx()
    user, _ = await cmd.create_user(ctx, user_name="assumer")
    caller = Caller(user["arn"], ACCOUNT, "user", "assumer", user["id"], "AKIAEXAMPLEEXAMPLE00")
    sts = StsCommands(app.store, SystemClock(), RandomIds(), Keyring.generate(), app.principals,
                      Authorizer(app.principals, app.runner, SystemClock()), app.mfa)
    trust_policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": user["arn"]}, "Action": "sts:AssumeRole"}]})
    tally = {"AssumeRole/DeleteRole (both, neither counted last)": [0, 0, 0, 0]}
    answered: list[Any] = []
    for i in range(ITERATIONS):
        name = f"assumed{i % 5}"  # names come back: a recreated role must not revive old sessions
        await cmd.create_role(ctx, role_name=name, assume_role_policy_document=trust_policy)
        await app.caught_up()
        params = AssumeRoleParams(f"arn:aws:iam::{ACCOUNT}:role/{name}", "session")
        issued: list[Any] = []

        async def assume(params: AssumeRoleParams = params) -> None:
            issued.append(await sts.assume_role(ctx, caller, params, {}))

        deleted: list[int] = []

        async def delete(name: str = name) -> None:
            deleted.append(await cmd.delete_role(ctx, role_name=name))

        outcome = await race(assume, delete)
        row = tally["AssumeRole/DeleteRole (both, neither counted last)"]
        row[3 if not any(outcome) else 0 if all(outcome) else 1 if outcome[0] else 2] += 1
        if issued and deleted:
            assert issued[0].position < deleted[0]  # answered only for a session issued before the deletion
        if not outcome[1]:
            await cmd.delete_role(ctx, role_name=name)
        answered += issued
    projection = await app.caught_up()
    # Every role is deleted now (some recreated meanwhile): no session of any of them is live.
    assert [c.access_key_id for c in answered if c.access_key_id in projection.sessions] == []
    assert projection.sessions == {}
    types = [e.type async for e in app.store.read_all(filter=IDENTITY_STREAMS)]
    tally["sessions (answered, issued in the log)"] = [len(answered), types.count("SessionIssued"), 0, 0]
    await assert_restart_equal(app, opener)
    print(f"\n{ITERATIONS} iterations:", json.dumps(tally))


# --- Organizations: one stream, so every rule across its tree is decided at one version -------
async def test_organization_invariants_under_races(app: App, opener: Opener) -> None:
    ctx, orgs = _ctx(), app.orgs
    await orgs.create_organization(ctx)
    await app.caught_up()
    member = (await orgs.create_account(ctx, account_name="m", email="m@example.com")).account_id
    await app.caught_up()
    root = orgs.state(ctx).root_id
    await orgs.enable_policy_type(ctx, root_id=root, policy_type="SERVICE_CONTROL_POLICY")  # none in a new organization
    tally: Tally = {}
    for i in range(ITERATIONS):
        await app.caught_up()
        ou, _ = await orgs.create_ou(ctx, parent_id=root, name=f"ou{i}")
        policy, _ = await orgs.create_policy(ctx, name=f"scp{i}", policy_type="SERVICE_CONTROL_POLICY", content=SCP)
        outcome = await race(lambda: orgs.attach_policy(ctx, policy_id=policy, target_id=ou),
                             lambda: orgs.delete_policy(ctx, policy_id=policy))
        _count(tally, "AttachPolicy/DeletePolicy", outcome)
        if outcome[0]:
            await orgs.detach_policy(ctx, policy_id=policy, target_id=ou)
        outcome = await race(lambda: orgs.move_account(ctx, account_id=member, source_parent_id=root,
                                                       destination_parent_id=ou),
                             lambda: orgs.delete_ou(ctx, ou_id=ou))
        _count(tally, "MoveAccount/DeleteOrganizationalUnit", outcome)
        if outcome[0]:
            await orgs.move_account(ctx, account_id=member, source_parent_id=ou, destination_parent_id=root)
            await orgs.delete_ou(ctx, ou_id=ou)
        parent, _ = await orgs.create_ou(ctx, parent_id=root, name=f"parent{i}")
        outcome = await race(lambda: orgs.create_ou(ctx, parent_id=parent, name="child"),
                             lambda: orgs.delete_ou(ctx, ou_id=parent))
        _count(tally, "CreateOrganizationalUnit/DeleteOrganizationalUnit(parent)", outcome)
    live = await app.caught_up()
    state = live.organizations[ACCOUNT]
    assert all(p in state.ou_names or p == root for p in state.parents.values())  # no orphan in the tree
    assert all(pid in state.policies or pid.startswith("p-FullAWS") for ids in state.attachments.values() for pid in ids)
    await assert_restart_equal(app, opener)
    print(f"\norganizations, {ITERATIONS} iterations:", json.dumps(tally))


def test_policy_reservations_fold_into_the_policy_state() -> None:
    state = managed_policy.fold([])
    assert state.reservations == {}
    assert stream_name("policy", ACCOUNT, "P") == f"policy-{ACCOUNT}-p"
