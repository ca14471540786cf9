import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EntityKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ENTITY_KIND_UNSPECIFIED: _ClassVar[EntityKind]
    ENTITY_KIND_USER: _ClassVar[EntityKind]
    ENTITY_KIND_GROUP: _ClassVar[EntityKind]
    ENTITY_KIND_ROLE: _ClassVar[EntityKind]
    ENTITY_KIND_POLICY: _ClassVar[EntityKind]
ENTITY_KIND_UNSPECIFIED: EntityKind
ENTITY_KIND_USER: EntityKind
ENTITY_KIND_GROUP: EntityKind
ENTITY_KIND_ROLE: EntityKind
ENTITY_KIND_POLICY: EntityKind

class Tag(_message.Message):
    __slots__ = ("key", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    value: str
    def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class EntityRef(_message.Message):
    __slots__ = ("kind", "name")
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    kind: EntityKind
    name: str
    def __init__(self, kind: _Optional[_Union[EntityKind, str]] = ..., name: _Optional[str] = ...) -> None: ...

class User(_message.Message):
    __slots__ = ("user_name", "user_id", "arn", "path", "create_date", "permissions_boundary_arn", "tags")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    CREATE_DATE_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_BOUNDARY_ARN_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    user_id: str
    arn: str
    path: str
    create_date: _timestamp_pb2.Timestamp
    permissions_boundary_arn: str
    tags: _containers.RepeatedCompositeFieldContainer[Tag]
    def __init__(self, user_name: _Optional[str] = ..., user_id: _Optional[str] = ..., arn: _Optional[str] = ..., path: _Optional[str] = ..., create_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., permissions_boundary_arn: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[Tag, _Mapping]]] = ...) -> None: ...

class Group(_message.Message):
    __slots__ = ("group_name", "group_id", "arn", "path", "create_date")
    GROUP_NAME_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    CREATE_DATE_FIELD_NUMBER: _ClassVar[int]
    group_name: str
    group_id: str
    arn: str
    path: str
    create_date: _timestamp_pb2.Timestamp
    def __init__(self, group_name: _Optional[str] = ..., group_id: _Optional[str] = ..., arn: _Optional[str] = ..., path: _Optional[str] = ..., create_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Role(_message.Message):
    __slots__ = ("role_name", "role_id", "arn", "path", "create_date", "assume_role_policy_document", "description", "max_session_duration", "permissions_boundary_arn", "tags")
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_ID_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    CREATE_DATE_FIELD_NUMBER: _ClassVar[int]
    ASSUME_ROLE_POLICY_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    MAX_SESSION_DURATION_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_BOUNDARY_ARN_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    role_name: str
    role_id: str
    arn: str
    path: str
    create_date: _timestamp_pb2.Timestamp
    assume_role_policy_document: str
    description: str
    max_session_duration: int
    permissions_boundary_arn: str
    tags: _containers.RepeatedCompositeFieldContainer[Tag]
    def __init__(self, role_name: _Optional[str] = ..., role_id: _Optional[str] = ..., arn: _Optional[str] = ..., path: _Optional[str] = ..., create_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., assume_role_policy_document: _Optional[str] = ..., description: _Optional[str] = ..., max_session_duration: _Optional[int] = ..., permissions_boundary_arn: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[Tag, _Mapping]]] = ...) -> None: ...

class Policy(_message.Message):
    __slots__ = ("policy_name", "policy_id", "arn", "path", "default_version_id", "attachment_count", "permissions_boundary_usage_count", "is_attachable", "description", "create_date", "update_date", "tags")
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_ID_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_BOUNDARY_USAGE_COUNT_FIELD_NUMBER: _ClassVar[int]
    IS_ATTACHABLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CREATE_DATE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_DATE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    policy_name: str
    policy_id: str
    arn: str
    path: str
    default_version_id: str
    attachment_count: int
    permissions_boundary_usage_count: int
    is_attachable: bool
    description: str
    create_date: _timestamp_pb2.Timestamp
    update_date: _timestamp_pb2.Timestamp
    tags: _containers.RepeatedCompositeFieldContainer[Tag]
    def __init__(self, policy_name: _Optional[str] = ..., policy_id: _Optional[str] = ..., arn: _Optional[str] = ..., path: _Optional[str] = ..., default_version_id: _Optional[str] = ..., attachment_count: _Optional[int] = ..., permissions_boundary_usage_count: _Optional[int] = ..., is_attachable: _Optional[bool] = ..., description: _Optional[str] = ..., create_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., tags: _Optional[_Iterable[_Union[Tag, _Mapping]]] = ...) -> None: ...

class PolicyVersion(_message.Message):
    __slots__ = ("document", "version_id", "is_default_version", "create_date")
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    IS_DEFAULT_VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATE_DATE_FIELD_NUMBER: _ClassVar[int]
    document: str
    version_id: str
    is_default_version: bool
    create_date: _timestamp_pb2.Timestamp
    def __init__(self, document: _Optional[str] = ..., version_id: _Optional[str] = ..., is_default_version: _Optional[bool] = ..., create_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AttachedPolicy(_message.Message):
    __slots__ = ("policy_name", "policy_arn")
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    policy_name: str
    policy_arn: str
    def __init__(self, policy_name: _Optional[str] = ..., policy_arn: _Optional[str] = ...) -> None: ...

class InlinePolicy(_message.Message):
    __slots__ = ("policy_name", "policy_document")
    POLICY_NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    policy_name: str
    policy_document: str
    def __init__(self, policy_name: _Optional[str] = ..., policy_document: _Optional[str] = ...) -> None: ...
