"""The key-encryption key (KEK) is part of the state's identity: the log records its fingerprint.

Secrets (secret access keys, session secrets, MFA seeds, server certificates' and SAML providers'
private keys, outbound identity federation's signing keys) are stored in events only as ciphertext under the KEK (service/auth/keyring.py). A log is worthless without its KEK, so:

- a new KEK is created only for an empty log, and its fingerprint is recorded with the
  deployment's first event (`KeyEncryptionKeyRecorded`, reason "first-start", stream
  `iamd-deployment`);
- every start compares the loaded KEK with the recorded fingerprint, and opens one stored secret
  (the root user's access key) with it; on any mismatch iamd refuses to start, naming the
  fingerprint it needs and the key file it read, instead of serving with a key that opens nothing;
- a log written before fingerprints were recorded is verified by opening one stored secret, and
  then gets its `KeyEncryptionKeyRecorded` (reason "verified");
- `rotate_kek` re-encrypts every live secret under a new KEK by appending one
  `...Reencrypted` event per secret (stored events are never rewritten), between a
  `KeyEncryptionKeyRotationStarted` and the `KeyEncryptionKeyRecorded` (reason "rotated") that
  ends it. An interrupted rotation keeps iamd from starting until `rotate_kek` is run again with
  the same two keys; it then re-encrypts what is left.

Only fingerprints (16 hex digits of SHA-256(KEK), not secret) appear in events and messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from iamd.projections.identity import IDENTITY_STREAMS, IdentityProjection
from iamd.service.auth.keyring import Keyring, KeyringError
from iamd.service.domain import outbound_federation, saml
from iamd.service.domain.events import (
    ACCOUNT,
    USER,
    AccessKeySecretReencrypted,
    KeyEncryptionKeyRecorded,
    KeyEncryptionKeyRotationStarted,
    OutboundWebIdentitySigningKeyReencrypted,
    SAMLProviderPrivateKeyReencrypted,
    ServerCertificatePrivateKeyReencrypted,
    SessionSecretReencrypted,
    VirtualMFADeviceSeedReencrypted,
    event_type,
)
from iamd.service.eventstore.errors import WrongExpectedVersion
from iamd.service.eventstore.port import EventFilter, EventStore, NewEvent, StreamState

from .ports import Clock, iso8601

log = structlog.get_logger(__name__)

DEPLOYMENT_STREAM = "iamd-deployment"  # also iamd.service.app.bootstrap's

# The events that carry a ciphertext made under the KEK, and where in their payload.
_SECRET_EVENTS = ("AccountAccessKeyCreated", "UserAccessKeyCreated", "SessionIssued", "VirtualMFADeviceCreated",
                  "AccountAccessKeySecretReencrypted", "UserAccessKeySecretReencrypted", "SessionSecretReencrypted",
                  "VirtualMFADeviceSeedReencrypted")
_REENCRYPT_BATCH = 64  # streams appended concurrently (the store group-commits them)


class KeyCheckFailed(KeyringError):
    """iamd must not start (or rotate) with this key-encryption key; the message says what it needs."""


def key_id_of(ciphertext: str) -> str:
    """The fingerprint of the KEK a `v1:<key id>:<payload>` ciphertext was sealed under ("" if malformed)."""
    parts = ciphertext.split(":") if isinstance(ciphertext, str) else []
    return parts[1] if len(parts) == 3 else ""


def fingerprint_of_file(path: Path) -> str:
    """The fingerprint of the KEK in a key file (what the log records); KeyringError if unusable."""
    return Keyring.from_file(path).key_id


# --- what the log records ---------------------------------------------------------------------
@dataclass
class KekRecord:
    """The deployment stream's view of the KEK."""

    exists: bool = False  # the deployment stream has events: the log is not empty
    version: int = -1  # of the deployment stream's last event
    account_id: str = ""
    key_id: str = ""  # the recorded fingerprint ("" for logs older than the record)
    rotating: tuple[str, str] | None = None  # (from, to) of a rotation started and not finished

    @property
    def expected(self) -> int | StreamState:
        return self.version if self.exists else StreamState.NO_STREAM


async def read_kek_record(store: EventStore) -> KekRecord:
    record = KekRecord()
    for event in await store.read_stream(DEPLOYMENT_STREAM):
        record.exists, record.version = True, event.version
        if event.type == "DeploymentInitialized":
            record.account_id = record.account_id or str(event.data["account_id"])
        elif event.type == "KeyEncryptionKeyRecorded":
            record.key_id, record.rotating = str(event.data["key_id"]), None
        elif event.type == "KeyEncryptionKeyRotationStarted":
            record.rotating = (str(event.data["from_key_id"]), str(event.data["to_key_id"]))
    return record


