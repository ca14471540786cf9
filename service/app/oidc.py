"""OIDC identity providers: register, read and change them (rules: service/domain/oidc.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from iamd.projections.identity import IdentityProjection, View
from iamd.service.domain import names, oidc
from iamd.service.domain.events import Event

from .ports import CallContext, Clock, iso8601
from .repository import Repository

OIDC = "oidc"


class OidcProviderCommands:
    def __init__(self, repo: Repository, clock: Clock, projection: IdentityProjection) -> None:
        self.repo = repo
        self.clock = clock
        self.projection = projection

    async def create(self, ctx: CallContext, *, url: str, client_ids: Sequence[str], thumbprints: Sequence[str],
                     tags: Sequence[tuple[str, str]] = ()) -> tuple[str, int]:
        oidc.check_url(url)
        client_list = oidc.check_client_ids(client_ids)
        thumbprint_list = oidc.check_thumbprints(thumbprints)
        tag_map = names.check_tags("tags", tags)
        arn = oidc.arn_of(ctx.account_id, url)
        now = iso8601(self.clock.now())
        position = await self.repo.change(
            OIDC, oidc.stream(ctx.account_id, oidc.provider_path(url)), oidc.fold, ctx, self.clock,
            lambda s: oidc.create(s, arn, url, client_list, thumbprint_list, tag_map, now))
        return arn, position

    async def _change(self, ctx: CallContext, arn: str, decide: Callable[[oidc.ProviderState], list[Event]]) -> int:
        path = oidc.path_of_arn(arn, ctx.account_id)
        return await self.repo.change(OIDC, oidc.stream(ctx.account_id, path), oidc.fold, ctx, self.clock, decide)

    async def delete(self, ctx: CallContext, arn: str) -> int:
        return await self._change(ctx, arn, lambda s: oidc.delete(s, arn))

    async def add_client_id(self, ctx: CallContext, arn: str, client_id: str) -> int:
        oidc.check_client_ids([client_id], "clientID")
        return await self._change(ctx, arn, lambda s: oidc.add_client_id(s, arn, client_id))

    async def remove_client_id(self, ctx: CallContext, arn: str, client_id: str) -> int:
        return await self._change(ctx, arn, lambda s: oidc.remove_client_id(s, arn, client_id))

    async def update_thumbprints(self, ctx: CallContext, arn: str, thumbprints: Sequence[str]) -> int:
        checked = oidc.check_thumbprints(thumbprints)
        return await self._change(ctx, arn, lambda s: oidc.update_thumbprints(s, arn, checked))

    async def tag(self, ctx: CallContext, arn: str, tags: Sequence[tuple[str, str]]) -> int:
        tag_map = names.check_tags("tags", tags)
        return await self._change(ctx, arn, lambda s: oidc.tag(s, arn, tag_map))

    async def untag(self, ctx: CallContext, arn: str, keys: Sequence[str]) -> int:
        keys = names.check_tag_keys("tagKeys", keys)
        return await self._change(ctx, arn, lambda s: oidc.untag(s, arn, keys))

    def get(self, ctx: CallContext, arn: str) -> View:
        oidc.path_of_arn(arn, ctx.account_id)
        provider = self.projection.oidc_providers.get(arn)
        if provider is None:
            raise oidc.not_found(arn)
        return provider

    def list(self, ctx: CallContext) -> list[View]:
        return sorted((p for p in self.projection.oidc_providers.values() if p["account_id"] == ctx.account_id),
                      key=lambda p: p["arn"])
