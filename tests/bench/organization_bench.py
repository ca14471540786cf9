"""Organization commands on a large organization: the stream grows with every account, OU and
policy change. An incremental load (the state folded so far, plus the events since) against the
baseline of reading and folding the whole stream for every command, in the same process."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from iamd.service.app.organizations import org_stream
from iamd.service.app.ports import CallContext
from iamd.service.app.repository import Repository
from iamd.service.domain import organizations
from iamd.service.domain.events import UPCASTERS, Event, OrganizationalUnitCreated, OrganizationCreated, event_type
from iamd.service.eventstore import EventCodec, open_event_store
from iamd.service.eventstore.port import NewEvent, StreamState

MANAGEMENT = "123456789012"
NOW = "2026-11-23T00:00:00Z"
CTX = CallContext(request_id="bench", account_id=MANAGEMENT, actor_arn=f"arn:aws:iam::{MANAGEMENT}:root")


class _Clock:
    def now(self) -> datetime:
        return datetime(2026, 11, 23, tzinfo=UTC)


async def run_organization_bench(tmpdir: Path, *, n_events: int = 20_000, samples: int = 40) -> dict[str, Any]:
    store = open_event_store(f"sqlite:///{tmpdir / 'org.db'}", EventCodec(UPCASTERS))
    stream = org_stream(MANAGEMENT)
    try:
        # An organization of n_events events: created, then OUs under the root.
        events: list[Event] = [OrganizationCreated("o-bench", "r-bnch", MANAGEMENT, NOW)]
        events += [OrganizationalUnitCreated(f"ou-bnch-{i:08d}", f"ou{i}", "r-bnch") for i in range(n_events - 1)]
        for start in range(0, len(events), 1000):
            batch = events[start:start + 1000]
            await store.append(stream, [NewEvent(event_type("org", e), e.to_data(), CTX.metadata(NOW)) for e in batch],
                               start - 1 if start else StreamState.NO_STREAM)
        repo = Repository(store)
        scp = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}'
        await repo.change("org", stream, organizations.fold, CTX, _Clock(), lambda s: organizations.create_policy(
            s, policy_id="p-bench", name="bench", policy_type=organizations.SCP, content=scp), incremental=True)

        async def timed(incremental: bool) -> float:
            """One attach or detach of the bench SCP on the root: a whole command, load to append."""
            def toggle(s: organizations.OrganizationState) -> list:
                attached = "p-bench" in s.attachments.get("r-bnch", [])
                return (organizations.detach if attached else organizations.attach)(
                    s, policy_id="p-bench", target_id="r-bnch")

            started = time.perf_counter()
            if incremental:
                await repo.change("org", stream, organizations.fold, CTX, _Clock(), toggle, incremental=True)
            else:
                await repo.change("org", stream, organizations.fold, CTX, _Clock(), toggle)
            return time.perf_counter() - started

        full = [await timed(False) for _ in range(max(4, samples // 8))]  # slow: fewer samples
        incremental = [await timed(True) for _ in range(samples)]
    finally:
        await store.close()
    full_ms, incremental_ms = statistics.median(full) * 1e3, statistics.median(incremental) * 1e3
    return {"organization_events": n_events, "command_full_fold_median_ms": round(full_ms, 2),
            "command_incremental_median_ms": round(incremental_ms, 3),
            "incremental_speedup": round(full_ms / incremental_ms, 1)}
