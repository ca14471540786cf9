from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrganizationCommandResponse(_message.Message):
    __slots__ = ("position",)
    POSITION_FIELD_NUMBER: _ClassVar[int]
    position: int
    def __init__(self, position: _Optional[int] = ...) -> None: ...

class CreateOrganizationRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class DescribeOrganizationRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class OrganizationResponse(_message.Message):
    __slots__ = ("id", "master_account_id", "root_id", "position")
    ID_FIELD_NUMBER: _ClassVar[int]
    MASTER_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    ROOT_ID_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    id: str
    master_account_id: str
    root_id: str
    position: int
    def __init__(self, id: _Optional[str] = ..., master_account_id: _Optional[str] = ..., root_id: _Optional[str] = ..., position: _Optional[int] = ...) -> None: ...

class CreateAccountRequest(_message.Message):
    __slots__ = ("account_name", "email")
    ACCOUNT_NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    account_name: str
    email: str
    def __init__(self, account_name: _Optional[str] = ..., email: _Optional[str] = ...) -> None: ...

class CreateAccountResponse(_message.Message):
    __slots__ = ("account_id", "access_role_arn", "position")
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    ACCESS_ROLE_ARN_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    account_id: str
    access_role_arn: str
    position: int
    def __init__(self, account_id: _Optional[str] = ..., access_role_arn: _Optional[str] = ..., position: _Optional[int] = ...) -> None: ...

class ListAccountsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class OrganizationAccount(_message.Message):
    __slots__ = ("id", "name", "email", "parent_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    email: str
    parent_id: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., email: _Optional[str] = ..., parent_id: _Optional[str] = ...) -> None: ...

class ListAccountsResponse(_message.Message):
    __slots__ = ("accounts",)
    ACCOUNTS_FIELD_NUMBER: _ClassVar[int]
    accounts: _containers.RepeatedCompositeFieldContainer[OrganizationAccount]
    def __init__(self, accounts: _Optional[_Iterable[_Union[OrganizationAccount, _Mapping]]] = ...) -> None: ...

class CreateOrganizationalUnitRequest(_message.Message):
    __slots__ = ("parent_id", "name")
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    parent_id: str
    name: str
    def __init__(self, parent_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class CreateOrganizationalUnitResponse(_message.Message):
    __slots__ = ("id", "position")
    ID_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    id: str
    position: int
    def __init__(self, id: _Optional[str] = ..., position: _Optional[int] = ...) -> None: ...

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
    __slots__ = ("name", "type", "content", "description")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: str
    content: str
    description: str
    def __init__(self, name: _Optional[str] = ..., type: _Optional[str] = ..., content: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

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
    __slots__ = ("target_id", "filter")
    TARGET_ID_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    target_id: str
    filter: str
    def __init__(self, target_id: _Optional[str] = ..., filter: _Optional[str] = ...) -> None: ...

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
    __slots__ = ("policies",)
    POLICIES_FIELD_NUMBER: _ClassVar[int]
    policies: _containers.RepeatedCompositeFieldContainer[OrganizationPolicySummary]
    def __init__(self, policies: _Optional[_Iterable[_Union[OrganizationPolicySummary, _Mapping]]] = ...) -> None: ...

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
    __slots__ = ()
    def __init__(self) -> None: ...

class OrganizationRoot(_message.Message):
    __slots__ = ("id", "name", "arn")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ARN_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    arn: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., arn: _Optional[str] = ...) -> None: ...

class ListRootsResponse(_message.Message):
    __slots__ = ("roots",)
    ROOTS_FIELD_NUMBER: _ClassVar[int]
    roots: _containers.RepeatedCompositeFieldContainer[OrganizationRoot]
    def __init__(self, roots: _Optional[_Iterable[_Union[OrganizationRoot, _Mapping]]] = ...) -> None: ...

class ListChildrenRequest(_message.Message):
    __slots__ = ("parent_id", "child_type")
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    CHILD_TYPE_FIELD_NUMBER: _ClassVar[int]
    parent_id: str
    child_type: str
    def __init__(self, parent_id: _Optional[str] = ..., child_type: _Optional[str] = ...) -> None: ...

class OrganizationChild(_message.Message):
    __slots__ = ("id", "type")
    ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    id: str
    type: str
    def __init__(self, id: _Optional[str] = ..., type: _Optional[str] = ...) -> None: ...

class ListChildrenResponse(_message.Message):
    __slots__ = ("children",)
    CHILDREN_FIELD_NUMBER: _ClassVar[int]
    children: _containers.RepeatedCompositeFieldContainer[OrganizationChild]
    def __init__(self, children: _Optional[_Iterable[_Union[OrganizationChild, _Mapping]]] = ...) -> None: ...

class ListParentsRequest(_message.Message):
    __slots__ = ("child_id",)
    CHILD_ID_FIELD_NUMBER: _ClassVar[int]
    child_id: str
    def __init__(self, child_id: _Optional[str] = ...) -> None: ...

class ListParentsResponse(_message.Message):
    __slots__ = ("parents",)
    PARENTS_FIELD_NUMBER: _ClassVar[int]
    parents: _containers.RepeatedCompositeFieldContainer[OrganizationChild]
    def __init__(self, parents: _Optional[_Iterable[_Union[OrganizationChild, _Mapping]]] = ...) -> None: ...

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
    __slots__ = ("organizational_units",)
    ORGANIZATIONAL_UNITS_FIELD_NUMBER: _ClassVar[int]
    organizational_units: _containers.RepeatedCompositeFieldContainer[OrganizationalUnit]
    def __init__(self, organizational_units: _Optional[_Iterable[_Union[OrganizationalUnit, _Mapping]]] = ...) -> None: ...

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
    __slots__ = ("policy_id",)
    POLICY_ID_FIELD_NUMBER: _ClassVar[int]
    policy_id: str
    def __init__(self, policy_id: _Optional[str] = ...) -> None: ...

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
    __slots__ = ("filter",)
    FILTER_FIELD_NUMBER: _ClassVar[int]
    filter: str
    def __init__(self, filter: _Optional[str] = ...) -> None: ...

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
    __slots__ = ("targets",)
    TARGETS_FIELD_NUMBER: _ClassVar[int]
    targets: _containers.RepeatedCompositeFieldContainer[PolicyTarget]
    def __init__(self, targets: _Optional[_Iterable[_Union[PolicyTarget, _Mapping]]] = ...) -> None: ...

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
