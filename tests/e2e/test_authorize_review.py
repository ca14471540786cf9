"""Review of the Authorize path around the engine (service/app/authorize.py, service/rpc/authorization.py):
what a caller may supply, whose resource a request is on, and which principals exist."""

from __future__ import annotations

import json

import grpc
import pytest

from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb

from .conftest import ACCOUNT, Iamd
from .helpers import allow, error_reason

pytestmark = pytest.mark.e2e

ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
OTHER = "111122223333"
ORG_ID = "o-abcdefghij"


async def _alice(iamd: Iamd, policy: str) -> int:
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="alice"))
    put = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="alice"), policy_name="p", policy_document=policy))
    return put.position


@pytest.mark.parametrize("key", ["aws:ResourceOrgID", "aws:resourceorgpaths", "aws:ResourceAccount"])
async def test_resource_organization_keys_cannot_be_supplied(iamd: Iamd, key: str) -> None:
    """aws:ResourceAccount, aws:ResourceOrgID and aws:ResourceOrgPaths are iamd's to derive from the
    resource's account (AWS sets them; the ResourceOrg keys only when that account is in an
    organization). A caller supplying one for a resource whose account is in no organization made
    a policy conditioned on the organization match, and sidestepped a data-perimeter Deny."""
    value = [f"{ORG_ID}/r-ab12/"] if key.lower() == "aws:resourceorgpaths" else (
        ORG_ID if key.lower() == "aws:resourceorgid" else ACCOUNT)
    perimeter = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:ResourceOrgID": ORG_ID}}}]})
    position = await _alice(iamd, perimeter)
    request = dict(principal_arn=ALICE, action="s3:GetObject", resource="arn:aws:s3:::outside/k",
                   resource_account=ACCOUNT, min_position=position)
    plain = await iamd.authz.Authorize(apb.AuthorizeRequest(**request))
    assert plain.decision == apb.DECISION_EXPLICIT_DENY  # outside any organization: the perimeter denies
    context = {key: apb.ContextValue(values=value, multivalued=True) if isinstance(value, list)
               else apb.ContextValue(values=[value])}
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await iamd.authz.Authorize(apb.AuthorizeRequest(**request, context=context))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_reason(refused.value) == "InvalidInput"


async def test_resource_account_must_agree_with_the_arn(iamd: Iamd) -> None:
    """resource_account says who owns a resource whose ARN names no account (a bucket's). One that
    contradicts the ARN's account made another account's queue the principal's own: a same-account
    request, allowed by the identity policy alone, where AWS needs the queue's owner to allow it
    too (and where the owner's registered policy, with its Deny, was set aside as another's)."""
    position = await _alice(iamd, allow("sqs:*"))
    queue = f"arn:aws:sqs:us-east-1:{OTHER}:orders"
    request = dict(principal_arn=ALICE, action="sqs:SendMessage", resource=queue, min_position=position)
    assert (await iamd.authz.Authorize(apb.AuthorizeRequest(**request))).decision == apb.DECISION_IMPLICIT_DENY
    assert (await iamd.authz.Authorize(apb.AuthorizeRequest(**request, resource_account=OTHER))).decision \
        == apb.DECISION_IMPLICIT_DENY
    for claimed in (ACCOUNT, "not-an-account"):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await iamd.authz.Authorize(apb.AuthorizeRequest(**request, resource_account=claimed))
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert error_reason(refused.value) == "InvalidInput"
    # A bucket's ARN names no account: the request says whose it is.
    bucket = dict(request, action="s3:GetObject", resource="arn:aws:s3:::b/k")
    assert (await iamd.authz.Authorize(apb.AuthorizeRequest(**bucket, resource_account=OTHER))).decision \
        == apb.DECISION_IMPLICIT_DENY
    assert (await iamd.authz.Authorize(apb.AuthorizeRequest(**bucket, resource_account=ACCOUNT))).decision \
        == apb.DECISION_IMPLICIT_DENY  # alice may do sqs:* only
