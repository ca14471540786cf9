"""AWS Organizations: the organization, accounts (each with OrganizationAccountAccessRole, as AWS
creates it), OUs, MoveAccount, and SCPs/RCPs attached at the root, an OU or an account."""

from __future__ import annotations

import json
import re
import secrets
import string
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import structlog

from iamd.projections.identity import IdentityProjection
from iamd.service.domain import management_policies, organizations, organizations_delegation
from iamd.service.domain.errors import (
    AccessDeniedError,
    AlreadyInOrganizationError,
    EffectivePolicyNotFoundError,
    FieldProblem,
    InvalidInputError,
    OrganizationsNotInUseError,
)
from iamd.service.domain.events import ACCOUNT, AccountCreated, AccountCreationFailed, Event, event_type
from iamd.service.eventstore.port import EventStore, NewEvent, StreamState
from iamd.service.policy import PolicyType, validate_policy

from .identity import IdentityCommands, check_policy_document
from .ports import CallContext, Clock, iso8601
from .repository import KeyedLocks, Repository

ACCESS_ROLE = "OrganizationAccountAccessRole"  # what AWS creates in every new member account
_LOWER = string.ascii_lowercase + string.digits
_ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)  # CreateAccount's RoleName (an IAM role name)
log = structlog.get_logger(__name__)
# What AWS answers a member account (not a delegated administrator) calling a management-only
# operation, as AccessDeniedException (seen in the answers of ListAccounts, ListRoots, ListPolicies).
_MANAGEMENT_ONLY = "You don't have permissions to access this resource."


@dataclass(frozen=True)
class AccountRequest:
    """A CreateAccount request as carried out: its id and, unless it failed, the account."""

    request_id: str
    account_name: str
    requested_at: str
    account_id: str  # empty: the request failed (its status says why)
    access_role_arn: str
    position: int


