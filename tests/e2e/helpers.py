"""Small helpers for the end-to-end tests: policy documents and reading gRPC error details."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from iamd.client import cli
from iamd.client.credentials import Credentials
from iamd.service.auth import totp
from iamd.v1 import common_pb2
from iamd.v1 import identity_pb2 as ipb

if TYPE_CHECKING:
    from .conftest import Iamd


def allow(action: str | list[str], resource: str | list[str] = "*", **extra: object) -> str:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource, **extra}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def deny(action: str | list[str], resource: str | list[str] = "*") -> str:
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Deny", "Action": action, "Resource": resource}]})


TRUST_EC2 = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def error_reason(error: grpc.aio.AioRpcError) -> str:
    """The IAM error code carried in the ErrorInfo detail."""
    status = rpc_status.from_call(error)
    assert status is not None, "error without rich status details"
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info.reason
    raise AssertionError("no ErrorInfo detail")


def field_violations(error: grpc.aio.AioRpcError) -> list[str]:
    status = rpc_status.from_call(error)
    fields = []
    for detail in status.details if status else ():
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields.extend(v.field for v in bad.field_violations)
    return fields


async def refused(call: Awaitable[Any], code: grpc.StatusCode, reason: str) -> grpc.aio.AioRpcError:
    """Await a call that must fail with this status and IAM error code; the error, to look at."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    assert (caught.value.code(), error_reason(caught.value)) == (code, reason), caught.value.details()
    return caught.value


async def user_with_key(iamd: Iamd, name: str) -> Credentials:
    """A new IAM user of the server's account and an access key of its own."""
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name=name))
    key = (await iamd.iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name=name))).access_key
    return Credentials(key.access_key_id, key.secret_access_key)


async def user_allowed(iamd: Iamd, name: str, policy_document: str) -> Credentials:
    """A new user with a key and one inline policy, in force once this returns."""
    key = await user_with_key(iamd, name)
    put = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=common_pb2.EntityRef(kind=common_pb2.ENTITY_KIND_USER, name=name), policy_name="granted",
        policy_document=policy_document))
    await iamd.running.runner.wait_for(put.position, 5)
    return key


async def user_with_mfa(iamd: Iamd, name: str) -> tuple[Credentials, str, str]:
    """A user with a key and an enabled virtual MFA device: (its key, the device's serial, its seed)."""
    key = await user_with_key(iamd, name)
    device = (await iamd.iam.CreateVirtualMFADevice(ipb.CreateVirtualMFADeviceRequest(
        virtual_mfa_device_name=f"{name}-phone"))).virtual_mfa_device
    now = iamd.clock.now().timestamp()
    seed = device.base32_string_seed
    await iamd.iam.EnableMFADevice(ipb.EnableMFADeviceRequest(
        user_name=name, serial_number=device.serial_number,
        authentication_code1=totp.totp(seed, now - 90), authentication_code2=totp.totp(seed, now - 60)))
    return key, device.serial_number, seed


POLICY_TYPES = ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")


async def create_organization(org: Any, policy_types: tuple[str, ...] = POLICY_TYPES) -> Any:
    """CreateOrganization through an OrganizationsService stub, then EnablePolicyType for each of
    `policy_types` (a new organization has none enabled, as in AWS): SCPs and RCPs by default.
    Answers CreateOrganization's response."""
    from iamd.v1 import organizations_pb2 as opb

    created = await org.CreateOrganization(opb.CreateOrganizationRequest())
    for policy_type in policy_types:
        await org.EnablePolicyType(opb.EnablePolicyTypeRequest(root_id=created.root_id, policy_type=policy_type))
    return created


def iamctl_json(iamd: Iamd, capsys: pytest.CaptureFixture[str], service: str) -> Callable[..., Any]:
    """iamctl for `service`'s commands against `iamd`, signing as the process's credentials (run it
    in a thread: the server runs on the test's loop): asserts exit 0 and answers the printed JSON
    (None when the command printed nothing)."""
    def run(*args: str) -> Any:
        capsys.readouterr()
        code = cli.main(["--endpoint", iamd.target, service, *args])
        out = capsys.readouterr().out
        assert code == 0, out
        return json.loads(out) if out.strip() else None

    return run
