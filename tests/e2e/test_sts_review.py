"""End to end, from a review of STS against AWS's documentation: what a refused AssumeRole leaves
behind when it carried an MFA code, and what GetSessionToken's credentials may not call."""

from __future__ import annotations

import json

import grpc
import pytest

from iamd.client.credentials import Credentials
from iamd.service.auth import totp
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import sts_pb2, sts_pb2_grpc

from .conftest import ACCOUNT, Iamd
from .helpers import allow, refused, user_with_key, user_with_mfa

pytestmark = pytest.mark.e2e
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/Guarded"


def _session(c: sts_pb2.Credentials) -> Credentials:
    return Credentials(c.access_key_id, c.secret_access_key, c.session_token)


async def _mfa_uses(iamd: Iamd) -> int:
    return len([e async for e in iamd.running.store.read_all() if e.type.endswith("MFADeviceUsed")])


async def test_an_assume_role_refused_for_its_parameters_does_not_spend_the_mfa_code(iamd: Iamd) -> None:
    key, serial, seed = await user_with_mfa(iamd, "mia")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/mia"}, "Action": "sts:AssumeRole",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]})
    created = await iamd.iam.CreateRole(ipb.CreateRoleRequest(role_name="Guarded", assume_role_policy_document=trust))
    await iamd.running.runner.wait_for(created.position, 5)
    channel = iamd.connect(key)
    mia = sts_pb2_grpc.SecurityTokenServiceStub(channel)
    code = totp.totp(seed, iamd.clock.now().timestamp())
    with_mfa = dict(role_arn=ROLE_ARN, role_session_name="mia-s", serial_number=serial, token_code=code)
    before = await _mfa_uses(iamd)
    # Each refused for a parameter of its own (a lifetime below 900 s, past the role's 1 h, a
    # malformed session policy, a tag key twice): nothing was done, so nothing may be written, and
    # the code is not spent.
    await refused(mia.AssumeRole(sts_pb2.AssumeRoleRequest(**with_mfa, duration_seconds=600)),
                  grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")
    await refused(mia.AssumeRole(sts_pb2.AssumeRoleRequest(**with_mfa, duration_seconds=7200)),
                  grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")
    with pytest.raises(grpc.aio.AioRpcError) as malformed:
        await mia.AssumeRole(sts_pb2.AssumeRoleRequest(**with_mfa, policy="{not json"))
    assert malformed.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as twice:
        await mia.AssumeRole(sts_pb2.AssumeRoleRequest(**with_mfa, tags=[pb.Tag(key="team", value="a"),
                                                                         pb.Tag(key="Team", value="b")]))
    assert twice.value.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.PERMISSION_DENIED)
    assert await _mfa_uses(iamd) == before, "a refused AssumeRole left an MFADeviceUsed event behind"
    # The same code, in a request that is right, is still good.
    assumed = await mia.AssumeRole(sts_pb2.AssumeRoleRequest(**with_mfa))
    assert assumed.assumed_role_user.arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/Guarded/mia-s"
    assert await _mfa_uses(iamd) == before + 1
    await channel.close()


async def test_get_session_token_credentials_call_no_sts_api_but_those_aws_lists(iamd: Iamd) -> None:
    """STS API reference, GetSessionToken, Permissions: "You cannot call any STS API except
    AssumeRole, GetCallerIdentity, GetScopedCredentials, GetWebIdentityToken, or
    GetDelegatedAccessToken" (botocore's sts model, the one this project pins)."""
    key = await user_with_key(iamd, "sam")
    put = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="sam"), policy_name="sts",
        policy_document=allow(["sts:GetAccessKeyInfo", "sts:DecodeAuthorizationMessage"])))
    await iamd.running.runner.wait_for(put.position, 5)
    channel = iamd.connect(key)
    sam = sts_pb2_grpc.SecurityTokenServiceStub(channel)
    # With the user's own keys both are allowed (its policy says so).
    info = await sam.GetAccessKeyInfo(sts_pb2.GetAccessKeyInfoRequest(access_key_id=key.access_key_id))
    assert info.account == ACCOUNT
    await refused(sam.DecodeAuthorizationMessage(sts_pb2.DecodeAuthorizationMessageRequest(encoded_message="x")),
                  grpc.StatusCode.INVALID_ARGUMENT, "InvalidAuthorizationMessageException")

    token = await sam.GetSessionToken(sts_pb2.GetSessionTokenRequest())
    session_channel = iamd.connect(_session(token.credentials))
    session = sts_pb2_grpc.SecurityTokenServiceStub(session_channel)
    assert (await session.GetCallerIdentity(sts_pb2.GetCallerIdentityRequest())).arn.endswith(":user/sam")
    await refused(session.GetAccessKeyInfo(sts_pb2.GetAccessKeyInfoRequest(access_key_id=key.access_key_id)),
                  grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    await refused(session.DecodeAuthorizationMessage(sts_pb2.DecodeAuthorizationMessageRequest(encoded_message="x")),
                  grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    for ch in (channel, session_channel):
        await ch.close()


async def test_get_session_token_credentials_without_mfa_call_no_iam_api(iamd: Iamd) -> None:
    """STS API reference, GetSessionToken, Permissions: "You cannot call any IAM API operations
    unless MFA authentication information is included in the request." """
    key, serial, seed = await user_with_mfa(iamd, "nia")
    put = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="nia"), policy_name="iam", policy_document=allow("iam:*")))
    await iamd.running.runner.wait_for(put.position, 5)
    channel = iamd.connect(key)
    nia = sts_pb2_grpc.SecurityTokenServiceStub(channel)
    from iamd.v1 import identity_pb2_grpc

    with_mfa = await nia.GetSessionToken(sts_pb2.GetSessionTokenRequest(
        serial_number=serial, token_code=totp.totp(seed, iamd.clock.now().timestamp())))
    without = await nia.GetSessionToken(sts_pb2.GetSessionTokenRequest())
    mfa_channel, bare_channel = iamd.connect(_session(with_mfa.credentials)), iamd.connect(_session(without.credentials))
    try:
        await identity_pb2_grpc.IdentityServiceStub(mfa_channel).ListUsers(ipb.ListUsersRequest())
        await refused(identity_pb2_grpc.IdentityServiceStub(bare_channel).ListUsers(ipb.ListUsersRequest()),
                      grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    finally:
        for ch in (channel, mfa_channel, bare_channel):
            await ch.close()


async def test_a_federated_user_may_call_get_scoped_credentials(iamd: Iamd) -> None:
    """STS API reference, GetFederationToken, Permissions: "You cannot call any STS operations
    except GetCallerIdentity, GetScopedCredentials, or GetDelegatedAccessToken." """
    key = await user_with_key(iamd, "fed")
    put = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="fed"), policy_name="all",
        policy_document=allow(["sts:GetFederationToken", "sts:GetScopedCredentials", "iam:ListUsers"])))
    await iamd.running.runner.wait_for(put.position, 5)
    channel = iamd.connect(key)
    token = await sts_pb2_grpc.SecurityTokenServiceStub(channel).GetFederationToken(sts_pb2.GetFederationTokenRequest(
        name="fed-app", policy=allow(["sts:GetScopedCredentials", "iam:ListUsers"])))
    fed_channel = iamd.connect(_session(token.credentials))
    try:
        scoped = await sts_pb2_grpc.SecurityTokenServiceStub(fed_channel).GetScopedCredentials(
            sts_pb2.GetScopedCredentialsRequest(duration_seconds=900))
        assert scoped.credentials.access_key_id.startswith("ASIA")
    finally:
        for ch in (channel, fed_channel):
            await ch.close()


