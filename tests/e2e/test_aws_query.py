"""End to end: botocore's own IAM and STS clients (what boto3 and the aws CLI are built on), pointed
at iamd's HTTP endpoint with `endpoint_url`, signing with stock SigV4, on a real server.

botocore's clients are synchronous: each call runs in a thread while the server runs in the loop.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import botocore.session
import grpc
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from iamd.client.credentials import Credentials
from iamd.v1 import audit_pb2, audit_pb2_grpc
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.service.audit.record import HIDDEN
from iamd.service.auth.totp import totp

from .conftest import ACCOUNT, Iamd, start_iamd, stop_iamd

pytestmark = pytest.mark.e2e

TRUST_ROOT = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
     "Action": ["sts:AssumeRole", "sts:TagSession"]}]})
READ_USERS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]}


def _client(iamd: Iamd, service: str, credentials: Credentials | None = None) -> Any:
    credentials = credentials or iamd.root
    assert iamd.running.http is not None
    return botocore.session.get_session().create_client(
        service, region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{iamd.running.http.port}",
        aws_access_key_id=credentials.access_key_id, aws_secret_access_key=credentials.secret_access_key,
        aws_session_token=credentials.session_token or None,
        config=Config(retries={"max_attempts": 1}))


async def _call(method: Callable[..., Any], **kwargs: Any) -> Any:
    return await asyncio.to_thread(method, **kwargs)


async def _refused(method: Callable[..., Any], code: str, status: int, **kwargs: Any) -> ClientError:
    with pytest.raises(ClientError) as caught:
        await _call(method, **kwargs)
    error = caught.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == (code, status), error
    return caught.value


async def test_users_policies_and_their_errors_through_botocores_iam_client(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    created = await _call(iam.create_user, UserName="alice", Path="/team/", Tags=[{"Key": "team", "Value": "a"}])
    user = created["User"]
    assert (user["UserName"], user["Path"], user["Arn"]) == ("alice", "/team/", f"arn:aws:iam::{ACCOUNT}:user/team/alice")
    assert user["UserId"].startswith("AIDA") and user["CreateDate"].tzinfo is not None
    assert user["Tags"] == [{"Key": "team", "Value": "a"}]
    assert created["ResponseMetadata"]["RequestId"]

    # One application layer: what the HTTP call created, the gRPC API sees.
    over_grpc = await iamd_http.iam.GetUser(ipb.GetUserRequest(user_name="alice"))
    assert over_grpc.user.user_id == user["UserId"]

    listed = await _call(iam.list_users, PathPrefix="/team/")
    assert [u["UserName"] for u in listed["Users"]] == ["alice"] and listed["IsTruncated"] is False

    policy = (await _call(iam.create_policy, PolicyName="read-users", PolicyDocument=json.dumps(READ_USERS),
                          Description="lets a user read users"))["Policy"]
    assert policy["Arn"] == f"arn:aws:iam::{ACCOUNT}:policy/read-users" and policy["DefaultVersionId"] == "v1"
    await _call(iam.attach_user_policy, UserName="alice", PolicyArn=policy["Arn"])
    attached = await _call(iam.list_attached_user_policies, UserName="alice")
    assert attached["AttachedPolicies"] == [{"PolicyName": "read-users", "PolicyArn": policy["Arn"]}]
    entities = await _call(iam.list_entities_for_policy, PolicyArn=policy["Arn"])
    assert [u["UserName"] for u in entities["PolicyUsers"]] == ["alice"] and entities["PolicyGroups"] == []

    await _call(iam.put_user_policy, UserName="alice", PolicyName="inline", PolicyDocument=json.dumps(READ_USERS))
    inline = await _call(iam.get_user_policy, UserName="alice", PolicyName="inline")
    # Sent URL-encoded, as AWS does; botocore decodes it back into the document.
    assert (inline["UserName"], inline["PolicyName"], inline["PolicyDocument"]) == ("alice", "inline", READ_USERS)
    assert (await _call(iam.list_user_policies, UserName="alice"))["PolicyNames"] == ["inline"]

    await _call(iam.tag_user, UserName="alice", Tags=[{"Key": "cost", "Value": "42"}])
    tags = (await _call(iam.list_user_tags, UserName="alice"))["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {"team": "a", "cost": "42"}

    await _refused(iam.get_user, "NoSuchEntity", 404, UserName="nobody")
    await _refused(iam.create_user, "EntityAlreadyExists", 409, UserName="alice")
    await _refused(iam.delete_policy, "DeleteConflict", 409, PolicyArn=policy["Arn"])
    error = await _refused(iam.create_user, "ValidationError", 400, UserName="bad name!")
    assert "userName" in error.response["Error"]["Message"]
    # An AWS operation iamd does not implement, and a parameter it does not support, are refused.
    await _refused(iam.list_delegation_requests, "InvalidAction", 400)
    await _refused(iam.create_role, "InvalidInput", 400, RoleName="r", AssumeRolePolicyDocument=TRUST_ROOT,
                   MaxSigninSessionDuration=3600)
    with pytest.raises(grpc.aio.AioRpcError):
        await iamd_http.iam.GetRole(ipb.GetRoleRequest(role_name="r"))  # the refused call left nothing

    await _call(iam.detach_user_policy, UserName="alice", PolicyArn=policy["Arn"])
    await _call(iam.delete_user_policy, UserName="alice", PolicyName="inline")
    await _call(iam.delete_user, UserName="alice")
    await _refused(iam.get_user, "NoSuchEntity", 404, UserName="alice")


async def test_signatures_and_permissions_are_checked_as_on_grpc(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="bob")
    key = (await _call(iam.create_access_key, UserName="bob"))["AccessKey"]
    assert key["Status"] == "Active" and len(key["SecretAccessKey"]) == 40
    bob = Credentials(key["AccessKeyId"], key["SecretAccessKey"])

    as_bob = _client(iamd_http, "iam", bob)
    error = await _refused(as_bob.create_user, "AccessDenied", 403, UserName="carol")
    assert f"arn:aws:iam::{ACCOUNT}:user/bob is not authorized to perform: iam:CreateUser" in str(error)
    await _refused(_client(iamd_http, "iam", Credentials(bob.access_key_id, "x" * 40)).get_user,
                   "SignatureDoesNotMatch", 403, UserName="bob")
    await _refused(_client(iamd_http, "iam", Credentials("AKIAUNKNOWNUNKNOWN00", "y" * 40)).get_user,
                   "InvalidClientTokenId", 403, UserName="bob")

    sts = _client(iamd_http, "sts", bob)
    who = await _call(sts.get_caller_identity)
    assert (who["Arn"], who["Account"]) == (f"arn:aws:iam::{ACCOUNT}:user/bob", ACCOUNT)


async def test_assume_role_over_sts_and_use_the_session(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    role = (await _call(iam.create_role, RoleName="deployer", AssumeRolePolicyDocument=TRUST_ROOT,
                        MaxSessionDuration=7200))["Role"]
    assert role["AssumeRolePolicyDocument"] == json.loads(TRUST_ROOT) and role["MaxSessionDuration"] == 7200
    # Root may not assume roles (as in AWS): a user of the account allowed to.
    await _call(iam.create_user, UserName="ci")
    await _call(iam.put_user_policy, UserName="ci", PolicyName="assume", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"],
                                                 "Resource": role["Arn"]}]}))
    key = (await _call(iam.create_access_key, UserName="ci"))["AccessKey"]
    ci = _client(iamd_http, "sts", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    assumed = await _call(ci.assume_role, RoleArn=role["Arn"], RoleSessionName="ci", DurationSeconds=900,
                          Tags=[{"Key": "project", "Value": "x"}])
    credentials = assumed["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA") and credentials["Expiration"].tzinfo is not None
    assert assumed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/ci"

    session = Credentials(credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])
    who = await _call(_client(iamd_http, "sts", session).get_caller_identity)
    assert who["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/ci"
    # The role has no permissions: the session may call nothing else.
    await _refused(_client(iamd_http, "iam", session).list_users, "AccessDenied", 403)
    # Past its end the session is ExpiredToken with HTTP 403, as IAM and STS answer it.
    iamd_http.clock.offset += 901
    try:
        await _refused(_client(iamd_http, "sts", session).get_caller_identity, "ExpiredToken", 403)
        await _refused(_client(iamd_http, "iam", session).list_users, "ExpiredToken", 403)
    finally:
        iamd_http.clock.offset -= 901


async def test_the_audit_trail_names_calls_as_cloudtrail_does_whichever_transport(iamd_http: Iamd) -> None:
    """eventName, eventSource, requestParameters and responseElements are AWS's for the operation:
    a gRPC AttachPolicy on a user is AttachUserPolicy, exactly as the same call over HTTP."""
    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="dora")
    policy = (await _call(iam.create_policy, PolicyName="p", PolicyDocument=json.dumps(READ_USERS)))["Policy"]
    await _call(iam.attach_user_policy, UserName="dora", PolicyArn=policy["Arn"])  # over HTTP
    await _call(iam.create_group, GroupName="ops")
    await iamd_http.iam.AttachPolicy(ipb.AttachPolicyRequest(  # over gRPC
        target=pb.EntityRef(kind=pb.ENTITY_KIND_GROUP, name="ops"), policy_arn=policy["Arn"]))
    await iamd_http.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="dora"), policy_name="inline",
        policy_document=json.dumps(READ_USERS)))
    key = (await _call(iam.create_access_key, UserName="dora"))["AccessKey"]

    lookup = audit_pb2_grpc.AuditServiceStub(iamd_http.channel)

    async def named(name: str) -> list[dict[str, Any]]:
        found = await lookup.LookupEvents(audit_pb2.LookupEventsRequest(lookup_attributes=[
            audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value=name)]))
        return [json.loads(e.cloud_trail_event) for e in found.events]

    [attach_user] = await named("AttachUserPolicy")
    assert attach_user["eventSource"] == "iam.amazonaws.com"
    assert attach_user["requestParameters"] == {"userName": "dora", "policyArn": policy["Arn"]}
    [attach_group] = await named("AttachGroupPolicy")
    assert attach_group["requestParameters"] == {"groupName": "ops", "policyArn": policy["Arn"]}
    assert await named("AttachPolicy") == []  # iamd's RPC name is not the event's
    [put] = await named("PutUserPolicy")
    assert put["requestParameters"] == {"userName": "dora", "policyName": "inline",
                                        "policyDocument": json.dumps(READ_USERS)}
    [create_key] = await named("CreateAccessKey")
    assert create_key["requestParameters"] == {"userName": "dora"}
    access_key = create_key["responseElements"]["accessKey"]
    assert access_key["accessKeyId"] == key["AccessKeyId"] and access_key["status"] == "Active"
    assert access_key["secretAccessKey"] == HIDDEN and key["SecretAccessKey"] not in json.dumps(create_key)
    [user] = await named("CreateUser")
    assert user["responseElements"]["user"]["userName"] == "dora"
    assert "logPosition" in user["additionalEventData"]
    # iamd's own operations keep iamd's names under iamd's event source.
    await iamd_http.authz.Authorize(apb.AuthorizeRequest(principal_arn=f"arn:aws:iam::{ACCOUNT}:user/dora",
                                                         action="iam:GetUser", resource="*"))
    [authorize] = await named("Authorize")
    assert authorize["eventSource"] == "iamd.amazonaws.com"


async def test_a_virtual_mfa_device_from_create_to_delete(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="erin")
    device = (await _call(iam.create_virtual_mfa_device, VirtualMFADeviceName="erin-phone",
                          Tags=[{"Key": "owner", "Value": "erin"}]))["VirtualMFADevice"]
    assert device["SerialNumber"] == f"arn:aws:iam::{ACCOUNT}:mfa/erin-phone"
    serial = device["SerialNumber"]
    await _call(iam.tag_mfa_device, SerialNumber=serial, Tags=[{"Key": "kind", "Value": "phone"}])
    await _call(iam.untag_mfa_device, SerialNumber=serial, TagKeys=["owner"])
    assert (await _call(iam.list_mfa_device_tags, SerialNumber=serial))["Tags"] == [{"Key": "kind", "Value": "phone"}]
    await _refused(iam.list_mfa_device_tags, "NoSuchEntity", 404, SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/none")
    seed = device["Base32StringSeed"].decode()
    now = iamd_http.clock.now().timestamp()
    await _call(iam.enable_mfa_device, UserName="erin", SerialNumber=device["SerialNumber"],
                AuthenticationCode1=totp(seed, now - 30), AuthenticationCode2=totp(seed, now))
    [listed] = (await _call(iam.list_mfa_devices, UserName="erin"))["MFADevices"]
    assert (listed["UserName"], listed["SerialNumber"]) == ("erin", device["SerialNumber"])
    await _call(iam.deactivate_mfa_device, UserName="erin", SerialNumber=device["SerialNumber"])
    await _call(iam.delete_virtual_mfa_device, SerialNumber=device["SerialNumber"])
    assert (await _call(iam.list_mfa_devices, UserName="erin"))["MFADevices"] == []


async def test_malformed_and_unsigned_http_requests_get_awss_xml_errors(iamd_http: Iamd) -> None:
    """What no SDK would send: each answered with an XML error naming the problem, nothing stored."""
    import urllib.error
    import urllib.request

    assert iamd_http.running.http is not None
    url = f"http://127.0.0.1:{iamd_http.running.http.port}/"

    def post(body: bytes, headers: dict[str, str] | None = None) -> tuple[int, str]:
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def code_of(xml: str) -> str:
        return xml.split("<Code>", 1)[1].split("</Code>", 1)[0]

    cases = [
        (b"Action=CreateUser&Version=2010-05-08&UserName=mallory", {}, 403, "MissingAuthenticationToken"),
        (b"Action=CreateUser&Version=2010-05-08&UserName=mallory", {"Authorization": "AWS4-HMAC-SHA256 nonsense",
                                                                     "X-Amz-Date": "20261205T000000Z"},
         400, "IncompleteSignature"),
        (b"Version=2010-05-08", {}, 400, "MissingAction"),
        (b"Action=NoSuchThing&Version=2010-05-08", {}, 400, "InvalidAction"),
        (b"Action=CreateUser&Version=2010-05-08&UserName=a&UserName=b", {}, 400, "InvalidParameterValue"),
        (b"Action=CreateUser&Version=2010-05-08&UserName=a&Bogus=1", {}, 400, "InvalidQueryParameter"),
        (b"Action=CreateUser&Version=2010-05-08&UserName=" + b"x" * 300_000, {}, 413, "RequestEntityTooLarge"),
    ]
    for body, headers, status, code in cases:
        got_status, xml = await asyncio.to_thread(post, body, headers)
        assert (got_status, code_of(xml)) == (status, code), xml[:300]
        assert "<RequestId>" in xml
    with pytest.raises(grpc.aio.AioRpcError):
        await iamd_http.iam.GetUser(ipb.GetUserRequest(user_name="mallory"))


async def test_development_flags_seed_a_fixed_root_key_and_reset_to_a_fresh_state(tmp_path: Path) -> None:
    """What moto's server mode needs (tests/peers/moto_suite.py): its fixed key, and a reset."""
    import urllib.request

    from iamd.service.config import Settings
    from iamd.service.server import DevReset

    dev = {"http_listen": "127.0.0.1:0", "dev_root_key": "FOOBARKEY:FOOBARSECRET", "dev_reset": True}
    iamd = await start_iamd(tmp_path / "data", **dev)
    reset = None
    try:
        assert iamd.root == Credentials("FOOBARKEY", "FOOBARSECRET")
        settings = Settings(listen="127.0.0.1:0", data_dir=tmp_path / "data", account_id=ACCOUNT, **dev)
        reset = DevReset(settings, iamd.running)
        assert iamd.running.http is not None
        iamd.running.http.reset = reset
        port = iamd.running.http.port
        iam = _client(iamd, "iam")
        await _call(iam.create_user, UserName="before-reset")

        def post_reset() -> dict[str, Any]:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/moto-api/reset", method="POST")
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())

        assert await asyncio.to_thread(post_reset) == {"status": "ok"}
        await _refused(iam.get_user, "NoSuchEntity", 404, UserName="before-reset")
        await _call(iam.create_user, UserName="before-reset")  # the same key signs on the fresh state
    finally:
        await iamd.channel.close()
        await (reset.running if reset is not None else iamd.running).stop()


