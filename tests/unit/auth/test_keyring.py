"""Keyring: AES-256-GCM sealing bound to a context, and the owner-only key file."""

from __future__ import annotations

import base64
import os
import stat
import threading
from pathlib import Path

import pytest

from iamd.service.auth.keyring import Keyring, KeyringError

KEK = bytes(range(32))
SECRET = b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
CONTEXT = "AKIAIOSFODNN7EXAMPLE"


@pytest.fixture
def keyring() -> Keyring:
    return Keyring(KEK)


def _flip_payload_byte(token: str, index: int) -> str:
    version, key_id, payload = token.split(":")
    raw = bytearray(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    raw[index] ^= 0x01
    return f"{version}:{key_id}:{base64.urlsafe_b64encode(bytes(raw)).rstrip(b'=').decode()}"


# --- construction -----------------------------------------------------------------------------

@pytest.mark.parametrize("kek", [b"", b"\x00" * 16, b"\x00" * 31, b"\x00" * 33, "0" * 32])
def test_kek_must_be_32_bytes(kek: bytes) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Keyring(kek)


def test_key_id_is_a_short_fingerprint_of_the_kek(keyring: Keyring) -> None:
    import hashlib
    assert keyring.key_id == hashlib.sha256(KEK).hexdigest()[:16]
    assert Keyring(KEK).key_id == keyring.key_id
    assert Keyring.generate().key_id != keyring.key_id


def test_repr_hides_the_key(keyring: Keyring) -> None:
    text = repr(keyring)
    assert text == f"Keyring(key_id='{keyring.key_id}')"
    assert KEK.hex() not in text and repr(KEK) not in text


# --- sealing ----------------------------------------------------------------------------------

@pytest.mark.parametrize("plaintext", [b"", b"x", SECRET, bytes(range(256)) * 100])
def test_round_trip(keyring: Keyring, plaintext: bytes) -> None:
    token = keyring.encrypt(plaintext, context=CONTEXT)
    assert keyring.decrypt(token, context=CONTEXT) == plaintext


def test_token_format(keyring: Keyring) -> None:
    token = keyring.encrypt(SECRET, context=CONTEXT)
    version, key_id, payload = token.split(":")
    assert (version, key_id) == ("v1", keyring.key_id)
    assert set(payload) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert len(raw) == 12 + len(SECRET) + 16
    assert SECRET not in raw


def test_encryption_is_randomized(keyring: Keyring) -> None:
    assert keyring.encrypt(SECRET, context=CONTEXT) != keyring.encrypt(SECRET, context=CONTEXT)


def test_a_fresh_keyring_with_the_same_kek_decrypts(keyring: Keyring) -> None:
    token = keyring.encrypt(SECRET, context=CONTEXT)
    assert Keyring(bytes(KEK)).decrypt(token, context=CONTEXT) == SECRET


@pytest.mark.parametrize("index", [0, 11, 12, 20, -1])
def test_tampering_with_nonce_ciphertext_or_tag_is_detected(keyring: Keyring, index: int) -> None:
    token = _flip_payload_byte(keyring.encrypt(SECRET, context=CONTEXT), index)
    with pytest.raises(KeyringError, match="failed authentication"):
        keyring.decrypt(token, context=CONTEXT)


def test_truncated_payload_is_detected(keyring: Keyring) -> None:
    token = keyring.encrypt(SECRET, context=CONTEXT)
    with pytest.raises(KeyringError):
        keyring.decrypt(token[:-4], context=CONTEXT)
    with pytest.raises(KeyringError, match="too short"):
        keyring.decrypt(f"v1:{keyring.key_id}:AAAA", context=CONTEXT)


def test_wrong_context_is_detected(keyring: Keyring) -> None:
    token = keyring.encrypt(SECRET, context=CONTEXT)
    for other in ("AKIAIOSFODNN7EXAMPLF", "", CONTEXT.lower(), CONTEXT + " "):
        with pytest.raises(KeyringError, match="failed authentication"):
            keyring.decrypt(token, context=other)


def test_wrong_kek_is_reported_by_key_id(keyring: Keyring) -> None:
    other = Keyring.generate()
    token = keyring.encrypt(SECRET, context=CONTEXT)
    with pytest.raises(KeyringError, match=f"sealed under key `{keyring.key_id}`.*holds key `{other.key_id}`"):
        other.decrypt(token, context=CONTEXT)


def test_forged_key_id_still_fails_authentication(keyring: Keyring) -> None:
    other = Keyring.generate()
    _, _, payload = other.encrypt(SECRET, context=CONTEXT).split(":")
    with pytest.raises(KeyringError, match="failed authentication"):
        keyring.decrypt(f"v1:{keyring.key_id}:{payload}", context=CONTEXT)


@pytest.mark.parametrize("token,reason", [
    ("", "not of the form"),
    ("v1:abc", "not of the form"),
    ("v1:0123456789abcdef:AAAA:extra", "not of the form"),
    ("v2:0123456789abcdef:AAAA", "unsupported format version"),
    ("v1:XYZ:AAAA", "malformed key id"),
    ("v1:{key_id}:not base64!", "not base64url"),
    ("v1:{key_id}:", "not base64url"),
    ("v1:{key_id}:A", "not base64url"),
])
def test_malformed_tokens_are_rejected(keyring: Keyring, token: str, reason: str) -> None:
    with pytest.raises(KeyringError, match=reason):
        keyring.decrypt(token.format(key_id=keyring.key_id), context=CONTEXT)


def test_messages_hold_no_plaintext_or_key_material(keyring: Keyring) -> None:
    token = keyring.encrypt(SECRET, context=CONTEXT)
    failures = []
    for attempt in (lambda: keyring.decrypt(token, context="other"),
                    lambda: Keyring.generate().decrypt(token, context=CONTEXT),
                    lambda: keyring.decrypt(_flip_payload_byte(token, 15), context=CONTEXT)):
        with pytest.raises(KeyringError) as caught:
            attempt()
        failures.append(caught.value)
    for error in failures:
        text = str(error) + repr(error)
        assert SECRET.decode() not in text and KEK.hex() not in text and token not in text
        # Nothing from the cipher library is chained on for a traceback to print.
        assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


# --- the key file -----------------------------------------------------------------------------

def test_load_or_create_creates_a_private_key_file(tmp_path: Path) -> None:
    path = tmp_path / "data" / "keys" / "kek.bin"
    keyring, created = Keyring.load_or_create(path)
    assert created
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.stat().st_size == 32
    assert keyring.key_id == Keyring.from_file(path).key_id
    assert [p.name for p in path.parent.iterdir()] == ["kek.bin"]


def test_load_or_create_loads_an_existing_key(tmp_path: Path) -> None:
    path = tmp_path / "kek.bin"
    first, created_first = Keyring.load_or_create(path)
    second, created_second = Keyring.load_or_create(path)
    assert (created_first, created_second) == (True, False)
    assert first.key_id == second.key_id
    token = first.encrypt(SECRET, context=CONTEXT)
    assert second.decrypt(token, context=CONTEXT) == SECRET


def test_creation_ignores_a_permissive_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        Keyring.load_or_create(tmp_path / "new" / "kek.bin")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new" / "kek.bin").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700


def test_existing_directory_is_left_alone(tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o755)
    _, created = Keyring.load_or_create(tmp_path / "kek.bin")
    assert created and stat.S_IMODE(tmp_path.stat().st_mode) == 0o755


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o601])
def test_a_key_file_accessible_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "kek.bin"
    Keyring.load_or_create(path)
    os.chmod(path, mode)
    for load in (Keyring.from_file, lambda p: Keyring.load_or_create(p)):
        with pytest.raises(KeyringError, match=f"mode {mode:04o}"):
            load(path)


