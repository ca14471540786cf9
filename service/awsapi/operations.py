"""Which iamd RPC serves each AWS operation, and how their messages correspond.

Pure: no I/O. The AWS side is botocore's service models (member names and shapes); the iamd side
is the protobuf descriptors. The correspondence is mostly mechanical: an AWS member `UserName` is
the proto field `user_name`, `Marker`/`MaxItems` are the proto `page`, lists are repeated fields,
structures are messages, timestamps are google.protobuf.Timestamp, enum strings are proto enum
values ending in the same word. What is not mechanical is declared here, per operation, in data:

- AWS spells one iamd RPC per kind of entity (AttachUserPolicy, AttachGroupPolicy, ...): the
  member naming the entity becomes the RPC's `target` (kind and name);
- a few outputs are assembled from the request as well (GetUserPolicy names its user).

An AWS input member iamd has no field for is refused when given (InvalidInput naming it), never
silently dropped; an AWS operation not declared here is refused as not implemented.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from google.protobuf import descriptor as pb_descriptor
from google.protobuf import message as pb_message
from google.protobuf import timestamp_pb2

from iamd.service.domain.errors import FieldProblem, InvalidInputError

from . import simulation

_PAGE_MEMBERS = {"Marker": "marker", "MaxItems": "max_items"}

OutputHook = Callable[[Mapping[str, Any], pb_message.Message], dict[str, Any]]
# The iamd request for an AWS input, when it is not the input's members renamed.
InputHook = Callable[[Mapping[str, Any], type[pb_message.Message]], pb_message.Message]


@dataclass(frozen=True)
class Operation:
    """One AWS operation iamd serves: the iamd RPC behind it and what is not mechanical."""

    service: str  # AWS's signing name: "iam", "sts", "cloudtrail", "organizations" or "access-analyzer"
    name: str  # AWS's operation name, e.g. "AttachUserPolicy"
    rpc: str  # iamd's RPC, e.g. "AttachPolicy"
    target_kind: str = ""  # EntityKind ("USER", ...) of the entity the operation names, if it is a target
    target_member: str = ""  # the AWS member that names it ("UserName", "PolicyArn", ...)
    output: OutputHook | None = None  # the output, when it is not the response's fields renamed
    renames: Mapping[str, str] = field(default_factory=dict)  # AWS member -> proto field, where not snake case
    input: InputHook | None = None  # the request, when it is not the input's members renamed


def snake(name: str) -> str:
    """`UserName` -> `user_name`, `MFADevices` -> `mfa_devices`, `PolicyARNs` -> `policy_arns`."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


# --- operations -----------------------------------------------------------------------------------

def _inline_policy_output(name_member: str) -> OutputHook:
    def output(aws_input: Mapping[str, Any], response: pb_message.Message) -> dict[str, Any]:
        policy = response.policy  # type: ignore[attr-defined]
        return {name_member: aws_input[name_member], "PolicyName": policy.policy_name,
                "PolicyDocument": policy.policy_document}
    return output


def _entities_for_policy_output(aws_input: Mapping[str, Any], response: pb_message.Message) -> dict[str, Any]:
    r: Any = response
    out: dict[str, Any] = {"IsTruncated": r.is_truncated}
    for member, entities, kind in (("PolicyGroups", r.policy_groups, "Group"), ("PolicyUsers", r.policy_users, "User"),
                                   ("PolicyRoles", r.policy_roles, "Role")):
        out[member] = [{f"{kind}Name": e.name, f"{kind}Id": e.id} for e in entities]
    if r.marker:
        out["Marker"] = r.marker
    return out


def _plain(service: str, *names: str) -> list[Operation]:
    return [Operation(service, name, name) for name in names]


def _per_entity(template: str, rpc: str, kinds: tuple[str, ...], output: Callable[[str], OutputHook] | None = None,
                ) -> list[Operation]:
    """AWS's one operation per kind (template `Attach{}Policy`) for iamd's one RPC with a target."""
    ops = []
    for kind in kinds:
        member = "PolicyArn" if kind == "Policy" else f"{kind}Name"
        ops.append(Operation("iam", template.format(kind), rpc, target_kind=kind.upper(), target_member=member,
                             output=output(member) if output else None))
    return ops


