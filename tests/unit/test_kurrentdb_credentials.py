"""The user and password of a KurrentDB URI are read percent-decoded (issue 15, item 8).

deploy/README tells operators to percent-encode reserved characters in the password, as RFC 3986
writes a URI's userinfo; kurrentdbclient sent them as written and a secure server refused them.
The credentials are only sent over TLS, which the in-process fake does not serve, so this checks
what the client hands gRPC's basic-auth plugin.
"""

from __future__ import annotations

import kurrentdbclient.client
import pytest

from iamd.service.eventstore import EventCodec
from iamd.service.eventstore.kurrentdb import KurrentDbEventStore


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []

    class Recorder(kurrentdbclient.client.BasicAuthCallCredentials):  # type: ignore[misc]
        def __init__(self, username: str, password: str) -> None:
            seen.append((username, password))
            super().__init__(username, password)

    monkeypatch.setattr(kurrentdbclient.client, "BasicAuthCallCredentials", Recorder)
    return seen


@pytest.mark.parametrize(
    ("userinfo", "expected"),
    [
        ("admin:changeit", ("admin", "changeit")),
        ("admin:p%40ss%3Aw%2Frd%25", ("admin", "p@ss:w/rd%")),
        ("iam%20d:s%C3%A9same", ("iam d", "sésame")),
    ],
)
def test_credentials_are_percent_decoded(sent: list[tuple[str, str]], userinfo: str, expected: tuple[str, str]) -> None:
    KurrentDbEventStore(f"kurrentdb://{userinfo}@localhost:2113?Tls=true", EventCodec({}))
    assert sent == [expected]


def test_no_credentials_without_tls(sent: list[tuple[str, str]]) -> None:
    KurrentDbEventStore("kurrentdb://admin:p%40ss@localhost:2113?Tls=false", EventCodec({}))
    assert sent == []
