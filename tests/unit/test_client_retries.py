"""The SDK's channels retry what is safe, through gRPC's own retry policy, against a real server:
reads on UNAVAILABLE and RESOURCE_EXHAUSTED; commands only on RESOURCE_EXHAUSTED (a refusal for
load happens before a command does anything; UNAVAILABLE may come after it took effect)."""

from __future__ import annotations

import collections
from collections.abc import Iterator
from concurrent import futures

import grpc
import pytest

from iamd.client.errors import IamClientError
from iamd.client.iam import MAX_ATTEMPTS, IamdClient
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb


class _Flaky(grpc.GenericRpcHandler):
    """Fails each method `failures[path]` times with `status`, then answers."""

    def __init__(self, failures: dict[str, tuple[int, grpc.StatusCode]]) -> None:
        self.failures = failures
        self.attempts: collections.Counter[str] = collections.Counter()

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler:
        path = details.method

        def answer(request: bytes, context: grpc.ServicerContext) -> bytes:
            self.attempts[path] += 1
            count, status = self.failures.get(path, (0, grpc.StatusCode.OK))
            if self.attempts[path] <= count:
                context.abort(status, "flaky")
            if path.endswith("/GetUser"):
                return ipb.GetUserResponse(user=pb.User(user_name="alice")).SerializeToString()
            return ipb.CreateUserResponse(user=pb.User(user_name="bob")).SerializeToString()

        return grpc.unary_unary_rpc_method_handler(answer)


@pytest.fixture
def flaky() -> Iterator[tuple[_Flaky, str]]:
    handler = _Flaky({})
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield handler, f"127.0.0.1:{port}"
    finally:
        server.stop(None)


GET_USER = "/iamd.v1.IdentityService/GetUser"
CREATE_USER = "/iamd.v1.IdentityService/CreateUser"


def test_a_read_is_retried_until_it_is_answered(flaky: tuple[_Flaky, str]) -> None:
    handler, target = flaky
    handler.failures[GET_USER] = (2, grpc.StatusCode.UNAVAILABLE)
    with IamdClient(target, metadata_provider=None) as client:
        assert client.call("GetUser", user_name="alice").user.user_name == "alice"
    assert handler.attempts[GET_USER] == 3


def test_a_command_is_retried_when_refused_for_load(flaky: tuple[_Flaky, str]) -> None:
    handler, target = flaky
    handler.failures[CREATE_USER] = (2, grpc.StatusCode.RESOURCE_EXHAUSTED)
    with IamdClient(target, metadata_provider=None) as client:
        assert client.call("CreateUser", user_name="bob").user.user_name == "bob"
    assert handler.attempts[CREATE_USER] == 3


def test_a_command_is_not_retried_when_unavailable(flaky: tuple[_Flaky, str]) -> None:
    handler, target = flaky
    handler.failures[CREATE_USER] = (1, grpc.StatusCode.UNAVAILABLE)
    with IamdClient(target, metadata_provider=None) as client, pytest.raises(IamClientError):
        client.call("CreateUser", user_name="bob")
    assert handler.attempts[CREATE_USER] == 1  # it may have taken effect: the caller decides


def test_retries_are_bounded(flaky: tuple[_Flaky, str]) -> None:
    handler, target = flaky
    handler.failures[GET_USER] = (100, grpc.StatusCode.UNAVAILABLE)
    with IamdClient(target, metadata_provider=None) as client, pytest.raises(IamClientError):
        client.call("GetUser", user_name="alice")
    assert handler.attempts[GET_USER] == MAX_ATTEMPTS
