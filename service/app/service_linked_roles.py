"""Service-linked roles: CreateServiceLinkedRole, DeleteServiceLinkedRole,
GetServiceLinkedRoleDeletionStatus (rules and naming: service/domain/service_linked_roles.py).

The role is a role of the account (its stream, its quota), created with its service's name, path,
trust policy and AWS managed policy in one append. Its deletion is synchronous: the task is
recorded in the role's stream with its outcome, SUCCEEDED (the role is gone in the same append)
or FAILED while the role is in use (an instance profile holds it, a session of it is live).
"""

from __future__ import annotations

import uuid
from typing import Any

from iamd.projections.identity import IdentityProjection, View
from iamd.service.domain import identity, names
from iamd.service.domain import service_linked_roles as slr
from iamd.service.domain.events import ROLE, PolicyAttached

from .identity import IdentityCommands
from .ports import CallContext, iso8601
from .repository import with_retries


class ServiceLinkedRoleCommands:
    def __init__(self, identity_commands: IdentityCommands) -> None:
        self.identity = identity_commands
        self.projection: IdentityProjection = identity_commands.projection

    async def create(self, ctx: CallContext, *, aws_service_name: str, description: str = "",
                     custom_suffix: str = "") -> tuple[View, int]:
        if custom_suffix:
            names.check_name(ROLE, "customSuffix", custom_suffix)
        names.check_description("description", description)
        name = slr.role_name(aws_service_name, custom_suffix)
        path = slr.path_of(aws_service_name)
        trust = slr.trust_policy(aws_service_name)
        policy = slr.policy_arn(aws_service_name)
        aws_policy = self.identity.aws_policies.get(policy) if policy else None
        role_id = self.identity.ids.unique_id("AROA")
        arn = names.entity_arn(ctx.account_id, ROLE, path, name)
        now = iso8601(self.identity.clock.now())

        async def attempt() -> int:
            loaded = await self.identity.repo.load_entity(ROLE, ctx.account_id, name)
            if loaded.state.exists:  # type: ignore[attr-defined]
                raise slr.taken(name)
            events: list[Any] = identity.create_role(
                loaded.state, name=name, id=role_id, arn=arn, path=path, now=now,  # type: ignore[arg-type]
                trust_policy=trust, description=description, max_session_duration=names.DEFAULT_SESSION_DURATION,
                permissions_boundary="", tags={}, aws_service_name=aws_service_name)
            if aws_policy is not None:  # AWS's own policies are never deleted: nothing to reserve
                events.append(PolicyAttached(policy, aws_policy["id"]))
            return await self.identity.repo.append(ROLE, loaded, events, ctx, now)

        async with self.identity._creation_slot(ctx, ROLE):  # the roles quota, raced as CreateRole races it
            position = await with_retries(attempt)
        return {"name": name, "id": role_id, "arn": arn, "path": path, "created_at": now, "trust_policy": trust,
                "description": description, "max_session_duration": names.DEFAULT_SESSION_DURATION,
                "boundary": "", "tags": {}}, position

    async def delete(self, ctx: CallContext, *, role_name: str) -> tuple[str, int]:
        """The deletion task's id, and the log position of its outcome."""
        names.check_name(ROLE, "roleName", role_name)
        task_uuid = str(uuid.uuid4())
        task: list[str] = []

        async def attempt() -> int:
            loaded = await self.identity._existing_entity(ROLE, ctx, role_name)
            state: identity.EntityState = loaded.state  # type: ignore[assignment]
            if not state.aws_service_name:
                raise slr.not_service_linked(role_name)
            projection = self.projection
            if state.reservations:  # an instance profile reserved the role: settle, as DeleteRole does
                await self.identity.repo.settle_reservations(state.reservations, ctx, iso8601(self.identity.clock.now()))
                projection = await self.identity._fresh_projection()
            profiles = sorted(p["arn"] for p in projection.instance_profiles.values()
                              if p["account_id"] == ctx.account_id and any(r["id"] == state.id for r in p["roles"]))
            now = iso8601(self.identity.clock.now())
            live = sum(1 for key in projection.sessions_by_principal.get(state.id, ())
                       if (s := projection.sessions.get(key)) is not None and s["expires_at"] > now)
            task[:] = [slr.task_id(state.aws_service_name, state.name, task_uuid)]
            events = slr.delete(state, task=task[0], now=now, sessions=live, instance_profiles=profiles)
            return await self.identity.repo.append(ROLE, loaded, events, ctx, now)

        position = await with_retries(attempt)
        return task[0], position

    def deletion_status(self, ctx: CallContext, task_id: str) -> View:
        """{"status", "reason", "role_usage"} of a deletion task of the caller's account."""
        slr.parse_task_id(task_id)
        found = self.projection.deletion_tasks.get(f"{ctx.account_id}/{task_id}")
        if found is None:
            raise slr.no_such_task(task_id)
        return found
