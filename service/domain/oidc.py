"""OpenID Connect identity providers: AWS's rules for registering one and keeping its audiences
(client ids) and server-certificate thumbprints. One stream per provider URL, so two accounts'
(or two racing calls') providers of one URL never collide.

Only the registry for now: AssumeRoleWithWebIdentity, which checks a token against a provider,
is not in iamd yet.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from . import names
from .errors import (
    EntityAlreadyExistsError,
    FieldProblem,
    InvalidInputError,
    LimitExceededError,
    NoSuchEntityError,
    member_constraints,
    validation_errors,
)
from .events import (
    Event,
    OpenIDConnectProviderClientIDsSet,
    OpenIDConnectProviderCreated,
    OpenIDConnectProviderDeleted,
    OpenIDConnectProviderTagged,
    OpenIDConnectProviderThumbprintsSet,
)

MAX_CLIENT_IDS = 100  # AWS quota ClientIdsPerOpenIdConnectProvider
MAX_PER_ACCOUNT = 100  # AWS: OpenID Connect providers per account (IAM and AWS STS quotas)
QUOTA = "OpenIdConnectProvidersPerAccount"
MAX_THUMBPRINTS = 5
MAX_URL_LENGTH = 255
MAX_CLIENT_ID_LENGTH = 255
_THUMBPRINT = re.compile(r"[0-9a-fA-F]{40}")
# A path, but no query or fragment: "Per the OIDC standard, path components are allowed but query
# parameters are not" (IAM API reference, CreateOpenIDConnectProvider's Url).
_URL = re.compile(r"https://[A-Za-z0-9.-]+(?::\d+)?(?:/[\x21\x22\x24-\x3e\x40-\x7e]*)?")


@dataclass
class ProviderState:
    exists: bool = False
    arn: str = ""
    url: str = ""
    client_ids: list[str] = field(default_factory=list)
    thumbprints: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)


def provider_path(url: str) -> str:
    """`https://oidc.example.com/id/1/` -> `oidc.example.com/id/1`: how AWS names and shows it."""
    return url.removeprefix("https://").rstrip("/")


def _url_violations(url: str) -> list[tuple[str, str, str]]:
    if not url:
        return [("url", url, "Member must have length greater than or equal to 1")]
    if len(url) > MAX_URL_LENGTH:
        return [("url", url, f"Member must have length less than or equal to {MAX_URL_LENGTH}")]
    return []


def check_url(url: str) -> str:
    violations = _url_violations(url)
    if violations:
        raise validation_errors(violations)
    if not _URL.fullmatch(url) or not provider_path(url):
        raise InvalidInputError("Invalid Open ID Connect Provider URL",
                                problems=[FieldProblem("url", "https://HOST[/PATH]")])
    return url


def arn_of(account_id: str, url: str) -> str:
    return f"arn:aws:iam::{account_id}:oidc-provider/{provider_path(url)}"


def path_of_arn(arn: str, account_id: str) -> str:
    """The provider path an ARN of this account names; NoSuchEntity for any other ARN."""
    prefix = f"arn:aws:iam::{account_id}:oidc-provider/"
    if not arn.startswith(prefix) or len(arn) == len(prefix):
        raise not_found(arn)
    return arn[len(prefix):]


def stream(account_id: str, path: str) -> str:
    return f"oidc-{account_id}-{hashlib.sha256(path.encode()).hexdigest()[:40]}"


# The constraints of the members of AWS's clientIDListType and thumbprintListType (botocore's model),
# as AWS's validator lists them for a list with a member that breaks them; iamd adds that a
# thumbprint is hexadecimal (a SHA-1 fingerprint), which AWS's model does not say.
_CLIENT_ID_RULES = (f"Member must have length less than or equal to {MAX_CLIENT_ID_LENGTH}",
                    "Member must have length greater than or equal to 1")
_THUMBPRINT_RULES = ("Member must have length less than or equal to 40",
                     "Member must have length greater than or equal to 40")


def _client_id_violations(client_ids: Sequence[str]) -> list[tuple[str, list[str], str]]:
    if all(1 <= len(c) <= MAX_CLIENT_ID_LENGTH for c in client_ids):
        return []
    return [("clientIDList", list(client_ids), member_constraints(*_CLIENT_ID_RULES))]


def _thumbprint_violations(thumbprints: Sequence[str]) -> list[tuple[str, list[str], str]]:
    if any(len(t) != 40 for t in thumbprints):
        return [("thumbprintList", list(thumbprints), member_constraints(*_THUMBPRINT_RULES))]
    if not all(_THUMBPRINT.fullmatch(t) for t in thumbprints):
        return [("thumbprintList", list(thumbprints),
                 member_constraints("Member must consist of 40 hexadecimal digits (a SHA-1 fingerprint)"))]
    return []


def _bounded_client_ids(client_ids: Sequence[str]) -> list[str]:
    unique = list(dict.fromkeys(client_ids))
    if len(unique) > MAX_CLIENT_IDS:
        raise LimitExceededError(f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {MAX_CLIENT_IDS}",
                                 quota="ClientIdsPerOpenIdConnectProvider")
    return unique


def _bounded_thumbprints(thumbprints: Sequence[str]) -> list[str]:
    if len(thumbprints) > MAX_THUMBPRINTS:
        raise InvalidInputError(f"Thumbprint list must contain fewer than {MAX_THUMBPRINTS} entries.",
                                problems=[FieldProblem("thumbprintList", f"at most {MAX_THUMBPRINTS}")])
    return list(dict.fromkeys(t.lower() for t in thumbprints))


def check_create(url: str, client_ids: Sequence[str], thumbprints: Sequence[str]) -> tuple[list[str], list[str]]:
    """CreateOpenIDConnectProvider's input checked as AWS checks it: first every constraint of the
    model that is broken, all in one ValidationError ("3 validation errors detected: ..."), then
    the URL's form, the audiences' quota and the thumbprints' count. The client ids and
    thumbprints to keep (deduplicated; thumbprints lower-cased)."""
    violations = [*_url_violations(url), *_client_id_violations(client_ids), *_thumbprint_violations(thumbprints)]
    if violations:
        raise validation_errors(violations)
    check_url(url)
    return _bounded_client_ids(client_ids), _bounded_thumbprints(thumbprints)


def check_client_id(client_id: str) -> str:
    """AddClientIDToOpenIDConnectProvider's one client id (1-255 characters)."""
    if not 1 <= len(client_id) <= MAX_CLIENT_ID_LENGTH:
        raise validation_errors([("clientID", client_id, _CLIENT_ID_RULES[0] if client_id else _CLIENT_ID_RULES[1])])
    return client_id


