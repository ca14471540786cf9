"""The processes a service benchmark runs: iamd, the echo server, the load client, the raw
store baselines. Each is a real OS process; what we know of one we read from /proc."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import grpc
import orjson

from iamd.client.credentials import Credentials, resolve_credentials, signing_interceptors
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import authorization_pb2_grpc

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
ACCOUNT = "123456789012"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used so far (fields 14 and 15 of /proc/PID/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()  # the command name may hold spaces
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def root_credentials(data_dir: Path) -> Credentials:
    credentials = resolve_credentials(env={"IAMD_SHARED_CREDENTIALS_FILE": str(data_dir / "root-credentials")})
    assert credentials is not None, f"no root credentials in {data_dir}"
    return credentials


@dataclass
class Server:
    """A server process on a loopback port."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    started_at: float  # time.monotonic() just before the process was spawned

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self, timeout: float = 600.0) -> bool:
        """SIGTERM and wait: iamd then shuts down gracefully and writes its snapshot.
        False when it had to be killed (no snapshot then)."""
        if self.process.poll() is not None:
            return True
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return False


_spawned: list[Server] = []


def _spawn(name: str, args: list[str], log: Path, port: int) -> Server:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        started = time.monotonic()
        process = subprocess.Popen(args, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
    server = Server(name, process, port, started)
    _spawned.append(server)
    return server


def stop_all() -> None:
    """Stop every server this process started that still runs (after a failure, say)."""
    while _spawned:
        _spawned.pop().stop(timeout=60)


def start_iamd(data_dir: Path, *, audit: str = "sync") -> Server:
    """`python -m iamd.service` exactly as `iamd` runs it (the console script calls the same main)."""
    port = free_port()
    args = [PYTHON, "-m", "iamd.service", "--listen", f"127.0.0.1:{port}", "--data-dir", str(data_dir),
            "--account-id", ACCOUNT, "--audit-durability", audit, "--log-level", "warning",
            "--shutdown-grace", "5"]
    return _spawn("iamd", args, data_dir.parent / f"{data_dir.name}.log", port)


def start_echo(response_file: Path, log: Path, durable_db: Path | None = None) -> Server:
    """The echo server; with `durable_db`, the durable echo (each call's row committed first)."""
    port = free_port()
    args = [PYTHON, "-m", "tests.bench.echo_server", "--port", str(port), "--response-file", str(response_file)]
    if durable_db is not None:
        args += ["--durable-db", str(durable_db)]
    return _spawn("durable_echo" if durable_db is not None else "echo", args, log, port)


def _fast_reconnect_channel(target: str, credentials: Credentials) -> grpc.aio.Channel:
    # gRPC backs off up to a second between connection attempts by default; a start-up timing
    # must see the port open within milliseconds.
    options = [("grpc.initial_reconnect_backoff_ms", 5), ("grpc.min_reconnect_backoff_ms", 5),
               ("grpc.max_reconnect_backoff_ms", 20)]
    return grpc.aio.insecure_channel(target, options=options, interceptors=signing_interceptors(credentials))


async def first_answer(server: Server, request: apb.AuthorizeRequest, credentials: Credentials,
                       timeout: float = 900.0) -> tuple[float, apb.AuthorizeResponse]:
    """Seconds from spawning the server to its first answered Authorize, and that answer."""
    deadline = time.monotonic() + timeout
    async with _fast_reconnect_channel(server.target, credentials) as channel:
        stub = authorization_pb2_grpc.AuthorizationServiceStub(channel)
        while True:
            if server.process.poll() is not None:
                raise RuntimeError(f"{server.name} exited with {server.process.returncode} before answering")
            try:
                response = await stub.Authorize(request, timeout=5)
                return time.monotonic() - server.started_at, response
            except grpc.aio.AioRpcError as e:
                if e.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                    raise
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{server.name} did not answer within {timeout} s") from e
                await asyncio.sleep(0.005)


def code_version() -> dict[str, object]:
    """Which code ran: the tree is shared, so say whether it had uncommitted server changes."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    changed = git("status", "--porcelain", "--", "service", "projections", "protos", "clients")
    return {"commit": git("rev-parse", "--short", "HEAD") or "unknown (not a git checkout)",
            "uncommitted_server_files": len(changed.splitlines())}


async def run_json(module: str, *args: str) -> dict:
    """Run `python -m module args...` in its own process; it prints one JSON object."""
    process = await asyncio.create_subprocess_exec(PYTHON, "-m", module, *args, cwd=REPO,
                                                   stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed ({process.returncode}): {err.decode()[-2000:]}")
    return orjson.loads(out)
