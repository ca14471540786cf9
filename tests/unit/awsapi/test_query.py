"""The Query codec against botocore's own client side: its serializer's requests parse back to the
input, its parser reads our responses back to the output, and bad requests fail with AWS's codes."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

import botocore.handlers
import botocore.parsers
import botocore.serialize
import pytest
from botocore.model import OperationModel, ServiceModel, Shape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamd.service.awsapi.query import (
    MAX_DEPTH,
    MAX_FIELDS,
    MAX_ITEMS,
    SERVICES,
    URL_ENCODED_SHAPES,
    QueryError,
    error_status,
    operation_for,
    parse_query,
    serialize_error,
    serialize_result,
    service_model,
)

IAM_VERSION, IAM_NS = SERVICES["iam"]
STS_VERSION, STS_NS = SERVICES["sts"]
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
ACCOUNT = "arn:aws:iam::123456789012"
POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/a+b %20 & <c> é",
                   "Condition": {"StringLike": {"aws:username": "${aws:username}?"}}}],
}, indent=2)
TAGS = [{"Key": "team", "Value": "core"}, {"Key": "cost-center", "Value": ""}]
ODD_TEXT = "<&>\"' ]]> &amp; üñí 日本 😀 \t tab\r\ncrlf\rcr\n"


def _op(service: str, name: str) -> OperationModel:
    return service_model(service).operation_model(name)


def _client_request(operation: OperationModel, params: dict[str, Any], *, validate: bool = True) -> dict[str, str]:
    """The form fields botocore sends for `params`, as an HTTP server decodes them."""
    # Validation (botocore's length, range and required checks) is off only for generated inputs.
    serializer = botocore.serialize.create_serializer("query", include_validation=validate)
    body = serializer.serialize_to_request(params, operation)["body"]
    return dict(parse_qsl(urlencode(body), keep_blank_values=True))


def _client_parse(operation: OperationModel | None, body: bytes, status: int = 200) -> dict[str, Any]:
    shape = operation.output_shape if operation is not None else None
    return botocore.parsers.create_parser("query").parse({"body": body, "headers": {}, "status_code": status}, shape)


def _request_round_trip(service: str, name: str, params: dict[str, Any]) -> dict[str, Any]:
    fields = _client_request(_op(service, name), params)
    return parse_query(operation_for(service, fields), fields)


def _response_round_trip(operation: OperationModel, output: dict[str, Any], request_id: str = "r-1") -> dict[str, Any]:
    parsed = _client_parse(operation, serialize_result(operation, output, request_id))
    assert parsed.pop("ResponseMetadata")["RequestId"] == request_id
    return parsed


def _raises(service: str, params: dict[str, str], code: str, field: str) -> QueryError:
    with pytest.raises(QueryError) as caught:
        parse_query(operation_for(service, params), params)
    assert (caught.value.code, caught.value.field) == (code, field), caught.value.message
    return caught.value


def _iam(action: str, **fields: str) -> dict[str, str]:
    return {"Action": action, "Version": IAM_VERSION, **fields}


def _sts(action: str, **fields: str) -> dict[str, str]:
    return {"Action": action, "Version": STS_VERSION, **fields}


# --- models ----------------------------------------------------------------------------------


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_services_table_agrees_with_the_models(service: str) -> None:
    model = service_model(service)
    assert model.metadata["protocol"] == "query"
    assert (model.metadata["apiVersion"], model.metadata["xmlNamespace"]) == SERVICES[service]
    assert service_model(service) is model  # cached


def test_an_unknown_service_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        service_model("s3")


def _refs(shape: Shape) -> list[Shape]:
    if shape.type_name == "structure":
        return list(shape.members.values())
    return {"list": lambda: [shape.member], "map": lambda: [shape.key, shape.value]}.get(shape.type_name, list)()


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_models_use_only_the_plain_query_forms(service: str) -> None:
    # REFERENCE §2: no flattened lists or renamed members, so `.member.N` and `<member>` always apply.
    model = service_model(service)
    for shape in (model.shape_for(name) for name in model.shape_names):
        assert not shape.serialization.get("flattened"), shape.name
        assert all("name" not in ref.serialization for ref in _refs(shape)), shape.name


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_no_input_member_collides_with_the_protocol_fields(service: str) -> None:
    model = service_model(service)
    for name in model.operation_names:
        shape = model.operation_model(name).input_shape
        for member in shape.members if shape is not None else ():
            assert member not in ("Action", "Version") and not member.lower().startswith("x-amz-"), (name, member)


def test_query_error_carries_code_message_and_field() -> None:
    error = QueryError("InvalidAction", "no such action", "Action")
    assert (error.code, error.message, error.field, str(error)) == ("InvalidAction", "no such action", "Action",
                                                                     "no such action")
    assert QueryError("InternalFailure", "m").field == ""


# --- operation_for ---------------------------------------------------------------------------


def test_operation_for_names_the_operation() -> None:
    assert operation_for("iam", _iam("CreateUser")).name == "CreateUser"
    assert operation_for("sts", {"Action": "AssumeRole", "Version": STS_VERSION}).name == "AssumeRole"


@pytest.mark.parametrize("service,params,code,field,words", [
    ("iam", {"Version": IAM_VERSION}, "MissingAction", "Action", "Action"),
    ("iam", _iam(""), "MissingAction", "Action", "Action"),
    ("iam", _iam("CreateUsers"), "InvalidAction", "Action",
     "Could not find operation CreateUsers for version 2010-05-08"),
    ("iam", _iam("AssumeRole"), "InvalidAction", "Action", "AssumeRole"),
    ("sts", {"Action": "CreateUser", "Version": STS_VERSION}, "InvalidAction", "Action", "CreateUser"),
    ("iam", {"Action": "CreateUser", "Version": STS_VERSION}, "InvalidAction", "Version",
     "Could not find operation CreateUser for version 2011-06-15"),
    ("iam", {"Action": "CreateUser"}, "InvalidAction", "Version", "for version NO_VERSION_SPECIFIED"),
    ("sts", {"Action": "AssumeRole", "Version": "2011-06-16"}, "InvalidAction", "Version", "2011-06-16"),
])
def test_operation_for_rejects(service: str, params: dict[str, str], code: str, field: str, words: str) -> None:
    with pytest.raises(QueryError) as caught:
        operation_for(service, params)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert words in caught.value.message


# --- requests: botocore's serializer -> parse_query ------------------------------------------


REQUESTS = [
    ("iam", "CreateUser", {"UserName": "alice", "Path": "/eng/", "PermissionsBoundary": f"{ACCOUNT}:policy/b",
                           "Tags": TAGS}),
    ("iam", "CreateRole", {"RoleName": "app", "AssumeRolePolicyDocument": POLICY, "MaxSessionDuration": 43200,
                           "Description": "runs <the> app & more", "Tags": TAGS}),
    ("iam", "PutUserPolicy", {"UserName": "alice", "PolicyName": "inline", "PolicyDocument": POLICY}),
    ("iam", "DeleteUser", {"UserName": "alice"}),
    ("iam", "ListUsers", {}),
    ("iam", "ListUsers", {"PathPrefix": "/", "Marker": "abc==", "MaxItems": 1000}),
    ("sts", "AssumeRole", {
        "RoleArn": f"{ACCOUNT}:role/app", "RoleSessionName": "s-1",
        "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}, {"arn": f"{ACCOUNT}:policy/p"}],
        "Policy": POLICY, "DurationSeconds": 900, "Tags": TAGS, "TransitiveTagKeys": ["team"], "ExternalId": "ext",
        "SerialNumber": f"{ACCOUNT}:mfa/alice", "TokenCode": "123456", "SourceIdentity": "alice",
        "ProvidedContexts": [{"ProviderArn": "arn:aws:iam::aws:contextProvider/IdentityCenter",
                              "ContextAssertion": "eyJhbGciOi.signed"}],
    }),
    ("sts", "GetCallerIdentity", {}),
    ("sts", "GetSessionToken", {"DurationSeconds": 3600}),
    ("iam", "CreateOpenIDConnectProvider", {
        "Url": "https://issuer.example.com", "ClientIDList": ["sts.amazonaws.com", "app"],
        "ThumbprintList": ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"], "Tags": TAGS,
    }),
    ("iam", "CreateOpenIDConnectProvider", {"Url": "https://x.example.com", "ThumbprintList": [], "ClientIDList": []}),
    ("iam", "UpdateAccountPasswordPolicy", {
        "MinimumPasswordLength": 14, "RequireSymbols": True, "RequireNumbers": False,
        "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": False, "AllowUsersToChangePassword": True,
        "MaxPasswordAge": 90, "PasswordReusePrevention": 24, "HardExpiry": False,
    }),
    ("iam", "SimulatePrincipalPolicy", {
        "PolicySourceArn": f"{ACCOUNT}:user/alice", "ActionNames": ["s3:GetObject", "s3:PutObject"],
        "PolicyInputList": [POLICY], "ResourceArns": ["arn:aws:s3:::b/*"], "CallerArn": f"{ACCOUNT}:user/bob",
        "ContextEntries": [
            {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.0.0.1", "10.0.0.2"],
             "ContextKeyType": "ipList"},
            {"ContextKeyName": "aws:MultiFactorAuthPresent", "ContextKeyValues": ["true"], "ContextKeyType": "boolean"},
            {"ContextKeyName": "aws:TagKeys", "ContextKeyValues": [], "ContextKeyType": "stringList"},
        ],
        "PolicyExclusionList": [{"PolicyArn": "arn:aws:iam::aws:policy/Deny"},
                                {"PolicyType": "RESOURCE_CONTROL_POLICY"}],
        "ResourceHandlingOption": "EC2-VPC-InstanceStore", "MaxItems": 10, "Marker": "m",
    }),
    ("iam", "GetAccountAuthorizationDetails", {"Filter": ["User", "Role", "Group", "LocalManagedPolicy",
                                                          "AWSManagedPolicy"]}),
    ("iam", "GetAccountAuthorizationDetails", {"Filter": []}),
    ("iam", "PutAccountProperties", {"Properties": dict.fromkeys(["a", "b=c", "ünï"], "v & w")}),
]


@pytest.mark.parametrize("service,name,params", REQUESTS, ids=[f"{s}-{n}-{i}" for i, (s, n, _) in enumerate(REQUESTS)])
def test_requests_from_botocore_parse_back_to_their_input(service: str, name: str, params: dict[str, Any]) -> None:
    assert _request_round_trip(service, name, params) == params


def test_an_empty_list_is_sent_as_an_empty_field() -> None:
    operation = _op("iam", "CreateOpenIDConnectProvider")
    fields = _client_request(operation, {"Url": "https://x", "ThumbprintList": []})
    assert fields["ThumbprintList"] == ""
    assert parse_query(operation, fields)["ThumbprintList"] == []


def test_an_empty_map_field_is_an_empty_map() -> None:
    fields = _iam("PutAccountProperties", Properties="")
    assert parse_query(_op("iam", "PutAccountProperties"), fields) == {"Properties": {}}


def test_signing_fields_of_presigned_requests_are_not_input() -> None:
    fields = _iam("GetUser", UserName="alice", **{
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Credential": "AKID/20260101/us-east-1/iam/aws4_request",
        "X-Amz-Signature": "ab", "x-amz-security-token": "t"})
    assert parse_query(_op("iam", "GetUser"), fields) == {"UserName": "alice"}


def test_values_are_taken_as_sent() -> None:
    # Strings are neither stripped nor normalised; a policy arrives as raw JSON (clients do not quote it).
    value = "  a+b%20<&>\"'\r\n\tüñí😀  "
    assert _request_round_trip("iam", "UpdateRole", {"RoleName": "r", "Description": value})["Description"] == value


# --- parse_query rejects --------------------------------------------------------------------


TAG1 = {"Tags.member.1.Key": "k", "Tags.member.1.Value": "v"}


@pytest.mark.parametrize("fields,field", [
    ({"UserNam": "alice"}, "UserNam"),
    ({"Tags.member.1.Kee": "k", "Tags.member.1.Value": "v"}, "Tags.member.1.Kee"),
    ({"UserName.x": "y"}, "UserName.x"),
    ({"Path": "/", "Path.x": "y"}, "Path.x"),
    ({"Tags": "k=v"}, "Tags"),
    ({"Tags": "", **TAG1}, "Tags"),
    ({"Tags.item.1.Key": "k"}, "Tags.item"),
    ({"Tags.member": "k"}, "Tags.member"),
    ({"Tags.member.0.Key": "k", "Tags.member.0.Value": "v"}, "Tags.member.0"),
    ({"Tags.member.01.Key": "k", "Tags.member.01.Value": "v"}, "Tags.member.01"),
    ({"Tags.member.-1.Key": "k", "Tags.member.-1.Value": "v"}, "Tags.member.-1"),
    ({"Tags.member.a.Key": "k", "Tags.member.a.Value": "v"}, "Tags.member.a"),
    ({"Tags.member.1.5.Key": "k"}, "Tags.member.1.5"),
    ({**TAG1, "Tags.member.3.Key": "k", "Tags.member.3.Value": "v"}, "Tags.member.2"),
    ({"Tags.member.2.Key": "k", "Tags.member.2.Value": "v"}, "Tags.member.1"),
    ({"Tags.member.1": "k"}, "Tags.member.1"),
    ({"Path.": "/"}, "Path."),
    ({"": "x"}, ""),
])
def test_malformed_names_are_invalid_query_parameters(fields: dict[str, str], field: str) -> None:
    _raises("iam", _iam("CreateUser", UserName="alice", **fields), "InvalidQueryParameter", field)


def test_a_structure_given_a_value_is_malformed() -> None:
    fields = {"Action": "AssumeRole", "Version": STS_VERSION, "RoleArn": "arn", "RoleSessionName": "s",
              "PolicyArns.member.1": "arn:aws:iam::aws:policy/ReadOnlyAccess"}
    _raises("sts", fields, "InvalidQueryParameter", "PolicyArns.member.1")


@pytest.mark.parametrize("name,value", [
    ("RequireSymbols", "yes"), ("RequireSymbols", "True"), ("RequireSymbols", "1"), ("RequireSymbols", ""),
    ("MinimumPasswordLength", "abc"), ("MinimumPasswordLength", "8.0"), ("MinimumPasswordLength", " 8"),
    ("MinimumPasswordLength", "+8"), ("MinimumPasswordLength", "8_0"), ("MinimumPasswordLength", "\u0668"),
    ("MinimumPasswordLength", ""), ("MinimumPasswordLength", str(2**31)), ("MaxPasswordAge", str(-(2**31) - 1)),
    ("MinimumPasswordLength", "9" * 5000), ("MinimumPasswordLength", "0" * 5000 + "8"),
])
def test_values_of_the_wrong_type_are_invalid_parameter_values(name: str, value: str) -> None:
    error = _raises("iam", _iam("UpdateAccountPasswordPolicy", **{name: value}), "InvalidParameterValue", name)
    assert name in error.message


def test_integers_at_the_edges_of_their_range_are_accepted() -> None:
    # GetRoleTemplateVersion's MinorVersion is an integer with no min or max of its own.
    arn = "arn:aws:iam::aws:role-template/x"
    for edge in (2**31 - 1, -(2**31)):
        fields = _iam("GetRoleTemplateVersion", TemplateArn=arn, MinorVersion=str(edge))
        assert parse_query(_op("iam", "GetRoleTemplateVersion"), fields) == {"TemplateArn": arn, "MinorVersion": edge}


def test_a_value_outside_its_shapes_min_and_max_is_a_validation_error() -> None:
    # What the operation behind cannot see: proto3 reads a zero or an empty string as "not sent".
    error = _raises("sts", _sts("AssumeRole", RoleArn="arn:aws:iam::123456789012:role/r", RoleSessionName="s1",
                                DurationSeconds="0", SerialNumber=""), "ValidationError", "DurationSeconds")
    assert error.message == (
        "2 validation errors detected: Value '0' at 'durationSeconds' failed to satisfy constraint: Member must have "
        "value greater than or equal to 900; Value '' at 'serialNumber' failed to satisfy constraint: Member must "
        "have length greater than or equal to 9")
    error = _raises("iam", _iam("ListUsers", MaxItems="1001"), "ValidationError", "MaxItems")
    assert error.message.endswith("Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value "
                                  "less than or equal to 1000")


def test_a_list_outside_its_length_and_an_absent_member_are_told_together() -> None:
    fields = _iam("TagUser", **{f"Tags.member.{i}.Key": f"k{i}" for i in range(1, 52)},
                  **{f"Tags.member.{i}.Value": "" for i in range(1, 52)})
    error = _raises("iam", fields, "ValidationError", "UserName")
    assert error.message.startswith("2 validation errors detected: Value null at 'userName' failed to satisfy "
                                    "constraint: Member must not be null; Value '[{")
    assert error.message.endswith("at 'tags' failed to satisfy constraint: Member must have length less than or "
                                  "equal to 50")
    assert len(error.message) < 400  # the value is echoed only in part


def test_a_sensitive_value_out_of_bounds_is_not_repeated() -> None:
    password = "p" * 129
    error = _raises("iam", _iam("CreateLoginProfile", UserName="u", Password=password), "ValidationError", "Password")
    assert error.message == ("1 validation error detected: Value at 'password' failed to satisfy constraint: Member "
                             "must have length less than or equal to 128")
    assert "ppp" not in error.message


def test_a_rejected_value_is_echoed_only_in_part() -> None:
    fields = _iam("UpdateAccountPasswordPolicy", RequireSymbols="x" * 10_000)
    assert len(_raises("iam", fields, "InvalidParameterValue", "RequireSymbols").message) < 200


def test_a_missing_required_member_is_a_validation_error() -> None:
    error = _raises("iam", _iam("CreateUser", Path="/"), "ValidationError", "UserName")
    assert error.message == ("1 validation error detected: Value null at 'userName' failed to satisfy constraint: "
                             "Member must not be null")


def test_every_missing_required_member_is_reported_at_once() -> None:
    fields = {"Action": "AssumeRole", "Version": STS_VERSION, "Tags.member.1.Key": "k", "Tags.member.2.Value": "v"}
    error = _raises("sts", fields, "ValidationError", "RoleArn")
    assert error.message.startswith("4 validation errors detected: ")
    for path in ("roleArn", "roleSessionName", "tags.1.member.value", "tags.2.member.key"):
        assert f"Value null at '{path}' failed to satisfy constraint: Member must not be null" in error.message


def test_a_required_list_may_be_empty() -> None:
    arn = "arn:aws:iam::123456789012:user/u"
    fields = _iam("SimulatePrincipalPolicy", PolicySourceArn=arn, ActionNames="")
    assert parse_query(_op("iam", "SimulatePrincipalPolicy"), fields) == {"PolicySourceArn": arn, "ActionNames": []}


def test_a_union_takes_exactly_one_member() -> None:
    fields = _iam("SimulatePrincipalPolicy", PolicySourceArn="arn", **{
        "ActionNames.member.1": "s3:GetObject",
        "PolicyExclusionList.member.1.PolicyArn": "arn:p", "PolicyExclusionList.member.1.PolicyType": "INLINE"})
    _raises("iam", fields, "InvalidParameterValue", "PolicyExclusionList.member.1")


@pytest.mark.parametrize("fields,code,field", [
    ({"Properties.entry.1.key": "a"}, "InvalidQueryParameter", "Properties.entry.1"),
    ({"Properties.entry.1.key": "a", "Properties.entry.1.value": "b", "Properties.entry.1.other": "c"},
     "InvalidQueryParameter", "Properties.entry.1"),
    ({"Properties.entry.1": "a"}, "InvalidQueryParameter", "Properties.entry.1"),
    ({"Properties.member.1.key": "a"}, "InvalidQueryParameter", "Properties.member"),
    ({"Properties.entry.1.key": "a", "Properties.entry.1.value": "b",
      "Properties.entry.2.key": "a", "Properties.entry.2.value": "c"}, "InvalidParameterValue", "Properties.entry.2"),
])
def test_map_entries_need_a_key_and_a_value_and_unique_keys(fields: dict[str, str], code: str, field: str) -> None:
    _raises("iam", _iam("PutAccountProperties", **fields), code, field)


def _client_ids(count: int) -> dict[str, str]:
    ids = {f"ClientIDList.member.{i}": f"c{i}" for i in range(1, count + 1)}
    return _iam("CreateOpenIDConnectProvider", Url="https://x", **ids)


def test_lists_hold_at_most_max_items() -> None:
    parsed = parse_query(_op("iam", "CreateOpenIDConnectProvider"), _client_ids(MAX_ITEMS))
    assert len(parsed["ClientIDList"]) == MAX_ITEMS
    error = _raises("iam", _client_ids(MAX_ITEMS + 1), "InvalidParameterValue", f"ClientIDList.member.{MAX_ITEMS + 1}")
    assert str(MAX_ITEMS) in error.message
    # A huge index alone is refused before anything is allocated for it.
    huge = _iam("CreateOpenIDConnectProvider", Url="https://x", **{"ClientIDList.member.99999999999": "c"})
    _raises("iam", huge, "InvalidParameterValue", "ClientIDList.member.99999999999")
    digits = "9" * 5000  # beyond what int() converts at all
    _raises("iam", _client_ids(1) | {f"ClientIDList.member.{digits}": "c"}, "InvalidParameterValue",
            f"ClientIDList.member.{digits}")


def test_requests_hold_at_most_max_fields() -> None:
    fields = _iam("CreateUser", UserName="alice", **{f"X{i}": "" for i in range(MAX_FIELDS - 3)})
    _raises("iam", fields, "InvalidQueryParameter", "X0")  # at the bound: counted, then refused as unknown
    fields["X-extra"] = ""
    assert str(MAX_FIELDS) in _raises("iam", fields, "InvalidParameterValue", "").message


# --- a synthetic model: the types IAM and STS do not take as input, and recursion -----------


def _synthetic_model() -> dict[str, Any]:
    scalars = {"Time": {"type": "timestamp"}, "Bytes": {"type": "blob"}, "Long": {"type": "long"},
               "Ratio": {"type": "double"}, "Text": {"type": "string"}, "Flag": {"type": "boolean"}}
    members = {name: {"shape": name} for name in scalars} | {"Node": {"shape": "Node"}}
    post = {"method": "POST", "requestUri": "/"}
    return {
        "metadata": {"protocol": "query", "apiVersion": "2020-01-01", "endpointPrefix": "example",
                     "xmlNamespace": "https://example.com/doc/2020-01-01/", "serviceId": "Example",
                     "signatureVersion": "v4"},
        "operations": {
            "Put": {"name": "Put", "http": post, "input": {"shape": "PutInput"},
                    "output": {"shape": "PutOutput", "resultWrapper": "PutResult"}},
            "Ping": {"name": "Ping", "http": post},
        },
        "shapes": scalars | {
            "PutInput": {"type": "structure", "members": members},
            "PutOutput": {"type": "structure", "members": members},
            "Node": {"type": "structure", "members": {"Child": {"shape": "Node"}, "Text": {"shape": "Text"}}},
        },
    }


SYNTHETIC = ServiceModel(_synthetic_model(), "example")
PUT = SYNTHETIC.operation_model("Put")


def test_an_operation_without_input_takes_no_parameters() -> None:
    ping = SYNTHETIC.operation_model("Ping")
    assert parse_query(ping, {"Action": "Ping", "Version": "2020-01-01"}) == {}
    with pytest.raises(QueryError) as caught:
        parse_query(ping, {"Action": "Ping", "Version": "2020-01-01", "Extra": "1"})
    assert (caught.value.code, caught.value.field) == ("InvalidQueryParameter", "Extra")


@pytest.mark.parametrize("params", [
    {"Time": WHEN, "Bytes": b"\x00\xffbinary", "Long": 2**63 - 1, "Ratio": 0.1, "Text": "t", "Flag": True},
    {"Time": WHEN.replace(microsecond=123456), "Bytes": b"", "Long": -(2**63), "Ratio": -1e300},
    {"Ratio": math.inf}, {"Ratio": -math.inf}, {"Ratio": 3.0},
])
def test_synthetic_scalars_round_trip_both_ways(params: dict[str, Any]) -> None:
    assert parse_query(PUT, _client_request(PUT, params)) == params
    assert _response_round_trip(PUT, params) == params


def test_nan_round_trips_both_ways() -> None:
    assert math.isnan(parse_query(PUT, _client_request(PUT, {"Ratio": math.nan}))["Ratio"])
    assert math.isnan(_response_round_trip(PUT, {"Ratio": math.nan})["Ratio"])


@pytest.mark.parametrize("text,expected", [
    ("2026-01-02T03:04:05Z", WHEN),
    ("2026-01-02T03:04:05.000Z", WHEN),
    ("2026-01-02T03:04:05", WHEN),
    ("2026-01-02T05:04:05+02:00", WHEN),
    ("2026-01-02T03:04:05.123456Z", WHEN.replace(microsecond=123456)),
])
def test_timestamps_are_read_as_aware_utc(text: str, expected: datetime) -> None:
    moment = parse_query(PUT, {"Time": text})["Time"]
    assert moment == expected and moment.utcoffset() == timedelta(0)


@pytest.mark.parametrize("name,value", [
    ("Time", "yesterday"), ("Time", "2026-13-01T00:00:00Z"), ("Time", "1767322245"), ("Time", ""),
    ("Bytes", "not base64!"), ("Bytes", "YWJj="), ("Bytes", "YW=="), ("Bytes", "YWI"), ("Bytes", "é"),
    ("Long", str(2**63)), ("Ratio", "1,5"), ("Ratio", "inf"), ("Ratio", "1_0"), ("Ratio", ""),
])
def test_synthetic_values_of_the_wrong_type_are_rejected(name: str, value: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(PUT, {name: value})
    assert (caught.value.code, caught.value.field) == ("InvalidParameterValue", name)


def _nested(levels: int) -> str:
    return "Node" + ".Child" * (levels - 1) + ".Text"


def test_nesting_is_bounded() -> None:
    expected: dict[str, Any] = {"Text": "x"}
    for _ in range(MAX_DEPTH - 1):
        expected = {"Child": expected}
    assert parse_query(PUT, {_nested(MAX_DEPTH): "x"}) == {"Node": expected}
    with pytest.raises(QueryError) as caught:
        parse_query(PUT, {_nested(MAX_DEPTH + 1): "x"})
    assert caught.value.code == "InvalidParameterValue" and str(MAX_DEPTH) in caught.value.message


# --- responses: serialize_result -> botocore's parser ----------------------------------------


def _user(**extra: Any) -> dict[str, Any]:
    return {"Path": "/", "UserName": "alice", "UserId": "AIDAEXAMPLE", "Arn": f"{ACCOUNT}:user/alice",
            "CreateDate": WHEN, **extra}


def _role(**extra: Any) -> dict[str, Any]:
    return {"Path": "/", "RoleName": "app", "RoleId": "AROAEXAMPLE", "Arn": f"{ACCOUNT}:role/app", "CreateDate": WHEN,
            **extra}


def test_create_user_response_parses_back() -> None:
    user = _user(Path="/eng/", Tags=TAGS, PermissionsBoundary={
        "PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": f"{ACCOUNT}:policy/b"})
    operation = _op("iam", "CreateUser")
    assert _response_round_trip(operation, {"User": user}) == {"User": user}
    xml = serialize_result(operation, {"User": user}, "c6104cbe").decode()
    assert xml.startswith(f'<CreateUserResponse xmlns="{IAM_NS}"><CreateUserResult><User><Path>/eng/</Path>')
    assert "<CreateDate>2026-01-02T03:04:05Z</CreateDate>" in xml
    assert ("<Tags><member><Key>team</Key><Value>core</Value></member>"
            "<member><Key>cost-center</Key><Value></Value></member></Tags>") in xml
    assert xml.endswith("<ResponseMetadata><RequestId>c6104cbe</RequestId></ResponseMetadata></CreateUserResponse>")


def test_members_follow_the_shape_order_and_none_is_left_out() -> None:
    user = dict(reversed(_user(Tags=[], PasswordLastUsed=None).items()))
    xml = serialize_result(_op("iam", "GetUser"), {"User": user}, "r").decode()
    tags = ["<Path>", "<UserName>", "<UserId>", "<Arn>", "<CreateDate>", "<Tags>"]
    assert [xml.index(tag) for tag in tags] == sorted(xml.index(tag) for tag in tags)
    assert "PasswordLastUsed" not in xml
    assert _response_round_trip(_op("iam", "GetUser"), {"User": user}) == {"User": _user(Tags=[])}


def test_microseconds_are_written_only_when_present() -> None:
    east_coast = timezone(timedelta(hours=-5))
    user = _user(CreateDate=WHEN.replace(microsecond=5), PasswordLastUsed=WHEN.astimezone(east_coast))
    xml = serialize_result(_op("iam", "GetUser"), {"User": user}, "r").decode()
    assert "<CreateDate>2026-01-02T03:04:05.000005Z</CreateDate>" in xml
    assert "<PasswordLastUsed>2026-01-02T03:04:05Z</PasswordLastUsed>" in xml
    assert _response_round_trip(_op("iam", "GetUser"), {"User": user}) == {"User": user}


def test_timestamp_strings_are_written_as_given() -> None:
    output = {"User": _user(CreateDate="2026-01-02T03:04:05Z")}
    assert _response_round_trip(_op("iam", "GetUser"), output)["User"]["CreateDate"] == WHEN


def test_list_users_response_parses_back() -> None:
    users = [_user(UserName=f"u{i}", UserId=f"AIDA{i}", CreateDate=WHEN + timedelta(days=i)) for i in range(3)]
    output = {"Users": users, "IsTruncated": True, "Marker": "next/+=="}
    assert _response_round_trip(_op("iam", "ListUsers"), output) == output
    empty = {"Users": [], "IsTruncated": False}
    assert _response_round_trip(_op("iam", "ListUsers"), empty) == empty


def test_get_account_summary_map_parses_back() -> None:
    output = {"SummaryMap": {"Users": 5, "UsersQuota": 5000, "Roles": 0, "AccountMFAEnabled": 1}}
    xml = serialize_result(_op("iam", "GetAccountSummary"), output, "r").decode()
    assert "<SummaryMap><entry><key>Users</key><value>5</value></entry>" in xml
    assert _response_round_trip(_op("iam", "GetAccountSummary"), output) == output


def test_policy_documents_go_out_url_encoded() -> None:
    operation = _op("iam", "GetRolePolicy")
    xml = serialize_result(operation, {"RoleName": "app", "PolicyName": "inline", "PolicyDocument": POLICY}, "r")
    document = xml.decode().split("<PolicyDocument>")[1].split("</PolicyDocument>")[0]
    assert "{" not in document and " " not in document and document.startswith("%7B%0A")
    parsed = _client_parse(operation, xml)
    assert unquote(parsed["PolicyDocument"]) == POLICY
    botocore.handlers.json_decode_policies(parsed, operation)  # what boto3 runs after every IAM call
    assert parsed["PolicyDocument"] == json.loads(POLICY)
    assert parsed["RoleName"] == "app"


def test_nested_policy_documents_are_decoded_by_botocore_too() -> None:
    operation = _op("iam", "GetAccountAuthorizationDetails")
    role = _role(AssumeRolePolicyDocument=POLICY, RolePolicyList=[{"PolicyName": "p", "PolicyDocument": POLICY}],
                 InstanceProfileList=[])
    output = {"RoleDetailList": [role], "IsTruncated": False}
    parsed = _client_parse(operation, serialize_result(operation, output, "r"))
    botocore.handlers.json_decode_policies(parsed, operation)
    assert parsed["RoleDetailList"][0]["AssumeRolePolicyDocument"] == json.loads(POLICY)
    assert parsed["RoleDetailList"][0]["RolePolicyList"][0]["PolicyDocument"] == json.loads(POLICY)


def test_assume_role_response_parses_back() -> None:
    output = {
        "Credentials": {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "wJalr/K7MDENG+bPxRfiCY",
                        "SessionToken": "FwoG//+==", "Expiration": WHEN + timedelta(hours=1)},
        "AssumedRoleUser": {"AssumedRoleId": "AROA:s-1", "Arn": "arn:aws:sts::123456789012:assumed-role/app/s-1"},
        "PackedPolicySize": 6, "SourceIdentity": "alice",
    }
    operation = _op("sts", "AssumeRole")
    assert _response_round_trip(operation, output) == output
    assert serialize_result(operation, output, "r").decode().startswith(
        f'<AssumeRoleResponse xmlns="{STS_NS}"><AssumeRoleResult><Credentials>')


def test_an_operation_without_output_sends_only_response_metadata() -> None:
    operation = _op("iam", "DeleteUser")
    xml = serialize_result(operation, {}, "r-9")
    assert xml == (f'<DeleteUserResponse xmlns="{IAM_NS}"><ResponseMetadata><RequestId>r-9</RequestId>'
                   "</ResponseMetadata></DeleteUserResponse>").encode()
    parsed = _client_parse(operation, xml)
    assert parsed["ResponseMetadata"]["RequestId"] == "r-9" and set(parsed) == {"ResponseMetadata"}


def test_credential_report_content_goes_out_as_base64() -> None:
    report = b"user,arn,user_creation_time\n<root_account>,arn:aws:iam::123456789012:root,2026-01-01T00:00:00+00:00\n"
    output = {"Content": report, "ReportFormat": "text/csv", "GeneratedTime": WHEN}
    assert _response_round_trip(_op("iam", "GetCredentialReport"), output) == output


def test_text_is_escaped_so_that_it_parses_back_exactly() -> None:
    output = {"Role": _role(Description=ODD_TEXT, Tags=[{"Key": ODD_TEXT, "Value": ODD_TEXT}])}
    assert _response_round_trip(_op("iam", "GetRole"), output, request_id=ODD_TEXT) == output


def test_characters_xml_cannot_carry_are_replaced_not_fatal() -> None:
    parsed = _response_round_trip(_op("iam", "GetRole"), {"Role": _role(Description="a\x00b\x1bc\ud800d\ufffe")})
    assert parsed["Role"]["Description"] == "a\ufffdb\ufffdc\ufffdd\ufffd"


@pytest.mark.parametrize("operation,output,error", [
    ("GetUser", {"User": {"UserName": "a"}, "Extra": 1}, ValueError),
    ("GetUser", {"User": {"UserName": "a", "Nickname": "x"}}, ValueError),
    ("GetUser", {"ResponseMetadata": {}}, ValueError),
    ("DeleteUser", {"User": {}}, ValueError),
    ("GetUser", {"User": {"UserName": 5}}, TypeError),
    ("GetUser", {"User": {"CreateDate": datetime(2026, 1, 1)}}, ValueError),
    ("GetUser", {"User": {"CreateDate": 1767225600}}, TypeError),
    ("GetUser", {"User": {"Tags": "k=v"}}, TypeError),
    ("GetUser", {"User": "alice"}, TypeError),
    ("ListUsers", {"IsTruncated": "true"}, TypeError),
    ("GetAccountSummary", {"SummaryMap": {"Users": True}}, TypeError),
    ("GetAccountSummary", {"SummaryMap": [("Users", 1)]}, TypeError),
])
def test_outputs_that_do_not_fit_the_shape_are_programming_errors(operation: str, output: dict[str, Any],
                                                                  error: type[Exception]) -> None:
    with pytest.raises(error):
        serialize_result(_op("iam", operation), output, "r")


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("service,code,status,sender", [
    ("iam", "NoSuchEntity", 404, True),
    ("iam", "EntityAlreadyExists", 409, True),
    ("sts", "ExpiredTokenException", 400, True),
    ("iam", "ServiceFailure", 500, False),
    ("sts", "RegionDisabledException", 403, True),
])
def test_error_responses_parse_back(service: str, code: str, status: int, sender: bool) -> None:
    message = f"The user with name <{ODD_TEXT}> cannot be found."
    body = serialize_error(service, code, message, "req-7", sender=sender)
    assert body.startswith(f'<ErrorResponse xmlns="{SERVICES[service][1]}"><Error><Type>'.encode())
    assert error_status(service, code) == status
    parsed = _client_parse(None, body, status)
    assert parsed["Error"] == {"Type": "Sender" if sender else "Receiver", "Code": code, "Message": message}
    assert parsed["ResponseMetadata"]["RequestId"] == "req-7"
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == status


@pytest.mark.parametrize("service,code,status", [
    # Declared by the models (error.code, or the shape's name).
    ("iam", "NoSuchEntity", 404), ("iam", "NoSuchEntityException", 404), ("iam", "EntityAlreadyExists", 409),
    ("iam", "LimitExceeded", 409), ("iam", "DeleteConflict", 409), ("iam", "MalformedPolicyDocument", 400),
    ("iam", "ReportNotPresent", 410), ("iam", "ReportInProgress", 404), ("iam", "ServiceFailure", 500),
    ("iam", "PolicyEvaluation", 500), ("iam", "InvalidAuthenticationCode", 403),
    ("iam", "AccountNotManagementOrDelegatedAdministratorException", 400),
    ("sts", "ExpiredTokenException", 400), ("sts", "IDPRejectedClaim", 403), ("sts", "PackedPolicyTooLarge", 400),
    ("sts", "MalformedPolicyDocument", 400), ("sts", "RegionDisabledException", 403),
    # Common to every Query service.
    ("iam", "ExpiredTokenException", 403), ("iam", "SignatureDoesNotMatch", 403), ("sts", "SignatureDoesNotMatch", 403),
    # A session's expired token: IAM and STS answer ExpiredToken with 403 (their Query code).
    ("iam", "ExpiredToken", 403), ("sts", "ExpiredToken", 403),
    ("iam", "IncompleteSignature", 400), ("iam", "MissingAuthenticationToken", 403),
    ("sts", "InvalidClientTokenId", 403),
    ("iam", "RequestExpired", 400), ("iam", "AccessDenied", 403), ("sts", "AccessDenied", 403),
    ("iam", "Throttling", 400), ("iam", "ServiceUnavailable", 503), ("sts", "InternalFailure", 500),
    ("sts", "ServiceFailure", 500), ("iam", "MalformedQueryString", 404),
    # The codes parse_query and operation_for raise, and anything unknown.
    ("iam", "MissingAction", 400), ("sts", "InvalidAction", 400), ("iam", "InvalidQueryParameter", 400),
    ("sts", "InvalidParameterValue", 400), ("iam", "ValidationError", 400), ("iam", "SomethingNew", 400),
])
def test_error_status(service: str, code: str, status: int) -> None:
    assert error_status(service, code) == status


# --- every operation, with inputs and outputs generated from the models -----------------------

# XML 1.0 text (no lone surrogates, no C0 controls but tab/LF/CR): what both directions can carry.
CONTROLS = [chr(c) for c in range(32) if chr(c) not in "\t\n\r"]
TEXT_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters=CONTROLS)
TEXT = st.text(TEXT_CHARS, max_size=12)
INT_BOUNDS = {"integer": 2**31 - 1, "long": 2**63 - 1}
OPERATIONS = [(service, name) for service in sorted(SERVICES) for name in service_model(service).operation_names]


def _value(shape: Shape, depth: int, request: bool) -> st.SearchStrategy[Any]:
    """Values of `shape`; for requests no empty maps, which the client does not send at all."""
    kind = shape.type_name
    # A request's values keep to their shape's min and max (the server refuses the others, as AWS does).
    low, high = (shape.metadata.get("min"), shape.metadata.get("max")) if request else (None, None)
    if kind == "structure":
        return _structure(shape, depth, request)
    if kind == "list":
        size = low or 0
        return st.lists(_value(shape.member, depth + 1, request), min_size=size, max_size=size + 3 if depth < 4 else size)
    if kind == "map":
        keys, values = _value(shape.key, depth + 1, request), _value(shape.value, depth + 1, request)
        return st.dictionaries(keys, values, min_size=max(low or 0, 1 if request else 0), max_size=max(low or 0, 3))
    if kind in INT_BOUNDS:
        return st.integers(-INT_BOUNDS[kind] - 1 if low is None else low, INT_BOUNDS[kind] if high is None else high)
    if kind == "timestamp":
        return st.datetimes(datetime(1970, 1, 1), datetime(9999, 1, 1), timezones=st.just(timezone.utc))
    if kind == "string" and getattr(shape, "enum", None):
        return st.sampled_from(shape.enum)
    if kind == "string" and (low or high):
        size = low or 0
        return st.text(TEXT_CHARS, min_size=size, max_size=min(size + 12, high or size + 12))
    if kind == "blob" and (low or high):
        size = low or 0
        return st.binary(min_size=size, max_size=min(size + 16, high or size + 16))
    return {"boolean": st.booleans(), "blob": st.binary(max_size=16), "string": TEXT}[kind]


def _structure(shape: Shape, depth: int, request: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Structures with their required members; for requests, nested ones never empty (nothing is sent)."""
    members = shape.members
    if shape.is_tagged_union:
        one = st.sampled_from(sorted(members))
        return one.flatmap(lambda m: st.fixed_dictionaries({m: _value(members[m], depth + 1, request)}))
    required = {m: _value(members[m], depth + 1, request) for m in shape.required_members}
    optional = {m: _value(s, depth + 1, request) for m, s in members.items() if m not in required}
    drawn = st.fixed_dictionaries(required, optional=optional if depth < 4 else {})
    return drawn.filter(bool) if request and depth and members else drawn


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.data())
def test_any_request_of_any_operation_round_trips(data: st.DataObject) -> None:
    service, name = data.draw(st.sampled_from(OPERATIONS))
    operation = _op(service, name)
    params = data.draw(_structure(operation.input_shape, 0, True)) if operation.input_shape is not None else {}
    fields = _client_request(operation, params, validate=False)
    assert parse_query(operation_for(service, fields), fields) == params


