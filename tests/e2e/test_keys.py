"""Keys are part of the state's identity (issue 11, items 7 and 8).

The log records the fingerprint of the key-encryption key; iamd refuses to start (a real `iamd`
process, exit status 78 and a message naming the key it needs and the file it read) with any
other key, instead of inventing one; backup and restore, KEK rotation; data files owner-only.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from iamd.client.credentials import Credentials
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import sts_pb2, sts_pb2_grpc
from iamd.service.admin import EXIT_REFUSED, backup, data_dir_lock
from iamd.service.admin import run as admin_run
from iamd.service.app.keys import DEPLOYMENT_STREAM, KeyCheckFailed, read_kek_record, rotate_kek
from iamd.service.app.ports import SystemClock
from iamd.service.auth import totp
from iamd.service.auth.keyring import Keyring
from iamd.service.config import Settings
from iamd.service.domain.events import UPCASTERS
from iamd.service.eventstore import EventCodec, open_event_store

from .conftest import ACCOUNT, Iamd, start_iamd, stop_iamd
from .helpers import user_with_key

ROOT = Path(__file__).resolve().parents[2]
IAMD = Path(sys.executable).with_name("iamd")  # the installed console script, as an operator runs it


def _iamd(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    command = [str(IAMD)] if IAMD.exists() else [sys.executable, "-m", "iamd.service"]
    env = {**os.environ, "IAMD_ACCOUNT_ID": ACCOUNT, "IAMD_LOG_LEVEL": "warning"}
    return subprocess.run([*command, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def _refused_start(data_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Start the real iamd on `data_dir`; it must exit (not serve) with status 78."""
    result = _iamd("--listen", "127.0.0.1:0", "--data-dir", str(data_dir), *extra)
    assert result.returncode == EXIT_REFUSED, (result.returncode, result.stdout, result.stderr)
    assert "iamd listening" not in result.stdout
    return result


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _rows(db: Path) -> list[tuple]:
    connection = sqlite3.connect(db)
    try:
        return connection.execute("SELECT position, id, stream, version, type, data FROM events "
                                  "ORDER BY position").fetchall()
    finally:
        connection.close()


async def _who(iamd: Iamd, credentials: Credentials) -> str:
    channel = iamd.connect(credentials)
    try:
        reply = await sts_pb2_grpc.SecurityTokenServiceStub(channel).GetCallerIdentity(
            sts_pb2.GetCallerIdentityRequest())
        return reply.arn
    finally:
        await channel.close()


# --- the fingerprint in the log, and refusing other keys ------------------------------------------
async def test_first_start_records_the_kek_and_restarts_with_it(tmp_path: Path) -> None:
    data = tmp_path / "d"
    iamd = await start_iamd(data)
    try:
        kek = Keyring.from_file(data / "keys" / "kek")
        events = await iamd.running.store.read_stream(DEPLOYMENT_STREAM)
        assert [e.type for e in events] == ["DeploymentInitialized", "KeyEncryptionKeyRecorded"]
        assert events[1].data["key_id"] == kek.key_id and events[1].data["reason"] == "first-start"
        assert b"".join(str(e.data).encode() for e in events).find(bytes(32)) == -1
    finally:
        await stop_iamd(iamd)
    again = await start_iamd(data)  # the same key: starts, records nothing more
    try:
        assert await _who(again, again.root) == f"arn:aws:iam::{ACCOUNT}:root"
        assert len(await again.running.store.read_stream(DEPLOYMENT_STREAM)) == 2
    finally:
        await stop_iamd(again)


async def test_without_the_kek_iamd_refuses_to_start_and_creates_no_key(tmp_path: Path) -> None:
    data = tmp_path / "d"
    iamd = await start_iamd(data)
    fingerprint = Keyring.from_file(data / "keys" / "kek").key_id
    await stop_iamd(iamd)
    (data / "keys" / "kek").rename(tmp_path / "kek.saved")

    result = _refused_start(data)
    assert fingerprint in result.stderr and str(data / "keys" / "kek") in result.stderr
    assert "does not exist" in result.stderr
    assert not (data / "keys" / "kek").exists(), "a new key was invented for a log that has one"

    # Another key (a second replica with its own, a wrong --kek-file) is refused the same way.
    other = tmp_path / "other-kek"
    Keyring.load_or_create(other)
    result = _refused_start(data, "--kek-file", str(other))
    assert fingerprint in result.stderr and str(other) in result.stderr
    assert Keyring.from_file(other).key_id in result.stderr

    (tmp_path / "kek.saved").rename(data / "keys" / "kek")  # the right key back: serves again
    again = await start_iamd(data)
    try:
        assert await _who(again, again.root) == f"arn:aws:iam::{ACCOUNT}:root"
    finally:
        await stop_iamd(again)


