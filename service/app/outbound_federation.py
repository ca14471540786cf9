"""Outbound identity federation: IAM's Enable/DisableOutboundWebIdentityFederation and
GetOutboundWebIdentityFederationInfo, STS's GetWebIdentityToken, and the issuer's OpenID discovery
document and JWKS the HTTP endpoint serves (the rules: service/domain/outbound_federation.py).

The signing keys are made here, once per account (RSA 2048 for RS256, P-384 for ES384), sealed
under the key-encryption key at once (bound to their `kid`) and recorded only so; a token is signed
with the key opened from its ciphertext (opened keys are kept in memory, bounded, never logged).
The issuer URLs are built on `issuer_base`: where external services reach iamd's HTTP endpoint
(--public-url, else the endpoint's own address), set by the composition root.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from iamd.projections.identity import IdentityProjection
from iamd.service.auth.keyring import Keyring
from iamd.service.domain import organizations, outbound_federation
from iamd.service.domain.errors import ServiceUnavailableError
from iamd.service.domain.events import ACCOUNT, OutboundWebIdentitySigningKeyCreated
from iamd.service.domain.names import casefold
from iamd.service.domain.sts import effective_principal_tags

from .authenticate import Caller
from .ports import CallContext, Clock, iso8601
from .repository import Repository

_MAX_OPENED_KEYS = 1024  # opened private keys kept (one or two per account that issues tokens)


class _Utf8Json(json.JSONEncoder):
    """The claims as UTF-8 JSON, the bytes check_payload_size measures (json's default escapes every
    non-ASCII character, up to 6 bytes for 2, and so signed payloads past the limit)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{**kwargs, "ensure_ascii": False})


@dataclass(frozen=True)
class TokenParams:
    audience: Sequence[str]
    signing_algorithm: str
    duration_seconds: int = 0
    tags: Sequence[tuple[str, str]] = ()
    subject_mode: str = ""
    scope: str = ""


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expiration: str  # ISO 8601 UTC: the token's `exp`


