"""What registering SAML and OIDC identity providers shares (service/app/saml.py, service/app/oidc.py):
one stream per provider, named from its ARN; AWS's quota of providers per account, counted on the
projection as the other account quotas; tags; reads by ARN and the account's list.

A subclass names its domain module (service/domain/saml.py or oidc.py: `fold`, `tag`, `untag`,
`not_found`), how an ARN of the account maps to the provider's stream, and its projection's views.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any, ClassVar

from iamd.projections.identity import IdentityProjection, View
from iamd.service.domain import names
from iamd.service.domain.errors import LimitExceededError
from iamd.service.domain.events import Event

from .ports import CallContext, Clock
from .repository import Repository


class ProviderCommands:
    KIND: ClassVar[str]  # the stream kind ("saml-provider", "oidc")
    QUOTA: ClassVar[str]  # AWS's quota name, as LimitExceeded names it
    MAX_PER_ACCOUNT: ClassVar[int]
    domain: ClassVar[ModuleType]

    def __init__(self, repo: Repository, clock: Clock, projection: IdentityProjection) -> None:
        self.repo = repo
        self.clock = clock
        self.projection = projection

    def _views(self) -> dict[str, View]:
        """The projection's providers of this kind, by ARN."""
        raise NotImplementedError

    def _stream(self, ctx: CallContext, arn: str) -> str:
        """The stream of the provider an ARN of the caller's account names (NoSuchEntity for another)."""
        raise NotImplementedError

    def _check_quota(self, ctx: CallContext) -> None:
        held = sum(1 for p in self._views().values() if p["account_id"] == ctx.account_id)
        if held >= self.MAX_PER_ACCOUNT:
            raise LimitExceededError(f"Cannot exceed quota for {self.QUOTA}: {self.MAX_PER_ACCOUNT}", quota=self.QUOTA)

    async def _change(self, ctx: CallContext, arn: str, decide: Callable[[Any], list[Event]]) -> int:
        return await self.repo.change(self.KIND, self._stream(ctx, arn), self.domain.fold, ctx, self.clock, decide)

    async def delete(self, ctx: CallContext, arn: str) -> int:
        return await self._change(ctx, arn, lambda s: self.domain.delete(s, arn))

    async def tag(self, ctx: CallContext, arn: str, tags: Sequence[tuple[str, str]]) -> int:
        tag_map = names.check_tags("tags", tags)
        return await self._change(ctx, arn, lambda s: self.domain.tag(s, arn, tag_map))

    async def untag(self, ctx: CallContext, arn: str, keys: Sequence[str]) -> int:
        keys = names.check_tag_keys("tagKeys", keys)
        return await self._change(ctx, arn, lambda s: self.domain.untag(s, arn, keys))

    def get(self, ctx: CallContext, arn: str) -> View:
        self._stream(ctx, arn)
        provider = self._views().get(arn)
        if provider is None:
            raise self.domain.not_found(arn)
        return provider

    def list(self, ctx: CallContext) -> list[View]:
        return sorted((p for p in self._views().values() if p["account_id"] == ctx.account_id),
                      key=lambda p: p["arn"])
