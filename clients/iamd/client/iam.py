"""The iamd Python SDK: sync and async clients over the IdentityService and AuthorizationService.

Every RPC of the services' descriptors becomes a snake_case method taking the request's fields
as keyword arguments (`client.create_user(user_name="alice")`), so a new RPC in the protos is
reachable without touching this module. Failures raise the typed errors of clients/iamd/client/errors.py.

Requests are serialized here, not by grpc, so that the exact bytes sent are the bytes handed to
the `metadata_provider` hook: request signing (SigV4-style, a later change) plugs in there as
a callable `(method_path, body) -> metadata pairs`.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeAlias

import grpc
import grpc.aio
from google.protobuf import descriptor, message, message_factory, timestamp_pb2

from iamd.client.errors import from_rpc_error
from iamd.v1 import audit_pb2, authorization_pb2, common_pb2, identity_pb2, organizations_pb2, sts_pb2

DEFAULT_ENDPOINT = "127.0.0.1:50051"
ENDPOINT_ENV = "IAMD_ENDPOINT"
USER_AGENT = "iamd-python-sdk/0.1"

MetadataPairs: TypeAlias = Iterable[tuple[str, str | bytes]]
# Receives the full method path ("/iamd.v1.IdentityService/CreateUser") and the serialized
# request, returns metadata to add to the call. The async client also accepts a coroutine.
MetadataProvider: TypeAlias = Callable[[str, bytes], MetadataPairs | Awaitable[MetadataPairs]]

SERVICES: tuple[descriptor.ServiceDescriptor, ...] = (
    identity_pb2.DESCRIPTOR.services_by_name["IdentityService"],
    authorization_pb2.DESCRIPTOR.services_by_name["AuthorizationService"],
    sts_pb2.DESCRIPTOR.services_by_name["SecurityTokenService"],
    audit_pb2.DESCRIPTOR.services_by_name["AuditService"],
    organizations_pb2.DESCRIPTOR.services_by_name["OrganizationsService"],
)


@dataclass(frozen=True, slots=True)
class RpcMethod:
    """One unary RPC of an iamd service, as the SDK calls it."""

    service: str
    name: str
    snake_name: str
    path: str
    request_type: type[message.Message]
    response_type: type[message.Message]

    @property
    def is_paginated(self) -> bool:
        """A list that comes in pages: IAM's Marker/MaxItems (the request's `page`), or the
        NextToken/MaxResults of AWS's JSON APIs (Organizations, CloudTrail, Access Analyzer)."""
        return "page" in self.request_type.DESCRIPTOR.fields_by_name or self.pages_by_token

    @property
    def pages_by_token(self) -> bool:
        return ("next_token" in self.request_type.DESCRIPTOR.fields_by_name
                and "next_token" in self.response_type.DESCRIPTOR.fields_by_name)


