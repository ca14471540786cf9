"""iamctl against a real server, as the README's quickstart uses it (signed from a profile)."""

from __future__ import annotations

import asyncio
import io
import json
from contextlib import redirect_stderr, redirect_stdout

import pytest

from clients import cli

from .conftest import ACCOUNT, Iamd

pytestmark = pytest.mark.e2e


async def iamctl(iamd: Iamd, *argv: str) -> tuple[int, str, str]:
    """Run iamctl in a thread (its client is synchronous; the server runs on this loop)."""

    def run() -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = cli.main(["--endpoint", iamd.target, *argv])
        return code, out.getvalue(), err.getvalue()

    return await asyncio.to_thread(run)


async def test_quickstart_with_iamctl(iamd: Iamd, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(iamd.data_dir / "root-credentials"))
    for var in ("IAMD_ACCESS_KEY_ID", "IAMD_SECRET_ACCESS_KEY", "IAMD_SESSION_TOKEN", "IAMD_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    policy = tmp_path / "p.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": "arn:aws:sqs:*:*:orders"}]}))
    code, out, _ = await iamctl(iamd, "iam", "create-user", "--user-name", "alice")
    assert code == 0 and json.loads(out)["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    code, out, _ = await iamctl(iamd, "iam", "create-policy", "--policy-name", "ReadOrders",
                                "--policy-document", f"file://{policy}")
    arn = json.loads(out)["Policy"]["Arn"]
    code, out, _ = await iamctl(iamd, "iam", "attach-user-policy", "--user-name", "alice", "--policy-arn", arn)
    assert code == 0
    for action, expected in (("sqs:ReceiveMessage", "Allow"), ("sqs:DeleteQueue", "ImplicitDeny")):
        code, out, _ = await iamctl(iamd, "authz", "check", "--principal", f"arn:aws:iam::{ACCOUNT}:user/alice",
                                    "--action", action, "--resource", f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders")
        assert (code, json.loads(out)["Decision"]) == (0, expected)
    code, _, err = await iamctl(iamd, "iam", "create-user", "--user-name", "ALICE")
    assert code == 254 and "(EntityAlreadyExists)" in err
    code, out, _ = await iamctl(iamd, "iam", "get-access-key-last-used", "--access-key-id", iamd.root.access_key_id)
    assert code == 0 and json.loads(out)["AccessKeyLastUsed"]["ServiceName"] == "iam"


async def test_assume_role_prints_credentials_iamctl_can_use(iamd: Iamd, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(iamd.data_dir / "root-credentials"))
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/ops"}}]})
    await iamctl(iamd, "iam", "create-user", "--user-name", "ops")
    code, out, _ = await iamctl(iamd, "iam", "create-access-key", "--user-name", "ops")
    key = json.loads(out)["AccessKey"]
    await iamctl(iamd, "iam", "create-role", "--role-name", "Ops", "--assume-role-policy-document", trust)
    monkeypatch.setenv("IAMD_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("IAMD_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    code, out, err = await iamctl(iamd, "sts", "assume-role", "--role-arn", f"arn:aws:iam::{ACCOUNT}:role/Ops",
                                  "--role-session-name", "ops-session")
    assert code == 0, err
    answer = json.loads(out)
    credentials = answer["Credentials"]
    assert set(credentials) == {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
    assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/Ops/ops-session"
    monkeypatch.setenv("IAMD_ACCESS_KEY_ID", credentials["AccessKeyId"])
    monkeypatch.setenv("IAMD_SECRET_ACCESS_KEY", credentials["SecretAccessKey"])
    monkeypatch.setenv("IAMD_SESSION_TOKEN", credentials["SessionToken"])
    code, out, _ = await iamctl(iamd, "sts", "get-caller-identity")
    assert json.loads(out)["Arn"] == answer["AssumedRoleUser"]["Arn"]
