import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from iamd.v1 import authorization_pb2 as _authorization_pb2
from iamd.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetEntityHistoryRequest(_message.Message):
    __slots__ = ("target",)
    TARGET_FIELD_NUMBER: _ClassVar[int]
    target: _common_pb2.EntityRef
    def __init__(self, target: _Optional[_Union[_common_pb2.EntityRef, _Mapping]] = ...) -> None: ...

class IdentityEvent(_message.Message):
    __slots__ = ("position", "stream", "version", "type", "time", "actor", "request_id", "data_json")
    POSITION_FIELD_NUMBER: _ClassVar[int]
    STREAM_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    position: int
    stream: str
    version: int
    type: str
    time: str
    actor: str
    request_id: str
    data_json: str
    def __init__(self, position: _Optional[int] = ..., stream: _Optional[str] = ..., version: _Optional[int] = ..., type: _Optional[str] = ..., time: _Optional[str] = ..., actor: _Optional[str] = ..., request_id: _Optional[str] = ..., data_json: _Optional[str] = ...) -> None: ...

class GetEntityHistoryResponse(_message.Message):
    __slots__ = ("events",)
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[IdentityEvent]
    def __init__(self, events: _Optional[_Iterable[_Union[IdentityEvent, _Mapping]]] = ...) -> None: ...

class WatchIdentityEventsRequest(_message.Message):
    __slots__ = ("after_position",)
    AFTER_POSITION_FIELD_NUMBER: _ClassVar[int]
    after_position: int
    def __init__(self, after_position: _Optional[int] = ...) -> None: ...

class CheckReplayRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CheckReplayResponse(_message.Message):
    __slots__ = ("equal", "position", "differences")
    EQUAL_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    DIFFERENCES_FIELD_NUMBER: _ClassVar[int]
    equal: bool
    position: int
    differences: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, equal: _Optional[bool] = ..., position: _Optional[int] = ..., differences: _Optional[_Iterable[str]] = ...) -> None: ...

class ExplainEventRequest(_message.Message):
    __slots__ = ("event_id",)
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    def __init__(self, event_id: _Optional[str] = ...) -> None: ...

class ExplainEventResponse(_message.Message):
    __slots__ = ("recorded_decision", "reevaluated", "cloud_trail_event")
    RECORDED_DECISION_FIELD_NUMBER: _ClassVar[int]
    REEVALUATED_FIELD_NUMBER: _ClassVar[int]
    CLOUD_TRAIL_EVENT_FIELD_NUMBER: _ClassVar[int]
    recorded_decision: str
    reevaluated: _authorization_pb2.AuthorizeResponse
    cloud_trail_event: str
    def __init__(self, recorded_decision: _Optional[str] = ..., reevaluated: _Optional[_Union[_authorization_pb2.AuthorizeResponse, _Mapping]] = ..., cloud_trail_event: _Optional[str] = ...) -> None: ...

class GetDigestPublicKeyRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetDigestPublicKeyResponse(_message.Message):
    __slots__ = ("public_key_pem", "fingerprint", "algorithm", "digest_interval_seconds", "server_time", "last_written_digest_json", "committed_since_last_digest")
    PUBLIC_KEY_PEM_FIELD_NUMBER: _ClassVar[int]
    FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    DIGEST_INTERVAL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SERVER_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_WRITTEN_DIGEST_JSON_FIELD_NUMBER: _ClassVar[int]
    COMMITTED_SINCE_LAST_DIGEST_FIELD_NUMBER: _ClassVar[int]
    public_key_pem: str
    fingerprint: str
    algorithm: str
    digest_interval_seconds: float
    server_time: str
    last_written_digest_json: str
    committed_since_last_digest: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, public_key_pem: _Optional[str] = ..., fingerprint: _Optional[str] = ..., algorithm: _Optional[str] = ..., digest_interval_seconds: _Optional[float] = ..., server_time: _Optional[str] = ..., last_written_digest_json: _Optional[str] = ..., committed_since_last_digest: _Optional[_Iterable[int]] = ...) -> None: ...

class ListDigestsRequest(_message.Message):
    __slots__ = ("after_index", "max_results")
    AFTER_INDEX_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    after_index: int
    max_results: int
    def __init__(self, after_index: _Optional[int] = ..., max_results: _Optional[int] = ...) -> None: ...

class ListDigestsResponse(_message.Message):
    __slots__ = ("digest_json", "next_index")
    DIGEST_JSON_FIELD_NUMBER: _ClassVar[int]
    NEXT_INDEX_FIELD_NUMBER: _ClassVar[int]
    digest_json: _containers.RepeatedScalarFieldContainer[str]
    next_index: int
    def __init__(self, digest_json: _Optional[_Iterable[str]] = ..., next_index: _Optional[int] = ...) -> None: ...

class GetAuditRecordsRequest(_message.Message):
    __slots__ = ("after_position", "up_to_position", "max_results")
    AFTER_POSITION_FIELD_NUMBER: _ClassVar[int]
    UP_TO_POSITION_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    after_position: int
    up_to_position: int
    max_results: int
    def __init__(self, after_position: _Optional[int] = ..., up_to_position: _Optional[int] = ..., max_results: _Optional[int] = ...) -> None: ...

class AuditRecordEntry(_message.Message):
    __slots__ = ("position", "event_id", "record_json", "cloud_trail_event")
    POSITION_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    RECORD_JSON_FIELD_NUMBER: _ClassVar[int]
    CLOUD_TRAIL_EVENT_FIELD_NUMBER: _ClassVar[int]
    position: int
    event_id: str
    record_json: str
    cloud_trail_event: str
    def __init__(self, position: _Optional[int] = ..., event_id: _Optional[str] = ..., record_json: _Optional[str] = ..., cloud_trail_event: _Optional[str] = ...) -> None: ...

