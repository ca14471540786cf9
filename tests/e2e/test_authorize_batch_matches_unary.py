"""AuthorizeBatch answers each request exactly as Authorize answers it alone (issue 10): the
batch's fast path (service/rpc/authorization.py `_immediate`) and the per-subject caches of
service/app/authorize.py must not change a decision, its explanation, its position or its
encoded denial, over varied requests: context keys, resource tags, inline and registered resource
policies, service principals, anonymous requests, as_of, min_position, session tokens, explain
and encode_denial; and a request refused alone is refused in a batch with the same error."""

from __future__ import annotations

import itertools
import json
from typing import Any

import grpc
import pytest

from iamd.client.credentials import Credentials
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import sts_pb2, sts_pb2_grpc

from .conftest import ACCOUNT, Iamd
from .helpers import allow, error_reason, user_with_key

pytestmark = pytest.mark.e2e

ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
BUCKET = "arn:aws:s3:::shared"
OBJECT = "arn:aws:s3:::shared/reports/q1.csv"
ALICE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "OwnTeam", "Effect": "Allow", "Action": "s3:*", "Resource": "*",
     "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}},
    {"Sid": "FromOffice", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
     "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
    {"Sid": "Prefixes", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": BUCKET,
     "Condition": {"ForAllValues:StringLike": {"s3:prefix": ["reports/*", "home/"]}}},
    {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:ResourceTag/stage": "scratch"}}},
    {"Sid": "Iam", "Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]})
BUCKET_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "Logs", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
     "Action": "s3:PutObject", "Resource": f"{BUCKET}/*"},
    {"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
     "Resource": f"{BUCKET}/public/*"},
    {"Sid": "NobodyDeletes", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", "Resource": BUCKET},
    {"Sid": "Alice", "Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "s3:PutObjectTagging",
     "Resource": f"{BUCKET}/*"}]})
INLINE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sqs:*", "Resource": "*"},
    {"Effect": "Deny", "Principal": "*", "Action": "sqs:DeleteQueue", "Resource": "*",
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})


def _context(**keys: str | list[str]) -> dict[str, apb.ContextValue]:
    return {k: apb.ContextValue(values=[v]) if isinstance(v, str) else apb.ContextValue(values=v, multivalued=True)
            for k, v in keys.items()}


async def _setup(iamd: Iamd) -> tuple[str, int]:
    """alice (tagged team=blue) with ALICE_POLICY, a role she may assume, a bucket with a
    registered policy and tags; (a session token of alice's role session, the position before
    the bucket's policy was registered)."""
    alice = await user_with_key(iamd, "alice")
    await iamd.iam.TagEntity(ipb.TagEntityRequest(target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="alice"),
                                                  tags=[pb.Tag(key="team", value="blue")]))
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="alice"), policy_name="s3", policy_document=ALICE_POLICY))
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="alice"), policy_name="assume",
        policy_document=allow(["sts:AssumeRole", "sts:TagSession"])))
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]})
    await iamd.iam.CreateRole(ipb.CreateRoleRequest(role_name="reader", assume_role_policy_document=trust,
                                                    tags=[pb.Tag(key="team", value="green")]))
    put = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_ROLE, name="reader"), policy_name="read",
        policy_document=ALICE_POLICY))
    await iamd.running.runner.wait_for(put.position, 5)
    before = put.position
    channel = iamd.connect(Credentials(alice.access_key_id, alice.secret_access_key))
    try:
        session = (await sts_pb2_grpc.SecurityTokenServiceStub(channel).AssumeRole(sts_pb2.AssumeRoleRequest(
            role_arn=f"arn:aws:iam::{ACCOUNT}:role/reader", role_session_name="s1",
            tags=[pb.Tag(key="team", value="blue")],
            policy=allow(["s3:GetObject", "s3:ListBucket", "s3:DeleteObject"])))).credentials
    finally:
        await channel.close()
    await iamd.iam.PutResourcePolicy(ipb.PutResourcePolicyRequest(resource_arn=BUCKET, policy_document=BUCKET_POLICY))
    await iamd.iam.PutResourcePolicy(ipb.PutResourcePolicyRequest(resource_arn=f"{BUCKET}/public/a.txt",
                                                                  policy_document=BUCKET_POLICY))
    tagged = await iamd.iam.TagResource(ipb.TagResourceRequest(resource_arn=OBJECT, tags=[
        pb.Tag(key="team", value="blue"), pb.Tag(key="stage", value="scratch")]))
    await iamd.running.runner.wait_for(tagged.position, 5)
    return session.session_token, before


