"""What the audit stores of a request or response: its bytes, with every secret replaced."""

from __future__ import annotations

from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import sts_pb2
from iamd.service.audit.record import HIDDEN
from iamd.service.rpc.gateway import Redactor


def test_a_message_without_secrets_is_stored_as_the_bytes_that_arrived() -> None:
    redact = Redactor()
    request = apb.AuthorizeRequest(principal_arn="arn:aws:iam::123456789012:user/a", action="s3:GetObject")
    assert redact(request, b"the bytes as received") == b"the bytes as received"
    assert redact(request) == request.SerializeToString()


def test_secrets_are_hidden_at_any_depth_and_in_repeated_messages() -> None:
    redact = Redactor()
    batch = apb.AuthorizeBatchRequest(requests=[
        apb.AuthorizeRequest(principal_arn="arn:aws:iam::123456789012:user/a"),
        apb.AuthorizeRequest(session_token="TOKEN-SECRET"),
        apb.AuthorizeRequest(signed_request=apb.SignedPrincipalRequest(
            method="/x", body=b"BODY-SECRET", headers={"authorization": "SIGNATURE-SECRET"}))])
    stored = redact(batch, batch.SerializeToString())
    for secret in (b"TOKEN-SECRET", b"BODY-SECRET", b"SIGNATURE-SECRET"):
        assert secret not in stored
    back = apb.AuthorizeBatchRequest.FromString(stored)
    assert back.requests[0].principal_arn == "arn:aws:iam::123456789012:user/a"
    assert back.requests[1].session_token == HIDDEN
    assert back.requests[2].signed_request.method == "/x"
    assert back.requests[2].signed_request.body == HIDDEN.encode()
    assert dict(back.requests[2].signed_request.headers) == {HIDDEN: HIDDEN}
    assert batch.requests[1].session_token == "TOKEN-SECRET"  # the caller's message is untouched


def test_new_credentials_in_responses_are_hidden() -> None:
    redact = Redactor()
    created = ipb.CreateAccessKeyResponse()
    created.access_key.secret_access_key = "KEY-SECRET"
    created.access_key.access_key_id = "AKIAEXAMPLE"
    stored = redact(created)
    assert b"KEY-SECRET" not in stored and b"AKIAEXAMPLE" in stored
    assumed = sts_pb2.AssumeRoleResponse()
    assumed.credentials.secret_access_key = "ROLE-SECRET"
    assumed.credentials.session_token = "ROLE-TOKEN"
    stored = redact(assumed)
    assert b"ROLE-SECRET" not in stored and b"ROLE-TOKEN" not in stored
