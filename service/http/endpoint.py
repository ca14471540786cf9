"""The AWS-compatible HTTP endpoint: IAM and STS over the AWS Query protocol, Organizations and
CloudTrail's LookupEvents over JSON 1.1, and IAM Access Analyzer's ValidatePolicy over REST-JSON,
for the aws CLI, boto3 and the AWS SDKs (`--endpoint-url`); and, unauthenticated as AWS's, the
OpenID discovery documents and JWKS of outbound identity federation's issuers
(`/outbound-federation/ISSUER-ID/.well-known/openid-configuration` and `.../jwks.json`).

A thin transport, like the gRPC servicers: per request, in a straight line, the form is decoded
and parsed against botocore's model of the operation (service/awsapi/query.py), turned into the
iamd request of the RPC that serves it (service/awsapi/operations.py), and passed through the
same gate as a gRPC call (CallGateway: admission, SigV4 authentication, the IAM action's
authorization, audit, error mapping); the response or the refusal is serialized as AWS shapes it.
One application layer, two transports.
"""

from __future__ import annotations

import json
import ssl
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog
from aiohttp import web
from google.protobuf import json_format

from iamd.service.app.authenticate import SignedCall
from iamd.service.app.outbound_federation import OutboundFederation
from iamd.client import signing
from iamd.service.awsapi import json11, query
from iamd.service.awsapi.operations import OPERATIONS, Operation, to_output, to_request
from iamd.service.domain.errors import IamError
from iamd.service.eventstore.port import new_id
from iamd.service.rpc.gateway import CallGateway, Invoke, Refused

from .listen import serve_app

log = structlog.get_logger(__name__)

MAX_BODY_BYTES = 256 * 1024  # a Query request carries at most a 10 KB policy (form-encoded: ~3x) and tags
MAX_FIELDS = 2000  # form fields per request: 50 tags are 100, a simulation's context a few hundred
_FORM = "application/x-www-form-urlencoded"


class HttpCallContext:
    """What a servicer reads of its call's transport (the subset of grpc.aio.ServicerContext iamd
    uses), for a request that came over HTTP."""

    __slots__ = ("_peer", "_metadata")

    def __init__(self, peer: str, metadata: Mapping[str, str]) -> None:
        self._peer = peer
        self._metadata = tuple(metadata.items())

    def peer(self) -> str:
        return self._peer

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return self._metadata

    def set_trailing_metadata(self, metadata: Any) -> None:  # HTTP answers carry the request id in a header
        pass


