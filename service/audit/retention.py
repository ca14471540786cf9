"""Audit retention: whole hours of audit records older than a configured age leave the live log
for an archive that still validates offline, and a signed record says what went where.

CloudTrail's model: log files and the digest files covering them sit in S3 and validate there,
whatever the trail still holds. Here one retention run:

1. **plans** (`plan`): the digests archived are the longest prefix of the chain (never its newest
   digest) whose records all lie in hours before the cut-off (now's hour less the age: never the
   current hour), stopping before an hour with a record no digest covers yet. The hour streams
   removed are those hours no digest kept in the chain lists: a digest straddling two hours keeps
   the earlier one live until the next run (its records are archived, and stay in the log as a
   copy). Reading the records in log order beside the chain, it checks each one against the
   digest whose range holds it (listed, same hash), every digest's signature (a key the
   service's key vouches for) and every link: anything that does not hold refuses the whole run
   (ServiceFailure), nothing archived or removed.
2. **archives** (`write_archive`): every record in the archived digests' ranges, as `iamctl audit
   export` writes them (CloudTrail log files a page at a time, at most 1,000 records or 3 MiB
   each, the digest files, `manifest.json` naming each file with its SHA-256), into a new
   directory, synced, then renamed into place. `iamctl audit validate --export DIR` passes on it.
3. **records** it: an `AuditStreamsArchived` event in the `auditretention-log` stream (not under
   `audit-`: it is not an audit record) and the same statement signed into the next digest
   (`archived`; reason `archive`, or `archive-offline` from `iamd archive-audit`).
4. **removes** the hour streams and the archived digests (`remove_streams`: the chain is cut
   before the first digest kept). That digest names its predecessor, which is in the archive;
   the signed statement names the predecessor and its hash, which is how validation of the live
   trail accepts the gap (and any other gap, or a digest missing, is still a problem). A removal
   interrupted (KurrentDB removes stream by stream) is finished by the next run, which first
   removes again what the newest statement names.

Identity streams are never removed: only names matching `audit-` and ten digits are.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import structlog

from iamd.projections.audit_index import AUDIT_STREAMS
from iamd.service.domain.errors import FieldProblem, InvalidInputError, ServiceFailureError
from iamd.service.eventstore.port import EventStore, NewEvent, StreamState

from .digest import (
    DIGEST_STREAM,
    REASON_ARCHIVE,
    REASON_ARCHIVE_OFFLINE,
    SigningKey,
    canonical,
    record_hash,
    trusted_keys,
    verify,
)
from .writer import partition_stream

log = structlog.get_logger(__name__)

RETENTION_STREAM = "auditretention-log"  # not under "audit-": a statement, not an audit record
ARCHIVED_TYPE = "AuditStreamsArchived"
HOUR_STREAM = re.compile(r"^audit-\d{10}$")
PAGE_RECORDS = 1_000  # records per archived log file, as the export's pages
PAGE_BYTES = 3 * 1024 * 1024
STORED_RECORDS_KEY = "iamdStoredRecords"  # as iamctl audit export writes (clients/iamd/client/cli.py)
MAX_RETENTION_HOURS = 24 * 366 * 100


def hour_floor(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_age(older_than_hours: Any, field_name: str = "olderThanHours") -> int:
    """A retention age in whole hours, at least 1 (the current hour is never archived)."""
    if isinstance(older_than_hours, bool) or not isinstance(older_than_hours, int) \
            or not 1 <= older_than_hours <= MAX_RETENTION_HOURS:
        raise InvalidInputError(f"{field_name} must be a whole number of hours from 1 to {MAX_RETENTION_HOURS}.",
                                problems=[FieldProblem(field_name, f"{older_than_hours!r}: not 1 to "
                                                                   f"{MAX_RETENTION_HOURS} hours")])
    return older_than_hours


@dataclass
class Plan:
    """What one run archives and removes."""

    cutoff: str  # records dated before this hour are eligible
    limit_stream: str  # hour streams named below this are removed (a prefix of the hours)
    digests: list[dict[str, Any]]  # the archived digests (chain entries), oldest first: they leave the chain
    removed_digests: int  # how many: a prefix of the chain
    first_version: int  # chain version of the first archived digest
    start_position: int  # records after this position up to the last archived digest's end are archived
    end_position: int
    streams: list[str] = field(default_factory=list)  # the hour streams removed
    records_removed: int = 0

    @property
    def empty(self) -> bool:
        return not self.digests


def _refuse(message: str) -> ServiceFailureError:
    return ServiceFailureError(f"audit retention refused: {message}; nothing was archived or removed")


async def plan(store: EventStore, key: SigningKey, now: datetime, older_than_hours: int) -> Plan:
    """Decide what to archive, checking every record and digest involved (see the module)."""
    cutoff = hour_floor(now) - timedelta(hours=check_age(older_than_hours))
    limit = partition_stream(iso(cutoff))
    chain = [e for e in await store.read_stream(DIGEST_STREAM)]
    empty = Plan(iso(cutoff), limit, [], 0, chain[0].version if chain else 0, 0, 0)
    if len(chain) < 2:  # the newest digest always stays: nothing before it yet
        return empty
    entries = [dict(e.data) for e in chain]
    trusted = trusted_keys(entries, [key.public_pem])
    for i, entry in enumerate(entries):
        digest = entry.get("digest") or {}
        pem = trusted.get(str(digest.get("digestPublicKeyFingerprint")), "")
        if not pem or not verify(pem, digest, str(entry.get("signature", ""))):
            raise _refuse(f"digest {digest.get('digestId')} does not verify against the service's keys")
        if i and digest.get("previousDigestId") != entries[i - 1]["digest"]["digestId"]:
            raise _refuse(f"digest {digest.get('digestId')} does not follow {entries[i - 1]['digest']['digestId']}")
    newest_end = int(entries[-1]["digest"]["digestEndPosition"])
    start = int(entries[0]["digest"].get("digestStartPosition") or 0)
    # Per digest: the smallest and largest hour stream of the records it lists.
    lowest: list[str | None] = [None] * len(entries)
    highest: list[str | None] = [None] * len(entries)
    index = 0
    listed = _listing(entries[0])
    seen_in_digest = 0
    for_hours: set[str] = set()
    async for batch in store.read_all_batches(after=start or None, filter=AUDIT_STREAMS):
        for event in batch:
            stream = event.stream
            if event.position > newest_end:
                if stream < limit:  # a record of an eligible hour no digest covers yet
                    limit = stream
                continue
            while event.position > int(entries[index]["digest"]["digestEndPosition"]):
                _check_all_found(entries[index], seen_in_digest)
                index += 1
                listed = _listing(entries[index])
                seen_in_digest = 0
            item = listed.get(event.position)
            if item is None or item[0] != str(event.data.get("eventID", event.id)) or \
                    item[1] != record_hash(event.data):
                raise _refuse(f"record {event.data.get('eventID', event.id)} at position {event.position} is not "
                              f"as digest {entries[index]['digest']['digestId']} lists it: validate the trail")
            seen_in_digest += 1
            lowest[index] = min(lowest[index] or stream, stream)
            highest[index] = max(highest[index] or stream, stream)
            for_hours.add(stream)
    _check_all_found(entries[index], seen_in_digest)
    for later in entries[index + 1:]:
        _check_all_found(later, 0)
    # The digests removed: the longest prefix (never the newest digest) listing records of
    # eligible hours only. The hour streams removed: those no digest kept in the chain lists.
    removed = 0
    for i in range(len(entries) - 1):
        if highest[i] is not None and highest[i] >= limit:  # type: ignore[operator]
            break
        removed = i + 1
    if not any(highest[i] is not None for i in range(removed)):  # only empty digests: nothing worth a run
        return Plan(iso(cutoff), limit, [], 0, chain[0].version, start, start)
    limit = min([limit, *(low for low in lowest[removed:] if low is not None)])
    streams = sorted(s for s in for_hours if s < limit and HOUR_STREAM.match(s))
    return Plan(iso(cutoff), limit, entries[:removed], removed, chain[0].version, start,
                int(entries[removed - 1]["digest"]["digestEndPosition"]), streams)


def _listing(entry: Mapping[str, Any]) -> dict[int, tuple[str, str]]:
    return {int(item["position"]): (str(item["eventID"]), str(item["hashValue"]))
            for item in entry["digest"].get("records", []) if isinstance(item, Mapping)}


def _check_all_found(entry: Mapping[str, Any], found: int) -> None:
    if found != len(entry["digest"].get("records", [])):
        raise _refuse(f"digest {entry['digest']['digestId']} lists {len(entry['digest'].get('records', []))} "
                      f"records and the log holds {found} of them: validate the trail")


@dataclass
class Archive:
    path: Path
    sha256: str  # of manifest.json, which names every file with its SHA-256
    records: int  # records in the archive
    statement: dict[str, Any]


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    return hashlib.sha256(data).hexdigest()


async def write_archive(store: EventStore, the_plan: Plan, root: Path, now: datetime, interval: float,
                        key: SigningKey) -> Archive:
    """Write the planned records and digests under `root`, a page at a time (see the module)."""
    from iamd.service.audit.record import render
    from iamd.service.rpc.messages import MessageDecoder, iamd_services

    decode = MessageDecoder(iamd_services())
    archive_id = f"{iso(now).replace('-', '').replace(':', '')}-{uuid.uuid4().hex[:8]}"
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    final = root / f"iamd-audit-archive-{archive_id}"
    work = root / f".{final.name}.partial"
    work.mkdir(mode=0o700)
    files: dict[str, str] = {}
    page: list[tuple[dict[str, Any], dict[str, Any]]] = []
    size = 0
    account = ""
    count = removed = 0
    first_id = last_id = ""

    def flush() -> None:
        nonlocal page, size
        if not page:
            return
        hour = str(page[0][0].get("eventTime", ""))[:13]
        name = (f"{hour[:4]}/{hour[5:7]}/{hour[8:10]}/{account}_CloudTrail_us-east-1_"
                f"{hour.replace('-', '').replace('T', '')}00Z_{len(files):05d}.json")
        files[name] = _write_file(work / name, orjson.dumps({"Records": [shown for _, shown in page],
                                                             STORED_RECORDS_KEY: [r for r, _ in page]}))
        page, size = [], 0

    async for batch in store.read_all_batches(after=the_plan.start_position or None, filter=AUDIT_STREAMS):
        done = False
        for event in batch:
            if event.position > the_plan.end_position:
                done = True
                break
            record = dict(event.data)
            shown = render(record, decode)
            account = account or str(shown.get("recipientAccountId", ""))
            encoded = len(orjson.dumps(record)) + len(orjson.dumps(shown))
            if page and (len(page) >= PAGE_RECORDS or size + encoded > PAGE_BYTES):
                flush()
            page.append((record, shown))
            size += encoded
            count += 1
            if event.stream < the_plan.limit_stream:
                removed += 1
                first_id = first_id or str(record.get("eventID", ""))
                last_id = str(record.get("eventID", ""))
        if done:
            break
    flush()
    digest_files = []
    for entry in the_plan.digests:
        stamp = str(entry["digest"].get("digestEndTime", ""))[:19].replace("-", "").replace(":", "")
        name = f"digests/{account}_CloudTrail-Digest_us-east-1_{stamp}Z_{entry['digest']['digestId'][:8]}.json"
        files[name] = _write_file(work / name, orjson.dumps(entry))
        digest_files.append(name)
    first, last = the_plan.digests[0]["digest"], the_plan.digests[-1]["digest"]
    last_removed = last
    location = str(final.resolve())
    statement: dict[str, Any] = {
        "archiveId": archive_id,
        "archivedAt": iso(now),
        "location": location,
        "cutoff": the_plan.cutoff,
        "streams": the_plan.streams,
        "recordCount": removed,
        "archivedRecordCount": count,
        "firstEventId": first_id,
        "lastEventId": last_id,
        "firstDigestId": first["digestId"],
        "lastDigestId": last["digestId"],
        "archivedThroughPosition": the_plan.end_position,
        "removedDigestCount": the_plan.removed_digests,
        "lastRemovedDigestId": last_removed["digestId"],
        "lastRemovedDigestHashValue": hashlib.sha256(canonical(last_removed)).hexdigest(),
        "lastRemovedDigestEndPosition": int(last_removed["digestEndPosition"]),
        "truncateDigestsBeforeVersion": the_plan.first_version + the_plan.removed_digests,
    }
    manifest = {"exportedAt": iso(now), "startTime": str(first.get("oldestEventTime") or first.get("digestStartTime")),
                "endTime": str(last.get("digestEndTime")), "digestIntervalSeconds": interval, "records": count,
                "logFiles": sorted(n for n in files if not n.startswith("digests/")), "digestFiles": digest_files,
                "lastDigestId": last["digestId"], "digestPublicKeyFingerprint": key.fingerprint,
                "fileSha256": files, "archive": {k: v for k, v in statement.items() if k != "location"}}
    manifest_bytes = orjson.dumps(manifest, option=orjson.OPT_INDENT_2)
    sha = _write_file(work / "manifest.json", manifest_bytes)
    for directory in sorted({p.parent for p in work.rglob("*")} | {work}, key=lambda p: -len(p.parts)):
        _sync_dir(directory)
    os.rename(work, final)
    _sync_dir(root)
    statement["sha256"] = sha
    return Archive(final, sha, count, statement)


async def finish_last_removal(store: EventStore) -> None:
    """Remove again what the newest statement names (a no-op when its removal was complete)."""
    statements = await store.read_stream(RETENTION_STREAM)
    if statements:
        await _remove(store, dict(statements[-1].data))


async def _remove(store: EventStore, statement: Mapping[str, Any]) -> None:
    streams = [s for s in statement.get("streams", []) if HOUR_STREAM.match(str(s))]
    if len(streams) != len(statement.get("streams", [])):
        raise _refuse("a retention statement names a stream that is not an hourly audit stream")
    truncate = {DIGEST_STREAM: int(statement["truncateDigestsBeforeVersion"])} \
        if statement.get("removedDigestCount") else None
    await store.remove_streams(streams, truncate)


async def archive_and_remove(store: EventStore, digester: Any, root: Path, now: datetime, older_than_hours: int,
                             reason: str = REASON_ARCHIVE) -> dict[str, Any] | None:
    """One retention run (see the module): the statement recorded, or None when nothing is due."""
    await finish_last_removal(store)
    the_plan = await plan(store, digester.key, now, older_than_hours)
    if the_plan.empty:
        log.info("audit_retention_nothing_due", cutoff=the_plan.cutoff)
        return None
    archive = await write_archive(store, the_plan, root, now, digester.interval, digester.key)
    statement = archive.statement
    await store.append(RETENTION_STREAM, [NewEvent(ARCHIVED_TYPE, statement)], StreamState.ANY)
    signed = await digester.write_digest(reason, settle=0.0, extra={"archived": statement})
    if signed.get("digest", {}).get("archived") != statement:  # another replica's digest came first
        raise ServiceFailureError("audit retention stopped before removing anything: its statement could not be "
                                  "signed into the chain (another digest was written at the same moment); the "
                                  f"archive at {statement['location']} stays, and the next run archives again")
    await _remove(store, statement)
    log.warning("audit_streams_archived", streams=len(statement["streams"]), records=statement["recordCount"],
                location=statement["location"], sha256=statement["sha256"], cutoff=statement["cutoff"])
    return statement


async def archived_before(store: EventStore) -> str:
    """The cut-off of the newest retention run ("" if none): records dated before it were archived."""
    statements = await store.read_stream(RETENTION_STREAM)
    return max((str(e.data.get("cutoff", "")) for e in statements), default="")


async def keep_retention(store: EventStore, digester: Any, root: Path, clock: Any, older_than_hours: int,
                         every: float = 3600.0) -> None:
    """Run retention at start and then every `every` seconds, for good (a task of the server)."""
    while True:
        try:
            await archive_and_remove(store, digester, root, clock.now(), older_than_hours)
        except Exception as e:  # noqa: BLE001 — retried at the next run; never silent
            log.error("audit_retention_failed", exc_info=e)
        await asyncio.sleep(every)


def archive_audit_command(argv: list[str], env: dict[str, str] | None = None) -> int:
    """`iamd archive-audit --older-than-hours N [--to DIR] [--data-dir D] ...`, with iamd stopped."""
    import argparse
    import sys

    from iamd.service.app.ports import SystemClock
    from iamd.service.config import Settings
    from iamd.service.domain.errors import IamError
    from iamd.service.domain.events import UPCASTERS
    from iamd.service.eventstore import EventCodec, open_event_store
    from iamd.service.log_config import configure_logging

    from .digester import Digester

    env = dict(os.environ) if env is None else env
    configure_logging(env.get("IAMD_LOG_LEVEL", "warning"))
    parser = argparse.ArgumentParser(
        prog="iamd archive-audit",
        description="Archive the hourly audit streams older than --older-than-hours, with the digests covering "
                    "them, into a new directory under --to (it validates offline: iamctl audit validate --export), "
                    "record that in the log and the digest chain, then remove them from the live log. Identity "
                    "events are never removed. Run it with iamd stopped; a running iamd does the same with "
                    "--audit-retention-hours.")
    parser.add_argument("--older-than-hours", type=int, required=True)
    parser.add_argument("--to", default="", help="archive root (default: --audit-archive-dir, "
                                                 "else <data-dir>/audit-archive)")
    parser.add_argument("--data-dir", default=env.get("IAMD_DATA_DIR", str(Settings.data_dir)))
    parser.add_argument("--store", default=env.get("IAMD_STORE", ""))
    parser.add_argument("--digest-key-file", default=env.get("IAMD_DIGEST_KEY_FILE", ""))
    parser.add_argument("--digest-interval", type=float, default=float(env.get("IAMD_DIGEST_INTERVAL", "3600")))
    args = parser.parse_args(argv)
    settings = Settings(data_dir=Path(args.data_dir), store_uri=args.store, digest_key_file=args.digest_key_file,
                        digest_interval=args.digest_interval,
                        audit_archive_dir=args.to or env.get("IAMD_AUDIT_ARCHIVE_DIR", ""))
    if not settings.digest_key_path.exists():
        print(f"iamd archive-audit: no digest key at {settings.digest_key_path}", file=sys.stderr)
        return 2

    async def run() -> dict[str, Any] | None:
        store = open_event_store(settings.event_store_uri, EventCodec(UPCASTERS))
        try:
            clock = SystemClock()
            digester = Digester(store, SigningKey.load(settings.digest_key_path), clock, settings.digest_interval,
                                key_path=settings.digest_key_path, settle_seconds=0.0)
            return await archive_and_remove(store, digester, settings.audit_archive_path, clock.now(),
                                            args.older_than_hours, REASON_ARCHIVE_OFFLINE)
        finally:
            await store.close()

    from iamd.service.admin import data_dir_lock  # iamd holds it while serving

    try:
        with data_dir_lock(settings.data_dir, exclusive=True):
            statement = asyncio.run(run())
    except IamError as e:
        field_name = e.problems[0].field if e.problems else ""
        print(f"iamd archive-audit: {e.code}{f' ({field_name})' if field_name else ''}: {e.message}", file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 — an operator command: say why, exit non-zero
        print(f"iamd archive-audit: {e}", file=sys.stderr)
        return 1
    if statement is None:
        print("nothing to archive: no whole hour older than the age given is covered by a digest yet")
        return 0
    print(orjson.dumps({k: statement[k] for k in ("location", "sha256", "streams", "recordCount", "firstEventId",
                                                   "lastEventId", "firstDigestId", "lastDigestId")},
                       option=orjson.OPT_INDENT_2).decode())
    return 0

