"""Console-password hashing with scrypt (memory-hard), in PHC string format.

This module is responsible for turning a password into a storable hash and checking a password
against one. It is pure: the caller supplies the salt (e.g. `os.urandom(16)`).

Format: ``$scrypt$ln=15,r=8,p=1$<salt>$<hash>`` where ``n = 2**ln`` and salt and hash use the
standard base64 alphabet without padding (as in the PHC string format and passlib). The hash is
``hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)``; the password is
not normalized. Parameters travel inside the string, so they can be raised later while old hashes
keep verifying.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

LOG2_N = 15
BLOCK_SIZE = 8
PARALLELISM = 1
HASH_BYTES = 32
MIN_SALT_BYTES = 16
# scrypt needs about 128 * r * n bytes; stored parameters are bounded so that a corrupt or
# hostile hash string cannot make verification exhaust memory or time.
_MAX_MEMORY = 256 * 1024 * 1024
_MAX_LOG2_N = 20
_MAX_R = 32
_MAX_P = 16
_ENCODED_RE = re.compile(
    r"\$scrypt\$ln=(?P<ln>[0-9]{1,2}),r=(?P<r>[0-9]{1,2}),p=(?P<p>[0-9]{1,2})"
    r"\$(?P<salt>[A-Za-z0-9+/]+)\$(?P<hash>[A-Za-z0-9+/]+)", re.ASCII)


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _b64decode(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _scrypt(password: str, salt: bytes, log2_n: int, r: int, p: int, dklen: int) -> bytes:
    n = 2**log2_n
    # Headroom above 128*r*n: OpenSSL's default 32 MiB limit is exactly what n=2**15, r=8 needs and fails.
    maxmem = 128 * r * n * p + 2 * 1024 * 1024
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen)


def hash_password(password: str, salt: bytes) -> str:
    """Hash a password with scrypt (n=2**15, r=8, p=1) and the given salt of at least 16 bytes."""
    if len(salt) < MIN_SALT_BYTES:
        raise ValueError(f"salt must be at least {MIN_SALT_BYTES} bytes")
    digest = _scrypt(password, bytes(salt), LOG2_N, BLOCK_SIZE, PARALLELISM, HASH_BYTES)
    return f"$scrypt$ln={LOG2_N},r={BLOCK_SIZE},p={PARALLELISM}${_b64encode(bytes(salt))}${_b64encode(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    """Tell whether `password` matches an `encoded` hash, in constant time; ValueError if it is malformed."""
    match = _ENCODED_RE.fullmatch(encoded) if isinstance(encoded, str) else None
    if match is None:
        raise ValueError("password hash is not of the form $scrypt$ln=..,r=..,p=..$<salt>$<hash>")
    log2_n, r, p = int(match["ln"]), int(match["r"]), int(match["p"])
    if not (1 <= log2_n <= _MAX_LOG2_N and 1 <= r <= _MAX_R and 1 <= p <= _MAX_P
            and 128 * r * 2**log2_n * p <= _MAX_MEMORY):
        raise ValueError("password hash has out-of-range scrypt parameters")
    try:
        salt, expected = _b64decode(match["salt"]), _b64decode(match["hash"])
    except (binascii.Error, ValueError) as e:
        raise ValueError("password hash has malformed base64") from e
    if not 16 <= len(expected) <= 64:
        raise ValueError("password hash has an unexpected length")
    actual = _scrypt(password, salt, log2_n, r, p, len(expected))
    return hmac.compare_digest(actual, expected)
