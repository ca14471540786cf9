"""EnableAllFeatures and CreateGovCloudAccount as iamd answers them (API reference; the reasons of
HandshakeConstraintViolationException and ConstraintViolationException): every organization of
iamd has all features, and no management account of it is paired with a GovCloud account."""

from __future__ import annotations

import pytest

from iamd.service.domain import organizations as o
from iamd.service.domain.errors import (
    ConstraintViolationError,
    HandshakeConstraintViolationError,
    InvalidInputError,
    OrganizationsNotInUseError,
)

NOW = "2026-01-01T00:00:00Z"


def _org() -> o.OrganizationState:
    return o.fold(o.create(o.OrganizationState(), organization_id="o-abcdefghij", root_id="r-abcd",
                           management_account_id="111111111111", now=NOW))


def test_enable_all_features_answers_that_the_organization_has_them() -> None:
    with pytest.raises(HandshakeConstraintViolationError) as caught:
        o.enable_all_features(_org())
    assert caught.value.reason == "ORGANIZATION_ALREADY_HAS_ALL_FEATURES"
    with pytest.raises(OrganizationsNotInUseError):
        o.enable_all_features(o.OrganizationState())


def _gov(**overrides: object) -> None:
    request: dict[str, object] = {"account_name": "gov", "email": "gov@example.com", "role_name": "",
                                  "iam_user_access_to_billing": "", "tags": ()}
    request.update(overrides)
    o.create_gov_cloud_account(_org(), **request)  # type: ignore[arg-type]


def test_create_gov_cloud_account_is_refused_for_want_of_a_govcloud_account() -> None:
    with pytest.raises(ConstraintViolationError) as caught:
        _gov(iam_user_access_to_billing="ALLOW", tags=[("env", "gov")])
    assert caught.value.reason == "MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"email": "nope"}, "email"), ({"account_name": ""}, "accountName"), ({"role_name": "a b"}, "roleName"),
    ({"iam_user_access_to_billing": "MAYBE"}, "iamUserAccessToBilling"),
    ({"tags": [("aws:x", "y")]}, "tags.1.member.key"),
])
def test_create_gov_cloud_account_checks_its_input_first(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        _gov(**overrides)
    assert caught.value.problems[0].field == field
