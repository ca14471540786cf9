"""Writes the signed digest chain: one at start, at a fixed cadence, on request, a last one at shutdown.

Next to the signing key the digester keeps a witness (`audit-digest.head.json`): the newest
digest it wrote. At start, a witness naming a digest the chain no longer holds means the chain's
tail was removed while iamd was stopped; the start digest then records that, signed, so every
later validation names the truncation. While running, validation compares the chain with the
digest written last.
"""

from __future__ import annotations

import asyncio
import contextlib
from array import array
from collections import Counter
import os
import uuid
from datetime import UTC
from pathlib import Path
from typing import Any

import orjson
import structlog

from iamd.projections.audit_index import AUDIT_STREAMS
from iamd.projections.identity import IDENTITY_STREAMS
from iamd.service.eventstore.errors import WrongExpectedVersion
from iamd.service.eventstore.port import EventStore, NewEvent, StreamState, follow_live

from .recovery import RECENT_EVENTS
from .digest import (
    DIGEST_STREAM,
    DIGEST_TYPE,
    REASON_CADENCE,
    REASON_FINAL,
    REASON_REQUEST,
    REASON_ROTATE,
    REASON_START,
    REBUILT_RECORDS,
    SETTLE_SECONDS,
    AuditEntry,
    SigningKey,
    ValidationReport,
    build_digest,
    public_key_path,
    validate,
)

log = structlog.get_logger(__name__)


async def read_audit_entries(store: EventStore, after: int | None = None, up_to: int | None = None,
                             limit: int | None = None) -> list[AuditEntry]:
    """Audit records in (after, up_to], oldest first, at most `limit`."""
    entries: list[AuditEntry] = []
    stream = store.read_all(after=after, filter=AUDIT_STREAMS)
    try:
        async for e in stream:
            if up_to is not None and e.position > up_to:
                break
            entries.append(AuditEntry.of(e.position, e.data, str(e.id)))
            if limit is not None and len(entries) >= limit:
                break
    finally:
        close = getattr(stream, "aclose", None)
        if close is not None:
            await close()
    return entries


async def read_digests(store: EventStore) -> list[dict[str, Any]]:
    return [dict(e.data) for e in await store.read_stream(DIGEST_STREAM)]


def witness_path(key_path: Path) -> Path:
    return key_path.with_name(key_path.name.removesuffix(".pem") + ".head.json")


