"""IAM's centralized root access for member accounts (service/domain/root_access.py): the features'
preconditions in AWS's order, given events when a command then events or an error; AssumeRoot's
parameters and rules; and a root session's task policy decided by the engine as Authorize decides it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from iamd.projections.identity import IdentityProjection
from iamd.service.app.aws_policies import AwsManagedPolicies
from iamd.service.domain import organizations as o
from iamd.service.domain import root_access as r
from iamd.service.domain.errors import (
    AccessDeniedError,
    AccountNotManagementOrDelegatedAdministratorError,
    CallerIsNotManagementAccountError,
    OrganizationNotFoundError,
    ServiceAccessNotEnabledError,
    ValidationError,
)
from iamd.service.domain.events import (
    OrganizationsRootFeatureDisabled,
    OrganizationsRootFeatureEnabled,
    RootLoginProfileCreated,
    SecurityTokenServicePreferencesSet,
)
from iamd.service.eventstore.port import RecordedEvent
from iamd.service.policy import AuthorizationRequest, Effect, PolicyIndex, PolicyInputs, PolicyType, compile_policy, decide

NOW = "2026-01-01T00:00:00Z"
MANAGEMENT, MEMBER, DELEGATE, OUTSIDER = "111111111111", "222222222222", "333333333333", "444444444444"
AUDIT = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
S3 = "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"


def _org(*, trusted: bool = True, delegate: bool = True) -> o.OrganizationState:
    state = o.fold(o.create(o.OrganizationState(), organization_id="o-abcdefghij", root_id="r-abcd",
                            management_account_id=MANAGEMENT, now=NOW))
    for account in (MEMBER, DELEGATE):
        o.fold(o.join(state, account_id=account, name=account, email=f"{account}@example.com", now=NOW), state)
    if trusted:
        o.fold(o.enable_service_access(state, service_principal=r.IAM_SERVICE_PRINCIPAL, now=NOW), state)
        if delegate:
            o.fold(o.register_delegated_admin(state, account_id=DELEGATE, service_principal=r.IAM_SERVICE_PRINCIPAL,
                                              now=NOW), state)
    return state


@pytest.mark.parametrize(("org", "caller", "enabling", "error"), [
    (None, MANAGEMENT, True, OrganizationNotFoundError),
    (_org(trusted=False), MANAGEMENT, False, ServiceAccessNotEnabledError),
    (_org(trusted=False), OUTSIDER, True, ServiceAccessNotEnabledError),  # trusted access is asked about first
    (_org(), MEMBER, False, AccountNotManagementOrDelegatedAdministratorError),
    (_org(), MEMBER, True, AccountNotManagementOrDelegatedAdministratorError),
    (_org(), DELEGATE, True, CallerIsNotManagementAccountError),
    (_org(delegate=False), DELEGATE, False, AccountNotManagementOrDelegatedAdministratorError),
])
def test_who_may_manage_the_features_and_aws_errors_order(org, caller, enabling, error) -> None:
    with pytest.raises(error):
        r.check_caller(org, caller, enabling=enabling)


def test_the_management_account_enables_a_delegated_administrator_disables_and_lists() -> None:
    org = _org()
    assert r.check_caller(org, MANAGEMENT, enabling=True) is org
    assert r.check_caller(org, DELEGATE, enabling=False) is org
    state = r.RootAccessState()
    events = r.enable(state, org, r.ROOT_SESSIONS, NOW)
    assert events == [OrganizationsRootFeatureEnabled(org.organization_id, r.ROOT_SESSIONS, NOW)]
    r.fold(events, state)
    assert r.enable(state, org, r.ROOT_SESSIONS, NOW) == []  # enabled already: nothing to record
    r.fold(r.enable(state, org, r.ROOT_CREDENTIALS_MANAGEMENT, NOW), state)
    assert r.enabled_features(state, org.organization_id) == ["RootCredentialsManagement", "RootSessions"]
    assert r.disable(state, org, r.ROOT_SESSIONS, NOW) == [
        OrganizationsRootFeatureDisabled(org.organization_id, r.ROOT_SESSIONS, NOW)]
    assert r.disable(r.RootAccessState(), org, r.ROOT_SESSIONS, NOW) == []


def test_a_new_organization_starts_without_features() -> None:
    state = r.fold([OrganizationsRootFeatureEnabled("o-first00000", r.ROOT_SESSIONS, NOW)])
    assert r.enabled_features(state, "o-first00000") == ["RootSessions"]
    assert r.enabled_features(state, "o-second0000") == []  # deleted and created again
    r.fold([OrganizationsRootFeatureEnabled("o-second0000", r.ROOT_CREDENTIALS_MANAGEMENT, NOW)], state)
    assert r.enabled_features(state, "o-second0000") == ["RootCredentialsManagement"]


@pytest.mark.parametrize(("target", "account"), [(MEMBER, MEMBER), (f"arn:aws:iam::{MEMBER}:root", MEMBER)])
def test_a_target_is_an_account_id_or_its_root_users_arn(target, account) -> None:
    assert r.target_account(target) == account


@pytest.mark.parametrize("target", ["", "1234", f"arn:aws:iam::{MEMBER}:user/alice", "x" * 3000])
def test_other_targets_are_refused_naming_the_field(target) -> None:
    with pytest.raises(ValidationError) as caught:
        r.target_account(target)
    assert caught.value.problems[0].field == "targetPrincipal"


def test_durations_and_task_policies() -> None:
    assert (r.check_duration(0), r.check_duration(1), r.check_duration(900)) == (900, 1, 900)
    for seconds in (-1, 901, 3600):
        with pytest.raises(ValidationError):
            r.check_duration(seconds)
    assert r.check_task_policy_arn(AUDIT) == AUDIT
    for arn in ("", "arn:aws:iam::aws:policy/ReadOnlyAccess", f"arn:aws:iam::{MANAGEMENT}:policy/root-task/x"):
        with pytest.raises(ValidationError):
            r.check_task_policy_arn(arn)
    assert r.features_needed(S3) == (r.ROOT_SESSIONS,)
    assert r.features_needed(AUDIT) == (r.ROOT_SESSIONS, r.ROOT_CREDENTIALS_MANAGEMENT)


def _features(*features: str) -> r.RootAccessState:
    return r.RootAccessState("o-abcdefghij", list(features))


@pytest.mark.parametrize(("org", "state", "caller", "target", "task", "why"), [
    (None, None, MANAGEMENT, MEMBER, S3, "in no organization"),
    (_org(trusted=False), _features(r.ROOT_SESSIONS), MANAGEMENT, MEMBER, S3, "trusted access"),
    (_org(), _features(r.ROOT_SESSIONS), MEMBER, DELEGATE, S3, "neither"),
    (_org(), _features(), MANAGEMENT, MEMBER, S3, "RootSessions"),
    (_org(), _features(r.ROOT_SESSIONS), MANAGEMENT, MEMBER, AUDIT, "RootCredentialsManagement"),
    (_org(), _features(r.ROOT_SESSIONS), DELEGATE, MANAGEMENT, S3, "management account"),
    (_org(), _features(r.ROOT_SESSIONS), MANAGEMENT, OUTSIDER, S3, "not a member"),
])
def test_a_root_session_is_refused_saying_why(org, state, caller, target, task, why) -> None:
    with pytest.raises(AccessDeniedError) as caught:
        r.check_session_allowed(org, state, caller, target, task, "denied")
    assert why in str(caught.value)


def test_a_closed_member_is_refused_from_its_closure_on() -> None:
    org = _org()
    o.fold(o.close_account(org, account_id=MEMBER, now=NOW), org)  # PENDING_CLOSURE, then SUSPENDED
    with pytest.raises(AccessDeniedError) as caught:
        r.check_session_allowed(org, _features(*r.FEATURES), MANAGEMENT, MEMBER, S3, "denied")
    assert "closed" in str(caught.value)
    r.check_session_allowed(org, _features(*r.FEATURES), MANAGEMENT, DELEGATE, S3, "denied")  # the others still


def test_a_root_session_of_a_member_for_the_management_account_or_the_delegate() -> None:
    for caller in (MANAGEMENT, DELEGATE):
        r.check_session_allowed(_org(), _features(*r.FEATURES), caller, MEMBER, AUDIT, "denied")


def _task_policy(arn: str) -> str:
    catalogue = AwsManagedPolicies()
    if not catalogue.installed:
        pytest.skip("the AWS managed policies are not installed (make)")
    policy = catalogue.get(arn)
    assert policy is not None, f"{arn} is not in {catalogue.package_version}"
    return policy["versions"][policy["default_version_id"]]["document"]


@pytest.mark.parametrize(("action", "resource", "allowed"), [
    ("iam:ListAccessKeys", f"arn:aws:iam::{MEMBER}:root", True),
    ("iam:GetAccountSummary", "*", True),
    ("iam:ListAccessKeys", f"arn:aws:iam::{MEMBER}:user/alice", False),  # a user's keys: not the root user's
    ("iam:DeleteAccessKey", f"arn:aws:iam::{MEMBER}:root", False),  # another task's
    ("iam:CreateUser", f"arn:aws:iam::{MEMBER}:user/intruder", False),
    ("s3:GetObject", "arn:aws:s3:::bucket/key", False),
])
def test_a_root_session_is_the_root_user_less_what_its_task_policy_denies(action, resource, allowed) -> None:
    """What Authorize hands the engine for an AssumeRoot session: the root user's identity (everything
    in its account) and the session's two policies, the allowance and the task policy."""
    session = PolicyIndex([compile_policy(doc, policy_id=f"s{i}", policy_type=PolicyType.SESSION)
                           for i, doc in enumerate((r.ROOT_SESSION_ALLOWANCE, _task_policy(AUDIT)))])
    request = AuthorizationRequest(principal=f"arn:aws:iam::{MEMBER}:root", action=action, resource=resource,
                                   resource_account=MEMBER, context={},
                                   derived_context={"aws:principalarn": f"arn:aws:iam::{MEMBER}:root",
                                                    "aws:principalaccount": MEMBER})
    decision = decide(request, PolicyInputs(session=session))
    assert (decision.decision is Effect.ALLOW) == allowed, decision