def _random(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def org_stream(management_account_id: str) -> str:
    return f"org-{management_account_id}-organization"


def _check_content(policy_type: str, content: str) -> None:
    """A policy's content as AWS validates it for its type: an SCP or RCP is an IAM policy document
    of that kind; a management policy is of its type's syntax (management_policies.parse)."""
    if policy_type in management_policies.MANAGEMENT_POLICY_TYPES:
        management_policies.parse(policy_type, content)
        return
    organizations.check_policy_content_size(policy_type, content)
    check_policy_document("content", content, PolicyType.SCP if policy_type == organizations.SCP else PolicyType.RCP)


class OrganizationCommands:
    def __init__(self, store: EventStore, repo: Repository, clock: Clock, projection: IdentityProjection,
                 identity: IdentityCommands) -> None:
        self.store = store
        self.repo = repo
        self.clock = clock
        self.projection = projection
        self.identity = identity
        self._slots = KeyedLocks()

    @asynccontextmanager
    async def _slot(self, key: str) -> AsyncIterator[None]:
        """A rule that spans organizations (each decides on its own stream, so nothing there stops
        two of them both passing it): this process runs the commands under `key` one at a time, each
        reading the projection once it has applied the previous one's append (one process, as
        IdentityCommands._creation_slot)."""
        async with self._slots.hold(key):
            await self.identity._fresh_projection()
            yield

    def membership_slot(self, account_id: str) -> Any:
        """Around a command that makes `account_id` a member of an organization (CreateOrganization,
        AcceptHandshake): an account is in one organization at most."""
        return self._slot(f"member:{account_id}")

    def _management_of(self, ctx: CallContext) -> str:
        management = self.projection.organization_of_account.get(ctx.account_id, "")
        if not management:
            raise OrganizationsNotInUseError("Your account is not a member of an organization.")
        if management != ctx.account_id:
            raise AccessDeniedError(_MANAGEMENT_ONLY)
        return management

    async def _change(self, management: str, ctx: CallContext, decide: Any) -> int:
        return await self.repo.change("org", org_stream(management), organizations.fold, ctx, self.clock, decide,
                                      incremental=True)

    def state(self, ctx: CallContext) -> organizations.OrganizationState:
        """The caller's organization, whichever account of it calls: for DescribeOrganization, which
        AWS lets any account of the organization call (and to answer the management account's
        changes); every other read goes through `management_state`."""
        management = self.projection.organization_of_account.get(ctx.account_id, "")
        org = self.projection.organizations.get(management)
        if org is None:
            raise OrganizationsNotInUseError("Your account is not a member of an organization.")
        return org

    def _policy_manager_of(self, ctx: CallContext) -> str:
        """The management account of the caller's organization, for a policy-management change
        (CreatePolicy, AttachPolicy, EnablePolicyType, TagResource, ...): the management account's,
        or a member account's that the organization's resource policy delegates to (which of these
        calls, on what, the call's authorization decided: its identity policies and the resource
        policy both allow it)."""
        management = self.projection.organization_of_account.get(ctx.account_id, "")
        org = self.projection.organizations.get(management)
        if org is None:
            raise OrganizationsNotInUseError("Your account is not a member of an organization.")
        if management != ctx.account_id and not organizations_delegation.is_policy_manager(org, ctx.account_id):
            raise AccessDeniedError(_MANAGEMENT_ONLY)
        return management

    def management_state(self, ctx: CallContext) -> organizations.OrganizationState:
        """The caller's organization for a read only its management account or a delegated
        administrator may make: AWS allows every Organizations read but DescribeOrganization (and
        DescribeEffectivePolicy, the handshake reads) only from them (API reference, each
        operation: "You can only call this operation from the management account or a member
        account that is a delegated administrator"). A delegated administrator for any service
        may make all of them, as AWS's RegisterDelegatedAdministrator "grants read-only access to
        Organizations service data", and so may a member account the organization's resource policy
        delegates to (the call's authorization decided which reads, on what)."""
        org = self.state(ctx)
        if org.management_account_id != ctx.account_id and not organizations_delegation.is_delegated(org, ctx.account_id):
            raise AccessDeniedError(_MANAGEMENT_ONLY)
        return org

    async def create_organization(self, ctx: CallContext, feature_set: str = "") -> int:
        if feature_set == "CONSOLIDATED_BILLING":
            raise InvalidInputError("iamd does not support the FeatureSet CONSOLIDATED_BILLING: its organizations "
                                    "have all features (ALL), for their policies.",
                                    problems=[FieldProblem("featureSet", "ALL")])
        if feature_set not in ("", "ALL"):
            raise InvalidInputError("You specified an invalid value.", reason="INVALID_ENUM",
                                    problems=[FieldProblem("featureSet", "ALL or CONSOLIDATED_BILLING")])
        async with self.membership_slot(ctx.account_id):
            if ctx.account_id in self.projection.organization_of_account:
                raise AlreadyInOrganizationError("The AWS account is already a member of an organization.")
            org_id, root_id = "o-" + _random(_LOWER, 10), "r-" + _random(_LOWER, 4)
            return await self._change(ctx.account_id, ctx, lambda s: organizations.create(
                s, organization_id=org_id, root_id=root_id, management_account_id=ctx.account_id,
                now=iso8601(self.clock.now())))

    async def create_account(self, ctx: CallContext, *, account_name: str, email: str,
                             role_name: str = "", tags: Sequence[tuple[str, str]] = ()) -> AccountRequest:
        """AWS's CreateAccount: a request (car-...) for a new member account with a role
        (OrganizationAccountAccessRole unless named) trusting the management account. iamd carries
        the request out before answering; its outcome is the request's status (SUCCEEDED with the
        account, or FAILED with AWS's reason, as AWS reports an email already in use)."""
        management = self._management_of(ctx)
        if not account_name or not email or "@" not in email:
            raise InvalidInputError("AccountName and a valid Email are required",
                                    problems=[FieldProblem("email", "an email address")])
        organizations.check_new_account(account_name, email)
        organizations.check_new_tags(tags)  # an invalid tag fails the request: no account is created
        role_name = role_name or ACCESS_ROLE
        if not _ROLE_NAME.fullmatch(role_name):
            raise InvalidInputError("You provided a role name that isn't valid. Role names must be 1-64 characters "
                                    r"of [\w+=,.@-].", reason="INVALID_ROLE_NAME",
                                    problems=[FieldProblem("roleName", r"1-64 characters of [\w+=,.@-]")])
        account_id = "".join(secrets.choice(string.digits) for _ in range(12))
        request_id = "car-" + _random(_LOWER, 32)
        now = iso8601(self.clock.now())
        decided: list[Event] = []
        # An email is one account's in the whole deployment: checked against the other
        # organizations and requested one at a time per email (a request in progress holds it).
        async with self._slot(f"email:{email.casefold()}"):
            elsewhere = any(organizations.email_in_use(org, email)
                            for m, org in self.projection.organizations.items() if m != management)

            def request(state: organizations.OrganizationState) -> list[Event]:
                decided[:] = organizations.request_account(
                    state, request_id=request_id, account_id=account_id, name=account_name, email=email, now=now,
                    email_taken_elsewhere=elsewhere)
                return decided

            position = await self._change(management, ctx, request)
        if isinstance(decided[0], AccountCreationFailed):
            return AccountRequest(request_id, account_name, now, "", "", position)
        try:
            created = AccountCreated(account_id, now)
            await self.store.append(f"account-{account_id}-root",
                                    [NewEvent(event_type(ACCOUNT, created), created.to_data(), ctx.metadata(now))],
                                    StreamState.NO_STREAM)
            member = CallContext(ctx.request_id, account_id, ctx.actor_arn, ctx.source_ip, ctx.user_agent,
                                 ctx.operation)
            trust = json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{management}:root"},
                "Action": "sts:AssumeRole"}]})
            await self.identity.create_role(member, role_name=role_name, assume_role_policy_document=trust,
                                            description="Lets the management account administer this account")
            await self.identity.put_inline_policy(member, kind="role", name=role_name,
                                                  policy_name="AdministratorAccess",
                                                  policy_document=organizations.FULL_AWS_ACCESS)
            position = await self._change(management, ctx, lambda s: organizations.join(
                s, account_id=account_id, name=account_name, email=email, now=now, request_id=request_id,
                tags=tags))
        except Exception:
            # Not left IN_PROGRESS for ever: its status says it failed, the caller gets the error.
            try:
                await self._change(management, ctx, lambda s: organizations.fail_request(
                    s, request_id=request_id, reason="INTERNAL_FAILURE", now=iso8601(self.clock.now())))
            except Exception as e:  # noqa: BLE001 — the first failure is the one to answer
                log.error("create_account_failure_not_recorded", request_id=request_id, exc_info=e)
            raise
        return AccountRequest(request_id, account_name, now, account_id, f"arn:aws:iam::{account_id}:role/{role_name}",
                              position)

    async def remove_account(self, ctx: CallContext, *, account_id: str) -> int:
        management = self._management_of(ctx)
        now = iso8601(self.clock.now())
        return await self._change(management, ctx, lambda s: organizations.remove_account(
            s, account_id=account_id, now=now))

    async def close_account(self, ctx: CallContext, *, account_id: str) -> int:
        """AWS's CloseAccount: the member account's principals are denied everything from the
        answer's position on (the authorizer reads the organization's state)."""
        management = self._management_of(ctx)
        now = iso8601(self.clock.now())
        return await self._change(management, ctx, lambda s: organizations.close_account(
            s, account_id=account_id, now=now))

    def now(self) -> str:
        """The service's clock, as the organization's records write it: an account's status is read from it."""
        return iso8601(self.clock.now())

    async def create_ou(self, ctx: CallContext, *, parent_id: str, name: str,
                        tags: Sequence[tuple[str, str]] = ()) -> tuple[str, int]:
        management = self._management_of(ctx)
        root_suffix = self.state(ctx).root_id[2:]
        ou_id = f"ou-{root_suffix}-{_random(_LOWER, 8)}"
        position = await self._change(management, ctx,
                                      lambda s: organizations.create_ou(s, ou_id=ou_id, name=name, parent_id=parent_id,
                                                                        tags=tags))
        return ou_id, position

    async def move_account(self, ctx: CallContext, *, account_id: str, source_parent_id: str,
                           destination_parent_id: str) -> int:
        management = self._management_of(ctx)
        return await self._change(management, ctx, lambda s: organizations.move(
            s, account_id=account_id, source=source_parent_id, destination=destination_parent_id))

    async def create_policy(self, ctx: CallContext, *, name: str, policy_type: str, content: str,
                            description: str = "", tags: Sequence[tuple[str, str]] = ()) -> tuple[str, int]:
        management = self._policy_manager_of(ctx)
        if policy_type not in organizations.AWS_POLICY_TYPES:  # no type of AWS's: its enum's refusal
            raise InvalidInputError("You specified an invalid value.", reason="INVALID_ENUM",
                                    problems=[FieldProblem("type", " or ".join(organizations.POLICY_TYPES))])
        if policy_type not in organizations.POLICY_TYPES:  # before its content is judged as one
            raise InvalidInputError(f"iamd does not support the policy type `{policy_type}`: only "
                                    f"{', '.join(organizations.POLICY_TYPES)}",
                                    problems=[FieldProblem("type", " or ".join(organizations.POLICY_TYPES))])
        _check_content(policy_type, content)
        policy_id = "p-" + _random(_LOWER, 8)
        position = await self._change(management, ctx, lambda s: organizations.create_policy(
            s, policy_id=policy_id, name=name, policy_type=policy_type, content=content, description=description,
            tags=tags))
        return policy_id, position

    async def attach_policy(self, ctx: CallContext, *, policy_id: str, target_id: str) -> int:
        management = self._policy_manager_of(ctx)
        return await self._change(management, ctx,
                                  lambda s: organizations.attach(s, policy_id=policy_id, target_id=target_id))

    async def detach_policy(self, ctx: CallContext, *, policy_id: str, target_id: str) -> int:
        management = self._policy_manager_of(ctx)
        return await self._change(management, ctx,
                                  lambda s: organizations.detach(s, policy_id=policy_id, target_id=target_id))

    async def rename_ou(self, ctx: CallContext, *, ou_id: str, name: str) -> int:
        management = self._management_of(ctx)
        return await self._change(management, ctx, lambda s: organizations.rename_ou(s, ou_id=ou_id, name=name))

    async def delete_ou(self, ctx: CallContext, *, ou_id: str) -> int:
        management = self._management_of(ctx)
        return await self._change(management, ctx, lambda s: organizations.delete_ou(s, ou_id=ou_id))

    async def update_policy(self, ctx: CallContext, *, policy_id: str, name: str, content: str,
                            description: str | None = None) -> int:
        management = self._policy_manager_of(ctx)
        policy = organizations.policy_of(self.state(ctx), policy_id)
        if content and policy is not None:  # validated as the policy's own type
            _check_content(policy["type"], content)
        return await self._change(management, ctx, lambda s: organizations.update_policy(
            s, policy_id=policy_id, name=name, content=content, description=description))

    async def delete_policy(self, ctx: CallContext, *, policy_id: str) -> int:
        management = self._policy_manager_of(ctx)
        return await self._change(management, ctx, lambda s: organizations.delete_policy(s, policy_id=policy_id))

    def effective_policy(self, ctx: CallContext, *, policy_type: str, target_id: str) -> tuple[str, dict[str, Any]]:
        """AWS's DescribeEffectivePolicy, which any account of the organization may call (about
        itself; the management account and delegated administrators about any account): (account,
        effective policy), or EffectivePolicyNotFoundException when no policy of the type applies."""
        org = self.state(ctx)
        account, content = organizations.effective_policy(org, caller_account_id=ctx.account_id, target_id=target_id,
                                                          policy_type=policy_type)
        if content is None:
            raise EffectivePolicyNotFoundError(
                f"We can't find an effective policy of type {policy_type} for the account {account}: no policy of "
                "the type is attached to it, its OUs or the root.", resource_type="effective policy",
                resource_name=f"{account}/{policy_type}")
        return account, content

    async def enable_policy_type(self, ctx: CallContext, *, root_id: str, policy_type: str) -> int:
        """AWS's EnablePolicyType: policies of the type may be attached at the root, OUs and
        accounts, and apply (enabling SCPs attaches FullAWSAccess everywhere)."""
        management = self._policy_manager_of(ctx)
        return await self._change(management, ctx, lambda s: organizations.enable_policy_type(
            s, root_id=root_id, policy_type=policy_type))

    async def disable_policy_type(self, ctx: CallContext, *, root_id: str, policy_type: str) -> int:
        """AWS's DisablePolicyType: every policy of the type is detached, and none applies."""
        management = self._policy_manager_of(ctx)
        return await self._change(management, ctx, lambda s: organizations.disable_policy_type(
            s, root_id=root_id, policy_type=policy_type))

    async def enable_service_access(self, ctx: CallContext, *, service_principal: str) -> int:
        """AWS's EnableAWSServiceAccess: trusted access recorded for the service (iamd runs no AWS
        service: what the service would do with it, such as its service-linked roles, is the service's)."""
        management = self._management_of(ctx)
        now = iso8601(self.clock.now())
        return await self._change(management, ctx, lambda s: organizations.enable_service_access(
            s, service_principal=service_principal, now=now))

    async def disable_service_access(self, ctx: CallContext, *, service_principal: str) -> int:
        management = self._management_of(ctx)
        now = iso8601(self.clock.now())
        return await self._change(management, ctx, lambda s: organizations.disable_service_access(
            s, service_principal=service_principal, now=now))

    async def tag_resource(self, ctx: CallContext, *, resource_id: str, tags: Sequence[tuple[str, str]]) -> int:
        management = self._policy_manager_of(ctx)
        return await self._change(management, ctx, lambda s: organizations.tag(s, resource_id=resource_id, tags=tags))

    async def untag_resource(self, ctx: CallContext, *, resource_id: str, tag_keys: Sequence[str]) -> int:
        management = self._policy_manager_of(ctx)
        return await self._change(management, ctx,
                                  lambda s: organizations.untag(s, resource_id=resource_id, tag_keys=tag_keys))

    async def register_delegated_admin(self, ctx: CallContext, *, account_id: str, service_principal: str) -> int:
        """AWS's RegisterDelegatedAdministrator: a member account, for a service with trusted access."""
        management = self._management_of(ctx)
        now = iso8601(self.clock.now())
        return await self._change(management, ctx, lambda s: organizations.register_delegated_admin(
            s, account_id=account_id, service_principal=service_principal, now=now))

    async def deregister_delegated_admin(self, ctx: CallContext, *, account_id: str, service_principal: str) -> int:
        management = self._management_of(ctx)
        now = iso8601(self.clock.now())
        return await self._change(management, ctx, lambda s: organizations.deregister_delegated_admin(
            s, account_id=account_id, service_principal=service_principal, now=now))

    async def delete_organization(self, ctx: CallContext) -> int:
        """AWS's DeleteOrganization: the management account's, once no member account is left."""
        management = self._management_of(ctx)
        now = iso8601(self.clock.now())
        return await self._change(management, ctx, lambda s: organizations.delete(s, now=now))

    async def leave_organization(self, ctx: CallContext) -> int:
        """AWS's LeaveOrganization: the calling member account becomes standalone (its
        organization's SCPs and RCPs stop applying to it)."""
        management = self.projection.organization_of_account.get(ctx.account_id, "")
        if not management:
            raise OrganizationsNotInUseError("Your account is not a member of an organization.")
        now = iso8601(self.clock.now())
        return await self._change(management, ctx, lambda s: organizations.leave(s, account_id=ctx.account_id,
                                                                                 now=now))

    def accounts_with_invalid_effective_policy(self, ctx: CallContext, *,
                                               policy_type: str) -> tuple[organizations.OrganizationState, list[str]]:
        """AWS's ListAccountsWithInvalidEffectivePolicy: the management account's or a delegated
        administrator's read (organization, account ids)."""
        org = self.management_state(ctx)
        return org, organizations.accounts_with_invalid_effective_policy(org, policy_type=policy_type,
                                                                          now=self.now())

    def effective_policy_validation_errors(self, ctx: CallContext, *, account_id: str, policy_type: str
                                           ) -> tuple[organizations.OrganizationState, str, list[dict[str, Any]], str]:
        """AWS's ListEffectivePolicyValidationErrors: (organization, the account's path, its errors,
        when they were computed: now)."""
        org = self.management_state(ctx)
        now = self.now()
        path, errors = organizations.effective_policy_validation_errors(org, account_id=account_id,
                                                                        policy_type=policy_type, now=now)
        return org, path, errors, now

    def enable_all_features(self, ctx: CallContext) -> None:
        """AWS's EnableAllFeatures, the management account's call: refused as AWS refuses it for an
        organization that has all features, which every organization of iamd has (no event)."""
        self._management_of(ctx)
        organizations.enable_all_features(self.state(ctx))

    def create_gov_cloud_account(self, ctx: CallContext, *, account_name: str, email: str, role_name: str,
                                 iam_user_access_to_billing: str, tags: Sequence[tuple[str, str]]) -> None:
        """AWS's CreateGovCloudAccount, the management account's call: the request checked, then
        refused as AWS refuses a management account with no GovCloud account (no event)."""
        self._management_of(ctx)
        organizations.create_gov_cloud_account(
            self.state(ctx), account_name=account_name, email=email, role_name=role_name,
            iam_user_access_to_billing=iam_user_access_to_billing, tags=tags)

    async def put_resource_policy(self, ctx: CallContext, *, content: str,
                                  tags: Sequence[tuple[str, str]] = ()) -> tuple[str, int]:
        """AWS's PutResourcePolicy: the organization's delegation policy created or replaced, the
        management account's call. (resource policy id, position)."""
        management = self._management_of(ctx)
        check_resource_policy(content)
        new_id = "rp-" + _random(_LOWER, 12)
        now = iso8601(self.clock.now())
        held: list[str] = []

        def put(state: organizations.OrganizationState) -> list[Event]:
            held[:] = [state.resource_policy["id"] if state.resource_policy else new_id]
            return organizations_delegation.put(state, resource_policy_id=new_id, content=content, now=now, tags=tags)

        position = await self._change(management, ctx, put)
        return held[0], position

    def resource_policy(self, ctx: CallContext) -> tuple[organizations.OrganizationState, dict[str, Any]]:
        """AWS's DescribeResourcePolicy: the management account's or a delegated member's read."""
        org = self.management_state(ctx)
        return org, organizations_delegation.describe(org)

    async def delete_resource_policy(self, ctx: CallContext) -> int:
        """AWS's DeleteResourcePolicy, the management account's call: nobody is delegated by it any more."""
        management = self._management_of(ctx)
        now = iso8601(self.clock.now())
        return await self._change(management, ctx, lambda s: organizations_delegation.delete(s, now=now))


def check_resource_policy(content: str) -> None:
    """A delegation policy as AWS accepts it: 1-40,000 characters, a resource-based policy of the
    IAM policy grammar, and organizations_delegation's own rules; InvalidInputException otherwise,
    every problem listed."""
    if not content:
        raise InvalidInputError("You must include a value for all required parameters: Content.",
                                reason="INPUT_REQUIRED", problems=[FieldProblem("content", "a resource policy")])
    if len(content) > organizations_delegation.MAX_CONTENT:
        raise InvalidInputError("1 validation error detected: Value at 'content' failed to satisfy constraint: Member "
                                f"must have length less than or equal to {organizations_delegation.MAX_CONTENT}",
                                reason="MAX_LENGTH_EXCEEDED",
                                problems=[FieldProblem("content", f"at most {organizations_delegation.MAX_CONTENT} "
                                                                  "characters")])
    grammar = validate_policy(content, PolicyType.RESOURCE)
    if grammar:
        raise InvalidInputError(f"The resource policy is not valid: {grammar[0].message}", problems=[
            FieldProblem(f"content:{p.path}" if p.path else "content", p.message, p.hint) for p in grammar])
    problems = organizations_delegation.check_content(content)
    if problems:
        raise organizations_delegation.refusal(problems)
