"""The Node.js client example (examples/node) against a real iamd: Authorize from another
language, every call signed by the AWS SDK for JavaScript's own SigV4 signer (docs/clients.md)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import sts_pb2

from .conftest import ACCOUNT, Iamd

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "node"
NPM_CI_SECONDS = 180  # a cold install from the registry; with npm's cache warm it takes seconds
RUN_SECONDS = 30
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
REPORTS = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::reports/*"},
    {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}

# The first test's setup may run npm ci: its timeout allows for that.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(NPM_CI_SECONDS + 60)]


def _on_path(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"`{name}` is not on PATH: the Node.js client example needs Node.js and npm")
    return found


@pytest.fixture(scope="module")
def node() -> str:
    """The node binary, with examples/node's dependencies installed by `npm ci`; node_modules is
    kept and reused for as long as package-lock.json is unchanged."""
    node, npm = _on_path("node"), _on_path("npm")
    digest = hashlib.sha256((EXAMPLE / "package-lock.json").read_bytes()).hexdigest()
    stamp = EXAMPLE / "node_modules" / ".iamd-lock-sha256"  # npm ci removes node_modules, stamp included
    if not (stamp.exists() and stamp.read_text() == digest):
        try:
            done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=EXAMPLE, capture_output=True,
                                  text=True, timeout=NPM_CI_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"npm ci in examples/node took more than {NPM_CI_SECONDS} s")
        assert done.returncode == 0, f"npm ci in examples/node failed:\n{done.stdout}\n{done.stderr}"
        stamp.write_text(digest)
    return node


async def _authorize(node: str, iamd: Iamd, tmp_path: Path, credentials: dict[str, str],
                     *args: str) -> tuple[int, dict, str]:
    """Run the example (the server answers on this loop meanwhile): exit code, JSON out, stderr."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "IAMD_ENDPOINT": iamd.target,
           **credentials}
    process = await asyncio.create_subprocess_exec(
        node, str(EXAMPLE / "authorize.js"), *args, env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(process.communicate(), RUN_SECONDS)
    except TimeoutError:
        process.kill()
        raise
    return process.returncode or 0, json.loads(out) if out.strip() else {}, err.decode()


def _keys(access_key_id: str, secret: str, token: str = "") -> dict[str, str]:
    keys = {"AWS_ACCESS_KEY_ID": access_key_id, "AWS_SECRET_ACCESS_KEY": secret}
    return {**keys, "AWS_SESSION_TOKEN": token} if token else keys


async def _alice(iamd: Iamd) -> int:
    """alice may read and delete the reports, but a Deny covers every delete: her policy's position."""
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="alice"))
    put = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="alice"), policy_name="reports",
        policy_document=json.dumps(REPORTS)))
    return put.position


async def test_the_node_example_gets_each_decision(node: str, iamd: Iamd, tmp_path: Path) -> None:
    position = await _alice(iamd)
    root = _keys(iamd.root.access_key_id, iamd.root.secret_access_key)
    for action, resource, decision in [("s3:GetObject", "arn:aws:s3:::reports/q3.csv", "Allow"),
                                       ("s3:PutObject", "arn:aws:s3:::reports/q3.csv", "ImplicitDeny"),
                                       ("s3:GetObject", "arn:aws:s3:::payroll/q3.csv", "ImplicitDeny"),
                                       ("s3:DeleteObject", "arn:aws:s3:::reports/q3.csv", "ExplicitDeny")]:
        code, answer, err = await _authorize(node, iamd, tmp_path, root, ALICE, action, resource,
                                             "--min-position", str(position))
        assert (code, answer["decision"]) == (0, decision), (action, resource, err)
        assert int(answer["evaluatedAtPosition"]) >= position

    code, answer, err = await _authorize(node, iamd, tmp_path, root, ALICE, "s3:DeleteObject",
                                         "arn:aws:s3:::reports/q3.csv", "--explain")
    assert code == 0, err
    [deny] = answer["determiningStatements"]
    assert (deny["policyId"], deny["statementIndex"], deny["effect"]) == (f"{ALICE}#reports", 1, "Deny")


async def test_the_node_example_signs_with_temporary_credentials_and_a_profile(
        node: str, iamd: Iamd, tmp_path: Path) -> None:
    await _alice(iamd)
    issued = (await iamd.sts.GetSessionToken(sts_pb2.GetSessionTokenRequest(duration_seconds=900))).credentials
    temporary = _keys(issued.access_key_id, issued.secret_access_key, issued.session_token)
    code, answer, err = await _authorize(node, iamd, tmp_path, temporary, ALICE, "s3:GetObject",
                                         "arn:aws:s3:::reports/q3.csv")
    assert (code, answer.get("decision")) == (0, "Allow"), err

    # No keys in the environment: the profile of a shared credentials file, as iamctl reads it.
    profile = {"IAMD_SHARED_CREDENTIALS_FILE": str(iamd.data_dir / "root-credentials")}
    code, answer, err = await _authorize(node, iamd, tmp_path, profile, ALICE, "s3:PutObject",
                                         "arn:aws:s3:::reports/q3.csv")
    assert (code, answer.get("decision")) == (0, "ImplicitDeny"), err


async def test_a_wrong_secret_is_refused(node: str, iamd: Iamd, tmp_path: Path) -> None:
    wrong = _keys(iamd.root.access_key_id, "x" * 40)
    code, answer, err = await _authorize(node, iamd, tmp_path, wrong, ALICE, "s3:GetObject", "*")
    assert (code, answer) == (1, {}), err
    error = json.loads(err)["error"]
    assert error["code"] == "UNAUTHENTICATED" and "signature" in error["message"].lower(), error
