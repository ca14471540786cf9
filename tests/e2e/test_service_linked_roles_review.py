"""Review of service-linked roles: AWS's rules the module must keep."""

from __future__ import annotations

import json

import pytest

from .conftest import Iamd
from .test_aws_query import _call, _client, _refused

pytestmark = pytest.mark.e2e


async def test_a_derived_role_name_longer_than_a_role_name_may_be_is_refused(iamd_http: Iamd) -> None:
    """A role name is at most 64 characters (IAM API reference, Role: RoleName, Length 1-64): a
    principal whose first label makes AWSServiceRoleFor<label> longer is refused, not made into a
    role no RoleName parameter can name (so neither GetRole nor DeleteServiceLinkedRole reach it)."""
    iam = _client(iamd_http, "iam")
    service = "x" * 60 + ".amazonaws.com"
    await _refused(iam.create_service_linked_role, "InvalidInput", 400, AWSServiceName=service)
    roles = (await _call(iam.list_roles))["Roles"]
    assert not [r for r in roles if r["RoleName"].startswith("AWSServiceRoleForxxx")]


async def test_a_name_taken_by_an_ordinary_role_in_another_case_is_taken(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    await _call(iam.create_role, RoleName="awsservicerolefortest", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    await _refused(iam.create_service_linked_role, "InvalidInput", 400, AWSServiceName="test.amazonaws.com")


async def test_another_principal_cannot_take_a_known_services_role_name(iamd_http: Iamd) -> None:
    """Service principals are case-sensitive (IAM API reference, CreateServiceLinkedRole:
    AWSServiceName) and role names unique in any case: `ECS.amazonaws.com` (no AWS service) derived
    AWSServiceRoleForECS at /aws-service-role/ECS.amazonaws.com/, trusting that principal, and ECS's
    own role (ecs.amazonaws.com) was then refused as taken."""
    iam = _client(iamd_http, "iam")
    for service in ("ECS.amazonaws.com", "AmazonEKS.amazonaws.com", "AutoScaling_web.amazonaws.com"):
        await _refused(iam.create_service_linked_role, "InvalidInput", 400, AWSServiceName=service)
    role = (await _call(iam.create_service_linked_role, AWSServiceName="ecs.amazonaws.com"))["Role"]
    assert role["RoleName"] == "AWSServiceRoleForECS" and role["Path"] == "/aws-service-role/ecs.amazonaws.com/"
    await _call(iam.create_service_linked_role, AWSServiceName="eks.amazonaws.com")
    await _call(iam.create_service_linked_role, AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="web")
