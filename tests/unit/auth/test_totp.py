"""Virtual MFA codes: RFC 4226 / RFC 6238 vectors, verification windows and consecutive codes."""

from __future__ import annotations

import ast
import base64
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from iamd.service.auth import totp as totp_module
from iamd.service.auth.totp import hotp, new_seed, provisioning_uri, time_step, totp, verify_consecutive, verify_totp

RFC_SECRET = b"12345678901234567890"
RFC_SEED = base64.b32encode(RFC_SECRET).decode()  # GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
SEED = new_seed(bytes(range(20)))
NOW = 1_800_000_015.0  # 15 s into step 60_000_000


# --- RFC vectors ------------------------------------------------------------------------------

@pytest.mark.parametrize("counter,code", list(enumerate([
    "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489",
])))
def test_rfc4226_appendix_d_hotp_vectors(counter: int, code: str) -> None:
    assert hotp(RFC_SEED, counter) == code


@pytest.mark.parametrize("unix_time,step_counter,code", [
    (59, 0x1, "94287082"),
    (1111111109, 0x23523EC, "07081804"),
    (1111111111, 0x23523ED, "14050471"),
    (1234567890, 0x273EF07, "89005924"),
    (2000000000, 0x3F940AA, "69279037"),
    (20000000000, 0x27BC86AA, "65353130"),
])
def test_rfc6238_appendix_b_sha1_vectors(unix_time: int, step_counter: int, code: str) -> None:
    assert time_step(unix_time) == step_counter
    assert totp(RFC_SEED, unix_time, digits=8) == code
    assert totp(RFC_SEED, unix_time) == code[-6:]


def test_codes_keep_leading_zeros() -> None:
    assert totp(RFC_SEED, 1111111109) == "081804"


# --- seeds ------------------------------------------------------------------------------------

def test_new_seed_is_unpadded_base32_of_the_given_bytes() -> None:
    seed = new_seed(RFC_SECRET)
    assert seed == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert len(seed) == 32 and "=" not in seed


@pytest.mark.parametrize("size", [0, 10, 19, 21, 32])
def test_new_seed_wants_twenty_bytes(size: int) -> None:
    with pytest.raises(ValueError, match="20"):
        new_seed(b"\x00" * size)


def test_seeds_are_read_leniently_lowercase_spaced_or_padded() -> None:
    spaced = " ".join(RFC_SEED[i:i + 4] for i in range(0, 32, 4)).lower()
    assert hotp(spaced, 0) == hotp(RFC_SEED + "====", 0) == "755224"
    short_seed = base64.b32encode(b"12345").decode()  # 8 chars, no padding needed
    assert hotp(short_seed.rstrip("="), 1) == hotp(short_seed, 1)


@pytest.mark.parametrize("seed", ["", "====", "not base32!", "GEZDGNB1", "A"])
def test_invalid_seeds_are_rejected_without_echo(seed: str) -> None:
    with pytest.raises(ValueError) as caught:
        hotp(seed, 0)
    assert str(caught.value) in {"seed is empty", "seed is not valid base32"}


# --- argument checks --------------------------------------------------------------------------

@pytest.mark.parametrize("digits", [0, 5, 9])
def test_digits_out_of_range(digits: int) -> None:
    with pytest.raises(ValueError, match="digits"):
        hotp(RFC_SEED, 0, digits)


@pytest.mark.parametrize("counter", [-1, 2**64])
def test_counter_out_of_range(counter: int) -> None:
    with pytest.raises(ValueError, match="counter"):
        hotp(RFC_SEED, counter)


def test_time_step() -> None:
    assert [time_step(t) for t in (0, 29.999, 30, 59, 60)] == [0, 0, 1, 1, 2]
    assert time_step(100, step=60) == 1
    for bad in (-1, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            time_step(bad)
    with pytest.raises(ValueError, match="step"):
        time_step(100, step=0)


# --- verify_totp ------------------------------------------------------------------------------

def test_current_code_verifies_and_returns_its_step() -> None:
    step = time_step(NOW)
    assert verify_totp(SEED, totp(SEED, NOW), NOW) == step


@pytest.mark.parametrize("offset,window,expected", [
    (-1, 1, -1), (1, 1, 1), (-2, 1, None), (2, 1, None),
    (-1, 0, None), (1, 0, None), (0, 0, 0),
    (-3, 3, -3), (3, 3, 3), (-4, 3, None),
])
def test_window(offset: int, window: int, expected: int | None) -> None:
    step = time_step(NOW)
    code = hotp(SEED, step + offset)
    result = verify_totp(SEED, code, NOW, window=window)
    assert result == (None if expected is None else step + expected)


def test_window_at_the_step_boundary() -> None:
    boundary = 60_000_000 * 30.0
    previous_code = hotp(SEED, 59_999_999)
    assert verify_totp(SEED, previous_code, boundary, window=1) == 59_999_999
    assert verify_totp(SEED, previous_code, boundary, window=0) is None
    assert verify_totp(SEED, previous_code, boundary - 0.001, window=0) == 59_999_999


def test_window_near_the_epoch_skips_negative_steps() -> None:
    assert verify_totp(RFC_SEED, "755224", 5.0, window=2) == 0


def test_custom_step_length() -> None:
    code = totp(SEED, NOW, step=60)
    assert verify_totp(SEED, code, NOW, step=60, window=0) == time_step(NOW, 60)


def test_wrong_code_and_wrong_seed_fail() -> None:
    code = totp(SEED, NOW)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert verify_totp(SEED, wrong, NOW, window=0) is None
    assert verify_totp(new_seed(b"\xff" * 20), code, NOW, window=0) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12345a", " 123456", "123456 ", "123456\n",
                                  "١٢٣٤٥٦", "+12345", "-12345", "12 345"])
