"""Login profiles (console passwords): CreateLoginProfile, GetLoginProfile, UpdateLoginProfile,
DeleteLoginProfile (rules: service/domain/login_profiles.py).

The password is checked against the account's password policy (AWS's default one while the account
has none), then only its salted scrypt hash goes on (service/auth/passwords.py): the events, the
projection and every answer hold no password. Hashing runs off the event loop (it takes tens of
milliseconds on purpose).

The root user's own console password is reached only from an AssumeRoot session, without UserName
(AWS's rule): created (with a password, or none: password recovery allowed), read and deleted, in
the account's `account-ACCOUNT-rootpassword` stream (service/domain/login_profiles.py).
"""

from __future__ import annotations

import asyncio
import os

from iamd.projections.identity import IdentityProjection, View
from iamd.service.auth.passwords import hash_password, verify_password
from iamd.service.domain import identity, login_profiles, names
from iamd.service.domain.errors import FieldProblem, InvalidUserTypeError, ValidationError
from iamd.service.domain.events import ACCOUNT, USER
from iamd.service.domain.names import casefold

from .authenticate import Caller
from .identity import IdentityCommands
from .ports import CallContext, Clock, iso8601
from .repository import with_retries


class LoginProfileCommands:
    def __init__(self, identity_commands: IdentityCommands, clock: Clock, projection: IdentityProjection) -> None:
        self.identity = identity_commands
        self.clock = clock
        self.projection = projection

    @staticmethod
    def user_of(caller: Caller | None, user_name: str) -> str:
        """The user a call names, else the calling IAM user (AWS's rule for an omitted UserName; the
        root user's own console password is managed in an AssumeRoot session: is_root_session)."""
        if user_name:
            return names.check_name(USER, "userName", user_name)
        if caller is not None and caller.kind == "user":
            return caller.name
        if caller is not None and caller.is_root:
            raise ValidationError("UserName is required with the root user's credentials: to act on the root user's "
                                  "own console password, call from an AssumeRoot session",
                                  problems=[FieldProblem("userName", "required outside an AssumeRoot session")])
        raise ValidationError("UserName is required unless the caller is an IAM user",
                              problems=[FieldProblem("userName", "required")])

    @staticmethod
    def is_root_session(caller: Caller | None, user_name: str) -> bool:
        """A call without UserName from an AssumeRoot session: it acts on the root user's own password
        (IAM API reference: "you must use an AssumeRoot session to omit the user name")."""
        return (not user_name and caller is not None and caller.is_root and caller.session is not None
                and caller.session["kind"] == "root")

    async def _create_root(self, ctx: CallContext, password: str, password_reset_required: bool) -> tuple[View, int]:
        """The root user's console password: its hash, or none (password recovery allowed). AWS's rules
        for a root password are its default policy's, whatever the account's IAM password policy says."""
        password_hash = ""
        if password:
            login_profiles.check_wire("password", password)
            login_profiles.check_password("password", password, None)
            password_hash = await asyncio.to_thread(hash_password, password, os.urandom(16))
        now = iso8601(self.clock.now())
        position = await self.identity.repo.change(
            ACCOUNT, login_profiles.root_stream(ctx.account_id), login_profiles.fold_root, ctx, self.clock,
            lambda s: login_profiles.create_root(s, ctx.account_id, password_hash=password_hash,
                                                 password_reset_required=password_reset_required, now=now))
        return {"user_name": "", "created_at": now, "password_reset_required": bool(password_reset_required)}, position

    async def _hash(self, ctx: CallContext, field: str, password: str, user_name: str) -> str:
        """The checks in AWS's order: the value's form, the user (NoSuchEntity before any word on the
        password; the decider checks it again on the user's stream), then the password policy."""
        login_profiles.check_wire(field, password)
        user = await self.identity.repo.load_entity(USER, ctx.account_id, user_name)  # the stream, not a lagging view
        identity.require(user.state, user_name)  # type: ignore[arg-type]
        login_profiles.check_password(field, password, self.projection.password_policies.get(ctx.account_id))
        return await asyncio.to_thread(hash_password, password, os.urandom(16))

    async def create(self, ctx: CallContext, caller: Caller | None, *, user_name: str, password: str,
                     password_reset_required: bool) -> tuple[View, int]:
        if self.is_root_session(caller, user_name):
            return await self._create_root(ctx, password, password_reset_required)
        name = self.user_of(caller, user_name)
        password_hash = await self._hash(ctx, "password", password, name)
        now = iso8601(self.clock.now())
        created: list[str] = []

        def decide(state: identity.EntityState) -> list:
            created[:] = [state.name]
            return login_profiles.create(state, state.name, password_hash=password_hash,
                                         password_reset_required=password_reset_required, now=now)

        position = await self.identity._change_entity(USER, ctx, name, decide)
        return {"user_name": created[0] if created else name, "created_at": now,
                "password_reset_required": bool(password_reset_required)}, position

    async def update(self, ctx: CallContext, caller: Caller | None, *, user_name: str, password: str | None,
                     password_reset_required: bool | None) -> int:
        name = self.user_of(caller, user_name)
        password_hash = await self._hash(ctx, "password", password, name) if password is not None else ""
        now = iso8601(self.clock.now())
        return await self.identity._change_entity(
            USER, ctx, name, lambda s: login_profiles.update(s, s.name, password_hash=password_hash,
                                                             password_reset_required=password_reset_required,
                                                             now=now))

    async def delete(self, ctx: CallContext, caller: Caller | None, *, user_name: str) -> int:
        if self.is_root_session(caller, user_name):
            now = iso8601(self.clock.now())
            return await self.identity.repo.change(
                ACCOUNT, login_profiles.root_stream(ctx.account_id), login_profiles.fold_root, ctx, self.clock,
                lambda s: login_profiles.delete_root(s, ctx.account_id, now))
        name = self.user_of(caller, user_name)
        return await self.identity._change_entity(USER, ctx, name, lambda s: login_profiles.delete(s, s.name))

    def get(self, ctx: CallContext, caller: Caller | None, user_name: str) -> View:
        """The login profile as AWS shows it (no password, no hash)."""
        if self.is_root_session(caller, user_name):
            profile = self.projection.root_login_profiles.get(ctx.account_id)
            if profile is None:
                raise login_profiles.root_not_found(ctx.account_id)
            return {"user_name": "", "created_at": profile["created_at"],
                    "password_reset_required": profile["password_reset_required"]}
        name = self.user_of(caller, user_name)
        account = self.projection.account(ctx.account_id)
        user = account.users.get(casefold(name)) if account else None
        if user is None:
            raise identity.not_found(USER, name)
        profile = user.get("login_profile")
        if profile is None:
            raise login_profiles.not_found(user["name"])
        return {"user_name": user["name"], "created_at": profile["created_at"],
                "password_reset_required": profile["password_reset_required"]}

    async def change_password(self, ctx: CallContext, caller: Caller | None, *, old_password: str,
                              new_password: str) -> int:
        """ChangePassword: the calling IAM user's own password, in AWS's order: who may call it (an
        IAM user: InvalidUserType otherwise), the values' form, the user's console password
        (NoSuchEntity), HardExpiry (EntityTemporarilyUnmodifiable), the old password (AccessDenied),
        the policy's rules and PasswordReusePrevention (PasswordPolicyViolation). Only hashes are
        compared and stored; scrypt runs off the event loop."""
        if caller is None or caller.kind != "user":
            raise InvalidUserTypeError(
                "ChangePassword changes an IAM user's own console password: the root user and roles have none to "
                "change this way", problems=[FieldProblem("caller", "an IAM user's credentials")])
        login_profiles.check_wire("oldPassword", old_password)
        login_profiles.check_wire("newPassword", new_password)
        policy = self.projection.password_policies.get(ctx.account_id)
        now = self.clock.now()

        async def attempt() -> int:
            loaded = await self.identity._existing_entity(USER, ctx, caller.name)
            state: identity.EntityState = loaded.state  # type: ignore[assignment]
            profile = state.login_profile
            matches = profile is not None and await asyncio.to_thread(verify_password, old_password,
                                                                      profile["password_hash"])
            login_profiles.check_change(state, state.name, old_password_matches=matches)
            login_profiles.check_password("newPassword", new_password, policy)
            reuse = int((policy or {}).get("PasswordReusePrevention") or 0)
            if reuse:
                recent = [profile["password_hash"], *profile.get("previous_hashes", [])[::-1]][:reuse]  # type: ignore[index]
                if await asyncio.to_thread(lambda: any(verify_password(new_password, h) for h in recent)):
                    raise login_profiles.reused("newPassword", reuse)
            password_hash = await asyncio.to_thread(hash_password, new_password, os.urandom(16))
            events = login_profiles.change(state, state.name, password_hash=password_hash, now=iso8601(now))
            return await self.identity.repo.append(USER, loaded, events, ctx, iso8601(self.clock.now()))

        return await with_retries(attempt)
