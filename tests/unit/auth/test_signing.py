"""Request signing: round trip, tamper detection, strict parsing, clock skew and a pinned vector."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from iamd.client import signing
from iamd.client.signing import (
    ALGORITHM,
    AUTHORIZATION_HEADER,
    DATE_HEADER,
    HOST_HEADER,
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
SIGNING_KEY_HEX = "84fd660ebf019ff1523d9f779680f28cc76980a1776f414c7cfa52add076fc9f"
VECTOR_SIGNATURE = "b77e639200a227363d772985304c060abb1d3c1cb1eec5757afce0a165b58344"
TOKEN_VECTOR_SIGNATURE = "af183e7be96f86d9c71ea804e2c081f3ca527d9633d28a1b8afcc4f59cd26a5c"


def _sign(**overrides: object) -> dict[str, str]:
    args: dict[str, object] = dict(method=METHOD, body=BODY, access_key_id=AKID, secret_access_key=SECRET,
                                   moment=MOMENT)
    args.update(overrides)
    return dict(sign_request(**args))  # type: ignore[arg-type]


def _matches(metadata: dict[str, str], *, method: str = METHOD, body: bytes = BODY, secret: str = SECRET) -> bool:
    return signature_matches(parse_signed_request(metadata), method=method, body=body, secret_access_key=secret)


# --- known-answer vectors: the scheme must not drift silently ---------------------------------

def test_known_answer_vector_without_token() -> None:
    headers = (("host", "iamd"), ("x-amz-date", "20261122T235900Z"))
    canonical = canonical_request(METHOD, BODY, headers)
    assert canonical == (
        "POST\n"
        "/iamd.v1.IdentityService/CreateUser\n"
        "\n"
        "host:iamd\n"
        "x-amz-date:20261122T235900Z\n"
        "\n"
        "host;x-amz-date\n"
        "48441a212769a2c31c87da5e7649295237d8ca4f7b5c8bd7d436e448c23df3d6")
    assert string_to_sign("20261122T235900Z", "20261122/us-east-1/iamd/aws4_request", canonical).startswith(
        "AWS4-HMAC-SHA256\n20261122T235900Z\n20261122/us-east-1/iamd/aws4_request\n")
    assert signing_key(SECRET, "20261122", "us-east-1").hex() == SIGNING_KEY_HEX
    assert sign_request(method=METHOD, body=BODY, access_key_id=AKID, secret_access_key=SECRET,
                        moment=MOMENT) == [
        ("host", "iamd"),
        ("x-amz-date", "20261122T235900Z"),
        ("authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261122/us-east-1/iamd/aws4_request, "
                          f"SignedHeaders=host;x-amz-date, Signature={VECTOR_SIGNATURE}"),
    ]


def test_known_answer_vector_with_token_region_and_host() -> None:
    assert sign_request(method="/iamd.v1.SecurityTokenService/GetCallerIdentity", body=b"",
                        access_key_id="ASIAEXAMPLE0000TOKEN", secret_access_key="secret", moment=MOMENT,
                        region="eu-west-1", session_token=TOKEN, host="iamd.example.com:50051") == [
        ("host", "iamd.example.com:50051"),
        ("x-amz-date", "20261122T235900Z"),
        ("x-amz-security-token", TOKEN),
        ("authorization", "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE0000TOKEN/20261122/eu-west-1/iamd/aws4_request, "
                          "SignedHeaders=host;x-amz-date;x-amz-security-token, "
                          f"Signature={TOKEN_VECTOR_SIGNATURE}"),
    ]


def test_the_signing_key_chain_gives_awss_published_example() -> None:
    # AWS's documented derivation example: this secret, 20120215, us-east-1, service iam.
    assert signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam").hex() == (
        "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")


def test_the_constants_are_sigv4s() -> None:
    assert (ALGORITHM, signing.SERVICE, signing.TERMINATOR) == ("AWS4-HMAC-SHA256", "iamd", "aws4_request")
    assert (HOST_HEADER, DATE_HEADER, AUTHORIZATION_HEADER, TOKEN_HEADER) == (
        "host", "x-amz-date", "authorization", "x-amz-security-token")
    assert MAX_CLOCK_SKEW_SECONDS == 300


def test_header_values_are_trimmed_and_inner_spaces_collapsed() -> None:
    canonical = canonical_request(METHOD, BODY, (("host", " \ta  \t b  "), ("x-amz-date", "20261122T235900Z")))
    assert "\nhost:a b\n" in canonical  # botocore: ' '.join(value.split())


@pytest.mark.parametrize("header", [TOKEN_HEADER, HOST_HEADER])
def test_a_signed_value_that_is_not_ascii_is_refused_before_anything_is_hashed(header: str) -> None:
    metadata = _sign(session_token=TOKEN)
    metadata[header] = "caf\udcff"  # what a server decodes from a stray 0xff byte
    with pytest.raises(SignatureFormatError, match="not ASCII"):
        parse_signed_request(metadata)


# --- a stock signer: botocore's SigV4Auth produces what iamd accepts, byte for byte -----------

@pytest.mark.parametrize("token", ["", TOKEN])
def test_botocore_signs_exactly_as_we_do(token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    botocore_auth = pytest.importorskip("botocore.auth")
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials

    monkeypatch.setattr(botocore_auth, "get_current_datetime", lambda: MOMENT.replace(tzinfo=None))
    request = AWSRequest(method="POST", url=f"http://iamd.example.com:50051{METHOD}", data=BODY)
    botocore_auth.SigV4Auth(BotoCredentials(AKID, SECRET, token or None), "iamd", "eu-west-1").add_auth(request)
    metadata = {name.lower(): value for name, value in request.headers.items()}
    metadata["host"] = "iamd.example.com:50051"  # botocore signs the URL's host; gRPC sends it as metadata
    ours = dict(_sign(region="eu-west-1", session_token=token, host="iamd.example.com:50051"))
    assert metadata[AUTHORIZATION_HEADER] == ours[AUTHORIZATION_HEADER]
    assert _matches(metadata)


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
                                   signature=signed.signature, timestamp=MOMENT, session_token="",
                                   signed_headers=(("host", "iamd"), ("x-amz-date", "20261122T235900Z")))
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


def test_changed_access_key_id_fails_through_its_secret() -> None:
    # SigV4 does not sign the key id itself: it selects the secret the server verifies with.
    metadata = _sign()
    metadata[AUTHORIZATION_HEADER] = metadata[AUTHORIZATION_HEADER].replace(AKID, "AKIAIOSFODNN7EXAMPLF")
    assert not _matches(metadata, secret="the other key's secret")


def test_changed_region_fails() -> None:
    metadata = _sign()
    metadata[AUTHORIZATION_HEADER] = metadata[AUTHORIZATION_HEADER].replace("us-east-1", "us-west-2")
    assert not _matches(metadata)


def test_changed_token_fails() -> None:
    metadata = _sign(session_token=TOKEN)
    metadata[TOKEN_HEADER] = TOKEN + "x"
    assert not _matches(metadata)


def test_removed_token_is_refused() -> None:
    metadata = _sign(session_token=TOKEN)
    del metadata[TOKEN_HEADER]
    with pytest.raises(SignatureFormatError, match="`x-amz-security-token` is not in the request's metadata"):
        parse_signed_request(metadata)


def test_added_unsigned_token_is_refused() -> None:
    metadata = _sign()
    metadata[TOKEN_HEADER] = TOKEN
    with pytest.raises(SignatureFormatError, match="sent but not among the signed headers"):
        parse_signed_request(metadata)


def test_changed_host_fails() -> None:
    metadata = _sign()
    metadata[HOST_HEADER] = "elsewhere"
    assert not _matches(metadata)


def test_hand_built_request_that_lost_its_signed_date_or_token_fails() -> None:
    signed = parse_signed_request(_sign(session_token=TOKEN))
    assert not signature_matches(replace(signed, signed_headers=signed.signed_headers[:1]), method=METHOD, body=BODY,
                                 secret_access_key=SECRET)
    assert not signature_matches(replace(signed, session_token=TOKEN + "x"), method=METHOD, body=BODY,
                                 secret_access_key=SECRET)


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

_GOOD = _sign()
_GOOD_AUTH = _GOOD[AUTHORIZATION_HEADER]
_GOOD_SIG = _GOOD_AUTH.rsplit("=", 1)[1]
_CRED = f"{AKID}/20261122/us-east-1/iamd/aws4_request"
_SH = "SignedHeaders=host;x-amz-date"
_D = {DATE_HEADER: "20261122T235900Z", HOST_HEADER: "iamd"}


def _auth(credential: str = _CRED, signed: str = _SH, signature: str = _GOOD_SIG) -> str:
    return f"{ALGORITHM} Credential={credential}, {signed}, Signature={signature}"


@pytest.mark.parametrize("metadata,reason", [
    (_D, "missing `authorization`"),
    ({**_D, AUTHORIZATION_HEADER: ""}, "missing `authorization`"),
    ({AUTHORIZATION_HEADER: _GOOD_AUTH}, "missing `x-amz-date`"),
    ({AUTHORIZATION_HEADER: _GOOD_AUTH, DATE_HEADER: ""}, "missing `x-amz-date`"),
    ({**_D, AUTHORIZATION_HEADER: _GOOD_AUTH.replace(ALGORITHM, "IAMD4-HMAC-SHA256")},
     "unsupported signing algorithm `IAMD4-HMAC-SHA256`"),
    ({**_D, AUTHORIZATION_HEADER: f"{ALGORITHM}"}, "not of the form Name=value"),
    ({**_D, AUTHORIZATION_HEADER: f"{ALGORITHM} Credential={_CRED}, {_SH}"}, "missing `Signature=`"),
    ({**_D, AUTHORIZATION_HEADER: f"{ALGORITHM} {_SH}, Signature={_GOOD_SIG}"}, "missing `Credential=`"),
    ({**_D, AUTHORIZATION_HEADER: f"{ALGORITHM} Credential={_CRED}, Signature={_GOOD_SIG}"},
     "missing `SignedHeaders=`"),
    ({**_D, AUTHORIZATION_HEADER: _auth() + ", Extra=1"}, "unexpected authorization component `Extra`"),
    ({**_D, AUTHORIZATION_HEADER: f"{ALGORITHM} Credential={_CRED}, Credential={_CRED}, {_SH}, Signature={_GOOD_SIG}"},
     "`Credential` appears more than once"),
    ({**_D, AUTHORIZATION_HEADER: _auth(credential=f"{AKID}/20261122/us-east-1/iamd")},
     "credential `AKIAIOSFODNN7EXAMPLE/20261122/us-east-1/iamd` is not of the form"),
    ({**_D, AUTHORIZATION_HEADER: _auth(credential="AKIA-BAD/20261122/us-east-1/iamd/aws4_request")},
     "access key id `AKIA-BAD` is malformed"),
    ({**_D, AUTHORIZATION_HEADER: _auth(credential=f"{AKID}/2026-11-22/us-east-1/iamd/aws4_request")},
     "scope date `2026-11-22` is not of the form YYYYMMDD"),
    ({**_D, AUTHORIZATION_HEADER: _auth(credential=f"{AKID}/20261322/us-east-1/iamd/aws4_request")},
     "scope date `20261322` is not a valid date"),
    ({**_D, AUTHORIZATION_HEADER: _auth(credential=f"{AKID}/20261122/US East/iamd/aws4_request")},
     "region `US East` is malformed"),
    ({**_D, AUTHORIZATION_HEADER: _auth(credential=f"{AKID}/20261122/us-east-1/iam/aws4_request")},
     "service `iam` should be `iamd`"),
    ({**_D, AUTHORIZATION_HEADER: _auth(credential=f"{AKID}/20261122/us-east-1/iamd/iamd4_request")},
     "terminator `iamd4_request` should be `aws4_request`"),
    ({**_D, AUTHORIZATION_HEADER: _auth(signed="SignedHeaders=x-amz-date")}, "`host` is not among the signed headers"),
    ({**_D, AUTHORIZATION_HEADER: _auth(signed="SignedHeaders=host")}, "`x-amz-date` is not among the signed headers"),
    ({**_D, AUTHORIZATION_HEADER: _auth(signed="SignedHeaders=x-amz-date;host")}, "not sorted by name"),
    ({**_D, AUTHORIZATION_HEADER: _auth(signed="SignedHeaders=host;host;x-amz-date")}, "or repeat one"),
    ({**_D, AUTHORIZATION_HEADER: _auth(signed="SignedHeaders=Host;x-amz-date")}, "`Host` is not a lower-case"),
    ({**_D, AUTHORIZATION_HEADER: _auth(signed="SignedHeaders=" + ";".join(f"h{i:02}" for i in range(17)))},
     "more than 16 signed headers"),
    ({**_D, AUTHORIZATION_HEADER: _auth(signed="SignedHeaders=content-type;host;x-amz-date")},
     "signed header `content-type` is not in the request's metadata"),
    ({**_D, TOKEN_HEADER: TOKEN, AUTHORIZATION_HEADER: _GOOD_AUTH},
     "`x-amz-security-token` is sent but not among the signed headers"),
    ({**_D, "x-big": "x" * 9000, AUTHORIZATION_HEADER: _auth(signed="SignedHeaders=host;x-amz-date;x-big")},
     "exceed 8192 bytes"),
    ({**_D, AUTHORIZATION_HEADER: _auth(signature="xyz")}, "signature is not 64 lower-case hex digits"),
    ({**_D, AUTHORIZATION_HEADER: _auth(signature=_GOOD_SIG.upper())}, "signature is not 64 lower-case hex digits"),
    ({**_D, AUTHORIZATION_HEADER: _auth(signature=_GOOD_SIG + "0")}, "signature is not 64 lower-case hex digits"),
    ({**_D, AUTHORIZATION_HEADER: _GOOD_AUTH, DATE_HEADER: "2026-11-22T23:59:00Z"},
     "`x-amz-date` `2026-11-22T23:59:00Z` is not of the form YYYYMMDDTHHMMSSZ"),
    ({**_D, AUTHORIZATION_HEADER: _GOOD_AUTH, DATE_HEADER: "20261122T235900"}, "is not of the form YYYYMMDDTHHMMSSZ"),
    ({**_D, AUTHORIZATION_HEADER: _GOOD_AUTH, DATE_HEADER: "20261122T256000Z"}, "is not a valid date and time"),
    ({**_D, AUTHORIZATION_HEADER: _GOOD_AUTH, DATE_HEADER: "20261123T000100Z"},
     "scope date `20261122` does not match the date of `x-amz-date` `20261123T000100Z`"),
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
    assert imported <= {"__future__", "collections", "dataclasses", "datetime", "functools", "hashlib", "hmac", "re",
                        "urllib"}


def test_a_header_the_caller_requires_must_be_signed() -> None:
    """The HTTP endpoint requires x-amz-target signed: it picks the operation."""
    metadata = {**_sign(), "x-amz-target": "Service.Operation"}
    with pytest.raises(SignatureFormatError, match="`x-amz-target` is not among the signed headers"):
        parse_signed_request(metadata, required=("x-amz-target",))
    assert parse_signed_request(metadata).signed_headers == (("host", "iamd"), ("x-amz-date", "20261122T235900Z"))


# --- presigned requests (the signature in the query string) -------------------------------------

def _presigned(**changes: str) -> dict[str, str]:
    fields = {"Action": "GetCallerIdentity", "Version": "2011-06-15", "X-Amz-Algorithm": ALGORITHM,
              "X-Amz-Credential": "AKIDEXAMPLE/20261205/us-east-1/sts/aws4_request",
              "X-Amz-Date": "20261205T120000Z", "X-Amz-Expires": "900", "X-Amz-SignedHeaders": "host",
              "X-Amz-Signature": "0" * 64}
    fields.update(changes)
    return {k: v for k, v in fields.items() if v != "-"}


@pytest.mark.parametrize(("changes", "said"), [
    ({"X-Amz-Credential": "-"}, "needs the `X-Amz-Credential` query parameter"),
    ({"X-Amz-Algorithm": "AWS4-HMAC-SHA1"}, "unsupported signing algorithm"),
    ({"X-Amz-Date": "20261206T120000Z"}, "does not match the date"),
    ({"X-Amz-Expires": "604801"}, "is not a number of seconds from 1 to 604800"),
    ({"X-Amz-Expires": "-5"}, "is not a number of seconds"),
    ({"X-Amz-SignedHeaders": "x-amz-date"}, "`host` is not among the signed headers"),
    ({"X-Amz-Signature": "ABC"}, "64 lower-case hex digits"),
    ({"X-Amz-Credential": "AKIDEXAMPLE/20261205/us-east-1/iam/aws4_request"}, "credential scope service"),
])
def test_a_malformed_presigned_request_says_what_is_wrong(changes: dict[str, str], said: str) -> None:
    with pytest.raises(SignatureFormatError, match=said):
        signing.parse_presigned_request(_presigned(**changes), {HOST_HEADER: "iamd"}, ("sts",))


def test_a_presigned_request_lives_its_expiry_capped_at_fifteen_minutes() -> None:
    signed_at = datetime(2026, 12, 5, 12, tzinfo=timezone.utc)
    short = signing.parse_presigned_request(_presigned(**{"X-Amz-Expires": "60"}), {HOST_HEADER: "iamd"}, ("sts",))
    week = signing.parse_presigned_request(_presigned(**{"X-Amz-Expires": "604800"}), {HOST_HEADER: "iamd"}, ("sts",))
    assert (short.presigned_for, week.presigned_for) == (60, 900)
    assert is_within_skew(short, signed_at + timedelta(seconds=60))
    assert not is_within_skew(short, signed_at + timedelta(seconds=61))
    assert is_within_skew(week, signed_at + timedelta(seconds=900))
    assert not is_within_skew(week, signed_at + timedelta(seconds=901))
    assert is_within_skew(week, signed_at - timedelta(seconds=MAX_CLOCK_SKEW_SECONDS))  # a client clock ahead
    assert not is_within_skew(week, signed_at - timedelta(seconds=MAX_CLOCK_SKEW_SECONDS + 1))


def test_a_presigned_signature_never_covers_a_body() -> None:
    signed = signing.parse_presigned_request(_presigned(), {HOST_HEADER: "iamd"}, ("sts",))
    query = signing.canonical_query("&".join(f"{k}={v}" for k, v in _presigned().items()), signing.PRESIGNED_SIGNATURE)
    right = replace(signed, signature=expected_signature(signed, method="/", body=b"", secret_access_key="s",
                                                         http_method="GET", query=query))
    assert signature_matches(right, method="/", body=b"", secret_access_key="s", http_method="GET", query=query)
    assert not signature_matches(right, method="/", body=b"Action=CreateUser", secret_access_key="s",
                                 http_method="GET", query=query)
