"""IdentityService: thin servicers that convert, call the app layer, and convert back."""

from __future__ import annotations

from typing import Any

import grpc

from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import identity_pb2_grpc
from iamd.service.app.access_advisor import AccessAdvisor, Job
from iamd.service.app.credentials import CredentialCommands
from iamd.service.app.identity import IdentityCommands
from iamd.service.app.mfa import MfaCommands
from iamd.service.app.queries import IdentityQueries, Page, paginate, tag_page
from iamd.service.app.account_alias import AccountAliasCommands
from iamd.service.app.oidc import OidcProviderCommands
from iamd.service.app.saml import SamlProviderCommands
from iamd.service.app.instance_profiles import InstanceProfileCommands
from iamd.service.app.login_profiles import LoginProfileCommands
from iamd.service.app.service_specific_credentials import ServiceSpecificCredentialCommands
from iamd.service.app.ssh_public_keys import SSHPublicKeyCommands
from iamd.service.app.signing_certificates import SigningCertificateCommands
from iamd.service.app.server_certificates import ServerCertificateCommands
from iamd.service.app.password_policy import PasswordPolicyCommands
from iamd.service.app.root_access import RootAccessCommands
from iamd.service.app.sts_preferences import StsPreferencesCommands
from iamd.service.app.outbound_federation import OutboundFederation
from iamd.service.app.reports import AccountReports
from iamd.service.app.resources import ResourceCommands
from iamd.service.app.service_linked_roles import ServiceLinkedRoleCommands
from iamd.service.domain import access_advisor as advisor
from iamd.service.domain import names, reports, root_access
from iamd.service.domain.errors import FieldProblem, ServiceUnavailableError, ValidationError
from iamd.service.domain.events import GROUP, POLICY, ROLE, USER

from . import convert
from .caller import CallerResolver

Ctx = grpc.aio.ServicerContext
# AssertionEncryptionMode: the proto's values and IAM's words (unspecified: leave as it is / never set).
_ENCRYPTION_MODE_VALUES = {"Required": ipb.ASSERTION_ENCRYPTION_MODE_REQUIRED,
                           "Allowed": ipb.ASSERTION_ENCRYPTION_MODE_ALLOWED}


def _encryption_mode(value: int) -> str:
    """IAM's word for the proto's value; an unknown number as itself, which the domain refuses."""
    if value == ipb.ASSERTION_ENCRYPTION_MODE_UNSPECIFIED:
        return ""
    return next((word for word, number in _ENCRYPTION_MODE_VALUES.items() if number == value), str(value))


_SCOPE = {ipb.POLICY_SCOPE_UNSPECIFIED: "All", ipb.POLICY_SCOPE_ALL: "All", ipb.POLICY_SCOPE_LOCAL: "Local",
          ipb.POLICY_SCOPE_AWS: "AWS"}


def _inline_target(ref: pb.EntityRef) -> tuple[str, str]:
    """The user, group or role an inline-policy call (or ListAttachedPolicies) names: a managed policy
    has neither inline nor attached policies."""
    kind, name = convert.entity_ref(ref)
    if kind not in (USER, GROUP, ROLE):
        raise ValidationError("only users, groups and roles have inline and attached policies",
                              problems=[FieldProblem("target.kind", "USER, GROUP or ROLE")])
    return kind, name


def _tags_response(page: Page) -> ipb.ListEntityTagsResponse:
    return ipb.ListEntityTagsResponse(tags=[pb.Tag(key=k, value=v) for k, v in page.items],
                                      is_truncated=page.is_truncated, marker=page.marker)


