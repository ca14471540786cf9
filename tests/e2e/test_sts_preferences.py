"""IAM's SetSecurityTokenServicePreferences against a real iamd, with botocore over HTTP: the version
is recorded once, reported by GetAccountSummary as GlobalEndpointTokenVersion, refused past AWS's
enum with the field named and no event, authorized as iam:SetSecurityTokenServicePreferences, and
kept across a restart."""

from __future__ import annotations

import pytest

from iamd.client.credentials import Credentials

from .conftest import Iamd, start_iamd, stop_iamd
from .helpers import allow
from .test_audit import records
from .test_aws_query import _call, _client, _refused

pytestmark = pytest.mark.e2e


async def test_the_token_version_is_set_and_reported_as_aws_reports_it(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    assert (await _call(iam.get_account_summary))["SummaryMap"]["GlobalEndpointTokenVersion"] == 1  # AWS's default
    answer = await _call(iam.set_security_token_service_preferences, GlobalEndpointTokenVersion="v2Token")
    assert set(answer) == {"ResponseMetadata"}  # AWS's output has no members
    assert (await _call(iam.get_account_summary))["SummaryMap"]["GlobalEndpointTokenVersion"] == 2
    before = len(await iamd_http.running.store.read_stream("account-123456789012-stspreferences"))
    await _call(iam.set_security_token_service_preferences, GlobalEndpointTokenVersion="v2Token")  # as it is
    assert len(await iamd_http.running.store.read_stream("account-123456789012-stspreferences")) == before == 1

    # Past AWS's enum (botocore sends it: its checks leave enums to the service): refused, no event.
    error = await _refused(iam.set_security_token_service_preferences, "ValidationError", 400,
                           GlobalEndpointTokenVersion="v3Token")
    assert "globalEndpointTokenVersion" in error.response["Error"]["Message"]
    assert len(await iamd_http.running.store.read_stream("account-123456789012-stspreferences")) == 1

    # iam:SetSecurityTokenServicePreferences on `*`.
    await _call(iam.create_user, UserName="ops")
    await _call(iam.put_user_policy, UserName="ops", PolicyName="p", PolicyDocument=allow("iam:GetAccountSummary"))
    key = (await _call(iam.create_access_key, UserName="ops"))["AccessKey"]
    ops = _client(iamd_http, "iam", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    await _refused(ops.set_security_token_service_preferences, "AccessDenied", 403, GlobalEndpointTokenVersion="v1Token")
    assert (await _call(ops.get_account_summary))["SummaryMap"]["GlobalEndpointTokenVersion"] == 2

    [recorded] = [r for r in await records(iamd_http)
                  if r["eventName"] == "SetSecurityTokenServicePreferences" and "errorCode" not in r][:1]
    assert recorded["requestParameters"] == {"globalEndpointTokenVersion": "v2Token"}
    assert recorded["eventSource"] == "iam.amazonaws.com"


async def test_the_version_survives_a_restart(tmp_path) -> None:
    first = await start_iamd(tmp_path / "data", http_listen="127.0.0.1:0")
    try:
        await _call(_client(first, "iam").set_security_token_service_preferences, GlobalEndpointTokenVersion="v2Token")
    finally:
        await stop_iamd(first)
    again = await start_iamd(tmp_path / "data", http_listen="127.0.0.1:0")
    try:
        summary = (await _call(_client(again, "iam").get_account_summary))["SummaryMap"]
        assert summary["GlobalEndpointTokenVersion"] == 2
    finally:
        await stop_iamd(again)
