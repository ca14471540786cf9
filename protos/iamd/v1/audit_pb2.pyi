import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LookupAttribute(_message.Message):
    __slots__ = ("attribute_key", "attribute_value")
    ATTRIBUTE_KEY_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTE_VALUE_FIELD_NUMBER: _ClassVar[int]
    attribute_key: str
    attribute_value: str
    def __init__(self, attribute_key: _Optional[str] = ..., attribute_value: _Optional[str] = ...) -> None: ...

class LookupEventsRequest(_message.Message):
    __slots__ = ("lookup_attributes", "start_time", "end_time", "max_results", "next_token", "decision", "error_code", "principal_arn")
    LOOKUP_ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    ERROR_CODE_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_ARN_FIELD_NUMBER: _ClassVar[int]
    lookup_attributes: _containers.RepeatedCompositeFieldContainer[LookupAttribute]
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    max_results: int
    next_token: str
    decision: str
    error_code: str
    principal_arn: str
    def __init__(self, lookup_attributes: _Optional[_Iterable[_Union[LookupAttribute, _Mapping]]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., max_results: _Optional[int] = ..., next_token: _Optional[str] = ..., decision: _Optional[str] = ..., error_code: _Optional[str] = ..., principal_arn: _Optional[str] = ...) -> None: ...

class EventResource(_message.Message):
    __slots__ = ("resource_type", "resource_name")
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_NAME_FIELD_NUMBER: _ClassVar[int]
    resource_type: str
    resource_name: str
    def __init__(self, resource_type: _Optional[str] = ..., resource_name: _Optional[str] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("event_id", "event_name", "read_only", "access_key_id", "event_time", "event_source", "username", "resources", "cloud_trail_event")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_NAME_FIELD_NUMBER: _ClassVar[int]
    READ_ONLY_FIELD_NUMBER: _ClassVar[int]
    ACCESS_KEY_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    EVENT_SOURCE_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    CLOUD_TRAIL_EVENT_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    event_name: str
    read_only: str
    access_key_id: str
    event_time: _timestamp_pb2.Timestamp
    event_source: str
    username: str
    resources: _containers.RepeatedCompositeFieldContainer[EventResource]
    cloud_trail_event: str
    def __init__(self, event_id: _Optional[str] = ..., event_name: _Optional[str] = ..., read_only: _Optional[str] = ..., access_key_id: _Optional[str] = ..., event_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., event_source: _Optional[str] = ..., username: _Optional[str] = ..., resources: _Optional[_Iterable[_Union[EventResource, _Mapping]]] = ..., cloud_trail_event: _Optional[str] = ...) -> None: ...

class LookupEventsResponse(_message.Message):
    __slots__ = ("events", "next_token")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[Event]
    next_token: str
    def __init__(self, events: _Optional[_Iterable[_Union[Event, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...
