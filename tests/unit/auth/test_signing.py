"""Request signing: round trip, tamper detection, strict parsing, clock skew and a pinned vector."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from service.auth import signing
from service.auth.signing import (
    ALGORITHM,
    AUTHORIZATION_HEADER,
    DATE_HEADER,
    MAX_CLOCK_SKEW_SECONDS,
    TOKEN_HEADER,
    SignatureFormatError,
    SignedRequest,
    canonical_request,
    expected_signature,
    format_timestamp,
    is_within_skew,
    parse_signed_request,
    sign_request,
    signature_matches,
    signing_key,
    string_to_sign,
)

MOMENT = datetime(2026, 11, 22, 23, 59, 0, tzinfo=timezone.utc)
METHOD = "/iamd.v1.IdentityService/CreateUser"
BODY = b"\n\x05alice"
AKID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEXAMPLETOKEN"


def _sign(**overrides: object) -> dict[str, str]:
    args: dict[str, object] = dict(method=METHOD, body=BODY, access_key_id=AKID, secret_access_key=SECRET,
                                   moment=MOMENT)
    args.update(overrides)
    return dict(sign_request(**args))  # type: ignore[arg-type]


def _matches(metadata: dict[str, str], *, method: str = METHOD, body: bytes = BODY, secret: str = SECRET) -> bool:
    return signature_matches(parse_signed_request(metadata), method=method, body=body, secret_access_key=secret)


# --- known-answer vectors: the scheme must not drift silently ---------------------------------

def test_known_answer_vector_without_token() -> None:
    canonical = canonical_request(METHOD, BODY, "20261122T235900Z", AKID)
    assert canonical == (
        "/iamd.v1.IdentityService/CreateUser\n"
        "48441a212769a2c31c87da5e7649295237d8ca4f7b5c8bd7d436e448c23df3d6\n"
        "20261122T235900Z\n"
        "AKIAIOSFODNN7EXAMPLE\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert string_to_sign("20261122T235900Z", "20261122/us-east-1/iamd/iamd4_request", canonical) == (
        "IAMD4-HMAC-SHA256\n"
        "20261122T235900Z\n"
        "20261122/us-east-1/iamd/iamd4_request\n"
        "6301e3dbcabdbb2fa46f67593b0477837f5d90d21a066319de7f6fec213538a0")
    assert signing_key(SECRET, "20261122", "us-east-1").hex() == (
        "b260d22f6130863d514646eeaeb19a2d0cefc0ce7cb8e116d2d8fcf0c116706f")
    assert sign_request(method=METHOD, body=BODY, access_key_id=AKID, secret_access_key=SECRET,
                        moment=MOMENT) == [
        ("x-iamd-date", "20261122T235900Z"),
        ("authorization", "IAMD4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261122/us-east-1/iamd/"
                          "iamd4_request, Signature=c520ad942dbd47b6e6822de9ead5d8f1ae6e29fe91b10e7551cd3d05d7781bb6"),
    ]


def test_known_answer_vector_with_token_and_region() -> None:
    assert sign_request(method="/iamd.v1.SecurityTokenService/GetCallerIdentity", body=b"",
                        access_key_id="ASIAEXAMPLE0000TOKEN", secret_access_key="secret", moment=MOMENT,
                        region="eu-west-1", session_token=TOKEN) == [
        ("x-iamd-date", "20261122T235900Z"),
        ("authorization", "IAMD4-HMAC-SHA256 Credential=ASIAEXAMPLE0000TOKEN/20261122/eu-west-1/iamd/"
                          "iamd4_request, Signature=377c85551c6bf360bc0ae9f6c0785a9fa3026a4b84f35f516c60b49083e65c45"),
        ("x-iamd-security-token", TOKEN),
    ]


def test_constants_are_the_published_ones() -> None:
    assert (ALGORITHM, signing.SERVICE, signing.TERMINATOR) == ("IAMD4-HMAC-SHA256", "iamd", "iamd4_request")
    assert (DATE_HEADER, AUTHORIZATION_HEADER, TOKEN_HEADER) == (
        "x-iamd-date", "authorization", "x-iamd-security-token")
    assert MAX_CLOCK_SKEW_SECONDS == 300


# --- timestamps -------------------------------------------------------------------------------

def test_format_timestamp_converts_to_utc_and_drops_fractions() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert format_timestamp(datetime(2026, 11, 23, 1, 59, 0, 999_999, tzinfo=plus_two)) == "20261122T235900Z"


def test_format_timestamp_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_timestamp(datetime(2026, 11, 22, 23, 59))


# --- round trip -------------------------------------------------------------------------------

def test_round_trip_without_token() -> None:
    metadata = _sign()
    assert TOKEN_HEADER not in metadata
    signed = parse_signed_request(metadata)
    assert signed == SignedRequest(access_key_id=AKID, scope_date="20261122", region="us-east-1",
                                   signature=signed.signature, timestamp=MOMENT, session_token="")
    assert signature_matches(signed, method=METHOD, body=BODY, secret_access_key=SECRET)
    assert expected_signature(signed, method=METHOD, body=BODY, secret_access_key=SECRET) == signed.signature


def test_round_trip_with_token_and_region() -> None:
    metadata = _sign(session_token=TOKEN, region="ap-southeast-2")
    signed = parse_signed_request(metadata)
    assert (signed.session_token, signed.region) == (TOKEN, "ap-southeast-2")
    assert signature_matches(signed, method=METHOD, body=BODY, secret_access_key=SECRET)


def test_round_trip_with_empty_and_large_bodies() -> None:
    for body in (b"", bytes(range(256)) * 4096):
        assert _matches(_sign(body=body), body=body)


def test_parse_accepts_any_mapping_with_extra_metadata() -> None:
    metadata = {**_sign(), "user-agent": "grpc-python/1.85", "x-request-id": "r-1"}
    assert _matches(metadata)


def test_signature_and_token_stay_out_of_repr() -> None:
    signed = parse_signed_request(_sign(session_token=TOKEN))
    assert TOKEN not in repr(signed)
    assert signed.signature not in repr(signed)
    assert AKID in repr(signed)


# --- tampering --------------------------------------------------------------------------------

def test_wrong_method_fails() -> None:
    assert not _matches(_sign(), method="/iamd.v1.IdentityService/DeleteUser")


@pytest.mark.parametrize("index", [0, 1, 6])
def test_any_flipped_body_byte_fails(index: int) -> None:
    tampered = bytearray(BODY)
    tampered[index] ^= 0x01
    assert not _matches(_sign(), body=bytes(tampered))


def test_appended_body_byte_fails() -> None:
    assert not _matches(_sign(), body=BODY + b"\x00")


def test_wrong_secret_fails() -> None:
    assert not _matches(_sign(), secret=SECRET + "x")


def test_changed_timestamp_fails() -> None:
    metadata = _sign()
    metadata[DATE_HEADER] = "20261122T235901Z"
    assert not _matches(metadata)


def test_changed_access_key_id_fails() -> None:
    metadata = _sign()
    metadata[AUTHORIZATION_HEADER] = metadata[AUTHORIZATION_HEADER].replace(AKID, "AKIAIOSFODNN7EXAMPLF")
    assert not _matches(metadata)


def test_changed_region_fails() -> None:
    metadata = _sign()
    metadata[AUTHORIZATION_HEADER] = metadata[AUTHORIZATION_HEADER].replace("us-east-1", "us-west-2")
    assert not _matches(metadata)


def test_changed_token_fails() -> None:
    metadata = _sign(session_token=TOKEN)
    metadata[TOKEN_HEADER] = TOKEN + "x"
    assert not _matches(metadata)


def test_removed_token_fails() -> None:
    metadata = _sign(session_token=TOKEN)
    del metadata[TOKEN_HEADER]
    assert not _matches(metadata)


def test_added_token_fails() -> None:
    metadata = _sign()
    metadata[TOKEN_HEADER] = TOKEN
    assert not _matches(metadata)


@pytest.mark.parametrize("position", [0, 31, 63])
def test_changed_signature_digit_fails(position: int) -> None:
    signed = parse_signed_request(_sign())
    digit = signed.signature[position]
    other = "0" if digit != "0" else "1"
    forged = replace(signed, signature=signed.signature[:position] + other + signed.signature[position + 1:])
    assert not signature_matches(forged, method=METHOD, body=BODY, secret_access_key=SECRET)


def test_hand_built_request_with_inconsistent_scope_date_fails() -> None:
    signed = parse_signed_request(_sign())
    assert not signature_matches(replace(signed, scope_date="20261121"), method=METHOD, body=BODY,
                                 secret_access_key=SECRET)


def test_signature_does_not_carry_over_to_another_day() -> None:
    signed = parse_signed_request(_sign())
    next_day = replace(signed, timestamp=MOMENT + timedelta(days=1), scope_date="20261123")
    assert not signature_matches(next_day, method=METHOD, body=BODY, secret_access_key=SECRET)


# --- strict parsing ---------------------------------------------------------------------------

_GOOD_AUTH = _sign()[AUTHORIZATION_HEADER]
_GOOD_SIG = _GOOD_AUTH.rsplit("=", 1)[1]
_CRED = f"{AKID}/20261122/us-east-1/iamd/iamd4_request"


@pytest.mark.parametrize("metadata,reason", [
    ({DATE_HEADER: "20261122T235900Z"}, "missing `authorization`"),
    ({DATE_HEADER: "20261122T235900Z", AUTHORIZATION_HEADER: ""}, "missing `authorization`"),
    ({AUTHORIZATION_HEADER: _GOOD_AUTH}, "missing `x-iamd-date`"),
    ({AUTHORIZATION_HEADER: _GOOD_AUTH, DATE_HEADER: ""}, "missing `x-iamd-date`"),
    ({AUTHORIZATION_HEADER: _GOOD_AUTH.replace(ALGORITHM, "AWS4-HMAC-SHA256"), DATE_HEADER: "20261122T235900Z"},
     "unsupported signing algorithm `AWS4-HMAC-SHA256`"),
    ({AUTHORIZATION_HEADER: f"{ALGORITHM}", DATE_HEADER: "20261122T235900Z"}, "not of the form Name=value"),
    ({AUTHORIZATION_HEADER: f"{ALGORITHM} Credential={_CRED}", DATE_HEADER: "20261122T235900Z"},
     "missing `Signature=`"),
    ({AUTHORIZATION_HEADER: f"{ALGORITHM} Signature={_GOOD_SIG}", DATE_HEADER: "20261122T235900Z"},
     "missing `Credential=`"),
    ({AUTHORIZATION_HEADER: f"{ALGORITHM} Credential={_CRED}, SignedHeaders=host, Signature={_GOOD_SIG}",
      DATE_HEADER: "20261122T235900Z"}, "unexpected authorization component `SignedHeaders`"),
    ({AUTHORIZATION_HEADER: f"{ALGORITHM} Credential={_CRED}, Credential={_CRED}, Signature={_GOOD_SIG}",
      DATE_HEADER: "20261122T235900Z"}, "`Credential` appears more than once"),
    ({AUTHORIZATION_HEADER: f"{ALGORITHM} Credential={AKID}/20261122/us-east-1/iamd, Signature={_GOOD_SIG}",
      DATE_HEADER: "20261122T235900Z"}, "credential `AKIAIOSFODNN7EXAMPLE/20261122/us-east-1/iamd` is not of the form"),
    ({AUTHORIZATION_HEADER: f"{ALGORITHM} Credential=AKIA-BAD/20261122/us-east-1/iamd/iamd4_request, "
                            f"Signature={_GOOD_SIG}", DATE_HEADER: "20261122T235900Z"},
     "access key id `AKIA-BAD` is malformed"),
    ({AUTHORIZATION_HEADER: f"{ALGORITHM} Credential={AKID}/2026-11-22/us-east-1/iamd/iamd4_request, "
                            f"Signature={_GOOD_SIG}", DATE_HEADER: "20261122T235900Z"},
     "scope date `2026-11-22` is not of the form YYYYMMDD"),
    ({AUTHORIZATION_HEADER: f"{ALGORITHM} Credential={AKID}/20261322/us-east-1/iamd/iamd4_request, "
                            f"Signature={_GOOD_SIG}", DATE_HEADER: "20261122T235900Z"},
     "scope date `20261322` is not a valid date"),
    ({AUTHORIZATION_HEADER: f"{ALGORITHM} Credential={AKID}/20261122/US East/iamd/iamd4_request, "
                            f"Signature={_GOOD_SIG}", DATE_HEADER: "20261122T235900Z"},
     "region `US East` is malformed"),
    ({AUTHORIZATION_HEADER: f"{ALGORITHM} Credential={AKID}/20261122/us-east-1/iam/iamd4_request, "
                            f"Signature={_GOOD_SIG}", DATE_HEADER: "20261122T235900Z"},
     "service `iam` should be `iamd`"),
    ({AUTHORIZATION_HEADER: f"{ALGORITHM} Credential={AKID}/20261122/us-east-1/iamd/aws4_request, "
                            f"Signature={_GOOD_SIG}", DATE_HEADER: "20261122T235900Z"},
     "terminator `aws4_request` should be `iamd4_request`"),
    ({AUTHORIZATION_HEADER: f"{ALGORITHM} Credential={_CRED}, Signature=xyz", DATE_HEADER: "20261122T235900Z"},
     "signature is not 64 lower-case hex digits"),
    ({AUTHORIZATION_HEADER: f"{ALGORITHM} Credential={_CRED}, Signature={_GOOD_SIG.upper()}",
      DATE_HEADER: "20261122T235900Z"}, "signature is not 64 lower-case hex digits"),
    ({AUTHORIZATION_HEADER: f"{ALGORITHM} Credential={_CRED}, Signature={_GOOD_SIG}0",
      DATE_HEADER: "20261122T235900Z"}, "signature is not 64 lower-case hex digits"),
    ({AUTHORIZATION_HEADER: _GOOD_AUTH, DATE_HEADER: "2026-11-22T23:59:00Z"},
     "`x-iamd-date` `2026-11-22T23:59:00Z` is not of the form YYYYMMDDTHHMMSSZ"),
    ({AUTHORIZATION_HEADER: _GOOD_AUTH, DATE_HEADER: "20261122T235900"}, "is not of the form YYYYMMDDTHHMMSSZ"),
    ({AUTHORIZATION_HEADER: _GOOD_AUTH, DATE_HEADER: "20261122T256000Z"}, "is not a valid date and time"),
    ({AUTHORIZATION_HEADER: _GOOD_AUTH, DATE_HEADER: "20261123T000100Z"},
     "scope date `20261122` does not match the date of `x-iamd-date` `20261123T000100Z`"),
])
def test_malformed_metadata_is_rejected_with_a_reason(metadata: dict[str, str], reason: str) -> None:
    with pytest.raises(SignatureFormatError) as caught:
        parse_signed_request(metadata)
    assert reason in caught.value.reason
    assert str(caught.value) == caught.value.reason
    assert isinstance(caught.value, ValueError)


def test_error_messages_quote_long_input_truncated() -> None:
    with pytest.raises(SignatureFormatError) as caught:
        parse_signed_request({AUTHORIZATION_HEADER: "X" * 10_000, DATE_HEADER: "20261122T235900Z"})
    assert len(caught.value.reason) < 200


def test_sign_request_refuses_key_ids_and_regions_that_would_not_parse() -> None:
    with pytest.raises(ValueError, match="access key id"):
        _sign(access_key_id="AKIA/EVIL")
    with pytest.raises(ValueError, match="access key id"):
        _sign(access_key_id="")
    with pytest.raises(ValueError, match="region"):
        _sign(region="us east 1")


def test_secret_never_appears_in_errors() -> None:
    with pytest.raises(ValueError) as caught:
        _sign(access_key_id="bad id", secret_access_key="TOP-SECRET-VALUE")
    assert "TOP-SECRET-VALUE" not in str(caught.value)


# --- clock skew -------------------------------------------------------------------------------

@pytest.mark.parametrize("offset,within", [
    (0, True),
    (MAX_CLOCK_SKEW_SECONDS, True),
    (-MAX_CLOCK_SKEW_SECONDS, True),
    (MAX_CLOCK_SKEW_SECONDS + 1, False),
    (-MAX_CLOCK_SKEW_SECONDS - 1, False),
    (MAX_CLOCK_SKEW_SECONDS + 0.001, False),
])
def test_skew_boundaries(offset: float, within: bool) -> None:
    signed = parse_signed_request(_sign())
    assert is_within_skew(signed, MOMENT + timedelta(seconds=offset)) is within


def test_skew_uses_the_given_limit_and_any_time_zone() -> None:
    signed = parse_signed_request(_sign())
    assert is_within_skew(signed, MOMENT + timedelta(seconds=10), max_skew_seconds=10)
    assert not is_within_skew(signed, MOMENT + timedelta(seconds=11), max_skew_seconds=10)
    tokyo = timezone(timedelta(hours=9))
    assert is_within_skew(signed, MOMENT.astimezone(tokyo), max_skew_seconds=0)


def test_skew_refuses_naive_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_within_skew(parse_signed_request(_sign()), datetime(2026, 11, 22, 23, 59))


# --- purity: shared with the client SDK, so standard library only -------------------------------

def test_signing_imports_only_pure_standard_library_modules() -> None:
    import ast
    from pathlib import Path

    tree = ast.parse(Path(signing.__file__).read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {"__future__", "collections", "dataclasses", "datetime", "functools", "hashlib", "hmac", "re"}
