"""Restart exactness, found in review: what a server answers live is what it answers after a
restart from its snapshot and after a full replay of the log (the snapshot deleted)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.json_format import MessageToDict

from iamd.service.audit.retention import archive_and_remove
from iamd.v1 import audit_pb2, audit_pb2_grpc, identity_pb2_grpc, organizations_pb2_grpc, sts_pb2, sts_pb2_grpc
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import organizations_pb2 as opb

from .conftest import ACCOUNT, Iamd, OffsetClock, start_iamd, stop_iamd
from .helpers import allow, create_organization, deny, user_with_mfa

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


# --- a broad identity, compared live, from the snapshot and from the log alone -----------------

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}]})
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def _deep(value: Any) -> Any:
    """The projection's data as comparable values, types kept (a tuple is not a list here)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, {k: _deep(v) for k, v in vars(value).items()})
    if isinstance(value, dict):
        return ("dict", [(k, _deep(v)) for k, v in value.items()])  # in order: answers iterate it
    if isinstance(value, list | tuple):
        return (type(value).__name__, [_deep(v) for v in value])
    if isinstance(value, set | frozenset):
        return (type(value).__name__, sorted(map(repr, value)))
    return value


def _projection(server: Iamd) -> dict[str, Any]:
    projection = server.running.projection
    state = {k: _deep(v) for k, v in vars(projection).items() if k not in ("on_change", "_handlers", "events_applied")}
    state["accounts"] = {a: {k: _deep(v) for k, v in vars(view).items() if k not in ("_by_kind", "aws_policies")}
                         for a, view in projection.accounts.items()}
    # Who holds an AWS managed policy is derived from the views at a start, in their order rather than
    # the attachments': no answer shows that order (they sort), so it is compared as sets.
    for a, view in projection.accounts.items():
        state["accounts"][a]["aws_policies"] = {arn: {k: sorted(v) for k, v in usage.items()}
                                                for arn, usage in sorted(view.aws_policies.items())}
    return state


async def _answers(server: Iamd) -> list[Any]:
    iam = server.iam
    out: list[Any] = [await iam.GetAccountAuthorizationDetails(ipb.GetAccountAuthorizationDetailsRequest())]
    out.append(await iam.ListUsers(ipb.ListUsersRequest()))
    out.append(await iam.ListGroups(ipb.ListGroupsRequest()))
    out.append(await iam.ListRoles(ipb.ListRolesRequest()))
    out.append(await iam.ListPolicies(ipb.ListPoliciesRequest()))
    out.append(await iam.ListMFADevices(ipb.ListMFADevicesRequest(user_name="erin2")))
    out.append(await iam.ListVirtualMFADevices(ipb.ListVirtualMFADevicesRequest()))
    out.append(await iam.ListInstanceProfiles(ipb.ListInstanceProfilesRequest()))
    out.append(await iam.ListAccessKeys(ipb.ListAccessKeysRequest(user_name="robert")))
    out.append(await iam.GetLoginProfile(ipb.GetLoginProfileRequest(user_name="bob")))
    org = organizations_pb2_grpc.OrganizationsServiceStub(server.channel)
    out.append(await org.ListAccounts(opb.ListAccountsRequest()))
    out.append(await org.ListOrganizationPolicies(opb.ListOrganizationPoliciesRequest(filter="SERVICE_CONTROL_POLICY")))
    for principal in ("user/Alice", "user/robert", "user/dave", "user/bob", "user/staff/erin2", "role/ops", "role/web"):
        for action in ("s3:GetObject", "s3:PutObject", "ec2:RunInstances", "iam:ListUsers"):
            out.append((principal, action, await _decide(server, principal, action)))
    return [MessageToDict(m) if hasattr(m, "DESCRIPTOR") else m for m in out]