class OutboundFederation:
    def __init__(self, repo: Repository, clock: Clock, projection: IdentityProjection, keyring: Keyring,
                 issuer_base: str = "") -> None:
        self.repo = repo
        self.clock = clock
        self.projection = projection
        self.keyring = keyring
        self.issuer_base = issuer_base  # "" until the composition root knows where iamd is reached
        self._opened: dict[tuple[str, str], Any] = {}

    def _require_base(self) -> str:
        if not self.issuer_base:
            raise ServiceUnavailableError(
                "Outbound identity federation needs iamd's HTTP endpoint (--http-listen) or --public-url: its "
                "issuers' discovery documents and keys are served there.")
        return self.issuer_base

    def _issuer(self, issuer_id: str) -> str:
        return outbound_federation.issuer_url(self._require_base(), issuer_id)

    # --- IAM ---------------------------------------------------------------------------------------
    async def enable(self, ctx: CallContext) -> tuple[str, int]:
        """(the issuer URL, the log position): the first enabling makes the issuer and its keys."""
        self._require_base()  # refused before anything is made when no issuer URL can be served
        fresh_keys: list[OutboundWebIdentitySigningKeyCreated] = []
        issuer_id = str(uuid.uuid4())
        state = self.projection.outbound_federation.get(ctx.account_id)
        if state is None or not state.issuer_id:  # RSA key generation takes ~0.1 s: not on the loop's thread
            fresh_keys.extend(await asyncio.to_thread(self._new_keys, iso8601(self.clock.now())))

        def new_keys() -> list[OutboundWebIdentitySigningKeyCreated]:
            if not fresh_keys:  # made once, even when a conflicting writer makes the append retry
                fresh_keys.extend(self._new_keys(iso8601(self.clock.now())))
            return fresh_keys

        now = iso8601(self.clock.now())
        position = await self.repo.change(
            ACCOUNT, outbound_federation.stream(ctx.account_id), outbound_federation.fold, ctx, self.clock,
            lambda s: outbound_federation.enable(s, issuer_id, new_keys, now))
        recorded = await self.repo.load(outbound_federation.stream(ctx.account_id), outbound_federation.fold)
        return self._issuer(recorded.state.issuer_id), position

    async def disable(self, ctx: CallContext) -> int:
        now = iso8601(self.clock.now())
        return await self.repo.change(ACCOUNT, outbound_federation.stream(ctx.account_id), outbound_federation.fold,
                                      ctx, self.clock, lambda s: outbound_federation.disable(s, now))

    def info(self, caller: Caller) -> tuple[str, bool]:
        state = outbound_federation.check_known(self.projection.outbound_federation.get(caller.account_id))
        return self._issuer(state.issuer_id), state.enabled

    def _new_keys(self, now: str) -> list[OutboundWebIdentitySigningKeyCreated]:
        keys = []
        for algorithm, private in (("RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048)),
                                   ("ES384", ec.generate_private_key(ec.SECP384R1()))):
            kid = uuid.uuid4().hex
            public = jwt.get_algorithm_by_name(algorithm).to_jwk(private.public_key(), as_dict=True)
            public.update({"kid": kid, "alg": algorithm, "use": "sig"})
            pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
            keys.append(OutboundWebIdentitySigningKeyCreated(
                kid, algorithm, json.dumps(public, sort_keys=True), self.keyring.encrypt(pem, context=kid), now))
            del pem
        return keys

    # --- the issuer's documents (the HTTP endpoint, unauthenticated as AWS's) -----------------------
    def discovery(self, issuer_id: str) -> dict[str, Any] | None:
        """The OpenID discovery document of an issuer iamd made (None for any other id)."""
        if issuer_id not in self.projection.outbound_issuers:
            return None
        return outbound_federation.discovery_document(self._issuer(issuer_id))

    def jwks(self, issuer_id: str) -> dict[str, Any] | None:
        account_id = self.projection.outbound_issuers.get(issuer_id)
        if account_id is None:
            return None
        return outbound_federation.jwks(self.projection.outbound_federation[account_id])

    def is_own_issuer(self, url: str) -> bool:
        """Whether `url` is an issuer of iamd's outbound federation (its tokens federate nowhere into iamd)."""
        return outbound_federation.issuer_id_in(url) in self.projection.outbound_issuers

    # --- STS ---------------------------------------------------------------------------------------
    def issue_token(self, caller: Caller, p: TokenParams, region: str = "") -> IssuedToken:
        """A signed JWT for the caller (the gate has checked sts:GetWebIdentityToken and, with tags,
        sts:TagGetWebIdentityToken)."""
        request = outbound_federation.check_request(p.audience, p.signing_algorithm, p.duration_seconds, p.tags,
                                                    p.subject_mode, p.scope)
        state = outbound_federation.check_enabled(self.projection.outbound_federation.get(caller.account_id),
                                                  caller.account_id)
        now = self.clock.now()
        issued_at = int(now.timestamp())
        session_expires = None
        if caller.session is not None:
            session_expires = int(datetime.fromisoformat(caller.session["expires_at"].replace("Z", "+00:00"))
                                  .timestamp())
        outbound_federation.check_within_session(issued_at, request.duration, session_expires)
        claims = outbound_federation.claims(self._issuer(state.issuer_id), self._principal(caller), request,
                                            issued_at, str(uuid.uuid4()), region)
        outbound_federation.check_payload_size(claims)
        key = state.key(request.algorithm)
        # INVARIANT: an issuer has a key for every algorithm check_request accepts.
        assert key is not None, request.algorithm
        token = jwt.encode(claims, self._private_key(key), algorithm=request.algorithm,
                           headers={"kid": key.kid, "typ": "JWT"}, json_encoder=_Utf8Json)
        return IssuedToken(token, iso8601(datetime.fromtimestamp(claims["exp"], UTC)))

    def _private_key(self, key: outbound_federation.SigningKey) -> Any:
        cache_key = (key.kid, key.private_key_ciphertext)
        opened = self._opened.get(cache_key)
        if opened is None:
            opened = serialization.load_pem_private_key(
                self.keyring.decrypt(key.private_key_ciphertext, context=key.kid), password=None)
            if len(self._opened) >= _MAX_OPENED_KEYS:
                self._opened.clear()
            self._opened[cache_key] = opened
        return opened

    def _principal(self, caller: Caller) -> outbound_federation.Principal:
        """The token's principal: the caller's ARN (a role session's role), its tags, its organization."""
        account = self.projection.account(caller.account_id)
        arn, tags = caller.arn, {}
        if caller.kind == "assumed-role" and caller.session is not None:
            arn = caller.session["role_arn"]
            role = account.roles.get(casefold(arn.rsplit("/", 1)[-1])) if account is not None else None
            tags = effective_principal_tags(role["tags"] if role else {}, caller.session.get("tags") or {})
        elif caller.kind == "user" and account is not None:
            user = account.users.get(casefold(caller.name))
            tags = dict(user["tags"]) if user else {}
        management = self.projection.organization_of_account.get(caller.account_id)
        org = self.projection.organizations.get(management) if management else None
        org_id = ou_path = ""
        if org is not None and org.exists and caller.account_id in org.accounts:
            context = organizations.organization_context(org, caller.account_id, "Principal")
            org_id, ou_path = str(context["aws:PrincipalOrgID"]), context["aws:PrincipalOrgPaths"][0]
        return outbound_federation.Principal(arn, caller.account_id, org_id, ou_path, tags)
