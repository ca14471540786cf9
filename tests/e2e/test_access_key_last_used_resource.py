"""iam:GetAccessKeyLastUsed is authorized on the key's owner, as AWS's Service Authorization
Reference gives it (resource type user, required), not on `*` (issue 12): a policy scoping it to
the caller's own user allows it, a Deny scoped to a user refuses it for that user's keys, and a
root-task session (IAMAuditRootUserCredentials lists it) may ask about the root user's keys."""

from __future__ import annotations

import json

import grpc
import pytest

from iamd.client.credentials import Credentials
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import identity_pb2_grpc

from .conftest import ACCOUNT, Iamd
from .helpers import refused, user_with_key

pytestmark = pytest.mark.e2e


async def _policy(iamd: Iamd, user: str, statements: list[dict[str, object]]) -> int:
    put = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name=user), policy_name="p",
        policy_document=json.dumps({"Version": "2012-10-17", "Statement": statements})))
    return put.position


async def test_get_access_key_last_used_is_decided_on_the_keys_owner(iamd: Iamd) -> None:
    alice = await user_with_key(iamd, "alice")
    bob = await user_with_key(iamd, "bob")
    admin = await user_with_key(iamd, "admin")
    await _policy(iamd, "alice", [{"Effect": "Allow", "Action": "iam:GetAccessKeyLastUsed",
                                   "Resource": "arn:aws:iam::*:user/${aws:username}"}])
    position = await _policy(iamd, "bob", [
        {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:GetAccessKeyLastUsed", "Resource": f"arn:aws:iam::{ACCOUNT}:user/admin"}])
    await iamd.running.runner.wait_for(position, 5)
    as_alice = iamd.connect(Credentials(alice.access_key_id, alice.secret_access_key))
    as_bob = iamd.connect(Credentials(bob.access_key_id, bob.secret_access_key))
    try:
        alices = identity_pb2_grpc.IdentityServiceStub(as_alice)
        answer = await alices.GetAccessKeyLastUsed(ipb.GetAccessKeyLastUsedRequest(access_key_id=alice.access_key_id))
        assert answer.user_name == "alice"
        await refused(alices.GetAccessKeyLastUsed(ipb.GetAccessKeyLastUsedRequest(access_key_id=bob.access_key_id)),
                      grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
        bobs = identity_pb2_grpc.IdentityServiceStub(as_bob)
        assert (await bobs.GetAccessKeyLastUsed(ipb.GetAccessKeyLastUsedRequest(
            access_key_id=alice.access_key_id))).user_name == "alice"
        await refused(bobs.GetAccessKeyLastUsed(ipb.GetAccessKeyLastUsedRequest(access_key_id=admin.access_key_id)),
                      grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    finally:
        await as_alice.close()
        await as_bob.close()
