"""A closed member account stays closed (issue 12): its principals stay denied after its
post-closure period, when the organization it was closed in is deleted (AWS: an account closed
for more than 90 days is permanently closed; it cannot be reopened, nor its principals used)."""

from __future__ import annotations

import grpc
import pytest

from iamd.v1 import organizations_pb2 as opb
from iamd.v1 import organizations_pb2_grpc
from iamd.v1 import sts_pb2, sts_pb2_grpc
from iamd.service.app.authorize import AuthorizeQuery
from iamd.service.domain import organizations

from .conftest import Iamd
from .helpers import refused

pytestmark = pytest.mark.e2e


async def test_a_closed_account_stays_denied_after_its_organization_is_deleted(iamd: Iamd) -> None:
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    await org.CreateOrganization(opb.CreateOrganizationRequest())
    member = await org.CreateAccount(opb.CreateAccountRequest(account_name="old", email="old@example.com"))
    authorizer = iamd.running.gateway.guard.authorizer  # type: ignore[union-attr]

    def decided(principal: str) -> str:
        return authorizer.authorize_now(AuthorizeQuery(principal, "s3:GetObject", "*")).decision.decision.name

    closed = await org.CloseAccount(opb.CloseAccountRequest(account_id=member.account_id))
    await iamd.running.runner.wait_for(closed.position, 5)
    assert decided(f"arn:aws:iam::{member.account_id}:root") == "IMPLICIT_DENY"
    iamd.clock.offset = 86400 * organizations.POST_CLOSURE_DAYS
    try:
        later = iamd.connect(iamd.root)
        deleted = await organizations_pb2_grpc.OrganizationsServiceStub(later).DeleteOrganization(
            opb.DeleteOrganizationRequest())
        await iamd.running.runner.wait_for(deleted.position, 5)
        # Permanently closed: its root user and its roles are still nobody's to use.
        assert decided(f"arn:aws:iam::{member.account_id}:root") == "IMPLICIT_DENY"
        await refused(sts_pb2_grpc.SecurityTokenServiceStub(later).AssumeRole(sts_pb2.AssumeRoleRequest(
            role_arn=member.access_role_arn, role_session_name="revived")), grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
        await later.close()
        # As a projection restored from a snapshot has it.
        projection = iamd.running.runner.projection
        restored = type(projection).from_snapshot(projection.to_snapshot())
        assert member.account_id in restored.closed_accounts
        assert member.account_id not in restored.organization_of_account
        assert restored.organization_of_account == projection.organization_of_account
    finally:
        iamd.clock.offset = 0
