"""CloseAccount against a real iamd: boto3 over HTTP for AWS's shapes and errors (the management
account cannot be closed, PENDING_CLOSURE then SUSPENDED/CLOSED, ConflictException while the
closure is in progress, AccountAlreadyClosed after it, a closed account not removable but movable,
listed through its post-closure period), gRPC for Authorize at the answer's position (the closed
account's user, role session and root user denied, its role no longer assumable), iamctl, and the
CloudTrail name."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import grpc
import pytest

from iamd.v1 import audit_pb2, audit_pb2_grpc, authorization_pb2_grpc, identity_pb2_grpc, organizations_pb2_grpc
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import organizations_pb2 as opb
from iamd.v1 import sts_pb2, sts_pb2_grpc
from iamd.service.app.authorize import AuthorizeQuery
from iamd.service.domain import organizations

from .conftest import ACCOUNT, Iamd
from .helpers import iamctl_json, refused
from .test_aws_query import _client, _refused
from .test_organization_delegation import _member_with_a_user

pytestmark = pytest.mark.e2e


def _call(method: Any, **kwargs: Any) -> Any:
    return asyncio.to_thread(method, **kwargs)


async def test_close_account_as_aws_closes_a_member_account(iamd_http: Iamd) -> None:
    org = _client(iamd_http, "organizations")
    root = (await _call(org.create_organization, FeatureSet="ALL"))["Organization"]
    root_id = (await _call(org.list_roots))["Roots"][0]["Id"]
    status = (await _call(org.create_account, AccountName="old", Email="old@example.com"))["CreateAccountStatus"]
    member = (await _call(org.describe_create_account_status,
                          CreateAccountRequestId=status["Id"]))["CreateAccountStatus"]["AccountId"]
    assert root["MasterAccountId"] == ACCOUNT

    error = (await _refused(org.close_account, "ConstraintViolationException", 400, AccountId=ACCOUNT)).response
    assert error["Reason"] == "CANNOT_CLOSE_MANAGEMENT_ACCOUNT"
    await _refused(org.close_account, "AccountNotFoundException", 400, AccountId="999999999999")
    error = (await _refused(org.close_account, "InvalidInputException", 400, AccountId="12345")).response
    assert error["Reason"] == "INVALID_PATTERN"

    answer = await _call(org.close_account, AccountId=member)
    assert set(answer) == {"ResponseMetadata"}  # CloseAccount has no output
    account = (await _call(org.describe_account, AccountId=member))["Account"]
    assert (account["Status"], account["State"]) == ("PENDING_CLOSURE", "PENDING_CLOSURE")
    await _refused(org.close_account, "ConflictException", 400, AccountId=member)

    # Closed (read from the clock): SUSPENDED, State CLOSED, still listed; closing it again is
    # AccountAlreadyClosed; it cannot be removed, nor be a delegated administrator, but can be moved.
    iamd_http.clock.offset = organizations.CLOSURE_SECONDS + 1
    try:
        account = (await _call(org.describe_account, AccountId=member))["Account"]
        assert (account["Status"], account["State"]) == ("SUSPENDED", "CLOSED")
        listed = {a["Id"]: (a["Status"], a["State"]) for a in (await _call(org.list_accounts))["Accounts"]}
        assert listed == {ACCOUNT: ("ACTIVE", "ACTIVE"), member: ("SUSPENDED", "CLOSED")}
        await _refused(org.close_account, "AccountAlreadyClosedException", 400, AccountId=member)
        error = (await _refused(org.remove_account_from_organization, "ConstraintViolationException", 400,
                                AccountId=member)).response
        assert error["Reason"] == "ACCOUNT_CANNOT_LEAVE_ORGANIZATION"
        await _call(org.enable_aws_service_access, ServicePrincipal="config.amazonaws.com")
        error = (await _refused(org.register_delegated_administrator, "ConstraintViolationException", 400,
                                AccountId=member, ServicePrincipal="config.amazonaws.com")).response
        assert error["Reason"] == "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR"
        ou = (await _call(org.create_organizational_unit, ParentId=root_id, Name="closed"))["OrganizationalUnit"]
        await _call(org.move_account, AccountId=member, SourceParentId=root_id, DestinationParentId=ou["Id"])
        [moved] = (await _call(org.list_accounts_for_parent, ParentId=ou["Id"]))["Accounts"]
        assert (moved["Id"], moved["Status"]) == (member, "SUSPENDED")
        await _refused(org.delete_organization, "OrganizationNotEmptyException", 400)
    finally:
        iamd_http.clock.offset = 0

    audit = audit_pb2_grpc.AuditServiceStub(iamd_http.channel)
    events = (await audit.LookupEvents(audit_pb2.LookupEventsRequest(lookup_attributes=[
        audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value="CloseAccount")]))).events
    record = json.loads(events[0].cloud_trail_event)
    assert record["eventSource"] == "organizations.amazonaws.com"
    assert record["requestParameters"] == {"accountId": member}


async def test_past_its_post_closure_period_a_closed_account_is_no_longer_listed(iamd: Iamd) -> None:
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    await org.CreateOrganization(opb.CreateOrganizationRequest())
    member = (await org.CreateAccount(opb.CreateAccountRequest(account_name="old", email="old@example.com"))).account_id
    await org.CloseAccount(opb.CloseAccountRequest(account_id=member))
    iamd.clock.offset = 86400 * organizations.POST_CLOSURE_DAYS
    try:
        later = iamd.connect(iamd.root)  # signs on the server's clock
        org = organizations_pb2_grpc.OrganizationsServiceStub(later)
        accounts = (await org.ListAccounts(opb.ListAccountsRequest())).accounts
        assert [a.id for a in accounts] == [ACCOUNT]
        await refused(org.DescribeAccount(opb.DescribeAccountRequest(account_id=member)), grpc.StatusCode.NOT_FOUND,
                      "AccountNotFoundException")
        await org.DeleteOrganization(opb.DeleteOrganizationRequest())  # nothing of it is left
        await later.close()
    finally:
        iamd.clock.offset = 0


async def test_a_closed_accounts_principals_are_denied_everything(iamd: Iamd) -> None:
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    await org.CreateOrganization(opb.CreateOrganizationRequest())
    dev, channel = await _member_with_a_user(iamd, org)  # dev allowed s3:*; channel: the member's admin session
    member = dev.split(":")[4]
    authz = authorization_pb2_grpc.AuthorizationServiceStub(channel)  # asked from within the member account
    authorizer = iamd.running.gateway.guard.authorizer  # type: ignore[union-attr]

    def decided(principal: str) -> str:
        """The decision as the server makes it now, for any principal (no caller's permission asked)."""
        return authorizer.authorize_now(AuthorizeQuery(principal, "s3:GetObject", "*")).decision.decision.name

    as_member = identity_pb2_grpc.IdentityServiceStub(channel)
    answer = await authz.Authorize(apb.AuthorizeRequest(principal_arn=dev, action="s3:GetObject", resource="*"))
    assert apb.Decision.Name(answer.decision) == "DECISION_ALLOW"
    assert decided(f"arn:aws:iam::{member}:root") == "ALLOW"
    await as_member.ListUsers(ipb.ListUsersRequest())

    closed = await org.CloseAccount(opb.CloseAccountRequest(account_id=member))
    await iamd.running.runner.wait_for(closed.position, 5)
    assert decided(dev) == decided(f"arn:aws:iam::{member}:root") == "IMPLICIT_DENY"
    # Its principals can call nothing: not Authorize, not IAM, not even STS's calls no policy decides.
    await refused(authz.Authorize(apb.AuthorizeRequest(principal_arn=dev, action="s3:GetObject", resource="*")),
                  grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    await refused(as_member.ListUsers(ipb.ListUsersRequest()), grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    await refused(sts_pb2_grpc.SecurityTokenServiceStub(channel).GetCallerIdentity(sts_pb2.GetCallerIdentityRequest()),
                  grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    # Its OrganizationAccountAccessRole can no longer be assumed from the management account.
    await refused(iamd.sts.AssumeRole(sts_pb2.AssumeRoleRequest(
        role_arn=f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole", role_session_name="again")),
        grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    # The management account and the other accounts are as they were.
    assert decided(f"arn:aws:iam::{ACCOUNT}:root") == "ALLOW"
    await channel.close()


async def test_iamctl_close_account(iamd: Iamd, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    await org.CreateOrganization(opb.CreateOrganizationRequest())
    member = (await org.CreateAccount(opb.CreateAccountRequest(account_name="old", email="old@example.com"))).account_id
    monkeypatch.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(iamd.data_dir / "root-credentials"))
    iamctl = iamctl_json(iamd, capsys, "organizations")
    await asyncio.to_thread(iamctl, "close-account", "--account-id", member)
    account = (await asyncio.to_thread(iamctl, "describe-account", "--account-id", member))["Account"]
    assert (account["Status"], account["State"]) == ("PENDING_CLOSURE", "PENDING_CLOSURE")