def snake_case(name: str) -> str:
    """`CreateUser` -> `create_user`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _collect_methods() -> dict[str, RpcMethod]:
    methods: dict[str, RpcMethod] = {}
    for service in SERVICES:
        for m in service.methods:
            if m.client_streaming or m.server_streaming:
                continue  # the SDK wraps unary calls; streams (WatchIdentityEvents) use the stub
            rpc = RpcMethod(
                service=service.full_name,
                name=m.name,
                snake_name=snake_case(m.name),
                path=f"/{service.full_name}/{m.name}",
                request_type=message_factory.GetMessageClass(m.input_type),
                response_type=message_factory.GetMessageClass(m.output_type),
            )
            # INVARIANT: RPC names are unique across the services the SDK exposes.
            assert rpc.snake_name not in methods, rpc.name
            methods[rpc.snake_name] = rpc
    return methods


METHODS: dict[str, RpcMethod] = _collect_methods()
_BY_RPC_NAME: dict[str, RpcMethod] = {m.name: m for m in METHODS.values()}


def method_for(rpc: str) -> RpcMethod:
    """Look an RPC up by its proto name (`CreateUser`) or its SDK name (`create_user`)."""
    found = _BY_RPC_NAME.get(rpc) or METHODS.get(rpc)
    if found is None:
        raise ValueError(f"iamd has no RPC `{rpc}`")
    return found


_log = logging.getLogger("iamd.client")  # debug: one line per call (iamctl --debug)

# What gRPC itself retries, with backoff (issue 13: retry what is safe). A refusal for load
# (Throttling, RESOURCE_EXHAUSTED) happens before a call does anything: any call may be retried.
# UNAVAILABLE may come after a command took effect (its events committed, its record not):
# only reads are retried on it; a command's caller decides whether to send it again.
_READ_PREFIXES = ("Get", "List", "Lookup", "Simulate", "Authorize", "Describe", "Check", "Explain", "ValidatePolicy")
# Named like reads, but commands: each issues a session (a SessionIssued event, as AssumeRole), and
# GetSessionToken with MFA spends the code, so that a second attempt is refused as a replay.
_ISSUES_SESSIONS = frozenset({"GetSessionToken", "GetFederationToken", "GetScopedCredentials"})
MAX_ATTEMPTS = 4


def _is_read(method: RpcMethod) -> bool:
    return method.name.startswith(_READ_PREFIXES) and method.name not in _ISSUES_SESSIONS


def retry_service_config() -> str:
    """The gRPC service config the SDK's own channels use: per-method retry policies."""
    policy = {"maxAttempts": MAX_ATTEMPTS, "initialBackoff": "0.1s", "maxBackoff": "2s", "backoffMultiplier": 2}
    reads = [m for m in METHODS.values() if _is_read(m)]
    writes = [m for m in METHODS.values() if not _is_read(m)]
    return json.dumps({"methodConfig": [
        {"name": [{"service": m.service, "method": m.name} for m in reads],
         "retryPolicy": {**policy, "retryableStatusCodes": ["UNAVAILABLE", "RESOURCE_EXHAUSTED"]}},
        {"name": [{"service": m.service, "method": m.name} for m in writes],
         "retryPolicy": {**policy, "retryableStatusCodes": ["RESOURCE_EXHAUSTED"]}},
    ]})


def default_endpoint() -> str:
    return os.environ.get(ENDPOINT_ENV) or DEFAULT_ENDPOINT


# ---------------------------------------------------------------------------------------------
# Requests from keyword arguments


def build_request(rpc: str | type[message.Message], /, **fields: Any) -> message.Message:
    """Build an RPC's request message from keyword arguments named like its fields.

    Beyond plain protobuf values it accepts the shapes people write by hand: `target=("user",
    "alice")`, `tags={"team": "x"}` or `[("team", "x")]`, enum values by short name (`"user"`,
    `"Local"`), `context={"aws:SourceIp": "10.0.0.1", "aws:TagKeys": ["a", "b"]}`, and
    `max_items=`/`marker=` as shorthands for `page=`. `None` leaves a field unset.
    """
    cls = method_for(rpc).request_type if isinstance(rpc, str) else rpc
    fields = dict(fields)
    by_name = cls.DESCRIPTOR.fields_by_name
    if "page" in by_name and ("max_items" in fields or "marker" in fields):
        page = dict(fields.pop("page", None) or {})
        for key in ("max_items", "marker"):
            if fields.get(key) is not None:
                page[key] = fields[key]
            fields.pop(key, None)
        fields["page"] = page
    return _build_message(cls, fields)


def _build_message(cls: type[message.Message], fields: Mapping[str, Any]) -> message.Message:
    msg = cls()
    by_name = cls.DESCRIPTOR.fields_by_name
    for name, value in fields.items():
        field = by_name.get(name)
        if field is None:
            valid = ", ".join(sorted(by_name)) or "none"
            raise TypeError(f"{cls.DESCRIPTOR.name} has no field `{name}` (fields: {valid})")
        if value is None:
            continue
        _set_field(msg, field, value)
    return msg


def _set_field(msg: message.Message, field: descriptor.FieldDescriptor, value: Any) -> None:
    target = getattr(msg, field.name)
    if _is_map(field):
        value_field = field.message_type.fields_by_name["value"]
        for key, item in dict(value).items():
            if value_field.message_type is not None:
                target[key].CopyFrom(_coerce_message(value_field.message_type, item))
            else:
                target[key] = _coerce_scalar(value_field, item)
        return
    if field.is_repeated:
        for item in _as_items(field, value):
            if field.message_type is not None:
                target.add().CopyFrom(_coerce_message(field.message_type, item))
            else:
                target.append(_coerce_scalar(field, item))
        return
    if field.message_type is not None:
        target.CopyFrom(_coerce_message(field.message_type, value))
        return
    setattr(msg, field.name, _coerce_scalar(field, value))


