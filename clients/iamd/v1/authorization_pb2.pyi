import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Decision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DECISION_UNSPECIFIED: _ClassVar[Decision]
    DECISION_ALLOW: _ClassVar[Decision]
    DECISION_EXPLICIT_DENY: _ClassVar[Decision]
    DECISION_IMPLICIT_DENY: _ClassVar[Decision]
DECISION_UNSPECIFIED: Decision
DECISION_ALLOW: Decision
DECISION_EXPLICIT_DENY: Decision
DECISION_IMPLICIT_DENY: Decision

class ContextValue(_message.Message):
    __slots__ = ("values", "multivalued")
    VALUES_FIELD_NUMBER: _ClassVar[int]
    MULTIVALUED_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedScalarFieldContainer[str]
    multivalued: bool
    def __init__(self, values: _Optional[_Iterable[str]] = ..., multivalued: _Optional[bool] = ...) -> None: ...

class SignedPrincipalRequest(_message.Message):
    __slots__ = ("method", "body", "headers")
    class HeadersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    METHOD_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    method: str
    body: bytes
    headers: _containers.ScalarMap[str, str]
    def __init__(self, method: _Optional[str] = ..., body: _Optional[bytes] = ..., headers: _Optional[_Mapping[str, str]] = ...) -> None: ...

class AsOf(_message.Message):
    __slots__ = ("position", "time")
    POSITION_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    position: int
    time: _timestamp_pb2.Timestamp
    def __init__(self, position: _Optional[int] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AuthorizeRequest(_message.Message):
    __slots__ = ("principal_arn", "signed_request", "session_token", "service_principal", "anonymous", "as_of", "resource_policy", "resource_tags", "has_resource_tags", "action", "resource", "resource_account", "context", "min_position", "explain", "encode_denial")
    class ResourceTagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class ContextEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: ContextValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[ContextValue, _Mapping]] = ...) -> None: ...
    PRINCIPAL_ARN_FIELD_NUMBER: _ClassVar[int]
    SIGNED_REQUEST_FIELD_NUMBER: _ClassVar[int]
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SERVICE_PRINCIPAL_FIELD_NUMBER: _ClassVar[int]
    ANONYMOUS_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_POLICY_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TAGS_FIELD_NUMBER: _ClassVar[int]
    HAS_RESOURCE_TAGS_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    MIN_POSITION_FIELD_NUMBER: _ClassVar[int]
    EXPLAIN_FIELD_NUMBER: _ClassVar[int]
    ENCODE_DENIAL_FIELD_NUMBER: _ClassVar[int]
    principal_arn: str
    signed_request: SignedPrincipalRequest
    session_token: str
    service_principal: str
    anonymous: bool
    as_of: AsOf
    resource_policy: str
    resource_tags: _containers.ScalarMap[str, str]
    has_resource_tags: bool
    action: str
    resource: str
    resource_account: str
    context: _containers.MessageMap[str, ContextValue]
    min_position: int
    explain: bool
    encode_denial: bool
    def __init__(self, principal_arn: _Optional[str] = ..., signed_request: _Optional[_Union[SignedPrincipalRequest, _Mapping]] = ..., session_token: _Optional[str] = ..., service_principal: _Optional[str] = ..., anonymous: _Optional[bool] = ..., as_of: _Optional[_Union[AsOf, _Mapping]] = ..., resource_policy: _Optional[str] = ..., resource_tags: _Optional[_Mapping[str, str]] = ..., has_resource_tags: _Optional[bool] = ..., action: _Optional[str] = ..., resource: _Optional[str] = ..., resource_account: _Optional[str] = ..., context: _Optional[_Mapping[str, ContextValue]] = ..., min_position: _Optional[int] = ..., explain: _Optional[bool] = ..., encode_denial: _Optional[bool] = ...) -> None: ...

