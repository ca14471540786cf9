"""IAM's centralized root access for member accounts (IAM User Guide, "Centrally manage root
access for member accounts"): the organization's two features, who may turn them on and off, and
STS AssumeRoot's rules. Pure: the organization is read by the caller and handed in.

The features are a small aggregate of the management account (stream
`account-MANAGEMENT-rootaccess`), each enabling recorded with the organization's id: an
organization deleted and created again starts with none. Preconditions, in AWS's order (the IAM
API reference's Errors of each operation): an organization (OrganizationNotFound) with all
features (OrganizationNotInAllFeaturesMode), trusted access for IAM (ServiceAccessNotEnabled),
the caller's account its management account or a delegated administrator for IAM
(AccountNotManagementOrDelegatedAdministrator); only the management account may enable a feature
(CallerIsNotManagementAccount: that error is in the Enable operations' lists only).

AssumeRoot: a session of a member account's root user, at most 900 s (the STS quota), scoped by
one of AWS's root-task policies. Those policies only deny (everything but the task's actions, and
the task's actions on anything but the root user's own resources): AWS's session for them is the
root user's permissions less what the task policy denies. iamd records it as two session
policies, an allowance of everything and the task policy, so that Authorize decides the session's
calls on the path every session policy takes (a session policy must allow, and any deny wins).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import (
    AccessDeniedError,
    AccountNotManagementOrDelegatedAdministratorError,
    CallerIsNotManagementAccountError,
    OrganizationNotFoundError,
    ServiceAccessNotEnabledError,
    ValidationError,
    validation_error,
)
from .events import Event, OrganizationsRootFeatureDisabled, OrganizationsRootFeatureEnabled
from .organizations import OrganizationState, is_closed

ROOT_CREDENTIALS_MANAGEMENT = "RootCredentialsManagement"
ROOT_SESSIONS = "RootSessions"
FEATURES = (ROOT_CREDENTIALS_MANAGEMENT, ROOT_SESSIONS)  # AWS's enum order (FeatureType)
IAM_SERVICE_PRINCIPAL = "iam.amazonaws.com"

MAX_DURATION = DEFAULT_DURATION = 900  # AssumeRoot: "up to the maximum session duration of 900 seconds"
TASK_POLICY_PREFIX = "arn:aws:iam::aws:policy/root-task/"
# The task policies that act on the root user's credentials need root credentials management as
# well as root sessions; the others (S3UnlockBucketPolicy, SQSUnlockQueuePolicy) root sessions alone.
CREDENTIAL_TASKS = frozenset(TASK_POLICY_PREFIX + name for name in (
    "IAMAuditRootUserCredentials", "IAMCreateRootUserPassword", "IAMDeleteRootUserCredentials"))
_TARGET = re.compile(r"(\d{12})|arn:aws:iam::(\d{12}):root")

# What a root session may do before its task policy denies: everything the root user may (its
# account's SCPs still apply, as to the root user itself).
ROOT_SESSION_ALLOWANCE = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "RootUserPermissions", "Effect": "Allow", "Action": "*", "Resource": "*"}]})


@dataclass
class RootAccessState:
    """The features as recorded, with the organization they were enabled for."""

    organization_id: str = ""
    features: list[str] = field(default_factory=list)


def stream(management_account_id: str) -> str:
    return f"account-{management_account_id}-rootaccess"


def fold(events: Iterable[Event], state: RootAccessState | None = None) -> RootAccessState:
    """The features after `events`, folded onto `state` (changed in place) or a new one."""
    state = state if state is not None else RootAccessState()
    for event in events:
        match event:
            case OrganizationsRootFeatureEnabled(organization_id=org, feature=feature):
                if org != state.organization_id:  # another organization: what the last one had is gone
                    state.organization_id, state.features = org, []
                if feature not in state.features:
                    state.features.append(feature)
            case OrganizationsRootFeatureDisabled(organization_id=org, feature=feature):
                if org == state.organization_id and feature in state.features:
                    state.features.remove(feature)
            case _:
                raise ValueError(f"{type(event).__name__} does not apply to centralized root access")
    return state


def enabled_features(state: RootAccessState | None, organization_id: str) -> list[str]:
    """The features enabled for this organization, in AWS's order."""
    if state is None or state.organization_id != organization_id:
        return []
    return [f for f in FEATURES if f in state.features]


def check_caller(org: OrganizationState | None, caller_account: str, *, enabling: bool) -> OrganizationState:
    """The organization whose features `caller_account` may manage, or AWS's error for why not."""
    if org is None or not org.exists:
        raise OrganizationNotFoundError("The request was rejected because no organization is associated with "
                                        "your account.")
    # INVARIANT: iamd's organizations always have all features (CreateOrganization refuses
    # CONSOLIDATED_BILLING), so OrganizationNotInAllFeaturesMode cannot arise here.
    if IAM_SERVICE_PRINCIPAL not in org.service_access:
        raise ServiceAccessNotEnabledError(
            "The request was rejected because trusted access is not enabled for IAM in Organizations. Enable "
            f"it with EnableAWSServiceAccess for {IAM_SERVICE_PRINCIPAL}.")
    management = caller_account == org.management_account_id
    if not management and not is_delegated_administrator(org, caller_account):
        raise AccountNotManagementOrDelegatedAdministratorError(
            f"The request was rejected because the account making the request ({caller_account}) is not the "
            "management account or delegated administrator account for centralized root access.")
    if enabling and not management:
        raise CallerIsNotManagementAccountError(
            "The request was rejected because the account making the request is not the management account "
            f"for the organization ({org.management_account_id}): a delegated administrator for IAM may "
            "disable and list the features, not enable them.")
    return org


