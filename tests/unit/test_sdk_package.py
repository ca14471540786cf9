"""The Python SDK is a distribution of its own (clients/pyproject.toml): it installs with gRPC and
protobuf only, under the `iamd` namespace, and works without anything of the server's."""

from __future__ import annotations

import email
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SDK_DEPENDENCIES = {"grpcio", "grpcio-status", "protobuf", "googleapis-common-protos"}


@pytest.fixture(scope="module")
def sdk_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                            "--wheel-dir", str(out), str(ROOT / "clients")], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = out.glob("iamd_client-*.whl")
    return wheel


def _requirements(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as z:
        (name,) = [n for n in z.namelist() if n.endswith(".dist-info/METADATA")]
        return email.message_from_bytes(z.read(name)).get_all("Requires-Dist") or []


def test_the_sdk_depends_on_grpc_and_protobuf_only(sdk_wheel: Path) -> None:
    required = _requirements(sdk_wheel)
    plain = {r.split("==")[0] for r in required if "extra ==" not in r}
    assert plain == SDK_DEPENDENCIES
    assert all("==" in r for r in required), f"every requirement pinned: {required}"
    cli = {r.split("==")[0] for r in required if "extra == \"cli\"" in r}
    assert cli == {"PyYAML", "jmespath"}  # iamctl's --output yaml and --query, only with [cli]


def test_the_sdk_ships_only_the_iamd_namespace(sdk_wheel: Path) -> None:
    with zipfile.ZipFile(sdk_wheel) as z:
        modules = [n for n in z.namelist() if n.endswith(".py") and ".dist-info/" not in n]
    assert modules and all(n.startswith(("iamd/client/", "iamd/v1/")) for n in modules), modules
    assert "iamd/__init__.py" not in modules  # a namespace the server distribution shares
    assert "iamd/v1/authorization_pb2_grpc.py" in modules and "iamd/client/signing.py" in modules


def test_the_sdk_works_without_the_server_or_its_dependencies(sdk_wheel: Path, tmp_path: Path) -> None:
    """The unpacked wheel alone on the path, every import outside the standard library, gRPC and
    protobuf refused: the SDK's modules import, sign a call and build a client."""
    with zipfile.ZipFile(sdk_wheel) as z:
        z.extractall(tmp_path / "sdk")
    script = textwrap.dedent(f"""
        import importlib.abc, sys
        sys.path.insert(0, {str(tmp_path / "sdk")!r})
        ALLOWED = {{"grpc", "google", "grpc_status", "iamd", "typing_extensions"}}

        class Refuse(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                top = name.split(".")[0]
                if name.startswith(("iamd.service", "iamd.projections")) or (
                        top not in sys.stdlib_module_names and top not in ALLOWED and not top.startswith("_")):
                    raise ImportError(f"the SDK imported {{name}}")
                return None

        sys.meta_path.insert(0, Refuse())
        for name in [n for n in list(sys.modules) if n == "iamd" or n.startswith("iamd.")]:
            del sys.modules[name]
        import iamd.client.credentials as credentials, iamd.client.errors, iamd.client.iam as iam
        from iamd.v1 import authorization_pb2
        assert iam.__file__.startswith({str(tmp_path / "sdk")!r}), iam.__file__
        signer = credentials.RequestSigner(credentials.Credentials("AKIDEXAMPLE", "secret"))
        body = authorization_pb2.AuthorizeRequest(principal_arn="arn:aws:iam::123456789012:user/a",
                                                  action="s3:GetObject", resource="*").SerializeToString()
        headers = dict(signer("/iamd.v1.AuthorizationService/Authorize", body))
        assert headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"), headers
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]
