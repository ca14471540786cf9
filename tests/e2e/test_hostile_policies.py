"""Every policy-writing call refuses documents that are not JSON objects, nest too deeply or are
too big: with MalformedPolicyDocument (or AWS's quota error) naming the field, and no event."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import pytest

from iamd.projections.identity import IDENTITY_STREAMS
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import organizations_pb2 as opb
from iamd.v1 import organizations_pb2_grpc, sts_pb2

from .conftest import ACCOUNT, Iamd
from .helpers import TRUST_EC2, allow, field_violations, refused, user_with_key

pytestmark = pytest.mark.e2e

NOT_OBJECTS = ["null", "[]", "[{}]", "1", "-2.5", '"a string"', "true", "false"]
NESTED = ["[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000,
          '{"Statement": ' + "[" * 40 + "]" * 40 + "}"]
TRUST_SELF = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]})
SCP = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})

Call = Callable[[Iamd, str], Awaitable[Any]]


async def _setup(iamd: Iamd) -> None:
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="u"))
    await iamd.iam.CreateGroup(ipb.CreateGroupRequest(group_name="g"))
    await iamd.iam.CreateRole(ipb.CreateRoleRequest(role_name="r", assume_role_policy_document=TRUST_SELF))
    await iamd.iam.CreatePolicy(ipb.CreatePolicyRequest(policy_name="p", policy_document=allow("s3:*")))


def _inline(kind: int, name: str) -> Call:
    return lambda iamd, doc: iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=kind, name=name), policy_name="inline", policy_document=doc))


POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/p"
WRITERS: dict[str, tuple[Call, str]] = {
    "CreatePolicy": (lambda iamd, doc: iamd.iam.CreatePolicy(ipb.CreatePolicyRequest(
        policy_name="new", policy_document=doc)), "policyDocument"),
    "PutUserPolicy": (_inline(pb.ENTITY_KIND_USER, "u"), "policyDocument"),
    "PutGroupPolicy": (_inline(pb.ENTITY_KIND_GROUP, "g"), "policyDocument"),
    "PutRolePolicy": (_inline(pb.ENTITY_KIND_ROLE, "r"), "policyDocument"),
    "CreatePolicyVersion": (lambda iamd, doc: iamd.iam.CreatePolicyVersion(ipb.CreatePolicyVersionRequest(
        policy_arn=POLICY_ARN, policy_document=doc)), "policyDocument"),
    "UpdateAssumeRolePolicy": (lambda iamd, doc: iamd.iam.UpdateAssumeRolePolicy(ipb.UpdateAssumeRolePolicyRequest(
        role_name="r", policy_document=doc)), "policyDocument"),
    "CreateRole": (lambda iamd, doc: iamd.iam.CreateRole(ipb.CreateRoleRequest(
        role_name="new", assume_role_policy_document=doc)), "assumeRolePolicyDocument"),
    "PutResourcePolicy": (lambda iamd, doc: iamd.iam.PutResourcePolicy(ipb.PutResourcePolicyRequest(
        resource_arn="arn:aws:s3:::bucket", policy_document=doc)), "policyDocument"),
}


@pytest.mark.parametrize("call", list(WRITERS))
async def test_every_policy_writer_refuses_non_objects_and_nesting_bombs(iamd: Iamd, call: str) -> None:
    await _setup(iamd)
    write, field = WRITERS[call]
    head = await iamd.running.store.head_position(IDENTITY_STREAMS)
    for document in NOT_OBJECTS + NESTED:
        error = await refused(write(iamd, document), grpc.StatusCode.INVALID_ARGUMENT, "MalformedPolicyDocument")
        assert field in field_violations(error), (document[:20], field_violations(error))
    assert await iamd.running.store.head_position(IDENTITY_STREAMS) == head, "a refused document left an event"


async def test_documents_beyond_the_size_quotas_are_refused(iamd: Iamd) -> None:
    await _setup(iamd)
    head = await iamd.running.store.head_position(IDENTITY_STREAMS)

    def sized(chars: int) -> str:  # an identity policy of at least `chars` non-whitespace characters
        actions = [f"s3:GetObject{i:05d}" for i in range(chars // 20 + 1)]
        return allow(actions)

    # Managed policy 6,144; inline per user 2,048, group 5,120, role 10,240; trust policy 2,048.
    big_trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:user/u{i:04d}" for i in range(60)]},
         "Action": "sts:AssumeRole"}]})
    for call, document in (("CreatePolicy", sized(6200)), ("CreatePolicyVersion", sized(6200)),
                           ("PutUserPolicy", sized(2100)), ("PutGroupPolicy", sized(5200)),
                           ("PutRolePolicy", sized(10300)), ("UpdateAssumeRolePolicy", big_trust),
                           ("CreateRole", big_trust), ("PutResourcePolicy", sized(20500).replace(
                               '"Effect"', '"Principal": "*", "Effect"'))):
        write, field = WRITERS[call]
        error = await refused(write(iamd, document), grpc.StatusCode.RESOURCE_EXHAUSTED, "LimitExceeded")
        assert field_violations(error) == [field], (call, field_violations(error))
    assert await iamd.running.store.head_position(IDENTITY_STREAMS) == head

    # Below the quotas the same calls succeed.
    await WRITERS["PutUserPolicy"][0](iamd, sized(1500))
    await WRITERS["CreatePolicy"][0](iamd, sized(5000))


async def test_session_policies_refuse_non_objects_nesting_and_size(iamd: Iamd) -> None:
    await _setup(iamd)
    await iamd.iam.AttachPolicy(ipb.AttachPolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="u"), policy_arn=POLICY_ARN))
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="u"), policy_name="sts",
        policy_document=allow(["sts:AssumeRole", "sts:GetFederationToken"])))
    credentials = await user_with_key(iamd, "caller")
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="caller"), policy_name="sts",
        policy_document=allow(["sts:AssumeRole", "sts:GetFederationToken"])))
    from iamd.v1 import sts_pb2_grpc

    async with iamd.connect(credentials) as channel:
        stub = sts_pb2_grpc.SecurityTokenServiceStub(channel)
        head = await iamd.running.store.head_position(IDENTITY_STREAMS)
        # Nesting bombs within the 2,048 characters a session policy may have (a longer one is a
        # ValidationError, checked before anything is parsed).
        for document in NOT_OBJECTS + ["[" * 1000 + "]" * 1000, '{"a":' * 300 + "1" + "}" * 300]:
            error = await refused(stub.AssumeRole(sts_pb2.AssumeRoleRequest(
                role_arn=f"arn:aws:iam::{ACCOUNT}:role/r", role_session_name="ss", policy=document)),
                grpc.StatusCode.INVALID_ARGUMENT, "MalformedPolicyDocument")
            assert "policy" in field_violations(error)
            await refused(stub.GetFederationToken(sts_pb2.GetFederationTokenRequest(name="fed", policy=document)),
                          grpc.StatusCode.INVALID_ARGUMENT, "MalformedPolicyDocument")
        await refused(stub.GetFederationToken(sts_pb2.GetFederationTokenRequest(
            name="fed", policy=allow([f"s3:GetObject{i:05d}" for i in range(120)]))),
            grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")
        assert await iamd.running.store.head_position(IDENTITY_STREAMS) == head


async def test_organization_policies_refuse_non_objects_nesting_and_size(iamd: Iamd) -> None:
    orgs = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    await orgs.CreateOrganization(opb.CreateOrganizationRequest())
    created = await orgs.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
        name="scp", type="SERVICE_CONTROL_POLICY", content=SCP))
    head = await iamd.running.store.head_position(IDENTITY_STREAMS)
    # 1,000 deep is beyond the 5,120 characters of an SCP: 500 deep is within them.
    for document in NOT_OBJECTS + ["[" * 500 + "]" * 500, '{"a":' * 500 + "1" + "}" * 500, NESTED[2]]:
        error = await refused(orgs.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
            name="bad", type="SERVICE_CONTROL_POLICY", content=document)),
            grpc.StatusCode.INVALID_ARGUMENT, "MalformedPolicyDocument")
        assert "content" in field_violations(error)
        await refused(orgs.UpdateOrganizationPolicy(opb.UpdateOrganizationPolicyRequest(
            policy_id=created.policy_id, content=document)), grpc.StatusCode.INVALID_ARGUMENT,
            "MalformedPolicyDocument")
    # SCPs and RCPs: at most 5,120 characters (AWS Organizations quotas), whitespace included.
    big = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": [f"s3:GetObject{i:05d}" for i in range(300)], "Resource": "*"}]})
    assert len(big) > 5120
    for kind in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
        error = await refused(orgs.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
            name="big", type=kind, content=big if kind == "SERVICE_CONTROL_POLICY" else big.replace(
                '"Resource"', '"Principal": "*", "Resource"'))),
            grpc.StatusCode.FAILED_PRECONDITION, "ConstraintViolationException")
        assert "content" in field_violations(error)
    await refused(orgs.UpdateOrganizationPolicy(opb.UpdateOrganizationPolicyRequest(
        policy_id=created.policy_id, content=big)), grpc.StatusCode.FAILED_PRECONDITION,
        "ConstraintViolationException")
    assert await iamd.running.store.head_position(IDENTITY_STREAMS) == head


@pytest.mark.parametrize("document", NOT_OBJECTS + ["[" * 30 + "]" * 30] + [
    pytest.param('{"Statement": ' + "[" * 40 + "]" * 40 + "}", id="statement-nested-40"),
    pytest.param('{"Statement": [null]}', id="statement-null"),
    pytest.param('{"Statement": {"Effect": "Allow"}}', id="statement-without-resource")])
async def test_authorize_refuses_a_malformed_inline_resource_policy(iamd: Iamd, document: str) -> None:
    await _setup(iamd)
    error = await refused(iamd.authz.Authorize(apb.AuthorizeRequest(
        principal_arn=f"arn:aws:iam::{ACCOUNT}:user/u", action="s3:GetObject", resource="arn:aws:s3:::b/k",
        resource_account=ACCOUNT, resource_policy=document)), grpc.StatusCode.INVALID_ARGUMENT,
        "MalformedPolicyDocument")
    assert any(f.startswith("resourcePolicy") for f in field_violations(error))


@pytest.mark.parametrize("document", NESTED[:2])
async def test_authorize_refuses_a_nesting_bomb_as_inline_resource_policy(iamd: Iamd, document: str) -> None:
    await _setup(iamd)
    await refused(iamd.authz.Authorize(apb.AuthorizeRequest(
        principal_arn=f"arn:aws:iam::{ACCOUNT}:user/u", action="s3:GetObject", resource="arn:aws:s3:::b/k",
        resource_account=ACCOUNT, resource_policy=document)), grpc.StatusCode.INVALID_ARGUMENT,
        "MalformedPolicyDocument")


async def test_tags_with_control_characters_are_refused(iamd: Iamd) -> None:
    head = await iamd.running.store.head_position(IDENTITY_STREAMS)
    for key, value in (("a\nb", "v"), ("k", "line\nbreak"), ("tab\t", "v"), ("k", "\x00")):
        error = await refused(iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="t", tags=[pb.Tag(key=key, value=value)])),
                              grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")
        assert any(f.startswith("tags.1.member") for f in field_violations(error))
    assert await iamd.running.store.head_position(IDENTITY_STREAMS) == head
    # Letters, numbers and spaces of any script are fine, as in AWS.
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="t", tags=[pb.Tag(key="Käse 東京 ٣", value="a b+c=d@e")]))
    await refused(iamd.iam.UntagEntity(ipb.UntagEntityRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="t"), tag_keys=["a\nb"])),
        grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")
    await refused(iamd.iam.ListUsers(ipb.ListUsersRequest(path_prefix="/a\n")), grpc.StatusCode.INVALID_ARGUMENT,
                  "ValidationError")
    with pytest.raises(grpc.aio.AioRpcError):
        await iamd.iam.ListUsers(ipb.ListUsersRequest(path_prefix="/" + "a" * 600))


async def test_inline_policy_calls_naming_a_managed_policy_are_refused(iamd: Iamd) -> None:
    await _setup(iamd)
    target = pb.EntityRef(kind=pb.ENTITY_KIND_POLICY, name="p")
    for call in (iamd.iam.GetInlinePolicy(ipb.GetInlinePolicyRequest(target=target, policy_name="x")),
                 iamd.iam.ListAttachedPolicies(ipb.ListAttachedPoliciesRequest(target=target)),
                 iamd.iam.ListInlinePolicies(ipb.ListInlinePoliciesRequest(target=target)),
                 iamd.iam.DeleteInlinePolicy(ipb.DeleteInlinePolicyRequest(target=target, policy_name="x")),
                 iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(target=target, policy_name="x",
                                                                     policy_document=allow("s3:*")))):
        error = await refused(call, grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")
        assert field_violations(error) == ["target.kind"]


@pytest.mark.parametrize("document", ["null", "[1]", "true", "[" * 1000 + "]" * 1000])
async def test_simulation_refuses_policies_that_are_not_objects(iamd: Iamd, document: str) -> None:
    ok = allow("s3:GetObject")
    for request in (apb.SimulateCustomPolicyRequest(policy_input_list=[document], action_names=["s3:GetObject"]),
                    apb.SimulateCustomPolicyRequest(policy_input_list=[ok], action_names=["s3:GetObject"],
                                                    permissions_boundary_policy_input_list=[document]),
                    apb.SimulateCustomPolicyRequest(policy_input_list=[ok], action_names=["s3:GetObject"],
                                                    resource_arns=["arn:aws:s3:::b/k"], resource_policy=document)):
        await refused(iamd.authz.SimulateCustomPolicy(request), grpc.StatusCode.INVALID_ARGUMENT,
                      "MalformedPolicyDocument")


async def test_simulation_refuses_a_nesting_bomb_as_resource_policy(iamd: Iamd) -> None:
    await refused(iamd.authz.SimulateCustomPolicy(apb.SimulateCustomPolicyRequest(
        policy_input_list=[allow("s3:GetObject")], action_names=["s3:GetObject"], resource_arns=["arn:aws:s3:::b/k"],
        resource_policy="[" * 1000 + "]" * 1000)), grpc.StatusCode.INVALID_ARGUMENT, "MalformedPolicyDocument")


async def test_a_document_with_very_many_problems_still_gets_its_iam_error(iamd: Iamd) -> None:
    # Every problem in the error details would exceed what a gRPC client accepts in trailers
    # (RESOURCE_EXHAUSTED "Stream removed", no IAM code): the first ones are shown, the rest counted.
    document = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Permit", "Action": "s3", "Resource": "x" * 100} for _ in range(150)]})
    error = await refused(iamd.iam.CreatePolicy(ipb.CreatePolicyRequest(policy_name="many", policy_document=document)),
                          grpc.StatusCode.INVALID_ARGUMENT, "MalformedPolicyDocument")
    fields = field_violations(error)
    assert "policyDocument:Statement[0].Effect" in fields and len(fields) < 100
