"""CreateAccountAlias, DeleteAccountAlias, ListAccountAliases (docs: service/domain/account_alias.py)."""

from __future__ import annotations

from projections.identity import IdentityProjection
from service.domain import account_alias
from service.domain.events import ACCOUNT

from .ports import CallContext, Clock, iso8601
from .repository import Repository

ALIAS_CLAIM = "aliasclaim"


class AccountAliasCommands:
    def __init__(self, repo: Repository, clock: Clock, projection: IdentityProjection) -> None:
        self.repo = repo
        self.clock = clock
        self.projection = projection

    async def create(self, ctx: CallContext, alias: str) -> int:
        account_alias.check_alias(alias)
        now = iso8601(self.clock.now())
        old = self.projection.account_aliases.get(ctx.account_id, "")
        # Claim first: the claim stream decides who may hold the alias, whatever the race.
        await self.repo.change(ALIAS_CLAIM, account_alias.claim_stream(alias), account_alias.fold_claim, ctx,
                               self.clock, lambda s: account_alias.claim(s, alias, ctx.account_id))
        position = await self.repo.change(ACCOUNT, account_alias.alias_stream(ctx.account_id),
                                          account_alias.fold_alias, ctx, self.clock,
                                          lambda s: account_alias.create(s, alias, now))
        if old and old != alias:  # the replaced alias is free for others again
            await self._release(ctx, old)
        return position

    async def delete(self, ctx: CallContext, alias: str) -> int:
        account_alias.check_alias(alias)
        position = await self.repo.change(ACCOUNT, account_alias.alias_stream(ctx.account_id),
                                          account_alias.fold_alias, ctx, self.clock,
                                          lambda s: account_alias.delete(s, alias))
        await self._release(ctx, alias)
        return position

    async def _release(self, ctx: CallContext, alias: str) -> None:
        await self.repo.change(ALIAS_CLAIM, account_alias.claim_stream(alias), account_alias.fold_claim, ctx,
                               self.clock, lambda s: account_alias.release(s, alias, ctx.account_id))

    def list(self, ctx: CallContext) -> list[str]:
        alias = self.projection.account_aliases.get(ctx.account_id)
        return [alias] if alias else []
