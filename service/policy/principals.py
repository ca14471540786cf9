"""Who is calling (`Caller`) and how a Principal/NotPrincipal element matches the caller.

A principal entry can name the caller exactly, name the account the caller belongs to
(`123456789012` or `arn:aws:iam::123456789012:root`, which delegates to the account's own IAM
policies), name the role behind a role session, or name the IAM user behind a federated-user
session. The strength of the match matters to the evaluation (REFERENCE C2), so matchers
return a rank instead of a bool.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

# Match ranks, strongest last; a Principal element reports its strongest entry.
NO_MATCH = 0
ACCOUNT = 1  # the caller's account is named: delegation to the account's IAM policies
SESSION_ROLE = 2  # the role behind the caller's role session is named
SESSION_USER = 3  # the IAM user behind the caller's federated-user session is named
EVERYONE = 4  # "*", or a NotPrincipal that does not exclude the caller
EXACT = 5  # the caller itself is named

RANK_NAMES = {
    NO_MATCH: "NoMatch",
    ACCOUNT: "AccountLevelMatch",
    SESSION_ROLE: "SessionRoleMatch",
    SESSION_USER: "SessionUserMatch",
    EVERYONE: "Match",
    EXACT: "Match",
}

ACCOUNT_ID = re.compile(r"\d{12}")
_ROOT_ARN = re.compile(r"arn:[a-z0-9-]+:iam::(\d{12}):root")


class Caller(NamedTuple):
    """The request's principal, classified once per request (a NamedTuple: cheap to build)."""

    value: str
    kind: str  # user | role | role-session | federated-user | root | service | anonymous | identity-provider
    account: str | None
    role_arn: str | None = None  # role behind a role session
    user_arn: str | None = None  # IAM user behind a federated-user session (see below)


class UnsupportedPrincipalError(ValueError):
    """The request principal is of a form the engine cannot evaluate."""


_SERVICE_PRINCIPAL = re.compile(r"[a-z0-9][a-z0-9.-]*\.[a-z]{2,}")  # sns.amazonaws.com


def classify_caller(principal: str, context: Mapping[str, object], federating_user: str | None = None) -> Caller:
    """Classify the request principal; `context` is the lower-cased request context, and
    `federating_user` the IAM user behind a federated-user principal when it is known.

    Raises UnsupportedPrincipalError for anything but an IAM user, role, role-session,
    federated-user, root or identity-provider (OIDC, SAML) ARN, a service principal name, or
    `anonymous`: guessing what an
    unknown caller may do would be an authorization decision made by accident.
    """
    if principal == "anonymous":
        return Caller(principal, "anonymous", None)
    parts = principal.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        if _SERVICE_PRINCIPAL.fullmatch(principal):
            return Caller(principal, "service", None)
        raise UnsupportedPrincipalError(f"unsupported principal `{principal}`")
    partition, service, account, resource = parts[1], parts[2], parts[4], parts[5]
    if not ACCOUNT_ID.fullmatch(account):
        raise UnsupportedPrincipalError(f"principal `{principal}` names no 12-digit account")
    if service == "iam":
        if resource == "root":
            return Caller(principal, "root", account)
        if resource.startswith("user/") and len(resource) > 5:
            return Caller(principal, "user", account)
        if resource.startswith("role/") and len(resource) > 5:
            return Caller(principal, "role", account, role_arn=principal)
        if resource.startswith(("oidc-provider/", "saml-provider/")) and "/" in resource.rstrip("/"):
            # A user of an identity provider (AssumeRoleWithWebIdentity): a trust policy grants it
            # by naming the provider's ARN as a Federated principal; nothing else of the account applies.
            return Caller(principal, "identity-provider", account)
    elif service == "sts":
        session = resource.split("/")
        if session[0] == "assumed-role" and len(session) >= 3 and session[1] and session[-1]:
            # The session ARN drops the role's path; aws:PrincipalArn carries the real role ARN.
            role_arn = context.get("aws:principalarn")
            if not isinstance(role_arn, str) or ":role/" not in role_arn:
                role_arn = f"arn:{partition}:iam::{account}:role/{session[1]}"
            return Caller(principal, "role-session", account, role_arn=role_arn)
        if session[0] == "federated-user" and len(session) == 2 and session[1]:
            # The ARN does not say which IAM user federated; unless told, we take the same-named
            # user of the account, as the federated name conventionally is that user's.
            user_arn = federating_user or f"arn:{partition}:iam::{account}:user/{session[1]}"
            return Caller(principal, "federated-user", account, user_arn=user_arn)
    raise UnsupportedPrincipalError(
        f"unsupported principal `{principal}`: expected an IAM user, role, role-session, "
        "federated-user or root ARN, a service principal or `anonymous`"
    )


