"""Centralized root access for member accounts against a real iamd, with botocore over HTTP as AWS
answers it: the IAM features' preconditions and errors in AWS's order (OrganizationNotFound,
ServiceAccessNotEnabled, AccountNotManagementOrDelegatedAdministrator, CallerIsNotManagementAccount),
STS AssumeRoot's rules (sts:AssumeRoot on the member's root user with sts:TaskPolicyArn, the
features, a member account only, 900 seconds at most, AWS's root-task policies only), the session
acting as the member's root user less what its task policy denies, and CloudTrail's records."""

from __future__ import annotations

import json
from typing import Any

import grpc
import pytest

from iamd.client.credentials import Credentials
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import authorization_pb2_grpc, sts_pb2, sts_pb2_grpc
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import identity_pb2_grpc

from .conftest import ACCOUNT, Iamd
from .helpers import refused
from .test_audit import records
from .test_aws_query import _call, _client, _refused

pytestmark = pytest.mark.e2e

IAM = "iam.amazonaws.com"
AUDIT_TASK = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
S3_TASK = "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"


async def _member(org: Any, name: str) -> str:
    status = (await _call(org.create_account, AccountName=name, Email=f"{name}@example.com"))["CreateAccountStatus"]
    return (await _call(org.describe_create_account_status,
                        CreateAccountRequestId=status["Id"]))["CreateAccountStatus"]["AccountId"]


async def _user(iamd: Iamd, name: str, policy: dict[str, Any]) -> Credentials:
    iam = _client(iamd, "iam")
    await _call(iam.create_user, UserName=name)
    await _call(iam.put_user_policy, UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    key = (await _call(iam.create_access_key, UserName=name))["AccessKey"]
    return Credentials(key["AccessKeyId"], key["SecretAccessKey"])


def _session(credentials: dict[str, Any]) -> Credentials:
    return Credentials(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])


AUDITOR = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRoot", "Resource": "arn:aws:iam::*:root",
    "Condition": {"StringEquals": {"sts:TaskPolicyArn": AUDIT_TASK}}}]}


