"""Tamper evidence in the manner of CloudTrail's digest files (REFERENCE.md B4), stricter.

A digest covers a range of log positions (previous digest's end, its own end]: it lists the
SHA-256 of every audit record in that range (the stored record, hashed as opaque canonical
JSON), carries the previous digest's hash and signature, the time it was cut, the cadence it
was written at, and is signed with Ed25519 by a key kept outside the event store.

Validation (`validate`) trusts only the keys it is given (an auditor's pinned public key, or the
server's own key when nothing is pinned) plus the keys those vouched for in the chain (a
rotation digest carries the new key and the old key's signature over it). It names:

- records modified, deleted or inserted inside a digest's range (an unlisted record at a
  position a digest covers is an insert, whatever its time);
- records backdated: after a digest's range but dated before that digest was cut;
- digests altered, signed by an untrusted key, or missing (a broken link, a first digest that
  names a predecessor, a gap in the chain's times beyond the cadence, a newest digest older than
  one interval, a digest the service wrote that is no longer in the chain: a truncated tail);
- records past the last digest older than one interval (overdue: not covered at the cadence).
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

DIGEST_STREAM = "auditdigest-chain"  # not under "audit-": digests are not records
DIGEST_TYPE = "AuditDigest"
SIGNATURE_ALGORITHM = "Ed25519"
ENDORSEMENT_PURPOSE = "iamd-audit-digest-key-rotation"

# Why a digest was written. After a `final` (service stopped) or an offline `rotate` digest the
# next one may come any time later: the service was not running, so no digest was due.
REASON_START, REASON_CADENCE, REASON_REQUEST, REASON_FINAL, REASON_ROTATE = (
    "start", "cadence", "request", "final", "rotate")
# Audit retention's statement (service/audit/retention.py): written by the running service, or
# offline by `iamd archive-audit`, after which (like a rotation) no digest is due until a start.
REASON_ARCHIVE, REASON_ARCHIVE_OFFLINE = "archive", "archive-offline"
STOPPED_AFTER = (REASON_FINAL, REASON_ROTATE, REASON_ARCHIVE_OFFLINE)

# How long the digester waits, after cutting a digest's time, before it reads the log: a call
# stamped before the cut has its record committed by then, so every genuine record dated before
# a digest's end time lies inside that digest's range (and the validator needs no time margin).
SETTLE_SECONDS = 1.0
# The event ids of the records in a digest's range that were rebuilt after a crash (they carry an
# addendum) and whose calls' events the log holds: the digester checked, the signature vouches.
REBUILT_RECORDS = "rebuiltRecords"
MAX_PROBLEM_LINES = 200


def cadence_margin(interval: float) -> float:
    """Slack on the digest cadence (scheduling, a slow write): half an interval, 1 s to 5 min."""
    return min(300.0, max(1.0, interval / 2))


def canonical(data: Mapping[str, Any]) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)


def record_hash(record: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(record)).hexdigest()


def fingerprint_of(public_pem: str) -> str:
    return hashlib.sha256(public_pem.encode()).hexdigest()[:32]


def public_key_path(private_path: Path) -> Path:
    """`keys/audit-digest.pem` -> `keys/audit-digest.pub.pem`: what an auditor copies and pins."""
    return private_path.with_name(private_path.name.removesuffix(".pem") + ".pub.pem")


def _write_private(path: Path, data: bytes, mode: int = 0o600) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


class SigningKey:
    """The Ed25519 key that signs digests, in a file of its own (mode 0600), never in the log."""

    def __init__(self, private: Ed25519PrivateKey, *, created: bool = False) -> None:
        self._private = private
        self.created = created
        self.public_pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        self.fingerprint = fingerprint_of(self.public_pem)

    def __repr__(self) -> str:
        return f"SigningKey(fingerprint={self.fingerprint!r})"

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate(), created=True)

    @classmethod
    def load(cls, path: Path) -> SigningKey:
        return cls(serialization.load_pem_private_key(path.read_bytes(), password=None))  # type: ignore[arg-type]

    @classmethod
    def load_or_create(cls, path: Path) -> SigningKey:
        if path.exists():
            return cls.load(path)
        key = cls.generate()
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            _write_private(path, key.private_pem())
        except FileExistsError:  # another replica sharing the file created it first
            return cls.load(path)
        key.write_public(public_key_path(path))
        return key

    def private_pem(self) -> bytes:
        return self._private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption())

    def write_public(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(self.public_pem)
        os.replace(tmp, path)

    def sign(self, digest: Mapping[str, Any]) -> str:
        return self._private.sign(canonical(digest)).hex()

    def endorse(self, new_public_pem: str, previous_digest_id: str | None) -> str:
        """This (old) key's signature over its successor, bound to the chain position."""
        return self.sign(endorsement_message(new_public_pem, previous_digest_id))


