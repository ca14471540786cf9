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
from .helpers import create_organization, refused
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