async def test_an_older_log_is_verified_by_a_secret_then_gets_its_fingerprint(tmp_path: Path) -> None:
    data = tmp_path / "d"
    iamd = await start_iamd(data)
    await stop_iamd(iamd)
    fingerprint = Keyring.from_file(data / "keys" / "kek").key_id
    connection = sqlite3.connect(data / "events.db")  # as written before fingerprints were recorded
    connection.execute("DELETE FROM events WHERE type = 'KeyEncryptionKeyRecorded'")
    connection.commit()
    connection.close()

    other = tmp_path / "other-kek"
    Keyring.load_or_create(other)
    result = _refused_start(data, "--kek-file", str(other))  # cannot open the root key's secret
    assert fingerprint in result.stderr and "cannot decrypt" in result.stderr

    again = await start_iamd(data)
    try:
        record = await read_kek_record(again.running.store)
        assert record.key_id == fingerprint
        events = await again.running.store.read_stream(DEPLOYMENT_STREAM)
        assert events[-1].type == "KeyEncryptionKeyRecorded" and events[-1].data["reason"] == "verified"
        assert await _who(again, again.root) == f"arn:aws:iam::{ACCOUNT}:root"
    finally:
        await stop_iamd(again)


# --- data files owner-only ------------------------------------------------------------------------
async def test_data_files_are_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "d"
    iamd = await start_iamd(data)
    try:
        await user_with_key(iamd, "alice")
        files = [data / "events.db", data / "events.db-wal", data / "events.db-shm", data / "keys" / "kek",
                 data / "keys" / "audit-digest.pem", data / "root-credentials"]
        for path in files:
            assert _mode(path) == 0o600, (path, oct(_mode(path)))
    finally:
        await stop_iamd(iamd)
    snapshot = data / "snapshots" / "identity.snapshot"
    assert snapshot.exists() and _mode(snapshot) == 0o600
    assert _mode(data) == 0o700 and _mode(data / "keys") == 0o700 and _mode(data / "snapshots") == 0o700

    os.chmod(data / "events.db", 0o644)  # a log written by an older iamd is tightened at start
    again = await start_iamd(data)
    try:
        assert _mode(data / "events.db") == 0o600
    finally:
        await stop_iamd(again)


# --- backup and restore ---------------------------------------------------------------------------
async def test_online_backup_restores_with_its_keys_and_refuses_without(tmp_path: Path) -> None:
    data, copy, bare = tmp_path / "d", tmp_path / "backup", tmp_path / "backup-without-keys"
    iamd = await start_iamd(data)
    try:
        alice = await user_with_key(iamd, "alice")

        async def writes() -> int:  # the log keeps changing while the copy is taken
            for i in range(30):
                await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name=f"busy-{i}"))
            return 30

        writer = asyncio.create_task(writes())
        await asyncio.sleep(0.05)
        settings = Settings(data_dir=data)
        manifest = await asyncio.to_thread(backup, settings, copy)
        await writer
        # The command an operator runs, beside the serving iamd, keeping the keys apart.
        cli = await asyncio.to_thread(_iamd, "backup", "--data-dir", str(data), "--to", str(bare), "--no-keys")
        assert cli.returncode == 0, cli.stderr
        assert '"keys": []' in cli.stdout and not (bare / "keys").exists()
    finally:
        await stop_iamd(iamd)
    assert manifest["kek_fingerprint"] == Keyring.from_file(data / "keys" / "kek").key_id
    assert "kek" in manifest["keys"] and "audit-digest.pem" in manifest["keys"]
    for path in (copy / "events.db", copy / "keys" / "kek", copy / "BACKUP.json"):
        assert _mode(path) == 0o600
    assert _mode(copy) == 0o700 and _mode(copy / "keys") == 0o700
    copied = _rows(copy / "events.db")
    assert copied == _rows(data / "events.db")[:len(copied)]  # a prefix of the log: consistent
    assert len(copied) == manifest["events"]

    (copy / "root-credentials").write_bytes((data / "root-credentials").read_bytes())
    restored = await start_iamd(copy)
    try:
        assert await _who(restored, restored.root) == f"arn:aws:iam::{ACCOUNT}:root"
        assert await _who(restored, alice) == f"arn:aws:iam::{ACCOUNT}:user/alice"
    finally:
        await stop_iamd(restored)

    fingerprints = _iamd("kek-fingerprint", "--data-dir", str(copy))
    assert fingerprints.returncode == 0
    assert fingerprints.stdout.split() == [manifest["kek_fingerprint"], str(copy / "keys" / "kek"),
                                           manifest["kek_fingerprint"], "recorded", "in", "the", "log"]

    result = _refused_start(bare)  # the copy alone, without its keys: refused, not served
    assert manifest["kek_fingerprint"] in result.stderr and str(bare / "keys" / "kek") in result.stderr
    assert not (bare / "keys" / "kek").exists()


