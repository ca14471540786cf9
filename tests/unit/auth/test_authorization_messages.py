"""Encoded authorization failure messages: AES-256-GCM under a key derived from the KEK, bound to
an account, bounded in size, holding AWS's decoded fields and no secret."""

from __future__ import annotations

import base64
import json

import pytest

from iamd.service.auth.authorization_messages import (
    MAX_ENCODED_CHARS,
    MAX_PLAINTEXT_BYTES,
    PURPOSE,
    AuthorizationMessageCodec,
    DeniedRequest,
    InvalidAuthorizationMessage,
    MatchedStatement,
    decoded_message,
)
from iamd.service.auth.keyring import Keyring

ACCOUNT = "123456789012"
KEK = bytes(range(32))
OTHER_KEK = bytes(range(1, 33))
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/alice"
DENY = MatchedStatement(f"arn:aws:iam::{ACCOUNT}:policy/NoS3", "identity", "v1", "NoDelete", 0, "Deny")


def _codec(kek: bytes = KEK) -> AuthorizationMessageCodec:
    keyring = Keyring(kek)
    return AuthorizationMessageCodec(keyring.derive(PURPOSE), keyring.key_id)


def _request(**changes: object) -> DeniedRequest:
    fields: dict[str, object] = dict(
        allowed=False, explicit_deny=True, matched=[DENY], failures=[], principal_id="AIDAEXAMPLE",
        principal_arn=USER_ARN, action="s3:DeleteObject", resource="arn:aws:s3:::bucket/key",
        conditions={"aws:SourceIp": "10.0.0.1", "s3:prefix": ["a", "b"]})
    fields.update(changes)
    return DeniedRequest(**fields)  # type: ignore[arg-type]


def _raw(encoded: str) -> bytearray:
    return bytearray(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))


def _text(raw: bytes) -> str:
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


def test_round_trip_gives_aws_decoded_message() -> None:
    codec = _codec()
    encoded = codec.encode(decoded_message(_request()), ACCOUNT)
    decoded = json.loads(codec.decode(encoded, ACCOUNT))
    assert decoded["allowed"] is False and decoded["explicitDeny"] is True
    assert decoded["matchedStatements"]["items"] == [
        {"statementId": "NoDelete", "effect": "DENY", "policyId": DENY.policy_id, "policyType": "identity",
         "policyVersionId": "v1", "statementIndex": 0}]
    assert decoded["failures"] == {"items": []}
    assert decoded["context"]["principal"] == {"id": "AIDAEXAMPLE", "arn": USER_ARN}
    assert decoded["context"]["action"] == "s3:DeleteObject"
    assert decoded["context"]["resource"] == "arn:aws:s3:::bucket/key"
    assert decoded["context"]["conditions"]["items"] == [
        {"key": "aws:SourceIp", "values": {"items": [{"value": "10.0.0.1"}]}},
        {"key": "s3:prefix", "values": {"items": [{"value": "a"}, {"value": "b"}]}}]
    assert "truncated" not in decoded


def test_another_replica_with_the_same_kek_decodes() -> None:
    encoded = _codec().encode(decoded_message(_request()), ACCOUNT)
    assert json.loads(_codec().decode(encoded, ACCOUNT))["allowed"] is False


def test_messages_are_opaque_and_differ_each_time() -> None:
    codec = _codec()
    text = decoded_message(_request())
    first, second = codec.encode(text, ACCOUNT), codec.encode(text, ACCOUNT)
    assert first != second  # a fresh nonce each time
    for needle in ("alice", "NoDelete", "s3:DeleteObject", "10.0.0.1"):
        assert needle not in first and needle.encode() not in _raw(first)


def test_tampering_with_any_byte_fails() -> None:
    codec = _codec()
    encoded = codec.encode(decoded_message(_request()), ACCOUNT)
    raw = _raw(encoded)
    for index in range(len(raw)):
        altered = bytearray(raw)
        altered[index] ^= 0x01
        with pytest.raises(InvalidAuthorizationMessage):
            codec.decode(_text(altered), ACCOUNT)


