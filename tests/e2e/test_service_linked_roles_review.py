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
