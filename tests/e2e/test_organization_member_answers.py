"""End to end with botocore over a real iamd's HTTP endpoint: what Organizations answers an account
that is not its management account, as AWS answers it. An account in no organization gets
AWSOrganizationsNotInUseException; a member may describe its organization, and gets AWS's own
AccessDeniedException for the management account's reads; a user no policy allows gets IAM's
denial; every one of them with HTTP 400, the status AWS's Organizations API Reference gives its
exceptions (not IAM's 403 for AccessDenied)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from iamd.client.credentials import Credentials

from .conftest import ACCOUNT, Iamd
from .test_aws_query import _client, _refused
from .test_organization_authorization import MANAGEMENT_ONLY, _member_credentials

pytestmark = pytest.mark.e2e

NOT_IN_USE = "Your account is not a member of an organization."
READS = ("describe_organization", "list_accounts", "list_roots")


def _call(method: Any, **kwargs: Any) -> Any:
    return asyncio.to_thread(method, **kwargs)


async def _not_in_use(client: Any) -> None:
    for read in READS:
        error = await _refused(getattr(client, read), "AWSOrganizationsNotInUseException", 400)
        assert error.response["Error"]["Message"] == NOT_IN_USE, read


async def test_accounts_outside_the_management_account_get_awss_answers(iamd_http: Iamd) -> None:
    org = _client(iamd_http, "organizations")
    await _not_in_use(org)  # no organization yet
    await _call(org.create_organization, FeatureSet="ALL")
    as_member = _client(iamd_http, "organizations", await _member_credentials(iamd_http, org))

    organization = (await _call(org.describe_organization))["Organization"]
    assert (await _call(as_member.describe_organization))["Organization"] == organization
    for read in ("list_accounts", "list_roots"):
        error = await _refused(getattr(as_member, read), "AccessDeniedException", 400)
        assert error.response["Error"]["Message"] == MANAGEMENT_ONLY, read
        assert error.response["Error"]["Code"] == "AccessDeniedException"

    # A management-account user no policy allows: IAM's denial, as Organizations' exception.
    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="nobody")
    key = (await _call(iam.create_access_key, UserName="nobody"))["AccessKey"]
    nobody = _client(iamd_http, "organizations", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    for read in READS:
        error = await _refused(getattr(nobody, read), "AccessDeniedException", 400)
        assert error.response["Error"]["Message"].startswith(
            f"User: arn:aws:iam::{ACCOUNT}:user/nobody is not authorized to perform: organizations:"), read

    # Removed, the member is an account in no organization again.
    [member] = [a["Id"] for a in (await _call(org.list_accounts))["Accounts"] if a["Id"] != ACCOUNT]
    await _call(org.remove_account_from_organization, AccountId=member)
    await _not_in_use(as_member)
