"""Review of outbound identity federation (GetWebIdentityToken) against a real iamd over HTTP."""

from __future__ import annotations

import base64

import pytest

from .conftest import Iamd
from .test_aws_query import _call, _client
from .test_root_access import _user

pytestmark = pytest.mark.e2e

GRANT = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["sts:GetWebIdentityToken", "sts:TagGetWebIdentityToken"], "Resource": "*"}]}


def _payload_bytes(token: str) -> bytes:
    segment = token.split(".")[1]
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


async def test_the_payload_limit_holds_for_the_payload_signed(iamd_http: Iamd) -> None:
    """docs/aws-compatibility.md: "a payload over 64 KiB is JWTPayloadSizeExceededException". The
    limit was measured on the claims as UTF-8 JSON while the token was signed with every non-ASCII
    character escaped (\\u00e9, 6 bytes for 2): a token of ~125 KiB of payload was issued."""
    await _call(_client(iamd_http, "iam").enable_outbound_web_identity_federation)
    sts = _client(iamd_http, "sts", await _user(iamd_http, "alice", GRANT))
    tags = [{"Key": f"k{i:02d}" + "é" * 125, "Value": "é" * 256} for i in range(50)]
    audiences = [f"https://{i}.example.com/" + "a" * 970 for i in range(10)]
    try:
        answer = await _call(sts.get_web_identity_token, Audience=audiences, SigningAlgorithm="RS256", Tags=tags)
    except Exception as e:  # noqa: BLE001 — refusing it is as right as signing it within the limit
        assert "JWTPayloadSizeExceeded" in str(e)
        return
    payload = _payload_bytes(answer["WebIdentityToken"])
    assert len(payload) <= 64 * 1024, len(payload)
    assert "é" * 256 in payload.decode("utf-8")
