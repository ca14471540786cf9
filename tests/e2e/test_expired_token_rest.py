"""An expired session over Access Analyzer's REST-JSON protocol (ValidatePolicy) is answered as
AWS's Common Errors for that API give it: ExpiredTokenException, HTTP 403 (e302758 made IAM, STS
and Organizations answer so; the REST path still said ExpiredToken with HTTP 400)."""

from __future__ import annotations

import json

import pytest

from .conftest import Iamd
from .test_aws_query import _call, _client, _refused
from .test_root_access import _session, _user

pytestmark = pytest.mark.e2e


async def test_an_expired_session_is_expired_token_exception_403_over_rest(iamd_http: Iamd) -> None:
    checker = await _user(iamd_http, "checker", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "access-analyzer:ValidatePolicy", "Resource": "*"}]})
    session = _session((await _call(_client(iamd_http, "sts", checker).get_session_token,
                                     DurationSeconds=900))["Credentials"])
    analyzer = _client(iamd_http, "accessanalyzer", session)
    document = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    await _call(analyzer.validate_policy, policyDocument=document, policyType="IDENTITY_POLICY")
    iamd_http.clock.offset += 901
    try:
        await _refused(analyzer.validate_policy, "ExpiredTokenException", 403, policyDocument=document,
                       policyType="IDENTITY_POLICY")
    finally:
        iamd_http.clock.offset -= 901
