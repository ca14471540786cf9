"""Hostile input against a real iamd: every RPC's request type, and raw bytes, to every method.

Hypothesis builds request messages from the protobuf descriptors (every field of every input
message, with random and deliberately nasty values: `null` and 1,000-deep JSON as policies,
policy-shaped JSON, newlines in names and tags, huge strings, out-of-range numbers and
timestamps, unknown enum values) and sends them signed as root, as an IAM user or as a role
session. Raw random bytes go to every method too, signed and unsigned. No answer may be INTERNAL
or UNKNOWN, every refusal must carry its IAM error code, none may hang, and the server must
still answer a normal call afterwards.

The default run is short (2 examples a method, a few seconds) to keep `make test` fast;
IAMD_FUZZ_EXAMPLES=N runs N examples a method (make test-chaos: 20; a soak: 100 or more).
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import descriptor as d
from google.protobuf.message import DecodeError, Message
from google.protobuf.timestamp_pb2 import Timestamp
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamd.client.credentials import Credentials, RequestSigner
from iamd.v1 import audit_pb2, authorization_pb2, common_pb2, identity_pb2, organizations_pb2, sts_pb2

from .conftest import ACCOUNT, Iamd, start_iamd, stop_iamd

EXAMPLES = int(os.environ.get("IAMD_FUZZ_EXAMPLES", "0") or 0)
# A long run needs more than the suite's 60 s a test: calls such as ValidateAuditTrail cover
# every audit record so far, and the fuzzing itself writes thousands.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(60 + 4 * EXAMPLES)]
MESSAGE_EXAMPLES = EXAMPLES or 2
BYTES_EXAMPLES = EXAMPLES or 1
CALL_TIMEOUT = 15.0  # seconds; an answer later than this counts as a hang
FORBIDDEN = (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.DEADLINE_EXCEEDED)

FUZZ_SETTINGS = settings(max_examples=MESSAGE_EXAMPLES, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck))


@dataclass(frozen=True)
class Method:
    path: str  # "/iamd.v1.IdentityService/CreateUser"
    request: type[Message]
    streaming: bool

    def __str__(self) -> str:
        return self.path.rsplit(".", 1)[-1]


def _methods() -> list[Method]:
    out = []
    for module in (identity_pb2, authorization_pb2, sts_pb2, organizations_pb2, audit_pb2):
        for service in module.DESCRIPTOR.services_by_name.values():
            for m in service.methods:
                request = _message_class(m.input_type)
                out.append(Method(f"/{service.full_name}/{m.name}", request, m.server_streaming))
    return out


def _message_class(descriptor: d.Descriptor) -> type[Message]:
    from google.protobuf import message_factory

    return message_factory.GetMessageClass(descriptor)


METHODS = _methods()


# --- values -----------------------------------------------------------------------------------
def _deep(n: int) -> str:
    return "[" * n + "]" * n


ALLOW = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]})
RESOURCE = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]})
HUGE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": [f"s3:Get{i}" for i in range(2000)], "Resource": "*"}]})

POLICY_TEXTS = [
    "null", "[]", "1", "-0.5e999", '"text"', "true", "{}", "{", "", " ", _deep(1000), '{"a":' * 1000 + "1" + "}" * 1000,
    _deep(40), ALLOW, TRUST, RESOURCE, HUGE_POLICY, '{"Statement": null}', '{"Statement": [null]}',
    '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "\\ud800"}}',
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", '
    '"Condition": {"NumericLessThan": {"s3:max-keys": 1e999}}}]}',
    '{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": '
    '{"StringEquals": {"aws:username": [[[]]]}}}]}',
    "1" * 5000,
]
NAMES = ["fuzz-user", "fuzz-group", "fuzz-role", "fuzz-policy", "inline", "a\nb", "x" * 200, "ü", "a b", "-", "."]
ARNS = [f"arn:aws:iam::{ACCOUNT}:user/fuzz-user", f"arn:aws:iam::{ACCOUNT}:role/fuzz-role",
        f"arn:aws:iam::{ACCOUNT}:policy/fuzz-policy", f"arn:aws:iam::{ACCOUNT}:group/fuzz-group",
        f"arn:aws:iam::{ACCOUNT}:root", "arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:s3:::bucket/key",
        f"arn:aws:sts::{ACCOUNT}:assumed-role/fuzz-role/s", "arn:aws:iam::999999999999:user/x", "*", "arn:", "arn:aws"]
OTHER = ["/", "/a/", "//", "/\n/", "v1", "v0", "v99999999999999999999", ACCOUNT, "000000000000", "r-abcd",
         "ou-abcd-12345678", "p-FullAWSAccess", "p-12345678", "s3:GetObject", "sts:AssumeRole", "iam:*", "aws:username",
         "key\n", "AKIA" + "A" * 16, "ASIA" + "B" * 16, "user@example.com", "SERVICE_CONTROL_POLICY",
         "RESOURCE_CONTROL_POLICY", "sns.amazonaws.com", "123456", "arn:aws:iam::123456789012:mfa/fuzz", "\x00", "\ufeff"]
INTERESTING = POLICY_TEXTS + NAMES + ARNS + OTHER

HUGE = "x" * 70_000  # beyond the 4 MB gRPC limit when repeated, beyond every IAM length limit alone
strings = st.one_of(st.sampled_from([*INTERESTING, HUGE]), st.text(max_size=64))

# Policy-shaped JSON: the right top-level and statement elements holding random JSON, so that
# validation and compilation are exercised past the first syntax error.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.sampled_from(INTERESTING[12:]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
        ["AWS", "Service", "StringEquals", "StringLike", "aws:username", "s3:prefix", "ArnLike", "IpAddress",
         "Bool", "Null", "ForAllValues:StringEquals", "DateLessThan", "NumericGreaterThan"]) | st.text(max_size=8),
        inner, max_size=3), max_leaves=12)
STATEMENT_KEYS = ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource",
                  "Condition"]
statements = st.dictionaries(st.sampled_from(STATEMENT_KEYS) | st.text(max_size=6),
                             st.sampled_from(["Allow", "Deny", "*", "s3:*", "sts:AssumeRole", "arn:aws:s3:::b/*"])
                             | json_values, max_size=6)
policy_shaped = st.builds(
    lambda version, sts, single: json.dumps({**({"Version": version} if version else {}),
                                             "Statement": sts[0] if single and sts else sts}),
    st.sampled_from(["2012-10-17", "2008-10-17", "", "2012-10-18"]), st.lists(statements, max_size=3), st.booleans())
policy_strings = st.one_of(st.sampled_from(POLICY_TEXTS), policy_shaped, strings)


ACTIONS = ["s3:GetObject", "sts:AssumeRole", "iam:CreateUser", "iam:*", "*", "s3:Get*", "ec2:RunInstances"]


def _strings_for(name: str) -> st.SearchStrategy[str]:
    if name in ("action", "action_names"):
        return st.one_of(st.sampled_from(ACTIONS), strings)
    if name in ("resource", "resource_arns", "principal_arn", "caller_arn", "policy_source_arn"):
        return st.one_of(st.sampled_from(ARNS), strings)
    if name.endswith("account") or name.endswith("account_id") or name == "resource_owner":
        return st.one_of(st.just(ACCOUNT), strings)
    if "policy" in name and "arn" not in name or name in ("content", "document"):
        return policy_strings
    if name.endswith("arn") or name.endswith("arns"):
        return st.one_of(st.sampled_from(ARNS), strings)
    if name.endswith("name") or name.endswith("names"):
        return st.one_of(st.sampled_from(NAMES), strings)
    return strings
INT_RANGES = {
    d.FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1), d.FieldDescriptor.TYPE_SINT32: (-(2**31), 2**31 - 1),
    d.FieldDescriptor.TYPE_SFIXED32: (-(2**31), 2**31 - 1), d.FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1),
    d.FieldDescriptor.TYPE_SINT64: (-(2**63), 2**63 - 1), d.FieldDescriptor.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    d.FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1), d.FieldDescriptor.TYPE_FIXED32: (0, 2**32 - 1),
    d.FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1), d.FieldDescriptor.TYPE_FIXED64: (0, 2**64 - 1),
}


def _integers(lo: int, hi: int) -> st.SearchStrategy[int]:
    edges = [v for v in (lo, hi, 0, 1, -1, 899, 900, 3600, 43200, 43201, 2**31 - 1) if lo <= v <= hi]
    return st.one_of(st.sampled_from(edges), st.integers(min_value=lo, max_value=hi))


def _scalar(field: d.FieldDescriptor) -> st.SearchStrategy[Any]:
    t = field.type
    if t == d.FieldDescriptor.TYPE_STRING:
        return _strings_for(field.name)
    if t == d.FieldDescriptor.TYPE_BYTES:
        return st.one_of(st.binary(max_size=64), st.sampled_from([s.encode() for s in POLICY_TEXTS[:12]]))
    if t == d.FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if t in (d.FieldDescriptor.TYPE_DOUBLE, d.FieldDescriptor.TYPE_FLOAT):
        return st.floats(allow_nan=True, allow_infinity=True, width=32 if t == d.FieldDescriptor.TYPE_FLOAT else 64)
    if t == d.FieldDescriptor.TYPE_ENUM:
        numbers = [v.number for v in field.enum_type.values]
        return st.one_of(st.sampled_from(numbers), st.integers(min_value=-5, max_value=1000))
    if t in INT_RANGES:
        return _integers(*INT_RANGES[t])
    raise AssertionError(f"unhandled field type {t} of {field.full_name}")


# Timestamp's own range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z.
MIN_TIMESTAMP, MAX_TIMESTAMP = -62_135_596_800, 253_402_300_799


@st.composite
def _timestamp(draw: st.DrawFn, valid: bool = True) -> Timestamp:
    if valid:
        seconds = draw(st.one_of(st.integers(min_value=0, max_value=4_000_000_000),
                                 st.integers(min_value=MIN_TIMESTAMP, max_value=MAX_TIMESTAMP)))
        nanos = draw(st.integers(min_value=0, max_value=999_999_999))
    else:  # any int64 seconds and int32 nanos: the wire allows them, Timestamp's range does not
        seconds = draw(st.integers(min_value=-(2**63), max_value=2**63 - 1))
        nanos = draw(st.integers(min_value=-(2**31), max_value=2**31 - 1))
        if MIN_TIMESTAMP <= seconds <= MAX_TIMESTAMP and 0 <= nanos <= 999_999_999:
            nanos = -1
    ts = Timestamp()
    ts.seconds, ts.nanos = seconds, nanos
    return ts


@st.composite
def messages(draw: st.DrawFn, cls: type[Message], depth: int = 0, valid_timestamps: bool = True) -> Message:
    msg = cls()
    for field in cls.DESCRIPTOR.fields:
        if depth > 3 or not draw(st.booleans()):
            continue
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            key_field, value_field = field.message_type.fields_by_name["key"], field.message_type.fields_by_name["value"]
            for _ in range(draw(st.integers(min_value=0, max_value=3))):
                key = draw(_scalar(key_field))
                target = getattr(msg, field.name)
                if value_field.message_type is not None:
                    target[key].CopyFrom(draw(messages(_message_class(value_field.message_type), depth + 1,
                                                       valid_timestamps)))
                else:
                    target[key] = draw(_scalar(value_field))
            continue
        if field.message_type is not None:
            sub = (_timestamp(valid_timestamps) if field.message_type.full_name == "google.protobuf.Timestamp"
                   else messages(_message_class(field.message_type), depth + 1, valid_timestamps))
            if field.is_repeated:
                getattr(msg, field.name).extend(draw(st.lists(sub, max_size=3)))
            else:
                getattr(msg, field.name).CopyFrom(draw(sub))
            continue
        if field.is_repeated:
            getattr(msg, field.name).extend(draw(st.lists(_scalar(field), max_size=4)))
        else:
            setattr(msg, field.name, draw(_scalar(field)))
    return msg


# --- a server on its own event loop, called synchronously -------------------------------------
class FuzzTarget:
    """An iamd on a loopback port, served by an event loop in a thread of its own, so that
    Hypothesis (which drives synchronous tests) can call it with a blocking channel."""

    def __init__(self, data_dir: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="iamd-fuzz", daemon=True)
        self.thread.start()
        self.iamd: Iamd = self._run(start_iamd(data_dir))
        self.channel = grpc.insecure_channel(self.iamd.target)
        self.signer = RequestSigner(self.iamd.root)
        self.callers: dict[str, Credentials | None] = {"root": None}  # None: root, the default signer

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    def call(self, method: Method, body: bytes, *, signed: bool = True, credentials: Credentials | None = None,
             timeout: float = CALL_TIMEOUT) -> grpc.StatusCode:
        """Send raw request bytes; the status code of the answer (OK when it succeeded)."""
        signer = RequestSigner(credentials) if credentials else self.signer
        metadata = signer(method.path, body) if signed else []
        try:
            if method.streaming:
                stream = self.channel.unary_stream(method.path)(body, metadata=metadata, timeout=0.5)
                for _ in zip(range(3), stream):
                    pass
            else:
                self.channel.unary_unary(method.path)(body, metadata=metadata, timeout=timeout)
        except grpc.RpcError as error:
            code = error.code()  # type: ignore[attr-defined]
            if method.streaming and code == grpc.StatusCode.DEADLINE_EXCEEDED:
                return grpc.StatusCode.OK  # a watch that kept streaming until we hung up
            assert code not in FORBIDDEN, f"{method}: {code.name}: {error.details()}"  # type: ignore[attr-defined]
            assert _iam_code(error), f"{method}: {code.name} without an IAM error code: {error.details()}"  # type: ignore[attr-defined]
            return code  # type: ignore[no-any-return]
        return grpc.StatusCode.OK

    def ask(self, name: str, request: Message, response: type[Message],
            credentials: Credentials | None = None) -> Message:
        """A well-formed call that must succeed; its decoded answer."""
        method = _method(name)
        body = request.SerializeToString()
        signer = RequestSigner(credentials) if credentials else self.signer
        answer = self.channel.unary_unary(method.path)(body, metadata=signer(method.path, body), timeout=CALL_TIMEOUT)
        return response.FromString(answer)

    def close(self) -> None:
        self.channel.close()
        self._run(stop_iamd(self.iamd))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


def _iam_code(error: grpc.RpcError) -> str:
    """The IAM error code an answer carries (ErrorInfo.reason); "" when it carries none.

    A refusal by gRPC itself before iamd saw the call (a message beyond the 4 MB transport
    limit) carries none and is accepted as such; anything else must name its IAM code."""
    details = error.details() or ""  # type: ignore[attr-defined]
    if error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and "larger than max" in details:  # type: ignore[attr-defined]
        return "transport"
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    for detail in status.details if status else ():
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info.reason
    return ""


def _method(name: str) -> Method:
    return next(m for m in METHODS if m.path.endswith("/" + name))


def _seed(target: FuzzTarget) -> None:
    """Entities the interesting names refer to, so that fuzzed calls reach past "not found"."""
    ipb = identity_pb2
    calls: list[tuple[str, Message]] = [
        ("CreateUser", ipb.CreateUserRequest(user_name="fuzz-user")),
        ("CreateGroup", ipb.CreateGroupRequest(group_name="fuzz-group")),
        ("CreateRole", ipb.CreateRoleRequest(role_name="fuzz-role", assume_role_policy_document=TRUST)),
        ("CreatePolicy", ipb.CreatePolicyRequest(policy_name="fuzz-policy", policy_document=ALLOW)),
        ("PutResourcePolicy", ipb.PutResourcePolicyRequest(resource_arn="arn:aws:s3:::bucket/key",
                                                           policy_document=RESOURCE)),
        ("CreateOrganization", organizations_pb2.CreateOrganizationRequest()),
    ]
    for name, request in calls:
        assert target.call(_method(name), request.SerializeToString()) == grpc.StatusCode.OK, name
    # Callers other than root: an IAM user allowed everything, and a session of fuzz-role that it
    # assumed (identity calls then go through the authorization of a principal with policies).
    target.ask("PutInlinePolicy", ipb.PutInlinePolicyRequest(
        target=common_pb2.EntityRef(kind=common_pb2.ENTITY_KIND_USER, name="fuzz-user"), policy_name="all",
        policy_document=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"}]})), ipb.CommandResponse)
    key = target.ask("CreateAccessKey", ipb.CreateAccessKeyRequest(user_name="fuzz-user"),
                     ipb.CreateAccessKeyResponse).access_key  # type: ignore[attr-defined]
    target.callers["user"] = Credentials(key.access_key_id, key.secret_access_key)
    target.ask("PutInlinePolicy", ipb.PutInlinePolicyRequest(
        target=common_pb2.EntityRef(kind=common_pb2.ENTITY_KIND_ROLE, name="fuzz-role"), policy_name="all",
        policy_document=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"}]})), ipb.CommandResponse)
    session = target.ask("AssumeRole", sts_pb2.AssumeRoleRequest(
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/fuzz-role", role_session_name="fuzz"),
        sts_pb2.AssumeRoleResponse, credentials=target.callers["user"]).credentials  # type: ignore[attr-defined]
    target.callers["session"] = Credentials(session.access_key_id, session.secret_access_key, session.session_token)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    server = FuzzTarget(tmp_path_factory.mktemp("fuzz") / "data")
    try:
        _seed(server)
        yield server
    finally:
        server.close()


# --- the fuzzers ------------------------------------------------------------------------------
@pytest.mark.parametrize("method", METHODS, ids=str)
def test_fuzzed_requests_never_fail_internally(target: FuzzTarget, method: Method) -> None:
    @FUZZ_SETTINGS
    @given(messages(method.request), st.sampled_from(sorted(target.callers)))
    def run(request: Message, caller: str) -> None:
        target.call(method, request.SerializeToString(deterministic=True), credentials=target.callers[caller])

    run()


def _has_timestamp(descriptor: d.Descriptor, seen: frozenset[str] = frozenset()) -> bool:
    if descriptor.full_name == "google.protobuf.Timestamp":
        return True
    return any(f.message_type is not None and f.message_type.full_name not in seen
               and _has_timestamp(f.message_type, seen | {descriptor.full_name}) for f in descriptor.fields)


TIMESTAMP_METHODS = [m for m in METHODS if _has_timestamp(m.request.DESCRIPTOR)]


@pytest.mark.parametrize("method", TIMESTAMP_METHODS, ids=str)
def test_out_of_range_timestamps_are_refused_with_an_iam_error(target: FuzzTarget, method: Method) -> None:
    @settings(FUZZ_SETTINGS, max_examples=max(MESSAGE_EXAMPLES, 10))
    @given(messages(method.request, valid_timestamps=False))
    def run(request: Message) -> None:
        target.call(method, request.SerializeToString(deterministic=True))

    run()


def _decodes(method: Method, body: bytes) -> bool:
    try:
        method.request.FromString(body)
    except DecodeError:
        return False
    return True


@pytest.mark.parametrize("method", METHODS, ids=str)
def test_random_bytes_that_decode_never_fail_internally(target: FuzzTarget, method: Method) -> None:
    @settings(FUZZ_SETTINGS, max_examples=BYTES_EXAMPLES)
    @given(st.binary(max_size=256).filter(lambda b: _decodes(method, b)), st.booleans())
    def run(body: bytes, signed: bool) -> None:
        target.call(method, body, signed=signed)

    run()


def test_undecodable_bytes_are_refused_with_an_iam_error(target: FuzzTarget) -> None:
    @settings(FUZZ_SETTINGS, max_examples=max(BYTES_EXAMPLES * 10, 20))
    @given(st.sampled_from(METHODS), st.binary(min_size=1, max_size=256), st.booleans())
    def run(method: Method, body: bytes, signed: bool) -> None:
        if _decodes(method, body):
            body = b"\xff" + body  # field 31, wire type 7: never valid
        target.call(method, body, signed=signed)

    run()


def test_min_position_far_beyond_the_head_answers_at_once(target: FuzzTarget) -> None:
    """Refused as beyond the log, which iamd says before waiting for any position; one that
    waited would time out with UNAVAILABLE (or our deadline). No timing is asserted: a loaded
    machine may take any time to answer, but only the refusal says the position was not waited for."""
    request = authorization_pb2.AuthorizeRequest(principal_arn=f"arn:aws:iam::{ACCOUNT}:user/fuzz-user",
                                                 action="s3:GetObject", resource="*", min_position=2**63)
    method, body = _method("Authorize"), request.SerializeToString()
    with pytest.raises(grpc.RpcError) as refused:
        target.channel.unary_unary(method.path)(body, metadata=target.signer(method.path, body),
                                                timeout=CALL_TIMEOUT)
    code, details = refused.value.code(), refused.value.details()  # type: ignore[attr-defined]
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "is beyond the log's last position" in details, \
        f"a position the log will not reach for ages was not refused at once: {code.name}: {details}"


def test_server_still_answers_after_the_fuzzing(target: FuzzTarget) -> None:
    # Runs last in this module: the server that took every request above still serves.
    request = identity_pb2.GetUserRequest(user_name="fuzz-user")
    code = target.call(_method("GetUser"), request.SerializeToString())
    assert code in (grpc.StatusCode.OK, grpc.StatusCode.NOT_FOUND)  # a fuzzed DeleteUser may have removed it
    assert target.call(_method("GetCallerIdentity"), sts_pb2.GetCallerIdentityRequest().SerializeToString()) \
        == grpc.StatusCode.OK
    assert target.call(_method("ListUsers"), identity_pb2.ListUsersRequest().SerializeToString()) == grpc.StatusCode.OK
