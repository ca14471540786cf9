"""The transport floor: a grpc.aio server on the same grpcio as iamd that answers Authorize and
AuthorizeBatch under the same method names and message types, with a fixed answer (the bytes of
a real iamd answer) and no authentication, authorization, decision or audit.

    python -m tests.bench.echo_server --port 50099 --response-file answer.bin
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import grpc

from iamd.v1 import authorization_pb2 as apb

SERVICE = apb.DESCRIPTOR.services_by_name["AuthorizationService"].full_name


def handler(answer: apb.AuthorizeResponse) -> grpc.GenericRpcHandler:
    async def authorize(request: apb.AuthorizeRequest, context: grpc.aio.ServicerContext) -> apb.AuthorizeResponse:
        return answer

    async def authorize_batch(request: apb.AuthorizeBatchRequest,
                              context: grpc.aio.ServicerContext) -> apb.AuthorizeBatchResponse:
        return apb.AuthorizeBatchResponse(responses=[answer] * len(request.requests))

    # Requests are parsed and answers serialized, as iamd's generated servicer does.
    return grpc.method_handlers_generic_handler(SERVICE, {
        "Authorize": grpc.unary_unary_rpc_method_handler(
            authorize, request_deserializer=apb.AuthorizeRequest.FromString,
            response_serializer=apb.AuthorizeResponse.SerializeToString),
        "AuthorizeBatch": grpc.unary_unary_rpc_method_handler(
            authorize_batch, request_deserializer=apb.AuthorizeBatchRequest.FromString,
            response_serializer=apb.AuthorizeBatchResponse.SerializeToString),
    })


async def serve(port: int, answer: apb.AuthorizeResponse) -> None:
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((handler(answer),))
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    await server.wait_for_termination()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--response-file", type=Path, required=True, help="a serialized AuthorizeResponse")
    args = parser.parse_args()
    answer = apb.AuthorizeResponse.FromString(args.response_file.read_bytes())
    try:
        asyncio.run(serve(args.port, answer))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
