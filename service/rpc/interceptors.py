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

log = structlog.get_logger(__name__)

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")


class RequestInterceptor(grpc.aio.ServerInterceptor):
    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        method = handler_call_details.method
        behavior = handler.unary_unary

        async def unary_unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
            request_id = str(uuid.uuid4())
            REQUEST_ID.set(request_id)
            structlog.contextvars.bind_contextvars(request_id=request_id, rpc=method)
            await context.send_initial_metadata((("x-request-id", request_id),))
            started = time.perf_counter()
            try:
                response = await behavior(request, context)
                log.debug("rpc_ok", elapsed_ms=round((time.perf_counter() - started) * 1000, 3))
                return response
            except IamError as error:
                log.info("rpc_refused", code=error.code, message=error.message)
                status = to_grpc_status(error, request_id)
            except grpc.aio.AbortError:
                raise
            except Exception as error:  # noqa: BLE001 — logged in full, reported opaquely
                log.error("rpc_failed", exc_info=error)
                status = internal_status(request_id)
            finally:
                structlog.contextvars.unbind_contextvars("request_id", "rpc")
            # The request id also rides in the trailers: clients read it from the error.
            await context.abort(status.code, status.details,
                                (*status.trailing_metadata, ("x-request-id", request_id)))

        return grpc.unary_unary_rpc_method_handler(
            unary_unary,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