def _is_map(field: descriptor.FieldDescriptor) -> bool:
    return field.message_type is not None and field.message_type.GetOptions().map_entry


def _as_items(field: descriptor.FieldDescriptor, value: Any) -> list[Any]:
    if isinstance(value, Mapping) and field.message_type is common_pb2.Tag.DESCRIPTOR:
        return list(value.items())
    if isinstance(value, (str, bytes, Mapping, message.Message)):
        return [value]
    return list(value)


def _coerce_message(desc: descriptor.Descriptor, value: Any) -> message.Message:
    cls = message_factory.GetMessageClass(desc)
    if isinstance(value, message.Message):
        if value.DESCRIPTOR is not desc:
            raise TypeError(f"expected {desc.name}, got {value.DESCRIPTOR.name}")
        return value
    if desc is common_pb2.EntityRef.DESCRIPTOR and isinstance(value, (tuple, list)):
        kind, name = value
        return _build_message(cls, {"kind": kind, "name": name})
    if desc is common_pb2.Tag.DESCRIPTOR:
        if isinstance(value, (tuple, list)):
            key, tag_value = value
            return common_pb2.Tag(key=key, value=tag_value)
        if isinstance(value, Mapping) and {"Key"} <= set(value):
            return common_pb2.Tag(key=value["Key"], value=value.get("Value", ""))
    if desc is authorization_pb2.ContextValue.DESCRIPTOR and not isinstance(value, Mapping):
        if isinstance(value, str):
            return authorization_pb2.ContextValue(values=[value], multivalued=False)
        return authorization_pb2.ContextValue(values=[str(v) for v in value], multivalued=True)
    if desc is timestamp_pb2.Timestamp.DESCRIPTOR and isinstance(value, (str, datetime)):
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        stamp = timestamp_pb2.Timestamp()
        stamp.FromDatetime(moment)
        return stamp
    if isinstance(value, Mapping):
        return _build_message(cls, value)
    raise TypeError(f"cannot make a {desc.name} from {type(value).__name__}")


def _coerce_scalar(field: descriptor.FieldDescriptor, value: Any) -> Any:
    if field.enum_type is not None:
        return enum_value(field.enum_type, value)
    return value


def enum_value(enum: descriptor.EnumDescriptor, value: str | int) -> int:
    """Resolve an enum value given as a number, its full name or its short name (`"user"`)."""
    if isinstance(value, int):
        return value
    wanted = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", value).upper().replace("-", "_")
    prefix = snake_case(enum.name).upper() + "_"
    for candidate in (wanted, prefix + wanted):
        found = enum.values_by_name.get(candidate)
        if found is not None:
            return found.number
    choices = ", ".join(v.name.removeprefix(prefix).lower() for v in enum.values if v.number)
    raise ValueError(f"`{value}` is not a {enum.name} (choose from {choices})")


def _request_for(method: RpcMethod, request: message.Message | None, fields: dict[str, Any]):
    if request is None:
        return build_request(method.request_type, **fields)
    if fields:
        raise TypeError(f"{method.snake_name}() takes a request message or fields, not both")
    if not isinstance(request, method.request_type):
        raise TypeError(
            f"{method.snake_name}() expects {method.request_type.__name__}, "
            f"got {type(request).__name__}"
        )
    return request


def _next_page_request(method: RpcMethod, request: message.Message, response: message.Message):
    """The request for the page after `response`, or None when it was the last one."""
    following = method.request_type()
    following.CopyFrom(request)
    if method.pages_by_token:
        if not response.next_token:
            return None
        following.next_token = response.next_token
        return following
    if not getattr(response, "is_truncated", False) or not getattr(response, "marker", ""):
        return None
    following.page.marker = response.marker
    return following


# ---------------------------------------------------------------------------------------------
# Clients


class _FromEnvironment:
    """The default signer: credentials from the standard places (IAMD_ACCESS_KEY_ID and
    IAMD_SECRET_ACCESS_KEY, or a profile of IAMD_SHARED_CREDENTIALS_FILE), as AWS SDKs find theirs."""

    def __repr__(self) -> str:
        return "FROM_ENVIRONMENT"


FROM_ENVIRONMENT: Any = _FromEnvironment()