class IdentityServicer(identity_pb2_grpc.IdentityServiceServicer):
    def __init__(self, commands: IdentityCommands, credentials: CredentialCommands, mfa: MfaCommands,
                 queries: IdentityQueries, caller: CallerResolver, resources: ResourceCommands,
                 reports: AccountReports, password_policy: PasswordPolicyCommands,
                 aliases: AccountAliasCommands, oidc: OidcProviderCommands,
                 instance_profiles: InstanceProfileCommands | None = None,
                 login_profiles: LoginProfileCommands | None = None,
                 service_linked_roles: ServiceLinkedRoleCommands | None = None,
                 saml: SamlProviderCommands | None = None,
                 access_advisor: AccessAdvisor | None = None,
                 outbound: OutboundFederation | None = None) -> None:
        self.access_advisor = access_advisor
        self.outbound = outbound or OutboundFederation(commands.repo, commands.clock, commands.projection,
                                                       credentials.keyring)
        self.root_access = RootAccessCommands(commands.repo, commands.clock, commands.projection)
        self.sts_preferences = StsPreferencesCommands(commands.repo, commands.clock)
        self.saml = saml or SamlProviderCommands(commands.repo, commands.clock, commands.projection,
                                                 credentials.keyring)
        self.service_linked_roles = service_linked_roles or ServiceLinkedRoleCommands(commands)
        self.instance_profiles = instance_profiles or InstanceProfileCommands(
            commands.repo, commands.clock, commands.ids, commands.projection)
        self.login_profiles = login_profiles or LoginProfileCommands(commands, commands.clock, commands.projection)
        self.ssh_public_keys = SSHPublicKeyCommands(commands, commands.clock, commands.ids, commands.projection)
        self.signing_certificates = SigningCertificateCommands(commands, commands.clock, commands.projection)
        self.service_specific_credentials = ServiceSpecificCredentialCommands(commands, commands.clock, commands.ids,
                                                                              commands.projection)
        self.server_certificates = ServerCertificateCommands(commands.repo, commands.clock, commands.ids,
                                                             credentials.keyring, commands.projection)
        self.oidc = oidc
        self.aliases = aliases
        self.password_policy = password_policy
        self.reports = reports
        self.resources = resources
        self.mfa = mfa
        self.commands = commands
        self.credentials = credentials
        self.queries = queries
        self.caller = caller

    # --- the account's password policy ---------------------------------------------------------
    async def UpdateAccountPasswordPolicy(self, r: ipb.UpdateAccountPasswordPolicyRequest,
                                          context: Ctx) -> ipb.CommandResponse:
        settings = {"RequireSymbols": r.require_symbols, "RequireNumbers": r.require_numbers,
                    "RequireUppercaseCharacters": r.require_uppercase_characters,
                    "RequireLowercaseCharacters": r.require_lowercase_characters,
                    "AllowUsersToChangePassword": r.allow_users_to_change_password, "HardExpiry": r.hard_expiry}
        for field, member in (("minimum_password_length", "MinimumPasswordLength"),
                              ("max_password_age", "MaxPasswordAge"),
                              ("password_reuse_prevention", "PasswordReusePrevention")):
            if r.HasField(field):
                settings[member] = getattr(r, field)
        return await self._done(await self.password_policy.update(self.caller(context), settings))

    async def GetAccountPasswordPolicy(self, r: ipb.GetAccountPasswordPolicyRequest,
                                       context: Ctx) -> ipb.GetAccountPasswordPolicyResponse:
        p = self.password_policy.get(self.caller(context))
        return ipb.GetAccountPasswordPolicyResponse(password_policy=ipb.PasswordPolicy(
            minimum_password_length=p["MinimumPasswordLength"], require_symbols=p["RequireSymbols"],
            require_numbers=p["RequireNumbers"], require_uppercase_characters=p["RequireUppercaseCharacters"],
            require_lowercase_characters=p["RequireLowercaseCharacters"],
            allow_users_to_change_password=p["AllowUsersToChangePassword"], expire_passwords=p["ExpirePasswords"],
            max_password_age=p.get("MaxPasswordAge"), password_reuse_prevention=p.get("PasswordReusePrevention"),
            hard_expiry=p["HardExpiry"]))

    async def DeleteAccountPasswordPolicy(self, r: ipb.DeleteAccountPasswordPolicyRequest,
                                          context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.password_policy.delete(self.caller(context)))

    # --- the account's alias -------------------------------------------------------------------
    async def CreateAccountAlias(self, r: ipb.CreateAccountAliasRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.aliases.create(self.caller(context), r.account_alias))

    async def DeleteAccountAlias(self, r: ipb.DeleteAccountAliasRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.aliases.delete(self.caller(context), r.account_alias))

    async def ListAccountAliases(self, r: ipb.ListAccountAliasesRequest,
                                 context: Ctx) -> ipb.ListAccountAliasesResponse:
        return ipb.ListAccountAliasesResponse(account_aliases=self.aliases.list(self.caller(context)))

    # --- OIDC identity providers ---------------------------------------------------------------
    async def CreateOpenIDConnectProvider(self, r: ipb.CreateOpenIDConnectProviderRequest,
                                          context: Ctx) -> ipb.CreateOpenIDConnectProviderResponse:
        arn, position = await self.oidc.create(self.caller(context), url=r.url, client_ids=list(r.client_id_list),
                                               thumbprints=list(r.thumbprint_list), tags=convert.tags_in(r.tags))
        await self.commands.settle(position)
        return ipb.CreateOpenIDConnectProviderResponse(open_id_connect_provider_arn=arn, tags=r.tags,
                                                       position=position)

    async def GetOpenIDConnectProvider(self, r: ipb.OpenIDConnectProviderRequest,
                                       context: Ctx) -> ipb.GetOpenIDConnectProviderResponse:
        p = self.oidc.get(self.caller(context), r.open_id_connect_provider_arn)
        return ipb.GetOpenIDConnectProviderResponse(
            url=p["url"], client_id_list=p["client_ids"], thumbprint_list=p["thumbprints"],
            create_date=convert.timestamp(p["created_at"]), tags=convert.tags_out(p["tags"]))

    async def ListOpenIDConnectProviders(self, r: ipb.ListOpenIDConnectProvidersRequest,
                                         context: Ctx) -> ipb.ListOpenIDConnectProvidersResponse:
        return ipb.ListOpenIDConnectProvidersResponse(open_id_connect_provider_list=[
            ipb.OpenIDConnectProviderListEntry(arn=p["arn"]) for p in self.oidc.list(self.caller(context))])

    async def DeleteOpenIDConnectProvider(self, r: ipb.OpenIDConnectProviderRequest,
                                          context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.oidc.delete(self.caller(context), r.open_id_connect_provider_arn))

    async def AddClientIDToOpenIDConnectProvider(self, r: ipb.OpenIDConnectProviderClientIDRequest,
                                                 context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.oidc.add_client_id(self.caller(context), r.open_id_connect_provider_arn,
                                                              r.client_id))

    async def RemoveClientIDFromOpenIDConnectProvider(self, r: ipb.OpenIDConnectProviderClientIDRequest,
                                                      context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.oidc.remove_client_id(self.caller(context),
                                                                 r.open_id_connect_provider_arn, r.client_id))

    async def UpdateOpenIDConnectProviderThumbprint(self, r: ipb.UpdateOpenIDConnectProviderThumbprintRequest,
                                                    context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.oidc.update_thumbprints(
            self.caller(context), r.open_id_connect_provider_arn, list(r.thumbprint_list)))

    async def TagOpenIDConnectProvider(self, r: ipb.TagOpenIDConnectProviderRequest,
                                       context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.oidc.tag(self.caller(context), r.open_id_connect_provider_arn,
                                                    convert.tags_in(r.tags)))

    async def UntagOpenIDConnectProvider(self, r: ipb.UntagOpenIDConnectProviderRequest,
                                         context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.oidc.untag(self.caller(context), r.open_id_connect_provider_arn,
                                                      list(r.tag_keys)))

    async def ListOpenIDConnectProviderTags(self, r: ipb.ListOpenIDConnectProviderTagsRequest,
                                            context: Ctx) -> ipb.ListEntityTagsResponse:
        p = self.oidc.get(self.caller(context), r.open_id_connect_provider_arn)
        return _tags_response(tag_page(p["tags"], r.page.max_items, r.page.marker))

    # --- SAML identity providers ----------------------------------------------------------------
    async def CreateSAMLProvider(self, r: ipb.CreateSAMLProviderRequest, context: Ctx) -> ipb.CreateSAMLProviderResponse:
        arn, position = await self.saml.create(self.caller(context), name=r.name,
                                               metadata_document=r.saml_metadata_document,
                                               tags=convert.tags_in(r.tags),
                                               assertion_encryption_mode=_encryption_mode(r.assertion_encryption_mode),
                                               add_private_key=r.add_private_key)
        await self.commands.settle(position)
        return ipb.CreateSAMLProviderResponse(saml_provider_arn=arn, tags=r.tags, position=position)

    async def GetSAMLProvider(self, r: ipb.SAMLProviderRequest, context: Ctx) -> ipb.GetSAMLProviderResponse:
        p = self.saml.get(self.caller(context), r.saml_provider_arn)
        return ipb.GetSAMLProviderResponse(
            saml_provider_uuid=p["uuid"], saml_metadata_document=p["metadata_document"],
            create_date=convert.timestamp(p["created_at"]),
            valid_until=convert.timestamp(p["valid_until"]) if p["valid_until"] else None,
            tags=convert.tags_out(p["tags"]),
            assertion_encryption_mode=_ENCRYPTION_MODE_VALUES.get(p.get("assertion_encryption_mode", ""), 0),
            private_key_list=[ipb.SAMLPrivateKey(key_id=k["key_id"], timestamp=convert.timestamp(k["timestamp"]))
                              for k in p.get("private_keys", [])])

    async def ListSAMLProviders(self, r: ipb.ListSAMLProvidersRequest, context: Ctx) -> ipb.ListSAMLProvidersResponse:
        return ipb.ListSAMLProvidersResponse(saml_provider_list=[
            ipb.SAMLProviderListEntry(arn=p["arn"], create_date=convert.timestamp(p["created_at"]),
                                      valid_until=convert.timestamp(p["valid_until"]) if p["valid_until"] else None)
            for p in self.saml.list(self.caller(context))])

    async def UpdateSAMLProvider(self, r: ipb.UpdateSAMLProviderRequest, context: Ctx) -> ipb.UpdateSAMLProviderResponse:
        position = await self.saml.update(self.caller(context), r.saml_provider_arn, r.saml_metadata_document,
                                          assertion_encryption_mode=_encryption_mode(r.assertion_encryption_mode),
                                          add_private_key=r.add_private_key, remove_private_key=r.remove_private_key)
        await self.commands.settle(position)
        return ipb.UpdateSAMLProviderResponse(saml_provider_arn=r.saml_provider_arn, position=position)

    async def DeleteSAMLProvider(self, r: ipb.SAMLProviderRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.saml.delete(self.caller(context), r.saml_provider_arn))

    async def TagSAMLProvider(self, r: ipb.TagSAMLProviderRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.saml.tag(self.caller(context), r.saml_provider_arn,
                                                    convert.tags_in(r.tags)))

    async def UntagSAMLProvider(self, r: ipb.UntagSAMLProviderRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.saml.untag(self.caller(context), r.saml_provider_arn, list(r.tag_keys)))

    async def ListSAMLProviderTags(self, r: ipb.ListSAMLProviderTagsRequest, context: Ctx) -> ipb.ListEntityTagsResponse:
        p = self.saml.get(self.caller(context), r.saml_provider_arn)
        return _tags_response(tag_page(p["tags"], r.page.max_items, r.page.marker))

    # --- instance profiles ----------------------------------------------------------------------
    def _instance_profile(self, p: dict) -> ipb.InstanceProfile:
        return ipb.InstanceProfile(
            path=p["path"], instance_profile_name=p["name"], instance_profile_id=p["id"], arn=p["arn"],
            create_date=convert.timestamp(p["created_at"]),
            roles=[convert.role(r) for r in self.instance_profiles.roles_of(p)], tags=convert.tags_out(p["tags"]))

    def _instance_profiles_page(self, page: Page) -> ipb.ListInstanceProfilesResponse:
        return ipb.ListInstanceProfilesResponse(instance_profiles=[self._instance_profile(p) for p in page.items],
                                                is_truncated=page.is_truncated, marker=page.marker)

    async def CreateInstanceProfile(self, r: ipb.CreateInstanceProfileRequest,
                                    context: Ctx) -> ipb.CreateInstanceProfileResponse:
        view, position = await self.instance_profiles.create(self.caller(context), name=r.instance_profile_name,
                                                             path=r.path, tags=convert.tags_in(r.tags))
        await self.commands.settle(position)
        return ipb.CreateInstanceProfileResponse(instance_profile=self._instance_profile(view), position=position)

    async def GetInstanceProfile(self, r: ipb.GetInstanceProfileRequest,
                                 context: Ctx) -> ipb.GetInstanceProfileResponse:
        return ipb.GetInstanceProfileResponse(instance_profile=self._instance_profile(
            self.instance_profiles.get(self.caller(context), r.instance_profile_name)))

    async def DeleteInstanceProfile(self, r: ipb.DeleteInstanceProfileRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.instance_profiles.delete(self.caller(context), r.instance_profile_name))

    async def ListInstanceProfiles(self, r: ipb.ListInstanceProfilesRequest,
                                   context: Ctx) -> ipb.ListInstanceProfilesResponse:
        return self._instance_profiles_page(self.instance_profiles.list(self.caller(context), r.path_prefix,
                                                                        r.page.max_items, r.page.marker))

    async def AddRoleToInstanceProfile(self, r: ipb.AddRoleToInstanceProfileRequest,
                                       context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.instance_profiles.add_role(self.caller(context), r.instance_profile_name,
                                                                      r.role_name))

    async def RemoveRoleFromInstanceProfile(self, r: ipb.RemoveRoleFromInstanceProfileRequest,
                                            context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.instance_profiles.remove_role(self.caller(context),
                                                                         r.instance_profile_name, r.role_name))

    async def ListInstanceProfilesForRole(self, r: ipb.ListInstanceProfilesForRoleRequest,
                                          context: Ctx) -> ipb.ListInstanceProfilesResponse:
        return self._instance_profiles_page(self.instance_profiles.list_for_role(
            self.caller(context), r.role_name, r.page.max_items, r.page.marker))

    async def TagInstanceProfile(self, r: ipb.TagInstanceProfileRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.instance_profiles.tag(self.caller(context), r.instance_profile_name,
                                                                 convert.tags_in(r.tags)))

    async def UntagInstanceProfile(self, r: ipb.UntagInstanceProfileRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.instance_profiles.untag(self.caller(context), r.instance_profile_name,
                                                                   list(r.tag_keys)))

    async def ListInstanceProfileTags(self, r: ipb.ListInstanceProfileTagsRequest,
                                      context: Ctx) -> ipb.ListEntityTagsResponse:
        return _tags_response(self.instance_profiles.tags(self.caller(context), r.instance_profile_name,
                                                          r.page.max_items, r.page.marker))

    # --- login profiles (the password is never answered) ---------------------------------------
    @staticmethod
    def _login_profile(v: dict) -> ipb.LoginProfile:
        return ipb.LoginProfile(user_name=v["user_name"], create_date=convert.timestamp(v["created_at"]),
                                password_reset_required=v["password_reset_required"])

    async def CreateLoginProfile(self, r: ipb.CreateLoginProfileRequest, context: Ctx) -> ipb.CreateLoginProfileResponse:
        view, position = await self.login_profiles.create(
            self.caller(context), self.caller.caller(), user_name=r.user_name, password=r.password,
            password_reset_required=r.password_reset_required)
        await self.commands.settle(position)
        return ipb.CreateLoginProfileResponse(login_profile=self._login_profile(view), position=position)

    async def GetLoginProfile(self, r: ipb.GetLoginProfileRequest, context: Ctx) -> ipb.GetLoginProfileResponse:
        return ipb.GetLoginProfileResponse(login_profile=self._login_profile(
            self.login_profiles.get(self.caller(context), self.caller.caller(), r.user_name)))

    async def UpdateLoginProfile(self, r: ipb.UpdateLoginProfileRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.login_profiles.update(
            self.caller(context), self.caller.caller(), user_name=r.user_name,
            password=r.password if r.HasField("password") else None,
            password_reset_required=r.password_reset_required if r.HasField("password_reset_required") else None))

    async def DeleteLoginProfile(self, r: ipb.DeleteLoginProfileRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.login_profiles.delete(self.caller(context), self.caller.caller(),
                                                                 user_name=r.user_name))

    async def ChangePassword(self, r: ipb.ChangePasswordRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.login_profiles.change_password(
            self.caller(context), self.caller.caller(), old_password=r.old_password, new_password=r.new_password))

    # --- SSH public keys of users ----------------------------------------------------------------
    @staticmethod
    def _ssh_public_key(v: dict) -> ipb.SSHPublicKey:
        return ipb.SSHPublicKey(user_name=v["user_name"], ssh_public_key_id=v["id"], fingerprint=v["fingerprint"],
                                ssh_public_key_body=v["body"], status=v["status"],
                                upload_date=convert.timestamp(v["uploaded_at"]))

    async def UploadSSHPublicKey(self, r: ipb.UploadSSHPublicKeyRequest,
                                 context: Ctx) -> ipb.UploadSSHPublicKeyResponse:
        view, position = await self.ssh_public_keys.upload(self.caller(context), user_name=r.user_name,
                                                           body=r.ssh_public_key_body)
        await self.commands.settle(position)
        return ipb.UploadSSHPublicKeyResponse(ssh_public_key=self._ssh_public_key(view), position=position)

    async def GetSSHPublicKey(self, r: ipb.GetSSHPublicKeyRequest, context: Ctx) -> ipb.GetSSHPublicKeyResponse:
        return ipb.GetSSHPublicKeyResponse(ssh_public_key=self._ssh_public_key(self.ssh_public_keys.get(
            self.caller(context), user_name=r.user_name, key_id=r.ssh_public_key_id, encoding=r.encoding)))

    async def ListSSHPublicKeys(self, r: ipb.ListSSHPublicKeysRequest,
                                context: Ctx) -> ipb.ListSSHPublicKeysResponse:
        page = self.ssh_public_keys.list(self.caller(context), self.caller.caller(), user_name=r.user_name,
                                         max_items=r.page.max_items, marker=r.page.marker)
        return ipb.ListSSHPublicKeysResponse(
            ssh_public_keys=[ipb.SSHPublicKeyMetadata(user_name=k["user_name"], ssh_public_key_id=k["id"],
                                                      status=k["status"], upload_date=convert.timestamp(k["uploaded_at"]))
                             for k in page.items], is_truncated=page.is_truncated, marker=page.marker)

    async def UpdateSSHPublicKey(self, r: ipb.UpdateSSHPublicKeyRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.ssh_public_keys.update(
            self.caller(context), user_name=r.user_name, key_id=r.ssh_public_key_id, status=r.status))

    async def DeleteSSHPublicKey(self, r: ipb.DeleteSSHPublicKeyRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.ssh_public_keys.delete(self.caller(context), user_name=r.user_name,
                                                                  key_id=r.ssh_public_key_id))

    # --- service-specific credentials of users (the password: in the create's and reset's answer only)
    @staticmethod
    def _service_specific_credential(v: dict) -> ipb.ServiceSpecificCredential:
        return ipb.ServiceSpecificCredential(
            user_name=v["user_name"], service_name=v["service_name"], service_user_name=v["service_user_name"],
            service_password=v["service_password"], service_specific_credential_id=v["id"], status=v["status"],
            create_date=convert.timestamp(v["created_at"]))

    async def CreateServiceSpecificCredential(self, r: ipb.CreateServiceSpecificCredentialRequest,
                                              context: Ctx) -> ipb.CreateServiceSpecificCredentialResponse:
        view, position = await self.service_specific_credentials.create(
            self.caller(context), user_name=r.user_name, service_name=r.service_name)
        await self.commands.settle(position)
        return ipb.CreateServiceSpecificCredentialResponse(
            service_specific_credential=self._service_specific_credential(view), position=position)

    async def ListServiceSpecificCredentials(self, r: ipb.ListServiceSpecificCredentialsRequest,
                                             context: Ctx) -> ipb.ListServiceSpecificCredentialsResponse:
        page = self.service_specific_credentials.list(
            self.caller(context), self.caller.caller(), user_name=r.user_name, service_name=r.service_name,
            max_items=r.page.max_items, marker=r.page.marker)
        return ipb.ListServiceSpecificCredentialsResponse(
            service_specific_credentials=[ipb.ServiceSpecificCredentialMetadata(
                user_name=c["user_name"], status=c["status"], service_user_name=c["service_user_name"],
                create_date=convert.timestamp(c["created_at"]), service_specific_credential_id=c["id"],
                service_name=c["service_name"]) for c in page.items],
            is_truncated=page.is_truncated, marker=page.marker)

    async def ResetServiceSpecificCredential(self, r: ipb.ResetServiceSpecificCredentialRequest,
                                             context: Ctx) -> ipb.ResetServiceSpecificCredentialResponse:
        view, position = await self.service_specific_credentials.reset(
            self.caller(context), self.caller.caller(), user_name=r.user_name,
            credential_id=r.service_specific_credential_id)
        await self.commands.settle(position)
        return ipb.ResetServiceSpecificCredentialResponse(
            service_specific_credential=self._service_specific_credential(view), position=position)

    async def UpdateServiceSpecificCredential(self, r: ipb.UpdateServiceSpecificCredentialRequest,
                                              context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.service_specific_credentials.update(
            self.caller(context), self.caller.caller(), user_name=r.user_name,
            credential_id=r.service_specific_credential_id, status=r.status))

    async def DeleteServiceSpecificCredential(self, r: ipb.DeleteServiceSpecificCredentialRequest,
                                              context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.service_specific_credentials.delete(
            self.caller(context), self.caller.caller(), user_name=r.user_name,
            credential_id=r.service_specific_credential_id))

    # --- signing certificates of users ---------------------------------------------------------
    @staticmethod
    def _signing_certificate(v: dict) -> ipb.SigningCertificate:
        return ipb.SigningCertificate(user_name=v["user_name"], certificate_id=v["id"], certificate_body=v["body"],
                                      status=v["status"], upload_date=convert.timestamp(v["uploaded_at"]))

    async def UploadSigningCertificate(self, r: ipb.UploadSigningCertificateRequest,
                                       context: Ctx) -> ipb.UploadSigningCertificateResponse:
        view, position = await self.signing_certificates.upload(self.caller(context), self.caller.caller(),
                                                                user_name=r.user_name, body=r.certificate_body)
        await self.commands.settle(position)
        return ipb.UploadSigningCertificateResponse(certificate=self._signing_certificate(view), position=position)

    async def ListSigningCertificates(self, r: ipb.ListSigningCertificatesRequest,
                                      context: Ctx) -> ipb.ListSigningCertificatesResponse:
        page = self.signing_certificates.list(self.caller(context), self.caller.caller(), user_name=r.user_name,
                                              max_items=r.page.max_items, marker=r.page.marker)
        return ipb.ListSigningCertificatesResponse(certificates=[self._signing_certificate(c) for c in page.items],
                                                   is_truncated=page.is_truncated, marker=page.marker)

    async def UpdateSigningCertificate(self, r: ipb.UpdateSigningCertificateRequest,
                                       context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.signing_certificates.update(
            self.caller(context), self.caller.caller(), user_name=r.user_name, cert_id=r.certificate_id,
            status=r.status))

    async def DeleteSigningCertificate(self, r: ipb.DeleteSigningCertificateRequest,
                                       context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.signing_certificates.delete(
            self.caller(context), self.caller.caller(), user_name=r.user_name, cert_id=r.certificate_id))

    # --- server certificates (the private key is never answered) --------------------------------
    @staticmethod
    def _server_certificate_metadata(v: dict) -> ipb.ServerCertificateMetadata:
        return ipb.ServerCertificateMetadata(
            path=v["path"], server_certificate_name=v["name"], server_certificate_id=v["id"], arn=v["arn"],
            upload_date=convert.timestamp(v["uploaded_at"]), expiration=convert.timestamp(v["expiration"]))

    async def UploadServerCertificate(self, r: ipb.UploadServerCertificateRequest,
                                      context: Ctx) -> ipb.UploadServerCertificateResponse:
        view, position = await self.server_certificates.upload(
            self.caller(context), name=r.server_certificate_name, path=r.path, body=r.certificate_body,
            private_key=r.private_key, chain=r.certificate_chain, tags=convert.tags_in(r.tags))
        await self.commands.settle(position)
        return ipb.UploadServerCertificateResponse(server_certificate_metadata=self._server_certificate_metadata(view),
                                                   tags=convert.tags_out(view["tags"]), position=position)

    async def GetServerCertificate(self, r: ipb.GetServerCertificateRequest,
                                   context: Ctx) -> ipb.GetServerCertificateResponse:
        v = self.server_certificates.get(self.caller(context), r.server_certificate_name)
        return ipb.GetServerCertificateResponse(server_certificate=ipb.ServerCertificate(
            server_certificate_metadata=self._server_certificate_metadata(v), certificate_body=v["certificate_body"],
            certificate_chain=v["certificate_chain"], tags=convert.tags_out(v["tags"])))

    async def ListServerCertificates(self, r: ipb.ListServerCertificatesRequest,
                                     context: Ctx) -> ipb.ListServerCertificatesResponse:
        page = self.server_certificates.list(self.caller(context), r.path_prefix, r.page.max_items, r.page.marker)
        return ipb.ListServerCertificatesResponse(
            server_certificate_metadata_list=[self._server_certificate_metadata(v) for v in page.items],
            is_truncated=page.is_truncated, marker=page.marker)

    async def UpdateServerCertificate(self, r: ipb.UpdateServerCertificateRequest,
                                      context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.server_certificates.update(
            self.caller(context), r.server_certificate_name, new_path=r.new_path,
            new_name=r.new_server_certificate_name))

    async def DeleteServerCertificate(self, r: ipb.DeleteServerCertificateRequest,
                                      context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.server_certificates.delete(self.caller(context),
                                                                      r.server_certificate_name))

    async def TagServerCertificate(self, r: ipb.TagServerCertificateRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.server_certificates.tag(self.caller(context), r.server_certificate_name,
                                                                   convert.tags_in(r.tags)))

    async def UntagServerCertificate(self, r: ipb.UntagServerCertificateRequest,
                                     context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.server_certificates.untag(self.caller(context), r.server_certificate_name,
                                                                     list(r.tag_keys)))

    async def ListServerCertificateTags(self, r: ipb.ListServerCertificateTagsRequest,
                                        context: Ctx) -> ipb.ListEntityTagsResponse:
        return _tags_response(self.server_certificates.tags(self.caller(context), r.server_certificate_name,
                                                            r.page.max_items, r.page.marker))

    # --- service-linked roles -------------------------------------------------------------------
    async def CreateServiceLinkedRole(self, r: ipb.CreateServiceLinkedRoleRequest,
                                      context: Ctx) -> ipb.CreateRoleResponse:
        view, position = await self.service_linked_roles.create(
            self.caller(context), aws_service_name=r.aws_service_name, description=r.description,
            custom_suffix=r.custom_suffix)
        await self.commands.settle(position)
        return ipb.CreateRoleResponse(role=convert.role(view), position=position)

    async def DeleteServiceLinkedRole(self, r: ipb.DeleteServiceLinkedRoleRequest,
                                      context: Ctx) -> ipb.DeleteServiceLinkedRoleResponse:
        task, position = await self.service_linked_roles.delete(self.caller(context), role_name=r.role_name)
        await self.commands.settle(position)
        return ipb.DeleteServiceLinkedRoleResponse(deletion_task_id=task, position=position)

    async def GetServiceLinkedRoleDeletionStatus(self, r: ipb.GetServiceLinkedRoleDeletionStatusRequest,
                                                 context: Ctx) -> ipb.GetServiceLinkedRoleDeletionStatusResponse:
        task = self.service_linked_roles.deletion_status(self.caller(context), r.deletion_task_id)
        response = ipb.GetServiceLinkedRoleDeletionStatusResponse(status=task["status"])
        if task["status"] == "FAILED":
            response.reason.CopyFrom(ipb.DeletionTaskFailureReason(reason=task["reason"], role_usage_list=[
                ipb.RoleUsage(region=u["region"], resources=u["resources"]) for u in task["role_usage"]]))
        return response

    # --- account-wide reports -------------------------------------------------------------------
    async def SetSecurityTokenServicePreferences(self, r: ipb.SetSecurityTokenServicePreferencesRequest,
                                                 context: Ctx) -> ipb.SetSecurityTokenServicePreferencesResponse:
        position = await self.sts_preferences.set(self.caller(context), r.global_endpoint_token_version)
        await self.commands.settle(position)
        return ipb.SetSecurityTokenServicePreferencesResponse(position=position)

    # --- outbound identity federation -----------------------------------------------------------------
    async def EnableOutboundWebIdentityFederation(self, r: ipb.EnableOutboundWebIdentityFederationRequest,
                                                  context: Ctx) -> ipb.EnableOutboundWebIdentityFederationResponse:
        issuer, position = await self.outbound.enable(self.caller(context))
        await self.commands.settle(position)
        return ipb.EnableOutboundWebIdentityFederationResponse(issuer_identifier=issuer, position=position)

    async def DisableOutboundWebIdentityFederation(self, r: ipb.DisableOutboundWebIdentityFederationRequest,
                                                   context: Ctx) -> ipb.DisableOutboundWebIdentityFederationResponse:
        position = await self.outbound.disable(self.caller(context))
        await self.commands.settle(position)
        return ipb.DisableOutboundWebIdentityFederationResponse(position=position)

    async def GetOutboundWebIdentityFederationInfo(self, r: ipb.GetOutboundWebIdentityFederationInfoRequest,
                                                   context: Ctx) -> ipb.GetOutboundWebIdentityFederationInfoResponse:
        issuer, enabled = self.outbound.info(self.caller.caller())
        return ipb.GetOutboundWebIdentityFederationInfoResponse(issuer_identifier=issuer, jwt_vending_enabled=enabled)

    async def GetAccountSummary(self, r: ipb.GetAccountSummaryRequest, context: Ctx) -> ipb.GetAccountSummaryResponse:
        return ipb.GetAccountSummaryResponse(summary_map=self.reports.summary(self.caller(context)))

    async def GenerateCredentialReport(self, r: ipb.GenerateCredentialReportRequest,
                                       context: Ctx) -> ipb.GenerateCredentialReportResponse:
        state, description = self.reports.generate(self.caller(context))
        return ipb.GenerateCredentialReportResponse(state=state, description=description)

    async def GetCredentialReport(self, r: ipb.GetCredentialReportRequest,
                                  context: Ctx) -> ipb.GetCredentialReportResponse:
        content, generated_at = self.reports.get(self.caller(context))
        response = ipb.GetCredentialReportResponse(content=content, report_format=reports.REPORT_FORMAT)
        response.generated_time.FromDatetime(generated_at)
        return response

    # --- access advisor --------------------------------------------------------------------------
    def _advisor(self) -> AccessAdvisor:
        if self.access_advisor is None:  # a servicer built without the audit trail (some unit tests)
            raise ServiceUnavailableError("the access advisor is not configured")
        return self.access_advisor

    async def GenerateServiceLastAccessedDetails(self, r: ipb.GenerateServiceLastAccessedDetailsRequest,
                                                 context: Ctx) -> ipb.GenerateServiceLastAccessedDetailsResponse:
        job_id = self._advisor().generate(self.caller(context), self.caller.caller(), r.arn, r.granularity)
        return ipb.GenerateServiceLastAccessedDetailsResponse(job_id=job_id)

    async def ListPoliciesGrantingServiceAccess(self, r: ipb.ListPoliciesGrantingServiceAccessRequest,
                                                context: Ctx) -> ipb.ListPoliciesGrantingServiceAccessResponse:
        page, _ = self._advisor().policies_granting(self.caller(context), r.arn, list(r.service_namespaces), r.marker)
        return ipb.ListPoliciesGrantingServiceAccessResponse(
            policies_granting_service_access=[ipb.ListPoliciesGrantingServiceAccessEntry(
                service_namespace=namespace, policies=[ipb.PolicyGrantingServiceAccess(
                    policy_name=p.name, policy_type=p.type, policy_arn=p.arn, entity_type=p.entity_type,
                    entity_name=p.entity_name) for p in policies]) for _, namespace, policies in page.items],
            is_truncated=page.is_truncated, marker=page.marker)

    @staticmethod
    def _job_fields(job: Job, response: Any) -> None:
        response.job_status = job.status
        response.job_creation_date.FromDatetime(job.created_at)
        if job.completed_at is not None:
            response.job_completion_date.FromDatetime(job.completed_at)
        if job.error is not None:
            response.error.code, response.error.message = job.error

    async def GetServiceLastAccessedDetails(self, r: ipb.GetServiceLastAccessedDetailsRequest,
                                            context: Ctx) -> ipb.GetServiceLastAccessedDetailsResponse:
        advisor_ = self._advisor()
        job = advisor_.job(self.caller(context), self.caller.caller(), r.job_id)
        response = ipb.GetServiceLastAccessedDetailsResponse(job_type=job.granularity)
        self._job_fields(job, response)
        if job.status != advisor.COMPLETED:
            return response
        page, actions = advisor_.services_page(job, r.page.max_items, r.page.marker)
        for row in page.items:
            item = response.services_last_accessed.add(service_name=row.name, service_namespace=row.namespace,
                                                       total_authenticated_entities=row.usage.entities)
            if row.usage.time:
                item.last_authenticated.CopyFrom(convert.timestamp(row.usage.time))
                item.last_authenticated_entity = row.usage.entity_arn
                item.last_authenticated_region = row.usage.region
            for action, usage in actions.get(row.namespace, ()):
                tracked = item.tracked_actions_last_accessed.add(action_name=action)
                if usage.time:
                    tracked.last_accessed_time.CopyFrom(convert.timestamp(usage.time))
                    tracked.last_accessed_entity = usage.entity_arn
                    tracked.last_accessed_region = usage.region
        response.is_truncated, response.marker = page.is_truncated, page.marker
        return response

    async def GetServiceLastAccessedDetailsWithEntities(
            self, r: ipb.GetServiceLastAccessedDetailsWithEntitiesRequest,
            context: Ctx) -> ipb.GetServiceLastAccessedDetailsWithEntitiesResponse:
        advisor_ = self._advisor()
        job = advisor_.job(self.caller(context), self.caller.caller(), r.job_id)
        advisor.check_namespace(r.service_namespace)
        response = ipb.GetServiceLastAccessedDetailsWithEntitiesResponse()
        self._job_fields(job, response)
        if job.status != advisor.COMPLETED:
            return response
        page = advisor_.entities_page(job, r.service_namespace, r.page.max_items, r.page.marker)
        for _key, entity, time in page.items:
            item = response.entity_details_list.add(entity_info=ipb.EntityInfo(
                arn=entity.arn, name=entity.name, type=entity.kind, id=entity.id, path=entity.path))
            if time:
                item.last_authenticated.CopyFrom(convert.timestamp(time))
        response.is_truncated, response.marker = page.is_truncated, page.marker
        return response

    async def GenerateOrganizationsAccessReport(self, r: ipb.GenerateOrganizationsAccessReportRequest,
                                                context: Ctx) -> ipb.GenerateOrganizationsAccessReportResponse:
        job_id = self._advisor().generate_organizations(self.caller(context), self.caller.caller(), r.entity_path,
                                                        r.organizations_policy_id)
        return ipb.GenerateOrganizationsAccessReportResponse(job_id=job_id)

    async def GetOrganizationsAccessReport(self, r: ipb.GetOrganizationsAccessReportRequest,
                                           context: Ctx) -> ipb.GetOrganizationsAccessReportResponse:
        advisor_ = self._advisor()
        job = advisor_.job(self.caller(context), self.caller.caller(), r.job_id, kind="organizations")
        response = ipb.GetOrganizationsAccessReportResponse(job_status=job.status)
        response.job_creation_date.FromDatetime(job.created_at)
        if job.completed_at is not None:
            response.job_completion_date.FromDatetime(job.completed_at)
        if job.error is not None:
            response.error_details.code, response.error_details.message = job.error
        if job.status != advisor.COMPLETED:
            return response
        details = job.details or []
        response.number_of_services_accessible = len(details)
        response.number_of_services_not_accessed = sum(1 for d in details if not d.time)
        page = advisor_.details_page(job, r.sort_key, r.page.max_items, r.page.marker)
        for _key, row in page.items:
            item = response.access_details.add(service_name=row.name, service_namespace=row.namespace,
                                               total_authenticated_entities=row.accounts)
            if row.time:
                item.last_authenticated_time.CopyFrom(convert.timestamp(row.time))
                item.region, item.entity_path = row.region, row.entity_path
        response.is_truncated, response.marker = page.is_truncated, page.marker
        return response

    # --- AWS's older forms ----------------------------------------------------------------------
    async def UpdateRoleDescription(self, r: ipb.UpdateRoleDescriptionRequest,
                                    context: Ctx) -> ipb.UpdateRoleDescriptionResponse:
        ctx = self.caller(context)
        position = await self.commands.update_role(ctx, role_name=r.role_name, description=r.description,
                                                   max_session_duration=0)
        await self.commands.settle(position)
        return ipb.UpdateRoleDescriptionResponse(
            role=convert.role(self.queries.entity(ctx.account_id, ROLE, r.role_name)), position=position)

    async def GetMFADevice(self, r: ipb.GetMFADeviceRequest, context: Ctx) -> ipb.GetMFADeviceResponse:
        device = self.mfa.mfa_device(self.caller(context), self.caller.caller(), r.serial_number, r.user_name)
        return ipb.GetMFADeviceResponse(user_name=device["user_name"], serial_number=device["serial_number"],
                                        enable_date=convert.timestamp(device["enabled_at"]))

    async def ResyncMFADevice(self, r: ipb.ResyncMFADeviceRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.mfa.resync_mfa_device(
            self.caller(context), user_name=r.user_name, serial_number=r.serial_number,
            code1=r.authentication_code1, code2=r.authentication_code2))

    # --- centralized root access for member accounts ----------------------------------------------
    async def _root_feature(self, context: Ctx, feature: str, enabling: bool, response: Any) -> Any:
        caller = self.caller.caller()
        change = self.root_access.enable if enabling else self.root_access.disable
        features = await change(self.caller(context), caller, feature)
        await self.commands.settle(features.position)
        return response(organization_id=features.organization_id, enabled_features=features.enabled_features,
                        position=features.position)

    async def EnableOrganizationsRootCredentialsManagement(
            self, r: ipb.EnableOrganizationsRootCredentialsManagementRequest,
            context: Ctx) -> ipb.EnableOrganizationsRootCredentialsManagementResponse:
        return await self._root_feature(context, root_access.ROOT_CREDENTIALS_MANAGEMENT, True,
                                        ipb.EnableOrganizationsRootCredentialsManagementResponse)

    async def DisableOrganizationsRootCredentialsManagement(
            self, r: ipb.DisableOrganizationsRootCredentialsManagementRequest,
            context: Ctx) -> ipb.DisableOrganizationsRootCredentialsManagementResponse:
        return await self._root_feature(context, root_access.ROOT_CREDENTIALS_MANAGEMENT, False,
                                        ipb.DisableOrganizationsRootCredentialsManagementResponse)

    async def EnableOrganizationsRootSessions(self, r: ipb.EnableOrganizationsRootSessionsRequest,
                                              context: Ctx) -> ipb.EnableOrganizationsRootSessionsResponse:
        return await self._root_feature(context, root_access.ROOT_SESSIONS, True,
                                        ipb.EnableOrganizationsRootSessionsResponse)

    async def DisableOrganizationsRootSessions(self, r: ipb.DisableOrganizationsRootSessionsRequest,
                                               context: Ctx) -> ipb.DisableOrganizationsRootSessionsResponse:
        return await self._root_feature(context, root_access.ROOT_SESSIONS, False,
                                        ipb.DisableOrganizationsRootSessionsResponse)

    async def ListOrganizationsFeatures(self, r: ipb.ListOrganizationsFeaturesRequest,
                                        context: Ctx) -> ipb.ListOrganizationsFeaturesResponse:
        features = self.root_access.list_features(self.caller.caller())
        return ipb.ListOrganizationsFeaturesResponse(organization_id=features.organization_id,
                                                     enabled_features=features.enabled_features)

    async def _done(self, position: int) -> ipb.CommandResponse:
        await self.commands.settle(position)
        return ipb.CommandResponse(position=position)

    # --- users ----------------------------------------------------------------------------------
    async def CreateUser(self, r: ipb.CreateUserRequest, context: Ctx) -> ipb.CreateUserResponse:
        view, position = await self.commands.create_user(
            self.caller(context), user_name=r.user_name, path=r.path,
            permissions_boundary=r.permissions_boundary, tags=convert.tags_in(r.tags))
        await self.commands.settle(position)
        return ipb.CreateUserResponse(user=convert.user(view), position=position)

    async def GetUser(self, r: ipb.GetUserRequest, context: Ctx) -> ipb.GetUserResponse:
        ctx = self.caller(context)
        if r.user_name:
            return ipb.GetUserResponse(user=convert.user(self.queries.entity(ctx.account_id, USER, r.user_name)))
        # No name: the calling user, as AWS answers (root included; other principals must name one).
        caller = self.caller.caller()
        if caller.kind == "user":
            return ipb.GetUserResponse(user=convert.user(self.queries.entity(ctx.account_id, USER, caller.name)))
        if caller.is_root:
            return ipb.GetUserResponse(user=convert.root_user(self.queries.account_created(ctx.account_id),
                                                              ctx.account_id))
        raise ValidationError("Must specify userName when calling with non-User credentials",
                              problems=[FieldProblem("userName", "required for this caller")])

    async def ListUsers(self, r: ipb.ListUsersRequest, context: Ctx) -> ipb.ListUsersResponse:
        page = self.queries.list_entities(self.caller(context).account_id, USER, r.path_prefix, r.page.max_items, r.page.marker)
        return ipb.ListUsersResponse(users=[convert.user(v) for v in page.items],
                                     is_truncated=page.is_truncated, marker=page.marker)

    async def UpdateUser(self, r: ipb.UpdateUserRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.commands.update_user(self.caller(context), user_name=r.user_name,
                                                     new_user_name=r.new_user_name, new_path=r.new_path))

    async def DeleteUser(self, r: ipb.DeleteUserRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.commands.delete_user(self.caller(context), user_name=r.user_name))

    # --- groups ---------------------------------------------------------------------------------
    async def CreateGroup(self, r: ipb.CreateGroupRequest, context: Ctx) -> ipb.CreateGroupResponse:
        view, position = await self.commands.create_group(self.caller(context), group_name=r.group_name, path=r.path)
        await self.commands.settle(position)
        return ipb.CreateGroupResponse(group=convert.group(view), position=position)

    async def GetGroup(self, r: ipb.GetGroupRequest, context: Ctx) -> ipb.GetGroupResponse:
        group, page = self.queries.group_members(self.caller(context).account_id, r.group_name, r.page.max_items, r.page.marker)
        return ipb.GetGroupResponse(group=convert.group(group), users=[convert.user(u) for u in page.items],
                                    is_truncated=page.is_truncated, marker=page.marker)

    async def ListGroups(self, r: ipb.ListGroupsRequest, context: Ctx) -> ipb.ListGroupsResponse:
        page = self.queries.list_entities(self.caller(context).account_id, GROUP, r.path_prefix, r.page.max_items, r.page.marker)
        return ipb.ListGroupsResponse(groups=[convert.group(v) for v in page.items],
                                      is_truncated=page.is_truncated, marker=page.marker)

    async def UpdateGroup(self, r: ipb.UpdateGroupRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.commands.update_group(self.caller(context), group_name=r.group_name,
                                                      new_group_name=r.new_group_name, new_path=r.new_path))

    async def DeleteGroup(self, r: ipb.DeleteGroupRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.commands.delete_group(self.caller(context), group_name=r.group_name))

    async def AddUserToGroup(self, r: ipb.AddUserToGroupRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.commands.add_user_to_group(self.caller(context), group_name=r.group_name,
                                                           user_name=r.user_name))

    async def RemoveUserFromGroup(self, r: ipb.RemoveUserFromGroupRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.commands.remove_user_from_group(self.caller(context), group_name=r.group_name,
                                                                user_name=r.user_name))

    async def ListGroupsForUser(self, r: ipb.ListGroupsForUserRequest, context: Ctx) -> ipb.ListGroupsResponse:
        page = self.queries.groups_for_user(self.caller(context).account_id, r.user_name, r.page.max_items, r.page.marker)
        return ipb.ListGroupsResponse(groups=[convert.group(v) for v in page.items],
                                      is_truncated=page.is_truncated, marker=page.marker)

    # --- roles ----------------------------------------------------------------------------------
    async def CreateRole(self, r: ipb.CreateRoleRequest, context: Ctx) -> ipb.CreateRoleResponse:
        view, position = await self.commands.create_role(
            self.caller(context), role_name=r.role_name, path=r.path,
            assume_role_policy_document=r.assume_role_policy_document, description=r.description,
            max_session_duration=r.max_session_duration, permissions_boundary=r.permissions_boundary,
            tags=convert.tags_in(r.tags))
        await self.commands.settle(position)
        return ipb.CreateRoleResponse(role=convert.role(view), position=position)

    async def GetRole(self, r: ipb.GetRoleRequest, context: Ctx) -> ipb.GetRoleResponse:
        return ipb.GetRoleResponse(role=convert.role(self.queries.entity(self.caller(context).account_id, ROLE, r.role_name)))

    async def ListRoles(self, r: ipb.ListRolesRequest, context: Ctx) -> ipb.ListRolesResponse:
        page = self.queries.list_entities(self.caller(context).account_id, ROLE, r.path_prefix, r.page.max_items, r.page.marker)
        return ipb.ListRolesResponse(roles=[convert.role(v) for v in page.items],
                                     is_truncated=page.is_truncated, marker=page.marker)

    async def UpdateRole(self, r: ipb.UpdateRoleRequest, context: Ctx) -> ipb.CommandResponse:
        description = r.description if r.HasField("description") else None
        return await self._done(await self.commands.update_role(self.caller(context), role_name=r.role_name,
                                                     description=description,
                                                     max_session_duration=r.max_session_duration))

    async def UpdateAssumeRolePolicy(self, r: ipb.UpdateAssumeRolePolicyRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.commands.update_assume_role_policy(self.caller(context), role_name=r.role_name,
                                                                   policy_document=r.policy_document))

    async def RevokeRoleSessions(self, r: ipb.RevokeRoleSessionsRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.commands.revoke_role_sessions(self.caller(context), role_name=r.role_name))

    async def DeleteRole(self, r: ipb.DeleteRoleRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.commands.delete_role(self.caller(context), role_name=r.role_name))

    # --- managed policies -----------------------------------------------------------------------
    async def CreatePolicy(self, r: ipb.CreatePolicyRequest, context: Ctx) -> ipb.CreatePolicyResponse:
        view, position = await self.commands.create_policy(
            self.caller(context), policy_name=r.policy_name, policy_document=r.policy_document,
            path=r.path, description=r.description, tags=convert.tags_in(r.tags))
        await self.commands.settle(position)
        return ipb.CreatePolicyResponse(policy=convert.policy(view), position=position)

    async def GetPolicy(self, r: ipb.GetPolicyRequest, context: Ctx) -> ipb.GetPolicyResponse:
        return ipb.GetPolicyResponse(policy=convert.policy(self.queries.policy(self.caller(context).account_id, r.policy_arn)))

    async def ListPolicies(self, r: ipb.ListPoliciesRequest, context: Ctx) -> ipb.ListPoliciesResponse:
        if r.scope not in _SCOPE:
            raise ValidationError("1 validation error detected: Value at 'scope' failed to satisfy constraint: "
                                  "Member must satisfy enum value set: [All, AWS, Local]",
                                  problems=[FieldProblem("scope", "All, AWS or Local")])
        page = self.queries.list_policies(self.caller(context).account_id, _SCOPE[r.scope], r.only_attached,
                                          r.path_prefix, r.page.max_items, r.page.marker)
        return ipb.ListPoliciesResponse(policies=[convert.policy(v) for v in page.items],
                                        is_truncated=page.is_truncated, marker=page.marker)

    async def DeletePolicy(self, r: ipb.DeletePolicyRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.commands.delete_policy(self.caller(context), policy_arn=r.policy_arn))

    async def CreatePolicyVersion(self, r: ipb.CreatePolicyVersionRequest, context: Ctx) -> ipb.CreatePolicyVersionResponse:
        v, position = await self.commands.create_policy_version(
            self.caller(context), policy_arn=r.policy_arn, policy_document=r.policy_document,
            set_as_default=r.set_as_default)
        version = pb.PolicyVersion(document=v["document"], version_id=v["version_id"],
                                   is_default_version=v["is_default"], create_date=convert.timestamp(v["created_at"]))
        await self.commands.settle(position)
        return ipb.CreatePolicyVersionResponse(policy_version=version, position=position)

    async def GetPolicyVersion(self, r: ipb.GetPolicyVersionRequest, context: Ctx) -> ipb.GetPolicyVersionResponse:
        policy, version_id, version = self.queries.policy_version(self.caller(context).account_id, r.policy_arn, r.version_id)
        return ipb.GetPolicyVersionResponse(
            policy_version=convert.policy_version(version_id, version, policy["default_version_id"]))

    async def ListPolicyVersions(self, r: ipb.ListPolicyVersionsRequest, context: Ctx) -> ipb.ListPolicyVersionsResponse:
        policy, page = self.queries.policy_versions(self.caller(context).account_id, r.policy_arn, r.page.max_items, r.page.marker)
        return ipb.ListPolicyVersionsResponse(
            versions=[convert.policy_version(vid, v, policy["default_version_id"]) for vid, v in page.items],
            is_truncated=page.is_truncated, marker=page.marker)

    async def SetDefaultPolicyVersion(self, r: ipb.SetDefaultPolicyVersionRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.commands.set_default_policy_version(self.caller(context), policy_arn=r.policy_arn,
                                                                    version_id=r.version_id))

    async def DeletePolicyVersion(self, r: ipb.DeletePolicyVersionRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.commands.delete_policy_version(self.caller(context), policy_arn=r.policy_arn,
                                                               version_id=r.version_id))

    async def ListEntitiesForPolicy(self, r: ipb.ListEntitiesForPolicyRequest, context: Ctx) -> ipb.ListEntitiesForPolicyResponse:
        kind = convert.KIND_BY_ENUM.get(r.entity_filter, "")
        found = self.queries.entities_for_policy(self.caller(context).account_id, r.policy_arn, kind)
        return ipb.ListEntitiesForPolicyResponse(
            policy_users=[ipb.PolicyEntity(name=v["name"], id=v["id"]) for v in found[USER]],
            policy_groups=[ipb.PolicyEntity(name=v["name"], id=v["id"]) for v in found[GROUP]],
            policy_roles=[ipb.PolicyEntity(name=v["name"], id=v["id"]) for v in found[ROLE]])

    # --- attachments, inline policies, boundaries, tags -----------------------------------------
    async def AttachPolicy(self, r: ipb.AttachPolicyRequest, context: Ctx) -> ipb.CommandResponse:
        kind, name = convert.entity_ref(r.target)
        return await self._done(await self.commands.attach_policy(self.caller(context), kind=kind, name=name,
                                                       policy_arn=r.policy_arn))

    async def DetachPolicy(self, r: ipb.DetachPolicyRequest, context: Ctx) -> ipb.CommandResponse:
        kind, name = convert.entity_ref(r.target)
        return await self._done(await self.commands.detach_policy(self.caller(context), kind=kind, name=name,
                                                       policy_arn=r.policy_arn))

    async def ListAttachedPolicies(self, r: ipb.ListAttachedPoliciesRequest, context: Ctx) -> ipb.ListAttachedPoliciesResponse:
        kind, name = _inline_target(r.target)  # the same kinds
        page = self.queries.attached_policies(self.caller(context).account_id, kind, name, r.path_prefix,
                                              r.page.max_items, r.page.marker)
        return ipb.ListAttachedPoliciesResponse(attached_policies=convert.attached(page.items),
                                                is_truncated=page.is_truncated, marker=page.marker)

    async def PutInlinePolicy(self, r: ipb.PutInlinePolicyRequest, context: Ctx) -> ipb.CommandResponse:
        kind, name = _inline_target(r.target)
        return await self._done(await self.commands.put_inline_policy(self.caller(context), kind=kind, name=name,
                                                           policy_name=r.policy_name,
                                                           policy_document=r.policy_document))

    async def GetInlinePolicy(self, r: ipb.GetInlinePolicyRequest, context: Ctx) -> ipb.GetInlinePolicyResponse:
        kind, name = _inline_target(r.target)
        document = self.queries.inline_policy(self.caller(context).account_id, kind, name, r.policy_name)
        return ipb.GetInlinePolicyResponse(policy=pb.InlinePolicy(policy_name=r.policy_name, policy_document=document))

    async def DeleteInlinePolicy(self, r: ipb.DeleteInlinePolicyRequest, context: Ctx) -> ipb.CommandResponse:
        kind, name = _inline_target(r.target)
        return await self._done(await self.commands.delete_inline_policy(self.caller(context), kind=kind, name=name,
                                                              policy_name=r.policy_name))

    async def ListInlinePolicies(self, r: ipb.ListInlinePoliciesRequest, context: Ctx) -> ipb.ListInlinePoliciesResponse:
        kind, name = _inline_target(r.target)
        page = self.queries.inline_policy_names(self.caller(context).account_id, kind, name, r.page.max_items, r.page.marker)
        return ipb.ListInlinePoliciesResponse(policy_names=page.items, is_truncated=page.is_truncated,
                                              marker=page.marker)

    async def PutPermissionsBoundary(self, r: ipb.PutPermissionsBoundaryRequest, context: Ctx) -> ipb.CommandResponse:
        kind, name = convert.entity_ref(r.target)
        return await self._done(await self.commands.put_permissions_boundary(
            self.caller(context), kind=kind, name=name, permissions_boundary=r.permissions_boundary))

    async def DeletePermissionsBoundary(self, r: ipb.DeletePermissionsBoundaryRequest, context: Ctx) -> ipb.CommandResponse:
        kind, name = convert.entity_ref(r.target)
        return await self._done(await self.commands.delete_permissions_boundary(self.caller(context), kind=kind, name=name))

    async def TagEntity(self, r: ipb.TagEntityRequest, context: Ctx) -> ipb.CommandResponse:
        kind, name = convert.entity_ref(r.target)
        return await self._done(await self.commands.tag(self.caller(context), kind=kind, name=name, tags=convert.tags_in(r.tags)))

    async def UntagEntity(self, r: ipb.UntagEntityRequest, context: Ctx) -> ipb.CommandResponse:
        kind, name = convert.entity_ref(r.target)
        tag_keys = names.check_tag_keys("tagKeys", r.tag_keys)  # AWS's pattern, before any look-up
        return await self._done(await self.commands.untag(self.caller(context), kind=kind, name=name, tag_keys=tag_keys))

    async def ListEntityTags(self, r: ipb.ListEntityTagsRequest, context: Ctx) -> ipb.ListEntityTagsResponse:
        kind, name = convert.entity_ref(r.target)
        return _tags_response(self.queries.tags(self.caller(context).account_id, kind, name, r.page.max_items,
                                                r.page.marker))

    # --- access keys ----------------------------------------------------------------------------
    async def CreateAccessKey(self, r: ipb.CreateAccessKeyRequest, context: Ctx) -> ipb.CreateAccessKeyResponse:
        key, position = await self.credentials.create_access_key(self.caller(context), self.caller.caller(),
                                                                 r.user_name)
        await self.commands.settle(position)
        return ipb.CreateAccessKeyResponse(access_key=ipb.AccessKey(
            user_name=key.user_name, access_key_id=key.access_key_id, status=key.status,
            secret_access_key=key.secret_access_key, create_date=convert.timestamp(key.created_at)),
            position=position)

    async def ListAccessKeys(self, r: ipb.ListAccessKeysRequest, context: Ctx) -> ipb.ListAccessKeysResponse:
        keys = self.credentials.list_access_keys(self.caller(context), self.caller.caller(), r.user_name)
        page = paginate(keys, lambda k: k["access_key_id"], r.page.max_items, r.page.marker)
        return ipb.ListAccessKeysResponse(access_key_metadata=[
            ipb.AccessKey(user_name=k["user_name"], access_key_id=k["access_key_id"], status=k["status"],
                          create_date=convert.timestamp(k["created_at"])) for k in page.items],
            is_truncated=page.is_truncated, marker=page.marker)

    async def UpdateAccessKey(self, r: ipb.UpdateAccessKeyRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.credentials.update_access_key(
            self.caller(context), self.caller.caller(), access_key_id=r.access_key_id, status=r.status,
            user_name=r.user_name))

    async def DeleteAccessKey(self, r: ipb.DeleteAccessKeyRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.credentials.delete_access_key(
            self.caller(context), self.caller.caller(), access_key_id=r.access_key_id, user_name=r.user_name))

    async def GetAccessKeyLastUsed(self, r: ipb.GetAccessKeyLastUsedRequest, context: Ctx) -> ipb.GetAccessKeyLastUsedResponse:
        user_name, last = self.credentials.access_key_last_used(self.caller(context), r.access_key_id)
        used = ipb.AccessKeyLastUsed(service_name="N/A", region="N/A")
        if last:
            used = ipb.AccessKeyLastUsed(last_used_date=convert.timestamp(last["used_at"]),
                                         service_name=last["service_name"], region=last["region"])
        return ipb.GetAccessKeyLastUsedResponse(user_name=user_name, access_key_last_used=used)

    # --- virtual MFA devices ----------------------------------------------------------------------
    async def CreateVirtualMFADevice(self, r: ipb.CreateVirtualMFADeviceRequest,
                                     context: Ctx) -> ipb.CreateVirtualMFADeviceResponse:
        device, position = await self.mfa.create_virtual_mfa_device(self.caller(context),
                                                                    name=r.virtual_mfa_device_name, path=r.path,
                                                                    tags=convert.tags_in(r.tags))
        await self.commands.settle(position)
        return ipb.CreateVirtualMFADeviceResponse(virtual_mfa_device=ipb.VirtualMFADevice(
            serial_number=device.serial_number, base32_string_seed=device.base32_seed,
            provisioning_uri=device.provisioning_uri), position=position)

    async def EnableMFADevice(self, r: ipb.EnableMFADeviceRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.mfa.enable_mfa_device(
            self.caller(context), user_name=r.user_name, serial_number=r.serial_number,
            code1=r.authentication_code1, code2=r.authentication_code2))

    async def DeactivateMFADevice(self, r: ipb.DeactivateMFADeviceRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.mfa.deactivate_mfa_device(
            self.caller(context), user_name=r.user_name, serial_number=r.serial_number, caller=self.caller.caller()))

    async def DeleteVirtualMFADevice(self, r: ipb.DeleteVirtualMFADeviceRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.mfa.delete_virtual_mfa_device(self.caller(context),
                                                                          serial_number=r.serial_number))

    async def ListMFADevices(self, r: ipb.ListMFADevicesRequest, context: Ctx) -> ipb.ListMFADevicesResponse:
        devices = self.mfa.list_mfa_devices(self.caller(context), self.caller.caller(), r.user_name)
        page = paginate(devices, lambda d: d["serial_number"], r.page.max_items, r.page.marker)
        return ipb.ListMFADevicesResponse(mfa_devices=[
            ipb.MFADevice(user_name=d["user_name"], serial_number=d["serial_number"],
                          enable_date=convert.timestamp(d["enabled_at"])) for d in page.items],
            is_truncated=page.is_truncated, marker=page.marker)

    async def TagMFADevice(self, r: ipb.TagMFADeviceRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.mfa.tag_mfa_device(self.caller(context), serial_number=r.serial_number,
                                                              tags=convert.tags_in(r.tags)))

    async def UntagMFADevice(self, r: ipb.UntagMFADeviceRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.mfa.untag_mfa_device(self.caller(context), serial_number=r.serial_number,
                                                                tag_keys=list(r.tag_keys)))

    async def ListMFADeviceTags(self, r: ipb.ListMFADeviceTagsRequest, context: Ctx) -> ipb.ListEntityTagsResponse:
        tags = self.mfa.mfa_device_tags(self.caller(context), r.serial_number)
        return _tags_response(tag_page(tags, r.page.max_items, r.page.marker))

    async def ListVirtualMFADevices(self, r: ipb.ListVirtualMFADevicesRequest,
                                    context: Ctx) -> ipb.ListVirtualMFADevicesResponse:
        ctx = self.caller(context)
        devices = self.mfa.list_virtual_mfa_devices(ctx, r.assignment_status)
        page = paginate(devices, lambda d: d["serial_number"], r.page.max_items, r.page.marker)
        return ipb.ListVirtualMFADevicesResponse(virtual_mfa_devices=[
            ipb.VirtualMFADevice(
                serial_number=d["serial_number"], user_name=d["user_name"],
                enable_date=convert.timestamp(d["enabled_at"]) if d["enabled_at"] else None,
                user=convert.user(self.queries.entity(ctx.account_id, USER, d["user_name"])) if d["user_name"] else None)
            for d in page.items], is_truncated=page.is_truncated, marker=page.marker)

    # --- other services' resources ------------------------------------------------------------
    async def PutResourcePolicy(self, r: ipb.PutResourcePolicyRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.resources.put_policy(self.caller(context), resource_arn=r.resource_arn,
                                                                policy_document=r.policy_document))

    async def GetResourcePolicy(self, r: ipb.GetResourcePolicyRequest, context: Ctx) -> ipb.GetResourcePolicyResponse:
        return ipb.GetResourcePolicyResponse(policy_document=self.resources.policy(r.resource_arn))

    async def DeleteResourcePolicy(self, r: ipb.DeleteResourcePolicyRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.resources.delete_policy(self.caller(context), resource_arn=r.resource_arn))

    async def TagResource(self, r: ipb.TagResourceRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.resources.tag(self.caller(context), resource_arn=r.resource_arn,
                                                         tags=convert.tags_in(r.tags)))

    async def UntagResource(self, r: ipb.UntagResourceRequest, context: Ctx) -> ipb.CommandResponse:
        return await self._done(await self.resources.untag(self.caller(context), resource_arn=r.resource_arn,
                                                           tag_keys=list(r.tag_keys)))

    async def ListTagsForResource(self, r: ipb.ListTagsForResourceRequest,
                                  context: Ctx) -> ipb.ListTagsForResourceResponse:
        return ipb.ListTagsForResourceResponse(tags=convert.tags_out(self.resources.tags(r.resource_arn)))

    # --- account-wide ---------------------------------------------------------------------------
    async def GetAccountAuthorizationDetails(self, r: ipb.GetAccountAuthorizationDetailsRequest,
                                             context: Ctx) -> ipb.GetAccountAuthorizationDetailsResponse:
        wanted = {convert.KIND_BY_ENUM[k] for k in r.filter if k in convert.KIND_BY_ENUM} or {USER, GROUP, ROLE, POLICY}
        account = self.queries.account_details(self.caller(context).account_id)
        response = ipb.GetAccountAuthorizationDetailsResponse()

        def attached_of(entity: dict) -> list[pb.AttachedPolicy]:
            return convert.attached(p for arn in entity["attached"]
                                    if (p := self.queries.policy_of_holder(account, arn)) is not None)

        # One listing, paged as one (AWS's MaxItems counts every list's entries): users, groups,
        # roles, then policies, each by name (a policy by name and ARN: AWS's may share a name).
        entries: list[tuple[str, str, dict]] = []
        for kind, section, views in ((USER, "1", account.users), (GROUP, "2", account.groups), (ROLE, "3", account.roles)):
            if kind in wanted:
                entries += [(kind, f"{section}\0{names.casefold(v['name'])}", v) for v in views.values()]
        if POLICY in wanted:
            # The account's policies, and the AWS managed ones its entities hold (as AWS lists them);
            # AWS's Filter asks for either kind alone (LocalManagedPolicy, AWSManagedPolicy).
            both = r.local_managed_policies == r.aws_managed_policies
            policies = [*(account.policies.values() if both or r.local_managed_policies else ()),
                        *(self.queries.aws_policies_held(account.account_id) if both or r.aws_managed_policies else ())]
            entries += [(POLICY, f"4\0{names.casefold(p['name'])}\0{p['arn']}", p) for p in policies]
        if r.HasField("page"):
            page = paginate(entries, lambda e: e[1], r.page.max_items, r.page.marker)
        else:  # no page asked for: everything at once, as before paging came
            page = Page(sorted(entries, key=lambda e: e[1]), False, "")
        response.is_truncated, response.marker = page.is_truncated, page.marker
        profiles_by_role: dict[str, list[dict]] = {}
        if any(kind == ROLE for kind, _key, _view in page.items):
            for profile in sorted(self.instance_profiles.projection.instance_profiles.values(),
                                  key=lambda p: names.casefold(p["name"])):
                if profile["account_id"] == account.account_id:
                    for role in profile["roles"]:
                        profiles_by_role.setdefault(role["id"], []).append(profile)
        for kind, _key, v in page.items:
            if kind == USER:
                response.user_detail_list.append(ipb.UserDetail(
                    user=convert.user(v), user_policy_list=convert.inline(v), group_list=sorted(v["groups"].values()),
                    attached_managed_policies=attached_of(v)))
            elif kind == GROUP:
                response.group_detail_list.append(ipb.GroupDetail(
                    group=convert.group(v), group_policy_list=convert.inline(v), attached_managed_policies=attached_of(v)))
            elif kind == ROLE:
                response.role_detail_list.append(ipb.RoleDetail(
                    role=convert.role(v), role_policy_list=convert.inline(v), attached_managed_policies=attached_of(v),
                    instance_profile_list=[self._instance_profile(p) for p in profiles_by_role.get(v["id"], [])]))
            else:
                response.policies.append(ipb.PolicyDetail(policy=convert.policy(v), policy_version_list=[
                    convert.policy_version(vid, ver, v["default_version_id"]) for vid, ver in v["versions"].items()]))
        return response
