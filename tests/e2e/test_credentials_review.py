"""Review of users' credentials (access keys, MFA devices, login profiles): each test shows a
defect that was fixed."""

from __future__ import annotations

import asyncio
import json

import grpc
import pytest

from iamd.service.auth import totp
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import identity_pb2_grpc

from .conftest import ACCOUNT, Iamd
from .helpers import error_reason, refused, user_with_key

pytestmark = pytest.mark.e2e


async def _device(iamd: Iamd, name: str, path: str = "") -> ipb.VirtualMFADevice:
    return (await iamd.iam.CreateVirtualMFADevice(ipb.CreateVirtualMFADeviceRequest(
        virtual_mfa_device_name=name, path=path))).virtual_mfa_device


async def _enable(iamd: Iamd, user_name: str, device: ipb.VirtualMFADevice, at: float | None = None) -> None:
    now = iamd.clock.now().timestamp() if at is None else at
    seed = device.base32_string_seed
    await iamd.iam.EnableMFADevice(ipb.EnableMFADeviceRequest(
        user_name=user_name, serial_number=device.serial_number,
        authentication_code1=totp.totp(seed, now - 30), authentication_code2=totp.totp(seed, now)))


async def test_a_device_is_named_by_its_own_serial_number_only(iamd: Iamd) -> None:
    """The serial number is the device's ARN: another ARN (another path) that ends in the same name
    is no such device, and a Deny on the device's ARN cannot be sidestepped so."""
    device = await _device(iamd, "phone")
    serial = device.serial_number
    eve = await user_with_key(iamd, "eve")
    position = (await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="eve"), policy_name="p",
        policy_document=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iam:*MFADevice*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:*", "Resource": serial}]})))).position
    await iamd.running.runner.wait_for(position, 30)
    channel = iamd.connect(eve)
    as_eve = identity_pb2_grpc.IdentityServiceStub(channel)
    try:
        await refused(as_eve.DeleteVirtualMFADevice(ipb.DeleteVirtualMFADeviceRequest(serial_number=serial)),
                      grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
        alias = f"arn:aws:iam::{ACCOUNT}:mfa/elsewhere/phone"
        await refused(as_eve.DeleteVirtualMFADevice(ipb.DeleteVirtualMFADeviceRequest(serial_number=alias)),
                      grpc.StatusCode.NOT_FOUND, "NoSuchEntity")
        await refused(as_eve.TagMFADevice(ipb.TagMFADeviceRequest(
            serial_number=alias, tags=[pb.Tag(key="k", value="v")])), grpc.StatusCode.NOT_FOUND, "NoSuchEntity")
        listed = await iamd.iam.ListVirtualMFADevices(ipb.ListVirtualMFADevicesRequest())
        assert [d.serial_number for d in listed.virtual_mfa_devices] == [serial]
        tags = await iamd.iam.ListMFADeviceTags(ipb.ListMFADeviceTagsRequest(serial_number=serial))
        assert list(tags.tags) == []
    finally:
        await channel.close()


async def test_deactivating_a_device_no_user_has_is_no_such_entity(iamd: Iamd) -> None:
    """DeactivateMFADevice without UserName on a device enabled for nobody: there is no
    association to remove, so NoSuchEntity (it was accepted and left an event behind)."""
    device = await _device(iamd, "spare")
    await refused(iamd.iam.DeactivateMFADevice(ipb.DeactivateMFADeviceRequest(serial_number=device.serial_number)),
                  grpc.StatusCode.NOT_FOUND, "NoSuchEntity")
    position = (await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="bob"))).position
    await iamd.running.runner.wait_for(position, 30)
    await refused(iamd.iam.DeactivateMFADevice(ipb.DeactivateMFADeviceRequest(
        user_name="bob", serial_number=device.serial_number)), grpc.StatusCode.NOT_FOUND, "NoSuchEntity")


