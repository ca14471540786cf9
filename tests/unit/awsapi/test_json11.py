"""The JSON 1.1 codec against botocore's own client side: what botocore sends parses back to the
input; what iamd sends botocore parses back to the output."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from botocore import parsers, serialize

from iamd.service.awsapi import json11
from iamd.service.awsapi.json11 import JsonError


def _round_trip_input(service: str, name: str, params: dict) -> dict:
    operation = json11.service_model(service).operation_model(name)
    request = serialize.create_serializer("json").serialize_to_request(params, operation)
    assert request["headers"]["X-Amz-Target"].endswith("." + name)
    service_of, parsed_operation = json11.operation_for(request["headers"]["X-Amz-Target"])
    assert (service_of, parsed_operation.name) == (service, name)
    return json11.parse_json(operation, request["body"])


def test_lookup_events_input_round_trips() -> None:
    params = {"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "CreateUser"}],
              "StartTime": datetime(2026, 12, 1, tzinfo=UTC), "EndTime": datetime(2026, 12, 5, 1, 2, 3, tzinfo=UTC),
              "MaxResults": 10, "NextToken": "abc"}
    assert _round_trip_input("cloudtrail", "LookupEvents", params) == params


def test_organizations_input_with_tags_and_an_empty_body_round_trip() -> None:
    params = {"Content": "{}", "Description": "d", "Name": "n", "Type": "SERVICE_CONTROL_POLICY",
              "Tags": [{"Key": "k", "Value": "v"}]}
    assert _round_trip_input("organizations", "CreatePolicy", params) == params
    assert _round_trip_input("organizations", "DescribeOrganization", {}) == {}


def test_output_parses_back_with_botocores_json_parser() -> None:
    operation = json11.service_model("cloudtrail").operation_model("LookupEvents")
    output = {"Events": [{"EventId": "e1", "EventName": "CreateUser", "ReadOnly": "false",
                          "EventTime": datetime(2026, 12, 5, 1, 2, 3, tzinfo=UTC),
                          "Resources": [{"ResourceType": "AWS::IAM::User", "ResourceName": "arn:u"}],
                          "CloudTrailEvent": json.dumps({"a": 1})}], "NextToken": "t"}
    body = json11.serialize_json(operation, output)
    parsed = parsers.create_parser("json").parse({"body": body, "headers": {}, "status_code": 200},
                                                 operation.output_shape)
    parsed.pop("ResponseMetadata", None)
    assert parsed == output


def test_errors_parse_back_as_their_code_and_message() -> None:
    operation = json11.service_model("cloudtrail").operation_model("LookupEvents")
    body = json11.serialize_json_error("InvalidLookupAttributesException", "bad key")
    parsed = parsers.create_parser("json").parse({"body": body, "headers": {}, "status_code": 400},
                                                 operation.output_shape)
    assert (parsed["Error"]["Code"], parsed["Error"]["Message"]) == ("InvalidLookupAttributesException", "bad key")



# Organizations' API Reference: HTTP 400 for every exception of its operations (AccessDeniedException
# and ConcurrentModificationException too, unlike IAM's 403 and 409) but ServiceException's 500; a
# code outside the model (a signature's refusal) keeps the endpoint's default.
@pytest.mark.parametrize(("code", "reason", "expected"), [
    ("InvalidInput", "INVALID_NEXT_TOKEN", ("InvalidInputException", "INVALID_NEXT_TOKEN", 400)),
    ("InvalidInput", "NOT_A_REASON_OF_THE_MODEL", ("InvalidInputException", "", 400)),
    ("AccessDenied", "", ("AccessDeniedException", "", 400)),
    ("ConcurrentModification", "", ("ConcurrentModificationException", "", 400)),
    ("AWSOrganizationsNotInUseException", "", ("AWSOrganizationsNotInUseException", "", 400)),
    ("ServiceFailure", "", ("ServiceException", "", 500)),
    ("ConstraintViolationException", "POLICY_CONTENT_LIMIT_EXCEEDED",
     ("ConstraintViolationException", "POLICY_CONTENT_LIMIT_EXCEEDED", 400)),
    ("AccountNotFoundException", "INVALID_NEXT_TOKEN", ("AccountNotFoundException", "", 400)),  # no Reason member
    ("InvalidClientTokenId", "", ("UnrecognizedClientException", "", None)),
    ("ExpiredToken", "", ("ExpiredTokenException", "", None)),  # the endpoint's default: AWS's Common Errors' 403
])
def test_organizations_errors_take_organizations_names_and_reasons(code: str, reason: str, expected: tuple) -> None:
    assert json11.service_error("organizations", code, reason) == expected
    assert json11.service_error("cloudtrail", code, reason) == (code, "", None)


def test_an_organizations_error_with_its_reason_parses_back_in_botocore() -> None:
    operation = json11.service_model("organizations").operation_model("ListAccounts")
    body = json11.serialize_json_error("InvalidInputException", "bad token", "INVALID_NEXT_TOKEN")
    parsed = parsers.create_parser("json").parse({"body": body, "headers": {}, "status_code": 400},
                                                 operation.output_shape)
    assert (parsed["Error"]["Code"], parsed["Error"]["Message"]) == ("InvalidInputException", "bad token")


@pytest.mark.parametrize("body,code,field", [
    (b"{not json", "SerializationException", ""),
    (b'{"Bogus": 1}', "ValidationException", "Bogus"),
    (b'{"MaxResults": "ten"}', "SerializationException", "MaxResults"),
    (b'{"MaxResults": true}', "SerializationException", "MaxResults"),
    (b'{"StartTime": "yesterday"}', "SerializationException", "StartTime"),
    (b'{"LookupAttributes": [{"AttributeKey": "EventName"}]}', "ValidationException",
     "LookupAttributes[0].AttributeValue"),
    (b'{"LookupAttributes": {"AttributeKey": "EventName"}}', "SerializationException", "LookupAttributes"),
    # Hostile but well-formed: each refused as input, none an internal failure (found in review).
    (b"[" * 100_000, "SerializationException", ""),
    (b'{"MaxResults": 1099511627776}', "SerializationException", "MaxResults"),
    (b'{"NextToken": "\\ud800"}', "SerializationException", "NextToken"),
    (b'{"StartTime": "0001-01-01T00:00:00+14:00"}', "SerializationException", "StartTime"),
    (b'{"EndTime": "9999-12-31T23:59:59-14:00"}', "SerializationException", "EndTime"),
    (b'{"StartTime": 1e300}', "SerializationException", "StartTime"),
])
def test_malformed_input_is_refused_naming_the_member(body: bytes, code: str, field: str) -> None:
    operation = json11.service_model("cloudtrail").operation_model("LookupEvents")
    with pytest.raises(JsonError) as caught:
        json11.parse_json(operation, body)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_an_unknown_target_is_unknown_operation() -> None:
    for target in ("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.Nope", "Other.LookupEvents", ""):
        with pytest.raises(JsonError) as caught:
            json11.operation_for(target)
        assert caught.value.code == "UnknownOperationException"
