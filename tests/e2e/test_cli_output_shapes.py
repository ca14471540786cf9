"""Every iamctl command that is an AWS operation prints what the aws CLI prints for it (issue 12):
run against one real iamd with just enough set-up that its answer is not empty, with
`--output json`, and checked against the operation's output shape in botocore's models
(tests/aws_shapes.py): only the model's member names, their types, the required ones present.

Which commands are checked is computed: a command is an AWS operation when its group is an aws CLI
service and its name an operation's CLI name there (botocore's xform_name, as the aws CLI names
them); every other command must be in IAMD_OWN with its reason. A command added later fails
`test_the_command_was_run` until the scenario below runs it.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import time
from collections.abc import AsyncIterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import pytest_asyncio
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from iamd.client import cli
from iamd.client.credentials import Credentials, write_profile
from iamd.service.auth.totp import totp
from tests.aws_shapes import operation_model, operation_names, output_mismatches
from tests.fakes.oidc_issuer import OidcIssuer
from tests.fakes.saml_idp import SamlIdp

from .conftest import ACCOUNT, start_iamd, stop_iamd

pytestmark = pytest.mark.e2e

# iamctl's groups that are aws CLI services (`aws <service> <command>`).
AWS_SERVICES = {"iam": "iam", "sts": "sts", "organizations": "organizations", "cloudtrail": "cloudtrail",
                "accessanalyzer": "accessanalyzer"}

# Commands that are iamd's own: no AWS operation has their name, so there is no aws CLI output to match.
IAMD_OWN = {
    ("iam", "put-resource-policy"): "iamd registers other services' resource policies; IAM has no such operation",
    ("iam", "get-resource-policy"): "iamd registers other services' resource policies; IAM has no such operation",
    ("iam", "delete-resource-policy"): "iamd registers other services' resource policies; IAM has no such operation",
    ("iam", "tag-resource"): "tags of other services' resources (aws:ResourceTag/*); IAM has no TagResource",
    ("iam", "untag-resource"): "tags of other services' resources (aws:ResourceTag/*); IAM has no UntagResource",
    ("iam", "list-tags-for-resource"): "tags of other services' resources; IAM has no ListTagsForResource",
    ("iam", "revoke-role-sessions"): "the console's 'Revoke active sessions' (an inline deny policy in AWS), "
                                     "no API operation",
    ("audit", "validate"): "iamd's tamper evidence (CloudTrail's validate-logs reads S3, not an API answer)",
    ("audit", "create-digest"): "iamd's tamper evidence",
    ("audit", "public-key"): "iamd's tamper evidence",
    ("audit", "explain"): "iamd's re-evaluation of a recorded decision",
    ("audit", "replay"): "iamd's replay check of the event log",
    ("audit", "history"): "iamd's event history of an entity",
    ("audit", "export"): "iamd writes CloudTrail log files itself",
    ("authz", "check"): "iamd's Authorize, the decision services ask for",
    ("authz", "status"): "iamd's projection status",
}

# What iamctl prints beyond the aws CLI, on purpose (docs/aws-compatibility.md, "iamctl's output"):
# at the top level of every command's answer,
DEVIATIONS = {
    "Position": "every command answers the log position of its last event, the read-your-writes token "
                "(--min-position, --as-of-position)",
}
# and, for one command run with these options, the problems the checker finds that are not iamctl's:
# (group, command, argv) -> {problem: reason}.
TOLERATED = {
    ("iam", "get-user", ()): {
        p: "AWS answers the root user's own GetUser without UserName and Path (its shape says required): "
           "the aws CLI prints {User: {UserId, Arn: arn:aws:iam::<account>:root, CreateDate}}"
        for p in ("User.UserName: required by User, missing", "User.Path: required by User, missing")},
    ("iam", "create-virtual-mfa-device", ("--virtual-mfa-device-name", "alice-phone", "--tags", "Key=team,Value=blue")): {
        "VirtualMFADevice.ProvisioningUri: not a member of VirtualMFADevice":
            "iamctl has no --outfile/--bootstrap-method: it prints the Base32 seed and the otpauth:// URI a QR "
            "code encodes, where the aws CLI writes Base32StringSeed or QRCodePNG to --outfile and prints neither"},
}


def aws_operation(group: str, command: str) -> str | None:
    service = AWS_SERVICES.get(group)
    return operation_names(service).get(command) if service else None


COMMANDS = [(g.name, c.name) for g, c in cli.all_commands()]
CHECKED = [(group, command) for group, command in COMMANDS if aws_operation(group, command)]


@dataclass
class Run:
    argv: tuple[str, ...]
    code: int
    out: str
    err: str

    @property
    def printed(self) -> Any:
        """The JSON printed; nothing printed (the aws CLI's answer to an operation without output) is {}."""
        return json.loads(self.out) if self.out.strip() else {}


class Scenario:
    """iamctl against one iamd, every run kept by (group, command)."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.runs: dict[tuple[str, str], list[Run]] = {}
        self.broke = ""

    async def __call__(self, group: str, command: str, *argv: str, profile: str | None = None) -> Any:
        args = ["--endpoint", self.target, "--output", "json", *(("--profile", profile) if profile else ()),
                group, command, *argv]

        def run() -> Run:
            out, err = io.StringIO(), io.StringIO()
            with redirect_stdout(out), redirect_stderr(err):
                code = cli.main(args)
            return Run(tuple(argv), code, out.getvalue(), err.getvalue())

        done = await asyncio.to_thread(run)
        self.runs.setdefault((group, command), []).append(done)
        if done.code != 0:
            raise AssertionError(f"iamctl {group} {command} {' '.join(argv)}: exit {done.code}: {done.err}")
        return done.printed


def _allow(action: str, resource: str = "*", **extra: Any) -> str:
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource, **extra}]})


def _trust(principal: dict[str, str], action: str = "sts:AssumeRole", **extra: Any) -> str:
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Principal": principal, "Action": action, **extra}]})


def _certificate(key: rsa.RSAPrivateKey, cn: str) -> str:
    now = datetime.now(UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30)).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


A = f"arn:aws:iam::{ACCOUNT}"
TRUST_ALICE = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": f"{A}:user/x/alice"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}]})
CONDITIONED = _allow("s3:GetObject", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})


async def _files(run: Scenario, st: Any) -> None:
    """The key, certificates, SSH key and SAML metadata the commands read (file://)."""
    files, idp = st.files, st.idp
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (files / "key.pem").write_text(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption()).decode())
    (files / "cert.pem").write_text(_certificate(key, "iamd.test"))
    (files / "ssh.pub").write_text(key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                                                 serialization.PublicFormat.OpenSSH).decode())
    (files / "metadata.xml").write_text(idp.metadata())