def endorsement_message(new_public_pem: str, previous_digest_id: str | None) -> dict[str, Any]:
    return {"purpose": ENDORSEMENT_PURPOSE, "newPublicKey": new_public_pem, "previousDigestId": previous_digest_id}


def verify(public_pem: str, digest: Mapping[str, Any], signature_hex: str) -> bool:
    try:
        key = serialization.load_pem_public_key(public_pem.encode())
    except (ValueError, TypeError):
        return False
    if not isinstance(key, Ed25519PublicKey):
        return False
    try:
        key.verify(bytes.fromhex(signature_hex), canonical(digest))
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False


@dataclass(frozen=True)
class AuditEntry:
    """One audit record as read from the log (position 0: unknown, as in an export)."""

    position: int
    event_id: str
    event_time: str
    data: Mapping[str, Any]

    @classmethod
    def of(cls, position: int, data: Mapping[str, Any], fallback_id: str = "") -> AuditEntry:
        return cls(position, str(data.get("eventID", fallback_id)), str(data.get("eventTime", "")), data)


def build_digest(*, digest_id: str, created_at: str, start_position: int, end_position: int,
                 records: Sequence[AuditEntry], previous: Mapping[str, Any] | None,
                 key: SigningKey, start_time: str = "", interval: float = 0.0, reason: str = REASON_CADENCE,
                 previous_key: SigningKey | None = None, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The digest of the records with positions in (start_position, end_position], cut at `created_at`.

    `previous_key`: this digest rotates the signing key from `previous_key` to `key`; the old key
    endorses the new one so that a validator trusting the old key trusts the new one.
    """
    previous_digest = previous["digest"] if previous else None
    times = [r.event_time for r in records]
    digest: dict[str, Any] = {
        "digestId": digest_id,
        "digestCreatedAt": created_at,
        "digestStartTime": start_time or (previous_digest or {}).get("digestEndTime") or created_at,
        "digestEndTime": created_at,
        "digestIntervalSeconds": interval,
        "digestReason": reason,
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
        "digestPublicKeyFingerprint": key.fingerprint,
        "digestPublicKey": key.public_pem,
        "digestSignatureAlgorithm": SIGNATURE_ALGORITHM,
    }
    if previous_key is not None:
        digest["previousDigestPublicKey"] = previous_key.public_pem
        digest["digestPublicKeyEndorsement"] = previous_key.endorse(key.public_pem, digest["previousDigestId"])
    if extra:
        digest.update(extra)
    return digest


@dataclass
class ValidationReport:
    valid_digests: int = 0
    valid_records: int = 0
    modified: list[str] = field(default_factory=list)  # event ids
    deleted: list[str] = field(default_factory=list)
    inserted: list[str] = field(default_factory=list)  # includes the backdated ones
    backdated: list[str] = field(default_factory=list)  # dated before a digest that does not cover them
    overdue: list[str] = field(default_factory=list)  # past the last digest, older than one interval
    late: list[str] = field(default_factory=list)  # rebuilt after a crash (addendum): named, not failed
    digests_invalid: list[str] = field(default_factory=list)  # digest ids: bad signature, untrusted key, tampered
    digests_missing: list[str] = field(default_factory=list)  # ids named by a successor or the service, not found
    problems: list[str] = field(default_factory=list)  # one sentence per problem found
    notes: list[str] = field(default_factory=list)  # what an auditor should know but is not a problem
    valid_ranges: list[tuple[str, str]] = field(default_factory=list)  # (oldest, newest) event times
    uncovered: int = 0  # records newer than the last digest, within the cadence: not yet validatable
    no_digest: bool = False
    newest_digest_time: str = ""
    interval: float = 0.0
    trusted_fingerprints: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.no_digest or self.problems or self.modified or self.deleted or self.inserted
                    or self.backdated or self.overdue or self.digests_invalid or self.digests_missing)

    @property
    def status(self) -> str:
        return "NO_DIGEST" if self.no_digest else "VALID" if self.ok else "INVALID"


def _parse(t: str) -> datetime:
    """A time as records and digests write it; anything unreadable counts as the earliest time."""
    try:
        moment = datetime.fromisoformat(str(t).replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _before(a: str, b: str) -> bool:
    return _parse(a) < _parse(b)


def _seconds_between(earlier: str, later: str) -> float:
    return (_parse(later) - _parse(earlier)).total_seconds()


def _end_time(digest: Mapping[str, Any]) -> str:
    return str(digest.get("digestEndTime") or digest.get("digestCreatedAt") or "")


def _is_digest(entry: Any) -> bool:
    digest = entry.get("digest") if isinstance(entry, Mapping) else None
    return isinstance(digest, Mapping) and isinstance(digest.get("digestId"), str) and \
        isinstance(digest.get("records"), list) and isinstance(entry.get("signature"), str)


def _key_of(digest: Mapping[str, Any]) -> str:
    """The public key a digest says signed it, if it carries one that matches its fingerprint."""
    pem = digest.get("digestPublicKey")
    return pem if isinstance(pem, str) and fingerprint_of(pem) == digest.get("digestPublicKeyFingerprint") else ""


def _endorsed(digest: Mapping[str, Any]) -> tuple[str, str] | None:
    """(old key, new key) when this digest is a well-formed rotation the old key signed off."""
    old, new, endorsement = digest.get("previousDigestPublicKey"), _key_of(digest), digest.get("digestPublicKeyEndorsement")
    if not (isinstance(old, str) and new and isinstance(endorsement, str)):
        return None
    if not verify(old, endorsement_message(new, digest.get("previousDigestId")), endorsement):
        return None
    return old, new


def trusted_keys(digests: Sequence[Mapping[str, Any]], anchors: Iterable[str]) -> dict[str, str]:
    """Fingerprint -> public key of every key the anchors vouch for through the chain's rotations.

    Forward: a rotation endorsed by a trusted key makes the new key trusted. Backward: a rotation
    digest signed by a trusted key names (and carries the endorsement of) the key before it.
    """
    trusted = {fingerprint_of(pem): pem for pem in anchors}
    rotations = []
    for entry in digests:
        pair = _endorsed(entry["digest"])
        if pair is not None and verify(pair[1], entry["digest"], entry["signature"]):
            rotations.append(pair)
    changed = True
    while changed:
        changed = False
        for old, new in rotations:
            for a, b in ((old, new), (new, old)):
                if fingerprint_of(a) in trusted and fingerprint_of(b) not in trusted:
                    trusted[fingerprint_of(b)] = b
                    changed = True
    return trusted


def validate(records: Iterable[AuditEntry], digests: Sequence[Mapping[str, Any]], anchors: Sequence[str], *,
             interval: float = 0.0, now: str = "", start_time: str = "", end_time: str = "",
             complete: bool = True, witness: Mapping[str, Any] | None = None,
             removed: Sequence[int] = (), calls: Collection[tuple[str, str]] | None = None) -> ValidationReport:
    """Check the digest chain and every record against it; name everything that does not hold.

    `anchors`: the public keys (PEM) the validator trusts. `interval`: the cadence digests are
    due at, when the digests do not say (they do). `now`: the time of validation (for an export:
    when it was made); empty skips the checks against the clock. `complete`: the chain from its
    first digest, as the log holds it (False for an export of a time range, whose first digest's
    predecessor is outside it; records then may carry no positions and are matched by event id).
    `witness`: the newest digest the service remembers writing (a truncated tail if absent).
    `removed`: positions the service saw a record committed at, after the last digest, that hold
    none now. `start_time`/`end_time` narrow which records are reported, not which digests are checked.
    `calls`: (request id, time) of the calls whose events the log holds, which a record rebuilt after
    a crash must name; None when the validator cannot see them (an export): its addendum is trusted.
    """
    report = ValidationReport()
    records = list(records)
    by_position = {r.position: r for r in records if r.position}
    by_id = {r.event_id: r for r in records}
    positions_known = len(by_position) == len(records)
    entries = [e for e in digests if _is_digest(e)]
    for e in digests:
        if not _is_digest(e):
            report.digests_invalid.append(str(((e or {}).get("digest") or {}).get("digestId", "?")))
            report.problems.append("a digest is not in digest form")
    if not complete:
        entries.sort(key=lambda e: (int(e["digest"].get("digestEndPosition") or 0), _end_time(e["digest"])))
    trusted = trusted_keys(entries, anchors)
    report.trusted_fingerprints = sorted(trusted)
    intervals = [float(e["digest"].get("digestIntervalSeconds") or 0) for e in entries]
    report.interval = max([i for i in intervals if i > 0] or [interval])

    def in_window(record: AuditEntry) -> bool:
        return (not start_time or record.event_time >= start_time) and (not end_time or record.event_time <= end_time)

    requests = Counter(str(r.data.get("requestID", "")) for r in records) if calls is not None else Counter()
    unvouched: set[str] = set()  # rebuilt records a verified digest covered without vouching for them

    def addendum(record: AuditEntry) -> bool:
        extra = record.data.get("addendum")
        if not (isinstance(extra, Mapping) and bool(extra.get("reason"))):
            return False
        if calls is None:  # the digest that covers it checked its call (REBUILT_RECORDS) and signed that
            return record.event_id not in unvouched
        # Anyone who can write the store can add an addendum: a rebuilt record is genuine only for a
        # call whose events the log holds, dated as they are, and that has no other record.
        request_id = str(record.data.get("requestID", ""))
        return (request_id, record.event_time) in calls and requests[request_id] == 1

    def out_of_order(record: AuditEntry, cut: str, where: str) -> None:
        """A record dated before a digest was cut but not in that digest's range."""
        if addendum(record):
            report.late.append(record.event_id)
            report.notes.append(f"record {record.event_id} ({record.event_time}) was written after the digest "
                                f"cut at {cut}, marked as rebuilt ({record.data['addendum'].get('reason')})")
            return
        if record.event_id not in report.inserted:
            report.inserted.append(record.event_id)
        report.backdated.append(record.event_id)
        report.problems.append(f"record {record.event_id} is dated {record.event_time}, before the digest cut at "
                               f"{cut}, but {where}: inserted backdated")

    if not entries:
        report.no_digest = True
        report.uncovered = len(records)
        report.problems.append("no digest yet: nothing is covered" + (f" ({len(records)} records)" if records else ""))
        if witness and witness.get("digestId"):
            report.digests_missing.append(str(witness["digestId"]))
            report.problems.append(f"the service wrote digest {witness['digestId']} ({witness.get('digestEndTime')}) "
                                   "and the chain holds none: it was removed")
        return report

    ids = {e["digest"]["digestId"] for e in entries}
    # Audit retention's statements, from digests that verify: the chain before `lastRemovedDigestId`
    # was archived, and the records up to `lastRemovedDigestEndPosition` with it.
    archived: dict[str, Mapping[str, Any]] = {}
    for e in entries:
        statement = e["digest"].get("archived")
        pem = trusted.get(str(e["digest"].get("digestPublicKeyFingerprint")), "")
        if isinstance(statement, Mapping) and statement.get("lastRemovedDigestId") and pem \
                and verify(pem, e["digest"], e["signature"]):
            archived[str(statement["lastRemovedDigestId"])] = statement
    archived_through = 0  # records at or before it lie in an archive (a copy may still be in the log)
    still_held = 0
    covered_ids: set[str] = set()
    covered_positions: set[int] = set()
    unproven: list[tuple[int, int]] = []  # position ranges of digests that do not verify
    previous: Mapping[str, Any] | None = None  # the previous entry, if it verified
    prior: Mapping[str, Any] | None = None  # the previous entry, verified or not
    margin = cadence_margin(report.interval)
    for index, entry in enumerate(entries):
        digest, signature = entry["digest"], entry["signature"]
        digest_id = digest["digestId"]
        fp = digest.get("digestPublicKeyFingerprint")
        pem = _key_of(digest) or trusted.get(str(fp), "")
        every = float(digest.get("digestIntervalSeconds") or report.interval)
        if not pem or not verify(pem, digest, signature) or fp not in trusted:
            report.digests_invalid.append(digest_id)
            report.problems.append(f"digest {digest_id}: signature verification failed" if not pem or not verify(
                pem, digest, signature) else f"digest {digest_id} is signed by key {fp}, which the trusted keys "
                f"({', '.join(sorted(trusted)) or 'none'}) do not vouch for")
            # Its records are unproven, not inserted: the digest is the problem named.
            unproven.append((int(digest.get("digestStartPosition") or 0), int(digest.get("digestEndPosition") or 0)))
            covered_ids.update(str(item.get("eventID")) for item in digest["records"] if isinstance(item, Mapping))
            previous, prior = None, entry  # the chain cannot vouch past an altered digest
            continue
        prev_id = digest.get("previousDigestId")
        if prior is None:
            statement = archived.get(str(prev_id)) if prev_id else None
            if statement is not None and statement.get("lastRemovedDigestHashValue") == \
                    digest.get("previousDigestHashValue"):
                archived_through = int(statement.get("lastRemovedDigestEndPosition") or 0)
                if complete:
                    report.notes.append(f"the chain before digest {digest_id} was archived on "
                                        f"{statement.get('archivedAt')} ({statement.get('removedDigestCount')} "
                                        f"digests, up to {prev_id}; records before {statement.get('cutoff')}) to "
                                        f"{statement.get('location')} (manifest SHA-256 {statement.get('sha256')}): "
                                        "validate that archive with --export")
            elif prev_id and complete:
                report.digests_missing.append(prev_id)
                report.problems.append(f"digest {digest_id} names a previous digest {prev_id} that is not in the "
                                       "chain: the chain's beginning was removed")
        elif prev_id != prior["digest"]["digestId"]:
            if prev_id and prev_id not in ids:
                report.digests_missing.append(prev_id)
                report.problems.append(f"digest {prev_id}, the predecessor of {digest_id}, is missing")
            elif not prev_id:
                report.digests_invalid.append(digest_id)
                report.problems.append(f"digest {digest_id} starts a new chain after digest "
                                       f"{prior['digest']['digestId']}")
            else:
                report.digests_invalid.append(digest_id)
                report.problems.append(f"digest {digest_id} is out of order")
        elif previous is not None:
            prev_digest = previous["digest"]
            expected = hashlib.sha256(canonical(prev_digest)).hexdigest()
            if digest.get("previousDigestHashValue") != expected or digest.get("previousDigestSignature") != previous["signature"]:
                report.digests_invalid.append(str(prev_id))
                report.problems.append(f"digest {prev_id} does not match what its successor {digest_id} recorded")
            if digest.get("digestStartPosition") != prev_digest.get("digestEndPosition"):
                report.problems.append(f"digest {digest_id} starts at position {digest.get('digestStartPosition')}, "
                                       f"its predecessor ended at {prev_digest.get('digestEndPosition')}")
            if prev_digest.get("digestPublicKeyFingerprint") != fp:
                pair = _endorsed(digest)
                if pair is None or fingerprint_of(pair[0]) != prev_digest.get("digestPublicKeyFingerprint"):
                    report.digests_invalid.append(digest_id)
                    report.problems.append(f"digest {digest_id} changes the signing key from "
                                           f"{prev_digest.get('digestPublicKeyFingerprint')} to {fp} without the "
                                           "old key's endorsement")
            gap = _seconds_between(_end_time(prev_digest), _end_time(digest))
            legacy = "digestReason" not in prev_digest  # written before digests said why: no cadence to hold
            if gap > every + margin and prev_digest.get("digestReason") not in STOPPED_AFTER and not legacy:
                report.digests_missing.append(f"{_end_time(prev_digest)}/{_end_time(digest)}")
                report.problems.append(f"no digest between {_end_time(prev_digest)} and {_end_time(digest)} "
                                       f"({gap:.0f} s; one is due every {every:g} s): digests are missing")
            elif gap > every + margin:
                report.notes.append(f"the service was stopped between {_end_time(prev_digest)} and "
                                    f"{_end_time(digest)}")
        if prior is not None and prior["digest"].get("digestReason") not in STOPPED_AFTER \
                and digest.get("digestReason") == REASON_START:
            report.notes.append(f"the service started at {_end_time(digest)} without a final digest from its "
                                f"previous run (last digest {_end_time(prior['digest'])}): it stopped abruptly")
        gone = digest.get("removedBeforeDigest")
        if isinstance(gone, list) and gone:
            report.deleted += [f"position:{p}" for p in gone]
            report.problems.append(f"digest {digest_id} found {len(gone)} records removed before it was cut "
                                   f"(positions {', '.join(map(str, gone[:10]))}{', ...' if len(gone) > 10 else ''})")
        truncation = digest.get("truncationDetected")
        if isinstance(truncation, Mapping):
            report.digests_missing.append(str(truncation.get("digestId")))
            report.problems.append(f"at {_end_time(digest)} the service found that digest {truncation.get('digestId')} "
                                   f"it had written ({truncation.get('digestEndTime')}, up to position "
                                   f"{truncation.get('digestEndPosition')}) was no longer in the chain: "
                                   "the tail was truncated")
        previous = prior = entry

        low, high = int(digest.get("digestStartPosition") or 0), int(digest.get("digestEndPosition") or 0)
        listed = digest["records"]
        listed_ids = {item["eventID"] for item in listed}
        if isinstance(digest.get(REBUILT_RECORDS), list):  # (older digests say nothing of them)
            unvouched.update(listed_ids - set(map(str, digest[REBUILT_RECORDS])))
        # A digest cut before its read (every digest that says why it was written) has every
        # record dated before its end inside its range; older ones were cut after the read.
        before = entries[index - 1]["digest"] if index > 0 else {}
        cut_before = _end_time(before) if "digestReason" in before else ""
        for item in listed:
            found = by_position.get(item["position"]) if positions_known else by_id.get(item["eventID"])
            if found is None or found.event_id != item["eventID"]:
                report.deleted.append(item["eventID"])
                report.problems.append(f"record {item['eventID']} (position {item['position']}), listed by digest "
                                       f"{digest_id}, is missing")
                if found is not None:
                    covered_positions.add(found.position)
                    covered_ids.add(found.event_id)
                    if found.event_id not in report.inserted:
                        report.inserted.append(found.event_id)
                        report.problems.append(f"record {found.event_id} takes the place of {item['eventID']}")
                continue
            covered_positions.add(found.position)
            covered_ids.add(found.event_id)
            if record_hash(found.data) != item["hashValue"]:
                report.modified.append(item["eventID"])
                report.problems.append(f"record {item['eventID']} was modified after digest {digest_id}")
            elif cut_before and _before(found.event_time, cut_before):
                out_of_order(found, cut_before, f"digest {digest_id} covers it, not the one cut then")
            elif in_window(found):
                report.valid_records += 1
        if positions_known:
            for position in sorted(p for p in by_position if low < p <= high):
                record = by_position[position]
                if record.event_id in listed_ids:
                    continue
                covered_positions.add(position)
                covered_ids.add(record.event_id)
                report.inserted.append(record.event_id)
                report.problems.append(f"record {record.event_id} at position {position} lies inside digest "
                                       f"{digest_id}'s range ({low}, {high}] but is not listed: inserted")
        report.valid_digests += 1
        if digest.get("newestEventTime"):
            report.valid_ranges.append((digest["oldestEventTime"], digest["newestEventTime"]))

    newest = entries[-1]["digest"]
    newest_end = _end_time(newest)
    newest_high = int(newest.get("digestEndPosition") or 0)
    report.newest_digest_time = newest_end
    if witness and witness.get("digestId") and witness["digestId"] not in ids:
        report.digests_missing.append(str(witness["digestId"]))
        report.problems.append(f"the service wrote digest {witness['digestId']} ({witness.get('digestEndTime')}, up "
                               f"to position {witness.get('digestEndPosition')}) and it is not in the chain: "
                               "the tail was truncated")
    if removed:
        report.deleted += [f"position:{p}" for p in removed]
        report.problems.append(f"{len(removed)} records written after the last digest were removed "
                               f"(positions {', '.join(map(str, list(removed)[:10]))}"
                               f"{', ...' if len(removed) > 10 else ''})")
    tail: list[AuditEntry] = []
    orphans: list[str] = []
    for record in records:
        if record.event_id in covered_ids or (positions_known and record.position in covered_positions):
            continue
        if positions_known and any(low < record.position <= high for low, high in unproven):
            continue
        if positions_known and record.position <= archived_through:
            still_held += 1  # archived with the digests that covered it; the log still holds it
            continue
        if positions_known and record.position <= newest_high:
            orphans.append(record.event_id)  # in no digest's range: the digest that covered it is gone
            continue
        if _before(record.event_time, newest_end):
            out_of_order(record, newest_end, "no digest covers it")
            continue
        tail.append(record)
    if still_held:
        report.notes.append(f"{still_held} records before position {archived_through} were archived with the "
                            "digests covering them and are still in the log (an hour a kept digest lists too, or "
                            "a store that reclaims space later): the archive proves them")
    every = float(newest.get("digestIntervalSeconds") or report.interval)
    overdue = []
    for record in tail:
        if now and _seconds_between(record.event_time, now) > every + margin:
            overdue.append(record.event_id)
        else:
            report.uncovered += 1
    if overdue:
        report.problems.append(f"{len(overdue)} records written after the last digest ({newest_end}) are older "
                               f"than one interval ({every:g} s) and no digest covers them")
    if orphans and complete:
        report.problems.append(f"{len(orphans)} records lie in no digest's range (up to position {newest_high}): "
                               "the digests that covered them are missing")
        overdue = orphans + overdue
    report.overdue = overdue
    if now and _seconds_between(newest_end, now) > every + margin and (tail or newest.get("digestReason") not in STOPPED_AFTER):
        report.digests_missing.append(f"{newest_end}/{now}")
        report.problems.append(f"the newest digest was cut at {newest_end}, more than one interval ({every:g} s) "
                               f"before {now}: the digests since are missing")
    if len(report.problems) > MAX_PROBLEM_LINES:  # the id lists stay whole
        more = len(report.problems) - MAX_PROBLEM_LINES
        report.problems[MAX_PROBLEM_LINES:] = [f"... and {more} more problems of the kinds above (every id is listed)"]
    return report