class StatementRef(_message.Message):
    __slots__ = ("policy_id", "policy_type", "version_id", "sid", "statement_index", "effect", "start_position", "end_position")
    POLICY_ID_FIELD_NUMBER: _ClassVar[int]
    POLICY_TYPE_FIELD_NUMBER: _ClassVar[int]
    VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    SID_FIELD_NUMBER: _ClassVar[int]
    STATEMENT_INDEX_FIELD_NUMBER: _ClassVar[int]
    EFFECT_FIELD_NUMBER: _ClassVar[int]
    START_POSITION_FIELD_NUMBER: _ClassVar[int]
    END_POSITION_FIELD_NUMBER: _ClassVar[int]
    policy_id: str
    policy_type: str
    version_id: str
    sid: str
    statement_index: int
    effect: str
    start_position: Position
    end_position: Position
    def __init__(self, policy_id: _Optional[str] = ..., policy_type: _Optional[str] = ..., version_id: _Optional[str] = ..., sid: _Optional[str] = ..., statement_index: _Optional[int] = ..., effect: _Optional[str] = ..., start_position: _Optional[_Union[Position, _Mapping]] = ..., end_position: _Optional[_Union[Position, _Mapping]] = ...) -> None: ...

class AuthorizeResponse(_message.Message):
    __slots__ = ("decision", "determining_statements", "blocked_by", "missing_context_keys", "results_by_policy_type", "evaluated_at_position", "encoded_authorization_message")
    class ResultsByPolicyTypeEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    DECISION_FIELD_NUMBER: _ClassVar[int]
    DETERMINING_STATEMENTS_FIELD_NUMBER: _ClassVar[int]
    BLOCKED_BY_FIELD_NUMBER: _ClassVar[int]
    MISSING_CONTEXT_KEYS_FIELD_NUMBER: _ClassVar[int]
    RESULTS_BY_POLICY_TYPE_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_AT_POSITION_FIELD_NUMBER: _ClassVar[int]
    ENCODED_AUTHORIZATION_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    decision: Decision
    determining_statements: _containers.RepeatedCompositeFieldContainer[StatementRef]
    blocked_by: _containers.RepeatedScalarFieldContainer[str]
    missing_context_keys: _containers.RepeatedScalarFieldContainer[str]
    results_by_policy_type: _containers.ScalarMap[str, str]
    evaluated_at_position: int
    encoded_authorization_message: str
    def __init__(self, decision: _Optional[_Union[Decision, str]] = ..., determining_statements: _Optional[_Iterable[_Union[StatementRef, _Mapping]]] = ..., blocked_by: _Optional[_Iterable[str]] = ..., missing_context_keys: _Optional[_Iterable[str]] = ..., results_by_policy_type: _Optional[_Mapping[str, str]] = ..., evaluated_at_position: _Optional[int] = ..., encoded_authorization_message: _Optional[str] = ...) -> None: ...

class AuthorizeBatchRequest(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[AuthorizeRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[AuthorizeRequest, _Mapping]]] = ...) -> None: ...

class AuthorizeBatchResponse(_message.Message):
    __slots__ = ("responses",)
    RESPONSES_FIELD_NUMBER: _ClassVar[int]
    responses: _containers.RepeatedCompositeFieldContainer[AuthorizeResponse]
    def __init__(self, responses: _Optional[_Iterable[_Union[AuthorizeResponse, _Mapping]]] = ...) -> None: ...

class GetProjectionStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetProjectionStatusResponse(_message.Message):
    __slots__ = ("position", "head_position", "lag", "caught_up", "events_applied", "audit_queue_depth", "audit_records_written", "audit_write_failures", "following", "stalled_seconds", "stall_reason", "resubscriptions")
    POSITION_FIELD_NUMBER: _ClassVar[int]
    HEAD_POSITION_FIELD_NUMBER: _ClassVar[int]
    LAG_FIELD_NUMBER: _ClassVar[int]
    CAUGHT_UP_FIELD_NUMBER: _ClassVar[int]
    EVENTS_APPLIED_FIELD_NUMBER: _ClassVar[int]
    AUDIT_QUEUE_DEPTH_FIELD_NUMBER: _ClassVar[int]
    AUDIT_RECORDS_WRITTEN_FIELD_NUMBER: _ClassVar[int]
    AUDIT_WRITE_FAILURES_FIELD_NUMBER: _ClassVar[int]
    FOLLOWING_FIELD_NUMBER: _ClassVar[int]
    STALLED_SECONDS_FIELD_NUMBER: _ClassVar[int]
    STALL_REASON_FIELD_NUMBER: _ClassVar[int]
    RESUBSCRIPTIONS_FIELD_NUMBER: _ClassVar[int]
    position: int
    head_position: int
    lag: int
    caught_up: bool
    events_applied: int
    audit_queue_depth: int
    audit_records_written: int
    audit_write_failures: int
    following: bool
    stalled_seconds: float
    stall_reason: str
    resubscriptions: int
    def __init__(self, position: _Optional[int] = ..., head_position: _Optional[int] = ..., lag: _Optional[int] = ..., caught_up: _Optional[bool] = ..., events_applied: _Optional[int] = ..., audit_queue_depth: _Optional[int] = ..., audit_records_written: _Optional[int] = ..., audit_write_failures: _Optional[int] = ..., following: _Optional[bool] = ..., stalled_seconds: _Optional[float] = ..., stall_reason: _Optional[str] = ..., resubscriptions: _Optional[int] = ...) -> None: ...

