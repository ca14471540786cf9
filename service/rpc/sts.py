"""SecurityTokenService: AssumeRole, AssumeRoleWithWebIdentity, AssumeRoleWithSAML, AssumeRoot, GetSessionToken,
GetFederationToken, GetScopedCredentials, GetCallerIdentity, GetAccessKeyInfo, DecodeAuthorizationMessage,
GetWebIdentityToken."""

from __future__ import annotations

import grpc

from iamd.v1 import sts_pb2, sts_pb2_grpc
from iamd.service.app.outbound_federation import OutboundFederation, TokenParams
from iamd.service.app.ports import CallContext
from iamd.service.app.repository import Repository
from iamd.service.app.sts import (
    AssumeRoleParams,
    AssumeRootParams,
    FederationParams,
    IssuedCredentials,
    SamlParams,
    ScopedParams,
    StsCommands,
    WebIdentityParams,
)

from . import convert
from .caller import CallerResolver
from .gateway import AUDIT_IDENTITY, OPERATION, REQUEST_ID, peer_ip


def _credentials(issued: IssuedCredentials) -> sts_pb2.Credentials:
    return sts_pb2.Credentials(access_key_id=issued.access_key_id, secret_access_key=issued.secret_access_key,
                               session_token=issued.session_token, expiration=convert.timestamp(issued.expiration))


def _unsigned_call(context: grpc.aio.ServicerContext) -> tuple[CallContext, dict[str, str]]:
    """The context and request keys of a call AWS takes unsigned (the guard let it through; its own
    parameter, a web identity token or a SAML assertion, names the caller once checked)."""
    metadata = dict(context.invocation_metadata() or ())
    source_ip = peer_ip(context.peer() or "")
    ctx = CallContext(request_id=REQUEST_ID.get(), account_id="", actor_arn="", source_ip=source_ip,
                      user_agent=str(metadata.get("user-agent", "")), operation=OPERATION.get())
    return ctx, {"aws:SourceIp": source_ip}


