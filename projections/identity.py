"""The identity read model: every account's users, groups, roles and managed policies in memory.

It is folded from the log's identity events (apply one event at a time, in position order) and
serves every IAM query and Authorize. Views are plain dicts and lists so that a snapshot is a
single JSON document and so that applying an event costs a few dictionary operations: a rebuild
from the log must run at hundreds of thousands of events per second.

Compiled policy sets (what the engine evaluates for a principal) are derived data: built on first
use, kept until an event touches one of their inputs, never stored in snapshots.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from iamd.service.domain import organizations
from iamd.service.domain.events import EVENT_TYPES as IAMD_EVENT_TYPES
from iamd.service.domain.events import decode_event
from iamd.service.domain.names import casefold, is_aws_managed_policy
from iamd.service.domain.organizations import OrganizationState
from iamd.service.domain import outbound_federation, root_access
from iamd.service.domain.outbound_federation import OutboundFederationState, SigningKey
from iamd.service.domain.root_access import RootAccessState
from iamd.service.eventstore.port import EventFilter, RecordedEvent

# The streams this projection reads (see iamd.service.domain.names.stream_name).
IDENTITY_STREAMS = EventFilter(stream_prefixes=("account-", "user-", "group-", "role-", "policy-", "session-", "mfa-", "resource-",
                                                  "org-", "oidc-", "instanceprofile-", "samlprovider-",
                                                  "servercertificate-"))



class ForeignEventError(ValueError):
    """An event in one of iamd's streams that iamd did not write: an unknown type, or a stream
    not named `{kind}-{12-digit account}-{key}`. Another application on a shared KurrentDB
    cluster using iamd's stream prefixes (or a newer iamd's event): folding around it could
    decide on identity nobody granted, or miss what was, so the projection stops instead."""

    def __init__(self, event: Any, why: str) -> None:
        super().__init__(
            f"event {event.type!r} at position {event.position} in stream `{event.stream}` is not iamd's "
            f"({why}): iamd's streams (account-, user-, group-, role-, policy-, session-, mfa-, "
            "resource-, org-, oidc-, instanceprofile-, samlprovider-, servercertificate-) must hold only iamd's events; give other applications on a shared "
            "cluster other stream names, or upgrade this iamd if a newer one wrote it")
        self.position = event.position


SNAPSHOT_FORMAT = 12  # 2: access keys; 3: sessions; 4: MFA devices; 5: resources; 6: organizations;
#                      7: references by unique id (a session of a deleted role or user is gone);
#                      8: password policies, account aliases, OIDC providers;
#                      9: instance profiles, users' login profiles;
#                      10: service-linked roles and their deletion tasks;
#                      11: SAML providers; 12: sessions forgotten a day after they expire

# A session is forgotten a day after it expires: memory and snapshots hold the sessions that can still
# be used (and a day of ExpiredToken answers for those that just ended; after that, InvalidClientTokenId),
# not every session ever issued. Decided on the events' own times, at most once per hour of them, so
# that a replay and a start from a snapshot forget the same sessions at the same event.
FORGET_SESSIONS_AFTER = timedelta(days=1)
_EVENT_TIME = "%Y-%m-%dT%H:%M:%SZ"

View = dict[str, Any]


@dataclass
class AccountView:
    """One account's entities, keyed by casefolded name (policies also by ARN)."""

    account_id: str
    created_at: str = ""
    users: dict[str, View] = None  # type: ignore[assignment]
    groups: dict[str, View] = None  # type: ignore[assignment]
    roles: dict[str, View] = None  # type: ignore[assignment]
    policies: dict[str, View] = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.users = self.users if self.users is not None else {}
        self.groups = self.groups if self.groups is not None else {}
        self.roles = self.roles if self.roles is not None else {}
        self.policies = self.policies if self.policies is not None else {}
        self.group_names_by_id: dict[str, str] = {g["id"]: k for k, g in self.groups.items()}
        self.policy_names_by_arn: dict[str, str] = {p["arn"]: k for k, p in self.policies.items()}
        self._by_kind = {"user": self.users, "group": self.groups, "role": self.roles, "policy": self.policies}
        # AWS managed policies held here (see aws_policy_usage): derived from the entities, so a
        # snapshot needs no field of its own.
        self.aws_policies: dict[str, View] = {}
        for kind in ("user", "group", "role"):
            for key, entity in self._by_kind[kind].items():
                for arn in entity.get("attached", ()):
                    if is_aws_managed_policy(arn):
                        self.aws_policy_usage(arn)["attached_to"][f"{kind}/{key}"] = True
                if is_aws_managed_policy(entity.get("boundary", "")):
                    self.aws_policy_usage(entity["boundary"])["boundary_of"][f"{kind}/{key}"] = True

    def by_kind(self, kind: str) -> dict[str, View]:
        return self._by_kind[kind]

    def policy(self, arn: str) -> View | None:
        key = self.policy_names_by_arn.get(arn)
        return self.policies.get(key) if key is not None else None

    def policy_usage(self, arn: str) -> View | None:
        """Where a managed policy's `attached_to` and `boundary_of` are kept: its view, or for an
        AWS managed policy its usage here (see aws_policy_usage); None for no policy."""
        if is_aws_managed_policy(arn):
            return self.aws_policy_usage(arn)
        return self.policy(arn) if arn else None

    def aws_policy_usage(self, arn: str) -> View:
        """Who in this account holds an AWS managed policy: `attached_to` and `boundary_of`, as a
        customer policy's view has them (the policy itself is AWS's, not in the log)."""
        usage = self.aws_policies.get(arn)
        if usage is None:
            usage = self.aws_policies[arn] = {"attached_to": {}, "boundary_of": {}}
        return usage

    def to_json(self) -> dict[str, Any]:
        return {"account_id": self.account_id, "created_at": self.created_at, "users": self.users,
                "groups": self.groups, "roles": self.roles, "policies": self.policies}


