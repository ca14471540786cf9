"""IAM identity use cases: validate input, load the stream, decide, append.

Each command returns the log position of its last event (or of the stream's last event when
the command changed nothing), which callers pass as Authorize's ``min_position``.

Rules that span two aggregates (a policy still attached somewhere, a group that still has
members, account-wide quotas) are checked against the identity projection after it has caught
up with the head of the log; everything within one entity is decided on its own stream under
optimistic concurrency. A reference to another aggregate (an attachment, a boundary, a
membership) is first reserved in the referenced aggregate's stream, and a deletion settles those
reservations before it counts (Repository.reference, docs/invariants.md): a delete racing an
attach fails, or the attach does, never both.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from iamd.projections.identity import IdentityProjection
from iamd.projections.runner import ProjectionRunner
from iamd.service.domain import identity, managed_policy, names, service_linked_roles
from iamd.service.domain.errors import (
    EntityAlreadyExistsError,
    FieldProblem,
    LimitExceededError,
    MalformedPolicyDocumentError,
    NoSuchEntityError,
    PolicyNotAttachableError,
    ServiceUnavailableError,
    ValidationError,
)
from iamd.service.domain.events import GROUP, POLICY, ROLE, USER, NameReleased, Renamed
from iamd.service.domain.names import casefold, stream_name
from iamd.service.eventstore.errors import WrongExpectedVersion
from iamd.service.eventstore.port import EventStore
from iamd.service.policy import PolicyType, validate_policy

from .aws_policies import AwsManagedPolicies
from .ports import CallContext, Clock, IdFactory, iso8601
from .repository import KeyedLocks, Loaded, Repository, with_retries

_ID_PREFIX = {USER: "AIDA", GROUP: "AGPA", ROLE: "AROA", POLICY: "ANPA"}
_ACCOUNT_QUOTA = {
    USER: ("users", names.MAX_USERS_PER_ACCOUNT, "UsersPerAccount"),
    GROUP: ("groups", names.MAX_GROUPS_PER_ACCOUNT, "GroupsPerAccount"),
    ROLE: ("roles", names.MAX_ROLES_PER_ACCOUNT, "RolesPerAccount"),
    POLICY: ("policies", names.MAX_POLICIES_PER_ACCOUNT, "PoliciesPerAccount"),
}
FRESHNESS_TIMEOUT = 5.0
# Entities below an account quota by more than this are counted on the projection as it is.
QUOTA_FRESHNESS_MARGIN = 500
REVOKE_POLICY_NAME = "AWSRevokeOlderSessions"  # the inline policy AWS's console writes  # seconds to wait for the projection before a cross-entity check


def check_policy_document(field: str, document: str, policy_type: PolicyType, *, managed: bool = False) -> str:
    """Reject a document AWS would reject, listing every problem with its JSON path.

    `managed`: a managed policy's document, which must be in policy language 2012-10-17."""
    if not document:
        raise ValidationError(
            f"1 validation error detected: Value at '{field}' failed to satisfy constraint: "
            "Member must not be null", problems=[FieldProblem(field, "required")],
        )
    if len(document) > names.MAX_POLICY_DOCUMENT_TRANSPORT:
        raise ValidationError(
            f"1 validation error detected: Value at '{field}' failed to satisfy constraint: Member "
            f"must have length less than or equal to {names.MAX_POLICY_DOCUMENT_TRANSPORT}",
            problems=[FieldProblem(field, "too long")],
        )
    problems = validate_policy(document, policy_type, managed=managed)
    if problems:
        first = problems[0]
        # AWS's message alone (its callers compare it); where, and iamd's detail, are in the details.
        raise MalformedPolicyDocumentError(
            first.message,
            problems=[FieldProblem(f"{field}:{p.path}" if p.path else field, p.message, p.hint)
                      for p in problems],
        )
    return document


def _owned_by_account(kind: str, decide: Callable[[Any], list[Any]]) -> Callable[[Any], list[Any]]:
    """`decide` on a user, group or role the account may change: a service-linked role is its
    service's (UnmodifiableEntity, as AWS)."""
    def guarded(state: Any) -> list[Any]:
        if kind == ROLE:
            service_linked_roles.require_modifiable(state)
        return decide(state)
    return guarded