def test_backup_command_refuses_a_non_empty_target_a_missing_log_and_a_kurrentdb_log(tmp_path: Path) -> None:
    data = tmp_path / "d"
    data.mkdir()
    (data / "events.db").write_bytes(b"")
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "x").write_text("x")
    result = _iamd("backup", "--data-dir", str(data), "--to", str(tmp_path / "t"))
    assert result.returncode == EXIT_REFUSED and "not empty" in result.stderr
    result = _iamd("backup", "--data-dir", str(tmp_path / "none"), "--to", str(tmp_path / "u"))
    assert result.returncode == EXIT_REFUSED and "no log" in result.stderr
    result = _iamd("backup", "--store", "kurrentdb://localhost:2113", "--to", str(tmp_path / "u"))
    assert result.returncode == EXIT_REFUSED and "KurrentDB" in result.stderr


# --- rotation of the key-encryption key -----------------------------------------------------------
async def _populate(iamd: Iamd) -> tuple[Credentials, Credentials, str, str]:
    """A user with a key, an enabled MFA device, and a session: every kind of secret."""
    gina = await user_with_key(iamd, "gina")
    device = (await iamd.iam.CreateVirtualMFADevice(ipb.CreateVirtualMFADeviceRequest(
        virtual_mfa_device_name="gina-phone"))).virtual_mfa_device
    now = iamd.clock.now().timestamp()
    seed = device.base32_string_seed
    await iamd.iam.EnableMFADevice(ipb.EnableMFADeviceRequest(
        user_name="gina", serial_number=device.serial_number,
        authentication_code1=totp.totp(seed, now - 90), authentication_code2=totp.totp(seed, now - 60)))
    channel = iamd.connect(gina)
    try:
        token = await sts_pb2_grpc.SecurityTokenServiceStub(channel).GetSessionToken(
            sts_pb2.GetSessionTokenRequest())
    finally:
        await channel.close()
    c = token.credentials
    return gina, Credentials(c.access_key_id, c.secret_access_key, c.session_token), device.serial_number, seed


async def _rotate(data: Path, new_file: Path, *extra: str) -> int:
    return await asyncio.to_thread(admin_run, ["rotate-kek", "--data-dir", str(data), "--new-kek-file",
                                               str(new_file), *extra])


async def test_rotate_kek_reencrypts_every_secret_and_the_old_key_is_no_longer_needed(tmp_path: Path) -> None:
    data = tmp_path / "d"
    iamd = await start_iamd(data)
    try:
        gina, session, serial, seed = await _populate(iamd)
    finally:
        await stop_iamd(iamd)
    old = Keyring.from_file(data / "keys" / "kek")
    before = _rows(data / "events.db")

    new_file = tmp_path / "new-keys" / "kek"
    assert await _rotate(data, new_file) == 0
    new = Keyring.from_file(new_file)
    assert _mode(new_file) == 0o600 and new.key_id != old.key_id

    after = _rows(data / "events.db")
    assert after[:len(before)] == before  # stored events are never rewritten: only appended to
    appended = [row[4] for row in after[len(before):]]
    assert appended[0] == "KeyEncryptionKeyRotationStarted" and appended[-1] == "KeyEncryptionKeyRecorded"
    assert sorted(appended[1:-1]) == sorted(["AccountAccessKeySecretReencrypted", "UserAccessKeySecretReencrypted",
                                             "SessionSecretReencrypted", "VirtualMFADeviceSeedReencrypted"])
    for row in after[len(before):]:  # only ciphertext under the new key, never a secret in clear
        payload = row[5].decode() if isinstance(row[5], bytes) else row[5]
        assert gina.secret_access_key not in payload and session.secret_access_key not in payload
        assert seed not in payload
        if "ciphertext" in payload:
            assert f"v1:{new.key_id}:" in payload

    result = _refused_start(data)  # the old key is refused now, naming the new one
    assert new.key_id in result.stderr

    (data / "keys" / "kek").unlink()  # the old key is gone for good
    new_file.rename(data / "keys" / "kek")
    rotated = await start_iamd(data)
    try:
        assert await _who(rotated, rotated.root) == f"arn:aws:iam::{ACCOUNT}:root"
        assert await _who(rotated, gina) == f"arn:aws:iam::{ACCOUNT}:user/gina"
        assert await _who(rotated, session) == f"arn:aws:iam::{ACCOUNT}:user/gina"
        channel = rotated.connect(gina)  # the MFA seed still checks codes
        try:
            mfa = await sts_pb2_grpc.SecurityTokenServiceStub(channel).GetSessionToken(
                sts_pb2.GetSessionTokenRequest(serial_number=serial,
                                               token_code=totp.totp(seed, rotated.clock.now().timestamp())))
        finally:
            await channel.close()
        assert mfa.credentials.access_key_id
        # New secrets are sealed under the new key too.
        await user_with_key(rotated, "hal")
        record = await read_kek_record(rotated.running.store)
        assert record.key_id == new.key_id and record.rotating is None
    finally:
        await stop_iamd(rotated)


