"""Review of the other IAM resources and account settings (SSH keys, certificates,
service-specific credentials, instance profiles, alias, password policy, reports) against a
real iamd, through botocore's IAM client: each test is a bug found and fixed."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest

from .conftest import Iamd
from .test_aws_query import _call, _client

pytestmark = pytest.mark.e2e


async def test_the_credential_report_shows_when_a_password_must_be_rotated(iamd_http: Iamd) -> None:
    """IAM User Guide, "Getting credential reports", password_next_rotation: "When the account has
    a password policy that requires password rotation, this field contains the date and time ...
    when the user is required to set a new password." iamd wrote N/A whatever the policy."""
    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="dev")
    await _call(iam.create_user, UserName="nopassword")
    await _call(iam.update_account_password_policy, MaxPasswordAge=30)
    await _call(iam.create_login_profile, UserName="dev", Password="Abcdefgh1!xyz")
    await _call(iam.generate_credential_report)
    rows = {r["user"]: r for r in csv.DictReader(io.StringIO(
        (await _call(iam.get_credential_report))["Content"].decode()))}
    changed = datetime.fromisoformat(rows["dev"]["password_last_changed"].replace("Z", "+00:00"))
    rotation = datetime.fromisoformat(rows["dev"]["password_next_rotation"].replace("Z", "+00:00"))
    assert rotation - changed == timedelta(days=30)
    assert rows["nopassword"]["password_next_rotation"] == "N/A"
    assert rows["<root_account>"]["password_next_rotation"] == "not_supported"
