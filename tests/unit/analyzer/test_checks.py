"""Access Analyzer's checks, one document each: the issue code, finding type and location."""

from __future__ import annotations

import json
import time

import pytest

from iamd.service.policy.analyzer import (
    ERROR,
    ISSUES,
    SECURITY_WARNING,
    SUGGESTION,
    WARNING,
    Finding,
    InvalidRequestError,
    validate_policy_findings,
)
from iamd.service.app.policy_validation import read_package_data
from iamd.service.policy.catalogue import Catalogue

CATALOGUE = Catalogue(read_package_data)
V = "2012-10-17"
ACCOUNT = "123456789012"


def findings(document: object, policy_type: str = "IDENTITY_POLICY", resource_type: str = "") -> list[Finding]:
    text = document if isinstance(document, str) else json.dumps(document, indent=2)
    return validate_policy_findings(text, policy_type, resource_type, CATALOGUE)


def only(document: object, code: str, policy_type: str = "IDENTITY_POLICY", resource_type: str = "") -> Finding:
    found = [f for f in findings(document, policy_type, resource_type) if f.issue_code == code]
    assert len(found) == 1, [(f.issue_code, f.details) for f in findings(document, policy_type, resource_type)]
    return found[0]


def codes(document: object, policy_type: str = "IDENTITY_POLICY", resource_type: str = "") -> list[str]:
    return [f.issue_code for f in findings(document, policy_type, resource_type)]


def path(finding: Finding, index: int = 0) -> list[tuple[str, object]]:
    return list(finding.locations[index].path)


def statement(**elements: object) -> dict:
    return {"Version": V, "Statement": [{"Effect": "Allow", **elements}]}


def at(*steps: object) -> list[tuple[str, object]]:
    """A path: ints are indexes, `key:X` a key, `sub:(s, l)` a substring, other strings values."""
    out: list[tuple[str, object]] = []
    for step in steps:
        if isinstance(step, int):
            out.append(("index", step))
        elif isinstance(step, tuple):
            out.append(("substring", step))
        elif step.startswith("key:"):
            out.append(("key", step[4:]))
        else:
            out.append(("value", step))
    return out


# --- AWS's own example, span for span -------------------------------------------------------------

# awscli's examples/accessanalyzer/validate-policy.rst: a Cognito role trust policy checked as a
# RESOURCE_POLICY. Its documented output: EMPTY_SID_VALUE, MISMATCHED_ACTION_FOR_PRINCIPAL and
# UNSUPPORTED_ACTION_FOR_CONDITION_KEY, with these locations.
AWS_EXAMPLE = """{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "",
            "Effect": "Allow",
            "Principal": {
                "Federated": "cognito-identity.amazonaws.com"
            },
            "Action": [
                "sts:AssumeRole",
                "sts:TagSession"
            ],
            "Condition": {
                "StringEquals": {
                    "cognito-identity.amazonaws.com:aud": "us-west-2_EXAMPLE"
                }
            }
        }
    ]
}"""


def _span(f: Finding, index: int) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    loc = f.locations[index]
    return (loc.start.line, loc.start.column, loc.start.offset), (loc.end.line, loc.end.column, loc.end.offset)


