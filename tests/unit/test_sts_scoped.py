"""GetScopedCredentials' rules (service/domain/sts.py): temporary credentials only, Policy or
DurationSeconds and their bounds, the scoped session's expiry never past the caller's, at most three
scope-down policies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from iamd.service.domain import sts
from iamd.service.domain.errors import (
    AccessDeniedError,
    InsufficientSessionLifetimeError,
    InvalidSubjectCredentialsError,
    ValidationError,
)

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
ARN = "arn:aws:sts::123456789012:assumed-role/worker/job"


def test_only_temporary_credentials_can_be_scoped_down() -> None:
    with pytest.raises(InvalidSubjectCredentialsError, match="GetSessionToken first"):
        sts.check_subject_session(None)
    session = {"access_key_id": "ASIAEXAMPLE"}
    assert sts.check_subject_session(session) is session
    assert InvalidSubjectCredentialsError.code == "InvalidSubjectCredentials"


def test_policy_or_duration_within_the_models_bounds() -> None:
    with pytest.raises(ValidationError, match="at least one of Policy or DurationSeconds"):
        sts.check_scoped_request("", 0, "")
    sts.check_scoped_request("{}", 0, "")
    sts.check_scoped_request("", 1, "")
    sts.check_scoped_request("", 129600, "ci job")
    with pytest.raises(ValidationError, match="Member must have value less than or equal to 129600"):
        sts.check_scoped_request("", 129601, "")
    with pytest.raises(ValidationError, match="Member must have value greater than or equal to 1"):
        sts.check_scoped_request("", -5, "")
    with pytest.raises(ValidationError, match="greater than or equal to 2"):
        sts.check_scoped_request("", 60, "x")
    with pytest.raises(ValidationError, match="less than or equal to 256"):
        sts.check_scoped_request("", 60, "x" * 257)
    with pytest.raises(ValidationError, match="regular expression pattern"):
        sts.check_scoped_request("", 60, "emoji \u2603")
    sts.check_scoped_request("", 60, "caf\u00e9 report\tnightly")


def test_the_scoped_expiry_is_the_callers_or_sooner() -> None:
    caller_expires = NOW + timedelta(seconds=3600)
    assert sts.scoped_expiry(NOW, caller_expires, 0) == caller_expires
    assert sts.scoped_expiry(NOW, caller_expires, 900) == NOW + timedelta(seconds=900)
    assert sts.scoped_expiry(NOW, caller_expires, 3600) == caller_expires
    with pytest.raises(InsufficientSessionLifetimeError) as longer:
        sts.scoped_expiry(NOW, caller_expires, 3601)
    assert "remaining lifetime of the calling session (3600 seconds)" in longer.value.message
    assert InsufficientSessionLifetimeError.code == "InsufficientSessionLifetime"


def test_at_most_three_scope_down_policies() -> None:
    assert sts.scoped_policies_count(0, False, ARN) == 0
    assert sts.scoped_policies_count(0, True, ARN) == 1
    assert sts.scoped_policies_count(2, True, ARN) == 3
    assert sts.scoped_policies_count(3, False, ARN) == 3  # shortening a session adds no layer
    with pytest.raises(AccessDeniedError, match="already has 3 scope down policies"):
        sts.scoped_policies_count(3, True, ARN)