async def _policies(run: Scenario, st: Any) -> None:
    """Managed policies and their versions."""
    st.policy = (await run("iam", "create-policy", "--policy-name", "Read", "--policy-document", CONDITIONED,
                           "--description", "reads", "--tags", "Key=team,Value=blue"))["Policy"]["Arn"]
    st.boundary = (await run("iam", "create-policy", "--policy-name", "Boundary",
                             "--policy-document", _allow("*")))["Policy"]["Arn"]
    await run("iam", "get-policy", "--policy-arn", st.policy)
    await run("iam", "list-policies", "--scope", "Local")
    await run("iam", "create-policy-version", "--policy-arn", st.policy, "--policy-document", CONDITIONED,
              "--set-as-default")
    await run("iam", "get-policy-version", "--policy-arn", st.policy, "--version-id", "v2")
    await run("iam", "list-policy-versions", "--policy-arn", st.policy)
    await run("iam", "set-default-policy-version", "--policy-arn", st.policy, "--version-id", "v1")
    await run("iam", "delete-policy-version", "--policy-arn", st.policy, "--version-id", "v2")


async def _principals(run: Scenario, st: Any) -> None:
    """Users, groups, roles; their policies, boundaries and tags."""
    await run("iam", "create-user", "--user-name", "alice", "--path", "/x/", "--permissions-boundary", st.boundary,
              "--tags", "Key=team,Value=blue")
    await run("iam", "get-user", "--user-name", "alice")
    await run("iam", "get-user")  # the caller: the root
    await run("iam", "list-users")
    await run("iam", "create-group", "--group-name", "ops")
    await run("iam", "add-user-to-group", "--group-name", "ops", "--user-name", "alice")
    await run("iam", "get-group", "--group-name", "ops")
    await run("iam", "list-groups")
    await run("iam", "list-groups-for-user", "--user-name", "alice")
    await run("iam", "create-role", "--role-name", "deploy", "--path", "/x/", "--description", "deploys",
              "--assume-role-policy-document", TRUST_ALICE, "--max-session-duration",
              "7200", "--permissions-boundary", st.boundary, "--tags", "Key=team,Value=blue")
    await run("iam", "get-role", "--role-name", "deploy")
    await run("iam", "list-roles")
    await run("iam", "update-role", "--role-name", "deploy", "--description", "deploys things")
    await run("iam", "update-role-description", "--role-name", "deploy", "--description", "deploys")
    await run("iam", "update-assume-role-policy", "--role-name", "deploy",
              "--policy-document", TRUST_ALICE)
    for kind, flag, name in (("user", "--user-name", "alice"), ("group", "--group-name", "ops"),
                             ("role", "--role-name", "deploy")):
        await run("iam", f"attach-{kind}-policy", flag, name, "--policy-arn", st.policy)
        await run("iam", f"list-attached-{kind}-policies", flag, name)
        await run("iam", f"put-{kind}-policy", flag, name, "--policy-name", "inline", "--policy-document", _allow("*"))
        await run("iam", f"get-{kind}-policy", flag, name, "--policy-name", "inline")
        await run("iam", f"list-{kind}-policies", flag, name)
    for kind, flag, name in (("user", "--user-name", "alice"), ("role", "--role-name", "deploy")):
        await run("iam", f"put-{kind}-permissions-boundary", flag, name, "--permissions-boundary", st.boundary)
    for kind, flag, name in (("user", "--user-name", "alice"), ("role", "--role-name", "deploy"),
                             ("policy", "--policy-arn", st.policy)):
        await run("iam", f"tag-{kind}", flag, name, "--tags", "Key=env,Value=prod")
        await run("iam", f"untag-{kind}", flag, name, "--tag-keys", "env")
        await run("iam", f"list-{kind}-tags", flag, name)
    await run("iam", "list-entities-for-policy", "--policy-arn", st.policy)
    await run("iam", "get-account-authorization-details")
    for kind, flag, name in (("user", "--user-name", "gone"), ("group", "--group-name", "gone"),
                             ("role", "--role-name", "gone")):
        extra = ("--assume-role-policy-document", _trust({"Service": "ec2.amazonaws.com"})) if kind == "role" else ()
        await run("iam", f"create-{kind}", flag, name, *extra)
    await run("iam", "update-user", "--user-name", "gone", "--new-user-name", "gone2", "--new-path", "/y/")
    await run("iam", "update-group", "--group-name", "gone", "--new-group-name", "gone2")


