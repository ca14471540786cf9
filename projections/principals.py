"""Compiled, indexed policy sets per principal, derived from the identity projection.

A principal's set is built on first use (documents compiled once, shared through a cache keyed
by policy and version) and dropped when an event touches one of its inputs: the principal, one
of its groups, or a managed policy attached to any of them. So a decision never parses or
compiles, and a rebuild of the projection never compiles what nobody asks about.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from dataclasses import dataclass, field

from iamd.service.domain.errors import FieldProblem, IamError, MalformedPolicyDocumentError, ServiceFailureError
from iamd.service.domain.names import is_aws_managed_policy
from iamd.service.policy import CompiledPolicy, MalformedPolicyError, PolicyIndex, PolicyType, compile_policy, lower_context

from iamd.service.domain import organizations, organizations_delegation
from iamd.service.domain.organizations import OrganizationState

from .identity import AccountView, IdentityProjection, View


@dataclass(frozen=True, slots=True)
class PrincipalPolicies:
    """Everything the engine needs about one user or role, ready to evaluate."""

    kind: str  # "user" or "role"
    account_id: str
    view: View
    # Shared between principals whose policies are the same (members of the same groups, say).
    identity: PolicyIndex
    boundary: PolicyIndex | None
    # A role's trust policy, the resource policy of sts:AssumeRole: compiled when an AssumeRole
    # asks (see `trust`), not for every role whose permissions are decided.
    trust_policy: Callable[[], PolicyIndex] | None = None
    # The principal's context keys (aws:PrincipalArn, aws:username, aws:PrincipalTag/...),
    # lower-cased as the engine takes derived keys, derived here once rather than per decision.
    derived_keys: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)

    @property
    def policies(self) -> tuple[CompiledPolicy, ...]:
        return self.identity.policies

    @property
    def trust(self) -> PolicyIndex | None:
        return self.trust_policy() if self.trust_policy is not None else None

    @property
    def context_keys(self) -> tuple[tuple[str, str], ...]:
        """The same keys as AWS spells them (for simulations, which show them)."""
        return principal_context_keys(self.kind, self.account_id, self.view)


# Bounds of the caches below (each entry is recomputable from the projection at any time); past
# one, the least recently built half of it goes. Measured with 100k users, 10k roles and 20k
# policies evaluated once each: 50k/100k/100k kept 642 MiB RSS, these 598 MiB, and the sweep took as
# long (33 s); halving them again saved 2 MiB more.
MAX_PRINCIPAL_SETS = 10_000
MAX_SHARED_INDEXES = 10_000
MAX_COMPILED_POLICIES = 10_000


def _evict_oldest_half(cache: dict[Any, Any], bound: int) -> None:
    """At `bound` entries, drop the half built first (dicts keep insertion order)."""
    if len(cache) >= bound:
        for oldest in list(itertools.islice(cache, bound // 2)):
            del cache[oldest]


_NO_KEYS: Mapping[str, str] = {}


AwsPolicyLookup = Callable[[str], "View | None"]  # an AWS managed policy's view by ARN


class StoredPolicyError(Exception):
    """A policy in the log that does not compile (stored before iamd validated documents)."""

    def __init__(self, policy_id: str, reason: str) -> None:
        super().__init__(f"{policy_id}: {reason}")
        self.policy_id = policy_id
        self.reason = reason

    def refusal(self, what: str, remedy: str) -> IamError:
        """The error a decision that needs this policy answers with, naming it."""
        return MalformedPolicyDocumentError(
            f"the stored {what} cannot be compiled ({self.reason}); it was written before iamd checked it: {remedy}",
            problems=[FieldProblem(f"policy:{self.policy_id}", self.reason)])


class UnavailableAwsPolicyError(StoredPolicyError):
    """An AWS managed policy a principal holds that this iamd cannot read (its catalogue is not
    installed, or no longer lists it): the principal's decisions fail, naming it, rather than be
    made without it."""

    def refusal(self, what: str, remedy: str) -> IamError:
        return ServiceFailureError(f"{self.reason}: {self.policy_id}, held by {what}, cannot be evaluated")



def principal_context_keys(kind: str, account_id: str, view: View) -> tuple[tuple[str, str], ...]:
    # aws:PrincipalIsAWSService is in every request (REFERENCE C9): IAM principals are not services.
    keys = [("aws:PrincipalArn", view["arn"]), ("aws:PrincipalAccount", account_id),
            ("aws:PrincipalIsAWSService", "false")]
    if kind == "user":
        keys += [("aws:PrincipalType", "User"), ("aws:userid", view["id"]), ("aws:username", view["name"])]
    else:
        keys += [("aws:PrincipalType", "AssumedRole"), ("aws:userid", view["id"])]
    keys += [(f"aws:PrincipalTag/{k}", v) for k, v in view.get("tags", {}).items()]
    return tuple(keys)


def resource_document_type(document: str) -> PolicyType:
    """A role's trust policy is the one resource-based policy without Resource elements."""
    try:
        statements = json.loads(document).get("Statement")
    except (ValueError, AttributeError, RecursionError):
        return PolicyType.RESOURCE  # compiling it reports the problem, with its path
    if isinstance(statements, dict):
        statements = [statements]
    is_trust = isinstance(statements, list) and bool(statements) and not any(
        isinstance(s, dict) and ("Resource" in s or "NotResource" in s) for s in statements)
    return PolicyType.TRUST if is_trust else PolicyType.RESOURCE


