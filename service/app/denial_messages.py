"""Authorize's encoded authorization failure messages (`encode_denial`): for a denied decision,
the opaque text AWS services hand a refused caller, which only a principal of the account allowed
sts:DecodeAuthorizationMessage can read back. What a message holds and how it is encoded:
service/auth/authorization_messages.py."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from iamd.projections.identity import IdentityProjection
from iamd.service.auth.authorization_messages import (
    AuthorizationMessageCodec,
    DeniedRequest,
    MatchedStatement,
    decoded_message,
)
from iamd.service.policy import Decision, Effect

_ROOT_ARN = re.compile(r"arn:aws[\w-]*:iam::(\d{12}):root")
_ARN_ACCOUNT = re.compile(r"arn:[^:]*:[^:]*:[^:]*:(\d{12}):.*", re.DOTALL)


def message_account(principal_arn: str, resource_account: str, resource: str) -> str:
    """The account whose principals may decode a refusal's message: the refused principal's, else
    (a service principal, an anonymous request) the resource's."""
    m = _ARN_ACCOUNT.fullmatch(principal_arn)
    if m is not None:
        return m[1]
    if resource_account:
        return resource_account
    m = _ARN_ACCOUNT.fullmatch(resource)
    return m[1] if m is not None else ""


class DenialMessages:
    def __init__(self, codec: AuthorizationMessageCodec | None, projection: IdentityProjection) -> None:
        self.codec = codec  # None: not configured, no message is encoded
        self.projection = projection

    def encoded(self, decision: Decision, *, principal_arn: str, session: Mapping[str, Any] | None,
                service_principal: str, action: str, resource: str, resource_account: str,
                conditions: Mapping[str, str | Sequence[str]]) -> str:
        """The encoded message of a denied decision; "" when it was allowed, when no key is
        configured, or when no account's principals could decode it."""
        account = message_account(principal_arn, resource_account, resource)
        if decision.decision is Effect.ALLOW or self.codec is None or not account:
            return ""
        request = DeniedRequest(
            allowed=False, explicit_deny=decision.decision is Effect.EXPLICIT_DENY,
            matched=[MatchedStatement(s.policy_id, s.policy_type.value, s.version or "", s.sid or "", s.index,
                                      s.effect.value) for s in decision.determining],
            failures=[t.value for t in decision.blocked_by],
            principal_id=self._principal_id(principal_arn, session) if principal_arn else service_principal or "anonymous",
            principal_arn=principal_arn or service_principal or "*", action=action, resource=resource,
            conditions=conditions)
        return self.codec.encode(decoded_message(request), account)

    def _principal_id(self, principal_arn: str, session: Mapping[str, Any] | None) -> str:
        """AWS's unique id of the principal (AIDA..., AROA...:session, the account for root)."""
        if session is not None:
            return str(session.get("principal_id", ""))
        found = self.projection.iam_resource(principal_arn)
        if found is not None and found[0] in ("user", "role"):
            return str(found[1]["id"])
        root = _ROOT_ARN.fullmatch(principal_arn)
        return root[1] if root is not None else ""
