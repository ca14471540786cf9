"""Policy engine decision cost, side by side with Cedar (cedarpy) on equivalent policy sets.

Median µs per decision for one IAM user with 1, 10 and 100 attached managed policies of five
statements each (wildcard actions, NotAction, conditions, a `${aws:username}` resource), first
alone and then "guarded": with a 3-level SCP chain, a permissions boundary and a bucket policy.
The 100 policies are spread over 14 services, so only 8 of them name the request's service, as
in a real account. Each figure comes in two forms:

- `decide`: the engine call alone, the request already built;
- `request_and_decide`: what a caller does per request, from raw strings: build the request
  (iamd: `AuthorizationRequest`; Cedar: the request dict with its context) and decide.

Requests rotate over 64 object keys, so nothing keyed by resource can be answered from a warm
cache. Before timing, both engines decide a sample of allowed, implicitly and explicitly
denied requests and must agree on every one (see `cedar_bench.py` for the translation).
Timings are reported, never asserted: the machines are shared and noisy.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from iamd.service.policy import (
    AuthorizationRequest,
    PolicyIndex,
    PolicyInputs,
    PolicyType,
    compile_policy,
    decide,
)

ACCOUNT = "123456789012"
USER = "alice"
PRINCIPAL = f"arn:aws:iam::{ACCOUNT}:user/{USER}"
POLICY_COUNTS = (1, 10, 100)
STATEMENTS_PER_POLICY = 5
# The request's service (s3) comes first: policy i is about SERVICES[i % 14], so 1 of 1,
# 1 of 10 and 8 of 100 policies name s3.
SERVICES = (
    "s3", "sqs", "sns", "dynamodb", "kms", "lambda", "ec2",
    "logs", "secretsmanager", "ssm", "cloudwatch", "kinesis", "ecr", "states",
)  # fmt: skip
# The complete context iamd derives for alice, plus what the request itself carries.
CONTEXT: dict[str, str] = {
    "aws:PrincipalArn": PRINCIPAL,
    "aws:PrincipalAccount": ACCOUNT,
    "aws:PrincipalType": "User",
    "aws:username": USER,
    "aws:userid": "AIDAALICEXXXXXXXXXXXX",
    "aws:PrincipalTag/team": "red",
    "aws:PrincipalTag/role": "developer",
    "aws:SecureTransport": "true",
    "aws:SourceIp": "10.1.2.3",
    "aws:RequestedRegion": "us-east-1",
    "aws:CurrentTime": "2024-06-01T12:00:00Z",
    "aws:EpochTime": "1717243200",
    "s3:x-amz-server-side-encryption": "aws:kms",
}
MEASURED_ACTION = "s3:PutObject"
ROTATING_KEYS = 64


def _measured_resource(k: int) -> str:
    return f"arn:aws:s3:::shared-0/{USER}/reports/2024-{k:03d}.csv"


# --- the policy sets ------------------------------------------------------------------------


def _resource(svc: str, name: str) -> str:
    """ARN pattern for resources called `name` of service `svc` in the account."""
    if svc == "s3":
        return f"arn:aws:s3:::{name}"
    return f"arn:aws:{svc}:*:{ACCOUNT}:{name}"


def identity_document(i: int) -> dict[str, Any]:
    """Managed policy `i`: reads, an owner-scoped write, a NotAction guard, an admin grant, a deny."""
    svc = SERVICES[i % len(SERVICES)]
    team = f"team-{i}-*"
    objects = (lambda pattern: [pattern, f"{pattern}/*"]) if svc == "s3" else (lambda p: [p])
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": f"Read{i}", "Effect": "Allow",
         "Action": [f"{svc}:Get*", f"{svc}:List*", f"{svc}:Describe*"],
         "Resource": [_resource(svc, p) for p in objects(team)]},
        {"Sid": f"OwnData{i}", "Effect": "Allow", "Action": [f"{svc}:Put*", f"{svc}:Create*", f"{svc}:Tag*"],
         "Resource": _resource(svc, f"shared-{i % 3}/${{aws:username}}/*"),
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": ["red", "blue"]},
                       "Bool": {"aws:SecureTransport": "true"}}},
        {"Sid": f"ArchiveReadOnly{i}", "Effect": "Deny",
         "NotAction": [f"{svc}:Get*", f"{svc}:List*", f"{svc}:Describe*"],
         "Resource": _resource(svc, f"archive-{i}/*")},
        {"Sid": f"Admin{i}", "Effect": "Allow", "Action": [f"{svc}:DeleteResource{i}", f"{svc}:UpdateResource{i}"],
         "Resource": [_resource(svc, p) for p in objects(team)],
         "Condition": {"StringLike": {"aws:PrincipalTag/role": "admin*"},
                       "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}}},
        {"Sid": f"Region{i}", "Effect": "Deny", "Action": [f"{svc}:Put*", f"{svc}:Delete*"], "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}},
    ]}  # fmt: skip


BOUNDARY_DOCUMENT: dict[str, Any] = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Workloads", "Effect": "Allow",
     "Action": ["s3:Get*", "s3:Put*", "s3:List*", "sqs:*", "sns:*", "dynamodb:*", "lambda:*", "logs:*",
                "kms:Decrypt", "kms:GenerateDataKey*"],
     "Resource": "*"},
    {"Sid": "ReadEverything", "Effect": "Allow", "Action": ["*:Get*", "*:List*", "*:Describe*"], "Resource": "*"},
    {"Sid": "NoIdentityAdmin", "Effect": "Deny", "Action": ["iam:*", "organizations:*", "sts:AssumeRole"],
     "Resource": "*"},
    {"Sid": "NoBoundaryEscape", "Effect": "Deny", "NotAction": ["s3:*", "sqs:*", "sns:*", "logs:*"],
     "Resource": "arn:aws:s3:::shared-*",
     "Condition": {"StringNotLike": {"aws:PrincipalTag/role": ["developer", "admin*"]}}},
    {"Sid": "OnlyEncrypted", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::*/*",
     "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": ["aws:kms", "AES256"]}}},
]}  # fmt: skip

SCP_LEVELS: tuple[tuple[dict[str, Any], ...], ...] = (
    (  # organisation root
        {"Version": "2012-10-17", "Statement": [
            {"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Sid": "RegionLock", "Effect": "Deny",
             "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*", "cloudfront:*"], "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}},
        ]},
    ),
    (  # workloads OU
        {"Version": "2012-10-17", "Statement": [
            {"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Sid": "StayInOrg", "Effect": "Deny", "Action": ["organizations:LeaveOrganization", "account:*"],
             "Resource": "*"},
            {"Sid": "KeepBlockPublic", "Effect": "Deny",
             "Action": ["s3:PutAccountPublicAccessBlock", "s3:DeletePublicAccessBlock"], "Resource": "*"},
        ]},
    ),
    (  # the account: an allow list of services
        {"Version": "2012-10-17", "Statement": [
            {"Sid": "AllowedServices", "Effect": "Allow", "Action": [f"{svc}:*" for svc in SERVICES], "Resource": "*"},
            {"Sid": "KeepTrail", "Effect": "Deny", "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"],
             "Resource": "*"},
            {"Sid": "NoRootKeys", "Effect": "Deny", "Action": "*", "Resource": "*",
             "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}},
        ]},
    ),
)  # fmt: skip

BUCKET_POLICY: dict[str, Any] = {"Version": "2012-10-17", "Statement": [
    {"Sid": "TeamWrites", "Effect": "Allow",
     "Principal": {"AWS": [PRINCIPAL, f"arn:aws:iam::{ACCOUNT}:user/bob"]},
     # s3:DeleteObject is outside alice's boundary: a bucket policy naming her grants it anyway.
     "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
     "Resource": "arn:aws:s3:::shared-0/${aws:username}/*"},
    {"Sid": "AccountList", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
     "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::shared-0"},
    {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::shared-0", "arn:aws:s3:::shared-0/*"],
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    {"Sid": "FrozenPrefix", "Effect": "Deny", "Principal": "*", "NotAction": ["s3:Get*", "s3:List*"],
     "Resource": "arn:aws:s3:::shared-0/frozen/*"},
    {"Sid": "FromTheOffice", "Effect": "Deny", "Principal": "*", "Action": "s3:Delete*",
     "Resource": "arn:aws:s3:::shared-0/*", "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
]}  # fmt: skip


@dataclass(frozen=True)
class PolicySetup:
    """The documents that apply to alice's requests on the shared-0 bucket, by policy type."""

    identity: tuple[dict[str, Any], ...]
    boundary: dict[str, Any] | None = None
    scp_levels: tuple[tuple[dict[str, Any], ...], ...] = ()
    resource: dict[str, Any] | None = None
    label: str = field(default="", compare=False)


