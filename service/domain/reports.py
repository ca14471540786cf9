"""What the account-wide reports say: GetAccountSummary's SummaryMap and the credential report.

Pure: the app layer counts and gathers from the projection; these rules say which keys and
columns AWS shows, what they mean, and the quotas iamd enforces (the same constants its
commands check, so the summary cannot promise a limit that is not the one applied).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .errors import ReportExpiredError, ReportNotPresentError
from .identity import MAX_ACCESS_KEYS
from .names import (
    MAX_ATTACHED_POLICIES,
    MAX_GROUPS_PER_ACCOUNT,
    MAX_GROUPS_PER_USER,
    MAX_INLINE_POLICY_CHARS,
    MAX_MANAGED_POLICY_CHARS,
    MAX_POLICIES_PER_ACCOUNT,
    MAX_POLICY_VERSIONS,
    MAX_ROLES_PER_ACCOUNT,
    MAX_TRUST_POLICY_CHARS,
    MAX_USERS_PER_ACCOUNT,
)

REPORT_LIFETIME = timedelta(hours=4)  # AWS: a report older than 4 hours is expired; Generate makes a new one
REPORT_FORMAT = "text/csv"
REPORT_COLUMNS = (
    "user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
    "password_next_rotation", "mfa_active", "access_key_1_active", "access_key_1_last_rotated",
    "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
    "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
    "access_key_2_last_used_region", "access_key_2_last_used_service", "cert_1_active", "cert_1_last_rotated",
    "cert_2_active", "cert_2_last_rotated",
)
_NOT_APPLICABLE = "N/A"


@dataclass(frozen=True)
class AccountCounts:
    users: int = 0
    groups: int = 0
    roles: int = 0
    policies: int = 0  # customer managed
    policy_attachments: int = 0  # managed policies attached to users, groups and roles
    mfa_devices: int = 0
    mfa_devices_in_use: int = 0
    root_mfa: bool = False
    root_access_keys: bool = False
    instance_profiles: int = 0
    server_certificates: int = 0
    global_endpoint_token_version: int = 1  # SetSecurityTokenServicePreferences: 1 (v1Token) or 2
    root_password: bool = False  # the root user has a console password (set in an AssumeRoot session)


def account_summary(counts: AccountCounts) -> dict[str, int]:
    """GetAccountSummary's SummaryMap: the counts, and the quotas iamd enforces. iamd has no
    server or signing certificates, passwords, OIDC/SAML providers or instance profiles yet: 0."""
    return {
        "Users": counts.users, "UsersQuota": MAX_USERS_PER_ACCOUNT,
        "Groups": counts.groups, "GroupsQuota": MAX_GROUPS_PER_ACCOUNT,
        "Roles": counts.roles, "RolesQuota": MAX_ROLES_PER_ACCOUNT,
        "Policies": counts.policies, "PoliciesQuota": MAX_POLICIES_PER_ACCOUNT,
        "PolicyVersionsInUse": counts.policy_attachments, "PolicyVersionsInUseQuota": 10000,
        "VersionsPerPolicyQuota": MAX_POLICY_VERSIONS, "PolicySizeQuota": MAX_MANAGED_POLICY_CHARS,
        "UserPolicySizeQuota": MAX_INLINE_POLICY_CHARS["user"],
        "GroupPolicySizeQuota": MAX_INLINE_POLICY_CHARS["group"],
        "RolePolicySizeQuota": MAX_INLINE_POLICY_CHARS["role"],
        "AssumeRolePolicySizeQuota": MAX_TRUST_POLICY_CHARS,
        "GroupsPerUserQuota": MAX_GROUPS_PER_USER, "AccessKeysPerUserQuota": MAX_ACCESS_KEYS,
        "AttachedPoliciesPerUserQuota": MAX_ATTACHED_POLICIES["user"],
        "AttachedPoliciesPerGroupQuota": MAX_ATTACHED_POLICIES["group"],
        "AttachedPoliciesPerRoleQuota": MAX_ATTACHED_POLICIES["role"],
        "MFADevices": counts.mfa_devices, "MFADevicesInUse": counts.mfa_devices_in_use,
        "AccountMFAEnabled": int(counts.root_mfa), "AccountAccessKeysPresent": int(counts.root_access_keys),
        "AccountPasswordPresent": int(counts.root_password), "AccountSigningCertificatesPresent": 0,
        "SigningCertificatesPerUserQuota": 2, "ServerCertificates": counts.server_certificates, "ServerCertificatesQuota": 20,
        "InstanceProfiles": counts.instance_profiles, "InstanceProfilesQuota": 1000, "Providers": 0,
        "GlobalEndpointTokenVersion": counts.global_endpoint_token_version,
    }


@dataclass(frozen=True)
class KeyUse:
    """One access key as the report shows it."""

    active: bool
    created_at: str
    last_used_at: str = ""
    last_used_region: str = ""
    last_used_service: str = ""


@dataclass(frozen=True)
class ReportRow:
    name: str  # "<root_account>" for the account's root
    arn: str
    created_at: str
    mfa_active: bool
    keys: Sequence[KeyUse] = field(default_factory=tuple)  # oldest first
    root: bool = False
    password_last_changed: str = ""  # a user with a console password (login profile): when it was set
    password_next_rotation: str = ""  # when the password policy makes that password expire ("": it does not)
    certificates: Sequence[tuple[bool, str]] = field(default_factory=tuple)  # signing certificates: (active, uploaded)


def credential_report(rows: Iterable[ReportRow]) -> bytes:
    """The report's CSV: AWS's 22 columns, one row per user (the root's first, as AWS puts it).
    The root user's console password and signing certificates are not iamd's: those columns say so."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    for row in rows:
        # iamd has no console sign-in: a password is never used ("no_information"), and has no
        # rotation date unless the password policy makes it expire (N/A).
        password = ("not_supported", _NOT_APPLICABLE, "not_supported", "not_supported") if row.root else (
            "true", "no_information", row.password_last_changed, row.password_next_rotation or _NOT_APPLICABLE
        ) if row.password_last_changed else (
            "false", _NOT_APPLICABLE, _NOT_APPLICABLE, _NOT_APPLICABLE)
        keys: list[str] = []
        for i in range(2):
            key = row.keys[i] if i < len(row.keys) else None
            if key is None:
                keys += ["false", _NOT_APPLICABLE, _NOT_APPLICABLE, _NOT_APPLICABLE, _NOT_APPLICABLE]
            else:
                keys += [_bool(key.active), key.created_at, key.last_used_at or _NOT_APPLICABLE,
                         key.last_used_region or _NOT_APPLICABLE, key.last_used_service or _NOT_APPLICABLE]
        certificates: list[str] = []
        for i in range(2):  # a user's signing certificates, oldest first: active, and uploaded when
            active, uploaded = row.certificates[i] if i < len(row.certificates) else (False, _NOT_APPLICABLE)
            certificates += [_bool(active), uploaded]
        writer.writerow([row.name, row.arn, row.created_at, password[0], password[1], password[2], password[3],
                         _bool(row.mfa_active), *keys, *certificates])
    return out.getvalue().encode()


def password_next_rotation(password_last_changed: str, policy: Mapping[str, Any] | None) -> str:
    """When a password set at `password_last_changed` must be changed: AWS's credential report
    shows it "when the account has a password policy that requires password rotation"
    (MaxPasswordAge days after it was set); "" when the policy (or its absence) never expires it."""
    max_age = (policy or {}).get("MaxPasswordAge")
    if not password_last_changed or not max_age:
        return ""
    changed = datetime.fromisoformat(password_last_changed.replace("Z", "+00:00"))
    return (changed + timedelta(days=int(max_age))).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_report(generated_at: datetime | None, now: datetime) -> None:
    """GetCredentialReport's refusals: none generated yet, or one older than REPORT_LIFETIME."""
    if generated_at is None:
        raise ReportNotPresentError("Credential report not present. Call GenerateCredentialReport first.")
    if now - generated_at > REPORT_LIFETIME:
        raise ReportExpiredError("The credential report has expired. Call GenerateCredentialReport for a new one.")


def _bool(value: bool) -> str:
    return "true" if value else "false"
