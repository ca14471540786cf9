"""Outbound identity federation's rules (service/domain/outbound_federation.py): given events, when a
command, then events or AWS's error; GetWebIdentityToken's parameters as AWS's model bounds them; the
claims AWS's token claims page shows; and the projection keeping the feature through a snapshot."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from iamd.projections.identity import IdentityProjection
from iamd.service.config import Settings, parse_settings
from iamd.service.domain import outbound_federation as o
from iamd.service.domain.errors import (
    FeatureDisabledError,
    FeatureEnabledError,
    InvalidInputError,
    JWTPayloadSizeExceededError,
    OutboundWebIdentityFederationDisabledError,
    SessionDurationEscalationError,
    ValidationError,
)
from iamd.service.domain.events import OutboundWebIdentitySigningKeyCreated, OutboundWebIdentitySigningKeyReencrypted
from iamd.service.eventstore.port import RecordedEvent

NOW = "2026-01-01T00:00:00Z"
ISSUER_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
ACCOUNT = "123456789012"


def _keys() -> list[OutboundWebIdentitySigningKeyCreated]:
    return [OutboundWebIdentitySigningKeyCreated(f"kid-{alg}", alg, json.dumps({"kty": "EC", "kid": f"kid-{alg}"}),
                                                 f"v1:0000000000000000:{alg}", NOW) for alg in o.ALGORITHMS]


def test_the_first_enabling_makes_the_issuer_and_its_keys_a_later_one_keeps_them() -> None:
    state = o.OutboundFederationState()
    events = o.enable(state, ISSUER_ID, _keys, NOW)
    assert [type(e).__name__ for e in events] == ["OutboundWebIdentityFederationEnabled",
                                                 "OutboundWebIdentitySigningKeyCreated",
                                                 "OutboundWebIdentitySigningKeyCreated"]
    o.fold(events, state)
    assert (state.issuer_id, state.enabled, [k.algorithm for k in state.keys]) == (ISSUER_ID, True, ["RS256", "ES384"])
    with pytest.raises(FeatureEnabledError):
        o.enable(state, "another", _keys, NOW)
    o.fold(o.disable(state, NOW), state)
    assert not state.enabled
    with pytest.raises(FeatureDisabledError):
        o.disable(state, NOW)

    def no_new_keys() -> list[OutboundWebIdentitySigningKeyCreated]:
        raise AssertionError("an issuer keeps its keys")

    again = o.enable(state, "another", no_new_keys, NOW)
    assert [(type(e).__name__, e.issuer_id) for e in again] == [("OutboundWebIdentityFederationEnabled", ISSUER_ID)]


def test_a_reencrypted_key_replaces_only_its_ciphertext() -> None:
    state = o.fold([*o.enable(o.OutboundFederationState(), ISSUER_ID, _keys, NOW),
                    OutboundWebIdentitySigningKeyReencrypted("kid-ES384", "v1:1111111111111111:new", "1111111111111111",
                                                             NOW)])
    assert [k.private_key_ciphertext for k in state.keys] == ["v1:0000000000000000:RS256", "v1:1111111111111111:new"]
    assert o.jwks(state) == {"keys": [{"kty": "EC", "kid": "kid-RS256"}, {"kty": "EC", "kid": "kid-ES384"}]}


def test_info_and_tokens_need_the_feature() -> None:
    with pytest.raises(FeatureDisabledError):
        o.check_known(None)
    with pytest.raises(OutboundWebIdentityFederationDisabledError) as caught:
        o.check_enabled(o.OutboundFederationState(ISSUER_ID, False), ACCOUNT)
    assert ACCOUNT in str(caught.value)


def test_issuer_urls() -> None:
    issuer = o.issuer_url("https://iamd.example.com/", ISSUER_ID)
    assert issuer == f"https://iamd.example.com/outbound-federation/{ISSUER_ID}"
    assert o.issuer_id_in(issuer) == ISSUER_ID and o.issuer_id_in(issuer + "/") == ISSUER_ID
    for other in ("https://accounts.google.com", f"https://x/outbound-federation/{ISSUER_ID}x", "/outbound-federation/"):
        assert o.issuer_id_in(other) == ""
    document = o.discovery_document(issuer)
    assert document["jwks_uri"] == issuer + "/.well-known/jwks.json"
    assert document["id_token_signing_alg_values_supported"] == ["RS256", "ES384"]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"audiences": []}, "audience"),
    ({"audiences": [f"a{i}" for i in range(11)]}, "audience"),
    ({"audiences": [""]}, "audience.1.member"),
    ({"audiences": ["x" * 1001]}, "audience.1.member"),
    ({"algorithm": ""}, "signingAlgorithm"),
    ({"algorithm": "HS256"}, "signingAlgorithm"),
    ({"duration_seconds": 59}, "durationSeconds"),
    ({"duration_seconds": 3601}, "durationSeconds"),
    ({"subject_mode": "Nobody"}, "subjectMode"),
    ({"subject_mode": "OriginIdentity"}, "subjectMode"),
    ({"scope": "read"}, "scope"),
])
def test_aws_bounds_name_the_field(kwargs, field) -> None:
    args = {"audiences": ["aud"], "algorithm": "RS256", "duration_seconds": 0, "tags": [], **kwargs}
    with pytest.raises(ValidationError) as caught:
        o.check_request(**args)
    assert caught.value.problems[0].field == field


def test_tags_follow_the_session_tag_rules_and_the_default_duration() -> None:
    request = o.check_request(["aud"], "ES384", 0, [("job", "42")])
    assert (request.duration, request.tags) == (o.DEFAULT_DURATION, {"job": "42"})
    for tags in ([("aws:x", "1")], [("k", "1"), ("K", "2")]):
        with pytest.raises(InvalidInputError):
            o.check_request(["aud"], "ES384", 0, tags)


def test_a_sessions_token_never_outlives_it() -> None:
    o.check_within_session(1000, 300, None)
    o.check_within_session(1000, 300, 1300)
    with pytest.raises(SessionDurationEscalationError):
        o.check_within_session(1000, 301, 1300)


def test_the_claims_aws_documents_and_the_payload_bound() -> None:
    principal = o.Principal(f"arn:aws:iam::{ACCOUNT}:role/worker", ACCOUNT, "o-abcdefghij",
                            "o-abcdefghij/r-abcd/ou-abcd-11111111/", {"team": "data"})
    request = o.check_request(["aud"], "RS256", 600, [("job", "42")])
    claims = o.claims("https://iamd/outbound-federation/x", principal, request, 1000, "jti-1")
    assert claims == {
        "iss": "https://iamd/outbound-federation/x", "aud": "aud", "sub": principal.arn, "iat": 1000, "exp": 1600,
        "jti": "jti-1", o.CLAIMS_NAMESPACE: {
            "aws_account": ACCOUNT, "org_id": "o-abcdefghij", "ou_path": "o-abcdefghij/r-abcd/ou-abcd-11111111/",
            "principal_id": principal.arn, "principal_tags": {"team": "data"}, "request_tags": {"job": "42"}}}
    o.check_payload_size(claims)
    # The largest request AWS's model allows, with a principal at its tag quota, still fits.
    full = o.check_request(["a" * 1000] * 10, "RS256", 0, [(f"{i:03}" + "k" * 125, "v" * 256) for i in range(50)])
    tagged = o.Principal(principal.arn, ACCOUNT, tags={f"{i:03}" + "k" * 125: "v" * 256 for i in range(50)})
    o.check_payload_size(o.claims("https://iamd/outbound-federation/x", tagged, full, 1000, "jti"))
    huge = {**claims, "x": "y" * o.MAX_PAYLOAD_BYTES}
    with pytest.raises(JWTPayloadSizeExceededError):
        o.check_payload_size(huge)


def test_condition_keys_as_the_service_authorization_reference_lists_them() -> None:
    assert o.condition_keys(["a", "b"], "ES384", 0) == {
        "sts:IdentityTokenAudience": ["a", "b"], "sts:SigningAlgorithm": "ES384", "sts:DurationSeconds": "300"}


def test_the_projection_keeps_the_feature_through_a_snapshot() -> None:
    projection = IdentityProjection()
    events = o.enable(o.OutboundFederationState(), ISSUER_ID, _keys, NOW)
    for position, event in enumerate(events, start=1):
        projection.apply(RecordedEvent(str(position), o.stream(ACCOUNT), position - 1, position, type(event).__name__,
                                       1, event.to_data(), {}, datetime.now(UTC)))
    restored = IdentityProjection.from_snapshot(json.loads(json.dumps(projection.to_snapshot())))
    state = restored.outbound_federation[ACCOUNT]
    assert (state.issuer_id, state.enabled, len(state.keys)) == (ISSUER_ID, True, 2)
    assert restored.outbound_issuers == {ISSUER_ID: ACCOUNT}


def test_the_public_url_is_an_http_url_from_flag_or_environment() -> None:
    settings = parse_settings(["--public-url", "https://iamd.example.com"], env={})
    assert settings.public_url == "https://iamd.example.com"
    assert parse_settings([], env={"IAMD_PUBLIC_URL": "http://10.0.0.1:8080"}).public_url == "http://10.0.0.1:8080"
    for bad in ("iamd.example.com", "ftp://iamd", "https://iamd/?x=1"):
        with pytest.raises(ValueError, match="--public-url"):
            Settings(public_url=bad).check()
