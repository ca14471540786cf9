"""IAM's access advisor for Organizations entities against a real iamd, with botocore over HTTP:
GenerateOrganizationsAccessReport for the root, an OU or an account (the services every level of
SCPs allows) or for one SCP, GetOrganizationsAccessReport with the member accounts' last attempts,
AWS's sort keys and pages, and the preconditions (an organization, its management account, SCPs)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import authorization_pb2_grpc

from .conftest import Iamd
from .test_aws_query import _call, _client, _refused
from .test_root_access import _member, _session, _user

pytestmark = pytest.mark.e2e

SCP = "SERVICE_CONTROL_POLICY"


async def _report(iam: Any, **kwargs: str) -> dict[str, Any]:
    job = (await _call(iam.generate_organizations_access_report, **kwargs))["JobId"]
    answer: dict[str, Any] = {"JobStatus": "IN_PROGRESS"}
    while answer["JobStatus"] == "IN_PROGRESS":
        answer = await _call(iam.get_organizations_access_report, JobId=job, MaxItems=1000)
    assert answer["JobStatus"] == "COMPLETED" and answer["JobCompletionDate"].tzinfo is not None
    return answer


async def test_what_an_organizations_scps_allow_and_when_its_accounts_last_used_it(iamd_http: Iamd) -> None:
    iam, org = _client(iamd_http, "iam"), _client(iamd_http, "organizations")
    await _refused(iam.generate_organizations_access_report, "AWSOrganizationsNotInUseException", 400,
                   EntityPath="o-abcdefghij/r-abcd")
    organization = (await _call(org.create_organization, FeatureSet="ALL"))["Organization"]
    root = (await _call(org.list_roots))["Roots"][0]["Id"]
    base = f"{organization['Id']}/{root}"
    await _refused(iam.generate_organizations_access_report, "PolicyTypeNotEnabledException", 400, EntityPath=base)
    await _call(org.enable_policy_type, RootId=root, PolicyType=SCP)

    # eng (an OU) allows only S3 and SQS; dev sits in it, ops at the root.
    dev, ops = await _member(org, "dev"), await _member(org, "ops")
    eng = (await _call(org.create_organizational_unit, ParentId=root, Name="eng"))["OrganizationalUnit"]["Id"]
    await _call(org.move_account, AccountId=dev, SourceParentId=root, DestinationParentId=eng)
    # Attempts (before eng's SCP narrows what dev may do), asked of Authorize by each account's own
    # administrator (a session of its OrganizationAccountAccessRole): dev's role on S3 (then again,
    # later), ops's role on S3 and EC2.
    admin = await _user(iamd_http, "admin", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["sts:AssumeRole", "iam:GenerateOrganizationsAccessReport"], "Resource": "*"}]})
    sts = _client(iamd_http, "sts", admin)
    sessions = {account: _session((await _call(sts.assume_role, RoleSessionName="admin",
                                               RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
                                               ))["Credentials"]) for account in (dev, ops)}
    for account, action in ((dev, "s3:GetObject"), (ops, "s3:PutObject"), (ops, "ec2:DescribeInstances"),
                            (dev, "s3:ListBucket")):
        iamd_http.clock.offset += 2  # a later second each (attempts are recorded to the second)
        channel = iamd_http.connect(sessions[account])
        try:
            await authorization_pb2_grpc.AuthorizationServiceStub(channel).Authorize(apb.AuthorizeRequest(
                principal_arn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", action=action,
                resource="arn:aws:s3:::bucket/key" if action.startswith("s3") else "*", resource_account=account))
        finally:
            await channel.close()

    narrow = (await _call(org.create_policy, Name="data", Type=SCP, Description="", Content=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*", "sqs:*"], "Resource": "*"}]}))
              )["Policy"]["PolicySummary"]["Id"]
    await _call(org.attach_policy, PolicyId=narrow, TargetId=eng)
    await _call(org.detach_policy, PolicyId="p-FullAWSAccess", TargetId=eng)

    report = await _report(iam, EntityPath=f"{base}/{eng}/{dev}")
    details = {d["ServiceNamespace"]: d for d in report["AccessDetails"]}
    assert sorted(details) == ["s3", "sqs"]  # the levels' intersection
    assert (report["NumberOfServicesAccessible"], report["NumberOfServicesNotAccessed"]) == (2, 1)
    s3 = details["s3"]
    assert (s3["EntityPath"], s3["TotalAuthenticatedEntities"], s3["Region"]) == (f"{base}/{eng}/{dev}", 1,
                                                                                  "us-east-1")
    assert s3["LastAuthenticatedTime"].tzinfo is not None and s3["ServiceName"]
    assert "LastAuthenticatedTime" not in details["sqs"] and details["sqs"]["TotalAuthenticatedEntities"] == 0

    # The root: every service FullAWSAccess allows; both accounts' attempts, the latest named.
    report = await _report(iam, EntityPath=base)
    details = {d["ServiceNamespace"]: d for d in report["AccessDetails"]}
    assert {"s3", "ec2", "iam", "sqs"} <= set(details) and report["NumberOfServicesAccessible"] == len(details)
    assert details["s3"]["TotalAuthenticatedEntities"] == 2
    assert details["s3"]["EntityPath"] == f"{base}/{eng}/{dev}"  # dev's ListBucket came last
    assert details["ec2"]["EntityPath"] == f"{base}/{ops}"
    # One SCP's services instead; AWS's sort keys; pages.
    report = await _report(iam, EntityPath=base, OrganizationsPolicyId=narrow)
    assert [d["ServiceNamespace"] for d in report["AccessDetails"]] == ["s3", "sqs"]
    job = (await _call(iam.generate_organizations_access_report, EntityPath=base))["JobId"]
    await _report(iam, EntityPath=base)  # (another job, completed: this one has had as long)
    newest = await _call(iam.get_organizations_access_report, JobId=job, SortKey="LAST_AUTHENTICATED_TIME_DESCENDING",
                         MaxItems=2)
    assert [d["ServiceNamespace"] for d in newest["AccessDetails"]] == ["s3", "ec2"] and newest["IsTruncated"]
    following = await _call(iam.get_organizations_access_report, JobId=job, MaxItems=2,
                            SortKey="LAST_AUTHENTICATED_TIME_DESCENDING", Marker=newest["Marker"])
    assert "LastAuthenticatedTime" not in following["AccessDetails"][0]
    descending = await _call(iam.get_organizations_access_report, JobId=job, SortKey="SERVICE_NAMESPACE_DESCENDING")
    names = [d["ServiceNamespace"] for d in descending["AccessDetails"]]
    assert names == sorted(names, reverse=True)

    # Bad input names the field; a path not in the organization, a policy not an SCP of it.
    for kwargs, field in (({"EntityPath": f"{base}/{dev}"}, "entity path"),  # dev is in eng, not at the root
                          ({"EntityPath": f"o-zzzzzzzzzz/{root}"}, "entity path"),
                          ({"EntityPath": base, "OrganizationsPolicyId": "p-00000000"}, "p-00000000")):
        error = await _refused(iam.generate_organizations_access_report, "InvalidInput", 400, **kwargs)
        assert field in error.response["Error"]["Message"]
    await _refused(iam.get_organizations_access_report, "NoSuchEntity", 404, JobId="00000000-0000-0000-0000-000000000000")
    # A service-last-accessed job is not an Organizations report (nor the reverse).
    await _refused(iam.get_service_last_accessed_details, "NoSuchEntity", 404, JobId=job)

    # A member account's principals cannot ask, whatever their policies: the management account's.
    as_member = _client(iamd_http, "iam", sessions[ops])
    error = await _refused(as_member.generate_organizations_access_report, "AccessDenied", 403, EntityPath=base)
    assert "management account" in error.response["Error"]["Message"]
    # The management account's own principals need the IAM action, on the entity's access-report ARN.
    reader = _client(iamd_http, "iam", await _user(iamd_http, "reader", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:GenerateOrganizationsAccessReport",
         "Resource": f"arn:aws:iam::*:access-report/{base}/{eng}/*"}]}))
    await _call(reader.generate_organizations_access_report, EntityPath=f"{base}/{eng}/{dev}")
    await _refused(reader.generate_organizations_access_report, "AccessDenied", 403, EntityPath=f"{base}/{ops}")
