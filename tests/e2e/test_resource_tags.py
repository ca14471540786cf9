"""End to end with botocore's IAM client against a real iamd's HTTP endpoint: attribute-based access
control of IAM's own resources. An IAM action on a managed policy, instance profile, OIDC or SAML
provider, server certificate or virtual MFA device sees that resource's tags as aws:ResourceTag/*,
on a user or role also as iam:ResourceTag/*, with the tags the log has at the moment of the call."""

from __future__ import annotations

import json
from typing import Any

import pytest

from iamd.client.credentials import Credentials
from tests.fakes.saml_idp import SamlIdp

from .conftest import ACCOUNT, Iamd
from .test_aws_query import _call, _client, _refused
from .test_user_keys_and_certificates import _KEYS, _certificate, _private_pem

pytestmark = pytest.mark.e2e

DOCUMENT = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
READS = ["iam:GetPolicy", "iam:GetInstanceProfile", "iam:GetOpenIDConnectProvider", "iam:GetSAMLProvider",
         "iam:GetServerCertificate", "iam:ListMFADeviceTags"]


def _tags(team: str) -> list[dict[str, str]]:
    return [{"Key": "team", "Value": team}] if team else []


async def _resources(iam: Any, team: str, idp: SamlIdp) -> dict[str, tuple[Any, dict[str, str]]]:
    """One resource of each taggable type, tagged team=`team` (untagged for ""): per type, the read
    call on it and that call's arguments."""
    name = team or "untagged"
    policy = (await _call(iam.create_policy, PolicyName=name, PolicyDocument=DOCUMENT, Tags=_tags(team)))["Policy"]
    await _call(iam.create_instance_profile, InstanceProfileName=name, Tags=_tags(team))
    provider = await _call(iam.create_open_id_connect_provider, Url=f"https://oidc.example.com/{name}",
                           ClientIDList=["sts.amazonaws.com"], ThumbprintList=["a" * 40], Tags=_tags(team))
    saml = await _call(iam.create_saml_provider, Name=name, SAMLMetadataDocument=idp.metadata(), Tags=_tags(team))
    key = _KEYS[0]
    await _call(iam.upload_server_certificate, ServerCertificateName=name, Path="/certs/",
                CertificateBody=_certificate(key), PrivateKey=_private_pem(key), Tags=_tags(team))
    device = (await _call(iam.create_virtual_mfa_device, VirtualMFADeviceName=name, Path="/phones/",
                          Tags=_tags(team)))["VirtualMFADevice"]
    return {"policy": (iam.get_policy, {"PolicyArn": policy["Arn"]}),
            "instance-profile": (iam.get_instance_profile, {"InstanceProfileName": name}),
            "oidc-provider": (iam.get_open_id_connect_provider,
                              {"OpenIDConnectProviderArn": provider["OpenIDConnectProviderArn"]}),
            "saml-provider": (iam.get_saml_provider, {"SAMLProviderArn": saml["SAMLProviderArn"]}),
            "server-certificate": (iam.get_server_certificate, {"ServerCertificateName": name}),
            "mfa": (iam.list_mfa_device_tags, {"SerialNumber": device["SerialNumber"]})}


async def _user(iamd: Iamd, name: str, *statements: dict[str, Any]) -> Any:
    """An IAM client signing as a new user with these statements as its only policy."""
    iam = _client(iamd, "iam")
    await _call(iam.create_user, UserName=name)
    await _call(iam.put_user_policy, UserName=name, PolicyName="abac",
                PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))
    key = (await _call(iam.create_access_key, UserName=name))["AccessKey"]
    return _client(iamd, "iam", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))


def _as(client: Any, call: tuple[Any, dict[str, str]]) -> tuple[Any, dict[str, str]]:
    """The same call, made by another client."""
    method, kwargs = call
    return getattr(client, method.__name__), kwargs


