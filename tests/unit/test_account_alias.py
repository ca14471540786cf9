"""Account aliases: AWS's pattern, one account per alias, a claim only its holder releases."""

from __future__ import annotations

import pytest

from service.domain import account_alias
from service.domain.errors import EntityAlreadyExistsError, NoSuchEntityError, ValidationError
from service.domain.events import AccountAliasClaimed, AccountAliasCreated, AccountAliasDeleted, AccountAliasReleased


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
    held = account_alias.fold_claim([AccountAliasClaimed("shared", "111111111111")])
    with pytest.raises(EntityAlreadyExistsError):
        account_alias.claim(held, "shared", "222222222222")
    assert account_alias.claim(held, "shared", "111111111111") == []  # its holder completes a crashed create
    assert account_alias.release(held, "shared", "222222222222") == []  # only the holder releases
    released = account_alias.fold_claim([AccountAliasClaimed("shared", "111111111111"),
                                         AccountAliasReleased("shared", "111111111111")])
    assert account_alias.claim(released, "shared", "222222222222") == [AccountAliasClaimed("shared", "222222222222")]


def test_a_new_alias_replaces_the_old_and_delete_names_the_current_one() -> None:
    state = account_alias.fold_alias([AccountAliasCreated("old", "t")])
    assert account_alias.create(state, "new", "t2") == [AccountAliasDeleted("old"), AccountAliasCreated("new", "t2")]
    assert account_alias.create(state, "old", "t2") == []
    with pytest.raises(NoSuchEntityError):
        account_alias.delete(state, "new")
