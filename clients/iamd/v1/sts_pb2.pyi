import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from iamd.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PolicyDescriptor(_message.Message):
    __slots__ = ("arn",)
    ARN_FIELD_NUMBER: _ClassVar[int]
    arn: str
    def __init__(self, arn: _Optional[str] = ...) -> None: ...

class AssumeRoleRequest(_message.Message):
    __slots__ = ("role_arn", "role_session_name", "duration_seconds", "policy", "policy_arns", "tags", "transitive_tag_keys", "external_id", "serial_number", "token_code", "source_identity")
    ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    ROLE_SESSION_NAME_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    POLICY_ARNS_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    TRANSITIVE_TAG_KEYS_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_ID_FIELD_NUMBER: _ClassVar[int]
    SERIAL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    TOKEN_CODE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_IDENTITY_FIELD_NUMBER: _ClassVar[int]
    role_arn: str
    role_session_name: str
    duration_seconds: int
    policy: str
    policy_arns: _containers.RepeatedCompositeFieldContainer[PolicyDescriptor]
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    transitive_tag_keys: _containers.RepeatedScalarFieldContainer[str]
    external_id: str
    serial_number: str
    token_code: str
    source_identity: str
    def __init__(self, role_arn: _Optional[str] = ..., role_session_name: _Optional[str] = ..., duration_seconds: _Optional[int] = ..., policy: _Optional[str] = ..., policy_arns: _Optional[_Iterable[_Union[PolicyDescriptor, _Mapping]]] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ..., transitive_tag_keys: _Optional[_Iterable[str]] = ..., external_id: _Optional[str] = ..., serial_number: _Optional[str] = ..., token_code: _Optional[str] = ..., source_identity: _Optional[str] = ...) -> None: ...