def first_start_events(keyring: Keyring, now: str) -> list[NewEvent]:
    """Recorded together with DeploymentInitialized by the first start of an empty log."""
    event = KeyEncryptionKeyRecorded(keyring.key_id, "first-start", now)
    return [NewEvent("KeyEncryptionKeyRecorded", event.to_data(), _metadata("bootstrap", now))]


# --- start-up ------------------------------------------------------------------------------------
def refusal(needed: str, kek_path: Path, problem: str) -> str:
    """The message of a refused start: which key the log needs, which file was read, what to do."""
    needs = (f"the log's secrets are sealed under the key-encryption key with fingerprint {needed}"
             if needed else "the log's secrets are sealed under a key-encryption key")
    return (f"iamd refuses to start: {needs}, but {problem}. Put that key in `{kek_path}` (or point --kek-file / "
            f"IAMD_KEK_FILE at it; `iamd kek-fingerprint FILE` prints a key file's fingerprint). A new key is "
            f"created only for an empty log.")


async def open_keyring(store: EventStore, kek_path: Path) -> Keyring:
    """The KEK to start with: created only when the log is empty, otherwise loaded (never invented)."""
    record = await read_kek_record(store)
    if not record.exists:
        keyring, created = Keyring.load_or_create(kek_path)
        if created:
            log.warning("key_encryption_key_created", path=str(kek_path), key_id=keyring.key_id)
        return keyring
    if not os.path.lexists(kek_path):
        needed = record.key_id or key_id_of((await _sample_secret(store, record, whole_log=True) or ("", ""))[0])
        raise KeyCheckFailed(refusal(needed, kek_path, f"the key file `{kek_path}` does not exist"))
    try:
        return Keyring.from_file(kek_path)
    except KeyringError as e:
        needed = record.key_id or key_id_of((await _sample_secret(store, record, whole_log=True) or ("", ""))[0])
        raise KeyCheckFailed(refusal(needed, kek_path, str(e))) from None


async def check_keyring(store: EventStore, clock: Clock, keyring: Keyring, kek_path: Path) -> None:
    """Refuse (KeyCheckFailed) a KEK that is not the one the log records or cannot open its secrets;
    record the fingerprint of a log written before fingerprints were."""
    while True:
        record = await read_kek_record(store)
        if record.rotating is not None:
            source, target = record.rotating
            raise KeyCheckFailed(
                f"iamd refuses to start: a rotation of the key-encryption key from {source} to {target} was "
                f"interrupted; finish it with `iamd rotate-kek --kek-file <key {source}> --new-kek-file "
                f"<key {target}>` (the key file read was `{kek_path}`, fingerprint {keyring.key_id})")
        if record.key_id and not hmac.compare_digest(record.key_id, keyring.key_id):
            raise KeyCheckFailed(refusal(record.key_id, kek_path,
                                         f"the key file `{kek_path}` holds the key {keyring.key_id}"))
        sample = await _sample_secret(store, record, whole_log=not record.key_id)
        if sample is not None:
            _open_or_refuse(keyring, sample, kek_path, record.key_id)
        if record.key_id or not record.exists:
            return
        event = KeyEncryptionKeyRecorded(keyring.key_id, "verified", iso8601(clock.now()))
        try:
            await store.append(DEPLOYMENT_STREAM, [NewEvent("KeyEncryptionKeyRecorded", event.to_data(),
                                                            _metadata("start", event.recorded_at))], record.version)
        except WrongExpectedVersion:
            continue  # another replica recorded it (or started a rotation): check again
        log.warning("key_encryption_key_recorded", key_id=keyring.key_id, reason="verified", path=str(kek_path))
        return


def _open_or_refuse(keyring: Keyring, sample: tuple[str, str], kek_path: Path, recorded: str) -> None:
    ciphertext, context = sample
    try:
        keyring.decrypt(ciphertext, context=context)
    except KeyringError as e:
        needed = key_id_of(ciphertext) or recorded
        raise KeyCheckFailed(refusal(needed, kek_path, f"the key file `{kek_path}` (key {keyring.key_id}) cannot "
                                                       f"decrypt them ({e})")) from None


async def _sample_secret(store: EventStore, record: KekRecord, *, whole_log: bool) -> tuple[str, str] | None:
    """(ciphertext, context) of one stored secret: the root user's live access key, else (for a log
    that has never been rotated) the first secret in the log."""
    if record.account_id:
        keys: dict[str, str] = {}
        for event in await store.read_stream(f"account-{record.account_id}-root"):
            if event.type in ("AccountAccessKeyCreated", "AccountAccessKeySecretReencrypted"):
                keys[str(event.data["access_key_id"])] = str(event.data["secret_ciphertext"])
            elif event.type == "AccountAccessKeyDeleted":
                keys.pop(str(event.data["access_key_id"]), None)
        for key_id, ciphertext in keys.items():
            return ciphertext, key_id
    if not whole_log:
        return None
    async with contextlib.aclosing(store.read_all(filter=EventFilter(event_types=_SECRET_EVENTS), limit=1)) as events:
        async for event in events:
            return _secret_of(event.data)
    return None


