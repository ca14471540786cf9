"""Condition operators, one table per family (given a condition and a context, then it holds or not)."""

from __future__ import annotations

import pytest

from iamd.service.policy import PolicyInputs, decide
from iamd.service.policy.conditions import OPERATORS, UnknownOperatorError, compile_condition, parse_operator

from .helpers import allow, condition_holds, index, policy, request

# (operator, key, policy values, request context, expected)
STRING = [
    ("StringEquals", "aws:username", "alice", {"aws:username": "alice"}, True),
    ("StringEquals", "aws:username", "Alice", {"aws:username": "alice"}, False),  # case-sensitive
    ("StringEquals", "aws:username", ["bob", "alice"], {"aws:username": "alice"}, True),  # OR
    ("StringEquals", "aws:username", "a*", {"aws:username": "alice"}, False),  # * is literal
    ("StringEquals", "aws:username", "a*", {"aws:username": "a*"}, True),
    ("StringEquals", "aws:username", "alice", {}, False),  # missing key
    ("StringNotEquals", "aws:username", "alice", {"aws:username": "bob"}, True),
    ("StringNotEquals", "aws:username", ["bob", "alice"], {"aws:username": "alice"}, False),  # AND
    ("StringNotEquals", "aws:username", "alice", {}, True),  # negated: missing key holds
    ("StringEqualsIgnoreCase", "aws:username", "ALICE", {"aws:username": "alice"}, True),
    ("StringEqualsIgnoreCase", "aws:username", "al*", {"aws:username": "alice"}, False),
    ("StringNotEqualsIgnoreCase", "aws:username", "ALICE", {"aws:username": "alice"}, False),
    ("StringNotEqualsIgnoreCase", "aws:username", "BOB", {"aws:username": "alice"}, True),
    ("StringLike", "s3:prefix", "home/*", {"s3:prefix": "home/alice/x"}, True),
    ("StringLike", "s3:prefix", "home/?", {"s3:prefix": "home/ab"}, False),
    ("StringLike", "s3:prefix", "home/??", {"s3:prefix": "home/ab"}, True),
    ("StringLike", "s3:prefix", "HOME/*", {"s3:prefix": "home/x"}, False),  # case-sensitive
    ("StringLike", "s3:prefix", "a[b]c.*", {"s3:prefix": "a[b]c.txt"}, True),  # no char classes
    ("StringLike", "s3:prefix", "a[b]c", {"s3:prefix": "abc"}, False),
    ("StringLike", "s3:prefix", "*", {"s3:prefix": ""}, True),
    ("StringNotLike", "s3:prefix", ["home/*", "tmp/*"], {"s3:prefix": "etc/x"}, True),
    ("StringNotLike", "s3:prefix", ["home/*", "tmp/*"], {"s3:prefix": "tmp/x"}, False),
    ("StringLikeIfExists", "s3:prefix", "home/*", {}, True),
    ("StringEqualsIfExists", "aws:username", "alice", {"aws:username": "bob"}, False),
]

NUMERIC = [
    ("NumericEquals", "s3:max-keys", "10", {"s3:max-keys": "10"}, True),
    ("NumericEquals", "s3:max-keys", "10", {"s3:max-keys": "10.0"}, True),
    ("NumericEquals", "s3:max-keys", 10, {"s3:max-keys": "10"}, True),  # JSON number
    ("NumericNotEquals", "s3:max-keys", "10", {"s3:max-keys": "11"}, True),
    ("NumericNotEquals", "s3:max-keys", ["10", "11"], {"s3:max-keys": "11"}, False),
    ("NumericLessThan", "aws:MultiFactorAuthAge", "3600", {"aws:MultiFactorAuthAge": "3599"}, True),
    ("NumericLessThan", "aws:MultiFactorAuthAge", "3600", {"aws:MultiFactorAuthAge": "3600"}, False),
    ("NumericLessThanEquals", "aws:MultiFactorAuthAge", "3600", {"aws:MultiFactorAuthAge": "3600"}, True),
    ("NumericGreaterThan", "aws:MultiFactorAuthAge", "1.5", {"aws:MultiFactorAuthAge": "2"}, True),
    ("NumericGreaterThanEquals", "aws:MultiFactorAuthAge", "2", {"aws:MultiFactorAuthAge": "1.99"}, False),
    ("NumericLessThan", "aws:MultiFactorAuthAge", "10", {"aws:MultiFactorAuthAge": "abc"}, False),
    ("NumericNotEquals", "aws:MultiFactorAuthAge", "10", {"aws:MultiFactorAuthAge": "abc"}, False),
    ("NumericLessThan", "aws:MultiFactorAuthAge", "10", {}, False),
    ("NumericLessThanIfExists", "aws:MultiFactorAuthAge", "10", {}, True),
]

