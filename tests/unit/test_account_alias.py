"""Account aliases: AWS's pattern, one account per alias, a claim only its holder releases."""

from __future__ import annotations

import pytest

from iamd.service.domain import account_alias
from iamd.service.domain.errors import EntityAlreadyExistsError, NoSuchEntityError, ValidationError
from iamd.service.domain.events import AccountAliasClaimed, AccountAliasCreated, AccountAliasDeleted, AccountAliasReleased

NOW = "2026-12-05T10:00:00Z"


@pytest.mark.parametrize("alias", ["abc", "my-alias", "a1-b2", "x" * 63])
def test_valid_aliases(alias: str) -> None:
    assert account_alias.check_alias(alias) == alias


@pytest.mark.parametrize("alias,rule", [("ab", "greater than or equal to 3"), ("x" * 64, "less than or equal to 63"),
                                        ("-abc", "pattern"), ("abc-", "pattern"), ("a--b", "pattern"),
                                        ("ABC", "pattern"), ("a_b", "pattern")])
def test_invalid_aliases(alias: str, rule: str) -> None:
    with pytest.raises(ValidationError, match=rule):
        account_alias.check_alias(alias)


def test_an_alias_held_by_one_account_cannot_be_claimed_by_another_until_released() -> None:
    held = account_alias.fold_claim([AccountAliasClaimed("shared", "111111111111", NOW)])
    with pytest.raises(EntityAlreadyExistsError):
        account_alias.claim(held, "shared", "222222222222", NOW, holder_uses_it=True)
    assert account_alias.claim(held, "shared", "111111111111", NOW, False) == []  # its holder completes a create
    assert account_alias.release(held, "shared", "222222222222") == []  # only the holder releases
    released = account_alias.fold_claim([AccountAliasClaimed("shared", "111111111111", NOW),
                                         AccountAliasReleased("shared", "111111111111")])
    assert account_alias.claim(released, "shared", "222222222222", NOW, False) == [
        AccountAliasClaimed("shared", "222222222222", NOW)]


def test_a_claim_its_holder_does_not_use_is_taken_over_only_once_stale() -> None:
    """A crash between claiming and recording leaves a claim nobody uses: it must not block the
    alias forever, nor be stolen from a create still in flight."""
    held = account_alias.fold_claim([AccountAliasClaimed("shared", "111111111111", NOW)])
    with pytest.raises(EntityAlreadyExistsError):
        account_alias.claim(held, "shared", "222222222222", "2026-12-05T10:00:30Z", holder_uses_it=False)
    assert account_alias.claim(held, "shared", "222222222222", "2026-12-05T10:02:00Z", holder_uses_it=False) == [
        AccountAliasReleased("shared", "111111111111"),
        AccountAliasClaimed("shared", "222222222222", "2026-12-05T10:02:00Z")]
    with pytest.raises(EntityAlreadyExistsError):  # however old, a claim in use stays
        account_alias.claim(held, "shared", "222222222222", "2027-01-01T00:00:00Z", holder_uses_it=True)


def test_a_new_alias_replaces_the_old_and_delete_names_the_current_one() -> None:
    state = account_alias.fold_alias([AccountAliasCreated("old", "t")])
    assert account_alias.create(state, "new", "t2") == [AccountAliasDeleted("old"), AccountAliasCreated("new", "t2")]
    assert account_alias.create(state, "old", "t2") == []
    with pytest.raises(NoSuchEntityError):
        account_alias.delete(state, "new")