async def test_the_features_as_aws_enables_them(iamd_http: Iamd) -> None:
    iam, org = _client(iamd_http, "iam"), _client(iamd_http, "organizations")
    await _refused(iam.list_organizations_features, "OrganizationNotFoundException", 400)
    await _refused(iam.enable_organizations_root_sessions, "OrganizationNotFoundException", 400)
    organization = (await _call(org.create_organization, FeatureSet="ALL"))["Organization"]
    error = await _refused(iam.enable_organizations_root_credentials_management, "ServiceAccessNotEnabledException", 400)
    assert IAM in error.response["Error"]["Message"]
    await _call(org.enable_aws_service_access, ServicePrincipal=IAM)

    listed = await _call(iam.list_organizations_features)
    assert (listed["OrganizationId"], listed["EnabledFeatures"]) == (organization["Id"], [])
    enabled = await _call(iam.enable_organizations_root_sessions)
    assert (enabled["OrganizationId"], enabled["EnabledFeatures"]) == (organization["Id"], ["RootSessions"])
    assert (await _call(iam.enable_organizations_root_sessions))["EnabledFeatures"] == ["RootSessions"]  # again
    both = await _call(iam.enable_organizations_root_credentials_management)
    assert both["EnabledFeatures"] == ["RootCredentialsManagement", "RootSessions"]
    assert (await _call(iam.list_organizations_features))["EnabledFeatures"] == both["EnabledFeatures"]
    assert (await _call(iam.disable_organizations_root_credentials_management))["EnabledFeatures"] == ["RootSessions"]

    # A delegated administrator for IAM may list and disable, not enable; another member may do neither.
    delegate, other = await _member(org, "sec"), await _member(org, "dev")
    await _call(org.register_delegated_administrator, AccountId=delegate, ServicePrincipal=IAM)
    admin = await _user(iamd_http, "admin", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]})
    sts = _client(iamd_http, "sts", admin)
    as_delegate, as_other = [
        _client(iamd_http, "iam", _session((await _call(
            sts.assume_role, RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
            RoleSessionName="admin"))["Credentials"])) for account in (delegate, other)]
    assert (await _call(as_delegate.list_organizations_features))["EnabledFeatures"] == ["RootSessions"]
    error = await _refused(as_delegate.enable_organizations_root_credentials_management,
                           "CallerIsNotManagementAccountException", 400)
    assert ACCOUNT in error.response["Error"]["Message"]
    assert (await _call(as_delegate.disable_organizations_root_sessions))["EnabledFeatures"] == []
    await _refused(as_other.list_organizations_features, "AccountNotManagementOrDelegatedAdministratorException", 400)
    await _refused(as_other.disable_organizations_root_sessions,
                   "AccountNotManagementOrDelegatedAdministratorException", 400)
    assert (await _call(iam.list_organizations_features))["EnabledFeatures"] == []

    # The management account's own policies still decide its calls (iam:ListOrganizationsFeatures, ...).
    nobody = _client(iamd_http, "iam", await _user(iamd_http, "nobody", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:ListOrganizationsFeatures", "Resource": "*"}]}))
    assert (await _call(nobody.list_organizations_features))["OrganizationId"] == organization["Id"]
    await _refused(nobody.enable_organizations_root_sessions, "AccessDenied", 403)

    # Trusted access turned off: the features are out of reach (AWS's error again).
    await _call(org.disable_aws_service_access, ServicePrincipal=IAM)
    await _refused(iam.list_organizations_features, "ServiceAccessNotEnabledException", 400)


async def test_assume_root_acts_as_the_members_root_user_within_its_task_policy(iamd_http: Iamd) -> None:
    iam, org = _client(iamd_http, "iam"), _client(iamd_http, "organizations")
    await _call(org.create_organization, FeatureSet="ALL")
    member = await _member(org, "dev")
    auditor = await _user(iamd_http, "auditor", AUDITOR)
    sts = _client(iamd_http, "sts", auditor)

    # Allowed by its policy, but the organization does not offer root sessions yet.
    error = await _refused(sts.assume_root, "AccessDenied", 403, TargetPrincipal=member,
                           TaskPolicyArn={"arn": AUDIT_TASK})
    assert f"arn:aws:iam::{member}:root" in error.response["Error"]["Message"]
    assert "trusted access" in error.response["Error"]["Message"]
    await _call(org.enable_aws_service_access, ServicePrincipal=IAM)
    error = await _refused(sts.assume_root, "AccessDenied", 403, TargetPrincipal=member,
                           TaskPolicyArn={"arn": AUDIT_TASK})
    assert "RootSessions" in error.response["Error"]["Message"]
    await _call(iam.enable_organizations_root_sessions)
    error = await _refused(sts.assume_root, "AccessDenied", 403, TargetPrincipal=member,
                           TaskPolicyArn={"arn": AUDIT_TASK})  # a credential task: needs both features
    assert "RootCredentialsManagement" in error.response["Error"]["Message"]
    await _call(iam.enable_organizations_root_credentials_management)

    answer = await _call(sts.assume_root, TargetPrincipal=f"arn:aws:iam::{member}:root",
                         TaskPolicyArn={"arn": AUDIT_TASK}, DurationSeconds=600)
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA") and credentials["Expiration"].tzinfo is not None
    root = _session(credentials)
    me = await _call(_client(iamd_http, "sts", root).get_caller_identity)
    assert (me["Arn"], me["Account"], me["UserId"]) == (f"arn:aws:iam::{member}:root", member, member)

    # The member's root user, less what IAMAuditRootUserCredentials denies.
    as_root = _client(iamd_http, "iam", root)
    assert (await _call(as_root.list_access_keys))["AccessKeyMetadata"] == []
    assert (await _call(as_root.list_mfa_devices))["MFADevices"] == []
    assert "Users" in (await _call(as_root.get_account_summary))["SummaryMap"]
    error = await _refused(as_root.create_user, "AccessDenied", 403, UserName="intruder")
    assert "explicit deny in a session policy" in error.response["Error"]["Message"]
    await _refused(as_root.list_users, "AccessDenied", 403)
    # A service asking iamd's Authorize about the session (by its token) gets the same decisions.
    authz = authorization_pb2_grpc.AuthorizationServiceStub(iamd_http.channel)
    for action, resource, decision in (
            ("iam:ListAccessKeys", f"arn:aws:iam::{member}:root", apb.DECISION_ALLOW),
            ("iam:ListAccessKeys", f"arn:aws:iam::{member}:user/bob", apb.DECISION_EXPLICIT_DENY),
            ("s3:DeleteBucketPolicy", "arn:aws:s3:::locked", apb.DECISION_EXPLICIT_DENY)):
        answer = await authz.Authorize(apb.AuthorizeRequest(session_token=root.session_token, action=action,
                                                            resource=resource, resource_account=member))
        assert answer.decision == decision, (action, resource)
    await _call(iam.create_user, UserName="alice")  # the management account's, not the member's
    await _refused(as_root.list_access_keys, "AccessDenied", 403, UserName="alice")  # a user's keys: not the task

    # Its policy names one task; the management account is no target; a root user cannot ask.
    await _refused(sts.assume_root, "AccessDenied", 403, TargetPrincipal=member, TaskPolicyArn={"arn": S3_TASK})
    error = await _refused(sts.assume_root, "AccessDenied", 403, TargetPrincipal=ACCOUNT,
                           TaskPolicyArn={"arn": AUDIT_TASK})
    assert "management account" in error.response["Error"]["Message"]
    await _refused(sts.assume_root, "AccessDenied", 403, TargetPrincipal="999999999999",
                   TaskPolicyArn={"arn": AUDIT_TASK})
    await _refused(_client(iamd_http, "sts").assume_root, "AccessDenied", 403, TargetPrincipal=member,
                   TaskPolicyArn={"arn": AUDIT_TASK})
    # A closed member (PENDING_CLOSURE, then SUSPENDED) is no target: the call itself is refused.
    closed = await _member(org, "old")
    await _call(org.close_account, AccountId=closed)
    error = await _refused(sts.assume_root, "AccessDenied", 403, TargetPrincipal=closed,
                           TaskPolicyArn={"arn": AUDIT_TASK})
    assert f"the account {closed} is closed" in error.response["Error"]["Message"]
    # AWS's root-task policies only; an unknown parameter is refused, not dropped.
    for arn in ("arn:aws:iam::aws:policy/root-task/NoSuchTask", "arn:aws:iam::aws:policy/ReadOnlyAccess"):
        error = await _refused(sts.assume_root, "ValidationError", 400, TargetPrincipal=member,
                               TaskPolicyArn={"arn": arn})
        assert arn in error.response["Error"]["Message"]
    await _refused(sts.assume_root, "InvalidInput", 400, TargetPrincipal=member, TaskPolicyArn={"arn": AUDIT_TASK},
                   MinimumSessionTokenSize=2048)

    # Root sessions turned off: no new session (the open one runs out within 900 seconds).
    await _call(iam.disable_organizations_root_sessions)
    await _refused(sts.assume_root, "AccessDenied", 403, TargetPrincipal=member, TaskPolicyArn={"arn": AUDIT_TASK})

    # CloudTrail: AssumeRoot in the management account, the session's calls as the member's Root.
    log = await records(iamd_http)
    [issued] = [r for r in log if r["eventName"] == "AssumeRoot" and "errorCode" not in r]
    assert issued["eventSource"] == "sts.amazonaws.com"
    assert issued["userIdentity"]["arn"] == f"arn:aws:iam::{ACCOUNT}:user/auditor"
    assert issued["requestParameters"] == {"targetPrincipal": f"arn:aws:iam::{member}:root",
                                           "taskPolicyArn": {"arn": AUDIT_TASK}, "durationSeconds": 600}
    assert issued["responseElements"]["credentials"]["accessKeyId"] == credentials["AccessKeyId"]
    assert issued["responseElements"]["credentials"]["secretAccessKey"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    assert credentials["SecretAccessKey"] not in json.dumps(log) and credentials["SessionToken"] not in json.dumps(log)
    listed = next(r for r in log if r["eventName"] == "ListAccessKeys" and r["userIdentity"]["accountId"] == member)
    identity = listed["userIdentity"]
    assert (identity["type"], identity["arn"], identity["principalId"], identity["accessKeyId"]) == (
        "Root", f"arn:aws:iam::{member}:root", member, credentials["AccessKeyId"])
    assert identity["sessionContext"]["assumedRoot"] == "true"


async def test_assume_root_bounds_over_grpc(iamd: Iamd) -> None:
    sts = sts_pb2_grpc.SecurityTokenServiceStub(iamd.channel)
    for request, field in (
            (sts_pb2.AssumeRootRequest(target_principal="123", task_policy_arn=sts_pb2.PolicyDescriptor(
                arn=AUDIT_TASK)), "targetPrincipal"),
            (sts_pb2.AssumeRootRequest(target_principal="210987654321", task_policy_arn=sts_pb2.PolicyDescriptor(
                arn=AUDIT_TASK), duration_seconds=901), "durationSeconds"),
            (sts_pb2.AssumeRootRequest(target_principal="210987654321"), "taskPolicyArn")):
        error = await refused(sts.AssumeRoot(request), grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")
        assert field in error.details()


async def test_a_root_session_repairs_a_bucket_policy_that_denies_everyone(iamd_http: Iamd) -> None:
    """S3UnlockBucketPolicy: the bucket owner's root user may read, replace and delete the bucket's
    policy even when it denies everyone (S3's own rule), and do nothing else with the bucket."""
    iam, org = _client(iamd_http, "iam"), _client(iamd_http, "organizations")
    await _call(org.create_organization, FeatureSet="ALL")
    member = await _member(org, "data")
    await _call(org.enable_aws_service_access, ServicePrincipal=IAM)
    await _call(iam.enable_organizations_root_sessions)
    # The member's administrator (its OrganizationAccountAccessRole) registers its bucket's policy,
    # which denies everyone everything.
    admin = await _user(iamd_http, "admin", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]})
    role = (await _call(_client(iamd_http, "sts", admin).assume_role, RoleSessionName="admin",
                        RoleArn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"))["Credentials"]
    bucket = "arn:aws:s3:::locked-bucket"
    channel = iamd_http.connect(_session(role))
    await identity_pb2_grpc.IdentityServiceStub(channel).PutResourcePolicy(ipb.PutResourcePolicyRequest(
        resource_arn=bucket, policy_document=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [bucket, f"{bucket}/*"]}]})))
    await channel.close()
    unlocker = await _user(iamd_http, "unlocker", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRoot", "Resource": f"arn:aws:iam::{member}:root",
        "Condition": {"StringEquals": {"sts:TaskPolicyArn": S3_TASK}}}]})
    session = (await _call(_client(iamd_http, "sts", unlocker).assume_root, TargetPrincipal=member,
                           TaskPolicyArn={"arn": S3_TASK}))["Credentials"]
    authz = authorization_pb2_grpc.AuthorizationServiceStub(iamd_http.channel)

    async def decision(action: str, resource: str = bucket, token: str = session["SessionToken"]) -> int:
        return (await authz.Authorize(apb.AuthorizeRequest(session_token=token, action=action,
                                                           resource=resource))).decision

    for action in ("s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"):
        assert await decision(action) == apb.DECISION_ALLOW, action
    assert await decision("s3:GetObject", f"{bucket}/key") == apb.DECISION_EXPLICIT_DENY  # not the task's
    assert await decision("s3:ListAllMyBuckets", "*") == apb.DECISION_ALLOW
    # The member's administrator stays locked out, as AWS keeps it.
    assert await decision("s3:DeleteBucketPolicy", token=role["SessionToken"]) == apb.DECISION_EXPLICIT_DENY


