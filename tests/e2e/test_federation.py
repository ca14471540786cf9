"""End to end: GetFederationToken. A proxy user federates named users; each federated user may do
what both the proxy's policies and the session policy allow, and nothing without a session policy
except what a resource policy grants its own ARN. Federated users cannot call IAM or STS."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import grpc
import pytest

from iamd.client.credentials import Credentials
from iamd.v1 import audit_pb2, audit_pb2_grpc, identity_pb2_grpc, sts_pb2, sts_pb2_grpc
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb

from .conftest import ACCOUNT, Iamd
from .helpers import allow, field_violations, refused

pytestmark = pytest.mark.e2e
PROXY_ARN = f"arn:aws:iam::{ACCOUNT}:user/proxy"
BUCKET = "arn:aws:s3:::reports/*"


def _fed_arn(name: str) -> str:
    return f"arn:aws:sts::{ACCOUNT}:federated-user/{name}"


def _credentials(c: sts_pb2.Credentials) -> Credentials:
    return Credentials(c.access_key_id, c.secret_access_key, c.session_token)


async def _proxy(iamd: Iamd) -> sts_pb2_grpc.SecurityTokenServiceStub:
    """The proxy user: may federate, read and write the bucket; tagged team=blue."""
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="proxy", tags=[pb.Tag(key="team", value="blue")]))
    statements = [
        {"Effect": "Allow", "Action": "sts:GetFederationToken", "Resource": f"arn:aws:sts::{ACCOUNT}:federated-user/*"},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "iam:ListUsers"], "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": BUCKET,
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red"}}},
    ]
    put = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="proxy"), policy_name="proxy",
        policy_document=json.dumps({"Version": "2012-10-17", "Statement": statements})))
    key = (await iamd.iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="proxy"))).access_key
    await iamd.running.runner.wait_for(put.position, 5)
    return sts_pb2_grpc.SecurityTokenServiceStub(iamd.connect(Credentials(key.access_key_id, key.secret_access_key)))


async def _allow_tag_session(iamd: Iamd) -> None:
    put = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="proxy"), policy_name="tagging",
        policy_document=allow("sts:TagSession", f"arn:aws:sts::{ACCOUNT}:federated-user/*")))
    await iamd.running.runner.wait_for(put.position, 5)


async def _decide(iamd: Iamd, token: str, action: str, resource: str = "arn:aws:s3:::reports/q3.csv",
                  **extra: object) -> str:
    answer = await iamd.authz.Authorize(apb.AuthorizeRequest(session_token=token, action=action, resource=resource,
                                                             **extra))
    return apb.Decision.Name(answer.decision)


async def test_a_federated_user_gets_the_proxys_permissions_cut_by_the_session_policy(iamd: Iamd) -> None:
    proxy = await _proxy(iamd)
    got = await proxy.GetFederationToken(sts_pb2.GetFederationTokenRequest(
        name="bob", policy=allow(["s3:GetObject", "s3:ListBucket"], "*")))
    assert got.federated_user.arn == _fed_arn("bob")
    assert got.federated_user.federated_user_id == f"{ACCOUNT}:bob"
    assert got.credentials.access_key_id.startswith("ASIA") and got.packed_policy_size > 0
    lifetime = got.credentials.expiration.ToDatetime(tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(hours=11, minutes=58) < lifetime <= timedelta(hours=12)  # the default: 12 hours
    token = got.credentials.session_token

    assert await _decide(iamd, token, "s3:GetObject") == "DECISION_ALLOW"  # both allow
    assert await _decide(iamd, token, "s3:PutObject") == "DECISION_IMPLICIT_DENY"  # the session policy does not
    assert await _decide(iamd, token, "s3:ListBucket") == "DECISION_IMPLICIT_DENY"  # the proxy does not

    # Without a session policy a federated user may do nothing ...
    bare = await proxy.GetFederationToken(sts_pb2.GetFederationTokenRequest(name="eve"))
    assert await _decide(iamd, bare.credentials.session_token, "s3:GetObject") == "DECISION_IMPLICIT_DENY"
    # ... except what a resource policy grants its own ARN; naming the proxy is cut by the session.
    for named, expected in ((_fed_arn("eve"), "DECISION_ALLOW"), (PROXY_ARN, "DECISION_IMPLICIT_DENY")):
        bucket_policy = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": named}, "Action": "s3:GetObject", "Resource": BUCKET}]})
        assert await _decide(iamd, bare.credentials.session_token, "s3:GetObject",
                             resource_policy=bucket_policy) == expected, named

    # Who the credentials are, as AWS's GetCallerIdentity says it.
    channel = iamd.connect(_credentials(got.credentials))
    who = await sts_pb2_grpc.SecurityTokenServiceStub(channel).GetCallerIdentity(sts_pb2.GetCallerIdentityRequest())
    assert (who.arn, who.user_id, who.account) == (_fed_arn("bob"), f"{ACCOUNT}:bob", ACCOUNT)
    await channel.close()


async def test_federated_users_cannot_call_iam_or_sts_and_sessions_cannot_federate(iamd: Iamd) -> None:
    proxy = await _proxy(iamd)
    got = await proxy.GetFederationToken(sts_pb2.GetFederationTokenRequest(name="bob", policy=allow("*")))
    channel = iamd.connect(_credentials(got.credentials))
    # The proxy may ListUsers and the session policy allows everything: IAM stays closed.
    error = await refused(identity_pb2_grpc.IdentityServiceStub(channel).ListUsers(ipb.ListUsersRequest()),
                          grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    assert "federated users cannot call IAM APIs" in error.details()
    sts = sts_pb2_grpc.SecurityTokenServiceStub(channel)
    for call in (sts.GetSessionToken(sts_pb2.GetSessionTokenRequest()),
                 sts.GetFederationToken(sts_pb2.GetFederationTokenRequest(name="again", policy=allow("*"))),
                 sts.AssumeRole(sts_pb2.AssumeRoleRequest(role_arn=f"arn:aws:iam::{ACCOUNT}:role/Any",
                                                          role_session_name="s1")),
                 sts.GetAccessKeyInfo(sts_pb2.GetAccessKeyInfoRequest(access_key_id=got.credentials.access_key_id))):
        await refused(call, grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    await channel.close()

    # Temporary credentials of the proxy itself cannot federate either (AWS: long-term keys only).
    session = await proxy.GetSessionToken(sts_pb2.GetSessionTokenRequest())
    channel = iamd.connect(_credentials(session.credentials))
    error = await refused(sts_pb2_grpc.SecurityTokenServiceStub(channel).GetFederationToken(
        sts_pb2.GetFederationTokenRequest(name="bob", policy=allow("*"))), grpc.StatusCode.PERMISSION_DENIED,
        "AccessDenied")
    assert "session credentials" in error.details()
    await channel.close()

    # A user without sts:GetFederationToken is refused, naming the federated user's ARN.
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="plain"))
    key = (await iamd.iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="plain"))).access_key
    channel = iamd.connect(Credentials(key.access_key_id, key.secret_access_key))
    error = await refused(sts_pb2_grpc.SecurityTokenServiceStub(channel).GetFederationToken(
        sts_pb2.GetFederationTokenRequest(name="bob")), grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    assert f"sts:GetFederationToken on resource: {_fed_arn('bob')}" in error.details()
    await channel.close()


async def test_names_durations_and_policies_are_checked(iamd: Iamd) -> None:
    proxy = await _proxy(iamd)
    for request, field in ((sts_pb2.GetFederationTokenRequest(name="b"), "name"),
                           (sts_pb2.GetFederationTokenRequest(name="x" * 33), "name"),
                           (sts_pb2.GetFederationTokenRequest(name="bob smith"), "name"),
                           (sts_pb2.GetFederationTokenRequest(name="bob", duration_seconds=129601), "durationSeconds"),
                           (sts_pb2.GetFederationTokenRequest(name="bob", duration_seconds=899), "durationSeconds")):
        error = await refused(proxy.GetFederationToken(request), grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")
        assert field_violations(error) == [field], request
    await refused(proxy.GetFederationToken(sts_pb2.GetFederationTokenRequest(name="bob", policy="{not json")),
                  grpc.StatusCode.INVALID_ARGUMENT, "MalformedPolicyDocument")
    await refused(proxy.GetFederationToken(sts_pb2.GetFederationTokenRequest(
        name="bob", policy_arns=[sts_pb2.PolicyDescriptor(arn=f"arn:aws:iam::{ACCOUNT}:policy/missing")])),
        grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")
    longest = await proxy.GetFederationToken(sts_pb2.GetFederationTokenRequest(name="bob", duration_seconds=129600))
    lifetime = longest.credentials.expiration.ToDatetime(tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(hours=35, minutes=58) < lifetime <= timedelta(hours=36)
    # The root user may federate too, for at most an hour (a longer request is cut, not refused).
    as_root = await iamd.sts.GetFederationToken(sts_pb2.GetFederationTokenRequest(
        name="ops", duration_seconds=7200, policy=allow("s3:GetObject")))
    lifetime = as_root.credentials.expiration.ToDatetime(tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(minutes=58) < lifetime <= timedelta(hours=1)
    assert await _decide(iamd, as_root.credentials.session_token, "s3:GetObject") == "DECISION_ALLOW"
    assert await _decide(iamd, as_root.credentials.session_token, "s3:PutObject") == "DECISION_IMPLICIT_DENY"
    # A managed session policy of the proxy's account works like an inline one.
    created = await iamd.iam.CreatePolicy(ipb.CreatePolicyRequest(policy_name="put-only",
                                                                  policy_document=allow("s3:PutObject")))
    await iamd.running.runner.wait_for(created.position, 5)
    managed = await proxy.GetFederationToken(sts_pb2.GetFederationTokenRequest(
        name="bob", policy_arns=[sts_pb2.PolicyDescriptor(arn=created.policy.arn)]))
    assert await _decide(iamd, managed.credentials.session_token, "s3:PutObject") == "DECISION_ALLOW"
    assert await _decide(iamd, managed.credentials.session_token, "s3:GetObject") == "DECISION_IMPLICIT_DENY"


async def test_session_tags_need_tag_session_and_override_the_proxys_tags(iamd: Iamd) -> None:
    proxy = await _proxy(iamd)
    await refused(proxy.GetFederationToken(sts_pb2.GetFederationTokenRequest(
        name="bob", policy=allow("s3:*"), tags=[pb.Tag(key="team", value="red")])),
        grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    await _allow_tag_session(iamd)
    untagged = await proxy.GetFederationToken(sts_pb2.GetFederationTokenRequest(name="bob", policy=allow("s3:*")))
    tagged = await proxy.GetFederationToken(sts_pb2.GetFederationTokenRequest(
        name="bob", policy=allow("s3:*"), tags=[pb.Tag(key="TEAM", value="red")]))
    # The proxy is team=blue: only the session tag (overriding it, whatever its case) makes team=red.
    assert await _decide(iamd, untagged.credentials.session_token, "s3:DeleteObject") == "DECISION_IMPLICIT_DENY"
    assert await _decide(iamd, tagged.credentials.session_token, "s3:DeleteObject") == "DECISION_ALLOW"


async def test_the_audit_names_the_federated_user_and_the_proxy_behind_it(iamd: Iamd) -> None:
    proxy = await _proxy(iamd)
    got = await proxy.GetFederationToken(sts_pb2.GetFederationTokenRequest(name="bob", policy=allow("*")))
    channel = iamd.connect(_credentials(got.credentials))
    with pytest.raises(grpc.aio.AioRpcError):
        await identity_pb2_grpc.IdentityServiceStub(channel).ListUsers(ipb.ListUsersRequest())
    await channel.close()
    lookup = audit_pb2_grpc.AuditServiceStub(iamd.channel)
    found = await lookup.LookupEvents(audit_pb2.LookupEventsRequest(lookup_attributes=[
        audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value="ListUsers")]))
    identity = json.loads(found.events[0].cloud_trail_event)["userIdentity"]
    assert identity["type"] == "FederatedUser" and identity["arn"] == _fed_arn("bob")
    assert identity["principalId"] == f"{ACCOUNT}:bob"
    proxy_id = (await iamd.iam.GetUser(ipb.GetUserRequest(user_name="proxy"))).user.user_id
    assert identity["sessionContext"]["sessionIssuer"] == {"type": "IAMUser", "principalId": proxy_id,
                                                           "arn": PROXY_ARN, "accountId": ACCOUNT, "userName": "proxy"}
    issued = await lookup.LookupEvents(audit_pb2.LookupEventsRequest(lookup_attributes=[
        audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value="GetFederationToken")]))
    record = issued.events[0].cloud_trail_event
    assert got.credentials.secret_access_key not in record and got.credentials.session_token not in record


async def test_an_aws_managed_policy_as_a_session_policy(iamd: Iamd) -> None:
    """Found in review: PolicyArns naming an AWS managed policy (the common use) was refused."""
    proxy = await _proxy(iamd)
    got = await proxy.GetFederationToken(sts_pb2.GetFederationTokenRequest(
        name="bob", policy_arns=[sts_pb2.PolicyDescriptor(arn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")]))
    token = got.credentials.session_token
    assert await _decide(iamd, token, "s3:GetObject") == "DECISION_ALLOW"  # the proxy and the session allow
    assert await _decide(iamd, token, "s3:PutObject") == "DECISION_IMPLICIT_DENY"  # AWS's read-only policy does not
    await refused(proxy.GetFederationToken(sts_pb2.GetFederationTokenRequest(
        name="bob", policy_arns=[sts_pb2.PolicyDescriptor(arn="arn:aws:iam::aws:policy/NoSuchPolicy")])),
        grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")
