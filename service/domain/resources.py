"""Resources owned by other services: their resource-based policy and tags, registered by ARN.

One stream per resource ARN (`resource-ACCOUNT-<sha256 of the ARN>`: ARNs hold characters stream
names should not). The policy is validated as a resource policy by the app layer first.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from . import names
from .errors import FieldProblem, InvalidInputError, LimitExceededError, NoSuchEntityError
from .events import Event, ResourcePolicyDeleted, ResourcePolicyPut, ResourceTagged

MAX_RESOURCE_POLICY_CHARS = 20480  # S3's bucket policy limit: the largest common resource policy
_ARN = re.compile(r"arn:[a-z0-9-]+:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+")


@dataclass
class ResourceState:
    policy: str = ""
    tags: dict[str, str] = field(default_factory=dict)


def check_arn(arn: str) -> str:
    if not _ARN.fullmatch(arn or ""):
        raise InvalidInputError(f"`{arn}` is not a resource ARN",
                                problems=[FieldProblem("resourceArn", "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE")])
    return arn


# Services whose resources iamd itself serves: their policies and tags are IAM's and
# Organizations' own (TagRole, a role's trust policy, an organization's delegation policy), never
# registered here (a registration would play no part in their decisions anyway).
SERVED_BY_IAMD = frozenset({"iam", "sts", "organizations"})


def check_registrable(arn: str) -> str:
    """`arn` as a resource of another service, whose policy or tags may be registered."""
    service = check_arn(arn).split(":", 3)[2]
    if service in SERVED_BY_IAMD:
        raise InvalidInputError(
            f"`{arn}` is a resource of {service}, which iamd serves itself: its tags and policies are "
            f"{service}'s own (for a role, TagRole and its trust policy), not registered",
            problems=[FieldProblem("resourceArn", "the ARN of another service's resource (s3, sqs, kms, ...)")])
    return arn


def owner_account(arn: str, default: str) -> str:
    """The account in the ARN, or (S3 and other ARNs without one) the caller's."""
    return arn.split(":")[4] or default


def stream(account_id: str, arn: str) -> str:
    return f"resource-{account_id}-{hashlib.sha256(arn.encode()).hexdigest()[:40]}"


def fold(events: Iterable[Event]) -> ResourceState:
    state = ResourceState()
    for event in events:
        match event:
            case ResourcePolicyPut(document=d):
                state.policy = d
            case ResourcePolicyDeleted():
                state.policy = ""
            case ResourceTagged(tags=t):
                state.tags = dict(t)
            case _:
                raise ValueError(f"{type(event).__name__} does not apply to a resource")
    return state


def put_policy(state: ResourceState, arn: str, document: str) -> list[Event]:
    if names.non_whitespace_length(document) > MAX_RESOURCE_POLICY_CHARS:
        raise LimitExceededError(f"Cannot exceed quota for ResourcePolicySize: {MAX_RESOURCE_POLICY_CHARS}",
                                 quota="ResourcePolicySize",
                                 problems=[FieldProblem("policyDocument", f"at most {MAX_RESOURCE_POLICY_CHARS} "
                                                                          "characters, whitespace not counted")])
    return [] if state.policy == document else [ResourcePolicyPut(arn, document)]


def delete_policy(state: ResourceState, arn: str) -> list[Event]:
    if not state.policy:
        raise NoSuchEntityError(f"The resource {arn} has no resource policy.", resource_type="resource policy",
                                resource_name=arn)
    return [ResourcePolicyDeleted(arn)]


def tag(state: ResourceState, arn: str, tags: Mapping[str, str]) -> list[Event]:
    merged = names.merge_tags(state.tags, tags)
    return [ResourceTagged(arn, merged)] if merged != state.tags else []


def untag(state: ResourceState, arn: str, keys: Iterable[str]) -> list[Event]:
    remaining = names.without_tags(state.tags, keys)
    return [ResourceTagged(arn, remaining)] if remaining != state.tags else []
