"""The deciders of instance profiles and login profiles: AWS's rules, and no event for a refusal."""

from __future__ import annotations

import pytest

from iamd.service.auth.passwords import verify_password
from iamd.service.domain import identity, instance_profiles, login_profiles
from iamd.service.domain.errors import (
    DeleteConflictError,
    EntityAlreadyExistsError,
    LimitExceededError,
    NoSuchEntityError,
    PasswordPolicyViolationError,
    ValidationError,
)
from iamd.service.domain.events import (
    InstanceProfileRoleAdded,
    LoginProfileCreated,
    LoginProfileDeleted,
    LoginProfileUpdated,
    ReservationVoided,
    UserCreated,
    decode_event,
)

ACCOUNT = "123456789012"
NOW = "2026-12-05T00:00:00Z"


def _profile(*events) -> instance_profiles.InstanceProfileState:  # type: ignore[no-untyped-def]
    created = instance_profiles.create(instance_profiles.InstanceProfileState(), name="web", id="AIPAX",
                                       arn=instance_profiles.arn_of(ACCOUNT, "/app/", "web"), path="/app/", now=NOW,
                                       tags={"env": "prod"})
    return instance_profiles.fold([*created, *events])


def test_an_instance_profile_is_created_once_with_its_arn() -> None:
    state = _profile()
    assert (state.exists, state.arn, state.tags) == (True, f"arn:aws:iam::{ACCOUNT}:instance-profile/app/web",
                                                     {"env": "prod"})
    with pytest.raises(EntityAlreadyExistsError, match="Instance Profile web already exists."):
        instance_profiles.create(state, name="web", id="AIPAY", arn="a", path="/", now=NOW, tags={})
    assert instance_profiles.stream(ACCOUNT, "Web") == f"instanceprofile-{ACCOUNT}-web"
    with pytest.raises(ValidationError, match="instanceProfileName"):
        instance_profiles.check_name("instanceProfileName", "x" * 129)


def test_a_profile_holds_one_role_and_is_not_deleted_while_it_does() -> None:
    state = _profile()
    [added] = instance_profiles.add_role(state, "web", role_id="AROA1", role_name="r1", reservation_id="rid")
    assert added == InstanceProfileRoleAdded("r1", "AROA1", "rid")
    held = _profile(added, ReservationVoided("other"))  # a voided reservation changes nothing
    assert held.roles == {"AROA1": "r1"}
    for role_id, name in (("AROA2", "r2"), ("AROA1", "r1")):  # another role, or the same one again
        with pytest.raises(LimitExceededError, match="InstanceSessionsPerInstanceProfile: 1"):
            instance_profiles.add_role(held, "web", role_id=role_id, role_name=name)
    with pytest.raises(DeleteConflictError, match="must remove roles from instance profile first"):
        instance_profiles.delete(held, "web")
    with pytest.raises(NoSuchEntityError, match="The role with name r2 cannot be found."):
        instance_profiles.remove_role(held, "web", "r2")
    removed = instance_profiles.remove_role(held, "web", "R1")  # role names compare case-insensitively
    emptied = _profile(added, *removed)
    assert emptied.roles == {} and instance_profiles.delete(emptied, "web")


def test_a_missing_profile_is_no_such_entity_for_every_command() -> None:
    gone = instance_profiles.fold([*_profile_events(), *instance_profiles.delete(_profile(), "web")])
    for decide in (lambda: instance_profiles.add_role(gone, "web", role_id="AROA1", role_name="r"),
                   lambda: instance_profiles.tag(gone, "web", {"k": "v"}),
                   lambda: instance_profiles.delete(gone, "web")):
        with pytest.raises(NoSuchEntityError, match="Instance Profile web cannot be found."):
            decide()


def _profile_events() -> list:  # type: ignore[type-arg]
    return instance_profiles.create(instance_profiles.InstanceProfileState(), name="web", id="AIPAX", arn="a",
                                    path="/", now=NOW, tags={})


def test_tags_merge_case_insensitively_and_untag_changes_only_what_is_there() -> None:
    state = _profile()
    [tagged] = instance_profiles.tag(state, "web", {"ENV": "dev", "team": "x"})
    assert tagged.tags == {"ENV": "dev", "team": "x"}
    assert instance_profiles.untag(state, "web", ["absent"]) == []
    assert instance_profiles.tag(state, "web", {"env": "prod"}) == []


def test_delete_role_is_refused_while_an_instance_profile_holds_it() -> None:
    role = identity.EntityState("role", exists=True, name="r", id="AROA1")
    with pytest.raises(DeleteConflictError, match="must remove roles from instance profile first"):
        identity.delete(role, instance_profiles=1)
    assert identity.delete(role)


