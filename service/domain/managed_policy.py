"""Customer-managed policies: versions (at most 5, one default), tags, deletion rules."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from . import names
from .errors import (
    DeleteConflictError,
    EntityAlreadyExistsError,
    FieldProblem,
    LimitExceededError,
    NoSuchEntityError,
)
from .events import (
    Deleted,
    Event,
    PolicyCreated,
    PolicyDefaultVersionSet,
    PolicyVersionCreated,
    PolicyVersionDeleted,
    ReferenceReserved,
    Tagged,
    Untagged,
)


@dataclass(frozen=True)
class PolicyVersionState:
    version_id: str
    document: str
    created_at: str


@dataclass
class PolicyState:
    exists: bool = False
    name: str = ""
    id: str = ""
    arn: str = ""
    path: str = "/"
    description: str = ""
    created_at: str = ""
    updated_at: str = ""
    default_version_id: str = ""
    versions: dict[str, PolicyVersionState] = field(default_factory=dict)
    next_version_number: int = 1  # version ids are never reused
    tags: dict[str, str] = field(default_factory=dict)
    # Attachments and boundaries reserved here by their holders, by reservation id: DeletePolicy
    # settles them before counting the policy's users (docs/invariants.md).
    reservations: dict[str, dict[str, object]] = field(default_factory=dict)

    @property
    def default_document(self) -> str:
        return self.versions[self.default_version_id].document


def fold(events: Iterable[Event]) -> PolicyState:
    state = PolicyState()
    for event in events:
        state = apply(state, event)
    return state


def apply(state: PolicyState, event: Event) -> PolicyState:
    match event:
        case PolicyCreated():
            state = PolicyState(True, event.name, event.id, event.arn, event.path, event.description,
                                event.created_at, event.created_at, "v1",
                                {"v1": PolicyVersionState("v1", event.document, event.created_at)},
                                2, dict(event.tags))
        case PolicyVersionCreated(version_id=v, document=d, set_as_default=default, created_at=t):
            state.versions[v] = PolicyVersionState(v, d, t)
            state.next_version_number = int(v[1:]) + 1
            if default:
                state.default_version_id, state.updated_at = v, t
        case PolicyDefaultVersionSet(version_id=v, updated_at=t):
            state.default_version_id, state.updated_at = v, t
        case PolicyVersionDeleted(version_id=v):
            state.versions.pop(v, None)
        case Tagged(tags=tags):
            state.tags = dict(tags)
        case Untagged(tag_keys=keys):
            state.tags = {k: v for k, v in state.tags.items() if k not in keys}
        case ReferenceReserved():
            state.reservations[event.reservation_id] = {
                "relation": event.relation, "holder_stream": event.holder_stream,
                "holder_id": event.holder_id, "holder_version": event.holder_version}
        case Deleted():
            state = PolicyState(next_version_number=1)
        case _:
            raise ValueError(f"{type(event).__name__} does not apply to a managed policy")
    return state


def not_found(arn: str, hint: str = "") -> NoSuchEntityError:
    problems = [FieldProblem("policyArn", hint)] if hint else ()
    return NoSuchEntityError(f"Policy {arn} was not found.", resource_type="policy", resource_name=arn,
                             problems=problems)


def require(state: PolicyState, arn: str) -> PolicyState:
    # The ARN names the path too: a policy found by name under another path is not this ARN.
    if not state.exists or state.arn != arn:
        raise not_found(arn)
    return state


def check_document_size(document: str) -> None:
    if names.non_whitespace_length(document) > names.MAX_MANAGED_POLICY_CHARS:
        raise LimitExceededError(
            f"Cannot exceed quota for PolicySize: {names.MAX_MANAGED_POLICY_CHARS}", quota="PolicySize",
            problems=[FieldProblem("policyDocument", f"at most {names.MAX_MANAGED_POLICY_CHARS} characters, "
                                                     "whitespace not counted")],
        )


def create(state: PolicyState, *, name: str, id: str, arn: str, path: str, description: str,
           document: str, now: str, tags: Mapping[str, str]) -> list[Event]:
    if state.exists:
        raise EntityAlreadyExistsError(
            f"A policy called {name} already exists. Duplicate names are not allowed.",
            resource_type="policy", resource_name=name,
        )
    check_document_size(document)
    return [PolicyCreated(name, id, arn, path, description, document, now, dict(tags))]


def create_version(state: PolicyState, document: str, set_as_default: bool, now: str) -> list[Event]:
    if len(state.versions) >= names.MAX_POLICY_VERSIONS:
        raise LimitExceededError(
            f"A managed policy can have up to {names.MAX_POLICY_VERSIONS} versions. Before you create "
            "a new version, you must delete an existing version.",
            quota="VersionsPerPolicy",
        )
    check_document_size(document)
    return [PolicyVersionCreated(f"v{state.next_version_number}", document, set_as_default, now)]


def _require_version(state: PolicyState, version_id: str) -> PolicyVersionState:
    try:
        return state.versions[version_id]
    except KeyError:
        raise NoSuchEntityError(
            f"Policy {state.arn} version {version_id} does not exist or is not attachable.",
            resource_type="policy version", resource_name=version_id,
        ) from None


def set_default_version(state: PolicyState, version_id: str, now: str) -> list[Event]:
    _require_version(state, version_id)
    return [] if state.default_version_id == version_id else [PolicyDefaultVersionSet(version_id, now)]


def delete_version(state: PolicyState, version_id: str) -> list[Event]:
    _require_version(state, version_id)
    if version_id == state.default_version_id:
        raise DeleteConflictError("Cannot delete the default version of a policy.",
                                  blockers=["default version"], resource_type="policy version",
                                  resource_name=version_id)
    return [PolicyVersionDeleted(version_id)]


def get_version(state: PolicyState, version_id: str) -> PolicyVersionState:
    return _require_version(state, version_id)


def reserve(state: PolicyState, arn: str, *, reservation_id: str, relation: str, holder_stream: str,
            holder_id: str, holder_version: int) -> list[Event]:
    """First step of an attachment or a boundary: recorded in the policy's stream at its version,
    so that it races DeletePolicy there; the holder's own event (carrying `reservation_id`) commits it."""
    require(state, arn)
    return [ReferenceReserved(reservation_id, relation, holder_stream, holder_id, holder_version)]


