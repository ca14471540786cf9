"""The gate every iamd.v1 call passes, wrapped around each servicer method once, at start.

Per call, in a straight line: a request id (bound to the call's log lines); admission (at most
`max_in_flight` calls at once, Throttling beyond); the request's bytes, size-checked for their
RPC and parsed (undecodable bytes are answered INVALID_ARGUMENT, not UNKNOWN); the signature
checked over the bytes that arrived and the IAM action authorized (the guard); for a mutating
call, its audit fact handed to the use case to ride in its events (AUDIT_CARRIER); the servicer;
the call's compact audit fact handed to the writer (in durable mode the answer waits for its
commit, unless the call's events already carried it); IamErrors mapped to their status with rich
details; a store that cannot write answered ServiceUnavailable; anything else logged and answered
ServiceFailure with the request id. Once answered, a call is told to the observer (metrics, see
service/metrics.py) and, unless turned off, written to the access log: one line per call. With
tracing on (a `tracer`, service/tracing.py), each call is one server span around all of that.

Not a grpc.aio interceptor: an interceptor is consulted and builds a new handler on every call,
and the request id rode in an extra initial-metadata frame; here handlers are built once and the
request id rides in the trailers, which are sent anyway.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextvars import ContextVar
from time import perf_counter
from typing import Any, NoReturn, Protocol

import grpc
import structlog
from google.protobuf import descriptor as pb_descriptor
from google.protobuf import message as pb_message

from iamd.service.app.authenticate import Caller, SignedCall
from iamd.service.app.ports import AuditCarrier, Clock, iso8601
from iamd.service.audit.record import (
    HIDDEN,
    SECRET_FIELDS,
    DecisionFact,
    call_fact,
    is_read_only,
    kept,
    omitted,
    user_identity,
)
from iamd.service.audit.writer import AuditWriter
from iamd.service.awsapi.operations import aws_operation
from iamd.service.domain.errors import (
    FieldProblem,
    IamError,
    InvalidInputError,
    ServiceFailureError,
    ServiceUnavailableError,
    ThrottlingError,
)
from iamd.service.eventstore.errors import EventStoreUnavailable
from iamd.service.eventstore.port import new_id

from .errors import STATUS_BY_ERROR, to_grpc_status
from .messages import Method, MessageDecoder
from .guard import CALLER, GUARDED_PREFIX, RESOURCES, CallGuard

log = structlog.get_logger(__name__)
# One line per answered call (--no-access-log turns it off): who called what, how it ended, how
# long it took. Never a request's or response's content, nor a signature, key or token.
access_log = structlog.get_logger("iamd.access")

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")
OPERATION: ContextVar[str] = ContextVar("operation", default="")  # "CreateUser", ...
# A mutating call's audit fact, handed to the use cases (CallContext.audit) so that the events
# they append carry it: see AuditCarrier.
AUDIT_CARRIER: ContextVar[AuditCarrier | None] = ContextVar("audit_carrier", default=None)
# Set by Authorize/AuthorizeBatch: the decisions this call's record carries.
AUDIT_DECISIONS: ContextVar[list[DecisionFact] | None] = ContextVar("audit_decisions", default=None)
# Set by an unsigned call whose caller its own credential names once checked (the token of
# AssumeRoleWithWebIdentity): the userIdentity its record carries (a WebIdentityUser).
AUDIT_IDENTITY: ContextVar[dict[str, Any] | None] = ContextVar("audit_identity", default=None)


# Answered even while the projection is not following its log: the operator's view of that.
ANSWERED_WHEN_STALE = frozenset({"GetProjectionStatus"})


class Refused:
    """The answer to a call the gate or its use case refused: the IamError, already audited."""

    __slots__ = ("error",)

    def __init__(self, error: IamError) -> None:
        self.error = error


async def _abort(context: grpc.aio.ServicerContext, error: IamError, request_id: str) -> NoReturn:
    """End a gRPC call with the IamError's status and details, its request id in the trailers."""
    status = to_grpc_status(error, request_id)
    await context.abort(status.code, status.details, (*status.trailing_metadata, ("x-request-id", request_id)))


class CallObserver(Protocol):
    """What is told of every answered call (the metrics, service/metrics.py)."""

    def call_finished(self, method: Method, code: grpc.StatusCode, error: str, seconds: float) -> None: ...

    def decided(self, rpc: str, decisions: Sequence[DecisionFact]) -> None: ...


