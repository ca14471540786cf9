"""Signing certificates of IAM users: UploadSigningCertificate, ListSigningCertificates,
UpdateSigningCertificate, DeleteSigningCertificate (rules and parsing:
service/domain/signing_certificates.py).

The certificates live in the user's stream (the limit of 2 and DeleteUser's DeleteConflict hold
under any concurrency). AWS refuses a certificate already associated with any IAM user of the
account (DuplicateCertificate): within the user that is decided on the user's stream; across the
account's other users it is checked on the projection, as the account quotas are, so two uploads
of one certificate to two users at the same instant may both pass.
"""

from __future__ import annotations

import secrets

from iamd.projections.identity import IdentityProjection, View
from iamd.service.domain import identity, signing_certificates, ssh_public_keys
from iamd.service.domain.events import USER
from iamd.service.domain.names import casefold

from .authenticate import Caller
from .identity import IdentityCommands
from .login_profiles import LoginProfileCommands
from .ports import CallContext, Clock, iso8601
from .queries import Page, paginate


class SigningCertificateCommands:
    def __init__(self, identity_commands: IdentityCommands, clock: Clock, projection: IdentityProjection) -> None:
        self.identity = identity_commands
        self.clock = clock
        self.projection = projection

    @staticmethod
    def new_id() -> str:
        """A certificate id as AWS's: upper-case letters and digits (32 here)."""
        return secrets.token_hex(16).upper()

    async def upload(self, ctx: CallContext, caller: Caller | None, *, user_name: str,
                     body: str) -> tuple[View, int]:
        name = LoginProfileCommands.user_of(caller, user_name)
        now = self.clock.now()
        parsed = signing_certificates.parse(body, now)
        account = self.projection.account(ctx.account_id)
        if account is not None and any(c["sha256"] == parsed.sha256 for u in account.users.values()
                                       for c in u.get("signing_certificates", {}).values()):
            raise signing_certificates.duplicate()
        cert_id = self.new_id()
        uploaded = iso8601(now)
        named: list[str] = []

        def decide(state: identity.EntityState) -> list:
            named[:] = [state.name]
            return signing_certificates.upload(state, state.name, cert_id=cert_id, parsed=parsed, now=uploaded)

        position = await self.identity._change_entity(USER, ctx, name, decide)
        return {"user_name": named[0] if named else name, "id": cert_id, "body": parsed.body, "status": "Active",
                "uploaded_at": uploaded}, position

    async def update(self, ctx: CallContext, caller: Caller | None, *, user_name: str, cert_id: str,
                     status: str) -> int:
        name = LoginProfileCommands.user_of(caller, user_name)
        signing_certificates.check_id("certificateId", cert_id)
        ssh_public_keys.check_status("status", status)
        return await self.identity._change_entity(
            USER, ctx, name, lambda s: signing_certificates.update(s, s.name, cert_id, status))

    async def delete(self, ctx: CallContext, caller: Caller | None, *, user_name: str, cert_id: str) -> int:
        name = LoginProfileCommands.user_of(caller, user_name)
        signing_certificates.check_id("certificateId", cert_id)
        return await self.identity._change_entity(
            USER, ctx, name, lambda s: signing_certificates.delete(s, s.name, cert_id))

    def list(self, ctx: CallContext, caller: Caller | None, *, user_name: str, max_items: int, marker: str) -> Page:
        """A user's certificates (no name: the calling IAM user's; the root user's are not kept)."""
        if not user_name and (caller is None or caller.kind != "user"):
            return paginate([], str, max_items, marker)
        name = LoginProfileCommands.user_of(caller, user_name)
        account = self.projection.account(ctx.account_id)
        user = account.users.get(casefold(name)) if account else None
        if user is None:
            raise identity.not_found(USER, name)
        return paginate([{**c, "user_name": user["name"]} for c in user.get("signing_certificates", {}).values()],
                        lambda c: f"{c['uploaded_at']}/{c['id']}", max_items, marker)