def inline_policy_id(entity_arn: str, policy_name: str) -> str:
    """How an inline policy is named in explanations: the entity's ARN and the policy's name."""
    return f"{entity_arn}#{policy_name}"


class PrincipalPolicyCache:
    """Per-principal compiled policy sets, invalidated by the projection's change listener."""

    def __init__(self, projection: IdentityProjection, aws_policies: AwsPolicyLookup | None = None) -> None:
        self.projection = projection
        self.aws_policies = aws_policies
        self._sets: dict[tuple[str, str, str], PrincipalPolicies] = {}
        self._indexes: dict[tuple[int, ...], PolicyIndex] = {}
        self._compiled: dict[tuple[str, str, str, str], CompiledPolicy] = {}
        self._session_indexes: dict[str, tuple[PolicyIndex | None, tuple[PolicyIndex, ...]]] = {}
        self._guardrails: dict[tuple[str, str, str, int], tuple[PolicyIndex, ...]] = {}
        self._org_keys: dict[tuple[str, str, str, int], Mapping[str, str | tuple[str, ...]]] = {}
        self._delegations: dict[str, tuple[int, PolicyIndex | None]] = {}  # management -> (version, policy)
        projection.on_change.append(self._on_change)

    def _on_change(self, account_id: str, kind: str, key: str) -> None:
        if not self._sets:
            return  # nothing derived yet (e.g. during a rebuild): nothing to drop
        if kind in ("user", "role"):
            self._sets.pop((account_id, kind, key), None)
        elif kind == "group":
            account = self.projection.account(account_id)
            group = account.groups.get(key) if account else None
            for member in group["members"] if group else ():
                self._sets.pop((account_id, "user", member), None)
        elif kind == "policy":
            for principal_kind, principal_key in self.projection.principals_using_policy(account_id, key):
                self._sets.pop((account_id, principal_kind, principal_key), None)

    def get(self, account_id: str, kind: str, key: str) -> PrincipalPolicies | None:
        """The compiled set of a user or role by casefolded name, or None if it does not exist.

        A policy stored by an older iamd that no longer compiles makes only this principal's
        decisions fail, with an error naming the policy. None for every principal of a closed
        account (Organizations CloseAccount)."""
        if self.is_closed(account_id):
            return None  # a closed account's users and roles can do nothing, nor be assumed
        cached = self._sets.get((account_id, kind, key))
        if cached is not None:
            return cached
        account = self.projection.account(account_id)
        if account is None:
            return None
        view = (account.users if kind == "user" else account.roles).get(key)
        if view is None:
            return None
        try:
            return self._build(account, account_id, kind, key, view)
        except StoredPolicyError as e:
            raise e.refusal(f"policy `{e.policy_id}` of {view['arn']}", "put a valid document or detach it") from None

    def _build(self, account: AccountView, account_id: str, kind: str, key: str, view: View) -> PrincipalPolicies:
        identity = self._shared_index(list(self._identity_policies(account, kind, view)))
        boundary = None
        if view["boundary"]:
            compiled = self._managed(account, view["boundary"], PolicyType.BOUNDARY)
            # A boundary whose policy is gone allows nothing (an empty index), it never vanishes.
            boundary = self._shared_index([compiled] if compiled else [])
        trust = None
        if kind == "role":
            trust = functools.partial(self._trust_index, f"{view['arn']}#trust", view["trust_policy"])
        built = PrincipalPolicies(kind, account_id, view, identity, boundary, trust,
                                  lower_context(dict(principal_context_keys(kind, account_id, view))))
        _evict_oldest_half(self._sets, MAX_PRINCIPAL_SETS)
        self._sets[(account_id, kind, key)] = built
        return built

    def _trust_index(self, policy_id: str, document: str) -> PolicyIndex:
        try:
            return PolicyIndex([self._compile(policy_id, "", document, PolicyType.TRUST)])
        except StoredPolicyError as e:  # stored by an older iamd, no longer valid: as in get()
            raise e.refusal(f"the trust policy of {policy_id.removesuffix('#trust')}",
                            "update the role's trust policy") from None

    def _shared_index(self, policies: list[CompiledPolicy]) -> PolicyIndex:
        """One index per distinct list of compiled policies: principals with equal attachments
        (the members of the same groups, say) share it, and its memo of matched actions."""
        key = tuple(id(p) for p in policies)  # compiled policies are themselves shared (_compile)
        entry = self._indexes.get(key)
        # The index holds its policies, so their ids cannot be reused while the entry lives.
        if entry is None or entry.policies != tuple(policies):
            _evict_oldest_half(self._indexes, MAX_SHARED_INDEXES)
            entry = self._indexes[key] = PolicyIndex(policies)
        return entry

    def session_policies(self, session: Mapping[str, Any]) -> tuple[PolicyIndex | None, tuple[PolicyIndex, ...]]:
        """The session policies of temporary credentials as one index (None: the session has none),
        and GetScopedCredentials' scope-down policies, one index each (each must allow: they are
        layers, not one set), oldest first (() for most sessions)."""
        documents = session.get("session_policies") or []
        layers = session.get("scope_down_policies") or []
        if not documents and not layers:
            return None, ()
        key_id = session["access_key_id"]
        compiled = self._session_indexes.get(key_id)
        if compiled is None:  # a session's policies never change: built once per session
            index = PolicyIndex([self._compile(f"session:{key_id}#{i}", "", doc, PolicyType.SESSION, stored=False)
                                 for i, doc in enumerate(documents)]) if documents else None
            scope_down = tuple(PolicyIndex([self._compile(f"session:{key_id}#scope-down-{i}", "", doc,
                                                          PolicyType.SESSION, stored=False)])
                               for i, doc in enumerate(layers))
            if len(self._session_indexes) > 100_000:
                self._session_indexes.clear()
            compiled = self._session_indexes[key_id] = (index, scope_down)
        return compiled

    def resource_index(self, arn: str, document: str) -> PolicyIndex:
        """A resource's policy (stored, or passed inline with a request), compiled once per text."""
        return PolicyIndex([self._compile(f"{arn}#resource-policy", "", document, resource_document_type(document),
                                          stored=False)])

    # --- organizations --------------------------------------------------------------------------
    def _organization(self, account_id: str) -> OrganizationState | None:
        management = self.projection.organization_of_account.get(account_id)
        return self.projection.organizations.get(management) if management else None

    def delegation_policy(self, account_id: str) -> PolicyIndex | None:
        """The resource-based policy a delegated member account's Organizations calls are decided
        against (organizations_delegation.delegation_document), compiled once per organization
        version; None outside an organization or when it delegates nothing."""
        org = self._organization(account_id)
        if org is None:
            return None
        management = org.management_account_id
        version = len(self.projection.organization_events[management])
        cached = self._delegations.get(management)
        if cached is not None and cached[0] == version:
            return cached[1]
        document = organizations_delegation.delegation_document(org)
        index = self.resource_index(f"{organizations.organization_arn(org)}#delegation", document) if document else None
        if len(self._delegations) >= 10_000:
            self._delegations.clear()  # bounded; recompiled on the next call
        self._delegations[management] = (version, index)
        return index

    def is_closed(self, account_id: str) -> bool:
        """Whether the account is a member account an organization closed (CloseAccount): for good,
        also once that organization is deleted (AWS closes an account permanently after its
        post-closure period)."""
        return account_id in self.projection.closed_accounts

    def guardrail_levels(self, account_id: str, policy_type: str) -> tuple[PolicyIndex, ...]:
        """SCP (or RCP) levels for an account, root first, compiled; () outside an organization.
        Which policies apply is the domain's rule; this only compiles and keeps the result."""
        org = self._organization(account_id)
        if org is None:
            return ()
        # The organization is part of the key: an account that left one and joined another whose
        # stream has as many events must not be governed by the first one's SCPs.
        management = org.management_account_id
        key = (account_id, policy_type, management, len(self.projection.organization_events[management]))
        levels = self._guardrails.get(key)
        if levels is None:
            kind = PolicyType.SCP if policy_type == organizations.SCP else PolicyType.RCP
            try:
                levels = tuple(PolicyIndex([self._compile(policy_id, "", content, kind)
                                            for policy_id, content in level])
                               for level in organizations.guardrail_levels(org, account_id, policy_type))
            except StoredPolicyError as e:
                raise e.refusal(f"{policy_type} `{e.policy_id}` governing account {account_id}",
                                "update or detach it") from None
            if len(self._guardrails) > 10_000:
                self._guardrails.clear()
            self._guardrails[key] = levels
        return levels

    def organization_keys(self, account_id: str, side: str) -> Mapping[str, str | tuple[str, ...]]:
        """aws:PrincipalOrgID/Paths (side "Principal") or aws:ResourceOrgID/Paths ("Resource"),
        lower-cased as the engine takes derived keys; computed once per organization version."""
        org = self._organization(account_id)
        if org is None:
            return _NO_KEYS
        management = org.management_account_id  # part of the key, as in guardrail_levels
        key = (account_id, side, management, len(self.projection.organization_events[management]))
        keys = self._org_keys.get(key)
        if keys is None:
            keys = lower_context(organizations.organization_context(org, account_id, side))
            if len(self._org_keys) >= 10_000:
                self._org_keys.clear()  # bounded; recomputed on the next request
            self._org_keys[key] = keys
        return keys

    def _identity_policies(self, account: AccountView, kind: str, view: View) -> Iterable[CompiledPolicy]:
        yield from self._entity_policies(account, view)
        if kind == "user":
            for group_id in view["groups"]:
                group = account.groups.get(account.group_names_by_id.get(group_id, ""))
                if group is not None:
                    yield from self._entity_policies(account, group)

    def _entity_policies(self, account: AccountView, entity: View) -> Iterable[CompiledPolicy]:
        for name, document in entity["inline"].items():
            yield self._compile(inline_policy_id(entity["arn"], name), "", document, PolicyType.IDENTITY)
        for arn in entity["attached"]:
            compiled = self._managed(account, arn, PolicyType.IDENTITY)
            if compiled is not None:
                yield compiled

    def _managed(self, account: AccountView, arn: str, policy_type: PolicyType) -> CompiledPolicy | None:
        if is_aws_managed_policy(arn):
            policy = self.aws_policies(arn) if self.aws_policies is not None else None
            if policy is None:
                raise UnavailableAwsPolicyError(arn, "this iamd has no AWS managed policies installed, or not this one")
        else:
            policy = account.policy(arn)
        if policy is None:
            return None
        version = policy["default_version_id"]
        return self._compile(arn, version, policy["versions"][version]["document"], policy_type)

    def _compile(self, policy_id: str, version: str, document: str, policy_type: PolicyType, *,
                 stored: bool = True) -> CompiledPolicy:
        # The document is part of the key: inline documents change under the same id, and a managed
        # policy deleted and created again has the same ARN and a v1 with another document.
        key = (policy_id, version, document, policy_type.value)
        compiled = self._compiled.get(key)
        if compiled is None:
            try:
                compiled = compile_policy(document, policy_id=policy_id, policy_type=policy_type,
                                          version=version or None)
            except MalformedPolicyError as e:
                if not stored:
                    raise  # passed with the request: the caller's error, reported as such
                reason = e.problems[0].message if e.problems else "malformed"
                raise StoredPolicyError(policy_id, reason) from None
            _evict_oldest_half(self._compiled, MAX_COMPILED_POLICIES)
            self._compiled[key] = compiled
        return compiled
