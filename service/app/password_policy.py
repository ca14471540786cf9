"""The account's password policy: UpdateAccountPasswordPolicy, GetAccountPasswordPolicy,
DeleteAccountPasswordPolicy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from iamd.projections.identity import IdentityProjection
from iamd.service.domain import password_policy
from iamd.service.domain.events import ACCOUNT

from .ports import CallContext, Clock, iso8601
from .repository import Repository


class PasswordPolicyCommands:
    def __init__(self, repo: Repository, clock: Clock, projection: IdentityProjection) -> None:
        self.repo = repo
        self.clock = clock
        self.projection = projection

    async def update(self, ctx: CallContext, settings: Mapping[str, Any]) -> int:
        policy = password_policy.policy_of(settings)
        now = iso8601(self.clock.now())
        return await self.repo.change(ACCOUNT, password_policy.stream(ctx.account_id), password_policy.fold, ctx,
                                      self.clock, lambda s: password_policy.update(s, policy, now))

    async def delete(self, ctx: CallContext) -> int:
        now = iso8601(self.clock.now())
        return await self.repo.change(ACCOUNT, password_policy.stream(ctx.account_id), password_policy.fold, ctx,
                                      self.clock, lambda s: password_policy.delete(s, ctx.account_id, now))

    def get(self, ctx: CallContext) -> dict[str, Any]:
        policy = self.projection.password_policies.get(ctx.account_id)
        if policy is None:
            raise password_policy.not_found(ctx.account_id)
        return dict(policy)
