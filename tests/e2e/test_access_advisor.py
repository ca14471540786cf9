"""Access advisor end to end: GenerateServiceLastAccessedDetails and its Get operations over gRPC
and (with boto3's IAM client) over the AWS Query endpoint; UpdateRoleDescription, GetMFADevice
and ResyncMFADevice."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest

from iamd.service.auth import totp
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import sts_pb2, sts_pb2_grpc

from .conftest import ACCOUNT, Iamd
from .helpers import TRUST_EC2, allow, refused, user_with_key
from .test_aws_query import _call, _client, _refused

pytestmark = pytest.mark.e2e

USER, GROUP, ROLE = pb.ENTITY_KIND_USER, pb.ENTITY_KIND_GROUP, pb.ENTITY_KIND_ROLE
BUCKET_OBJECT = "arn:aws:s3:::reports/2026.csv"


def arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"


async def _completed(iamd: Iamd, job_id: str, **page: int | str) -> ipb.GetServiceLastAccessedDetailsResponse:
    """The job's answer once it is no longer IN_PROGRESS (polled as AWS's clients poll)."""
    request = ipb.GetServiceLastAccessedDetailsRequest(job_id=job_id, page=ipb.Page(**page))  # type: ignore[arg-type]
    while True:
        answer = await iamd.iam.GetServiceLastAccessedDetails(request)
        if answer.job_status != "IN_PROGRESS":
            return answer
        await asyncio.sleep(0.01)


async def _report(iamd: Iamd, target: str, granularity: str = "") -> ipb.GetServiceLastAccessedDetailsResponse:
    job = await iamd.iam.GenerateServiceLastAccessedDetails(
        ipb.GenerateServiceLastAccessedDetailsRequest(arn=target, granularity=granularity))
    assert len(job.job_id) == 36
    return await _completed(iamd, job.job_id)


def _by_namespace(answer: ipb.GetServiceLastAccessedDetailsResponse) -> dict[str, ipb.ServiceLastAccessed]:
    return {s.service_namespace: s for s in answer.services_last_accessed}


async def _s3_and_sqs_user(iamd: Iamd, name: str) -> None:
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name=name))
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=USER, name=name), policy_name="data",
        policy_document=allow(["s3:GetObject", "s3:PutObject", "sqs:ReceiveMessage"])))


async def test_a_user_asked_about_s3_has_s3_last_accessed_and_sqs_not(iamd: Iamd) -> None:
    await _s3_and_sqs_user(iamd, "alice")
    decided = await iamd.authz.Authorize(apb.AuthorizeRequest(
        principal_arn=arn("user", "alice"), action="s3:GetObject", resource=BUCKET_OBJECT))
    assert decided.decision == apb.DECISION_ALLOW

    answer = await _report(iamd, arn("user", "alice"))
    assert (answer.job_status, answer.job_type) == ("COMPLETED", "SERVICE_LEVEL")
    assert answer.HasField("job_creation_date") and answer.HasField("job_completion_date")
    services = _by_namespace(answer)
    assert sorted(services) == ["s3", "sqs"]  # the services the user's policies allow, nothing else
    s3, sqs = services["s3"], services["sqs"]
    assert s3.service_name == "Amazon S3" and s3.HasField("last_authenticated")
    assert (s3.last_authenticated_entity, s3.last_authenticated_region, s3.total_authenticated_entities) == (
        arn("user", "alice"), "us-east-1", 1)
    assert not sqs.HasField("last_authenticated") and not sqs.last_authenticated_entity
    assert sqs.total_authenticated_entities == 0

    # ACTION_LEVEL: each allowed action of the service, the one asked about with its time.
    detailed = _by_namespace(await _report(iamd, arn("user", "alice"), "ACTION_LEVEL"))
    actions = {a.action_name: a for a in detailed["s3"].tracked_actions_last_accessed}
    assert sorted(actions) == ["GetObject", "PutObject"]
    assert actions["GetObject"].HasField("last_accessed_time")
    assert actions["GetObject"].last_accessed_entity == arn("user", "alice")
    assert not actions["PutObject"].HasField("last_accessed_time")


async def test_a_denied_attempt_counts_and_a_users_own_iam_calls_too(iamd: Iamd) -> None:
    bob = await user_with_key(iamd, "bob")  # may call iam:GetUser on itself only
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=USER, name="bob"), policy_name="self",
        policy_document=allow(["iam:GetUser", "sqs:SendMessage"])))
    denied = await iamd.authz.Authorize(apb.AuthorizeRequest(
        principal_arn=arn("user", "bob"), action="sqs:DeleteQueue", resource="arn:aws:sqs:eu-west-1:123456789012:q"))
    assert denied.decision == apb.DECISION_IMPLICIT_DENY
    channel = iamd.connect(bob)
    try:
        from iamd.v1 import identity_pb2_grpc
        await identity_pb2_grpc.IdentityServiceStub(channel).GetUser(ipb.GetUserRequest(user_name="bob"))
    finally:
        await channel.close()
    services = _by_namespace(await _report(iamd, arn("user", "bob")))
    assert services["sqs"].last_authenticated_region == "eu-west-1"  # the resource's region
    assert services["iam"].HasField("last_authenticated")


async def test_a_group_and_a_policy_aggregate_their_users_and_roles(iamd: Iamd) -> None:
    for name in ("carol", "dan", "erin"):
        await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name=name))
    await iamd.iam.CreateGroup(ipb.CreateGroupRequest(group_name="readers"))
    for name in ("carol", "dan", "erin"):
        await iamd.iam.AddUserToGroup(ipb.AddUserToGroupRequest(group_name="readers", user_name=name))
    policy = (await iamd.iam.CreatePolicy(ipb.CreatePolicyRequest(
        policy_name="Reading", policy_document=allow(["s3:GetObject", "dynamodb:GetItem"])))).policy.arn
    await iamd.iam.AttachPolicy(ipb.AttachPolicyRequest(target=pb.EntityRef(kind=GROUP, name="readers"),
                                                        policy_arn=policy))
    await iamd.iam.CreateRole(ipb.CreateRoleRequest(role_name="worker", assume_role_policy_document=TRUST_EC2))
    await iamd.iam.AttachPolicy(ipb.AttachPolicyRequest(target=pb.EntityRef(kind=ROLE, name="worker"),
                                                        policy_arn=policy))
    for principal in (arn("user", "carol"), arn("user", "dan")):
        await iamd.authz.Authorize(apb.AuthorizeRequest(principal_arn=principal, action="s3:GetObject",
                                                        resource=BUCKET_OBJECT))
        iamd.clock.offset += 5  # records carry whole seconds: dan's attempt is the later one
    await iamd.authz.Authorize(apb.AuthorizeRequest(
        principal_arn=arn("role", "worker"), action="dynamodb:GetItem",
        resource="arn:aws:dynamodb:eu-central-1:123456789012:table/t"))

    group = _by_namespace(await _report(iamd, arn("group", "readers")))
    assert sorted(group) == ["dynamodb", "s3"]
    assert group["s3"].total_authenticated_entities == 2
    assert group["s3"].last_authenticated_entity == arn("user", "dan")  # the later of the two
    assert group["dynamodb"].total_authenticated_entities == 0  # the role is not in the group

    job = await iamd.iam.GenerateServiceLastAccessedDetails(ipb.GenerateServiceLastAccessedDetailsRequest(arn=policy))
    policy_report = _by_namespace(await _completed(iamd, job.job_id))
    assert policy_report["s3"].total_authenticated_entities == 2
    assert (policy_report["dynamodb"].last_authenticated_entity, policy_report["dynamodb"].last_authenticated_region) \
        == (arn("role", "worker"), "eu-central-1")
    with_entities = await iamd.iam.GetServiceLastAccessedDetailsWithEntities(
        ipb.GetServiceLastAccessedDetailsWithEntitiesRequest(job_id=job.job_id, service_namespace="s3"))
    listed = [(e.entity_info.name, e.entity_info.type, e.HasField("last_authenticated"))
              for e in with_entities.entity_details_list]
    # The most recent attempt first; those that never tried after, by ARN.
    assert listed == [("dan", "USER", True), ("carol", "USER", True), ("worker", "ROLE", False),
                      ("erin", "USER", False)]
    paged = await iamd.iam.GetServiceLastAccessedDetailsWithEntities(
        ipb.GetServiceLastAccessedDetailsWithEntitiesRequest(job_id=job.job_id, service_namespace="s3",
                                                             page=ipb.Page(max_items=3)))
    assert paged.is_truncated and len(paged.entity_details_list) == 3
    rest = await iamd.iam.GetServiceLastAccessedDetailsWithEntities(
        ipb.GetServiceLastAccessedDetailsWithEntitiesRequest(job_id=job.job_id, service_namespace="s3",
                                                             page=ipb.Page(marker=paged.marker)))
    assert [e.entity_info.name for e in rest.entity_details_list] == ["erin"] and not rest.is_truncated


async def test_pages_unknown_jobs_and_entities(iamd: Iamd) -> None:
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="frank"))
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=USER, name="frank"), policy_name="many",
        policy_document=allow(["s3:GetObject", "sqs:SendMessage", "sns:Publish", "ec2:DescribeInstances",
                               "lambda:InvokeFunction"])))
    job = (await iamd.iam.GenerateServiceLastAccessedDetails(
        ipb.GenerateServiceLastAccessedDetailsRequest(arn=arn("user", "frank")))).job_id
    first = await _completed(iamd, job, max_items=2)
    assert first.is_truncated and len(first.services_last_accessed) == 2
    seen = [s.service_namespace for s in first.services_last_accessed]
    marker = first.marker
    while marker:
        more = await _completed(iamd, job, max_items=2, marker=marker)
        seen += [s.service_namespace for s in more.services_last_accessed]
        marker = more.marker
    assert seen == ["ec2", "lambda", "s3", "sns", "sqs"]

    await refused(iamd.iam.GetServiceLastAccessedDetails(ipb.GetServiceLastAccessedDetailsRequest(
        job_id="00000000-0000-0000-0000-000000000000")), grpc.StatusCode.NOT_FOUND, "NoSuchEntity")
    await refused(iamd.iam.GetServiceLastAccessedDetails(ipb.GetServiceLastAccessedDetailsRequest(job_id="short")),
                  grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")
    await refused(iamd.iam.GenerateServiceLastAccessedDetails(ipb.GenerateServiceLastAccessedDetailsRequest(
        arn=arn("user", "nobody"))), grpc.StatusCode.NOT_FOUND, "NoSuchEntity")
    await refused(iamd.iam.GenerateServiceLastAccessedDetails(ipb.GenerateServiceLastAccessedDetailsRequest(
        arn="arn:aws:s3:::not-an-iam-entity")), grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")
    await refused(iamd.iam.GenerateServiceLastAccessedDetails(ipb.GenerateServiceLastAccessedDetailsRequest(
        arn=arn("user", "frank"), granularity="FINE")), grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")

    # A job is its starter's: another user of the account does not find it.
    gina = await user_with_key(iamd, "gina")
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=USER, name="gina"), policy_name="advisor",
        policy_document=allow("iam:GetServiceLastAccessedDetails")))
    channel = iamd.connect(gina)
    try:
        from iamd.v1 import identity_pb2_grpc
        stub = identity_pb2_grpc.IdentityServiceStub(channel)
        await refused(stub.GetServiceLastAccessedDetails(ipb.GetServiceLastAccessedDetailsRequest(job_id=job)),
                      grpc.StatusCode.NOT_FOUND, "NoSuchEntity")
        # Generating needs iam:GenerateServiceLastAccessedDetails on the entity.
        await refused(stub.GenerateServiceLastAccessedDetails(ipb.GenerateServiceLastAccessedDetailsRequest(
            arn=arn("user", "frank"))), grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    finally:
        await channel.close()


async def test_access_advisor_over_the_query_protocol(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="hana")
    await _call(iam.put_user_policy, UserName="hana", PolicyName="data",
                PolicyDocument=allow(["s3:GetObject", "sqs:ReceiveMessage"]))
    await iamd_http.authz.Authorize(apb.AuthorizeRequest(principal_arn=arn("user", "hana"), action="s3:GetObject",
                                                         resource=BUCKET_OBJECT))
    job = (await _call(iam.generate_service_last_accessed_details, Arn=arn("user", "hana"),
                       Granularity="ACTION_LEVEL"))["JobId"]
    answer: dict[str, Any] = {"JobStatus": "IN_PROGRESS"}
    while answer["JobStatus"] == "IN_PROGRESS":
        answer = await _call(iam.get_service_last_accessed_details, JobId=job)
    assert (answer["JobStatus"], answer["JobType"], answer["IsTruncated"]) == ("COMPLETED", "ACTION_LEVEL", False)
    assert answer["JobCreationDate"].tzinfo is not None and "JobCompletionDate" in answer
    services = {s["ServiceNamespace"]: s for s in answer["ServicesLastAccessed"]}
    assert services["s3"]["LastAuthenticatedEntity"] == arn("user", "hana")
    assert services["s3"]["TotalAuthenticatedEntities"] == 1
    assert services["s3"]["TrackedActionsLastAccessed"][0]["ActionName"] == "GetObject"
    assert "LastAuthenticated" not in services["sqs"]
    page = await _call(iam.get_service_last_accessed_details, JobId=job, MaxItems=1)
    assert page["IsTruncated"] and len(page["ServicesLastAccessed"]) == 1 and page["Marker"]
    entities = await _call(iam.get_service_last_accessed_details_with_entities, JobId=job, ServiceNamespace="s3")
    assert [(e["EntityInfo"]["Name"], e["EntityInfo"]["Type"], e["EntityInfo"]["Path"])
            for e in entities["EntityDetailsList"]] == [("hana", "USER", "/")]
    assert entities["EntityDetailsList"][0]["LastAuthenticated"].tzinfo is not None
    await _refused(iam.get_service_last_accessed_details, "NoSuchEntity", 404,
                   JobId="00000000-0000-0000-0000-000000000000")
    # The audit trail names the calls as CloudTrail does.
    cloudtrail = _client(iamd_http, "cloudtrail")
    found = await _call(cloudtrail.lookup_events, LookupAttributes=[
        {"AttributeKey": "EventName", "AttributeValue": "GenerateServiceLastAccessedDetails"}])
    assert [e["EventSource"] for e in found["Events"]] == ["iam.amazonaws.com"]


async def test_update_role_description_answers_the_role(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    await _call(iam.create_role, RoleName="app", AssumeRolePolicyDocument=TRUST_EC2, Description="old")
    answer = await _call(iam.update_role_description, RoleName="app", Description="the app's role")
    assert (answer["Role"]["RoleName"], answer["Role"]["Description"]) == ("app", "the app's role")
    assert (await _call(iam.get_role, RoleName="app"))["Role"]["Description"] == "the app's role"
    await _refused(iam.update_role_description, "NoSuchEntity", 404, RoleName="nope", Description="x")
    role = await iamd_http.iam.UpdateRoleDescription(ipb.UpdateRoleDescriptionRequest(role_name="app",
                                                                                      description="again"))
    assert role.role.description == "again" and role.position > 0


async def test_get_mfa_device_and_resync_a_drifted_device(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    ivan = await user_with_key(iamd_http, "ivan")
    device = (await _call(iam.create_virtual_mfa_device, VirtualMFADeviceName="ivan-phone"))["VirtualMFADevice"]
    serial, seed = device["SerialNumber"], device["Base32StringSeed"].decode()
    now = iamd_http.clock.now().timestamp()
    await _call(iam.enable_mfa_device, UserName="ivan", SerialNumber=serial,
                AuthenticationCode1=totp.totp(seed, now - 30), AuthenticationCode2=totp.totp(seed, now))
    got = await _call(iam.get_mfa_device, SerialNumber=serial, UserName="ivan")
    assert (got["UserName"], got["SerialNumber"]) == ("ivan", serial) and got["EnableDate"].tzinfo is not None
    await _refused(iam.get_mfa_device, "NoSuchEntity", 404, SerialNumber=f"arn:aws:iam::{ACCOUNT}:mfa/other")

    # The device's clock runs 10 minutes ahead: its codes are refused until it is resynchronized.
    ahead = now + 600
    await _refused(iam.resync_mfa_device, "InvalidAuthenticationCode", 403, UserName="ivan", SerialNumber=serial,
                   AuthenticationCode1="123456", AuthenticationCode2="654321")
    await _refused(iam.resync_mfa_device, "NoSuchEntity", 404, UserName="nobody", SerialNumber=serial,
                   AuthenticationCode1=totp.totp(seed, ahead), AuthenticationCode2=totp.totp(seed, ahead + 30))
    sts = sts_pb2_grpc.SecurityTokenServiceStub(channel := iamd_http.connect(ivan))
    try:
        await refused(sts.GetSessionToken(sts_pb2.GetSessionTokenRequest(
            serial_number=serial, token_code=totp.totp(seed, ahead + 60))), grpc.StatusCode.PERMISSION_DENIED,
            "AccessDenied")
        await _call(iam.resync_mfa_device, UserName="ivan", SerialNumber=serial,
                    AuthenticationCode1=totp.totp(seed, ahead), AuthenticationCode2=totp.totp(seed, ahead + 30))
        # The same two codes again: their steps are spent.
        await _refused(iam.resync_mfa_device, "InvalidAuthenticationCode", 403, UserName="ivan", SerialNumber=serial,
                       AuthenticationCode1=totp.totp(seed, ahead), AuthenticationCode2=totp.totp(seed, ahead + 30))
        token = await sts.GetSessionToken(sts_pb2.GetSessionTokenRequest(
            serial_number=serial, token_code=totp.totp(seed, ahead + 60)))
        assert token.credentials.access_key_id.startswith("ASIA")
    finally:
        await channel.close()
    # The codes never reach the audit trail.
    cloudtrail = _client(iamd_http, "cloudtrail")
    found = await _call(cloudtrail.lookup_events, LookupAttributes=[
        {"AttributeKey": "EventName", "AttributeValue": "ResyncMFADevice"}])
    assert found["Events"] and all(totp.totp(seed, ahead) not in e["CloudTrailEvent"] for e in found["Events"])
