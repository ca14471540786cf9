"""Data for the service benchmark.

- `prepare_principal`: over gRPC, as an operator would: the user `bench` with 100 managed
  policies (10 attached to it, 9 to each of its 10 groups; AWS's quotas allow no more), an
  inline policy, tags and an access key. Authorize asks about it.
- `write_identity_log`: a large identity written straight into a data directory's SQLite log
  through iamd's own adapter, with the domain's own event classes, so that the projection folds
  exactly what commands would have written: managed policies, groups, roles (trust policy, two
  attachments, some inline) and users (tags, two attachments, two groups, an access key, some
  inline), padded with tag changes up to the wanted number of events. Users come in teams whose
  members share their attachments and groups, as in an account managed by team (every tenth user
  also has an inline policy of its own); `users_per_team=1` gives every user its own
  attachments, the worst case for memory. Commands could not build this log: one account's quota
  is 5,000 users, and a million commands would take an hour.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc

from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import identity_pb2_grpc
from iamd.service.auth.keyring import Keyring
from iamd.service.domain import events as ev
from iamd.service.domain.names import entity_arn, stream_name
from iamd.service.eventstore import EventCodec, NewEvent, SqliteEventStore, StreamState
from tests.bench.policy_bench import identity_document
from tests.bench.procs import ACCOUNT

NOW = "2026-12-01T00:00:00Z"
# What every principal is asked: allowed by managed policy 0 (`s3:Get*` on `team-0-*` buckets).
ACTION, RESOURCE = "s3:GetObject", "arn:aws:s3:::team-0-reports/2026/summary.csv"
INLINE_DOCUMENT = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"],
     "Resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders-*"}]})
TRUST_DOCUMENT = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


# --- the principal Authorize asks about, made with commands --------------------------------------
async def prepare_principal(channel: grpc.aio.Channel) -> tuple[apb.AuthorizeRequest, int]:
    """Create `bench` and its 100 policies; returns the request every Authorize round sends, and
    the position of the last command (the first Authorize waits for it: read-your-writes)."""
    iam = identity_pb2_grpc.IdentityServiceStub(channel)
    user = pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="bench")
    await iam.CreateUser(ipb.CreateUserRequest(user_name="bench", tags=[
        pb.Tag(key="team", value="red"), pb.Tag(key="role", value="developer")]))
    arns = [(await iam.CreatePolicy(ipb.CreatePolicyRequest(
        policy_name=f"Bench{i:03d}", policy_document=json.dumps(identity_document(i))))).policy.arn
        for i in range(100)]
    for arn in arns[:10]:
        await iam.AttachPolicy(ipb.AttachPolicyRequest(target=user, policy_arn=arn))
    for g in range(10):
        group = pb.EntityRef(kind=pb.ENTITY_KIND_GROUP, name=f"bench-group-{g}")
        await iam.CreateGroup(ipb.CreateGroupRequest(group_name=group.name))
        await iam.AddUserToGroup(ipb.AddUserToGroupRequest(group_name=group.name, user_name="bench"))
        for arn in arns[10 + 9 * g: 19 + 9 * g]:
            await iam.AttachPolicy(ipb.AttachPolicyRequest(target=group, policy_arn=arn))
    await iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(target=user, policy_name="orders",
                                                         policy_document=INLINE_DOCUMENT))
    last = await iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="bench"))
    request = apb.AuthorizeRequest(principal_arn=entity_arn(ACCOUNT, ev.USER, "/", "bench"), action=ACTION,
                                   resource=RESOURCE)
    return request, last.position


# --- a large identity, written straight into the log ----------------------------------------------
@dataclass(frozen=True)
class IdentitySize:
    users: int
    roles: int
    policies: int
    events: int  # pad the log with tag changes up to this many events
    users_per_team: int = 20  # users with equal attachments and groups

    @property
    def groups(self) -> int:
        return min(300, max(2, self.users // 100))  # 300: AWS's quota of groups per account

    def principal_arns(self) -> Iterator[str]:
        for i in range(self.users):
            yield entity_arn(ACCOUNT, ev.USER, "/", _user_name(i))
        for j in range(self.roles):
            yield entity_arn(ACCOUNT, ev.ROLE, "/", _role_name(j))


def _user_name(i: int) -> str:
    return f"user{i:07d}"


def _role_name(j: int) -> str:
    return f"role{j:06d}"


def _policy_arn(k: int) -> str:
    return entity_arn(ACCOUNT, ev.POLICY, "/", f"policy{k:06d}")


_METADATA = {"request_id": "bench-prepare", "actor": f"arn:aws:iam::{ACCOUNT}:root", "source_ip": "127.0.0.1",
             "user_agent": "iamctl/bench", "time": NOW}


# Event ids in increasing order: random uuid4s would make each commit rewrite pages all over the
# unique id index, and slow the writing of the log (not its reading, which is what is measured).
_ID_BASE = uuid.uuid4().int & ~((1 << 64) - 1)
_ids = (str(uuid.UUID(int=_ID_BASE + n)) for n in itertools.count())


def _new(kind: str, events: list[ev.Event], operation: str) -> list[NewEvent]:
    metadata = {**_METADATA, "operation": operation}
    return [NewEvent(ev.event_type(kind, e), e.to_data(), metadata, e.SCHEMA_VERSION, next(_ids)) for e in events]


def _policy(k: int) -> list[NewEvent]:
    name = f"policy{k:06d}"
    return _new(ev.POLICY, [ev.PolicyCreated(name, f"ANPA{k:017d}", _policy_arn(k), "/", "", json.dumps(
        identity_document(k)), NOW)], "CreatePolicy")


def _group(g: int, size: IdentitySize) -> list[NewEvent]:
    name = f"group{g:04d}"
    return _new(ev.GROUP, [ev.GroupCreated(name, f"AGPA{g:017d}", entity_arn(ACCOUNT, ev.GROUP, "/", name), "/", NOW),
                           ev.PolicyAttached(_policy_arn(g % size.policies)),
                           ev.PolicyAttached(_policy_arn((g * 7 + 3) % size.policies))], "CreateGroup")


def _role(j: int, size: IdentitySize) -> list[NewEvent]:
    name = _role_name(j)
    events: list[ev.Event] = [
        ev.RoleCreated(name, f"AROA{j:017d}", entity_arn(ACCOUNT, ev.ROLE, "/", name), "/", NOW, TRUST_DOCUMENT),
        ev.PolicyAttached(_policy_arn(j % size.policies)),
        ev.PolicyAttached(_policy_arn((j * 11 + 5) % size.policies))]
    if j % 5 == 0:
        events.append(ev.InlinePolicyPut("orders", INLINE_DOCUMENT))
    return _new(ev.ROLE, events, "CreateRole")


def _user(i: int, size: IdentitySize, tag_changes: int, keyring: Keyring) -> list[NewEvent]:
    name, groups, team = _user_name(i), size.groups, i // max(size.users_per_team, 1)
    first_group, second_group = team % groups, (team * 31 + 5) % groups
    key_id = f"AKIA{i:016d}"
    events: list[ev.Event] = [
        ev.UserCreated(name, f"AIDA{i:017d}", entity_arn(ACCOUNT, ev.USER, "/", name), "/", NOW,
                       tags={"team": f"team-{team}", "role": "developer"}),
        ev.PolicyAttached(_policy_arn(team % size.policies)),
        ev.PolicyAttached(_policy_arn((team * 13 + 1) % size.policies)),
        ev.UserAddedToGroup(f"AGPA{first_group:017d}", f"group{first_group:04d}"),
        ev.UserAddedToGroup(f"AGPA{second_group:017d}", f"group{second_group:04d}"),
        ev.AccessKeyCreated(key_id, keyring.encrypt(os.urandom(30), context=key_id), "Active", NOW)]
    if i % 10 == 0:
        events.append(ev.InlinePolicyPut("orders", INLINE_DOCUMENT))
    events += [ev.Tagged({"team": f"team-{team}", "role": "developer", "revision": str(n)})
               for n in range(tag_changes)]
    return _new(ev.USER, events, "CreateUser")


async def _append_all(store: SqliteEventStore, streams: Iterator[tuple[str, list[NewEvent]]],
                      writers: int = 500) -> int:
    """Append each stream's events in one append, `writers` appends in flight: the adapter commits
    what is queued together, so many in flight means few transactions (each one an fsync)."""
    written = 0

    async def writer() -> None:
        nonlocal written
        for stream, events in streams:
            await store.append(stream, events, StreamState.NO_STREAM)
            written += len(events)

    await asyncio.gather(*(writer() for _ in range(writers)))
    return written


async def write_identity_log(data_dir: Path, size: IdentitySize) -> int:
    """Append the identity to the data directory's log (iamd must not be running); returns events."""
    keyring = Keyring.from_file(data_dir / "keys" / "kek")  # the key iamd made on its first start
    store = SqliteEventStore(data_dir / "events.db", EventCodec(ev.UPCASTERS))
    base = size.policies + 3 * size.groups + size.roles * 16 // 5 + size.users * 61 // 10
    padding = max(0, size.events - base)
    try:
        # Policies and groups first: users and roles refer to them.
        written = await _append_all(store, ((stream_name(ev.POLICY, ACCOUNT, f"policy{k:06d}"), _policy(k))
                                            for k in range(size.policies)))
        written += await _append_all(store, ((stream_name(ev.GROUP, ACCOUNT, f"group{g:04d}"), _group(g, size))
                                             for g in range(size.groups)))
        written += await _append_all(store, ((stream_name(ev.ROLE, ACCOUNT, _role_name(j)), _role(j, size))
                                             for j in range(size.roles)))
        per_user, extra = divmod(padding, max(size.users, 1))
        written += await _append_all(store, (
            (stream_name(ev.USER, ACCOUNT, _user_name(i)), _user(i, size, per_user + (i < extra), keyring))
            for i in range(size.users)))
    finally:
        await store.close()
    return written
