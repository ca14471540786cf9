"""Secrets at rest: AES-256-GCM envelope encryption under a key-encryption key (KEK).

This module is responsible for the KEK's key file (created once, owner-only, never overwritten)
and for sealing and opening secrets such as secret access keys and MFA seeds before they are
stored in events.

Ciphertext format: ``v1:<key id>:<base64url(nonce || ciphertext || tag)>`` where

- ``key id`` is the first 16 hex digits of SHA-256(KEK), so that a ciphertext opened with the
  wrong KEK fails with a clear message instead of a generic authentication failure;
- the nonce is 12 random bytes, the tag 16 bytes, base64url is unpadded;
- the AEAD associated data is ``b"iamd-keyring:v1:" + context.encode("utf-8")``: the context
  (typically the id of the record the secret belongs to, e.g. the access key id) binds the
  ciphertext to its record, so it cannot be moved to another record and still decrypt.

The key file holds the raw 32 KEK bytes, mode 0600, in a directory created with mode 0700.
Messages never contain plaintext or key material; key ids (fingerprints) are not secret.
"""

from __future__ import annotations

import base64
import binascii
import errno
import hashlib
import os
import re
import stat
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
_NONCE_BYTES = 12
_TAG_BYTES = 16
_VERSION = "v1"
_AAD_PREFIX = b"iamd-keyring:v1:"
_KEY_ID_RE = re.compile(r"[0-9a-f]{16}", re.ASCII)
_BASE64URL_RE = re.compile(r"[A-Za-z0-9_-]+", re.ASCII)


class KeyringError(Exception):
    """A key file or a ciphertext cannot be used; the message never holds secrets."""


def _fingerprint(kek: bytes) -> str:
    return hashlib.sha256(kek).hexdigest()[:16]


