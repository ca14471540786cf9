"""OrganizationsService: thin servicers over the organization use cases."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import grpc
from google.protobuf import timestamp_pb2

from iamd.v1 import common_pb2
from iamd.v1 import organizations_pb2 as opb
from iamd.v1 import organizations_pb2_grpc
from iamd.service.app import next_tokens
from iamd.service.app.identity import IdentityCommands
from iamd.service.app.organizations import OrganizationCommands
from iamd.service.domain import organizations, organizations_delegation
from iamd.service.domain.errors import (
    AccountNotFoundError,
    ChildNotFoundError,
    CreateAccountStatusNotFoundError,
    FieldProblem,
    InvalidInputError,
    OrganizationalUnitNotFoundError,
)

from .caller import CallerResolver
from .organizations_handshakes import HandshakeRpcs

Ctx = grpc.aio.ServicerContext
_POLICY_TYPES = organizations.POLICY_TYPES
_CHILD_TYPES = {"ACCOUNT": 0, "ORGANIZATIONAL_UNIT": 1}
_REQUEST_STATES = ("IN_PROGRESS", "SUCCEEDED", "FAILED")
_REQUEST_ID = re.compile(r"car-[a-z0-9]{8,32}")  # AWS's CreateAccountRequestId pattern


def _available_policy_types() -> list[opb.PolicyTypeSummary]:
    """AWS's deprecated AvailablePolicyTypes: SCPs, ENABLED, whatever the root has enabled (API
    reference, DescribeOrganization: "It doesn't include any policy type supported by Organizations
    other than SCPs"; DisablePolicyType: a type disabled at the root "still appears enabled for the
    organization"). What the root has enabled is ListRoots' PolicyTypes."""
    return [opb.PolicyTypeSummary(type=organizations.SCP, status="ENABLED")]


def _root(org: organizations.OrganizationState) -> opb.OrganizationRoot:
    """The root as AWS's Root: the policy types enabled at it, each ENABLED (iamd enables at once)."""
    return opb.OrganizationRoot(id=org.root_id, name="Root", arn=organizations.arn_of(org, org.root_id),
                                policy_types=[opb.PolicyTypeSummary(type=t, status="ENABLED")
                                              for t in organizations.enabled_policy_types(org)])


def _timestamp(iso: str) -> timestamp_pb2.Timestamp:
    moment = timestamp_pb2.Timestamp()
    moment.FromDatetime(datetime.fromisoformat(iso.replace("Z", "+00:00")))
    return moment


def _page(org: organizations.OrganizationState, rpc: str, params: Sequence[str], items: Sequence[Any], key: Any,
          r: Any, *, sorted_by_key: bool = True) -> tuple[list[Any], str]:
    """One page of a listing and the next one's token, bound to the listing: the RPC, its
    parameters and the organization."""
    return next_tokens.page(items, key, scope=(rpc, org.organization_id, *params), next_token=r.next_token,
                            max_results=r.max_results, sorted_by_key=sorted_by_key)


def _not_paged(r: Any, rpc: str) -> None:
    """The RPCs that share a request message with a listing take no paging."""
    if r.next_token or r.max_results:
        raise InvalidInputError(f"{rpc} takes no nextToken or maxResults",
                                problems=[FieldProblem("nextToken", f"not a parameter of {rpc}")])


def _organization_message(org: organizations.OrganizationState) -> opb.Organization:
    management = org.management_account_id
    return opb.Organization(id=org.organization_id, arn=organizations.organization_arn(org), feature_set="ALL",
                            master_account_arn=organizations.arn_of(org, management), master_account_id=management,
                            master_account_email=org.accounts[management]["email"],
                            available_policy_types=_available_policy_types())


def _request_status(request_id: str, request: dict[str, str]) -> opb.CreateAccountStatus:
    status = opb.CreateAccountStatus(id=request_id, account_name=request["account_name"], state=request["state"],
                                     requested_timestamp=_timestamp(request["requested_at"]),
                                     account_id=request.get("account_id", "") if request["state"] == "SUCCEEDED"
                                     else "", failure_reason=request.get("failure_reason", ""))
    if request.get("completed_at"):
        status.completed_timestamp.CopyFrom(_timestamp(request["completed_at"]))
    return status