async def test_a_wrong_mfa_code_is_access_denied(iamd: Iamd) -> None:
    """STS API reference: GetSessionToken, "An incorrect MFA code causes the API to return an access
    denied error"; AssumeRole's TokenCode, "if the TokenCode value is missing or expired, the
    AssumeRole call returns an "access denied" error"."""
    key, serial, seed = await user_with_mfa(iamd, "wes")
    channel = iamd.connect(key)
    wes = sts_pb2_grpc.SecurityTokenServiceStub(channel)
    wrong = "000000" if totp.totp(seed, iamd.clock.now().timestamp()) != "000000" else "111111"
    try:
        await refused(wes.GetSessionToken(sts_pb2.GetSessionTokenRequest(serial_number=serial, token_code=wrong)),
                      grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    finally:
        await channel.close()


async def test_a_chained_session_carrying_a_source_identity_needs_set_source_identity(iamd: Iamd) -> None:
    """IAM User Guide, "Monitor and control actions taken with assumed roles", permissions required
    to set source identity: "When you assume a role with another role, called role chaining,
    permissions for sts:SetSourceIdentity are required in both the permissions policy of the
    principal who is assuming the role and in the role trust policy of the target role. Otherwise,
    the assume role operation will fail." The source identity persists into the chained session,
    so the target role's trust policy decides it as set (sts:SourceIdentity in the request)."""
    key = await user_with_key(iamd, "ida")
    first = f"arn:aws:iam::{ACCOUNT}:role/First"
    second = f"arn:aws:iam::{ACCOUNT}:role/Second"

    def trust(principal: str, actions: list[str], **condition: object) -> str:
        statement: dict = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions}
        if condition:
            statement["Condition"] = condition
        return json.dumps({"Version": "2012-10-17", "Statement": [statement]})

    await iamd.iam.CreateRole(ipb.CreateRoleRequest(role_name="First", assume_role_policy_document=trust(
        f"arn:aws:iam::{ACCOUNT}:user/ida", ["sts:AssumeRole", "sts:SetSourceIdentity"])))
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_ROLE, name="First"), policy_name="chain",
        policy_document=allow(["sts:AssumeRole", "sts:SetSourceIdentity"], second)))
    created = await iamd.iam.CreateRole(ipb.CreateRoleRequest(role_name="Second", assume_role_policy_document=trust(
        first, ["sts:AssumeRole"])))
    await iamd.running.runner.wait_for(created.position, 5)
    channel = iamd.connect(key)
    assumed = await sts_pb2_grpc.SecurityTokenServiceStub(channel).AssumeRole(sts_pb2.AssumeRoleRequest(
        role_arn=first, role_session_name="ida-1", source_identity="ida"))
    assert assumed.source_identity == "ida"
    session_channel = iamd.connect(_session(assumed.credentials))
    session = sts_pb2_grpc.SecurityTokenServiceStub(session_channel)
    # Second's trust policy does not allow sts:SetSourceIdentity: the chained call fails.
    await refused(session.AssumeRole(sts_pb2.AssumeRoleRequest(role_arn=second, role_session_name="ida-2")),
                  grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    # Allowed for this source identity only (sts:SourceIdentity is the carried one).
    updated = await iamd.iam.UpdateAssumeRolePolicy(ipb.UpdateAssumeRolePolicyRequest(
        role_name="Second", policy_document=trust(first, ["sts:AssumeRole", "sts:SetSourceIdentity"],
                                                  StringEquals={"sts:SourceIdentity": "ida"})))
    await iamd.running.runner.wait_for(updated.position, 5)
    chained = await session.AssumeRole(sts_pb2.AssumeRoleRequest(role_arn=second, role_session_name="ida-2"))
    assert chained.source_identity == "ida"
    for ch in (channel, session_channel):
        await ch.close()
