"""SAML identity providers: register, read and change them (rules: service/domain/saml.py)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence

from iamd.projections.identity import IdentityProjection, View
from iamd.service.domain import names, saml
from iamd.service.domain.events import Event

from .ports import CallContext, Clock, iso8601
from .repository import Repository

SAML = "saml-provider"
_UUID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


class SamlProviderCommands:
    def __init__(self, repo: Repository, clock: Clock, projection: IdentityProjection) -> None:
        self.repo = repo
        self.clock = clock
        self.projection = projection

    async def create(self, ctx: CallContext, *, name: str, metadata_document: str,
                     tags: Sequence[tuple[str, str]] = ()) -> tuple[str, int]:
        saml.check_name(name)
        metadata = saml.parse_metadata(metadata_document)
        tag_map = names.check_tags("tags", tags)
        arn = saml.arn_of(ctx.account_id, name)
        uuid = "".join(secrets.choice(_UUID_ALPHABET) for _ in range(26))  # SAMLProviderUUID: [A-Z0-9]{22,64}
        now = iso8601(self.clock.now())
        position = await self.repo.change(
            SAML, saml.stream(ctx.account_id, name), saml.fold, ctx, self.clock,
            lambda s: saml.create(s, arn, name, metadata_document, metadata, uuid, tag_map, now))
        return arn, position

    async def _change(self, ctx: CallContext, arn: str, decide: Callable[[saml.ProviderState], list[Event]]) -> int:
        name = saml.name_of_arn(arn, ctx.account_id)
        return await self.repo.change(SAML, saml.stream(ctx.account_id, name), saml.fold, ctx, self.clock, decide)

    async def update(self, ctx: CallContext, arn: str, metadata_document: str) -> int:
        saml.name_of_arn(arn, ctx.account_id)
        metadata = saml.parse_metadata(metadata_document)
        return await self._change(ctx, arn, lambda s: saml.update(s, arn, metadata_document, metadata))

    async def delete(self, ctx: CallContext, arn: str) -> int:
        return await self._change(ctx, arn, lambda s: saml.delete(s, arn))

    async def tag(self, ctx: CallContext, arn: str, tags: Sequence[tuple[str, str]]) -> int:
        tag_map = names.check_tags("tags", tags)
        return await self._change(ctx, arn, lambda s: saml.tag(s, arn, tag_map))

    async def untag(self, ctx: CallContext, arn: str, keys: Sequence[str]) -> int:
        keys = names.check_tag_keys("tagKeys", keys)
        return await self._change(ctx, arn, lambda s: saml.untag(s, arn, keys))

    def get(self, ctx: CallContext, arn: str) -> View:
        saml.name_of_arn(arn, ctx.account_id)
        provider = self.projection.saml_providers.get(arn)
        if provider is None:
            raise saml.not_found(arn)
        return provider

    def list(self, ctx: CallContext) -> list[View]:
        return sorted((p for p in self.projection.saml_providers.values() if p["account_id"] == ctx.account_id),
                      key=lambda p: p["arn"])
