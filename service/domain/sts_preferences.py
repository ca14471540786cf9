"""The account's STS preferences (IAM's SetSecurityTokenServicePreferences): which version of
session token STS's global endpoint issues, v1Token (AWS's default: valid in the Regions enabled
by default) or v2Token (valid in every Region), as a small aggregate of its own (stream
`account-ACCOUNT-stspreferences`). GetAccountSummary reports it as GlobalEndpointTokenVersion (1 or 2).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import validation_error
from .events import Event, SecurityTokenServicePreferencesSet

V1_TOKEN, V2_TOKEN = "v1Token", "v2Token"
VERSIONS = {V1_TOKEN: 1, V2_TOKEN: 2}  # GetAccountSummary's GlobalEndpointTokenVersion
DEFAULT = V1_TOKEN


@dataclass
class StsPreferencesState:
    global_endpoint_token_version: str = DEFAULT


def stream(account_id: str) -> str:
    return f"account-{account_id}-stspreferences"


def fold(events: Iterable[Event]) -> StsPreferencesState:
    state = StsPreferencesState()
    for event in events:
        match event:
            case SecurityTokenServicePreferencesSet(global_endpoint_token_version=version):
                state.global_endpoint_token_version = version
            case _:
                raise ValueError(f"{type(event).__name__} does not apply to STS preferences")
    return state


def check_version(version: str) -> str:
    if version not in VERSIONS:
        raise validation_error("globalEndpointTokenVersion", version[:64],
                               "Member must satisfy enum value set: [v1Token, v2Token]", "v1Token or v2Token")
    return version


def set_version(state: StsPreferencesState, version: str, now: str) -> list[Event]:
    check_version(version)
    if state.global_endpoint_token_version == version:
        return []  # as it is: nothing to record
    return [SecurityTokenServicePreferencesSet(version, now)]


def summary_version(version: str | None) -> int:
    """GetAccountSummary's GlobalEndpointTokenVersion for the account's preference (1 unless set)."""
    return VERSIONS[version or DEFAULT]