_OPERATIONS: list[Operation] = [
    *_plain("iam", "CreateUser", "GetUser", "ListUsers", "UpdateUser", "DeleteUser",
            "CreateGroup", "GetGroup", "ListGroups", "UpdateGroup", "DeleteGroup", "AddUserToGroup",
            "RemoveUserFromGroup", "ListGroupsForUser",
            "CreateRole", "GetRole", "ListRoles", "UpdateRole", "UpdateAssumeRolePolicy", "DeleteRole",
            "CreatePolicy", "GetPolicy", "ListPolicies", "DeletePolicy", "CreatePolicyVersion", "GetPolicyVersion",
            "ListPolicyVersions", "SetDefaultPolicyVersion", "DeletePolicyVersion",
            "CreateAccessKey", "ListAccessKeys", "UpdateAccessKey", "DeleteAccessKey", "GetAccessKeyLastUsed",
            "CreateVirtualMFADevice", "EnableMFADevice", "DeactivateMFADevice", "DeleteVirtualMFADevice",
            "ListMFADevices", "ListVirtualMFADevices", "GetAccountSummary", "GenerateCredentialReport",
            "GetCredentialReport", "UpdateAccountPasswordPolicy", "GetAccountPasswordPolicy",
            "DeleteAccountPasswordPolicy", "CreateAccountAlias", "DeleteAccountAlias", "ListAccountAliases",
            "CreateOpenIDConnectProvider", "GetOpenIDConnectProvider", "ListOpenIDConnectProviders",
            "DeleteOpenIDConnectProvider", "AddClientIDToOpenIDConnectProvider",
            "RemoveClientIDFromOpenIDConnectProvider", "UpdateOpenIDConnectProviderThumbprint",
            "TagOpenIDConnectProvider", "UntagOpenIDConnectProvider", "ListOpenIDConnectProviderTags",
            "CreateSAMLProvider", "GetSAMLProvider", "ListSAMLProviders", "UpdateSAMLProvider", "DeleteSAMLProvider",
            "TagSAMLProvider", "UntagSAMLProvider", "ListSAMLProviderTags",
            "TagMFADevice", "UntagMFADevice", "ListMFADeviceTags",
            "CreateInstanceProfile", "GetInstanceProfile", "DeleteInstanceProfile", "ListInstanceProfiles",
            "AddRoleToInstanceProfile", "RemoveRoleFromInstanceProfile", "ListInstanceProfilesForRole",
            "TagInstanceProfile", "UntagInstanceProfile", "ListInstanceProfileTags",
            "CreateLoginProfile", "GetLoginProfile", "UpdateLoginProfile", "DeleteLoginProfile", "ChangePassword",
            "CreateServiceLinkedRole", "DeleteServiceLinkedRole", "GetServiceLinkedRoleDeletionStatus",
            "UploadSSHPublicKey", "GetSSHPublicKey", "ListSSHPublicKeys", "UpdateSSHPublicKey", "DeleteSSHPublicKey",
            "UploadSigningCertificate", "ListSigningCertificates", "UpdateSigningCertificate",
            "DeleteSigningCertificate", "UploadServerCertificate", "GetServerCertificate", "ListServerCertificates",
            "UpdateServerCertificate", "DeleteServerCertificate", "TagServerCertificate", "UntagServerCertificate",
            "ListServerCertificateTags", "CreateServiceSpecificCredential", "ListServiceSpecificCredentials",
            "ResetServiceSpecificCredential", "UpdateServiceSpecificCredential", "DeleteServiceSpecificCredential",
            "GenerateServiceLastAccessedDetails", "GetServiceLastAccessedDetails",
            "GetServiceLastAccessedDetailsWithEntities", "UpdateRoleDescription", "GetMFADevice", "ResyncMFADevice",
            "EnableOrganizationsRootCredentialsManagement", "DisableOrganizationsRootCredentialsManagement",
            "EnableOrganizationsRootSessions", "DisableOrganizationsRootSessions", "ListOrganizationsFeatures",
            "ListPoliciesGrantingServiceAccess", "SetSecurityTokenServicePreferences",
            "EnableOutboundWebIdentityFederation", "DisableOutboundWebIdentityFederation",
            "GetOutboundWebIdentityFederationInfo", "GenerateOrganizationsAccessReport",
            "GetOrganizationsAccessReport"),
    Operation("iam", "ListEntitiesForPolicy", "ListEntitiesForPolicy", output=_entities_for_policy_output),
    # The simulator and the account's details in AWS's shapes (service/awsapi/simulation.py).
    *(Operation("iam", name, name, input=simulation.simulation_input, output=simulation.simulation_output)
      for name in ("SimulatePrincipalPolicy", "SimulateCustomPolicy")),
    *_plain("iam", "GetContextKeysForPrincipalPolicy", "GetContextKeysForCustomPolicy"),
    Operation("iam", "GetAccountAuthorizationDetails", "GetAccountAuthorizationDetails",
              input=simulation.account_details_input, output=simulation.account_details_output),
    *_per_entity("Attach{}Policy", "AttachPolicy", ("User", "Group", "Role")),
    *_per_entity("Detach{}Policy", "DetachPolicy", ("User", "Group", "Role")),
    *_per_entity("ListAttached{}Policies", "ListAttachedPolicies", ("User", "Group", "Role")),
    *_per_entity("Put{}Policy", "PutInlinePolicy", ("User", "Group", "Role")),
    *_per_entity("Get{}Policy", "GetInlinePolicy", ("User", "Group", "Role"), output=_inline_policy_output),
    *_per_entity("Delete{}Policy", "DeleteInlinePolicy", ("User", "Group", "Role")),
    *_per_entity("List{}Policies", "ListInlinePolicies", ("User", "Group", "Role")),
    *_per_entity("Put{}PermissionsBoundary", "PutPermissionsBoundary", ("User", "Role")),
    *_per_entity("Delete{}PermissionsBoundary", "DeletePermissionsBoundary", ("User", "Role")),
    *_per_entity("Tag{}", "TagEntity", ("User", "Role", "Policy")),
    *_per_entity("Untag{}", "UntagEntity", ("User", "Role", "Policy")),
    *_per_entity("List{}Tags", "ListEntityTags", ("User", "Role", "Policy")),
    *_plain("sts", "GetCallerIdentity", "AssumeRole", "GetSessionToken", "GetFederationToken", "GetAccessKeyInfo",
            "AssumeRoleWithWebIdentity",  # unsigned, as AWS: the token is the credential (rpc/guard.py)
            "AssumeRoleWithSAML",  # unsigned too: the assertion is the credential
            "DecodeAuthorizationMessage",  # the messages a denied Authorize encodes (encode_denial)
            "AssumeRoot",  # centralized root access: a member account's root user, scoped by a task policy
            "GetWebIdentityToken",  # outbound identity federation: a JWT for an external service
            "GetScopedCredentials"),  # the caller's own session, scoped down
    *_plain("cloudtrail", "LookupEvents"),
    *_plain("access-analyzer", "ValidatePolicy"),  # REST-JSON (service/http/endpoint.py)
    # Organizations over JSON 1.1: AWS's operation names for iamd's RPCs, whose messages carry
    # AWS's members (the policy operations answer AWS's Policy structure, CreateOrganization and
    # DescribeOrganization its Organization, CreateAccount its CreateAccountStatus; the lists
    # page with NextToken/MaxResults).
    *(Operation("organizations", name, rpc) for name, rpc in (
        ("CreatePolicy", "CreateOrganizationPolicy"), ("DescribePolicy", "DescribeOrganizationPolicy"),
        ("UpdatePolicy", "UpdateOrganizationPolicy"), ("DeletePolicy", "DeleteOrganizationPolicy"),
        ("ListPolicies", "ListOrganizationPolicies"), ("AttachPolicy", "AttachOrganizationPolicy"),
        ("DetachPolicy", "DetachOrganizationPolicy"), ("TagResource", "TagOrganizationResource"),
        ("UntagResource", "UntagOrganizationResource"), ("ListTagsForResource", "ListOrganizationResourceTags"),
        ("PutResourcePolicy", "PutOrganizationResourcePolicy"),
        ("DescribeResourcePolicy", "DescribeOrganizationResourcePolicy"),
        ("DeleteResourcePolicy", "DeleteOrganizationResourcePolicy"))),
    *_plain("organizations", "ListPoliciesForTarget", "ListTargetsForPolicy", "ListRoots", "ListChildren",
            "ListParents", "DescribeOrganizationalUnit", "UpdateOrganizationalUnit", "DeleteOrganizationalUnit",
            "ListOrganizationalUnitsForParent", "ListAccountsForParent", "ListAccounts", "DescribeAccount",
            "MoveAccount", "RemoveAccountFromOrganization", "CreateOrganization", "DescribeOrganization",
            "CreateAccount", "DescribeCreateAccountStatus", "ListCreateAccountStatus", "CreateOrganizationalUnit",
            "EnablePolicyType", "DisablePolicyType", "EnableAWSServiceAccess", "DisableAWSServiceAccess",
            "ListAWSServiceAccessForOrganization", "RegisterDelegatedAdministrator",
            "DeregisterDelegatedAdministrator", "ListDelegatedAdministrators", "ListDelegatedServicesForAccount",
            "DeleteOrganization", "LeaveOrganization", "InviteAccountToOrganization", "AcceptHandshake",
            "DeclineHandshake", "CancelHandshake", "DescribeHandshake", "ListHandshakesForAccount",
            "ListHandshakesForOrganization", "DescribeEffectivePolicy", "CloseAccount",
            "EnableAllFeatures", "CreateGovCloudAccount", "ListAccountsWithInvalidEffectivePolicy",
            "ListEffectivePolicyValidationErrors"),
]