class PolicyLevel(_message.Message):
    __slots__ = ("policies",)
    POLICIES_FIELD_NUMBER: _ClassVar[int]
    policies: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, policies: _Optional[_Iterable[str]] = ...) -> None: ...

class SimulateCustomPolicyRequest(_message.Message):
    __slots__ = ("policy_input_list", "permissions_boundary_policy_input_list", "action_names", "resource_arns", "resource_policy", "resource_owner", "caller_arn", "context_entries", "session_policy", "scp_levels", "rcp_levels")
    class ContextEntriesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: ContextValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[ContextValue, _Mapping]] = ...) -> None: ...
    POLICY_INPUT_LIST_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_BOUNDARY_POLICY_INPUT_LIST_FIELD_NUMBER: _ClassVar[int]
    ACTION_NAMES_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ARNS_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_POLICY_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_OWNER_FIELD_NUMBER: _ClassVar[int]
    CALLER_ARN_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    SESSION_POLICY_FIELD_NUMBER: _ClassVar[int]
    SCP_LEVELS_FIELD_NUMBER: _ClassVar[int]
    RCP_LEVELS_FIELD_NUMBER: _ClassVar[int]
    policy_input_list: _containers.RepeatedScalarFieldContainer[str]
    permissions_boundary_policy_input_list: _containers.RepeatedScalarFieldContainer[str]
    action_names: _containers.RepeatedScalarFieldContainer[str]
    resource_arns: _containers.RepeatedScalarFieldContainer[str]
    resource_policy: str
    resource_owner: str
    caller_arn: str
    context_entries: _containers.MessageMap[str, ContextValue]
    session_policy: str
    scp_levels: _containers.RepeatedCompositeFieldContainer[PolicyLevel]
    rcp_levels: _containers.RepeatedCompositeFieldContainer[PolicyLevel]
    def __init__(self, policy_input_list: _Optional[_Iterable[str]] = ..., permissions_boundary_policy_input_list: _Optional[_Iterable[str]] = ..., action_names: _Optional[_Iterable[str]] = ..., resource_arns: _Optional[_Iterable[str]] = ..., resource_policy: _Optional[str] = ..., resource_owner: _Optional[str] = ..., caller_arn: _Optional[str] = ..., context_entries: _Optional[_Mapping[str, ContextValue]] = ..., session_policy: _Optional[str] = ..., scp_levels: _Optional[_Iterable[_Union[PolicyLevel, _Mapping]]] = ..., rcp_levels: _Optional[_Iterable[_Union[PolicyLevel, _Mapping]]] = ...) -> None: ...

