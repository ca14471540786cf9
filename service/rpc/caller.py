"""Who is calling: the CallContext the use cases record in every event's metadata.

The caller was authenticated (and the call authorized) by the guard in the interceptor; this
turns it, with the call's peer and user agent, into the app layer's CallContext.
"""

from __future__ import annotations

import grpc

from iamd.service.app.authenticate import Caller
from iamd.service.app.ports import CallContext
from iamd.service.domain.errors import MissingAuthenticationTokenError

from .guard import CALLER
from .gateway import AUDIT_CARRIER, OPERATION, REQUEST_ID, peer_ip


class CallerResolver:
    def __call__(self, context: grpc.aio.ServicerContext) -> CallContext:
        caller = self.caller()
        metadata = dict(context.invocation_metadata() or ())
        return CallContext(request_id=REQUEST_ID.get(), account_id=caller.account_id, actor_arn=caller.arn,
                           source_ip=peer_ip(context.peer() or ""),
                           user_agent=str(metadata.get("user-agent", "")), operation=OPERATION.get(),
                           audit=AUDIT_CARRIER.get())

    @staticmethod
    def caller() -> Caller:
        caller = CALLER.get()
        if caller is None:  # INVARIANT: the guard authenticated every iamd.v1 call
            raise MissingAuthenticationTokenError("Request is missing Authentication Token")
        return caller

    @property
    def account_id(self) -> str:
        return self.caller().account_id
