"""SSH public keys of IAM users: UploadSSHPublicKey, GetSSHPublicKey, ListSSHPublicKeys,
UpdateSSHPublicKey, DeleteSSHPublicKey (rules and parsing: service/domain/ssh_public_keys.py).

The keys live in the user's stream: an upload is decided on the user's state at the version
loaded (the limit of 5 and the duplicate check hold under any concurrency), and DeleteUser,
deciding at the user's version too, refuses while one is left.
"""

from __future__ import annotations

from iamd.projections.identity import IdentityProjection, View
from iamd.service.domain import identity, names, ssh_public_keys
from iamd.service.domain.events import USER
from iamd.service.domain.names import casefold

from .authenticate import Caller
from .identity import IdentityCommands
from .login_profiles import LoginProfileCommands
from .ports import CallContext, Clock, IdFactory, iso8601
from .queries import Page, paginate


class SSHPublicKeyCommands:
    def __init__(self, identity_commands: IdentityCommands, clock: Clock, ids: IdFactory,
                 projection: IdentityProjection) -> None:
        self.identity = identity_commands
        self.clock = clock
        self.ids = ids
        self.projection = projection

    async def upload(self, ctx: CallContext, *, user_name: str, body: str) -> tuple[View, int]:
        names.check_name(USER, "userName", user_name)
        parsed = ssh_public_keys.parse(body)
        key_id = self.ids.access_key_id(ssh_public_keys.ID_PREFIX)  # APKA and 16 characters: 20, as AWS's
        now = iso8601(self.clock.now())
        named: list[str] = []

        def decide(state: identity.EntityState) -> list:
            named[:] = [state.name]
            return ssh_public_keys.upload(state, state.name, key_id=key_id, parsed=parsed, now=now)

        position = await self.identity._change_entity(USER, ctx, user_name, decide)
        return {"user_name": named[0] if named else user_name, "id": key_id, "body": parsed.openssh,
                "fingerprint": parsed.fingerprint, "status": "Active", "uploaded_at": now}, position

    async def update(self, ctx: CallContext, *, user_name: str, key_id: str, status: str) -> int:
        names.check_name(USER, "userName", user_name)
        ssh_public_keys.check_id("sSHPublicKeyId", key_id)
        ssh_public_keys.check_status("status", status)
        return await self.identity._change_entity(
            USER, ctx, user_name, lambda s: ssh_public_keys.update(s, s.name, key_id, status))

    async def delete(self, ctx: CallContext, *, user_name: str, key_id: str) -> int:
        names.check_name(USER, "userName", user_name)
        ssh_public_keys.check_id("sSHPublicKeyId", key_id)
        return await self.identity._change_entity(
            USER, ctx, user_name, lambda s: ssh_public_keys.delete(s, s.name, key_id))

    # --- queries (the identity projection) -----------------------------------------------------
    def _user(self, ctx: CallContext, user_name: str) -> View:
        names.check_name(USER, "userName", user_name)
        account = self.projection.account(ctx.account_id)
        user = account.users.get(casefold(user_name)) if account else None
        if user is None:
            raise identity.not_found(USER, user_name)
        return user

    def get(self, ctx: CallContext, *, user_name: str, key_id: str, encoding: str) -> View:
        """The key in the encoding asked for ("SSH" or "PEM")."""
        ssh_public_keys.check_encoding("encoding", encoding)
        user = self._user(ctx, user_name)
        key = user.get("ssh_public_keys", {}).get(key_id)
        if key is None:
            raise ssh_public_keys.not_found(key_id, user["name"])
        return {**key, "user_name": user["name"], "body": ssh_public_keys.encoded(key["body"], encoding)}

    def list(self, ctx: CallContext, caller: Caller | None, *, user_name: str, max_items: int, marker: str) -> Page:
        """A user's keys (no name: the calling IAM user's), oldest first."""
        if not user_name and (caller is None or caller.kind != "user"):
            return paginate([], str, max_items, marker)  # the root user (or a role) holds no SSH keys
        name = LoginProfileCommands.user_of(caller, user_name)
        user = self._user(ctx, name)
        return paginate([{**k, "user_name": user["name"]} for k in user.get("ssh_public_keys", {}).values()],
                        lambda k: f"{k['uploaded_at']}/{k['id']}", max_items, marker)