def _signer(provider: MetadataProvider | None | _FromEnvironment) -> MetadataProvider | None:
    if not isinstance(provider, _FromEnvironment):
        return provider  # the caller's own, or None: unsigned on purpose
    from iamd.client.credentials import RequestSigner, resolve_credentials

    credentials = resolve_credentials()
    return RequestSigner(credentials) if credentials is not None else None


class _ClientBase:
    def __init__(
        self,
        endpoint: str | None,
        metadata_provider: MetadataProvider | None,
        timeout: float | None,
        metadata: MetadataPairs,
    ) -> None:
        self.endpoint = endpoint or default_endpoint()
        self.metadata_provider = _signer(metadata_provider)
        self.timeout = timeout
        self._metadata = tuple(metadata)

    def _channel_options(self, options: Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
        return [("grpc.primary_user_agent", USER_AGENT), ("grpc.enable_retries", 1),
                ("grpc.service_config", retry_service_config()), *options]

    def _multicallables(self, channel: Any) -> dict[str, Any]:
        # request_serializer=None: the body is serialized before the call, so that the metadata
        # provider (request signing) sees exactly the bytes that go on the wire.
        return {
            m.path: channel.unary_unary(
                m.path,
                request_serializer=None,
                response_deserializer=m.response_type.FromString,
                _registered_method=True,
            )
            for m in METHODS.values()
        }


class IamdClient(_ClientBase):
    """Blocking client: one method per RPC (`create_user`, `authorize`, ...)."""

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        channel: grpc.Channel | None = None,
        credentials: grpc.ChannelCredentials | None = None,
        metadata_provider: MetadataProvider | None = FROM_ENVIRONMENT,
        timeout: float | None = None,
        metadata: MetadataPairs = (),
        options: Iterable[tuple[str, Any]] = (),
    ) -> None:
        super().__init__(endpoint, metadata_provider, timeout, metadata)
        self._owns_channel = channel is None
        if channel is None:
            opts = self._channel_options(options)
            channel = (
                grpc.secure_channel(self.endpoint, credentials, options=opts)
                if credentials is not None
                else grpc.insecure_channel(self.endpoint, options=opts)
            )
        self._channel = channel
        self._calls = self._multicallables(channel)

    def call(
        self,
        rpc: str,
        request: message.Message | None = None,
        /,
        *,
        timeout: float | None = None,
        metadata: MetadataPairs = (),
        **fields: Any,
    ) -> Any:
        """Call an RPC by name with a request message or its fields; raise IamClientError."""
        method = method_for(rpc)
        request = _request_for(method, request, fields)
        body = request.SerializeToString(deterministic=True)
        call_metadata = [*self._metadata, *metadata]
        if self.metadata_provider is not None:
            extra = self.metadata_provider(method.path, body)
            if inspect.isawaitable(extra):
                raise TypeError("IamdClient needs a synchronous metadata_provider")
            call_metadata.extend(extra)
        started = time.monotonic()
        try:
            response = self._calls[method.path](
                body,
                timeout=self.timeout if timeout is None else timeout,
                metadata=call_metadata,
            )
        except grpc.RpcError as e:
            error = from_rpc_error(e)
            _log.debug("%s %s -> %s (%s) in %.1f ms", self.endpoint, method.path, error.code, error.request_id,
                       (time.monotonic() - started) * 1000)
            raise error from e
        _log.debug("%s %s -> OK, %d bytes sent, in %.1f ms", self.endpoint, method.path, len(body),
                   (time.monotonic() - started) * 1000)
        return response

    def iter_pages(
        self,
        rpc: str,
        request: message.Message | None = None,
        /,
        *,
        timeout: float | None = None,
        metadata: MetadataPairs = (),
        **fields: Any,
    ) -> Iterator[Any]:
        """Yield every page of a paginated RPC, following the marker until the last page."""
        method = method_for(rpc)
        current: message.Message | None = _request_for(method, request, fields)
        while current is not None:
            response = self.call(method.name, current, timeout=timeout, metadata=metadata)
            yield response
            current = _next_page_request(method, current, response) if method.is_paginated else None

    def close(self) -> None:
        if self._owns_channel:
            self._channel.close()

    def __enter__(self) -> IamdClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncIamdClient(_ClientBase):
    """asyncio client over grpc.aio: one coroutine method per RPC (`await c.create_user(...)`)."""

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        channel: grpc.aio.Channel | None = None,
        credentials: grpc.ChannelCredentials | None = None,
        metadata_provider: MetadataProvider | None = FROM_ENVIRONMENT,
        timeout: float | None = None,
        metadata: MetadataPairs = (),
        options: Iterable[tuple[str, Any]] = (),
    ) -> None:
        super().__init__(endpoint, metadata_provider, timeout, metadata)
        self._owns_channel = channel is None
        if channel is None:
            opts = self._channel_options(options)
            channel = (
                grpc.aio.secure_channel(self.endpoint, credentials, options=opts)
                if credentials is not None
                else grpc.aio.insecure_channel(self.endpoint, options=opts)
            )
        self._channel = channel
        self._calls = self._multicallables(channel)

    async def call(
        self,
        rpc: str,
        request: message.Message | None = None,
        /,
        *,
        timeout: float | None = None,
        metadata: MetadataPairs = (),
        **fields: Any,
    ) -> Any:
        """Call an RPC by name with a request message or its fields; raise IamClientError."""
        method = method_for(rpc)
        request = _request_for(method, request, fields)
        body = request.SerializeToString(deterministic=True)
        call_metadata = [*self._metadata, *metadata]
        if self.metadata_provider is not None:
            extra = self.metadata_provider(method.path, body)
            if inspect.isawaitable(extra):
                extra = await extra
            call_metadata.extend(extra)
        try:
            return await self._calls[method.path](
                body,
                timeout=self.timeout if timeout is None else timeout,
                metadata=call_metadata,
            )
        except grpc.RpcError as e:
            raise from_rpc_error(e) from e

    async def iter_pages(
        self,
        rpc: str,
        request: message.Message | None = None,
        /,
        *,
        timeout: float | None = None,
        metadata: MetadataPairs = (),
        **fields: Any,
    ) -> AsyncIterator[Any]:
        """Yield every page of a paginated RPC, following the marker until the last page."""
        method = method_for(rpc)
        current: message.Message | None = _request_for(method, request, fields)
        while current is not None:
            response = await self.call(method.name, current, timeout=timeout, metadata=metadata)
            yield response
            current = _next_page_request(method, current, response) if method.is_paginated else None

    async def close(self) -> None:
        if self._owns_channel:
            await self._channel.close()

    async def __aenter__(self) -> AsyncIamdClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


