"""STS's parameter limits with AWS's wording (service/domain/sts.py): the one bound a value
breaks, and the root user's sessions cut to an hour rather than refused."""

from __future__ import annotations

import pytest

from iamd.service.domain import sts
from iamd.service.domain.errors import ValidationError


def test_session_names_and_durations_are_refused_in_aws_words() -> None:
    with pytest.raises(ValidationError) as long_name:
        sts.check_session_name("s" * 65)
    assert long_name.value.message == (
        f"1 validation error detected: Value '{'s' * 65}' at 'roleSessionName' failed to satisfy constraint: "
        "Member must have length less than or equal to 64")
    with pytest.raises(ValidationError, match="greater than or equal to 2"):
        sts.check_session_name("s")
    with pytest.raises(ValidationError, match=r"regular expression pattern: \[\\w\+=,\.@-\]\*"):
        sts.check_session_name("no spaces")
    with pytest.raises(ValidationError, match="Member must have value greater than or equal to 900"):
        sts.check_duration(100, role_max=3600, chained=False)
    with pytest.raises(ValidationError, match="Member must have value less than or equal to 43200"):
        sts.check_duration(50000, role_max=43200, chained=False)
    with pytest.raises(ValidationError, match="MaxSessionDuration"):
        sts.check_duration(7200, role_max=3600, chained=False)


def test_the_root_users_session_token_is_cut_to_an_hour() -> None:
    assert sts.check_session_token_duration(0, caller_kind="root") == 3600
    assert sts.check_session_token_duration(7200, caller_kind="root") == 3600
    assert sts.check_session_token_duration(0, caller_kind="user") == 43200
    assert sts.check_session_token_duration(129600, caller_kind="user") == 129600
    with pytest.raises(ValidationError, match="less than or equal to 129600"):
        sts.check_session_token_duration(129601, caller_kind="root")
    assert sts.check_federation_duration(7200, caller_kind="root") == 3600
