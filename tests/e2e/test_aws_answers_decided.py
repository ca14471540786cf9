"""End to end: answers of moto's suite once left undecided, now decided by AWS's documentation or
its recorded answers (docs/aws-compatibility.md): the membership calls name the user when neither
the user nor the group exists, and DeleteAccountPasswordPolicy has its own words."""

from __future__ import annotations

import pytest

from .conftest import Iamd
from .test_aws_query import _call, _client, _refused

pytestmark = pytest.mark.e2e


async def test_membership_calls_name_the_user_first(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    for method in (iam.add_user_to_group, iam.remove_user_from_group):
        error = await _refused(method, "NoSuchEntity", 404, GroupName="no-group", UserName="no-user")
        assert error.response["Error"]["Message"] == "The user with name no-user cannot be found."
    await _call(iam.create_user, UserName="someone")
    for method in (iam.add_user_to_group, iam.remove_user_from_group):
        error = await _refused(method, "NoSuchEntity", 404, GroupName="no-group", UserName="someone")
        assert error.response["Error"]["Message"] == "The group with name no-group cannot be found."


async def test_deleting_a_missing_password_policy_in_awss_words(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    error = await _refused(iam.delete_account_password_policy, "NoSuchEntity", 404)
    assert error.response["Error"]["Message"] == "The account policy with name PasswordPolicy cannot be found."
