"""ListPoliciesGrantingServiceAccess's rules (service/domain/access_advisor.py): which policies reach
which service (Allow statements only, wildcards and NotAction as access advisor reads them), and the
request's bounds."""

from __future__ import annotations

import json

import pytest

from iamd.service.domain import access_advisor as advisor
from iamd.service.domain.errors import InvalidInputError, ValidationError

KNOWN = {"s3": "Amazon S3", "iam": "AWS Identity and Access Management", "ec2": "Amazon EC2", "sqs": "Amazon SQS"}


def _doc(effect: str, element: str, actions: str | list[str]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": effect, element: actions, "Resource": "*"}]})


def _source(name: str, document: str) -> advisor.PolicySource:
    return advisor.PolicySource(name, advisor.INLINE, document, entity_type="USER", entity_name="alice")


def test_each_service_lists_the_policies_whose_allow_statements_reach_it() -> None:
    sources = [_source("s3-read", _doc("Allow", "Action", "s3:Get*")),
               _source("deny-all", _doc("Deny", "Action", "*")),
               _source("all-but-iam", _doc("Allow", "NotAction", "iam:*")),
               _source("star", _doc("Allow", "Action", "*")),
               _source("queues", _doc("Allow", "Action", "SQS:SendMessage"))]
    rows = dict((n, [s.name for s in found]) for n, found in advisor.policies_granting(["s3", "iam", "sqs"], sources,
                                                                                          KNOWN))
    assert rows == {"s3": ["s3-read", "all-but-iam", "star"], "iam": ["star"], "sqs": ["all-but-iam", "star", "queues"]}


def test_namespaces_are_kept_in_order_once_lower_cased_and_must_be_aws_services() -> None:
    assert advisor.check_namespaces(["S3", "iam", "s3"], KNOWN) == ["s3", "iam"]
    with pytest.raises(InvalidInputError) as caught:
        advisor.check_namespaces(["s3", "nosuchservice"], KNOWN)
    assert "nosuchservice" in str(caught.value)
    for wrong in ([], ["s3"] * 201, ["s 3"]):
        with pytest.raises(ValidationError):
            advisor.check_namespaces(wrong, KNOWN)


def test_only_a_user_group_or_role_is_asked_about() -> None:
    assert advisor.granting_target_of("arn:aws:iam::123456789012:group/devs").kind == "group"
    with pytest.raises(InvalidInputError):
        advisor.granting_target_of("arn:aws:iam::aws:policy/ReadOnlyAccess")
    with pytest.raises(InvalidInputError):
        advisor.granting_target_of("arn:aws:s3:::a-bucket-name")