async def _account(run: Scenario, st: Any) -> None:
    """The account: password policy, alias."""
    await run("iam", "update-account-password-policy", "--minimum-password-length", "8",
              "--allow-users-to-change-password", "--require-numbers")
    await run("iam", "get-account-password-policy")
    await run("iam", "create-account-alias", "--account-alias", "iamd-shapes")
    await run("iam", "list-account-aliases")
    await run("iam", "set-security-token-service-preferences", "--global-endpoint-token-version", "v2Token")


async def _keys(run: Scenario, st: Any) -> None:
    """Access keys, login profile, the user's own calls."""
    key_id = (await run("iam", "create-access-key", "--user-name", "alice"))["AccessKey"]
    write_profile(st.files / "credentials", "alice", Credentials(key_id["AccessKeyId"], key_id["SecretAccessKey"]))
    st.alice_key = key_id["AccessKeyId"]
    await run("iam", "list-access-keys", "--user-name", "alice")
    await run("iam", "update-access-key", "--user-name", "alice", "--access-key-id", st.alice_key, "--status", "Active")
    await run("iam", "get-access-key-last-used", "--access-key-id", st.alice_key)
    await run("iam", "create-login-profile", "--user-name", "alice", "--password", "Passw0rd-one")
    await run("iam", "get-login-profile", "--user-name", "alice")
    await run("iam", "update-login-profile", "--user-name", "alice", "--password", "Passw0rd-two")
    await run("iam", "change-password", "--old-password", "Passw0rd-two", "--new-password", "Passw0rd-three",
              profile="alice")


async def _mfa(run: Scenario, st: Any) -> None:
    """A virtual MFA device, enabled for alice; the account summary."""
    device = (await run("iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "alice-phone",
                        "--tags", "Key=team,Value=blue"))["VirtualMFADevice"]
    st.serial = device["SerialNumber"]
    seed = device["Base32StringSeed"]
    try:  # printed as the aws CLI prints a blob (base64 of the Base32 text), or as the text itself
        seed = base64.b64decode(seed, validate=True).decode()
    except ValueError:
        pass
    await run("iam", "tag-mfa-device", "--serial-number", st.serial, "--tags", "Key=env,Value=prod")
    await run("iam", "untag-mfa-device", "--serial-number", st.serial, "--tag-keys", "env")
    await run("iam", "list-mfa-device-tags", "--serial-number", st.serial)
    now = time.time()
    await run("iam", "enable-mfa-device", "--user-name", "alice", "--serial-number", st.serial,
              "--authentication-code1", totp(seed, now - 30), "--authentication-code2", totp(seed, now))
    await run("iam", "list-mfa-devices", "--user-name", "alice")
    await run("iam", "get-mfa-device", "--serial-number", st.serial, "--user-name", "alice")
    await run("iam", "resync-mfa-device", "--user-name", "alice", "--serial-number", st.serial,
              "--authentication-code1", totp(seed, now + 60), "--authentication-code2", totp(seed, now + 90))
    await run("iam", "list-virtual-mfa-devices")
    await run("iam", "get-account-summary")


async def _credentials(run: Scenario, st: Any) -> None:
    """SSH keys, signing certificates, service-specific credentials, server certificates."""
    st.ssh = (await run("iam", "upload-ssh-public-key", "--user-name", "alice",
                        "--ssh-public-key-body", f"file://{st.files / 'ssh.pub'}"))["SSHPublicKey"]["SSHPublicKeyId"]
    await run("iam", "get-ssh-public-key", "--user-name", "alice", "--ssh-public-key-id", st.ssh, "--encoding", "SSH")
    await run("iam", "list-ssh-public-keys", "--user-name", "alice")
    await run("iam", "update-ssh-public-key", "--user-name", "alice", "--ssh-public-key-id", st.ssh, "--status", "Inactive")
    st.certificate = (await run("iam", "upload-signing-certificate", "--user-name", "alice",
                                "--certificate-body", f"file://{st.files / 'cert.pem'}"))["Certificate"]["CertificateId"]
    await run("iam", "list-signing-certificates", "--user-name", "alice")
    await run("iam", "update-signing-certificate", "--user-name", "alice", "--certificate-id", st.certificate,
              "--status", "Inactive")
    st.credential = (await run("iam", "create-service-specific-credential", "--user-name", "alice", "--service-name",
                               "codecommit.amazonaws.com"))["ServiceSpecificCredential"]["ServiceSpecificCredentialId"]
    await run("iam", "list-service-specific-credentials", "--user-name", "alice")
    await run("iam", "reset-service-specific-credential", "--user-name", "alice",
              "--service-specific-credential-id", st.credential)
    await run("iam", "update-service-specific-credential", "--user-name", "alice",
              "--service-specific-credential-id", st.credential, "--status", "Inactive")
    await run("iam", "upload-server-certificate", "--server-certificate-name", "web", "--path", "/x/",
              "--certificate-body", f"file://{st.files / 'cert.pem'}", "--private-key", f"file://{st.files / 'key.pem'}",
              "--certificate-chain", f"file://{st.files / 'cert.pem'}", "--tags", "Key=team,Value=blue")
    await run("iam", "get-server-certificate", "--server-certificate-name", "web")
    await run("iam", "list-server-certificates")
    await run("iam", "tag-server-certificate", "--server-certificate-name", "web", "--tags", "Key=env,Value=prod")
    await run("iam", "untag-server-certificate", "--server-certificate-name", "web", "--tag-keys", "env")
    await run("iam", "list-server-certificate-tags", "--server-certificate-name", "web")
    await run("iam", "update-server-certificate", "--server-certificate-name", "web", "--new-path", "/y/")