OPERATIONS: dict[tuple[str, str], Operation] = {(op.service, op.name): op for op in _OPERATIONS}
# By iamd RPC and AWS name: AWS's names repeat across services (IAM's and Organizations' CreatePolicy).
OPERATIONS_BY_RPC_AND_NAME: dict[tuple[str, str], Operation] = {(op.rpc, op.name): op for op in _OPERATIONS}
# iamd RPC (and, for the RPCs AWS spells per kind, the target's kind) -> the AWS operation it is.
_BY_RPC: dict[tuple[str, str], Operation] = {(op.rpc, op.target_kind): op for op in _OPERATIONS}
_TARGETED_RPCS = frozenset(op.rpc for op in _OPERATIONS if op.target_kind)


def aws_operation(rpc: str, request: pb_message.Message | None) -> Operation | None:
    """The AWS operation an iamd call is (AttachPolicy on a user is AttachUserPolicy), if any."""
    if rpc in _TARGETED_RPCS:
        if request is None:
            return None
        kind = request.target.kind  # type: ignore[attr-defined]
        name = request.target.DESCRIPTOR.fields_by_name["kind"].enum_type.values_by_number.get(kind)  # type: ignore[attr-defined]
        return _BY_RPC.get((rpc, name.name.removeprefix("ENTITY_KIND_"))) if name is not None else None
    return _BY_RPC.get((rpc, ""))


