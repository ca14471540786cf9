"""One-time passwords for virtual MFA devices: RFC 4226 HOTP and RFC 6238 TOTP.

This module is responsible for computing and checking the codes of virtual MFA devices
(HMAC-SHA1, 30-second steps, 6 digits, base32 seeds, as AWS and authenticator apps use). It is
pure: callers supply randomness (`new_seed`) and the current Unix time. Replay protection
(refusing a time step already used) is the caller's job: the verify functions return the matched
step so that it can be recorded.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import re
import struct
from urllib.parse import quote, urlencode

SEED_BYTES = 20
DEFAULT_STEP = 30
DEFAULT_DIGITS = 6
_CODE_RE = re.compile(r"[0-9]{6}", re.ASCII)
_MAX_COUNTER = 2**64 - 1


def new_seed(random_bytes: bytes) -> str:
    """Encode 20 caller-supplied random bytes (e.g. `os.urandom(20)`) as an unpadded base32 seed."""
    if len(random_bytes) != SEED_BYTES:
        raise ValueError(f"a seed needs exactly {SEED_BYTES} random bytes")
    return base64.b32encode(bytes(random_bytes)).decode("ascii").rstrip("=")


def _seed_key(seed_b32: str) -> bytes:
    normalized = seed_b32.replace(" ", "").upper().rstrip("=")
    try:
        key = base64.b32decode(normalized + "=" * (-len(normalized) % 8))
    except (binascii.Error, ValueError) as e:
        # The seed itself is a secret: never echo it.
        raise ValueError("seed is not valid base32") from e
    if not key:
        raise ValueError("seed is empty")
    return key


def _normalized_seed(seed_b32: str) -> str:
    return base64.b32encode(_seed_key(seed_b32)).decode("ascii").rstrip("=")


def hotp(seed_b32: str, counter: int, digits: int = DEFAULT_DIGITS) -> str:
    """Compute the RFC 4226 HOTP code for `counter`."""
    if not 6 <= digits <= 8:
        raise ValueError("digits must be between 6 and 8")
    if not 0 <= counter <= _MAX_COUNTER:
        raise ValueError("counter must fit in an unsigned 64-bit integer")
    digest = hmac.new(_seed_key(seed_b32), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    binary = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(binary % 10**digits).zfill(digits)


def time_step(unix_time: float, step: int = DEFAULT_STEP) -> int:
    """Return the RFC 6238 time-step counter for a Unix time (T0 = 0)."""
    if step <= 0:
        raise ValueError("step must be positive")
    if not math.isfinite(unix_time) or unix_time < 0:
        raise ValueError("unix time must be a non-negative finite number")
    return int(unix_time // step)


def totp(seed_b32: str, unix_time: float, step: int = DEFAULT_STEP, digits: int = DEFAULT_DIGITS) -> str:
    """Compute the RFC 6238 TOTP code at a Unix time."""
    return hotp(seed_b32, time_step(unix_time, step), digits)


def _is_code(code: object) -> bool:
    return isinstance(code, str) and _CODE_RE.fullmatch(code) is not None


def _steps_nearest_first(centre: int, window: int) -> list[int]:
    steps = [centre]
    for distance in range(1, window + 1):
        steps += [centre - distance, centre + distance]
    return [s for s in steps if 0 <= s <= _MAX_COUNTER]


def verify_totp(seed_b32: str, code: str, unix_time: float, *, window: int = 1,
                step: int = DEFAULT_STEP) -> int | None:
    """Return the time step within `window` steps of now whose 6-digit code is `code`, or None."""
    if window < 0:
        raise ValueError("window must not be negative")
    if not _is_code(code):
        return None
    current = time_step(unix_time, step)
    matched: int | None = None
    # Every candidate is computed and compared (no early exit) so that timing does not reveal
    # which step matched; the nearest step wins if two happen to share a code.
    for candidate in _steps_nearest_first(current, window):
        equal = hmac.compare_digest(hotp(seed_b32, candidate).encode("ascii"), code.encode("ascii"))
        if equal and matched is None:
            matched = candidate
    return matched


def verify_consecutive(seed_b32: str, code1: str, code2: str, unix_time: float, *,
                       window: int = 10) -> int | None:
    """Check two consecutive codes (AWS EnableMFADevice); return code2's step, or None.

    `code2` must belong to a step within `window` steps of now and `code1` to the step before it.
    """
    if window < 0:
        raise ValueError("window must not be negative")
    if not (_is_code(code1) and _is_code(code2)):
        return None
    current = time_step(unix_time, DEFAULT_STEP)
    matched: int | None = None
    for candidate in _steps_nearest_first(current, window):
        if candidate == 0:
            continue
        first = hmac.compare_digest(hotp(seed_b32, candidate - 1).encode("ascii"), code1.encode("ascii"))
        second = hmac.compare_digest(hotp(seed_b32, candidate).encode("ascii"), code2.encode("ascii"))
        if first and second and matched is None:
            matched = candidate
    return matched


def provisioning_uri(seed_b32: str, account_name: str, issuer: str = "iamd") -> str:
    """Build the `otpauth://totp/...` URI that authenticator apps read from a QR code."""
    if not account_name:
        raise ValueError("account name must not be empty")
    if not issuer or ":" in issuer:
        raise ValueError("issuer must be non-empty and contain no colon")
    label = f"{quote(issuer, safe='')}:{quote(account_name, safe='')}"
    query = urlencode({"secret": _normalized_seed(seed_b32), "issuer": issuer, "algorithm": "SHA1",
                       "digits": DEFAULT_DIGITS, "period": DEFAULT_STEP}, quote_via=quote)
    return f"otpauth://totp/{label}?{query}"
