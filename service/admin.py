"""iamd's offline administration subcommands (no server, no iamctl; see docs/operations.md).

    iamd backup --to DIR [--no-keys]           a consistent copy of a running iamd's SQLite log + its keys
    iamd rotate-kek --new-kek-file FILE        re-encrypt every secret under a new key-encryption key
    iamd kek-fingerprint [FILE]                the fingerprint of a key file (and the one the log records)

They take the server's --data-dir, --store, --kek-file and --digest-key-file (and IAMD_* variables),
so that they find the same files the server uses. Exit status: 0 done, 78 refused (EX_CONFIG), 2 usage.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import json
import os
import sqlite3
import sys
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from iamd.service.app.keys import KeyCheckFailed, read_kek_record, rotate_kek
from iamd.service.app.ports import SystemClock
from iamd.service.auth.keyring import Keyring, KeyringError
from iamd.service.config import Settings
from iamd.service.domain.events import UPCASTERS
from iamd.service.eventstore import EventCodec, open_event_store

COMMANDS = ("backup", "rotate-kek", "kek-fingerprint")
EXIT_REFUSED = 78  # EX_CONFIG: the keys or the files given cannot be used; the message says why
LOCK_FILE = "iamd.lock"


class AdminError(Exception):
    """An administration command refused; the message says what to do instead."""


# --- the data directory's lock: serving (shared) vs rotating the key (exclusive) -----------------
@contextlib.contextmanager
def data_dir_lock(data_dir: Path, *, exclusive: bool) -> Iterator[None]:
    """Hold `<data_dir>/iamd.lock`: shared while iamd serves, exclusive while rotate-kek runs, so
    that a rotation never runs beside a server of the same data directory (which would go on
    sealing new secrets under the old key). Replicas with their own data directories on a shared
    KurrentDB log are not covered: stop them all before a rotation."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AdminError(
                f"an iamd is serving from `{data_dir}`: stop it (and every replica sharing its log) first"
                if exclusive else f"a key rotation (iamd rotate-kek) is running on `{data_dir}`; start iamd after it"
            ) from None
        yield
    finally:
        os.close(fd)


# --- arguments -------------------------------------------------------------------------------------
def _parser(env: Mapping[str, str]) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=env.get("IAMD_DATA_DIR", str(Settings.data_dir)))
    common.add_argument("--store", default=env.get("IAMD_STORE", ""), help="event store URI (IAMD_STORE)")
    common.add_argument("--kek-file", default=env.get("IAMD_KEK_FILE", ""),
                        help="the key-encryption key in use; default <data-dir>/keys/kek (IAMD_KEK_FILE)")
    common.add_argument("--digest-key-file", default=env.get("IAMD_DIGEST_KEY_FILE", ""))
    parser = argparse.ArgumentParser(prog="iamd", description="iamd's offline administration commands")
    commands = parser.add_subparsers(dest="command", required=True)
    backup = commands.add_parser(
        "backup", parents=[common],
        help="copy the SQLite log consistently (also while iamd runs) and the keys into a new directory")
    backup.add_argument("--to", required=True, type=Path, help="new directory: start iamd with --data-dir on it")
    backup.add_argument("--no-keys", action="store_true",
                        help="leave the keys out (keep them apart from the data; restore needs them)")
    rotate = commands.add_parser(
        "rotate-kek", parents=[common],
        help="re-encrypt every secret under a new key-encryption key (iamd stopped); the old key is then unneeded")
    rotate.add_argument("--new-kek-file", required=True, type=Path,
                        help="the new key (32 bytes, mode 0600); created if it does not exist")
    fingerprint = commands.add_parser("kek-fingerprint", parents=[common],
                                      help="print a key file's fingerprint, and the one the log records")
    fingerprint.add_argument("file", nargs="?", type=Path, help="a key file (default: the --kek-file in use)")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(data_dir=Path(args.data_dir), store_uri=args.store, kek_file=args.kek_file,
                    digest_key_file=args.digest_key_file)


def run(argv: Sequence[str], env: Mapping[str, str] | None = None) -> int:
    args = _parser(os.environ if env is None else env).parse_args(list(argv))
    settings = _settings(args)
    try:
        if args.command == "backup":
            print(json.dumps(backup(settings, args.to, with_keys=not args.no_keys), indent=2))
        elif args.command == "rotate-kek":
            with data_dir_lock(settings.data_dir, exclusive=True):
                print(asyncio.run(_rotate(settings, args.new_kek_file)))
        else:
            print(asyncio.run(_fingerprints(settings, args.file)))
    except (AdminError, KeyringError) as e:
        print(f"iamd {args.command}: {e}", file=sys.stderr)
        return EXIT_REFUSED
    return 0


# --- rotate-kek ------------------------------------------------------------------------------------
async def _rotate(settings: Settings, new_kek_file: Path) -> str:
    if not _log_exists(settings):
        raise AdminError(f"no log at `{settings.event_store_uri}`: nothing to rotate")
    old = Keyring.from_file(settings.kek_path)
    new, created = Keyring.load_or_create(new_kek_file)
    store = open_event_store(settings.event_store_uri, EventCodec(UPCASTERS))
    try:
        report = await rotate_kek(store, SystemClock(), old, new)
    finally:
        await store.close()
    counts = ", ".join(f"{n} {kind}(s)" for kind, n in sorted(report.reencrypted.items())) or "no secrets"
    return "\n".join([
        f"{'finished an interrupted' if report.resumed else 'rotated the'} key-encryption key: "
        f"{report.previous_key_id} -> {report.key_id}" + (" (new key file created)" if created else ""),
        f"re-encrypted {counts}" + (f"; {report.already} already under the new key" if report.already else ""),
        f"start iamd with the new key: --kek-file {new_kek_file} (or move it to {settings.kek_path});",
        f"the old key {report.previous_key_id} is needed only to restore backups taken before now",
    ])