def _policy_type_filter(value: str, *, required: bool) -> str:
    if value in _POLICY_TYPES or (not value and not required):
        return value
    raise InvalidInputError("You specified an invalid value.", reason="INVALID_ENUM",  # AWS's message
                            problems=[FieldProblem("filter", " or ".join(_POLICY_TYPES))])


def _summary(org: organizations.OrganizationState, policy_id: str) -> opb.OrganizationPolicySummary:
    policy = organizations.require_policy(org, policy_id)
    return opb.OrganizationPolicySummary(id=policy_id, name=policy["name"], type=policy["type"],
                                         aws_managed=policy_id in organizations.AWS_MANAGED,
                                         arn=organizations.policy_arn(org, policy_id),
                                         description=policy.get("description", ""))


def _policy(org: organizations.OrganizationState, policy_id: str) -> opb.OrganizationPolicy:
    """A policy as AWS's Policy structure: its summary and content."""
    return opb.OrganizationPolicy(policy_summary=_summary(org, policy_id),
                                  content=organizations.require_policy(org, policy_id)["content"])


def _ou(org: organizations.OrganizationState, ou_id: str) -> opb.OrganizationalUnit:
    return opb.OrganizationalUnit(id=ou_id, name=org.ou_names[ou_id], arn=organizations.arn_of(org, ou_id))


def _account(org: organizations.OrganizationState, account_id: str, now: str) -> opb.OrganizationAccount:
    account = org.accounts[account_id]
    status, state = organizations.account_status(org, account_id, now)
    message = opb.OrganizationAccount(id=account_id, name=account["name"], email=account["email"],
                                      parent_id=org.parents.get(account_id, ""),
                                      arn=organizations.arn_of(org, account_id), status=status, state=state,
                                      joined_method=account.get("joined_method", "CREATED"))
    if account.get("joined_at"):
        message.joined_timestamp.CopyFrom(_timestamp(account["joined_at"]))
    return message


def _delegated_admin(org: organizations.OrganizationState, account_id: str, now: str) -> opb.DelegatedAdministrator:
    """A delegated administrator as AWS's DelegatedAdministrator: its account, and since when."""
    account = _account(org, account_id, now)
    message = opb.DelegatedAdministrator(id=account.id, arn=account.arn, email=account.email, name=account.name,
                                         status=account.status, state=account.state,
                                         joined_method=account.joined_method,
                                         delegation_enabled_date=_timestamp(organizations.delegation_date(org, account_id)))
    if account.HasField("joined_timestamp"):
        message.joined_timestamp.CopyFrom(account.joined_timestamp)
    return message


def _resource_policy(org: organizations.OrganizationState, policy_id: str, content: str) -> opb.OrganizationResourcePolicy:
    """The organization's resource policy as AWS's ResourcePolicy."""
    return opb.OrganizationResourcePolicy(resource_policy_summary=opb.ResourcePolicySummary(
        id=policy_id, arn=organizations_delegation.arn_of(org, policy_id)), content=content)


def _tags(tags: Sequence[common_pb2.Tag]) -> list[tuple[str, str]]:
    return [(t.key, t.value) for t in tags]


