"""The labelled scenario corpus (tests/scenarios/public.jsonl, see shared/iam-scenarios/FORMAT.md).

Each scenario is converted to engine inputs and decided; the decision must equal `expected`,
except where the hand check found the AWS documentation disagreeing with the reference
implementation (`docCheck.status == "disagrees"`): there the documented decision is the truth,
as iam-scenarios/score.py scores it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamd.service.policy import decide
from iamd.service.policy.scenario import expected_decision, scenario_to_inputs

CORPUS = Path(__file__).resolve().parents[1] / "scenarios" / "public.jsonl"
SCENARIOS = [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]


def test_corpus_is_present():
    assert len(SCENARIOS) >= 1500


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["id"] for s in SCENARIOS])
def test_scenario(scenario):
    request, inputs = scenario_to_inputs(scenario)
    decision = decide(request, inputs)
    assert decision.decision.value == expected_decision(scenario), scenario.get("why", "")
