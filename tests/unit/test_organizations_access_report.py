"""Access advisor for Organizations entities (service/domain/access_advisor.py): EntityPath and
policy id bounds, the services every SCP level allows, the accounts' latest attempts, AWS's sort keys."""

from __future__ import annotations

import json

import pytest

from iamd.service.domain import access_advisor as a
from iamd.service.domain.errors import ValidationError

PREFIXES = {"s3": "Amazon S3", "sqs": "Amazon SQS", "ec2": "Amazon EC2", "iam": "AWS IAM"}


def _allow(*actions: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions),
                                                               "Resource": "*"}]})


def test_entity_paths_and_policy_ids_as_the_model_bounds_them() -> None:
    assert a.entity_path_of("o-abcdefghij/r-abcd/ou-abcd-12345678/123456789012") == [
        "o-abcdefghij", "r-abcd", "ou-abcd-12345678", "123456789012"]
    for bad in ("o-abc/r-abcd", "r-abcd/o-abcdefghij", "o-abcdefghij/r-ABCD", "x" * 428):
        with pytest.raises(ValidationError) as caught:
            a.entity_path_of(bad)
        assert caught.value.problems[0].field == "entityPath"
    assert a.check_organizations_policy_id("") == "" and a.check_organizations_policy_id("p-12345678")
    with pytest.raises(ValidationError):
        a.check_organizations_policy_id("p-123")
    assert a.sort_key_of("") == "SERVICE_NAMESPACE_ASCENDING"
    with pytest.raises(ValidationError):
        a.sort_key_of("BY_NAME")


def test_every_level_must_allow_a_service() -> None:
    everything = _allow("*")
    assert a.services_allowed_by_levels([[everything], [_allow("s3:*", "sqs:Send*")], [everything]], PREFIXES) == [
        "s3", "sqs"]
    assert a.services_allowed_by_levels([[everything], [_allow("s3:*")], [_allow("sqs:*")]], PREFIXES) == []
    assert a.services_allowed_by_levels([[everything], []], PREFIXES) == []  # a level without an SCP: nothing
    assert a.services_allowed_by_levels([[_allow("s3:*"), _allow("ec2:*")]], PREFIXES) == ["ec2", "s3"]


def test_the_latest_attempt_per_service_among_the_accounts() -> None:
    attempts = {("111111111111", "role", "admin"): {"s3:getobject": ("2026-01-02T00:00:00", "eu-west-1", "GetObject"),
                                                   "ec2:runinstances": ("2020-01-01T00:00:00", "us-east-1", "x")},
                ("222222222222", "user", "bob"): {"s3:putobject": ("2026-01-01T00:00:00", "us-east-1", "PutObject")}}
    accounts = [("o-x/r-a/111111111111", [("111111111111", "role", "admin")]),
                ("o-x/r-a/ou-a-1/222222222222", [("222222222222", "user", "bob"), ("222222222222", "role", "idle")])]
    rows = a.organizations_report(["ec2", "s3", "sqs"], PREFIXES, accounts, lambda key: attempts.get(key, {}),
                                  "2025-01-01T00:00:00")
    assert rows == [a.AccessDetail("ec2", "Amazon EC2"),  # tried before the tracking period only
                    a.AccessDetail("s3", "Amazon S3", "2026-01-02T00:00:00", "eu-west-1", "o-x/r-a/111111111111", 2),
                    a.AccessDetail("sqs", "Amazon SQS")]
    by_time = a.sort_details(rows, "LAST_AUTHENTICATED_TIME_DESCENDING")
    assert [r.namespace for r in by_time] == ["s3", "sqs", "ec2"]
    assert [r.namespace for r in a.sort_details(rows, "LAST_AUTHENTICATED_TIME_ASCENDING")] == ["ec2", "sqs", "s3"]
    assert [r.namespace for r in a.sort_details(rows, "SERVICE_NAMESPACE_DESCENDING")] == ["sqs", "s3", "ec2"]