def _sync_rpc(method: RpcMethod) -> Callable[..., Any]:
    def rpc(self: IamdClient, request=None, /, *, timeout=None, metadata=(), **fields):
        return self.call(method.name, request, timeout=timeout, metadata=metadata, **fields)

    return _named(rpc, method)


def _async_rpc(method: RpcMethod) -> Callable[..., Any]:
    async def rpc(self: AsyncIamdClient, request=None, /, *, timeout=None, metadata=(), **fields):
        return await self.call(method.name, request, timeout=timeout, metadata=metadata, **fields)

    return _named(rpc, method)


def _named(fn: Callable[..., Any], method: RpcMethod) -> Callable[..., Any]:
    fn.__name__ = method.snake_name
    fn.__doc__ = (
        f"Call {method.service}/{method.name}: keyword arguments are the fields of "
        f"{method.request_type.__name__}; returns {method.response_type.__name__}."
    )
    return fn


_CALL_OPTIONS = {"timeout", "metadata"}
for _method in METHODS.values():
    # INVARIANT: a generated method never shadows the clients' own API, and no request field
    # is named like a per-call option.
    assert not hasattr(IamdClient, _method.snake_name), _method.snake_name
    assert not (_CALL_OPTIONS & set(_method.request_type.DESCRIPTOR.fields_by_name)), _method.name
    for _cls, _qualname in ((IamdClient, "IamdClient"), (AsyncIamdClient, "AsyncIamdClient")):
        _fn = (_sync_rpc if _cls is IamdClient else _async_rpc)(_method)
        _fn.__qualname__ = f"{_qualname}.{_method.snake_name}"
        setattr(_cls, _method.snake_name, _fn)
del _method, _cls, _qualname, _fn


__all__ = [
    "DEFAULT_ENDPOINT",
    "ENDPOINT_ENV",
    "METHODS",
    "AsyncIamdClient",
    "IamdClient",
    "MetadataProvider",
    "RpcMethod",
    "build_request",
    "default_endpoint",
    "enum_value",
    "method_for",
]