def from_request(op: Operation, request: pb_message.Message, shape: Any) -> dict[str, Any]:
    """The AWS input (member names and shapes of `shape`, botocore's input shape) of an iamd request:
    what CloudTrail shows as the call's requestParameters."""
    out = _render(shape, request) if shape is not None else {}
    if op.target_kind:
        out[op.target_member] = request.target.name  # type: ignore[attr-defined]
    return out


def lower_camel(value: Any) -> Any:
    """CloudTrail's spelling of AWS data: every member name with its first letter lower-cased
    (`UserName` -> `userName`, `Tags[].Key` -> `tags[].key`); timestamps as ISO 8601."""
    if isinstance(value, Mapping):
        return {k[:1].lower() + k[1:]: lower_camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [lower_camel(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


# --- AWS input -> iamd request ----------------------------------------------------------------------

def to_request(op: Operation, aws_input: Mapping[str, Any], request_class: type[pb_message.Message]
               ) -> pb_message.Message:
    """The iamd request for an AWS operation's input (as parsed from the wire by the models)."""
    if op.input is not None:
        return op.input(aws_input, request_class)
    request = request_class()
    members = dict(aws_input)
    if op.target_kind:
        target = request.target  # type: ignore[attr-defined]
        target.kind = target.DESCRIPTOR.fields_by_name["kind"].enum_type.values_by_name[
            f"ENTITY_KIND_{op.target_kind}"].number
        target.name = members.pop(op.target_member)
    _fill(request, members, op.renames, "")
    return request


def _fill(msg: pb_message.Message, members: Mapping[str, Any], renames: Mapping[str, str], where: str) -> None:
    fields = msg.DESCRIPTOR.fields_by_name
    for member, value in members.items():
        if value is None:
            continue
        if member in _PAGE_MEMBERS and "page" in fields:
            setattr(msg.page, _PAGE_MEMBERS[member], value)  # type: ignore[attr-defined]
            continue
        f = fields.get(renames.get(member) or snake(member))
        if f is None:
            raise InvalidInputError(f"iamd does not support the parameter {where}{member}",
                                    problems=[FieldProblem(where + member, "not supported by iamd")])
        _set(msg, f, value, where + member)


def _set(msg: pb_message.Message, f: pb_descriptor.FieldDescriptor, value: Any, where: str) -> None:
    if f.message_type is not None and f.message_type.GetOptions().map_entry:
        getattr(msg, f.name).update({str(k): str(v) for k, v in value.items()})
    elif f.is_repeated:
        target = getattr(msg, f.name)
        for i, item in enumerate(value, 1):
            if f.message_type is not None:
                _fill(target.add(), item, {}, f"{where}.member.{i}.")
            else:
                target.append(_scalar(f, item, f"{where}.member.{i}"))
    elif f.message_type is not None:
        if f.message_type.full_name == "google.protobuf.Timestamp":
            getattr(msg, f.name).FromDatetime(value)
        else:
            _fill(getattr(msg, f.name), value, {}, where + ".")
    else:
        setattr(msg, f.name, _scalar(f, value, where))


def _scalar(f: pb_descriptor.FieldDescriptor, value: Any, where: str) -> Any:
    if f.enum_type is None:
        return value
    # AWS's "User" is iamd's ENTITY_KIND_USER: the proto value ending in the same word.
    suffix = "_" + snake(str(value)).upper()
    for candidate in f.enum_type.values:
        if candidate.number and candidate.name.endswith(suffix):
            return candidate.number
    raise InvalidInputError(f"iamd does not support the value `{value}` of {where}",
                            problems=[FieldProblem(where, f"`{value}` is not supported by iamd")])


# --- iamd response -> AWS output --------------------------------------------------------------------

# Members IAM leaves out of an answer's entities whatever they hold (IAM API reference, ListUsers and
# ListRoles: "IAM resource-listing operations return a subset of the available attributes for the
# resource. This operation does not return the following attributes ...: PermissionsBoundary,
# [RoleLastUsed,] Tags"; ListPolicies: "this operation does not return tags"). A policy's
# Description is in GetPolicy's answer only: neither CreatePolicy's nor ListPolicies' carry it
# (moto's test_iam_response_attributes.py, verified against AWS).
_LEFT_OUT: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    ("iam", "ListUsers"): ("Users", frozenset({"PermissionsBoundary", "Tags"})),
    ("iam", "ListRoles"): ("Roles", frozenset({"PermissionsBoundary", "RoleLastUsed", "Tags"})),
    ("iam", "ListPolicies"): ("Policies", frozenset({"Description", "Tags"})),
    ("iam", "CreatePolicy"): ("Policy", frozenset({"Description"})),
}


def to_output(op: Operation, aws_input: Mapping[str, Any], response: pb_message.Message, shape: Any) -> dict[str, Any]:
    """The AWS output (member names and shapes of `shape`, botocore's output shape) for a response."""
    if op.output is not None:
        return op.output(aws_input, response)
    out = _render(shape, response, top=True) if shape is not None else {}
    if (left_out := _LEFT_OUT.get((op.service, op.name))) is not None:
        member, members = left_out
        entities = out.get(member)
        for entity in entities if isinstance(entities, list) else [entities] if entities else []:
            for name in members:
                entity.pop(name, None)
    if (op.service, op.name) == ("iam", "GetPolicy") and "Policy" in out:
        # GetPolicy answers a policy's tags even when it has none (`<Tags/>`; moto's
        # test_iam_response_attributes.py, verified against AWS: "GetPolicy *does* return empty tags list").
        out["Policy"].setdefault("Tags", [])
    if (op.service, op.name) == ("iam", "CreateVirtualMFADevice") and "VirtualMFADevice" in out:
        # AWS answers the seed and its QR code, a PNG of the otpauth:// URI (IAM API reference,
        # CreateVirtualMFADevice / VirtualMFADevice: QRCodePNG).
        from iamd.service.auth.qr import qr_code_png
        uri = response.virtual_mfa_device.provisioning_uri  # type: ignore[attr-defined]
        if uri:
            out["VirtualMFADevice"]["QRCodePNG"] = qr_code_png(uri)
    return out


# Lists of nested structures that AWS answers even when empty: an Organizations root's PolicyTypes
# (`"PolicyTypes": []` for a root without policy types enabled; API reference, ListRoots and Root),
# and the policies of each service ListPoliciesGrantingServiceAccess was asked about (a service no
# policy grants is listed, with none).
_ALWAYS_LISTED = frozenset({("Root", "PolicyTypes"), ("ListPoliciesGrantingServiceAccessEntry", "Policies")})


def _render(shape: Any, msg: pb_message.Message, *, top: bool = False) -> dict[str, Any]:
    """`msg` in `shape`'s members. AWS sends an operation's own lists even when empty (`<Users/>`),
    a nested entity's only when it has items (a user without tags has no `Tags`), bar _ALWAYS_LISTED."""
    fields = msg.DESCRIPTOR.fields_by_name
    out: dict[str, Any] = {}
    for member, member_shape in shape.members.items():
        if member == "PermissionsBoundary" and "permissions_boundary_arn" in fields:
            arn = msg.permissions_boundary_arn  # type: ignore[attr-defined]
            if arn:
                out[member] = {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn}
            continue
        if member in _PAGE_MEMBERS and "page" in fields:
            page = msg.page  # type: ignore[attr-defined]
            if getattr(page, _PAGE_MEMBERS[member]):
                out[member] = getattr(page, _PAGE_MEMBERS[member])
            continue
        f = fields.get(snake(member))
        if f is None:
            continue
        value = _value(member_shape, f, getattr(msg, f.name), msg,
                       top or member in shape.required_members or (shape.name, member) in _ALWAYS_LISTED)
        if value is not None:
            out[member] = value
    return out


def _value(shape: Any, f: pb_descriptor.FieldDescriptor, value: Any, parent: pb_message.Message,
           always: bool) -> Any:
    if shape.type_name == "list":
        if not value and not always:
            return None
        member = shape.member
        return [_item(member, item) for item in value]
    if not f.is_repeated and f.has_presence and not parent.HasField(f.name):
        return None  # an unset message, or an unset `optional` scalar
    if f.enum_type is not None and not f.is_repeated:
        return _enum_word(shape, f, value)
    if f.type == f.TYPE_STRING and value == "" and not (always and shape.name == "tagValueType"):
        # An empty string is AWS's absent member, except a tag's Value: a required member, which
        # AWS answers empty (`<Value></Value>`) for a tag made with "" (IAM API reference, Tag:
        # "Value ... Length Constraints: Minimum length of 0").
        return None
    return _item(shape, value)


def _enum_word(shape: Any, f: pb_descriptor.FieldDescriptor, value: int) -> str | None:
    """A proto enum value as the AWS enum string ending in the same word (ASSERTION_ENCRYPTION_MODE_
    REQUIRED -> "Required"); the unspecified zero is an absent member."""
    if not value:
        return None
    name = f.enum_type.values_by_number[value].name
    for word in shape.enum or ():
        if name.endswith("_" + snake(word).upper()):
            return str(word)
    raise TypeError(f"{shape.name}: no AWS value for {name}")


def _item(shape: Any, value: Any) -> Any:
    if isinstance(value, timestamp_pb2.Timestamp):
        return value.ToDatetime(tzinfo=UTC)
    if shape.type_name == "structure":
        return _render(shape, value)
    if shape.type_name == "map":
        return dict(value)
    if shape.type_name == "blob" and isinstance(value, str):  # a base32 seed: its characters are the blob
        return value.encode()
    if shape.type_name == "timestamp" and isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value