def test_development_flags_are_refused_off_loopback() -> None:
    from iamd.service.config import Settings

    with pytest.raises(ValueError, match="development on loopback only"):
        Settings(listen="0.0.0.0:50051", insecure=True, http_listen="0.0.0.0:50080", dev_reset=True).check()
    with pytest.raises(ValueError, match="development on loopback only"):
        Settings(listen="0.0.0.0:50051", insecure=True, dev_root_key="A:B").check()
    with pytest.raises(ValueError, match="--dev-reset needs --http-listen"):
        Settings(dev_reset=True).check()


async def test_account_summary_credential_report_and_virtual_mfa_listing(iamd_http: Iamd) -> None:
    import csv
    import io

    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="fay")
    await _call(iam.create_user, UserName="gus")
    key = (await _call(iam.create_access_key, UserName="fay"))["AccessKey"]
    await _call(iam.create_group, GroupName="g")
    unassigned = (await _call(iam.create_virtual_mfa_device, VirtualMFADeviceName="spare"))["VirtualMFADevice"]
    device = (await _call(iam.create_virtual_mfa_device, VirtualMFADeviceName="gus-phone"))["VirtualMFADevice"]
    seed, now = device["Base32StringSeed"].decode(), iamd_http.clock.now().timestamp()
    await _call(iam.enable_mfa_device, UserName="gus", SerialNumber=device["SerialNumber"],
                AuthenticationCode1=totp(seed, now - 30), AuthenticationCode2=totp(seed, now))

    summary = (await _call(iam.get_account_summary))["SummaryMap"]
    assert (summary["Users"], summary["Groups"], summary["Roles"], summary["UsersQuota"]) == (2, 1, 0, 5000)
    assert (summary["MFADevices"], summary["MFADevicesInUse"], summary["AccountAccessKeysPresent"]) == (2, 1, 1)

    every = (await _call(iam.list_virtual_mfa_devices))["VirtualMFADevices"]
    assert {d["SerialNumber"] for d in every} == {unassigned["SerialNumber"], device["SerialNumber"]}
    [assigned] = (await _call(iam.list_virtual_mfa_devices, AssignmentStatus="Assigned"))["VirtualMFADevices"]
    assert assigned["User"]["UserName"] == "gus" and assigned["EnableDate"].tzinfo is not None
    [spare] = (await _call(iam.list_virtual_mfa_devices, AssignmentStatus="Unassigned"))["VirtualMFADevices"]
    assert spare["SerialNumber"] == unassigned["SerialNumber"] and "User" not in spare

    await _refused(iam.get_credential_report, "ReportNotPresent", 410)
    assert (await _call(iam.generate_credential_report))["State"] == "STARTED"  # as AWS: then poll
    assert (await _call(iam.generate_credential_report))["State"] == "COMPLETE"
    report = await _call(iam.get_credential_report)
    assert report["ReportFormat"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(report["Content"].decode())))
    assert [r["user"] for r in rows] == ["<root_account>", "fay", "gus"]
    assert len(rows[0]) == 22 and rows[0]["password_enabled"] == "not_supported"
    fay, gus = rows[1], rows[2]
    assert (fay["access_key_1_active"], fay["access_key_2_active"], fay["mfa_active"]) == ("true", "false", "false")
    assert fay["access_key_1_last_rotated"].startswith("20") and fay["access_key_1_last_used_date"] == "N/A"
    assert gus["mfa_active"] == "true" and key["SecretAccessKey"] not in report["Content"].decode()

    # GetUser without a name: the caller (root here, as AWS shows it; a user sees itself).
    me = (await _call(iam.get_user))["User"]
    assert (me["Arn"], me["UserId"]) == (f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT)
    fay_client = _client(iamd_http, "iam", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    await _call(iam.put_user_policy, UserName="fay", PolicyName="self", PolicyDocument=json.dumps(READ_USERS))
    assert (await _call(fay_client.get_user))["User"]["UserName"] == "fay"


async def test_cloudtrail_lookup_events_over_json_11(iamd_http: Iamd) -> None:
    """An auditor's `aws cloudtrail lookup-events`: botocore's CloudTrail client (JSON 1.1, signed
    for cloudtrail) finds calls by AWS's event names, whichever transport made them."""
    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="hal")
    policy = (await _call(iam.create_policy, PolicyName="p", PolicyDocument=json.dumps(READ_USERS)))["Policy"]
    await _call(iam.attach_user_policy, UserName="hal", PolicyArn=policy["Arn"])
    await iamd_http.running.audit.flush()

    trail = _client(iamd_http, "cloudtrail")
    found = await _call(trail.lookup_events, LookupAttributes=[
        {"AttributeKey": "EventName", "AttributeValue": "AttachUserPolicy"}])
    [event] = found["Events"]
    assert (event["EventName"], event["EventSource"], event["Username"]) == (
        "AttachUserPolicy", "iam.amazonaws.com", "root")
    assert event["EventTime"].tzinfo is not None and event["ReadOnly"] == "false"
    record = json.loads(event["CloudTrailEvent"])
    assert record["requestParameters"] == {"userName": "hal", "policyArn": policy["Arn"]}
    assert {"ResourceType": "AWS::IAM::User", "ResourceName": f"arn:aws:iam::{ACCOUNT}:user/hal"} in event["Resources"]

    page = await _call(trail.lookup_events, MaxResults=2)
    assert len(page["Events"]) == 2 and page["NextToken"]
    with pytest.raises(ClientError) as caught:
        await _call(trail.lookup_events, LookupAttributes=[{"AttributeKey": "Nonsense", "AttributeValue": "x"}])
    assert caught.value.response["Error"]["Code"]
    with pytest.raises(ClientError) as caught:
        await _call(trail.lookup_events, EventCategory="insight")  # a parameter iamd does not support
    assert caught.value.response["Error"]["Code"] == "InvalidInput"
    with pytest.raises(ClientError) as caught:  # an operation iamd does not implement
        await _call(trail.describe_trails)
    assert caught.value.response["Error"]["Code"] == "UnknownOperationException"


