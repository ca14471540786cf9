"""AuthorizationService: Authorize, AuthorizeBatch, the simulators, ValidatePolicy and the
projection's status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc

from iamd.projections.runner import ProjectionRunner
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import authorization_pb2_grpc
from iamd.service.app.authenticate import Authenticator, SignedCall
from iamd.service.app.authorize import AuthorizeOutcome, Authorizer, AuthorizeQuery, check_request
from iamd.service.app.history import AsOf, TimeTravel
from iamd.service.audit.writer import AuditWriter
from iamd.service.app.denial_messages import DenialMessages
from iamd.service.app.policy_validation import PolicyValidator
from iamd.service.app.simulate import SimulatedDecision, Simulation, Simulator
from iamd.service.domain.errors import FieldProblem, InvalidInputError, ServiceUnavailableError, ValidationError

from . import convert
from .gateway import AUDIT_DECISIONS
from .messages import MAX_REQUEST_BYTES
from .caller import CallerResolver

MAX_BATCH = 1000
MAX_ITEM_BYTES = MAX_REQUEST_BYTES["Authorize"]  # an item is refused as Authorize refuses it alone
_NO_CONTEXT: dict[str, list[str]] = {}  # shared, never changed: a request without context keys


def _query(r: apb.AuthorizeRequest, principal_arn: str, min_position: int, service_principal: str = "",
           anonymous: bool = False) -> AuthorizeQuery:
    """The request's query; the fields the caller has read already are passed in (a batch reads
    each field of each item once: ~60 ns a read of a upb field)."""
    return AuthorizeQuery(principal_arn, r.action, r.resource, r.resource_account,
                          convert.context_in(r.context) if r.context else _NO_CONTEXT, min_position,
                          r.resource_policy, dict(r.resource_tags) if r.has_resource_tags or r.resource_tags else None,
                          service_principal, anonymous)


def _simulation(r: apb.SimulateCustomPolicyRequest | apb.SimulatePrincipalPolicyRequest,
                identity_policies: object) -> Simulation:
    return Simulation(action_names=list(r.action_names), resource_arns=list(r.resource_arns),
                      resource_policy=r.resource_policy, resource_owner=r.resource_owner,
                      context=convert.context_in(r.context_entries),
                      extra_identity_policies=list(identity_policies),  # type: ignore[call-overload]
                      boundary_policies=list(r.permissions_boundary_policy_input_list))


def _as_of(a: apb.AsOf) -> AsOf:
    return AsOf(position=a.position,
                time=convert.time_in(a.time, "asOf.time") if a.HasField("time") else "")


def _simulated(results: list[SimulatedDecision], position: int) -> apb.SimulateResponse:
    return apb.SimulateResponse(
        evaluation_results=[convert.evaluation_result(s.action, s.resource, s.decision, s.spans, s.resource_type_arn)
                            for s in results],
        evaluated_at_position=position)


class AuthorizationServicer(authorization_pb2_grpc.AuthorizationServiceServicer):
    def __init__(self, authorizer: Authorizer, authenticator: Authenticator, simulator: Simulator,
                 runner: ProjectionRunner, caller: CallerResolver, time_travel: TimeTravel,
                 audit_writer: AuditWriter | None = None, policy_validator: PolicyValidator | None = None,
                 denial_messages: DenialMessages | None = None) -> None:
        self.denial_messages = denial_messages  # encode_denial's messages (None: not encoded)
        self.audit_writer = audit_writer
        self.policy_validator = policy_validator
        self.time_travel = time_travel
        self.authenticator = authenticator
        self.authorizer = authorizer
        self.simulator = simulator
        self.runner = runner
        self.caller = caller

    def _immediate(self, r: apb.AuthorizeRequest) -> AuthorizeQuery | None:
        """The common request as its query: a principal named by ARN, now, with nothing to wait
        for (None for any other). Each field is read once: a batch does this per item."""
        principal_arn = r.principal_arn
        if (not principal_arn or r.session_token or r.service_principal or r.anonymous
                or r.HasField("signed_request") or r.HasField("as_of")):
            return None
        min_position = r.min_position
        if min_position > self.runner.projection.position:
            return None
        return _query(r, principal_arn, min_position)

    def _decide_now(self, r: apb.AuthorizeRequest, query: AuthorizeQuery, session: Any = None,
                    authorizer: Authorizer | None = None,
                    new: Callable[..., apb.AuthorizeResponse] = apb.AuthorizeResponse) -> apb.AuthorizeResponse:
        """Decide against the projection as it is (or a past one's `authorizer`), without a
        coroutine of its own (a batch decides its requests this way), and answer (`new` makes the
        answer: see convert.decision)."""
        check_request(query)
        outcome = (authorizer or self.authorizer).authorize_now(query, session=session)
        return self._answered(r, query, outcome, session, new)

    def _answered(self, r: apb.AuthorizeRequest, query: AuthorizeQuery, outcome: AuthorizeOutcome,
                  session: Any = None,
                  new: Callable[..., apb.AuthorizeResponse] = apb.AuthorizeResponse) -> apb.AuthorizeResponse:
        self._note_for_audit(query, outcome)
        response = convert.decision(outcome.decision, outcome.position, r.explain, new)
        if r.encode_denial:  # off by default: the hot path checks this one field, nothing more
            self._encode_denial(query, outcome, session, response)
        return response

    def _encode_denial(self, query: AuthorizeQuery, outcome: AuthorizeOutcome, session: Any,
                       response: apb.AuthorizeResponse) -> None:
        if self.denial_messages is None:
            return
        response.encoded_authorization_message = self.denial_messages.encoded(
            outcome.decision, principal_arn=query.principal_arn, session=session,
            service_principal=query.service_principal, action=query.action, resource=query.resource,
            resource_account=query.resource_account, conditions=query.context)

    async def _authorize(self, r: apb.AuthorizeRequest) -> apb.AuthorizeResponse:
        query = self._immediate(r)
        if query is not None:
            return self._decide_now(r, query)
        ways = [bool(r.principal_arn), r.HasField("signed_request"), bool(r.session_token),
                 bool(r.service_principal), r.anonymous]
        if sum(ways) != 1:
            raise InvalidInputError("name the principal exactly one way: principal_arn, signed_request, "
                                    "session_token, service_principal or anonymous",
                                    problems=[FieldProblem("principal", "exactly one way")])
        session = None
        principal_arn = r.principal_arn
        if r.HasField("signed_request") or r.session_token:
            if r.HasField("signed_request"):
                signed = r.signed_request
                principal = self.authenticator.authenticate(SignedCall(signed.method, signed.body), dict(signed.headers))
            else:
                principal = self.authenticator.session_by_token(r.session_token)
            principal_arn, session = principal.arn, principal.session
        query = _query(r, principal_arn, r.min_position, r.service_principal, r.anonymous)
        if r.HasField("as_of"):
            return self._decide_now(r, query, session, await self.time_travel.authorizer_at(_as_of(r.as_of)))
        if r.min_position > self.runner.projection.position:  # wait for the position, then decide
            return self._answered(r, query, await self.authorizer.authorize(query, session=session), session)
        return self._decide_now(r, query, session)

    @staticmethod
    def _note_for_audit(query: AuthorizeQuery, outcome: AuthorizeOutcome) -> None:
        """What the audit record of this decision adds: the answer, why, and where in the log
        (compact: rendered into CloudTrail's additionalEventData on lookup)."""
        d = outcome.decision
        who = ({"servicePrincipal": query.service_principal} if query.service_principal else
               {"anonymous": True} if query.anonymous else None)
        fact = (convert.DECISION_NAME[d.decision], query.principal_arn, query.action, query.resource,
                [s.row for s in d.determining], [t.value for t in d.blocked_by] if d.blocked_by else [],
                outcome.position, *((who,) if who else ()))
        decisions = AUDIT_DECISIONS.get()
        if decisions is None:
            AUDIT_DECISIONS.set([fact])
        else:  # AuthorizeBatch: one record holding every decision
            decisions.append(fact)

    async def Authorize(self, r: apb.AuthorizeRequest, context: grpc.aio.ServicerContext) -> apb.AuthorizeResponse:
        return await self._authorize(r)

    async def AuthorizeBatch(self, r: apb.AuthorizeBatchRequest, context: grpc.aio.ServicerContext) -> apb.AuthorizeBatchResponse:
        if len(r.requests) > MAX_BATCH:
            raise ValidationError(f"at most {MAX_BATCH} requests per batch",
                                  problems=[FieldProblem("requests", f"more than {MAX_BATCH}")])
        if r.ByteSize() > MAX_ITEM_BYTES:  # only then may one item be larger (~0.1 µs an item to size)
            for i, request in enumerate(r.requests):
                if (size := request.ByteSize()) > MAX_ITEM_BYTES:
                    raise InvalidInputError(
                        f"requests[{i}] is {size} bytes; Authorize accepts at most {MAX_ITEM_BYTES}, in a batch too",
                        problems=[FieldProblem(f"requests[{i}]", f"at most {MAX_ITEM_BYTES} bytes")])
        AUDIT_DECISIONS.set([])
        answer = apb.AuthorizeBatchResponse()
        add = answer.responses.add  # each answer built in place, not copied in afterwards
        for request in r.requests:
            query = self._immediate(request)
            if query is not None:
                self._decide_now(request, query, new=add)
            else:
                add().CopyFrom(await self._authorize(request))
        return answer

    async def SimulateCustomPolicy(self, r: apb.SimulateCustomPolicyRequest,
                                   context: grpc.aio.ServicerContext) -> apb.SimulateResponse:
        position = self.runner.projection.position
        results = self.simulator.simulate_custom(
            _simulation(r, r.policy_input_list), caller_arn=r.caller_arn or self.caller(context).actor_arn,
            session_policy=r.session_policy, scp_levels=[list(level.policies) for level in r.scp_levels],
            rcp_levels=[list(level.policies) for level in r.rcp_levels])
        return _simulated(results, position)

    async def SimulatePrincipalPolicy(self, r: apb.SimulatePrincipalPolicyRequest,
                                      context: grpc.aio.ServicerContext) -> apb.SimulateResponse:
        if r.HasField("as_of"):
            past = await self.time_travel.authorizer_at(_as_of(r.as_of))
            results = await self.simulator.simulate_principal(
                _simulation(r, r.policy_input_list), policy_source_arn=r.policy_source_arn,
                principals=past.principals)
            return _simulated(results, past.principals.projection.position)
        results = await self.simulator.simulate_principal(
            _simulation(r, r.policy_input_list), policy_source_arn=r.policy_source_arn, min_position=r.min_position)
        return _simulated(results, self.runner.projection.position)

    async def GetContextKeysForCustomPolicy(self, r: apb.GetContextKeysForCustomPolicyRequest,
                                            context: grpc.aio.ServicerContext) -> apb.GetContextKeysResponse:
        return apb.GetContextKeysResponse(
            context_key_names=self.simulator.context_keys_custom(list(r.policy_input_list)))

    async def GetContextKeysForPrincipalPolicy(self, r: apb.GetContextKeysForPrincipalPolicyRequest,
                                               context: grpc.aio.ServicerContext) -> apb.GetContextKeysResponse:
        return apb.GetContextKeysResponse(context_key_names=self.simulator.context_keys_principal(
            r.policy_source_arn, list(r.policy_input_list)))

    async def GetProjectionStatus(self, r: apb.GetProjectionStatusRequest,
                                  context: grpc.aio.ServicerContext) -> apb.GetProjectionStatusResponse:
        status = await self.runner.status()
        if self.audit_writer is not None:
            status.update(audit_queue_depth=self.audit_writer.queue_depth,
                          audit_records_written=self.audit_writer.written,
                          audit_write_failures=self.audit_writer.failed)
        return apb.GetProjectionStatusResponse(**status)

    async def ValidatePolicy(self, r: apb.ValidatePolicyRequest,
                             context: grpc.aio.ServicerContext) -> apb.ValidatePolicyResponse:
        if self.policy_validator is None:
            raise ServiceUnavailableError("ValidatePolicy is not configured on this server")
        page = self.policy_validator.validate(
            r.policy_document, r.policy_type, r.validate_policy_resource_type, locale=r.locale,
            max_results=r.max_results, next_token=r.next_token)
        return apb.ValidatePolicyResponse(findings=[convert.finding(f) for f in page.findings],
                                          next_token=page.next_token)