class CallSpan(Protocol):
    def end(self, code: grpc.StatusCode, error: str, caller_arn: str | None,
            decisions: Sequence[DecisionFact] | None) -> None: ...


class CallTracer(Protocol):
    """Starts each call's server span (OpenTelemetry, service/tracing.py), when tracing is on."""

    def start(self, method: Method, metadata: Mapping[str, str], request_id: str, request_keys: Mapping[str, str],
              http: bool, current: bool = True) -> CallSpan: ...


# A unary call behind the gate, for a transport other than gRPC (see CallGateway.handler).
Invoke = Callable[[bytes, Any, str, dict[str, str], dict[str, str], SignedCall], Awaitable[Any]]


def _event_name(method: Method, request: pb_message.Message | None) -> str:
    """CloudTrail's eventName of a call: the AWS operation it is (AttachPolicy on a user is
    AttachUserPolicy), else iamd's RPC name (Authorize, ...)."""
    op = aws_operation(method.rpc, request)
    return op.name if op is not None else method.rpc


def peer_ip(peer: str) -> str:
    """The address in a gRPC peer string: "ipv4:127.0.0.1:5555", "ipv6:[::1]:5555", "unix:/path"."""
    kind, _, rest = peer.partition(":")
    if kind in ("ipv4", "ipv6"):
        return rest.rsplit(":", 1)[0].strip("[]")
    return rest


# --- redaction of protobuf bytes ------------------------------------------------------------------

# Where a message's secret fields are, as plain tuples (the check every call makes walks it, a
# batch per item): (field, its name, how to look at it, the secrets inside it); the name read once
# from the descriptor, whose attributes cost a lookup each.
_Tree = tuple[tuple[pb_descriptor.FieldDescriptor, str, int, "_Tree"], ...]
_SECRET, _REPEATED, _SINGULAR = 0, 1, 2


def _secret_tree(desc: pb_descriptor.Descriptor, depth: int = 0) -> _Tree:
    """Where a message's secret fields (by JSON name) are, through nested messages: each repeated
    field is then walked once for all the secrets below it."""
    tree = []
    for f in desc.fields:
        if f.json_name in SECRET_FIELDS:
            tree.append((f, f.name, _SECRET, ()))
        elif f.type == f.TYPE_MESSAGE and depth < 8 and not f.message_type.GetOptions().map_entry:
            inside = _secret_tree(f.message_type, depth + 1)
            if inside:
                tree.append((f, f.name, _REPEATED if f.is_repeated else _SINGULAR, inside))
    return tuple(tree)


def _has_secret(msg: pb_message.Message, tree: _Tree) -> bool:
    for _, name, how, inside in tree:
        if how == _SECRET:
            if getattr(msg, name):
                return True
        elif how == _REPEATED:
            for item in getattr(msg, name):
                if _has_secret(item, inside):
                    return True
        elif msg.HasField(name) and _has_secret(getattr(msg, name), inside):
            return True
    return False


def _hide(msg: pb_message.Message, tree: _Tree) -> None:
    """Replace every secret of `msg` (a copy) with the redaction marker."""
    for f, name, how, inside in tree:
        if how == _SECRET:
            _hide_field(msg, f)
        elif how == _REPEATED:
            for item in getattr(msg, name):
                _hide(item, inside)
        elif msg.HasField(name):
            _hide(getattr(msg, name), inside)


def _hide_field(msg: pb_message.Message, f: pb_descriptor.FieldDescriptor) -> None:
    value = getattr(msg, f.name)
    if not value:
        return
    if f.message_type is not None and f.message_type.GetOptions().map_entry:
        value.clear()  # rendering shows the field as hidden: its name is a secret field's
        if f.message_type.fields_by_name["value"].type == f.TYPE_STRING:
            value[HIDDEN] = HIDDEN
    elif f.is_repeated:
        del value[:]
    elif f.type == f.TYPE_BYTES:
        setattr(msg, f.name, HIDDEN.encode())
    elif f.type == f.TYPE_STRING:
        setattr(msg, f.name, HIDDEN)
    else:
        msg.ClearField(f.name)