def is_delegated_administrator(org: OrganizationState, account_id: str) -> bool:
    return IAM_SERVICE_PRINCIPAL in org.delegated_admins.get(account_id, {})


def check_feature(feature: str) -> str:
    if feature not in FEATURES:  # INVARIANT: the RPCs name their feature; nothing else reaches here
        raise ValueError(feature)
    return feature


def enable(state: RootAccessState, org: OrganizationState, feature: str, now: str) -> list[Event]:
    if feature in enabled_features(state, org.organization_id):
        return []  # AWS answers the features again: enabling an enabled feature changes nothing
    return [OrganizationsRootFeatureEnabled(org.organization_id, check_feature(feature), now)]


def disable(state: RootAccessState, org: OrganizationState, feature: str, now: str) -> list[Event]:
    if feature not in enabled_features(state, org.organization_id):
        return []
    return [OrganizationsRootFeatureDisabled(org.organization_id, check_feature(feature), now)]


# --- AssumeRoot --------------------------------------------------------------------------------------


def target_account(target_principal: str) -> str:
    """The member account a TargetPrincipal names: its id, or its root user's ARN."""
    if not target_principal:
        raise validation_error("targetPrincipal", "null", "Member must not be null")
    if len(target_principal) > 2048:
        raise validation_error("targetPrincipal", target_principal[:64] + "...",
                               "Member must have length less than or equal to 2048")
    m = _TARGET.fullmatch(target_principal)
    if m is None:
        raise validation_error("targetPrincipal", target_principal,
                               "Member must be a member account's id (12 digits) or its root user's ARN "
                               "(arn:aws:iam::ACCOUNT:root)")
    return m.group(1) or m.group(2)


def check_duration(seconds: int) -> int:
    """AssumeRoot's DurationSeconds: 0-900 (AWS's model), 900 when not given."""
    if seconds < 0:
        raise validation_error("durationSeconds", str(seconds), "Member must have value greater than or equal to 0")
    if seconds > MAX_DURATION:
        raise validation_error("durationSeconds", str(seconds),
                               f"Member must have value less than or equal to {MAX_DURATION}")
    return seconds or DEFAULT_DURATION


def check_task_policy_arn(arn: str) -> str:
    """One of AWS's root-task policies (`arn:aws:iam::aws:policy/root-task/...`); whether it exists is
    the managed-policy catalogue's to say."""
    if not arn:
        raise validation_error("taskPolicyArn", "null", "Member must not be null")
    if not arn.startswith(TASK_POLICY_PREFIX):
        raise validation_error("taskPolicyArn.arn", arn,
                               f"Member must be one of AWS's root-task policies ({TASK_POLICY_PREFIX}NAME)")
    return arn


def unknown_task_policy(arn: str) -> ValidationError:
    return validation_error("taskPolicyArn.arn", arn,
                            "Member must name one of AWS's root-task policies: no such policy "
                            "(IAMAuditRootUserCredentials, IAMCreateRootUserPassword, "
                            "IAMDeleteRootUserCredentials, S3UnlockBucketPolicy, SQSUnlockQueuePolicy)")


def features_needed(task_policy_arn: str) -> tuple[str, ...]:
    return (ROOT_SESSIONS, ROOT_CREDENTIALS_MANAGEMENT) if task_policy_arn in CREDENTIAL_TASKS else (ROOT_SESSIONS,)


def check_session_allowed(org: OrganizationState | None, state: RootAccessState | None, caller_account: str,
                          target: str, task_policy_arn: str, denied: str) -> None:
    """AccessDenied (`denied`, then why) unless the caller's account may open a root session of
    `target` for this task: its organization has trusted access for IAM and the task's features
    enabled, the caller's account is the management account or a delegated administrator for IAM,
    and `target` is a member account of that organization (never the management account) that is
    not closed."""
    if org is None or not org.exists:
        raise AccessDeniedError(f"{denied}: the account {caller_account} is in no organization")
    if IAM_SERVICE_PRINCIPAL not in org.service_access:
        raise AccessDeniedError(f"{denied}: trusted access for {IAM_SERVICE_PRINCIPAL} is not enabled in the "
                                "organization")
    if caller_account != org.management_account_id and not is_delegated_administrator(org, caller_account):
        raise AccessDeniedError(f"{denied}: the account {caller_account} is neither the organization's management "
                                "account nor a delegated administrator for IAM")
    enabled = enabled_features(state, org.organization_id)
    for feature in features_needed(task_policy_arn):
        if feature not in enabled:
            raise AccessDeniedError(f"{denied}: centralized root access feature {feature} is not enabled for the "
                                    "organization")
    if target == org.management_account_id:
        raise AccessDeniedError(f"{denied}: the target is the organization's management account; AssumeRoot opens "
                                "sessions of member accounts only")
    if target not in org.accounts:
        raise AccessDeniedError(f"{denied}: the account {target} is not a member of the organization")
    if is_closed(org, target):
        # A closed account is SUSPENDED: AWS lets no one sign in to it or use its credentials, and
        # STS documents no error of its own for it, so AssumeRoot answers as for any refused target.
        raise AccessDeniedError(f"{denied}: the account {target} is closed (SUSPENDED); a closed account's root "
                                "user cannot be assumed")


def root_arn(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:root"


def trust_policy(caller_account: str, target: str) -> str:
    """What the organization's centralized root access amounts to for a member account: its root
    user may be assumed by the management account (or a delegated administrator for IAM), whose
    identity-based policies then decide (as a trust policy naming an account delegates to them)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "CentralizedRootAccess", "Effect": "Allow", "Principal": {"AWS": root_arn(caller_account)},
        "Action": "sts:AssumeRoot", "Resource": root_arn(target)}]})
