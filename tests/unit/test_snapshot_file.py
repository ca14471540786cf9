"""projections/runner.py SnapshotFile: a snapshot comes back exactly, or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

from iamd.projections.runner import SnapshotFile

SNAPSHOT = {"format": 1, "position": 42, "events_applied": 40,
            "accounts": [{"account_id": "123456789012", "users": {"alice": {"tags": {"team": "red"}, "n": None}}}],
            "organization_events": {"o-1": [("AccountCreated", "2026-12-05T00:00:00Z", 1.5)]}}


def test_a_snapshot_round_trips_exactly_and_owner_only(tmp_path: Path) -> None:
    file = SnapshotFile(tmp_path / "snapshots" / "identity.snapshot", log_id="log-1")
    file.save(SNAPSHOT)
    assert file.load() == {**SNAPSHOT, "log_id": "log-1"}
    assert os.stat(file.path).st_mode & 0o777 == 0o600
    assert not list(file.path.parent.glob("*.tmp"))


def test_a_missing_snapshot_is_none(tmp_path: Path) -> None:
    assert SnapshotFile(tmp_path / "none.snapshot").load() is None


def test_a_snapshot_of_another_log_is_not_loaded(tmp_path: Path) -> None:
    path = tmp_path / "identity.snapshot"
    SnapshotFile(path, log_id="log-1").save(SNAPSHOT)
    assert SnapshotFile(path, log_id="log-2").load() is None


@pytest.mark.parametrize("damage", ["flip a byte", "truncate", "other python", "json of an older iamd", "empty"])
def test_a_damaged_or_foreign_snapshot_is_not_loaded(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "identity.snapshot"
    SnapshotFile(path).save(SNAPSHOT)
    data = path.read_bytes()
    header, _, payload = data.partition(b"\n")
    if damage == "flip a byte":
        data = header + b"\n" + payload[:-3] + bytes([payload[-3] ^ 0x40]) + payload[-2:]
    elif damage == "truncate":
        data = data[:-5]
    elif damage == "other python":
        data = header.replace(b"python 3.", b"python 2.") + b"\n" + payload
    elif damage == "json of an older iamd":
        data = orjson.dumps(SNAPSHOT)
    else:
        data = b""
    path.write_bytes(data)
    assert SnapshotFile(path).load() is None


def test_a_load_at_start_removes_what_killed_writers_left(tmp_path: Path) -> None:
    file = SnapshotFile(tmp_path / "identity.snapshot")
    file.save({"position": 3, "events_applied": 3})
    left = [tmp_path / "identity.snapshot.4242.tmp", tmp_path / "identity.tmp"]
    for path in left:
        path.write_bytes(b"half a snapshot")
    assert file.load() == {"position": 3, "events_applied": 3}
    assert not any(path.exists() for path in left)
