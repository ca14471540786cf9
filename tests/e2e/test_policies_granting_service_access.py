"""IAM's ListPoliciesGrantingServiceAccess against a real iamd, with botocore over HTTP: per service,
the permissions policies of a user (its own and its groups'), a group or a role whose Allow
statements reach it, managed ones by ARN and inline ones by their entity, as AWS lists them; its
errors, its permission on the entity, and its CloudTrail name."""

from __future__ import annotations

import json
from typing import Any

import pytest

from iamd.client.credentials import Credentials

from .conftest import ACCOUNT, Iamd
from .helpers import allow, deny
from .test_audit import records
from .test_aws_query import _call, _client, _refused

pytestmark = pytest.mark.e2e

S3_READ_ONLY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"


def _granting(answer: dict[str, Any]) -> dict[str, list[tuple[str, ...]]]:
    return {entry["ServiceNamespace"]: [tuple(p.get(k, "") for k in ("PolicyName", "PolicyType", "PolicyArn",
                                                                    "EntityType", "EntityName"))
                                        for p in entry["Policies"]]
            for entry in answer["PoliciesGrantingServiceAccess"]}


async def test_the_policies_of_a_user_its_groups_a_group_and_a_role_per_service(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    read_iam = (await _call(iam.create_policy, PolicyName="ReadIam", PolicyDocument=allow("iam:Get*")))["Policy"]["Arn"]
    await _call(iam.create_group, GroupName="devs")
    await _call(iam.put_group_policy, GroupName="devs", PolicyName="group-s3", PolicyDocument=allow("s3:GetObject"))
    await _call(iam.create_user, UserName="alice")
    await _call(iam.add_user_to_group, GroupName="devs", UserName="alice")
    await _call(iam.put_user_policy, UserName="alice", PolicyName="ec2", PolicyDocument=allow("ec2:*"))
    await _call(iam.put_user_policy, UserName="alice", PolicyName="no", PolicyDocument=deny("*"))  # denies grant nothing
    await _call(iam.attach_user_policy, UserName="alice", PolicyArn=read_iam)
    await _call(iam.attach_user_policy, UserName="alice", PolicyArn=S3_READ_ONLY)
    await _call(iam.create_role, RoleName="worker", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))
    await _call(iam.put_role_policy, RoleName="worker", PolicyName="all-but-iam", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}))

    alice = f"arn:aws:iam::{ACCOUNT}:user/alice"
    answer = await _call(iam.list_policies_granting_service_access, Arn=alice,
                         ServiceNamespaces=["s3", "IAM", "ec2", "sqs"])
    assert answer["IsTruncated"] is False and "Marker" not in answer
    assert _granting(answer) == {
        # the user's own first (inline, then attached), then each group's
        "s3": [("AmazonS3ReadOnlyAccess", "MANAGED", S3_READ_ONLY, "", ""), ("group-s3", "INLINE", "", "GROUP", "devs")],
        "iam": [("ReadIam", "MANAGED", read_iam, "", "")],
        "ec2": [("ec2", "INLINE", "", "USER", "alice")],
        "sqs": [],
    }
    # A group: its own policies only; a role: its own (NotAction reaches every service but iam).
    group = await _call(iam.list_policies_granting_service_access, Arn=f"arn:aws:iam::{ACCOUNT}:group/devs",
                        ServiceNamespaces=["s3", "ec2"])
    assert _granting(group) == {"s3": [("group-s3", "INLINE", "", "GROUP", "devs")], "ec2": []}
    role = await _call(iam.list_policies_granting_service_access, Arn=f"arn:aws:iam::{ACCOUNT}:role/worker",
                       ServiceNamespaces=["sqs", "iam"])
    assert _granting(role) == {"sqs": [("all-but-iam", "INLINE", "", "ROLE", "worker")], "iam": []}

    # AWS's errors, each naming what is wrong.
    await _refused(iam.list_policies_granting_service_access, "NoSuchEntity", 404,
                   Arn=f"arn:aws:iam::{ACCOUNT}:user/nobody", ServiceNamespaces=["s3"])
    for arn, namespaces in ((read_iam, ["s3"]), (alice, ["nosuchservice"]), ("arn:aws:s3:::a-bucket-name", ["s3"])):
        await _refused(iam.list_policies_granting_service_access, "InvalidInput", 400, Arn=arn,
                       ServiceNamespaces=namespaces)

    # iam:ListPoliciesGrantingServiceAccess on the entity asked about.
    await _call(iam.create_user, UserName="auditor")
    await _call(iam.put_user_policy, UserName="auditor", PolicyName="p", PolicyDocument=allow(
        "iam:ListPoliciesGrantingServiceAccess", f"arn:aws:iam::{ACCOUNT}:user/*"))
    key = (await _call(iam.create_access_key, UserName="auditor"))["AccessKey"]
    auditor = _client(iamd_http, "iam", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    assert (await _call(auditor.list_policies_granting_service_access, Arn=alice,
                        ServiceNamespaces=["ec2"]))["PoliciesGrantingServiceAccess"][0]["Policies"]
    await _refused(auditor.list_policies_granting_service_access, "AccessDenied", 403,
                   Arn=f"arn:aws:iam::{ACCOUNT}:role/worker", ServiceNamespaces=["s3"])

    listed = [r for r in await records(iamd_http) if r["eventName"] == "ListPoliciesGrantingServiceAccess"]
    assert listed[0]["eventSource"] == "iam.amazonaws.com" and listed[0]["readOnly"] is True
    assert listed[0]["requestParameters"] == {"arn": alice, "serviceNamespaces": ["s3", "IAM", "ec2", "sqs"]}
