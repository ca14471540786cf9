"""What the chaos scenarios share: a real iamd process over a real SQLite file, signed clients,
the outcome of each call (answered, refused with an IAM code, or in doubt), and the audit trail
read back through the API.

Sizes scale with environment variables, so that `make test` runs a short version and
`make test-chaos` a long one:

- IAMD_CHAOS_TRIALS: kill -9 trials (default 2)
- IAMD_CHAOS_WRITERS: concurrent client tasks per trial (default 4)
- IAMD_CHAOS_LOAD_SECONDS: the longest a trial's load runs before the kill (default 1.5; the
  moment of the kill is random within it)
- IAMD_CHAOS_ALL=1: also the variants only make test-chaos runs (kill -9 with async audit; disk
  full through RLIMIT_FSIZE where a real tmpfs can be mounted)
- IAMD_CHAOS_FULL_CALLS, IAMD_CHAOS_FS_SIZE: see test_disk_full.py
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from iamd.client.credentials import Credentials, resolve_credentials, signing_interceptors
from iamd.v1 import audit_pb2, audit_pb2_grpc, authorization_pb2, authorization_pb2_grpc
from iamd.v1 import identity_pb2_grpc, sts_pb2, sts_pb2_grpc
from iamd.service.audit.record import render
from iamd.service.rpc.gateway import MessageDecoder
from iamd.service.server import SERVICES

REPO = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
CALL_TIMEOUT = 20.0  # seconds: a call not answered by then counts as in doubt (a hang is a failure elsewhere)
START_ATTEMPTS = 600  # health polls, 0.1 s apart: a loaded 2-core machine can take a while to start


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, "") or default)


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, "") or default)


TRIALS = env_int("IAMD_CHAOS_TRIALS", 2)
WRITERS = env_int("IAMD_CHAOS_WRITERS", 4)
LOAD_SECONDS = env_float("IAMD_CHAOS_LOAD_SECONDS", 1.5)
ALL_VARIANTS = os.environ.get("IAMD_CHAOS_ALL", "") not in ("", "0")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def policy(*actions: str) -> str:
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]})


# --- outcomes ------------------------------------------------------------------------------------

OK = "OK"
IN_DOUBT = "IN_DOUBT"  # no answer from the service itself: the process died, or the call timed out


@dataclass
class Outcome:
    """How one call ended: OK, refused (`code` = the IAM error code of its ErrorInfo), or in doubt."""

    status: str  # OK | REFUSED | IN_DOUBT
    grpc_code: grpc.StatusCode
    code: str = ""  # the ErrorInfo reason of a refusal
    request_id: str = ""
    response: Any = None
    details: str = ""

    @property
    def ok(self) -> bool:
        return self.status == OK


def error_reason(error: grpc.aio.AioRpcError) -> str:
    """The IAM error code in the ErrorInfo detail ("" when the error carries none)."""
    try:
        status = rpc_status.from_call(error)
    except ValueError:
        return ""
    for detail in status.details if status is not None else ():
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info.reason
    return ""


def _request_id(metadata: Any) -> str:
    for key, value in metadata or ():
        if key == "x-request-id":
            return value if isinstance(value, str) else value.decode()
    return ""


async def call(stub_method: Any, request: Any, timeout: float = CALL_TIMEOUT) -> Outcome:
    """Make one unary call and classify its end. A refusal is an answer iamd gave (it carries an
    ErrorInfo); anything without one (connection refused or reset, deadline) is in doubt."""
    invocation = stub_method(request, timeout=timeout)
    try:
        response = await invocation
    except grpc.aio.AioRpcError as error:
        reason = error_reason(error)
        request_id = _request_id(error.trailing_metadata())
        if reason:
            return Outcome("REFUSED", error.code(), reason, request_id, details=error.details() or "")
        return Outcome(IN_DOUBT, error.code(), "", request_id, details=error.details() or "")
    return Outcome(OK, grpc.StatusCode.OK, "", _request_id(await invocation.trailing_metadata()), response)


# --- the process ---------------------------------------------------------------------------------

@dataclass
class IamdProcess:
    """`python -m iamd.service` on a loopback port over `data_dir` (its stderr kept in `log`)."""

    data_dir: Path
    log: Path
    extra_args: tuple[str, ...] = ()
    stderr_to_file: bool = False  # iamd writes its log to `log` itself (else through a pipe)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    channels: list[grpc.aio.Channel] = field(default_factory=list)

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def spawn(self) -> None:
        self.port = free_port()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for key in ("IAMD_LISTEN", "IAMD_DATA_DIR", "IAMD_STORE", "IAMD_AUDIT_DURABILITY"):
            env.pop(key, None)
        # stderr through a pipe, copied to `log` by this process: iamd's own writes are then only
        # its data directory's (a test that limits them does not limit its log).
        command = [sys.executable, "-m", "iamd.service", "--listen", self.target, "--data-dir", str(self.data_dir),
                   "--account-id", ACCOUNT, "--log-level", "warning", *self.extra_args]
        if self.stderr_to_file:
            with open(self.log, "ab") as log:
                self.process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log)
            return
        self.process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
        threading.Thread(target=_copy, args=(self.process.stderr, self.log), daemon=True).start()

    def stderr_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    async def start(self) -> None:
        """Spawn and wait until the health service says SERVING."""
        self.spawn()
        assert self.process is not None
        health = grpc.aio.insecure_channel(self.target)
        try:
            for _ in range(START_ATTEMPTS):
                if self.process.poll() is not None:
                    raise AssertionError(f"iamd exited with {self.process.returncode}:\n{self.stderr_tail()}")
                try:
                    reply = await health_pb2_grpc.HealthStub(health).Check(health_pb2.HealthCheckRequest(), timeout=1)
                    if reply.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.aio.AioRpcError:
                    pass
                await asyncio.sleep(0.1)  # polling a starting process
            raise AssertionError(f"iamd did not start:\n{self.stderr_tail()}")
        finally:
            await health.close()

    def root(self) -> Credentials:
        credentials = resolve_credentials(
            env={"IAMD_SHARED_CREDENTIALS_FILE": str(self.data_dir / "root-credentials")})
        assert credentials is not None
        return credentials

    def channel(self, credentials: Credentials | None = None) -> grpc.aio.Channel:
        channel = grpc.aio.insecure_channel(self.target,
                                            interceptors=signing_interceptors(credentials or self.root()))
        self.channels.append(channel)
        return channel

    def clients(self, credentials: Credentials | None = None) -> Clients:
        return Clients(self.channel(credentials))

    async def close_channels(self) -> None:
        channels, self.channels = self.channels, []
        for channel in channels:
            await channel.close(grace=None)

    def kill9(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)

    async def stop(self) -> int:
        """SIGTERM, and wait for a graceful exit (its status); SIGKILL if it does not come."""
        await self.close_channels()
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(self.process.wait, 60)
            except subprocess.TimeoutExpired:
                self.kill9()
                raise AssertionError(f"iamd did not stop on SIGTERM:\n{self.stderr_tail()}") from None
        return self.process.returncode


def _copy(source: Any, path: Path) -> None:
    with open(path, "ab") as log:
        for line in iter(source.readline, b""):
            log.write(line)
            log.flush()
    source.close()


class Clients:
    """The stubs of one signed channel."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self.channel = channel
        self.iam = identity_pb2_grpc.IdentityServiceStub(channel)
        self.authz = authorization_pb2_grpc.AuthorizationServiceStub(channel)
        self.audit = audit_pb2_grpc.AuditServiceStub(channel)
        self.sts = sts_pb2_grpc.SecurityTokenServiceStub(channel)

    async def status(self) -> authorization_pb2.GetProjectionStatusResponse:
        return await self.authz.GetProjectionStatus(authorization_pb2.GetProjectionStatusRequest(),
                                                    timeout=CALL_TIMEOUT)

    async def caller_arn(self) -> str:
        reply = await self.sts.GetCallerIdentity(sts_pb2.GetCallerIdentityRequest(), timeout=CALL_TIMEOUT)
        return reply.arn


# --- the audit trail, read back ------------------------------------------------------------------

DECODE = MessageDecoder(SERVICES)


async def audit_records(clients: Clients) -> dict[str, list[dict[str, Any]]]:
    """Every stored audit record, rendered as CloudTrail renders it, by request id."""
    by_request: dict[str, list[dict[str, Any]]] = {}
    after = 0
    size = 100
    while True:
        try:
            page = await clients.audit.GetAuditRecords(
                audit_pb2.GetAuditRecordsRequest(after_position=after, max_results=size), timeout=60)
        except grpc.aio.AioRpcError as e:
            # Should a page pass gRPC's 4 MB (pages were once bounded by count only, see
            # test_audit_pages.py), ask for fewer rather than fail every check after it
            if e.code() != grpc.StatusCode.RESOURCE_EXHAUSTED or size == 1:
                raise
            size = max(1, size // 4)
            continue
        size = 100
        for entry in page.records:
            record = render(json.loads(entry.record_json), DECODE)
            by_request.setdefault(record["requestID"], []).append(record)
        if not page.next_position or not page.records:
            return by_request
        after = page.next_position if page.next_position > after else page.records[-1].position

