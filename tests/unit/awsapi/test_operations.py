"""The correspondence of AWS operations and iamd RPCs: every declared one is real on both sides,
inputs map field by field or are refused, outputs take AWS's shapes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from google.protobuf import message_factory

from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.service.awsapi.operations import (
    OPERATIONS,
    OPERATIONS_BY_RPC_AND_NAME,
    aws_operation,
    from_request,
    lower_camel,
    snake,
    to_output,
    to_request,
)
from iamd.service.awsapi.models import service_model
from iamd.service.awsapi import simulation
from iamd.service.domain.errors import InvalidInputError
from iamd.service.server import SERVICES


@pytest.mark.parametrize("name,expected", [
    ("UserName", "user_name"), ("MFADevices", "mfa_devices"), ("PolicyArn", "policy_arn"),
    ("AuthenticationCode1", "authentication_code1"), ("VirtualMFADeviceName", "virtual_mfa_device_name"),
    ("Base32StringSeed", "base32_string_seed"), ("Arn", "arn"),
])
def test_snake_case_of_aws_member_names(name: str, expected: str) -> None:
    assert snake(name) == expected


def test_every_declared_operation_exists_in_the_aws_model_and_in_iamd() -> None:
    rpcs = {m.name for s in SERVICES for m in s.methods}
    for (service, name), op in OPERATIONS.items():
        assert name in service_model(service).operation_names, name
        assert op.rpc in rpcs, op.rpc
    assert len(OPERATIONS_BY_RPC_AND_NAME) == len(OPERATIONS)  # (RPC, name) pairs are unique across services


def test_every_aws_input_member_of_a_declared_operation_maps_or_is_refused_by_name() -> None:
    """No silently dropped parameter: each member has a field, or giving it is InvalidInput."""
    requests = {m.name: m for s in SERVICES for m in s.methods}
    for (service, name), op in OPERATIONS.items():
        shape = service_model(service).operation_model(name).input_shape
        descriptor = requests[op.rpc].input_type
        request_class = message_factory.GetMessageClass(descriptor)
        for member in (shape.members if shape else {}):
            if member == op.target_member or member in ("Marker", "MaxItems") and "page" in descriptor.fields_by_name:
                continue
            if snake(member) in descriptor.fields_by_name:
                continue
            if op.input is not None and member in simulation.HANDLED_MEMBERS:
                continue  # converted by the operation's own input hook (tested end to end)
            base = {op.target_member: "x"} if op.target_kind else {}
            with pytest.raises(InvalidInputError, match=member):
                to_request(op, {**base, member: "value"}, request_class)


def test_per_kind_operations_name_the_target() -> None:
    request = to_request(OPERATIONS["iam", "AttachRolePolicy"], {"RoleName": "r", "PolicyArn": "arn:p"},
                         ipb.AttachPolicyRequest)
    assert request == ipb.AttachPolicyRequest(target=pb.EntityRef(kind=pb.ENTITY_KIND_ROLE, name="r"),
                                              policy_arn="arn:p")
    assert aws_operation("AttachPolicy", request).name == "AttachRolePolicy"
    assert aws_operation("CreateUser", ipb.CreateUserRequest()).name == "CreateUser"
    assert aws_operation("Authorize", None) is None
    # A target kind AWS has no operation for (a policy's inline policy) is no AWS operation.
    assert aws_operation("PutInlinePolicy", ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_POLICY, name="x"))) is None


def test_pages_tags_and_enums_map_both_ways() -> None:
    op = OPERATIONS["iam", "ListEntitiesForPolicy"]
    request = to_request(op, {"PolicyArn": "arn:p", "EntityFilter": "User", "MaxItems": 5, "Marker": "m"},
                         ipb.ListEntitiesForPolicyRequest)
    assert (request.entity_filter, request.page.max_items, request.page.marker) == (pb.ENTITY_KIND_USER, 5, "m")
    with pytest.raises(InvalidInputError, match="LocalManagedPolicy"):
        to_request(op, {"PolicyArn": "arn:p", "EntityFilter": "LocalManagedPolicy"}, ipb.ListEntitiesForPolicyRequest)
    create = to_request(OPERATIONS["iam", "CreateUser"], {"UserName": "u", "Tags": [{"Key": "k", "Value": "v"}]},
                        ipb.CreateUserRequest)
    assert list(create.tags) == [pb.Tag(key="k", value="v")]
    shape = service_model("iam").operation_model("CreateUser").input_shape
    assert lower_camel(from_request(OPERATIONS["iam", "CreateUser"], create, shape)) == {
        "userName": "u", "tags": [{"key": "k", "value": "v"}]}


def test_outputs_take_awss_shapes() -> None:
    created = datetime(2026, 12, 5, 1, 2, 3, tzinfo=UTC)
    response = ipb.CreateUserResponse(user=pb.User(user_name="u", user_id="AIDA1", arn="arn:u", path="/",
                                                   permissions_boundary_arn="arn:b"), position=7)
    response.user.create_date.FromDatetime(created)
    shape = service_model("iam").operation_model("CreateUser").output_shape
    assert to_output(OPERATIONS["iam", "CreateUser"], {}, response, shape) == {"User": {
        "Path": "/", "UserName": "u", "UserId": "AIDA1", "Arn": "arn:u", "CreateDate": created,
        "PermissionsBoundary": {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                "PermissionsBoundaryArn": "arn:b"}}}
    listed = ipb.ListUsersResponse(is_truncated=False)
    list_shape = service_model("iam").operation_model("ListUsers").output_shape
    assert to_output(OPERATIONS["iam", "ListUsers"], {}, listed, list_shape) == {"Users": [], "IsTruncated": False}
