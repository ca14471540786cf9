"""End to end with botocore's IAM client against a real iamd's HTTP endpoint: service-linked roles
(CreateServiceLinkedRole, DeleteServiceLinkedRole, GetServiceLinkedRoleDeletionStatus, and the
UnmodifiableEntity refusals of the role's ordinary operations) and ChangePassword (the user's own
console password: who may, the old password, the policy's rules, reuse, the secrets kept out)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

from iamd.client.credentials import Credentials
from iamd.service.audit.record import HIDDEN

from .conftest import ACCOUNT, Iamd
from .test_aws_query import _call, _client, _refused
from .test_instance_and_login_profiles import _records

pytestmark = pytest.mark.e2e

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


async def test_a_service_linked_role_is_awss_and_refuses_users_changes(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    role = (await _call(iam.create_service_linked_role, AWSServiceName="autoscaling.amazonaws.com",
                        Description="scaling"))["Role"]
    assert role["RoleName"] == "AWSServiceRoleForAutoScaling"
    assert role["Path"] == "/aws-service-role/autoscaling.amazonaws.com/"
    assert role["Arn"] == (f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/"
                           "AWSServiceRoleForAutoScaling")
    assert role["RoleId"].startswith("AROA") and role["Description"] == "scaling"
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "autoscaling.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    attached = await _call(iam.list_attached_role_policies, RoleName="AWSServiceRoleForAutoScaling")
    assert [p["PolicyArn"] for p in attached["AttachedPolicies"]] == [
        "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy"]
    assert (await _call(iam.get_role, RoleName="AWSServiceRoleForAutoScaling"))["Role"]["Arn"] == role["Arn"]

    # AWS's names and refusals: a suffix where the service takes one, the name taken, no suffix for ECS.
    suffixed = (await _call(iam.create_service_linked_role, AWSServiceName="autoscaling.amazonaws.com",
                            CustomSuffix="web"))["Role"]
    assert suffixed["RoleName"] == "AWSServiceRoleForAutoScaling_web"
    error = await _refused(iam.create_service_linked_role, "InvalidInput", 400,
                           AWSServiceName="autoscaling.amazonaws.com")
    assert error.response["Error"]["Message"] == ("Service role name AWSServiceRoleForAutoScaling has been taken in "
                                                  "this account, please try a different suffix.")
    error = await _refused(iam.create_service_linked_role, "InvalidInput", 400, AWSServiceName="ecs.amazonaws.com",
                           CustomSuffix="x")
    assert error.response["Error"]["Message"] == "Custom suffix is not allowed for ecs.amazonaws.com"
    es = (await _call(iam.create_service_linked_role, AWSServiceName="es.amazonaws.com"))["Role"]
    assert es["RoleName"] == "AWSServiceRoleForAmazonElasticsearchService"
    # A service iamd has no name for: the derivation, no policy, and no suffix; not an AWS service: refused.
    other = (await _call(iam.create_service_linked_role, AWSServiceName="other.amazonaws.com"))["Role"]
    assert other["RoleName"] == "AWSServiceRoleForother"
    await _refused(iam.create_service_linked_role, "InvalidInput", 400, AWSServiceName="other.amazonaws.com",
                   CustomSuffix="x")
    await _refused(iam.create_service_linked_role, "InvalidInput", 400, AWSServiceName="example.com")

    # The role is the service's: UnmodifiableEntity for the user's changes, as AWS.
    name = "AWSServiceRoleForAutoScaling"
    message = f"Cannot perform the operation on the protected role '{name}' - this role is only modifiable by AWS"
    for method, kwargs in ((iam.delete_role, {}),
                           (iam.update_assume_role_policy, {"PolicyDocument": json.dumps(json.loads(
                               json.dumps(role["AssumeRolePolicyDocument"])))}),
                           (iam.attach_role_policy, {"PolicyArn": ADMIN}),
                           (iam.detach_role_policy, {"PolicyArn": attached["AttachedPolicies"][0]["PolicyArn"]}),
                           (iam.put_role_policy, {"PolicyName": "p", "PolicyDocument": json.dumps({
                               "Version": "2012-10-17", "Statement": [
                                   {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})}),
                           (iam.put_role_permissions_boundary, {"PermissionsBoundary": ADMIN})):
        error = await _refused(method, "UnmodifiableEntity", 400, RoleName=name, **kwargs)
        assert error.response["Error"]["Message"] == message

    # DeleteServiceLinkedRole: a task, SUCCEEDED at once; the role and its attachment gone.
    task = (await _call(iam.delete_service_linked_role, RoleName=name))["DeletionTaskId"]
    assert task.startswith(f"task/aws-service-role/autoscaling.amazonaws.com/{name}/")
    status = await _call(iam.get_service_linked_role_deletion_status, DeletionTaskId=task)
    assert status["Status"] == "SUCCEEDED" and "Reason" not in status
    await _refused(iam.get_role, "NoSuchEntity", 404, RoleName=name)
    await _refused(iam.delete_service_linked_role, "NoSuchEntity", 404, RoleName=name)
    await _refused(iam.get_service_linked_role_deletion_status, "NoSuchEntity", 404,
                   DeletionTaskId=task[:-36] + "00000000-0000-4000-8000-000000000000")
    await _refused(iam.get_service_linked_role_deletion_status, "InvalidInput", 400, DeletionTaskId="nonsense")
    # An ordinary role is not DeleteServiceLinkedRole's.
    await _call(iam.create_role, RoleName="plain", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    await _refused(iam.delete_service_linked_role, "NoSuchEntity", 404, RoleName="plain")

    # In use (an instance profile holds it): the task FAILED, with AWS's reason and the resource.
    await _call(iam.create_instance_profile, InstanceProfileName="es-profile")
    await _call(iam.add_role_to_instance_profile, InstanceProfileName="es-profile", RoleName=es["RoleName"])
    task = (await _call(iam.delete_service_linked_role, RoleName=es["RoleName"]))["DeletionTaskId"]
    status = await _call(iam.get_service_linked_role_deletion_status, DeletionTaskId=task)
    assert status["Status"] == "FAILED"
    assert "cannot be deleted as it is in use by es.amazonaws.com" in status["Reason"]["Reason"]
    assert status["Reason"]["RoleUsageList"] == [
        {"Region": "global", "Resources": [f"arn:aws:iam::{ACCOUNT}:instance-profile/es-profile"]}]
    assert (await _call(iam.get_role, RoleName=es["RoleName"]))["Role"]["RoleId"] == es["RoleId"]

    # Audited under AWS's names.
    [created] = [r for r in await _records(iamd_http, "CreateServiceLinkedRole")
                 if not r.get("errorCode") and r["requestParameters"].get("description") == "scaling"]
    assert created["eventSource"] == "iam.amazonaws.com"
    assert created["requestParameters"]["aWSServiceName"] == "autoscaling.amazonaws.com"


async def test_service_linked_role_calls_are_authorized_on_the_roles_arn(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="ops")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole",
         "Resource": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/*"}]}
    await _call(iam.put_user_policy, UserName="ops", PolicyName="p", PolicyDocument=json.dumps(policy))
    key = (await _call(iam.create_access_key, UserName="ops"))["AccessKey"]
    ops = _client(iamd_http, "iam", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    await _refused(ops.create_service_linked_role, "AccessDenied", 403, AWSServiceName="eks.amazonaws.com")
    await _call(ops.create_service_linked_role, AWSServiceName="ecs.amazonaws.com")
    await _refused(ops.delete_service_linked_role, "AccessDenied", 403, RoleName="AWSServiceRoleForECS")


async def test_the_aws_service_name_condition_key_allows_one_service_and_refuses_another(iamd_http: Iamd) -> None:
    """IAM User Guide's policy for CreateServiceLinkedRole: allowed on any role, only for the
    service iam:AWSServiceName names (the key is the request's AWSServiceName)."""
    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="scaler")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*",
         "Condition": {"StringEquals": {"iam:AWSServiceName": "autoscaling.amazonaws.com"}}}]}
    await _call(iam.put_user_policy, UserName="scaler", PolicyName="p", PolicyDocument=json.dumps(policy))
    key = (await _call(iam.create_access_key, UserName="scaler"))["AccessKey"]
    scaler = _client(iamd_http, "iam", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    await _call(scaler.create_service_linked_role, AWSServiceName="autoscaling.amazonaws.com")
    error = await _refused(scaler.create_service_linked_role, "AccessDenied", 403,
                           AWSServiceName="elasticbeanstalk.amazonaws.com")
    assert "iam:CreateServiceLinkedRole" in error.response["Error"]["Message"]
    # Allowed every service but denied one by the key: refused that one only.
    await _call(iam.put_user_policy, UserName="scaler", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:CreateServiceLinkedRole", "Resource": "*",
             "Condition": {"StringLike": {"iam:AWSServiceName": "elasticbeanstalk.*"}}}]}))
    await _refused(scaler.create_service_linked_role, "AccessDenied", 403,
                   AWSServiceName="elasticbeanstalk.amazonaws.com")
    await _call(scaler.create_service_linked_role, AWSServiceName="ecs.amazonaws.com")


