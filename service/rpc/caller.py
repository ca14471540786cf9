"""Who is calling: turns a gRPC call into the CallContext the use cases record in event metadata.

Until request signing lands (issue 4), every call acts for the deployment's account as its root
user; this class is the single place that will then authenticate the caller instead.
"""

from __future__ import annotations

import grpc

from service.app.ports import CallContext

from .interceptors import REQUEST_ID


class CallerResolver:
    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self.actor_arn = f"arn:aws:iam::{account_id}:root"

    def __call__(self, context: grpc.aio.ServicerContext) -> CallContext:
        metadata = dict(context.invocation_metadata() or ())
        return CallContext(request_id=REQUEST_ID.get(), account_id=self.account_id, actor_arn=self.actor_arn,
                           source_ip=_peer_ip(context.peer() or ""),
                           user_agent=str(metadata.get("user-agent", "")))


def _peer_ip(peer: str) -> str:
    # "ipv4:127.0.0.1:5555", "ipv6:[::1]:5555", "unix:/path"
    kind, _, rest = peer.partition(":")
    if kind == "ipv4":
        return rest.rsplit(":", 1)[0]
    if kind == "ipv6":
        return rest.rsplit(":", 1)[0].strip("[]")
    return rest