def setup(n_policies: int, *, guarded: bool) -> PolicySetup:
    identity = tuple(identity_document(i) for i in range(n_policies))
    if not guarded:
        return PolicySetup(identity, label=f"{n_policies} policies")
    return PolicySetup(identity, BOUNDARY_DOCUMENT, SCP_LEVELS, BUCKET_POLICY, f"{n_policies} policies, guarded")


def iamd_inputs(policies: PolicySetup) -> PolicyInputs:
    def compiled(doc: Mapping[str, Any], policy_id: str, policy_type: PolicyType) -> Any:
        return compile_policy(json.dumps(doc), policy_id=policy_id, policy_type=policy_type, version="v1")

    return PolicyInputs(
        identity=PolicyIndex(compiled(d, f"p{i}", PolicyType.IDENTITY) for i, d in enumerate(policies.identity)),
        boundary=(
            PolicyIndex([compiled(policies.boundary, "boundary", PolicyType.BOUNDARY)])
            if policies.boundary is not None
            else None
        ),
        scp_levels=tuple(
            PolicyIndex(compiled(d, f"scp-L{n}-{i}", PolicyType.SCP) for i, d in enumerate(level))
            for n, level in enumerate(policies.scp_levels)
        ),
        resource=(
            PolicyIndex([compiled(policies.resource, "bucket", PolicyType.RESOURCE)])
            if policies.resource is not None
            else None
        ),
    )