async def test_account_password_policy_survives_a_restart(tmp_path: Path) -> None:
    iamd = await start_iamd(tmp_path / "data", http_listen="127.0.0.1:0")
    try:
        iam = _client(iamd, "iam")
        error = await _refused(iam.get_account_password_policy, "NoSuchEntity", 404)
        assert f"The Password Policy with domain name {ACCOUNT} cannot be found." in str(error)
        await _refused(iam.delete_account_password_policy, "NoSuchEntity", 404)
        error = await _refused(iam.update_account_password_policy, "ValidationError", 400,
                               MinimumPasswordLength=129, PasswordReusePrevention=25, MaxPasswordAge=1096)
        assert str(error).count("failed to satisfy constraint") == 3 and "3 validation errors detected" in str(error)
        await _call(iam.update_account_password_policy, MinimumPasswordLength=12, RequireSymbols=True,
                    MaxPasswordAge=90)
        expected = {"MinimumPasswordLength": 12, "RequireSymbols": True, "RequireNumbers": False,
                    "RequireUppercaseCharacters": False, "RequireLowercaseCharacters": False,
                    "AllowUsersToChangePassword": False, "ExpirePasswords": True, "MaxPasswordAge": 90,
                    "HardExpiry": False}
        assert (await _call(iam.get_account_password_policy))["PasswordPolicy"] == expected
    finally:
        await stop_iamd(iamd)
    iamd = await start_iamd(tmp_path / "data", http_listen="127.0.0.1:0")  # rebuilt from the log
    try:
        iam = _client(iamd, "iam")
        assert (await _call(iam.get_account_password_policy))["PasswordPolicy"] == expected
        await _call(iam.update_account_password_policy)  # the whole policy: every default again
        assert (await _call(iam.get_account_password_policy))["PasswordPolicy"] == {
            "MinimumPasswordLength": 6, "RequireSymbols": False, "RequireNumbers": False,
            "RequireUppercaseCharacters": False, "RequireLowercaseCharacters": False,
            "AllowUsersToChangePassword": False, "ExpirePasswords": False, "HardExpiry": False}
        await _call(iam.delete_account_password_policy)
        await _refused(iam.get_account_password_policy, "NoSuchEntity", 404)
    finally:
        await stop_iamd(iamd)