def test_owner_read_only_key_file_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "kek.bin"
    keyring, _ = Keyring.load_or_create(path)
    os.chmod(path, 0o400)
    assert Keyring.from_file(path).key_id == keyring.key_id


@pytest.mark.parametrize("size", [0, 16, 31, 33, 64])
def test_a_key_file_of_the_wrong_length_is_refused(tmp_path: Path, size: int) -> None:
    path = tmp_path / "kek.bin"
    path.write_bytes(b"\x01" * size)
    os.chmod(path, 0o600)
    with pytest.raises(KeyringError, match="exactly 32 bytes") as caught:
        Keyring.load_or_create(path)
    assert "\x01" not in str(caught.value)
    assert path.read_bytes() == b"\x01" * size  # never overwritten


def test_missing_key_file(tmp_path: Path) -> None:
    with pytest.raises(KeyringError, match="does not exist"):
        Keyring.from_file(tmp_path / "absent.bin")


def test_symlinked_or_special_key_files_are_refused(tmp_path: Path) -> None:
    real = tmp_path / "real.bin"
    Keyring.load_or_create(real)
    link = tmp_path / "link.bin"
    link.symlink_to(real)
    with pytest.raises(KeyringError, match="symbolic link"):
        Keyring.from_file(link)
    with pytest.raises(KeyringError, match="symbolic link"):
        Keyring.load_or_create(link)
    directory = tmp_path / "dir.bin"
    directory.mkdir(mode=0o700)
    with pytest.raises(KeyringError, match="not a regular file"):
        Keyring.from_file(directory)


def test_concurrent_creation_yields_one_key(tmp_path: Path) -> None:
    path = tmp_path / "data" / "kek.bin"
    callers = 16
    barrier = threading.Barrier(callers)
    results: list[tuple[str, bool]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def create() -> None:
        barrier.wait()
        try:
            keyring, created = Keyring.load_or_create(path)
        except BaseException as e:  # noqa: BLE001 - reported below
            with lock:
                errors.append(e)
            return
        with lock:
            results.append((keyring.key_id, created))

    threads = [threading.Thread(target=create) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len({key_id for key_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert [p.name for p in path.parent.iterdir()] == ["kek.bin"]  # no temporary files left behind


def test_losing_the_creation_race_loads_the_winners_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "kek.bin"
    winner = Keyring(KEK)
    real_link = os.link

    def link_after_a_competitor(source: object, target: object) -> None:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # type: ignore[arg-type]
        os.write(fd, KEK)
        os.close(fd)
        real_link(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "link", link_after_a_competitor)
    keyring, created = Keyring.load_or_create(path)
    assert not created
    assert keyring.key_id == winner.key_id
    assert [p.name for p in tmp_path.iterdir()] == ["kek.bin"]


def test_file_systems_without_hard_links_fall_back_to_exclusive_create(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(source: object, target: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    path = tmp_path / "kek.bin"
    keyring, created = Keyring.load_or_create(path)
    assert created and stat.S_IMODE(path.stat().st_mode) == 0o600
    again, created_again = Keyring.load_or_create(path)
    assert (again.key_id, created_again) == (keyring.key_id, False)
    assert [p.name for p in tmp_path.iterdir()] == ["kek.bin"]
