"""Invitations into an organization (AWS's handshakes) against a real iamd, with boto3 over HTTP
as AWS answers them and over gRPC: InviteAccountToOrganization of an existing standalone account,
AcceptHandshake/DeclineHandshake by it, CancelHandshake by the management account, the reads,
AWS's errors, expiry after 15 days, and the organization's SCPs governing the account in
Authorize once it accepted."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from typing import Any

import grpc
import pytest

from iamd.v1 import audit_pb2, audit_pb2_grpc, authorization_pb2_grpc, organizations_pb2_grpc
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import organizations_pb2 as opb

from .conftest import ACCOUNT, Iamd
from .helpers import deny, iamctl_json, refused
from .test_aws_query import _client, _refused
from .test_organization_authorization import _member_credentials
from .test_organization_delegation import _member_with_a_user

pytestmark = pytest.mark.e2e

SCP = "SERVICE_CONTROL_POLICY"


def _call(method: Any, **kwargs: Any) -> Any:
    return asyncio.to_thread(method, **kwargs)


async def _standalone(iamd: Iamd, org: Any) -> tuple[str, Any]:
    """An account iamd knows that is in no organization (created as a member, then removed), and
    an Organizations client of its OrganizationAccountAccessRole."""
    credentials = await _member_credentials(iamd, org)
    account = [a["Id"] for a in (await _call(org.list_accounts))["Accounts"] if a["Id"] != ACCOUNT][0]
    await _call(org.remove_account_from_organization, AccountId=account)
    return account, _client(iamd, "organizations", credentials)


async def test_invitations_as_aws_answers_them(iamd_http: Iamd) -> None:
    org = _client(iamd_http, "organizations")
    organization = (await _call(org.create_organization, FeatureSet="ALL"))["Organization"]
    guest, as_guest = await _standalone(iamd_http, org)

    # What can be invited: an account of iamd (by id: EMAIL is refused), in no organization.
    error = (await _refused(org.invite_account_to_organization, "InvalidInputException", 400,
                            Target={"Id": "guest@example.com", "Type": "EMAIL"})).response
    assert error["Reason"] == "INVALID_PARTY_TYPE_TARGET" and "by its id" in error["Error"]["Message"]
    await _refused(org.invite_account_to_organization, "InvalidInputException", 400,
                   Target={"Id": "999999999999", "Type": "ACCOUNT"})
    error = (await _refused(org.invite_account_to_organization, "HandshakeConstraintViolationException", 400,
                            Target={"Id": ACCOUNT, "Type": "ACCOUNT"})).response
    assert error["Reason"] == "ALREADY_IN_AN_ORGANIZATION"
    await _refused(as_guest.invite_account_to_organization, "AWSOrganizationsNotInUseException", 400,
                   Target={"Id": ACCOUNT, "Type": "ACCOUNT"})

    sent = (await _call(org.invite_account_to_organization, Target={"Id": guest, "Type": "ACCOUNT"},
                        Notes="join us"))["Handshake"]
    assert re.fullmatch(r"h-[0-9a-z]{8,32}", sent["Id"])
    assert sent["Arn"] == f"arn:aws:organizations::{ACCOUNT}:handshake/{organization['Id']}/invite/{sent['Id']}"
    assert (sent["State"], sent["Action"]) == ("OPEN", "INVITE")
    assert sent["Parties"] == [{"Id": organization["Id"], "Type": "ORGANIZATION"}, {"Id": guest, "Type": "ACCOUNT"}]
    assert sent["ExpirationTimestamp"] - sent["RequestedTimestamp"] == timedelta(days=15)
    assert {"Type": "NOTES", "Value": "join us"} in sent["Resources"]
    [organization_resource] = [r for r in sent["Resources"] if r["Type"] == "ORGANIZATION"]
    assert organization_resource["Value"] == organization["Id"]
    assert {"Type": "ORGANIZATION_FEATURE_SET", "Value": "ALL"} in organization_resource["Resources"]
    await _refused(org.invite_account_to_organization, "DuplicateHandshakeException", 400,
                   Target={"Id": guest, "Type": "ACCOUNT"})

    # Each party sees it; the other side's calls are refused.
    assert (await _call(org.list_handshakes_for_organization))["Handshakes"] == [sent]
    assert (await _call(as_guest.list_handshakes_for_account))["Handshakes"] == [sent]
    assert (await _call(as_guest.list_handshakes_for_account, Filter={"ActionType": "INVITE"}))["Handshakes"]
    assert (await _call(as_guest.list_handshakes_for_account,
                        Filter={"ActionType": "ENABLE_ALL_FEATURES"}))["Handshakes"] == []
    assert (await _call(org.list_handshakes_for_account))["Handshakes"] == []
    assert (await _call(as_guest.describe_handshake, HandshakeId=sent["Id"]))["Handshake"] == sent
    await _refused(as_guest.cancel_handshake, "AccessDeniedException", 400, HandshakeId=sent["Id"])
    await _refused(org.accept_handshake, "AccessDeniedException", 400, HandshakeId=sent["Id"])
    await _refused(as_guest.list_handshakes_for_organization, "AWSOrganizationsNotInUseException", 400)
    await _refused(as_guest.describe_handshake, "HandshakeNotFoundException", 400, HandshakeId="h-0000000000")

    # Canceled: it cannot be accepted, nor canceled again.
    assert (await _call(org.cancel_handshake, HandshakeId=sent["Id"]))["Handshake"]["State"] == "CANCELED"
    await _refused(as_guest.accept_handshake, "InvalidHandshakeTransitionException", 400, HandshakeId=sent["Id"])
    await _refused(org.cancel_handshake, "HandshakeAlreadyInStateException", 400, HandshakeId=sent["Id"])

    # Declined.
    second = (await _call(org.invite_account_to_organization, Target={"Id": guest, "Type": "ACCOUNT"}))["Handshake"]
    assert (await _call(as_guest.decline_handshake, HandshakeId=second["Id"]))["Handshake"]["State"] == "DECLINED"
    await _refused(as_guest.decline_handshake, "HandshakeAlreadyInStateException", 400, HandshakeId=second["Id"])
    await _refused(org.cancel_handshake, "InvalidHandshakeTransitionException", 400, HandshakeId=second["Id"])

    # Accepted, with the invitation's tags: a member that joined by invitation.
    third = (await _call(org.invite_account_to_organization, Target={"Id": guest, "Type": "ACCOUNT"},
                         Tags=[{"Key": "team", "Value": "blue"}]))["Handshake"]
    assert (await _call(as_guest.accept_handshake, HandshakeId=third["Id"]))["Handshake"]["State"] == "ACCEPTED"
    await _refused(as_guest.accept_handshake, "HandshakeAlreadyInStateException", 400, HandshakeId=third["Id"])
    account = (await _call(org.describe_account, AccountId=guest))["Account"]
    assert (account["JoinedMethod"], account["Status"]) == ("INVITED", "ACTIVE")
    assert (await _call(org.list_tags_for_resource, ResourceId=guest))["Tags"] == [{"Key": "team", "Value": "blue"}]
    assert (await _call(as_guest.describe_organization))["Organization"]["Id"] == organization["Id"]
    states = [h["State"] for h in (await _call(org.list_handshakes_for_organization))["Handshakes"]]
    assert states == ["CANCELED", "DECLINED", "ACCEPTED"]
    page = await _call(as_guest.list_handshakes_for_account, MaxResults=2)
    assert len(page["Handshakes"]) == 2 and page["NextToken"]
    rest = await _call(as_guest.list_handshakes_for_account, MaxResults=2, NextToken=page["NextToken"])
    assert [h["Id"] for h in page["Handshakes"] + rest["Handshakes"]] == [sent["Id"], second["Id"], third["Id"]]

    audit = audit_pb2_grpc.AuditServiceStub(iamd_http.channel)
    for name in ("InviteAccountToOrganization", "AcceptHandshake", "DeclineHandshake", "CancelHandshake"):
        events = (await audit.LookupEvents(audit_pb2.LookupEventsRequest(lookup_attributes=[
            audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value=name)]))).events
        assert events and json.loads(events[0].cloud_trail_event)["eventSource"] == "organizations.amazonaws.com"


async def test_an_account_that_accepts_is_governed_by_the_organizations_scps(iamd: Iamd) -> None:
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    root_id = (await org.CreateOrganization(opb.CreateOrganizationRequest())).root_id
    await org.EnablePolicyType(opb.EnablePolicyTypeRequest(root_id=root_id, policy_type=SCP))
    no_s3 = (await org.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
        name="no-s3", type=SCP, content=deny("s3:*")))).policy_id
    await org.AttachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(policy_id=no_s3, target_id=root_id))
    dev, channel = await _member_with_a_user(iamd, org)
    guest = dev.split(":")[4]
    removed = await org.RemoveAccountFromOrganization(opb.DescribeAccountRequest(account_id=guest))
    authz = authorization_pb2_grpc.AuthorizationServiceStub(channel)
    as_guest = organizations_pb2_grpc.OrganizationsServiceStub(channel)

    async def decide(position: int) -> str:
        answer = await authz.Authorize(apb.AuthorizeRequest(principal_arn=dev, action="s3:GetObject", resource="*",
                                                            min_position=position))
        return apb.Decision.Name(answer.decision)

    assert await decide(removed.position) == "DECISION_ALLOW"  # standalone
    invited = await org.InviteAccountToOrganization(opb.InviteAccountToOrganizationRequest(
        target=opb.HandshakeParty(id=guest, type="ACCOUNT")))
    handshake_id = invited.handshake.id
    assert await decide(invited.position) == "DECISION_ALLOW"  # invited is not joined

    # Past its expiration an open invitation is EXPIRED (read from the clock): it cannot be
    # accepted, and another may be sent.
    iamd.clock.offset = timedelta(days=15, seconds=1).total_seconds()
    later = iamd.connect(iamd.root)  # signs on the server's clock
    try:
        org = organizations_pb2_grpc.OrganizationsServiceStub(later)
        described = await org.DescribeHandshake(opb.DescribeHandshakeRequest(handshake_id=handshake_id))
        assert described.handshake.state == "EXPIRED"
        await refused(org.CancelHandshake(opb.CancelHandshakeRequest(handshake_id=handshake_id)),
                      grpc.StatusCode.FAILED_PRECONDITION, "InvalidHandshakeTransitionException")
    finally:
        iamd.clock.offset = 0
        await later.close()

    accepted = await as_guest.AcceptHandshake(opb.AcceptHandshakeRequest(handshake_id=handshake_id))
    assert accepted.handshake.state == "ACCEPTED"
    assert await decide(accepted.position) == "DECISION_EXPLICIT_DENY"  # the root's SCP governs it now
    left = await as_guest.LeaveOrganization(opb.LeaveOrganizationRequest())
    assert await decide(left.position) == "DECISION_ALLOW"
    await channel.close()


async def test_iamctl_commands(iamd_http: Iamd, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    org = _client(iamd_http, "organizations")
    await _call(org.create_organization, FeatureSet="ALL")
    guest, as_guest = await _standalone(iamd_http, org)
    monkeypatch.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(iamd_http.data_dir / "root-credentials"))

    iamctl = iamctl_json(iamd_http, capsys, "organizations")

    sent = (await asyncio.to_thread(iamctl, "invite-account-to-organization", "--target",
                                    f"Id={guest},Type=ACCOUNT", "--notes", "join us"))["Handshake"]
    assert sent["State"] == "OPEN" and sent["Parties"][1] == {"Id": guest, "Type": "ACCOUNT"}
    [listed] = (await asyncio.to_thread(iamctl, "list-handshakes-for-organization", "--filter",
                                        '{"ActionType": "INVITE"}'))["Handshakes"]
    assert listed["Id"] == sent["Id"]
    assert (await asyncio.to_thread(iamctl, "cancel-handshake", "--handshake-id",
                                    sent["Id"]))["Handshake"]["State"] == "CANCELED"
    assert (await asyncio.to_thread(iamctl, "describe-handshake", "--handshake-id",
                                    sent["Id"]))["Handshake"]["State"] == "CANCELED"