def test_awss_documented_example_gives_its_findings_and_spans() -> None:
    result = findings(AWS_EXAMPLE, "RESOURCE_POLICY")
    assert [(f.issue_code, f.finding_type) for f in result] == [
        ("EMPTY_SID_VALUE", SUGGESTION), ("MISMATCHED_ACTION_FOR_PRINCIPAL", ERROR),
        ("UNSUPPORTED_ACTION_FOR_CONDITION_KEY", ERROR)]
    sid, mismatched, unsupported = result
    assert sid.details == "Add a value to the empty string in the Sid element."
    assert path(sid) == at("Statement", 0, "Sid") and _span(sid, 0) == ((5, 19, 79), (5, 21, 81))
    assert sid.learn_more_link == ("https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-"
                                   "policy-checks.html#access-analyzer-reference-policy-checks-suggestion-empty-sid-value")
    assert path(mismatched, 0) == at("Statement", 0, "Action", 0)
    assert _span(mismatched, 0) == ((11, 16, 258), (11, 32, 274))
    assert path(mismatched, 1) == at("Statement", 0, "Principal", "Federated")
    assert _span(mismatched, 1) == ((8, 29, 170), (8, 61, 202))
    assert mismatched.details.startswith("The sts:AssumeRole action is invalid with the following principal(s): "
                                         "cognito-identity.amazonaws.com. Use a SAML provider principal")
    assert unsupported.details.startswith("The following actions: sts:TagSession are not supported by the condition "
                                          "key cognito-identity.amazonaws.com:aud.")
    assert path(unsupported, 0) == at("Statement", 0, "Action", 1)
    assert _span(unsupported, 0) == ((12, 16, 292), (12, 32, 308))
    assert path(unsupported, 1) == at("Statement", 0, "Condition", "StringEquals", "cognito-identity.amazonaws.com:aud")
    start, end = _span(unsupported, 1)
    assert start == (16, 58, 443)  # AWS's start; its end is that of the value string
    assert end[2] == AWS_EXAMPLE.index('"us-west-2_EXAMPLE"') + len('"us-west-2_EXAMPLE"')


def test_spans_count_lines_from_1_columns_and_offsets_from_0_in_a_multiline_document() -> None:
    text = '{\n  "Version": "2012-10-17",\n  "Statement": [{\n    "Effect": "Allow",\n' \
           '    "Action": ["s3:GetObject",\n\t"s3:Gett"],\n    "Resource": "*"}]}'
    [f] = findings(text)
    assert f.issue_code == "INVALID_ACTION" and path(f) == at("Statement", 0, "Action", 1)
    offset = text.index('"s3:Gett"')
    assert _span(f, 0) == ((6, 1, offset), (6, 10, offset + 9))
    assert text.splitlines()[5][1:10] == '"s3:Gett"'


