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
    __slots__ = ("name", "type", "content")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: str
    content: str
    def __init__(self, name: _Optional[str] = ..., type: _Optional[str] = ..., content: _Optional[str] = ...) -> None: ...

class CreateOrganizationPolicyResponse(_message.Message):
    __slots__ = ("policy_id", "position")
    POLICY_ID_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    policy_id: str
    position: int
    def __init__(self, policy_id: _Optional[str] = ..., position: _Optional[int] = ...) -> None: ...

class OrganizationPolicyTargetRequest(_message.Message):
    __slots__ = ("policy_id", "target_id")
    POLICY_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_ID_FIELD_NUMBER: _ClassVar[int]
    policy_id: str
    target_id: str
    def __init__(self, policy_id: _Optional[str] = ..., target_id: _Optional[str] = ...) -> None: ...

class ListPoliciesForTargetRequest(_message.Message):
    __slots__ = ("target_id",)
    TARGET_ID_FIELD_NUMBER: _ClassVar[int]
    target_id: str
    def __init__(self, target_id: _Optional[str] = ...) -> None: ...

class OrganizationPolicySummary(_message.Message):
    __slots__ = ("id", "name", "type")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    type: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., type: _Optional[str] = ...) -> None: ...

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
