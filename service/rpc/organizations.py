"""OrganizationsService: thin servicers over the organization use cases."""

from __future__ import annotations

import grpc

from iamd.v1 import organizations_pb2 as opb
from iamd.v1 import organizations_pb2_grpc
from iamd.service.app.identity import IdentityCommands
from iamd.service.app.organizations import ACCESS_ROLE, OrganizationCommands
from iamd.service.domain import organizations
from iamd.service.domain.errors import (
    AccountNotFoundError,
    ChildNotFoundError,
    FieldProblem,
    InvalidInputError,
    OrganizationalUnitNotFoundError,
)

from .caller import CallerResolver

Ctx = grpc.aio.ServicerContext
_POLICY_TYPES = (organizations.SCP, organizations.RCP)
_CHILD_TYPES = {"ACCOUNT": 0, "ORGANIZATIONAL_UNIT": 1}


def _policy_type_filter(value: str, *, required: bool) -> str:
    if value in _POLICY_TYPES or (not value and not required):
        return value
    raise InvalidInputError(f"filter must be {' or '.join(_POLICY_TYPES)}",
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


def _account(org: organizations.OrganizationState, account_id: str) -> opb.OrganizationAccount:
    account = org.accounts[account_id]
    return opb.OrganizationAccount(id=account_id, name=account["name"], email=account["email"],
                                   parent_id=org.parents.get(account_id, ""))


class OrganizationsServicer(organizations_pb2_grpc.OrganizationsServiceServicer):
    def __init__(self, commands: OrganizationCommands, identity: IdentityCommands, caller: CallerResolver) -> None:
        self.commands = commands
        self.identity = identity
        self.caller = caller

    def _organization(self, context: Ctx, position: int = 0) -> opb.OrganizationResponse:
        org = self.commands.state(self.caller(context))
        return opb.OrganizationResponse(id=org.organization_id, master_account_id=org.management_account_id,
                                        root_id=org.root_id, position=position)

    async def CreateOrganization(self, r: opb.CreateOrganizationRequest, context: Ctx) -> opb.OrganizationResponse:
        position = await self.commands.create_organization(self.caller(context))
        await self.identity.settle(position)
        return self._organization(context, position)

    async def DescribeOrganization(self, r: opb.DescribeOrganizationRequest, context: Ctx) -> opb.OrganizationResponse:
        return self._organization(context)

    async def CreateAccount(self, r: opb.CreateAccountRequest, context: Ctx) -> opb.CreateAccountResponse:
        account_id, position = await self.commands.create_account(self.caller(context), account_name=r.account_name,
                                                                  email=r.email)
        await self.identity.settle(position)
        return opb.CreateAccountResponse(account_id=account_id, position=position,
                                         access_role_arn=f"arn:aws:iam::{account_id}:role/{ACCESS_ROLE}")

    async def ListAccounts(self, r: opb.ListAccountsRequest, context: Ctx) -> opb.ListAccountsResponse:
        org = self.commands.state(self.caller(context))
        return opb.ListAccountsResponse(accounts=[_account(org, a) for a in sorted(org.accounts)])

    async def DescribeAccount(self, r: opb.DescribeAccountRequest, context: Ctx) -> opb.DescribeAccountResponse:
        org = self.commands.state(self.caller(context))
        account = org.accounts.get(r.account_id)
        if account is None:
            raise AccountNotFoundError(f"We can't find an AWS account with the AccountId that you specified: "
                                       f"{r.account_id}", resource_type="account", resource_name=r.account_id)
        return opb.DescribeAccountResponse(account=_account(org, r.account_id))

    async def RemoveAccountFromOrganization(self, r: opb.DescribeAccountRequest,
                                            context: Ctx) -> opb.OrganizationCommandResponse:
        position = await self.commands.remove_account(self.caller(context), account_id=r.account_id)
        await self.identity.settle(position)
        return opb.OrganizationCommandResponse(position=position)

    async def CreateOrganizationalUnit(self, r: opb.CreateOrganizationalUnitRequest,
                                       context: Ctx) -> opb.CreateOrganizationalUnitResponse:
        ou_id, position = await self.commands.create_ou(self.caller(context), parent_id=r.parent_id, name=r.name)
        await self.identity.settle(position)
        return opb.CreateOrganizationalUnitResponse(id=ou_id, position=position)

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
                                                                content=r.content, description=r.description)
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
        org = self.commands.state(self.caller(context))
        organizations.require_target(org, r.target_id)
        return opb.ListPoliciesForTargetResponse(policies=[
            _summary(org, p) for p in organizations.attached_to(org, r.target_id)
            if organizations.policy_of(org, p)["type"] == wanted])  # type: ignore[index]

    async def ListRoots(self, r: opb.ListRootsRequest, context: Ctx) -> opb.ListRootsResponse:
        org = self.commands.state(self.caller(context))
        return opb.ListRootsResponse(roots=[opb.OrganizationRoot(id=org.root_id, name="Root",
                                                                 arn=organizations.arn_of(org, org.root_id))])

    async def ListChildren(self, r: opb.ListChildrenRequest, context: Ctx) -> opb.ListChildrenResponse:
        if r.child_type not in _CHILD_TYPES:
            raise InvalidInputError("ChildType must be ACCOUNT or ORGANIZATIONAL_UNIT",
                                    problems=[FieldProblem("childType", "ACCOUNT or ORGANIZATIONAL_UNIT")])
        children = organizations.children_of(self.commands.state(self.caller(context)), r.parent_id)
        return opb.ListChildrenResponse(children=[opb.OrganizationChild(id=c, type=r.child_type)
                                                  for c in children[_CHILD_TYPES[r.child_type]]])

    async def ListParents(self, r: opb.ListParentsRequest, context: Ctx) -> opb.ListParentsResponse:
        org = self.commands.state(self.caller(context))
        parent = org.parents.get(r.child_id)
        if parent is None:
            raise ChildNotFoundError(f"We can't find an OU or account with the ChildId that you specified: "
                                     f"{r.child_id}", resource_type="child", resource_name=r.child_id,
                                     problems=[FieldProblem("childId", "no such OU or account")])
        return opb.ListParentsResponse(parents=[opb.OrganizationChild(id=parent,
                                                                      type=organizations.node_kind(org, parent)[0])])

    async def ListOrganizationalUnitsForParent(self, r: opb.ListChildrenRequest,
                                               context: Ctx) -> opb.ListOrganizationalUnitsResponse:
        org = self.commands.state(self.caller(context))
        _, ous = organizations.children_of(org, r.parent_id)
        return opb.ListOrganizationalUnitsResponse(organizational_units=[_ou(org, ou) for ou in ous])

    async def ListAccountsForParent(self, r: opb.ListChildrenRequest, context: Ctx) -> opb.ListAccountsResponse:
        org = self.commands.state(self.caller(context))
        accounts, _ = organizations.children_of(org, r.parent_id)
        return opb.ListAccountsResponse(accounts=[_account(org, a) for a in accounts])

    async def DescribeOrganizationalUnit(self, r: opb.OrganizationalUnitRequest,
                                         context: Ctx) -> opb.DescribeOrganizationalUnitResponse:
        org = self.commands.state(self.caller(context))
        if r.organizational_unit_id not in org.ou_names:
            raise OrganizationalUnitNotFoundError(
                f"We can't find an OU with the OrganizationalUnitId that you specified: {r.organizational_unit_id}",
                resource_type="organizational unit", resource_name=r.organizational_unit_id)
        return opb.DescribeOrganizationalUnitResponse(organizational_unit=_ou(org, r.organizational_unit_id))

    async def UpdateOrganizationalUnit(self, r: opb.UpdateOrganizationalUnitRequest,
                                       context: Ctx) -> opb.OrganizationCommandResponse:
        position = await self.commands.rename_ou(self.caller(context), ou_id=r.organizational_unit_id, name=r.name)
        await self.identity.settle(position)
        return opb.OrganizationCommandResponse(position=position)

    async def DeleteOrganizationalUnit(self, r: opb.OrganizationalUnitRequest,
                                       context: Ctx) -> opb.OrganizationCommandResponse:
        position = await self.commands.delete_ou(self.caller(context), ou_id=r.organizational_unit_id)
        await self.identity.settle(position)
        return opb.OrganizationCommandResponse(position=position)

    async def DescribeOrganizationPolicy(self, r: opb.OrganizationPolicyRequest,
                                         context: Ctx) -> opb.DescribeOrganizationPolicyResponse:
        org = self.commands.state(self.caller(context))
        policy = _policy(org, r.policy_id)
        return opb.DescribeOrganizationPolicyResponse(policy_summary=policy.policy_summary, content=policy.content,
                                                      policy=policy)

    async def ListOrganizationPolicies(self, r: opb.ListOrganizationPoliciesRequest,
                                       context: Ctx) -> opb.ListPoliciesForTargetResponse:
        wanted = _policy_type_filter(r.filter, required=True)
        org = self.commands.state(self.caller(context))
        return opb.ListPoliciesForTargetResponse(policies=[
            _summary(org, p) for p in organizations.policy_ids(org)
            if organizations.policy_of(org, p)["type"] == wanted])  # type: ignore[index]

    async def ListTargetsForPolicy(self, r: opb.OrganizationPolicyRequest,
                                   context: Ctx) -> opb.ListTargetsForPolicyResponse:
        org = self.commands.state(self.caller(context))
        organizations.require_policy(org, r.policy_id)

        def target(node: str) -> opb.PolicyTarget:
            kind, name = organizations.node_kind(org, node)
            return opb.PolicyTarget(target_id=node, name=name, type=kind, arn=organizations.arn_of(org, node))

        return opb.ListTargetsForPolicyResponse(targets=[target(t) for t in organizations.targets_of(org, r.policy_id)])

    async def UpdateOrganizationPolicy(self, r: opb.UpdateOrganizationPolicyRequest,
                                       context: Ctx) -> opb.OrganizationCommandResponse:
        position = await self.commands.update_policy(
            self.caller(context), policy_id=r.policy_id, name=r.name, content=r.content,
            description=r.description if r.HasField("description") else None)
        await self.identity.settle(position)
        return opb.OrganizationCommandResponse(position=position)

    async def DeleteOrganizationPolicy(self, r: opb.OrganizationPolicyRequest,
                                       context: Ctx) -> opb.OrganizationCommandResponse:
        position = await self.commands.delete_policy(self.caller(context), policy_id=r.policy_id)
        await self.identity.settle(position)
        return opb.OrganizationCommandResponse(position=position)