async def _user_with_password(iam: Any, iamd: Iamd, name: str, password: str) -> Any:
    await _call(iam.create_user, UserName=name)
    await _call(iam.create_login_profile, UserName=name, Password=password, PasswordResetRequired=True)
    key = (await _call(iam.create_access_key, UserName=name))["AccessKey"]
    return _client(iamd, "iam", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))


async def test_change_password_is_the_users_own_with_awss_checks(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    first, second, third = "First-pass-1", "Second-pass-2", "Third-pass-3"
    dave = await _user_with_password(iam, iamd_http, "dave", first)

    # The root user has no IAM console password to change; a user needs the permission, which the
    # password policy's AllowUsersToChangePassword gives every user.
    error = await _refused(iam.change_password, "InvalidUserType", 400, OldPassword=first, NewPassword=second)
    await _refused(dave.change_password, "AccessDenied", 403, OldPassword=first, NewPassword=second)
    await _call(iam.update_account_password_policy, AllowUsersToChangePassword=True, MinimumPasswordLength=10,
                PasswordReusePrevention=2)
    # The old password must match; the new one meet the policy.
    error = await _refused(dave.change_password, "AccessDenied", 403, OldPassword="Wrong-pass-9", NewPassword=second)
    assert error.response["Error"]["Message"] == "The old password is incorrect."
    error = await _refused(dave.change_password, "PasswordPolicyViolation", 400, OldPassword=first,
                           NewPassword="Short-1")
    assert error.response["Error"]["Message"] == "Password should have a minimum length of 10"
    await _call(dave.change_password, OldPassword=first, NewPassword=second)
    # The reset the administrator asked for is done.
    profile = (await _call(iam.get_login_profile, UserName="dave"))["LoginProfile"]
    assert profile["PasswordResetRequired"] is False
    # PasswordReusePrevention: 2 (the current one counts).
    error = await _refused(dave.change_password, "PasswordPolicyViolation", 400, OldPassword=second,
                           NewPassword=first)
    assert error.response["Error"]["Message"] == "Password should not be one of your 2 previous passwords"
    await _call(dave.change_password, OldPassword=second, NewPassword=third)
    await _refused(dave.change_password, "AccessDenied", 403, OldPassword=second, NewPassword=first)

    # An explicit deny still wins over the policy's grant.
    await _call(iam.put_user_policy, UserName="dave", PolicyName="no", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:ChangePassword", "Resource": "*"}]}))
    error = await _refused(dave.change_password, "AccessDenied", 403, OldPassword=third, NewPassword="Fourth-pass-4")
    assert "explicit deny" in error.response["Error"]["Message"]
    await _call(iam.delete_user_policy, UserName="dave", PolicyName="no")
    # So does a guardrail that would refuse an allow: a permissions boundary that does not allow it.
    boundary = (await _call(iam.create_policy, PolicyName="only-reads", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]})))
    await _call(iam.put_user_permissions_boundary, UserName="dave", PermissionsBoundary=boundary["Policy"]["Arn"])
    await _refused(dave.change_password, "AccessDenied", 403, OldPassword=third, NewPassword="Fourth-pass-4")
    await _call(iam.delete_user_permissions_boundary, UserName="dave")

    # No console password: NoSuchEntity.
    await _call(iam.delete_login_profile, UserName="dave")
    await _refused(dave.change_password, "NoSuchEntity", 404, OldPassword=third, NewPassword="Fourth-pass-4")

    # The passwords are nowhere in clear: not in the audit records, not in the log.
    records = await _records(iamd_http, "ChangePassword")
    assert len(records) == 11 and sum(1 for r in records if r.get("errorCode")) == 9
    assert all(r["requestParameters"] in (None, {"oldPassword": HIDDEN, "newPassword": HIDDEN}) for r in records)
    assert not any(p in json.dumps(r) for r in records for p in (first, second, third, "Wrong-pass-9", "Short-1"))
    with sqlite3.connect(iamd_http.data_dir / "events.db") as db:
        dumped = b"".join(bytes(str(row), "utf-8") for table, in db.execute(
            "SELECT name FROM sqlite_master WHERE type='table'") for row in db.execute(f"SELECT * FROM {table}"))
    for secret in (first, second, third, "Wrong-pass-9", "Short-1", "Fourth-pass-4"):
        assert secret.encode() not in dumped



