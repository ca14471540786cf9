"""Start-up rebuilds exactly: a snapshot plus the log's tail after it gives what a full replay gives."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest

from iamd.projections.runner import SnapshotFile
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb

from .conftest import ACCOUNT, Iamd, start_iamd, stop_iamd
from .helpers import allow

pytestmark = pytest.mark.e2e

USER, GROUP, ROLE = pb.ENTITY_KIND_USER, pb.ENTITY_KIND_GROUP, pb.ENTITY_KIND_ROLE
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}]})


async def _before_the_snapshot(server: Iamd) -> str:
    iam = server.iam
    for name in ("alice", "bob", "carol"):
        await iam.CreateUser(ipb.CreateUserRequest(user_name=name, tags=[pb.Tag(key="team", value="a")]))
    await iam.CreateGroup(ipb.CreateGroupRequest(group_name="devs"))
    for name in ("alice", "bob"):
        await iam.AddUserToGroup(ipb.AddUserToGroupRequest(group_name="devs", user_name=name))
    arn = (await iam.CreatePolicy(ipb.CreatePolicyRequest(policy_name="Read",
                                                          policy_document=allow("s3:GetObject")))).policy.arn
    await iam.AttachPolicy(ipb.AttachPolicyRequest(target=pb.EntityRef(kind=GROUP, name="devs"), policy_arn=arn))
    await iam.AttachPolicy(ipb.AttachPolicyRequest(target=pb.EntityRef(kind=USER, name="carol"), policy_arn=arn))
    await iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(target=pb.EntityRef(kind=USER, name="bob"),
                                                         policy_name="put", policy_document=allow("s3:PutObject")))
    await iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="alice"))
    await iam.CreateRole(ipb.CreateRoleRequest(role_name="ops", assume_role_policy_document=TRUST))
    return arn


async def _after_the_snapshot(server: Iamd, arn: str) -> None:
    """The tail: changes to what the snapshot holds, as well as new entities."""
    iam = server.iam
    await iam.UpdateUser(ipb.UpdateUserRequest(user_name="bob", new_user_name="robert"))
    await iam.DetachPolicy(ipb.DetachPolicyRequest(target=pb.EntityRef(kind=USER, name="carol"), policy_arn=arn))
    await iam.DeleteUser(ipb.DeleteUserRequest(user_name="carol"))
    await iam.CreatePolicyVersion(ipb.CreatePolicyVersionRequest(
        policy_arn=arn, policy_document=allow(["s3:GetObject", "s3:ListBucket"]), set_as_default=True))
    await iam.UntagEntity(ipb.UntagEntityRequest(target=pb.EntityRef(kind=USER, name="alice"), tag_keys=["team"]))
    await iam.TagEntity(ipb.TagEntityRequest(target=pb.EntityRef(kind=ROLE, name="ops"),
                                             tags=[pb.Tag(key="env", value="prod")]))
    await iam.AttachPolicy(ipb.AttachPolicyRequest(target=pb.EntityRef(kind=ROLE, name="ops"), policy_arn=arn))
    await iam.CreateUser(ipb.CreateUserRequest(user_name="dave"))
    await iam.AddUserToGroup(ipb.AddUserToGroupRequest(group_name="devs", user_name="dave"))
    await iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="dave"))


def _state(server: Iamd) -> dict[str, Any]:
    """The projection as its snapshot would store it, compared as JSON."""
    return orjson.loads(orjson.dumps(server.running.projection.to_snapshot()))


async def _decisions(server: Iamd) -> list[int]:
    decisions = []
    for principal in ("user/alice", "user/robert", "user/dave", "role/ops"):
        for action in ("s3:GetObject", "s3:ListBucket", "s3:PutObject"):
            reply = await server.authz.Authorize(apb.AuthorizeRequest(
                principal_arn=f"arn:aws:iam::{ACCOUNT}:{principal}", action=action, resource="*"))
            decisions.append(reply.decision)
    return decisions


async def test_a_snapshot_plus_the_tail_rebuilds_what_a_full_replay_does(tmp_path: Path) -> None:
    data = tmp_path / "d"
    snapshot = data / "snapshots" / "identity.snapshot"
    first = await start_iamd(data)
    arn = await _before_the_snapshot(first)
    await stop_iamd(first)  # writes the snapshot the tail will be replayed onto
    older = tmp_path / "older.snapshot"
    shutil.copy(snapshot, older)
    snapshot_position = SnapshotFile(older).load()["position"]

    second = await start_iamd(data)
    await _after_the_snapshot(second, arn)
    expected, expected_decisions = _state(second), await _decisions(second)
    assert expected["position"] > snapshot_position
    await stop_iamd(second)

    shutil.copy(older, snapshot)  # the older snapshot: start-up must replay the tail after it
    from_snapshot = await start_iamd(data)
    try:
        assert _state(from_snapshot) == expected
        assert await _decisions(from_snapshot) == expected_decisions
    finally:
        await stop_iamd(from_snapshot)

    snapshot.unlink()  # and the whole log alone
    replayed = await start_iamd(data)
    try:
        assert _state(replayed) == expected
        assert await _decisions(replayed) == expected_decisions
    finally:
        await stop_iamd(replayed)


async def test_equal_strings_of_the_read_model_are_shared_and_a_snapshot_keeps_them_shared(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pass after start makes equal strings one object without changing any value, and the
    snapshot written at stop keeps them shared: the next start never makes the copies."""
    from iamd.service import server

    # The pass follows a start that folded 10,000 events or more, a second after it: here, 5 do.
    monkeypatch.setattr(server, "SHARE_STRINGS_AFTER_EVENTS", 5)
    monkeypatch.setattr(server, "SHARE_STRINGS_DELAY_SECONDS", 0.0)
    data = tmp_path / "d"
    first = await start_iamd(data)
    try:
        for name in ("ann", "bob"):
            await first.iam.CreateUser(ipb.CreateUserRequest(user_name=name, path="/team/red/", tags=[
                pb.Tag(key="team", value="red"), pb.Tag(key="cost-center", value="cc-1234")]))
    finally:
        await stop_iamd(first)
    (data / "snapshots" / "identity.snapshot").unlink()  # the next start folds the log
    second = await start_iamd(data)
    try:
        projection = second.running.projection
        before = orjson.dumps(projection.to_snapshot())
        users = projection.accounts[ACCOUNT].users
        assert users["ann"]["tags"]["cost-center"] == users["bob"]["tags"]["cost-center"]
        assert second.running.sharing is not None
        await second.running.sharing  # the pass, in chunks between calls, is over
        assert users["ann"]["tags"]["cost-center"] is users["bob"]["tags"]["cost-center"]
        assert users["ann"]["path"] is users["bob"]["path"]
        assert orjson.dumps(projection.to_snapshot()) == before  # no value changed
    finally:
        await stop_iamd(second)
    third = await start_iamd(data)  # from that snapshot, with a tail of 0 events: no pass
    try:
        assert third.running.sharing is None
    finally:
        await stop_iamd(third)
    loaded = SnapshotFile(data / "snapshots" / "identity.snapshot").load()
    (account,) = [a for a in loaded["accounts"] if a["account_id"] == ACCOUNT]
    assert account["users"]["ann"]["tags"]["cost-center"] is account["users"]["bob"]["tags"]["cost-center"]
