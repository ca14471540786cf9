"""Review of the Authorize path around the engine (service/app/authorize.py, service/rpc/authorization.py):
what a caller may supply, whose resource a request is on, what an action is, and a batch item's bound."""

from __future__ import annotations

import json

import grpc
import pytest

from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import authorization_pb2_grpc
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


# AWS's sample SCP "Prevent root credentials management in member accounts": the root user may act
# only in a privileged session of AssumeRoot (aws-samples/service-control-policy-examples), here as
# a resource policy, which governs the root user as well.
ROOT_ONLY_IN_ROOT_SESSIONS = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:ListAllMyBuckets", "Resource": "*"},
    {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
     "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}, "Null": {"aws:AssumedRoot": "true"}}}]})


async def test_aws_assumed_root_cannot_be_supplied(iamd: Iamd) -> None:
    """aws:AssumedRoot is AWS's to set, for the sessions of STS AssumeRoot only. A caller supplying it
    for the root user's own request sidestepped a Deny reserved for requests outside such sessions."""
    request = dict(principal_arn=f"arn:aws:iam::{ACCOUNT}:root", action="s3:ListAllMyBuckets", resource="*",
                   resource_policy=ROOT_ONLY_IN_ROOT_SESSIONS)
    assert (await iamd.authz.Authorize(apb.AuthorizeRequest(**request))).decision == apb.DECISION_EXPLICIT_DENY
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await iamd.authz.Authorize(apb.AuthorizeRequest(
            **request, context={"aws:AssumedRoot": apb.ContextValue(values=["true"])}))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_reason(refused.value) == "InvalidInput"


async def test_a_root_session_has_aws_assumed_root(iamd_http: Iamd) -> None:
    """IAM User Guide, global condition keys: aws:AssumedRoot is in the request context of the
    requests made with AssumeRoot's credentials. iamd never set it: such a session was denied by the
    sample SCP's condition as if it were the root user's own sign-in."""
    from .test_aws_query import _call, _client
    from .test_root_access import IAM, S3_TASK, _member, _user

    iam, org = _client(iamd_http, "iam"), _client(iamd_http, "organizations")
    await _call(org.create_organization, FeatureSet="ALL")
    member = await _member(org, "data")
    await _call(org.enable_aws_service_access, ServicePrincipal=IAM)
    await _call(iam.enable_organizations_root_sessions)
    unlocker = await _user(iamd_http, "unlocker", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRoot", "Resource": f"arn:aws:iam::{member}:root",
        "Condition": {"StringEquals": {"sts:TaskPolicyArn": S3_TASK}}}]})
    session = (await _call(_client(iamd_http, "sts", unlocker).assume_root, TargetPrincipal=member,
                           TaskPolicyArn={"arn": S3_TASK}))["Credentials"]
    authz = authorization_pb2_grpc.AuthorizationServiceStub(iamd_http.channel)
    answer = await authz.Authorize(apb.AuthorizeRequest(
        session_token=session["SessionToken"], action="s3:ListAllMyBuckets", resource="*",
        resource_policy=ROOT_ONLY_IN_ROOT_SESSIONS, explain=True))
    assert answer.decision == apb.DECISION_ALLOW, answer


async def test_a_batch_item_larger_than_authorize_takes_is_refused_as_authorize_refuses_it(iamd: Iamd) -> None:
    """Authorize takes at most 256 KiB (service/rpc/messages.py); AuthorizeBatch 4 MiB for up to
    1,000 of those. One item of the batch larger than Authorize takes alone was decided all the
    same: refused alone, decided in a batch."""
    position = await _alice(iamd, allow("s3:GetObject"))
    big = {f"s3:key{i}": apb.ContextValue(values=["x" * 100]) for i in range(3000)}  # ~330 KB
    item = apb.AuthorizeRequest(principal_arn=ALICE, action="s3:GetObject", resource="arn:aws:s3:::b/k",
                                resource_account=ACCOUNT, context=big, min_position=position)
    with pytest.raises(grpc.aio.AioRpcError) as alone:
        await iamd.authz.Authorize(item)
    assert alone.value.code() == grpc.StatusCode.INVALID_ARGUMENT and error_reason(alone.value) == "InvalidInput"
    small = apb.AuthorizeRequest(principal_arn=ALICE, action="s3:GetObject", resource="arn:aws:s3:::b/k",
                                 resource_account=ACCOUNT)
    with pytest.raises(grpc.aio.AioRpcError) as batched:
        await iamd.authz.AuthorizeBatch(apb.AuthorizeBatchRequest(requests=[small, item]))
    assert batched.value.code() == grpc.StatusCode.INVALID_ARGUMENT and error_reason(batched.value) == "InvalidInput"
    assert "requests[1]" in batched.value.details() or "262144" in batched.value.details()
    # Items within the bound are decided as before.
    answers = await iamd.authz.AuthorizeBatch(apb.AuthorizeBatchRequest(requests=[small, small]))
    assert [a.decision for a in answers.responses] == [apb.DECISION_ALLOW] * 2


@pytest.mark.parametrize("action", ["s3:Delete*", "s3:*", "s3:DeleteObj?ct", "*", "s3:", ":DeleteObject",
                                    "s3:DeleteObject:x"])
async def test_an_action_is_one_action(iamd: Iamd, action: str) -> None:
    """A request's action is one action, `service:Action` (the proto): a pattern is no request AWS
    ever decides. "s3:Delete*" was matched as a literal, so an Allow of s3:* allowed it while the
    Deny of s3:DeleteObject, which every action it stands for meets, did not match it; "s3:" (no
    action) was allowed by s3:* likewise."""
    position = await _alice(iamd, json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}))
    request = dict(principal_arn=ALICE, resource="arn:aws:s3:::b/k", resource_account=ACCOUNT, min_position=position)
    assert (await iamd.authz.Authorize(apb.AuthorizeRequest(**request, action="s3:deleteobject"))).decision \
        == apb.DECISION_EXPLICIT_DENY
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await iamd.authz.Authorize(apb.AuthorizeRequest(**request, action=action))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_reason(refused.value) == "InvalidInput"