class IdentityCommands:
    """The write side of users, groups, roles, managed policies and their relations."""

    def __init__(self, store: EventStore, clock: Clock, ids: IdFactory,
                 projection: IdentityProjection, runner: ProjectionRunner,
                 aws_policies: AwsManagedPolicies | None = None) -> None:
        self.aws_policies = aws_policies or AwsManagedPolicies(None)
        self.repo = Repository(store)
        self.store = store
        self.clock = clock
        self.ids = ids
        self.projection = projection
        self.runner = runner
        self._quota_locks = KeyedLocks()

    # --- shared machinery -------------------------------------------------------------------
    def _now(self) -> str:
        return iso8601(self.clock.now())

    async def _fresh_projection(self) -> IdentityProjection:
        """The projection once it has applied everything committed so far."""
        try:
            # The last event the projection reads, not the log's head: other streams (audit,
            # deployment) never move the projection's position. Searched for only past where the
            # runner already knows the log (its checkpoints on KurrentDB), never back over every
            # audit record since the last identity event.
            head = await self.runner.head()
            await self.runner.wait_for(head, FRESHNESS_TIMEOUT)
        except TimeoutError:
            raise ServiceUnavailableError("the identity projection is behind the log; retry") from None
        return self.projection

    async def _check_account_quota(self, ctx: CallContext, kind: str) -> None:
        attr, limit, quota = _ACCOUNT_QUOTA[kind]
        account = self.projection.account(ctx.account_id)
        if account is None or len(getattr(account, attr)) < limit - QUOTA_FRESHNESS_MARGIN:
            # Far below the quota, the projection's lag (a few commits) cannot matter: skip the
            # read of the log's head that making it fresh costs every command.
            return
        projection = await self._fresh_projection()
        account = projection.account(ctx.account_id)
        if account is not None and len(getattr(account, attr)) >= limit:
            raise LimitExceededError(f"Cannot exceed quota for {quota}: {limit}", quota=quota)

    @asynccontextmanager
    async def _creation_slot(self, ctx: CallContext, kind: str) -> AsyncIterator[None]:
        """Check the account's quota of `kind` around the creation the body appends. Near the
        quota, this process's creations of `kind` in the account run one at a time, each counted
        after the previous one's append: two concurrent creations cannot both take the last slot."""
        attr, limit, _ = _ACCOUNT_QUOTA[kind]
        account = self.projection.account(ctx.account_id)
        if account is None or len(getattr(account, attr)) < limit - QUOTA_FRESHNESS_MARGIN:
            yield  # far below the quota: no wait, no lock
            return
        async with self._quota_locks.hold((ctx.account_id, kind)):
            await self._check_account_quota(ctx, kind)
            yield

    async def _existing_entity(self, kind: str, ctx: CallContext, name: str) -> Loaded:
        loaded = await self.repo.load_entity(kind, ctx.account_id, name)
        await self._settle_claim(kind, ctx, loaded)
        identity.require(loaded.state, name)  # type: ignore[arg-type]
        return loaded

    async def _change_entity(self, kind: str, ctx: CallContext, name: str, decide: Any) -> int:
        """The common shape of a command on one existing user, group or role."""

        async def attempt() -> int:
            loaded = await self._existing_entity(kind, ctx, name)
            events = decide(loaded.state)
            return await self.repo.append(kind, loaded, events, ctx, self._now())

        return await with_retries(attempt)

    async def _existing_policy(self, ctx: CallContext, field: str, arn: str,
                               *, attachable: bool = False) -> Loaded | None:
        """The customer managed policy `arn` names, loaded; None for an AWS managed policy that
        exists (AWS's policies are not in the log: see service/app/aws_policies.py)."""
        account, _, name = names.parse_policy_arn(field, arn)
        if attachable and names.is_aws_managed_policy(arn):
            if self.aws_policies.get(arn) is None:
                raise NoSuchEntityError(f"Policy {arn} does not exist or is not attachable.",
                                        resource_type="policy", resource_name=arn,
                                        problems=[FieldProblem(field, self.aws_policies.missing_hint()
                                                               or "no AWS managed policy has this ARN")])
            if arn.startswith(names.AWS_SERVICE_ROLE_POLICY_PREFIX):
                # AWS attaches these to its service-linked roles only (CreateServiceLinkedRole).
                raise PolicyNotAttachableError(
                    "The request failed because AWS service role policies can only be attached to the "
                    "service-linked role for that service.", resource_type="policy", resource_name=arn)
            return None
        if account != ctx.account_id:
            # Another account's policy is no policy here: NoSuchEntity (PolicyNotAttachable is
            # AWS's answer for its service role policies only).
            raise NoSuchEntityError(f"Policy {arn} does not exist or is not attachable.",
                                    resource_type="policy", resource_name=arn)
        loaded = await self.repo.load_policy(ctx.account_id, name)
        if attachable and not (loaded.state.exists and loaded.state.arn == arn):  # type: ignore[attr-defined]
            raise NoSuchEntityError(f"Policy {arn} does not exist or is not attachable.",
                                    resource_type="policy", resource_name=arn)
        managed_policy.require(loaded.state, arn)  # type: ignore[arg-type]
        return loaded

    async def _reference_policy(self, ctx: CallContext, *, kind: str, holder: Loaded, policy_arn: str,
                                relation: str, commit: Any) -> int:
        """A policy attached to (or made the boundary of) `holder`: reserved in the policy's stream,
        then committed in the holder's. `commit(policy_id, reservation_id)` decides the holder's events."""
        policy = await self._existing_policy(ctx, "policyArn" if relation == "attached" else "permissionsBoundary",
                                             policy_arn, attachable=True)
        if policy is None:  # AWS's own: never deleted, so nothing to reserve against
            aws_policy_id = self.aws_policies.get(policy_arn)["id"]  # type: ignore[index]
            return await self.repo.append(kind, holder, commit(aws_policy_id, ""), ctx, self._now())
        state: managed_policy.PolicyState = policy.state  # type: ignore[assignment]
        holder_id = holder.state.id  # type: ignore[attr-defined]
        return await self.repo.reference(
            POLICY, policy,
            lambda rid, version: managed_policy.reserve(state, policy_arn, reservation_id=rid, relation=relation,
                                                        holder_stream=holder.stream, holder_id=holder_id,
                                                        holder_version=version),
            kind, holder, lambda rid: commit(state.id, rid), ctx, self._now())

    async def settle(self, position: int) -> None:
        """Wait (briefly) until this replica's projection shows a command's effect: read-your-writes."""
        try:
            await self.runner.wait_for(position, FRESHNESS_TIMEOUT)
        except TimeoutError:
            pass  # the write is durable; queries will show it once the projection catches up

    async def _append_created(self, kind: str, entity_id: str, loaded: Loaded, permissions_boundary: str,
                              decide: Callable[..., list[Any]], ctx: CallContext, now: str) -> int:
        """Append a new user's or role's events; with a permissions boundary, as a reference to
        that policy (reserved in its stream first), so that a concurrent DeletePolicy cannot
        leave the new entity bounded by a policy that is gone."""
        if not permissions_boundary:
            return await self.repo.append(kind, loaded, decide(), ctx, now)
        decide()  # refused before anything is reserved
        holder = Loaded(identity.EntityState(kind, id=entity_id), loaded.stream, loaded.version, loaded.position)
        return await self._reference_policy(ctx, kind=kind, holder=holder, policy_arn=permissions_boundary,
                                            relation="boundary", commit=decide)

    # --- users ------------------------------------------------------------------------------
    async def create_user(self, ctx: CallContext, *, user_name: str, path: str = "",
                          permissions_boundary: str = "", tags: Sequence[tuple[str, str]] = ()) -> tuple[dict[str, Any], int]:
        names.check_name(USER, "userName", user_name)
        path = names.check_path("path", path)
        tag_map = names.check_tags("tags", tags)
        if len(tag_map) > names.MAX_TAGS:
            raise LimitExceededError(f"Cannot exceed quota for TagsPerUser: {names.MAX_TAGS}", quota="TagsPerUser")
        if permissions_boundary:
            await self._existing_policy(ctx, "permissionsBoundary", permissions_boundary, attachable=True)
        user_id = self.ids.unique_id(_ID_PREFIX[USER])
        arn = names.entity_arn(ctx.account_id, USER, path, user_name)
        now = self._now()

        async def attempt() -> int:
            loaded = await self.repo.load_entity(USER, ctx.account_id, user_name)
            await self._settle_claim(USER, ctx, loaded)

            def decide(boundary_id: str = "", rid: str = "") -> list[Any]:
                return identity.create_user(loaded.state, name=user_name, id=user_id, arn=arn, path=path,  # type: ignore[arg-type]
                                            now=now, permissions_boundary=permissions_boundary, tags=tag_map,
                                            permissions_boundary_id=boundary_id, reservation_id=rid)
            return await self._append_created(USER, user_id, loaded, permissions_boundary, decide, ctx, now)

        async with self._creation_slot(ctx, USER):
            position = await with_retries(attempt)
        return {"name": user_name, "id": user_id, "arn": arn, "path": path, "created_at": now,
                "boundary": permissions_boundary, "tags": tag_map}, position

    async def update_user(self, ctx: CallContext, *, user_name: str, new_user_name: str = "",
                          new_path: str = "") -> int:
        return await self._update_name_or_path(USER, ctx, user_name, new_user_name, new_path)

    async def delete_user(self, ctx: CallContext, *, user_name: str) -> int:
        names.check_name(USER, "userName", user_name)

        async def attempt() -> int:
            loaded = await self._existing_entity(USER, ctx, user_name)
            state: identity.EntityState = loaded.state  # type: ignore[assignment]
            await self.repo.settle_reservations(state.reservations, ctx, self._now())  # MFA devices enabling
            projection = await self._fresh_projection()
            has_mfa = any(d["user_id"] == state.id for d in projection.mfa_devices.values())
            return await self.repo.append(USER, loaded, identity.delete(state, has_mfa_devices=has_mfa), ctx,
                                          self._now())

        return await with_retries(attempt)

    # --- groups -----------------------------------------------------------------------------
    async def create_group(self, ctx: CallContext, *, group_name: str, path: str = "") -> tuple[dict[str, Any], int]:
        names.check_name(GROUP, "groupName", group_name)
        path = names.check_path("path", path)
        group_id = self.ids.unique_id(_ID_PREFIX[GROUP])
        arn = names.entity_arn(ctx.account_id, GROUP, path, group_name)
        now = self._now()

        async def attempt() -> int:
            loaded = await self.repo.load_entity(GROUP, ctx.account_id, group_name)
            await self._settle_claim(GROUP, ctx, loaded)
            events = identity.create_group(loaded.state, name=group_name, id=group_id, arn=arn,  # type: ignore[arg-type]
                                           path=path, now=now)
            return await self.repo.append(GROUP, loaded, events, ctx, now)

        async with self._creation_slot(ctx, GROUP):
            position = await with_retries(attempt)
        return {"name": group_name, "id": group_id, "arn": arn, "path": path, "created_at": now}, position

    async def update_group(self, ctx: CallContext, *, group_name: str, new_group_name: str = "",
                           new_path: str = "") -> int:
        return await self._update_name_or_path(GROUP, ctx, group_name, new_group_name, new_path)

    async def delete_group(self, ctx: CallContext, *, group_name: str) -> int:
        names.check_name(GROUP, "groupName", group_name)

        async def attempt() -> int:
            loaded = await self._existing_entity(GROUP, ctx, group_name)
            state: identity.EntityState = loaded.state  # type: ignore[assignment]
            await self.repo.settle_reservations(state.reservations, ctx, self._now())  # memberships
            projection = await self._fresh_projection()
            account = projection.account(ctx.account_id)
            group = account.groups.get(casefold(group_name)) if account else None
            has_members = bool(group and group["id"] == state.id and group["members"])
            return await self.repo.append(GROUP, loaded, identity.delete(state, has_members=has_members), ctx,
                                          self._now())

        return await with_retries(attempt)

    async def add_user_to_group(self, ctx: CallContext, *, group_name: str, user_name: str) -> int:
        names.check_name(GROUP, "groupName", group_name)
        names.check_name(USER, "userName", user_name)

        async def attempt() -> int:
            # Reserved in the group's stream first (it races DeleteGroup there), then committed in
            # the user's: see Repository.reference.
            # The user is looked for first: with neither, AWS names the user (as RemoveUserFromGroup).
            user = await self._existing_entity(USER, ctx, user_name)
            group = await self._existing_entity(GROUP, ctx, group_name)
            g: identity.EntityState = group.state  # type: ignore[assignment]
            u: identity.EntityState = user.state  # type: ignore[assignment]
            return await self.repo.reference(
                GROUP, group,
                lambda rid, version: identity.reserve(g, group_name, reservation_id=rid, relation="member",
                                                      holder_stream=user.stream, holder_id=u.id,
                                                      holder_version=version),
                USER, user, lambda rid: identity.add_user_to_group(u, g.id, g.name, rid), ctx, self._now())

        return await with_retries(attempt)

    async def remove_user_from_group(self, ctx: CallContext, *, group_name: str, user_name: str) -> int:
        names.check_name(GROUP, "groupName", group_name)
        names.check_name(USER, "userName", user_name)
        # AWS names the user when neither exists (its recorded answer "The user with name any-user
        # cannot be found." for a group that does not exist either): the user is looked for first.
        await self._existing_entity(USER, ctx, user_name)
        group = (await self._existing_entity(GROUP, ctx, group_name)).state
        return await self._change_entity(
            USER, ctx, user_name, lambda s: identity.remove_user_from_group(s, group.id, group.name))  # type: ignore[attr-defined]

    # --- roles ------------------------------------------------------------------------------
    async def create_role(self, ctx: CallContext, *, role_name: str, assume_role_policy_document: str,
                          path: str = "", description: str = "", max_session_duration: int = 0,
                          permissions_boundary: str = "", tags: Sequence[tuple[str, str]] = ()) -> tuple[dict[str, Any], int]:
        names.check_name(ROLE, "roleName", role_name)
        path = names.check_path("path", path)
        names.check_description("description", description)
        duration = names.check_max_session_duration(
            "maxSessionDuration", max_session_duration or names.DEFAULT_SESSION_DURATION)
        check_policy_document("assumeRolePolicyDocument", assume_role_policy_document, PolicyType.TRUST)
        tag_map = names.check_tags("tags", tags)
        if permissions_boundary:
            await self._existing_policy(ctx, "permissionsBoundary", permissions_boundary, attachable=True)
        role_id = self.ids.unique_id(_ID_PREFIX[ROLE])
        arn = names.entity_arn(ctx.account_id, ROLE, path, role_name)
        now = self._now()

        async def attempt() -> int:
            loaded = await self.repo.load_entity(ROLE, ctx.account_id, role_name)

            def decide(boundary_id: str = "", rid: str = "") -> list[Any]:
                return identity.create_role(
                    loaded.state, name=role_name, id=role_id, arn=arn, path=path, now=now,  # type: ignore[arg-type]
                    trust_policy=assume_role_policy_document, description=description,
                    max_session_duration=duration, permissions_boundary=permissions_boundary, tags=tag_map,
                    permissions_boundary_id=boundary_id, reservation_id=rid)
            return await self._append_created(ROLE, role_id, loaded, permissions_boundary, decide, ctx, now)

        async with self._creation_slot(ctx, ROLE):
            position = await with_retries(attempt)
        return {"name": role_name, "id": role_id, "arn": arn, "path": path, "created_at": now,
                "trust_policy": assume_role_policy_document, "description": description,
                "max_session_duration": duration, "boundary": permissions_boundary, "tags": tag_map}, position

    async def update_role(self, ctx: CallContext, *, role_name: str, description: str | None = None,
                          max_session_duration: int = 0) -> int:
        names.check_name(ROLE, "roleName", role_name)
        if description is not None:
            names.check_description("description", description)
        if max_session_duration:
            names.check_max_session_duration("maxSessionDuration", max_session_duration)
        return await self._change_entity(
            ROLE, ctx, role_name, lambda s: identity.update_role(s, description, max_session_duration or None))

    async def update_assume_role_policy(self, ctx: CallContext, *, role_name: str, policy_document: str) -> int:
        names.check_name(ROLE, "roleName", role_name)
        check_policy_document("policyDocument", policy_document, PolicyType.TRUST)
        return await self._change_entity(ROLE, ctx, role_name, _owned_by_account(
            ROLE, lambda s: identity.update_trust_policy(s, policy_document)))

    async def revoke_role_sessions(self, ctx: CallContext, *, role_name: str) -> int:
        """Deny every session issued before now, the way AWS's console revokes a role's sessions."""
        names.check_name(ROLE, "roleName", role_name)
        # Rounded up to the next second: aws:TokenIssueTime has second precision, and a session
        # issued in the very second of the revocation must not slip through.
        cutoff = iso8601(self.clock.now().replace(microsecond=0) + timedelta(seconds=1))
        document = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Action": ["*"], "Resource": ["*"],
            "Condition": {"DateLessThan": {"aws:TokenIssueTime": cutoff}}}]})
        return await self.put_inline_policy(ctx, kind=ROLE, name=role_name, policy_name=REVOKE_POLICY_NAME,
                                            policy_document=document)

    async def delete_role(self, ctx: CallContext, *, role_name: str) -> int:
        names.check_name(ROLE, "roleName", role_name)

        async def attempt() -> int:
            # An instance profile holding the role reserved it in this stream first: settle those
            # reservations (void the uncommitted), count the committed ones on the projection caught
            # up past them, then delete at the version that was settled (docs/invariants.md). A role
            # no profile ever reserved needs neither the reads nor the wait.
            loaded = await self._existing_entity(ROLE, ctx, role_name)
            state: identity.EntityState = loaded.state  # type: ignore[assignment]
            service_linked_roles.require_modifiable(state)  # DeleteServiceLinkedRole's, as AWS
            profiles = 0
            if state.reservations:
                await self.repo.settle_reservations(state.reservations, ctx, self._now())
                projection = await self._fresh_projection()
                profiles = sum(1 for p in projection.instance_profiles.values()
                               if p["account_id"] == ctx.account_id and any(r["id"] == state.id for r in p["roles"]))
            return await self.repo.append(ROLE, loaded, identity.delete(state, instance_profiles=profiles), ctx,
                                          self._now())

        return await with_retries(attempt)

    # --- relations shared by users, groups and roles ----------------------------------------
    def _check_target(self, kind: str, name: str, allowed: Sequence[str]) -> None:
        if kind not in allowed:
            raise ValidationError(f"this operation applies to {', '.join(allowed)} entities, not {kind}",
                                  problems=[FieldProblem("target.kind", "unsupported entity kind")])
        names.check_name(kind, f"{kind}Name", name)

    async def attach_policy(self, ctx: CallContext, *, kind: str, name: str, policy_arn: str) -> int:
        self._check_target(kind, name, (USER, GROUP, ROLE))
        await self._existing_policy(ctx, "policyArn", policy_arn, attachable=True)

        async def attempt() -> int:
            holder = await self._existing_entity(kind, ctx, name)
            _owned_by_account(kind, lambda s: [])(holder.state)
            return await self._reference_policy(
                ctx, kind=kind, holder=holder, policy_arn=policy_arn, relation="attached",
                commit=lambda policy_id, rid: identity.attach_policy(holder.state, policy_arn, policy_id, rid))  # type: ignore[arg-type]

        return await with_retries(attempt)

    async def detach_policy(self, ctx: CallContext, *, kind: str, name: str, policy_arn: str) -> int:
        self._check_target(kind, name, (USER, GROUP, ROLE))
        names.parse_policy_arn("policyArn", policy_arn)
        return await self._change_entity(kind, ctx, name,
                                         _owned_by_account(kind, lambda s: identity.detach_policy(s, policy_arn)))

    async def put_inline_policy(self, ctx: CallContext, *, kind: str, name: str, policy_name: str,
                                policy_document: str) -> int:
        self._check_target(kind, name, (USER, GROUP, ROLE))
        names.check_name("inline policy", "policyName", policy_name)
        check_policy_document("policyDocument", policy_document, PolicyType.IDENTITY)
        return await self._change_entity(
            kind, ctx, name, _owned_by_account(kind, lambda s: identity.put_inline_policy(s, policy_name,
                                                                                          policy_document)))

    async def delete_inline_policy(self, ctx: CallContext, *, kind: str, name: str, policy_name: str) -> int:
        self._check_target(kind, name, (USER, GROUP, ROLE))
        names.check_name("inline policy", "policyName", policy_name)
        return await self._change_entity(kind, ctx, name, _owned_by_account(
            kind, lambda s: identity.delete_inline_policy(s, policy_name)))

    async def put_permissions_boundary(self, ctx: CallContext, *, kind: str, name: str,
                                       permissions_boundary: str) -> int:
        self._check_target(kind, name, (USER, ROLE))
        await self._existing_policy(ctx, "permissionsBoundary", permissions_boundary, attachable=True)

        async def attempt() -> int:
            holder = await self._existing_entity(kind, ctx, name)
            _owned_by_account(kind, lambda s: [])(holder.state)
            return await self._reference_policy(
                ctx, kind=kind, holder=holder, policy_arn=permissions_boundary, relation="boundary",
                commit=lambda policy_id, rid: identity.put_permissions_boundary(
                    holder.state, permissions_boundary, policy_id, rid))  # type: ignore[arg-type]

        return await with_retries(attempt)

    async def delete_permissions_boundary(self, ctx: CallContext, *, kind: str, name: str) -> int:
        self._check_target(kind, name, (USER, ROLE))
        return await self._change_entity(kind, ctx, name, _owned_by_account(kind, identity.delete_permissions_boundary))

    async def tag(self, ctx: CallContext, *, kind: str, name: str, tags: Sequence[tuple[str, str]]) -> int:
        tag_map = names.check_tags("tags", tags)
        if kind == POLICY:
            return await self._change_policy(ctx, name, lambda s: identity.tag(s.tags, tag_map))
        self._check_target(kind, name, (USER, ROLE, POLICY))
        return await self._change_entity(kind, ctx, name, lambda s: identity.tag(s.tags, tag_map))

    async def untag(self, ctx: CallContext, *, kind: str, name: str, tag_keys: Sequence[str]) -> int:
        if kind == POLICY:
            return await self._change_policy(ctx, name, lambda s: identity.untag(s.tags, tag_keys))
        self._check_target(kind, name, (USER, ROLE, POLICY))
        return await self._change_entity(kind, ctx, name, lambda s: identity.untag(s.tags, tag_keys))

    # --- managed policies -------------------------------------------------------------------
    async def create_policy(self, ctx: CallContext, *, policy_name: str, policy_document: str,
                            path: str = "", description: str = "",
                            tags: Sequence[tuple[str, str]] = ()) -> tuple[dict[str, Any], int]:
        names.check_name(POLICY, "policyName", policy_name)
        path = names.check_policy_path("path", path)
        names.check_policy_description("description", description)
        check_policy_document("policyDocument", policy_document, PolicyType.IDENTITY, managed=True)
        tag_map = names.check_tags("tags", tags)
        policy_id = self.ids.unique_id(_ID_PREFIX[POLICY])
        arn = names.entity_arn(ctx.account_id, POLICY, path, policy_name)
        now = self._now()

        async def attempt() -> int:
            loaded = await self.repo.load_policy(ctx.account_id, policy_name)
            events = managed_policy.create(loaded.state, name=policy_name, id=policy_id, arn=arn,  # type: ignore[arg-type]
                                           path=path, description=description,
                                           document=policy_document, now=now, tags=tag_map)
            return await self.repo.append(POLICY, loaded, events, ctx, now)

        async with self._creation_slot(ctx, POLICY):
            position = await with_retries(attempt)
        return {"name": policy_name, "id": policy_id, "arn": arn, "path": path, "description": description,
                "created_at": now, "updated_at": now, "default_version_id": "v1",
                "tags": tag_map}, position

    async def _change_policy(self, ctx: CallContext, policy_arn: str, decide: Any) -> int:
        async def attempt() -> int:
            loaded = await self._existing_policy(ctx, "policyArn", policy_arn)
            return await self.repo.append(POLICY, loaded, decide(loaded.state), ctx, self._now())

        return await with_retries(attempt)

    async def create_policy_version(self, ctx: CallContext, *, policy_arn: str, policy_document: str,
                                    set_as_default: bool = False) -> tuple[dict[str, Any], int]:
        check_policy_document("policyDocument", policy_document, PolicyType.IDENTITY, managed=True)
        now = self._now()
        created: list[str] = []

        def decide(state: managed_policy.PolicyState) -> list[Any]:
            events = managed_policy.create_version(state, policy_document, set_as_default, now)
            created[:] = [events[0].version_id]
            return events

        position = await self._change_policy(ctx, policy_arn, decide)
        return {"version_id": created[0], "document": policy_document, "is_default": set_as_default,
                "created_at": now}, position

    async def set_default_policy_version(self, ctx: CallContext, *, policy_arn: str, version_id: str) -> int:
        managed_policy.check_version_id(version_id)
        now = self._now()
        return await self._change_policy(
            ctx, policy_arn, lambda s: managed_policy.set_default_version(s, version_id, now))

    async def delete_policy_version(self, ctx: CallContext, *, policy_arn: str, version_id: str) -> int:
        managed_policy.check_version_id(version_id)
        return await self._change_policy(ctx, policy_arn,
                                         lambda s: managed_policy.delete_version(s, version_id))

    async def delete_policy(self, ctx: CallContext, *, policy_arn: str) -> int:
        _, _, name = names.parse_policy_arn("policyArn", policy_arn)

        async def attempt() -> int:
            # Every attachment and boundary is reserved in this stream before it is committed in its
            # holder's: settle those (void the uncommitted), then count the committed ones in the
            # projection caught up past them, then delete at the version that was settled. A new
            # reservation meanwhile moves the version on and this append fails (docs/invariants.md).
            loaded = await self._existing_policy(ctx, "policyArn", policy_arn)
            state: managed_policy.PolicyState = loaded.state  # type: ignore[assignment]
            await self.repo.settle_reservations(state.reservations, ctx, self._now())
            projection = await self._fresh_projection()
            account = projection.account(ctx.account_id)
            view = account.policies.get(casefold(name)) if account else None
            if view is not None and view["id"] != state.id:
                view = None
            attachments = len(view["attached_to"]) if view else 0
            boundaries = len(view["boundary_of"]) if view else 0
            events = managed_policy.delete(state, attachment_count=attachments, boundary_usage_count=boundaries)
            return await self.repo.append(POLICY, loaded, events, ctx, self._now())

        return await with_retries(attempt)

    # --- renames ----------------------------------------------------------------------------
    async def _update_name_or_path(self, kind: str, ctx: CallContext, name: str, new_name: str,
                                   new_path: str) -> int:
        names.check_name(kind, f"{kind}Name", name)
        if new_name:
            names.check_name(kind, f"new{kind.title()}Name", new_name)
        if new_path:
            names.check_path("newPath", new_path)
        if not new_name or casefold(new_name) == casefold(name):
            # Same stream: a path change, or a change of case only, which AWS treats as a rename.
            target_name = new_name or name

            def decide(s: identity.EntityState) -> list[Any]:
                path = new_path or s.path
                arn = names.entity_arn(ctx.account_id, kind, path, target_name)
                if target_name != s.name:
                    return [Renamed(target_name, path, arn, stream_name(kind, ctx.account_id, target_name))]
                return identity.update_path(s, path, arn)

            return await self._change_entity(kind, ctx, name, decide)
        return await with_retries(lambda: self._rename(kind, ctx, name, new_name, new_path))

    async def _rename(self, kind: str, ctx: CallContext, name: str, new_name: str, new_path: str) -> int:
        """Move an entity to another name's stream: claim the new name, then close the old stream.

        Two appends, each under optimistic concurrency. If the old stream changed in between, the
        claim is released and the whole rename retried, so a name is never held by two entities.
        """
        old = await self._existing_entity(kind, ctx, name)
        state: identity.EntityState = old.state  # type: ignore[assignment]
        path = new_path or state.path
        new_arn = names.entity_arn(ctx.account_id, kind, path, new_name)
        new = await self.repo.load_entity(kind, ctx.account_id, new_name)
        await self._settle_claim(kind, ctx, new)
        now = self._now()
        claim = identity.claim_name(new.state, new_name, state, old.stream, old.version or 0,  # type: ignore[arg-type]
                                    path, new_arn)
        claim_position = await self.repo.append(kind, new, claim, ctx, now)
        claimed = Loaded(new.state, new.stream, (new.version if new.version is not None else -1) + 1,
                         claim_position)
        try:
            return await self.repo.append(kind, old, [Renamed(new_name, path, new_arn, new.stream)], ctx, now)
        except WrongExpectedVersion:
            await self.repo.append(kind, claimed, [NameReleased()], ctx, now)
            raise

    async def _settle_claim(self, kind: str, ctx: CallContext, loaded: Loaded) -> None:
        """Resolve a rename claim left without its second step (a crash, or a lost race)."""
        state: identity.EntityState = loaded.state  # type: ignore[assignment]
        claim = state.unconfirmed_claim
        if claim is None:
            return
        following = await self.store.read_stream(claim.from_stream, claim.from_version + 1, limit=1)
        if following and following[0].type.endswith("Renamed") and \
                following[0].data.get("new_stream") == loaded.stream:
            state.unconfirmed_claim = None  # the rename completed: the claim holds
            return
        if not following:
            raise EntityAlreadyExistsError(f"a rename to `{state.name}` is in progress; retry",
                                           resource_type=kind, resource_name=state.name)
        # The old stream moved on without confirming: release the name (concurrency-checked).
        await self.repo.append(kind, loaded, [NameReleased()], ctx, self._now())
        raise WrongExpectedVersion(loaded.stream, "settled claim", loaded.version)

