"""Restart exactness, found in review: what a server answers live is what it answers after a
restart from its snapshot and after a full replay of the log (the snapshot deleted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb

from .conftest import ACCOUNT, Iamd, start_iamd, stop_iamd
from .helpers import allow

pytestmark = pytest.mark.e2e

USER = pb.ENTITY_KIND_USER


async def _decide(server: Iamd, principal: str, action: str) -> int:
    reply = await server.authz.Authorize(apb.AuthorizeRequest(
        principal_arn=f"arn:aws:iam::{ACCOUNT}:{principal}", action=action, resource="*"))
    return reply.decision


async def test_a_policy_created_again_under_its_arn_is_decided_with_its_own_document(tmp_path: Path) -> None:
    """A managed policy deleted and created again under the same ARN is another policy whose v1
    has another document: the live server must not keep deciding with the old one's compiled v1
    (a restart, which compiles afresh, answers with the new one)."""
    data = tmp_path / "d"
    server = await start_iamd(data)
    try:
        iam = server.iam
        await iam.CreateUser(ipb.CreateUserRequest(user_name="alice"))
        arn = (await iam.CreatePolicy(ipb.CreatePolicyRequest(
            policy_name="P", policy_document=allow("s3:GetObject")))).policy.arn
        alice = pb.EntityRef(kind=USER, name="alice")
        await iam.AttachPolicy(ipb.AttachPolicyRequest(target=alice, policy_arn=arn))
        assert await _decide(server, "user/alice", "s3:GetObject") == apb.DECISION_ALLOW  # compiled now
        await iam.DetachPolicy(ipb.DetachPolicyRequest(target=alice, policy_arn=arn))
        await iam.DeletePolicy(ipb.DeletePolicyRequest(policy_arn=arn))
        await iam.CreatePolicy(ipb.CreatePolicyRequest(policy_name="P", policy_document=allow("ec2:RunInstances")))
        await iam.AttachPolicy(ipb.AttachPolicyRequest(target=alice, policy_arn=arn))
        live = [await _decide(server, "user/alice", a) for a in ("s3:GetObject", "ec2:RunInstances")]
    finally:
        await stop_iamd(server)
    expected = [apb.DECISION_IMPLICIT_DENY, apb.DECISION_ALLOW]
    assert live == expected
    for delete_snapshot in (False, True):
        if delete_snapshot:
            (data / "snapshots" / "identity.snapshot").unlink()
        again = await start_iamd(data)
        try:
            assert [await _decide(again, "user/alice", a) for a in ("s3:GetObject", "ec2:RunInstances")] == expected
        finally:
            await stop_iamd(again)
