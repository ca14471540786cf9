"""Review of iamctl against the aws CLI's documented and implemented behaviour (no server)."""

from __future__ import annotations

import pytest

from iamd.client import cli


# --- --output text: the aws CLI's awscli/text.py -----------------------------------------------


def test_text_output_lines_up_the_columns_of_a_list_of_objects():
    # The aws CLI prints every item of a list of objects with the same columns: the sorted union of
    # the items' scalar keys, '' where an item lacks one (awscli/text.py, _all_scalar_keys), so that
    # `cut -f` picks the same member on every line. A user that never signed in has no
    # PasswordLastUsed: its UserName must stay in the same column as the others'.
    data = {"Users": [
        {"UserName": "alice", "Arn": "arn:a", "PasswordLastUsed": "2026-01-02T00:00:00Z"},
        {"UserName": "bob", "Arn": "arn:b"},
    ]}
    assert cli.render_text(data).splitlines() == [
        "USERS\tarn:a\t2026-01-02T00:00:00Z\talice",
        "USERS\tarn:b\t\tbob",
    ]


def test_text_output_prints_a_labelled_list_of_values_one_per_line():
    # awscli/text.py, _format_scalar_list: with an identifier, one `LABEL<TAB>value` line per value.
    data = {"ClientIDList": ["app-1", "app-2"], "Url": "idp.example.com"}
    assert cli.render_text(data).splitlines() == [
        "idp.example.com",
        "CLIENTIDLIST\tapp-1",
        "CLIENTIDLIST\tapp-2",
    ]


def test_text_output_of_a_query_selecting_rows_is_one_line_per_row():
    # --query 'Users[].[UserName,Arn]': a bare list of lists, one tab-separated line per row.
    assert cli.render_text([["alice", "arn:a"], ["bob", "arn:b"]]).splitlines() == ["alice\tarn:a", "bob\tarn:b"]


# --- a clear message, never a traceback ---------------------------------------------------------


