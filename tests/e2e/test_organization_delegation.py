"""Delegated administrators, DeleteOrganization and LeaveOrganization against a real iamd, with
boto3 over HTTP as AWS answers them and over gRPC: AWS's rules and errors (trusted access first,
never the management account, AccountAlreadyRegistered/AccountNotRegistered, a delegated
administrator cannot be removed, OrganizationNotEmpty, MasterCannotLeaveOrganization), a delegated
administrator's reads (and no changes), and an account that left or whose organization was
deleted no longer governed by the organization's SCPs in Authorize."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import grpc
import pytest

from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import authorization_pb2_grpc, organizations_pb2_grpc, sts_pb2, sts_pb2_grpc
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import identity_pb2_grpc
from iamd.v1 import organizations_pb2 as opb

from .conftest import ACCOUNT, Credentials, Iamd
from .helpers import allow, deny, iamctl_json, refused, user_allowed
from .test_aws_query import _client, _refused
from .test_organization_authorization import MANAGEMENT_ONLY, _member_credentials

pytestmark = pytest.mark.e2e

SCP = "SERVICE_CONTROL_POLICY"
CONFIG = "config.amazonaws.com"


def _call(method: Any, **kwargs: Any) -> Any:
    return asyncio.to_thread(method, **kwargs)


async def test_delegated_administrators_as_aws_registers_them(iamd_http: Iamd) -> None:
    org = _client(iamd_http, "organizations")
    await _call(org.create_organization, FeatureSet="ALL")
    status = (await _call(org.create_account, AccountName="sec", Email="sec@example.com"))["CreateAccountStatus"]
    member = (await _call(org.describe_create_account_status,
                          CreateAccountRequestId=status["Id"]))["CreateAccountStatus"]["AccountId"]

    # Trusted access first; never the management account; a member of the organization only.
    error = (await _refused(org.register_delegated_administrator, "ConstraintViolationException", 400,
                            AccountId=member, ServicePrincipal=CONFIG)).response
    assert error["Reason"] == "SERVICE_ACCESS_NOT_ENABLED"
    await _call(org.enable_aws_service_access, ServicePrincipal=CONFIG)
    error = (await _refused(org.register_delegated_administrator, "ConstraintViolationException", 400,
                            AccountId=ACCOUNT, ServicePrincipal=CONFIG)).response
    assert error["Reason"] == "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR"
    await _refused(org.register_delegated_administrator, "AccountNotFoundException", 400,
                   AccountId="999999999999", ServicePrincipal=CONFIG)
    error = (await _refused(org.register_delegated_administrator, "InvalidInputException", 400,
                            AccountId=member, ServicePrincipal="moto.amazonaws.com")).response
    assert error["Reason"] == "UNRECOGNIZED_SERVICE_PRINCIPAL"

    await _call(org.register_delegated_administrator, AccountId=member, ServicePrincipal=CONFIG)
    await _refused(org.register_delegated_administrator, "AccountAlreadyRegisteredException", 400,
                   AccountId=member, ServicePrincipal=CONFIG)
    [admin] = (await _call(org.list_delegated_administrators))["DelegatedAdministrators"]
    assert (admin["Id"], admin["Name"], admin["Email"], admin["Status"], admin["JoinedMethod"]) == \
        (member, "sec", "sec@example.com", "ACTIVE", "CREATED")
    assert admin["Arn"].endswith(f"/{member}") and admin["DelegationEnabledDate"].tzinfo is not None
    assert (await _call(org.list_delegated_administrators, ServicePrincipal=CONFIG))["DelegatedAdministrators"]
    assert (await _call(org.list_delegated_administrators,
                        ServicePrincipal="ram.amazonaws.com"))["DelegatedAdministrators"] == []
    [service] = (await _call(org.list_delegated_services_for_account, AccountId=member))["DelegatedServices"]
    assert service["ServicePrincipal"] == CONFIG and service["DelegationEnabledDate"].tzinfo is not None
    await _refused(org.list_delegated_services_for_account, "AccountNotRegisteredException", 400, AccountId=ACCOUNT)

    # A delegated administrator cannot be removed before it is deregistered.
    error = (await _refused(org.remove_account_from_organization, "ConstraintViolationException", 400,
                            AccountId=member)).response
    assert error["Reason"] == "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG"
    await _call(org.deregister_delegated_administrator, AccountId=member, ServicePrincipal=CONFIG)
    await _refused(org.deregister_delegated_administrator, "AccountNotRegisteredException", 400,
                   AccountId=member, ServicePrincipal=CONFIG)
    assert (await _call(org.list_delegated_administrators))["DelegatedAdministrators"] == []
    await _call(org.remove_account_from_organization, AccountId=member)


async def test_a_delegated_administrator_may_read_the_organization_and_change_nothing(iamd_http: Iamd) -> None:
    org = _client(iamd_http, "organizations")
    await _call(org.create_organization, FeatureSet="ALL")
    [root] = (await _call(org.list_roots))["Roots"]
    await _call(org.enable_policy_type, RootId=root["Id"], PolicyType=SCP)
    as_member = _client(iamd_http, "organizations", await _member_credentials(iamd_http, org))
    member = (await _call(as_member.describe_organization))["Organization"]["MasterAccountId"]
    [member] = [a["Id"] for a in (await _call(org.list_accounts))["Accounts"] if a["Id"] != member]
    error = await _refused(as_member.list_accounts, "AccessDeniedException", 400)
    assert error.response["Error"]["Message"] == MANAGEMENT_ONLY
    await _refused(as_member.list_delegated_administrators, "AccessDeniedException", 400)

    await _call(org.enable_aws_service_access, ServicePrincipal=CONFIG)
    await _call(org.register_delegated_administrator, AccountId=member, ServicePrincipal=CONFIG)
    # The reads AWS lets a delegated administrator make ...
    assert len((await _call(as_member.list_accounts))["Accounts"]) == 2
    assert (await _call(as_member.list_roots))["Roots"][0]["Id"] == root["Id"]
    assert (await _call(as_member.describe_account, AccountId=ACCOUNT))["Account"]["Id"] == ACCOUNT
    assert (await _call(as_member.describe_policy, PolicyId="p-FullAWSAccess"))["Policy"]["Content"]
    assert (await _call(as_member.list_children, ParentId=root["Id"], ChildType="ACCOUNT"))["Children"]
    assert [a["Id"] for a in (await _call(as_member.list_delegated_administrators))["DelegatedAdministrators"]] \
        == [member]
    assert (await _call(as_member.list_delegated_services_for_account, AccountId=member))["DelegatedServices"]
    assert (await _call(as_member.list_aws_service_access_for_organization))["EnabledServicePrincipals"]
    # ... but the changes stay the management account's.
    for method, kwargs in ((as_member.create_organizational_unit, {"ParentId": root["Id"], "Name": "x"}),
                           (as_member.register_delegated_administrator,
                            {"AccountId": member, "ServicePrincipal": CONFIG}),
                           (as_member.delete_organization, {})):
        await _refused(method, "AccessDeniedException", 400, **kwargs)

    await _call(org.deregister_delegated_administrator, AccountId=member, ServicePrincipal=CONFIG)
    await _refused(as_member.list_accounts, "AccessDeniedException", 400)


async def test_delete_organization_only_when_empty_and_then_standalone(iamd_http: Iamd) -> None:
    org = _client(iamd_http, "organizations")
    first = (await _call(org.create_organization, FeatureSet="ALL"))["Organization"]
    [root] = (await _call(org.list_roots))["Roots"]
    await _call(org.create_organizational_unit, ParentId=root["Id"], Name="eng")  # OUs go with it
    await _call(org.create_policy, Name="no-s3", Type=SCP, Description="", Content=deny("s3:*"))
    status = (await _call(org.create_account, AccountName="dev", Email="dev@example.com"))["CreateAccountStatus"]
    member = (await _call(org.describe_create_account_status,
                          CreateAccountRequestId=status["Id"]))["CreateAccountStatus"]["AccountId"]
    await _refused(org.delete_organization, "OrganizationNotEmptyException", 400)
    await _call(org.remove_account_from_organization, AccountId=member)
    await _call(org.delete_organization)
    await _refused(org.describe_organization, "AWSOrganizationsNotInUseException", 400)
    await _refused(org.delete_organization, "AWSOrganizationsNotInUseException", 400)
    again = (await _call(org.create_organization, FeatureSet="ALL"))["Organization"]  # standalone: it may
    assert again["Id"] != first["Id"]
    assert (await _call(org.list_policies, Filter=SCP))["Policies"][0]["Id"] == "p-FullAWSAccess"


async def _member_with_a_user(iamd: Iamd, org: Any) -> tuple[str, grpc.aio.Channel]:
    """A member account with a user `dev` allowed s3:*: (the user's ARN, a channel of the member's
    OrganizationAccountAccessRole)."""
    member = await org.CreateAccount(opb.CreateAccountRequest(account_name="dev", email="dev@example.com"))
    key = await user_allowed(iamd, "admin", allow("sts:AssumeRole"))
    channel = iamd.connect(key)
    c = (await sts_pb2_grpc.SecurityTokenServiceStub(channel).AssumeRole(sts_pb2.AssumeRoleRequest(
        role_arn=member.access_role_arn, role_session_name="admin"))).credentials
    await channel.close()
    member_channel = iamd.connect(Credentials(c.access_key_id, c.secret_access_key, c.session_token))
    member_iam = identity_pb2_grpc.IdentityServiceStub(member_channel)
    await member_iam.CreateUser(ipb.CreateUserRequest(user_name="dev"))
    put = await member_iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="dev"), policy_name="s3", policy_document=allow("s3:*")))
    await iamd.running.runner.wait_for(put.position, 5)
    return f"arn:aws:iam::{member.account_id}:user/dev", member_channel


async def test_an_account_that_left_is_no_longer_governed_by_the_organizations_scps(iamd: Iamd) -> None:
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    root_id = (await org.CreateOrganization(opb.CreateOrganizationRequest())).root_id
    await org.EnablePolicyType(opb.EnablePolicyTypeRequest(root_id=root_id, policy_type=SCP))
    no_s3 = (await org.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
        name="no-s3", type=SCP, content=deny("s3:*")))).policy_id
    await org.AttachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(policy_id=no_s3, target_id=root_id))
    dev, channel = await _member_with_a_user(iamd, org)
    authz = authorization_pb2_grpc.AuthorizationServiceStub(channel)
    as_member = organizations_pb2_grpc.OrganizationsServiceStub(channel)

    async def decide(position: int = 0) -> str:
        answer = await authz.Authorize(apb.AuthorizeRequest(principal_arn=dev, action="s3:GetObject", resource="*",
                                                            min_position=position))
        return apb.Decision.Name(answer.decision)

    assert await decide() == "DECISION_EXPLICIT_DENY"  # the root's SCP
    await refused(org.LeaveOrganization(opb.LeaveOrganizationRequest()), grpc.StatusCode.FAILED_PRECONDITION,
                  "MasterCannotLeaveOrganizationException")
    left = await as_member.LeaveOrganization(opb.LeaveOrganizationRequest())
    assert await decide(left.position) == "DECISION_ALLOW"  # standalone: no SCP applies
    await refused(as_member.DescribeOrganization(opb.DescribeOrganizationRequest()),
                  grpc.StatusCode.FAILED_PRECONDITION, "AWSOrganizationsNotInUseException")
    await refused(as_member.LeaveOrganization(opb.LeaveOrganizationRequest()),
                  grpc.StatusCode.FAILED_PRECONDITION, "AWSOrganizationsNotInUseException")
    accounts = (await org.ListAccounts(opb.ListAccountsRequest())).accounts
    assert [a.id for a in accounts] == [ACCOUNT]
    await channel.close()


async def test_a_delegated_administrator_cannot_leave_and_cloudtrails_names(iamd_http: Iamd) -> None:
    org = _client(iamd_http, "organizations")
    await _call(org.create_organization, FeatureSet="ALL")
    credentials = await _member_credentials(iamd_http, org)
    as_member = _client(iamd_http, "organizations", credentials)
    member = [a["Id"] for a in (await _call(org.list_accounts))["Accounts"] if a["Id"] != ACCOUNT][0]
    await _call(org.enable_aws_service_access, ServicePrincipal=CONFIG)
    await _call(org.register_delegated_administrator, AccountId=member, ServicePrincipal=CONFIG)
    error = (await _refused(as_member.leave_organization, "ConstraintViolationException", 400)).response
    assert error["Reason"] == "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG"
    await _call(org.deregister_delegated_administrator, AccountId=member, ServicePrincipal=CONFIG)
    await _call(as_member.leave_organization)
    await _refused(as_member.describe_organization, "AWSOrganizationsNotInUseException", 400)
    await _call(org.delete_organization)

    from iamd.v1 import audit_pb2, audit_pb2_grpc
    audit = audit_pb2_grpc.AuditServiceStub(iamd_http.channel)
    for name in ("RegisterDelegatedAdministrator", "DeregisterDelegatedAdministrator", "DeleteOrganization"):
        events = (await audit.LookupEvents(audit_pb2.LookupEventsRequest(lookup_attributes=[
            audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value=name)]))).events
        assert events and json.loads(events[0].cloud_trail_event)["eventSource"] == "organizations.amazonaws.com"


async def test_iamctl_commands(iamd: Iamd, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    await org.CreateOrganization(opb.CreateOrganizationRequest())
    member = (await org.CreateAccount(opb.CreateAccountRequest(account_name="sec", email="sec@example.com"))).account_id
    monkeypatch.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(iamd.data_dir / "root-credentials"))

    iamctl = iamctl_json(iamd, capsys, "organizations")

    await asyncio.to_thread(iamctl, "enable-aws-service-access", "--service-principal", CONFIG)
    await asyncio.to_thread(iamctl, "register-delegated-administrator", "--account-id", member,
                            "--service-principal", CONFIG)
    [admin] = (await asyncio.to_thread(iamctl, "list-delegated-administrators"))["DelegatedAdministrators"]
    assert admin["Id"] == member and admin["DelegationEnabledDate"]
    [service] = (await asyncio.to_thread(iamctl, "list-delegated-services-for-account", "--account-id",
                                         member))["DelegatedServices"]
    assert service["ServicePrincipal"] == CONFIG
    await asyncio.to_thread(iamctl, "deregister-delegated-administrator", "--account-id", member,
                            "--service-principal", CONFIG)
    await asyncio.to_thread(iamctl, "remove-account-from-organization", "--account-id", member)
    await asyncio.to_thread(iamctl, "delete-organization")
    await refused(org.DescribeOrganization(opb.DescribeOrganizationRequest()), grpc.StatusCode.FAILED_PRECONDITION,
                  "AWSOrganizationsNotInUseException")
