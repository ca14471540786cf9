"""GetOrganizationsAccessReport counts a member account's root user among its principals: AWS's
reference says the report covers what "principals in an account (root user, IAM users, or IAM
roles)" attempted. iamd recorded and reported only users' and roles' attempts."""

from __future__ import annotations

import pytest

from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import authorization_pb2_grpc

from .conftest import Iamd
from .test_aws_query import _call, _client
from .test_organizations_access_report import SCP, _report
from .test_root_access import _member, _session, _user

pytestmark = pytest.mark.e2e


async def test_a_member_accounts_root_user_attempts_are_reported(iamd_http: Iamd) -> None:
    iam, org = _client(iamd_http, "iam"), _client(iamd_http, "organizations")
    organization = (await _call(org.create_organization, FeatureSet="ALL"))["Organization"]
    root = (await _call(org.list_roots))["Roots"][0]["Id"]
    base = f"{organization['Id']}/{root}"
    await _call(org.enable_policy_type, RootId=root, PolicyType=SCP)
    dev = await _member(org, "dev")
    admin = await _user(iamd_http, "admin", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]})
    session = _session((await _call(_client(iamd_http, "sts", admin).assume_role, RoleSessionName="admin",
                                    RoleArn=f"arn:aws:iam::{dev}:role/OrganizationAccountAccessRole"))["Credentials"])
    # dev's administrator asks Authorize about dev's root user: an attempt of that account's root user.
    channel = iamd_http.connect(session)
    try:
        answer = await authorization_pb2_grpc.AuthorizationServiceStub(channel).Authorize(apb.AuthorizeRequest(
            principal_arn=f"arn:aws:iam::{dev}:root", action="s3:GetObject", resource="arn:aws:s3:::bucket/key",
            resource_account=dev))
        assert answer.decision == apb.DECISION_ALLOW
    finally:
        await channel.close()

    details = {d["ServiceNamespace"]: d for d in (await _report(iam, EntityPath=base))["AccessDetails"]}
    s3 = details["s3"]
    assert s3["TotalAuthenticatedEntities"] == 1 and s3["EntityPath"] == f"{base}/{dev}"
    assert s3["LastAuthenticatedTime"].tzinfo is not None
