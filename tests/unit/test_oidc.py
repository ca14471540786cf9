"""OIDC providers: AWS's URL, audience and thumbprint rules; one provider per URL; idempotent delete."""

from __future__ import annotations

import pytest

from iamd.service.domain import oidc
from iamd.service.domain.errors import EntityAlreadyExistsError, InvalidInputError, LimitExceededError, NoSuchEntityError

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
    with pytest.raises(Exception, match="thumbprintList.1"):
        oidc.check_thumbprints(["not-hex"])


def test_one_provider_per_url_and_delete_is_idempotent() -> None:
    arn = oidc.arn_of(ACCOUNT, URL)
    created = oidc.fold(oidc.create(oidc.ProviderState(), arn, URL, ["sts.amazonaws.com"], [], {}, "t"))
    with pytest.raises(EntityAlreadyExistsError):
        oidc.create(created, arn, URL, [], [], {}, "t")
    deleted = oidc.fold([*oidc.create(oidc.ProviderState(), arn, URL, [], [], {}, "t"), *oidc.delete(created, arn)])
    assert not deleted.exists and oidc.delete(deleted, arn) == []
    with pytest.raises(NoSuchEntityError):
        oidc.add_client_id(deleted, arn, "x")