class SimulatePrincipalPolicyRequest(_message.Message):
    __slots__ = ("policy_source_arn", "policy_input_list", "permissions_boundary_policy_input_list", "action_names", "resource_arns", "resource_policy", "resource_owner", "context_entries", "min_position", "as_of")
    class ContextEntriesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: ContextValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[ContextValue, _Mapping]] = ...) -> None: ...
    POLICY_SOURCE_ARN_FIELD_NUMBER: _ClassVar[int]
    POLICY_INPUT_LIST_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_BOUNDARY_POLICY_INPUT_LIST_FIELD_NUMBER: _ClassVar[int]
    ACTION_NAMES_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ARNS_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_POLICY_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_OWNER_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_ENTRIES_FIELD_NUMBER: _ClassVar[int]
    MIN_POSITION_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    policy_source_arn: str
    policy_input_list: _containers.RepeatedScalarFieldContainer[str]
    permissions_boundary_policy_input_list: _containers.RepeatedScalarFieldContainer[str]
    action_names: _containers.RepeatedScalarFieldContainer[str]
    resource_arns: _containers.RepeatedScalarFieldContainer[str]
    resource_policy: str
    resource_owner: str
    context_entries: _containers.MessageMap[str, ContextValue]
    min_position: int
    as_of: AsOf
    def __init__(self, policy_source_arn: _Optional[str] = ..., policy_input_list: _Optional[_Iterable[str]] = ..., permissions_boundary_policy_input_list: _Optional[_Iterable[str]] = ..., action_names: _Optional[_Iterable[str]] = ..., resource_arns: _Optional[_Iterable[str]] = ..., resource_policy: _Optional[str] = ..., resource_owner: _Optional[str] = ..., context_entries: _Optional[_Mapping[str, ContextValue]] = ..., min_position: _Optional[int] = ..., as_of: _Optional[_Union[AsOf, _Mapping]] = ...) -> None: ...

class EvaluationResult(_message.Message):
    __slots__ = ("eval_action_name", "eval_resource_name", "eval_decision", "matched_statements", "missing_context_values", "blocked_by", "results_by_policy_type", "resource_type_arn")
    class ResultsByPolicyTypeEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    EVAL_ACTION_NAME_FIELD_NUMBER: _ClassVar[int]
    EVAL_RESOURCE_NAME_FIELD_NUMBER: _ClassVar[int]
    EVAL_DECISION_FIELD_NUMBER: _ClassVar[int]
    MATCHED_STATEMENTS_FIELD_NUMBER: _ClassVar[int]
    MISSING_CONTEXT_VALUES_FIELD_NUMBER: _ClassVar[int]
    BLOCKED_BY_FIELD_NUMBER: _ClassVar[int]
    RESULTS_BY_POLICY_TYPE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPE_ARN_FIELD_NUMBER: _ClassVar[int]
    eval_action_name: str
    eval_resource_name: str
    eval_decision: Decision
    matched_statements: _containers.RepeatedCompositeFieldContainer[StatementRef]
    missing_context_values: _containers.RepeatedScalarFieldContainer[str]
    blocked_by: _containers.RepeatedScalarFieldContainer[str]
    results_by_policy_type: _containers.ScalarMap[str, str]
    resource_type_arn: str
    def __init__(self, eval_action_name: _Optional[str] = ..., eval_resource_name: _Optional[str] = ..., eval_decision: _Optional[_Union[Decision, str]] = ..., matched_statements: _Optional[_Iterable[_Union[StatementRef, _Mapping]]] = ..., missing_context_values: _Optional[_Iterable[str]] = ..., blocked_by: _Optional[_Iterable[str]] = ..., results_by_policy_type: _Optional[_Mapping[str, str]] = ..., resource_type_arn: _Optional[str] = ...) -> None: ...

class SimulateResponse(_message.Message):
    __slots__ = ("evaluation_results", "evaluated_at_position")
    EVALUATION_RESULTS_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_AT_POSITION_FIELD_NUMBER: _ClassVar[int]
    evaluation_results: _containers.RepeatedCompositeFieldContainer[EvaluationResult]
    evaluated_at_position: int
    def __init__(self, evaluation_results: _Optional[_Iterable[_Union[EvaluationResult, _Mapping]]] = ..., evaluated_at_position: _Optional[int] = ...) -> None: ...

class ValidatePolicyRequest(_message.Message):
    __slots__ = ("policy_document", "policy_type", "validate_policy_resource_type", "locale", "max_results", "next_token")
    POLICY_DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    POLICY_TYPE_FIELD_NUMBER: _ClassVar[int]
    VALIDATE_POLICY_RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    MAX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    policy_document: str
    policy_type: str
    validate_policy_resource_type: str
    locale: str
    max_results: int
    next_token: str
    def __init__(self, policy_document: _Optional[str] = ..., policy_type: _Optional[str] = ..., validate_policy_resource_type: _Optional[str] = ..., locale: _Optional[str] = ..., max_results: _Optional[int] = ..., next_token: _Optional[str] = ...) -> None: ...

