"""OrganizationsService: thin servicers over the organization use cases."""

from __future__ import annotations

import grpc

from protos.iamd.v1 import organizations_pb2 as opb
from protos.iamd.v1 import organizations_pb2_grpc
from service.app.identity import IdentityCommands
from service.app.organizations import ACCESS_ROLE, OrganizationCommands

from service.domain.errors import NoSuchEntityError

from .caller import CallerResolver

Ctx = grpc.aio.ServicerContext


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
        return opb.ListAccountsResponse(accounts=[
            opb.OrganizationAccount(id=a, name=v["name"], email=v["email"], parent_id=org.parents.get(a, ""))
            for a, v in sorted(org.accounts.items())])

    async def DescribeAccount(self, r: opb.DescribeAccountRequest, context: Ctx) -> opb.DescribeAccountResponse:
        org = self.commands.state(self.caller(context))
        account = org.accounts.get(r.account_id)
        if account is None:
            raise NoSuchEntityError(f"We can't find an AWS account with the AccountId that you specified: "
                                    f"{r.account_id}", resource_type="account", resource_name=r.account_id)
        return opb.DescribeAccountResponse(account=opb.OrganizationAccount(
            id=r.account_id, name=account["name"], email=account["email"], parent_id=org.parents.get(r.account_id, "")))

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
        policy_id, position = await self.commands.create_policy(self.caller(context), name=r.name,
                                                                policy_type=r.type, content=r.content)
        await self.identity.settle(position)
        return opb.CreateOrganizationPolicyResponse(policy_id=policy_id, position=position)

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
        org = self.commands.state(self.caller(context))
        return opb.ListPoliciesForTargetResponse(policies=[
            opb.OrganizationPolicySummary(id=p, name=org.policies[p]["name"], type=org.policies[p]["type"])
            for p in org.attachments.get(r.target_id, [])])
