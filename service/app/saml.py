"""SAML identity providers: register, read and change them (rules: service/domain/saml.py; what
they share with OIDC providers: service/app/identity_providers.py)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from iamd.service.domain import names, saml

from .identity_providers import ProviderCommands
from .ports import CallContext, iso8601

SAML = "saml-provider"
_UUID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


class SamlProviderCommands(ProviderCommands):
    KIND = SAML
    QUOTA = saml.QUOTA
    MAX_PER_ACCOUNT = saml.MAX_PER_ACCOUNT
    domain = saml

    def _views(self) -> dict:
        return self.projection.saml_providers

    def _stream(self, ctx: CallContext, arn: str) -> str:
        return saml.stream(ctx.account_id, saml.name_of_arn(arn, ctx.account_id))

    async def create(self, ctx: CallContext, *, name: str, metadata_document: str,
                     tags: Sequence[tuple[str, str]] = ()) -> tuple[str, int]:
        saml.check_name(name)
        metadata = saml.parse_metadata(metadata_document)
        tag_map = names.check_tags("tags", tags)
        self._check_quota(ctx)
        arn = saml.arn_of(ctx.account_id, name)
        uuid = "".join(secrets.choice(_UUID_ALPHABET) for _ in range(26))  # SAMLProviderUUID: [A-Z0-9]{22,64}
        now = iso8601(self.clock.now())
        position = await self._change(ctx, arn, lambda s: saml.create(s, arn, name, metadata_document, metadata, uuid,
                                                                      tag_map, now))
        return arn, position

    async def update(self, ctx: CallContext, arn: str, metadata_document: str) -> int:
        saml.name_of_arn(arn, ctx.account_id)
        metadata = saml.parse_metadata(metadata_document)
        return await self._change(ctx, arn, lambda s: saml.update(s, arn, metadata_document, metadata))