def iamd_request(action: str, resource: str, context: Mapping[str, str]) -> AuthorizationRequest:
    return AuthorizationRequest(PRINCIPAL, action, resource, ACCOUNT, context)


# --- requests whose decisions both engines must agree on ------------------------------------


def sample_requests() -> list[tuple[str, str, dict[str, str]]]:
    """Allowed, implicitly and explicitly denied requests over the policy sets' features."""
    resources = [
        _measured_resource(1),
        "arn:aws:s3:::shared-0/bob/notes.txt",
        "arn:aws:s3:::shared-0/frozen/old.csv",
        "arn:aws:s3:::shared-0",
        "arn:aws:s3:::team-0-logs/x.json",
        "arn:aws:s3:::archive-0/2019/a.csv",
        "arn:aws:s3:::shared-1/alice/a.csv",
        f"arn:aws:sqs:us-east-1:{ACCOUNT}:team-1-orders",
        f"arn:aws:sqs:eu-west-1:{ACCOUNT}:shared-1/alice/q",
        f"arn:aws:sns:us-east-1:{ACCOUNT}:archive-2-topic",
        f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:team-3-table",
        "*",
    ]
    actions = [
        "s3:PutObject", "s3:GetObject", "s3:ListBucket", "s3:DeleteObject", "s3:DeleteResource0",
        "S3:putObjectTagging", "s3:PutAccountPublicAccessBlock", "sqs:GetQueueUrl", "sqs:CreateQueue",
        "sqs:DeleteResource1", "sns:Publish", "dynamodb:DescribeTable", "iam:GetUser", "ec2:RunInstances",
        "cloudtrail:StopLogging",
    ]  # fmt: skip
    contexts = [
        CONTEXT,
        {**CONTEXT, "aws:SecureTransport": "false"},
        {**CONTEXT, "aws:SourceIp": "203.0.113.9", "aws:PrincipalTag/role": "admin-ops"},
        {**CONTEXT, "aws:PrincipalTag/role": "admin"},
        {**CONTEXT, "aws:RequestedRegion": "ap-south-1"},
        {k: v for k, v in CONTEXT.items() if k not in ("aws:PrincipalTag/team", "s3:x-amz-server-side-encryption")},
    ]
    return [(a, r, c) for c in contexts for a in actions for r in resources]


# --- timing -------------------------------------------------------------------------------


def median_us(batch: Callable[[int], object], *, rounds: int, target_round_s: float = 0.02) -> float:
    """Median µs per call over `rounds` rounds; `batch(n)` makes n calls."""
    loops = 1
    while True:  # calibrate: a round lasts about `target_round_s`
        started = time.perf_counter()
        batch(loops)
        elapsed = time.perf_counter() - started
        if elapsed >= target_round_s / 4 or loops >= 1 << 20:
            break
        loops *= 2
    loops = max(1, int(loops * target_round_s / max(elapsed, 1e-9)))
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        batch(loops)
        samples.append((time.perf_counter() - started) / loops * 1e6)
    return round(statistics.median(samples), 2)


def _iamd_batches(inputs: PolicyInputs) -> tuple[Callable[[int], object], Callable[[int], object]]:
    raw = [(MEASURED_ACTION, _measured_resource(k), CONTEXT) for k in range(ROTATING_KEYS)]
    built = [iamd_request(*r) for r in raw]
    mask = ROTATING_KEYS - 1

    def decide_only(n: int) -> object:
        for i in range(n):
            decide(built[i & mask], inputs)
        return None

    def request_and_decide(n: int) -> object:
        for i in range(n):
            action, resource, context = raw[i & mask]
            decide(AuthorizationRequest(PRINCIPAL, action, resource, ACCOUNT, context), inputs)
        return None

    return decide_only, request_and_decide