class Credentials(_message.Message):
    __slots__ = ("access_key_id", "secret_access_key", "session_token", "expiration")
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SECRET_ACCESS_KEY_FIELD_NUMBER: _ClassVar[int]
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: _timestamp_pb2.Timestamp
    def __init__(self, access_key_id: _Optional[str] = ..., secret_access_key: _Optional[str] = ..., session_token: _Optional[str] = ..., expiration: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AssumedRoleUser(_message.Message):
    __slots__ = ("assumed_role_id", "arn")
    ASSUMED_ROLE_ID_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    assumed_role_id: str
    arn: str
    def __init__(self, assumed_role_id: _Optional[str] = ..., arn: _Optional[str] = ...) -> None: ...

class AssumeRoleResponse(_message.Message):
    __slots__ = ("credentials", "assumed_role_user", "packed_policy_size", "source_identity", "position")
    CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    ASSUMED_ROLE_USER_FIELD_NUMBER: _ClassVar[int]
    PACKED_POLICY_SIZE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_IDENTITY_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    credentials: Credentials
    assumed_role_user: AssumedRoleUser
    packed_policy_size: int
    source_identity: str
    position: int
    def __init__(self, credentials: _Optional[_Union[Credentials, _Mapping]] = ..., assumed_role_user: _Optional[_Union[AssumedRoleUser, _Mapping]] = ..., packed_policy_size: _Optional[int] = ..., source_identity: _Optional[str] = ..., position: _Optional[int] = ...) -> None: ...

class GetSessionTokenRequest(_message.Message):
    __slots__ = ("duration_seconds", "serial_number", "token_code")
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SERIAL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    TOKEN_CODE_FIELD_NUMBER: _ClassVar[int]
    duration_seconds: int
    serial_number: str
    token_code: str
    def __init__(self, duration_seconds: _Optional[int] = ..., serial_number: _Optional[str] = ..., token_code: _Optional[str] = ...) -> None: ...

class GetSessionTokenResponse(_message.Message):
    __slots__ = ("credentials", "position")
    CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    credentials: Credentials
    position: int
    def __init__(self, credentials: _Optional[_Union[Credentials, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class GetFederationTokenRequest(_message.Message):
    __slots__ = ("name", "policy", "policy_arns", "duration_seconds", "tags")
    NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    POLICY_ARNS_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    name: str
    policy: str
    policy_arns: _containers.RepeatedCompositeFieldContainer[PolicyDescriptor]
    duration_seconds: int
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, name: _Optional[str] = ..., policy: _Optional[str] = ..., policy_arns: _Optional[_Iterable[_Union[PolicyDescriptor, _Mapping]]] = ..., duration_seconds: _Optional[int] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class FederatedUser(_message.Message):
    __slots__ = ("federated_user_id", "arn")
    FEDERATED_USER_ID_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    federated_user_id: str
    arn: str
    def __init__(self, federated_user_id: _Optional[str] = ..., arn: _Optional[str] = ...) -> None: ...

class GetFederationTokenResponse(_message.Message):
    __slots__ = ("credentials", "federated_user", "packed_policy_size", "position")
    CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    FEDERATED_USER_FIELD_NUMBER: _ClassVar[int]
    PACKED_POLICY_SIZE_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    credentials: Credentials
    federated_user: FederatedUser
    packed_policy_size: int
    position: int
    def __init__(self, credentials: _Optional[_Union[Credentials, _Mapping]] = ..., federated_user: _Optional[_Union[FederatedUser, _Mapping]] = ..., packed_policy_size: _Optional[int] = ..., position: _Optional[int] = ...) -> None: ...

class GetCallerIdentityRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetCallerIdentityResponse(_message.Message):
    __slots__ = ("user_id", "account", "arn")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    account: str
    arn: str
    def __init__(self, user_id: _Optional[str] = ..., account: _Optional[str] = ..., arn: _Optional[str] = ...) -> None: ...

class GetAccessKeyInfoRequest(_message.Message):
    __slots__ = ("access_key_id",)
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    access_key_id: str
    def __init__(self, access_key_id: _Optional[str] = ...) -> None: ...

class GetAccessKeyInfoResponse(_message.Message):
    __slots__ = ("account",)
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    account: str
    def __init__(self, account: _Optional[str] = ...) -> None: ...

class AssumeRoleWithWebIdentityRequest(_message.Message):
    __slots__ = ("role_arn", "role_session_name", "web_identity_token", "policy_arns", "policy", "duration_seconds")
    ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    ROLE_SESSION_NAME_FIELD_NUMBER: _ClassVar[int]
    WEB_IDENTITY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    POLICY_ARNS_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    role_arn: str
    role_session_name: str
    web_identity_token: str
    policy_arns: _containers.RepeatedCompositeFieldContainer[PolicyDescriptor]
    policy: str
    duration_seconds: int
    def __init__(self, role_arn: _Optional[str] = ..., role_session_name: _Optional[str] = ..., web_identity_token: _Optional[str] = ..., policy_arns: _Optional[_Iterable[_Union[PolicyDescriptor, _Mapping]]] = ..., policy: _Optional[str] = ..., duration_seconds: _Optional[int] = ...) -> None: ...

class AssumeRoleWithWebIdentityResponse(_message.Message):
    __slots__ = ("credentials", "subject_from_web_identity_token", "assumed_role_user", "packed_policy_size", "provider", "audience", "source_identity", "position")
    CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FROM_WEB_IDENTITY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ASSUMED_ROLE_USER_FIELD_NUMBER: _ClassVar[int]
    PACKED_POLICY_SIZE_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    AUDIENCE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_IDENTITY_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    credentials: Credentials
    subject_from_web_identity_token: str
    assumed_role_user: AssumedRoleUser
    packed_policy_size: int
    provider: str
    audience: str
    source_identity: str
    position: int
    def __init__(self, credentials: _Optional[_Union[Credentials, _Mapping]] = ..., subject_from_web_identity_token: _Optional[str] = ..., assumed_role_user: _Optional[_Union[AssumedRoleUser, _Mapping]] = ..., packed_policy_size: _Optional[int] = ..., provider: _Optional[str] = ..., audience: _Optional[str] = ..., source_identity: _Optional[str] = ..., position: _Optional[int] = ...) -> None: ...

class AssumeRoleWithSAMLRequest(_message.Message):
    __slots__ = ("role_arn", "principal_arn", "saml_assertion", "policy_arns", "policy", "duration_seconds")
    ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_ARN_FIELD_NUMBER: _ClassVar[int]
    SAML_ASSERTION_FIELD_NUMBER: _ClassVar[int]
    POLICY_ARNS_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    role_arn: str
    principal_arn: str
    saml_assertion: str
    policy_arns: _containers.RepeatedCompositeFieldContainer[PolicyDescriptor]
    policy: str
    duration_seconds: int
    def __init__(self, role_arn: _Optional[str] = ..., principal_arn: _Optional[str] = ..., saml_assertion: _Optional[str] = ..., policy_arns: _Optional[_Iterable[_Union[PolicyDescriptor, _Mapping]]] = ..., policy: _Optional[str] = ..., duration_seconds: _Optional[int] = ...) -> None: ...

class AssumeRoleWithSAMLResponse(_message.Message):
    __slots__ = ("credentials", "assumed_role_user", "packed_policy_size", "subject", "subject_type", "issuer", "audience", "name_qualifier", "source_identity", "position")
    CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    ASSUMED_ROLE_USER_FIELD_NUMBER: _ClassVar[int]
    PACKED_POLICY_SIZE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_TYPE_FIELD_NUMBER: _ClassVar[int]
    ISSUER_FIELD_NUMBER: _ClassVar[int]
    AUDIENCE_FIELD_NUMBER: _ClassVar[int]
    NAME_QUALIFIER_FIELD_NUMBER: _ClassVar[int]
    SOURCE_IDENTITY_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    credentials: Credentials
    assumed_role_user: AssumedRoleUser
    packed_policy_size: int
    subject: str
    subject_type: str
    issuer: str
    audience: str
    name_qualifier: str
    source_identity: str
    position: int
    def __init__(self, credentials: _Optional[_Union[Credentials, _Mapping]] = ..., assumed_role_user: _Optional[_Union[AssumedRoleUser, _Mapping]] = ..., packed_policy_size: _Optional[int] = ..., subject: _Optional[str] = ..., subject_type: _Optional[str] = ..., issuer: _Optional[str] = ..., audience: _Optional[str] = ..., name_qualifier: _Optional[str] = ..., source_identity: _Optional[str] = ..., position: _Optional[int] = ...) -> None: ...

class DecodeAuthorizationMessageRequest(_message.Message):
    __slots__ = ("encoded_message",)
    ENCODED_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    encoded_message: str
    def __init__(self, encoded_message: _Optional[str] = ...) -> None: ...

class DecodeAuthorizationMessageResponse(_message.Message):
    __slots__ = ("decoded_message",)
    DECODED_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    decoded_message: str
    def __init__(self, decoded_message: _Optional[str] = ...) -> None: ...

class AssumeRootRequest(_message.Message):
    __slots__ = ("target_principal", "task_policy_arn", "duration_seconds")
    TARGET_PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    TASK_POLICY_ARN_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    target_principal: str
    task_policy_arn: PolicyDescriptor
    duration_seconds: int
    def __init__(self, target_principal: _Optional[str] = ..., task_policy_arn: _Optional[_Union[PolicyDescriptor, _Mapping]] = ..., duration_seconds: _Optional[int] = ...) -> None: ...

class AssumeRootResponse(_message.Message):
    __slots__ = ("credentials", "source_identity", "position")
    CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_IDENTITY_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    credentials: Credentials
    source_identity: str
    position: int
    def __init__(self, credentials: _Optional[_Union[Credentials, _Mapping]] = ..., source_identity: _Optional[str] = ..., position: _Optional[int] = ...) -> None: ...

class GetWebIdentityTokenRequest(_message.Message):
    __slots__ = ("audience", "duration_seconds", "signing_algorithm", "tags", "scope", "subject_mode")
    AUDIENCE_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SIGNING_ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_MODE_FIELD_NUMBER: _ClassVar[int]
    audience: _containers.RepeatedScalarFieldContainer[str]
    duration_seconds: int
    signing_algorithm: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    scope: str
    subject_mode: str
    def __init__(self, audience: _Optional[_Iterable[str]] = ..., duration_seconds: _Optional[int] = ..., signing_algorithm: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ..., scope: _Optional[str] = ..., subject_mode: _Optional[str] = ...) -> None: ...

class GetWebIdentityTokenResponse(_message.Message):
    __slots__ = ("web_identity_token", "expiration")
    WEB_IDENTITY_TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_FIELD_NUMBER: _ClassVar[int]
    web_identity_token: str
    expiration: _timestamp_pb2.Timestamp
    def __init__(self, web_identity_token: _Optional[str] = ..., expiration: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetScopedCredentialsRequest(_message.Message):
    __slots__ = ("policy", "duration_seconds", "scoped_session_description")
    POLICY_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SCOPED_SESSION_DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    policy: str
    duration_seconds: int
    scoped_session_description: str
    def __init__(self, policy: _Optional[str] = ..., duration_seconds: _Optional[int] = ..., scoped_session_description: _Optional[str] = ...) -> None: ...

class ScopedSession(_message.Message):
    __slots__ = ("scoped_session_id", "arn")
    SCOPED_SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    scoped_session_id: str
    arn: str
    def __init__(self, scoped_session_id: _Optional[str] = ..., arn: _Optional[str] = ...) -> None: ...

class GetScopedCredentialsResponse(_message.Message):
    __slots__ = ("credentials", "session_info", "session_token_size", "scoped_policies_count", "source_identity", "position")
    CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    SESSION_INFO_FIELD_NUMBER: _ClassVar[int]
    SESSION_TOKEN_SIZE_FIELD_NUMBER: _ClassVar[int]
    SCOPED_POLICIES_COUNT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_IDENTITY_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    credentials: Credentials
    session_info: ScopedSession
    session_token_size: int
    scoped_policies_count: int
    source_identity: str
    position: int
    def __init__(self, credentials: _Optional[_Union[Credentials, _Mapping]] = ..., session_info: _Optional[_Union[ScopedSession, _Mapping]] = ..., session_token_size: _Optional[int] = ..., scoped_policies_count: _Optional[int] = ..., source_identity: _Optional[str] = ..., position: _Optional[int] = ...) -> None: ...
