"""End to end: signed requests, self-authorization with AWS's refusals, secrets kept secret."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta

import grpc
import pytest

from iamd.client.credentials import Credentials
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import authorization_pb2_grpc, identity_pb2_grpc, sts_pb2, sts_pb2_grpc
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.client import signing

from .conftest import ACCOUNT, Iamd, stop_iamd
from .helpers import allow, deny, refused, user_with_key

pytestmark = pytest.mark.e2e
CREATE_USER = "/iamd.v1.IdentityService/CreateUser"


async def _new_user_with_key(iamd: Iamd, name: str) -> Credentials:
    credentials = await user_with_key(iamd, name)
    assert credentials.access_key_id.startswith("AKIA") and len(credentials.access_key_id) == 20
    assert len(credentials.secret_access_key) == 40
    return credentials


async def test_unsigned_and_badly_signed_calls_are_unauthenticated(iamd: Iamd) -> None:
    request = ipb.CreateUserRequest(user_name="mallory")
    unsigned = iamd.connect(None)
    await refused(identity_pb2_grpc.IdentityServiceStub(unsigned).CreateUser(request),
                   grpc.StatusCode.UNAUTHENTICATED, "MissingAuthenticationToken")
    wrong_secret = iamd.connect(Credentials(iamd.root.access_key_id, "x" * 40))
    error = await refused(identity_pb2_grpc.IdentityServiceStub(wrong_secret).CreateUser(request),
                           grpc.StatusCode.UNAUTHENTICATED, "SignatureDoesNotMatch")
    assert iamd.root.secret_access_key not in (error.details() or "")
    unknown = iamd.connect(Credentials("AKIAUNKNOWNUNKNOWN00", "y" * 40))
    await refused(identity_pb2_grpc.IdentityServiceStub(unknown).CreateUser(request),
                   grpc.StatusCode.UNAUTHENTICATED, "InvalidClientTokenId")

    stub = identity_pb2_grpc.IdentityServiceStub(unsigned)
    body = request.SerializeToString(deterministic=True)
    stale = signing.sign_request(method=CREATE_USER, body=body, access_key_id=iamd.root.access_key_id,
                                 secret_access_key=iamd.root.secret_access_key,
                                 moment=datetime.now(UTC) - timedelta(minutes=6))
    await refused(stub.CreateUser(request, metadata=stale), grpc.StatusCode.UNAUTHENTICATED, "RequestExpired")
    # A signature over one body does not carry another body.
    signed_for_other = signing.sign_request(
        method=CREATE_USER, body=ipb.CreateUserRequest(user_name="harmless").SerializeToString(deterministic=True),
        access_key_id=iamd.root.access_key_id, secret_access_key=iamd.root.secret_access_key,
        moment=datetime.now(UTC))
    await refused(stub.CreateUser(request, metadata=signed_for_other), grpc.StatusCode.UNAUTHENTICATED,
                   "SignatureDoesNotMatch")
    malformed = [(signing.AUTHORIZATION_HEADER, "Basic abc"), (signing.DATE_HEADER, "yesterday")]
    await refused(stub.CreateUser(request, metadata=malformed), grpc.StatusCode.UNAUTHENTICATED,
                   "IncompleteSignature")
    for channel in (unsigned, wrong_secret, unknown):
        await channel.close()
    await refused(iamd.iam.GetUser(ipb.GetUserRequest(user_name="mallory")), grpc.StatusCode.NOT_FOUND,
                   "NoSuchEntity")


async def test_a_user_may_do_only_what_its_policies_allow(iamd: Iamd) -> None:
    bob = await _new_user_with_key(iamd, "bob")
    channel = iamd.connect(bob)
    as_bob = identity_pb2_grpc.IdentityServiceStub(channel)
    who = await sts_pb2_grpc.SecurityTokenServiceStub(channel).GetCallerIdentity(sts_pb2.GetCallerIdentityRequest())
    assert (who.arn, who.account) == (f"arn:aws:iam::{ACCOUNT}:user/bob", ACCOUNT)
    assert who.user_id.startswith("AIDA")

    error = await refused(as_bob.CreateUser(ipb.CreateUserRequest(user_name="carol")),
                           grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    assert error.details() == (
        f"User: arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: iam:CreateUser on resource: "
        f"arn:aws:iam::{ACCOUNT}:user/carol because no identity-based policy allows the iam:CreateUser action")

    granted = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="bob"), policy_name="admin-users",
        policy_document=allow(["iam:CreateUser", "iam:GetUser"], f"arn:aws:iam::{ACCOUNT}:user/*")))
    await iamd.running.runner.wait_for(granted.position, 5)
    created = await as_bob.CreateUser(ipb.CreateUserRequest(user_name="carol"))
    assert created.user.user_name == "carol"
    # Not granted: policies and other users' groups.
    await refused(as_bob.CreatePolicy(ipb.CreatePolicyRequest(policy_name="P", policy_document=allow("s3:*"))),
                   grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")

    denied = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="bob"), policy_name="no-dave",
        policy_document=deny("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/dave")))
    await iamd.running.runner.wait_for(denied.position, 5)
    error = await refused(as_bob.CreateUser(ipb.CreateUserRequest(user_name="dave")),
                           grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    assert error.details().endswith("with an explicit deny in an identity-based policy")
    await channel.close()


async def test_authorize_itself_needs_the_iamd_authorize_permission(iamd: Iamd) -> None:
    svc = await _new_user_with_key(iamd, "orders-service")
    channel = iamd.connect(svc)
    authz = authorization_pb2_grpc.AuthorizationServiceStub(channel)
    question = apb.AuthorizeRequest(principal_arn=f"arn:aws:iam::{ACCOUNT}:user/orders-service",
                                    action="s3:GetObject", resource="*")
    error = await refused(authz.Authorize(question), grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    assert "iamd:Authorize" in error.details()
    granted = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="orders-service"), policy_name="ask",
        policy_document=allow("iamd:Authorize")))
    await iamd.running.runner.wait_for(granted.position, 5)
    assert (await authz.Authorize(question)).decision == apb.DECISION_IMPLICIT_DENY
    await channel.close()


async def test_access_keys_lifecycle_and_quota(iamd: Iamd) -> None:
    erin = await _new_user_with_key(iamd, "erin")
    await iamd.iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="erin"))
    await refused(iamd.iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="erin")),
                   grpc.StatusCode.RESOURCE_EXHAUSTED, "LimitExceeded")
    listed = await iamd.iam.ListAccessKeys(ipb.ListAccessKeysRequest(user_name="erin"))
    assert len(listed.access_key_metadata) == 2
    assert all(k.secret_access_key == "" for k in listed.access_key_metadata)

    deactivated = await iamd.iam.UpdateAccessKey(ipb.UpdateAccessKeyRequest(
        user_name="erin", access_key_id=erin.access_key_id, status="Inactive"))
    await iamd.running.runner.wait_for(deactivated.position, 5)
    channel = iamd.connect(erin)
    await refused(sts_pb2_grpc.SecurityTokenServiceStub(channel).GetCallerIdentity(sts_pb2.GetCallerIdentityRequest()),
                   grpc.StatusCode.UNAUTHENTICATED, "InvalidClientTokenId")
    await channel.close()
    await refused(iamd.iam.DeleteUser(ipb.DeleteUserRequest(user_name="erin")),
                   grpc.StatusCode.FAILED_PRECONDITION, "DeleteConflict")
    for key in listed.access_key_metadata:
        await iamd.iam.DeleteAccessKey(ipb.DeleteAccessKeyRequest(user_name="erin", access_key_id=key.access_key_id))
    await iamd.iam.DeleteUser(ipb.DeleteUserRequest(user_name="erin"))
    await refused(iamd.iam.UpdateAccessKey(ipb.UpdateAccessKeyRequest(
        user_name="bob-not-here", access_key_id=erin.access_key_id, status="Bogus")),
        grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")


async def test_secrets_never_reach_the_log_file_or_the_events(iamd: Iamd, capsys: pytest.CaptureFixture) -> None:
    credentials_file = iamd.data_dir / "root-credentials"
    assert stat.S_IMODE(os.stat(credentials_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(iamd.data_dir / "keys" / "kek").st_mode) == 0o600
    user = await _new_user_with_key(iamd, "frank")
    await stop_iamd(iamd)  # flush everything (records, digest, snapshot), then read the raw files
    raw = b"".join(p.read_bytes() for p in iamd.data_dir.glob("events.db*"))
    secrets = [iamd.root.secret_access_key, user.secret_access_key]
    for secret in secrets:
        assert secret.encode() not in raw
    assert iamd.root.access_key_id.encode() in raw, "the test reads the right file"
    logs = capsys.readouterr()
    for secret in secrets:
        assert secret not in logs.out + logs.err
    snapshot = json.dumps([p.read_text() for p in iamd.data_dir.rglob("*.json")])
    for secret in secrets:
        assert secret not in snapshot


async def test_a_call_signed_by_botocores_stock_sigv4_signer_is_accepted(iamd: Iamd) -> None:
    """Genuine SigV4: botocore's SigV4Auth signs a gRPC call (POST to the method path, the message
    bytes as payload) and a real iamd accepts it; a session's token rides along signed."""
    botocore_auth = pytest.importorskip("botocore.auth")
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials

    def boto_signed(credentials: Credentials, method: str, body: bytes) -> list[tuple[str, str]]:
        host = iamd.target
        request = AWSRequest(method="POST", url=f"http://{host}{method}", data=body)
        botocore_auth.SigV4Auth(BotoCredentials(credentials.access_key_id, credentials.secret_access_key,
                                                credentials.session_token or None), "iamd", "us-east-1").add_auth(request)
        return [("host", host), *((name.lower(), value) for name, value in request.headers.items())]

    channel = iamd.connect(None)
    try:
        request = ipb.CreateUserRequest(user_name="signed-by-botocore")
        body = request.SerializeToString(deterministic=True)
        stub = identity_pb2_grpc.IdentityServiceStub(channel)
        created = await stub.CreateUser(request, metadata=boto_signed(iamd.root, CREATE_USER, body))
        assert created.user.user_name == "signed-by-botocore"
        # A tampered body under botocore's signature is refused, as with ours.
        tampered = ipb.CreateUserRequest(user_name="signed-by-botocore2")
        await refused(stub.CreateUser(tampered, metadata=boto_signed(iamd.root, CREATE_USER, body)),
                      grpc.StatusCode.UNAUTHENTICATED, "SignatureDoesNotMatch")

        token = await sts_pb2_grpc.SecurityTokenServiceStub(iamd.channel).GetSessionToken(
            sts_pb2.GetSessionTokenRequest(duration_seconds=900))
        session = Credentials(token.credentials.access_key_id, token.credentials.secret_access_key,
                              token.credentials.session_token)
        identity = "/iamd.v1.SecurityTokenService/GetCallerIdentity"
        who = await sts_pb2_grpc.SecurityTokenServiceStub(channel).GetCallerIdentity(
            sts_pb2.GetCallerIdentityRequest(), metadata=boto_signed(session, identity, b""))
        assert who.arn == f"arn:aws:iam::{ACCOUNT}:root"
    finally:
        await channel.close()
