"""SecurityTokenService: GetCallerIdentity (temporary credentials come with the STS issue)."""

from __future__ import annotations

import grpc

from protos.iamd.v1 import sts_pb2, sts_pb2_grpc

from .caller import CallerResolver


class SecurityTokenServicer(sts_pb2_grpc.SecurityTokenServiceServicer):
    def __init__(self, caller: CallerResolver) -> None:
        self.caller = caller

    async def GetCallerIdentity(self, r: sts_pb2.GetCallerIdentityRequest,
                                context: grpc.aio.ServicerContext) -> sts_pb2.GetCallerIdentityResponse:
        caller = self.caller.caller()
        return sts_pb2.GetCallerIdentityResponse(user_id=caller.principal_id, account=caller.account_id,
                                                 arn=caller.arn)
