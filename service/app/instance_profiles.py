"""Instance profiles: create, read, list, tag and delete them, and put a role in one (rules:
service/domain/instance_profiles.py).

A profile's role is a reference to another aggregate: AddRoleToInstanceProfile reserves it in the
role's stream, then commits it in the profile's (Repository.reference), and DeleteRole settles the
role's reservations before counting the profiles that hold it (docs/invariants.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from iamd.projections.identity import IdentityProjection, View
from iamd.service.domain import identity, instance_profiles, names
from iamd.service.domain.errors import LimitExceededError
from iamd.service.domain.events import ROLE, Event
from iamd.service.domain.instance_profiles import INSTANCE_PROFILE
from iamd.service.domain.names import casefold

from .ports import CallContext, Clock, IdFactory, iso8601
from .queries import Page, paginate, tag_page
from .repository import Loaded, Repository, with_retries


class InstanceProfileCommands:
    def __init__(self, repo: Repository, clock: Clock, ids: IdFactory, projection: IdentityProjection) -> None:
        self.repo = repo
        self.clock = clock
        self.ids = ids
        self.projection = projection

    def _now(self) -> str:
        return iso8601(self.clock.now())

    async def _load(self, account_id: str, name: str) -> Loaded:
        return await self.repo.load(instance_profiles.stream(account_id, name), instance_profiles.fold)

    # --- commands ------------------------------------------------------------------------------
    async def create(self, ctx: CallContext, *, name: str, path: str = "",
                     tags: Sequence[tuple[str, str]] = ()) -> tuple[View, int]:
        instance_profiles.check_name("instanceProfileName", name)
        path = names.check_path("path", path)
        tag_map = names.check_tags("tags", tags)
        held = sum(1 for p in self.projection.instance_profiles.values() if p["account_id"] == ctx.account_id)
        if held >= instance_profiles.MAX_PER_ACCOUNT:  # counted on the projection, as the other account quotas
            raise LimitExceededError(f"Cannot exceed quota for InstanceProfilesPerAccount: "
                                     f"{instance_profiles.MAX_PER_ACCOUNT}", quota="InstanceProfilesPerAccount")
        profile_id = self.ids.unique_id(instance_profiles.ID_PREFIX)
        arn = instance_profiles.arn_of(ctx.account_id, path, name)
        now = self._now()

        async def attempt() -> int:
            loaded = await self._load(ctx.account_id, name)
            events = instance_profiles.create(loaded.state, name=name, id=profile_id, arn=arn,  # type: ignore[arg-type]
                                              path=path, now=now, tags=tag_map)
            return await self.repo.append(INSTANCE_PROFILE, loaded, events, ctx, now)

        position = await with_retries(attempt)
        return {"account_id": ctx.account_id, "name": name, "id": profile_id, "arn": arn, "path": path,
                "created_at": now, "roles": [], "tags": tag_map}, position

    async def _change(self, ctx: CallContext, name: str,
                      decide: Callable[[instance_profiles.InstanceProfileState], list[Event]]) -> int:
        instance_profiles.check_name("instanceProfileName", name)
        return await self.repo.change(INSTANCE_PROFILE, instance_profiles.stream(ctx.account_id, name),
                                      instance_profiles.fold, ctx, self.clock, decide)

    async def delete(self, ctx: CallContext, name: str) -> int:
        return await self._change(ctx, name, lambda s: instance_profiles.delete(s, name))

    async def add_role(self, ctx: CallContext, name: str, role_name: str) -> int:
        instance_profiles.check_name("instanceProfileName", name)
        names.check_name(ROLE, "roleName", role_name)

        async def attempt() -> int:
            # The profile (holder) and the role (referenced), each at the version it was loaded at:
            # reserved in the role's stream (racing DeleteRole there), then committed in the profile's.
            # The profile's decider runs first: a refusal (LimitExceeded) reserves nothing.
            profile = await self._load(ctx.account_id, name)
            p: instance_profiles.InstanceProfileState = instance_profiles.require(profile.state, name)  # type: ignore[arg-type]
            role = await self.repo.load_entity(ROLE, ctx.account_id, role_name)
            r: identity.EntityState = identity.require(role.state, role_name)  # type: ignore[arg-type]
            return await self.repo.reference(
                ROLE, role,
                lambda rid, version: identity.reserve(r, role_name, reservation_id=rid, relation="instance-profile",
                                                      holder_stream=profile.stream, holder_id=p.id,
                                                      holder_version=version),
                INSTANCE_PROFILE, profile,
                lambda rid: instance_profiles.add_role(p, name, role_id=r.id, role_name=r.name, reservation_id=rid),
                ctx, self._now())

        return await with_retries(attempt)

    async def remove_role(self, ctx: CallContext, name: str, role_name: str) -> int:
        names.check_name(ROLE, "roleName", role_name)
        return await self._change(ctx, name, lambda s: instance_profiles.remove_role(s, name, role_name))

    async def tag(self, ctx: CallContext, name: str, tags: Sequence[tuple[str, str]]) -> int:
        tag_map = names.check_tags("tags", tags)
        return await self._change(ctx, name, lambda s: instance_profiles.tag(s, name, tag_map))

    async def untag(self, ctx: CallContext, name: str, keys: Sequence[str]) -> int:
        keys = names.check_tag_keys("tagKeys", keys)
        return await self._change(ctx, name, lambda s: instance_profiles.untag(s, name, keys))

    # --- queries (the identity projection) -----------------------------------------------------
    def get(self, ctx: CallContext, name: str) -> View:
        instance_profiles.check_name("instanceProfileName", name)
        profile = self.projection.instance_profiles.get(f"{ctx.account_id}/{casefold(name)}")
        if profile is None:
            raise instance_profiles.not_found(name)
        return profile

    def roles_of(self, profile: View) -> list[View]:
        """The role views a profile holds (by the roles' unique ids)."""
        account = self.projection.account(profile["account_id"])
        if account is None:
            return []
        roles = []
        for held in profile["roles"]:
            role = account.roles.get(held["key"])
            if role is not None and role["id"] == held["id"]:
                roles.append(role)
        return roles

    def list(self, ctx: CallContext, path_prefix: str, max_items: int, marker: str) -> Page:
        prefix = names.check_path_prefix("pathPrefix", path_prefix)
        return paginate([p for p in self.projection.instance_profiles.values()
                         if p["account_id"] == ctx.account_id and p["path"].startswith(prefix)],
                        lambda p: casefold(p["name"]), max_items, marker)

    def list_for_role(self, ctx: CallContext, role_name: str, max_items: int, marker: str) -> Page:
        names.check_name(ROLE, "roleName", role_name)
        account = self.projection.account(ctx.account_id)
        role = account.roles.get(casefold(role_name)) if account else None
        if role is None:
            raise identity.not_found(ROLE, role_name)
        return paginate([p for p in self.projection.instance_profiles.values()
                         if p["account_id"] == ctx.account_id and any(r["id"] == role["id"] for r in p["roles"])],
                        lambda p: casefold(p["name"]), max_items, marker)

    def tags(self, ctx: CallContext, name: str, max_items: int, marker: str) -> Page:
        return tag_page(self.get(ctx, name)["tags"], max_items, marker)