def iso(moment: Any) -> str:
    """As records' eventTime: whole seconds, rounded down. A record dated before a digest's end time
    was stamped before the digest was cut."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Digester:
    def __init__(self, store: EventStore, key: SigningKey, clock: Any, interval_seconds: float,
                 key_path: Path | None = None, settle_seconds: float = SETTLE_SECONDS, watch: bool = True) -> None:
        self.store = store
        self.key = key
        self.clock = clock
        self.interval = interval_seconds
        self.key_path = key_path
        self.witness_file = witness_path(key_path) if key_path is not None else None
        self.settle = min(settle_seconds, interval_seconds / 4)
        self.last_written: dict[str, Any] | None = None  # the newest digest this process wrote
        # The end time of the newest digest known to be in the chain: this process's, or one
        # another replica wrote first (its end time is then about this process's cut).
        self.last_digest_time = ""
        # Positions of the audit records committed since the last digest, as they were committed:
        # one removed before the next digest is named by it (and by validation until then).
        self._seen = array("q")
        self.watch = watch
        self._task: asyncio.Task[None] | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def start(self) -> asyncio.Future[None]:
        """Write the start digest, then keep the cadence. Await the result before serving: the
        start digest is then written while no call is in flight."""
        started: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._run(started), name="audit-digester")
        return started

    async def _run(self, started: asyncio.Future[None]) -> None:
        try:
            await self._start_digest()
        except Exception as e:  # noqa: BLE001 — iamd serves on; the cadence retries, validation names the gap
            log.error("audit_digest_failed", reason="start", exc_info=e)
        started.set_result(None)
        after = int((self.last_written or {}).get("digestEndPosition") or 0)
        if self.watch:  # else the audit writer tells note_committed what it commits
            self._watcher = asyncio.create_task(self._watch(after), name="audit-digest-watcher")
        await self._every_interval()

    async def _watch(self, after: int) -> None:
        """Note the position of every record committed, from any replica. A subscription the store
        ends (a KurrentDB node restarting, an election, a dropped connection) is replaced from the
        last position seen, after a growing pause: nothing committed meanwhile is missed."""
        def ended(reason: str, pause: float) -> None:
            log.warning("audit_digest_watcher_resubscribing", reason=reason, retry_in_s=pause)

        try:
            async for event in follow_live(self.store, after, AUDIT_STREAMS, on_ended=ended):
                self._seen.append(event.position)
        except Exception as e:  # noqa: BLE001 — removals go unnoticed until a restart; say so
            log.error("audit_digest_watcher_failed", exc_info=e)

    def note_committed(self, positions: range) -> None:
        """The positions of audit records this process just committed (instead of the watcher,
        which reads every record back from the log to learn them)."""
        self._seen.extend(positions)

    def _removed(self, start: int, head: int, present: set[int]) -> list[int]:
        """Positions in (start, head] that held a record when it was committed and hold none now."""
        return [p for p in self._seen if start < p <= head and p not in present]

    async def _start_digest(self) -> None:
        self.last_written = self._read_witness()
        chain = await read_digests(self.store)
        extra: dict[str, Any] = {}
        ids = {str(e.get("digest", {}).get("digestId")) for e in chain}
        if self.last_written and self.last_written.get("digestId") not in ids:
            extra["truncationDetected"] = dict(self.last_written)
            log.error("audit_digest_chain_truncated", missing_digest=self.last_written.get("digestId"),
                      missing_end_position=self.last_written.get("digestEndPosition"))
        newest_fp = chain[-1].get("digest", {}).get("digestPublicKeyFingerprint") if chain else None
        if newest_fp and newest_fp != self.key.fingerprint:
            log.error("audit_digest_key_not_endorsed", key_fingerprint=self.key.fingerprint,
                      chain_fingerprint=newest_fp,
                      hint="the key file changed without `iamd rotate-digest-key`: validation will fail from here")
        if self.key_path is not None and not public_key_path(self.key_path).exists():
            self.key.write_public(public_key_path(self.key_path))
        log.info("audit_digest_key", fingerprint=self.key.fingerprint, public_key=self.public_key_file)
        await self.write_digest(REASON_START, settle=0.0, extra=extra)

    @property
    def public_key_file(self) -> str:
        return str(public_key_path(self.key_path)) if self.key_path else ""

    def _read_witness(self) -> dict[str, Any] | None:
        if self.witness_file is None or not self.witness_file.exists():
            return None
        try:
            data = orjson.loads(self.witness_file.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            log.error("audit_digest_witness_unreadable", path=str(self.witness_file))
            return None
        return data if isinstance(data, dict) else None

    def _remember(self, digest: dict[str, Any]) -> None:
        self.last_written = {k: digest[k] for k in ("digestId", "digestEndTime", "digestEndPosition")}
        self.last_digest_time = digest["digestEndTime"]
        if self.witness_file is None:
            return
        tmp = self.witness_file.with_name(self.witness_file.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(orjson.dumps(self.last_written))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.witness_file)

    async def _every_interval(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time()
        while True:
            deadline += self.interval  # a fixed rate: the time a digest takes does not push the next
            await asyncio.sleep(max(0.0, deadline - loop.time()))
            try:
                await self.write_digest(REASON_CADENCE)
            except Exception as e:  # noqa: BLE001 — retried at the next interval; never silent
                log.error("audit_digest_failed", exc_info=e)

    async def write_digest(self, reason: str = REASON_REQUEST, *, settle: float | None = None,
                           extra: dict[str, Any] | None = None, new_key: SigningKey | None = None) -> dict[str, Any]:
        """Digest every record since the previous digest (an empty one when there is none).

        The digest's end time is cut first; the log is read `settle` seconds later, so records of
        calls stamped before the cut are inside its range. `new_key` rotates the signing key.
        """
        async with self._lock:
            cut = iso(self.clock.now())
            wait = self.settle if settle is None else settle
            if wait > 0:
                await asyncio.sleep(wait)
            chain = await self.store.read_stream(DIGEST_STREAM)
            previous = dict(chain[-1].data) if chain else None
            start = previous["digest"]["digestEndPosition"] if previous else 0
            head = await self.store.head_position()
            records = await read_audit_entries(self.store, after=start or None, up_to=head)
            end = max(head, start)
            removed = self._removed(start, end, {r.position for r in records})
            extra = {**(extra or {}), REBUILT_RECORDS: await self._rebuilt(records)}
            if removed:
                extra["removedBeforeDigest"] = removed
                log.error("audit_records_removed", positions=removed[:20], count=len(removed))
            key = new_key or self.key
            digest = build_digest(digest_id=str(uuid.uuid4()), created_at=cut, start_position=start,
                                  end_position=end, records=records, previous=previous, key=key,
                                  interval=self.interval, reason=reason,
                                  previous_key=self.key if new_key is not None else None, extra=extra)
            entry = {"digest": digest, "signature": key.sign(digest)}
            expected = chain[-1].version if chain else StreamState.NO_STREAM
            try:
                await self.store.append(DIGEST_STREAM, [NewEvent(DIGEST_TYPE, entry)], expected)
            except WrongExpectedVersion:
                log.info("audit_digest_skipped", reason="another replica wrote the digest first")
                self.last_digest_time = cut
                return previous or entry
            self._remember(digest)
            self._seen = array("q", (p for p in self._seen if p > end))
            log.info("audit_digest_written", reason=reason, records=len(records), end_position=end)
            return entry

    def witness(self) -> dict[str, Any] | None:
        return self.last_written

    def committed_since_last_digest(self) -> list[int]:
        return list(self._seen)

    async def validate(self, start_time: str = "", end_time: str = "", public_pem: str = "") -> ValidationReport:
        """Validate the whole chain against `public_pem` (pinned), else against this server's own key."""
        chain = await read_digests(self.store)
        records = await read_audit_entries(self.store)
        start = int(chain[-1]["digest"].get("digestEndPosition") or 0) if chain else 0
        removed = self._removed(start, max(self._seen, default=0), {r.position for r in records})
        return validate(records, chain, [public_pem or self.key.public_pem], interval=self.interval,
                        now=iso(self.clock.now()), start_time=start_time, end_time=end_time,
                        witness=self.witness(), removed=removed, calls=await self._calls_rebuilt(records))

    async def _rebuilt(self, records: list[AuditEntry]) -> list[str]:
        """The records rebuilt after a crash for calls whose events the log holds (at their time, with
        no other record here): a validator without the identity log trusts the digest for them."""
        calls = await self._calls_rebuilt(records)
        requests = Counter(str(r.data.get("requestID", "")) for r in records)
        return [r.event_id for r in records if "addendum" in r.data
                and requests[request_id := str(r.data.get("requestID", ""))] == 1
                and (request_id, r.event_time) in calls]

    async def _calls_rebuilt(self, records: list[AuditEntry]) -> set[tuple[str, str]]:
        """(request id, time) of the identity events of the calls that records marked as rebuilt
        after a crash name. Recovery rebuilds a record only for a call among the last RECENT_EVENTS
        identity events before it (recovery.py), so only those are read, newest first, and no
        further once every claimed call is found: a few thousand events, not the whole log (which
        made the first digest after a crash read a 1M-event log, and the start with it, 2.6x slower)."""
        claimed = {str(r.data.get("requestID", "")): r.position for r in records if "addendum" in r.data}
        calls: set[tuple[str, str]] = set()
        if not claimed:
            return calls
        missing, lowest, past_lowest = set(claimed), min(claimed.values()), 0
        async with contextlib.aclosing(self.store.read_all_backwards(before=max(claimed.values()) or None,
                                                                     filter=IDENTITY_STREAMS)) as events:
            async for event in events:
                if event.position < lowest:
                    past_lowest += 1
                    if past_lowest > RECENT_EVENTS:
                        break
                request_id = str(event.metadata.get("request_id", ""))
                if request_id in missing:  # a call's events share its time: its newest one says it
                    calls.add((request_id, str(event.metadata.get("time", ""))))
                    missing.discard(request_id)
                    if not missing:
                        break
        return calls

    async def stop(self, extra: dict[str, Any] | None = None) -> None:
        """Stop the cadence and write the final digest (StopLogging's last digest, in CloudTrail),
        with `extra` fields (what the stop vouches for: see recovery.RECORDS_COMPLETE)."""
        for task in (self._task, self._watcher):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.write_digest(REASON_FINAL, settle=0.0, extra=extra)


