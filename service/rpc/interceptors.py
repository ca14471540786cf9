"""Cross-cutting concerns of every unary RPC: request id, log context, error mapping.

Servicers raise IamError; this interceptor turns it into the mapped status with rich details
(service/rpc/errors.py). Anything else is logged with its traceback and reaches the caller only
as ServiceFailure with the request id.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

import grpc
import structlog

from service.domain.errors import IamError

from .errors import internal_status, to_grpc_status
from .audit import AUDIT_EXTRA, CallAuditor
from .guard import CALLER, GUARDED_PREFIX, RESOURCES, CallGuard

log = structlog.get_logger(__name__)


def peer_ip(peer: str) -> str:
    """The address in a gRPC peer string: "ipv4:127.0.0.1:5555", "ipv6:[::1]:5555", "unix:/path"."""
    kind, _, rest = peer.partition(":")
    if kind in ("ipv4", "ipv6"):
        return rest.rsplit(":", 1)[0].strip("[]")
    return rest

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")
OPERATION: ContextVar[str] = ContextVar("operation", default="")  # "CreateUser", ...


class RequestInterceptor(grpc.aio.ServerInterceptor):
    """Request id and log context, authentication and authorization, audit record, error mapping."""

    def __init__(self, guard: CallGuard | None = None, *, tls: bool = False,
                 auditor: CallAuditor | None = None) -> None:
        self.guard = guard  # None only in tests of the interceptor itself
        self.tls = tls
        self.auditor = auditor

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is not None and handler.unary_stream is not None:
            return self._guarded_stream(handler, handler_call_details.method)
        if handler is None or handler.unary_unary is None:
            return handler
        method = handler_call_details.method
        behavior = handler.unary_unary

        async def unary_unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
            request_id, metadata, request_keys = self._begin_call(method, context)
            structlog.contextvars.bind_contextvars(request_id=request_id, rpc=method)
            await context.send_initial_metadata((("x-request-id", request_id),))
            started = time.perf_counter()
            caller = None
            audited = self.auditor is not None and method.startswith(GUARDED_PREFIX)
            try:
                if self.guard is not None:
                    caller = self.guard.check(method, request, metadata, request_keys)
                    CALLER.set(caller)
                    if caller is not None:
                        structlog.contextvars.bind_contextvars(caller=caller.arn)
                response = await behavior(request, context)
                if self.guard is not None and caller is not None:
                    # Only a call that succeeded marks its key as used: a refused one writes nothing.
                    await self.guard.note_use(caller, method, request_id, request_keys)
                if audited:
                    # The answer leaves only once its record is durable (unless configured otherwise).
                    await self._audit(method, request, response, "", "", caller, request_id, request_keys)
                log.debug("rpc_ok", elapsed_ms=round((time.perf_counter() - started) * 1000, 3))
                return response
            except IamError as error:
                log.info("rpc_refused", code=error.code, message=error.message)
                status = to_grpc_status(error, request_id)
                error_code, error_message = error.code, error.message
            except grpc.aio.AbortError:
                raise
            except Exception as error:  # noqa: BLE001 — logged in full, reported opaquely
                log.error("rpc_failed", exc_info=error)
                status = internal_status(request_id)
                error_code, error_message = "ServiceFailure", status.details
            finally:
                structlog.contextvars.unbind_contextvars("request_id", "rpc", "caller")
            if audited:
                try:
                    await self._audit(method, request, None, error_code, error_message, CALLER.get(), request_id,
                                      request_keys)
                except Exception as e:  # noqa: BLE001 — the call already failed; its error stands
                    log.error("audit_record_lost", exc_info=e)
            # The request id also rides in the trailers: clients read it from the error.
            await context.abort(status.code, status.details,
                                (*status.trailing_metadata, ("x-request-id", request_id)))

        return grpc.unary_unary_rpc_method_handler(
            unary_unary,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    def _begin_call(self, method: str, context: grpc.aio.ServicerContext) -> tuple[str, dict[str, str], dict[str, str]]:
        """A new request id and fresh per-call state; the call's metadata and request context keys."""
        request_id = str(uuid.uuid4())
        REQUEST_ID.set(request_id)
        OPERATION.set(method.rsplit("/", 1)[-1])
        CALLER.set(None)
        RESOURCES.set([])
        AUDIT_EXTRA.set(None)
        metadata = {k: v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)}
        request_keys = {"aws:SourceIp": peer_ip(context.peer() or ""),
                        "aws:SecureTransport": "true" if self.tls else "false",
                        "aws:UserAgent": metadata.get("user-agent", "")}
        return request_id, metadata, request_keys

    async def _audit(self, method: str, request: Any, response: Any, error_code: str, error_message: str,
                     caller: Any, request_id: str, request_keys: dict[str, str]) -> None:
        assert self.auditor is not None
        await self.auditor.record(method=method, request=request, response=response, error_code=error_code,
                                  error_message=error_message, caller=caller, request_id=request_id,
                                  source_ip=request_keys["aws:SourceIp"], user_agent=request_keys["aws:UserAgent"],
                                  resources=RESOURCES.get())

    def _guarded_stream(self, handler: grpc.RpcMethodHandler, method: str) -> grpc.RpcMethodHandler:
        """Server-streaming calls pass the same gate (and leave a record) before the first message."""
        behavior = handler.unary_stream

        async def unary_stream(request: Any, context: grpc.aio.ServicerContext) -> Any:
            request_id, metadata, request_keys = self._begin_call(method, context)
            audited = self.auditor is not None and method.startswith(GUARDED_PREFIX)
            try:
                if self.guard is not None:
                    self.guard.check(method, request, metadata, request_keys)
            except IamError as error:
                if audited:
                    await self._audit(method, request, None, error.code, error.message, CALLER.get(), request_id,
                                      request_keys)
                status = to_grpc_status(error, request_id)
                await context.abort(status.code, status.details,
                                    (*status.trailing_metadata, ("x-request-id", request_id)))
            if audited:
                await self._audit(method, request, None, "", "", CALLER.get(), request_id, request_keys)
            async for item in behavior(request, context):
                yield item

        return grpc.unary_stream_rpc_method_handler(
            unary_stream,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