class GetAuditRecordsResponse(_message.Message):
    __slots__ = ("records", "next_position")
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    NEXT_POSITION_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[AuditRecordEntry]
    next_position: int
    def __init__(self, records: _Optional[_Iterable[_Union[AuditRecordEntry, _Mapping]]] = ..., next_position: _Optional[int] = ...) -> None: ...

class CreateDigestRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CreateDigestResponse(_message.Message):
    __slots__ = ("digest_id", "records", "end_position")
    DIGEST_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    END_POSITION_FIELD_NUMBER: _ClassVar[int]
    digest_id: str
    records: int
    end_position: int
    def __init__(self, digest_id: _Optional[str] = ..., records: _Optional[int] = ..., end_position: _Optional[int] = ...) -> None: ...

class ValidateAuditTrailRequest(_message.Message):
    __slots__ = ("start_time", "end_time", "public_key_pem")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_PEM_FIELD_NUMBER: _ClassVar[int]
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    public_key_pem: str
    def __init__(self, start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., public_key_pem: _Optional[str] = ...) -> None: ...

class TimeRange(_message.Message):
    __slots__ = ("oldest_event_time", "newest_event_time")
    OLDEST_EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    NEWEST_EVENT_TIME_FIELD_NUMBER: _ClassVar[int]
    oldest_event_time: str
    newest_event_time: str
    def __init__(self, oldest_event_time: _Optional[str] = ..., newest_event_time: _Optional[str] = ...) -> None: ...

class ValidateAuditTrailResponse(_message.Message):
    __slots__ = ("valid", "valid_digests", "valid_records", "modified_event_ids", "deleted_event_ids", "inserted_event_ids", "invalid_digest_ids", "missing_digest_ids", "valid_ranges", "not_yet_covered", "status", "backdated_event_ids", "overdue_event_ids", "late_event_ids", "problems", "notes", "newest_digest_time", "digest_interval_seconds", "trusted_key_fingerprints", "key_pinned")
    VALID_FIELD_NUMBER: _ClassVar[int]
    VALID_DIGESTS_FIELD_NUMBER: _ClassVar[int]
    VALID_RECORDS_FIELD_NUMBER: _ClassVar[int]
    MODIFIED_EVENT_IDS_FIELD_NUMBER: _ClassVar[int]
    DELETED_EVENT_IDS_FIELD_NUMBER: _ClassVar[int]
    INSERTED_EVENT_IDS_FIELD_NUMBER: _ClassVar[int]
    INVALID_DIGEST_IDS_FIELD_NUMBER: _ClassVar[int]
    MISSING_DIGEST_IDS_FIELD_NUMBER: _ClassVar[int]
    VALID_RANGES_FIELD_NUMBER: _ClassVar[int]
    NOT_YET_COVERED_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    BACKDATED_EVENT_IDS_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_EVENT_IDS_FIELD_NUMBER: _ClassVar[int]
    LATE_EVENT_IDS_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    NEWEST_DIGEST_TIME_FIELD_NUMBER: _ClassVar[int]
    DIGEST_INTERVAL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    TRUSTED_KEY_FINGERPRINTS_FIELD_NUMBER: _ClassVar[int]
    KEY_PINNED_FIELD_NUMBER: _ClassVar[int]
    valid: bool
    valid_digests: int
    valid_records: int
    modified_event_ids: _containers.RepeatedScalarFieldContainer[str]
    deleted_event_ids: _containers.RepeatedScalarFieldContainer[str]
    inserted_event_ids: _containers.RepeatedScalarFieldContainer[str]
    invalid_digest_ids: _containers.RepeatedScalarFieldContainer[str]
    missing_digest_ids: _containers.RepeatedScalarFieldContainer[str]
    valid_ranges: _containers.RepeatedCompositeFieldContainer[TimeRange]
    not_yet_covered: int
    status: str
    backdated_event_ids: _containers.RepeatedScalarFieldContainer[str]
    overdue_event_ids: _containers.RepeatedScalarFieldContainer[str]
    late_event_ids: _containers.RepeatedScalarFieldContainer[str]
    problems: _containers.RepeatedScalarFieldContainer[str]
    notes: _containers.RepeatedScalarFieldContainer[str]
    newest_digest_time: str
    digest_interval_seconds: float
    trusted_key_fingerprints: _containers.RepeatedScalarFieldContainer[str]
    key_pinned: bool
    def __init__(self, valid: _Optional[bool] = ..., valid_digests: _Optional[int] = ..., valid_records: _Optional[int] = ..., modified_event_ids: _Optional[_Iterable[str]] = ..., deleted_event_ids: _Optional[_Iterable[str]] = ..., inserted_event_ids: _Optional[_Iterable[str]] = ..., invalid_digest_ids: _Optional[_Iterable[str]] = ..., missing_digest_ids: _Optional[_Iterable[str]] = ..., valid_ranges: _Optional[_Iterable[_Union[TimeRange, _Mapping]]] = ..., not_yet_covered: _Optional[int] = ..., status: _Optional[str] = ..., backdated_event_ids: _Optional[_Iterable[str]] = ..., overdue_event_ids: _Optional[_Iterable[str]] = ..., late_event_ids: _Optional[_Iterable[str]] = ..., problems: _Optional[_Iterable[str]] = ..., notes: _Optional[_Iterable[str]] = ..., newest_digest_time: _Optional[str] = ..., digest_interval_seconds: _Optional[float] = ..., trusted_key_fingerprints: _Optional[_Iterable[str]] = ..., key_pinned: _Optional[bool] = ...) -> None: ...

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