class Keyring:
    """Seals and opens secrets with AES-256-GCM under one key-encryption key."""

    __slots__ = ("_aead", "_kek", "key_id")

    def __init__(self, kek: bytes) -> None:
        if not isinstance(kek, (bytes, bytearray)) or len(kek) != KEY_BYTES:
            raise ValueError(f"key-encryption key must be {KEY_BYTES} bytes")
        self._aead = AESGCM(bytes(kek))
        self._kek = bytes(kek)
        self.key_id = _fingerprint(bytes(kek))

    def __repr__(self) -> str:
        return f"Keyring(key_id={self.key_id!r})"

    @classmethod
    def generate(cls) -> Keyring:
        """Create a keyring with a fresh random KEK (not persisted)."""
        return cls(os.urandom(KEY_BYTES))

    @classmethod
    def from_file(cls, path: Path) -> Keyring:
        """Load the KEK from an existing key file, refusing one that group or others may access."""
        path = Path(path)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError as e:
            raise KeyringError(f"key file `{path}` does not exist") from e
        except OSError as e:
            if e.errno == errno.ELOOP:
                raise KeyringError(f"key file `{path}` is a symbolic link") from e
            raise KeyringError(f"key file `{path}` cannot be opened: {e.strerror}") from e
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise KeyringError(f"key file `{path}` is not a regular file")
            mode = stat.S_IMODE(info.st_mode)
            if mode & 0o077:
                raise KeyringError(f"key file `{path}` has mode {mode:04o}; it must not be accessible by group "
                                   f"or others (chmod 600)")
            data = _read_up_to(fd, KEY_BYTES + 1)
        finally:
            os.close(fd)
        if len(data) != KEY_BYTES:
            raise KeyringError(f"key file `{path}` must hold exactly {KEY_BYTES} bytes")
        return cls(data)

    @classmethod
    def load_or_create(cls, path: Path) -> tuple[Keyring, bool]:
        """Load the key file, creating it (and its 0700 directory) first if absent; say whether it was created."""
        path = Path(path)
        try:
            _ensure_private_dir(path.parent)
        except OSError as e:
            raise KeyringError(f"key directory `{path.parent}` cannot be created: {e.strerror}") from e
        created = _create_key_file(path)
        return cls.from_file(path), created

    def derive(self, purpose: str, length: int = KEY_BYTES) -> bytes:
        """A key for one purpose (e.g. "iamd/authorization-message/v1"), derived from the KEK with
        HKDF-SHA256 (no salt, `b"iamd-kek-derive:" + purpose` as the info): every holder of the KEK
        derives the same key, and a derived key opens nothing sealed under the KEK itself."""
        if not purpose:
            raise ValueError("a derived key needs a purpose")
        return HKDF(algorithm=hashes.SHA256(), length=length, salt=None,
                    info=b"iamd-kek-derive:" + purpose.encode("utf-8")).derive(self._kek)

    def encrypt(self, plaintext: bytes, *, context: str) -> str:
        """Seal `plaintext`, bound to `context`, as a `v1:<key id>:<base64url>` token."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext, _aad(context))
        payload = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")
        return f"{_VERSION}:{self.key_id}:{payload}"

    def decrypt(self, token: str, *, context: str) -> bytes:
        """Open a token made by `encrypt` with the same KEK and context; KeyringError otherwise."""
        parts = token.split(":") if isinstance(token, str) else []
        if len(parts) != 3:
            raise KeyringError("ciphertext is not of the form v1:<key id>:<payload>")
        version, key_id, payload = parts
        if version != _VERSION:
            raise KeyringError("ciphertext has an unsupported format version")
        if not _KEY_ID_RE.fullmatch(key_id):
            raise KeyringError("ciphertext has a malformed key id")
        if key_id != self.key_id:
            raise KeyringError(f"ciphertext was sealed under key `{key_id}`, but this keyring holds key "
                               f"`{self.key_id}`")
        if not _BASE64URL_RE.fullmatch(payload):
            raise KeyringError("ciphertext payload is not base64url")
        try:
            raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        except (binascii.Error, ValueError) as e:
            raise KeyringError("ciphertext payload is not base64url") from e
        if len(raw) < _NONCE_BYTES + _TAG_BYTES:
            raise KeyringError("ciphertext payload is too short")
        try:
            return self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _aad(context))
        except InvalidTag:
            # Deliberately `from None`: nothing about the failed decryption is worth chaining.
            raise KeyringError("ciphertext failed authentication (tampered, or sealed for another context)") from None


def _aad(context: str) -> bytes:
    return _AAD_PREFIX + context.encode("utf-8")


def _read_up_to(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = os.read(fd, remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _ensure_private_dir(directory: Path) -> None:
    directory.parent.mkdir(parents=True, exist_ok=True)
    try:
        directory.mkdir(mode=0o700)
    except FileExistsError:
        return
    # mkdir's mode is filtered by the umask; make sure the directory we created is owner-only.
    os.chmod(directory, 0o700)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_new_file(path: Path, data: bytes) -> None:
    """Create `path` exclusively with mode 0600, write `data` and fsync; FileExistsError if present."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        os.fchmod(fd, 0o600)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def _create_key_file(path: Path) -> bool:
    """Create the key file if absent, atomically; return whether this call created it."""
    if path.exists() or path.is_symlink():
        return False
    # The key is written to a private temporary file and then hard-linked into place: link() fails
    # if the target exists, so exactly one concurrent creator wins, and no reader can ever see a
    # half-written key file (which a direct O_CREAT|O_EXCL write of the final name would allow).
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(8).hex()}.tmp")
    try:
        _write_new_file(temporary, os.urandom(KEY_BYTES))
    except OSError as e:
        raise KeyringError(f"key file `{path}` cannot be created: {e.strerror}") from e
    try:
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        except OSError as e:
            if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                raise KeyringError(f"key file `{path}` cannot be created: {e.strerror}") from e
            # The file system has no hard links: fall back to writing the final name exclusively.
            try:
                _write_new_file(path, os.urandom(KEY_BYTES))
            except FileExistsError:
                return False
    finally:
        temporary.unlink(missing_ok=True)
    _fsync_dir(path.parent)
    return True
