"""Action and resource matching: case rules, wildcards, variables, and the service-prefix index."""

from __future__ import annotations

import pytest

from iamd.service.policy import PolicyIndex, PolicyInputs, PolicyType, decide
from iamd.service.policy.matching import compile_actions, compile_resources
from iamd.service.policy.wildcard import compile_globs, match_pieces, tokens_of

from .helpers import ACCOUNT, allow, identity_decision, policy, request, user_context

# (action pattern, requested action, matches)
ACTIONS = [
    ("sqs:SendMessage", "sqs:SendMessage", True),
    ("SQS:sendmessage", "sqs:SendMessage", True),  # prefix and name are case-insensitive
    ("sqs:Send*", "sqs:SendMessage", True),
    ("iam:*AccessKey*", "iam:CreateAccessKey", True),
    ("sqs:Send?essage", "sqs:SendMessage", True),
    ("sqs:Send?", "sqs:SendMessage", False),
    ("sns:*", "sqs:SendMessage", False),
    ("*", "anything:AtAll", True),
    ("s*:Get*", "s3:GetObject", True),
    ("s*:Get*", "sqs:GetQueueUrl", True),
    ("s*:Get*", "ec2:GetConsole", False),
]


@pytest.mark.parametrize(("pattern", "action", "expected"), ACTIONS)
def test_action_matching(pattern, action, expected):
    decision = identity_decision([allow(pattern)], request(action=action))
    assert decision.allowed is expected


# (resource pattern, requested resource, matches)
RESOURCES = [
    ("arn:aws:sqs:us-east-1:111111111111:orders", "arn:aws:sqs:us-east-1:111111111111:orders", True),
    ("arn:aws:sqs:us-east-1:111111111111:Orders", "arn:aws:sqs:us-east-1:111111111111:orders", False),
    ("arn:aws:sqs:*:111111111111:orders", "arn:aws:sqs:eu-west-1:111111111111:orders", True),
    ("arn:aws:sqs:us-east-?:111111111111:orders", "arn:aws:sqs:us-east-1:111111111111:orders", True),
    ("arn:aws:s3:::bucket/*/test/*", "arn:aws:s3:::bucket/1/2/test/3/object.jpg", True),
    ("arn:aws:s3:::bucket/*/test/*", "arn:aws:s3:::bucket/1-test/object.jpg", False),
    ("arn:aws:s3:::log?-archive/x", "arn:aws:s3:::logs-archive/x", True),
    ("arn:aws:s3:::public*", "arn:aws:s3:::public-site/tmp/scratch.bin", True),
    ("arn:aws:secretsmanager:us-east-1:111111111111:secret:db-pass-??????", "arn:aws:secretsmanager:us-east-1:111111111111:secret:db-pass-AbCdEf", True),
    ("arn:aws:secretsmanager:us-east-1:111111111111:secret:db-pass-??????", "arn:aws:secretsmanager:us-east-1:111111111111:secret:db-pass-AbCdE", False),
    # A wildcard inside a part does not cross a colon; a trailing one may (AWS docs).
    ("arn:aws:sqs:us-*-1:111111111111:orders", "arn:aws:sqs:us-east-1:111111111111:orders", True),
    ("arn:aws:iam::*:role/App", "arn:aws:iam::111111111111:role/App", True),
    ("arn:aws:sqs:u*1:111111111111:orders", "arn:aws:sqs:us:x:1:111111111111:orders", False),
    ("*", "arn:aws:sqs:us-east-1:111111111111:orders", True),
    ("arn:aws:sqs:us-east-1:111111111111:[ab]", "arn:aws:sqs:us-east-1:111111111111:a", False),
]


@pytest.mark.parametrize(("pattern", "resource", "expected"), RESOURCES)
def test_resource_matching(pattern, resource, expected):
    action = resource.split(":")[2] + ":AnyAction"
    decision = identity_decision([allow("*", pattern)], request(action, resource, resource_account=ACCOUNT))
    assert decision.allowed is expected


def test_resource_matcher_trailing_star_spans_colons():
    # AWS: "If the * wildcard is the last character of a resource ARN segment, it can expand
    # to match beyond the colon boundaries."
    matcher = compile_resources(["arn:aws:sqs:us-east-*:111111111111:orders"], variables=False)
    assert matcher("arn:aws:sqs:us-east-1:111111111111:orders", {}, None)
    inner = compile_resources(["arn:aws:sqs:u*1:111111111111:orders"], variables=False)
    assert not inner("arn:aws:sqs:us:x:1:111111111111:orders", {}, None)


def test_wildcard_only_action_matched_only_by_star_or_notresource():
    describe = request(action="ec2:DescribeInstances", resource="*", resource_account=ACCOUNT)
    assert identity_decision([allow("ec2:Describe*", "*")], describe).allowed
    assert not identity_decision(
        [allow("ec2:Describe*", "arn:aws:ec2:us-east-1:111111111111:instance/*")], describe
    ).allowed
    not_resource = {"Effect": "Allow", "Action": "ec2:*", "NotResource": "arn:aws:ec2:*:*:instance/x"}
    assert identity_decision([not_resource], describe).allowed
    not_star = {"Effect": "Allow", "Action": "ec2:*", "NotResource": "*"}
    assert not identity_decision([not_star], describe).allowed