async def rotate_digest_key(store: EventStore, key_path: Path, clock: Any, interval: float) -> tuple[str, str]:
    """Offline (iamd stopped): a new signing key, recorded in the chain and endorsed by the old one.

    The new key is written beside the old first; the rotation digest is appended; then the new
    key replaces the old one, whose public half stays as `audit-digest.<fingerprint>.pub.pem`.
    """
    old = SigningKey.load(key_path)
    new = SigningKey.generate()
    pending = key_path.with_name(key_path.name + ".new")
    pending.unlink(missing_ok=True)
    fd = os.open(pending, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(new.private_pem())
        f.flush()
        os.fsync(f.fileno())
    digester = Digester(store, old, clock, interval, key_path=key_path, settle_seconds=0.0)
    await digester.write_digest(REASON_ROTATE, settle=0.0, new_key=new)
    old.write_public(key_path.with_name(f"{key_path.name.removesuffix('.pem')}.{old.fingerprint}.pub.pem"))
    os.replace(pending, key_path)
    new.write_public(public_key_path(key_path))
    return old.fingerprint, new.fingerprint


def rotate_digest_key_command(argv: list[str], env: dict[str, str] | None = None) -> int:
    """`iamd rotate-digest-key [--data-dir D] [--store URI] [--digest-key-file F]`, with iamd stopped."""
    import argparse
    import sys

    from iamd.service.app.ports import SystemClock
    from iamd.service.config import Settings
    from iamd.service.domain.events import UPCASTERS
    from iamd.service.eventstore import EventCodec, open_event_store

    from iamd.service.log_config import configure_logging

    env = dict(os.environ) if env is None else env
    configure_logging(env.get("IAMD_LOG_LEVEL", "warning"))
    parser = argparse.ArgumentParser(
        prog="iamd rotate-digest-key",
        description="Replace the key that signs audit digests. The new key is recorded in the chain by a "
                    "rotation digest it signs, which carries the old key's signature over it: a validator "
                    "pinned to the old key trusts the new one. Run it with iamd stopped.")
    parser.add_argument("--data-dir", default=env.get("IAMD_DATA_DIR", str(Settings.data_dir)))
    parser.add_argument("--store", default=env.get("IAMD_STORE", ""))
    parser.add_argument("--digest-key-file", default=env.get("IAMD_DIGEST_KEY_FILE", ""))
    parser.add_argument("--digest-interval", type=float, default=float(env.get("IAMD_DIGEST_INTERVAL", "3600")))
    args = parser.parse_args(argv)
    settings = Settings(data_dir=Path(args.data_dir), store_uri=args.store, digest_key_file=args.digest_key_file,
                        digest_interval=args.digest_interval)
    if not settings.digest_key_path.exists():
        print(f"iamd rotate-digest-key: no digest key at {settings.digest_key_path}", file=sys.stderr)
        return 2

    async def rotate() -> tuple[str, str]:
        store = open_event_store(settings.event_store_uri, EventCodec(UPCASTERS))
        try:
            return await rotate_digest_key(store, settings.digest_key_path, SystemClock(), settings.digest_interval)
        finally:
            await store.close()

    try:
        from iamd.service.admin import data_dir_lock  # iamd holds it while serving
    except ImportError:
        lock: Any = contextlib.nullcontext()
    else:
        lock = data_dir_lock(settings.data_dir, exclusive=True)
    try:
        with lock:
            old, new = asyncio.run(rotate())
    except Exception as e:  # noqa: BLE001 — an operator command: say why, exit non-zero
        print(f"iamd rotate-digest-key: {e}", file=sys.stderr)
        return 1
    print(f"audit digest key rotated: {old} -> {new}\n"
          f"new public key: {public_key_path(settings.digest_key_path)} (a validator pinned to {old} accepts it)")
    return 0
