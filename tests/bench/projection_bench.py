"""In-process projection fold: N small synthetic identity events read from a store and folded
into the identity projection in this process. Not a start-up or rebuild figure of the service
(no process start, no audit recovery, no serving): service_bench.py times those."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from iamd.projections.identity import IDENTITY_STREAMS, IdentityProjection
from iamd.projections.runner import ProjectionRunner
from iamd.service.domain.events import UPCASTERS
from iamd.service.eventstore import EventCodec, open_event_store
from iamd.service.eventstore.port import EventStore, NewEvent, StreamState

ACCOUNT = "123456789012"
NOW = "2026-11-22T10:00:00Z"
POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/P"
GROUP_ID = "AGPABENCHGROUP0000000"


def _user_events(i: int) -> list[NewEvent]:
    """Ten events of one user's life: created, tagged, policies, group membership."""
    name = f"user{i:07d}"
    meta = {"request_id": "bench", "actor": f"arn:aws:iam::{ACCOUNT}:root", "time": NOW}
    arn = f"arn:aws:iam::{ACCOUNT}:user/{name}"
    doc = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
    return [
        NewEvent("UserCreated", {"name": name, "id": f"AIDA{i:017d}", "arn": arn, "path": "/",
                                 "created_at": NOW, "permissions_boundary": "", "tags": {"team": "a"}}, meta),
        NewEvent("UserTagged", {"tags": {"team": "b"}}, meta),
        NewEvent("UserPolicyAttached", {"policy_arn": POLICY_ARN}, meta),
        NewEvent("UserInlinePolicyPut", {"policy_name": "p", "document": doc}, meta),
        NewEvent("UserAddedToGroup", {"group_id": GROUP_ID, "group_name": "G"}, meta),
        NewEvent("UserTagged", {"tags": {"team": "c", "env": "prod"}}, meta),
        NewEvent("UserPolicyDetached", {"policy_arn": POLICY_ARN}, meta),
        NewEvent("UserRemovedFromGroup", {"group_id": GROUP_ID, "group_name": "G"}, meta),
        NewEvent("UserInlinePolicyDeleted", {"policy_name": "p"}, meta),
        NewEvent("UserUntagged", {"tag_keys": ["env"]}, meta),
    ]


async def load_log(store: EventStore, n_events: int) -> None:
    meta = {"request_id": "bench", "time": NOW}
    await store.append(f"policy-{ACCOUNT}-p", [NewEvent("PolicyCreated", {
        "name": "P", "id": "ANPABENCH", "arn": POLICY_ARN, "path": "/", "description": "",
        "document": '{"Version":"2012-10-17","Statement":[]}', "created_at": NOW, "tags": {}}, meta)],
        StreamState.NO_STREAM)
    await store.append(f"group-{ACCOUNT}-g", [NewEvent("GroupCreated", {
        "name": "G", "id": GROUP_ID, "arn": f"arn:aws:iam::{ACCOUNT}:group/G", "path": "/",
        "created_at": NOW}, meta)], StreamState.NO_STREAM)
    users = (n_events - 2) // 10
    next_user = 0

    async def writer() -> None:
        nonlocal next_user
        while next_user < users:
            i = next_user
            next_user += 1
            await store.append(f"user-{ACCOUNT}-user{i:07d}", _user_events(i), StreamState.NO_STREAM)

    await asyncio.gather(*(writer() for _ in range(16)))


async def fold_in_process(store: EventStore) -> tuple[float, int, IdentityProjection]:
    """What iamd does at start without a snapshot: ProjectionRunner's catch-up, timed."""
    projection = IdentityProjection()
    runner = ProjectionRunner(store, projection, IDENTITY_STREAMS)
    started = time.perf_counter()
    await runner.start()
    seconds = time.perf_counter() - started
    await runner.stop()
    return seconds, projection.events_applied, projection


async def read_only(store: EventStore) -> tuple[float, int]:
    count = 0
    started = time.perf_counter()
    async for _ in store.read_all(filter=IDENTITY_STREAMS):
        count += 1
    return time.perf_counter() - started, count


async def run_projection_bench(tmpdir: Path, *, n_events: int = 1_000_000) -> dict[str, Any]:
    codec = EventCodec(UPCASTERS)
    results: dict[str, Any] = {"events": n_events}
    for label, uri in (("memory", "memory://"), ("sqlite", f"sqlite:///{tmpdir / 'rebuild.db'}")):
        store = open_event_store(uri, codec)
        try:
            started = time.perf_counter()
            await load_log(store, n_events)
            results[f"{label}_load_events_per_s"] = round(n_events / (time.perf_counter() - started))
            read_seconds, count = await read_only(store)
            results[f"{label}_read_all_events_per_s"] = round(count / read_seconds)
            seconds, applied, projection = await fold_in_process(store)
            assert applied == count and len(projection.accounts[ACCOUNT].users) == (n_events - 2) // 10
            results[f"{label}_fold_in_process_events_per_s"] = round(applied / seconds)
            results[f"{label}_fold_in_process_seconds"] = round(seconds, 3)
        finally:
            await store.close()
    results["sqlite_vs_memory_fold_ratio"] = round(
        results["sqlite_fold_in_process_events_per_s"] / results["memory_fold_in_process_events_per_s"], 3)
    return results
