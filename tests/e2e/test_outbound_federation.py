"""Outbound identity federation against a real iamd, with botocore over HTTP as AWS answers it: IAM's
Enable/DisableOutboundWebIdentityFederation and GetOutboundWebIdentityFederationInfo (FeatureEnabled,
FeatureDisabled), STS GetWebIdentityToken (authorized with sts:IdentityTokenAudience,
sts:SigningAlgorithm, sts:DurationSeconds and sts:TagGetWebIdentityToken; refused while the feature is
off and past a session's end), and the tokens verified as an external relying party verifies them:
PyJWT against the JWKS iamd's issuer serves, found through its OpenID discovery document."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from pathlib import Path
from typing import Any

import grpc
import jwt
import pytest

from iamd.service.auth.keyring import Keyring
from iamd.v1 import identity_pb2 as ipb

from .conftest import ACCOUNT, Iamd, start_iamd, stop_iamd
from .test_audit import records
from .test_aws_query import _call, _client, _refused
from .test_keys import _rotate, _rows
from .test_root_access import _session, _user

pytestmark = pytest.mark.e2e

AUDIENCE = "https://api.example.com"
NAMESPACE = "https://sts.amazonaws.com/"


def _get_json(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 — loopback, http
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as e:
        return e.code, None


async def _verify(token: str, issuer: str, audience: str = AUDIENCE) -> dict[str, Any]:
    """What a relying party does: discovery document, then its jwks_uri, then the signature and claims."""
    status, discovery = await asyncio.to_thread(_get_json, issuer + "/.well-known/openid-configuration")
    assert status == 200 and discovery["issuer"] == issuer
    client = jwt.PyJWKClient(discovery["jwks_uri"], cache_keys=False)
    key = await asyncio.to_thread(client.get_signing_key_from_jwt, token)
    return jwt.decode(token, key.key, algorithms=discovery["id_token_signing_alg_values_supported"],
                      audience=audience, issuer=issuer)


GRANT = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sts:GetWebIdentityToken", "Resource": "*", "Condition": {
        "ForAllValues:StringEquals": {"sts:IdentityTokenAudience": [AUDIENCE, "https://other.example.com"]},
        "NumericLessThanEquals": {"sts:DurationSeconds": "900"}}},
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}


async def test_tokens_for_external_services_verified_with_the_issuers_keys(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    await _refused(iam.get_outbound_web_identity_federation_info, "FeatureDisabled", 404)
    await _refused(iam.disable_outbound_web_identity_federation, "FeatureDisabled", 404)
    await _refused(_client(iamd_http, "sts").get_web_identity_token, "OutboundWebIdentityFederationDisabledException",
                   403, Audience=[AUDIENCE], SigningAlgorithm="RS256")

    issuer = (await _call(iam.enable_outbound_web_identity_federation))["IssuerIdentifier"]
    assert issuer.startswith(f"http://127.0.0.1:{iamd_http.running.http.port}/outbound-federation/")
    await _refused(iam.enable_outbound_web_identity_federation, "FeatureEnabled", 409)
    info = await _call(iam.get_outbound_web_identity_federation_info)
    assert (info["IssuerIdentifier"], info["JwtVendingEnabled"]) == (issuer, True)
    status, keys = await asyncio.to_thread(_get_json, issuer + "/.well-known/jwks.json")
    assert status == 200 and sorted(k["alg"] for k in keys["keys"]) == ["ES384", "RS256"]
    assert all("d" not in k for k in keys["keys"])  # public halves only
    assert (await asyncio.to_thread(_get_json, issuer.rsplit("/", 1)[0] + "/00000000-0000-4000-8000-000000000000"
                                    "/.well-known/jwks.json"))[0] == 404

    # An IAM user, tagged: its token names it, with its account and tags, for the audience asked.
    alice = await _user(iamd_http, "alice", GRANT)
    await _call(iam.tag_user, UserName="alice", Tags=[{"Key": "team", "Value": "data"}])
    sts = _client(iamd_http, "sts", alice)
    answer = await _call(sts.get_web_identity_token, Audience=[AUDIENCE], SigningAlgorithm="RS256")
    claims = await _verify(answer["WebIdentityToken"], issuer)
    user_arn = f"arn:aws:iam::{ACCOUNT}:user/alice"
    assert (claims["iss"], claims["aud"], claims["sub"]) == (issuer, AUDIENCE, user_arn)
    assert claims["exp"] - claims["iat"] == 300 and claims["jti"]
    assert int(answer["Expiration"].timestamp()) == claims["exp"]
    assert claims[NAMESPACE] == {"aws_account": ACCOUNT, "principal_id": user_arn, "principal_tags": {"team": "data"}}
    assert jwt.get_unverified_header(answer["WebIdentityToken"])["kid"] in {k["kid"] for k in keys["keys"]}

    # ES384, two audiences, a longer life the policy allows.
    answer = await _call(sts.get_web_identity_token, Audience=[AUDIENCE, "https://other.example.com"],
                         SigningAlgorithm="ES384", DurationSeconds=900)
    claims = await _verify(answer["WebIdentityToken"], issuer, audience="https://other.example.com")
    assert claims["aud"] == [AUDIENCE, "https://other.example.com"] and claims["exp"] - claims["iat"] == 900
    assert jwt.get_unverified_header(answer["WebIdentityToken"])["alg"] == "ES384"

    # The condition keys: an audience, or a duration, the policy does not allow; tags need their own action.
    await _refused(sts.get_web_identity_token, "AccessDenied", 403, Audience=["https://evil.example.com"],
                   SigningAlgorithm="RS256")
    await _refused(sts.get_web_identity_token, "AccessDenied", 403, Audience=[AUDIENCE], SigningAlgorithm="RS256",
                   DurationSeconds=1800)
    error = await _refused(sts.get_web_identity_token, "AccessDenied", 403, Audience=[AUDIENCE],
                           SigningAlgorithm="RS256", Tags=[{"Key": "job", "Value": "42"}])
    assert "sts:TagGetWebIdentityToken" in error.response["Error"]["Message"]
    await _call(iam.put_user_policy, UserName="alice", PolicyName="tags", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:TagGetWebIdentityToken",
                                                "Resource": "*"}]}))
    answer = await _call(sts.get_web_identity_token, Audience=[AUDIENCE], SigningAlgorithm="RS256",
                         Tags=[{"Key": "job", "Value": "42"}])
    assert (await _verify(answer["WebIdentityToken"], issuer))[NAMESPACE]["request_tags"] == {"job": "42"}

    # AWS's bounds, the field named.
    for kwargs, field in (({"Audience": [AUDIENCE], "SigningAlgorithm": "HS256"}, "signingAlgorithm"),
                          ({"Audience": [AUDIENCE], "SigningAlgorithm": "RS256", "SubjectMode": "OriginIdentity"},
                           "OriginIdentity")):
        error = await _refused(sts.get_web_identity_token, "ValidationError", 400, **kwargs)
        assert field in error.response["Error"]["Message"]

    # A role session: the token names the role, and never outlives the session.
    await _call(iam.create_role, RoleName="worker", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                                                "Action": "sts:AssumeRole"}]}))
    await _call(iam.put_role_policy, RoleName="worker", PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:GetWebIdentityToken",
                                                "Resource": "*"}]}))
    session = _session((await _call(sts.assume_role, RoleArn=f"arn:aws:iam::{ACCOUNT}:role/worker",
                                     RoleSessionName="job-1", DurationSeconds=900))["Credentials"])
    as_role = _client(iamd_http, "sts", session)
    answer = await _call(as_role.get_web_identity_token, Audience=[AUDIENCE], SigningAlgorithm="RS256")
    claims = await _verify(answer["WebIdentityToken"], issuer)
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/worker"
    assert claims["sub"] == role_arn and claims[NAMESPACE]["principal_id"] == role_arn
    await _refused(as_role.get_web_identity_token, "SessionDurationEscalationException", 403, Audience=[AUDIENCE],
                   SigningAlgorithm="RS256", DurationSeconds=3600)
    kept = answer["WebIdentityToken"]

    # AWS: these tokens "cannot be used for OpenID Connect (OIDC) federation into AWS".
    error = await _refused(_client(iamd_http, "sts").assume_role_with_web_identity, "InvalidIdentityToken", 400,
                           RoleArn=role_arn, RoleSessionName="back", WebIdentityToken=kept)
    assert "GetWebIdentityToken" in error.response["Error"]["Message"]

    # Disabled: no new token; those issued stay verifiable; enabling again keeps the issuer.
    await _call(iam.disable_outbound_web_identity_federation)
    info = await _call(iam.get_outbound_web_identity_federation_info)
    assert (info["IssuerIdentifier"], info["JwtVendingEnabled"]) == (issuer, False)
    await _refused(sts.get_web_identity_token, "OutboundWebIdentityFederationDisabledException", 403,
                   Audience=[AUDIENCE], SigningAlgorithm="RS256")
    assert (await _verify(kept, issuer))["sub"] == role_arn
    assert (await _call(iam.enable_outbound_web_identity_federation))["IssuerIdentifier"] == issuer

    # CloudTrail names every call; no token, and no signing key, reaches a record or the log in clear.
    log = await records(iamd_http)
    names = {r["eventName"] for r in log}
    assert {"EnableOutboundWebIdentityFederation", "DisableOutboundWebIdentityFederation",
            "GetOutboundWebIdentityFederationInfo", "GetWebIdentityToken"} <= names
    assert kept not in json.dumps(log)
    issued = next(r for r in log if r["eventName"] == "GetWebIdentityToken" and "errorCode" not in r)
    assert issued["eventSource"] == "sts.amazonaws.com"
    events = [row for row in _rows(iamd_http.data_dir / "events.db") if "OutboundWebIdentity" in row[4]]
    assert sorted(row[4] for row in events) == sorted(
        ["OutboundWebIdentityFederationEnabled", "OutboundWebIdentitySigningKeyCreated",
         "OutboundWebIdentitySigningKeyCreated", "OutboundWebIdentityFederationDisabled",
         "OutboundWebIdentityFederationEnabled"])
    assert not any(b"PRIVATE KEY" in (row[5] if isinstance(row[5], bytes) else row[5].encode()) for row in events)


async def test_the_signing_keys_survive_a_restart_and_a_kek_rotation(tmp_path: Path) -> None:
    data = tmp_path / "d"
    iamd = await start_iamd(data, http_listen="127.0.0.1:0", public_url="http://iamd.example.test:8443/")
    try:
        issuer = (await _call(_client(iamd, "iam").enable_outbound_web_identity_federation))["IssuerIdentifier"]
        assert issuer.startswith("http://iamd.example.test:8443/outbound-federation/")  # --public-url, as given
        jwks = iamd.running.outbound.jwks(issuer.rsplit("/", 1)[1])
    finally:
        await stop_iamd(iamd)
    assert await _rotate(data, tmp_path / "new" / "kek") == 0
    new = Keyring.from_file(tmp_path / "new" / "kek")
    appended = [row for row in _rows(data / "events.db") if row[4] == "OutboundWebIdentitySigningKeyReencrypted"]
    assert len(appended) == 2 and all(f"v1:{new.key_id}:" in str(row[5]) for row in appended)
    (data / "keys" / "kek").unlink()
    (tmp_path / "new" / "kek").rename(data / "keys" / "kek")
    iamd = await start_iamd(data, http_listen="127.0.0.1:0", public_url="http://iamd.example.test:8443")
    try:
        user = await _user(iamd, "bob", {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:GetWebIdentityToken", "Resource": "*"}]})
        token = (await _call(_client(iamd, "sts", user).get_web_identity_token, Audience=[AUDIENCE],
                             SigningAlgorithm="ES384"))["WebIdentityToken"]
        # The same keys as before the rotation (re-sealed, not replaced): the published JWKS still verifies.
        assert iamd.running.outbound.jwks(issuer.rsplit("/", 1)[1]) == jwks
        key = next(k for k in jwks["keys"] if k["kid"] == jwt.get_unverified_header(token)["kid"])
        claims = jwt.decode(token, jwt.PyJWK(key).key, algorithms=["ES384"], audience=AUDIENCE, issuer=issuer)
        assert claims["sub"] == f"arn:aws:iam::{ACCOUNT}:user/bob"
    finally:
        await stop_iamd(iamd)


async def test_without_an_http_endpoint_or_public_url_no_issuer_is_made(iamd: Iamd) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await iamd.iam.EnableOutboundWebIdentityFederation(ipb.EnableOutboundWebIdentityFederationRequest())
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE and "--public-url" in caught.value.details()
    assert iamd.running.projection.outbound_federation == {}  # refused before anything was recorded