def check_client_ids(client_ids: Sequence[str]) -> list[str]:
    violations = _client_id_violations(client_ids)
    if violations:
        raise validation_errors(violations)
    return _bounded_client_ids(client_ids)


def check_thumbprints(thumbprints: Sequence[str]) -> list[str]:
    violations = _thumbprint_violations(thumbprints)
    if violations:
        raise validation_errors(violations)
    return _bounded_thumbprints(thumbprints)


def fold(events: Iterable[Event]) -> ProviderState:
    state = ProviderState()
    for event in events:
        match event:
            case OpenIDConnectProviderCreated(arn=arn, url=url, client_ids=c, thumbprints=t, tags=tags):
                state = ProviderState(True, arn, url, list(c), list(t), dict(tags))
            case OpenIDConnectProviderClientIDsSet(client_ids=c):
                state.client_ids = list(c)
            case OpenIDConnectProviderThumbprintsSet(thumbprints=t):
                state.thumbprints = list(t)
            case OpenIDConnectProviderTagged(tags=tags):
                state.tags = dict(tags)
            case OpenIDConnectProviderDeleted():
                state = ProviderState()
            case _:
                raise ValueError(f"{type(event).__name__} does not apply to an OIDC provider")
    return state


def create(state: ProviderState, arn: str, url: str, client_ids: list[str], thumbprints: list[str],
           tags: Mapping[str, str], now: str) -> list[Event]:
    if state.exists:
        raise EntityAlreadyExistsError(f"Provider with url {url} already exists.", resource_type="oidc-provider",
                                       resource_name=arn)
    return [OpenIDConnectProviderCreated(arn, provider_path(url), client_ids, thumbprints, now, dict(tags))]


def _existing(state: ProviderState, arn: str) -> ProviderState:
    if not state.exists:
        raise not_found(arn)
    return state


def add_client_id(state: ProviderState, arn: str, client_id: str) -> list[Event]:
    current = _existing(state, arn).client_ids
    if client_id in current:
        return []
    return [OpenIDConnectProviderClientIDsSet(arn, _bounded_client_ids([*current, client_id]))]


def remove_client_id(state: ProviderState, arn: str, client_id: str) -> list[Event]:
    current = _existing(state, arn).client_ids
    return [OpenIDConnectProviderClientIDsSet(arn, [c for c in current if c != client_id])] \
        if client_id in current else []


def update_thumbprints(state: ProviderState, arn: str, thumbprints: list[str]) -> list[Event]:
    return [] if _existing(state, arn).thumbprints == thumbprints else [
        OpenIDConnectProviderThumbprintsSet(arn, thumbprints)]


def tag(state: ProviderState, arn: str, tags: Mapping[str, str]) -> list[Event]:
    merged = names.merge_tags(_existing(state, arn).tags, tags)
    return [OpenIDConnectProviderTagged(arn, merged)] if merged != state.tags else []


def untag(state: ProviderState, arn: str, keys: Iterable[str]) -> list[Event]:
    remaining = names.without_tags(_existing(state, arn).tags, keys)
    return [OpenIDConnectProviderTagged(arn, remaining)] if remaining != state.tags else []


def delete(state: ProviderState, arn: str) -> list[Event]:
    """AWS: idempotent, no error for a provider that does not exist."""
    return [OpenIDConnectProviderDeleted(arn)] if state.exists else []


def not_found(arn: str) -> NoSuchEntityError:
    return NoSuchEntityError(f"OpenIDConnect Provider not found for arn {arn}", resource_type="oidc-provider",
                             resource_name=arn)
