"""Login profiles: an IAM user's console password, kept in the user's stream (so DeleteUser's
DeleteConflict while one exists holds under any concurrency, as the user's other parts do).

The password itself never reaches the domain: the app layer checks it against the account's
password policy here (`check_password`, pure), hashes it (service/auth/passwords.py) and hands
the deciders the hash alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .errors import (
    AccessDeniedError,
    EntityAlreadyExistsError,
    FieldProblem,
    NoSuchEntityError,
    PasswordPolicyViolationError,
    ValidationError,
)
from .events import (
    Event,
    LoginProfileCreated,
    LoginProfileDeleted,
    LoginProfileUpdated,
    RootLoginProfileCreated,
    RootLoginProfileDeleted,
)

MAX_PASSWORD_LENGTH = 128  # AWS's passwordType
# AWS's default password policy, in force while the account has none of its own (IAM User Guide,
# "Set an account password policy for IAM users"): at least 8 characters and at least three of
# uppercase letters, lowercase letters, numbers and symbols.
DEFAULT_MINIMUM_LENGTH = 8
DEFAULT_CHARACTER_TYPES = 3
SYMBOLS = frozenset("!@#$%^&*()_+-=[]{}|'")  # AWS's list of the symbols RequireSymbols counts


def _allowed(ch: str) -> bool:
    return ch in "\t\n\r" or "\x20" <= ch <= "\xff"


def check_wire(field: str, password: str) -> str:
    """AWS's passwordType: 1-128 characters of [\\u0009\\u000A\\u000D\\u0020-\\u00FF]. The message
    never quotes the value (it is a secret)."""
    if not password:
        raise ValidationError(f"1 validation error detected: Value at '{field}' failed to satisfy constraint: "
                              "Member must have length greater than or equal to 1",
                              problems=[FieldProblem(field, "required")])
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(f"1 validation error detected: Value at '{field}' failed to satisfy constraint: "
                              f"Member must have length less than or equal to {MAX_PASSWORD_LENGTH}",
                              problems=[FieldProblem(field, f"at most {MAX_PASSWORD_LENGTH} characters")])
    if not all(_allowed(ch) for ch in password):
        raise ValidationError(f"1 validation error detected: Value at '{field}' failed to satisfy constraint: "
                              r"Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+",
                              problems=[FieldProblem(field, "characters U+0009, U+000A, U+000D, U+0020-U+00FF only")])
    return password


def _kinds(password: str) -> dict[str, bool]:
    return {"uppercase": any("A" <= c <= "Z" for c in password), "lowercase": any("a" <= c <= "z" for c in password),
            "number": any("0" <= c <= "9" for c in password), "symbol": any(c in SYMBOLS for c in password)}


def check_password(field: str, password: str, policy: dict[str, Any] | None) -> None:
    """PasswordPolicyViolation when `password` breaks the account's password policy (AWS's
    default policy when `policy` is None), naming the first rule it breaks; every broken rule is
    in the field violations."""
    kinds = _kinds(password)
    broken: list[str] = []
    if policy is None:
        if len(password) < DEFAULT_MINIMUM_LENGTH:
            broken.append(f"Password should have a minimum length of {DEFAULT_MINIMUM_LENGTH}")
        if sum(kinds.values()) < DEFAULT_CHARACTER_TYPES:
            broken.append("Password should have at least three of the following character types: uppercase "
                          "letters, lowercase letters, numbers and symbols")
    else:
        minimum = int(policy.get("MinimumPasswordLength", 6))
        if len(password) < minimum:
            broken.append(f"Password should have a minimum length of {minimum}")
        for flag, kind, words in (("RequireLowercaseCharacters", "lowercase", "one lowercase letter"),
                                  ("RequireUppercaseCharacters", "uppercase", "one uppercase letter"),
                                  ("RequireNumbers", "number", "one number"),
                                  ("RequireSymbols", "symbol", "one symbol")):
            if policy.get(flag) and not kinds[kind]:
                broken.append(f"Password should have at least {words}")
    if broken:
        raise PasswordPolicyViolationError(broken[0], problems=[FieldProblem(field, rule) for rule in broken])


def not_found(user_name: str) -> NoSuchEntityError:
    return NoSuchEntityError(f"Login Profile for User {user_name} cannot be found.", resource_type="login profile",
                             resource_name=user_name)


def create(state: Any, user_name: str, *, password_hash: str, password_reset_required: bool, now: str) -> list[Event]:
    """`state`: the user's EntityState (service/domain/identity.py), which must exist."""
    if state.login_profile is not None:
        raise EntityAlreadyExistsError(f"Login Profile for User {user_name} already exists.",
                                       resource_type="login profile", resource_name=user_name)
    return [LoginProfileCreated(password_hash, bool(password_reset_required), now)]