def test_every_root_task_policy_aws_documents_is_in_the_catalogue() -> None:
    for name in ("IAMAuditRootUserCredentials", "IAMCreateRootUserPassword", "IAMDeleteRootUserCredentials",
                 "S3UnlockBucketPolicy", "SQSUnlockQueuePolicy"):
        assert '"Deny"' in _task_policy(r.TASK_POLICY_PREFIX + name)


def test_the_projection_keeps_the_features_and_the_token_version_through_a_snapshot() -> None:
    projection = IdentityProjection()
    org, access, preferences = "o-abcdefghij", f"account-{MANAGEMENT}-rootaccess", f"account-{MEMBER}-stspreferences"
    facts = [(access, OrganizationsRootFeatureEnabled(org, r.ROOT_SESSIONS, NOW)),
             (access, OrganizationsRootFeatureEnabled(org, r.ROOT_CREDENTIALS_MANAGEMENT, NOW)),
             (access, OrganizationsRootFeatureDisabled(org, r.ROOT_SESSIONS, NOW)),
             (preferences, SecurityTokenServicePreferencesSet("v2Token", NOW)),
             (f"account-{MEMBER}-rootpassword", RootLoginProfileCreated("scrypt$...", False, NOW))]
    for position, (stream, event) in enumerate(facts, start=1):
        projection.apply(RecordedEvent(str(position), stream, position - 1, position, type(event).__name__, 1,
                                       event.to_data(), {}, datetime.now(UTC)))
    restored = IdentityProjection.from_snapshot(json.loads(json.dumps(projection.to_snapshot())))
    for p in (projection, restored):
        assert r.enabled_features(p.root_access[MANAGEMENT], org) == [r.ROOT_CREDENTIALS_MANAGEMENT]
        assert p.sts_preferences == {MEMBER: "v2Token"}
        assert p.root_login_profiles == {MEMBER: {"created_at": NOW, "password_reset_required": False,
                                                  "has_password": True}}  # never the hash