async def test_two_concurrent_enables_cannot_pass_the_quota_of_eight_devices(iamd: Iamd) -> None:
    """MFADevicesPerUser is 8: with 7 enabled, of two devices enabled at once only one may be."""
    position = (await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="many"))).position
    await iamd.running.runner.wait_for(position, 30)
    for i in range(7):
        await _enable(iamd, "many", await _device(iamd, f"d{i}"))
    last = [await _device(iamd, "d7"), await _device(iamd, "d8")]
    results = await asyncio.gather(*(_enable(iamd, "many", d) for d in last), return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1 and error_reason(errors[0]) == "LimitExceeded", results
    listed = await iamd.iam.ListMFADevices(ipb.ListMFADevicesRequest(user_name="many"))
    assert len(listed.mfa_devices) == 8


async def test_enabling_a_device_again_does_not_make_a_spent_code_usable_again(iamd: Iamd) -> None:
    """Each time step's code works once: deactivating a device and enabling it again with older
    codes must not rewind the device's last spent step (a code already used would work again)."""
    from iamd.v1 import sts_pb2, sts_pb2_grpc

    gina = await user_with_key(iamd, "gina")
    device = await _device(iamd, "gina-phone")
    seed, serial = device.base32_string_seed, device.serial_number
    t0 = iamd.clock.now().timestamp()
    await _enable(iamd, "gina", device, at=t0)
    channel = iamd.connect(gina)
    gina_sts = sts_pb2_grpc.SecurityTokenServiceStub(channel)
    try:
        iamd.clock.offset += 60
        code = totp.totp(seed, iamd.clock.now().timestamp())
        await gina_sts.GetSessionToken(sts_pb2.GetSessionTokenRequest(serial_number=serial, token_code=code))
        await iamd.iam.DeactivateMFADevice(ipb.DeactivateMFADeviceRequest(user_name="gina", serial_number=serial))
        await _enable(iamd, "gina", device, at=t0 - 60)  # codes of a few steps ago, within EnableMFADevice's window
        # Refused as any wrong code is (which error code that is, is STS's to say).
        with pytest.raises(grpc.aio.AioRpcError) as replay:
            await gina_sts.GetSessionToken(sts_pb2.GetSessionTokenRequest(serial_number=serial, token_code=code))
        assert "invalid MFA one time pass code" in (replay.value.details() or "")
    finally:
        await channel.close()



async def test_a_role_session_cannot_create_or_list_the_root_users_access_keys(iamd: Iamd) -> None:
    """Without UserName, the access-key calls act on the user whose long-term key signs the request;
    a role session's temporary key belongs to no user (IAM API reference, ListAccessKeys: "If a
    temporary access key is used, then UserName is required"): ValidationError, not the root user's
    keys, which a role allowed iam:* would otherwise mint for itself."""
    from iamd.client.credentials import Credentials
    from iamd.v1 import sts_pb2, sts_pb2_grpc

    ops = await user_with_key(iamd, "ops")
    await iamd.iam.CreateRole(ipb.CreateRoleRequest(role_name="Admin", assume_role_policy_document=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/ops"}}]})))
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_ROLE, name="Admin"), policy_name="all",
        policy_document=json.dumps({"Version": "2012-10-17",
                                    "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]})))
    position = (await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="ops"), policy_name="assume",
        policy_document=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]})))).position
    await iamd.running.runner.wait_for(position, 30)
    root_keys = [k.access_key_id for k in (await iamd.iam.ListAccessKeys(ipb.ListAccessKeysRequest())).access_key_metadata]
    as_ops = iamd.connect(ops)
    session = (await sts_pb2_grpc.SecurityTokenServiceStub(as_ops).AssumeRole(sts_pb2.AssumeRoleRequest(
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/Admin", role_session_name="ops-admin"))).credentials
    as_role = iamd.connect(Credentials(session.access_key_id, session.secret_access_key, session.session_token))
    iam = identity_pb2_grpc.IdentityServiceStub(as_role)
    try:
        await refused(iam.CreateAccessKey(ipb.CreateAccessKeyRequest()), grpc.StatusCode.INVALID_ARGUMENT,
                      "ValidationError")
        await refused(iam.ListAccessKeys(ipb.ListAccessKeysRequest()), grpc.StatusCode.INVALID_ARGUMENT,
                      "ValidationError")
        await refused(iam.DeleteAccessKey(ipb.DeleteAccessKeyRequest(access_key_id=root_keys[0])),
                      grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")
        # Naming a user still works, as for any caller allowed to.
        created = (await iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="ops"))).access_key
        assert created.user_name == "ops"
        after = await iamd.iam.ListAccessKeys(ipb.ListAccessKeysRequest())
        assert [k.access_key_id for k in after.access_key_metadata] == root_keys
    finally:
        await as_role.close()
        await as_ops.close()


async def test_access_keys_name_their_user_as_it_was_created_whatever_the_case_asked(iamd: Iamd) -> None:
    """User names are one per account regardless of case; an answer names the user as it is (as
    GetUser and CreateLoginProfile do), not as the request spelled it."""
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="Alice"))
    created = (await iamd.iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="ALICE"))).access_key
    assert created.user_name == "Alice"
    listed = await iamd.iam.ListAccessKeys(ipb.ListAccessKeysRequest(user_name="alice"))
    assert [(k.access_key_id, k.user_name) for k in listed.access_key_metadata] == [(created.access_key_id, "Alice")]