async def _instance_profiles(run: Scenario, st: Any) -> None:
    """Instance profiles, service-linked roles."""
    await run("iam", "create-instance-profile", "--instance-profile-name", "web", "--path", "/x/",
              "--tags", "Key=team,Value=blue")
    await run("iam", "add-role-to-instance-profile", "--instance-profile-name", "web", "--role-name", "deploy")
    await run("iam", "get-instance-profile", "--instance-profile-name", "web")
    await run("iam", "list-instance-profiles")
    await run("iam", "list-instance-profiles-for-role", "--role-name", "deploy")
    await run("iam", "tag-instance-profile", "--instance-profile-name", "web", "--tags", "Key=env,Value=prod")
    await run("iam", "untag-instance-profile", "--instance-profile-name", "web", "--tag-keys", "env")
    await run("iam", "list-instance-profile-tags", "--instance-profile-name", "web")
    linked = (await run("iam", "create-service-linked-role", "--aws-service-name", "autoscaling.amazonaws.com",
                        "--description", "scaling"))["Role"]["RoleName"]
    task = (await run("iam", "delete-service-linked-role", "--role-name", linked))["DeletionTaskId"]
    await run("iam", "get-service-linked-role-deletion-status", "--deletion-task-id", task)


async def _identity_providers(run: Scenario, st: Any) -> None:
    """OIDC and SAML identity providers."""
    st.oidc_arn = (await run("iam", "create-open-id-connect-provider", "--url", st.oidc.url,
                             "--client-id-list", "sts.amazonaws.com", "--thumbprint-list", st.oidc.thumbprint,
                             "--tags", "Key=team,Value=blue"))["OpenIDConnectProviderArn"]
    await run("iam", "get-open-id-connect-provider", "--open-id-connect-provider-arn", st.oidc_arn)
    await run("iam", "list-open-id-connect-providers")
    await run("iam", "add-client-id-to-open-id-connect-provider", "--open-id-connect-provider-arn", st.oidc_arn,
              "--client-id", "other")
    await run("iam", "remove-client-id-from-open-id-connect-provider", "--open-id-connect-provider-arn", st.oidc_arn,
              "--client-id", "other")
    await run("iam", "update-open-id-connect-provider-thumbprint", "--open-id-connect-provider-arn", st.oidc_arn,
              "--thumbprint-list", st.oidc.thumbprint)
    await run("iam", "tag-open-id-connect-provider", "--open-id-connect-provider-arn", st.oidc_arn,
              "--tags", "Key=env,Value=prod")
    await run("iam", "untag-open-id-connect-provider", "--open-id-connect-provider-arn", st.oidc_arn, "--tag-keys", "env")
    await run("iam", "list-open-id-connect-provider-tags", "--open-id-connect-provider-arn", st.oidc_arn)
    st.saml_arn = (await run("iam", "create-saml-provider", "--name", "Corp", "--saml-metadata-document",
                             f"file://{st.files / 'metadata.xml'}", "--tags", "Key=team,Value=blue"))["SAMLProviderArn"]
    await run("iam", "get-saml-provider", "--saml-provider-arn", st.saml_arn)
    await run("iam", "list-saml-providers")
    await run("iam", "update-saml-provider", "--saml-provider-arn", st.saml_arn,
              "--saml-metadata-document", f"file://{st.files / 'metadata.xml'}")
    await run("iam", "tag-saml-provider", "--saml-provider-arn", st.saml_arn, "--tags", "Key=env,Value=prod")
    await run("iam", "untag-saml-provider", "--saml-provider-arn", st.saml_arn, "--tag-keys", "env")
    await run("iam", "list-saml-provider-tags", "--saml-provider-arn", st.saml_arn)


async def _simulation(run: Scenario, st: Any) -> None:
    """Simulation and context keys."""
    await run("iam", "simulate-custom-policy", "--policy-input-list", CONDITIONED, "--action-names", "s3:GetObject",
              "--caller-arn", f"{A}:user/x/alice",
              "--resource-arns", "arn:aws:s3:::b/k", "--context-entries", '{"aws:SourceIp": "10.0.0.1"}')
    await run("iam", "simulate-principal-policy", "--policy-source-arn", f"{A}:user/x/alice",
              "--action-names", "s3:GetObject", "iam:CreateUser")
    await run("iam", "get-context-keys-for-custom-policy", "--policy-input-list", CONDITIONED)
    await run("iam", "get-context-keys-for-principal-policy", "--policy-source-arn", f"{A}:user/x/alice")


