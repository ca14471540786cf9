import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from iamd.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PolicyScope(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    POLICY_SCOPE_UNSPECIFIED: _ClassVar[PolicyScope]
    POLICY_SCOPE_ALL: _ClassVar[PolicyScope]
    POLICY_SCOPE_LOCAL: _ClassVar[PolicyScope]
    POLICY_SCOPE_AWS: _ClassVar[PolicyScope]

class AssertionEncryptionMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASSERTION_ENCRYPTION_MODE_UNSPECIFIED: _ClassVar[AssertionEncryptionMode]
    ASSERTION_ENCRYPTION_MODE_REQUIRED: _ClassVar[AssertionEncryptionMode]
    ASSERTION_ENCRYPTION_MODE_ALLOWED: _ClassVar[AssertionEncryptionMode]
POLICY_SCOPE_UNSPECIFIED: PolicyScope
POLICY_SCOPE_ALL: PolicyScope
POLICY_SCOPE_LOCAL: PolicyScope
POLICY_SCOPE_AWS: PolicyScope
ASSERTION_ENCRYPTION_MODE_UNSPECIFIED: AssertionEncryptionMode
ASSERTION_ENCRYPTION_MODE_REQUIRED: AssertionEncryptionMode
ASSERTION_ENCRYPTION_MODE_ALLOWED: AssertionEncryptionMode

class CommandResponse(_message.Message):
    __slots__ = ("position",)
    POSITION_FIELD_NUMBER: _ClassVar[int]
    position: int
    def __init__(self, position: _Optional[int] = ...) -> None: ...

class Page(_message.Message):
    __slots__ = ("max_items", "marker")
    MAX_ITEMS_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    max_items: int
    marker: str
    def __init__(self, max_items: _Optional[int] = ..., marker: _Optional[str] = ...) -> None: ...

class CreateUserRequest(_message.Message):
    __slots__ = ("user_name", "path", "permissions_boundary", "tags")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_BOUNDARY_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    path: str
    permissions_boundary: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, user_name: _Optional[str] = ..., path: _Optional[str] = ..., permissions_boundary: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class CreateUserResponse(_message.Message):
    __slots__ = ("user", "position")
    USER_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    user: _common_pb2.User
    position: int
    def __init__(self, user: _Optional[_Union[_common_pb2.User, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class GetUserRequest(_message.Message):
    __slots__ = ("user_name",)
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    def __init__(self, user_name: _Optional[str] = ...) -> None: ...

class GetUserResponse(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: _common_pb2.User
    def __init__(self, user: _Optional[_Union[_common_pb2.User, _Mapping]] = ...) -> None: ...

class ListUsersRequest(_message.Message):
    __slots__ = ("path_prefix", "page")
    PATH_PREFIX_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    path_prefix: str
    page: Page
    def __init__(self, path_prefix: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class ListUsersResponse(_message.Message):
    __slots__ = ("users", "is_truncated", "marker")
    USERS_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    users: _containers.RepeatedCompositeFieldContainer[_common_pb2.User]
    is_truncated: bool
    marker: str
    def __init__(self, users: _Optional[_Iterable[_Union[_common_pb2.User, _Mapping]]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ...) -> None: ...

class UpdateUserRequest(_message.Message):
    __slots__ = ("user_name", "new_user_name", "new_path")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    NEW_USER_NAME_FIELD_NUMBER: _ClassVar[int]
    NEW_PATH_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    new_user_name: str
    new_path: str
    def __init__(self, user_name: _Optional[str] = ..., new_user_name: _Optional[str] = ..., new_path: _Optional[str] = ...) -> None: ...

class DeleteUserRequest(_message.Message):
    __slots__ = ("user_name",)
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    def __init__(self, user_name: _Optional[str] = ...) -> None: ...

class CreateGroupRequest(_message.Message):
    __slots__ = ("group_name", "path")
    GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    group_name: str
    path: str
    def __init__(self, group_name: _Optional[str] = ..., path: _Optional[str] = ...) -> None: ...

class CreateGroupResponse(_message.Message):
    __slots__ = ("group", "position")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    group: _common_pb2.Group
    position: int
    def __init__(self, group: _Optional[_Union[_common_pb2.Group, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class GetGroupRequest(_message.Message):
    __slots__ = ("group_name", "page")
    GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    group_name: str
    page: Page
    def __init__(self, group_name: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class GetGroupResponse(_message.Message):
    __slots__ = ("group", "users", "is_truncated", "marker")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    USERS_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    group: _common_pb2.Group
    users: _containers.RepeatedCompositeFieldContainer[_common_pb2.User]
    is_truncated: bool
    marker: str
    def __init__(self, group: _Optional[_Union[_common_pb2.Group, _Mapping]] = ..., users: _Optional[_Iterable[_Union[_common_pb2.User, _Mapping]]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ...) -> None: ...

class ListGroupsRequest(_message.Message):
    __slots__ = ("path_prefix", "page")
    PATH_PREFIX_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    path_prefix: str
    page: Page
    def __init__(self, path_prefix: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class ListGroupsResponse(_message.Message):
    __slots__ = ("groups", "is_truncated", "marker")
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    groups: _containers.RepeatedCompositeFieldContainer[_common_pb2.Group]
    is_truncated: bool
    marker: str
    def __init__(self, groups: _Optional[_Iterable[_Union[_common_pb2.Group, _Mapping]]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ...) -> None: ...

class UpdateGroupRequest(_message.Message):
    __slots__ = ("group_name", "new_group_name", "new_path")
    GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    NEW_GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    NEW_PATH_FIELD_NUMBER: _ClassVar[int]
    group_name: str
    new_group_name: str
    new_path: str
    def __init__(self, group_name: _Optional[str] = ..., new_group_name: _Optional[str] = ..., new_path: _Optional[str] = ...) -> None: ...

class DeleteGroupRequest(_message.Message):
    __slots__ = ("group_name",)
    GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    group_name: str
    def __init__(self, group_name: _Optional[str] = ...) -> None: ...

class AddUserToGroupRequest(_message.Message):
    __slots__ = ("group_name", "user_name")
    GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    group_name: str
    user_name: str
    def __init__(self, group_name: _Optional[str] = ..., user_name: _Optional[str] = ...) -> None: ...

class RemoveUserFromGroupRequest(_message.Message):
    __slots__ = ("group_name", "user_name")
    GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    group_name: str
    user_name: str
    def __init__(self, group_name: _Optional[str] = ..., user_name: _Optional[str] = ...) -> None: ...

class ListGroupsForUserRequest(_message.Message):
    __slots__ = ("user_name", "page")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    page: Page
    def __init__(self, user_name: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class CreateRoleRequest(_message.Message):
    __slots__ = ("role_name", "path", "assume_role_policy_document", "description", "max_session_duration", "permissions_boundary", "tags")
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    ASSUME_ROLE_POLICY_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    MAX_SESSION_DURATION_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_BOUNDARY_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    role_name: str
    path: str
    assume_role_policy_document: str
    description: str
    max_session_duration: int
    permissions_boundary: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, role_name: _Optional[str] = ..., path: _Optional[str] = ..., assume_role_policy_document: _Optional[str] = ..., description: _Optional[str] = ..., max_session_duration: _Optional[int] = ..., permissions_boundary: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class CreateRoleResponse(_message.Message):
    __slots__ = ("role", "position")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    role: _common_pb2.Role
    position: int
    def __init__(self, role: _Optional[_Union[_common_pb2.Role, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class GetRoleRequest(_message.Message):
    __slots__ = ("role_name",)
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    role_name: str
    def __init__(self, role_name: _Optional[str] = ...) -> None: ...

class GetRoleResponse(_message.Message):
    __slots__ = ("role",)
    ROLE_FIELD_NUMBER: _ClassVar[int]
    role: _common_pb2.Role
    def __init__(self, role: _Optional[_Union[_common_pb2.Role, _Mapping]] = ...) -> None: ...

class ListRolesRequest(_message.Message):
    __slots__ = ("path_prefix", "page")
    PATH_PREFIX_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    path_prefix: str
    page: Page
    def __init__(self, path_prefix: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class ListRolesResponse(_message.Message):
    __slots__ = ("roles", "is_truncated", "marker")
    ROLES_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    roles: _containers.RepeatedCompositeFieldContainer[_common_pb2.Role]
    is_truncated: bool
    marker: str
    def __init__(self, roles: _Optional[_Iterable[_Union[_common_pb2.Role, _Mapping]]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ...) -> None: ...

class UpdateRoleRequest(_message.Message):
    __slots__ = ("role_name", "description", "max_session_duration")
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    MAX_SESSION_DURATION_FIELD_NUMBER: _ClassVar[int]
    role_name: str
    description: str
    max_session_duration: int
    def __init__(self, role_name: _Optional[str] = ..., description: _Optional[str] = ..., max_session_duration: _Optional[int] = ...) -> None: ...

class UpdateAssumeRolePolicyRequest(_message.Message):
    __slots__ = ("role_name", "policy_document")
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    role_name: str
    policy_document: str
    def __init__(self, role_name: _Optional[str] = ..., policy_document: _Optional[str] = ...) -> None: ...

class DeleteRoleRequest(_message.Message):
    __slots__ = ("role_name",)
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    role_name: str
    def __init__(self, role_name: _Optional[str] = ...) -> None: ...

class CreatePolicyRequest(_message.Message):
    __slots__ = ("policy_name", "path", "policy_document", "description", "tags")
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    POLICY_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    policy_name: str
    path: str
    policy_document: str
    description: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, policy_name: _Optional[str] = ..., path: _Optional[str] = ..., policy_document: _Optional[str] = ..., description: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class CreatePolicyResponse(_message.Message):
    __slots__ = ("policy", "position")
    POLICY_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    policy: _common_pb2.Policy
    position: int
    def __init__(self, policy: _Optional[_Union[_common_pb2.Policy, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class GetPolicyRequest(_message.Message):
    __slots__ = ("policy_arn",)
    POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    policy_arn: str
    def __init__(self, policy_arn: _Optional[str] = ...) -> None: ...

class GetPolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: _common_pb2.Policy
    def __init__(self, policy: _Optional[_Union[_common_pb2.Policy, _Mapping]] = ...) -> None: ...

class ListPoliciesRequest(_message.Message):
    __slots__ = ("scope", "only_attached", "path_prefix", "page")
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    ONLY_ATTACHED_FIELD_NUMBER: _ClassVar[int]
    PATH_PREFIX_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    scope: PolicyScope
    only_attached: bool
    path_prefix: str
    page: Page
    def __init__(self, scope: _Optional[_Union[PolicyScope, str]] = ..., only_attached: _Optional[bool] = ..., path_prefix: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class ListPoliciesResponse(_message.Message):
    __slots__ = ("policies", "is_truncated", "marker")
    POLICIES_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    policies: _containers.RepeatedCompositeFieldContainer[_common_pb2.Policy]
    is_truncated: bool
    marker: str
    def __init__(self, policies: _Optional[_Iterable[_Union[_common_pb2.Policy, _Mapping]]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ...) -> None: ...

class DeletePolicyRequest(_message.Message):
    __slots__ = ("policy_arn",)
    POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    policy_arn: str
    def __init__(self, policy_arn: _Optional[str] = ...) -> None: ...

class CreatePolicyVersionRequest(_message.Message):
    __slots__ = ("policy_arn", "policy_document", "set_as_default")
    POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    POLICY_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    SET_AS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    policy_arn: str
    policy_document: str
    set_as_default: bool
    def __init__(self, policy_arn: _Optional[str] = ..., policy_document: _Optional[str] = ..., set_as_default: _Optional[bool] = ...) -> None: ...

class CreatePolicyVersionResponse(_message.Message):
    __slots__ = ("policy_version", "position")
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    policy_version: _common_pb2.PolicyVersion
    position: int
    def __init__(self, policy_version: _Optional[_Union[_common_pb2.PolicyVersion, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class GetPolicyVersionRequest(_message.Message):
    __slots__ = ("policy_arn", "version_id")
    POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    policy_arn: str
    version_id: str
    def __init__(self, policy_arn: _Optional[str] = ..., version_id: _Optional[str] = ...) -> None: ...

class GetPolicyVersionResponse(_message.Message):
    __slots__ = ("policy_version",)
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    policy_version: _common_pb2.PolicyVersion
    def __init__(self, policy_version: _Optional[_Union[_common_pb2.PolicyVersion, _Mapping]] = ...) -> None: ...

class ListPolicyVersionsRequest(_message.Message):
    __slots__ = ("policy_arn", "page")
    POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    policy_arn: str
    page: Page
    def __init__(self, policy_arn: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class ListPolicyVersionsResponse(_message.Message):
    __slots__ = ("versions", "is_truncated", "marker")
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedCompositeFieldContainer[_common_pb2.PolicyVersion]
    is_truncated: bool
    marker: str
    def __init__(self, versions: _Optional[_Iterable[_Union[_common_pb2.PolicyVersion, _Mapping]]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ...) -> None: ...

class SetDefaultPolicyVersionRequest(_message.Message):
    __slots__ = ("policy_arn", "version_id")
    POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    policy_arn: str
    version_id: str
    def __init__(self, policy_arn: _Optional[str] = ..., version_id: _Optional[str] = ...) -> None: ...

class DeletePolicyVersionRequest(_message.Message):
    __slots__ = ("policy_arn", "version_id")
    POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    policy_arn: str
    version_id: str
    def __init__(self, policy_arn: _Optional[str] = ..., version_id: _Optional[str] = ...) -> None: ...

class ListEntitiesForPolicyRequest(_message.Message):
    __slots__ = ("policy_arn", "entity_filter", "page")
    POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FILTER_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    policy_arn: str
    entity_filter: _common_pb2.EntityKind
    page: Page
    def __init__(self, policy_arn: _Optional[str] = ..., entity_filter: _Optional[_Union[_common_pb2.EntityKind, str]] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class PolicyEntity(_message.Message):
    __slots__ = ("name", "id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    id: str
    def __init__(self, name: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...

class ListEntitiesForPolicyResponse(_message.Message):
    __slots__ = ("policy_users", "policy_groups", "policy_roles", "is_truncated", "marker")
    POLICY_USERS_FIELD_NUMBER: _ClassVar[int]
    POLICY_GROUPS_FIELD_NUMBER: _ClassVar[int]
    POLICY_ROLES_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    policy_users: _containers.RepeatedCompositeFieldContainer[PolicyEntity]
    policy_groups: _containers.RepeatedCompositeFieldContainer[PolicyEntity]
    policy_roles: _containers.RepeatedCompositeFieldContainer[PolicyEntity]
    is_truncated: bool
    marker: str
    def __init__(self, policy_users: _Optional[_Iterable[_Union[PolicyEntity, _Mapping]]] = ..., policy_groups: _Optional[_Iterable[_Union[PolicyEntity, _Mapping]]] = ..., policy_roles: _Optional[_Iterable[_Union[PolicyEntity, _Mapping]]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ...) -> None: ...

class AttachPolicyRequest(_message.Message):
    __slots__ = ("target", "policy_arn")
    TARGET_FIELD_NUMBER: _ClassVar[int]
    POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    target: _common_pb2.EntityRef
    policy_arn: str
    def __init__(self, target: _Optional[_Union[_common_pb2.EntityRef, _Mapping]] = ..., policy_arn: _Optional[str] = ...) -> None: ...

class DetachPolicyRequest(_message.Message):
    __slots__ = ("target", "policy_arn")
    TARGET_FIELD_NUMBER: _ClassVar[int]
    POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    target: _common_pb2.EntityRef
    policy_arn: str
    def __init__(self, target: _Optional[_Union[_common_pb2.EntityRef, _Mapping]] = ..., policy_arn: _Optional[str] = ...) -> None: ...

class ListAttachedPoliciesRequest(_message.Message):
    __slots__ = ("target", "path_prefix", "page")
    TARGET_FIELD_NUMBER: _ClassVar[int]
    PATH_PREFIX_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    target: _common_pb2.EntityRef
    path_prefix: str
    page: Page
    def __init__(self, target: _Optional[_Union[_common_pb2.EntityRef, _Mapping]] = ..., path_prefix: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class ListAttachedPoliciesResponse(_message.Message):
    __slots__ = ("attached_policies", "is_truncated", "marker")
    ATTACHED_POLICIES_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    attached_policies: _containers.RepeatedCompositeFieldContainer[_common_pb2.AttachedPolicy]
    is_truncated: bool
    marker: str
    def __init__(self, attached_policies: _Optional[_Iterable[_Union[_common_pb2.AttachedPolicy, _Mapping]]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ...) -> None: ...

class PutInlinePolicyRequest(_message.Message):
    __slots__ = ("target", "policy_name", "policy_document")
    TARGET_FIELD_NUMBER: _ClassVar[int]
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    target: _common_pb2.EntityRef
    policy_name: str
    policy_document: str
    def __init__(self, target: _Optional[_Union[_common_pb2.EntityRef, _Mapping]] = ..., policy_name: _Optional[str] = ..., policy_document: _Optional[str] = ...) -> None: ...

class GetInlinePolicyRequest(_message.Message):
    __slots__ = ("target", "policy_name")
    TARGET_FIELD_NUMBER: _ClassVar[int]
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    target: _common_pb2.EntityRef
    policy_name: str
    def __init__(self, target: _Optional[_Union[_common_pb2.EntityRef, _Mapping]] = ..., policy_name: _Optional[str] = ...) -> None: ...

class GetInlinePolicyResponse(_message.Message):
    __slots__ = ("policy",)
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: _common_pb2.InlinePolicy
    def __init__(self, policy: _Optional[_Union[_common_pb2.InlinePolicy, _Mapping]] = ...) -> None: ...

class DeleteInlinePolicyRequest(_message.Message):
    __slots__ = ("target", "policy_name")
    TARGET_FIELD_NUMBER: _ClassVar[int]
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    target: _common_pb2.EntityRef
    policy_name: str
    def __init__(self, target: _Optional[_Union[_common_pb2.EntityRef, _Mapping]] = ..., policy_name: _Optional[str] = ...) -> None: ...

class ListInlinePoliciesRequest(_message.Message):
    __slots__ = ("target", "page")
    TARGET_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    target: _common_pb2.EntityRef
    page: Page
    def __init__(self, target: _Optional[_Union[_common_pb2.EntityRef, _Mapping]] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class ListInlinePoliciesResponse(_message.Message):
    __slots__ = ("policy_names", "is_truncated", "marker")
    POLICY_NAMES_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    policy_names: _containers.RepeatedScalarFieldContainer[str]
    is_truncated: bool
    marker: str
    def __init__(self, policy_names: _Optional[_Iterable[str]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ...) -> None: ...

class PutPermissionsBoundaryRequest(_message.Message):
    __slots__ = ("target", "permissions_boundary")
    TARGET_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_BOUNDARY_FIELD_NUMBER: _ClassVar[int]
    target: _common_pb2.EntityRef
    permissions_boundary: str
    def __init__(self, target: _Optional[_Union[_common_pb2.EntityRef, _Mapping]] = ..., permissions_boundary: _Optional[str] = ...) -> None: ...

class DeletePermissionsBoundaryRequest(_message.Message):
    __slots__ = ("target",)
    TARGET_FIELD_NUMBER: _ClassVar[int]
    target: _common_pb2.EntityRef
    def __init__(self, target: _Optional[_Union[_common_pb2.EntityRef, _Mapping]] = ...) -> None: ...

class TagEntityRequest(_message.Message):
    __slots__ = ("target", "tags")
    TARGET_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    target: _common_pb2.EntityRef
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, target: _Optional[_Union[_common_pb2.EntityRef, _Mapping]] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class UntagEntityRequest(_message.Message):
    __slots__ = ("target", "tag_keys")
    TARGET_FIELD_NUMBER: _ClassVar[int]
    TAG_KEYS_FIELD_NUMBER: _ClassVar[int]
    target: _common_pb2.EntityRef
    tag_keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, target: _Optional[_Union[_common_pb2.EntityRef, _Mapping]] = ..., tag_keys: _Optional[_Iterable[str]] = ...) -> None: ...

class ListEntityTagsRequest(_message.Message):
    __slots__ = ("target", "page")
    TARGET_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    target: _common_pb2.EntityRef
    page: Page
    def __init__(self, target: _Optional[_Union[_common_pb2.EntityRef, _Mapping]] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class ListEntityTagsResponse(_message.Message):
    __slots__ = ("tags", "is_truncated", "marker")
    TAGS_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    is_truncated: bool
    marker: str
    def __init__(self, tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ...) -> None: ...

class GetAccountAuthorizationDetailsRequest(_message.Message):
    __slots__ = ("filter", "page", "local_managed_policies", "aws_managed_policies")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    LOCAL_MANAGED_POLICIES_FIELD_NUMBER: _ClassVar[int]
    AWS_MANAGED_POLICIES_FIELD_NUMBER: _ClassVar[int]
    filter: _containers.RepeatedScalarFieldContainer[_common_pb2.EntityKind]
    page: Page
    local_managed_policies: bool
    aws_managed_policies: bool
    def __init__(self, filter: _Optional[_Iterable[_Union[_common_pb2.EntityKind, str]]] = ..., page: _Optional[_Union[Page, _Mapping]] = ..., local_managed_policies: _Optional[bool] = ..., aws_managed_policies: _Optional[bool] = ...) -> None: ...

class UserDetail(_message.Message):
    __slots__ = ("user", "user_policy_list", "group_list", "attached_managed_policies")
    USER_FIELD_NUMBER: _ClassVar[int]
    USER_POLICY_LIST_FIELD_NUMBER: _ClassVar[int]
    GROUP_LIST_FIELD_NUMBER: _ClassVar[int]
    ATTACHED_MANAGED_POLICIES_FIELD_NUMBER: _ClassVar[int]
    user: _common_pb2.User
    user_policy_list: _containers.RepeatedCompositeFieldContainer[_common_pb2.InlinePolicy]
    group_list: _containers.RepeatedScalarFieldContainer[str]
    attached_managed_policies: _containers.RepeatedCompositeFieldContainer[_common_pb2.AttachedPolicy]
    def __init__(self, user: _Optional[_Union[_common_pb2.User, _Mapping]] = ..., user_policy_list: _Optional[_Iterable[_Union[_common_pb2.InlinePolicy, _Mapping]]] = ..., group_list: _Optional[_Iterable[str]] = ..., attached_managed_policies: _Optional[_Iterable[_Union[_common_pb2.AttachedPolicy, _Mapping]]] = ...) -> None: ...

class GroupDetail(_message.Message):
    __slots__ = ("group", "group_policy_list", "attached_managed_policies")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    GROUP_POLICY_LIST_FIELD_NUMBER: _ClassVar[int]
    ATTACHED_MANAGED_POLICIES_FIELD_NUMBER: _ClassVar[int]
    group: _common_pb2.Group
    group_policy_list: _containers.RepeatedCompositeFieldContainer[_common_pb2.InlinePolicy]
    attached_managed_policies: _containers.RepeatedCompositeFieldContainer[_common_pb2.AttachedPolicy]
    def __init__(self, group: _Optional[_Union[_common_pb2.Group, _Mapping]] = ..., group_policy_list: _Optional[_Iterable[_Union[_common_pb2.InlinePolicy, _Mapping]]] = ..., attached_managed_policies: _Optional[_Iterable[_Union[_common_pb2.AttachedPolicy, _Mapping]]] = ...) -> None: ...

class RoleDetail(_message.Message):
    __slots__ = ("role", "role_policy_list", "attached_managed_policies", "instance_profile_list")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    ROLE_POLICY_LIST_FIELD_NUMBER: _ClassVar[int]
    ATTACHED_MANAGED_POLICIES_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_PROFILE_LIST_FIELD_NUMBER: _ClassVar[int]
    role: _common_pb2.Role
    role_policy_list: _containers.RepeatedCompositeFieldContainer[_common_pb2.InlinePolicy]
    attached_managed_policies: _containers.RepeatedCompositeFieldContainer[_common_pb2.AttachedPolicy]
    instance_profile_list: _containers.RepeatedCompositeFieldContainer[InstanceProfile]
    def __init__(self, role: _Optional[_Union[_common_pb2.Role, _Mapping]] = ..., role_policy_list: _Optional[_Iterable[_Union[_common_pb2.InlinePolicy, _Mapping]]] = ..., attached_managed_policies: _Optional[_Iterable[_Union[_common_pb2.AttachedPolicy, _Mapping]]] = ..., instance_profile_list: _Optional[_Iterable[_Union[InstanceProfile, _Mapping]]] = ...) -> None: ...

class PolicyDetail(_message.Message):
    __slots__ = ("policy", "policy_version_list")
    POLICY_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_LIST_FIELD_NUMBER: _ClassVar[int]
    policy: _common_pb2.Policy
    policy_version_list: _containers.RepeatedCompositeFieldContainer[_common_pb2.PolicyVersion]
    def __init__(self, policy: _Optional[_Union[_common_pb2.Policy, _Mapping]] = ..., policy_version_list: _Optional[_Iterable[_Union[_common_pb2.PolicyVersion, _Mapping]]] = ...) -> None: ...

class GetAccountAuthorizationDetailsResponse(_message.Message):
    __slots__ = ("user_detail_list", "group_detail_list", "role_detail_list", "policies", "is_truncated", "marker")
    USER_DETAIL_LIST_FIELD_NUMBER: _ClassVar[int]
    GROUP_DETAIL_LIST_FIELD_NUMBER: _ClassVar[int]
    ROLE_DETAIL_LIST_FIELD_NUMBER: _ClassVar[int]
    POLICIES_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    user_detail_list: _containers.RepeatedCompositeFieldContainer[UserDetail]
    group_detail_list: _containers.RepeatedCompositeFieldContainer[GroupDetail]
    role_detail_list: _containers.RepeatedCompositeFieldContainer[RoleDetail]
    policies: _containers.RepeatedCompositeFieldContainer[PolicyDetail]
    is_truncated: bool
    marker: str
    def __init__(self, user_detail_list: _Optional[_Iterable[_Union[UserDetail, _Mapping]]] = ..., group_detail_list: _Optional[_Iterable[_Union[GroupDetail, _Mapping]]] = ..., role_detail_list: _Optional[_Iterable[_Union[RoleDetail, _Mapping]]] = ..., policies: _Optional[_Iterable[_Union[PolicyDetail, _Mapping]]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ...) -> None: ...

class CreateAccessKeyRequest(_message.Message):
    __slots__ = ("user_name",)
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    def __init__(self, user_name: _Optional[str] = ...) -> None: ...

class AccessKey(_message.Message):
    __slots__ = ("user_name", "access_key_id", "status", "secret_access_key", "create_date")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SECRET_ACCESS_KEY_FIELD_NUMBER: _ClassVar[int]
    CREATE_DATE_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    access_key_id: str
    status: str
    secret_access_key: str
    create_date: _timestamp_pb2.Timestamp
    def __init__(self, user_name: _Optional[str] = ..., access_key_id: _Optional[str] = ..., status: _Optional[str] = ..., secret_access_key: _Optional[str] = ..., create_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateAccessKeyResponse(_message.Message):
    __slots__ = ("access_key", "position")
    ACCESS_KEY_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    access_key: AccessKey
    position: int
    def __init__(self, access_key: _Optional[_Union[AccessKey, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class ListAccessKeysRequest(_message.Message):
    __slots__ = ("user_name", "page")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    page: Page
    def __init__(self, user_name: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class ListAccessKeysResponse(_message.Message):
    __slots__ = ("access_key_metadata", "is_truncated", "marker")
    ACCESS_KEY_METADATA_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    access_key_metadata: _containers.RepeatedCompositeFieldContainer[AccessKey]
    is_truncated: bool
    marker: str
    def __init__(self, access_key_metadata: _Optional[_Iterable[_Union[AccessKey, _Mapping]]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ...) -> None: ...

class UpdateAccessKeyRequest(_message.Message):
    __slots__ = ("user_name", "access_key_id", "status")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    access_key_id: str
    status: str
    def __init__(self, user_name: _Optional[str] = ..., access_key_id: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class DeleteAccessKeyRequest(_message.Message):
    __slots__ = ("user_name", "access_key_id")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    access_key_id: str
    def __init__(self, user_name: _Optional[str] = ..., access_key_id: _Optional[str] = ...) -> None: ...

class GetAccessKeyLastUsedRequest(_message.Message):
    __slots__ = ("access_key_id",)
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    access_key_id: str
    def __init__(self, access_key_id: _Optional[str] = ...) -> None: ...

class AccessKeyLastUsed(_message.Message):
    __slots__ = ("last_used_date", "service_name", "region")
    LAST_USED_DATE_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    last_used_date: _timestamp_pb2.Timestamp
    service_name: str
    region: str
    def __init__(self, last_used_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., service_name: _Optional[str] = ..., region: _Optional[str] = ...) -> None: ...

class GetAccessKeyLastUsedResponse(_message.Message):
    __slots__ = ("user_name", "access_key_last_used")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    ACCESS_KEY_LAST_USED_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    access_key_last_used: AccessKeyLastUsed
    def __init__(self, user_name: _Optional[str] = ..., access_key_last_used: _Optional[_Union[AccessKeyLastUsed, _Mapping]] = ...) -> None: ...

class RevokeRoleSessionsRequest(_message.Message):
    __slots__ = ("role_name",)
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    role_name: str
    def __init__(self, role_name: _Optional[str] = ...) -> None: ...

class CreateVirtualMFADeviceRequest(_message.Message):
    __slots__ = ("virtual_mfa_device_name", "path", "tags")
    VIRTUAL_MFA_DEVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    virtual_mfa_device_name: str
    path: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, virtual_mfa_device_name: _Optional[str] = ..., path: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class VirtualMFADevice(_message.Message):
    __slots__ = ("serial_number", "base32_string_seed", "provisioning_uri", "user_name", "enable_date", "user")
    SERIAL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    BASE32_STRING_SEED_FIELD_NUMBER: _ClassVar[int]
    PROVISIONING_URI_FIELD_NUMBER: _ClassVar[int]
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    ENABLE_DATE_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    serial_number: str
    base32_string_seed: str
    provisioning_uri: str
    user_name: str
    enable_date: _timestamp_pb2.Timestamp
    user: _common_pb2.User
    def __init__(self, serial_number: _Optional[str] = ..., base32_string_seed: _Optional[str] = ..., provisioning_uri: _Optional[str] = ..., user_name: _Optional[str] = ..., enable_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., user: _Optional[_Union[_common_pb2.User, _Mapping]] = ...) -> None: ...

class CreateVirtualMFADeviceResponse(_message.Message):
    __slots__ = ("virtual_mfa_device", "position")
    VIRTUAL_MFA_DEVICE_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    virtual_mfa_device: VirtualMFADevice
    position: int
    def __init__(self, virtual_mfa_device: _Optional[_Union[VirtualMFADevice, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class EnableMFADeviceRequest(_message.Message):
    __slots__ = ("user_name", "serial_number", "authentication_code1", "authentication_code2")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    SERIAL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    AUTHENTICATION_CODE1_FIELD_NUMBER: _ClassVar[int]
    AUTHENTICATION_CODE2_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    serial_number: str
    authentication_code1: str
    authentication_code2: str
    def __init__(self, user_name: _Optional[str] = ..., serial_number: _Optional[str] = ..., authentication_code1: _Optional[str] = ..., authentication_code2: _Optional[str] = ...) -> None: ...

class DeactivateMFADeviceRequest(_message.Message):
    __slots__ = ("user_name", "serial_number")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    SERIAL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    serial_number: str
    def __init__(self, user_name: _Optional[str] = ..., serial_number: _Optional[str] = ...) -> None: ...

class DeleteVirtualMFADeviceRequest(_message.Message):
    __slots__ = ("serial_number",)
    SERIAL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    serial_number: str
    def __init__(self, serial_number: _Optional[str] = ...) -> None: ...

class ListMFADevicesRequest(_message.Message):
    __slots__ = ("user_name", "page")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    page: Page
    def __init__(self, user_name: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class MFADevice(_message.Message):
    __slots__ = ("user_name", "serial_number", "enable_date")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    SERIAL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ENABLE_DATE_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    serial_number: str
    enable_date: _timestamp_pb2.Timestamp
    def __init__(self, user_name: _Optional[str] = ..., serial_number: _Optional[str] = ..., enable_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListMFADevicesResponse(_message.Message):
    __slots__ = ("mfa_devices", "is_truncated", "marker")
    MFA_DEVICES_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    mfa_devices: _containers.RepeatedCompositeFieldContainer[MFADevice]
    is_truncated: bool
    marker: str
    def __init__(self, mfa_devices: _Optional[_Iterable[_Union[MFADevice, _Mapping]]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ...) -> None: ...

class PutResourcePolicyRequest(_message.Message):
    __slots__ = ("resource_arn", "policy_document")
    RESOURCE_ARN_FIELD_NUMBER: _ClassVar[int]
    POLICY_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    resource_arn: str
    policy_document: str
    def __init__(self, resource_arn: _Optional[str] = ..., policy_document: _Optional[str] = ...) -> None: ...

class GetResourcePolicyRequest(_message.Message):
    __slots__ = ("resource_arn",)
    RESOURCE_ARN_FIELD_NUMBER: _ClassVar[int]
    resource_arn: str
    def __init__(self, resource_arn: _Optional[str] = ...) -> None: ...

class GetResourcePolicyResponse(_message.Message):
    __slots__ = ("policy_document",)
    POLICY_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    policy_document: str
    def __init__(self, policy_document: _Optional[str] = ...) -> None: ...

class DeleteResourcePolicyRequest(_message.Message):
    __slots__ = ("resource_arn",)
    RESOURCE_ARN_FIELD_NUMBER: _ClassVar[int]
    resource_arn: str
    def __init__(self, resource_arn: _Optional[str] = ...) -> None: ...

class TagResourceRequest(_message.Message):
    __slots__ = ("resource_arn", "tags")
    RESOURCE_ARN_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    resource_arn: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, resource_arn: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class UntagResourceRequest(_message.Message):
    __slots__ = ("resource_arn", "tag_keys")
    RESOURCE_ARN_FIELD_NUMBER: _ClassVar[int]
    TAG_KEYS_FIELD_NUMBER: _ClassVar[int]
    resource_arn: str
    tag_keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, resource_arn: _Optional[str] = ..., tag_keys: _Optional[_Iterable[str]] = ...) -> None: ...

class ListTagsForResourceRequest(_message.Message):
    __slots__ = ("resource_arn",)
    RESOURCE_ARN_FIELD_NUMBER: _ClassVar[int]
    resource_arn: str
    def __init__(self, resource_arn: _Optional[str] = ...) -> None: ...

class ListTagsForResourceResponse(_message.Message):
    __slots__ = ("tags",)
    TAGS_FIELD_NUMBER: _ClassVar[int]
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class ListVirtualMFADevicesRequest(_message.Message):
    __slots__ = ("assignment_status", "page")
    ASSIGNMENT_STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    assignment_status: str
    page: Page
    def __init__(self, assignment_status: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class ListVirtualMFADevicesResponse(_message.Message):
    __slots__ = ("virtual_mfa_devices", "is_truncated", "marker")
    VIRTUAL_MFA_DEVICES_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    virtual_mfa_devices: _containers.RepeatedCompositeFieldContainer[VirtualMFADevice]
    is_truncated: bool
    marker: str
    def __init__(self, virtual_mfa_devices: _Optional[_Iterable[_Union[VirtualMFADevice, _Mapping]]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ...) -> None: ...

class GetAccountSummaryRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetAccountSummaryResponse(_message.Message):
    __slots__ = ("summary_map",)
    class SummaryMapEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    SUMMARY_MAP_FIELD_NUMBER: _ClassVar[int]
    summary_map: _containers.ScalarMap[str, int]
    def __init__(self, summary_map: _Optional[_Mapping[str, int]] = ...) -> None: ...

class GenerateCredentialReportRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GenerateCredentialReportResponse(_message.Message):
    __slots__ = ("state", "description")
    STATE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    state: str
    description: str
    def __init__(self, state: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class GetCredentialReportRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetCredentialReportResponse(_message.Message):
    __slots__ = ("content", "report_format", "generated_time")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    REPORT_FORMAT_FIELD_NUMBER: _ClassVar[int]
    GENERATED_TIME_FIELD_NUMBER: _ClassVar[int]
    content: bytes
    report_format: str
    generated_time: _timestamp_pb2.Timestamp
    def __init__(self, content: _Optional[bytes] = ..., report_format: _Optional[str] = ..., generated_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UpdateAccountPasswordPolicyRequest(_message.Message):
    __slots__ = ("minimum_password_length", "require_symbols", "require_numbers", "require_uppercase_characters", "require_lowercase_characters", "allow_users_to_change_password", "max_password_age", "password_reuse_prevention", "hard_expiry")
    MINIMUM_PASSWORD_LENGTH_FIELD_NUMBER: _ClassVar[int]
    REQUIRE_SYMBOLS_FIELD_NUMBER: _ClassVar[int]
    REQUIRE_NUMBERS_FIELD_NUMBER: _ClassVar[int]
    REQUIRE_UPPERCASE_CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    REQUIRE_LOWERCASE_CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_USERS_TO_CHANGE_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    MAX_PASSWORD_AGE_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_REUSE_PREVENTION_FIELD_NUMBER: _ClassVar[int]
    HARD_EXPIRY_FIELD_NUMBER: _ClassVar[int]
    minimum_password_length: int
    require_symbols: bool
    require_numbers: bool
    require_uppercase_characters: bool
    require_lowercase_characters: bool
    allow_users_to_change_password: bool
    max_password_age: int
    password_reuse_prevention: int
    hard_expiry: bool
    def __init__(self, minimum_password_length: _Optional[int] = ..., require_symbols: _Optional[bool] = ..., require_numbers: _Optional[bool] = ..., require_uppercase_characters: _Optional[bool] = ..., require_lowercase_characters: _Optional[bool] = ..., allow_users_to_change_password: _Optional[bool] = ..., max_password_age: _Optional[int] = ..., password_reuse_prevention: _Optional[int] = ..., hard_expiry: _Optional[bool] = ...) -> None: ...

class PasswordPolicy(_message.Message):
    __slots__ = ("minimum_password_length", "require_symbols", "require_numbers", "require_uppercase_characters", "require_lowercase_characters", "allow_users_to_change_password", "expire_passwords", "max_password_age", "password_reuse_prevention", "hard_expiry")
    MINIMUM_PASSWORD_LENGTH_FIELD_NUMBER: _ClassVar[int]
    REQUIRE_SYMBOLS_FIELD_NUMBER: _ClassVar[int]
    REQUIRE_NUMBERS_FIELD_NUMBER: _ClassVar[int]
    REQUIRE_UPPERCASE_CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    REQUIRE_LOWERCASE_CHARACTERS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_USERS_TO_CHANGE_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_PASSWORDS_FIELD_NUMBER: _ClassVar[int]
    MAX_PASSWORD_AGE_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_REUSE_PREVENTION_FIELD_NUMBER: _ClassVar[int]
    HARD_EXPIRY_FIELD_NUMBER: _ClassVar[int]
    minimum_password_length: int
    require_symbols: bool
    require_numbers: bool
    require_uppercase_characters: bool
    require_lowercase_characters: bool
    allow_users_to_change_password: bool
    expire_passwords: bool
    max_password_age: int
    password_reuse_prevention: int
    hard_expiry: bool
    def __init__(self, minimum_password_length: _Optional[int] = ..., require_symbols: _Optional[bool] = ..., require_numbers: _Optional[bool] = ..., require_uppercase_characters: _Optional[bool] = ..., require_lowercase_characters: _Optional[bool] = ..., allow_users_to_change_password: _Optional[bool] = ..., expire_passwords: _Optional[bool] = ..., max_password_age: _Optional[int] = ..., password_reuse_prevention: _Optional[int] = ..., hard_expiry: _Optional[bool] = ...) -> None: ...

class GetAccountPasswordPolicyRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetAccountPasswordPolicyResponse(_message.Message):
    __slots__ = ("password_policy",)
    PASSWORD_POLICY_FIELD_NUMBER: _ClassVar[int]
    password_policy: PasswordPolicy
    def __init__(self, password_policy: _Optional[_Union[PasswordPolicy, _Mapping]] = ...) -> None: ...

class DeleteAccountPasswordPolicyRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CreateAccountAliasRequest(_message.Message):
    __slots__ = ("account_alias",)
    ACCOUNT_ALIAS_FIELD_NUMBER: _ClassVar[int]
    account_alias: str
    def __init__(self, account_alias: _Optional[str] = ...) -> None: ...

class DeleteAccountAliasRequest(_message.Message):
    __slots__ = ("account_alias",)
    ACCOUNT_ALIAS_FIELD_NUMBER: _ClassVar[int]
    account_alias: str
    def __init__(self, account_alias: _Optional[str] = ...) -> None: ...

class ListAccountAliasesRequest(_message.Message):
    __slots__ = ("page",)
    PAGE_FIELD_NUMBER: _ClassVar[int]
    page: Page
    def __init__(self, page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class ListAccountAliasesResponse(_message.Message):
    __slots__ = ("account_aliases", "is_truncated", "marker")
    ACCOUNT_ALIASES_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    account_aliases: _containers.RepeatedScalarFieldContainer[str]
    is_truncated: bool
    marker: str
    def __init__(self, account_aliases: _Optional[_Iterable[str]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ...) -> None: ...

class CreateOpenIDConnectProviderRequest(_message.Message):
    __slots__ = ("url", "client_id_list", "thumbprint_list", "tags")
    URL_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ID_LIST_FIELD_NUMBER: _ClassVar[int]
    THUMBPRINT_LIST_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    url: str
    client_id_list: _containers.RepeatedScalarFieldContainer[str]
    thumbprint_list: _containers.RepeatedScalarFieldContainer[str]
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, url: _Optional[str] = ..., client_id_list: _Optional[_Iterable[str]] = ..., thumbprint_list: _Optional[_Iterable[str]] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class CreateOpenIDConnectProviderResponse(_message.Message):
    __slots__ = ("open_id_connect_provider_arn", "tags", "position")
    OPEN_ID_CONNECT_PROVIDER_ARN_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    open_id_connect_provider_arn: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    position: int
    def __init__(self, open_id_connect_provider_arn: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ..., position: _Optional[int] = ...) -> None: ...

class OpenIDConnectProviderRequest(_message.Message):
    __slots__ = ("open_id_connect_provider_arn",)
    OPEN_ID_CONNECT_PROVIDER_ARN_FIELD_NUMBER: _ClassVar[int]
    open_id_connect_provider_arn: str
    def __init__(self, open_id_connect_provider_arn: _Optional[str] = ...) -> None: ...

class GetOpenIDConnectProviderResponse(_message.Message):
    __slots__ = ("url", "client_id_list", "thumbprint_list", "create_date", "tags")
    URL_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ID_LIST_FIELD_NUMBER: _ClassVar[int]
    THUMBPRINT_LIST_FIELD_NUMBER: _ClassVar[int]
    CREATE_DATE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    url: str
    client_id_list: _containers.RepeatedScalarFieldContainer[str]
    thumbprint_list: _containers.RepeatedScalarFieldContainer[str]
    create_date: _timestamp_pb2.Timestamp
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, url: _Optional[str] = ..., client_id_list: _Optional[_Iterable[str]] = ..., thumbprint_list: _Optional[_Iterable[str]] = ..., create_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class ListOpenIDConnectProvidersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class OpenIDConnectProviderListEntry(_message.Message):
    __slots__ = ("arn",)
    ARN_FIELD_NUMBER: _ClassVar[int]
    arn: str
    def __init__(self, arn: _Optional[str] = ...) -> None: ...

class ListOpenIDConnectProvidersResponse(_message.Message):
    __slots__ = ("open_id_connect_provider_list",)
    OPEN_ID_CONNECT_PROVIDER_LIST_FIELD_NUMBER: _ClassVar[int]
    open_id_connect_provider_list: _containers.RepeatedCompositeFieldContainer[OpenIDConnectProviderListEntry]
    def __init__(self, open_id_connect_provider_list: _Optional[_Iterable[_Union[OpenIDConnectProviderListEntry, _Mapping]]] = ...) -> None: ...

class OpenIDConnectProviderClientIDRequest(_message.Message):
    __slots__ = ("open_id_connect_provider_arn", "client_id")
    OPEN_ID_CONNECT_PROVIDER_ARN_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ID_FIELD_NUMBER: _ClassVar[int]
    open_id_connect_provider_arn: str
    client_id: str
    def __init__(self, open_id_connect_provider_arn: _Optional[str] = ..., client_id: _Optional[str] = ...) -> None: ...

class UpdateOpenIDConnectProviderThumbprintRequest(_message.Message):
    __slots__ = ("open_id_connect_provider_arn", "thumbprint_list")
    OPEN_ID_CONNECT_PROVIDER_ARN_FIELD_NUMBER: _ClassVar[int]
    THUMBPRINT_LIST_FIELD_NUMBER: _ClassVar[int]
    open_id_connect_provider_arn: str
    thumbprint_list: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, open_id_connect_provider_arn: _Optional[str] = ..., thumbprint_list: _Optional[_Iterable[str]] = ...) -> None: ...

class TagOpenIDConnectProviderRequest(_message.Message):
    __slots__ = ("open_id_connect_provider_arn", "tags")
    OPEN_ID_CONNECT_PROVIDER_ARN_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    open_id_connect_provider_arn: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, open_id_connect_provider_arn: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class UntagOpenIDConnectProviderRequest(_message.Message):
    __slots__ = ("open_id_connect_provider_arn", "tag_keys")
    OPEN_ID_CONNECT_PROVIDER_ARN_FIELD_NUMBER: _ClassVar[int]
    TAG_KEYS_FIELD_NUMBER: _ClassVar[int]
    open_id_connect_provider_arn: str
    tag_keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, open_id_connect_provider_arn: _Optional[str] = ..., tag_keys: _Optional[_Iterable[str]] = ...) -> None: ...

class ListOpenIDConnectProviderTagsRequest(_message.Message):
    __slots__ = ("open_id_connect_provider_arn", "page")
    OPEN_ID_CONNECT_PROVIDER_ARN_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    open_id_connect_provider_arn: str
    page: Page
    def __init__(self, open_id_connect_provider_arn: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class SAMLPrivateKey(_message.Message):
    __slots__ = ("key_id", "timestamp")
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    timestamp: _timestamp_pb2.Timestamp
    def __init__(self, key_id: _Optional[str] = ..., timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateSAMLProviderRequest(_message.Message):
    __slots__ = ("name", "saml_metadata_document", "tags", "assertion_encryption_mode", "add_private_key")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SAML_METADATA_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    ASSERTION_ENCRYPTION_MODE_FIELD_NUMBER: _ClassVar[int]
    ADD_PRIVATE_KEY_FIELD_NUMBER: _ClassVar[int]
    name: str
    saml_metadata_document: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    assertion_encryption_mode: AssertionEncryptionMode
    add_private_key: str
    def __init__(self, name: _Optional[str] = ..., saml_metadata_document: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ..., assertion_encryption_mode: _Optional[_Union[AssertionEncryptionMode, str]] = ..., add_private_key: _Optional[str] = ...) -> None: ...

class CreateSAMLProviderResponse(_message.Message):
    __slots__ = ("saml_provider_arn", "tags", "position")
    SAML_PROVIDER_ARN_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    saml_provider_arn: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    position: int
    def __init__(self, saml_provider_arn: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ..., position: _Optional[int] = ...) -> None: ...

class SAMLProviderRequest(_message.Message):
    __slots__ = ("saml_provider_arn",)
    SAML_PROVIDER_ARN_FIELD_NUMBER: _ClassVar[int]
    saml_provider_arn: str
    def __init__(self, saml_provider_arn: _Optional[str] = ...) -> None: ...

class GetSAMLProviderResponse(_message.Message):
    __slots__ = ("saml_provider_uuid", "saml_metadata_document", "create_date", "valid_until", "tags", "assertion_encryption_mode", "private_key_list")
    SAML_PROVIDER_UUID_FIELD_NUMBER: _ClassVar[int]
    SAML_METADATA_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    CREATE_DATE_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    ASSERTION_ENCRYPTION_MODE_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_KEY_LIST_FIELD_NUMBER: _ClassVar[int]
    saml_provider_uuid: str
    saml_metadata_document: str
    create_date: _timestamp_pb2.Timestamp
    valid_until: _timestamp_pb2.Timestamp
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    assertion_encryption_mode: AssertionEncryptionMode
    private_key_list: _containers.RepeatedCompositeFieldContainer[SAMLPrivateKey]
    def __init__(self, saml_provider_uuid: _Optional[str] = ..., saml_metadata_document: _Optional[str] = ..., create_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., valid_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ..., assertion_encryption_mode: _Optional[_Union[AssertionEncryptionMode, str]] = ..., private_key_list: _Optional[_Iterable[_Union[SAMLPrivateKey, _Mapping]]] = ...) -> None: ...

class ListSAMLProvidersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SAMLProviderListEntry(_message.Message):
    __slots__ = ("arn", "valid_until", "create_date")
    ARN_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    CREATE_DATE_FIELD_NUMBER: _ClassVar[int]
    arn: str
    valid_until: _timestamp_pb2.Timestamp
    create_date: _timestamp_pb2.Timestamp
    def __init__(self, arn: _Optional[str] = ..., valid_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListSAMLProvidersResponse(_message.Message):
    __slots__ = ("saml_provider_list",)
    SAML_PROVIDER_LIST_FIELD_NUMBER: _ClassVar[int]
    saml_provider_list: _containers.RepeatedCompositeFieldContainer[SAMLProviderListEntry]
    def __init__(self, saml_provider_list: _Optional[_Iterable[_Union[SAMLProviderListEntry, _Mapping]]] = ...) -> None: ...

class UpdateSAMLProviderRequest(_message.Message):
    __slots__ = ("saml_provider_arn", "saml_metadata_document", "assertion_encryption_mode", "add_private_key", "remove_private_key")
    SAML_PROVIDER_ARN_FIELD_NUMBER: _ClassVar[int]
    SAML_METADATA_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    ASSERTION_ENCRYPTION_MODE_FIELD_NUMBER: _ClassVar[int]
    ADD_PRIVATE_KEY_FIELD_NUMBER: _ClassVar[int]
    REMOVE_PRIVATE_KEY_FIELD_NUMBER: _ClassVar[int]
    saml_provider_arn: str
    saml_metadata_document: str
    assertion_encryption_mode: AssertionEncryptionMode
    add_private_key: str
    remove_private_key: str
    def __init__(self, saml_provider_arn: _Optional[str] = ..., saml_metadata_document: _Optional[str] = ..., assertion_encryption_mode: _Optional[_Union[AssertionEncryptionMode, str]] = ..., add_private_key: _Optional[str] = ..., remove_private_key: _Optional[str] = ...) -> None: ...

class UpdateSAMLProviderResponse(_message.Message):
    __slots__ = ("saml_provider_arn", "position")
    SAML_PROVIDER_ARN_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    saml_provider_arn: str
    position: int
    def __init__(self, saml_provider_arn: _Optional[str] = ..., position: _Optional[int] = ...) -> None: ...

class TagSAMLProviderRequest(_message.Message):
    __slots__ = ("saml_provider_arn", "tags")
    SAML_PROVIDER_ARN_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    saml_provider_arn: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, saml_provider_arn: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class UntagSAMLProviderRequest(_message.Message):
    __slots__ = ("saml_provider_arn", "tag_keys")
    SAML_PROVIDER_ARN_FIELD_NUMBER: _ClassVar[int]
    TAG_KEYS_FIELD_NUMBER: _ClassVar[int]
    saml_provider_arn: str
    tag_keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, saml_provider_arn: _Optional[str] = ..., tag_keys: _Optional[_Iterable[str]] = ...) -> None: ...

class ListSAMLProviderTagsRequest(_message.Message):
    __slots__ = ("saml_provider_arn", "page")
    SAML_PROVIDER_ARN_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    saml_provider_arn: str
    page: Page
    def __init__(self, saml_provider_arn: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class TagMFADeviceRequest(_message.Message):
    __slots__ = ("serial_number", "tags")
    SERIAL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    serial_number: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, serial_number: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class UntagMFADeviceRequest(_message.Message):
    __slots__ = ("serial_number", "tag_keys")
    SERIAL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    TAG_KEYS_FIELD_NUMBER: _ClassVar[int]
    serial_number: str
    tag_keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, serial_number: _Optional[str] = ..., tag_keys: _Optional[_Iterable[str]] = ...) -> None: ...

class ListMFADeviceTagsRequest(_message.Message):
    __slots__ = ("serial_number", "page")
    SERIAL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    serial_number: str
    page: Page
    def __init__(self, serial_number: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class InstanceProfile(_message.Message):
    __slots__ = ("path", "instance_profile_name", "instance_profile_id", "arn", "create_date", "roles", "tags")
    PATH_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_PROFILE_NAME_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_PROFILE_ID_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    CREATE_DATE_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    path: str
    instance_profile_name: str
    instance_profile_id: str
    arn: str
    create_date: _timestamp_pb2.Timestamp
    roles: _containers.RepeatedCompositeFieldContainer[_common_pb2.Role]
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, path: _Optional[str] = ..., instance_profile_name: _Optional[str] = ..., instance_profile_id: _Optional[str] = ..., arn: _Optional[str] = ..., create_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., roles: _Optional[_Iterable[_Union[_common_pb2.Role, _Mapping]]] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class CreateInstanceProfileRequest(_message.Message):
    __slots__ = ("instance_profile_name", "path", "tags")
    INSTANCE_PROFILE_NAME_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    instance_profile_name: str
    path: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, instance_profile_name: _Optional[str] = ..., path: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class CreateInstanceProfileResponse(_message.Message):
    __slots__ = ("instance_profile", "position")
    INSTANCE_PROFILE_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    instance_profile: InstanceProfile
    position: int
    def __init__(self, instance_profile: _Optional[_Union[InstanceProfile, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class GetInstanceProfileRequest(_message.Message):
    __slots__ = ("instance_profile_name",)
    INSTANCE_PROFILE_NAME_FIELD_NUMBER: _ClassVar[int]
    instance_profile_name: str
    def __init__(self, instance_profile_name: _Optional[str] = ...) -> None: ...

class GetInstanceProfileResponse(_message.Message):
    __slots__ = ("instance_profile",)
    INSTANCE_PROFILE_FIELD_NUMBER: _ClassVar[int]
    instance_profile: InstanceProfile
    def __init__(self, instance_profile: _Optional[_Union[InstanceProfile, _Mapping]] = ...) -> None: ...

class DeleteInstanceProfileRequest(_message.Message):
    __slots__ = ("instance_profile_name",)
    INSTANCE_PROFILE_NAME_FIELD_NUMBER: _ClassVar[int]
    instance_profile_name: str
    def __init__(self, instance_profile_name: _Optional[str] = ...) -> None: ...

class ListInstanceProfilesRequest(_message.Message):
    __slots__ = ("path_prefix", "page")
    PATH_PREFIX_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    path_prefix: str
    page: Page
    def __init__(self, path_prefix: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class ListInstanceProfilesResponse(_message.Message):
    __slots__ = ("instance_profiles", "is_truncated", "marker")
    INSTANCE_PROFILES_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    instance_profiles: _containers.RepeatedCompositeFieldContainer[InstanceProfile]
    is_truncated: bool
    marker: str
    def __init__(self, instance_profiles: _Optional[_Iterable[_Union[InstanceProfile, _Mapping]]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ...) -> None: ...

class AddRoleToInstanceProfileRequest(_message.Message):
    __slots__ = ("instance_profile_name", "role_name")
    INSTANCE_PROFILE_NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    instance_profile_name: str
    role_name: str
    def __init__(self, instance_profile_name: _Optional[str] = ..., role_name: _Optional[str] = ...) -> None: ...

class RemoveRoleFromInstanceProfileRequest(_message.Message):
    __slots__ = ("instance_profile_name", "role_name")
    INSTANCE_PROFILE_NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    instance_profile_name: str
    role_name: str
    def __init__(self, instance_profile_name: _Optional[str] = ..., role_name: _Optional[str] = ...) -> None: ...

class ListInstanceProfilesForRoleRequest(_message.Message):
    __slots__ = ("role_name", "page")
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    role_name: str
    page: Page
    def __init__(self, role_name: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class TagInstanceProfileRequest(_message.Message):
    __slots__ = ("instance_profile_name", "tags")
    INSTANCE_PROFILE_NAME_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    instance_profile_name: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, instance_profile_name: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class UntagInstanceProfileRequest(_message.Message):
    __slots__ = ("instance_profile_name", "tag_keys")
    INSTANCE_PROFILE_NAME_FIELD_NUMBER: _ClassVar[int]
    TAG_KEYS_FIELD_NUMBER: _ClassVar[int]
    instance_profile_name: str
    tag_keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, instance_profile_name: _Optional[str] = ..., tag_keys: _Optional[_Iterable[str]] = ...) -> None: ...

class ListInstanceProfileTagsRequest(_message.Message):
    __slots__ = ("instance_profile_name", "page")
    INSTANCE_PROFILE_NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    instance_profile_name: str
    page: Page
    def __init__(self, instance_profile_name: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class LoginProfile(_message.Message):
    __slots__ = ("user_name", "create_date", "password_reset_required")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATE_DATE_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_RESET_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    create_date: _timestamp_pb2.Timestamp
    password_reset_required: bool
    def __init__(self, user_name: _Optional[str] = ..., create_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., password_reset_required: _Optional[bool] = ...) -> None: ...

class CreateLoginProfileRequest(_message.Message):
    __slots__ = ("user_name", "password", "password_reset_required")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_RESET_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    password: str
    password_reset_required: bool
    def __init__(self, user_name: _Optional[str] = ..., password: _Optional[str] = ..., password_reset_required: _Optional[bool] = ...) -> None: ...

class CreateLoginProfileResponse(_message.Message):
    __slots__ = ("login_profile", "position")
    LOGIN_PROFILE_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    login_profile: LoginProfile
    position: int
    def __init__(self, login_profile: _Optional[_Union[LoginProfile, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class GetLoginProfileRequest(_message.Message):
    __slots__ = ("user_name",)
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    def __init__(self, user_name: _Optional[str] = ...) -> None: ...

class GetLoginProfileResponse(_message.Message):
    __slots__ = ("login_profile",)
    LOGIN_PROFILE_FIELD_NUMBER: _ClassVar[int]
    login_profile: LoginProfile
    def __init__(self, login_profile: _Optional[_Union[LoginProfile, _Mapping]] = ...) -> None: ...

class UpdateLoginProfileRequest(_message.Message):
    __slots__ = ("user_name", "password", "password_reset_required")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_RESET_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    password: str
    password_reset_required: bool
    def __init__(self, user_name: _Optional[str] = ..., password: _Optional[str] = ..., password_reset_required: _Optional[bool] = ...) -> None: ...

class DeleteLoginProfileRequest(_message.Message):
    __slots__ = ("user_name",)
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    def __init__(self, user_name: _Optional[str] = ...) -> None: ...

class ChangePasswordRequest(_message.Message):
    __slots__ = ("old_password", "new_password")
    OLD_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    NEW_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    old_password: str
    new_password: str
    def __init__(self, old_password: _Optional[str] = ..., new_password: _Optional[str] = ...) -> None: ...

class CreateServiceLinkedRoleRequest(_message.Message):
    __slots__ = ("aws_service_name", "description", "custom_suffix")
    AWS_SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_SUFFIX_FIELD_NUMBER: _ClassVar[int]
    aws_service_name: str
    description: str
    custom_suffix: str
    def __init__(self, aws_service_name: _Optional[str] = ..., description: _Optional[str] = ..., custom_suffix: _Optional[str] = ...) -> None: ...

class DeleteServiceLinkedRoleRequest(_message.Message):
    __slots__ = ("role_name",)
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    role_name: str
    def __init__(self, role_name: _Optional[str] = ...) -> None: ...

class DeleteServiceLinkedRoleResponse(_message.Message):
    __slots__ = ("deletion_task_id", "position")
    DELETION_TASK_ID_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    deletion_task_id: str
    position: int
    def __init__(self, deletion_task_id: _Optional[str] = ..., position: _Optional[int] = ...) -> None: ...

class GetServiceLinkedRoleDeletionStatusRequest(_message.Message):
    __slots__ = ("deletion_task_id",)
    DELETION_TASK_ID_FIELD_NUMBER: _ClassVar[int]
    deletion_task_id: str
    def __init__(self, deletion_task_id: _Optional[str] = ...) -> None: ...

class RoleUsage(_message.Message):
    __slots__ = ("region", "resources")
    REGION_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    region: str
    resources: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, region: _Optional[str] = ..., resources: _Optional[_Iterable[str]] = ...) -> None: ...

class DeletionTaskFailureReason(_message.Message):
    __slots__ = ("reason", "role_usage_list")
    REASON_FIELD_NUMBER: _ClassVar[int]
    ROLE_USAGE_LIST_FIELD_NUMBER: _ClassVar[int]
    reason: str
    role_usage_list: _containers.RepeatedCompositeFieldContainer[RoleUsage]
    def __init__(self, reason: _Optional[str] = ..., role_usage_list: _Optional[_Iterable[_Union[RoleUsage, _Mapping]]] = ...) -> None: ...

class GetServiceLinkedRoleDeletionStatusResponse(_message.Message):
    __slots__ = ("status", "reason")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    status: str
    reason: DeletionTaskFailureReason
    def __init__(self, status: _Optional[str] = ..., reason: _Optional[_Union[DeletionTaskFailureReason, _Mapping]] = ...) -> None: ...

class SSHPublicKey(_message.Message):
    __slots__ = ("user_name", "ssh_public_key_id", "fingerprint", "ssh_public_key_body", "status", "upload_date")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    SSH_PUBLIC_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    SSH_PUBLIC_KEY_BODY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_DATE_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    ssh_public_key_id: str
    fingerprint: str
    ssh_public_key_body: str
    status: str
    upload_date: _timestamp_pb2.Timestamp
    def __init__(self, user_name: _Optional[str] = ..., ssh_public_key_id: _Optional[str] = ..., fingerprint: _Optional[str] = ..., ssh_public_key_body: _Optional[str] = ..., status: _Optional[str] = ..., upload_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SSHPublicKeyMetadata(_message.Message):
    __slots__ = ("user_name", "ssh_public_key_id", "status", "upload_date")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    SSH_PUBLIC_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_DATE_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    ssh_public_key_id: str
    status: str
    upload_date: _timestamp_pb2.Timestamp
    def __init__(self, user_name: _Optional[str] = ..., ssh_public_key_id: _Optional[str] = ..., status: _Optional[str] = ..., upload_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UploadSSHPublicKeyRequest(_message.Message):
    __slots__ = ("user_name", "ssh_public_key_body")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    SSH_PUBLIC_KEY_BODY_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    ssh_public_key_body: str
    def __init__(self, user_name: _Optional[str] = ..., ssh_public_key_body: _Optional[str] = ...) -> None: ...

class UploadSSHPublicKeyResponse(_message.Message):
    __slots__ = ("ssh_public_key", "position")
    SSH_PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    ssh_public_key: SSHPublicKey
    position: int
    def __init__(self, ssh_public_key: _Optional[_Union[SSHPublicKey, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class GetSSHPublicKeyRequest(_message.Message):
    __slots__ = ("user_name", "ssh_public_key_id", "encoding")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    SSH_PUBLIC_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    ssh_public_key_id: str
    encoding: str
    def __init__(self, user_name: _Optional[str] = ..., ssh_public_key_id: _Optional[str] = ..., encoding: _Optional[str] = ...) -> None: ...

class GetSSHPublicKeyResponse(_message.Message):
    __slots__ = ("ssh_public_key",)
    SSH_PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    ssh_public_key: SSHPublicKey
    def __init__(self, ssh_public_key: _Optional[_Union[SSHPublicKey, _Mapping]] = ...) -> None: ...

class ListSSHPublicKeysRequest(_message.Message):
    __slots__ = ("user_name", "page")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    page: Page
    def __init__(self, user_name: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class ListSSHPublicKeysResponse(_message.Message):
    __slots__ = ("ssh_public_keys", "is_truncated", "marker")
    SSH_PUBLIC_KEYS_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    ssh_public_keys: _containers.RepeatedCompositeFieldContainer[SSHPublicKeyMetadata]
    is_truncated: bool
    marker: str
    def __init__(self, ssh_public_keys: _Optional[_Iterable[_Union[SSHPublicKeyMetadata, _Mapping]]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ...) -> None: ...

class UpdateSSHPublicKeyRequest(_message.Message):
    __slots__ = ("user_name", "ssh_public_key_id", "status")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    SSH_PUBLIC_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    ssh_public_key_id: str
    status: str
    def __init__(self, user_name: _Optional[str] = ..., ssh_public_key_id: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class DeleteSSHPublicKeyRequest(_message.Message):
    __slots__ = ("user_name", "ssh_public_key_id")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    SSH_PUBLIC_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    ssh_public_key_id: str
    def __init__(self, user_name: _Optional[str] = ..., ssh_public_key_id: _Optional[str] = ...) -> None: ...

class ServiceSpecificCredential(_message.Message):
    __slots__ = ("user_name", "service_name", "service_user_name", "service_password", "service_specific_credential_id", "status", "create_date")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVICE_USER_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVICE_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    SERVICE_SPECIFIC_CREDENTIAL_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATE_DATE_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    service_name: str
    service_user_name: str
    service_password: str
    service_specific_credential_id: str
    status: str
    create_date: _timestamp_pb2.Timestamp
    def __init__(self, user_name: _Optional[str] = ..., service_name: _Optional[str] = ..., service_user_name: _Optional[str] = ..., service_password: _Optional[str] = ..., service_specific_credential_id: _Optional[str] = ..., status: _Optional[str] = ..., create_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ServiceSpecificCredentialMetadata(_message.Message):
    __slots__ = ("user_name", "status", "service_user_name", "create_date", "service_specific_credential_id", "service_name")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_USER_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATE_DATE_FIELD_NUMBER: _ClassVar[int]
    SERVICE_SPECIFIC_CREDENTIAL_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    status: str
    service_user_name: str
    create_date: _timestamp_pb2.Timestamp
    service_specific_credential_id: str
    service_name: str
    def __init__(self, user_name: _Optional[str] = ..., status: _Optional[str] = ..., service_user_name: _Optional[str] = ..., create_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., service_specific_credential_id: _Optional[str] = ..., service_name: _Optional[str] = ...) -> None: ...

class CreateServiceSpecificCredentialRequest(_message.Message):
    __slots__ = ("user_name", "service_name")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    service_name: str
    def __init__(self, user_name: _Optional[str] = ..., service_name: _Optional[str] = ...) -> None: ...

class CreateServiceSpecificCredentialResponse(_message.Message):
    __slots__ = ("service_specific_credential", "position")
    SERVICE_SPECIFIC_CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    service_specific_credential: ServiceSpecificCredential
    position: int
    def __init__(self, service_specific_credential: _Optional[_Union[ServiceSpecificCredential, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class ListServiceSpecificCredentialsRequest(_message.Message):
    __slots__ = ("user_name", "service_name", "page")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    service_name: str
    page: Page
    def __init__(self, user_name: _Optional[str] = ..., service_name: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class ListServiceSpecificCredentialsResponse(_message.Message):
    __slots__ = ("service_specific_credentials", "is_truncated", "marker")
    SERVICE_SPECIFIC_CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    service_specific_credentials: _containers.RepeatedCompositeFieldContainer[ServiceSpecificCredentialMetadata]
    is_truncated: bool
    marker: str
    def __init__(self, service_specific_credentials: _Optional[_Iterable[_Union[ServiceSpecificCredentialMetadata, _Mapping]]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ...) -> None: ...

class ResetServiceSpecificCredentialRequest(_message.Message):
    __slots__ = ("user_name", "service_specific_credential_id")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVICE_SPECIFIC_CREDENTIAL_ID_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    service_specific_credential_id: str
    def __init__(self, user_name: _Optional[str] = ..., service_specific_credential_id: _Optional[str] = ...) -> None: ...

class ResetServiceSpecificCredentialResponse(_message.Message):
    __slots__ = ("service_specific_credential", "position")
    SERVICE_SPECIFIC_CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    service_specific_credential: ServiceSpecificCredential
    position: int
    def __init__(self, service_specific_credential: _Optional[_Union[ServiceSpecificCredential, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class UpdateServiceSpecificCredentialRequest(_message.Message):
    __slots__ = ("user_name", "service_specific_credential_id", "status")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVICE_SPECIFIC_CREDENTIAL_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    service_specific_credential_id: str
    status: str
    def __init__(self, user_name: _Optional[str] = ..., service_specific_credential_id: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class DeleteServiceSpecificCredentialRequest(_message.Message):
    __slots__ = ("user_name", "service_specific_credential_id")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVICE_SPECIFIC_CREDENTIAL_ID_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    service_specific_credential_id: str
    def __init__(self, user_name: _Optional[str] = ..., service_specific_credential_id: _Optional[str] = ...) -> None: ...

class SigningCertificate(_message.Message):
    __slots__ = ("user_name", "certificate_id", "certificate_body", "status", "upload_date")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_ID_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_BODY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_DATE_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    certificate_id: str
    certificate_body: str
    status: str
    upload_date: _timestamp_pb2.Timestamp
    def __init__(self, user_name: _Optional[str] = ..., certificate_id: _Optional[str] = ..., certificate_body: _Optional[str] = ..., status: _Optional[str] = ..., upload_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class UploadSigningCertificateRequest(_message.Message):
    __slots__ = ("user_name", "certificate_body")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_BODY_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    certificate_body: str
    def __init__(self, user_name: _Optional[str] = ..., certificate_body: _Optional[str] = ...) -> None: ...

class UploadSigningCertificateResponse(_message.Message):
    __slots__ = ("certificate", "position")
    CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    certificate: SigningCertificate
    position: int
    def __init__(self, certificate: _Optional[_Union[SigningCertificate, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class ListSigningCertificatesRequest(_message.Message):
    __slots__ = ("user_name", "page")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    page: Page
    def __init__(self, user_name: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class ListSigningCertificatesResponse(_message.Message):
    __slots__ = ("certificates", "is_truncated", "marker")
    CERTIFICATES_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    certificates: _containers.RepeatedCompositeFieldContainer[SigningCertificate]
    is_truncated: bool
    marker: str
    def __init__(self, certificates: _Optional[_Iterable[_Union[SigningCertificate, _Mapping]]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ...) -> None: ...

class UpdateSigningCertificateRequest(_message.Message):
    __slots__ = ("user_name", "certificate_id", "status")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    certificate_id: str
    status: str
    def __init__(self, user_name: _Optional[str] = ..., certificate_id: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class DeleteSigningCertificateRequest(_message.Message):
    __slots__ = ("user_name", "certificate_id")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_ID_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    certificate_id: str
    def __init__(self, user_name: _Optional[str] = ..., certificate_id: _Optional[str] = ...) -> None: ...

class ServerCertificateMetadata(_message.Message):
    __slots__ = ("path", "server_certificate_name", "server_certificate_id", "arn", "upload_date", "expiration")
    PATH_FIELD_NUMBER: _ClassVar[int]
    SERVER_CERTIFICATE_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVER_CERTIFICATE_ID_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_DATE_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    path: str
    server_certificate_name: str
    server_certificate_id: str
    arn: str
    upload_date: _timestamp_pb2.Timestamp
    expiration: _timestamp_pb2.Timestamp
    def __init__(self, path: _Optional[str] = ..., server_certificate_name: _Optional[str] = ..., server_certificate_id: _Optional[str] = ..., arn: _Optional[str] = ..., upload_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expiration: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ServerCertificate(_message.Message):
    __slots__ = ("server_certificate_metadata", "certificate_body", "certificate_chain", "tags")
    SERVER_CERTIFICATE_METADATA_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_BODY_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_CHAIN_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    server_certificate_metadata: ServerCertificateMetadata
    certificate_body: str
    certificate_chain: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, server_certificate_metadata: _Optional[_Union[ServerCertificateMetadata, _Mapping]] = ..., certificate_body: _Optional[str] = ..., certificate_chain: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class UploadServerCertificateRequest(_message.Message):
    __slots__ = ("path", "server_certificate_name", "certificate_body", "private_key", "certificate_chain", "tags")
    PATH_FIELD_NUMBER: _ClassVar[int]
    SERVER_CERTIFICATE_NAME_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_BODY_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_KEY_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_CHAIN_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    path: str
    server_certificate_name: str
    certificate_body: str
    private_key: str
    certificate_chain: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, path: _Optional[str] = ..., server_certificate_name: _Optional[str] = ..., certificate_body: _Optional[str] = ..., private_key: _Optional[str] = ..., certificate_chain: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class UploadServerCertificateResponse(_message.Message):
    __slots__ = ("server_certificate_metadata", "tags", "position")
    SERVER_CERTIFICATE_METADATA_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    server_certificate_metadata: ServerCertificateMetadata
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    position: int
    def __init__(self, server_certificate_metadata: _Optional[_Union[ServerCertificateMetadata, _Mapping]] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ..., position: _Optional[int] = ...) -> None: ...

class GetServerCertificateRequest(_message.Message):
    __slots__ = ("server_certificate_name",)
    SERVER_CERTIFICATE_NAME_FIELD_NUMBER: _ClassVar[int]
    server_certificate_name: str
    def __init__(self, server_certificate_name: _Optional[str] = ...) -> None: ...

class GetServerCertificateResponse(_message.Message):
    __slots__ = ("server_certificate",)
    SERVER_CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    server_certificate: ServerCertificate
    def __init__(self, server_certificate: _Optional[_Union[ServerCertificate, _Mapping]] = ...) -> None: ...

class ListServerCertificatesRequest(_message.Message):
    __slots__ = ("path_prefix", "page")
    PATH_PREFIX_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    path_prefix: str
    page: Page
    def __init__(self, path_prefix: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class ListServerCertificatesResponse(_message.Message):
    __slots__ = ("server_certificate_metadata_list", "is_truncated", "marker")
    SERVER_CERTIFICATE_METADATA_LIST_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    server_certificate_metadata_list: _containers.RepeatedCompositeFieldContainer[ServerCertificateMetadata]
    is_truncated: bool
    marker: str
    def __init__(self, server_certificate_metadata_list: _Optional[_Iterable[_Union[ServerCertificateMetadata, _Mapping]]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ...) -> None: ...

class UpdateServerCertificateRequest(_message.Message):
    __slots__ = ("server_certificate_name", "new_path", "new_server_certificate_name")
    SERVER_CERTIFICATE_NAME_FIELD_NUMBER: _ClassVar[int]
    NEW_PATH_FIELD_NUMBER: _ClassVar[int]
    NEW_SERVER_CERTIFICATE_NAME_FIELD_NUMBER: _ClassVar[int]
    server_certificate_name: str
    new_path: str
    new_server_certificate_name: str
    def __init__(self, server_certificate_name: _Optional[str] = ..., new_path: _Optional[str] = ..., new_server_certificate_name: _Optional[str] = ...) -> None: ...

class DeleteServerCertificateRequest(_message.Message):
    __slots__ = ("server_certificate_name",)
    SERVER_CERTIFICATE_NAME_FIELD_NUMBER: _ClassVar[int]
    server_certificate_name: str
    def __init__(self, server_certificate_name: _Optional[str] = ...) -> None: ...

class TagServerCertificateRequest(_message.Message):
    __slots__ = ("server_certificate_name", "tags")
    SERVER_CERTIFICATE_NAME_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    server_certificate_name: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, server_certificate_name: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class UntagServerCertificateRequest(_message.Message):
    __slots__ = ("server_certificate_name", "tag_keys")
    SERVER_CERTIFICATE_NAME_FIELD_NUMBER: _ClassVar[int]
    TAG_KEYS_FIELD_NUMBER: _ClassVar[int]
    server_certificate_name: str
    tag_keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, server_certificate_name: _Optional[str] = ..., tag_keys: _Optional[_Iterable[str]] = ...) -> None: ...

class ListServerCertificateTagsRequest(_message.Message):
    __slots__ = ("server_certificate_name", "page")
    SERVER_CERTIFICATE_NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    server_certificate_name: str
    page: Page
    def __init__(self, server_certificate_name: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class GenerateServiceLastAccessedDetailsRequest(_message.Message):
    __slots__ = ("arn", "granularity")
    ARN_FIELD_NUMBER: _ClassVar[int]
    GRANULARITY_FIELD_NUMBER: _ClassVar[int]
    arn: str
    granularity: str
    def __init__(self, arn: _Optional[str] = ..., granularity: _Optional[str] = ...) -> None: ...

class GenerateServiceLastAccessedDetailsResponse(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class GetServiceLastAccessedDetailsRequest(_message.Message):
    __slots__ = ("job_id", "page")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    page: Page
    def __init__(self, job_id: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class TrackedActionLastAccessed(_message.Message):
    __slots__ = ("action_name", "last_accessed_entity", "last_accessed_time", "last_accessed_region")
    ACTION_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_ACCESSED_ENTITY_FIELD_NUMBER: _ClassVar[int]
    LAST_ACCESSED_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_ACCESSED_REGION_FIELD_NUMBER: _ClassVar[int]
    action_name: str
    last_accessed_entity: str
    last_accessed_time: _timestamp_pb2.Timestamp
    last_accessed_region: str
    def __init__(self, action_name: _Optional[str] = ..., last_accessed_entity: _Optional[str] = ..., last_accessed_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_accessed_region: _Optional[str] = ...) -> None: ...

class ServiceLastAccessed(_message.Message):
    __slots__ = ("service_name", "last_authenticated", "service_namespace", "last_authenticated_entity", "last_authenticated_region", "total_authenticated_entities", "tracked_actions_last_accessed")
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_AUTHENTICATED_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    LAST_AUTHENTICATED_ENTITY_FIELD_NUMBER: _ClassVar[int]
    LAST_AUTHENTICATED_REGION_FIELD_NUMBER: _ClassVar[int]
    TOTAL_AUTHENTICATED_ENTITIES_FIELD_NUMBER: _ClassVar[int]
    TRACKED_ACTIONS_LAST_ACCESSED_FIELD_NUMBER: _ClassVar[int]
    service_name: str
    last_authenticated: _timestamp_pb2.Timestamp
    service_namespace: str
    last_authenticated_entity: str
    last_authenticated_region: str
    total_authenticated_entities: int
    tracked_actions_last_accessed: _containers.RepeatedCompositeFieldContainer[TrackedActionLastAccessed]
    def __init__(self, service_name: _Optional[str] = ..., last_authenticated: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., service_namespace: _Optional[str] = ..., last_authenticated_entity: _Optional[str] = ..., last_authenticated_region: _Optional[str] = ..., total_authenticated_entities: _Optional[int] = ..., tracked_actions_last_accessed: _Optional[_Iterable[_Union[TrackedActionLastAccessed, _Mapping]]] = ...) -> None: ...

class ErrorDetails(_message.Message):
    __slots__ = ("message", "code")
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    message: str
    code: str
    def __init__(self, message: _Optional[str] = ..., code: _Optional[str] = ...) -> None: ...

class GetServiceLastAccessedDetailsResponse(_message.Message):
    __slots__ = ("job_status", "job_type", "job_creation_date", "services_last_accessed", "job_completion_date", "is_truncated", "marker", "error")
    JOB_STATUS_FIELD_NUMBER: _ClassVar[int]
    JOB_TYPE_FIELD_NUMBER: _ClassVar[int]
    JOB_CREATION_DATE_FIELD_NUMBER: _ClassVar[int]
    SERVICES_LAST_ACCESSED_FIELD_NUMBER: _ClassVar[int]
    JOB_COMPLETION_DATE_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    job_status: str
    job_type: str
    job_creation_date: _timestamp_pb2.Timestamp
    services_last_accessed: _containers.RepeatedCompositeFieldContainer[ServiceLastAccessed]
    job_completion_date: _timestamp_pb2.Timestamp
    is_truncated: bool
    marker: str
    error: ErrorDetails
    def __init__(self, job_status: _Optional[str] = ..., job_type: _Optional[str] = ..., job_creation_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., services_last_accessed: _Optional[_Iterable[_Union[ServiceLastAccessed, _Mapping]]] = ..., job_completion_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ..., error: _Optional[_Union[ErrorDetails, _Mapping]] = ...) -> None: ...

class GetServiceLastAccessedDetailsWithEntitiesRequest(_message.Message):
    __slots__ = ("job_id", "service_namespace", "page")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    service_namespace: str
    page: Page
    def __init__(self, job_id: _Optional[str] = ..., service_namespace: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class EntityInfo(_message.Message):
    __slots__ = ("arn", "name", "type", "id", "path")
    ARN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    arn: str
    name: str
    type: str
    id: str
    path: str
    def __init__(self, arn: _Optional[str] = ..., name: _Optional[str] = ..., type: _Optional[str] = ..., id: _Optional[str] = ..., path: _Optional[str] = ...) -> None: ...

class EntityDetails(_message.Message):
    __slots__ = ("entity_info", "last_authenticated")
    ENTITY_INFO_FIELD_NUMBER: _ClassVar[int]
    LAST_AUTHENTICATED_FIELD_NUMBER: _ClassVar[int]
    entity_info: EntityInfo
    last_authenticated: _timestamp_pb2.Timestamp
    def __init__(self, entity_info: _Optional[_Union[EntityInfo, _Mapping]] = ..., last_authenticated: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetServiceLastAccessedDetailsWithEntitiesResponse(_message.Message):
    __slots__ = ("job_status", "job_creation_date", "job_completion_date", "entity_details_list", "is_truncated", "marker", "error")
    JOB_STATUS_FIELD_NUMBER: _ClassVar[int]
    JOB_CREATION_DATE_FIELD_NUMBER: _ClassVar[int]
    JOB_COMPLETION_DATE_FIELD_NUMBER: _ClassVar[int]
    ENTITY_DETAILS_LIST_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    job_status: str
    job_creation_date: _timestamp_pb2.Timestamp
    job_completion_date: _timestamp_pb2.Timestamp
    entity_details_list: _containers.RepeatedCompositeFieldContainer[EntityDetails]
    is_truncated: bool
    marker: str
    error: ErrorDetails
    def __init__(self, job_status: _Optional[str] = ..., job_creation_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., job_completion_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., entity_details_list: _Optional[_Iterable[_Union[EntityDetails, _Mapping]]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ..., error: _Optional[_Union[ErrorDetails, _Mapping]] = ...) -> None: ...

class UpdateRoleDescriptionRequest(_message.Message):
    __slots__ = ("role_name", "description")
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    role_name: str
    description: str
    def __init__(self, role_name: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class UpdateRoleDescriptionResponse(_message.Message):
    __slots__ = ("role", "position")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    role: _common_pb2.Role
    position: int
    def __init__(self, role: _Optional[_Union[_common_pb2.Role, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class GetMFADeviceRequest(_message.Message):
    __slots__ = ("serial_number", "user_name")
    SERIAL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    serial_number: str
    user_name: str
    def __init__(self, serial_number: _Optional[str] = ..., user_name: _Optional[str] = ...) -> None: ...

class GetMFADeviceResponse(_message.Message):
    __slots__ = ("user_name", "serial_number", "enable_date", "certifications")
    class CertificationsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    SERIAL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ENABLE_DATE_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    serial_number: str
    enable_date: _timestamp_pb2.Timestamp
    certifications: _containers.ScalarMap[str, str]
    def __init__(self, user_name: _Optional[str] = ..., serial_number: _Optional[str] = ..., enable_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., certifications: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ResyncMFADeviceRequest(_message.Message):
    __slots__ = ("user_name", "serial_number", "authentication_code1", "authentication_code2")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    SERIAL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    AUTHENTICATION_CODE1_FIELD_NUMBER: _ClassVar[int]
    AUTHENTICATION_CODE2_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    serial_number: str
    authentication_code1: str
    authentication_code2: str
    def __init__(self, user_name: _Optional[str] = ..., serial_number: _Optional[str] = ..., authentication_code1: _Optional[str] = ..., authentication_code2: _Optional[str] = ...) -> None: ...

class EnableOrganizationsRootCredentialsManagementRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class EnableOrganizationsRootCredentialsManagementResponse(_message.Message):
    __slots__ = ("organization_id", "enabled_features", "position")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FEATURES_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    organization_id: str
    enabled_features: _containers.RepeatedScalarFieldContainer[str]
    position: int
    def __init__(self, organization_id: _Optional[str] = ..., enabled_features: _Optional[_Iterable[str]] = ..., position: _Optional[int] = ...) -> None: ...

class DisableOrganizationsRootCredentialsManagementRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DisableOrganizationsRootCredentialsManagementResponse(_message.Message):
    __slots__ = ("organization_id", "enabled_features", "position")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FEATURES_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    organization_id: str
    enabled_features: _containers.RepeatedScalarFieldContainer[str]
    position: int
    def __init__(self, organization_id: _Optional[str] = ..., enabled_features: _Optional[_Iterable[str]] = ..., position: _Optional[int] = ...) -> None: ...

class EnableOrganizationsRootSessionsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class EnableOrganizationsRootSessionsResponse(_message.Message):
    __slots__ = ("organization_id", "enabled_features", "position")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FEATURES_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    organization_id: str
    enabled_features: _containers.RepeatedScalarFieldContainer[str]
    position: int
    def __init__(self, organization_id: _Optional[str] = ..., enabled_features: _Optional[_Iterable[str]] = ..., position: _Optional[int] = ...) -> None: ...

class DisableOrganizationsRootSessionsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DisableOrganizationsRootSessionsResponse(_message.Message):
    __slots__ = ("organization_id", "enabled_features", "position")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FEATURES_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    organization_id: str
    enabled_features: _containers.RepeatedScalarFieldContainer[str]
    position: int
    def __init__(self, organization_id: _Optional[str] = ..., enabled_features: _Optional[_Iterable[str]] = ..., position: _Optional[int] = ...) -> None: ...

class ListOrganizationsFeaturesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListOrganizationsFeaturesResponse(_message.Message):
    __slots__ = ("organization_id", "enabled_features")
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FEATURES_FIELD_NUMBER: _ClassVar[int]
    organization_id: str
    enabled_features: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, organization_id: _Optional[str] = ..., enabled_features: _Optional[_Iterable[str]] = ...) -> None: ...

class ListPoliciesGrantingServiceAccessRequest(_message.Message):
    __slots__ = ("arn", "service_namespaces", "marker")
    ARN_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAMESPACES_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    arn: str
    service_namespaces: _containers.RepeatedScalarFieldContainer[str]
    marker: str
    def __init__(self, arn: _Optional[str] = ..., service_namespaces: _Optional[_Iterable[str]] = ..., marker: _Optional[str] = ...) -> None: ...

class PolicyGrantingServiceAccess(_message.Message):
    __slots__ = ("policy_name", "policy_type", "policy_arn", "entity_type", "entity_name")
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_TYPE_FIELD_NUMBER: _ClassVar[int]
    POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    ENTITY_TYPE_FIELD_NUMBER: _ClassVar[int]
    ENTITY_NAME_FIELD_NUMBER: _ClassVar[int]
    policy_name: str
    policy_type: str
    policy_arn: str
    entity_type: str
    entity_name: str
    def __init__(self, policy_name: _Optional[str] = ..., policy_type: _Optional[str] = ..., policy_arn: _Optional[str] = ..., entity_type: _Optional[str] = ..., entity_name: _Optional[str] = ...) -> None: ...

class ListPoliciesGrantingServiceAccessEntry(_message.Message):
    __slots__ = ("service_namespace", "policies")
    SERVICE_NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    POLICIES_FIELD_NUMBER: _ClassVar[int]
    service_namespace: str
    policies: _containers.RepeatedCompositeFieldContainer[PolicyGrantingServiceAccess]
    def __init__(self, service_namespace: _Optional[str] = ..., policies: _Optional[_Iterable[_Union[PolicyGrantingServiceAccess, _Mapping]]] = ...) -> None: ...

class ListPoliciesGrantingServiceAccessResponse(_message.Message):
    __slots__ = ("policies_granting_service_access", "is_truncated", "marker")
    POLICIES_GRANTING_SERVICE_ACCESS_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    policies_granting_service_access: _containers.RepeatedCompositeFieldContainer[ListPoliciesGrantingServiceAccessEntry]
    is_truncated: bool
    marker: str
    def __init__(self, policies_granting_service_access: _Optional[_Iterable[_Union[ListPoliciesGrantingServiceAccessEntry, _Mapping]]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ...) -> None: ...

class SetSecurityTokenServicePreferencesRequest(_message.Message):
    __slots__ = ("global_endpoint_token_version",)
    GLOBAL_ENDPOINT_TOKEN_VERSION_FIELD_NUMBER: _ClassVar[int]
    global_endpoint_token_version: str
    def __init__(self, global_endpoint_token_version: _Optional[str] = ...) -> None: ...

class SetSecurityTokenServicePreferencesResponse(_message.Message):
    __slots__ = ("position",)
    POSITION_FIELD_NUMBER: _ClassVar[int]
    position: int
    def __init__(self, position: _Optional[int] = ...) -> None: ...

class EnableOutboundWebIdentityFederationRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class EnableOutboundWebIdentityFederationResponse(_message.Message):
    __slots__ = ("issuer_identifier", "position")
    ISSUER_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    issuer_identifier: str
    position: int
    def __init__(self, issuer_identifier: _Optional[str] = ..., position: _Optional[int] = ...) -> None: ...

class DisableOutboundWebIdentityFederationRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DisableOutboundWebIdentityFederationResponse(_message.Message):
    __slots__ = ("position",)
    POSITION_FIELD_NUMBER: _ClassVar[int]
    position: int
    def __init__(self, position: _Optional[int] = ...) -> None: ...

class GetOutboundWebIdentityFederationInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetOutboundWebIdentityFederationInfoResponse(_message.Message):
    __slots__ = ("issuer_identifier", "jwt_vending_enabled")
    ISSUER_IDENTIFIER_FIELD_NUMBER: _ClassVar[int]
    JWT_VENDING_ENABLED_FIELD_NUMBER: _ClassVar[int]
    issuer_identifier: str
    jwt_vending_enabled: bool
    def __init__(self, issuer_identifier: _Optional[str] = ..., jwt_vending_enabled: _Optional[bool] = ...) -> None: ...

class GenerateOrganizationsAccessReportRequest(_message.Message):
    __slots__ = ("entity_path", "organizations_policy_id")
    ENTITY_PATH_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATIONS_POLICY_ID_FIELD_NUMBER: _ClassVar[int]
    entity_path: str
    organizations_policy_id: str
    def __init__(self, entity_path: _Optional[str] = ..., organizations_policy_id: _Optional[str] = ...) -> None: ...

class GenerateOrganizationsAccessReportResponse(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class GetOrganizationsAccessReportRequest(_message.Message):
    __slots__ = ("job_id", "page", "sort_key")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    SORT_KEY_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    page: Page
    sort_key: str
    def __init__(self, job_id: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ..., sort_key: _Optional[str] = ...) -> None: ...

class AccessDetail(_message.Message):
    __slots__ = ("service_name", "service_namespace", "region", "entity_path", "last_authenticated_time", "total_authenticated_entities")
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    ENTITY_PATH_FIELD_NUMBER: _ClassVar[int]
    LAST_AUTHENTICATED_TIME_FIELD_NUMBER: _ClassVar[int]
    TOTAL_AUTHENTICATED_ENTITIES_FIELD_NUMBER: _ClassVar[int]
    service_name: str
    service_namespace: str
    region: str
    entity_path: str
    last_authenticated_time: _timestamp_pb2.Timestamp
    total_authenticated_entities: int
    def __init__(self, service_name: _Optional[str] = ..., service_namespace: _Optional[str] = ..., region: _Optional[str] = ..., entity_path: _Optional[str] = ..., last_authenticated_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., total_authenticated_entities: _Optional[int] = ...) -> None: ...

class GetOrganizationsAccessReportResponse(_message.Message):
    __slots__ = ("job_status", "job_creation_date", "job_completion_date", "number_of_services_accessible", "number_of_services_not_accessed", "access_details", "is_truncated", "marker", "error_details")
    JOB_STATUS_FIELD_NUMBER: _ClassVar[int]
    JOB_CREATION_DATE_FIELD_NUMBER: _ClassVar[int]
    JOB_COMPLETION_DATE_FIELD_NUMBER: _ClassVar[int]
    NUMBER_OF_SERVICES_ACCESSIBLE_FIELD_NUMBER: _ClassVar[int]
    NUMBER_OF_SERVICES_NOT_ACCESSED_FIELD_NUMBER: _ClassVar[int]
    ACCESS_DETAILS_FIELD_NUMBER: _ClassVar[int]
    IS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    MARKER_FIELD_NUMBER: _ClassVar[int]
    ERROR_DETAILS_FIELD_NUMBER: _ClassVar[int]
    job_status: str
    job_creation_date: _timestamp_pb2.Timestamp
    job_completion_date: _timestamp_pb2.Timestamp
    number_of_services_accessible: int
    number_of_services_not_accessed: int
    access_details: _containers.RepeatedCompositeFieldContainer[AccessDetail]
    is_truncated: bool
    marker: str
    error_details: ErrorDetails
    def __init__(self, job_status: _Optional[str] = ..., job_creation_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., job_completion_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., number_of_services_accessible: _Optional[int] = ..., number_of_services_not_accessed: _Optional[int] = ..., access_details: _Optional[_Iterable[_Union[AccessDetail, _Mapping]]] = ..., is_truncated: _Optional[bool] = ..., marker: _Optional[str] = ..., error_details: _Optional[_Union[ErrorDetails, _Mapping]] = ...) -> None: ...
