"""Writes the signed digest chain: at a fixed cadence, and a last one at shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

import structlog

from projections.audit_index import AUDIT_STREAMS
from service.eventstore.errors import WrongExpectedVersion
from service.eventstore.port import EventStore, NewEvent, StreamState

from .digest import DIGEST_STREAM, DIGEST_TYPE, AuditEntry, SigningKey, build_digest, validate

log = structlog.get_logger(__name__)


async def read_audit_entries(store: EventStore, after: int | None = None) -> list[AuditEntry]:
    return [AuditEntry(e.position, str(e.data.get("eventID", e.id)), str(e.data.get("eventTime", "")), e.data)
            async for e in store.read_all(after=after, filter=AUDIT_STREAMS)]


async def read_digests(store: EventStore) -> list[dict[str, Any]]:
    return [dict(e.data) for e in await store.read_stream(DIGEST_STREAM)]


class Digester:
    def __init__(self, store: EventStore, key: SigningKey, clock: Any, interval_seconds: float) -> None:
        self.store = store
        self.key = key
        self.clock = clock
        self.interval = interval_seconds
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def start(self) -> None:
        self._task = asyncio.create_task(self._every_interval(), name="audit-digester")

    async def _every_interval(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.write_digest()
            except Exception as e:  # noqa: BLE001 — retried at the next interval; never silent
                log.error("audit_digest_failed", exc_info=e)

    async def write_digest(self) -> dict[str, Any]:
        """Digest every record since the previous digest (an empty one when there is none)."""
        async with self._lock:
            chain = await self.store.read_stream(DIGEST_STREAM)
            previous = dict(chain[-1].data) if chain else None
            start = previous["digest"]["digestEndPosition"] if previous else 0
            records = await read_audit_entries(self.store, after=start or None)
            end = records[-1].position if records else start
            digest = build_digest(digest_id=str(uuid.uuid4()), created_at=self.clock.now().isoformat(),
                                  start_position=start, end_position=end, records=records, previous=previous,
                                  fingerprint=self.key.fingerprint)
            entry = {"digest": digest, "signature": self.key.sign(digest)}
            expected = chain[-1].version if chain else StreamState.NO_STREAM
            try:
                await self.store.append(DIGEST_STREAM, [NewEvent(DIGEST_TYPE, entry)], expected)
            except WrongExpectedVersion:
                log.info("audit_digest_skipped", reason="another replica wrote the digest first")
                return previous or entry
            log.info("audit_digest_written", records=len(records), end_position=end)
            return entry

    async def validate(self, start_time: str = "", end_time: str = "") -> Any:
        return validate(await read_audit_entries(self.store), await read_digests(self.store), self.key.public_pem,
                        start_time=start_time, end_time=end_time)

    async def stop(self) -> None:
        """Stop the cadence and write the final digest (StopLogging's last digest, in CloudTrail)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.write_digest()