async def _sts(run: Scenario, st: Any) -> None:
    """STS, as alice (the role trusts her) and unsigned with the IdPs' tokens."""
    await run("sts", "get-caller-identity")
    await run("sts", "get-caller-identity", profile="alice")
    await run("sts", "assume-role", "--role-arn", f"{A}:role/x/deploy", "--role-session-name", "deployer",
              "--tags", "Key=team,Value=blue", "--policy-arns", f"arn={st.policy}", profile="alice")
    await run("sts", "get-session-token", "--duration-seconds", "900", profile="alice")
    await run("sts", "get-federation-token", "--name", "fed", "--policy", _allow("s3:*"), profile="alice")
    # GetScopedCredentials takes temporary credentials: a session of scoper's, scoped down.
    await run("iam", "create-user", "--user-name", "scoper")
    await run("iam", "put-user-policy", "--user-name", "scoper", "--policy-name", "scope",
              "--policy-document", _allow("sts:GetScopedCredentials"))
    key = (await run("iam", "create-access-key", "--user-name", "scoper"))["AccessKey"]
    write_profile(st.files / "credentials", "scoper", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    parent = (await run("sts", "get-session-token", "--duration-seconds", "900", profile="scoper"))["Credentials"]
    write_profile(st.files / "credentials", "scoper-session", Credentials(
        parent["AccessKeyId"], parent["SecretAccessKey"], parent["SessionToken"]))
    await run("sts", "get-scoped-credentials", "--policy", _allow("s3:GetObject"), "--duration-seconds", "600",
              "--scoped-session-description", "one job", profile="scoper-session")
    await run("sts", "get-access-key-info", "--access-key-id", st.alice_key)
    denied = await run("authz", "check", "--principal", f"{A}:user/gone2", "--action", "s3:GetObject",
                       "--resource", "arn:aws:s3:::b/k", "--encode-denial")
    await run("sts", "decode-authorization-message", "--encoded-message", denied["EncodedAuthorizationMessage"])
    host_path = st.oidc.url.removeprefix("https://")
    await run("iam", "create-role", "--role-name", "pods", "--assume-role-policy-document", _trust(
        {"Federated": st.oidc_arn}, "sts:AssumeRoleWithWebIdentity",
        Condition={"StringEquals": {f"{host_path}:aud": "sts.amazonaws.com"}}))
    (st.files / "token").write_text(st.oidc.token(sub="system:serviceaccount:payments:api"))
    await run("sts", "assume-role-with-web-identity", "--role-arn", f"{A}:role/pods", "--role-session-name", "pod",
              "--web-identity-token", f"file://{st.files / 'token'}")
    await run("iam", "create-role", "--role-name", "sso", "--assume-role-policy-document", _trust(
        {"Federated": st.saml_arn}, "sts:AssumeRoleWithSAML",
        Condition={"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}))
    (st.files / "assertion").write_text(st.idp.assertion(role_arn=f"{A}:role/sso", provider_arn=st.saml_arn))
    await run("sts", "assume-role-with-saml", "--role-arn", f"{A}:role/sso", "--principal-arn", st.saml_arn,
              "--saml-assertion", f"file://{st.files / 'assertion'}")
    await run("iam", "enable-outbound-web-identity-federation")
    await run("iam", "get-outbound-web-identity-federation-info")
    await run("sts", "get-web-identity-token", "--audience", "https://api.example.com", "--signing-algorithm",
              "ES384", "--duration-seconds", "120", "--tags", "Key=job,Value=42")
    await run("iam", "disable-outbound-web-identity-federation")


async def _report(run: Scenario, st: Any) -> None:
    """The credential report, once built (GenerateCredentialReport answers STARTED, then COMPLETE)."""
    while (await run("iam", "generate-credential-report"))["State"] != "COMPLETE":
        await asyncio.sleep(0.05)
    await run("iam", "get-credential-report")


async def _access_advisor(run: Scenario, st: Any) -> None:
    """Last-accessed reports of alice (per action) and of the managed policy (per entity), once built."""
    async def report(*argv: str) -> str:
        job = (await run("iam", "generate-service-last-accessed-details", *argv))["JobId"]
        while (await run("iam", "get-service-last-accessed-details", "--job-id", job))["JobStatus"] == "IN_PROGRESS":
            await asyncio.sleep(0.05)
        return job

    await report("--arn", f"{A}:user/x/alice", "--granularity", "ACTION_LEVEL")
    job = await report("--arn", st.policy)
    await run("iam", "get-service-last-accessed-details-with-entities", "--job-id", job, "--service-namespace", "s3")
    await run("iam", "list-policies-granting-service-access", "--arn", f"{A}:user/x/alice",
              "--service-namespaces", "s3", "iam")


async def _deletions(run: Scenario, st: Any) -> None:
    """The deletions, each of something the parts before made."""
    await run("iam", "delete-ssh-public-key", "--user-name", "alice", "--ssh-public-key-id", st.ssh)
    await run("iam", "delete-signing-certificate", "--user-name", "alice", "--certificate-id", st.certificate)
    await run("iam", "delete-service-specific-credential", "--user-name", "alice",
              "--service-specific-credential-id", st.credential)
    await run("iam", "delete-server-certificate", "--server-certificate-name", "web")
    await run("iam", "deactivate-mfa-device", "--user-name", "alice", "--serial-number", st.serial)
    await run("iam", "delete-virtual-mfa-device", "--serial-number", st.serial)
    await run("iam", "delete-login-profile", "--user-name", "alice")
    await run("iam", "delete-access-key", "--user-name", "alice", "--access-key-id", st.alice_key)
    await run("iam", "remove-role-from-instance-profile", "--instance-profile-name", "web", "--role-name", "deploy")
    await run("iam", "delete-instance-profile", "--instance-profile-name", "web")
    await run("iam", "delete-open-id-connect-provider", "--open-id-connect-provider-arn", st.oidc_arn)
    await run("iam", "delete-saml-provider", "--saml-provider-arn", st.saml_arn)
    await run("iam", "delete-account-alias", "--account-alias", "iamd-shapes")
    await run("iam", "delete-account-password-policy")
    for kind, flag, name in (("user", "--user-name", "alice"), ("role", "--role-name", "deploy")):
        await run("iam", f"delete-{kind}-permissions-boundary", flag, name)
    for kind, flag, name in (("user", "--user-name", "alice"), ("group", "--group-name", "ops"),
                             ("role", "--role-name", "deploy")):
        await run("iam", f"detach-{kind}-policy", flag, name, "--policy-arn", st.policy)
        await run("iam", f"delete-{kind}-policy", flag, name, "--policy-name", "inline")
    await run("iam", "remove-user-from-group", "--group-name", "ops", "--user-name", "alice")
    await run("iam", "delete-user", "--user-name", "gone2")
    await run("iam", "delete-group", "--group-name", "gone2")
    await run("iam", "delete-role", "--role-name", "gone")
    gone = (await run("iam", "create-policy", "--policy-name", "Gone", "--policy-document", _allow("s3:*")))
    await run("iam", "delete-policy", "--policy-arn", gone["Policy"]["Arn"])


async def _root_access(run: Scenario, st: Any) -> None:
    """Centralized root access in an organization of its own: the features, a root session of a member."""
    await run("organizations", "create-organization")
    await run("organizations", "create-account", "--account-name", "rooted", "--email", "rooted@example.com")
    member = next(a["Id"] for a in (await run("organizations", "list-accounts"))["Accounts"] if a["Id"] != ACCOUNT)
    await run("organizations", "enable-aws-service-access", "--service-principal", "iam.amazonaws.com")
    await run("iam", "enable-organizations-root-sessions")
    await run("iam", "enable-organizations-root-credentials-management")
    await run("iam", "list-organizations-features")
    await run("iam", "create-user", "--user-name", "rooter")
    await run("iam", "put-user-policy", "--user-name", "rooter", "--policy-name", "root",
              "--policy-document", _allow("sts:AssumeRoot"))
    key = (await run("iam", "create-access-key", "--user-name", "rooter"))["AccessKey"]
    write_profile(st.files / "credentials", "rooter", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    await run("sts", "assume-root", "--target-principal", member, "--task-policy-arn",
              "arn=arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials", "--duration-seconds", "300",
              profile="rooter")
    await run("iam", "disable-organizations-root-credentials-management")
    await run("iam", "disable-organizations-root-sessions")
    await run("organizations", "disable-aws-service-access", "--service-principal", "iam.amazonaws.com")
    await run("organizations", "remove-account-from-organization", "--account-id", member)
    await run("organizations", "delete-organization")


async def _organizations(run: Scenario, st: Any) -> None:
    """An organization, a member account in an OU, an SCP attached and detached."""
    await run("organizations", "create-organization")
    await run("organizations", "describe-organization")
    root = (await run("organizations", "list-roots"))["Roots"][0]["Id"]
    await run("organizations", "enable-policy-type", "--root-id", root, "--policy-type", "SERVICE_CONTROL_POLICY")
    await run("organizations", "enable-policy-type", "--root-id", root, "--policy-type", "RESOURCE_CONTROL_POLICY")
    await run("organizations", "create-account", "--account-name", "dev", "--email", "dev@example.com",
              "--tags", "Key=team,Value=blue")
    accounts = (await run("organizations", "list-accounts"))["Accounts"]
    member = next(a["Id"] for a in accounts if a["Id"] != ACCOUNT)
    await run("organizations", "describe-account", "--account-id", member)
    ou = (await run("organizations", "create-organizational-unit", "--parent-id", root, "--name", "eng",
                    "--tags", "Key=team,Value=blue"))["OrganizationalUnit"]["Id"]
    await run("organizations", "move-account", "--account-id", member, "--source-parent-id", root,
              "--destination-parent-id", ou)
    await run("organizations", "list-children", "--parent-id", ou, "--child-type", "ACCOUNT")
    await run("organizations", "list-parents", "--child-id", member)
    await run("organizations", "list-organizational-units-for-parent", "--parent-id", root)
    await run("organizations", "list-accounts-for-parent", "--parent-id", ou)
    await run("organizations", "describe-organizational-unit", "--organizational-unit-id", ou)
    await run("organizations", "update-organizational-unit", "--organizational-unit-id", ou, "--name", "engineering")
    scp = (await run("organizations", "create-policy", "--name", "deny-leave", "--type", "SERVICE_CONTROL_POLICY",
                     "--description", "no leaving", "--tags", "Key=team,Value=blue",
                     "--content", json.dumps({"Version": "2012-10-17", "Statement": [
                         {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]})
                     ))["Policy"]["PolicySummary"]["Id"]
    await run("organizations", "describe-policy", "--policy-id", scp)
    await run("organizations", "list-policies", "--filter", "SERVICE_CONTROL_POLICY")
    await run("organizations", "attach-policy", "--policy-id", scp, "--target-id", ou)
    await run("organizations", "list-policies-for-target", "--target-id", ou, "--filter", "SERVICE_CONTROL_POLICY")
    await run("organizations", "list-targets-for-policy", "--policy-id", scp)
    await run("organizations", "update-policy", "--policy-id", scp, "--description", "never leave")
    await run("organizations", "tag-resource", "--resource-id", ou, "--tags", "Key=env,Value=prod")
    await run("organizations", "untag-resource", "--resource-id", ou, "--tag-keys", "env")
    await run("organizations", "list-tags-for-resource", "--resource-id", ou)
    # IAM's access report for the member account (FullAWSAccess at every level): every service.
    org_id = (await run("organizations", "describe-organization"))["Organization"]["Id"]
    job = (await run("iam", "generate-organizations-access-report", "--entity-path",
                     f"{org_id}/{root}/{ou}/{member}"))["JobId"]
    while (await run("iam", "get-organizations-access-report", "--job-id", job,
                     "--sort-key", "LAST_AUTHENTICATED_TIME_DESCENDING"))["JobStatus"] == "IN_PROGRESS":
        await asyncio.sleep(0.05)
    await run("organizations", "detach-policy", "--policy-id", scp, "--target-id", ou)
    # A tag policy at the root: the member's effective policy, asked for by the management account.
    await run("organizations", "enable-policy-type", "--root-id", root, "--policy-type", "TAG_POLICY")
    tag_policy = (await run("organizations", "create-policy", "--name", "cost-center", "--type", "TAG_POLICY",
                            "--description", "", "--content", json.dumps({"tags": {"CostCenter": {
                                "tag_key": {"@@assign": "CostCenter"}}}})))["Policy"]["PolicySummary"]["Id"]
    await run("organizations", "attach-policy", "--policy-id", tag_policy, "--target-id", root)
    await run("organizations", "describe-effective-policy", "--policy-type", "TAG_POLICY", "--target-id", member)
    # A second spelling of the key appended on the account: its effective tag policy is invalid.
    spelling = (await run("organizations", "create-policy", "--name", "cost-center-2", "--type", "TAG_POLICY",
                          "--description", "", "--content", json.dumps({"tags": {"CostCenter": {
                              "tag_key": {"@@append": ["costcenter"]}}}})))["Policy"]["PolicySummary"]["Id"]
    await run("organizations", "attach-policy", "--policy-id", spelling, "--target-id", member)
    await run("organizations", "list-accounts-with-invalid-effective-policy", "--policy-type", "TAG_POLICY")
    await run("organizations", "list-effective-policy-validation-errors", "--account-id", member,
              "--policy-type", "TAG_POLICY")
    await run("organizations", "detach-policy", "--policy-id", spelling, "--target-id", member)
    await run("organizations", "delete-policy", "--policy-id", spelling)
    await run("organizations", "detach-policy", "--policy-id", tag_policy, "--target-id", root)
    await run("organizations", "delete-policy", "--policy-id", scp)
    await run("organizations", "enable-aws-service-access", "--service-principal", "sso.amazonaws.com")
    await run("organizations", "list-aws-service-access-for-organization")
    await run("organizations", "disable-aws-service-access", "--service-principal", "sso.amazonaws.com")
    await run("organizations", "move-account", "--account-id", member, "--source-parent-id", ou,
              "--destination-parent-id", root)
    await run("organizations", "delete-organizational-unit", "--organizational-unit-id", ou)
    await run("organizations", "enable-aws-service-access", "--service-principal", "config.amazonaws.com")
    await run("organizations", "register-delegated-administrator", "--account-id", member,
              "--service-principal", "config.amazonaws.com")
    await run("organizations", "list-delegated-administrators", "--service-principal", "config.amazonaws.com")
    await run("organizations", "list-delegated-services-for-account", "--account-id", member)
    await run("organizations", "deregister-delegated-administrator", "--account-id", member,
              "--service-principal", "config.amazonaws.com")
    await run("organizations", "remove-account-from-organization", "--account-id", member)
    # Another member leaves by itself, as its OrganizationAccountAccessRole; then the organization goes.
    await run("organizations", "create-account", "--account-name", "ops", "--email", "ops@example.com")
    leaver = next(a["Id"] for a in (await run("organizations", "list-accounts"))["Accounts"] if a["Id"] != ACCOUNT)
    await run("iam", "create-user", "--user-name", "orgadmin")
    await run("iam", "put-user-policy", "--user-name", "orgadmin", "--policy-name", "assume",
              "--policy-document", _allow("sts:AssumeRole"))
    key = (await run("iam", "create-access-key", "--user-name", "orgadmin"))["AccessKey"]
    write_profile(st.files / "credentials", "orgadmin", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    session = (await run("sts", "assume-role", "--role-arn", f"arn:aws:iam::{leaver}:role/OrganizationAccountAccessRole",
                         "--role-session-name", "leaver", profile="orgadmin"))["Credentials"]
    write_profile(st.files / "credentials", "member", Credentials(session["AccessKeyId"], session["SecretAccessKey"],
                                                                  session["SessionToken"]))
    await run("organizations", "leave-organization", profile="member")
    # It is invited back: declined, canceled, then accepted (as the member), and leaves again.
    target = f"Id={leaver},Type=ACCOUNT"
    declined = (await run("organizations", "invite-account-to-organization", "--target", target,
                          "--notes", "join us"))["Handshake"]["Id"]
    await run("organizations", "list-handshakes-for-organization")
    await run("organizations", "describe-handshake", "--handshake-id", declined)
    await run("organizations", "list-handshakes-for-account", "--filter", "ActionType=INVITE", profile="member")
    await run("organizations", "decline-handshake", "--handshake-id", declined, profile="member")
    canceled = (await run("organizations", "invite-account-to-organization", "--target", target))["Handshake"]["Id"]
    await run("organizations", "cancel-handshake", "--handshake-id", canceled)
    accepted = (await run("organizations", "invite-account-to-organization", "--target", target))["Handshake"]["Id"]
    await run("organizations", "accept-handshake", "--handshake-id", accepted, profile="member")
    await run("organizations", "leave-organization", profile="member")
    await run("organizations", "disable-policy-type", "--root-id", root, "--policy-type", "RESOURCE_CONTROL_POLICY")
    await run("organizations", "delete-organization")
    # A new organization closes a member account (which then stays in it, SUSPENDED, for 90 days).
    await run("organizations", "create-organization")
    await run("organizations", "create-account", "--account-name", "old", "--email", "old@example.com")
    closing = next(a["Id"] for a in (await run("organizations", "list-accounts"))["Accounts"] if a["Id"] != ACCOUNT)
    await run("organizations", "close-account", "--account-id", closing)
    # Its resource policy: the delegation of the reads to a member account.
    delegation = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{closing}:root"},
        "Action": ["organizations:Describe*", "organizations:List*"], "Resource": "*"}]})
    await run("organizations", "put-resource-policy", "--content", delegation, "--tags", "Key=team,Value=sec")
    await run("organizations", "describe-resource-policy")
    await run("organizations", "delete-resource-policy")


async def _others(run: Scenario, st: Any) -> None:
    """CloudTrail and Access Analyzer."""
    await run("cloudtrail", "lookup-events", "--lookup-attributes", "AttributeKey=EventName,AttributeValue=CreateUser",
              "--max-results", "5")
    await run("accessanalyzer", "validate-policy", "--policy-type", "IDENTITY_POLICY", "--policy-document",
              json.dumps({"Version": "2012-10-17", "Statement": [
                  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {
                      "StringEquals": {"aws:username": "a"}}}, {"Effect": "Allow", "Action": "iam:PassRole",
                                                                 "Resource": "*"}]}))


PARTS = (_files, _policies, _principals, _account, _keys, _mfa, _credentials, _instance_profiles,
         _identity_providers, _simulation, _sts, _report, _access_advisor, _deletions, _root_access, _organizations,
         _others)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def runs(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Scenario]:
    """One iamd, the scenario run through it once; the runs, for each command's test to look at."""
    files = tmp_path_factory.mktemp("cli-shapes")
    oidc = await OidcIssuer().start(files)
    # The issuer URL outbound identity federation answers is where external services reach iamd.
    iamd = await start_iamd(files / "data", public_url="https://iamd.example.test")
    scenario = Scenario(iamd.target)
    credentials = files / "credentials"
    credentials.write_text((files / "data" / "root-credentials").read_text())
    st = SimpleNamespace(files=files, oidc=oidc, idp=SamlIdp())
    try:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(credentials))
            for name in ("IAMD_ACCESS_KEY_ID", "IAMD_SECRET_ACCESS_KEY", "IAMD_SESSION_TOKEN", "IAMD_PROFILE"):
                env.delenv(name, raising=False)
            for part in PARTS:
                try:
                    await part(scenario, st)
                except Exception as e:  # the commands after this one are reported as not run, with this
                    scenario.broke += f"\n{part.__name__} broke: {type(e).__name__}: {e}"
    finally:
        await stop_iamd(iamd)
        await oidc.stop()
    yield scenario


def test_every_tolerance_is_still_needed(runs: Scenario) -> None:
    """A tolerated problem that no longer occurs (iamctl fixed, or the scenario changed) goes from the list."""
    for (group, command, argv), problems in TOLERATED.items():
        [done] = [r for r in runs.runs.get((group, command), []) if r.argv == argv]
        found = output_mismatches(operation_model(AWS_SERVICES[group], aws_operation(group, command)),  # type: ignore[arg-type]
                                  done.printed, allowed_top=frozenset(DEVIATIONS))
        assert set(problems) <= set(found), set(problems) - set(found)


def test_every_command_is_an_aws_operation_or_iamds_own() -> None:
    """Computed from iamctl's own table: nothing added later slips through unchecked."""
    for group, command in COMMANDS:
        operation = aws_operation(group, command)
        assert bool(operation) != ((group, command) in IAMD_OWN), (
            f"iamctl {group} {command}: " + ("is an AWS operation, yet listed as iamd's own" if operation else
                                              "is no AWS operation: name it in IAMD_OWN with its reason"))
    assert set(IAMD_OWN) <= set(COMMANDS), set(IAMD_OWN) - set(COMMANDS)


@pytest.mark.parametrize(("group", "command"), CHECKED, ids=[f"{g}-{c}" for g, c in CHECKED])
def test_the_command_prints_the_aws_cli_output(runs: Scenario, group: str, command: str) -> None:
    operation = operation_model(AWS_SERVICES[group], aws_operation(group, command))  # type: ignore[arg-type]
    done = runs.runs.get((group, command), [])
    succeeded = [r for r in done if r.code == 0]
    assert succeeded, (f"iamctl {group} {command} was not run successfully by the scenario in this file: add it "
                       f"there" + "".join(f"\n  {r.argv}: exit {r.code}: {r.err}" for r in done) + runs.broke)
    for r in succeeded:
        printed = r.printed
        problems = output_mismatches(operation, printed, allowed_top=frozenset(DEVIATIONS))
        if "Position" in printed and not isinstance(printed["Position"], int):
            problems.append(f"Position: {printed['Position']!r}, not an integer")
        tolerated = TOLERATED.get((group, command, r.argv), {})
        problems = [p for p in problems if p not in tolerated]
        assert not problems, f"iamctl {group} {command} {' '.join(r.argv)}:\n  " + "\n  ".join(problems) + \
            "\nprinted: " + json.dumps(printed, indent=1)[:3000]


@pytest.mark.parametrize(("group", "command"), CHECKED, ids=[f"{g}-{c}" for g, c in CHECKED])
def test_errors_and_tables_name_the_aws_operation(group: str, command: str) -> None:
    """`An error occurred (X) when calling the <Operation> operation`, and --output table's title."""
    spec = next(c for g, c in cli.all_commands() if (g.name, c.name) == (group, command))
    assert spec.operation_name == aws_operation(group, command)


def test_iamctl_spells_every_member_as_aws_does() -> None:
    """iamctl names a member by its field (`ssh_public_key_id`): the members whose AWS spelling is
    not the field's PascalCase (SSHPublicKeyId, VirtualMFADevices, ...) must be in its table.
    (accessanalyzer's answers are built by hand, with their lowerCamel names.)"""
    from iamd.service.awsapi.operations import snake

    missing: set[str] = set()

    def walk(shape: Any, seen: set[str]) -> None:
        if shape.name in seen:
            return
        seen.add(shape.name)
        if shape.type_name == "structure":
            for name, member in shape.members.items():
                if cli.pascal_case(snake(name)) != name:
                    missing.add(f"{snake(name)} -> {name}")
                walk(member, seen)
        elif shape.type_name == "list":
            walk(shape.member, seen)
        elif shape.type_name == "map":
            walk(shape.value, seen)

    for group, command in CHECKED:
        if group != "accessanalyzer":
            shape = operation_model(AWS_SERVICES[group], aws_operation(group, command)).output_shape  # type: ignore[arg-type]
            if shape is not None:
                walk(shape, set())
    assert not missing, f"add to cli._AWS_NAMES: {sorted(missing)}"
