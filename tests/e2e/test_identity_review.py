"""Review of the identity lifecycle: AWS's rules the earlier tests did not pin down."""

from __future__ import annotations

import grpc
import pytest

from iamd.projections.identity import IDENTITY_STREAMS
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb

from .conftest import ACCOUNT, Iamd
from .helpers import TRUST_EC2, allow, refused

pytestmark = pytest.mark.e2e

USER = pb.ENTITY_KIND_USER
GROUP = pb.ENTITY_KIND_GROUP
ROLE = pb.ENTITY_KIND_ROLE
POLICY = pb.ENTITY_KIND_POLICY


async def test_a_rename_that_changes_only_case_keeps_the_entity(iamd: Iamd) -> None:
    """UpdateUser/UpdateGroup to the same name in another case is a rename in the same stream:
    the entity must stay changeable, deletable, and its name taken."""
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="alice"))
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=USER, name="alice"), policy_name="p", policy_document=allow("s3:GetObject")))
    await iamd.iam.UpdateUser(ipb.UpdateUserRequest(user_name="alice", new_user_name="Alice", new_path="/x/"))
    got = (await iamd.iam.GetUser(ipb.GetUserRequest(user_name="alice"))).user
    assert (got.user_name, got.arn) == ("Alice", f"arn:aws:iam::{ACCOUNT}:user/x/Alice")
    await refused(iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="ALICE")),
                  grpc.StatusCode.ALREADY_EXISTS, "EntityAlreadyExists")
    await refused(iamd.iam.DeleteUser(ipb.DeleteUserRequest(user_name="Alice")),
                  grpc.StatusCode.FAILED_PRECONDITION, "DeleteConflict")
    await iamd.iam.DeleteInlinePolicy(ipb.DeleteInlinePolicyRequest(
        target=pb.EntityRef(kind=USER, name="Alice"), policy_name="p"))
    await iamd.iam.DeleteUser(ipb.DeleteUserRequest(user_name="Alice"))

    await iamd.iam.CreateGroup(ipb.CreateGroupRequest(group_name="devs"))
    await iamd.iam.UpdateGroup(ipb.UpdateGroupRequest(group_name="devs", new_group_name="Devs"))
    await refused(iamd.iam.CreateGroup(ipb.CreateGroupRequest(group_name="devs")),
                  grpc.StatusCode.ALREADY_EXISTS, "EntityAlreadyExists")
    await iamd.iam.DeleteGroup(ipb.DeleteGroupRequest(group_name="DEVS"))
    await refused(iamd.iam.GetGroup(ipb.GetGroupRequest(group_name="Devs")), grpc.StatusCode.NOT_FOUND,
                  "NoSuchEntity")