class QueryEndpoint:
    def __init__(self, gateway: CallGateway, *, secure: bool) -> None:
        self.gateway = gateway
        self.secure = secure
        self._handlers: dict[str, Invoke] = {}
        self._runner: web.AppRunner | None = None
        self.port = 0
        # Development only (--dev-reset): what POST /moto-api/reset calls to start a fresh state.
        self.reset: Callable[[], Awaitable[None]] | None = None
        self.outbound: OutboundFederation | None = None  # the issuers' documents (set by the composition root)

    def use(self, gateway: CallGateway) -> None:
        """Serve through another gateway from now on (a development reset rebuilt the service)."""
        self.gateway = gateway
        self._handlers.clear()

    async def start(self, listen: str, ssl_context: ssl.SSLContext | None = None) -> int:
        """Listen on HOST:PORT (port 0: any free one); returns the port."""
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_route("*", "/", self.handle)
        app.router.add_route("*", _VALIDATE_POLICY_PATH, self.handle_validate_policy)
        app.router.add_route("*", "/moto-api/reset", self.handle_reset)
        app.router.add_route("*", "/moto-api/reset-auth", self.handle_reset_auth)
        app.router.add_route("GET", "/outbound-federation/{issuer_id}/.well-known/{document}", self.handle_issuer)
        self._runner, self.port = await serve_app(app, listen, ssl_context)
        log.info("http_endpoint_started", listen=listen, port=self.port)
        return self.port

    def base_url(self, listen: str) -> str:
        """scheme://HOST:PORT of this endpoint as `listen` names its host (the port it got)."""
        return f"{'https' if self.secure else 'http'}://{listen.rsplit(':', 1)[0]}:{self.port}"

    async def handle_issuer(self, request: web.Request) -> web.Response:
        """An outbound federation issuer's OpenID discovery document or JWKS, as a relying party
        fetches them (unsigned GETs); 404 for an issuer iamd did not make, or another document."""
        issuer_id, document = request.match_info["issuer_id"], request.match_info["document"]
        answer = None
        if self.outbound is not None and document == "openid-configuration":
            answer = self.outbound.discovery(issuer_id)
        elif self.outbound is not None and document == "jwks.json":
            answer = self.outbound.jwks(issuer_id)
        if answer is None:
            raise web.HTTPNotFound()
        # Public and rarely changing (keys are made once per issuer): caches may keep them a while.
        return web.json_response(answer, headers={"Cache-Control": "public, max-age=300"})

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def handle(self, request: web.Request) -> web.Response:
        """One request: JSON 1.1 when it names an `X-Amz-Target` (CloudTrail), else the Query protocol."""
        if "X-Amz-Target" in request.headers:
            return await self._handle_json(request, request.headers["X-Amz-Target"])
        service = "iam"
        request_id = ""
        try:
            if request.method not in ("POST", "GET"):
                raise query.QueryError("InvalidAction", f"{request.method} is not a Query protocol request")
            body = await request.read() if request.method == "POST" else b""
            try:
                params = _params(request, body)
            except ValueError as e:  # parse_qsl: more than MAX_FIELDS fields
                raise query.QueryError("InvalidParameterValue", str(e), "body") from None
            headers = _headers(request)
            service = _service_of(headers, params)
            operation = query.operation_for(service, params)
            invalid: IamError | None = None
            try:
                aws_input = query.parse_query(operation, params)
            except query.QueryError as e:
                if e.refusal is None:  # not even well formed: answered here, as no call
                    raise
                # Well formed but outside the model's constraints: refused through the gate, so that,
                # as over gRPC, the caller is authenticated and the refusal is audited as theirs.
                aws_input, invalid = e.parsed, e.refusal
            op = OPERATIONS.get((service, operation.name))
            if op is None:
                raise query.QueryError("InvalidAction", f"iamd does not implement {service}:{operation.name}", "Action")
            # A presigned request (`generate_presigned_url`): a GET with its signature in the query.
            presigned = (params if request.method == "GET" and signing.AUTHORIZATION_HEADER not in headers
                         and signing.is_presigned(params) else None)
            request_id, outcome = await self._invoke(op, aws_input, request, headers, body, refusal=invalid,
                                                     presigned=presigned)
            if isinstance(outcome, Refused):
                return self._error(service, outcome.error.code, outcome.error.message, request_id)
            output = to_output(op, aws_input, outcome, operation.output_shape)
            return web.Response(body=query.serialize_result(operation, output, request_id),
                                content_type="text/xml", headers={"x-amzn-RequestId": request_id})
        except query.QueryError as e:
            return self._error(service, e.code, e.message, request_id)
        except IamError as e:  # an input iamd cannot take (to_request), before the gate
            return self._error(service, e.code, e.message, request_id)
        except web.HTTPRequestEntityTooLarge:
            return self._error(service, "RequestEntityTooLarge",
                               f"the request body exceeds {MAX_BODY_BYTES} bytes", request_id)
        except Exception as e:  # noqa: BLE001 — an input the layers above let through: logged, answered in AWS's form
            log.error("http_request_failed", request_id=request_id, exc_info=e)
            return self._error(service, "InternalFailure", "internal failure", request_id)

    async def _handle_json(self, request: web.Request, target: str) -> web.Response:
        request_id = ""
        service = ""
        try:
            if request.method != "POST":
                raise json11.JsonError("SerializationException", "a JSON 1.1 request is a POST")
            body = await request.read()
            service, operation = json11.operation_for(target)
            invalid: IamError | None = None
            try:
                aws_input = json11.parse_json(operation, body)
            except json11.JsonError as e:
                if e.refusal is None:  # not even well formed: answered here, as no call
                    raise
                # Outside the model's constraints: refused through the gate, as the Query codec's are.
                aws_input, invalid = e.parsed, e.refusal
            op = OPERATIONS.get((service, operation.name))
            if op is None:
                raise json11.JsonError("UnknownOperationException",
                                       f"iamd does not implement {service}:{operation.name}", "X-Amz-Target")
            # The target picks the operation: a signature that does not cover it could be replayed
            # against another one.
            request_id, outcome = await self._invoke(op, aws_input, request, _headers(request), body,
                                                     required_signed=("x-amz-target",), refusal=invalid)
            if isinstance(outcome, Refused):
                error = outcome.error
                return self._json_error(error.code, error.message, request_id, service, _reason(error),
                                        error.problems[0].field if error.problems else "")
            output = to_output(op, aws_input, outcome, operation.output_shape)
            return web.Response(body=json11.serialize_json(operation, output), content_type=json11.CONTENT_TYPE,
                                headers={"x-amzn-RequestId": request_id})
        except json11.JsonError as e:
            return self._json_error(e.code, e.message, request_id)
        except IamError as e:
            return self._json_error(e.code, e.message, request_id, service, _reason(e))
        except web.HTTPRequestEntityTooLarge:
            return self._json_error("RequestEntityTooLarge", f"the request body exceeds {MAX_BODY_BYTES} bytes",
                                    request_id)
        except Exception as e:  # noqa: BLE001 — as in handle()
            log.error("http_request_failed", request_id=request_id, exc_info=e)
            return self._json_error("InternalFailure", "internal failure", request_id)

    async def handle_validate_policy(self, request: web.Request) -> web.Response:
        """IAM Access Analyzer's ValidatePolicy over its REST-JSON protocol (`aws accessanalyzer
        validate-policy`): members in a JSON body, paging in the query string, findings as JSON."""
        request_id = ""
        try:
            if request.method != "POST":
                raise _RestError("ValidationException", "ValidatePolicy is a POST")
            body = await request.read()
            aws_input = _validate_policy_input(body, urllib.parse.parse_qs(_raw_query(request)))
            op = OPERATIONS[("access-analyzer", "ValidatePolicy")]
            request_id, outcome = await self._invoke(op, aws_input, request, _headers(request), body)
            if isinstance(outcome, Refused):
                return _rest_error(_REST_ERRORS.get(outcome.error.code, outcome.error.code),
                                   outcome.error.message, request_id)
            output = json_format.MessageToDict(outcome, always_print_fields_with_no_presence=True)
            if not output.get("nextToken"):
                output.pop("nextToken", None)  # AWS leaves it out on the last page
            return web.json_response(output, headers={"x-amzn-RequestId": request_id})
        except _RestError as e:
            return _rest_error(e.code, e.message, request_id)
        except IamError as e:
            return _rest_error(_REST_ERRORS.get(e.code, e.code), e.message, request_id)
        except web.HTTPRequestEntityTooLarge:
            return _rest_error("RequestEntityTooLargeException", f"the request body exceeds {MAX_BODY_BYTES} bytes",
                               request_id)
        except Exception as e:  # noqa: BLE001 — as in handle()
            log.error("http_request_failed", request_id=request_id, exc_info=e)
            return _rest_error("InternalServerException", "internal failure", request_id)

    async def _invoke(self, op: Operation, aws_input: Mapping[str, Any], request: web.Request,
                      headers: dict[str, str], body: bytes, required_signed: tuple[str, ...] = (),
                      refusal: IamError | None = None, presigned: Mapping[str, str] | None = None
                      ) -> tuple[str, Any]:
        """The AWS operation through the gate, as the iamd RPC that serves it: (request id, outcome).
        With `refusal`, the call passes the gate (authenticated, authorized, audited) and is then
        refused with it instead of being served."""
        method, invoke = self._handler(op.rpc)
        if refusal is not None:
            async def refuse(request: Any, context: Any) -> Any:
                raise refusal
            invoke = self.gateway.handler(method, refuse)
        raw = to_request(op, aws_input, method.request_class).SerializeToString(deterministic=True)
        peer = _peer(request)
        request_id, request_keys = self.gateway.begin(method, headers, peer, self.secure)
        without = signing.PRESIGNED_SIGNATURE if presigned is not None else ""
        signed = SignedCall(signing.canonical_uri(request.raw_path.split("?", 1)[0]), body,
                            http_method=request.method, query=signing.canonical_query(_raw_query(request), without),
                            services=(op.service,), required_signed=required_signed, presigned=presigned)
        return request_id, await invoke(raw, HttpCallContext(peer, headers), request_id, headers, request_keys, signed)

    async def handle_reset(self, request: web.Request) -> web.Response:
        """moto's server-mode reset, only with --dev-reset (else 404, as for any unknown path)."""
        if self.reset is None:
            raise web.HTTPNotFound()
        if request.method != "POST":
            return web.json_response({"status": "error", "message": "POST only"}, status=400)
        if "Origin" in request.headers:  # a web page's cross-site POST: never a test harness
            return web.json_response({"status": "error", "message": "not from a browser"}, status=403)
        await self.reset()
        return web.json_response({"status": "ok"})

    async def handle_reset_auth(self, request: web.Request) -> web.Response:
        """moto's switch for its own signature checks: iamd always checks them; nothing to reset."""
        if self.reset is None:
            raise web.HTTPNotFound()
        return web.json_response({"status": "ok"})

    def _handler(self, rpc: str) -> tuple[Any, Invoke]:
        entry = self.gateway.methods[rpc]
        invoke = self._handlers.get(rpc)
        if invoke is None:
            invoke = self._handlers[rpc] = self.gateway.handler(*entry)
        return entry[0], invoke

    @staticmethod
    def _json_error(code: str, message: str, request_id: str, service: str = "", reason: str = "",
                    field: str = "") -> web.Response:
        request_id = request_id or new_id()
        code, reason, status = json11.service_error(service, code, reason, field)
        return web.Response(status=status or query.error_status("iam", code),
                            body=json11.serialize_json_error(code, message, reason),
                            content_type=json11.CONTENT_TYPE, headers={"x-amzn-RequestId": request_id})

    @staticmethod
    def _error(service: str, code: str, message: str, request_id: str) -> web.Response:
        request_id = request_id or new_id()  # refused before the gate gave it one
        sender = code not in ("ServiceFailure", "ServiceUnavailable", "InternalFailure")
        return web.Response(status=query.error_status(service, code),
                            body=query.serialize_error(service, code, message, request_id, sender=sender),
                            content_type="text/xml", headers={"x-amzn-RequestId": request_id})