async def test_request_tags_are_condition_keys_of_the_calls_that_pass_them(iamd_http: Iamd) -> None:
    """aws:RequestTag/${TagKey} and aws:TagKeys, as AWS's tag-based access control for IAM uses them:
    a user may create and tag roles only with the tag team=red, and remove only the tag `scratch`."""
    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="tagger")
    await _call(iam.put_user_policy, UserName="tagger", PolicyName="tags", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["iam:CreateRole", "iam:TagRole"], "Resource": "*",
             "Condition": {"StringEquals": {"aws:RequestTag/team": "red"},
                           "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}},
            {"Effect": "Allow", "Action": "iam:UntagRole", "Resource": "*",
             "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["scratch"]}}}]}))
    key = (await _call(iam.create_access_key, UserName="tagger"))["AccessKey"]
    tagger = _client(iamd_http, "iam", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})

    await _call(tagger.create_role, RoleName="red", AssumeRolePolicyDocument=trust,
                Tags=[{"Key": "team", "Value": "red"}])
    for tags in ([{"Key": "team", "Value": "blue"}], [{"Key": "team", "Value": "red"}, {"Key": "cost", "Value": "1"}],
                 []):
        await _refused(tagger.create_role, "AccessDenied", 403, RoleName="other", AssumeRolePolicyDocument=trust,
                       Tags=tags)
    await _call(iam.tag_role, RoleName="red", Tags=[{"Key": "scratch", "Value": "x"}])  # the root may
    await _refused(tagger.tag_role, "AccessDenied", 403, RoleName="red", Tags=[{"Key": "scratch", "Value": "y"}])
    await _call(tagger.untag_role, RoleName="red", TagKeys=["scratch"])
    await _refused(tagger.untag_role, "AccessDenied", 403, RoleName="red", TagKeys=["team"])
    tags = (await _call(iam.list_role_tags, RoleName="red"))["Tags"]
    assert tags == [{"Key": "team", "Value": "red"}]


async def test_a_roles_tags_are_the_resource_tags_of_iam_actions_on_it(iamd_http: Iamd) -> None:
    """iam:ResourceTag/* and aws:ResourceTag/* of the user or role an IAM action acts on: a user may
    attach policies to and delete only the roles tagged team=red."""
    iam = _client(iamd_http, "iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    await _call(iam.create_role, RoleName="red-app", Path="/apps/", AssumeRolePolicyDocument=trust,
                Tags=[{"Key": "team", "Value": "red"}])
    await _call(iam.create_role, RoleName="blue-app", AssumeRolePolicyDocument=trust,
                Tags=[{"Key": "team", "Value": "blue"}])
    await _call(iam.create_role, RoleName="untagged", AssumeRolePolicyDocument=trust)
    await _call(iam.create_user, UserName="ops")
    await _call(iam.put_user_policy, UserName="ops", PolicyName="abac", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": "*",
             "Condition": {"StringEquals": {"iam:ResourceTag/team": "red"}}},
            {"Effect": "Allow", "Action": "iam:DeleteRolePolicy", "Resource": "*",
             "Condition": {"StringEquals": {"aws:ResourceTag/team": "red"}}}]}))
    key = (await _call(iam.create_access_key, UserName="ops"))["AccessKey"]
    ops = _client(iamd_http, "iam", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    document = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})

    await _call(ops.put_role_policy, RoleName="red-app", PolicyName="p", PolicyDocument=document)
    await _call(ops.delete_role_policy, RoleName="red-app", PolicyName="p")
    for role in ("blue-app", "untagged"):
        await _refused(ops.put_role_policy, "AccessDenied", 403, RoleName=role, PolicyName="p", PolicyDocument=document)
    # Retagged, the role answers to its new tags.
    await _call(iam.tag_role, RoleName="blue-app", Tags=[{"Key": "team", "Value": "red"}])
    await _call(ops.put_role_policy, RoleName="blue-app", PolicyName="p", PolicyDocument=document)
