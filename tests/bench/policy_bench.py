"""Policy engine decision cost: median µs per decision for principals with 1, 10 and 100 policies.

Pure in-process timing of `decide` with prebuilt indexes (what the Authorize hot path does),
plus the cost of building the request (context normalisation) for comparison. Timings are
reported, never asserted.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

from service.policy import AuthorizationRequest, PolicyIndex, PolicyInputs, PolicyType, compile_policy, decide

ACCOUNT = "123456789012"
SERVICES = ("s3", "sqs", "sns", "dynamodb", "kms", "lambda", "ec2", "iam", "secretsmanager", "logs")
CONTEXT = {
    "aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:user/alice",
    "aws:PrincipalAccount": ACCOUNT,
    "aws:PrincipalType": "User",
    "aws:username": "alice",
    "aws:userid": "AIDAALICEXXXXXXXXXXXX",
    "aws:PrincipalTag/team": "red",
    "aws:SecureTransport": "true",
    "aws:SourceIp": "10.1.2.3",
    "aws:RequestedRegion": "us-east-1",
    "aws:CurrentTime": "2024-06-01T12:00:00Z",
    "aws:EpochTime": "1717243200",
}


def _document(i: int) -> str:
    """A realistic managed policy: wildcard reads, a variable-scoped write, a conditional deny."""
    svc = SERVICES[i % len(SERVICES)]
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": f"Read{i}", "Effect": "Allow", "Action": [f"{svc}:Get*", f"{svc}:List*", f"{svc}:Describe*"],
         "Resource": f"arn:aws:{svc}:*:{ACCOUNT}:*"},
        {"Sid": f"Write{i}", "Effect": "Allow", "Action": f"{svc}:Put*",
         "Resource": f"arn:aws:{svc}:us-east-1:{ACCOUNT}:${{aws:username}}/*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red"}, "Bool": {"aws:SecureTransport": "true"}}},
        {"Sid": f"Guard{i}", "Effect": "Deny", "Action": f"{svc}:Delete*", "Resource": "*",
         "Condition": {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}}},
    ]})


def _inputs(n_policies: int) -> PolicyInputs:
    identity = PolicyIndex(
        compile_policy(_document(i), policy_id=f"p{i}", policy_type=PolicyType.IDENTITY, version="v1")
        for i in range(n_policies)
    )
    scp = compile_policy(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}},
    ]}), policy_id="scp", policy_type=PolicyType.SCP)
    return PolicyInputs(identity=identity, scp_levels=(PolicyIndex([scp]),))


def _request() -> AuthorizationRequest:
    return AuthorizationRequest(
        principal=f"arn:aws:iam::{ACCOUNT}:user/alice",
        action="s3:PutObject",
        resource=f"arn:aws:s3:us-east-1:{ACCOUNT}:alice/report.csv",
        resource_account=ACCOUNT,
        context=CONTEXT,
    )


def _median_us(fn: Any, *, loops: int, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(loops):
            fn()
        samples.append((time.perf_counter() - started) / loops * 1e6)
    return round(statistics.median(samples), 2)


def run_policy_bench(*, loops: int = 2000, rounds: int = 15) -> dict[str, Any]:
    """Median µs per decision for principals with 1, 10 and 100 attached policies."""
    request = _request()
    summary: dict[str, Any] = {}
    for n in (1, 10, 100):
        inputs = _inputs(n)
        assert decide(request, inputs).allowed  # the measured path is a full Allow
        summary[f"decide_us_{n}_policies"] = _median_us(lambda: decide(request, inputs), loops=loops, rounds=rounds)
        summary[f"request_and_decide_us_{n}_policies"] = _median_us(
            lambda: decide(_request(), inputs), loops=loops, rounds=rounds
        )
    summary["compile_us_per_policy"] = _median_us(
        lambda: compile_policy(_document(3), policy_id="p", policy_type=PolicyType.IDENTITY), loops=200, rounds=5
    )
    return summary


if __name__ == "__main__":
    print(json.dumps(run_policy_bench(), indent=2))