class Redactor:
    """The bytes of a message with every secret replaced; the bytes as they are when it has none."""

    def __init__(self) -> None:
        self._trees: dict[str, _Tree] = {}  # by message type

    def __call__(self, msg: pb_message.Message, raw: bytes | None = None) -> bytes:
        tree = self._trees.get(msg.DESCRIPTOR.full_name)
        if tree is None:
            tree = self._trees[msg.DESCRIPTOR.full_name] = _secret_tree(msg.DESCRIPTOR)
        if not _has_secret(msg, tree):
            return raw if raw is not None else msg.SerializeToString()
        copy = type(msg)()
        copy.CopyFrom(msg)
        _hide(copy, tree)
        return copy.SerializeToString()


# --- the gateway ----------------------------------------------------------------------------------

class CallGateway:
    """Authentication, authorization, audit and error mapping around every iamd.v1 method."""

    def __init__(self, guard: CallGuard | None, writer: AuditWriter | None, clock: Clock, *, tls: bool = False,
                 max_in_flight: int = 1024, stalled_for: Callable[[], float] | None = None,
                 max_staleness: float = 5.0, observer: CallObserver | None = None,
                 access_log: bool = False, tracer: CallTracer | None = None) -> None:
        self.guard = guard  # None only in tests of the gateway itself
        self.writer = writer
        self.clock = clock
        self.tls = tls
        self.max_in_flight = max_in_flight
        # Seconds the identity projection has not been following its log (see ProjectionRunner).
        self.stalled_for = stalled_for
        self.max_staleness = max_staleness
        self.in_flight = 0
        self.throttled = 0
        self.observer = observer
        self.access_log = access_log
        self.tracer = tracer
        if tracer is not None:
            # Chosen once: with tracing off, a call pays nothing for it, not even a check.
            self.invoke = self._traced_invoke  # type: ignore[method-assign]
        self.redact = Redactor()
        self._identities: dict[tuple[str, str], dict[str, Any]] = {}
        # Every registered unary method by RPC name, for other transports (the HTTP endpoint).
        self.methods: dict[str, tuple[Method, Callable[[Any, Any], Awaitable[Any]]]] = {}

    def register(self, server: grpc.aio.Server, servicer: Any, service: pb_descriptor.ServiceDescriptor) -> None:
        """Serve `servicer`'s methods of `service` on `server`, each wrapped once."""
        handlers = {}
        for m in service.methods:
            method = Method(service, m)
            behavior = getattr(servicer, m.name)
            if method.streaming:
                handlers[m.name] = grpc.unary_stream_rpc_method_handler(
                    self._stream(method, behavior), request_deserializer=None,
                    response_serializer=method.response_class.SerializeToString)
            else:
                self.methods[m.name] = (method, behavior)
                handlers[m.name] = grpc.unary_unary_rpc_method_handler(
                    self._unary(method, behavior), request_deserializer=None,
                    response_serializer=method.response_class.SerializeToString)
        # Generic handlers only: grpc.aio's serving loop waits on one pending future per
        # *registered* method, so registering iamd's ~110 methods costs every call an
        # asyncio.wait over ~110 futures (measured: about a third of the server's CPU per call).
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service.full_name, handlers),))

    def begin(self, method: Method, metadata: dict[str, str], peer: str, secure: bool) -> tuple[str, dict[str, str]]:
        """A new request id (bound to the call's log lines) and the request context keys the
        call's transport implies."""
        request_id = new_id()
        REQUEST_ID.set(request_id)
        OPERATION.set(method.rpc)
        # Every log line of the call names it (each call runs in a context of its own).
        structlog.contextvars.bind_contextvars(request_id=request_id, rpc=method.rpc)
        CALLER.set(None)
        RESOURCES.set([])
        AUDIT_DECISIONS.set(None)
        AUDIT_CARRIER.set(None)
        AUDIT_IDENTITY.set(None)
        request_keys = {"aws:SourceIp": peer_ip(peer), "aws:SecureTransport": "true" if secure else "false",
                        "aws:UserAgent": metadata.get("user-agent", "")}
        return request_id, request_keys

    def _begin(self, method: Method, context: grpc.aio.ServicerContext) -> tuple[str, dict[str, str], dict[str, str]]:
        metadata = {k: v for k, v in (context.invocation_metadata() or ()) if isinstance(v, str)}
        request_id, request_keys = self.begin(method, metadata, context.peer() or "", self.tls)
        return request_id, metadata, request_keys

    @staticmethod
    def _parse(method: Method, raw: bytes) -> pb_message.Message:
        if len(raw) > method.max_request_bytes:
            raise InvalidInputError(f"the request is {len(raw)} bytes; {method.rpc} accepts at most "
                                    f"{method.max_request_bytes}",
                                    problems=[FieldProblem("request", f"at most {method.max_request_bytes} bytes")])
        try:
            return method.request_class.FromString(raw)
        except (pb_message.DecodeError, RuntimeError):  # RuntimeError: upb's recursion limit
            raise InvalidInputError(f"the request is not a valid {method.request_class.DESCRIPTOR.name} message",
                                    problems=[FieldProblem("request", "undecodable protobuf bytes")]) from None

    def _unary(self, method: Method, behavior: Callable[[Any, Any], Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def call(raw: bytes, context: grpc.aio.ServicerContext) -> Any:
            request_id, metadata, request_keys = self._begin(method, context)
            context.set_trailing_metadata((("x-request-id", request_id),))
            outcome = await self.invoke(method, behavior, raw, context, request_id, metadata, request_keys)
            if isinstance(outcome, Refused):
                await _abort(context, outcome.error, request_id)
            return outcome

        return call

    def handler(self, method: Method, behavior: Callable[[Any, Any], Awaitable[Any]]) -> Invoke:
        """`behavior` (a servicer method) behind the gate, for another transport (the AWS-compatible
        HTTP endpoint): call it with the output of `begin` and what the signature covers."""
        async def call(raw: bytes, context: Any, request_id: str, metadata: dict[str, str],
                       request_keys: dict[str, str], signed: SignedCall) -> Any:
            return await self.invoke(method, behavior, raw, context, request_id, metadata, request_keys, signed)

        return call

    async def invoke(self, method: Method, behavior: Callable[[Any, Any], Awaitable[Any]], raw: bytes, context: Any,
                     request_id: str, metadata: dict[str, str], request_keys: dict[str, str],
                     signed: SignedCall | None = None) -> Any:
        """One unary call through the gate, whatever its transport: its response, or Refused with
        the IamError that answers it. Either way its record was handed to the audit writer, and
        the call was told to the observer and the access log."""
        started = perf_counter()
        try:
            outcome = await self._invoke(method, behavior, raw, context, request_id, metadata, request_keys, signed)
        except BaseException as e:  # the caller went away (CancelledError), or a servicer aborted
            self._answered(method, request_id, request_keys, started,
                           grpc.StatusCode.CANCELLED if isinstance(e, asyncio.CancelledError)
                           else grpc.StatusCode.UNKNOWN, "")
            raise
        if isinstance(outcome, Refused):
            self._answered(method, request_id, request_keys, started, STATUS_BY_ERROR[type(outcome.error)],
                           outcome.error.code)
        else:
            if self.observer is not None:
                decisions = AUDIT_DECISIONS.get()
                if decisions:
                    self.observer.decided(method.rpc, decisions)
            self._answered(method, request_id, request_keys, started, grpc.StatusCode.OK, "")
        return outcome

    async def _traced_invoke(self, method: Method, behavior: Callable[[Any, Any], Awaitable[Any]], raw: bytes,
                             context: Any, request_id: str, metadata: dict[str, str], request_keys: dict[str, str],
                             signed: SignedCall | None = None) -> Any:
        """`invoke` (tracing on) inside the call's server span, which is the parent of the spans
        of what the call does (appends, the audit commit wait)."""
        assert self.tracer is not None
        span = self.tracer.start(method, metadata, request_id, request_keys, signed is not None)
        code, error = grpc.StatusCode.UNKNOWN, ""
        try:
            outcome = await CallGateway.invoke(self, method, behavior, raw, context, request_id, metadata,
                                               request_keys, signed)
            if isinstance(outcome, Refused):
                code, error = STATUS_BY_ERROR[type(outcome.error)], outcome.error.code
            else:
                code = grpc.StatusCode.OK
            return outcome
        except asyncio.CancelledError:
            code = grpc.StatusCode.CANCELLED
            raise
        finally:
            caller = CALLER.get()
            span.end(code, error, caller.arn if caller is not None else None, AUDIT_DECISIONS.get())

    def _answered(self, method: Method, request_id: str, request_keys: Mapping[str, str], started: float,
                  code: grpc.StatusCode, error: str) -> None:
        """Tell the observer and the access log how a call ended: its status and IAM error code."""
        if self.observer is None and not self.access_log:
            return
        seconds = perf_counter() - started
        if self.observer is not None:
            self.observer.call_finished(method, code, error, seconds)
        if self.access_log:
            caller = CALLER.get()
            access_log.info("call_answered", rpc=method.rpc,
                            caller=caller.arn if caller is not None else "unauthenticated",
                            code=code.name, error=error, duration_ms=round(seconds * 1000, 3),
                            request_id=request_id, source_ip=request_keys["aws:SourceIp"])

    async def _invoke(self, method: Method, behavior: Callable[[Any, Any], Awaitable[Any]], raw: bytes, context: Any,
                      request_id: str, metadata: dict[str, str], request_keys: dict[str, str],
                      signed: SignedCall | None) -> Any:
        audited = self.writer is not None
        request = None
        admitted = False
        try:
            if self.in_flight >= self.max_in_flight:  # bounded work instead of an unbounded queue
                self.throttled += 1
                raise ThrottlingError(f"more than {self.max_in_flight} calls in flight; retry shortly")
            self.in_flight += 1
            admitted = True
            request = self._parse(method, raw)
            if self.stalled_for is not None and method.rpc not in ANSWERED_WHEN_STALE:
                self._refuse_if_stale(self.stalled_for())
            caller = None
            if self.guard is not None:
                caller = self.guard.check(method.path, raw, request, metadata, request_keys, signed)
            if audited and caller is not None and not is_read_only(method.rpc):
                carried = {"eventID": new_id(), "service": method.service, "userIdentity": self._identity(caller),
                           "request": self._kept_request(request, raw, caller)}
                event_name = _event_name(method, request)
                if event_name != method.rpc:
                    carried["eventName"] = event_name
                AUDIT_CARRIER.set(AuditCarrier(carried))
            response = await behavior(request, context)
            if self.guard is not None and caller is not None:
                # Only a call that succeeded marks its key as used: a refused one writes nothing.
                # Best effort: a key's last use that cannot be written (a full disk) must not
                # refuse a call whose own effects are already committed.
                try:
                    await self.guard.note_use(caller, method.path, request_id, request_keys)
                except Exception as e:  # noqa: BLE001 — logged; GetAccessKeyLastUsed is advisory
                    log.warning("key_use_not_recorded", error=str(e))
            if audited:
                # The answer leaves only once its record is durable (unless configured otherwise):
                # a record that cannot be stored refuses the call, retryably.
                try:
                    await self._audit(method, raw, request, response, "", "", request_id, request_keys)
                except Exception as e:  # noqa: BLE001 — reported to the caller as retryable
                    log.error("audit_record_not_stored", request_id=request_id, rpc=method.rpc, exc_info=e)
                    raise ServiceUnavailableError("the call's audit record could not be stored; retry") from None
            return response
        except EventStoreUnavailable as failure:
            log.error("store_unavailable", request_id=request_id, rpc=method.rpc, error=str(failure))
            error: IamError = ServiceUnavailableError("the event store cannot take writes right now; retry")
        except IamError as refusal:
            log.info("rpc_refused", request_id=request_id, rpc=method.rpc, code=refusal.code, message=refusal.message)
            error = refusal
        except grpc.aio.AbortError:
            raise
        except Exception as failure:  # noqa: BLE001 — logged in full, reported opaquely
            log.error("rpc_failed", request_id=request_id, rpc=method.rpc, exc_info=failure)
            error = ServiceFailureError(f"internal failure; request id {request_id}")
        finally:
            if admitted:
                self.in_flight -= 1
        if audited:
            try:
                await self._audit(method, raw, request, None, error.code, error.message, request_id, request_keys)
            except Exception as e:  # noqa: BLE001 — the call already failed; its error stands
                log.error("audit_record_lost", request_id=request_id, exc_info=e)
        return Refused(error)

    def _refuse_if_stale(self, stalled: float) -> None:
        """Never decide on state that may be stale without saying so: past the bound, a call is
        refused (retryably) until the projection follows its log again."""
        if stalled > self.max_staleness:
            raise ServiceUnavailableError(
                f"iamd's view of the log stopped following it {stalled:.1f} s ago (more than "
                f"{self.max_staleness:g} s); its decisions could be stale, so it refuses them until it "
                "follows again; retry")

    def _stream(self, method: Method, behavior: Callable[[Any, Any], AsyncIterator[Any]]) -> Callable[..., Any]:
        """Server-streaming calls pass the same gate (and leave a record) before the first message."""
        audited = self.writer is not None

        async def call(raw: bytes, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            request_id, metadata, request_keys = self._begin(method, context)
            started = perf_counter()
            code, error_code = grpc.StatusCode.UNKNOWN, ""  # until the stream ends otherwise
            # Not made current: the generator may be resumed in another context than this one.
            span = (self.tracer.start(method, metadata, request_id, request_keys, False, current=False)
                    if self.tracer is not None else None)
            try:
                request = None
                try:
                    request = self._parse(method, raw)
                    if self.guard is not None:
                        self.guard.check(method.path, raw, request, metadata, request_keys)
                except IamError as error:
                    if audited:
                        await self._audit(method, raw, request, None, error.code, error.message, request_id,
                                          request_keys)
                    code, error_code = STATUS_BY_ERROR[type(error)], error.code
                    await _abort(context, error, request_id)
                if audited:
                    await self._audit(method, raw, request, None, "", "", request_id, request_keys)
                # A refusal found while streaming (a position the store refuses, an outage) ends the
                # stream with its IAM error, as a unary call's would; anything else is logged in full.
                failure: IamError | None = None
                try:
                    async for item in behavior(request, context):
                        yield item
                except EventStoreUnavailable as e:
                    log.error("store_unavailable", request_id=request_id, rpc=method.rpc, error=str(e))
                    failure = ServiceUnavailableError("the event store cannot be read right now; retry")
                except IamError as refusal:
                    log.info("rpc_refused", request_id=request_id, rpc=method.rpc, code=refusal.code,
                             message=refusal.message)
                    failure = refusal
                if failure is not None:
                    code, error_code = STATUS_BY_ERROR[type(failure)], failure.code
                    await _abort(context, failure, request_id)
                code = grpc.StatusCode.OK
            except (GeneratorExit, asyncio.CancelledError):  # the caller went away
                code, error_code = grpc.StatusCode.CANCELLED, ""
                raise
            finally:
                self._answered(method, request_id, request_keys, started, code, error_code)
                if span is not None:
                    caller = CALLER.get()
                    span.end(code, error_code, caller.arn if caller is not None else None, None)

        return call

    async def _audit(self, method: Method, raw: bytes, request: pb_message.Message | None, response: Any,
                     error_code: str, error_message: str, request_id: str, request_keys: Mapping[str, str]) -> None:
        assert self.writer is not None
        caller = CALLER.get()
        decisions = AUDIT_DECISIONS.get()
        carrier = AUDIT_CARRIER.get()
        fact = call_fact(
            event_id=carrier.fact["eventID"] if carrier else new_id(), request_id=request_id,
            event_time=iso8601(self.clock.now()),
            service=method.service, rpc=method.rpc, source_ip=request_keys["aws:SourceIp"],
            user_agent=request_keys["aws:UserAgent"], user_identity=self._identity(caller) or AUDIT_IDENTITY.get(),
            request=carrier.fact["request"] if carrier else self._kept_request(request, raw, caller),
            response=self.redact(response) if response is not None and not is_read_only(method.rpc) else None,
            error_code=error_code, error_message=error_message, resources=RESOURCES.get(),
            decisions=decisions, batch=method.rpc == "AuthorizeBatch", event_name=_event_name(method, request))
        # A call whose events committed carries its fact in them: its record need not be waited for
        # (a crash before it is stored leaves it rebuildable, see service/audit/recovery.py).
        await self.writer.write(fact, wait=not (carrier is not None and carrier.committed and not error_code))

    def _kept_request(self, request: pb_message.Message | None, raw: bytes, caller: Caller | None) -> str | dict[str, Any]:
        """The request as its record keeps it: redacted bytes, bounded for the caller's kind.
        Undecodable bytes cannot be redacted field by field: only their size and hash are kept."""
        if request is None:
            return omitted(raw) if raw else ""
        return kept(self.redact(request, raw), authenticated=caller is not None)

    def _identity(self, caller: Caller | None) -> dict[str, Any] | None:
        """The caller's CloudTrail userIdentity, built once per access key and ARN (a renamed user
        has a new ARN; a session's key always names the same session)."""
        if caller is None:
            return None
        key = (caller.access_key_id, caller.arn)
        identity = self._identities.get(key)
        if identity is None:
            identity = user_identity({"arn": caller.arn, "account_id": caller.account_id, "kind": caller.kind,
                                      "name": caller.name, "principal_id": caller.principal_id,
                                      "access_key_id": caller.access_key_id, "session": caller.session})
            if len(self._identities) >= 10_000:
                self._identities.clear()  # bounded; rebuilt on the next call
            self._identities[key] = identity
        return identity


