"""End to end: AssumeRole as AWS evaluates it, sessions that can do what the role allows and no more,
expiry and revocation."""

from __future__ import annotations

import json

import grpc
import pytest

from iamd.client.credentials import Credentials
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import identity_pb2_grpc, sts_pb2, sts_pb2_grpc

from .conftest import ACCOUNT, Iamd
from .helpers import allow, refused, user_with_key

pytestmark = pytest.mark.e2e
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/Reader"


def trust(principal: str, **condition: object) -> str:
    statement: dict = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": ["sts:AssumeRole"]}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


async def _role(iamd: Iamd, trust_policy: str, max_session: int = 0) -> int:
    await iamd.iam.CreateRole(ipb.CreateRoleRequest(role_name="Reader", assume_role_policy_document=trust_policy,
                                                    max_session_duration=max_session))
    put = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_ROLE, name="Reader"), policy_name="read",
        policy_document=allow(["iam:GetUser", "iam:ListUsers"])))
    return put.position


def _session(c: sts_pb2.Credentials) -> Credentials:
    return Credentials(c.access_key_id, c.secret_access_key, c.session_token)


async def test_a_trusted_user_assumes_the_role_and_gets_its_permissions_only(iamd: Iamd) -> None:
    bob = await user_with_key(iamd, "bob")
    position = await _role(iamd, trust(f"arn:aws:iam::{ACCOUNT}:user/bob"))
    await iamd.running.runner.wait_for(position, 5)
    bob_channel = iamd.connect(bob)
    bob_sts = sts_pb2_grpc.SecurityTokenServiceStub(bob_channel)
    assumed = await bob_sts.AssumeRole(sts_pb2.AssumeRoleRequest(role_arn=ROLE_ARN, role_session_name="bob-s1"))
    creds = assumed.credentials
    assert creds.access_key_id.startswith("ASIA") and creds.session_token
    assert assumed.assumed_role_user.arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/Reader/bob-s1"
    assert assumed.assumed_role_user.assumed_role_id.startswith("AROA")
    assert assumed.assumed_role_user.assumed_role_id.endswith(":bob-s1")

    session_channel = iamd.connect(_session(creds))
    who = await sts_pb2_grpc.SecurityTokenServiceStub(session_channel).GetCallerIdentity(
        sts_pb2.GetCallerIdentityRequest())
    assert who.arn == assumed.assumed_role_user.arn
    as_session = identity_pb2_grpc.IdentityServiceStub(session_channel)
    assert (await as_session.ListUsers(ipb.ListUsersRequest())).users  # the role allows it
    error = await refused(as_session.CreateUser(ipb.CreateUserRequest(user_name="x")),
                           grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    assert f"arn:aws:sts::{ACCOUNT}:assumed-role/Reader/bob-s1 is not authorized to perform: iam:CreateUser" \
        in error.details()

    # A tampered token or a token of another session is refused.
    forged = iamd.connect(Credentials(creds.access_key_id, creds.secret_access_key, creds.session_token + "x"))
    await refused(sts_pb2_grpc.SecurityTokenServiceStub(forged).GetCallerIdentity(sts_pb2.GetCallerIdentityRequest()),
                   grpc.StatusCode.UNAUTHENTICATED, "InvalidClientTokenId")
    for channel in (bob_channel, session_channel, forged):
        await channel.close()


async def test_untrusted_callers_and_the_account_delegation_rule(iamd: Iamd) -> None:
    carol = await user_with_key(iamd, "carol")
    position = await _role(iamd, trust(f"arn:aws:iam::{ACCOUNT}:root"))  # trusts the account
    await iamd.running.runner.wait_for(position, 5)
    channel = iamd.connect(carol)
    carol_sts = sts_pb2_grpc.SecurityTokenServiceStub(channel)
    request = sts_pb2.AssumeRoleRequest(role_arn=ROLE_ARN, role_session_name="carol")
    error = await refused(carol_sts.AssumeRole(request), grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    assert f"User: arn:aws:iam::{ACCOUNT}:user/carol is not authorized to perform: sts:AssumeRole" in error.details()
    # Trusting the account delegates to carol's own policies, which must allow sts:AssumeRole.
    granted = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="carol"), policy_name="assume",
        policy_document=allow("sts:AssumeRole", ROLE_ARN)))
    await iamd.running.runner.wait_for(granted.position, 5)
    assert (await carol_sts.AssumeRole(request)).assumed_role_user.arn.endswith("/Reader/carol")
    # The root user cannot assume roles; a missing role looks like a refusal.
    await refused(iamd.sts.AssumeRole(request), grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    await refused(carol_sts.AssumeRole(sts_pb2.AssumeRoleRequest(
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/Nope", role_session_name="s1")), grpc.StatusCode.PERMISSION_DENIED,
        "AccessDenied")
    await channel.close()


async def test_duration_external_id_chaining_and_session_policies(iamd: Iamd) -> None:
    dave = await user_with_key(iamd, "dave")
    position = await _role(iamd, trust(f"arn:aws:iam::{ACCOUNT}:user/dave",
                                       StringEquals={"sts:ExternalId": "ext-123"}), max_session=7200)
    await iamd.running.runner.wait_for(position, 5)
    channel = iamd.connect(dave)
    dave_sts = sts_pb2_grpc.SecurityTokenServiceStub(channel)
    await refused(dave_sts.AssumeRole(sts_pb2.AssumeRoleRequest(role_arn=ROLE_ARN, role_session_name="dave-s")),
                   grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    base = dict(role_arn=ROLE_ARN, role_session_name="dave-s", external_id="ext-123")
    await refused(dave_sts.AssumeRole(sts_pb2.AssumeRoleRequest(**base, duration_seconds=10800)),
                   grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")
    await refused(dave_sts.AssumeRole(sts_pb2.AssumeRoleRequest(**base, duration_seconds=600)),
                   grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")
    # A session policy narrows the role: only ListUsers is left.
    narrowed = await dave_sts.AssumeRole(sts_pb2.AssumeRoleRequest(**base, duration_seconds=7200,
                                                                   policy=allow("iam:ListUsers")))
    assert narrowed.packed_policy_size > 0
    session = iamd.connect(_session(narrowed.credentials))
    as_session = identity_pb2_grpc.IdentityServiceStub(session)
    await as_session.ListUsers(ipb.ListUsersRequest())
    await refused(as_session.GetUser(ipb.GetUserRequest(user_name="dave")), grpc.StatusCode.PERMISSION_DENIED,
                   "AccessDenied")
    # Role chaining: a session may assume a role that trusts it, for at most one hour.
    chain_trust = await iamd.iam.UpdateAssumeRolePolicy(ipb.UpdateAssumeRolePolicyRequest(
        role_name="Reader", policy_document=trust(f"arn:aws:iam::{ACCOUNT}:role/Reader")))
    await iamd.running.runner.wait_for(chain_trust.position, 5)
    session_sts = sts_pb2_grpc.SecurityTokenServiceStub(session)
    await refused(session_sts.AssumeRole(sts_pb2.AssumeRoleRequest(role_arn=ROLE_ARN, role_session_name="chain",
                                                                    duration_seconds=7200)),
                   grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")
    for ch in (channel, session):
        await ch.close()


async def test_revoked_and_expired_sessions_arerefused(iamd: Iamd) -> None:
    erin = await user_with_key(iamd, "erin")
    position = await _role(iamd, trust(f"arn:aws:iam::{ACCOUNT}:user/erin"))
    await iamd.running.runner.wait_for(position, 5)
    channel = iamd.connect(erin)
    assumed = await sts_pb2_grpc.SecurityTokenServiceStub(channel).AssumeRole(
        sts_pb2.AssumeRoleRequest(role_arn=ROLE_ARN, role_session_name="erin-s"))
    session = iamd.connect(_session(assumed.credentials))
    as_session = identity_pb2_grpc.IdentityServiceStub(session)
    await as_session.ListUsers(ipb.ListUsersRequest())

    revoked = await iamd.iam.RevokeRoleSessions(ipb.RevokeRoleSessionsRequest(role_name="Reader"))
    await iamd.running.runner.wait_for(revoked.position, 5)
    error = await refused(as_session.ListUsers(ipb.ListUsersRequest()), grpc.StatusCode.PERMISSION_DENIED,
                           "AccessDenied")
    assert "explicit deny" in error.details()

    # Expiry: the server's clock moves past the session's end.
    iamd.clock.offset += 3601
    await refused(as_session.ListUsers(ipb.ListUsersRequest()), grpc.StatusCode.UNAUTHENTICATED, "ExpiredToken")
    iamd.clock.offset -= 3601
    for ch in (channel, session):
        await ch.close()


async def test_mfa_device_guards_a_role_and_each_code_works_once(iamd: Iamd) -> None:
    from iamd.service.auth import totp

    gina = await user_with_key(iamd, "gina")
    device = (await iamd.iam.CreateVirtualMFADevice(ipb.CreateVirtualMFADeviceRequest(
        virtual_mfa_device_name="gina-phone"))).virtual_mfa_device
    assert device.serial_number == f"arn:aws:iam::{ACCOUNT}:mfa/gina-phone" and len(device.base32_string_seed) == 32
    now = iamd.clock.now().timestamp()
    seed = device.base32_string_seed
    with pytest.raises(grpc.aio.AioRpcError):
        await iamd.iam.EnableMFADevice(ipb.EnableMFADeviceRequest(
            user_name="gina", serial_number=device.serial_number, authentication_code1="000000",
            authentication_code2="000000"))
    await iamd.iam.EnableMFADevice(ipb.EnableMFADeviceRequest(
        user_name="gina", serial_number=device.serial_number,
        authentication_code1=totp.totp(seed, now - 60), authentication_code2=totp.totp(seed, now - 30)))
    listed = await iamd.iam.ListMFADevices(ipb.ListMFADevicesRequest(user_name="gina"))
    assert [d.serial_number for d in listed.mfa_devices] == [device.serial_number]

    position = await _role(iamd, trust(f"arn:aws:iam::{ACCOUNT}:user/gina",
                                       Bool={"aws:MultiFactorAuthPresent": "true"}))
    await iamd.running.runner.wait_for(position, 5)
    channel = iamd.connect(gina)
    gina_sts = sts_pb2_grpc.SecurityTokenServiceStub(channel)
    request = dict(role_arn=ROLE_ARN, role_session_name="gina-mfa")
    await refused(gina_sts.AssumeRole(sts_pb2.AssumeRoleRequest(**request)), grpc.StatusCode.PERMISSION_DENIED,
                   "AccessDenied")
    code = totp.totp(seed, now)
    with_mfa = await gina_sts.AssumeRole(sts_pb2.AssumeRoleRequest(**request, serial_number=device.serial_number,
                                                                   token_code=code))
    assert with_mfa.assumed_role_user.arn.endswith("/Reader/gina-mfa")
    # The same code again is a replay.
    await refused(gina_sts.AssumeRole(sts_pb2.AssumeRoleRequest(**request, serial_number=device.serial_number,
                                                                 token_code=code)),
                   grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    # A session token obtained with MFA carries it: the role trusts the MFA session too.
    iamd.clock.offset += 30
    token = await gina_sts.GetSessionToken(sts_pb2.GetSessionTokenRequest(
        serial_number=device.serial_number, token_code=totp.totp(seed, iamd.clock.now().timestamp())))
    mfa_session = iamd.connect(_session(token.credentials))
    who = await sts_pb2_grpc.SecurityTokenServiceStub(mfa_session).GetCallerIdentity(sts_pb2.GetCallerIdentityRequest())
    assert who.arn == f"arn:aws:iam::{ACCOUNT}:user/gina"
    via_session = await sts_pb2_grpc.SecurityTokenServiceStub(mfa_session).AssumeRole(
        sts_pb2.AssumeRoleRequest(role_arn=ROLE_ARN, role_session_name="gina-via-token"))
    assert via_session.assumed_role_user.arn.endswith("/Reader/gina-via-token")
    iamd.clock.offset -= 30
    await refused(iamd.iam.DeleteVirtualMFADevice(ipb.DeleteVirtualMFADeviceRequest(
        serial_number=device.serial_number)), grpc.StatusCode.FAILED_PRECONDITION, "DeleteConflict")
    for ch in (channel, mfa_session):
        await ch.close()


async def test_authorize_names_the_principal_by_signature_or_session_token(iamd: Iamd) -> None:
    from datetime import UTC, datetime

    from iamd.v1 import authorization_pb2 as apb
    from iamd.v1 import authorization_pb2_grpc
    from iamd.client import signing

    service = await user_with_key(iamd, "orders-svc")
    hank = await user_with_key(iamd, "hank")
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="orders-svc"), policy_name="ask",
        policy_document=allow("iamd:Authorize")))
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="hank"), policy_name="orders",
        policy_document=allow("orders:Get")))
    position = await _role(iamd, trust(f"arn:aws:iam::{ACCOUNT}:user/hank"))
    await iamd.running.runner.wait_for(position, 5)
    channel = iamd.connect(service)
    authz = authorization_pb2_grpc.AuthorizationServiceStub(channel)

    # Hank signs his own request to the orders service, which forwards it for a decision.
    body = b'{"order": 42}'
    headers = dict(signing.sign_request(method="/orders.v1.Orders/Get", body=body,
                                        access_key_id=hank.access_key_id,
                                        secret_access_key=hank.secret_access_key, moment=datetime.now(UTC)))
    proof = apb.SignedPrincipalRequest(method="/orders.v1.Orders/Get", body=body, headers=headers)
    answer = await authz.Authorize(apb.AuthorizeRequest(signed_request=proof, action="orders:Get", resource="*"))
    assert answer.decision == apb.DECISION_ALLOW
    tampered = apb.SignedPrincipalRequest(method=proof.method, body=b'{"order": 43}', headers=headers)
    await refused(authz.Authorize(apb.AuthorizeRequest(signed_request=tampered, action="orders:Get", resource="*")),
                   grpc.StatusCode.UNAUTHENTICATED, "SignatureDoesNotMatch")

    # A role session is named by its session token; by its ARN alone it is refused.
    hank_channel = iamd.connect(hank)
    assumed = await sts_pb2_grpc.SecurityTokenServiceStub(hank_channel).AssumeRole(
        sts_pb2.AssumeRoleRequest(role_arn=ROLE_ARN, role_session_name="hank-s"))
    by_token = await authz.Authorize(apb.AuthorizeRequest(
        session_token=assumed.credentials.session_token, action="iam:ListUsers", resource="*", explain=True))
    assert by_token.decision == apb.DECISION_ALLOW
    assert (await authz.Authorize(apb.AuthorizeRequest(
        session_token=assumed.credentials.session_token, action="orders:Get", resource="*"))).decision \
        == apb.DECISION_IMPLICIT_DENY, "a role session has the role's permissions, not the user's"
    await refused(authz.Authorize(apb.AuthorizeRequest(principal_arn=assumed.assumed_role_user.arn,
                                                        action="iam:ListUsers", resource="*")),
                   grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")
    await refused(authz.Authorize(apb.AuthorizeRequest(action="iam:ListUsers", resource="*")),
                   grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")
    for ch in (channel, hank_channel):
        await ch.close()


async def test_session_tags_transitive_tags_and_source_identity(iamd: Iamd) -> None:
    ivy = await user_with_key(iamd, "ivy")
    statement = {"Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:user/ivy",
                                                          f"arn:aws:iam::{ACCOUNT}:role/Reader"]},
                 "Action": ["sts:AssumeRole"]}
    only_assume = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    position = await _role(iamd, only_assume)
    # The role lets its sessions read users only in their own project (a session tag).
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_ROLE, name="Reader"), policy_name="read",
        policy_document=allow("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/${{aws:PrincipalTag/project}}-*")))
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="blue-app"))
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="red-app"))
    await iamd.running.runner.wait_for(position, 5)
    channel = iamd.connect(ivy)
    ivy_sts = sts_pb2_grpc.SecurityTokenServiceStub(channel)
    tagged = dict(role_arn=ROLE_ARN, role_session_name="ivy-s", tags=[pb.Tag(key="project", value="blue")],
                  transitive_tag_keys=["project"])
    await refused(ivy_sts.AssumeRole(sts_pb2.AssumeRoleRequest(**tagged)), grpc.StatusCode.PERMISSION_DENIED,
                   "AccessDenied")  # tags need sts:TagSession in the trust policy
    await refused(ivy_sts.AssumeRole(sts_pb2.AssumeRoleRequest(role_arn=ROLE_ARN, role_session_name="ivy-s",
                                                                source_identity="ivy")),
                   grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")  # and a source identity sts:SetSourceIdentity
    statement["Action"] = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]
    updated = await iamd.iam.UpdateAssumeRolePolicy(ipb.UpdateAssumeRolePolicyRequest(
        role_name="Reader", policy_document=json.dumps({"Version": "2012-10-17", "Statement": [statement]})))
    await iamd.running.runner.wait_for(updated.position, 5)
    assumed = await ivy_sts.AssumeRole(sts_pb2.AssumeRoleRequest(**tagged, source_identity="ivy"))
    assert assumed.source_identity == "ivy"
    session = iamd.connect(_session(assumed.credentials))
    as_session = identity_pb2_grpc.IdentityServiceStub(session)
    await as_session.GetUser(ipb.GetUserRequest(user_name="blue-app"))
    await refused(as_session.GetUser(ipb.GetUserRequest(user_name="red-app")), grpc.StatusCode.PERMISSION_DENIED,
                   "AccessDenied")

    # Chained: the transitive tag and the source identity carry over, and cannot be changed.
    session_sts = sts_pb2_grpc.SecurityTokenServiceStub(session)
    await refused(session_sts.AssumeRole(sts_pb2.AssumeRoleRequest(
        role_arn=ROLE_ARN, role_session_name="chained", tags=[pb.Tag(key="project", value="red")])),
        grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")
    await refused(session_sts.AssumeRole(sts_pb2.AssumeRoleRequest(
        role_arn=ROLE_ARN, role_session_name="chained", source_identity="mallory")),
        grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")
    chained = await session_sts.AssumeRole(sts_pb2.AssumeRoleRequest(role_arn=ROLE_ARN, role_session_name="chained"))
    assert chained.source_identity == "ivy"
    chained_channel = iamd.connect(_session(chained.credentials))
    await identity_pb2_grpc.IdentityServiceStub(chained_channel).GetUser(ipb.GetUserRequest(user_name="blue-app"))

    info = await iamd.sts.GetAccessKeyInfo(sts_pb2.GetAccessKeyInfoRequest(access_key_id=chained.credentials.access_key_id))
    assert info.account == ACCOUNT
    for ch in (channel, session, chained_channel):
        await ch.close()
