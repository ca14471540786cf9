"""Review of the other IAM resources (server certificates, ...): races and refusals made
deterministic against the use cases over an in-memory store."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from iamd.projections.identity import IdentityProjection
from iamd.service.app.account_alias import AccountAliasCommands
from iamd.service.app.ports import CallContext, RandomIds, SystemClock
from iamd.service.app.repository import Repository
from iamd.service.app.server_certificates import ServerCertificateCommands
from iamd.service.auth.keyring import Keyring
from iamd.service.domain import account_alias, server_certificates
from iamd.service.domain.errors import EntityAlreadyExistsError, NoSuchEntityError
from iamd.service.domain.events import decode_event
from iamd.service.eventstore import EventCodec
from iamd.service.eventstore.memory import InMemoryEventStore

ACCOUNT = "123456789012"
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _ctx(account: str = ACCOUNT) -> CallContext:
    return CallContext(uuid.uuid4().hex, account, f"arn:aws:iam::{account}:root", operation="review")


def _pem() -> tuple[str, str]:
    now = datetime.now(UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "iamd.test")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(_KEY.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30)).sign(_KEY, hashes.SHA256()))
    key = _KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM).decode(), key.decode()


class _PausingRepository(Repository):
    """Pauses the first load of `stream` until released: a rename that has read the certificate
    under its old name (and the new name's stream) waits there while another call runs."""

    def __init__(self, store: Any, stream: str) -> None:
        super().__init__(store)
        self.stream, self.reached, self.release = stream, asyncio.Event(), asyncio.Event()

    async def load(self, stream: str, fold: Any) -> Any:
        loaded = await super().load(stream, fold)
        if stream == self.stream and not self.reached.is_set():
            self.reached.set()
            await self.release.wait()
        return loaded


async def _state(store: InMemoryEventStore, name: str) -> server_certificates.ServerCertificateState:
    recorded = await store.read_stream(server_certificates.stream(ACCOUNT, name))
    return server_certificates.fold([decode_event(r.type, dict(r.data)) for r in recorded])


async def _certificate_named_cert(pausing_before: str) -> tuple[InMemoryEventStore, _PausingRepository,
                                                                 ServerCertificateCommands]:
    """A server certificate "cert", uploaded through a repository that pauses the first load of the
    stream of the certificate named `pausing_before` (_PausingRepository)."""
    store = InMemoryEventStore(EventCodec())
    repo = _PausingRepository(store, server_certificates.stream(ACCOUNT, pausing_before))
    commands = ServerCertificateCommands(repo, SystemClock(), RandomIds(), Keyring(bytes(range(32))),
                                         IdentityProjection())
    body, key = _pem()
    await commands.upload(_ctx(), name="cert", path="/", body=body, private_key=key, chain="")
    return store, repo, commands


@pytest.mark.parametrize("other", ["rename", "delete"])
async def test_a_rename_that_loses_a_race_leaves_no_certificate_under_its_new_name(other: str) -> None:
    """UpdateServerCertificate (a rename) racing another rename or a delete of the same
    certificate: the loser answered NoSuchEntity, yet had already appended the whole certificate
    (its sealed private key too) to its new name's stream: a second certificate with the same id,
    or a deleted one back to life, in the listing and in a restart's fold."""
    store, repo, commands = await _certificate_named_cert(pausing_before="loser")

    loser = asyncio.create_task(commands.update(_ctx(), "cert", new_path="", new_name="loser"))
    await repo.reached.wait()  # the loser has read "cert" (and its new name's empty stream)
    if other == "rename":
        await commands.update(_ctx(), "cert", new_path="", new_name="winner")
    else:
        await commands.delete(_ctx(), "cert")
    repo.release.set()
    with pytest.raises(NoSuchEntityError):
        await loser

    assert not (await _state(store, "loser")).exists
    assert not (await _state(store, "cert")).exists
    assert (await _state(store, "winner")).exists == (other == "rename")


class _PausingRelease(Repository):
    """Pauses the next change of the alias's claim stream (DeleteAccountAlias releasing it, after
    it removed the alias from its account) until released."""

    def __init__(self, store: Any, stream: str) -> None:
        super().__init__(store)
        self.stream, self.armed, self.reached, self.release = stream, False, asyncio.Event(), asyncio.Event()

    async def change(self, kind: str, stream: str, *args: Any, **kwargs: Any) -> int:
        if stream == self.stream and self.armed:
            self.armed = False
            self.reached.set()
            await self.release.wait()
        return await super().change(kind, stream, *args, **kwargs)

    async def load(self, stream: str, fold: Any) -> Any:
        if stream == self.stream and self.armed:
            self.armed = False
            self.reached.set()
            await self.release.wait()
        return await super().load(stream, fold)


async def test_an_alias_created_again_while_its_delete_releases_it_stays_the_accounts_alone() -> None:
    """CreateAccountAlias racing a DeleteAccountAlias of the same alias in one account: the delete
    released the alias's claim after the create had recorded the alias again, so the account used
    an alias nobody held, and another account could then take it too (AWS: an alias names one
    account; EntityAlreadyExists for the second)."""
    store = InMemoryEventStore(EventCodec())
    repo = _PausingRelease(store, account_alias.claim_stream("shared"))
    aliases = AccountAliasCommands(repo, SystemClock(), IdentityProjection())
    await aliases.create(_ctx(), "shared")

    repo.armed = True
    deleting = asyncio.create_task(aliases.delete(_ctx(), "shared"))
    await repo.reached.wait()  # the alias is gone from the account; its claim not released yet
    await aliases.create(_ctx(), "shared")
    repo.release.set()
    await deleting

    with pytest.raises(EntityAlreadyExistsError):
        await aliases.create(_ctx("210987654321"), "shared")


async def test_a_rename_racing_a_tag_of_the_certificate_keeps_the_tag() -> None:
    """UpdateServerCertificate (a rename) racing TagServerCertificate on the old name: the rename
    retried, found its earlier copy under the new name and kept it, made before the tag: the tag,
    answered as done, was lost with the old name."""
    store, repo, commands = await _certificate_named_cert(pausing_before="renamed")

    renaming = asyncio.create_task(commands.update(_ctx(), "cert", new_path="", new_name="renamed"))
    await repo.reached.wait()
    await commands.tag(_ctx(), "cert", [("team", "web")])
    repo.release.set()
    await renaming

    assert not (await _state(store, "cert")).exists
    assert (await _state(store, "renamed")).tags == {"team": "web"}


async def _alias_of(store: InMemoryEventStore, account: str) -> str:
    recorded = await store.read_stream(account_alias.alias_stream(account))
    return account_alias.fold_alias([decode_event(r.type, dict(r.data)) for r in recorded]).alias


async def test_an_alias_another_account_took_while_a_create_recorded_it_stays_the_other_accounts() -> None:
    """The other side of the race above: the delete released the claim before the create recorded
    the alias again, and another account claimed and recorded it meanwhile: the create, finding
    the claim no longer its own, takes its record back (EntityAlreadyExists): one account per alias."""
    other = "210987654321"
    store = InMemoryEventStore(EventCodec())
    repo = _PausingRelease(store, account_alias.alias_stream(ACCOUNT))
    aliases = AccountAliasCommands(repo, SystemClock(), IdentityProjection())
    await aliases.create(_ctx(), "shared")

    repo.armed = True
    creating = asyncio.create_task(aliases.create(_ctx(), "shared"))
    await repo.reached.wait()  # claimed (already the account's), not recorded yet
    await aliases.delete(_ctx(), "shared")
    await aliases.create(_ctx(other), "shared")
    repo.release.set()
    with pytest.raises(EntityAlreadyExistsError):
        await creating

    assert (await _alias_of(store, ACCOUNT), await _alias_of(store, other)) == ("", "shared")
