"""service/policy/references.py: the condition keys a policy tests, and where its statements are."""

from __future__ import annotations

import json

from iamd.service.policy.references import condition_keys, statement_spans, unique_keys

CLI_EXAMPLE = ('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",'
               '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}')


def test_condition_keys_in_document_order_each_once_whatever_the_case() -> None:
    document = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/*",
         "Condition": {"StringEquals": {"s3:prefix": "x", "aws:PrincipalTag/team": "a"},
                       "ForAnyValue:StringLike": {"aws:TagKeys": ["t*"]}}},
        {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"AWS:SecureTransport": "false"},
                                                                        "Null": {"S3:Prefix": "true"}}}]})
    assert condition_keys(document) == ["s3:prefix", "aws:PrincipalTag/team", "aws:TagKeys", "AWS:SecureTransport"]
    assert condition_keys(CLI_EXAMPLE) == ["aws:CurrentTime"]
    assert condition_keys("not json") == []
    assert unique_keys(["a:B", "A:b", "c:d"]) == ["a:B", "c:d"]


def test_statement_spans_start_at_the_brace_and_end_past_it() -> None:
    assert statement_spans(CLI_EXAMPLE) == [((1, 36), (1, 166))]  # AWS's example: 1:38 to 1:167
    text = '{\n  "Statement": [\n    {"Effect": "Allow"},\n    {"Effect": "Deny"}\n  ]\n}'
    assert statement_spans(text) == [((3, 4), (3, 23)), ((4, 4), (4, 22))]
    assert statement_spans("{") == [] and statement_spans('{"Version": "2012-10-17"}') == []