def _secret_of(data: Any) -> tuple[str, str]:
    if "seed_ciphertext" in data:
        return str(data["seed_ciphertext"]), str(data["serial_number"])
    return str(data["secret_ciphertext"]), str(data["access_key_id"])


# --- rotation ------------------------------------------------------------------------------------
@dataclass
class Secret:
    """One live secret as the log holds it now: where it lives and its current ciphertext."""

    stream: str
    kind: str  # "access key", "session", "MFA device", "server certificate", "SAML private key",
    #            "outbound federation signing key"
    name: str  # its access key id or serial number (the AEAD context; not secret)
    ciphertext: str
    owner: str = ""  # the ARN of what holds it, where its event names it (a SAML provider)

    def reencrypted(self, ciphertext: str, key_id: str, now: str) -> NewEvent:
        if self.kind == "session":
            event: Any = SessionSecretReencrypted(self.name, ciphertext, key_id, now)
            type_name = "SessionSecretReencrypted"
        elif self.kind == "MFA device":
            event = VirtualMFADeviceSeedReencrypted(self.name, ciphertext, key_id, now)
            type_name = "VirtualMFADeviceSeedReencrypted"
        elif self.kind == "server certificate":
            event = ServerCertificatePrivateKeyReencrypted(ciphertext, key_id, now)
            type_name = "ServerCertificatePrivateKeyReencrypted"
        elif self.kind == "outbound federation signing key":
            event = OutboundWebIdentitySigningKeyReencrypted(self.name, ciphertext, key_id, now)
            type_name = "OutboundWebIdentitySigningKeyReencrypted"
        elif self.kind == "SAML private key":
            event = SAMLProviderPrivateKeyReencrypted(self.owner, self.name, ciphertext, key_id, now)
            type_name = "SAMLProviderPrivateKeyReencrypted"
        else:
            event = AccessKeySecretReencrypted(self.name, ciphertext, key_id, now)
            type_name = event_type(ACCOUNT if self.stream.startswith("account-") else USER, event)
        return NewEvent(type_name, event.to_data(), _metadata("rotate-kek", now))


@dataclass
class RotationReport:
    previous_key_id: str
    key_id: str
    reencrypted: dict[str, int] = field(default_factory=dict)  # by kind
    already: int = 0  # sealed under the new key already (a resumed rotation)
    resumed: bool = False


async def live_secrets(store: EventStore) -> tuple[list[Secret], dict[str, int]]:
    """Every secret the current state holds (deleted keys and devices are gone), and each stream's
    version, folded from the log exactly as the server's identity projection folds it."""
    projection = IdentityProjection()
    versions: dict[str, int] = {}
    async for event in store.read_all(filter=IDENTITY_STREAMS):
        projection.apply(event)
        versions[event.stream] = event.version
    secrets: list[Secret] = []
    for key_id, entry in projection.access_keys.items():
        secrets.append(Secret(f"{entry['kind']}-{entry['account_id']}-{entry['key']}", "access key", key_id,
                              entry["ciphertext"]))
    for key_id, session in projection.sessions.items():
        secrets.append(Secret(f"session-{session['account_id']}-{key_id.lower()}", "session", key_id,
                              session["secret_ciphertext"]))
    for serial, device in projection.mfa_devices.items():
        secrets.append(Secret(f"mfa-{device['account_id']}-{device['key']}", "MFA device", serial,
                              device["seed_ciphertext"]))
    for key, certificate in projection.server_certificates.items():  # the private key, bound to the ASCA id
        secrets.append(Secret(f"servercertificate-{certificate['account_id']}-{key.split('/', 1)[1]}",
                              "server certificate", certificate["id"], certificate["private_key_ciphertext"]))
    for arn, provider in projection.saml_providers.items():  # assertion-decryption keys, bound to their KeyId
        for key in provider.get("private_keys", []):
            secrets.append(Secret(saml.stream(provider["account_id"], provider["name"]), "SAML private key",
                                  key["key_id"], key["private_key_ciphertext"], owner=arn))
    for account_id, state in projection.outbound_federation.items():  # token signing keys, bound to their kid
        for key in state.keys:
            secrets.append(Secret(outbound_federation.stream(account_id), "outbound federation signing key", key.kid,
                                  key.private_key_ciphertext))
    return secrets, versions