async def test_the_account_alias_is_one_per_account_and_replaced_by_a_new_one(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    assert (await _call(iam.list_account_aliases))["AccountAliases"] == []
    await _call(iam.create_account_alias, AccountAlias="my-alias")
    assert (await _call(iam.list_account_aliases))["AccountAliases"] == ["my-alias"]
    await _call(iam.create_account_alias, AccountAlias="other-alias")  # replaces it, as in AWS
    assert (await _call(iam.list_account_aliases))["AccountAliases"] == ["other-alias"]
    await _refused(iam.delete_account_alias, "NoSuchEntity", 404, AccountAlias="my-alias")
    await _refused(iam.create_account_alias, "ValidationError", 400, AccountAlias="Bad--Alias")
    await _call(iam.delete_account_alias, AccountAlias="other-alias")
    assert (await _call(iam.list_account_aliases))["AccountAliases"] == []
    await _call(iam.create_account_alias, AccountAlias="my-alias")  # released when replaced: free again
    assert (await _call(iam.get_account_summary))["SummaryMap"]["Users"] == 0


async def test_oidc_providers_are_registered_changed_and_deleted(iamd_http: Iamd) -> None:
    """The registry of OpenID Connect providers, e.g. a Kubernetes cluster's service-account issuer."""
    iam = _client(iamd_http, "iam")
    url = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
    thumbprint = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
    created = await _call(iam.create_open_id_connect_provider, Url=url, ClientIDList=["sts.amazonaws.com"],
                          ThumbprintList=[thumbprint], Tags=[{"Key": "cluster", "Value": "prod"}])
    arn = created["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:oidc-provider/{url.removeprefix('https://')}"
    await _refused(iam.create_open_id_connect_provider, "EntityAlreadyExists", 409, Url=url,
                   ThumbprintList=[thumbprint])
    for bad_url in ("http://example.com", "example.com"):
        error = await _refused(iam.create_open_id_connect_provider, "InvalidInput", 400, Url=bad_url)
        assert "Invalid Open ID Connect Provider URL" in str(error)
    error = await _refused(iam.create_open_id_connect_provider, "InvalidInput", 400, Url="https://other.example",
                           ThumbprintList=[thumbprint[:-1] + str(i) for i in range(6)])
    assert "Thumbprint list must contain fewer than 5 entries." in str(error)  # AWS's words, for 6

    await _call(iam.add_client_id_to_open_id_connect_provider, OpenIDConnectProviderArn=arn, ClientID="my-app")
    await _call(iam.remove_client_id_from_open_id_connect_provider, OpenIDConnectProviderArn=arn,
                ClientID="sts.amazonaws.com")
    await _call(iam.update_open_id_connect_provider_thumbprint, OpenIDConnectProviderArn=arn,
                ThumbprintList=["a" * 40])
    await _call(iam.tag_open_id_connect_provider, OpenIDConnectProviderArn=arn, Tags=[{"Key": "team", "Value": "x"}])
    first = await _call(iam.list_open_id_connect_provider_tags, OpenIDConnectProviderArn=arn, MaxItems=1)
    assert first["IsTruncated"] and len(first["Tags"]) == 1
    rest = await _call(iam.list_open_id_connect_provider_tags, OpenIDConnectProviderArn=arn, Marker=first["Marker"])
    assert {t["Key"] for t in first["Tags"] + rest["Tags"]} == {"cluster", "team"}
    await _call(iam.untag_open_id_connect_provider, OpenIDConnectProviderArn=arn, TagKeys=["cluster"])
    got = await _call(iam.get_open_id_connect_provider, OpenIDConnectProviderArn=arn)
    assert (got["Url"], got["ClientIDList"], got["ThumbprintList"]) == (url.removeprefix("https://"), ["my-app"],
                                                                         ["a" * 40])
    assert got["Tags"] == [{"Key": "team", "Value": "x"}] and got["CreateDate"].tzinfo is not None
    listed = (await _call(iam.list_open_id_connect_providers))["OpenIDConnectProviderList"]
    assert listed == [{"Arn": arn}]

    await _call(iam.delete_open_id_connect_provider, OpenIDConnectProviderArn=arn)
    await _refused(iam.get_open_id_connect_provider, "NoSuchEntity", 404, OpenIDConnectProviderArn=arn)
    await _call(iam.delete_open_id_connect_provider, OpenIDConnectProviderArn=arn)  # idempotent, as AWS documents
    assert (await _call(iam.list_open_id_connect_providers))["OpenIDConnectProviderList"] == []
    await _call(iam.create_open_id_connect_provider, Url=url, ThumbprintList=[thumbprint])  # again, once deleted


async def test_racing_alias_changes_leave_exactly_the_final_alias_claimed(iamd_http: Iamd) -> None:
    """Found in review: concurrent CreateAccountAlias calls released a stale 'old' alias read from
    the projection, leaving the aliases in between claimed for ever."""
    from iamd.service.domain import account_alias
    from iamd.service.domain.events import decode_event

    iam = _client(iamd_http, "iam")
    results = await asyncio.gather(*(_call(iam.create_account_alias, AccountAlias=f"alias-{i}") for i in range(8)),
                                   return_exceptions=True)
    assert not [r for r in results if isinstance(r, Exception) and "ConcurrentModification" not in str(r)]
    [final] = (await _call(iam.list_account_aliases))["AccountAliases"]
    held = []
    for i in range(8):
        events = await iamd_http.running.store.read_stream(account_alias.claim_stream(f"alias-{i}"))
        if account_alias.fold_claim([decode_event(e.type, dict(e.data)) for e in events]).holder:
            held.append(f"alias-{i}")
    assert held == [final]


async def test_a_log_with_a_development_root_key_is_never_served_off_loopback(tmp_path: Path) -> None:
    """Found in review: the fixed key stayed in the log and a later start off loopback kept it."""
    from iamd.service.config import Settings, StartRefusedError
    from iamd.service.server import build_server

    iamd = await start_iamd(tmp_path / "data", dev_root_key="FOOBARKEY:FOOBARSECRET")
    await stop_iamd(iamd)
    with pytest.raises(StartRefusedError, match="fixed for development"):
        await build_server(Settings(listen="0.0.0.0:0", insecure=True, data_dir=tmp_path / "data"))
    with pytest.raises(ValueError, match="give no --store"):
        Settings(http_listen="127.0.0.1:0", dev_reset=True, store_uri="sqlite:///elsewhere.db").check()
    with pytest.raises(ValueError, match="keep --credentials-file in it"):
        Settings(http_listen="127.0.0.1:0", dev_reset=True, data_dir=tmp_path / "d",
                 credentials_file=str(tmp_path / "root-credentials")).check()


async def test_mfa_listings_follow_a_renamed_user(iamd_http: Iamd) -> None:
    """Found in review: after UpdateUser renamed a device's user, ListVirtualMFADevices failed."""
    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="gus")
    device = (await _call(iam.create_virtual_mfa_device, VirtualMFADeviceName="gus-phone"))["VirtualMFADevice"]
    seed, now = device["Base32StringSeed"].decode(), iamd_http.clock.now().timestamp()
    await _call(iam.enable_mfa_device, UserName="gus", SerialNumber=device["SerialNumber"],
                AuthenticationCode1=totp(seed, now - 30), AuthenticationCode2=totp(seed, now))
    await _call(iam.update_user, UserName="gus", NewUserName="gustav")
    [listed] = (await _call(iam.list_virtual_mfa_devices))["VirtualMFADevices"]
    assert listed["User"]["UserName"] == "gustav"
    [mine] = (await _call(iam.list_mfa_devices, UserName="gustav"))["MFADevices"]
    assert mine["UserName"] == "gustav"


async def test_a_json_request_whose_signature_leaves_out_its_target_is_refused(iamd_http: Iamd) -> None:
    """X-Amz-Target picks the operation: a signature that does not cover it is IncompleteSignature."""
    import urllib.error
    import urllib.request

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials

    assert iamd_http.running.http is not None
    url = f"http://127.0.0.1:{iamd_http.running.http.port}/"
    signed = AWSRequest(method="POST", url=url, data=b"{}", headers={"Content-Type": "application/x-amz-json-1.1"})
    SigV4Auth(BotoCredentials(iamd_http.root.access_key_id, iamd_http.root.secret_access_key),
              "cloudtrail", "us-east-1").add_auth(signed)
    headers = {**dict(signed.headers.items()),
               "X-Amz-Target": "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"}

    def post() -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(url, data=b"{}", method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    status, body = await asyncio.to_thread(post)
    assert (status, body["__type"]) == (400, "IncompleteSignature") and "x-amz-target" in body["message"]


async def test_a_zero_or_an_empty_value_sent_is_judged_by_awss_constraints_not_taken_as_absent(iamd_http: Iamd) -> None:
    # botocore checks `min` itself; a client that does not (or a raw request) reaches the server,
    # whose operations cannot tell a zero or an empty string from a member left out.
    assert iamd_http.running.http is not None

    def unvalidated(service: str) -> Any:
        return botocore.session.get_session().create_client(
            service, region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{iamd_http.running.http.port}",
            aws_access_key_id=iamd_http.root.access_key_id, aws_secret_access_key=iamd_http.root.secret_access_key,
            config=Config(retries={"max_attempts": 1}, parameter_validation=False))

    sts = unvalidated("sts")
    refused = await _refused(sts.get_web_identity_token, "ValidationError", 400, Audience=["https://x.example"],
                             SigningAlgorithm="RS256", DurationSeconds=0)
    assert refused.response["Error"]["Message"] == (
        "1 validation error detected: Value '0' at 'durationSeconds' failed to satisfy constraint: Member must have "
        "value greater than or equal to 60")
    await _refused(sts.get_session_token, "ValidationError", 400, SerialNumber="", TokenCode="123456")
    iam = unvalidated("iam")
    await _refused(iam.list_users, "ValidationError", 400, MaxItems=0)
    await _refused(iam.create_user, "ValidationError", 400, UserName="u", Path="")
    with pytest.raises(grpc.aio.AioRpcError):  # nothing was created
        await iamd_http.iam.GetUser(ipb.GetUserRequest(user_name="u"))
    # Well formed, so it is refused as a call: unsigned, for want of a signature first.
    import urllib.error
    import urllib.request

    unsigned = urllib.request.Request(f"http://127.0.0.1:{iamd_http.running.http.port}/", method="POST",
                                      data=b"Action=ListUsers&Version=2010-05-08&MaxItems=0",
                                      headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        await asyncio.to_thread(urllib.request.urlopen, unsigned, timeout=15)
    assert b"<Code>MissingAuthenticationToken</Code>" in caught.value.read()
