"""The gate every iamd RPC passes: authenticate the signature, then authorize the IAM action.

Health checking and reflection stay open (load balancers and tools call them unsigned); every
method of the iamd.v1 services is checked, and one missing from the permission table is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from projections.identity import IdentityProjection
from service.app.authenticate import Authenticator, Caller
from service.app.authorize import Authorizer
from service.domain.errors import AccessDeniedError

from . import permissions

CALLER: ContextVar[Caller | None] = ContextVar("caller", default=None)
GUARDED_PREFIX = "/iamd.v1."
# Calls any authenticated principal may make, whatever its policies say (as in AWS), or that
# authorize themselves: AssumeRole evaluates the trust policy with the caller's policies.
ALWAYS_ALLOWED = frozenset({"GetCallerIdentity", "GetSessionToken", "AssumeRole"})


class CallGuard:
    def __init__(self, authenticator: Authenticator, authorizer: Authorizer, projection: IdentityProjection) -> None:
        self.authenticator = authenticator
        self.authorizer = authorizer
        self.projection = projection

    def check(self, method: str, request: Any, metadata: Mapping[str, str], context_keys: Mapping[str, str]) -> Caller | None:
        """The authenticated caller, once allowed; raises the IAM error that refuses the call."""
        if not method.startswith(GUARDED_PREFIX):
            return None
        # The client signed exactly these bytes (deterministic serialization on both sides).
        body = request.SerializeToString(deterministic=True)
        caller = self.authenticator.authenticate(method, body, metadata)
        rpc = method.rsplit("/", 1)[-1]
        if rpc in ALWAYS_ALLOWED:
            return caller
        try:
            pairs = permissions.required(rpc, request, self.projection, caller)
        except KeyError:
            raise AccessDeniedError(f"no permission is defined for {rpc}; refusing it") from None
        for action, resource in pairs:
            self.authorizer.require(caller.arn, caller.kind, action, resource, context_keys,
                                    session=caller.session)
        return caller
