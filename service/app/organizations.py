"""AWS Organizations: the organization, accounts (each with OrganizationAccountAccessRole, as AWS
creates it), OUs, MoveAccount, and SCPs/RCPs attached at the root, an OU or an account."""

from __future__ import annotations

import json
import secrets
import string
from typing import Any

from iamd.projections.identity import IdentityProjection
from iamd.service.domain import organizations
from iamd.service.domain.errors import (
    AccessDeniedError,
    AlreadyInOrganizationError,
    FieldProblem,
    InvalidInputError,
    OrganizationsNotInUseError,
)
from iamd.service.domain.events import ACCOUNT, AccountCreated, event_type
from iamd.service.eventstore.errors import WrongExpectedVersion
from iamd.service.eventstore.port import EventStore, NewEvent, StreamState
from iamd.service.policy import PolicyType

from .identity import IdentityCommands, check_policy_document
from .ports import CallContext, Clock, iso8601
from .repository import Repository

ACCESS_ROLE = "OrganizationAccountAccessRole"  # what AWS creates in every new member account
_LOWER = string.ascii_lowercase + string.digits


def _random(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def org_stream(management_account_id: str) -> str:
    return f"org-{management_account_id}-organization"


class OrganizationCommands:
    def __init__(self, store: EventStore, repo: Repository, clock: Clock, projection: IdentityProjection,
                 identity: IdentityCommands) -> None:
        self.store = store
        self.repo = repo
        self.clock = clock
        self.projection = projection
        self.identity = identity

    def _management_of(self, ctx: CallContext) -> str:
        management = self.projection.organization_of_account.get(ctx.account_id, "")
        if not management:
            raise OrganizationsNotInUseError("Your account is not a member of an organization.")
        if management != ctx.account_id:
            raise AccessDeniedError("You don't have permissions to access this resource: only the organization's "
                                    "management account can make this call.")
        return management

    async def _change(self, management: str, ctx: CallContext, decide: Any) -> int:
        return await self.repo.change("org", org_stream(management), organizations.fold, ctx, self.clock, decide,
                                      incremental=True)

    def state(self, ctx: CallContext) -> organizations.OrganizationState:
        management = self.projection.organization_of_account.get(ctx.account_id, "")
        org = self.projection.organizations.get(management)
        if org is None:
            raise OrganizationsNotInUseError("Your account is not a member of an organization.")
        return org

    async def create_organization(self, ctx: CallContext) -> int:
        if ctx.account_id in self.projection.organization_of_account:
            raise AlreadyInOrganizationError("The AWS account is already a member of an organization.")
        org_id, root_id = "o-" + _random(_LOWER, 10), "r-" + _random(_LOWER, 4)
        return await self._change(ctx.account_id, ctx, lambda s: organizations.create(
            s, organization_id=org_id, root_id=root_id, management_account_id=ctx.account_id,
            now=iso8601(self.clock.now())))

    async def create_account(self, ctx: CallContext, *, account_name: str, email: str) -> tuple[str, int]:
        """A new member account with OrganizationAccountAccessRole trusting the management account."""
        management = self._management_of(ctx)
        if not account_name or not email or "@" not in email:
            raise InvalidInputError("AccountName and a valid Email are required",
                                    problems=[FieldProblem("email", "an email address")])
        organizations.check_new_account(account_name, email)
        account_id = "".join(secrets.choice(string.digits) for _ in range(12))
        now = iso8601(self.clock.now())
        created = AccountCreated(account_id, now)
        try:
            await self.store.append(f"account-{account_id}-root",
                                    [NewEvent(event_type(ACCOUNT, created), created.to_data(), ctx.metadata(now))],
                                    StreamState.NO_STREAM)
        except WrongExpectedVersion:
            raise InvalidInputError("account id collision; retry") from None
        member = CallContext(ctx.request_id, account_id, ctx.actor_arn, ctx.source_ip, ctx.user_agent, ctx.operation)
        trust = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{management}:root"}, "Action": "sts:AssumeRole"}]})
        await self.identity.create_role(member, role_name=ACCESS_ROLE, assume_role_policy_document=trust,
                                        description="Lets the management account administer this account")
        await self.identity.put_inline_policy(member, kind="role", name=ACCESS_ROLE, policy_name="AdministratorAccess",
                                              policy_document=organizations.FULL_AWS_ACCESS)
        position = await self._change(management, ctx, lambda s: organizations.join(
            s, account_id=account_id, name=account_name, email=email, now=now))
        return account_id, position

    async def remove_account(self, ctx: CallContext, *, account_id: str) -> int:
        management = self._management_of(ctx)
        return await self._change(management, ctx, lambda s: organizations.remove_account(
            s, account_id=account_id, now=iso8601(self.clock.now())))

    async def create_ou(self, ctx: CallContext, *, parent_id: str, name: str) -> tuple[str, int]:
        management = self._management_of(ctx)
        root_suffix = self.state(ctx).root_id[2:]
        ou_id = f"ou-{root_suffix}-{_random(_LOWER, 8)}"
        position = await self._change(management, ctx,
                                      lambda s: organizations.create_ou(s, ou_id=ou_id, name=name, parent_id=parent_id))
        return ou_id, position

    async def move_account(self, ctx: CallContext, *, account_id: str, source_parent_id: str,
                           destination_parent_id: str) -> int:
        management = self._management_of(ctx)
        return await self._change(management, ctx, lambda s: organizations.move(
            s, account_id=account_id, source=source_parent_id, destination=destination_parent_id))

    async def create_policy(self, ctx: CallContext, *, name: str, policy_type: str, content: str,
                            description: str = "") -> tuple[str, int]:
        management = self._management_of(ctx)
        kind = PolicyType.SCP if policy_type == organizations.SCP else PolicyType.RCP
        organizations.check_policy_content_size(policy_type, content)
        check_policy_document("content", content, kind)
        policy_id = "p-" + _random(_LOWER, 8)
        position = await self._change(management, ctx, lambda s: organizations.create_policy(
            s, policy_id=policy_id, name=name, policy_type=policy_type, content=content, description=description))
        return policy_id, position

    async def attach_policy(self, ctx: CallContext, *, policy_id: str, target_id: str) -> int:
        management = self._management_of(ctx)
        return await self._change(management, ctx,
                                  lambda s: organizations.attach(s, policy_id=policy_id, target_id=target_id))

    async def detach_policy(self, ctx: CallContext, *, policy_id: str, target_id: str) -> int:
        management = self._management_of(ctx)
        return await self._change(management, ctx,
                                  lambda s: organizations.detach(s, policy_id=policy_id, target_id=target_id))

    async def rename_ou(self, ctx: CallContext, *, ou_id: str, name: str) -> int:
        management = self._management_of(ctx)
        return await self._change(management, ctx, lambda s: organizations.rename_ou(s, ou_id=ou_id, name=name))

    async def delete_ou(self, ctx: CallContext, *, ou_id: str) -> int:
        management = self._management_of(ctx)
        return await self._change(management, ctx, lambda s: organizations.delete_ou(s, ou_id=ou_id))

    async def update_policy(self, ctx: CallContext, *, policy_id: str, name: str, content: str,
                            description: str | None = None) -> int:
        management = self._management_of(ctx)
        policy = organizations.policy_of(self.state(ctx), policy_id)
        if content and policy is not None:  # validated as the policy's own type (SCP or RCP)
            organizations.check_policy_content_size(policy["type"], content)
            check_policy_document("content", content, PolicyType.SCP if policy["type"] == organizations.SCP
                                  else PolicyType.RCP)
        return await self._change(management, ctx, lambda s: organizations.update_policy(
            s, policy_id=policy_id, name=name, content=content, description=description))

    async def delete_policy(self, ctx: CallContext, *, policy_id: str) -> int:
        management = self._management_of(ctx)
        return await self._change(management, ctx, lambda s: organizations.delete_policy(s, policy_id=policy_id))