# --- login profiles --------------------------------------------------------------------------------
def _user(*events) -> identity.EntityState:  # type: ignore[no-untyped-def]
    return identity.fold("user", [UserCreated("carol", "AIDAX", f"arn:aws:iam::{ACCOUNT}:user/carol", "/", NOW),
                                  *events])


def test_a_user_has_at_most_one_login_profile_and_is_not_deleted_with_one() -> None:
    [created] = login_profiles.create(_user(), "carol", password_hash="$scrypt$h", password_reset_required=True,
                                      now=NOW)
    user = _user(created)
    assert user.login_profile == {"password_hash": "$scrypt$h", "password_reset_required": True, "created_at": NOW,
                                  "changed_at": NOW, "previous_hashes": []}
    with pytest.raises(EntityAlreadyExistsError, match="Login Profile for User carol already exists."):
        login_profiles.create(user, "carol", password_hash="$scrypt$i", password_reset_required=False, now=NOW)
    with pytest.raises(DeleteConflictError, match="must delete login profile first"):
        identity.delete(user)
    assert identity.delete(_user(created, *login_profiles.delete(user, "carol")))
    # A rename carries the password along.
    assert user.snapshot()["login_profile"]["password_hash"] == "$scrypt$h"


def test_update_changes_what_is_given_and_nothing_else() -> None:
    user = _user(LoginProfileCreated("$scrypt$h", False, NOW))
    assert login_profiles.update(user, "carol", password_hash="", password_reset_required=None, now=NOW) == []
    assert login_profiles.update(user, "carol", password_hash="", password_reset_required=False, now=NOW) == []
    [flag] = login_profiles.update(user, "carol", password_hash="", password_reset_required=True, now=NOW)
    assert _user(LoginProfileCreated("$scrypt$h", False, NOW), flag).login_profile["password_hash"] == "$scrypt$h"
    [new] = login_profiles.update(user, "carol", password_hash="$scrypt$n", password_reset_required=None, now=NOW)
    assert new == LoginProfileUpdated("$scrypt$n", False, NOW)
    without = _user(LoginProfileCreated("$scrypt$h", False, NOW), LoginProfileDeleted())
    for decide in (lambda: login_profiles.update(without, "carol", password_hash="x", password_reset_required=None,
                                                 now=NOW),
                   lambda: login_profiles.delete(without, "carol")):
        with pytest.raises(NoSuchEntityError, match="Login Profile for User carol cannot be found."):
            decide()


@pytest.mark.parametrize(("password", "rule"), [
    ("Ab1!", "Password should have a minimum length of 8"),
    ("alllowercase", "at least three of the following character types"),
    ("lowercase1", "at least three of the following character types"),
])
def test_without_an_account_policy_awss_default_policy_applies(password: str, rule: str) -> None:
    with pytest.raises(PasswordPolicyViolationError, match=rule) as caught:
        login_profiles.check_password("password", password, None)
    assert caught.value.problems[0].field == "password"
    login_profiles.check_password("password", "lowercase1!", None)  # three kinds, 11 characters


def test_the_account_policy_names_the_first_rule_broken_and_lists_them_all() -> None:
    policy = {"MinimumPasswordLength": 12, "RequireSymbols": True, "RequireNumbers": True,
              "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True}
    with pytest.raises(PasswordPolicyViolationError, match="^Password should have a minimum length of 12$") as caught:
        login_profiles.check_password("password", "abc", policy)
    assert [p.message for p in caught.value.problems] == [
        "Password should have a minimum length of 12", "Password should have at least one uppercase letter",
        "Password should have at least one number", "Password should have at least one symbol"]
    login_profiles.check_password("password", "Abcdefghij1!", policy)
    login_profiles.check_password("password", "abc", {"MinimumPasswordLength": 3})  # a lax policy is the rule


def test_the_wire_rules_never_quote_the_password() -> None:
    for bad in ("", "x" * 129, "tab\tok but \u0100 is not"):
        with pytest.raises(ValidationError) as caught:
            login_profiles.check_wire("password", bad)
        assert (bad or "\0") not in caught.value.message


def test_events_keep_only_the_hash() -> None:
    from iamd.service.auth.passwords import hash_password
    encoded = hash_password("Correct-Horse-42", b"0123456789abcdef")
    event = decode_event("LoginProfileCreated", LoginProfileCreated(encoded, False, NOW).to_data())
    assert "Correct-Horse-42" not in str(event.to_data()) and verify_password("Correct-Horse-42", event.password_hash)
