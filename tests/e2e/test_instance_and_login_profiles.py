"""End to end with botocore's IAM client (what boto3 and the aws CLI are built on) against a real
iamd's HTTP endpoint: instance profiles and login profiles (console passwords), their AWS errors,
their authorization and audit, and the password kept out of every answer, record and event."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

from iamd.client.credentials import Credentials
from iamd.v1 import audit_pb2, audit_pb2_grpc
from iamd.v1 import identity_pb2 as ipb
from iamd.service.audit.record import HIDDEN

from .conftest import ACCOUNT, Iamd
from .test_aws_query import _call, _client, _refused

pytestmark = pytest.mark.e2e

TRUST_EC2 = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
PASSWORD = "Correct-Horse-42"


async def _records(iamd: Iamd, name: str) -> list[dict[str, Any]]:
    lookup = audit_pb2_grpc.AuditServiceStub(iamd.channel)
    found = await lookup.LookupEvents(audit_pb2.LookupEventsRequest(lookup_attributes=[
        audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value=name)]))
    return [json.loads(e.cloud_trail_event) for e in found.events]


async def test_instance_profiles_hold_one_role_and_keep_it_from_being_deleted(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    created = (await _call(iam.create_instance_profile, InstanceProfileName="web", Path="/app/",
                           Tags=[{"Key": "env", "Value": "prod"}]))["InstanceProfile"]
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:instance-profile/app/web"
    assert created["InstanceProfileId"].startswith("AIPA") and created["Roles"] == []
    assert created["Path"] == "/app/" and created["Tags"] == [{"Key": "env", "Value": "prod"}]
    await _refused(iam.create_instance_profile, "EntityAlreadyExists", 409, InstanceProfileName="WEB")
    await _refused(iam.create_instance_profile, "ValidationError", 400, InstanceProfileName="bad name")
    await _refused(iam.get_instance_profile, "NoSuchEntity", 404, InstanceProfileName="nope")

    role = (await _call(iam.create_role, RoleName="web-role", AssumeRolePolicyDocument=TRUST_EC2))["Role"]
    await _call(iam.create_role, RoleName="other", AssumeRolePolicyDocument=TRUST_EC2)
    await _refused(iam.add_role_to_instance_profile, "NoSuchEntity", 404, InstanceProfileName="web",
                   RoleName="ghost")
    await _call(iam.add_role_to_instance_profile, InstanceProfileName="web", RoleName="web-role")
    error = await _refused(iam.add_role_to_instance_profile, "LimitExceeded", 409, InstanceProfileName="web",
                           RoleName="other")
    assert error.response["Error"]["Message"] == "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1"

    got = (await _call(iam.get_instance_profile, InstanceProfileName="web"))["InstanceProfile"]
    assert [(r["RoleName"], r["RoleId"], r["Arn"]) for r in got["Roles"]] == [
        ("web-role", role["RoleId"], role["Arn"])]
    assert got["Roles"][0]["AssumeRolePolicyDocument"] == json.loads(TRUST_EC2)
    for_role = await _call(iam.list_instance_profiles_for_role, RoleName="web-role")
    assert [p["InstanceProfileName"] for p in for_role["InstanceProfiles"]] == ["web"]
    assert (await _call(iam.list_instance_profiles_for_role, RoleName="other"))["InstanceProfiles"] == []

    # DeleteRole refused while a profile holds the role, DeleteInstanceProfile while it holds one.
    error = await _refused(iam.delete_role, "DeleteConflict", 409, RoleName="web-role")
    assert error.response["Error"]["Message"] == "Cannot delete entity, must remove roles from instance profile first."
    await _refused(iam.delete_instance_profile, "DeleteConflict", 409, InstanceProfileName="web")

    # Lists page by name, filtered by path.
    await _call(iam.create_instance_profile, InstanceProfileName="batch")
    first = await _call(iam.list_instance_profiles, MaxItems=1)
    assert first["IsTruncated"] and [p["InstanceProfileName"] for p in first["InstanceProfiles"]] == ["batch"]
    rest = await _call(iam.list_instance_profiles, Marker=first["Marker"])
    assert [p["InstanceProfileName"] for p in rest["InstanceProfiles"]] == ["web"] and not rest["IsTruncated"]
    only_app = await _call(iam.list_instance_profiles, PathPrefix="/app/")
    assert [p["InstanceProfileName"] for p in only_app["InstanceProfiles"]] == ["web"]

    # Tags.
    await _call(iam.tag_instance_profile, InstanceProfileName="web", Tags=[{"Key": "team", "Value": "x"}])
    tags = await _call(iam.list_instance_profile_tags, InstanceProfileName="web")
    assert {t["Key"]: t["Value"] for t in tags["Tags"]} == {"env": "prod", "team": "x"}
    await _call(iam.untag_instance_profile, InstanceProfileName="web", TagKeys=["ENV"])
    tags = await _call(iam.list_instance_profile_tags, InstanceProfileName="web")
    assert tags["Tags"] == [{"Key": "team", "Value": "x"}]

    await _refused(iam.remove_role_from_instance_profile, "NoSuchEntity", 404, InstanceProfileName="web",
                   RoleName="other")
    await _call(iam.remove_role_from_instance_profile, InstanceProfileName="web", RoleName="web-role")
    await _call(iam.delete_role, RoleName="web-role")
    await _call(iam.delete_instance_profile, InstanceProfileName="web")
    await _refused(iam.get_instance_profile, "NoSuchEntity", 404, InstanceProfileName="web")

    # gRPC sees the same application layer; the audit trail has AWS's names.
    over_grpc = await iamd_http.iam.ListInstanceProfiles(ipb.ListInstanceProfilesRequest())
    assert [p.instance_profile_name for p in over_grpc.instance_profiles] == ["batch"]
    [add] = [r for r in await _records(iamd_http, "AddRoleToInstanceProfile") if not r.get("errorCode")]
    assert add["eventSource"] == "iam.amazonaws.com"
    assert add["requestParameters"] == {"instanceProfileName": "web", "roleName": "web-role"}


async def test_instance_profile_calls_are_authorized_on_the_profiles_arn_and_pass_role(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="ops")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["iam:CreateInstanceProfile", "iam:AddRoleToInstanceProfile"],
         "Resource": f"arn:aws:iam::{ACCOUNT}:instance-profile/team/*"}]}
    await _call(iam.put_user_policy, UserName="ops", PolicyName="p", PolicyDocument=json.dumps(policy))
    key = (await _call(iam.create_access_key, UserName="ops"))["AccessKey"]
    ops = _client(iamd_http, "iam", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    await _call(iam.create_role, RoleName="r", AssumeRolePolicyDocument=TRUST_EC2)

    await _refused(ops.create_instance_profile, "AccessDenied", 403, InstanceProfileName="x")  # path /
    await _call(ops.create_instance_profile, InstanceProfileName="x", Path="/team/")
    # AWS: putting a role in a profile also needs iam:PassRole on the role.
    await _refused(ops.add_role_to_instance_profile, "AccessDenied", 403, InstanceProfileName="x", RoleName="r")
    policy["Statement"].append({"Effect": "Allow", "Action": "iam:PassRole",
                                "Resource": f"arn:aws:iam::{ACCOUNT}:role/r"})
    await _call(iam.put_user_policy, UserName="ops", PolicyName="p", PolicyDocument=json.dumps(policy))
    await _call(ops.add_role_to_instance_profile, InstanceProfileName="x", RoleName="r")


async def test_login_profiles_keep_the_password_out_of_answers_records_and_the_log(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    await _refused(iam.create_login_profile, "NoSuchEntity", 404, UserName="nobody", Password=PASSWORD)
    await _call(iam.create_user, UserName="carol")
    # No account password policy: AWS's default one (8 characters, three kinds of characters).
    error = await _refused(iam.create_login_profile, "PasswordPolicyViolation", 400, UserName="carol",
                           Password="short1A")
    assert "minimum length of 8" in error.response["Error"]["Message"]
    await _refused(iam.create_login_profile, "PasswordPolicyViolation", 400, UserName="carol",
                   Password="alllowercase")
    created = (await _call(iam.create_login_profile, UserName="carol", Password=PASSWORD,
                           PasswordResetRequired=True))["LoginProfile"]
    assert (created["UserName"], created["PasswordResetRequired"]) == ("carol", True)
    assert created["CreateDate"].tzinfo is not None
    await _refused(iam.create_login_profile, "EntityAlreadyExists", 409, UserName="carol", Password=PASSWORD)
    got = (await _call(iam.get_login_profile, UserName="carol"))["LoginProfile"]
    assert got["PasswordResetRequired"] is True and "Password" not in got

    # The account's password policy governs new passwords.
    await _call(iam.update_account_password_policy, MinimumPasswordLength=20, RequireSymbols=True)
    error = await _refused(iam.update_login_profile, "PasswordPolicyViolation", 400, UserName="carol",
                           Password="Too-short-1!")
    assert error.response["Error"]["Message"] == "Password should have a minimum length of 20"
    await _call(iam.update_login_profile, UserName="carol", Password="A-much-longer-password-1!",
                PasswordResetRequired=False)
    await _call(iam.update_login_profile, UserName="carol", PasswordResetRequired=True)  # the flag alone
    assert (await _call(iam.get_login_profile, UserName="carol"))["LoginProfile"]["PasswordResetRequired"] is True

    # DeleteUser refused while the user has a console password, as AWS.
    error = await _refused(iam.delete_user, "DeleteConflict", 409, UserName="carol")
    assert error.response["Error"]["Message"] == "Cannot delete entity, must delete login profile first."
    await _call(iam.delete_login_profile, UserName="carol")
    error = await _refused(iam.get_login_profile, "NoSuchEntity", 404, UserName="carol")
    assert error.response["Error"]["Message"] == "Login Profile for User carol cannot be found."
    await _refused(iam.delete_login_profile, "NoSuchEntity", 404, UserName="carol")
    await _call(iam.delete_user, UserName="carol")

    # The passwords are nowhere in clear: not in the audit records, not in the log.
    records = await _records(iamd_http, "CreateLoginProfile") + await _records(iamd_http, "UpdateLoginProfile")
    assert len(records) == 8 and sum(1 for r in records if r.get("errorCode")) == 5  # refused ones too
    [create] = [r for r in records if r["eventName"] == "CreateLoginProfile" and not r.get("errorCode")]
    assert create["requestParameters"] == {"userName": "carol", "password": HIDDEN, "passwordResetRequired": True}
    assert all(r["requestParameters"].get("password", HIDDEN) == HIDDEN for r in records)
    assert not any(PASSWORD in json.dumps(r) or "Too-short-1!" in json.dumps(r) for r in records)
    with sqlite3.connect(iamd_http.data_dir / "events.db") as db:
        dumped = b"".join(bytes(str(row), "utf-8") for table, in db.execute(
            "SELECT name FROM sqlite_master WHERE type='table'") for row in db.execute(f"SELECT * FROM {table}"))
    for secret in (PASSWORD, "A-much-longer-password-1!", "Too-short-1!", "short1A"):
        assert secret.encode() not in dumped
    assert b"$scrypt$" in dumped  # the hash is what the log keeps
