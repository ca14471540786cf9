"""OrganizationsService's handshake RPCs (invitations): thin servicers over
app/organizations_handshakes.py, mixed into OrganizationsServicer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import grpc
from google.protobuf import timestamp_pb2

from iamd.v1 import organizations_pb2 as opb
from iamd.service.app import next_tokens
from iamd.service.app.identity import IdentityCommands
from iamd.service.app.organizations import OrganizationCommands
from iamd.service.app.organizations_handshakes import Found, HandshakeCommands, describe

from .caller import CallerResolver

Ctx = grpc.aio.ServicerContext


def _timestamp(iso: str) -> timestamp_pb2.Timestamp:
    moment = timestamp_pb2.Timestamp()
    moment.FromDatetime(datetime.fromisoformat(iso.replace("Z", "+00:00")))
    return moment


def _resource(r: dict[str, Any]) -> opb.HandshakeResource:
    return opb.HandshakeResource(value=r["value"], type=r["type"],
                                 resources=[_resource(inner) for inner in r.get("resources", ())])


def handshake_message(found: Found, now: str) -> opb.Handshake:
    org, handshake_id = found
    h = describe(org, handshake_id, now)
    return opb.Handshake(id=h["id"], arn=h["arn"], state=h["state"], action=h["action"],
                         parties=[opb.HandshakeParty(id=p["id"], type=p["type"]) for p in h["parties"]],
                         requested_timestamp=_timestamp(h["requested_timestamp"]),
                         expiration_timestamp=_timestamp(h["expiration_timestamp"]),
                         resources=[_resource(r) for r in h["resources"]])


class HandshakeRpcs:
    commands: OrganizationCommands
    identity: IdentityCommands
    caller: CallerResolver

    def _handshakes(self) -> HandshakeCommands:
        return HandshakeCommands(self.commands)

    def _answer(self, context: Ctx, handshake_id: str) -> opb.Handshake:
        handshakes = self._handshakes()
        return handshake_message(handshakes.describe(self.caller(context), handshake_id), handshakes.now())

    async def InviteAccountToOrganization(self, r: opb.InviteAccountToOrganizationRequest,
                                          context: Ctx) -> opb.InviteAccountToOrganizationResponse:
        handshake_id, position = await self._handshakes().invite(
            self.caller(context), target_type=r.target.type, target_id=r.target.id, notes=r.notes,
            tags=[(t.key, t.value) for t in r.tags])
        await self.identity.settle(position)
        return opb.InviteAccountToOrganizationResponse(handshake=self._answer(context, handshake_id), position=position)

    async def AcceptHandshake(self, r: opb.AcceptHandshakeRequest, context: Ctx) -> opb.AcceptHandshakeResponse:
        position = await self._handshakes().accept(self.caller(context), r.handshake_id)
        await self.identity.settle(position)
        return opb.AcceptHandshakeResponse(handshake=self._answer(context, r.handshake_id), position=position)

    async def DeclineHandshake(self, r: opb.DeclineHandshakeRequest, context: Ctx) -> opb.DeclineHandshakeResponse:
        position = await self._handshakes().decline(self.caller(context), r.handshake_id)
        await self.identity.settle(position)
        return opb.DeclineHandshakeResponse(handshake=self._answer(context, r.handshake_id), position=position)

    async def CancelHandshake(self, r: opb.CancelHandshakeRequest, context: Ctx) -> opb.CancelHandshakeResponse:
        position = await self._handshakes().cancel(self.caller(context), r.handshake_id)
        await self.identity.settle(position)
        return opb.CancelHandshakeResponse(handshake=self._answer(context, r.handshake_id), position=position)

    async def DescribeHandshake(self, r: opb.DescribeHandshakeRequest, context: Ctx) -> opb.DescribeHandshakeResponse:
        return opb.DescribeHandshakeResponse(handshake=self._answer(context, r.handshake_id))

    async def ListHandshakesForAccount(self, r: opb.ListHandshakesForAccountRequest,
                                       context: Ctx) -> opb.ListHandshakesForAccountResponse:
        ctx = self.caller(context)
        handshakes = self._handshakes()
        found = handshakes.for_account(ctx, r.filter.action_type, r.filter.parent_handshake_id)
        chunk, token = next_tokens.page(found, lambda f: f[1], scope=("ListHandshakesForAccount", ctx.account_id,
                                                                      r.filter.action_type, r.filter.parent_handshake_id),
                                        next_token=r.next_token, max_results=r.max_results, sorted_by_key=False)
        now = handshakes.now()
        return opb.ListHandshakesForAccountResponse(handshakes=[handshake_message(f, now) for f in chunk],
                                                    next_token=token)

    async def ListHandshakesForOrganization(self, r: opb.ListHandshakesForOrganizationRequest,
                                            context: Ctx) -> opb.ListHandshakesForOrganizationResponse:
        handshakes = self._handshakes()
        found = handshakes.for_organization(self.caller(context), r.filter.action_type, r.filter.parent_handshake_id)
        scope = ("ListHandshakesForOrganization", found[0][0].organization_id if found else "",
                 r.filter.action_type, r.filter.parent_handshake_id)
        chunk, token = next_tokens.page(found, lambda f: f[1], scope=scope, next_token=r.next_token,
                                        max_results=r.max_results, sorted_by_key=False)
        now = handshakes.now()
        return opb.ListHandshakesForOrganizationResponse(handshakes=[handshake_message(f, now) for f in chunk],
                                                         next_token=token)
