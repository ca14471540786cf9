"""What-if evaluation, as AWS's policy simulator: inline policies, or a stored principal's.

Unlike Authorize, a simulation may supply any context key (it asks "what if the request had
these values?"); for a stored principal, the keys iamd derives fill in whatever is not given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from iamd.projections.principals import PrincipalPolicyCache, resource_document_type
from iamd.projections.runner import ProjectionRunner
from iamd.service.domain.errors import (
    FieldProblem,
    InvalidInputError,
    MalformedPolicyDocumentError,
    NoSuchEntityError,
    ServiceUnavailableError,
)
from iamd.service.policy import (
    AuthorizationRequest,
    CompiledPolicy,
    Decision,
    MalformedPolicyError,
    PolicyIndex,
    PolicyInputs,
    PolicyType,
    compile_policy,
    decide,
)

from .authorize import WAIT_TIMEOUT, _account_of, _parse_principal
from .ports import Clock, iso8601

MAX_ACTIONS, MAX_RESOURCES = 100, 100
_ACCOUNT_ARN = re.compile(r"(?:arn:aws:iam::)?(\d{12})(?::root)?")


@dataclass(frozen=True)
class Simulation:
    """The request part shared by both simulations."""

    action_names: Sequence[str]
    resource_arns: Sequence[str] = ()
    resource_policy: str = ""
    resource_owner: str = ""
    context: Mapping[str, str | Sequence[str]] = field(default_factory=dict)
    extra_identity_policies: Sequence[str] = ()
    boundary_policies: Sequence[str] = ()


@dataclass(frozen=True)
class SimulatedDecision:
    action: str
    resource: str
    decision: Decision


def compile_inline(documents: Sequence[str], field_name: str, policy_type: PolicyType) -> list[CompiledPolicy]:
    """Compile documents given with a request; every problem of every document is reported."""
    compiled, problems = [], []
    for i, document in enumerate(documents):
        try:
            compiled.append(compile_policy(document, policy_id=f"{field_name}.{i + 1}", policy_type=policy_type))
        except MalformedPolicyError as e:
            problems += [FieldProblem(f"{field_name}.{i + 1}:{p.path}" if p.path else f"{field_name}.{i + 1}",
                                      p.message, p.hint) for p in e.problems]
    if problems:
        raise MalformedPolicyDocumentError(f"{problems[0].field}: {problems[0].message}", problems=problems)
    return compiled


def _resource_index(document: str) -> PolicyIndex | None:
    if not document:
        return None
    return PolicyIndex(compile_inline([document], "resourcePolicy", resource_document_type(document)))


def _check(simulation: Simulation) -> None:
    problems = []
    if not simulation.action_names:
        problems.append(FieldProblem("actionNames", "at least one action is required"))
    if len(simulation.action_names) > MAX_ACTIONS:
        problems.append(FieldProblem("actionNames", f"at most {MAX_ACTIONS}"))
    if len(simulation.resource_arns) > MAX_RESOURCES:
        problems.append(FieldProblem("resourceArns", f"at most {MAX_RESOURCES}"))
    for i, action in enumerate(simulation.action_names):
        if ":" not in action:
            problems.append(FieldProblem(f"actionNames.{i + 1}", "must look like `service:Action`"))
    if simulation.resource_owner and not _ACCOUNT_ARN.fullmatch(simulation.resource_owner):
        problems.append(FieldProblem("resourceOwner", "an account id or `arn:aws:iam::ACCOUNT:root`"))
    if problems:
        raise InvalidInputError(f"{problems[0].field}: {problems[0].message}", problems=problems)


class Simulator:
    def __init__(self, principals: PrincipalPolicyCache, runner: ProjectionRunner, clock: Clock) -> None:
        self.principals = principals
        self.runner = runner
        self.clock = clock

    def simulate_custom(self, simulation: Simulation, *, caller_arn: str, session_policy: str = "",
                        scp_levels: Sequence[Sequence[str]] = (),
                        rcp_levels: Sequence[Sequence[str]] = ()) -> list[SimulatedDecision]:
        _check(simulation)
        boundary = simulation.boundary_policies
        inputs = PolicyInputs(
            identity=PolicyIndex(compile_inline(simulation.extra_identity_policies, "policyInputList",
                                                PolicyType.IDENTITY)),
            boundary=PolicyIndex(compile_inline(boundary, "permissionsBoundaryPolicyInputList",
                                                PolicyType.BOUNDARY)) if boundary else None,
            session=PolicyIndex(compile_inline([session_policy], "sessionPolicy", PolicyType.SESSION))
            if session_policy else None,
            resource=_resource_index(simulation.resource_policy),
            scp_levels=[PolicyIndex(compile_inline(level, f"scpLevels.{i + 1}", PolicyType.SCP))
                        for i, level in enumerate(scp_levels)],
            rcp_levels=[PolicyIndex(compile_inline(level, f"rcpLevels.{i + 1}", PolicyType.RCP))
                        for i, level in enumerate(rcp_levels)],
        )
        return self._evaluate(simulation, caller_arn, inputs, {})

    async def simulate_principal(self, simulation: Simulation, *, policy_source_arn: str,
                                 min_position: int = 0,
                                 principals: PrincipalPolicyCache | None = None) -> list[SimulatedDecision]:
        """`principals`: another state to read the principal from (time travel); default the live one."""
        _check(simulation)
        if min_position:
            try:
                await self.runner.wait_for(min_position, WAIT_TIMEOUT)
            except TimeoutError:
                raise ServiceUnavailableError(f"the projection has not reached position {min_position} yet") from None
        account_id, kind, key = _parse_principal(policy_source_arn)
        principal = (principals or self.principals).get(account_id, kind, key) if kind != "root" else None
        if principal is None or principal.view["arn"] != policy_source_arn:
            raise NoSuchEntityError(f"The principal {policy_source_arn} cannot be found.",
                                    resource_type="principal", resource_name=policy_source_arn)
        extra = compile_inline(simulation.extra_identity_policies, "policyInputList", PolicyType.IDENTITY)
        boundary = principal.boundary
        if simulation.boundary_policies:  # AWS: given boundaries replace the stored one
            boundary = PolicyIndex(compile_inline(simulation.boundary_policies,
                                                  "permissionsBoundaryPolicyInputList", PolicyType.BOUNDARY))
        inputs = PolicyInputs(identity=PolicyIndex([*principal.policies, *extra]) if extra else principal.identity,
                              boundary=boundary, resource=_resource_index(simulation.resource_policy))
        return self._evaluate(simulation, policy_source_arn, inputs, dict(principal.context_keys))

    def _evaluate(self, simulation: Simulation, principal_arn: str, inputs: PolicyInputs,
                  derived: dict[str, str]) -> list[SimulatedDecision]:
        now = self.clock.now()
        context: dict[str, str | Sequence[str]] = {"aws:CurrentTime": iso8601(now),
                                                   "aws:EpochTime": str(int(now.timestamp())), **derived}
        context.update(simulation.context)
        owner = _ACCOUNT_ARN.fullmatch(simulation.resource_owner) if simulation.resource_owner else None
        caller_account = _account_of(principal_arn)
        results = []
        for action in simulation.action_names:
            for resource in simulation.resource_arns or ("*",):
                try:
                    request = AuthorizationRequest(
                        principal=principal_arn, action=action, resource=resource,
                        resource_account=owner.group(1) if owner else (_account_of(resource) or caller_account),
                        context=context)
                except ValueError as e:  # a principal the engine cannot evaluate, or a bad context value
                    raise InvalidInputError(str(e), problems=[FieldProblem("callerArn", str(e))]) from None
                results.append(SimulatedDecision(action, resource, decide(request, inputs)))
        return results
