"""AuthorizationService: Authorize, AuthorizeBatch and the projection's status."""

from __future__ import annotations

import grpc

from projections.runner import ProjectionRunner
from protos.iamd.v1 import authorization_pb2 as apb
from protos.iamd.v1 import authorization_pb2_grpc
from service.app.authorize import Authorizer, AuthorizeQuery
from service.domain.errors import FieldProblem, ValidationError

from . import convert

MAX_BATCH = 1000


def _query(r: apb.AuthorizeRequest) -> AuthorizeQuery:
    return AuthorizeQuery(principal_arn=r.principal_arn, action=r.action, resource=r.resource,
                          resource_account=r.resource_account, context=convert.context_in(r.context),
                          min_position=r.min_position)


class AuthorizationServicer(authorization_pb2_grpc.AuthorizationServiceServicer):
    def __init__(self, authorizer: Authorizer, runner: ProjectionRunner) -> None:
        self.authorizer = authorizer
        self.runner = runner

    async def Authorize(self, r: apb.AuthorizeRequest, context: grpc.aio.ServicerContext) -> apb.AuthorizeResponse:
        outcome = await self.authorizer.authorize(_query(r))
        return convert.decision(outcome.decision, outcome.position, r.explain)

    async def AuthorizeBatch(self, r: apb.AuthorizeBatchRequest, context: grpc.aio.ServicerContext) -> apb.AuthorizeBatchResponse:
        if len(r.requests) > MAX_BATCH:
            raise ValidationError(f"at most {MAX_BATCH} requests per batch",
                                  problems=[FieldProblem("requests", f"more than {MAX_BATCH}")])
        responses = []
        for request in r.requests:
            outcome = await self.authorizer.authorize(_query(request))
            responses.append(convert.decision(outcome.decision, outcome.position, request.explain))
        return apb.AuthorizeBatchResponse(responses=responses)

    async def GetProjectionStatus(self, r: apb.GetProjectionStatusRequest,
                                  context: grpc.aio.ServicerContext) -> apb.GetProjectionStatusResponse:
        return apb.GetProjectionStatusResponse(**await self.runner.status())