def update(state: Any, user_name: str, *, password_hash: str, password_reset_required: bool | None,
           now: str) -> list[Event]:
    """A new password (its hash; "" keeps the old one) and/or the reset flag (None keeps it)."""
    profile = state.login_profile
    if profile is None:
        raise not_found(user_name)
    reset = profile["password_reset_required"] if password_reset_required is None else bool(password_reset_required)
    if not password_hash and reset == profile["password_reset_required"]:
        return []
    return [LoginProfileUpdated(password_hash, reset, now)]


def delete(state: Any, user_name: str) -> list[Event]:
    if state.login_profile is None:
        raise not_found(user_name)
    return [LoginProfileDeleted()]


# --- ChangePassword: the user's own password ----------------------------------------------------------
def expired(profile: dict[str, Any], policy: dict[str, Any] | None, now: datetime) -> bool:
    """Whether the password is older than the policy's MaxPasswordAge (days)."""
    days = int((policy or {}).get("MaxPasswordAge") or 0)
    changed = profile.get("changed_at") or profile["created_at"]
    return bool(days) and now >= datetime.fromisoformat(changed.replace("Z", "+00:00")) + timedelta(days=days)


def check_change(state: Any, user_name: str, *, old_password_matches: bool) -> None:
    """ChangePassword's refusals before the new password's rules: no console password (NoSuchEntity),
    a wrong old password (AccessDenied). An expired password may be changed here even under
    HardExpiry, which closes only the console's way (API reference, PasswordPolicy.HardExpiry: users
    with iam:ChangePassword and active access keys "can reset their own expired console password
    using the AWS CLI or API")."""
    if state.login_profile is None:
        raise not_found(user_name)
    if not old_password_matches:
        raise AccessDeniedError("The old password is incorrect.",
                                problems=[FieldProblem("oldPassword", "does not match the user's password")])


def reused(field: str, count: int) -> PasswordPolicyViolationError:
    message = f"Password should not be one of your {count} previous passwords"
    return PasswordPolicyViolationError(message, problems=[FieldProblem(field, message)])


def change(state: Any, user_name: str, *, password_hash: str, now: str) -> list[Event]:
    """The new password, set by the user itself: a reset it was asked for is done."""
    if state.login_profile is None:
        raise not_found(user_name)
    return [LoginProfileUpdated(password_hash, False, now)]


# --- the account root user's console password (AssumeRoot sessions only) ------------------------------
# IAM API reference, CreateLoginProfile/GetLoginProfile/DeleteLoginProfile `UserName`: "When you make
# this request with root user credentials, you must use an AssumeRoot session to omit the user name."
# A small aggregate of its own, stream `account-ACCOUNT-rootpassword`.

@dataclass
class RootPasswordState:
    profile: dict[str, Any] | None = None  # created_at, password_reset_required, has_password


def root_stream(account_id: str) -> str:
    return f"account-{account_id}-rootpassword"


def fold_root(events: Iterable[Event]) -> RootPasswordState:
    state = RootPasswordState()
    for event in events:
        match event:
            case RootLoginProfileCreated(password_hash=h, password_reset_required=reset, created_at=at):
                state.profile = {"created_at": at, "password_reset_required": reset, "has_password": bool(h)}
            case RootLoginProfileDeleted():
                state.profile = None
            case _:
                raise ValueError(f"{type(event).__name__} does not apply to the root user's password")
    return state


def root_not_found(account_id: str) -> NoSuchEntityError:
    return NoSuchEntityError(f"Login Profile for the root user of account {account_id} cannot be found.",
                             resource_type="login profile", resource_name="root")


def create_root(state: RootPasswordState, account_id: str, *, password_hash: str, password_reset_required: bool,
                now: str) -> list[Event]:
    if state.profile is not None:
        raise EntityAlreadyExistsError(f"Login Profile for the root user of account {account_id} already exists.",
                                       resource_type="login profile", resource_name="root")
    return [RootLoginProfileCreated(password_hash, bool(password_reset_required), now)]


def delete_root(state: RootPasswordState, account_id: str, now: str) -> list[Event]:
    if state.profile is None:
        raise root_not_found(account_id)
    return [RootLoginProfileDeleted(now)]
