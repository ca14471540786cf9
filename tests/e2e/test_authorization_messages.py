"""End to end: a denied Authorize asked with encode_denial answers AWS's encoded authorization
failure message; STS DecodeAuthorizationMessage reads it back for a principal allowed
sts:DecodeAuthorizationMessage, over gRPC and over the HTTP endpoint (botocore's STS client)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import botocore.session
import grpc
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from iamd.client.credentials import Credentials
from iamd.v1 import audit_pb2, audit_pb2_grpc
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import sts_pb2, sts_pb2_grpc

from .conftest import ACCOUNT, Iamd, start_iamd, stop_iamd
from .helpers import allow, refused, user_with_key

pytestmark = pytest.mark.e2e

ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
OBJECT = "arn:aws:s3:::reports/2026/q1.csv"
ALICE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "ReadWrite", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::reports/*"}]})


async def _setup(iamd: Iamd) -> tuple[str, Credentials, Credentials]:
    """alice (whose requests are decided), a decoder allowed sts:DecodeAuthorizationMessage, and a
    user allowed nothing; alice's unique id."""
    await user_with_key(iamd, "alice")
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="alice"), policy_name="s3", policy_document=ALICE_POLICY))
    decoder = await user_with_key(iamd, "decoder")
    put = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="decoder"), policy_name="decode",
        policy_document=allow("sts:DecodeAuthorizationMessage")))
    nobody = await user_with_key(iamd, "nobody")
    await iamd.running.runner.wait_for(put.position, 5)
    alice_id = (await iamd.iam.GetUser(ipb.GetUserRequest(user_name="alice"))).user.user_id
    return alice_id, decoder, nobody


def _request(action: str, resource: str = OBJECT, **changes: Any) -> apb.AuthorizeRequest:
    fields: dict[str, Any] = {"encode_denial": True, **changes}
    return apb.AuthorizeRequest(principal_arn=ALICE, action=action, resource=resource,
                                context={"aws:SourceIp": apb.ContextValue(values=["10.1.2.3"]),
                                         "s3:prefix": apb.ContextValue(values=["2026/", "q1"], multivalued=True)},
                                **fields)


async def test_a_denial_carries_a_message_that_only_a_permitted_principal_decodes(iamd: Iamd) -> None:
    alice_id, decoder, nobody = await _setup(iamd)

    denied = await iamd.authz.Authorize(_request("s3:DeleteObject"))
    assert denied.decision == apb.DECISION_EXPLICIT_DENY
    encoded = denied.encoded_authorization_message
    assert encoded and "NoDelete" not in encoded and "alice" not in encoded
    assert not denied.determining_statements  # the message is the opt-in, not an explanation

    allowed = await iamd.authz.Authorize(_request("s3:GetObject"))
    assert allowed.decision == apb.DECISION_ALLOW and allowed.encoded_authorization_message == ""
    off = await iamd.authz.Authorize(_request("s3:DeleteObject", encode_denial=False))
    assert off.decision == apb.DECISION_EXPLICIT_DENY and off.encoded_authorization_message == ""

    # A caller without sts:DecodeAuthorizationMessage is refused.
    nobody_channel = iamd.connect(nobody)
    decoder_channel = iamd.connect(decoder)
    try:
        await refused(sts_pb2_grpc.SecurityTokenServiceStub(nobody_channel).DecodeAuthorizationMessage(
            sts_pb2.DecodeAuthorizationMessageRequest(encoded_message=encoded)),
            grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")

        decoder_sts = sts_pb2_grpc.SecurityTokenServiceStub(decoder_channel)
        decoded = json.loads((await decoder_sts.DecodeAuthorizationMessage(
            sts_pb2.DecodeAuthorizationMessageRequest(encoded_message=encoded))).decoded_message)
        assert decoded["allowed"] is False and decoded["explicitDeny"] is True
        [statement] = decoded["matchedStatements"]["items"]
        assert statement == {"statementId": "NoDelete", "effect": "DENY", "policyId": f"{ALICE}#s3",
                             "policyType": "identity", "policyVersionId": "", "statementIndex": 1}
        assert decoded["failures"] == {"items": []}
        assert decoded["context"]["principal"] == {"id": alice_id, "arn": ALICE}
        assert (decoded["context"]["action"], decoded["context"]["resource"]) == ("s3:DeleteObject", OBJECT)
        assert decoded["context"]["conditions"]["items"] == [
            {"key": "aws:SourceIp", "values": {"items": [{"value": "10.1.2.3"}]}},
            {"key": "s3:prefix", "values": {"items": [{"value": "2026/"}, {"value": "q1"}]}}]

        # An implicit deny: nothing allows it, no statement matched.
        implicit = await iamd.authz.Authorize(_request("ec2:RunInstances", "*"))
        assert implicit.decision == apb.DECISION_IMPLICIT_DENY
        decoded = json.loads((await decoder_sts.DecodeAuthorizationMessage(sts_pb2.DecodeAuthorizationMessageRequest(
            encoded_message=implicit.encoded_authorization_message))).decoded_message)
        assert (decoded["allowed"], decoded["explicitDeny"], decoded["matchedStatements"]) == (
            False, False, {"items": []})
        assert decoded["context"]["action"] == "ec2:RunInstances"

        # Altered, truncated or made up: InvalidAuthorizationMessageException.
        altered = encoded[:20] + ("A" if encoded[20] != "A" else "B") + encoded[21:]
        for text in (altered, encoded[:-4], "bm90IGEgbWVzc2FnZQ"):
            error = await refused(decoder_sts.DecodeAuthorizationMessage(
                sts_pb2.DecodeAuthorizationMessageRequest(encoded_message=text)),
                grpc.StatusCode.INVALID_ARGUMENT, "InvalidAuthorizationMessageException")
            assert "NoDelete" not in (error.details() or "")
    finally:
        await nobody_channel.close()
        await decoder_channel.close()

    # Root may decode too (root is allowed everything of its account).
    decoded_by_root = await iamd.sts.DecodeAuthorizationMessage(
        sts_pb2.DecodeAuthorizationMessageRequest(encoded_message=encoded))
    assert json.loads(decoded_by_root.decoded_message)["context"]["principal"]["arn"] == ALICE

    # A batch: each denied request asked with encode_denial carries its own message.
    batch = await iamd.authz.AuthorizeBatch(apb.AuthorizeBatchRequest(requests=[
        _request("s3:DeleteObject"), _request("s3:GetObject"), _request("s3:DeleteObject", encode_denial=False)]))
    assert [bool(r.encoded_authorization_message) for r in batch.responses] == [True, False, False]

    # Every decode is audited, refused ones included; the record keeps no decoded message.
    lookup = audit_pb2_grpc.AuditServiceStub(iamd.channel)
    found = await lookup.LookupEvents(audit_pb2.LookupEventsRequest(lookup_attributes=[
        audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value="DecodeAuthorizationMessage")]))
    records = [json.loads(e.cloud_trail_event) for e in found.events]
    assert len(records) == 7
    assert {r["eventSource"] for r in records} == {"sts.amazonaws.com"}
    assert sorted(r.get("errorCode", "") for r in records) == [
        "", "", "", "AccessDenied", "InvalidAuthorizationMessageException", "InvalidAuthorizationMessageException",
        "InvalidAuthorizationMessageException"]
    assert all(not r.get("responseElements") for r in records)
    assert not any("NoDelete" in json.dumps(r) for r in records)


