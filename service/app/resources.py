"""Register other services' resources: their resource-based policy and tags, by ARN."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from iamd.projections.identity import IdentityProjection
from iamd.service.domain import names, resources
from iamd.service.domain.errors import AccessDeniedError, NoSuchEntityError
from iamd.service.policy import PolicyType

from .identity import check_policy_document
from .ports import CallContext, Clock
from .repository import Repository

RESOURCE = "resource"


class ResourceCommands:
    def __init__(self, repo: Repository, clock: Clock, projection: IdentityProjection) -> None:
        self.repo = repo
        self.clock = clock
        self.projection = projection

    async def _change(self, ctx: CallContext, arn: str, decide: Any) -> int:
        resources.check_arn(arn)
        owner = resources.owner_account(arn, ctx.account_id)
        registered = self.projection.resources.get(arn)
        if registered is not None:  # an ARN without an account (a bucket's) is its first registrant's
            owner = registered["account_id"]
        if owner != ctx.account_id:
            raise AccessDeniedError(f"the resource {arn} belongs to account {owner}: only that account may "
                                    "register its policy and tags")
        return await self.repo.change(RESOURCE, resources.stream(owner, arn), resources.fold, ctx, self.clock, decide)

    async def put_policy(self, ctx: CallContext, *, resource_arn: str, policy_document: str) -> int:
        resources.check_registrable(resource_arn)
        check_policy_document("policyDocument", policy_document, PolicyType.RESOURCE)
        return await self._change(ctx, resource_arn, lambda s: resources.put_policy(s, resource_arn, policy_document))

    async def delete_policy(self, ctx: CallContext, *, resource_arn: str) -> int:
        return await self._change(ctx, resource_arn, lambda s: resources.delete_policy(s, resource_arn))

    async def tag(self, ctx: CallContext, *, resource_arn: str, tags: Sequence[tuple[str, str]]) -> int:
        resources.check_registrable(resource_arn)  # removing older registrations stays possible
        tag_map = names.check_tags("tags", tags)
        return await self._change(ctx, resource_arn, lambda s: resources.tag(s, resource_arn, tag_map))

    async def untag(self, ctx: CallContext, *, resource_arn: str, tag_keys: Sequence[str]) -> int:
        tag_keys = names.check_tag_keys("tagKeys", tag_keys)
        return await self._change(ctx, resource_arn, lambda s: resources.untag(s, resource_arn, tag_keys))

    def policy(self, resource_arn: str) -> str:
        resources.check_arn(resource_arn)
        document = (self.projection.resources.get(resource_arn) or {}).get("policy", "")
        if not document:
            raise NoSuchEntityError(f"The resource {resource_arn} has no resource policy.",
                                    resource_type="resource policy", resource_name=resource_arn)
        return document

    def tags(self, resource_arn: str) -> dict[str, str]:
        resources.check_arn(resource_arn)
        return dict((self.projection.resources.get(resource_arn) or {}).get("tags", {}))
