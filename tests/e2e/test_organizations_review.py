"""Review of AWS Organizations against a real iamd: behaviours and errors that differed from the
AWS Organizations API reference, and races between concurrent commands."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest

from iamd.v1 import organizations_pb2 as opb
from iamd.v1 import organizations_pb2_grpc

from .conftest import Iamd
from .helpers import create_organization, error_reason, refused
from .test_aws_query import _client, _refused

pytestmark = pytest.mark.e2e

SCP = "SERVICE_CONTROL_POLICY"


def _call(method: Any, **kwargs: Any) -> Any:
    return asyncio.to_thread(method, **kwargs)


async def _events(iamd: Iamd, stream: str) -> list[str]:
    return [e.type for e in await iamd.running.store.read_stream(stream)]


async def test_detaching_the_last_scp_is_min_policy_type_attachment_limit_exceeded(iamd_http: Iamd) -> None:
    # API reference, ConstraintViolationException: "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED: You
    # attempted to detach a policy from an entity that would cause the entity to have fewer than the
    # minimum number of policies of a certain type required." DetachPolicy: "Every root, OU, and
    # account must have at least one SCP attached."
    org = _client(iamd_http, "organizations")
    await _call(org.create_organization, FeatureSet="ALL")
    root = (await _call(org.list_roots))["Roots"][0]["Id"]
    await _call(org.enable_policy_type, RootId=root, PolicyType=SCP)
    error = (await _refused(org.detach_policy, "ConstraintViolationException", 400,
                            PolicyId="p-FullAWSAccess", TargetId=root)).response
    assert error.get("Reason") == "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", error


async def test_moving_an_account_to_the_parent_it_is_in_is_duplicate_account(iamd: Iamd) -> None:
    # API reference, MoveAccount, Errors: "DuplicateAccountException: That account is already
    # present in the specified destination." iamd answered OK and left an AccountMoved event.
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    created = await create_organization(org)
    member = (await org.CreateAccount(opb.CreateAccountRequest(account_name="dev", email="dev@example.com")))
    stream = f"org-{created.organization.master_account_id}-organization"
    before = await _events(iamd, stream)
    await refused(org.MoveAccount(opb.MoveAccountRequest(account_id=member.account_id, source_parent_id=created.root_id,
                                                         destination_parent_id=created.root_id)),
                  grpc.StatusCode.ALREADY_EXISTS, "DuplicateAccountException")
    assert await _events(iamd, stream) == before  # a refusal leaves no event


async def _standalone_accounts(iamd: Iamd, org: Any, names: tuple[str, ...]) -> list[tuple[str, Any]]:
    """Accounts iamd knows that are in no organization (created as members, then removed): for
    each, (its id, an OrganizationsService stub of its OrganizationAccountAccessRole)."""
    from iamd.v1 import sts_pb2, sts_pb2_grpc

    from .conftest import Credentials
    from .helpers import allow, user_allowed

    members = [await org.CreateAccount(opb.CreateAccountRequest(account_name=n, email=f"{n}@example.com"))
               for n in names]
    key = await user_allowed(iamd, "admin", allow("sts:AssumeRole"))
    admin = iamd.connect(key)
    found = []
    for member in members:
        c = (await sts_pb2_grpc.SecurityTokenServiceStub(admin).AssumeRole(sts_pb2.AssumeRoleRequest(
            role_arn=member.access_role_arn, role_session_name="admin"))).credentials
        removed = await org.RemoveAccountFromOrganization(opb.DescribeAccountRequest(account_id=member.account_id))
        await iamd.running.runner.wait_for(removed.position, 5)
        channel = iamd.connect(Credentials(c.access_key_id, c.secret_access_key, c.session_token))
        found.append((member.account_id, organizations_pb2_grpc.OrganizationsServiceStub(channel)))
    await admin.close()
    return found


async def _settle(*calls: Any) -> list[Any]:
    return await asyncio.gather(*calls, return_exceptions=True)


async def test_an_account_accepting_two_invitations_at_once_joins_one_organization(iamd: Iamd) -> None:
    # An account is a member of at most one organization (API reference, AcceptHandshake:
    # HandshakeConstraintViolationException ALREADY_IN_AN_ORGANIZATION, "The handshake request is
    # invalid because the invited account is already a member of an organization").
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    await create_organization(org)
    (other, as_other), (guest, as_guest) = await _standalone_accounts(iamd, org, ("other", "guest"))
    await as_other.CreateOrganization(opb.CreateOrganizationRequest())
    first = await org.InviteAccountToOrganization(opb.InviteAccountToOrganizationRequest(
        target=opb.HandshakeParty(id=guest, type="ACCOUNT")))
    second = await as_other.InviteAccountToOrganization(opb.InviteAccountToOrganizationRequest(
        target=opb.HandshakeParty(id=guest, type="ACCOUNT")))
    answers = await _settle(as_guest.AcceptHandshake(opb.AcceptHandshakeRequest(handshake_id=first.handshake.id)),
                            as_guest.AcceptHandshake(opb.AcceptHandshakeRequest(handshake_id=second.handshake.id)))
    accepted = [a for a in answers if not isinstance(a, BaseException)]
    assert len(accepted) == 1, answers
    [refusal] = [a for a in answers if isinstance(a, BaseException)]
    assert isinstance(refusal, grpc.aio.AioRpcError), refusal
    assert error_reason(refusal) == "HandshakeConstraintViolationException", refusal.details()
    # Both organizations, as rebuilt: the guest is in one of them only.
    await iamd.running.runner.wait_for(max(a.position for a in accepted), 5)
    in_first = guest in {a.id for a in (await org.ListAccounts(opb.ListAccountsRequest())).accounts}
    in_second = guest in {a.id for a in (await as_other.ListAccounts(opb.ListAccountsRequest())).accounts}
    assert in_first != in_second


async def test_an_account_creating_an_organization_while_accepting_an_invitation_ends_in_one(iamd: Iamd) -> None:
    # CreateOrganization: AlreadyInOrganizationException "This account is already a member of an
    # organization"; AcceptHandshake: ALREADY_IN_AN_ORGANIZATION. Concurrently, one of them.
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    await create_organization(org)
    [(guest, as_guest)] = await _standalone_accounts(iamd, org, ("guest",))
    invited = await org.InviteAccountToOrganization(opb.InviteAccountToOrganizationRequest(
        target=opb.HandshakeParty(id=guest, type="ACCOUNT")))
    answers = await _settle(as_guest.AcceptHandshake(opb.AcceptHandshakeRequest(handshake_id=invited.handshake.id)),
                            as_guest.CreateOrganization(opb.CreateOrganizationRequest()))
    succeeded = [a for a in answers if not isinstance(a, BaseException)]
    assert len(succeeded) == 1, answers
    [refusal] = [a for a in answers if isinstance(a, BaseException)]
    assert isinstance(refusal, grpc.aio.AioRpcError), refusal
    assert error_reason(refusal) in ("HandshakeConstraintViolationException", "AlreadyInOrganizationException")


async def test_updating_or_deleting_an_aws_managed_policy_is_immutable_policy(iamd_http: Iamd) -> None:
    # API reference, InvalidInputException: "IMMUTABLE_POLICY: You specified a policy that is
    # managed by Amazon Web Services and can't be modified." (DeletePolicy's and UpdatePolicy's
    # errors include InvalidInputException; TagResource already answered it for these policies.)
    org = _client(iamd_http, "organizations")
    await _call(org.create_organization, FeatureSet="ALL")
    root = (await _call(org.list_roots))["Roots"][0]["Id"]
    await _call(org.enable_policy_type, RootId=root, PolicyType=SCP)
    for method, kwargs in ((org.delete_policy, {}), (org.update_policy, {"Name": "mine"}),
                           (org.update_policy, {"Description": "mine"})):
        error = (await _refused(method, "InvalidInputException", 400, PolicyId="p-FullAWSAccess", **kwargs)).response
        assert error.get("Reason") == "IMMUTABLE_POLICY", error


async def test_ous_nest_at_most_five_levels_under_the_root(iamd_http: Iamd) -> None:
    # API reference, CreateOrganizationalUnit: "The number of levels deep that you can nest OUs is
    # dependent upon the policy types enabled for that root. For service control policies, the limit
    # is five." ConstraintViolationException: "OU_DEPTH_LIMIT_EXCEEDED: You attempted to create an
    # OU tree that is too many levels deep."
    org = _client(iamd_http, "organizations")
    await _call(org.create_organization, FeatureSet="ALL")
    parent = (await _call(org.list_roots))["Roots"][0]["Id"]
    for level in range(1, 6):
        parent = (await _call(org.create_organizational_unit, ParentId=parent,
                              Name=f"level-{level}"))["OrganizationalUnit"]["Id"]
    error = (await _refused(org.create_organizational_unit, "ConstraintViolationException", 400,
                            ParentId=parent, Name="level-6")).response
    assert error.get("Reason") == "OU_DEPTH_LIMIT_EXCEEDED", error
    assert (await _call(org.list_organizational_units_for_parent, ParentId=parent))["OrganizationalUnits"] == []


async def test_an_organization_is_not_deleted_under_an_account_being_created(iamd: Iamd) -> None:
    # DeleteOrganization: "To delete an organization, you must first remove all accounts except the
    # management account" (OrganizationNotEmptyException). An account CreateAccount is creating is
    # about to be one: the two cannot both succeed, and nothing joins a deleted organization.
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    created = await org.CreateOrganization(opb.CreateOrganizationRequest())
    stream = f"org-{created.organization.master_account_id}-organization"
    for attempt in range(3):
        answers = await _settle(org.CreateAccount(opb.CreateAccountRequest(account_name="dev",
                                                                           email=f"dev{attempt}@example.com")),
                                org.DeleteOrganization(opb.DeleteOrganizationRequest()))
        events = await _events(iamd, stream)
        deleted_at = max(i for i, t in enumerate(events) if t in ("OrganizationDeleted", "OrganizationCreated"))
        assert events[deleted_at] == "OrganizationCreated" or "AccountJoined" not in events[deleted_at:], events
        assert any(isinstance(a, BaseException) for a in answers), answers
        if not isinstance(answers[1], BaseException):  # deleted: start again with a new organization
            await org.CreateOrganization(opb.CreateOrganizationRequest())
        else:  # the account was created: remove it for the next round
            await org.RemoveAccountFromOrganization(opb.DescribeAccountRequest(account_id=answers[0].account_id))


async def test_nothing_is_created_in_an_organization_deleted_meanwhile(iamd: Iamd) -> None:
    # A call decided on the organization's stream after DeleteOrganization: AWS's
    # AWSOrganizationsNotInUseException, not a policy or trusted access of no organization.
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    created = await org.CreateOrganization(opb.CreateOrganizationRequest())
    stream = f"org-{created.organization.master_account_id}-organization"
    for attempt in range(4):
        await asyncio.gather(
            org.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
                name=f"p{attempt}", type=SCP, content='{"Version":"2012-10-17","Statement":[{"Effect":"Deny",'
                                                      '"Action":"s3:*","Resource":"*"}]}')),
            org.EnableAWSServiceAccess(opb.EnableAWSServiceAccessRequest(service_principal="ram.amazonaws.com")),
            org.DeleteOrganization(opb.DeleteOrganizationRequest()), return_exceptions=True)
        events = await _events(iamd, stream)
        deleted_at = max(i for i, t in enumerate(events) if t == "OrganizationDeleted")
        assert events[deleted_at + 1:] == [], events
        await org.CreateOrganization(opb.CreateOrganizationRequest())


async def test_two_organizations_creating_accounts_with_one_email_at_once_create_one(iamd: Iamd) -> None:
    # CreateAccountStatus FailureReason "EMAIL_ALREADY_EXISTS: The account could not be created
    # because another Amazon Web Services account with that email address already exists." iamd
    # checks other organizations' accounts and requests; concurrently, one of the two succeeds.
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    await create_organization(org)
    [(_, as_other)] = await _standalone_accounts(iamd, org, ("other",))
    await as_other.CreateOrganization(opb.CreateOrganizationRequest())
    answers = await asyncio.gather(
        org.CreateAccount(opb.CreateAccountRequest(account_name="a", email="same@example.com")),
        as_other.CreateAccount(opb.CreateAccountRequest(account_name="b", email="same@example.com")))
    assert sum(1 for a in answers if a.account_id) == 1, answers  # one account created
    [failed] = [a for a in answers if not a.account_id]
    status = await (org if failed is answers[0] else as_other).DescribeCreateAccountStatus(
        opb.DescribeCreateAccountStatusRequest(create_account_request_id=failed.create_account_status.id))
    assert (status.create_account_status.state, status.create_account_status.failure_reason) == (
        "FAILED", "EMAIL_ALREADY_EXISTS")