def _requests(token: str, before: int, head: int) -> list[apb.AuthorizeRequest]:
    who: list[dict[str, Any]] = [
        {"principal_arn": ALICE}, {"principal_arn": ROOT}, {"principal_arn": f"arn:aws:iam::{ACCOUNT}:role/reader"},
        {"principal_arn": f"arn:aws:iam::{ACCOUNT}:user/nobody"}, {"principal_arn": "arn:aws:iam::210987654321:root"},
        {"session_token": token}, {"service_principal": "logging.s3.amazonaws.com"}, {"anonymous": True}]
    what: list[dict[str, Any]] = [
        {"action": "s3:GetObject", "resource": OBJECT},
        {"action": "s3:GetObject", "resource": f"{BUCKET}/public/a.txt"},
        {"action": "s3:GetObject", "resource": f"{BUCKET}/other", "context": _context(**{"aws:SourceIp": "10.1.2.3"})},
        {"action": "s3:ListBucket", "resource": BUCKET, "context": _context(**{"s3:prefix": ["reports/2026", "home/"]})},
        {"action": "s3:ListBucket", "resource": BUCKET, "context": _context(**{"s3:prefix": ["etc/"]})},
        {"action": "s3:DeleteObject", "resource": OBJECT},
        {"action": "s3:DeleteObject", "resource": f"{BUCKET}/x", "resource_tags": {"team": "blue"}},
        {"action": "s3:DeleteObject", "resource": f"{BUCKET}/x", "has_resource_tags": True},
        {"action": "s3:PutObject", "resource": f"{BUCKET}/logs/1", "resource_account": ACCOUNT},
        {"action": "s3:PutObjectTagging", "resource": OBJECT},
        {"action": "s3:DeleteBucket", "resource": BUCKET, "resource_account": ACCOUNT},
        {"action": "s3:PutBucketPolicy", "resource": BUCKET, "resource_account": ACCOUNT},
        {"action": "sqs:DeleteQueue", "resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:q",
         "resource_policy": INLINE_POLICY, "context": _context(**{"aws:SecureTransport": "false"})},
        {"action": "sqs:SendMessage", "resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:q",
         "resource_policy": INLINE_POLICY, "resource_tags": {"team": "blue"}},
        {"action": "iam:GetUser", "resource": ALICE},
        {"action": "ec2:RunInstances", "resource": "*", "resource_account": ACCOUNT}]
    how: list[dict[str, Any]] = [
        {}, {"explain": True}, {"encode_denial": True}, {"explain": True, "encode_denial": True},
        {"min_position": head}, {"as_of": apb.AsOf(position=before)}, {"as_of": apb.AsOf(position=head), "explain": True}]
    return [apb.AuthorizeRequest(**w, **x, **h) for w, x, h in itertools.product(who, what, how)]


async def _decoded(iamd: Iamd, message: str) -> Any:
    if not message:
        return None
    answer = await iamd.sts.DecodeAuthorizationMessage(sts_pb2.DecodeAuthorizationMessageRequest(
        encoded_message=message))
    return json.loads(answer.decoded_message)


async def _outcome(iamd: Iamd, request: apb.AuthorizeRequest, response: apb.AuthorizeResponse | None,
                   error: grpc.aio.AioRpcError | None) -> Any:
    if error is not None:
        return ("error", error.code(), error_reason(error))
    assert response is not None
    plain = apb.AuthorizeResponse()
    plain.CopyFrom(response)
    plain.ClearField("encoded_authorization_message")
    return (plain.SerializeToString(deterministic=True), await _decoded(iamd, response.encoded_authorization_message))


async def test_a_batch_answers_each_request_as_authorize_answers_it(iamd: Iamd) -> None:
    token, before = await _setup(iamd)
    head = iamd.running.runner.projection.position
    requests = _requests(token, before, head)
    answered = 0
    for start in range(0, len(requests), 100):
        chunk = requests[start:start + 100]
        alone = []
        for request in chunk:
            try:
                alone.append(await _outcome(iamd, request, await iamd.authz.Authorize(request), None))
            except grpc.aio.AioRpcError as e:
                alone.append(await _outcome(iamd, request, None, e))
        together: list[Any] = []
        try:
            batch = await iamd.authz.AuthorizeBatch(apb.AuthorizeBatchRequest(requests=chunk))
            together = [await _outcome(iamd, q, r, None) for q, r in zip(chunk, batch.responses, strict=True)]
        except grpc.aio.AioRpcError:  # one refused request refuses the batch: compare them one by one
            for request in chunk:
                try:
                    one = await iamd.authz.AuthorizeBatch(apb.AuthorizeBatchRequest(requests=[request]))
                    together.append(await _outcome(iamd, request, one.responses[0], None))
                except grpc.aio.AioRpcError as e:
                    together.append(await _outcome(iamd, request, None, e))
        for request, a, b in zip(chunk, alone, together, strict=True):
            assert a == b, request
        answered += sum(1 for a in alone if a[0] != "error")
    assert answered > len(requests) // 2  # most of them are decisions, not refusals
    assert iamd.running.runner.projection.position == head  # nothing was written meanwhile