class ValidatePolicyResponse(_message.Message):
    __slots__ = ("findings", "next_token")
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    NEXT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    findings: _containers.RepeatedCompositeFieldContainer[ValidatePolicyFinding]
    next_token: str
    def __init__(self, findings: _Optional[_Iterable[_Union[ValidatePolicyFinding, _Mapping]]] = ..., next_token: _Optional[str] = ...) -> None: ...

class ValidatePolicyFinding(_message.Message):
    __slots__ = ("finding_details", "finding_type", "issue_code", "learn_more_link", "locations")
    FINDING_DETAILS_FIELD_NUMBER: _ClassVar[int]
    FINDING_TYPE_FIELD_NUMBER: _ClassVar[int]
    ISSUE_CODE_FIELD_NUMBER: _ClassVar[int]
    LEARN_MORE_LINK_FIELD_NUMBER: _ClassVar[int]
    LOCATIONS_FIELD_NUMBER: _ClassVar[int]
    finding_details: str
    finding_type: str
    issue_code: str
    learn_more_link: str
    locations: _containers.RepeatedCompositeFieldContainer[FindingLocation]
    def __init__(self, finding_details: _Optional[str] = ..., finding_type: _Optional[str] = ..., issue_code: _Optional[str] = ..., learn_more_link: _Optional[str] = ..., locations: _Optional[_Iterable[_Union[FindingLocation, _Mapping]]] = ...) -> None: ...

class FindingLocation(_message.Message):
    __slots__ = ("path", "span")
    PATH_FIELD_NUMBER: _ClassVar[int]
    SPAN_FIELD_NUMBER: _ClassVar[int]
    path: _containers.RepeatedCompositeFieldContainer[PathElement]
    span: Span
    def __init__(self, path: _Optional[_Iterable[_Union[PathElement, _Mapping]]] = ..., span: _Optional[_Union[Span, _Mapping]] = ...) -> None: ...

class PathElement(_message.Message):
    __slots__ = ("index", "key", "substring", "value")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    SUBSTRING_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    index: int
    key: str
    substring: Substring
    value: str
    def __init__(self, index: _Optional[int] = ..., key: _Optional[str] = ..., substring: _Optional[_Union[Substring, _Mapping]] = ..., value: _Optional[str] = ...) -> None: ...

class Substring(_message.Message):
    __slots__ = ("start", "length")
    START_FIELD_NUMBER: _ClassVar[int]
    LENGTH_FIELD_NUMBER: _ClassVar[int]
    start: int
    length: int
    def __init__(self, start: _Optional[int] = ..., length: _Optional[int] = ...) -> None: ...

class Span(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: Position
    end: Position
    def __init__(self, start: _Optional[_Union[Position, _Mapping]] = ..., end: _Optional[_Union[Position, _Mapping]] = ...) -> None: ...

class Position(_message.Message):
    __slots__ = ("line", "column", "offset")
    LINE_FIELD_NUMBER: _ClassVar[int]
    COLUMN_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    line: int
    column: int
    offset: int
    def __init__(self, line: _Optional[int] = ..., column: _Optional[int] = ..., offset: _Optional[int] = ...) -> None: ...

class GetContextKeysForCustomPolicyRequest(_message.Message):
    __slots__ = ("policy_input_list",)
    POLICY_INPUT_LIST_FIELD_NUMBER: _ClassVar[int]
    policy_input_list: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, policy_input_list: _Optional[_Iterable[str]] = ...) -> None: ...

class GetContextKeysForPrincipalPolicyRequest(_message.Message):
    __slots__ = ("policy_source_arn", "policy_input_list")
    POLICY_SOURCE_ARN_FIELD_NUMBER: _ClassVar[int]
    POLICY_INPUT_LIST_FIELD_NUMBER: _ClassVar[int]
    policy_source_arn: str
    policy_input_list: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, policy_source_arn: _Optional[str] = ..., policy_input_list: _Optional[_Iterable[str]] = ...) -> None: ...

class GetContextKeysResponse(_message.Message):
    __slots__ = ("context_key_names",)
    CONTEXT_KEY_NAMES_FIELD_NUMBER: _ClassVar[int]
    context_key_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, context_key_names: _Optional[_Iterable[str]] = ...) -> None: ...
