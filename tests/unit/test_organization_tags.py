"""Organizations tagging rules (AWS Organizations API reference: TagResource, UntagResource,
ListTagsForResource, Tag; the Tags of CreateAccount, CreateOrganizationalUnit, CreatePolicy)."""

from __future__ import annotations

import json

import pytest

from iamd.service.domain import organizations as o
from iamd.service.domain.errors import ConstraintViolationError, InvalidInputError, TargetNotFoundError

SCP = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})


def _org() -> o.OrganizationState:
    state = o.fold(o.create(o.OrganizationState(), organization_id="o-abcdefghij", root_id="r-abcd",
                            management_account_id="111111111111", now="2026-01-01T00:00:00Z"))
    o.fold(o.create_ou(state, ou_id="ou-abcd-aaaaaaaa", name="eng", parent_id="r-abcd", tags=[("team", "eng")]),
           state)
    o.fold(o.create_policy(state, policy_id="p-aaaaaaaa", name="deny-s3", policy_type=o.SCP, content=SCP,
                           tags=[("env", "prod")]), state)
    o.fold(o.join(state, account_id="222222222222", name="dev", email="dev@example.com", now="2026-01-01T00:00:00Z",
                  tags=[("cost", "1")]), state)
    return state


def _reason(excinfo: pytest.ExceptionInfo[Exception]) -> str:
    return excinfo.value.reason  # type: ignore[attr-defined]


def test_tags_at_creation_are_folded_for_ous_policies_and_accounts() -> None:
    state = _org()
    assert o.tags_of(state, "ou-abcd-aaaaaaaa") == {"team": "eng"}
    assert o.tags_of(state, "p-aaaaaaaa") == {"env": "prod"}
    assert o.tags_of(state, "222222222222") == {"cost": "1"}
    assert o.tags_of(state, "r-abcd") == {}


def test_tag_adds_and_overwrites_untag_removes_case_sensitively() -> None:
    state = _org()
    o.fold(o.tag(state, resource_id="r-abcd", tags=[("a", "1"), ("A", "2")]), state)
    assert o.tags_of(state, "r-abcd") == {"a": "1", "A": "2"}
    o.fold(o.tag(state, resource_id="r-abcd", tags=[("a", "3")]), state)
    assert o.tags_of(state, "r-abcd") == {"a": "3", "A": "2"}
    assert o.tag(state, resource_id="r-abcd", tags=[("a", "3")]) == []  # nothing changes: no event
    o.fold(o.untag(state, resource_id="r-abcd", tag_keys=["a", "missing"]), state)
    assert o.tags_of(state, "r-abcd") == {"A": "2"}
    assert o.untag(state, resource_id="r-abcd", tag_keys=["missing"]) == []


def test_deleted_resources_lose_their_tags() -> None:
    state = _org()
    o.fold(o.delete_ou(state, ou_id="ou-abcd-aaaaaaaa"), state)
    o.fold(o.remove_account(state, account_id="222222222222", now="2026-01-02T00:00:00Z"), state)
    assert "ou-abcd-aaaaaaaa" not in state.tags and "222222222222" not in state.tags
    with pytest.raises(TargetNotFoundError):
        o.tags_of(state, "ou-abcd-aaaaaaaa")


def test_unknown_and_malformed_resources() -> None:
    state = _org()
    with pytest.raises(TargetNotFoundError):
        o.tag(state, resource_id="ou-abcd-zzzzzzzz", tags=[("k", "v")])
    with pytest.raises(TargetNotFoundError):
        o.untag(state, resource_id="333333333333", tag_keys=["k"])
    with pytest.raises(InvalidInputError) as bad:
        o.tags_of(state, "not-an-id")
    assert _reason(bad) == "INVALID_PATTERN"
    with pytest.raises(InvalidInputError) as managed:
        o.tag(state, resource_id=o.FULL_AWS_ACCESS_ID, tags=[("k", "v")])
    assert _reason(managed) == "IMMUTABLE_POLICY"


@pytest.mark.parametrize(("tags", "reason"), [
    ([("", "v")], "MIN_LENGTH_EXCEEDED"),
    ([("k" * 129, "v")], "MAX_LENGTH_EXCEEDED"),
    ([("k", "v" * 257)], "MAX_LENGTH_EXCEEDED"),
    ([("k!", "v")], "INVALID_PATTERN"),
    ([("k", "v#")], "INVALID_PATTERN"),
    ([("aws:x", "v")], "INVALID_SYSTEM_TAGS_PARAMETER"),
    ([("AWS:x", "v")], "INVALID_SYSTEM_TAGS_PARAMETER"),
    ([("k", "1"), ("k", "2")], "DUPLICATE_TAG_KEY"),
    ([], "INPUT_REQUIRED"),
])
def test_invalid_tags_are_refused_whole(tags: list[tuple[str, str]], reason: str) -> None:
    state = _org()
    with pytest.raises(InvalidInputError) as refused:
        o.tag(state, resource_id="r-abcd", tags=[("ok", "1"), *tags] if tags else [])
    assert _reason(refused) == reason
    assert o.tags_of(state, "r-abcd") == {}


def test_allowed_characters_and_lengths() -> None:
    state = _org()
    tags = [("k" * 128, "v" * 256), ("Ünïcode key 1_.:/=+-@", ""), ("日本", "値")]
    o.fold(o.tag(state, resource_id="r-abcd", tags=tags), state)
    assert o.tags_of(state, "r-abcd") == dict(tags)


def test_at_most_50_tags_on_a_resource() -> None:
    state = _org()
    o.fold(o.tag(state, resource_id="r-abcd", tags=[(f"k{i}", "") for i in range(50)]), state)
    o.fold(o.tag(state, resource_id="r-abcd", tags=[("k0", "changed")]), state)  # an existing key: still 50
    with pytest.raises(ConstraintViolationError) as refused:
        o.tag(state, resource_id="r-abcd", tags=[("k50", "")])
    assert _reason(refused) == "MAX_TAG_LIMIT_EXCEEDED"
    with pytest.raises(ConstraintViolationError):
        o.create_ou(state, ou_id="ou-abcd-bbbbbbbb", name="x", parent_id="r-abcd",
                    tags=[(f"k{i}", "") for i in range(51)])


def test_untag_refuses_system_keys() -> None:
    with pytest.raises(InvalidInputError) as refused:
        o.untag(_org(), resource_id="r-abcd", tag_keys=["aws:cloudformation:stack-name"])
    assert _reason(refused) == "INVALID_SYSTEM_TAGS_PARAMETER"


def test_invalid_tags_at_creation_create_nothing() -> None:
    state = _org()
    with pytest.raises(InvalidInputError):
        o.create_policy(state, policy_id="p-bbbbbbbb", name="p2", policy_type=o.SCP, content=SCP,
                        tags=[("aws:x", "")])
    with pytest.raises(InvalidInputError):
        o.check_new_tags([("k", "1"), ("k", "1")])
