"""Authorize: evaluate a request for a stored principal against the identity projection.

The service derives the principal's context keys itself (aws:PrincipalArn, aws:username,
aws:PrincipalTag/*, ...); a caller that tries to supply one is refused, so a caller can never
claim attributes the principal does not have.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from iamd.projections.identity import IdentityProjection
from iamd.projections.principals import PrincipalPolicyCache
from iamd.projections.runner import ProjectionRunner
from iamd.service.domain.errors import (
    AccessDeniedError,
    FieldProblem,
    InvalidInputError,
    MalformedPolicyDocumentError,
    ServiceUnavailableError,
)
from iamd.service.domain.names import casefold
from iamd.service.domain import identity, organizations, resources
from iamd.service.domain.sts import effective_principal_tags
from iamd.service.policy import (
    AuthorizationRequest,
    Decision,
    Effect,
    MalformedPolicyError,
    PolicyIndex,
    PolicyInputs,
    PolicyType,
    compile_policy,
    decide,
    lower_context,
)
from iamd.service.policy.evaluate import ALLOWED, NOT_APPLICABLE

from .ports import Clock, iso8601

# Keys only the service may set: they describe the principal, the resource's account (its
# organization: AWS sets aws:ResourceOrgID/Paths only for a member account's resource, so a caller's
# value would stand for an organization the account is not in) or the moment of the request.
_DERIVED_KEYS = frozenset(k.lower() for k in (
    "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalType", "aws:userid", "aws:username",
    "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalIsAWSService",
    "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList", "aws:MultiFactorAuthPresent",
    "aws:MultiFactorAuthAge", "aws:TokenIssueTime", "aws:SourceIdentity", "aws:CurrentTime",
    "aws:EpochTime", "aws:FederatedProvider", "aws:AssumedRoot",
    "aws:ResourceAccount", "aws:ResourceOrgID", "aws:ResourceOrgPaths",
))
_DERIVED_PREFIXES = ("aws:principaltag/",)

_PRINCIPAL_ARN = re.compile(
    r"arn:aws:iam::(?P<account>\d{12}):(?:(?P<root>root)|(?P<kind>user|role)(?P<path>/(?:[\x21-\x7e]*/)?)(?P<name>[\w+=,.@-]+))"
    r"|arn:aws:sts::(?P<session_account>\d{12}):assumed-role/(?P<role>[\w+=,.@-]+)/(?P<session>[\w+=,.@-]+)"
    r"|arn:aws:sts::(?P<federated_account>\d{12}):federated-user/(?P<federated>[\w+=,.@-]+)"
)
_ACCOUNT_IN_ARN = re.compile(r"arn:[^:]*:[^:]*:[^:]*:(\d{12}):")
WAIT_TIMEOUT = 5.0  # seconds Authorize waits for min_position before answering UNAVAILABLE


# Not frozen, though nothing ever changes a query or an outcome: a frozen dataclass pays an
# object.__setattr__ per field, and AuthorizeBatch makes one of each per item.
@dataclass(slots=True)
class AuthorizeQuery:
    principal_arn: str
    action: str
    resource: str
    resource_account: str = ""
    context: Mapping[str, Sequence[str] | str] = field(default_factory=dict)
    min_position: int = 0
    # Passed inline by the service that owns the resource; else what is registered for its ARN.
    resource_policy: str = ""
    resource_tags: Mapping[str, str] | None = None
    # Instead of principal_arn: a service principal, or an unauthenticated (anonymous) request.
    service_principal: str = ""
    anonymous: bool = False


@dataclass(frozen=True, slots=True)
class _ResourceSide:
    """What every request of one subject on one resource account shares within one second (and
    log position): the derived keys, and the policies when the resource has none of its own."""

    time_keys: object  # the moment's keys it was built with (by identity: a new second, a new side)
    derived: Mapping[str, str | tuple[str, ...]]
    rcp_levels: tuple[PolicyIndex, ...]
    inputs: PolicyInputs  # without a resource policy (the common case); never changed


@dataclass(frozen=True, slots=True)
class _Subject:
    """The principal's part of a request: who it is, its derived context keys (lower-cased, without
    the moment's and the resource's), and its compiled policies and guardrails."""

    account_id: str
    kind: str  # "user", "role", "assumed-role" or "root" (a federated user: its IAM user's kind)
    federating_user: str | None
    derived: Mapping[str, str | tuple[str, ...]]
    scp_levels: tuple[PolicyIndex, ...]
    identity: PolicyIndex | None
    boundary: PolicyIndex | None
    session_index: PolicyIndex | None
    mfa_at: datetime | None  # when the session's MFA was used: aws:MultiFactorAuthAge counts from it
    is_root_user: bool = False  # the account's root user itself (not a user it federated)
    scope_down: tuple[PolicyIndex, ...] = ()  # GetScopedCredentials' layers: each must allow
    # resource account -> what its requests share this second: see _resource_side
    by_resource_account: dict[str, _ResourceSide] = field(default_factory=dict)


MAX_CACHED_SUBJECTS = 4_096  # the principals asked about most; a sweep over every one starts afresh


@dataclass(slots=True)
class AuthorizeOutcome:
    decision: Decision
    position: int
    principal_found: bool = True


class Authorizer:
    def __init__(self, principals: PrincipalPolicyCache, runner: ProjectionRunner, clock: Clock) -> None:
        self.principals = principals
        self.runner = runner
        self.clock = clock
        self._subjects: dict[tuple[str, str | None], _Subject | bool] = {}
        self._subjects_position = -1
        # iamd's own permission checks: (caller, key, action, resource, request keys) ->
        # ((position, time keys) it was decided at, decision)
        self._permissions: dict[tuple[Any, ...], tuple[tuple[int, object], Decision]] = {}
        # The moment's keys (lower-cased, as derived keys are), for the second [from, until).
        self._time_from = self._time_until = datetime.min.replace(tzinfo=UTC)
        self._time_cache: tuple[tuple[str, str], ...] = ()

    async def authorize(self, query: AuthorizeQuery, *, session: Mapping[str, Any] | None = None) -> AuthorizeOutcome:
        check_request(query)
        if query.min_position > self.principals.projection.position:
            head = await self.runner.store.head_position()
            if query.min_position > head:  # no write returned it: waiting could only time out
                raise InvalidInputError(
                    f"minPosition {query.min_position} is beyond the log's last position {head}",
                    problems=[FieldProblem("minPosition", f"at most {head}, a position a write returned")])
            try:
                await self.runner.wait_for(query.min_position, WAIT_TIMEOUT)
            except TimeoutError:
                raise ServiceUnavailableError(
                    f"the identity projection has not reached position {query.min_position} yet; retry"
                ) from None
        return self.authorize_now(query, session=session)

    def authorize_now(self, query: AuthorizeQuery, *, session: Mapping[str, Any] | None = None,
                      resource_policy: PolicyIndex | None = None) -> AuthorizeOutcome:
        """The decision against the projection as it is at this moment (no waiting, no I/O).

        `session` is the temporary-credential session the request was made with, if any: a role
        session's ARN is only meaningful with it (its session policies, tags, issue time).
        `resource_policy` is the resource's policy, e.g. a role's trust policy for sts:AssumeRole.
        """
        position = self.principals.projection.position
        if query.service_principal or query.anonymous:
            return AuthorizeOutcome(self._decide_without_identity(query), position)
        subject = self._subject(query.principal_arn, session, position)
        if subject is None:
            return AuthorizeOutcome(_NOT_FOUND, position, principal_found=False)
        account_id = subject.account_id
        # The owner: as the request says, else as the ARN says, else the account that registered
        # the resource (a bucket's ARN names none), else the principal's.
        resource_account = (query.resource_account or _account_of(query.resource)
                            or self._registered_owner(query.resource) or account_id)
        context = query.context
        if resource_policy is None:
            resource_policy, context = self._resource_policy(query, context, account_id)
            if (resource_policy is not None and subject.is_root_user and resource_account == account_id
                    and query.action.lower() in _OWNER_ROOT_POLICY_ACTIONS):
                resource_policy = None  # the owner's root user cannot be locked out of its resource's policy
        if (subject.is_root_user and resource_policy is None and not subject.scp_levels
                and subject.session_index is None and not subject.scope_down
                and not self.principals.guardrail_levels(resource_account, organizations.RCP)):
            # The account root user is allowed everything in its own account (REFERENCE C1.1), but
            # in a session with session policies (AssumeRoot's task policy), which the engine decides,
            # and on a resource with a policy of its own: its Deny applies to the root user too, and
            # its Allow may let another account's root user in (the engine decides both); and on a
            # member account's resources under RCPs, which limit everyone, its root user included.
            if resource_account == account_id:
                return AuthorizeOutcome(_ROOT_ALLOW, position)
            return AuthorizeOutcome(_implicit_deny({"root": "CrossAccountNotSupported"}), position)
        side = self._resource_side(subject, resource_account)
        request = AuthorizationRequest(principal=query.principal_arn, action=query.action,
                                       resource=query.resource, resource_account=resource_account,
                                       context=context, federating_user=subject.federating_user,
                                       derived_context=side.derived)
        inputs = side.inputs if resource_policy is None else PolicyInputs(
            identity=subject.identity, boundary=subject.boundary, session=subject.session_index,
            scope_down=subject.scope_down,
            resource=resource_policy, scp_levels=subject.scp_levels, rcp_levels=side.rcp_levels)
        return AuthorizeOutcome(decide(request, inputs), position)

    def _resource_side(self, subject: _Subject, resource_account: str) -> _ResourceSide:
        """Every key the service derives for a request of `subject` on `resource_account`, lower-cased
        (the moment's, the principal's and the resource account's), the resource account's RCP
        levels, and the policies of a request on a resource without a policy of its own. The same
        for every request of one second (and log position), so built once per second and kept
        with the subject."""
        time_keys = self._time_keys()
        cached = subject.by_resource_account.get(resource_account)
        if cached is not None and cached.time_keys is time_keys:
            return cached
        derived = dict(time_keys)
        derived.update(subject.derived)
        if subject.mfa_at is not None:
            derived["aws:multifactorauthage"] = str(max(0, int((self.clock.now() - subject.mfa_at).total_seconds())))
        derived.update(self.principals.organization_keys(resource_account, "Resource"))
        derived["aws:resourceaccount"] = resource_account
        rcp_levels = self.principals.guardrail_levels(resource_account, organizations.RCP)
        side = _ResourceSide(time_keys, MappingProxyType(derived), rcp_levels, PolicyInputs(
            identity=subject.identity, boundary=subject.boundary, session=subject.session_index,
            scope_down=subject.scope_down,
            scp_levels=subject.scp_levels, rcp_levels=rcp_levels))
        if len(subject.by_resource_account) >= 64:
            subject.by_resource_account.clear()  # a principal reaching into many accounts
        subject.by_resource_account[resource_account] = side
        return side

    def _subject(self, principal_arn: str, session: Mapping[str, Any] | None, position: int) -> _Subject | None:
        """The principal's part of every request it makes, derived once per principal (and session)
        and log position: any event may change it, so a new position starts afresh."""
        if position != self._subjects_position:
            self._subjects.clear()
            self._subjects_position = position
        cache_key = (principal_arn, session["access_key_id"] if session is not None else None)
        subject = self._subjects.get(cache_key)
        if subject is None:
            subject = self._derive_subject(principal_arn, session)
            if len(self._subjects) >= MAX_CACHED_SUBJECTS:
                self._subjects.clear()  # bounded; rebuilt from the compiled sets on the next request
            self._subjects[cache_key] = subject
        return subject or None

    def _derive_subject(self, principal_arn: str, session: Mapping[str, Any] | None) -> _Subject | bool:
        account_id, kind, key = _parse_principal(principal_arn)
        if self.principals.is_closed(account_id):
            return False  # a closed account's principals, its root user too, can do nothing
        derived: dict[str, str | tuple[str, ...]] = {}
        if kind == "root":
            derived.update({"aws:principalarn": principal_arn, "aws:principalaccount": account_id,
                            "aws:principaltype": "Account", "aws:userid": account_id,
                            "aws:principalisawsservice": "false"})
        if kind in ("assumed-role", "federated-user") and session is None:
            raise InvalidInputError(
                "a session is identified by its session token, not by its ARN alone",
                problems=[FieldProblem("principalArn", f"{kind} ARNs need the session's credentials")])
        federating_user = None
        if kind == "federated-user":
            # A federated user has the policies of the IAM user (or root) that federated it.
            federating_user = expected_arn = session["issued_to"]  # type: ignore[index]
            _, kind, key = _parse_principal(expected_arn)
        else:
            expected_arn = session["role_arn"] if kind == "assumed-role" and session else principal_arn
        principal = self.principals.get(account_id, "role" if kind == "assumed-role" else kind, key)
        if kind != "root" and (principal is None or principal.view["arn"] != expected_arn):
            return False  # remembered as "not found" until the log moves on
        session_index = None
        scope_down: tuple[PolicyIndex, ...] = ()
        mfa_at = None
        if principal is not None:
            derived.update(principal.derived_keys)
        if session is not None:
            if session["kind"] in ("assumed-role", "federated-user"):  # the session's keys replace the entity's
                for replaced in [k for k in derived if k.startswith("aws:principaltag/") or k == "aws:username"]:
                    del derived[replaced]
            derived.update(lower_context(_session_keys(session, principal.view.get("tags", {}) if principal else {})))
            session_index, scope_down = self.principals.session_policies(session)
            if session["mfa_authenticated"] and session.get("mfa_authenticated_at"):
                mfa_at = datetime.fromisoformat(session["mfa_authenticated_at"].replace("Z", "+00:00"))
        derived.update(self.principals.organization_keys(account_id, "Principal"))
        # A member account's root user may do anything its SCPs allow: an implicit allow-all.
        identity = principal.identity if principal else (ROOT_IDENTITY if kind == "root" else None)
        return _Subject(account_id, kind, federating_user, derived,
                        self.principals.guardrail_levels(account_id, organizations.SCP), identity,
                        principal.boundary if principal else None, session_index, mfa_at,
                        is_root_user=kind == "root" and federating_user is None, scope_down=scope_down)

    def _decide_without_identity(self, query: AuthorizeQuery) -> Decision:
        """A service principal or an anonymous caller: no identity, boundary, session or SCP of
        ours applies; the resource's policy decides, under the resource account's RCPs."""
        context: dict[str, str | Sequence[str]] = dict(self._time_keys())
        context.update(query.context)
        if query.service_principal:
            principal = query.service_principal
            context.update({"aws:PrincipalIsAWSService": "true", "aws:PrincipalServiceName": principal,
                            "aws:PrincipalServiceNamesList": [principal]})
        else:  # unsigned: no aws:userid, aws:PrincipalArn or aws:PrincipalAccount (AWS's key docs)
            principal = "anonymous"
            context["aws:PrincipalType"] = "Anonymous"
        resource_account = (query.resource_account or _account_of(query.resource)
                            or self._registered_owner(query.resource))
        if not resource_account:  # the owner's RCPs apply: it must be known
            raise InvalidInputError(
                "resourceAccount is required when the resource ARN names no account (an S3 ARN, say) and nobody "
                "registered it",
                problems=[FieldProblem("resourceAccount", "the account that owns the resource")])
        resource_policy, context = self._resource_policy(query, context, resource_account)
        request = AuthorizationRequest(principal=principal, action=query.action, resource=query.resource,
                                       resource_account=resource_account, context=context,
                                       derived_context={**self.principals.organization_keys(resource_account, "Resource"),
                                                        "aws:resourceaccount": resource_account})
        rcp_levels = self.principals.guardrail_levels(resource_account, organizations.RCP)
        return decide(request, PolicyInputs(resource=resource_policy, rcp_levels=rcp_levels))

    def _registered_owner(self, resource: str) -> str:
        """The account that registered the resource's policy or tags (PutResourcePolicy,
        TagResource); empty for a resource nobody registered."""
        stored = self.principals.projection.resources.get(resource)
        return stored["account_id"] if stored is not None else ""

    def _resource_policy(self, query: AuthorizeQuery, context: Mapping[str, Any],
                         caller_account: str) -> tuple[PolicyIndex | None, Mapping[str, Any]]:
        """The resource's policy, and `context` with the resource's tags (aws:ResourceTag/*) added
        (a new mapping: the query's is never changed): inline with the request, registered, or
        for an IAM action on an IAM resource its own."""
        stored = self.principals.projection.resources.get(query.resource)
        if stored is not None and query.resource_account and stored["account_id"] != query.resource_account:
            stored = None  # another account registered this ARN (a bucket's names none): not this resource's
        if stored is not None and _is_iam_request(query.action, query.resource):
            # IAM's, STS's and Organizations' own resources have no registrable policy (a role's
            # trust policy governs sts:AssumeRole alone, the organization's delegation policy is the
            # guard's) and no tags but their own: what an account registered under such an ARN
            # (iamd:PutResourcePolicy, iamd:TagResource) takes no part in an action of those services
            # on it, existing or not yet made; else registering a policy naming oneself would grant
            # IAM actions (iam:UpdateAssumeRolePolicy on an admin role...), STS ones
            # (sts:GetFederationToken) or Organizations ones (CreateOrganizationalUnit on the root...).
            stored = None
        own = None if query.resource_tags is not None else _own_iam_resource(query.action, query.resource,
                                                                             self.principals.projection)
        organization_tags = None if query.resource_tags is not None or own is not None else \
            _own_organizations_tags(query.action, query.resource, self.principals.projection)
        if own is not None:
            # An IAM resource's own tags: iamd's IAM API and Authorize see the same keys. Tags
            # registered under its ARN (iamd:TagResource) are not the resource's: they neither hide
            # its tags (and a Deny conditioned on them) nor add any.
            keys = identity.resource_tag_keys(own[0], own[1].get("tags"))
        elif organization_tags is not None:
            # An organization's root, OU, account or policy: its own tags (TagResource), so that
            # a Deny conditioned on aws:ResourceTag/* protects it.
            keys = {f"aws:ResourceTag/{tag_key}": value for tag_key, value in organization_tags.items()}
        elif query.resource_tags is not None or stored is not None:
            tags = query.resource_tags if query.resource_tags is not None else stored.get("tags", {})
            keys = {f"aws:ResourceTag/{tag_key}": value for tag_key, value in tags.items()}
        else:
            keys = {}
        if keys:
            context = {**context, **keys}
        document = query.resource_policy or (stored or {}).get("policy", "")
        if not document:
            return None, context
        try:
            return self.principals.resource_index(query.resource, document), context
        except MalformedPolicyError as e:  # only an inline policy can be malformed: stored ones were validated
            raise MalformedPolicyDocumentError(
                f"resourcePolicy: {e.problems[0].message}" if e.problems else "resourcePolicy is malformed",
                problems=[FieldProblem(f"resourcePolicy:{p.path}", p.message, p.hint) for p in e.problems]) from None

    def require(self, caller_arn: str, caller_kind: str, action: str, resource: str,
                context: Mapping[str, str | Sequence[str]] | None = None, *,
                session: Mapping[str, Any] | None = None, resource_policy: PolicyIndex | None = None,
                granted_by_account: bool = False, resource_account: str = "") -> None:
        """Refuse with AWS's AccessDenied message unless the caller may do `action` on `resource`.

        `granted_by_account`: an account-level setting grants the action as an identity-based
        policy would (the password policy's AllowUsersToChangePassword): allowed unless a policy
        explicitly denies it or a guardrail (an SCP, a permissions boundary) does not allow it.
        `resource_account`: the account that owns `resource` when its ARN names none (`*`).

        A caller asking again within the same second, at the same log position, with the same
        request keys gets the decision it got (iamd's own permission checks repeat on every call):
        any event moves the position and so starts afresh."""
        key = None
        moment = (self.principals.projection.position, self._time_keys())
        if resource_policy is None:
            # In the context's own order, not sorted: the guard builds it in the same order each
            # time, and sorting 50 resource tags cost more than deciding (a miss costs a decision).
            key = (caller_arn, session["access_key_id"] if session is not None else None, action, resource,
                   tuple((k, v if isinstance(v, str) else tuple(v)) for k, v in (context or {}).items()))
            remembered = self._permissions.get(key)
            if remembered is not None and remembered[0] == moment:
                decision = remembered[1]
                if decision.decision is Effect.ALLOW:
                    return
                key = None  # refusals are rare: explain them afresh
        query = AuthorizeQuery(principal_arn=caller_arn, action=action, resource=resource,
                               resource_account=resource_account, context=dict(context or {}))
        decision = self.authorize_now(query, session=session, resource_policy=resource_policy).decision
        if key is not None:
            if len(self._permissions) >= MAX_CACHED_SUBJECTS:
                self._permissions.clear()
            self._permissions[key] = (moment, decision)
        if decision.decision is Effect.ALLOW:
            return
        if granted_by_account and decision.decision is Effect.IMPLICIT_DENY and all(
                decision.results.get(guardrail, ALLOWED) in (ALLOWED, NOT_APPLICABLE)
                for guardrail in (PolicyType.SCP, PolicyType.BOUNDARY, PolicyType.SESSION)):
            return
        who = "Root" if caller_kind == "root" else "User"
        prefix = f"{who}: {caller_arn} is not authorized to perform: {action} on resource: {resource}"
        if decision.decision is Effect.EXPLICIT_DENY:
            denying = next((s for s in decision.determining if _value(s.effect) == "Deny"), None)
            kind = _POLICY_WORDS.get(_value(denying.policy_type), "identity-based policy") if denying else \
                "identity-based policy"
            raise AccessDeniedError(f"{prefix} with an explicit deny in {_article(kind)} {kind}")
        blocked = [_value(t) for t in decision.blocked_by]
        kind = _POLICY_WORDS.get(blocked[0], "identity-based policy") if blocked else "identity-based policy"
        raise AccessDeniedError(f"{prefix} because no {kind} allows the {action} action")

    def require_identity_provider(self, provider_arn: str, action: str, resource: str,
                                  context: Mapping[str, str | Sequence[str]], resource_policy: PolicyIndex) -> None:
        """Refuse with AWS's AccessDenied unless the resource's policy (a role's trust policy)
        allows a federated identity of `provider_arn` (`Principal: {"Federated": ARN}`) to do
        `action`: AssumeRoleWithWebIdentity's decision. No identity policy, boundary or SCP of the
        account applies to the identity provider's user; the resource account's RCPs do."""
        resource_account = _account_of(resource)
        derived = dict(self._time_keys())
        derived.update(self.principals.organization_keys(resource_account, "Resource"))
        derived["aws:resourceaccount"] = resource_account
        request = AuthorizationRequest(principal=provider_arn, action=action, resource=resource,
                                       resource_account=resource_account, context=dict(context),
                                       derived_context=derived)
        inputs = PolicyInputs(resource=resource_policy,
                              rcp_levels=self.principals.guardrail_levels(resource_account, organizations.RCP))
        if decide(request, inputs).decision is not Effect.ALLOW:
            raise AccessDeniedError(f"Not authorized to perform {action}")

    def _time_keys(self) -> tuple[tuple[str, str], ...]:
        # Formatting a timestamp costs more than a decision: do it once per second (comparing
        # datetimes is cheaper than asking one for its timestamp).
        now = self.clock.now()
        if not self._time_from <= now < self._time_until:
            self._time_from = now.replace(microsecond=0)
            self._time_until = self._time_from + _ONE_SECOND
            self._time_cache = (("aws:currenttime", iso8601(now)), ("aws:epochtime", str(int(now.timestamp()))))
        return self._time_cache


def iam_resource_tag_keys(action: str, resource: str, projection: IdentityProjection) -> dict[str, str]:
    """The resource tag keys of the IAM resource an IAM action acts on (or the role an STS action
    assumes: STS's role resource type defines the same keys), with its tags as they are (a Tag*
    call is decided on the tags before it). The resource is found as the call itself finds it (by
    name, whatever path the ARN gives), so that a tag-conditioned Deny cannot be sidestepped by
    another spelling of its ARN. Empty for anything else: a resource that does not exist (yet), one
    AWS gives no tag keys (a group), another service's action or iamd's own (Authorize)."""
    found = _own_iam_resource(action, resource, projection)
    return identity.resource_tag_keys(found[0], found[1].get("tags")) if found is not None else {}


def _is_iam_request(action: str, resource: str) -> bool:
    """An IAM, STS or Organizations action on an ARN of one of those services (arn:PARTITION:iam::...,
    a federated user's arn:PARTITION:sts::..., arn:PARTITION:organizations::...)."""
    parts = resource.split(":", 3)
    return (action.partition(":")[0].lower() in resources.SERVED_BY_IAMD and len(parts) > 2 and parts[0] == "arn"
            and parts[2] in resources.SERVED_BY_IAMD)


def _own_organizations_tags(action: str, resource: str, projection: IdentityProjection) -> dict[str, str] | None:
    """The tags of the organization's root, OU, account or policy an Organizations action acts on
    (arn:PARTITION:organizations::MANAGEMENT:TYPE/o-ID/.../RESOURCE-ID); None for anything else
    (another service's action, an ARN of no organization iamd holds, an AWS managed policy)."""
    if not action.lower().startswith("organizations:"):
        return None
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "organizations":
        return None
    state = projection.organizations.get(parts[4])
    segments = parts[5].split("/")
    if state is None or not state.organization_id or len(segments) < 3 or segments[1] != state.organization_id:
        return None
    return dict(state.tags.get(segments[-1], {}))


def _own_iam_resource(action: str, resource: str, projection: IdentityProjection) -> tuple[str, Any] | None:
    """(its type, its view) of the IAM resource an IAM action acts on, or of the role an STS
    action assumes; None for anything else (see iam_resource_tag_keys)."""
    service = action[:4].lower()
    if service not in ("iam:", "sts:") or not resource.startswith("arn:"):
        return None
    found = projection.iam_resource(resource)
    if found is None or (service == "sts:" and found[0] != "role"):
        return None
    return found


_ONE_SECOND = timedelta(seconds=1)
_NOT_FOUND = Decision(Effect.IMPLICIT_DENY, (), (), (), {"principal": "NotFound"})
_ROOT_ALLOW = Decision(Effect.ALLOW, (), (), (), {"root": "Allowed"})
# What the root user of the account that owns a bucket or queue may do whatever the resource's own
# policy says, so that a policy denying everyone can be repaired (S3 API reference, PutBucketPolicy:
# "the root principal in a bucket owner's account can perform the GetBucketPolicy, PutBucketPolicy,
# and DeleteBucketPolicy API actions, even if their bucket policy explicitly denies the root
# principal's access"; the AWS Account Management reference lists editing "an SQS resource-based
# policy that denies all principals" as a root-only action). Organizations policies still apply.
_OWNER_ROOT_POLICY_ACTIONS = frozenset({"s3:getbucketpolicy", "s3:putbucketpolicy", "s3:deletebucketpolicy",
                                        "sqs:getqueueattributes", "sqs:setqueueattributes"})
ROOT_IDENTITY = PolicyIndex([compile_policy(organizations.FULL_AWS_ACCESS, policy_id="root-user",
                                           policy_type=PolicyType.IDENTITY)])

_POLICY_WORDS = {"identity": "identity-based policy", "resource": "resource-based policy",
                 "boundary": "permissions boundary", "session": "session policy",
                 "scp": "service control policy", "rcp": "resource control policy"}


def _article(kind: str) -> str:
    return "an" if kind[0] in "aeiou" else "a"


def _value(item: object) -> str:
    return str(getattr(item, "value", item))


@functools.lru_cache(maxsize=4096)
def _parse_principal(arn: str) -> tuple[str, str, str]:
    """(account, kind, casefolded name) of a principal ARN; kind is "user", "role", "root",
    "assumed-role" (the role's name) or "federated-user" (the federated user's name)."""
    m = _PRINCIPAL_ARN.fullmatch(arn)
    if m is None:
        raise InvalidInputError(
            f"principal `{arn}` is not an IAM user, role, role-session, federated-user or root ARN",
            problems=[FieldProblem("principalArn", "unsupported principal ARN")],
        )
    if m["session_account"]:
        return m["session_account"], "assumed-role", casefold(m["role"])
    if m["federated_account"]:
        return m["federated_account"], "federated-user", casefold(m["federated"])
    if m["root"]:
        return m["account"], "root", ""
    return m["account"], m["kind"], casefold(m["name"])


def _session_keys(session: Mapping[str, Any], principal_tags: Mapping[str, str]) -> dict[str, str | Sequence[str]]:
    """Context keys that temporary credentials add (or change) for the requests made with them
    (but aws:MultiFactorAuthAge, which grows with every second)."""
    keys: dict[str, str | Sequence[str]] = {
        "aws:TokenIssueTime": session["issued_at"],
        "aws:MultiFactorAuthPresent": "true" if session["mfa_authenticated"] else "false",
    }
    if session["source_identity"]:
        keys["aws:SourceIdentity"] = session["source_identity"]
    if session["kind"] == "root":  # a privileged session of STS AssumeRoot (centralized root access)
        keys["aws:AssumedRoot"] = "true"
    if session.get("federated_provider"):  # AssumeRoleWithWebIdentity's: the provider, and its token's keys
        keys["aws:FederatedProvider"] = session["federated_provider"]
        keys.update(session.get("web_identity_keys") or {})
    if session["kind"] in ("assumed-role", "federated-user"):
        keys["aws:userid"] = session["principal_id"]
        if session["kind"] == "assumed-role":
            keys["aws:PrincipalType"] = "AssumedRole"
        else:  # aws:PrincipalArn is the federated user's own ARN (not its IAM user's)
            keys["aws:PrincipalType"] = "FederatedUser"
            keys["aws:PrincipalArn"] = session["principal_arn"]
            keys["aws:PrincipalAccount"] = session["account_id"]
            keys["aws:PrincipalIsAWSService"] = "false"
        # Session tags override the role's (or the federating user's) tags of the same key.
        for tag_key, value in effective_principal_tags(principal_tags, session["tags"]).items():
            keys[f"aws:PrincipalTag/{tag_key}"] = value
    return keys


def _implicit_deny(results: dict[str, str]) -> Decision:
    return Decision(Effect.IMPLICIT_DENY, (), (), (), results)


@functools.lru_cache(maxsize=4096)  # the resources asked about most
def _account_of(resource: str) -> str:
    m = _ACCOUNT_IN_ARN.match(resource)
    return m.group(1) if m else ""


def is_derived_key(key: str) -> bool:
    """A context key only iamd may set: it describes the principal or the moment of the request."""
    lowered = key.lower()
    return lowered in _DERIVED_KEYS or lowered.startswith(_DERIVED_PREFIXES)


_SERVICE_PRINCIPAL = re.compile(r"[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)*\.[a-z]{2,}")  # sns.amazonaws.com
# AWS's own bounds for what it evaluates (IAM's policy simulator: ActionNameType, ResourceNameType,
# ContextKeyNameType, arnType). They also bound what the decision caches keep per request.
MAX_ACTION_CHARS = 128
MAX_RESOURCE_CHARS = 2048
MAX_CONTEXT_KEY_CHARS = 256
MAX_PRINCIPAL_CHARS = 2048


@functools.lru_cache(maxsize=4096)  # the actions asked about most
def _is_action(action: str) -> bool:
    """`service:Action`, one action: a pattern (`s3:Delete*`) would be matched as a literal, which
    an Allow of `s3:*` matches and a Deny of each action it stands for does not."""
    service, _, name = action.partition(":")
    return bool(service and name) and ":" not in name and "*" not in action and "?" not in action


def check_request(query: AuthorizeQuery) -> None:
    problems = []
    if (len(query.action) > MAX_ACTION_CHARS or len(query.resource) > MAX_RESOURCE_CHARS  # one test, usually
            or len(query.principal_arn) > MAX_PRINCIPAL_CHARS or len(query.service_principal) > MAX_PRINCIPAL_CHARS):
        for name, value, limit in (("principalArn", query.principal_arn, MAX_PRINCIPAL_CHARS),
                                   ("servicePrincipal", query.service_principal, MAX_PRINCIPAL_CHARS),
                                   ("action", query.action, MAX_ACTION_CHARS),
                                   ("resource", query.resource, MAX_RESOURCE_CHARS)):
            if len(value) > limit:
                problems.append(FieldProblem(name, f"at most {limit} characters (it has {len(value)})"))
    named = sum((bool(query.principal_arn), bool(query.service_principal), query.anonymous))
    if named != 1:
        problems.append(FieldProblem("principal", "name it exactly one way: principalArn (or its credentials), "
                                                  "servicePrincipal, or anonymous"))
    if query.service_principal and not _SERVICE_PRINCIPAL.fullmatch(query.service_principal):
        problems.append(FieldProblem("servicePrincipal", "a service's DNS-style name, e.g. sns.amazonaws.com"))
    if not _is_action(query.action):
        problems.append(FieldProblem("action", "must look like `service:Action`: one action, not a pattern"))
    if not query.resource:
        problems.append(FieldProblem("resource", "required (an ARN, or `*`)"))
    if query.resource_account and (len(query.resource_account) != 12 or not query.resource_account.isdigit()
                                   or (_account_of(query.resource) or query.resource_account) != query.resource_account):
        # Else a request on another account's resource would be decided as one on the principal's own
        # (allowed by its identity policies alone, the owner's resource policy set aside).
        problems.append(FieldProblem("resourceAccount", "a 12-digit account ID, and the one the resource's ARN "
                                                        "names if it names one"))
    for key in query.context:
        if len(key) > MAX_CONTEXT_KEY_CHARS:
            problems.append(FieldProblem(f"context.{key[:64]}…", f"a context key has at most {MAX_CONTEXT_KEY_CHARS} "
                                                                 "characters"))
        elif is_derived_key(key):
            problems.append(FieldProblem(f"context.{key}", "derived by iamd from the principal or the "
                                                           "resource's account; a caller may not supply it"))
    if problems:
        raise InvalidInputError(f"invalid Authorize request: {problems[0].field}: {problems[0].message}",
                                problems=problems)
