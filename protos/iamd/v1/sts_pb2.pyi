from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

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