def _unquote_policies(value: Any, shape: Shape) -> Any:
    """The output as botocore's parser reads it back, with the URL-encoded policy documents decoded."""
    if shape.type_name == "structure":
        return {k: _unquote_policies(v, shape.members[k]) for k, v in value.items()}
    if shape.type_name == "list":
        return [_unquote_policies(v, shape.member) for v in value]
    if shape.type_name == "map":
        return {k: _unquote_policies(v, shape.value) for k, v in value.items()}
    return unquote(value) if shape.name in URL_ENCODED_SHAPES else value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_response_of_any_operation_round_trips(data: st.DataObject) -> None:
    service, name = data.draw(st.sampled_from(OPERATIONS))
    operation = _op(service, name)
    if operation.output_shape is None:
        assert _response_round_trip(operation, {}) == {}
        return
    output = data.draw(_structure(operation.output_shape, 0, False))
    assert _unquote_policies(_response_round_trip(operation, output), operation.output_shape) == output


def test_a_list_whose_items_break_their_bounds_is_one_violation_of_the_list() -> None:
    fields = _iam("CreateOpenIDConnectProvider", Url="https://idp.example", **{
        "ClientIDList.member.1": "ok", "ClientIDList.member.2": "c" * 256, "ThumbprintList.member.1": "a" * 40})
    error = _raises("iam", fields, "ValidationError", "ClientIDList")
    assert error.message == (
        f"1 validation error detected: Value '[ok, {'c' * 256}]' at 'clientIDList' failed to satisfy constraint: "
        "Member must satisfy constraint: [Member must have length less than or equal to 255, Member must have "
        "length greater than or equal to 1]")


def test_an_mfa_code_out_of_bounds_is_not_repeated_though_the_model_does_not_mark_it_sensitive() -> None:
    fields = _sts("GetSessionToken", SerialNumber="arn:aws:iam::123456789012:mfa/phone", TokenCode="3141592")
    error = _raises("sts", fields, "ValidationError", "TokenCode")
    assert error.message == ("1 validation error detected: Value at 'tokenCode' failed to satisfy constraint: "
                             "Member must have length less than or equal to 6")
