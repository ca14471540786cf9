"""End to end: the policy simulator, the context keys and GetAccountAuthorizationDetails through
botocore's IAM client (what boto3 and the aws CLI are built on), pointed at iamd's HTTP endpoint
with `endpoint_url`, on a real server: AWS's shapes, paging, refusals, authorization and audit.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from iamd.client.credentials import Credentials
from iamd.v1 import audit_pb2, audit_pb2_grpc

from .conftest import ACCOUNT, Iamd
from .test_aws_query import _call, _client, _refused

pytestmark = pytest.mark.e2e

# AWS CLI's simulate-custom-policy example (awscli/examples/iam/simulate-custom-policy.rst): its
# statement is answered at StartPosition 1:38, EndPosition 1:167.
CLI_EXAMPLE = ('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",'
               '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}')
S3_READ = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*",
     "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
    {"Sid": "NotSecret", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/secret/*"}]},
    indent=2)
BOUNDARY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]})
SIM = f"arn:aws:iam::{ACCOUNT}:user/sim"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


async def test_simulate_custom_policy_answers_awss_shapes(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="sim")
    error = await _refused(iam.simulate_custom_policy, "InvalidInput", 400, PolicyInputList=[CLI_EXAMPLE],
                           ActionNames=["dynamodb:CreateBackup"])  # as the root user, whom no policy limits
    assert "CallerArn" in str(error)
    answer = await _call(iam.simulate_custom_policy, CallerArn=SIM, PolicyInputList=[CLI_EXAMPLE], ActionNames=["dynamodb:CreateBackup"],
                         ContextEntries=[{"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": ["2019-04-25T11:00:00Z"],
                                          "ContextKeyType": "date"}])
    [result] = answer["EvaluationResults"]
    assert (result["EvalActionName"], result["EvalResourceName"], result["EvalDecision"]) == (
        "dynamodb:CreateBackup", "*", "allowed")
    assert result["MatchedStatements"] == [{"SourcePolicyId": "PolicyInputList.1", "SourcePolicyType": "none",
                                            "StartPosition": {"Line": 1, "Column": 38},
                                            "EndPosition": {"Line": 1, "Column": 167}}]
    assert result["MissingContextValues"] == [] and "ResourceSpecificResults" not in result
    assert "EvalDecisionDetails" not in result and answer["IsTruncated"] is False

    # Before the date: implicitly denied; without the key: the key is missing.
    early = await _call(iam.simulate_custom_policy, CallerArn=SIM, PolicyInputList=[CLI_EXAMPLE], ActionNames=["dynamodb:CreateBackup"],
                        ContextEntries=[{"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": ["2014-04-25T11:00:00Z"],
                                         "ContextKeyType": "date"}])
    assert early["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    assert early["EvaluationResults"][0]["MatchedStatements"] == []

    # Resources: one result per action, the most restrictive decision over them, each resource's own.
    answer = await _call(iam.simulate_custom_policy, CallerArn=SIM, PolicyInputList=[S3_READ], ActionNames=["s3:GetObject"],
                         ResourceArns=["arn:aws:s3:::bucket/public/a", "arn:aws:s3:::bucket/secret/b"],
                         PermissionsBoundaryPolicyInputList=[BOUNDARY],
                         ContextEntries=[{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.1.2.3"],
                                          "ContextKeyType": "ip"}])
    [result] = answer["EvaluationResults"]
    assert result["EvalDecision"] == "explicitDeny"
    assert result["EvalResourceName"] == "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    assert result["MatchedStatements"] == [{"SourcePolicyId": "PolicyInputList.1", "SourcePolicyType": "none",
                                            "StartPosition": {"Line": 18, "Column": 6},
                                            "EndPosition": {"Line": 23, "Column": 6}}]
    public, secret = result["ResourceSpecificResults"]
    assert (public["EvalResourceName"], public["EvalResourceDecision"]) == ("arn:aws:s3:::bucket/public/a", "implicitDeny")
    assert public["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}
    assert (secret["EvalResourceName"], secret["EvalResourceDecision"]) == ("arn:aws:s3:::bucket/secret/b", "explicitDeny")
    assert result["EvalDecisionDetails"] == {}  # same account, resources given: present and empty

    # SCPs by level, root first: OrganizationsDecisionDetail.
    scp_deny = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "s3:ListBucket", "Resource": "*"},
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    answer = await _call(iam.simulate_custom_policy, CallerArn=SIM, PolicyInputList=[S3_READ], ActionNames=["s3:ListBucket"],
                         OrderedOrganizationPolicyInputList=[{"ServiceControlPolicyInputList": [scp_deny]}],
                         ContextEntries=[{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.1.2.3"],
                                          "ContextKeyType": "ip"}])
    [result] = answer["EvaluationResults"]
    assert result["EvalDecision"] == "explicitDeny" and result["MatchedStatements"] == []  # SCPs' are not listed
    assert result["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": False}


async def test_simulation_pages_and_refusals(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="sim")
    actions = ["s3:GetObject", "s3:ListBucket", "s3:PutObject"]
    first = await _call(iam.simulate_custom_policy, CallerArn=SIM, PolicyInputList=[S3_READ], ActionNames=actions, MaxItems=2)
    assert [r["EvalActionName"] for r in first["EvaluationResults"]] == actions[:2] and first["IsTruncated"]
    second = await _call(iam.simulate_custom_policy, CallerArn=SIM, PolicyInputList=[S3_READ], ActionNames=actions, MaxItems=2,
                         Marker=first["Marker"])
    assert [r["EvalActionName"] for r in second["EvaluationResults"]] == actions[2:] and not second["IsTruncated"]
    assert second["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    assert first["EvaluationResults"][0]["MissingContextValues"] == ["aws:SourceIp"]
    paged = iam.get_paginator("simulate_custom_policy").paginate(
        CallerArn=SIM, PolicyInputList=[S3_READ], ActionNames=actions, PaginationConfig={"PageSize": 1})
    assert [r["EvalActionName"] for page in await _call(lambda: list(paged))
            for r in page["EvaluationResults"]] == actions

    # A marker of another request, a value that is not its type, a type's one value: InvalidInput.
    await _refused(iam.simulate_custom_policy, "InvalidInput", 400, CallerArn=SIM, PolicyInputList=[S3_READ],
                   ActionNames=["s3:GetObject"], Marker=first["Marker"])
    error = await _refused(iam.simulate_custom_policy, "InvalidInput", 400, CallerArn=SIM, PolicyInputList=[S3_READ],
                           ActionNames=["s3:GetObject"], ContextEntries=[
                               {"ContextKeyName": "s3:max-keys", "ContextKeyValues": ["many"], "ContextKeyType": "numeric"}])
    assert "s3:max-keys" in str(error)
    await _refused(iam.simulate_custom_policy, "InvalidInput", 400, CallerArn=SIM, PolicyInputList=[S3_READ],
                   ActionNames=["s3:GetObject"], ContextEntries=[
                       {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["1.2.3.4", "5.6.7.8"],
                        "ContextKeyType": "ip"}])
    # What iamd has no field for is refused, naming it; a malformed policy as AWS refuses it.
    error = await _refused(iam.simulate_custom_policy, "InvalidInput", 400, CallerArn=SIM, PolicyInputList=[S3_READ],
                           ActionNames=["ec2:RunInstances"], ResourceHandlingOption="EC2-VPC-InstanceStore")
    assert "ResourceHandlingOption" in str(error)
    await _refused(iam.simulate_custom_policy, "MalformedPolicyDocument", 400, CallerArn=SIM,
                   PolicyInputList=['{"Statement": 1}'],
                   ActionNames=["s3:GetObject"])


async def test_simulate_principal_policy_and_context_keys_of_a_stored_user(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="alice")
    await _call(iam.put_user_policy, UserName="alice", PolicyName="s3-read", PolicyDocument=S3_READ)
    await _call(iam.create_group, GroupName="ops")
    await _call(iam.add_user_to_group, UserName="alice", GroupName="ops")
    managed = (await _call(iam.create_policy, PolicyName="describe", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*",
                                                "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]})))["Policy"]
    await _call(iam.attach_group_policy, GroupName="ops", PolicyArn=managed["Arn"])
    alice = f"arn:aws:iam::{ACCOUNT}:user/alice"

    answer = await _call(iam.simulate_principal_policy, PolicySourceArn=alice,
                         ActionNames=["s3:ListBucket", "ec2:DescribeInstances"], ContextEntries=[
                             {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.0.0.1"], "ContextKeyType": "ip"},
                             {"ContextKeyName": "aws:SecureTransport", "ContextKeyValues": ["true"],
                              "ContextKeyType": "boolean"}])
    listed, described = answer["EvaluationResults"]
    assert listed["EvalDecision"] == "allowed"
    assert listed["MatchedStatements"] == [{"SourcePolicyId": "s3-read", "SourcePolicyType": "user",
                                            "StartPosition": {"Line": 4, "Column": 6},
                                            "EndPosition": {"Line": 17, "Column": 6}}]
    assert described["EvalDecision"] == "allowed"
    assert described["MatchedStatements"][0]["SourcePolicyId"] == "describe"
    assert described["MatchedStatements"][0]["SourcePolicyType"] == "user-managed"

    keys = await _call(iam.get_context_keys_for_principal_policy, PolicySourceArn=alice)
    assert keys["ContextKeyNames"] == ["aws:SourceIp", "aws:SecureTransport"]
    keys = await _call(iam.get_context_keys_for_principal_policy, PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:group/ops",
                       PolicyInputList=[CLI_EXAMPLE])
    assert keys["ContextKeyNames"] == ["aws:SecureTransport", "aws:CurrentTime"]
    keys = await _call(iam.get_context_keys_for_custom_policy, PolicyInputList=[S3_READ, CLI_EXAMPLE])
    assert keys["ContextKeyNames"] == ["aws:SourceIp", "aws:CurrentTime"]
    await _refused(iam.get_context_keys_for_principal_policy, "NoSuchEntity", 404,
                   PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/nobody")
    await _refused(iam.simulate_principal_policy, "NoSuchEntity", 404,
                   PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/nobody", ActionNames=["s3:ListBucket"])

    # Authorized as the IAM action on the principal, and audited under IAM's names.
    key = (await _call(iam.create_access_key, UserName="alice"))["AccessKey"]
    as_alice = _client(iamd_http, "iam", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    error = await _refused(as_alice.simulate_principal_policy, "AccessDenied", 403, PolicySourceArn=alice,
                           ActionNames=["s3:ListBucket"])
    assert f"iam:SimulatePrincipalPolicy on resource: {alice}" in str(error)
    await _refused(as_alice.get_context_keys_for_custom_policy, "AccessDenied", 403, PolicyInputList=[S3_READ])
    lookup = audit_pb2_grpc.AuditServiceStub(iamd_http.channel)
    found = await lookup.LookupEvents(audit_pb2.LookupEventsRequest(lookup_attributes=[
        audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value="SimulatePrincipalPolicy")]))
    records = [json.loads(e.cloud_trail_event) for e in found.events]
    assert {r["eventSource"] for r in records} == {"iam.amazonaws.com"}
    assert sorted(r.get("errorCode", "") for r in records) == ["", "AccessDenied", "NoSuchEntity"]


async def test_account_authorization_details_with_filters_and_pages(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    policy = (await _call(iam.create_policy, PolicyName="read", PolicyDocument=S3_READ))["Policy"]
    await _call(iam.create_policy_version, PolicyArn=policy["Arn"], PolicyDocument=BOUNDARY, SetAsDefault=True)
    for name in ("ann", "bob"):
        await _call(iam.create_user, UserName=name, Tags=[{"Key": "team", "Value": "a"}])
    await _call(iam.put_user_policy, UserName="ann", PolicyName="inline", PolicyDocument=BOUNDARY)
    await _call(iam.create_group, GroupName="ops")
    await _call(iam.add_user_to_group, UserName="ann", GroupName="ops")
    await _call(iam.attach_group_policy, GroupName="ops", PolicyArn=policy["Arn"])
    await _call(iam.create_role, RoleName="web", AssumeRolePolicyDocument=TRUST, Description="web servers",
                PermissionsBoundary=policy["Arn"])
    await _call(iam.create_instance_profile, InstanceProfileName="web-profile")
    await _call(iam.add_role_to_instance_profile, InstanceProfileName="web-profile", RoleName="web")

    everything = await _call(iam.get_account_authorization_details)
    assert [u["UserName"] for u in everything["UserDetailList"]] == ["ann", "bob"]
    ann = everything["UserDetailList"][0]
    assert ann["GroupList"] == ["ops"] and ann["Tags"] == [{"Key": "team", "Value": "a"}]
    assert ann["UserPolicyList"] == [{"PolicyName": "inline", "PolicyDocument": json.loads(BOUNDARY)}]  # decoded by botocore
    [ops] = everything["GroupDetailList"]
    assert ops["AttachedManagedPolicies"] == [{"PolicyName": "read", "PolicyArn": policy["Arn"]}]
    [web] = everything["RoleDetailList"]
    assert web["AssumeRolePolicyDocument"] == json.loads(TRUST)
    assert web["PermissionsBoundary"] == {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                          "PermissionsBoundaryArn": policy["Arn"]}
    [profile] = web["InstanceProfileList"]
    assert profile["InstanceProfileName"] == "web-profile"
    assert [(r["RoleName"], r["Description"]) for r in profile["Roles"]] == [("web", "web servers")]
    [read] = everything["Policies"]
    assert (read["PolicyName"], read["DefaultVersionId"], read["AttachmentCount"]) == ("read", "v2", 1)
    versions = {v["VersionId"]: v for v in read["PolicyVersionList"]}
    assert versions["v1"]["Document"] == json.loads(S3_READ) and not versions["v1"]["IsDefaultVersion"]
    assert versions["v2"]["Document"] == json.loads(BOUNDARY) and versions["v2"]["IsDefaultVersion"]
    assert everything["IsTruncated"] is False

    roles = await _call(iam.get_account_authorization_details, Filter=["Role"])
    assert (len(roles["RoleDetailList"]), roles["UserDetailList"], roles["Policies"]) == (1, [], [])
    local = await _call(iam.get_account_authorization_details, Filter=["LocalManagedPolicy"])
    assert [p["PolicyName"] for p in local["Policies"]] == ["read"]
    assert (await _call(iam.get_account_authorization_details, Filter=["AWSManagedPolicy"]))["Policies"] == []

    # Pages of two entries, all lists counted together; botocore's paginator follows the Marker.
    first = await _call(iam.get_account_authorization_details, MaxItems=2)
    assert [u["UserName"] for u in first["UserDetailList"]] == ["ann", "bob"] and first["IsTruncated"]
    assert first["GroupDetailList"] == [] and first["Marker"]
    paged = iam.get_paginator("get_account_authorization_details").paginate(PaginationConfig={"PageSize": 2})
    pages = await _call(lambda: list(paged))
    names: list[Any] = []
    for page in pages:
        names += [e.get("UserName") or e.get("GroupName") or e.get("RoleName") or e["PolicyName"]
                  for key in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies") for e in page[key]]
    assert names == ["ann", "bob", "ops", "web", "read"] and len(pages) == 3

    await _refused(iam.get_account_authorization_details, "ValidationError", 400, Filter=["Users"])