async def test_a_role_sessions_source_identity_carries_into_its_root_session(iamd_http: Iamd) -> None:
    iam, org = _client(iamd_http, "iam"), _client(iamd_http, "organizations")
    await _call(org.create_organization, FeatureSet="ALL")
    member = await _member(org, "dev")
    await _call(org.enable_aws_service_access, ServicePrincipal=IAM)
    await _call(iam.enable_organizations_root_sessions)
    await _call(iam.create_role, RoleName="breakglass", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                                                "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"]}]}))
    await _call(iam.put_role_policy, RoleName="breakglass", PolicyName="root", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoot", "Resource": "*"}]}))
    jane = await _user(iamd_http, "jane", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"], "Resource": "*"}]})
    role = (await _call(_client(iamd_http, "sts", jane).assume_role, RoleSessionName="jane", SourceIdentity="jane",
                        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/breakglass"))["Credentials"]
    answer = await _call(_client(iamd_http, "sts", _session(role)).assume_root, TargetPrincipal=member,
                         TaskPolicyArn={"arn": S3_TASK})
    assert answer["SourceIdentity"] == "jane"
    await _call(_client(iamd_http, "sts", _session(answer["Credentials"])).get_caller_identity)
    [call] = [r for r in await records(iamd_http) if r["eventName"] == "GetCallerIdentity"
              and r["userIdentity"]["accountId"] == member]
    assert call["userIdentity"]["sessionContext"]["sourceIdentity"] == "jane"


async def test_the_root_users_console_password_from_root_sessions(iamd_http: Iamd) -> None:
    """IAMCreateRootUserPassword creates it (or allows password recovery without one),
    IAMAuditRootUserCredentials reads it, IAMDeleteRootUserCredentials deletes it; outside an AssumeRoot
    session the root user must name a user (AWS's rule)."""
    iam, org = _client(iamd_http, "iam"), _client(iamd_http, "organizations")
    await _call(org.create_organization, FeatureSet="ALL")
    member = await _member(org, "dev")
    await _call(org.enable_aws_service_access, ServicePrincipal=IAM)
    await _call(iam.enable_organizations_root_sessions)
    await _call(iam.enable_organizations_root_credentials_management)
    operator = _client(iamd_http, "sts", await _user(iamd_http, "operator", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRoot", "Resource": "*"}]}))

    async def as_root(task: str) -> Any:
        answer = await _call(operator.assume_root, TargetPrincipal=member,
                             TaskPolicyArn={"arn": f"arn:aws:iam::aws:policy/root-task/{task}"})
        return _client(iamd_http, "iam", _session(answer["Credentials"]))

    creator, auditor = await as_root("IAMCreateRootUserPassword"), await as_root("IAMAuditRootUserCredentials")
    await _refused(auditor.get_login_profile, "NoSuchEntity", 404)
    await _refused(creator.create_login_profile, "PasswordPolicyViolation", 400, Password="short")
    profile = (await _call(creator.create_login_profile, Password="Corr3ct-Horse-Battery"))["LoginProfile"]
    assert "UserName" not in profile and profile["CreateDate"].tzinfo is not None  # the root user has no name
    await _refused(creator.create_login_profile, "EntityAlreadyExists", 409, Password="Corr3ct-Horse-Battery")
    assert (await _call(auditor.get_login_profile))["LoginProfile"]["CreateDate"] == profile["CreateDate"]
    assert (await _call(auditor.get_account_summary))["SummaryMap"]["AccountPasswordPresent"] == 1
    await _refused(auditor.delete_login_profile, "AccessDenied", 403)  # not the audit task's
    await _refused(creator.create_login_profile, "AccessDenied", 403, UserName="someone", Password="x")  # a user's
    deleter = await as_root("IAMDeleteRootUserCredentials")
    await _call(deleter.delete_login_profile)
    await _refused(deleter.delete_login_profile, "NoSuchEntity", 404)
    recovery = (await _call(creator.create_login_profile))["LoginProfile"]  # no password: recovery allowed
    assert recovery["CreateDate"].tzinfo is not None
    assert (await _call(auditor.get_account_summary))["SummaryMap"]["AccountPasswordPresent"] == 0

    # The root user's own long-term credentials must name a user.
    error = await _refused(iam.get_login_profile, "ValidationError", 400)
    assert "AssumeRoot" in error.response["Error"]["Message"]
    assert "Corr3ct-Horse-Battery" not in json.dumps(await records(iamd_http))  # the password reaches no record
