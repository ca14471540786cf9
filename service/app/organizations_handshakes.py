"""Invitations into an organization (AWS's handshakes): the use cases of
InviteAccountToOrganization, AcceptHandshake, DeclineHandshake, CancelHandshake, DescribeHandshake
and the two listings, over the organization's stream (service/domain/organizations_handshakes.py
has the rules). The invited account is not in the organization yet: its calls find the
handshake's organization by id among every organization of the deployment."""

from __future__ import annotations

import secrets
import string
from collections.abc import Sequence
from typing import Any

from iamd.service.domain import organizations
from iamd.service.domain import organizations_handshakes as handshakes
from iamd.service.domain.errors import AccessDeniedError, HandshakeNotFoundError

from .organizations import OrganizationCommands
from .ports import CallContext, iso8601

_LOWER = string.ascii_lowercase + string.digits
_NOT_FOUND = "We can't find a handshake with the HandshakeId that you specified."
# AWS's answer to the management account accepting or declining its own invitation, and to the
# invited account canceling one (each is the other party's call).
_OTHER_PARTY = "You don't have permissions to access this resource."

Found = tuple[organizations.OrganizationState, str]  # the organization and a handshake id of it


class HandshakeCommands:
    def __init__(self, commands: OrganizationCommands) -> None:
        self.commands = commands

    def now(self) -> str:
        return iso8601(self.commands.clock.now())

    def _organization_with(self, handshake_id: str) -> organizations.OrganizationState:
        handshakes.check_handshake_id(handshake_id)
        for org in self.commands.projection.organizations.values():
            if handshake_id in org.handshakes:
                return org
        raise HandshakeNotFoundError(_NOT_FOUND, resource_type="handshake", resource_name=handshake_id)

    def _in_an_organization(self, account_id: str) -> bool:
        return account_id in self.commands.projection.organization_of_account

    async def invite(self, ctx: CallContext, *, target_type: str, target_id: str, notes: str = "",
                     tags: Sequence[tuple[str, str]] = ()) -> tuple[str, int]:
        """AWS's InviteAccountToOrganization: (the handshake's id, the position)."""
        management = self.commands._management_of(ctx)
        handshake_id = "h-" + "".join(secrets.choice(_LOWER) for _ in range(10))
        known = target_id in self.commands.projection.accounts
        in_org = self._in_an_organization(target_id)
        now = self.now()
        position = await self.commands._change(management, ctx, lambda s: handshakes.invite(
            s, handshake_id=handshake_id, target_type=target_type, target_id=target_id, notes=notes, tags=tags,
            account_known=known, in_an_organization=in_org, now=now))
        return handshake_id, position

    async def accept(self, ctx: CallContext, handshake_id: str) -> int:
        """AWS's AcceptHandshake, by the invited account: it joins the organization."""
        org = self._invited(ctx, handshake_id)
        name = self.commands.projection.account_aliases.get(ctx.account_id, ctx.account_id)
        # Membership spans organizations' streams: read and joined one at a time per account.
        async with self.commands.membership_slot(ctx.account_id):
            in_org = self._in_an_organization(ctx.account_id)
            now = self.now()
            return await self.commands._change(org.management_account_id, ctx, lambda s: handshakes.accept(
                s, handshake_id=handshake_id, account_id=ctx.account_id, in_an_organization=in_org, name=name,
                email="", now=now))

    async def decline(self, ctx: CallContext, handshake_id: str) -> int:
        org = self._invited(ctx, handshake_id)
        now = self.now()
        return await self.commands._change(org.management_account_id, ctx, lambda s: handshakes.decline(
            s, handshake_id=handshake_id, account_id=ctx.account_id, now=now))

    async def cancel(self, ctx: CallContext, handshake_id: str) -> int:
        """AWS's CancelHandshake: the management account's, of its organization's invitations."""
        org = self._organization_with(handshake_id)
        if org.handshakes[handshake_id]["target"] == ctx.account_id:
            raise AccessDeniedError(_OTHER_PARTY)
        management = self.commands._management_of(ctx)
        if management != org.management_account_id:
            raise HandshakeNotFoundError(_NOT_FOUND, resource_type="handshake", resource_name=handshake_id)
        now = self.now()
        return await self.commands._change(management, ctx, lambda s: handshakes.cancel(
            s, handshake_id=handshake_id, now=now))

    def _invited(self, ctx: CallContext, handshake_id: str) -> organizations.OrganizationState:
        """The organization of an invitation to the caller's account (the management account is
        refused: accepting and declining are the invited account's)."""
        org = self._organization_with(handshake_id)
        if org.handshakes[handshake_id]["target"] != ctx.account_id:
            if org.management_account_id == ctx.account_id:
                raise AccessDeniedError(_OTHER_PARTY)
            raise HandshakeNotFoundError(_NOT_FOUND, resource_type="handshake", resource_name=handshake_id)
        return org

    def describe(self, ctx: CallContext, handshake_id: str) -> Found:
        """A handshake the caller is a party to: the invited account, or the organization's
        management account or a delegated administrator."""
        org = self._organization_with(handshake_id)
        if org.handshakes[handshake_id]["target"] != ctx.account_id and ctx.account_id != org.management_account_id \
                and not organizations.is_delegated_admin(org, ctx.account_id):
            raise HandshakeNotFoundError(_NOT_FOUND, resource_type="handshake", resource_name=handshake_id)
        return org, handshake_id

    def for_account(self, ctx: CallContext, action_type: str, parent_handshake_id: str) -> list[Found]:
        """The invitations the caller's account has received, from every organization, oldest first."""
        handshakes.check_filter(action_type, parent_handshake_id)
        if not handshakes.matches(action_type, parent_handshake_id):
            return []
        found = [(org, h, hs["requested_at"]) for org in self.commands.projection.organizations.values()
                 for h, hs in org.handshakes.items() if hs["target"] == ctx.account_id]
        # By when they were sent; a stable sort keeps an organization's own order within a second.
        return [(org, h) for org, h, _ in sorted(found, key=lambda f: f[2])]

    def for_organization(self, ctx: CallContext, action_type: str, parent_handshake_id: str) -> list[Found]:
        """The invitations the caller's organization has sent, oldest first."""
        org = self.commands.management_state(ctx)
        handshakes.check_filter(action_type, parent_handshake_id)
        if not handshakes.matches(action_type, parent_handshake_id):
            return []
        return [(org, h) for h in org.handshakes]


def describe(org: organizations.OrganizationState, handshake_id: str, now: str) -> dict[str, Any]:
    """A handshake as AWS's Handshake (members in snake case), its state read at `now`."""
    h = org.handshakes[handshake_id]
    management = org.accounts.get(org.management_account_id, {})
    resources: list[dict[str, Any]] = [
        {"type": "ORGANIZATION", "value": org.organization_id, "resources": [
            {"type": "MASTER_EMAIL", "value": management.get("email", "")},
            {"type": "MASTER_NAME", "value": management.get("name", "")},
            {"type": "ORGANIZATION_FEATURE_SET", "value": "ALL"}]},
        {"type": "ACCOUNT", "value": h["target"]}]
    if h["notes"]:
        resources.append({"type": "NOTES", "value": h["notes"]})
    return {"id": handshake_id, "arn": handshakes.arn_of(org, handshake_id), "state": handshakes.state_of(h, now),
            "parties": [{"id": org.organization_id, "type": "ORGANIZATION"}, {"id": h["target"], "type": "ACCOUNT"}],
            "requested_timestamp": h["requested_at"], "expiration_timestamp": h["expires_at"], "action": "INVITE",
            "resources": resources}