def test_not_action_and_not_resource():
    not_action = {"Effect": "Allow", "NotAction": "sqs:Delete*", "Resource": "*"}
    assert identity_decision([not_action], request(action="sqs:SendMessage")).allowed
    assert not identity_decision([not_action], request(action="sqs:DeleteQueue")).allowed
    not_resource = {"Effect": "Allow", "Action": "sqs:*", "NotResource": "arn:aws:sqs:us-east-1:111111111111:payroll"}
    assert identity_decision([not_resource]).allowed
    assert not identity_decision(
        [not_resource], request(resource="arn:aws:sqs:us-east-1:111111111111:payroll")
    ).allowed


def test_variables_in_resources():
    own = allow("s3:*", "arn:aws:s3:::home/${aws:username}/*")
    mine = request(action="s3:GetObject", resource="arn:aws:s3:::home/alice/notes.txt", resource_account=ACCOUNT)
    theirs = request(action="s3:GetObject", resource="arn:aws:s3:::home/bob/notes.txt", resource_account=ACCOUNT)
    assert identity_decision([own], mine).allowed
    assert not identity_decision([own], theirs).allowed
    # No value (a role session has no aws:username): the resource matches nothing ...
    session_ctx = {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/R"}
    no_name = request(action="s3:GetObject", resource="arn:aws:s3:::home/alice/notes.txt",
                      resource_account=ACCOUNT, context=session_ctx)
    decision = identity_decision([own], no_name)
    assert not decision.allowed
    assert decision.missing_context_keys == ("aws:username",)
    # ... and in NotResource it excludes nothing.
    not_own = {"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::home/${aws:username}/*"}
    assert identity_decision([not_own], no_name).allowed


def test_variable_defaults_and_escapes_in_resources():
    stmt = allow("s3:*", "arn:aws:s3:::bucket-${aws:PrincipalTag/team, 'company-wide'}/*")
    get = lambda bucket, ctx: request(action="s3:GetObject", resource=f"arn:aws:s3:::{bucket}/x",  # noqa: E731
                                      resource_account=ACCOUNT, context=ctx)
    assert identity_decision([stmt], get("bucket-company-wide", user_context())).allowed
    assert identity_decision([stmt], get("bucket-red", user_context(**{"aws:PrincipalTag/team": "red"}))).allowed
    assert not identity_decision([stmt], get("bucket-company-wide", user_context(**{"aws:PrincipalTag/team": "red"}))).allowed
    literal_star = allow("s3:*", "arn:aws:s3:::a${*}b/*")
    assert identity_decision([literal_star], get("a*b", user_context())).allowed
    assert not identity_decision([literal_star], get("axb", user_context())).allowed


def test_variable_values_are_literal_text():
    stmt = allow("s3:*", "arn:aws:s3:::home/${aws:username}/*")
    sneaky = user_context(**{"aws:username": "*"})
    req = request(action="s3:GetObject", resource="arn:aws:s3:::home/bob/x", resource_account=ACCOUNT, context=sneaky)
    assert not identity_decision([stmt], req).allowed


def test_2008_version_keeps_dollar_braces_literal():
    stmt = allow("s3:*", "arn:aws:s3:::home/${aws:username}/*")
    ident = PolicyIndex([policy(stmt, version="2008-10-17")])
    req = request(action="s3:GetObject", resource="arn:aws:s3:::home/alice/x", resource_account=ACCOUNT)
    assert not decide(req, PolicyInputs(identity=ident)).allowed
    literal = request(action="s3:GetObject", resource="arn:aws:s3:::home/${aws:username}/x", resource_account=ACCOUNT)
    assert decide(literal, PolicyInputs(identity=ident)).allowed


def test_index_scans_only_the_action_service_and_any_service_statements():
    p = policy(
        allow("s3:GetObject"),
        allow(["sqs:SendMessage", "SNS:Publish"]),
        allow("*"),
        {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"},
        allow("s?s:Get*"),
    )
    idx = PolicyIndex([p])
    assert [st.ref.index for st in idx.candidates("s3")] == [0, 2, 3, 4]
    assert [st.ref.index for st in idx.candidates("sns")] == [1, 2, 3, 4]
    assert [st.ref.index for st in idx.candidates("ec2")] == [2, 3, 4]


def test_glob_compiler_escapes_everything_but_star_and_qmark():
    matches = compile_globs(["a.b", "c+?", "(x)*", "[z]"])
    assert matches("a.b") and not matches("axb")
    assert matches("c+d") and not matches("cd")
    assert matches("(x)yz") and matches("[z]") and not matches("z")


def test_match_pieces_agrees_on_simple_cases():
    assert match_pieces(tokens_of("a*b*c"), "axxbyyc")
    assert not match_pieces(tokens_of("a*b*c"), "axxbyy")
    assert match_pieces(tokens_of("*?"), "x")
    assert not match_pieces(tokens_of("*??"), "x")


def test_action_patterns_compile_to_a_case_insensitive_matcher():
    matches = compile_actions(["sqs:Send*", "S3:GetObject"])
    assert matches("sqs:sendmessage") and matches("s3:getobject") and not matches("sqs:receive")


def test_trust_policies_have_no_resource_element():
    trust = policy(
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:user/alice"}, "Action": "sts:AssumeRole"},
        policy_type=PolicyType.TRUST,
    )
    assert trust.statements[0].matches_resource is None
