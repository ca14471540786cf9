"""IAM's SetSecurityTokenServicePreferences (service/domain/sts_preferences.py): given events, when
the command, then events or an error; and GetAccountSummary's GlobalEndpointTokenVersion."""

from __future__ import annotations

import pytest

from iamd.service.domain import reports
from iamd.service.domain import sts_preferences as p
from iamd.service.domain.errors import ValidationError
from iamd.service.domain.events import SecurityTokenServicePreferencesSet

NOW = "2026-01-01T00:00:00Z"


def test_a_version_is_recorded_once_and_folds() -> None:
    state = p.fold([])
    assert state.global_endpoint_token_version == p.V1_TOKEN  # AWS's default
    assert p.set_version(state, p.V1_TOKEN, NOW) == []
    events = p.set_version(state, p.V2_TOKEN, NOW)
    assert events == [SecurityTokenServicePreferencesSet(p.V2_TOKEN, NOW)]
    assert p.fold(events).global_endpoint_token_version == p.V2_TOKEN


@pytest.mark.parametrize("version", ["", "v3Token", "V2TOKEN", "v2token"])
def test_other_versions_are_refused_naming_the_field(version: str) -> None:
    with pytest.raises(ValidationError) as caught:
        p.set_version(p.fold([]), version, NOW)
    assert caught.value.problems[0].field == "globalEndpointTokenVersion"


def test_the_summary_reports_1_or_2() -> None:
    assert (p.summary_version(None), p.summary_version(p.V1_TOKEN), p.summary_version(p.V2_TOKEN)) == (1, 1, 2)
    summary = reports.account_summary(reports.AccountCounts(global_endpoint_token_version=2))
    assert summary["GlobalEndpointTokenVersion"] == 2
