"""Deciders as "given events, when command, then events or error" — no I/O."""

from __future__ import annotations

import pytest

from iamd.service.domain import identity, managed_policy, names
from iamd.service.domain.errors import (
    DeleteConflictError,
    EntityAlreadyExistsError,
    InvalidInputError,
    LimitExceededError,
    NoSuchEntityError,
    ValidationError,
)
from iamd.service.domain.events import (
    EVENT_TYPES,
    GROUP,
    ROLE,
    USER,
    InlinePolicyPut,
    NameClaimed,
    PolicyAttached,
    PolicyCreated,
    PolicyVersionCreated,
    Renamed,
    Tagged,
    UserAddedToGroup,
    UserCreated,
    decode_event,
    event_type,
)

NOW = "2026-11-22T10:00:00Z"
ALICE = UserCreated("alice", "AIDAAAAAAAAAAAAAAAAAA", "arn:aws:iam::123456789012:user/alice", "/", NOW)


def given(kind: str, *events) -> identity.EntityState:
    return identity.fold(kind, events)


def test_every_event_round_trips_through_its_stored_type() -> None:
    for type_name, cls in EVENT_TYPES.items():
        assert type_name.endswith(cls.__name__)
    stored = event_type(USER, PolicyAttached("arn:x"))
    assert stored == "UserPolicyAttached"
    assert decode_event(stored, PolicyAttached("arn:x").to_data()) == PolicyAttached("arn:x")
    assert event_type(GROUP, PolicyAttached("a")) == "GroupPolicyAttached"


def test_create_twice_is_entity_already_exists() -> None:
    with pytest.raises(EntityAlreadyExistsError, match="User with name alice already exists"):
        identity.create_user(given(USER, ALICE), name="alice", id="x", arn="a", path="/", now=NOW,
                             permissions_boundary="", tags={})


def test_attach_is_idempotent_and_capped_at_ten() -> None:
    state = given(USER, ALICE, *[PolicyAttached(f"arn:p{i}") for i in range(10)])
    assert identity.attach_policy(state, "arn:p3") == []
    with pytest.raises(LimitExceededError, match="PoliciesPerUser: 10"):
        identity.attach_policy(state, "arn:p10")


def test_detach_of_unattached_policy_is_no_such_entity() -> None:
    with pytest.raises(NoSuchEntityError):
        identity.detach_policy(given(USER, ALICE), "arn:nope")


def test_inline_policy_size_is_aggregate_and_ignores_whitespace() -> None:
    state = given(USER, ALICE, InlinePolicyPut("a", "x" * 1500))
    identity.put_inline_policy(state, "a", "y" * 2048)  # replacing the same name: only it counts
    identity.put_inline_policy(state, "b", "z" * 548 + " " * 5000)
    with pytest.raises(LimitExceededError):
        identity.put_inline_policy(state, "b", "z" * 549)
    role = given(ROLE)
    role.kind = ROLE
    assert identity.put_inline_policy(role, "r", "x" * 10240)


def test_delete_conflicts_name_each_blocker() -> None:
    with pytest.raises(DeleteConflictError, match="must detach all policies first"):
        identity.delete(given(USER, ALICE, PolicyAttached("arn:p")))
    with pytest.raises(DeleteConflictError, match="must remove users from group first"):
        identity.delete(given(USER, ALICE, UserAddedToGroup("AGPA1", "g")))
    with pytest.raises(DeleteConflictError, match="must delete policies first"):
        identity.delete(given(USER, ALICE, InlinePolicyPut("p", "{}")))
    assert identity.delete(given(USER, ALICE))


def test_groups_per_user_quota() -> None:
    state = given(USER, ALICE, *[UserAddedToGroup(f"AGPA{i}", f"g{i}") for i in range(10)])
    with pytest.raises(LimitExceededError, match="GroupsPerUser: 10"):
        identity.add_user_to_group(state, "AGPAnew", "new")


def test_tags_replace_keys_case_insensitively_and_cap_at_fifty() -> None:
    [event] = identity.tag({"Team": "a"}, {"team": "b"})
    assert event == Tagged({"team": "b"})
    with pytest.raises(LimitExceededError):
        identity.tag({f"k{i}": "v" for i in range(50)}, {"one-more": "v"})
    with pytest.raises(InvalidInputError):
        names.check_tags("tags", [("aws:reserved", "v")])


def test_rename_claim_carries_state_and_the_old_stream_closes() -> None:
    state = given(USER, ALICE, PolicyAttached("arn:p"))
    [claim] = identity.claim_name(given(USER), "bob", state, "user-1-alice", 1, "/", "arn:bob")
    assert isinstance(claim, NameClaimed) and claim.state["attached"] == ["arn:p"]
    moved = identity.fold(USER, [claim])
    assert moved.exists and moved.name == "bob" and moved.unconfirmed_claim is claim
    closed = identity.fold(USER, [ALICE, Renamed("bob", "/", "arn:bob", "user-1-bob")])
    assert not closed.exists


def test_policy_versions() -> None:
    created = PolicyCreated("P", "ANPA1", "arn:aws:iam::123456789012:policy/P", "/", "", "{}", NOW)
    state = managed_policy.fold([created] + [PolicyVersionCreated(f"v{i}", "{}", False, NOW) for i in range(2, 6)])
    with pytest.raises(LimitExceededError):
        managed_policy.create_version(state, "{}", False, NOW)
    with pytest.raises(DeleteConflictError):
        managed_policy.delete_version(state, "v1")
    [deleted] = managed_policy.delete_version(state, "v3")
    state = managed_policy.apply(state, deleted)
    [v6] = managed_policy.create_version(state, "{}", True, NOW)
    assert v6.version_id == "v6", "version ids are never reused"
    with pytest.raises(DeleteConflictError):
        managed_policy.delete(state, attachment_count=1, boundary_usage_count=0)
    with pytest.raises(NoSuchEntityError):
        managed_policy.require(state, "arn:aws:iam::123456789012:policy/other/P")


@pytest.mark.parametrize("name", ["", "a b", "x" * 65, "ümlaut"])
def test_bad_user_names(name: str) -> None:
    with pytest.raises(ValidationError):
        names.check_name(USER, "userName", name)


@pytest.mark.parametrize("path,ok", [("/", True), ("/a/b/", True), ("a/", False), ("/a", False), ("", True)])
def test_paths(path: str, ok: bool) -> None:
    if ok:
        assert names.check_path("path", path).startswith("/")
    else:
        with pytest.raises(ValidationError):
            names.check_path("path", path)


def test_stream_names_casefold_for_uniqueness() -> None:
    assert names.stream_name(USER, "123456789012", "Alice") == names.stream_name(USER, "123456789012", "ALICE")
    assert names.non_whitespace_length('{ "a" : 1 }\n') == 7
