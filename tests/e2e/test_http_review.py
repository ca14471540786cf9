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


@pytest.mark.parametrize("max_results", ["%C2%B2", "2147483648", "4294967297", "9" * 5000])
async def test_a_validate_policy_max_results_that_is_no_32_bit_number_is_a_validation_exception(
        iamd_http: Iamd, max_results: str) -> None:
    """maxResults is a Smithy integer (32 bits, ASCII digits): "²" passes str.isdigit() but not int(),
    2^31 does not fit the RPC's int32 field, and int() refuses more than 4300 digits; each was a 500
    InternalServerException, signed or not."""
    url = _base(iamd_http) + "policy/validation?maxResults=" + max_results
    body = json.dumps({"policyDocument": "{}", "policyType": "IDENTITY_POLICY"}).encode()
    for headers in (_signed(iamd_http, "access-analyzer", url, body, {"Content-Type": "application/json"}),
                    {"Content-Type": "application/json"}):
        status, answered, text = await asyncio.to_thread(_send, url, body, headers)
        assert (status, answered.get("x-amzn-ErrorType")) == (400, "ValidationException"), text[:300]


async def test_a_validate_policy_max_results_with_leading_zeros_is_its_number(iamd_http: Iamd) -> None:
    """Leading zeros do not count against int()'s 4300-digit limit: 000...01 is 1, not a 500."""
    url = _base(iamd_http) + "policy/validation?maxResults=" + "0" * 5000 + "1"
    body = json.dumps({"policyDocument": "{}", "policyType": "IDENTITY_POLICY"}).encode()
    headers = _signed(iamd_http, "access-analyzer", url, body, {"Content-Type": "application/json"})
    status, _, text = await asyncio.to_thread(_send, url, body, headers)
    assert status == 200 and json.loads(text)["findings"], text[:300]


async def test_validate_policy_answers_a_malformed_signature_and_a_body_too_large_as_access_analyzer_documents(
        iamd_http: Iamd) -> None:
    """IAM Access Analyzer's Common Errors (docs.aws.amazon.com/access-analyzer/latest/APIReference/
    CommonErrors.html): IncompleteSignature is HTTP 403 (not the Query services' 400), and a body
    too large is RequestEntityTooLargeException, HTTP 413 (not a ValidationException, 400)."""
    url = _base(iamd_http) + "policy/validation"
    body = json.dumps({"policyDocument": "{}", "policyType": "IDENTITY_POLICY"}).encode()
    malformed = {"Content-Type": "application/json", "Authorization": "AWS4-HMAC-SHA256 nonsense",
                 "X-Amz-Date": "20261205T000000Z"}
    status, headers, text = await asyncio.to_thread(_send, url, body, malformed)
    assert (status, headers.get("x-amzn-ErrorType")) == (403, "IncompleteSignature"), text[:300]

    too_large = json.dumps({"policyDocument": "x" * 300_000, "policyType": "IDENTITY_POLICY"}).encode()
    status, headers, text = await asyncio.to_thread(_send, url, too_large, {"Content-Type": "application/json"})
    assert (status, headers.get("x-amzn-ErrorType")) == (413, "RequestEntityTooLargeException"), text[:300]


async def test_a_signed_call_the_codec_refuses_leaves_the_audit_record_the_same_call_leaves_over_grpc(
        iamd_http: Iamd) -> None:
    """DESIGN: both transports 'leave the same audit records', and every call, failed ones too, has
    one. A 65-character UserName sent over gRPC is audited as a ValidationError of the root user;
    sent over HTTP, signed by the same root key, it is answered ValidationError and leaves nothing."""
    from iamd.v1 import audit_pb2, audit_pb2_grpc

    base = _base(iamd_http)
    body = b"Action=CreateUser&Version=2010-05-08&UserName=" + b"a" * 65
    headers = _signed(iamd_http, "iam", base, body, {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    status, _, text = await asyncio.to_thread(_send, base, body, headers)
    assert status == 400 and b"<Code>ValidationError</Code>" in text

    lookup = audit_pb2_grpc.AuditServiceStub(iamd_http.channel)
    records: list[dict[str, Any]] = []
    for _ in range(50):
        found = await lookup.LookupEvents(audit_pb2.LookupEventsRequest(lookup_attributes=[
            audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value="CreateUser")]))
        records = [json.loads(e.cloud_trail_event) for e in found.events]
        if records:
            break
        await asyncio.sleep(0.1)
    assert [(r["errorCode"], r["userIdentity"]["type"]) for r in records] == [("ValidationError", "Root")]
