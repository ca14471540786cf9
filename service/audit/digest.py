"""Tamper evidence in the manner of CloudTrail's digest files (REFERENCE.md B4).

A digest lists the SHA-256 of every audit record written since the previous digest (by log
position), carries the previous digest's hash and signature, and is signed with Ed25519 by a
key kept outside the event store. Validation walks the chain and reports each record that was
modified, deleted or inserted, and each digest that was altered or removed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

DIGEST_STREAM = "auditdigest-chain"  # not under "audit-": digests are not records
DIGEST_TYPE = "AuditDigest"
SIGNATURE_ALGORITHM = "Ed25519"
# An uncovered record whose time is this much older than the last digest was slipped in backdated:
# every genuine record is committed within seconds of its eventTime, so the next digest covers it.
BACKDATE_MARGIN_SECONDS = 60


def canonical(data: Mapping[str, Any]) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)


def record_hash(record: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(record)).hexdigest()


class SigningKey:
    """The Ed25519 key that signs digests, in a file of its own (mode 0600), never in the log."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public_pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        self.fingerprint = hashlib.sha256(self.public_pem.encode()).hexdigest()[:32]

    def __repr__(self) -> str:
        return f"SigningKey(fingerprint={self.fingerprint!r})"

    @classmethod
    def load_or_create(cls, path: Path) -> SigningKey:
        if path.exists():
            return cls(serialization.load_pem_private_key(path.read_bytes(), password=None))  # type: ignore[arg-type]
        private = Ed25519PrivateKey.generate()
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another replica sharing the file created it first
            return cls.load_or_create(path)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
            f.flush()
            os.fsync(f.fileno())
        return cls(private)

    def sign(self, digest: Mapping[str, Any]) -> str:
        return self._private.sign(canonical(digest)).hex()


def verify(public_pem: str, digest: Mapping[str, Any], signature_hex: str) -> bool:
    key = serialization.load_pem_public_key(public_pem.encode())
    assert isinstance(key, Ed25519PublicKey)
    try:
        key.verify(bytes.fromhex(signature_hex), canonical(digest))
        return True
    except (InvalidSignature, ValueError):
        return False


@dataclass(frozen=True)
class AuditEntry:
    """One audit record as read from the log."""

    position: int
    event_id: str
    event_time: str
    data: Mapping[str, Any]


def build_digest(*, digest_id: str, created_at: str, start_position: int, end_position: int,
                 records: Sequence[AuditEntry], previous: Mapping[str, Any] | None,
                 fingerprint: str) -> dict[str, Any]:
    """The digest of the records with positions in (start_position, end_position]."""
    previous_digest = previous["digest"] if previous else None
    times = [r.event_time for r in records]
    return {
        "digestId": digest_id,
        "digestCreatedAt": created_at,
        "digestStartPosition": start_position,
        "digestEndPosition": end_position,
        "oldestEventTime": min(times) if times else None,
        "newestEventTime": max(times) if times else None,
        "records": [{"eventID": r.event_id, "position": r.position, "hashValue": record_hash(r.data)}
                    for r in records],
        "hashAlgorithm": "SHA-256",
        "previousDigestId": previous_digest["digestId"] if previous_digest else None,
        "previousDigestHashValue": hashlib.sha256(canonical(previous_digest)).hexdigest() if previous_digest else None,
        "previousDigestSignature": previous["signature"] if previous else None,
        "digestPublicKeyFingerprint": fingerprint,
        "digestSignatureAlgorithm": SIGNATURE_ALGORITHM,
    }


@dataclass
class ValidationReport:
    valid_digests: int = 0
    valid_records: int = 0
    modified: list[str] = field(default_factory=list)  # event ids
    deleted: list[str] = field(default_factory=list)
    inserted: list[str] = field(default_factory=list)
    digests_invalid: list[str] = field(default_factory=list)  # digest ids: bad signature or tampered
    digests_missing: list[str] = field(default_factory=list)  # ids named by a successor, not found
    valid_ranges: list[tuple[str, str]] = field(default_factory=list)  # (oldest, newest) event times
    uncovered: int = 0  # records newer than the last digest: not yet validatable

    @property
    def ok(self) -> bool:
        return not (self.modified or self.deleted or self.inserted or self.digests_invalid or self.digests_missing)


def validate(records: Iterable[AuditEntry], digests: Sequence[Mapping[str, Any]], public_pem: str, *,
             start_time: str = "", end_time: str = "") -> ValidationReport:
    """Check the digest chain and every record it covers; name what was tampered with."""
    report = ValidationReport()
    by_position = {r.position: r for r in records}
    covered: set[int] = set()
    known_ids = {d["digest"]["digestId"] for d in digests if isinstance(d.get("digest"), Mapping)}
    previous: Mapping[str, Any] | None = None
    last_covered_time = ""
    for entry in digests:
        digest, signature = entry.get("digest"), entry.get("signature", "")
        if not isinstance(digest, Mapping) or not verify(public_pem, digest, signature):
            report.digests_invalid.append(str((digest or {}).get("digestId", "?")))
            previous = None  # the chain cannot vouch past an altered digest
            continue
        prev_id = digest.get("previousDigestId")
        if prev_id and prev_id not in known_ids:
            report.digests_missing.append(prev_id)
        elif previous is not None and prev_id == previous["digest"]["digestId"]:
            expected = hashlib.sha256(canonical(previous["digest"])).hexdigest()
            if digest["previousDigestHashValue"] != expected or digest["previousDigestSignature"] != previous["signature"]:
                report.digests_invalid.append(str(prev_id))
        previous = entry
        in_window = (not start_time or (digest["newestEventTime"] or "") >= start_time) and \
            (not end_time or (digest["oldestEventTime"] or "9") <= end_time)
        listed = {r["position"]: r for r in digest["records"]}
        low, high = digest["digestStartPosition"], digest["digestEndPosition"]
        for position, item in listed.items():
            covered.add(position)
            found = by_position.get(position)
            if found is None or found.event_id != item["eventID"]:
                if in_window:
                    report.deleted.append(item["eventID"])
                if found is not None and in_window:
                    report.inserted.append(found.event_id)
                    covered.add(position)
            elif record_hash(found.data) != item["hashValue"]:
                if in_window:
                    report.modified.append(item["eventID"])
            elif in_window:
                report.valid_records += 1
        for position in (p for p in by_position if low < p <= high and p not in listed):
            covered.add(position)
            if in_window:
                report.inserted.append(by_position[position].event_id)
        report.valid_digests += 1
        last_covered_time = max(last_covered_time, digest["digestCreatedAt"])
        if digest["newestEventTime"]:
            report.valid_ranges.append((digest["oldestEventTime"], digest["newestEventTime"]))
    for position, record in by_position.items():
        if position in covered:
            continue
        # Uncovered records are either newer than the last digest, or were slipped in backdated.
        if last_covered_time and _seconds_between(record.event_time, last_covered_time) > BACKDATE_MARGIN_SECONDS:
            report.inserted.append(record.event_id)
        else:
            report.uncovered += 1
    return report


def _seconds_between(earlier: str, later: str) -> float:
    from datetime import datetime

    def parse(t: str) -> datetime:
        return datetime.fromisoformat(t.replace("Z", "+00:00"))

    return (parse(later) - parse(earlier)).total_seconds()
