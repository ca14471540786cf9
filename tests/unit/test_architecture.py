"""Dependencies point inward: the domain and the policy engine are pure; clients stand alone."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IMPURE = {"grpc", "sqlite3", "asyncio", "structlog", "time", "os", "socket", "kurrentdbclient",
          "orjson", "subprocess", "threading", "random", "secrets", "uuid"}
IMPURE_OF_OURS = ("iamd.v1", "iamd.projections")  # the generated gRPC code, the read models


def _imports(package: Path) -> set[tuple[str, str]]:
    found = set()
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found |= {(str(path.relative_to(ROOT)), a.name) for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add((str(path.relative_to(ROOT)), node.module))
    return found


@pytest.mark.parametrize("package,own", [("service/domain", "iamd.service.domain"), ("service/policy", "iamd.service.policy")])
def test_pure_packages_import_no_io_and_nothing_else_of_the_project(package: str, own: str) -> None:
    bad = [(f, m) for f, m in _imports(ROOT / package)
           if m.split(".")[0] in IMPURE or m.startswith(IMPURE_OF_OURS)
           or (m.startswith(("iamd.service", "iamd.client")) and not m.startswith(own))]
    assert not bad, bad


def test_clients_depend_only_on_protos_and_the_pure_engine() -> None:
    # `iamctl simulate` evaluates offline with the policy engine, and `iamctl audit validate`
    # checks digests with the digest validator and an export's CloudTrail records with the
    # renderer (protobuf only): shared so that both sides agree. Those imports are deferred to the
    # commands that need them, so the SDK itself installs without the server
    # (tests/unit/test_sdk_package.py); the server imports the SDK's signing scheme.
    bad = [(f, m) for f, m in _imports(ROOT / "clients")
           if m.startswith(("iamd.service", "iamd.projections"))
           and not m.startswith(("iamd.service.policy", "iamd.service.audit.digest",
                                 "iamd.service.audit.record", "iamd.service.rpc.messages"))]
    assert not bad, bad


def test_only_the_composition_root_picks_adapters() -> None:
    bad = [(f, m) for f, m in _imports(ROOT / "service")
           if m.startswith(("iamd.service.eventstore.sqlite", "iamd.service.eventstore.kurrentdb", "iamd.service.eventstore.memory"))
           and not f.startswith("service/eventstore") and f != "service/server.py"]
    assert not bad, bad


def test_a_start_imports_no_http_stack_it_does_not_serve() -> None:
    """aiohttp and botocore's models cost every start ~0.3 s: only the HTTP endpoint, the OIDC key
    fetcher and the simulator's AWS shapes use them, and import them when they are used."""
    import subprocess
    import sys

    script = ("import sys, iamd.service.server, iamd.service.__main__; "
              "print(sorted(m for m in ('aiohttp', 'botocore', 'opentelemetry') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"
