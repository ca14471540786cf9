"""STS: AssumeRole, AssumeRoleWithWebIdentity, AssumeRoleWithSAML, AssumeRoot, GetSessionToken,
GetFederationToken, GetScopedCredentials, GetAccessKeyInfo. Sessions are events.

AssumeRole is evaluated by the engine as AWS does: the caller's request for `sts:AssumeRole` on
the role, with the role's trust policy as the resource policy. The engine's STS rule requires
the trust policy to allow the caller explicitly; a trust policy that trusts the caller's account
delegates to the caller's identity-based policies (REFERENCE.md C5). Session tags need
`sts:TagSession`, a source identity `sts:SetSourceIdentity`.

AssumeRoleWithWebIdentity is unsigned: the OpenID Connect token is the credential. Its issuer must be
an OIDC provider of the role's account; the token is checked against the provider's keys
(oidc_keys.py fetches them over HTTPS, the certificate checked against its thumbprints) and
client ids (service/domain/web_identity.py), then the trust policy decides for the provider's
federated user with the token's `<provider>:sub`, `:aud` and `:amr` keys.

AssumeRoleWithSAML is unsigned too: the SAML Response is the credential. Its XML signature must
verify against a certificate of the named SAML provider's metadata (service/domain/saml.py, with
signxml), its Role attribute must name the role and provider pair, then the trust policy decides
for the provider's federated user with the saml:* keys. An encrypted assertion is decrypted first
with the provider's private keys, opened from the keyring for that call only; a provider whose
AssertionEncryptionMode is Required refuses a plain one. The verification is CPU work anyone can
ask for: it runs in a thread pool of its own, at most SAML_VERIFICATIONS_AT_ONCE at a time
(Throttling past that), never on the event loop. (A thread still shares the GIL with the loop;
the domain's bounds, on key sizes and EncryptedKeys, keep each step it holds the GIL for short.)

GetFederationToken gives a proxy (an IAM user, or root) credentials for a named federated user.
The federated user's permissions are the proxy's identity policies (and boundary) cut by the
session policies passed here: without one it may do nothing, except what a resource policy
grants its federated-user ARN directly.

GetScopedCredentials gives the caller's own session (its ARN, principal id, tags, source identity,
MFA) new credentials: the same session record with a scope-down policy as its session policy, and
at most the caller's lifetime. Authorize decides their calls as any session's with session
policies. The engine takes a session's policies as one set (any of them allows): so that a scope-
down policy narrows and never widens, a caller whose session already has session policies may
shorten its lifetime but not add one (InvalidInput naming `policy`; docs/aws-compatibility.md).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import re
import secrets
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from iamd.projections.principals import PrincipalPolicyCache
from iamd.service.auth.authorization_messages import AuthorizationMessageCodec, InvalidAuthorizationMessage
from iamd.service.auth.keyring import Keyring
from iamd.service.domain import identity, oidc, outbound_federation, root_access, saml, sts, web_identity
from iamd.service.domain.errors import (
    AccessDeniedError,
    FieldProblem,
    InvalidAuthorizationMessageError,
    InvalidIdentityTokenError,
    InvalidInputError,
    NoSuchEntityError,
    ThrottlingError,
    ValidationError,
)
from iamd.service.domain.events import ROLE, SessionIssued, decode_event
from iamd.service.domain.names import casefold, is_aws_managed_policy, stream_name
from iamd.service.eventstore.port import EventStore, NewEvent, StreamState
from iamd.service.policy import PolicyType

from .authenticate import Caller
from .authorize import Authorizer
from .identity import check_policy_document
from .mfa import MfaCommands
from .oidc_keys import OidcKeyFetcher
from .ports import CallContext, Clock, IdFactory, iso8601

# AssumeRoleWithSAML verifications running at once, each in a thread of a pool of that many; more
# are refused with Throttling.
SAML_VERIFICATIONS_AT_ONCE = 4
_ROLE_ARN = re.compile(r"arn:aws:iam::(\d{12}):role(/(?:[\x21-\x7e]*/)?)([\w+=,.@-]+)")
_POLICY_ARN = re.compile(r"arn:aws:iam::(\d{12}):policy(/(?:[\x21-\x7e]*/)?)?([\w+=,.@-]+)")


@dataclass(frozen=True)
class AssumeRoleParams:
    role_arn: str
    role_session_name: str
    duration_seconds: int = 0
    policy: str = ""
    policy_arns: Sequence[str] = ()
    tags: Sequence[tuple[str, str]] = ()
    transitive_tag_keys: Sequence[str] = ()
    external_id: str = ""
    serial_number: str = ""
    token_code: str = ""
    source_identity: str = ""


@dataclass(frozen=True)
class WebIdentityParams:
    role_arn: str
    role_session_name: str
    web_identity_token: str
    duration_seconds: int = 0
    policy: str = ""
    policy_arns: Sequence[str] = ()

    def __repr__(self) -> str:  # never print the token
        return f"WebIdentityParams({self.role_arn!r}, {self.role_session_name!r})"


@dataclass(frozen=True)
class SamlParams:
    role_arn: str
    principal_arn: str  # the SAML provider's ARN
    saml_assertion: str
    duration_seconds: int = 0
    policy: str = ""
    policy_arns: Sequence[str] = ()

    def __repr__(self) -> str:  # never print the assertion
        return f"SamlParams({self.role_arn!r}, {self.principal_arn!r})"


@dataclass(frozen=True)
class SamlIssued:
    credentials: IssuedCredentials
    subject: str
    subject_type: str
    issuer: str
    audience: str
    name_qualifier: str


@dataclass(frozen=True)
class FederationParams:
    name: str
    duration_seconds: int = 0
    policy: str = ""
    policy_arns: Sequence[str] = ()
    tags: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class AssumeRootParams:
    target_principal: str
    task_policy_arn: str
    duration_seconds: int = 0


@dataclass(frozen=True)
class ScopedParams:
    policy: str = ""
    duration_seconds: int = 0
    description: str = ""  # ScopedSessionDescription: validated; the audit record's requestParameters keep it


@dataclass(frozen=True)
class ScopedIssued:
    credentials: IssuedCredentials
    scoped_policies_count: int


@dataclass(frozen=True)
class IssuedCredentials:
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: str
    principal_arn: str
    principal_id: str
    packed_policy_size: int = 0
    source_identity: str = ""
    position: int = 0

    def __repr__(self) -> str:  # never print the secret or the token
        return f"IssuedCredentials({self.access_key_id!r}, {self.principal_arn!r})"


@dataclass(frozen=True)
class WebIdentityIssued:
    credentials: IssuedCredentials
    subject: str  # SubjectFromWebIdentityToken
    provider: str  # the token's iss
    audience: str


def _request_tag_keys(tags: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """aws:TagKeys and aws:RequestTag/* of a request passing session tags (none without tags)."""
    if not tags:
        return {}
    return {"aws:TagKeys": [k for k, _ in tags], **{f"aws:RequestTag/{k}": v for k, v in tags}}


def _role_tag_keys(role: Mapping[str, Any]) -> dict[str, str]:
    """aws:ResourceTag/* and iam:ResourceTag/* of the role a call assumes, with its tags as they are:
    the keys STS's role resource type defines (Service Authorization Reference), so that a policy can
    let a principal assume only the roles tagged for it (AWS's ABAC tutorial tests
    iam:ResourceTag/access-project against ${aws:PrincipalTag/access-project})."""
    tags = role.get("tags") or {}
    return {f"{prefix}{key}": value for prefix in ("aws:ResourceTag/", "iam:ResourceTag/")
            for key, value in tags.items()}


def session_stream(account_id: str, access_key_id: str) -> str:
    return f"session-{account_id}-{access_key_id.lower()}"


def _refuse_session_token_credentials(caller: Caller, operation: str) -> None:
    """GetSessionToken's credentials call no STS API but AssumeRole, GetCallerIdentity,
    GetScopedCredentials, GetWebIdentityToken and GetDelegatedAccessToken (STS API reference,
    GetSessionToken, Permissions), whatever the user's policies allow."""
    if caller.session is not None and caller.session["kind"] == "user":
        raise AccessDeniedError(f"Cannot call {operation} with session credentials from GetSessionToken")


class StsCommands:
    def __init__(self, store: EventStore, clock: Clock, ids: IdFactory, keyring: Keyring,
                 principals: PrincipalPolicyCache, authorizer: Authorizer, mfa: MfaCommands,
                 oidc_keys: OidcKeyFetcher | None = None,
                 authorization_messages: AuthorizationMessageCodec | None = None,
                 saml_verifications: int = SAML_VERIFICATIONS_AT_ONCE) -> None:
        self.oidc_keys = oidc_keys or OidcKeyFetcher()
        self._saml_slots = threading.BoundedSemaphore(saml_verifications)
        self._saml_threads = saml_verifications
        self._saml_executor: ThreadPoolExecutor | None = None  # started at the first verification
        self.authorization_messages = authorization_messages  # DecodeAuthorizationMessage's key
        self.mfa = mfa
        self.store = store
        self.clock = clock
        self.ids = ids
        self.keyring = keyring
        self.principals = principals
        self.authorizer = authorizer

    async def assume_role(self, ctx: CallContext, caller: Caller, p: AssumeRoleParams,
                          request_keys: dict[str, str]) -> IssuedCredentials:
        sts.check_session_name(p.role_session_name)
        sts.check_external_id(p.external_id)
        sts.check_mfa(p.serial_number, p.token_code)
        m = _ROLE_ARN.fullmatch(p.role_arn)
        if m is None:
            raise InvalidInputError(f"{p.role_arn} is not a valid role ARN",
                                    problems=[FieldProblem("roleArn", "arn:aws:iam::ACCOUNT:role/NAME")])
        if caller.is_root:
            raise AccessDeniedError("Roles may not be assumed by root accounts.")
        role_account = m.group(1)
        role = self.principals.get(role_account, "role", casefold(m.group(3)))
        denied = (f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: {p.role_arn}")
        if role is None or role.view["arn"] != p.role_arn:
            raise AccessDeniedError(denied)  # as AWS: a missing role is not told apart from a refusal

        parent = caller.session if caller.kind == "assumed-role" else None
        chained = parent is not None
        if p.serial_number and caller.kind != "user":
            raise InvalidInputError("only an IAM user can present an MFA code",
                                    problems=[FieldProblem("serialNumber", "the caller has no MFA device")])
        inherited = {k: parent["tags"][k] for k in parent["transitive_tag_keys"] if k in parent["tags"]} if parent else {}
        tags = sts.merge_session_tags(p.tags, p.transitive_tag_keys, inherited)
        source_identity = sts.check_source_identity(p.source_identity, parent["source_identity"] if parent else "")
        duration = sts.check_duration(p.duration_seconds, role_max=role.view["max_session_duration"], chained=chained)
        packed = sts.check_session_policy_size(p.policy, p.policy_arns)  # the size first: nothing parsed
        session_policies = self._session_policies(role_account, p.policy, p.policy_arns)
        # The MFA code last of the request's checks: accepting it writes its step as spent, which a
        # request refused for its own parameters must not (nothing was done; the code stays good).
        mfa_at = await self.mfa.verify_for(ctx, caller, p.serial_number, p.token_code) if p.serial_number else ""

        # The request as AWS evaluates it: caller's policies, the trust policy as resource policy.
        context: dict[str, Any] = {**request_keys, **_role_tag_keys(role.view),
                                   "sts:RoleSessionName": p.role_session_name}
        if mfa_at:
            context.update({"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "0"})
        if p.external_id:
            context["sts:ExternalId"] = p.external_id
        if source_identity:
            # The calling session's too: it persists into the chained session, which sets it there, so
            # the target role must allow sts:SetSourceIdentity (IAM User Guide, source identity).
            context["sts:SourceIdentity"] = source_identity
        context.update(_request_tag_keys(p.tags))
        if p.transitive_tag_keys:
            context["sts:TransitiveTagKeys"] = list(p.transitive_tag_keys)
        wanted = ["sts:AssumeRole"] + (["sts:TagSession"] if p.tags else []) + \
            (["sts:SetSourceIdentity"] if source_identity else [])
        for action in wanted:
            self.authorizer.require(caller.arn, caller.kind, action, p.role_arn, context, session=caller.session,
                                    resource_policy=role.trust)

        now = self.clock.now()
        session_arn = sts.session_arn(role_account, role.view["name"], p.role_session_name)
        principal_id = f"{role.view['id']}:{p.role_session_name}"
        if not mfa_at and caller.session and caller.session["mfa_authenticated"]:
            # MFA carries over from the caller's session (a role chain, or GetSessionToken's).
            mfa_at = caller.session["mfa_authenticated_at"]
        issued = await self._issue(ctx, role_account, "assumed-role", now, duration, session_arn, principal_id,
                                   role.view["arn"], caller.arn, session_policies, tags.tags, tags.transitive_keys,
                                   source_identity, bool(mfa_at), mfa_at, chained, packed)
        if not await self._role_alive_at(role_account, role.view, issued.position):
            # DeleteRole got there first: the session is dead from the start (the projection never
            # registers a session whose role, by id, is gone when it applies it), so say so.
            raise AccessDeniedError(denied)
        return issued

    async def assume_role_with_web_identity(self, ctx: CallContext, p: WebIdentityParams,
                                            request_keys: dict[str, str],
                                            identified: Callable[[dict[str, str]], None] | None = None,
                                            ) -> WebIdentityIssued:
        """A role session for the holder of an OIDC token. `ctx` names no caller yet: the token
        does, once checked (`identified` is then told its CloudTrail userIdentity)."""
        sts.check_session_name(p.role_session_name)
        web_identity.check_token_length(p.web_identity_token)
        m = _ROLE_ARN.fullmatch(p.role_arn)
        if m is None:
            raise ValidationError(f"{p.role_arn} is invalid", problems=[FieldProblem("roleArn", "a role's ARN")])
        role_account = m.group(1)
        unverified = web_identity.parse(p.web_identity_token)
        if outbound_federation.issuer_id_in(unverified.issuer_url) in self.principals.projection.outbound_issuers:
            # IAM User Guide, outbound identity federation: GetWebIdentityToken's tokens "cannot be used
            # for OpenID Connect (OIDC) federation into AWS (via the AssumeRoleWithWebIdentity API)".
            raise InvalidIdentityTokenError(
                "A token from STS GetWebIdentityToken (outbound identity federation) cannot be used to federate "
                "into AWS with AssumeRoleWithWebIdentity.")
        provider_arn = oidc.arn_of(role_account, unverified.issuer_url)
        provider = self.principals.projection.oidc_providers.get(provider_arn)
        if provider is None:
            raise web_identity.no_provider(unverified.issuer_url)
        token = await self._verify_token(p.web_identity_token, unverified, provider)
        if identified is not None:
            identified(web_identity.user_identity(provider_arn, token))
        denied = AccessDeniedError("Not authorized to perform sts:AssumeRoleWithWebIdentity")
        role = self.principals.get(role_account, "role", casefold(m.group(3)))
        if role is None or role.view["arn"] != p.role_arn:
            raise denied  # as AWS: a missing role is not told apart from a refusal
        duration = sts.check_duration(p.duration_seconds, role_max=role.view["max_session_duration"], chained=False)
        tags = sts.merge_session_tags(list(token.session_tags.items()), token.transitive_tag_keys, {})
        packed = sts.check_session_policy_size(p.policy, p.policy_arns)
        session_policies = self._session_policies(role_account, p.policy, p.policy_arns)

        path = oidc.provider_path(provider["url"])
        token_keys = web_identity.condition_keys(path, provider_arn, token)
        context: dict[str, Any] = {**request_keys, **token_keys, **_role_tag_keys(role.view),
                                   "sts:RoleSessionName": p.role_session_name}
        context.update(_request_tag_keys(list(token.session_tags.items())))
        if token.transitive_tag_keys:
            context["sts:TransitiveTagKeys"] = list(token.transitive_tag_keys)
        wanted = ["sts:AssumeRoleWithWebIdentity"] + (["sts:TagSession"] if token.session_tags else [])
        for action in wanted:
            try:
                self.authorizer.require_identity_provider(provider_arn, action, p.role_arn, context, role.trust)
            except AccessDeniedError:
                raise denied from None
        session_keys = {k: v for k, v in token_keys.items() if k != "aws:FederatedProvider"}
        issued = await self._issue(replace(ctx, account_id=role_account, actor_arn=provider_arn), role_account,
                                   "assumed-role", self.clock.now(), duration,
                                   sts.session_arn(role_account, role.view["name"], p.role_session_name),
                                   f"{role.view['id']}:{p.role_session_name}", role.view["arn"], provider_arn,
                                   session_policies, tags.tags, tags.transitive_keys, "", False, "", False, packed,
                                   federated_provider=provider_arn, web_identity_keys=session_keys)
        if not await self._role_alive_at(role_account, role.view, issued.position):
            raise denied
        return WebIdentityIssued(issued, token.subject, token.issuer, token.audience)

    async def assume_role_with_saml(self, ctx: CallContext, p: SamlParams, request_keys: dict[str, str],
                                    identified: Callable[[dict[str, str]], None] | None = None) -> SamlIssued:
        """A role session for the holder of a SAML Response signed by the provider's IdP. `ctx`
        names no caller yet: the assertion does, once verified (`identified` is then told its
        CloudTrail userIdentity, a SAMLUser)."""
        saml.check_assertion_length(p.saml_assertion)
        m = _ROLE_ARN.fullmatch(p.role_arn)
        if m is None:
            raise ValidationError(f"{p.role_arn} is invalid", problems=[FieldProblem("roleArn", "a role's ARN")])
        role_account = m.group(1)
        provider = self.principals.projection.saml_providers.get(p.principal_arn)
        if provider is None or provider["account_id"] != role_account:
            # The provider must be of the role's account: another account's could vouch for no one here.
            raise InvalidIdentityTokenError("Specified provider doesn't exist")
        now = self.clock.now()
        verified = await self._verify_saml(p.saml_assertion, provider, now)
        qualifier = saml.name_qualifier(verified.issuer, role_account, provider["name"])
        if identified is not None:
            identified(saml.user_identity(verified, qualifier))
        saml.check_role_pair(verified, p.role_arn, p.principal_arn)
        denied = AccessDeniedError("Not authorized to perform sts:AssumeRoleWithSAML")
        role = self.principals.get(role_account, "role", casefold(m.group(3)))
        if role is None or role.view["arn"] != p.role_arn:
            raise denied  # as AWS: a missing role is not told apart from a refusal
        duration = sts.check_duration(p.duration_seconds, role_max=role.view["max_session_duration"], chained=False)
        if verified.session_duration:  # the SessionDuration attribute can only shorten an API session
            duration = min(duration, verified.session_duration)
        if verified.session_not_on_or_after is not None:  # nor outlive the IdP's session
            left = int((verified.session_not_on_or_after - now).total_seconds())
            if left <= 0:
                raise saml.session_ended(verified.session_not_on_or_after, now)
            duration = min(duration, left)
        tags = sts.merge_session_tags(list(verified.session_tags), verified.transitive_tag_keys, {})
        source_identity = sts.check_source_identity(verified.source_identity, "")
        packed = sts.check_session_policy_size(p.policy, p.policy_arns)
        session_policies = self._session_policies(role_account, p.policy, p.policy_arns)

        saml_keys = saml.condition_keys(verified, role_account, provider["name"], p.principal_arn)
        context: dict[str, Any] = {**request_keys, **saml_keys, **_role_tag_keys(role.view),
                                   "sts:RoleSessionName": verified.session_name}
        context.update(_request_tag_keys(list(verified.session_tags)))
        if verified.transitive_tag_keys:
            context["sts:TransitiveTagKeys"] = list(verified.transitive_tag_keys)
        if source_identity:
            context["sts:SourceIdentity"] = source_identity
        wanted = ["sts:AssumeRoleWithSAML"] + (["sts:TagSession"] if verified.session_tags else []) + \
            (["sts:SetSourceIdentity"] if source_identity else [])
        for action in wanted:
            try:
                self.authorizer.require_identity_provider(p.principal_arn, action, p.role_arn, context, role.trust)
            except AccessDeniedError:
                raise denied from None
        session_keys = {k: saml_keys[k] for k in saml.SESSION_KEYS}
        issued = await self._issue(replace(ctx, account_id=role_account, actor_arn=p.principal_arn), role_account,
                                   "assumed-role", now, duration,
                                   sts.session_arn(role_account, role.view["name"], verified.session_name),
                                   f"{role.view['id']}:{verified.session_name}", role.view["arn"], p.principal_arn,
                                   session_policies, tags.tags, tags.transitive_keys, source_identity, False, "",
                                   False, packed, federated_provider=p.principal_arn, web_identity_keys=session_keys)
        if not await self._role_alive_at(role_account, role.view, issued.position):
            raise denied
        return SamlIssued(issued, verified.subject, verified.subject_type, verified.issuer, verified.recipient,
                          qualifier)

    async def _verify_saml(self, assertion: str, provider: Mapping[str, Any], now: datetime) -> saml.VerifiedAssertion:
        """saml.verify in a thread of its own pool (as many threads as slots, so nothing waits in
        it, and other blocking work in the loop's default executor never waits behind it), at
        most `saml_verifications` at once.

        AssumeRoleWithSAML is unauthenticated and its verification is CPU work (XML signatures, up
        to saml_encryption.MAX_ENCRYPTED_KEYS x saml.MAX_PRIVATE_KEYS RSA-OAEP decryptions): on the
        event loop, anyone could hold every other call up. Past the bound the call is refused with
        Throttling (retryable; AWS SDKs retry it) rather than queued, so a flood costs a few threads
        and no memory. A slot is freed when the thread's work ends, not when its caller stops
        waiting: a caller that disconnects cannot start more verifications than the bound."""
        if not self._saml_slots.acquire(blocking=False):
            raise ThrottlingError("Too many SAML assertions are being verified at once; retry shortly")
        try:
            # What the thread reads is taken here, on the loop: the projection changes its views there.
            entity_id, certificates = provider["entity_id"], tuple(provider["certificates"])
            mode = provider.get("assertion_encryption_mode", "")
            sealed = [(k["private_key_ciphertext"], k["key_id"]) for k in provider.get("private_keys", [])]
            keyring = self.keyring
            if self._saml_executor is None:
                self._saml_executor = ThreadPoolExecutor(self._saml_threads, thread_name_prefix="iamd-saml")
            work = asyncio.get_running_loop().run_in_executor(self._saml_executor, functools.partial(
                saml.verify, assertion, entity_id=entity_id, certificates=certificates, now=now,
                encryption_mode=mode,
                private_keys=lambda: [keyring.decrypt(ciphertext, context=key_id) for ciphertext, key_id in sealed]))
        except BaseException:
            self._saml_slots.release()
            raise
        work.add_done_callback(self._saml_done)
        return await asyncio.shield(work)

    def _saml_done(self, work: asyncio.Future[saml.VerifiedAssertion]) -> None:
        self._saml_slots.release()
        if not work.cancelled():
            work.exception()  # retrieved, for a caller that stopped waiting (asyncio would log it as lost)

    async def _verify_token(self, token: str, unverified: web_identity.UnverifiedToken,
                            provider: Mapping[str, Any]) -> web_identity.VerifiedToken:
        """The token checked against the provider's keys: fetched once more when its `kid` is
        not among those cached (a provider that rotated its keys)."""
        now = self.clock.now().timestamp()
        for refresh in (False, True):
            jwks = await self.oidc_keys.keys(unverified.issuer_url, provider["thumbprints"], refresh=refresh)
            try:
                return web_identity.verify(token, unverified, jwks, provider["client_ids"], now)
            except web_identity.UnknownSigningKey:
                continue
        raise InvalidIdentityTokenError("No key of the identity provider's JWKS matches the token's key id (kid)")

    async def get_session_token(self, ctx: CallContext, caller: Caller, duration_seconds: int,
                                serial_number: str = "", token_code: str = "") -> IssuedCredentials:
        if caller.kind == "assumed-role" or caller.session is not None:
            raise AccessDeniedError("Cannot call GetSessionToken with session credentials")
        sts.check_mfa(serial_number, token_code)
        duration = sts.check_session_token_duration(duration_seconds, caller_kind=caller.kind)
        mfa_at = ""
        if serial_number:
            if caller.kind != "user":
                raise InvalidInputError("only an IAM user can present an MFA code",
                                        problems=[FieldProblem("serialNumber", "the caller has no MFA device")])
            mfa_at = await self.mfa.verify_for(ctx, caller, serial_number, token_code)
        return await self._issue(ctx, caller.account_id, "user", self.clock.now(), duration, caller.arn,
                                 caller.principal_id, "", caller.arn, [], {}, [], "", bool(mfa_at), mfa_at, False, 0)

    async def get_federation_token(self, ctx: CallContext, caller: Caller, p: FederationParams,
                                   request_keys: dict[str, str]) -> IssuedCredentials:
        if caller.session is not None or caller.kind not in ("user", "root"):
            # AWS: only long-term credentials of an IAM user (or the root user) may federate.
            raise AccessDeniedError("Cannot call GetFederationToken with session credentials")
        sts.check_federated_name(p.name)
        duration = sts.check_federation_duration(p.duration_seconds, caller_kind=caller.kind)
        tags = sts.merge_session_tags(p.tags, (), {})  # federated users cannot chain: nothing is transitive
        packed = sts.check_session_policy_size(p.policy, p.policy_arns)  # the size first: nothing parsed
        session_policies = self._session_policies(caller.account_id, p.policy, p.policy_arns)
        arn = sts.federated_user_arn(caller.account_id, p.name)
        context = {**request_keys, **_request_tag_keys(p.tags)}
        for action in ["sts:GetFederationToken"] + (["sts:TagSession"] if p.tags else []):
            self.authorizer.require(caller.arn, caller.kind, action, arn, context)
        return await self._issue(ctx, caller.account_id, "federated-user", self.clock.now(), duration, arn,
                                 f"{caller.account_id}:{p.name}", "", caller.arn, session_policies, tags.tags, [],
                                 "", False, "", False, packed, issued_to_id=caller.principal_id)

    async def assume_root(self, ctx: CallContext, caller: Caller, p: AssumeRootParams,
                          request_keys: dict[str, str]) -> IssuedCredentials:
        """A privileged session of a member account's root user (centralized root access).

        The request as AWS decides it: the caller's identity-based policies must allow
        sts:AssumeRoot on the member's root user (sts:TaskPolicyArn in the context), the member
        trusting the caller's account as centralized root access makes it (a trust policy naming
        the account: service/domain/root_access.py); the refusal comes first, so that a caller
        without the permission learns nothing of the organization. Then the organization's rules."""
        target = root_access.target_account(p.target_principal)
        task_policy_arn = root_access.check_task_policy_arn(p.task_policy_arn)
        duration = root_access.check_duration(p.duration_seconds)
        aws_policies = self.principals.aws_policies
        task_policy = aws_policies(task_policy_arn) if aws_policies is not None else None
        if task_policy is None:
            raise root_access.unknown_task_policy(task_policy_arn)
        target_arn = root_access.root_arn(target)
        denied = f"User: {caller.arn} is not authorized to perform: sts:AssumeRoot on resource: {target_arn}"
        if caller.is_root:
            raise AccessDeniedError(f"{denied}: root user credentials cannot call AssumeRoot")
        if caller.kind == "federated-user":
            raise AccessDeniedError(f"{denied}: federated users cannot call STS APIs")
        _refuse_session_token_credentials(caller, "AssumeRoot")
        trust = self.principals.resource_index(target_arn, root_access.trust_policy(caller.account_id, target))
        self.authorizer.require(caller.arn, caller.kind, "sts:AssumeRoot", target_arn,
                                {**request_keys, "sts:TaskPolicyArn": task_policy_arn}, session=caller.session,
                                resource_policy=trust)
        projection = self.principals.projection
        management = projection.organization_of_account.get(caller.account_id)
        org = projection.organizations.get(management) if management else None
        root_access.check_session_allowed(org, projection.root_access.get(management or ""), caller.account_id,
                                          target, task_policy_arn, denied)
        document = task_policy["versions"][task_policy["default_version_id"]]["document"]
        # AssumeRoot takes no SourceIdentity: the caller's (a role session's, set once) carries over,
        # as AWS answers "the source identity specified by the principal that is calling AssumeRoot".
        source_identity = caller.session["source_identity"] if caller.session else ""
        return await self._issue(ctx, target, "root", self.clock.now(), duration, target_arn, target, "", caller.arn,
                                 [root_access.ROOT_SESSION_ALLOWANCE, document], {}, [], source_identity, False, "",
                                 False, 0, issued_to_id=caller.principal_id)

    async def get_scoped_credentials(self, ctx: CallContext, caller: Caller, p: ScopedParams) -> ScopedIssued:
        """Credentials scoped down from the caller's session (the guard has checked
        sts:GetScopedCredentials): the same principal and session policies, the scope-down policy
        one more layer that must allow, expiring with the caller's session or sooner."""
        parent = sts.check_subject_session(caller.session)
        sts.check_scoped_request(p.policy, p.duration_seconds, p.description)
        packed = sts.check_session_policy_size(p.policy, ()) if p.policy else 0  # the size first: nothing parsed
        # The caller's session policies stay as they are (one set, any of which may allow); the
        # scope-down policy is a layer of its own, as each of the caller's: every layer must allow.
        scope_down = list(parent.get("scope_down_policies") or [])
        count = sts.scoped_policies_count(len(scope_down), bool(p.policy), caller.arn)
        if p.policy:
            scope_down.append(check_policy_document("policy", p.policy, PolicyType.SESSION))
        now = self.clock.now()
        caller_expires = datetime.fromisoformat(str(parent["expires_at"]).replace("Z", "+00:00"))
        expires = sts.scoped_expiry(now, caller_expires, p.duration_seconds)
        issued = await self._issue(
            ctx, str(parent["account_id"]), str(parent["kind"]), now, 0, str(parent["principal_arn"]),
            str(parent["principal_id"]), str(parent["role_arn"]), str(parent["issued_to"]),
            list(parent.get("session_policies") or []),
            dict(parent.get("tags") or {}), list(parent.get("transitive_tag_keys") or []),
            str(parent.get("source_identity") or ""), bool(parent.get("mfa_authenticated")),
            str(parent.get("mfa_authenticated_at") or ""), bool(parent.get("chained")), packed,
            issued_to_id=str(parent.get("issued_to_id") or ""),
            federated_provider=str(parent.get("federated_provider") or ""),
            web_identity_keys=parent.get("web_identity_keys") or {}, expires=expires,
            scoped_from=str(parent["access_key_id"]), scope_down_policies=scope_down,
            # the caller's session, issued when it was: aws:TokenIssueTime (RevokeRoleSessions'
            # cutoff, a DateGreaterThan grant) must not move forward with the copy
            issued_at=str(parent["issued_at"]))
        return ScopedIssued(issued, count)

    async def _role_alive_at(self, account_id: str, view: Any, position: int) -> bool:
        """Whether the role of this id existed when the log reached `position` (read from its
        stream, as the projection will decide when it applies the session issued there)."""
        recorded = await self.store.read_stream(stream_name(ROLE, account_id, view["name"]))
        state = identity.fold(ROLE, (decode_event(r.type, dict(r.data)) for r in recorded if r.position < position))
        return state.exists and state.id == view["id"]

    def decode_authorization_message(self, caller: Caller, encoded_message: str) -> str:
        """The decoded message (JSON text) of an encoded authorization failure message that a
        denied Authorize answered for a principal of the caller's account (the gate has checked
        sts:DecodeAuthorizationMessage); InvalidAuthorizationMessageException for any other text."""
        _refuse_session_token_credentials(caller, "DecodeAuthorizationMessage")
        if not encoded_message:
            raise ValidationError("1 validation error detected: Value null at 'encodedMessage' failed to satisfy "
                                  "constraint: Member must not be null",
                                  problems=[FieldProblem("encodedMessage", "required")])
        if self.authorization_messages is None:
            raise InvalidAuthorizationMessageError("This iamd encodes no authorization messages.")
        try:
            return self.authorization_messages.decode(encoded_message, caller.account_id)
        except InvalidAuthorizationMessage as e:
            raise InvalidAuthorizationMessageError(str(e)) from None

    def get_access_key_info(self, caller: Caller, access_key_id: str) -> str:
        _refuse_session_token_credentials(caller, "GetAccessKeyInfo")
        projection = self.principals.projection
        entry = projection.access_keys.get(access_key_id) or projection.sessions.get(access_key_id)
        if entry is None:
            raise NoSuchEntityError(f"The access key {access_key_id} is not known to this service.",
                                    resource_type="access key", resource_name=access_key_id)
        return str(entry["account_id"])

    def _session_policies(self, account_id: str, inline: str, arns: Sequence[str]) -> list[str]:
        """The session policies' documents: the inline one, then the managed ones (of `account_id`)."""
        documents = []
        if inline:
            documents.append(check_policy_document("policy", inline, PolicyType.SESSION))
        account = self.principals.projection.account(account_id)
        aws_policies = self.principals.aws_policies
        for i, arn in enumerate(arns):
            m = _POLICY_ARN.fullmatch(arn)
            if is_aws_managed_policy(arn):  # AWS's own, as PolicyArns commonly name (ReadOnlyAccess)
                policy = aws_policies(arn) if aws_policies is not None else None
            else:
                policy = account.policy(arn) if account and m and m.group(1) == account_id else None
            if policy is None:
                raise InvalidInputError(f"Policy {arn} does not exist or is not attachable.",
                                        problems=[FieldProblem(f"policyArns.{i + 1}",
                                                               "not a policy of this account, nor an AWS managed one")])
            documents.append(policy["versions"][policy["default_version_id"]]["document"])
        return documents

    async def _issue(self, ctx: CallContext, account_id: str, kind: str, now: Any, duration: int,
                     principal_arn: str, principal_id: str, role_arn: str, issued_to: str,
                     session_policies: list[str], tags: dict[str, str], transitive: list[str],
                     source_identity: str, mfa: bool, mfa_at: str, chained: bool, packed: int,
                     issued_to_id: str = "", federated_provider: str = "",
                     web_identity_keys: Mapping[str, Any] | None = None, expires: datetime | None = None,
                     scoped_from: str = "", scope_down_policies: Sequence[str] = (),
                     issued_at: str = "") -> IssuedCredentials:
        key_id = self.ids.access_key_id("ASIA")
        secret = self.ids.secret()
        token = "IQoJ" + secrets.token_urlsafe(96)  # opaque; only its hash is stored
        if expires is None:
            expires = now + timedelta(seconds=duration)
        event = SessionIssued(
            kind=kind, access_key_id=key_id, secret_ciphertext=self.keyring.encrypt(secret.encode(), context=key_id),
            token_sha256=hashlib.sha256(token.encode()).hexdigest(), principal_arn=principal_arn,
            principal_id=principal_id, role_arn=role_arn, issued_at=issued_at or iso8601(now),
            expires_at=iso8601(expires),
            issued_to=issued_to, session_policies=session_policies, tags=tags, transitive_tag_keys=transitive,
            source_identity=source_identity, mfa_authenticated=mfa, mfa_authenticated_at=mfa_at, chained=chained,
            issued_to_id=issued_to_id, federated_provider=federated_provider,
            web_identity_keys=dict(web_identity_keys or {}), scoped_from=scoped_from,
            scoped_policies_count=len(scope_down_policies), scope_down_policies=list(scope_down_policies))
        result = await self.store.append(
            session_stream(account_id, key_id),
            [NewEvent("SessionIssued", event.to_data(), ctx.metadata(iso8601(now)))], StreamState.NO_STREAM)
        ctx.committed()
        return IssuedCredentials(key_id, secret, token, iso8601(expires), principal_arn, principal_id, packed,
                                 source_identity, result.position)