DATE = [
    ("DateEquals", "aws:CurrentTime", "2024-06-01T12:00:00Z", {"aws:CurrentTime": "2024-06-01T12:00:00Z"}, True),
    ("DateEquals", "aws:CurrentTime", "2024-06-01T14:00:00+02:00", {"aws:CurrentTime": "2024-06-01T12:00:00Z"}, True),
    ("DateNotEquals", "aws:CurrentTime", "2024-06-01T12:00:00Z", {"aws:CurrentTime": "2024-06-01T12:00:01Z"}, True),
    ("DateLessThan", "aws:CurrentTime", "2024-06-02", {"aws:CurrentTime": "2024-06-01T23:59:59Z"}, True),
    ("DateLessThan", "aws:CurrentTime", "2024-06-01T12:00:00Z", {"aws:CurrentTime": "2024-06-01T12:00:00Z"}, False),
    ("DateLessThanEquals", "aws:CurrentTime", "2024-06-01T12:00:00Z", {"aws:CurrentTime": "2024-06-01T12:00:00Z"}, True),
    ("DateGreaterThan", "aws:CurrentTime", "2024-01", {"aws:CurrentTime": "2024-06-01T12:00:00Z"}, True),
    ("DateGreaterThanEquals", "aws:CurrentTime", "2025-01-01T00:00:00Z", {"aws:CurrentTime": "2024-06-01T12:00:00Z"}, False),
    # Epoch seconds on either side compare with ISO 8601 dates as instants.
    ("DateGreaterThan", "aws:EpochTime", "2020-01-01T00:00:00Z", {"aws:EpochTime": "1717243200"}, True),
    ("DateEquals", "aws:CurrentTime", "1717243200", {"aws:CurrentTime": "2024-06-01T12:00:00Z"}, True),
    ("DateLessThan", "aws:EpochTime", "1700000000", {"aws:EpochTime": "1699999999"}, True),
    ("DateLessThan", "aws:CurrentTime", "2024-06-02", {"aws:CurrentTime": "not a date"}, False),
    ("DateLessThan", "aws:TokenIssueTime", "2024-06-02", {}, False),
    ("DateLessThanIfExists", "aws:TokenIssueTime", "2024-06-02", {}, True),
]

BOOL = [
    ("Bool", "aws:SecureTransport", "true", {"aws:SecureTransport": "true"}, True),
    ("Bool", "aws:SecureTransport", "TRUE", {"aws:SecureTransport": "true"}, True),
    ("Bool", "aws:SecureTransport", True, {"aws:SecureTransport": "true"}, True),  # JSON boolean
    ("Bool", "aws:SecureTransport", "false", {"aws:SecureTransport": "true"}, False),
    ("Bool", "aws:SecureTransport", "true", {"aws:SecureTransport": "yes"}, False),
    ("Bool", "aws:MultiFactorAuthPresent", "true", {}, False),
    ("BoolIfExists", "aws:MultiFactorAuthPresent", "false", {}, True),
    ("BoolIfExists", "aws:MultiFactorAuthPresent", "false", {"aws:MultiFactorAuthPresent": "true"}, False),
]

