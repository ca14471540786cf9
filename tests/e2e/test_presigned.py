"""End to end: presigned requests (SigV4 in the query string, as botocore's `generate_presigned_url`
writes them with HttpMethod="GET", and the Go SDK's Presign always) to the HTTP endpoint. This is how a service proves who its caller is without seeing
their secret: the caller presigns STS GetCallerIdentity, and the service sends that URL on."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import botocore.session
import pytest
from botocore.config import Config

from iamd.client.credentials import Credentials
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import sts_pb2, sts_pb2_grpc

from .conftest import ACCOUNT, Iamd
from .helpers import allow, user_with_key

pytestmark = pytest.mark.e2e


def _client(iamd: Iamd, service: str, credentials: Credentials) -> Any:
    assert iamd.running.http is not None
    return botocore.session.get_session().create_client(
        service, region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{iamd.running.http.port}",
        aws_access_key_id=credentials.access_key_id, aws_secret_access_key=credentials.secret_access_key,
        aws_session_token=credentials.session_token or None, config=Config(retries={"max_attempts": 1}))


def _get(url: str, method: str = "GET") -> tuple[int, str]:
    """The answer to `url` as a GET; as a POST, its query is sent as the form body instead."""
    request = urllib.request.Request(url, method=method)
    if method == "POST":
        parts = urllib.parse.urlsplit(url)
        request = urllib.request.Request(urllib.parse.urlunsplit(parts._replace(query="")), method="POST",
                                         data=parts.query.encode(), headers={
                                             "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def _code(xml: str) -> str:
    return xml.split("<Code>", 1)[1].split("</Code>", 1)[0] if "<Code>" in xml else ""


def _with(url: str, **changes: str) -> str:
    """`url` with some query parameters set to other values."""
    parts = urllib.parse.urlsplit(url)
    params = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    params.update(changes)
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(params)))


async def test_a_presigned_get_caller_identity_names_its_signer(iamd_http: Iamd) -> None:
    key = await user_with_key(iamd_http, "prue")
    url = _client(iamd_http, "sts", key).generate_presigned_url("get_caller_identity", ExpiresIn=900, HttpMethod="GET")
    assert "X-Amz-Signature=" in url and "Authorization" not in url
    status, xml = await asyncio.to_thread(_get, url)
    assert status == 200, xml
    assert f"<Arn>arn:aws:iam::{ACCOUNT}:user/prue</Arn>" in xml

    # Anything changed in what was signed is refused; so are the same fields sent as a POST's body
    # (a body is never covered by a presigned signature), a signature that is not 64 hex digits and
    # an expiry out of SigV4's range.
    tampered = _with(url, Action="GetSessionToken")
    assert _code((await asyncio.to_thread(_get, tampered))[1]) == "SignatureDoesNotMatch"
    assert _code((await asyncio.to_thread(_get, _with(url, X_Extra="1")))[1]) == "InvalidQueryParameter"
    assert _code((await asyncio.to_thread(_get, url, "POST"))[1]) == "MissingAuthenticationToken"
    assert _code((await asyncio.to_thread(_get, _with(url, **{"X-Amz-Signature": "00"})))[1]) == "IncompleteSignature"
    assert _code((await asyncio.to_thread(_get, _with(url, **{"X-Amz-Expires": "0"})))[1]) == "IncompleteSignature"


async def test_a_presigned_request_lives_fifteen_minutes_or_what_it_asked(iamd_http: Iamd) -> None:
    key = await user_with_key(iamd_http, "tess")
    sts = _client(iamd_http, "sts", key)
    week, minute = (sts.generate_presigned_url("get_caller_identity", ExpiresIn=seconds, HttpMethod="GET")
                    for seconds in (604800, 60))
    assert (await asyncio.to_thread(_get, minute))[0] == 200
    iamd_http.clock.offset += 120  # past its own minute, within AWS's fifteen
    status, xml = await asyncio.to_thread(_get, minute)
    assert (status, _code(xml)) == (400, "RequestExpired"), xml
    assert (await asyncio.to_thread(_get, week))[0] == 200
    iamd_http.clock.offset += 15 * 60  # STS takes no presigned request past fifteen minutes, whatever it asked
    status, xml = await asyncio.to_thread(_get, week)
    assert (status, _code(xml)) == (400, "RequestExpired"), xml


async def test_temporary_credentials_presign_with_their_token_and_iam_calls_are_authorized(iamd_http: Iamd) -> None:
    key = await user_with_key(iamd_http, "ula")
    put = await iamd_http.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="ula"), policy_name="read", policy_document=allow(
            ["iam:GetUser", "sts:GetFederationToken"])))
    await iamd_http.running.runner.wait_for(put.position, 30)
    channel = iamd_http.connect(key)
    try:
        token = await sts_pb2_grpc.SecurityTokenServiceStub(channel).GetFederationToken(
            sts_pb2.GetFederationTokenRequest(name="ula-app", policy=allow("iam:GetUser")))
    finally:
        await channel.close()
    session = Credentials(token.credentials.access_key_id, token.credentials.secret_access_key,
                          token.credentials.session_token)
    url = _client(iamd_http, "sts", session).generate_presigned_url("get_caller_identity", HttpMethod="GET")
    assert "X-Amz-Security-Token=" in url
    status, xml = await asyncio.to_thread(_get, url)
    assert status == 200 and f"<Arn>arn:aws:sts::{ACCOUNT}:federated-user/ula-app</Arn>" in xml, xml
    # A wrong token is refused; IAM calls are authorized as any other (a federated user calls none).
    assert _code((await asyncio.to_thread(_get, _with(url, **{"X-Amz-Security-Token": "x"})))[1]) in (
        "InvalidClientTokenId", "SignatureDoesNotMatch")
    iam_url = _client(iamd_http, "iam", key).generate_presigned_url("get_user", Params={"UserName": "ula"},
                                                                           HttpMethod="GET")
    status, xml = await asyncio.to_thread(_get, iam_url)
    assert status == 200 and "<UserName>ula</UserName>" in xml, xml
    denied = _client(iamd_http, "iam", key).generate_presigned_url("list_users", HttpMethod="GET")
    assert _code((await asyncio.to_thread(_get, denied))[1]) == "AccessDenied"


async def test_no_record_keeps_a_presigned_requests_token_or_signature(iamd_http: Iamd) -> None:
    from iamd.v1 import audit_pb2, audit_pb2_grpc

    key = await user_with_key(iamd_http, "vera")
    url = _client(iamd_http, "sts", key).generate_presigned_url("get_caller_identity", HttpMethod="GET")
    assert (await asyncio.to_thread(_get, url))[0] == 200
    await iamd_http.running.audit.flush()
    signature = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["X-Amz-Signature"]
    lookup = audit_pb2_grpc.AuditServiceStub(iamd_http.channel)
    found = await lookup.LookupEvents(audit_pb2.LookupEventsRequest(lookup_attributes=[
        audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value="GetCallerIdentity")]))
    records = [e.cloud_trail_event for e in found.events]
    assert records, "the presigned call is recorded"
    assert all(signature not in r and key.secret_access_key not in r for r in records)
