import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from iamd.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrganizationCommandResponse(_message.Message):
    __slots__ = ("position", "organizational_unit", "policy")
    POSITION_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATIONAL_UNIT_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    position: int
    organizational_unit: OrganizationalUnit
    policy: OrganizationPolicy
    def __init__(self, position: _Optional[int] = ..., organizational_unit: _Optional[_Union[OrganizationalUnit, _Mapping]] = ..., policy: _Optional[_Union[OrganizationPolicy, _Mapping]] = ...) -> None: ...

class CreateOrganizationRequest(_message.Message):
    __slots__ = ("feature_set",)
    FEATURE_SET_FIELD_NUMBER: _ClassVar[int]
    feature_set: str
    def __init__(self, feature_set: _Optional[str] = ...) -> None: ...

class DescribeOrganizationRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class OrganizationResponse(_message.Message):
    __slots__ = ("id", "master_account_id", "root_id", "position", "organization")
    ID_FIELD_NUMBER: _ClassVar[int]
    MASTER_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    ROOT_ID_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_FIELD_NUMBER: _ClassVar[int]
    id: str
    master_account_id: str
    root_id: str
    position: int
    organization: Organization
    def __init__(self, id: _Optional[str] = ..., master_account_id: _Optional[str] = ..., root_id: _Optional[str] = ..., position: _Optional[int] = ..., organization: _Optional[_Union[Organization, _Mapping]] = ...) -> None: ...

class Organization(_message.Message):
    __slots__ = ("id", "arn", "feature_set", "master_account_arn", "master_account_id", "master_account_email", "available_policy_types")
    ID_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    FEATURE_SET_FIELD_NUMBER: _ClassVar[int]
    MASTER_ACCOUNT_ARN_FIELD_NUMBER: _ClassVar[int]
    MASTER_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    MASTER_ACCOUNT_EMAIL_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_POLICY_TYPES_FIELD_NUMBER: _ClassVar[int]
    id: str
    arn: str
    feature_set: str
    master_account_arn: str
    master_account_id: str
    master_account_email: str
    available_policy_types: _containers.RepeatedCompositeFieldContainer[PolicyTypeSummary]
    def __init__(self, id: _Optional[str] = ..., arn: _Optional[str] = ..., feature_set: _Optional[str] = ..., master_account_arn: _Optional[str] = ..., master_account_id: _Optional[str] = ..., master_account_email: _Optional[str] = ..., available_policy_types: _Optional[_Iterable[_Union[PolicyTypeSummary, _Mapping]]] = ...) -> None: ...

