"""iamctl against a real server, as the README's quickstart uses it (signed from a profile)."""

from __future__ import annotations

import asyncio
import io
import json
from contextlib import redirect_stderr, redirect_stdout

import pytest

from iamd.client import cli

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


async def test_audit_commands(iamd: Iamd, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(iamd.data_dir / "root-credentials"))
    for var in ("IAMD_ACCESS_KEY_ID", "IAMD_SECRET_ACCESS_KEY", "IAMD_SESSION_TOKEN", "IAMD_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    code, out, _ = await iamctl(iamd, "iam", "create-user", "--user-name", "zed")
    position = json.loads(out)["Position"]
    code, out, _ = await iamctl(iamd, "authz", "check", "--principal", f"arn:aws:iam::{ACCOUNT}:user/zed",
                                "--action", "s3:GetObject", "--resource", "*", "--as-of-position", str(position))
    assert json.loads(out)["Decision"] == "ImplicitDeny"
    code, out, _ = await iamctl(iamd, "audit", "create-digest")
    assert code == 0 and json.loads(out)["Records"] >= 2
    code, out, _ = await iamctl(iamd, "audit", "validate")
    assert code == 0 and json.loads(out)["Valid"] is True
    code, out, _ = await iamctl(iamd, "audit", "replay")
    assert json.loads(out)["Equal"] is True
    code, out, _ = await iamctl(iamd, "audit", "history", "--user-name", "zed")
    assert [e["Type"] for e in json.loads(out)["Events"]] == ["UserCreated"]
    code, out, _ = await iamctl(iamd, "cloudtrail", "lookup-events", "--lookup-attributes",
                                "AttributeKey=EventName,AttributeValue=CreateUser", "--max-results", "5")
    assert [e["EventName"] for e in json.loads(out)["Events"]] == ["CreateUser"]
    code, out, err = await iamctl(iamd, "audit", "export", "--start-time", "2000-01-01T00:00:00Z",
                                  "--end-time", "2100-01-01T00:00:00Z", "--output-dir", str(tmp_path / "trail"))
    assert code == 0, err
    exported = json.loads(out)
    records = [r for f in exported["Files"] for r in json.loads(open(f).read())["Records"]]
    assert len(records) == exported["Records"] >= 5 and records[0]["eventName"] == "CreateUser"


async def test_context_keys_of_policies_and_of_a_user(iamd: Iamd, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(iamd.data_dir / "root-credentials"))
    document = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "Bool": {"aws:SecureTransport": "true"}}}]})
    code, out, err = await iamctl(iamd, "iam", "get-context-keys-for-custom-policy", "--policy-input-list", document)
    assert code == 0, err
    assert json.loads(out) == {"ContextKeyNames": ["aws:SourceIp", "aws:SecureTransport"]}
    assert (await iamctl(iamd, "iam", "create-user", "--user-name", "carol"))[0] == 0
    assert (await iamctl(iamd, "iam", "put-user-policy", "--user-name", "carol", "--policy-name", "p",
                         "--policy-document", document))[0] == 0
    code, out, err = await iamctl(iamd, "iam", "get-context-keys-for-principal-policy",
                                  "--policy-source-arn", f"arn:aws:iam::{ACCOUNT}:user/carol")
    assert code == 0, err
    assert json.loads(out)["ContextKeyNames"] == ["aws:SourceIp", "aws:SecureTransport"]