class IdentityProjection:
    """Folds identity events into AccountViews; notifies listeners of what changed."""

    def __init__(self) -> None:
        self.accounts: dict[str, AccountView] = {}
        # Every access key of every user and root user, by key id: what authentication looks up.
        # Secrets are held only as the ciphertext the events carry.
        self.access_keys: dict[str, View] = {}
        # Temporary credentials by their ASIA... key id (the token only as a hash).
        self.sessions: dict[str, View] = {}
        self.session_keys_by_token: dict[str, str] = {}  # SHA-256 of a session token -> its key id
        # The unique id (AROA..., AIDA...) a session stands for -> its key ids: a session dies with
        # the role or user of that id, and never comes back with another entity of the same name.
        self.sessions_by_principal: dict[str, set[str]] = {}
        self.sessions_forgotten_hour = ""  # the hour (YYYY-MM-DDTHH) of the last forgetting, by issue times
        # Virtual MFA devices by serial number (their ARN); seeds only as ciphertext.
        self.mfa_devices: dict[str, View] = {}
        # "ACCOUNT/casefolded name" -> serial number: a device's stream is its name, and calls find
        # it by name (the path of the serial number they pass is not compared).
        self.mfa_serials: dict[str, str] = {}
        # Other services' resources by ARN: their resource-based policy and tags.
        self.resources: dict[str, View] = {}
        self.password_policies: dict[str, View] = {}  # account id -> AWS's PasswordPolicy members
        # IAM's centralized root access, by management account: the organization and its features.
        self.root_access: dict[str, RootAccessState] = {}
        self.sts_preferences: dict[str, str] = {}  # account id -> its GlobalEndpointTokenVersion, once set
        # Outbound identity federation, by account (once first enabled), and its issuers' ids -> account
        # (what the HTTP endpoint serves discovery documents and keys for); private keys only sealed.
        self.outbound_federation: dict[str, OutboundFederationState] = {}
        self.outbound_issuers: dict[str, str] = {}
        # account id -> its root user's login profile (created_at, password_reset_required, has_password; no hash)
        self.root_login_profiles: dict[str, View] = {}
        self.account_aliases: dict[str, str] = {}  # account id -> its alias
        self.oidc_providers: dict[str, View] = {}  # provider ARN -> the provider
        self.saml_providers: dict[str, View] = {}  # SAML provider ARN -> the provider
        # Instance profiles by "ACCOUNT/casefolded name"; a profile's roles by the roles' unique ids.
        self.instance_profiles: dict[str, View] = {}
        # Server certificates by "ACCOUNT/casefolded name" (the private key only sealed, never answered).
        self.server_certificates: dict[str, View] = {}
        # DeleteServiceLinkedRole's tasks by "ACCOUNT/task id": status, reason, role_usage.
        self.deletion_tasks: dict[str, View] = {}
        # Organizations, by management account: their events (rare), and the state folded from them.
        self.organization_events: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self.organizations: dict[str, OrganizationState] = {}
        self.organization_of_account: dict[str, str] = {}  # member or management account -> management
        # Every account an organization ever closed (CloseAccount): closed for good, whatever
        # happens to the organization later (deleted once the account's post-closure period is over).
        self.closed_accounts: set[str] = set()
        self.position = 0
        self.events_applied = 0
        # Called with (account_id, kind, casefolded name) after an event changed that entity, so
        # that derived data (compiled policy sets) can be dropped.
        self.on_change: list[Callable[[str, str, str], None]] = []
        self._handlers: dict[str, Callable[[AccountView, str, str, dict[str, Any]], None]] = {
            "AccountCreated": self._account_created,
            "UserCreated": self._user_created,
            "GroupCreated": self._group_created,
            "RoleCreated": self._role_created,
            "PolicyCreated": self._policy_created,
            "PolicyVersionCreated": self._policy_version_created,
            "PolicyDefaultVersionSet": self._policy_default_set,
            "PolicyVersionDeleted": self._policy_version_deleted,
            "UserAddedToGroup": self._user_added_to_group,
            "UserRemovedFromGroup": self._user_removed_from_group,
            "RoleUpdated": self._role_updated,
            "RoleTrustPolicyUpdated": self._role_trust_updated,
            "SessionIssued": self._session_issued,
            "SessionSecretReencrypted": self._session_reencrypted,
            "VirtualMFADeviceCreated": self._mfa_created,
            "VirtualMFADeviceSeedReencrypted": self._mfa_reencrypted,
            "MFADeviceTagged": self._mfa_tagged,
            "MFADeviceEnabled": self._mfa_enabled,
            "MFADeviceUsed": self._mfa_used,
            "MFADeviceResynchronized": self._mfa_resynchronized,
            "MFADeviceDeactivated": self._mfa_deactivated,
            "VirtualMFADeviceDeleted": self._mfa_deleted,
            "ResourcePolicyPut": self._resource_policy_put,
            "ResourcePolicyDeleted": self._resource_policy_deleted,
            "ResourceTagged": self._resource_tagged,
            "AccountPasswordPolicyUpdated": self._password_policy_updated,
            "AccountPasswordPolicyDeleted": self._password_policy_deleted,
            "OrganizationsRootFeatureEnabled": self._root_feature_enabled,
            "OrganizationsRootFeatureDisabled": self._root_feature_disabled,
            "SecurityTokenServicePreferencesSet": self._sts_preferences_set,
            **{name: self._outbound_federation_handler(name) for name in (
                "OutboundWebIdentityFederationEnabled", "OutboundWebIdentityFederationDisabled",
                "OutboundWebIdentitySigningKeyCreated", "OutboundWebIdentitySigningKeyReencrypted")},
            "RootLoginProfileCreated": self._root_login_profile_created,
            "RootLoginProfileDeleted": self._root_login_profile_deleted,
            "AccountAliasCreated": self._alias_created,
            "AccountAliasDeleted": self._alias_deleted,
            "OpenIDConnectProviderCreated": self._oidc_created,
            "OpenIDConnectProviderClientIDsSet": self._oidc_changed,
            "OpenIDConnectProviderThumbprintsSet": self._oidc_changed,
            "OpenIDConnectProviderTagged": self._oidc_changed,
            "OpenIDConnectProviderDeleted": self._oidc_deleted,
            "SAMLProviderCreated": self._saml_created,
            "SAMLProviderUpdated": self._saml_changed,
            "SAMLProviderTagged": self._saml_changed,
            "SAMLProviderAssertionEncryptionModeSet": self._saml_encryption_mode_set,
            "SAMLProviderPrivateKeyAdded": self._saml_private_key_added,
            "SAMLProviderPrivateKeyRemoved": self._saml_private_key_removed,
            "SAMLProviderPrivateKeyReencrypted": self._saml_private_key_reencrypted,
            "SAMLProviderDeleted": self._saml_deleted,
            "InstanceProfileCreated": self._instance_profile_created,
            "InstanceProfileRoleAdded": self._instance_profile_role_added,
            "InstanceProfileRoleRemoved": self._instance_profile_role_removed,
            "InstanceProfileTagged": self._instance_profile_tagged,
            "InstanceProfileDeleted": self._instance_profile_deleted,
            "ServerCertificateUploaded": self._server_certificate_uploaded,
            "ServerCertificatePathUpdated": self._server_certificate_path_updated,
            "ServerCertificateRenamed": self._server_certificate_renamed,
            "ServerCertificateTagged": self._server_certificate_tagged,
            "ServerCertificatePrivateKeyReencrypted": self._server_certificate_reencrypted,
            "ServerCertificateDeleted": self._server_certificate_deleted,
            "LoginProfileCreated": self._login_profile_created,
            "LoginProfileUpdated": self._login_profile_updated,
            "LoginProfileDeleted": self._login_profile_deleted,
            "SSHPublicKeyUploaded": self._ssh_public_key_uploaded,
            "SSHPublicKeyStatusSet": self._ssh_public_key_status_set,
            "SSHPublicKeyDeleted": self._ssh_public_key_deleted,
            "SigningCertificateUploaded": self._signing_certificate_uploaded,
            "SigningCertificateStatusSet": self._signing_certificate_status_set,
            "SigningCertificateDeleted": self._signing_certificate_deleted,
            "ServiceSpecificCredentialCreated": self._service_specific_credential_created,
            "ServiceSpecificCredentialPasswordReset": self._service_specific_credential_reset,
            "ServiceSpecificCredentialStatusSet": self._service_specific_credential_status_set,
            "ServiceSpecificCredentialDeleted": self._service_specific_credential_deleted,
            "ServiceLinkedRoleDeletionTaskRecorded": self._deletion_task_recorded,
        }

        for prefix in ("User", "Account"):
            self._handlers[prefix + "AccessKeyCreated"] = self._access_key_created
            self._handlers[prefix + "AccessKeyStatusUpdated"] = self._access_key_status_updated
            self._handlers[prefix + "AccessKeyDeleted"] = self._access_key_deleted
            self._handlers[prefix + "AccessKeyUsed"] = self._access_key_used
            self._handlers[prefix + "AccessKeySecretReencrypted"] = self._access_key_reencrypted
        for prefix in ("User", "Group", "Role", "Policy"):
            shared = {
                "PolicyAttached": self._policy_attached,
                "PolicyDetached": self._policy_detached,
                "InlinePolicyPut": self._inline_put,
                "InlinePolicyDeleted": self._inline_deleted,
                "PermissionsBoundarySet": self._boundary_set,
                "PermissionsBoundaryDeleted": self._boundary_deleted,
                "Tagged": self._tagged,
                "Untagged": self._untagged,
                "PathUpdated": self._path_updated,
                "Renamed": self._renamed,
                "NameClaimed": _ignore,  # takes effect through the old stream's Renamed
                "NameReleased": _ignore,
                "Deleted": self._deleted,
            }
            for fact, handler in shared.items():
                self._handlers[prefix + fact] = handler

    # --- applying events ------------------------------------------------------------------------
    def apply(self, event: RecordedEvent) -> None:
        """Apply one event; events at or before the current position are skipped (idempotent)."""
        if event.position <= self.position:
            return
        handler = self._handlers.get(event.type)
        if event.type in organizations.EVENT_TYPES:  # folded by the domain: the tree rules live there
            self._apply_organization(event.stream.split("-", 2)[1], event.type, event.data)  # type: ignore[arg-type]
            handler = None
        elif handler is None and event.type not in _IAMD_TYPES_NOT_FOLDED:
            raise ForeignEventError(event, "a type iamd does not write")
        if handler is not None:
            try:
                kind, account_id, key = event.stream.split("-", 2)
            except ValueError:
                raise ForeignEventError(event, "a stream name iamd does not use") from None
            if len(account_id) != 12 or not account_id.isdigit():
                raise ForeignEventError(event, "a stream name iamd does not use")
            account = self.accounts.get(account_id)
            if account is None:
                account = self.accounts[account_id] = AccountView(account_id)
            handler(account, kind, key, event.data)  # type: ignore[arg-type]
            if self.on_change:
                for listener in self.on_change:
                    listener(account_id, kind, key)
        self.position = event.position
        self.events_applied += 1

    def _account_created(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        account.created_at = d["created_at"]

    def _user_created(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        boundary = self._boundary_value(account, d.get("permissions_boundary", ""), d.get("permissions_boundary_id", ""))
        account.users[key] = {
            "name": d["name"], "id": d["id"], "arn": d["arn"], "path": d["path"],
            "created_at": d["created_at"], "attached": [], "inline": {},
            "boundary": boundary, "tags": dict(d.get("tags", {})), "groups": {},
            "access_keys": {},
        }
        self._count_boundary(account, boundary, +1, f"user/{key}")

    def _access_key_created(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        key_id = d["access_key_id"]
        if kind == "user":
            account.users[key]["access_keys"][key_id] = d["status"]
        self.access_keys[key_id] = {
            "account_id": account.account_id, "kind": kind, "key": key, "ciphertext": d["secret_ciphertext"],
            "status": d["status"], "created_at": d["created_at"], "last_used": None,
        }

    def _access_key_status_updated(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        key_id = d["access_key_id"]
        if kind == "user":
            account.users[key]["access_keys"][key_id] = d["status"]
        self.access_keys[key_id]["status"] = d["status"]

    def _access_key_deleted(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        key_id = d["access_key_id"]
        if kind == "user":
            account.users[key]["access_keys"].pop(key_id, None)
        self.access_keys.pop(key_id, None)

    def _access_key_used(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        entry = self.access_keys.get(d["access_key_id"])
        if entry is not None:
            entry["last_used"] = {"used_at": d["used_at"], "service_name": d["service_name"],
                                  "region": d["region"]}

    def _access_key_reencrypted(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        entry = self.access_keys.get(d["access_key_id"])
        if entry is not None:
            entry["ciphertext"] = d["secret_ciphertext"]

    def _session_reencrypted(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        session = self.sessions.get(d["access_key_id"])
        if session is not None:
            session["secret_ciphertext"] = d["secret_ciphertext"]

    def _session_issued(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        owner = session_owner_id(d)
        if not self._alive(account, d, owner):
            return  # issued while its role (or user) was being deleted: dead from the start
        self.sessions[d["access_key_id"]] = {**d, "account_id": account.account_id}
        self.session_keys_by_token[d["token_sha256"]] = d["access_key_id"]
        if owner:
            self.sessions_by_principal.setdefault(owner, set()).add(d["access_key_id"])
        hour = d["issued_at"][:13]
        if hour > self.sessions_forgotten_hour:
            self.sessions_forgotten_hour = hour
            self._forget_sessions_expired_before(d["issued_at"])

    def _forget_sessions_expired_before(self, issued_at: str) -> None:
        try:
            cutoff = (datetime.strptime(issued_at, _EVENT_TIME) - FORGET_SESSIONS_AFTER).strftime(_EVENT_TIME)
        except ValueError:
            return  # not iamd's event time form: nothing is forgotten on it
        for key_id in [k for k, session in self.sessions.items() if session["expires_at"] < cutoff]:
            session = self.sessions.pop(key_id)
            self.session_keys_by_token.pop(session["token_sha256"], None)
            owner = session_owner_id(session)
            keys = self.sessions_by_principal.get(owner)
            if keys is not None:
                keys.discard(key_id)
                if not keys:
                    del self.sessions_by_principal[owner]

    @staticmethod
    def _alive(account: AccountView, d: dict[str, Any], owner: str) -> bool:
        """Whether the role or user a new session stands for still exists, by its unique id."""
        if d["kind"] == "assumed-role":
            role = account.roles.get(casefold(d["role_arn"].rsplit("/", 1)[-1]))
            return role is not None and role["id"] == owner
        arn = d["principal_arn"] if d["kind"] == "user" else d["issued_to"]
        if not owner or owner == account.account_id or arn.endswith(":root"):
            return True  # root (the account), or an older event without the proxy's id
        user = account.users.get(casefold(arn.rsplit("/", 1)[-1]))
        return user is not None and user["id"] == owner

    def _end_sessions_of(self, principal_id: str) -> None:
        for key_id in self.sessions_by_principal.pop(principal_id, ()):
            session = self.sessions.pop(key_id, None)
            if session is not None:
                self.session_keys_by_token.pop(session["token_sha256"], None)

    def _mfa_device(self, account: AccountView, key: str) -> View | None:
        serial = self.mfa_serials.get(f"{account.account_id}/{key}")
        return self.mfa_devices.get(serial) if serial is not None else None

    def _mfa_created(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        self.mfa_serials[f"{account.account_id}/{key}"] = d["serial_number"]
        self.mfa_devices[d["serial_number"]] = {
            "account_id": account.account_id, "key": key, "name": d["name"], "path": d["path"],
            "serial_number": d["serial_number"], "seed_ciphertext": d["seed_ciphertext"],
            "created_at": d["created_at"], "user_name": "", "user_id": "", "enabled_at": "", "last_used_at": "",
            "tags": dict(d.get("tags", {})),
        }

    def _mfa_reencrypted(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        device = self.mfa_devices.get(d["serial_number"])
        if device is not None:
            device["seed_ciphertext"] = d["seed_ciphertext"]

    def _mfa_tagged(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        device = self._mfa_device(account, key)
        if device is not None:
            device["tags"] = dict(d["tags"])

    def _mfa_enabled(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        device = self._mfa_device(account, key)
        if device is not None:
            device.update(user_name=d["user_name"], user_id=d["user_id"], enabled_at=d["enabled_at"])

    def _mfa_used(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        device = self._mfa_device(account, key)
        if device is not None:
            device["last_used_at"] = d["used_at"]

    def _mfa_resynchronized(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        """Nothing the views show: the drift and the spent step live in the device's stream."""

    def _mfa_deactivated(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        device = self._mfa_device(account, key)
        if device is not None:
            device.update(user_name="", user_id="", enabled_at="")

    def _mfa_deleted(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        device = self._mfa_device(account, key)
        if device is not None:
            del self.mfa_devices[device["serial_number"]]
            del self.mfa_serials[f"{account.account_id}/{key}"]

    def _apply_organization(self, management: str, event_type: str, data: dict[str, Any]) -> None:
        self.organization_events.setdefault(management, []).append((event_type, dict(data)))
        # One event folded onto the state so far (refolding the whole stream each time made an
        # organization's n events cost O(n^2) to apply).
        state = organizations.fold([decode_event(event_type, dict(data))], self.organizations.get(management))
        self.organizations[management] = state
        if event_type == "AccountClosed":
            self.closed_accounts.add(data["account_id"])
        if not state.exists:  # deleted: none of its accounts is in it (a closed one past its post-closure period)
            for account_id in [a for a, m in self.organization_of_account.items() if m == management]:
                del self.organization_of_account[account_id]
            return
        for account_id in (data.get("account_id"), data.get("management_account_id")):
            if account_id in state.accounts:
                self.organization_of_account[account_id] = management
            elif account_id and self.organization_of_account.get(account_id) == management:
                del self.organization_of_account[account_id]  # removed: standalone from now on

    def _refold_organization(self, management: str) -> None:
        state = organizations.fold(decode_event(t, d) for t, d in self.organization_events[management])
        self.organizations[management] = state
        for account_id in state.accounts:
            self.organization_of_account[account_id] = management

    def _resource(self, account: AccountView, arn: str) -> View:
        """The registered resource, its first registrant's: another account's write to the same ARN
        (a race the use case cannot see, two first registrations at once) goes to a view nobody reads."""
        view = self.resources.setdefault(arn, {"account_id": account.account_id, "policy": "", "tags": {}})
        return view if view["account_id"] == account.account_id else {}

    def _resource_policy_put(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        self._resource(account, d["resource_arn"])["policy"] = d["document"]

    def _resource_policy_deleted(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        self._resource(account, d["resource_arn"])["policy"] = ""

    def _resource_tagged(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        self._resource(account, d["resource_arn"])["tags"] = dict(d["tags"])

    def _password_policy_updated(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        self.password_policies[account.account_id] = dict(d["policy"])

    def _password_policy_deleted(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        self.password_policies.pop(account.account_id, None)

    def _root_login_profile_created(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        self.root_login_profiles[account.account_id] = {
            "created_at": d["created_at"], "password_reset_required": d["password_reset_required"],
            "has_password": bool(d["password_hash"])}

    def _root_login_profile_deleted(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        self.root_login_profiles.pop(account.account_id, None)

    def _sts_preferences_set(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        self.sts_preferences[account.account_id] = d["global_endpoint_token_version"]

    def _outbound_federation_handler(self, type_name: str) -> Callable[[AccountView, str, str, dict[str, Any]], None]:
        """Folds one of the feature's events with the domain's rules (they are rare)."""
        def apply(account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
            state = outbound_federation.fold([decode_event(type_name, dict(d))],
                                             self.outbound_federation.get(account.account_id))
            self.outbound_federation[account.account_id] = state
            if state.issuer_id:
                self.outbound_issuers[state.issuer_id] = account.account_id
        return apply

    def _root_feature_enabled(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        self.root_access[account.account_id] = root_access.fold(
            [decode_event("OrganizationsRootFeatureEnabled", dict(d))], self.root_access.get(account.account_id))

    def _root_feature_disabled(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        self.root_access[account.account_id] = root_access.fold(
            [decode_event("OrganizationsRootFeatureDisabled", dict(d))], self.root_access.get(account.account_id))

    def _alias_created(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        self.account_aliases[account.account_id] = d["alias"]

    def _alias_deleted(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        if self.account_aliases.get(account.account_id) == d["alias"]:
            del self.account_aliases[account.account_id]

    def _oidc_created(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        self.oidc_providers[d["arn"]] = {
            "account_id": account.account_id, "arn": d["arn"], "url": d["url"], "client_ids": list(d["client_ids"]),
            "thumbprints": list(d["thumbprints"]), "tags": dict(d.get("tags", {})), "created_at": d["created_at"]}

    def _oidc_changed(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        provider = self.oidc_providers.get(d["arn"])
        if provider is not None:
            for name in ("client_ids", "thumbprints", "tags"):
                if name in d:
                    provider[name] = d[name]

    def _oidc_deleted(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        self.oidc_providers.pop(d["arn"], None)

    def _saml_created(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        self.saml_providers[d["arn"]] = {
            "account_id": account.account_id, "arn": d["arn"], "name": d["name"], "uuid": d["uuid"],
            "metadata_document": d["metadata_document"], "entity_id": d["entity_id"],
            "certificates": list(d["certificates"]), "valid_until": d["valid_until"], "created_at": d["created_at"],
            "tags": dict(d.get("tags", {})), "assertion_encryption_mode": "",
            # Decryption keys, oldest first: KeyId, when added, and the key sealed under the KEK (for
            # AssumeRoleWithSAML and key rotation; no answer carries it).
            "private_keys": []}

    def _saml_encryption_mode_set(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        provider = self.saml_providers.get(d["arn"])
        if provider is not None:
            provider["assertion_encryption_mode"] = d["mode"]

    def _saml_private_key_added(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        provider = self.saml_providers.get(d["arn"])
        if provider is not None:
            provider["private_keys"] = [*provider.get("private_keys", []), {
                "key_id": d["private_key_id"], "timestamp": d["added_at"],
                "private_key_ciphertext": d["private_key_ciphertext"]}]

    def _saml_private_key_removed(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        provider = self.saml_providers.get(d["arn"])
        if provider is not None:
            provider["private_keys"] = [k for k in provider.get("private_keys", [])
                                        if k["key_id"] != d["private_key_id"]]

    def _saml_private_key_reencrypted(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        provider = self.saml_providers.get(d["arn"])
        if provider is not None:
            provider["private_keys"] = [{**k, "private_key_ciphertext": d["private_key_ciphertext"]}
                                        if k["key_id"] == d["private_key_id"] else k
                                        for k in provider.get("private_keys", [])]

    def _saml_changed(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        provider = self.saml_providers.get(d["arn"])
        if provider is not None:
            for name in ("metadata_document", "entity_id", "certificates", "valid_until", "tags"):
                if name in d:
                    provider[name] = d[name]

    def _saml_deleted(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        self.saml_providers.pop(d["arn"], None)

    def _instance_profile_created(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        self.instance_profiles[f"{account.account_id}/{key}"] = {
            "account_id": account.account_id, "name": d["name"], "id": d["id"], "arn": d["arn"], "path": d["path"],
            "created_at": d["created_at"], "roles": [], "tags": dict(d.get("tags", {}))}

    def _instance_profile_role_added(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        profile = self.instance_profiles.get(f"{account.account_id}/{key}")
        if profile is not None:
            profile["roles"].append({"id": d["role_id"], "key": casefold(d["role_name"]), "name": d["role_name"]})

    def _instance_profile_role_removed(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        profile = self.instance_profiles.get(f"{account.account_id}/{key}")
        if profile is not None:
            profile["roles"] = [r for r in profile["roles"] if r["id"] != d["role_id"]]

    def _instance_profile_tagged(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        profile = self.instance_profiles.get(f"{account.account_id}/{key}")
        if profile is not None:
            profile["tags"] = dict(d["tags"])

    def _server_certificate_uploaded(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        if d.get("renamed_from"):  # the new name of a rename: the old name is gone with it
            old = self.server_certificates.get(f"{account.account_id}/{casefold(d['renamed_from'])}")
            if old is not None and old["id"] == d["id"]:
                del self.server_certificates[f"{account.account_id}/{casefold(d['renamed_from'])}"]
        self.server_certificates[f"{account.account_id}/{key}"] = {
            "account_id": account.account_id, "name": d["name"], "id": d["id"], "arn": d["arn"], "path": d["path"],
            "certificate_body": d["certificate_body"], "certificate_chain": d["certificate_chain"],
            "private_key_ciphertext": d["private_key_ciphertext"],  # sealed; kept for key rotation only
            "uploaded_at": d["uploaded_at"], "expiration": d["expiration"], "tags": dict(d.get("tags", {}))}

    def _server_certificate_path_updated(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        found = self.server_certificates.get(f"{account.account_id}/{key}")
        if found is not None:
            found["path"], found["arn"] = d["path"], d["arn"]

    def _server_certificate_renamed(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        moved = self.server_certificates.get(f"{account.account_id}/{key}")
        new = self.server_certificates.get(f"{account.account_id}/{d['new_stream'].split('-', 2)[2]}")
        if moved is not None and (new is None or new["id"] == moved["id"]) and moved is not new:
            del self.server_certificates[f"{account.account_id}/{key}"]

    def _server_certificate_tagged(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        found = self.server_certificates.get(f"{account.account_id}/{key}")
        if found is not None:
            found["tags"] = dict(d["tags"])

    def _server_certificate_reencrypted(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        found = self.server_certificates.get(f"{account.account_id}/{key}")
        if found is not None:
            found["private_key_ciphertext"] = d["private_key_ciphertext"]

    def _server_certificate_deleted(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        self.server_certificates.pop(f"{account.account_id}/{key}", None)

    def _instance_profile_deleted(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        self.instance_profiles.pop(f"{account.account_id}/{key}", None)

    def _deletion_task_recorded(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        self.deletion_tasks[f"{account.account_id}/{d['task_id']}"] = {
            "status": d["status"], "reason": d.get("reason", ""), "role_usage": list(d.get("role_usage", []))}

    # A user's console password: when it was set and whether it must be changed; never its hash.
    def _login_profile_created(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        account.users[key]["login_profile"] = {"created_at": d["created_at"],
                                               "password_reset_required": d["password_reset_required"],
                                               "password_last_changed": d["created_at"]}

    def _login_profile_updated(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        profile = account.users[key].get("login_profile")
        if profile is not None:
            profile["password_reset_required"] = d["password_reset_required"]
            if d["password_hash"]:
                profile["password_last_changed"] = d["updated_at"]

    def _login_profile_deleted(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        account.users[key].pop("login_profile", None)

    # A user's SSH public keys by APKA... id (a user view without the key has none: older snapshots).
    def _ssh_public_key_uploaded(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        account.users[key].setdefault("ssh_public_keys", {})[d["ssh_public_key_id"]] = {
            "id": d["ssh_public_key_id"], "body": d["body"], "fingerprint": d["fingerprint"], "status": "Active",
            "uploaded_at": d["uploaded_at"]}

    def _ssh_public_key_status_set(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        found = account.users[key].get("ssh_public_keys", {}).get(d["ssh_public_key_id"])
        if found is not None:
            found["status"] = d["status"]

    def _ssh_public_key_deleted(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        account.users[key].get("ssh_public_keys", {}).pop(d["ssh_public_key_id"], None)

    # A user's signing certificates by certificate id (none in a user view without the key).
    def _signing_certificate_uploaded(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        account.users[key].setdefault("signing_certificates", {})[d["certificate_id"]] = {
            "id": d["certificate_id"], "body": d["body"], "sha256": d["sha256"], "status": "Active",
            "uploaded_at": d["uploaded_at"]}

    def _signing_certificate_status_set(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        found = account.users[key].get("signing_certificates", {}).get(d["certificate_id"])
        if found is not None:
            found["status"] = d["status"]

    def _signing_certificate_deleted(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        account.users[key].get("signing_certificates", {}).pop(d["certificate_id"], None)

    # A user's service-specific credentials by ACCA... id: never the password's hash (a user view
    # without the key has none: older snapshots).
    def _service_specific_credential_created(self, account: AccountView, kind: str, key: str,
                                             d: dict[str, Any]) -> None:
        account.users[key].setdefault("service_specific_credentials", {})[d["service_specific_credential_id"]] = {
            "id": d["service_specific_credential_id"], "service_name": d["service_name"],
            "service_user_name": d["service_user_name"], "status": "Active", "created_at": d["created_at"]}

    def _service_specific_credential_reset(self, account: AccountView, kind: str, key: str,
                                           d: dict[str, Any]) -> None:
        pass  # only the password changed, and the projection holds none

    def _service_specific_credential_status_set(self, account: AccountView, kind: str, key: str,
                                                d: dict[str, Any]) -> None:
        found = account.users[key].get("service_specific_credentials", {}).get(d["service_specific_credential_id"])
        if found is not None:
            found["status"] = d["status"]

    def _service_specific_credential_deleted(self, account: AccountView, kind: str, key: str,
                                             d: dict[str, Any]) -> None:
        account.users[key].get("service_specific_credentials", {}).pop(d["service_specific_credential_id"], None)

    def _group_created(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        account.groups[key] = {
            "name": d["name"], "id": d["id"], "arn": d["arn"], "path": d["path"],
            "created_at": d["created_at"], "attached": [], "inline": {}, "members": {},
        }
        account.group_names_by_id[d["id"]] = key

    def _role_created(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        account.roles[key] = {
            "name": d["name"], "id": d["id"], "arn": d["arn"], "path": d["path"],
            "created_at": d["created_at"], "attached": [], "inline": {},
            "boundary": self._boundary_value(account, d.get("permissions_boundary", ""),
                                             d.get("permissions_boundary_id", "")),
            "tags": dict(d.get("tags", {})),
            "trust_policy": d["trust_policy"], "description": d.get("description", ""),
            "max_session_duration": d.get("max_session_duration", 3600),
            "aws_service_name": d.get("aws_service_name", ""),  # a service-linked role's service
        }
        self._count_boundary(account, account.roles[key]["boundary"], +1, f"role/{key}")

    def _policy_created(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        account.policies[key] = {
            "name": d["name"], "id": d["id"], "arn": d["arn"], "path": d["path"],
            "description": d.get("description", ""), "created_at": d["created_at"],
            "updated_at": d["created_at"], "default_version_id": "v1",
            "versions": {"v1": {"document": d["document"], "created_at": d["created_at"]}},
            "tags": dict(d.get("tags", {})), "attached_to": {}, "boundary_of": {},
        }
        account.policy_names_by_arn[d["arn"]] = key

    def _policy_version_created(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        policy = account.policies[key]
        policy["versions"][d["version_id"]] = {"document": d["document"], "created_at": d["created_at"]}
        if d["set_as_default"]:
            policy["default_version_id"] = d["version_id"]
            policy["updated_at"] = d["created_at"]

    def _policy_default_set(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        policy = account.policies[key]
        policy["default_version_id"] = d["version_id"]
        policy["updated_at"] = d["updated_at"]

    def _policy_version_deleted(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        account.policies[key]["versions"].pop(d["version_id"], None)

    @staticmethod
    def _live_policy(account: AccountView, arn: str, policy_id: str) -> View | None:
        """The managed policy a reference names, if it is still the one referenced (by its id;
        references recorded before ids were, name the ARN alone)."""
        if is_aws_managed_policy(arn):
            return account.aws_policy_usage(arn)  # AWS's own: never deleted, referenced by ARN
        policy = account.policy(arn) if arn else None
        return policy if policy is not None and (not policy_id or policy["id"] == policy_id) else None

    def _boundary_value(self, account: AccountView, arn: str, policy_id: str) -> str:
        """A boundary's ARN, or, when its policy is gone (a log written before deletes were guarded),
        a value no policy has, so that the boundary allows nothing and never revives with a
        policy created later under that ARN."""
        if not arn or self._live_policy(account, arn, policy_id) is not None:
            return arn
        return f"{arn}{DELETED_MARK}{policy_id}"

    def _policy_attached(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        entity = account.by_kind(kind)[key]
        arn = d["policy_arn"]
        policy = self._live_policy(account, arn, d.get("policy_id", ""))
        if policy is None:  # attached to a policy deleted meanwhile (a log written before the guard)
            if arn not in entity.setdefault("dangling", []):
                entity["dangling"].append(arn)
            return
        if arn in entity.get("dangling", ()):
            entity["dangling"].remove(arn)
            if not entity["dangling"]:
                del entity["dangling"]
        if arn not in entity["attached"]:
            entity["attached"].append(arn)
        policy["attached_to"][f"{kind}/{key}"] = True

    def _policy_detached(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        entity = account.by_kind(kind)[key]
        arn = d["policy_arn"]
        if arn in entity.get("dangling", ()):
            entity["dangling"].remove(arn)
            if not entity["dangling"]:
                del entity["dangling"]
        if arn in entity["attached"]:
            entity["attached"].remove(arn)
        policy = account.policy_usage(arn)
        if policy is not None:
            policy["attached_to"].pop(f"{kind}/{key}", None)

    def _inline_put(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        account.by_kind(kind)[key]["inline"][d["policy_name"]] = d["document"]

    def _inline_deleted(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        account.by_kind(kind)[key]["inline"].pop(d["policy_name"], None)

    def _count_boundary(self, account: AccountView, arn: str, delta: int, who: str) -> None:
        policy = account.policy_usage(arn)
        if policy is not None:
            if delta > 0:
                policy["boundary_of"][who] = True
            else:
                policy["boundary_of"].pop(who, None)

    def _boundary_set(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        entity = account.by_kind(kind)[key]
        self._count_boundary(account, entity["boundary"], -1, f"{kind}/{key}")
        entity["boundary"] = self._boundary_value(account, d["policy_arn"], d.get("policy_id", ""))
        self._count_boundary(account, entity["boundary"], +1, f"{kind}/{key}")

    def _boundary_deleted(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        entity = account.by_kind(kind)[key]
        self._count_boundary(account, entity["boundary"], -1, f"{kind}/{key}")
        entity["boundary"] = ""

    def _tagged(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        account.by_kind(kind)[key]["tags"] = dict(d["tags"])

    def _untagged(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        tags = account.by_kind(kind)[key]["tags"]
        for k in d["tag_keys"]:
            tags.pop(k, None)

    def _path_updated(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        entity = account.by_kind(kind)[key]
        entity["path"], entity["arn"] = d["path"], d["arn"]

    def _renamed(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        views = account.by_kind(kind)
        entity = views.pop(key)
        new_key = d["new_stream"].split("-", 2)[2]
        entity["name"], entity["path"], entity["arn"] = d["new_name"], d["new_path"], d["new_arn"]
        views[new_key] = entity
        old_ref, new_ref = f"{kind}/{key}", f"{kind}/{new_key}"
        for arn in entity["attached"]:
            policy = account.policy_usage(arn)
            if policy is not None and policy["attached_to"].pop(old_ref, None):
                policy["attached_to"][new_ref] = True
        if kind == "user":
            for key_id in entity["access_keys"]:
                self.access_keys[key_id]["key"] = new_key
            if entity["boundary"]:
                self._count_boundary(account, entity["boundary"], -1, old_ref)
                self._count_boundary(account, entity["boundary"], +1, new_ref)
            for gid in entity["groups"]:
                group = account.groups.get(account.group_names_by_id.get(gid, ""))
                if group is not None and group["members"].pop(key, None):
                    group["members"][new_key] = True
            for device in self.mfa_devices.values():  # a device shows its user by name
                if device["user_id"] == entity["id"]:
                    device["user_name"] = d["new_name"]
        else:  # group: members keep the group id; refresh the name they show
            account.group_names_by_id[entity["id"]] = new_key
            for member in entity["members"]:
                account.users[member]["groups"][entity["id"]] = d["new_name"]
            self._notify_members(account, entity)

    def _deleted(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        entity = account.by_kind(kind).pop(key, None)
        if entity is None:
            return
        if kind == "policy":
            account.policy_names_by_arn.pop(entity["arn"], None)
            self._orphan_references(account, entity)
        elif kind == "group":
            account.group_names_by_id.pop(entity["id"], None)
        else:
            if entity.get("boundary"):
                self._count_boundary(account, entity["boundary"], -1, f"{kind}/{key}")
            self._end_sessions_of(entity["id"])

    def _orphan_references(self, account: AccountView, policy: View) -> None:
        """A policy deleted while still referenced: only in logs written before DeletePolicy was
        guarded (docs/invariants.md). Its holders keep nothing of it, and a policy created later
        under the same ARN is another policy: the references are kept aside as dangling (for
        CheckReplay to report), never resolved again."""
        arn = policy["arn"]
        for ref in list(policy["attached_to"]) + list(policy["boundary_of"]):
            holder_kind, holder_key = ref.split("/", 1)
            holder = account.by_kind(holder_kind).get(holder_key)
            if holder is None:
                continue
            if arn in holder["attached"]:
                holder["attached"].remove(arn)
                if arn not in holder.setdefault("dangling", []):
                    holder["dangling"].append(arn)
            if holder.get("boundary") == arn:
                holder["boundary"] = f"{arn}{DELETED_MARK}{policy['id']}"
            for listener in self.on_change:
                listener(account.account_id, holder_kind, holder_key)

    def _user_added_to_group(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        account.users[key]["groups"][d["group_id"]] = d["group_name"]
        group = account.groups.get(account.group_names_by_id.get(d["group_id"], ""))
        if group is not None:
            group["members"][key] = True

    def _user_removed_from_group(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        account.users[key]["groups"].pop(d["group_id"], None)
        group = account.groups.get(account.group_names_by_id.get(d["group_id"], ""))
        if group is not None:
            group["members"].pop(key, None)

    def _role_updated(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        role = account.roles[key]
        role["description"], role["max_session_duration"] = d["description"], d["max_session_duration"]

    def _role_trust_updated(self, account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
        account.roles[key]["trust_policy"] = d["document"]

    def _notify_members(self, account: AccountView, group: View) -> None:
        for member in group["members"]:
            for listener in self.on_change:
                listener(account.account_id, "user", member)

    # --- integrity ------------------------------------------------------------------------------
    def dangling_references(self) -> list[str]:
        """References to entities that no longer exist (by unique id): none in a log written with
        the cross-aggregate guards; CheckReplay reports any it finds."""
        found: list[str] = []
        user_ids = {a: {u["id"] for u in acc.users.values()} for a, acc in self.accounts.items()}
        for account in self.accounts.values():
            for kind in ("user", "group", "role"):
                for entity in account.by_kind(kind).values():
                    for arn in entity.get("dangling", ()):
                        found.append(f"{entity['arn']} is attached to {arn}, which was deleted")
                    if DELETED_MARK in entity.get("boundary", ""):
                        found.append(f"{entity['arn']} has the boundary {entity['boundary'].split(DELETED_MARK)[0]}, "
                                     "which was deleted")
            for user in account.users.values():
                for group_id, group_name in user["groups"].items():
                    if group_id not in account.group_names_by_id:
                        found.append(f"{user['arn']} is a member of group {group_name} ({group_id}), which was deleted")
        for device in self.mfa_devices.values():
            if device["user_id"] and device["user_id"] not in user_ids.get(device["account_id"], ()):
                found.append(f"MFA device {device['serial_number']} is enabled for user {device['user_name']} "
                             f"({device['user_id']}), which was deleted")
        for profile in self.instance_profiles.values():
            account = self.accounts.get(profile["account_id"])
            for role in profile["roles"]:
                held = account.roles.get(role["key"]) if account else None
                if held is None or held["id"] != role["id"]:
                    found.append(f"instance profile {profile['arn']} holds role {role['name']} ({role['id']}), "
                                 "which was deleted")
        return sorted(found)

    # --- queries used by several callers ------------------------------------------------------
    def account(self, account_id: str) -> AccountView | None:
        return self.accounts.get(account_id)

    def iam_resource(self, arn: str) -> tuple[str, View] | None:
        """(resource type, view) of the IAM resource an ARN names, found as iamd's calls find it:
        a user, group, role, managed policy, instance profile, server certificate or virtual MFA
        device by its account, type and case-insensitive name (the ARN's path is not compared: a
        caller that needs the exact entity compares the view's own `arn`); an OIDC or SAML provider
        by its ARN. None for anything else (another service's ARN, a root, an assumed role)."""
        parts = arn.split(":", 5)  # arn:PARTITION:iam::ACCOUNT:TYPE/PATH/NAME
        if len(parts) != 6 or parts[2] != "iam" or parts[0] != "arn":
            return None
        kind, _, rest = parts[5].partition("/")
        if not rest:
            return None
        view: View | None
        if kind in _ACCOUNT_KINDS:
            account = self.accounts.get(parts[4])
            view = account.by_kind(kind).get(casefold(rest.rpartition("/")[2])) if account is not None else None
        elif kind in _BY_NAME:
            key = f"{parts[4]}/{casefold(rest.rpartition('/')[2])}"
            if kind == "mfa":
                serial = self.mfa_serials.get(key)
                view = self.mfa_devices.get(serial) if serial is not None else None
            else:
                view = (self.instance_profiles if kind == "instance-profile" else self.server_certificates).get(key)
        elif kind == "oidc-provider":
            view = self.oidc_providers.get(arn)
        elif kind == "saml-provider":
            view = self.saml_providers.get(arn)
        else:
            return None
        return (kind, view) if view is not None else None

    def principals_using_policy(self, account_id: str, policy_key: str) -> Iterator[tuple[str, str]]:
        """(kind, key) of users and roles whose effective policies include this managed policy."""
        account = self.accounts[account_id]
        policy = account.policies.get(policy_key)
        if policy is None:
            return
        for ref in list(policy["attached_to"]) + list(policy["boundary_of"]):
            kind, key = ref.split("/", 1)
            if kind == "group":
                group = account.groups.get(key)
                for member in group["members"] if group else ():
                    yield "user", member
            else:
                yield kind, key

    # --- memory -------------------------------------------------------------------------------
    def share_equal_strings(self, chunk: int = 2_000) -> Iterator[int]:
        """Make the equal strings the views hold one object each, `chunk` views at a time (yields
        how many views are done, so that a caller can let other work run in between).

        A fold makes a new string for every value of every event it applies: the same policy ARN
        attached to thousands of users, the same tag values and timestamps, each a copy. On the
        benchmark's identity (100k users, 10k roles, 20k policies) the views held 195 MiB of
        strings for 78 MiB of distinct text. Sharing changes no value; a snapshot taken afterwards
        keeps it (marshal writes a shared object once), and a start from it never makes the
        copies. Views added or replaced later are not shared until the next pass."""
        canonical: dict[str, str] = {}  # only for the pass: the shared strings then live in the views
        views: list[Any] = [view for account in list(self.accounts.values())
                            for entities in (account.users, account.groups, account.roles, account.policies)
                            for view in list(entities.values())]
        views += list(self.access_keys.values())
        for start in range(0, len(views), chunk):
            for view in views[start:start + chunk]:
                _share_strings(view, canonical)
            yield min(start + chunk, len(views))

    # --- snapshots ----------------------------------------------------------------------------
    def to_snapshot(self) -> dict[str, Any]:
        return {
            "format": SNAPSHOT_FORMAT, "position": self.position, "events_applied": self.events_applied,
            "accounts": [a.to_json() for a in self.accounts.values()],
            "access_keys": self.access_keys,
            "sessions": self.sessions,
            "sessions_forgotten_hour": self.sessions_forgotten_hour,
            "mfa_devices": self.mfa_devices,
            "resources": self.resources,
            "password_policies": self.password_policies,
            "root_access": {k: {"organization_id": v.organization_id, "features": v.features}
                            for k, v in self.root_access.items()},
            "sts_preferences": self.sts_preferences,
            "outbound_federation": {k: {"issuer_id": v.issuer_id, "enabled": v.enabled,
                                        "keys": [vars(key) for key in v.keys]}
                                    for k, v in self.outbound_federation.items()},
            "root_login_profiles": self.root_login_profiles,
            "account_aliases": self.account_aliases,
            "oidc_providers": self.oidc_providers,
            "saml_providers": self.saml_providers,
            "instance_profiles": self.instance_profiles,
            "server_certificates": self.server_certificates,
            "deletion_tasks": self.deletion_tasks,
            "organization_events": self.organization_events,
            # Kept, not refolded: an account a log has join two organizations (a race before joins
            # were one at a time) is in the one it joined last, which no organization's events alone say.
            "organization_of_account": self.organization_of_account,
        }

    @classmethod
    def from_snapshot(cls, snapshot: dict[str, Any]) -> IdentityProjection:
        if snapshot.get("format") != SNAPSHOT_FORMAT:
            raise ValueError(f"unsupported snapshot format {snapshot.get('format')!r}")
        projection = cls()
        projection.position = snapshot["position"]
        projection.events_applied = snapshot["events_applied"]
        projection.access_keys = snapshot["access_keys"]
        projection.sessions = snapshot["sessions"]
        projection.sessions_forgotten_hour = snapshot["sessions_forgotten_hour"]
        projection.session_keys_by_token = {s["token_sha256"]: k for k, s in projection.sessions.items()}
        for key_id, session in projection.sessions.items():
            owner = session_owner_id(session)
            if owner:
                projection.sessions_by_principal.setdefault(owner, set()).add(key_id)
        projection.mfa_devices = snapshot["mfa_devices"]
        projection.mfa_serials = {f"{d['account_id']}/{d['key']}": serial for serial, d in projection.mfa_devices.items()}
        projection.resources = snapshot["resources"]
        projection.password_policies = snapshot["password_policies"]
        projection.root_access = {k: RootAccessState(v["organization_id"], list(v["features"]))
                                  for k, v in snapshot.get("root_access", {}).items()}  # none before they existed
        projection.sts_preferences = dict(snapshot.get("sts_preferences", {}))  # none before they existed
        projection.outbound_federation = {  # none before they existed
            k: OutboundFederationState(v["issuer_id"], v["enabled"], [SigningKey(**key) for key in v["keys"]])
            for k, v in snapshot.get("outbound_federation", {}).items()}
        projection.outbound_issuers = {v.issuer_id: k for k, v in projection.outbound_federation.items() if v.issuer_id}
        projection.root_login_profiles = dict(snapshot.get("root_login_profiles", {}))  # likewise
        projection.account_aliases = snapshot["account_aliases"]
        projection.oidc_providers = snapshot["oidc_providers"]
        projection.saml_providers = snapshot["saml_providers"]
        projection.instance_profiles = snapshot["instance_profiles"]
        projection.server_certificates = snapshot.get("server_certificates", {})  # none before they existed
        projection.deletion_tasks = snapshot["deletion_tasks"]
        projection.organization_events = {k: [tuple(e) for e in v] for k, v in snapshot["organization_events"].items()}
        for management, events in projection.organization_events.items():
            projection._refold_organization(management)
            projection.closed_accounts.update(d["account_id"] for t, d in events if t == "AccountClosed")
        if "organization_of_account" in snapshot:  # refolded alone above in snapshots written before it
            projection.organization_of_account = dict(snapshot["organization_of_account"])
        for a in snapshot["accounts"]:
            projection.accounts[a["account_id"]] = AccountView(
                a["account_id"], a["created_at"], a["users"], a["groups"], a["roles"], a["policies"]
            )
        return projection


# IAM resource types iam_resource finds in an account's views, and those it finds by "ACCOUNT/name".
_ACCOUNT_KINDS = frozenset({"user", "group", "role", "policy"})
_BY_NAME = frozenset({"instance-profile", "server-certificate", "mfa"})


def _ignore(account: AccountView, kind: str, key: str, d: dict[str, Any]) -> None:
    return None


# iamd's own events this projection has no use for (reservations, deployment and key records).
def _share_strings(value: Any, canonical: dict[str, str]) -> None:
    """Replace each string value in these (nested) dicts and lists by the equal one in `canonical`."""
    if type(value) is dict:
        for key, item in value.items():  # replacing a key's value does not change the dict's size
            kind = type(item)
            if kind is str:
                value[key] = canonical.setdefault(item, item)
            elif kind is dict or kind is list:
                _share_strings(item, canonical)
    elif type(value) is list:
        for index, item in enumerate(value):
            kind = type(item)
            if kind is str:
                value[index] = canonical.setdefault(item, item)
            elif kind is dict or kind is list:
                _share_strings(item, canonical)


_IAMD_TYPES_NOT_FOLDED = frozenset(IAMD_EVENT_TYPES) - frozenset(IdentityProjection()._handlers)


# What a reference to a deleted policy shows instead of its ARN (never any policy's ARN).
DELETED_MARK = "#deleted:"


def session_owner_id(session: dict[str, Any]) -> str:
    """The unique id of the role (AROA...) or user (AIDA...) a session stands for; the account id
    for root's; "" when an older event does not say."""
    if session["kind"] == "assumed-role":
        return str(session["principal_id"]).split(":", 1)[0]
    if session["kind"] == "federated-user":
        return str(session.get("issued_to_id", ""))
    return str(session["principal_id"])
