"""Service-specific credentials of IAM users: CreateServiceSpecificCredential,
ListServiceSpecificCredentials, ResetServiceSpecificCredential, UpdateServiceSpecificCredential,
DeleteServiceSpecificCredential (rules: service/domain/service_specific_credentials.py).

How the password is kept: iamd generates it (44 random bytes, 60 characters of base64), answers it
once (the create, a reset) and keeps only its salted scrypt hash, as a console password's
(service/auth/passwords.py), in the user's stream. Not sealed under the KEK as access-key secrets
are: a secret access key must be read back to check a SigV4 signature, a password only has to be
compared with what a client presents, which the hash allows (in constant time, `verify_password`)
without iamd ever holding it again. The projection and every answer but those two hold no password
and no hash; audit records show `servicePassword` hidden. Hashing runs off the event loop.
"""

from __future__ import annotations

import asyncio
import base64
import os

from iamd.projections.identity import IdentityProjection, View
from iamd.service.auth.passwords import hash_password
from iamd.service.domain import identity, names, service_specific_credentials as credentials, ssh_public_keys
from iamd.service.domain.events import USER
from iamd.service.domain.names import casefold

from .authenticate import Caller
from .identity import IdentityCommands
from .login_profiles import LoginProfileCommands
from .ports import CallContext, Clock, IdFactory, iso8601
from .queries import Page, paginate


def _password() -> str:
    """A new password as AWS generates them: 60 characters (44 random bytes in base64)."""
    return base64.b64encode(os.urandom(credentials.PASSWORD_BYTES)).decode("ascii")


async def _hashed(password: str) -> str:
    return await asyncio.to_thread(hash_password, password, os.urandom(16))


class ServiceSpecificCredentialCommands:
    def __init__(self, identity_commands: IdentityCommands, clock: Clock, ids: IdFactory,
                 projection: IdentityProjection) -> None:
        self.identity = identity_commands
        self.clock = clock
        self.ids = ids
        self.projection = projection

    async def create(self, ctx: CallContext, *, user_name: str, service_name: str) -> tuple[View, int]:
        """A new credential, with the only copy of its password iamd will ever give."""
        names.check_name(USER, "userName", user_name)
        credential_id = self.ids.unique_id(credentials.ID_PREFIX)  # ACCA and 17 characters: 21, as AWS's
        password = _password()
        password_hash = await _hashed(password)
        now = iso8601(self.clock.now())
        made: list[str] = []

        def decide(state: identity.EntityState) -> list:
            made[:] = [state.name, credentials.service_user_name(state.name, ctx.account_id)]
            return credentials.create(state, credential_id=credential_id, service_name=service_name,
                                      service_user_name=made[1], password_hash=password_hash, now=now)

        position = await self.identity._change_entity(USER, ctx, user_name, decide)
        return {"user_name": made[0], "service_name": service_name, "service_user_name": made[1],
                "service_password": password, "id": credential_id, "status": "Active", "created_at": now}, position

    async def reset(self, ctx: CallContext, caller: Caller | None, *, user_name: str,
                    credential_id: str) -> tuple[View, int]:
        """A new password for the credential; the old one stops matching at once."""
        name = LoginProfileCommands.user_of(caller, user_name)
        credentials.check_id("serviceSpecificCredentialId", credential_id)
        password = _password()
        password_hash = await _hashed(password)
        now = iso8601(self.clock.now())
        found: list[tuple[str, dict]] = []

        def decide(state: identity.EntityState) -> list:
            events = credentials.reset(state, credential_id, password_hash=password_hash, now=now)
            found[:] = [(state.name, dict(state.service_specific_credentials[credential_id]))]
            return events

        position = await self.identity._change_entity(USER, ctx, name, decide)
        user, credential = found[0]
        return {"user_name": user, "service_name": credential["service_name"],
                "service_user_name": credential["service_user_name"], "service_password": password,
                "id": credential_id, "status": credential["status"], "created_at": credential["created_at"]}, position

    async def update(self, ctx: CallContext, caller: Caller | None, *, user_name: str, credential_id: str,
                     status: str) -> int:
        name = LoginProfileCommands.user_of(caller, user_name)
        credentials.check_id("serviceSpecificCredentialId", credential_id)
        ssh_public_keys.check_status("status", status)
        return await self.identity._change_entity(USER, ctx, name,
                                                  lambda s: credentials.update(s, credential_id, status))

    async def delete(self, ctx: CallContext, caller: Caller | None, *, user_name: str, credential_id: str) -> int:
        name = LoginProfileCommands.user_of(caller, user_name)
        credentials.check_id("serviceSpecificCredentialId", credential_id)
        return await self.identity._change_entity(USER, ctx, name, lambda s: credentials.delete(s, credential_id))

    # --- queries (the identity projection) -----------------------------------------------------
    def list(self, ctx: CallContext, caller: Caller | None, *, user_name: str, service_name: str, max_items: int,
             marker: str) -> Page:
        """A user's credentials (no name: the calling IAM user's), of one service or all, oldest
        first; never a password."""
        if not user_name and (caller is None or caller.kind != "user"):
            if service_name:
                credentials.check_service("serviceName", service_name)
            return paginate([], str, max_items, marker)  # the root user (or a role) holds none
        name = LoginProfileCommands.user_of(caller, user_name)
        account = self.projection.account(ctx.account_id)
        user = account.users.get(casefold(name)) if account else None
        if user is None:
            raise identity.not_found(USER, name)
        if service_name:
            credentials.check_service("serviceName", service_name)
        held = [{**c, "user_name": user["name"]} for c in user.get("service_specific_credentials", {}).values()
                if not service_name or c["service_name"] == service_name]
        return paginate(held, lambda c: f"{c['created_at']}/{c['id']}", max_items, marker)
