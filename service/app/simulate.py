"""What-if evaluation, as AWS's policy simulator: inline policies, or a stored principal's.

Unlike Authorize, a simulation may supply any context key (it asks "what if the request had
these values?"); for a stored principal, the keys iamd derives fill in whatever is not given.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Mapping, Sequence
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
from iamd.service.domain.names import casefold, is_aws_managed_policy
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
from iamd.service.policy.catalogue import Catalogue
from iamd.service.policy.references import Position, condition_keys, statement_spans, unique_keys

from .authorize import WAIT_TIMEOUT, _account_of, _parse_principal
from .ports import Clock, iso8601

MAX_ACTIONS, MAX_RESOURCES = 100, 100
_ACCOUNT_ARN = re.compile(r"(?:arn:aws:iam::)?(\d{12})(?::root)?")
_ENTITY_ARN = re.compile(r"arn:aws:iam::(\d{12}):(user|group|role)(/(?:[\x21-\x7e]*/)?)([\w+=,.@-]+)")
# A statement's place in its policy's text: (policy id, statement index) -> (start, end).
Spans = Mapping[tuple[str, int], tuple[Position, Position]]
DocumentLookup = Callable[[str, str | None], str | None]  # (policy id, version) -> the policy's text


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
    # Where the determining statements are in their policies' texts (those iamd can find).
    spans: Spans = field(default_factory=dict)
    resource_type_arn: str = ""  # see Simulator.resource_type_arn


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
    def __init__(self, principals: PrincipalPolicyCache, runner: ProjectionRunner, clock: Clock,
                 catalogue: Catalogue | None = None) -> None:
        self.principals = principals
        self.runner = runner
        self.clock = clock
        self.catalogue = catalogue

    def resource_type_arn(self, action: str, resource: str) -> str:
        """The ARN format of the resource type of `action` that `resource` is (AWS's catalogue),
        "*" for the resource "*" or an action that names no resource type, "" when the catalogue
        does not know the action or none of its formats fits the resource."""
        prefix, _, name = action.partition(":")
        service = self.catalogue.service(prefix) if self.catalogue is not None and name else None
        found = service.action(name) if service is not None else None
        if found is None or service is None:
            return ""
        if resource == "*" or not found.resource_types:
            return "*"
        for type_name in found.resource_types:
            resource_type = service.resource_types.get(type_name)
            if resource_type is not None and _format_pattern(resource_type.arn).fullmatch(resource):
                return resource_type.arn
        return ""

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
        # After the documents are compiled: a malformed one is reported first, whoever asks.
        if re.fullmatch(r"arn:aws:iam::\d{12}:root", caller_arn):
            # The root user may do anything in its account whatever the policies say: simulating
            # policies "as root" would answer allowed for everything. AWS's simulator evaluates
            # the policies for an IAM principal; iamd asks which one instead of inventing it.
            raise InvalidInputError(
                "CallerArn is required when the root user simulates policies: name the IAM user or role to "
                "simulate them for (the root user is allowed everything in its account)",
                problems=[FieldProblem("callerArn", "required for the root user; not the root user")])
        texts = _given_texts(simulation)
        texts["sessionPolicy.1"] = session_policy
        for name, levels in (("scpLevels", scp_levels), ("rcpLevels", rcp_levels)):
            for i, level in enumerate(levels):
                texts.update({f"{name}.{i + 1}.{j + 1}": d for j, d in enumerate(level)})
        return self._evaluate(simulation, caller_arn, inputs, {}, lambda policy_id, _version: texts.get(policy_id))

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
        texts = _given_texts(simulation)
        stored = _stored_documents(principals or self.principals, account_id)

        def document(policy_id: str, version: str | None) -> str | None:
            return texts[policy_id] if policy_id in texts else stored(policy_id, version)

        return self._evaluate(simulation, policy_source_arn, inputs, dict(principal.context_keys), document)

    def context_keys_custom(self, documents: Sequence[str]) -> list[str]:
        """The condition keys the given identity policies reference (AWS's GetContextKeysForCustomPolicy)."""
        if not documents:
            raise InvalidInputError("policyInputList: at least one policy is required",
                                    problems=[FieldProblem("policyInputList", "at least one policy is required")])
        compile_inline(documents, "policyInputList", PolicyType.IDENTITY)  # AWS refuses a malformed one
        return unique_keys(key for document in documents for key in condition_keys(document))

    def context_keys_principal(self, policy_source_arn: str, documents: Sequence[str]) -> list[str]:
        """The condition keys a user's (and its groups'), group's or role's inline and attached
        policies reference, then the given ones' (AWS's GetContextKeysForPrincipalPolicy)."""
        compile_inline(documents, "policyInputList", PolicyType.IDENTITY)
        m = _ENTITY_ARN.fullmatch(policy_source_arn)
        account = self.principals.projection.account(m.group(1)) if m else None
        entity = account.by_kind(m.group(2)).get(casefold(m.group(4))) if account and m else None
        if entity is None or entity["arn"] != policy_source_arn:
            raise NoSuchEntityError(f"The principal {policy_source_arn} cannot be found.",
                                    resource_type="principal", resource_name=policy_source_arn)
        assert account is not None and m is not None
        entities = [entity]
        if m.group(2) == "user":
            entities += [g for gid in entity["groups"]
                         if (g := account.groups.get(account.group_names_by_id.get(gid, ""))) is not None]
        stored = _stored_documents(self.principals, account.account_id)
        texts: list[str] = []
        for e in entities:
            texts += e["inline"].values()
            texts += [t for arn in e["attached"] if (t := stored(arn, None)) is not None]
        return unique_keys(key for text in [*texts, *documents] for key in condition_keys(text))

    def _evaluate(self, simulation: Simulation, principal_arn: str, inputs: PolicyInputs,
                  derived: dict[str, str], document: DocumentLookup) -> list[SimulatedDecision]:
        now = self.clock.now()
        context: dict[str, str | Sequence[str]] = {"aws:CurrentTime": iso8601(now),
                                                   "aws:EpochTime": str(int(now.timestamp())), **derived}
        context.update(simulation.context)
        owner = _ACCOUNT_ARN.fullmatch(simulation.resource_owner) if simulation.resource_owner else None
        caller_account = _account_of(principal_arn)
        spelling: dict[str, str] | None = None
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
                decision = decide(request, inputs)
                if decision.missing_context_keys:  # the engine lower-cases keys: AWS names them as written
                    spelling = spelling if spelling is not None else _spelling(inputs, document)
                    decision = dataclasses.replace(decision, missing_context_keys=tuple(
                        spelling.get(k.lower(), k) for k in decision.missing_context_keys))
                results.append(SimulatedDecision(action, resource, decision, _spans(decision, document),
                                                 self.resource_type_arn(action, resource)))
        return results


@functools.lru_cache(maxsize=4096)
def _format_pattern(arn_format: str) -> re.Pattern[str]:
    """An ARN format (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`) as a pattern: each
    `${...}` stands for any text."""
    return re.compile(".*".join(re.escape(part) for part in re.split(r"\$\{[^}]*\}", arn_format)), re.DOTALL)


def _given_texts(simulation: Simulation) -> dict[str, str]:
    """The documents a simulation was given, by the policy ids compile_inline gave them."""
    texts = {f"policyInputList.{i + 1}": d for i, d in enumerate(simulation.extra_identity_policies)}
    texts.update({f"permissionsBoundaryPolicyInputList.{i + 1}": d
                  for i, d in enumerate(simulation.boundary_policies)})
    if simulation.resource_policy:
        texts["resourcePolicy.1"] = simulation.resource_policy
    return texts


def _stored_documents(principals: PrincipalPolicyCache, account_id: str) -> DocumentLookup:
    """The text of a stored policy by the id the engine names it with: an inline policy as
    `<entity ARN>#<name>`, a managed one by its ARN (and version; None: the default)."""
    account = principals.projection.account(account_id)

    def text(policy_id: str, version: str | None) -> str | None:
        if account is None:
            return None
        if "#" in policy_id:
            entity_arn, name = policy_id.split("#", 1)
            m = _ENTITY_ARN.fullmatch(entity_arn)
            entity = account.by_kind(m.group(2)).get(casefold(m.group(4))) if m else None
            return entity["inline"].get(name) if entity is not None and entity["arn"] == entity_arn else None
        if is_aws_managed_policy(policy_id):
            policy = principals.aws_policies(policy_id) if principals.aws_policies is not None else None
        else:
            policy = account.policy(policy_id)
        if policy is None:
            return None
        stored = policy["versions"].get(version or policy["default_version_id"])
        return stored["document"] if stored is not None else None

    return text


def _spelling(inputs: PolicyInputs, document: DocumentLookup) -> dict[str, str]:
    """Each condition key of the simulated policies, lower-cased, to its spelling in them."""
    indexes = [inputs.identity, inputs.boundary, inputs.session, inputs.resource, *inputs.scp_levels,
               *inputs.rcp_levels]
    spelling: dict[str, str] = {}
    for index in indexes:
        for policy in index.policies if index is not None else ():
            text = document(policy.policy_id, policy.version)
            for key in condition_keys(text) if text else ():
                spelling.setdefault(key.lower(), key)
    return spelling


def _spans(decision: Decision, document: DocumentLookup) -> Spans:
    spans: dict[tuple[str, int], tuple[Position, Position]] = {}
    texts: dict[tuple[str, str | None], list[tuple[Position, Position]]] = {}
    for ref in decision.determining:
        key = (ref.policy_id, ref.version)
        if key not in texts:
            text = document(ref.policy_id, ref.version)
            texts[key] = statement_spans(text) if text else []
        if ref.index < len(texts[key]):
            spans[(ref.policy_id, ref.index)] = texts[key][ref.index]
    return spans
