"""The deciders of service-linked roles and ChangePassword: AWS's names and rules, no event for a
refusal."""

from __future__ import annotations

import json

import pytest

from iamd.service.domain import identity, login_profiles
from iamd.service.domain import service_linked_roles as slr
from iamd.service.domain.errors import (
    AccessDeniedError,
    InvalidInputError,
    NoSuchEntityError,
    UnmodifiableEntityError,
)
from iamd.service.domain.events import (
    ROLE,
    USER,
    Deleted,
    LoginProfileCreated,
    LoginProfileUpdated,
    PolicyAttached,
    PolicyDetached,
    ServiceLinkedRoleDeletionTaskRecorded,
    UserCreated,
    decode_event,
)

ACCOUNT = "123456789012"
NOW = "2026-12-05T00:00:00Z"
UUID = "0f0f0f0f-1111-4222-8333-444455556666"


def _role(service: str = "autoscaling.amazonaws.com", *events) -> identity.EntityState:  # type: ignore[no-untyped-def]
    name = slr.role_name(service)
    created = identity.create_role(identity.EntityState(ROLE), name=name, id="AROAX",
                                   arn=f"arn:aws:iam::{ACCOUNT}:role{slr.path_of(service)}{name}",
                                   path=slr.path_of(service), now=NOW, trust_policy=slr.trust_policy(service),
                                   description="", max_session_duration=3600, permissions_boundary="", tags={},
                                   aws_service_name=service)
    return identity.fold(ROLE, [*created, *events])


def test_known_services_have_awss_names_paths_and_policies() -> None:
    assert slr.role_name("autoscaling.amazonaws.com") == "AWSServiceRoleForAutoScaling"
    assert slr.role_name("autoscaling.amazonaws.com", "web") == "AWSServiceRoleForAutoScaling_web"
    assert slr.role_name("es.amazonaws.com") == "AWSServiceRoleForAmazonElasticsearchService"
    assert slr.role_name("custom-resource.application-autoscaling.amazonaws.com") == \
        "AWSServiceRoleForApplicationAutoScaling_CustomResource"
    assert slr.path_of("ecs.amazonaws.com") == "/aws-service-role/ecs.amazonaws.com/"
    assert slr.policy_arn("ecs.amazonaws.com") == "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"
    assert json.loads(slr.trust_policy("ecs.amazonaws.com"))["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "ecs.amazonaws.com"}, "Action": "sts:AssumeRole"}]


def test_a_suffix_only_where_the_service_takes_one_and_other_services_derived() -> None:
    with pytest.raises(InvalidInputError, match="^Custom suffix is not allowed for ecs.amazonaws.com$"):
        slr.role_name("ecs.amazonaws.com", "x")
    assert slr.role_name("other.amazonaws.com") == "AWSServiceRoleForother"
    assert slr.policy_arn("other.amazonaws.com") == ""
    with pytest.raises(InvalidInputError, match="Custom suffix is not allowed"):
        slr.role_name("other.amazonaws.com", "x")  # iamd cannot know that the service takes one
    for bad in ("example.com", "amazonaws.com", "a b.amazonaws.com", ""):
        with pytest.raises(InvalidInputError):
            slr.role_name(bad)
    with pytest.raises(InvalidInputError, match="longer than 64"):
        slr.role_name("autoscaling.amazonaws.com", "x" * 40)


def test_the_role_knows_its_service_and_is_unmodifiable() -> None:
    role = _role()
    assert role.aws_service_name == "autoscaling.amazonaws.com"
    with pytest.raises(UnmodifiableEntityError, match="protected role 'AWSServiceRoleForAutoScaling'"):
        slr.require_modifiable(role)
    slr.require_modifiable(identity.EntityState(ROLE, exists=True, name="plain"))  # an account's own role


def test_deletion_succeeds_with_its_task_or_fails_while_in_use() -> None:
    policy = "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy"
    role = _role("autoscaling.amazonaws.com", PolicyAttached(policy, "ANPAX"))
    task = slr.task_id("autoscaling.amazonaws.com", role.name, UUID)
    assert slr.parse_task_id(task) == ("autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling")
    events = slr.delete(role, task=task, now=NOW, sessions=0, instance_profiles=[])
    assert events == [PolicyDetached(policy), ServiceLinkedRoleDeletionTaskRecorded(task, "SUCCEEDED", NOW), Deleted()]
    assert not identity.fold(ROLE, [*_role_events(role), *events]).exists

    profile = f"arn:aws:iam::{ACCOUNT}:instance-profile/p"
    [failed] = slr.delete(role, task=task, now=NOW, sessions=2, instance_profiles=[profile])
    assert failed.status == "FAILED" and failed.role_usage == [{"region": "global", "resources": [profile]}]
    assert "in an instance profile and it has 2 active sessions" in failed.reason
    assert decode_event("ServiceLinkedRoleDeletionTaskRecorded", {
        "task_id": task, "status": "FAILED", "recorded_at": NOW, "reason": failed.reason,
        "role_usage": failed.role_usage}) == failed
    with pytest.raises(NoSuchEntityError, match="service-linked role with name plain"):
        slr.delete(identity.EntityState(ROLE, exists=True, name="plain"), task=task, now=NOW, sessions=0,
                   instance_profiles=[])
    for bad in ("nonsense", "task/aws-service-role/x/y/not-a-uuid", task + "/more"):
        with pytest.raises(InvalidInputError):
            slr.parse_task_id(bad)


def _role_events(role: identity.EntityState) -> list:  # type: ignore[type-arg]
    return identity.create_role(identity.EntityState(ROLE), name=role.name, id=role.id, arn=role.arn, path=role.path,
                                now=NOW, trust_policy=role.trust_policy, description="", max_session_duration=3600,
                                permissions_boundary="", tags={}, aws_service_name=role.aws_service_name) + [
        PolicyAttached(a, "ANPAX") for a in role.attached]


def _user(*events) -> identity.EntityState:  # type: ignore[no-untyped-def]
    return identity.fold(USER, [UserCreated("dave", "AIDAX", f"arn:aws:iam::{ACCOUNT}:user/dave", "/", NOW, "", {}),
                                *events])


def test_change_password_checks_in_awss_order() -> None:
    with pytest.raises(NoSuchEntityError, match="Login Profile for User dave cannot be found."):
        login_profiles.check_change(_user(), "dave", old_password_matches=False)
    user = _user(LoginProfileCreated("$scrypt$a", True, NOW))
    with pytest.raises(AccessDeniedError, match="The old password is incorrect."):
        login_profiles.check_change(user, "dave", old_password_matches=False)
    login_profiles.check_change(user, "dave", old_password_matches=True)
    # An expired password under HardExpiry is no reason of its own: HardExpiry closes only the
    # console's way (tests/e2e/test_credentials_review.py changes such a password through the API).
    # The change clears the reset flag and keeps the old hash for PasswordReusePrevention.
    [changed] = login_profiles.change(user, "dave", password_hash="$scrypt$b", now=NOW)
    assert changed == LoginProfileUpdated("$scrypt$b", False, NOW)
    after = _user(LoginProfileCreated("$scrypt$a", True, NOW), changed)
    assert after.login_profile["password_hash"] == "$scrypt$b"  # type: ignore[index]
    assert after.login_profile["previous_hashes"] == ["$scrypt$a"]  # type: ignore[index]
    assert after.login_profile["password_reset_required"] is False  # type: ignore[index]