async def test_aws_resource_tag_scopes_iam_actions_on_every_taggable_iam_resource(iamd_http: Iamd) -> None:
    iam, idp = _client(iamd_http, "iam"), SamlIdp()
    red, blue, untagged = (await _resources(iam, "red", idp), await _resources(iam, "blue", idp),
                           await _resources(iam, "", idp))
    ops = await _user(iamd_http, "ops", {"Effect": "Allow", "Action": READS, "Resource": "*",
                                         "Condition": {"StringEquals": {"aws:ResourceTag/team": "red"}}})

    for kind in red:
        method, kwargs = _as(ops, red[kind])
        await _call(method, **kwargs)
        for other in (blue, untagged):
            method, kwargs = _as(ops, other[kind])
            error = await _refused(method, "AccessDenied", 403, **kwargs)
            assert "is not authorized to perform" in error.response["Error"]["Message"], kind

    # The tags the log has at the moment of the call: retagged, a resource answers to its new tags.
    await _call(iam.tag_policy, PolicyArn=blue["policy"][1]["PolicyArn"], Tags=_tags("red"))
    await _call(iam.untag_instance_profile, InstanceProfileName="red", TagKeys=["team"])
    await _call(iam.tag_mfa_device, SerialNumber=blue["mfa"][1]["SerialNumber"], Tags=_tags("red"))
    for now_red in (blue["policy"], blue["mfa"]):
        method, kwargs = _as(ops, now_red)
        await _call(method, **kwargs)
    method, kwargs = _as(ops, red["instance-profile"])
    await _refused(method, "AccessDenied", 403, **kwargs)


async def test_a_deny_on_a_resource_tag_protects_the_tagged_resources(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    for name, tags in (("kept", [{"Key": "protected", "Value": "yes"}]), ("spare", [])):
        await _call(iam.create_instance_profile, InstanceProfileName=name, Tags=tags)
        await _call(iam.create_virtual_mfa_device, VirtualMFADeviceName=name, Tags=tags)
    ops = await _user(iamd_http, "ops", {"Effect": "Allow", "Action": "iam:Delete*", "Resource": "*"},
                      {"Effect": "Deny", "Action": "iam:Delete*", "Resource": "*",
                       "Condition": {"StringEquals": {"aws:ResourceTag/protected": "yes"}}})
    serial = "arn:aws:iam::123456789012:mfa/{}"

    await _refused(ops.delete_instance_profile, "AccessDenied", 403, InstanceProfileName="kept")
    await _refused(ops.delete_virtual_mfa_device, "AccessDenied", 403, SerialNumber=serial.format("kept"))
    await _call(ops.delete_instance_profile, InstanceProfileName="spare")
    await _call(ops.delete_virtual_mfa_device, SerialNumber=serial.format("spare"))
    assert [p["InstanceProfileName"] for p in (await _call(iam.list_instance_profiles))["InstanceProfiles"]] == ["kept"]
    assert [d["SerialNumber"] for d in (await _call(iam.list_virtual_mfa_devices))["VirtualMFADevices"]] == [
        serial.format("kept")]


async def test_iam_resource_tag_is_the_tags_of_users_and_roles(iamd_http: Iamd) -> None:
    """iam:ResourceTag/* is honoured on users and roles as aws:ResourceTag/* is; AWS's Service
    Authorization Reference gives it to those two resource types only, so it does not match a
    managed policy (or another IAM resource) whatever its tags."""
    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="red-user", Tags=_tags("red"))
    await _call(iam.create_user, UserName="plain-user")
    await _call(iam.create_role, RoleName="red-role", AssumeRolePolicyDocument=TRUST, Tags=_tags("red"))
    await _call(iam.create_role, RoleName="blue-role", AssumeRolePolicyDocument=TRUST, Tags=_tags("blue"))
    policy = (await _call(iam.create_policy, PolicyName="red", PolicyDocument=DOCUMENT, Tags=_tags("red")))["Policy"]
    ops = await _user(iamd_http, "ops", {
        "Effect": "Allow", "Action": ["iam:GetUser", "iam:ListUserTags", "iam:GetRole", "iam:GetPolicy"],
        "Resource": "*", "Condition": {"StringEquals": {"iam:ResourceTag/team": "red"}}})

    await _call(ops.get_user, UserName="red-user")
    await _call(ops.list_user_tags, UserName="red-user")
    await _call(ops.get_role, RoleName="red-role")
    await _refused(ops.get_user, "AccessDenied", 403, UserName="plain-user")
    await _refused(ops.get_role, "AccessDenied", 403, RoleName="blue-role")
    await _refused(ops.get_policy, "AccessDenied", 403, PolicyArn=policy["Arn"])