async def rotate_kek(store: EventStore, clock: Clock, old: Keyring, new: Keyring) -> RotationReport:
    """Re-encrypt every live secret from `old` to `new` by appending events, then record `new`.

    Refuses (KeyCheckFailed) when `old` is not the recorded key, when a secret cannot be opened
    with it (before anything is written), or when another rotation is unfinished with other keys.
    Stop every iamd using the log first: one still running would seal new secrets under `old`.
    """
    record = await read_kek_record(store)
    if not record.exists:
        raise KeyCheckFailed("the log is empty: there is nothing to rotate (the first start records its key)")
    report = RotationReport(old.key_id, new.key_id)
    if record.rotating is not None:
        if (old.key_id, new.key_id) != record.rotating:
            raise KeyCheckFailed(f"a rotation from {record.rotating[0]} to {record.rotating[1]} is unfinished; "
                                 f"run it again with those two keys (given: {old.key_id} to {new.key_id})")
        report.resumed = True
    else:
        if old.key_id == new.key_id:
            raise KeyCheckFailed(f"the new key is the current key ({old.key_id})")
        if record.key_id and not hmac.compare_digest(record.key_id, old.key_id):
            raise KeyCheckFailed(f"the log records the key-encryption key {record.key_id}, but --kek-file holds "
                                 f"{old.key_id}")
    secrets, versions = await live_secrets(store)
    todo: list[tuple[Secret, bytes]] = []
    unreadable: list[str] = []
    for secret in secrets:
        if key_id_of(secret.ciphertext) == new.key_id:  # re-encrypted by an interrupted run already
            try:
                new.decrypt(secret.ciphertext, context=secret.name)
                report.already += 1
            except KeyringError as e:
                unreadable.append(f"{secret.kind} {secret.name} ({e})")
            continue
        try:
            todo.append((secret, old.decrypt(secret.ciphertext, context=secret.name)))
        except KeyringError as e:
            unreadable.append(f"{secret.kind} {secret.name} ({e})")
    if unreadable:
        raise KeyCheckFailed(f"{len(unreadable)} secret(s) cannot be opened with the key {old.key_id}, so "
                             f"nothing was rotated: " + "; ".join(unreadable[:10]))
    if not report.resumed:
        now = iso8601(clock.now())
        started = KeyEncryptionKeyRotationStarted(old.key_id, new.key_id, now)
        try:
            await store.append(DEPLOYMENT_STREAM, [NewEvent("KeyEncryptionKeyRotationStarted", started.to_data(),
                                                            _metadata("rotate-kek", now))], record.version)
        except WrongExpectedVersion:
            raise KeyCheckFailed("the deployment stream changed while rotating (is another rotation running?); "
                                 "nothing was rotated") from None
        record.version += 1
        log.warning("key_encryption_key_rotation_started", from_key_id=old.key_id, to_key_id=new.key_id)
    now = iso8601(clock.now())
    by_stream: dict[str, list[NewEvent]] = {}
    for secret, plaintext in todo:
        ciphertext = new.encrypt(plaintext, context=secret.name)
        by_stream.setdefault(secret.stream, []).append(secret.reencrypted(ciphertext, new.key_id, now))
        report.reencrypted[secret.kind] = report.reencrypted.get(secret.kind, 0) + 1
    del todo  # plaintexts: keep them no longer than needed
    streams = list(by_stream.items())
    for start in range(0, len(streams), _REENCRYPT_BATCH):
        batch = streams[start:start + _REENCRYPT_BATCH]
        results = await asyncio.gather(*(store.append(stream, events, versions.get(stream, StreamState.EXISTS))
                                         for stream, events in batch), return_exceptions=True)
        failed = [stream for (stream, _), result in zip(batch, results, strict=True)
                  if isinstance(result, BaseException)]
        if failed:
            raise KeyCheckFailed(f"{len(failed)} stream(s) changed or could not be written during the rotation "
                                 f"(first: {failed[0]}); stop every iamd using this log and run rotate-kek again "
                                 f"with the same keys to finish it")
    done = KeyEncryptionKeyRecorded(new.key_id, "rotated", iso8601(clock.now()), previous_key_id=old.key_id)
    try:
        await store.append(DEPLOYMENT_STREAM, [NewEvent("KeyEncryptionKeyRecorded", done.to_data(),
                                                        _metadata("rotate-kek", done.recorded_at))], record.version)
    except WrongExpectedVersion:
        raise KeyCheckFailed("the deployment stream changed while rotating; run rotate-kek again with the same "
                             "keys to finish") from None
    log.warning("key_encryption_key_rotated", from_key_id=old.key_id, to_key_id=new.key_id,
                reencrypted=sum(report.reencrypted.values()))
    return report


def _metadata(request_id: str, now: str) -> dict[str, Any]:
    return {"actor": "iamd", "request_id": request_id, "time": now}
