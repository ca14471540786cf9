"""End to end, botocore against a real iamd: the members AWS's answers carry or leave out, found
by running moto's test_iam suite against iamd (issue 12). Each test states AWS's behaviour and
cites the AWS page that shows it.
"""

from __future__ import annotations

import json
import struct
import zlib

import pytest

from .conftest import ACCOUNT, Iamd
from .test_aws_query import _call, _client

pytestmark = pytest.mark.e2e

POLICY = json.dumps({"Version": "2012-10-17",
                     "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]})
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


async def test_a_tag_with_an_empty_value_is_answered_with_its_empty_value(iamd_http: Iamd) -> None:
    # IAM API reference, Tag: Value is required, "Length Constraints: Minimum length of 0": a tag
    # made with "" is answered `<Value></Value>`, which botocore reads as "".
    iam = _client(iamd_http, "iam")
    arn = (await _call(iam.create_policy, PolicyName="p", PolicyDocument=POLICY,
                       Tags=[{"Key": "somekey", "Value": ""}]))["Policy"]["Arn"]
    assert (await _call(iam.list_policy_tags, PolicyArn=arn))["Tags"] == [{"Key": "somekey", "Value": ""}]
    await _call(iam.create_user, UserName="u", Tags=[{"Key": "k", "Value": ""}])
    assert (await _call(iam.list_user_tags, UserName="u"))["Tags"] == [{"Key": "k", "Value": ""}]
    assert (await _call(iam.get_user, UserName="u"))["User"]["Tags"] == [{"Key": "k", "Value": ""}]


async def test_listings_return_a_subset_of_the_attributes(iamd_http: Iamd) -> None:
    # IAM API reference, ListUsers: "IAM resource-listing operations return a subset of the
    # available attributes for the resource. This operation does not return the following
    # attributes ...: PermissionsBoundary, Tags"; ListRoles: "PermissionsBoundary, RoleLastUsed,
    # Tags"; ListPolicies: "this operation does not return tags". GetUser and GetRole answer them.
    iam = _client(iamd_http, "iam")
    boundary = (await _call(iam.create_policy, PolicyName="boundary", PolicyDocument=POLICY))["Policy"]["Arn"]
    tags = [{"Key": "team", "Value": "blue"}]
    user = (await _call(iam.create_user, UserName="u", Path="/x/", PermissionsBoundary=boundary, Tags=tags))["User"]
    assert user["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary and user["Tags"] == tags
    role = (await _call(iam.create_role, RoleName="r", Path="/x/", AssumeRolePolicyDocument=TRUST,
                        PermissionsBoundary=boundary, Tags=tags))["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary and role["Tags"] == tags
    got = (await _call(iam.get_role, RoleName="r"))["Role"]
    assert {"PermissionsBoundary", "Tags"} <= set(got)
    [listed_user] = (await _call(iam.list_users, PathPrefix="/x/"))["Users"]
    assert listed_user["UserName"] == "u" and not {"PermissionsBoundary", "Tags"} & set(listed_user)
    [listed_role] = (await _call(iam.list_roles, PathPrefix="/x/"))["Roles"]
    assert listed_role["RoleName"] == "r"
    assert not {"PermissionsBoundary", "RoleLastUsed", "Tags"} & set(listed_role)


async def test_a_policys_description_and_tags_as_aws_answers_them(iamd_http: Iamd) -> None:
    # CreatePolicy answers no Description, GetPolicy does, and a Tags list even when empty;
    # ListPolicies neither (IAM API reference, ListPolicies: "does not return tags ... To view all
    # of the information for a customer managed policy, see GetPolicy"; moto's
    # test_iam_response_attributes.py, marked verified against AWS).
    iam = _client(iamd_http, "iam")
    created = (await _call(iam.create_policy, PolicyName="p", Path="/x/", PolicyDocument=POLICY,
                           Description="test description", Tags=[{"Key": "k", "Value": "v"}]))["Policy"]
    assert "Description" not in created and created["Tags"] == [{"Key": "k", "Value": "v"}]
    got = (await _call(iam.get_policy, PolicyArn=created["Arn"]))["Policy"]
    assert got["Description"] == "test description" and got["Tags"] == [{"Key": "k", "Value": "v"}]
    [listed] = (await _call(iam.list_policies, Scope="Local", PathPrefix="/x/"))["Policies"]
    assert listed["PolicyName"] == "p" and not {"Description", "Tags"} & set(listed)
    plain = (await _call(iam.create_policy, PolicyName="plain", PolicyDocument=POLICY))["Policy"]
    assert "Tags" not in plain
    assert (await _call(iam.get_policy, PolicyArn=plain["Arn"]))["Policy"]["Tags"] == []


async def test_a_new_virtual_mfa_device_comes_with_its_qr_code_png(iamd_http: Iamd) -> None:
    # IAM API reference, CreateVirtualMFADevice / VirtualMFADevice: QRCodePNG, "A QR code PNG image
    # that encodes otpauth://totp/$virtualMFADeviceName@$AccountName?secret=$Base32String".
    iam = _client(iamd_http, "iam")
    device = (await _call(iam.create_virtual_mfa_device, VirtualMFADeviceName="phone"))["VirtualMFADevice"]
    assert device["SerialNumber"] == f"arn:aws:iam::{ACCOUNT}:mfa/phone"
    png = device["QRCodePNG"]
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height, depth = struct.unpack(">IIB", png[16:25])
    assert width == height and width >= 21 * 4 and depth == 1
    idat = png.index(b"IDAT")
    (length,) = struct.unpack(">I", png[idat - 4:idat])
    rows = zlib.decompress(png[idat + 4:idat + 4 + length])
    assert len(rows) == height * (1 + (width + 7) // 8)  # a filter byte and 1-bit pixels per row
    # Listings answer no seed and no QR code (AWS: only CreateVirtualMFADevice's answer has them).
    [listed] = (await _call(iam.list_virtual_mfa_devices))["VirtualMFADevices"]
    assert "QRCodePNG" not in listed and "Base32StringSeed" not in listed


async def test_codes_a_virtual_mfa_device_did_not_emit_are_invalid_authentication_code(iamd_http: Iamd) -> None:
    """IAM API reference, EnableMFADevice, Errors: InvalidAuthenticationCode, "The request was
    rejected because the authentication code was not recognized", HTTP Status Code 403."""
    from botocore.exceptions import ClientError

    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="erin")
    device = (await _call(iam.create_virtual_mfa_device, VirtualMFADeviceName="erin"))["VirtualMFADevice"]
    with pytest.raises(ClientError) as refused:
        await _call(iam.enable_mfa_device, UserName="erin", SerialNumber=device["SerialNumber"],
                    AuthenticationCode1="123456", AuthenticationCode2="654321")
    error = refused.value.response
    assert error["Error"]["Code"] == "InvalidAuthenticationCode"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Error"]["Message"] == "Authentication code for device is not valid."
