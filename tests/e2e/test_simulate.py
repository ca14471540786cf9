"""The simulation RPCs over real gRPC: the whole labelled corpus, and a stored principal."""

from __future__ import annotations

import json
from pathlib import Path

import grpc
import pytest

from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.service.policy.scenario import expected_decision

from .conftest import ACCOUNT, Iamd
from .helpers import allow, deny, error_reason, field_violations

pytestmark = pytest.mark.e2e
CORPUS = Path(__file__).resolve().parents[1] / "scenarios" / "public.jsonl"
DECISION_NAME = {apb.DECISION_ALLOW: "Allow", apb.DECISION_EXPLICIT_DENY: "ExplicitDeny",
                 apb.DECISION_IMPLICIT_DENY: "ImplicitDeny"}


def _context(context: dict) -> dict[str, apb.ContextValue]:
    return {k: apb.ContextValue(values=v, multivalued=True) if isinstance(v, list) else apb.ContextValue(values=[v])
            for k, v in context.items()}


def _custom_request(scenario: dict) -> apb.SimulateCustomPolicyRequest:
    request = scenario["request"]
    dump = json.dumps
    return apb.SimulateCustomPolicyRequest(
        policy_input_list=[dump(p) for p in scenario.get("identityPolicies") or []],
        permissions_boundary_policy_input_list=[dump(p) for p in scenario.get("permissionBoundaries") or []],
        action_names=[request["action"]], resource_arns=[request["resource"]],
        resource_policy=dump(scenario["resourcePolicy"]) if scenario.get("resourcePolicy") else "",
        resource_owner=request.get("resourceAccount") or "",
        caller_arn=request["principal"], context_entries=_context(request.get("context") or {}),
        session_policy=dump(scenario["sessionPolicy"]) if scenario.get("sessionPolicy") is not None else "",
        scp_levels=[apb.PolicyLevel(policies=[dump(p) for p in level]) for level in scenario.get("scps") or []],
        rcp_levels=[apb.PolicyLevel(policies=[dump(p) for p in level]) for level in scenario.get("rcps") or []])


async def test_simulate_custom_policy_gives_the_corpus_decisions(iamd: Iamd) -> None:
    wrong = []
    scenarios = [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]
    for scenario in scenarios:
        response = await iamd.authz.SimulateCustomPolicy(_custom_request(scenario))
        [result] = response.evaluation_results
        if DECISION_NAME[result.eval_decision] != expected_decision(scenario):
            wrong.append(scenario["id"])
    assert len(scenarios) > 1500 and not wrong, wrong[:20]


async def test_simulate_principal_policy_uses_the_stored_policies(iamd: Iamd) -> None:
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="sim"))
    put = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="sim"), policy_name="p",
        policy_document=allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")))
    response = await iamd.authz.SimulatePrincipalPolicy(apb.SimulatePrincipalPolicyRequest(
        policy_source_arn=f"arn:aws:iam::{ACCOUNT}:user/sim", min_position=put.position,
        action_names=["s3:GetObject", "s3:DeleteObject"],
        resource_arns=["arn:aws:s3:::home/sim/a", "arn:aws:s3:::home/other/a"],
        policy_input_list=[deny("s3:DeleteObject")]))
    decisions = {(r.eval_action_name, r.eval_resource_name): r.eval_decision for r in response.evaluation_results}
    assert decisions == {
        ("s3:GetObject", "arn:aws:s3:::home/sim/a"): apb.DECISION_ALLOW,
        ("s3:GetObject", "arn:aws:s3:::home/other/a"): apb.DECISION_IMPLICIT_DENY,
        ("s3:DeleteObject", "arn:aws:s3:::home/sim/a"): apb.DECISION_EXPLICIT_DENY,
        ("s3:DeleteObject", "arn:aws:s3:::home/other/a"): apb.DECISION_EXPLICIT_DENY,
    }
    allowed = response.evaluation_results[0]
    assert allowed.matched_statements[0].policy_id.endswith("user/sim#p")

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await iamd.authz.SimulatePrincipalPolicy(apb.SimulatePrincipalPolicyRequest(
            policy_source_arn=f"arn:aws:iam::{ACCOUNT}:user/nobody", action_names=["s3:GetObject"]))
    assert error_reason(caught.value) == "NoSuchEntity"


async def test_simulate_reports_every_problem_of_every_document(iamd: Iamd) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await iamd.authz.SimulateCustomPolicy(apb.SimulateCustomPolicyRequest(
            policy_input_list=[allow("s3:GetObject"), '{"Version": "2012-10-17", "Statement": [{"Effect": "No"}]}'],
            action_names=["s3:GetObject"]))
    assert error_reason(caught.value) == "MalformedPolicyDocument"
    assert all(f.startswith("policyInputList.2") for f in field_violations(caught.value))