class _FailingStore:
    """The store, failing the n-th re-encryption append: a rotation interrupted half-way."""

    def __init__(self, store, fail_after: int) -> None:
        self._store, self._left = store, fail_after

    def __getattr__(self, name: str):
        return getattr(self._store, name)

    async def append(self, stream, events, expected):
        if stream != DEPLOYMENT_STREAM:
            self._left -= 1
            if self._left < 0:
                raise OSError("disk gone")
        return await self._store.append(stream, events, expected)


async def test_an_interrupted_rotation_blocks_the_start_until_it_is_finished(tmp_path: Path) -> None:
    data = tmp_path / "d"
    iamd = await start_iamd(data)
    try:
        gina, session, _, _ = await _populate(iamd)
    finally:
        await stop_iamd(iamd)
    old = Keyring.from_file(data / "keys" / "kek")
    new_file = tmp_path / "new-kek"
    new, _ = Keyring.load_or_create(new_file)
    store = open_event_store(f"sqlite:///{data / 'events.db'}", EventCodec(UPCASTERS))
    try:
        with pytest.raises(KeyCheckFailed, match="run rotate-kek again"):
            await rotate_kek(_FailingStore(store, 1), SystemClock(), old, new)  # type: ignore[arg-type]
    finally:
        await store.close()

    for key in (None, str(new_file)):  # neither key may serve a half-rotated log
        result = _refused_start(data, *(("--kek-file", key) if key else ()))
        assert "interrupted" in result.stderr and old.key_id in result.stderr and new.key_id in result.stderr

    other = tmp_path / "other"
    Keyring.load_or_create(other)
    assert await _rotate(data, other) == EXIT_REFUSED
    assert await _rotate(data, new_file) == 0
    rotated = await start_iamd(data, kek_file=str(new_file))
    try:
        assert await _who(rotated, rotated.root) == f"arn:aws:iam::{ACCOUNT}:root"
        assert await _who(rotated, gina) == f"arn:aws:iam::{ACCOUNT}:user/gina"
        assert await _who(rotated, session) == f"arn:aws:iam::{ACCOUNT}:user/gina"
    finally:
        await stop_iamd(rotated)


async def test_rotate_kek_refuses_while_iamd_serves_the_data_dir_and_with_a_wrong_old_key(tmp_path: Path) -> None:
    data = tmp_path / "d"
    iamd = await start_iamd(data)
    await stop_iamd(iamd)
    new_file = tmp_path / "new-kek"
    with data_dir_lock(data, exclusive=False):  # what `iamd` holds while it serves
        assert admin_run(["rotate-kek", "--data-dir", str(data), "--new-kek-file", str(new_file)]) == EXIT_REFUSED
    wrong = tmp_path / "wrong"
    Keyring.load_or_create(wrong)
    assert await _rotate(data, new_file, "--kek-file", str(wrong)) == EXIT_REFUSED
    assert (await _no_rotation(data))


async def _no_rotation(data: Path) -> bool:
    store = open_event_store(f"sqlite:///{data / 'events.db'}", EventCodec(UPCASTERS))
    try:
        record = await read_kek_record(store)
        return record.rotating is None and record.key_id == Keyring.from_file(data / "keys" / "kek").key_id
    finally:
        await store.close()