async def _build(server: Iamd) -> None:
    iam = server.iam
    user, group, role = (lambda n: pb.EntityRef(kind=USER, name=n)), \
        (lambda n: pb.EntityRef(kind=pb.ENTITY_KIND_GROUP, name=n)), (lambda n: pb.EntityRef(kind=pb.ENTITY_KIND_ROLE, name=n))
    for name in ("alice", "bob", "carol", "dave"):
        await iam.CreateUser(ipb.CreateUserRequest(user_name=name, tags=[pb.Tag(key="team", value=name[0])]))
    for name in ("devs", "ops"):
        await iam.CreateGroup(ipb.CreateGroupRequest(group_name=name))
    read = (await iam.CreatePolicy(ipb.CreatePolicyRequest(policy_name="Read", policy_document=allow("s3:GetObject")))).policy.arn
    bound = (await iam.CreatePolicy(ipb.CreatePolicyRequest(policy_name="Bound", policy_document=allow("s3:*")))).policy.arn
    await iam.CreatePolicyVersion(ipb.CreatePolicyVersionRequest(policy_arn=read, policy_document=allow(["s3:GetObject", "s3:PutObject"]), set_as_default=True))
    await iam.CreatePolicyVersion(ipb.CreatePolicyVersionRequest(policy_arn=read, policy_document=allow("s3:ListBucket")))
    await iam.DeletePolicyVersion(ipb.DeletePolicyVersionRequest(policy_arn=read, version_id="v3"))
    for name in ("dave", "bob", "alice"):
        await iam.AddUserToGroup(ipb.AddUserToGroupRequest(group_name="devs", user_name=name))
    await iam.AttachPolicy(ipb.AttachPolicyRequest(target=group("devs"), policy_arn=read))
    await iam.AttachPolicy(ipb.AttachPolicyRequest(target=user("carol"), policy_arn=READ_ONLY))
    await iam.AttachPolicy(ipb.AttachPolicyRequest(target=user("alice"), policy_arn=READ_ONLY))
    await iam.PutPermissionsBoundary(ipb.PutPermissionsBoundaryRequest(target=user("bob"), permissions_boundary=bound))
    await iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(target=user("dave"), policy_name="ec2", policy_document=allow("ec2:*")))
    await iam.CreateRole(ipb.CreateRoleRequest(role_name="ops", assume_role_policy_document=TRUST))
    await iam.CreateRole(ipb.CreateRoleRequest(role_name="web", assume_role_policy_document=TRUST))
    await iam.AttachPolicy(ipb.AttachPolicyRequest(target=role("web"), policy_arn=READ_ONLY))
    await iam.AttachPolicy(ipb.AttachPolicyRequest(target=role("ops"), policy_arn=read))
    await iam.PutPermissionsBoundary(ipb.PutPermissionsBoundaryRequest(target=role("web"), permissions_boundary=READ_ONLY))
    await iam.TagEntity(ipb.TagEntityRequest(target=role("ops"), tags=[pb.Tag(key="env", value="prod")]))
    await iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="alice"))
    # renames: to another name, and in case only; a group renamed with members
    await iam.UpdateUser(ipb.UpdateUserRequest(user_name="bob", new_user_name="robert"))
    await iam.UpdateUser(ipb.UpdateUserRequest(user_name="alice", new_user_name="Alice"))
    await iam.UpdateGroup(ipb.UpdateGroupRequest(group_name="devs", new_group_name="Developers"))
    await iam.UpdateGroup(ipb.UpdateGroupRequest(group_name="Developers", new_group_name="developers"))
    # delete and create again, with another id
    await iam.DetachPolicy(ipb.DetachPolicyRequest(target=user("carol"), policy_arn=READ_ONLY))
    await iam.DeleteUser(ipb.DeleteUserRequest(user_name="carol"))
    await iam.CreateUser(ipb.CreateUserRequest(user_name="carol"))
    await iam.DeleteGroup(ipb.DeleteGroupRequest(group_name="ops"))
    await iam.CreateGroup(ipb.CreateGroupRequest(group_name="ops"))
    await iam.AddUserToGroup(ipb.AddUserToGroupRequest(group_name="ops", user_name="carol"))
    await iam.UntagEntity(ipb.UntagEntityRequest(target=user("dave"), tag_keys=["team"]))
    await iam.PutResourcePolicy(ipb.PutResourcePolicyRequest(resource_arn="arn:aws:s3:::bucket", policy_document=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/ops"},
                                                  "Action": "s3:PutObject", "Resource": "arn:aws:s3:::bucket/*"}]})))
    await iam.TagResource(ipb.TagResourceRequest(resource_arn="arn:aws:s3:::bucket", tags=[pb.Tag(key="a", value="b")]))
    # credentials: keys (one made inactive), an MFA device, sessions of a role deleted and created again
    dave, serial, _ = await user_with_mfa(server, "erin")
    await iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(target=user("erin"), policy_name="sts",
                                                         policy_document=allow(["sts:AssumeRole", "sts:GetSessionToken"])))
    first = (await iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="robert"))).access_key.access_key_id
    await iam.UpdateAccessKey(ipb.UpdateAccessKeyRequest(user_name="robert", access_key_id=first, status="Inactive"))
    channel = server.connect(dave)
    try:
        sts = sts_pb2_grpc.SecurityTokenServiceStub(channel)
        for session in ("s1", "s2"):
            await sts.AssumeRole(sts_pb2.AssumeRoleRequest(role_arn=f"arn:aws:iam::{ACCOUNT}:role/web", role_session_name=session))
        await sts.AssumeRole(sts_pb2.AssumeRoleRequest(role_arn=f"arn:aws:iam::{ACCOUNT}:role/ops", role_session_name="o1"))
        await sts.GetSessionToken(sts_pb2.GetSessionTokenRequest())
    finally:
        await channel.close()
    await iam.DetachPolicy(ipb.DetachPolicyRequest(target=role("ops"), policy_arn=read))
    await iam.DeleteRole(ipb.DeleteRoleRequest(role_name="ops"))
    await iam.CreateRole(ipb.CreateRoleRequest(role_name="ops", assume_role_policy_document=TRUST))
    # more renames: a new user under a name given up, a user with an MFA device and a key renamed
    await iam.CreateUser(ipb.CreateUserRequest(user_name="bob"))
    await iam.AddUserToGroup(ipb.AddUserToGroupRequest(group_name="developers", user_name="bob"))
    await iam.UpdateUser(ipb.UpdateUserRequest(user_name="erin", new_user_name="Erin", new_path="/staff/"))
    await iam.UpdateUser(ipb.UpdateUserRequest(user_name="Erin", new_user_name="erin2"))
    await iam.CreateLoginProfile(ipb.CreateLoginProfileRequest(user_name="bob", password="Aa1!aaaaaaaaaaaa-x",
                                                               password_reset_required=True))
    await iam.CreateInstanceProfile(ipb.CreateInstanceProfileRequest(instance_profile_name="web-profile"))
    await iam.AddRoleToInstanceProfile(ipb.AddRoleToInstanceProfileRequest(instance_profile_name="web-profile",
                                                                           role_name="web"))
    await iam.CreateOpenIDConnectProvider(ipb.CreateOpenIDConnectProviderRequest(
        url="https://token.example.com", client_id_list=["a", "b"], thumbprint_list=["0" * 40]))
    # an organization: OUs, a member account, SCPs attached, moved, detached
    org = organizations_pb2_grpc.OrganizationsServiceStub(server.channel)
    root_id = (await create_organization(org)).root_id
    ou = (await org.CreateOrganizationalUnit(opb.CreateOrganizationalUnitRequest(parent_id=root_id, name="A"))).id
    member = (await org.CreateAccount(opb.CreateAccountRequest(account_name="dev", email="dev@example.com"))).account_id
    await org.MoveAccount(opb.MoveAccountRequest(account_id=member, source_parent_id=root_id, destination_parent_id=ou))
    scp = (await org.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
        name="no-ec2", type="SERVICE_CONTROL_POLICY", content=deny("ec2:*")))).policy_id
    await org.AttachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(policy_id=scp, target_id=root_id))
    other = (await org.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
        name="no-s3", type="SERVICE_CONTROL_POLICY", content=deny("s3:PutObject")))).policy_id
    await org.AttachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(policy_id=other, target_id=ou))