def test_non_six_digit_codes_are_rejected(code: str) -> None:
    assert verify_totp(SEED, code, NOW, window=5) is None


def test_non_string_code_is_rejected() -> None:
    assert verify_totp(SEED, 123456, NOW) is None  # type: ignore[arg-type]


def test_negative_window_is_an_error() -> None:
    with pytest.raises(ValueError, match="window"):
        verify_totp(SEED, "123456", NOW, window=-1)


# --- verify_consecutive -----------------------------------------------------------------------

def test_two_consecutive_codes_return_the_second_step() -> None:
    step = time_step(NOW)
    assert verify_consecutive(SEED, hotp(SEED, step - 1), hotp(SEED, step), NOW) == step


@pytest.mark.parametrize("second_offset,expected", [(-10, True), (10, True), (-11, False), (11, False), (0, True)])
def test_consecutive_window(second_offset: int, expected: bool) -> None:
    second = time_step(NOW) + second_offset
    result = verify_consecutive(SEED, hotp(SEED, second - 1), hotp(SEED, second), NOW)
    assert result == (second if expected else None)


def test_consecutive_codes_must_be_in_order_and_adjacent() -> None:
    step = time_step(NOW)
    assert verify_consecutive(SEED, hotp(SEED, step), hotp(SEED, step - 1), NOW) is None
    assert verify_consecutive(SEED, hotp(SEED, step - 2), hotp(SEED, step), NOW) is None
    assert verify_consecutive(SEED, hotp(SEED, step), hotp(SEED, step), NOW) is None


def test_consecutive_codes_with_a_narrow_window() -> None:
    step = time_step(NOW)
    assert verify_consecutive(SEED, hotp(SEED, step - 1), hotp(SEED, step), NOW, window=0) == step
    assert verify_consecutive(SEED, hotp(SEED, step - 2), hotp(SEED, step - 1), NOW, window=0) is None


def test_consecutive_codes_reject_malformed_input() -> None:
    step = time_step(NOW)
    assert verify_consecutive(SEED, "12345", hotp(SEED, step), NOW) is None
    assert verify_consecutive(SEED, hotp(SEED, step - 1), "abcdef", NOW) is None
    with pytest.raises(ValueError, match="window"):
        verify_consecutive(SEED, "123456", "654321", NOW, window=-1)


def test_consecutive_codes_at_the_epoch() -> None:
    assert verify_consecutive(RFC_SEED, "755224", "287082", 35.0, window=0) == 1
    assert verify_consecutive(RFC_SEED, "755224", "287082", 5.0, window=1) == 1


# --- provisioning URI -------------------------------------------------------------------------

def test_provisioning_uri() -> None:
    uri = provisioning_uri(RFC_SEED.lower() + "====", "alice@123456789012")
    assert uri == ("otpauth://totp/iamd:alice%40123456789012?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                   "&issuer=iamd&algorithm=SHA1&digits=6&period=30")


def test_provisioning_uri_escapes_label_and_issuer() -> None:
    uri = urlsplit(provisioning_uri(SEED, "arn:aws:iam::123456789012:mfa/bob smith", issuer="My Corp & Co"))
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    issuer, _, account = uri.path[1:].partition(":")
    assert (unquote(issuer), unquote(account)) == ("My Corp & Co", "arn:aws:iam::123456789012:mfa/bob smith")
    assert parse_qs(uri.query) == {"secret": [SEED], "issuer": ["My Corp & Co"], "algorithm": ["SHA1"],
                                   "digits": ["6"], "period": ["30"]}


@pytest.mark.parametrize("account,issuer", [("", "iamd"), ("alice", ""), ("alice", "Evil:Issuer")])
def test_provisioning_uri_rejects_bad_labels(account: str, issuer: str) -> None:
    with pytest.raises(ValueError):
        provisioning_uri(SEED, account, issuer)


# --- cross-check against an independent implementation (dev-only, never a dependency) ---------

def test_agrees_with_pyotp() -> None:
    pyotp = pytest.importorskip("pyotp")
    for index in range(50):
        seed = new_seed(bytes((index * 7 + i) % 256 for i in range(20)))
        moment = 1_000_000_000 + index * 7_777_777
        reference = pyotp.TOTP(seed)
        assert totp(seed, moment) == reference.at(moment)
        assert hotp(seed, index) == pyotp.HOTP(seed).at(index)
        assert verify_totp(seed, reference.at(moment), moment, window=0) == time_step(moment)
    uri = provisioning_uri(SEED, "alice@example.com")
    parsed = pyotp.parse_uri(uri)
    assert (parsed.secret, parsed.issuer, parsed.name, parsed.interval, parsed.digits) == (
        SEED, "iamd", "alice@example.com", 30, 6)


# --- purity -----------------------------------------------------------------------------------

def test_totp_imports_only_pure_standard_library_modules() -> None:
    tree = ast.parse(Path(totp_module.__file__).read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {"__future__", "base64", "binascii", "hashlib", "hmac", "math", "re", "struct", "urllib"}
