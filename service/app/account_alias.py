"""CreateAccountAlias, DeleteAccountAlias, ListAccountAliases (docs: service/domain/account_alias.py)."""

from __future__ import annotations

from iamd.projections.identity import IdentityProjection
from iamd.service.domain import account_alias
from iamd.service.domain.errors import EntityAlreadyExistsError
from iamd.service.domain.events import ACCOUNT, Event

from .ports import CallContext, Clock, iso8601
from .repository import Repository, with_retries

ALIAS_CLAIM = "aliasclaim"


class AccountAliasCommands:
    def __init__(self, repo: Repository, clock: Clock, projection: IdentityProjection) -> None:
        self.repo = repo
        self.clock = clock
        self.projection = projection

    async def create(self, ctx: CallContext, alias: str) -> int:
        account_alias.check_alias(alias)
        now = iso8601(self.clock.now())
        claimed_now = await self._claim(ctx, alias, now)  # first: the claim decides who may hold it
        replaced: list[str] = []

        def decide(state: account_alias.AliasState) -> list[Event]:
            replaced[:] = [state.alias] if state.alias and state.alias != alias else []
            return account_alias.create(state, alias, now)

        try:
            position = await self.repo.change(ACCOUNT, account_alias.alias_stream(ctx.account_id),
                                              account_alias.fold_alias, ctx, self.clock, decide)
        except Exception:
            # Refused, or lost a race too often: unless another call of this account recorded the
            # alias meanwhile, it is not ours after all.
            current = await self.repo.load(account_alias.alias_stream(ctx.account_id), account_alias.fold_alias)
            if claimed_now and current.state.alias != alias:  # type: ignore[attr-defined]
                await self._release(ctx, alias)
            raise
        for old in replaced:  # the alias this one replaced is free for others again
            await self._release(ctx, old)
        try:
            # Claimed again now that the account uses it: a DeleteAccountAlias of this alias that
            # read the account without it may not release it any more (its append would conflict).
            await self._claim(ctx, alias, now, renew=True)
        except EntityAlreadyExistsError:
            # That delete released it meanwhile and another account took it: it is not ours after all.
            await self.repo.change(ACCOUNT, account_alias.alias_stream(ctx.account_id), account_alias.fold_alias,
                                   ctx, self.clock, lambda s: account_alias.delete(s, alias) if s.alias == alias else [])
            raise
        return position

    async def _claim(self, ctx: CallContext, alias: str, now: str, renew: bool = False) -> bool:
        """Claim the alias for the caller's account; True when this call claimed it (not held before)."""
        claimed: list[bool] = [False]

        async def attempt() -> int:
            claim = await self.repo.load(account_alias.claim_stream(alias), account_alias.fold_claim)
            holder = claim.state.holder  # type: ignore[attr-defined]
            holder_uses_it = False
            if holder and holder != ctx.account_id:
                used = await self.repo.load(account_alias.alias_stream(holder), account_alias.fold_alias)
                holder_uses_it = used.state.alias == alias  # type: ignore[attr-defined]
            if renew:  # only while the account still uses it (another create may have replaced it since)
                own = await self.repo.load(account_alias.alias_stream(ctx.account_id), account_alias.fold_alias)
                if own.state.alias != alias:  # type: ignore[attr-defined]
                    return claim.position
            events = account_alias.claim(claim.state, alias, ctx.account_id, now, holder_uses_it,  # type: ignore[arg-type]
                                         renew)
            claimed[0] = bool(events)
            return await self.repo.append(ALIAS_CLAIM, claim, events, ctx, now)

        await with_retries(attempt)
        return claimed[0]

    async def delete(self, ctx: CallContext, alias: str) -> int:
        account_alias.check_alias(alias)
        position = await self.repo.change(ACCOUNT, account_alias.alias_stream(ctx.account_id),
                                          account_alias.fold_alias, ctx, self.clock,
                                          lambda s: account_alias.delete(s, alias))
        await self._release(ctx, alias)
        return position

    async def _release(self, ctx: CallContext, alias: str) -> None:
        """Free the account's claim of `alias`, read against the account's alias at the claim's
        version: a create of the same alias racing this (it claims, then records) keeps it."""

        async def attempt() -> int:
            claim = await self.repo.load(account_alias.claim_stream(alias), account_alias.fold_claim)
            used = await self.repo.load(account_alias.alias_stream(ctx.account_id), account_alias.fold_alias)
            events = account_alias.release(claim.state, alias, ctx.account_id,  # type: ignore[arg-type]
                                           in_use=used.state.alias == alias)  # type: ignore[attr-defined]
            return await self.repo.append(ALIAS_CLAIM, claim, events, ctx, iso8601(self.clock.now()))

        await with_retries(attempt)

    def list(self, ctx: CallContext) -> list[str]:
        alias = self.projection.account_aliases.get(ctx.account_id)
        return [alias] if alias else []