class PolicyTypeSummary(_message.Message):
    __slots__ = ("type", "status")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    type: str
    status: str
    def __init__(self, type: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class CreateAccountRequest(_message.Message):
    __slots__ = ("account_name", "email", "role_name", "tags")
    ACCOUNT_NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    account_name: str
    email: str
    role_name: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, account_name: _Optional[str] = ..., email: _Optional[str] = ..., role_name: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class CreateAccountResponse(_message.Message):
    __slots__ = ("account_id", "access_role_arn", "position", "create_account_status")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    ACCESS_ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    CREATE_ACCOUNT_STATUS_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    access_role_arn: str
    position: int
    create_account_status: CreateAccountStatus
    def __init__(self, account_id: _Optional[str] = ..., access_role_arn: _Optional[str] = ..., position: _Optional[int] = ..., create_account_status: _Optional[_Union[CreateAccountStatus, _Mapping]] = ...) -> None: ...

class CreateAccountStatus(_message.Message):
    __slots__ = ("id", "account_name", "state", "requested_timestamp", "completed_timestamp", "account_id", "failure_reason")
    ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    id: str
    account_name: str
    state: str
    requested_timestamp: _timestamp_pb2.Timestamp
    completed_timestamp: _timestamp_pb2.Timestamp
    account_id: str
    failure_reason: str
    def __init__(self, id: _Optional[str] = ..., account_name: _Optional[str] = ..., state: _Optional[str] = ..., requested_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., completed_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., account_id: _Optional[str] = ..., failure_reason: _Optional[str] = ...) -> None: ...

class DescribeCreateAccountStatusRequest(_message.Message):
    __slots__ = ("create_account_request_id",)
    CREATE_ACCOUNT_REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    create_account_request_id: str
    def __init__(self, create_account_request_id: _Optional[str] = ...) -> None: ...

class DescribeCreateAccountStatusResponse(_message.Message):
    __slots__ = ("create_account_status",)
    CREATE_ACCOUNT_STATUS_FIELD_NUMBER: _ClassVar[int]
    create_account_status: CreateAccountStatus
    def __init__(self, create_account_status: _Optional[_Union[CreateAccountStatus, _Mapping]] = ...) -> None: ...

class ListCreateAccountStatusRequest(_message.Message):
    __slots__ = ("states", "next_token", "max_results")
    STATES_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    states: _containers.RepeatedScalarFieldContainer[str]
    next_token: str
    max_results: int
    def __init__(self, states: _Optional[_Iterable[str]] = ..., next_token: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class ListCreateAccountStatusResponse(_message.Message):
    __slots__ = ("create_account_statuses", "next_token")
    CREATE_ACCOUNT_STATUSES_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    create_account_statuses: _containers.RepeatedCompositeFieldContainer[CreateAccountStatus]
    next_token: str
    def __init__(self, create_account_statuses: _Optional[_Iterable[_Union[CreateAccountStatus, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class ListAccountsRequest(_message.Message):
    __slots__ = ("next_token", "max_results")
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    next_token: str
    max_results: int
    def __init__(self, next_token: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class OrganizationAccount(_message.Message):
    __slots__ = ("id", "name", "email", "parent_id", "arn", "status", "state", "joined_method", "joined_timestamp")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    JOINED_METHOD_FIELD_NUMBER: _ClassVar[int]
    JOINED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    email: str
    parent_id: str
    arn: str
    status: str
    state: str
    joined_method: str
    joined_timestamp: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., email: _Optional[str] = ..., parent_id: _Optional[str] = ..., arn: _Optional[str] = ..., status: _Optional[str] = ..., state: _Optional[str] = ..., joined_method: _Optional[str] = ..., joined_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListAccountsResponse(_message.Message):
    __slots__ = ("accounts", "next_token")
    ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    accounts: _containers.RepeatedCompositeFieldContainer[OrganizationAccount]
    next_token: str
    def __init__(self, accounts: _Optional[_Iterable[_Union[OrganizationAccount, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class CreateOrganizationalUnitRequest(_message.Message):
    __slots__ = ("parent_id", "name", "tags")
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    parent_id: str
    name: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, parent_id: _Optional[str] = ..., name: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class CreateOrganizationalUnitResponse(_message.Message):
    __slots__ = ("id", "position", "organizational_unit")
    ID_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATIONAL_UNIT_FIELD_NUMBER: _ClassVar[int]
    id: str
    position: int
    organizational_unit: OrganizationalUnit
    def __init__(self, id: _Optional[str] = ..., position: _Optional[int] = ..., organizational_unit: _Optional[_Union[OrganizationalUnit, _Mapping]] = ...) -> None: ...

class MoveAccountRequest(_message.Message):
    __slots__ = ("account_id", "source_parent_id", "destination_parent_id")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    source_parent_id: str
    destination_parent_id: str
    def __init__(self, account_id: _Optional[str] = ..., source_parent_id: _Optional[str] = ..., destination_parent_id: _Optional[str] = ...) -> None: ...

class CreateOrganizationPolicyRequest(_message.Message):
    __slots__ = ("name", "type", "content", "description", "tags")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: str
    content: str
    description: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, name: _Optional[str] = ..., type: _Optional[str] = ..., content: _Optional[str] = ..., description: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class CreateOrganizationPolicyResponse(_message.Message):
    __slots__ = ("policy_id", "position", "policy")
    POLICY_ID_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy_id: str
    position: int
    policy: OrganizationPolicy
    def __init__(self, policy_id: _Optional[str] = ..., position: _Optional[int] = ..., policy: _Optional[_Union[OrganizationPolicy, _Mapping]] = ...) -> None: ...

class OrganizationPolicy(_message.Message):
    __slots__ = ("policy_summary", "content")
    POLICY_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    policy_summary: OrganizationPolicySummary
    content: str
    def __init__(self, policy_summary: _Optional[_Union[OrganizationPolicySummary, _Mapping]] = ..., content: _Optional[str] = ...) -> None: ...

class OrganizationPolicyTargetRequest(_message.Message):
    __slots__ = ("policy_id", "target_id")
    POLICY_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_ID_FIELD_NUMBER: _ClassVar[int]
    policy_id: str
    target_id: str
    def __init__(self, policy_id: _Optional[str] = ..., target_id: _Optional[str] = ...) -> None: ...

class ListPoliciesForTargetRequest(_message.Message):
    __slots__ = ("target_id", "filter", "next_token", "max_results")
    TARGET_ID_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    target_id: str
    filter: str
    next_token: str
    max_results: int
    def __init__(self, target_id: _Optional[str] = ..., filter: _Optional[str] = ..., next_token: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class OrganizationPolicySummary(_message.Message):
    __slots__ = ("id", "name", "type", "aws_managed", "arn", "description")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    AWS_MANAGED_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    type: str
    aws_managed: bool
    arn: str
    description: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., type: _Optional[str] = ..., aws_managed: _Optional[bool] = ..., arn: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class ListPoliciesForTargetResponse(_message.Message):
    __slots__ = ("policies", "next_token")
    POLICIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    policies: _containers.RepeatedCompositeFieldContainer[OrganizationPolicySummary]
    next_token: str
    def __init__(self, policies: _Optional[_Iterable[_Union[OrganizationPolicySummary, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class DescribeAccountRequest(_message.Message):
    __slots__ = ("account_id",)
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    def __init__(self, account_id: _Optional[str] = ...) -> None: ...

class DescribeAccountResponse(_message.Message):
    __slots__ = ("account",)
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    account: OrganizationAccount
    def __init__(self, account: _Optional[_Union[OrganizationAccount, _Mapping]] = ...) -> None: ...

class ListRootsRequest(_message.Message):
    __slots__ = ("next_token", "max_results")
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    next_token: str
    max_results: int
    def __init__(self, next_token: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class OrganizationRoot(_message.Message):
    __slots__ = ("id", "name", "arn", "policy_types")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    POLICY_TYPES_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    arn: str
    policy_types: _containers.RepeatedCompositeFieldContainer[PolicyTypeSummary]
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., arn: _Optional[str] = ..., policy_types: _Optional[_Iterable[_Union[PolicyTypeSummary, _Mapping]]] = ...) -> None: ...

class ListRootsResponse(_message.Message):
    __slots__ = ("roots", "next_token")
    ROOTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    roots: _containers.RepeatedCompositeFieldContainer[OrganizationRoot]
    next_token: str
    def __init__(self, roots: _Optional[_Iterable[_Union[OrganizationRoot, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class ListChildrenRequest(_message.Message):
    __slots__ = ("parent_id", "child_type", "next_token", "max_results")
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    CHILD_TYPE_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    parent_id: str
    child_type: str
    next_token: str
    max_results: int
    def __init__(self, parent_id: _Optional[str] = ..., child_type: _Optional[str] = ..., next_token: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class OrganizationChild(_message.Message):
    __slots__ = ("id", "type")
    ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    id: str
    type: str
    def __init__(self, id: _Optional[str] = ..., type: _Optional[str] = ...) -> None: ...

class ListChildrenResponse(_message.Message):
    __slots__ = ("children", "next_token")
    CHILDREN_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    children: _containers.RepeatedCompositeFieldContainer[OrganizationChild]
    next_token: str
    def __init__(self, children: _Optional[_Iterable[_Union[OrganizationChild, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class ListParentsRequest(_message.Message):
    __slots__ = ("child_id", "next_token", "max_results")
    CHILD_ID_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    child_id: str
    next_token: str
    max_results: int
    def __init__(self, child_id: _Optional[str] = ..., next_token: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class ListParentsResponse(_message.Message):
    __slots__ = ("parents", "next_token")
    PARENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parents: _containers.RepeatedCompositeFieldContainer[OrganizationChild]
    next_token: str
    def __init__(self, parents: _Optional[_Iterable[_Union[OrganizationChild, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class OrganizationalUnit(_message.Message):
    __slots__ = ("id", "name", "arn")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    arn: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., arn: _Optional[str] = ...) -> None: ...

class ListOrganizationalUnitsResponse(_message.Message):
    __slots__ = ("organizational_units", "next_token")
    ORGANIZATIONAL_UNITS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    organizational_units: _containers.RepeatedCompositeFieldContainer[OrganizationalUnit]
    next_token: str
    def __init__(self, organizational_units: _Optional[_Iterable[_Union[OrganizationalUnit, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class OrganizationalUnitRequest(_message.Message):
    __slots__ = ("organizational_unit_id",)
    ORGANIZATIONAL_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    organizational_unit_id: str
    def __init__(self, organizational_unit_id: _Optional[str] = ...) -> None: ...

class DescribeOrganizationalUnitResponse(_message.Message):
    __slots__ = ("organizational_unit",)
    ORGANIZATIONAL_UNIT_FIELD_NUMBER: _ClassVar[int]
    organizational_unit: OrganizationalUnit
    def __init__(self, organizational_unit: _Optional[_Union[OrganizationalUnit, _Mapping]] = ...) -> None: ...

class UpdateOrganizationalUnitRequest(_message.Message):
    __slots__ = ("organizational_unit_id", "name")
    ORGANIZATIONAL_UNIT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    organizational_unit_id: str
    name: str
    def __init__(self, organizational_unit_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class OrganizationPolicyRequest(_message.Message):
    __slots__ = ("policy_id", "next_token", "max_results")
    POLICY_ID_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    policy_id: str
    next_token: str
    max_results: int
    def __init__(self, policy_id: _Optional[str] = ..., next_token: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class DescribeOrganizationPolicyResponse(_message.Message):
    __slots__ = ("policy_summary", "content", "policy")
    POLICY_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy_summary: OrganizationPolicySummary
    content: str
    policy: OrganizationPolicy
    def __init__(self, policy_summary: _Optional[_Union[OrganizationPolicySummary, _Mapping]] = ..., content: _Optional[str] = ..., policy: _Optional[_Union[OrganizationPolicy, _Mapping]] = ...) -> None: ...

class ListOrganizationPoliciesRequest(_message.Message):
    __slots__ = ("filter", "next_token", "max_results")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    filter: str
    next_token: str
    max_results: int
    def __init__(self, filter: _Optional[str] = ..., next_token: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class PolicyTarget(_message.Message):
    __slots__ = ("target_id", "name", "type", "arn")
    TARGET_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    target_id: str
    name: str
    type: str
    arn: str
    def __init__(self, target_id: _Optional[str] = ..., name: _Optional[str] = ..., type: _Optional[str] = ..., arn: _Optional[str] = ...) -> None: ...

class ListTargetsForPolicyResponse(_message.Message):
    __slots__ = ("targets", "next_token")
    TARGETS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    targets: _containers.RepeatedCompositeFieldContainer[PolicyTarget]
    next_token: str
    def __init__(self, targets: _Optional[_Iterable[_Union[PolicyTarget, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class UpdateOrganizationPolicyRequest(_message.Message):
    __slots__ = ("policy_id", "name", "content", "description")
    POLICY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    policy_id: str
    name: str
    content: str
    description: str
    def __init__(self, policy_id: _Optional[str] = ..., name: _Optional[str] = ..., content: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class TagOrganizationResourceRequest(_message.Message):
    __slots__ = ("resource_id", "tags")
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    resource_id: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, resource_id: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class UntagOrganizationResourceRequest(_message.Message):
    __slots__ = ("resource_id", "tag_keys")
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    TAG_KEYS_FIELD_NUMBER: _ClassVar[int]
    resource_id: str
    tag_keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, resource_id: _Optional[str] = ..., tag_keys: _Optional[_Iterable[str]] = ...) -> None: ...

class ListOrganizationResourceTagsRequest(_message.Message):
    __slots__ = ("resource_id", "next_token", "max_results")
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    resource_id: str
    next_token: str
    max_results: int
    def __init__(self, resource_id: _Optional[str] = ..., next_token: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class ListOrganizationResourceTagsResponse(_message.Message):
    __slots__ = ("tags", "next_token")
    TAGS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    next_token: str
    def __init__(self, tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class EnablePolicyTypeRequest(_message.Message):
    __slots__ = ("root_id", "policy_type")
    ROOT_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_TYPE_FIELD_NUMBER: _ClassVar[int]
    root_id: str
    policy_type: str
    def __init__(self, root_id: _Optional[str] = ..., policy_type: _Optional[str] = ...) -> None: ...

class EnablePolicyTypeResponse(_message.Message):
    __slots__ = ("root", "position")
    ROOT_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    root: OrganizationRoot
    position: int
    def __init__(self, root: _Optional[_Union[OrganizationRoot, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class DisablePolicyTypeRequest(_message.Message):
    __slots__ = ("root_id", "policy_type")
    ROOT_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_TYPE_FIELD_NUMBER: _ClassVar[int]
    root_id: str
    policy_type: str
    def __init__(self, root_id: _Optional[str] = ..., policy_type: _Optional[str] = ...) -> None: ...

class DisablePolicyTypeResponse(_message.Message):
    __slots__ = ("root", "position")
    ROOT_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    root: OrganizationRoot
    position: int
    def __init__(self, root: _Optional[_Union[OrganizationRoot, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class EnableAWSServiceAccessRequest(_message.Message):
    __slots__ = ("service_principal",)
    SERVICE_PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    service_principal: str
    def __init__(self, service_principal: _Optional[str] = ...) -> None: ...

class EnableAWSServiceAccessResponse(_message.Message):
    __slots__ = ("position",)
    POSITION_FIELD_NUMBER: _ClassVar[int]
    position: int
    def __init__(self, position: _Optional[int] = ...) -> None: ...

class DisableAWSServiceAccessRequest(_message.Message):
    __slots__ = ("service_principal",)
    SERVICE_PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    service_principal: str
    def __init__(self, service_principal: _Optional[str] = ...) -> None: ...

class DisableAWSServiceAccessResponse(_message.Message):
    __slots__ = ("position",)
    POSITION_FIELD_NUMBER: _ClassVar[int]
    position: int
    def __init__(self, position: _Optional[int] = ...) -> None: ...

class ListAWSServiceAccessForOrganizationRequest(_message.Message):
    __slots__ = ("next_token", "max_results")
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    next_token: str
    max_results: int
    def __init__(self, next_token: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class EnabledServicePrincipal(_message.Message):
    __slots__ = ("service_principal", "date_enabled")
    SERVICE_PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    DATE_ENABLED_FIELD_NUMBER: _ClassVar[int]
    service_principal: str
    date_enabled: _timestamp_pb2.Timestamp
    def __init__(self, service_principal: _Optional[str] = ..., date_enabled: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListAWSServiceAccessForOrganizationResponse(_message.Message):
    __slots__ = ("enabled_service_principals", "next_token")
    ENABLED_SERVICE_PRINCIPALS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    enabled_service_principals: _containers.RepeatedCompositeFieldContainer[EnabledServicePrincipal]
    next_token: str
    def __init__(self, enabled_service_principals: _Optional[_Iterable[_Union[EnabledServicePrincipal, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class RegisterDelegatedAdministratorRequest(_message.Message):
    __slots__ = ("account_id", "service_principal")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    service_principal: str
    def __init__(self, account_id: _Optional[str] = ..., service_principal: _Optional[str] = ...) -> None: ...

class RegisterDelegatedAdministratorResponse(_message.Message):
    __slots__ = ("position",)
    POSITION_FIELD_NUMBER: _ClassVar[int]
    position: int
    def __init__(self, position: _Optional[int] = ...) -> None: ...

class DeregisterDelegatedAdministratorRequest(_message.Message):
    __slots__ = ("account_id", "service_principal")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    service_principal: str
    def __init__(self, account_id: _Optional[str] = ..., service_principal: _Optional[str] = ...) -> None: ...

class DeregisterDelegatedAdministratorResponse(_message.Message):
    __slots__ = ("position",)
    POSITION_FIELD_NUMBER: _ClassVar[int]
    position: int
    def __init__(self, position: _Optional[int] = ...) -> None: ...

class ListDelegatedAdministratorsRequest(_message.Message):
    __slots__ = ("service_principal", "next_token", "max_results")
    SERVICE_PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    service_principal: str
    next_token: str
    max_results: int
    def __init__(self, service_principal: _Optional[str] = ..., next_token: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class DelegatedAdministrator(_message.Message):
    __slots__ = ("id", "arn", "email", "name", "status", "state", "joined_method", "joined_timestamp", "delegation_enabled_date")
    ID_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    JOINED_METHOD_FIELD_NUMBER: _ClassVar[int]
    JOINED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    DELEGATION_ENABLED_DATE_FIELD_NUMBER: _ClassVar[int]
    id: str
    arn: str
    email: str
    name: str
    status: str
    state: str
    joined_method: str
    joined_timestamp: _timestamp_pb2.Timestamp
    delegation_enabled_date: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., arn: _Optional[str] = ..., email: _Optional[str] = ..., name: _Optional[str] = ..., status: _Optional[str] = ..., state: _Optional[str] = ..., joined_method: _Optional[str] = ..., joined_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delegation_enabled_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListDelegatedAdministratorsResponse(_message.Message):
    __slots__ = ("delegated_administrators", "next_token")
    DELEGATED_ADMINISTRATORS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    delegated_administrators: _containers.RepeatedCompositeFieldContainer[DelegatedAdministrator]
    next_token: str
    def __init__(self, delegated_administrators: _Optional[_Iterable[_Union[DelegatedAdministrator, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class ListDelegatedServicesForAccountRequest(_message.Message):
    __slots__ = ("account_id", "next_token", "max_results")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    next_token: str
    max_results: int
    def __init__(self, account_id: _Optional[str] = ..., next_token: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class DelegatedService(_message.Message):
    __slots__ = ("service_principal", "delegation_enabled_date")
    SERVICE_PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    DELEGATION_ENABLED_DATE_FIELD_NUMBER: _ClassVar[int]
    service_principal: str
    delegation_enabled_date: _timestamp_pb2.Timestamp
    def __init__(self, service_principal: _Optional[str] = ..., delegation_enabled_date: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListDelegatedServicesForAccountResponse(_message.Message):
    __slots__ = ("delegated_services", "next_token")
    DELEGATED_SERVICES_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    delegated_services: _containers.RepeatedCompositeFieldContainer[DelegatedService]
    next_token: str
    def __init__(self, delegated_services: _Optional[_Iterable[_Union[DelegatedService, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class DeleteOrganizationRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteOrganizationResponse(_message.Message):
    __slots__ = ("position",)
    POSITION_FIELD_NUMBER: _ClassVar[int]
    position: int
    def __init__(self, position: _Optional[int] = ...) -> None: ...

class LeaveOrganizationRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class LeaveOrganizationResponse(_message.Message):
    __slots__ = ("position",)
    POSITION_FIELD_NUMBER: _ClassVar[int]
    position: int
    def __init__(self, position: _Optional[int] = ...) -> None: ...

class HandshakeParty(_message.Message):
    __slots__ = ("id", "type")
    ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    id: str
    type: str
    def __init__(self, id: _Optional[str] = ..., type: _Optional[str] = ...) -> None: ...

class HandshakeResource(_message.Message):
    __slots__ = ("value", "type", "resources")
    VALUE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    value: str
    type: str
    resources: _containers.RepeatedCompositeFieldContainer[HandshakeResource]
    def __init__(self, value: _Optional[str] = ..., type: _Optional[str] = ..., resources: _Optional[_Iterable[_Union[HandshakeResource, _Mapping]]] = ...) -> None: ...

class Handshake(_message.Message):
    __slots__ = ("id", "arn", "parties", "state", "requested_timestamp", "expiration_timestamp", "action", "resources")
    ID_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    EXPIRATION_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    id: str
    arn: str
    parties: _containers.RepeatedCompositeFieldContainer[HandshakeParty]
    state: str
    requested_timestamp: _timestamp_pb2.Timestamp
    expiration_timestamp: _timestamp_pb2.Timestamp
    action: str
    resources: _containers.RepeatedCompositeFieldContainer[HandshakeResource]
    def __init__(self, id: _Optional[str] = ..., arn: _Optional[str] = ..., parties: _Optional[_Iterable[_Union[HandshakeParty, _Mapping]]] = ..., state: _Optional[str] = ..., requested_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expiration_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., action: _Optional[str] = ..., resources: _Optional[_Iterable[_Union[HandshakeResource, _Mapping]]] = ...) -> None: ...

class InviteAccountToOrganizationRequest(_message.Message):
    __slots__ = ("target", "notes", "tags")
    TARGET_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    target: HandshakeParty
    notes: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, target: _Optional[_Union[HandshakeParty, _Mapping]] = ..., notes: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class InviteAccountToOrganizationResponse(_message.Message):
    __slots__ = ("handshake", "position")
    HANDSHAKE_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    handshake: Handshake
    position: int
    def __init__(self, handshake: _Optional[_Union[Handshake, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class AcceptHandshakeRequest(_message.Message):
    __slots__ = ("handshake_id",)
    HANDSHAKE_ID_FIELD_NUMBER: _ClassVar[int]
    handshake_id: str
    def __init__(self, handshake_id: _Optional[str] = ...) -> None: ...

class AcceptHandshakeResponse(_message.Message):
    __slots__ = ("handshake", "position")
    HANDSHAKE_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    handshake: Handshake
    position: int
    def __init__(self, handshake: _Optional[_Union[Handshake, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class DeclineHandshakeRequest(_message.Message):
    __slots__ = ("handshake_id",)
    HANDSHAKE_ID_FIELD_NUMBER: _ClassVar[int]
    handshake_id: str
    def __init__(self, handshake_id: _Optional[str] = ...) -> None: ...

class DeclineHandshakeResponse(_message.Message):
    __slots__ = ("handshake", "position")
    HANDSHAKE_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    handshake: Handshake
    position: int
    def __init__(self, handshake: _Optional[_Union[Handshake, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class CancelHandshakeRequest(_message.Message):
    __slots__ = ("handshake_id",)
    HANDSHAKE_ID_FIELD_NUMBER: _ClassVar[int]
    handshake_id: str
    def __init__(self, handshake_id: _Optional[str] = ...) -> None: ...

class CancelHandshakeResponse(_message.Message):
    __slots__ = ("handshake", "position")
    HANDSHAKE_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    handshake: Handshake
    position: int
    def __init__(self, handshake: _Optional[_Union[Handshake, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class DescribeHandshakeRequest(_message.Message):
    __slots__ = ("handshake_id",)
    HANDSHAKE_ID_FIELD_NUMBER: _ClassVar[int]
    handshake_id: str
    def __init__(self, handshake_id: _Optional[str] = ...) -> None: ...

class DescribeHandshakeResponse(_message.Message):
    __slots__ = ("handshake",)
    HANDSHAKE_FIELD_NUMBER: _ClassVar[int]
    handshake: Handshake
    def __init__(self, handshake: _Optional[_Union[Handshake, _Mapping]] = ...) -> None: ...

class HandshakeFilter(_message.Message):
    __slots__ = ("action_type", "parent_handshake_id")
    ACTION_TYPE_FIELD_NUMBER: _ClassVar[int]
    PARENT_HANDSHAKE_ID_FIELD_NUMBER: _ClassVar[int]
    action_type: str
    parent_handshake_id: str
    def __init__(self, action_type: _Optional[str] = ..., parent_handshake_id: _Optional[str] = ...) -> None: ...

class ListHandshakesForAccountRequest(_message.Message):
    __slots__ = ("filter", "next_token", "max_results")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    filter: HandshakeFilter
    next_token: str
    max_results: int
    def __init__(self, filter: _Optional[_Union[HandshakeFilter, _Mapping]] = ..., next_token: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class ListHandshakesForAccountResponse(_message.Message):
    __slots__ = ("handshakes", "next_token")
    HANDSHAKES_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    handshakes: _containers.RepeatedCompositeFieldContainer[Handshake]
    next_token: str
    def __init__(self, handshakes: _Optional[_Iterable[_Union[Handshake, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class ListHandshakesForOrganizationRequest(_message.Message):
    __slots__ = ("filter", "next_token", "max_results")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    filter: HandshakeFilter
    next_token: str
    max_results: int
    def __init__(self, filter: _Optional[_Union[HandshakeFilter, _Mapping]] = ..., next_token: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class ListHandshakesForOrganizationResponse(_message.Message):
    __slots__ = ("handshakes", "next_token")
    HANDSHAKES_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    handshakes: _containers.RepeatedCompositeFieldContainer[Handshake]
    next_token: str
    def __init__(self, handshakes: _Optional[_Iterable[_Union[Handshake, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class DescribeEffectivePolicyRequest(_message.Message):
    __slots__ = ("policy_type", "target_id")
    POLICY_TYPE_FIELD_NUMBER: _ClassVar[int]
    TARGET_ID_FIELD_NUMBER: _ClassVar[int]
    policy_type: str
    target_id: str
    def __init__(self, policy_type: _Optional[str] = ..., target_id: _Optional[str] = ...) -> None: ...

class EffectivePolicy(_message.Message):
    __slots__ = ("policy_content", "last_updated_timestamp", "target_id", "policy_type")
    POLICY_CONTENT_FIELD_NUMBER: _ClassVar[int]
    LAST_UPDATED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    TARGET_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_TYPE_FIELD_NUMBER: _ClassVar[int]
    policy_content: str
    last_updated_timestamp: _timestamp_pb2.Timestamp
    target_id: str
    policy_type: str
    def __init__(self, policy_content: _Optional[str] = ..., last_updated_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., target_id: _Optional[str] = ..., policy_type: _Optional[str] = ...) -> None: ...

class DescribeEffectivePolicyResponse(_message.Message):
    __slots__ = ("effective_policy",)
    EFFECTIVE_POLICY_FIELD_NUMBER: _ClassVar[int]
    effective_policy: EffectivePolicy
    def __init__(self, effective_policy: _Optional[_Union[EffectivePolicy, _Mapping]] = ...) -> None: ...

class CloseAccountRequest(_message.Message):
    __slots__ = ("account_id",)
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    def __init__(self, account_id: _Optional[str] = ...) -> None: ...

class CloseAccountResponse(_message.Message):
    __slots__ = ("position",)
    POSITION_FIELD_NUMBER: _ClassVar[int]
    position: int
    def __init__(self, position: _Optional[int] = ...) -> None: ...

class PutOrganizationResourcePolicyRequest(_message.Message):
    __slots__ = ("content", "tags")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    content: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, content: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class ResourcePolicySummary(_message.Message):
    __slots__ = ("id", "arn")
    ID_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    id: str
    arn: str
    def __init__(self, id: _Optional[str] = ..., arn: _Optional[str] = ...) -> None: ...

class OrganizationResourcePolicy(_message.Message):
    __slots__ = ("resource_policy_summary", "content")
    RESOURCE_POLICY_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    resource_policy_summary: ResourcePolicySummary
    content: str
    def __init__(self, resource_policy_summary: _Optional[_Union[ResourcePolicySummary, _Mapping]] = ..., content: _Optional[str] = ...) -> None: ...

class PutOrganizationResourcePolicyResponse(_message.Message):
    __slots__ = ("resource_policy", "position")
    RESOURCE_POLICY_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    resource_policy: OrganizationResourcePolicy
    position: int
    def __init__(self, resource_policy: _Optional[_Union[OrganizationResourcePolicy, _Mapping]] = ..., position: _Optional[int] = ...) -> None: ...

class DescribeOrganizationResourcePolicyRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DescribeOrganizationResourcePolicyResponse(_message.Message):
    __slots__ = ("resource_policy",)
    RESOURCE_POLICY_FIELD_NUMBER: _ClassVar[int]
    resource_policy: OrganizationResourcePolicy
    def __init__(self, resource_policy: _Optional[_Union[OrganizationResourcePolicy, _Mapping]] = ...) -> None: ...

class DeleteOrganizationResourcePolicyRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DeleteOrganizationResourcePolicyResponse(_message.Message):
    __slots__ = ("position",)
    POSITION_FIELD_NUMBER: _ClassVar[int]
    position: int
    def __init__(self, position: _Optional[int] = ...) -> None: ...

class EnableAllFeaturesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class EnableAllFeaturesResponse(_message.Message):
    __slots__ = ("handshake",)
    HANDSHAKE_FIELD_NUMBER: _ClassVar[int]
    handshake: Handshake
    def __init__(self, handshake: _Optional[_Union[Handshake, _Mapping]] = ...) -> None: ...

class CreateGovCloudAccountRequest(_message.Message):
    __slots__ = ("email", "account_name", "role_name", "iam_user_access_to_billing", "tags")
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_NAME_FIELD_NUMBER: _ClassVar[int]
    IAM_USER_ACCESS_TO_BILLING_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    email: str
    account_name: str
    role_name: str
    iam_user_access_to_billing: str
    tags: _containers.RepeatedCompositeFieldContainer[_common_pb2.Tag]
    def __init__(self, email: _Optional[str] = ..., account_name: _Optional[str] = ..., role_name: _Optional[str] = ..., iam_user_access_to_billing: _Optional[str] = ..., tags: _Optional[_Iterable[_Union[_common_pb2.Tag, _Mapping]]] = ...) -> None: ...

class CreateGovCloudAccountResponse(_message.Message):
    __slots__ = ("create_account_status",)
    CREATE_ACCOUNT_STATUS_FIELD_NUMBER: _ClassVar[int]
    create_account_status: CreateAccountStatus
    def __init__(self, create_account_status: _Optional[_Union[CreateAccountStatus, _Mapping]] = ...) -> None: ...

class ListAccountsWithInvalidEffectivePolicyRequest(_message.Message):
    __slots__ = ("policy_type", "next_token", "max_results")
    POLICY_TYPE_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    policy_type: str
    next_token: str
    max_results: int
    def __init__(self, policy_type: _Optional[str] = ..., next_token: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class ListAccountsWithInvalidEffectivePolicyResponse(_message.Message):
    __slots__ = ("accounts", "policy_type", "next_token")
    ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    POLICY_TYPE_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    accounts: _containers.RepeatedCompositeFieldContainer[OrganizationAccount]
    policy_type: str
    next_token: str
    def __init__(self, accounts: _Optional[_Iterable[_Union[OrganizationAccount, _Mapping]]] = ..., policy_type: _Optional[str] = ..., next_token: _Optional[str] = ...) -> None: ...

class ListEffectivePolicyValidationErrorsRequest(_message.Message):
    __slots__ = ("account_id", "policy_type", "next_token", "max_results")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_TYPE_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    policy_type: str
    next_token: str
    max_results: int
    def __init__(self, account_id: _Optional[str] = ..., policy_type: _Optional[str] = ..., next_token: _Optional[str] = ..., max_results: _Optional[int] = ...) -> None: ...

class EffectivePolicyValidationError(_message.Message):
    __slots__ = ("error_code", "error_message", "path_to_error", "contributing_policies")
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PATH_TO_ERROR_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTING_POLICIES_FIELD_NUMBER: _ClassVar[int]
    error_code: str
    error_message: str
    path_to_error: str
    contributing_policies: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, error_code: _Optional[str] = ..., error_message: _Optional[str] = ..., path_to_error: _Optional[str] = ..., contributing_policies: _Optional[_Iterable[str]] = ...) -> None: ...

class ListEffectivePolicyValidationErrorsResponse(_message.Message):
    __slots__ = ("account_id", "policy_type", "path", "evaluation_timestamp", "next_token", "effective_policy_validation_errors")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_TYPE_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_POLICY_VALIDATION_ERRORS_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    policy_type: str
    path: str
    evaluation_timestamp: _timestamp_pb2.Timestamp
    next_token: str
    effective_policy_validation_errors: _containers.RepeatedCompositeFieldContainer[EffectivePolicyValidationError]
    def __init__(self, account_id: _Optional[str] = ..., policy_type: _Optional[str] = ..., path: _Optional[str] = ..., evaluation_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., next_token: _Optional[str] = ..., effective_policy_validation_errors: _Optional[_Iterable[_Union[EffectivePolicyValidationError, _Mapping]]] = ...) -> None: ...