async def test_hard_expiry_still_lets_a_user_change_an_expired_password_through_the_api(iamd: Iamd) -> None:
    """IAM API reference, PasswordPolicy.HardExpiry: it prevents setting a new password "via the AWS
    Management Console" after the password expired; "IAM users with iam:ChangePassword permission and
    active access keys can reset their own expired console password using the AWS CLI or API"."""
    dave = await user_with_key(iamd, "dave")
    await iamd.iam.CreateLoginProfile(ipb.CreateLoginProfileRequest(user_name="dave", password="First-pass-1"))
    position = (await iamd.iam.UpdateAccountPasswordPolicy(ipb.UpdateAccountPasswordPolicyRequest(
        allow_users_to_change_password=True, max_password_age=1, hard_expiry=True))).position
    await iamd.running.runner.wait_for(position, 30)
    iamd.clock.offset += 2 * 86400  # the password is two days old: expired
    channel = iamd.connect(dave)
    try:
        await identity_pb2_grpc.IdentityServiceStub(channel).ChangePassword(ipb.ChangePasswordRequest(
            old_password="First-pass-1", new_password="Second-pass-2"))
    finally:
        await channel.close()


async def test_the_qr_code_of_a_new_device_is_hidden_in_the_audit_record_as_its_seed_is(iamd_http: Iamd) -> None:
    """CreateVirtualMFADevice's QRCodePNG is a picture of the otpauth:// URI, seed included (IAM API
    reference, VirtualMFADevice.QRCodePNG): a secret like Base32StringSeed, which the record hides."""
    from iamd.service.audit.record import HIDDEN
    from iamd.v1 import audit_pb2, audit_pb2_grpc

    from .test_aws_query import _call, _client

    iam = _client(iamd_http, "iam")
    device = (await _call(iam.create_virtual_mfa_device, VirtualMFADeviceName="phone"))["VirtualMFADevice"]
    assert device["QRCodePNG"] and device["Base32StringSeed"]
    found = await audit_pb2_grpc.AuditServiceStub(iamd_http.channel).LookupEvents(audit_pb2.LookupEventsRequest(
        lookup_attributes=[audit_pb2.LookupAttribute(attribute_key="EventName",
                                                     attribute_value="CreateVirtualMFADevice")]))
    [record] = [json.loads(e.cloud_trail_event) for e in found.events]
    answered = record["responseElements"]["virtualMFADevice"]
    assert answered["base32StringSeed"] == HIDDEN
    assert answered.get("qRCodePNG", HIDDEN) == HIDDEN


async def test_deactivate_without_user_name_acts_for_the_calling_user(iamd: Iamd) -> None:
    """IAM API reference, DeactivateMFADevice UserName: "This parameter is optional. If no user name is
    included, it defaults to the principal making the request.\""""
    eve = await user_with_key(iamd, "eve")
    device = await _device(iamd, "eve-phone")
    await _enable(iamd, "eve", device)
    position = (await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="eve"), policy_name="own-mfa",
        policy_document=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iam:DeactivateMFADevice",
             "Resource": f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"}]})))).position
    await iamd.running.runner.wait_for(position, 30)
    channel = iamd.connect(eve)
    try:
        await identity_pb2_grpc.IdentityServiceStub(channel).DeactivateMFADevice(
            ipb.DeactivateMFADeviceRequest(serial_number=device.serial_number))
    finally:
        await channel.close()
    listed = await iamd.iam.ListMFADevices(ipb.ListMFADevicesRequest(user_name="eve"))
    assert list(listed.mfa_devices) == []
