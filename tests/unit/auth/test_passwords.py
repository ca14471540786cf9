"""Password hashing: scrypt in PHC format, constant-time verification and bounded parameters."""

from __future__ import annotations

import base64
import hashlib

import pytest

from iamd.service.auth.passwords import hash_password, verify_password

SALT = bytes(range(16))
PASSWORD = "correct horse battery staple ✓"


@pytest.fixture(scope="module")
def encoded() -> str:
    return hash_password(PASSWORD, SALT)


def test_format_and_parameters(encoded: str) -> None:
    prefix, salt, digest = encoded.rsplit("$", 2)
    assert prefix == "$scrypt$ln=15,r=8,p=1"
    assert base64.b64decode(salt + "==") == SALT
    expected = hashlib.scrypt(PASSWORD.encode(), salt=SALT, n=2**15, r=8, p=1, maxmem=64 * 2**20, dklen=32)
    assert base64.b64decode(digest + "=" * (-len(digest) % 4)) == expected
    assert PASSWORD not in encoded


def test_known_answer_is_pinned() -> None:
    assert hash_password("password", b"saltsaltsaltsalt") == (
        "$scrypt$ln=15,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$I08hlG92LDYoMl/9VKf0zgfMRMPXjFzYk3rXjFEs85U")


def test_verify(encoded: str) -> None:
    assert verify_password(PASSWORD, encoded)
    assert not verify_password(PASSWORD + " ", encoded)
    assert not verify_password("", encoded)
    assert not verify_password(PASSWORD.upper(), encoded)


def test_the_salt_matters(encoded: str) -> None:
    assert hash_password(PASSWORD, bytes(reversed(SALT))) != encoded


def test_lower_cost_hashes_still_verify() -> None:
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(b"pw", salt=salt, n=2**10, r=4, p=2, dklen=32)
    encoded = f"$scrypt$ln=10,r=4,p=2${base64.b64encode(salt).decode().rstrip('=')}$" \
              f"{base64.b64encode(digest).decode().rstrip('=')}"
    assert verify_password("pw", encoded)
    assert not verify_password("pW", encoded)


def test_short_salt_is_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        hash_password(PASSWORD, b"short")


@pytest.mark.parametrize("encoded,reason", [
    ("", "not of the form"),
    ("plain-text-password", "not of the form"),
    ("$scrypt$n=32768,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not of the form"),
    ("$argon2id$v=19$m=65536,t=3,p=4$AAAA$AAAA", "not of the form"),
    ("$scrypt$ln=15,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA", "not of the form"),
    ("$scrypt$ln=30,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "out-of-range"),
    ("$scrypt$ln=20,r=32,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "out-of-range"),
    ("$scrypt$ln=0,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "out-of-range"),
    ("$scrypt$ln=15,r=0,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "out-of-range"),
    ("$scrypt$ln=15,r=8,p=1$A$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "malformed base64"),
    ("$scrypt$ln=15,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAA", "unexpected length"),
])
def test_malformed_hashes_are_errors_not_mismatches(encoded: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason) as caught:
        verify_password(PASSWORD, encoded)
    assert PASSWORD not in str(caught.value)