def _clean_env(monkeypatch, tmp_path):
    for var in ("IAMD_ACCESS_KEY_ID", "IAMD_SECRET_ACCESS_KEY", "IAMD_SESSION_TOKEN", "IAMD_PROFILE",
                "IAMD_CA_BUNDLE", "IAMD_CLIENT_CERT", "IAMD_CLIENT_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))


def test_a_malformed_credentials_file_is_a_configuration_error(monkeypatch, tmp_path, capsys):
    # A credentials file that is not INI (a line before any [profile]): the aws CLI answers "Unable
    # to parse config file" and exits, never a configparser traceback.
    _clean_env(monkeypatch, tmp_path)
    (tmp_path / "credentials").write_text("aws_access_key_id = AKIAEXAMPLE\n[default]\n")
    code = cli.main(["--endpoint", "127.0.0.1:1", "sts", "get-caller-identity"])
    err = capsys.readouterr().err
    assert code == cli.EXIT_CONFIG and "Traceback" not in err and "credentials" in err


def test_a_missing_ca_bundle_is_reported(monkeypatch, tmp_path, capsys):
    _clean_env(monkeypatch, tmp_path)
    monkeypatch.setenv("IAMD_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("IAMD_SECRET_ACCESS_KEY", "s" * 40)
    code = cli.main(["--endpoint", "127.0.0.1:1", "--ca-bundle", str(tmp_path / "nope.pem"),
                     "sts", "get-caller-identity"])
    err = capsys.readouterr().err
    assert code in (cli.EXIT_CONFIG, cli.EXIT_CONNECTION) and "nope.pem" in err


def test_a_malformed_credentials_file_is_reported_without_its_secret(monkeypatch, tmp_path, capsys):
    # configparser's own message quotes the line it could not place: here the secret key.
    _clean_env(monkeypatch, tmp_path)
    (tmp_path / "credentials").write_text("aws_secret_access_key = wJalrXUtnFEMIK7MDENGbPxRfiCYSECRET\n")
    code = cli.main(["--endpoint", "127.0.0.1:1", "sts", "get-caller-identity"])
    captured = capsys.readouterr()
    assert code == cli.EXIT_CONFIG and "SECRET" not in captured.err + captured.out


# --- TLS off loopback ---------------------------------------------------------------------------


def _non_loopback_address() -> str | None:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
        except OSError:
            return None
        address = s.getsockname()[0]
    return None if address.startswith("127.") else address


def test_an_endpoint_off_loopback_is_not_called_in_plaintext(monkeypatch, tmp_path, capsys):
    # `--endpoint HOST:PORT` off loopback must not send the signed call (session token, request
    # bodies such as passwords and private keys, and answers such as new secret keys) in plaintext:
    # iamd itself serves plaintext only on loopback, so a plaintext peer there is not iamd. Plaintext
    # stays available when asked for by name (--endpoint-url http://...).
    from concurrent import futures

    import grpc

    address = _non_loopback_address()
    if address is None:
        pytest.skip("no non-loopback interface")
    seen: list[dict[str, str]] = []

    class Record(grpc.GenericRpcHandler):
        def service(self, details):  # type: ignore[no-untyped-def]
            seen.append(dict(details.invocation_metadata))
            return grpc.unary_unary_rpc_method_handler(lambda request, context: b"")

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((Record(),))
    port = server.add_insecure_port(f"{address}:0")
    server.start()
    try:
        _clean_env(monkeypatch, tmp_path)
        monkeypatch.setenv("IAMD_ACCESS_KEY_ID", "ASIAEXAMPLE")
        monkeypatch.setenv("IAMD_SECRET_ACCESS_KEY", "s" * 40)
        monkeypatch.setenv("IAMD_SESSION_TOKEN", "session-token-in-the-clear")
        code = cli.main(["--endpoint", f"{address}:{port}", "--cli-read-timeout", "5", "sts", "get-caller-identity"])
        capsys.readouterr()
        assert seen == [] and code == cli.EXIT_CONNECTION
        code = cli.main(["--endpoint-url", f"http://{address}:{port}", "sts", "get-caller-identity"])
        capsys.readouterr()
        assert code == cli.EXIT_OK and seen[0]["x-amz-security-token"] == "session-token-in-the-clear"
    finally:
        server.stop(None)


@pytest.mark.parametrize("endpoint", ["127.0.0.1:50051", "localhost:50051", "[::1]:50051", "127.1.2.3:1"])
def test_a_loopback_endpoint_stays_plaintext(endpoint):
    assert cli.endpoint_tls(endpoint) is False


@pytest.mark.parametrize("endpoint", ["iamd.example.com:50051", "10.0.0.5:50051", "[2001:db8::1]:443"])
def test_an_endpoint_off_loopback_uses_tls(endpoint):
    assert cli.endpoint_tls(endpoint) is True


# --- the SDK's retries: a command that issues credentials is a command -------------------------


@pytest.mark.parametrize("rpc", ["GetSessionToken", "GetFederationToken", "GetScopedCredentials"])
def test_an_sts_call_that_issues_a_session_is_not_retried_when_unavailable(rpc):
    # These append a SessionIssued event (GetSessionToken with MFA also spends the code: a second
    # attempt is refused as a replay), as AssumeRole does, which is not retried: UNAVAILABLE may come
    # after the session was issued (docs/clients.md, Retries: "Commands: not blindly").
    import collections
    from concurrent import futures

    import grpc

    from iamd.client.errors import IamClientError
    from iamd.client.iam import IamdClient

    attempts: collections.Counter[str] = collections.Counter()

    class Unavailable(grpc.GenericRpcHandler):
        def service(self, details):  # type: ignore[no-untyped-def]
            def answer(request, context):  # type: ignore[no-untyped-def]
                attempts[details.method] += 1
                context.abort(grpc.StatusCode.UNAVAILABLE, "the answer was lost")

            return grpc.unary_unary_rpc_method_handler(answer)

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((Unavailable(),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with IamdClient(f"127.0.0.1:{port}", metadata_provider=None) as client, pytest.raises(IamClientError):
            client.call(rpc)
        assert attempts[f"/iamd.v1.SecurityTokenService/{rpc}"] == 1
    finally:
        server.stop(None)


# --- pagination -----------------------------------------------------------------------------------


class _Pages:
    """A client for iamctl's client_factory that answers ListUsers from pages of names."""

    def __init__(self, *pages: list[str]) -> None:
        self.pages = list(pages)
        self.requests: list = []

    def call(self, rpc, request, timeout=None):  # type: ignore[no-untyped-def]
        from iamd.v1 import common_pb2, identity_pb2

        self.requests.append(request)
        index = int(request.page.marker or 0)
        names = self.pages[index][: request.page.max_items or None]
        more = index + 1 < len(self.pages)
        return identity_pb2.ListUsersResponse(
            users=[common_pb2.User(user_name=n, user_id=f"AIDA{n.upper()}", arn=f"arn:aws:iam::123456789012:user/{n}",
                                   path="/") for n in names],
            is_truncated=more, marker=str(index + 1) if more else "")

    def __enter__(self):  # type: ignore[no-untyped-def]
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def test_text_output_prints_the_next_token_last_under_its_label(capsys):
    # awscli/formatter.py, TextFormatter: the pages, then {'NextToken': {'NextToken': token}}, i.e. a
    # last line `NEXTTOKEN<TAB>token` that a script greps for to continue with --starting-token.
    pages = _Pages(["alice"], ["bob"])
    code = cli.main(["--output", "text", "iam", "list-users", "--max-items", "1"], client_factory=lambda e: pages)
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines() == ["USERS\tarn:aws:iam::123456789012:user/alice\t/\tAIDAALICE\talice", "NEXTTOKEN\t1"]


# --- audit validate --export: offline, and a tampered file is a finding --------------------------


def _pinned_key(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (tmp_path / "pinned.pem").write_bytes(pem)
    return str(tmp_path / "pinned.pem")


def _export(tmp_path, log_text: str):
    day = tmp_path / "trail" / "2026" / "01" / "01"
    day.mkdir(parents=True)
    (day / "123456789012_CloudTrail_us-east-1_2026010100Z.json").write_text(log_text)
    (tmp_path / "trail" / "manifest.json").write_text('{"records": 0, "logFiles": [], "digestFiles": []}')
    return str(tmp_path / "trail")


def test_validating_an_export_needs_no_credentials(monkeypatch, tmp_path, capsys):
    # docs/audit.md: `iamctl audit validate --export trail/ --public-key pinned.pem` is "an export,
    # offline, no server": an auditor's machine has the export and the pinned key, not iamd's keys.
    _clean_env(monkeypatch, tmp_path)
    code = cli.main(["audit", "validate", "--export", _export(tmp_path, '{"Records": []}'),
                     "--public-key", _pinned_key(tmp_path)])
    captured = capsys.readouterr()
    assert code in (cli.EXIT_OK, cli.EXIT_INVALID) and "credentials" not in captured.err
    assert "Status" in captured.out


def test_a_log_file_of_an_export_that_is_not_json_is_reported_as_altered(monkeypatch, tmp_path, capsys):
    _clean_env(monkeypatch, tmp_path)
    monkeypatch.setenv("IAMD_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("IAMD_SECRET_ACCESS_KEY", "s" * 40)
    code = cli.main(["audit", "validate", "--export", _export(tmp_path, '{"Records": [{"eventID": "e1"'),
                     "--public-key", _pinned_key(tmp_path)])
    captured = capsys.readouterr()
    assert code == cli.EXIT_INVALID and "Traceback" not in captured.err
    report = __import__("json").loads(captured.out)
    assert report["Valid"] is False and any("2026010100Z.json" in p for p in report["Problems"])


# --- credentials: an explicit --profile wins over the environment's keys --------------------------


def test_an_explicit_profile_wins_over_keys_in_the_environment(tmp_path):
    # AWS CLI (cli-configure-envvars, "Precedence of options"): a parameter on the command line
    # overrides the corresponding environment variable; botocore drops the environment provider when a
    # profile is named explicitly. `iamctl --profile ops` must act as ops, not as whoever the
    # environment's keys belong to. IAMD_PROFILE, itself an environment variable, does not win.
    from iamd.client.credentials import Credentials, resolve_credentials, write_profile

    path = tmp_path / "credentials"
    write_profile(path, "ops", Credentials("AKIAOPS", "o" * 40))
    env = {"IAMD_ACCESS_KEY_ID": "AKIAENV", "IAMD_SECRET_ACCESS_KEY": "e" * 40, "IAMD_SHARED_CREDENTIALS_FILE": str(path)}
    assert resolve_credentials("ops", env=env).access_key_id == "AKIAOPS"
    assert resolve_credentials(env={**env, "IAMD_PROFILE": "ops"}).access_key_id == "AKIAENV"
    assert resolve_credentials(env=env).access_key_id == "AKIAENV"


def test_a_profile_is_never_written_into_a_file_others_can_read(tmp_path, monkeypatch):
    # write_profile truncated an existing group/world-readable file, wrote the secret into it, and only
    # then made it owner-only: meanwhile anyone could read the new secret key.
    import configparser
    import os
    import stat

    from iamd.client.credentials import Credentials, write_profile

    path = tmp_path / "credentials"
    path.write_text("[old]\naws_access_key_id = AKIAOLD\naws_secret_access_key = x\n")
    os.chmod(path, 0o644)
    modes: list[int] = []
    write = configparser.ConfigParser.write

    def spy(self, f, *args, **kwargs):  # type: ignore[no-untyped-def]
        modes.append(stat.S_IMODE(os.stat(path).st_mode))
        return write(self, f, *args, **kwargs)

    monkeypatch.setattr(configparser.ConfigParser, "write", spy)
    write_profile(path, "new", Credentials("AKIANEW", "n" * 40))
    assert modes == [0o600] and stat.S_IMODE(os.stat(path).st_mode) == 0o600


# --- --cli-input-json -------------------------------------------------------------------------------


class _Recorder:
    def __init__(self) -> None:
        self.requests: list = []

    def call(self, rpc, request, timeout=None):  # type: ignore[no-untyped-def]
        from iamd.client.iam import method_for

        self.requests.append(request)
        return method_for(rpc).response_type()

    def __enter__(self):  # type: ignore[no-untyped-def]
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def test_a_null_member_of_cli_input_json_is_not_the_text_none(capsys):
    # botocore's parameter validation refuses None for a string member ("Invalid type for parameter
    # UserName, value: None"): the aws CLI exits 252 and calls nothing. iamctl created a user named
    # "None".
    recorder = _Recorder()
    code = cli.main(["iam", "create-user", "--cli-input-json", '{"UserName": null}'],
                    client_factory=lambda e: recorder)
    err = capsys.readouterr().err
    assert code == cli.EXIT_USAGE and recorder.requests == [] and "UserName" in err


def test_no_paginate_shows_is_truncated_false_on_the_last_page(capsys):
    # With --no-paginate the aws CLI prints the operation's raw answer, IAM's `IsTruncated` included
    # even when false (botocore parses <IsTruncated>false</IsTruncated> into False).
    import json

    code = cli.main(["iam", "list-users", "--no-paginate"], client_factory=lambda e: _Pages(["alice"]))
    assert code == 0 and json.loads(capsys.readouterr().out)["IsTruncated"] is False
    code = cli.main(["iam", "list-users"], client_factory=lambda e: _Pages(["alice"]))
    assert code == 0 and "IsTruncated" not in json.loads(capsys.readouterr().out)


# --- the signing interceptors sign the bytes gRPC sends ----------------------------------------------


async def test_the_signing_interceptor_signs_the_bytes_a_stub_sends():
    # A generated stub serializes with SerializeToString(); the interceptor signed
    # SerializeToString(deterministic=True), which orders map entries differently: a request with a
    # map (Authorize's context with a few keys) failed its signature check.
    import grpc

    from iamd.client import signing
    from iamd.client.credentials import Credentials, signing_interceptors
    from iamd.client.iam import build_request
    from iamd.v1 import authorization_pb2, authorization_pb2_grpc

    verdicts: list[bool] = []

    class Verify(grpc.GenericRpcHandler):
        def service(self, details):  # type: ignore[no-untyped-def]
            metadata = dict(details.invocation_metadata)

            async def answer(body, context):  # type: ignore[no-untyped-def]
                signed = signing.parse_signed_request(metadata)
                verdicts.append(signing.signature_matches(signed, method=details.method, body=body,
                                                          secret_access_key="k" * 40))
                return authorization_pb2.AuthorizeResponse().SerializeToString()

            return grpc.unary_unary_rpc_method_handler(answer)

    server = grpc.aio.server()
    server.add_generic_rpc_handlers((Verify(),))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        context = {key: "v" for key in ("zeta", "alpha", "mid", "beta", "aws:SourceIp", "b", "c", "d", "e", "f")}
        request = build_request("Authorize", principal_arn="p", action="s3:GetObject", resource="r", context=context)
        async with grpc.aio.insecure_channel(
                f"127.0.0.1:{port}", interceptors=signing_interceptors(Credentials("AKIAEXAMPLE", "k" * 40))) as channel:
            await authorization_pb2_grpc.AuthorizationServiceStub(channel).Authorize(request)
        assert verdicts == [True]
    finally:
        await server.stop(None)


@pytest.mark.parametrize("argv, env_key", [(["--region", "US_EAST"], "AKIAEXAMPLE"), ([], "AKIA-EXAMPLE")])
def test_a_region_or_key_id_that_cannot_be_signed_with_is_a_configuration_error(monkeypatch, tmp_path, capsys,
                                                                                argv, env_key):
    _clean_env(monkeypatch, tmp_path)
    monkeypatch.setenv("IAMD_ACCESS_KEY_ID", env_key)
    monkeypatch.setenv("IAMD_SECRET_ACCESS_KEY", "s" * 40)
    code = cli.main(["--endpoint", "127.0.0.1:1", *argv, "sts", "get-caller-identity"])
    err = capsys.readouterr().err
    assert code == cli.EXIT_CONFIG and "Traceback" not in err and "must match" in err


# --- file:// for every parameter ----------------------------------------------------------------------


def test_a_text_parameter_is_read_from_a_file_url(tmp_path, capsys):
    # The aws CLI reads any parameter's value from file://path (cli-usage-parameters-file), the way to
    # keep a password out of the shell's history; iamctl set the password to the text "file://...".
    (tmp_path / "pw.txt").write_text("S3cret-Passw0rd!")
    (tmp_path / "ids.json").write_text('["app-1", "app-2"]')
    recorder = _Recorder()
    code = cli.main(["iam", "create-login-profile", "--user-name", "bob", "--password", f"file://{tmp_path}/pw.txt"],
                    client_factory=lambda e: recorder)
    assert code == 0 and recorder.requests[-1].password == "S3cret-Passw0rd!"
    code = cli.main(["iam", "create-open-id-connect-provider", "--url", "https://idp.example.com",
                     "--client-id-list", f"file://{tmp_path}/ids.json"], client_factory=lambda e: recorder)
    assert code == 0 and list(recorder.requests[-1].client_id_list) == ["app-1", "app-2"]
    capsys.readouterr()


# --- anything else: a message and 255, as the aws CLI's main() -----------------------------------------


def test_an_unexpected_failure_is_a_message_and_exit_255(tmp_path, capsys):
    # awscli's clidriver.main catches any exception, writes its message and returns 255 ("Command
    # failed", return codes page). `audit export` into a path that is a file raised a traceback.
    (tmp_path / "taken").write_text("")
    code = cli.main(["audit", "export", "--start-time", "2026-01-01T00:00:00Z", "--end-time", "2026-01-02T00:00:00Z",
                     "--output-dir", str(tmp_path / "taken")], client_factory=lambda e: _Recorder())
    err = capsys.readouterr().err
    assert code == cli.EXIT_FAILED == 255 and "taken" in err and "Traceback" not in err


def test_a_read_timeout_of_zero_means_no_timeout(capsys):
    # The aws CLI's global options: "--cli-read-timeout ... If the value is set to 0, the socket read
    # will be blocking and not timeout." iamctl gave every call a deadline of 0 s: each one failed.
    timeouts: list = []

    class Timing(_Recorder):
        def call(self, rpc, request, timeout=None):  # type: ignore[no-untyped-def]
            timeouts.append(timeout)
            return super().call(rpc, request, timeout)

    assert cli.main(["--cli-read-timeout", "0", "sts", "get-caller-identity"], client_factory=lambda e: Timing()) == 0
    assert cli.main(["--cli-read-timeout", "5", "sts", "get-caller-identity"], client_factory=lambda e: Timing()) == 0
    assert timeouts == [None, 5.0]
    capsys.readouterr()


# --- simulate-*-policy --context-entries in the aws CLI's syntax ---------------------------------------


@pytest.mark.parametrize("entries", [
    ['[{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.0.0.1"], "ContextKeyType": "ip"},'
     ' {"ContextKeyName": "aws:TagKeys", "ContextKeyValues": ["a"], "ContextKeyType": "stringList"}]'],
    ["ContextKeyName=aws:SourceIp,ContextKeyValues=10.0.0.1,ContextKeyType=ip",
     "ContextKeyName=aws:TagKeys,ContextKeyValues=a,ContextKeyType=stringList"],
])
def test_context_entries_take_the_aws_cli_syntax(entries, capsys):
    # `aws iam simulate-principal-policy --context-entries` takes a list of ContextEntry structures
    # (JSON, or shorthand ContextKeyName=...,ContextKeyValues=...,ContextKeyType=... per entry); iamctl
    # refused both (252). A *List type makes the key multivalued.
    recorder = _Recorder()
    code = cli.main(["iam", "simulate-principal-policy", "--policy-source-arn", "arn:aws:iam::123456789012:user/a",
                     "--action-names", "s3:GetObject", "--context-entries", *entries],
                    client_factory=lambda e: recorder)
    capsys.readouterr()
    assert code == 0
    context = recorder.requests[-1].context_entries
    assert (list(context["aws:SourceIp"].values), context["aws:SourceIp"].multivalued) == (["10.0.0.1"], False)
    assert (list(context["aws:TagKeys"].values), context["aws:TagKeys"].multivalued) == (["a"], True)