def test_a_clean_policy_has_no_findings() -> None:
    assert findings(statement(Action=["s3:GetObject", "s3:PutObject"], Resource="arn:aws:s3:::bucket/*",
                              Condition={"StringEquals": {"aws:PrincipalTag/team": "data"},
                                         "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})) == []


# --- syntax, mapped from the write-time validator ----------------------------------------------------

def test_json_syntax_error_points_where_reading_stopped() -> None:
    text = '{"Version": "2012-10-17",\n "Statement": [{"Effect": "Allow" "Action": "s3:*"}]}'
    [f] = findings(text)
    offset = text.index('"Action"')
    assert (f.issue_code, f.finding_type) == ("JSON_SYNTAX_ERROR", ERROR)
    assert f.details == f"Fix the JSON syntax error at index {offset} line 2 column {offset - text.index(chr(10)) - 1}."
    assert path(f) == [] and f.locations[0].start.offset == offset


@pytest.mark.parametrize(("document", "code", "kind", "where"), [
    ({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}, "MISSING_VERSION", WARNING, []),
    ({"Version": "2013-01-01", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]},
     "INVALID_VERSION", ERROR, at("Version")),
    ({"Version": V}, "MISSING_STATEMENT", ERROR, []),
    ({"Version": V, "Statement": [{"Action": "s3:GetObject", "Resource": "*"}]}, "MISSING_EFFECT", ERROR,
     at("Statement", 0)),
    (statement(Effect="Permit", Action="s3:GetObject", Resource="*"), "INVALID_EFFECT", ERROR,
     at("Statement", 0, "Effect")),
    (statement(Resource="*"), "MISSING_ACTION", ERROR, at("Statement", 0)),
    (statement(Action=[], Resource="*"), "EMPTY_ARRAY_ACTION", SUGGESTION, at("Statement", 0, "Action")),
    (statement(Action="s3:GetObject"), "MISSING_RESOURCE", ERROR, at("Statement", 0)),
    (statement(Action="s3:GetObject", Resource=[]), "EMPTY_ARRAY_RESOURCE", SUGGESTION,
     at("Statement", 0, "Resource")),
    (statement(Action="s3:GetObject", Resource="*", Actions="x"), "INVALID_POLICY_ELEMENT", ERROR,
     at("Statement", 0, "key:Actions")),
    (statement(Action="s3:GetObject", NotAction="s3:PutObject", Resource="*"), "UNSUPPORTED_ELEMENT_COMBINATION",
     ERROR, at("Statement", 0, "key:NotAction")),
    (statement(Principal="*", Action="s3:GetObject", Resource="*"), "UNSUPPORTED_PRINCIPAL", ERROR,
     at("Statement", 0, "key:Principal")),
    ({"Version": V, "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                                  {"Sid": "A", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}]},
     "UNIQUE_SIDS_REQUIRED", ERROR, at("Statement", 1, "Sid")),
    (statement(Sid="a-b", Action="s3:GetObject", Resource="*"), "UNSUPPORTED_SID", ERROR, at("Statement", 0, "Sid")),
    (statement(Sid="", Action="s3:GetObject", Resource="*"), "EMPTY_SID_VALUE", SUGGESTION, at("Statement", 0, "Sid")),
    (statement(Action="s3:GetObject", Resource="*", Condition={"StringEqualz": {"aws:SourceIp": "x"}}),
     "INVALID_CONDITION_OPERATOR", ERROR, at("Statement", 0, "Condition", "key:StringEqualz")),
    (statement(Action="s3:GetObject", Resource="*", Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "x"}}),
     "TYPE_MISMATCH_NUMBER", WARNING, at("Statement", 0, "Condition", "NumericLessThan", "aws:MultiFactorAuthAge")),
    (statement(Action="s3:GetObject", Resource="*", Condition={}), "EMPTY_OBJECT_CONDITION", SUGGESTION,
     at("Statement", 0, "Condition")),
    (statement(Action="s3:GetObject", Resource="*", Condition={"StringEquals": {"aws:username": []}}),
     "EMPTY_ARRAY_CONDITION", SUGGESTION, at("Statement", 0, "Condition", "StringEquals", "aws:username")),
    (statement(Action="s3:GetObject", Resource="*", Condition={"StringEquals": {"username": "a"}}),
     "INVALID_CONDITION_KEY_FORMAT", ERROR, at("Statement", 0, "Condition", "StringEquals", "key:username")),
    (statement(Action="s3:GetObject", Resource="arn:aws:s3:::b/${aws:username"), "MISSING_BRACE_IN_VARIABLE", ERROR,
     at("Statement", 0, "Resource")),
    ({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}"}]},
     "VARIABLE_UNSUPPORTED_IN_VERSION", ERROR, at("Statement", 0, "Resource")),
    (statement(Action="s3:GetObject", Resource="bucket"), "INVALID_ARN_PREFIX", ERROR, at("Statement", 0, "Resource")),
])
def test_grammar(document: dict, code: str, kind: str, where: list) -> None:
    f = only(document, code)
    assert f.finding_type == kind and ISSUES[code] == kind
    assert path(f) == where


R = "arn:aws:s3:::b/*"


@pytest.mark.parametrize(("policy_type", "resource_type", "elements", "code", "where"), [
    ("IDENTITY_POLICY", "", {"Action": "s3:GetObject", "Resource": "*",
                             "Condition": {"NullIfExists": {"aws:username": "true"}}},
     "NULL_WITH_IF_EXISTS", at("Statement", 0, "Condition", "key:NullIfExists")),
    ("IDENTITY_POLICY", "", {"Action": "s3:GetObject", "Resource": "*",
                             "Condition": {"ForAllValues:Null": {"aws:username": "true"}}},
     "NULL_WITH_QUALIFIER", at("Statement", 0, "Condition", "key:ForAllValues:Null")),
    ("RESOURCE_POLICY", "", {"Principal": {}, "Action": "s3:GetObject", "Resource": R},
     "EMPTY_OBJECT_PRINCIPAL", at("Statement", 0, "Principal")),
    ("RESOURCE_POLICY", "", {"Principal": {"AWS": []}, "Action": "s3:GetObject", "Resource": R},
     "EMPTY_ARRAY_PRINCIPAL", at("Statement", 0, "Principal", "AWS")),
    ("RESOURCE_POLICY", "", {"Principal": {"Users": "x"}, "Action": "s3:GetObject", "Resource": R},
     "INVALID_PRINCIPAL_KEY", at("Statement", 0, "Principal", "key:Users")),
    ("RESOURCE_POLICY", "", {"Principal": {"AWS": "arn:aws:iam::*:root"}, "Action": "s3:GetObject", "Resource": R},
     "UNSUPPORTED_WILDCARD_IN_PRINCIPAL", at("Statement", 0, "Principal", "AWS")),
    ("RESOURCE_POLICY", "", {"Principal": {"Service": "EC2"}, "Action": "s3:GetObject", "Resource": R},
     "INVALID_SERVICE_PRINCIPAL_FORMAT", at("Statement", 0, "Principal", "Service")),
    ("IDENTITY_POLICY", "", {"Action": "s3:ListBucket", "Resource": "*",
                             "Condition": {"NumericEquals": {"s3:max-keys": "${aws:username}"}}},
     "INVALID_VARIABLE_FOR_OPERATOR", at("Statement", 0, "Condition", "NumericEquals", "s3:max-keys")),
    ("RESOURCE_CONTROL_POLICY", "", {"Principal": "*", "Action": "s3:GetObject", "Resource": R},
     "RCP_SYNTAX_ERROR_ALLOW", at("Statement", 0, "Effect")),
    ("RESOURCE_POLICY", "AWS::IAM::AssumeRolePolicyDocument", {"Principal": "*", "Action": "sts:AssumeRole"},
     "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", at("Statement", 0, "Principal")),
    ("RESOURCE_POLICY", "AWS::IAM::AssumeRolePolicyDocument",
     {"Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole", "Resource": "*"},
     "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", at("Statement", 0, "key:Resource")),
    ("IDENTITY_POLICY", "", {"Action": "s3:GetObject", "Resource": "*",
                             "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": []}}},
     "EMPTY_ARRAY_CONDITION_FORALLVALUES", at("Statement", 0, "Condition", "ForAllValues:StringEquals", "aws:TagKeys")),
    ("IDENTITY_POLICY", "", {"Action": 1, "Resource": "*"}, "DATA_TYPE_MISMATCH", at("Statement", 0, "Action")),
])
def test_principals_conditions_and_types(policy_type: str, resource_type: str, elements: dict, code: str,
                                        where: list) -> None:
    f = only({"Version": V, "Statement": [{"Effect": "Allow", **elements}]}, code, policy_type, resource_type)
    assert f.finding_type == ISSUES[code] and path(f) == where