BINARY = [
    ("BinaryEquals", "aws:UserAgent", "QmluYXJ5", {"aws:UserAgent": "QmluYXJ5"}, True),
    ("BinaryEquals", "aws:UserAgent", "T3RoZXI=", {"aws:UserAgent": "QmluYXJ5"}, False),
    ("BinaryEqualsIfExists", "aws:UserAgent", "T3RoZXI=", {}, True),
]

IP = [
    ("IpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "203.0.113.7"}, True),
    ("IpAddress", "aws:SourceIp", "203.0.113.0/24", {"aws:SourceIp": "198.51.100.7"}, False),
    ("IpAddress", "aws:SourceIp", "203.0.113.7", {"aws:SourceIp": "203.0.113.7"}, True),
    ("IpAddress", "aws:SourceIp", "203.0.113.9/24", {"aws:SourceIp": "203.0.113.7"}, True),  # host bits
    ("IpAddress", "aws:SourceIp", "2001:db8:1234::/48", {"aws:SourceIp": "2001:db8:1234::17"}, True),
    ("IpAddress", "aws:SourceIp", "2001:db8:1234::/48", {"aws:SourceIp": "2001:db8:9999::17"}, False),
    ("IpAddress", "aws:SourceIp", "10.0.0.0/8", {"aws:SourceIp": "2001:db8::1"}, False),  # family
    ("NotIpAddress", "aws:SourceIp", ["192.0.2.0/24", "203.0.113.0/24"], {"aws:SourceIp": "198.51.100.7"}, True),
    ("NotIpAddress", "aws:SourceIp", ["192.0.2.0/24", "203.0.113.0/24"], {"aws:SourceIp": "192.0.2.1"}, False),
    ("NotIpAddress", "aws:SourceIp", "10.0.0.0/8", {"aws:SourceIp": "2001:db8::1"}, True),
    ("NotIpAddress", "aws:SourceIp", "10.0.0.0/8", {"aws:SourceIp": "not-an-ip"}, False),
    ("IpAddress", "aws:SourceIp", "10.0.0.0/8", {}, False),
    ("NotIpAddress", "aws:SourceIp", "10.0.0.0/8", {}, True),
]

ARN = [
    ("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/Admin*", {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/AdminX"}, True),
    ("ArnLike", "aws:PrincipalArn", "arn:aws:iam::111111111111:role/*", {"aws:PrincipalArn": "arn:aws:iam::111111111111:user/x"}, False),
    ("ArnEquals", "aws:PrincipalArn", "arn:aws:iam::111111111111:role/*", {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/a/b"}, True),
    ("ArnLike", "aws:PrincipalArn", "arn:aws:iam::111111111111:USER/ENG/CAROL", {"aws:PrincipalArn": "arn:aws:iam::111111111111:user/eng/carol"}, False),
    # A wildcard in the account part stays within the part.
    ("ArnLike", "aws:SourceArn", "arn:aws:sns:*:1111*:topic", {"aws:SourceArn": "arn:aws:sns:us-east-1:111111111111:topic"}, True),
    ("ArnLike", "aws:SourceArn", "arn:aws:sns:us-east-1:*:topic", {"aws:SourceArn": "arn:aws:sns:us-east-1:1111:x:topic"}, False),
    ("ArnLike", "aws:SourceArn", "arn:aws:sns:*:111111111111:*", {"aws:SourceArn": "arn:aws:sns:us-east-1:111111111111:a:b"}, True),
    ("ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::*:role/Admin*", {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/Dev"}, True),
    ("ArnNotEquals", "aws:PrincipalArn", "arn:aws:iam::111111111111:role/Dev", {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/Dev"}, False),
    ("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/*", {"aws:PrincipalArn": "not-an-arn"}, False),
    ("ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::*:role/*", {"aws:PrincipalArn": "not-an-arn"}, False),
    ("ArnLike", "aws:PrincipalArn", "arn:aws:iam::111111111111:user/${aws:username}", {"aws:PrincipalArn": "arn:aws:iam::111111111111:user/alice", "aws:username": "alice"}, True),
    ("ArnLikeIfExists", "aws:SourceArn", "arn:aws:sns:*:*:*", {}, True),
    ("ArnNotLike", "aws:SourceArn", "arn:aws:sns:*:*:*", {}, True),
]

NULL = [
    ("Null", "aws:TokenIssueTime", "true", {}, True),
    ("Null", "aws:TokenIssueTime", "true", {"aws:TokenIssueTime": "2024-06-01T11:00:00Z"}, False),
    ("Null", "aws:TokenIssueTime", "false", {"aws:TokenIssueTime": "2024-06-01T11:00:00Z"}, True),
    ("Null", "aws:TokenIssueTime", "false", {}, False),
    ("Null", "aws:TagKeys", "false", {"aws:TagKeys": []}, True),  # present, no values
    ("Null", "aws:TokenIssueTime", True, {}, True),
]

SETS = [
    ("ForAllValues:StringEquals", "aws:TagKeys", ["team", "env", "cost"], {"aws:TagKeys": ["team", "env"]}, True),
    ("ForAllValues:StringEquals", "aws:TagKeys", ["team", "env"], {"aws:TagKeys": ["team", "owner"]}, False),
    ("ForAllValues:StringEquals", "aws:TagKeys", ["team"], {"aws:TagKeys": []}, True),  # empty set
    ("ForAllValues:StringEquals", "aws:TagKeys", ["team"], {}, True),  # missing key
    ("ForAllValues:StringEquals", "aws:PrincipalOrgID", ["o-1", "o-2"], {"aws:PrincipalOrgID": "o-1"}, True),
    ("ForAllValues:StringEquals", "aws:PrincipalOrgID", ["o-1", "o-2"], {"aws:PrincipalOrgID": "o-3"}, False),
    ("ForAnyValue:StringEquals", "aws:TagKeys", ["env", "team"], {"aws:TagKeys": ["owner", "env"]}, True),
    ("ForAnyValue:StringEquals", "aws:TagKeys", ["env", "team"], {"aws:TagKeys": ["owner"]}, False),
    ("ForAnyValue:StringEquals", "aws:TagKeys", ["env"], {"aws:TagKeys": []}, False),
    ("ForAnyValue:StringEquals", "aws:TagKeys", ["env"], {}, False),
    ("ForAnyValue:StringEqualsIfExists", "aws:TagKeys", ["env"], {}, True),
    ("ForAnyValue:StringNotEquals", "aws:TagKeys", ["team", "env"], {"aws:TagKeys": ["team", "secret"]}, True),
    ("ForAnyValue:StringNotEquals", "aws:TagKeys", ["team", "env"], {"aws:TagKeys": ["team", "env"]}, False),
    ("ForAllValues:StringNotEquals", "aws:TagKeys", ["secret"], {"aws:TagKeys": ["team", "env"]}, True),
    ("ForAllValues:StringNotEquals", "aws:TagKeys", ["secret"], {"aws:TagKeys": ["team", "secret"]}, False),
    ("ForAllValues:StringLike", "aws:TagKeys", "Created*", {"aws:TagKeys": ["CreatedBy", "CreatedAt"]}, True),
    ("ForAnyValue:StringLike", "aws:CalledVia", "*.amazonaws.com", {"aws:CalledVia": ["athena.amazonaws.com"]}, True),
    ("ForAllValues:StringEquals", "dynamodb:LeadingKeys", "${aws:username}", {"dynamodb:LeadingKeys": ["alice"], "aws:username": "alice"}, True),
    ("ForAnyValue:IpAddress", "aws:SourceIp", "10.0.0.0/8", {"aws:SourceIp": "10.1.2.3"}, True),
]

VARIABLES = [
    ("StringEquals", "aws:PrincipalTag/team", "${aws:username}", {"aws:PrincipalTag/team": "alice", "aws:username": "alice"}, True),
    ("StringLike", "s3:prefix", "${aws:username}/*", {"s3:prefix": "alice/docs", "aws:username": "alice"}, True),
    ("StringLike", "s3:prefix", "${aws:username}/*", {"s3:prefix": "bob/docs", "aws:username": "alice"}, False),
    # A variable whose key is absent: that value matches nothing; others still count.
    ("StringEquals", "aws:SourceAccount", ["${aws:PrincipalTag/env}", "bob"], {"aws:SourceAccount": "bob"}, True),
    ("StringEquals", "aws:SourceAccount", ["${aws:PrincipalTag/env}"], {"aws:SourceAccount": "bob"}, False),
    # ...so a negated operator with such a value holds, as for any value that does not match
    # (IAM User Guide, "Condition operators": a negated operator whose key is not matched is
    # true), unless another of its values matches.
    ("StringNotEquals", "aws:PrincipalType", "${aws:username}", {"aws:PrincipalType": "AssumedRole"}, True),
    ("StringNotEquals", "aws:PrincipalType", ["${aws:username}", "AssumedRole"], {"aws:PrincipalType": "AssumedRole"}, False),
    ("StringNotLike", "s3:prefix", "${aws:username}/*", {"s3:prefix": "alice/docs"}, True),
    ("ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::${aws:PrincipalTag/acct}:role/*", {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/r"}, True),
    # A variable may fill any part of an ARN in a condition, the colons of its key included.
    ("ArnLike", "aws:PrincipalArn", "arn:aws:iam::${aws:PrincipalAccount}:user/*", {"aws:PrincipalArn": "arn:aws:iam::111111111111:user/alice", "aws:PrincipalAccount": "111111111111"}, True),
    ("ArnLike", "aws:PrincipalArn", "arn:aws:iam::${aws:PrincipalAccount}:user/*", {"aws:PrincipalArn": "arn:aws:iam::222222222222:user/alice", "aws:PrincipalAccount": "111111111111"}, False),
    ("ArnNotEquals", "aws:SourceArn", "arn:aws:sns:${aws:RequestedRegion}:${aws:PrincipalAccount}:topic", {"aws:SourceArn": "arn:aws:sns:eu-west-1:111111111111:topic", "aws:RequestedRegion": "eu-west-1", "aws:PrincipalAccount": "111111111111"}, False),
    ("StringEquals", "aws:PrincipalType", "${aws:username, 'User'}", {"aws:PrincipalType": "User"}, True),
    ("StringEquals", "aws:PrincipalType", "${aws:username, 'User'}", {"aws:PrincipalType": "User", "aws:username": "x"}, False),
    # A multivalued key cannot be substituted; the default is used.
    ("StringEquals", "aws:username", "${aws:TagKeys, 'alice'}", {"aws:username": "alice", "aws:TagKeys": ["a"]}, True),
    ("StringEquals", "aws:username", "a${*}b${?}c${$}", {"aws:username": "a*b?c$"}, True),
    ("StringLike", "aws:username", "a${*}", {"aws:username": "abc"}, False),  # escaped: literal *
    ("StringLike", "aws:username", "a${*}", {"aws:username": "a*"}, True),
]

CASE_OF_KEYS = [
    ("StringEquals", "AWS:PrincipalTag/team", "red", {"aws:PrincipalTag/team": "red"}, True),
    ("StringEquals", "aws:principaltag/TEAM", "red", {"aws:PrincipalTag/team": "red"}, True),
    ("stringequals", "aws:username", "alice", {"aws:username": "alice"}, True),  # operator names
]

MULTIVALUED_WITHOUT_QUALIFIER = [
    # AWS: multivalued context keys require a set qualifier; without one nothing holds.
    ("StringEquals", "aws:TagKeys", "env", {"aws:TagKeys": ["team", "env"]}, False),
    ("StringNotEquals", "aws:TagKeys", "env", {"aws:TagKeys": ["team"]}, False),
    ("StringEqualsIfExists", "aws:TagKeys", "env", {"aws:TagKeys": ["env"]}, False),
    ("StringEquals", "aws:TagKeys", "env", {"aws:TagKeys": ["env"]}, False),
]

TABLES = {
    "String": STRING,
    "Numeric": NUMERIC,
    "Date": DATE,
    "Bool": BOOL,
    "Binary": BINARY,
    "IpAddress": IP,
    "Arn": ARN,
    "Null": NULL,
    "sets": SETS,
    "variables": VARIABLES,
    "key case": CASE_OF_KEYS,
    "multivalued": MULTIVALUED_WITHOUT_QUALIFIER,
}
ALL_ROWS = [(family, *row) for family, rows in TABLES.items() for row in rows]


@pytest.mark.parametrize(
    ("family", "operator", "key", "values", "context", "expected"),
    ALL_ROWS,
    ids=[f"{r[0]}-{r[1]}-{i}" for i, r in enumerate(ALL_ROWS)],
)
def test_condition_table(family, operator, key, values, context, expected):
    assert condition_holds(operator, key, values, context) is expected


def test_every_registered_operator_has_a_table_row():
    tested = {parse_operator(row[1]).operator.name for row in ALL_ROWS}
    assert set(op.name for op in OPERATORS.values()) <= tested


def test_registry_is_keyed_by_lower_case_name():
    assert all(name == op.name.lower() for name, op in OPERATORS.items())


def test_if_exists_and_set_qualifiers_are_parsed_once():
    parsed = parse_operator("ForAnyValue:StringNotLikeIfExists")
    assert (parsed.operator.name, parsed.set_qualifier, parsed.if_exists) == (
        "StringNotLike",
        "ForAnyValue",
        True,
    )


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("StringLikee", "did you mean `StringLike`?"),
        ("StringEqual", "did you mean `StringEquals`?"),
        ("ForAllValue:StringEquals", "did you mean `ForAllValues:StringEquals`?"),
        ("NullIfExists", "did you mean `Null`?"),
    ],
)
def test_unknown_operators_are_errors_with_a_hint(name, hint):
    with pytest.raises(UnknownOperatorError) as err:
        parse_operator(name)
    assert err.value.hint == hint


def test_2008_version_treats_variables_as_text():
    context = {"aws:username": "alice"}
    assert condition_holds("StringEquals", "aws:username", "${aws:username}", context, version="2008-10-17") is False
    assert condition_holds("StringEquals", "aws:username", "${aws:username}", {"aws:username": "${aws:username}"}, version="2008-10-17")
    assert condition_holds("StringEquals", "aws:username", "${aws:username}", context, version=None) is False


def test_missing_keys_are_reported_to_the_caller():
    holds = compile_condition("StringEqualsIfExists", "aws:PrincipalTag/team", ("red",), variables=True)
    missing: list[str] = []
    assert holds({}, missing) is True
    assert missing == ["aws:principaltag/team"]


def _statement_applies(condition, context) -> bool:
    ident = index(policy(allow(Condition=condition)))
    return decide(request(context=context), PolicyInputs(identity=ident)).allowed


def test_several_keys_and_several_operators_are_anded():
    condition = {
        "StringEquals": {"aws:username": "alice", "aws:PrincipalTag/team": ["red", "blue"]},
        "Bool": {"aws:SecureTransport": "true"},
    }
    good = {"aws:username": "alice", "aws:PrincipalTag/team": "blue", "aws:SecureTransport": "true"}
    assert _statement_applies(condition, good)
    assert not _statement_applies(condition, good | {"aws:PrincipalTag/team": "green"})
    assert not _statement_applies(condition, good | {"aws:SecureTransport": "false"})
    assert not _statement_applies(condition, {k: v for k, v in good.items() if k != "aws:username"})