class OrganizationsServicer(HandshakeRpcs, organizations_pb2_grpc.OrganizationsServiceServicer):
    def __init__(self, commands: OrganizationCommands, identity: IdentityCommands, caller: CallerResolver) -> None:
        self.commands = commands
        self.identity = identity
        self.caller = caller

    def _organization(self, context: Ctx, position: int = 0) -> opb.OrganizationResponse:
        org = self.commands.state(self.caller(context))
        return opb.OrganizationResponse(id=org.organization_id, master_account_id=org.management_account_id,
                                        root_id=org.root_id, position=position,
                                        organization=_organization_message(org))

    async def CreateOrganization(self, r: opb.CreateOrganizationRequest, context: Ctx) -> opb.OrganizationResponse:
        position = await self.commands.create_organization(self.caller(context), r.feature_set)
        await self.identity.settle(position)
        return self._organization(context, position)

    async def DescribeOrganization(self, r: opb.DescribeOrganizationRequest, context: Ctx) -> opb.OrganizationResponse:
        return self._organization(context)

    async def CreateAccount(self, r: opb.CreateAccountRequest, context: Ctx) -> opb.CreateAccountResponse:
        done = await self.commands.create_account(self.caller(context), account_name=r.account_name, email=r.email,
                                                  role_name=r.role_name, tags=_tags(r.tags))
        await self.identity.settle(done.position)
        # As AWS answers CreateAccount: the request, IN_PROGRESS; DescribeCreateAccountStatus tells its outcome.
        status = opb.CreateAccountStatus(id=done.request_id, account_name=done.account_name, state="IN_PROGRESS",
                                         requested_timestamp=_timestamp(done.requested_at))
        return opb.CreateAccountResponse(account_id=done.account_id, position=done.position,
                                         access_role_arn=done.access_role_arn, create_account_status=status)

    async def DescribeCreateAccountStatus(self, r: opb.DescribeCreateAccountStatusRequest,
                                          context: Ctx) -> opb.DescribeCreateAccountStatusResponse:
        org = self.commands.management_state(self.caller(context))
        if not _REQUEST_ID.fullmatch(r.create_account_request_id):
            raise InvalidInputError("You provided a value that doesn't match the required pattern.",
                                    reason="INVALID_PATTERN",
                                    problems=[FieldProblem("createAccountRequestId", "car- and 8-32 of [a-z0-9]")])
        request = org.account_requests.get(r.create_account_request_id)
        if request is None:
            raise CreateAccountStatusNotFoundError(
                "We can't find a create account request with the CreateAccountRequestId that you specified.",
                resource_type="create account request", resource_name=r.create_account_request_id)
        return opb.DescribeCreateAccountStatusResponse(
            create_account_status=_request_status(r.create_account_request_id, request))

    async def ListCreateAccountStatus(self, r: opb.ListCreateAccountStatusRequest,
                                      context: Ctx) -> opb.ListCreateAccountStatusResponse:
        unknown = [state for state in r.states if state not in _REQUEST_STATES]
        if unknown:
            raise InvalidInputError("You specified an invalid value.", reason="INVALID_ENUM",
                                    problems=[FieldProblem("states", " or ".join(_REQUEST_STATES))])
        org = self.commands.management_state(self.caller(context))
        wanted = set(r.states) or set(_REQUEST_STATES)
        requests = [rid for rid, request in org.account_requests.items() if request["state"] in wanted]
        chunk, token = _page(org, "ListCreateAccountStatus", sorted(wanted), requests, lambda rid: rid, r,
                             sorted_by_key=False)
        return opb.ListCreateAccountStatusResponse(
            create_account_statuses=[_request_status(rid, org.account_requests[rid]) for rid in chunk],
            next_token=token)

    async def ListAccounts(self, r: opb.ListAccountsRequest, context: Ctx) -> opb.ListAccountsResponse:
        org = self.commands.management_state(self.caller(context))
        now = self.commands.now()  # closed accounts past their post-closure period are no longer listed
        chunk, token = _page(org, "ListAccounts", (), organizations.members(org, now), lambda a: a, r)
        return opb.ListAccountsResponse(accounts=[_account(org, a, now) for a in chunk], next_token=token)

    async def DescribeAccount(self, r: opb.DescribeAccountRequest, context: Ctx) -> opb.DescribeAccountResponse:
        org = self.commands.management_state(self.caller(context))
        now = self.commands.now()
        if r.account_id not in org.accounts or organizations.is_departed(org, r.account_id, now):
            raise AccountNotFoundError(f"We can't find an AWS account with the AccountId that you specified: "
                                       f"{r.account_id}", resource_type="account", resource_name=r.account_id)
        return opb.DescribeAccountResponse(account=_account(org, r.account_id, now))

    async def PutOrganizationResourcePolicy(self, r: opb.PutOrganizationResourcePolicyRequest,
                                            context: Ctx) -> opb.PutOrganizationResourcePolicyResponse:
        caller = self.caller(context)
        policy_id, position = await self.commands.put_resource_policy(caller, content=r.content, tags=_tags(r.tags))
        await self.identity.settle(position)
        return opb.PutOrganizationResourcePolicyResponse(
            resource_policy=_resource_policy(self.commands.state(caller), policy_id, r.content), position=position)

    async def DescribeOrganizationResourcePolicy(self, r: opb.DescribeOrganizationResourcePolicyRequest,
                                                 context: Ctx) -> opb.DescribeOrganizationResourcePolicyResponse:
        org, policy = self.commands.resource_policy(self.caller(context))
        return opb.DescribeOrganizationResourcePolicyResponse(
            resource_policy=_resource_policy(org, policy["id"], policy["content"]))

    async def DeleteOrganizationResourcePolicy(self, r: opb.DeleteOrganizationResourcePolicyRequest,
                                               context: Ctx) -> opb.DeleteOrganizationResourcePolicyResponse:
        position = await self.commands.delete_resource_policy(self.caller(context))
        await self.identity.settle(position)
        return opb.DeleteOrganizationResourcePolicyResponse(position=position)

    async def ListAccountsWithInvalidEffectivePolicy(self, r: opb.ListAccountsWithInvalidEffectivePolicyRequest,
                                                     context: Ctx) -> opb.ListAccountsWithInvalidEffectivePolicyResponse:
        org, accounts = self.commands.accounts_with_invalid_effective_policy(self.caller(context),
                                                                             policy_type=r.policy_type)
        now = self.commands.now()
        chunk, token = _page(org, "ListAccountsWithInvalidEffectivePolicy", (r.policy_type,), accounts, lambda a: a, r)
        return opb.ListAccountsWithInvalidEffectivePolicyResponse(
            accounts=[_account(org, a, now) for a in chunk], policy_type=r.policy_type, next_token=token)

    async def ListEffectivePolicyValidationErrors(self, r: opb.ListEffectivePolicyValidationErrorsRequest,
                                                  context: Ctx) -> opb.ListEffectivePolicyValidationErrorsResponse:
        org, path, errors, now = self.commands.effective_policy_validation_errors(
            self.caller(context), account_id=r.account_id, policy_type=r.policy_type)
        chunk, token = _page(org, "ListEffectivePolicyValidationErrors", (r.account_id, r.policy_type),
                             list(enumerate(errors)), lambda e: f"{e[0]:06d}", r)
        return opb.ListEffectivePolicyValidationErrorsResponse(
            account_id=r.account_id, policy_type=r.policy_type, path=path, evaluation_timestamp=_timestamp(now),
            next_token=token, effective_policy_validation_errors=[
                opb.EffectivePolicyValidationError(**error) for _, error in chunk])

    async def EnableAllFeatures(self, r: opb.EnableAllFeaturesRequest, context: Ctx) -> opb.EnableAllFeaturesResponse:
        self.commands.enable_all_features(self.caller(context))
        raise AssertionError("EnableAllFeatures is always refused")  # INVARIANT: the use case raises

    async def CreateGovCloudAccount(self, r: opb.CreateGovCloudAccountRequest,
                                    context: Ctx) -> opb.CreateGovCloudAccountResponse:
        self.commands.create_gov_cloud_account(self.caller(context), account_name=r.account_name, email=r.email,
                                               role_name=r.role_name,
                                               iam_user_access_to_billing=r.iam_user_access_to_billing,
                                               tags=_tags(r.tags))
        raise AssertionError("CreateGovCloudAccount is always refused")  # INVARIANT: the use case raises

    async def CloseAccount(self, r: opb.CloseAccountRequest, context: Ctx) -> opb.CloseAccountResponse:
        position = await self.commands.close_account(self.caller(context), account_id=r.account_id)
        await self.identity.settle(position)
        return opb.CloseAccountResponse(position=position)

    async def RemoveAccountFromOrganization(self, r: opb.DescribeAccountRequest,
                                            context: Ctx) -> opb.OrganizationCommandResponse:
        position = await self.commands.remove_account(self.caller(context), account_id=r.account_id)
        await self.identity.settle(position)
        return opb.OrganizationCommandResponse(position=position)

    async def CreateOrganizationalUnit(self, r: opb.CreateOrganizationalUnitRequest,
                                       context: Ctx) -> opb.CreateOrganizationalUnitResponse:
        caller = self.caller(context)
        ou_id, position = await self.commands.create_ou(caller, parent_id=r.parent_id, name=r.name,
                                                        tags=_tags(r.tags))
        await self.identity.settle(position)
        return opb.CreateOrganizationalUnitResponse(id=ou_id, position=position,
                                                    organizational_unit=_ou(self.commands.state(caller), ou_id))

    async def MoveAccount(self, r: opb.MoveAccountRequest, context: Ctx) -> opb.OrganizationCommandResponse:
        position = await self.commands.move_account(self.caller(context), account_id=r.account_id,
                                                    source_parent_id=r.source_parent_id,
                                                    destination_parent_id=r.destination_parent_id)
        await self.identity.settle(position)
        return opb.OrganizationCommandResponse(position=position)

    async def CreateOrganizationPolicy(self, r: opb.CreateOrganizationPolicyRequest,
                           context: Ctx) -> opb.CreateOrganizationPolicyResponse:
        caller = self.caller(context)
        policy_id, position = await self.commands.create_policy(caller, name=r.name, policy_type=r.type,
                                                                content=r.content, description=r.description,
                                                                tags=_tags(r.tags))
        await self.identity.settle(position)
        return opb.CreateOrganizationPolicyResponse(policy_id=policy_id, position=position,
                                                    policy=_policy(self.commands.state(caller), policy_id))

    async def AttachOrganizationPolicy(self, r: opb.OrganizationPolicyTargetRequest, context: Ctx) -> opb.OrganizationCommandResponse:
        position = await self.commands.attach_policy(self.caller(context), policy_id=r.policy_id,
                                                     target_id=r.target_id)
        await self.identity.settle(position)
        return opb.OrganizationCommandResponse(position=position)

    async def DetachOrganizationPolicy(self, r: opb.OrganizationPolicyTargetRequest, context: Ctx) -> opb.OrganizationCommandResponse:
        position = await self.commands.detach_policy(self.caller(context), policy_id=r.policy_id,
                                                     target_id=r.target_id)
        await self.identity.settle(position)
        return opb.OrganizationCommandResponse(position=position)

    async def ListPoliciesForTarget(self, r: opb.ListPoliciesForTargetRequest,
                                    context: Ctx) -> opb.ListPoliciesForTargetResponse:
        wanted = _policy_type_filter(r.filter, required=True)
        org = self.commands.management_state(self.caller(context))
        organizations.require_target(org, r.target_id)
        attached = [p for p in organizations.attached_to(org, r.target_id)
                    if organizations.policy_of(org, p)["type"] == wanted]  # type: ignore[index]
        chunk, token = _page(org, "ListPoliciesForTarget", (r.target_id, wanted), attached, lambda p: p, r,
                             sorted_by_key=False)  # in attachment order
        return opb.ListPoliciesForTargetResponse(policies=[_summary(org, p) for p in chunk], next_token=token)

    async def ListRoots(self, r: opb.ListRootsRequest, context: Ctx) -> opb.ListRootsResponse:
        org = self.commands.management_state(self.caller(context))
        chunk, token = _page(org, "ListRoots", (), [org.root_id], lambda root: root, r)
        return opb.ListRootsResponse(roots=[_root(org) for _ in chunk], next_token=token)

    async def ListChildren(self, r: opb.ListChildrenRequest, context: Ctx) -> opb.ListChildrenResponse:
        if r.child_type not in _CHILD_TYPES:
            raise InvalidInputError("You specified an invalid value.", reason="INVALID_ENUM",  # AWS's message
                                    problems=[FieldProblem("childType", "ACCOUNT or ORGANIZATIONAL_UNIT")])
        org = self.commands.management_state(self.caller(context))
        now = self.commands.now()
        children = [c for c in organizations.children_of(org, r.parent_id)[_CHILD_TYPES[r.child_type]]
                    if not organizations.is_departed(org, c, now)]
        chunk, token = _page(org, "ListChildren", (r.parent_id, r.child_type), children, lambda c: c, r)
        return opb.ListChildrenResponse(children=[opb.OrganizationChild(id=c, type=r.child_type) for c in chunk],
                                        next_token=token)

    async def ListParents(self, r: opb.ListParentsRequest, context: Ctx) -> opb.ListParentsResponse:
        org = self.commands.management_state(self.caller(context))
        parent = org.parents.get(r.child_id)
        if parent is None:
            raise ChildNotFoundError(f"We can't find an OU or account with the ChildId that you specified: "
                                     f"{r.child_id}", resource_type="child", resource_name=r.child_id,
                                     problems=[FieldProblem("childId", "no such OU or account")])
        chunk, token = _page(org, "ListParents", (r.child_id,), [parent], lambda p: p, r)
        return opb.ListParentsResponse(parents=[opb.OrganizationChild(id=p, type=organizations.node_kind(org, p)[0])
                                                for p in chunk], next_token=token)

    async def ListOrganizationalUnitsForParent(self, r: opb.ListChildrenRequest,
                                               context: Ctx) -> opb.ListOrganizationalUnitsResponse:
        org = self.commands.management_state(self.caller(context))
        _, ous = organizations.children_of(org, r.parent_id)
        chunk, token = _page(org, "ListOrganizationalUnitsForParent", (r.parent_id,), ous, lambda ou: ou, r)
        return opb.ListOrganizationalUnitsResponse(organizational_units=[_ou(org, ou) for ou in chunk],
                                                   next_token=token)

    async def ListAccountsForParent(self, r: opb.ListChildrenRequest, context: Ctx) -> opb.ListAccountsResponse:
        org = self.commands.management_state(self.caller(context))
        now = self.commands.now()
        accounts = [a for a in organizations.children_of(org, r.parent_id)[0]
                    if not organizations.is_departed(org, a, now)]
        chunk, token = _page(org, "ListAccountsForParent", (r.parent_id,), accounts, lambda a: a, r)
        return opb.ListAccountsResponse(accounts=[_account(org, a, now) for a in chunk], next_token=token)

    async def DescribeOrganizationalUnit(self, r: opb.OrganizationalUnitRequest,
                                         context: Ctx) -> opb.DescribeOrganizationalUnitResponse:
        org = self.commands.management_state(self.caller(context))
        if r.organizational_unit_id not in org.ou_names:
            raise OrganizationalUnitNotFoundError(
                f"We can't find an OU with the OrganizationalUnitId that you specified: {r.organizational_unit_id}",
                resource_type="organizational unit", resource_name=r.organizational_unit_id)
        return opb.DescribeOrganizationalUnitResponse(organizational_unit=_ou(org, r.organizational_unit_id))

    async def UpdateOrganizationalUnit(self, r: opb.UpdateOrganizationalUnitRequest,
                                       context: Ctx) -> opb.OrganizationCommandResponse:
        caller = self.caller(context)
        position = await self.commands.rename_ou(caller, ou_id=r.organizational_unit_id, name=r.name)
        await self.identity.settle(position)
        return opb.OrganizationCommandResponse(position=position, organizational_unit=_ou(
            self.commands.state(caller), r.organizational_unit_id))

    async def DeleteOrganizationalUnit(self, r: opb.OrganizationalUnitRequest,
                                       context: Ctx) -> opb.OrganizationCommandResponse:
        position = await self.commands.delete_ou(self.caller(context), ou_id=r.organizational_unit_id)
        await self.identity.settle(position)
        return opb.OrganizationCommandResponse(position=position)

    async def DescribeOrganizationPolicy(self, r: opb.OrganizationPolicyRequest,
                                         context: Ctx) -> opb.DescribeOrganizationPolicyResponse:
        _not_paged(r, "DescribeOrganizationPolicy")
        org = self.commands.management_state(self.caller(context))
        policy = _policy(org, r.policy_id)
        return opb.DescribeOrganizationPolicyResponse(policy_summary=policy.policy_summary, content=policy.content,
                                                      policy=policy)

    async def ListOrganizationPolicies(self, r: opb.ListOrganizationPoliciesRequest,
                                       context: Ctx) -> opb.ListPoliciesForTargetResponse:
        wanted = _policy_type_filter(r.filter, required=True)
        org = self.commands.management_state(self.caller(context))
        ids = [p for p in organizations.policy_ids(org)
               if organizations.policy_of(org, p)["type"] == wanted]  # type: ignore[index]
        chunk, token = _page(org, "ListOrganizationPolicies", (wanted,), ids, lambda p: p, r)
        return opb.ListPoliciesForTargetResponse(policies=[_summary(org, p) for p in chunk], next_token=token)

    async def ListTargetsForPolicy(self, r: opb.OrganizationPolicyRequest,
                                   context: Ctx) -> opb.ListTargetsForPolicyResponse:
        org = self.commands.management_state(self.caller(context))
        organizations.require_policy(org, r.policy_id)

        def target(node: str) -> opb.PolicyTarget:
            kind, name = organizations.node_kind(org, node)
            return opb.PolicyTarget(target_id=node, name=name, type=kind, arn=organizations.arn_of(org, node))

        chunk, token = _page(org, "ListTargetsForPolicy", (r.policy_id,), organizations.targets_of(org, r.policy_id),
                             lambda t: t, r)
        return opb.ListTargetsForPolicyResponse(targets=[target(t) for t in chunk], next_token=token)

    async def UpdateOrganizationPolicy(self, r: opb.UpdateOrganizationPolicyRequest,
                                       context: Ctx) -> opb.OrganizationCommandResponse:
        caller = self.caller(context)
        position = await self.commands.update_policy(
            caller, policy_id=r.policy_id, name=r.name, content=r.content,
            description=r.description if r.HasField("description") else None)
        await self.identity.settle(position)
        return opb.OrganizationCommandResponse(position=position, policy=_policy(self.commands.state(caller),
                                                                                 r.policy_id))

    async def DeleteOrganizationPolicy(self, r: opb.OrganizationPolicyRequest,
                                       context: Ctx) -> opb.OrganizationCommandResponse:
        _not_paged(r, "DeleteOrganizationPolicy")
        position = await self.commands.delete_policy(self.caller(context), policy_id=r.policy_id)
        await self.identity.settle(position)
        return opb.OrganizationCommandResponse(position=position)

    async def TagOrganizationResource(self, r: opb.TagOrganizationResourceRequest,
                                      context: Ctx) -> opb.OrganizationCommandResponse:
        position = await self.commands.tag_resource(self.caller(context), resource_id=r.resource_id,
                                                    tags=_tags(r.tags))
        await self.identity.settle(position)
        return opb.OrganizationCommandResponse(position=position)

    async def UntagOrganizationResource(self, r: opb.UntagOrganizationResourceRequest,
                                        context: Ctx) -> opb.OrganizationCommandResponse:
        position = await self.commands.untag_resource(self.caller(context), resource_id=r.resource_id,
                                                      tag_keys=list(r.tag_keys))
        await self.identity.settle(position)
        return opb.OrganizationCommandResponse(position=position)

    async def ListOrganizationResourceTags(self, r: opb.ListOrganizationResourceTagsRequest,
                                           context: Ctx) -> opb.ListOrganizationResourceTagsResponse:
        org = self.commands.management_state(self.caller(context))
        tags = organizations.tags_of(org, r.resource_id)
        chunk, token = _page(org, "ListOrganizationResourceTags", (r.resource_id,), sorted(tags), lambda k: k, r)
        return opb.ListOrganizationResourceTagsResponse(
            tags=[common_pb2.Tag(key=k, value=tags[k]) for k in chunk], next_token=token)

    async def EnablePolicyType(self, r: opb.EnablePolicyTypeRequest, context: Ctx) -> opb.EnablePolicyTypeResponse:
        caller = self.caller(context)
        position = await self.commands.enable_policy_type(caller, root_id=r.root_id, policy_type=r.policy_type)
        await self.identity.settle(position)
        return opb.EnablePolicyTypeResponse(root=_root(self.commands.state(caller)), position=position)

    async def DisablePolicyType(self, r: opb.DisablePolicyTypeRequest, context: Ctx) -> opb.DisablePolicyTypeResponse:
        caller = self.caller(context)
        position = await self.commands.disable_policy_type(caller, root_id=r.root_id, policy_type=r.policy_type)
        await self.identity.settle(position)
        return opb.DisablePolicyTypeResponse(root=_root(self.commands.state(caller)), position=position)

    async def EnableAWSServiceAccess(self, r: opb.EnableAWSServiceAccessRequest,
                                     context: Ctx) -> opb.EnableAWSServiceAccessResponse:
        position = await self.commands.enable_service_access(self.caller(context),
                                                             service_principal=r.service_principal)
        await self.identity.settle(position)
        return opb.EnableAWSServiceAccessResponse(position=position)

    async def DisableAWSServiceAccess(self, r: opb.DisableAWSServiceAccessRequest,
                                      context: Ctx) -> opb.DisableAWSServiceAccessResponse:
        position = await self.commands.disable_service_access(self.caller(context),
                                                              service_principal=r.service_principal)
        await self.identity.settle(position)
        return opb.DisableAWSServiceAccessResponse(position=position)

    async def ListAWSServiceAccessForOrganization(self, r: opb.ListAWSServiceAccessForOrganizationRequest,
                                                  context: Ctx) -> opb.ListAWSServiceAccessForOrganizationResponse:
        org = self.commands.management_state(self.caller(context))
        chunk, token = _page(org, "ListAWSServiceAccessForOrganization", (), sorted(org.service_access),
                             lambda p: p, r)
        return opb.ListAWSServiceAccessForOrganizationResponse(
            enabled_service_principals=[opb.EnabledServicePrincipal(service_principal=p,
                                                                    date_enabled=_timestamp(org.service_access[p]))
                                        for p in chunk], next_token=token)

    async def RegisterDelegatedAdministrator(self, r: opb.RegisterDelegatedAdministratorRequest,
                                             context: Ctx) -> opb.RegisterDelegatedAdministratorResponse:
        position = await self.commands.register_delegated_admin(self.caller(context), account_id=r.account_id,
                                                                service_principal=r.service_principal)
        await self.identity.settle(position)
        return opb.RegisterDelegatedAdministratorResponse(position=position)

    async def DeregisterDelegatedAdministrator(self, r: opb.DeregisterDelegatedAdministratorRequest,
                                               context: Ctx) -> opb.DeregisterDelegatedAdministratorResponse:
        position = await self.commands.deregister_delegated_admin(self.caller(context), account_id=r.account_id,
                                                                  service_principal=r.service_principal)
        await self.identity.settle(position)
        return opb.DeregisterDelegatedAdministratorResponse(position=position)

    async def ListDelegatedAdministrators(self, r: opb.ListDelegatedAdministratorsRequest,
                                          context: Ctx) -> opb.ListDelegatedAdministratorsResponse:
        org = self.commands.management_state(self.caller(context))
        accounts = organizations.delegated_admins(org, r.service_principal)
        chunk, token = _page(org, "ListDelegatedAdministrators", (r.service_principal,), accounts, lambda a: a, r)
        now = self.commands.now()
        return opb.ListDelegatedAdministratorsResponse(delegated_administrators=[_delegated_admin(org, a, now)
                                                                                 for a in chunk],
                                                       next_token=token)

    async def ListDelegatedServicesForAccount(self, r: opb.ListDelegatedServicesForAccountRequest,
                                              context: Ctx) -> opb.ListDelegatedServicesForAccountResponse:
        org = self.commands.management_state(self.caller(context))
        services = organizations.delegated_services(org, r.account_id)
        chunk, token = _page(org, "ListDelegatedServicesForAccount", (r.account_id,), sorted(services), lambda p: p, r)
        return opb.ListDelegatedServicesForAccountResponse(
            delegated_services=[opb.DelegatedService(service_principal=p, delegation_enabled_date=_timestamp(services[p]))
                                for p in chunk], next_token=token)

    async def DeleteOrganization(self, r: opb.DeleteOrganizationRequest, context: Ctx) -> opb.DeleteOrganizationResponse:
        position = await self.commands.delete_organization(self.caller(context))
        await self.identity.settle(position)
        return opb.DeleteOrganizationResponse(position=position)

    async def LeaveOrganization(self, r: opb.LeaveOrganizationRequest, context: Ctx) -> opb.LeaveOrganizationResponse:
        position = await self.commands.leave_organization(self.caller(context))
        await self.identity.settle(position)
        return opb.LeaveOrganizationResponse(position=position)

    async def DescribeEffectivePolicy(self, r: opb.DescribeEffectivePolicyRequest,
                                      context: Ctx) -> opb.DescribeEffectivePolicyResponse:
        account, content = self.commands.effective_policy(self.caller(context), policy_type=r.policy_type,
                                                          target_id=r.target_id)
        return opb.DescribeEffectivePolicyResponse(effective_policy=opb.EffectivePolicy(
            policy_content=json.dumps(content, separators=(",", ":")), target_id=account, policy_type=r.policy_type))
