"""Instance profiles: the container EC2 hands a role to (one stream per profile,
`instanceprofile-ACCOUNT-NAME`, names case-folded), folded into its state; the deciders of its
commands, with AWS's rules.

A profile holds at most one role (AWS's quota InstanceSessionsPerInstanceProfile, which cannot be
raised). The role is a reference to another aggregate: AddRoleToInstanceProfile reserves it in the
role's stream first and commits `InstanceProfileRoleAdded` here (docs/invariants.md), so that a
DeleteRole racing it either sees the profile holding the role (DeleteConflict) or voids the
reservation (the add then fails and is retried, finding the role gone).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from . import names
from .errors import DeleteConflictError, EntityAlreadyExistsError, LimitExceededError, NoSuchEntityError
from .events import (
    Event,
    InstanceProfileCreated,
    InstanceProfileDeleted,
    InstanceProfileRoleAdded,
    InstanceProfileRoleRemoved,
    InstanceProfileTagged,
    ReservationVoided,
)
from .names import casefold

INSTANCE_PROFILE = "instanceprofile"  # the stream kind: `instanceprofile-ACCOUNT-NAME`
ID_PREFIX = "AIPA"
MAX_ROLES = 1  # AWS: "An instance profile can contain only one role, and this quota cannot be increased."
MAX_PER_ACCOUNT = 1000  # AWS quota InstanceProfilesPerAccount (REFERENCE.md C7)
ROLES_QUOTA = "InstanceSessionsPerInstanceProfile"


@dataclass
class InstanceProfileState:
    exists: bool = False
    name: str = ""
    id: str = ""
    arn: str = ""
    path: str = "/"
    created_at: str = ""
    roles: dict[str, str] = field(default_factory=dict)  # role id -> role name
    tags: dict[str, str] = field(default_factory=dict)


def stream(account_id: str, name: str) -> str:
    return names.stream_name(INSTANCE_PROFILE, account_id, name)


def arn_of(account_id: str, path: str, name: str) -> str:
    """`arn:aws:iam::123456789012:instance-profile/PATH/NAME`: what IAM actions on it name."""
    return f"arn:aws:iam::{account_id}:instance-profile{path or '/'}{name}"


def check_name(field_name: str, name: str) -> str:
    """1-128 of [\\w+=,.@-], as AWS's instanceProfileNameType."""
    return names.check_name(INSTANCE_PROFILE, field_name, name)


def fold(events: Iterable[Event]) -> InstanceProfileState:
    state = InstanceProfileState()
    for event in events:
        match event:
            case InstanceProfileCreated():
                state = InstanceProfileState(True, event.name, event.id, event.arn, event.path, event.created_at,
                                             tags=dict(event.tags))
            case InstanceProfileRoleAdded(role_id=role_id, role_name=role_name):
                state.roles[role_id] = role_name
            case InstanceProfileRoleRemoved(role_id=role_id):
                state.roles.pop(role_id, None)
            case InstanceProfileTagged(tags=tags):
                state.tags = dict(tags)
            case InstanceProfileDeleted():
                state = InstanceProfileState()
            case ReservationVoided():
                pass  # a role this profile was to hold can no longer be added by that call
            case _:
                raise ValueError(f"{type(event).__name__} does not apply to an instance profile")
    return state


def not_found(name: str) -> NoSuchEntityError:
    return NoSuchEntityError(f"Instance Profile {name} cannot be found.", resource_type="instance profile",
                             resource_name=name)


def require(state: InstanceProfileState, name: str) -> InstanceProfileState:
    if not state.exists:
        raise not_found(name)
    return state


def create(state: InstanceProfileState, *, name: str, id: str, arn: str, path: str, now: str,
           tags: Mapping[str, str]) -> list[Event]:
    if state.exists:
        raise EntityAlreadyExistsError(f"Instance Profile {name} already exists.", resource_type="instance profile",
                                       resource_name=name)
    return [InstanceProfileCreated(name, id, arn, path, now, dict(tags))]


def add_role(state: InstanceProfileState, name: str, *, role_id: str, role_name: str,
             reservation_id: str = "") -> list[Event]:
    """AWS answers LimitExceeded for any role beyond the first, the same role included."""
    require(state, name)
    if len(state.roles) >= MAX_ROLES:
        raise LimitExceededError(f"Cannot exceed quota for {ROLES_QUOTA}: {MAX_ROLES}", quota=ROLES_QUOTA)
    return [InstanceProfileRoleAdded(role_name, role_id, reservation_id)]


def remove_role(state: InstanceProfileState, name: str, role_name: str) -> list[Event]:
    require(state, name)
    for role_id, held in state.roles.items():
        if casefold(held) == casefold(role_name):
            return [InstanceProfileRoleRemoved(held, role_id)]
    raise NoSuchEntityError(f"The role with name {role_name} cannot be found.", resource_type="role",
                            resource_name=role_name)


def tag(state: InstanceProfileState, name: str, tags: Mapping[str, str]) -> list[Event]:
    merged = names.merge_tags(require(state, name).tags, tags)
    return [InstanceProfileTagged(merged)] if merged != state.tags else []


def untag(state: InstanceProfileState, name: str, keys: Iterable[str]) -> list[Event]:
    remaining = names.without_tags(require(state, name).tags, keys)
    return [InstanceProfileTagged(remaining)] if remaining != state.tags else []


def delete(state: InstanceProfileState, name: str) -> list[Event]:
    require(state, name)
    if state.roles:
        raise DeleteConflictError("Cannot delete entity, must remove roles from instance profile first.",
                                  blockers=["must remove roles from instance profile first"],
                                  resource_type="instance profile", resource_name=name)
    return [InstanceProfileDeleted()]
