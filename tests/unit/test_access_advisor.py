"""Access advisor's pure rules (service/domain/access_advisor.py), the attempts the audit index
keeps (projections/audit_index.py LastAccessed), and ResyncMFADevice's decider."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from iamd.projections.audit_index import LastAccessed
from iamd.service.domain import access_advisor as advisor
from iamd.service.domain import mfa
from iamd.service.domain.errors import InvalidAuthenticationCodeError, InvalidInputError, NoSuchEntityError, \
    ValidationError
from iamd.service.domain.events import MFADeviceEnabled, MFADeviceResynchronized, VirtualMFADeviceCreated

ACCOUNT = "123456789012"
PREFIXES = {"s3": "Amazon S3", "sqs": "Amazon SQS", "sns": "Amazon SNS", "ec2": "Amazon EC2", "iam": "AWS IAM"}


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_targets_and_inputs() -> None:
    assert advisor.target_of(f"arn:aws:iam::{ACCOUNT}:user/team/alice") == advisor.Target(
        ACCOUNT, "user", "alice", f"arn:aws:iam::{ACCOUNT}:user/team/alice")
    assert advisor.target_of("arn:aws:iam::aws:policy/ReadOnlyAccess").kind == "policy"
    with pytest.raises(InvalidInputError):
        advisor.target_of("arn:aws:iam::aws:user/nobody")
    with pytest.raises(InvalidInputError):
        advisor.target_of("arn:aws:s3:::bucket-name-here")
    with pytest.raises(ValidationError):
        advisor.target_of("arn:short")
    assert advisor.granularity_of("") == "SERVICE_LEVEL"
    with pytest.raises(ValidationError):
        advisor.granularity_of("service_level")
    with pytest.raises(ValidationError):
        advisor.check_job_id("abc")
    with pytest.raises(ValidationError):
        advisor.check_namespace("s3 bucket")


def test_principals_a_role_session_counts_for_its_role() -> None:
    assert advisor.principal_key(f"arn:aws:iam::{ACCOUNT}:user/x/Alice") == (ACCOUNT, "user", "alice")
    assert advisor.principal_key(f"arn:aws:sts::{ACCOUNT}:assumed-role/Worker/i-1") == (ACCOUNT, "role", "worker")
    # The root user counts for the Organizations access reports (no entity report names it).
    assert advisor.principal_key(f"arn:aws:iam::{ACCOUNT}:root") == (ACCOUNT, "root", "root")
    assert advisor.principal_key(f"arn:aws:sts::{ACCOUNT}:federated-user/bob") is None
    session = {"type": "AssumedRole", "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/Worker/s",
               "sessionContext": {"sessionIssuer": {"arn": f"arn:aws:iam::{ACCOUNT}:role/ops/Worker"}}}
    assert advisor.caller_key(session) == (ACCOUNT, "role", "worker")
    assert advisor.caller_key({"type": "Unknown"}) is None and advisor.caller_key(None) is None
    assert advisor.region_of("arn:aws:sqs:eu-west-1:1:q") == "eu-west-1"
    assert advisor.region_of("arn:aws:s3:::b/k") == advisor.region_of("*") == "us-east-1"


def test_the_services_listed_are_those_allow_statements_name() -> None:
    documents = [
        policy({"Effect": "Allow", "Action": ["s3:Get*", "SQS:SendMessage"], "Resource": "*"},
               {"Effect": "Deny", "Action": "sns:*", "Resource": "*"},  # a Deny lists nothing
               {"Effect": "Allow", "Action": "nosuch:Thing", "Resource": "*"}),  # not a namespace
        policy({"Effect": "Allow", "Action": "s?s:Publish", "Resource": "*"}),  # matches sns and sqs
    ]
    services = advisor.allowed_services(documents, PREFIXES)
    assert sorted(services) == ["s3", "sns", "sqs"]
    assert advisor.allowed_actions(services["s3"], ["GetObject", "PutObject", "GetBucketPolicy"]) == [
        "GetObject", "GetBucketPolicy"]
    assert advisor.allowed_actions(services["sqs"], ["SendMessage", "Publish", "DeleteQueue"]) == [
        "SendMessage", "Publish"]
    assert sorted(advisor.allowed_services([policy({"Effect": "Allow", "Action": "*", "Resource": "*"})],
                                           PREFIXES)) == sorted(PREFIXES)
    # NotAction allows every service but those it excludes whole.
    not_action = advisor.allowed_services(
        [policy({"Effect": "Allow", "NotAction": ["iam:*", "s3:Delete*"], "Resource": "*"})], PREFIXES)
    assert "iam" not in not_action and "s3" in not_action
    assert advisor.allowed_actions(not_action["s3"], ["GetObject", "DeleteObject"]) == ["GetObject"]
    assert advisor.allowed_services(["not json"], PREFIXES) == {}


def _entity(kind: str, name: str) -> advisor.Entity:
    return advisor.Entity((ACCOUNT, kind, name), kind.upper(), f"arn:aws:iam::{ACCOUNT}:{kind}/{name}", name,
                          f"ID{name.upper():0<14}", "/")


def test_a_report_aggregates_its_entities_within_the_tracking_period() -> None:
    carol, dan, role = _entity("user", "carol"), _entity("user", "dan"), _entity("role", "worker")
    attempts = {
        carol.key: {"s3:getobject": ("2026-12-01T10:00:00Z", "us-east-1", "s3:GetObject")},
        dan.key: {"s3:putobject": ("2026-12-02T10:00:00Z", "eu-west-1", "s3:PutObject"),
                  "sqs:sendmessage": ("2024-01-01T00:00:00Z", "us-east-1", "sqs:SendMessage")},  # too old
    }
    services = advisor.allowed_services([policy({"Effect": "Allow", "Action": ["s3:*", "sqs:*"], "Resource": "*"})],
                                        PREFIXES)
    since = advisor.since(datetime(2026, 12, 5, tzinfo=UTC))
    report = advisor.build_report(services, PREFIXES, [carol, dan, role], lambda key: attempts.get(key, {}), since)
    s3, sqs = report.services["s3"], report.services["sqs"]
    assert (s3.name, s3.usage) == ("Amazon S3", advisor.Usage("2026-12-02T10:00:00Z", dan.arn, "eu-west-1", 2))
    assert sqs.usage == advisor.Usage()
    assert [(e.name, t) for e, t in advisor.entities_for(report, "s3")] == [
        ("dan", "2026-12-02T10:00:00Z"), ("carol", "2026-12-01T10:00:00Z"), ("worker", "")]
    rows = dict(advisor.action_rows(report, "s3", ["GetObject", "PutObject", "ListBucket"]))
    assert rows["GetObject"].entity_arn == carol.arn and rows["PutObject"].entity_arn == dan.arn
    assert rows["ListBucket"] == advisor.Usage()


def test_last_accessed_keeps_the_latest_attempt_of_decisions_and_calls() -> None:
    table = LastAccessed()
    user = f"arn:aws:iam::{ACCOUNT}:user/alice"
    decision = ("Allow", user, "s3:GetObject", "arn:aws:s3:::b/k", [], [], 7)
    table.apply({"eventTime": "2026-12-01T00:00:00Z", "eventName": "Authorize", "service": "AuthorizationService",
                 "userIdentity": {"type": "Root", "arn": f"arn:aws:iam::{ACCOUNT}:root"}, "decision": decision})
    table.apply({"eventTime": "2026-12-02T00:00:00Z", "eventName": "AuthorizeBatch", "service": "AuthorizationService",
                 "userIdentity": None, "decisions": [("ImplicitDeny", user, "s3:GetObject", "*", [], [], 8),
                                                     ("Allow", "", "sqs:SendMessage", "*", [], [], 8)]})
    table.apply({"eventTime": "2026-12-03T00:00:00Z", "eventName": "GetUser", "service": "IdentityService",
                 "userIdentity": {"type": "IAMUser", "arn": user, "userName": "alice"}})
    assert dict(table.attempts((ACCOUNT, "user", "alice"))) == {
        "s3:getobject": ("2026-12-02T00:00:00Z", "us-east-1", "s3:GetObject"),  # a denied attempt counts
        "iam:getuser": ("2026-12-03T00:00:00Z", "us-east-1", "iam:GetUser")}
    assert table.attempts((ACCOUNT, "user", "bob")) == {}


def _enabled_device() -> mfa.MFADeviceState:
    return mfa.fold([VirtualMFADeviceCreated("phone", f"arn:aws:iam::{ACCOUNT}:mfa/phone", "/", "c", "t", {}),
                     MFADeviceEnabled("alice", "AIDA1", "t", 100)])


def test_resync_records_the_drift_and_spends_the_step() -> None:
    state = _enabled_device()
    serial = state.serial_number
    events = mfa.resync(state, user_name="ALICE", serial_number=serial, step=120, current_step=100, now="t2")
    assert events == [MFADeviceResynchronized(120, 20, "t2")]
    after = mfa.fold([VirtualMFADeviceCreated("phone", serial, "/", "c", "t", {}),
                      MFADeviceEnabled("alice", "AIDA1", "t", 100), *events])
    assert (after.drift, after.last_step) == (20, 120)
    with pytest.raises(InvalidAuthenticationCodeError):  # no match within the window
        mfa.resync(state, user_name="alice", serial_number=serial, step=None, current_step=100, now="t2")
    with pytest.raises(InvalidAuthenticationCodeError):  # a spent step
        mfa.resync(after, user_name="alice", serial_number=serial, step=120, current_step=100, now="t3")
    with pytest.raises(NoSuchEntityError):  # not this user's device
        mfa.resync(state, user_name="bob", serial_number=serial, step=120, current_step=100, now="t2")
    # Enabling again starts from iamd's clock.
    again = mfa.fold([VirtualMFADeviceCreated("phone", serial, "/", "c", "t", {}), *events[:0],
                      MFADeviceResynchronized(120, 20, "t2"), MFADeviceEnabled("alice", "AIDA1", "t", 130)])
    assert again.drift == 0
