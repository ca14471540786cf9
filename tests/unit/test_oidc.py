"""OIDC providers: AWS's URL, audience and thumbprint rules; one provider per URL; idempotent delete."""

from __future__ import annotations

import re

import pytest

from iamd.service.domain import oidc
from iamd.service.domain.errors import (
    EntityAlreadyExistsError,
    InvalidInputError,
    MAX_MESSAGE_BYTES,
    LimitExceededError,
    NoSuchEntityError,
    ValidationError,
)

ACCOUNT = "123456789012"
URL = "https://token.actions.githubusercontent.com"


def test_the_arn_and_the_url_as_aws_shows_them() -> None:
    assert oidc.arn_of(ACCOUNT, URL + "/") == f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
    assert oidc.path_of_arn(oidc.arn_of(ACCOUNT, URL), ACCOUNT) == "token.actions.githubusercontent.com"
    with pytest.raises(NoSuchEntityError):
        oidc.path_of_arn("arn:aws:iam::999999999999:oidc-provider/x", ACCOUNT)  # another account's


@pytest.mark.parametrize("url", ["http://example.com", "example.com", "https://", "https://exa mple.com",
                                 "ftp://example.com"])
def test_only_https_urls(url: str) -> None:
    with pytest.raises(InvalidInputError, match="Invalid Open ID Connect Provider URL"):
        oidc.check_url(url)


def test_audiences_and_thumbprints_are_bounded_and_deduplicated() -> None:
    assert oidc.check_client_ids(["a", "b", "a"]) == ["a", "b"]
    with pytest.raises(LimitExceededError, match="ClientIdsPerOpenIdConnectProvider: 100"):
        oidc.check_client_ids([str(i) for i in range(101)])
    assert oidc.check_thumbprints(["A" * 40, "a" * 40]) == ["a" * 40]
    with pytest.raises(InvalidInputError, match="fewer than 5 entries"):
        oidc.check_thumbprints([f"{i:040x}" for i in range(6)])
    with pytest.raises(ValidationError, match="at 'thumbprintList' failed"):
        oidc.check_thumbprints(["not-hex"])
    with pytest.raises(ValidationError, match="40 hexadecimal digits"):
        oidc.check_thumbprints(["g" * 40])


def test_create_reports_every_violated_constraint_at_once_as_aws() -> None:
    """AWS's validator: "N validation errors detected: ..." with each member's constraints, the
    lists' members at the list ("Member must satisfy constraint: [...]"), before any other check."""
    with pytest.raises(ValidationError) as caught:
        oidc.check_create("b" * 256, ["b" * 256], ["b" * 41])
    message = caught.value.message
    # Every violation is told: the quoted values are shortened to share the message's bound.
    assert re.match(r"3 validation errors detected: Value 'b{16,}\.\.\.' at 'url' failed to satisfy constraint: "
                    r"Member must have length less than or equal to 255; ", message), message
    assert len(message.encode()) <= MAX_MESSAGE_BYTES
    assert ("at 'clientIDList' failed to satisfy constraint: Member must satisfy constraint: [Member must have "
            "length less than or equal to 255, Member must have length greater than or equal to 1]") in message
    assert ("at 'thumbprintList' failed to satisfy constraint: Member must satisfy constraint: [Member must have "
            "length less than or equal to 40, Member must have length greater than or equal to 40]") in message
    assert [p.field for p in caught.value.problems] == ["url", "clientIDList", "thumbprintList"]
    with pytest.raises(ValidationError, match=r"^1 validation error detected: Value '\[\]' at 'clientIDList'"):
        oidc.check_create(URL, [""], [])
    with pytest.raises(InvalidInputError):  # the form of the URL: after the constraints
        oidc.check_create("http://example.com", [], [])
    assert oidc.check_create(URL, ["a", "a"], ["A" * 40]) == (["a"], ["a" * 40])


def test_one_provider_per_url_and_delete_is_idempotent() -> None:
    arn = oidc.arn_of(ACCOUNT, URL)
    created = oidc.fold(oidc.create(oidc.ProviderState(), arn, URL, ["sts.amazonaws.com"], [], {}, "t"))
    with pytest.raises(EntityAlreadyExistsError):
        oidc.create(created, arn, URL, [], [], {}, "t")
    deleted = oidc.fold([*oidc.create(oidc.ProviderState(), arn, URL, [], [], {}, "t"), *oidc.delete(created, arn)])
    assert not deleted.exists and oidc.delete(deleted, arn) == []
    with pytest.raises(NoSuchEntityError):
        oidc.add_client_id(deleted, arn, "x")
