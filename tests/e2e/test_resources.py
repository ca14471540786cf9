"""Other services' resources: registered (or inline) resource policies and tags take part in Authorize."""

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
BUCKET_KEY = "arn:aws:s3:::reports/q1.csv"


def bucket_policy(effect: str = "Allow", principal: str = ALICE) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": effect, "Principal": {"AWS": principal}, "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::reports/*"}]})


async def decide(iamd: Iamd, position: int = 0, **extra: object) -> int:
    answer = await iamd.authz.Authorize(apb.AuthorizeRequest(
        principal_arn=ALICE, action="s3:GetObject", resource=BUCKET_KEY, resource_account=ACCOUNT,
        min_position=position, **extra))
    return answer.decision


async def test_registered_resource_policy_and_tags(iamd: Iamd) -> None:
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="alice"))
    assert await decide(iamd) == apb.DECISION_IMPLICIT_DENY
    # Same account: a bucket policy naming the user is enough, without any identity policy.
    put = await iamd.iam.PutResourcePolicy(ipb.PutResourcePolicyRequest(resource_arn=BUCKET_KEY,
                                                                        policy_document=bucket_policy()))
    assert await decide(iamd, put.position) == apb.DECISION_ALLOW
    got = await iamd.iam.GetResourcePolicy(ipb.GetResourcePolicyRequest(resource_arn=BUCKET_KEY))
    assert json.loads(got.policy_document)["Statement"][0]["Principal"]["AWS"] == ALICE
    deleted = await iamd.iam.DeleteResourcePolicy(ipb.DeleteResourcePolicyRequest(resource_arn=BUCKET_KEY))
    assert await decide(iamd, deleted.position) == apb.DECISION_IMPLICIT_DENY

    # Tags feed aws:ResourceTag/*.
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="alice"), policy_name="dev-only",
        policy_document=allow("s3:GetObject", "*", Condition={"StringEquals": {"aws:ResourceTag/env": "dev"}})))
    tagged = await iamd.iam.TagResource(ipb.TagResourceRequest(resource_arn=BUCKET_KEY,
                                                               tags=[pb.Tag(key="env", value="dev")]))
    assert await decide(iamd, tagged.position) == apb.DECISION_ALLOW
    listed = await iamd.iam.ListTagsForResource(ipb.ListTagsForResourceRequest(resource_arn=BUCKET_KEY))
    assert [(t.key, t.value) for t in listed.tags] == [("env", "dev")]
    untagged = await iamd.iam.UntagResource(ipb.UntagResourceRequest(resource_arn=BUCKET_KEY, tag_keys=["ENV"]))
    assert await decide(iamd, untagged.position) == apb.DECISION_IMPLICIT_DENY


async def test_the_owning_service_may_pass_policy_and_tags_inline(iamd: Iamd) -> None:
    created = await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="alice"))
    assert await decide(iamd, created.position, resource_policy=bucket_policy()) == apb.DECISION_ALLOW
    assert await decide(iamd, resource_policy=bucket_policy("Deny", "*")) == apb.DECISION_EXPLICIT_DENY
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="alice"), policy_name="dev-only",
        policy_document=allow("s3:GetObject", "*", Condition={"StringEquals": {"aws:ResourceTag/env": "dev"}})))
    put = await iamd.iam.TagResource(ipb.TagResourceRequest(resource_arn=BUCKET_KEY,
                                                            tags=[pb.Tag(key="env", value="dev")]))
    assert await decide(iamd, put.position) == apb.DECISION_ALLOW
    # Inline tags replace the registered ones, even an empty set of them.
    assert await decide(iamd, resource_tags={"env": "prod"}) == apb.DECISION_IMPLICIT_DENY
    assert await decide(iamd, has_resource_tags=True) == apb.DECISION_IMPLICIT_DENY
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await decide(iamd, resource_policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}')
    assert error_reason(caught.value) == "MalformedPolicyDocument"
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await iamd.iam.PutResourcePolicy(ipb.PutResourcePolicyRequest(resource_arn=BUCKET_KEY,
                                                                      policy_document=allow("s3:*")))
    assert error_reason(caught.value) == "MalformedPolicyDocument"  # a resource policy needs a Principal


QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders"


async def test_service_principals_and_anonymous_requests_are_decided_by_the_resource_policy(iamd: Iamd) -> None:
    queue_policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
         "Resource": QUEUE, "Condition": {"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"},
                                          "Bool": {"aws:PrincipalIsAWSService": "true"}}},
        {"Effect": "Allow", "Principal": "*", "Action": "sqs:GetQueueUrl", "Resource": QUEUE,
         "Condition": {"StringEquals": {"aws:PrincipalType": "Anonymous"}}}]})

    async def ask(action: str, **principal: object) -> int:
        answer = await iamd.authz.Authorize(apb.AuthorizeRequest(
            action=action, resource=QUEUE, resource_policy=queue_policy, **principal))
        return answer.decision

    source = {"aws:SourceArn": apb.ContextValue(values=[f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"])}
    other = {"aws:SourceArn": apb.ContextValue(values=[f"arn:aws:sns:us-east-1:{ACCOUNT}:spam"])}
    assert await ask("sqs:SendMessage", service_principal="sns.amazonaws.com", context=source) == apb.DECISION_ALLOW
    assert await ask("sqs:SendMessage", service_principal="sns.amazonaws.com", context=other) == \
        apb.DECISION_IMPLICIT_DENY  # the policy is for deliveries on behalf of that topic only
    assert await ask("sqs:SendMessage", service_principal="events.amazonaws.com", context=source) == \
        apb.DECISION_IMPLICIT_DENY
    assert await ask("sqs:GetQueueUrl", anonymous=True) == apb.DECISION_ALLOW
    assert await ask("sqs:SendMessage", anonymous=True) == apb.DECISION_IMPLICIT_DENY
    # An IAM user is not anonymous: the Principal "*" statement's condition does not hold for it.
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="alice"))
    assert await ask("sqs:GetQueueUrl", principal_arn=ALICE) == apb.DECISION_IMPLICIT_DENY

    # What only iamd derives cannot be claimed, and the principal is named exactly one way.
    for extra in ({"service_principal": "sns.amazonaws.com", "anonymous": True},
                  {"principal_arn": ALICE, "anonymous": True},
                  {"service_principal": "not a service"},
                  {"service_principal": "sns.amazonaws.com",
                   "context": {"aws:PrincipalServiceName": apb.ContextValue(values=["x"])}}):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await ask("sqs:SendMessage", **extra)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT, extra
        assert error_reason(caught.value) in ("InvalidInput", "ValidationError"), extra