def delete(state: PolicyState, *, attachment_count: int, boundary_usage_count: int) -> list[Event]:
    """DeletePolicy: refused while attached, used as a permissions boundary, or holding versions
    other than the default one (API reference: "you must delete all the policy's versions" with
    DeletePolicyVersion first; the default version goes with the policy)."""
    blockers = []
    if attachment_count:
        blockers.append(f"attached to {attachment_count} entities")
    if boundary_usage_count:
        blockers.append(f"used as permissions boundary by {boundary_usage_count} entities")
    if blockers:
        raise DeleteConflictError("Cannot delete a policy attached to entities.", blockers=blockers,
                                  resource_type="policy", resource_name=state.arn)
    others = sorted(v for v in state.versions if v != state.default_version_id)
    if others:
        raise DeleteConflictError("This policy has more than one version. Before you delete a policy, you must "
                                  "delete the policy's versions. The default version is deleted with the policy.",
                                  blockers=[f"version {v}" for v in others[:10]], resource_type="policy",
                                  resource_name=state.arn)
    return [Deleted()]


_VERSION_ID = re.compile(r"v[1-9][0-9]*(\.[A-Za-z0-9-]*)?")  # policyVersionIdType


def check_version_id(version_id: str) -> str:
    """A VersionId as AWS's model allows it (`v01` is not one; `v1.x` is, and then names no
    version iamd has: NoSuchEntity, as AWS)."""
    if not _VERSION_ID.fullmatch(version_id):
        raise names._constraint("versionId", version_id,
                                r"Member must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?")
    return version_id
