"""Write-time validation: every problem at once, with JSON paths, AWS's messages and hints."""

from __future__ import annotations

import json

import pytest

from iamd.service.policy import MalformedPolicyError, PolicyProblem, PolicyType, compile_policy, validate_policy



def problems(document: object, policy_type: PolicyType = PolicyType.IDENTITY) -> list[PolicyProblem]:
    text = document if isinstance(document, str) else json.dumps(document)
    return validate_policy(text, policy_type)


def paths(found: list[PolicyProblem]) -> list[str]:
    return [p.path for p in found]


GOOD_IDENTITY = {"Version": "2012-10-17", "Statement": [{"Sid": "A1", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


def test_valid_documents_have_no_problems():
    assert problems(GOOD_IDENTITY) == []
    assert problems({"Statement": {"Effect": "Deny", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::b/*"}}) == []
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    assert problems(trust, PolicyType.TRUST) == []
    bucket = {"Version": "2012-10-17", "Id": "x", "Statement": [{"Sid": "public read", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
    assert problems(bucket, PolicyType.RESOURCE) == []
    rcp = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}]}
    assert problems(rcp, PolicyType.RCP) == []
    # Anything may follow an action's vendor (AWS stores it; it never matches), condition keys
    # need no vendor, and an operator block without keys is no clause, known operator or not.
    odd = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["iam: list users", "s3.s:x"],
           "Resource": ["arn:aws:fdsasf", None], "Condition": {"DateGreaterThan": {}, "x": {},
           "StringEqualsIfExists": {"a": "b"}, "DateLessThan": {"a": ["2016-12-13t2:00:00.593194+23", "01T"]}}}}
    assert problems(odd) == []


def test_aws_refusals_and_their_messages_in_aws_order():
    # moto's test_iam_policies.py records these answers of AWS (MalformedPolicyDocument).
    def first(document, **kw):
        found = validate_policy(json.dumps(document), PolicyType.IDENTITY, **kw)
        return found[0].message if found else None

    st = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"}
    assert first({"Version": "2012-10-17", "Statement": []}) == "Syntax errors in policy."
    assert first({"Statement": st}, managed=True) == "Policy document must be version 2012-10-17 or greater."
    assert first({"Version": "2008-10-17", "Statement": st}, managed=True) == "Policy document must be version 2012-10-17 or greater."
    assert first({"Statement": st}) is None  # an inline policy may omit it
    assert first({"Version": "2012-10-17", "Statement": {**st, "Effect": "aLLow"}}) == "The policy failed legacy parsing"
    assert first({"Version": "2012-10-17", "Statement": {**st, "Resource": "arn:aws:s3::b"}}) == "The policy failed legacy parsing"
    assert first({"Version": "2012-10-17", "Statement": {**st, "Resource": "arn:aws:iam:us-east-1::user/x"}}) == \
        "IAM resource arn:aws:iam:us-east-1::user/x cannot contain region information."
    assert first({"Version": "2012-10-17", "Statement": {**st, "Resource": "arn:aws:s3:us-east-1::b"}}) == \
        "Resource arn:aws:s3:us-east-1::b can not contain region information."
    assert first({"Version": "2012-10-17", "Statement": {**st, "Resource": "arn:aws:iam::123456789012:bla"}}).startswith(
        'IAM resource path must either be "*" or start with user/, federated-user/, role/')
    assert first({"Version": "2012-10-17", "Statement": {**st, "Resource": "arn:b:c:d:e:f:g:h"}}) == \
        'Partition "b" is not valid for resource "arn:b:c:d:e:f:g:h".'
    assert first({"Version": "2012-10-17", "Statement": {**st, "Action": "a a:ListBucket"}}) == "Vendor a a is not valid"
    # Of several malformed resources AWS names the one it checks last.
    assert first({"Version": "2012-10-17", "Statement": {**st, "Resource": ["arn:error:s3:::b", "arn:error:s3::b"]}}) == \
        'Partition "error" is not valid for resource "arn:error:s3:::b".'
    assert first({"Version": "2012-10-17", "Statement": {**st, "Condition": {"DateLessThan": {"a": "9223372036854775808"}}}}) == \
        "The policy failed legacy parsing"
    assert first({"Version": "2012-10-17", "Statement": {**st, "Condition": {"x": {"a": "1"}}}}) == "Syntax errors in policy."
    assert first({"Version": "2012-10-17", "Statement": {**st, "Condition": {"DateLessThan": {"a": "2030-02-31t"}}}}) == \
        "The policy failed legacy parsing"  # a day the month does not have


def test_every_problem_is_reported_at_once_with_paths_and_hints():
    bad = {
        "Version": "2012-10-18",
        "Statment": [],
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            {
                "Efect": "Allow",
                "Action": "GetObject",
                "Resource": "bucket",
                "Condition": {"StringLikee": {"s3:prefix": "a/*"}, "NumericLessThan": {"aws:MultiFactorAuthAge": "soon"}},
            },
        ],
    }
    found = problems(bad)
    by_path = {p.path: p for p in found}
    assert set(by_path) == {
        "Version",
        "Statment",
        "Statement[1].Efect",
        "Statement[1].Effect",
        "Statement[1].Action",
        "Statement[1].Resource",
        "Statement[1].Condition.StringLikee",
        "Statement[1].Condition.NumericLessThan.aws:MultiFactorAuthAge",
    }
    assert by_path["Version"].message == "Syntax errors in policy."
    assert by_path["Statment"].message == "Syntax errors in policy."  # AWS's words; the detail is the hint
    assert by_path["Statment"].hint == "unknown element `Statment`; did you mean `Statement`?"
    assert by_path["Statement[1].Efect"].hint == "unknown element `Efect`; did you mean `Effect`?"
    assert by_path["Statement[1].Effect"].message == "Syntax errors in policy."
    assert by_path["Statement[1].Action"].message.startswith("Actions/Conditions must be prefaced by a vendor")
    assert by_path["Statement[1].Resource"].message == 'Resource bucket must be in ARN format or "*".'
    assert by_path["Statement[1].Condition.StringLikee"].hint == "unknown condition operator `StringLikee`; did you mean `StringLike`?"
    assert "not a number" in (by_path["Statement[1].Condition.NumericLessThan.aws:MultiFactorAuthAge"].hint or "")


def test_compile_policy_raises_with_every_problem():
    with pytest.raises(MalformedPolicyError) as err:
        compile_policy(json.dumps({"Statement": [{"Effect": "Allow"}]}), policy_id="p", policy_type=PolicyType.IDENTITY)
    assert [p.message for p in err.value.problems] == [
        "Policy statement must contain actions.",
        "Policy statement must contain resources.",
    ]


@pytest.mark.parametrize(
    ("text", "hint_part"),
    [
        ("", "empty"),
        ("{", "line 1"),
        ('{"Statement": NaN}', "NaN"),
        ("[]", "JSON object"),
    ],
)
def test_invalid_json_is_a_problem_at_the_root(text, hint_part):
    found = problems(text)
    assert found and found[0].path == "" and found[0].message == "Syntax errors in policy."
    assert hint_part in (found[0].hint or "")


def test_characters_outside_the_allowed_range():
    text = '{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::caf\u00e9/\u2603"}]}'
    found = problems(text)
    assert found[0].path == ""
    assert "U+2603" in (found[0].hint or "")
    # Latin-1 (up to U+00FF), tab, newline and carriage return are allowed.
    assert problems('{"Version":"2012-10-17",\t"Statement":\r\n[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::caf\u00e9"}]}') == []


def test_duplicate_keys_are_problems():
    text = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny","Action":"s3:*","Resource":"*"}]}'
    assert paths(problems(text)) == ["Statement[0].Effect"]


def test_single_statement_object_paths():
    found = problems({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*"}})
    assert paths(found) == ["Statement.Resource"]


@pytest.mark.parametrize("policy_type", [PolicyType.IDENTITY, PolicyType.BOUNDARY, PolicyType.SESSION])
def test_principal_is_forbidden_in_identity_like_policies(policy_type):
    found = problems({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}, policy_type)
    assert [(p.path, p.message) for p in found] == [("Statement[0].Principal", "Policy document should not specify a principal")]


def test_scp_rules():
    found = problems({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotPrincipal": {"AWS": "123456789012"}, "Action": "*", "Resource": "*"}]}, PolicyType.SCP)
    assert [(p.path, p.message) for p in found] == [("Statement[0].NotPrincipal", "Has prohibited field NotPrincipal")]


def test_rcp_rules():
    found = problems(
        {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"},
            {"Effect": "Deny", "Principal": {"AWS": "123456789012"}, "Action": "s3:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "s3:*", "Resource": "*"},
        ]},
        PolicyType.RCP,
    )
    assert paths(found) == ["Statement[0].Effect", "Statement[1].Principal", "Statement[2].Principal"]


def test_resource_and_trust_policies_need_a_principal():
    stmt = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    assert [p.message for p in problems({"Statement": [stmt]}, PolicyType.RESOURCE)] == ["Missing required field Principal"]
    trust = {"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole", "Resource": "*"}
    assert [(p.path, p.message) for p in problems({"Statement": [trust]}, PolicyType.TRUST)] == [
        ("Statement[0].Resource", "Has prohibited field Resource")
    ]


@pytest.mark.parametrize(
    ("principal", "path", "hint"),
    [
        ({"AWS": "arn:aws:iam::*:root"}, "Statement[0].Principal.AWS", None),
        ({"AWS": ["123456789012", "bob"]}, "Statement[0].Principal.AWS[1]", None),
        ({"Servce": "ec2.amazonaws.com"}, "Statement[0].Principal.Servce", "did you mean `Service`?"),
        ({"Service": "*.amazonaws.com"}, "Statement[0].Principal.Service", None),
        ("everyone", "Statement[0].Principal", 'use `"*"` or an object such as `{"AWS": "arn:aws:iam::123456789012:root"}`'),
    ],
)
def test_invalid_principals(principal, path, hint):
    found = problems({"Statement": [{"Effect": "Allow", "Principal": principal, "Action": "s3:*", "Resource": "*"}]}, PolicyType.RESOURCE)
    assert [p.path for p in found] == [path]
    assert found[0].message.startswith("Invalid principal in policy")
    assert found[0].hint == hint


def test_sids_iam_stored_policies_alphanumeric_and_unique_everywhere():
    stmts = [
        {"Sid": "a-b", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Sid": "Same", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Sid": "Same", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    ]
    found = problems({"Version": "2012-10-17", "Statement": stmts})
    assert [p.path for p in found] == ["Statement[0].Sid", "Statement[2].Sid"]
    assert found[1].message == "Statement IDs (SID) in a single policy must be unique."


def test_action_resource_shapes():
    found = problems({"Statement": [{"Effect": "Allow", "Action": ["s3:Get*", 7], "NotAction": "s3:x:y", "Resource": "arn:aws:*:::x"}]})
    assert [(p.path, p.message, p.hint) for p in found][:2] == [
        ("Statement[0].NotAction", "Syntax errors in policy.", "a statement cannot hold both `Action` and `NotAction`"),
        ("Statement[0].Action", "Syntax errors in policy.", "`Action` must be a string or a list of strings"),
    ]
    assert [(p.path, p.message) for p in found][2:] == [
        ("Statement[0].Resource", "Resource vendor must be fully qualified and cannot contain regexes."),
        ("Statement[0].NotAction", "Actions/Condition can contain only one colon."),
    ]


def test_effect_hints():
    found = problems({"Statement": [{"Effect": "allow", "Action": "s3:*", "Resource": "*"}]})
    assert [(p.path, p.message, p.hint) for p in found] == [
        ("Statement[0].Effect", "The policy failed legacy parsing", "did you mean `Allow`?")
    ]


def test_condition_shapes_and_values():
    found = problems({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:*", "Resource": "*",
        "Condition": {
            "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "10.0.0.300"]},
            "DateLessThan": {"aws:CurrentTime": "tomorrow"},
            "Bool": {"aws:SecureTransport": "maybe"},
            "Null": {"aws:TokenIssueTime": "yes"},
            "ArnLike": {"aws:SourceArn": "arn:aws:sns"},
            "StringEquals": {"aws:username": "${aws:username", "noprefix": "x"},
            "NumericEquals": {"s3:max-keys": "${aws:EpochTime}"},
            "StringLike": "x",
        },
    }]})
    assert paths(found) == [
        "Statement[0].Condition.StringLike",  # syntax: AWS's first stage
        "Statement[0].Condition.DateLessThan.aws:CurrentTime",  # "legacy parsing"
        "Statement[0].Condition.IpAddress.aws:SourceIp[1]",
        "Statement[0].Condition.Bool.aws:SecureTransport",
        "Statement[0].Condition.Null.aws:TokenIssueTime",
        "Statement[0].Condition.ArnLike.aws:SourceArn",
        "Statement[0].Condition.StringEquals.aws:username",
        "Statement[0].Condition.NumericEquals.s3:max-keys",
    ]


def test_policy_variables_in_any_part_of_a_resource_arn():
    # AWS's own AmazonTimestreamInfluxDBServiceRolePolicy has `arn:*:kms:*:${aws:PrincipalAccount}:key/*`.
    assert problems({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*",
                     "Resource": "arn:*:kms:*:${aws:PrincipalAccount}:key/*"}]}) == []
    assert problems({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:*",
                     "Resource": ["arn:aws:iam::${aws:PrincipalAccount}:user/x", "arn:aws:iam::*:root"]}]}) == []
    found = problems({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:iam::${aws:PrincipalAccount:user/x"}]})
    assert {p.path for p in found} == {"Statement[0].Resource"}
    # In a 2008-10-17 document `${` is text, so the same resource is merely literal.
    assert problems({"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::${x/*"}]}) == []


def test_variable_syntax_errors():
    found = problems({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${aws:username, default}/*"}]})
    assert found[0].message == "Syntax errors in policy." and "single quotes" in (found[0].hint or "")
