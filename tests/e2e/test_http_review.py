"""End to end: the AWS-compatible HTTP endpoint against what a hostile or unusual client sends."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from .conftest import Iamd

pytestmark = pytest.mark.e2e


def _send(url: str, body: bytes | None, headers: dict[str, str], method: str = "POST") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers.items()), e.read()


def _signed(iamd: Iamd, service: str, url: str, body: bytes, headers: dict[str, str], method: str = "POST",
            secret: str | None = None) -> dict[str, str]:
    """`headers` plus botocore's stock SigV4 signature of the request, as the root user (or another secret)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials

    request = AWSRequest(method=method, url=url, data=body, headers=headers)
    SigV4Auth(BotoCredentials(iamd.root.access_key_id, secret or iamd.root.secret_access_key),
              service, "us-east-1").add_auth(request)
    return dict(request.headers.items())


def _base(iamd: Iamd) -> str:
    assert iamd.running.http is not None
    return f"http://127.0.0.1:{iamd.running.http.port}/"


async def test_a_validate_policy_body_nested_past_pythons_stack_is_a_validation_exception(iamd_http: Iamd) -> None:
    """AWS answers a body it cannot read with 400 ValidationException; a server failure (500) would
    tell the client to retry what can never succeed (the JSON 1.1 path already answers 400)."""
    url = _base(iamd_http) + "policy/validation"
    status, headers, body = await asyncio.to_thread(_send, url, b"[" * 100_000, {"Content-Type": "application/json"})
    assert (status, headers.get("x-amzn-ErrorType")) == (400, "ValidationException"), body[:300]
    assert json.loads(body)["message"] == "the request body is not JSON"
