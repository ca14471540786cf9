"""The account alias: at most one per account, unique in the deployment (AWS: globally).

Two small aggregates: the alias's claim (stream `aliasclaim-ALIAS`, which account holds it) and the
account's alias (stream `account-ACCOUNT-alias`). A command claims first, then records the alias
in the account, then releases the alias it replaced (read from the account's own stream, never
from a projection that may lag), then claims its alias again; a release frees a claim only while
the account's stream, read at the claim's version, does not use the alias. A crash can leave a claim whose account does not use the alias:
once it is older than STALE_CLAIM (far longer than a command takes), another account may take it
over. Never two accounts with one alias.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .errors import EntityAlreadyExistsError, FieldProblem, NoSuchEntityError, ValidationError
from .events import AccountAliasClaimed, AccountAliasCreated, AccountAliasDeleted, AccountAliasReleased, Event

# AWS's pattern: 3-63 lower-case letters, digits and single hyphens, not at either end.
_ALIAS = re.compile(r"[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]")
STALE_CLAIM = timedelta(minutes=1)


@dataclass
class ClaimState:
    holder: str = ""  # the account holding the alias; "" when free
    claimed_at: str = ""


@dataclass
class AliasState:
    alias: str = ""


def check_alias(alias: str) -> str:
    if not _ALIAS.fullmatch(alias):
        rule = r"Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$"
        if not 3 <= len(alias) <= 63:
            rule = ("Member must have length greater than or equal to 3" if len(alias) < 3
                    else "Member must have length less than or equal to 63")
        raise ValidationError(
            f"1 validation error detected: Value '{alias[:128]}' at 'accountAlias' failed to satisfy constraint: "
            f"{rule}", problems=[FieldProblem("accountAlias", rule)])
    return alias


def claim_stream(alias: str) -> str:
    return f"aliasclaim-{alias}"


def alias_stream(account_id: str) -> str:
    return f"account-{account_id}-alias"


def fold_claim(events: Iterable[Event]) -> ClaimState:
    state = ClaimState()
    for event in events:
        match event:
            case AccountAliasClaimed(account_id=a, claimed_at=at):
                state.holder, state.claimed_at = a, at
            case AccountAliasReleased():
                state.holder, state.claimed_at = "", ""
            case _:
                raise ValueError(f"{type(event).__name__} does not apply to an alias claim")
    return state


def fold_alias(events: Iterable[Event]) -> AliasState:
    state = AliasState()
    for event in events:
        match event:
            case AccountAliasCreated(alias=a):
                state.alias = a
            case AccountAliasDeleted():
                state.alias = ""
            case _:
                raise ValueError(f"{type(event).__name__} does not apply to an account alias")
    return state


def claim(state: ClaimState, alias: str, account_id: str, now: str, holder_uses_it: bool,
          renew: bool = False) -> list[Event]:
    """Claim `alias` for `account_id`. Another holder keeps it while it uses it, or while its claim
    is recent (its command may still be recording it); a stale unused claim is taken over.
    `renew`: claim it again even when the account holds it already (a create confirming its claim
    after recording the alias, so that a release decided before that record cannot land)."""
    if state.holder and state.holder != account_id:
        if holder_uses_it or not _stale(state.claimed_at, now):
            raise EntityAlreadyExistsError(f"The account alias {alias} already exists.",
                                           resource_type="account alias", resource_name=alias)
        return [AccountAliasReleased(alias, state.holder), AccountAliasClaimed(alias, account_id, now)]
    return [] if state.holder == account_id and not renew else [AccountAliasClaimed(alias, account_id, now)]


def _stale(claimed_at: str, now: str) -> bool:
    if not claimed_at:
        return True
    return datetime.fromisoformat(now.replace("Z", "+00:00")) - \
        datetime.fromisoformat(claimed_at.replace("Z", "+00:00")) > STALE_CLAIM


def create(state: AliasState, alias: str, now: str) -> list[Event]:
    """The account's alias becomes `alias` (an account has one: a new one replaces the old)."""
    if state.alias == alias:
        return []
    return [*([AccountAliasDeleted(state.alias)] if state.alias else []), AccountAliasCreated(alias, now)]


def delete(state: AliasState, alias: str) -> list[Event]:
    if state.alias != alias:
        raise NoSuchEntityError(f"The account alias {alias} cannot be found.", resource_type="account alias",
                                resource_name=alias)
    return [AccountAliasDeleted(alias)]


def release(state: ClaimState, alias: str, account_id: str, in_use: bool = False) -> list[Event]:
    """Free the account's claim, unless the account uses the alias (again) after all."""
    return [AccountAliasReleased(alias, account_id)] if state.holder == account_id and not in_use else []