def run_policy_bench(*, rounds: int = 15) -> dict[str, Any]:
    """Median µs per decision for iamd and cedarpy, 1/10/100 policies, alone and guarded."""
    from . import cedar_bench

    summary: dict[str, Any] = {
        "statements_per_policy": STATEMENTS_PER_POLICY,
        "services": len(SERVICES),
        "policies_naming_request_service": {
            str(n): sum(1 for i in range(n) if SERVICES[i % len(SERVICES)] == "s3") for n in POLICY_COUNTS
        },
        "rotating_resources": ROTATING_KEYS,
    }
    cedar_ok = cedar_bench.available()
    summary["cedarpy_version"] = cedar_bench.version() if cedar_ok else None
    if not cedar_ok:
        summary["cedarpy_missing"] = cedar_bench.why_unavailable()
    samples = sample_requests()
    agreed = 0
    warmed = False
    for guarded in (False, True):
        tag = "guarded_" if guarded else ""
        for n in POLICY_COUNTS:
            policies = setup(n, guarded=guarded)
            inputs = iamd_inputs(policies)
            for k in range(ROTATING_KEYS):  # the measured path is a full Allow
                assert decide(iamd_request(MEASURED_ACTION, _measured_resource(k), CONTEXT), inputs).allowed
            decide_only, request_and_decide = _iamd_batches(inputs)
            if not warmed:  # the first timings of a process run slow; spend them here
                median_us(request_and_decide, rounds=rounds)
                warmed = True
            iamd_decide = median_us(decide_only, rounds=rounds)
            iamd_full = median_us(request_and_decide, rounds=rounds)
            summary[f"{tag}decide_us_{n}_policies"] = iamd_decide
            summary[f"{tag}request_and_decide_us_{n}_policies"] = iamd_full
            if not cedar_ok:
                continue
            cedar = cedar_bench.CedarSetup(policies, principal=PRINCIPAL, username=USER)
            expected = [decide(iamd_request(*s), inputs).decision.value for s in samples]
            cedar.check_agrees(samples, expected)  # raises on any disagreement
            agreed += len(samples)
            cedar_decide, cedar_full, cedar_core = cedar.batches(
                [(MEASURED_ACTION, _measured_resource(k), CONTEXT) for k in range(ROTATING_KEYS)]
            )
            summary[f"{tag}cedarpy_policies_{n}"] = cedar.policy_count
            summary[f"{tag}cedarpy_decide_us_{n}_policies"] = c_decide = median_us(cedar_decide, rounds=rounds)
            summary[f"{tag}cedarpy_request_and_decide_us_{n}_policies"] = c_full = median_us(
                cedar_full, rounds=rounds
            )
            # The Rust call alone, without cedarpy's Python wrapper (JSON in and out): Cedar's floor.
            summary[f"{tag}cedarpy_engine_call_us_{n}_policies"] = median_us(cedar_core, rounds=rounds)
            summary[f"{tag}iamd_vs_cedarpy_{n}"] = round(c_decide / iamd_decide, 1)
            summary[f"{tag}iamd_vs_cedarpy_request_and_decide_{n}"] = round(c_full / iamd_full, 1)
    if cedar_ok:
        summary["cedarpy_agreeing_decisions"] = agreed
    summary["compile_us_per_policy"] = median_us(
        lambda n: [
            compile_policy(json.dumps(identity_document(3)), policy_id="p", policy_type=PolicyType.IDENTITY)
            for _ in range(n)
        ],
        rounds=5,
    )
    summary["targets"] = _targets(summary)
    return summary


def _targets(summary: dict[str, Any]) -> dict[str, bool | None]:
    """The issue's targets: at most 10 µs per decision and 10× cedarpy, at 100 policies."""
    met: dict[str, bool | None] = {}
    for tag in ("", "guarded_"):
        met[f"{tag}decide_us_100_policies <= 10"] = summary[f"{tag}decide_us_100_policies"] <= 10
        ratio = summary.get(f"{tag}iamd_vs_cedarpy_100")
        met[f"{tag}iamd_vs_cedarpy_100 >= 10"] = None if ratio is None else ratio >= 10
    return met


if __name__ == "__main__":
    print(json.dumps(run_policy_bench(), indent=2))
