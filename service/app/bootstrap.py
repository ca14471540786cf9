"""First start of an empty log: record which account this deployment serves and create it.

Safe when several replicas start at once: each step is an append with NO_STREAM, and whoever
loses the race reads what the winner wrote.
"""

from __future__ import annotations

import secrets

from service.domain.events import AccountCreated, DeploymentInitialized
from service.domain.names import check_account_id
from service.eventstore.errors import WrongExpectedVersion
from service.eventstore.port import EventStore, NewEvent, StreamState

from .ports import Clock, iso8601

DEPLOYMENT_STREAM = "iamd-deployment"


def account_stream(account_id: str) -> str:
    return f"account-{account_id}-root"


async def bootstrap_account(store: EventStore, clock: Clock, wanted_account_id: str = "") -> str:
    """The deployment's default account id, creating it on the very first start."""
    existing = await store.read_stream(DEPLOYMENT_STREAM, limit=1)
    if existing:
        return str(existing[0].data["account_id"])
    account_id = check_account_id(wanted_account_id) if wanted_account_id else _random_account_id()
    now = iso8601(clock.now())
    metadata = {"actor": "iamd", "request_id": "bootstrap", "time": now}
    try:
        event = DeploymentInitialized(account_id, now)
        await store.append(DEPLOYMENT_STREAM, [NewEvent("DeploymentInitialized", event.to_data(), metadata)],
                           StreamState.NO_STREAM)
    except WrongExpectedVersion:
        return await bootstrap_account(store, clock)  # another replica initialized it first
    try:
        created = AccountCreated(account_id, now)
        await store.append(account_stream(account_id), [NewEvent("AccountCreated", created.to_data(), metadata)],
                           StreamState.NO_STREAM)
    except WrongExpectedVersion:
        pass
    return account_id


def _random_account_id() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(12))