async def test_a_principal_assumes_only_the_roles_tagged_for_it(iamd_http: Iamd) -> None:
    """AWS's ABAC tutorial: sts:AssumeRole allowed where the role's iam:ResourceTag/access-project
    is the caller's aws:PrincipalTag/access-project (aws:ResourceTag the same way)."""
    iam = _client(iamd_http, "iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]})
    for role, project in (("access-peg", "peg"), ("access-uni", "uni"), ("access-none", "")):
        await _call(iam.create_role, RoleName=role, AssumeRolePolicyDocument=trust,
                    Tags=[{"Key": "access-project", "Value": project}] if project else [])
    await _call(iam.create_user, UserName="peg-dev", Tags=[{"Key": "access-project", "Value": "peg"}])
    for key in ("iam:ResourceTag", "aws:ResourceTag"):
        await _call(iam.put_user_policy, UserName="peg-dev", PolicyName="assume", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::123456789012:role/access-*",
                "Condition": {"StringEquals": {f"{key}/access-project": "${aws:PrincipalTag/access-project}"}}}]}))
        access = (await _call(iam.create_access_key, UserName="peg-dev"))["AccessKey"]
        sts = _client(iamd_http, "sts", Credentials(access["AccessKeyId"], access["SecretAccessKey"]))
        assumed = await _call(sts.assume_role, RoleArn="arn:aws:iam::123456789012:role/access-peg",
                              RoleSessionName="peg")
        assert assumed["AssumedRoleUser"]["Arn"].endswith(":assumed-role/access-peg/peg")
        for role in ("access-uni", "access-none"):
            await _refused(sts.assume_role, "AccessDenied", 403, RoleArn=f"arn:aws:iam::123456789012:role/{role}",
                           RoleSessionName="peg")
        await _call(iam.delete_access_key, UserName="peg-dev", AccessKeyId=access["AccessKeyId"])


async def test_authorize_sees_the_tags_of_an_iam_resource_as_iamds_own_iam_api_does(iamd_http: Iamd) -> None:
    """A service asking Authorize about an IAM action on an IAM resource gets the decision iamd's own
    IAM API makes for that call: the resource's tags are in the request's context either way."""
    from iamd.v1 import authorization_pb2 as apb

    iam = _client(iamd_http, "iam")
    for name, team in (("red-role", "red"), ("plain-role", "")):
        await _call(iam.create_role, RoleName=name, AssumeRolePolicyDocument=TRUST, Tags=_tags(team))
    ops = await _user(iamd_http, "auditor", {"Effect": "Allow", "Action": "iam:GetRole", "Resource": "*",
                                             "Condition": {"StringEquals": {"iam:ResourceTag/team": "red"}}})
    await _call(ops.get_role, RoleName="red-role")
    await _refused(ops.get_role, "AccessDenied", 403, RoleName="plain-role")

    principal = f"arn:aws:iam::{ACCOUNT}:user/auditor"
    for role, expected in (("red-role", apb.DECISION_ALLOW), ("plain-role", apb.DECISION_IMPLICIT_DENY)):
        answer = await iamd_http.authz.Authorize(apb.AuthorizeRequest(
            principal_arn=principal, action="iam:GetRole", resource=f"arn:aws:iam::{ACCOUNT}:role/{role}"))
        assert answer.decision == expected, role
    # Tags the caller passes stand for the resource's own (a service that knows them better).
    answer = await iamd_http.authz.Authorize(apb.AuthorizeRequest(
        principal_arn=principal, action="iam:GetRole", resource=f"arn:aws:iam::{ACCOUNT}:role/red-role",
        has_resource_tags=True))
    assert answer.decision == apb.DECISION_IMPLICIT_DENY


async def test_authorize_sees_the_tags_of_the_role_an_sts_action_assumes(iamd_http: Iamd) -> None:
    """As iamd's own AssumeRole decides it (AWS's ABAC tutorial): a service asking Authorize whether
    a principal may sts:AssumeRole a role gets the role's tags as aws:ResourceTag/* and
    iam:ResourceTag/*, which STS's role resource type defines."""
    from iamd.v1 import authorization_pb2 as apb

    iam = _client(iamd_http, "iam")
    for name, team in (("red-deployer", "red"), ("plain-deployer", "")):
        await _call(iam.create_role, RoleName=name, AssumeRolePolicyDocument=TRUST, Tags=_tags(team))
    await _user(iamd_http, "assumer", {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*",
                                       "Condition": {"StringEquals": {"iam:ResourceTag/team": "red",
                                                                      "aws:ResourceTag/team": "red"}}})
    principal = f"arn:aws:iam::{ACCOUNT}:user/assumer"
    for role, expected in (("red-deployer", apb.DECISION_ALLOW), ("plain-deployer", apb.DECISION_IMPLICIT_DENY)):
        answer = await iamd_http.authz.Authorize(apb.AuthorizeRequest(
            principal_arn=principal, action="sts:AssumeRole", resource=f"arn:aws:iam::{ACCOUNT}:role/{role}"))
        assert answer.decision == expected, role
