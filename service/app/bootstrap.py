"""First start of an empty log: the deployment's account, its root user and the root's key.

Safe when several replicas start at once: each step is an append with an expected version, and
whoever loses the race reads what the winner wrote. Only the replica that creates the root
access key writes the credentials file, with mode 0600; the secret goes nowhere else.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import structlog

from iamd.service.auth.keyring import Keyring
from iamd.service.domain import identity
from iamd.service.domain.events import ACCOUNT, AccountCreated, DeploymentInitialized, event_type
from iamd.service.domain.names import check_account_id
from iamd.service.eventstore.errors import WrongExpectedVersion
from iamd.service.eventstore.port import EventStore, NewEvent, StreamState

from .keys import DEPLOYMENT_STREAM, first_start_events
from .ports import Clock, IdFactory, iso8601
from .repository import Repository

log = structlog.get_logger(__name__)

ROOT_PROFILE = "default"


def account_stream(account_id: str) -> str:
    return f"account-{account_id}-root"


async def bootstrap_account(store: EventStore, clock: Clock, wanted_account_id: str = "",
                            keyring: Keyring | None = None) -> str:
    """The deployment's default account id, recording it on the very first start (and, in the same
    append, the fingerprint of `keyring`, the key-encryption key of the log's secrets)."""
    existing = await store.read_stream(DEPLOYMENT_STREAM, limit=1)
    if existing:
        return str(existing[0].data["account_id"])
    account_id = check_account_id(wanted_account_id) if wanted_account_id else _random_account_id()
    now = iso8601(clock.now())
    metadata = {"actor": "iamd", "request_id": "bootstrap", "time": now}
    try:
        event = DeploymentInitialized(account_id, now)
        kek = first_start_events(keyring, now) if keyring is not None else []
        await store.append(DEPLOYMENT_STREAM, [NewEvent("DeploymentInitialized", event.to_data(), metadata), *kek],
                           StreamState.NO_STREAM)
    except WrongExpectedVersion:
        return await bootstrap_account(store, clock)  # another replica initialized it first
    return account_id


async def ensure_root_credentials(store: EventStore, clock: Clock, ids: IdFactory, keyring: Keyring,
                                  account_id: str, credentials_file: Path,
                                  fixed_key: tuple[str, str] | None = None) -> bool:
    """Create the account and a root access key if it has none; True when this call created it.
    `fixed_key` (key id, secret) replaces the random key: development only (--dev-root-key)."""
    now = iso8601(clock.now())
    metadata = {"actor": "iamd", "request_id": "bootstrap", "time": now}
    try:
        created = AccountCreated(account_id, now)
        await store.append(account_stream(account_id),
                           [NewEvent(event_type(ACCOUNT, created), created.to_data(), metadata)],
                           StreamState.NO_STREAM)
    except WrongExpectedVersion:
        pass  # the account exists already
    repo = Repository(store)
    loaded = await repo.load_entity(ACCOUNT, account_id, "root")
    if loaded.state.access_keys:  # type: ignore[attr-defined]
        return False
    key_id, secret = fixed_key or (ids.access_key_id(), ids.secret())
    events = identity.create_access_key(loaded.state, key_id,  # type: ignore[arg-type]
                                        keyring.encrypt(secret.encode(), context=key_id), now)
    try:
        await store.append(loaded.stream, [NewEvent(event_type(ACCOUNT, e), e.to_data(), metadata) for e in events],
                           loaded.expected)
    except WrongExpectedVersion:
        return False  # another replica created the root key at the same moment
    write_credentials_file(credentials_file, key_id, secret)
    log.warning("root_credentials_written", path=str(credentials_file), access_key_id=key_id)
    return True


def write_credentials_file(path: Path, access_key_id: str, secret: str, profile: str = ROOT_PROFILE) -> None:
    """An AWS-CLI-shaped credentials file readable only by its owner (mode 0600, created so)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(f"[{profile}]\naws_access_key_id = {access_key_id}\naws_secret_access_key = {secret}\n")
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _random_account_id() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(12))