async def test_a_restart_from_the_snapshot_and_a_full_replay_rebuild_the_live_state(tmp_path: Path) -> None:
    data = tmp_path / "d"
    server = await start_iamd(data)
    try:
        await _build(server)
        live_state, live_answers = _projection(server), await _answers(server)
    finally:
        await stop_iamd(server)
    for delete_snapshot in (False, True):
        if delete_snapshot:
            (data / "snapshots" / "identity.snapshot").unlink()
        again = await start_iamd(data)
        try:
            assert _projection(again) == live_state, "from the log alone" if delete_snapshot else "from the snapshot"
            assert await _answers(again) == live_answers
        finally:
            await stop_iamd(again)


async def _lookup_pages(server: Iamd, event_name: str) -> list[tuple[int, bool]]:
    """LookupEvents for one event name a record at a time: (records, with a next token) per page."""
    channel = server.connect(server.root)
    try:
        audit = audit_pb2_grpc.AuditServiceStub(channel)
        pages, token = [], ""
        while True:
            page = await audit.LookupEvents(audit_pb2.LookupEventsRequest(
                lookup_attributes=[audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value=event_name)],
                max_results=1, next_token=token))
            pages.append((len(page.events), bool(page.next_token)))
            token = page.next_token
            if not token or len(pages) > 10:
                return pages
    finally:
        await channel.close()


async def test_records_archived_by_retention_leave_the_live_audit_index_as_they_leave_a_restarted_one(
        tmp_path: Path) -> None:
    """Audit retention removes whole hours of records from the log; a restart indexes none of them.
    The live index kept every entry of them for good (memory that grew with every record ever
    written, whatever the retention), and LookupEvents paged through them: empty pages with a next
    token where a restarted server answers one page without."""
    data = tmp_path / "d"
    clock = OffsetClock()
    clock.offset = -3 * 3600.0  # three hours ago: old enough for retention of an hour
    server = await start_iamd(data, clock=clock, digest_interval=86_400.0)
    try:
        channel = server.connect(server.root)
        try:
            iam = identity_pb2_grpc.IdentityServiceStub(channel)
            for name in ("alice", "bob"):
                await iam.CreateUser(ipb.CreateUserRequest(user_name=name))
        finally:
            await channel.close()
        assert await _lookup_pages(server, "CreateUser") == [(1, True), (1, False)]  # indexed live
        await server.running.digester.write_digest()
        clock.offset = 0.0
        await server.running.digester.write_digest()  # retention never archives the newest digest
        statement = await archive_and_remove(server.running.store, server.running.digester, tmp_path / "archive",
                                             clock.now(), 1)
        assert statement is not None and statement["recordCount"] >= 2
        live = await _lookup_pages(server, "CreateUser")
    finally:
        await stop_iamd(server)
    again = await start_iamd(data, digest_interval=86_400.0)
    try:
        assert await _lookup_pages(again, "CreateUser") == live == [(0, False)]
    finally:
        await stop_iamd(again)