@pytest.mark.parametrize(("policy_type", "resource_type", "element", "code"), [
    ("SERVICE_CONTROL_POLICY", "", {"Principal": "*"}, "SCP_SYNTAX_ERROR_PRINCIPAL"),
    ("RESOURCE_POLICY", "", {}, "MISSING_PRINCIPAL"),
    ("RESOURCE_POLICY", "AWS::IAM::AssumeRolePolicyDocument",
     {"NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}, "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL"),
])
def test_principals_by_policy_type(policy_type: str, resource_type: str, element: dict, code: str) -> None:
    document = statement(Action="s3:GetObject", Resource="*", **element)
    if resource_type:
        document = statement(Action="sts:AssumeRole", **element)
    assert only(document, code, policy_type, resource_type).finding_type == ERROR


# --- the catalogue -----------------------------------------------------------------------------------

def test_unknown_service_in_action() -> None:
    f = only(statement(Action=["s3:GetObject", "nosuchservice:Get"], Resource="*"), "INVALID_SERVICE")
    assert f.details == "The service nosuchservice does not exist. Use a valid service name."
    assert path(f) == at("Statement", 0, "Action", 1)


def test_misspelt_service_in_action_gets_a_suggestion() -> None:
    f = only(statement(Action="dynamodbb:GetItem", Resource="*"), "INVALID_SERVICE_IN_ACTION")
    assert f.details == "The service dynamodbb specified in the action does not exist. Did you mean dynamodb?"


def test_unknown_action_gets_a_suggestion() -> None:
    f = only(statement(Action="s3:GetObjekt", Resource="*"), "INVALID_ACTION")
    assert (f.finding_type, f.details) == (ERROR, "The action s3:GetObjekt does not exist. Did you mean s3:GetObject?")
    assert path(f) == at("Statement", 0, "Action")


def test_a_wildcard_matching_no_action_is_invalid() -> None:
    assert "INVALID_ACTION" in codes(statement(Action="s3:Frobnicate*", Resource="*"))
    assert codes(statement(Action="s3:Get*", Resource="*")) == []


def test_wildcard_in_service_name() -> None:
    f = only(statement(Action="s*:GetObject", Resource="*"), "WILDCARD_IN_SERVICE_NAME")
    assert f.finding_type == SUGGESTION


def test_condition_key_not_supported_by_the_action() -> None:
    f = only(statement(Action=["s3:ListBucket", "s3:GetObject"], Resource="*",
                       Condition={"StringLike": {"s3:prefix": "home/*"}}), "UNSUPPORTED_ACTION_FOR_CONDITION_KEY")
    assert f.details.startswith("The following actions: s3:GetObject are not supported by the condition key s3:prefix.")
    assert path(f, 0) == at("Statement", 0, "Action", 1)
    assert path(f, 1) == at("Statement", 0, "Condition", "StringLike", "s3:prefix")


def test_condition_key_of_another_service() -> None:
    assert "UNSUPPORTED_ACTION_FOR_CONDITION_KEY" in codes(
        statement(Action="s3:GetObject", Resource="*", Condition={"StringEquals": {"kms:ViaService": "x"}}))


def test_unknown_global_condition_key() -> None:
    f = only(statement(Action="s3:GetObject", Resource="*", Condition={"IpAddress": {"aws:SourceIpp": "1.2.3.4"}}),
             "INVALID_GLOBAL_CONDITION_KEY")
    assert path(f) == at("Statement", 0, "Condition", "IpAddress", "key:aws:SourceIpp")
    assert f.details == "The condition key aws:SourceIpp does not exist. Use a valid condition key."


def test_global_keys_with_a_tag_are_known() -> None:
    assert codes(statement(Action="s3:GetObject", Resource="*",
                           Condition={"StringEquals": {"aws:PrincipalTag/CostCenter": "1", "AWS:SourceAccount": ACCOUNT}})) == []


def test_aws_arn_is_not_supported() -> None:
    assert only(statement(Action="s3:GetObject", Resource="*", Condition={"ArnLike": {"aws:ARN": "arn:aws:iam::*"}}),
                "UNSUPPORTED_GLOBAL_CONDITION_KEY").finding_type == ERROR


def test_unknown_service_condition_key() -> None:
    f = only(statement(Action="s3:GetObject", Resource="*", Condition={"StringEquals": {"s3:nosuchkey": "x"}}),
             "INVALID_SERVICE_CONDITION_KEY")
    assert f.details == "The condition key s3:nosuchkey does not exist in the service s3. Use a valid condition key."


def test_resource_arn_matching_no_resource_type_of_its_service() -> None:
    f = only(statement(Action="s3:GetObject", Resource="arn:aws:ec2:us-east-1:123456789012:nosuchthing/x"),
             "INVALID_ARN_RESOURCE")
    resource = "arn:aws:ec2:us-east-1:123456789012:nosuchthing/x"
    assert f.finding_type == ERROR
    assert path(f) == at("Statement", 0, "Resource", (35, 13)) and resource[35:] == "nosuchthing/x"


def test_resource_arn_matching_no_resource_type_of_the_statements_actions() -> None:
    # s3:GetObject acts on objects: a bucket's ARN names nothing it can act on.
    f = only(statement(Action="s3:GetObject", Resource=["arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket"]),
             "INVALID_ARN_RESOURCE")
    assert path(f) == at("Statement", 0, "Resource", 1)
    assert "no resource type of the statement's actions" in f.details
    assert codes(statement(Action=["s3:GetObject", "s3:ListBucket"], Resource=["arn:aws:s3:::bucket"])) == []


@pytest.mark.parametrize(("resource", "code", "part"), [
    (f"arn:aws:sqs::{ACCOUNT}:queue", "MISSING_ARN_REGION", None),
    (f"arn:aws:sqs:us-east-9:{ACCOUNT}:queue", "INVALID_ARN_REGION", (12, 9)),
    (f"arn:aws:sqs:useast1:{ACCOUNT}:queue", "INVALID_ARN_REGION", (12, 7)),
    (f"arn:aws-moon:sqs:us-east-1:{ACCOUNT}:queue", "INVALID_PARTITION", (4, 8)),
    (f"arn:aws:s3:us-east-1:{ACCOUNT}:bucket/key", "ARN_REGION_NOT_ALLOWED", (11, 9)),
    (f"arn:aws:s3:::bucket/key", None, None),
    (f"arn:aws:iam::{ACCOUNT}:user/alice", None, None),
    ("arn:aws:iam::12345:user/alice", "INVALID_ARN_ACCOUNT", (13, 5)),
    ("arn:aws:s3::123456789012:bucket/key", "ARN_ACCOUNT_NOT_ALLOWED", (12, 12)),
    (f"arn:aws:SQS:us-east-1:{ACCOUNT}:queue", "INVALID_ARN_SERVICE_CASE", (8, 3)),
])
def test_arn_partition_region_and_account(resource: str, code: str | None, part: tuple[int, int] | None) -> None:
    document = statement(Action="*", Resource=resource)
    if code is None:
        assert codes(document) == []
        return
    f = only(document, code)
    assert f.finding_type == ERROR
    expected = at("Statement", 0, "Resource") + ([("substring", part)] if part else [])
    assert path(f) == expected
    if part:  # the span is that substring of the document
        text = json.dumps(document, indent=2)
        loc = f.locations[0]
        assert text[loc.start.offset:loc.end.offset] == resource[part[0]:part[0] + part[1]]


def test_a_region_where_the_service_has_no_endpoint() -> None:
    partition = CATALOGUE.partitions["aws"]
    service, region = next((s, r) for s in ("appsync", "sagemaker-geospatial", "workmail", "lookoutequipment")
                           for r in sorted(partition.regions - partition.services.get(s, partition.regions)))
    formats = [f for f in CATALOGUE.formats(service) if f.region_required]
    resource = formats[0].arn.replace("${Partition}", "aws").replace("${Region}", region).replace(
        "${Account}", ACCOUNT)
    resource = resource.split("${")[0] + "x" if "${" in resource else resource
    f = only(statement(Action="*", Resource=resource), "INVALID_ARN_REGION")
    assert f.details == (f"The Region {region} is not valid for this resource. Update the resource ARN to include a "
                         "supported Region.")


def test_invalid_region_in_requested_region() -> None:
    f = only(statement(Action="s3:GetObject", Resource="*",
                       Condition={"StringEquals": {"aws:RequestedRegion": ["us-east-1", "us-middle-1"]}}),
             "INVALID_REGION")
    assert path(f) == at("Statement", 0, "Condition", "StringEquals", "aws:RequestedRegion", 1)


# --- security warnings and warnings -------------------------------------------------------------------

def test_pass_role_with_star_in_resource() -> None:
    f = only(statement(Action=["iam:PassRole", "iam:GetRole"], Resource="*"), "PASS_ROLE_WITH_STAR_IN_RESOURCE")
    assert f.finding_type == SECURITY_WARNING
    assert [path(f, 0), path(f, 1)] == [at("Statement", 0, "Action", 0), at("Statement", 0, "Resource")]
    assert f.details.startswith("Using the iam:PassRole action with wildcards (*) in the resource can be overly "
                                "permissive because it allows iam:PassRole permissions on multiple resources.")


def test_pass_role_variants() -> None:
    assert "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE" in codes(statement(Action="iam:*", Resource="*"))
    assert "PASS_ROLE_WITH_NOT_RESOURCE" in codes(
        statement(Action="iam:PassRole", NotResource=f"arn:aws:iam::{ACCOUNT}:role/admin"))
    assert "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION" in codes(statement(NotAction="s3:*", Resource="*"))
    assert "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE" in codes(
        statement(NotAction="s3:*", NotResource=f"arn:aws:iam::{ACCOUNT}:role/admin"))
    # Scoped: to roles by ARN, or to a service by iam:PassedToService; and never for Deny.
    assert codes(statement(Action="iam:PassRole", Resource=f"arn:aws:iam::{ACCOUNT}:role/app-*")) == []
    assert codes(statement(Action="iam:PassRole", Resource="*",
                           Condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}})) == []
    assert codes({"Version": V, "Statement": [{"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}]}) == []


def test_create_service_linked_role_with_star_is_a_warning() -> None:
    f = only(statement(Action="iam:CreateServiceLinkedRole", Resource="*"), "CREATE_SLR_WITH_STAR_IN_RESOURCE")
    assert f.finding_type == WARNING


def test_allow_with_not_principal() -> None:
    document = {"Version": V, "Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                                             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
    f = only(document, "ALLOW_WITH_NOT_PRINCIPAL", "RESOURCE_POLICY")
    assert f.finding_type == SECURITY_WARNING and path(f) == at("Statement", 0, "NotPrincipal")
    document["Statement"][0]["Effect"] = "Deny"
    assert "ALLOW_WITH_NOT_PRINCIPAL" not in codes(document, "RESOURCE_POLICY")


def test_service_principal_without_a_source_condition() -> None:
    grant = {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
             "Resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:q"}
    f = only({"Version": V, "Statement": [grant]}, "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL", "RESOURCE_POLICY")
    assert f.finding_type == SECURITY_WARNING and path(f) == at("Statement", 0, "Principal", "Service")
    for key in ("aws:SourceArn", "aws:SourceAccount", "aws:SourceOrgID"):
        scoped = {**grant, "Condition": {"StringEquals": {key: "x"}}}
        assert "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL" not in codes({"Version": V, "Statement": [scoped]},
                                                                    "RESOURCE_POLICY")
    trust = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    assert codes({"Version": V, "Statement": [trust]}, "RESOURCE_POLICY") == []
    assert codes({"Version": V, "Statement": [trust]}, "RESOURCE_POLICY", "AWS::IAM::AssumeRolePolicyDocument") == []


def test_for_all_values_with_a_single_valued_key() -> None:
    f = only(statement(Action="s3:GetObject", Resource="*",
                       Condition={"ForAllValues:StringEquals": {"aws:PrincipalOrgID": ["o-1"]}}),
             "FORALLVALUES_WITH_SINGLE_VALUED_KEY")
    assert f.finding_type == SECURITY_WARNING
    assert codes(statement(Action="s3:GetObject", Resource="*",
                           Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["a"]}})) == []


def test_wildcard_without_like_operator() -> None:
    f = only(statement(Action="s3:GetObject", Resource="*", Condition={"StringEquals": {"aws:username": "a*"}}),
             "WILDCARD_WITHOUT_LIKE_OPERATOR")
    assert f.finding_type == WARNING
    assert codes(statement(Action="s3:GetObject", Resource="*", Condition={"StringLike": {"aws:username": "a*"}})) == []


def test_duplicate_condition_keys_with_different_case() -> None:
    f = only(statement(Action="s3:GetObject", Resource="*",
                       Condition={"StringEquals": {"aws:username": "a", "aws:UserName": "b"}}),
             "DUPLICATE_KEYS_WITH_DIFFERENT_CASE")
    assert path(f) == at("Statement", 0, "Condition", "StringEquals", "key:aws:UserName")


def test_identity_policy_size_quota() -> None:
    actions = [f"s3:GetObject{'Acl' if i % 2 else ''}" for i in range(2)]
    resources = [f"arn:aws:s3:::bucket-{i:05d}/*" for i in range(300)]
    f = only(statement(Action=actions, Resource=resources), "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA")
    assert f.finding_type == WARNING and path(f) == []


# --- suggestions ---------------------------------------------------------------------------------------

def test_redundant_action() -> None:
    f = only(statement(Action=["s3:GetObject", "s3:Get*", "s3:PutObject", "s3:getobject"], Resource="*"),
             "REDUNDANT_ACTION")
    assert f.finding_type == SUGGESTION
    assert [path(f, i) for i in range(len(f.locations))] == [at("Statement", 0, "Action", 0),
                                                             at("Statement", 0, "Action", 3)]
    assert f.details.startswith("The 2 action(s) are redundant because they provide similar permissions.")
    assert "REDUNDANT_ACTION" in codes(statement(Action=["*", "s3:GetObject"], Resource="*"))


def test_redundant_resource() -> None:
    f = only(statement(Action="s3:GetObject", Resource=["arn:aws:s3:::b/*", "arn:aws:s3:::b/key"]),
             "REDUNDANT_RESOURCE")
    assert path(f) == at("Statement", 0, "Resource", 1)


def test_redundant_statement() -> None:
    document = {"Version": V, "Statement": [
        {"Sid": "One", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"},
        {"Sid": "Two", "Effect": "Allow", "Action": ["s3:putobject", "s3:GetObject"], "Resource": ["*"]}]}
    f = only(document, "REDUNDANT_STATEMENT")
    assert f.finding_type == SUGGESTION
    assert [path(f, 0), path(f, 1)] == [at("Statement", 1), at("Statement", 0)]
    document["Statement"][1]["Effect"] = "Deny"
    assert "REDUNDANT_STATEMENT" not in codes(document)


# --- the request and the work -------------------------------------------------------------------------

def test_issue_codes_and_their_links() -> None:
    kinds = {ERROR: "error", SECURITY_WARNING: "security-warning", WARNING: "general-warning",
             SUGGESTION: "suggestion"}
    for code, kind in ISSUES.items():
        assert code == code.upper() and " " not in code
        f = Finding(kind, code, "", ())
        assert f.learn_more_link.endswith(f"-{kinds[kind]}-{code.lower().replace('_', '-')}")


@pytest.mark.parametrize(("policy_type", "resource_type", "field"), [
    ("IDENTITY", "", "policyType"), ("", "", "policyType"),
    ("IDENTITY_POLICY", "AWS::S3::Bucket", "validatePolicyResourceType"),
    ("RESOURCE_POLICY", "AWS::EC2::Instance", "validatePolicyResourceType"),
])
def test_malformed_requests_name_their_member(policy_type: str, resource_type: str, field: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        validate_policy_findings("{}", policy_type, resource_type, CATALOGUE)
    assert caught.value.field == field


def test_a_hostile_document_costs_bounded_work() -> None:
    actions = [f"svc{i}:Action{i}" for i in range(3000)] + [f"s3:Get{i}*" for i in range(3000)]
    resources = [f"arn:aws:s3:::b{i}/*{i}*" for i in range(1500)]
    text = json.dumps(statement(Action=actions, Resource=resources))
    started = time.monotonic()
    result = validate_policy_findings(text, "IDENTITY_POLICY", "", CATALOGUE)
    assert time.monotonic() - started < 20
    assert result and all(f.issue_code in ISSUES for f in result)


def test_a_duplicated_key_points_at_its_second_occurrence() -> None:
    text = '{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*", ' \
           '"Resource": "*"}}'
    f = only(text, "JSON_SYNTAX_ERROR")
    assert path(f) == at("key:Version") and f.locations[0].start.offset == text.index('"Version"', 2)


def test_nesting_and_non_objects_are_findings_not_failures() -> None:
    assert codes("[" * 1000) == ["JSON_SYNTAX_ERROR"]
    assert codes("[]") == ["DATA_TYPE_MISMATCH"]
    assert codes("") == ["JSON_SYNTAX_ERROR"]
    assert codes('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", '
                 '"Resource": "*"}}') == []
