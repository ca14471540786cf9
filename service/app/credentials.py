"""Access keys: create (the secret is returned once), list, activate/deactivate, delete, last use.

A secret is encrypted under the key-encryption key before it becomes part of an event; the
plaintext exists only in the CreateAccessKey response and in the authenticator's memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iamd.projections.identity import IdentityProjection, View
from iamd.service.auth.keyring import Keyring
from iamd.service.domain import identity, names
from iamd.service.domain.errors import FieldProblem, NoSuchEntityError, ValidationError
from iamd.service.domain.events import ACCOUNT, USER, AccessKeyUsed
from iamd.service.domain.names import casefold
from iamd.service.eventstore.errors import WrongExpectedVersion
from iamd.service.eventstore.port import EventStore

from .authenticate import Caller
from .ports import CallContext, Clock, IdFactory, iso8601
from .repository import Repository, with_retries

ROOT = "root"  # the account stream's name part: `account-123456789012-root`


@dataclass(frozen=True)
class NewAccessKey:
    user_name: str
    access_key_id: str
    secret_access_key: str
    status: str
    created_at: str

    def __repr__(self) -> str:  # never print the secret
        return f"NewAccessKey({self.user_name!r}, {self.access_key_id!r}, status={self.status!r})"


def _check_status(status: str) -> str:
    if status not in identity.ACCESS_KEY_STATUSES:
        raise ValidationError(f"1 validation error detected: Value '{status}' at 'status' failed to satisfy "
                              "constraint: Member must satisfy enum value set: [Active, Inactive]",
                              problems=[FieldProblem("status", "Active or Inactive")])
    return status


class CredentialCommands:
    def __init__(self, store: EventStore, clock: Clock, ids: IdFactory, keyring: Keyring,
                 projection: IdentityProjection) -> None:
        self.repo = Repository(store)
        self.clock = clock
        self.ids = ids
        self.keyring = keyring
        self.projection = projection
        self._noted: dict[str, str] = {}  # access key id -> the hour its use was last recorded

    def _owner(self, ctx: CallContext, caller: Caller | None, user_name: str) -> tuple[str, str]:
        """(kind, name) of the keys' owner: the named user, else the caller itself (AWS's rule)."""
        if user_name:
            names.check_name(USER, "userName", user_name)
            return USER, user_name
        if caller is not None and caller.kind == "user":
            return USER, caller.name
        if caller is not None and not caller.is_root:
            # A role's or federated user's session owns no keys: taken for the root user's, they let a
            # role allowed iam:CreateAccessKey mint root credentials. AWS's ValidationError (API
            # reference, ListAccessKeys: "If a temporary access key is used, then UserName is required").
            raise ValidationError("Must specify userName when calling with non-User credentials",
                                  problems=[FieldProblem("userName", "required with a role's or federated user's "
                                                         "credentials")])
        return ACCOUNT, ROOT

    async def create_access_key(self, ctx: CallContext, caller: Caller | None, user_name: str = "") -> tuple[NewAccessKey, int]:
        kind, name = self._owner(ctx, caller, user_name)
        key_id = self.ids.access_key_id()
        secret = self.ids.secret()
        ciphertext = self.keyring.encrypt(secret.encode(), context=key_id)
        now = iso8601(self.clock.now())
        owner: list[str] = []

        async def attempt() -> int:
            loaded = await self.repo.load_entity(kind, ctx.account_id, name)
            state = identity.require(loaded.state, name)  # type: ignore[arg-type]
            owner[:] = [state.name]  # the user's name as created, not as the request cased it
            events = identity.create_access_key(loaded.state, key_id, ciphertext, now)  # type: ignore[arg-type]
            return await self.repo.append(kind, loaded, events, ctx, now)

        position = await with_retries(attempt)
        shown_name = owner[0] if kind == USER else ""
        return NewAccessKey(shown_name, key_id, secret, "Active", now), position

    async def update_access_key(self, ctx: CallContext, caller: Caller | None, *, access_key_id: str,
                                status: str, user_name: str = "") -> int:
        _check_status(status)
        kind, name = self._owner(ctx, caller, user_name)
        return await self._change(ctx, kind, name, lambda s: identity.update_access_key(s, access_key_id, status))

    async def delete_access_key(self, ctx: CallContext, caller: Caller | None, *, access_key_id: str,
                                user_name: str = "") -> int:
        kind, name = self._owner(ctx, caller, user_name)
        return await self._change(ctx, kind, name, lambda s: identity.delete_access_key(s, access_key_id))

    async def _change(self, ctx: CallContext, kind: str, name: str, decide: Any) -> int:
        async def attempt() -> int:
            loaded = await self.repo.load_entity(kind, ctx.account_id, name)
            identity.require(loaded.state, name)  # type: ignore[arg-type]
            return await self.repo.append(kind, loaded, decide(loaded.state), ctx, iso8601(self.clock.now()))

        return await with_retries(attempt)

    def list_access_keys(self, ctx: CallContext, caller: Caller | None, user_name: str = "") -> list[View]:
        kind, name = self._owner(ctx, caller, user_name)
        if kind == USER:
            account = self.projection.account(ctx.account_id)
            user = account.users.get(casefold(name)) if account else None
            if user is None:
                raise identity.not_found(USER, name)
            name = user["name"]  # as created, whatever the case the request used
        keys = [{"access_key_id": key_id, "user_name": name if kind == USER else "", **entry}
                for key_id, entry in self.projection.access_keys.items()
                if entry["account_id"] == ctx.account_id and entry["kind"] == kind and entry["key"] == casefold(name)]
        return sorted(keys, key=lambda k: k["created_at"])

    def access_key_last_used(self, ctx: CallContext, access_key_id: str) -> tuple[str, View | None]:
        entry = self.projection.access_keys.get(access_key_id)
        if entry is None or entry["account_id"] != ctx.account_id:
            raise NoSuchEntityError(f"The Access Key with id {access_key_id} cannot be found.",
                                    resource_type="access key", resource_name=access_key_id)
        user_name = ""
        if entry["kind"] == USER:
            user_name = self.projection.accounts[entry["account_id"]].users[entry["key"]]["name"]
        return user_name, entry["last_used"]

    def use_to_record(self, access_key_id: str) -> bool:
        """Whether a use of this key now would be its first recorded in this hour (every call asks)."""
        entry = self.projection.access_keys.get(access_key_id)
        if entry is None:
            return False
        hour = iso8601(self.clock.now())[:13]
        last = entry.get("last_used") or {}
        return last.get("used_at", "")[:13] != hour and self._noted.get(access_key_id) != hour

    async def record_use(self, ctx: CallContext, caller: Caller, service_name: str) -> None:
        """Note a key's use for GetAccessKeyLastUsed, at most once an hour (best effort)."""
        if not self.use_to_record(caller.access_key_id):
            return
        now = self.clock.now()
        hour = iso8601(now)[:13]
        self._noted[caller.access_key_id] = hour  # one append per key and hour, even before it projects
        kind, name = (ACCOUNT, ROOT) if caller.is_root else (USER, caller.name)
        loaded = await self.repo.load_entity(kind, ctx.account_id, name)
        used = AccessKeyUsed(caller.access_key_id, iso8601(now), service_name, "us-east-1")
        try:
            await self.repo.append(kind, loaded, [used], ctx, iso8601(now))
        except WrongExpectedVersion:
            pass  # a concurrent change to the user: the mark is best effort, the call goes on