def _boto_sts(iamd: Iamd, credentials: Credentials) -> Any:
    assert iamd.running.http is not None
    return botocore.session.get_session().create_client(
        "sts", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{iamd.running.http.port}",
        aws_access_key_id=credentials.access_key_id, aws_secret_access_key=credentials.secret_access_key,
        config=Config(retries={"max_attempts": 1}))


async def test_botocores_sts_client_decodes_over_the_http_endpoint(tmp_path: Path) -> None:
    iamd = await start_iamd(tmp_path / "data", http_listen="127.0.0.1:0")
    try:
        alice_id, decoder, nobody = await _setup(iamd)
        encoded = (await iamd.authz.Authorize(_request("s3:DeleteObject"))).encoded_authorization_message
        sts = _boto_sts(iamd, decoder)
        answer = await asyncio.to_thread(sts.decode_authorization_message, EncodedMessage=encoded)
        decoded = json.loads(answer["DecodedMessage"])
        assert (decoded["allowed"], decoded["explicitDeny"]) == (False, True)
        assert decoded["context"]["principal"] == {"id": alice_id, "arn": ALICE}
        assert decoded["matchedStatements"]["items"][0]["statementId"] == "NoDelete"

        for client, text, code, status in (
                (sts, encoded[:-8], "InvalidAuthorizationMessageException", 400),
                (_boto_sts(iamd, nobody), encoded, "AccessDenied", 403)):
            with pytest.raises(ClientError) as caught:
                await asyncio.to_thread(client.decode_authorization_message, EncodedMessage=text)
            error = caught.value.response
            assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == (code, status), error
    finally:
        await stop_iamd(iamd)


async def test_iamctl_encodes_a_denial_and_decodes_it(iamd: Iamd, monkeypatch: pytest.MonkeyPatch) -> None:
    from .test_cli import iamctl

    monkeypatch.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(iamd.data_dir / "root-credentials"))
    for var in ("IAMD_ACCESS_KEY_ID", "IAMD_SECRET_ACCESS_KEY", "IAMD_SESSION_TOKEN", "IAMD_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    await _setup(iamd)
    code, out, _ = await iamctl(iamd, "authz", "check", "--principal", ALICE, "--action", "s3:DeleteObject",
                                "--resource", OBJECT, "--encode-denial")
    answer = json.loads(out)
    assert (code, answer["Decision"]) == (0, "ExplicitDeny") and answer["EncodedAuthorizationMessage"]
    code, out, _ = await iamctl(iamd, "sts", "decode-authorization-message", "--encoded-message",
                                answer["EncodedAuthorizationMessage"])
    assert code == 0
    decoded = json.loads(json.loads(out)["DecodedMessage"])
    assert decoded["explicitDeny"] is True and decoded["context"]["principal"]["arn"] == ALICE
    code, _, err = await iamctl(iamd, "sts", "decode-authorization-message", "--encoded-message", "AAAA")
    assert code != 0 and "InvalidAuthorizationMessageException" in err
