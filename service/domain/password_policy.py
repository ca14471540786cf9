"""The account's password policy: AWS's UpdateAccountPasswordPolicy rules, as a small aggregate
of its own (stream `account-ACCOUNT-passwordpolicy`).

iamd has no console passwords (login profiles) yet: the policy is stored, reported and counted as
AWS does, and will govern passwords when they land.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import NoSuchEntityError, validation_errors
from .events import AccountPasswordPolicyDeleted, AccountPasswordPolicyUpdated, Event

DEFAULT_MINIMUM_LENGTH = 6  # AWS: the length when UpdateAccountPasswordPolicy does not give one
# (field, lowest, highest): AWS's ranges for the numeric settings
_RANGES = (("minimumPasswordLength", 6, 128), ("maxPasswordAge", 1, 1095), ("passwordReusePrevention", 1, 24))
_FLAGS = ("RequireSymbols", "RequireNumbers", "RequireUppercaseCharacters", "RequireLowercaseCharacters",
          "AllowUsersToChangePassword", "HardExpiry")


@dataclass
class PasswordPolicyState:
    policy: dict[str, Any] | None = None  # AWS's PasswordPolicy members; None: no policy


def stream(account_id: str) -> str:
    return f"account-{account_id}-passwordpolicy"


def fold(events: Iterable[Event]) -> PasswordPolicyState:
    state = PasswordPolicyState()
    for event in events:
        match event:
            case AccountPasswordPolicyUpdated(policy=p):
                state.policy = dict(p)
            case AccountPasswordPolicyDeleted():
                state.policy = None
            case _:
                raise ValueError(f"{type(event).__name__} does not apply to a password policy")
    return state


def policy_of(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The whole policy UpdateAccountPasswordPolicy sets (what it leaves out takes AWS's default),
    or ValidationError naming every setting out of its range, as AWS lists them."""
    numbers = {"minimumPasswordLength": settings.get("MinimumPasswordLength"),
               "maxPasswordAge": settings.get("MaxPasswordAge"),
               "passwordReusePrevention": settings.get("PasswordReusePrevention")}
    problems = []
    for field, low, high in _RANGES:
        value = numbers[field]
        if value is None:
            continue
        if value < low:
            problems.append((field, value, f"Member must have value greater than or equal to {low}"))
        elif value > high:
            problems.append((field, value, f"Member must have value less than or equal to {high}"))
    if problems:
        raise validation_errors(problems)
    policy: dict[str, Any] = {"MinimumPasswordLength": numbers["minimumPasswordLength"] or DEFAULT_MINIMUM_LENGTH}
    policy.update({flag: bool(settings.get(flag, False)) for flag in _FLAGS})
    policy["ExpirePasswords"] = numbers["maxPasswordAge"] is not None
    if numbers["maxPasswordAge"] is not None:
        policy["MaxPasswordAge"] = numbers["maxPasswordAge"]
    if numbers["passwordReusePrevention"] is not None:
        policy["PasswordReusePrevention"] = numbers["passwordReusePrevention"]
    return policy


def update(state: PasswordPolicyState, policy: dict[str, Any], now: str) -> list[Event]:
    return [] if state.policy == policy else [AccountPasswordPolicyUpdated(policy, now)]


def delete(state: PasswordPolicyState, account_id: str, now: str) -> list[Event]:
    if state.policy is None:
        # AWS's words for the delete differ from the get's (IAM User Guide's DeleteAccountPasswordPolicy
        # example: "The account policy with name PasswordPolicy cannot be found.").
        raise NoSuchEntityError("The account policy with name PasswordPolicy cannot be found.",
                                resource_type="password policy", resource_name=account_id)
    return [AccountPasswordPolicyDeleted(now)]


def not_found(account_id: str) -> NoSuchEntityError:
    return NoSuchEntityError(f"The Password Policy with domain name {account_id} cannot be found.",
                             resource_type="password policy", resource_name=account_id)