def _params(request: web.Request, body: bytes) -> dict[str, str]:
    """The Query parameters: the form body of a POST, the query string of a GET. A name given
    twice is refused: which value would count is ambiguous."""
    if request.method == "POST":
        if request.content_type and request.content_type != _FORM:
            raise query.QueryError("InvalidParameterValue", f"Content-Type must be {_FORM}", "Content-Type")
        try:
            pairs = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
        except UnicodeDecodeError:
            raise query.QueryError("InvalidParameterValue", "the request body is not UTF-8", "body") from None
    else:
        pairs = urllib.parse.parse_qsl(_raw_query(request), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    # AWS reads a POST's query string too; one parameter given in both is refused like any repeat.
    pairs += urllib.parse.parse_qsl(_raw_query(request), keep_blank_values=True, max_num_fields=MAX_FIELDS) \
        if request.method == "POST" else []
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise query.QueryError("InvalidParameterValue", f"the parameter {name} is given more than once", name)
        params[name] = value
    return params


def _reason(error: IamError) -> str:
    """AWS's Reason of an error, where it has one (a ConstraintViolationException's is its quota)."""
    return error.reason or error.quota


def _raw_query(request: web.Request) -> str:
    """The query string as sent: aiohttp's `query_string` has already decoded some escapes
    (`%25`), which would then be decoded twice."""
    return request.raw_path.partition("?")[2]


def _headers(request: web.Request) -> dict[str, str]:
    """The request's headers by lower-case name, repeated ones joined with commas (as SigV4 does)."""
    return {name.lower(): ",".join(request.headers.getall(name)) for name in request.headers}


def _service_of(headers: Mapping[str, str], params: Mapping[str, str]) -> str:
    """iam or sts: the service the request was signed for (its credential scope), else (an
    unsigned request, such as AssumeRoleWithWebIdentity) the one whose model has the action."""
    credential = headers.get("authorization", "").partition("Credential=")[2]
    scope = credential.split(",", 1)[0].split("/")
    if len(scope) == 5 and scope[3] in query.SERVICES:
        return scope[3]
    action = params.get("Action", "")
    for service in ("sts", "iam"):
        if action in query.service_model(service).operation_names:
            return service
    return "iam"


def _peer(request: web.Request) -> str:
    """The client's address in the gRPC peer form the gateway reads ("ipv4:1.2.3.4:0")."""
    remote = request.remote or ""
    return f"ipv6:[{remote}]:0" if ":" in remote else f"ipv4:{remote}:0"


# --- IAM Access Analyzer's REST-JSON (ValidatePolicy only) -----------------------------------------

_VALIDATE_POLICY_PATH = "/policy/validation"
_MAX_INTEGER = 2**31 - 1  # Smithy's integer, and the RPC's int32 max_results
_VALIDATE_POLICY_BODY = {"policyDocument": str, "policyType": str, "locale": str, "validatePolicyResourceType": str}
# Access Analyzer's spelling of the IAM codes a refusal carries (its model's error shapes).
_REST_ERRORS = {"ValidationError": "ValidationException", "InvalidInput": "ValidationException",
                "MalformedPolicyDocument": "ValidationException", "AccessDenied": "AccessDeniedException",
                "Throttling": "ThrottlingException", "ServiceFailure": "InternalServerException",
                "ServiceUnavailable": "InternalServerException",
                "MissingAuthenticationToken": "UnrecognizedClientException",
                "InvalidClientTokenId": "UnrecognizedClientException",
                "SignatureDoesNotMatch": "InvalidSignatureException",
                "ExpiredToken": "ExpiredTokenException"}  # an expired session (Common Errors: 403)
# Access Analyzer's Common Errors have IncompleteSignature at 403 (the Query services' at 400).
_REST_STATUS = {"ValidationException": 400, "AccessDeniedException": 403, "ThrottlingException": 429,
                "InternalServerException": 500, "UnrecognizedClientException": 403,
                "InvalidSignatureException": 403, "IncompleteSignature": 403, "RequestExpired": 400,
                "ExpiredTokenException": 403, "RequestEntityTooLargeException": 413}


class _RestError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _validate_policy_input(body: bytes, query_params: Mapping[str, list[str]]) -> dict[str, Any]:
    """ValidatePolicy's input as its model has it: the JSON body's members, maxResults and
    nextToken from the query string; anything else refused, naming it."""
    try:
        given = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: "[[[[..." past Python's stack
        raise _RestError("ValidationException", "the request body is not JSON") from None
    if not isinstance(given, dict):
        raise _RestError("ValidationException", "the request body must be a JSON object")
    aws_input: dict[str, Any] = {}
    for member, value in given.items():
        expected = _VALIDATE_POLICY_BODY.get(member)
        if expected is None:
            raise _RestError("ValidationException", f"unknown parameter {member}")
        if not isinstance(value, expected):
            raise _RestError("ValidationException", f"{member} must be a string")
        aws_input[member] = value
    for member, values in query_params.items():
        if member not in ("maxResults", "nextToken") or len(values) != 1:
            raise _RestError("ValidationException", f"unknown or repeated query parameter {member}")
        if member == "maxResults":
            # A Smithy integer: ASCII digits ("²" is isdigit() but not int()) within 32 bits.
            if not (values[0].isascii() and values[0].isdigit()):
                raise _RestError("ValidationException", "maxResults must be a number")
            digits = values[0].lstrip("0") or "0"
            if len(digits) > 10 or int(digits) > _MAX_INTEGER:  # int() refuses over 4300 digits
                raise _RestError("ValidationException", f"maxResults must be at most {_MAX_INTEGER}")
            aws_input[member] = int(digits)
        else:
            aws_input[member] = values[0]
    for required in ("policyDocument", "policyType"):
        if required not in aws_input:
            raise _RestError("ValidationException", f"{required} is required")
    return aws_input


def _rest_error(code: str, message: str, request_id: str) -> web.Response:
    request_id = request_id or new_id()
    return web.json_response({"message": message}, status=_REST_STATUS.get(code, 400),
                             headers={"x-amzn-ErrorType": code, "x-amzn-RequestId": request_id})