class SecurityTokenServicer(sts_pb2_grpc.SecurityTokenServiceServicer):
    def __init__(self, commands: StsCommands, caller: CallerResolver, settle: object,
                 outbound: OutboundFederation | None = None) -> None:
        self.commands = commands
        self.caller = caller
        self.settle = settle  # waits until this replica's projection shows a position
        self.outbound = outbound or OutboundFederation(Repository(commands.store), commands.clock,
                                                       commands.principals.projection, commands.keyring)

    async def GetWebIdentityToken(self, r: sts_pb2.GetWebIdentityTokenRequest,
                                  context: grpc.aio.ServicerContext) -> sts_pb2.GetWebIdentityTokenResponse:
        params = TokenParams(audience=list(r.audience), signing_algorithm=r.signing_algorithm,
                             duration_seconds=r.duration_seconds, tags=convert.tags_in(r.tags),
                             subject_mode=r.subject_mode, scope=r.scope)
        issued = self.outbound.issue_token(self.caller.caller(), params)
        return sts_pb2.GetWebIdentityTokenResponse(web_identity_token=issued.token,
                                                   expiration=convert.timestamp(issued.expiration))

    async def AssumeRole(self, r: sts_pb2.AssumeRoleRequest, context: grpc.aio.ServicerContext) -> sts_pb2.AssumeRoleResponse:
        params = AssumeRoleParams(
            role_arn=r.role_arn, role_session_name=r.role_session_name, duration_seconds=r.duration_seconds,
            policy=r.policy, policy_arns=[p.arn for p in r.policy_arns], tags=convert.tags_in(r.tags),
            transitive_tag_keys=list(r.transitive_tag_keys), external_id=r.external_id,
            serial_number=r.serial_number, token_code=r.token_code, source_identity=r.source_identity)
        request_keys = {"aws:SourceIp": peer_ip(context.peer() or "")}
        issued = await self.commands.assume_role(self.caller(context), self.caller.caller(), params, request_keys)
        await self.settle(issued.position)  # type: ignore[operator]
        return sts_pb2.AssumeRoleResponse(
            credentials=_credentials(issued),
            assumed_role_user=sts_pb2.AssumedRoleUser(assumed_role_id=issued.principal_id, arn=issued.principal_arn),
            packed_policy_size=issued.packed_policy_size, source_identity=issued.source_identity,
            position=issued.position)

    async def AssumeRoot(self, r: sts_pb2.AssumeRootRequest, context: grpc.aio.ServicerContext) -> sts_pb2.AssumeRootResponse:
        params = AssumeRootParams(target_principal=r.target_principal, task_policy_arn=r.task_policy_arn.arn,
                                  duration_seconds=r.duration_seconds)
        request_keys = {"aws:SourceIp": peer_ip(context.peer() or "")}
        issued = await self.commands.assume_root(self.caller(context), self.caller.caller(), params, request_keys)
        await self.settle(issued.position)  # type: ignore[operator]
        return sts_pb2.AssumeRootResponse(credentials=_credentials(issued), source_identity=issued.source_identity,
                                          position=issued.position)

    async def GetSessionToken(self, r: sts_pb2.GetSessionTokenRequest,
                              context: grpc.aio.ServicerContext) -> sts_pb2.GetSessionTokenResponse:
        issued = await self.commands.get_session_token(self.caller(context), self.caller.caller(),
                                                       r.duration_seconds, r.serial_number, r.token_code)
        await self.settle(issued.position)  # type: ignore[operator]
        return sts_pb2.GetSessionTokenResponse(credentials=_credentials(issued), position=issued.position)

    async def GetFederationToken(self, r: sts_pb2.GetFederationTokenRequest,
                                 context: grpc.aio.ServicerContext) -> sts_pb2.GetFederationTokenResponse:
        params = FederationParams(name=r.name, duration_seconds=r.duration_seconds, policy=r.policy,
                                  policy_arns=[p.arn for p in r.policy_arns], tags=convert.tags_in(r.tags))
        request_keys = {"aws:SourceIp": peer_ip(context.peer() or "")}
        issued = await self.commands.get_federation_token(self.caller(context), self.caller.caller(), params,
                                                          request_keys)
        await self.settle(issued.position)  # type: ignore[operator]
        return sts_pb2.GetFederationTokenResponse(
            credentials=_credentials(issued),
            federated_user=sts_pb2.FederatedUser(federated_user_id=issued.principal_id, arn=issued.principal_arn),
            packed_policy_size=issued.packed_policy_size, position=issued.position)

    async def GetScopedCredentials(self, r: sts_pb2.GetScopedCredentialsRequest,
                                   context: grpc.aio.ServicerContext) -> sts_pb2.GetScopedCredentialsResponse:
        params = ScopedParams(policy=r.policy, duration_seconds=r.duration_seconds,
                              description=r.scoped_session_description)
        result = await self.commands.get_scoped_credentials(self.caller(context), self.caller.caller(), params)
        issued = result.credentials
        await self.settle(issued.position)  # type: ignore[operator]
        return sts_pb2.GetScopedCredentialsResponse(
            credentials=_credentials(issued),
            session_info=sts_pb2.ScopedSession(scoped_session_id=issued.principal_id, arn=issued.principal_arn),
            session_token_size=len(issued.session_token.encode()), scoped_policies_count=result.scoped_policies_count,
            source_identity=issued.source_identity, position=issued.position)

    async def GetCallerIdentity(self, r: sts_pb2.GetCallerIdentityRequest,
                                context: grpc.aio.ServicerContext) -> sts_pb2.GetCallerIdentityResponse:
        caller = self.caller.caller()
        return sts_pb2.GetCallerIdentityResponse(user_id=caller.principal_id, account=caller.account_id,
                                                 arn=caller.arn)

    async def GetAccessKeyInfo(self, r: sts_pb2.GetAccessKeyInfoRequest,
                               context: grpc.aio.ServicerContext) -> sts_pb2.GetAccessKeyInfoResponse:
        account = self.commands.get_access_key_info(self.caller.caller(), r.access_key_id)
        return sts_pb2.GetAccessKeyInfoResponse(account=account)

    async def DecodeAuthorizationMessage(self, r: sts_pb2.DecodeAuthorizationMessageRequest,
                                         context: grpc.aio.ServicerContext) -> sts_pb2.DecodeAuthorizationMessageResponse:
        decoded = self.commands.decode_authorization_message(self.caller.caller(), r.encoded_message)
        return sts_pb2.DecodeAuthorizationMessageResponse(decoded_message=decoded)

    async def AssumeRoleWithWebIdentity(self, r: sts_pb2.AssumeRoleWithWebIdentityRequest,
                                        context: grpc.aio.ServicerContext) -> sts_pb2.AssumeRoleWithWebIdentityResponse:
        # Unsigned (the guard lets it through): the token names the caller, once checked.
        ctx, request_keys = _unsigned_call(context)
        params = WebIdentityParams(role_arn=r.role_arn, role_session_name=r.role_session_name,
                                   web_identity_token=r.web_identity_token, duration_seconds=r.duration_seconds,
                                   policy=r.policy, policy_arns=[p.arn for p in r.policy_arns])
        result = await self.commands.assume_role_with_web_identity(ctx, params, request_keys,
                                                                   identified=AUDIT_IDENTITY.set)
        issued = result.credentials
        await self.settle(issued.position)  # type: ignore[operator]
        return sts_pb2.AssumeRoleWithWebIdentityResponse(
            credentials=_credentials(issued), subject_from_web_identity_token=result.subject,
            assumed_role_user=sts_pb2.AssumedRoleUser(assumed_role_id=issued.principal_id, arn=issued.principal_arn),
            packed_policy_size=issued.packed_policy_size, provider=result.provider, audience=result.audience,
            source_identity=issued.source_identity, position=issued.position)

    async def AssumeRoleWithSAML(self, r: sts_pb2.AssumeRoleWithSAMLRequest,
                                 context: grpc.aio.ServicerContext) -> sts_pb2.AssumeRoleWithSAMLResponse:
        # Unsigned (the guard lets it through): the SAML assertion names the caller, once verified.
        ctx, request_keys = _unsigned_call(context)
        params = SamlParams(role_arn=r.role_arn, principal_arn=r.principal_arn, saml_assertion=r.saml_assertion,
                            duration_seconds=r.duration_seconds, policy=r.policy,
                            policy_arns=[p.arn for p in r.policy_arns])
        result = await self.commands.assume_role_with_saml(ctx, params, request_keys, identified=AUDIT_IDENTITY.set)
        issued = result.credentials
        await self.settle(issued.position)  # type: ignore[operator]
        return sts_pb2.AssumeRoleWithSAMLResponse(
            credentials=_credentials(issued),
            assumed_role_user=sts_pb2.AssumedRoleUser(assumed_role_id=issued.principal_id, arn=issued.principal_arn),
            packed_policy_size=issued.packed_policy_size, subject=result.subject, subject_type=result.subject_type,
            issuer=result.issuer, audience=result.audience, name_qualifier=result.name_qualifier,
            source_identity=issued.source_identity, position=issued.position)