PrincipalMatcher = Callable[[Caller], int]


def compile_principal(
    entries: Mapping[str, Sequence[str]] | None, *, negated: bool
) -> PrincipalMatcher:
    """Matcher for a Principal (or, with `negated`, a NotPrincipal) element.

    `entries` maps the principal kind (AWS, Service, Federated, CanonicalUser) to its values;
    None stands for `"*"`. A NotPrincipal matches (as EVERYONE) every caller it does not spare;
    it spares a caller only when the caller's whole chain is listed (see `spared`).
    """
    if entries is None:
        return _everyone if not negated else _no_one
    wildcard = False
    exact: set[str] = set()
    accounts: set[str] = set()
    services: set[str] = set()
    for kind, values in entries.items():
        for value in values:
            if kind == "AWS":
                root = _ROOT_ARN.fullmatch(value)
                if value == "*":
                    wildcard = True
                elif ACCOUNT_ID.fullmatch(value):
                    accounts.add(value)
                elif root:
                    accounts.add(root.group(1))
                else:
                    exact.add(value)
            elif kind == "Service":
                if value == "*":
                    wildcard = True
                else:
                    services.add(value.lower())
            else:  # Federated, CanonicalUser: compared with the caller verbatim
                exact.add(value)
    frozen_exact = frozenset(exact)
    frozen_accounts = frozenset(accounts)
    frozen_services = frozenset(services)

    def rank(caller: Caller) -> int:
        if caller.kind == "service":
            if caller.value.lower() in frozen_services:
                return EXACT
            return EVERYONE if wildcard else NO_MATCH
        if caller.value in frozen_exact:
            return EXACT
        if wildcard:
            return EVERYONE
        if caller.user_arn is not None and caller.user_arn in frozen_exact:
            return SESSION_USER
        if caller.kind == "role-session" and caller.role_arn in frozen_exact:
            return SESSION_ROLE
        if caller.account is not None and caller.account in frozen_accounts:
            return ACCOUNT
        return NO_MATCH

    if not negated:
        return rank

    def spared(caller: Caller) -> bool:
        # AWS checks every identity in the caller's chain against a NotPrincipal: "the account
        # first, then the role, and then the assumed-role user" (IAM User Guide, "AWS JSON policy
        # elements: NotPrincipal"). So the caller is spared only when its account is listed as
        # well as itself (for a role session, its role): naming the account alone spares only
        # the account's root, naming a user alone spares no one.
        if wildcard:
            return True
        kind = caller.kind
        if kind == "service":
            return caller.value.lower() in frozen_services
        if caller.account is None or caller.account not in frozen_accounts:
            return False
        if kind == "root":
            return True
        if kind == "role-session":
            return caller.role_arn in frozen_exact
        if kind == "federated-user":
            return caller.value in frozen_exact or caller.user_arn in frozen_exact
        return caller.value in frozen_exact

    def not_rank(caller: Caller) -> int:
        return NO_MATCH if spared(caller) else EVERYONE

    return not_rank


def _everyone(_caller: Caller) -> int:
    return EVERYONE


def _no_one(_caller: Caller) -> int:
    return NO_MATCH
