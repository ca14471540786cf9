"""OIDC identity providers: register, read and change them (rules: service/domain/oidc.py; what
they share with SAML providers: service/app/identity_providers.py)."""

from __future__ import annotations

from collections.abc import Sequence

from iamd.service.domain import names, oidc

from .identity_providers import ProviderCommands
from .ports import CallContext, iso8601

OIDC = "oidc"


class OidcProviderCommands(ProviderCommands):
    KIND = OIDC
    QUOTA = oidc.QUOTA
    MAX_PER_ACCOUNT = oidc.MAX_PER_ACCOUNT
    domain = oidc

    def _views(self) -> dict:
        return self.projection.oidc_providers

    def _stream(self, ctx: CallContext, arn: str) -> str:
        return oidc.stream(ctx.account_id, oidc.path_of_arn(arn, ctx.account_id))

    async def create(self, ctx: CallContext, *, url: str, client_ids: Sequence[str], thumbprints: Sequence[str],
                     tags: Sequence[tuple[str, str]] = ()) -> tuple[str, int]:
        client_list, thumbprint_list = oidc.check_create(url, client_ids, thumbprints)
        tag_map = names.check_tags("tags", tags)
        self._check_quota(ctx)
        arn = oidc.arn_of(ctx.account_id, url)
        now = iso8601(self.clock.now())
        position = await self._change(ctx, arn, lambda s: oidc.create(s, arn, url, client_list, thumbprint_list,
                                                                      tag_map, now))
        return arn, position

    async def add_client_id(self, ctx: CallContext, arn: str, client_id: str) -> int:
        oidc.check_client_id(client_id)
        return await self._change(ctx, arn, lambda s: oidc.add_client_id(s, arn, client_id))

    async def remove_client_id(self, ctx: CallContext, arn: str, client_id: str) -> int:
        return await self._change(ctx, arn, lambda s: oidc.remove_client_id(s, arn, client_id))

    async def update_thumbprints(self, ctx: CallContext, arn: str, thumbprints: Sequence[str]) -> int:
        checked = oidc.check_thumbprints(thumbprints)
        return await self._change(ctx, arn, lambda s: oidc.update_thumbprints(s, arn, checked))
