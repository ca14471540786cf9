"""STS GetScopedCredentials against a real iamd: with botocore over the HTTP endpoint as AWS answers
it, and over gRPC. The scoped credentials are the calling session's (same ARN, principal id, session
tags, source identity), their calls decided with the scope-down policy as a session policy, expiring
with the caller's session or sooner; long-term credentials are refused (InvalidSubjectCredentials),
so is a lifetime past the caller's (InsufficientSessionLifetime)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import grpc
import pytest

from iamd.client.credentials import Credentials
from iamd.service.auth import totp
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import identity_pb2_grpc, sts_pb2, sts_pb2_grpc

from .conftest import ACCOUNT, Iamd
from .helpers import allow, refused, user_with_mfa
from .test_audit import records
from .test_aws_query import _call, _client, _refused
from .test_root_access import _session, _user

pytestmark = pytest.mark.e2e

ROLE = f"arn:aws:iam::{ACCOUNT}:role/worker"
SESSION_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/worker/job"
BOSS = f"arn:aws:iam::{ACCOUNT}:user/boss"


def _doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


async def _worker_role(iamd: Iamd) -> Credentials:
    """The role `worker`, trusting boss (tags and source identity too); it may list users and roles,
    read users when its session is tagged team=blue, and scope its sessions down. Boss's keys."""
    iam = _client(iamd, "iam")
    actions = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]
    boss = await _user(iamd, "boss", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions + ["sts:GetScopedCredentials"], "Resource": "*"}]})
    await _call(iam.create_role, RoleName="worker", AssumeRolePolicyDocument=_doc(
        {"Effect": "Allow", "Principal": {"AWS": BOSS}, "Action": actions}))
    await _call(iam.put_role_policy, RoleName="worker", PolicyName="work", PolicyDocument=_doc(
        {"Effect": "Allow", "Action": ["iam:ListUsers", "iam:ListRoles", "sts:GetScopedCredentials"],
         "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}}))
    return boss


def _expiry(credentials: dict) -> datetime:
    expiration = credentials["Expiration"]
    return expiration if expiration.tzinfo else expiration.replace(tzinfo=UTC)


async def test_a_role_session_scopes_itself_down_over_http(iamd_http: Iamd) -> None:
    boss = await _worker_role(iamd_http)
    assumed = await _call(_client(iamd_http, "sts", boss).assume_role, RoleArn=ROLE, RoleSessionName="job",
                          DurationSeconds=3600, SourceIdentity="boss-ci", Tags=[{"Key": "team", "Value": "blue"}])
    parent = _session(assumed["Credentials"])
    sts = _client(iamd_http, "sts", parent)
    scope_down = _doc({"Effect": "Allow", "Action": ["iam:ListUsers", "iam:GetUser", "sts:GetScopedCredentials"],
                       "Resource": "*"})

    scoped = await _call(sts.get_scoped_credentials, Policy=scope_down, DurationSeconds=900,
                         ScopedSessionDescription="nightly report")
    credentials = scoped["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA") and credentials["AccessKeyId"] != parent.access_key_id
    # The identity is the caller's: ARN, principal id, source identity.
    assert scoped["SessionInfo"] == {"ScopedSessionId": assumed["AssumedRoleUser"]["AssumedRoleId"],
                                     "Arn": SESSION_ARN}
    assert scoped["SourceIdentity"] == "boss-ci"
    assert scoped["ScopedPoliciesCount"] == 1
    assert scoped["SessionTokenSize"] == len(credentials["SessionToken"])
    now = datetime.now(UTC)
    assert now + timedelta(seconds=880) <= _expiry(credentials) <= now + timedelta(seconds=905)
    assert _expiry(credentials) <= _expiry(assumed["Credentials"])

    narrowed = _session(credentials)
    who = await _call(_client(iamd_http, "sts", narrowed).get_caller_identity)
    assert (who["Arn"], who["UserId"]) == (SESSION_ARN, assumed["AssumedRoleUser"]["AssumedRoleId"])
    iam_scoped = _client(iamd_http, "iam", narrowed)
    await _call(iam_scoped.list_users)
    # The session's tags carry over: the role's tag-conditioned grant still applies.
    await _call(iam_scoped.get_user, UserName="boss")
    # The role allows ListRoles; the scope-down policy does not: denied.
    await _call(_client(iamd_http, "iam", parent).list_roles)
    error = await _refused(iam_scoped.list_roles, "AccessDenied", 403)
    assert "session policy" in error.response["Error"]["Message"]

    # Without DurationSeconds the scoped credentials expire with the caller's.
    kept = await _call(sts.get_scoped_credentials, Policy=scope_down)
    assert _expiry(kept["Credentials"]) == _expiry(assumed["Credentials"])
    # A scoped session may shorten itself again (its scope-down policy allows the call); the policy stays.
    again = await _call(_client(iamd_http, "sts", narrowed).get_scoped_credentials, DurationSeconds=300)
    assert again["ScopedPoliciesCount"] == 1 and again["SessionInfo"]["Arn"] == SESSION_ARN
    await _refused(_client(iamd_http, "iam", _session(again["Credentials"])).list_roles, "AccessDenied", 403)
    await _refused(_client(iamd_http, "sts", narrowed).get_scoped_credentials, "InsufficientSessionLifetime", 400,
                   DurationSeconds=1800)

    # Refusals, each as AWS's model has it.
    await _refused(sts.get_scoped_credentials, "InsufficientSessionLifetime", 400, DurationSeconds=7200)
    await _refused(_client(iamd_http, "sts", boss).get_scoped_credentials, "InvalidSubjectCredentials", 400,
                   Policy=scope_down)
    await _refused(_client(iamd_http, "sts").get_scoped_credentials, "InvalidSubjectCredentials", 400,
                   DurationSeconds=900)  # the root user's keys
    await _refused(sts.get_scoped_credentials, "MalformedPolicyDocument", 400, Policy='{"Statement": [}')
    await _refused(sts.get_scoped_credentials, "ValidationError", 400)
    await _refused(sts.get_scoped_credentials, "InvalidInput", 400, DurationSeconds=900,
                   MinimumSessionTokenSize=2048)

    log = await records(iamd_http)
    [record] = [r for r in log if r["eventName"] == "GetScopedCredentials" and "errorCode" not in r
                and r["requestParameters"].get("scopedSessionDescription")]
    assert record["eventSource"] == "sts.amazonaws.com"
    assert record["userIdentity"]["arn"] == SESSION_ARN
    assert record["requestParameters"]["scopedSessionDescription"] == "nightly report"
    assert credentials["SessionToken"] not in json.dumps(log)


async def test_a_session_policy_of_the_caller_is_still_applied(iamd_http: Iamd) -> None:
    boss = await _worker_role(iamd_http)
    only_users = _doc({"Effect": "Allow", "Action": ["iam:ListUsers", "sts:GetScopedCredentials"], "Resource": "*"})
    assumed = await _call(_client(iamd_http, "sts", boss).assume_role, RoleArn=ROLE, RoleSessionName="job",
                          Policy=only_users)
    sts = _client(iamd_http, "sts", _session(assumed["Credentials"]))
    scoped = await _call(sts.get_scoped_credentials, DurationSeconds=600)
    assert scoped["ScopedPoliciesCount"] == 0
    iam_scoped = _client(iamd_http, "iam", _session(scoped["Credentials"]))
    await _call(iam_scoped.list_users)
    await _refused(iam_scoped.list_roles, "AccessDenied", 403)  # AssumeRole's session policy still cuts it
    # A scope-down policy on top of session policies intersects with them: iam:* cannot widen the
    # session past ListUsers, and a narrower one narrows it further.
    wider = await _call(sts.get_scoped_credentials, Policy=_doc(
        {"Effect": "Allow", "Action": ["iam:*", "sts:GetScopedCredentials"], "Resource": "*"}))
    assert wider["ScopedPoliciesCount"] == 1
    iam_wider = _client(iamd_http, "iam", _session(wider["Credentials"]))
    await _call(iam_wider.list_users)
    await _refused(iam_wider.list_roles, "AccessDenied", 403)
    narrower = await _call(_client(iamd_http, "sts", _session(wider["Credentials"])).get_scoped_credentials,
                           Policy=_doc({"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}))
    assert narrower["ScopedPoliciesCount"] == 2
    await _refused(_client(iamd_http, "iam", _session(narrower["Credentials"])).list_users, "AccessDenied", 403)


async def test_a_users_session_token_scoped_down_over_grpc(iamd: Iamd) -> None:
    # With MFA: AWS lets GetSessionToken's credentials call IAM APIs only then.
    carol, serial, seed = await user_with_mfa(iamd, "carol")
    put = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="carol"), policy_name="p",
        policy_document=allow(["iam:ListUsers", "iam:ListRoles", "sts:GetScopedCredentials"])))
    await iamd.running.runner.wait_for(put.position, 5)
    carol_channel = iamd.connect(carol)
    carol_sts = sts_pb2_grpc.SecurityTokenServiceStub(carol_channel)
    # Long-term credentials: refused.
    await refused(carol_sts.GetScopedCredentials(sts_pb2.GetScopedCredentialsRequest(duration_seconds=600)),
                  grpc.StatusCode.INVALID_ARGUMENT, "InvalidSubjectCredentials")
    token = await carol_sts.GetSessionToken(sts_pb2.GetSessionTokenRequest(
        duration_seconds=1800, serial_number=serial, token_code=totp.totp(seed, iamd.clock.now().timestamp())))
    session_channel = iamd.connect(Credentials(token.credentials.access_key_id, token.credentials.secret_access_key,
                                               token.credentials.session_token))
    session_sts = sts_pb2_grpc.SecurityTokenServiceStub(session_channel)
    scoped = await session_sts.GetScopedCredentials(sts_pb2.GetScopedCredentialsRequest(
        policy=allow("iam:ListUsers"), duration_seconds=600))
    assert scoped.session_info.arn == f"arn:aws:iam::{ACCOUNT}:user/carol"
    assert scoped.session_info.scoped_session_id.startswith("AIDA")
    assert (scoped.scoped_policies_count, scoped.session_token_size) == (1, len(scoped.credentials.session_token))
    assert scoped.credentials.expiration.ToDatetime(tzinfo=UTC) <= token.credentials.expiration.ToDatetime(tzinfo=UTC)
    await refused(session_sts.GetScopedCredentials(sts_pb2.GetScopedCredentialsRequest(duration_seconds=3600)),
                  grpc.StatusCode.INVALID_ARGUMENT, "InsufficientSessionLifetime")

    await iamd.running.runner.wait_for(scoped.position, 5)
    scoped_channel = iamd.connect(Credentials(scoped.credentials.access_key_id, scoped.credentials.secret_access_key,
                                              scoped.credentials.session_token))
    as_scoped = identity_pb2_grpc.IdentityServiceStub(scoped_channel)
    await as_scoped.ListUsers(ipb.ListUsersRequest())
    await refused(as_scoped.ListRoles(ipb.ListRolesRequest()), grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    await identity_pb2_grpc.IdentityServiceStub(session_channel).ListRoles(ipb.ListRolesRequest())
    # The scoped credentials end with the session they were scoped from, or sooner.
    iamd.clock.offset += 601
    await refused(as_scoped.ListUsers(ipb.ListUsersRequest()), grpc.StatusCode.UNAUTHENTICATED, "ExpiredToken")
    iamd.clock.offset -= 601
    for channel in (carol_channel, session_channel, scoped_channel):
        await channel.close()


async def test_scoped_credentials_keep_the_callers_token_issue_time(iamd_http: Iamd) -> None:
    """Issue 12: the scoped credentials are the caller's session, issued when it was. With a
    TokenIssueTime of their own, a session could mint a copy that a policy's
    `DateGreaterThan aws:TokenIssueTime` grants what the caller is refused, or that outlives a
    RevokeRoleSessions cutoff the caller is under."""
    boss = await _worker_role(iamd_http)
    assumed = await _call(_client(iamd_http, "sts", boss).assume_role, RoleArn=ROLE, RoleSessionName="job")
    parent = _session(assumed["Credentials"])
    later = (iamd_http.clock.now() + timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    await _call(_client(iamd_http, "iam").put_role_policy, RoleName="worker", PolicyName="fresh", PolicyDocument=_doc(
        {"Effect": "Allow", "Action": "iam:ListGroups", "Resource": "*",
         "Condition": {"DateGreaterThan": {"aws:TokenIssueTime": later}}}))
    iamd_http.clock.offset += 60
    try:
        await _refused(_client(iamd_http, "iam", parent).list_groups, "AccessDenied", 403)
        for params in ({"DurationSeconds": 900}, {"Policy": _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})}):
            scoped = await _call(_client(iamd_http, "sts", parent).get_scoped_credentials, **params)
            await _refused(_client(iamd_http, "iam", _session(scoped["Credentials"])).list_groups, "AccessDenied", 403)
    finally:
        iamd_http.clock.offset -= 60


async def test_a_resource_policy_naming_the_session_does_not_widen_its_scoped_credentials(iamd_http: Iamd) -> None:
    """AWS: the scoped credentials' permissions are the intersection of the calling session's and the
    scope-down policy. A bucket policy granting the session's ARN is part of the caller's permissions,
    not beyond the scope-down policy: a session policy lets such a grant past it (IAM user guide,
    session policies), a scope-down layer does not."""
    from iamd.v1 import authorization_pb2 as apb

    boss = await _worker_role(iamd_http)
    assumed = await _call(_client(iamd_http, "sts", boss).assume_role, RoleArn=ROLE, RoleSessionName="job")
    sts = _client(iamd_http, "sts", _session(assumed["Credentials"]))
    scoped = await _call(sts.get_scoped_credentials, Policy=_doc({"Effect": "Allow", "Action": "iam:ListUsers",
                                                                  "Resource": "*"}))
    bucket_policy = _doc({"Effect": "Allow", "Principal": {"AWS": SESSION_ARN}, "Action": "s3:GetObject",
                          "Resource": "arn:aws:s3:::reports/*"})

    async def decide(token: str) -> str:
        answer = await iamd_http.authz.Authorize(apb.AuthorizeRequest(
            session_token=token, action="s3:GetObject", resource="arn:aws:s3:::reports/q3.csv",
            resource_policy=bucket_policy, resource_account=ACCOUNT))
        return apb.Decision.Name(answer.decision)

    assert await decide(assumed["Credentials"]["SessionToken"]) == "DECISION_ALLOW"  # the caller's own grant
    assert await decide(scoped["Credentials"]["SessionToken"]) != "DECISION_ALLOW"  # cut by the scope-down policy