# --- kek-fingerprint -----------------------------------------------------------------------------
async def _fingerprints(settings: Settings, file: Path | None) -> str:
    path = file or settings.kek_path
    lines = [f"{Keyring.from_file(path).key_id}  {path}"]
    if _log_exists(settings):
        store = open_event_store(settings.event_store_uri, EventCodec(UPCASTERS))
        try:
            record = await read_kek_record(store)
        finally:
            await store.close()
        if record.rotating:
            lines.append(f"the log: rotation from {record.rotating[0]} to {record.rotating[1]} unfinished")
        elif record.key_id:
            lines.append(f"{record.key_id}  recorded in the log")
        else:
            lines.append("the log records no key yet (recorded at the next start)")
    return "\n".join(lines)


def _log_exists(settings: Settings) -> bool:
    path = sqlite_path(settings.event_store_uri)
    return path is None or path.exists()  # a KurrentDB log is assumed to exist


# --- backup --------------------------------------------------------------------------------------
def sqlite_path(uri: str) -> Path | None:
    """The database file of a sqlite:// event-store URI (as open_event_store reads it); None otherwise."""
    if uri.partition("://")[0].lower() != "sqlite":
        return None
    parts = urlsplit(uri)
    path = parts.netloc + parts.path
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    return Path(path)


def backup(settings: Settings, to: Path, *, with_keys: bool = True) -> dict[str, Any]:
    """Copy the SQLite log with SQLite's online backup API (one consistent snapshot, also while iamd
    writes), and the keys, into the new directory `to`, laid out as a data directory: restoring is
    starting iamd with `--data-dir to`. Every file is created owner-only."""
    source = sqlite_path(settings.event_store_uri)
    if source is None:
        raise AdminError("backup copies a SQLite log; a KurrentDB log is backed up with KurrentDB's own tools "
                         "(copy the key files alongside)")
    if not source.is_file():
        raise AdminError(f"no log at `{source}`")
    if to.exists() and any(to.iterdir()):
        raise AdminError(f"`{to}` exists and is not empty: back up into a new directory")
    to.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(to, 0o700)
    # The keys first: what sits beside them and follows the log (the audit digest witness, naming
    # the newest digest written) must not be newer than the log's copy, or the copy would look
    # truncated.
    keys = _copy_keys(settings, to / "keys") if with_keys else []
    target = to / "events.db"
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600))
    src = sqlite3.connect(source, timeout=30)  # read/write: a read-only one cannot always read a WAL log
    src.execute("PRAGMA query_only = ON")
    dst = sqlite3.connect(target, isolation_level=None)
    try:
        src.backup(dst)  # pages=-1: all in one step, under one read transaction of the source
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file (iamd turns WAL on again)
        check = dst.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise AdminError(f"the copy failed SQLite's check: {check}")
        head, count = dst.execute("SELECT COALESCE(MAX(position), 0), COUNT(*) FROM events").fetchone()
    finally:
        src.close()
        dst.close()
    os.chmod(target, 0o600)
    manifest: dict[str, Any] = {
        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "source": str(source),
        "events": count, "head_position": head, "kek_fingerprint": _recorded_kek(target), "keys": keys,
    }
    _write_private(to / "BACKUP.json", json.dumps(manifest, indent=2).encode() + b"\n")
    manifest["to"] = str(to)
    return manifest


def _recorded_kek(database: Path) -> str:
    connection = sqlite3.connect(f"file:{quote(str(database))}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT type, data FROM events WHERE stream = 'iamd-deployment' "
                                  "ORDER BY version").fetchall()
    finally:
        connection.close()
    recorded = ""
    for type_name, data in rows:
        if type_name == "KeyEncryptionKeyRecorded":
            recorded = str(json.loads(data)["key_id"])
    return recorded


def _copy_keys(settings: Settings, keys: Path) -> list[str]:
    """The data directory's keys/ (regular files only), and the KEK and digest key wherever they
    are, under their default names; the copies are owner-only."""
    keys.mkdir(mode=0o700)
    copied: dict[str, Path] = {}
    default_dir = settings.data_dir / "keys"
    if default_dir.is_dir():
        for entry in sorted(default_dir.iterdir()):
            if entry.is_file() and not entry.is_symlink() and not entry.name.startswith("."):
                copied[entry.name] = entry
    for name, path in (("kek", settings.kek_path), ("audit-digest.pem", settings.digest_key_path)):
        if path.is_file():
            copied[name] = path
    if "kek" not in copied:
        raise AdminError(f"the key-encryption key `{settings.kek_path}` does not exist; without it the copy "
                         f"cannot be used (--no-keys to copy the log alone)")
    for name, path in copied.items():
        _write_private(keys / name, path.read_bytes())
    return sorted(copied)


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())

