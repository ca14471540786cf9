"""Client credential resolution (environment, profiles) and the signer's output."""

from __future__ import annotations

import os
import stat

import pytest

from iamd.client.credentials import Credentials, CredentialsError, RequestSigner, resolve_credentials, write_profile
from iamd.client import signing


def test_environment_wins_over_profiles(tmp_path):
    env = {"IAMD_ACCESS_KEY_ID": "AKIAENV", "IAMD_SECRET_ACCESS_KEY": "s" * 40,
           "IAMD_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
    assert resolve_credentials(env=env) == Credentials("AKIAENV", "s" * 40)
    with pytest.raises(CredentialsError):
        resolve_credentials(env={"IAMD_ACCESS_KEY_ID": "AKIAENV"})


def test_profiles_from_the_shared_file(tmp_path):
    path = tmp_path / "credentials"
    write_profile(path, "default", Credentials("AKIADEFAULT", "d" * 40))
    write_profile(path, "ops", Credentials("ASIAOPS", "o" * 40, "token"))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    env = {"IAMD_SHARED_CREDENTIALS_FILE": str(path)}
    assert resolve_credentials(env=env).access_key_id == "AKIADEFAULT"
    assert resolve_credentials("ops", env=env) == Credentials("ASIAOPS", "o" * 40, "token")
    assert resolve_credentials(env={**env, "IAMD_PROFILE": "ops"}).session_token == "token"
    with pytest.raises(CredentialsError, match="profile `nope` not found"):
        resolve_credentials("nope", env=env)
    assert resolve_credentials(env={"IAMD_SHARED_CREDENTIALS_FILE": str(tmp_path / "absent")}) is None


def test_the_signer_signs_exactly_the_body_it_is_given():
    credentials = Credentials("AKIAEXAMPLE0000000AA", "k" * 40)
    metadata = dict(RequestSigner(credentials)("/iamd.v1.IdentityService/GetUser", b"body"))
    signed = signing.parse_signed_request(metadata)
    assert signing.signature_matches(signed, method="/iamd.v1.IdentityService/GetUser", body=b"body",
                                     secret_access_key="k" * 40)
    assert not signing.signature_matches(signed, method="/iamd.v1.IdentityService/GetUser", body=b"other",
                                         secret_access_key="k" * 40)
    assert "k" * 40 not in repr(credentials)


async def test_the_sdk_signs_by_default_from_the_standard_places(tmp_path, monkeypatch) -> None:
    """Issue 13: IamdClient() signs with the environment's or profile's credentials, as the AWS SDKs
    do; metadata_provider=None still means unsigned, on purpose."""
    from iamd.client.credentials import RequestSigner
    from iamd.client.iam import AsyncIamdClient, IamdClient

    for name in ("IAMD_ACCESS_KEY_ID", "IAMD_SECRET_ACCESS_KEY", "IAMD_SESSION_TOKEN", "IAMD_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    assert IamdClient("127.0.0.1:1").metadata_provider is None  # nothing configured: unsigned
    monkeypatch.setenv("IAMD_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE01")
    monkeypatch.setenv("IAMD_SECRET_ACCESS_KEY", "s" * 40)
    signer = IamdClient("127.0.0.1:1").metadata_provider
    assert isinstance(signer, RequestSigner) and signer.credentials.access_key_id == "AKIAEXAMPLEEXAMPLE01"
    assert isinstance(AsyncIamdClient("127.0.0.1:1").metadata_provider, RequestSigner)
    assert IamdClient("127.0.0.1:1", metadata_provider=None).metadata_provider is None