def test_truncated_extended_or_malformed_messages_fail() -> None:
    codec = _codec()
    encoded = codec.encode(decoded_message(_request()), ACCOUNT)
    raw = _raw(encoded)
    for cut in (1, 2, 16, len(raw) // 2, len(raw) - 1):
        with pytest.raises(InvalidAuthorizationMessage):
            codec.decode(_text(raw[:cut]), ACCOUNT)
    for cut in (1, 2, 3, 10):
        with pytest.raises(InvalidAuthorizationMessage):
            codec.decode(encoded[:-cut], ACCOUNT)
    for text in ("", " ", "not base64!", "A", encoded + "AA", "===", "x" * (MAX_ENCODED_CHARS + 1)):
        with pytest.raises(InvalidAuthorizationMessage):
            codec.decode(text, ACCOUNT)


def test_a_message_for_another_account_fails() -> None:
    codec = _codec()
    encoded = codec.encode(decoded_message(_request()), ACCOUNT)
    with pytest.raises(InvalidAuthorizationMessage, match="not for this account"):
        codec.decode(encoded, "210987654321")


def test_a_message_under_another_key_fails_naming_the_keys() -> None:
    encoded = _codec(OTHER_KEK).encode(decoded_message(_request()), ACCOUNT)
    with pytest.raises(InvalidAuthorizationMessage) as caught:
        _codec().decode(encoded, ACCOUNT)
    assert Keyring(OTHER_KEK).key_id in str(caught.value) and Keyring(KEK).key_id in str(caught.value)
    assert "rotation" in str(caught.value)


def test_a_message_whose_key_id_is_forged_fails() -> None:
    """A message under another key, relabelled with this key's id, fails authentication."""
    codec = _codec()
    encoded = _codec(OTHER_KEK).encode(decoded_message(_request()), ACCOUNT)
    raw = _raw(encoded)
    raw[1:9] = bytes.fromhex(codec.key_id)
    with pytest.raises(InvalidAuthorizationMessage, match="not valid"):
        codec.decode(_text(raw), ACCOUNT)


def test_the_derived_key_is_not_the_kek_and_depends_on_the_purpose() -> None:
    keyring = Keyring(KEK)
    assert keyring.derive(PURPOSE) != KEK
    assert keyring.derive(PURPOSE) == Keyring(KEK).derive(PURPOSE)
    assert keyring.derive(PURPOSE) != keyring.derive("another purpose")
    assert keyring.derive(PURPOSE) != Keyring(OTHER_KEK).derive(PURPOSE)
    with pytest.raises(ValueError):
        keyring.derive("")


def test_size_is_bounded_whatever_the_request() -> None:
    codec = _codec()
    huge = "x" * 100_000
    request = _request(
        matched=[MatchedStatement(huge, "identity", huge, huge, i, "Deny") for i in range(100)],
        failures=["scp", "boundary"], principal_arn=huge, principal_id=huge, action=huge, resource=huge,
        conditions={f"k{i}:{huge}": [huge] * 100 for i in range(200)})
    text = decoded_message(request)
    assert len(text.encode()) <= MAX_PLAINTEXT_BYTES
    decoded = json.loads(text)
    assert decoded["truncated"] is True and decoded["explicitDeny"] is True
    encoded = codec.encode(text, ACCOUNT)
    assert len(encoded) <= MAX_ENCODED_CHARS
    assert json.loads(codec.decode(encoded, ACCOUNT)) == decoded
    many = decoded_message(_request(conditions={f"k{i}": "v" * 200 for i in range(60)}))
    assert len(many.encode()) <= MAX_PLAINTEXT_BYTES
    with pytest.raises(ValueError):
        codec.encode("x" * (MAX_PLAINTEXT_BYTES + 1), ACCOUNT)


def test_the_plaintext_holds_only_the_decision_and_the_request() -> None:
    """What a message holds comes from DeniedRequest's fields alone: no token, no signature, no
    policy document, no key."""
    text = decoded_message(_request(failures=["scp"]))
    decoded = json.loads(text)
    assert set(decoded) == {"allowed", "explicitDeny", "matchedStatements", "failures", "context"}
    assert set(decoded["context"]) == {"principal", "action", "resource", "conditions"}
    assert decoded["failures"]["items"][0]["policyType"] == "scp"
    for secret in ("\"Statement\"", "\"Effect\"", "sessionToken", "x-amz-security-token", "Signature", "Authorization",
                   KEK.hex(), Keyring(KEK).derive(PURPOSE).hex()):
        assert secret not in text


def test_the_codec_never_shows_its_key() -> None:
    codec = _codec()
    assert Keyring(KEK).derive(PURPOSE).hex() not in repr(codec)
    with pytest.raises(ValueError):
        AuthorizationMessageCodec(b"short", codec.key_id)
    with pytest.raises(ValueError):
        AuthorizationMessageCodec(bytes(32), "not-hex")


def test_the_account_a_message_is_for() -> None:
    """The refused principal's account; for a service principal or an anonymous request, the
    resource's (given, else in its ARN)."""
    from iamd.service.app.denial_messages import message_account

    resource = "arn:aws:sqs:us-east-1:210987654321:orders"
    assert message_account(USER_ARN, "", resource) == ACCOUNT
    assert message_account("", "", resource) == "210987654321"
    assert message_account("", "111122223333", "arn:aws:s3:::bucket/key") == "111122223333"
    assert message_account("", "", "arn:aws:s3:::bucket/key") == ""
